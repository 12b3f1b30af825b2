/* SPDX-License-Identifier: Apache-2.0 */
/* RISC-V PLIC (PLIC spec v1.0.0). At boot every source is masked for the
 * boot hart's S-mode context and its threshold is 0; drivers enable their
 * sources when they want interrupts. */
#include <rvos/errno.h>
#include <kernel/driver.h>
#include <kernel/mmio.h>

#define PLIC_ENABLE_BASE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT_BASE 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_MAX_SOURCES 1024 /* spec limit: sources 1..1023 */

static uintptr_t plic_base;

static int plic_probe(const struct fdt *fdt, const struct boot_info *boot,
		      const struct device *dev)
{
	if (!dev->base)
		return -RV_EINVAL;
	plic_base = dev->base;
	return 0;
}

DRIVER_DEFINE(DRIVER_LEVEL_IRQ, plic, .name = "plic", .kconfig = "CONFIG_PLIC",
	      .compatible = "riscv,plic0", .probe = plic_probe);
