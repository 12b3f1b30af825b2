/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sysinfo service ("sysinfo"): processes, memory, channels and kernel
 * counters, over the wire codec (rvos/wire.h). doc/services.md describes it.
 *
 *   SYSINFO_OP_PROCS     u32 start, u32 max -> u32 next, u32 n, n x proc record
 *   SYSINFO_OP_MEMORY    (nothing)          -> u64 x 6 (struct sysinfo_memory, in order)
 *   SYSINFO_OP_CHANNELS  u32 start, u32 max -> u32 next, u32 n, n x channel record
 *   SYSINFO_OP_COUNTERS  (nothing)          -> u64 x 4, u32 x 11 (struct
 *                                              sysinfo_counters, in order)
 *
 * The lists are paged: a reply must fit in CONFIG_MSG_MAX_BYTES, so a
 * request names the slot to start from (0 at first) and at most how many
 * records it wants (max >= 1); the reply carries n <= max records (n >= 1
 * unless the list is done) and `next`, the start of the following request,
 * or SYSINFO_END when there is nothing after these. Processes and channels
 * come and go between two pages: a page shows each slot as it was when
 * that page was taken.
 *
 *   proc record:    u32 slot, u32 pid, u32 parent_pid, u32 state (enum
 *                   rv_proc_state), u32 priority, u32 handles, u64 cpu_ns,
 *                   u32 user_pages, u32 shm_pages, str name (<= 31 bytes)
 *   channel record: u32 id, u32 creator_pid, then for end 0 and end 1:
 *                   u32 flags (RV_CHANNEL_END_OPEN), u32 queued,
 *                   u32 queued_bytes, u64 sent, u64 sent_bytes
 *
 * The fields mean what struct rv_proc_info and struct rv_channel_info
 * (rvos/syscall.h) say: the server passes on what proc_list and
 * channel_list report (pids as u32: they are never negative).
 *
 * Errors: -RV_EINVAL max 0, or start past the end (above CONFIG_MAX_PROCS or
 * CONFIG_MAX_CHANNELS); -RV_EBADMSG a malformed request (a field missing,
 * of another type, left over; any handle); -RV_ENOSYS an unknown op.
 */
#ifndef RVOS_SYSINFOSVC_H
#define RVOS_SYSINFOSVC_H

#include <stdint.h>
#include <rvos/ipc.h>
#include <rvos/syscall.h>
#include <rvos/wire.h>

#define SYSINFO_SERVICE_NAME "sysinfo"

enum sysinfo_op {
	SYSINFO_OP_PROCS = 1,
	SYSINFO_OP_MEMORY = 2,
	SYSINFO_OP_CHANNELS = 3,
	SYSINFO_OP_COUNTERS = 4,
};

#define SYSINFO_END 0xffffffffu /* `next` when the list is complete */

/* Wire sizes, for the server's paging and the compile-time checks. */
#define SYSINFO_PAGE_HEAD_SIZE (WIRE_HEADER_SIZE + 2 * WIRE_U32_SIZE) /* header, next, n */
#define SYSINFO_PROC_RECORD_SIZE(name_len) \
	(8 * WIRE_U32_SIZE + WIRE_U64_SIZE + WIRE_STR_SIZE(name_len))
#define SYSINFO_PROC_RECORD_MAX SYSINFO_PROC_RECORD_SIZE(RV_PROC_NAME_MAX - 1)
#define SYSINFO_PROC_RECORD_MIN SYSINFO_PROC_RECORD_SIZE(0)
#define SYSINFO_CHANNEL_RECORD_SIZE (2 * WIRE_U32_SIZE + 2 * (3 * WIRE_U32_SIZE + 2 * WIRE_U64_SIZE))
#define SYSINFO_MEMORY_REPLY_SIZE (WIRE_HEADER_SIZE + 6 * WIRE_U64_SIZE)
#define SYSINFO_COUNTERS_REPLY_SIZE (WIRE_HEADER_SIZE + 4 * WIRE_U64_SIZE + 11 * WIRE_U32_SIZE)
/* The smallest CONFIG_MSG_MAX_BYTES the service works with: one process
 * record with the longest name in a page (103 bytes; every other reply
 * is smaller). The server does not build below it. */
#define SYSINFO_MSG_MIN (SYSINFO_PAGE_HEAD_SIZE + SYSINFO_PROC_RECORD_MAX)

/* Frames are 4 KiB pages. */
struct sysinfo_memory {
	uint64_t frames_total;
	uint64_t frames_free;
	uint64_t page_tables;    /* frames holding page tables */
	uint64_t user;           /* user pages: programs, stacks, heaps, shared memory */
	uint64_t kernel_stacks;  /* one stack per process slot, all mapped at boot */
	uint64_t kernel_pools;   /* the kernel's other allocations */
};

struct sysinfo_counters {
	uint64_t uptime_ns;        /* the monotonic clock */
	uint64_t syscalls;         /* system calls since boot */
	uint64_t context_switches;
	uint64_t irqs;             /* external interrupts handled */
	uint32_t procs_used;       /* process slots in use (zombies included) */
	uint32_t procs_max;        /* CONFIG_MAX_PROCS */
	uint32_t process_objects_used;
	uint32_t channels_used;
	uint32_t channels_max;     /* CONFIG_MAX_CHANNELS */
	uint32_t messages_queued;  /* in every channel's queues */
	uint32_t handles_used;     /* in every process's table */
	uint32_t handles_max;      /* per process: CONFIG_MAX_HANDLES */
	uint32_t shm_regions_used;
	uint32_t shm_regions_max;  /* CONFIG_MAX_SHM_REGIONS */
	uint32_t shm_mappings_used;
};

/* ---- client calls (lib/src/sysinfo_client.c) ----
 * h is a channel to the service (rv_connect(SYSINFO_SERVICE_NAME, &h)).
 * Each returns a negative error: the server's, the channel's, or
 * -RV_EBADMSG for a reply that breaks the protocol. */

/* One page: up to max records of the processes from slot start on;
 * returns how many, and *next (SYSINFO_END: none after these). */
int sysinfo_procs_page(rv_handle_t h, uint32_t start, struct rv_proc_info *out, uint32_t max,
		       uint32_t *next);
/* Every process (the first max of them): pages through the server; returns
 * how many were written. */
int sysinfo_procs(rv_handle_t h, struct rv_proc_info *out, uint32_t max);
int sysinfo_channels_page(rv_handle_t h, uint32_t start, struct rv_channel_info *out,
			  uint32_t max, uint32_t *next);
int sysinfo_channels(rv_handle_t h, struct rv_channel_info *out, uint32_t max);
int sysinfo_memory(rv_handle_t h, struct sysinfo_memory *out);
int sysinfo_counters(rv_handle_t h, struct sysinfo_counters *out);
/* A short name of an enum rv_proc_state, for ps ("ready", "run", "sleep",
 * "child", "recv", "wait", "zombie"; "?" for anything else). */
const char *sysinfo_state_name(uint32_t state);

#endif /* RVOS_SYSINFOSVC_H */
