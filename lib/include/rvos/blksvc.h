/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The block protocol: what a block driver (subsys/servers/virtio_blk) serves
 * to its client, the file server. doc/blk.md ("The block driver" of
 * doc/files.md) is the full description; <rvos/blk.h> has client calls.
 *
 * A driver registers as CONFIG_VIRTIO_BLK_SERVICE ("blk0") with
 * SVC_REG_RESTRICTED: only processes whose manifest entry says
 * uses=blk0 may connect. All messages use the wire codec (rvos/wire.h).
 *
 * Data never travels in message bytes. A client first asks for its data
 * buffer (BLK_OP_BUFFER): a DMA region the driver allocated, which both
 * map; READ and WRITE then name sectors and a byte offset in that buffer.
 * The device reads and writes the buffer directly (no copy in the driver).
 * Sectors are BLK_SECTOR_SIZE (512) bytes whatever the device's block size.
 *
 *   BLK_OP_INFO    -                          -> u64 sectors, u32 sector_size,
 *                                                u32 flags (BLK_F_*),
 *                                                u32 max_sectors (per request),
 *                                                u32 queue_depth
 *   BLK_OP_BUFFER  u32 size (bytes, > 0)       -> handle shm (READ|WRITE|MAP|
 *                                                TRANSFER), u64 size (rounded
 *                                                up to pages)
 *   BLK_OP_READ    u64 tag, u64 sector, u32 count, u64 offset
 *                                             -> u64 tag
 *   BLK_OP_WRITE   u64 tag, u64 sector, u32 count, u64 offset
 *                                             -> u64 tag
 *   BLK_OP_FLUSH   u64 tag                    -> u64 tag
 *
 * READ/WRITE/FLUSH may be sent back to back without waiting (channel_write,
 * up to queue_depth of them not yet answered per client); each is answered
 * when the device completes it, with the request's tag. Replies to one
 * client come in the order its requests were sent (the device may finish
 * them in another order; the driver holds the later replies), so an error
 * reply, which is the header alone (the wire rule), answers the oldest
 * request not yet answered. Two exceptions are answered at once, ahead of
 * that order: EAGAIN (past queue_depth) and EBADMSG (malformed). INFO and
 * BUFFER are answered at once too: send them with nothing in flight.
 * queue_depth is at most the kernel's CONFIG_CHANNEL_QUEUE_DEPTH, so every
 * reply fits in the client's queue if it reads its replies; a client that
 * lets more than that pile up unread loses the ones that do not fit.
 *
 * Requests in flight together may run in any order: two WRITEs of the same
 * sector leave either's data, a READ beside a WRITE of its sectors sees
 * the old or the new; wait for the first reply (or put a FLUSH between)
 * when the order matters.
 *
 * A FLUSH is answered after every write answered before it reached the
 * device is on stable storage; the driver does not reorder writes across a
 * flush (it waits for the writes at the device before sending the flush,
 * and holds writes that arrive after a flush until the flush completes).
 * On a device without a volatile cache (no BLK_F_FLUSH) it is answered
 * once the writes before it are done.
 *
 * Errors: EINVAL a sector range past the end (sector + count > sectors),
 * count 0 or above max_sectors, or offset + count * sector_size past the
 * buffer (and any READ/WRITE before BUFFER), a BUFFER of 0 bytes or above
 * the kernel's CONFIG_DMA_MAX_BYTES; EEXIST a second BUFFER; EROFS
 * WRITE to a read-only device; EIO the device reported an error; EAGAIN
 * more than queue_depth requests not yet answered; EBUSY the driver's
 * client table is full; EBADMSG malformed; ENOSYS another op; ENOMEM or
 * ENFILE no DMA memory or region for BUFFER.
 *
 * When the driver ends (it is restarted by init), clients see EPEERCLOSED:
 * requests not answered may or may not have reached the disk. Connect
 * again and ask for a new BUFFER; the old one is no longer the device's.
 */
#ifndef RVOS_BLKSVC_H
#define RVOS_BLKSVC_H

#include <stdint.h>

#define BLK_SECTOR_SIZE 512

enum blk_op {
	BLK_OP_INFO = 1,
	BLK_OP_BUFFER = 2,
	BLK_OP_READ = 3,
	BLK_OP_WRITE = 4,
	BLK_OP_FLUSH = 5,
	/* With CONFIG_VIRTIO_BLK_TEST_OPS only: a READ the driver does not
	 * range-check, so the device's own error comes back (EIO). */
	BLK_OP_TEST_READ_UNCHECKED = 0x7f01,
};

#define BLK_F_READ_ONLY (1u << 0) /* writes are refused with EROFS */
#define BLK_F_FLUSH (1u << 1)     /* the device has a volatile cache: FLUSH matters */

struct blk_info {
	uint64_t sectors;
	uint32_t sector_size;
	uint32_t flags;
	uint32_t max_sectors;
	uint32_t queue_depth;
};

#endif /* RVOS_BLKSVC_H */
