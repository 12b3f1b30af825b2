/* SPDX-License-Identifier: Apache-2.0 */
/* Virtio over MMIO (virtio spec v1.2, section 4.2): find the slots and the
 * devices plugged into them. */
#include <rvos/errno.h>
#include <kernel/driver.h>
#include <kernel/mmio.h>
#include <kernel/printk.h>

#define VIRTIO_MMIO_MAGIC 0x000
#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008

struct virtio_slot {
	uintptr_t base;
	uint32_t irq;
	uint32_t device_id; /* 0: empty slot */
};

static struct virtio_slot virtio_slots[CONFIG_VIRTIO_MMIO_MAX_SLOTS];
static unsigned int virtio_slot_count;

static int virtio_mmio_probe(const struct fdt *fdt, const struct boot_info *boot,
			     const struct device *dev)
{
	struct virtio_slot *slot;

	if (virtio_slot_count == CONFIG_VIRTIO_MMIO_MAX_SLOTS)
		return 0; /* more slots than configured: the rest stay unused */
	if (mmio_read32(dev->base + VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE) {
		printk("virtio-mmio: no virtio magic at 0x%lx, slot skipped\n",
		       (unsigned long)dev->base);
		return 0;
	}
	slot = &virtio_slots[virtio_slot_count++];
	slot->base = dev->base;
	slot->irq = dev->irq;
	slot->device_id = mmio_read32(dev->base + VIRTIO_MMIO_DEVICE_ID);
	if (slot->device_id)
		printk("virtio-mmio: device id %u at 0x%lx (irq %u)\n", slot->device_id,
		       (unsigned long)slot->base, slot->irq);
	return 0;
}

DRIVER_DEFINE(DRIVER_LEVEL_DEVICE, virtio_mmio, .name = "virtio-mmio",
	      .kconfig = "CONFIG_VIRTIO_MMIO", .compatible = "virtio,mmio", .multi = 1,
	      .probe = virtio_mmio_probe);
