/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fixdep: per-symbol configuration dependencies for rvOS builds
 * (doc/architecture.md, "What a configuration change rebuilds").
 *
 * Every C and assembly file is compiled with `-include autoconf.h`, so the
 * compiler's dependency file names autoconf.h and any configuration change
 * would recompile everything. fixdep runs as the compiler launcher: it runs
 * the compiler (argv after `--`), and when that succeeds it rewrites the
 * dependency file (-MF) so that instead of autoconf.h the object depends on
 * one file per CONFIG_ symbol its sources and the project's headers mention:
 * SYMDIR/NAME, which scripts/kconfig.py rewrites only when NAME's value
 * changes. A symbol mentioned but not in the configuration makes the object
 * depend on SYMDIR/.symbols, rewritten when the set of symbols changes.
 *
 *   fixdep SYMDIR AUTOCONF_H SCAN_PREFIX... -- COMPILER ARGS...
 *
 * Only files under a SCAN_PREFIX (the source tree, the build folder) are
 * scanned: the toolchain's and picolibc's headers mention no CONFIG_ symbol
 * of ours. A failure to rewrite leaves the compiler's file as it was (every
 * configuration change then rebuilds that object: slower, never wrong).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct strs {
	char **v;
	size_t n, cap;
};

static void push(struct strs *s, char *p)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v) {
			perror("fixdep");
			exit(1);
		}
	}
	s->v[s->n++] = p;
}

static int contains(const struct strs *s, const char *p, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == len && memcmp(s->v[i], p, len) == 0)
			return 1;
	return 0;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap + 1);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = 0;
	*len = n;
	return buf;
}

static int ident(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Every CONFIG_NAME token of a file, added to syms (NAME only). */
static void scan(const char *path, struct strs *syms)
{
	size_t len;
	char *text = read_all(path, &len);
	if (!text)
		return;
	for (char *p = text; (p = strstr(p, "CONFIG_")) != NULL;) {
		int starts = p == text || !ident(p[-1]);
		char *name = p + 7, *end = name;
		while (ident(*end))
			end++;
		if (starts && end > name && !contains(syms, name, (size_t)(end - name)))
			push(syms, strndup(name, (size_t)(end - name)));
		p = end;
	}
	free(text);
}

/* The prerequisites of a gcc dependency file (after the first ':'), with
 * backslash-newlines and escaped spaces undone. */
static char *parse_deps(char *text, char **target, struct strs *deps)
{
	char *colon = strstr(text, ": ");
	if (!colon)
		colon = strchr(text, ':');
	if (!colon)
		return NULL;
	*colon = 0;
	*target = text;
	char *out = colon + 1, *w = out;
	for (char *r = out; *r; r++) {
		if (r[0] == '\\' && r[1] == '\n') {
			*w++ = ' ';
			r++;
		} else if (r[0] == '\\' && r[1] == ' ') {
			*w++ = '\x01';          /* an escaped space inside a name */
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
	for (char *tok = strtok(out, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
		for (char *c = tok; *c; c++)
			if (*c == '\x01')
				*c = ' ';
		push(deps, tok);
	}
	return out;
}

static void put_name(FILE *f, const char *name)
{
	fputs(" \\\n ", f);
	for (; *name; name++) {
		if (*name == ' ')
			fputc('\\', f);
		fputc(*name, f);
	}
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int rewrite(const char *depfile, const char *symdir, const char *autoconf,
		   char **prefixes, int nprefixes)
{
	size_t len;
	char *text = read_all(depfile, &len);
	if (!text)
		return -1;
	char *target;
	struct strs deps = {0}, syms = {0};
	if (!parse_deps(text, &target, &deps))
		return -1;
	char abs_autoconf[4096];
	if (!realpath(autoconf, abs_autoconf))
		snprintf(abs_autoconf, sizeof(abs_autoconf), "%s", autoconf);

	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.fixdep", depfile);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fputs(target, f);
	fputc(':', f);
	int dropped = 0;
	for (size_t i = 0; i < deps.n; i++) {
		const char *d = deps.v[i];
		char real[4096];
		const char *abs = realpath(d, real) ? real : d;
		if (strcmp(abs, abs_autoconf) == 0) {
			dropped = 1;
			continue;
		}
		put_name(f, d);
		for (int p = 0; p < nprefixes; p++) {
			if (starts_with(abs, prefixes[p])) {
				scan(abs, &syms);
				break;
			}
		}
	}
	if (!dropped) {
		/* Not compiled with autoconf.h: nothing to replace. */
		fclose(f);
		unlink(tmp);
		return 0;
	}
	int unknown = 0;
	for (size_t i = 0; i < syms.n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", symdir, syms.v[i]);
		if (stat(path, &st) == 0)
			put_name(f, path);
		else
			unknown = 1;
	}
	if (unknown) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/.symbols", symdir);
		put_name(f, path);
	}
	fputc('\n', f);
	if (fclose(f) != 0 || rename(tmp, depfile) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int sep = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	}
	if (sep < 3 || sep + 1 >= argc) {
		fprintf(stderr, "usage: fixdep SYMDIR AUTOCONF_H SCAN_PREFIX... -- COMPILER ARGS...\n");
		return 2;
	}
	const char *symdir = argv[1], *autoconf = argv[2];
	char **prefixes = argv + 3;
	int nprefixes = sep - 3;
	char **cmd = argv + sep + 1;

	pid_t pid;
	int err = posix_spawnp(&pid, cmd[0], NULL, NULL, cmd, environ);
	if (err) {
		fprintf(stderr, "fixdep: cannot run %s: %s\n", cmd[0], strerror(err));
		return 127;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("fixdep: waitpid");
			return 1;
		}
	}
	if (!WIFEXITED(status))
		return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	if (WEXITSTATUS(status) != 0)
		return WEXITSTATUS(status);

	const char *depfile = NULL;
	for (char **a = cmd; *a; a++) {
		if (strcmp(*a, "-MF") == 0 && a[1])
			depfile = a[1];
		else if (starts_with(*a, "-MF") && (*a)[3])
			depfile = *a + 3;
	}
	if (depfile && rewrite(depfile, symdir, autoconf, prefixes, nprefixes) != 0)
		fprintf(stderr, "fixdep: warning: could not rewrite %s; this object will rebuild "
				"on every configuration change\n", depfile);
	return 0;
}
