/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdbool.h>
#include <arch/csr.h>
#include <kernel/format.h>
#include <kernel/panic.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/vm.h>
#include <kernel/util.h>

/* From the linker script and scripts/symtab.py. */
extern const char _kernel_start[], _text_end[], _kernel_end[];
extern const uint64_t ksym_count;
extern const uint64_t ksym_addrs[];
extern const uint32_t ksym_name_offsets[];
extern const char ksym_names[];

const char *ksym_lookup(uintptr_t addr, uintptr_t *offset)
{
	uint64_t lo = 0, hi = ksym_count;

	if (addr < (uintptr_t)_kernel_start || addr >= (uintptr_t)_text_end || hi == 0)
		return NULL;
	/* Last symbol at or below addr: the table is sorted by address. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksym_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksym_addrs[lo] > addr)
		return NULL;
	*offset = addr - ksym_addrs[lo];
	return &ksym_names[ksym_name_offsets[lo]];
}

static void print_frame(int depth, uintptr_t pc)
{
	uintptr_t off = 0;
	const char *name = ksym_lookup(pc, &off);

	if (name)
		printk("  #%-2d 0x%016lx %s+0x%lx\n", depth, pc, name, off);
	else
		printk("  #%-2d 0x%016lx ??\n", depth, pc);
}

/* A frame pointer worth following: 16-byte aligned and on a stack -- the
 * boot stack, in the kernel image past its code, or a kernel stack -- so a
 * corrupt chain ends the walk instead of faulting inside the panic. Never in
 * the code: a return address that happens to be 16-byte aligned is not a
 * frame pointer (the leaf test in panic_finish relies on telling them apart). */
static bool frame_is_plausible(uintptr_t fp)
{
	if (fp & 15)
		return false;
	return (fp - 16 >= (uintptr_t)_text_end && fp <= (uintptr_t)_kernel_end) ||
	       (vm_is_kernel_stack(fp - 16) && vm_is_kernel_stack(fp - 1));
}

static void backtrace_walk(int depth, uintptr_t fp)
{
	/* RISC-V frame with frame pointers: fp = the caller's sp; the return
	 * address is at fp - 8 and the caller's fp at fp - 16. */
	for (; depth < CONFIG_PANIC_BACKTRACE_DEPTH && frame_is_plausible(fp); depth++) {
		uintptr_t ra = ((const uintptr_t *)fp)[-1];
		uintptr_t next = ((const uintptr_t *)fp)[-2];

		if (ra == 0)
			break;
		/* ra is the instruction after the call; report the call itself. */
		print_frame(depth, ra - 2);
		if (next <= fp)
			break; /* stacks grow down: a caller's frame is higher */
		fp = next;
	}
}

void backtrace_print(uintptr_t fp)
{
	printk("Backtrace:\n");
	backtrace_walk(0, fp);
}

static void __attribute__((noreturn)) panic_finish(uintptr_t fp, uintptr_t pc, uintptr_t ra,
						  const char *fmt, va_list ap)
{
	char msg[CONFIG_PRINTK_LINE_MAX];

	csr_clear(sstatus, SSTATUS_SIE);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	printk("PANIC: %s\n", msg);
	if (!IS_ENABLED(CONFIG_PANIC_BACKTRACE)) {
		/* the faulting pc alone (CONFIG_PANIC_BACKTRACE=n) */
		if (pc)
			printk(KMSG("at pc 0x%016lx (no backtrace: CONFIG_PANIC_BACKTRACE=n)\n",
				    "at pc 0x%016lx\n"), pc);
		poweroff(POWEROFF_STATUS_PANIC);
	}
	printk("Backtrace:\n");
	if (pc) {
		int depth = 1;
		print_frame(0, pc);
		/* The faulting function may be a leaf, whose caller is only in
		 * ra: either it saved s0 alone (at fp - 8, where others keep
		 * ra: a frame pointer there) or it has no frame at fp at all
		 * (the word at fp - 8 is not ra). ra inside the faulting
		 * function itself is just a call it made: not a frame. */
		uintptr_t off, ra_off;
		const char *fn = ksym_lookup(pc, &off);
		const char *ra_fn = ksym_lookup(ra, &ra_off);
		if (frame_is_plausible(fp) && frame_is_plausible(((const uintptr_t *)fp)[-1])) {
			print_frame(depth++, ra - 2);
			fp = ((const uintptr_t *)fp)[-1];
		} else if (ra_fn && ra_fn != fn && frame_is_plausible(fp) &&
			   ((const uintptr_t *)fp)[-1] != ra) {
			print_frame(depth++, ra - 2);
		}
		backtrace_walk(depth, fp);
	} else {
		backtrace_walk(0, fp);
	}
	poweroff(POWEROFF_STATUS_PANIC);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_finish(arch_frame_pointer(), 0, 0, fmt, ap);
}

void panic_at(uintptr_t fp, uintptr_t pc, uintptr_t ra, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_finish(fp, pc, ra, fmt, ap);
}
