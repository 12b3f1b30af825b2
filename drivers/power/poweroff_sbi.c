/* SPDX-License-Identifier: Apache-2.0 */
/* Power-off through the SBI system-reset extension (SRST). The status
 * cannot reach QEMU's exit code this way; the kernel's last console line
 * ("rvOS: power off, status N") carries it, and `rv flash` returns it for
 * boards whose board.cmake sets QEMU_EXIT_STATUS to "console". */
#include <rvos/errno.h>
#include <arch/sbi.h>
#include <kernel/driver.h>
#include <kernel/power.h>
#include <kernel/printk.h>

static int poweroff_sbi_probe(const struct fdt *fdt, const struct boot_info *boot,
			      const struct device *dev)
{
	if (!sbi_probe_extension(SBI_EXT_SRST)) {
		printk(KMSG("boot error: CONFIG_POWEROFF_SBI: the firmware has no SBI system-reset "
			    "extension\n",
			    "boot error: no SBI SRST\n"));
		return -RV_ENODEV;
	}
	power_register(power_sbi_off, "sbi srst");
	return 0;
}

DRIVER_DEFINE(DRIVER_LEVEL_EARLY, poweroff_sbi, .name = "poweroff-sbi",
	      .kconfig = "CONFIG_POWEROFF_SBI", .compatible = 0, .probe = poweroff_sbi_probe);
