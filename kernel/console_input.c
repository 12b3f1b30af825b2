/* SPDX-License-Identifier: Apache-2.0 */
/* Console input with back-pressure: kernel/include/kernel/console_input.h. */
#include <stdbool.h>
#include <kernel/console_input.h>
#include <kernel/printk.h>
#include <kernel/timer.h>

/* The kernel runs on one hart with interrupts off, so the interrupt
 * handler and debug_read never overlap: no lock. */
static const struct console_input_ops *input_ops;
static char ring[CONFIG_CONSOLE_INPUT_BUFFER];
static unsigned int ring_head, ring_count;
static bool paused;              /* the UART's receive interrupt is masked */
static uint64_t lost, unreported; /* bytes lost; of them, not said yet */
static uint64_t last_report;     /* timer ticks of the last console line; 0: none */

void console_input_register(const struct console_input_ops *ops)
{
	input_ops = ops;
}

/* Move bytes from the UART into the ring while there is room. Full: stop
 * the receive interrupt and leave the rest in the UART; drained: let it
 * interrupt again. */
static void drain(void)
{
	int c;

	while (ring_count < sizeof(ring)) {
		c = input_ops->rx_byte();
		if (c < 0) {
			if (paused) {
				paused = false;
				input_ops->rx_resume();
			}
			return;
		}
		ring[(ring_head + ring_count) % sizeof(ring)] = (char)c;
		ring_count++;
	}
	if (!paused) {
		paused = true;
		input_ops->rx_pause();
	}
}

void console_input_irq(void *arg)
{
	if (input_ops)
		drain();
}

/*
 * After the console server has mapped the UART (doc/devices.md) this core
 * gets no interrupt any more, but the server's first reads still come
 * here for what was typed before. If the ring was full then (paused),
 * those reads go on draining the UART into the ring until it is empty and
 * resume it once: the bytes reach the server in the order they came, and
 * afterwards this core never touches the UART again.
 */
size_t console_input_read(char *buf, size_t len)
{
	size_t n = 0;

	for (; n < len && ring_count; n++) {
		buf[n] = ring[ring_head];
		ring_head = (ring_head + 1) % sizeof(ring);
		ring_count--;
	}
	if (n && paused)
		drain();
	return n;
}

void console_input_overrun(uint64_t n)
{
	uint64_t now = timer_now();

	lost += n;
	unreported += n;
	/* One line per CONFIG_CONSOLE_INPUT_LOSS_REPORT_MS at most: a UART
	 * that overruns all the time must not flood the console. */
	if (last_report &&
	    now - last_report < timer_ns_to_ticks(CONFIG_CONSOLE_INPUT_LOSS_REPORT_MS * 1000000ull))
		return;
	printk(KMSG("console: at least %llu input bytes lost (UART overrun)\n",
		    "console: %llu bytes lost\n"),
	       (unsigned long long)unreported);
	unreported = 0;
	last_report = now ? now : 1;
}

uint64_t console_input_lost(void)
{
	return lost;
}
