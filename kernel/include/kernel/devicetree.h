/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot facts extracted from the device tree into a plain struct, so the rest
 * of early boot never parses the DTB itself.
 *
 * CONFIG_DT_MAX_MEMORY_RANGES and CONFIG_MAX_HARTS come from the generated
 * autoconf.h in the kernel build and from -D in host tests.
 */
#ifndef KERNEL_DEVICETREE_H
#define KERNEL_DEVICETREE_H

#include <stdint.h>

#include <kernel/fdt.h>

struct dt_range {
	uint64_t base;
	uint64_t size;
};

/* Bits in boot_info.truncated: a table filled up and later entries were dropped. */
#define DT_TRUNC_MEM (1u << 0)
#define DT_TRUNC_HARTS (1u << 1)
#define DT_TRUNC_RESERVED (1u << 2)

struct boot_info {
	/* reg ranges of the root's children with device_type "memory", status okay. */
	struct dt_range mem[CONFIG_DT_MAX_MEMORY_RANGES];
	unsigned int mem_count;
	/*
	 * Memory the kernel must not allocate: the DTB's /memreserve/ entries
	 * followed by reg ranges of /reserved-memory children (where OpenSBI
	 * records its own firmware region). Same capacity as mem[].
	 */
	struct dt_range reserved[CONFIG_DT_MAX_MEMORY_RANGES];
	unsigned int reserved_count;
	/* /cpus timebase-frequency, else that of the first cpu node having one. */
	uint64_t timebase_hz;
	/* /chosen linux,initrd-start/-end (1 or 2 cells each); both 0 if absent. */
	uint64_t initrd_start;
	uint64_t initrd_end;
	/*
	 * Harts that can run the kernel: /cpus children with device_type "cpu",
	 * status absent/"okay", and an "mmu-type" other than "riscv,none"
	 * (cores without one, like sifive_u's monitor core, are M-mode only).
	 * In document order.
	 */
	unsigned int hart_count;
	uint32_t hart_ids[CONFIG_MAX_HARTS];
	/* Root "model", truncated to fit, always NUL-terminated ("" if absent). */
	char model[64];
	/* DT_TRUNC_* bits: tables that overflowed keep their first entries. */
	unsigned int truncated;
};

/*
 * Fill *out from the tree. Returns 0 or a negative error; *out is zeroed
 * first, and after an error holds whatever was parsed before it:
 *  -RV_ENOENT   no usable memory range, or no timebase-frequency
 *  -RV_EINVAL   initrd end < start, only one initrd bound, or a zero timebase
 *  -RV_EBADMSG  a property this needs has the wrong size or shape (reg not a
 *               whole number of entries, cpu reg wider than 32 bits, ...)
 *  -RV_ERANGE   a memory or reserved range wraps past 2^64, or a reg needs
 *               more than 2 cells
 * Tables that fill up are not an error: see truncated. hart_count may be 0;
 * the caller decides whether that is fatal.
 */
int dt_parse_boot_info(const struct fdt *fdt, struct boot_info *out);

/*
 * First node with status okay whose compatible contains compat. Stores its
 * first reg entry in *base and *size (both 0 if it has no reg) and the first
 * cell of "interrupts" in *irq (0 if it has no "interrupts";
 * interrupts-extended is not decoded). Any output pointer may be NULL.
 * Returns the node offset (>= 0, for reading further properties such as
 * clock-frequency), -RV_ENOENT if no node matches, or -RV_EBADMSG /
 * -RV_ERANGE if its reg or interrupts cannot be decoded.
 */
int dt_find_device(const struct fdt *fdt, const char *compat, uint64_t *base, uint64_t *size,
		   uint32_t *irq);

/*
 * Is ext (a multi-letter extension, lower case: "zkr") one of the
 * '_'-separated extensions of a riscv,isa string of len bytes
 * ("rv64imafdc_zicsr_zkr_sstc")? The first token, the base ISA with its
 * single-letter extensions, never matches.
 */
bool dt_isa_has_extension(const char *isa, uint32_t len, const char *ext);

/*
 * Does the cpu node of hart `hart` list ext: in riscv,isa-extensions (a
 * string list) if it has one, else in its riscv,isa string? false when
 * there is no such cpu node.
 */
bool dt_hart_has_extension(const struct fdt *fdt, uint64_t hart, const char *ext);

#endif /* KERNEL_DEVICETREE_H */
