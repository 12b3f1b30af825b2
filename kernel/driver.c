/* SPDX-License-Identifier: Apache-2.0 */
#include <rvos/errno.h>
#include <kernel/board.h>
#include <kernel/driver.h>
#include <kernel/string.h>
#include <kernel/util.h>
#include <kernel/printk.h>

/* The linker script gathers DRIVER_DEFINE()s here, sorted by level. */
extern const struct driver __drivers_start[], __drivers_end[];

/* The node's first reg range and first interrupt (0 when it has none). */
static int device_from_node(const struct fdt *fdt, int node, struct device *dev)
{
	uint32_t len = 0;
	const void *irqs = fdt_getprop(fdt, node, "interrupts", &len);
	int err = fdt_reg(fdt, node, 0, &dev->base, &dev->size);

	if (err)
		return err;
	dev->irq = (irqs && len >= 4) ? (uint32_t)fdt_read_cells(irqs, 1) : 0;
	return 0;
}

static int probe_node(const struct driver *drv, const struct fdt *fdt,
		      const struct boot_info *boot, int node)
{
	struct device dev = {.node = node};
	int err;

	if (node >= 0) {
		err = device_from_node(fdt, node, &dev);
		if (err) {
			printk(KMSG("boot error: driver %s: device-tree node %s has no usable reg (%s)\n",
				    "boot error: %s: node %s reg: %s\n"),
			       drv->name, fdt_node_name(fdt, node), k_strerror(err));
			return err;
		}
	}
	err = drv->probe(fdt, boot, &dev);
	if (err)
		printk(KMSG("boot error: driver %s (%s) failed to start its device at 0x%lx: %s\n",
			    "boot error: %s (%s) at 0x%lx: %s\n"),
		       drv->name, drv->kconfig, (unsigned long)dev.base, k_strerror(err));
	return err;
}

/* CONFIG_DEVICE_TREE=n: the drivers matched against the board's fixed
 * description (kernel/board.h) instead of the tree's nodes. */
static int drivers_init_fixed(const struct boot_info *boot)
{
	for (const struct driver *drv = __drivers_start; drv < __drivers_end; drv++) {
		int found = 0;
		int err;

		for (unsigned int i = 0; drv->compatible && i < board_fixed.device_count; i++) {
			const struct board_device *d = &board_fixed.devices[i];
			struct device dev = {.node = -1, .base = d->base, .size = d->size, .irq = d->irq};

			if (!k_streq(d->compatible, drv->compatible))
				continue;
			err = drv->probe(NULL, boot, &dev);
			if (err) {
				printk(KMSG("boot error: driver %s (%s) failed to start its device at "
					    "0x%lx: %s\n",
					    "boot error: %s (%s) at 0x%lx: %s\n"),
				       drv->name, drv->kconfig, (unsigned long)dev.base, k_strerror(err));
				return err;
			}
			found++;
			if (!drv->multi)
				break;
		}
		if (!drv->compatible) {
			err = probe_node(drv, NULL, boot, -1);
			if (err)
				return err;
		} else if (!found) {
			printk(KMSG("boot error: the kernel was built with %s (driver %s), but the "
				    "board's fixed description (CONFIG_DEVICE_TREE=n) has no \"%s\" "
				    "device\n",
				    "boot error: %s (%s): no %s\n"),
			       drv->kconfig, drv->name, drv->compatible);
			return -RV_ENODEV;
		}
	}
	return 0;
}

int drivers_init(const struct fdt *fdt, const struct boot_info *boot)
{
	if (!IS_ENABLED(CONFIG_DEVICE_TREE))
		return drivers_init_fixed(boot);
	for (const struct driver *drv = __drivers_start; drv < __drivers_end; drv++) {
		int found = 0;
		int node = -1;
		int err;

		if (!drv->compatible) {
			err = probe_node(drv, fdt, boot, -1);
			if (err)
				return err;
			continue;
		}
		while ((node = fdt_node_by_compatible(fdt, node, drv->compatible)) >= 0) {
			if (!fdt_node_is_okay(fdt, node))
				continue;
			err = probe_node(drv, fdt, boot, node);
			if (err)
				return err;
			found++;
			if (!drv->multi)
				break;
		}
		if (!found) {
			printk("boot error: the kernel was built with %s (driver %s), but the device "
			       "tree has no enabled \"%s\" node: this kernel was built for another "
			       "board than this machine (\"%s\")\n",
			       drv->kconfig, drv->name, drv->compatible, boot->model);
			return -RV_ENODEV;
		}
	}
	return 0;
}
