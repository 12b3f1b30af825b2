/* SPDX-License-Identifier: Apache-2.0 */
#include <rvos/errno.h>
#include <kernel/device.h>
#include <kernel/object.h>
#include <kernel/panic.h>
#include <kernel/port.h>
#include <kernel/proc.h>
#include <kernel/revoke.h>
#include <kernel/timer.h>
#include <kernel/util.h>

void kobject_init(struct kobject *obj, uint32_t type)
{
	obj->type = type;
	obj->refs = 1;
	list_init(&obj->waiters);
}

void kobject_get(struct kobject *obj)
{
	obj->refs++;
}

static void kobject_release(struct kobject *obj)
{
	switch (obj->type) {
	/* Only the types of the features built in (Kconfig.features) can
	 * exist: the others' cases fold away. */
	case RV_OBJ_CHANNEL:
		if (IS_ENABLED(CONFIG_IPC))
			channel_end_release(obj);
		break;
	case RV_OBJ_SHM:
		if (IS_ENABLED(CONFIG_SHM))
			shm_release(obj);
		break;
	case RV_OBJ_PROCESS:
		if (IS_ENABLED(CONFIG_PROCESS_HANDLES))
			process_object_release(obj);
		break;
	case RV_OBJ_DEVICE:
		if (IS_ENABLED(CONFIG_DEVICE_CAPS))
			device_release(obj);
		break;
	case RV_OBJ_PORT:
		if (IS_ENABLED(CONFIG_IPC))
			port_release(obj);
		break;
	case RV_OBJ_REVOKER:
		if (IS_ENABLED(CONFIG_HANDLE_REVOCATION))
			revoker_release(obj);
		break;
	default:
		panic("kobject_put: unknown object type %u", obj->type);
	}
}

/*
 * Releasing an object can drop the last reference of others (a channel end
 * closes the handles queued in it, which may be channel ends with queues of
 * their own...). Those go on a list drained by the outermost kobject_put,
 * so a chain of any length is freed in a loop, not a recursion as deep as
 * the chain (which would overflow the kernel stack).
 */
static struct kobject *release_pending;
static bool releasing;

void kobject_put(struct kobject *obj)
{
	if (!obj->refs)
		panic("kobject_put: object of type %u has no references", obj->type);
	if (--obj->refs)
		return;
	obj->next_release = release_pending;
	release_pending = obj;
	if (releasing)
		return;
	releasing = true;
	while (release_pending) {
		obj = release_pending;
		release_pending = obj->next_release;
		kobject_release(obj);
	}
	releasing = false;
}

uint32_t kobject_signals(const struct kobject *obj)
{
	switch (obj->type) {
	case RV_OBJ_CHANNEL:
		return IS_ENABLED(CONFIG_IPC) ? channel_end_signals(obj) : 0;
	case RV_OBJ_PROCESS:
		return IS_ENABLED(CONFIG_PROCESS_HANDLES) ? process_object_signals(obj) : 0;
	case RV_OBJ_DEVICE:
		return IS_ENABLED(CONFIG_DEVICE_CAPS) ? device_signals(obj) : 0;
	case RV_OBJ_PORT:
		return IS_ENABLED(CONFIG_IPC) ? port_signals(obj) : 0;
	default:
		return 0;
	}
}

/* (leaves, never in a backtrace: no frame record) */
__attribute__((optimize("omit-frame-pointer"))) void waiter_add(struct proc *p,
								 struct kobject *obj,
								 uint32_t signals, unsigned int via)
{
	struct waiter *w = &p->waiters[p->waiter_count++];

	w->proc = p;
	w->obj = obj;
	w->signals = signals;
	list_append(&obj->waiters, &w->link);
	w->via = via; /* (apart from signals: gcc merges the two stores at a cost) */
}

__attribute__((optimize("omit-frame-pointer"))) void waiters_remove_all(struct proc *p)
{
	for (unsigned int i = 0; i < p->waiter_count; i++)
		list_remove(&p->waiters[i].link);
	p->waiter_word = 0; /* waiter_count and rx_cap */
	p->recv_end = NULL;
}

/* Wake p if it is still blocked. A process woken by its deadline is ready
 * with its waiters still linked until it runs and unlinks them: left alone. */
static bool waiter_wake(struct proc *p)
{
	if (p->state != PROC_BLOCKED)
		return false;
	sched_remove(p); /* off the sleep list, if it has a deadline */
	waiters_remove_all(p);
	sched_make_ready(p);
	return true;
}

void kobject_notify(struct kobject *obj)
{
	/* Waking a process unlinks all its waiters, perhaps the next one on
	 * this list: start over after each wake. Lists are short. A waiter
	 * without a process is a port binding (kernel/port.c): it is queued
	 * on its port, and stays on this list. */
	uint32_t signals;
	struct list_node *pos;

	if (list_is_empty(&obj->waiters))
		return; /* the usual case: nobody to wake, no signals to compute */
	signals = kobject_signals(obj);
	for (pos = obj->waiters.next; pos != &obj->waiters;) {
		struct waiter *w = container_of(pos, struct waiter, link);
		if ((signals & w->signals) &&
		    (w->proc ? waiter_wake(w->proc) : IS_ENABLED(CONFIG_IPC) && port_fire(w))) {
			pos = obj->waiters.next;
		} else {
			pos = pos->next;
		}
	}
}

void kobject_cancel_waiters(struct kobject *obj)
{
	struct list_node *pos, *next;

	for (pos = obj->waiters.next; pos != &obj->waiters; pos = next) {
		struct waiter *w = container_of(pos, struct waiter, link);

		next = pos->next;
		if (!w->via || !revoker_is_revoked(w->via))
			continue;
		if (IS_ENABLED(CONFIG_IPC) && !w->proc) {
			/* unlinks w; the port's waiter, woken, may have had
			 * others: start over */
			port_binding_revoked(w);
			next = obj->waiters.next;
			continue;
		}
		/* A process woken by its deadline, not run yet, still has its
		 * waiters linked: the flag alone tells its kobject_block. */
		w->proc->wait_cancelled = true;
		if (waiter_wake(w->proc))
			next = obj->waiters.next; /* all its waiters went */
	}
}

int kobject_block(uint64_t deadline)
{
	struct proc *p = current;

	if (deadline <= timer_now()) {
		waiters_remove_all(p);
		return -RV_ETIMEDOUT;
	}
	p->state = PROC_BLOCKED;
	p->block = BLOCK_OBJECT;
	p->wait_cancelled = false;
	if (deadline != UINT64_MAX)
		sched_add_sleeper(p, deadline);
	schedule();
	waiters_remove_all(p);
	if (p->wait_cancelled) {
		/* kobject_cancel_waiters: a handle it waited through was
		 * revoked */
		p->wait_cancelled = false;
		return -RV_ECANCELED;
	}
	return 0;
}
