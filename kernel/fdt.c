// SPDX-License-Identifier: Apache-2.0
/*
 * Flattened device tree reader. See kernel/fdt.h for the contract.
 *
 * All multi-byte fields are big-endian and are read a byte at a time, so the
 * blob needs no particular alignment in memory. Every offset is checked
 * against the size of the block it lies in before it is dereferenced; the
 * checks are written as "len > end - off" rather than "off + len > end" so
 * that no addition can wrap.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rvos/errno.h>
#include <kernel/fdt.h>
#include <kernel/string.h>

#define FDT_HDR_V16_SIZE 36u /* v16 lacks size_dt_struct */
#define FDT_HDR_V17_SIZE 40u
#define FDT_RSV_ENTRY_SIZE 16u

/* Header field offsets (Devicetree Specification 5.2). */
#define HDR_MAGIC 0
#define HDR_TOTALSIZE 4
#define HDR_OFF_STRUCT 8
#define HDR_OFF_STRINGS 12
#define HDR_OFF_RSVMAP 16
#define HDR_VERSION 20
#define HDR_LAST_COMP 24
#define HDR_BOOT_CPUID 28
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT 36

static uint32_t ld32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t ld64(const uint8_t *p)
{
	return ((uint64_t)ld32(p) << 32) | ld32(p + 4);
}

uint64_t fdt_read_cells(const void *p, uint32_t ncells)
{
	if (ncells == 1)
		return ld32(p);
	if (ncells == 2)
		return ld64(p);
	return 0;
}

/* Property name at nameoff in the strings block, or NULL if out of range or unterminated. */
static const char *prop_name(const struct fdt *fdt, uint32_t nameoff)
{
	const char *s = (const char *)fdt->blob + fdt->strings_off;
	uint32_t room;

	if (nameoff >= fdt->strings_size)
		return NULL;
	room = fdt->strings_size - nameoff;
	if (k_strnlen(s + nameoff, room) == room)
		return NULL;
	return s + nameoff;
}

/*
 * Decode the token at structure offset off: return its tag (or -RV_EBADMSG)
 * and store the offset of the token after it in *next. Node names and
 * property values must lie inside the structure block, property names inside
 * the strings block. Offsets stay below 2^31 (fdt_init caps totalsize), so
 * the "+ 3" alignment step cannot wrap.
 */
static int next_tag(const struct fdt *fdt, uint32_t off, uint32_t *next)
{
	const uint8_t *s = fdt->blob + fdt->struct_off;
	uint32_t end = fdt->struct_size;
	uint32_t tag, len, n;

	if ((off & 3) != 0 || off > end || end - off < 4)
		return -RV_EBADMSG;
	tag = ld32(s + off);
	off += 4;
	switch (tag) {
	case FDT_BEGIN_NODE:
		n = (uint32_t)k_strnlen((const char *)s + off, end - off);
		if (n == end - off)
			return -RV_EBADMSG;
		off += n + 1;
		break;
	case FDT_PROP:
		if (end - off < 8)
			return -RV_EBADMSG;
		len = ld32(s + off);
		if (!prop_name(fdt, ld32(s + off + 4)))
			return -RV_EBADMSG;
		off += 8;
		if (len > end - off)
			return -RV_EBADMSG;
		off += len;
		break;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		break;
	default:
		return -RV_EBADMSG;
	}
	*next = (off + 3) & ~3u;
	return (int)tag;
}

/* Offset of the token after node's FDT_BEGIN_NODE, or -RV_EINVAL if node is not a node. */
static int node_body(const struct fdt *fdt, int node)
{
	uint32_t next;

	if (node < 0 || next_tag(fdt, (uint32_t)node, &next) != (int)FDT_BEGIN_NODE)
		return -RV_EINVAL;
	return (int)next;
}

int fdt_init(struct fdt *fdt, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;
	uint32_t total, version, hdr_size, off, next;
	int depth = -1;
	bool seen_root = false;

	if (!fdt || !blob)
		return -RV_EINVAL;
	if (max_size < FDT_HDR_V17_SIZE)
		return -RV_ERANGE;
	if (ld32(b + HDR_MAGIC) != FDT_MAGIC)
		return -RV_EBADMSG;
	total = ld32(b + HDR_TOTALSIZE);
	if (total > max_size)
		return -RV_ERANGE;
	/* Offsets are ints in the API; no real tree comes near 2 GiB. */
	if (total < FDT_HDR_V17_SIZE || total > 0x7fffffffu)
		return -RV_EBADMSG;
	version = ld32(b + HDR_VERSION);
	if (version < 16 || ld32(b + HDR_LAST_COMP) > 17)
		return -RV_EBADMSG;
	hdr_size = version >= 17 ? FDT_HDR_V17_SIZE : FDT_HDR_V16_SIZE;

	fdt->blob = b;
	fdt->size = total;
	fdt->struct_off = ld32(b + HDR_OFF_STRUCT);
	fdt->strings_off = ld32(b + HDR_OFF_STRINGS);
	fdt->strings_size = ld32(b + HDR_SIZE_STRINGS);
	fdt->rsvmap_off = ld32(b + HDR_OFF_RSVMAP);
	fdt->boot_cpuid = ld32(b + HDR_BOOT_CPUID);

	if (fdt->struct_off < hdr_size || fdt->struct_off > total || (fdt->struct_off & 3) != 0)
		return -RV_EBADMSG;
	if (version >= 17) {
		fdt->struct_size = ld32(b + HDR_SIZE_STRUCT);
		if (fdt->struct_size > total - fdt->struct_off)
			return -RV_EBADMSG;
	} else {
		/* v16 does not record the size: the block may run to the end. */
		fdt->struct_size = total - fdt->struct_off;
	}
	if (fdt->strings_off < hdr_size || fdt->strings_off > total ||
	    fdt->strings_size > total - fdt->strings_off)
		return -RV_EBADMSG;
	/* The reservation block holds 64-bit pairs and at least its terminator. */
	if (fdt->rsvmap_off < hdr_size || (fdt->rsvmap_off & 7) != 0 ||
	    fdt->rsvmap_off > total - FDT_RSV_ENTRY_SIZE)
		return -RV_EBADMSG;

	/*
	 * Walk the whole structure block once so later lookups can trust its
	 * shape: one root at offset 0, balanced nesting no deeper than
	 * CONFIG_DT_MAX_DEPTH, properties only inside nodes, FDT_END at the end.
	 * Every token advances off by at least 4, so this terminates.
	 */
	for (off = 0;; off = next) {
		int tag = next_tag(fdt, off, &next);

		if (tag < 0)
			return tag;
		if (off == 0 && tag != (int)FDT_BEGIN_NODE)
			return -RV_EBADMSG;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (depth < 0 && seen_root)
				return -RV_EBADMSG;
			seen_root = true;
			if (++depth > CONFIG_DT_MAX_DEPTH)
				return -RV_EBADMSG;
			break;
		case FDT_END_NODE:
			if (depth < 0)
				return -RV_EBADMSG;
			depth--;
			break;
		case FDT_PROP:
			if (depth < 0)
				return -RV_EBADMSG;
			break;
		case FDT_END:
			return depth == -1 ? 0 : -RV_EBADMSG;
		default:
			break;
		}
	}
}

int fdt_next_node(const struct fdt *fdt, int offset, int *depth)
{
	uint32_t off, next;
	int rel = 1; /* we start inside the node at offset */
	int body;

	if (offset < 0) {
		if (next_tag(fdt, 0, &next) != (int)FDT_BEGIN_NODE)
			return -RV_EBADMSG;
		if (depth)
			*depth = 0;
		return 0;
	}
	body = node_body(fdt, offset);
	if (body < 0)
		return body;
	for (off = (uint32_t)body;; off = next) {
		int tag = next_tag(fdt, off, &next);

		if (tag < 0)
			return tag;
		if (tag == (int)FDT_BEGIN_NODE) {
			if (depth)
				*depth += rel;
			return (int)off;
		}
		if (tag == (int)FDT_END_NODE)
			rel--;
		else if (tag == (int)FDT_END)
			return -RV_ENOENT;
	}
}

int fdt_first_child(const struct fdt *fdt, int node)
{
	int depth = 0;
	int off;

	if (node < 0)
		return -RV_EINVAL;
	off = fdt_next_node(fdt, node, &depth);
	if (off < 0)
		return off;
	return depth == 1 ? off : -RV_ENOENT;
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
	int depth = 0;
	int off = node;

	if (node < 0)
		return -RV_EINVAL;
	do {
		off = fdt_next_node(fdt, off, &depth);
		if (off < 0)
			return off;
	} while (depth > 0);
	return depth == 0 ? off : -RV_ENOENT;
}

int fdt_parent(const struct fdt *fdt, int node)
{
	int stack[CONFIG_DT_MAX_DEPTH + 1];
	int depth = 0;
	int off;

	if (node_body(fdt, node) < 0)
		return -RV_EINVAL;
	if (node == 0)
		return -RV_ENOENT;
	for (off = fdt_next_node(fdt, -1, &depth); off >= 0;
	     off = fdt_next_node(fdt, off, &depth)) {
		/* fdt_init bounds the depth, but do not trust it with an array index. */
		if (depth < 0 || depth > CONFIG_DT_MAX_DEPTH)
			return -RV_EBADMSG;
		stack[depth] = off;
		if (off == node)
			return depth > 0 ? stack[depth - 1] : -RV_ENOENT;
		if (off > node)
			break;
	}
	/* The offset looked like a node but is not on the tree's node path. */
	return off < 0 && off != -RV_ENOENT ? off : -RV_EINVAL;
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
	if (node_body(fdt, node) < 0)
		return NULL;
	return (const char *)fdt->blob + fdt->struct_off + (uint32_t)node + 4;
}

const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, uint32_t *len)
{
	const uint8_t *s = fdt->blob + fdt->struct_off;
	uint32_t off, next;
	int body = node_body(fdt, node);

	if (body < 0)
		return NULL;
	/* Properties precede subnodes, so stop at the first non-property token. */
	for (off = (uint32_t)body;; off = next) {
		int tag = next_tag(fdt, off, &next);

		if (tag == (int)FDT_NOP)
			continue;
		if (tag != (int)FDT_PROP)
			return NULL;
		/* next_tag validated the length field and the name offset. */
		if (k_streq(prop_name(fdt, ld32(s + off + 8)), name)) {
			if (len)
				*len = ld32(s + off + 4);
			return s + off + 12;
		}
	}
}

const char *fdt_getprop_str(const struct fdt *fdt, int node, const char *name)
{
	uint32_t len;
	const char *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len == 0 || k_strnlen(p, len) == len)
		return NULL;
	return p;
}

int fdt_getprop_u64(const struct fdt *fdt, int node, const char *name, uint64_t *val)
{
	uint32_t len;
	const void *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return -RV_ENOENT;
	if (len != 4 && len != 8)
		return -RV_EBADMSG;
	*val = fdt_read_cells(p, len / 4);
	return 0;
}

bool fdt_stringlist_contains(const char *list, uint32_t len, const char *str)
{
	size_t want = k_strlen(str);
	uint32_t pos = 0;

	while (pos < len) {
		uint32_t n = (uint32_t)k_strnlen(list + pos, len - pos);

		if (n == len - pos)
			return false; /* unterminated tail */
		if (n == want && k_memeq(list + pos, str, n))
			return true;
		pos += n + 1;
	}
	return false;
}

bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	uint32_t len;
	const char *p = fdt_getprop(fdt, node, "compatible", &len);

	return p && fdt_stringlist_contains(p, len, compat);
}

bool fdt_node_is_okay(const struct fdt *fdt, int node)
{
	uint32_t len;
	const char *st;

	if (node_body(fdt, node) < 0)
		return false;
	st = fdt_getprop(fdt, node, "status", &len);
	if (!st)
		return true;
	return fdt_stringlist_contains(st, len, "okay") || fdt_stringlist_contains(st, len, "ok");
}

/* Does node name match the path component comp[0..clen)? */
static bool name_matches(const char *name, const char *comp, size_t clen, bool comp_has_unit)
{
	size_t nlen = k_strnlen(name, clen + 1);

	if (nlen < clen || !k_memeq(name, comp, clen))
		return false;
	if (nlen == clen)
		return true;
	/* "memory" matches "memory@80000000" when no unit address was given. */
	return !comp_has_unit && name[clen] == '@';
}

int fdt_path_offset(const struct fdt *fdt, const char *path)
{
	int node = 0;

	if (!path || path[0] != '/')
		return -RV_EINVAL;
	if (node_body(fdt, 0) < 0)
		return -RV_EBADMSG;
	for (;;) {
		const char *comp;
		size_t clen = 0;
		bool has_unit = false;
		int child;

		while (*path == '/')
			path++;
		if (*path == '\0')
			return node;
		comp = path;
		while (comp[clen] != '\0' && comp[clen] != '/') {
			if (comp[clen] == '@')
				has_unit = true;
			clen++;
		}
		path += clen;

		for (child = fdt_first_child(fdt, node); child >= 0;
		     child = fdt_next_sibling(fdt, child)) {
			if (name_matches(fdt_node_name(fdt, child), comp, clen, has_unit))
				break;
		}
		if (child < 0)
			return child;
		node = child;
	}
}

int fdt_node_by_compatible(const struct fdt *fdt, int start_after, const char *compat)
{
	int off;

	for (off = fdt_next_node(fdt, start_after < 0 ? -1 : start_after, NULL); off >= 0;
	     off = fdt_next_node(fdt, off, NULL)) {
		if (fdt_is_compatible(fdt, off, compat))
			return off;
	}
	return off;
}

static int cells_prop(const struct fdt *fdt, int node, const char *name, int dflt)
{
	uint32_t len, v;
	const void *p;

	if (node_body(fdt, node) < 0)
		return -RV_EINVAL;
	p = fdt_getprop(fdt, node, name, &len);
	if (!p)
		return dflt;
	if (len != 4)
		return -RV_EBADMSG;
	v = ld32(p);
	return v <= 4 ? (int)v : -RV_EBADMSG;
}

int fdt_address_cells(const struct fdt *fdt, int node)
{
	return cells_prop(fdt, node, "#address-cells", 2);
}

int fdt_size_cells(const struct fdt *fdt, int node)
{
	return cells_prop(fdt, node, "#size-cells", 1);
}

int fdt_reg(const struct fdt *fdt, int node, unsigned int index, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent(fdt, node);
	int ac = 2, sc = 1;
	uint32_t len, entry;
	const uint8_t *p;

	if (parent >= 0) {
		ac = fdt_address_cells(fdt, parent);
		if (ac < 0)
			return ac;
		sc = fdt_size_cells(fdt, parent);
		if (sc < 0)
			return sc;
	} else if (parent != -RV_ENOENT) {
		return parent;
	}
	/* The root has no parent: it keeps the spec's defaults. */
	if (ac > 2 || sc > 2)
		return -RV_ERANGE;
	entry = (uint32_t)(ac + sc) * 4;
	if (entry == 0)
		return -RV_EBADMSG;
	p = fdt_getprop(fdt, node, "reg", &len);
	if (!p)
		return -RV_ENOENT;
	if (len % entry != 0)
		return -RV_EBADMSG;
	if (index >= len / entry)
		return -RV_ENOENT;
	p += index * entry;
	if (addr)
		*addr = fdt_read_cells(p, (uint32_t)ac);
	if (size)
		*size = fdt_read_cells(p + ac * 4, (uint32_t)sc);
	return 0;
}

int fdt_mem_rsv(const struct fdt *fdt, unsigned int index, uint64_t *addr, uint64_t *size)
{
	uint64_t off = fdt->rsvmap_off;
	unsigned int i;

	for (i = 0;; i++, off += FDT_RSV_ENTRY_SIZE) {
		uint64_t a, s;

		if (off > fdt->size || fdt->size - off < FDT_RSV_ENTRY_SIZE)
			return -RV_EBADMSG;
		a = ld64(fdt->blob + off);
		s = ld64(fdt->blob + off + 8);
		if (a == 0 && s == 0)
			return -RV_ENOENT;
		if (i == index) {
			if (addr)
				*addr = a;
			if (size)
				*size = s;
			return 0;
		}
	}
}
