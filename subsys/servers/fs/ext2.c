/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ext2 (revision 0 and 1), read and write, on the block cache.
 *
 * Blocks of 1 KiB to 64 KiB; files through direct, indirect, double and
 * triple indirect blocks (up to the size e2fsck allows, over 4 GiB with
 * large_file); holes read as zeros and are filled on write. Accounting is
 * kept exactly as e2fsck counts it: bitmaps, group descriptors (free
 * blocks, free inodes, directories), superblock counts, i_blocks in
 * 512-byte units with indirect and xattr blocks counted.
 *
 * Trust nothing on the device: every block number is checked against the
 * file system (inside it, and for file data not one of the group's
 * metadata blocks) before it is read or written, every directory entry is
 * checked before it is used, and every walk is bounded (three levels of
 * indirection, directory sizes, the ".." walk of rename). What fails a
 * check is -RV_EUCLEAN.
 *
 * Group descriptors and the superblock are kept in memory and written
 * back (into the cache) at syncs; inodes, bitmaps, directories and data
 * live in the cache. Access times are not kept (a read never writes).
 *
 * Without a journal, the device holds a consistent file system as of the
 * last sync: metadata (bcache_dirty_meta) stays in the cache until a sync
 * at the end of an operation (ext2_sync, or end_op once held-back
 * metadata fills half the cache); file data may go out earlier, but only
 * into blocks the synced state calls free or the file's own, never into
 * metadata blocks freed since the sync (see ext2_fs.freed). A file server
 * killed between syncs leaves an image e2fsck finds clean, missing what
 * happened since the sync. Only a kill during a sync, or a cache too small
 * to hold one operation's metadata, can leave it half written.
 *
 * With a journal (has_journal: ext3) a sync is a commit to the journal
 * (journal.c) and any moment is safe: see "the journal" below and
 * doc/ext2.md. Not handled: htree indexes (an indexed directory we change
 * loses its index flag, which is what ext2 without dir_index does), ACLs
 * and xattrs (a file's xattr block is released with the file).
 *
 * An unlinked file still open goes at its last unref (or at unmount); till
 * then it is on the superblock's orphan list (s_last_orphan, chained
 * through i_dtime, as ext3 keeps it), which a mount after a crash or a
 * killed server empties by freeing what is on it.
 */
#include <stdlib.h>
#include <string.h>

#include "ext2_format.h"
#include "journal.h"
#include "vfs.h"

#define EXT2_REF_BUCKETS 64
/* Metadata blocks freed since the last sync that are not reused before
 * the next (beyond this many: a sync at the end of the operation). */
#define EXT2_FREED_MAX 256

/* Features this code handles; anything else is refused or read-only. */
#define EXT2_INCOMPAT_OK EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_OK                                                                    \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE |           \
	 EXT2_FEATURE_RO_COMPAT_DIR_NLINK | EXT2_FEATURE_RO_COMPAT_EXTRA_ISIZE)
#define EXT2_FEATURE_COMPAT_RESIZE_INODE 0x0010
#define EXT2_FEATURE_COMPAT_HAS_JOURNAL 0x0004
/* Frees a transaction may hold before the end of an operation commits it. */
#define EXT2_PENDING_FREES_MAX 8192

struct ext2_ref {
	vfs_ino_t ino;
	uint32_t count;
	struct ext2_ref *next;
};

/* Inodes as inode_read last gave them (or inode_write last wrote them):
 * a direct-mapped cache by number, so getattr, lookups and every read or
 * write skip the inode table block. Every change of an inode goes
 * through inode_write_ex, which keeps its entry true. */
#define EXT2_ICACHE 64

struct ext2_icache {
	vfs_ino_t ino; /* 0: empty */
	struct ext2_inode in;
};

struct ext2_fs {
	struct vfs_fs vfs; /* first: the server sees this */
	struct bcache *c;
	struct ext2_super sb;       /* the primary superblock; written by flush_meta */
	struct ext2_group_desc *gd; /* all of them; written by flush_meta */
	uint32_t bs;                /* block size */
	uint32_t sectors_per_block; /* i_blocks units per block */
	uint32_t apb;               /* block numbers per indirect block */
	uint32_t apb_log;
	uint32_t blocks_count, first_data_block, inodes_count;
	uint32_t groups, bpg, ipg, inode_size, first_ino;
	uint32_t itb;         /* inode-table blocks per group */
	uint32_t gdt_blocks;  /* descriptor blocks */
	uint32_t meta_prefix; /* superblock + descriptors + reserved, in groups with a backup */
	uint64_t max_size;    /* bytes */
	bool filetype;
	bool sb_dirty, gd_dirty;
	bool was_valid;       /* s_state had EXT2_VALID_FS at mount */
	uint32_t hint_ino, hint_blk; /* the last block allocated for hint_ino */
	vfs_ino_t last_ino;          /* the last inode allocated: search from there */
	/* Indirect, directory, symlink and xattr blocks freed since the last
	 * sync: on the device they still hold the synced state, so they are
	 * not handed out again (as file data, which may go out before the
	 * next sync) until then. */
	uint32_t freed[EXT2_FREED_MAX];
	uint32_t nfreed;
	bool freed_full;
	uint32_t generation;
	/* With a journal (ext3): frees wait for the commit (a block freed in
	 * the running transaction is still the committed state's, so it is
	 * not handed out again before then), metadata frees are also the
	 * transaction's revoke records; `active`: the superblock on the
	 * device says needs_recovery (the log may hold transactions). */
	struct journal *journal;
	uint32_t *pending, npending, cap_pending;
	uint32_t *revoke, nrevoke, cap_revoke;
	bool active;
	struct ext2_ref *refs[EXT2_REF_BUCKETS];
	struct ext2_icache icache[EXT2_ICACHE];
};

/* File data is copied a word at a time (picolibc's memcpy and memset
 * for rvOS go byte by byte), also when source and destination are not
 * aligned alike (the server's message buffers put file data at odd
 * offsets): the destination is aligned first, then a misaligned source is
 * read in aligned words and shifted into place. Those aligned loads never
 * leave the words holding the source's first and last byte, so they never
 * touch another page; AddressSanitizer, which would object to the bytes of
 * such a word outside the buffer, checks the ends byte by byte instead.
 * The optimize attribute keeps gcc from turning the loops back into
 * memcpy/memset calls. */
typedef uint64_t __attribute__((may_alias)) ext2_word;

__attribute__((optimize("no-tree-loop-distribute-patterns"), no_sanitize_address))
static void copy_shifted(uint8_t *d, const uint8_t *s, size_t n)
{
	unsigned int off = (uintptr_t)s & 7, sh = off * 8;
	const ext2_word *ws = (const ext2_word *)(s - off);
	ext2_word *wd = (ext2_word *)d;
	uint64_t lo = *ws++;

	/* each output word: the rest of lo and the start of the next word */
	for (; n >= 32; n -= 32, wd += 4, ws += 4) {
		uint64_t a = ws[0], b = ws[1], c = ws[2], e = ws[3];

		wd[0] = (lo >> sh) | (a << (64 - sh));
		wd[1] = (a >> sh) | (b << (64 - sh));
		wd[2] = (b >> sh) | (c << (64 - sh));
		wd[3] = (c >> sh) | (e << (64 - sh));
		lo = e;
	}
	for (; n >= 8; n -= 8) {
		uint64_t hi = *ws++;

		*wd++ = (lo >> sh) | (hi << (64 - sh));
		lo = hi;
	}
	d = (uint8_t *)wd;
	s = (const uint8_t *)ws - 8 + off;
	while (n--)
		*d++ = *s++;
}

__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	ext2_word *wd;
	const ext2_word *ws;

	if (n == 0)
		return;
	/* the bounds, as the sanitizers see byte accesses */
	d[n - 1] = s[n - 1];
	d[0] = s[0];
	while (n && ((uintptr_t)d & 7)) {
		*d++ = *s++;
		n--;
	}
	if (((uintptr_t)s & 7) && n >= 8) {
		copy_shifted(d, s, n);
		return;
	}
	wd = (ext2_word *)d;
	ws = (const ext2_word *)s;
	if (((uintptr_t)s & 7) == 0) {
		for (; n >= 32; n -= 32, wd += 4, ws += 4) {
			uint64_t a = ws[0], b = ws[1], c = ws[2], e = ws[3];

			wd[0] = a;
			wd[1] = b;
			wd[2] = c;
			wd[3] = e;
		}
		for (; n >= 8; n -= 8)
			*wd++ = *ws++;
	}
	d = (uint8_t *)wd;
	s = (const uint8_t *)ws;
	while (n--)
		*d++ = *s++;
}

__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void zero(void *dst, size_t n)
{
	uint8_t *d = dst;
	ext2_word *wd;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = 0;
		n--;
	}
	wd = (ext2_word *)d;
	for (; n >= 32; n -= 32, wd += 4) {
		wd[0] = 0;
		wd[1] = 0;
		wd[2] = 0;
		wd[3] = 0;
	}
	for (; n >= 8; n -= 8)
		*wd++ = 0;
	d = (uint8_t *)wd;
	while (n--)
		*d++ = 0;
}

static struct ext2_fs *E(struct vfs_fs *v)
{
	return (struct ext2_fs *)v;
}

static uint64_t now_ns(struct ext2_fs *fs)
{
	return fs->vfs.now_ns ? fs->vfs.now_ns() : 0;
}

/* ---- blocks ---- */

static bool group_has_super(const struct ext2_fs *fs, uint32_t g)
{
	uint32_t n;

	if (g == 0)
		return true;
	if (fs->sb.s_feature_compat & EXT2_FEATURE_COMPAT_SPARSE_SUPER2)
		return g == fs->sb.s_backup_bgs[0] || g == fs->sb.s_backup_bgs[1];
	if (!(fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER) || g == 1)
		return true;
	for (uint32_t base = 3; base <= 7; base += 2) {
		for (n = base; n < g; n *= base)
			;
		if (n == g)
			return true;
	}
	return false;
}

static uint32_t group_first(const struct ext2_fs *fs, uint32_t g)
{
	return fs->first_data_block + g * fs->bpg;
}

static uint32_t group_nblocks(const struct ext2_fs *fs, uint32_t g)
{
	uint32_t first = group_first(fs, g);

	return fs->blocks_count - first < fs->bpg ? fs->blocks_count - first : fs->bpg;
}

/* Is b one of the file system's own blocks (superblock, descriptors,
 * bitmaps, inode tables)? Without flex_bg each group's metadata lies in
 * the group, so this is O(1). */
static bool blk_is_meta(const struct ext2_fs *fs, uint32_t b)
{
	uint32_t g = (b - fs->first_data_block) / fs->bpg;
	uint32_t off = b - group_first(fs, g);
	const struct ext2_group_desc *d = &fs->gd[g];

	if (group_has_super(fs, g) && off < fs->meta_prefix)
		return true;
	return b == d->bg_block_bitmap || b == d->bg_inode_bitmap ||
	       (b >= d->bg_inode_table && b - d->bg_inode_table < fs->itb);
}

/* A block a file may own: inside the file system and not metadata. */
static bool blk_ok(const struct ext2_fs *fs, uint32_t b)
{
	return b >= fs->first_data_block && b < fs->blocks_count && !blk_is_meta(fs, b);
}

static int getblk(struct ext2_fs *fs, uint32_t b, struct bcache_block **out)
{
	if (b >= fs->blocks_count)
		return -RV_EUCLEAN;
	return bcache_get(fs->c, b, out);
}

static int getblk_new(struct ext2_fs *fs, uint32_t b, struct bcache_block **out)
{
	if (!blk_ok(fs, b))
		return -RV_EUCLEAN;
	return bcache_get_new(fs->c, b, out);
}

static void put(struct ext2_fs *fs, struct bcache_block *b)
{
	bcache_put(fs->c, b);
}

/* Metadata (bitmaps, inodes, indirect blocks, directories, symlink
 * targets) waits in the cache for a sync at a consistent point; file data
 * may go out any time. */
static void dirty(struct ext2_fs *fs, struct bcache_block *b)
{
	bcache_dirty_meta(fs->c, b);
}

static void dirty_data(struct ext2_fs *fs, struct bcache_block *b)
{
	bcache_dirty(fs->c, b);
}

/* The first clear bit in [lo, hi), or -1. */
static long find_zero_range(const uint8_t *map, uint32_t lo, uint32_t hi)
{
	{
		uint32_t i = lo, end = hi;

		while (i < end) {
			/* whole words, then bytes, of used blocks at a time
			 * (bitmaps are blocks of the cache: aligned) */
			if ((i & 63) == 0 && i + 64 <= end &&
			    ((const ext2_word *)map)[i >> 6] == ~(uint64_t)0) {
				i += 64;
				continue;
			}
			if ((i & 7) == 0 && i + 8 <= end && map[i >> 3] == 0xff) {
				i += 8;
				continue;
			}
			if (!(map[i >> 3] & (1u << (i & 7))))
				return i;
			i++;
		}
	}
	return -1;
}

/* The first clear bit in [start, nbits) then [0, start), or -1. */
static long find_zero(const uint8_t *map, uint32_t start, uint32_t nbits)
{
	long bit = find_zero_range(map, start, nbits);

	return bit >= 0 ? bit : find_zero_range(map, 0, start);
}

static bool freed_recently(const struct ext2_fs *fs, uint32_t b)
{
	for (uint32_t i = 0; i < fs->nfreed; i++)
		if (fs->freed[i] == b)
			return true;
	return false;
}

/* A free block of the group's bitmap from `from` on (wrapping), not one
 * freed since the last sync unless nothing else is free (then *fallback
 * is one): -1 none. */
static long group_find(const struct ext2_fs *fs, uint32_t g, const uint8_t *map, uint32_t from,
		       long *fallback)
{
	uint32_t nbits = group_nblocks(fs, g), first = group_first(fs, g);

	if (from >= nbits)
		from = 0;
	for (int pass = 0; pass < 2; pass++) {
		uint32_t lo = pass ? 0 : from, hi = pass ? from : nbits;

		while (lo < hi) {
			long bit = find_zero_range(map, lo, hi);

			if (bit < 0)
				break;
			if (!fs->nfreed || !freed_recently(fs, first + (uint32_t)bit))
				return bit;
			if (*fallback < 0)
				*fallback = bit;
			lo = (uint32_t)bit + 1;
		}
	}
	return -1;
}

static int alloc_block(struct ext2_fs *fs, uint32_t ino, uint32_t goal, uint32_t *out)
{
	uint32_t g0, n, fb_group = 0;
	long fb_bit = -1;

	if (fs->sb.s_free_blocks_count == 0)
		return -RV_ENOSPC;
	if (ino == fs->hint_ino && fs->hint_blk)
		goal = fs->hint_blk + 1;
	if (goal < fs->first_data_block || goal >= fs->blocks_count)
		goal = fs->first_data_block;
	g0 = (goal - fs->first_data_block) / fs->bpg;
	/* Twice round the groups: the second time, when only blocks freed
	 * since the last sync are left, one of them. */
	for (n = 0; n < 2 * fs->groups; n++) {
		uint32_t g = (g0 + n) % fs->groups;
		uint32_t start = n == 0 ? goal - group_first(fs, g) : 0;
		struct bcache_block *bm;
		long bit, fb = -1;
		uint32_t b;
		int ret;

		if (fs->gd[g].bg_free_blocks_count == 0)
			continue;
		if (n >= fs->groups && (fb_bit < 0 || g != fb_group))
			continue;
		ret = getblk(fs, fs->gd[g].bg_block_bitmap, &bm);
		if (ret < 0)
			return ret;
		bit = n >= fs->groups ? fb_bit : group_find(fs, g, bm->data, start, &fb);
		if (bit < 0 && fb >= 0) {
			put(fs, bm);
			if (fb_bit < 0) {
				fb_bit = fb;
				fb_group = g;
			}
			continue;
		}
		b = group_first(fs, g) + (uint32_t)bit;
		/* The descriptor says free blocks but the bitmap has none, or
		 * the bitmap gives away metadata: the image is corrupt. */
		if (bit < 0 || !blk_ok(fs, b)) {
			put(fs, bm);
			return -RV_EUCLEAN;
		}
		((uint8_t *)bm->data)[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		dirty(fs, bm);
		put(fs, bm);
		fs->gd[g].bg_free_blocks_count--;
		fs->sb.s_free_blocks_count--;
		fs->gd_dirty = fs->sb_dirty = true;
		fs->hint_ino = ino;
		fs->hint_blk = b;
		*out = b;
		return 0;
	}
	return -RV_EUCLEAN; /* the superblock counted free blocks the groups do not have */
}

static int push_block(uint32_t **arr, uint32_t *n, uint32_t *cap, uint32_t b)
{
	if (*n == *cap) {
		uint32_t want = *cap ? 2 * *cap : 64;
		uint32_t *p = realloc(*arr, sizeof(*p) * want);

		if (!p)
			return -RV_ENOMEM;
		*arr = p;
		*cap = want;
	}
	(*arr)[(*n)++] = b;
	return 0;
}

static int bitmap_free(struct ext2_fs *fs, uint32_t b, bool meta);

/* Free block b; meta: it held metadata of the synced state (see freed).
 * With a journal the bitmap changes at the commit (apply_frees). */
static int free_block(struct ext2_fs *fs, uint32_t b, bool meta)
{
	int ret;

	if (!blk_ok(fs, b))
		return -RV_EUCLEAN;
	if (!fs->journal)
		return bitmap_free(fs, b, meta);
	ret = push_block(&fs->pending, &fs->npending, &fs->cap_pending, b);
	if (ret == 0 && meta)
		ret = push_block(&fs->revoke, &fs->nrevoke, &fs->cap_revoke, b);
	if (fs->hint_blk == b)
		fs->hint_blk = 0;
	return ret;
}

/* The bitmap's bit and the counts. A block already free is EUCLEAN
 * (two owners) without a journal; with one, the frees are applied at the
 * commit, where such a second free is skipped. */
static int bitmap_free(struct ext2_fs *fs, uint32_t b, bool meta)
{
	struct bcache_block *bm;
	uint32_t g, bit;
	uint8_t *p;
	int ret;

	g = (b - fs->first_data_block) / fs->bpg;
	bit = b - group_first(fs, g);
	ret = getblk(fs, fs->gd[g].bg_block_bitmap, &bm);
	if (ret < 0)
		return ret;
	p = (uint8_t *)bm->data + (bit >> 3);
	if (!(*p & (1u << (bit & 7))) || fs->gd[g].bg_free_blocks_count >= group_nblocks(fs, g)) {
		put(fs, bm); /* freeing a free block: two owners */
		return fs->journal ? 0 : -RV_EUCLEAN;
	}
	*p &= (uint8_t)~(1u << (bit & 7));
	dirty(fs, bm);
	put(fs, bm);
	fs->gd[g].bg_free_blocks_count++;
	fs->sb.s_free_blocks_count++;
	fs->gd_dirty = fs->sb_dirty = true;
	if (fs->hint_blk == b)
		fs->hint_blk = 0;
	if (meta && !fs->journal) {
		if (fs->nfreed < EXT2_FREED_MAX)
			fs->freed[fs->nfreed++] = b;
		else
			fs->freed_full = true;
	}
	return 0;
}

/* ---- inodes ---- */

static bool ino_valid(const struct ext2_fs *fs, vfs_ino_t ino)
{
	return ino >= 1 && ino <= fs->inodes_count;
}

/* Where an inode lives: its table block and the offset in it. */
static int inode_loc(struct ext2_fs *fs, vfs_ino_t ino, uint32_t *blk, uint32_t *off)
{
	uint32_t g, idx;
	uint64_t byte;

	if (!ino_valid(fs, ino))
		return -RV_EUCLEAN;
	g = (uint32_t)((ino - 1) / fs->ipg);
	idx = (uint32_t)((ino - 1) % fs->ipg);
	byte = (uint64_t)idx * fs->inode_size;
	*blk = fs->gd[g].bg_inode_table + (uint32_t)(byte / fs->bs);
	*off = (uint32_t)(byte % fs->bs);
	return 0;
}

static size_t inode_copy_size(const struct ext2_fs *fs)
{
	return fs->inode_size < sizeof(struct ext2_inode) ? fs->inode_size
							  : sizeof(struct ext2_inode);
}

/* What inode_read gives for an inode whose first inode_copy_size bytes
 * are in *in: the rest zeroed, a bad i_extra_isize dropped. */
static void inode_fixup(const struct ext2_fs *fs, struct ext2_inode *in)
{
	if (inode_copy_size(fs) < sizeof(*in)) /* a 128-byte inode: no large fields */
		zero((uint8_t *)in + inode_copy_size(fs), sizeof(*in) - inode_copy_size(fs));
	if (fs->inode_size <= EXT2_GOOD_OLD_INODE_SIZE ||
	    in->i_extra_isize > fs->inode_size - EXT2_GOOD_OLD_INODE_SIZE)
		in->i_extra_isize = 0; /* a bad one: do not trust the fields it claims */
}

static int inode_read(struct ext2_fs *fs, vfs_ino_t ino, struct ext2_inode *in)
{
	struct ext2_icache *e = &fs->icache[ino % EXT2_ICACHE];
	struct bcache_block *b;
	uint32_t blk, off;
	int ret;

	if (e->ino == ino && ino) {
		copy(in, &e->in, sizeof(*in));
		return 0;
	}
	ret = inode_loc(fs, ino, &blk, &off);
	if (ret < 0)
		return ret;
	ret = getblk(fs, blk, &b);
	if (ret < 0)
		return ret;
	copy(in, (uint8_t *)b->data + off, inode_copy_size(fs));
	put(fs, b);
	inode_fixup(fs, in);
	e->ino = ino;
	copy(&e->in, in, sizeof(*in));
	return 0;
}

/* Write back what inode_read read (the rest of a large inode, inline
 * xattrs, stays as it is); whole: zero the rest too (a new inode). */
static int inode_write_ex(struct ext2_fs *fs, vfs_ino_t ino, const struct ext2_inode *in,
			  bool whole)
{
	struct ext2_icache *e;
	struct bcache_block *b;
	uint32_t blk, off;
	int ret = inode_loc(fs, ino, &blk, &off);

	if (ret < 0)
		return ret;
	ret = getblk(fs, blk, &b);
	if (ret < 0)
		return ret;
	if (whole)
		zero((uint8_t *)b->data + off, fs->inode_size);
	copy((uint8_t *)b->data + off, in, inode_copy_size(fs));
	dirty(fs, b);
	put(fs, b);
	/* what inode_read would read back now */
	e = &fs->icache[ino % EXT2_ICACHE];
	copy(&e->in, in, inode_copy_size(fs));
	inode_fixup(fs, &e->in);
	e->ino = ino;
	return 0;
}

static int inode_write(struct ext2_fs *fs, vfs_ino_t ino, const struct ext2_inode *in)
{
	return inode_write_ex(fs, ino, in, false);
}

static uint32_t itype(const struct ext2_inode *in)
{
	return in->i_mode & EXT2_S_IFMT;
}

static bool is_dir(const struct ext2_inode *in)
{
	return itype(in) == EXT2_S_IFDIR;
}

static bool is_reg(const struct ext2_inode *in)
{
	return itype(in) == EXT2_S_IFREG;
}

static bool is_lnk(const struct ext2_inode *in)
{
	return itype(in) == EXT2_S_IFLNK;
}

static uint64_t isize(const struct ext2_fs *fs, const struct ext2_inode *in)
{
	uint64_t s = in->i_size;

	if (is_reg(in) && fs->sb.s_rev_level >= EXT2_DYNAMIC_REV)
		s |= (uint64_t)in->i_size_high << 32;
	return s;
}

static void set_isize(struct ext2_fs *fs, struct ext2_inode *in, uint64_t s)
{
	in->i_size = (uint32_t)s;
	if (is_reg(in) && fs->sb.s_rev_level >= EXT2_DYNAMIC_REV) {
		in->i_size_high = (uint32_t)(s >> 32);
		if (s > 0x7fffffffu &&
		    !(fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
			fs->sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
			fs->sb_dirty = true;
		}
	}
}

static bool is_fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *in)
{
	uint32_t acl = in->i_file_acl ? fs->sectors_per_block : 0;

	return is_lnk(in) && in->i_blocks == acl;
}

/* The times to stamp: seconds, and in a large inode the nanoseconds (and
 * two epoch bits past 2038) in the *_extra fields. */
enum { T_A = 1, T_C = 2, T_M = 4, T_CR = 8 };

static uint32_t time_extra(uint64_t ns)
{
	uint64_t sec = ns / 1000000000u;

	return (uint32_t)((ns % 1000000000u) << 2) | (uint32_t)((sec >> 32) & 3);
}

static void stamp(struct ext2_fs *fs, struct ext2_inode *in, unsigned int which)
{
	uint64_t ns = now_ns(fs);
	uint32_t sec = (uint32_t)(ns / 1000000000u), x = time_extra(ns);
	uint16_t ex = in->i_extra_isize;

	if (which & T_A) {
		in->i_atime = sec;
		if (ex >= 16)
			in->i_atime_extra = x;
	}
	if (which & T_C) {
		in->i_ctime = sec;
		if (ex >= 8)
			in->i_ctime_extra = x;
	}
	if (which & T_M) {
		in->i_mtime = sec;
		if (ex >= 12)
			in->i_mtime_extra = x;
	}
	if ((which & T_CR) && ex >= 24) {
		in->i_crtime = sec;
		in->i_crtime_extra = x;
	}
}

static uint64_t time_ns(uint32_t sec, uint32_t extra, bool has_extra)
{
	uint64_t s = sec;

	if (!has_extra)
		return (uint64_t)(int64_t)(int32_t)sec * 1000000000u;
	s += (uint64_t)(extra & 3) << 32;
	return s * 1000000000u + ((extra >> 2) % 1000000000u);
}

static struct ext2_ref *ref_find(struct ext2_fs *fs, vfs_ino_t ino)
{
	struct ext2_ref *r = fs->refs[ino % EXT2_REF_BUCKETS];

	while (r && r->ino != ino)
		r = r->next;
	return r;
}

/* An inode a directory entry or a caller names: in use, of a kind we
 * know, not one of the reserved inodes, without features we lack. */
static int inode_check(struct ext2_fs *fs, vfs_ino_t ino, const struct ext2_inode *in)
{
	if (in->i_mode == 0 || (in->i_links_count == 0 && !ref_find(fs, ino)))
		return -RV_EUCLEAN;
	if (in->i_flags & (EXT2_EXTENTS_FL | EXT2_INLINE_DATA_FL))
		return -RV_EUCLEAN; /* the superblock does not have those features */
	if (is_dir(in) && (in->i_size % fs->bs))
		return -RV_EUCLEAN;
	return 0;
}

static int inode_get(struct ext2_fs *fs, vfs_ino_t ino, struct ext2_inode *in)
{
	int ret;

	if (!ino_valid(fs, ino) || (ino < fs->first_ino && ino != EXT2_ROOT_INO))
		return -RV_EUCLEAN;
	ret = inode_read(fs, ino, in);
	if (ret < 0)
		return ret;
	return inode_check(fs, ino, in);
}

/* inode_get without the copy: the inode cache's entry, good until the
 * next inode_read or inode_write (getattr only looks). */
static int inode_peek(struct ext2_fs *fs, vfs_ino_t ino, const struct ext2_inode **out)
{
	struct ext2_icache *e = &fs->icache[ino % EXT2_ICACHE];
	int ret;

	if (!ino_valid(fs, ino) || (ino < fs->first_ino && ino != EXT2_ROOT_INO))
		return -RV_EUCLEAN;
	if (e->ino != ino) {
		struct ext2_inode in;

		ret = inode_read(fs, ino, &in); /* fills e */
		if (ret < 0)
			return ret;
	}
	*out = &e->in;
	return inode_check(fs, ino, &e->in);
}

/* ---- the block map ---- */

/* Where logical block lblk lives: the path of indices from the inode's
 * i_block slot down, depth = number of indirect blocks on the way. */
static int bmap_path(const struct ext2_fs *fs, uint64_t lblk, uint32_t *slot, uint32_t idx[3],
		     int *depth)
{
	uint64_t apb = fs->apb, apb2 = apb * apb;
	uint32_t l = fs->apb_log;

	if (lblk < EXT2_NDIR_BLOCKS) {
		*slot = (uint32_t)lblk;
		*depth = 0;
		return 0;
	}
	lblk -= EXT2_NDIR_BLOCKS;
	if (lblk < apb) {
		*slot = EXT2_IND_BLOCK;
		idx[0] = (uint32_t)lblk;
		*depth = 1;
		return 0;
	}
	lblk -= apb;
	if (lblk < apb2) {
		*slot = EXT2_DIND_BLOCK;
		idx[0] = (uint32_t)(lblk >> l);
		idx[1] = (uint32_t)(lblk & (apb - 1));
		*depth = 2;
		return 0;
	}
	lblk -= apb2;
	if (lblk < apb2 * apb) {
		*slot = EXT2_TIND_BLOCK;
		idx[0] = (uint32_t)(lblk >> (2 * l));
		idx[1] = (uint32_t)((lblk >> l) & (apb - 1));
		idx[2] = (uint32_t)(lblk & (apb - 1));
		*depth = 3;
		return 0;
	}
	return -RV_EFBIG;
}

static int charge_block(struct ext2_fs *fs, struct ext2_inode *in)
{
	if (in->i_blocks > UINT32_MAX - fs->sectors_per_block)
		return -RV_EFBIG;
	in->i_blocks += fs->sectors_per_block;
	return 0;
}

/* A new block for inode ino, counted in in->i_blocks; an indirect block
 * (zeroed) when indirect. */
static int alloc_for(struct ext2_fs *fs, vfs_ino_t ino, struct ext2_inode *in, uint32_t goal,
		     bool indirect, uint32_t *out)
{
	struct bcache_block *b;
	int ret;

	if (in->i_blocks > UINT32_MAX - fs->sectors_per_block)
		return -RV_EFBIG;
	ret = alloc_block(fs, (uint32_t)ino, goal, out);
	if (ret < 0)
		return ret;
	if (indirect) {
		ret = getblk_new(fs, *out, &b);
		if (ret < 0) {
			free_block(fs, *out, false);
			return ret;
		}
		dirty(fs, b);
		put(fs, b);
	}
	return charge_block(fs, in);
}

static uint32_t ino_goal(const struct ext2_fs *fs, vfs_ino_t ino)
{
	uint32_t g = (uint32_t)((ino - 1) / fs->ipg);

	return group_first(fs, g);
}

/* The physical block of lblk (0: a hole). alloc fills holes on the way
 * (in changes: the caller writes it back) and sets *fresh when the data
 * block itself is new. */
static int bmap(struct ext2_fs *fs, vfs_ino_t ino, struct ext2_inode *in, uint64_t lblk,
		bool alloc, uint32_t *out, bool *fresh)
{
	uint32_t slot, idx[3], parents[4], blk;
	int depth, ret;

	if (fresh)
		*fresh = false;
	ret = bmap_path(fs, lblk, &slot, idx, &depth);
	if (ret < 0)
		return ret;
	blk = in->i_block[slot];
	if (blk == 0) {
		if (!alloc) {
			*out = 0;
			return 0;
		}
		ret = alloc_for(fs, ino, in, ino_goal(fs, ino), depth > 0, &blk);
		if (ret < 0)
			return ret;
		in->i_block[slot] = blk;
		if (depth == 0 && fresh)
			*fresh = true;
	} else if (!blk_ok(fs, blk)) {
		return -RV_EUCLEAN;
	}
	parents[0] = blk;
	for (int lv = 0; lv < depth; lv++) {
		struct bcache_block *b;
		uint32_t *ptrs, p;

		ret = getblk(fs, blk, &b);
		if (ret < 0)
			return ret;
		ptrs = b->data;
		p = ptrs[idx[lv]];
		if (p == 0) {
			if (!alloc) {
				put(fs, b);
				*out = 0;
				return 0;
			}
			ret = alloc_for(fs, ino, in, blk + 1, lv + 1 < depth, &p);
			if (ret < 0) {
				put(fs, b);
				return ret;
			}
			ptrs[idx[lv]] = p;
			dirty(fs, b);
			if (lv + 1 == depth && fresh)
				*fresh = true;
		} else {
			/* Not outside the file system, not metadata, not one of
			 * the indirect blocks above (a loop). */
			bool bad = !blk_ok(fs, p);

			for (int k = 0; k <= lv && !bad; k++)
				bad = p == parents[k];
			if (bad) {
				put(fs, b);
				return -RV_EUCLEAN;
			}
		}
		put(fs, b);
		blk = p;
		parents[lv + 1] = p;
	}
	*out = blk;
	return 0;
}

/* bmap without allocating, for lblk and the blocks after it, up to max
 * (*got of them, at least 1): the direct ones, or those in the same
 * single indirect block with one visit of it; each checked as bmap
 * checks it (a bad one after the first ends the run: the next call
 * reports it). Deeper blocks: one at a time, by bmap. */
static int bmap_run(struct ext2_fs *fs, vfs_ino_t ino, struct ext2_inode *in, uint64_t lblk,
		    uint32_t max, uint32_t *out, uint32_t *got)
{
	uint32_t slot, idx[3], n = 0;
	int depth, ret;

	ret = bmap_path(fs, lblk, &slot, idx, &depth);
	if (ret < 0)
		return ret;
	if (depth == 0) {
		for (; n < max && slot + n < EXT2_NDIR_BLOCKS; n++) {
			uint32_t p = in->i_block[slot + n];

			if (p && !blk_ok(fs, p)) {
				if (n)
					break;
				return -RV_EUCLEAN;
			}
			out[n] = p;
		}
	} else if (depth == 1) {
		uint32_t ind = in->i_block[EXT2_IND_BLOCK];
		struct bcache_block *b;

		if (ind == 0) {
			for (; n < max && idx[0] + n < fs->apb; n++)
				out[n] = 0;
		} else {
			if (!blk_ok(fs, ind))
				return -RV_EUCLEAN;
			ret = getblk(fs, ind, &b);
			if (ret < 0)
				return ret;
			for (; n < max && idx[0] + n < fs->apb; n++) {
				uint32_t p = ((const uint32_t *)b->data)[idx[0] + n];

				/* not outside, not metadata, not the indirect block */
				if (p && (!blk_ok(fs, p) || p == ind)) {
					if (n)
						break;
					put(fs, b);
					return -RV_EUCLEAN;
				}
				out[n] = p;
			}
			put(fs, b);
		}
	} else {
		ret = bmap(fs, ino, in, lblk, false, out, NULL);
		if (ret < 0)
			return ret;
		n = 1;
	}
	*got = n;
	return 0;
}

/* Free the subtree under *slot (level 0: a data block) from logical block
 * `from` on; base is the first logical block it maps. */
static int free_tree(struct ext2_fs *fs, struct ext2_inode *in, uint32_t *slot, int level,
		     uint64_t base, uint64_t from, bool meta)
{
	uint64_t span = (uint64_t)1 << (fs->apb_log * level);
	uint32_t blk = *slot;
	int ret = 0;

	if (blk == 0 || from >= base + span)
		return 0;
	if (!blk_ok(fs, blk))
		return -RV_EUCLEAN;
	if (level > 0) {
		uint64_t child_span = span >> fs->apb_log;
		uint32_t i = from > base ? (uint32_t)((from - base) / child_span) : 0;
		struct bcache_block *b;
		uint32_t *ptrs;
		bool changed = false;

		ret = getblk(fs, blk, &b);
		if (ret < 0)
			return ret;
		ptrs = b->data;
		for (; i < fs->apb && ret == 0; i++) {
			if (ptrs[i] == 0)
				continue;
			if (ptrs[i] == blk) {
				ret = -RV_EUCLEAN; /* an indirect block naming itself */
				break;
			}
			ret = free_tree(fs, in, &ptrs[i], level - 1, base + i * child_span, from,
					meta);
			changed = true;
		}
		if (changed && (from > base || ret < 0))
			dirty(fs, b); /* (a block freed whole needs no writing) */
		put(fs, b);
		if (ret < 0)
			return ret;
	}
	if (from <= base) {
		ret = free_block(fs, blk, level > 0 || meta);
		if (ret < 0)
			return ret;
		*slot = 0;
		in->i_blocks -= in->i_blocks >= fs->sectors_per_block ? fs->sectors_per_block
								      : in->i_blocks;
	}
	return 0;
}

/* Free every block of the file from logical block `from` on. */
static int free_from(struct ext2_fs *fs, struct ext2_inode *in, uint64_t from)
{
	uint64_t apb = fs->apb;
	bool meta = !is_reg(in); /* directory and symlink blocks are metadata */
	int ret = 0;

	for (uint32_t i = 0; i < EXT2_NDIR_BLOCKS && ret == 0; i++)
		ret = free_tree(fs, in, &in->i_block[i], 0, i, from, meta);
	if (ret == 0)
		ret = free_tree(fs, in, &in->i_block[EXT2_IND_BLOCK], 1, EXT2_NDIR_BLOCKS, from,
				meta);
	if (ret == 0)
		ret = free_tree(fs, in, &in->i_block[EXT2_DIND_BLOCK], 2, EXT2_NDIR_BLOCKS + apb,
				from, meta);
	if (ret == 0)
		ret = free_tree(fs, in, &in->i_block[EXT2_TIND_BLOCK], 3,
				EXT2_NDIR_BLOCKS + apb + apb * apb, from, meta);
	return ret;
}

/* ---- inode allocation ---- */

/* Directories spread out: a group with at least the average free inodes
 * and blocks and the fewest directories. Files stay near their parent. */
static uint32_t pick_group(struct ext2_fs *fs, vfs_ino_t parent, bool dir)
{
	uint32_t pg = (uint32_t)((parent - 1) / fs->ipg), g, best = UINT32_MAX;

	if (dir) {
		uint32_t avg_i = fs->sb.s_free_inodes_count / fs->groups;
		uint32_t avg_b = fs->sb.s_free_blocks_count / fs->groups;

		for (uint32_t n = 0; n < fs->groups; n++) {
			const struct ext2_group_desc *d;

			g = (pg + n) % fs->groups;
			d = &fs->gd[g];
			if (d->bg_free_inodes_count == 0 || d->bg_free_inodes_count < avg_i ||
			    d->bg_free_blocks_count < avg_b)
				continue;
			if (best == UINT32_MAX ||
			    d->bg_used_dirs_count < fs->gd[best].bg_used_dirs_count)
				best = g;
		}
		if (best != UINT32_MAX)
			return best;
	}
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t n = 0; n < fs->groups; n++) {
			g = (pg + n) % fs->groups;
			if (fs->gd[g].bg_free_inodes_count &&
			    (pass || fs->gd[g].bg_free_blocks_count))
				return g;
		}
	return pg;
}

static int alloc_inode(struct ext2_fs *fs, vfs_ino_t parent, bool dir, vfs_ino_t *out)
{
	struct bcache_block *bm;
	uint32_t g;
	long bit;
	vfs_ino_t ino;
	int ret;

	if (fs->sb.s_free_inodes_count == 0)
		return -RV_ENOSPC;
	g = pick_group(fs, parent, dir);
	if (fs->gd[g].bg_free_inodes_count == 0)
		return -RV_EUCLEAN; /* the superblock counted free inodes no group has */
	ret = getblk(fs, fs->gd[g].bg_inode_bitmap, &bm);
	if (ret < 0)
		return ret;
	bit = find_zero(bm->data,
			fs->last_ino && (fs->last_ino - 1) / fs->ipg == g
				? (uint32_t)((fs->last_ino - 1) % fs->ipg)
				: 0,
			fs->ipg);
	ino = (vfs_ino_t)g * fs->ipg + (uint64_t)bit + 1;
	if (bit < 0 || ino < fs->first_ino) {
		put(fs, bm); /* full although counted free, or a reserved inode free */
		return -RV_EUCLEAN;
	}
	((uint8_t *)bm->data)[bit >> 3] |= (uint8_t)(1u << (bit & 7));
	dirty(fs, bm);
	put(fs, bm);
	fs->gd[g].bg_free_inodes_count--;
	fs->last_ino = ino;
	if (dir)
		fs->gd[g].bg_used_dirs_count++;
	fs->sb.s_free_inodes_count--;
	fs->gd_dirty = fs->sb_dirty = true;
	*out = ino;
	return 0;
}

static int free_inode_bit(struct ext2_fs *fs, vfs_ino_t ino, bool dir)
{
	struct bcache_block *bm;
	uint32_t g, bit;
	uint8_t *p;
	int ret;

	if (!ino_valid(fs, ino) || ino < fs->first_ino)
		return -RV_EUCLEAN;
	g = (uint32_t)((ino - 1) / fs->ipg);
	bit = (uint32_t)((ino - 1) % fs->ipg);
	ret = getblk(fs, fs->gd[g].bg_inode_bitmap, &bm);
	if (ret < 0)
		return ret;
	p = (uint8_t *)bm->data + (bit >> 3);
	if (!(*p & (1u << (bit & 7)))) {
		put(fs, bm);
		return -RV_EUCLEAN;
	}
	*p &= (uint8_t)~(1u << (bit & 7));
	dirty(fs, bm);
	put(fs, bm);
	fs->gd[g].bg_free_inodes_count++;
	if (dir && fs->gd[g].bg_used_dirs_count)
		fs->gd[g].bg_used_dirs_count--;
	fs->sb.s_free_inodes_count++;
	fs->gd_dirty = fs->sb_dirty = true;
	return 0;
}

/* Most orphans a list may hold: a longer one is a loop. */
#define EXT2_ORPHANS_MAX (1u << 16)

static bool orphan_ino_ok(const struct ext2_fs *fs, uint32_t ino)
{
	return ino >= fs->first_ino && ino <= fs->inodes_count;
}

/* Take ino off the orphan list if it is there. */
static int orphan_remove(struct ext2_fs *fs, vfs_ino_t ino)
{
	uint32_t prev = 0, cur = fs->sb.s_last_orphan;

	for (uint32_t n = 0; cur && n < EXT2_ORPHANS_MAX; n++) {
		struct ext2_inode in;
		int ret;

		if (!orphan_ino_ok(fs, cur))
			return -RV_EUCLEAN;
		ret = inode_read(fs, cur, &in);
		if (ret < 0)
			return ret;
		if (cur == ino) {
			uint32_t next = in.i_dtime;

			if (prev == 0) {
				fs->sb.s_last_orphan = next;
				fs->sb_dirty = true;
				return 0;
			}
			ret = inode_read(fs, prev, &in);
			if (ret < 0)
				return ret;
			in.i_dtime = next;
			return inode_write(fs, prev, &in);
		}
		prev = cur;
		cur = in.i_dtime;
	}
	return 0;
}

/* An inode without links or references: its blocks, its xattr block and
 * the inode itself go back. */
static int release_inode(struct ext2_fs *fs, vfs_ino_t ino)
{
	struct ext2_inode in;
	bool dir, fast;
	int ret = fs->sb.s_last_orphan ? orphan_remove(fs, ino) : 0;

	if (ret == 0)
		ret = inode_read(fs, ino, &in);
	if (ret < 0)
		return ret;
	if (in.i_mode == 0)
		return -RV_EUCLEAN;
	dir = is_dir(&in);
	fast = is_fast_symlink(fs, &in); /* i_block holds its text, not blocks */
	if (!fast) {
		ret = free_from(fs, &in, 0);
		if (ret < 0)
			return ret;
	}
	if (in.i_file_acl) {
		struct bcache_block *b;
		struct ext2_xattr_header *h;

		if (!blk_ok(fs, in.i_file_acl))
			return -RV_EUCLEAN;
		ret = getblk(fs, in.i_file_acl, &b);
		if (ret < 0)
			return ret;
		h = b->data;
		if (h->h_magic != EXT2_XATTR_MAGIC || h->h_refcount == 0) {
			put(fs, b);
			return -RV_EUCLEAN;
		}
		if (--h->h_refcount == 0) {
			put(fs, b);
			ret = free_block(fs, in.i_file_acl, true);
			if (ret < 0)
				return ret;
		} else {
			dirty(fs, b);
			put(fs, b);
		}
		in.i_file_acl = 0;
	}
	if (fast)
		memset(in.i_block, 0, sizeof(in.i_block));
	in.i_blocks = 0;
	in.i_links_count = 0;
	in.i_size = 0;
	in.i_size_high = 0;
	in.i_dtime = (uint32_t)(now_ns(fs) / 1000000000u);
	/* e2fsck takes a dtime below the inode count for an orphan-list link */
	if (in.i_dtime <= fs->inodes_count)
		in.i_dtime = fs->inodes_count + 1;
	ret = inode_write(fs, ino, &in);
	if (ret < 0)
		return ret;
	return free_inode_bit(fs, ino, dir);
}

/* ---- directories ---- */

static uint32_t rec_len_get(const struct ext2_fs *fs, const struct ext2_dirent *de)
{
	uint32_t r = de->rec_len;

	if (fs->bs >= 65536 && (r == 65535 || r == 0))
		return 65536;
	return r;
}

static void rec_len_set(struct ext2_dirent *de, uint32_t len)
{
	de->rec_len = (uint16_t)(len >= 65536 ? 65535 : len);
}

static uint32_t name_len_get(const struct ext2_fs *fs, const struct ext2_dirent *de)
{
	return fs->filetype ? de->name_len : de->name_len | ((uint32_t)de->file_type << 8);
}

static uint8_t ft_of_mode(uint32_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG: return EXT2_FT_REG_FILE;
	case EXT2_S_IFDIR: return EXT2_FT_DIR;
	case EXT2_S_IFLNK: return EXT2_FT_SYMLINK;
	case EXT2_S_IFCHR: return EXT2_FT_CHRDEV;
	case EXT2_S_IFBLK: return EXT2_FT_BLKDEV;
	case EXT2_S_IFIFO: return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK: return EXT2_FT_SOCK;
	default: return EXT2_FT_UNKNOWN;
	}
}

static void de_set(const struct ext2_fs *fs, struct ext2_dirent *de, vfs_ino_t ino,
		   const char *name, size_t len, uint32_t mode)
{
	de->inode = (uint32_t)ino;
	de->name_len = (uint8_t)len;
	de->file_type = fs->filetype ? ft_of_mode(mode) : 0;
	memcpy(de->name, name, len);
}

/* One directory entry seen by a walk. The block stays held during the
 * callback, which may change it (return DIR_DIRTY). */
struct dir_ent {
	uint64_t lblk;
	uint32_t pblk;
	uint8_t *data;
	uint32_t off, prev_off; /* prev_off: UINT32_MAX for the first entry */
	struct ext2_dirent *de; /* only while the walk holds the block */
	uint32_t rec_len, name_len;
	vfs_ino_t ino;          /* the entry's inode, for after the walk */
};

enum { DIR_NEXT = 0, DIR_STOP = 1, DIR_DIRTY = 2, DIR_STOP_DIRTY = 3 };

typedef int (*dir_fn)(struct ext2_fs *fs, struct dir_ent *e, void *ctx);

/* Every entry (unused ones too) of directory `in`, from byte `start` on,
 * each checked first. Returns 1 when fn stopped, 0 at the end. */
static int dir_walk(struct ext2_fs *fs, vfs_ino_t ino, struct ext2_inode *in, uint64_t start,
		    dir_fn fn, void *ctx)
{
	uint64_t nblk = in->i_size / fs->bs;

	for (uint64_t l = start / fs->bs; l < nblk; l++) {
		struct bcache_block *b;
		struct dir_ent e;
		uint32_t skip = l == start / fs->bs ? (uint32_t)(start % fs->bs) : 0;
		int ret = bmap(fs, ino, in, l, false, &e.pblk, NULL);

		if (ret < 0)
			return ret;
		if (e.pblk == 0)
			return -RV_EUCLEAN; /* directories have no holes */
		ret = getblk(fs, e.pblk, &b);
		if (ret < 0)
			return ret;
		e.lblk = l;
		e.data = b->data;
		e.prev_off = UINT32_MAX;
		for (e.off = 0; e.off < fs->bs; e.off += e.rec_len) {
			e.de = (struct ext2_dirent *)(e.data + e.off);
			e.rec_len = rec_len_get(fs, e.de);
			e.name_len = name_len_get(fs, e.de);
			if (e.rec_len < 8 || (e.rec_len & 3) || e.rec_len > fs->bs - e.off ||
			    (e.de->inode && (e.name_len == 0 || e.name_len > FS_NAME_MAX ||
					     8 + e.name_len > e.rec_len ||
					     e.de->inode > fs->inodes_count))) {
				put(fs, b);
				return -RV_EUCLEAN;
			}
			if (e.off >= skip) {
				ret = fn(fs, &e, ctx);
				if (ret < 0 || (ret & DIR_DIRTY))
					dirty(fs, b);
				if (ret < 0 || (ret & DIR_STOP)) {
					put(fs, b);
					return ret < 0 ? ret : 1;
				}
			}
			e.prev_off = e.off;
		}
		put(fs, b);
	}
	return 0;
}

/* The entry called name in directory dir (read into din), or -ENOENT.
 * With slot, also the first entry with room for `need` more bytes
 * (slot->pblk 0: none), where dir_add puts a new name. The lookup path
 * of every operation: a loop of its own (no callback per entry), every
 * entry checked as dir_walk checks it. */
static int dir_find_slot(struct ext2_fs *fs, vfs_ino_t dir, struct ext2_inode *din,
			 const char *name, size_t len, struct dir_ent *hit, struct dir_ent *slot,
			 uint32_t need)
{
	const uint32_t bs = fs->bs, inodes = fs->inodes_count;
	const bool ft = fs->filetype, big = bs >= 65536;
	uint64_t nblk = din->i_size / bs;
	char last;

	if (slot)
		slot->pblk = 0;
	/* the caller has checked; every lookup, create, link and rename
	 * passes here first, so no bad name reaches a directory block */
	if (len == 0 || len > FS_NAME_MAX)
		return len ? -RV_ENAMETOOLONG : -RV_ENOENT;
	last = name[len - 1];
	for (uint64_t l = 0; l < nblk; l++) {
		struct bcache_block *b;
		uint32_t pblk, off, rec, prev = UINT32_MAX;
		const uint8_t *data;
		int ret = bmap(fs, dir, din, l, false, &pblk, NULL);

		if (ret < 0)
			return ret;
		if (pblk == 0)
			return -RV_EUCLEAN; /* directories have no holes */
		ret = getblk(fs, pblk, &b);
		if (ret < 0)
			return ret;
		data = b->data;
		for (off = 0; off < bs; prev = off, off += rec) {
			const struct ext2_dirent *de = (const struct ext2_dirent *)(data + off);
			uint32_t nl;

			rec = de->rec_len;
			if (big && (rec == 0 || rec == 65535))
				rec = 65536;
			if (rec < 8 || (rec & 3) || rec > bs - off) {
				put(fs, b);
				return -RV_EUCLEAN;
			}
			nl = ft ? de->name_len : de->name_len | ((uint32_t)de->file_type << 8);
			if (!de->inode) {
				nl = 0;
			} else if (nl == 0 || 8 + nl > rec || de->inode > inodes) {
				put(fs, b);
				return -RV_EUCLEAN;
			} else if (nl == len && de->name[len - 1] == last &&
				   !memcmp(de->name, name, len)) {
				hit->lblk = l;
				hit->pblk = pblk;
				hit->off = off;
				hit->prev_off = prev;
				hit->rec_len = rec;
				hit->name_len = nl;
				hit->ino = de->inode;
				hit->data = NULL; /* not held after this */
				hit->de = NULL;
				put(fs, b);
				return 0;
			}
			if (slot && slot->pblk == 0 && rec >= (nl ? EXT2_DIRENT_SIZE(nl) : 0) + need) {
				slot->lblk = l;
				slot->pblk = pblk;
				slot->off = off;
				slot->rec_len = rec;
				slot->name_len = nl;
			}
		}
		put(fs, b);
	}
	return -RV_ENOENT;
}

static int dir_find(struct ext2_fs *fs, vfs_ino_t dir, struct ext2_inode *din, const char *name,
		    size_t len, struct dir_ent *hit)
{
	return dir_find_slot(fs, dir, din, name, len, hit, NULL, 0);
}

/* An entry we found and change: its block again (it was checked). */
static int hit_block(struct ext2_fs *fs, const struct dir_ent *hit, struct bcache_block **b,
		     struct ext2_dirent **de)
{
	int ret = getblk(fs, hit->pblk, b);

	if (ret < 0)
		return ret;
	*de = (struct ext2_dirent *)((uint8_t *)(*b)->data + hit->off);
	return 0;
}

static bool is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

struct add_ctx {
	const char *name;
	size_t len;
	vfs_ino_t ino;
	uint32_t mode;
	uint32_t need;
};

static int add_fn(struct ext2_fs *fs, struct dir_ent *e, void *ctx)
{
	struct add_ctx *a = ctx;
	uint32_t used = e->de->inode ? EXT2_DIRENT_SIZE(e->name_len) : 0;
	struct ext2_dirent *de = e->de;

	if (e->rec_len - used < a->need)
		return DIR_NEXT;
	if (used) {
		rec_len_set(de, used);
		de = (struct ext2_dirent *)(e->data + e->off + used);
		rec_len_set(de, e->rec_len - used);
	}
	de_set(fs, de, a->ino, a->name, a->len, a->mode);
	return DIR_STOP_DIRTY;
}

/* Directory changed: times, and a hash index it had no longer matches. */
static void dir_touched(struct ext2_fs *fs, struct ext2_inode *din)
{
	din->i_flags &= ~EXT2_INDEX_FL;
	stamp(fs, din, T_C | T_M);
}

/* Add name -> ino to directory dir (name not there), at slot when the
 * lookup that found it not there found room (else it looks). */
static int dir_add(struct ext2_fs *fs, vfs_ino_t dir, const char *name, size_t len,
		   vfs_ino_t ino, uint32_t mode, const struct dir_ent *slot)
{
	struct add_ctx a = { name, len, ino, mode, EXT2_DIRENT_SIZE(len) };
	struct ext2_inode din;
	struct bcache_block *b;
	uint32_t pblk;
	bool fresh;
	int ret = inode_read(fs, dir, &din);

	if (ret < 0)
		return ret;
	if (slot && slot->pblk) {
		/* the same block and entry the lookup saw (unchanged since) */
		struct dir_ent e = *slot;

		ret = getblk(fs, slot->pblk, &b);
		if (ret < 0)
			return ret;
		e.data = b->data;
		e.de = (struct ext2_dirent *)(e.data + e.off);
		if (rec_len_get(fs, e.de) != e.rec_len) {
			put(fs, b);
			return -RV_EUCLEAN;
		}
		e.name_len = e.de->inode ? name_len_get(fs, e.de) : 0;
		ret = add_fn(fs, &e, &a);
		if (ret & DIR_DIRTY)
			dirty(fs, b);
		put(fs, b);
		ret = ret & DIR_STOP ? 1 : 0;
	} else {
		ret = dir_walk(fs, dir, &din, 0, add_fn, &a);
	}
	if (ret < 0)
		return ret;
	if (ret == 0) {
		/* No room: one more block. */
		uint64_t l = din.i_size / fs->bs;

		if ((uint64_t)din.i_size + fs->bs > 0x7fffffffu)
			return -RV_EFBIG;
		ret = bmap(fs, dir, &din, l, true, &pblk, &fresh);
		if (ret < 0) {
			inode_write(fs, dir, &din); /* an indirect block it may have got */
			return ret;
		}
		ret = fresh ? getblk_new(fs, pblk, &b) : -RV_EUCLEAN;
		if (ret < 0) {
			inode_write(fs, dir, &din);
			return ret;
		}
		rec_len_set(b->data, fs->bs);
		de_set(fs, b->data, ino, name, len, mode);
		dirty(fs, b);
		put(fs, b);
		din.i_size += fs->bs;
	}
	dir_touched(fs, &din);
	return inode_write(fs, dir, &din);
}

/* Take out the entry hit of directory dir. */
static int dir_remove(struct ext2_fs *fs, vfs_ino_t dir, const struct dir_ent *hit)
{
	struct ext2_inode din;
	struct bcache_block *b;
	struct ext2_dirent *de;
	int ret = inode_read(fs, dir, &din);

	if (ret < 0)
		return ret;
	ret = hit_block(fs, hit, &b, &de);
	if (ret < 0)
		return ret;
	if (hit->prev_off != UINT32_MAX) {
		struct ext2_dirent *prev = (struct ext2_dirent *)((uint8_t *)b->data +
								  hit->prev_off);

		rec_len_set(prev, rec_len_get(fs, prev) + hit->rec_len);
	} else {
		de->inode = 0;
	}
	dirty(fs, b);
	put(fs, b);
	dir_touched(fs, &din);
	return inode_write(fs, dir, &din);
}

/* Point the entry hit of directory dir at another inode. */
static int dir_retarget(struct ext2_fs *fs, vfs_ino_t dir, const struct dir_ent *hit,
			vfs_ino_t ino, uint32_t mode)
{
	struct ext2_inode din;
	struct bcache_block *b;
	struct ext2_dirent *de;
	int ret = inode_read(fs, dir, &din);

	if (ret < 0)
		return ret;
	ret = hit_block(fs, hit, &b, &de);
	if (ret < 0)
		return ret;
	de->inode = (uint32_t)ino;
	if (fs->filetype)
		de->file_type = ft_of_mode(mode);
	dirty(fs, b);
	put(fs, b);
	dir_touched(fs, &din);
	return inode_write(fs, dir, &din);
}

static int empty_fn(struct ext2_fs *fs, struct dir_ent *e, void *ctx)
{
	(void)fs;
	(void)ctx;
	if (e->de->inode && !is_dot(e->de->name, e->name_len))
		return DIR_STOP;
	return DIR_NEXT;
}

/* 1 empty (only "." and ".."), 0 not. */
static int dir_is_empty(struct ext2_fs *fs, vfs_ino_t dir, struct ext2_inode *din)
{
	int ret = dir_walk(fs, dir, din, 0, empty_fn, NULL);

	return ret < 0 ? ret : ret == 0;
}

/* Link counts. A directory at EXT2_LINK_MAX with dir_nlink counts 1
 * ("many"), as ext4 does, and stays 1. */
static int links_inc(struct ext2_fs *fs, struct ext2_inode *in)
{
	if (is_dir(in) && in->i_links_count == 1)
		return 0;
	if (in->i_links_count >= EXT2_LINK_MAX) {
		if (is_dir(in) && (fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_DIR_NLINK)) {
			in->i_links_count = 1;
			return 0;
		}
		return -RV_EMLINK;
	}
	in->i_links_count++;
	return 0;
}

static bool links_can_inc(struct ext2_fs *fs, const struct ext2_inode *in)
{
	struct ext2_inode t = *in;

	return links_inc(fs, &t) == 0;
}

static void links_dec(struct ext2_inode *in)
{
	if (is_dir(in) && in->i_links_count == 1)
		return;
	if (in->i_links_count > 0)
		in->i_links_count--;
}

static int dir_links_adjust(struct ext2_fs *fs, vfs_ino_t dir, int delta)
{
	struct ext2_inode din;
	int ret = inode_read(fs, dir, &din);

	if (ret < 0)
		return ret;
	if (delta > 0) {
		ret = links_inc(fs, &din);
		if (ret < 0)
			return ret;
	} else {
		links_dec(&din);
	}
	stamp(fs, &din, T_C);
	return inode_write(fs, dir, &din);
}

/* Writing ops: the file system must be writable. */
static int journal_activate(struct ext2_fs *fs);
static int commit(struct ext2_fs *fs);

/* Every operation that changes the file system starts here. With a
 * journal, blocks freed since the last commit come back only at the next
 * one: when free blocks run low, that commit comes first (between two
 * operations, a consistent point), so an unlink makes room for the next
 * write as it does without a journal. */
static int check_rw(struct ext2_fs *fs)
{
	if (fs->vfs.read_only)
		return -RV_EROFS;
	if (fs->journal && fs->npending &&
	    fs->sb.s_free_blocks_count < fs->blocks_count / 16 + fs->npending) {
		int ret = journal_activate(fs);

		return ret < 0 ? ret : commit(fs);
	}
	return journal_activate(fs);
}

/* A directory inode for ops on its entries. */
static int dir_get(struct ext2_fs *fs, vfs_ino_t dir, struct ext2_inode *din)
{
	int ret = inode_get(fs, dir, din);

	if (ret < 0)
		return ret;
	return is_dir(din) ? 0 : -RV_ENOTDIR;
}

/* The inode an entry names (a reserved one or a free one is corruption). */
static int entry_inode(struct ext2_fs *fs, const struct dir_ent *hit, struct ext2_inode *in)
{
	return inode_get(fs, hit->ino, in);
}

/* ---- the operations ---- */

static long end_op(struct vfs_fs *v, long ret);

static vfs_ino_t ext2_root(struct vfs_fs *v)
{
	(void)v;
	return EXT2_ROOT_INO;
}

static int ext2_lookup(struct vfs_fs *v, vfs_ino_t dir, const char *name, size_t len,
		       vfs_ino_t *out)
{
	struct ext2_fs *fs = E(v);
	struct ext2_inode din;
	struct dir_ent hit;
	int ret = dir_get(fs, dir, &din);

	if (ret < 0)
		return ret;
	ret = dir_find(fs, dir, &din, name, len, &hit);
	if (ret < 0)
		return ret;
	if (hit.ino < fs->first_ino && hit.ino != EXT2_ROOT_INO)
		return -RV_EUCLEAN;
	*out = hit.ino;
	return 0;
}

static int ext2_getattr(struct vfs_fs *v, vfs_ino_t ino, struct fs_stat *st)
{
	struct ext2_fs *fs = E(v);
	const struct ext2_inode *in;
	int ret = inode_peek(fs, ino, &in);
	uint16_t ex;

	if (ret < 0)
		return ret;
	ex = in->i_extra_isize;
	st->mode = in->i_mode;
	st->nlink = in->i_links_count;
	st->ino = ino;
	st->size = isize(fs, in);
	st->blocks = in->i_blocks;
	st->atime_ns = time_ns(in->i_atime, in->i_atime_extra, ex >= 16);
	st->mtime_ns = time_ns(in->i_mtime, in->i_mtime_extra, ex >= 12);
	st->ctime_ns = time_ns(in->i_ctime, in->i_ctime_extra, ex >= 8);
	st->uid = in->i_uid | ((uint32_t)in->i_uid_high << 16);
	st->gid = in->i_gid | ((uint32_t)in->i_gid_high << 16);
	st->dev = 0;
	return 0;
}

/* At most this much per call, so a count fits any long. */
#define EXT2_IO_CAP (1u << 30)
/* Blocks ext2_read maps at once (bmap_run). */
#define EXT2_READ_RUN 16

/* pblk, lblk's block, is not cached: read it and the blocks after it that
 * follow it on the disk too (up to the end of the file, as many as one
 * request of the cache holds: CONFIG_FS_IO_RUN_KIB), in one request. */
static void readahead(struct ext2_fs *fs, vfs_ino_t ino, struct ext2_inode *in, uint64_t lblk,
		      uint32_t pblk, uint64_t size)
{
	uint64_t last = (size - 1) / fs->bs;
	uint32_t want = bcache_run_max(fs->c), n = 1, prev = pblk;

	for (uint64_t l = lblk + 1; n < want && l <= last; l++, n++) {
		uint32_t p;

		if (bmap(fs, ino, in, l, false, &p, NULL) < 0 || p != prev + 1 ||
		    bcache_cached(fs->c, p))
			break;
		prev = p;
	}
	if (n > 1)
		bcache_readahead(fs->c, pblk, n);
}

static long ext2_read(struct vfs_fs *v, vfs_ino_t ino, uint64_t off, void *buf, size_t len)
{
	struct ext2_fs *fs = E(v);
	struct ext2_inode in;
	uint64_t size, map_first = 0;
	uint32_t map[EXT2_READ_RUN], map_n = 0;
	size_t done = 0;
	int ret = inode_get(fs, ino, &in);

	if (ret < 0)
		return ret;
	if (is_dir(&in))
		return -RV_EISDIR;
	if (!is_reg(&in))
		return -RV_EINVAL;
	size = isize(fs, &in);
	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	if (len > EXT2_IO_CAP)
		len = EXT2_IO_CAP;
	while (done < len) {
		uint64_t pos = off + done, lblk = pos / fs->bs;
		uint32_t boff = (uint32_t)(pos % fs->bs), pblk;
		size_t n = fs->bs - boff;
		struct bcache_block *b;

		if (n > len - done)
			n = len - done;
		if (lblk < map_first || lblk - map_first >= map_n) {
			/* the blocks this request still needs, mapped together */
			uint64_t want = (off + len - 1) / fs->bs - lblk + 1;

			ret = bmap_run(fs, ino, &in, lblk, want < EXT2_READ_RUN ? (uint32_t)want
										 : EXT2_READ_RUN,
				       map, &map_n);
			if (ret < 0)
				return done ? (long)done : ret;
			map_first = lblk;
		}
		pblk = map[lblk - map_first];
		if (pblk == 0) {
			zero((uint8_t *)buf + done, n);
		} else {
			/* (pblk < blocks_count: bmap checked it) */
			if (bcache_get_cached(fs->c, pblk, &b) < 0) {
				readahead(fs, ino, &in, pos / fs->bs, pblk, size);
				ret = getblk(fs, pblk, &b);
				if (ret < 0)
					return done ? (long)done : ret;
			}
			copy((uint8_t *)buf + done, (uint8_t *)b->data + boff, n);
			put(fs, b);
		}
		done += n;
	}
	return (long)done;
}

static long do_write(struct vfs_fs *v, vfs_ino_t ino, uint64_t off, const void *buf, size_t len)
{
	struct ext2_fs *fs = E(v);
	struct ext2_inode in;
	size_t done = 0;
	int ret = check_rw(fs), err = 0;

	if (ret < 0)
		return ret;
	ret = inode_get(fs, ino, &in);
	if (ret < 0)
		return ret;
	if (is_dir(&in))
		return -RV_EISDIR;
	if (!is_reg(&in))
		return -RV_EINVAL;
	if (len == 0)
		return 0;
	if (off >= fs->max_size)
		return -RV_EFBIG;
	if (len > fs->max_size - off)
		len = (size_t)(fs->max_size - off);
	if (len > EXT2_IO_CAP)
		len = EXT2_IO_CAP;
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t boff = (uint32_t)(pos % fs->bs), pblk;
		size_t n = fs->bs - boff;
		struct bcache_block *b;
		bool fresh;

		if (n > len - done)
			n = len - done;
		err = bmap(fs, ino, &in, pos / fs->bs, true, &pblk, &fresh);
		if (err < 0)
			break;
		/* Written whole: neither read nor zeroed; a new block written in
		 * part: zeroed, not read. */
		if (n == fs->bs)
			err = blk_ok(fs, pblk) ? bcache_get_overwrite(fs->c, pblk, &b)
					       : -RV_EUCLEAN;
		else if (fresh)
			err = getblk_new(fs, pblk, &b);
		else
			err = getblk(fs, pblk, &b);
		if (err < 0)
			break;
		copy((uint8_t *)b->data + boff, (const uint8_t *)buf + done, n);
		dirty_data(fs, b);
		put(fs, b);
		done += n;
	}
	if (done && off + done > isize(fs, &in))
		set_isize(fs, &in, off + done);
	if (done)
		stamp(fs, &in, T_M | T_C);
	ret = inode_write(fs, ino, &in); /* also when only indirect blocks were added */
	if (done)
		return (long)done;
	return err < 0 ? err : ret;
}

static int do_truncate(struct vfs_fs *v, vfs_ino_t ino, uint64_t size)
{
	struct ext2_fs *fs = E(v);
	struct ext2_inode in;
	uint64_t cur;
	int ret = check_rw(fs), err = 0;

	if (ret < 0)
		return ret;
	ret = inode_get(fs, ino, &in);
	if (ret < 0)
		return ret;
	if (is_dir(&in))
		return -RV_EISDIR;
	if (!is_reg(&in))
		return -RV_EINVAL;
	if (size > fs->max_size)
		return -RV_EFBIG;
	cur = isize(fs, &in);
	if (size < cur) {
		uint32_t tail = (uint32_t)(size % fs->bs), pblk;

		/* What lies past the end in the last block must read as zeros
		 * when the file grows again. */
		if (tail) {
			struct bcache_block *b;

			err = bmap(fs, ino, &in, size / fs->bs, false, &pblk, NULL);
			if (err == 0 && pblk) {
				err = getblk(fs, pblk, &b);
				if (err == 0) {
					zero((uint8_t *)b->data + tail, fs->bs - tail);
					dirty_data(fs, b);
					put(fs, b);
				}
			}
		}
		if (err == 0)
			err = free_from(fs, &in, (size + fs->bs - 1) / fs->bs);
	}
	if (err == 0)
		set_isize(fs, &in, size);
	stamp(fs, &in, T_M | T_C);
	ret = inode_write(fs, ino, &in);
	return err < 0 ? err : ret;
}

/* A new inode of mode in directory dir under name: a file, a directory
 * (with "." and ".."), or a symbolic link to target. */
static int make_node(struct ext2_fs *fs, vfs_ino_t dir, const char *name, size_t len,
		     uint32_t mode, const char *target, size_t tlen, vfs_ino_t *out)
{
	struct ext2_inode din, in;
	struct dir_ent hit, slot;
	bool mkdir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	vfs_ino_t ino;
	uint32_t blk = 0;
	int ret = check_rw(fs);

	if (ret < 0)
		return ret;
	ret = dir_get(fs, dir, &din);
	if (ret < 0)
		return ret;
	if (din.i_links_count == 0)
		return -RV_ENOENT; /* removed while open */
	ret = dir_find_slot(fs, dir, &din, name, len, &hit, &slot, EXT2_DIRENT_SIZE(len));
	if (ret == 0)
		return -RV_EEXIST;
	if (ret != -RV_ENOENT)
		return ret;
	if (mkdir && !links_can_inc(fs, &din))
		return -RV_EMLINK;
	ret = alloc_inode(fs, dir, mkdir, &ino);
	if (ret < 0)
		return ret;
	zero(&in, sizeof(in));
	in.i_mode = (uint16_t)mode;
	in.i_links_count = mkdir ? 2 : 1;
	in.i_generation = ++fs->generation;
	if (fs->inode_size >= EXT2_GOOD_OLD_INODE_SIZE + EXT2_INODE_EXTRA_SIZE)
		in.i_extra_isize = EXT2_INODE_EXTRA_SIZE;
	stamp(fs, &in, T_A | T_C | T_M | T_CR);
	if (mkdir || tlen > EXT2_FAST_SYMLINK_MAX) {
		struct bcache_block *b;

		ret = alloc_for(fs, ino, &in, ino_goal(fs, ino), false, &blk);
		if (ret == 0) {
			ret = getblk_new(fs, blk, &b);
			if (ret < 0)
				free_block(fs, blk, false);
		}
		if (ret < 0) {
			free_inode_bit(fs, ino, mkdir);
			return ret;
		}
		if (mkdir) {
			struct ext2_dirent *de = b->data;

			rec_len_set(de, 12);
			de_set(fs, de, ino, ".", 1, EXT2_S_IFDIR);
			de = (struct ext2_dirent *)((uint8_t *)b->data + 12);
			rec_len_set(de, fs->bs - 12);
			de_set(fs, de, dir, "..", 2, EXT2_S_IFDIR);
			in.i_size = fs->bs;
		} else {
			memcpy(b->data, target, tlen);
			in.i_size = (uint32_t)tlen;
		}
		dirty(fs, b);
		put(fs, b);
		in.i_block[0] = blk;
	} else if (target) {
		memcpy(in.i_block, target, tlen);
		in.i_size = (uint32_t)tlen;
	}
	ret = inode_write_ex(fs, ino, &in, true);
	if (ret == 0)
		ret = dir_add(fs, dir, name, len, ino, mode, &slot);
	if (ret < 0) {
		release_inode(fs, ino);
		return ret;
	}
	if (mkdir)
		dir_links_adjust(fs, dir, +1); /* checked above */
	*out = ino;
	return 0;
}

static int do_create(struct vfs_fs *v, vfs_ino_t dir, const char *name, size_t len,
		       uint32_t mode, vfs_ino_t *out)
{
	uint32_t type = mode & FS_S_IFMT;

	if (type != FS_S_IFREG && type != FS_S_IFDIR)
		return -RV_EINVAL;
	if (is_dot(name, len))
		return -RV_EEXIST;
	return make_node(E(v), dir, name, len, type | (mode & 07777), NULL, 0, out);
}

static int do_symlink(struct vfs_fs *v, vfs_ino_t dir, const char *name, size_t len,
			const char *target, size_t target_len, vfs_ino_t *out)
{
	struct ext2_fs *fs = E(v);

	if (target_len == 0)
		return -RV_EINVAL;
	if (target_len >= fs->bs || target_len > FS_PATH_MAX)
		return -RV_ENAMETOOLONG;
	if (is_dot(name, len))
		return -RV_EEXIST;
	return make_node(fs, dir, name, len, EXT2_S_IFLNK | 0777, target, target_len, out);
}

static long ext2_readlink(struct vfs_fs *v, vfs_ino_t ino, char *buf, size_t size)
{
	struct ext2_fs *fs = E(v);
	struct ext2_inode in;
	uint32_t n;
	int ret = inode_get(fs, ino, &in);

	if (ret < 0)
		return ret;
	if (!is_lnk(&in))
		return -RV_EINVAL;
	n = in.i_size;
	if (n == 0)
		return -RV_EUCLEAN;
	if (is_fast_symlink(fs, &in)) {
		if (n >= sizeof(in.i_block))
			return -RV_EUCLEAN;
		memcpy(buf, in.i_block, n < size ? n : size);
	} else {
		struct bcache_block *b;

		if (n >= fs->bs || !blk_ok(fs, in.i_block[0]))
			return -RV_EUCLEAN;
		ret = getblk(fs, in.i_block[0], &b);
		if (ret < 0)
			return ret;
		memcpy(buf, b->data, n < size ? n : size);
		put(fs, b);
	}
	return n;
}

static int do_link(struct vfs_fs *v, vfs_ino_t dir, const char *name, size_t len,
		     vfs_ino_t ino)
{
	struct ext2_fs *fs = E(v);
	struct ext2_inode din, in;
	struct dir_ent hit, slot;
	int ret = check_rw(fs);

	if (ret < 0)
		return ret;
	ret = inode_get(fs, ino, &in);
	if (ret < 0)
		return ret;
	if (is_dir(&in))
		return -RV_EPERM;
	if (in.i_links_count == 0)
		return -RV_ENOENT;
	if (!links_can_inc(fs, &in))
		return -RV_EMLINK;
	ret = dir_get(fs, dir, &din);
	if (ret < 0)
		return ret;
	if (din.i_links_count == 0)
		return -RV_ENOENT;
	if (is_dot(name, len))
		return -RV_EEXIST;
	ret = dir_find_slot(fs, dir, &din, name, len, &hit, &slot, EXT2_DIRENT_SIZE(len));
	if (ret == 0)
		return -RV_EEXIST;
	if (ret != -RV_ENOENT)
		return ret;
	ret = dir_add(fs, dir, name, len, ino, in.i_mode, &slot);
	if (ret < 0)
		return ret;
	ret = inode_read(fs, ino, &in);
	if (ret < 0)
		return ret;
	links_inc(fs, &in);
	stamp(fs, &in, T_C);
	return inode_write(fs, ino, &in);
}

/* One link of ino went: free it when none and no reference is left. */
static int drop_link(struct ext2_fs *fs, vfs_ino_t ino, bool all)
{
	struct ext2_inode in;
	int ret = inode_read(fs, ino, &in);

	if (ret < 0)
		return ret;
	if (all)
		in.i_links_count = 0;
	else
		links_dec(&in);
	stamp(fs, &in, T_C);
	if (in.i_links_count == 0 && ref_find(fs, ino)) {
		/* still open: an orphan until its last unref */
		in.i_dtime = fs->sb.s_last_orphan;
		fs->sb.s_last_orphan = (uint32_t)ino;
		fs->sb_dirty = true;
	}
	ret = inode_write(fs, ino, &in);
	if (ret < 0)
		return ret;
	if (in.i_links_count == 0 && !ref_find(fs, ino))
		return release_inode(fs, ino);
	return 0;
}

static int do_unlink(struct vfs_fs *v, vfs_ino_t dir, const char *name, size_t len, bool rmdir)
{
	struct ext2_fs *fs = E(v);
	struct ext2_inode din, in;
	struct dir_ent hit;
	int ret = check_rw(fs);

	if (ret < 0)
		return ret;
	ret = dir_get(fs, dir, &din);
	if (ret < 0)
		return ret;
	if (is_dot(name, len))
		return rmdir ? (len == 1 ? -RV_EINVAL : -RV_ENOTEMPTY) : -RV_EISDIR;
	ret = dir_find(fs, dir, &din, name, len, &hit);
	if (ret < 0)
		return ret;
	ret = entry_inode(fs, &hit, &in);
	if (ret < 0)
		return ret;
	if (rmdir) {
		if (!is_dir(&in))
			return -RV_ENOTDIR;
		ret = dir_is_empty(fs, hit.ino, &in);
		if (ret <= 0)
			return ret < 0 ? ret : -RV_ENOTEMPTY;
	} else if (is_dir(&in)) {
		return -RV_EISDIR;
	}
	ret = dir_remove(fs, dir, &hit);
	if (ret < 0)
		return ret;
	if (rmdir) {
		ret = dir_links_adjust(fs, dir, -1); /* its ".." */
		if (ret < 0)
			return ret;
	}
	return drop_link(fs, hit.ino, rmdir);
}

/* -EINVAL when dir is `anc` or lies below it (following ".." up to the
 * root, a bounded number of steps: a loop is corruption). */
static int check_not_below(struct ext2_fs *fs, vfs_ino_t dir, vfs_ino_t anc)
{
	uint32_t used = fs->inodes_count - fs->sb.s_free_inodes_count;
	uint32_t limit = used < (1u << 16) ? used + 1 : (1u << 16);
	vfs_ino_t cur = dir;

	for (uint32_t step = 0; step <= limit; step++) {
		struct ext2_inode in;
		struct dir_ent hit;
		int ret;

		if (cur == anc)
			return -RV_EINVAL;
		if (cur == EXT2_ROOT_INO)
			return 0;
		ret = dir_get(fs, cur, &in);
		if (ret < 0)
			return ret == -RV_ENOTDIR ? -RV_EUCLEAN : ret;
		ret = dir_find(fs, cur, &in, "..", 2, &hit);
		if (ret < 0)
			return ret == -RV_ENOENT ? -RV_EUCLEAN : ret;
		if (hit.ino == cur)
			return -RV_EUCLEAN;
		cur = hit.ino;
	}
	return -RV_EUCLEAN; /* a directory loop */
}

static int do_rename(struct vfs_fs *v, vfs_ino_t from_dir, const char *from, size_t from_len,
		       vfs_ino_t to_dir, const char *to, size_t to_len)
{
	struct ext2_fs *fs = E(v);
	struct ext2_inode fdin, tdin, sin, dst;
	struct dir_ent fhit, thit, dd, slot;
	bool sdir, have_dst, dst_dir = false;
	vfs_ino_t src;
	int ret = check_rw(fs);

	if (ret < 0)
		return ret;
	if (is_dot(from, from_len) || is_dot(to, to_len))
		return -RV_EINVAL;
	ret = dir_get(fs, from_dir, &fdin);
	if (ret == 0)
		ret = dir_get(fs, to_dir, &tdin);
	if (ret < 0)
		return ret;
	ret = dir_find(fs, from_dir, &fdin, from, from_len, &fhit);
	if (ret == 0)
		ret = entry_inode(fs, &fhit, &sin);
	if (ret < 0)
		return ret;
	src = fhit.ino;
	sdir = is_dir(&sin);
	if (tdin.i_links_count == 0)
		return -RV_ENOENT;
	ret = dir_find_slot(fs, to_dir, &tdin, to, to_len, &thit, &slot, EXT2_DIRENT_SIZE(to_len));
	if (ret < 0 && ret != -RV_ENOENT)
		return ret;
	have_dst = ret == 0;
	if (have_dst) {
		if (thit.ino == src)
			return 0; /* two names of one file: nothing to do */
		ret = entry_inode(fs, &thit, &dst);
		if (ret < 0)
			return ret;
		dst_dir = is_dir(&dst);
		if (sdir && !dst_dir)
			return -RV_ENOTDIR;
		if (!sdir && dst_dir)
			return -RV_EISDIR;
		if (dst_dir) {
			ret = dir_is_empty(fs, thit.ino, &dst);
			if (ret <= 0)
				return ret < 0 ? ret : -RV_ENOTEMPTY;
		}
	}
	if (sdir && from_dir != to_dir) {
		ret = check_not_below(fs, to_dir, src);
		if (ret < 0)
			return ret;
		if (!have_dst && !links_can_inc(fs, &tdin))
			return -RV_EMLINK;
	}
	/* The new name first (replacing the old target in one entry write),
	 * then the old name goes. */
	if (have_dst)
		ret = dir_retarget(fs, to_dir, &thit, src, sin.i_mode);
	else
		ret = dir_add(fs, to_dir, to, to_len, src, sin.i_mode, &slot);
	if (ret < 0)
		return ret;
	ret = inode_read(fs, from_dir, &fdin);
	if (ret == 0)
		ret = dir_find(fs, from_dir, &fdin, from, from_len, &fhit);
	if (ret == 0 && fhit.ino != src)
		ret = -RV_EUCLEAN;
	if (ret == 0)
		ret = dir_remove(fs, from_dir, &fhit);
	if (ret < 0)
		return ret;
	if (dst_dir) {
		ret = dir_links_adjust(fs, to_dir, -1); /* the target's ".." */
		if (ret < 0)
			return ret;
	}
	if (sdir && from_dir != to_dir) {
		ret = inode_read(fs, src, &sin);
		if (ret == 0)
			ret = dir_find(fs, src, &sin, "..", 2, &dd);
		if (ret == 0)
			ret = dir_retarget(fs, src, &dd, to_dir, EXT2_S_IFDIR);
		if (ret == 0)
			ret = dir_links_adjust(fs, from_dir, -1);
		if (ret == 0)
			ret = dir_links_adjust(fs, to_dir, +1);
		if (ret < 0)
			return ret;
	}
	ret = inode_read(fs, src, &sin);
	if (ret == 0) {
		stamp(fs, &sin, T_C);
		ret = inode_write(fs, src, &sin);
	}
	if (ret == 0 && have_dst)
		ret = drop_link(fs, thit.ino, dst_dir);
	return ret;
}

struct rd_ctx {
	vfs_emit_fn emit;
	void *ctx;
	uint64_t *cookie;
};

static unsigned int dt_of_ft(uint8_t ft)
{
	switch (ft) {
	case EXT2_FT_REG_FILE: return FS_DT_REG;
	case EXT2_FT_DIR: return FS_DT_DIR;
	case EXT2_FT_SYMLINK: return FS_DT_LNK;
	default: return FS_DT_UNKNOWN;
	}
}

static int rd_fn(struct ext2_fs *fs, struct dir_ent *e, void *ctx)
{
	struct rd_ctx *r = ctx;
	uint64_t here = e->lblk * fs->bs + e->off;

	if (e->de->inode) {
		unsigned int t = fs->filetype ? dt_of_ft(e->de->file_type) : FS_DT_UNKNOWN;

		if (r->emit(r->ctx, e->de->inode, t, e->de->name, e->name_len)) {
			*r->cookie = here;
			return DIR_STOP;
		}
	}
	*r->cookie = here + e->rec_len;
	return DIR_NEXT;
}

static int ext2_readdir(struct vfs_fs *v, vfs_ino_t dir, uint64_t *cookie, vfs_emit_fn emit,
			void *ctx)
{
	struct ext2_fs *fs = E(v);
	struct ext2_inode din;
	struct rd_ctx r = { emit, ctx, cookie };
	int ret = dir_get(fs, dir, &din);

	if (ret < 0)
		return ret;
	if (*cookie >= din.i_size)
		return 0;
	ret = dir_walk(fs, dir, &din, *cookie, rd_fn, &r);
	return ret < 0 ? ret : 0;
}

/* The superblock and group descriptors into the cache. */
static int flush_meta(struct ext2_fs *fs)
{
	struct bcache_block *b;
	int ret;

	if (fs->gd_dirty) {
		uint32_t per = fs->bs / sizeof(struct ext2_group_desc);

		for (uint32_t i = 0; i < fs->gdt_blocks; i++) {
			uint32_t n = fs->groups - i * per < per ? fs->groups - i * per : per;

			ret = getblk(fs, fs->first_data_block + 1 + i, &b);
			if (ret < 0)
				return ret;
			copy(b->data, &fs->gd[i * per], n * sizeof(struct ext2_group_desc));
			dirty(fs, b);
			put(fs, b);
		}
		fs->gd_dirty = false;
	}
	if (fs->sb_dirty) {
		uint32_t blk = fs->bs == EXT2_SUPER_OFFSET ? 1 : 0;
		uint32_t off = fs->bs == EXT2_SUPER_OFFSET ? 0 : EXT2_SUPER_OFFSET;

		fs->sb.s_wtime = (uint32_t)(now_ns(fs) / 1000000000u);
		ret = getblk(fs, blk, &b);
		if (ret < 0)
			return ret;
		copy((uint8_t *)b->data + off, &fs->sb, sizeof(fs->sb));
		dirty(fs, b);
		put(fs, b);
		fs->sb_dirty = false;
	}
	return 0;
}

/* Everything to the device: a consistent state there. */
static int sync_all(struct ext2_fs *fs)
{
	int ret = flush_meta(fs);

	if (ret == 0)
		ret = bcache_sync(fs->c);
	if (ret == 0) {
		fs->nfreed = 0; /* the device has them free now */
		fs->freed_full = false;
	}
	return ret;
}

/* ---- the journal ---- */

/* The superblock as it is now written to its place, not logged, and
 * flushed: the needs_recovery flag goes on before the first transaction
 * after a clean state and off after a checkpoint. Only at such points,
 * when nothing is held back, so the block holds no uncommitted change. */
static int write_super_in_place(struct ext2_fs *fs)
{
	uint32_t blk = fs->bs == EXT2_SUPER_OFFSET ? 1 : 0;
	uint32_t off = fs->bs == EXT2_SUPER_OFFSET ? 0 : EXT2_SUPER_OFFSET;
	struct bcache_block *b;
	int ret = getblk(fs, blk, &b);

	if (ret < 0)
		return ret;
	copy((uint8_t *)b->data + off, &fs->sb, sizeof(fs->sb));
	if (fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_METADATA_CSUM) {
		/* mounted read-only but replayed: the superblock's own crc32c
		 * (the rest of metadata_csum is not written here) */
		uint8_t *p = (uint8_t *)b->data + off;
		uint32_t crc = journal_crc32c(~0u, p, EXT2_SUPER_SIZE - 4);

		memcpy(p + EXT2_SUPER_SIZE - 4, &crc, 4);
	}
	bcache_dirty(fs->c, b); /* as file data: out with the next write */
	put(fs, b);
	ret = bcache_write_dirty(fs->c, BCACHE_DATA);
	if (ret >= 0)
		ret = bcache_flush(fs->c);
	if (ret == 0)
		fs->sb_dirty = false;
	return ret;
}

/* Before the first change after a clean state: needs_recovery on the
 * device, so a host (and the next mount) replays what gets logged. */
static int journal_activate(struct ext2_fs *fs)
{
	int ret;

	if (!fs->journal || fs->active)
		return 0;
	fs->sb.s_feature_incompat |= EXT2_FEATURE_INCOMPAT_RECOVER;
	ret = write_super_in_place(fs);
	if (ret < 0) {
		fs->sb.s_feature_incompat &= ~(uint32_t)EXT2_FEATURE_INCOMPAT_RECOVER;
		return ret;
	}
	fs->active = true;
	return 0;
}

/* A transaction: the frees it made applied to the bitmaps, the
 * superblock and descriptors into the cache, then everything held back
 * logged and committed (with the data before it). A transaction larger
 * than the log goes to its place unprotected (after a checkpoint). */
static int commit(struct ext2_fs *fs)
{
	int ret = 0;

	for (uint32_t i = 0; i < fs->npending && ret == 0; i++)
		ret = bitmap_free(fs, fs->pending[i], false);
	if (ret < 0)
		return ret;
	fs->npending = 0;
	ret = flush_meta(fs);
	if (ret == 0)
		ret = journal_commit(fs->journal, fs->revoke, fs->nrevoke);
	if (ret == -RV_ENOSPC) {
		ret = journal_checkpoint(fs->journal);
		if (ret == 0)
			ret = bcache_sync(fs->c);
	}
	if (ret == 0)
		fs->nrevoke = 0;
	return ret;
}

/* Everything in its place, the log empty and needs_recovery off: the
 * device holds a clean file system (sync, the periodic write-back,
 * unmount). */
static int settle(struct ext2_fs *fs)
{
	int ret = commit(fs);

	if (ret == 0)
		ret = journal_checkpoint(fs->journal);
	if (ret == 0 && fs->active) {
		fs->sb.s_feature_incompat &= ~(uint32_t)EXT2_FEATURE_INCOMPAT_RECOVER;
		ret = write_super_in_place(fs);
		if (ret == 0)
			fs->active = false;
		else
			fs->sb.s_feature_incompat |= EXT2_FEATURE_INCOMPAT_RECOVER;
	}
	return ret;
}

/* fsync and fdatasync commit (one cache, one log: the whole file system,
 * never less than asked for); sync (ino 0) settles. */
static int ext2_sync(struct vfs_fs *v, vfs_ino_t ino, bool data_only)
{
	struct ext2_fs *fs = E(v);

	(void)data_only;
	if (fs->vfs.read_only)
		return 0;
	if (fs->journal)
		return ino ? commit(fs) : settle(fs);
	return sync_all(fs);
}

/* Everything written back, then the clean blocks and the inode cache
 * forgotten: the next reads come from the device. The superblock and
 * group descriptors stay (they are the file system's state, not a copy
 * of the device's). */
static int ext2_drop_caches(struct vfs_fs *v)
{
	struct ext2_fs *fs = E(v);
	int ret = fs->vfs.read_only ? 0 : ext2_sync(v, 0, false);

	if (ret == 0)
		ret = bcache_drop(fs->c); /* nothing dirty left: no write */
	if (ret < 0)
		return ret;
	for (uint32_t i = 0; i < EXT2_ICACHE; i++)
		fs->icache[i].ino = 0;
	return 0;
}

static int ext2_statfs(struct vfs_fs *v, struct fs_statfs *out)
{
	struct ext2_fs *fs = E(v);

	memset(out, 0, sizeof(*out));
	out->block_size = fs->bs;
	out->blocks = fs->blocks_count;
	out->blocks_free = fs->sb.s_free_blocks_count + fs->npending; /* (free at the commit) */
	out->inodes = fs->inodes_count;
	out->inodes_free = fs->sb.s_free_inodes_count;
	out->flags = fs->vfs.read_only ? FS_STATFS_READ_ONLY : 0;
	memcpy(out->type, "ext2", 5);
	return 0;
}

static void ext2_ref(struct vfs_fs *v, vfs_ino_t ino)
{
	struct ext2_fs *fs = E(v);
	struct ext2_ref *r = ref_find(fs, ino);

	if (r) {
		r->count++;
		return;
	}
	r = malloc(sizeof(*r));
	if (!r)
		return; /* then an unlinked open file goes at unlink, not at close */
	r->ino = ino;
	r->count = 1;
	r->next = fs->refs[ino % EXT2_REF_BUCKETS];
	fs->refs[ino % EXT2_REF_BUCKETS] = r;
}

/* An inode nobody names or holds any more goes. */
static void release_if_orphan(struct ext2_fs *fs, vfs_ino_t ino)
{
	struct ext2_inode in;

	if (check_rw(fs) < 0 || inode_read(fs, ino, &in) < 0)
		return;
	if (in.i_mode && in.i_links_count == 0)
		end_op(&fs->vfs, release_inode(fs, ino));
}

static void ext2_unref(struct vfs_fs *v, vfs_ino_t ino)
{
	struct ext2_fs *fs = E(v);
	struct ext2_ref **p = &fs->refs[ino % EXT2_REF_BUCKETS], *r;

	while (*p && (*p)->ino != ino)
		p = &(*p)->next;
	r = *p;
	if (!r || --r->count)
		return;
	*p = r->next;
	free(r);
	release_if_orphan(fs, ino);
}

static void free_fs(struct ext2_fs *fs)
{
	journal_free(fs->journal);
	free(fs->pending);
	free(fs->revoke);
	free(fs->gd);
	free(fs);
}

static int ext2_unmount(struct vfs_fs *v)
{
	struct ext2_fs *fs = E(v);
	int ret = 0;

	for (uint32_t i = 0; i < EXT2_REF_BUCKETS; i++) {
		while (fs->refs[i]) {
			struct ext2_ref *r = fs->refs[i];
			vfs_ino_t ino = r->ino;

			fs->refs[i] = r->next;
			free(r);
			release_if_orphan(fs, ino);
		}
	}
	if (!fs->vfs.read_only) {
		if (fs->was_valid)
			fs->sb.s_state |= EXT2_VALID_FS;
		fs->sb_dirty = true;
		ret = fs->journal ? settle(fs) : sync_all(fs);
	}
	free_fs(fs);
	return ret;
}

/* The end of an operation is a consistent point: when held-back metadata
 * fills half the cache, or the list of freed metadata blocks half its
 * room, everything goes out now (not later, in the middle of an
 * operation that needs the buffers or the blocks). */
static long end_op(struct vfs_fs *v, long ret)
{
	struct ext2_fs *fs = E(v);

	if (fs->vfs.read_only)
		return ret;
	if (fs->journal) {
		uint32_t max = journal_max_transaction(fs->journal);

		if (max > bcache_nblocks(fs->c) / 2)
			max = bcache_nblocks(fs->c) / 2;
		if (bcache_pinned(fs->c) > max || fs->npending > EXT2_PENDING_FREES_MAX) {
			int r = commit(fs);

			if (r < 0 && ret >= 0)
				ret = r;
		}
		return ret;
	}
	if (bcache_pinned(fs->c) > bcache_nblocks(fs->c) / 2 || fs->nfreed > EXT2_FREED_MAX / 2 ||
	    fs->freed_full) {
		int r = sync_all(fs);

		if (r < 0 && ret >= 0)
			ret = r;
	}
	return ret;
}

static long ext2_write(struct vfs_fs *v, vfs_ino_t ino, uint64_t off, const void *buf, size_t len)
{
	return end_op(v, do_write(v, ino, off, buf, len));
}

static int ext2_truncate(struct vfs_fs *v, vfs_ino_t ino, uint64_t size)
{
	return (int)end_op(v, do_truncate(v, ino, size));
}

static int ext2_create(struct vfs_fs *v, vfs_ino_t dir, const char *name, size_t len,
		       uint32_t mode, vfs_ino_t *out)
{
	return (int)end_op(v, do_create(v, dir, name, len, mode, out));
}

static int ext2_symlink(struct vfs_fs *v, vfs_ino_t dir, const char *name, size_t len,
			const char *target, size_t target_len, vfs_ino_t *out)
{
	return (int)end_op(v, do_symlink(v, dir, name, len, target, target_len, out));
}

static int ext2_link(struct vfs_fs *v, vfs_ino_t dir, const char *name, size_t len,
		     vfs_ino_t ino)
{
	return (int)end_op(v, do_link(v, dir, name, len, ino));
}

static int ext2_unlink(struct vfs_fs *v, vfs_ino_t dir, const char *name, size_t len, bool rmdir)
{
	return (int)end_op(v, do_unlink(v, dir, name, len, rmdir));
}

static int ext2_rename(struct vfs_fs *v, vfs_ino_t from_dir, const char *from, size_t from_len,
		       vfs_ino_t to_dir, const char *to, size_t to_len)
{
	return (int)end_op(v, do_rename(v, from_dir, from, from_len, to_dir, to, to_len));
}

static const struct vfs_ops ext2_ops = {
	.type = "ext2",
	.root = ext2_root,
	.lookup = ext2_lookup,
	.getattr = ext2_getattr,
	.read = ext2_read,
	.write = ext2_write,
	.truncate = ext2_truncate,
	.create = ext2_create,
	.symlink = ext2_symlink,
	.readlink = ext2_readlink,
	.link = ext2_link,
	.unlink = ext2_unlink,
	.rename = ext2_rename,
	.readdir = ext2_readdir,
	.sync = ext2_sync,
	.drop_caches = ext2_drop_caches,
	.statfs = ext2_statfs,
	.ref = ext2_ref,
	.unref = ext2_unref,
	.unmount = ext2_unmount,
};

/* ---- mounting ---- */

int ext2_probe_block_size(struct blkdev *dev, uint32_t *block_size)
{
	_Alignas(8) uint8_t buf[EXT2_SUPER_SIZE];
	const struct ext2_super *sb = (const struct ext2_super *)buf;
	int ret;

	if (!dev || !block_size)
		return -RV_EINVAL;
	if (dev->sectors < (EXT2_SUPER_OFFSET + EXT2_SUPER_SIZE) / 512)
		return -RV_EUCLEAN;
	ret = dev->read(dev, EXT2_SUPER_OFFSET / 512, EXT2_SUPER_SIZE / 512, buf);
	if (ret < 0)
		return ret;
	if (sb->s_magic != EXT2_SUPER_MAGIC ||
	    sb->s_log_block_size > EXT2_MAX_LOG_BLOCK - EXT2_MIN_LOG_BLOCK)
		return -RV_EUCLEAN;
	*block_size = 1024u << sb->s_log_block_size;
	return 0;
}

static const char *incompat_name(uint32_t f)
{
	if (f & EXT2_FEATURE_INCOMPAT_RECOVER)
		return "the journal needs recovery (needs_recovery)";
	if (f & EXT2_FEATURE_INCOMPAT_EXTENTS)
		return "unsupported feature: extent";
	if (f & EXT2_FEATURE_INCOMPAT_64BIT)
		return "unsupported feature: 64bit";
	if (f & EXT2_FEATURE_INCOMPAT_META_BG)
		return "unsupported feature: meta_bg";
	if (f & EXT2_FEATURE_INCOMPAT_COMPRESSION)
		return "unsupported feature: compression";
	if (f & EXT2_FEATURE_INCOMPAT_FLEX_BG)
		return "unsupported feature: flex_bg";
	if (f & EXT2_FEATURE_INCOMPAT_INLINE_DATA)
		return "unsupported feature: inline_data";
	if (f & EXT2_FEATURE_INCOMPAT_JOURNAL_DEV)
		return "unsupported feature: journal_dev";
	if (f & EXT2_FEATURE_INCOMPAT_MMP)
		return "unsupported feature: mmp";
	if (f & EXT2_FEATURE_INCOMPAT_ENCRYPT)
		return "unsupported feature: encrypt";
	if (f & EXT2_FEATURE_INCOMPAT_CASEFOLD)
		return "unsupported feature: casefold";
	if (f & EXT2_FEATURE_INCOMPAT_LARGEDIR)
		return "unsupported feature: large_dir";
	return "unsupported incompatible feature";
}

/* Is [b, b + n) inside group g, past its superblock copy and descriptors? */
static bool in_group(const struct ext2_fs *fs, uint32_t g, uint32_t b, uint32_t n)
{
	uint32_t first = group_first(fs, g) + (group_has_super(fs, g) ? fs->meta_prefix : 0);
	uint32_t end = group_first(fs, g) + group_nblocks(fs, g);

	return b >= first && b < end && n <= end - b;
}

static int check_groups(struct ext2_fs *fs, const char **why)
{
	uint64_t free_b = 0, free_i = 0;

	for (uint32_t g = 0; g < fs->groups; g++) {
		const struct ext2_group_desc *d = &fs->gd[g];
		uint32_t it = d->bg_inode_table;

		if (!in_group(fs, g, d->bg_block_bitmap, 1) || !in_group(fs, g, d->bg_inode_bitmap, 1) ||
		    !in_group(fs, g, it, fs->itb) || d->bg_block_bitmap == d->bg_inode_bitmap ||
		    (d->bg_block_bitmap >= it && d->bg_block_bitmap - it < fs->itb) ||
		    (d->bg_inode_bitmap >= it && d->bg_inode_bitmap - it < fs->itb)) {
			*why = "a group's bitmaps or inode table lie outside it";
			return -RV_EUCLEAN;
		}
		if (d->bg_free_blocks_count > group_nblocks(fs, g) ||
		    d->bg_free_inodes_count > fs->ipg || d->bg_used_dirs_count > fs->ipg) {
			*why = "a group's counts are larger than the group";
			return -RV_EUCLEAN;
		}
		free_b += d->bg_free_blocks_count;
		free_i += d->bg_free_inodes_count;
	}
	/* The groups are the truth (as Linux counts them); the superblock's
	 * totals follow them. */
	if (fs->sb.s_free_blocks_count != free_b || fs->sb.s_free_inodes_count != free_i) {
		fs->sb.s_free_blocks_count = (uint32_t)free_b;
		fs->sb.s_free_inodes_count = (uint32_t)free_i;
		fs->sb_dirty = true;
	}
	return 0;
}

static int read_super(struct ext2_fs *fs, struct blkdev *dev, uint32_t bs, const char **why)
{
	struct ext2_super *sb = &fs->sb;
	struct bcache_block *b;
	uint64_t groups;
	int ret;

	ret = bcache_get(fs->c, bs == EXT2_SUPER_OFFSET ? 1 : 0, &b);
	if (ret < 0) {
		*why = "cannot read the superblock";
		return ret == -RV_EINVAL ? -RV_EUCLEAN : ret;
	}
	memcpy(sb, (uint8_t *)b->data + (bs == EXT2_SUPER_OFFSET ? 0 : EXT2_SUPER_OFFSET),
	       sizeof(*sb));
	put(fs, b);
	*why = "bad superblock";
	if (sb->s_magic != EXT2_SUPER_MAGIC) {
		*why = "bad magic: not ext2";
		return -RV_EUCLEAN;
	}
	if (sb->s_rev_level > EXT2_DYNAMIC_REV) {
		*why = "unknown revision";
		return -RV_ENOTSUP;
	}
	if (sb->s_log_block_size > EXT2_MAX_LOG_BLOCK - EXT2_MIN_LOG_BLOCK) {
		*why = "block size out of range";
		return -RV_EUCLEAN;
	}
	if ((1024u << sb->s_log_block_size) != bs) {
		*why = "the cache's block size is not the file system's";
		return -RV_EINVAL;
	}
	fs->bs = bs;
	fs->sectors_per_block = bs / 512;
	fs->apb = bs / 4;
	fs->apb_log = sb->s_log_block_size + EXT2_MIN_LOG_BLOCK - 2;
	fs->blocks_count = sb->s_blocks_count;
	fs->first_data_block = sb->s_first_data_block;
	fs->inodes_count = sb->s_inodes_count;
	fs->bpg = sb->s_blocks_per_group;
	fs->ipg = sb->s_inodes_per_group;
	if (fs->first_data_block != (bs == EXT2_SUPER_OFFSET ? 1u : 0u) ||
	    fs->blocks_count <= fs->first_data_block + 1) {
		*why = "bad first data block or block count";
		return -RV_EUCLEAN;
	}
	if ((uint64_t)fs->blocks_count * fs->sectors_per_block > dev->sectors) {
		*why = "the file system is larger than the device";
		return -RV_EUCLEAN;
	}
	if (fs->bpg < 8 || fs->bpg > 8 * bs || (fs->bpg & 7) || fs->ipg == 0 ||
	    fs->ipg > 8 * bs) {
		*why = "bad blocks or inodes per group";
		return -RV_EUCLEAN;
	}
	groups = (fs->blocks_count - fs->first_data_block + fs->bpg - 1) / fs->bpg;
	if (groups * fs->ipg != fs->inodes_count) {
		*why = "the inode count does not match the groups";
		return -RV_EUCLEAN;
	}
	fs->groups = (uint32_t)groups;
	if (sb->s_rev_level == EXT2_GOOD_OLD_REV) {
		fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
		/* revision 0 has no feature fields: ignore what is there */
		sb->s_feature_compat = sb->s_feature_incompat = sb->s_feature_ro_compat = 0;
	} else {
		fs->inode_size = sb->s_inode_size;
		fs->first_ino = sb->s_first_ino;
	}
	if (fs->inode_size < EXT2_GOOD_OLD_INODE_SIZE || fs->inode_size > bs ||
	    (fs->inode_size & (fs->inode_size - 1)) || fs->first_ino < EXT2_GOOD_OLD_FIRST_INO ||
	    fs->first_ino > fs->inodes_count) {
		*why = "bad inode size or first inode";
		return -RV_EUCLEAN;
	}
	fs->itb = (uint32_t)(((uint64_t)fs->ipg * fs->inode_size + bs - 1) / bs);
	fs->gdt_blocks = (uint32_t)((groups * sizeof(struct ext2_group_desc) + bs - 1) / bs);
	fs->meta_prefix = 1 + fs->gdt_blocks;
	if (sb->s_feature_compat & EXT2_FEATURE_COMPAT_RESIZE_INODE)
		fs->meta_prefix += sb->s_reserved_gdt_blocks;
	if ((uint64_t)fs->meta_prefix + fs->itb + 2 > fs->bpg ||
	    fs->first_data_block + (uint64_t)fs->meta_prefix > fs->blocks_count) {
		*why = "the group descriptors do not fit (past the end of the disk)";
		return -RV_EUCLEAN;
	}
	fs->filetype = sb->s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
	{
		uint32_t ok = EXT2_INCOMPAT_OK;

		/* a journal that needs recovery: the mount replays it */
		if (sb->s_feature_compat & EXT2_FEATURE_COMPAT_HAS_JOURNAL)
			ok |= EXT2_FEATURE_INCOMPAT_RECOVER;
		if (sb->s_feature_incompat & ~ok) {
			*why = incompat_name(sb->s_feature_incompat & ~ok);
			return -RV_ENOTSUP;
		}
	}
	if (sb->s_rev_level == EXT2_GOOD_OLD_REV) {
		fs->max_size = 0x7fffffffu;
	} else {
		uint64_t apb = fs->apb;

		fs->max_size = (EXT2_NDIR_BLOCKS + apb + apb * apb + apb * apb * apb) * bs;
	}
	return 0;
}

/* Free what the orphan list of an earlier mount still holds (files
 * unlinked while open, then a crash). A bad list is dropped, not fatal:
 * e2fsck sorts out what it leaves. */
static void orphans_recover(struct ext2_fs *fs)
{
	uint32_t cur = fs->sb.s_last_orphan;

	fs->sb.s_last_orphan = 0;
	fs->sb_dirty = true;
	for (uint32_t n = 0; cur && n < EXT2_ORPHANS_MAX; n++) {
		struct ext2_inode in;
		uint32_t next;

		if (!orphan_ino_ok(fs, cur) || inode_read(fs, cur, &in) < 0)
			return;
		next = in.i_dtime;
		if (in.i_mode && in.i_links_count == 0) {
			if (release_inode(fs, cur) < 0)
				return;
		} else {
			in.i_dtime = 0;
			if (inode_write(fs, cur, &in) < 0)
				return;
		}
		cur = next;
	}
}

/* The superblock and the group descriptors, checked. */
static int load_fs(struct ext2_fs *fs, struct blkdev *dev, uint32_t bs, const char **why)
{
	int ret = read_super(fs, dev, bs, why);

	if (ret < 0)
		return ret;
	free(fs->gd);
	fs->gd = calloc(fs->groups, sizeof(*fs->gd));
	if (!fs->gd)
		return -RV_ENOMEM;
	for (uint32_t i = 0; i < fs->gdt_blocks; i++) {
		uint32_t per = bs / sizeof(struct ext2_group_desc);
		uint32_t n = fs->groups - i * per < per ? fs->groups - i * per : per;
		struct bcache_block *b;

		ret = getblk(fs, fs->first_data_block + 1 + i, &b);
		if (ret < 0) {
			*why = "cannot read the group descriptors";
			return ret;
		}
		memcpy(&fs->gd[i * per], b->data, n * sizeof(struct ext2_group_desc));
		put(fs, b);
	}
	return check_groups(fs, why);
}

/* The journal inode's blocks, in order, and the journal on them. */
static int open_journal(struct ext2_fs *fs, const char **why)
{
	uint32_t jino = fs->sb.s_journal_inum, *map, n;
	struct ext2_inode in;
	uint64_t size;
	int ret;

	if (fs->sb.s_journal_dev || (fs->sb.s_feature_incompat & EXT2_FEATURE_INCOMPAT_JOURNAL_DEV)) {
		*why = "the journal is on another device (an external journal): not handled";
		return -RV_ENOTSUP;
	}
	*why = "bad journal inode";
	if (!ino_valid(fs, jino) || jino >= fs->first_ino)
		return -RV_EUCLEAN;
	ret = inode_read(fs, jino, &in);
	if (ret < 0)
		return ret;
	size = isize(fs, &in);
	if (!is_reg(&in) || size % fs->bs || size / fs->bs < 2 || size / fs->bs > (1u << 22))
		return -RV_EUCLEAN;
	n = (uint32_t)(size / fs->bs);
	map = malloc(sizeof(*map) * n);
	if (!map)
		return -RV_ENOMEM;
	for (uint32_t i = 0; i < n && ret == 0; i++) {
		ret = bmap(fs, jino, &in, i, false, &map[i], NULL);
		if (ret == 0 && !map[i]) {
			*why = "the journal inode has a hole";
			ret = -RV_EUCLEAN;
		}
	}
	if (ret == 0)
		ret = journal_load(&fs->journal, fs->c, map, n, fs->blocks_count, fs->vfs.now_ns, why);
	free(map);
	return ret;
}

/* Replay the log (when it holds transactions) and read the file system
 * it leaves; needs_recovery then goes off (on the device too). */
static int recover(struct ext2_fs *fs, struct blkdev *dev, uint32_t bs, const char **why)
{
	struct journal_replay st;
	int ret;

	if (journal_needs_recovery(fs->journal)) {
		ret = journal_recover(fs->journal, &st, why);
		if (ret < 0)
			return ret;
		for (uint32_t i = 0; i < EXT2_ICACHE; i++)
			fs->icache[i].ino = 0;
		ret = load_fs(fs, dev, bs, why);
		if (ret < 0)
			return ret;
		fs->was_valid = true; /* consistent again */
	}
	if (!(fs->sb.s_feature_incompat & EXT2_FEATURE_INCOMPAT_RECOVER))
		return 0;
	if (dev->read_only) {
		*why = "the journal needs recovery and the device is read-only";
		return -RV_EROFS;
	}
	fs->sb.s_feature_incompat &= ~(uint32_t)EXT2_FEATURE_INCOMPAT_RECOVER;
	ret = write_super_in_place(fs);
	if (ret < 0)
		*why = "cannot write the superblock";
	return ret;
}

int ext2_mount(struct vfs_fs **out, struct bcache *c, bool read_only, uint64_t (*now)(void),
	       const char **out_why)
{
	struct ext2_fs *fs;
	struct blkdev *dev;
	struct ext2_inode root;
	const char *why_local, **why = out_why ? out_why : &why_local;
	uint32_t bs;
	int ret;

	*why = NULL;
	if (!out || !c)
		return -RV_EINVAL;
	dev = bcache_dev(c);
	ret = ext2_probe_block_size(dev, &bs);
	if (ret < 0) {
		*why = ret == -RV_EUCLEAN ? "no ext2 superblock (bad magic or block size)"
					  : "cannot read the superblock";
		return ret;
	}
	if (bs != bcache_block_size(c)) {
		*why = "the cache's block size is not the file system's";
		return -RV_EINVAL;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -RV_ENOMEM;
	fs->c = c;
	fs->vfs.ops = &ext2_ops;
	fs->vfs.now_ns = now;
	fs->vfs.read_only = read_only || dev->read_only;
	ret = load_fs(fs, dev, bs, why);
	if (ret < 0)
		goto fail;
	fs->was_valid = fs->sb.s_state & EXT2_VALID_FS;
	if (fs->sb.s_feature_compat & EXT2_FEATURE_COMPAT_HAS_JOURNAL) {
		ret = open_journal(fs, why);
		if (ret == 0)
			ret = recover(fs, dev, bs, why);
		if (ret < 0)
			goto fail;
	}
	ret = inode_get(fs, EXT2_ROOT_INO, &root);
	if (ret == 0 && !is_dir(&root))
		ret = -RV_EUCLEAN;
	if (ret < 0) {
		*why = "bad root directory";
		goto fail;
	}
	if (fs->sb.s_feature_ro_compat & ~(uint32_t)EXT2_RO_COMPAT_OK) {
		*why = "read-only: a read-only-compatible feature this ext2 does not handle";
		fs->vfs.read_only = true;
	}
	fs->generation = fs->sb.s_wtime;
	if (!fs->vfs.read_only) {
		/* Mounted for writing: not clean until a clean unmount. */
		fs->sb.s_state &= (uint16_t)~EXT2_VALID_FS;
		fs->sb.s_mnt_count++;
		fs->sb.s_mtime = (uint32_t)(now_ns(fs) / 1000000000u);
		fs->sb_dirty = true;
		ret = journal_activate(fs);
		if (ret == 0 && fs->sb.s_last_orphan)
			orphans_recover(fs);
		if (ret == 0)
			ret = fs->journal ? settle(fs) : sync_all(fs);
		if (ret < 0) {
			*why = "cannot write the superblock";
			goto fail;
		}
	} else {
		fs->sb_dirty = fs->gd_dirty = false;
	}
	*out = &fs->vfs;
	return 0;
fail:
	free_fs(fs);
	return ret;
}
