/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot_info from the board's fixed description (CONFIG_DEVICE_TREE=n,
 * kernel/board.h). The one fact the description cannot hold is the
 * initrd's place: QEMU loads it at the kernel's entry + min(RAM / 2,
 * 128 MiB) (its riscv_load_initrd; scripts/imagecheck.py checks the image
 * ends below it) and says so only in the device tree. So the kernel looks
 * there for a cpio archive and takes it up to its trailer; when there is
 * none (an app without programs), there is no initrd. Without the archive
 * (CONFIG_INITRD_ARCHIVE=n) it looks for an ELF file there instead and
 * takes it up to the end of its segments and section headers, whichever
 * is last (the loader checks the rest: kernel/elf.c).
 */
#include <rvos/errno.h>
#include <kernel/board.h>
#include <kernel/cpio.h>
#include <kernel/string.h>
#include <kernel/util.h>

#define MIB (1024 * 1024ul)

/* The size of the ELF file at start (at most room bytes), 0: none. */
static size_t elf_file_size(const uint8_t *start, size_t room)
{
	uint64_t end, phoff = *(const uint64_t *)(start + 32);
	unsigned int phnum = *(const uint16_t *)(start + 56);

	if (start[0] != 0x7f || start[1] != 'E' || start[2] != 'L' || start[3] != 'F')
		return 0;
	/* e_shoff + e_shnum * 64, and each program header's p_offset + p_filesz */
	end = *(const uint64_t *)(start + 40) + *(const uint16_t *)(start + 60) * 64ull;
	if (phoff > room || phnum * 56ull > room - phoff)
		return 0;
	for (unsigned int i = 0; i < phnum; i++) {
		const uint8_t *ph = start + phoff + i * 56;
		uint64_t e = *(const uint64_t *)(ph + 8) + *(const uint64_t *)(ph + 32);

		if (e > end)
			end = e;
	}
	return end <= room ? (size_t)end : 0;
}

static void find_initrd(struct boot_info *out)
{
	uint64_t half = board_fixed.ram_size / 2;
	uintptr_t start = CONFIG_KERNEL_LOAD_ADDRESS + (half < 128 * MIB ? half : 128 * MIB);
	size_t room = board_fixed.ram_base + board_fixed.ram_size - start, off = 0;
	struct cpio_entry e;
	int r;

	if (!IS_ENABLED(CONFIG_INITRD_ARCHIVE)) {
		off = elf_file_size((const uint8_t *)start, room);
		if (off) {
			out->initrd_start = start;
			out->initrd_end = start + off;
		}
		return;
	}

	while ((r = cpio_next((const void *)start, room, &off, &e)) == 1)
		;
	if (r < 0 || off == 0)
		return; /* no archive there */
	out->initrd_start = start;
	/* the trailer's header and name (padded), then the archive's padding
	 * to its 512-byte block */
	out->initrd_end = start + ((off + 110 + 11 + 3 + 511) & ~(size_t)511);
}

void board_boot_info(struct boot_info *out, unsigned long hart)
{
	*out = (struct boot_info){0};
	out->mem[0].base = board_fixed.ram_base;
	out->mem[0].size = board_fixed.ram_size;
	out->mem_count = 1;
	out->timebase_hz = board_fixed.timebase_hz;
	out->hart_ids[0] = (uint32_t)hart;
	out->hart_count = 1;
	k_strlcpy(out->model, board_fixed.model, sizeof(out->model));
	find_initrd(out);
}
