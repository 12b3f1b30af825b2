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

#include <stdint.h>

struct kobject;
struct proc;

/* Export a device (at driver probe). 0, -ENOSPC (CONFIG_MAX_EXPORTED_DEVICES),
 * -EINVAL (name or compatible too long, size 0). */
int device_export(const char *name, const char *compatible, uint64_t base, uint64_t size,
		  uint32_t irq);
/* Give p a handle to every exported device (the first process): device i
 * is handle i + 1 (generation 0), in the order of export. */
int device_give_all(struct proc *p);

uint32_t device_signals(const struct kobject *obj);
void device_release(struct kobject *obj);

long sys_device_info(const uint64_t a[6]);
long sys_device_map(const uint64_t a[6]);
long sys_device_irq_ack(const uint64_t a[6]);

#endif /* KERNEL_DEVICE_H */
