/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tracing builtins (doc/tracing.md): trace start|stop|dump, ipclat,
 * schedlat. They read the kernel's ring and histograms with the trace
 * system call; a kernel built without CONFIG_TRACING says so.
 */
#include <stdio.h>
#include <string.h>
#include <rvos/user.h>
#include "shell.h"

#define DUMP_CHUNK 32

static int trace_error(const char *cmd, long err)
{
	if (err == -RV_ENOSYS)
		printf("%s: the kernel has no tracing (build with CONFIG_TRACING=y)\n", cmd);
	else
		printf("%s: %s\n", cmd, rv_strerror((int)err));
	return (int)err;
}

static void print_info(const struct rv_trace_info *in)
{
	sh_printf("trace: %s, records %llu..%llu of %u, lost %llu, %s when full, timebase %llu Hz\n",
		  in->recording ? "recording" : "stopped", (unsigned long long)in->first,
		  (unsigned long long)in->next, in->capacity, (unsigned long long)in->lost,
		  in->overwrite ? "overwrites" : "stops", (unsigned long long)in->timebase_hz);
}

/* Every kept record, one line each (scripts/trace.py --console reads
 * them): T time type flags arg16 pid a b. */
static int trace_dump(void)
{
	static struct rv_trace_event ev[DUMP_CHUNK];
	struct rv_trace_info in;
	long n, err = rv_trace_info(&in);

	if (err < 0)
		return trace_error("trace", err);
	print_info(&in);
	for (uint64_t i = in.first; i < in.next; i += (uint64_t)n) {
		uint64_t want = in.next - i < DUMP_CHUNK ? in.next - i : DUMP_CHUNK;

		n = rv_trace_read(i, ev, want);
		if (n <= 0)
			return n < 0 ? trace_error("trace", n) : 0;
		for (long k = 0; k < n; k++)
			sh_printf("T %llu %u %u %u %d %llx %llx\n", (unsigned long long)ev[k].time,
				  ev[k].type, ev[k].flags, ev[k].arg16, (int)ev[k].pid,
				  (unsigned long long)ev[k].a, (unsigned long long)ev[k].b);
	}
	sh_printf("trace: end\n");
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct rv_trace_info in;
	long err;

	if (argc == 1) {
		err = rv_trace_info(&in);
		if (err < 0)
			return trace_error("trace", err);
		print_info(&in);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "start"))
		err = rv_trace_start(RV_TRACE_CLEAR);
	else if (argc == 2 && !strcmp(argv[1], "stop"))
		err = rv_trace_stop();
	else if (argc == 2 && !strcmp(argv[1], "dump"))
		return trace_dump();
	else {
		usage(command_find("trace"));
		return -1;
	}
	return err < 0 ? trace_error("trace", err) : 0;
}

/* One histogram: a line per non-empty bucket, with its range in us. */
static void print_hist(const char *title, const struct rv_trace_hist *h)
{
	uint64_t hz = h->timebase_hz ? h->timebase_hz : 1, most = 0;

	for (unsigned int k = 0; k < RV_TRACE_HIST_BUCKETS; k++)
		most = h->bucket[k] > most ? h->bucket[k] : most;
	sh_printf("%s: %llu\n", title, (unsigned long long)h->count);
	for (unsigned int k = 0; k < RV_TRACE_HIST_BUCKETS; k++) {
		uint64_t lo = k ? 1ull << k : 0, hi = 2ull << k;
		char bar[41];
		unsigned int w;

		if (!h->bucket[k])
			continue;
		w = (unsigned int)((h->bucket[k] * 40 + most - 1) / most);
		memset(bar, '#', w);
		bar[w] = 0;
		sh_printf("  %8llu .. %8llu us %8u %s\n",
			  (unsigned long long)(lo * 1000000 / hz),
			  (unsigned long long)(hi * 1000000 / hz), (unsigned int)h->bucket[k], bar);
	}
}

int cmd_ipclat(int argc, char **argv)
{
	struct rv_trace_info in;
	struct rv_trace_hist h;
	char title[64];
	long err = rv_trace_info(&in);
	unsigned int shown = 0;

	(void)argv;
	if (argc != 1) {
		usage(command_find("ipclat"));
		return -1;
	}
	if (err < 0)
		return trace_error("ipclat", err);
	for (uint32_t c = 0; c < in.channels; c++) {
		err = rv_trace_hist(RV_TRACE_HIST_IPC, c, &h);
		if (err < 0)
			return trace_error("ipclat", err);
		if (!h.count)
			continue;
		snprintf(title, sizeof(title), "channel %u: channel_call round trips", (unsigned)c);
		print_hist(title, &h);
		shown++;
	}
	if (!shown)
		sh_printf("ipclat: no channel_call round trips recorded\n");
	return 0;
}

int cmd_schedlat(int argc, char **argv)
{
	struct rv_trace_info in;
	struct rv_trace_hist h;
	char title[64];
	long err = rv_trace_info(&in);

	(void)argv;
	if (argc != 1) {
		usage(command_find("schedlat"));
		return -1;
	}
	if (err < 0)
		return trace_error("schedlat", err);
	for (uint32_t prio = 0; prio < in.priorities; prio++) {
		err = rv_trace_hist(RV_TRACE_HIST_SCHED, prio, &h);
		if (err < 0)
			return trace_error("schedlat", err);
		if (!h.count)
			continue;
		snprintf(title, sizeof(title), "priority %u: ready -> running", (unsigned)prio);
		print_hist(title, &h);
	}
	err = rv_trace_hist(RV_TRACE_HIST_IRQ, 0, &h);
	if (err < 0)
		return trace_error("schedlat", err);
	print_hist("timer interrupts: due -> handled", &h);
	return 0;
}
