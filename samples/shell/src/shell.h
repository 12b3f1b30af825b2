/* SPDX-License-Identifier: Apache-2.0 */
/* The shell's parts: the terminal and jobs (shell.c), the commands
 * (commands.c). doc/shell.md describes what a user sees. */
#ifndef SHELL_H
#define SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <rvos/ipc.h>
#include <rvos/lineedit.h>
#include <rvos/service.h>

/* A background program ("run ... &"), until the shell has reported its end. */
struct job {
	bool used;
	int num;          /* [1], [2], ...: the lowest free number */
	int pid;
	rv_handle_t proc; /* READ | MANAGE | DUPLICATE | TRANSFER, from the loader */
	char name[SVC_NAME_MAX + 1];
};

extern struct job jobs[CONFIG_SHELL_MAX_JOBS];

/* Terminal output, in order with printf's (stdout is flushed first). */
void term_write(const char *s, size_t n);

/* Start argv[0] with argv[1..] through init's loader: in the foreground
 * (wait for it; Ctrl-C ends it) or as a job. Prints what happened. */
int shell_run(int argc, char **argv, bool background);

/* The initrd's program names (NUL-terminated, back to back, *len bytes),
 * asked of init once. */
const char *shell_programs(size_t *len);

/* "exit status 3", "killed", "fault: ..." for a process that ended. */
void describe_exit(char *buf, size_t size, rv_handle_t proc);

/* One command line: split into words, run the command. */
void shell_execute(char *line);

/* Tab completion of command names and, after run, program names. */
void shell_complete(void *ctx, const char *line, size_t cursor, struct lineedit_completions *lc);

/* The line editor, for the history command. */
extern struct lineedit editor;

#endif /* SHELL_H */
