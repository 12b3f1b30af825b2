/* SPDX-License-Identifier: Apache-2.0 */
/* Supervisor Binary Interface calls (RISC-V SBI spec v2.0). */
#ifndef ARCH_SBI_H
#define ARCH_SBI_H

#include <stdint.h>

struct sbiret {
	long error;
	long value;
};

/* Extension IDs (SBI spec chapter 3 and following). */
#define SBI_EXT_LEGACY_CONSOLE_PUTCHAR 0x01
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45 /* "TIME" */
#define SBI_EXT_SRST 0x53525354 /* "SRST" */

#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_PROBE_EXTENSION 3

#define SBI_SRST_TYPE_SHUTDOWN 0
#define SBI_SRST_TYPE_COLD_REBOOT 1
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2);
void sbi_console_putchar(char c);
long sbi_probe_extension(unsigned long ext);
void sbi_set_timer(uint64_t when);
/* SRST system reset; returns only when the SBI refuses. */
void sbi_system_reset(unsigned long type, unsigned long reason);
/* Legacy (v0.1) shutdown, for firmware without SRST. */
void sbi_legacy_shutdown(void);

#endif /* ARCH_SBI_H */
