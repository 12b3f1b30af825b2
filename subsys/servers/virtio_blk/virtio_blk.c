/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-blk driver, a user-space server: it owns one virtio-mmio block
 * device through a device capability (its handle 1, from init's manifest:
 * "service:virtio_blk:2:virtio-blk0") and serves <rvos/blksvc.h> as
 * CONFIG_VIRTIO_BLK_SERVICE. doc/blk.md is the full description.
 *
 * Virtio 1.x over MMIO (the modern interface, register version 2; the legacy
 * one, version 1, too, which QEMU shows unless told otherwise), one split
 * virtqueue, requests of three descriptors (header, data, status) with
 * several in flight, completion by interrupt. The rings and the request
 * headers live in a DMA region; data goes straight between the device and
 * the client's buffer, a DMA region this driver made for it (BLK_OP_BUFFER).
 *
 * Per client, replies go out in the order the requests came, so a client
 * with many in flight matches error replies (header only) by order.
 * Across clients, the device sees requests in arrival order, except that a
 * FLUSH waits until no write is at the device, and writes behind a FLUSH
 * wait until it completes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <rvos/blksvc.h>
#include <rvos/service.h>
#include <rvos/user.h>

#define DEV_HANDLE 1 /* from the manifest */


#define PAGE_SIZE 4096u
#define QUIESCE_NS 5000000000ull /* for the device to finish before a reset */
#define RESET_POLLS 1000000u

/* ---- virtio-mmio registers (virtio 1.2, 4.2.2) ---- */

#define VIRTIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_ID_BLOCK 2

#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEVICE_FEATURES 0x010
#define R_DEVICE_FEATURES_SEL 0x014
#define R_DRIVER_FEATURES 0x020
#define R_DRIVER_FEATURES_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
/* The legacy interface (register version 1, virtio 1.2 4.2.4) instead. */
#define R_LEGACY_GUEST_PAGE_SIZE 0x028
#define R_LEGACY_QUEUE_ALIGN 0x03c
#define R_LEGACY_QUEUE_PFN 0x040
#define LEGACY_ALIGN 4096u /* our QueueAlign and GuestPageSize */
#define R_QUEUE_NOTIFY 0x050
#define R_INTERRUPT_STATUS 0x060
#define R_INTERRUPT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC_LOW 0x080
#define R_QUEUE_DESC_HIGH 0x084
#define R_QUEUE_DRIVER_LOW 0x090
#define R_QUEUE_DRIVER_HIGH 0x094
#define R_QUEUE_DEVICE_LOW 0x0a0
#define R_QUEUE_DEVICE_HIGH 0x0a4
#define R_CONFIG_GENERATION 0x0fc
#define R_CONFIG 0x100

/* Device status (2.1). */
#define S_ACKNOWLEDGE 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 64u
#define S_FAILED 128u

#define INT_USED_BUFFER 1u
#define INT_CONFIG_CHANGE 2u

/* Feature bits (5.2.3, 6). */
#define F_SIZE_MAX 1
#define F_SEG_MAX 2
#define F_RO 5
#define F_BLK_SIZE 6
#define F_FLUSH 9
#define F_VERSION_1 32

/* Block configuration space (5.2.4). */
#define C_CAPACITY 0x00 /* le64, 512-byte sectors */
#define C_SIZE_MAX 0x08 /* le32 */

/* Requests (5.2.6). */
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define ST_OK 0

/* Split virtqueue (2.7). */
#define D_NEXT 1u
#define D_WRITE 2u /* the device writes this buffer */
#define USED_F_NO_NOTIFY 1u

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct blk_req_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

#define DEPTH CONFIG_VIRTIO_BLK_QUEUE_DEPTH
#define DESC_PER_REQ 3
/* The most clients the loop serves, plus as many that are gone but whose
 * requests are still at the device (their buffers must live until then). */
#define MAX_CLIENTS (2 * CONFIG_SERVICE_MAX_CLIENTS)

/* What a client may have outstanding: its replies must fit in its queue. */
#define CLIENT_DEPTH (DEPTH < CONFIG_CHANNEL_QUEUE_DEPTH ? DEPTH : CONFIG_CHANNEL_QUEUE_DEPTH)

static volatile uint8_t *regs;

static uint32_t rd(uint32_t off)
{
	return *(volatile uint32_t *)(regs + off);
}

static void wr(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = v;
}

/* Orders our ring writes against the device's view (and MMIO). */
static inline void barrier(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

static void say(const char *s)
{
	rv_debug_write(s, strlen(s));
}

static void say_err(const char *what, long err)
{
	say("virtio_blk: ");
	say(what);
	say(": ");
	say(rv_strerror((int)err));
	say("\n");
}

/* ---- the device ---- */

static struct {
	uint64_t capacity; /* sectors */
	uint32_t flags;    /* BLK_F_* */
	uint32_t max_sectors;
	bool has_flush;
	uint16_t qsize;   /* descriptors */
	uint16_t nslots;  /* requests at the device at once */
	/* The queue's DMA region. */
	volatile struct vq_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[qsize], used_event */
	volatile uint16_t *used_hdr; /* flags, idx */
	volatile struct vq_used_elem *used_ring;
	volatile struct blk_req_header *hdr;
	volatile uint8_t *status;
	uint64_t desc_pa, avail_pa, used_pa, hdr_pa, status_pa;
	uint8_t *queue_base;
	uint64_t queue_bytes;
	uint16_t avail_idx, last_used;
	uint32_t on_device; /* requests the device has */
	bool paused;        /* no new requests to the device (a reset comes) */
	uint32_t released;  /* buffers given back since the last reset */
	bool legacy;        /* register version 1 (QEMU without force-legacy=false) */
} dev;

/* ---- requests and clients ---- */

enum req_state { R_WAITING, R_DEVICE, R_DONE };

struct request {
	uint64_t tag;
	uint64_t sector;
	uint64_t addr; /* bus address of the data */
	uint32_t count;
	uint32_t op;
	int32_t status; /* when R_DONE */
	uint8_t state;
};

struct client {
	bool used;
	rv_handle_t chan; /* RV_HANDLE_INVALID: gone (its requests drain) */
	rv_handle_t buf;  /* its buffer's shm, or RV_HANDLE_INVALID */
	uint64_t buf_addr, buf_size;
	struct request reqs[DEPTH]; /* in the order sent: head .. head+count */
	uint32_t head, count;
	uint32_t on_device;
};

static struct client clients[MAX_CLIENTS];

/* Requests not yet at the device, in arrival order (client, ring index). */
struct waiting {
	uint16_t client, idx;
};
static struct waiting waitq[MAX_CLIENTS * DEPTH];
static uint32_t waitq_head, waitq_count;

/* Which request each device slot holds. */
static struct waiting slot_req[DEPTH];
static bool slot_busy[DEPTH];
static uint32_t writes_on_device, flushes_on_device;

static struct client *client_of(rv_handle_t chan, bool create)
{
	struct client *free_c = NULL;

	for (uint32_t i = 0; i < MAX_CLIENTS; i++) {
		if (clients[i].used && clients[i].chan == chan)
			return &clients[i];
		if (!clients[i].used && !free_c)
			free_c = &clients[i];
	}
	if (!create || !free_c)
		return NULL;
	memset(free_c, 0, sizeof(*free_c));
	free_c->used = true;
	free_c->chan = chan;
	free_c->buf = RV_HANDLE_INVALID;
	return free_c;
}

static void client_release(struct client *c)
{
	if (c->buf != RV_HANDLE_INVALID) {
		rv_handle_close(c->buf);
		dev.released++;
	}
	c->buf = RV_HANDLE_INVALID;
	c->used = false;
}

/* Reply to the client's requests that are done, in the order they came. */
static void reply_ready(struct client *c)
{
	while (c->count && c->reqs[c->head].state == R_DONE) {
		struct request *r = &c->reqs[c->head];
		uint8_t buf[WIRE_HEADER_SIZE + WIRE_U64_SIZE];
		struct wire_writer w;

		if (c->chan != RV_HANDLE_INVALID) {
			wire_init_reply(&w, buf, sizeof(buf), NULL, 0, r->op, r->status);
			if (r->status == 0)
				wire_put_u64(&w, r->tag);
			/* A reply that does not fit (the client's queue is
			 * full past CLIENT_DEPTH) is dropped. */
			rv_server_reply(c->chan, &w);
		}
		c->head = (c->head + 1) % DEPTH;
		c->count--;
	}
	if (c->chan == RV_HANDLE_INVALID && c->on_device == 0 && c->count == 0)
		client_release(c);
}

static void waitq_push(uint16_t client, uint16_t idx)
{
	waitq[(waitq_head + waitq_count) % (MAX_CLIENTS * DEPTH)] =
		(struct waiting){.client = client, .idx = idx};
	waitq_count++;
}

/* Hand one request to the device in slot s. */
static void submit(uint32_t s, struct waiting wt)
{
	struct request *r = &clients[wt.client].reqs[wt.idx];
	uint16_t d = (uint16_t)(s * DESC_PER_REQ);
	const bool in = r->op == BLK_OP_READ || r->op == BLK_OP_TEST_READ_UNCHECKED;

	dev.hdr[s].type = in ? T_IN : r->op == BLK_OP_WRITE ? T_OUT : T_FLUSH;
	dev.hdr[s].reserved = 0;
	dev.hdr[s].sector = r->op == BLK_OP_FLUSH ? 0 : r->sector;
	dev.status[s] = 0xff; /* a device that writes no status is an error */
	dev.desc[d] = (struct vq_desc){.addr = dev.hdr_pa + s * sizeof(struct blk_req_header),
				       .len = sizeof(struct blk_req_header), .flags = D_NEXT,
				       .next = (uint16_t)(d + 1)};
	if (r->op == BLK_OP_FLUSH) {
		dev.desc[d].next = (uint16_t)(d + 2);
	} else {
		dev.desc[d + 1] = (struct vq_desc){
			.addr = r->addr, .len = r->count * BLK_SECTOR_SIZE,
			.flags = (uint16_t)(D_NEXT | (in ? D_WRITE : 0)),
			.next = (uint16_t)(d + 2)};
	}
	dev.desc[d + 2] = (struct vq_desc){.addr = dev.status_pa + s, .len = 1, .flags = D_WRITE};
	slot_busy[s] = true;
	slot_req[s] = wt;
	r->state = R_DEVICE;
	clients[wt.client].on_device++;
	dev.on_device++;
	if (r->op == BLK_OP_WRITE)
		writes_on_device++;
	if (r->op == BLK_OP_FLUSH)
		flushes_on_device++;
	dev.avail[2 + dev.avail_idx % dev.qsize] = d;
	barrier(); /* the descriptors and the ring entry before the index */
	dev.avail_idx++;
	dev.avail[1] = dev.avail_idx;
}

static int free_slot(void)
{
	for (uint32_t s = 0; s < dev.nslots; s++)
		if (!slot_busy[s])
			return (int)s;
	return -1;
}

static void complete(struct client *c, struct request *r, int status);
static void on_interrupt(void *ctx, uint32_t observed);

/* Move waiting requests to the device, in order, as far as the flush rule
 * and free slots allow. */
static void pump(void)
{
	bool notify = false;

	while (waitq_count && !dev.paused) {
		struct waiting wt = waitq[waitq_head];
		struct client *c = &clients[wt.client];
		struct request *r = &c->reqs[wt.idx];
		int s;

		if (r->op == BLK_OP_FLUSH && writes_on_device)
			break; /* the writes before it first */
		if (r->op == BLK_OP_WRITE && flushes_on_device)
			break; /* never ahead of a flush */
		if (r->op == BLK_OP_FLUSH && !dev.has_flush) {
			/* No volatile cache: a completed write is stable. */
			waitq_head = (waitq_head + 1) % (MAX_CLIENTS * DEPTH);
			waitq_count--;
			complete(c, r, 0);
			continue;
		}
		s = free_slot();
		if (s < 0)
			break;
		waitq_head = (waitq_head + 1) % (MAX_CLIENTS * DEPTH);
		waitq_count--;
		submit((uint32_t)s, wt);
		notify = true;
	}
	if (notify) {
		barrier(); /* the index before the used ring's flags and the notify */
		if (!(dev.used_hdr[0] & USED_F_NO_NOTIFY))
			wr(R_QUEUE_NOTIFY, 0);
	}
}

static void complete(struct client *c, struct request *r, int status)
{
	r->state = R_DONE;
	r->status = status;
	reply_ready(c);
}

/* The device is done with what the used ring says. */
static void drain_used(void)
{
	for (;;) {
		uint16_t idx = dev.used_hdr[1];
		struct vq_used_elem e;
		struct waiting wt;
		struct client *c;
		struct request *r;
		uint32_t s;

		if (idx == dev.last_used)
			break;
		barrier(); /* the entry after the index */
		e = dev.used_ring[dev.last_used % dev.qsize];
		dev.last_used++;
		s = e.id / DESC_PER_REQ;
		if (e.id % DESC_PER_REQ || s >= dev.nslots || !slot_busy[s])
			continue; /* not ours: a broken device */
		slot_busy[s] = false;
		wt = slot_req[s];
		c = &clients[wt.client];
		r = &c->reqs[wt.idx];
		c->on_device--;
		dev.on_device--;
		if (r->op == BLK_OP_WRITE)
			writes_on_device--;
		if (r->op == BLK_OP_FLUSH)
			flushes_on_device--;
		complete(c, r, dev.status[s] == ST_OK ? 0 : -RV_EIO);
	}
}

/* The configuration space, read consistently (4.2.2: ConfigGeneration). */
static void read_config(void)
{
	uint32_t gen;

	do {
		gen = rd(R_CONFIG_GENERATION);
		dev.capacity = rd(R_CONFIG + C_CAPACITY) |
			       ((uint64_t)rd(R_CONFIG + C_CAPACITY + 4) << 32);
	} while (gen != rd(R_CONFIG_GENERATION));
}

static void on_interrupt(void *ctx, uint32_t observed)
{
	uint32_t isr = rd(R_INTERRUPT_STATUS);

	wr(R_INTERRUPT_ACK, isr);
	if (isr & INT_CONFIG_CHANGE) {
		if (rd(R_STATUS) & S_NEEDS_RESET) {
			/* Requests in flight are lost: start over (init
			 * restarts us and we reset the device). */
			say("virtio_blk: the device needs a reset; ending\n");
			rv_exit(1);
		}
		read_config(); /* a resized disk */
	}
	drain_used();
	rv_device_irq_ack(DEV_HANDLE);
	pump();
}

/* ---- set-up ---- */

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* The queue's DMA region: descriptors, available ring, used ring (aligned
 * as 2.7 asks: 16, 2, 4), then the request headers and status bytes. Made
 * once; a reset device is given it again. */
static int queue_alloc(void)
{
	uint32_t max = rd(R_QUEUE_NUM_MAX);
	uint64_t off_avail, off_used, off_hdr, off_status, pa;
	uint32_t want = 1;
	rv_handle_t shm;
	long ret;
	uint8_t *base;

	if (max < DESC_PER_REQ)
		return -RV_ENODEV;
	while (want < DEPTH * DESC_PER_REQ && want < 32768)
		want <<= 1;
	while (want > max)
		want >>= 1; /* the device's limit (a power of two in split queues) */
	if (want < DESC_PER_REQ)
		return -RV_ENODEV;
	dev.qsize = (uint16_t)want;
	dev.nslots = (uint16_t)(want / DESC_PER_REQ < DEPTH ? want / DESC_PER_REQ : DEPTH);

	off_avail = 16ull * want;
	/* Legacy devices find the used ring at the next QueueAlign boundary. */
	off_used = round_up(off_avail + 6 + 2ull * want, dev.legacy ? LEGACY_ALIGN : 4);
	off_hdr = round_up(off_used + 6 + 8ull * want, 16);
	off_status = off_hdr + sizeof(struct blk_req_header) * dev.nslots;
	dev.queue_bytes = round_up(off_status + dev.nslots, PAGE_SIZE);

	ret = rv_dma_create(DEV_HANDLE, dev.queue_bytes);
	if (ret < 0)
		return (int)ret;
	shm = (rv_handle_t)ret;
	ret = rv_dma_addr(DEV_HANDLE, shm, &pa);
	if (ret < 0)
		return (int)ret;
	ret = rv_shm_map(shm, 1);
	if (ret < 0)
		return (int)ret;
	base = (uint8_t *)ret; /* kept for the process's life */
	dev.queue_base = base;
	dev.desc = (volatile struct vq_desc *)base;
	dev.avail = (volatile uint16_t *)(base + off_avail);
	dev.used_hdr = (volatile uint16_t *)(base + off_used);
	dev.used_ring = (volatile struct vq_used_elem *)(base + off_used + 4);
	dev.hdr = (volatile struct blk_req_header *)(base + off_hdr);
	dev.status = base + off_status;
	dev.desc_pa = pa;
	dev.avail_pa = pa + off_avail;
	dev.used_pa = pa + off_used;
	dev.hdr_pa = pa + off_hdr;
	dev.status_pa = pa + off_status;
	return 0;
}

/* Writing 0 to Status resets the device (4.2.2.1); it is done when Status
 * reads 0. QEMU's is at once; a device that never finishes is an error,
 * not a hang (about a second of MMIO reads). */
static int device_reset(void)
{
	wr(R_STATUS, 0);
	for (uint32_t i = 0; i < RESET_POLLS; i++)
		if (rd(R_STATUS) == 0)
			return 0;
	say("virtio_blk: the device does not finish its reset\n");
	return -RV_ETIMEDOUT;
}

/* 3.1.1: reset, acknowledge, negotiate, give it the queue, go. With
 * nothing at the device: its rings start again from index 0. */
static int device_start(void)
{
	uint64_t offered, wanted;
	uint32_t size_max = 0;
	int err;

	/* A restarted driver finds the device as its predecessor left it
	 * (the kernel reset it when that one ended; once more costs
	 * nothing): the reset stops it and forgets the old queue. */
	if (device_reset() < 0)
		return -RV_EIO;
	wr(R_STATUS, S_ACKNOWLEDGE);
	wr(R_STATUS, S_ACKNOWLEDGE | S_DRIVER);

	wr(R_DEVICE_FEATURES_SEL, 0);
	offered = rd(R_DEVICE_FEATURES);
	if (dev.legacy) {
		/* 32 feature bits, no FEATURES_OK step; pages for PFNs. */
		wanted = offered & ((1ull << F_RO) | (1ull << F_FLUSH) | (1ull << F_SIZE_MAX) |
				    (1ull << F_SEG_MAX) | (1ull << F_BLK_SIZE));
		wr(R_DRIVER_FEATURES_SEL, 0);
		wr(R_DRIVER_FEATURES, (uint32_t)wanted);
		wr(R_LEGACY_GUEST_PAGE_SIZE, LEGACY_ALIGN);
	} else {
		wr(R_DEVICE_FEATURES_SEL, 1);
		offered |= (uint64_t)rd(R_DEVICE_FEATURES) << 32;
		if (!(offered & (1ull << F_VERSION_1))) {
			wr(R_STATUS, S_FAILED);
			return -RV_ENODEV;
		}
		wanted = offered & ((1ull << F_VERSION_1) | (1ull << F_RO) | (1ull << F_FLUSH) |
				    (1ull << F_SIZE_MAX) | (1ull << F_SEG_MAX) |
				    (1ull << F_BLK_SIZE));
		wr(R_DRIVER_FEATURES_SEL, 0);
		wr(R_DRIVER_FEATURES, (uint32_t)wanted);
		wr(R_DRIVER_FEATURES_SEL, 1);
		wr(R_DRIVER_FEATURES, (uint32_t)(wanted >> 32));
		wr(R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
		if (!(rd(R_STATUS) & S_FEATURES_OK)) {
			wr(R_STATUS, S_FAILED);
			return -RV_ENODEV;
		}
	}

	read_config();
	if (wanted & (1ull << F_SIZE_MAX))
		size_max = rd(R_CONFIG + C_SIZE_MAX);
	dev.has_flush = wanted & (1ull << F_FLUSH);
	dev.flags = (wanted & (1ull << F_RO) ? BLK_F_READ_ONLY : 0) |
		    (dev.has_flush ? BLK_F_FLUSH : 0);
	dev.max_sectors = CONFIG_VIRTIO_BLK_MAX_TRANSFER / BLK_SECTOR_SIZE;
	/* One data segment per request: size_max bounds it. */
	if (size_max >= BLK_SECTOR_SIZE && size_max / BLK_SECTOR_SIZE < dev.max_sectors)
		dev.max_sectors = size_max / BLK_SECTOR_SIZE;

	wr(R_QUEUE_SEL, 0);
	if (rd(dev.legacy ? R_LEGACY_QUEUE_PFN : R_QUEUE_READY)) {
		wr(R_STATUS, S_FAILED);
		return -RV_EBUSY;
	}
	if (!dev.queue_base) {
		err = queue_alloc();
		if (err < 0) {
			wr(R_STATUS, S_FAILED);
			return err;
		}
	}
	memset(dev.queue_base, 0, dev.queue_bytes);
	dev.avail_idx = dev.last_used = 0;
	wr(R_QUEUE_NUM, dev.qsize);
	if (dev.legacy) {
		/* One contiguous queue from a 32-bit page number: the region
		 * is page aligned; it must lie below 2^44. */
		if (dev.desc_pa / LEGACY_ALIGN > UINT32_MAX) {
			wr(R_STATUS, S_FAILED);
			return -RV_ENODEV;
		}
		wr(R_LEGACY_QUEUE_ALIGN, LEGACY_ALIGN);
		barrier();
		wr(R_LEGACY_QUEUE_PFN, (uint32_t)(dev.desc_pa / LEGACY_ALIGN));
		wr(R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_DRIVER_OK);
		return 0;
	}
	wr(R_QUEUE_DESC_LOW, (uint32_t)dev.desc_pa);
	wr(R_QUEUE_DESC_HIGH, (uint32_t)(dev.desc_pa >> 32));
	wr(R_QUEUE_DRIVER_LOW, (uint32_t)dev.avail_pa);
	wr(R_QUEUE_DRIVER_HIGH, (uint32_t)(dev.avail_pa >> 32));
	wr(R_QUEUE_DEVICE_LOW, (uint32_t)dev.used_pa);
	wr(R_QUEUE_DEVICE_HIGH, (uint32_t)(dev.used_pa >> 32));
	barrier();
	wr(R_QUEUE_READY, 1);
	wr(R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return 0;
}

static int device_open(void)
{
	struct rv_device_info info;
	long ret;

	ret = rv_device_info(DEV_HANDLE, &info);
	if (ret < 0)
		return (int)ret;
	if (strcmp(info.compatible, "virtio,mmio"))
		return -RV_ENODEV;
	ret = rv_device_map(DEV_HANDLE);
	if (ret < 0)
		return (int)ret;
	regs = (volatile uint8_t *)ret;
	if (rd(R_MAGIC) != VIRTIO_MAGIC || rd(R_DEVICE_ID) != VIRTIO_ID_BLOCK)
		return -RV_ENODEV;
	switch (rd(R_VERSION)) {
	case 1:
		dev.legacy = true;
		break;
	case 2:
		break;
	default:
		return -RV_ENODEV;
	}
	return device_start();
}

/*
 * The kernel keeps a DMA region whose last handle closed while the device
 * runs (it cannot know the device is done with it) until the device is
 * reset (held, doc/devices.md), and frees it when a region is asked for
 * while the device is reset. So when regions run out and buffers were
 * given back since the last reset: wait for the device to finish what it
 * has (new requests wait), reset it, ask again, start it again.
 */
static long dma_region_after_reset(uint64_t size)
{
	const uint64_t deadline = rv_clock_ns() + QUIESCE_NS;
	long ret;
	int err;

	dev.paused = true;
	while (dev.on_device) {
		struct rv_wait_item it = {.handle = DEV_HANDLE, .signals = RV_SIGNAL_IRQ};

		ret = rv_wait_many(&it, 1, deadline);
		if (ret < 0) {
			dev.paused = false;
			return ret;
		}
		on_interrupt(NULL, it.observed);
	}
	ret = device_reset() < 0 ? -RV_EIO : rv_dma_create(DEV_HANDLE, size);
	err = device_start();
	dev.paused = false;
	dev.released = 0;
	if (err < 0) {
		say_err("cannot start the device again", err);
		rv_exit(1); /* init starts us again */
	}
	pump(); /* what waited meanwhile */
	return ret;
}

/* A DMA region of size bytes, resetting the device for room if that helps. */
static long dma_region(uint64_t size)
{
	long ret = rv_dma_create(DEV_HANDLE, size);

	if ((ret == -RV_ENFILE || ret == -RV_ENOMEM) && dev.released)
		ret = dma_region_after_reset(size);
	return ret;
}

/* ---- requests ---- */

static int op_info(struct wire_reader *req, struct wire_writer *reply)
{
	if (wire_end(req) < 0)
		return -RV_EBADMSG;
	wire_put_u64(reply, dev.capacity);
	wire_put_u32(reply, BLK_SECTOR_SIZE);
	wire_put_u32(reply, dev.flags);
	wire_put_u32(reply, dev.max_sectors);
	wire_put_u32(reply, CLIENT_DEPTH);
	return 0;
}

static int op_buffer(struct wire_reader *req, struct wire_writer *reply)
{
	struct client *c;
	uint64_t size, pa;
	uint32_t want;
	long ret, dup;
	rv_handle_t shm;

	if (wire_get_u32(req, &want) < 0 || wire_end(req) < 0)
		return -RV_EBADMSG;
	if (want == 0)
		return -RV_EINVAL;
	c = client_of(rv_server_client(), true);
	if (!c)
		return -RV_EBUSY;
	if (c->buf != RV_HANDLE_INVALID)
		return -RV_EEXIST;
	size = round_up(want, PAGE_SIZE);
	ret = dma_region(size);
	if (ret < 0)
		return (int)ret;
	shm = (rv_handle_t)ret;
	ret = rv_dma_addr(DEV_HANDLE, shm, &pa);
	if (ret < 0) {
		rv_handle_close(shm);
		return (int)ret;
	}
	/* The client's copy: no DUPLICATE beyond what it needs, never DMA
	 * (it must not learn bus addresses); TRANSFER to send it. */
	dup = rv_handle_duplicate(shm, RV_RIGHT_READ | RV_RIGHT_WRITE | RV_RIGHT_MAP |
					       RV_RIGHT_TRANSFER);
	if (dup < 0) {
		rv_handle_close(shm);
		return (int)dup;
	}
	c->buf = shm;
	c->buf_addr = pa;
	c->buf_size = size;
	wire_put_handle(reply, (rv_handle_t)dup);
	wire_put_u64(reply, size);
	return 0;
}

/* READ, WRITE, FLUSH: queued, answered when done, in the client's order. */
static int op_io(uint32_t op, struct wire_reader *req)
{
	uint64_t tag, sector = 0, offset = 0;
	uint32_t count = 0;
	struct client *c;
	struct request *r;
	int status = 0;
	uint32_t idx;

	wire_get_u64(req, &tag);
	if (op != BLK_OP_FLUSH) {
		wire_get_u64(req, &sector);
		wire_get_u32(req, &count);
		wire_get_u64(req, &offset);
	}
	if (wire_end(req) < 0)
		return -RV_EBADMSG;
	c = client_of(rv_server_client(), true);
	if (!c)
		return -RV_EBUSY;
	if (c->count >= CLIENT_DEPTH)
		return -RV_EAGAIN; /* answered at once: the client broke the limit */
	if (op != BLK_OP_FLUSH) {
		uint64_t bytes = (uint64_t)count * BLK_SECTOR_SIZE;
		bool range_ok = sector <= dev.capacity && count <= dev.capacity - sector;

		if (op == BLK_OP_TEST_READ_UNCHECKED)
			range_ok = true; /* the device checks it (tests only) */
		if (c->buf == RV_HANDLE_INVALID || count == 0 || count > dev.max_sectors ||
		    !range_ok || offset > c->buf_size || bytes > c->buf_size - offset)
			status = -RV_EINVAL;
		else if (op == BLK_OP_WRITE && (dev.flags & BLK_F_READ_ONLY))
			status = -RV_EROFS;
	}
	idx = (c->head + c->count) % DEPTH;
	r = &c->reqs[idx];
	*r = (struct request){.tag = tag, .sector = sector, .count = count, .op = op,
			      .addr = c->buf_addr + offset};
	c->count++;
	if (status < 0) {
		complete(c, r, status); /* after the earlier ones, in order */
	} else {
		r->state = R_WAITING;
		waitq_push((uint16_t)(c - clients), (uint16_t)idx);
		pump();
	}
	return RV_SERVER_REPLY_LATER;
}

static int blk_handler(void *ctx, struct wire_reader *req, struct wire_writer *reply)
{
	switch (req->op) {
	case BLK_OP_INFO:
		return op_info(req, reply);
	case BLK_OP_BUFFER:
		return op_buffer(req, reply);
	case BLK_OP_READ:
	case BLK_OP_WRITE:
	case BLK_OP_FLUSH:
		return op_io(req->op, req);
#ifdef CONFIG_VIRTIO_BLK_TEST_OPS
	case BLK_OP_TEST_READ_UNCHECKED:
		return op_io(req->op, req);
#endif
	default:
		return -RV_ENOSYS;
	}
}

/* A client is gone (ended, died, closed): its requests not yet at the
 * device are dropped; those at the device finish first, then its buffer
 * goes (the device may still be writing into it). */
static void on_close(void *ctx, rv_handle_t chan)
{
	struct client *c = client_of(chan, false);
	uint16_t ci;
	uint32_t n, kept = 0;

	if (!c)
		return;
	ci = (uint16_t)(c - clients);
	n = waitq_count;
	for (uint32_t i = 0; i < n; i++) {
		struct waiting wt = waitq[(waitq_head + i) % (MAX_CLIENTS * DEPTH)];

		if (wt.client != ci)
			waitq[(waitq_head + kept++) % (MAX_CLIENTS * DEPTH)] = wt;
	}
	waitq_count = kept;
	c->chan = RV_HANDLE_INVALID;
	/* Its requests at the device still count; the rest are forgotten. */
	for (uint32_t i = 0; i < c->count; i++) {
		struct request *r = &c->reqs[(c->head + i) % DEPTH];

		if (r->state == R_WAITING)
			r->state = R_DONE;
	}
	reply_ready(c);
	pump(); /* a dropped write may have held a flush */
}

int main(int argc, char **argv)
{
	struct rv_server srv = {
		.handler = blk_handler,
		.event = DEV_HANDLE,
		.event_signals = RV_SIGNAL_IRQ,
		.on_event = on_interrupt,
		.on_close = on_close,
	};
	int ret;

	ret = device_open();
	if (ret < 0) {
		say_err("no usable virtio-blk device at handle 1 (manifest: "
			"service:virtio_blk:N:virtio-blk0)", ret);
		return 1;
	}
	ret = rv_service_register_flags(CONFIG_VIRTIO_BLK_SERVICE, SVC_REG_RESTRICTED,
					&srv.requests);
	if (ret < 0) {
		say_err("cannot register " CONFIG_VIRTIO_BLK_SERVICE, ret);
		return 1;
	}
	ret = rv_server_serve(&srv);
	say_err("server loop ended", ret);
	return 1;
}
