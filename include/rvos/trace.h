/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel tracing (CONFIG_TRACING, doc/tracing.md): the ring's records, the
 * trace system call's operations, and the latency histograms. Shared by the
 * kernel, user programs (the shell's trace, ipclat, schedlat) and the host
 * (scripts/trace.py reads the same layout out of QEMU's memory).
 */
#ifndef RVOS_TRACE_H
#define RVOS_TRACE_H

#include <stdint.h>

/* What a record says. pid is the process the event is about (for a switch:
 * the one leaving the hart; 0: the hart was idle). time is in timer ticks
 * (rv_trace_info.timebase_hz a second). */
enum rv_trace_type {
	RV_TRACE_NONE = 0,
	/* a = next pid (0: idle); arg16 = the leaving process's rv_trace_state,
	 * flags = its rv_trace_block reason when blocked */
	RV_TRACE_SWITCH = 1,
	/* arg16 = syscall number; a = its a0, b = its a1 */
	RV_TRACE_SYSCALL_ENTER = 2,
	/* arg16 = syscall number; a = the result */
	RV_TRACE_SYSCALL_EXIT = 3,
	/* A message sent. arg16 = channel id (pool slot) << 1 | the receiving
	 * end (0 or 1), flags = rv_trace_path; a = the message's number at that end
	 * (low 32 bits: 1, 2, ... since the channel was made) | receiver pid
	 * << 32 (delivered straight into a blocked reader: it has it now; 0:
	 * queued); b = bytes | handles << 32. A fast path's record also stands
	 * for the sender's system call entry, its block (receiving its reply),
	 * the receiver's wake-up with its call returning 0, and the switch. */
	RV_TRACE_IPC_SEND = 4,
	/* A queued message read. arg16 (channel, end), a (number), b as for
	 * the send. */
	RV_TRACE_IPC_RECV = 5,
	/* pid was made ready by the running process (a = pid of that one, 0:
	 * the kernel: a deadline, an interrupt); arg16 = the rv_trace_block
	 * reason it waited for */
	RV_TRACE_WAKE = 6,
	/* arg16 = interrupt: 0 the timer, else the external interrupt number;
	 * a = latency in ticks (the timer: now - its deadline; external: 0) */
	RV_TRACE_IRQ = 7,
	/* arg16 = scause; a = pc, b = stval */
	RV_TRACE_FAULT = 8,
	/* pid was started: a, b = its name's first 16 bytes; arg16 = priority.
	 * Also for every live process when recording starts (flags = 1). */
	RV_TRACE_PROC = 9,
	/* pid ended: a = rv_exit_info.reason, b = code */
	RV_TRACE_EXIT = 10,
	/* The trace call from user space: flags = RV_TRACE_OP_MARK / BEGIN /
	 * END; a = value, b = label (8 bytes) */
	RV_TRACE_USER = 11,
	RV_TRACE_TYPES
};

/* RV_TRACE_SWITCH arg16: what the leaving process does next. */
enum rv_trace_state {
	RV_TRACE_STATE_READY = 1,   /* pre-empted or yielded: still ready */
	RV_TRACE_STATE_BLOCKED = 2, /* flags: the reason */
	RV_TRACE_STATE_EXITED = 3,
};

/* Why a process blocks. */
enum rv_trace_block {
	RV_TRACE_BLOCK_NONE = 0,
	RV_TRACE_BLOCK_SLEEP = 1,
	RV_TRACE_BLOCK_CHILD = 2,  /* wait */
	RV_TRACE_BLOCK_RECV = 3,   /* channel_read, channel_call's read, port_wait with a buffer */
	RV_TRACE_BLOCK_OBJECT = 4, /* other signals: wait_many, a full queue, port_wait */
};

/* RV_TRACE_IPC_SEND flags: the path that carried the message. */
enum rv_trace_path {
	RV_TRACE_PATH_QUEUED = 0, /* into the receiving end's queue */
	RV_TRACE_PATH_DIRECT = 1, /* general path, straight into a blocked reader */
	RV_TRACE_PATH_FAST = 2,   /* channel_call's fast path */
	RV_TRACE_PATH_PORT = 3,   /* port_wait's reply fast path */
};

/* One record: 32 bytes. */
struct rv_trace_event {
	uint64_t time;  /* timer ticks */
	uint8_t type;   /* enum rv_trace_type */
	uint8_t flags;
	uint16_t arg16;
	int32_t pid;
	uint64_t a;
	uint64_t b;
};

/* trace(op, ...) operations (RV_SYS_TRACE, doc/syscalls.md "Tracing"). */
enum rv_trace_op {
	RV_TRACE_OP_MARK = 0,  /* trace(MARK, value, label): an instant */
	RV_TRACE_OP_BEGIN = 1, /* trace(BEGIN, value, label): a span opens */
	RV_TRACE_OP_END = 2,   /* trace(END, value, label): the innermost span closes */
	RV_TRACE_OP_START = 3, /* trace(START, flags): record (RV_TRACE_CLEAR: from empty) */
	RV_TRACE_OP_STOP = 4,  /* trace(STOP): stop recording */
	RV_TRACE_OP_INFO = 5,  /* trace(INFO, struct rv_trace_info *) */
	RV_TRACE_OP_READ = 6,  /* trace(READ, first, struct rv_trace_event *buf, max) -> records */
	RV_TRACE_OP_HIST = 7,  /* trace(HIST, which, index, struct rv_trace_hist *) */
};

#define RV_TRACE_CLEAR 0x1u /* START: empty the ring, zero lost and the histograms */

/* RV_TRACE_OP_INFO. Records are numbered from 0 since the last clear:
 * [first, next) are in the ring. */
struct rv_trace_info {
	uint64_t next;        /* number the next record gets */
	uint64_t first;       /* the oldest record still in the ring */
	uint64_t lost;        /* records dropped (stop policy) or overwritten */
	uint64_t timebase_hz; /* ticks per second */
	uint32_t capacity;    /* records the ring holds */
	uint32_t recording;   /* 1 while recording */
	uint32_t overwrite;   /* 1: a full ring overwrites its oldest; 0: it stops */
	uint32_t classes;     /* RV_TRACE_CLASS_* compiled in */
	uint32_t channels;    /* CONFIG_MAX_CHANNELS: HIST_IPC's indexes */
	uint32_t priorities;  /* CONFIG_NUM_PRIORITIES: HIST_SCHED's */
};

#define RV_TRACE_CLASS_SCHED 0x01u   /* switches, wake-ups */
#define RV_TRACE_CLASS_SYSCALLS 0x02u
#define RV_TRACE_CLASS_IPC 0x04u
#define RV_TRACE_CLASS_IRQ 0x08u
#define RV_TRACE_CLASS_FAULTS 0x10u
#define RV_TRACE_CLASS_PROCS 0x20u   /* start, exit */
#define RV_TRACE_CLASS_USER 0x40u
#define RV_TRACE_CLASS_LATENCY 0x80u /* the histograms */

/* Latency histograms: bucket 0 counts values 0 and 1 tick, bucket k (k >=
 * 1) values in [2^k, 2^(k+1)) ticks; the last takes everything larger. */
#define RV_TRACE_HIST_BUCKETS 32

enum rv_trace_hist_which {
	RV_TRACE_HIST_IPC = 0,   /* channel_call round trip; index: channel id */
	RV_TRACE_HIST_SCHED = 1, /* ready -> running; index: priority */
	RV_TRACE_HIST_IRQ = 2,   /* timer interrupt: its deadline -> handled; index 0 */
};

struct rv_trace_hist {
	uint64_t count;       /* values counted: the buckets' sum */
	uint64_t timebase_hz; /* ticks per second */
	uint32_t bucket[RV_TRACE_HIST_BUCKETS];
};

#endif /* RVOS_TRACE_H */
