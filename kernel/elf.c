// SPDX-License-Identifier: Apache-2.0
/*
 * ELF64 executable validation (see kernel/elf.h).
 *
 * Layouts and constants are from the System V gABI (ELF-64 object file
 * format) and the RISC-V ELF psABI (EM_RISCV = 243). Fields are read byte by
 * byte as little-endian, so the image may sit at any alignment and a hostile
 * one cannot cause a misaligned access.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rvos/errno.h>
#include <kernel/elf.h>
#include <kernel/page.h>
#include <kernel/printk.h>

/* Why an image is refused: the text, or with brief kernel messages
 * (CONFIG_KERNEL_VERBOSE_MESSAGES=n) the number of the check here. */
#define WHY(n, text) KMSG(text, "ELF check " #n)

/* e_ident */
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1

/* Elf64_Ehdr fields */
#define EH_TYPE 16
#define EH_MACHINE 18
#define EH_VERSION 20
#define EH_ENTRY 24
#define EH_PHOFF 32
#define EH_FLAGS 48
/* e_flags: the float ABI (RISC-V psABI): soft, single, double, quad. */
#define EF_RISCV_FLOAT_ABI 0x6u
#define EF_RISCV_FLOAT_ABI_QUAD 0x6u
#define EH_PHENTSIZE 54
#define EH_PHNUM 56
#define EHDR_SIZE 64

#define ET_EXEC 2
#define EM_RISCV 243

/* Elf64_Phdr fields */
#define PH_TYPE 0
#define PH_FLAGS 4
#define PH_OFFSET 8
#define PH_VADDR 16
#define PH_FILESZ 32
#define PH_MEMSZ 40
#define PHDR_SIZE 56

#define PT_LOAD 1

#define PAGE_OFFSET_MASK ((uint64_t)PAGE_SIZE - 1)

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static int refuse(struct elf_image *out, const char *why)
{
	out->error = why;
	return -RV_ENOEXEC;
}

/* Whole pages touched by two non-empty segments intersect. */
static bool pages_overlap(const struct elf_segment *a, const struct elf_segment *b)
{
	/* Compare page numbers of first and last bytes: rounding up could overflow. */
	uint64_t a_first = a->vaddr >> PAGE_SHIFT, a_last = (a->vaddr + a->memsz - 1) >> PAGE_SHIFT;
	uint64_t b_first = b->vaddr >> PAGE_SHIFT, b_last = (b->vaddr + b->memsz - 1) >> PAGE_SHIFT;

	return a_first <= b_last && b_first <= a_last;
}

/* Check one PT_LOAD entry (memsz > 0) and append it to out. NULL or why it is refused. */
static const char *add_segment(const uint8_t *ph, size_t size, uint64_t user_base,
			       uint64_t user_top, struct elf_image *out)
{
	struct elf_segment seg;
	unsigned int i;

	seg.flags = rd32(ph + PH_FLAGS) & (ELF_R | ELF_W | ELF_X);
	seg.offset = rd64(ph + PH_OFFSET);
	seg.vaddr = rd64(ph + PH_VADDR);
	seg.filesz = rd64(ph + PH_FILESZ);
	seg.memsz = rd64(ph + PH_MEMSZ);

	if (out->segment_count == CONFIG_ELF_MAX_SEGMENTS)
		return WHY(1, "too many PT_LOAD segments");
	/* Checked again on the values kept: the image may be shared memory
	 * that a device writes while it is read. */
	if (seg.filesz > seg.memsz)
		return WHY(2, "p_filesz larger than p_memsz");
	if (seg.memsz > CONFIG_ELF_MAX_SEGMENT_BYTES)
		return WHY(3, "huge p_memsz");
	if (seg.offset > size || seg.filesz > size - seg.offset)
		return WHY(4, "segment data outside the image");
	if (seg.vaddr > UINT64_MAX - seg.memsz)
		return WHY(5, "segment wraps around the address space");
	if (seg.vaddr < user_base || seg.vaddr + seg.memsz > user_top)
		return WHY(6, "segment outside user space");
	/* The loader fills each page from the file at the same in-page offset. */
	if ((seg.vaddr & PAGE_OFFSET_MASK) != (seg.offset & PAGE_OFFSET_MASK))
		return WHY(7, "p_vaddr and p_offset not congruent modulo 4096");
	if ((seg.flags & ELF_W) && (seg.flags & ELF_X))
		return WHY(8, "segment both writable and executable (W^X)");
	/* A page table entry with no R, W or X bit would be a pointer to a table. */
	if (seg.flags == 0)
		return WHY(9, "segment with no access rights");
	/* Pages are mapped with one set of permissions each: no page may be shared. */
	for (i = 0; i < out->segment_count; i++) {
		if (pages_overlap(&seg, &out->segments[i]))
			return WHY(10, "segments overlap");
	}
	out->segments[out->segment_count++] = seg;
	return NULL;
}

int elf_parse(const void *image, size_t size, uintptr_t user_base, uintptr_t user_top,
	      struct elf_image *out)
{
	const uint8_t *img = image;
	uint64_t phoff;
	unsigned int phnum, i;

	if (!out)
		return -RV_EINVAL;
	out->segment_count = 0;
	out->entry = 0;
	if (!image || (user_base & PAGE_OFFSET_MASK) || (user_top & PAGE_OFFSET_MASK) ||
	    user_base >= user_top) {
		out->error = WHY(11, "bad arguments");
		return -RV_EINVAL;
	}

	if (size < EHDR_SIZE)
		return refuse(out, WHY(12, "image smaller than the ELF header"));
	if (img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F')
		return refuse(out, WHY(13, "bad magic"));
	if (img[EI_CLASS] != ELFCLASS64)
		return refuse(out, WHY(14, "not ELFCLASS64"));
	if (img[EI_DATA] != ELFDATA2LSB)
		return refuse(out, WHY(15, "not little-endian"));
	if (img[EI_VERSION] != EV_CURRENT)
		return refuse(out, WHY(16, "bad e_ident version"));
	if (rd32(img + EH_VERSION) != EV_CURRENT)
		return refuse(out, WHY(17, "bad e_version"));
	/* Position-independent (ET_DYN) programs would need relocating: not supported. */
	if (rd16(img + EH_TYPE) != ET_EXEC)
		return refuse(out, WHY(18, "not an executable (ET_EXEC)"));
	if (rd16(img + EH_MACHINE) != EM_RISCV)
		return refuse(out, WHY(19, "not RISC-V (e_machine)"));
	if (rd16(img + EH_PHENTSIZE) != PHDR_SIZE)
		return refuse(out, WHY(20, "bad e_phentsize"));
	/* Built to pass floats in FP registers: only with the FP unit
	 * (CONFIG_FPU), and never for Q (no such hardware here). */
#ifdef CONFIG_FPU
	if ((rd32(img + EH_FLAGS) & EF_RISCV_FLOAT_ABI) == EF_RISCV_FLOAT_ABI_QUAD)
		return refuse(out, WHY(21, "built for the quad-precision float ABI (no Q extension)"));
#else
	if (rd32(img + EH_FLAGS) & EF_RISCV_FLOAT_ABI)
		return refuse(out, WHY(22, "built for a hardware float ABI (lp64f/lp64d): this kernel has no "
				   "CONFIG_FPU"));
#endif

	phoff = rd64(img + EH_PHOFF);
	phnum = rd16(img + EH_PHNUM);
	/* phnum * PHDR_SIZE < 2^22: no overflow; compare by subtraction so phoff cannot wrap. */
	if (phoff > size || (uint64_t)phnum * PHDR_SIZE > size - phoff)
		return refuse(out, WHY(23, "program headers outside the image"));

	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (size_t)i * PHDR_SIZE;
		const char *why;

		if (rd32(ph + PH_TYPE) != PT_LOAD)
			continue;
		if (rd64(ph + PH_FILESZ) > rd64(ph + PH_MEMSZ))
			return refuse(out, WHY(24, "p_filesz larger than p_memsz"));
		if (rd64(ph + PH_MEMSZ) == 0)
			continue;	/* maps nothing */
		why = add_segment(ph, size, user_base, user_top, out);
		if (why)
			return refuse(out, why);
	}
	if (out->segment_count == 0)
		return refuse(out, WHY(25, "no PT_LOAD segment"));

	out->entry = rd64(img + EH_ENTRY);
	for (i = 0; i < out->segment_count; i++) {
		const struct elf_segment *s = &out->segments[i];

		if ((s->flags & ELF_X) && out->entry >= s->vaddr &&
		    out->entry - s->vaddr < s->memsz) {
			out->error = NULL;
			return 0;
		}
	}
	return refuse(out, WHY(26, "entry point outside the executable segments"));
}
