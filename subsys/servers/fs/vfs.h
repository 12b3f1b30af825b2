/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file server's inside: the interface every file system (ext2.c,
 * tmpfs.c) gives the namespace and protocol layer (fs.c, vfs.c), and the
 * block cache (bcache.c) that disk file systems sit on. Nothing here makes
 * a system call, so ext2, tmpfs and the cache also build on the host for
 * tests/unit/ext2 (images made by mke2fs, checked by e2fsck and debugfs).
 *
 * Conventions: every call returns 0 (or a count) or a negative RV_E* code
 * from <rvos/errno.h>. A name is (pointer, length), not NUL-terminated,
 * 1..FS_NAME_MAX bytes, without '/' or NUL (the caller has checked); "."
 * and ".." are looked up like any name (".." of a file system's root is
 * the root). Modes and types are <rvos/fssvc.h>'s FS_S_IF* values.
 * Corruption found on the device is -RV_EUCLEAN, never a crash, a hang or
 * a write outside the file system.
 */
#ifndef FS_VFS_H
#define FS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rvos/errno.h>
#include <rvos/fssvc.h>

typedef uint64_t vfs_ino_t;

struct vfs_fs;

/* readdir hands out entries one by one: return 0 to go on, 1 to stop
 * (the entry was NOT taken: it comes first at the next call). */
typedef int (*vfs_emit_fn)(void *ctx, vfs_ino_t ino, unsigned int type, const char *name,
			   size_t len);

struct vfs_ops {
	const char *type; /* "ext2", "tmpfs" */
	/* The root directory's inode number. */
	vfs_ino_t (*root)(struct vfs_fs *fs);
	int (*lookup)(struct vfs_fs *fs, vfs_ino_t dir, const char *name, size_t len,
		      vfs_ino_t *out);
	int (*getattr)(struct vfs_fs *fs, vfs_ino_t ino, struct fs_stat *st);
	/* Bytes read (0 at or past the end of file); holes read as zeros. */
	long (*read)(struct vfs_fs *fs, vfs_ino_t ino, uint64_t off, void *buf, size_t len);
	/* Bytes written (all of len, or -ENOSPC/-EFBIG with nothing written
	 * past what fitted: a short count when some fitted). Grows the file. */
	long (*write)(struct vfs_fs *fs, vfs_ino_t ino, uint64_t off, const void *buf, size_t len);
	int (*truncate)(struct vfs_fs *fs, vfs_ino_t ino, uint64_t size);
	/* A new regular file (FS_S_IFREG) or directory (FS_S_IFDIR) | permission
	 * bits; -EEXIST if the name is taken. */
	int (*create)(struct vfs_fs *fs, vfs_ino_t dir, const char *name, size_t len, uint32_t mode,
		      vfs_ino_t *out);
	int (*symlink)(struct vfs_fs *fs, vfs_ino_t dir, const char *name, size_t len,
		       const char *target, size_t target_len, vfs_ino_t *out);
	/* The target's length; at most size bytes copied (no NUL). */
	long (*readlink)(struct vfs_fs *fs, vfs_ino_t ino, char *buf, size_t size);
	/* A hard link to a non-directory. */
	int (*link)(struct vfs_fs *fs, vfs_ino_t dir, const char *name, size_t len, vfs_ino_t ino);
	/* Remove an entry: rmdir true wants an empty directory (-ENOTDIR,
	 * -ENOTEMPTY), false a non-directory (-EISDIR). The inode goes when its
	 * last link and last reference (vfs_ops.ref) are gone. */
	int (*unlink)(struct vfs_fs *fs, vfs_ino_t dir, const char *name, size_t len, bool rmdir);
	/* POSIX rename: replaces an existing target atomically (a directory
	 * only by an empty directory); -EINVAL moving a directory below itself. */
	int (*rename)(struct vfs_fs *fs, vfs_ino_t from_dir, const char *from, size_t from_len,
		      vfs_ino_t to_dir, const char *to, size_t to_len);
	/* Entries from *cookie on (0: the start; "." and ".." first); *cookie
	 * moves past each entry taken. Returns 0 at the end or when emit
	 * stopped. */
	int (*readdir)(struct vfs_fs *fs, vfs_ino_t dir, uint64_t *cookie, vfs_emit_fn emit,
		       void *ctx);
	/* Write back ino's dirty data and metadata (ino 0: everything) and
	 * flush the device. */
	int (*sync)(struct vfs_fs *fs, vfs_ino_t ino, bool data_only);
	/* Write everything back as sync(0) does, then forget what is cached
	 * of the device (clean blocks, inodes), so the next reads come from
	 * it; on a write-back error return it and forget nothing. */
	int (*drop_caches)(struct vfs_fs *fs);
	int (*statfs)(struct vfs_fs *fs, struct fs_statfs *out);
	/* An open connection holds the inode: ref when opened, unref when
	 * closed; an unlinked inode is freed at its last unref. */
	void (*ref)(struct vfs_fs *fs, vfs_ino_t ino);
	void (*unref)(struct vfs_fs *fs, vfs_ino_t ino);
	/* Write everything back; the fs is gone afterwards. */
	int (*unmount)(struct vfs_fs *fs);
};

/* A mounted file system. Each implementation embeds it first in its own
 * state. */
struct vfs_fs {
	const struct vfs_ops *ops;
	bool read_only;            /* writes: -EROFS */
	uint64_t (*now_ns)(void);  /* timestamps: ns since the epoch */
};

/* ---- block devices and the block cache ---- */

/* A device in 512-byte sectors. The server's is a client of the block
 * protocol (rvos/blksvc.h); the host tests' is a file. */
struct blkdev {
	int (*read)(struct blkdev *d, uint64_t sector, uint32_t count, void *buf);
	int (*write)(struct blkdev *d, uint64_t sector, uint32_t count, const void *buf);
	int (*flush)(struct blkdev *d);
	uint64_t sectors;
	bool read_only;
	uint32_t max_sectors; /* sectors one read or write may move; 0: no limit */
};

/* A write-back cache of fixed-size blocks over a blkdev, in memory the
 * caller gives (the server gives its DMA buffer, so the device reads into
 * the cache directly). Least recently used clean blocks are evicted; a
 * dirty block is written back before its buffer is reused. */
struct bcache;

struct bcache_block {
	uint64_t blkno;
	void *data; /* block_size bytes */
};

/* mem must hold bcache_mem_size(block_size, nblocks) bytes. */
size_t bcache_mem_size(uint32_t block_size, uint32_t nblocks);
int bcache_init(struct bcache **out, struct blkdev *dev, uint32_t block_size, uint32_t nblocks,
		void *mem, size_t mem_bytes);
/* The block, read from the device unless cached; held until put. -EIO,
 * -EINVAL past the device's end, -ENOMEM every buffer held. */
int bcache_get(struct bcache *c, uint64_t blkno, struct bcache_block **out);
/* The same without reading (the caller overwrites all of it): zeroed. */
int bcache_get_new(struct bcache *c, uint64_t blkno, struct bcache_block **out);
/* The same not even zeroed: the caller writes every byte of it before
 * its put (a whole block of file data). */
int bcache_get_overwrite(struct bcache *c, uint64_t blkno, struct bcache_block **out);
void bcache_dirty(struct bcache *c, struct bcache_block *b);
/* Dirty metadata: not written back before the next bcache_sync (unless
 * every other buffer is held), so the device keeps the state of the last
 * sync; file data (bcache_dirty) may go out any time. */
void bcache_dirty_meta(struct bcache *c, struct bcache_block *b);
/* Buffers holding dirty metadata, and all buffers: a file system syncs
 * at a consistent point before the first fills the second. */
uint32_t bcache_pinned(struct bcache *c);
uint32_t bcache_nblocks(struct bcache *c);
void bcache_put(struct bcache *c, struct bcache_block *b);
/* Write back every dirty block (in block order), then flush the device. */
int bcache_sync(struct bcache *c);
/* What bcache_write_dirty writes: file data (bcache_dirty), metadata a
 * journal has committed (bcache_meta_committed), held-back metadata. */
#define BCACHE_DATA 1u
#define BCACHE_COMMITTED 2u
#define BCACHE_HELD 4u
/* Write back the dirty blocks of those kinds (in block order, runs in one
 * request each), without a flush: the number written, or an error. */
int bcache_write_dirty(struct bcache *c, unsigned int kinds);
/* Flush the device's write cache: -EROFS on a read-only device. */
int bcache_flush(struct bcache *c);
/* For a journal: the buffers holding held-back metadata (at most max),
 * and all of them made committed (they may go out any time from then on,
 * and are no longer held back). */
uint32_t bcache_meta(struct bcache *c, struct bcache_block **out, uint32_t max);
void bcache_meta_committed(struct bcache *c);
/* Take n buffers in a row out of the cache for good (at most half of
 * those left): *mem is n blocks of the cache's memory (device memory for
 * the server) the caller may use as it likes; bcache_nblocks counts them
 * no more. -ENOMEM n free buffers in a row are not there. */
int bcache_reserve(struct bcache *c, uint32_t n, void **mem);
/* The block when it is cached (held until put, as bcache_get), else
 * -ENOENT and nothing read: one search where bcache_cached and then
 * bcache_get make two. */
int bcache_get_cached(struct bcache *c, uint64_t blkno, struct bcache_block **out);
/* Is blkno in the cache (a get would not read)? */
bool bcache_cached(struct bcache *c, uint64_t blkno);
/* Read blkno.. up to count blocks (fewer: to the first cached one, a
 * request's limit) into free buffers with one device request; nothing
 * when they are not there. Returns the blocks read. A run of blocks is
 * one read or write of up to CONFIG_FS_IO_RUN_KIB (and max_sectors) into
 * consecutive buffers of the cache's memory. */
int bcache_readahead(struct bcache *c, uint64_t blkno, uint32_t count);
/* Blocks one run may hold: CONFIG_FS_IO_RUN_KIB, the device's
 * max_sectors and a quarter of the cache, at least 1 (how far a reader
 * reads ahead). */
uint32_t bcache_run_max(struct bcache *c);
/* Write back every dirty block (as bcache_sync), then forget every
 * block nobody holds, so the next gets read the device (FS_OP_DROP_CACHES,
 * the uncached benchmarks). A write-back error is returned and nothing is
 * forgotten. */
int bcache_drop(struct bcache *c);
struct blkdev *bcache_dev(struct bcache *c);
uint32_t bcache_block_size(struct bcache *c);

/* ---- the file systems ---- */

/* Mount the ext2 (revision 1) file system on c's device (c's block size
 * must be the file system's: ext2_probe_block_size tells it). -EUCLEAN a
 * bad superblock or group descriptors, -ENOTSUP a feature it cannot
 * handle (it names it on out_why). */
int ext2_probe_block_size(struct blkdev *dev, uint32_t *block_size);
int ext2_mount(struct vfs_fs **out, struct bcache *c, bool read_only, uint64_t (*now_ns)(void),
	       const char **out_why);

/* A file system in RAM of at most max_bytes of file data and max_inodes
 * inodes (heap memory). */
int tmpfs_mount(struct vfs_fs **out, uint64_t max_bytes, uint32_t max_inodes,
		uint64_t (*now_ns)(void));

#endif /* FS_VFS_H */
