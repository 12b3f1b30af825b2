/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shell's file commands (doc/shell.md): ls, cat, cp, mv, rm, mkdir,
 * rmdir, touch, stat, df, pwd, cd, and Tab on paths. Every path is made
 * absolute against the shell's working directory (parse.c's lexical rule,
 * the C library's too) and sent to the root connection init gave the
 * shell (rvos/fs.h): the shell keeps no connection to its working
 * directory, so cd is a string operation checked with one STATAT.
 *
 * What a command prints goes to sh_out (the terminal, a file, a pipe);
 * errors go to the terminal as "cmd: path: No such file or directory".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rvos/fs.h>
#include <rvos/user.h>

#include "shell.h"

#define PATH_BYTES (FS_PATH_MAX + 1)
#define DIRBUF_BYTES 1024 /* one READDIR reply */

static char iobuf[FS_IO_MAX]; /* file data on its way: one READ */

int sh_file_error(const char *cmd, const char *path, int err)
{
	/* The root connection closed: the server ended (init restarts it,
	 * but the connections it served are gone for good). */
	if (err == -RV_EPEERCLOSED)
		printf("%s: %s: the file server ended (init restarts it, but this shell's "
		       "connection to it is gone)\n", cmd, path);
	else
		printf("%s: %s: %s\n", cmd, path, sh_strerror(err));
	return err;
}

static bool is_dir(uint32_t mode)
{
	return (mode & FS_S_IFMT) == FS_S_IFDIR;
}

/* -l's "drwxr-xr-x". */
static void mode_string(uint32_t mode, char s[11])
{
	static const char rwx[] = "rwxrwxrwx";

	switch (mode & FS_S_IFMT) {
	case FS_S_IFDIR: s[0] = 'd'; break;
	case FS_S_IFLNK: s[0] = 'l'; break;
	case FS_S_IFREG: s[0] = '-'; break;
	default: s[0] = '?';
	}
	for (int i = 0; i < 9; i++)
		s[1 + i] = mode & (0400u >> i) ? rwx[i] : '-';
	s[10] = '\0';
}

static const char *type_name(uint32_t mode)
{
	switch (mode & FS_S_IFMT) {
	case FS_S_IFDIR: return "directory";
	case FS_S_IFLNK: return "symbolic link";
	case FS_S_IFREG: return "regular file";
	default: return "other";
	}
}

/* A time in ns since 1970 as "2026-12-04 17:40" (UTC), or with seconds
 * and nanoseconds. */
static void time_string(uint64_t ns, bool full, char *buf, size_t size)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	if (full)
		snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%09llu", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (unsigned long long)(ns % 1000000000ull));
	else
		snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* A directory's entries, sorted (malloc'd: free with names_free). */
struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	*ns = (struct names){0};
}

static int names_add(struct names *ns, const char *name)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 16;
		char **v = realloc(ns->v, cap * sizeof(*v));

		if (!v)
			return -RV_ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	if (!(ns->v[ns->n] = strdup(name)))
		return -RV_ENOMEM;
	ns->n++;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every entry of the open directory d (with "." and ".." when all; else
 * without names starting with '.'), sorted. */
static int read_names(rv_handle_t d, bool all, struct names *ns)
{
	char buf[DIRBUF_BYTES];
	struct fs_dirent de;
	long n;
	int ret;

	while ((n = fs_readdir(d, buf, sizeof(buf))) > 0) {
		size_t pos = 0;

		while ((ret = fs_dirent_next(buf, (size_t)n, &pos, &de)) == 1) {
			if (!all && de.name[0] == '.')
				continue;
			if ((ret = names_add(ns, de.name)) < 0)
				return ret;
		}
		if (ret < 0)
			return ret;
	}
	if (n < 0)
		return (int)n;
	qsort(ns->v, ns->n, sizeof(*ns->v), name_cmp);
	return 0;
}

/* ---- pwd, cd ---- */

int cmd_pwd(int argc, char **argv)
{
	if (argc != 1) {
		printf("usage: pwd\n");
		return -1;
	}
	return sh_printf("%s\n", sh_cwd);
}

int cmd_cd(int argc, char **argv)
{
	char abs[PATH_BYTES];
	struct fs_stat st;
	const char *path = argc > 1 ? argv[1] : "/";
	int ret;

	if (argc > 2) {
		printf("usage: cd [DIR]\n");
		return -1;
	}
	if ((ret = sh_resolve("cd", path, abs)) < 0)
		return ret;
	ret = fs_statat(sh_root, abs, 0, &st);
	if (ret == 0 && !is_dir(st.mode))
		ret = -RV_ENOTDIR;
	if (ret < 0)
		return sh_file_error("cd", path, ret);
	strcpy(sh_cwd, abs);
	return 0;
}

/* ---- ls ---- */

static int ls_long(rv_handle_t dir, const char *name, const char *shown)
{
	char mode[11], when[24], target[256];
	struct fs_stat st;
	int ret;

	ret = fs_statat(dir, name, FS_AT_NOFOLLOW, &st);
	if (ret < 0)
		return sh_file_error("ls", shown, ret);
	mode_string(st.mode, mode);
	time_string(st.mtime_ns, false, when, sizeof(when));
	ret = sh_printf("%s %3u %8llu %s %s", mode, (unsigned int)st.nlink,
			(unsigned long long)st.size, when, shown);
	if ((st.mode & FS_S_IFMT) == FS_S_IFLNK && fs_readlink(dir, name, target,
							       sizeof(target)) >= 0)
		ret = sh_printf(" -> %s", target);
	return ret < 0 ? ret : sh_printf("\n");
}

static int ls_dir(const char *shown, const char *abs, bool lng, bool all)
{
	struct names ns = {0};
	rv_handle_t d;
	int ret;

	ret = fs_open(sh_root, abs, FS_O_READ | FS_O_DIRECTORY, 0, &d, NULL);
	if (ret < 0)
		return sh_file_error("ls", shown, ret);
	ret = read_names(d, all, &ns);
	if (ret < 0)
		sh_file_error("ls", shown, ret);
	for (size_t i = 0; i < ns.n && sh_out->err == 0; i++) {
		if (lng)
			ls_long(d, ns.v[i], ns.v[i]);
		else
			sh_printf("%s\n", ns.v[i]);
	}
	names_free(&ns);
	rv_handle_close(d);
	return ret;
}

int cmd_ls(int argc, char **argv)
{
	bool lng = false, all = false;
	char abs[PATH_BYTES];
	struct fs_stat st;
	int i, first, ret = 0;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'l') {
				lng = true;
			} else if (*o == 'a') {
				all = true;
			} else {
				printf("ls: unknown option -%c\nusage: ls [-l] [-a] [PATH...]\n", *o);
				return -1;
			}
		}
	}
	first = i;
	if (first == argc) {
		if ((ret = sh_resolve("ls", ".", abs)) < 0)
			return ret;
		return ls_dir(".", abs, lng, all);
	}
	for (i = first; i < argc; i++) {
		int r;

		if ((r = sh_resolve("ls", argv[i], abs)) < 0) {
			ret = r;
			continue;
		}
		r = fs_statat(sh_root, abs, 0, &st);
		if (r < 0) {
			ret = sh_file_error("ls", argv[i], r);
			continue;
		}
		if (!is_dir(st.mode)) {
			r = lng ? ls_long(sh_root, abs, argv[i]) : sh_printf("%s\n", argv[i]);
			continue;
		}
		if (argc - first > 1)
			sh_printf("%s%s:\n", i > first ? "\n" : "", argv[i]);
		if ((r = ls_dir(argv[i], abs, lng, all)) < 0)
			ret = r;
	}
	return ret;
}

/* ---- cat ---- */

/* The whole file h to sh_out. */
static int copy_out(const char *cmd, const char *shown, rv_handle_t h)
{
	long n;

	while ((n = fs_read(h, iobuf, sizeof(iobuf))) > 0)
		if (sh_write(iobuf, (size_t)n) < 0)
			return sh_out->err; /* a closed pipe, a full disk: reported by the caller */
	if (n < 0)
		return sh_file_error(cmd, shown, (int)n);
	return 0;
}

int cmd_cat(int argc, char **argv)
{
	char abs[PATH_BYTES];
	int ret = 0;

	if (argc == 1) {
		long n;

		if (sh_in->kind == IO_CONSOLE) {
			printf("usage: cat FILE... (or input from < FILE or a pipe)\n");
			return -1;
		}
		while ((n = sh_read(iobuf, sizeof(iobuf))) > 0)
			if (sh_write(iobuf, (size_t)n) < 0)
				break;
		if (n < 0)
			return sh_file_error("cat", "stdin", (int)n);
		return 0;
	}
	for (int i = 1; i < argc && sh_out->err == 0; i++) {
		rv_handle_t h;
		uint32_t mode;
		int r;

		if ((r = sh_resolve("cat", argv[i], abs)) < 0) {
			ret = r;
			continue;
		}
		r = fs_open(sh_root, abs, FS_O_READ, 0, &h, &mode);
		if (r < 0) {
			ret = sh_file_error("cat", argv[i], r);
			continue;
		}
		if (is_dir(mode))
			ret = sh_file_error("cat", argv[i], -RV_EISDIR);
		else if ((r = copy_out("cat", argv[i], h)) < 0)
			ret = r;
		rv_handle_close(h);
	}
	return ret;
}

/* ---- cp, mv ---- */

/* dst, or dst/<last component of src> when dst is a directory. */
static void target_path(const char *src_abs, const char *dst_abs, char *out)
{
	struct fs_stat st;

	strcpy(out, dst_abs);
	if (fs_statat(sh_root, dst_abs, 0, &st) == 0 && is_dir(st.mode) &&
	    strlen(dst_abs) + 1 + strlen(sh_path_base(src_abs)) < PATH_BYTES) {
		if (strcmp(dst_abs, "/") != 0)
			strcat(out, "/");
		strcat(out, sh_path_base(src_abs));
	}
}

/* Copy the regular file src to dst (created or truncated, src's
 * permissions). Errors printed as cmd's. */
static int copy_file(const char *cmd, const char *src_shown, const char *src,
		     const char *dst_shown, const char *dst)
{
	struct fs_stat s, d;
	rv_handle_t in, out;
	long n = 0;
	int ret;

	ret = fs_statat(sh_root, src, 0, &s);
	if (ret < 0)
		return sh_file_error(cmd, src_shown, ret);
	if (is_dir(s.mode)) {
		printf("%s: %s: %s (no -r)\n", cmd, src_shown, sh_strerror(-RV_EISDIR));
		return -RV_EISDIR;
	}
	if (fs_statat(sh_root, dst, 0, &d) == 0 && d.ino == s.ino && d.dev == s.dev) {
		printf("%s: '%s' and '%s' are the same file\n", cmd, src_shown, dst_shown);
		return -RV_EINVAL;
	}
	ret = fs_open(sh_root, src, FS_O_READ, 0, &in, NULL);
	if (ret < 0)
		return sh_file_error(cmd, src_shown, ret);
	ret = fs_open(sh_root, dst, FS_O_WRITE | FS_O_CREAT | FS_O_TRUNC, s.mode & 0777, &out,
		      NULL);
	if (ret < 0) {
		rv_handle_close(in);
		return sh_file_error(cmd, dst_shown, ret);
	}
	while ((n = fs_read(in, iobuf, sizeof(iobuf))) > 0) {
		long w = fs_write_full(out, iobuf, (size_t)n);

		if (w < 0) {
			ret = sh_file_error(cmd, dst_shown, (int)w);
			break;
		}
	}
	if (n < 0)
		ret = sh_file_error(cmd, src_shown, (int)n);
	rv_handle_close(in);
	rv_handle_close(out);
	return ret;
}

/* cp and mv: SRC DST, or SRC... DIR. */
static int two_paths(const char *cmd, int argc, char **argv, bool move)
{
	char *src = NULL, *dst = NULL, *to = NULL;
	struct fs_stat st;
	int ret = -RV_ENOMEM, r;

	if (argc < 3) {
		printf("usage: %s SOURCE DEST, or %s SOURCE... DIRECTORY\n", cmd, cmd);
		return -1;
	}
	src = malloc(PATH_BYTES);
	dst = malloc(PATH_BYTES);
	to = malloc(PATH_BYTES);
	if (!src || !dst || !to)
		goto out;
	if ((ret = sh_resolve(cmd, argv[argc - 1], dst)) < 0)
		goto out;
	if (argc > 3 && (fs_statat(sh_root, dst, 0, &st) < 0 || !is_dir(st.mode))) {
		ret = sh_file_error(cmd, argv[argc - 1], -RV_ENOTDIR);
		goto out;
	}
	ret = 0;
	for (int i = 1; i < argc - 1; i++) {
		if ((r = sh_resolve(cmd, argv[i], src)) < 0) {
			ret = r;
			continue;
		}
		target_path(src, dst, to);
		if (!move) {
			if ((r = copy_file(cmd, argv[i], src, argv[argc - 1], to)) < 0)
				ret = r;
			continue;
		}
		r = fs_rename(sh_root, src, to);
		if (r == -RV_EXDEV) {
			/* Another file system: copy, then remove the original. */
			r = copy_file(cmd, argv[i], src, argv[argc - 1], to);
			if (r == 0 && (r = fs_unlink(sh_root, src, 0)) < 0)
				sh_file_error(cmd, argv[i], r);
		} else if (r < 0) {
			/* Whose fault: the source if it is missing, else the target. */
			bool src_ok = fs_statat(sh_root, src, FS_AT_NOFOLLOW, &st) == 0;

			sh_file_error(cmd, src_ok ? argv[argc - 1] : argv[i], r);
		}
		if (r < 0)
			ret = r;
	}
out:
	free(src);
	free(dst);
	free(to);
	return ret;
}

int cmd_cp(int argc, char **argv)
{
	return two_paths("cp", argc, argv, false);
}

int cmd_mv(int argc, char **argv)
{
	return two_paths("mv", argc, argv, true);
}

/* ---- rm, mkdir, rmdir, touch ---- */

/* Remove abs and everything below it. */
static int rm_tree(const char *shown, const char *abs)
{
	struct names ns = {0};
	struct fs_stat st;
	rv_handle_t d;
	char *child;
	int ret;

	ret = fs_statat(sh_root, abs, FS_AT_NOFOLLOW, &st);
	if (ret < 0)
		return sh_file_error("rm", shown, ret);
	if (!is_dir(st.mode)) {
		ret = fs_unlink(sh_root, abs, 0);
		return ret < 0 ? sh_file_error("rm", shown, ret) : 0;
	}
	ret = fs_open(sh_root, abs, FS_O_READ | FS_O_DIRECTORY, 0, &d, NULL);
	if (ret < 0)
		return sh_file_error("rm", shown, ret);
	ret = read_names(d, false, &ns);
	rv_handle_close(d);
	/* read_names skips names starting with '.': read them too. */
	if (ret == 0) {
		struct names dot = {0};

		ret = fs_open(sh_root, abs, FS_O_READ | FS_O_DIRECTORY, 0, &d, NULL);
		if (ret == 0) {
			ret = read_names(d, true, &dot);
			rv_handle_close(d);
		}
		for (size_t i = 0; ret == 0 && i < dot.n; i++)
			if (dot.v[i][0] == '.' && strcmp(dot.v[i], ".") && strcmp(dot.v[i], ".."))
				ret = names_add(&ns, dot.v[i]);
		names_free(&dot);
	}
	child = malloc(PATH_BYTES);
	if (ret == 0 && !child)
		ret = -RV_ENOMEM;
	if (ret < 0)
		sh_file_error("rm", shown, ret);
	for (size_t i = 0; ret == 0 && i < ns.n; i++) {
		if (sh_path_join(abs, ns.v[i], child, PATH_BYTES) < 0) {
			ret = sh_file_error("rm", ns.v[i], -RV_ENAMETOOLONG);
			break;
		}
		ret = rm_tree(child, child);
	}
	free(child);
	names_free(&ns);
	if (ret == 0 && (ret = fs_unlink(sh_root, abs, FS_AT_REMOVEDIR)) < 0)
		sh_file_error("rm", shown, ret);
	return ret;
}

int cmd_rm(int argc, char **argv)
{
	char abs[PATH_BYTES];
	bool rec = false;
	int i = 1, ret = 0;

	if (argc > 1 && !strcmp(argv[1], "-r")) {
		rec = true;
		i++;
	}
	if (i == argc) {
		printf("usage: rm [-r] PATH...\n");
		return -1;
	}
	for (; i < argc; i++) {
		struct fs_stat st;
		int r;

		if ((r = sh_resolve("rm", argv[i], abs)) < 0) {
			ret = r;
			continue;
		}
		if (rec) {
			if (!strcmp(abs, "/")) {
				printf("rm: refusing to remove /\n");
				ret = -RV_EPERM;
			} else if ((r = rm_tree(argv[i], abs)) < 0) {
				ret = r;
			}
			continue;
		}
		r = fs_statat(sh_root, abs, FS_AT_NOFOLLOW, &st);
		if (r == 0 && is_dir(st.mode))
			r = -RV_EISDIR;
		if (r == 0)
			r = fs_unlink(sh_root, abs, 0);
		if (r < 0)
			ret = sh_file_error("rm", argv[i], r);
	}
	return ret;
}

int cmd_mkdir(int argc, char **argv)
{
	char abs[PATH_BYTES];
	bool parents = false;
	int i = 1, ret = 0;

	if (argc > 1 && !strcmp(argv[1], "-p")) {
		parents = true;
		i++;
	}
	if (i == argc) {
		printf("usage: mkdir [-p] DIR...\n");
		return -1;
	}
	for (; i < argc; i++) {
		struct fs_stat st;
		int r;

		if ((r = sh_resolve("mkdir", argv[i], abs)) < 0) {
			ret = r;
			continue;
		}
		if (!parents) {
			if ((r = fs_mkdir(sh_root, abs, 0755)) < 0)
				ret = sh_file_error("mkdir", argv[i], r);
			continue;
		}
		/* Every directory on the way, those there already are fine. */
		for (char *p = abs + 1;; p++) {
			char c = *p;

			if (c != '/' && c != '\0')
				continue;
			*p = '\0';
			r = fs_mkdir(sh_root, abs, 0755);
			if (r == -RV_EEXIST)
				r = fs_statat(sh_root, abs, 0, &st) == 0 && is_dir(st.mode) ?
					    0 : -RV_ENOTDIR;
			*p = c;
			if (r < 0 || !c)
				break;
		}
		if (r < 0)
			ret = sh_file_error("mkdir", argv[i], r);
	}
	return ret;
}

int cmd_rmdir(int argc, char **argv)
{
	char abs[PATH_BYTES];
	int ret = 0;

	if (argc < 2) {
		printf("usage: rmdir DIR...\n");
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		int r;

		if ((r = sh_resolve("rmdir", argv[i], abs)) < 0) {
			ret = r;
			continue;
		}
		if ((r = fs_unlink(sh_root, abs, FS_AT_REMOVEDIR)) < 0)
			ret = sh_file_error("rmdir", argv[i], r);
	}
	return ret;
}

int cmd_touch(int argc, char **argv)
{
	char abs[PATH_BYTES];
	int ret = 0;

	if (argc < 2) {
		printf("usage: touch FILE...\n");
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		struct fs_stat st;
		rv_handle_t h;
		int r;

		if ((r = sh_resolve("touch", argv[i], abs)) < 0) {
			ret = r;
			continue;
		}
		/* There already: left as it is (the protocol sets no times). */
		if (fs_statat(sh_root, abs, 0, &st) == 0)
			continue;
		r = fs_open(sh_root, abs, FS_O_WRITE | FS_O_CREAT, 0644, &h, NULL);
		if (r < 0)
			ret = sh_file_error("touch", argv[i], r);
		else
			rv_handle_close(h);
	}
	return ret;
}

/* ---- stat, df ---- */

int cmd_stat(int argc, char **argv)
{
	char abs[PATH_BYTES], mode[11], t[3][64];
	int ret = 0;

	if (argc < 2) {
		printf("usage: stat PATH...\n");
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		struct fs_stat st;
		int r;

		if ((r = sh_resolve("stat", argv[i], abs)) < 0) {
			ret = r;
			continue;
		}
		if ((r = fs_statat(sh_root, abs, FS_AT_NOFOLLOW, &st)) < 0) {
			ret = sh_file_error("stat", argv[i], r);
			continue;
		}
		mode_string(st.mode, mode);
		time_string(st.atime_ns, true, t[0], sizeof(t[0]));
		time_string(st.mtime_ns, true, t[1], sizeof(t[1]));
		time_string(st.ctime_ns, true, t[2], sizeof(t[2]));
		sh_printf("  File: %s\n  Type: %s\n  Size: %llu  Blocks: %llu  Links: %u\n"
			  "  Mode: %04o (%s)  Inode: %llu  Device: %u  Uid: %u  Gid: %u\n"
			  "Access: %s\nModify: %s\nChange: %s\n",
			  argv[i], type_name(st.mode), (unsigned long long)st.size,
			  (unsigned long long)st.blocks, (unsigned int)st.nlink,
			  (unsigned int)(st.mode & 07777), mode, (unsigned long long)st.ino,
			  (unsigned int)st.dev, (unsigned int)st.uid, (unsigned int)st.gid, t[0],
			  t[1], t[2]);
	}
	return ret;
}

static int df_line(const char *path)
{
	struct fs_statfs sf;
	unsigned long long kib, used, avail;
	rv_handle_t d;
	char pct[8];
	int ret;

	ret = fs_open(sh_root, path, FS_O_DIRECTORY, 0, &d, NULL);
	if (ret == 0) {
		ret = fs_statfs(d, &sf);
		rv_handle_close(d);
	}
	if (ret < 0)
		return sh_file_error("df", path, ret);
	kib = (unsigned long long)sf.blocks * sf.block_size / 1024;
	avail = (unsigned long long)sf.blocks_free * sf.block_size / 1024;
	used = kib - avail;
	if (kib)
		snprintf(pct, sizeof(pct), "%llu%%", (used * 100 + kib - 1) / kib);
	else
		snprintf(pct, sizeof(pct), "-");
	sf.type[sizeof(sf.type) - 1] = '\0';
	return sh_printf("%-8s %9llu %9llu %9llu %4s %8llu %8llu %s%s\n", sf.type, kib, used,
			 avail, pct, (unsigned long long)sf.inodes,
			 (unsigned long long)sf.inodes_free, path,
			 sf.flags & FS_STATFS_READ_ONLY ? " (ro)" : "");
}

/*
 * Every mount the shell can see: its root, and the directories below the
 * root (one level) whose device differs from the root's. The protocol has
 * no list of mounts, and a shell given a subtree must not learn of the
 * others; mount points are one level deep in the manifests (CONFIG_FS_MOUNTS).
 */
int cmd_df(int argc, char **argv)
{
	struct names ns = {0};
	struct fs_stat root_st, st;
	char path[FS_NAME_MAX + 2];
	rv_handle_t d;
	int ret;

	if (argc != 1) {
		printf("usage: df\n");
		return -1;
	}
	if (sh_root == RV_HANDLE_INVALID) {
		printf("df: no files here (this shell was given no root directory)\n");
		return -RV_ENOENT;
	}
	if ((ret = fs_statat(sh_root, "/", 0, &root_st)) < 0)
		return sh_file_error("df", "/", ret);
	sh_printf("Type           KiB      Used     Avail Use%%   Inodes    IFree Mounted on\n");
	df_line("/");
	ret = fs_open(sh_root, "/", FS_O_READ | FS_O_DIRECTORY, 0, &d, NULL);
	if (ret == 0) {
		ret = read_names(d, true, &ns);
		rv_handle_close(d);
	}
	if (ret < 0)
		return sh_file_error("df", "/", ret);
	for (size_t i = 0; i < ns.n; i++) {
		if (!strcmp(ns.v[i], ".") || !strcmp(ns.v[i], ".."))
			continue;
		snprintf(path, sizeof(path), "/%s", ns.v[i]);
		if (fs_statat(sh_root, path, 0, &st) == 0 && is_dir(st.mode) &&
		    st.dev != root_st.dev)
			df_line(path);
	}
	names_free(&ns);
	return 0;
}

int cmd_sync(int argc, char **argv)
{
	int ret;

	if (argc != 1) {
		printf("usage: sync\n");
		return -1;
	}
	if (sh_root == RV_HANDLE_INVALID) {
		printf("sync: no files here (this shell was given no root directory)\n");
		return -RV_ENOENT;
	}
	if ((ret = fs_syncfs(sh_root)) < 0)
		sh_file_error("sync", "/", ret);
	return ret;
}

/* ---- Tab on paths ---- */

/* Candidates live here until the editor is done with them (lineedit keeps
 * pointers); refilled on every Tab. Names past it are left out. */
static char cand_pool[2048];
static size_t cand_used;

static void cand_add(struct lineedit_completions *lc, const char *name, bool dir)
{
	size_t n = strlen(name) + (dir ? 1 : 0) + 1;

	if (cand_used + n > sizeof(cand_pool))
		return;
	snprintf(cand_pool + cand_used, n, "%s%s", name, dir ? "/" : "");
	lineedit_add_completion(lc, cand_pool + cand_used);
	cand_used += n;
}

/* The entries of directory dir_abs starting with prefix[0, plen):
 * directories too (with a '/') when dirs, else files only, and not those
 * skip says are offered already. */
static void complete_dir(const char *dir_abs, const char *prefix, size_t plen, bool dirs,
			 bool (*skip)(const char *name), struct lineedit_completions *lc)
{
	char buf[DIRBUF_BYTES];
	struct fs_dirent de;
	rv_handle_t d;
	long n;

	if (fs_open(sh_root, dir_abs, FS_O_READ | FS_O_DIRECTORY, 0, &d, NULL) < 0)
		return;
	while ((n = fs_readdir(d, buf, sizeof(buf))) > 0) {
		size_t pos = 0;

		while (fs_dirent_next(buf, (size_t)n, &pos, &de) == 1) {
			bool is_d = de.type == FS_DT_DIR;
			struct fs_stat st;

			if (!sh_name_matches(de.name, prefix, plen))
				continue;
			if (de.type != FS_DT_DIR && de.type != FS_DT_REG &&
			    fs_statat(d, de.name, 0, &st) == 0)
				is_d = is_dir(st.mode); /* a link or an unknown type */
			if ((dirs || !is_d) && !(skip && skip(de.name)))
				cand_add(lc, de.name, dirs && is_d);
		}
	}
	rv_handle_close(d);
}

void sh_complete_path(const char *line, size_t *start, size_t cursor,
		      struct lineedit_completions *lc)
{
	const char *word = line + *start;
	size_t len = cursor - *start, k = sh_path_split(word, len);
	char dir[PATH_BYTES], rel[PATH_BYTES];

	cand_used = 0;
	if (sh_root == RV_HANDLE_INVALID || k >= sizeof(rel) || memchr(word, '"', len) ||
	    memchr(word, '\'', len))
		return;
	memcpy(rel, word, k);
	rel[k] = '\0';
	if (sh_path_join(sh_cwd, k ? rel : ".", dir, sizeof(dir)) < 0)
		return;
	*start += k;
	complete_dir(dir, word + k, len - k, true, NULL, lc);
}

/* Tab on a command word: the programs in /bin too (after the builtins and
 * the initrd's, which the caller offers). */
void sh_complete_bin(const char *prefix, size_t plen, bool (*skip)(const char *name),
		     struct lineedit_completions *lc)
{
	cand_used = 0;
	if (sh_root != RV_HANDLE_INVALID)
		complete_dir("/bin", prefix, plen, false, skip, lc);
}

void sh_list_bin(void)
{
	struct names ns = {0};
	rv_handle_t d;

	if (sh_root == RV_HANDLE_INVALID ||
	    fs_open(sh_root, "/bin", FS_O_READ | FS_O_DIRECTORY, 0, &d, NULL) < 0)
		return;
	if (read_names(d, false, &ns) == 0) {
		sh_printf("in /bin:");
		for (size_t i = 0; i < ns.n; i++)
			sh_printf(" %s", ns.v[i]);
		sh_printf("\n");
	}
	names_free(&ns);
	rv_handle_close(d);
}
