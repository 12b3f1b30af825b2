/* SPDX-License-Identifier: Apache-2.0 */
/* Timer interrupts through the SBI TIME extension, or straight through the
 * stimecmp CSR where the hart has the Sstc extension (no trip to M-mode).
 * The clock is the time CSR, counting at the device tree's timebase. */
#include <rvos/errno.h>
#include <arch/csr.h>
#include <arch/sbi.h>
#include <kernel/driver.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/timer.h>
#include <kernel/util.h>

static void sbi_timer_arm(uint64_t deadline)
{
	sbi_set_timer(deadline);
}

static void sstc_timer_arm(uint64_t deadline)
{
	/* stimecmp, CSR 0x14d (Sstc extension); written by number so older
	 * assemblers accept it. */
	__asm__ volatile("csrw 0x14d, %0" ::"r"(deadline));
}

static struct timer_ops sbi_timer_ops = {.arm = sbi_timer_arm, .name = "sbi"};

/* Does a cpu node's ISA string name the Sstc extension? */
static bool hart_has_sstc(const struct fdt *fdt)
{
	int node = -1;

	while ((node = fdt_node_by_compatible(fdt, node, "riscv")) >= 0) {
		const char *isa = fdt_getprop_str(fdt, node, "riscv,isa");
		if (!isa)
			continue;
		for (const char *p = isa; *p; p++) {
			if (p[0] == '_' && p[1] == 's' && p[2] == 's' && p[3] == 't' && p[4] == 'c' &&
			    (p[5] == '_' || p[5] == 0))
				return true;
		}
	}
	return false;
}

static int sbi_timer_probe(const struct fdt *fdt, const struct boot_info *boot,
			   const struct device *dev)
{
	if (!boot->timebase_hz) {
		printk(KMSG("boot error: CONFIG_SBI_TIMER: no timebase-frequency in the device tree\n",
			    "boot error: no timebase\n"));
		return -RV_ENODEV;
	}
	if (!sbi_probe_extension(SBI_EXT_TIME)) {
		printk(KMSG("boot error: CONFIG_SBI_TIMER: the firmware has no SBI TIME extension\n",
			    "boot error: no SBI TIME\n"));
		return -RV_ENODEV;
	}
	sbi_timer_ops.hz = boot->timebase_hz;
	if (IS_ENABLED(CONFIG_TIMER_USE_SSTC) && IS_ENABLED(CONFIG_DEVICE_TREE) && hart_has_sstc(fdt)) {
		sbi_timer_ops.arm = sstc_timer_arm;
		sbi_timer_ops.name = "sstc";
	}
	sbi_timer_ops.arm(UINT64_MAX);
	timer_register(&sbi_timer_ops);
	return 0;
}

DRIVER_DEFINE(DRIVER_LEVEL_IRQ, sbi_timer, .name = "sbi-timer", .kconfig = "CONFIG_SBI_TIMER",
	      .compatible = 0, .probe = sbi_timer_probe);
