/* SPDX-License-Identifier: Apache-2.0 */
/* Client calls of the console service (rvos/console.h, doc/console.md). */
#include <string.h>
#include <rvos/console.h>
#include <rvos/service.h>
#include <rvos/user.h>

_Static_assert(CONFIG_MSG_MAX_BYTES > 8 + 5, "a console message needs room for data");

/* One request with at most one field built by the caller; the reply's
 * buffers are static (one thread per process). */
struct call {
	uint8_t out[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
	uint8_t in[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
	rv_handle_t hs[CONFIG_MSG_MAX_HANDLES + 1];
	rv_handle_t rhs[CONFIG_MSG_MAX_HANDLES + 1];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
};
static struct call c;

static void start(uint32_t op)
{
	wire_init_request(&c.w, c.out, sizeof(c.out), c.hs, CONFIG_MSG_MAX_HANDLES, op);
}

/* Send; on success the reply's fields are in c.r. */
static int finish(rv_handle_t con, uint32_t op)
{
	return rv_service_call(con, &c.w, &c.r, op, c.in, c.rhs, &c.reply);
}

static int finish_status_only(rv_handle_t con, uint32_t op)
{
	int ret = finish(con, op);

	if (ret == 0 && wire_end(&c.r) < 0)
		ret = -RV_EBADMSG;
	return ret;
}

/* (rvOS is little-endian, as the wire is) */
typedef uint32_t __attribute__((may_alias)) u32_alias;

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* WRITE's reply for n bytes through the decoder: 0, or the error
 * console_write gives (rv_service_call's and its checks). */
static __attribute__((noinline)) long write_reply_decode(const struct rv_msg *rep, uint32_t n)
{
	uint32_t written;
	long ret;

	ret = wire_read_reply(&c.r, rep, CONSOLE_OP_WRITE);
	if (ret < 0) {
		for (uint32_t i = 0; i < rep->num_handles; i++)
			rv_handle_close(rep->handles[i]);
		return ret;
	}
	if (wire_get_u32(&c.r, &written) < 0 || wire_end(&c.r) < 0 || written != n)
		return -RV_EBADMSG;
	return 0;
}

/* The same: the expected reply, whole (op | WIRE_REPLY, status 0, a u32
 * n, no handle), is taken at a glance; any other goes to the decoder. */
static inline long write_reply(const struct rv_msg *rep, uint32_t n)
{
	const uint8_t *in = rep->bytes;

	/* (c.in is aligned: its header read by words) */
	if (rep->num_bytes == WIRE_HEADER_SIZE + WIRE_U32_SIZE && !rep->num_handles &&
	    ((const u32_alias *)in)[0] == (CONSOLE_OP_WRITE | WIRE_REPLY) &&
	    ((const u32_alias *)in)[1] == 0 &&
	    ((const u32_alias *)in)[2] == (WIRE_T_U32 | n << 8) && in[12] == (uint8_t)(n >> 24))
		return 0;
	return write_reply_decode(rep, n);
}

/* One WRITE of the n bytes after m's header room: n or an error. */
static __attribute__((noinline)) long write_piece(rv_handle_t con, uint8_t *m, uint32_t n)
{
	/* The same structs every call: the kernel's call record keeps their
	 * translations (doc/ipc.md, the call fast path). */
	static struct rv_msg req, rep;
	long ret;

	/* What wire_init_request and wire_put_bytes would write (the header
	 * by words when it is aligned: stdio's is). */
	if ((uintptr_t)m & 3) {
		put_le32(m, CONSOLE_OP_WRITE);
		put_le32(m + 4, 0);
		m[8] = WIRE_T_BYTES;
		put_le32(m + 9, n);
	} else {
		((u32_alias *)m)[0] = CONSOLE_OP_WRITE;
		((u32_alias *)m)[1] = 0;
		((u32_alias *)m)[2] = WIRE_T_BYTES | n << 8; /* the field's type, n */
		m[12] = (uint8_t)(n >> 24);
	}
	req.bytes = m;
	req.num_bytes = CONSOLE_WRITE_ROOM + n;
	rep.bytes = c.in;
	rep.num_bytes = sizeof(c.in);
	rep.handles = c.rhs;
	rep.num_handles = CONFIG_MSG_MAX_HANDLES;
	ret = rv_channel_call(con, &req, &rep, RV_DEADLINE_NEVER);
	if (ret)
		return ret;
	ret = write_reply(&rep, n);
	return ret ? ret : (long)n;
}

/* console_write_room of more than a piece. */
static __attribute__((noinline)) long write_pieces(rv_handle_t con, uint8_t *p, size_t len)
{
	size_t done = 0;

	while (done < len) {
		/* A piece that leaves more ends 8-aligned: the next request
		 * starts where the first did, mod 8. */
		uint32_t n = len - done <= CONSOLE_DATA_MAX ? (uint32_t)(len - done) :
							      CONSOLE_DATA_MAX & ~7u;
		long ret = write_piece(con, p + done - CONSOLE_WRITE_ROOM, n);

		if (ret < 0)
			return done ? (long)done : ret;
		done += n;
	}
	return (long)done;
}

long console_write_room(rv_handle_t con, void *buf, size_t len)
{
	/* One piece (a line, a buffer of stdio's): the piece's answer is
	 * the call's (tail calls both, no frame here) */
	if (len && len <= CONSOLE_DATA_MAX)
		return write_piece(con, (uint8_t *)buf - CONSOLE_WRITE_ROOM, (uint32_t)len);
	return write_pieces(con, buf, len);
}

long console_write(rv_handle_t con, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t done = 0;

	/* Each piece copied after the header's room in c.out, which is
	 * aligned: then it is a WRITE in place. */
	while (done < len) {
		uint32_t n = len - done < CONSOLE_DATA_MAX ? (uint32_t)(len - done) : CONSOLE_DATA_MAX;
		long ret;

		memcpy(c.out + CONSOLE_WRITE_ROOM, p + done, n);
		ret = write_piece(con, c.out, n);
		if (ret < 0)
			return done ? (long)done : ret;
		done += n;
	}
	return (long)done;
}

long console_read(rv_handle_t con, void *buf, size_t max)
{
	const void *data;
	uint32_t len;
	int ret;

	if (max == 0)
		return 0;
	start(CONSOLE_OP_READ);
	wire_put_u32(&c.w, max > CONSOLE_DATA_MAX ? CONSOLE_DATA_MAX : (uint32_t)max);
	ret = finish(con, CONSOLE_OP_READ);
	if (ret < 0)
		return ret;
	if (wire_get_bytes(&c.r, &data, &len) < 0 || wire_end(&c.r) < 0 || len > max)
		return -RV_EBADMSG;
	memcpy(buf, data, len);
	return len;
}

int console_set_mode(rv_handle_t con, enum console_mode mode)
{
	start(CONSOLE_OP_SET_MODE);
	wire_put_u32(&c.w, (uint32_t)mode);
	return finish_status_only(con, CONSOLE_OP_SET_MODE);
}

int console_foreground(rv_handle_t con, rv_handle_t process)
{
	start(CONSOLE_OP_FOREGROUND);
	wire_put_handle(&c.w, process);
	return finish_status_only(con, CONSOLE_OP_FOREGROUND);
}

int console_background(rv_handle_t con)
{
	start(CONSOLE_OP_BACKGROUND);
	return finish_status_only(con, CONSOLE_OP_BACKGROUND);
}

int console_stats(rv_handle_t con, struct console_stats *out)
{
	int ret;

	start(CONSOLE_OP_STATS);
	ret = finish(con, CONSOLE_OP_STATS);
	if (ret == 0 && (wire_get_u64(&c.r, &out->received) < 0 ||
			 wire_get_u64(&c.r, &out->lost_overrun) < 0 ||
			 wire_get_u64(&c.r, &out->lost_line) < 0 || wire_end(&c.r) < 0))
		ret = -RV_EBADMSG;
	return ret;
}

static rv_handle_t stdio_con = RV_HANDLE_INVALID;
static int stdio_tried;

rv_handle_t console_handle(void)
{
	/* Once: a program without a console service (or not started by
	 * init) keeps the kernel's debug console for good. */
	if (!stdio_tried) {
		stdio_tried = 1;
#ifdef CONFIG_USER_STDIO_CONSOLE
		if (rv_connect(CONSOLE_SERVICE_NAME, &stdio_con) < 0)
			stdio_con = RV_HANDLE_INVALID;
#endif
	}
	return stdio_con;
}

rv_handle_t console_reconnect(void)
{
	rv_handle_t old = stdio_con;

	stdio_con = RV_HANDLE_INVALID;
	if (old == RV_HANDLE_INVALID)
		return RV_HANDLE_INVALID;
	rv_handle_close(old);
	if (rv_connect_wait(CONSOLE_SERVICE_NAME, &stdio_con,
			    rv_clock_ns() + (uint64_t)CONFIG_USER_STDIO_RECONNECT_MS * 1000000u) < 0)
		stdio_con = RV_HANDLE_INVALID;
	return stdio_con;
}
