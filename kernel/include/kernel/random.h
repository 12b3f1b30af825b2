/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's random numbers: a ChaCha20-based CSPRNG (kernel/random.c)
 * seeded at boot from virtio-rng, the device tree's /chosen/rng-seed and
 * the time counter. It places each process's regions (ASLR, kernel/aslr.c) and
 * answers getrandom (doc/security.md, "ASLR and random numbers").
 */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fdt;

/* Seed from a virtio entropy device (CONFIG_VIRTIO_RNG_SEED), /chosen/rng-seed
 * (any length; the first 256 bytes count) and the time counter, and say on the console which it had. Before it runs,
 * random_bytes() works from the time counter alone. */
void random_init(const struct fdt *fdt);
/* Did random_init find a seed (the device or the device tree)? */
bool random_is_seeded(void);
/* len bytes of key stream; the key is replaced after every call (fast
 * key erasure), so what was handed out cannot be recomputed from the
 * state that stays. */
void random_bytes(void *buf, size_t len);
uint64_t random_u64(void);

#endif /* KERNEL_RANDOM_H */
