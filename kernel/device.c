/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device capabilities (kernel/include/kernel/device.h, doc/devices.md).
 * The table is static and its objects live for ever: the table itself holds
 * one reference to each, so closing every handle never releases one.
 */
#include <rvos/errno.h>
#include <rvos/memory_map.h>
#include <rvos/syscall.h>
#include <kernel/device.h>
#include <kernel/handle.h>
#include <kernel/irq.h>
#include <kernel/mem.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/shm.h>
#include <kernel/string.h>
#include <kernel/util.h>

/* Rights of the handles init gets: all but MANAGE, and DMA only for a
 * DMA-capable device. */
#define DEVICE_RIGHTS (RV_RIGHTS_ALL & ~RV_RIGHT_MANAGE)
/* Rights of a DMA region's handle: those of any shared-memory region. */
#define DMA_REGION_RIGHTS (RV_RIGHTS_ALL & ~(RV_RIGHT_MANAGE | RV_RIGHT_DMA))

BUILD_ASSERT(CONFIG_MAX_EXPORTED_DEVICES <= 32, "struct proc's devices_mapped is 32 bits");

BUILD_ASSERT(RV_DEVICE_BASE + (uint64_t)CONFIG_MAX_EXPORTED_DEVICES * RV_DEVICE_SLOT_SIZE <=
		     RV_DEVICE_END,
	     "device mappings must end below the end of their region (RV_DEVICE_END)");
BUILD_ASSERT(RV_DEVICE_END <= RV_USER_STACK_GUARD_BASE,
	     "the device slots' region must end below the user stack's guard (USER_STACK_MAX + "
	     "USER_STACK_GUARD_SIZE below the stack's top)");

struct device_object {
	struct kobject obj;
	char name[RV_DEVICE_NAME_MAX];
	char compatible[RV_DEVICE_NAME_MAX];
	uint64_t base, size;
	uint32_t irq;
	bool handed_over; /* user space maps it: its interrupt comes here */
	bool irq_pending; /* taken, masked until acknowledged */
	uint64_t irqs;    /* interrupts delivered to user space */
	const struct device_dma_ops *dma; /* NULL: no DMA */
	unsigned int mappers; /* processes that have it mapped */
};

static struct device_object devices[CONFIG_MAX_EXPORTED_DEVICES];
static unsigned int device_count;

static bool copy_bounded(char *dst, const char *src, size_t size)
{
	size_t n = k_strlen(src);

	if (n == 0 || n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

int device_export(const char *name, const char *compatible, uint64_t base, uint64_t size,
		  uint32_t irq, const struct device_dma_ops *dma)
{
	struct device_object *d;

	if (device_count == CONFIG_MAX_EXPORTED_DEVICES) {
		printk("device: cannot export %s: the table is full "
		       "(raise CONFIG_MAX_EXPORTED_DEVICES)\n", name);
		return -RV_ENOSPC;
	}
	if (size == 0 || size > RV_DEVICE_SLOT_SIZE || (dma && (!dma->reset || !dma->is_reset)))
		return -RV_EINVAL;
	d = &devices[device_count];
	if (!copy_bounded(d->name, name, sizeof(d->name)) ||
	    !copy_bounded(d->compatible, compatible, sizeof(d->compatible)))
		return -RV_EINVAL;
	d->base = base;
	d->size = size;
	d->irq = irq;
	d->dma = dma;
	d->mappers = 0;
	kobject_init(&d->obj, RV_OBJ_DEVICE); /* the table's own reference */
	device_count++;
	return 0;
}

int device_give_all(struct proc *p)
{
	/* Handle 0 stays free: it is the channel to the parent, and the
	 * first process has none. Device i is handle i + 1. */
	for (unsigned int i = 0; i < device_count; i++) {
		uint32_t rights = DEVICE_RIGHTS & ~(devices[i].dma ? 0 : RV_RIGHT_DMA);
		long h = handle_install_at(&p->handles, i + 1, &devices[i].obj, rights);
		if (h < 0)
			return (int)h;
		kobject_get(&devices[i].obj);
	}
	return 0;
}

uint32_t device_signals(const struct kobject *obj)
{
	const struct device_object *d = container_of(obj, struct device_object, obj);

	return d->irq_pending ? RV_SIGNAL_IRQ : 0;
}

bool device_dma_busy(struct kobject *obj)
{
	struct device_object *d = container_of(obj, struct device_object, obj);

	return d->mappers && !d->dma->is_reset(d->base);
}

void device_proc_exit(struct proc *p)
{
	for (unsigned int i = 0; i < device_count && p->devices_mapped; i++) {
		struct device_object *d = &devices[i];

		if (!(p->devices_mapped & (1u << i)))
			continue;
		p->devices_mapped &= ~(1u << i);
		if (--d->mappers || !d->dma)
			continue;
		/* Its last driver is gone, maybe with DMA in flight: stop the
		 * device, then its quarantined frames can go back. */
		d->dma->reset(d->base);
		shm_dma_reclaim(&d->obj);
	}
}

void device_release(struct kobject *obj)
{
	panic("device_release: the device table's reference was dropped");
}

/* The device's interrupt, once user space owns it: note it, wake the
 * owner; the controller is completed by device_irq_ack. */
static void device_irq(void *arg)
{
	struct device_object *d = arg;

	d->irq_pending = true;
	d->irqs++;
	kobject_notify(&d->obj);
}

/* The device of handle argument a, with `rights`. */
static struct device_object *device_of(uint64_t a, uint32_t rights, long *err)
{
	struct handle_entry *e;

	*err = handle_arg(&current->handles, a, RV_OBJ_DEVICE, rights, &e);
	return *err ? NULL : container_of(e->obj, struct device_object, obj);
}

long sys_device_info(const uint64_t a[6])
{
	long err;
	struct device_object *d = device_of(a[0], 0, &err);
	struct rv_device_info info = {0};

	if (!d)
		return err;
	memcpy(info.name, d->name, sizeof(info.name));
	memcpy(info.compatible, d->compatible, sizeof(info.compatible));
	info.base = d->base;
	info.size = d->size;
	info.irq = d->irq;
	info.irqs = d->irqs;
	return copy_to_user(&current->as, a[1], &info, sizeof(info));
}

long sys_device_map(const uint64_t a[6])
{
	long err;
	struct device_object *d = device_of(a[0], RV_RIGHT_MAP, &err);
	uintptr_t va, pa;
	size_t pages;

	if (!d)
		return err;
	va = as_device_base(&current->as) + (uintptr_t)(d - devices) * RV_DEVICE_SLOT_SIZE;
	pa = d->base & ~(uintptr_t)(PAGE_SIZE - 1);
	pages = (d->base + d->size - pa + PAGE_SIZE - 1) / PAGE_SIZE;
	err = as_map_frames(&current->as, va, pa, pages, VM_READ | VM_WRITE);
	if (err) {
		if (err != -RV_EEXIST)
			as_unmap(&current->as, va, pages);
		return err; /* -EEXIST: this process has it mapped already */
	}
	if (!d->handed_over && d->irq) {
		err = irq_take_over(d->irq, device_irq, d);
		if (err) {
			as_unmap(&current->as, va, pages);
			return err;
		}
	}
	d->handed_over = true;
	d->mappers++;
	current->devices_mapped |= 1u << (d - devices);
	return (long)(va + (d->base - pa));
}

long sys_device_irq_ack(const uint64_t a[6])
{
	long err;
	struct device_object *d = device_of(a[0], RV_RIGHT_WRITE, &err);

	if (!d)
		return err;
	if (!d->irq_pending)
		return -RV_EAGAIN;
	d->irq_pending = false;
	irq_complete(d->irq);
	return 0;
}

long sys_dma_create(const uint64_t a[6])
{
	long err;
	struct device_object *d = device_of(a[0], RV_RIGHT_DMA, &err);
	struct kobject *obj;

	/* (RV_RIGHT_DMA exists only on DMA-capable devices: d->dma is set.) */
	if (!d)
		return err;
	if (!handle_table_free(&current->handles))
		return -RV_EMFILE;
	err = shm_dma_create(&d->obj, a[1], &obj);
	if (err)
		return err;
	return handle_install(&current->handles, obj, DMA_REGION_RIGHTS);
}

long sys_dma_addr(const uint64_t a[6])
{
	long err;
	struct device_object *d = device_of(a[0], RV_RIGHT_DMA, &err);
	struct handle_entry *e;
	uint64_t addr;

	if (!d)
		return err;
	err = handle_arg(&current->handles, a[1], RV_OBJ_SHM, 0, &e);
	if (err)
		return err;
	err = shm_dma_addr(e->obj, &d->obj, &addr);
	if (err)
		return err;
	return copy_to_user(&current->as, a[2], &addr, sizeof(addr));
}
