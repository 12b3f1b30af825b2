/* SPDX-License-Identifier: Apache-2.0 */
/* The Zkr seed CSR as a boot-time entropy source (arch/riscv/zkr.c). */
#ifndef ARCH_ZKR_H
#define ARCH_ZKR_H

#include <stddef.h>
#include <stdint.h>

struct fdt;

/* Up to `len` bytes (at most CONFIG_ZKR_SEED_BYTES) of entropy from the
 * seed CSR into buf, if the device tree says the boot hart has Zkr: how
 * many it gave. 0 when the hart has no Zkr (silently), or when the read
 * traps or the source is dead (with a console line). Boot only. */
#ifdef CONFIG_ZKR_SEED
size_t arch_zkr_seed(const struct fdt *fdt, uint8_t *buf, size_t len);
#else
static inline size_t arch_zkr_seed(const struct fdt *fdt, uint8_t *buf, size_t len)
{
	(void)fdt;
	(void)buf;
	(void)len;
	return 0;
}
#endif /* CONFIG_ZKR_SEED */

#endif /* ARCH_ZKR_H */
