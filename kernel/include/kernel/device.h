/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device capabilities: a driver may export a device it found (registers and
 * interrupt) so that a user-space driver can own it. The kernel hands init a
 * handle to each exported device; init gives them to the services its boot
 * manifest names (doc/devices.md).
 *
 * Mapping a device's registers (device_map) hands the device to user space:
 * its interrupt then raises RV_SIGNAL_IRQ on the device object instead of
 * reaching the kernel driver, and stays masked at the interrupt controller
 * until the owner acknowledges it (device_irq_ack). The kernel driver keeps
 * using the registers for its output (printk), so a UART stays usable for
 * panics.
 */
#ifndef KERNEL_DEVICE_H
#define KERNEL_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

struct kobject;
struct proc;

/* A DMA-capable device: what the kernel needs to stop it, so that the
 * frames of its DMA regions can be reused safely (doc/devices.md). */
struct device_dma_ops {
	/* Stop the device: no DMA after it returns. */
	void (*reset)(uintptr_t base);
	/* True when the device is reset (it does no DMA now). */
	bool (*is_reset)(uintptr_t base);
};

/* Export a device (at driver probe). dma: NULL for a device without DMA;
 * otherwise its handles carry RV_RIGHT_DMA. 0, -ENOSPC
 * (CONFIG_MAX_EXPORTED_DEVICES), -EINVAL (name or compatible too long,
 * size 0, DMA ops incomplete). */
int device_export(const char *name, const char *compatible, uint64_t base, uint64_t size,
		  uint32_t irq, const struct device_dma_ops *dma);
/* Give p a handle to every exported device (the first process): device i
 * is handle i + 1 (generation 0), in the order of export. */
int device_give_all(struct proc *p);

/* May the device (a DMA-capable one) still be doing DMA? True while some
 * process has it mapped and it is not reset. */
bool device_dma_busy(struct kobject *dev);
/* p is ending: it maps no device any more. A DMA-capable device that no
 * process maps now is reset and its quarantined regions are freed. Called
 * before p's handles are closed. */
void device_proc_exit(struct proc *p);

uint32_t device_signals(const struct kobject *obj);
void device_release(struct kobject *obj);

long sys_device_info(const uint64_t a[6]);
long sys_device_map(const uint64_t a[6]);
long sys_device_irq_ack(const uint64_t a[6]);
long sys_dma_create(const uint64_t a[6]);
long sys_dma_addr(const uint64_t a[6]);

#endif /* KERNEL_DEVICE_H */
