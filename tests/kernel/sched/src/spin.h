/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Spinning on the clock, for the time-slice tests. A gap is a time longer
 * than 2 ms between two clock reads: the spinner did not run. On a busy host
 * QEMU itself can stall that long, so the kernel's context-switch counter
 * (rv_kstats) is read too: `switches` counts the rounds in which another
 * process ran. A spinner was preempted when it saw both.
 */
#ifndef SCHED_SPIN_H
#define SCHED_SPIN_H

#include <stdint.h>
#include <rvos/user.h>

#define SPIN_GAP_NS (2 * 1000000ULL)

struct spin_result {
	int gaps;
	int switches;
	uint64_t longest_gap_ns;
};

/* Spin for ns of clock time; count only after the first skip_ns of it. */
static inline struct spin_result spin_for(uint64_t ns, uint64_t skip_ns)
{
	struct spin_result r = {0, 0, 0};
	struct rv_kstats ks;
	uint64_t start, prev, now, prev_cs;

	rv_kstats(&ks);
	prev_cs = ks.context_switches;
	start = prev = rv_clock_ns();
	do {
		now = rv_clock_ns();
		rv_kstats(&ks);
		if (now - start >= skip_ns) {
			r.gaps += now - prev > SPIN_GAP_NS;
			r.switches += ks.context_switches != prev_cs;
			if (now - prev > r.longest_gap_ns)
				r.longest_gap_ns = now - prev;
		}
		prev = now;
		prev_cs = ks.context_switches;
	} while (now - start < ns);
	return r;
}

/* Times it was preempted: 0 unless it saw gaps and other processes ran. */
static inline int spin_preempted(const struct spin_result *r)
{
	if (!r->switches)
		return 0;
	return r->gaps > 255 ? 255 : r->gaps;
}

#endif /* SCHED_SPIN_H */
