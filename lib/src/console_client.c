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
	uint8_t out[CONFIG_MSG_MAX_BYTES];
	uint8_t in[CONFIG_MSG_MAX_BYTES];
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

long console_write(rv_handle_t con, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		uint32_t n = len - done < CONSOLE_DATA_MAX ? (uint32_t)(len - done) : CONSOLE_DATA_MAX;
		uint32_t written;
		int ret;

		start(CONSOLE_OP_WRITE);
		wire_put_bytes(&c.w, p + done, n);
		ret = finish(con, CONSOLE_OP_WRITE);
		if (ret == 0 && (wire_get_u32(&c.r, &written) < 0 || wire_end(&c.r) < 0 ||
				 written != n))
			ret = -RV_EBADMSG;
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
