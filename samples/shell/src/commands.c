/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shell's commands: the builtins (the file ones are in files.c) and Tab
 * completion (doc/shell.md lists them). What a command prints goes through
 * sh_printf (to the terminal, a file or a pipe); mistakes are printf'd to
 * the terminal.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/console.h>
#include <rvos/fs.h>
#include <rvos/mathsvc.h>
#include <rvos/service.h>
#include <rvos/sysinfosvc.h>
#include <rvos/user.h>
#include <rvos/wire.h>

#include "shell.h"

#define NS_PER_MS 1000000ull

static int cmd_help(int argc, char **argv);
static int cmd_echo(int argc, char **argv);
static int cmd_ps(int argc, char **argv);
static int cmd_mem(int argc, char **argv);
static int cmd_jobs(int argc, char **argv);
static int cmd_kill(int argc, char **argv);
static int cmd_run(int argc, char **argv);
static int cmd_math(int argc, char **argv);
static int cmd_uptime(int argc, char **argv);
static int cmd_history(int argc, char **argv);
static int cmd_env(int argc, char **argv);
static int cmd_export(int argc, char **argv);
static int cmd_unset(int argc, char **argv);
static int cmd_shutdown(int argc, char **argv);

static const struct command commands[] = {
	{"help", "[COMMAND]", "what the commands do", cmd_help},
	{"echo", "[WORD...]", "print the words", cmd_echo},
	{"ps", "", "the processes", cmd_ps},
	{"mem", "", "memory in use", cmd_mem},
	{"jobs", "", "programs running in the background", cmd_jobs},
	{"kill", "PID|%JOB", "end a program (a service is restarted by init)", cmd_kill},
	{"run", "[-c RIGHTS] PROGRAM [ARG...] [&]",
	 "start a program: initrd, /bin, path (& background; -c: pass rights on)", cmd_run},
	{"ls", "[-l] [-a] [PATH...]", "list a directory (-l: mode, links, size, time)", cmd_ls},
	{"cat", "[FILE...]", "print files (none: the input, from < or a pipe)", cmd_cat},
	{"cp", "SRC... DEST", "copy files", cmd_cp},
	{"mv", "SRC... DEST", "move or rename files and directories", cmd_mv},
	{"rm", "[-r] PATH...", "remove files (-r: directories and all below)", cmd_rm},
	{"mkdir", "[-p] DIR...", "make directories (-p: the parents too)", cmd_mkdir},
	{"rmdir", "DIR...", "remove empty directories", cmd_rmdir},
	{"touch", "FILE...", "make empty files", cmd_touch},
	{"stat", "PATH...", "everything about a file", cmd_stat},
	{"df", "", "the mounted file systems: size, use, inodes", cmd_df},
	{"pwd", "", "the working directory", cmd_pwd},
	{"cd", "[DIR]", "change the working directory (default /)", cmd_cd},
	{"sync", "", "write every file system's changes to its disk", cmd_sync},
	{"math", "A OP B", "ask the math service (OP: + - * /)", cmd_math},
	{"uptime", "", "time since boot, kernel counters, console input lost", cmd_uptime},
	{"trace", "[start|stop|dump]", "the kernel's trace ring: state, record, stop, print",
	 cmd_trace},
	{"ipclat", "", "channel_call round-trip latency per channel (traced)", cmd_ipclat},
	{"schedlat", "", "ready-to-running latency per priority, timer latency (traced)",
	 cmd_schedlat},
	{"dbg", "PROGRAM [ARG...]",
	 "debug a program from its first instruction (b, c, s, regs, x, bt, q)", cmd_dbg},
	{"history", "", "the lines Up and Down recall", cmd_history},
	{"env", "", "the environment programs get", cmd_env},
	{"export", "NAME=VALUE...", "set variables of the environment", cmd_export},
	{"unset", "NAME...", "remove variables from the environment", cmd_unset},
	{"shutdown", "[STATUS]", "power off (init ends with STATUS, default 0)", cmd_shutdown},
};

#define NUM_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < NUM_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

void usage(const struct command *c)
{
	printf("usage: %s%s%s\n", c->name, c->args[0] ? " " : "", c->args);
}

/* ---- completion ---- */

static bool offered_already(const char *name)
{
	return command_find(name) || shell_is_program(name);
}

void shell_complete(void *ctx, const char *line, size_t cursor, struct lineedit_completions *lc)
{
	enum sh_complete_kind kind;
	const char *word, *progs;
	size_t len, plen;

	/* From the word's beginning (the editor's start for a second Tab's
	 * listing is where the first one left it, past a path's directory). */
	lc->start = cursor;
	while (lc->start > 0 && line[lc->start - 1] != ' ')
		lc->start--;
	kind = sh_complete_kind(line, &lc->start, cursor);
	word = line + lc->start;
	len = cursor - lc->start;

	switch (kind) {
	case SH_COMPLETE_PATH:
		sh_complete_path(line, &lc->start, cursor, lc);
		return;
	case SH_COMPLETE_COMMAND:
	case SH_COMPLETE_HELP:
		for (size_t k = 0; k < NUM_COMMANDS; k++)
			if (!strncmp(commands[k].name, word, len))
				lineedit_add_completion(lc, commands[k].name);
		if (kind == SH_COMPLETE_HELP)
			return;
		__attribute__((fallthrough)); /* the programs are commands too */
	case SH_COMPLETE_PROGRAM:
		progs = shell_programs(&plen);
		for (size_t off = 0; off < plen; off += strlen(progs + off) + 1)
			if (!strncmp(progs + off, word, len) && !command_find(progs + off))
				lineedit_add_completion(lc, progs + off);
		sh_complete_bin(word, len, offered_already, lc);
	}
}

/* ---- the commands ---- */

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc > 2) {
		usage(command_find("help"));
		return -1;
	}
	if (argc == 2) {
		c = command_find(argv[1]);
		if (!c) {
			printf("help: no command '%s'\n", argv[1]);
			return -1;
		}
		usage(c);
		sh_printf("  %s\n", c->help);
		return 0;
	}
	for (size_t i = 0; i < NUM_COMMANDS; i++) {
		char name[40];

		snprintf(name, sizeof(name), "%s %s", commands[i].name, commands[i].args);
		sh_printf("  %-26s %s\n", name, commands[i].help);
	}
	sh_printf("Keys: Left Right Home End Backspace Delete, Up Down (history), Tab, Ctrl-C\n");
	return 0;
}

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		sh_printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	sh_printf("\n");
	return 0;
}

/* ---- services: one connection each, made again when the server restarts ---- */

struct svc_conn {
	const char *name;
	rv_handle_t h;
};

static struct svc_conn math_svc = {MATH_SERVICE_NAME, RV_HANDLE_INVALID};
static struct svc_conn sysinfo_svc = {SYSINFO_SERVICE_NAME, RV_HANDLE_INVALID};

/* A channel to the service, or a negative error (-RV_ENOENT: not running).
 * A service that is not registered may be restarting (init restarts a
 * service that ended, whoever killed it): wait a little for it. */
static int svc_get(struct svc_conn *c, rv_handle_t *h)
{
	if (c->h == RV_HANDLE_INVALID) {
		int ret = rv_connect_wait(c->name, &c->h,
					  rv_clock_ns() + CONFIG_SHELL_RECONNECT_MS * NS_PER_MS);

		if (ret < 0) {
			c->h = RV_HANDLE_INVALID;
			return ret;
		}
	}
	*h = c->h;
	return 0;
}

/* A call failed with ret: forget a closed connection; true if the call is
 * worth one more try (the server ended; init restarts it). */
static bool svc_retry(struct svc_conn *c, int ret)
{
	if (ret != -RV_EPEERCLOSED)
		return false;
	rv_handle_close(c->h);
	c->h = RV_HANDLE_INVALID;
	return true;
}

static void svc_error(const char *cmd, const char *name, int ret)
{
	if (ret == -RV_ENOENT)
		printf("%s: the %s service is not running\n", cmd, name);
	else
		printf("%s: %s service: %s\n", cmd, name, rv_strerror(ret));
}

#define PS_PAGE 8 /* records asked of sysinfo at a time */

/* One page of processes from slot start on: how many, and *next. */
static int ps_page(uint32_t start, struct rv_proc_info *p, uint32_t *next)
{
	rv_handle_t h;
	int ret;

	for (int attempt = 0;; attempt++) {
		ret = svc_get(&sysinfo_svc, &h);
		if (ret == 0)
			ret = sysinfo_procs_page(h, start, p, PS_PAGE, next);
		if (ret >= 0 || attempt || !svc_retry(&sysinfo_svc, ret))
			return ret;
	}
}

static int cmd_ps(int argc, char **argv)
{
	struct rv_proc_info p[PS_PAGE];
	uint32_t start = 0, next = 0;
	int n;

	if (argc != 1) {
		usage(command_find("ps"));
		return -1;
	}
	sh_printf("  PID  PPID STATE  PRI   CPU ms  MEM KiB  HANDLES  NAME\n");
	do {
		n = ps_page(start, p, &next);
		if (n < 0) {
			svc_error("ps", SYSINFO_SERVICE_NAME, n);
			return n;
		}
		for (int i = 0; i < n; i++) {
			const char *mark = "";

			for (int k = 0; k < CONFIG_SHELL_MAX_JOBS; k++)
				if (jobs[k].used && jobs[k].pid == p[i].pid)
					mark = " &";
			if (p[i].pid == rv_getpid())
				mark = " (this shell)";
			sh_printf("%5d %5d %-6s %3u %8llu %8llu %8u  %s%s\n", (int)p[i].pid,
			       (int)p[i].parent_pid, sysinfo_state_name(p[i].state),
			       (unsigned int)p[i].priority,
			       (unsigned long long)(p[i].cpu_ns / NS_PER_MS),
			       (unsigned long long)(p[i].user_pages + p[i].shm_pages) * 4,
			       (unsigned int)p[i].handles, p[i].name, mark);
		}
		start = next;
	} while (next != SYSINFO_END);
	return 0;
}

static unsigned long long kib(uint64_t frames)
{
	return (unsigned long long)frames * 4;
}

static int cmd_mem(int argc, char **argv)
{
	struct sysinfo_memory m;
	rv_handle_t h;
	int ret;

	if (argc != 1) {
		usage(command_find("mem"));
		return -1;
	}
	for (int attempt = 0;; attempt++) {
		ret = svc_get(&sysinfo_svc, &h);
		if (ret == 0)
			ret = sysinfo_memory(h, &m);
		if (ret >= 0 || attempt || !svc_retry(&sysinfo_svc, ret))
			break;
	}
	if (ret < 0) {
		svc_error("mem", SYSINFO_SERVICE_NAME, ret);
		return ret;
	}
	sh_printf("memory: %llu KiB, %llu KiB free, %llu KiB used\n", kib(m.frames_total),
	       kib(m.frames_free), kib(m.frames_total - m.frames_free));
	sh_printf("  user pages %llu KiB, page tables %llu KiB, kernel stacks %llu KiB, "
	       "kernel pools %llu KiB\n",
	       kib(m.user), kib(m.page_tables), kib(m.kernel_stacks), kib(m.kernel_pools));
	return 0;
}

static int cmd_jobs(int argc, char **argv)
{
	int n = 0;

	if (argc != 1) {
		usage(command_find("jobs"));
		return -1;
	}
	for (int i = 0; i < CONFIG_SHELL_MAX_JOBS; i++) {
		if (!jobs[i].used)
			continue;
		sh_printf("[%d] %d %s running\n", jobs[i].num, jobs[i].pid, jobs[i].name);
		n++;
	}
	if (!n)
		sh_printf("no background programs\n");
	return 0;
}

/* A whole decimal number in [min, max]; false if the word is anything else. */
static bool parse_int(const char *s, long long min, long long max, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return *s && !isspace((unsigned char)*s) && !*end && errno == 0 && *v >= min && *v <= max;
}

static int cmd_kill(int argc, char **argv)
{
	char name[SVC_NAME_MAX + 1];
	long long v;
	int ret;

	if (argc != 2) {
		usage(command_find("kill"));
		return -1;
	}
	if (argv[1][0] == '%') {
		if (!parse_int(argv[1] + 1, 1, INT32_MAX, &v)) {
			printf("kill: '%s' is not a job number (%%1, %%2, ...)\n", argv[1]);
			return -1;
		}
		for (int i = 0; i < CONFIG_SHELL_MAX_JOBS; i++)
			if (jobs[i].used && jobs[i].num == v)
				return (int)rv_process_kill(jobs[i].proc);
		printf("kill: no job %%%lld ('jobs' lists them)\n", v);
		return -1;
	}
	if (!parse_int(argv[1], 1, INT32_MAX, &v)) {
		printf("kill: '%s' is not a pid\n", argv[1]);
		return -1;
	}
	/* A job of ours: its end is reported like any job's. */
	for (int i = 0; i < CONFIG_SHELL_MAX_JOBS; i++)
		if (jobs[i].used && jobs[i].pid == v)
			return (int)rv_process_kill(jobs[i].proc);
	if (v == rv_getpid()) {
		printf("kill: %lld is this shell ('shutdown' powers off)\n", v);
		return -1;
	}
	/* Else one of init's: the manifest's services and programs. */
	ret = rv_init_kill((int)v, name, sizeof(name));
	if (ret == 0)
		printf("kill: %lld (%s) killed\n", v, name);
	else if (ret == -RV_ESRCH)
		printf("kill: no process %lld that this shell or init started\n", v);
	else if (ret == -RV_EPERM && !shell_holds(SVC_RIGHT_KILL))
		printf("kill: not permitted: this shell holds no kill right (control=kill)\n");
	else if (ret == -RV_EPERM)
		printf("kill: %lld is init: it cannot be killed\n", v);
	else
		printf("kill: %lld: %s\n", v, rv_strerror(ret));
	return ret;
}

bool shell_holds(uint32_t right)
{
	uint32_t rights;

	return rv_init_rights(&rights) == 0 && (rights & right);
}

/* run alone: its usage and the programs there are. run with a program is
 * started by exec.c like a program typed by name. */
static int cmd_run(int argc, char **argv)
{
	const char *progs;
	size_t plen;

	usage(command_find("run"));
	progs = shell_programs(&plen);
	sh_printf("programs:");
	for (size_t off = 0; off < plen; off += strlen(progs + off) + 1)
		sh_printf(" %s", progs + off);
	sh_printf("\n");
	sh_list_bin();
	return -1;
}

/* ---- math ---- */

static int math_call(uint32_t op, int64_t a, int64_t b, int64_t *res)
{
	uint8_t buf[WIRE_HEADER_SIZE + 2 * WIRE_I64_SIZE], rbuf[CONFIG_MSG_MAX_BYTES];
	rv_handle_t rhs[CONFIG_MSG_MAX_HANDLES + 1], h;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	int ret;

	for (int attempt = 0;; attempt++) {
		ret = svc_get(&math_svc, &h);
		if (ret < 0)
			return ret;
		wire_init_request(&w, buf, sizeof(buf), NULL, 0, op);
		wire_put_i64(&w, a);
		wire_put_i64(&w, b);
		ret = rv_service_call(h, &w, &r, op, rbuf, rhs, &reply);
		if (ret >= 0 || attempt || !svc_retry(&math_svc, ret))
			break;
	}
	if (ret < 0)
		return ret;
	wire_get_i64(&r, res);
	return wire_end(&r);
}

static int cmd_math(int argc, char **argv)
{
	static const char ops[] = "+-*/";
	static const char *const op_names[] = {"+", "-", "*", "/"};
	long long a, b;
	int64_t res;
	const char *op;
	int ret;

	if (argc != 4 || strlen(argv[2]) != 1 || !(op = strchr(ops, argv[2][0]))) {
		usage(command_find("math"));
		printf("  e.g. math 6 * 7 (OP: + - * /; A and B: 64-bit integers)\n");
		return -1;
	}
	if (!parse_int(argv[1], INT64_MIN, INT64_MAX, &a) ||
	    !parse_int(argv[3], INT64_MIN, INT64_MAX, &b)) {
		printf("math: '%s' is not a 64-bit integer\n",
		       parse_int(argv[1], INT64_MIN, INT64_MAX, &a) ? argv[3] : argv[1]);
		return -1;
	}
	ret = math_call(MATH_OP_ADD + (uint32_t)(op - ops), a, b, &res);
	if (ret == 0)
		sh_printf("%lld %s %lld = %lld\n", a, op_names[op - ops], b, (long long)res);
	else if (ret == -RV_EINVAL)
		printf("math: division by zero\n");
	else if (ret == -RV_ERANGE)
		printf("math: the result does not fit in 64 bits\n");
	else
		svc_error("math", MATH_SERVICE_NAME, ret);
	return ret;
}

/* ---- the rest ---- */

static int cmd_uptime(int argc, char **argv)
{
	uint64_t ms = rv_clock_ns() / NS_PER_MS;
	rv_handle_t con = console_handle();
	struct console_stats cs = {0};
	struct rv_kstats k;
	bool have_k;

	if (argc != 1) {
		usage(command_find("uptime"));
		return -1;
	}
	sh_printf("up %llu:%02llu:%02llu.%03llu", (unsigned long long)(ms / 3600000),
	       (unsigned long long)(ms / 60000 % 60), (unsigned long long)(ms / 1000 % 60),
	       (unsigned long long)(ms % 1000));
	have_k = rv_kstats(&k) == 0;
	if (have_k)
		sh_printf(", %llu processes, %llu system calls, %llu context switches",
		       (unsigned long long)k.procs_used, (unsigned long long)k.syscalls,
		       (unsigned long long)k.context_switches);
	sh_printf("\n");
	/* Input lost in the kernel and in the console server (doc/console.md). */
	if (have_k && (con == RV_HANDLE_INVALID || console_stats(con, &cs) == 0))
		sh_printf("console input lost: %llu bytes\n",
			  (unsigned long long)(k.console_input_lost + cs.lost_overrun + cs.lost_line));
	return 0;
}

static int cmd_history(int argc, char **argv)
{
	size_t n = lineedit_history_count(&editor);

	if (argc != 1) {
		usage(command_find("history"));
		return -1;
	}
	for (size_t i = n; i > 0; i--)
		sh_printf("%4zu  %s\n", n - i + 1, lineedit_history_get(&editor, i - 1));
	return 0;
}

/* ---- the environment: the shell's own, which every program it starts
 * gets (rv_loader_spawn_env passes environ) ---- */

extern char **environ;

static int cmd_env(int argc, char **argv)
{
	if (argc != 1) {
		usage(command_find("env"));
		return -1;
	}
	for (size_t i = 0; environ && environ[i]; i++)
		sh_printf("%s\n", environ[i]);
	return 0;
}

/* A shell's variable name: a letter or _, then letters, digits and _. */
static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* Would NAME=VALUE (name_len, value_len bytes) fit what a spawn carries
 * (CONFIG_SPAWN_ENV_MAX_BYTES, _VARS)? Past that, no program would start. */
static bool env_fits(const char *name, size_t name_len, size_t value_len)
{
	size_t bytes = name_len + value_len + 2, vars = 1;

	for (size_t i = 0; environ && environ[i]; i++) {
		if (!strncmp(environ[i], name, name_len) && environ[i][name_len] == '=')
			continue; /* replaced */
		bytes += strlen(environ[i]) + 1;
		vars++;
	}
	return bytes <= CONFIG_SPAWN_ENV_MAX_BYTES && vars <= CONFIG_SPAWN_ENV_MAX_VARS;
}

static int cmd_export(int argc, char **argv)
{
	char name[64];
	int ret = 0;

	if (argc < 2) {
		usage(command_find("export"));
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);

		if (!eq || !valid_name(argv[i], len) || len >= sizeof(name)) {
			printf("export: '%s': not NAME=VALUE (NAME: letters, digits, _)\n", argv[i]);
			ret = -1;
		} else if (!env_fits(argv[i], len, strlen(eq + 1))) {
			printf("export: '%s': the environment would pass %d bytes or %d variables "
			       "(CONFIG_SPAWN_ENV_MAX_BYTES, _VARS)\n", argv[i],
			       CONFIG_SPAWN_ENV_MAX_BYTES, CONFIG_SPAWN_ENV_MAX_VARS);
			ret = -1;
		} else {
			memcpy(name, argv[i], len);
			name[len] = '\0';
			if (setenv(name, eq + 1, 1) < 0) {
				printf("export: %s: %s\n", argv[i], strerror(errno));
				ret = -1;
			}
		}
	}
	return ret;
}

static int cmd_unset(int argc, char **argv)
{
	int ret = 0;

	if (argc < 2) {
		usage(command_find("unset"));
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		if (!valid_name(argv[i], strlen(argv[i]))) {
			printf("unset: '%s': not a variable name\n", argv[i]);
			ret = -1;
		} else {
			unsetenv(argv[i]);
		}
	}
	return ret;
}

static int cmd_shutdown(int argc, char **argv)
{
	long long status = 0;
	int ret;

	if (argc > 2 || (argc == 2 && !parse_int(argv[1], 0, 255, &status))) {
		usage(command_find("shutdown"));
		printf("  STATUS: 0..255, the power-off status\n");
		return -1;
	}
	printf("shell: shutting down, status %lld\n", status);
	fflush(stdout);
	/* The disks first: init's shutdown does not wait for the file server. */
	if (sh_root != RV_HANDLE_INVALID && (ret = fs_syncfs(sh_root)) < 0 &&
	    ret != -RV_EPEERCLOSED)
		printf("shutdown: sync: %s\n", sh_strerror(ret));
	ret = rv_init_shutdown((int)status);
	if (ret == -RV_EPERM) {
		printf("shutdown: not permitted: this shell holds no shutdown right "
		       "(control=shutdown)\n");
		return ret;
	}
	if (ret < 0) {
		printf("shutdown: init refused: %s\n", rv_strerror(ret));
		return ret;
	}
	/* init is ending: the kernel powers off. */
	for (;;)
		rv_sleep_ns(1000 * NS_PER_MS);
}
