/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the IPC tests (tests/kernel/ipc/...): checks that print one
 * line per failure and count, message helpers, kernel counters compared.
 */
#ifndef IPC_TEST_H
#define IPC_TEST_H

#include <stdio.h>
#include <string.h>
#include <rvos/user.h>
#include "../../common/check.h"

#define MS(n) ((uint64_t)(n) * 1000000ULL)

/* An absolute deadline `ms` from now. */
static inline uint64_t deadline_in_ms(uint64_t ms)
{
	return rv_clock_ns() + MS(ms);
}

static inline struct rv_msg msg_of(void *bytes, uint32_t n, rv_handle_t *handles, uint32_t nh)
{
	struct rv_msg m = {.bytes = bytes, .num_bytes = n, .num_handles = nh, .handles = handles};
	return m;
}

static inline long write_bytes(rv_handle_t h, const void *bytes, uint32_t n, uint32_t flags,
			       uint64_t deadline)
{
	struct rv_msg m = msg_of((void *)bytes, n, NULL, 0);
	return rv_channel_write(h, &m, flags, deadline);
}

/* The pattern byte i of message `tag` (tag: size, sequence number...). */
static inline uint8_t pattern(uint32_t tag, uint32_t i)
{
	return (uint8_t)(i * 7u + tag * 13u + (tag >> 8) + 1u);
}

static inline void fill_pattern(uint8_t *p, uint32_t tag, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = pattern(tag, i);
}

/* Index of the first byte that differs from the pattern, or -1. */
static inline long check_pattern(const uint8_t *p, uint32_t tag, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (p[i] != pattern(tag, i))
			return (long)i;
	}
	return -1;
}

static inline long handle_type(rv_handle_t h)
{
	struct rv_handle_info info;
	long r = rv_handle_info(h, &info);

	return r < 0 ? r : (long)info.type;
}

static inline long handle_rights(rv_handle_t h)
{
	struct rv_handle_info info;
	long r = rv_handle_info(h, &info);

	return r < 0 ? r : (long)info.rights;
}

#define CHANNEL_RIGHTS (RV_RIGHTS_ALL & ~(RV_RIGHT_MANAGE | RV_RIGHT_DMA))
#define SHM_RIGHTS (RV_RIGHTS_ALL & ~(RV_RIGHT_MANAGE | RV_RIGHT_DMA))
#define PROCESS_RIGHTS (RV_RIGHT_READ | RV_RIGHT_MANAGE | RV_RIGHT_DUPLICATE | RV_RIGHT_TRANSFER)

/* Spawn the shared child program (common/child.c) with a role. */
static inline long spawn_child(const char *const argv[], rv_handle_t *give, uint32_t n)
{
	return rv_process_spawn("ipc_child", argv, CONFIG_DEFAULT_PRIORITY, give, n);
}

/* Wait for a child (process handle) to end; its exit info; closes the handle. */
static inline long reap_child(rv_handle_t proc, struct rv_exit_info *info, uint64_t timeout_ms)
{
	struct rv_wait_item it = {.handle = proc, .signals = RV_SIGNAL_EXITED};
	long r = rv_wait_many(&it, 1, deadline_in_ms(timeout_ms));

	if (r < 0)
		return r;
	r = rv_process_exit_info(proc, info);
	rv_handle_close(proc);
	return r;
}

/* Every kernel counter that must come back; lists the ones that differ.
 * `live`: the process that mapped shared memory is still alive: page
 * tables it made for its stack, heap and mappings while the phase ran
 * (a table that still maps something stays until it exits; those of
 * mappings that all went are freed at the unmap) are counted, not leaked,
 * so only frames_free + frames_page_tables must match and page tables may
 * only have grown. */
static inline int kstats_same_at(int line, const char *phase, const struct rv_kstats *a,
				 const struct rv_kstats *b, int live)
{
	int same = 1;
	char what[128];

#define KSTAT_SAME(field)                                                                  \
	do {                                                                               \
		snprintf(what, sizeof(what), "%s: kstats " #field " came back", phase);    \
		same &= check_eq_at(line, what, (long)b->field, (long)a->field);           \
	} while (0)
	KSTAT_SAME(channels_used);
	KSTAT_SAME(messages_queued);
	KSTAT_SAME(handles_used);
	KSTAT_SAME(shm_regions_used);
	KSTAT_SAME(shm_mappings_used);
	KSTAT_SAME(dma_regions_used);
	KSTAT_SAME(process_objects_used);
	KSTAT_SAME(derivations_used);
	KSTAT_SAME(procs_used);
	KSTAT_SAME(frames_user);
	KSTAT_SAME(frames_kernel_stacks);
	KSTAT_SAME(frames_kernel_pools);
	if (live) {
		snprintf(what, sizeof(what), "%s: kstats frames_free + frames_page_tables came back",
			 phase);
		same &= check_eq_at(line, what, (long)(b->frames_free + b->frames_page_tables),
				    (long)(a->frames_free + a->frames_page_tables));
		snprintf(what, sizeof(what), "%s: kstats frames_page_tables did not shrink", phase);
		same &= check_true_at(line, what, b->frames_page_tables >= a->frames_page_tables);
	} else {
		KSTAT_SAME(frames_free);
		KSTAT_SAME(frames_page_tables);
	}
#undef KSTAT_SAME
	return same;
}
/* Counters compared across work done by children only (all of it gone). */
#define KSTATS_SAME(phase, a, b) kstats_same_at(__LINE__, (phase), (a), (b), 0)
/* Counters compared across work this process did itself (see above). */
#define KSTATS_SAME_LIVE(phase, a, b) kstats_same_at(__LINE__, (phase), (a), (b), 1)

static inline void print_kstats(const char *prog, const char *when, const struct rv_kstats *k)
{
	printf("%s: %s: channels=%lu messages=%lu handles=%lu shm=%lu mappings=%lu pobjs=%lu "
	       "procs=%lu frames_free=%lu\n",
	       prog, when, (unsigned long)k->channels_used, (unsigned long)k->messages_queued,
	       (unsigned long)k->handles_used, (unsigned long)k->shm_regions_used,
	       (unsigned long)k->shm_mappings_used, (unsigned long)k->process_objects_used,
	       (unsigned long)k->procs_used, (unsigned long)k->frames_free);
}

/* Poll the counters until they equal `base` (children end asynchronously:
 * orphans go when they exit), at most `ms` milliseconds. */
static inline void kstats_settle(const struct rv_kstats *base, struct rv_kstats *now, unsigned int ms)
{
	for (unsigned int i = 0; i <= ms; i++) {
		rv_kstats(now);
		if (now->procs_used == base->procs_used &&
		    now->channels_used == base->channels_used &&
		    now->process_objects_used == base->process_objects_used &&
		    now->frames_user == base->frames_user)
			return;
		rv_sleep_ns(MS(1));
	}
}

#endif /* IPC_TEST_H */
