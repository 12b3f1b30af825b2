// SPDX-License-Identifier: Apache-2.0
/*
 * Host tests for the ELF64 validator (kernel/elf.c).
 *
 * Images are built in C by a small builder from a description (header fields
 * plus program headers), so every refusal reason gets an image with exactly
 * that one defect. Each image handed to elf_parse is a heap block of exactly
 * its size, so AddressSanitizer turns any read past the end into a failure;
 * every truncation of a valid image and thousands of randomly corrupted
 * headers go through the parser for the same reason. One real executable, made
 * by the cross toolchain, is embedded as bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rvos/errno.h>
#include <rvos/memory_map.h>
#include <kernel/elf.h>

#include "unittest.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define UBASE RV_USER_BASE
#define UTOP RV_USER_TOP
#define TEXT RV_USER_TEXT_BASE

#define PT_LOAD 1
#define PT_GNU_STACK 0x6474e551
#define PT_RISCV_ATTRIBUTES 0x70000003

/* ---- builder ---- */

struct phdr_spec {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

struct elf_spec {
	uint8_t ident[16];
	uint16_t type, machine, ehsize, phentsize, phnum;
	uint32_t version, flags;
	uint64_t entry, phoff;
	unsigned int nph;		/* program headers written (phnum may claim others) */
	struct phdr_spec ph[40];
	size_t size;			/* bytes of the image */
};

static void put(uint8_t *img, size_t size, size_t at, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		if (at + i < size)	/* the builder writes only what fits */
			img[at + i] = (uint8_t)(v >> (8 * i));
	}
}

/* A heap image of exactly s->size bytes: filler, then header and program headers. */
static uint8_t *build(const struct elf_spec *s)
{
	uint8_t *img = malloc(s->size ? s->size : 1);
	size_t i, n = s->size;

	if (!img)
		abort();
	for (i = 0; i < n; i++)
		img[i] = (uint8_t)(i * 13 + 5);	/* stands for code and data */
	for (i = 0; i < 16; i++)
		put(img, n, i, s->ident[i], 1);
	put(img, n, 16, s->type, 2);
	put(img, n, 18, s->machine, 2);
	put(img, n, 20, s->version, 4);
	put(img, n, 24, s->entry, 8);
	put(img, n, 32, s->phoff, 8);
	put(img, n, 40, 0, 8);		/* e_shoff: no section headers */
	put(img, n, 48, s->flags, 4);
	put(img, n, 52, s->ehsize, 2);
	put(img, n, 54, s->phentsize, 2);
	put(img, n, 56, s->phnum, 2);
	put(img, n, 58, 64, 2);		/* e_shentsize */
	put(img, n, 60, 0, 2);		/* e_shnum */
	put(img, n, 62, 0, 2);		/* e_shstrndx */
	for (i = 0; i < s->nph; i++) {
		const struct phdr_spec *p = &s->ph[i];
		size_t at = s->phoff + i * 56;

		if (s->phoff > n)
			break;
		put(img, n, at, p->type, 4);
		put(img, n, at + 4, p->flags, 4);
		put(img, n, at + 8, p->offset, 8);
		put(img, n, at + 16, p->vaddr, 8);
		put(img, n, at + 24, p->vaddr, 8);	/* p_paddr */
		put(img, n, at + 32, p->filesz, 8);
		put(img, n, at + 40, p->memsz, 8);
		put(img, n, at + 48, p->align, 8);
	}
	return img;
}

static struct phdr_spec load(uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t filesz,
			     uint64_t memsz)
{
	struct phdr_spec p = { PT_LOAD, flags, offset, vaddr, filesz, memsz, 0x1000 };

	return p;
}

/*
 * Shaped like a small static program from GNU ld: one R+X segment from file
 * offset 0 (headers and code), one RW segment (data, then bss), plus the
 * PT_RISCV_ATTRIBUTES and PT_GNU_STACK headers ld adds. The image ends at the
 * last byte of the data segment, so any truncation cuts a segment.
 *
 *   0x000 ELF header, 0x040 4 program headers, 0x120 attributes (0x10 bytes),
 *   0x140 code (entry) .. 0x200, 0x200 data (0x30 bytes, 0x500 in memory)
 */
static struct elf_spec valid_spec(void)
{
	struct elf_spec s;

	memset(&s, 0, sizeof(s));
	memcpy(s.ident, "\x7f" "ELF\x02\x01\x01", 7);
	s.type = 2;
	s.machine = 243;
	s.version = 1;
	s.entry = TEXT + 0x140;
	s.phoff = 64;
	s.flags = 0x1;	/* RVC, soft float (lp64) */
	s.ehsize = 64;
	s.phentsize = 56;
	s.nph = s.phnum = 4;
	s.ph[0] = (struct phdr_spec){ PT_RISCV_ATTRIBUTES, ELF_R, 0x120, 0, 0x10, 0, 1 };
	s.ph[1] = load(ELF_R | ELF_X, 0, TEXT, 0x200, 0x200);
	s.ph[2] = load(ELF_R | ELF_W, 0x200, TEXT + 0x1200, 0x30, 0x500);
	s.ph[3] = (struct phdr_spec){ PT_GNU_STACK, ELF_R | ELF_W, 0, 0, 0, 0, 16 };
	s.size = 0x230;
	return s;
}

static int parse_spec(const struct elf_spec *s, struct elf_image *out)
{
	uint8_t *img = build(s);
	int r = elf_parse(img, s->size, UBASE, UTOP, out);

	free(img);
	return r;
}

/* The spec must be refused with exactly this reason. */
#define EXPECT_REFUSED(spec, why)                                  \
	do {                                                       \
		struct elf_image out_;                             \
		CHECK_EQ_INT(parse_spec(&(spec), &out_), -RV_ENOEXEC); \
		CHECK_EQ_STR(out_.error, why);                     \
	} while (0)

#define EXPECT_VALID(spec)                                 \
	do {                                               \
		struct elf_image out_;                     \
		CHECK_EQ_INT(parse_spec(&(spec), &out_), 0); \
		CHECK_EQ_STR(out_.error, NULL);            \
	} while (0)

/*
 * What the loader relies on, checked independently of the parser: used on
 * every image the parser accepts, including randomly corrupted ones.
 */
static bool loader_safe(const struct elf_image *e, size_t size)
{
	unsigned int i, j;
	bool entry_ok = false;

	if (e->segment_count < 1 || e->segment_count > CONFIG_ELF_MAX_SEGMENTS)
		return false;
	for (i = 0; i < e->segment_count; i++) {
		const struct elf_segment *s = &e->segments[i];

		if (s->memsz == 0 || s->filesz > s->memsz ||
		    s->memsz > CONFIG_ELF_MAX_SEGMENT_BYTES || s->offset > size ||
		    s->filesz > size - s->offset || s->vaddr < UBASE || s->vaddr > UTOP ||
		    s->memsz > UTOP - s->vaddr || (s->vaddr - s->offset) % 4096 != 0 ||
		    (s->flags & ~(ELF_R | ELF_W | ELF_X)) || s->flags == 0 ||
		    (s->flags & (ELF_W | ELF_X)) == (ELF_W | ELF_X))
			return false;
		for (j = 0; j < i; j++) {
			const struct elf_segment *t = &e->segments[j];

			if (s->vaddr / 4096 <= (t->vaddr + t->memsz - 1) / 4096 &&
			    t->vaddr / 4096 <= (s->vaddr + s->memsz - 1) / 4096)
				return false;
		}
		if ((s->flags & ELF_X) && e->entry >= s->vaddr && e->entry < s->vaddr + s->memsz)
			entry_ok = true;
	}
	return entry_ok;
}

/* ---- valid images ---- */

static void test_valid(void)
{
	struct elf_spec s = valid_spec();
	struct elf_image e;

	CHECK_EQ_INT(parse_spec(&s, &e), 0);
	CHECK_EQ_STR(e.error, NULL);
	CHECK_EQ_UINT(e.entry, TEXT + 0x140);
	CHECK_EQ_UINT(e.segment_count, 2);	/* attributes and stack headers ignored */
	CHECK_EQ_UINT(e.segments[0].vaddr, TEXT);
	CHECK_EQ_UINT(e.segments[0].offset, 0);
	CHECK_EQ_UINT(e.segments[0].filesz, 0x200);
	CHECK_EQ_UINT(e.segments[0].memsz, 0x200);
	CHECK_EQ_UINT(e.segments[0].flags, ELF_R | ELF_X);
	CHECK_EQ_UINT(e.segments[1].vaddr, TEXT + 0x1200);
	CHECK_EQ_UINT(e.segments[1].offset, 0x200);
	CHECK_EQ_UINT(e.segments[1].filesz, 0x30);
	CHECK_EQ_UINT(e.segments[1].memsz, 0x500);
	CHECK_EQ_UINT(e.segments[1].flags, ELF_R | ELF_W);
	CHECK(loader_safe(&e, s.size));

	/* Extra p_flags bits (OS/processor specific) are dropped. */
	s.ph[1].flags |= 0x00f00000 | 0xf0000000;
	CHECK_EQ_INT(parse_spec(&s, &e), 0);
	CHECK_EQ_UINT(e.segments[0].flags, ELF_R | ELF_X);

	/* Boundaries that are fine: first and last page of user space, entry at a segment start. */
	s = valid_spec();
	s.ph[1].vaddr = UBASE;
	s.ph[2].vaddr = UTOP - 0x1000 + 0x200;
	s.ph[2].memsz = 0x1000 - 0x200;
	s.entry = UBASE;
	EXPECT_VALID(s);

	/* PT_LOAD with nothing in memory is skipped, whatever its address. */
	s = valid_spec();
	s.ph[3] = load(ELF_R, 0, 0, 0, 0);
	EXPECT_VALID(s);

	/* Exactly the maximum number of segments, and of segment bytes. */
	s = valid_spec();
	s.nph = s.phnum = CONFIG_ELF_MAX_SEGMENTS;
	for (unsigned int i = 2; i < CONFIG_ELF_MAX_SEGMENTS; i++)
		s.ph[i] = load(ELF_R, 0x200, TEXT + 0x1200 + 0x2000 * i, 0x30, 0x30);
	s.ph[0] = load(ELF_R | ELF_X, 0, TEXT, 0x200, 0x200);
	s.ph[1] = load(ELF_R | ELF_W, 0, 0x2000000000UL, 0, CONFIG_ELF_MAX_SEGMENT_BYTES);
	s.phoff = 0x400;
	s.size = 0x400 + 56 * CONFIG_ELF_MAX_SEGMENTS;
	EXPECT_VALID(s);

	/* W without R is accepted (the loader maps it RW). */
	s = valid_spec();
	s.ph[2].flags = ELF_W;
	EXPECT_VALID(s);
}

/*
 * A real executable: prog.c below built with the cross toolchain (GCC 12.2,
 * binutils) and stripped:
 *
 *   long counter = 5;
 *   char buf[300];
 *   void _start(void)
 *   {
 *           buf[counter++] = 1;
 *           for (;;)
 *                   __asm__ volatile("li a7, 93\n ecall");
 *   }
 *
 *   riscv64-unknown-elf-gcc -march=rv64imac -mabi=lp64 -mcmodel=medany -O2 \
 *       -nostdlib -static -no-pie -Wl,-Ttext-segment=0x1000010000 \
 *       -Wl,--build-id=none -Wl,-z,max-page-size=4096 -s -o prog prog.c
 *
 * readelf -l: RISCV_ATTRIBUTES off 0x13e; LOAD off 0 vaddr 0x1000010000
 * filesz/memsz 0x10e R E; LOAD off 0x110 vaddr 0x1000011110 filesz 0x8
 * memsz 0x138 RW; entry 0x10000100e8. Section headers follow the data.
 */
static const uint8_t real_prog[] = {
	0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0xf3, 0x00, 0x01, 0x00, 0x00, 0x00,
	0xe8, 0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xb0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x40, 0x00, 0x38, 0x00, 0x03, 0x00, 0x40, 0x00,
	0x07, 0x00, 0x06, 0x00, 0x03, 0x00, 0x00, 0x70, 0x04, 0x00, 0x00, 0x00,
	0x3e, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0e, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0e, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x00, 0x00, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x10, 0x11, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x11, 0x01, 0x00,
	0x10, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x38, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x17, 0x17, 0x00, 0x00, 0x13, 0x07, 0x87, 0x02,
	0x14, 0x63, 0x93, 0x87, 0xa1, 0x80, 0x13, 0x86, 0x16, 0x00, 0xb6, 0x97,
	0x10, 0xe3, 0x05, 0x47, 0x23, 0x80, 0xe7, 0x00, 0x93, 0x08, 0xd0, 0x05,
	0x73, 0x00, 0x00, 0x00, 0xe5, 0xbf, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x47, 0x43, 0x43, 0x3a, 0x20, 0x28, 0x31, 0x32,
	0x2e, 0x32, 0x2e, 0x30, 0x2d, 0x31, 0x34, 0x2b, 0x64, 0x65, 0x62, 0x31,
	0x32, 0x75, 0x31, 0x2b, 0x31, 0x31, 0x2b, 0x62, 0x32, 0x29, 0x20, 0x31,
	0x32, 0x2e, 0x32, 0x2e, 0x30, 0x00, 0x41, 0x33, 0x00, 0x00, 0x00, 0x72,
	0x69, 0x73, 0x63, 0x76, 0x00, 0x01, 0x29, 0x00, 0x00, 0x00, 0x04, 0x10,
	0x05, 0x72, 0x76, 0x36, 0x34, 0x69, 0x32, 0x70, 0x31, 0x5f, 0x6d, 0x32,
	0x70, 0x30, 0x5f, 0x61, 0x32, 0x70, 0x31, 0x5f, 0x63, 0x32, 0x70, 0x30,
	0x5f, 0x7a, 0x6d, 0x6d, 0x75, 0x6c, 0x31, 0x70, 0x30, 0x00, 0x00, 0x2e,
	0x73, 0x68, 0x73, 0x74, 0x72, 0x74, 0x61, 0x62, 0x00, 0x2e, 0x74, 0x65,
	0x78, 0x74, 0x00, 0x2e, 0x73, 0x64, 0x61, 0x74, 0x61, 0x00, 0x2e, 0x62,
	0x73, 0x73, 0x00, 0x2e, 0x63, 0x6f, 0x6d, 0x6d, 0x65, 0x6e, 0x74, 0x00,
	0x2e, 0x72, 0x69, 0x73, 0x63, 0x76, 0x2e, 0x61, 0x74, 0x74, 0x72, 0x69,
	0x62, 0x75, 0x74, 0x65, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe8, 0x00, 0x01, 0x00,
	0x10, 0x00, 0x00, 0x00, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x26, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x10, 0x11, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x18, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x18, 0x11, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00,
	0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x1d, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x26, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3e, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x72, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static void test_real(void)
{
	struct elf_image e;
	uint8_t *img = malloc(sizeof(real_prog));
	size_t len;

	if (!img)
		abort();
	memcpy(img, real_prog, sizeof(real_prog));
	CHECK_EQ_INT(elf_parse(img, sizeof(real_prog), UBASE, UTOP, &e), 0);
	CHECK_EQ_UINT(e.entry, 0x10000100e8UL);
	CHECK_EQ_UINT(e.segment_count, 2);
	CHECK_EQ_UINT(e.segments[0].vaddr, 0x1000010000UL);
	CHECK_EQ_UINT(e.segments[0].offset, 0);
	CHECK_EQ_UINT(e.segments[0].filesz, 0x10e);
	CHECK_EQ_UINT(e.segments[0].memsz, 0x10e);
	CHECK_EQ_UINT(e.segments[0].flags, ELF_R | ELF_X);
	CHECK_EQ_UINT(e.segments[1].vaddr, 0x1000011110UL);
	CHECK_EQ_UINT(e.segments[1].offset, 0x110);
	CHECK_EQ_UINT(e.segments[1].filesz, 0x8);
	CHECK_EQ_UINT(e.segments[1].memsz, 0x138);
	CHECK_EQ_UINT(e.segments[1].flags, ELF_R | ELF_W);
	free(img);

	/* Truncated: fine once the data segment's file bytes are all there. */
	for (len = 0; len < sizeof(real_prog); len++) {
		int r;

		img = malloc(len ? len : 1);
		if (!img)
			abort();
		memcpy(img, real_prog, len);
		r = elf_parse(img, len, UBASE, UTOP, &e);
		if (len < 0x118)
			CHECK_EQ_INT(r, -RV_ENOEXEC);
		else
			CHECK_EQ_INT(r, 0);
		free(img);
	}

	/* Linked below user space: refused. */
	img = malloc(sizeof(real_prog));
	if (!img)
		abort();
	memcpy(img, real_prog, sizeof(real_prog));
	CHECK_EQ_INT(elf_parse(img, sizeof(real_prog), UBASE + 0x100000, UTOP, &e), -RV_ENOEXEC);
	CHECK_EQ_STR(e.error, "segment outside user space");
	free(img);
}

/* ---- one refusal per reason ---- */

static void test_header_refusals(void)
{
	struct elf_spec s;
	struct elf_image e;
	uint8_t *img;

	s = valid_spec();
	s.size = 63;
	EXPECT_REFUSED(s, "image smaller than the ELF header");
	s.size = 0;
	EXPECT_REFUSED(s, "image smaller than the ELF header");

	s = valid_spec();
	s.ident[1] = 'e';
	EXPECT_REFUSED(s, "bad magic");
	s = valid_spec();
	s.ident[0] = 0;
	EXPECT_REFUSED(s, "bad magic");
	s = valid_spec();
	s.ident[2] = 'l';
	EXPECT_REFUSED(s, "bad magic");
	s = valid_spec();
	s.ident[3] = 'G';
	EXPECT_REFUSED(s, "bad magic");

	s = valid_spec();
	s.ident[4] = 1;	/* ELFCLASS32 */
	EXPECT_REFUSED(s, "not ELFCLASS64");

	s = valid_spec();
	s.ident[5] = 2;	/* ELFDATA2MSB */
	EXPECT_REFUSED(s, "not little-endian");

	s = valid_spec();
	s.ident[6] = 0;
	EXPECT_REFUSED(s, "bad e_ident version");

	s = valid_spec();
	s.version = 2;
	EXPECT_REFUSED(s, "bad e_version");

	s = valid_spec();
	s.type = 3;	/* ET_DYN: a PIE */
	EXPECT_REFUSED(s, "not an executable (ET_EXEC)");
	s.type = 1;	/* ET_REL */
	EXPECT_REFUSED(s, "not an executable (ET_EXEC)");

	s = valid_spec();
	s.machine = 62;	/* x86-64 */
	EXPECT_REFUSED(s, "not RISC-V (e_machine)");
	s.machine = 243 + 256;
	EXPECT_REFUSED(s, "not RISC-V (e_machine)");

	s = valid_spec();
	s.phentsize = 64;
	EXPECT_REFUSED(s, "bad e_phentsize");
	s.phentsize = 0;
	EXPECT_REFUSED(s, "bad e_phentsize");

	/* The float ABI in e_flags: soft (and the RVC bit) always; single
	 * and double only with CONFIG_FPU; quad never. */
	s = valid_spec();
	s.flags = 0x1; /* EF_RISCV_RVC */
	EXPECT_VALID(s);
	s.flags = 0x5; /* RVC | double */
#ifdef CONFIG_FPU
	EXPECT_VALID(s);
	s.flags = 0x3; /* RVC | single */
	EXPECT_VALID(s);
	s.flags = 0x7;
	EXPECT_REFUSED(s, "built for the quad-precision float ABI (no Q extension)");
#else
	EXPECT_REFUSED(s, "built for a hardware float ABI (lp64f/lp64d): this kernel has no "
			  "CONFIG_FPU");
	s.flags = 0x2;
	EXPECT_REFUSED(s, "built for a hardware float ABI (lp64f/lp64d): this kernel has no "
			  "CONFIG_FPU");
#endif

	/* Program header table out of the file, including offsets that would wrap. */
	s = valid_spec();
	s.phoff = s.size - 10;
	EXPECT_REFUSED(s, "program headers outside the image");
	s.phoff = s.size + 1;
	EXPECT_REFUSED(s, "program headers outside the image");
	s.phoff = UINT64_MAX - 8;
	EXPECT_REFUSED(s, "program headers outside the image");
	s.phoff = UINT64_MAX - 56 * 4 + 1;
	EXPECT_REFUSED(s, "program headers outside the image");
	s = valid_spec();
	s.phnum = 0xffff;
	EXPECT_REFUSED(s, "program headers outside the image");
	s = valid_spec();
	s.phoff = s.size - 4 * 56 + 1;	/* last header one byte short */
	EXPECT_REFUSED(s, "program headers outside the image");

	/* No loadable segment at all. */
	s = valid_spec();
	s.phnum = 0;
	EXPECT_REFUSED(s, "no PT_LOAD segment");
	s = valid_spec();
	s.ph[1].type = 4;	/* PT_NOTE */
	s.ph[2].type = 6;	/* PT_PHDR */
	EXPECT_REFUSED(s, "no PT_LOAD segment");
	s = valid_spec();
	s.ph[1].filesz = s.ph[1].memsz = 0;
	s.ph[2].filesz = s.ph[2].memsz = 0;
	EXPECT_REFUSED(s, "no PT_LOAD segment");

	/* Caller mistakes are -RV_EINVAL, not the image's fault. */
	s = valid_spec();
	img = build(&s);
	CHECK_EQ_INT(elf_parse(img, s.size, UBASE + 1, UTOP, &e), -RV_EINVAL);
	CHECK_EQ_STR(e.error, "bad arguments");
	CHECK_EQ_INT(elf_parse(img, s.size, UBASE, UTOP - 8, &e), -RV_EINVAL);
	CHECK_EQ_INT(elf_parse(img, s.size, UTOP, UBASE, &e), -RV_EINVAL);
	CHECK_EQ_INT(elf_parse(NULL, s.size, UBASE, UTOP, &e), -RV_EINVAL);
	CHECK_EQ_INT(elf_parse(img, s.size, UBASE, UTOP, NULL), -RV_EINVAL);
	CHECK_EQ_INT(elf_parse(img, s.size, UBASE, UTOP, &e), 0);
	free(img);
}

static void test_segment_refusals(void)
{
	struct elf_spec s;
	unsigned int i;

	/* One PT_LOAD more than allowed. */
	s = valid_spec();
	s.nph = s.phnum = CONFIG_ELF_MAX_SEGMENTS + 1;
	s.ph[0] = load(ELF_R | ELF_X, 0, TEXT, 0x200, 0x200);
	for (i = 1; i <= CONFIG_ELF_MAX_SEGMENTS; i++)
		s.ph[i] = load(ELF_R, 0x200, TEXT + 0x200 + 0x1000 * i, 0x30, 0x30);
	s.phoff = 0x400;
	s.size = 0x400 + 56 * (CONFIG_ELF_MAX_SEGMENTS + 1);
	EXPECT_REFUSED(s, "too many PT_LOAD segments");

	s = valid_spec();
	s.ph[2].filesz = s.ph[2].memsz + 1;
	EXPECT_REFUSED(s, "p_filesz larger than p_memsz");
	s = valid_spec();
	s.ph[2].filesz = 1;
	s.ph[2].memsz = 0;
	EXPECT_REFUSED(s, "p_filesz larger than p_memsz");

	s = valid_spec();
	s.ph[2].filesz = 0x31;	/* one byte past the end */
	EXPECT_REFUSED(s, "segment data outside the image");
	s = valid_spec();
	s.ph[2].offset = s.size + 0x1000;
	s.ph[2].vaddr = TEXT + 0x1200 + 0x1000 * 16;
	s.ph[2].filesz = 0;
	EXPECT_REFUSED(s, "segment data outside the image");
	s = valid_spec();
	s.ph[2].offset = UINT64_MAX - 0xdff;	/* offset + filesz wraps to a small number */
	s.ph[2].filesz = 0x1000;
	s.ph[2].memsz = 0x1000;
	EXPECT_REFUSED(s, "segment data outside the image");

	s = valid_spec();
	s.ph[2].vaddr = UINT64_MAX - 0xdff;
	s.ph[2].memsz = 0x1000;
	EXPECT_REFUSED(s, "segment wraps around the address space");

	s = valid_spec();
	s.ph[1].vaddr = UBASE - 0x1000;
	s.entry = UBASE - 0x1000 + 0x140;
	EXPECT_REFUSED(s, "segment outside user space");
	s = valid_spec();
	s.ph[2].vaddr = UTOP - 0x1000 + 0x200;
	s.ph[2].memsz = 0x1000 - 0x200 + 1;	/* one byte over the top */
	EXPECT_REFUSED(s, "segment outside user space");
	s = valid_spec();
	s.ph[1].vaddr = UBASE - 1;	/* one byte below */
	s.entry = UBASE;
	EXPECT_REFUSED(s, "segment outside user space");
	s = valid_spec();
	s.ph[2].vaddr = 0x200;	/* a null-page program */
	EXPECT_REFUSED(s, "segment outside user space");

	s = valid_spec();
	s.ph[2].memsz = (uint64_t)CONFIG_ELF_MAX_SEGMENT_BYTES + 1;
	EXPECT_REFUSED(s, "huge p_memsz");
	s.ph[2].memsz = UINT64_MAX;
	EXPECT_REFUSED(s, "huge p_memsz");

	/* Sharing a page without sharing a byte is still an overlap. */
	s = valid_spec();
	s.ph[2].vaddr = TEXT + 0x200;
	EXPECT_REFUSED(s, "segments overlap");
	s = valid_spec();
	s.ph[2].vaddr = TEXT - 0x1000 + 0x200;
	s.ph[2].memsz = 0xe01;	/* last byte at TEXT: the first byte of the text page */
	EXPECT_REFUSED(s, "segments overlap");
	s.ph[2].memsz = 0xe00;	/* ends just below: fine */
	EXPECT_VALID(s);
	s = valid_spec();
	s.ph[2] = s.ph[1];	/* the same segment twice */
	s.ph[2].flags = ELF_R;
	EXPECT_REFUSED(s, "segments overlap");
	s = valid_spec();
	s.ph[2].vaddr = TEXT - 0x1000 + 0x200;	/* fully contains the text page */
	s.ph[2].memsz = 0x1000;
	EXPECT_REFUSED(s, "segments overlap");

	s = valid_spec();
	s.ph[1].flags = ELF_R | ELF_W | ELF_X;
	EXPECT_REFUSED(s, "segment both writable and executable (W^X)");
	s = valid_spec();
	s.ph[2].flags = ELF_W | ELF_X;
	EXPECT_REFUSED(s, "segment both writable and executable (W^X)");

	s = valid_spec();
	s.ph[2].flags = 0;
	EXPECT_REFUSED(s, "segment with no access rights");
	s.ph[2].flags = 0x00f00000;	/* only OS-specific bits */
	EXPECT_REFUSED(s, "segment with no access rights");

	s = valid_spec();
	s.ph[2].offset = 0x208;	/* vaddr ends in 0x200 */
	s.ph[2].filesz = 0x28;
	EXPECT_REFUSED(s, "p_vaddr and p_offset not congruent modulo 4096");
	s = valid_spec();
	s.ph[1].vaddr = TEXT + 0x10;
	s.entry = TEXT + 0x150;
	EXPECT_REFUSED(s, "p_vaddr and p_offset not congruent modulo 4096");

	/* Entry point: must be inside a segment that is executable. */
	s = valid_spec();
	s.entry = TEXT + 0x1200;	/* in the data segment */
	EXPECT_REFUSED(s, "entry point outside the executable segments");
	s.entry = TEXT + 0x200;	/* one past the end of text */
	EXPECT_REFUSED(s, "entry point outside the executable segments");
	s.entry = TEXT - 1;
	EXPECT_REFUSED(s, "entry point outside the executable segments");
	s.entry = 0;
	EXPECT_REFUSED(s, "entry point outside the executable segments");
	s.entry = TEXT + 0x1ff;
	EXPECT_VALID(s);
}

/* ---- robustness ---- */

static void test_truncation(void)
{
	struct elf_spec s = valid_spec();
	uint8_t *full = build(&s);
	struct elf_image e;
	size_t len;

	for (len = 0; len < s.size; len++) {
		uint8_t *img = malloc(len ? len : 1);

		if (!img)
			abort();
		memcpy(img, full, len);
		e.error = NULL;
		CHECK_EQ_INT(elf_parse(img, len, UBASE, UTOP, &e), -RV_ENOEXEC);
		CHECK(e.error != NULL);
		free(img);
	}
	CHECK_EQ_INT(elf_parse(full, s.size, UBASE, UTOP, &e), 0);
	free(full);
}

static uint64_t rng_state = 0x0e1f0e1f0e1fULL;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Corrupt bytes of the headers at random: never a crash, and anything accepted is safe to load. */
static void test_fuzz(void)
{
	struct elf_spec s = valid_spec();
	uint8_t *full = build(&s);
	unsigned int round, accepted = 0;

	for (round = 0; round < 20000; round++) {
		uint8_t *img = malloc(s.size);
		struct elf_image e;
		unsigned int k, flips = 1 + rng() % 4;
		int r;

		if (!img)
			abort();
		memcpy(img, full, s.size);
		for (k = 0; k < flips; k++) {
			size_t at = rng() % (64 + 4 * 56);	/* header and program headers */

			if (rng() & 1)
				img[at] = (uint8_t)rng();
			else
				img[at] ^= (uint8_t)(1u << (rng() % 8));
		}
		r = elf_parse(img, s.size, UBASE, UTOP, &e);
		free(img);
		if (r == 0) {
			accepted++;
			if (!CHECK(loader_safe(&e, s.size)))
				break;
		} else if (!CHECK_EQ_INT(r, -RV_ENOEXEC) || !CHECK(e.error != NULL)) {
			break;
		}
	}
	CHECK(accepted > 100);	/* harmless flips (padding, p_align, p_paddr) pass */
	free(full);
}

int main(void)
{
	RUN(test_valid);
	RUN(test_real);
	RUN(test_header_refusals);
	RUN(test_segment_refusals);
	RUN(test_truncation);
	RUN(test_fuzz);
	return ut_summary("elf");
}
