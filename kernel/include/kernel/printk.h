/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stddef.h>

/* Print to the kernel console. Formats a whole line (up to
 * CONFIG_PRINTK_LINE_MAX bytes) before writing it. Conversions: see format.h. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The console's output: a driver registers its character writer; until one
 * does (and when none can), output goes to the SBI console if enabled. */
void console_register_output(void (*putc)(char c), const char *name);
const char *console_output_name(void);
/* rv_strerror (rvos/errno.h) out of line: one copy of its table in the
 * kernel, not one in every file that names an error. */
const char *k_strerror(int err);
void console_write(const char *s, size_t len);

/* A kernel message's text: the full one, or with
 * CONFIG_KERNEL_VERBOSE_MESSAGES off a brief one with the same conversions
 * for the same arguments (doc/configuration.md, "Kernel features"), so the
 * prose leaves the image and the figures stay. */
#ifdef CONFIG_KERNEL_VERBOSE_MESSAGES
#define KMSG(full, brief) full
#else
#define KMSG(full, brief) brief
#endif

#endif /* KERNEL_PRINTK_H */
