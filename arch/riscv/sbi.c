/* SPDX-License-Identifier: Apache-2.0 */
#include <arch/sbi.h>

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2)
{
	/* SBI calling convention: a7 = extension, a6 = function, a0..a5 args;
	 * a0 = error, a1 = value on return (SBI spec, section 3.1). */
	register unsigned long r_a0 __asm__("a0") = a0;
	register unsigned long r_a1 __asm__("a1") = a1;
	register unsigned long r_a2 __asm__("a2") = a2;
	register unsigned long r_a6 __asm__("a6") = fid;
	register unsigned long r_a7 __asm__("a7") = ext;
	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct sbiret){.error = (long)r_a0, .value = (long)r_a1};
}

void sbi_console_putchar(char c)
{
	sbi_ecall(SBI_EXT_LEGACY_CONSOLE_PUTCHAR, 0, (unsigned char)c, 0, 0);
}

long sbi_probe_extension(unsigned long ext)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, ext, 0, 0);
	return r.error ? 0 : r.value;
}

void sbi_set_timer(uint64_t when)
{
	sbi_ecall(SBI_EXT_TIME, 0, when, 0, 0);
}

void sbi_system_reset(unsigned long type, unsigned long reason)
{
	if (sbi_probe_extension(SBI_EXT_SRST))
		sbi_ecall(SBI_EXT_SRST, 0, type, reason, 0);
}

void sbi_legacy_shutdown(void)
{
	sbi_ecall(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
}
