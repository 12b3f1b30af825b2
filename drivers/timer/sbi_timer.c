/* SPDX-License-Identifier: Apache-2.0 */
/* Timer through the SBI TIME extension; the clock is the time CSR, counting
 * at the device tree's timebase-frequency. */
#include <rvos/errno.h>
#include <arch/sbi.h>
#include <kernel/driver.h>
#include <kernel/printk.h>

static uint64_t timer_hz;

static int sbi_timer_probe(const struct fdt *fdt, const struct boot_info *boot,
			   const struct device *dev)
{
	if (!boot->timebase_hz) {
		printk("boot error: CONFIG_SBI_TIMER: no timebase-frequency in the device tree\n");
		return -RV_ENODEV;
	}
	if (!sbi_probe_extension(SBI_EXT_TIME)) {
		printk("boot error: CONFIG_SBI_TIMER: the firmware has no SBI TIME extension\n");
		return -RV_ENODEV;
	}
	timer_hz = boot->timebase_hz;
	return 0;
}

DRIVER_DEFINE(DRIVER_LEVEL_IRQ, sbi_timer, .name = "sbi-timer", .kconfig = "CONFIG_SBI_TIMER",
	      .compatible = 0, .probe = sbi_timer_probe);
