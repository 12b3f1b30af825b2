/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The wall clock: the board's real-time clock, read on every request (the
 * clock system call's RV_CLOCK_REALTIME). Reading the device each time,
 * rather than once at boot plus the timer, keeps the date right when the
 * timer is not real time (QEMU's -icount warps it while the hart idles).
 */
#include <stdbool.h>
#include <rvos/errno.h>
#include <kernel/printk.h>
#include <kernel/rtc.h>

#define NS_PER_SEC 1000000000ull
#define SECS_PER_DAY 86400u

static uint64_t (*rtc_read)(void);
static const char *rtc_name;

static bool is_leap(unsigned int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Print the UTC date of secs since 1970: once, at boot, so it counts
 * whole years and months rather than being clever. */
static void print_date(const char *name, uint64_t secs)
{
	static const unsigned char month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	uint64_t days = secs / SECS_PER_DAY;
	unsigned int rest = (unsigned int)(secs % SECS_PER_DAY);
	unsigned int year = 1970, month = 0;

	while (days >= (is_leap(year) ? 366u : 365u))
		days -= is_leap(year++) ? 366u : 365u;
	for (;;) {
		unsigned int len = month_days[month] + (month == 1 && is_leap(year));

		if (days < len)
			break;
		days -= len;
		month++;
	}
	printk("rtc: %s, %04u-%02u-%02u %02u:%02u:%02u UTC\n", name, year, month + 1,
	       (unsigned int)days + 1, rest / 3600, rest / 60 % 60, rest % 60);
}

void rtc_register(uint64_t (*read_ns)(void), const char *name)
{
	rtc_read = read_ns;
	rtc_name = name;
}

void rtc_print_boot_info(void)
{
	if (rtc_read)
		print_date(rtc_name, rtc_read() / NS_PER_SEC);
}

int rtc_read_ns(uint64_t *ns)
{
	if (!rtc_read)
		return -RV_ENODEV;
	*ns = rtc_read();
	return 0;
}
