/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-process handle tables. A handle value is generation << 11 | slot
 * (include/rvos/ipc.h); closing bumps the generation, so stale values fail.
 * A slot whose generation would wrap is retired instead (never used again
 * by that process): no stale value ever names a live object.
 *
 * A derived handle (handle_derive, kernel/revoke.c) names its object as any
 * handle does and, in `via`, the derivation record it came through: every
 * lookup of it checks the record (and the records above it) for
 * revocation. Its entry's generation carries HANDLE_GEN_DERIVED, a bit no
 * handle value's generation has: the lookup's one generation compare sends
 * derived handles aside, so a plain handle's lookup costs nothing more.
 */
#ifndef KERNEL_HANDLE_H
#define KERNEL_HANDLE_H

#include <stdint.h>
#include <rvos/errno.h>
#include <rvos/ipc.h>
#include <kernel/object.h>
#include <kernel/revoke.h>
#include <kernel/util.h>

struct handle_entry {
	struct kobject *obj; /* NULL: free slot */
	union {
		struct {
			uint16_t rights; /* RV_RIGHT_* */
			uint16_t via;    /* derivation record (kernel/revoke.c); 0: none */
		};
		/* Both, as handle_rights_via() makes them: what a message
		 * carries for a handle, moved with one load and one store. */
		uint32_t rights_via;
	};
	uint32_t generation; /* | HANDLE_GEN_DERIVED while via != 0 */
};

static inline uint32_t handle_rights_via(uint32_t rights, unsigned int via)
{
	return rights | via << 16;
}

static inline unsigned int handle_via_of(uint32_t rights_via)
{
	return rights_via >> 16;
}

/* Above the 32 - RV_HANDLE_SLOT_BITS bits of a value's generation. */
#define HANDLE_GEN_DERIVED (1u << 31)

struct handle_table {
	struct handle_entry slots[CONFIG_MAX_HANDLES];
	unsigned int used;
	unsigned int retired; /* slots whose generations ran out */
	/* Every slot from 1 below it is in use or retired: where
	 * handle_install's search for the lowest free slot starts. */
	unsigned int free_from;
	/* Bit i: slot i is bound to a port (kernel/port.c), whose binding
	 * goes when the handle is closed or sent away. */
	uint64_t bound[(CONFIG_MAX_HANDLES + 63) / 64];
};

void handle_table_init(struct handle_table *t);
/* Close every handle (process exit). */
void handle_table_close_all(struct handle_table *t);
/* A new handle to obj with rights and derivation (handle_rights_via; via
 * 0: none); takes over one reference to obj and one use of the derivation
 * that the caller holds. */
long handle_install_via(struct handle_table *t, struct kobject *obj, uint32_t rights_via);
static inline long handle_install(struct handle_table *t, struct kobject *obj, uint32_t rights)
{
	return handle_install_via(t, obj, rights);
}
/* The same at a given slot: -EMFILE past the table, -EBUSY slot taken. */
long handle_install_at(struct handle_table *t, unsigned int slot, struct kobject *obj,
		       uint32_t rights_via);
/* How many free slots the table has. */
unsigned int handle_table_free(const struct handle_table *t);
/* The generation of a retired slot (kernel/handle.c). */
#define HANDLE_GEN_RETIRED UINT32_MAX
/* handle_table_free's body. Slot 0 is the bootstrap channel's
 * (include/rvos/ipc.h): only handle_install_at fills it, so a process
 * started without one never finds another object answering to handle 0. */
static inline unsigned int handle_table_free_inline(const struct handle_table *t)
{
	return CONFIG_MAX_HANDLES - 1 - (t->used - (t->slots[0].obj ? 1 : 0)) -
	       (t->retired - (t->slots[0].generation == HANDLE_GEN_RETIRED ? 1 : 0));
}

/* handle_table_free(t) >= n, for the call fast path: slot 0 only adds to
 * the count, so a table with n free slots without it needs no more. */
static inline __attribute__((always_inline)) bool handle_table_has(const struct handle_table *t,
								    unsigned int n)
{
	return __builtin_expect(t->used + t->retired + n <= CONFIG_MAX_HANDLES - 1, 1) ||
	       handle_table_free_inline(t) >= n;
}
#define SLOT_MASK ((1u << RV_HANDLE_SLOT_BITS) - 1)

/* The live entry of h, revoked or not: -EBADF or 0 with *entry set. Only
 * for closing: every use goes through handle_lookup. */
static inline int handle_find(struct handle_table *t, rv_handle_t h, struct handle_entry **entry)
{
	unsigned int slot = h & SLOT_MASK;
	struct handle_entry *e;

	if (slot >= CONFIG_MAX_HANDLES)
		return -RV_EBADF;
	e = &t->slots[slot];
	if (!e->obj || (e->generation & ~HANDLE_GEN_DERIVED) != h >> RV_HANDLE_SLOT_BITS)
		return -RV_EBADF;
	*entry = e;
	return 0;
}

/* (the handle's slot, and its generation: the value's other bits, up to
 * 53 of them from a whole register, fewer than 32 from a 32-bit value
 * (narrow: then the compares are 32-bit, without extending the entry's);
 * direct_only: derived handles are -EBADF) */
static inline __attribute__((always_inline)) int
handle_lookup_slot(struct handle_table *t, unsigned int slot, uint64_t generation, uint32_t type,
		   uint32_t rights, struct handle_entry **entry, bool direct_only, bool narrow)
{
	struct handle_entry *e;

	if (slot >= CONFIG_MAX_HANDLES)
		return -RV_EBADF;
	e = &t->slots[slot];
	if (!e->obj)
		return -RV_EBADF;
	if (__builtin_expect(narrow ? e->generation != (uint32_t)generation
				    : e->generation != generation, 0)) {
		/* stale, wide, or derived (the flag bit, which no value's
		 * generation has: a wide value with that bit matches none) */
		if (direct_only || !(e->generation & HANDLE_GEN_DERIVED) ||
		    (narrow ? (e->generation ^ HANDLE_GEN_DERIVED) != (uint32_t)generation
			    : (e->generation ^ HANDLE_GEN_DERIVED) != generation))
			return -RV_EBADF;
		if (revoker_is_revoked(e->via))
			return -RV_ECANCELED;
	}
	if (type != RV_OBJ_NONE && e->obj->type != type)
		return -RV_EWRONGTYPE;
	if ((e->rights & rights) != rights)
		return -RV_EPERM;
	*entry = e;
	return 0;
}

/* Look a handle up: -EBADF, -ECANCELED (derived, and revoked),
 * -EWRONGTYPE (type != RV_OBJ_NONE and differs), -EPERM (a right in
 * `rights` missing), or 0 with *entry set. */
static inline int handle_lookup(struct handle_table *t, rv_handle_t h, uint32_t type,
				uint32_t rights, struct handle_entry **entry)
{
	return handle_lookup_slot(t, h & SLOT_MASK, h >> RV_HANDLE_SLOT_BITS, type, rights, entry,
				  false, true);
}

/* The same for a whole register, as a system call's argument arrives: a
 * value with any of its upper 32 bits set is -EBADF (its generation part
 * is above every live slot's), never the handle of its low bits. */
static inline int handle_lookup_reg(struct handle_table *t, uint64_t a, uint32_t type,
				    uint32_t rights, struct handle_entry **entry)
{
	return handle_lookup_slot(t, a & SLOT_MASK, a >> RV_HANDLE_SLOT_BITS, type, rights, entry,
				  false, false);
}

/* The same for the IPC fast paths, which take plain handles only: a derived
 * one, or one wider than a handle, is -EBADF here (the general path runs,
 * and looks again). */
static inline __attribute__((always_inline)) int
handle_lookup_direct(struct handle_table *t, uint64_t a, uint32_t type, uint32_t rights,
		     struct handle_entry **entry)
{
	return handle_lookup_slot(t, a & SLOT_MASK, a >> RV_HANDLE_SLOT_BITS, type, rights, entry,
				  true, false);
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
/* handle_move's two halves: for a table with port bindings (the handles'
 * go first), and without (a leaf). Both return 0. */
int handle_move_bound(struct handle_table *from, struct handle_entry *const *ents, unsigned int n,
		      struct handle_table *to, rv_handle_t *out);
int handle_move_slots(struct handle_table *from, struct handle_entry *const *ents, unsigned int n,
		      struct handle_table *to, rv_handle_t *out);
/* Move the n live handles of `from` whose entries are ents[] (n
 * different ones) to the lowest free slots of `to` (another table), which
 * has n (handle_table_free), in order, with their rights and derivations:
 * handle_detach then handle_install_via, for all of them in one call.
 * Their values in `to` go to out[]. Returns 0 (a caller may jump to it). */
static inline int handle_move(struct handle_table *from, struct handle_entry *const *ents,
			      unsigned int n, struct handle_table *to, rv_handle_t *out)
{
	uint64_t bound = 0;

	for (unsigned int w = 0; w < ARRAY_SIZE(from->bound); w++)
		bound |= from->bound[w];
	if (IS_ENABLED(CONFIG_IPC) && bound)
		return handle_move_bound(from, ents, n, to, out);
	return handle_move_slots(from, ents, n, to, out);
}

/* Close: drop the reference. -EBADF if it is not a live handle. */
int handle_close(struct handle_table *t, rv_handle_t h);

#endif /* KERNEL_HANDLE_H */
