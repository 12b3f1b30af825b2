/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ports: wait sets whose bindings persist (doc/ipc.md, Ports).
 *
 * A binding is made once (port_bind) and stays on its object's waiter list
 * until its handle is closed or sent away, or it is unbound, or the port
 * goes. kobject_notify queues a binding whose signals are raised on its
 * port's ready list (port_fire); port_wait takes the first binding whose
 * signals are still set, reports it, and -- given a receive buffer and a
 * readable channel end -- reads the end's oldest message into it. The
 * ready list is level-triggered: a reported binding goes to the back of it
 * and is looked at again by the next wait, dropped there if its signals
 * have cleared; so nothing is lost however many messages a wake-up stands
 * for, and a busy client cannot starve the others.
 *
 * A port belongs to the process that made it: its handle has no TRANSFER
 * or DUPLICATE right, and only that process's handles can be bound to it.
 */
#include <rvos/errno.h>
#include <rvos/ipc.h>
#include <kernel/channel.h>
#include <kernel/handle.h>
#include <kernel/port.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/timer.h>
#include <kernel/util.h>

#define BOUND_SIGNALS                                                                             \
	(RV_SIGNAL_READABLE | RV_SIGNAL_WRITABLE | RV_SIGNAL_PEER_CLOSED | RV_SIGNAL_EXITED |     \
	 RV_SIGNAL_IRQ)

static struct port ports[CONFIG_MAX_PORTS];
static struct port_binding bindings[CONFIG_MAX_PORT_BINDINGS];
static unsigned int ports_in_use, bindings_in_use;

unsigned int port_count(void)
{
	return ports_in_use;
}

unsigned int port_binding_count(void)
{
	return bindings_in_use;
}

static struct port *port_of(const struct kobject *obj)
{
	return container_of(obj, struct port, obj);
}

long port_create(struct kobject **out)
{
	for (unsigned int i = 0; i < CONFIG_MAX_PORTS; i++) {
		struct port *pt = &ports[i];

		if (pt->in_use)
			continue;
		kobject_init(&pt->obj, RV_OBJ_PORT);
		list_init(&pt->ready);
		pt->in_use = true;
		ports_in_use++;
		*out = &pt->obj;
		return 0;
	}
	return -RV_ENFILE;
}

static bool slot_bound(const struct handle_table *t, unsigned int slot)
{
	return (t->bound[slot / 64] >> (slot % 64)) & 1;
}

static void binding_free(struct port_binding *b)
{
	list_remove(&b->w.link);
	if (list_node_is_linked(&b->ready))
		list_remove(&b->ready);
	b->table->bound[b->slot / 64] &= ~(1ull << (b->slot % 64));
	b->port = NULL;
	bindings_in_use--;
}

void port_release(struct kobject *obj)
{
	struct port *pt = port_of(obj);

	for (unsigned int i = 0; i < CONFIG_MAX_PORT_BINDINGS; i++) {
		if (bindings[i].port == pt)
			binding_free(&bindings[i]);
	}
	pt->in_use = false;
	ports_in_use--;
}

/* READABLE while a binding is queued whose signals are still set (exact:
 * one that fired and cleared again does not count). */
uint32_t port_signals(const struct kobject *obj)
{
	const struct port *pt = port_of(obj);

	for (const struct list_node *n = pt->ready.next; n != &pt->ready; n = n->next) {
		const struct port_binding *b = container_of(n, struct port_binding, ready);

		if (b->revoked || (kobject_signals(b->w.obj) & b->w.signals))
			return RV_SIGNAL_READABLE;
	}
	return 0;
}

bool port_fire(struct waiter *w)
{
	struct port_binding *b = waiter_binding(w);
	struct port *pt = b->port;

	if (list_node_is_linked(&b->ready))
		return false; /* queued already: its waiter was woken then */
	list_append(&pt->ready, &b->ready);
	if (list_is_empty(&pt->obj.waiters))
		return false;
	kobject_notify(&pt->obj);
	return true;
}

/* The binding of the handle at `slot` of t (which must be bound). */
static struct port_binding *binding_of_slot(const struct handle_table *t, unsigned int slot)
{
	for (unsigned int i = 0; i < CONFIG_MAX_PORT_BINDINGS; i++) {
		if (bindings[i].port && bindings[i].table == t && bindings[i].slot == slot)
			return &bindings[i];
	}
	return NULL;
}

void port_binding_drop_slot(struct handle_table *t, unsigned int slot)
{
	struct port_binding *b = binding_of_slot(t, slot);

	if (b)
		binding_free(b);
}

void port_binding_revoked(struct waiter *w)
{
	struct port_binding *b = waiter_binding(w);

	list_remove(&w->link); /* (binding_free's removal is then a no-op) */
	b->revoked = true;
	if (list_node_is_linked(&b->ready))
		list_remove(&b->ready);
	list_append(&b->port->ready, &b->ready);
	kobject_notify(&b->port->obj);
}

long port_bind(struct proc *p, struct kobject *obj, uint32_t h, uint32_t signals, uint64_t key)
{
	struct port *pt = port_of(obj);
	struct handle_entry *e;
	struct port_binding *b = NULL;
	unsigned int slot = h & SLOT_MASK;
	int err;

	/* verify */
	err = handle_lookup(&p->handles, h, RV_OBJ_NONE, RV_RIGHT_READ, &e);
	if (err)
		return err;
	if (e->obj->type == RV_OBJ_PORT || !signals || (signals & ~BOUND_SIGNALS))
		return -RV_EINVAL;
	if (slot_bound(&p->handles, slot)) {
		b = binding_of_slot(&p->handles, slot);
		if (b->port != pt)
			return -RV_EBUSY; /* bound to another port */
	} else {
		for (unsigned int i = 0; i < CONFIG_MAX_PORT_BINDINGS && !b; i++) {
			if (!bindings[i].port)
				b = &bindings[i];
		}
		if (!b)
			return -RV_ENOSPC;
		/* impl: a new binding */
		b->w.proc = NULL;
		b->w.obj = e->obj;
		b->w.via = e->via; /* a revoke of it drops the binding */
		list_append(&e->obj->waiters, &b->w.link);
		b->port = pt;
		b->revoked = false;
		list_init(&b->ready);
		b->table = &p->handles;
		b->slot = slot;
		p->handles.bound[slot / 64] |= 1ull << (slot % 64);
		bindings_in_use++;
	}
	/* (a binding bound again: new signals and key, the same place) */
	b->w.signals = signals;
	b->key = key;
	if (kobject_signals(e->obj) & signals)
		port_fire(&b->w);
	return 0;
}

long port_unbind(struct proc *p, struct kobject *obj, uint32_t h)
{
	struct handle_entry *e;
	struct port_binding *b;
	unsigned int slot = h & SLOT_MASK;
	int err = handle_lookup(&p->handles, h, RV_OBJ_NONE, 0, &e);

	if (err)
		return err;
	if (!slot_bound(&p->handles, slot) || !(b = binding_of_slot(&p->handles, slot)) ||
	    b->port != port_of(obj))
		return -RV_ENOENT;
	binding_free(b);
	return 0;
}

long port_wait(struct proc *p, const struct handle_entry *port, uintptr_t uev, uintptr_t umsg,
	       uint64_t deadline, uint64_t reply_h, uintptr_t ureply)
{
	struct port *pt = port_of(port->obj);
	struct rv_port_event ev;
	struct handle_entry *he;
	struct rv_msg m;
	struct list_node *n;
	int err;

	/* verify: the wait's own arguments first */
	if (!user_access_ok(&p->as, uev, sizeof(ev), true))
		return -RV_EFAULT;
	if (umsg && copy_from_user(&p->as, &m, umsg, sizeof(m)))
		return -RV_EFAULT;
	/* The reply goes out as channel_write(reply_h, ureply, NONBLOCK)
	 * would send it; if it cannot, its error is the call's and nothing is
	 * waited for. */
	if (ureply) {
		err = handle_arg(&p->handles, reply_h, RV_OBJ_CHANNEL, RV_RIGHT_WRITE, &he);
		if (!err)
			err = (int)channel_write(p, he, (rv_handle_t)reply_h, ureply,
						 RV_IPC_NONBLOCK, 0);
		if (err)
			return err;
	}
	for (;;) {
		while ((n = pt->ready.next) != &pt->ready) {
			struct port_binding *b = container_of(n, struct port_binding, ready);
			uint32_t sig;

			if (b->revoked) {
				/* reported once, then gone (the handle stays,
				 * revoked, until it is closed) */
				ev.key = b->key;
				ev.observed = 0;
				ev.status = -RV_ECANCELED;
				binding_free(b);
				copy_to_user(&p->as, uev, &ev, sizeof(ev));
				return 0;
			}
			sig = kobject_signals(b->w.obj) & b->w.signals;
			list_remove(n);
			if (!sig)
				continue; /* fired, and cleared since */
			/* To the back: looked at again by the next wait. */
			list_append(&pt->ready, n);
			ev.key = b->key;
			ev.observed = sig;
			ev.status = RV_PORT_NOT_READ;
			if (umsg && (sig & RV_SIGNAL_READABLE) && b->w.obj->type == RV_OBJ_CHANNEL) {
				ev.status = (int32_t)channel_read(p, &b->table->slots[b->slot], umsg,
								  RV_IPC_NONBLOCK, 0, NULL);
				if (!(kobject_signals(b->w.obj) & b->w.signals))
					list_remove(n);
			}
			copy_to_user(&p->as, uev, &ev, sizeof(ev));
			return 0;
		}
		/* Nothing ready: block on the port. With a receive buffer,
		 * record it (and the event) so that a writer delivers the
		 * message straight in and resumes this process in user mode
		 * (kernel/channel.c); then this frame is never returned to. */
		waiter_add(p, &pt->obj, RV_SIGNAL_READABLE, port->via);
		if (umsg) {
			channel_rx_record(p, umsg, &m);
			p->as.rx_event = (uev & 7) ? NULL : user_span(&p->as, uev, sizeof(ev), true);
			if (!p->as.rx_event)
				p->as.rx_msg = NULL;
			p->recv_end = &pt->obj;
		}
		err = kobject_block(deadline);
		if (err)
			return err;
	}
}

/* A process that blocked in port_wait by the reply-and-wait fast path
 * (kernel/channel.c), woken by something other than a message delivered
 * straight in: the general wait runs from its saved arguments (a0 port, a1
 * event, a2 message, a3 deadline); the reply went out already. */
void port_wait_continue(void)
{
	struct proc *p = current;
	struct user_regs *regs = p->regs;
	struct handle_entry *he;
	uint64_t deadline = regs->x[13];
	long ret;

	waiters_remove_all(p);
	ret = handle_lookup_reg(&p->handles, regs->x[10], RV_OBJ_PORT, RV_RIGHT_READ, &he);
	if (!ret)
		ret = port_wait(p, he, regs->x[11], regs->x[12], timer_deadline_ticks(deadline), 0,
				0);
	sched_continuation_return(ret);
}

#ifdef CONFIG_WATCHDOG
unsigned int port_bound_objects(const struct kobject *port, const struct kobject **out,
				unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < CONFIG_MAX_PORT_BINDINGS; i++) {
		const struct port_binding *b = &bindings[i];

		if (!b->port || &b->port->obj != port || b->revoked)
			continue;
		if (n < max)
			out[n] = b->w.obj;
		n++;
	}
	return n;
}
#endif /* CONFIG_WATCHDOG */
