/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Running a command line (doc/shell.md, "Pipelines and redirection"):
 * parse.c splits it into the commands of a pipeline and its redirections;
 * here each command is a builtin (run by the shell itself) or a program
 * (from the initrd, /bin, or a path), started by init's loader with an
 * environment (SVC_OP_SPAWN_ENV): the shell's root and working directory,
 * and stdin/stdout as files (RV_FD_FILE: node connections) or pipes
 * (RV_FD_PIPE: channel ends).
 *
 * Order, so that nothing waits forever: every program is started first,
 * the last one first (readers before writers); then the builtins before
 * the programs write into the first pipe (the programs read it), and the
 * builtins after them read the last pipe. Builtins next to each other run
 * one after the other, through memory. With builtins on both sides of the
 * programs, the first ones' output goes to memory and the shell pumps it
 * into the first pipe while it drains the last one into memory (one
 * wait_many), so neither end waits for the other; the last builtins then
 * read that. A builtin between two programs is refused (it would have to
 * run beside the pump).
 */
#include <stdio.h>
#include <string.h>
#include <rvos/fs.h>
#include <rvos/user.h>

#include "shell.h"

#define PATH_BYTES (FS_PATH_MAX + 1)

struct stage {
	const struct command *cmd; /* a builtin, or NULL: a program */
	int argc;
	char **argv;               /* argv[0]: as typed (run's word dropped) */
	char prog[PATH_BYTES];     /* the program: an initrd name or an absolute path */
	uint32_t rights;           /* run -c: SVC_RIGHT_* passed on to it */
	rv_handle_t proc;
};

static struct stage stages[SH_MAX_STAGES];
/* Between command i and i + 1: a channel (wr: i's end, rd: i + 1's) or
 * memory (wr only). Then the first command's input and the last one's
 * output. All static: each holds a message-sized buffer. */
static struct sh_io pipe_wr[SH_MAX_STAGES], pipe_rd[SH_MAX_STAGES];
static struct sh_io in_io, out_io;
static struct sh_io pump_src, pump_dst; /* builtins on both sides: see pump() */

/*
 * Write src's memory into the pipe wr while reading the pipe rd into dst's
 * memory, until src is all written (then wr is closed: its reader's end of
 * file) and rd's writer has closed its end. Nonblocking writes and reads
 * on one wait_many: the programs between wr and rd may need their output
 * read before they take more input.
 */
static void pump(struct sh_io *src, struct sh_io *wr, struct sh_io *rd, struct sh_io *dst)
{
	struct sh_io *old_out = sh_out;
	size_t off = 0;
	bool reading = true;

	sh_io_init(dst, IO_MEM, RV_HANDLE_INVALID);
	sh_out = dst;
	while (wr->h != RV_HANDLE_INVALID || reading) {
		struct rv_wait_item items[2];
		int wi = -1, ri = -1;
		uint32_t n = 0;

		if (wr->h != RV_HANDLE_INVALID && (off == src->mem_len || src->err)) {
			sh_io_close(wr); /* all written: the end of file */
			continue;
		}
		if (wr->h != RV_HANDLE_INVALID) {
			wi = (int)n;
			items[n++] = (struct rv_wait_item){
				.handle = wr->h, .signals = RV_SIGNAL_WRITABLE | RV_SIGNAL_PEER_CLOSED};
		}
		if (reading) {
			ri = (int)n;
			items[n++] = (struct rv_wait_item){
				.handle = rd->h, .signals = RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED};
		}
		if (rv_wait_many(items, n, RV_DEADLINE_NEVER) < 0)
			break;
		if (wi >= 0 && items[wi].observed) {
			size_t k = src->mem_len - off;
			struct rv_msg msg = {.bytes = src->mem + off};
			long ret;

			if (k > CONFIG_MSG_MAX_BYTES)
				k = CONFIG_MSG_MAX_BYTES;
			msg.num_bytes = (uint32_t)k;
			ret = rv_channel_write(wr->h, &msg, RV_IPC_NONBLOCK, 0);
			if (ret == 0)
				off += k;
			else if (ret != -RV_EAGAIN)
				sh_io_close(wr); /* the reader went away */
		}
		if (ri >= 0 && items[ri].observed) {
			rv_handle_t hs[CONFIG_MSG_MAX_HANDLES + 1];
			struct rv_msg msg = {.bytes = rd->buf, .num_bytes = sizeof(rd->buf),
					     .handles = hs, .num_handles = CONFIG_MSG_MAX_HANDLES};
			long ret = rv_channel_read(rd->h, &msg, RV_IPC_NONBLOCK, 0);

			if (ret == 0) {
				for (uint32_t i = 0; i < msg.num_handles; i++)
					rv_handle_close(hs[i]);
				sh_write(rd->buf, msg.num_bytes);
			} else if (ret != -RV_EAGAIN) {
				reading = false; /* the writer closed its end */
			}
		}
	}
	if (wr->h != RV_HANDLE_INVALID)
		sh_io_close(wr);
	sh_io_close(rd);
	sh_io_close(src);
	sh_out = old_out;
	dst->mem_pos = 0;
}

/*
 * Where the program name is: an initrd program, else /bin/name on the
 * disk; a name with a '/' is a path from the working directory. 0 and the
 * program in prog, or an error after printing why.
 */
static int find_program(const char *cmd, const char *name, char *prog)
{
	struct fs_stat st;
	int ret;

	if (!strchr(name, '/')) {
		if (shell_is_program(name)) {
			snprintf(prog, PATH_BYTES, "%s", name);
			return 0;
		}
		if (sh_root != RV_HANDLE_INVALID && strlen(name) <= FS_NAME_MAX) {
			snprintf(prog, PATH_BYTES, "/bin/%s", name);
			if (fs_statat(sh_root, prog, 0, &st) == 0 &&
			    (st.mode & FS_S_IFMT) == FS_S_IFREG)
				return 0;
		}
		if (cmd)
			printf("%s: no program '%s' in the initrd or /bin ('run' lists them)\n", cmd,
			       name);
		else
			printf("%s: unknown command ('help' lists them)\n", name);
		return -RV_ENOENT;
	}
	if ((ret = sh_resolve(cmd ? cmd : "shell", name, prog)) < 0)
		return ret;
	ret = fs_statat(sh_root, prog, 0, &st);
	if (ret == 0 && (st.mode & FS_S_IFMT) == FS_S_IFDIR)
		ret = -RV_EISDIR;
	else if (ret == 0 && (st.mode & FS_S_IFMT) != FS_S_IFREG)
		ret = -RV_EACCES;
	if (ret < 0)
		return sh_file_error(cmd ? cmd : "shell", name, ret);
	return 0;
}

/* The redirection's file: opened into io. */
static int open_redirect(struct sh_io *io, const char *path, uint32_t flags)
{
	char abs[PATH_BYTES];
	uint32_t mode;
	rv_handle_t h;
	int ret;

	if ((ret = sh_resolve("shell", path, abs)) < 0)
		return ret;
	ret = fs_open(sh_root, abs, flags, 0644, &h, &mode);
	if (ret == 0 && (mode & FS_S_IFMT) == FS_S_IFDIR) {
		rv_handle_close(h);
		ret = -RV_EISDIR;
	}
	if (ret < 0)
		return sh_file_error("shell", path, ret);
	sh_io_init(io, IO_FILE, h);
	return 0;
}

/* The environment's handle for io, moved out of it (io is the terminal
 * afterwards): 0 and the bit it sets, or 0 and nothing for the terminal. */
static uint32_t give_io(struct sh_io *io, rv_handle_t *h, uint32_t *kind, uint32_t bit)
{
	if (io->kind != IO_FILE && io->kind != IO_PIPE)
		return 0;
	*h = io->h;
	*kind = io->kind == IO_FILE ? RV_FD_FILE : RV_FD_PIPE;
	io->h = RV_HANDLE_INVALID;
	sh_io_console(io);
	return bit;
}

/* Start stage s's program with stdin/stdout from in/out (moved). */
static int start_program(struct stage *s, struct sh_io *in, struct sh_io *out)
{
	struct rv_spawn_env env = {
		.program = s->prog,
		.argv = (const char *const *)s->argv + 1,
		.priority = CONFIG_SHELL_PROGRAM_PRIORITY,
		.cwd_path = sh_cwd,
		.rights = s->rights,
	};
	int ret;

	env.mask |= give_io(in, &env.fd[0], &env.fd_kind[0], RV_ENV_STDIN);
	env.mask |= give_io(out, &env.fd[1], &env.fd_kind[1], RV_ENV_STDOUT);
	if (sh_root != RV_HANDLE_INVALID) {
		/* Its own connections to the shell's root and working directory. */
		if (fs_clone(sh_root, FS_RIGHTS_ALL, &env.root) == 0)
			env.mask |= RV_ENV_ROOT;
		if (fs_open(sh_root, sh_cwd, FS_O_READ | FS_O_WRITE | FS_O_DIRECTORY, 0, &env.cwd,
			    NULL) == 0 ||
		    fs_open(sh_root, sh_cwd, FS_O_READ | FS_O_DIRECTORY, 0, &env.cwd, NULL) == 0)
			env.mask |= RV_ENV_CWD;
	}
	ret = rv_loader_spawn_env(&env, &s->proc);
	if (ret < 0) {
		s->proc = RV_HANDLE_INVALID;
		if (ret == -RV_ENOENT)
			printf("%s: not found\n", s->argv[0]);
		else if (ret == -RV_ENOSPC)
			printf("%s: init has no room for another program "
			       "(CONFIG_INIT_MAX_CHILDREN)\n", s->argv[0]);
		else if (ret == -RV_E2BIG)
			printf("%s: the arguments or the environment are too long\n", s->argv[0]);
		else if (ret == -RV_ENOEXEC)
			printf("%s: not a program (%s)\n", s->argv[0], sh_strerror(ret));
		else if (ret == -RV_EPERM && !shell_holds(SVC_RIGHT_SPAWN))
			printf("%s: not permitted: this shell may not start programs "
			       "(control=spawn)\n", s->argv[0]);
		else if (ret == -RV_EPERM && s->rights)
			printf("%s: not permitted: -c passes on rights this shell does not hold\n",
			       s->argv[0]);
		else
			printf("%s: %s\n", s->argv[0], sh_strerror(ret));
	}
	return ret;
}

/* Run a builtin with sh_in/sh_out set; flush its output. */
static void run_builtin(struct stage *s, struct sh_io *in, struct sh_io *out)
{
	struct sh_io *old_in = sh_in, *old_out = sh_out;

	sh_in = in;
	sh_out = out;
	s->cmd->run(s->argc, s->argv);
	sh_io_flush(out);
	/* A reader that went away is no news (as SIGPIPE is silent). */
	if (out->kind == IO_MEM && out->err == -RV_EFBIG)
		printf("%s: the output is cut at %d bytes (CONFIG_SHELL_PIPE_BYTES: builtin to "
		       "builtin)\n", s->argv[0], CONFIG_SHELL_PIPE_BYTES);
	else if (out->err && out->err != -RV_EPEERCLOSED && out->kind != IO_CONSOLE)
		printf("%s: writing the output: %s\n", s->argv[0], sh_strerror(out->err));
	sh_in = old_in;
	sh_out = old_out;
}

static void start_job(struct stage *s, struct job *j)
{
	j->used = true;
	j->proc = s->proc;
	j->pid = process_pid(s->proc);
	snprintf(j->name, sizeof(j->name), "%s", sh_path_base(s->argv[0]));
	printf("[%d] %d %s\n", j->num, j->pid, j->name);
}

/* Every program of the pipeline, waited for, the last one first (the one
 * Ctrl-C ends); when one is killed, the others are too. */
static void wait_programs(int n)
{
	bool killed = false;
	char how[96];

	for (int i = n - 1; i >= 0; i--) {
		struct stage *s = &stages[i];

		if (s->cmd || s->proc == RV_HANDLE_INVALID)
			continue;
		if (killed) {
			rv_process_kill(s->proc);
		} else {
			shell_set_foreground(s->proc, s->argv[0]);
		}
		shell_wait(s->proc);
		if (!killed) {
			struct rv_exit_info info;

			killed = rv_process_exit_info(s->proc, &info) == 0 &&
				 info.reason != RV_EXIT_NORMAL;
		}
	}
	shell_set_foreground(RV_HANDLE_INVALID, NULL);
	for (int i = 0; i < n; i++) {
		struct stage *s = &stages[i];

		if (s->cmd || s->proc == RV_HANDLE_INVALID)
			continue;
		describe_exit(how, sizeof(how), s->proc);
		printf("%s: %s\n", s->argv[0], how);
		rv_handle_close(s->proc);
		s->proc = RV_HANDLE_INVALID;
	}
}

static void run_line(const struct sh_cmdline *cl)
{
	int n = cl->nstages, first_prog = -1, last_prog = -1;
	struct job *job = NULL;
	bool both;
	int ret = 0;

	/* What each command is. */
	for (int i = 0; i < n; i++) {
		struct stage *s = &stages[i];

		s->argc = cl->stage[i].argc;
		s->argv = cl->stage[i].argv;
		s->proc = RV_HANDLE_INVALID;
		s->rights = 0;
		s->cmd = command_find(s->argv[0]);
		if (s->cmd && !strcmp(s->argv[0], "run") && s->argc > 1) {
			s->cmd = NULL; /* run PROGRAM: the program */
			s->argc--;
			s->argv++;
			if (!strcmp(s->argv[0], "-c") && s->argc < 3) {
				usage(command_find("run"));
				return;
			}
			if (!strcmp(s->argv[0], "-c")) {
				/* run -c RIGHTS PROGRAM: the rights the manifest's
				 * control= names, passed on to it. */
				if (svc_rights_parse(s->argv[1], strlen(s->argv[1]), &s->rights) < 0) {
					printf("run: -c '%s': want all or spawn, process, kill, "
					       "shutdown joined by +\n", s->argv[1]);
					return;
				}
				s->argc -= 2;
				s->argv += 2;
			}
			if (find_program("run", s->argv[0], s->prog) < 0)
				return;
		} else if (!s->cmd && find_program(NULL, s->argv[0], s->prog) < 0) {
			return;
		}
		if (!s->cmd) {
			if (first_prog < 0)
				first_prog = i;
			else if (last_prog != i - 1)
				goto between;
			last_prog = i;
		}
	}
	for (int i = first_prog + 1; first_prog >= 0 && i < last_prog; i++)
		if (stages[i].cmd)
			goto between;
	both = first_prog > 0 && last_prog >= 0 && last_prog < n - 1;
	if (cl->background) {
		if (n > 1) {
			printf("shell: a pipeline cannot go in the background (&)\n");
			return;
		}
		if (stages[0].cmd) {
			if (!strcmp(stages[0].argv[0], "run"))
				usage(stages[0].cmd);
			else
				printf("shell: '%s' is a command of the shell: only programs go in "
				       "the background (&)\n", stages[0].argv[0]);
			return;
		}
		if (!(job = job_alloc())) {
			printf("run: %d programs run in the background already "
			       "(CONFIG_SHELL_MAX_JOBS)\n", CONFIG_SHELL_MAX_JOBS);
			return;
		}
	}

	/* The redirections, then the pipes. */
	sh_io_console(&in_io);
	sh_io_console(&out_io);
	if (cl->in_path && open_redirect(&in_io, cl->in_path, FS_O_READ) < 0)
		return;
	if (cl->out_path &&
	    open_redirect(&out_io, cl->out_path, FS_O_WRITE | FS_O_CREAT |
			  (cl->append ? FS_O_APPEND : FS_O_TRUNC)) < 0)
		goto out;
	for (int i = 0; i + 1 < n; i++) {
		rv_handle_t ends[2];

		if (stages[i].cmd && stages[i + 1].cmd) {
			sh_io_init(&pipe_wr[i], IO_MEM, RV_HANDLE_INVALID);
			sh_io_console(&pipe_rd[i]);
			continue;
		}
		if ((ret = (int)rv_channel_create(ends)) < 0) {
			printf("shell: no pipe: %s\n", sh_strerror(ret));
			for (int k = 0; k < i; k++) {
				sh_io_close(&pipe_wr[k]);
				sh_io_close(&pipe_rd[k]);
			}
			goto out;
		}
		sh_io_init(&pipe_wr[i], IO_PIPE, ends[0]);
		sh_io_init(&pipe_rd[i], IO_PIPE, ends[1]);
	}

	/* The programs, readers first. */
	for (int i = n - 1; i >= 0 && ret == 0; i--) {
		if (!stages[i].cmd)
			ret = start_program(&stages[i], i ? &pipe_rd[i - 1] : &in_io,
					    i + 1 < n ? &pipe_wr[i] : &out_io);
	}
	if (ret < 0) {
		for (int i = 0; i < n; i++)
			if (stages[i].proc != RV_HANDLE_INVALID)
				rv_process_kill(stages[i].proc);
	} else if (job) {
		start_job(&stages[0], job);
		goto out;
	} else if (last_prog >= 0) {
		shell_set_foreground(stages[last_prog].proc, stages[last_prog].argv[0]);
	}

	/* The builtins, in order: memory between two of them, the pipes
	 * next to a program. */
	for (int i = 0; i < n && ret == 0; i++) {
		struct sh_io *in, *out;

		if (!stages[i].cmd)
			continue;
		in = i == 0 ? &in_io : pipe_rd[i - 1].kind != IO_CONSOLE ? &pipe_rd[i - 1] :
		     &pipe_wr[i - 1];
		if (both && i == last_prog + 1) {
			pump(&pump_src, &pipe_wr[first_prog - 1], &pipe_rd[last_prog], &pump_dst);
			in = &pump_dst;
		}
		if (in->kind == IO_MEM)
			in->mem_pos = 0;
		out = i + 1 < n ? &pipe_wr[i] : &out_io;
		if (both && i == first_prog - 1) {
			sh_io_init(&pump_src, IO_MEM, RV_HANDLE_INVALID);
			out = &pump_src;
		}
		run_builtin(&stages[i], in, out);
		/* Done with both: a pipe's reader sees the end now. */
		if (in != &in_io)
			sh_io_close(in);
		if (out != &out_io && out->kind == IO_PIPE)
			sh_io_close(out);
	}
	if (ret == 0)
		wait_programs(n);
	else
		for (int i = 0; i < n; i++)
			if (stages[i].proc != RV_HANDLE_INVALID) {
				shell_wait(stages[i].proc);
				rv_handle_close(stages[i].proc);
				stages[i].proc = RV_HANDLE_INVALID;
			}
	for (int i = 0; i + 1 < n; i++) {
		sh_io_close(&pipe_wr[i]);
		sh_io_close(&pipe_rd[i]);
	}
out:
	sh_io_close(&in_io);
	sh_io_close(&out_io);
	return;
between:
	printf("shell: commands of the shell go before or after the programs of a pipeline, "
	       "not between them\n");
}

/* The commands of a line, one after the other ("a; b"): all are parsed
 * first, so a mistake anywhere runs nothing. */
void shell_execute(char *line)
{
	static char store[SH_PARSE_STORE(CONFIG_SHELL_LINE_MAX)];
	char *words[CONFIG_SHELL_MAX_ARGS + SH_MAX_STAGES];
	struct sh_cmdline cl;
	char err[96];

	for (int pass = 0; pass < 2; pass++) {
		for (char *p = line;;) {
			size_t n = sh_command_length(p);
			char sep = p[n];

			p[n] = '\0';
			if (sh_parse(p, store, words, CONFIG_SHELL_MAX_ARGS, &cl, err,
				     sizeof(err)) < 0) {
				printf("shell: %s\n", err);
				return;
			}
			if (pass == 1 && cl.nstages > 0) {
				run_line(&cl);
				fflush(stdout);
			}
			p[n] = sep;
			if (!sep)
				break;
			p += n + 1;
		}
	}
}
