/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The block cache: a fixed number of block buffers in memory the caller
 * gives, found by a hash of the block number (O(1) on a hit), reused least
 * recently used first. Buffers nobody holds sit on one LRU list, clean or
 * dirty; reusing a dirty one writes it back first, so a write-back cache
 * needs no background writer. bcache_sync writes the dirty blocks in block
 * order (one pass of the disk head, and the order a device merges best)
 * and then flushes the device.
 *
 * Dirty metadata (bcache_dirty_meta) is held back: such a buffer waits on
 * a list of its own, not the LRU, until bcache_sync writes it, so between
 * syncs the device keeps the file system's state of the last sync (plus
 * file data, which may go out any time and lands in blocks that state
 * calls free or in the file's own). A file server killed between two
 * syncs leaves a consistent image. Only when every other buffer is held
 * does a held-back one go out early.
 *
 * A device request costs far more than the bytes it moves, so the cache
 * makes few and large ones: a new block (bcache_get_new) after its
 * predecessor goes into the buffer after the predecessor's when that one
 * is free, so a file written in order sits in consecutive buffers and
 * bcache_sync writes such runs with one request each; bcache_readahead
 * reads a run of blocks into consecutive free buffers not used lately
 * (so the inode table and indirect blocks a stream reads stay) with one
 * request. A run is at most CONFIG_FS_IO_RUN_KIB (and the device's
 * max_sectors, and a quarter of the cache).
 *
 * The memory given holds, in order: the block buffers (so the first
 * starts where mem starts: the server's DMA buffer is page aligned), the
 * cache itself, the buffer headers, the hash table and the array sync
 * sorts. Pure C, no system calls.
 */
#include <stdlib.h>
#include <string.h>

#include "vfs.h"

#define SECTOR_SIZE 512u
#define BCACHE_RUN_MAX_BYTES ((uint32_t)CONFIG_FS_IO_RUN_KIB * 1024)

struct bcache_buf {
	struct bcache_block b;           /* first: the caller sees this */
	struct bcache_buf *hash_next;    /* chain of one hash bucket */
	struct bcache_buf *lru_prev;     /* on the LRU list while refs == 0 */
	struct bcache_buf *lru_next;
	uint32_t refs;                   /* holders (get .. put) */
	bool valid;                      /* data holds block b.blkno */
	bool dirty;                      /* data differs from the device */
	bool meta;                       /* dirty metadata: held back until sync */
	bool committed;                  /* dirty metadata a journal committed */
	bool on_pinned;                  /* refs == 0 and on the pinned list */
	uint32_t used;                   /* bcache.tick at its last get */
};

struct bcache {
	struct blkdev *dev;
	uint32_t block_size;
	uint32_t sectors_per_block;
	uint32_t nblocks;
	uint64_t dev_blocks;             /* whole blocks on the device */
	struct bcache_buf *bufs;
	struct bcache_buf **hash;
	uint32_t hash_mask;
	struct bcache_buf **sorted;      /* bcache_sync's scratch */
	struct bcache_buf lru;           /* sentinel: lru.lru_next is the least recent */
	struct bcache_buf pinned;        /* sentinel: unheld dirty metadata */
	uint32_t npinned;                /* buffers with dirty metadata, held or not */
	uint32_t nreserved;              /* taken out for good (bcache_reserve) */
	uint32_t ra_cursor;              /* where readahead looks for free buffers */
	uint32_t tick;                   /* counts gets */
};

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint32_t hash_size(uint32_t nblocks)
{
	uint32_t n = 1;

	while (n < nblocks * 2u && n < (1u << 30))
		n <<= 1;
	return n;
}

size_t bcache_mem_size(uint32_t block_size, uint32_t nblocks)
{
	size_t n = (size_t)block_size * nblocks;

	n = align_up(n, 16) + align_up(sizeof(struct bcache), 16);
	n += align_up(sizeof(struct bcache_buf) * nblocks, 16);
	n += align_up(sizeof(struct bcache_buf *) * hash_size(nblocks), 16);
	n += sizeof(struct bcache_buf *) * nblocks;
	return n;
}

static void lru_unlink(struct bcache_buf *b)
{
	b->on_pinned = false;
	b->lru_prev->lru_next = b->lru_next;
	b->lru_next->lru_prev = b->lru_prev;
	b->lru_prev = b->lru_next = NULL;
}

/* Most recently used: at the tail (of the pinned list for dirty metadata). */
static void lru_push(struct bcache *c, struct bcache_buf *b)
{
	struct bcache_buf *head = b->dirty && b->meta ? &c->pinned : &c->lru;

	b->on_pinned = head == &c->pinned;
	b->lru_prev = head->lru_prev;
	b->lru_next = head;
	head->lru_prev->lru_next = b;
	head->lru_prev = b;
}

static uint32_t hash_of(const struct bcache *c, uint64_t blkno)
{
	uint64_t h = blkno * 0x9E3779B97F4A7C15ull;

	return (uint32_t)(h >> 32) & c->hash_mask;
}

static void hash_remove(struct bcache *c, struct bcache_buf *b)
{
	struct bcache_buf **p = &c->hash[hash_of(c, b->b.blkno)];

	while (*p && *p != b)
		p = &(*p)->hash_next;
	if (*p)
		*p = b->hash_next;
	b->hash_next = NULL;
}

static void hash_insert(struct bcache *c, struct bcache_buf *b)
{
	uint32_t h = hash_of(c, b->b.blkno);

	b->hash_next = c->hash[h];
	c->hash[h] = b;
}

static struct bcache_buf *hash_find(struct bcache *c, uint64_t blkno)
{
	struct bcache_buf *b = c->hash[hash_of(c, blkno)];

	while (b && b->b.blkno != blkno)
		b = b->hash_next;
	return b;
}

int bcache_init(struct bcache **out, struct blkdev *dev, uint32_t block_size, uint32_t nblocks,
		void *mem, size_t mem_bytes)
{
	struct bcache *c;
	uint8_t *p = mem;
	uint32_t hsize, i;

	if (!out || !dev || !mem || nblocks == 0 || block_size < SECTOR_SIZE ||
	    (block_size & (block_size - 1)) || block_size > (1u << 16) ||
	    mem_bytes < bcache_mem_size(block_size, nblocks) || ((uintptr_t)mem & 15))
		return -RV_EINVAL;
	hsize = hash_size(nblocks);
	p += align_up((size_t)block_size * nblocks, 16);
	c = (struct bcache *)p;
	memset(c, 0, sizeof(*c));
	p += align_up(sizeof(*c), 16);
	c->bufs = (struct bcache_buf *)p;
	p += align_up(sizeof(struct bcache_buf) * nblocks, 16);
	c->hash = (struct bcache_buf **)p;
	p += align_up(sizeof(struct bcache_buf *) * hsize, 16);
	c->sorted = (struct bcache_buf **)p;
	c->dev = dev;
	c->block_size = block_size;
	c->sectors_per_block = block_size / SECTOR_SIZE;
	c->nblocks = nblocks;
	c->dev_blocks = dev->sectors / c->sectors_per_block;
	c->hash_mask = hsize - 1;
	memset(c->hash, 0, sizeof(struct bcache_buf *) * hsize);
	c->lru.lru_prev = c->lru.lru_next = &c->lru;
	c->pinned.lru_prev = c->pinned.lru_next = &c->pinned;
	for (i = 0; i < nblocks; i++) {
		struct bcache_buf *b = &c->bufs[i];

		memset(b, 0, sizeof(*b));
		b->b.data = (uint8_t *)mem + (size_t)i * block_size;
		lru_push(c, b);
	}
	*out = c;
	return 0;
}

struct blkdev *bcache_dev(struct bcache *c)
{
	return c->dev;
}

uint32_t bcache_block_size(struct bcache *c)
{
	return c->block_size;
}

uint32_t bcache_nblocks(struct bcache *c)
{
	return c->nblocks - c->nreserved;
}

uint32_t bcache_pinned(struct bcache *c)
{
	return c->npinned;
}

/* Blocks one request may move. */
static uint32_t run_max(const struct bcache *c)
{
	uint32_t n = BCACHE_RUN_MAX_BYTES / c->block_size;

	if (c->dev->max_sectors && n > c->dev->max_sectors / c->sectors_per_block)
		n = c->dev->max_sectors / c->sectors_per_block;
	if (n > c->nblocks / 4)
		n = c->nblocks / 4;
	return n ? n : 1;
}

uint32_t bcache_run_max(struct bcache *c)
{
	return run_max(c);
}

/* Write the n buffers from b on (consecutive blocks in consecutive
 * buffers) with one request; they are clean afterwards. */
static int write_run(struct bcache *c, struct bcache_buf *b, uint32_t n)
{
	int ret;

	if (c->dev->read_only)
		return -RV_EROFS;
	ret = c->dev->write(c->dev, b->b.blkno * c->sectors_per_block, n * c->sectors_per_block,
			    b->b.data);
	if (ret < 0)
		return ret;
	for (uint32_t i = 0; i < n; i++, b++) {
		b->dirty = false;
		b->committed = false;
		if (b->meta) {
			b->meta = false;
			c->npinned--;
		}
		if (b->on_pinned) {
			/* clean now: back among the reusable ones */
			lru_unlink(b);
			lru_push(c, b);
		}
	}
	return 0;
}

/* Evicting dirty file data: the blocks that follow it in the following
 * buffers (a file written in order) go with it in the same request, so
 * a stream larger than the cache is written in runs, not block by
 * block. Held-back metadata never joins. */
static int write_back_run(struct bcache *c, struct bcache_buf *b)
{
	uint32_t k = 1, max = run_max(c);

	if (!b->dirty)
		return 0;
	if (!b->meta)
		while (k < max && b + k < c->bufs + c->nblocks && b[k].dirty && !b[k].meta &&
		       b[k].refs == 0 && b[k].valid && b[k].b.blkno == b->b.blkno + k)
			k++;
	return write_run(c, b, k);
}

/* Not held and not dirty: free to take for another block. */
static bool slot_free(const struct bcache_buf *b)
{
	return b->refs == 0 && !b->dirty;
}

/* Buffer b (free, or written back) now stands for blkno, held, not valid. */
static void take(struct bcache *c, struct bcache_buf *b, uint64_t blkno)
{
	lru_unlink(b);
	if (b->valid)
		hash_remove(c, b);
	b->b.blkno = blkno;
	b->valid = false;
	b->dirty = false;
	b->refs = 1;
	hash_insert(c, b);
}

/* A buffer for blkno: the cached one (held), or the least recently used
 * free one, written back if dirty and renamed (valid false); with
 * `follow`, the one after its predecessor's if that is free. */
static int grab(struct bcache *c, uint64_t blkno, bool follow, struct bcache_buf **out)
{
	struct bcache_buf *b;
	int ret;

	if (blkno >= c->dev_blocks)
		return -RV_EINVAL;
	c->tick++;
	b = hash_find(c, blkno);
	if (b) {
		if (b->refs++ == 0)
			lru_unlink(b);
		b->used = c->tick;
		*out = b;
		return 0;
	}
	if (follow && blkno > 0) {
		/* next to its predecessor, so runs can go in one request */
		struct bcache_buf *p = hash_find(c, blkno - 1);

		if (p && p + 1 < c->bufs + c->nblocks && slot_free(p + 1)) {
			take(c, p + 1, blkno);
			p[1].used = c->tick;
			*out = p + 1;
			return 0;
		}
	}
	b = c->lru.lru_next;
	if (b == &c->lru)
		b = c->pinned.lru_next; /* early: nothing else is free */
	if (b == &c->pinned)
		return -RV_ENOMEM;
	ret = write_back_run(c, b);
	if (ret < 0)
		return ret;
	take(c, b, blkno);
	b->used = c->tick;
	*out = b;
	return 0;
}

/* Undo a grab whose buffer never became valid. */
static void forget(struct bcache *c, struct bcache_buf *b)
{
	hash_remove(c, b);
	b->refs = 0;
	b->valid = false;
	/* least recent: reused first */
	b->lru_next = c->lru.lru_next;
	b->lru_prev = &c->lru;
	c->lru.lru_next->lru_prev = b;
	c->lru.lru_next = b;
}

int bcache_get(struct bcache *c, uint64_t blkno, struct bcache_block **out)
{
	struct bcache_buf *b;
	int ret = grab(c, blkno, false, &b);

	if (ret < 0)
		return ret;
	if (!b->valid) {
		ret = c->dev->read(c->dev, blkno * c->sectors_per_block, c->sectors_per_block,
				   b->b.data);
		if (ret < 0) {
			if (b->refs == 1)
				forget(c, b);
			else
				b->refs--;
			return ret;
		}
		b->valid = true;
	}
	*out = &b->b;
	return 0;
}

/* A word at a time: picolibc's memset for rvOS goes byte by byte (and
 * the attribute keeps gcc from making this loop a memset call). */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void zero_block(void *p, size_t n)
{
	uint64_t __attribute__((may_alias)) *w = p;

	for (; n >= 32; n -= 32, w += 4) {
		w[0] = 0;
		w[1] = 0;
		w[2] = 0;
		w[3] = 0;
	}
}

int bcache_get_overwrite(struct bcache *c, uint64_t blkno, struct bcache_block **out)
{
	struct bcache_buf *b;
	int ret = grab(c, blkno, true, &b);

	if (ret < 0)
		return ret;
	b->valid = true; /* the caller writes every byte before anyone reads */
	*out = &b->b;
	return 0;
}

int bcache_get_new(struct bcache *c, uint64_t blkno, struct bcache_block **out)
{
	struct bcache_buf *b;
	int ret = grab(c, blkno, true, &b);

	if (ret < 0)
		return ret;
	zero_block(b->b.data, c->block_size); /* a multiple of 512, 8-aligned */
	b->valid = true;
	*out = &b->b;
	return 0;
}

void bcache_dirty(struct bcache *c, struct bcache_block *blk)
{
	struct bcache_buf *b = (struct bcache_buf *)blk;

	(void)c;
	b->dirty = true;
	b->committed = false; /* file data now: written before the next commit */
}

void bcache_dirty_meta(struct bcache *c, struct bcache_block *blk)
{
	struct bcache_buf *b = (struct bcache_buf *)blk;

	if (!b->meta) {
		b->meta = true;
		c->npinned++;
	}
	b->dirty = true;
}

void bcache_put(struct bcache *c, struct bcache_block *blk)
{
	struct bcache_buf *b = (struct bcache_buf *)blk;

	if (!b || b->refs == 0)
		return;
	if (--b->refs == 0)
		lru_push(c, b);
}

/* The dirty buffers by block number: in place, compares inline (qsort's
 * call per compare and byte-wise swaps cost about as much as writing the
 * blocks). Buffers taken in order are mostly in order already: a pass
 * that finds them sorted ends it. Heapsort otherwise. */
static void sift(struct bcache_buf **a, uint32_t root, uint32_t n)
{
	struct bcache_buf *x = a[root];

	for (;;) {
		uint32_t child = 2 * root + 1;

		if (child >= n)
			break;
		if (child + 1 < n && a[child + 1]->b.blkno > a[child]->b.blkno)
			child++;
		if (a[child]->b.blkno <= x->b.blkno)
			break;
		a[root] = a[child];
		root = child;
	}
	a[root] = x;
}

static void sort_by_blkno(struct bcache_buf **a, uint32_t n)
{
	uint32_t i;

	for (i = 1; i < n && a[i - 1]->b.blkno <= a[i]->b.blkno; i++)
		;
	if (i >= n)
		return;
	for (i = n / 2; i-- > 0;)
		sift(a, i, n);
	for (i = n; i-- > 1;) {
		struct bcache_buf *t = a[0];

		a[0] = a[i];
		a[i] = t;
		sift(a, 0, i);
	}
}

static bool wanted(const struct bcache_buf *b, unsigned int kinds)
{
	if (!b->valid || !b->dirty)
		return false;
	if (b->meta)
		return kinds & BCACHE_HELD;
	return kinds & (b->committed ? BCACHE_COMMITTED : BCACHE_DATA);
}

int bcache_write_dirty(struct bcache *c, unsigned int kinds)
{
	uint32_t i, n = 0;
	int ret = 0;

	for (i = 0; i < c->nblocks; i++)
		if (wanted(&c->bufs[i], kinds))
			c->sorted[n++] = &c->bufs[i];
	sort_by_blkno(c->sorted, n);
	for (i = 0; i < n;) {
		struct bcache_buf *b = c->sorted[i];
		uint32_t k = 1, max = run_max(c);
		int r;

		while (i + k < n && k < max && c->sorted[i + k] == b + k &&
		       c->sorted[i + k]->b.blkno == b->b.blkno + k)
			k++;
		r = write_run(c, b, k);
		if (r < 0 && ret == 0)
			ret = r;
		i += k;
	}
	return ret < 0 ? ret : (int)n;
}

int bcache_flush(struct bcache *c)
{
	if (c->dev->read_only)
		return -RV_EROFS;
	return c->dev->flush ? c->dev->flush(c->dev) : 0;
}

int bcache_sync(struct bcache *c)
{
	int ret = bcache_write_dirty(c, BCACHE_DATA | BCACHE_COMMITTED | BCACHE_HELD);

	if (ret > 0)
		ret = bcache_flush(c);
	return ret < 0 ? ret : 0;
}

uint32_t bcache_meta(struct bcache *c, struct bcache_block **out, uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->nblocks && n < max; i++)
		if (c->bufs[i].valid && c->bufs[i].dirty && c->bufs[i].meta)
			out[n++] = &c->bufs[i].b;
	return n;
}

void bcache_meta_committed(struct bcache *c)
{
	for (uint32_t i = 0; i < c->nblocks; i++) {
		struct bcache_buf *b = &c->bufs[i];

		if (!b->meta)
			continue;
		b->meta = false;
		b->committed = true;
		c->npinned--;
		if (b->on_pinned) {
			/* may go to its place any time now: among the reusable ones */
			lru_unlink(b);
			lru_push(c, b);
		}
	}
}

int bcache_reserve(struct bcache *c, uint32_t n, void **mem)
{
	uint32_t run = 0;

	if (n == 0 || n > (c->nblocks - c->nreserved) / 2)
		return -RV_EINVAL;
	/* n free buffers in a row, from the end (readahead starts low) */
	for (uint32_t i = c->nblocks; i-- > 0;) {
		run = slot_free(&c->bufs[i]) ? run + 1 : 0;
		if (run < n)
			continue;
		for (uint32_t k = i; k < i + n; k++) {
			struct bcache_buf *b = &c->bufs[k];

			lru_unlink(b);
			if (b->valid)
				hash_remove(c, b);
			b->valid = false;
			b->refs = 1; /* held for good: never reused, never written */
		}
		c->nreserved += n;
		*mem = c->bufs[i].b.data;
		return 0;
	}
	return -RV_ENOMEM;
}

int bcache_get_cached(struct bcache *c, uint64_t blkno, struct bcache_block **out)
{
	struct bcache_buf *b = hash_find(c, blkno);

	if (!b || !b->valid)
		return -RV_ENOENT;
	c->tick++;
	if (b->refs++ == 0)
		lru_unlink(b);
	b->used = c->tick;
	*out = &b->b;
	return 0;
}

bool bcache_cached(struct bcache *c, uint64_t blkno)
{
	struct bcache_buf *b = hash_find(c, blkno);

	return b && b->valid;
}

int bcache_readahead(struct bcache *c, uint64_t blkno, uint32_t count)
{
	uint32_t n, run = 0, i = 0, first, max = run_max(c);
	int ret;

	if (blkno >= c->dev_blocks)
		return -RV_EINVAL;
	if (count > c->dev_blocks - blkno)
		count = (uint32_t)(c->dev_blocks - blkno);
	if (count > max)
		count = max;
	for (n = 0; n < count && !hash_find(c, blkno + n); n++)
		;
	if (n < 2)
		return 0; /* one block: bcache_get reads it as well */
	/* n free buffers in a row not used in the last nblocks/2 gets, from
	 * the cursor on (runs do not wrap) */
	for (uint32_t scanned = 0; scanned < c->nblocks + n && run < n; scanned++) {
		const struct bcache_buf *b;

		i = (c->ra_cursor + scanned) % c->nblocks;
		b = &c->bufs[i];
		if (i == 0)
			run = 0;
		if (slot_free(b) && (!b->valid || c->tick - b->used > c->nblocks / 2))
			run++;
		else
			run = 0;
	}
	if (run < n)
		return 0;
	first = i + 1 - n;
	for (uint32_t k = 0; k < n; k++)
		take(c, &c->bufs[first + k], blkno + k);
	ret = c->dev->read(c->dev, blkno * c->sectors_per_block, n * c->sectors_per_block,
			   c->bufs[first].b.data);
	for (uint32_t k = 0; k < n; k++) {
		struct bcache_buf *b = &c->bufs[first + k];

		if (ret < 0) {
			forget(c, b);
		} else {
			b->valid = true;
			b->refs = 0;
			b->used = c->tick;
			lru_push(c, b);
		}
	}
	c->ra_cursor = (first + n) % c->nblocks;
	return ret < 0 ? ret : (int)n;
}

int bcache_drop(struct bcache *c)
{
	uint32_t i;
	int ret = bcache_sync(c);

	if (ret < 0)
		return ret;
	for (i = 0; i < c->nblocks; i++) {
		struct bcache_buf *b = &c->bufs[i];

		if (b->refs == 0 && b->valid && !b->dirty) {
			hash_remove(c, b);
			b->valid = false;
		}
	}
	return 0;
}
