/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A line editor for a raw-mode terminal, as a state machine without I/O.
 *
 * The caller reads bytes from the console and hands them to lineedit_feed()
 * one at a time; the editor keeps the line, and writes what the terminal must
 * show (echo, redraws, VT100/ANSI cursor movements) through the out callback.
 * It allocates nothing: the line buffer and the history storage come from the
 * caller at lineedit_init(). Nothing it is fed, however malformed, makes it
 * read or write outside those buffers.
 *
 *	struct lineedit le;
 *	static char line[128], hist[LINEEDIT_HISTORY_BYTES(16, sizeof(line))];
 *	struct lineedit_config cfg = {
 *		.buf = line, .size = sizeof(line),
 *		.history = hist, .history_len = 16,
 *		.out = console_write, .complete = complete_command,
 *	};
 *
 *	lineedit_init(&le, &cfg);
 *	for (;;) {
 *		lineedit_start(&le, "rvos> ");
 *		while ((r = lineedit_feed(&le, getbyte())) == LE_CONTINUE)
 *			;
 *		if (r == LE_LINE)
 *			run(lineedit_line(&le));
 *		else if (r == LE_EOF)
 *			break;
 *	}
 *
 * Keys:
 *	printable ASCII		insert at the cursor
 *	Backspace (0x7f, ^H)	delete before the cursor
 *	Delete (ESC[3~), ^D	delete under the cursor; ^D on an empty line: LE_EOF
 *	Left, Right, ^B, ^F	move one column (ESC[D ESC[C, or ESC OD ESC OC)
 *	Home, ^A		start of line (ESC[H ESC[1~ ESC[7~ ESC OH)
 *	End, ^E			end of line (ESC[F ESC[4~ ESC[8~ ESC OF)
 *	Up, Down, ^P, ^N	older / newer history entry (ESC[A ESC[B, ESC OA ESC OB)
 *	^U			delete from the start of line to the cursor
 *	^K			delete from the cursor to the end of line
 *	^W			delete the word before the cursor
 *	^L			clear the screen, redraw prompt and line
 *	Tab			completion (see lineedit_complete_fn)
 *	Enter (CR, LF, CRLF)	LE_LINE; CR followed by LF is one Enter
 *	^C			LE_INTERRUPT: the line is dropped, "^C" is shown
 *
 * Garbage is harmless: an escape sequence the editor does not know (CSI with
 * any parameters and intermediates, SS3, ESC followed by any printable byte)
 * is read to its end and dropped; a control byte inside a sequence ends it and
 * is then taken as a key, so a truncated sequence followed by Enter still
 * ends the line. Other control bytes are ignored. Bytes >= 0x80 are ignored:
 * the editor counts one byte as one column, so it takes ASCII only (no UTF-8
 * yet). A key that would make the line longer than size - 1 bytes is refused
 * with a bell (BEL, 0x07).
 *
 * History: Enter adds a non-empty line unless it equals the newest entry.
 * Up saves the line being edited; Down past the newest entry brings it back.
 * A recalled entry may be edited and entered, but the entry itself does not
 * change, and edits are lost when Up/Down moves away from it.
 *
 * Terminal contract: at lineedit_start() the terminal cursor is in column 0,
 * and the prompt takes one row (no newline; zero-width escapes are fine).
 * The editor moves the cursor relative to where it left it, within one row:
 * prompt plus line are assumed to fit the terminal's width (no wrapping of
 * long lines). Escape sequences written: ESC[nD, ESC[nC (n omitted when 1),
 * ESC[K, and for ^L ESC[H ESC[2J. When a line ends (LE_LINE, LE_INTERRUPT,
 * LE_EOF) the editor has written "\r\n": the next output starts a new row.
 */
#ifndef RVOS_LINEEDIT_H
#define RVOS_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

/* lineedit_feed() results. */
enum lineedit_status {
	LE_CONTINUE = 0, /* keep feeding */
	LE_LINE,	 /* Enter: lineedit_line() is the line */
	LE_INTERRUPT,	 /* ^C: the line was dropped */
	LE_EOF,		 /* ^D on an empty line */
};

/* Bytes of history storage for n entries of lines in a buffer of size bytes:
 * one more slot keeps the line being edited while Up/Down browse. */
#define LINEEDIT_HISTORY_BYTES(n, size) (((n) + 1) * (size))

/* Terminal output: n bytes (not NUL-terminated) to write as they are. */
typedef void (*lineedit_out_fn)(void *ctx, const char *s, size_t n);

struct lineedit;

/*
 * What a completion callback fills. It calls lineedit_add_completion() once
 * per candidate; lineedit keeps nothing but pointers and lengths, so each
 * word must stay valid until lineedit_feed() returns (a static table, or
 * storage owned by ctx), and must not point into the line. A word containing
 * a byte that is not printable ASCII is ignored.
 */
struct lineedit_completions {
	/*
	 * In: where the word before the cursor begins (after the last space
	 * before the cursor). The callback may move it; each candidate replaces
	 * line[start, cursor). A value past the cursor counts as the cursor.
	 */
	size_t start;

	/* Private to lineedit. */
	struct lineedit *le;
	const char *first; /* the first candidate */
	size_t count;	   /* candidates seen */
	size_t common;	   /* bytes every candidate shares with first */
	bool listing;	   /* second pass: print each candidate */
};

/*
 * Called on Tab with the line (NUL-terminated) and the cursor offset. It must
 * give the same candidates when called twice for the same line: a second Tab
 * calls it again to list them. With no candidate Tab rings the bell; with one,
 * line[start, cursor) becomes the candidate and a space (no space when the
 * candidate ends in '/': a directory, its entries come next); with several, it
 * becomes their longest common prefix when that is longer than the word, else
 * Tab rings the bell and the next Tab lists the candidates below the line and
 * redraws prompt and line.
 */
typedef void (*lineedit_complete_fn)(void *ctx, const char *line, size_t cursor,
				     struct lineedit_completions *lc);

/* Offer one completion candidate; only valid inside the callback. */
void lineedit_add_completion(struct lineedit_completions *lc, const char *word);

struct lineedit_config {
	char *buf;		       /* the line; always NUL-terminated */
	size_t size;		       /* bytes of buf (>= 1): lines of at most size - 1 bytes */
	char *history;		       /* LINEEDIT_HISTORY_BYTES(history_len, size) bytes */
	size_t history_len;	       /* entries kept (oldest dropped first); 0: no history */
	lineedit_out_fn out;	       /* NULL: nothing is echoed */
	lineedit_complete_fn complete; /* NULL: Tab rings the bell */
	void *ctx;		       /* first argument of out and complete */
};

/* Bytes of output gathered before each call to out (one key: one call, mostly). */
#define LINEEDIT_OUT_CHUNK 64

/* Everything here is private: use the functions below. */
struct lineedit {
	struct lineedit_config cfg;
	const char *prompt; /* from lineedit_start(), until the line ends */
	size_t len;	    /* bytes in cfg.buf before its NUL */
	size_t cur;	    /* cursor, 0..len */
	bool active;	    /* between lineedit_start() and the line's end */

	/* History: a ring of cfg.history_len slots of cfg.size bytes, then the
	 * slot that keeps the edited line while browsing. */
	size_t hist_next;  /* slot the next entry goes to */
	size_t hist_count; /* entries held */
	size_t hist_pos;   /* 0: editing the new line; i: showing entry i - 1 */

	/* Input decoder. */
	unsigned char esc;	/* escape-sequence state */
	bool esc_bad;		/* the CSI sequence is not one of ours */
	bool esc_more;		/* a ';' came: later parameters are ignored */
	unsigned int esc_param; /* first CSI parameter, clamped */
	bool after_cr;		/* the last byte was CR: a LF now is not a new Enter */
	bool after_tab;		/* the last key was an ambiguous Tab */

	char obuf[LINEEDIT_OUT_CHUNK];
	size_t olen;
};

/* 0, or -RV_EINVAL when a buffer is missing or size is 0. The editor is idle
 * until lineedit_start(). */
int lineedit_init(struct lineedit *le, const struct lineedit_config *cfg);

/* Begin a new empty line: print the prompt (NULL: none), which must stay
 * valid until the line ends. Also the way to abandon a line being edited. */
void lineedit_start(struct lineedit *le, const char *prompt);

/* Take one input byte; an enum lineedit_status. Bytes fed while no line is
 * active (before lineedit_start(), or after a line ended) are ignored. */
int lineedit_feed(struct lineedit *le, unsigned char c);

/* The line being edited, or the one that just ended (NUL-terminated; empty
 * after LE_INTERRUPT). Valid until the next lineedit_start() or feed. */
const char *lineedit_line(const struct lineedit *le);

/* Bytes in the line, and the cursor offset within it (0..length). */
size_t lineedit_length(const struct lineedit *le);
size_t lineedit_cursor(const struct lineedit *le);

/* Append a line to the history (as Enter does): an empty line, or one equal
 * to the newest entry, is not added. A line longer than size - 1 bytes is cut. */
void lineedit_history_add(struct lineedit *le, const char *line);

/* Entries in the history, and entry i (0 = newest); NULL when i is out of range. */
size_t lineedit_history_count(const struct lineedit *le);
const char *lineedit_history_get(const struct lineedit *le, size_t i);

#endif /* RVOS_LINEEDIT_H */
