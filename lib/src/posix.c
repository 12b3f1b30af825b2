/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process calls picolibc needs: getpid, and kill, which picolibc's raise()
 * calls for a signal left at SIG_DFL -- so abort() and a failed assert()
 * end up here.
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
#include <sys/types.h>
#include <unistd.h>
#include <rvos/user.h>

pid_t getpid(void)
{
	return (pid_t)rv_getpid();
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
