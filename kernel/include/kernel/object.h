/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel objects reachable through handles: channel ends, shared-memory
 * regions, processes, devices, ports, revokers. Each has a type, a reference count (handles, messages
 * in flight and mappings that hold it) and a list of the processes waiting
 * for one of its signals.
 */
#ifndef KERNEL_OBJECT_H
#define KERNEL_OBJECT_H

#include <stdint.h>
#include <rvos/ipc.h>
#include <kernel/list.h>

struct proc;

struct kobject {
	uint32_t type;            /* enum rv_object_type */
	uint32_t refs;            /* handles + in-flight messages + mappings */
	struct list_node waiters; /* struct waiter.link */
	struct kobject *next_release; /* on the pending list of kobject_put */
};

/* A process waiting for signals on one object. */
struct waiter {
	struct list_node link; /* on kobject.waiters */
	struct proc *proc;
	struct kobject *obj;
	union {
		struct {
			uint32_t signals;
			/* The derivation (kernel/revoke.c) of the handle it
			 * waits through, 0: none; a revoke ends the wait. */
			uint32_t via;
		};
		uint64_t signals_via; /* both in one store (the fast path) */
	};
};

void kobject_init(struct kobject *obj, uint32_t type);
void kobject_get(struct kobject *obj);
/* Drop a reference; the last one releases the object (type-specific). */
void kobject_put(struct kobject *obj);
uint32_t kobject_signals(const struct kobject *obj);
/* The object's signals changed: wake every waiter now satisfied. */
void kobject_notify(struct kobject *obj);

/* Block the current process until one of its waiters (set up by the
 * caller with waiter_add) is satisfied, or the deadline (ticks; UINT64_MAX
 * never) passes. Returns 0 when woken by a signal or by an object change the
 * caller must re-check, -ETIMEDOUT at the deadline. */
int kobject_block(uint64_t deadline);
/* via: the derivation of the handle the wait goes through (0: none); a
 * revoke of it wakes the wait, whose kobject_block is then -ECANCELED. */
void waiter_add(struct proc *p, struct kobject *obj, uint32_t signals, unsigned int via);
void waiters_remove_all(struct proc *p);
/* Revocation: end every wait on obj that goes through a revoked
 * derivation (processes woken, -ECANCELED; port bindings dropped). */
void kobject_cancel_waiters(struct kobject *obj);

/* Release functions of each type (called by kobject_put). */
void channel_end_release(struct kobject *obj);
void shm_release(struct kobject *obj);
void process_object_release(struct kobject *obj);
uint32_t channel_end_signals(const struct kobject *obj);
uint32_t process_object_signals(const struct kobject *obj);

/* Counters for rv_kstats. */
unsigned int channel_count(void);
unsigned int channel_messages_queued(void);
unsigned int shm_region_count(void);
unsigned int shm_mapping_count(void);
unsigned int process_object_count(void);
unsigned int handle_count_all(void);

#endif /* KERNEL_OBJECT_H */
