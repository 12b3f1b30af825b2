/* SPDX-License-Identifier: Apache-2.0 */
/* Reads one line typed at the console (by the test runner) through UART
 * receive interrupts, and echoes it back. Fails after 10 s without input. */
#include <stdio.h>
#include <string.h>
#include <rvos/user.h>

#define LINE_MAX_BYTES 64
#define WAIT_NS (10ULL * 1000 * 1000 * 1000)
#define POLL_NS (1000 * 1000)

int main(void)
{
	char line[LINE_MAX_BYTES + 1];
	size_t len = 0;
	uint64_t give_up = rv_clock_ns() + WAIT_NS;

	printf("irqtest: type a line\n");
	while (len < LINE_MAX_BYTES && rv_clock_ns() < give_up) {
		char c;
		long n = rv_debug_read(&c, 1);
		if (n < 0) {
			printf("irqtest: debug_read failed: %s\n", rv_strerror((int)n));
			return 1;
		}
		if (n == 0) {
			rv_sleep_ns(POLL_NS); /* idle in wfi: the interrupt wakes the hart */
			continue;
		}
		if (c == '\r' || c == '\n')
			break;
		line[len++] = c;
	}
	line[len] = 0;
	printf("irqtest: got \"%s\" (%zu bytes)\n", line, len);
	return len ? 0 : 1;
}
