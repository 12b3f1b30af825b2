/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console input pasted at once (doc/console.md, "Input"): the test runner
 * types 4 KiB in one go (testcase.yaml's input steps) while this program
 * sleeps, so the input waits in the buffers and the UART; then it reads it
 * all and checks every byte against the pattern it was made from.
 *
 * Through the kernel's console (no console service: stdin is the kernel's
 * input buffer, read with debug_read) it reads the bytes as typed; through
 * the console service it reads them raw, then as cooked lines, then one
 * line longer than the server takes: what is past the limit is lost, and
 * counted and said on the console. Nothing else may be lost (kstats and
 * the console's statistics).
 *
 * The pasted text: PASTE_LINES lines of PASTE_LINE_BYTES bytes, line k is
 * its number in 3 digits, a space, letters from (k + column) mod 26, and
 * a carriage return (Enter). testcase.yaml holds the same text, made by
 * the Python line there.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <rvos/console.h>
#include <rvos/user.h>
#include "check.h"

#define PASTE_LINES 64
#define PASTE_LINE_BYTES 64
#define PASTE_BYTES (PASTE_LINES * PASTE_LINE_BYTES)
/* The long line: LONG_BYTES letters, then Enter. */
#define LONG_BYTES 300
/* Time for the whole paste to arrive and wait before the first read. */
#define SETTLE_NS (500ull * 1000 * 1000)

/* Byte i of the pasted text. */
static char pattern(unsigned int i)
{
	unsigned int k = i / PASTE_LINE_BYTES, col = i % PASTE_LINE_BYTES;
	char num[4];

	if (col == PASTE_LINE_BYTES - 1)
		return '\r';
	if (col == 3)
		return ' ';
	if (col < 3) {
		snprintf(num, sizeof(num), "%03u", k);
		return num[col];
	}
	return (char)('a' + (k + col) % 26);
}

/* Instructions the whole system ran, less those counted while it idled
 * (exact under rv flash --icount, testcase.yaml's icount: true). */
static uint64_t busy_instret(void)
{
	struct rv_kstats k;

	rv_kstats(&k);
	return rv_instret() - k.idle_instret;
}

static void ready(const char *what)
{
	printf("paste: ready %s\n", what);
	fflush(stdout);
	rv_sleep_ns(SETTLE_NS);
}

/* The paste as typed: every byte, in order. */
static void paste_raw(void)
{
	static char buf[PASTE_BYTES];
	size_t got = 0;
	unsigned int bad = PASTE_BYTES;
	uint64_t i0;

	ready("raw");
	i0 = busy_instret();
	while (got < PASTE_BYTES) {
		ssize_t n = read(0, buf + got, PASTE_BYTES - got);

		if (!CHECK("a read", n > 0))
			break;
		got += (size_t)n;
	}
	for (unsigned int i = 0; i < got && bad == PASTE_BYTES; i++)
		if (buf[i] != pattern(i))
			bad = i;
	CHECK_EQ("bytes read", got, PASTE_BYTES);
	if (!CHECK("every byte as typed", bad == PASTE_BYTES))
		printf("  byte %u differs\n", bad);
	printf("paste: raw: %zu of %u bytes%s\n", got, PASTE_BYTES,
	       got == PASTE_BYTES && bad == PASTE_BYTES ? ", in order" : "");
	printf("paste: raw: %llu instructions a byte, reading included\n",
	       (unsigned long long)((busy_instret() - i0) / (got ? got : 1)));
}

/* The paste as lines: each with '\n' for its Enter. */
static void paste_lines(void)
{
	char buf[PASTE_LINE_BYTES * 2];
	unsigned int good = 0;
	uint64_t i0;

	ready("lines");
	i0 = busy_instret();
	for (unsigned int k = 0; k < PASTE_LINES; k++) {
		ssize_t n = read(0, buf, sizeof(buf));
		unsigned int i;

		if (!CHECK_EQ("a line", n, PASTE_LINE_BYTES))
			break;
		for (i = 0; i < PASTE_LINE_BYTES - 1; i++)
			if (buf[i] != pattern(k * PASTE_LINE_BYTES + i))
				break;
		if (!CHECK("the line as typed", i == PASTE_LINE_BYTES - 1 &&
						   buf[PASTE_LINE_BYTES - 1] == '\n')) {
			printf("  line %u: '%.*s'\n", k, (int)n - 1, buf);
			break;
		}
		good++;
	}
	printf("paste: lines: %u of %u lines, whole\n", good, PASTE_LINES);
	printf("paste: lines: %llu instructions a byte, reading and echo included\n",
	       (unsigned long long)((busy_instret() - i0) / PASTE_BYTES));
}

/* A line longer than CONFIG_CONSOLE_SERVER_LINE_MAX: the server keeps its
 * first LINE_MAX - 1 bytes and the Enter; the rest is lost, and counted. */
static void paste_long(rv_handle_t con)
{
	const unsigned int kept = CONFIG_CONSOLE_SERVER_LINE_MAX - 1;
	static char buf[CONFIG_CONSOLE_SERVER_LINE_MAX];
	struct console_stats before, after;
	size_t got = 0;
	unsigned int i;

	CHECK_EQ("stats", console_stats(con, &before), 0);
	ready("long");
	while (got < sizeof(buf) && (got == 0 || buf[got - 1] != '\n')) {
		ssize_t n = read(0, buf + got, sizeof(buf) - got);

		if (!CHECK("a read", n > 0))
			break;
		got += (size_t)n;
	}
	CHECK_EQ("the line's bytes", got, kept + 1);
	for (i = 0; i < got - 1 && buf[i] == 'a' + i % 26; i++)
		;
	CHECK("its first bytes as typed", i == kept && buf[kept] == '\n');
	CHECK_EQ("stats", console_stats(con, &after), 0);
	CHECK_EQ("bytes received", after.received - before.received, LONG_BYTES + 1);
	CHECK_EQ("bytes lost past the line", after.lost_line - before.lost_line, LONG_BYTES - kept);
	printf("paste: long line: %zu bytes kept, %llu lost and counted\n", got,
	       (unsigned long long)(after.lost_line - before.lost_line));
}

int main(void)
{
	rv_handle_t con = console_handle();
	struct console_stats st;
	struct rv_kstats k;

	printf("paste: through the %s\n", con == RV_HANDLE_INVALID ? "kernel's console" :
								    "console service");
	if (con == RV_HANDLE_INVALID) {
		paste_raw();
	} else {
		CHECK_EQ("raw mode", console_set_mode(con, CONSOLE_MODE_RAW), 0);
		paste_raw();
		CHECK_EQ("cooked mode", console_set_mode(con, CONSOLE_MODE_COOKED), 0);
		paste_lines();
		if (CHECK_EQ("stats", console_stats(con, &st), 0)) {
			CHECK_EQ("received", st.received, 2 * PASTE_BYTES);
			CHECK_EQ("lost to overruns", st.lost_overrun, 0);
			CHECK_EQ("lost past a line", st.lost_line, 0);
		}
		paste_long(con);
	}
	CHECK_EQ("kstats", rv_kstats(&k), 0);
	CHECK_EQ("no input lost in the kernel", k.console_input_lost, 0);
	return check_report("paste");
}
