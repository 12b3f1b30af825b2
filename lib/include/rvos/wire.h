/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The wire codec: typed messages over channels, for RPC between services.
 * doc/wire.md is the full description; this is the layout, exactly.
 *
 * A message is a header and then fields, packed, little-endian, with no
 * alignment anywhere (readers assemble every value byte by byte):
 *
 *   offset 0  u32  op      request: the operation, 0..0x7fffffff;
 *                          reply:   the request's op | WIRE_REPLY (bit 31)
 *   offset 4  i32  status  request: 0;
 *                          reply:   0 (success) or a negative rv errno;
 *                          an error reply (status < 0) has no fields
 *   offset 8  fields, back to back, each a 1-byte tag then its body:
 *
 *   tag                 body                               field size
 *   WIRE_T_U32    0x01  u32                                5
 *   WIRE_T_U64    0x02  u64                                9
 *   WIRE_T_I64    0x03  i64 (two's complement)             9
 *   WIRE_T_STR    0x04  u32 n, then n bytes, none of them  5 + n
 *                       NUL (no terminator on the wire)
 *   WIRE_T_BYTES  0x05  u32 n, then n bytes                5 + n
 *   WIRE_T_HANDLE 0x06  u8 index into the message's        2
 *                       handle array
 *
 * Handle fields name the handles in order: the k-th handle field of a
 * message carries index k, and a message carries exactly as many handles as
 * it has handle fields. Any other tag, a field cut short, a length past the
 * end, a handle index out of order or out of range, a NUL in a string, or a
 * byte left over after the last field makes the message malformed:
 * -RV_EBADMSG.
 *
 * Both halves keep a sticky error: after the first failure every later call
 * returns the same error and changes nothing, so a handler can encode or
 * decode several fields and check once (wire_finish, wire_end).
 *
 * Depends only on <stdint.h>, <stddef.h>, <rvos/errno.h> and <rvos/ipc.h>
 * (no system calls), so it builds for rvOS programs and for host tests.
 */
#ifndef RVOS_WIRE_H
#define RVOS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <rvos/errno.h>
#include <rvos/ipc.h>

#define WIRE_REPLY 0x80000000u /* op bit 31: this message is a reply */
#define WIRE_OP_MAX 0x7fffffffu

/* Field tags. */
#define WIRE_T_U32 0x01
#define WIRE_T_U64 0x02
#define WIRE_T_I64 0x03
#define WIRE_T_STR 0x04
#define WIRE_T_BYTES 0x05
#define WIRE_T_HANDLE 0x06

/* Bytes on the wire, to size buffers and check them at compile time
 * (e.g. _Static_assert(WIRE_HEADER_SIZE + WIRE_STR_SIZE(32) <= CONFIG_MSG_MAX_BYTES)). */
#define WIRE_HEADER_SIZE 8u
#define WIRE_U32_SIZE 5u
#define WIRE_U64_SIZE 9u
#define WIRE_I64_SIZE 9u
#define WIRE_STR_SIZE(n) (5u + (uint32_t)(n))
#define WIRE_BYTES_SIZE(n) (5u + (uint32_t)(n))
#define WIRE_HANDLE_SIZE 2u
#define WIRE_MAX_HANDLES 256u /* an index is one byte */

/* ---- encoding ---- */

struct wire_writer {
	uint8_t *bytes;        /* the caller's buffer */
	uint32_t cap;          /* its size */
	uint32_t len;          /* bytes written so far (header included) */
	rv_handle_t *handles;  /* the caller's handle array */
	uint32_t handles_cap;  /* its size */
	uint32_t num_handles;  /* handles added so far */
	int32_t status;        /* the header's status: < 0 forbids fields */
	int err;               /* sticky: 0, -RV_EMSGSIZE or -RV_EINVAL */
};

/*
 * Start a request for operation op (<= WIRE_OP_MAX) in bytes[0..cap) with
 * room for handles_cap handles (handles may be NULL when handles_cap is 0).
 * Errors are sticky and reported by wire_finish: -RV_EMSGSIZE when cap is
 * below WIRE_HEADER_SIZE, -RV_EINVAL when op has bit 31 set or bytes is
 * NULL.
 */
void wire_init_request(struct wire_writer *w, void *bytes, uint32_t cap, rv_handle_t *handles,
		       uint32_t handles_cap, uint32_t op);

/*
 * Start the reply to a request for op, with status 0 (fields may follow) or
 * a negative rv errno (no fields: a wire_put_* is then -RV_EINVAL). A
 * positive status, or op with bit 31 set, is -RV_EINVAL.
 */
void wire_init_reply(struct wire_writer *w, void *bytes, uint32_t cap, rv_handle_t *handles,
		     uint32_t handles_cap, uint32_t op, int status);

/*
 * Append one field. No return value: a field that does not fit sets the
 * sticky error -RV_EMSGSIZE (bytes, or handles, or a handle index above
 * 255); a string holding a NUL, a NULL pointer with a non-zero length, a
 * handle with no handle array, or a field in an error reply sets -RV_EINVAL.
 * Nothing is written once the error is set.
 */
void wire_put_u32(struct wire_writer *w, uint32_t v);
void wire_put_u64(struct wire_writer *w, uint64_t v);
void wire_put_i64(struct wire_writer *w, int64_t v);
void wire_put_str(struct wire_writer *w, const char *s); /* NUL-terminated; NUL not sent */
void wire_put_strn(struct wire_writer *w, const char *s, uint32_t len);
void wire_put_bytes(struct wire_writer *w, const void *p, uint32_t len);
/* h is stored in the handle array: sending the message moves it (doc/ipc.md). */
void wire_put_handle(struct wire_writer *w, rv_handle_t h);

/*
 * End the message. On success fills msg (bytes, num_bytes, handles,
 * num_handles) ready for rv_channel_write/rv_channel_call and returns 0;
 * otherwise returns the sticky error and leaves msg alone.
 */
int wire_finish(struct wire_writer *w, struct rv_msg *msg);

/*
 * A header-only reply: op's reply with status (0 or a negative rv errno)
 * in bytes[0..cap), described by msg. The usual way for a server to refuse
 * a request. 0, or -RV_EMSGSIZE (cap < WIRE_HEADER_SIZE) or -RV_EINVAL.
 */
int wire_status_reply(struct rv_msg *msg, void *bytes, uint32_t cap, uint32_t op, int status);

/* ---- decoding ---- */

struct wire_reader {
	const uint8_t *bytes;       /* the received message, read in place */
	uint32_t len;               /* its size */
	uint32_t pos;               /* next byte to read; always <= len */
	const rv_handle_t *handles; /* its handles */
	uint32_t num_handles;
	uint32_t handles_used;      /* handle fields read so far */
	uint32_t op;                /* the header's op without WIRE_REPLY */
	int32_t status;             /* the header's status */
	int err;                    /* sticky: 0 or -RV_EBADMSG */
};

/*
 * Start decoding a received request (msg->num_bytes and num_handles as
 * channel_read left them). 0 with r->op set, or -RV_EBADMSG: shorter than
 * the header, a reply, or a status other than 0.
 */
int wire_read_request(struct wire_reader *r, const struct rv_msg *msg);

/*
 * Start decoding the reply to a request for op. Returns -RV_EBADMSG when
 * the message is malformed (shorter than the header, not a reply to op, a
 * positive status, fields after a negative status; r->err is set), else the
 * reply's status: 0 (its fields follow) or the server's negative error
 * (r->err stays 0, and wire_end(r) is 0).
 */
int wire_read_reply(struct wire_reader *r, const struct rv_msg *msg, uint32_t op);

/*
 * Take the next field, which must have the given type. Each returns 0 or
 * the sticky error (-RV_EBADMSG); on any error the outputs are zeroed (NULL,
 * 0, RV_HANDLE_INVALID) so they are safe to carry until the single check.
 *
 * Strings and byte runs are returned in place: a pointer into the message
 * and a length, valid as long as the message buffer is. A string is NOT
 * NUL-terminated in the buffer: use its length. wire_get_str also refuses a
 * string longer than max_len bytes.
 */
int wire_get_u32(struct wire_reader *r, uint32_t *v);
int wire_get_u64(struct wire_reader *r, uint64_t *v);
int wire_get_i64(struct wire_reader *r, int64_t *v);
int wire_get_str(struct wire_reader *r, const char **s, uint32_t *len, uint32_t max_len);
int wire_get_bytes(struct wire_reader *r, const void **p, uint32_t *len);
int wire_get_handle(struct wire_reader *r, rv_handle_t *h);

/* The tag of the next field (WIRE_T_*), 0 at the end, the sticky error,
 * or -RV_EBADMSG for an unknown tag (not sticky: this only looks). It does
 * not check the field's body. For optional trailing fields. */
int wire_next_type(const struct wire_reader *r);

/*
 * The single check after the last field: 0 when every byte and every
 * handle was consumed, else the sticky error or -RV_EBADMSG (bytes or
 * handles left over). On an error the caller still owns, and should close,
 * every handle of the message (msg->handles[0..num_handles)), decoded or not.
 */
int wire_end(struct wire_reader *r);

#endif /* RVOS_WIRE_H */
