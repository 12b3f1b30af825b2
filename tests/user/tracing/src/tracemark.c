/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A program with trace points of its own (doc/tracing.md): a span
 * "work" around three marks "step" 0..2, each step a span of its own
 * with a short sleep inside (the spans then hold a block and a wake-up).
 */
#include <stdio.h>
#include <rvos/user.h>

int main(void)
{
	long err = rv_trace_begin("work", 3);

	for (uint64_t i = 0; i < 3 && err >= 0; i++) {
		rv_trace_begin("step", i);
		rv_trace_mark("tick", i);
		rv_sleep_ns(1000000);
		err = rv_trace_end("step", i);
	}
	if (err >= 0)
		err = rv_trace_end("work", 3);
	printf("tracemark: %s\n", err < 0 ? rv_strerror((int)err) : "3 steps");
	return err < 0;
}
