/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The deadlock scenarios' main program: waits until "wd_done" registers
 * (wd_pong: wd_ping was restarted and the two answered each other; wd_c:
 * its wait ended), at most 30 s; its exit status is the verdict.
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
	printf("wd_main: the deadlock was broken (wd_done registered)\n");
	return 0;
}
