/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU's SiFive test device: a 32-bit write ends QEMU. 0x5555 = pass (exit
 * code 0); 0x3333 with the code in bits 31:16 = fail with that exit code. */
#include <rvos/errno.h>
#include <kernel/driver.h>
#include <kernel/mmio.h>
#include <kernel/power.h>

#define TEST_FINISHER_FAIL 0x3333
#define TEST_FINISHER_PASS 0x5555

static uintptr_t test_device_base;

static void syscon_off(int status)
{
	if (status == 0)
		mmio_write32(test_device_base, TEST_FINISHER_PASS);
	else
		mmio_write32(test_device_base, ((uint32_t)status << 16) | TEST_FINISHER_FAIL);
}

static int syscon_probe(const struct fdt *fdt, const struct boot_info *boot,
			const struct device *dev)
{
	if (!dev->base)
		return -RV_EINVAL;
	test_device_base = dev->base;
	power_register(syscon_off, "syscon test device");
	return 0;
}

DRIVER_DEFINE(DRIVER_LEVEL_EARLY, poweroff_syscon, .name = "poweroff-syscon",
	      .kconfig = "CONFIG_POWEROFF_SYSCON", .compatible = "sifive,test0",
	      .probe = syscon_probe);
