/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Zkr entropy source (RISC-V scalar cryptography spec v1.0,
 * "Entropy Source"): each read of the seed CSR answers a status in bits
 * 31:30 (OPST) and, with ES16, 16 bits of raw entropy in bits 15:0. The
 * kernel touches the CSR only if the device tree lists Zkr for the boot
 * hart, and reads it through arch_seed_csr_read (seed.S), which survives
 * the illegal-instruction trap of a firmware that did not grant S-mode
 * access (mseccfg.SSEED).
 */
#include <arch/zkr.h>
#include <kernel/devicetree.h>
#include <kernel/printk.h>
#include <kernel/timer.h>

extern unsigned long boot_hart_id;
long arch_seed_csr_read(void);

#define SEED_OPST_SHIFT 30
#define SEED_OPST_MASK 3
#define SEED_OPST_BIST 0 /* self-test after reset: ask again */
#define SEED_OPST_WAIT 1 /* gathering: ask again */
#define SEED_OPST_ES16 2 /* bits 15:0 are entropy */
#define SEED_OPST_DEAD 3 /* unrecoverable: stop */
#define SEED_ENTROPY_MASK 0xffff

size_t arch_zkr_seed(const struct fdt *fdt, uint8_t *buf, size_t len)
{
	uint64_t deadline =
		timer_now() + timer_ns_to_ticks((uint64_t)CONFIG_ZKR_SEED_TIMEOUT_MS * 1000000u);
	size_t got = 0;
	long v;

	/* riscv,isa-extensions or riscv,isa of the boot hart's cpu node */
	if (!dt_hart_has_extension(fdt, boot_hart_id, "zkr"))
		return 0;
	if (len > CONFIG_ZKR_SEED_BYTES)
		len = CONFIG_ZKR_SEED_BYTES;
	len &= ~(size_t)1; /* whole 16-bit answers */
	while (got < len) {
		v = arch_seed_csr_read();
		if (v == -1) {
			printk("zkr: the device tree lists Zkr but reading the seed CSR traps "
			       "(the firmware did not set mseccfg.SSEED): not used\n");
			return 0;
		}
		switch (((unsigned long)v >> SEED_OPST_SHIFT) & SEED_OPST_MASK) {
		case SEED_OPST_ES16:
			buf[got++] = (uint8_t)(v & SEED_ENTROPY_MASK);
			buf[got++] = (uint8_t)((v & SEED_ENTROPY_MASK) >> 8);
			continue;
		case SEED_OPST_DEAD:
			printk("zkr: warning: the seed CSR reports DEAD after %lu bytes: %s\n",
			       (unsigned long)got, got ? "using what it gave" : "not used");
			return got;
		default: /* BIST, WAIT */
			break;
		}
		if (timer_now() > deadline) {
			printk("zkr: warning: the seed CSR gave %lu of %lu bytes within "
			       "CONFIG_ZKR_SEED_TIMEOUT_MS=%d: %s\n",
			       (unsigned long)got, (unsigned long)len, CONFIG_ZKR_SEED_TIMEOUT_MS,
			       got ? "using what it gave" : "not used");
			return got;
		}
	}
	return got;
}
