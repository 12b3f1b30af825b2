/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A CSPRNG on the ChaCha20 block function (RFC 8439, kernel/chacha20.c).
 *
 * State: a 256-bit key and a 64-bit count of calls. Each call draws its
 * bytes from the blocks 1, 2, ... of (key, nonce = call count and the
 * time counter's low word), then replaces the key with the first 32 bytes
 * of block 0 of the same (fast key erasure): the old key is gone, so the
 * bytes handed out before cannot be recomputed from the state that stays.
 *
 * Seeding, in this order: the bytes of a virtio entropy device
 * (CONFIG_VIRTIO_RNG_SEED: drivers/virtio/virtio_rng_seed.c; `rv flash`
 * adds one on QEMU's virt), then every 32 bytes of /chosen/rng-seed (QEMU
 * 7.2's virt machine puts 32 fresh bytes there each boot; the firmware
 * passes the tree on), each 32 bytes XORed into the key and the key
 * stirred (one rekey) after each; then the time counter and the cycle
 * counter, the same way. The Zkr seed CSR (CONFIG_ZKR_SEED:
 * arch/riscv/zkr.c) comes after virtio-rng, where the device tree lists
 * the extension and the firmware lets S-mode read it. Without any of
 * them, the time and cycle counters at boot are all there is, and under
 * -icount they are the same every boot.
 * random_init says on the console which sources it had (doc/security.md).
 *
 * The kernel runs on one hart with interrupts off (no lock here).
 */
#include <arch/zkr.h>
#include <kernel/chacha20.h>
#include <kernel/fdt.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/timer.h>
#include <kernel/util.h>
#include <kernel/virtio.h>

/* More seed than this adds nothing to a 256-bit key; stop reading there. */
#define SEED_MAX_BYTES 256

static struct {
	uint32_t key[CHACHA20_KEY_WORDS];
	uint64_t calls;
	bool seeded;
} rng;

static uint64_t cycles_now(void)
{
	uint64_t c;

	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

/* A block of (key, nonce) at counter; the nonce carries the call count and
 * the time counter's low word. */
static void next_block(uint32_t counter, uint8_t out[CHACHA20_BLOCK_BYTES])
{
	uint32_t nonce[CHACHA20_NONCE_WORDS] = {
	    (uint32_t)rng.calls,
	    (uint32_t)(rng.calls >> 32),
	    (uint32_t)timer_now(),
	};

	chacha20_block(rng.key, counter, nonce, out);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Replace the key by block 0 of the current (key, nonce), and wipe it. */
static void rekey(void)
{
	uint8_t block[CHACHA20_BLOCK_BYTES];

	next_block(0, block);
	for (int i = 0; i < CHACHA20_KEY_WORDS; i++)
		rng.key[i] = le32(block + 4 * i);
	for (int i = 0; i < CHACHA20_BLOCK_BYTES; i++)
		((volatile uint8_t *)block)[i] = 0;
	rng.calls++;
}

/* XOR up to 32 bytes into the key, then stir. */
static void mix(const uint8_t *bytes, size_t len)
{
	for (size_t i = 0; i < len && i < 4 * CHACHA20_KEY_WORDS; i++)
		rng.key[i / 4] ^= (uint32_t)bytes[i] << (8 * (i % 4));
	rekey();
}

static void mix_counters(void)
{
	uint64_t v[2] = {timer_now(), cycles_now()};
	uint8_t b[sizeof(v)];

	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(v[i / 8] >> (8 * (i % 8)));
	mix(b, sizeof(b));
}

/* Fold len bytes into the key, 32 at a time. */
static void mix_all(const uint8_t *bytes, size_t len)
{
	for (size_t off = 0; off < len; off += 4 * CHACHA20_KEY_WORDS)
		mix(bytes + off, len - off);
}

/* The sources random_init found, for its console line. */
struct seed_source {
	const char *name;
	size_t bytes;
};

static void print_sources(const struct seed_source *src, unsigned int count)
{
	unsigned int used = 0;

	for (unsigned int i = 0; i < count; i++)
		used += src[i].bytes > 0;
	if (!used) {
		printk("random: no virtio-rng, Zkr or /chosen/rng-seed: seeded from the time "
		       "counter only, which is weak (ASLR offsets and getrandom can be "
		       "guessed)\n");
		return;
	}
	printk("random: seeded from");
	for (unsigned int i = 0, n = 0; i < count; i++) {
		if (src[i].bytes)
			printk("%s%s (%u bytes)", n++ ? ", " : " ", src[i].name,
			       (unsigned int)src[i].bytes);
	}
	printk(" and the time counter\n");
}

void random_init(const struct fdt *fdt)
{
	/* (no tree without CONFIG_DEVICE_TREE: no /chosen/rng-seed) */
	int chosen = IS_ENABLED(CONFIG_DEVICE_TREE) ? fdt_path_offset(fdt, "/chosen") : -1;
	const uint8_t *seed = NULL;
	uint8_t dev[SEED_MAX_BYTES] = {0};
	struct seed_source src[3] = {
		{"virtio-rng", 0}, {"the Zkr seed CSR", 0}, {"/chosen/rng-seed", 0},
	};
	uint32_t len = 0;

	src[0].bytes = virtio_rng_seed(dev, sizeof(dev));
	mix_all(dev, src[0].bytes);
	src[1].bytes = arch_zkr_seed(fdt, dev, sizeof(dev));
	mix_all(dev, src[1].bytes);
	for (size_t i = 0; i < sizeof(dev); i++)
		((volatile uint8_t *)dev)[i] = 0;
	if (chosen >= 0)
		seed = fdt_getprop(fdt, chosen, "rng-seed", &len);
	if (!seed)
		len = 0;
	if (len > SEED_MAX_BYTES)
		len = SEED_MAX_BYTES;
	mix_all(seed, len);
	src[2].bytes = len;
	mix_counters();
	rng.seeded = src[0].bytes || src[1].bytes || src[2].bytes;
	print_sources(src, ARRAY_SIZE(src));
}

bool random_is_seeded(void)
{
	return rng.seeded;
}

void random_bytes(void *buf, size_t len)
{
	uint8_t block[CHACHA20_BLOCK_BYTES];
	uint8_t *out = buf;
	uint32_t counter = 1;

	while (len) {
		size_t n = len < sizeof(block) ? len : sizeof(block);

		next_block(counter++, block);
		for (size_t i = 0; i < n; i++)
			out[i] = block[i];
		out += n;
		len -= n;
	}
	for (size_t i = 0; i < sizeof(block); i++)
		((volatile uint8_t *)block)[i] = 0;
	rekey();
}

uint64_t random_u64(void)
{
	uint64_t v;

	random_bytes(&v, sizeof(v));
	return v;
}
