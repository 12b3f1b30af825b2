/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fixdep: per-object configuration headers and per-symbol configuration
 * dependencies for rvOS builds (doc/architecture.md, "What a configuration
 * change rebuilds" and "One configuration header per object").
 *
 * Every C and assembly file is compiled with `-include autoconf.h`. fixdep
 * runs as the compiler launcher (argv after `--`) and does two things:
 *
 * --split: before the compiler runs, it finds the files the source can
 *   include (its #include lines, followed through the -I folders and the
 *   compiler's own, the --system folders), collects the CONFIG_ names that
 *   those outside the compiler's own folders mention (an app outside the
 *   tree too) outside comments and string and character literals
 *   and writes OBJECT.autoconf.h with only those lines of autoconf.h (sorted
 *   by name; rewritten only when they change), which the compiler then
 *   includes instead. Two configurations that agree on what a file reads
 *   give it the same command and the same headers, so ccache's direct mode
 *   finds the object without running the preprocessor. After the compile,
 *   every file the compiler's dependency file names outside the compiler's
 *   own folders must be one the scan reached; if one is not (a search rule
 *   the scan does not follow), or if the compile fails (such a header may
 *   use an option the
 *   object's header lacks), fixdep compiles the file again with the whole
 *   autoconf.h, and shows only that compile's messages. An #include through
 *   a macro compiles with the whole autoconf.h at once. Slower, never wrong.
 *
 * --symbols SYMDIR: when the compile succeeds, it rewrites the dependency
 *   file (-MF) so that instead of autoconf.h (or OBJECT.autoconf.h) the
 *   object depends on one file per CONFIG_ symbol its sources and the
 *   project's headers mention: SYMDIR/NAME, which scripts/kconfig.py
 *   rewrites only when NAME's value changes. A symbol mentioned but not in
 *   the configuration makes the object depend on SYMDIR/.symbols, rewritten
 *   when the set of symbols changes. Without --symbols, an object compiled
 *   with its own header depends on autoconf.h, as if compiled with it.
 *
 *   fixdep [--split [--system DIR]...] [--symbols SYMDIR] AUTOCONF_H SCAN_PREFIX...
 *          -- COMPILER ARGS...
 *
 * Only files under a SCAN_PREFIX (the source tree, the build folder) are
 * scanned: the toolchain's and picolibc's headers mention no CONFIG_ symbol
 * of ours. A failure to rewrite the dependency file leaves the compiler's
 * as it was (every configuration change then rebuilds that object: slower,
 * never wrong).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct strs {
	char **v;
	size_t n, cap;
};

static void push(struct strs *s, char *p)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v) {
			perror("fixdep");
			exit(1);
		}
	}
	s->v[s->n++] = p;
}

static int contains(const struct strs *s, const char *p, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == len && memcmp(s->v[i], p, len) == 0)
			return 1;
	return 0;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap + 1);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = 0;
	*len = n;
	return buf;
}

static int ident(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A GNU C raw string literal (R"delim(...)delim", with an L, u, U or u8
 * prefix or none) somewhere in text: its body is not lexed here. */
static int has_raw_string(const char *text)
{
	for (const char *r = text; (r = strstr(r, "R\"")) != NULL; r++) {
		const char *t = r;
		while (t > text && ident(t[-1]))
			t--;
		size_t n = (size_t)(r - t);
		if (!(n == 0 || (n == 1 && strchr("LuU", *t)) || (n == 2 && strncmp(t, "u8", 2) == 0)))
			continue;
		const char *d = r + 2;
		while (d - r - 2 < 16 && *d && !strchr(" ()\\\t\n\"", *d))
			d++;
		if (*d == '(')
			return 1;
	}
	return 0;
}

/* Reduce text, in place, to what the preprocessor can expand: lines joined
 * where a backslash ends them, comments and string and character literals
 * blanked (a name in them never expands, and comments mention options
 * freely: "-ENOSYS without CONFIG_TRACING"). A literal not closed on its
 * line stays (in assembly, cpp lets it run to the line's end; here its
 * text is scanned: too many names, never too few). A file with a raw
 * string is left as it is. */
static void code_only(char *text)
{
	if (has_raw_string(text))
		return;
	char *w = text;
	for (const char *r = text; *r; r++) {
		if (r[0] == '\\' && r[1] == '\n')
			r++;
		else if (r[0] == '\\' && r[1] == '\r' && r[2] == '\n')
			r += 2;
		else
			*w++ = *r;
	}
	*w = 0;
	for (char *p = text; *p;) {
		if (p[0] == '/' && p[1] == '*') {
			char *end = strstr(p + 2, "*/");
			char *stop = end ? end + 2 : p + strlen(p);
			memset(p, ' ', (size_t)(stop - p));
			p = stop;
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				*p++ = ' ';
		} else if (*p == '"' || *p == '\'') {
			char *e = p + 1;
			while (*e && *e != *p && *e != '\n')
				e += e[0] == '\\' && e[1] && e[1] != '\n' ? 2 : 1;
			if (*e == *p) {
				memset(p, ' ', (size_t)(e + 1 - p));
				p = e + 1;
			} else {
				p++;
			}
		} else {
			p++;
		}
	}
}

/* Every CONFIG_NAME token the preprocessor can expand in text, added to
 * syms (NAME only); text is reduced by code_only on the way. */
static void scan_text(char *text, struct strs *syms)
{
	code_only(text);
	for (const char *p = text; (p = strstr(p, "CONFIG_")) != NULL;) {
		int starts = p == text || !ident(p[-1]);
		const char *name = p + 7, *end = name;
		while (ident(*end))
			end++;
		if (starts && end > name && !contains(syms, name, (size_t)(end - name)))
			push(syms, strndup(name, (size_t)(end - name)));
		p = end;
	}
}

static void scan(const char *path, struct strs *syms)
{
	size_t len;
	char *text = read_all(path, &len);
	if (!text)
		return;
	scan_text(text, syms);
	free(text);
}

static int under(const char *abs, char **prefixes, int nprefixes)
{
	for (int p = 0; p < nprefixes; p++)
		if (starts_with(abs, prefixes[p]))
			return 1;
	return 0;
}

/* --- the split: the files a source can include, and what they mention --- */

struct file_id {
	dev_t dev;
	ino_t ino;
};

static int same_file(const struct stat *st, const struct file_id *id)
{
	return st->st_dev == id->dev && st->st_ino == id->ino;
}

struct closure {
	struct strs files;      /* the files reached, the source first */
	struct file_id *ids;    /* their device and inode numbers */
	struct strs syms;       /* the CONFIG_ names mentioned outside the compiler's own */
	struct strs dirs;       /* -I folders, then the compiler's own (--system) */
	struct strs system;     /* the compiler's own, each with a final '/' */
	int opaque;             /* an #include the scan cannot follow */
};

/* path without "." and "name/.." steps (the folders it names are real
 * paths, so no symbolic link is stepped over). */
static void normalize(char *path)
{
	char *w = path;
	for (char *r = path; *r;) {
		if (r[0] == '/' && r[1] == '/') {
			r++;
		} else if (r[0] == '/' && r[1] == '.' && (r[2] == '/' || !r[2])) {
			r += 2;
		} else if (r[0] == '/' && r[1] == '.' && r[2] == '.' && (r[3] == '/' || !r[3]) &&
			   w > path) {
			while (w > path && *--w != '/')
				;
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = 0;
	if (w == path)
		strcpy(path, "/");
}

static int reached(const struct closure *c, const struct stat *st)
{
	for (size_t i = 0; i < c->files.n; i++)
		if (same_file(st, &c->ids[i]))
			return 1;
	return 0;
}

/* Add path, when it exists, to the files to scan. */
static int reach(struct closure *c, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if (reached(c, &st))
		return 1;
	char *copy = strdup(path);
	if (!copy)
		exit(1);
	normalize(copy);
	if (c->files.n == c->files.cap || !c->ids) {
		c->ids = realloc(c->ids, (c->files.cap ? 2 * c->files.cap : 64) * sizeof(*c->ids));
		if (!c->ids)
			exit(1);
	}
	c->ids[c->files.n] = (struct file_id){st.st_dev, st.st_ino};
	push(&c->files, copy);
	return 1;
}

/* The target of one #include (or #include_next) line: the including file's
 * folder first for "name", then the -I folders, then the compiler's own
 * (picolibc's headers include some of lib/include's through -I).
 * #include_next takes every match, a superset of the one the compiler takes.
 * A name found nowhere is left to the compiler, and to the check after it. */
static void follow(struct closure *c, const char *from, const char *name, int quoted, int next)
{
	char path[4096];
	if (name[0] == '/') {
		reach(c, name);
		return;
	}
	if (quoted && !next) {
		const char *slash = strrchr(from, '/');
		int n = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash ? slash - from : 1),
				 slash ? from : ".", name);
		if (n < 0 || (size_t)n >= sizeof(path))
			c->opaque = 1;
		else if (reach(c, path))
			return;
	}
	for (size_t i = 0; i < c->dirs.n; i++) {
		int n = snprintf(path, sizeof(path), "%s/%s", c->dirs.v[i], name);
		if (n < 0 || (size_t)n >= sizeof(path))
			c->opaque = 1;
		else if (reach(c, path) && !next)
			return;
	}
}

static void scan_includes(struct closure *c, const char *from, char *text)
{
	for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '#')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		int next = 0;
		if (starts_with(p, "include_next"))
			next = 1, p += 12;
		else if (starts_with(p, "include"))
			p += 7;
		else
			continue;
		if (ident(*p))
			continue;       /* #includes, say */
		while (*p == ' ' || *p == '\t')
			p++;
		char close = *p == '"' ? '"' : *p == '<' ? '>' : 0;
		char *end = close ? strchr(p + 1, close) : NULL;
		char *nl = strchr(p, '\n');
		if (!end || (nl && end > nl)) {
			c->opaque = 1;  /* #include MACRO: its target is unknown here */
			continue;
		}
		char name[4096];
		snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
		follow(c, from, name, close == '"', next);
	}
}

static void build_closure(struct closure *c, const char *source)
{
	if (!reach(c, source)) {
		c->opaque = 1;
		return;
	}
	for (size_t i = 0; i < c->files.n; i++) {
		size_t len;
		char *text = read_all(c->files.v[i], &len);
		if (!text) {
			c->opaque = 1;
			return;
		}
		scan_includes(c, c->files.v[i], text);
		if (!under(c->files.v[i], c->system.v, (int)c->system.n))
			scan_text(text, &c->syms);
		free(text);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* OBJECT.autoconf.h: the lines of autoconf.h that define a name the
 * closure mentions, sorted by name; written only when it changes. */
static int write_header(const char *path, const char *autoconf, struct strs *syms)
{
	size_t len, oldlen;
	char *conf = read_all(autoconf, &len);
	if (!conf)
		return -1;
	qsort(syms->v, syms->n, sizeof(*syms->v), by_name);
	size_t cap = 256, n = 0;
	char *out = malloc(cap);
	for (size_t i = 0; out && i < syms->n; i++) {
		char key[512];
		int klen = snprintf(key, sizeof(key), "#define CONFIG_%s", syms->v[i]);
		for (char *line = conf; line && *line;) {
			char *nl = strchr(line, '\n');
			size_t llen = nl ? (size_t)(nl - line + 1) : strlen(line);
			if (llen > (size_t)klen && strncmp(line, key, klen) == 0 &&
			    (line[klen] == ' ' || line[klen] == '\n')) {
				while (n + llen + 2 > cap)
					out = realloc(out, cap *= 2);
				if (!out)
					break;
				memcpy(out + n, line, llen);
				n += llen;
				if (line[llen - 1] != '\n')
					out[n++] = '\n';
				break;
			}
			line = nl ? nl + 1 : NULL;
		}
	}
	free(conf);
	if (!out)
		return -1;
	char *old = read_all(path, &oldlen);
	int same = old && oldlen == n && memcmp(old, out, n) == 0;
	free(old);
	if (!same) {
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		FILE *f = fopen(tmp, "w");
		if (!f || fwrite(out, 1, n, f) != n || fclose(f) != 0 || rename(tmp, path) != 0) {
			unlink(tmp);
			free(out);
			return -1;
		}
	}
	free(out);
	return 0;
}

/* --- the compiler's dependency file --- */

/* The prerequisites of a gcc dependency file (after the first ':'), with
 * backslash-newlines and escaped spaces undone. */
static char *parse_deps(char *text, char **target, struct strs *deps)
{
	char *colon = strstr(text, ": ");
	if (!colon)
		colon = strchr(text, ':');
	if (!colon)
		return NULL;
	*colon = 0;
	*target = text;
	char *out = colon + 1, *w = out;
	for (char *r = out; *r; r++) {
		if (r[0] == '\\' && r[1] == '\n') {
			*w++ = ' ';
			r++;
		} else if (r[0] == '\\' && r[1] == ' ') {
			*w++ = '\x01';          /* an escaped space inside a name */
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
	for (char *tok = strtok(out, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
		for (char *c = tok; *c; c++)
			if (*c == '\x01')
				*c = ' ';
		push(deps, tok);
	}
	return out;
}

static void put_name(FILE *f, const char *name)
{
	fputs(" \\\n ", f);
	for (; *name; name++) {
		if (*name == ' ')
			fputc('\\', f);
		fputc(*name, f);
	}
}

static void real_or_same(const char *path, char *out, size_t size)
{
	if (!realpath(path, out))
		snprintf(out, size, "%s", path);
}

static struct file_id id_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return (struct file_id){0, 0};
	return (struct file_id){st.st_dev, st.st_ino};
}

/* A file the compiler read under a prefix that the split's scan did not
 * reach (its name in missed), or none: 0. */
static int unscanned(const char *depfile, const struct closure *c, const char *header,
		     char *missed, size_t size)
{
	size_t len;
	char *text = read_all(depfile, &len), *target;
	struct strs deps = {0};
	if (!text || !parse_deps(text, &target, &deps)) {
		snprintf(missed, size, "%s (unreadable)", depfile);
		free(text);
		return 1;
	}
	struct file_id own = id_of(header);
	int found = 0;
	for (size_t i = 0; i < deps.n && !found; i++) {
		struct stat st;
		char real[4096];
		if (stat(deps.v[i], &st) == 0 && (reached(c, &st) || same_file(&st, &own)))
			continue;
		real_or_same(deps.v[i], real, sizeof(real));
		if (!under(real, c->system.v, (int)c->system.n)) {
			snprintf(missed, size, "%s", deps.v[i]);
			found = 1;
		}
	}
	free(deps.v);
	free(text);
	return found;
}

/* Rewrite the dependency file: the configuration header the object was
 * compiled with (autoconf.h or its own) becomes, with symdir, one file per
 * CONFIG_ name the files under a prefix mention, or, without, autoconf.h. */
static int rewrite(const char *depfile, const char *symdir, const char *autoconf,
		   const char *header, char **prefixes, int nprefixes)
{
	size_t len;
	char *text = read_all(depfile, &len);
	if (!text)
		return -1;
	char *target;
	struct strs deps = {0}, syms = {0};
	if (!parse_deps(text, &target, &deps))
		return -1;
	struct file_id own = id_of(header);

	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.fixdep", depfile);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fputs(target, f);
	fputc(':', f);
	int dropped = 0;
	for (size_t i = 0; i < deps.n; i++) {
		const char *d = deps.v[i];
		struct stat st;
		if (stat(d, &st) == 0 && same_file(&st, &own)) {
			dropped = 1;
			continue;
		}
		put_name(f, d);
		char real[4096];
		if (symdir && realpath(d, real) && under(real, prefixes, nprefixes))
			scan(real, &syms);
	}
	if (!dropped) {
		/* Not compiled with a configuration header: nothing to replace. */
		fclose(f);
		unlink(tmp);
		return 0;
	}
	if (!symdir) {
		put_name(f, autoconf);
	} else {
		int unknown = 0;
		for (size_t i = 0; i < syms.n; i++) {
			char path[4096];
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", symdir, syms.v[i]);
			if (stat(path, &st) == 0)
				put_name(f, path);
			else
				unknown = 1;
		}
		if (unknown) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/.symbols", symdir);
			put_name(f, path);
		}
	}
	fputc('\n', f);
	if (fclose(f) != 0 || rename(tmp, depfile) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Run cmd; with errors >= 0, its standard error goes to that descriptor. */
static int run(char **cmd, int errors)
{
	pid_t pid;
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	if (errors >= 0)
		posix_spawn_file_actions_adddup2(&actions, errors, 2);
	int err = posix_spawnp(&pid, cmd[0], &actions, NULL, cmd, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (err) {
		fprintf(stderr, "fixdep: cannot run %s: %s\n", cmd[0], strerror(err));
		return 127;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("fixdep: waitpid");
			return 1;
		}
	}
	if (!WIFEXITED(status))
		return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WEXITSTATUS(status);
}

/* The value of a compiler option given as "-Xvalue" or "-X value". */
static const char *option(char **a, const char *opt)
{
	size_t n = strlen(opt);
	if (strcmp(*a, opt) == 0)
		return a[1];
	if (strncmp(*a, opt, n) == 0 && (*a)[n])
		return *a + n;
	return NULL;
}

int main(int argc, char **argv)
{
	int split = 0, i = 1;
	const char *symdir = NULL;
	struct strs system = {0};
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--split") == 0)
			split = 1;
		else if (strcmp(argv[i], "--symbols") == 0 && i + 1 < argc)
			symdir = argv[++i];
		else if (strcmp(argv[i], "--system") == 0 && i + 1 < argc)
			push(&system, argv[++i]);
		else
			break;
	}
	int sep = 0;
	for (int j = i; j < argc; j++) {
		if (strcmp(argv[j], "--") == 0) {
			sep = j;
			break;
		}
	}
	if (sep < i + 2 || sep + 1 >= argc) {
		fprintf(stderr, "usage: fixdep [--split [--system DIR]...] [--symbols SYMDIR] AUTOCONF_H "
				"SCAN_PREFIX... -- COMPILER ARGS...\n");
		return 2;
	}
	const char *autoconf = argv[i];
	char **prefixes = argv + i + 1;
	int nprefixes = sep - i - 1;
	char **cmd = argv + sep + 1;

	const char *depfile = NULL, *object = NULL, *source = NULL;
	char **include = NULL;  /* the argument naming autoconf.h after -include */
	struct closure c = {0};
	for (char **a = cmd; *a; a++) {
		const char *v;
		if ((v = option(a, "-MF")))
			depfile = v;
		else if ((v = option(a, "-o")))
			object = v;
		else if (strcmp(*a, "-c") == 0 && a[1])
			source = a[1];
		else if (strcmp(*a, "-include") == 0 && a[1] && strcmp(a[1], autoconf) == 0)
			include = a + 1;
		else if ((v = option(a, "-I")))
			push(&c.dirs, (char *)v);
	}
	/* The scan's folders as real paths, so that what it reaches can be
	 * told to lie under a prefix without resolving every file. */
	for (size_t k = 0; k < c.dirs.n; k++) {
		char real[4096];
		if (realpath(c.dirs.v[k], real))
			c.dirs.v[k] = strdup(real);
	}
	char source_real[4096];
	if (source && realpath(source, source_real))
		source = strdup(source_real);

	for (size_t k = 0; k < system.n; k++) {
		char real[4096], *slashed;
		if (!realpath(system.v[k], real) || asprintf(&slashed, "%s/", real) < 0)
			continue;
		push(&c.dirs, strdup(real));
		push(&c.system, slashed);
	}
	char header[4096] = "";
	if (split && include && object && source && depfile) {
		snprintf(header, sizeof(header), "%s.autoconf.h", object);
		build_closure(&c, source);
		if (c.opaque || write_header(header, autoconf, &c.syms) != 0)
			header[0] = 0;  /* compile with the whole autoconf.h */
		else
			*include = header;
	}

	int rc;
	if (!header[0]) {
		rc = run(cmd, -1);
		if (rc != 0)
			return rc;
	} else {
		/* The compiler's messages wait in a file: a compile that fails with
		 * the object's own header (one the scan missed may use an option it
		 * lacks) runs again with the whole autoconf.h, and only that run's
		 * messages are shown. */
		FILE *messages = tmpfile();
		rc = run(cmd, messages ? fileno(messages) : -1);
		char missed[4096] = "";
		if (rc == 0 && unscanned(depfile, &c, header, missed, sizeof(missed)))
			fprintf(stderr, "fixdep: note: %s: the compiler read %s, which the scan of "
					"%s's #include lines did not reach: compiling it again with the "
					"whole %s\n", object, missed, source, autoconf);
		if (rc != 0 || missed[0]) {
			if (messages)
				fclose(messages);
			*include = (char *)autoconf;
			header[0] = 0;
			int failed = rc != 0;
			rc = run(cmd, -1);
			if (rc != 0)
				return rc;
			if (failed)
				fprintf(stderr, "fixdep: note: %s: compiled with the whole %s: the compile "
						"with the options the scan of %s's #include lines found failed\n",
					object, autoconf, source);
		} else if (messages) {
			char buf[8192];
			size_t n;
			rewind(messages);
			while ((n = fread(buf, 1, sizeof(buf), messages)) > 0)
				fwrite(buf, 1, n, stderr);
			fclose(messages);
		}
	}
	if (!depfile || (!symdir && !header[0]))
		return 0;
	if (rewrite(depfile, symdir, autoconf, header[0] ? header : autoconf, prefixes,
		    nprefixes) != 0)
		fprintf(stderr, "fixdep: warning: could not rewrite %s; this object will rebuild "
				"on every configuration change\n", depfile);
	return 0;
}
