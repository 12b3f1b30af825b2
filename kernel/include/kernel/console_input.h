/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console input: the bytes a UART receives, kept until a reader (the
 * debug_read call) takes them. When the buffer is full the core asks the
 * driver to pause receive: its receive interrupt is masked and the bytes
 * stay in the UART, whose FIFO then fills and holds the sender (QEMU stops
 * reading its stdin); a read that makes room drains the UART again and
 * resumes it. So input is not lost to a full buffer. What the UART itself
 * drops (an overrun) is counted, in kstats and once on the console.
 * doc/console.md, "The kernel's console".
 */
#ifndef KERNEL_CONSOLE_INPUT_H
#define KERNEL_CONSOLE_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* What the console UART's driver gives the core. Called with interrupts
 * off (in its interrupt handler, or in debug_read). */
struct console_input_ops {
	/* The next byte received, or -1 when none waits. */
	int (*rx_byte)(void);
	/* Mask / unmask the UART's receive interrupt. */
	void (*rx_pause)(void);
	void (*rx_resume)(void);
};

/* The driver of the console UART, once its interrupt is connected. */
void console_input_register(const struct console_input_ops *ops);
/* Its receive interrupt's handler (irq_connect): take what fits. */
void console_input_irq(void *arg);
/* The UART lost bytes on its own (at least n: an overrun): count them. */
void console_input_overrun(uint64_t n);
/* Take up to len bytes (debug_read). */
size_t console_input_read(char *buf, size_t len);
/* Input bytes lost since boot (at least): rv_kstats.console_input_lost. */
uint64_t console_input_lost(void);

#endif /* KERNEL_CONSOLE_INPUT_H */
