/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scripts/doc_errors.py, which turns the error tables of the docs into the
 * header of tests/kernel/errors:
 *   - over the real docs: every call of include/rvos/syscall.h has a table
 *     row, every code is an error of errno.h, the numbers agree, and the
 *     header it writes compiles and holds known pairs;
 *   - over small broken copies (a syscall.h and errno.h of a few lines,
 *     docs with one mistake each): it fails, naming the file and line of
 *     the mistake.
 * Run from the repository's top folder (the runner does), with python3 and
 * gcc on the PATH.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failed;
static char dir[] = "/tmp/doc_errors_XXXXXX";

#define CHECK(what, cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL line %d: %s\n", __LINE__, (what));                   \
			failed++;                                                                  \
		}                                                                                  \
	} while (0)

/* Run a shell command; its exit status, its output (stdout and stderr) in out. */
static int run(char *out, size_t size, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *p;
	size_t n;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	if (!p) {
		perror("popen");
		exit(2);
	}
	n = fread(out, 1, size - 1, p);
	out[n] = 0;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
}

static const char syscall_h[] = "enum rv_syscall {\n"
				"\tRV_SYS_ALPHA = 0,\n"
				"\tRV_SYS_BETA = 1,\n"
				"\tRV_SYS_COUNT\n"
				"};\n";
static const char errno_h[] = "enum rv_errno {\n"
			      "\tRV_OK = 0,\n"
			      "\tRV_EPERM = 1,\n"
			      "\tRV_EBADF = 9,\n"
			      "\tRV_EINVAL = 22,\n"
			      "};\n";
static const char unreachable_ok[] = "# Security\n\n"
				     "| call | error | why |\n"
				     "|---|---|---|\n"
				     "| `beta` | `EPERM` | no test reaches it |\n";

/* The script over fixture docs a.md (and b.md when given): its exit status
 * and output. */
static int check_docs(char *out, size_t size, const char *a, const char *b, const char *unreach)
{
	put("syscall.h", syscall_h);
	put("errno.h", errno_h);
	put("a.md", a);
	put("b.md",
	    b ? b : "| call | does | errors |\n|---|---|---|\n| `beta` | x | `EPERM` rarely |\n");
	put("sec.md", unreach ? unreach : unreachable_ok);
	return run(out, size,
		   "python3 scripts/doc_errors.py --check --syscall-h %s/syscall.h --errno-h "
		   "%s/errno.h --unreachable %s/sec.md %s/a.md %s/b.md",
		   dir, dir, dir, dir, dir);
}

/* A broken fixture fails and says where. */
static void expect_error(const char *what, const char *a, const char *b, const char *unreach,
			 const char *where, const char *words)
{
	char out[4096], want[512];
	int rc = check_docs(out, sizeof(out), a, b, unreach);

	snprintf(want, sizeof(want), "%s/%s", dir, where);
	if (rc != 1 || !strstr(out, want) || !strstr(out, words)) {
		fprintf(stderr,
			"FAIL: %s: want exit status 1 and a message naming %s and saying "
			"'%s'; got %d: %s\n",
			what, want, words, rc, out);
		failed++;
	}
}

static void real_docs(void)
{
	char out[8192], hdr[600], src[700];
	int rc;

	rc = run(out, sizeof(out), "python3 scripts/doc_errors.py --check");
	CHECK(out, rc == 0 && strstr(out, ": ok"));
	snprintf(hdr, sizeof(hdr), "%s/doc_errors.h", dir);
	rc = run(out, sizeof(out), "python3 scripts/doc_errors.py -o %s", hdr);
	CHECK(out, rc == 0);
	/* It compiles, and holds pairs the tables document. */
	snprintf(src, sizeof(src), "%s/use.c", dir);
	put("use.c",
	    "#include \"doc_errors.h\"\n"
	    "static int has(unsigned nr, unsigned err) {\n"
	    "\tfor (unsigned i = 0; i < sizeof(doc_errors) / sizeof(doc_errors[0]); i++)\n"
	    "\t\tif (doc_errors[i].nr == nr && doc_errors[i].err == err) return 1;\n"
	    "\treturn 0;\n}\n"
	    "int main(void) {\n"
	    "\treturn !(has(RV_SYS_SHM_MAP, RV_EACCES) && has(RV_SYS_HANDLE_CLOSE, RV_EBADF) &&\n"
	    "\t\t has(RV_SYS_KILL, RV_EPERM) && !has(RV_SYS_GETPID, RV_EINVAL) &&\n"
	    "\t\t doc_call_names[RV_SYS_PORT_WAIT][0] == 'p');\n}\n");
	rc = run(out, sizeof(out),
		 "gcc -std=gnu11 -Wall -Werror -I include -I %s %s -o %s/use && %s/use", dir, src,
		 dir, dir);
	CHECK(out[0] ? out : "the generated header compiles and holds the known pairs", rc == 0);
}

int main(void)
{
	char out[4096];
	static const char good[] = "# A\n\n"
				   "| nr | call | errors |\n"
				   "|---|---|---|\n"
				   "| 0 | `alpha` | `EINVAL` bad; `EBADF` |\n";

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	real_docs();
	CHECK("a good fixture passes", check_docs(out, sizeof(out), good, NULL, NULL) == 0);
	expect_error("an unknown code", "| call | errors |\n|---|---|\n| `alpha` | `EFOO` |\n",
		     NULL, NULL, "a.md:3", "`EFOO`");
	expect_error("no code", "x\n\n| call | errors |\n|---|---|\n| `alpha` | sometimes |\n",
		     NULL, NULL, "a.md:5", "name no error code");
	expect_error("a call syscall.h does not have",
		     "| call | errors |\n|---|---|\n| `alpha` | `EBADF` |\n| `gamma` | `EBADF` |\n",
		     NULL, NULL, "a.md:4", "`gamma` is not a call");
	expect_error("a wrong number",
		     "| nr | call | errors |\n|---|---|---|\n| 1 | `alpha` | — |\n", NULL, NULL,
		     "a.md:3", "number 0");
	expect_error("a row of the wrong width", "| call | errors |\n|---|---|\n| `alpha` |\n",
		     NULL, NULL, "a.md:3", "1 cells");
	expect_error("no |---| line", "| call | errors |\n| `alpha` | `EBADF` |\n", NULL, NULL,
		     "a.md:2", "|---|");
	expect_error("a doc without an error table", good, "no table here\n", NULL, "b.md",
		     "no error table");
	expect_error("a call with no row", good, "| call | errors |\n|---|---|\n| `alpha` | — |\n",
		     NULL, "syscall.h:3", "RV_SYS_BETA has no row");
	expect_error("unreachable but not documented", good, NULL,
		     "| call | error | why |\n|---|---|---|\n| `alpha` | `EPERM` | x |\n",
		     "sec.md:3", "does not document it");
	run(out, sizeof(out), "rm -rf %s", dir);
	if (failed)
		fprintf(stderr, "doc_errors: %d checks failed\n", failed);
	else
		printf("doc_errors: the script reads the docs, and names each mistake's file and "
		       "line\n");
	return failed ? 1 : 0;
}
