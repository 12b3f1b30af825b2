/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shell's line editor: keys in, line and terminal bytes out (see
 * <rvos/lineedit.h> for the keys and the terminal contract).
 *
 * Invariants kept after every byte: len <= size - 1, cur <= len,
 * buf[len] == '\0', and the terminal row shows prompt + buf with its cursor
 * at column strlen(prompt) + cur.
 */
#include <string.h>

#include <rvos/errno.h>
#include <rvos/lineedit.h>

#define CTRL(k) ((k) & 0x1f)
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f
#define BEL "\a"

/* The first CSI parameter is kept up to this value (the keys use 1..8). */
#define ESC_PARAM_MAX 9999

/* Escape-sequence states of the input decoder. */
enum {
	ESC_NONE,
	ESC_SEEN, /* ESC */
	ESC_CSI,  /* ESC [ parameters... */
	ESC_SS3,  /* ESC O */
};

/* Editing actions, decoded from control bytes and escape sequences. */
enum key {
	K_NONE,
	K_LEFT,
	K_RIGHT,
	K_HOME,
	K_END,
	K_UP,
	K_DOWN,
	K_DELETE,
};

/* ---- output ---- */

static void out_flush(struct lineedit *le)
{
	if (le->olen && le->cfg.out)
		le->cfg.out(le->cfg.ctx, le->obuf, le->olen);
	le->olen = 0;
}

static void emit(struct lineedit *le, const char *s, size_t n)
{
	while (n) {
		size_t room = sizeof(le->obuf) - le->olen;
		size_t k = n < room ? n : room;

		memcpy(le->obuf + le->olen, s, k);
		le->olen += k;
		s += k;
		n -= k;
		if (le->olen == sizeof(le->obuf))
			out_flush(le);
	}
}

static void emit_str(struct lineedit *le, const char *s)
{
	emit(le, s, strlen(s));
}

/* ESC[nD (dir 'D', left) or ESC[nC (right); nothing for n == 0. */
static void emit_move(struct lineedit *le, size_t n, char dir)
{
	char seq[4 + 20]; /* ESC [ digits of a size_t, dir */
	char digits[20];
	size_t i = 0, nd = 0;

	if (n == 0)
		return;
	seq[i++] = KEY_ESC;
	seq[i++] = '[';
	if (n > 1) {
		while (n) {
			digits[nd++] = (char)('0' + n % 10);
			n /= 10;
		}
		while (nd)
			seq[i++] = digits[--nd];
	}
	seq[i++] = dir;
	emit(le, seq, i);
}

/* Line and cursor drawn again from the start of the row (the prompt too). */
static void redraw(struct lineedit *le)
{
	emit_str(le, "\r");
	emit_str(le, le->prompt);
	emit(le, le->cfg.buf, le->len);
	emit_str(le, "\x1b[K");
	emit_move(le, le->len - le->cur, 'D');
}

/* After the text from the cursor changed: draw it, erase what was beyond,
 * put the cursor back. */
static void redraw_tail(struct lineedit *le)
{
	emit(le, le->cfg.buf + le->cur, le->len - le->cur);
	emit_str(le, "\x1b[K");
	emit_move(le, le->len - le->cur, 'D');
}

static void bell(struct lineedit *le)
{
	emit_str(le, BEL);
}

/* ---- editing ---- */

static void set_len(struct lineedit *le, size_t len)
{
	le->len = len;
	le->cfg.buf[len] = '\0';
}

/* Remove buf[from, to) (from <= to <= len); the cursor goes to from. The
 * terminal cursor must be at the old cursor. */
static void delete_range(struct lineedit *le, size_t from, size_t to)
{
	char *b = le->cfg.buf;

	if (from == to)
		return;
	memmove(b + from, b + to, le->len - to);
	emit_move(le, le->cur - from, 'D');
	le->cur = from;
	set_len(le, le->len - (to - from));
	redraw_tail(le);
}

static void insert_char(struct lineedit *le, char c)
{
	char *b = le->cfg.buf;

	if (le->len + 1 > le->cfg.size - 1) {
		bell(le);
		return;
	}
	memmove(b + le->cur + 1, b + le->cur, le->len - le->cur);
	b[le->cur] = c;
	set_len(le, le->len + 1);
	/* At the end of the line only the character is echoed. */
	emit(le, b + le->cur, le->len - le->cur);
	le->cur++;
	emit_move(le, le->len - le->cur, 'D');
}

static void move_to(struct lineedit *le, size_t pos)
{
	if (pos < le->cur)
		emit_move(le, le->cur - pos, 'D');
	else
		emit_move(le, pos - le->cur, 'C');
	le->cur = pos;
}

static size_t word_start(const struct lineedit *le)
{
	size_t i = le->cur;

	while (i > 0 && le->cfg.buf[i - 1] == ' ')
		i--;
	while (i > 0 && le->cfg.buf[i - 1] != ' ')
		i--;
	return i;
}

/* Replace buf[from, cur) with text[0, n), then an optional space; the cursor
 * ends after them. A result that does not fit rings the bell. */
static void replace_word(struct lineedit *le, size_t from, const char *text, size_t n, bool space)
{
	char *b = le->cfg.buf;
	size_t tail = le->len - le->cur;
	size_t add = n + (space ? 1 : 0);
	size_t new_len = from + add + tail;

	if (new_len > le->cfg.size - 1) {
		bell(le);
		return;
	}
	memmove(b + from + add, b + le->cur, tail);
	memcpy(b + from, text, n);
	if (space)
		b[from + n] = ' ';
	emit_move(le, le->cur - from, 'D');
	le->cur = from;
	set_len(le, new_len);
	emit(le, b + from, add);
	le->cur = from + add;
	redraw_tail(le);
}

/* ---- history ---- */

static char *hist_slot(const struct lineedit *le, size_t slot)
{
	return le->cfg.history + slot * le->cfg.size;
}

/* Entry i, 0 = newest; i < hist_count. */
static char *hist_entry(const struct lineedit *le, size_t i)
{
	size_t n = le->cfg.history_len;

	return hist_slot(le, (le->hist_next + n - 1 - i) % n);
}

/* Copy at most size - 1 bytes of s into slot storage dst. */
static size_t copy_line(const struct lineedit *le, char *dst, const char *s)
{
	size_t n = strnlen(s, le->cfg.size - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
	return n;
}

/* Show history position pos (0: the saved new line). */
static void hist_show(struct lineedit *le, size_t pos)
{
	const char *src;

	if (le->hist_pos == 0) /* leaving the new line: keep it */
		copy_line(le, hist_slot(le, le->cfg.history_len), le->cfg.buf);
	src = pos ? hist_entry(le, pos - 1) : hist_slot(le, le->cfg.history_len);
	le->hist_pos = pos;
	set_len(le, copy_line(le, le->cfg.buf, src));
	le->cur = le->len;
	redraw(le);
}

static void hist_older(struct lineedit *le)
{
	if (le->hist_pos >= le->hist_count) {
		bell(le);
		return;
	}
	hist_show(le, le->hist_pos + 1);
}

static void hist_newer(struct lineedit *le)
{
	if (le->hist_pos == 0) {
		bell(le);
		return;
	}
	hist_show(le, le->hist_pos - 1);
}

void lineedit_history_add(struct lineedit *le, const char *line)
{
	size_t n = le->cfg.history_len;

	/* Compared as it would be stored: cut to size - 1 bytes. */
	if (n == 0 || strnlen(line, le->cfg.size - 1) == 0)
		return;
	if (le->hist_count && strncmp(hist_entry(le, 0), line, le->cfg.size - 1) == 0)
		return;
	copy_line(le, hist_slot(le, le->hist_next), line);
	le->hist_next = (le->hist_next + 1) % n;
	if (le->hist_count < n)
		le->hist_count++;
	/*
	 * While browsing, keep to the entry shown: it is one older now. If the
	 * ring dropped it, hist_count + 1 stands for "older than the oldest":
	 * Up rings, Down shows the oldest.
	 */
	if (le->hist_pos && le->hist_pos <= le->hist_count)
		le->hist_pos++;
}

size_t lineedit_history_count(const struct lineedit *le)
{
	return le->hist_count;
}

const char *lineedit_history_get(const struct lineedit *le, size_t i)
{
	return i < le->hist_count ? hist_entry(le, i) : NULL;
}

/* ---- completion ---- */

static bool is_printable(unsigned char c)
{
	return c >= 0x20 && c < KEY_DEL;
}

void lineedit_add_completion(struct lineedit_completions *lc, const char *word)
{
	const char *p;
	size_t i;

	for (p = word; *p; p++) {
		if (!is_printable((unsigned char)*p))
			return;
	}
	if (lc->listing) {
		if (lc->count)
			emit_str(lc->le, "  ");
		emit_str(lc->le, word);
		lc->count++;
		return;
	}
	if (lc->count++ == 0) {
		lc->first = word;
		lc->common = (size_t)(p - word);
		return;
	}
	for (i = 0; i < lc->common && word[i] == lc->first[i]; i++)
		;
	lc->common = i;
}

static void complete(struct lineedit *le, bool again)
{
	struct lineedit_completions lc = {.start = word_start(le), .le = le};
	size_t start;

	if (!le->cfg.complete) {
		bell(le);
		return;
	}
	le->cfg.complete(le->cfg.ctx, le->cfg.buf, le->cur, &lc);
	start = lc.start < le->cur ? lc.start : le->cur;
	if (lc.count == 0) {
		bell(le);
		return;
	}
	if (lc.count == 1) {
		/* A directory's name ends in '/': what follows is typed right after it. */
		replace_word(le, start, lc.first, lc.common, lc.common == 0 ||
			     lc.first[lc.common - 1] != '/');
		return;
	}
	le->after_tab = true;
	if (lc.common > le->cur - start) {
		replace_word(le, start, lc.first, lc.common, false);
		return;
	}
	if (!again) {
		bell(le);
		return;
	}
	/* The list on its own row(s), then prompt and line again below it. */
	emit_move(le, le->len - le->cur, 'C');
	emit_str(le, "\r\n");
	lc = (struct lineedit_completions){.start = start, .le = le, .listing = true};
	le->cfg.complete(le->cfg.ctx, le->cfg.buf, le->cur, &lc);
	emit_str(le, "\r\n");
	redraw(le);
}

/* ---- keys ---- */

static void do_key(struct lineedit *le, enum key k)
{
	switch (k) {
	case K_LEFT:
		if (le->cur > 0)
			move_to(le, le->cur - 1);
		break;
	case K_RIGHT:
		if (le->cur < le->len)
			move_to(le, le->cur + 1);
		break;
	case K_HOME:
		move_to(le, 0);
		break;
	case K_END:
		move_to(le, le->len);
		break;
	case K_UP:
		hist_older(le);
		break;
	case K_DOWN:
		hist_newer(le);
		break;
	case K_DELETE:
		if (le->cur < le->len)
			delete_range(le, le->cur, le->cur + 1);
		break;
	case K_NONE:
		break;
	}
}

/* The line ended: "\r\n" (after the rest of the line) and the editor is idle. */
static int end_line(struct lineedit *le, int status, const char *mark)
{
	move_to(le, le->len);
	emit_str(le, mark);
	emit_str(le, "\r\n");
	le->active = false;
	le->hist_pos = 0;
	if (status == LE_INTERRUPT) {
		le->cur = 0;
		set_len(le, 0);
	} else if (status == LE_LINE) {
		lineedit_history_add(le, le->cfg.buf);
	}
	return status;
}

/* The final letter of ESC [ X and ESC O X: the arrows, Home and End. */
static enum key letter_key(unsigned char final)
{
	switch (final) {
	case 'A':
		return K_UP;
	case 'B':
		return K_DOWN;
	case 'C':
		return K_RIGHT;
	case 'D':
		return K_LEFT;
	case 'H':
		return K_HOME;
	case 'F':
		return K_END;
	}
	return K_NONE;
}

static enum key csi_key(const struct lineedit *le, unsigned char final)
{
	if (le->esc_bad)
		return K_NONE;
	if (final != '~') {
		/* Letter keys come bare or with 1;<modifiers> (Ctrl-Right: ESC[1;5C). */
		return le->esc_param > 1 ? K_NONE : letter_key(final);
	}
	switch (le->esc_param) {
	case 1:
	case 7:
		return K_HOME;
	case 3:
		return K_DELETE;
	case 4:
	case 8:
		return K_END;
	}
	return K_NONE;
}

/*
 * One byte inside an escape sequence. Returns true when the byte was taken;
 * false when it ended the sequence without belonging to it (a control byte
 * or a byte >= 0x80), and must be taken as a key.
 */
static bool escape_byte(struct lineedit *le, unsigned char c)
{
	if (c < 0x20 || c >= KEY_DEL) {
		le->esc = ESC_NONE;
		return false;
	}
	switch (le->esc) {
	case ESC_SEEN:
		if (c == '[') {
			le->esc = ESC_CSI;
			le->esc_bad = false;
			le->esc_more = false;
			le->esc_param = 0;
		} else if (c == 'O') {
			le->esc = ESC_SS3;
		} else {
			le->esc = ESC_NONE; /* Alt-<key>: not ours */
		}
		return true;
	case ESC_SS3:
		le->esc = ESC_NONE;
		do_key(le, letter_key(c));
		return true;
	case ESC_CSI:
		if (c >= '0' && c <= '9') {
			if (!le->esc_more)
				le->esc_param = le->esc_param >= ESC_PARAM_MAX
						    ? ESC_PARAM_MAX
						    : le->esc_param * 10 + (c - '0');
		} else if (c == ';') {
			le->esc_more = true; /* modifiers: the plain key */
		} else if (c < 0x40) {
			le->esc_bad = true; /* intermediates, private markers */
		} else {
			le->esc = ESC_NONE;
			do_key(le, csi_key(le, c));
		}
		return true;
	}
	le->esc = ESC_NONE;
	return false;
}

/* Emacs-style control keys that move the cursor or walk the history. */
static const enum key ctrl_keys[0x20] = {
	[CTRL('A')] = K_HOME, [CTRL('E')] = K_END, [CTRL('B')] = K_LEFT,
	[CTRL('F')] = K_RIGHT, [CTRL('P')] = K_UP, [CTRL('N')] = K_DOWN,
};

static int control_byte(struct lineedit *le, unsigned char c, bool after_tab)
{
	switch (c) {
	case '\r':
	case '\n':
		return end_line(le, LE_LINE, "");
	case CTRL('C'):
		return end_line(le, LE_INTERRUPT, "^C");
	case CTRL('D'):
		if (le->len == 0)
			return end_line(le, LE_EOF, "");
		do_key(le, K_DELETE);
		break;
	case CTRL('A'):
	case CTRL('E'):
	case CTRL('B'):
	case CTRL('F'):
	case CTRL('P'):
	case CTRL('N'):
		do_key(le, ctrl_keys[c]);
		break;
	case CTRL('H'):
	case KEY_DEL:
		if (le->cur > 0)
			delete_range(le, le->cur - 1, le->cur);
		break;
	case CTRL('U'):
		delete_range(le, 0, le->cur);
		break;
	case CTRL('K'):
		set_len(le, le->cur);
		emit_str(le, "\x1b[K");
		break;
	case CTRL('W'):
		delete_range(le, word_start(le), le->cur);
		break;
	case CTRL('L'):
		emit_str(le, "\x1b[H\x1b[2J");
		redraw(le);
		break;
	case '\t':
		complete(le, after_tab);
		break;
	case KEY_ESC:
		le->esc = ESC_SEEN;
		break;
	}
	return LE_CONTINUE;
}

static int feed_byte(struct lineedit *le, unsigned char c)
{
	bool after_cr = le->after_cr;
	bool after_tab = le->after_tab;

	le->after_cr = c == '\r';
	if (!le->active || (c == '\n' && after_cr))
		return LE_CONTINUE;
	if (le->esc != ESC_NONE && escape_byte(le, c))
		return LE_CONTINUE;
	le->after_tab = false;
	if (is_printable(c)) {
		insert_char(le, (char)c);
		return LE_CONTINUE;
	}
	if (c >= 0x80)
		return LE_CONTINUE;
	return control_byte(le, c, after_tab);
}

/* ---- public ---- */

int lineedit_init(struct lineedit *le, const struct lineedit_config *cfg)
{
	if (!le || !cfg || !cfg->buf || cfg->size == 0 || (cfg->history_len && !cfg->history))
		return -RV_EINVAL;
	memset(le, 0, sizeof(*le));
	le->cfg = *cfg;
	le->prompt = "";
	set_len(le, 0);
	return 0;
}

void lineedit_start(struct lineedit *le, const char *prompt)
{
	le->prompt = prompt ? prompt : "";
	le->cur = 0;
	set_len(le, 0);
	le->active = true;
	le->hist_pos = 0;
	le->esc = ESC_NONE;
	le->after_tab = false;
	/* after_cr survives: the LF of a CRLF may come after the next prompt. */
	emit_str(le, le->prompt);
	out_flush(le);
}

int lineedit_feed(struct lineedit *le, unsigned char c)
{
	int ret = feed_byte(le, c);

	out_flush(le);
	return ret;
}

const char *lineedit_line(const struct lineedit *le)
{
	return le->cfg.buf;
}

size_t lineedit_length(const struct lineedit *le)
{
	return le->len;
}

size_t lineedit_cursor(const struct lineedit *le)
{
	return le->cur;
}
