/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A chain of channels, each end waiting in the queue of the previous one:
 * closing the head frees them all at once. With CONFIG_MAX_CHANNELS large
 * the chain is long: freeing it must not need kernel stack in proportion
 * (a recursive release would overflow the kernel stack).
 */
#include <stdlib.h>
#include "../../common/ipc_test.h"

int main(void)
{
	struct rv_kstats base, ks;
	rv_handle_t head, prev_w, c[2];
	uint8_t x = 1;
	long n = 0, limit, r = 0;

	rv_kstats(&base);
	limit = (long)(base.channels_max - base.channels_used);
	if (limit > CONFIG_MAX_CHANNELS_PER_PROC)
		limit = CONFIG_MAX_CHANNELS_PER_PROC;
	if (!CHECK_EQ("channel_create", rv_channel_create(c), 0))
		return check_report("leak_chain");
	head = c[0];   /* its queue gets the next link */
	prev_w = c[1]; /* writes into head's queue */
	n = 1;
	while (n < limit) {
		struct rv_msg m;

		if ((r = rv_channel_create(c)) != 0)
			break;
		/* the new channel's c[0] waits in the previous link's queue */
		m = msg_of(&x, 1, &c[0], 1);
		r = rv_channel_write(prev_w, &m, 0, 0);
		rv_handle_close(prev_w);
		prev_w = c[1];
		n++;
		if (r != 0)
			break;
	}
	CHECK_EQ("every link made", r, 0);
	rv_kstats(&ks);
	printf("leak_chain: %ld channels in a chain (%lu in use)\n", n,
	       (unsigned long)ks.channels_used);
	CHECK_EQ("channels in use", ks.channels_used, base.channels_used + n);
	rv_handle_close(prev_w);
	printf("leak_chain: closing the head\n");
	CHECK_EQ("close the head", rv_handle_close(head), 0);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("chain", &base, &ks);
	printf("leak_chain: the whole chain went with its head\n");
	return check_report("leak_chain");
}
