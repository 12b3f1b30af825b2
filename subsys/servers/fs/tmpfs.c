/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpfs: a file system in RAM behind vfs_ops (vfs.h).
 *
 * File data lives in page-sized chunks kept in a sorted array, so a file is
 * sparse: a hole is a missing chunk and reads as zeros. Limits are exact:
 * at most max_bytes of chunks (a chunk is a whole page, so the file data
 * a tmpfs holds is counted in pages) and max_inodes inodes; past them a
 * write or create is -ENOSPC. Directory entries carry a sequence number
 * that only grows, which is the readdir cookie: entries removed or added
 * during a readdir never make it skip or repeat the others.
 *
 * An inode number is its slot in the inode table plus one; the root is 1.
 * An inode goes when its last link and its last reference (an open
 * connection) are gone.
 */
#include <stdlib.h>
#include <string.h>
#include <rvos/copy.h>
#include "vfs.h"

#define TPAGE 4096u
#define TMPFS_FILE_MAX (1ull << 40) /* bytes in one file */
#define TMPFS_LINK_MAX 65000u

struct tpage {
	uint64_t idx; /* offset / TPAGE */
	uint8_t *data;
};

struct tdirent {
	uint64_t seq;
	vfs_ino_t ino;
	uint32_t len;
	uint32_t hash; /* of the name: most mismatches cost one compare */
	char *name;
};

struct tnode {
	uint32_t mode, nlink, refs;
	uint64_t size;
	uint64_t atime, mtime, ctime;
	vfs_ino_t parent; /* directories: the one holding it */
	struct tpage *pages;
	uint32_t npages, pages_cap;
	struct tdirent *ents;
	uint32_t nents, ents_cap;
	uint64_t next_seq;
	char *target; /* symbolic links: size bytes */
};

struct tmpfs {
	struct vfs_fs vfs; /* first: vfs_fs * is a tmpfs * */
	struct tnode **nodes;
	uint32_t max_inodes, used_inodes, hint;
	uint64_t max_pages, used_pages;
	void *free_pages; /* pages freed before: a list through their first word */
};

/* Pages are kept once made: a list pop is cheaper than picolibc's malloc,
 * which walks its free list, and max_pages bounds them anyway. */
static uint8_t *page_alloc(struct tmpfs *t)
{
	void *p = t->free_pages;

	if (p) {
		t->free_pages = *(void **)p;
		return p;
	}
	return malloc(TPAGE);
}

static void page_free(struct tmpfs *t, uint8_t *p)
{
	*(void **)p = t->free_pages;
	t->free_pages = p;
}

static const struct vfs_ops tmpfs_ops;

static struct tmpfs *T(struct vfs_fs *fs)
{
	return (struct tmpfs *)fs;
}

static struct tnode *node(struct tmpfs *t, vfs_ino_t ino)
{
	if (ino == 0 || ino > t->max_inodes)
		return NULL;
	return t->nodes[ino - 1];
}

static bool is_dir(const struct tnode *n)
{
	return (n->mode & FS_S_IFMT) == FS_S_IFDIR;
}

static uint64_t now(struct tmpfs *t)
{
	return t->vfs.now_ns ? t->vfs.now_ns() : 0;
}

static int new_node(struct tmpfs *t, uint32_t mode, vfs_ino_t *out)
{
	struct tnode *n;
	uint32_t i;

	if (t->used_inodes >= t->max_inodes)
		return -RV_ENOSPC;
	n = malloc(sizeof(*n));
	if (!n)
		return -RV_ENOSPC;
	rv_zero(n, sizeof(*n));
	for (i = t->hint; t->nodes[i]; i = (i + 1) % t->max_inodes)
		;
	t->nodes[i] = n;
	t->hint = (i + 1) % t->max_inodes;
	t->used_inodes++;
	n->mode = mode;
	n->atime = n->mtime = n->ctime = now(t);
	n->next_seq = 2;
	*out = i + 1;
	return 0;
}

static void free_data(struct tmpfs *t, struct tnode *n)
{
	for (uint32_t i = 0; i < n->npages; i++)
		page_free(t, n->pages[i].data);
	t->used_pages -= n->npages;
	free(n->pages);
	for (uint32_t i = 0; i < n->nents; i++)
		free(n->ents[i].name);
	free(n->ents);
	free(n->target);
}

static void maybe_free(struct tmpfs *t, vfs_ino_t ino)
{
	struct tnode *n = node(t, ino);

	if (!n || n->nlink || n->refs)
		return;
	free_data(t, n);
	free(n);
	t->nodes[ino - 1] = NULL;
	t->used_inodes--;
}

/* ---- file data ---- */

/* The index in n->pages of the first chunk with idx >= want. */
static uint32_t page_pos(const struct tnode *n, uint64_t want)
{
	uint32_t lo = 0, hi = n->npages;

	if (hi && n->pages[hi - 1].idx < want)
		return hi; /* appending: the common case */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (n->pages[mid].idx < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint8_t *page_find(const struct tnode *n, uint64_t idx)
{
	uint32_t p = page_pos(n, idx);

	return p < n->npages && n->pages[p].idx == idx ? n->pages[p].data : NULL;
}

/* The chunk idx, made if missing (zeroed, unless the caller overwrites it
 * whole: `whole`); NULL when the limit or the heap says no. */
static uint8_t *page_get(struct tmpfs *t, struct tnode *n, uint64_t idx, bool whole)
{
	uint32_t p = page_pos(n, idx);
	uint8_t *d;

	if (p < n->npages && n->pages[p].idx == idx)
		return n->pages[p].data;
	if (t->used_pages >= t->max_pages)
		return NULL;
	if (n->npages == n->pages_cap) {
		uint32_t cap = n->pages_cap ? n->pages_cap * 2 : 4;
		struct tpage *np = realloc(n->pages, cap * sizeof(*np));

		if (!np)
			return NULL;
		n->pages = np;
		n->pages_cap = cap;
	}
	/* (picolibc's calloc and memset go byte by byte.) */
	d = page_alloc(t);
	if (!d)
		return NULL;
	if (!whole)
		rv_zero(d, TPAGE);
	rv_move_words(&n->pages[p + 1], &n->pages[p], (n->npages - p) * sizeof(*n->pages));
	n->pages[p].idx = idx;
	n->pages[p].data = d;
	n->npages++;
	t->used_pages++;
	return d;
}

static long tmpfs_read(struct vfs_fs *fs, vfs_ino_t ino, uint64_t off, void *buf, size_t len)
{
	struct tnode *n = node(T(fs), ino);
	uint8_t *out = buf;
	size_t done = 0;

	if (!n)
		return -RV_ENOENT;
	if (is_dir(n))
		return -RV_EISDIR;
	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = (size_t)(n->size - off);
	while (done < len) {
		uint64_t o = off + done;
		size_t in = o % TPAGE, k = TPAGE - in;
		const uint8_t *d = page_find(n, o / TPAGE);

		if (k > len - done)
			k = len - done;
		if (d)
			rv_copy(out + done, d + in, k);
		else
			rv_zero(out + done, k);
		done += k;
	}
	return (long)done;
}

static long tmpfs_write(struct vfs_fs *fs, vfs_ino_t ino, uint64_t off, const void *buf,
			size_t len)
{
	struct tmpfs *t = T(fs);
	struct tnode *n = node(t, ino);
	const uint8_t *in = buf;
	size_t done = 0;

	if (!n)
		return -RV_ENOENT;
	if (is_dir(n))
		return -RV_EISDIR;
	if (fs->read_only)
		return -RV_EROFS;
	if (len == 0)
		return 0;
	if (off >= TMPFS_FILE_MAX)
		return -RV_EFBIG;
	if (len > TMPFS_FILE_MAX - off)
		len = (size_t)(TMPFS_FILE_MAX - off);
	while (done < len) {
		uint64_t o = off + done;
		size_t at = o % TPAGE, k = TPAGE - at;
		uint8_t *d;

		if (k > len - done)
			k = len - done;
		d = page_get(t, n, o / TPAGE, k == TPAGE);
		if (!d)
			break;
		rv_copy(d + at, in + done, k);
		done += k;
	}
	if (done == 0)
		return -RV_ENOSPC;
	if (off + done > n->size)
		n->size = off + done;
	n->mtime = n->ctime = now(t);
	return (long)done;
}

static int tmpfs_truncate(struct vfs_fs *fs, vfs_ino_t ino, uint64_t size)
{
	struct tmpfs *t = T(fs);
	struct tnode *n = node(t, ino);
	uint32_t keep;

	if (!n)
		return -RV_ENOENT;
	if (is_dir(n))
		return -RV_EISDIR;
	if ((n->mode & FS_S_IFMT) != FS_S_IFREG)
		return -RV_EINVAL;
	if (fs->read_only)
		return -RV_EROFS;
	if (size > TMPFS_FILE_MAX)
		return -RV_EFBIG;
	if (size < n->size) {
		uint8_t *d;

		keep = page_pos(n, (size + TPAGE - 1) / TPAGE);
		for (uint32_t i = keep; i < n->npages; i++)
			page_free(t, n->pages[i].data);
		t->used_pages -= n->npages - keep;
		n->npages = keep;
		/* What was past the new end reads as zeros if the file grows again. */
		d = size % TPAGE ? page_find(n, size / TPAGE) : NULL;
		if (d)
			rv_zero(d + size % TPAGE, TPAGE - size % TPAGE);
	}
	n->size = size;
	n->mtime = n->ctime = now(t);
	return 0;
}

/* ---- directories ---- */

static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

static struct tdirent *dir_find(struct tnode *d, const char *name, size_t len, uint32_t *pos)
{
	uint32_t h = name_hash(name, len);

	for (uint32_t i = 0; i < d->nents; i++) {
		struct tdirent *e = &d->ents[i];

		if (e->hash == h && e->len == len && !memcmp(e->name, name, len)) {
			if (pos)
				*pos = i;
			return e;
		}
	}
	return NULL;
}

static int dir_add(struct tmpfs *t, struct tnode *d, const char *name, size_t len, vfs_ino_t ino)
{
	struct tdirent *e;
	char *copy;

	if (d->nents == d->ents_cap) {
		uint32_t cap = d->ents_cap ? d->ents_cap * 2 : 8;
		struct tdirent *ne = realloc(d->ents, cap * sizeof(*ne));

		if (!ne)
			return -RV_ENOSPC;
		d->ents = ne;
		d->ents_cap = cap;
	}
	copy = malloc(len);
	if (!copy)
		return -RV_ENOSPC;
	memcpy(copy, name, len);
	e = &d->ents[d->nents++];
	e->seq = d->next_seq++;
	e->ino = ino;
	e->len = (uint32_t)len;
	e->hash = name_hash(name, len);
	e->name = copy;
	d->size = d->nents;
	d->mtime = d->ctime = now(t);
	return 0;
}

static void dir_remove(struct tmpfs *t, struct tnode *d, uint32_t pos)
{
	free(d->ents[pos].name);
	rv_move_words(&d->ents[pos], &d->ents[pos + 1], (d->nents - pos - 1) * sizeof(*d->ents));
	d->nents--;
	d->size = d->nents;
	d->mtime = d->ctime = now(t);
}

/* A directory that can take a new entry. */
static int dir_check(struct vfs_fs *fs, struct tnode *d)
{
	if (!d)
		return -RV_ENOENT;
	if (!is_dir(d))
		return -RV_ENOTDIR;
	if (d->nlink == 0)
		return -RV_ENOENT; /* removed while open */
	if (fs->read_only)
		return -RV_EROFS;
	return 0;
}

static bool dot_or_dotdot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static vfs_ino_t tmpfs_root(struct vfs_fs *fs)
{
	(void)fs;
	return 1;
}

static int tmpfs_lookup(struct vfs_fs *fs, vfs_ino_t dir, const char *name, size_t len,
			vfs_ino_t *out)
{
	struct tnode *d = node(T(fs), dir);
	struct tdirent *e;

	if (!d)
		return -RV_ENOENT;
	if (!is_dir(d))
		return -RV_ENOTDIR;
	if (len == 1 && name[0] == '.') {
		*out = dir;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = d->parent;
		return 0;
	}
	e = dir_find(d, name, len, NULL);
	if (!e)
		return -RV_ENOENT;
	*out = e->ino;
	return 0;
}

static int tmpfs_getattr(struct vfs_fs *fs, vfs_ino_t ino, struct fs_stat *st)
{
	struct tnode *n = node(T(fs), ino);

	if (!n)
		return -RV_ENOENT;
	st->mode = n->mode;
	st->nlink = n->nlink;
	st->ino = ino;
	st->size = n->size;
	st->blocks = (uint64_t)n->npages * (TPAGE / 512);
	st->atime_ns = n->atime;
	st->mtime_ns = n->mtime;
	st->ctime_ns = n->ctime;
	st->uid = st->gid = 0;
	st->dev = 0; /* the namespace fills in the mount's number */
	return 0;
}

static int tmpfs_create(struct vfs_fs *fs, vfs_ino_t dir, const char *name, size_t len,
			uint32_t mode, vfs_ino_t *out)
{
	struct tmpfs *t = T(fs);
	struct tnode *d = node(t, dir), *n;
	uint32_t type = mode & FS_S_IFMT;
	vfs_ino_t ino;
	int ret = dir_check(fs, d);

	if (ret < 0)
		return ret;
	if (type != FS_S_IFREG && type != FS_S_IFDIR)
		return -RV_EINVAL;
	if (dot_or_dotdot(name, len) || dir_find(d, name, len, NULL))
		return -RV_EEXIST;
	if (type == FS_S_IFDIR && d->nlink >= TMPFS_LINK_MAX)
		return -RV_EMLINK;
	ret = new_node(t, type | (mode & 07777), &ino);
	if (ret < 0)
		return ret;
	n = node(t, ino);
	ret = dir_add(t, d, name, len, ino);
	if (ret < 0) {
		maybe_free(t, ino);
		return ret;
	}
	if (type == FS_S_IFDIR) {
		n->nlink = 2;
		n->parent = dir;
		d->nlink++;
	} else {
		n->nlink = 1;
	}
	*out = ino;
	return 0;
}

static int tmpfs_symlink(struct vfs_fs *fs, vfs_ino_t dir, const char *name, size_t len,
			 const char *target, size_t target_len, vfs_ino_t *out)
{
	struct tmpfs *t = T(fs);
	struct tnode *d = node(t, dir), *n;
	vfs_ino_t ino;
	int ret = dir_check(fs, d);

	if (ret < 0)
		return ret;
	if (dot_or_dotdot(name, len) || dir_find(d, name, len, NULL))
		return -RV_EEXIST;
	ret = new_node(t, FS_S_IFLNK | 0777, &ino);
	if (ret < 0)
		return ret;
	n = node(t, ino);
	n->target = malloc(target_len ? target_len : 1);
	if (!n->target || (ret = dir_add(t, d, name, len, ino)) < 0) {
		maybe_free(t, ino);
		return -RV_ENOSPC;
	}
	memcpy(n->target, target, target_len);
	n->size = target_len;
	n->nlink = 1;
	*out = ino;
	return 0;
}

static long tmpfs_readlink(struct vfs_fs *fs, vfs_ino_t ino, char *buf, size_t size)
{
	struct tnode *n = node(T(fs), ino);

	if (!n)
		return -RV_ENOENT;
	if ((n->mode & FS_S_IFMT) != FS_S_IFLNK)
		return -RV_EINVAL;
	memcpy(buf, n->target, n->size < size ? n->size : size);
	return (long)n->size;
}

static int tmpfs_link(struct vfs_fs *fs, vfs_ino_t dir, const char *name, size_t len,
		      vfs_ino_t ino)
{
	struct tmpfs *t = T(fs);
	struct tnode *d = node(t, dir), *n = node(t, ino);
	int ret = dir_check(fs, d);

	if (ret < 0)
		return ret;
	if (!n)
		return -RV_ENOENT;
	if (is_dir(n))
		return -RV_EPERM;
	if (dot_or_dotdot(name, len) || dir_find(d, name, len, NULL))
		return -RV_EEXIST;
	if (n->nlink == 0)
		return -RV_ENOENT; /* unlinked while open */
	if (n->nlink >= TMPFS_LINK_MAX)
		return -RV_EMLINK;
	ret = dir_add(t, d, name, len, ino);
	if (ret < 0)
		return ret;
	n->nlink++;
	n->ctime = now(t);
	return 0;
}

/* The link from an entry to n is gone. */
static void drop_link(struct tmpfs *t, struct tnode *parent, vfs_ino_t ino)
{
	struct tnode *n = node(t, ino);

	if (is_dir(n)) {
		n->nlink = 0;
		parent->nlink--;
	} else {
		n->nlink--;
	}
	n->ctime = now(t);
	maybe_free(t, ino);
}

static int tmpfs_unlink(struct vfs_fs *fs, vfs_ino_t dir, const char *name, size_t len,
			bool rmdir)
{
	struct tmpfs *t = T(fs);
	struct tnode *d = node(t, dir), *n;
	struct tdirent *e;
	uint32_t pos;
	vfs_ino_t ino;
	int ret = dir_check(fs, d);

	if (ret < 0)
		return ret;
	if (dot_or_dotdot(name, len))
		return len == 1 ? -RV_EINVAL : -RV_ENOTEMPTY;
	e = dir_find(d, name, len, &pos);
	if (!e)
		return -RV_ENOENT;
	ino = e->ino;
	n = node(t, ino);
	if (rmdir && !is_dir(n))
		return -RV_ENOTDIR;
	if (!rmdir && is_dir(n))
		return -RV_EISDIR;
	if (rmdir && n->nents)
		return -RV_ENOTEMPTY;
	dir_remove(t, d, pos);
	drop_link(t, d, ino);
	return 0;
}

static int tmpfs_rename(struct vfs_fs *fs, vfs_ino_t from_dir, const char *from, size_t from_len,
			vfs_ino_t to_dir, const char *to, size_t to_len)
{
	struct tmpfs *t = T(fs);
	struct tnode *fd = node(t, from_dir), *td = node(t, to_dir), *sn;
	struct tdirent *se, *te;
	vfs_ino_t sino;
	uint32_t pos = 0;
	int ret;

	if ((ret = dir_check(fs, fd)) < 0 || (ret = dir_check(fs, td)) < 0)
		return ret;
	if (dot_or_dotdot(from, from_len) || dot_or_dotdot(to, to_len))
		return -RV_EINVAL;
	se = dir_find(fd, from, from_len, NULL);
	if (!se)
		return -RV_ENOENT;
	sino = se->ino;
	sn = node(t, sino);
	if (is_dir(sn)) {
		/* Not below itself: to_dir's ancestors must not include it. */
		for (vfs_ino_t a = to_dir;; a = node(t, a)->parent) {
			if (a == sino)
				return -RV_EINVAL;
			if (a == 1 || node(t, a)->parent == a)
				break;
		}
	}
	te = dir_find(td, to, to_len, NULL);
	if (te) {
		struct tnode *tn = node(t, te->ino);
		vfs_ino_t tino = te->ino;

		if (tino == sino)
			return 0; /* two links to the same file: nothing to do */
		if (is_dir(sn) && !is_dir(tn))
			return -RV_ENOTDIR;
		if (!is_dir(sn) && is_dir(tn))
			return -RV_EISDIR;
		if (is_dir(tn) && tn->nents)
			return -RV_ENOTEMPTY;
		/* The target's entry now names the source: never a moment
		 * without one of them. */
		te->ino = sino;
		td->mtime = td->ctime = now(t);
		drop_link(t, td, tino);
	} else {
		if (is_dir(sn) && from_dir != to_dir && td->nlink >= TMPFS_LINK_MAX)
			return -RV_EMLINK;
		ret = dir_add(t, td, to, to_len, sino);
		if (ret < 0)
			return ret;
	}
	/* The source's entry again: dir_add may have moved the array. */
	dir_find(fd, from, from_len, &pos);
	dir_remove(t, fd, pos);
	if (is_dir(sn) && from_dir != to_dir) {
		/* (A replaced directory's link to td went in drop_link.) */
		fd->nlink--;
		td->nlink++;
		sn->parent = to_dir;
	}
	sn->ctime = now(t);
	return 0;
}

static int tmpfs_readdir(struct vfs_fs *fs, vfs_ino_t dir, uint64_t *cookie, vfs_emit_fn emit,
			 void *ctx)
{
	struct tnode *d = node(T(fs), dir);
	uint32_t lo, hi;

	if (!d)
		return -RV_ENOENT;
	if (!is_dir(d))
		return -RV_ENOTDIR;
	if (*cookie == 0) {
		if (emit(ctx, dir, FS_DT_DIR, ".", 1))
			return 0;
		*cookie = 1;
	}
	if (*cookie == 1) {
		if (emit(ctx, d->parent, FS_DT_DIR, "..", 2))
			return 0;
		*cookie = 2;
	}
	/* The first entry whose sequence number is the cookie or more. */
	lo = 0;
	hi = d->nents;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (d->ents[mid].seq < *cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo; i < d->nents; i++) {
		struct tdirent *e = &d->ents[i];
		struct tnode *n = node(T(fs), e->ino);
		unsigned int type = FS_DT_REG;

		if (is_dir(n))
			type = FS_DT_DIR;
		else if ((n->mode & FS_S_IFMT) == FS_S_IFLNK)
			type = FS_DT_LNK;
		if (emit(ctx, e->ino, type, e->name, e->len))
			return 0;
		*cookie = e->seq + 1;
	}
	return 0;
}

static int tmpfs_sync(struct vfs_fs *fs, vfs_ino_t ino, bool data_only)
{
	(void)fs;
	(void)ino;
	(void)data_only;
	return 0; /* RAM is as far as tmpfs goes */
}

static int tmpfs_drop_caches(struct vfs_fs *fs)
{
	(void)fs;
	return 0; /* the files are the RAM: nothing cached to drop */
}

static int tmpfs_statfs(struct vfs_fs *fs, struct fs_statfs *out)
{
	struct tmpfs *t = T(fs);

	memset(out, 0, sizeof(*out));
	out->block_size = TPAGE;
	out->blocks = t->max_pages;
	out->blocks_free = t->max_pages - t->used_pages;
	out->inodes = t->max_inodes;
	out->inodes_free = t->max_inodes - t->used_inodes;
	out->flags = fs->read_only ? FS_STATFS_READ_ONLY : 0;
	strcpy(out->type, "tmpfs");
	return 0;
}

static void tmpfs_ref(struct vfs_fs *fs, vfs_ino_t ino)
{
	struct tnode *n = node(T(fs), ino);

	if (n)
		n->refs++;
}

static void tmpfs_unref(struct vfs_fs *fs, vfs_ino_t ino)
{
	struct tnode *n = node(T(fs), ino);

	if (n && n->refs) {
		n->refs--;
		maybe_free(T(fs), ino);
	}
}

static int tmpfs_unmount(struct vfs_fs *fs)
{
	struct tmpfs *t = T(fs);

	for (uint32_t i = 0; i < t->max_inodes; i++)
		if (t->nodes[i]) {
			free_data(t, t->nodes[i]);
			free(t->nodes[i]);
		}
	while (t->free_pages) {
		void *p = t->free_pages;

		t->free_pages = *(void **)p;
		free(p);
	}
	free(t->nodes);
	free(t);
	return 0;
}

static const struct vfs_ops tmpfs_ops = {
	.type = "tmpfs",
	.root = tmpfs_root,
	.lookup = tmpfs_lookup,
	.getattr = tmpfs_getattr,
	.read = tmpfs_read,
	.write = tmpfs_write,
	.truncate = tmpfs_truncate,
	.create = tmpfs_create,
	.symlink = tmpfs_symlink,
	.readlink = tmpfs_readlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rename = tmpfs_rename,
	.readdir = tmpfs_readdir,
	.sync = tmpfs_sync,
	.drop_caches = tmpfs_drop_caches,
	.statfs = tmpfs_statfs,
	.ref = tmpfs_ref,
	.unref = tmpfs_unref,
	.unmount = tmpfs_unmount,
};

int tmpfs_mount(struct vfs_fs **out, uint64_t max_bytes, uint32_t max_inodes,
		uint64_t (*now_ns)(void))
{
	struct tmpfs *t;
	vfs_ino_t root;

	if (max_inodes < 1 || max_bytes < TPAGE)
		return -RV_EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -RV_ENOMEM;
	t->nodes = calloc(max_inodes, sizeof(*t->nodes));
	if (!t->nodes) {
		free(t);
		return -RV_ENOMEM;
	}
	t->vfs.ops = &tmpfs_ops;
	t->vfs.now_ns = now_ns;
	t->max_inodes = max_inodes;
	t->max_pages = max_bytes / TPAGE;
	new_node(t, FS_S_IFDIR | 0755, &root);
	t->nodes[root - 1]->nlink = 2;
	t->nodes[root - 1]->parent = root;
	*out = &t->vfs;
	return 0;
}
