/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Goldfish RTC (QEMU's hw/rtc/goldfish_rtc.c, after Android's emulator):
 * a 64-bit count of nanoseconds since 1970-01-01 00:00 UTC in two 32-bit
 * registers. Reading TIME_LOW latches the high half into TIME_HIGH, so LOW
 * is read first and the pair is one instant. Its alarm and interrupt are
 * not used.
 */
#include <rvos/errno.h>
#include <kernel/driver.h>
#include <kernel/mmio.h>
#include <kernel/rtc.h>

#define GOLDFISH_RTC_TIME_LOW 0x00  /* bits 31..0; latches TIME_HIGH */
#define GOLDFISH_RTC_TIME_HIGH 0x04 /* bits 63..32, as latched */

static uintptr_t rtc_base;

static uint64_t goldfish_read_ns(void)
{
	uint32_t low = mmio_read32(rtc_base + GOLDFISH_RTC_TIME_LOW);
	uint32_t high;

	/* LOW's read reaches the device before HIGH's (device input ordered
	 * with device input: unprivileged spec, "Memory Ordering"). */
	__asm__ volatile("fence i,i" ::: "memory");
	high = mmio_read32(rtc_base + GOLDFISH_RTC_TIME_HIGH);
	return (uint64_t)high << 32 | low;
}

static int goldfish_probe(const struct fdt *fdt, const struct boot_info *boot,
			  const struct device *dev)
{
	if (!dev->base)
		return -RV_EINVAL;
	rtc_base = dev->base;
	rtc_register(goldfish_read_ns, "goldfish");
	return 0;
}

DRIVER_DEFINE(DRIVER_LEVEL_DEVICE, rtc_goldfish, .name = "rtc-goldfish",
	      .kconfig = "CONFIG_RTC_GOLDFISH", .compatible = "google,goldfish-rtc",
	      .probe = goldfish_probe);
