// SPDX-License-Identifier: Apache-2.0
/*
 * Test-only DTB writer. See fdt_builder.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt_builder.h"

#define TOK_BEGIN_NODE 1u
#define TOK_END_NODE 2u
#define TOK_PROP 3u
#define TOK_NOP 4u
#define TOK_END 9u

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "fdt_builder: out of memory\n");
		abort();
	}
	return q;
}

/* Grow a buffer so it can take extra more bytes. */
static void reserve(void **buf, size_t *cap, size_t len, size_t extra)
{
	size_t want = len + extra;

	if (want <= *cap)
		return;
	while (*cap < want)
		*cap = *cap ? *cap * 2 : 256;
	*buf = xrealloc(*buf, *cap);
}

void fdtb_put32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = (uint8_t)(v >> 24);
	p[off + 1] = (uint8_t)(v >> 16);
	p[off + 2] = (uint8_t)(v >> 8);
	p[off + 3] = (uint8_t)v;
}

uint32_t fdtb_get32(const uint8_t *p, size_t off)
{
	return ((uint32_t)p[off] << 24) | ((uint32_t)p[off + 1] << 16) |
	       ((uint32_t)p[off + 2] << 8) | p[off + 3];
}

void fdtb_init(struct fdtb *b)
{
	memset(b, 0, sizeof(*b));
}

void fdtb_free(struct fdtb *b)
{
	free(b->st);
	free(b->str);
	memset(b, 0, sizeof(*b));
}

void fdtb_raw_bytes(struct fdtb *b, const void *p, size_t n)
{
	void *buf = b->st;

	reserve(&buf, &b->st_cap, b->st_len, n);
	b->st = buf;
	memcpy(b->st + b->st_len, p, n);
	b->st_len += n;
}

static void pad4(struct fdtb *b)
{
	static const uint8_t zero[4];

	if (b->st_len % 4)
		fdtb_raw_bytes(b, zero, 4 - b->st_len % 4);
}

void fdtb_raw32(struct fdtb *b, uint32_t v)
{
	uint8_t w[4];

	fdtb_put32(w, 0, v);
	fdtb_raw_bytes(b, w, 4);
}

uint32_t fdtb_raw_string_bytes(struct fdtb *b, const void *p, size_t n)
{
	void *buf = b->str;
	uint32_t off = (uint32_t)b->str_len;

	reserve(&buf, &b->str_cap, b->str_len, n);
	b->str = buf;
	memcpy(b->str + b->str_len, p, n);
	b->str_len += n;
	return off;
}

uint32_t fdtb_string(struct fdtb *b, const char *name)
{
	size_t n = strlen(name) + 1;
	size_t off = 0;

	/* Reuse an existing whole string, as dtc does. */
	while (off < b->str_len) {
		size_t len = strnlen(b->str + off, b->str_len - off);

		if (len + 1 == n && off + len < b->str_len && memcmp(b->str + off, name, n) == 0)
			return (uint32_t)off;
		off += len + 1;
	}
	return fdtb_raw_string_bytes(b, name, n);
}

void fdtb_begin_node(struct fdtb *b, const char *name)
{
	fdtb_raw32(b, TOK_BEGIN_NODE);
	fdtb_raw_bytes(b, name, strlen(name) + 1);
	pad4(b);
}

void fdtb_end_node(struct fdtb *b)
{
	fdtb_raw32(b, TOK_END_NODE);
}

void fdtb_nop(struct fdtb *b)
{
	fdtb_raw32(b, TOK_NOP);
}

void fdtb_end(struct fdtb *b)
{
	fdtb_raw32(b, TOK_END);
}

void fdtb_prop(struct fdtb *b, const char *name, const void *val, uint32_t len)
{
	fdtb_raw32(b, TOK_PROP);
	fdtb_raw32(b, len);
	fdtb_raw32(b, fdtb_string(b, name));
	if (len)
		fdtb_raw_bytes(b, val, len);
	pad4(b);
}

void fdtb_prop_empty(struct fdtb *b, const char *name)
{
	fdtb_prop(b, name, NULL, 0);
}

void fdtb_prop_u32(struct fdtb *b, const char *name, uint32_t v)
{
	uint8_t w[4];

	fdtb_put32(w, 0, v);
	fdtb_prop(b, name, w, 4);
}

void fdtb_prop_u64(struct fdtb *b, const char *name, uint64_t v)
{
	uint8_t w[8];

	fdtb_put32(w, 0, (uint32_t)(v >> 32));
	fdtb_put32(w, 4, (uint32_t)v);
	fdtb_prop(b, name, w, 8);
}

void fdtb_prop_str(struct fdtb *b, const char *name, const char *s)
{
	fdtb_prop(b, name, s, (uint32_t)strlen(s) + 1);
}

void fdtb_prop_cells(struct fdtb *b, const char *name, unsigned int n, ...)
{
	uint8_t *w = xrealloc(NULL, (size_t)n * 4);
	va_list ap;
	unsigned int i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		fdtb_put32(w, (size_t)i * 4, va_arg(ap, unsigned int));
	va_end(ap);
	fdtb_prop(b, name, w, n * 4);
	free(w);
}

void fdtb_add_rsv(struct fdtb *b, uint64_t addr, uint64_t size)
{
	if (b->nrsv >= FDTB_MAX_RSV) {
		fprintf(stderr, "fdt_builder: too many reservations\n");
		abort();
	}
	b->rsv[b->nrsv][0] = addr;
	b->rsv[b->nrsv][1] = size;
	b->nrsv++;
}

uint8_t *fdtb_finish(const struct fdtb *b, size_t *size)
{
	size_t rsv_off = FDTB_HDR_SIZE;
	size_t rsv_len = ((size_t)b->nrsv + 1) * 16;
	size_t st_off = rsv_off + rsv_len;
	size_t str_off = st_off + b->st_len;
	size_t total = str_off + b->str_len;
	uint8_t *blob = xrealloc(NULL, total);
	unsigned int i;

	memset(blob, 0, total);
	fdtb_put32(blob, FDTB_HDR_MAGIC, 0xd00dfeedu);
	fdtb_put32(blob, FDTB_HDR_TOTALSIZE, (uint32_t)total);
	fdtb_put32(blob, FDTB_HDR_OFF_STRUCT, (uint32_t)st_off);
	fdtb_put32(blob, FDTB_HDR_OFF_STRINGS, (uint32_t)str_off);
	fdtb_put32(blob, FDTB_HDR_OFF_RSVMAP, (uint32_t)rsv_off);
	fdtb_put32(blob, FDTB_HDR_VERSION, 17);
	fdtb_put32(blob, FDTB_HDR_LAST_COMP, 16);
	fdtb_put32(blob, FDTB_HDR_BOOT_CPUID, b->boot_cpuid);
	fdtb_put32(blob, FDTB_HDR_SIZE_STRINGS, (uint32_t)b->str_len);
	fdtb_put32(blob, FDTB_HDR_SIZE_STRUCT, (uint32_t)b->st_len);
	for (i = 0; i < b->nrsv; i++) {
		fdtb_put32(blob, rsv_off + i * 16, (uint32_t)(b->rsv[i][0] >> 32));
		fdtb_put32(blob, rsv_off + i * 16 + 4, (uint32_t)b->rsv[i][0]);
		fdtb_put32(blob, rsv_off + i * 16 + 8, (uint32_t)(b->rsv[i][1] >> 32));
		fdtb_put32(blob, rsv_off + i * 16 + 12, (uint32_t)b->rsv[i][1]);
	}
	if (b->st_len)
		memcpy(blob + st_off, b->st, b->st_len);
	if (b->str_len)
		memcpy(blob + str_off, b->str, b->str_len);
	*size = total;
	return blob;
}
