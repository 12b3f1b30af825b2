/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The deadlock scenario's main program: waits until wd_pong registers
 * "wd_done" (wd_ping was restarted and the two answered each other), at
 * most 30 s; its exit status is the verdict.
 */
#include <stdio.h>
#include <rvos/service.h>
#include <rvos/user.h>

int main(void)
{
	rv_handle_t c;
	int r = rv_connect_wait("wd_done", &c, rv_clock_ns() + 30 * 1000000000ull);

	if (r < 0) {
		printf("wd_main: wd_done did not register: %s\n", rv_strerror(r));
		return 1;
	}
	printf("wd_main: the deadlock was broken, wd_ping and wd_pong answered each other\n");
	return 0;
}
