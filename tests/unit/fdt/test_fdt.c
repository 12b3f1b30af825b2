// SPDX-License-Identifier: Apache-2.0
/*
 * Host tests for the device-tree reader (kernel/fdt.c) and the boot-fact
 * extraction on top of it (kernel/devicetree.c).
 *
 * Trees are built in C with the test-only fdt_builder, so the same code makes
 * realistic trees (shaped like QEMU's virt and sifive_u machines) and broken
 * ones. Every blob handed to the parser is a heap block of exactly the size
 * the parser is allowed to read, so AddressSanitizer turns any out-of-bounds
 * read into a test failure. Truncated and randomly mutated blobs are pushed
 * through every accessor for the same reason.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rvos/errno.h>
#include <kernel/devicetree.h>
#include <kernel/fdt.h>

#include "fdt_builder.h"
#include "unittest.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Copy data into a fresh heap block of exactly n bytes (ASan guards its end). */
static uint8_t *exact_copy(const uint8_t *data, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	if (!p)
		abort();
	if (n)
		memcpy(p, data, n);
	return p;
}

/* ---- Realistic trees ---- */

/* Shaped like `qemu-system-riscv64 -M virt -smp 2` plus an initrd and OpenSBI's reservation. */
static uint8_t *build_virt(size_t *size)
{
	struct fdtb b;
	uint8_t *blob;
	unsigned int i;

	fdtb_init(&b);
	fdtb_add_rsv(&b, 0x87f00000, 0x100000);
	fdtb_begin_node(&b, "");
	fdtb_prop_u32(&b, "#address-cells", 2);
	fdtb_prop_u32(&b, "#size-cells", 2);
	fdtb_prop_str(&b, "compatible", "riscv-virtio");
	fdtb_prop_str(&b, "model", "riscv-virtio,qemu");

	fdtb_begin_node(&b, "fw-cfg@10100000");
	fdtb_prop_empty(&b, "dma-coherent");
	fdtb_prop_cells(&b, "reg", 4, 0, 0x10100000, 0, 0x18);
	fdtb_prop_str(&b, "compatible", "qemu,fw-cfg-mmio");
	fdtb_end_node(&b);

	fdtb_begin_node(&b, "chosen");
	fdtb_prop_str(&b, "stdout-path", "/soc/serial@10000000");
	fdtb_prop_str(&b, "bootargs", "console=ttyS0");
	fdtb_prop_u64(&b, "linux,initrd-start", 0x88000000);
	fdtb_prop_u64(&b, "linux,initrd-end", 0x88200000);
	fdtb_end_node(&b);

	fdtb_begin_node(&b, "reserved-memory");
	fdtb_prop_u32(&b, "#address-cells", 2);
	fdtb_prop_u32(&b, "#size-cells", 2);
	fdtb_prop_empty(&b, "ranges");
	fdtb_begin_node(&b, "mmode_resv0@80000000");
	fdtb_prop_cells(&b, "reg", 4, 0, 0x80000000, 0, 0x40000);
	fdtb_prop_empty(&b, "no-map");
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "unused@90000000");
	fdtb_prop_cells(&b, "reg", 4, 0, 0x90000000, 0, 0x1000);
	fdtb_prop_str(&b, "status", "disabled");
	fdtb_end_node(&b);
	fdtb_end_node(&b);

	fdtb_begin_node(&b, "memory@80000000");
	fdtb_prop_str(&b, "device_type", "memory");
	fdtb_prop_cells(&b, "reg", 4, 0, 0x80000000, 0, 0x8000000);
	fdtb_end_node(&b);

	fdtb_begin_node(&b, "cpus");
	fdtb_prop_u32(&b, "#address-cells", 1);
	fdtb_prop_u32(&b, "#size-cells", 0);
	fdtb_prop_u32(&b, "timebase-frequency", 10000000);
	for (i = 0; i < 2; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%u", i);
		fdtb_begin_node(&b, name);
		fdtb_prop_u32(&b, "phandle", 3 - 2 * i);
		fdtb_prop_str(&b, "device_type", "cpu");
		fdtb_prop_u32(&b, "reg", i);
		fdtb_prop_str(&b, "status", "okay");
		fdtb_prop_str(&b, "compatible", "riscv");
		fdtb_prop_str(&b, "riscv,isa", "rv64imafdch_zicsr_zifencei_zihintpause_sstc");
		fdtb_prop_str(&b, "mmu-type", "riscv,sv39");
		fdtb_begin_node(&b, "interrupt-controller");
		fdtb_prop_u32(&b, "#interrupt-cells", 1);
		fdtb_prop_empty(&b, "interrupt-controller");
		fdtb_prop_str(&b, "compatible", "riscv,cpu-intc");
		fdtb_end_node(&b);
		fdtb_end_node(&b);
	}
	fdtb_begin_node(&b, "cpu-map");
	fdtb_begin_node(&b, "cluster0");
	fdtb_begin_node(&b, "core0");
	fdtb_prop_u32(&b, "cpu", 3);
	fdtb_end_node(&b);
	fdtb_end_node(&b);
	fdtb_end_node(&b);
	fdtb_end_node(&b); /* cpus */

	fdtb_begin_node(&b, "soc");
	fdtb_prop_u32(&b, "#address-cells", 2);
	fdtb_prop_u32(&b, "#size-cells", 2);
	fdtb_prop_str(&b, "compatible", "simple-bus");
	fdtb_prop_empty(&b, "ranges");
	fdtb_begin_node(&b, "rtc@101000");
	fdtb_prop_u32(&b, "interrupts", 11);
	fdtb_prop_u32(&b, "interrupt-parent", 5);
	fdtb_prop_cells(&b, "reg", 4, 0, 0x101000, 0, 0x1000);
	fdtb_prop_str(&b, "compatible", "google,goldfish-rtc");
	fdtb_end_node(&b);
	/* A disabled UART first: dt_find_device must pass over it. */
	fdtb_begin_node(&b, "serial@9000000");
	fdtb_prop_cells(&b, "reg", 4, 0, 0x9000000, 0, 0x100);
	fdtb_prop_str(&b, "compatible", "ns16550a");
	fdtb_prop_str(&b, "status", "disabled");
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "serial@10000000");
	fdtb_prop_u32(&b, "interrupts", 10);
	fdtb_prop_u32(&b, "interrupt-parent", 5);
	fdtb_prop_u32(&b, "clock-frequency", 0x384000);
	fdtb_prop_cells(&b, "reg", 4, 0, 0x10000000, 0, 0x100);
	fdtb_prop_str(&b, "compatible", "ns16550a");
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "plic@c000000");
	fdtb_prop_u32(&b, "phandle", 5);
	fdtb_prop_cells(&b, "interrupts-extended", 4, 4, 11, 4, 9);
	fdtb_prop_cells(&b, "reg", 4, 0, 0xc000000, 0, 0x600000);
	fdtb_prop(&b, "compatible", "sifive,plic-1.0.0\0riscv,plic0",
		  sizeof("sifive,plic-1.0.0\0riscv,plic0"));
	fdtb_prop_u32(&b, "riscv,ndev", 0x5f);
	fdtb_prop_empty(&b, "interrupt-controller");
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "clint@2000000");
	fdtb_prop_cells(&b, "interrupts-extended", 4, 4, 3, 4, 7);
	fdtb_prop_cells(&b, "reg", 4, 0, 0x2000000, 0, 0x10000);
	fdtb_prop(&b, "compatible", "sifive,clint0\0riscv,clint0",
		  sizeof("sifive,clint0\0riscv,clint0"));
	fdtb_end_node(&b);
	fdtb_end_node(&b); /* soc */
	fdtb_end_node(&b); /* root */
	fdtb_end(&b);

	blob = fdtb_finish(&b, size);
	fdtb_free(&b);
	return blob;
}

/* A virt blob built once and kept, for tests that only copy it. */
static const uint8_t *build_virt_cached(size_t *size)
{
	static uint8_t *blob;
	static size_t len;

	if (!blob)
		blob = build_virt(&len);
	*size = len;
	return blob;
}

/*
 * Shaped like sifive_u: hart 0 is an E51 monitor core without mmu-type, harts
 * 1-4 are U54s. Hart 4 is disabled and hart 3 has mmu-type "riscv,none".
 * legacy_tb puts the timebase in the cpu nodes instead of /cpus.
 */
static uint8_t *build_sifive_u(size_t *size, bool legacy_tb)
{
	struct fdtb b;
	uint8_t *blob;
	unsigned int i;

	fdtb_init(&b);
	fdtb_begin_node(&b, "");
	fdtb_prop_u32(&b, "#address-cells", 2);
	fdtb_prop_u32(&b, "#size-cells", 2);
	fdtb_prop_str(&b, "compatible", "sifive,hifive-unleashed-a00");
	fdtb_prop_str(&b, "model", "SiFive HiFive Unleashed A00");
	fdtb_begin_node(&b, "cpus");
	fdtb_prop_u32(&b, "#address-cells", 1);
	fdtb_prop_u32(&b, "#size-cells", 0);
	if (!legacy_tb)
		fdtb_prop_u32(&b, "timebase-frequency", 1000000);
	for (i = 0; i < 5; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%u", i);
		fdtb_begin_node(&b, name);
		fdtb_prop_str(&b, "device_type", "cpu");
		fdtb_prop_u32(&b, "reg", i);
		if (legacy_tb)
			fdtb_prop_u32(&b, "timebase-frequency", 1000000);
		if (i == 0) {
			fdtb_prop_str(&b, "compatible", "sifive,e51");
			fdtb_prop_str(&b, "riscv,isa", "rv64imacu");
		} else {
			fdtb_prop_str(&b, "compatible", "sifive,u54-mc");
			fdtb_prop_str(&b, "riscv,isa", "rv64imafdcsu");
			fdtb_prop_str(&b, "mmu-type", i == 3 ? "riscv,none" : "riscv,sv39");
		}
		fdtb_prop_str(&b, "status", i == 4 ? "disabled" : "okay");
		fdtb_end_node(&b);
	}
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "memory@80000000");
	fdtb_prop_str(&b, "device_type", "memory");
	fdtb_prop_cells(&b, "reg", 4, 0, 0x80000000, 0, 0x40000000);
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "soc");
	fdtb_prop_u32(&b, "#address-cells", 2);
	fdtb_prop_u32(&b, "#size-cells", 2);
	fdtb_prop_empty(&b, "ranges");
	fdtb_begin_node(&b, "serial@10010000");
	fdtb_prop_u32(&b, "interrupts", 4);
	fdtb_prop_cells(&b, "reg", 4, 0, 0x10010000, 0, 0x1000);
	fdtb_prop_str(&b, "compatible", "sifive,uart0");
	fdtb_end_node(&b);
	fdtb_end_node(&b);
	fdtb_end_node(&b);
	fdtb_end(&b);
	blob = fdtb_finish(&b, size);
	fdtb_free(&b);
	return blob;
}

/* ---- Exercise every accessor on an accepted tree (used on fuzzed blobs) ---- */

static bool is_err(int r, int a, int b, int c)
{
	return r == a || r == b || r == c;
}

static unsigned long exercise_calls;

/*
 * Call everything; results are only checked to be in the documented ranges,
 * the point is that ASan sees no invalid read whatever the blob holds.
 */
static void exercise(const struct fdt *fdt, bool sweep_offsets)
{
	static const char *const props[] = { "compatible", "reg", "status", "device_type",
					      "#address-cells", "#size-cells", "model",
					      "timebase-frequency", "interrupts", "nonexistent" };
	static const char *const paths[] = { "/", "/cpus", "/cpus/cpu@1", "/memory", "/soc/serial",
					     "/chosen", "/a/b/c", "//soc//", "/reserved-memory" };
	struct boot_info bi;
	uint64_t a, s;
	uint32_t irq;
	int depth = 0, off, n = 0, r;
	unsigned int i;
	bool ok = true;

	exercise_calls++;
	for (off = fdt_next_node(fdt, -1, &depth); off >= 0;
	     off = fdt_next_node(fdt, off, &depth)) {
		uint32_t len;

		/* A validated tree cannot have more nodes than 8-byte slots. */
		if (++n > (int)(fdt->struct_size / 8) + 1) {
			ok = false;
			break;
		}
		ok &= fdt_node_name(fdt, off) != NULL;
		for (i = 0; i < ARRAY_SIZE(props); i++) {
			const uint8_t *p = fdt_getprop(fdt, off, props[i], &len);
			volatile uint8_t sink;

			/* Touch every byte of the value: it must lie inside the blob. */
			if (p && len) {
				sink = p[0];
				sink = p[len - 1];
				(void)sink;
			}
			(void)fdt_getprop_str(fdt, off, props[i]);
			(void)fdt_getprop_u64(fdt, off, props[i], &a);
		}
		(void)fdt_is_compatible(fdt, off, "ns16550a");
		(void)fdt_node_is_okay(fdt, off);
		for (i = 0; i < 3; i++) {
			r = fdt_reg(fdt, off, i, &a, &s);
			ok &= r == 0 || is_err(r, -RV_ENOENT, -RV_EBADMSG, -RV_ERANGE);
		}
		r = fdt_parent(fdt, off);
		ok &= off == 0 ? r == -RV_ENOENT : r >= 0 || r == -RV_EBADMSG;
		(void)fdt_first_child(fdt, off);
		(void)fdt_next_sibling(fdt, off);
		(void)fdt_address_cells(fdt, off);
		(void)fdt_size_cells(fdt, off);
	}
	ok &= off == -RV_ENOENT || off == -RV_EBADMSG;
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		r = fdt_path_offset(fdt, paths[i]);
		ok &= r >= 0 || r == -RV_ENOENT || r == -RV_EBADMSG;
	}
	for (off = fdt_node_by_compatible(fdt, -1, "riscv"), n = 0; off >= 0 && n < 10000;
	     off = fdt_node_by_compatible(fdt, off, "riscv"), n++)
		;
	for (i = 0; i < 64 && fdt_mem_rsv(fdt, i, &a, &s) == 0; i++)
		;
	r = dt_parse_boot_info(fdt, &bi);
	ok &= r == 0 || is_err(r, -RV_ENOENT, -RV_EINVAL, -RV_EBADMSG) || r == -RV_ERANGE;
	ok &= bi.mem_count <= CONFIG_DT_MAX_MEMORY_RANGES && bi.hart_count <= CONFIG_MAX_HARTS;
	ok &= bi.reserved_count <= CONFIG_DT_MAX_MEMORY_RANGES;
	ok &= memchr(bi.model, '\0', sizeof(bi.model)) != NULL;
	r = dt_find_device(fdt, "ns16550a", &a, &s, &irq);
	ok &= r >= 0 || is_err(r, -RV_ENOENT, -RV_EBADMSG, -RV_ERANGE);

	/* Bogus offsets: every 4-aligned offset plus some out-of-range ones. */
	if (sweep_offsets) {
		int bad[] = { -1000, -4, 1, 2, 3, (int)fdt->struct_size, (int)fdt->struct_size + 4,
			      0x7ffffffc };

		for (off = 0; off < (int)fdt->struct_size; off += 4) {
			const char *name = fdt_node_name(fdt, off);
			const uint8_t *p;
			uint32_t len;
			volatile size_t sink;

			/* Whatever decodes must be terminated / in bounds. */
			if (name)
				sink = strlen(name);
			p = fdt_getprop(fdt, off, "model", &len);
			if (p && len)
				sink = p[len - 1];
			(void)sink;
			(void)fdt_next_node(fdt, off, NULL);
			(void)fdt_parent(fdt, off);
			(void)fdt_reg(fdt, off, 0, &a, &s);
		}
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			ok &= fdt_node_name(fdt, bad[i]) == NULL;
			ok &= fdt_getprop(fdt, bad[i], "reg", NULL) == NULL;
			ok &= fdt_next_node(fdt, bad[i], NULL) == (bad[i] < 0 ? 0 : -RV_EINVAL);
			ok &= fdt_parent(fdt, bad[i]) == -RV_EINVAL;
			ok &= fdt_reg(fdt, bad[i], 0, &a, &s) == -RV_EINVAL;
			ok &= fdt_first_child(fdt, bad[i]) == -RV_EINVAL;
			ok &= fdt_next_sibling(fdt, bad[i]) == -RV_EINVAL;
			ok &= !fdt_node_is_okay(fdt, bad[i]);
		}
	}
	CHECK(ok);
}

/* ---- The QEMU virt tree ---- */

static void test_virt(void)
{
	size_t size;
	uint8_t *blob = build_virt(&size);
	struct fdt fdt;
	struct boot_info bi;
	int cpus, cpu1, soc, serial, node, depth, n;
	uint64_t a, s;
	uint32_t len, irq;
	const char *str;

	CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
	CHECK_EQ_UINT(fdt.size, size);

	/* The harts' extensions (riscv,isa): no Zkr on QEMU's default CPU. */
	CHECK(dt_hart_has_extension(&fdt, 0, "sstc"));
	CHECK(dt_hart_has_extension(&fdt, 1, "zicsr"));
	CHECK(!dt_hart_has_extension(&fdt, 0, "zkr"));
	CHECK(!dt_hart_has_extension(&fdt, 2, "sstc")); /* no such hart */

	/* Node walk: names in document order, with depth. */
	depth = -7;
	node = fdt_next_node(&fdt, -1, &depth);
	CHECK_EQ_INT(node, 0);
	CHECK_EQ_INT(depth, 0);
	CHECK_EQ_STR(fdt_node_name(&fdt, 0), "");
	node = fdt_next_node(&fdt, node, &depth);
	CHECK_EQ_STR(fdt_node_name(&fdt, node), "fw-cfg@10100000");
	CHECK_EQ_INT(depth, 1);
	for (n = 1; node >= 0; node = fdt_next_node(&fdt, node, &depth))
		n++;
	CHECK_EQ_INT(node, -RV_ENOENT);
	CHECK_EQ_INT(n, 21);

	/* Paths. */
	CHECK_EQ_INT(fdt_path_offset(&fdt, "/"), 0);
	cpus = fdt_path_offset(&fdt, "/cpus");
	CHECK(cpus > 0);
	CHECK_EQ_STR(fdt_node_name(&fdt, cpus), "cpus");
	cpu1 = fdt_path_offset(&fdt, "/cpus/cpu@1");
	CHECK_EQ_STR(fdt_node_name(&fdt, cpu1), "cpu@1");
	CHECK_EQ_STR(fdt_node_name(&fdt, fdt_path_offset(&fdt, "/cpus/cpu")), "cpu@0");
	CHECK_EQ_STR(fdt_node_name(&fdt, fdt_path_offset(&fdt, "/memory")), "memory@80000000");
	CHECK_EQ_STR(fdt_node_name(&fdt, fdt_path_offset(&fdt, "//soc//serial@10000000/")),
		     "serial@10000000");
	CHECK_EQ_STR(fdt_node_name(&fdt, fdt_path_offset(&fdt, "/cpus/cpu-map/cluster0/core0")),
		     "core0");
	CHECK_EQ_INT(fdt_path_offset(&fdt, "/cpus/cpu@2"), -RV_ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&fdt, "/memory@8"), -RV_ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&fdt, "/memory@80000000x"), -RV_ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&fdt, "/cpu"), -RV_ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&fdt, "/nothing/here"), -RV_ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&fdt, "chosen"), -RV_EINVAL);
	CHECK_EQ_INT(fdt_path_offset(&fdt, ""), -RV_EINVAL);
	CHECK_EQ_INT(fdt_path_offset(&fdt, NULL), -RV_EINVAL);

	/* Children, siblings, parents. */
	node = fdt_first_child(&fdt, cpus);
	CHECK_EQ_STR(fdt_node_name(&fdt, node), "cpu@0");
	node = fdt_next_sibling(&fdt, node);
	CHECK_EQ_INT(node, cpu1);
	node = fdt_next_sibling(&fdt, node);
	CHECK_EQ_STR(fdt_node_name(&fdt, node), "cpu-map");
	CHECK_EQ_INT(fdt_next_sibling(&fdt, node), -RV_ENOENT);
	CHECK_EQ_INT(fdt_first_child(&fdt, fdt_path_offset(&fdt, "/memory")), -RV_ENOENT);
	CHECK_EQ_INT(fdt_next_sibling(&fdt, 0), -RV_ENOENT);
	CHECK_EQ_INT(fdt_parent(&fdt, cpu1), cpus);
	CHECK_EQ_INT(fdt_parent(&fdt, cpus), 0);
	CHECK_EQ_INT(fdt_parent(&fdt, 0), -RV_ENOENT);
	CHECK_EQ_INT(fdt_parent(&fdt, fdt_path_offset(&fdt, "/cpus/cpu@1/interrupt-controller")),
		     cpu1);

	/* Properties. */
	str = fdt_getprop(&fdt, 0, "model", &len);
	CHECK_EQ_STR(str, "riscv-virtio,qemu");
	CHECK_EQ_INT(len, 18);
	CHECK_EQ_STR(fdt_getprop_str(&fdt, cpu1, "mmu-type"), "riscv,sv39");
	CHECK(fdt_getprop(&fdt, cpu1, "nonexistent", &len) == NULL);
	/* A property of the child must not be found on the parent. */
	CHECK(fdt_getprop(&fdt, cpu1, "#interrupt-cells", NULL) == NULL);
	len = 99;
	CHECK(fdt_getprop(&fdt, fdt_path_offset(&fdt, "/soc"), "ranges", &len) != NULL);
	CHECK_EQ_INT(len, 0);
	CHECK(fdt_getprop_str(&fdt, fdt_path_offset(&fdt, "/soc"), "ranges") == NULL);
	CHECK_EQ_INT(fdt_getprop_u64(&fdt, cpus, "timebase-frequency", &a), 0);
	CHECK_EQ_UINT(a, 10000000);
	CHECK_EQ_INT(fdt_getprop_u64(&fdt, fdt_path_offset(&fdt, "/chosen"), "linux,initrd-end",
				     &a), 0);
	CHECK_EQ_UINT(a, 0x88200000);
	CHECK_EQ_INT(fdt_getprop_u64(&fdt, 0, "model", &a), -RV_EBADMSG);
	CHECK_EQ_INT(fdt_getprop_u64(&fdt, 0, "nope", &a), -RV_ENOENT);
	CHECK_EQ_INT(fdt_address_cells(&fdt, cpus), 1);
	CHECK_EQ_INT(fdt_size_cells(&fdt, cpus), 0);
	CHECK_EQ_INT(fdt_address_cells(&fdt, cpu1), 2); /* defaults */
	CHECK_EQ_INT(fdt_size_cells(&fdt, cpu1), 1);

	/* Compatible matching. */
	node = fdt_node_by_compatible(&fdt, -1, "riscv,plic0");
	CHECK_EQ_STR(fdt_node_name(&fdt, node), "plic@c000000");
	CHECK(fdt_is_compatible(&fdt, node, "sifive,plic-1.0.0"));
	CHECK(!fdt_is_compatible(&fdt, node, "riscv,plic"));
	CHECK(!fdt_is_compatible(&fdt, node, "sifive"));
	CHECK_EQ_INT(fdt_node_by_compatible(&fdt, node, "riscv,plic0"), -RV_ENOENT);
	n = 0;
	for (node = fdt_node_by_compatible(&fdt, -1, "riscv,cpu-intc"); node >= 0;
	     node = fdt_node_by_compatible(&fdt, node, "riscv,cpu-intc"))
		n++;
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(fdt_node_by_compatible(&fdt, -1, "riscv-virtio"), 0);

	/* reg with the parent's cells. */
	soc = fdt_path_offset(&fdt, "/soc");
	serial = fdt_path_offset(&fdt, "/soc/serial@10000000");
	CHECK_EQ_INT(fdt_reg(&fdt, serial, 0, &a, &s), 0);
	CHECK_EQ_UINT(a, 0x10000000);
	CHECK_EQ_UINT(s, 0x100);
	CHECK_EQ_INT(fdt_reg(&fdt, serial, 1, &a, &s), -RV_ENOENT);
	CHECK_EQ_INT(fdt_reg(&fdt, soc, 0, &a, &s), -RV_ENOENT);
	CHECK_EQ_INT(fdt_reg(&fdt, cpu1, 0, &a, &s), 0);
	CHECK_EQ_UINT(a, 1);
	CHECK_EQ_UINT(s, 0);
	CHECK_EQ_INT(fdt_reg(&fdt, cpu1, 0, NULL, NULL), 0);
	CHECK_EQ_INT(fdt_reg(&fdt, 0, 0, &a, &s), -RV_ENOENT);

	/* Reservation block. */
	CHECK_EQ_INT(fdt_mem_rsv(&fdt, 0, &a, &s), 0);
	CHECK_EQ_UINT(a, 0x87f00000);
	CHECK_EQ_UINT(s, 0x100000);
	CHECK_EQ_INT(fdt_mem_rsv(&fdt, 1, &a, &s), -RV_ENOENT);
	CHECK_EQ_INT(fdt_mem_rsv(&fdt, 1000, &a, &s), -RV_ENOENT);

	/* Boot facts. */
	CHECK_EQ_INT(dt_parse_boot_info(&fdt, &bi), 0);
	CHECK_EQ_INT(bi.mem_count, 1);
	CHECK_EQ_UINT(bi.mem[0].base, 0x80000000);
	CHECK_EQ_UINT(bi.mem[0].size, 0x8000000);
	CHECK_EQ_UINT(bi.timebase_hz, 10000000);
	CHECK_EQ_UINT(bi.initrd_start, 0x88000000);
	CHECK_EQ_UINT(bi.initrd_end, 0x88200000);
	CHECK_EQ_INT(bi.hart_count, 2);
	CHECK_EQ_INT(bi.hart_ids[0], 0);
	CHECK_EQ_INT(bi.hart_ids[1], 1);
	CHECK_EQ_STR(bi.model, "riscv-virtio,qemu");
	CHECK_EQ_INT(bi.reserved_count, 2);
	CHECK_EQ_UINT(bi.reserved[0].base, 0x87f00000);
	CHECK_EQ_UINT(bi.reserved[1].base, 0x80000000);
	CHECK_EQ_UINT(bi.reserved[1].size, 0x40000);
	CHECK_EQ_INT(bi.truncated, 0);

	/* Devices: the disabled serial@9000000 comes first and is skipped. */
	node = dt_find_device(&fdt, "ns16550a", &a, &s, &irq);
	CHECK_EQ_INT(node, serial);
	CHECK_EQ_UINT(a, 0x10000000);
	CHECK_EQ_UINT(s, 0x100);
	CHECK_EQ_INT(irq, 10);
	CHECK_EQ_INT(fdt_getprop_u64(&fdt, node, "clock-frequency", &a), 0);
	CHECK_EQ_UINT(a, 0x384000);
	irq = 77;
	CHECK_EQ_INT(dt_find_device(&fdt, "riscv,clint0", &a, &s, &irq) > 0, 1);
	CHECK_EQ_UINT(a, 0x2000000);
	CHECK_EQ_INT(irq, 0); /* interrupts-extended is not decoded */
	CHECK(dt_find_device(&fdt, "riscv,cpu-intc", &a, &s, NULL) > 0);
	CHECK_EQ_UINT(a, 0);
	CHECK_EQ_UINT(s, 0);
	CHECK_EQ_INT(dt_find_device(&fdt, "virtio,mmio", &a, &s, &irq), -RV_ENOENT);
	CHECK(dt_find_device(&fdt, "google,goldfish-rtc", NULL, NULL, NULL) > 0);

	exercise(&fdt, true);
	free(blob);
}

static void test_sifive_u(void)
{
	struct boot_info bi;
	struct fdt fdt;
	size_t size;
	uint64_t a, s;
	uint32_t irq;
	int legacy;

	for (legacy = 0; legacy < 2; legacy++) {
		uint8_t *blob = build_sifive_u(&size, legacy);

		CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
		CHECK_EQ_INT(dt_parse_boot_info(&fdt, &bi), 0);
		/* Not the monitor core 0, not "riscv,none" 3, not disabled 4. */
		CHECK_EQ_INT(bi.hart_count, 2);
		CHECK_EQ_INT(bi.hart_ids[0], 1);
		CHECK_EQ_INT(bi.hart_ids[1], 2);
		CHECK_EQ_UINT(bi.timebase_hz, 1000000);
		CHECK_EQ_INT(bi.mem_count, 1);
		CHECK_EQ_UINT(bi.mem[0].size, 0x40000000);
		CHECK_EQ_UINT(bi.initrd_start, 0);
		CHECK_EQ_UINT(bi.initrd_end, 0);
		CHECK_EQ_INT(bi.reserved_count, 0);
		CHECK_EQ_STR(bi.model, "SiFive HiFive Unleashed A00");
		CHECK(dt_find_device(&fdt, "sifive,uart0", &a, &s, &irq) > 0);
		CHECK_EQ_UINT(a, 0x10010000);
		CHECK_EQ_INT(irq, 4);
		exercise(&fdt, legacy == 0);
		free(blob);
	}
}

/* ---- Header validation ---- */

/* Patch one header word of a fresh virt blob and return fdt_init's verdict. */
static int init_patched(size_t field, uint32_t value, size_t max_size_delta)
{
	size_t size;
	uint8_t *blob = build_virt(&size);
	struct fdt fdt;
	int r;

	fdtb_put32(blob, field, value);
	r = fdt_init(&fdt, blob, size - max_size_delta);
	if (r == 0)
		exercise(&fdt, false);
	free(blob);
	return r;
}

static void test_header(void)
{
	size_t size;
	uint8_t *blob = build_virt(&size);
	uint32_t st_off = fdtb_get32(blob, FDTB_HDR_OFF_STRUCT);
	uint32_t st_size = fdtb_get32(blob, FDTB_HDR_SIZE_STRUCT);
	uint32_t str_off = fdtb_get32(blob, FDTB_HDR_OFF_STRINGS);
	uint32_t str_size = fdtb_get32(blob, FDTB_HDR_SIZE_STRINGS);
	struct fdt fdt;

	CHECK_EQ_INT(fdt_init(NULL, blob, size), -RV_EINVAL);
	CHECK_EQ_INT(fdt_init(&fdt, NULL, size), -RV_EINVAL);
	CHECK_EQ_INT(fdt_init(&fdt, blob, 0), -RV_ERANGE);
	CHECK_EQ_INT(fdt_init(&fdt, blob, 39), -RV_ERANGE);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size - 1), -RV_ERANGE);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
	free(blob);
	/* A readable area larger than totalsize is fine: firmware pads blobs. */
	blob = calloc(1, size + 64);
	memcpy(blob, build_virt_cached(&size), size);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size + 64), 0);
	CHECK_EQ_UINT(fdt.size, size);
	free(blob);
	/* totalsize smaller than the blocks it should contain. */
	CHECK_EQ_INT(init_patched(FDTB_HDR_TOTALSIZE, (uint32_t)size - 4, 0), -RV_EBADMSG);

	CHECK_EQ_INT(init_patched(FDTB_HDR_MAGIC, 0xedfe0dd0, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_MAGIC, 0, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_TOTALSIZE, 39, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_TOTALSIZE, 0, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_TOTALSIZE, 0xffffffff, 0), -RV_ERANGE);
	CHECK_EQ_INT(init_patched(FDTB_HDR_VERSION, 15, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_VERSION, 1, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_VERSION, 18, 0), 0);
	CHECK_EQ_INT(init_patched(FDTB_HDR_LAST_COMP, 18, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_LAST_COMP, 17, 0), 0);
	/* Version 16 has no size_dt_struct: whatever the field holds is ignored. */
	CHECK_EQ_INT(init_patched(FDTB_HDR_VERSION, 16, 0), 0);
	blob = build_virt(&size);
	fdtb_put32(blob, FDTB_HDR_VERSION, 16);
	fdtb_put32(blob, FDTB_HDR_SIZE_STRUCT, 0xffffffff);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
	CHECK_EQ_UINT(fdt.struct_size, size - st_off);
	CHECK(fdt_path_offset(&fdt, "/soc/serial@10000000") > 0);
	free(blob);

	/* Structure block outside the blob, misaligned, wrapping. */
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_STRUCT, (uint32_t)size + 4, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_STRUCT, 0xfffffff0, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_STRUCT, st_off + 2, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_STRUCT, 0, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_STRUCT, 36, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_SIZE_STRUCT, (uint32_t)size - st_off + 1, 0),
		     -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_SIZE_STRUCT, 0xfffffffc, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_SIZE_STRUCT, 0, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_SIZE_STRUCT, st_size - 4, 0), -RV_EBADMSG);
	/* Strings block outside the blob, wrapping, too short for the names. */
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_STRINGS, (uint32_t)size + 1, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_STRINGS, 0, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_SIZE_STRINGS, str_size + 1, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_SIZE_STRINGS, 0xffffffff, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_SIZE_STRINGS, str_size - 1, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_SIZE_STRINGS, 0, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_STRINGS, str_off + 1, 0), -RV_EBADMSG);
	/* Reservation block misaligned or without room for its terminator. */
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_RSVMAP, 44, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_RSVMAP, 8, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_RSVMAP, (uint32_t)size, 0), -RV_EBADMSG);
	CHECK_EQ_INT(init_patched(FDTB_HDR_OFF_RSVMAP, 0xfffffff8, 0), -RV_EBADMSG);
}

/* A reservation list with no terminator before the end of the blob. */
static void test_rsvmap_runs_off(void)
{
	size_t size;
	uint8_t *blob = build_virt(&size);
	struct fdt fdt;
	uint64_t a, s;
	uint32_t off = (uint32_t)(size - 16) & ~7u;

	/* Point it at the (non-zero) tail of the strings block. */
	fdtb_put32(blob, FDTB_HDR_OFF_RSVMAP, off);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
	CHECK_EQ_INT(fdt_mem_rsv(&fdt, 0, &a, &s), 0);
	CHECK_EQ_INT(fdt_mem_rsv(&fdt, 1, &a, &s), -RV_EBADMSG);
	CHECK_EQ_INT(fdt_mem_rsv(&fdt, 1u << 31, &a, &s), -RV_EBADMSG);
	free(blob);
}

/* ---- Malformed structure blocks ---- */

/* Finish b into an exact-size blob and return fdt_init's verdict; exercise it if accepted. */
static int init_built(struct fdtb *b)
{
	size_t size;
	uint8_t *blob = fdtb_finish(b, &size);
	struct fdt fdt;
	int r = fdt_init(&fdt, blob, size);

	if (r == 0)
		exercise(&fdt, true);
	free(blob);
	fdtb_free(b);
	return r;
}

/* Root with one property, leaves the root open. */
static void begin_simple(struct fdtb *b)
{
	fdtb_init(b);
	fdtb_begin_node(b, "");
	fdtb_prop_str(b, "model", "m");
}

static void test_structure(void)
{
	struct fdtb b;
	uint32_t off;
	unsigned int i;

	/* The minimal tree. */
	begin_simple(&b);
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), 0);

	/* Node name running to the end of the structure block (which ends the blob). */
	fdtb_init(&b);
	fdtb_begin_node(&b, "");
	fdtb_raw32(&b, 1);
	fdtb_raw_bytes(&b, "abcdefg", 7);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);

	/* Property header cut off by the end of the block. */
	fdtb_init(&b);
	fdtb_begin_node(&b, "");
	fdtb_raw32(&b, 3);
	fdtb_raw32(&b, 4);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);

	/* Property length past the end, and one that would wrap the offset. */
	begin_simple(&b);
	fdtb_raw32(&b, 3);
	fdtb_raw32(&b, 64);
	fdtb_raw32(&b, 0);
	fdtb_raw32(&b, 0);
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);
	begin_simple(&b);
	fdtb_raw32(&b, 3);
	fdtb_raw32(&b, 0xfffffffc);
	fdtb_raw32(&b, 0);
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);

	/* Property name offset outside the strings block. */
	begin_simple(&b);
	fdtb_raw32(&b, 3);
	fdtb_raw32(&b, 0);
	fdtb_raw32(&b, 100);
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);
	begin_simple(&b);
	fdtb_raw32(&b, 3);
	fdtb_raw32(&b, 0);
	fdtb_raw32(&b, 0xffffffff);
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);

	/* Property name with no NUL before the end of the strings block (= blob end). */
	begin_simple(&b);
	off = fdtb_raw_string_bytes(&b, "unterminated", 12);
	fdtb_raw32(&b, 3);
	fdtb_raw32(&b, 0);
	fdtb_raw32(&b, off);
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);

	/* Unknown token, token not aligned, stray data. */
	begin_simple(&b);
	fdtb_raw32(&b, 7);
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);
	begin_simple(&b);
	fdtb_raw32(&b, 0);
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);

	/* Missing FDT_END; missing END_NODE; extra END_NODE; empty block. */
	begin_simple(&b);
	fdtb_end_node(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);
	begin_simple(&b);
	fdtb_begin_node(&b, "child");
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);
	begin_simple(&b);
	fdtb_end_node(&b);
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);
	fdtb_init(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);
	fdtb_init(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);

	/* Two roots; a property before the root; a property after it. */
	begin_simple(&b);
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "");
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);
	fdtb_init(&b);
	fdtb_prop_str(&b, "model", "m");
	fdtb_begin_node(&b, "");
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);
	begin_simple(&b);
	fdtb_end_node(&b);
	fdtb_prop_str(&b, "model", "m");
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);
	/* A NOP before the root is not allowed: the root is offset 0. */
	fdtb_init(&b);
	fdtb_nop(&b);
	fdtb_begin_node(&b, "");
	fdtb_end_node(&b);
	fdtb_end(&b);
	CHECK_EQ_INT(init_built(&b), -RV_EBADMSG);

	/* Data after FDT_END is ignored. */
	begin_simple(&b);
	fdtb_end_node(&b);
	fdtb_end(&b);
	fdtb_raw32(&b, 0xdeadbeef);
	CHECK_EQ_INT(init_built(&b), 0);

	/* Nesting: CONFIG_DT_MAX_DEPTH levels below the root are fine, one more is not. */
	for (i = 0; i < 2; i++) {
		unsigned int d, levels = CONFIG_DT_MAX_DEPTH + i;

		fdtb_init(&b);
		fdtb_begin_node(&b, "");
		for (d = 0; d < levels; d++)
			fdtb_begin_node(&b, "n");
		for (d = 0; d <= levels; d++)
			fdtb_end_node(&b);
		fdtb_end(&b);
		CHECK_EQ_INT(init_built(&b), i == 0 ? 0 : -RV_EBADMSG);
	}
}

/* NOPs anywhere inside the tree and a deep path work as expected. */
static void test_nops_and_depth(void)
{
	struct fdtb b;
	struct fdt fdt;
	size_t size;
	uint8_t *blob;
	char path[3 * CONFIG_DT_MAX_DEPTH + 2];
	int node, parent, depth;
	unsigned int d;

	fdtb_init(&b);
	fdtb_begin_node(&b, "");
	fdtb_nop(&b);
	fdtb_prop_str(&b, "model", "nop-test");
	fdtb_nop(&b);
	fdtb_prop_u32(&b, "#size-cells", 1);
	fdtb_begin_node(&b, "a");
	fdtb_nop(&b);
	fdtb_end_node(&b);
	fdtb_nop(&b);
	fdtb_begin_node(&b, "b");
	fdtb_end_node(&b);
	/* A property after a subnode is not seen: properties come first. */
	fdtb_prop_u32(&b, "late", 1);
	fdtb_end_node(&b);
	fdtb_nop(&b);
	fdtb_end(&b);
	blob = fdtb_finish(&b, &size);
	fdtb_free(&b);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
	CHECK_EQ_STR(fdt_getprop_str(&fdt, 0, "model"), "nop-test");
	CHECK(fdt_getprop(&fdt, 0, "#size-cells", NULL) != NULL);
	CHECK(fdt_getprop(&fdt, 0, "late", NULL) == NULL);
	node = fdt_path_offset(&fdt, "/b");
	CHECK_EQ_STR(fdt_node_name(&fdt, node), "b");
	CHECK_EQ_INT(fdt_next_sibling(&fdt, fdt_path_offset(&fdt, "/a")), node);
	CHECK_EQ_INT(fdt_next_node(&fdt, node, NULL), -RV_ENOENT);
	free(blob);

	/* A chain CONFIG_DT_MAX_DEPTH deep: path lookup and parent at the bottom. */
	fdtb_init(&b);
	fdtb_begin_node(&b, "");
	for (d = 0; d < CONFIG_DT_MAX_DEPTH; d++)
		fdtb_begin_node(&b, "n");
	fdtb_prop_str(&b, "compatible", "deep");
	for (d = 0; d <= CONFIG_DT_MAX_DEPTH; d++)
		fdtb_end_node(&b);
	fdtb_end(&b);
	blob = fdtb_finish(&b, &size);
	fdtb_free(&b);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
	path[0] = '\0';
	for (d = 0; d < CONFIG_DT_MAX_DEPTH; d++)
		strcat(path, "/n");
	node = fdt_path_offset(&fdt, path);
	CHECK_EQ_INT(node, fdt_node_by_compatible(&fdt, -1, "deep"));
	parent = fdt_parent(&fdt, node);
	CHECK(parent > 0 && parent < node);
	depth = 0;
	CHECK_EQ_INT(fdt_next_node(&fdt, parent, &depth), node);
	CHECK_EQ_INT(depth, 1);
	free(blob);
}

/* Offsets that are not nodes, including a fake BEGIN_NODE inside a property value. */
static void test_bad_offsets(void)
{
	static const uint8_t fake[] = { 0, 0, 0, 1, 'x', 0, 0, 0, 0, 0, 0, 2,
					/* a BEGIN_NODE at a misaligned offset */
					0xaa, 0, 0, 0, 1, 'y', 0, 0 };
	struct fdtb b;
	struct fdt fdt;
	size_t size;
	uint8_t *blob;
	uint64_t a;
	int node, fake_off, prop_off;

	fdtb_init(&b);
	fdtb_begin_node(&b, "");
	fdtb_begin_node(&b, "dev");
	prop_off = (int)b.st_len;
	fdtb_prop(&b, "blob", fake, sizeof(fake));
	fdtb_end_node(&b);
	fdtb_end_node(&b);
	fdtb_end(&b);
	blob = fdtb_finish(&b, &size);
	fdtb_free(&b);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
	node = fdt_path_offset(&fdt, "/dev");
	fake_off = prop_off + 12;

	/* The fake node decodes, but it is not part of the tree. */
	CHECK_EQ_STR(fdt_node_name(&fdt, fake_off), "x");
	CHECK_EQ_INT(fdt_parent(&fdt, fake_off), -RV_EINVAL);
	CHECK_EQ_INT(fdt_reg(&fdt, fake_off, 0, &a, NULL), -RV_EINVAL);
	CHECK(fdt_node_name(&fdt, prop_off) == NULL);
	CHECK(fdt_node_name(&fdt, fake_off + 13) == NULL);
	CHECK(fdt_getprop(&fdt, fake_off + 13, "x", NULL) == NULL);
	CHECK(fdt_getprop(&fdt, prop_off, "blob", NULL) == NULL);
	CHECK_EQ_INT(fdt_next_node(&fdt, prop_off, NULL), -RV_EINVAL);
	CHECK_EQ_INT(fdt_parent(&fdt, node), 0);
	CHECK(fdt_node_name(&fdt, node + 1) == NULL);
	CHECK(fdt_node_name(&fdt, (int)fdt.struct_size) == NULL);
	CHECK(fdt_node_name(&fdt, (int)fdt.struct_size - 4) == NULL);
	CHECK(fdt_node_name(&fdt, -1) == NULL);
	CHECK(fdt_node_name(&fdt, 0x7ffffffc) == NULL);
	CHECK_EQ_INT(fdt_address_cells(&fdt, 3), -RV_EINVAL);
	exercise(&fdt, true);
	free(blob);
}

/*
 * Data after FDT_END is not walked by fdt_init, but an offset pointing into it
 * still decodes tokens there: those must be bounds-checked on their own.
 */
static void test_trailing_garbage(void)
{
	struct fdtb b;
	struct fdt fdt;
	size_t size;
	uint8_t *blob;
	uint32_t len;
	int fake;

	/* A node name without NUL up to the end of the block and, no strings, the blob. */
	fdtb_init(&b);
	fdtb_begin_node(&b, "");
	fdtb_end_node(&b);
	fdtb_end(&b);
	fake = (int)b.st_len;
	fdtb_raw32(&b, 1);
	fdtb_raw_bytes(&b, "abcd", 4);
	blob = fdtb_finish(&b, &size);
	fdtb_free(&b);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
	CHECK(fdt_node_name(&fdt, fake) == NULL);
	CHECK_EQ_INT(fdt_next_node(&fdt, fake, NULL), -RV_EINVAL);
	exercise(&fdt, true);
	free(blob);

	/* A property whose length runs past the end of the block. */
	begin_simple(&b);
	fdtb_end_node(&b);
	fdtb_end(&b);
	fake = (int)b.st_len;
	fdtb_begin_node(&b, "x");
	fdtb_raw32(&b, 3);
	fdtb_raw32(&b, 0x100);
	fdtb_raw32(&b, fdtb_string(&b, "model"));
	blob = fdtb_finish(&b, &size);
	fdtb_free(&b);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
	CHECK_EQ_STR(fdt_node_name(&fdt, fake), "x");
	CHECK(fdt_getprop(&fdt, fake, "model", &len) == NULL);
	exercise(&fdt, true);
	free(blob);
}

/* ---- Properties: strings, cells, reg ---- */

static void test_stringlist(void)
{
	CHECK(fdt_stringlist_contains("a\0bc", 5, "bc"));
	CHECK(fdt_stringlist_contains("a\0bc", 5, "a"));
	CHECK(!fdt_stringlist_contains("a\0bc", 5, "b"));
	CHECK(!fdt_stringlist_contains("a\0bc", 5, "abc"));
	CHECK(!fdt_stringlist_contains("a\0bc", 5, ""));
	CHECK(fdt_stringlist_contains("a\0\0bc", 6, ""));
	/* Unterminated tail: only the terminated strings before it count. */
	CHECK(fdt_stringlist_contains("a\0bcX", 4, "a"));
	CHECK(!fdt_stringlist_contains("a\0bcX", 4, "bc"));
	CHECK(!fdt_stringlist_contains("abc", 3, "abc"));
	CHECK(!fdt_stringlist_contains("", 0, ""));
}

static void test_isa_extensions(void)
{
	const char *isa = "rv64imafdch_zicsr_zkr_sstc";
	uint32_t n = (uint32_t)strlen(isa) + 1;

	CHECK(dt_isa_has_extension(isa, n, "zkr"));
	CHECK(dt_isa_has_extension(isa, n, "zicsr"));
	CHECK(dt_isa_has_extension(isa, n, "sstc"));            /* the last token */
	CHECK(dt_isa_has_extension(isa, n - 1, "sstc"));        /* no NUL */
	CHECK(!dt_isa_has_extension(isa, n - 2, "sstc"));       /* cut short: "sst" */
	CHECK(!dt_isa_has_extension(isa, n, "rv64imafdch"));    /* the base never */
	CHECK(!dt_isa_has_extension(isa, n, "zk"));
	CHECK(!dt_isa_has_extension(isa, n, "zkrx"));
	CHECK(!dt_isa_has_extension(isa, n, ""));
	CHECK(!dt_isa_has_extension("rv64imac", 9, "zkr"));
	CHECK(!dt_isa_has_extension("rv64imac__zkr", 14, "")); /* an empty token */
	CHECK(dt_isa_has_extension("rv64imac__zkr", 14, "zkr"));
	CHECK(!dt_isa_has_extension("rv64i\0_zkr", 11, "zkr")); /* after the NUL */
	CHECK(!dt_isa_has_extension("", 0, "zkr"));
}

static void test_cells(void)
{
	static const uint8_t c[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0xff };

	CHECK_EQ_UINT(fdt_read_cells(c, 1), 0x12345678);
	CHECK_EQ_UINT(fdt_read_cells(c, 2), 0x123456789abcdef0ULL);
	/* Unaligned source. */
	CHECK_EQ_UINT(fdt_read_cells(c + 1, 2), 0x3456789abcdef0ffULL);
	CHECK_EQ_UINT(fdt_read_cells(c, 0), 0);
	CHECK_EQ_UINT(fdt_read_cells(c, 3), 0);
}

/* One node "/bus/dev" with the bus declaring cells and dev a reg of reg_len bytes. */
static int reg_case(int ac, int sc, const uint8_t *reg, uint32_t reg_len, unsigned int index,
		    uint64_t *addr, uint64_t *size)
{
	struct fdtb b;
	struct fdt fdt;
	size_t bsize;
	uint8_t *blob;
	int r;

	fdtb_init(&b);
	fdtb_begin_node(&b, "");
	fdtb_begin_node(&b, "bus");
	if (ac >= 0)
		fdtb_prop_u32(&b, "#address-cells", (uint32_t)ac);
	if (sc >= 0)
		fdtb_prop_u32(&b, "#size-cells", (uint32_t)sc);
	if (ac == -2)
		fdtb_prop_u64(&b, "#address-cells", 1);
	fdtb_begin_node(&b, "dev");
	if (reg)
		fdtb_prop(&b, "reg", reg, reg_len);
	fdtb_end_node(&b);
	fdtb_end_node(&b);
	fdtb_end_node(&b);
	fdtb_end(&b);
	blob = fdtb_finish(&b, &bsize);
	fdtb_free(&b);
	r = fdt_init(&fdt, blob, bsize);
	if (r == 0)
		r = fdt_reg(&fdt, fdt_path_offset(&fdt, "/bus/dev"), index, addr, size);
	free(blob);
	return r;
}

static void test_reg(void)
{
	static const uint8_t r16[16] = { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4 };
	static const uint8_t r12[12] = { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 };
	uint64_t a = 0, s = 0;

	CHECK_EQ_INT(reg_case(1, 1, r16, 16, 0, &a, &s), 0);
	CHECK_EQ_UINT(a, 1);
	CHECK_EQ_UINT(s, 2);
	CHECK_EQ_INT(reg_case(1, 1, r16, 16, 1, &a, &s), 0);
	CHECK_EQ_UINT(a, 3);
	CHECK_EQ_UINT(s, 4);
	CHECK_EQ_INT(reg_case(1, 1, r16, 16, 2, &a, &s), -RV_ENOENT);
	CHECK_EQ_INT(reg_case(2, 2, r16, 16, 0, &a, &s), 0);
	CHECK_EQ_UINT(a, 0x100000002ULL);
	CHECK_EQ_UINT(s, 0x300000004ULL);
	/* Defaults 2 and 1 when the bus says nothing. */
	CHECK_EQ_INT(reg_case(-1, -1, r12, 12, 0, &a, &s), 0);
	CHECK_EQ_UINT(a, 0x100000002ULL);
	CHECK_EQ_UINT(s, 3);
	CHECK_EQ_INT(reg_case(1, 0, r12, 12, 2, &a, &s), 0);
	CHECK_EQ_UINT(a, 3);
	CHECK_EQ_UINT(s, 0);
	CHECK_EQ_INT(reg_case(2, 0, r16, 16, 1, &a, &s), 0);
	CHECK_EQ_UINT(a, 0x300000004ULL);
	CHECK_EQ_INT(reg_case(2, 2, r12, 12, 0, &a, &s), -RV_EBADMSG);
	CHECK_EQ_INT(reg_case(1, 1, r12, 3, 0, &a, &s), -RV_EBADMSG);
	CHECK_EQ_INT(reg_case(1, 1, r12, 0, 0, &a, &s), -RV_ENOENT);
	CHECK_EQ_INT(reg_case(1, 1, NULL, 0, 0, &a, &s), -RV_ENOENT);
	CHECK_EQ_INT(reg_case(0, 0, r16, 16, 0, &a, &s), -RV_EBADMSG);
	CHECK_EQ_INT(reg_case(3, 1, r16, 16, 0, &a, &s), -RV_ERANGE);
	CHECK_EQ_INT(reg_case(1, 3, r16, 16, 0, &a, &s), -RV_ERANGE);
	CHECK_EQ_INT(reg_case(5, 1, r16, 16, 0, &a, &s), -RV_EBADMSG);
	CHECK_EQ_INT(reg_case(1, 5, r16, 16, 0, &a, &s), -RV_EBADMSG);
	CHECK_EQ_INT(reg_case(-2, 1, r16, 16, 0, &a, &s), -RV_EBADMSG);
}

/* ---- Boot info edge cases ---- */

struct bi_opts {
	bool no_memory, mem_disabled, mem_zero, mem_wrap;
	unsigned int mem_entries;  /* reg entries in the memory node (default 1) */
	unsigned int mem_nodes;    /* memory nodes (default 1) */
	bool no_cpus, no_tb, tb_zero, tb_bad_len, tb_in_cpu, tb_u64;
	unsigned int ncpus;        /* default 1 */
	bool cpu_no_reg, cpu_wide_reg;
	int initrd;                /* 0 none, 1 ok u32, 2 ok u64, 3 end<start, 4 start only,
				      5 bad length */
	const char *model;         /* NULL: none */
	uint32_t model_len;        /* 0: strlen + 1 */
	unsigned int nrsv;         /* /memreserve/ entries */
};

static int boot_case(const struct bi_opts *o, struct boot_info *bi)
{
	struct fdtb b;
	struct fdt fdt;
	size_t size;
	uint8_t *blob;
	unsigned int i, j;
	int r;

	fdtb_init(&b);
	for (i = 0; i < o->nrsv; i++)
		fdtb_add_rsv(&b, 0x90000000ULL + i * 0x1000, 0x1000);
	fdtb_begin_node(&b, "");
	fdtb_prop_u32(&b, "#address-cells", 2);
	fdtb_prop_u32(&b, "#size-cells", 2);
	if (o->model)
		fdtb_prop(&b, "model", o->model,
			  o->model_len ? o->model_len : (uint32_t)strlen(o->model) + 1);
	for (j = 0; !o->no_memory && j < (o->mem_nodes ? o->mem_nodes : 1); j++) {
		unsigned int n = o->mem_entries ? o->mem_entries : 1;
		uint8_t *reg = calloc(n, 16);
		char name[32];

		for (i = 0; i < n; i++) {
			uint64_t base = 0x80000000ULL + (j * 16 + i) * 0x10000000ULL;
			uint64_t sz = o->mem_zero ? 0 : 0x1000000;

			if (o->mem_wrap) {
				base = 0xfffffffffffff000ULL;
				sz = 0x2000;
			}
			fdtb_put32(reg, i * 16, (uint32_t)(base >> 32));
			fdtb_put32(reg, i * 16 + 4, (uint32_t)base);
			fdtb_put32(reg, i * 16 + 8, (uint32_t)(sz >> 32));
			fdtb_put32(reg, i * 16 + 12, (uint32_t)sz);
		}
		snprintf(name, sizeof(name), "memory@%x", 0x80000000u + j * 0x10000000u);
		fdtb_begin_node(&b, name);
		fdtb_prop_str(&b, "device_type", "memory");
		if (o->mem_disabled)
			fdtb_prop_str(&b, "status", "disabled");
		fdtb_prop(&b, "reg", reg, n * 16);
		fdtb_end_node(&b);
		free(reg);
	}
	/* Not a memory node despite the name: device_type decides. */
	fdtb_begin_node(&b, "memory-controller@1000");
	fdtb_prop_cells(&b, "reg", 4, 0, 0x1000, 0, 0x1000);
	fdtb_end_node(&b);
	if (!o->no_cpus) {
		fdtb_begin_node(&b, "cpus");
		fdtb_prop_u32(&b, "#address-cells", o->cpu_wide_reg ? 2 : 1);
		fdtb_prop_u32(&b, "#size-cells", 0);
		if (!o->no_tb && !o->tb_in_cpu) {
			if (o->tb_bad_len)
				fdtb_prop(&b, "timebase-frequency", "\1\2", 2);
			else if (o->tb_u64)
				fdtb_prop_u64(&b, "timebase-frequency", 0x100000000ULL);
			else
				fdtb_prop_u32(&b, "timebase-frequency", o->tb_zero ? 0 : 24000000);
		}
		for (i = 0; i < (o->ncpus ? o->ncpus : 1); i++) {
			char name[16];

			snprintf(name, sizeof(name), "cpu@%u", i);
			fdtb_begin_node(&b, name);
			fdtb_prop_str(&b, "device_type", "cpu");
			if (o->cpu_wide_reg)
				fdtb_prop_u64(&b, "reg", 0x100000000ULL + i);
			else if (!o->cpu_no_reg)
				fdtb_prop_u32(&b, "reg", i + 10);
			fdtb_prop_str(&b, "mmu-type", "riscv,sv48");
			if (o->tb_in_cpu && i == 1)
				fdtb_prop_u32(&b, "timebase-frequency", 32768);
			fdtb_end_node(&b);
		}
		fdtb_end_node(&b);
	}
	if (o->initrd) {
		fdtb_begin_node(&b, "chosen");
		switch (o->initrd) {
		case 1:
			fdtb_prop_u32(&b, "linux,initrd-start", 0x84000000);
			fdtb_prop_u32(&b, "linux,initrd-end", 0x84100000);
			break;
		case 2:
			fdtb_prop_u64(&b, "linux,initrd-start", 0x184000000ULL);
			fdtb_prop_u64(&b, "linux,initrd-end", 0x184100000ULL);
			break;
		case 3:
			fdtb_prop_u32(&b, "linux,initrd-start", 0x84100000);
			fdtb_prop_u32(&b, "linux,initrd-end", 0x84000000);
			break;
		case 4:
			fdtb_prop_u32(&b, "linux,initrd-start", 0x84100000);
			break;
		default:
			fdtb_prop(&b, "linux,initrd-start", "\0\0\0\0\0\0", 6);
			fdtb_prop_u32(&b, "linux,initrd-end", 0x84000000);
			break;
		}
		fdtb_end_node(&b);
	}
	fdtb_end_node(&b);
	fdtb_end(&b);
	blob = fdtb_finish(&b, &size);
	fdtb_free(&b);
	r = fdt_init(&fdt, blob, size);
	if (r == 0) {
		r = dt_parse_boot_info(&fdt, bi);
		exercise(&fdt, false);
	}
	free(blob);
	return r;
}

static void test_boot_info(void)
{
	struct boot_info bi;
	struct bi_opts o;
	char longmodel[100];

	memset(&o, 0, sizeof(o));
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_INT(bi.mem_count, 1);
	CHECK_EQ_UINT(bi.timebase_hz, 24000000);
	CHECK_EQ_INT(bi.hart_count, 1);
	CHECK_EQ_INT(bi.hart_ids[0], 10);
	CHECK_EQ_STR(bi.model, "");
	CHECK_EQ_INT(bi.truncated, 0);

	/* Memory. */
	memset(&o, 0, sizeof(o));
	o.no_memory = true;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_ENOENT);
	memset(&o, 0, sizeof(o));
	o.mem_disabled = true;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_ENOENT);
	memset(&o, 0, sizeof(o));
	o.mem_zero = true;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_ENOENT);
	memset(&o, 0, sizeof(o));
	o.mem_wrap = true;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_ERANGE);
	memset(&o, 0, sizeof(o));
	o.mem_entries = 3;
	o.mem_nodes = 2;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_INT(bi.mem_count, 4);
	CHECK_EQ_INT(bi.truncated, DT_TRUNC_MEM);
	CHECK_EQ_UINT(bi.mem[2].base, 0xa0000000);
	CHECK_EQ_UINT(bi.mem[3].base, 0x180000000ULL);
	CHECK_EQ_UINT(bi.mem[3].size, 0x1000000);
	memset(&o, 0, sizeof(o));
	o.mem_entries = 4;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_INT(bi.mem_count, 4);
	CHECK_EQ_INT(bi.truncated, 0);

	/* Reservations. */
	memset(&o, 0, sizeof(o));
	o.nrsv = 6;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_INT(bi.reserved_count, 4);
	CHECK_EQ_INT(bi.truncated, DT_TRUNC_RESERVED);
	CHECK_EQ_UINT(bi.reserved[3].base, 0x90003000);

	/* Timebase. */
	memset(&o, 0, sizeof(o));
	o.no_cpus = true;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_ENOENT);
	memset(&o, 0, sizeof(o));
	o.no_tb = true;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_ENOENT);
	memset(&o, 0, sizeof(o));
	o.tb_zero = true;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_EINVAL);
	memset(&o, 0, sizeof(o));
	o.tb_bad_len = true;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_EBADMSG);
	memset(&o, 0, sizeof(o));
	o.tb_u64 = true;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_UINT(bi.timebase_hz, 0x100000000ULL);
	memset(&o, 0, sizeof(o));
	o.tb_in_cpu = true;
	o.ncpus = 3;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_UINT(bi.timebase_hz, 32768);

	/* Harts. */
	memset(&o, 0, sizeof(o));
	o.ncpus = CONFIG_MAX_HARTS;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_INT(bi.hart_count, CONFIG_MAX_HARTS);
	CHECK_EQ_INT(bi.truncated, 0);
	o.ncpus = CONFIG_MAX_HARTS + 3;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_INT(bi.hart_count, CONFIG_MAX_HARTS);
	CHECK_EQ_INT(bi.hart_ids[CONFIG_MAX_HARTS - 1], CONFIG_MAX_HARTS - 1 + 10);
	CHECK_EQ_INT(bi.truncated, DT_TRUNC_HARTS);
	memset(&o, 0, sizeof(o));
	o.cpu_no_reg = true;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_EBADMSG);
	memset(&o, 0, sizeof(o));
	o.cpu_wide_reg = true;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_EBADMSG);

	/* initrd. */
	memset(&o, 0, sizeof(o));
	o.initrd = 1;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_UINT(bi.initrd_start, 0x84000000);
	CHECK_EQ_UINT(bi.initrd_end, 0x84100000);
	o.initrd = 2;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_UINT(bi.initrd_start, 0x184000000ULL);
	CHECK_EQ_UINT(bi.initrd_end, 0x184100000ULL);
	o.initrd = 3;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_EINVAL);
	o.initrd = 4;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_EINVAL);
	o.initrd = 5;
	CHECK_EQ_INT(boot_case(&o, &bi), -RV_EBADMSG);

	/* Model: truncated to 63 characters; unterminated is bounded by its length. */
	memset(longmodel, 'M', sizeof(longmodel) - 1);
	longmodel[sizeof(longmodel) - 1] = '\0';
	memset(&o, 0, sizeof(o));
	o.model = longmodel;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_INT(strlen(bi.model), 63);
	o.model = "ABCDEF";
	o.model_len = 3;
	CHECK_EQ_INT(boot_case(&o, &bi), 0);
	CHECK_EQ_STR(bi.model, "ABC");

	CHECK_EQ_INT(dt_parse_boot_info(NULL, &bi), -RV_EINVAL);
}

/* dt_find_device corner cases: no reg, short interrupts. */
static void test_find_device(void)
{
	struct fdtb b;
	struct fdt fdt;
	size_t size;
	uint8_t *blob;
	uint64_t a = 1, s = 1;
	uint32_t irq = 1;

	fdtb_init(&b);
	fdtb_begin_node(&b, "");
	fdtb_begin_node(&b, "noreg");
	fdtb_prop_str(&b, "compatible", "x,noreg");
	fdtb_prop_u32(&b, "interrupts", 5);
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "shortirq");
	fdtb_prop_str(&b, "compatible", "x,short");
	fdtb_prop(&b, "interrupts", "\0\1", 2);
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "badreg");
	fdtb_prop_str(&b, "compatible", "x,badreg");
	fdtb_prop(&b, "reg", "\0\0\0\1\0\0\0\2", 8);
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "fail");
	fdtb_prop_str(&b, "compatible", "x,fail");
	fdtb_prop_str(&b, "status", "fail");
	fdtb_end_node(&b);
	fdtb_begin_node(&b, "legacy-ok");
	fdtb_prop_str(&b, "compatible", "x,ok");
	fdtb_prop_str(&b, "status", "ok");
	fdtb_end_node(&b);
	fdtb_end_node(&b);
	fdtb_end(&b);
	blob = fdtb_finish(&b, &size);
	fdtb_free(&b);
	CHECK_EQ_INT(fdt_init(&fdt, blob, size), 0);
	CHECK_EQ_INT(dt_find_device(&fdt, "x,noreg", &a, &s, &irq),
		     fdt_path_offset(&fdt, "/noreg"));
	CHECK_EQ_UINT(a, 0);
	CHECK_EQ_UINT(s, 0);
	CHECK_EQ_INT(irq, 5);
	CHECK_EQ_INT(dt_find_device(&fdt, "x,short", &a, &s, &irq), -RV_EBADMSG);
	CHECK_EQ_INT(dt_find_device(&fdt, "x,badreg", &a, &s, &irq), -RV_EBADMSG);
	CHECK_EQ_INT(dt_find_device(&fdt, "x,fail", &a, &s, &irq), -RV_ENOENT);
	CHECK(dt_find_device(&fdt, "x,ok", &a, &s, &irq) > 0);
	free(blob);
}

/* ---- Truncation and mutation ---- */

static void test_truncation(void)
{
	size_t size, len;
	uint8_t *good = build_virt(&size);
	uint32_t st_off = fdtb_get32(good, FDTB_HDR_OFF_STRUCT);
	uint32_t str_off = fdtb_get32(good, FDTB_HDR_OFF_STRINGS);
	bool all_refused = true;

	for (len = 0; len <= size; len++) {
		uint8_t *p = exact_copy(good, len);
		struct fdt fdt;
		int r;

		/* Header intact: the blob claims more than may be read. */
		r = fdt_init(&fdt, p, len);
		if (len < size)
			all_refused &= r == -RV_ERANGE;
		else
			CHECK_EQ_INT(r, 0);

		/* Header adjusted to the cut: blocks clamped, tokens cut off. */
		if (len >= FDTB_HDR_SIZE && len < size) {
			fdtb_put32(p, FDTB_HDR_TOTALSIZE, (uint32_t)len);
			if (st_off <= len && fdtb_get32(p, FDTB_HDR_SIZE_STRUCT) > len - st_off)
				fdtb_put32(p, FDTB_HDR_SIZE_STRUCT, (uint32_t)len - st_off);
			if (str_off <= len)
				fdtb_put32(p, FDTB_HDR_SIZE_STRINGS, (uint32_t)len - str_off);
			r = fdt_init(&fdt, p, len);
			CHECK(r == 0 || r == -RV_EBADMSG);
			/* Every used name is cut off, so this is normally refused. */
			if (r == 0)
				exercise(&fdt, false);
		}
		free(p);
	}
	CHECK(all_refused);
	free(good);
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	/* xorshift32: deterministic, so a failure reproduces. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_mutation(void)
{
	static const uint32_t interesting[] = { 0, 1, 2, 3, 4, 9, 0x7fffffff, 0x80000000,
						0xffffffff, 0xfffffffc, 0x10, 0x28 };
	size_t size;
	uint8_t *good = build_virt(&size);
	unsigned long accepted = 0, iters = 20000, i;
	unsigned int k;

	for (i = 0; i < iters; i++) {
		uint8_t *p = exact_copy(good, size);
		unsigned int nmut = 1 + rng() % 4;
		struct fdt fdt;
		int r;

		for (k = 0; k < nmut; k++) {
			size_t pos = rng() % size;

			switch (rng() % 4) {
			case 0:
				p[pos] ^= (uint8_t)(1u << (rng() % 8));
				break;
			case 1:
				p[pos] = (uint8_t)rng();
				break;
			case 2:
				/* An interesting aligned word (header, token, length). */
				pos &= ~(size_t)3;
				if (pos + 4 <= size)
					fdtb_put32(p, pos,
						   interesting[rng() % ARRAY_SIZE(interesting)]);
				break;
			default:
				/* Small change to a header field. */
				pos = (rng() % 10) * 4;
				fdtb_put32(p, pos, fdtb_get32(p, pos) + (rng() % 9) - 4);
				break;
			}
		}
		r = fdt_init(&fdt, p, size);
		if (r == 0) {
			accepted++;
			exercise(&fdt, i % 64 == 0);
		} else if (r != -RV_EBADMSG && r != -RV_ERANGE) {
			CHECK_EQ_INT(r, -RV_EBADMSG);
		}
		free(p);
	}
	/* Most mutations hit property values and must still parse. */
	CHECK(accepted > iters / 4);
	free(good);
}

int main(void)
{
	RUN(test_virt);
	RUN(test_sifive_u);
	RUN(test_header);
	RUN(test_rsvmap_runs_off);
	RUN(test_structure);
	RUN(test_nops_and_depth);
	RUN(test_bad_offsets);
	RUN(test_trailing_garbage);
	RUN(test_stringlist);
	RUN(test_isa_extensions);
	RUN(test_cells);
	RUN(test_reg);
	RUN(test_boot_info);
	RUN(test_find_device);
	RUN(test_truncation);
	RUN(test_mutation);
	return ut_summary("fdt");
}
