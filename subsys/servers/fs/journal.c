/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The journal of ext3 and ext4, in JBD2's on-disk format, so Linux's
 * e2fsck replays what this code logs and this code replays what Linux
 * and e2fsprogs log. Metadata journaling in ordered mode:
 *
 *   commit   file data to its place; then the transaction's log blocks
 *            (revoke blocks, descriptor blocks, a copy of each metadata
 *            block); a flush; the commit block; a flush. Only then may
 *            the metadata go to its place (the cache marks it committed).
 *   checkpoint  everything committed to its place, a flush, the log
 *            marked empty (s_start 0) and flushed: space to log again.
 *            Lazily: after a commit that leaves the log more than half
 *            full, and when the file system asks (sync, unmount).
 *   recovery three passes like JBD2's: scan the log from s_start for the
 *            committed transactions (each block must carry the next
 *            sequence number, and its checksum when the journal has
 *            them), collect the revoke records, then write every logged
 *            block no later revoke names to its place, flush, and mark
 *            the log empty.
 *
 * A transaction never overwrites the part of the log that s_start on the
 * device still names (the log is emptied, durably, before it wraps onto
 * it), and the commit block is written only after a flush of everything
 * before it: a power cut at any moment, with any of the writes in flight
 * lost or torn, leaves either the transaction (all of it) or none of it.
 *
 * The log's blocks go out through a staging area of device memory taken
 * from the cache (bcache_reserve): runs of log blocks that lie together
 * on the disk are one request each. Checksums: with CONFIG_FS_JOURNAL_CHECKSUM
 * a journal is given JBD2's version 3 checksums (crc32c of the superblock,
 * every descriptor, revoke and commit block, and every logged block with
 * its sequence number) when its log is empty; a journal that has version
 * 2 or 3 checksums, or the older crc32 of whole transactions, is verified
 * when replayed.
 */
#include <stdlib.h>
#include <string.h>

#include "journal.h"

#ifndef CONFIG_FS_JOURNAL_IO_KIB
#define CONFIG_FS_JOURNAL_IO_KIB 32
#endif

#define INCOMPAT_KNOWN                                                                      \
	(JBD2_FEATURE_INCOMPAT_REVOKE | JBD2_FEATURE_INCOMPAT_64BIT |                        \
	 JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT | JBD2_FEATURE_INCOMPAT_CSUM_V2 |                \
	 JBD2_FEATURE_INCOMPAT_CSUM_V3)
#define HEADER_BYTES 12
#define UUID_BYTES 16
#define TAIL_BYTES 4
#define MIN_LOG_BLOCKS 32

struct jtag {
	uint32_t pos; /* where the copy is in the log */
	uint32_t blk; /* where it goes */
	uint32_t seq;
	bool escaped;
};

struct jrevoke {
	uint32_t blk;
	uint32_t seq;
};

struct journal {
	struct bcache *c;
	struct blkdev *dev;
	uint32_t *map;        /* file-system block of each journal block */
	uint32_t bs, spb;
	uint32_t maxlen, first, capacity;
	uint32_t fs_blocks;
	uint8_t *sb;          /* the journal superblock block as last written */
	uint8_t *stage;       /* device memory: nstage blocks */
	uint32_t nstage;
	uint32_t st_pos, st_n; /* staged: log blocks st_pos.. (st_n of them) */
	/* the format in use */
	bool csum;            /* version 2 or 3 checksums */
	bool csum3;
	bool crc32_sum;       /* COMPAT_CHECKSUM: crc32 of a transaction */
	bool wide;            /* 64BIT: tags carry the high half */
	uint32_t tag_bytes;
	uint32_t csum_seed;
	bool features_set;    /* this mount has set the features it writes */
	/* the log */
	uint32_t start;       /* s_start on the device: 0 empty */
	uint32_t head;        /* where the next transaction goes */
	uint32_t tid;         /* its sequence number */
	uint32_t used;        /* log blocks from start to head */
	uint64_t (*now_ns)(void);
	struct bcache_block **meta;
	uint32_t meta_cap;
	struct journal_stats stats;
};

static uint32_t get32(const void *p, uint32_t off)
{
	const uint8_t *b = (const uint8_t *)p + off;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint16_t get16(const void *p, uint32_t off)
{
	const uint8_t *b = (const uint8_t *)p + off;

	return (uint16_t)(b[0] << 8 | b[1]);
}

static void put32(void *p, uint32_t off, uint32_t v)
{
	uint8_t *b = (uint8_t *)p + off;

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void put16(void *p, uint32_t off, uint16_t v)
{
	uint8_t *b = (uint8_t *)p + off;

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* Blocks are whole multiples of 32 bytes, 8-aligned: a word at a time
 * (picolibc's memcpy and memset for rvOS go byte by byte; the attribute
 * keeps gcc from making the loops calls to them). */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void copy_block(void *dst, const void *src, uint32_t n)
{
	uint64_t __attribute__((may_alias)) *d = dst;
	const uint64_t __attribute__((may_alias)) *s = src;

	for (; n >= 32; n -= 32, d += 4, s += 4) {
		d[0] = s[0];
		d[1] = s[1];
		d[2] = s[2];
		d[3] = s[3];
	}
}

__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void zero_block(void *dst, uint32_t n)
{
	uint64_t __attribute__((may_alias)) *d = dst;

	for (; n >= 32; n -= 32, d += 4) {
		d[0] = 0;
		d[1] = 0;
		d[2] = 0;
		d[3] = 0;
	}
}

/* ---- checksums ---- */

/* Made at the first checksum (9 KiB of heap a journal without checksums
 * never takes). */
static uint32_t (*crc32c_table)[256];
static uint32_t *crc32_be_table;

static bool crc_tables(void)
{
	if (crc32c_table)
		return true;
	crc32c_table = malloc(sizeof(uint32_t) * 8 * 256);
	crc32_be_table = malloc(sizeof(uint32_t) * 256);
	if (!crc32c_table || !crc32_be_table) {
		free(crc32c_table);
		free(crc32_be_table);
		crc32c_table = NULL;
		crc32_be_table = NULL;
		return false;
	}
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i, b = i << 24;

		for (int k = 0; k < 8; k++) {
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
			b = b & 0x80000000u ? (b << 1) ^ 0x04C11DB7u : b << 1;
		}
		crc32c_table[0][i] = c;
		crc32_be_table[i] = b;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc32c_table[t][i] = (crc32c_table[t - 1][i] >> 8) ^
					     crc32c_table[0][crc32c_table[t - 1][i] & 0xff];
	return true;
}

/* Eight bytes a step (slicing by eight), as the RISC-V cores here have no
 * crc instruction. */
uint32_t journal_crc32c(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;

	if (!crc_tables())
		return ~crc; /* (journal_load made them: cannot happen) */
	while (n && ((uintptr_t)b & 7)) {
		crc = crc32c_table[0][(crc ^ *b++) & 0xff] ^ (crc >> 8);
		n--;
	}
	for (; n >= 8; n -= 8, b += 8) {
		uint64_t w = *(const uint64_t __attribute__((may_alias)) *)b ^ crc;

		crc = crc32c_table[7][w & 0xff] ^ crc32c_table[6][(w >> 8) & 0xff] ^
		      crc32c_table[5][(w >> 16) & 0xff] ^ crc32c_table[4][(w >> 24) & 0xff] ^
		      crc32c_table[3][(w >> 32) & 0xff] ^ crc32c_table[2][(w >> 40) & 0xff] ^
		      crc32c_table[1][(w >> 48) & 0xff] ^ crc32c_table[0][w >> 56];
	}
	while (n--)
		crc = crc32c_table[0][(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return crc;
}

/* The older whole-transaction checksum (COMPAT_CHECKSUM): crc32, most
 * significant bit first, as JBD2 computes it. Only verified. */
static uint32_t crc32_be(uint32_t crc, const uint8_t *p, size_t n)
{
	if (!crc_tables())
		return ~crc;
	while (n--)
		crc = (crc << 8) ^ crc32_be_table[((crc >> 24) ^ *p++) & 0xff];
	return crc;
}

/* A descriptor, revoke or commit block's checksum: over the whole block
 * with the checksum's own field zero. */
static uint32_t block_csum(const struct journal *j, uint8_t *blk, uint32_t field)
{
	uint32_t saved = get32(blk, field), crc;

	put32(blk, field, 0);
	crc = journal_crc32c(j->csum_seed, blk, j->bs);
	put32(blk, field, saved);
	return crc;
}

/* A logged block's checksum: its sequence number, then the block as logged. */
static uint32_t data_csum(const struct journal *j, uint32_t seq, const uint8_t *blk, bool escaped)
{
	static const uint8_t zero4[4];
	uint8_t s[4];
	uint32_t crc;

	put32(s, 0, seq);
	crc = journal_crc32c(j->csum_seed, s, 4);
	if (escaped) {
		crc = journal_crc32c(crc, zero4, 4);
		return journal_crc32c(crc, blk + 4, j->bs - 4);
	}
	return journal_crc32c(crc, blk, j->bs);
}

static uint32_t sb_csum(const struct journal *j)
{
	uint32_t saved = get32(j->sb, JSB_CHECKSUM), crc;

	put32(j->sb, JSB_CHECKSUM, 0);
	crc = journal_crc32c(~0u, j->sb, JSB_SIZE);
	put32(j->sb, JSB_CHECKSUM, saved);
	return crc;
}

/* ---- the format ---- */

static void set_format(struct journal *j)
{
	uint32_t incompat = get32(j->sb, JSB_FEATURE_INCOMPAT);
	bool v1 = get32(j->sb, 4) == JBD2_SUPERBLOCK_V1;

	if (v1)
		incompat = 0;
	j->csum3 = incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3;
	j->csum = j->csum3 || (incompat & JBD2_FEATURE_INCOMPAT_CSUM_V2);
	j->wide = incompat & JBD2_FEATURE_INCOMPAT_64BIT;
	j->crc32_sum = !v1 && !j->csum && (get32(j->sb, JSB_FEATURE_COMPAT) &
					   JBD2_FEATURE_COMPAT_CHECKSUM);
	if (j->csum3)
		j->tag_bytes = 16;
	else
		j->tag_bytes = 8 + (j->wide ? 4 : 0) +
			       ((incompat & JBD2_FEATURE_INCOMPAT_CSUM_V2) ? 2 : 0);
	j->csum_seed = j->csum ? journal_crc32c(~0u, j->sb + JSB_UUID, UUID_BYTES) : 0;
}

static uint32_t next_pos(const struct journal *j, uint32_t pos)
{
	return pos + 1 >= j->maxlen ? j->first : pos + 1;
}

static uint32_t tail_room(const struct journal *j)
{
	return j->csum ? TAIL_BYTES : 0;
}

/* Tags one descriptor block holds (one UUID, after its first tag). */
static uint32_t tags_per_desc(const struct journal *j)
{
	return (j->bs - HEADER_BYTES - UUID_BYTES - tail_room(j)) / j->tag_bytes;
}

static uint32_t revokes_per_block(const struct journal *j)
{
	return (j->bs - 16 - tail_room(j)) / (j->wide ? 8 : 4);
}

static int read_log(struct journal *j, uint32_t pos, void *buf)
{
	return j->dev->read(j->dev, (uint64_t)j->map[pos] * j->spb, j->spb, buf);
}

/* Write the staged log blocks, a request per run that lies together on
 * the disk. */
static int stage_flush(struct journal *j)
{
	uint32_t i = 0, pos = j->st_pos;
	int ret = 0;

	while (i < j->st_n && ret == 0) {
		uint32_t k = 1, p = pos;

		for (;;) {
			uint32_t q = next_pos(j, p);

			if (i + k >= j->st_n || q != p + 1 || j->map[q] != j->map[p] + 1)
				break;
			p = q;
			k++;
		}
		ret = j->dev->write(j->dev, (uint64_t)j->map[pos] * j->spb, k * j->spb,
				    j->stage + (size_t)i * j->bs);
		i += k;
		for (uint32_t n = 0; n < k; n++)
			pos = next_pos(j, pos);
	}
	j->st_pos = pos;
	j->st_n = 0;
	return ret;
}

/* The next log block's staging slot (the staged ones written first when
 * the area is full). */
static int stage_slot(struct journal *j, uint8_t **out)
{
	if (j->st_n == j->nstage) {
		int ret = stage_flush(j);

		if (ret < 0)
			return ret;
	}
	*out = j->stage + (size_t)j->st_n++ * j->bs;
	return 0;
}

static void header(uint8_t *b, uint32_t type, uint32_t seq)
{
	put32(b, 0, JBD2_MAGIC);
	put32(b, 4, type);
	put32(b, 8, seq);
}

/* The superblock (journal block 0) to the device, through the staging
 * area (which must be empty). */
static int write_sb(struct journal *j)
{
	if (get32(j->sb, 4) == JBD2_SUPERBLOCK_V2 && j->csum)
		put32(j->sb, JSB_CHECKSUM, sb_csum(j));
	copy_block(j->stage, j->sb, j->bs);
	return j->dev->write(j->dev, (uint64_t)j->map[0] * j->spb, j->spb, j->stage);
}

/* The log empty on the device (s_start 0, the next sequence number),
 * flushed, and here: the next transaction starts it again at the top. */
static int mark_log_empty(struct journal *j)
{
	int ret;

	put32(j->sb, JSB_START, 0);
	put32(j->sb, JSB_SEQUENCE, j->tid);
	ret = write_sb(j);
	if (ret == 0)
		ret = bcache_flush(j->c);
	if (ret < 0)
		return ret;
	j->start = 0;
	j->used = 0;
	j->head = j->first;
	return 0;
}

/* ---- loading ---- */

static int fail(const char **why, const char *what, int err)
{
	*why = what;
	return err;
}

int journal_load(struct journal **out, struct bcache *c, const uint32_t *map, uint32_t nmap,
		 uint32_t fs_blocks, uint64_t (*now_ns)(void), const char **why)
{
	struct journal *j;
	uint32_t type, incompat, nstage;
	void *stage;
	int ret;

	*why = NULL;
	if (!out || !c || !map || nmap < 2)
		return fail(why, "the journal inode has too few blocks", -RV_EUCLEAN);
	j = calloc(1, sizeof(*j));
	if (!j)
		return -RV_ENOMEM;
	j->c = c;
	j->dev = bcache_dev(c);
	j->bs = bcache_block_size(c);
	j->spb = j->bs / 512;
	j->fs_blocks = fs_blocks;
	j->now_ns = now_ns;
	nstage = (uint32_t)CONFIG_FS_JOURNAL_IO_KIB * 1024 / j->bs;
	if (nstage > bcache_nblocks(c) / 4)
		nstage = bcache_nblocks(c) / 4;
	if (nstage < 2)
		nstage = 2; /* recovery reads a descriptor and a logged block */
	j->sb = malloc(j->bs);
	j->meta_cap = bcache_nblocks(c);
	j->meta = malloc(sizeof(*j->meta) * j->meta_cap);
	if (!j->sb || !j->meta) {
		ret = -RV_ENOMEM;
		goto out;
	}
	ret = bcache_reserve(c, nstage, &stage);
	if (ret < 0) {
		*why = "no room in the cache for the journal's staging area";
		goto out;
	}
	j->stage = stage;
	j->nstage = nstage;
	j->meta_cap = bcache_nblocks(c);
	ret = j->dev->read(j->dev, (uint64_t)map[0] * j->spb, j->spb, j->stage);
	if (ret < 0) {
		*why = "cannot read the journal superblock";
		goto out;
	}
	copy_block(j->sb, j->stage, j->bs);
	type = get32(j->sb, 4);
	ret = -RV_EUCLEAN;
	if (get32(j->sb, 0) != JBD2_MAGIC ||
	    (type != JBD2_SUPERBLOCK_V1 && type != JBD2_SUPERBLOCK_V2)) {
		*why = "the journal superblock has a bad magic or type";
		goto out;
	}
	j->maxlen = get32(j->sb, JSB_MAXLEN);
	j->first = get32(j->sb, JSB_FIRST);
	j->start = get32(j->sb, JSB_START);
	j->tid = get32(j->sb, JSB_SEQUENCE);
	if (get32(j->sb, JSB_BLOCKSIZE) != j->bs) {
		*why = "the journal's block size is not the file system's";
		goto out;
	}
	if (j->maxlen > nmap || j->first < 1 || j->first >= j->maxlen ||
	    j->maxlen - j->first < MIN_LOG_BLOCKS) {
		*why = "the journal's length or first block does not fit its inode";
		goto out;
	}
	if (j->start && (j->start < j->first || j->start >= j->maxlen)) {
		*why = "the journal's log starts outside it";
		goto out;
	}
	incompat = type == JBD2_SUPERBLOCK_V2 ? get32(j->sb, JSB_FEATURE_INCOMPAT) : 0;
	if (type == JBD2_SUPERBLOCK_V2) {
		ret = -RV_ENOTSUP;
		if (incompat & JBD2_FEATURE_INCOMPAT_FAST_COMMIT) {
			*why = "the journal has fast commits (fast_commit): not handled";
			goto out;
		}
		if (incompat & ~(uint32_t)INCOMPAT_KNOWN) {
			*why = "the journal has an unknown incompatible feature";
			goto out;
		}
		if (get32(j->sb, JSB_NR_USERS) > 1) {
			*why = "the journal is shared by several file systems";
			goto out;
		}
		ret = -RV_EUCLEAN;
		if ((incompat & JBD2_FEATURE_INCOMPAT_CSUM_V2) &&
		    (incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3)) {
			*why = "the journal claims checksums of versions 2 and 3";
			goto out;
		}
		if (incompat & (JBD2_FEATURE_INCOMPAT_CSUM_V2 | JBD2_FEATURE_INCOMPAT_CSUM_V3)) {
			if (j->sb[JSB_CHECKSUM_TYPE] != JBD2_CRC32C_CHKSUM) {
				*why = "the journal's checksum type is not crc32c";
				goto out;
			}
			if (get32(j->sb, JSB_CHECKSUM) != sb_csum(j)) {
				*why = "the journal superblock's checksum is wrong";
				goto out;
			}
		}
	}
	j->capacity = j->maxlen - j->first;
	j->map = malloc(sizeof(*j->map) * j->maxlen);
	if (!j->map) {
		ret = -RV_ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < j->maxlen; i++) {
		if (map[i] == 0 || map[i] >= fs_blocks) {
			*why = "a journal block lies outside the file system";
			goto out;
		}
		j->map[i] = map[i];
	}
	set_format(j);
	{
		bool sums = j->csum || j->crc32_sum;

#ifdef CONFIG_FS_JOURNAL_CHECKSUM
		sums = true;
#endif
		if (sums && !crc_tables()) {
			ret = -RV_ENOMEM;
			*why = "no memory for the journal's checksum tables";
			goto out;
		}
	}
	j->head = j->first;
	*out = j;
	return 0;
out:
	journal_free(j);
	return ret;
}

void journal_free(struct journal *j)
{
	if (!j)
		return;
	free(j->map);
	free(j->sb);
	free(j->meta);
	free(j);
}

bool journal_needs_recovery(const struct journal *j)
{
	return j->start != 0;
}

uint32_t journal_blocks(const struct journal *j)
{
	return j->maxlen;
}

uint32_t journal_sequence(const struct journal *j)
{
	return j->tid;
}

void journal_get_stats(const struct journal *j, struct journal_stats *out)
{
	*out = j->stats;
}

uint32_t journal_max_transaction(const struct journal *j)
{
	/* a quarter of the log: with the descriptors, revoke and commit
	 * blocks and one operation's overshoot it fits in the half a
	 * checkpoint leaves free */
	return j->capacity / 4;
}

/* ---- recovery ---- */

struct scan {
	struct jtag *tags;
	uint32_t ntags, cap_tags;
	struct jrevoke *revs;
	uint32_t nrevs, cap_revs;
};

/* Room for one more element of elem bytes in *arr (n of *cap used):
 * doubled when full. */
static int grow(void **arr, uint32_t n, uint32_t *cap, size_t elem)
{
	uint32_t want;
	void *p;

	if (n < *cap)
		return 0;
	want = *cap ? 2 * *cap : 256;
	p = realloc(*arr, elem * want);
	if (!p)
		return -RV_ENOMEM;
	*arr = p;
	*cap = want;
	return 0;
}

static int add_tag(struct scan *s, struct jtag t)
{
	if (grow((void **)&s->tags, s->ntags, &s->cap_tags, sizeof(*s->tags)) < 0)
		return -RV_ENOMEM;
	s->tags[s->ntags++] = t;
	return 0;
}

static int add_revoke(struct scan *s, uint32_t blk, uint32_t seq)
{
	if (grow((void **)&s->revs, s->nrevs, &s->cap_revs, sizeof(*s->revs)) < 0)
		return -RV_ENOMEM;
	s->revs[s->nrevs].blk = blk;
	s->revs[s->nrevs].seq = seq;
	s->nrevs++;
	return 0;
}

static int rev_cmp(const void *a, const void *b)
{
	const struct jrevoke *x = a, *y = b;

	if (x->blk != y->blk)
		return x->blk < y->blk ? -1 : 1;
	return x->seq > y->seq ? -1 : x->seq < y->seq; /* the latest first */
}

/* Is blk revoked by a record of transaction seq or later? */
static bool revoked(const struct scan *s, uint32_t blk, uint32_t seq)
{
	uint32_t lo = 0, hi = s->nrevs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->revs[mid].blk < blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nrevs && s->revs[lo].blk == blk && s->revs[lo].seq >= seq;
}

/* Why a scan stopped short of the log's natural end. */
enum { SCAN_END, SCAN_DAMAGED };

/* Parse one descriptor block (in buf, at pos; seq) into tags; check
 * the logged blocks' checksums. Returns the next position or -1 damaged,
 * or an error below -1. */
static long scan_descriptor(struct journal *j, struct scan *s, uint8_t *buf, uint32_t pos,
			    uint32_t seq, uint32_t *crc, uint32_t *counted)
{
	uint32_t end = j->bs - tail_room(j), off = HEADER_BYTES, first_tag = s->ntags;
	uint8_t *desc = buf, *data = j->stage + j->bs;
	bool need_data = j->csum || j->crc32_sum;

	if (j->csum && get32(desc, j->bs - TAIL_BYTES) != block_csum(j, desc, j->bs - TAIL_BYTES))
		return -1;
	if (j->crc32_sum)
		*crc = crc32_be(*crc, desc, j->bs);
	while (off + j->tag_bytes <= end) {
		uint32_t flags, blk = get32(desc, off), high = 0, tcsum;
		struct jtag t;

		if (j->csum3) {
			flags = get32(desc, off + 4);
			high = get32(desc, off + 8);
			tcsum = get32(desc, off + 12);
		} else {
			flags = get16(desc, off + 6);
			tcsum = get16(desc, off + 4);
			if (j->wide)
				high = get32(desc, off + 8);
		}
		off += j->tag_bytes;
		if (!(flags & JBD2_FLAG_SAME_UUID))
			off += UUID_BYTES;
		pos = next_pos(j, pos);
		if (++*counted > j->capacity)
			return -1;
		if (high || blk >= j->fs_blocks)
			return -1; /* a block past the file system: damaged */
		t.pos = pos;
		t.blk = blk;
		t.seq = seq;
		t.escaped = flags & JBD2_FLAG_ESCAPE;
		if (need_data) {
			int ret = read_log(j, pos, data);

			if (ret < 0)
				return ret;
			if (j->crc32_sum)
				*crc = crc32_be(*crc, data, j->bs);
			if (j->csum) {
				uint32_t want = data_csum(j, seq, data, false);

				if ((j->csum3 ? want : (want & 0xffff)) != tcsum)
					return -1;
			}
		}
		if (add_tag(s, t) < 0)
			return -RV_ENOMEM;
		if (flags & JBD2_FLAG_LAST_TAG)
			break;
	}
	(void)first_tag;
	return next_pos(j, pos);
}

static int scan_revoke(struct journal *j, struct scan *s, const uint8_t *buf, uint32_t seq)
{
	uint32_t count = get32(buf, HEADER_BYTES), rec = j->wide ? 8 : 4;

	if (j->csum && get32(buf, j->bs - TAIL_BYTES) !=
			       block_csum(j, (uint8_t *)buf, j->bs - TAIL_BYTES))
		return -1;
	if (count < 16 || count > j->bs - tail_room(j))
		return -1;
	for (uint32_t off = 16; off + rec <= count; off += rec) {
		uint32_t blk = j->wide ? get32(buf, off + 4) : get32(buf, off);

		if (j->wide && get32(buf, off))
			continue; /* past any 32-bit file system: nothing to skip */
		if (add_revoke(s, blk, seq) < 0)
			return -RV_ENOMEM;
	}
	return 0;
}

static bool commit_ok(struct journal *j, uint8_t *buf, uint32_t crc)
{
	if (j->csum)
		return get32(buf, JCB_CHKSUM) == block_csum(j, buf, JCB_CHKSUM);
	if (j->crc32_sum) {
		if (buf[JCB_CHKSUM_TYPE] == 0 && buf[JCB_CHKSUM_SIZE] == 0 &&
		    get32(buf, JCB_CHKSUM) == 0)
			return true; /* logged without the checksum */
		return buf[JCB_CHKSUM_TYPE] == JBD2_CRC32_CHKSUM && buf[JCB_CHKSUM_SIZE] == 4 &&
		       get32(buf, JCB_CHKSUM) == crc;
	}
	return true;
}

/* Pass one: the committed transactions from s_start on. */
static int scan_log(struct journal *j, struct scan *s, struct journal_replay *st)
{
	uint32_t pos = j->start, seq = j->tid, counted = 0, good_tags = 0, good_revs = 0;
	uint32_t crc = ~0u;
	uint8_t *buf = j->stage;
	int ret;

	st->first_tid = seq;
	while (counted < j->capacity) {
		uint32_t type;

		ret = read_log(j, pos, buf);
		if (ret < 0)
			return ret;
		counted++;
		if (get32(buf, 0) != JBD2_MAGIC || get32(buf, 8) != seq)
			break; /* the log's end */
		type = get32(buf, 4);
		if (type == JBD2_DESCRIPTOR_BLOCK) {
			long next = scan_descriptor(j, s, buf, pos, seq, &crc, &counted);

			if (next < -1)
				return (int)next;
			if (next < 0) {
				st->truncated = true;
				break;
			}
			pos = (uint32_t)next;
			continue;
		}
		if (type == JBD2_REVOKE_BLOCK) {
			ret = scan_revoke(j, s, buf, seq);
			if (ret < -1)
				return ret;
			if (ret < 0) {
				st->truncated = true;
				break;
			}
		} else if (type == JBD2_COMMIT_BLOCK) {
			if (!commit_ok(j, buf, crc)) {
				st->truncated = true;
				break;
			}
			good_tags = s->ntags;
			good_revs = s->nrevs;
			st->transactions++;
			st->last_tid = seq;
			seq++;
			crc = ~0u;
		} else {
			st->truncated = true; /* a block type this format does not have */
			break;
		}
		pos = next_pos(j, pos);
	}
	/* what follows the last good commit is not replayed */
	s->ntags = good_tags;
	s->nrevs = good_revs;
	j->tid = seq + 1; /* never the sequence of a partial transaction left in the log */
	return 0;
}

int journal_recover(struct journal *j, struct journal_replay *st, const char **why)
{
	struct scan s = {0};
	int ret;

	memset(st, 0, sizeof(*st));
	*why = NULL;
	if (!j->start)
		return 0;
	if (j->dev->read_only)
		return fail(why, "the journal needs recovery and the device is read-only",
			    -RV_EROFS);
	ret = scan_log(j, &s, st);
	if (ret < 0) {
		*why = ret == -RV_ENOMEM ? "no memory to scan the journal" : "cannot read the journal";
		goto out;
	}
	if (s.nrevs > 1)
		qsort(s.revs, s.nrevs, sizeof(*s.revs), rev_cmp);
	/* pass three: each logged block no later record revokes, in order */
	for (uint32_t i = 0; i < s.ntags; i++) {
		const struct jtag *t = &s.tags[i];
		struct bcache_block *b;

		if (revoked(&s, t->blk, t->seq)) {
			st->revoked++;
			continue;
		}
		ret = read_log(j, t->pos, j->stage);
		if (ret == 0)
			ret = bcache_get_overwrite(j->c, t->blk, &b);
		if (ret < 0) {
			*why = "cannot replay the journal (I/O error)";
			goto out;
		}
		copy_block(b->data, j->stage, j->bs);
		if (t->escaped)
			put32(b->data, 0, JBD2_MAGIC);
		bcache_dirty(j->c, b);
		bcache_put(j->c, b);
		st->blocks++;
	}
	ret = bcache_sync(j->c);
	if (ret == 0)
		ret = mark_log_empty(j);
	if (ret < 0)
		*why = "cannot write the replayed blocks";
out:
	free(s.tags);
	free(s.revs);
	return ret;
}

/* ---- transactions ---- */

/* The features this code writes, set on the superblock while the log is
 * empty: revoke records, and version 3 checksums when configured. */
static void set_features(struct journal *j)
{
	uint32_t incompat, compat;

	if (j->features_set)
		return;
	j->features_set = true;
	if (get32(j->sb, 4) != JBD2_SUPERBLOCK_V2)
		return; /* version 1: no feature fields, no checksums */
	incompat = get32(j->sb, JSB_FEATURE_INCOMPAT);
	compat = get32(j->sb, JSB_FEATURE_COMPAT) & ~(uint32_t)JBD2_FEATURE_COMPAT_CHECKSUM;
	incompat &= ~(uint32_t)(JBD2_FEATURE_INCOMPAT_CSUM_V2 | JBD2_FEATURE_INCOMPAT_CSUM_V3 |
				JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT);
	incompat |= JBD2_FEATURE_INCOMPAT_REVOKE;
#ifdef CONFIG_FS_JOURNAL_CHECKSUM
	incompat |= JBD2_FEATURE_INCOMPAT_CSUM_V3;
	j->sb[JSB_CHECKSUM_TYPE] = JBD2_CRC32C_CHKSUM;
#else
	j->sb[JSB_CHECKSUM_TYPE] = 0;
	put32(j->sb, JSB_CHECKSUM, 0);
#endif
	put32(j->sb, JSB_FEATURE_COMPAT, compat);
	put32(j->sb, JSB_FEATURE_INCOMPAT, incompat);
	set_format(j);
}

static int log_revokes(struct journal *j, const uint32_t *revoke, uint32_t nrevoke)
{
	uint32_t per = revokes_per_block(j), rec = j->wide ? 8 : 4;

	for (uint32_t i = 0; i < nrevoke;) {
		uint32_t n = nrevoke - i < per ? nrevoke - i : per, off = 16;
		uint8_t *b;
		int ret = stage_slot(j, &b);

		if (ret < 0)
			return ret;
		zero_block(b, j->bs);
		header(b, JBD2_REVOKE_BLOCK, j->tid);
		for (uint32_t k = 0; k < n; k++, off += rec)
			put32(b, j->wide ? off + 4 : off, revoke[i + k]);
		put32(b, HEADER_BYTES, off);
		if (j->csum)
			put32(b, j->bs - TAIL_BYTES, block_csum(j, b, j->bs - TAIL_BYTES));
		i += n;
	}
	return 0;
}

static bool must_escape(const void *data)
{
	return get32(data, 0) == JBD2_MAGIC;
}

/* A descriptor for meta[from, from + n), then the copies. */
static int log_group(struct journal *j, uint32_t from, uint32_t n)
{
	uint8_t *d, *b;
	uint32_t off = HEADER_BYTES;
	int ret = stage_slot(j, &d);

	if (ret < 0)
		return ret;
	zero_block(d, j->bs);
	header(d, JBD2_DESCRIPTOR_BLOCK, j->tid);
	for (uint32_t k = 0; k < n; k++) {
		const struct bcache_block *m = j->meta[from + k];
		bool esc = must_escape(m->data);
		uint32_t flags = (esc ? JBD2_FLAG_ESCAPE : 0) | (k ? JBD2_FLAG_SAME_UUID : 0) |
				 (k + 1 == n ? JBD2_FLAG_LAST_TAG : 0);

		put32(d, off, (uint32_t)m->blkno);
		if (j->csum3) {
			put32(d, off + 4, flags);
			put32(d, off + 12, data_csum(j, j->tid, m->data, esc));
		} else {
			put16(d, off + 6, (uint16_t)flags);
			if (j->csum)
				put16(d, off + 4, (uint16_t)data_csum(j, j->tid, m->data, esc));
		}
		off += j->tag_bytes;
		if (k == 0) {
			memcpy(d + off, j->sb + JSB_UUID, UUID_BYTES);
			off += UUID_BYTES;
		}
	}
	if (j->csum)
		put32(d, j->bs - TAIL_BYTES, block_csum(j, d, j->bs - TAIL_BYTES));
	for (uint32_t k = 0; k < n; k++) {
		const struct bcache_block *m = j->meta[from + k];

		ret = stage_slot(j, &b);
		if (ret < 0)
			return ret;
		copy_block(b, m->data, j->bs);
		if (must_escape(b))
			put32(b, 0, 0);
	}
	return 0;
}

static int write_commit(struct journal *j)
{
	uint64_t ns = j->now_ns ? j->now_ns() : 0;
	uint8_t *b;
	int ret = stage_slot(j, &b);

	if (ret < 0)
		return ret;
	zero_block(b, j->bs);
	header(b, JBD2_COMMIT_BLOCK, j->tid);
	put32(b, JCB_COMMIT_SEC, (uint32_t)((ns / 1000000000u) >> 32));
	put32(b, JCB_COMMIT_SEC + 4, (uint32_t)(ns / 1000000000u));
	put32(b, JCB_COMMIT_NSEC, (uint32_t)(ns % 1000000000u));
	if (j->csum)
		put32(b, JCB_CHKSUM, block_csum(j, b, JCB_CHKSUM));
	return stage_flush(j);
}

int journal_commit(struct journal *j, const uint32_t *revoke, uint32_t nrevoke)
{
	uint32_t n, tpd, need, at;
	int ret;

	if (j->dev->read_only)
		return -RV_EROFS;
	n = bcache_meta(j->c, j->meta, j->meta_cap);
	if (n == 0 && nrevoke == 0) {
		/* nothing to log: the file data, flushed */
		ret = bcache_write_dirty(j->c, BCACHE_DATA);
		return ret > 0 ? bcache_flush(j->c) : ret;
	}
	if (!j->start)
		set_features(j); /* the log is empty: the format may change */
	tpd = tags_per_desc(j);
	need = (n + tpd - 1) / tpd + n + (nrevoke + revokes_per_block(j) - 1) / revokes_per_block(j) + 1;
	if (need > j->capacity - j->used)
		return -RV_ENOSPC;
	/* ordered: the data the metadata points to goes first */
	ret = bcache_write_dirty(j->c, BCACHE_DATA);
	if (ret < 0)
		return ret;
	at = j->head;
	if (!j->start) {
		/* the log starts with this transaction */
		put32(j->sb, JSB_START, at);
		put32(j->sb, JSB_SEQUENCE, j->tid);
		ret = write_sb(j);
		if (ret < 0)
			return ret;
	}
	j->st_pos = at;
	j->st_n = 0;
	ret = log_revokes(j, revoke, nrevoke);
	for (uint32_t i = 0; i < n && ret == 0; i += tpd)
		ret = log_group(j, i, n - i < tpd ? n - i : tpd);
	if (ret == 0)
		ret = stage_flush(j);
	if (ret == 0)
		ret = bcache_flush(j->c);
	if (ret == 0)
		ret = write_commit(j);
	if (ret == 0)
		ret = bcache_flush(j->c);
	if (ret < 0)
		return ret; /* the metadata stays held back: the next commit logs it again */
	bcache_meta_committed(j->c);
	if (!j->start)
		j->start = at;
	j->head = j->st_pos;
	j->used += need;
	j->tid++;
	j->stats.commits++;
	j->stats.logged += n;
	j->stats.revokes += nrevoke;
	if (j->capacity - j->used < j->capacity / 2)
		return journal_checkpoint(j);
	return 0;
}

int journal_checkpoint(struct journal *j)
{
	int ret;

	if (j->dev->read_only)
		return -RV_EROFS;
	/* (with a transaction running, what it holds back stays where it is:
	 * a caller commits first, unless it gives up on protecting it) */
	ret = bcache_write_dirty(j->c, BCACHE_DATA | BCACHE_COMMITTED);
	if (ret > 0 || j->start)
		ret = bcache_flush(j->c);
	if (ret < 0 || !j->start)
		return ret;
	ret = mark_log_empty(j);
	if (ret < 0)
		return ret;
	j->stats.checkpoints++;
	return 0;
}
