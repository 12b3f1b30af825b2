/* SPDX-License-Identifier: Apache-2.0 */
/* SiFive UART (FU540 manual, chapter "UART"): 32-bit registers. */
#include <rvos/errno.h>
#include <kernel/console_input.h>
#include <kernel/device.h>
#include <kernel/driver.h>
#include <kernel/irq.h>
#include <kernel/mmio.h>
#include <kernel/printk.h>
#include <kernel/util.h>

#define SIFIVE_UART_TXDATA 0x00
#define SIFIVE_UART_TXDATA_FULL (1u << 31)
#define SIFIVE_UART_TXCTRL 0x08
#define SIFIVE_UART_TXCTRL_TXEN 1u
#define SIFIVE_UART_RXDATA 0x04
#define SIFIVE_UART_RXDATA_EMPTY (1u << 31)
#define SIFIVE_UART_RXCTRL 0x0c
#define SIFIVE_UART_RXCTRL_RXEN 1u
#define SIFIVE_UART_IE 0x10
#define SIFIVE_UART_IE_RXWM (1u << 1) /* receive watermark: data waiting */

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

#ifdef CONFIG_CONSOLE_INPUT
/* Input (CONFIG_CONSOLE_INPUT; without it the console is output only). */
/* The UART has no overrun flag: what its FIFO cannot take is lost
 * unseen (on QEMU the FIFO holds the sender instead). */
static int sifive_uart_rx_byte(void)
{
	uint32_t v = mmio_read32(sifive_uart_base + SIFIVE_UART_RXDATA);

	return (v & SIFIVE_UART_RXDATA_EMPTY) ? -1 : (int)(v & 0xff);
}

static void sifive_uart_rx_pause(void)
{
	mmio_write32(sifive_uart_base + SIFIVE_UART_IE, 0);
}

static void sifive_uart_rx_resume(void)
{
	mmio_write32(sifive_uart_base + SIFIVE_UART_IE, SIFIVE_UART_IE_RXWM);
}

static const struct console_input_ops sifive_uart_input = {
	.rx_byte = sifive_uart_rx_byte,
	.rx_pause = sifive_uart_rx_pause,
	.rx_resume = sifive_uart_rx_resume,
};

static int sifive_uart_irq_probe(const struct fdt *fdt, const struct boot_info *boot,
				 const struct device *dev)
{
	int err;

	if (dev->base != sifive_uart_base || !dev->irq)
		return 0;
	err = irq_connect(dev->irq, console_input_irq, NULL);
	if (err)
		return err == -RV_ENODEV ? 0 : err;
	console_input_register(&sifive_uart_input);
	mmio_write32(sifive_uart_base + SIFIVE_UART_RXCTRL, SIFIVE_UART_RXCTRL_RXEN);
	sifive_uart_rx_resume();
	/* User space may own it (the console server): doc/devices.md. */
	if (!IS_ENABLED(CONFIG_DEVICE_CAPS))
		return 0;
	return device_export("uart0", "sifive,uart0", dev->base, dev->size, dev->irq, NULL);
}

DRIVER_DEFINE(DRIVER_LEVEL_DEVICE, sifive_uart_irq, .name = "sifive-uart-rx",
	      .kconfig = "CONFIG_UART_SIFIVE", .compatible = "sifive,uart0",
	      .probe = sifive_uart_irq_probe);
#endif /* CONFIG_CONSOLE_INPUT */

DRIVER_DEFINE(DRIVER_LEVEL_EARLY, sifive_uart, .name = "sifive-uart",
	      .kconfig = "CONFIG_UART_SIFIVE", .compatible = "sifive,uart0",
	      .probe = sifive_uart_probe);
