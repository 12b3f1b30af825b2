/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounds-checked reader for flattened device trees (DTB, Devicetree
 * Specification v0.4, header versions 16 and 17).
 *
 * The blob comes from firmware and is not trusted: every accessor checks each
 * read against the blob, so a corrupt or hostile tree yields errors or NULL,
 * never a read outside it. fdt_init() additionally walks the whole structure
 * block once, so a tree it accepts is known to be well nested, to end with
 * FDT_END and to have only terminated names.
 *
 * Nodes are named by "offsets": the byte offset of their FDT_BEGIN_NODE token
 * from the start of the structure block. The root node is always offset 0.
 * Functions returning an offset return a negative error code instead when
 * there is none: -RV_ENOENT for "not found / no more", -RV_EBADMSG for
 * malformed data, -RV_EINVAL for a bad argument (including an offset that
 * does not name a node). The blob must stay unchanged while it is in use.
 */
#ifndef KERNEL_FDT_H
#define KERNEL_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 0x1u
#define FDT_END_NODE 0x2u
#define FDT_PROP 0x3u
#define FDT_NOP 0x4u
#define FDT_END 0x9u


struct fdt {
	const uint8_t *blob;
	uint32_t size;         /* totalsize from the header, <= the caller's max_size */
	uint32_t struct_off;   /* structure block, relative to blob */
	uint32_t struct_size;
	uint32_t strings_off;  /* strings block, relative to blob */
	uint32_t strings_size;
	uint32_t rsvmap_off;   /* memory reservation block, relative to blob */
	uint32_t boot_cpuid;   /* boot_cpuid_phys from the header */
};

/*
 * Validate the header and structure of the blob at blob, of which at most
 * max_size bytes may be read. Returns 0, -RV_EINVAL (NULL argument),
 * -RV_ERANGE (totalsize exceeds max_size: the blob is truncated) or
 * -RV_EBADMSG (anything else wrong: magic, version, block layout, tokens,
 * nesting deeper than CONFIG_DT_MAX_DEPTH).
 */
int fdt_init(struct fdt *fdt, const void *blob, size_t max_size);

/*
 * Next node in document order after offset, or the root if offset < 0.
 * depth (may be NULL) is adjusted by the change in nesting: starting from -1
 * (which sets it to 0) it is each node's absolute depth, root = 0. Starting
 * from a node with *depth = 0, descendants have depth > 0 and the first node
 * outside the start node's subtree has depth <= 0. Returns -RV_ENOENT after
 * the last node.
 */
int fdt_next_node(const struct fdt *fdt, int offset, int *depth);

/* First child / next sibling of a node, or -RV_ENOENT if there is none. */
int fdt_first_child(const struct fdt *fdt, int node);
int fdt_next_sibling(const struct fdt *fdt, int node);

/* Parent of a node; -RV_ENOENT for the root. Costs one walk from the root. */
int fdt_parent(const struct fdt *fdt, int node);

/* Node name including any "@unit-address" ("" for the root), or NULL. */
const char *fdt_node_name(const struct fdt *fdt, int node);

/*
 * Value of property name of node, with its length in *len (len may be NULL).
 * NULL if the property is absent or the node offset is bad. A present empty
 * property gives a non-NULL pointer and length 0.
 */
const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, uint32_t *len);

/*
 * The property as a string: its first NUL-terminated string, or NULL if it is
 * absent or has no NUL inside its length.
 */
const char *fdt_getprop_str(const struct fdt *fdt, int node, const char *name);

/*
 * Property holding a 1- or 2-cell number (length 4 or 8), stored in *val.
 * Returns 0, -RV_ENOENT if absent, -RV_EBADMSG for any other length.
 */
int fdt_getprop_u64(const struct fdt *fdt, int node, const char *name, uint64_t *val);

/*
 * True if the string list value (len bytes, e.g. a "compatible" value)
 * contains str. A list whose last string lacks its NUL is malformed: only
 * the terminated strings before it are considered.
 */
bool fdt_stringlist_contains(const char *list, uint32_t len, const char *str);

/* True if node's "compatible" list contains compat. */
bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat);

/*
 * True if node is usable: "status" absent, "okay" or the legacy "ok".
 * False for a bad offset or any other status ("disabled", "fail", ...).
 */
bool fdt_node_is_okay(const struct fdt *fdt, int node);

/*
 * Offset of an absolute path such as "/", "/chosen", "/cpus/cpu@0". A path
 * component without '@' also matches a node with a unit address ("/memory"
 * finds "memory@80000000"), first in document order. Empty components
 * ("//", trailing '/') are skipped; aliases are not resolved.
 * -RV_EINVAL if path does not start with '/', -RV_ENOENT if absent.
 */
int fdt_path_offset(const struct fdt *fdt, const char *path);

/* First node after start_after (-1: from the root) whose compatible has compat. */
int fdt_node_by_compatible(const struct fdt *fdt, int start_after, const char *compat);

/*
 * Big-endian number from ncells 32-bit cells at p (which must hold ncells * 4
 * readable bytes; no alignment needed). ncells 0 gives 0; more than 2 cells
 * do not fit and also give 0, so callers check ncells first (fdt_reg does).
 */
uint64_t fdt_read_cells(const void *p, uint32_t ncells);

/*
 * #address-cells / #size-cells a node declares for its children (defaults 2
 * and 1 when absent, per the spec). -RV_EBADMSG if the property is not one
 * cell or is larger than 4 (anything the parser could not sensibly use).
 */
int fdt_address_cells(const struct fdt *fdt, int node);
int fdt_size_cells(const struct fdt *fdt, int node);

/*
 * Entry index of node's "reg", decoded with the parent's #address-cells and
 * #size-cells (addr and size may be NULL; size is 0 if #size-cells is 0).
 * Returns 0, -RV_ENOENT if there is no reg or no such entry, -RV_EBADMSG if
 * reg is not a whole number of entries, -RV_ERANGE if a cell count exceeds 2
 * (the value would not fit in 64 bits).
 */
int fdt_reg(const struct fdt *fdt, int node, unsigned int index, uint64_t *addr, uint64_t *size);

/*
 * Entry index of the memory reservation block (/memreserve/). Returns 0,
 * -RV_ENOENT past the terminating entry, -RV_EBADMSG if the list runs off
 * the blob.
 */
int fdt_mem_rsv(const struct fdt *fdt, unsigned int index, uint64_t *addr, uint64_t *size);

#endif /* KERNEL_FDT_H */
