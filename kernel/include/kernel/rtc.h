/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_RTC_H
#define KERNEL_RTC_H

#include <stdint.h>

/* A real-time clock driver registers how to read the wall time: ns since
 * 1970-01-01 00:00 UTC. */
void rtc_register(uint64_t (*read_ns)(void), const char *name);

/* The boot log's line: the RTC and the date it reads (nothing without
 * one). */
void rtc_print_boot_info(void);

/* 0 and the wall time in *ns, or -RV_ENODEV: the board has no RTC (or its
 * driver is not compiled in). */
int rtc_read_ns(uint64_t *ns);

#endif /* KERNEL_RTC_H */
