// SPDX-License-Identifier: Apache-2.0
/*
 * Host tests for the shell's parser, paths and completion rules
 * (samples/shell/src/parse.c). Each line is parsed from a heap copy of
 * exactly its size, into a store of exactly SH_PARSE_STORE bytes, so
 * AddressSanitizer catches a byte read or written past either.
 */
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "unittest.h"

#define MAX_WORDS 16

static struct sh_cmdline cl;
static char *words[MAX_WORDS + SH_MAX_STAGES];
static char err[128];
static char *store, *copy;

static int parse(const char *line)
{
	size_t n = strlen(line);

	free(store);
	free(copy);
	copy = malloc(n + 1);
	memcpy(copy, line, n + 1);
	store = malloc(SH_PARSE_STORE(n));
	err[0] = '\0';
	return sh_parse(copy, store, words, MAX_WORDS, &cl, err, sizeof(err));
}

/* The command i as one string, words joined by '|' (to compare at once). */
static const char *joined(int i)
{
	static char buf[256];
	size_t len = 0;

	buf[0] = '\0';
	for (int k = 0; k < cl.stage[i].argc; k++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", k ? "|" : "",
					cl.stage[i].argv[k]);
	CHECK(cl.stage[i].argv[cl.stage[i].argc] == NULL);
	return buf;
}

static void test_words(void)
{
	CHECK_EQ_INT(parse(""), 0);
	CHECK_EQ_INT(cl.nstages, 0);
	CHECK_EQ_INT(parse("   \t "), 0);
	CHECK_EQ_INT(cl.nstages, 0);
	CHECK_EQ_INT(parse("echo hello   \"a  b\" 'c'"), 0);
	CHECK_EQ_INT(cl.nstages, 1);
	CHECK_EQ_STR(joined(0), "echo|hello|a  b|c");
	CHECK(!cl.in_path && !cl.out_path && !cl.background);
	CHECK_EQ_INT(parse("echo \"a|b\" '>' x\"<\"y"), 0);
	CHECK_EQ_STR(joined(0), "echo|a|b|>|x<y");
	CHECK(!cl.out_path && !cl.in_path);
	CHECK_EQ_INT(parse("echo \"\" x"), 0);
	CHECK_EQ_INT(cl.stage[0].argc, 3);
	CHECK_EQ_STR(cl.stage[0].argv[1], "");
}

static void test_pipes(void)
{
	CHECK_EQ_INT(parse("cat /tmp/a | count-lines"), 0);
	CHECK_EQ_INT(cl.nstages, 2);
	CHECK_EQ_STR(joined(0), "cat|/tmp/a");
	CHECK_EQ_STR(joined(1), "count-lines");
	CHECK_EQ_INT(parse("a|b|c 1|d"), 0);
	CHECK_EQ_INT(cl.nstages, 4);
	CHECK_EQ_STR(joined(2), "c|1");
	CHECK_EQ_STR(joined(3), "d");
	CHECK_EQ_INT(parse("a|b|c|d|e"), -1);
	CHECK_EQ_STR(err, "more than 4 commands in a pipeline (CONFIG_SHELL_MAX_PIPELINE)");
	CHECK_EQ_INT(parse("| a"), -1);
	CHECK_EQ_STR(err, "| needs a command on each side");
	CHECK_EQ_INT(parse("a |"), -1);
	CHECK_EQ_STR(err, "| needs a command on each side");
	CHECK_EQ_INT(parse("a || b"), -1);
	CHECK_EQ_STR(err, "| needs a command on each side");
}

static void test_redirections(void)
{
	CHECK_EQ_INT(parse("echo hi > /tmp/a"), 0);
	CHECK_EQ_STR(joined(0), "echo|hi");
	CHECK_EQ_STR(cl.out_path, "/tmp/a");
	CHECK(!cl.append);
	CHECK_EQ_INT(parse("echo hi>>/tmp/a"), 0);
	CHECK_EQ_STR(joined(0), "echo|hi");
	CHECK_EQ_STR(cl.out_path, "/tmp/a");
	CHECK(cl.append);
	CHECK_EQ_INT(parse("<in cat|count-lines >\"o u t\""), 0);
	CHECK_EQ_INT(cl.nstages, 2);
	CHECK_EQ_STR(cl.in_path, "in");
	CHECK_EQ_STR(cl.out_path, "o u t");
	CHECK_EQ_STR(joined(0), "cat");
	CHECK_EQ_STR(joined(1), "count-lines");
	CHECK_EQ_INT(parse("cat < a > b x"), 0);
	CHECK_EQ_STR(joined(0), "cat|x");
	CHECK_EQ_INT(parse("a | b < f"), -1);
	CHECK_EQ_STR(err, "< goes with the first command of a pipeline");
	CHECK_EQ_INT(parse("a > f | b"), -1);
	CHECK_EQ_STR(err, "> goes with the last command of a pipeline");
	CHECK_EQ_INT(parse("echo >"), -1);
	CHECK_EQ_STR(err, "> needs a file name");
	CHECK_EQ_INT(parse("echo a >>> b"), -1);
	CHECK_EQ_STR(err, ">> needs a file name, not >");
	CHECK_EQ_INT(parse("echo a > | b"), -1);
	CHECK_EQ_STR(err, "> needs a file name, not |");
	CHECK_EQ_INT(parse("echo a > x > y"), -1);
	CHECK_EQ_STR(err, "more than one > or >>");
	CHECK_EQ_INT(parse("cat < x < y"), -1);
	CHECK_EQ_STR(err, "more than one <");
	CHECK_EQ_INT(parse("> x"), -1);
	CHECK_EQ_STR(err, "a redirection needs a command");
	CHECK_EQ_INT(parse("cat <"), -1);
	CHECK_EQ_STR(err, "< needs a file name");
}

static void test_background(void)
{
	CHECK_EQ_INT(parse("run count 3 &"), 0);
	CHECK(cl.background);
	CHECK_EQ_STR(joined(0), "run|count|3");
	CHECK_EQ_INT(parse("count 3&"), 0);
	CHECK(cl.background);
	CHECK_EQ_STR(joined(0), "count|3");
	CHECK_EQ_INT(parse("echo a & b"), -1);
	CHECK_EQ_STR(err, "& goes at the end of the line");
	CHECK_EQ_INT(parse("echo a & &"), -1);
	CHECK_EQ_STR(err, "& goes at the end of the line");
	CHECK_EQ_INT(parse("&"), -1);
	CHECK_EQ_STR(err, "& needs a command before it");
	CHECK_EQ_INT(parse("count 3 > /tmp/c &"), 0);
	CHECK(cl.background);
	CHECK_EQ_STR(cl.out_path, "/tmp/c");
}

static void test_limits(void)
{
	CHECK_EQ_INT(parse("echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"), 0);
	CHECK_EQ_INT(cl.stage[0].argc, 16);
	CHECK_EQ_INT(parse("echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"), -1);
	CHECK_EQ_STR(err, "more than 16 words (CONFIG_SHELL_MAX_ARGS)");
	/* Operators count as words: the words array never overflows. */
	CHECK_EQ_INT(parse("a|b|c|d 1 2 3 4 5 6 7 8 9"), 0);
	CHECK_EQ_INT(parse("a|b|c|d 1 2 3 4 5 6 7 8 9 10"), -1);
	CHECK_EQ_INT(parse("echo \"abc"), -1);
	CHECK_EQ_STR(err, "a \" quote is not closed");
	CHECK_EQ_INT(parse("echo 'abc"), -1);
	CHECK_EQ_STR(err, "a ' quote is not closed");
}

/* Random lines of the shell's alphabet: never a crash or an overflow
 * (ASan), and every command has at least one word. */
static void test_fuzz(void)
{
	static const char alphabet[] = "ab /.|<>&\"' \t";
	char line[40];
	unsigned int seed = 12345;

	for (int i = 0; i < 200000; i++) {
		size_t n = (seed = seed * 1103515245u + 12345u) >> 16 & 31;

		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			line[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		line[n] = '\0';
		if (parse(line) == 0) {
			for (int s = 0; s < cl.nstages; s++)
				if (cl.stage[s].argc < 1 || cl.stage[s].argv[cl.stage[s].argc])
					CHECK(!"a command without words, or without its NULL");
		} else if (!err[0]) {
			CHECK(!"an error without a message");
		}
	}
}

static const char *join(const char *cwd, const char *path)
{
	static char out[64];

	if (sh_path_join(cwd, path, out, sizeof(out)) < 0)
		return "(too long)";
	return out;
}

static void test_paths(void)
{
	char small[6];

	CHECK_EQ_STR(join("/", "a"), "/a");
	CHECK_EQ_STR(join("/", ""), "/");
	CHECK_EQ_STR(join("/tmp", "a/b"), "/tmp/a/b");
	CHECK_EQ_STR(join("/tmp", "/bin"), "/bin");
	CHECK_EQ_STR(join("/tmp", ".."), "/");
	CHECK_EQ_STR(join("/tmp", "../../../x"), "/x");
	CHECK_EQ_STR(join("/a/b", "./c/../d//e/."), "/a/b/d/e");
	CHECK_EQ_STR(join("/a/b", "..."), "/a/b/...");
	CHECK_EQ_STR(join("/a/b/", "../"), "/a");
	CHECK_EQ_STR(join("/", "/../.."), "/");
	CHECK_EQ_STR(join("/", ".hidden"), "/.hidden");
	CHECK_EQ_INT(sh_path_join("/", "abcd", small, sizeof(small)), 0);
	CHECK_EQ_STR(small, "/abcd");
	CHECK_EQ_INT(sh_path_join("/", "abcde", small, sizeof(small)), -1);
	CHECK_EQ_INT(sh_path_join("/ab", "cd", small, sizeof(small)), -1);
	CHECK_EQ_INT(sh_path_join("/ab", "c", small, sizeof(small)), 0);
	CHECK_EQ_STR(small, "/ab/c");
	CHECK_EQ_STR(sh_path_base("/a/bc"), "bc");
	CHECK_EQ_STR(sh_path_base("/"), "/");
	CHECK_EQ_STR(sh_path_base("/x"), "x");
}

static enum sh_complete_kind kind(const char *line, size_t *start)
{
	size_t n = strlen(line), s = n;

	while (s > 0 && line[s - 1] != ' ')
		s--;
	*start = s;
	return sh_complete_kind(line, start, n);
}

static void test_complete_kind(void)
{
	size_t start;

	CHECK_EQ_INT(kind("", &start), SH_COMPLETE_COMMAND);
	CHECK_EQ_INT(kind("ec", &start), SH_COMPLETE_COMMAND);
	CHECK_EQ_INT(start, 0);
	CHECK_EQ_INT(kind("  ec", &start), SH_COMPLETE_COMMAND);
	CHECK_EQ_INT(kind("./co", &start), SH_COMPLETE_PATH);
	CHECK_EQ_INT(kind("/bin/co", &start), SH_COMPLETE_PATH);
	CHECK_EQ_INT(kind("run c", &start), SH_COMPLETE_PROGRAM);
	CHECK_EQ_INT(kind("run /bin/c", &start), SH_COMPLETE_PATH);
	CHECK_EQ_INT(kind("run count ", &start), SH_COMPLETE_PATH);
	CHECK_EQ_INT(kind("help hi", &start), SH_COMPLETE_HELP);
	CHECK_EQ_INT(kind("cat /tm", &start), SH_COMPLETE_PATH);
	CHECK_EQ_INT(start, 4);
	CHECK_EQ_INT(kind("cat a | co", &start), SH_COMPLETE_COMMAND);
	CHECK_EQ_INT(kind("cat a |co", &start), SH_COMPLETE_COMMAND);
	CHECK_EQ_INT(start, 7);
	CHECK_EQ_INT(kind("echo a > fi", &start), SH_COMPLETE_PATH);
	CHECK_EQ_INT(kind("echo a>fi", &start), SH_COMPLETE_PATH);
	CHECK_EQ_INT(start, 7);
	CHECK_EQ_INT(kind("< in ca", &start), SH_COMPLETE_COMMAND);
	CHECK_EQ_INT(kind("\"run\" x", &start), SH_COMPLETE_PROGRAM);
	CHECK_EQ_INT(kind("ls ", &start), SH_COMPLETE_PATH);
	CHECK_EQ_INT(sh_path_split("/tmp/ab", 7), 5);
	CHECK_EQ_INT(sh_path_split("ab", 2), 0);
	CHECK_EQ_INT(sh_path_split("a/", 2), 2);
	CHECK(sh_name_matches("abc", "ab", 2));
	CHECK(!sh_name_matches("abc", "b", 1));
	CHECK(sh_name_matches("abc", "", 0));
	CHECK(!sh_name_matches(".", "", 0));
	CHECK(!sh_name_matches("..", ".", 1));
	CHECK(!sh_name_matches(".hid", "", 0));
	CHECK(sh_name_matches(".hid", ".h", 2));
}

static void test_sequences(void)
{
	size_t start;

	CHECK_EQ_INT(sh_command_length("echo hi > /tmp/a; cat /tmp/a"), 16);
	CHECK_EQ_INT(sh_command_length("echo 'a;b' \";\"; x"), 14);
	CHECK_EQ_INT(sh_command_length("no separator"), 12);
	CHECK_EQ_INT(sh_command_length(";"), 0);
	CHECK_EQ_INT(sh_command_length(""), 0);
	CHECK_EQ_INT(sh_command_length("echo 'open;"), 11);
	CHECK_EQ_INT(kind("echo a; ca", &start), SH_COMPLETE_COMMAND);
	CHECK_EQ_INT(kind("echo a;ca", &start), SH_COMPLETE_COMMAND);
	CHECK_EQ_INT(start, 7);
	CHECK_EQ_INT(kind("echo a; run gr", &start), SH_COMPLETE_PROGRAM);
	CHECK_EQ_INT(kind("echo a; cat /t", &start), SH_COMPLETE_PATH);
}

int main(void)
{
	RUN(test_words);
	RUN(test_pipes);
	RUN(test_redirections);
	RUN(test_background);
	RUN(test_limits);
	RUN(test_fuzz);
	RUN(test_paths);
	RUN(test_complete_kind);
	RUN(test_sequences);
	free(store);
	free(copy);
	return ut_summary("shell");
}
