/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <rvos/errno.h>
#include <arch/sbi.h>
#include <kernel/format.h>
#include <kernel/printk.h>

#ifdef CONFIG_UART_SBI_FALLBACK
#define SBI_CONSOLE_FALLBACK 1
#else
#define SBI_CONSOLE_FALLBACK 0
#endif /* CONFIG_UART_SBI_FALLBACK */

static void sbi_putc(char c)
{
	if (c == '\n')
		sbi_console_putchar('\r');
	sbi_console_putchar(c);
}

static void drop_putc(char c)
{
	(void)c;
}

static void (*console_putc)(char c) = SBI_CONSOLE_FALLBACK ? sbi_putc : drop_putc;
static const char *console_name = SBI_CONSOLE_FALLBACK ? "sbi" : "none";

void console_register_output(void (*putc)(char c), const char *name)
{
	console_putc = putc;
	console_name = name;
}

const char *k_strerror(int err)
{
#ifdef CONFIG_KERNEL_VERBOSE_MESSAGES
	return rv_strerror(err);
#else
	/* The number (include/rvos/errno.h), not the name: no table of names.
	 * Boot errors and reports only, one at a time. */
	static char text[16];

	fmt_snprintf(text, sizeof(text), "errno %d", err < 0 ? -err : err);
	return text;
#endif /* CONFIG_KERNEL_VERBOSE_MESSAGES */
}

const char *console_output_name(void)
{
	return console_name;
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		console_putc(s[i]);
}

void printk(const char *fmt, ...)
{
	char line[CONFIG_PRINTK_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		/* Cut: say so rather than lose it silently. */
		n = sizeof(line) - 1;
		line[n - 4] = '.';
		line[n - 3] = '.';
		line[n - 2] = '.';
		line[n - 1] = '\n';
	}
	console_write(line, (size_t)n);
}
