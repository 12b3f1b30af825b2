/* SPDX-License-Identifier: Apache-2.0 */
/* Virtio over MMIO (virtio spec v1.2, section 4.2): find the slots and the
 * devices plugged into them, and export each device as a DMA-capable device
 * capability for a user-space driver (doc/devices.md): virtio-blk0,
 * virtio-net0, ... (the type from the device id, numbered per type). */
#include <rvos/errno.h>
#include <rvos/ipc.h>
#include <kernel/device.h>
#include <kernel/driver.h>
#include <kernel/format.h>
#include <kernel/mmio.h>
#include <kernel/printk.h>
#include <kernel/virtio.h>
#include <kernel/util.h>

#define VIRTIO_MMIO_MAGIC 0x000
#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_STATUS 0x070

/* Device ids (virtio spec v1.2, section 5) and the names they get. */
static const char *const type_names[] = {
	[1] = "net", [2] = "blk", [3] = "console", [4] = "rng", [5] = "balloon",
	[8] = "scsi", [9] = "9p", [16] = "gpu", [18] = "input", [19] = "vsock",
	[20] = "crypto", [26] = "fs", [41] = "sound",
};
#define TYPE_COUNT (sizeof(type_names) / sizeof(type_names[0]))

/* Writing 0 to Status resets the device (spec 4.2.2.1): it stops using
 * the queues, so no DMA follows; reading 0 back says the reset is done. */
static void virtio_reset(uintptr_t base)
{
	mmio_write32(base + VIRTIO_MMIO_STATUS, 0);
	/* The reset may take a while (a device may finish a request first);
	 * QEMU's is done at once. A device that never reads 0 keeps its
	 * quarantined regions for good (virtio_is_reset stays false). */
	for (unsigned int i = 0; i < 1000000 && mmio_read32(base + VIRTIO_MMIO_STATUS); i++)
		;
}

static bool virtio_is_reset(uintptr_t base)
{
	return mmio_read32(base + VIRTIO_MMIO_STATUS) == 0;
}

static const struct device_dma_ops virtio_dma = {
	.reset = virtio_reset,
	.is_reset = virtio_is_reset,
};

struct virtio_slot {
	uintptr_t base;
	uint64_t size;
	uint32_t irq;
	uint32_t device_id; /* 0: empty slot */
};

static struct virtio_slot virtio_slots[CONFIG_VIRTIO_MMIO_MAX_SLOTS];
static unsigned int virtio_slot_count;
static unsigned int type_count[TYPE_COUNT + 1]; /* [TYPE_COUNT]: unknown ids */

static void virtio_export(const struct virtio_slot *slot, uint64_t size)
{
	char name[RV_DEVICE_NAME_MAX];
	uint32_t id = slot->device_id;

	if (!IS_ENABLED(CONFIG_DEVICE_CAPS))
		return; /* no capabilities to export */
	if (id < TYPE_COUNT && type_names[id])
		fmt_snprintf(name, sizeof(name), "virtio-%s%u", type_names[id], type_count[id]++);
	else
		fmt_snprintf(name, sizeof(name), "virtio-id%u.%u", id, type_count[TYPE_COUNT]++);
	/* Failure is reported by device_export (a full table); the slot
	 * then stays the kernel's, unused. */
	device_export(name, "virtio,mmio", slot->base, size ? size : 0x1000, slot->irq, &virtio_dma);
}

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
	slot->size = dev->size;
	slot->irq = dev->irq;
	slot->device_id = mmio_read32(dev->base + VIRTIO_MMIO_DEVICE_ID);
	if (slot->device_id) {
		printk("virtio-mmio: device id %u at 0x%lx (irq %u)\n", slot->device_id,
		       (unsigned long)slot->base, slot->irq);
		virtio_export(slot, dev->size);
	}
	return 0;
}

bool virtio_mmio_find(uint32_t device_id, uintptr_t *base, uint64_t *size)
{
	for (unsigned int i = 0; i < virtio_slot_count; i++) {
		if (virtio_slots[i].device_id == device_id) {
			*base = virtio_slots[i].base;
			*size = virtio_slots[i].size;
			return true;
		}
	}
	return false;
}

DRIVER_DEFINE(DRIVER_LEVEL_DEVICE, virtio_mmio, .name = "virtio-mmio",
	      .kconfig = "CONFIG_VIRTIO_MMIO", .compatible = "virtio,mmio", .multi = 1,
	      .probe = virtio_mmio_probe);
