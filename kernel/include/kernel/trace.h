/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's trace ring and latency histograms (CONFIG_TRACING,
 * doc/tracing.md). Every hook below is an empty inline function when
 * CONFIG_TRACING is off, so the kernel compiles to the same code as
 * without the feature; with it on, each is a few stores inline (the IPC
 * fast paths have no stack frame and call nothing).
 *
 * The ring is one object, trace_ring, that the host reads out of QEMU's
 * memory by its symbol (scripts/trace.py): its header's layout is part of
 * that contract (TRACE_RING_MAGIC, TRACE_RING_VERSION).
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include <stdint.h>
#include <rvos/trace.h>
#include <kernel/proc.h>
#include <kernel/util.h>

#ifdef CONFIG_TRACING

#define TRACE_RING_SIZE (1u << CONFIG_TRACE_RING_ORDER)
#define TRACE_RING_MAGIC 0x52545652u /* "RVTR" */
#define TRACE_RING_VERSION 1u

/* Read by the host: keep the header's layout (scripts/trace.py). */
struct trace_ring {
	uint32_t magic;
	uint32_t version;
	uint32_t capacity;    /* TRACE_RING_SIZE */
	uint32_t event_size;  /* sizeof(struct rv_trace_event) */
	uint64_t next;        /* records numbered since the clear; next's slot: next % capacity */
	uint64_t lost;        /* dropped (TRACE_STOP); overwritten: next - capacity */
	uint64_t timebase_hz;
	uint32_t recording;
	uint32_t overwrite;
	struct rv_trace_event ev[TRACE_RING_SIZE];
};
BUILD_ASSERT(sizeof(struct rv_trace_event) == 32, "trace records are 32 bytes");

extern struct trace_ring trace_ring;

/* For a record's fields stored by halves or together. */
typedef uint32_t __attribute__((may_alias)) trace_u32;
typedef uint64_t __attribute__((may_alias)) trace_u64;

void trace_init(void);

#ifdef CONFIG_TRACE_DUMP_ON_FAILURE
void trace_dump_console(void);
#endif

static inline __attribute__((always_inline)) uint64_t trace_time(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* One record, at time now. */
static inline __attribute__((always_inline)) void trace_put_at(uint64_t now, unsigned int type,
								unsigned int flags, unsigned int arg16,
								int pid, uint64_t a, uint64_t b)
{
	struct trace_ring *t = &trace_ring;
	struct rv_trace_event *e;
	uint64_t n = t->next;

	/* Overwriting, what is lost is everything before the last
	 * TRACE_RING_SIZE (counted when read: next - size); stopping, each
	 * record past the size. */
	if (IS_ENABLED(CONFIG_TRACE_STOP) && n >= TRACE_RING_SIZE) {
		t->lost++;
		return;
	}
	t->next = n + 1;
	e = &t->ev[n & (TRACE_RING_SIZE - 1)];
	e->time = now;
	/* type, flags and arg16 in one store (little-endian): no masks or
	 * extensions to compute, stores are cheaper */
	*(trace_u32 *)&e->type = type | flags << 8 | arg16 << 16;
	e->pid = pid;
	e->a = a;
	e->b = b;
}

static inline __attribute__((always_inline)) int trace_on(void)
{
	return __builtin_expect(trace_ring.recording, 0);
}

static inline __attribute__((always_inline)) void trace_put(unsigned int type, unsigned int flags,
							     unsigned int arg16, int pid,
							     uint64_t a, uint64_t b)
{
	if (trace_on())
		trace_put_at(trace_time(), type, flags, arg16, pid, a, b);
}

#define TRACE_CLASS(name, cfg) (IS_ENABLED(cfg) ? RV_TRACE_CLASS_##name : 0)
#define TRACE_CLASSES                                                                              \
	(TRACE_CLASS(SCHED, CONFIG_TRACE_SCHED) | TRACE_CLASS(SYSCALLS, CONFIG_TRACE_SYSCALLS) |   \
	 TRACE_CLASS(IPC, CONFIG_TRACE_IPC) | TRACE_CLASS(IRQ, CONFIG_TRACE_IRQ) |                 \
	 TRACE_CLASS(FAULTS, CONFIG_TRACE_FAULTS) | TRACE_CLASS(PROCS, CONFIG_TRACE_PROCS) |       \
	 TRACE_CLASS(USER, CONFIG_TRACE_USER) | TRACE_CLASS(LATENCY, CONFIG_TRACE_LATENCY))

/* ---- histograms (kernel/trace.c) ---- */

/* Buckets only (128 bytes, a shift to index): the fast path adds to one. */
struct trace_hist {
	uint32_t bucket[RV_TRACE_HIST_BUCKETS];
};

struct trace_hists {
	struct trace_hist ipc[CONFIG_MAX_CHANNELS];
	struct trace_hist sched[CONFIG_NUM_PRIORITIES];
	struct trace_hist irq;
};
extern struct trace_hists trace_hists;

/* floor(log2(v)) of v < 256 (0 for 0 and 1), kernel/trace.c. */
extern const uint8_t trace_log2_byte[256];

/* Bucket of a value: floor(log2(v)), 0 for 0 and 1, the last for 2^31 and
 * more. The usual values (a round trip, a wait for the hart) are a few
 * ticks: below 256 it is one load from a table (there is no clz
 * instruction without Zbb), above two tests more. */
static inline __attribute__((always_inline)) unsigned long trace_hist_bucket(uint64_t v)
{
	unsigned long k = 0;

	if (__builtin_expect(v >> 8, 0)) {
		if (v >> (RV_TRACE_HIST_BUCKETS - 1))
			return RV_TRACE_HIST_BUCKETS - 1;
		if (v >> 16) {
			v >>= 16;
			k = 16;
		}
		if (v >> 8) {
			v >>= 8;
			k += 8;
		}
	}
	return k + trace_log2_byte[v];
}

static inline __attribute__((always_inline)) void trace_hist_add(struct trace_hist *h, uint64_t v)
{
	h->bucket[trace_hist_bucket(v)]++;
}

/* ---- the hooks ---- */

static inline __attribute__((always_inline)) int trace_pid(const struct proc *p)
{
	return p ? p->pid : 0;
}

static inline __attribute__((always_inline)) void trace_syscall_enter(uint64_t nr,
								       const uint64_t a[6])
{
	if (IS_ENABLED(CONFIG_TRACE_SYSCALLS))
		trace_put(RV_TRACE_SYSCALL_ENTER, 0, (unsigned int)nr, current->pid, a[0], a[1]);
}

static inline __attribute__((always_inline)) void trace_syscall_exit(uint64_t nr, long ret)
{
	if (IS_ENABLED(CONFIG_TRACE_SYSCALLS))
		trace_put(RV_TRACE_SYSCALL_EXIT, 0, (unsigned int)nr, current->pid, (uint64_t)ret, 0);
}

/* Why p, blocked, waits. */
static inline unsigned int trace_block_reason(const struct proc *p)
{
	switch (p->block) {
	case BLOCK_SLEEP:
		return RV_TRACE_BLOCK_SLEEP;
	case BLOCK_WAIT_CHILD:
		return RV_TRACE_BLOCK_CHILD;
	case BLOCK_OBJECT:
		return p->recv_end ? RV_TRACE_BLOCK_RECV : RV_TRACE_BLOCK_OBJECT;
	default:
		return RV_TRACE_BLOCK_NONE;
	}
}

/* The hart goes from prev (NULL: idle) to next (NULL: idle). */
static inline void trace_switch(struct proc *prev, struct proc *next)
{
	unsigned int state = 0, why = 0;

	if (!IS_ENABLED(CONFIG_TRACE_SCHED) || !trace_on())
		return;
	if (prev) {
		if (prev->state == PROC_READY || prev->state == PROC_RUNNING) {
			state = RV_TRACE_STATE_READY;
		} else if (prev->state == PROC_BLOCKED) {
			state = RV_TRACE_STATE_BLOCKED;
			why = prev->trace_block = (uint8_t)trace_block_reason(prev);
		} else {
			state = RV_TRACE_STATE_EXITED;
		}
	}
	trace_put_at(trace_time(), RV_TRACE_SWITCH, why, state, trace_pid(prev),
		     (uint64_t)trace_pid(next), 0);
}

/* next runs, having been ready since next->trace_ready_at. */
static inline void trace_running(struct proc *next, uint64_t now)
{
	if (IS_ENABLED(CONFIG_TRACE_LATENCY) && trace_on() && next->trace_ready_at)
		trace_hist_add(&trace_hists.sched[next->priority], now - next->trace_ready_at);
	next->trace_ready_at = 0;
}

/* p is made ready (before its state changes). */
static inline void trace_ready(struct proc *p)
{
	if (!trace_on())
		return;
	p->trace_ready_at = trace_time();
	if (IS_ENABLED(CONFIG_TRACE_SCHED) && p->state == PROC_BLOCKED)
		trace_put_at(p->trace_ready_at, RV_TRACE_WAKE, 0, p->trace_block, p->pid,
			     (uint64_t)trace_pid(current), 0);
}

/* A process blocked by an IPC fast path: receiving. */
static inline __attribute__((always_inline)) void trace_fp_block(struct proc *p)
{
	p->trace_block = RV_TRACE_BLOCK_RECV;
}

/* A message went from the current process to the channel end `id`
 * (channel id << 1 | end; its number there: seq) by `path`; receiver: the
 * process that has it now (NULL: queued). */
static inline __attribute__((always_inline)) void trace_ipc_send(unsigned int id, uint64_t seq,
								  unsigned int path,
								  const struct proc *receiver,
								  uint32_t bytes, uint32_t handles)
{
	if (IS_ENABLED(CONFIG_TRACE_IPC))
		trace_put(RV_TRACE_IPC_SEND, path, id, current->pid,
			  (uint32_t)seq | (uint64_t)(uint32_t)trace_pid(receiver) << 32,
			  bytes | (uint64_t)handles << 32);
}

static inline void trace_ipc_recv(unsigned int id, uint64_t seq, uint32_t bytes,
				  uint32_t handles)
{
	if (IS_ENABLED(CONFIG_TRACE_IPC))
		trace_put(RV_TRACE_IPC_RECV, 0, id, current->pid, (uint32_t)seq,
			  bytes | (uint64_t)handles << 32);
}

/* A channel end's channel id (kernel/channel.c). */
unsigned int channel_id(const struct kobject *end);

/* channel_call round trips: the caller starts one at now, ... */
static inline __attribute__((always_inline)) void trace_call_begin(struct proc *p, uint64_t now)
{
	if (IS_ENABLED(CONFIG_TRACE_LATENCY) && trace_on())
		p->trace_call_at = now;
}

/* ... its call returns, on channel chan, at now (true: p was in a call),
 * ... */
static inline __attribute__((always_inline)) bool trace_call_end_chan(struct proc *p,
								       unsigned int chan,
								       uint64_t now)
{
	uint64_t at = p->trace_call_at;

	if (IS_ENABLED(CONFIG_TRACE_LATENCY) && at) {
		p->trace_call_at = 0;
		if (trace_on())
			trace_hist_add(&trace_hists.ipc[chan], now - at);
		return true;
	}
	return false;
}

/* (the same on the channel of end) */
static inline void trace_call_end(struct proc *p, const struct kobject *end)
{
	if (IS_ENABLED(CONFIG_TRACE_LATENCY) && p->trace_call_at)
		trace_call_end_chan(p, channel_id(end), trace_time());
}

/* ... or it failed before its request went. */
static inline void trace_call_abort(struct proc *p)
{
	p->trace_call_at = 0;
}

/* The timer interrupt, due at deadline. */
static inline void trace_timer_irq(uint64_t deadline)
{
	uint64_t now, lat;

	if (!trace_on())
		return;
	now = trace_time();
	lat = now > deadline ? now - deadline : 0;
	if (IS_ENABLED(CONFIG_TRACE_LATENCY) && deadline)
		trace_hist_add(&trace_hists.irq, lat);
	if (IS_ENABLED(CONFIG_TRACE_IRQ))
		trace_put_at(now, RV_TRACE_IRQ, 0, 0, trace_pid(current), lat, 0);
}

static inline void trace_external_irq(uint32_t irq)
{
	if (IS_ENABLED(CONFIG_TRACE_IRQ))
		trace_put(RV_TRACE_IRQ, 0, irq, trace_pid(current), 0, 0);
}

static inline void trace_fault(const struct proc *p, unsigned long cause, uint64_t pc,
			       uint64_t addr)
{
	if (IS_ENABLED(CONFIG_TRACE_FAULTS))
		trace_put(RV_TRACE_FAULT, 0, (unsigned int)cause, p->pid, pc, addr);
}

void trace_proc_name(const struct proc *p, unsigned int flags);
/* A name record for every live process (kernel/proc.c). */
void proc_trace_names(void);

static inline void trace_proc_start(const struct proc *p)
{
	if (IS_ENABLED(CONFIG_TRACE_PROCS) && trace_on())
		trace_proc_name(p, 0);
}

static inline void trace_proc_exit(const struct proc *p, int32_t reason, int32_t code)
{
	if (IS_ENABLED(CONFIG_TRACE_PROCS))
		trace_put(RV_TRACE_EXIT, 0, 0, p->pid, (uint64_t)(uint32_t)reason,
			  (uint64_t)(uint32_t)code);
}

/* The trace system call (kernel/trace.c). */
long sys_trace(const uint64_t a[6]);

#else /* !CONFIG_TRACING */

static inline void trace_init(void)
{
}
static inline uint64_t trace_time(void)
{
	return 0;
}
static inline void trace_syscall_enter(uint64_t nr, const uint64_t a[6])
{
	(void)nr;
	(void)a;
}
static inline void trace_syscall_exit(uint64_t nr, long ret)
{
	(void)nr;
	(void)ret;
}
static inline void trace_switch(struct proc *prev, struct proc *next)
{
	(void)prev;
	(void)next;
}
static inline void trace_running(struct proc *next, uint64_t now)
{
	(void)next;
	(void)now;
}
static inline void trace_ready(struct proc *p)
{
	(void)p;
}
static inline void trace_fp_block(struct proc *p)
{
	(void)p;
}
static inline void trace_ipc_send(unsigned int id, uint64_t seq, unsigned int path,
				  const struct proc *receiver, uint32_t bytes, uint32_t handles)
{
	(void)id;
	(void)seq;
	(void)path;
	(void)receiver;
	(void)bytes;
	(void)handles;
}
static inline void trace_ipc_recv(unsigned int id, uint64_t seq, uint32_t bytes,
				  uint32_t handles)
{
	(void)id;
	(void)seq;
	(void)bytes;
	(void)handles;
}
static inline void trace_call_begin(struct proc *p, uint64_t now)
{
	(void)p;
	(void)now;
}
static inline bool trace_call_end_chan(struct proc *p, unsigned int chan, uint64_t now)
{
	(void)p;
	(void)chan;
	(void)now;
	return false;
}
static inline void trace_call_end(struct proc *p, const struct kobject *end)
{
	(void)p;
	(void)end;
}
static inline void trace_call_abort(struct proc *p)
{
	(void)p;
}
static inline void trace_timer_irq(uint64_t deadline)
{
	(void)deadline;
}
static inline void trace_external_irq(uint32_t irq)
{
	(void)irq;
}
static inline void trace_fault(const struct proc *p, unsigned long cause, uint64_t pc,
			       uint64_t addr)
{
	(void)p;
	(void)cause;
	(void)pc;
	(void)addr;
}
static inline void trace_proc_start(const struct proc *p)
{
	(void)p;
}
static inline void trace_proc_exit(const struct proc *p, int32_t reason, int32_t code)
{
	(void)p;
	(void)reason;
	(void)code;
}

#endif /* CONFIG_TRACING */

#endif /* KERNEL_TRACE_H */
