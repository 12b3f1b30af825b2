/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The POSIX a portable program needs, built with POSIX and XSI features
 * on (-D_XOPEN_SOURCE=700, nothing else: CMakeLists.txt), run by init
 * with root=/ on tmpfs:
 *
 *   time       time(), gettimeofday, CLOCK_REALTIME: the board's RTC (the
 *              harness compares the printed time() with the host's
 *              clock), or from 1970 at boot on a board without one
 *   env        environ, getenv, setenv, unsetenv, putenv; children started
 *              through popen and the loader see what the parent passed
 *   popen      popen/pclose both ways, exit statuses, a fault, errors
 *   calls      _setjmp/_longjmp, sigsetjmp, flockfile & co., the
 *              *_unlocked calls, getline/getdelim, isatty, sysconf,
 *              uname, gethostname, getuid & co., system(NULL), getcwd
 *
 * argv[1] makes it a child instead:
 *   env NAME...   print NAME=value or "NAME unset" for each
 *   envc          exit with the number of environment strings
 *   count         exit with the number of lines on stdin
 *   lines N       print N lines
 *   exit N        exit with N
 *   crash         store to address 0
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <rvos/service.h>
#include "check.h"

#define SECS_2020 1577836800 /* 2020-01-01 00:00 UTC */
#define SECS_PER_DAY 86400
#define NS_PER_SEC 1000000000ll

/* The board's real-time clock gives the date. */
#ifdef CONFIG_RTC_GOLDFISH
#define HAS_RTC 1
#else
#define HAS_RTC 0
#endif

extern char **environ;

static long long ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * NS_PER_SEC + t->tv_nsec;
}

/* ---- time ---- */

static void test_time(void)
{
	struct timespec real, mono0, mono1, until;
	struct timeval tv;
	char date[40];
	time_t t, t2;
	struct tm *tm;

	t = time(&t2);
	/* First, so the harness sees it as soon after the call as it can. */
	printf("posix: time %lld\n", (long long)t);
	CHECK("time() returns and stores the same", t == t2);
	CHECK_EQ("gettimeofday", gettimeofday(&tv, NULL), 0);
	CHECK_EQ("clock_gettime(REALTIME)", clock_gettime(CLOCK_REALTIME, &real), 0);
	CHECK("time(), gettimeofday and CLOCK_REALTIME agree",
	      tv.tv_sec - t <= 1 && tv.tv_sec >= t && real.tv_sec - tv.tv_sec <= 1 &&
		      real.tv_sec >= tv.tv_sec);
	tm = gmtime(&t);
	CHECK("gmtime", tm != NULL);
	if (!tm)
		return;
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", tm);
	if (HAS_RTC) {
		CHECK("the RTC's date is after 2020", t > SECS_2020 && tm->tm_year >= 120);
	} else {
		/* No RTC: 1970-01-01 plus the uptime. */
		CHECK("no RTC: the date counts from 1970 at boot",
		      t < SECS_PER_DAY && tm->tm_year == 70 && tm->tm_yday == 0);
	}
	/* An absolute sleep on the wall clock: 50 ms by the monotonic one. */
	clock_gettime(CLOCK_MONOTONIC, &mono0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 50000000;
	if (until.tv_nsec >= NS_PER_SEC) {
		until.tv_nsec -= NS_PER_SEC;
		until.tv_sec++;
	}
	CHECK_EQ("clock_nanosleep(REALTIME, TIMER_ABSTIME)",
		 clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &mono1);
	clock_gettime(CLOCK_REALTIME, &real);
	CHECK("... until the wall clock reads the deadline", ts_ns(&real) >= ts_ns(&until));
	CHECK("... about 50 ms by the monotonic clock",
	      ts_ns(&mono1) - ts_ns(&mono0) >= 45000000 && ts_ns(&mono1) - ts_ns(&mono0) < 2 * NS_PER_SEC);
	printf("posix: date %s UTC (%s)\n", date, HAS_RTC ? "the RTC" : "no RTC: from boot");
}

/* ---- the environment ---- */

static int env_count(void)
{
	int n = 0;

	while (environ && environ[n])
		n++;
	return n;
}

/* The first line `command` prints on its stdout (popen), in line. */
static int first_line(const char *command, char *line, size_t size)
{
	FILE *f = popen(command, "r");
	int status;

	line[0] = '\0';
	if (!f)
		return -1;
	if (!fgets(line, (int)size, f))
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The loader with an explicit environment: the child's exit status. */
static int run_with_env(const char *const *argv, const char *const *envp)
{
	struct rv_spawn_env env = {
		.program = "posix_test", .argv = argv, .priority = 8, .envp = envp};
	struct rv_wait_item item = {.signals = RV_SIGNAL_EXITED};
	struct rv_exit_info info;
	int ret = rv_loader_spawn_env(&env, &item.handle);

	if (ret < 0)
		return ret;
	rv_wait_many(&item, 1, RV_DEADLINE_NEVER);
	rv_process_exit_info(item.handle, &info);
	rv_handle_close(item.handle);
	return info.code;
}

static void test_env(void)
{
	static char big[CONFIG_SPAWN_ENV_MAX_BYTES + 16];
	char line[200], name[16];
	int n0;

	/* init passes a manifest child no environment. */
	CHECK("environ is set, empty", environ != NULL && environ[0] == NULL);
	CHECK("getenv of an unset name", getenv("HOME") == NULL);
	CHECK_EQ("setenv", setenv("HOME", "/home/ada", 1), 0);
	CHECK("getenv sees it", getenv("HOME") && !strcmp(getenv("HOME"), "/home/ada"));
	CHECK("environ holds it", env_count() == 1 && !strcmp(environ[0], "HOME=/home/ada"));
	CHECK_EQ("setenv, no overwrite", setenv("HOME", "/root", 0), 0);
	CHECK("... kept the old value", !strcmp(getenv("HOME"), "/home/ada"));
	CHECK_EQ("setenv, overwrite", setenv("HOME", "/root", 1), 0);
	CHECK("... has the new value", !strcmp(getenv("HOME"), "/root"));
	CHECK_EQ("setenv, a longer value", setenv("HOME", "/a/much/longer/home", 1), 0);
	CHECK("... has it", !strcmp(getenv("HOME"), "/a/much/longer/home"));
	errno = 0;
	CHECK_EQ("setenv with '=' in the name", setenv("A=B", "x", 1), -1);
	CHECK_EQ("... EINVAL", errno, EINVAL);
	errno = 0;
	CHECK_EQ("setenv with an empty name", setenv("", "x", 1), -1);
	CHECK_EQ("... EINVAL", errno, EINVAL);
	CHECK_EQ("putenv", putenv("LANG=C"), 0);
	CHECK("getenv after putenv", getenv("LANG") && !strcmp(getenv("LANG"), "C"));
	n0 = env_count();
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "V%d", i);
		setenv(name, name, 1);
	}
	CHECK_EQ("40 more variables", env_count(), n0 + 40);
	CHECK("the 40th", getenv("V39") && !strcmp(getenv("V39"), "V39"));
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "V%d", i);
		unsetenv(name);
	}
	CHECK_EQ("unsetenv of each: as before", env_count(), n0);
	CHECK_EQ("unsetenv", unsetenv("LANG"), 0);
	CHECK("getenv after unsetenv", getenv("LANG") == NULL);
	CHECK_EQ("unsetenv of an unset name", unsetenv("LANG"), 0);
	errno = 0;
	CHECK_EQ("unsetenv with '=' in the name", unsetenv("A=B"), -1);
	CHECK_EQ("... EINVAL", errno, EINVAL);
	errno = 0;
	CHECK_EQ("unsetenv with an empty name", unsetenv(""), -1);
	CHECK_EQ("... EINVAL", errno, EINVAL);
	errno = 0;
	CHECK_EQ("setenv with a NULL name", setenv(NULL, "x", 1), -1);
	CHECK_EQ("... EINVAL", errno, EINVAL);

	/* Children see what the parent passed: popen gives the caller's
	 * environment, the loader an explicit one. */
	setenv("GREETING", "hello world", 1);
	CHECK_EQ("popen child: exit 0", first_line("posix_test env GREETING", line, sizeof(line)),
		 0);
	CHECK("popen child sees GREETING", !strcmp(line, "GREETING=hello world"));
	unsetenv("GREETING");
	first_line("posix_test env GREETING", line, sizeof(line));
	CHECK("... and not after unsetenv", !strcmp(line, "GREETING unset"));
	first_line("posix_test env HOME", line, sizeof(line));
	CHECK("popen child sees HOME", !strcmp(line, "HOME=/a/much/longer/home"));
	CHECK_EQ("the loader, an explicit environment of 3",
		 run_with_env((const char *const[]){"envc", NULL},
			      (const char *const[]){"A=1", "B=2", "C=", NULL}),
		 3);
	CHECK_EQ("the loader, an explicit empty environment",
		 run_with_env((const char *const[]){"envc", NULL}, (const char *const[]){NULL}), 0);
	CHECK_EQ("the loader, the caller's environment (envp NULL)",
		 run_with_env((const char *const[]){"envc", NULL}, NULL), env_count());
	/* More than CONFIG_SPAWN_ENV_MAX_BYTES: the spawn fails, E2BIG. */
	memset(big, 'x', sizeof(big) - 1);
	setenv("BIG", big, 1);
	errno = 0;
	CHECK("popen with too big an environment fails", popen("posix_test exit 0", "r") == NULL);
	CHECK_EQ("... E2BIG", errno, E2BIG);
	unsetenv("BIG");
	CHECK_EQ("after unsetenv, popen works again",
		 first_line("posix_test exit 0", line, sizeof(line)), 0);
	printf("posix: env: getenv, setenv, unsetenv, putenv; children see what they are given\n");
}

/* ---- popen and pclose ---- */

static const struct {
	const char *what, *command, *mode;
	int err;
} bad_popens[] = {
	{"popen of no such program: ENOENT", "nosuch_program x", "r", ENOENT},
	{"popen mode \"x\": EINVAL", "posix_test", "x", EINVAL},
	{"popen mode \"rw\": EINVAL", "posix_test", "rw", EINVAL},
	{"popen of blanks: EINVAL", "  \t", "r", EINVAL},
};

static void test_popen(void)
{
	char line[80];
	FILE *f;
	int n = 0, status;

	f = popen("posix_test lines 5", "r");
	CHECK("popen r", f != NULL);
	while (f && fgets(line, sizeof(line), f))
		n += !strncmp(line, "line ", 5);
	CHECK_EQ("popen r: the child's 5 lines", n, 5);
	status = f ? pclose(f) : -1;
	CHECK("pclose: exited, status 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);

	f = popen("posix_test count", "w");
	CHECK("popen w", f != NULL);
	for (int i = 0; f && i < 7; i++)
		fprintf(f, "to the child %d\n", i);
	status = f ? pclose(f) : -1;
	CHECK("popen w: the child read 7 lines", WIFEXITED(status) && WEXITSTATUS(status) == 7);

	status = pclose(popen("posix_test exit 42", "r"));
	CHECK("pclose: exit status 42", WIFEXITED(status) && WEXITSTATUS(status) == 42);
	status = pclose(popen("posix_test \t crash ", "r"));
	CHECK("pclose: a fault is a signal (SIGSEGV)",
	      WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);

	for (unsigned int i = 0; i < sizeof(bad_popens) / sizeof(bad_popens[0]); i++) {
		errno = 0;
		CHECK(bad_popens[i].what, popen(bad_popens[i].command, bad_popens[i].mode) == NULL);
		CHECK_EQ(bad_popens[i].what, errno, bad_popens[i].err);
	}
	errno = 0;
	CHECK_EQ("pclose(stdout): not popen's", pclose(stdout), -1);
	CHECK_EQ("... ECHILD", errno, ECHILD);
	printf("posix: popen and pclose: both ways, statuses, a fault, errors\n");
}

/* ---- the other calls ---- */

static jmp_buf jb;
static sigjmp_buf sjb;
static volatile int jumps;

static void jump_back(int how)
{
	jumps++;
	if (how)
		siglongjmp(sjb, 7);
	_longjmp(jb, 5);
}

static void test_jumps(void)
{
	volatile int rounds = 0;
	int v;

	v = _setjmp(jb);
	if (v == 0) {
		rounds++;
		jump_back(0);
	}
	CHECK_EQ("_setjmp returns _longjmp's value", v, 5);
	v = sigsetjmp(sjb, 1);
	if (v == 0) {
		rounds++;
		jump_back(1);
	}
	CHECK_EQ("sigsetjmp returns siglongjmp's value", v, 7);
	CHECK_EQ("each jumped once", jumps, 2);
	CHECK_EQ("... from the first return", rounds, 2);
}

/* getline and getdelim: lines of any length, the last without its
 * newline, another delimiter. */
static void test_getline(void)
{
	char *line = NULL;
	size_t size = 0;
	FILE *f = fopen("/tmp/lines.txt", "w");
	int long_ok = 1;

	CHECK("fopen lines.txt", f != NULL);
	if (!f)
		return;
	fputs("short\n", f);
	for (int i = 0; i < 1000; i++)
		fputc('a' + i % 26, f);
	fputs("\nlast, no newline", f);
	fclose(f);
	f = fopen("/tmp/lines.txt", "r");
	CHECK_EQ("getline: a short line", getline(&line, &size, f), 6);
	CHECK("... with its newline", line && !strcmp(line, "short\n"));
	CHECK_EQ("getline: 1000 characters", getline(&line, &size, f), 1001);
	for (int i = 0; line && i < 1000; i++)
		long_ok &= line[i] == 'a' + i % 26;
	CHECK("... all there, the buffer grown", long_ok && size > 1001);
	CHECK_EQ("getdelim(','): up to the comma", getdelim(&line, &size, ',', f), 5);
	CHECK("... with it", !strcmp(line, "last,"));
	CHECK_EQ("getline: the last line, no newline", getline(&line, &size, f), 11);
	CHECK("... as it is", !strcmp(line, " no newline"));
	CHECK_EQ("getline at the end of file", getline(&line, &size, f), -1);
	errno = 0;
	CHECK_EQ("getline(NULL)", getline(NULL, &size, f), -1);
	CHECK_EQ("... EINVAL", errno, EINVAL);
	free(line);
	fclose(f);
	remove("/tmp/lines.txt");
}

static void test_stdio_calls(void)
{
	FILE *f;
	char got[8] = "";
	int c, i = 0;

	flockfile(stdout);
	CHECK_EQ("ftrylockfile", ftrylockfile(stdout), 0);
	funlockfile(stdout);
	funlockfile(stdout);
	for (const char *p = "posix: putchar_unlocked"; *p; p++)
		putchar_unlocked(*p);
	putc_unlocked('\n', stdout);
	f = fopen("/tmp/unlocked.txt", "w");
	CHECK("fopen for writing", f != NULL);
	if (!f)
		return;
	putc_unlocked('o', f);
	putc_unlocked('k', f);
	fclose(f);
	f = fopen("/tmp/unlocked.txt", "r");
	CHECK("fopen for reading", f != NULL);
	if (!f)
		return;
	flockfile(f);
	while ((c = getc_unlocked(f)) != EOF && i < 7)
		got[i++] = (char)c;
	funlockfile(f);
	CHECK("getc_unlocked reads what putc_unlocked wrote", !strcmp(got, "ok"));
	CHECK("isatty of a file: 0", isatty(fileno(f)) == 0);
	fclose(f);
	remove("/tmp/unlocked.txt");
	test_getline();
}

static void test_system_calls(void)
{
	struct utsname u;
	char host[80], small[3], cwd[64];
	int fds[2];

	CHECK_EQ("isatty(0): the console", isatty(0), 1);
	CHECK_EQ("isatty(1)", isatty(1), 1);
	CHECK_EQ("isatty(2)", isatty(2), 1);
	CHECK_EQ("pipe", pipe(fds), 0);
	errno = 0;
	CHECK_EQ("isatty of a pipe", isatty(fds[0]), 0);
	CHECK_EQ("... ENOTTY", errno, ENOTTY);
	close(fds[0]);
	close(fds[1]);
	errno = 0;
	CHECK_EQ("isatty of a closed fd", isatty(fds[0]), 0);
	CHECK_EQ("... EBADF", errno, EBADF);
	errno = 0;
	CHECK_EQ("isatty(-1)", isatty(-1), 0);
	CHECK_EQ("... EBADF", errno, EBADF);

	CHECK_EQ("sysconf(_SC_PAGESIZE)", sysconf(_SC_PAGESIZE), 4096);
	CHECK_EQ("sysconf(_SC_CLK_TCK): times()'s unit", sysconf(_SC_CLK_TCK), CLOCKS_PER_SEC);
	CHECK_EQ("sysconf(_SC_OPEN_MAX)", sysconf(_SC_OPEN_MAX), CONFIG_USER_MAX_FDS);
	CHECK_EQ("sysconf(_SC_NPROCESSORS_ONLN)", sysconf(_SC_NPROCESSORS_ONLN), 1);
	CHECK_EQ("sysconf(_SC_ARG_MAX)", sysconf(_SC_ARG_MAX),
		 CONFIG_SPAWN_ARGS_MAX_BYTES + CONFIG_SPAWN_ENV_MAX_BYTES);
	CHECK_EQ("sysconf(_SC_VERSION)", sysconf(_SC_VERSION), 200809L);
	CHECK("sysconf(_SC_PHYS_PAGES) >= _SC_AVPHYS_PAGES > 0",
	      sysconf(_SC_PHYS_PAGES) >= sysconf(_SC_AVPHYS_PAGES) && sysconf(_SC_AVPHYS_PAGES) > 0);
	errno = 0;
	CHECK_EQ("sysconf(_SC_JOB_CONTROL): not supported", sysconf(_SC_JOB_CONTROL), -1);
	CHECK_EQ("... errno untouched", errno, 0);
	CHECK_EQ("sysconf(-1)", sysconf(-1), -1);
	CHECK_EQ("... EINVAL", errno, EINVAL);
	errno = 0;
	CHECK_EQ("sysconf(9999)", sysconf(9999), -1);
	CHECK_EQ("... EINVAL", errno, EINVAL);

	CHECK_EQ("uname", uname(&u), 0);
	CHECK("uname: sysname rvOS", !strcmp(u.sysname, "rvOS"));
	CHECK("uname: release is VERSION", !strcmp(u.release, EXPECT_RELEASE));
	CHECK("uname: machine riscv64", !strcmp(u.machine, "riscv64"));
	CHECK("uname: version is the board", !strcmp(u.version, CONFIG_BOARD));
	CHECK("uname: nodename", !strcmp(u.nodename, CONFIG_USER_NODENAME));
	CHECK_EQ("gethostname", gethostname(host, sizeof(host)), 0);
	CHECK("gethostname is the nodename", !strcmp(host, u.nodename));
	CHECK_EQ("gethostname into 3 bytes", gethostname(small, sizeof(small)), 0);
	CHECK("... cut", !memcmp(small, u.nodename, sizeof(small)));
	printf("posix: uname: %s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version,
	       u.machine);

	CHECK("getuid, geteuid, getgid, getegid: root",
	      getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
	CHECK_EQ("system(NULL): no shell", system(NULL), 0);
	errno = 0;
	CHECK_EQ("system(command)", system("posix_test exit 0"), -1);
	CHECK_EQ("... ENOSYS", errno, ENOSYS);
	CHECK("getcwd", getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"));
	errno = 0;
	CHECK("getcwd into 1 byte", getcwd(cwd, 1) == NULL);
	CHECK_EQ("... ERANGE", errno, ERANGE);
}

static void test_calls(void)
{
	test_jumps();
	test_stdio_calls();
	test_system_calls();
	printf("posix: calls: _setjmp, sigsetjmp, flockfile, *_unlocked, getline, isatty, sysconf, "
	       "uname, gethostname, getuid, getcwd\n");
}

/* ---- the children ---- */

static int child(int argc, char **argv)
{
	char line[256];
	int n = 0;

	if (!strcmp(argv[1], "env")) {
		for (int i = 2; i < argc; i++) {
			const char *v = getenv(argv[i]);

			if (v)
				printf("%s=%s\n", argv[i], v);
			else
				printf("%s unset\n", argv[i]);
		}
		return 0;
	}
	if (!strcmp(argv[1], "envc"))
		return env_count();
	if (!strcmp(argv[1], "count")) {
		while (fgets(line, sizeof(line), stdin))
			n++;
		return n;
	}
	if (!strcmp(argv[1], "lines") && argc > 2) {
		for (int i = 0; i < atoi(argv[2]); i++)
			printf("line %d\n", i);
		return 0;
	}
	if (!strcmp(argv[1], "exit") && argc > 2)
		return atoi(argv[2]);
	if (!strcmp(argv[1], "crash"))
		*(volatile int *)(uintptr_t)atoi("0") = 1;
	return 100;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return child(argc, argv);
	test_time();
	test_env();
	test_popen();
	test_calls();
	return check_report("posix");
}
