/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot's seed from a virtio entropy device (virtio spec v1.2, section
 * 5.4: device id 4, one queue, "requestq", no feature bits, no config
 * space): the device fills the device-writable buffers it is given with
 * random bytes.
 *
 * Once, at boot, before any process and before the kernel's page tables
 * (addresses are physical, so the static queue below is its own bus
 * address; the boards have no IOMMU), with interrupts off: initialise the
 * device (section 3.1.1) over modern virtio-mmio (section 4.2.2, register
 * Version 2), give it one descriptor of a one-entry split virtqueue
 * (section 2.7), poll the used ring until the buffer is full or
 * CONFIG_VIRTIO_RNG_SEED_TIMEOUT_MS have passed, then reset the device
 * (Status 0, section 4.2.2.1). The bus has exported the slot already
 * (virtio-rng0); it is reset, so the user-space driver that maps it later
 * finds it idle, as after any other boot.
 *
 * Everything the device says (QueueNumMax, the used ring's index, id and
 * length, Status) is checked before it is believed; a device that is
 * legacy, refuses a step, or does not answer in time costs a warning
 * line and gives no bytes, never a hang or a panic.
 */
#include <kernel/mmio.h>
#include <kernel/printk.h>
#include <kernel/timer.h>
#include <kernel/util.h>
#include <kernel/virtio.h>

/* virtio-mmio registers (spec 4.2.2), offsets from the slot's base. */
#define VIRTIO_MMIO_MAGIC 0x000
#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_VERSION_MODERN 2
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
/* The last register this file touches ends here: a slot smaller than
 * this (a broken device tree) is not used. */
#define VIRTIO_MMIO_REGS_END 0x100

/* Device status bits (spec 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* VIRTIO_F_VERSION_1 (spec 6): feature bit 32, i.e. bit 0 of the second
 * 32-bit feature word. A modern device offers it and must get it back. */
#define VIRTIO_FEATURE_WORD_HIGH 1
#define VIRTIO_F_VERSION_1_HIGH_BIT (1u << 0)

#define VIRTIO_ID_ENTROPY 4
#define RNG_REQUEST_QUEUE 0

/* Split virtqueue (spec 2.7), one entry: the queue size 1 is a power of
 * two, as 2.7 asks, and at most QueueNumMax (checked). */
#define VIRTQ_SIZE 1
#define VIRTQ_DESC_F_WRITE 2        /* the device writes the buffer */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1 /* polled: no interrupt wanted */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VIRTQ_SIZE];
	uint16_t used_event;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[VIRTQ_SIZE];
	uint16_t avail_event;
};

BUILD_ASSERT(sizeof(struct virtq_desc) == 16, "virtq_desc layout (spec 2.7.5)");
BUILD_ASSERT(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem layout (spec 2.7.8)");

/* The queue and its buffer, in the kernel image (RAM, physical addresses
 * at boot). Alignments of spec 2.7: descriptors 16, available ring 2, used
 * ring 4. Only this file touches it, once, at boot. */
static struct {
	struct virtq_desc desc[VIRTQ_SIZE] __attribute__((aligned(16)));
	struct virtq_avail avail __attribute__((aligned(2)));
	struct virtq_used used __attribute__((aligned(4)));
	uint8_t buf[CONFIG_VIRTIO_RNG_SEED_BYTES];
} rngq __attribute__((aligned(16)));

static uint32_t reg_read(uintptr_t base, uintptr_t off)
{
	return mmio_read32(base + off);
}

static void reg_write(uintptr_t base, uintptr_t off, uint32_t v)
{
	mmio_write32(base + off, v);
}

static void reg_write64(uintptr_t base, uintptr_t low, uintptr_t high, uint64_t v)
{
	reg_write(base, low, (uint32_t)v);
	reg_write(base, high, (uint32_t)(v >> 32));
}

/* Status 0 resets the device (spec 4.2.2.1): it stops using the queue, so
 * it writes no more into rngq. Reading 0 back says it is done; the wait is
 * bounded like the request. */
static bool rng_reset(uintptr_t base, uint64_t deadline)
{
	reg_write(base, VIRTIO_MMIO_STATUS, 0);
	while (reg_read(base, VIRTIO_MMIO_STATUS) != 0) {
		if (timer_now() > deadline)
			return false;
	}
	return true;
}

/* Add a status bit and check that the device kept it (spec 3.1.1: a
 * device that refuses FEATURES_OK clears it). */
static bool status_add(uintptr_t base, uint32_t bit)
{
	uint32_t status = reg_read(base, VIRTIO_MMIO_STATUS);

	if (status & (VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET))
		return false;
	reg_write(base, VIRTIO_MMIO_STATUS, status | bit);
	return (reg_read(base, VIRTIO_MMIO_STATUS) & bit) != 0;
}

/* Spec 3.1.1 steps 1 to 8 for the request queue. NULL or what failed. */
static const char *rng_start(uintptr_t base, uint64_t deadline)
{
	uint32_t num_max;

	if (!rng_reset(base, deadline))
		return "it does not reset";
	if (!status_add(base, VIRTIO_STATUS_ACKNOWLEDGE) || !status_add(base, VIRTIO_STATUS_DRIVER))
		return "it refuses the driver";
	/* Features: VERSION_1 and nothing else (the entropy device has none
	 * of its own, spec 5.4.3). */
	reg_write(base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_FEATURE_WORD_HIGH);
	if (!(reg_read(base, VIRTIO_MMIO_DEVICE_FEATURES) & VIRTIO_F_VERSION_1_HIGH_BIT))
		return "it does not offer VIRTIO_F_VERSION_1";
	reg_write(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_write(base, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	reg_write(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_FEATURE_WORD_HIGH);
	reg_write(base, VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_F_VERSION_1_HIGH_BIT);
	if (!status_add(base, VIRTIO_STATUS_FEATURES_OK))
		return "it refuses the features (FEATURES_OK)";
	/* The queue (spec 4.2.3.2). */
	reg_write(base, VIRTIO_MMIO_QUEUE_SEL, RNG_REQUEST_QUEUE);
	if (reg_read(base, VIRTIO_MMIO_QUEUE_READY) != 0)
		return "its queue is in use after a reset";
	num_max = reg_read(base, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (num_max < VIRTQ_SIZE)
		return "it has no request queue (QueueNumMax 0)";
	reg_write(base, VIRTIO_MMIO_QUEUE_NUM, VIRTQ_SIZE);
	reg_write64(base, VIRTIO_MMIO_QUEUE_DESC_LOW, VIRTIO_MMIO_QUEUE_DESC_HIGH,
		    (uintptr_t)rngq.desc);
	reg_write64(base, VIRTIO_MMIO_QUEUE_DRIVER_LOW, VIRTIO_MMIO_QUEUE_DRIVER_HIGH,
		    (uintptr_t)&rngq.avail);
	reg_write64(base, VIRTIO_MMIO_QUEUE_DEVICE_LOW, VIRTIO_MMIO_QUEUE_DEVICE_HIGH,
		    (uintptr_t)&rngq.used);
	reg_write(base, VIRTIO_MMIO_QUEUE_READY, 1);
	if (!status_add(base, VIRTIO_STATUS_DRIVER_OK))
		return "it refuses DRIVER_OK";
	return NULL;
}

/* One request for `len` bytes at rngq.buf + off: how many the device
 * wrote (0 after the deadline), or -1 when its answer is out of bounds. */
static long rng_request(uintptr_t base, size_t off, size_t len, uint16_t *avail_idx,
			uint64_t deadline)
{
	volatile struct virtq_used *used = &rngq.used;
	struct virtq_used_elem elem;

	rngq.desc[0].addr = (uintptr_t)(rngq.buf + off);
	rngq.desc[0].len = (uint32_t)len;
	rngq.desc[0].flags = VIRTQ_DESC_F_WRITE;
	rngq.desc[0].next = 0;
	rngq.avail.ring[*avail_idx % VIRTQ_SIZE] = 0;
	/* The descriptor and the ring entry before the index that publishes
	 * them (spec 2.7.13.3.1); the index before the notification, which
	 * is a device write (mmio_write32's fence w,o covers RAM stores). */
	__asm__ volatile("fence w,w" ::: "memory");
	*avail_idx = (uint16_t)(*avail_idx + 1);
	*(volatile uint16_t *)&rngq.avail.idx = *avail_idx;
	reg_write(base, VIRTIO_MMIO_QUEUE_NOTIFY, RNG_REQUEST_QUEUE);

	while (used->idx != *avail_idx) {
		if (timer_now() > deadline)
			return 0;
	}
	/* The used entry and the bytes after the index that says they are
	 * there (spec 2.7.14). */
	__asm__ volatile("fence r,r" ::: "memory");
	elem.id = used->ring[(uint16_t)(*avail_idx - 1) % VIRTQ_SIZE].id;
	elem.len = used->ring[(uint16_t)(*avail_idx - 1) % VIRTQ_SIZE].len;
	if (elem.id != 0 || elem.len > len)
		return -1;
	return (long)elem.len;
}

static void wipe(void)
{
	for (size_t i = 0; i < sizeof(rngq.buf); i++)
		((volatile uint8_t *)rngq.buf)[i] = 0;
}

size_t virtio_rng_seed(uint8_t *buf, size_t len)
{
	uint64_t deadline = timer_now() +
			    timer_ns_to_ticks((uint64_t)CONFIG_VIRTIO_RNG_SEED_TIMEOUT_MS * 1000000u);
	uint64_t size;
	uintptr_t base;
	const char *why;
	uint16_t avail_idx = 0;
	size_t got = 0;
	long n;

	if (len > sizeof(rngq.buf))
		len = sizeof(rngq.buf);
	if (!virtio_mmio_find(VIRTIO_ID_ENTROPY, &base, &size))
		return 0;
	if (size < VIRTIO_MMIO_REGS_END) {
		printk("virtio-rng: warning: slot at 0x%lx has 0x%lx bytes of registers, fewer "
		       "than 0x%x: not used\n",
		       (unsigned long)base, (unsigned long)size, VIRTIO_MMIO_REGS_END);
		return 0;
	}
	if (reg_read(base, VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE ||
	    reg_read(base, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_ENTROPY)
		return 0;
	if (reg_read(base, VIRTIO_MMIO_VERSION) != VIRTIO_MMIO_VERSION_MODERN) {
		printk("virtio-rng: warning: device at 0x%lx is legacy virtio-mmio (version %u); "
		       "only version 2 is read at boot (QEMU: -global "
		       "virtio-mmio.force-legacy=false): not used\n",
		       (unsigned long)base, reg_read(base, VIRTIO_MMIO_VERSION));
		return 0;
	}
	for (size_t i = 0; i < sizeof(rngq); i++)
		((volatile uint8_t *)&rngq)[i] = 0;
	rngq.avail.flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	why = rng_start(base, deadline);
	/* The device may give fewer bytes than asked (spec 5.4.6): ask again
	 * for the rest, until full or the deadline. */
	while (!why && got < len) {
		n = rng_request(base, got, len - got, &avail_idx, deadline);
		if (n < 0)
			why = "its used ring names another buffer or a longer length";
		else if (n == 0 && timer_now() > deadline)
			why = "it did not fill the buffer in time";
		else
			got += (size_t)n;
	}
	/* Whatever happened, no interrupt stays pending and the device stops
	 * writing into rngq before anything else may use the memory. */
	reg_write(base, VIRTIO_MMIO_INTERRUPT_ACK, reg_read(base, VIRTIO_MMIO_INTERRUPT_STATUS));
	if (!rng_reset(base, timer_now() + timer_ns_to_ticks(
					      (uint64_t)CONFIG_VIRTIO_RNG_SEED_TIMEOUT_MS * 1000000u))) {
		printk("virtio-rng: warning: device at 0x%lx does not reset (Status reads "
		       "0x%x): its bytes are not used\n",
		       (unsigned long)base, reg_read(base, VIRTIO_MMIO_STATUS));
		wipe();
		return 0;
	}
	if (why) {
		printk("virtio-rng: warning: device at 0x%lx gave %lu of %lu bytes, %s "
		       "(CONFIG_VIRTIO_RNG_SEED_TIMEOUT_MS=%d): %s\n",
		       (unsigned long)base, (unsigned long)got, (unsigned long)len, why,
		       CONFIG_VIRTIO_RNG_SEED_TIMEOUT_MS,
		       got ? "using what it gave" : "not used");
	}
	for (size_t i = 0; i < got; i++)
		buf[i] = rngq.buf[i];
	wipe();
	return got;
}
