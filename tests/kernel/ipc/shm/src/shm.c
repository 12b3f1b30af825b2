/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared memory between processes: data written by one side is seen by the
 * other (both ways, small and CONFIG_SHM_MAX_BYTES regions); a child given
 * a read-only duplicate cannot map it writable (-EACCES), maps it read-only,
 * and a store through it ends only the child (RV_EXIT_FAULT, store page
 * fault 15 at the address); a read after shm_unmap faults (13); regions
 * outlive their handle while mapped, are zeroed when made, and every
 * counter comes back, also when a child exits with its mappings in place.
 */
#include <stdlib.h>
#include <rvos/memory_map.h>
#include "../../common/ipc_test.h"

#define SIZE (CONFIG_SHM_MAX_BYTES < 65536 ? CONFIG_SHM_MAX_BYTES : 65536)
#define SCAUSE_LOAD_PAGE_FAULT 13
#define SCAUSE_STORE_PAGE_FAULT 15

static char what[160];

static int in_shm_area(uint64_t addr)
{
	return addr >= RV_SHM_BASE && addr < RV_USER_STACK_TOP - CONFIG_USER_STACK_SIZE;
}

static void read_only_child(void)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info = {.reason = -1};
	rv_handle_t ch[2], give[2];
	uint32_t report = ~0u;
	struct rv_msg m = msg_of(&report, 4, NULL, 0);
	char size[16];
	long shm, ro, va, proc;

	rv_kstats(&base);
	shm = rv_shm_create(SIZE);
	va = rv_shm_map((rv_handle_t)shm, 1);
	if (!CHECK("shm_create + map", shm >= 0 && va > 0))
		return;
	fill_pattern((uint8_t *)va, 5, SIZE);
	ro = rv_handle_duplicate((rv_handle_t)shm, RV_RIGHT_READ | RV_RIGHT_MAP | RV_RIGHT_TRANSFER);
	CHECK("read-only duplicate", ro >= 0);
	CHECK_EQ("read-only: map writable here too", rv_shm_map((rv_handle_t)ro, 1), -RV_EACCES);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	give[0] = ch[1];
	give[1] = (rv_handle_t)ro;
	snprintf(size, sizeof(size), "%d", SIZE);
	proc = spawn_child((const char *const[]){"shm_ro", size, NULL}, give, 2);
	CHECK("spawn shm_ro", proc >= 0);
	CHECK_EQ("the child's report", rv_channel_read(ch[0], &m, 0, deadline_in_ms(5000)), 0);
	CHECK_EQ("child: no WRITE right", report & 1, 0);
	CHECK_EQ("child: map writable is EACCES", report & 2, 0);
	CHECK_EQ("child: sees our bytes through its read-only mapping", report & 4, 0);
	printf("shm: the child stores through its read-only mapping now\n");
	CHECK_EQ("go", write_bytes(ch[0], "g", 1, 0, 0), 0);
	CHECK_EQ("the child ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	CHECK_EQ("it was a fault", info.reason, RV_EXIT_FAULT);
	CHECK_EQ("a store page fault", info.code, SCAUSE_STORE_PAGE_FAULT);
	CHECK_EQ("at the byte it stored to (page offset)", info.fault_addr & 0xfff, 123);
	CHECK("in the shared-memory area", in_shm_area(info.fault_addr));
	CHECK_EQ("our mapping is untouched", check_pattern((uint8_t *)va, 5, SIZE), -1);
	CHECK_EQ("the child's end closed with it", write_bytes(ch[0], "x", 1, RV_IPC_NONBLOCK, 0),
		 -RV_EPEERCLOSED);
	rv_handle_close(ch[0]);
	CHECK_EQ("unmap", rv_shm_unmap((void *)va), 0);
	rv_handle_close((rv_handle_t)shm);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("read_only_child", &base, &ks);
	printf("shm: a store through a read-only mapping ended only the child (fault at 0x%lx)\n",
	       (unsigned long)info.fault_addr);
}

/* Ping-pong over a region: we write tag t, the child checks t, writes t+1. */
static void both_ways(uint64_t size, unsigned int rounds)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info;
	rv_handle_t ch[2], give[2];
	char sz[24];
	long shm, va, proc;
	unsigned int bad = 0;

	rv_kstats(&base);
	shm = rv_shm_create(size);
	va = shm >= 0 ? rv_shm_map((rv_handle_t)shm, 1) : -1;
	if (!CHECK("shm_create + map", shm >= 0 && va > 0))
		return;
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	give[0] = ch[1];
	give[1] = (rv_handle_t)rv_handle_duplicate((rv_handle_t)shm, SHM_RIGHTS);
	snprintf(sz, sizeof(sz), "%lu", (unsigned long)size);
	proc = spawn_child((const char *const[]){"shm_rw", sz, NULL}, give, 2);
	CHECK("spawn shm_rw", proc >= 0);
	for (uint32_t t = 10; t < 10 + 2 * rounds; t += 2) {
		uint32_t child_bad = ~0u;
		struct rv_msg m = msg_of(&child_bad, 4, NULL, 0);

		fill_pattern((uint8_t *)va, t, (uint32_t)size);
		if (write_bytes(ch[0], &t, 4, 0, RV_DEADLINE_NEVER) != 0 ||
		    rv_channel_read(ch[0], &m, 0, deadline_in_ms(10000)) != 0) {
			bad++;
			break;
		}
		if (child_bad != 0 && bad++ < 3)
			printf("FAIL round %u: the child saw %u wrong bytes of ours\n", t, child_bad);
		long at = check_pattern((uint8_t *)va, t + 1, (uint32_t)size);
		if (at >= 0 && bad++ < 3)
			printf("FAIL round %u: the child's byte %ld is wrong here\n", t, at);
	}
	snprintf(what, sizeof(what), "%lu bytes both ways, %u rounds", (unsigned long)size, rounds);
	CHECK_EQ(what, bad, 0);
	rv_handle_close(ch[0]);
	CHECK_EQ("shm_rw ends", reap_child((rv_handle_t)proc, &info, 10000), 0);
	CHECK_EQ("shm_rw: normal exit (its mapping went with it)", info.code, 0);
	rv_shm_unmap((void *)va);
	rv_handle_close((rv_handle_t)shm);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("both_ways", &base, &ks);
	printf("shm: %lu bytes seen by the other side, both ways, %u rounds\n", (unsigned long)size,
	       rounds);
}

static void unmapped_read(void)
{
	struct rv_exit_info info = {.reason = -1};
	long shm = rv_shm_create(4096), proc;
	rv_handle_t give = (rv_handle_t)shm;

	proc = spawn_child((const char *const[]){"unmap_then_read", NULL}, &give, 1);
	CHECK("spawn unmap_then_read", proc >= 0);
	CHECK_EQ("it ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	CHECK_EQ("a fault", info.reason, RV_EXIT_FAULT);
	CHECK_EQ("a load page fault", info.code, SCAUSE_LOAD_PAGE_FAULT);
	CHECK("where the mapping was", in_shm_area(info.fault_addr));
	printf("shm: a read after shm_unmap faults\n");
}

static void lifetime(void)
{
	struct rv_kstats base, ks;
	long a, va, b;

	rv_kstats(&base);
	a = rv_shm_create(SIZE);
	va = rv_shm_map((rv_handle_t)a, 1);
	if (!CHECK("shm_create + map", a >= 0 && va > 0))
		return;
	rv_kstats(&ks);
	CHECK_EQ("one more region", ks.shm_regions_used, base.shm_regions_used + 1);
	CHECK_EQ("one more mapping", ks.shm_mappings_used, base.shm_mappings_used + 1);
	CHECK_EQ("frames for it", ks.frames_user, base.frames_user + SIZE / 4096);
	memset((void *)va, 0xff, SIZE);
	CHECK_EQ("close the handle while mapped", rv_handle_close((rv_handle_t)a), 0);
	rv_kstats(&ks);
	CHECK_EQ("the mapping keeps the region", ks.shm_regions_used, base.shm_regions_used + 1);
	CHECK_EQ("and its bytes", ((volatile uint8_t *)va)[SIZE - 1], 0xff);
	CHECK_EQ("unmap", rv_shm_unmap((void *)va), 0);
	rv_kstats(&ks);
	CHECK_EQ("region gone", ks.shm_regions_used, base.shm_regions_used);
	CHECK_EQ("its frames too", ks.frames_user, base.frames_user);
	/* a new region is zeroed, even on the frames of the old one */
	b = rv_shm_create(SIZE);
	va = rv_shm_map((rv_handle_t)b, 0);
	if (CHECK("shm_create + map", b >= 0 && va > 0)) {
		unsigned long nonzero = 0;
		for (unsigned int i = 0; i < SIZE; i++)
			nonzero += ((volatile uint8_t *)va)[i] != 0;
		CHECK_EQ("a new region is zeroed", nonzero, 0);
		rv_shm_unmap((void *)va);
	}
	rv_handle_close((rv_handle_t)b);
	/* size rounds up to pages */
	a = rv_shm_create(4097);
	va = rv_shm_map((rv_handle_t)a, 1);
	if (CHECK("4097 bytes", a >= 0 && va > 0)) {
		((volatile uint8_t *)va)[8191] = 1; /* the second page is there */
		rv_shm_unmap((void *)va);
	}
	rv_handle_close((rv_handle_t)a);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("lifetime", &base, &ks);
	printf("shm: regions outlive their handle while mapped, are zeroed, rounded to pages\n");
}

/* Page tables come back: a page mapped and unmapped in every mapping
 * slot, twice; then the process holds the page-table frames it held
 * before it mapped anything (unmapping once left every table it had made). */
static void page_tables_back(void)
{
	struct rv_kstats before, after;
	long h[CONFIG_MAX_MMAP_REGIONS], va[CONFIG_MAX_MMAP_REGIONS];
	unsigned int n = 0, bad = 0;

	for (unsigned int i = 0; i < CONFIG_MAX_MMAP_REGIONS; i++) {
		h[i] = rv_shm_create(4096);
		if (h[i] < 0)
			break;
		n++;
	}
	CHECK("regions made", n > 0);
	rv_kstats(&before);
	for (int round = 0; round < 2; round++) {
		for (unsigned int i = 0; i < n; i++) {
			va[i] = rv_shm_map((rv_handle_t)h[i], 1);
			if (va[i] < 0)
				bad++;
			else
				*(volatile uint8_t *)va[i] = 1;
		}
		for (unsigned int i = 0; i < n; i++)
			bad += va[i] >= 0 && rv_shm_unmap((void *)va[i]) != 0;
	}
	rv_kstats(&after);
	CHECK_EQ("map, touch, unmap", bad, 0);
	CHECK_EQ("page-table frames after unmapping everything: as before",
		 after.frames_page_tables, before.frames_page_tables);
	for (unsigned int i = 0; i < n; i++)
		rv_handle_close((rv_handle_t)h[i]);
	printf("shm: page tables back after unmapping (%u regions, twice)\n", n);
}

int main(void)
{
	printf("shm: SHM_MAX_BYTES=%d MAX_MMAP_REGIONS=%d\n", CONFIG_SHM_MAX_BYTES,
	       CONFIG_MAX_MMAP_REGIONS);
	lifetime();
	both_ways(4096, 50);
	both_ways(SIZE, 20);
	both_ways(CONFIG_SHM_MAX_BYTES, 3);
	unmapped_read();
	read_only_child();
	page_tables_back();
	return check_report("shm");
}
