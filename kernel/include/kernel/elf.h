/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validation of ELF64 RISC-V executables for the program loader.
 *
 * elf_parse only reads the image (any alignment) and never writes memory; it
 * checks everything the loader relies on, so the loader can map and copy the
 * listed segments without further checks:
 *  - every segment lies in [user_base, user_top) and its file bytes
 *    [offset, offset + filesz) lie in the image;
 *  - filesz <= memsz <= CONFIG_ELF_MAX_SEGMENT_BYTES, memsz > 0;
 *  - vaddr and offset are congruent modulo 4096, so each page can be filled
 *    from the file at the same in-page offset;
 *  - segments do not share a page (ranges compared after rounding out to whole
 *    pages), so each page gets exactly one set of permissions;
 *  - no segment is both writable and executable, and each grants some access;
 *  - the entry point lies inside an executable segment.
 * Program headers other than PT_LOAD are ignored, as are PT_LOAD entries with
 * p_memsz == 0 (they map nothing). Section headers are not looked at.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <stddef.h>
#include <stdint.h>

/* Segment permissions: the ELF p_flags bits PF_X, PF_W, PF_R. */
#define ELF_X 0x1u
#define ELF_W 0x2u
#define ELF_R 0x4u

struct elf_segment {
	uint64_t vaddr;		/* first byte in user space */
	uint64_t memsz;		/* bytes in memory; those past filesz are zero */
	uint64_t offset;	/* first byte in the image */
	uint64_t filesz;	/* bytes copied from the image */
	uint32_t flags;		/* ELF_R | ELF_W | ELF_X; other p_flags bits dropped */
};

struct elf_image {
	uint64_t entry;
	unsigned int segment_count;	/* PT_LOAD segments, in program-header order */
	struct elf_segment segments[CONFIG_ELF_MAX_SEGMENTS];
	/*
	 * Why the image was refused (a static string, e.g. "bad magic"), for
	 * "spawn NAME: not a valid program: <error>"; NULL after success.
	 */
	const char *error;
};

/*
 * Check image[0, size) as a program to run in user space [user_base, user_top)
 * and describe it in *out. 0 on success; -RV_ENOEXEC for any defect of the
 * image, with out->error saying which; -RV_EINVAL when the caller's arguments
 * are wrong (NULL image, user_base/user_top not page-aligned or inverted),
 * with out->error "bad arguments" (out itself must not be NULL). After a
 * failure only out->error is meaningful.
 */
int elf_parse(const void *image, size_t size, uintptr_t user_base, uintptr_t user_top,
	      struct elf_image *out);

#endif /* KERNEL_ELF_H */
