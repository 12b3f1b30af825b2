/* SPDX-License-Identifier: Apache-2.0 */
#include <rvos/errno.h>
#include <arch/csr.h>
#include <kernel/board.h>
#include <kernel/devicetree.h>
#include <kernel/device.h>
#include <kernel/driver.h>
#include <kernel/fdt.h>
#include <kernel/panic.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/app.h>
#include <kernel/aslr.h>
#include <kernel/frame.h>
#include <kernel/page.h>
#include <kernel/init_program.h>
#include <kernel/proc.h>
#include <kernel/random.h>
#include <kernel/rtc.h>
#include <kernel/trace.h>
#include <kernel/vm.h>
#include <kernel/util.h>

static struct fdt boot_fdt;
static struct boot_info boot;
unsigned long boot_hart_id;

static void __attribute__((noreturn)) boot_error(const char *what, int err)
{
	printk("boot error: %s: %s\n", what, k_strerror(err));
	poweroff(POWEROFF_STATUS_BOOT_ERROR);
}

extern char _kernel_start[], _kernel_end[];

/* Hand RAM to the frame allocator, minus what is in use: the firmware's
 * and other reserved regions, the kernel image, the device tree, the initrd. */
static int memory_init(const void *dtb)
{
	int err;

	/* Reserve first: a zone writes its free lists into the free pages
	 * as soon as it is set up. */
	for (unsigned int i = 0; i < boot.reserved_count; i++)
		frame_reserve(boot.reserved[i].base, boot.reserved[i].base + boot.reserved[i].size);
	frame_reserve((uintptr_t)_kernel_start, (uintptr_t)_kernel_end);
	if (IS_ENABLED(CONFIG_DEVICE_TREE))
		frame_reserve((uintptr_t)dtb, (uintptr_t)dtb + boot_fdt.size);
	if (boot.initrd_end > boot.initrd_start)
		frame_reserve(boot.initrd_start, boot.initrd_end);
	for (unsigned int i = 0; i < boot.mem_count; i++) {
		uintptr_t base = boot.mem[i].base;
		uintptr_t end = base + boot.mem[i].size;
		/* Below the kernel is the firmware (PMP-protected), whether or not
		 * the tree reserves it: the zone starts after the kernel. */
		if (base <= (uintptr_t)_kernel_start && (uintptr_t)_kernel_end <= end)
			base = (uintptr_t)_kernel_end;
		err = frame_init_zone(base, end);
		if (err)
			return err;
	}
	return 0;
}

static void print_boot_info(void)
{
	printk("*** rvOS v%s on %s (%s), hart %lu ***\n", RVOS_VERSION, CONFIG_BOARD, boot.model,
	       boot_hart_id);
	if (!IS_ENABLED(CONFIG_KERNEL_VERBOSE_MESSAGES))
		return; /* the banner only */
	for (unsigned int i = 0; i < boot.mem_count; i++)
		printk("memory: 0x%lx..0x%lx (%lu MiB)\n", (unsigned long)boot.mem[i].base,
		       (unsigned long)(boot.mem[i].base + boot.mem[i].size),
		       (unsigned long)(boot.mem[i].size >> 20));
	printk("timebase: %lu Hz, harts usable:", (unsigned long)boot.timebase_hz);
	for (unsigned int i = 0; i < boot.hart_count; i++)
		printk(" %u", boot.hart_ids[i]);
	printk("\n");
	if (boot.initrd_end > boot.initrd_start)
		printk("initrd: 0x%lx..0x%lx (%lu bytes)\n", (unsigned long)boot.initrd_start,
		       (unsigned long)boot.initrd_end,
		       (unsigned long)(boot.initrd_end - boot.initrd_start));
	printk("console: %s\n", console_output_name());
	rtc_print_boot_info();
}

void kernel_main(unsigned long hart_id, const void *dtb)
{
	int err;

	boot_hart_id = hart_id;
	if (IS_ENABLED(CONFIG_DEVICE_TREE)) {
		err = fdt_init(&boot_fdt, dtb, CONFIG_DT_MAX_SIZE);
		if (err)
			boot_error(KMSG("the device tree passed by the firmware is not valid",
					"device tree"), err);
		err = dt_parse_boot_info(&boot_fdt, &boot);
		if (err)
			boot_error(KMSG("the device tree lacks memory or timebase-frequency",
					"device tree content"), err);
	} else {
		/* the board's fixed description (boards/riscv/<board>/fixed.c);
		 * the tree the firmware passed is not read, nor kept */
		board_boot_info(&boot, hart_id);
	}
	if (IS_ENABLED(CONFIG_TEST_BOOT_ERROR_BEFORE_DRIVERS))
		boot_error("on purpose, before the drivers start (CONFIG_TEST_BOOT_ERROR_BEFORE_DRIVERS)",
			   -RV_EINVAL);
	err = drivers_init(&boot_fdt, &boot);
	if (err)
		poweroff(POWEROFF_STATUS_BOOT_ERROR);
	/* start.S has cleared the kernel's .bss already: if the image (the
	 * static channel pool grows with CONFIG_MSG_MAX_BYTES) reaches the
	 * initrd, the initrd is damaged. Say why (the console works now)
	 * instead of failing later. */
	if (boot.initrd_end > boot.initrd_start && boot.initrd_start < (uintptr_t)_kernel_end &&
	    boot.initrd_end > (uintptr_t)_kernel_start)
		boot_error(KMSG("the kernel image overlaps the initrd (lower CONFIG_MSG_MAX_BYTES, "
				"CONFIG_MAX_CHANNELS or CONFIG_CHANNEL_QUEUE_DEPTH, or give more RAM)",
				"kernel image over initrd"),
			   -RV_ENOMEM);
	print_boot_info();
	/* Before any process: their layouts (ASLR) come from it. */
	if (IS_ENABLED(CONFIG_RANDOM))
		random_init(&boot_fdt);
	aslr_init();

	err = memory_init(dtb);
	if (err)
		boot_error(KMSG("cannot set up the frame allocator", "frame allocator"), err);
	err = vm_init(&boot);
	if (err)
		boot_error(KMSG("cannot build the kernel page tables", "page tables"), err);

	if (IS_ENABLED(CONFIG_TEST_PANIC_ON_BOOT))
		test_panic_on_boot();
	if (IS_ENABLED(CONFIG_TEST_KERNEL_FAULT_ON_BOOT))
		test_kernel_fault_on_boot();

	err = app_main();
	if (boot.initrd_end <= boot.initrd_start)
		poweroff(err == 0 ? POWEROFF_STATUS_OK : POWEROFF_STATUS_FAIL); /* kernel-only app */

	/* Let user programs read cycle, time and instret (rdcycle, rdtime,
	 * rdinstret; privileged spec 4.1.5): benchmarks measure with them. */
	csr_write(scounteren, SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
	sched_init();
	trace_init();
	proc_init((const void *)boot.initrd_start, boot.initrd_end - boot.initrd_start);
	err = proc_spawn(init_program, "", 0, 0, CONFIG_DEFAULT_PRIORITY, NULL);
	if (err < 0)
		boot_error(init_program_missing, err);
	err = IS_ENABLED(CONFIG_DEVICE_CAPS) ? device_give_all(proc_by_pid(err)) : 0;
	if (err)
		boot_error(KMSG("cannot give the first program its device handles (CONFIG_MAX_HANDLES)",
				"device handles"), err);
	sched_start();
}
