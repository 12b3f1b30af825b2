/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Disk mounts: a struct blkdev over the block protocol (rvos/blksvc.h,
 * rvos/blk.h, doc/blk.md) and the ext2 mount on it.
 *
 * The block cache lives in the driver's DMA buffer (BLK_OP_BUFFER): a
 * cache block is read and written by the device where it sits, with no
 * copy in between. The buffer ends with a bounce area for transfers into
 * memory outside the cache (the superblock probe). If the driver goes away
 * (EPEERCLOSED), the server connects again once and asks for a new buffer
 * the size of the bounce area: the cache stays where it is (the old
 * region is still mapped here) and its transfers go through the bounce
 * area from then on.
 */
#include <stdio.h>
#include <string.h>
#include <rvos/blk.h>
#include <rvos/copy.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "vfs_internal.h"

#define SECTOR 512u
#define BOUNCE_BYTES 16384u
#define CACHE_BYTES ((size_t)CONFIG_FS_BLOCK_CACHE_KIB * 1024)
#define MIN_BLOCK 1024u

struct disk {
	struct blkdev dev; /* first: a blkdev * is a disk * */
	char service[VFS_SERVICE_MAX + 1];
	rv_handle_t ch;
	uint8_t *base;       /* the DMA buffer the device reads and writes */
	uint64_t size;
	uint8_t *cache;      /* the cache's memory (in the first buffer) */
	size_t cache_bytes;
	uint64_t bounce;     /* offset of the bounce area in base */
	uint32_t max_sectors;
	bool cache_direct;   /* the cache is in the current buffer */
};

static struct disk disks[VFS_MAX_MOUNTS];
static uint32_t ndisks;

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int open_device(struct disk *k, uint64_t want, uint64_t deadline)
{
	struct blk_info info;
	void *addr;
	uint64_t got;
	int ret;

	ret = rv_connect_wait(k->service, &k->ch, deadline);
	if (ret < 0)
		return ret;
	ret = blk_info(k->ch, &info);
	if (ret == 0 && info.sector_size != SECTOR)
		ret = -RV_ENOTSUP;
	if (ret == 0)
		ret = blk_buffer(k->ch, (uint32_t)want, &addr, &got, NULL);
	if (ret < 0) {
		rv_handle_close(k->ch);
		k->ch = RV_HANDLE_INVALID;
		return ret;
	}
	k->dev.sectors = info.sectors;
	k->dev.read_only = info.flags & BLK_F_READ_ONLY;
	k->max_sectors = info.max_sectors ? info.max_sectors : 1;
	k->base = addr;
	k->size = got;
	return 0;
}

/* The driver went away: a new connection and a buffer for bouncing. */
static int reconnect(struct disk *k)
{
	rv_handle_close(k->ch);
	k->ch = RV_HANDLE_INVALID;
	printf("fs: block service %s went away: connecting again\n", k->service);
	if (open_device(k, BOUNCE_BYTES, rv_clock_ns() + 2000000000ull) < 0)
		return -RV_EIO;
	k->bounce = 0;
	k->cache_direct = false;
	return 0;
}

static int one(struct disk *k, bool write, uint64_t sector, uint32_t n, uint64_t off)
{
	return write ? blk_write(k->ch, sector, n, off) : blk_read(k->ch, sector, n, off);
}

static int xfer(struct disk *k, bool write, uint64_t sector, uint32_t count, uint8_t *p)
{
	bool retried = false;

	if (k->ch == RV_HANDLE_INVALID && reconnect(k) < 0)
		return -RV_EIO;
	while (count) {
		uint32_t n = count < k->max_sectors ? count : k->max_sectors;
		bool direct = k->cache_direct && p >= k->base && p + (size_t)n * SECTOR <=
								     k->base + k->bounce;
		int ret;

		if (!direct && n > BOUNCE_BYTES / SECTOR)
			n = BOUNCE_BYTES / SECTOR;
		if (direct) {
			ret = one(k, write, sector, n, (uint64_t)(p - k->base));
		} else {
			if (write)
				rv_copy(k->base + k->bounce, p, (size_t)n * SECTOR);
			ret = one(k, write, sector, n, k->bounce);
			if (ret == 0 && !write)
				rv_copy(p, k->base + k->bounce, (size_t)n * SECTOR);
		}
		if (ret == -RV_EPEERCLOSED && !retried) {
			retried = true;
			if (reconnect(k) < 0)
				return -RV_EIO;
			continue;
		}
		if (ret < 0)
			return ret == -RV_EPEERCLOSED ? -RV_EIO : ret;
		sector += n;
		count -= n;
		p += (size_t)n * SECTOR;
	}
	return 0;
}

static int disk_read(struct blkdev *d, uint64_t sector, uint32_t count, void *buf)
{
	return xfer((struct disk *)d, false, sector, count, buf);
}

static int disk_write(struct blkdev *d, uint64_t sector, uint32_t count, const void *buf)
{
	return xfer((struct disk *)d, true, sector, count, (uint8_t *)buf);
}

static int disk_flush(struct blkdev *d)
{
	struct disk *k = (struct disk *)d;
	int ret;

	if (k->ch == RV_HANDLE_INVALID && reconnect(k) < 0)
		return -RV_EIO;
	ret = blk_flush(k->ch);
	if (ret == -RV_EPEERCLOSED && reconnect(k) == 0)
		ret = blk_flush(k->ch);
	return ret == -RV_EPEERCLOSED ? -RV_EIO : ret;
}

static uint64_t now_ns(void)
{
	return rv_clock_ns();
}

static int mount_ext2(struct disk *k, bool ro, struct vfs_fs **out)
{
	/* The cache's room at the smallest block size, the most buffers:
	 * any block size fits in it. */
	size_t room = align_up(bcache_mem_size(MIN_BLOCK, (uint32_t)(CACHE_BYTES / MIN_BLOCK)),
			       SECTOR);
	struct bcache *cache;
	uint32_t bs, nblocks;
	const char *why = NULL;
	int ret;

	ret = open_device(k, room + BOUNCE_BYTES, rv_clock_ns() + 2000000000ull);
	if (ret < 0)
		return ret;
	k->bounce = room;
	k->cache = k->base;
	k->cache_direct = true;
	k->dev.read = disk_read;
	k->dev.write = disk_write;
	k->dev.flush = disk_flush;
	ret = ext2_probe_block_size(&k->dev, &bs);
	if (ret < 0) {
		printf("fs: %s: no ext2 file system (%s)\n", k->service, rv_strerror(ret));
		return ret;
	}
	nblocks = (uint32_t)(CACHE_BYTES / bs);
	if (nblocks < 4)
		nblocks = 4;
	k->cache_bytes = bcache_mem_size(bs, nblocks);
	if (k->cache_bytes > room)
		return -RV_ENOMEM;
	ret = bcache_init(&cache, &k->dev, bs, nblocks, k->cache, k->cache_bytes);
	if (ret < 0)
		return ret;
	ret = ext2_mount(out, cache, ro || k->dev.read_only, now_ns, &why);
	if (ret < 0) {
		printf("fs: %s: ext2: %s\n", k->service, why ? why : rv_strerror(ret));
		return ret;
	}
	return 0;
}

int fs_mount_disk(const char *type, const char *service, bool ro, struct vfs_fs **out)
{
	struct disk *k;
	int ret;

	if (strcmp(type, "ext2"))
		return -RV_ENOTSUP;
	if (!service[0])
		return -RV_EINVAL;
	if (ndisks == VFS_MAX_MOUNTS)
		return -RV_ENOMEM;
	k = &disks[ndisks];
	memset(k, 0, sizeof(*k));
	k->ch = RV_HANDLE_INVALID;
	strcpy(k->service, service);
	ret = mount_ext2(k, ro, out);
	if (ret < 0) {
		if (k->ch != RV_HANDLE_INVALID)
			rv_handle_close(k->ch);
		if (k->base)
			rv_shm_unmap(k->base);
		return ret;
	}
	ndisks++;
	return 0;
}
