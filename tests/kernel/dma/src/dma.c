/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DMA for user-space drivers and programs from shared memory (the first
 * program, so it holds the kernel's device handles 1..n):
 *   - the virtio-blk disk is a device capability virtio-blk0 (virtio,mmio,
 *     an interrupt, the DMA right); the UART has no DMA right;
 *   - dma_create / dma_addr refuse everything hostile, each with its own
 *     error: no DMA right, a UART, a plain region, another device's region,
 *     size 0 or too big, the pool limit (-ENFILE), bad pointers;
 *   - a region is zeroed, contiguous, mappable, its bus address page-aligned
 *     RAM; closing frees it (kstats back);
 *   - a driver that drops regions while its device may run keeps them
 *     quarantined until it resets the device or ends (dma_child.c);
 *   - a read of the disk by DMA completes with its interrupt delivered as
 *     RV_SIGNAL_IRQ (the PLIC routes it once user space owns the device);
 *   - process_spawn_image starts an ELF from a region (argc as the exit
 *     status, the handles given move) and refuses a bad ELF, a region too
 *     small, no READ right, a non-region, bad names and handles.
 */
#include <stdlib.h>
#include <string.h>
#include "../../ipc/common/ipc_test.h"

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976
#define DMA_REGION_RIGHTS (RV_RIGHTS_ALL & ~(RV_RIGHT_MANAGE | RV_RIGHT_DMA))
#define DEVICE_DMA_RIGHTS (RV_RIGHTS_ALL & ~RV_RIGHT_MANAGE)
#define DEVICE_RIGHTS (RV_RIGHTS_ALL & ~(RV_RIGHT_MANAGE | RV_RIGHT_DMA))

static rv_handle_t blk, uart, other; /* other: a second DMA device, or 0 */
static struct rv_device_info blk_info;

static void find_devices(void)
{
	for (rv_handle_t h = 1; h <= CONFIG_MAX_EXPORTED_DEVICES; h++) {
		struct rv_device_info info;

		if (rv_device_info(h, &info) < 0)
			break;
		printf("dma: device %u: %s (%s) irq %u\n", h, info.name, info.compatible, info.irq);
		if (!strcmp(info.name, "virtio-blk0")) {
			blk = h;
			blk_info = info;
		} else if (!strcmp(info.name, "uart0")) {
			uart = h;
		} else if (!strncmp(info.name, "virtio-", 7) && !other) {
			other = h;
		}
	}
}

static void devices(void)
{
	if (!CHECK("a virtio-blk disk is exported as virtio-blk0", blk))
		return;
	CHECK("uart0 is there", uart);
	CHECK_EQ("virtio-blk0: compatible", strcmp(blk_info.compatible, "virtio,mmio"), 0);
	CHECK("virtio-blk0: an interrupt", blk_info.irq != 0);
	CHECK_EQ("virtio-blk0: one page of registers", blk_info.size, 0x1000);
	CHECK_EQ("virtio-blk0: DMA right", handle_rights(blk), DEVICE_DMA_RIGHTS);
	CHECK_EQ("uart0: no DMA right", handle_rights(uart), DEVICE_RIGHTS);
	CHECK_EQ("uart0: DMA cannot be added", rv_handle_duplicate(uart, DEVICE_DMA_RIGHTS),
		 -RV_EPERM);
	printf("dma: virtio-blk0 is a device capability: %s, irq %u, DMA right\n",
	       blk_info.compatible, blk_info.irq);
}

static void hostile(void)
{
	struct rv_kstats base, ks;
	rv_handle_t ch[2];
	uint64_t addr = 1;
	long shm, plain, nodma, r;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("create: a UART", rv_dma_create(uart, 4096), -RV_EPERM);
	CHECK_EQ("create: a channel", rv_dma_create(ch[0], 4096), -RV_EWRONGTYPE);
	CHECK_EQ("create: no handle", rv_dma_create(0x7ff, 4096), -RV_EBADF);
	CHECK_EQ("create: size 0", rv_dma_create(blk, 0), -RV_EINVAL);
	CHECK_EQ("create: above CONFIG_DMA_MAX_BYTES", rv_dma_create(blk, CONFIG_DMA_MAX_BYTES + 1ull),
		 -RV_EINVAL);
	CHECK_EQ("create: 2^64 - 1 bytes", rv_dma_create(blk, ~0ull), -RV_EINVAL);
	nodma = rv_handle_duplicate(blk, DEVICE_RIGHTS);
	CHECK("a device handle without DMA", nodma >= 0);
	CHECK_EQ("create: no DMA right", rv_dma_create((rv_handle_t)nodma, 4096), -RV_EPERM);

	shm = rv_dma_create(blk, 4096);
	CHECK("create", shm >= 0);
	plain = rv_shm_create(4096);
	CHECK("a plain region", plain >= 0);
	CHECK_EQ("addr: no DMA right", rv_dma_addr((rv_handle_t)nodma, (rv_handle_t)shm, &addr),
		 -RV_EPERM);
	CHECK_EQ("addr: a UART", rv_dma_addr(uart, (rv_handle_t)shm, &addr), -RV_EPERM);
	CHECK_EQ("addr: a region as the device", rv_dma_addr((rv_handle_t)shm, (rv_handle_t)shm,
							    &addr), -RV_EWRONGTYPE);
	CHECK_EQ("addr: a channel as the region", rv_dma_addr(blk, ch[0], &addr), -RV_EWRONGTYPE);
	CHECK_EQ("addr: no region handle", rv_dma_addr(blk, 0x7fe, &addr), -RV_EBADF);
	CHECK_EQ("addr: a plain region", rv_dma_addr(blk, (rv_handle_t)plain, &addr), -RV_EINVAL);
	CHECK_EQ("addr: into NULL", rv_dma_addr(blk, (rv_handle_t)shm, NULL), -RV_EFAULT);
	CHECK_EQ("addr: into the kernel", rv_dma_addr(blk, (rv_handle_t)shm, (void *)0x80200000ul),
		 -RV_EFAULT);
	CHECK_EQ("nothing written on errors", addr, 1);
	if (other) {
		long theirs = rv_dma_create(other, 4096);
		CHECK("a region of the other device", theirs >= 0);
		CHECK_EQ("addr: another device's region", rv_dma_addr(blk, (rv_handle_t)theirs, &addr),
			 -RV_EINVAL);
		CHECK_EQ("addr: ours to the other device", rv_dma_addr(other, (rv_handle_t)shm, &addr),
			 -RV_EINVAL);
		CHECK_EQ("addr: its own", rv_dma_addr(other, (rv_handle_t)theirs, &addr), 0);
		rv_handle_close((rv_handle_t)theirs);
		printf("dma: another device's region is EINVAL\n");
	}
	/* A region whose handle cannot map or read is still its device's. */
	r = rv_handle_duplicate((rv_handle_t)shm, 0);
	CHECK_EQ("addr: through a handle with no rights", rv_dma_addr(blk, (rv_handle_t)r, &addr), 0);
	rv_handle_close((rv_handle_t)r);
	rv_handle_close((rv_handle_t)shm);
	rv_handle_close((rv_handle_t)plain);
	rv_handle_close((rv_handle_t)nodma);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("hostile", &base, &ks);
	printf("dma: hostile calls refused, each with its own error\n");
}

static void regions(void)
{
	struct rv_kstats base, ks;
	struct rv_handle_info hi;
	long hs[CONFIG_MAX_DMA_REGIONS + 1];
	uint64_t addr = 0, addr2 = 0;
	long shm, va, first_nonzero = -1;

	rv_kstats(&base);
	shm = rv_dma_create(blk, 3 * 4096 + 5);
	if (!CHECK("create 3 pages + 5 bytes", shm >= 0))
		return;
	CHECK_EQ("info", rv_handle_info((rv_handle_t)shm, &hi), 0);
	CHECK_EQ("it is a shared-memory region", hi.type, RV_OBJ_SHM);
	CHECK_EQ("with every right of one", hi.rights, DMA_REGION_RIGHTS);
	va = rv_shm_map((rv_handle_t)shm, 1);
	CHECK("mapped with shm_map", va > 0);
	for (long i = 0; i < 4 * 4096 && va > 0; i++) {
		if (((volatile uint8_t *)va)[i]) {
			first_nonzero = i;
			break;
		}
	}
	CHECK_EQ("zeroed, rounded up to 4 pages", first_nonzero, -1);
	if (va > 0)
		fill_pattern((uint8_t *)va, 3, 4 * 4096);
	CHECK_EQ("addr", rv_dma_addr(blk, (rv_handle_t)shm, &addr), 0);
	CHECK_EQ("page-aligned", addr & 4095, 0);
	CHECK("in RAM (QEMU virt: from 0x80000000)", addr >= 0x80000000ull && addr < 0x1000000000ull);
	CHECK_EQ("addr again: the same (it never moves)", rv_dma_addr(blk, (rv_handle_t)shm, &addr2), 0);
	CHECK_EQ("the same", addr2, addr);
	CHECK_EQ("kstats: one DMA region", (rv_kstats(&ks), ks.dma_regions_used),
		 base.dma_regions_used + 1);
	CHECK_EQ("kstats: not a plain one", ks.shm_regions_used, base.shm_regions_used);
	CHECK_EQ("the data stays", va > 0 ? check_pattern((uint8_t *)va, 3, 4 * 4096) : 0, -1);
	rv_handle_close((rv_handle_t)shm);
	CHECK_EQ("outlives its handle while mapped", (rv_kstats(&ks), ks.dma_regions_used),
		 base.dma_regions_used + 1);
	CHECK_EQ("unmap", rv_shm_unmap((void *)va), 0);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("one region", &base, &ks);

	/* The pool: CONFIG_MAX_DMA_REGIONS, then ENFILE; all freed. */
	for (int i = 0; i < CONFIG_MAX_DMA_REGIONS; i++) {
		hs[i] = rv_dma_create(blk, 4096);
		CHECK("create up to the limit", hs[i] >= 0);
	}
	CHECK_EQ("one more: ENFILE", rv_dma_create(blk, 4096), -RV_ENFILE);
	shm = rv_shm_create(4096);
	CHECK("plain regions are a pool of their own", shm >= 0);
	rv_handle_close((rv_handle_t)shm);
	for (int i = 0; i < CONFIG_MAX_DMA_REGIONS; i++)
		rv_handle_close((rv_handle_t)hs[i]);
	shm = rv_dma_create(blk, CONFIG_DMA_MAX_BYTES);
	CHECK("CONFIG_DMA_MAX_BYTES at once", shm >= 0);
	rv_handle_close((rv_handle_t)shm);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("the pool", &base, &ks);
	printf("dma: regions are zeroed, contiguous, mappable; the pool ends with ENFILE; "
	       "all freed\n");
}

static void blk_request(long regs);

static void quarantine(void)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info = {.reason = -1};
	int64_t report[5] = {-9, -9, -9, -9, -9};
	struct rv_msg m = msg_of(report, sizeof(report), NULL, 0);
	rv_handle_t ch[2], give[2];
	long dev, proc, va;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	dev = rv_handle_duplicate(blk, DEVICE_DMA_RIGHTS);
	give[0] = ch[1];
	give[1] = (rv_handle_t)dev;
	proc = rv_process_spawn("dma_child", (const char *const[]){NULL}, CONFIG_DEFAULT_PRIORITY,
				give, 2);
	if (!CHECK("spawn dma_child", proc >= 0))
		return;
	CHECK_EQ("its report", rv_channel_read(ch[0], &m, 0, deadline_in_ms(5000)), 0);
	CHECK_EQ("running device: a dropped region is held", report[0], 1);
	CHECK_EQ("running device: two", report[1], 2);
	CHECK_EQ("the driver reset it: the held ones freed", report[2], 1);
	CHECK_EQ("reset device: a dropped region goes at once", report[3], 0);
	CHECK_EQ("a mapped region in flight", report[4], 1);
	CHECK_EQ("exit now", write_bytes(ch[0], "\x05", 1, 0, 0), 0);
	CHECK_EQ("the child ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	CHECK_EQ("normally", info.reason, RV_EXIT_NORMAL);
	CHECK_EQ("status 5", info.code, 5);
	rv_handle_close(ch[0]);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME("the driver ended", &base, &ks);
	/* The kernel reset the device when its driver ended. */
	va = rv_device_map(blk);
	CHECK("map the device here", va > 0);
	if (va > 0) {
		CHECK_EQ("virtio magic", *(volatile uint32_t *)va, VIRTIO_MMIO_MAGIC_VALUE);
		CHECK_EQ("status 0: reset", *(volatile uint32_t *)(va + 0x70), 0);
	}
	if (va > 0)
		blk_request(va);
	printf("dma: regions of a running device are held until it is reset; "
	       "the kernel resets it when its driver ends\n");
}

/* ---- a real request: the disk's interrupt reaches its driver ---- */

#define R32(regs, off) (*(volatile uint32_t *)((regs) + (off)))
#define QUEUE_SIZE 8

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* Read sector 2 of the disk (an empty ext2 file system: its superblock,
 * magic 0xef53 at byte 56) through one virtqueue, with the buffers in a
 * DMA region, and wait for the interrupt (virtio spec v1.2, 4.2 and 5.2;
 * legacy and modern virtio-mmio alike). */
static void blk_request(long regs)
{
	struct rv_kstats before, after;
	struct rv_device_info info;
	struct rv_wait_item it = {.handle = blk, .signals = RV_SIGNAL_IRQ};
	uint64_t pa = 0, irqs_before;
	uint32_t version = R32(regs, 0x004), isr;
	long shm = rv_dma_create(blk, 3 * 4096);
	long va = shm < 0 ? shm : rv_shm_map((rv_handle_t)shm, 1);
	volatile struct vq_desc *desc;
	volatile uint16_t *avail, *used;
	volatile uint8_t *req;

	if (!CHECK("a DMA region for the queue", va > 0) ||
	    !CHECK_EQ("its bus address", rv_dma_addr(blk, (rv_handle_t)shm, &pa), 0))
		return;
	rv_device_info(blk, &info);
	irqs_before = info.irqs;
	rv_kstats(&before);
	CHECK("virtio-mmio version 1 or 2", version == 1 || version == 2);
	CHECK_EQ("a block device", R32(regs, 0x008), 2);
	CHECK_EQ("capacity: 2048 sectors (1 MiB)", R32(regs, 0x100), 2048);
	desc = (volatile struct vq_desc *)va;
	avail = (volatile uint16_t *)(va + 16 * QUEUE_SIZE);
	used = (volatile uint16_t *)(va + 4096);
	req = (volatile uint8_t *)(va + 8192);

	R32(regs, 0x070) = 0;     /* reset */
	R32(regs, 0x070) = 1 | 2; /* ACKNOWLEDGE | DRIVER */
	if (version == 2) {
		R32(regs, 0x024) = 1; /* features 32..63: VIRTIO_F_VERSION_1 */
		R32(regs, 0x020) = 1;
		R32(regs, 0x024) = 0;
		R32(regs, 0x020) = 0;
		R32(regs, 0x070) = 1 | 2 | 8; /* FEATURES_OK */
		CHECK("features accepted", R32(regs, 0x070) & 8);
	} else {
		R32(regs, 0x020) = 0;
		R32(regs, 0x028) = 4096; /* GuestPageSize */
	}
	R32(regs, 0x030) = 0; /* queue 0 */
	CHECK("queue 0 holds 8", R32(regs, 0x034) >= QUEUE_SIZE);
	R32(regs, 0x038) = QUEUE_SIZE;
	if (version == 2) {
		R32(regs, 0x080) = (uint32_t)pa;
		R32(regs, 0x084) = (uint32_t)(pa >> 32);
		R32(regs, 0x090) = (uint32_t)(pa + 16 * QUEUE_SIZE);
		R32(regs, 0x094) = (uint32_t)((pa + 16 * QUEUE_SIZE) >> 32);
		R32(regs, 0x0a0) = (uint32_t)(pa + 4096);
		R32(regs, 0x0a4) = (uint32_t)((pa + 4096) >> 32);
		R32(regs, 0x044) = 1; /* QueueReady */
	} else {
		R32(regs, 0x03c) = 4096;                   /* QueueAlign */
		R32(regs, 0x040) = (uint32_t)(pa >> 12); /* QueuePFN */
	}
	R32(regs, 0x070) = 1 | 2 | 4 | (version == 2 ? 8 : 0); /* DRIVER_OK */

	/* The request: header (type 0 = read, sector 2), 512 bytes, status. */
	*(volatile uint32_t *)req = 0;
	*(volatile uint64_t *)(req + 8) = 2;
	req[1024] = 0xff;
	desc[0] = (struct vq_desc){pa + 8192, 16, 1, 1};         /* NEXT */
	desc[1] = (struct vq_desc){pa + 8192 + 512, 512, 3, 2}; /* WRITE | NEXT */
	desc[2] = (struct vq_desc){pa + 8192 + 1024, 1, 2, 0};  /* WRITE */
	avail[2] = 0; /* ring[0]: the chain at descriptor 0 */
	__asm__ volatile("fence rw, rw" ::: "memory");
	avail[1] = 1; /* idx */
	__asm__ volatile("fence rw, rw" ::: "memory");
	R32(regs, 0x050) = 0; /* QueueNotify */

	CHECK_EQ("the interrupt comes as RV_SIGNAL_IRQ", rv_wait_many(&it, 1, deadline_in_ms(2000)), 1);
	isr = R32(regs, 0x060);
	CHECK("InterruptStatus: used buffer", isr & 1);
	R32(regs, 0x064) = isr; /* InterruptACK */
	CHECK_EQ("ack at the PLIC", rv_device_irq_ack(blk), 0);
	CHECK_EQ("nothing more pending", rv_device_irq_ack(blk), -RV_EAGAIN);
	CHECK_EQ("used idx", used[1], 1);
	CHECK_EQ("status OK", req[1024], 0);
	CHECK_EQ("ext2 magic at byte 56 of sector 2", req[512 + 56] | req[512 + 57] << 8, 0xef53);
	rv_device_info(blk, &info);
	CHECK_EQ("device_info counts the interrupt", info.irqs, irqs_before + 1);
	rv_kstats(&after);
	CHECK("kstats counts it", after.irqs > before.irqs);
	R32(regs, 0x070) = 0; /* reset: the region may go */
	rv_shm_unmap((void *)va);
	rv_handle_close((rv_handle_t)shm);
	printf("dma: virtio-blk0 read sector 2 by DMA (virtio-mmio v%u), its interrupt %u came "
	       "as RV_SIGNAL_IRQ\n", version, info.irq);
}

/* ---- process_spawn_image ---- */

#define TEXT 0x1000010000ull

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}
static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* The smallest program: exit(argc) (crt0 is not needed: a0 = argc at
 * entry). One R+X segment: ELF header, program header, 2 instructions. */
static uint32_t make_elf(uint8_t *b)
{
	const uint32_t code_off = 64 + 56, size = code_off + 8;

	memset(b, 0, size);
	b[0] = 0x7f, b[1] = 'E', b[2] = 'L', b[3] = 'F';
	b[4] = 2; /* ELFCLASS64 */
	b[5] = 1; /* little-endian */
	b[6] = 1; /* EV_CURRENT */
	put16(b + 16, 2);     /* ET_EXEC */
	put16(b + 18, 243);   /* EM_RISCV */
	put32(b + 20, 1);
	put64(b + 24, TEXT + code_off);
	put64(b + 32, 64);    /* e_phoff */
	put16(b + 52, 64);
	put16(b + 54, 56);
	put16(b + 56, 1);     /* e_phnum */
	put32(b + 64, 1);     /* PT_LOAD */
	put32(b + 68, 5);     /* R | X */
	put64(b + 72, 0);     /* p_offset */
	put64(b + 80, TEXT);  /* p_vaddr */
	put64(b + 88, TEXT);
	put64(b + 96, size);  /* p_filesz */
	put64(b + 104, size); /* p_memsz */
	put64(b + 112, 4096);
	put32(b + code_off, 0x00100893);     /* li a7, 1 (RV_SYS_EXIT) */
	put32(b + code_off + 4, 0x00000073); /* ecall */
	return size;
}

static long run_image(struct rv_spawn_image *req, struct rv_exit_info *info)
{
	long proc = rv_process_spawn_image(req);

	if (proc < 0)
		return proc;
	return reap_child((rv_handle_t)proc, info, 5000);
}

static void spawn_image(void)
{
	static const char args[] = "one\0two";
	struct rv_kstats base, ks;
	struct rv_exit_info info = {.reason = -1};
	rv_handle_t ch[2], bad_give[1] = {0x7fd};
	long shm, va, ro, dshm, dva;
	uint32_t size;
	struct rv_spawn_image req = {
		.name = "tiny", .args = args, .args_len = sizeof(args), .priority = CONFIG_DEFAULT_PRIORITY,
	};

	rv_kstats(&base);
	shm = rv_shm_create(8192);
	va = rv_shm_map((rv_handle_t)shm, 1);
	if (!CHECK("a region for the image", shm >= 0 && va > 0))
		return;
	size = make_elf((uint8_t *)va);
	req.image = (uint64_t)shm;
	req.image_size = size;

	CHECK_EQ("request into NULL", rv_process_spawn_image(NULL), -RV_EFAULT);
	CHECK_EQ("request in the kernel", rv_process_spawn_image((void *)0x80200000ul), -RV_EFAULT);
	CHECK_EQ("the exit status is argc", run_image(&req, &info), 0);
	CHECK_EQ("... normal exit", info.reason, RV_EXIT_NORMAL);
	CHECK_EQ("... 3 (tiny one two)", info.code, 3);

	req.image_size = 0;
	CHECK_EQ("image_size 0", rv_process_spawn_image(&req), -RV_EINVAL);
	req.image_size = 8193;
	CHECK_EQ("region too small", rv_process_spawn_image(&req), -RV_EINVAL);
	req.image_size = 100;
	CHECK_EQ("image cut short: ENOEXEC", rv_process_spawn_image(&req), -RV_ENOEXEC);
	req.image_size = size;
	((uint8_t *)va)[1] = 'X';
	CHECK_EQ("bad magic: ENOEXEC", rv_process_spawn_image(&req), -RV_ENOEXEC);
	((uint8_t *)va)[1] = 'E';
	put64((uint8_t *)va + 96, 1 << 20);
	CHECK_EQ("p_filesz past the image: ENOEXEC", rv_process_spawn_image(&req), -RV_ENOEXEC);
	make_elf((uint8_t *)va);
	put32((uint8_t *)va + 68, 7);
	CHECK_EQ("W+X segment: ENOEXEC", rv_process_spawn_image(&req), -RV_ENOEXEC);
	make_elf((uint8_t *)va);

	ro = rv_handle_duplicate((rv_handle_t)shm, RV_RIGHT_MAP | RV_RIGHT_TRANSFER);
	req.image = (uint64_t)ro;
	CHECK_EQ("no READ right", rv_process_spawn_image(&req), -RV_EPERM);
	rv_handle_close((rv_handle_t)ro);
	req.image = (uint64_t)ro;
	CHECK_EQ("a closed handle", rv_process_spawn_image(&req), -RV_EBADF);
	req.image = 1ull << 32;
	CHECK_EQ("a handle above 32 bits", rv_process_spawn_image(&req), -RV_EINVAL);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	req.image = ch[0];
	CHECK_EQ("a channel as the image", rv_process_spawn_image(&req), -RV_EWRONGTYPE);
	req.image = uart;
	CHECK_EQ("a device as the image", rv_process_spawn_image(&req), -RV_EWRONGTYPE);
	req.image = (uint64_t)shm;
	req.name = "";
	CHECK_EQ("empty name", rv_process_spawn_image(&req), -RV_EINVAL);
	req.name = NULL;
	CHECK_EQ("NULL name", rv_process_spawn_image(&req), -RV_EFAULT);
	req.name = "tiny";
	req.args_len = sizeof(args) - 1;
	CHECK_EQ("args not terminated", rv_process_spawn_image(&req), -RV_EINVAL);
	req.args_len = sizeof(args);
	req.priority = CONFIG_NUM_PRIORITIES;
	CHECK_EQ("priority out of range", rv_process_spawn_image(&req), -RV_EINVAL);
	req.priority = CONFIG_DEFAULT_PRIORITY;
	req.give = bad_give;
	req.count = 1;
	CHECK_EQ("a bad handle to give", rv_process_spawn_image(&req), -RV_EBADF);
	req.count = CONFIG_MSG_MAX_HANDLES + 1;
	CHECK_EQ("too many handles", rv_process_spawn_image(&req), -RV_EINVAL);

	/* A handle moves to the child; it exits, so its end closes. */
	req.give = &ch[1];
	req.count = 1;
	req.args_len = 0;
	CHECK_EQ("with a handle", run_image(&req, &info), 0);
	CHECK_EQ("... argc 1", info.code, 1);
	CHECK_EQ("the handle moved", rv_handle_close(ch[1]), -RV_EBADF);
	CHECK_EQ("... and closed with the child", write_bytes(ch[0], "x", 1, RV_IPC_NONBLOCK, 0),
		 -RV_EPEERCLOSED);
	rv_handle_close(ch[0]);
	req.give = NULL;
	req.count = 0;

	/* From a DMA region too (it is a shared-memory region). */
	dshm = rv_dma_create(blk, 4096);
	dva = dshm < 0 ? dshm : rv_shm_map((rv_handle_t)dshm, 1);
	if (CHECK("a DMA region for the image", dva > 0)) {
		req.image = (uint64_t)dshm;
		req.image_size = make_elf((uint8_t *)dva);
		CHECK_EQ("from a DMA region", run_image(&req, &info), 0);
		CHECK_EQ("... argc 1", info.code, 1);
		rv_shm_unmap((void *)dva);
	}
	rv_handle_close((rv_handle_t)dshm);
	rv_shm_unmap((void *)va);
	rv_handle_close((rv_handle_t)shm);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("spawn_image", &base, &ks);
	printf("dma: process_spawn_image runs an ELF from shared memory, refuses bad ones\n");
}

/* ---- one copy into a waiting reader, results as the queue gives ---- */

static int64_t weighted_sum(const uint8_t *b, uint32_t n)
{
	int64_t sum = 0;

	for (uint32_t i = 0; i < n; i++)
		sum += b[i] * (int64_t)(i % 251 + 1);
	return sum;
}

static void expect_answer(rv_handle_t h, const char *what, int64_t r, int64_t n, int64_t sum)
{
	int64_t a[3] = {-99, -99, -99};
	struct rv_msg m = msg_of(a, sizeof(a), NULL, 0);
	char w[96];

	CHECK_EQ("the reader's answer", rv_channel_read(h, &m, 0, deadline_in_ms(5000)), 0);
	snprintf(w, sizeof(w), "%s: result", what);
	CHECK_EQ(w, a[0], r);
	snprintf(w, sizeof(w), "%s: num_bytes", what);
	CHECK_EQ(w, a[1], n);
	snprintf(w, sizeof(w), "%s: the bytes", what);
	CHECK_EQ(w, a[2], sum);
}

static void copy_once(void)
{
	static uint8_t msg[CONFIG_MSG_MAX_BYTES + 8] __attribute__((aligned(8)));
	struct rv_kstats base, ks;
	struct rv_exit_info info;
	rv_handle_t ch[2];
	long proc;

	rv_kstats(&base);
	fill_pattern(msg, 9, sizeof(msg));
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	proc = rv_process_spawn("dma_child", (const char *const[]){"reader", NULL},
				CONFIG_DEFAULT_PRIORITY, &ch[1], 1);
	if (!CHECK("spawn the reader", proc >= 0))
		return;
	rv_sleep_ns(MS(20)); /* it blocks in its first read */
	CHECK_EQ("5000 bytes to a buffer running into unmapped memory",
		 write_bytes(ch[0], msg + 1, 5000, 0, 0), 0);
	expect_answer(ch[0], "unmapped", -RV_EFAULT, 8192, 0);
	expect_answer(ch[0], "too small", -RV_EMSGSIZE, 5000, 0);
	expect_answer(ch[0], "from the queue", 0, 5000, weighted_sum(msg + 1, 5000));
	rv_sleep_ns(MS(20)); /* it waits in its last read */
	CHECK_EQ("12000 bytes to the waiting reader", write_bytes(ch[0], msg + 3, 12000, 0, 0), 0);
	CHECK_EQ("delivered at once: nothing queued", (rv_kstats(&ks), ks.messages_queued), 0);
	expect_answer(ch[0], "straight into the reader", 0, 12000, weighted_sum(msg + 3, 12000));
	{
		char q = 0;
		struct rv_msg m = msg_of(&q, 1, NULL, 0);

		/* We wait here first, so its call takes the fast path. */
		CHECK_EQ("its request", rv_channel_read(ch[0], &m, 0, deadline_in_ms(5000)), 0);
		CHECK_EQ("... 'q'", q, 'q');
		CHECK_EQ("a 11000-byte reply", write_bytes(ch[0], msg + 5, 11000, 0, 0), 0);
		CHECK_EQ("straight into the caller: nothing queued",
			 (rv_kstats(&ks), ks.messages_queued), 0);
		expect_answer(ch[0], "the call's reply", 0, 11000, weighted_sum(msg + 5, 11000));
	}
	CHECK_EQ("the reader ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	CHECK_EQ("normally", info.code, 0);
	rv_handle_close(ch[0]);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME("copy once", &base, &ks);
	printf("dma: a message of 3 pages goes straight into a waiting reader (or caller); "
	       "errors as through the queue\n");
}

int main(void)
{
	printf("dma: MAX_DMA_REGIONS=%d DMA_MAX_BYTES=%d\n", CONFIG_MAX_DMA_REGIONS,
	       CONFIG_DMA_MAX_BYTES);
	find_devices();
	devices();
	if (blk) {
		hostile();
		regions();
		spawn_image();
		quarantine();
	}
	copy_once();
	return check_report("dma");
}
