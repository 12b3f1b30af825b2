/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's own use of virtio-mmio devices (drivers/virtio/): the bus
 * exports every slot to user space (doc/devices.md); before that, at boot,
 * the kernel may read its random seed from an entropy device.
 */
#ifndef KERNEL_VIRTIO_H
#define KERNEL_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first probed slot holding device `device_id` (virtio spec v1.2,
 * section 5): its register base and size. false: none (or no bus). */
#ifdef CONFIG_VIRTIO_MMIO
bool virtio_mmio_find(uint32_t device_id, uintptr_t *base, uint64_t *size);
#else
static inline bool virtio_mmio_find(uint32_t device_id, uintptr_t *base, uint64_t *size)
{
	(void)device_id;
	(void)base;
	(void)size;
	return false;
}
#endif /* CONFIG_VIRTIO_MMIO */

/* Up to `len` bytes (at most CONFIG_VIRTIO_RNG_SEED_BYTES) from the first
 * virtio entropy device, read with interrupts off by polling, into buf;
 * the device is reset afterwards. Returns how many bytes it gave: 0 when
 * there is no device or it misbehaved (the console says which). */
#ifdef CONFIG_VIRTIO_RNG_SEED
size_t virtio_rng_seed(uint8_t *buf, size_t len);
#else
static inline size_t virtio_rng_seed(uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	return 0;
}
#endif /* CONFIG_VIRTIO_RNG_SEED */

#endif /* KERNEL_VIRTIO_H */
