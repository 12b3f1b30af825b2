/* SPDX-License-Identifier: Apache-2.0 */
#include <arch/csr.h>
#include <arch/sbi.h>
#include <kernel/power.h>
#include <kernel/printk.h>

static void sbi_off(int status)
{
	sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN,
			 status ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
}

static void (*power_off)(int status) = sbi_off;
static const char *power_name = "sbi";

void power_register(void (*off)(int status), const char *name)
{
	power_off = off;
	power_name = name;
}

void poweroff(int status)
{
	csr_clear(sstatus, SSTATUS_SIE);
	printk("rvOS: power off, status %d (%s)\n", status, power_name);
	power_off(status);
	/* The registered way failed: try the SBI, then stop here for good. */
	sbi_off(status);
	sbi_legacy_shutdown();
	for (;;)
		arch_wait_for_interrupt();
}
