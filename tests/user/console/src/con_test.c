/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console server end to end, with input typed by the test runner (the
 * `input:` steps of testcase.yaml answer each "con: type ..." line):
 * stdout through the service, cooked lines with echo and editing keys,
 * Ctrl-D, raw mode, reads smaller than a line, Ctrl-C ending the
 * foreground program, bad requests, several writers at once, and the
 * server killed and restarted under its clients.
 *
 * As "con_test sleeper" it sleeps until killed; as "con_test writer N" it
 * prints lines through stdio and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/console.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "check.h"
#include "malformed.h"

#define MS(n) ((uint64_t)(n) * 1000000ull)
#define WRITERS 3
#define WRITER_LINES 20

static rv_handle_t c1, c2;

static uint64_t in_ms(uint64_t ms)
{
	return rv_clock_ns() + MS(ms);
}

/* Ask for input (the runner types it when it sees the line), read it. */
static long prompt_read(rv_handle_t con, const char *tag, char *buf, size_t max)
{
	printf("con: type %s\n", tag);
	fflush(stdout);
	return console_read(con, buf, max);
}

static void expect_line(const char *what, rv_handle_t con, const char *tag, const char *want)
{
	char buf[128];
	long n = prompt_read(con, tag, buf, sizeof(buf));

	if (CHECK_EQ(what, n, (long)strlen(want)) && !CHECK(what, !memcmp(buf, want, (size_t)n)))
		printf("  got '%.*s'\n", (int)n, buf);
}

static void cooked_input(void)
{
	char buf[8];
	long n;

	expect_line("a line", c1, "hello", "hello\n");
	expect_line("backspace and DEL erase", c1, "help", "help\n");
	expect_line("Ctrl-U erases the line", c1, "ok", "ok\n");
	expect_line("Ctrl-C drops the line (no foreground program)", c1, "after-ctrl-c",
		    "after\n");
	expect_line("control bytes are dropped", c1, "controls", "ab\n");
	CHECK_EQ("Ctrl-D on an empty line: end of input", prompt_read(c1, "eof", buf, 8), 0);
	n = prompt_read(c1, "partial", buf, 8);
	CHECK("Ctrl-D after text hands the text over", n == 2 && !memcmp(buf, "ab", 2));
	/* A line read in pieces of 3. */
	n = prompt_read(c1, "pieces", buf, 3);
	CHECK("piece 1", n == 3 && !memcmp(buf, "abc", 3));
	n = console_read(c1, buf, 3);
	CHECK("piece 2", n == 3 && !memcmp(buf, "def", 3));
	n = console_read(c1, buf, 3);
	CHECK("piece 3", n == 2 && !memcmp(buf, "g\n", 2));
	printf("con: cooked input: echo, backspace, Ctrl-U, Ctrl-C, Ctrl-D, pieces\n");
}

static void raw_input(void)
{
	char buf[16];
	size_t got = 0;

	CHECK_EQ("raw mode", console_set_mode(c2, CONSOLE_MODE_RAW), 0);
	printf("con: type raw\n");
	fflush(stdout);
	/* "x", Ctrl-C, "y", Enter: as they came, in one read or several. */
	while (got < 4) {
		long n = console_read(c2, buf + got, sizeof(buf) - got);

		if (!CHECK("a raw read", n > 0))
			break;
		got += (size_t)n;
	}
	CHECK("raw bytes unchanged", got == 4 && !memcmp(buf, "x\003y\r", 4));
	CHECK_EQ("cooked again", console_set_mode(c2, CONSOLE_MODE_COOKED), 0);
	printf("con: raw input: bytes as typed, Ctrl-C included\n");
}

static void ctrl_c_foreground(void)
{
	const char *const argv[] = {"sleeper", NULL};
	struct rv_exit_info info;
	struct rv_wait_item it = {.signals = RV_SIGNAL_EXITED};
	rv_handle_t proc, watch, ch[2];
	long dup;

	if (!CHECK_EQ("start the sleeper", rv_loader_spawn("con_test", argv, 8, NULL, 0, &proc), 0))
		return;
	dup = rv_handle_duplicate(proc, RV_RIGHT_READ);
	CHECK("a handle to watch it", dup >= 0);
	watch = (rv_handle_t)dup;
	/* Wrong kinds of handle first. */
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("foreground: a channel", console_foreground(c1, ch[1]), -RV_EWRONGTYPE);
	rv_handle_close(ch[0]);
	dup = rv_handle_duplicate(proc, RV_RIGHT_READ);
	CHECK_EQ("foreground: no MANAGE right", console_foreground(c1, (rv_handle_t)dup),
		 -RV_EPERM);
	CHECK_EQ("foreground: the sleeper", console_foreground(c1, proc), 0);
	printf("con: type ctrl-c\n");
	fflush(stdout);
	it.handle = watch;
	CHECK_EQ("Ctrl-C ended it", rv_wait_many(&it, 1, in_ms(20000)), 1);
	CHECK_EQ("exit info", rv_process_exit_info(watch, &info), 0);
	CHECK_EQ("it was killed", info.reason, RV_EXIT_KILLED);
	rv_handle_close(watch);
	/* The foreground is gone: the next Ctrl-C is input again. */
	expect_line("after Ctrl-C the console reads on", c1, "after-kill", "still here\n");
	CHECK_EQ("background", console_background(c1), 0);
	printf("con: Ctrl-C ends the foreground program\n");
}

static int alive(void *ctx)
{
	return console_write(c1, "", 0) == 0 && console_write(c1, "\r", 1) == 1;
}

static void bad_requests(void)
{
	uint8_t valid[32];
	struct wire_writer w;
	struct rv_msg msg;
	uint8_t buf[64];

	CHECK_EQ("read of 0 bytes", console_read(c2, buf, 0), 0); /* no call at all */
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, CONSOLE_OP_READ);
	wire_put_u32(&w, 0);
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	CHECK_EQ("READ max 0", malformed_call(c2, buf, msg.num_bytes, NULL, 0), -RV_EINVAL);
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, CONSOLE_OP_READ);
	wire_put_u32(&w, CONSOLE_DATA_MAX + 1);
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	CHECK_EQ("READ past a message", malformed_call(c2, buf, msg.num_bytes, NULL, 0),
		 -RV_EINVAL);
	CHECK_EQ("mode 7", console_set_mode(c2, 7), -RV_EINVAL);
	wire_init_request(&w, valid, sizeof(valid), NULL, 0, CONSOLE_OP_WRITE);
	wire_put_bytes(&w, "", 0);
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	malformed_battery("console", c2, valid, msg.num_bytes, 99, alive, NULL);
	printf("con: malformed requests: error replies, the server still serves\n");
}

static void writers(void)
{
	rv_handle_t procs[WRITERS];
	int started = 0;

	for (int i = 0; i < WRITERS; i++) {
		char no[4] = {(char)('0' + i), 0};
		const char *const argv[] = {"writer", no, NULL};

		if (CHECK_EQ("start a writer", rv_loader_spawn("con_test", argv, 8, NULL, 0,
							       &procs[started]), 0))
			started++;
	}
	for (int i = 0; i < started; i++) {
		struct rv_wait_item it = {.handle = procs[i], .signals = RV_SIGNAL_EXITED};
		struct rv_exit_info info;

		CHECK_EQ("a writer ends", rv_wait_many(&it, 1, in_ms(20000)), 1);
		CHECK_EQ("exit info", rv_process_exit_info(procs[i], &info), 0);
		CHECK_EQ("... with status 0", info.code, 0);
		rv_handle_close(procs[i]);
	}
	printf("con: %d writers at once\n", started);
}

static void restart(void)
{
	struct rv_wait_item it = {.signals = RV_SIGNAL_EXITED};
	rv_handle_t proc;
	char buf[8];

	if (!CHECK_EQ("process of console", rv_service_process(CONSOLE_SERVICE_NAME, &proc), 0))
		return;
	CHECK_EQ("kill the console", rv_process_kill(proc), 0);
	it.handle = proc;
	CHECK_EQ("it ends", rv_wait_many(&it, 1, in_ms(5000)), 1);
	rv_handle_close(proc);
	CHECK_EQ("an old connection: EPEERCLOSED", console_write(c1, "x", 1), -RV_EPEERCLOSED);
	rv_handle_close(c1);
	rv_handle_close(c2);
	/* stdio reconnects by itself; a new connection works. */
	printf("con: console killed; this line came through the restarted console\n");
	CHECK("stdio reconnected", console_handle() != RV_HANDLE_INVALID);
	CHECK_EQ("connect again", rv_connect_wait(CONSOLE_SERVICE_NAME, &c1, in_ms(2000)), 0);
	CHECK_EQ("write on it", console_write(c1, "\r", 1), 1);
	expect_line("input after the restart", c1, "restarted", "again\n");
	(void)buf;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "sleeper")) {
		for (;;)
			rv_sleep_ns(MS(1000));
	}
	if (argc >= 3 && !strcmp(argv[1], "writer")) {
		for (int i = 0; i < WRITER_LINES; i++)
			printf("con: writer %s line %d\n", argv[2], i);
		return 0;
	}
	printf("con: stdout through the console service\n");
	CHECK("stdio has a console connection", console_handle() != RV_HANDLE_INVALID);
	if (!CHECK_EQ("connect", rv_connect(CONSOLE_SERVICE_NAME, &c1), 0) ||
	    !CHECK_EQ("connect", rv_connect(CONSOLE_SERVICE_NAME, &c2), 0))
		return 1;
	{
		static char big[3 * CONSOLE_DATA_MAX + 7];

		memset(big, '.', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\n';
		CHECK_EQ("a write of several messages", console_write(c1, big, sizeof(big)),
			 (long)sizeof(big));
	}
	cooked_input();
	raw_input();
	ctrl_c_foreground();
	bad_requests();
	writers();
	restart();
	printf("con: %u checks, %u failed\n", checks_run, checks_failed);
	return checks_failed != 0;
}
