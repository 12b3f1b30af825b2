/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process calls picolibc needs: getpid, and kill, which picolibc's raise()
 * calls for a signal left at SIG_DFL -- so abort() and a failed assert()
 * end up here. The user and group ids (always 0). And what the system
 * is: sysconf, uname, gethostname.
 *
 * rvOS has no signals. A signal a process sends itself takes its default
 * action at once: SIGCHLD, SIGURG, SIGWINCH and SIGCONT are ignored, every
 * other signal ends the process with exit status 128 + the signal number
 * (the shells' convention: abort() exits with 134). Like _exit, this does
 * not flush stdio. A handler installed with signal() still runs: raise()
 * calls it without coming here.
 *
 * To another process, a signal can only be the kernel's kill, which ends a
 * child of the caller (rvOS's rule); signal 0, which only asks whether the
 * process exists, cannot be answered and fails with ENOSYS.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <rvos/user.h>

#define PAGE_BYTES 4096
#define POSIX_2008 200809L

pid_t getpid(void)
{
	return (pid_t)rv_getpid();
}

/* No users: every process runs as root (files keep the owners their
 * file system records). */
uid_t getuid(void)
{
	return 0;
}

uid_t geteuid(void)
{
	return 0;
}

gid_t getgid(void)
{
	return 0;
}

gid_t getegid(void)
{
	return 0;
}

static int ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

int kill(pid_t pid, int sig)
{
	long ret;

	if (sig < 0 || sig >= NSIG) {
		errno = EINVAL;
		return -1;
	}
	if (pid == 0 || pid == (pid_t)rv_getpid()) {
		/* 0 is the caller's process group: the caller alone. */
		if (sig == 0 || ignored_by_default(sig))
			return 0;
		_exit(128 + sig);
	}
	if (pid < 0) {
		/* Every process, or a process group: not ours to end. */
		errno = EPERM;
		return -1;
	}
	if (sig == 0) {
		errno = ENOSYS;
		return -1;
	}
	ret = rv_kill((int)pid);
	if (ret == 0)
		return 0;
	errno = ret == -RV_EPERM ? EPERM : ret == -RV_ESRCH ? ESRCH : EINVAL;
	return -1;
}

/* The kernel's free or total frames (4 KiB pages), -1 if it does not say. */
static long kernel_pages(int free)
{
	struct rv_kstats k;

	if (rv_kstats(&k) < 0)
		return -1;
	return (long)(free ? k.frames_free : k.frames_total);
}

/*
 * The limits and options programs ask for, from the configuration the
 * system was built with. A name not listed here: -1 and EINVAL
 * (doc/writing-an-app.md lists those answered).
 */
long sysconf(int name)
{
	switch (name) {
	case _SC_ARG_MAX: /* exec's bytes: arguments and environment */
		return CONFIG_SPAWN_ARGS_MAX_BYTES + CONFIG_SPAWN_ENV_MAX_BYTES;
	case _SC_CHILD_MAX:
		return CONFIG_MAX_PROCS;
	case _SC_CLK_TCK: /* times()'s unit (lib/src/time.c) */
		return CLOCKS_PER_SEC;
	case _SC_NGROUPS_MAX:
		return 0;
	case _SC_OPEN_MAX:
	case _SC_STREAM_MAX: /* every stream takes an fd */
		return CONFIG_USER_MAX_FDS;
	case _SC_PAGESIZE:
		return PAGE_BYTES;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN: /* the kernel runs on one hart */
		return 1;
	case _SC_PHYS_PAGES:
		return kernel_pages(0);
	case _SC_AVPHYS_PAGES:
		return kernel_pages(1);
	case _SC_HOST_NAME_MAX:
		return _UTSNAME_LENGTH - 1;
	case _SC_VERSION:
	case _SC_TIMERS: /* the options user.cmake announces (lib/src/time.c) */
	case _SC_MONOTONIC_CLOCK:
	case _SC_CLOCK_SELECTION:
	case _SC_CPUTIME:
	case _SC_THREAD_CPUTIME:
		return POSIX_2008;
	case _SC_JOB_CONTROL: /* options rvOS does not have */
	case _SC_SAVED_IDS:
		return -1;
	default:
		errno = EINVAL;
		return -1;
	}
}

/* Copy s into a utsname field, cut to fit. */
static void put_field(char field[_UTSNAME_LENGTH], const char *s)
{
	strncpy(field, s, _UTSNAME_LENGTH - 1);
	field[_UTSNAME_LENGTH - 1] = '\0';
}

int uname(struct utsname *name)
{
	if (!name) {
		errno = EFAULT;
		return -1;
	}
	put_field(name->sysname, "rvOS");
	put_field(name->nodename, CONFIG_USER_NODENAME);
	put_field(name->release, RVOS_VERSION);
	put_field(name->version, CONFIG_BOARD);
	put_field(name->machine, "riscv64");
	return 0;
}

/* POSIX: a name longer than len is cut, without a NUL. */
int gethostname(char *name, size_t len)
{
	size_t n = strlen(CONFIG_USER_NODENAME) + 1;

	memcpy(name, CONFIG_USER_NODENAME, n < len ? n : len);
	return 0;
}
