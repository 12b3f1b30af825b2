/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A program that pets its watchdog (init armed it: watchdog=1000): 30
 * times, 100 ms apart, with rv_watchdog_pet; then it arms it itself with
 * another timeout, pets it keeping that, disarms it, and sleeps past it. It must never fire
 * (init would say the program "was ended by its watchdog"). Without
 * CONFIG_WATCHDOG the call is ENOSYS.
 */
#include <stdio.h>
#include <rvos/user.h>
#include "check.h"

#define MS 1000000ull

int main(void)
{
	long r = rv_watchdog_pet();

	if (r == -RV_ENOSYS) {
		printf("wd_quiet: the kernel has no watchdog: %s\n", rv_strerror((int)r));
		return 0;
	}
	CHECK_EQ("pet", r, 0);
	for (int i = 0; i < 29; i++) {
		rv_sleep_ns(100 * MS);
		CHECK_EQ("pet", rv_watchdog_pet(), 0);
	}
	printf("wd_quiet: 30 pets 100 ms apart, timeout 1000 ms: never fired\n");
	/* its own timeout, longer than the sleep; then KEEP keeps it */
	CHECK_EQ("arm 1500", rv_watchdog(RV_HANDLE_SELF, 1500), 0);
	rv_sleep_ns(600 * MS);
	CHECK_EQ("pet, keeping 1500", rv_watchdog_pet(), 0);
	rv_sleep_ns(600 * MS);
	/* disarmed: sleeping past any timeout is fine */
	CHECK_EQ("disarm", rv_watchdog(RV_HANDLE_SELF, 0), 0);
	rv_sleep_ns(1600 * MS);
	CHECK_EQ("disarm twice", rv_watchdog(RV_HANDLE_SELF, 0), 0);
	return check_report("wd_quiet");
}
