/* SPDX-License-Identifier: Apache-2.0 */
#include <arch/csr.h>
#include <arch/sbi.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/trace.h>

void power_sbi_off(int status)
{
	unsigned long reason = status ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE;

	sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, reason);
	/* Firmware without a shutdown device (OpenSBI on sifive_u has only
	 * gpio-restart): reboot instead; the board runs QEMU with -no-reboot,
	 * which turns the reboot into an exit. Without this a boot error
	 * before the power driver started left QEMU running. */
	sbi_system_reset(SBI_SRST_TYPE_COLD_REBOOT, reason);
}

/* Until a power driver registers (a boot error before the drivers
 * start): the SBI. The status then reaches the host only through the
 * console line, which `rv flash` reads. */
static void (*power_off)(int status) = power_sbi_off;
static const char *power_name = "sbi";

void power_register(void (*off)(int status), const char *name)
{
	power_off = off;
	power_name = name;
}

void poweroff(int status)
{
	csr_clear(sstatus, SSTATUS_SIE);
#ifdef CONFIG_TRACE_DUMP_ON_FAILURE
	if (status != 0)
		trace_dump_console();
#endif
	printk("rvOS: power off, status %d (%s)\n", status, power_name);
	power_off(status);
	/* The registered way failed: try the SBI, then stop here for good. */
	power_sbi_off(status);
	sbi_legacy_shutdown();
	for (;;)
		arch_wait_for_interrupt();
}
