/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shell's pure parts, without I/O (host-tested by tests/unit/shell):
 * splitting a command line into the commands of a pipeline with their
 * redirections, joining paths lexically, and what Tab should complete.
 */
#ifndef SHELL_PARSE_H
#define SHELL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Most commands in one pipeline (a | b | c): the app's Kconfig, or 4 (the
 * host unit test). */
#ifdef CONFIG_SHELL_MAX_PIPELINE
#define SH_MAX_STAGES CONFIG_SHELL_MAX_PIPELINE
#else
#define SH_MAX_STAGES 4
#endif

struct sh_stage {
	int argc;
	char **argv; /* argv[argc] == NULL */
};

struct sh_cmdline {
	int nstages; /* 0: an empty line */
	struct sh_stage stage[SH_MAX_STAGES];
	const char *in_path;  /* < FILE (the first command's stdin), or NULL */
	const char *out_path; /* > FILE or >> FILE (the last command's stdout), or NULL */
	bool append;          /* >> */
	bool background;      /* & at the end */
};

/*
 * Split line into cl. Words are separated by blanks; "..." and '...' keep
 * blanks and operators in a word; unquoted |, <, >, >> and & are
 * operators, words of their own even without blanks around them. The
 * words are copied into store (SH_PARSE_STORE(strlen(line)) bytes hold
 * any line); words must hold max_words + SH_MAX_STAGES pointers (a NULL
 * ends each command). At most max_words words and operators in all.
 * 0, or -1 with a message (no "shell: " prefix) in err.
 */
#define SH_PARSE_STORE(len) (2 * (len) + 1)
int sh_parse(const char *line, char *store, char **words, int max_words, struct sh_cmdline *cl,
	     char *err, size_t errsize);

/*
 * Command lines are separated by unquoted ';' ("echo hi > /tmp/a; cat
 * /tmp/a"): the length of the first one in line (up to the ';' or the
 * end; quotes are followed, so "'a;b'" stays whole).
 */
size_t sh_command_length(const char *line);

/*
 * path relative to cwd (an absolute, normalized path), or absolute, made
 * absolute and normalized in out: "." and empty components dropped, ".."
 * takes one away (never above "/"). No file system is asked: this is the
 * lexical rule the C library uses too. 0, or -1 if out is too small.
 */
int sh_path_join(const char *cwd, const char *path, char *out, size_t size);

/* The last component of a normalized path ("/" for "/"). */
const char *sh_path_base(const char *path);

/* What the word being completed is. */
enum sh_complete_kind {
	SH_COMPLETE_COMMAND, /* the first word of a command: builtins and programs */
	SH_COMPLETE_PROGRAM, /* after run: the initrd's programs */
	SH_COMPLETE_HELP,    /* after help: the builtins */
	SH_COMPLETE_PATH,    /* an argument or a redirection's file */
};

/*
 * Which kind of word line[start, cursor) is (start is where the word
 * begins: after the last blank before the cursor). *start moves past
 * operators glued to the word ("a>fi" completes "fi"). For a word with a
 * '/' the kind is always SH_COMPLETE_PATH.
 */
enum sh_complete_kind sh_complete_kind(const char *line, size_t *start, size_t cursor);

/*
 * A path word being completed: the offset of its last component (after
 * the last '/'; 0 if none). The directory to list is word[0, that) ("."
 * when empty), the name prefix the rest.
 */
size_t sh_path_split(const char *word, size_t len);

/* True if a directory entry name completes the prefix: it starts with it,
 * is not "." or "..", and is hidden (a leading '.') only when the prefix
 * is too. */
bool sh_name_matches(const char *name, const char *prefix, size_t plen);

#endif /* SHELL_PARSE_H */
