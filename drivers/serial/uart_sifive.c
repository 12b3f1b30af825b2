/* SPDX-License-Identifier: Apache-2.0 */
/* SiFive UART (FU540 manual, chapter "UART"): 32-bit registers. */
#include <rvos/errno.h>
#include <kernel/driver.h>
#include <kernel/mmio.h>
#include <kernel/printk.h>

#define SIFIVE_UART_TXDATA 0x00
#define SIFIVE_UART_TXDATA_FULL (1u << 31)
#define SIFIVE_UART_TXCTRL 0x08
#define SIFIVE_UART_TXCTRL_TXEN 1u
#define SIFIVE_UART_IE 0x10

static uintptr_t sifive_uart_base;

static void sifive_uart_putc(char c)
{
	if (c == '\n')
		sifive_uart_putc('\r');
	while (mmio_read32(sifive_uart_base + SIFIVE_UART_TXDATA) & SIFIVE_UART_TXDATA_FULL)
		;
	mmio_write32(sifive_uart_base + SIFIVE_UART_TXDATA, (uint8_t)c);
}

static int sifive_uart_probe(const struct fdt *fdt, const struct boot_info *boot,
			     const struct device *dev)
{
	if (!dev->base)
		return -RV_EINVAL;
	sifive_uart_base = dev->base;
	mmio_write32(sifive_uart_base + SIFIVE_UART_IE, 0);
	mmio_write32(sifive_uart_base + SIFIVE_UART_TXCTRL, SIFIVE_UART_TXCTRL_TXEN);
	console_register_output(sifive_uart_putc, "sifive-uart");
	return 0;
}

DRIVER_DEFINE(DRIVER_LEVEL_EARLY, sifive_uart, .name = "sifive-uart",
	      .kconfig = "CONFIG_UART_SIFIVE", .compatible = "sifive,uart0",
	      .probe = sifive_uart_probe);
