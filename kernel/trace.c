/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The trace ring, the latency histograms and the trace system call
 * (CONFIG_TRACING; doc/tracing.md, doc/syscalls.md "Tracing"). The hooks
 * that fill them are inline in kernel/trace.h.
 */
#include <rvos/errno.h>
#include <kernel/mem.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/timer.h>
#include <kernel/trace.h>
#include <kernel/vm.h>

BUILD_ASSERT(CONFIG_MAX_CHANNELS <= 0xffff, "a record's channel id is 16 bits");

struct trace_ring trace_ring;
struct trace_hists trace_hists;

/* floor(log2(v)) for v < 256, 0 for 0 and 1: trace_hist_bucket's table. */
const uint8_t trace_log2_byte[256] = {
	[2 ... 3] = 1,	   [4 ... 7] = 2,     [8 ... 15] = 3,	 [16 ... 31] = 4,
	[32 ... 63] = 5,   [64 ... 127] = 6,  [128 ... 255] = 7,
};

void trace_init(void)
{
	trace_ring.magic = TRACE_RING_MAGIC;
	trace_ring.version = TRACE_RING_VERSION;
	trace_ring.capacity = TRACE_RING_SIZE;
	trace_ring.event_size = sizeof(struct rv_trace_event);
	trace_ring.timebase_hz = timer_hz();
	trace_ring.overwrite = IS_ENABLED(CONFIG_TRACE_OVERWRITE);
	trace_ring.recording = IS_ENABLED(CONFIG_TRACE_AT_BOOT);
}

/* p's start record (flags 1: it was running when recording started): its
 * name's first 16 bytes, for the viewers' track names. */
void trace_proc_name(const struct proc *p, unsigned int flags)
{
	uint64_t name[2] = {0, 0};
	char *c = (char *)name;

	for (unsigned int i = 0; i < sizeof(name) && i < sizeof(p->name) && p->name[i]; i++)
		c[i] = p->name[i];
	trace_put(RV_TRACE_PROC, flags, p->priority, p->pid, name[0], name[1]);
}

/* Records not kept since the clear. */
static uint64_t trace_lost(void)
{
	uint64_t n = trace_ring.next;

	if (IS_ENABLED(CONFIG_TRACE_STOP))
		return trace_ring.lost;
	return n > TRACE_RING_SIZE ? n - TRACE_RING_SIZE : 0;
}

/* The oldest record still in the ring. */
static uint64_t ring_first(void)
{
	uint64_t n = trace_ring.next;

	if (n <= TRACE_RING_SIZE)
		return 0;
	/* a stopped ring keeps the first TRACE_RING_SIZE; a ring that
	 * overwrites, the last */
	return IS_ENABLED(CONFIG_TRACE_STOP) ? 0 : n - TRACE_RING_SIZE;
}

/* The number past the last record kept. */
static uint64_t ring_end(void)
{
	uint64_t n = trace_ring.next;

	return IS_ENABLED(CONFIG_TRACE_STOP) && n > TRACE_RING_SIZE ? TRACE_RING_SIZE : n;
}

#ifdef CONFIG_TRACE_DUMP_ON_FAILURE
/* The newest CONFIG_TRACE_DUMP_RECORDS records on the console, in the
 * lines of the shell's `trace dump` (scripts/trace.py --console reads
 * them): the last thing a failing system says. Recording stops first, so
 * the dump shows the failure and not its own printing. */
void trace_dump_console(void)
{
	uint64_t end = ring_end(), first = ring_first();
	uint64_t lost = trace_lost();

	trace_ring.recording = 0;
	if (end - first > CONFIG_TRACE_DUMP_RECORDS) {
		lost += end - CONFIG_TRACE_DUMP_RECORDS - first;
		first = end - CONFIG_TRACE_DUMP_RECORDS;
	}
	printk("trace: failure, records %llu..%llu of %u, lost %llu, %s when full, "
	       "timebase %llu Hz\n", (unsigned long long)first, (unsigned long long)end,
	       (unsigned int)TRACE_RING_SIZE, (unsigned long long)lost,
	       trace_ring.overwrite ? "overwrites" : "stops",
	       (unsigned long long)trace_ring.timebase_hz);
	for (uint64_t i = first; i < end; i++) {
		const struct rv_trace_event *e = &trace_ring.ev[i & (TRACE_RING_SIZE - 1)];

		printk("T %llu %u %u %u %d %llx %llx\n", (unsigned long long)e->time, e->type,
		       e->flags, e->arg16, (int)e->pid, (unsigned long long)e->a,
		       (unsigned long long)e->b);
	}
	printk("trace: end\n");
}
#endif

static long trace_start(uint64_t flags)
{
	if (!arg_is_u32(flags) || (flags & ~(uint64_t)RV_TRACE_CLEAR))
		return -RV_EINVAL;
	if (flags & RV_TRACE_CLEAR) {
		trace_ring.next = 0;
		trace_ring.lost = 0;
		memset(&trace_hists, 0, sizeof(trace_hists));
	}
	trace_ring.recording = 1;
	if (IS_ENABLED(CONFIG_TRACE_PROCS))
		proc_trace_names();
	return 0;
}

static long trace_info(uintptr_t out)
{
	struct rv_trace_info info = {
		.next = ring_end(),
		.first = ring_first(),
		.lost = trace_lost(),
		.timebase_hz = trace_ring.timebase_hz,
		.capacity = TRACE_RING_SIZE,
		.recording = trace_ring.recording,
		.overwrite = trace_ring.overwrite,
		.classes = TRACE_CLASSES,
		.channels = CONFIG_MAX_CHANNELS,
		.priorities = CONFIG_NUM_PRIORITIES,
	};

	return copy_to_user(&current->as, out, &info, sizeof(info)) ? -RV_EFAULT : 0;
}

/* Records [first, first + max) that are kept, into buf. */
static long trace_read(uint64_t first, uintptr_t buf, uint64_t max)
{
	uint64_t end = ring_end(), n;

	/* verify */
	if (max == 0 || max > TRACE_RING_SIZE || first > end)
		return -RV_EINVAL;
	if (!user_access_ok(&current->as, buf, max * sizeof(struct rv_trace_event), true))
		return -RV_EFAULT;
	if (first < ring_first())
		return -RV_ERANGE; /* overwritten */
	/* impl: the range is writable, so no copy fails */
	n = end - first < max ? end - first : max;
	for (uint64_t i = 0; i < n; i++)
		copy_to_user(&current->as, buf + i * sizeof(struct rv_trace_event),
			     &trace_ring.ev[(first + i) & (TRACE_RING_SIZE - 1)],
			     sizeof(struct rv_trace_event));
	return (long)n;
}

static long trace_hist(uint64_t which, uint64_t index, uintptr_t out)
{
	const struct trace_hist *h;
	struct rv_trace_hist r = {.timebase_hz = trace_ring.timebase_hz};

	/* verify */
	if (!arg_is_u32(which) || !arg_is_u32(index))
		return -RV_EINVAL;
	if (which == RV_TRACE_HIST_IPC && index < CONFIG_MAX_CHANNELS)
		h = &trace_hists.ipc[index];
	else if (which == RV_TRACE_HIST_SCHED && index < CONFIG_NUM_PRIORITIES)
		h = &trace_hists.sched[index];
	else if (which == RV_TRACE_HIST_IRQ && index == 0)
		h = &trace_hists.irq;
	else
		return -RV_EINVAL;
	/* impl */
	for (unsigned int k = 0; k < RV_TRACE_HIST_BUCKETS; k++) {
		r.bucket[k] = h->bucket[k];
		r.count += h->bucket[k];
	}
	return copy_to_user(&current->as, out, &r, sizeof(r)) ? -RV_EFAULT : 0;
}

long sys_trace(const uint64_t a[6])
{
	switch (a[0]) {
	case RV_TRACE_OP_MARK:
	case RV_TRACE_OP_BEGIN:
	case RV_TRACE_OP_END:
		if (IS_ENABLED(CONFIG_TRACE_USER))
			trace_put(RV_TRACE_USER, (unsigned int)a[0], 0, current->pid, a[1], a[2]);
		return 0;
	case RV_TRACE_OP_START:
		return trace_start(a[1]);
	case RV_TRACE_OP_STOP:
		trace_ring.recording = 0;
		return 0;
	case RV_TRACE_OP_INFO:
		return trace_info(a[1]);
	case RV_TRACE_OP_READ:
		return trace_read(a[1], a[2], a[3]);
	case RV_TRACE_OP_HIST:
		return trace_hist(a[1], a[2], a[3]);
	default:
		return -RV_EINVAL; /* (an op wider than 32 bits too) */
	}
}
