/* SPDX-License-Identifier: Apache-2.0 */
/* Client calls of a block driver (<rvos/blk.h>, <rvos/blksvc.h>, doc/blk.md). */
#include <string.h>
#include <rvos/blk.h>
#include <rvos/service.h>
#include <rvos/user.h>

typedef rv_handle_t handle_buf[CONFIG_MSG_MAX_HANDLES + 1];

#define IO_REQ_BYTES (WIRE_HEADER_SIZE + 3 * WIRE_U64_SIZE + WIRE_U32_SIZE)

static void close_all(const rv_handle_t *hs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		rv_handle_close(hs[i]);
}

/* A reply's end: every field read, or -RV_EBADMSG with its handles closed. */
static int finish(struct wire_reader *r, struct rv_msg *reply)
{
	if (wire_end(r) == 0)
		return 0;
	close_all(reply->handles, reply->num_handles);
	return -RV_EBADMSG;
}

int blk_info(rv_handle_t ch, struct blk_info *out)
{
	uint8_t buf[WIRE_HEADER_SIZE], rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	struct blk_info in;
	int ret;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, BLK_OP_INFO);
	ret = rv_service_call(ch, &w, &r, BLK_OP_INFO, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	wire_get_u64(&r, &in.sectors);
	wire_get_u32(&r, &in.sector_size);
	wire_get_u32(&r, &in.flags);
	wire_get_u32(&r, &in.max_sectors);
	wire_get_u32(&r, &in.queue_depth);
	ret = finish(&r, &reply);
	if (ret == 0 && out)
		*out = in;
	return ret;
}

int blk_buffer(rv_handle_t ch, uint32_t size, void **addr, uint64_t *size_out, rv_handle_t *shm)
{
	uint8_t buf[WIRE_HEADER_SIZE + WIRE_U32_SIZE], rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	rv_handle_t h;
	uint64_t got;
	long mapped;
	int ret;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, BLK_OP_BUFFER);
	wire_put_u32(&w, size);
	ret = rv_service_call(ch, &w, &r, BLK_OP_BUFFER, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	wire_get_handle(&r, &h);
	wire_get_u64(&r, &got);
	ret = finish(&r, &reply);
	if (ret < 0)
		return ret;
	if (got < size) {
		rv_handle_close(h);
		return -RV_EBADMSG;
	}
	if (addr) {
		mapped = rv_shm_map(h, 1);
		if (mapped < 0) {
			rv_handle_close(h);
			return (int)mapped;
		}
		*addr = (void *)mapped;
	}
	if (size_out)
		*size_out = got;
	if (shm)
		*shm = h;
	else
		rv_handle_close(h);
	return 0;
}

static void put_io(struct wire_writer *w, void *buf, uint32_t op, uint64_t tag, uint64_t sector,
		   uint32_t count, uint64_t offset)
{
	wire_init_request(w, buf, IO_REQ_BYTES, NULL, 0, op);
	wire_put_u64(w, tag);
	if (op != BLK_OP_FLUSH) {
		wire_put_u64(w, sector);
		wire_put_u32(w, count);
		wire_put_u64(w, offset);
	}
}

/* One READ, WRITE or FLUSH, waited for. */
static int io_call(rv_handle_t ch, uint32_t op, uint64_t sector, uint32_t count, uint64_t offset)
{
	uint8_t buf[IO_REQ_BYTES], rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	uint64_t tag;
	int ret;

	put_io(&w, buf, op, 0, sector, count, offset);
	ret = rv_service_call(ch, &w, &r, op, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	wire_get_u64(&r, &tag);
	ret = finish(&r, &reply);
	return ret == 0 && tag != 0 ? -RV_EBADMSG : ret;
}

int blk_read(rv_handle_t ch, uint64_t sector, uint32_t count, uint64_t offset)
{
	return io_call(ch, BLK_OP_READ, sector, count, offset);
}

int blk_write(rv_handle_t ch, uint64_t sector, uint32_t count, uint64_t offset)
{
	return io_call(ch, BLK_OP_WRITE, sector, count, offset);
}

int blk_flush(rv_handle_t ch)
{
	return io_call(ch, BLK_OP_FLUSH, 0, 0, 0);
}

int blk_submit(rv_handle_t ch, uint32_t op, uint64_t tag, uint64_t sector, uint32_t count,
	       uint64_t offset)
{
	uint8_t buf[IO_REQ_BYTES];
	struct wire_writer w;
	struct rv_msg msg;
	int ret;

	if (op != BLK_OP_READ && op != BLK_OP_WRITE && op != BLK_OP_FLUSH)
		return -RV_EINVAL;
	put_io(&w, buf, op, tag, sector, count, offset);
	ret = wire_finish(&w, &msg);
	if (ret < 0)
		return ret;
	return (int)rv_channel_write(ch, &msg, RV_IPC_NONBLOCK, 0);
}

int blk_complete(rv_handle_t ch, uint64_t deadline, uint32_t *op, uint64_t *tag)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct rv_msg msg = {.bytes = rbuf, .num_bytes = sizeof(rbuf), .handles = rhs,
			     .num_handles = CONFIG_MSG_MAX_HANDLES};
	struct wire_reader r;
	uint32_t rop;
	uint64_t t = 0;
	long ret;

	ret = rv_channel_read(ch, &msg, 0, deadline);
	if (ret < 0)
		return (int)ret;
	if (msg.num_bytes < WIRE_HEADER_SIZE) {
		close_all(msg.handles, msg.num_handles);
		return -RV_EBADMSG;
	}
	memcpy(&rop, rbuf, sizeof(rop));
	rop &= ~WIRE_REPLY; /* whatever op it answers: the caller knows what it sent */
	ret = wire_read_reply(&r, &msg, rop);
	if (ret < 0) {
		close_all(msg.handles, msg.num_handles);
		if (op && ret != -RV_EBADMSG)
			*op = rop;
		return (int)ret;
	}
	wire_get_u64(&r, &t);
	ret = finish(&r, &msg);
	if (ret < 0)
		return (int)ret;
	if (op)
		*op = rop;
	if (tag)
		*tag = t;
	return 0;
}
