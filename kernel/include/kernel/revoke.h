/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Revocation (doc/ipc.md, Revocation): derivation records.
 *
 * handle_derive makes a record that sits between a handle and its object:
 * the derived handle names the object (as any handle does) and the record
 * (handle_entry.via, a pool index + 1); duplicates, messages, children and
 * mappings made from it carry the same record. The record is also a kernel
 * object, the revoker (RV_OBJ_REVOKER), whose handle the deriver keeps:
 * handle_revoke sets its `revoked` flag, and every lookup through the
 * record sees the flag at once. A handle derived from a derived handle has
 * a record whose parent is the first one's, so revoking the parent ends it
 * too: a lookup walks up at most CONFIG_REVOKE_MAX_DEPTH records.
 *
 * What was blocked or mapped through a revoked record ends at the revoke:
 * the target object's waiters that came through it are woken with
 * -ECANCELED (port bindings dropped), and its shared-memory mappings are
 * unmapped. That walk is over one object's waiter list and mapping list,
 * never over every process.
 *
 * Lifetime: `live` counts the handles (in tables and in messages) and the
 * mappings through the record or one below it -- each holds a reference
 * to the target, so the target pointer is good while live > 0. For that a
 * use that goes drops its use (via_put) before its reference: the
 * reference's release may close a revoker, whose revoke must not find the
 * use of an object already released. A record is
 * freed when no revoker handle, no use (live) and no record below it is
 * left. The last revoker handle going revokes (the derivation was a lease
 * of the deriver's: it ends when the deriver can no longer end it).
 */
#ifndef KERNEL_REVOKE_H
#define KERNEL_REVOKE_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/object.h>
#include <kernel/util.h>

struct revoker {
	struct kobject obj;     /* RV_OBJ_REVOKER; refs: the handles naming it */
	struct revoker *parent; /* the record the source handle came through */
	struct kobject *target; /* what the derived handles name (while live) */
	uint32_t live;          /* handles and mappings through it or below */
	uint16_t children;      /* records derived below it, not yet freed */
	uint8_t depth;          /* 1: derived from a plain handle */
	bool revoked;
	bool in_use;
};

extern struct revoker revokers[CONFIG_MAX_REVOCABLE];

static inline struct revoker *revoker_of(unsigned int via)
{
	return &revokers[via - 1];
}

/* Is derivation via (non-zero) revoked, itself or above? (Inline and no
 * call: in handle_lookup a call would cost every caller a stack frame.) */
static inline __attribute__((always_inline)) bool revoker_is_revoked(unsigned int via)
{
	if (!IS_ENABLED(CONFIG_HANDLE_REVOCATION))
		return false; /* no records: nothing is revoked */
	for (const struct revoker *r = revoker_of(via); r; r = r->parent) {
		if (r->revoked)
			return true;
	}
	return false;
}

/* A new record for a handle to target that came through `via` (0: a plain
 * handle), with one use (the derived handle) and one reference (the
 * revoker handle): its number (> 0), -EMLINK deeper than
 * CONFIG_REVOKE_MAX_DEPTH, -ENFILE the pool is full. */
long revoker_create(struct kobject *target, unsigned int via);
static inline struct kobject *revoker_kobj(unsigned int via)
{
	return &revoker_of(via)->obj;
}
/* A handle or mapping through via is made (get) or gone (put). */
void revoker_use(unsigned int via);
void revoker_unuse(unsigned int via);
/* Without CONFIG_HANDLE_REVOCATION (revoke.c not built) via is always 0. */
static inline void via_get(unsigned int via)
{
	if (IS_ENABLED(CONFIG_HANDLE_REVOCATION) && via)
		revoker_use(via);
}
static inline void via_put(unsigned int via)
{
	if (IS_ENABLED(CONFIG_HANDLE_REVOCATION) && via)
		revoker_unuse(via);
}
/* handle_revoke: 0, or -ECANCELED when it (or a record above) was revoked
 * already. */
int revoker_revoke(struct kobject *obj);
/* The last revoker handle went (kobject_put): revoke. */
void revoker_release(struct kobject *obj);
unsigned int revoker_count(void);

#endif /* KERNEL_REVOKE_H */
