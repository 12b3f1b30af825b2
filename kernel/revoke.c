/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Derivation records and their revokers (kernel/revoke.h, doc/ipc.md,
 * Revocation). A static pool of CONFIG_MAX_REVOCABLE with a free list; a
 * record's number (handle_entry.via) is its index + 1, so 0 means "not
 * derived".
 */
#include <rvos/errno.h>
#include <kernel/panic.h>
#include <kernel/revoke.h>
#include <kernel/shm.h>
#include <kernel/util.h>

BUILD_ASSERT(CONFIG_MAX_REVOCABLE < 65536, "a record's number must fit handle_entry.via");
BUILD_ASSERT(CONFIG_REVOKE_MAX_DEPTH < 256, "a record's depth must fit revoker.depth");

struct revoker revokers[CONFIG_MAX_REVOCABLE];
static unsigned int revokers_in_use;
/* Free records: those freed, linked through `parent`, then those never
 * used yet (from revokers_fresh on). Taking or freeing one is O(1): no
 * walk over the pool. */
static struct revoker *revokers_free;
static unsigned int revokers_fresh;

unsigned int revoker_count(void)
{
	return revokers_in_use;
}

static unsigned int via_of(const struct revoker *r)
{
	return (unsigned int)(r - revokers) + 1;
}

static struct revoker *record_take(void)
{
	struct revoker *r = revokers_free;

	if (r)
		revokers_free = r->parent;
	else if (revokers_fresh < CONFIG_MAX_REVOCABLE)
		r = &revokers[revokers_fresh++];
	return r;
}

long revoker_create(struct kobject *target, unsigned int via)
{
	struct revoker *parent = via ? revoker_of(via) : NULL;
	unsigned int depth = parent ? parent->depth + 1u : 1u;
	struct revoker *r;

	if (depth > CONFIG_REVOKE_MAX_DEPTH)
		return -RV_EMLINK;
	r = record_take();
	if (!r)
		return -RV_ENFILE;
	kobject_init(&r->obj, RV_OBJ_REVOKER); /* the revoker handle */
	r->parent = parent;
	r->target = target;
	r->live = 0;
	r->children = 0;
	r->depth = (uint8_t)depth;
	r->revoked = false;
	r->in_use = true;
	if (parent)
		parent->children++;
	revokers_in_use++;
	revoker_use(via_of(r)); /* the derived handle */
	return via_of(r);
}

/* Free r, and the records above it that only it kept, once nothing names
 * r: no revoker handle, no use, no record below. */
static void revoker_free_unused(struct revoker *r)
{
	while (r && r->in_use && !r->obj.refs && !r->live && !r->children) {
		struct revoker *parent = r->parent;

		r->in_use = false;
		r->target = NULL;
		r->parent = revokers_free; /* (the free list's link) */
		revokers_free = r;
		revokers_in_use--;
		if (parent)
			parent->children--;
		r = parent;
	}
}

void revoker_use(unsigned int via)
{
	for (struct revoker *r = revoker_of(via); r; r = r->parent)
		r->live++;
}

static void unuse(struct revoker *r)
{
	for (struct revoker *a = r; a; a = a->parent) {
		if (!a->live)
			panic("revoker_unuse: record %u has no uses", via_of(a));
		a->live--;
	}
}

void revoker_unuse(unsigned int via)
{
	struct revoker *r = revoker_of(via);

	unuse(r);
	revoker_free_unused(r);
}

static bool chain_revoked(const struct revoker *r)
{
	for (; r; r = r->parent) {
		if (r->revoked)
			return true;
	}
	return false;
}

/*
 * r was just marked revoked: end what came through it. Only the target's
 * own waiter list and (shared memory) mapping list are walked. A use held
 * meanwhile keeps r (and so the target) from going while waiters are woken
 * and mappings dropped; the caller frees r if that was its last.
 */
static void revoke_reach(struct revoker *r)
{
	struct kobject *t = r->target;

	if (!r->live)
		return; /* nothing derived is left: no waiter, no mapping */
	if (!t->refs)
		panic("revoke: record %u is in use, its object (type %u) is gone", via_of(r),
		      t->type);
	revoker_use(via_of(r));
	kobject_get(t);
	kobject_cancel_waiters(t);
	if (IS_ENABLED(CONFIG_SHM) && t->type == RV_OBJ_SHM)
		shm_revoke_mappings(t);
	unuse(r); /* before the reference, as every use goes (revoke.h) */
	kobject_put(t);
}

int revoker_revoke(struct kobject *obj)
{
	struct revoker *r = container_of(obj, struct revoker, obj);

	if (chain_revoked(r))
		return -RV_ECANCELED;
	r->revoked = true;
	revoke_reach(r);
	return 0;
}

void revoker_release(struct kobject *obj)
{
	struct revoker *r = container_of(obj, struct revoker, obj);

	if (!chain_revoked(r)) {
		r->revoked = true;
		revoke_reach(r);
	}
	revoker_free_unused(r);
}
