/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_APP_H
#define KERNEL_APP_H

#include <kernel/util.h>

/* The app's kernel-side entry, run after boot; its return value becomes
 * the power-off status (0 = success). Apps without one get a default that
 * returns 0. */
int app_main(void);

/* CONFIG_TEST_PANIC_ON_BOOT: panic a few calls deep (kernel/panic_test.c). */
void test_panic_on_boot(void);
/* CONFIG_TEST_KERNEL_FAULT_ON_BOOT: fault in a leaf a few calls deep. */
void test_kernel_fault_on_boot(void);

#endif /* KERNEL_APP_H */
