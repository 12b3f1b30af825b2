/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-process handle tables. A handle value is generation << 11 | slot
 * (include/rvos/ipc.h); closing bumps the generation, so stale values fail.
 * A slot whose generation would wrap is retired instead (never used again
 * by that process): no stale value ever names a live object.
 */
#ifndef KERNEL_HANDLE_H
#define KERNEL_HANDLE_H

#include <stdint.h>
#include <rvos/errno.h>
#include <rvos/ipc.h>
#include <kernel/object.h>

struct handle_entry {
	struct kobject *obj; /* NULL: free slot */
	uint32_t rights;
	uint32_t generation;
};

struct handle_table {
	struct handle_entry slots[CONFIG_MAX_HANDLES];
	unsigned int used;
	unsigned int retired; /* slots whose generations ran out */
	/* Bit i: slot i is bound to a port (kernel/port.c), whose binding
	 * goes when the handle is closed or sent away. */
	uint64_t bound[(CONFIG_MAX_HANDLES + 63) / 64];
};

void handle_table_init(struct handle_table *t);
/* Close every handle (process exit). */
void handle_table_close_all(struct handle_table *t);
/* A new handle to obj (takes over one reference the caller holds). */
long handle_install(struct handle_table *t, struct kobject *obj, uint32_t rights);
/* The same at a given slot: -EMFILE past the table, -EBUSY slot taken. */
long handle_install_at(struct handle_table *t, unsigned int slot, struct kobject *obj,
		       uint32_t rights);
/* How many free slots the table has. */
unsigned int handle_table_free(const struct handle_table *t);
/* Look a handle up: -EBADF, -EWRONGTYPE (type != RV_OBJ_NONE and differs),
 * -EPERM (a right in `rights` missing), or 0 with *entry set. */
#define SLOT_MASK ((1u << RV_HANDLE_SLOT_BITS) - 1)

/* (the handle's slot, and its generation: the value's other bits) */
static inline int handle_lookup_slot(struct handle_table *t, unsigned int slot, uint64_t generation,
				     uint32_t type, uint32_t rights, struct handle_entry **entry)
{
	struct handle_entry *e;

	if (slot >= CONFIG_MAX_HANDLES)
		return -RV_EBADF;
	e = &t->slots[slot];
	if (!e->obj || e->generation != generation)
		return -RV_EBADF;
	if (type != RV_OBJ_NONE && e->obj->type != type)
		return -RV_EWRONGTYPE;
	if ((e->rights & rights) != rights)
		return -RV_EPERM;
	*entry = e;
	return 0;
}

static inline int handle_lookup(struct handle_table *t, rv_handle_t h, uint32_t type,
				uint32_t rights, struct handle_entry **entry)
{
	return handle_lookup_slot(t, h & SLOT_MASK, h >> RV_HANDLE_SLOT_BITS, type, rights, entry);
}

/* The same for a whole register, as a system call's argument arrives: a
 * value with any of its upper 32 bits set is -EBADF (its generation part
 * is above every live slot's), never the handle of its low bits. The fast
 * paths look their handles up so, and fall back on anything wider. */
static inline int handle_lookup_reg(struct handle_table *t, uint64_t a, uint32_t type,
				    uint32_t rights, struct handle_entry **entry)
{
	return handle_lookup_slot(t, a & SLOT_MASK, a >> RV_HANDLE_SLOT_BITS, type, rights, entry);
}

/* A handle argument of a system call: as handle_lookup_reg, but -EINVAL
 * for a value with any of its upper 32 bits set (doc/syscalls.md,
 * "Arguments"). Such a value never matches, so the test is on the error
 * path only: free when the lookup succeeds. */
static inline int handle_arg(struct handle_table *t, uint64_t a, uint32_t type, uint32_t rights,
			     struct handle_entry **entry)
{
	int err = handle_lookup_reg(t, a, type, rights, entry);

	return err && (a >> 32) ? -RV_EINVAL : err;
}
/* Take the handle out of the table without dropping its reference (it
 * moves: into a message or another process). */
void handle_detach(struct handle_table *t, rv_handle_t h);
/* Close: drop the reference. -EBADF if it is not a live handle. */
int handle_close(struct handle_table *t, rv_handle_t h);

#endif /* KERNEL_HANDLE_H */
