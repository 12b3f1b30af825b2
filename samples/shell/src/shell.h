/* SPDX-License-Identifier: Apache-2.0 */
/* The shell's parts: the terminal and jobs (shell.c), the commands
 * (commands.c). doc/shell.md describes what a user sees. */
#ifndef SHELL_H
#define SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <rvos/ipc.h>
#include <rvos/lineedit.h>
#include <rvos/fssvc.h>
#include <rvos/service.h>

#include "parse.h"

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

/* A free job slot with the lowest free number, or NULL. */
struct job *job_alloc(void);
int process_pid(rv_handle_t proc);
/* Make proc the console's foreground process (Ctrl-C kills it), or none
 * (RV_HANDLE_INVALID). */
void shell_set_foreground(rv_handle_t proc, const char *name);
/* Wait for proc to end, reporting jobs that end meanwhile. */
void shell_wait(rv_handle_t proc);

/* The initrd's program names (NUL-terminated, back to back, *len bytes),
 * asked of init once. */
const char *shell_programs(size_t *len);

/* "exit status 3", "killed", "fault: ..." for a process that ended. */
void describe_exit(char *buf, size_t size, rv_handle_t proc);

/* One command line: parse it, run its commands (exec.c). */
void shell_execute(char *line);
/* A line typed at the terminal (dbg's commands): 1, or 0 at Ctrl-D. */
int shell_read_line(const char *prompt, char *buf, size_t size);
/* The debugger (dbg.c). */
int cmd_dbg(int argc, char **argv);

/* A builtin: its name and what it runs (commands.c). */
struct command {
	const char *name;
	const char *args; /* usage, after the name */
	const char *help;
	int (*run)(int argc, char **argv);
};

const struct command *command_find(const char *name);
void usage(const struct command *c);
/* Is name an initrd program (SVC_OP_PROGRAMS)? */
bool shell_is_program(const char *name);
/* Does this shell's connection to init hold the SVC_RIGHT_* right? */
bool shell_holds(uint32_t right);

/* Tab completion of command names and, after run, program names. */
void shell_complete(void *ctx, const char *line, size_t cursor, struct lineedit_completions *lc);

/* The line editor, for the history command. */
extern struct lineedit editor;

/* ---- builtins' input and output (io.c) ---- */

enum sh_io_kind {
	IO_CONSOLE, /* the terminal (output: stdout; input: none for builtins) */
	IO_FILE,    /* a node connection of the file server */
	IO_PIPE,    /* a channel end carrying raw bytes (RV_FD_PIPE) */
	IO_MEM,     /* memory: between two builtins of one pipeline */
};

struct sh_io {
	enum sh_io_kind kind;
	rv_handle_t h;          /* IO_FILE, IO_PIPE */
	int err;                /* the first write error; later writes do nothing */
	bool eof;
	char buf[CONFIG_MSG_MAX_BYTES]; /* output gathered; a pipe message read */
	size_t len, pos;
	char *mem;              /* IO_MEM: malloc'd, at most CONFIG_SHELL_PIPE_BYTES */
	size_t mem_len, mem_cap, mem_pos;
};

/* Where the builtin running now writes and reads. */
extern struct sh_io *sh_out, *sh_in;

void sh_io_init(struct sh_io *io, enum sh_io_kind kind, rv_handle_t h);
void sh_io_console(struct sh_io *io);
/* Flush, close the handle, free the memory; io is the terminal again. */
void sh_io_close(struct sh_io *io);
int sh_io_flush(struct sh_io *io);

/* A builtin's output (to sh_out): 0 or the first error (then the output
 * is gone: a closed pipe, a full disk). */
int sh_write(const void *data, size_t n);
int sh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A builtin's input (sh_in): bytes read, 0 at the end, or an error. */
long sh_read(void *buf, size_t size);

/* ---- files (io.c, files.c) ---- */

/* The root directory init gave the shell (root= in the manifest), or
 * RV_HANDLE_INVALID; the working directory's path below it. */
extern rv_handle_t sh_root;
extern char sh_cwd[FS_PATH_MAX + 1];

void sh_files_init(void);
/* path made absolute against the working directory into abs
 * (FS_PATH_MAX + 1 bytes). Prints "cmd: ..." and fails when there are no
 * files or the path is too long. */
int sh_resolve(const char *cmd, const char *path, char *abs);
/* The POSIX text of an RV_E* error ("No such file or directory"). */
const char *sh_strerror(int err);
/* Print "cmd: path: error". Returns err. */
int sh_file_error(const char *cmd, const char *path, int err);

/* The tracing builtins (trace.c). */
int cmd_trace(int argc, char **argv);
int cmd_ipclat(int argc, char **argv);
int cmd_schedlat(int argc, char **argv);

/* The file builtins (files.c). */
int cmd_ls(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_mv(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_mkdir(int argc, char **argv);
int cmd_rmdir(int argc, char **argv);
int cmd_touch(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_df(int argc, char **argv);
int cmd_pwd(int argc, char **argv);
int cmd_cd(int argc, char **argv);
int cmd_sync(int argc, char **argv);

/* Tab on a path: the directory entries that complete the word at
 * line[*start, cursor) (start moves to its last component). */
void sh_complete_path(const char *line, size_t *start, size_t cursor,
		      struct lineedit_completions *lc);
/* "in /bin: a b c" when there is a /bin (run's list). */
void sh_list_bin(void);
/* Tab on a command word: the files in /bin starting with prefix, but not
 * those skip says are offered already. */
void sh_complete_bin(const char *prefix, size_t plen, bool (*skip)(const char *name),
		     struct lineedit_completions *lc);

#endif /* SHELL_H */
