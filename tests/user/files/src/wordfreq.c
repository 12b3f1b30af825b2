/*
 * wordfreq - count lines, words and bytes, list the most frequent words,
 * and copy a file.
 *
 * usage: wordfreq [-n COUNT] [-o OUTPUT] [-c COPY] FILE...
 *
 * For each FILE prints "lines words bytes name" (like wc), then a total
 * when there is more than one. The COUNT most frequent words of all the
 * files (case folded; ties in alphabetical order) go to OUTPUT, or to the
 * standard output. With -c, the first FILE is copied to COPY and the copy
 * is read back and compared.
 *
 * Portable C: standard I/O and POSIX only. Exit status 0, or 1 after an
 * error (reported on stderr).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_WORD 64
#define HASH_SIZE 257

struct word {
	char text[MAX_WORD];
	long count;
	struct word *next;
};

static struct word *table[HASH_SIZE];
static size_t nwords;
static const char *progname = "wordfreq";

static unsigned int hash(const char *s)
{
	unsigned int h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % HASH_SIZE;
}

static int add_word(const char *w)
{
	unsigned int h = hash(w);
	struct word *p;

	for (p = table[h]; p; p = p->next) {
		if (strcmp(p->text, w) == 0) {
			p->count++;
			return 0;
		}
	}
	p = malloc(sizeof(*p));
	if (!p)
		return -1;
	strcpy(p->text, w);
	p->count = 1;
	p->next = table[h];
	table[h] = p;
	nwords++;
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct word *x = *(const struct word *const *)a;
	const struct word *y = *(const struct word *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->text, y->text);
}

struct counts {
	long lines, words, bytes;
};

static int count_file(const char *name, struct counts *c)
{
	FILE *f = fopen(name, "r");
	char word[MAX_WORD];
	size_t len = 0;
	int ch;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", progname, name, strerror(errno));
		return -1;
	}
	memset(c, 0, sizeof(*c));
	while ((ch = getc(f)) != EOF) {
		c->bytes++;
		if (ch == '\n')
			c->lines++;
		if (isalnum(ch) || ch == '\'') {
			if (len < sizeof(word) - 1)
				word[len++] = (char)tolower(ch);
			continue;
		}
		if (len) {
			word[len] = '\0';
			c->words++;
			if (add_word(word) < 0) {
				fprintf(stderr, "%s: out of memory\n", progname);
				fclose(f);
				return -1;
			}
			len = 0;
		}
	}
	if (len) {
		word[len] = '\0';
		c->words++;
		add_word(word);
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", progname, name);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int write_top(const char *out, long n)
{
	struct word **all = malloc((nwords ? nwords : 1) * sizeof(*all));
	FILE *f = stdout;
	size_t i, k = 0;

	if (!all)
		return -1;
	for (i = 0; i < HASH_SIZE; i++)
		for (struct word *p = table[i]; p; p = p->next)
			all[k++] = p;
	qsort(all, k, sizeof(*all), by_count);
	if (out && !(f = fopen(out, "w"))) {
		fprintf(stderr, "%s: %s: %s\n", progname, out, strerror(errno));
		free(all);
		return -1;
	}
	for (i = 0; i < k && (long)i < n; i++)
		fprintf(f, "%4ld %s\n", all[i]->count, all[i]->text);
	free(all);
	if (f != stdout && fclose(f) != 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, out, strerror(errno));
		return -1;
	}
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	char buf[512], back[512];
	FILE *in, *out;
	size_t n, total = 0;
	struct stat st;

	in = fopen(from, "rb");
	if (!in) {
		fprintf(stderr, "%s: %s: %s\n", progname, from, strerror(errno));
		return -1;
	}
	out = fopen(to, "wb");
	if (!out) {
		fprintf(stderr, "%s: %s: %s\n", progname, to, strerror(errno));
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (fwrite(buf, 1, n, out) != n) {
			fprintf(stderr, "%s: %s: write error\n", progname, to);
			fclose(in);
			fclose(out);
			return -1;
		}
		total += n;
	}
	fclose(out);
	if (stat(to, &st) != 0 || (size_t)st.st_size != total) {
		fprintf(stderr, "%s: %s: wrong size after the copy\n", progname, to);
		fclose(in);
		return -1;
	}
	/* Read both again and compare. */
	rewind(in);
	out = fopen(to, "rb");
	if (!out) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (fread(back, 1, n, out) != n || memcmp(buf, back, n) != 0) {
			fprintf(stderr, "%s: %s: differs from %s\n", progname, to, from);
			fclose(in);
			fclose(out);
			return -1;
		}
	}
	if (fgetc(out) != EOF) {
		fprintf(stderr, "%s: %s: longer than %s\n", progname, to, from);
		fclose(in);
		fclose(out);
		return -1;
	}
	fclose(in);
	fclose(out);
	printf("copied %lu bytes to %s\n", (unsigned long)total, to);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: %s [-n COUNT] [-o OUTPUT] [-c COPY] FILE...\n", progname);
	exit(1);
}

int main(int argc, char **argv)
{
	const char *out = NULL, *copy = NULL;
	struct counts total = { 0, 0, 0 };
	long top = 10;
	int opt, status = 0;

	if (argc > 0 && argv[0][0])
		progname = argv[0];
	while ((opt = getopt(argc, argv, "n:o:c:")) != -1) {
		switch (opt) {
		case 'n':
			top = strtol(optarg, NULL, 10);
			break;
		case 'o':
			out = optarg;
			break;
		case 'c':
			copy = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	for (int i = optind; i < argc; i++) {
		struct counts c;

		if (count_file(argv[i], &c) < 0) {
			status = 1;
			continue;
		}
		printf("%7ld %7ld %7ld %s\n", c.lines, c.words, c.bytes, argv[i]);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (argc - optind > 1)
		printf("%7ld %7ld %7ld total\n", total.lines, total.words, total.bytes);
	if (write_top(out, top) < 0)
		status = 1;
	if (copy && copy_file(argv[optind], copy) < 0)
		status = 1;
	return status;
}
