/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shell's pure parts (parse.h): command lines into pipelines and
 * redirections, lexical paths, what Tab completes. No I/O here, so the host
 * unit test (tests/unit/shell) covers all of it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

enum tok { T_WORD, T_PIPE, T_IN, T_OUT, T_APPEND, T_AMP };

static const char *const tok_name[] = {"", "|", "<", ">", ">>", "&"};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_op(char c)
{
	return c == '|' || c == '<' || c == '>' || c == '&';
}

static int fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -1;
}

int sh_parse(const char *line, char *store, char **words, int max_words, struct sh_cmdline *cl,
	     char *err, size_t errsize)
{
	const char *in = line;
	char *out = store;
	struct sh_stage *st = NULL; /* the command words go to, NULL after a | */
	enum tok redir = T_WORD;    /* a redirection waiting for its file */
	int ntok = 0, nw = 0, out_stage = -1;
	bool amp = false, after_pipe = false;

	memset(cl, 0, sizeof(*cl));
	for (;;) {
		enum tok t = T_WORD;
		char quote = 0, *w;

		while (is_blank(*in))
			in++;
		if (!*in)
			break;
		if (++ntok > max_words)
			return fail(err, errsize, "more than %d words (CONFIG_SHELL_MAX_ARGS)",
				    max_words);
		if (amp)
			return fail(err, errsize, "& goes at the end of the line");
		if (is_op(*in)) {
			switch (*in++) {
			case '|': t = T_PIPE; break;
			case '<': t = T_IN; break;
			case '&': t = T_AMP; break;
			default:
				t = T_OUT;
				if (*in == '>') {
					t = T_APPEND;
					in++;
				}
			}
			if (redir != T_WORD)
				return fail(err, errsize, "%s needs a file name, not %s",
					    tok_name[redir], tok_name[t]);
			switch (t) {
			case T_PIPE:
				if (!st)
					return fail(err, errsize, "| needs a command on each side");
				words[nw++] = NULL;
				st = NULL;
				after_pipe = true;
				break;
			case T_IN:
				if (cl->in_path)
					return fail(err, errsize, "more than one <");
				if (cl->nstages > (st ? 1 : 0))
					return fail(err, errsize,
						    "< goes with the first command of a pipeline");
				redir = t;
				break;
			case T_OUT:
			case T_APPEND:
				if (cl->out_path)
					return fail(err, errsize, "more than one > or >>");
				out_stage = st ? cl->nstages - 1 : cl->nstages;
				redir = t;
				break;
			default:
				amp = true;
			}
			continue;
		}
		/* A word: to the next blank or operator outside quotes. */
		w = out;
		while (*in && (quote || (!is_blank(*in) && !is_op(*in)))) {
			if (!quote && (*in == '"' || *in == '\'')) {
				quote = *in++;
			} else if (quote && *in == quote) {
				quote = 0;
				in++;
			} else {
				*out++ = *in++;
			}
		}
		if (quote)
			return fail(err, errsize, "a %c quote is not closed", quote);
		*out++ = '\0';
		if (redir == T_IN) {
			cl->in_path = w;
		} else if (redir != T_WORD) {
			cl->out_path = w;
			cl->append = redir == T_APPEND;
		} else {
			if (!st) {
				if (cl->nstages == SH_MAX_STAGES)
					return fail(err, errsize,
						    "more than %d commands in a pipeline "
						    "(CONFIG_SHELL_MAX_PIPELINE)",
						    SH_MAX_STAGES);
				st = &cl->stage[cl->nstages++];
				st->argv = &words[nw];
				after_pipe = false;
			}
			words[nw++] = w;
			st->argc++;
		}
		redir = T_WORD;
	}
	if (redir != T_WORD)
		return fail(err, errsize, "%s needs a file name", tok_name[redir]);
	if (after_pipe)
		return fail(err, errsize, "| needs a command on each side");
	if (st)
		words[nw] = NULL;
	if (cl->nstages == 0 && (cl->in_path || cl->out_path))
		return fail(err, errsize, "a redirection needs a command");
	if (out_stage >= 0 && out_stage != cl->nstages - 1)
		return fail(err, errsize, "> goes with the last command of a pipeline");
	if (cl->nstages == 0 && amp)
		return fail(err, errsize, "& needs a command before it");
	cl->background = amp;
	return 0;
}

size_t sh_command_length(const char *line)
{
	char quote = 0;
	size_t i;

	for (i = 0; line[i] && (quote || line[i] != ';'); i++) {
		if (!quote && (line[i] == '"' || line[i] == '\''))
			quote = line[i];
		else if (quote && line[i] == quote)
			quote = 0;
	}
	return i;
}

int sh_path_join(const char *cwd, const char *path, char *out, size_t size)
{
	size_t len = 0;
	const char *p;
	int pass;

	if (size < 2)
		return -1;
	out[len++] = '/';
	/* Pass 0 walks cwd (unless path is absolute), pass 1 path. */
	for (pass = 0; pass < 2; pass++) {
		p = pass == 0 ? (path[0] == '/' ? "" : cwd) : path;
		while (*p) {
			const char *c = p;
			size_t n;

			while (*p && *p != '/')
				p++;
			n = (size_t)(p - c);
			if (*p)
				p++;
			if (n == 0 || (n == 1 && c[0] == '.'))
				continue;
			if (n == 2 && c[0] == '.' && c[1] == '.') {
				/* Back to the previous '/', never above the root. */
				while (len > 1 && out[len - 1] != '/')
					len--;
				if (len > 1)
					len--;
				continue;
			}
			if (len > 1) {
				if (len + 1 >= size)
					return -1;
				out[len++] = '/';
			}
			if (len + n >= size)
				return -1;
			memcpy(out + len, c, n);
			len += n;
		}
	}
	out[len] = '\0';
	return 0;
}

const char *sh_path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

enum sh_complete_kind sh_complete_kind(const char *line, size_t *start, size_t cursor)
{
	char first[16] = "";
	size_t i, words = 0;
	bool redir = false;

	if (*start > cursor)
		*start = cursor;
	/* Operators glued to the word end it: "cat>fi" completes "fi". */
	for (i = *start; i < cursor; i++)
		if (is_op(line[i]) || line[i] == ';')
			*start = i + 1;
	for (i = 0; i < *start;) {
		char quote = 0;
		size_t n = 0;

		if (is_blank(line[i])) {
			i++;
			continue;
		}
		if (is_op(line[i]) || line[i] == ';') {
			if (line[i] == '|' || line[i] == ';') {
				words = 0;
				redir = false;
			} else if (line[i] != '&') {
				redir = true;
			}
			i++;
			continue;
		}
		while (i < *start &&
		       (quote || (!is_blank(line[i]) && !is_op(line[i]) && line[i] != ';'))) {
			if (!quote && (line[i] == '"' || line[i] == '\''))
				quote = line[i];
			else if (quote && line[i] == quote)
				quote = 0;
			else if (words == 0 && !redir && n + 1 < sizeof(first))
				first[n++] = line[i];
			i++;
		}
		if (redir) {
			redir = false;
			continue;
		}
		if (words++ == 0)
			first[n] = '\0';
	}
	if (redir || memchr(line + *start, '/', cursor - *start))
		return SH_COMPLETE_PATH;
	if (words == 0)
		return SH_COMPLETE_COMMAND;
	if (words == 1 && !strcmp(first, "run"))
		return SH_COMPLETE_PROGRAM;
	if (words == 1 && !strcmp(first, "help"))
		return SH_COMPLETE_HELP;
	return SH_COMPLETE_PATH;
}

size_t sh_path_split(const char *word, size_t len)
{
	while (len > 0 && word[len - 1] != '/')
		len--;
	return len;
}

bool sh_name_matches(const char *name, const char *prefix, size_t plen)
{
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	if (name[0] == '.' && (plen == 0 || prefix[0] != '.'))
		return false;
	return strncmp(name, prefix, plen) == 0;
}
