/* SPDX-License-Identifier: Apache-2.0 */
/*
 * popen and pclose, on a pipe (lib/src/fd.c) and init's loader
 * (rv_loader_spawn_env).
 *
 * rvOS has no shell program to run `sh -c command`, so the command is a
 * program and its arguments, split at blanks: no quoting, variables,
 * redirection or pipelines. The program is an initrd name or a path in
 * the caller's root (as the loader takes them). The child gets the pipe
 * as its stdout ("r") or stdin ("w"), the caller's other two standard
 * streams, root, working directory and environment (no rights of init's:
 * popen children never hold any), and priority
 * CONFIG_DEFAULT_PRIORITY. pclose closes the stream (the child reads the
 * end of its input), waits for the child and returns its status as wait()
 * reports one (<sys/wait.h>: WEXITSTATUS for an exit, WTERMSIG for a
 * fault or a kill).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <rvos/fd.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "fd_internal.h"

#define BLANKS " \t\n"

/* The streams popen made and their children: at most one per fd. */
static struct {
	FILE *stream;
	rv_handle_t proc;
} popened[CONFIG_USER_MAX_FDS];

/* The command's words, in buf (its own copy), as argv: 0 or -RV_E*. */
static int split_command(const char *command, char *buf, const char **argv)
{
	unsigned int argc = 0;
	char *word, *save;

	if (strlen(command) >= CONFIG_SPAWN_ARGS_MAX_BYTES)
		return -RV_E2BIG;
	strcpy(buf, command);
	for (word = strtok_r(buf, BLANKS, &save); word; word = strtok_r(NULL, BLANKS, &save)) {
		if (argc == CONFIG_SPAWN_MAX_ARGS)
			return -RV_E2BIG;
		argv[argc++] = word;
	}
	argv[argc] = NULL;
	return argc ? 0 : -RV_EINVAL;
}

/* Hand the child fd as its standard stream `slot` (0..2): a duplicate of
 * the handle; the console needs none (a child's default). */
static int give_stream(struct rv_spawn_env *env, unsigned int slot, int fd)
{
	int ret = rv_fd_export(fd, &env->fd_kind[slot], &env->fd[slot]);

	if (ret == 0 && env->fd[slot] != RV_HANDLE_INVALID)
		env->mask |= RV_ENV_STDIN << slot;
	return ret == -RV_EBADF ? 0 : ret; /* a closed stream: the console */
}

/* Start argv[0] with child_fd as its standard stream `slot`; the other
 * two, the namespace and the environment are the caller's. */
static int start_child(const char *const *argv, unsigned int slot, int child_fd,
		       rv_handle_t *proc)
{
	struct rv_spawn_env env = {
		.program = argv[0],
		.argv = argv + 1,
		.priority = CONFIG_DEFAULT_PRIORITY,
		.cwd_path = rv_fd_cwd_path(),
	};
	int ret = 0;

	if (rv_fd_share_dir(rv_fd_root(), &env.root) == 0)
		env.mask |= RV_ENV_ROOT;
	if (rv_fd_share_dir(rv_fd_cwd(), &env.cwd) == 0)
		env.mask |= RV_ENV_CWD;
	for (unsigned int s = 0; s < 3 && ret == 0; s++)
		ret = give_stream(&env, s, s == slot ? child_fd : (int)s);
	if (ret < 0) {
		/* What env holds so far goes (rv_loader_spawn_env closes it
		 * on its own failures). */
		if (env.mask & RV_ENV_ROOT)
			rv_handle_close(env.root);
		if (env.mask & RV_ENV_CWD)
			rv_handle_close(env.cwd);
		for (unsigned int s = 0; s < 3; s++)
			if (env.mask & (RV_ENV_STDIN << s))
				rv_handle_close(env.fd[s]);
		return ret;
	}
	return rv_loader_spawn_env(&env, proc);
}

FILE *popen(const char *command, const char *mode)
{
	char words[CONFIG_SPAWN_ARGS_MAX_BYTES];
	const char *argv[CONFIG_SPAWN_MAX_ARGS + 1];
	int reading = mode && mode[0] == 'r', fds[2], slot, ret;
	unsigned int i;
	rv_handle_t proc;
	FILE *f;

	if (!command || !mode || (mode[0] != 'r' && mode[0] != 'w') ||
	    (mode[1] && strcmp(mode + 1, "e"))) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < CONFIG_USER_MAX_FDS && popened[i].stream; i++)
		;
	ret = i == CONFIG_USER_MAX_FDS ? -RV_EMFILE : split_command(command, words, argv);
	if (ret < 0) {
		fd_fail(ret);
		return NULL;
	}
	if (pipe(fds) < 0)
		return NULL;
	/* "r": the child writes fds[1], we read fds[0]; "w" the other way. */
	slot = reading ? 1 : 0;
	ret = start_child(argv, (unsigned int)slot, fds[reading ? 1 : 0], &proc);
	close(fds[reading ? 1 : 0]);
	if (ret < 0) {
		close(fds[reading ? 0 : 1]);
		fd_fail(ret);
		return NULL;
	}
	f = fdopen(fds[reading ? 0 : 1], reading ? "r" : "w");
	if (!f) {
		close(fds[reading ? 0 : 1]);
		rv_process_kill(proc);
		rv_handle_close(proc);
		return NULL;
	}
	popened[i].stream = f;
	popened[i].proc = proc;
	return f;
}

/* How the child ended, as a wait() status. */
static int wait_status(const struct rv_exit_info *info)
{
	if (info->reason == RV_EXIT_NORMAL)
		return (info->code & 0xff) << 8;
	if (info->reason == RV_EXIT_KILLED)
		return SIGKILL;
	/* A fault: scause 2 illegal instruction, 3 breakpoint, else memory. */
	return info->code == 2 ? SIGILL : info->code == 3 ? SIGTRAP : SIGSEGV;
}

int pclose(FILE *stream)
{
	struct rv_wait_item item = {.signals = RV_SIGNAL_EXITED};
	struct rv_exit_info info;
	unsigned int i;
	long ret;

	for (i = 0; i < CONFIG_USER_MAX_FDS && (!stream || popened[i].stream != stream); i++)
		;
	if (i == CONFIG_USER_MAX_FDS) {
		errno = ECHILD; /* not a stream popen made */
		return -1;
	}
	popened[i].stream = NULL;
	fclose(stream);
	item.handle = popened[i].proc;
	ret = rv_wait_many(&item, 1, RV_DEADLINE_NEVER);
	if (ret >= 0)
		ret = rv_process_exit_info(item.handle, &info);
	rv_handle_close(item.handle);
	if (ret < 0) {
		errno = ECHILD;
		return -1;
	}
	return wait_status(&info);
}
