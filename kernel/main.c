/* SPDX-License-Identifier: Apache-2.0 */
#include <rvos/errno.h>
#include <kernel/devicetree.h>
#include <kernel/driver.h>
#include <kernel/fdt.h>
#include <kernel/panic.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/app.h>

static struct fdt boot_fdt;
static struct boot_info boot;
unsigned long boot_hart_id;

static void __attribute__((noreturn)) boot_error(const char *what, int err)
{
	printk("boot error: %s: %s\n", what, rv_strerror(err));
	poweroff(POWEROFF_STATUS_BOOT_ERROR);
}

static void print_boot_info(void)
{
	printk("*** rvOS v%s on %s (%s), hart %lu ***\n", RVOS_VERSION, CONFIG_BOARD, boot.model,
	       boot_hart_id);
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
}

void kernel_main(unsigned long hart_id, const void *dtb)
{
	int err;

	boot_hart_id = hart_id;
	err = fdt_init(&boot_fdt, dtb, CONFIG_DT_MAX_SIZE);
	if (err)
		boot_error("the device tree passed by the firmware is not valid", err);
	err = dt_parse_boot_info(&boot_fdt, &boot);
	if (err)
		boot_error("the device tree lacks memory or timebase-frequency", err);
	err = drivers_init(&boot_fdt, &boot);
	if (err)
		poweroff(POWEROFF_STATUS_BOOT_ERROR);
	print_boot_info();

	if (IS_ENABLED(CONFIG_TEST_PANIC_ON_BOOT))
		test_panic_on_boot();

	poweroff(app_main() == 0 ? POWEROFF_STATUS_OK : POWEROFF_STATUS_FAIL);
}
