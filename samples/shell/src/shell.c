/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shell: reads command lines with the line editor (lib/lineedit) from
 * the console service in raw mode, runs builtins (commands.c) and programs
 * from the initrd through init's loader, in the foreground (Ctrl-C ends
 * them: the console kills its foreground process) or in the background
 * ("&": their end is reported as soon as it happens). doc/shell.md.
 *
 * One wait_many covers the console input, the foreground program and every
 * background one, so a job's end shows at once, even in the middle of a
 * line being typed (the line is drawn again below the report).
 *
 * Input: a second channel to the console, in raw mode, with one read of one
 * byte pending while a line is being edited, and none otherwise: what is
 * typed while a program runs in the foreground is that program's. Output:
 * stdio's channel. Without a console service (an app that has none) the
 * shell polls the kernel's debug console instead (rv_debug_read).
 */
#include <stdio.h>
#include <string.h>
#include <rvos/console.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>

#include "shell.h"

_Static_assert(CONFIG_SHELL_MAX_JOBS + 2 <= CONFIG_MAX_WAIT_ITEMS,
	       "CONFIG_SHELL_MAX_JOBS + 2 (console, foreground) must not exceed "
	       "CONFIG_MAX_WAIT_ITEMS");
_Static_assert(CONFIG_SHELL_PROGRAM_PRIORITY < CONFIG_NUM_PRIORITIES,
	       "CONFIG_SHELL_PROGRAM_PRIORITY must be under CONFIG_NUM_PRIORITIES");

#define MS(n) ((uint64_t)(n) * 1000000ull)
#define POLL_NS MS(10) /* debug-console polling, without a console service */
#define CTRL_C 0x03

struct job jobs[CONFIG_SHELL_MAX_JOBS];
struct lineedit editor;

static char line[CONFIG_SHELL_LINE_MAX + 1];
static char history[LINEEDIT_HISTORY_BYTES(CONFIG_SHELL_HISTORY, sizeof(line))];
static bool editing;     /* a line is being edited: reports must redraw it */
static bool bell;        /* the editor rang the bell since the last byte */

/* Where a byte falls in the input: a key of its own, or inside an escape
 * sequence (whose printable bytes are not text). The editor decodes the
 * same way; the shell only needs to know whether a refused byte was text. */
enum { IN_TEXT, IN_ESC, IN_CSI, IN_SS3 };
static int in_state;

/* True if c, typed now, would be text for the line. */
static bool byte_is_text(uint8_t c)
{
	int st = in_state;

	if (c < 0x20 || c == 0x7f) {
		in_state = c == 0x1b ? IN_ESC : IN_TEXT;
		return false;
	}
	if (st == IN_ESC)
		in_state = c == '[' ? IN_CSI : c == 'O' ? IN_SS3 : IN_TEXT;
	else if (st == IN_CSI)
		in_state = (c >= 0x40 && c <= 0x7e) ? IN_TEXT : IN_CSI;
	else if (st == IN_SS3)
		in_state = IN_TEXT;
	return st == IN_TEXT && c < 0x7f;
}

/* ---- output ---- */

void term_write(const char *s, size_t n)
{
	fflush(stdout);
	fwrite(s, 1, n, stdout);
	fflush(stdout);
}

static void term_puts(const char *s)
{
	term_write(s, strlen(s));
}

static void editor_out(void *ctx, const char *s, size_t n)
{
	if (memchr(s, '\a', n))
		bell = true;
	term_write(s, n);
}

/* Something to print while a line may be on the screen: clear the row
 * first, and draw prompt and line again after (report_end). */
static void report_begin(void)
{
	fflush(stdout);
	if (editing)
		term_puts("\r\x1b[K");
}

static void report_end(void)
{
	char seq[32];
	size_t back;

	fflush(stdout);
	if (!editing)
		return;
	term_puts(CONFIG_SHELL_PROMPT);
	term_puts(lineedit_line(&editor));
	back = lineedit_length(&editor) - lineedit_cursor(&editor);
	if (back) {
		snprintf(seq, sizeof(seq), "\x1b[%zuD", back);
		term_puts(seq);
	}
}

/* ---- console input ---- */

static rv_handle_t in_con = RV_HANDLE_INVALID; /* raw-mode channel, or invalid */
static bool read_pending;                      /* a READ request waits for its reply */
static char typed[64];                         /* bytes polled, not yet taken */
static size_t typed_len, typed_pos;
static size_t typed_dropped; /* polled while a program ran, not Ctrl-C: said after */

static int input_connect(uint64_t deadline)
{
	int ret = rv_connect_wait(CONSOLE_SERVICE_NAME, &in_con, deadline);

	if (ret == 0) {
		ret = console_set_mode(in_con, CONSOLE_MODE_RAW);
		if (ret < 0) {
			rv_handle_close(in_con);
			in_con = RV_HANDLE_INVALID;
		}
	}
	return ret;
}

/* The console server went away: connect again (init restarts it), or fall
 * back to the debug console. */
static void input_reconnect(void)
{
	rv_handle_close(in_con);
	in_con = RV_HANDLE_INVALID;
	read_pending = false;
	if (input_connect(rv_clock_ns() + MS(CONFIG_SHELL_RECONNECT_MS)) < 0)
		printf("shell: no console service any more; reading the debug console\n");
}

/* Ask for one byte (the reply comes when one is typed). */
static void read_send(void)
{
	uint8_t buf[WIRE_HEADER_SIZE + WIRE_U32_SIZE];
	struct wire_writer w;
	struct rv_msg msg;
	long ret;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, CONSOLE_OP_READ);
	wire_put_u32(&w, 1);
	ret = wire_finish(&w, &msg);
	if (ret == 0)
		ret = rv_channel_write(in_con, &msg, 0, RV_DEADLINE_NEVER);
	if (ret == -RV_EPEERCLOSED)
		input_reconnect();
	else if (ret == 0)
		read_pending = true;
}

/* The reply to our read: 1 and the byte, or 0 (none, or an error). */
static int read_take(uint8_t *c)
{
	uint8_t buf[CONFIG_MSG_MAX_BYTES];
	rv_handle_t hs[CONFIG_MSG_MAX_HANDLES + 1];
	struct rv_msg msg = {.bytes = buf, .num_bytes = sizeof(buf), .handles = hs,
			     .num_handles = CONFIG_MSG_MAX_HANDLES};
	struct wire_reader r;
	const void *data;
	uint32_t len;
	long ret;

	ret = rv_channel_read(in_con, &msg, RV_IPC_NONBLOCK, 0);
	if (ret == -RV_EAGAIN)
		return 0;
	read_pending = false;
	if (ret < 0) {
		input_reconnect();
		return 0;
	}
	for (uint32_t i = 0; i < msg.num_handles; i++)
		rv_handle_close(hs[i]);
	if (wire_read_reply(&r, &msg, CONSOLE_OP_READ) != 0 || wire_get_bytes(&r, &data, &len) < 0 ||
	    wire_end(&r) < 0 || len != 1)
		return 0;
	*c = *(const uint8_t *)data;
	return 1;
}

/* Without a console service: what the kernel's console has for us. */
static void poll_debug_console(void)
{
	if (typed_pos == typed_len) {
		long n = rv_debug_read(typed, sizeof(typed));

		typed_pos = 0;
		typed_len = n > 0 ? (size_t)n : 0;
	}
}

/* ---- jobs and exits ---- */

static const char *fault_name(int scause)
{
	switch (scause) {
	case 0: return "misaligned fetch";
	case 1: return "instruction access fault";
	case 2: return "illegal instruction";
	case 3: return "breakpoint";
	case 4: return "misaligned load";
	case 5: return "load access fault";
	case 6: return "misaligned store";
	case 7: return "store access fault";
	case 12: return "instruction page fault";
	case 13: return "load page fault";
	case 15: return "store page fault";
	default: return "exception";
	}
}

void describe_exit(char *buf, size_t size, rv_handle_t proc)
{
	struct rv_exit_info info;

	if (rv_process_exit_info(proc, &info) < 0)
		snprintf(buf, size, "ended");
	else if (info.reason == RV_EXIT_NORMAL)
		snprintf(buf, size, "exit status %d", (int)info.code);
	else if (info.reason == RV_EXIT_KILLED)
		snprintf(buf, size, "killed");
	else
		snprintf(buf, size, "fault: %s (scause %d) at pc 0x%llx, address 0x%llx",
			 fault_name((int)info.code), (int)info.code,
			 (unsigned long long)info.fault_pc, (unsigned long long)info.fault_addr);
}

static void job_report(struct job *j)
{
	char how[96];

	describe_exit(how, sizeof(how), j->proc);
	report_begin();
	printf("[%d] %d %s: %s\n", j->num, j->pid, j->name, how);
	report_end();
	rv_handle_close(j->proc);
	j->used = false;
}

/* ---- waiting ---- */

enum event {
	EV_NONE,
	EV_BYTE,    /* *c: a byte typed */
	EV_FG_DONE, /* the foreground program ended */
};

/*
 * Wait for the next thing: a byte (when want_input), the end of fg (when
 * not invalid), the end of any job (reported here). Without a console
 * service, polls the debug console every POLL_NS; a Ctrl-C polled while fg
 * runs kills it (the console server does that otherwise).
 */
static enum event wait_event(bool want_input, rv_handle_t fg, uint8_t *c)
{
	struct rv_wait_item items[CONFIG_SHELL_MAX_JOBS + 2];
	int job_of[CONFIG_SHELL_MAX_JOBS + 2];
	int in_item = -1, fg_item = -1;
	uint64_t deadline = RV_DEADLINE_NEVER;
	enum event ev = EV_NONE;
	uint32_t n = 0;
	long ret;

	if (want_input && in_con == RV_HANDLE_INVALID) {
		poll_debug_console();
		if (typed_pos < typed_len) {
			*c = (uint8_t)typed[typed_pos++];
			return EV_BYTE;
		}
	}
	if (want_input && in_con != RV_HANDLE_INVALID) {
		if (!read_pending)
			read_send();
		if (in_con != RV_HANDLE_INVALID && read_pending) {
			in_item = (int)n;
			items[n++] = (struct rv_wait_item){
				.handle = in_con, .signals = RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED};
		}
	}
	if ((want_input || fg != RV_HANDLE_INVALID) && in_con == RV_HANDLE_INVALID)
		deadline = rv_clock_ns() + POLL_NS;
	if (fg != RV_HANDLE_INVALID) {
		fg_item = (int)n;
		items[n++] = (struct rv_wait_item){.handle = fg, .signals = RV_SIGNAL_EXITED};
	}
	for (int i = 0; i < CONFIG_SHELL_MAX_JOBS; i++) {
		if (!jobs[i].used)
			continue;
		job_of[n] = i;
		items[n++] = (struct rv_wait_item){.handle = jobs[i].proc, .signals = RV_SIGNAL_EXITED};
	}
	if (n == 0) {
		rv_sleep_ns(POLL_NS);
		return EV_NONE;
	}
	ret = rv_wait_many(items, n, deadline);
	if (ret < 0 && ret != -RV_ETIMEDOUT) {
		printf("shell: wait_many: %s\n", rv_strerror((int)ret));
		rv_sleep_ns(POLL_NS);
		return EV_NONE;
	}
	for (uint32_t k = 0; k < n; k++) {
		if ((int)k == in_item || (int)k == fg_item)
			continue;
		if (items[k].observed & RV_SIGNAL_EXITED)
			job_report(&jobs[job_of[k]]);
	}
	if (fg_item >= 0 && (items[fg_item].observed & RV_SIGNAL_EXITED))
		ev = EV_FG_DONE;
	if (in_item >= 0 && ev == EV_NONE) {
		uint32_t obs = items[in_item].observed;

		if ((obs & RV_SIGNAL_READABLE) && read_take(c))
			ev = EV_BYTE;
		else if (!(obs & RV_SIGNAL_READABLE) && (obs & RV_SIGNAL_PEER_CLOSED))
			input_reconnect();
	}
	if (in_con == RV_HANDLE_INVALID && fg != RV_HANDLE_INVALID && ev == EV_NONE) {
		/* Only Ctrl-C matters now; the rest typed meanwhile is dropped
		 * (the program polls the same kernel buffer for its stdin). */
		poll_debug_console();
		while (typed_pos < typed_len) {
			if (typed[typed_pos++] == CTRL_C) {
				rv_process_kill(fg);
				printf("^C\n");
			} else {
				typed_dropped++;
			}
		}
	}
	return ev;
}

/* ---- running programs (exec.c starts them) ---- */

struct job *job_alloc(void)
{
	struct job *free_job = NULL;
	int num = 1;

again:
	for (int i = 0; i < CONFIG_SHELL_MAX_JOBS; i++) {
		if (jobs[i].used && jobs[i].num == num) {
			num++;
			goto again;
		}
		if (!jobs[i].used && !free_job)
			free_job = &jobs[i];
	}
	if (free_job)
		free_job->num = num;
	return free_job;
}

int process_pid(rv_handle_t proc)
{
	struct rv_handle_info info;

	return rv_handle_info(proc, &info) == 0 ? info.pid : 0;
}

void shell_set_foreground(rv_handle_t proc, const char *name)
{
	rv_handle_t con = console_handle();

	if (con == RV_HANDLE_INVALID)
		return;
	if (proc == RV_HANDLE_INVALID) {
		console_background(con);
	} else {
		long dup = rv_handle_duplicate(proc, RV_RIGHT_READ | RV_RIGHT_MANAGE |
						   RV_RIGHT_TRANSFER);

		if (dup >= 0 && console_foreground(con, (rv_handle_t)dup) < 0)
			printf("shell: Ctrl-C will not end %s (the console refused it)\n", name);
	}
}

void shell_wait(rv_handle_t proc)
{
	uint8_t c;

	fflush(stdout);
	while (wait_event(false, proc, &c) != EV_FG_DONE)
		;
	if (typed_dropped) {
		printf("shell: %zu input bytes typed while the program ran were dropped "
		       "(no console service: doc/console.md)\n", typed_dropped);
		typed_dropped = 0;
	}
}

/* ---- program names, once ---- */

static char programs[CONFIG_SHELL_PROGRAM_NAMES_BYTES];
static size_t programs_len;
static bool programs_asked;

const char *shell_programs(size_t *len)
{
	if (!programs_asked) {
		uint32_t first = 0;
		long n;

		programs_asked = true;
		while ((n = rv_init_programs(first, programs + programs_len,
					     sizeof(programs) - programs_len)) > 0) {
			for (long i = 0; i < n; i++)
				first += programs[programs_len + i] == '\0';
			programs_len += (size_t)n;
		}
	}
	*len = programs_len;
	return programs;
}

bool shell_is_program(const char *name)
{
	size_t plen;
	const char *progs = shell_programs(&plen);

	for (size_t off = 0; off < plen; off += strlen(progs + off) + 1)
		if (!strcmp(progs + off, name))
			return true;
	return false;
}

/* ---- the prompt loop ---- */

static void bench_boot(void)
{
#ifdef CONFIG_SHELL_BENCH_BOOT
	struct rv_kstats k;
	uint64_t now = rv_instret();

	if (rv_kstats(&k) == 0)
		printf("BENCH boot_to_prompt %llu instructions\n",
		       (unsigned long long)(now - k.boot_instret - k.idle_instret));
#endif
}

/* A line typed at the terminal for a builtin that asks (dbg): 1 and the
 * line in buf, 0 at Ctrl-D. No history, no completion. */
int shell_read_line(const char *prompt, char *buf, size_t size)
{
	static struct lineedit le;
	struct lineedit_config cfg = {.buf = buf, .size = size, .out = editor_out};
	int r = LE_CONTINUE;
	uint8_t c;

	fflush(stdout);
	lineedit_init(&le, &cfg);
	lineedit_start(&le, prompt);
	in_state = IN_TEXT;
	while (r == LE_CONTINUE) {
		if (wait_event(true, RV_HANDLE_INVALID, &c) == EV_BYTE)
			r = lineedit_feed(&le, c);
	}
	return r == LE_LINE;
}

int main(int argc, char **argv)
{
	struct lineedit_config cfg = {
		.buf = line,
		.size = sizeof(line),
		.history = history,
		.history_len = CONFIG_SHELL_HISTORY,
		.out = editor_out,
		.complete = shell_complete,
	};

	lineedit_init(&editor, &cfg);
	sh_files_init();
	if (console_handle() != RV_HANDLE_INVALID && input_connect(rv_clock_ns() + MS(1000)) < 0)
		printf("shell: cannot read the console in raw mode; reading the debug console\n");
	printf("rvOS shell: 'help' lists the commands, Tab completes them.\n");
	bench_boot();
	for (;;) {
		bool too_long = false;
		int r = LE_CONTINUE;
		uint8_t c;

		lineedit_start(&editor, CONFIG_SHELL_PROMPT);
		in_state = IN_TEXT;
		editing = true;
		while (r == LE_CONTINUE) {
			bool text;

			if (wait_event(true, RV_HANDLE_INVALID, &c) != EV_BYTE)
				continue;
			text = byte_is_text(c);
			bell = false;
			r = lineedit_feed(&editor, c);
			/* Text refused with a bell: the line is full. Say so once;
			 * Enter will not run what is left of it. */
			if (bell && text && !too_long) {
				too_long = true;
				report_begin();
				printf("shell: the line is full (CONFIG_SHELL_LINE_MAX = %d bytes)\n",
				       CONFIG_SHELL_LINE_MAX);
				report_end();
			}
		}
		editing = false;
		if (r == LE_EOF) {
			printf("shell: Ctrl-D: the shell stays ('shutdown' powers off)\n");
		} else if (r == LE_LINE && too_long) {
			printf("shell: line too long (over %d bytes, CONFIG_SHELL_LINE_MAX): "
			       "not run\n", CONFIG_SHELL_LINE_MAX);
		} else if (r == LE_LINE) {
			shell_execute(line);
		}
		fflush(stdout);
	}
}
