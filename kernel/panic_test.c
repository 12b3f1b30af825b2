/* SPDX-License-Identifier: Apache-2.0 */
/* CONFIG_TEST_PANIC_ON_BOOT: a panic three calls deep, so the test can check
 * that the backtrace names each function on the way. */
#include <kernel/app.h>
#include <kernel/panic.h>
#include <rvos/memory_map.h>
#include <stdint.h>

static volatile int panic_depth_marker;

static void __attribute__((noinline)) panic_test_level3(int depth)
{
	panic("deliberate panic at depth %d (CONFIG_TEST_PANIC_ON_BOOT)", depth);
}

static void __attribute__((noinline)) panic_test_level2(int depth)
{
	panic_test_level3(depth + 1);
	panic_depth_marker = depth; /* keeps this frame from being a tail call */
}

void __attribute__((noinline)) test_panic_on_boot(void)
{
	panic_test_level2(2);
	panic_depth_marker = 1;
}

/* CONFIG_TEST_KERNEL_FAULT_ON_BOOT: a load from user space, which the
 * kernel never maps for itself at boot, from a leaf function. */
static int __attribute__((noinline)) fault_test_leaf(const volatile int *p)
{
	return *p;
}

static int __attribute__((noinline)) fault_test_caller(uintptr_t addr)
{
	int v = fault_test_leaf((const volatile int *)addr);

	panic_depth_marker = v; /* not a tail call: keeps this frame */
	return v;
}

void __attribute__((noinline)) test_kernel_fault_on_boot(void)
{
	fault_test_caller(RV_USER_BASE + 0x1230);
	panic_depth_marker = 1;
}
