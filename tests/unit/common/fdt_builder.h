/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only writer of flattened device trees.
 *
 * It emits tokens exactly as asked, without checking nesting, so tests can
 * produce well-formed trees and deliberately broken ones from the same calls
 * (leave out fdtb_end(), add a stray fdtb_end_node(), write raw words...).
 *
 * Blob layout: header (40 bytes, version 17), memory reservation block,
 * structure block, strings block last. totalsize is exact and the blob is a
 * malloc() of exactly that size, so AddressSanitizer flags any read past it.
 * Allocation failure aborts: this is test code.
 */
#ifndef RVOS_TEST_FDT_BUILDER_H
#define RVOS_TEST_FDT_BUILDER_H

#include <stddef.h>
#include <stdint.h>

/* Header field offsets, for tests that corrupt headers. */
#define FDTB_HDR_MAGIC 0
#define FDTB_HDR_TOTALSIZE 4
#define FDTB_HDR_OFF_STRUCT 8
#define FDTB_HDR_OFF_STRINGS 12
#define FDTB_HDR_OFF_RSVMAP 16
#define FDTB_HDR_VERSION 20
#define FDTB_HDR_LAST_COMP 24
#define FDTB_HDR_BOOT_CPUID 28
#define FDTB_HDR_SIZE_STRINGS 32
#define FDTB_HDR_SIZE_STRUCT 36
#define FDTB_HDR_SIZE 40

#define FDTB_MAX_RSV 16

struct fdtb {
	uint8_t *st;    /* structure block */
	size_t st_len, st_cap;
	char *str;      /* strings block */
	size_t str_len, str_cap;
	uint64_t rsv[FDTB_MAX_RSV][2];
	unsigned int nrsv;
	uint32_t boot_cpuid;
};

void fdtb_init(struct fdtb *b);
void fdtb_free(struct fdtb *b);

void fdtb_begin_node(struct fdtb *b, const char *name);
void fdtb_end_node(struct fdtb *b);
void fdtb_nop(struct fdtb *b);
void fdtb_end(struct fdtb *b);

void fdtb_prop(struct fdtb *b, const char *name, const void *val, uint32_t len);
void fdtb_prop_empty(struct fdtb *b, const char *name);
void fdtb_prop_u32(struct fdtb *b, const char *name, uint32_t v);
void fdtb_prop_u64(struct fdtb *b, const char *name, uint64_t v);
void fdtb_prop_str(struct fdtb *b, const char *name, const char *s);
/* A property of n big-endian 32-bit cells given as unsigned int arguments. */
void fdtb_prop_cells(struct fdtb *b, const char *name, unsigned int n, ...);

/* Raw structure-block words and bytes (bytes are not padded). */
void fdtb_raw32(struct fdtb *b, uint32_t v);
void fdtb_raw_bytes(struct fdtb *b, const void *p, size_t n);
/* Raw bytes appended to the strings block; returns their offset in it. */
uint32_t fdtb_raw_string_bytes(struct fdtb *b, const void *p, size_t n);
/* Offset of name in the strings block, adding it (with NUL) if new. */
uint32_t fdtb_string(struct fdtb *b, const char *name);

void fdtb_add_rsv(struct fdtb *b, uint64_t addr, uint64_t size);

/* Assemble the blob (malloc'd, exact size, caller frees); *size gets its length. */
uint8_t *fdtb_finish(const struct fdtb *b, size_t *size);

/* Big-endian accessors for patching blobs. */
void fdtb_put32(uint8_t *p, size_t off, uint32_t v);
uint32_t fdtb_get32(const uint8_t *p, size_t off);

#endif /* RVOS_TEST_FDT_BUILDER_H */
