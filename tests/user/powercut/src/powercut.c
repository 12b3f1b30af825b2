/* SPDX-License-Identifier: Apache-2.0 */
/*
 * powercut: the guest half of the power-cut test (doc/testing.md, "Power
 * cuts"; tests/user/powercut/testcase.yaml). It asks on the console
 *
 *     pc: mode?
 *
 * and reads "work SEED" or "check".
 *
 * work SEED: a write-heavy workload under /disk/pc, the same for the same
 * seed: files created and written (fsynced or not), appended to,
 * overwritten in the middle, truncated, renamed, unlinked; folders made
 * and removed; a large file written in chunks; files renamed over files
 * that were fsynced (the new one written and fsynced under another name
 * first, as a program that replaces a file safely does). It logs to the
 * console before each step that changes the disk, and after each fsync
 * returns, the promise the runner checks after a power cut:
 *
 *     pc: fsynced PATH SIZE FNV          PATH has these bytes from now on
 *     pc: rename PATH old SIZE FNV new SIZE FNV
 *                                        PATH is the old or the new file
 *     pc: renamed PATH                   ... the new one (its folder fsynced)
 *     pc: synced                         sync() returned: all of it is there
 *     pc: done
 *
 * A file it fsynced is never written, truncated, unlinked or renamed
 * again, except by a rename over it that is logged first. FNV is FNV-1a
 * 64 of the file's bytes, in hex.
 *
 * check: lists /disk/pc: "pc: dir PATH" for each folder, "pc: file PATH
 * SIZE FNV" for each file, "pc: error PATH ERRNO WHAT" for what cannot be
 * read, then "pc: listed N" (N entries) and exits 0 ("pc: missing
 * /disk/pc" when the workload's folder is not there).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT "/disk/pc"
#define MAX_FILES 160
#define MAX_DIRS 12
#define STEPS 90
#define CHUNK 4096u
#define BIG_BYTES (2u << 20)
#define BIG_CHUNK (64u << 10)
#define PATH_MAX_PC 96

static uint8_t buf[BIG_CHUNK];

/* ---- the seeded generator (xorshift64*) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

/* ---- file contents: byte i of content `tag` ---- */

static uint8_t content_byte(uint32_t tag, uint64_t i)
{
	return (uint8_t)(((i + 1 + ((uint64_t)tag << 32)) * 0x9E3779B97F4A7C15ull) >> 56);
}

#define FNV_INIT 0xcbf29ce484222325ull

static uint64_t fnv_add(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		h = (h ^ p[k]) * 0x100000001b3ull;
	return h;
}

/* ---- what the workload knows of its files ---- */

struct file {
	char path[PATH_MAX_PC];
	int live;       /* it exists */
	int frozen;     /* fsynced: never changed again but by a logged rename over it */
	int dir;        /* index in dirs */
	/* The bytes: pieces of contents (tag, start) over ranges, kept simple:
	 * the file is `size` bytes of content `tag` from offset 0, except a
	 * region [ow_at, ow_at + ow_len) of content `ow_tag` (an overwrite). */
	uint32_t tag, ow_tag;
	uint64_t size, ow_at, ow_len;
};

struct dir {
	char path[PATH_MAX_PC];
	int live;
	int files;      /* live files in it */
	int subdirs;    /* live folders in it */
	int parent;
};

static struct file files[MAX_FILES];
static struct dir dirs[MAX_DIRS];
static int nfiles, ndirs;
static uint32_t next_tag = 1;
static int failures;

static uint8_t file_byte(const struct file *f, uint64_t i)
{
	if (f->ow_len && i >= f->ow_at && i < f->ow_at + f->ow_len)
		return content_byte(f->ow_tag, i - f->ow_at);
	return content_byte(f->tag, i);
}

static uint64_t file_fnv(const struct file *f)
{
	uint64_t h = FNV_INIT;

	for (uint64_t i = 0; i < f->size; i++) {
		uint8_t b = file_byte(f, i);

		h = fnv_add(h, &b, 1);
	}
	return h;
}

static void fail(const char *what, const char *path)
{
	printf("pc: FAIL %s %s: errno %d (%s)\n", what, path, errno, strerror(errno));
	failures++;
}

/* Write bytes [from, to) of f as it now is, at those offsets, through fd. */
static int write_range(int fd, const struct file *f, uint64_t from, uint64_t to)
{
	while (from < to) {
		size_t n = (size_t)(to - from < CHUNK ? to - from : CHUNK);

		for (size_t k = 0; k < n; k++)
			buf[k] = file_byte(f, from + k);
		if (pwrite(fd, buf, n, (off_t)from) != (ssize_t)n)
			return -1;
		from += n;
	}
	return 0;
}

static int sync_it(int fd)
{
	/* fdatasync promises the bytes and the size as much as fsync does. */
	return below(4) == 0 ? fdatasync(fd) : fsync(fd);
}

static void log_fsynced(const struct file *f)
{
	printf("pc: fsynced %s %llu %016llx\n", f->path, (unsigned long long)f->size,
	       (unsigned long long)file_fnv(f));
}

/* fsync (or fdatasync) f through fd: from then on it is promised and
 * never touched again. */
static void freeze(int fd, struct file *f)
{
	if (sync_it(fd) < 0) {
		fail("fsync", f->path);
		return;
	}
	f->frozen = 1;
	log_fsynced(f);
}

static uint64_t pick_size(void)
{
	static const uint64_t edges[] = {0, 1, 511, 512, 4095, 4096, 4097, 12288, 49153};

	switch (below(4)) {
	case 0:
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return below(3000);
	case 2:
		return 4096 + below(28000);
	default:
		return 1000 + below(9000);
	}
}

static int pick_dir(void)
{
	int live[MAX_DIRS], n = 0;

	for (int i = 0; i < ndirs; i++)
		if (dirs[i].live)
			live[n++] = i;
	return live[below((uint32_t)n)];
}

/* A live file matching `frozen` (0 or 1), or -1. */
static int pick_file(int frozen)
{
	int n = 0, chosen = -1;

	for (int i = 0; i < nfiles; i++)
		if (files[i].live && files[i].frozen == frozen && ++n && below((uint32_t)n) == 0)
			chosen = i;
	return chosen;
}

static struct file *new_file(int d)
{
	if (nfiles == MAX_FILES)
		return NULL;
	struct file *f = &files[nfiles];

	memset(f, 0, sizeof(*f));
	if (snprintf(f->path, sizeof(f->path), "%s/f%d", dirs[d].path, nfiles) >= (int)sizeof(f->path))
		return NULL;
	f->dir = d;
	f->tag = next_tag++;
	nfiles++;
	return f;
}

/* ---- the steps ---- */

static void step_create(int fsync_it)
{
	int d = pick_dir();
	struct file *f = new_file(d);

	if (!f)
		return;
	f->size = pick_size();
	printf("pc: create %s %llu\n", f->path, (unsigned long long)f->size);
	int fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return fail("create", f->path);
	f->live = 1;
	dirs[d].files++;
	if (write_range(fd, f, 0, f->size) < 0)
		fail("write", f->path);
	if (fsync_it)
		freeze(fd, f);
	close(fd);
}

static void step_append(void)
{
	int i = pick_file(0);

	if (i < 0)
		return step_create(0);
	struct file *f = &files[i];
	uint64_t n = 1 + below(6000);

	printf("pc: append %s %llu\n", f->path, (unsigned long long)n);
	int fd = open(f->path, O_WRONLY | O_APPEND);

	if (fd < 0)
		return fail("open", f->path);
	uint64_t from = f->size;

	f->size += n;
	if (write_range(fd, f, from, f->size) < 0)
		fail("append", f->path);
	if (below(3) == 0)
		freeze(fd, f);
	close(fd);
}

static void step_overwrite(void)
{
	int i = pick_file(0);

	if (i < 0 || files[i].size < 2 || files[i].ow_len)
		return step_append();
	struct file *f = &files[i];

	f->ow_at = below((uint32_t)(f->size - 1));
	f->ow_len = 1 + below((uint32_t)(f->size - f->ow_at));
	f->ow_tag = next_tag++;
	printf("pc: overwrite %s %llu %llu\n", f->path, (unsigned long long)f->ow_at,
	       (unsigned long long)f->ow_len);
	int fd = open(f->path, O_WRONLY);

	if (fd < 0)
		return fail("open", f->path);
	if (write_range(fd, f, f->ow_at, f->ow_at + f->ow_len) < 0)
		fail("overwrite", f->path);
	close(fd);
}

static void step_truncate(void)
{
	int i = pick_file(0);

	if (i < 0)
		return;
	struct file *f = &files[i];
	uint64_t to = f->size ? below((uint32_t)f->size) : 0;

	printf("pc: truncate %s %llu\n", f->path, (unsigned long long)to);
	if (truncate(f->path, (off_t)to) < 0)
		return fail("truncate", f->path);
	f->size = to;
	if (f->ow_at >= to)
		f->ow_len = 0;
	else if (f->ow_at + f->ow_len > to)
		f->ow_len = to - f->ow_at;
}

static void step_unlink(void)
{
	int i = pick_file(0);

	if (i < 0)
		return;
	printf("pc: unlink %s\n", files[i].path);
	if (unlink(files[i].path) < 0)
		return fail("unlink", files[i].path);
	files[i].live = 0;
	dirs[files[i].dir].files--;
}

/* A file not fsynced moves to another folder under a new name. */
static void step_move(void)
{
	int i = pick_file(0);

	if (i < 0)
		return;
	struct file *f = &files[i];
	int d = pick_dir();
	char to[PATH_MAX_PC];

	if (snprintf(to, sizeof(to), "%s/m%u", dirs[d].path, next_tag++) >= (int)sizeof(to))
		return;
	printf("pc: move %s %s\n", f->path, to);
	if (rename(f->path, to) < 0)
		return fail("rename", f->path);
	dirs[f->dir].files--;
	dirs[d].files++;
	f->dir = d;
	strcpy(f->path, to);
}

/* The safe replacement of an fsynced file: the new one written and fsynced
 * under a temporary name, renamed over the old, the folder fsynced. */
static void step_replace(void)
{
	int i = pick_file(1);

	if (i < 0)
		return step_create(1);
	struct file *f = &files[i];
	struct file nf = *f;
	char tmp[PATH_MAX_PC + 8];

	nf.tag = next_tag++;
	nf.ow_len = 0;
	nf.size = pick_size();
	if (snprintf(tmp, sizeof(tmp), "%s.new", f->path) >= (int)sizeof(tmp))
		return;
	printf("pc: write %s %llu\n", tmp, (unsigned long long)nf.size);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return fail("create", tmp);
	if (write_range(fd, &nf, 0, nf.size) < 0)
		fail("write", tmp);
	if (fsync(fd) < 0)
		fail("fsync", tmp);
	close(fd);
	printf("pc: rename %s old %llu %016llx new %llu %016llx\n", f->path,
	       (unsigned long long)f->size, (unsigned long long)file_fnv(f),
	       (unsigned long long)nf.size, (unsigned long long)file_fnv(&nf));
	if (rename(tmp, f->path) < 0)
		return fail("rename", tmp);
	*f = nf;
	int dfd = open(dirs[f->dir].path, O_RDONLY | O_DIRECTORY);

	if (dfd < 0)
		return fail("open", dirs[f->dir].path);
	if (fsync(dfd) < 0)
		fail("fsync", dirs[f->dir].path);
	else
		printf("pc: renamed %s\n", f->path);
	close(dfd);
}

static void step_mkdir(void)
{
	if (ndirs == MAX_DIRS)
		return;
	struct dir *d = &dirs[ndirs];
	int parent = below(2) ? 0 : pick_dir();

	memset(d, 0, sizeof(*d));
	if (snprintf(d->path, sizeof(d->path), "%s/d%d", dirs[parent].path, ndirs) >=
	    (int)sizeof(d->path))
		return;
	printf("pc: mkdir %s\n", d->path);
	if (mkdir(d->path, 0755) < 0)
		return fail("mkdir", d->path);
	d->live = 1;
	d->parent = parent;
	dirs[parent].subdirs++;
	ndirs++;
}

static void step_rmdir(void)
{
	for (int i = 1; i < ndirs; i++) {
		struct dir *d = &dirs[i];

		if (!d->live || d->subdirs)
			continue;
		/* Empty it of files that are not fsynced first (they go too). */
		int frozen = 0;

		for (int k = 0; k < nfiles; k++)
			if (files[k].live && files[k].dir == i && files[k].frozen)
				frozen = 1;
		if (frozen)
			continue;
		for (int k = 0; k < nfiles; k++) {
			if (files[k].live && files[k].dir == i) {
				printf("pc: unlink %s\n", files[k].path);
				if (unlink(files[k].path) < 0)
					return fail("unlink", files[k].path);
				files[k].live = 0;
				d->files--;
			}
		}
		printf("pc: rmdir %s\n", d->path);
		if (rmdir(d->path) < 0)
			return fail("rmdir", d->path);
		d->live = 0;
		dirs[d->parent].subdirs--;
		return;
	}
}

/* The large file: written in chunks, fsynced at the end (or not). */
static void step_big(int fsync_it)
{
	struct file *f = new_file(0);

	if (!f)
		return;
	f->size = BIG_BYTES + below(5000);
	printf("pc: big %s %llu\n", f->path, (unsigned long long)f->size);
	int fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return fail("create", f->path);
	f->live = 1;
	dirs[0].files++;
	for (uint64_t at = 0; at < f->size; at += BIG_CHUNK) {
		size_t n = (size_t)(f->size - at < BIG_CHUNK ? f->size - at : BIG_CHUNK);

		for (size_t k = 0; k < n; k++)
			buf[k] = content_byte(f->tag, at + k);
		if (write(fd, buf, n) != (ssize_t)n) {
			fail("write", f->path);
			break;
		}
	}
	if (fsync_it) {
		if (fsync(fd) < 0)
			fail("fsync", f->path);
		else {
			f->frozen = 1;
			log_fsynced(f);
		}
	}
	close(fd);
}

static int work(uint64_t seed)
{
	rng_state = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
	if (!rng_state)
		rng_state = 1;
	strcpy(dirs[0].path, ROOT);
	printf("pc: mkdir %s\n", ROOT);
	if (mkdir(ROOT, 0755) < 0) {
		fail("mkdir", ROOT);
		return 1;
	}
	dirs[0].live = 1;
	ndirs = 1;
	int big_at = 10 + (int)below(STEPS - 20);
	int big2_at = 10 + (int)below(STEPS - 20);

	for (int s = 0; s < STEPS && !failures; s++) {
		if (s == big_at)
			step_big(1);
		if (s == big2_at)
			step_big(0);
		switch (below(20)) {
		case 0: case 1: case 2: case 3:
			step_create(1);
			break;
		case 4: case 5: case 6:
			step_create(0);
			break;
		case 7: case 8:
			step_append();
			break;
		case 9:
			step_overwrite();
			break;
		case 10:
			step_truncate();
			break;
		case 11: case 12:
			step_unlink();
			break;
		case 13:
			step_move();
			break;
		case 14: case 15: case 16:
			step_replace();
			break;
		case 17:
			step_mkdir();
			break;
		case 18:
			step_rmdir();
			break;
		default:
			step_mkdir();
			step_create(below(2));
			break;
		}
	}
	if (failures)
		return 1;
	sync();
	printf("pc: synced\n");
	printf("pc: done\n");
	return 0;
}

/* ---- check mode ---- */

static int listed;

static void list_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	uint64_t size = 0, h = FNV_INIT;
	ssize_t n;

	if (fd < 0) {
		printf("pc: error %s %d open\n", path, errno);
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		h = fnv_add(h, buf, (size_t)n);
		size += (uint64_t)n;
	}
	if (n < 0)
		printf("pc: error %s %d read\n", path, errno);
	else
		printf("pc: file %s %llu %016llx\n", path, (unsigned long long)size,
		       (unsigned long long)h);
	close(fd);
}

static void list_dir(const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		printf("pc: error %s %d opendir\n", path, errno);
		return;
	}
	printf("pc: dir %s\n", path);
	listed++;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		char sub[256];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= (int)sizeof(sub)) {
			printf("pc: error %s/... 0 name-too-long\n", path);
			continue;
		}
		if (lstat(sub, &st) < 0) {
			printf("pc: error %s %d lstat\n", sub, errno);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth < 8)
				list_dir(sub, depth + 1);
			else
				printf("pc: error %s 0 too-deep\n", sub);
		} else if (S_ISREG(st.st_mode)) {
			list_file(sub);
			listed++;
		} else {
			printf("pc: error %s 0 not-a-file-or-folder\n", sub);
		}
		errno = 0;
	}
	if (errno)
		printf("pc: error %s %d readdir\n", path, errno);
	closedir(d);
}

static int check(void)
{
	struct stat st;

	if (stat("/disk/lost+found", &st) < 0) {
		printf("pc: error /disk %d not-mounted\n", errno);
		printf("pc: listed 0\n");
		return 0;
	}
	if (stat(ROOT, &st) < 0 && errno == ENOENT)
		printf("pc: missing %s\n", ROOT);
	else
		list_dir(ROOT, 0);
	printf("pc: listed %d\n", listed);
	return 0;
}

int main(void)
{
	char line[64];

	printf("pc: mode? ");
	if (!fgets(line, sizeof(line), stdin)) {
		printf("\npc: FAIL no mode given (end of input)\n");
		return 2;
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (!strncmp(line, "work ", 5))
		return work(strtoull(line + 5, NULL, 0));
	if (!strcmp(line, "check"))
		return check();
	printf("pc: FAIL mode '%s': give 'work SEED' or 'check'\n", line);
	return 2;
}
