// SPDX-License-Identifier: Apache-2.0
/*
 * Extract boot facts (memory, reserved ranges, timebase, initrd, harts,
 * model) from a validated device tree. See kernel/devicetree.h.
 *
 * Malformed properties that the kernel depends on are reported as errors
 * rather than skipped: a wrong memory map or hart list is worse than a boot
 * that stops with a clear message.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rvos/errno.h>
#include <kernel/devicetree.h>
#include <kernel/fdt.h>
#include <kernel/string.h>

/* True if the node's property name holds exactly the string want. */
static bool prop_is(const struct fdt *fdt, int node, const char *name, const char *want)
{
	const char *v = fdt_getprop_str(fdt, node, name);

	return v && k_streq(v, want);
}

/* Append a range unless it is empty; reject one that wraps past 2^64. */
static int add_range(struct dt_range *tab, unsigned int cap, unsigned int *count,
		     unsigned int *truncated, unsigned int flag, uint64_t base, uint64_t size)
{
	if (size == 0)
		return 0;
	if (base + (size - 1) < base)
		return -RV_ERANGE;
	if (*count >= cap) {
		*truncated |= flag;
		return 0;
	}
	tab[*count].base = base;
	tab[*count].size = size;
	(*count)++;
	return 0;
}

/* Add every reg entry of node to the table. */
static int add_reg_ranges(const struct fdt *fdt, int node, struct dt_range *tab, unsigned int cap,
			  unsigned int *count, unsigned int *truncated, unsigned int flag)
{
	unsigned int i;

	for (i = 0;; i++) {
		uint64_t base, size;
		int ret = fdt_reg(fdt, node, i, &base, &size);

		if (ret == -RV_ENOENT)
			return 0;
		if (ret < 0)
			return ret;
		ret = add_range(tab, cap, count, truncated, flag, base, size);
		if (ret < 0)
			return ret;
	}
}

static int parse_memory(const struct fdt *fdt, struct boot_info *out)
{
	int node, ret;

	/* Memory nodes are children of the root (spec 3.4). */
	for (node = fdt_first_child(fdt, 0); node >= 0; node = fdt_next_sibling(fdt, node)) {
		if (!prop_is(fdt, node, "device_type", "memory") || !fdt_node_is_okay(fdt, node))
			continue;
		ret = add_reg_ranges(fdt, node, out->mem, CONFIG_DT_MAX_MEMORY_RANGES,
				     &out->mem_count, &out->truncated, DT_TRUNC_MEM);
		if (ret < 0)
			return ret;
	}
	if (node != -RV_ENOENT)
		return node;
	return out->mem_count > 0 ? 0 : -RV_ENOENT;
}

static int parse_reserved(const struct fdt *fdt, struct boot_info *out)
{
	unsigned int i;
	int node, ret;

	for (i = 0;; i++) {
		uint64_t base, size;

		ret = fdt_mem_rsv(fdt, i, &base, &size);
		if (ret == -RV_ENOENT)
			break;
		if (ret < 0)
			return ret;
		ret = add_range(out->reserved, CONFIG_DT_MAX_MEMORY_RANGES, &out->reserved_count,
				&out->truncated, DT_TRUNC_RESERVED, base, size);
		if (ret < 0)
			return ret;
	}

	node = fdt_path_offset(fdt, "/reserved-memory");
	if (node == -RV_ENOENT)
		return 0;
	if (node < 0)
		return node;
	/* Children without reg ask the OS to allocate; they reserve nothing yet. */
	for (node = fdt_first_child(fdt, node); node >= 0; node = fdt_next_sibling(fdt, node)) {
		if (!fdt_node_is_okay(fdt, node))
			continue;
		ret = add_reg_ranges(fdt, node, out->reserved, CONFIG_DT_MAX_MEMORY_RANGES,
				     &out->reserved_count, &out->truncated, DT_TRUNC_RESERVED);
		if (ret < 0)
			return ret;
	}
	return node == -RV_ENOENT ? 0 : node;
}

static bool is_cpu(const struct fdt *fdt, int node)
{
	return prop_is(fdt, node, "device_type", "cpu");
}

/*
 * Timebase of node into *tb if it has one: 0 and *have set, 0 with *have
 * untouched if absent, or an error for a malformed value.
 */
static int read_timebase(const struct fdt *fdt, int node, uint64_t *tb, bool *have)
{
	int ret = fdt_getprop_u64(fdt, node, "timebase-frequency", tb);

	if (ret == -RV_ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	*have = true;
	return 0;
}

static int parse_cpus(const struct fdt *fdt, struct boot_info *out)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	uint64_t tb = 0;
	bool have_tb = false;
	int node, ret;

	if (cpus == -RV_ENOENT)
		return -RV_ENOENT; /* no timebase either */
	if (cpus < 0)
		return cpus;
	ret = read_timebase(fdt, cpus, &tb, &have_tb);
	if (ret < 0)
		return ret;

	for (node = fdt_first_child(fdt, cpus); node >= 0; node = fdt_next_sibling(fdt, node)) {
		const char *mmu;
		uint64_t hartid;

		if (!is_cpu(fdt, node))
			continue;
		/* Older trees put the timebase in each cpu node instead. */
		if (!have_tb) {
			ret = read_timebase(fdt, node, &tb, &have_tb);
			if (ret < 0)
				return ret;
		}
		if (!fdt_node_is_okay(fdt, node))
			continue;
		mmu = fdt_getprop_str(fdt, node, "mmu-type");
		if (!mmu || k_streq(mmu, "riscv,none"))
			continue;
		ret = fdt_reg(fdt, node, 0, &hartid, NULL);
		if (ret == -RV_ENOENT)
			return -RV_EBADMSG; /* a cpu node must say which hart it is */
		if (ret < 0)
			return ret;
		if (hartid > UINT32_MAX)
			return -RV_EBADMSG;
		if (out->hart_count >= CONFIG_MAX_HARTS) {
			out->truncated |= DT_TRUNC_HARTS;
			continue;
		}
		out->hart_ids[out->hart_count++] = (uint32_t)hartid;
	}
	if (node != -RV_ENOENT)
		return node;
	if (!have_tb)
		return -RV_ENOENT;
	/* The timer code divides by it. */
	if (tb == 0)
		return -RV_EINVAL;
	out->timebase_hz = tb;
	return 0;
}

static int parse_chosen(const struct fdt *fdt, struct boot_info *out)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	int rs, re;

	if (chosen == -RV_ENOENT)
		return 0;
	if (chosen < 0)
		return chosen;
	rs = fdt_getprop_u64(fdt, chosen, "linux,initrd-start", &out->initrd_start);
	re = fdt_getprop_u64(fdt, chosen, "linux,initrd-end", &out->initrd_end);
	if (rs == -RV_EBADMSG || re == -RV_EBADMSG)
		return -RV_EBADMSG;
	if (rs == -RV_ENOENT && re == -RV_ENOENT)
		return 0;
	if (rs < 0 || re < 0 || out->initrd_end < out->initrd_start)
		return -RV_EINVAL;
	return 0;
}

static void parse_model(const struct fdt *fdt, struct boot_info *out)
{
	uint32_t len, i;
	const char *m = fdt_getprop(fdt, 0, "model", &len);

	/* Copy byte by byte: bounded by the property, the buffer and the NUL. */
	for (i = 0; m && i < len && i < sizeof(out->model) - 1 && m[i] != '\0'; i++)
		out->model[i] = m[i];
	out->model[i] = '\0';
}

int dt_parse_boot_info(const struct fdt *fdt, struct boot_info *out)
{
	int ret;

	if (!fdt || !out)
		return -RV_EINVAL;
	*out = (struct boot_info){ .mem_count = 0 };

	parse_model(fdt, out);
	ret = parse_memory(fdt, out);
	if (ret < 0)
		return ret;
	ret = parse_reserved(fdt, out);
	if (ret < 0)
		return ret;
	ret = parse_cpus(fdt, out);
	if (ret < 0)
		return ret;
	return parse_chosen(fdt, out);
}

int dt_find_device(const struct fdt *fdt, const char *compat, uint64_t *base, uint64_t *size,
		   uint32_t *irq)
{
	int node;

	for (node = fdt_node_by_compatible(fdt, -1, compat); node >= 0;
	     node = fdt_node_by_compatible(fdt, node, compat)) {
		uint64_t b = 0, s = 0;
		uint32_t len;
		const void *ip;
		int ret;

		if (!fdt_node_is_okay(fdt, node))
			continue;
		ret = fdt_reg(fdt, node, 0, &b, &s);
		if (ret < 0 && ret != -RV_ENOENT)
			return ret;
		ip = fdt_getprop(fdt, node, "interrupts", &len);
		if (ip && len < 4)
			return -RV_EBADMSG;
		if (base)
			*base = b;
		if (size)
			*size = s;
		if (irq)
			*irq = ip ? (uint32_t)fdt_read_cells(ip, 1) : 0;
		return node;
	}
	return node;
}

bool dt_isa_has_extension(const char *isa, uint32_t len, const char *ext)
{
	size_t want = k_strlen(ext);
	uint32_t end = (uint32_t)k_strnlen(isa, len);
	uint32_t start = 0;

	/* Token [start, i) ends at each '_' and at the string's end. */
	for (uint32_t i = 0; i <= end; i++) {
		if (i < end && isa[i] != '_')
			continue;
		if (start > 0 && i - start == want && want > 0 && k_memeq(isa + start, ext, want))
			return true;
		start = i + 1;
	}
	return false;
}

bool dt_hart_has_extension(const struct fdt *fdt, uint64_t hart, const char *ext)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	uint64_t reg;
	uint32_t len;
	const char *p;

	if (cpus < 0)
		return false;
	for (int node = fdt_first_child(fdt, cpus); node >= 0; node = fdt_next_sibling(fdt, node)) {
		if (!is_cpu(fdt, node) || fdt_reg(fdt, node, 0, &reg, NULL) < 0 || reg != hart)
			continue;
		p = fdt_getprop(fdt, node, "riscv,isa-extensions", &len);
		if (p)
			return fdt_stringlist_contains(p, len, ext);
		p = fdt_getprop(fdt, node, "riscv,isa", &len);
		return p && dt_isa_has_extension(p, len, ext);
	}
	return false;
}
