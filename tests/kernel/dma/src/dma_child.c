/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The driver side of tests/kernel/dma (dma.c): handle 0 is the channel to
 * the test, handle 1 a virtio device with the DMA right. It maps the
 * device, plays with the status register (0: reset, 1: ACKNOWLEDGE, so the
 * kernel must assume DMA may be running) and reports, as int64 values, how
 * many DMA regions the kernel holds after each step:
 *   [0] running device, one region made and dropped: still held (quarantined)
 *   [1] a second one: two held
 *   [2] the driver resets the device and makes a third: the two are freed
 *   [3] the third dropped: none held
 *   [4] running again, a region mapped and its handle closed, "in flight":
 *       one held; then the child waits for "x" and exits with it
 *
 * With argument "reader" it is the reader of the copy-once checks instead:
 * four reads on handle 0 -- into a buffer that runs into unmapped memory
 * (-EFAULT expected), one that is too small (-EMSGSIZE), then twice one
 * of three pages at an odd offset -- and a call with a reply buffer of
 * three pages, each answered with {result, num_bytes, weighted sum of the
 * bytes}.
 */
#include <stdint.h>
#include <string.h>
#include <rvos/user.h>

#define VIRTIO_MMIO_STATUS 0x070

static volatile uint32_t *status_reg;

static uint64_t dma_used(void)
{
	struct rv_kstats k;

	rv_kstats(&k);
	return k.dma_regions_used;
}

/* Make a region, map it, write to it, drop it: the region count after. */
static int64_t churn(uint64_t base)
{
	long shm = rv_dma_create(1, 8192);
	long va = shm < 0 ? shm : rv_shm_map((rv_handle_t)shm, 1);

	if (va < 0)
		return -1000 + va;
	((volatile uint8_t *)va)[100] = 7;
	rv_shm_unmap((void *)va);
	rv_handle_close((rv_handle_t)shm);
	return (int64_t)(dma_used() - base);
}

static uint8_t big[3 * 4096 + 64] __attribute__((aligned(4096)));

static void answer(long r, const struct rv_msg *m, const uint8_t *b)
{
	int64_t a[3] = {r, m->num_bytes, 0};
	struct rv_msg w = {.bytes = a, .num_bytes = sizeof(a)};

	if (r == 0) {
		for (uint32_t i = 0; i < m->num_bytes; i++)
			a[2] += b[i] * (int64_t)(i % 251 + 1);
	}
	rv_channel_write(0, &w, 0, RV_DEADLINE_NEVER);
}

static int reader(void)
{
	long shm = rv_shm_create(4096);
	long va = rv_shm_map((rv_handle_t)shm, 1);
	struct rv_msg m;
	long r;

	/* 1: the buffer's second page is not mapped (the shm slot ends). */
	m = (struct rv_msg){.bytes = (void *)(va + 100), .num_bytes = 8192};
	r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
	answer(r, &m, NULL);
	/* 2: too small. */
	m = (struct rv_msg){.bytes = big, .num_bytes = 100};
	r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
	answer(r, &m, NULL);
	/* 3 and 4: three pages at an odd offset (the message still queued,
	 * then a new one while this reader waits). */
	for (int i = 0; i < 2; i++) {
		memset(big, 0, sizeof(big));
		m = (struct rv_msg){.bytes = big + 13, .num_bytes = 3 * 4096};
		r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
		answer(r, &m, big + 13);
	}
	/* 5: a call whose reply is three pages; the test waits in its read
	 * by then, so the call takes the fast path and blocks in it. */
	rv_sleep_ns(20 * 1000 * 1000);
	memset(big, 0, sizeof(big));
	{
		char q = 'q';
		struct rv_msg req = {.bytes = &q, .num_bytes = 1};

		m = (struct rv_msg){.bytes = big + 13, .num_bytes = 3 * 4096};
		r = rv_channel_call(0, &req, &m, RV_DEADLINE_NEVER);
		answer(r, &m, big + 13);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int64_t report[5];
	struct rv_msg m = {.bytes = report, .num_bytes = sizeof(report)};
	uint64_t base = dma_used();
	long regs, shm, va;
	char go;

	if (argc > 1 && !strcmp(argv[1], "reader"))
		return reader();
	regs = rv_device_map(1);
	if (regs < 0)
		return 10;
	status_reg = (volatile uint32_t *)(regs + VIRTIO_MMIO_STATUS);
	*status_reg = 1; /* ACKNOWLEDGE: the device is no longer reset */
	report[0] = churn(base);
	report[1] = churn(base);
	*status_reg = 0; /* the driver resets it itself */
	shm = rv_dma_create(1, 4096);
	report[2] = (int64_t)(dma_used() - base);
	rv_handle_close((rv_handle_t)shm);
	report[3] = (int64_t)(dma_used() - base);
	*status_reg = 1;
	shm = rv_dma_create(1, 4096);
	va = shm < 0 ? shm : rv_shm_map((rv_handle_t)shm, 1);
	rv_handle_close((rv_handle_t)shm);
	report[4] = va < 0 ? -1 : (int64_t)(dma_used() - base);
	if (rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER) < 0)
		return 11;
	m.bytes = &go;
	m.num_bytes = 1;
	if (rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) < 0)
		return 12;
	/* Exit with the device running and the region mapped. */
	return go;
}
