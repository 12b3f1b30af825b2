/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

/* Exit statuses the kernel itself powers off with; the test runner and
 * QEMU's exit code (on boards with a test device) see them. */
#define POWEROFF_STATUS_OK 0
#define POWEROFF_STATUS_FAIL 1       /* a test or an app reported failure */
#define POWEROFF_STATUS_PANIC 2      /* kernel panic */
#define POWEROFF_STATUS_BOOT_ERROR 3 /* device tree and board disagree */

/* A power driver registers how to switch off with a status. */
void power_register(void (*off)(int status), const char *name);

/* Switch the machine off; QEMU exits with the status where the board can
 * report one. Never returns. */
void poweroff(int status) __attribute__((noreturn));

/* Power off (or, without a shutdown device, reboot) through the SBI
 * system-reset extension; returns only if the firmware cannot. */
void power_sbi_off(int status);

#endif /* KERNEL_POWER_H */
