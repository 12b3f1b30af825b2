/* SPDX-License-Identifier: Apache-2.0 */
/* NS16550A UART (QEMU virt). Output is polled; input comes with interrupts
 * once user space has a console server. */
#include <rvos/errno.h>
#include <kernel/console_input.h>
#include <kernel/device.h>
#include <kernel/driver.h>
#include <kernel/irq.h>
#include <kernel/mmio.h>
#include <kernel/printk.h>
#include <kernel/util.h>

/* Register offsets (byte-wide registers, reg-shift 0 on QEMU virt). */
#define NS16550_RBR 0 /* receive buffer */
#define NS16550_THR 0 /* transmit holding */
#define NS16550_IER 1 /* interrupt enable */
#define NS16550_IER_RDI (1u << 0) /* interrupt when data is received */
#define NS16550_LSR 5 /* line status */
#define NS16550_LSR_DR (1u << 0)  /* data ready */
#define NS16550_LSR_OE (1u << 1)  /* overrun: a byte was lost (cleared by reading LSR) */
#define NS16550_LSR_THRE (1u << 5) /* transmit holding register empty */

static uintptr_t ns16550_base;

static void ns16550_putc(char c)
{
	if (c == '\n')
		ns16550_putc('\r');
	while (!(mmio_read8(ns16550_base + NS16550_LSR) & NS16550_LSR_THRE))
		;
	mmio_write8(ns16550_base + NS16550_THR, (uint8_t)c);
}

static int ns16550_probe(const struct fdt *fdt, const struct boot_info *boot,
			 const struct device *dev)
{
	if (!dev->base)
		return -RV_EINVAL;
	ns16550_base = dev->base;
	mmio_write8(ns16550_base + NS16550_IER, 0);
	console_register_output(ns16550_putc, "ns16550");
	return 0;
}

#ifdef CONFIG_CONSOLE_INPUT
/* Input (CONFIG_CONSOLE_INPUT; without it the console is output only). */
static int ns16550_rx_byte(void)
{
	uint8_t lsr = mmio_read8(ns16550_base + NS16550_LSR);

	/* The receiver had no room for a byte (receive paused too long on
	 * a real line without flow control): at least one is gone. */
	if (lsr & NS16550_LSR_OE)
		console_input_overrun(1);
	return (lsr & NS16550_LSR_DR) ? mmio_read8(ns16550_base + NS16550_RBR) : -1;
}

static void ns16550_rx_pause(void)
{
	mmio_write8(ns16550_base + NS16550_IER, 0);
}

static void ns16550_rx_resume(void)
{
	mmio_write8(ns16550_base + NS16550_IER, NS16550_IER_RDI);
}

static const struct console_input_ops ns16550_input = {
	.rx_byte = ns16550_rx_byte,
	.rx_pause = ns16550_rx_pause,
	.rx_resume = ns16550_rx_resume,
};

/* Input by interrupt, once the interrupt controller is up (a later level). */
static int ns16550_irq_probe(const struct fdt *fdt, const struct boot_info *boot,
			     const struct device *dev)
{
	int err;

	if (dev->base != ns16550_base || !dev->irq)
		return 0; /* not the console UART, or no interrupt: output only */
	err = irq_connect(dev->irq, console_input_irq, NULL);
	if (err)
		return err == -RV_ENODEV ? 0 : err;
	console_input_register(&ns16550_input);
	ns16550_rx_resume();
	/* User space may own it (the console server): doc/devices.md. */
	if (!IS_ENABLED(CONFIG_DEVICE_CAPS))
		return 0;
	return device_export("uart0", "ns16550a", dev->base, dev->size, dev->irq, NULL);
}

DRIVER_DEFINE(DRIVER_LEVEL_DEVICE, ns16550_irq, .name = "ns16550-rx",
	      .kconfig = "CONFIG_UART_NS16550", .compatible = "ns16550a",
	      .probe = ns16550_irq_probe);
#endif /* CONFIG_CONSOLE_INPUT */

DRIVER_DEFINE(DRIVER_LEVEL_EARLY, ns16550, .name = "ns16550", .kconfig = "CONFIG_UART_NS16550",
	      .compatible = "ns16550a", .probe = ns16550_probe);
