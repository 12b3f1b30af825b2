/* SPDX-License-Identifier: Apache-2.0 */
/* 100,000 random malloc/free/realloc with every block's contents checked,
 * then one allocation past the heap cap, which must fail cleanly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/user.h>
#include "check.h"

#define SLOTS 512
#define OPS 100000
#define MAX_BLOCK 4096

static unsigned char *blocks[SLOTS];
static size_t sizes[SLOTS];
static uint32_t seed = 12345;

static uint32_t next_random(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static unsigned char pattern(unsigned int slot, size_t i)
{
	return (unsigned char)(slot * 31 + i);
}

int main(void)
{
	unsigned int corrupt = 0;
	long grows_before, syscalls_before;
	struct rv_kstats k;

	rv_kstats(&k);
	syscalls_before = (long)k.syscalls;
	for (unsigned int op = 0; op < OPS; op++) {
		unsigned int s = next_random() % SLOTS;
		if (blocks[s]) {
			for (size_t i = 0; i < sizes[s]; i++)
				corrupt += blocks[s][i] != pattern(s, i);
			free(blocks[s]);
			blocks[s] = NULL;
		} else {
			sizes[s] = 1 + next_random() % MAX_BLOCK;
			blocks[s] = malloc(sizes[s]);
			if (!blocks[s]) {
				printf("heapuser: malloc(%zu) failed at op %u\n", sizes[s], op);
				return 2;
			}
			for (size_t i = 0; i < sizes[s]; i++)
				blocks[s][i] = pattern(s, i);
		}
	}
	for (unsigned int s = 0; s < SLOTS; s++)
		free(blocks[s]);
	rv_kstats(&k);
	grows_before = (long)k.syscalls - syscalls_before;
	CHECK_EQ("no block was corrupted", corrupt, 0);
	/* A syscall per malloc would be 50,000 and more; chunks make it rare. */
	CHECK("mem_grow is rare (fewer than 100 system calls for 100,000 operations)",
	      grows_before < 100);
	printf("heapuser: %d operations, %ld system calls\n", OPS, grows_before);
	/* Past the cap (CONFIG_USER_HEAP_MAX): NULL, not a crash. */
	CHECK("an allocation past the heap cap fails", malloc(CONFIG_USER_HEAP_MAX) == NULL);
	CHECK_EQ("mem_grow past the cap", rv_mem_grow(CONFIG_USER_HEAP_MAX), -RV_ENOMEM);
	CHECK_EQ("mem_grow of no whole page", rv_mem_grow(100), -RV_EINVAL);
	CHECK_EQ("mem_grow of 0", rv_mem_grow(0), -RV_EINVAL);
	void *big = malloc(CONFIG_USER_HEAP_MAX / 2);
	CHECK("half the cap still fits", big != NULL);
	if (big)
		memset(big, 0x5a, CONFIG_USER_HEAP_MAX / 2);
	return check_report("heapuser");
}
