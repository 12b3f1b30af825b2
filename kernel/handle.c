/* SPDX-License-Identifier: Apache-2.0 */
#include <rvos/errno.h>
#include <kernel/handle.h>
#include <kernel/port.h>
#include <kernel/util.h>

BUILD_ASSERT(CONFIG_MAX_HANDLES <= (1 << RV_HANDLE_SLOT_BITS), "handle slots must fit the value");
/* Derivation records made handles no bigger: the lookup's index is a shift. */
BUILD_ASSERT(sizeof(struct handle_entry) == 16, "a handle entry is 16 bytes");
BUILD_ASSERT(RV_RIGHTS_ALL <= UINT16_MAX, "rights must fit handle_entry.rights");

#define GENERATION_MAX ((1u << (32 - RV_HANDLE_SLOT_BITS)) - 1)
BUILD_ASSERT(HANDLE_GEN_DERIVED > GENERATION_MAX, "the derived flag is above every generation");
/* The generation of a retired slot: above every real one, so no 32-bit
 * value matches it (handle_lookup; a wider one may, but finds no object),
 * and handle_install passes it by. */
#define GENERATION_RETIRED HANDLE_GEN_RETIRED

static unsigned int handles_in_use;

unsigned int handle_count_all(void)
{
	return handles_in_use;
}

void handle_table_init(struct handle_table *t)
{
	for (unsigned int i = 0; i < CONFIG_MAX_HANDLES; i++) {
		t->slots[i].obj = 0;
		t->slots[i].rights_via = 0;
		t->slots[i].generation = 0;
	}
	t->used = 0;
	t->retired = 0;
	t->free_from = 1;
	for (unsigned int i = 0; i < ARRAY_SIZE(t->bound); i++)
		t->bound[i] = 0;
}

static rv_handle_t handle_value(const struct handle_table *t, unsigned int slot)
{
	return ((t->slots[slot].generation & ~HANDLE_GEN_DERIVED) << RV_HANDLE_SLOT_BITS) | slot;
}

/* (slot 0: handle_table_free_inline, kernel/handle.h) */
unsigned int handle_table_free(const struct handle_table *t)
{
	return handle_table_free_inline(t);
}

static long fill(struct handle_table *t, unsigned int slot, struct kobject *obj,
		 uint32_t rights_via)
{
	struct handle_entry *e = &t->slots[slot];

	e->obj = obj;
	e->rights_via = rights_via;
	if (handle_via_of(rights_via))
		e->generation |= HANDLE_GEN_DERIVED;
	t->used++;
	handles_in_use++;
	return (long)handle_value(t, slot);
}

long handle_install_via(struct handle_table *t, struct kobject *obj, uint32_t rights_via)
{
	for (unsigned int i = t->free_from; i < CONFIG_MAX_HANDLES; i++) {
		struct handle_entry *e = &t->slots[i];
		if (e->obj || e->generation == GENERATION_RETIRED)
			continue;
		t->free_from = i + 1;
		return fill(t, i, obj, rights_via);
	}
	t->free_from = CONFIG_MAX_HANDLES;
	return -RV_EMFILE;
}

long handle_install_at(struct handle_table *t, unsigned int slot, struct kobject *obj,
		       uint32_t rights_via)
{
	struct handle_entry *e;

	if (slot >= CONFIG_MAX_HANDLES)
		return -RV_EMFILE;
	e = &t->slots[slot];
	if (e->obj)
		return -RV_EBUSY;
	if (e->generation == GENERATION_RETIRED)
		return -RV_EMFILE;
	return fill(t, slot, obj, rights_via);
}

/* A generation that would wrap (or make the all-ones value,
 * RV_HANDLE_INVALID, or RV_HANDLE_SELF) retires the slot: a wrapped value
 * would name whatever the slot held next. (In 64 bits, one compare for
 * both: a generation past GENERATION_MAX makes a value of 2^32 or more.)
 * Only the last two generations can: clear_entry asks only for them. */
static inline __attribute__((always_inline)) bool retires(uint64_t gen, size_t slot)
{
	_Static_assert(((uint64_t)GENERATION_MAX + 1) << RV_HANDLE_SLOT_BITS >= RV_HANDLE_SELF,
		       "a wrapped generation is above RV_HANDLE_SELF");
	_Static_assert(((uint64_t)(GENERATION_MAX - 1) << RV_HANDLE_SLOT_BITS | SLOT_MASK) <
			       RV_HANDLE_SELF,
		       "below GENERATION_MAX, no generation retires its slot");
	return (gen << RV_HANDLE_SLOT_BITS | slot) >= RV_HANDLE_SELF;
}

/* The slot's port binding, if it has one, goes (its handle is closed or
 * sent away). */
static inline __attribute__((always_inline)) void unbind_slot(struct handle_table *t,
							      unsigned int slot)
{
	if (IS_ENABLED(CONFIG_IPC) && ((t->bound[slot / 64] >> (slot % 64)) & 1))
		port_binding_drop_slot(t, slot);
}

/* Entry e's handle leaves table t (its reference is the caller's; its
 * binding went already; the caller counts t->used). *free_from: the
 * entry of t's free_from, or the caller's copy of it (compared with e as
 * it is). */
static inline __attribute__((always_inline)) void clear_entry(struct handle_table *t,
							      struct handle_entry *e,
							      struct handle_entry **free_from)
{
	/* (in 64 bits: nothing to extend for the compares) */
	uint64_t gen = (uint64_t)(e->generation & ~HANDLE_GEN_DERIVED) + 1;

	e->obj = 0;
	e->rights_via = 0;
	if (__builtin_expect(gen >= GENERATION_MAX, 0) && retires(gen, (size_t)(e - t->slots))) {
		gen = GENERATION_RETIRED;
		t->retired++;
	} else if (e != &t->slots[0] && e < *free_from) {
		*free_from = e;
	}
	e->generation = (uint32_t)gen;
}

void handle_detach(struct handle_table *t, rv_handle_t h)
{
	struct handle_entry *free_from;

	unbind_slot(t, h & SLOT_MASK);
	free_from = &t->slots[t->free_from];
	clear_entry(t, &t->slots[h & SLOT_MASK], &free_from);
	t->free_from = (unsigned int)(free_from - t->slots);
	t->used--;
	handles_in_use--;
}

/* (a leaf, never in a backtrace: no frame record) */
int __attribute__((noinline, optimize("omit-frame-pointer")))
handle_move_slots(struct handle_table *from, struct handle_entry *const *ents, unsigned int n,
		  struct handle_table *to, rv_handle_t *out)
{
	struct handle_entry *free_from = &from->slots[from->free_from];
	unsigned int i = to->free_from;
	struct handle_entry *d = &to->slots[i];

	for (unsigned int k = 0; k < n; k++) {
		struct handle_entry *e = ents[k];
		struct kobject *obj = e->obj;
		uint32_t rights_via = e->rights_via, gen;

		clear_entry(from, e, &free_from);
		/* the lowest free slot of `to` (there is one: the caller
		 * checked), from just above the last one filled */
		if (d->obj || d->generation == GENERATION_RETIRED) {
			do {
				d++;
				i++;
			} while (d->obj || d->generation == GENERATION_RETIRED);
		}
		d->obj = obj;
		d->rights_via = rights_via;
		/* (a free slot's generation has no HANDLE_GEN_DERIVED) */
		gen = d->generation;
		if (handle_via_of(rights_via))
			d->generation = gen | HANDLE_GEN_DERIVED;
		out[k] = gen << RV_HANDLE_SLOT_BITS | i;
		d++;
		i++;
	}
	from->used -= n;
	from->free_from = (unsigned int)(free_from - from->slots);
	to->free_from = i;
	to->used += n;
	return 0;
}

int handle_move_bound(struct handle_table *from, struct handle_entry *const *ents, unsigned int n,
		      struct handle_table *to, rv_handle_t *out)
{
	for (unsigned int k = 0; k < n; k++)
		unbind_slot(from, (unsigned int)(ents[k] - from->slots));
	return handle_move_slots(from, ents, n, to, out);
}

int handle_close(struct handle_table *t, rv_handle_t h)
{
	struct handle_entry *e;
	struct kobject *obj;
	unsigned int via;
	/* (a revoked handle closes as any other: handle_find) */
	int err = handle_find(t, h, &e);

	if (err)
		return err;
	obj = e->obj;
	via = e->via;
	handle_detach(t, h);
	via_put(via); /* first: see revoke.h */
	kobject_put(obj);
	return 0;
}

void handle_table_close_all(struct handle_table *t)
{
	for (unsigned int i = 0; i < CONFIG_MAX_HANDLES && t->used; i++) {
		if (t->slots[i].obj)
			handle_close(t, handle_value(t, i));
	}
}
