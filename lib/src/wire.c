/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The wire codec (layout in <rvos/wire.h> and doc/wire.md).
 *
 * The reader trusts nothing in the message: every length is compared with
 * what is left (len - pos, which cannot wrap because pos <= len always), never
 * added to pos before it is known to fit, so a u32 length near 2^32 is just
 * "too long". Values are assembled byte by byte: the buffer may have any
 * alignment.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <rvos/errno.h>
#include <rvos/ipc.h>
#include <rvos/wire.h>

#define LEN_SIZE 4u /* the u32 length of a string or byte run */

static void store_le(uint8_t *p, uint64_t v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t load_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* ---- encoding ---- */

/* reply: 0 for a request, WIRE_REPLY for a reply. */
static void writer_init(struct wire_writer *w, void *bytes, uint32_t cap, rv_handle_t *handles,
			uint32_t handles_cap, uint32_t op, uint32_t reply, int status)
{
	w->bytes = bytes;
	w->cap = cap;
	w->len = 0;
	w->handles = handles;
	w->handles_cap = handles_cap;
	w->num_handles = 0;
	w->status = status;
	w->err = 0;

	if (op > WIRE_OP_MAX || status > 0 || (bytes == NULL && cap != 0)) {
		w->err = -RV_EINVAL;
		return;
	}
	if (cap < WIRE_HEADER_SIZE) {
		w->err = -RV_EMSGSIZE;
		return;
	}
	store_le(w->bytes, op | reply, 4);
	store_le(w->bytes + 4, (uint32_t)status, 4);
	w->len = WIRE_HEADER_SIZE;
}

void wire_init_request(struct wire_writer *w, void *bytes, uint32_t cap, rv_handle_t *handles,
		       uint32_t handles_cap, uint32_t op)
{
	writer_init(w, bytes, cap, handles, handles_cap, op, 0, 0);
}

void wire_init_reply(struct wire_writer *w, void *bytes, uint32_t cap, rv_handle_t *handles,
		     uint32_t handles_cap, uint32_t op, int status)
{
	writer_init(w, bytes, cap, handles, handles_cap, op, WIRE_REPLY, status);
}

/*
 * Room for a field of size bytes (tag included), or NULL with the sticky
 * error set. size is at most 5 + 2^32 - 1 in a uint64_t: no wrap.
 */
static uint8_t *reserve(struct wire_writer *w, uint8_t tag, uint64_t size)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (w->status < 0) {
		w->err = -RV_EINVAL; /* an error reply is the header alone */
		return NULL;
	}
	if (size > w->cap - w->len) {
		w->err = -RV_EMSGSIZE;
		return NULL;
	}
	p = w->bytes + w->len;
	p[0] = tag;
	w->len += (uint32_t)size;
	return p + 1;
}

void wire_put_u32(struct wire_writer *w, uint32_t v)
{
	uint8_t *p = reserve(w, WIRE_T_U32, WIRE_U32_SIZE);

	if (p)
		store_le(p, v, 4);
}

void wire_put_u64(struct wire_writer *w, uint64_t v)
{
	uint8_t *p = reserve(w, WIRE_T_U64, WIRE_U64_SIZE);

	if (p)
		store_le(p, v, 8);
}

void wire_put_i64(struct wire_writer *w, int64_t v)
{
	uint8_t *p = reserve(w, WIRE_T_I64, WIRE_I64_SIZE);

	if (p)
		store_le(p, (uint64_t)v, 8);
}

/* A string or a byte run: tag, u32 length, the bytes. */
static void put_run(struct wire_writer *w, uint8_t tag, const void *src, uint32_t len)
{
	uint8_t *p = reserve(w, tag, 1 + (uint64_t)LEN_SIZE + len);

	if (!p)
		return;
	store_le(p, len, LEN_SIZE);
	if (len)	/* src may be NULL for an empty run; memcpy wants a pointer */
		memcpy(p + LEN_SIZE, src, len);
}

void wire_put_str(struct wire_writer *w, const char *s)
{
	size_t n;

	if (w->err)
		return;
	if (s == NULL) {
		w->err = -RV_EINVAL;
		return;
	}
	n = strlen(s);
	if (n > UINT32_MAX) {
		w->err = -RV_EMSGSIZE;
		return;
	}
	put_run(w, WIRE_T_STR, s, (uint32_t)n);
}

void wire_put_strn(struct wire_writer *w, const char *s, uint32_t len)
{
	if (w->err)
		return;
	if (len && (s == NULL || memchr(s, 0, len) != NULL)) {
		w->err = -RV_EINVAL; /* the reader would refuse it */
		return;
	}
	put_run(w, WIRE_T_STR, s, len);
}

void wire_put_bytes(struct wire_writer *w, const void *p, uint32_t len)
{
	if (w->err)
		return;
	if (len && p == NULL) {
		w->err = -RV_EINVAL;
		return;
	}
	put_run(w, WIRE_T_BYTES, p, len);
}

void wire_put_handle(struct wire_writer *w, rv_handle_t h)
{
	uint8_t *p;

	if (w->err)
		return;
	if (w->num_handles >= w->handles_cap || w->num_handles >= WIRE_MAX_HANDLES) {
		w->err = -RV_EMSGSIZE;
		return;
	}
	if (w->handles == NULL) {
		w->err = -RV_EINVAL;
		return;
	}
	p = reserve(w, WIRE_T_HANDLE, WIRE_HANDLE_SIZE);
	if (!p)
		return;
	p[0] = (uint8_t)w->num_handles;
	w->handles[w->num_handles++] = h;
}

int wire_finish(struct wire_writer *w, struct rv_msg *msg)
{
	if (w->err)
		return w->err;
	msg->bytes = w->bytes;
	msg->num_bytes = w->len;
	msg->handles = w->num_handles ? w->handles : NULL;
	msg->num_handles = w->num_handles;
	return 0;
}

int wire_status_reply(struct rv_msg *msg, void *bytes, uint32_t cap, uint32_t op, int status)
{
	struct wire_writer w;

	wire_init_reply(&w, bytes, cap, NULL, 0, op, status);
	return wire_finish(&w, msg);
}

/* ---- decoding ---- */

static int fail(struct wire_reader *r)
{
	r->err = -RV_EBADMSG;
	return r->err;
}

/*
 * The header, for both kinds: 0 (a request) or 1 (a reply) with op and
 * status read, or the sticky error. A view that is not even a header reads
 * as empty from then on: len and num_handles are cut to 0.
 */
static int reader_init(struct wire_reader *r, const struct rv_msg *msg)
{
	uint32_t op;

	r->bytes = msg->bytes;
	r->len = msg->num_bytes;
	r->pos = 0;
	r->handles = msg->handles;
	r->num_handles = msg->num_handles;
	r->handles_used = 0;
	r->op = 0;
	r->status = 0;
	r->err = 0;

	if (r->len < WIRE_HEADER_SIZE || r->bytes == NULL ||
	    (r->num_handles != 0 && r->handles == NULL)) {
		r->len = 0;
		r->num_handles = 0;
		return fail(r);
	}
	op = (uint32_t)load_le(r->bytes, 4);
	r->op = op & WIRE_OP_MAX;
	r->status = (int32_t)(uint32_t)load_le(r->bytes + 4, 4);
	r->pos = WIRE_HEADER_SIZE;
	return (op & WIRE_REPLY) ? 1 : 0;
}

int wire_read_request(struct wire_reader *r, const struct rv_msg *msg)
{
	int kind = reader_init(r, msg);

	if (kind < 0)
		return kind;
	if (kind != 0 || r->status != 0)
		return fail(r);
	return 0;
}

int wire_read_reply(struct wire_reader *r, const struct rv_msg *msg, uint32_t op)
{
	int kind = reader_init(r, msg);

	if (kind < 0)
		return kind;
	if (kind != 1 || r->op != op || r->status > 0)
		return fail(r);
	if (r->status < 0 && (r->len != WIRE_HEADER_SIZE || r->num_handles != 0))
		return fail(r);
	return r->status;
}

/*
 * Step over the tag of the next field, which must be tag, and make sure
 * body more bytes follow it. The body's start, or NULL with the sticky error.
 */
static const uint8_t *take(struct wire_reader *r, uint8_t tag, uint32_t body)
{
	const uint8_t *p;

	if (r->err)
		return NULL;
	if (r->len - r->pos < 1 || r->bytes[r->pos] != tag ||
	    r->len - r->pos - 1 < body) {
		fail(r);
		return NULL;
	}
	p = r->bytes + r->pos + 1;
	r->pos += 1 + body;
	return p;
}

int wire_get_u32(struct wire_reader *r, uint32_t *v)
{
	const uint8_t *p = take(r, WIRE_T_U32, 4);

	*v = p ? (uint32_t)load_le(p, 4) : 0;
	return r->err;
}

int wire_get_u64(struct wire_reader *r, uint64_t *v)
{
	const uint8_t *p = take(r, WIRE_T_U64, 8);

	*v = p ? load_le(p, 8) : 0;
	return r->err;
}

int wire_get_i64(struct wire_reader *r, int64_t *v)
{
	const uint8_t *p = take(r, WIRE_T_I64, 8);

	/* Two's complement back from u64: a conversion gcc defines as modulo 2^64. */
	*v = p ? (int64_t)load_le(p, 8) : 0;
	return r->err;
}

/* A string or byte run: its bytes in place and its length, or NULL. */
static const uint8_t *take_run(struct wire_reader *r, uint8_t tag, uint32_t *len)
{
	uint32_t save = r->pos;
	const uint8_t *p = take(r, tag, LEN_SIZE);
	uint32_t n;

	*len = 0;
	if (!p)
		return NULL;
	n = (uint32_t)load_le(p, LEN_SIZE);
	if (n > r->len - r->pos) {	/* compared with what is left: no wrap */
		r->pos = save;
		fail(r);
		return NULL;
	}
	p += LEN_SIZE;
	r->pos += n;
	*len = n;
	return p;
}

int wire_get_str(struct wire_reader *r, const char **s, uint32_t *len, uint32_t max_len)
{
	uint32_t save = r->pos;
	const uint8_t *p = take_run(r, WIRE_T_STR, len);

	*s = NULL;
	if (!p)
		return r->err;
	if (*len > max_len || (*len && memchr(p, 0, *len) != NULL)) {
		r->pos = save;
		*len = 0;
		return fail(r);
	}
	*s = (const char *)p;
	return 0;
}

int wire_get_bytes(struct wire_reader *r, const void **out, uint32_t *len)
{
	const uint8_t *p = take_run(r, WIRE_T_BYTES, len);

	*out = p;
	return r->err;
}

int wire_get_handle(struct wire_reader *r, rv_handle_t *h)
{
	uint32_t save = r->pos;
	const uint8_t *p = take(r, WIRE_T_HANDLE, 1);

	*h = RV_HANDLE_INVALID;
	if (!p)
		return r->err;
	/* In order, so no handle is claimed twice and wire_end sees the rest. */
	if (p[0] != r->handles_used || r->handles_used >= r->num_handles) {
		r->pos = save;
		return fail(r);
	}
	*h = r->handles[r->handles_used++];
	return 0;
}

int wire_next_type(const struct wire_reader *r)
{
	if (r->err)
		return r->err;
	if (r->pos == r->len)
		return 0;
	if (r->bytes[r->pos] < WIRE_T_U32 || r->bytes[r->pos] > WIRE_T_HANDLE)
		return -RV_EBADMSG; /* a 0 tag must not read as the end */
	return r->bytes[r->pos];
}

int wire_end(struct wire_reader *r)
{
	if (r->err)
		return r->err;
	if (r->pos != r->len || r->handles_used != r->num_handles)
		return fail(r);
	return 0;
}
