// SPDX-License-Identifier: Apache-2.0
/*
 * Host tests for the line editor (lib/src/lineedit.c).
 *
 * Everything the editor writes goes into a small terminal model: a screen of
 * rows of cells, a cursor, and exactly the escape sequences a VT100 would
 * take (ESC[nC, ESC[nD, ESC[K, ESC[H, ESC[2J); any other byte or sequence,
 * and any move past the edges, counts as an error. After each key the tests
 * check the line and cursor the editor reports, and that the cursor's row
 * shows prompt + line, with nothing after it, and the cursor in the right
 * column. The line buffer and the history storage are heap blocks of exactly
 * the configured size, so AddressSanitizer catches a byte written or read
 * past them. A fixed-seed fuzz run feeds 200,000 bytes rich in escape-sequence
 * fragments and checks the same things after every byte.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rvos/errno.h>
#include <rvos/lineedit.h>

#include "unittest.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ESC "\x1b"
#define K_UP ESC "[A"
#define K_DOWN ESC "[B"
#define K_RIGHT ESC "[C"
#define K_LEFT ESC "[D"
#define K_HOME ESC "[H"
#define K_END ESC "[F"
#define K_DEL ESC "[3~"
#define BS "\x7f"
#define C_A "\x01"
#define C_B "\x02"
#define C_C "\x03"
#define C_D "\x04"
#define C_E "\x05"
#define C_F "\x06"
#define C_H "\x08"
#define C_K "\x0b"
#define C_L "\x0c"
#define C_N "\x0e"
#define C_P "\x10"
#define C_U "\x15"
#define C_W "\x17"

/* ---- terminal model ---- */

#define T_ROWS 24
#define T_COLS 512
#define T_RAW 4096

struct term {
	char cell[T_ROWS][T_COLS];	/* 0: blank (never written, or erased) */
	int row, col;
	int state;			/* 0 text, 1 after ESC, 2 in CSI */
	char param[16];
	size_t nparam;
	unsigned long bells;
	unsigned long errors;
	unsigned long writes;		/* calls of the out callback */
	char raw[T_RAW];		/* output since term_clear_raw(), cut when full */
	size_t nraw;
};

static void term_error(struct term *t, const char *why, unsigned char c)
{
	if (t->errors++ < 5)
		fprintf(stderr, "  terminal model: %s (byte 0x%02x, row %d col %d)\n", why, c,
			t->row, t->col);
}

static void term_csi(struct term *t, unsigned char final)
{
	long n = t->nparam ? strtol(t->param, NULL, 10) : 1;
	bool none = t->nparam == 0;

	switch (final) {
	case 'C':
		if (strchr(t->param, ';') || t->col + n >= T_COLS)
			term_error(t, "bad cursor right", final);
		else
			t->col += (int)n;
		break;
	case 'D':
		if (strchr(t->param, ';') || n > t->col)
			term_error(t, "cursor left past column 0", final);
		else
			t->col -= (int)n;
		break;
	case 'K':
		if (!none && strcmp(t->param, "0") != 0)
			term_error(t, "unexpected erase-line mode", final);
		else
			memset(&t->cell[t->row][t->col], 0, T_COLS - t->col);
		break;
	case 'H':
		if (!none)
			term_error(t, "cursor position with parameters", final);
		t->row = t->col = 0;
		break;
	case 'J':
		if (strcmp(t->param, "2") != 0)
			term_error(t, "unexpected erase-display mode", final);
		else
			memset(t->cell, 0, sizeof(t->cell));
		break;
	default:
		term_error(t, "unknown CSI final byte", final);
	}
}

static void term_putc(struct term *t, unsigned char c)
{
	if (t->nraw < T_RAW - 1) {
		t->raw[t->nraw++] = (char)c;
		t->raw[t->nraw] = '\0';
	}
	switch (t->state) {
	case 1:
		t->state = 0;
		if (c == '[') {
			t->state = 2;
			t->nparam = 0;
			t->param[0] = '\0';
		} else {
			term_error(t, "ESC not followed by [", c);
		}
		return;
	case 2:
		if ((c >= '0' && c <= '9') || c == ';') {
			if (t->nparam < sizeof(t->param) - 1) {
				t->param[t->nparam++] = (char)c;
				t->param[t->nparam] = '\0';
			} else {
				term_error(t, "CSI parameters too long", c);
			}
			return;
		}
		t->state = 0;
		term_csi(t, c);
		return;
	}
	if (c == 0x1b) {
		t->state = 1;
	} else if (c == '\r') {
		t->col = 0;
	} else if (c == '\n') {
		if (t->row == T_ROWS - 1) {
			memmove(t->cell[0], t->cell[1], sizeof(t->cell) - T_COLS);
			memset(t->cell[T_ROWS - 1], 0, T_COLS);
		} else {
			t->row++;
		}
	} else if (c == '\a') {
		t->bells++;
	} else if (c >= 0x20 && c < 0x7f) {
		if (t->col >= T_COLS - 1)
			term_error(t, "text past the right edge", c);
		else
			t->cell[t->row][t->col++] = (char)c;
	} else {
		term_error(t, "unexpected control byte", c);
	}
}

static void term_clear_raw(struct term *t)
{
	t->nraw = 0;
	t->raw[0] = '\0';
}

/* Row r as text: cells up to the last non-blank one, inner blanks as '.'. */
static const char *term_row(const struct term *t, int r)
{
	static char s[T_COLS + 1];
	int end = T_COLS, i;

	while (end > 0 && t->cell[r][end - 1] == 0)
		end--;
	for (i = 0; i < end; i++)
		s[i] = t->cell[r][i] ? t->cell[r][i] : '.';
	s[end] = '\0';
	return s;
}

/* ---- fixture ---- */

struct fx {
	struct lineedit le;
	char *buf;
	size_t size;
	char *hist;
	const char *prompt;
	const char *const *words;	/* completion table, NULL-terminated */
	unsigned long complete_calls;
	struct term t;
};

static void fx_out(void *ctx, const char *s, size_t n)
{
	struct fx *f = ctx;
	size_t i;

	f->t.writes++;
	for (i = 0; i < n; i++)
		term_putc(&f->t, (unsigned char)s[i]);
}

/* Completion from f->words: every word starting with line[start, cursor). */
static void fx_complete(void *ctx, const char *line, size_t cursor,
			struct lineedit_completions *lc)
{
	struct fx *f = ctx;
	size_t i;

	f->complete_calls++;
	CHECK(lc->start <= cursor);
	CHECK(line == lineedit_line(&f->le));
	CHECK_EQ_UINT(strlen(line), lineedit_length(&f->le));
	for (i = 0; f->words && f->words[i]; i++) {
		if (strncmp(f->words[i], line + lc->start, cursor - lc->start) == 0)
			lineedit_add_completion(lc, f->words[i]);
	}
}

static const char *const commands[] = { "help", "hello", "exit", "echo", "ls", NULL };
static const char *const dirs[] = { "tmp/", "tmp/x", NULL };

static struct fx *fx_new(size_t size, size_t hist_len, const char *prompt)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct lineedit_config cfg;

	if (!f)
		abort();
	f->size = size;
	f->buf = malloc(size);
	f->hist = hist_len ? malloc(LINEEDIT_HISTORY_BYTES(hist_len, size)) : NULL;
	if (!f->buf || (hist_len && !f->hist))
		abort();
	f->prompt = prompt;
	f->words = commands;
	cfg = (struct lineedit_config){
		.buf = f->buf,
		.size = size,
		.history = f->hist,
		.history_len = hist_len,
		.out = fx_out,
		.complete = fx_complete,
		.ctx = f,
	};
	CHECK_EQ_INT(lineedit_init(&f->le, &cfg), 0);
	lineedit_start(&f->le, prompt);
	return f;
}

/* Other output moved the terminal to a new row (before a lineedit_start()). */
static void fx_newrow(struct fx *f)
{
	fx_out(f, "\r\n", 2);
}

static void fx_free(struct fx *f)
{
	free(f->buf);
	free(f->hist);
	free(f);
}

/* Feed n bytes; the last status other than LE_CONTINUE (LE_CONTINUE if none). */
static int feed_n(struct fx *f, const char *s, size_t n)
{
	int last = LE_CONTINUE, r;
	size_t i;

	for (i = 0; i < n; i++) {
		r = lineedit_feed(&f->le, (unsigned char)s[i]);
		if (r != LE_CONTINUE)
			last = r;
	}
	return last;
}

static int feed(struct fx *f, const char *s)
{
	return feed_n(f, s, strlen(s));
}

/* Does the cursor's row show prompt + line, nothing after, cursor in place? */
static bool screen_ok(const struct fx *f, bool verbose)
{
	const struct term *t = &f->t;
	const char *line = lineedit_line(&f->le);
	size_t plen = strlen(f->prompt), len = lineedit_length(&f->le), i;
	bool ok = t->errors == 0 && t->state == 0 && len < f->size && strlen(line) == len &&
		  lineedit_cursor(&f->le) <= len &&
		  (size_t)t->col == plen + lineedit_cursor(&f->le);

	for (i = 0; ok && i < T_COLS; i++) {
		char want = i < plen ? f->prompt[i] : i < plen + len ? line[i - plen] : 0;

		ok = t->cell[t->row][i] == want;
	}
	if (!ok && verbose)
		fprintf(stderr, "  screen row %d \"%s\" col %d; want \"%s%s\" col %zu (errors %lu)\n",
			t->row, term_row(t, t->row), t->col, f->prompt, line,
			plen + lineedit_cursor(&f->le), t->errors);
	return ok;
}

#define CHECK_SCREEN(f) CHECK(screen_ok((f), true))

/* Line, cursor and screen after a key sequence on a fresh line. */
#define CHECK_LINE(f, text, cursor)                                  \
	do {                                                         \
		CHECK_EQ_STR(lineedit_line(&(f)->le), (text));        \
		CHECK_EQ_UINT(lineedit_length(&(f)->le), strlen(text)); \
		CHECK_EQ_UINT(lineedit_cursor(&(f)->le), (cursor));    \
		CHECK_SCREEN(f);                                     \
	} while (0)

/* ---- tests ---- */

static void test_init(void)
{
	struct lineedit le;
	char buf[8], hist[LINEEDIT_HISTORY_BYTES(2, 8)];
	struct lineedit_config cfg = { .buf = buf, .size = sizeof(buf) };
	struct fx *f;

	CHECK_EQ_INT(lineedit_init(&le, NULL), -RV_EINVAL);
	CHECK_EQ_INT(lineedit_init(NULL, &cfg), -RV_EINVAL);
	cfg.size = 0;
	CHECK_EQ_INT(lineedit_init(&le, &cfg), -RV_EINVAL);
	cfg.size = sizeof(buf);
	cfg.buf = NULL;
	CHECK_EQ_INT(lineedit_init(&le, &cfg), -RV_EINVAL);
	cfg.buf = buf;
	cfg.history_len = 2;
	CHECK_EQ_INT(lineedit_init(&le, &cfg), -RV_EINVAL);
	cfg.history = hist;
	CHECK_EQ_INT(lineedit_init(&le, &cfg), 0);
	CHECK_EQ_STR(lineedit_line(&le), "");

	/* No output callback: editing works, nothing is written. */
	lineedit_start(&le, "> ");
	CHECK_EQ_INT(lineedit_feed(&le, 'a'), LE_CONTINUE);
	CHECK_EQ_INT(lineedit_feed(&le, '\r'), LE_LINE);
	CHECK_EQ_STR(lineedit_line(&le), "a");
	CHECK_EQ_UINT(lineedit_history_count(&le), 1);

	/* Bytes before lineedit_start() are ignored. */
	CHECK_EQ_INT(lineedit_init(&le, &cfg), 0);
	CHECK_EQ_INT(lineedit_feed(&le, 'x'), LE_CONTINUE);
	CHECK_EQ_INT(lineedit_feed(&le, '\r'), LE_CONTINUE);
	CHECK_EQ_INT(lineedit_feed(&le, C_D[0]), LE_CONTINUE);
	CHECK_EQ_STR(lineedit_line(&le), "");

	/* The prompt is printed; a NULL prompt is none. */
	f = fx_new(16, 0, "rvos> ");
	CHECK_EQ_STR(term_row(&f->t, 0), "rvos> ");
	CHECK_LINE(f, "", 0);
	fx_free(f);
	f = fx_new(16, 0, "");
	lineedit_start(&f->le, NULL);
	CHECK_EQ_INT(f->t.writes, 0);
	CHECK_LINE(f, "", 0);
	fx_free(f);
}

static void test_insert(void)
{
	struct fx *f = fx_new(32, 0, "> ");

	feed(f, "hello");
	CHECK_LINE(f, "hello", 5);
	CHECK_EQ_STR(term_row(&f->t, 0), "> hello");
	/* Typing at the end echoes just the character. */
	term_clear_raw(&f->t);
	feed(f, "!");
	CHECK_EQ_STR(f->t.raw, "!");
	/* One out call per key, not per byte of output. */
	f->t.writes = 0;
	feed(f, K_HOME "X");
	CHECK_EQ_UINT(f->t.writes, 2);
	CHECK_LINE(f, "Xhello!", 1);
	/* In the middle: the tail is redrawn, the cursor comes back. */
	feed(f, K_RIGHT K_RIGHT "--");
	CHECK_LINE(f, "Xhe--llo!", 5);
	feed(f, " ~");
	CHECK_LINE(f, "Xhe-- ~llo!", 7);
	CHECK_EQ_UINT(f->t.bells, 0);
	fx_free(f);
}

static void test_enter(void)
{
	struct fx *f = fx_new(32, 0, "> ");

	CHECK_EQ_INT(feed(f, "one\r"), LE_LINE);
	CHECK_EQ_STR(lineedit_line(&f->le), "one");
	CHECK_EQ_INT(f->t.row, 1);
	CHECK_EQ_INT(f->t.col, 0);
	CHECK_EQ_STR(term_row(&f->t, 0), "> one");
	/* The LF of CRLF may come after the next prompt: it is not an Enter. */
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "\n"), LE_CONTINUE);
	CHECK_LINE(f, "", 0);
	CHECK_EQ_INT(feed(f, "two\n"), LE_LINE);
	CHECK_EQ_STR(lineedit_line(&f->le), "two");
	/* A LF alone, or a LF after a LF, is an Enter. */
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "\n"), LE_LINE);
	CHECK_EQ_STR(lineedit_line(&f->le), "");
	/* CR CR: two Enters; LF CR: two Enters. */
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "\r"), LE_LINE);
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "\r"), LE_LINE);
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "\n"), LE_CONTINUE);	/* ends the CRLF of the CR above */
	CHECK_EQ_INT(feed(f, "x\n"), LE_LINE);
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "\r"), LE_LINE);
	/* Enter with the cursor in the middle: the whole line, shown whole. */
	lineedit_start(&f->le, "$ ");
	f->prompt = "$ ";
	CHECK_EQ_INT(feed(f, "\nabcdef" K_LEFT K_LEFT K_LEFT), LE_CONTINUE);
	CHECK_LINE(f, "abcdef", 3);
	CHECK_EQ_INT(feed(f, "\r"), LE_LINE);
	CHECK_EQ_STR(lineedit_line(&f->le), "abcdef");
	CHECK_EQ_STR(term_row(&f->t, f->t.row - 1), "$ abcdef");
	CHECK_EQ_INT(f->t.col, 0);
	/* Bytes after the line ended and before the next start are ignored. */
	CHECK_EQ_INT(feed(f, "zz\r"), LE_CONTINUE);
	CHECK_EQ_STR(lineedit_line(&f->le), "abcdef");
	CHECK_EQ_UINT(f->t.errors, 0);
	fx_free(f);
}

static void test_backspace_delete(void)
{
	struct fx *f = fx_new(32, 0, "> ");

	feed(f, "abcdef" BS);
	CHECK_LINE(f, "abcde", 5);
	feed(f, C_H);
	CHECK_LINE(f, "abcd", 4);
	feed(f, K_LEFT K_LEFT BS);
	CHECK_LINE(f, "acd", 1);
	feed(f, BS BS C_H);	/* at the start: nothing happens */
	CHECK_LINE(f, "cd", 0);
	feed(f, K_END "xyz" K_HOME K_DEL);
	CHECK_LINE(f, "dxyz", 0);
	feed(f, K_RIGHT K_DEL);
	CHECK_LINE(f, "dyz", 1);
	feed(f, K_END K_DEL);	/* at the end: nothing happens */
	CHECK_LINE(f, "dyz", 3);
	/* ^D on a non-empty line deletes under the cursor. */
	CHECK_EQ_INT(feed(f, K_HOME C_D), LE_CONTINUE);
	CHECK_LINE(f, "yz", 0);
	CHECK_EQ_INT(feed(f, K_END C_D), LE_CONTINUE);
	CHECK_LINE(f, "yz", 2);
	/* Delete with modifiers (ESC[3;5~) is still Delete. */
	feed(f, K_HOME ESC "[3;5~");
	CHECK_LINE(f, "z", 0);
	fx_free(f);
}

static void test_moves(void)
{
	static const char *const home[] = { K_HOME, ESC "[1~", ESC "[7~", ESC "OH", C_A };
	static const char *const end[] = { K_END, ESC "[4~", ESC "[8~", ESC "OF", C_E };
	struct fx *f = fx_new(32, 0, "> ");
	size_t i;

	feed(f, "0123456789");
	for (i = 0; i < ARRAY_SIZE(home); i++) {
		feed(f, home[i]);
		CHECK_LINE(f, "0123456789", 0);
		feed(f, end[i]);
		CHECK_LINE(f, "0123456789", 10);
	}
	feed(f, K_LEFT);
	CHECK_LINE(f, "0123456789", 9);
	feed(f, C_B C_B ESC "OD");
	CHECK_LINE(f, "0123456789", 6);
	feed(f, K_RIGHT C_F ESC "OC");
	CHECK_LINE(f, "0123456789", 9);
	feed(f, K_RIGHT K_RIGHT C_F);	/* stops at the end */
	CHECK_LINE(f, "0123456789", 10);
	feed(f, C_A K_LEFT C_B);	/* stops at the start */
	CHECK_LINE(f, "0123456789", 0);
	/* Ctrl-Right (ESC[1;5C) moves like Right. */
	feed(f, ESC "[1;5C");
	CHECK_LINE(f, "0123456789", 1);
	/* Home/End of an empty line. */
	lineedit_start(&f->le, "> ");
	feed(f, "\r\n");
	lineedit_start(&f->le, "> ");
	feed(f, K_HOME K_END C_A C_E K_LEFT K_RIGHT);
	CHECK_LINE(f, "", 0);
	CHECK_EQ_UINT(f->t.bells, 0);
	fx_free(f);
}

static void test_kill(void)
{
	struct fx *f = fx_new(64, 0, "> ");

	feed(f, "echo hello world" K_LEFT K_LEFT K_LEFT K_LEFT K_LEFT);
	CHECK_LINE(f, "echo hello world", 11);
	feed(f, C_K);
	CHECK_LINE(f, "echo hello ", 11);
	feed(f, C_W);
	CHECK_LINE(f, "echo ", 5);
	feed(f, "big world" C_A C_F C_F C_U);
	CHECK_LINE(f, "ho big world", 0);
	feed(f, C_U C_W);	/* nothing before the cursor */
	CHECK_LINE(f, "ho big world", 0);
	feed(f, C_E C_W C_W);
	CHECK_LINE(f, "ho ", 3);
	feed(f, C_W);
	CHECK_LINE(f, "", 0);
	feed(f, C_K C_U C_W);
	CHECK_LINE(f, "", 0);
	/* ^W skips the spaces before the word, like a shell. */
	feed(f, "a bc   ");
	feed(f, C_W);
	CHECK_LINE(f, "a ", 2);
	/* ^K at the end, ^U at the start. */
	feed(f, C_K);
	CHECK_LINE(f, "a ", 2);
	feed(f, C_A C_U);
	CHECK_LINE(f, "a ", 0);
	CHECK_EQ_UINT(f->t.errors, 0);
	fx_free(f);
}

static void test_redraw(void)
{
	struct fx *f = fx_new(32, 0, "> ");
	int r;

	feed(f, "one\r");
	lineedit_start(&f->le, "> ");
	feed(f, "two three" K_LEFT K_LEFT);
	CHECK(f->t.row == 1);
	feed(f, C_L);
	/* The screen was cleared: row 0 is the only non-blank row. */
	CHECK_EQ_INT(f->t.row, 0);
	CHECK_LINE(f, "two three", 7);
	for (r = 1; r < T_ROWS; r++)
		CHECK_EQ_STR(term_row(&f->t, r), "");
	feed(f, "X");
	CHECK_LINE(f, "two thrXee", 8);
	fx_free(f);
}

static void test_interrupt_eof(void)
{
	struct fx *f = fx_new(32, 4, "> ");

	CHECK_EQ_INT(feed(f, "abcdef" K_HOME K_RIGHT C_C), LE_INTERRUPT);
	CHECK_EQ_STR(lineedit_line(&f->le), "");
	CHECK_EQ_UINT(lineedit_length(&f->le), 0);
	/* ^C shown after the whole line, then a new row. */
	CHECK_EQ_STR(term_row(&f->t, 0), "> abcdef^C");
	CHECK_EQ_INT(f->t.row, 1);
	CHECK_EQ_INT(f->t.col, 0);
	CHECK_EQ_UINT(lineedit_history_count(&f->le), 0);

	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, C_C), LE_INTERRUPT);
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, C_D), LE_EOF);
	CHECK_EQ_STR(lineedit_line(&f->le), "");
	CHECK_EQ_INT(f->t.col, 0);
	CHECK_EQ_STR(term_row(&f->t, f->t.row - 1), "> ");
	/* ^D after the line was emptied again. */
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "x" BS C_D), LE_EOF);
	/* ^C while browsing history leaves the history alone. */
	lineedit_start(&f->le, "> ");
	feed(f, "kept\r");
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "new" K_UP "!" C_C), LE_INTERRUPT);
	CHECK_EQ_UINT(lineedit_history_count(&f->le), 1);
	CHECK_EQ_STR(lineedit_history_get(&f->le, 0), "kept");
	lineedit_start(&f->le, "> ");
	feed(f, K_UP);
	CHECK_LINE(f, "kept", 4);
	CHECK_EQ_UINT(f->t.errors, 0);
	fx_free(f);
}

/* Type s and Enter on the active line, then start the next one. */
static void enter_line(struct fx *f, const char *s)
{
	feed(f, s);
	CHECK_EQ_INT(feed(f, "\r"), LE_LINE);
	lineedit_start(&f->le, f->prompt);
}

static void test_history(void)
{
	struct fx *f = fx_new(32, 3, "> ");
	unsigned long bells;

	/* Nothing to recall yet. */
	feed(f, "x" K_UP);
	CHECK_LINE(f, "x", 1);
	CHECK_EQ_UINT(f->t.bells, 1);
	feed(f, K_DOWN);
	CHECK_EQ_UINT(f->t.bells, 2);
	feed(f, BS);

	enter_line(f, "first");
	enter_line(f, "");		/* empty: not added */
	enter_line(f, "second");
	enter_line(f, "second");	/* equal to the newest: not added */
	enter_line(f, "third");
	CHECK_EQ_UINT(lineedit_history_count(&f->le), 3);
	CHECK_EQ_STR(lineedit_history_get(&f->le, 0), "third");
	CHECK_EQ_STR(lineedit_history_get(&f->le, 1), "second");
	CHECK_EQ_STR(lineedit_history_get(&f->le, 2), "first");
	CHECK(lineedit_history_get(&f->le, 3) == NULL);

	/* Up through every entry, Up past the oldest rings and stays. */
	feed(f, "draft" K_LEFT);
	feed(f, K_UP);
	CHECK_LINE(f, "third", 5);
	feed(f, K_UP);
	CHECK_LINE(f, "second", 6);
	feed(f, ESC "OA");
	CHECK_LINE(f, "first", 5);
	bells = f->t.bells;
	feed(f, K_UP);
	CHECK_LINE(f, "first", 5);
	CHECK_EQ_UINT(f->t.bells, bells + 1);
	/* Down back; past the newest the draft returns; further Down rings. */
	feed(f, K_DOWN C_N);
	CHECK_LINE(f, "third", 5);
	feed(f, ESC "OB");
	CHECK_LINE(f, "draft", 5);
	feed(f, K_DOWN);
	CHECK_LINE(f, "draft", 5);
	CHECK_EQ_UINT(f->t.bells, bells + 2);
	/* A longer entry then a shorter one: the rest of the row is erased. */
	feed(f, "-and-more-text" C_P C_P);
	CHECK_LINE(f, "second", 6);

	/* Edit a recalled entry and enter it: added, the old entry unchanged. */
	feed(f, BS BS "ond!");
	CHECK_LINE(f, "secoond!", 8);
	CHECK_EQ_INT(feed(f, "\r"), LE_LINE);
	CHECK_EQ_STR(lineedit_line(&f->le), "secoond!");
	CHECK_EQ_UINT(lineedit_history_count(&f->le), 3);
	CHECK_EQ_STR(lineedit_history_get(&f->le, 0), "secoond!");
	CHECK_EQ_STR(lineedit_history_get(&f->le, 1), "third");
	CHECK_EQ_STR(lineedit_history_get(&f->le, 2), "second");	/* first dropped */

	/* Edits to a recalled entry are dropped when moving away from it. */
	lineedit_start(&f->le, "> ");
	feed(f, K_UP "XX" K_UP K_DOWN);
	CHECK_LINE(f, "secoond!", 8);
	feed(f, K_DOWN);
	CHECK_LINE(f, "", 0);
	/* Entering a recalled entry as it is: equal to the newest, not added. */
	feed(f, K_UP);
	CHECK_EQ_INT(feed(f, "\n"), LE_LINE);
	CHECK_EQ_UINT(lineedit_history_count(&f->le), 3);
	/* An older one is added again. */
	lineedit_start(&f->le, "> ");
	feed(f, K_UP K_UP K_UP);
	CHECK_LINE(f, "second", 6);
	CHECK_EQ_INT(feed(f, "\n"), LE_LINE);
	CHECK_EQ_STR(lineedit_history_get(&f->le, 0), "second");
	CHECK_EQ_STR(lineedit_history_get(&f->le, 2), "third");

	/* Many wraps of the ring. */
	lineedit_start(&f->le, "> ");
	for (int i = 0; i < 50; i++) {
		char s[16];

		snprintf(s, sizeof(s), "cmd%d", i);
		enter_line(f, s);
	}
	CHECK_EQ_UINT(lineedit_history_count(&f->le), 3);
	CHECK_EQ_STR(lineedit_history_get(&f->le, 0), "cmd49");
	CHECK_EQ_STR(lineedit_history_get(&f->le, 2), "cmd47");
	feed(f, K_UP K_UP K_UP K_UP);
	CHECK_LINE(f, "cmd47", 5);

	/* lineedit_history_add while browsing keeps the shown entry's place. */
	lineedit_history_add(&f->le, "added");
	feed(f, K_DOWN);
	CHECK_LINE(f, "cmd48", 5);
	feed(f, K_DOWN K_DOWN);
	CHECK_LINE(f, "added", 5);
	/* A line longer than the buffer is cut when added; its cut equals the newest. */
	lineedit_history_add(&f->le, "0123456789012345678901234567890123456789");
	CHECK_EQ_STR(lineedit_history_get(&f->le, 0), "0123456789012345678901234567890");
	lineedit_history_add(&f->le, "0123456789012345678901234567890xyz");
	CHECK_EQ_STR(lineedit_history_get(&f->le, 1), "added");
	lineedit_history_add(&f->le, "");
	CHECK_EQ_STR(lineedit_history_get(&f->le, 0), "0123456789012345678901234567890");
	CHECK_EQ_UINT(f->t.errors, 0);
	fx_free(f);

	/* No history: Up and Down ring and change nothing. */
	f = fx_new(16, 0, "> ");
	enter_line(f, "abc");
	feed(f, "de" K_UP K_DOWN);
	CHECK_LINE(f, "de", 2);
	CHECK_EQ_UINT(f->t.bells, 2);
	CHECK_EQ_UINT(lineedit_history_count(&f->le), 0);
	CHECK(lineedit_history_get(&f->le, 0) == NULL);
	fx_free(f);

	/* One entry of history. */
	f = fx_new(16, 1, "> ");
	enter_line(f, "a");
	enter_line(f, "b");
	feed(f, K_UP);
	CHECK_LINE(f, "b", 1);
	feed(f, K_UP);
	CHECK_LINE(f, "b", 1);
	feed(f, K_DOWN);
	CHECK_LINE(f, "", 0);
	fx_free(f);
}

static void complete_bad(void *ctx, const char *line, size_t cursor,
			 struct lineedit_completions *lc)
{
	(void)ctx;
	(void)line;
	(void)cursor;
	lc->start = 1000;	/* past the cursor: taken as the cursor */
	lineedit_add_completion(lc, "tab\there");	/* not printable: ignored */
	lineedit_add_completion(lc, "\x1b[2J");
	lineedit_add_completion(lc, "caf\xc3\xa9");
	lineedit_add_completion(lc, "ok");
}

static void test_completion(void)
{
	struct fx *f = fx_new(32, 0, "> ");
	unsigned long bells;
	int row;

	/* One match: completed, plus a space. */
	feed(f, "ex\t");
	CHECK_LINE(f, "exit ", 5);
	CHECK_EQ_UINT(f->complete_calls, 1);
	/* No match: bell, unchanged. */
	feed(f, "zz\t");
	CHECK_LINE(f, "exit zz", 7);
	CHECK_EQ_UINT(f->t.bells, 1);
	/* Several: their common prefix. */
	feed(f, C_U "he\t");
	CHECK_LINE(f, "hel", 3);
	CHECK_EQ_UINT(f->t.bells, 1);
	/* Then a second Tab lists them below and redraws prompt and line. */
	row = f->t.row;
	feed(f, "\t");
	CHECK_EQ_INT(f->t.row, row + 2);
	CHECK_EQ_STR(term_row(&f->t, row), "> hel");
	CHECK_EQ_STR(term_row(&f->t, row + 1), "help  hello");
	CHECK_LINE(f, "hel", 3);
	/* And again. */
	feed(f, "\t");
	CHECK_EQ_INT(f->t.row, row + 4);
	CHECK_LINE(f, "hel", 3);
	feed(f, "lo\t");
	CHECK_LINE(f, "hello ", 6);

	/* No progress on the first Tab: bell; the second lists. */
	lineedit_start(&f->le, "> ");
	feed(f, "\r");
	lineedit_start(&f->le, "> ");
	bells = f->t.bells;
	feed(f, "e\t");
	CHECK_EQ_UINT(f->t.bells, bells + 1);
	CHECK_LINE(f, "e", 1);
	row = f->t.row;
	feed(f, "\t");
	CHECK_EQ_STR(term_row(&f->t, row + 1), "exit  echo");
	CHECK_LINE(f, "e", 1);
	/* A key between two Tabs: the second is a first Tab again. */
	feed(f, "\t" "c" BS "\t");
	CHECK_EQ_INT(f->t.row, row + 4);	/* one more listing only */
	CHECK_EQ_UINT(f->t.bells, bells + 2);

	/* Completing in the middle of the line, the word before the cursor. */
	lineedit_start(&f->le, "> ");
	feed(f, "\r");
	lineedit_start(&f->le, "> ");
	feed(f, "echo l foo" C_A C_F C_F C_F C_F C_F C_F);
	CHECK_LINE(f, "echo l foo", 6);
	feed(f, "\t");
	CHECK_LINE(f, "echo ls  foo", 8);
	/* Several in the middle; listing them keeps the cursor in place. */
	feed(f, C_E C_U "h foo" C_A C_F "\t");
	CHECK_LINE(f, "hel foo", 3);
	row = f->t.row;
	feed(f, "\t");
	CHECK_EQ_STR(term_row(&f->t, row), "> hel foo");
	CHECK_EQ_STR(term_row(&f->t, row + 1), "help  hello");
	CHECK_LINE(f, "hel foo", 3);
	CHECK_EQ_UINT(f->t.errors, 0);

	/* Empty word: every word is a candidate. */
	lineedit_start(&f->le, "> ");
	feed(f, "\r");
	lineedit_start(&f->le, "> ");
	row = f->t.row;
	feed(f, "\t\t");
	CHECK_EQ_STR(term_row(&f->t, row + 1), "help  hello  exit  echo  ls");
	CHECK_LINE(f, "", 0);
	fx_free(f);

	/* A directory ("name/"): completed without the space. */
	f = fx_new(32, 0, "> ");
	f->words = dirs;
	feed(f, "tm\t");
	CHECK_LINE(f, "tmp/", 4);
	feed(f, "x\t");
	CHECK_LINE(f, "tmp/x ", 6);
	CHECK_EQ_UINT(f->t.errors, 0);
	fx_free(f);

	/* A completion that does not fit rings the bell and changes nothing. */
	f = fx_new(6, 0, "> ");
	feed(f, "abc h\t");
	CHECK_LINE(f, "abc h", 5);
	CHECK_EQ_UINT(f->t.bells, 1);	/* "hel" does not fit: 4 + 3 > 5 */
	feed(f, BS BS "e\t");
	CHECK_LINE(f, "abce", 4);
	feed(f, C_U "ls\t");
	CHECK_LINE(f, "ls ", 3);
	fx_free(f);

	/* Bad candidates are ignored; a start past the cursor is the cursor. */
	f = fx_new(16, 0, "> ");
	{
		struct lineedit_config cfg = {
			.buf = f->buf, .size = f->size, .out = fx_out,
			.complete = complete_bad, .ctx = f,
		};

		CHECK_EQ_INT(lineedit_init(&f->le, &cfg), 0);
	}
	fx_newrow(f);
	lineedit_start(&f->le, "> ");
	feed(f, "ab\t");
	CHECK_LINE(f, "abok ", 5);
	fx_free(f);

	/* No completion callback: bell. */
	f = fx_new(16, 0, "> ");
	{
		struct lineedit_config cfg = { .buf = f->buf, .size = f->size, .out = fx_out, .ctx = f };

		CHECK_EQ_INT(lineedit_init(&f->le, &cfg), 0);
	}
	fx_newrow(f);
	lineedit_start(&f->le, "> ");
	feed(f, "he\t\t");
	CHECK_LINE(f, "he", 2);
	CHECK_EQ_UINT(f->t.bells, 2);
	fx_free(f);
}

static void test_overlong(void)
{
	struct fx *f = fx_new(8, 2, "> ");
	char paste[1000];

	feed(f, "abcdefg");
	CHECK_LINE(f, "abcdefg", 7);
	CHECK_EQ_UINT(f->t.bells, 0);
	feed(f, "h");
	CHECK_LINE(f, "abcdefg", 7);
	CHECK_EQ_UINT(f->t.bells, 1);
	feed(f, K_HOME K_RIGHT "XY");
	CHECK_LINE(f, "abcdefg", 1);
	CHECK_EQ_UINT(f->t.bells, 3);
	feed(f, K_DEL "Z");
	CHECK_LINE(f, "aZcdefg", 2);
	CHECK_EQ_INT(feed(f, "\r"), LE_LINE);
	lineedit_start(&f->le, "> ");
	memset(paste, 'q', sizeof(paste));
	feed_n(f, paste, sizeof(paste));
	CHECK_LINE(f, "qqqqqqq", 7);
	CHECK_EQ_UINT(f->t.bells, 3 + sizeof(paste) - 7);
	feed(f, K_UP);
	CHECK_LINE(f, "aZcdefg", 7);
	feed(f, K_DOWN);
	CHECK_LINE(f, "qqqqqqq", 7);
	fx_free(f);

	/* A buffer of one byte: only the empty line. */
	f = fx_new(1, 2, "> ");
	feed(f, "abc" K_LEFT BS K_UP "\t");
	CHECK_LINE(f, "", 0);
	CHECK_EQ_INT(feed(f, "\r"), LE_LINE);
	lineedit_history_add(&f->le, "abc");
	CHECK_EQ_UINT(lineedit_history_count(&f->le), 0);
	fx_free(f);
}

static void test_garbage(void)
{
	static const struct {
		const char *in;
		size_t n;	/* 0: strlen */
		const char *line;
		size_t cursor;
	} cases[] = {
		{ "ab" ESC "xcd", 0, "abcd", 4 },		/* ESC x: Alt-x, dropped */
		{ "ab" ESC ESC "[Dc", 0, "acb", 2 },		/* ESC ESC [D: Left */
		{ "ab" ESC "[?25hc", 0, "abc", 3 },		/* private CSI */
		{ "ab" ESC "[12;34;56Hc", 0, "abc", 3 },	/* not Home: a position */
		{ "ab" ESC "[1;2Hc", 0, "cab", 1 },		/* Shift-Home */
		{ "ab" ESC "[99~c", 0, "abc", 3 },		/* unknown ~ key */
		{ "ab" ESC "[ Zc", 0, "abc", 3 },		/* intermediate byte */
		{ "ab" ESC "[2Jc", 0, "abc", 3 },		/* output sequence as input */
		{ "ab" ESC "[<0;1;2Mc", 0, "abc", 3 },		/* mouse report */
		{ "ab" ESC "OPc", 0, "abc", 3 },		/* F1 */
		{ "ab" ESC "[15~c", 0, "abc", 3 },		/* F5 */
		{ "ab" ESC "[" "\x7f" "c", 0, "ac", 2 },	/* DEL ends the sequence */
		{ "ab" ESC "O" "\x01" "c", 0, "cab", 1 },	/* ^A ends the sequence */
		{ "ab" ESC "[1" "\x80\xff" "c", 0, "abc", 3 },	/* high bytes end it */
		{ "a\x80\x9b\xc3\xa9\xffz", 0, "az", 2 },	/* high bytes ignored */
		{ "a\x00z", 3, "az", 2 },			/* NUL ignored */
		{ "a\x07\x0f\x11\x12\x13\x14\x16\x18\x19\x1a\x1c\x1d\x1e\x1fz", 0, "az", 2 },
		{ "ab" ESC "[D" ESC "[3~" ESC "[D" ESC, 0, "a", 0 },	/* ESC left pending */
	};
	struct fx *f = fx_new(32, 2, "> ");
	char longseq[5000];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = cases[i].n ? cases[i].n : strlen(cases[i].in);

		lineedit_start(&f->le, "> ");
		feed(f, "\r");	/* a fresh row */
		lineedit_start(&f->le, "> ");
		CHECK_EQ_INT(feed_n(f, cases[i].in, n), LE_CONTINUE);
		if (!CHECK_EQ_STR(lineedit_line(&f->le), cases[i].line) ||
		    !CHECK_EQ_UINT(lineedit_cursor(&f->le), cases[i].cursor) ||
		    !CHECK_SCREEN(f))
			fprintf(stderr, "  (case %zu)\n", i);
	}
	/* The pending ESC of the last case is dropped by lineedit_start(). */
	fx_newrow(f);
	lineedit_start(&f->le, "> ");
	feed(f, "[D");
	CHECK_LINE(f, "[D", 2);

	/* A truncated sequence then Enter or ^C: the key still works. */
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "ls" ESC "[1\r"), LE_LINE);
	CHECK_EQ_STR(lineedit_line(&f->le), "ls");
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "ls" ESC "\n"), LE_LINE);
	lineedit_start(&f->le, "> ");
	CHECK_EQ_INT(feed(f, "ls" ESC "O" C_C), LE_INTERRUPT);

	/* A very long CSI: swallowed to its final byte, nothing inserted. */
	lineedit_start(&f->le, "> ");
	feed(f, "x");
	longseq[0] = 0x1b;
	longseq[1] = '[';
	for (i = 2; i < sizeof(longseq) - 2; i++)
		longseq[i] = (char)((i % 7) == 0 ? ';' : '0' + i % 10);
	longseq[sizeof(longseq) - 2] = 'q';
	longseq[sizeof(longseq) - 1] = 'y';
	feed_n(f, longseq, sizeof(longseq));
	CHECK_LINE(f, "xy", 2);
	/* Huge parameter values are clamped, not wrapped: 4294967299~ is not 3~. */
	feed(f, K_LEFT ESC "[4294967299~" ESC "[0000003~");
	CHECK_LINE(f, "x", 1);
	CHECK_EQ_UINT(f->t.errors, 0);
	fx_free(f);
}

/* ---- fuzz ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint32_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

/* Input pieces, picked at random: keys, fragments, junk. */
static const char *const fuzz_pieces[] = {
	K_UP, K_DOWN, K_LEFT, K_RIGHT, K_HOME, K_END, K_DEL,
	ESC "[1~", ESC "[4~", ESC "[7~", ESC "[8~", ESC "OH", ESC "OF", ESC "OA", ESC "OD",
	ESC "[1;5C", ESC "[3;2~", ESC "[?1049h", ESC "[200~", ESC "[<35;10;5M",
	ESC, ESC "[", ESC "O", ESC "[1", ESC "[3", ESC "[1;", "[", "~", ";", "O",
	"\t", "\t\t", "he", "e", "ls", "hel", "\r", "\n", "\r\n",
	C_A, C_B, C_D, C_E, C_F, C_H, C_K, C_L, C_N, C_P, C_U, C_W, BS,
};

static void test_fuzz(void)
{
	static const char *const prompts[] = { "> ", "rvos$ ", "" };
	struct fx *f = fx_new(24, 4, "> ");
	unsigned long fed = 0, lines = 0, interrupts = 0, eofs = 0, bad = 0;
	const unsigned long total = 200000;
	size_t i;

	while (fed < total && bad == 0) {
		char piece[8];
		const char *p;
		size_t n;
		uint32_t r = rng() % 100;

		if (r < 45) {		/* printable ASCII */
			piece[0] = (char)(0x20 + rng() % 95);
			p = piece;
			n = 1;
		} else if (r < 50) {	/* any byte at all */
			piece[0] = (char)(rng() & 0xff);
			p = piece;
			n = 1;
		} else if (r < 52) {	/* Ctrl-C: rarer, it ends the line */
			p = C_C;
			n = 1;
		} else {
			p = fuzz_pieces[rng() % ARRAY_SIZE(fuzz_pieces)];
			n = strlen(p);
		}
		for (i = 0; i < n && fed < total; i++, fed++) {
			int st = lineedit_feed(&f->le, (unsigned char)p[i]);

			if (st == LE_LINE)
				lines++;
			else if (st == LE_INTERRUPT)
				interrupts++;
			else if (st == LE_EOF)
				eofs++;
			if (st != LE_CONTINUE) {
				if (st == LE_INTERRUPT || st == LE_EOF)
					CHECK_EQ_STR(lineedit_line(&f->le), "");
				if (f->t.col != 0) {
					bad++;
					fprintf(stderr, "  fuzz: line end left column %d\n", f->t.col);
				}
				f->prompt = prompts[rng() % ARRAY_SIZE(prompts)];
				lineedit_start(&f->le, f->prompt);
			}
			if (!screen_ok(f, true)) {
				bad++;
				fprintf(stderr, "  fuzz: after byte %lu (0x%02x)\n", fed,
					(unsigned char)p[i]);
				break;
			}
		}
	}
	CHECK_EQ_UINT(bad, 0);
	CHECK_EQ_UINT(fed, total);
	/* The run reached every ending (so the fuzz does explore). */
	CHECK(lines > 1000);
	CHECK(interrupts > 100);
	CHECK(eofs > 10);
	CHECK(f->t.bells > 100);
	CHECK(f->complete_calls > 1000);
	/* History: non-empty entries, none equal to the one before it. */
	CHECK_EQ_UINT(lineedit_history_count(&f->le), 4);
	for (i = 0; i < lineedit_history_count(&f->le); i++) {
		const char *e = lineedit_history_get(&f->le, i);

		CHECK(e && e[0] && strlen(e) < f->size);
		if (i)
			CHECK(strcmp(e, lineedit_history_get(&f->le, i - 1)) != 0);
	}
	printf("fuzz: %lu bytes, %lu lines, %lu ^C, %lu EOF, %lu bells, %lu completions\n",
	       fed, lines, interrupts, eofs, f->t.bells, f->complete_calls);
	fx_free(f);
}

int main(void)
{
	RUN(test_init);
	RUN(test_insert);
	RUN(test_enter);
	RUN(test_backspace_delete);
	RUN(test_moves);
	RUN(test_kill);
	RUN(test_redraw);
	RUN(test_interrupt_eof);
	RUN(test_history);
	RUN(test_completion);
	RUN(test_overlong);
	RUN(test_garbage);
	RUN(test_fuzz);
	return ut_summary("lineedit");
}
