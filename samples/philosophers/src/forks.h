/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fork server's protocol (service "forks"), in the wire codec
 * (<rvos/wire.h>). FORKS_SEATS seats around the table; fork f lies between
 * seat f and seat f + 1, so seat s eats with forks s and (s + 1) % SEATS.
 *
 *   FORKS_OP_SIT    -                -> u32 seat, u32 meals eaten there so far
 *                   The lowest free seat. ENOSPC: the table is full;
 *                   EBUSY: this channel already has a seat.
 *   FORKS_OP_TAKE   -                -> u32 meal (the seat's count, this one included)
 *                   Both forks at once: the reply comes when the server
 *                   hands them over, so the call blocks while a neighbour
 *                   eats. EPERM: no seat; EBUSY: holding them already.
 *   FORKS_OP_PUT    -                -> -
 *                   Both forks back. EPERM: not holding them.
 *   FORKS_OP_STATS  -                -> u32 seats, then per seat:
 *                                       u32 state, u32 meals, u32 lost
 *
 * Why it cannot deadlock: a philosopher gets both forks or none, so nobody
 * holds one fork while waiting for the other. Why nobody starves: the
 * server serves waiting philosophers oldest first, and the forks of one who
 * must wait are kept from younger ones, so a neighbour cannot eat twice
 * while he waits. A philosopher who dies holding forks loses them: his
 * channel closes and the server takes them back (and counts a "lost"
 * philosopher for the seat).
 */
#ifndef FORKS_H
#define FORKS_H

#include <stdint.h>
#include <rvos/user.h>
#include <rvos/wire.h>

#define FORKS_SERVICE "forks"
#define FORKS_SEATS 5

enum forks_op {
	FORKS_OP_SIT = 1,
	FORKS_OP_TAKE = 2,
	FORKS_OP_PUT = 3,
	FORKS_OP_STATS = 4,
};

enum forks_seat_state {
	SEAT_EMPTY = 0,
	SEAT_THINKING = 1, /* seated, holding no fork */
	SEAT_HUNGRY = 2,   /* waiting in FORKS_OP_TAKE */
	SEAT_EATING = 3,   /* holding both forks */
};

/*
 * A call to the fork server: op without fields; the reply's status, with r
 * positioned on its fields when 0 (they live in rbuf). Blocks as long as
 * the server takes (a TAKE waits for the forks).
 */
static inline int forks_call(rv_handle_t h, uint32_t op, struct wire_reader *r,
			     uint8_t rbuf[CONFIG_MSG_MAX_BYTES])
{
	uint8_t buf[WIRE_HEADER_SIZE];
	struct wire_writer w;
	struct rv_msg req, reply = {.bytes = rbuf, .num_bytes = CONFIG_MSG_MAX_BYTES};
	long ret;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, op);
	ret = wire_finish(&w, &req);
	if (ret == 0)
		ret = rv_channel_call(h, &req, &reply, RV_DEADLINE_NEVER);
	if (ret == 0)
		ret = wire_read_reply(r, &reply, op);
	return (int)ret;
}

#endif /* FORKS_H */
