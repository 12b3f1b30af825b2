/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client calls for a block driver (<rvos/blksvc.h>, doc/blk.md), on a
 * channel from rv_connect(CONFIG_VIRTIO_BLK_SERVICE, &ch). In librvos.
 *
 * Synchronous: blk_info, blk_buffer, blk_read, blk_write, blk_flush (one
 * request, wait for its reply). Several in flight: blk_submit up to
 * info.queue_depth requests, then blk_complete once per request: replies
 * come in the order the requests were sent, so the n-th blk_complete
 * answers the n-th blk_submit (an error reply carries no tag).
 *
 * Every call returns 0 or a negative rv errno: the driver's (EINVAL,
 * EROFS, EIO, ...), the channel's (EPEERCLOSED: the driver ended; connect
 * again, and blk_buffer again: the old buffer is no longer the device's),
 * or EBADMSG for a reply that breaks the protocol.
 */
#ifndef RVOS_BLK_H
#define RVOS_BLK_H

#include <stdint.h>
#include <rvos/blksvc.h>
#include <rvos/ipc.h>

/* BLK_OP_INFO. */
int blk_info(rv_handle_t ch, struct blk_info *out);

/*
 * BLK_OP_BUFFER: a data buffer of at least `size` bytes, made by the
 * driver, mapped read/write here: 0 with its address in *addr, its size
 * (whole pages) in *size_out and its shm handle in *shm (each may be NULL;
 * a NULL shm closes the handle, the mapping stays).
 */
int blk_buffer(rv_handle_t ch, uint32_t size, void **addr, uint64_t *size_out, rv_handle_t *shm);

/* count sectors from `sector` into / from the buffer at byte `offset`. */
int blk_read(rv_handle_t ch, uint64_t sector, uint32_t count, uint64_t offset);
int blk_write(rv_handle_t ch, uint64_t sector, uint32_t count, uint64_t offset);
/* Every write answered before is on stable storage. */
int blk_flush(rv_handle_t ch);

/*
 * Send one request without waiting: op BLK_OP_READ, BLK_OP_WRITE (sector,
 * count, offset as above) or BLK_OP_FLUSH (they are ignored). 0 when it is
 * queued; -RV_EAGAIN when the driver's queue is full (complete some first).
 */
int blk_submit(rv_handle_t ch, uint32_t op, uint64_t tag, uint64_t sector, uint32_t count,
	       uint64_t offset);

/*
 * The next reply, waiting until the absolute deadline (RV_DEADLINE_NEVER):
 * the request's status (0 or the driver's error), with its op in *op and,
 * on success, its tag in *tag (either may be NULL); or the channel's error
 * (-RV_ETIMEDOUT, -RV_EPEERCLOSED) or -RV_EBADMSG.
 */
int blk_complete(rv_handle_t ch, uint64_t deadline, uint32_t *op, uint64_t *tag);

#endif /* RVOS_BLK_H */
