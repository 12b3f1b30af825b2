/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ChaCha20 block function (RFC 8439, section 2.3): 256-bit key, 32-bit
 * block counter, 96-bit nonce in; 64 bytes of key stream out. Pure code,
 * no kernel state: kernel/random.c builds the CSPRNG on it, and
 * tests/unit/chacha20 checks it against the RFC's test vector on the host.
 */
#ifndef KERNEL_CHACHA20_H
#define KERNEL_CHACHA20_H

#include <stdint.h>

#define CHACHA20_KEY_WORDS 8
#define CHACHA20_NONCE_WORDS 3
#define CHACHA20_BLOCK_BYTES 64

/* The words are the little-endian readings of the RFC's byte strings
 * (section 2.3: "the key ... as a series of 32-bit little-endian
 * integers"). out gets the serialized state, little-endian (2.3, step
 * "serialize"). */
void chacha20_block(const uint32_t key[CHACHA20_KEY_WORDS], uint32_t counter,
		    const uint32_t nonce[CHACHA20_NONCE_WORDS], uint8_t out[CHACHA20_BLOCK_BYTES]);

#endif /* KERNEL_CHACHA20_H */
