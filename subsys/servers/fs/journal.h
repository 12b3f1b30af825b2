/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ext3/ext4 journal (JBD2's on-disk format) for the ext2 code: replay
 * at mount, transactions at commit, checkpoints. Pure C on the block cache
 * and its device, no system calls (tests/unit/ext2 runs it on the host).
 * doc/ext2.md, "The journal", says what is promised and how.
 */
#ifndef FS_JOURNAL_H
#define FS_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "vfs.h"

/* On-disk constants (big-endian fields; JBD2's names for the values). */
#define JBD2_MAGIC 0xC03B3998u
#define JBD2_DESCRIPTOR_BLOCK 1
#define JBD2_COMMIT_BLOCK 2
#define JBD2_SUPERBLOCK_V1 3
#define JBD2_SUPERBLOCK_V2 4
#define JBD2_REVOKE_BLOCK 5

#define JBD2_FLAG_ESCAPE 1    /* the block's first word was the magic: zeroed in the log */
#define JBD2_FLAG_SAME_UUID 2 /* no UUID follows this tag */
#define JBD2_FLAG_DELETED 4
#define JBD2_FLAG_LAST_TAG 8

#define JBD2_FEATURE_COMPAT_CHECKSUM 0x1 /* crc32 of a transaction in its commit block */
#define JBD2_FEATURE_INCOMPAT_REVOKE 0x1
#define JBD2_FEATURE_INCOMPAT_64BIT 0x2
#define JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT 0x4
#define JBD2_FEATURE_INCOMPAT_CSUM_V2 0x8
#define JBD2_FEATURE_INCOMPAT_CSUM_V3 0x10
#define JBD2_FEATURE_INCOMPAT_FAST_COMMIT 0x20

#define JBD2_CRC32_CHKSUM 1
#define JBD2_CRC32C_CHKSUM 4 /* s_checksum_type with CSUM_V2/V3 */

/* Offsets in the journal superblock (1,024 bytes at journal block 0). */
#define JSB_BLOCKSIZE 0x0c
#define JSB_MAXLEN 0x10
#define JSB_FIRST 0x14
#define JSB_SEQUENCE 0x18
#define JSB_START 0x1c
#define JSB_ERRNO 0x20
#define JSB_FEATURE_COMPAT 0x24
#define JSB_FEATURE_INCOMPAT 0x28
#define JSB_FEATURE_RO_COMPAT 0x2c
#define JSB_UUID 0x30
#define JSB_NR_USERS 0x40
#define JSB_CHECKSUM_TYPE 0x50
#define JSB_NUM_FC_BLOCKS 0x54
#define JSB_CHECKSUM 0xfc
#define JSB_SIZE 1024

/* Commit block: after the 12-byte header. */
#define JCB_CHKSUM_TYPE 0x0c
#define JCB_CHKSUM_SIZE 0x0d
#define JCB_CHKSUM 0x10
#define JCB_COMMIT_SEC 0x30
#define JCB_COMMIT_NSEC 0x38

struct journal;

/* What a replay did (journal_recover). */
struct journal_replay {
	uint32_t transactions; /* committed transactions replayed */
	uint32_t blocks;       /* blocks written to the file system */
	uint32_t revoked;      /* logged blocks skipped: revoked later */
	uint32_t first_tid, last_tid;
	bool truncated;        /* the log ended at a damaged block, not at its natural end */
};

/* The journal whose superblock is map[0]: map[i] is the file-system
 * block holding journal block i (i < nmap: the journal inode's blocks in
 * order); fs_blocks bounds the blocks a replay may write. now_ns (may be
 * NULL) stamps commit blocks. Checks the superblock: -EUCLEAN a damaged
 * one, -ENOTSUP a feature this code cannot handle, named on *why. */
int journal_load(struct journal **out, struct bcache *c, const uint32_t *map, uint32_t nmap,
		 uint32_t fs_blocks, uint64_t (*now_ns)(void), const char **why);
void journal_free(struct journal *j);

/* Does the log hold transactions (s_start != 0)? */
bool journal_needs_recovery(const struct journal *j);
/* Replay every committed transaction (revoked blocks skipped), through
 * the cache, then flush and mark the log empty. The log ends at the first
 * block that is not the next one of the sequence (wrong magic, type or
 * sequence), or whose checksum fails: a transaction without a good
 * commit block is never replayed. -EUCLEAN a block number past the file
 * system in a committed transaction (nothing written), -EIO. */
int journal_recover(struct journal *j, struct journal_replay *st, const char **why);

/* Commit the running transaction: every buffer the cache holds as dirty
 * metadata, and the revoke records given (metadata blocks freed since the
 * last commit). Ordered mode: file data first, then the log blocks, a
 * flush, the commit block, a flush; the metadata may then go to its place
 * any time (a checkpoint). When the log is more than half full
 * afterwards, a checkpoint empties it. -ENOSPC: the transaction does not
 * fit in the log (the caller writes in place instead, unprotected). */
int journal_commit(struct journal *j, const uint32_t *revoke, uint32_t nrevoke);
/* Everything the log protects written in place, flushed, and the log
 * marked empty (s_start 0): a file system a host can check without a
 * replay. */
int journal_checkpoint(struct journal *j);
/* The most metadata blocks one transaction should hold: the file system
 * commits at the end of an operation once it holds this many. */
uint32_t journal_max_transaction(const struct journal *j);
/* Blocks in the log, and the next transaction's sequence number. */
uint32_t journal_blocks(const struct journal *j);
uint32_t journal_sequence(const struct journal *j);
/* Commits, checkpoints and blocks logged since the mount. */
struct journal_stats {
	uint64_t commits, checkpoints, logged, revokes;
};
void journal_get_stats(const struct journal *j, struct journal_stats *out);

/* crc32c (Castagnoli) as JBD2 uses it: no inversion at either end. */
uint32_t journal_crc32c(uint32_t crc, const void *p, size_t n);

#endif /* FS_JOURNAL_H */
