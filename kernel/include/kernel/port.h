/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ports (doc/ipc.md, Ports): wait sets whose bindings persist. A handle
 * bound to a port puts a binding on its object's waiter list once; when a
 * bound signal is raised, kobject_notify queues the binding on the port's
 * ready list and wakes the process waiting on the port. port_wait can also
 * receive: a writer that finds a port's owner blocked in port_wait with its
 * buffers recorded (as a blocked channel_read records them) copies the
 * message straight in (kernel/channel.c), on the call fast path too.
 */
#ifndef KERNEL_PORT_H
#define KERNEL_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/list.h>
#include <kernel/object.h>

struct handle_entry;
struct handle_table;
struct proc;

struct port {
	struct kobject obj;     /* first: a kobject pointer is a port pointer */
	bool in_use;
	struct list_node ready; /* port_binding.ready: bindings that fired */
};

struct port_binding {
	/* On the bound object's waiter list for as long as the binding
	 * lives; w.proc is NULL, which tells a binding from a process. */
	struct waiter w;
	struct port *port;      /* NULL: a free binding */
	struct list_node ready; /* on port->ready while queued */
	uint64_t key;
	struct handle_table *table; /* the handle it follows: closing or */
	unsigned int slot;          /* sending it away drops the binding */
	/* Its handle's derivation was revoked: off the object's waiter list,
	 * queued for port_wait to report (-ECANCELED) once, then freed. */
	bool revoked;
};

static inline struct port_binding *waiter_binding(struct waiter *w)
{
	return container_of(w, struct port_binding, w);
}

long port_create(struct kobject **out);
void port_release(struct kobject *obj);
uint32_t port_signals(const struct kobject *obj);
long port_bind(struct proc *p, struct kobject *port, uint32_t h, uint32_t signals, uint64_t key);
long port_unbind(struct proc *p, struct kobject *port, uint32_t h);
/* port: the port's handle entry (its derivation, if any, ends the wait
 * with -ECANCELED when revoked). With ureply != 0, first sends the reply
 * (reply_h, ureply) as a non-blocking channel_write; its error, if any, is
 * returned unwaited. */
long port_wait(struct proc *p, const struct handle_entry *port, uintptr_t uev, uintptr_t umsg,
	       uint64_t deadline, uint64_t reply_h, uintptr_t ureply);
/* The continuation of a wait begun by the reply-and-wait fast path. */
void port_wait_continue(void) __attribute__((noreturn));
/* A bound signal of w's object is set (kobject_notify): queue the binding,
 * wake the port's waiter. True when a process was woken. */
bool port_fire(struct waiter *w);
/* The handle at slot of t, bound, is closed or sent away. */
void port_binding_drop_slot(struct handle_table *t, unsigned int slot);
/* The derivation of the binding's handle (w: its waiter) was revoked
 * (kobject_cancel_waiters): it leaves the object and is queued on its port,
 * whose next port_wait reports it (status -ECANCELED) and frees it. */
void port_binding_revoked(struct waiter *w);
unsigned int port_count(void);
unsigned int port_binding_count(void);

#endif /* KERNEL_PORT_H */
