/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IPC system calls (doc/ipc.md). As in syscall.c each checks its
 * arguments -- handles (live, type, rights), user pointers, sizes -- before
 * it changes anything.
 */
#include <rvos/errno.h>
#include <rvos/syscall.h>
#include <kernel/channel.h>
#include <kernel/handle.h>
#include <kernel/ipc_syscalls.h>
#include <kernel/port.h>
#include <kernel/proc.h>
#include <kernel/shm.h>
#include <kernel/syscall.h>
#include <kernel/timer.h>
#include <kernel/trace.h>

/* Every right that means something for the object: MANAGE is for
 * processes, DMA for devices. */
#define CHANNEL_RIGHTS (RV_RIGHTS_ALL & ~(RV_RIGHT_MANAGE | RV_RIGHT_DMA))
#define SHM_RIGHTS (RV_RIGHTS_ALL & ~(RV_RIGHT_MANAGE | RV_RIGHT_DMA))
#define PROCESS_RIGHTS (RV_RIGHT_READ | RV_RIGHT_MANAGE | RV_RIGHT_DUPLICATE | RV_RIGHT_TRANSFER)
/* A port stays with its maker: wait (READ) and bind (WRITE) only. */
#define PORT_RIGHTS (RV_RIGHT_READ | RV_RIGHT_WRITE)
/* A revoker: revoke (MANAGE); the deriver may share it or pass it on. */
#define REVOKER_RIGHTS (RV_RIGHT_MANAGE | RV_RIGHT_DUPLICATE | RV_RIGHT_TRANSFER)

long sys_handle_close(const uint64_t a[6])
{
	if (!arg_is_u32(a[0]))
		return -RV_EINVAL;
	return handle_close(&current->handles, (rv_handle_t)a[0]);
}

/* handle_duplicate's and handle_derive's source and rights: a0 a handle
 * with DUPLICATE, a1 the same rights as its or fewer. */
static int copy_args(const uint64_t a[6], struct handle_entry **e)
{
	int err = handle_arg(&current->handles, a[0], RV_OBJ_NONE, RV_RIGHT_DUPLICATE, e);

	if (err)
		return err;
	if (!arg_is_u32(a[1]))
		return -RV_EINVAL;
	if ((uint32_t)a[1] & ~(*e)->rights)
		return -RV_EPERM; /* only the same or fewer rights */
	return 0;
}

long sys_handle_duplicate(const uint64_t a[6])
{
	struct handle_entry *e;
	uint32_t rights = (uint32_t)a[1];
	long h;
	int err = copy_args(a, &e);

	if (err)
		return err;
	/* (a duplicate of a derived handle goes through the same record) */
	h = handle_install_via(&current->handles, e->obj, handle_rights_via(rights, e->via));
	if (h >= 0) {
		kobject_get(e->obj);
		via_get(e->via);
	}
	return h;
}

long sys_handle_derive(const uint64_t a[6])
{
	struct handle_entry *e;
	uint32_t rights = (uint32_t)a[1];
	rv_handle_t out[2];
	long via;
	int err = copy_args(a, &e);

	/* verify */
	if (err)
		return err;
	if (!user_access_ok(&current->as, a[2], sizeof(out), true))
		return -RV_EFAULT;
	if (handle_table_free(&current->handles) < 2)
		return -RV_EMFILE;
	/* impl: the record (-EMLINK too deep, -ENFILE pool full), then the
	 * derived handle and the revoker, which cannot fail now */
	via = revoker_create(e->obj, e->via);
	if (via < 0)
		return via;
	kobject_get(e->obj);
	out[0] = (rv_handle_t)handle_install_via(&current->handles, e->obj,
						 handle_rights_via(rights, (unsigned int)via));
	out[1] = (rv_handle_t)handle_install(&current->handles, revoker_kobj((unsigned int)via),
					     REVOKER_RIGHTS);
	copy_to_user(&current->as, a[2], out, sizeof(out));
	return 0;
}

long sys_handle_revoke(const uint64_t a[6])
{
	struct handle_entry *e;
	int err = handle_arg(&current->handles, a[0], RV_OBJ_REVOKER, RV_RIGHT_MANAGE, &e);

	if (err)
		return err;
	return revoker_revoke(e->obj);
}

long sys_handle_info(const uint64_t a[6])
{
	struct handle_entry *e;
	struct rv_handle_info info;
	int err = handle_arg(&current->handles, a[0], RV_OBJ_NONE, 0, &e);

	if (err)
		return err;
	info.type = e->obj->type;
	info.rights = e->rights;
	info.pid = e->obj->type == RV_OBJ_PROCESS ? process_object_pid(e->obj) : 0;
	info.pad = e->via ? RV_HANDLE_DERIVED : 0;
	return copy_to_user(&current->as, a[1], &info, sizeof(info));
}

long sys_channel_create(const uint64_t a[6])
{
	struct kobject *ends[2];
	rv_handle_t out[2];
	int err;

	/* verify */
	if (!user_access_ok(&current->as, a[0], sizeof(out), true))
		return -RV_EFAULT;
	if (handle_table_free(&current->handles) < 2)
		return -RV_EMFILE;
	/* impl */
	err = channel_create(current, &ends[0], &ends[1]);
	if (err)
		return err;
	out[0] = (rv_handle_t)handle_install(&current->handles, ends[0], CHANNEL_RIGHTS);
	out[1] = (rv_handle_t)handle_install(&current->handles, ends[1], CHANNEL_RIGHTS);
	copy_to_user(&current->as, a[0], out, sizeof(out));
	return 0;
}

/* sys_channel_write with a deadline: out of line, so that the usual call,
 * without one, converts nothing and needs no frame (it only jumps on:
 * never in a backtrace, no frame record either). */
static long __attribute__((noinline)) channel_write_timed(const uint64_t a[6],
							  const struct handle_entry *e)
{
	return channel_write(current, e, (rv_handle_t)a[0], a[1], (uint32_t)a[2],
			     timer_ns_to_ticks(a[3]));
}

__attribute__((optimize("omit-frame-pointer"))) long sys_channel_write(const uint64_t a[6])
{
	struct handle_entry *e;
	int err = handle_arg(&current->handles, a[0], RV_OBJ_CHANNEL, RV_RIGHT_WRITE, &e);

	if (err)
		return err;
	if (!arg_is_u32(a[2]))
		return -RV_EINVAL; /* flags */
	if (a[3] != RV_DEADLINE_NEVER)
		return channel_write_timed(a, e);
	return channel_write(current, e, (rv_handle_t)a[0], a[1], (uint32_t)a[2], UINT64_MAX);
}

static long __attribute__((noinline)) channel_read_timed(const uint64_t a[6],
							 const struct handle_entry *e)
{
	return channel_read(current, e, a[1], (uint32_t)a[2], timer_ns_to_ticks(a[3]),
			    channel_read_continue);
}

/* (the same for sys_channel_read) */
__attribute__((optimize("omit-frame-pointer"))) long sys_channel_read(const uint64_t a[6])
{
	struct handle_entry *e;
	int err = handle_arg(&current->handles, a[0], RV_OBJ_CHANNEL, RV_RIGHT_READ, &e);

	if (err)
		return err;
	if (!arg_is_u32(a[2]))
		return -RV_EINVAL; /* flags */
	if (a[3] != RV_DEADLINE_NEVER)
		return channel_read_timed(a, e);
	return channel_read_now(current, e, a[1], (uint32_t)a[2]);
}

long sys_channel_call(const uint64_t a[6])
{
	struct handle_entry *e;
	uint64_t deadline = timer_deadline_ticks(a[3]);
	struct kobject *end;
	long err = handle_arg(&current->handles, a[0], RV_OBJ_CHANNEL,
			      RV_RIGHT_READ | RV_RIGHT_WRITE, &e);

	if (err)
		return err;
	/* (the fast path, channel_call_fastpath, was tried at trap entry; it
	 * takes no handle with upper bits, so those come here) */
	/* verify the reply buffers up front, so a bad one fails before the
	 * request has gone out */
	if (!user_access_ok(&current->as, a[2], sizeof(struct rv_msg), true))
		return -RV_EFAULT;
	end = e->obj;
	trace_call_begin(current, trace_time());
	err = channel_write(current, e, (rv_handle_t)a[0], a[1], 0, deadline);
	if (err) {
		trace_call_abort(current);
		return err;
	}
	/* (e still holds: only this process changes its table, and it was
	 * blocked; a revoke meanwhile ended the write with -ECANCELED) */
	err = channel_read(current, e, a[2], 0, deadline, channel_call_continue);
	trace_call_end(current, end);
	return err;
}

/* wait_many's waiters w for items, some of whose handles (all checked) are
 * derived: the derivations, for a revoke to find (kobject_cancel_waiters).
 * Apart, so that waits on plain handles do not pay for it per item. */
static void __attribute__((noinline)) waiters_set_via(struct proc *p, struct waiter *w,
						      const struct rv_wait_item *items, uint64_t count)
{
	for (unsigned int i = 0; i < count; i++)
		w[i].via = p->handles.slots[items[i].handle & SLOT_MASK].via;
}

long sys_wait_many(const uint64_t a[6])
{
	struct rv_wait_item items[CONFIG_MAX_WAIT_ITEMS];
	struct kobject *objs[CONFIG_MAX_WAIT_ITEMS];
	unsigned int derived = 0;
	struct proc *p = current;
	uint64_t count = a[1];
	uint64_t deadline = timer_deadline_ticks(a[2]);
	size_t size = count * sizeof(items[0]);
	struct rv_wait_item *u;
	long ready = 0;

	/* verify */
	if (count == 0 || count > CONFIG_MAX_WAIT_ITEMS)
		return -RV_EINVAL;
	/* The usual array lies within a page whose writable translation is
	 * cached: one lookup instead of a read, a check and a write-back
	 * that each walk the page table. */
	u = user_span(&p->as, a[0], size, true);
	if (u) {
		for (unsigned int i = 0; i < count; i++)
			items[i] = u[i];
	} else if (copy_from_user(&p->as, items, a[0], size) ||
		   !user_access_ok(&p->as, a[0], size, true)) {
		return -RV_EFAULT;
	}
	/* Each item once: its handle, then its signals now (no side effect:
	 * an error further on still returns before anything changed). */
	for (unsigned int i = 0; i < count; i++) {
		struct handle_entry *e;
		int err = handle_lookup(&p->handles, items[i].handle, RV_OBJ_NONE, RV_RIGHT_READ,
					&e);
		if (err)
			return err;
		if (!items[i].signals)
			return -RV_EINVAL;
		objs[i] = e->obj;
		derived |= e->via;
		items[i].observed = kobject_signals(objs[i]);
		ready += (items[i].observed & items[i].signals) != 0;
	}
	/* impl: check and queue in one step (no preemption in the kernel), so
	 * no signal raised in between can be missed */
	while (!ready) {
		/* the waiter records in place (waiter_add's work, without a
		 * call per item; waiter_count is 0 outside a wait) */
		struct waiter *w = &p->waiters[p->waiter_count];

		for (unsigned int i = 0; i < count; i++) {
			w[i].proc = p;
			w[i].obj = objs[i];
			w[i].signals_via = items[i].signals; /* via 0 */
			list_append(&objs[i]->waiters, &w[i].link);
		}
		if (derived)
			waiters_set_via(p, w, items, count);
		p->waiter_count += (unsigned int)count;
		ready = kobject_block(deadline);
		if (ready) {
			/* -ETIMEDOUT, or -ECANCELED: an item's handle was
			 * revoked. observed: as checked before the block. */
			break;
		}
		for (unsigned int i = 0; i < count; i++) {
			items[i].observed = kobject_signals(objs[i]);
			ready += (items[i].observed & items[i].signals) != 0;
		}
	}
	/* (after a block: the same page, still mapped -- only this process,
	 * which was blocked, can unmap its memory -- looked up again, which
	 * costs a cache hit) */
	u = user_span(&p->as, a[0], size, true);
	if (u) {
		for (unsigned int i = 0; i < count; i++)
			u[i].observed = items[i].observed;
	} else {
		copy_to_user(&p->as, a[0], items, size);
	}
	return ready;
}

long sys_port_create(const uint64_t a[6])
{
	struct kobject *obj;
	long err;

	(void)a;
	if (!handle_table_free(&current->handles))
		return -RV_EMFILE;
	err = port_create(&obj);
	if (err)
		return err;
	return handle_install(&current->handles, obj, PORT_RIGHTS);
}

/* The port of a0, with `rights`. */
static int port_arg(const uint64_t a[6], uint32_t rights, struct handle_entry **port)
{
	return handle_arg(&current->handles, a[0], RV_OBJ_PORT, rights, port);
}

long sys_port_bind(const uint64_t a[6])
{
	struct handle_entry *port;
	int err = port_arg(a, RV_RIGHT_WRITE, &port);

	if (err)
		return err;
	if (!arg_is_u32(a[1]) || !arg_is_u32(a[2]))
		return -RV_EINVAL; /* the handle, the signals */
	return port_bind(current, port->obj, (uint32_t)a[1], (uint32_t)a[2], a[3]);
}

long sys_port_unbind(const uint64_t a[6])
{
	struct handle_entry *port;
	int err = port_arg(a, RV_RIGHT_WRITE, &port);

	if (err)
		return err;
	if (!arg_is_u32(a[1]))
		return -RV_EINVAL;
	return port_unbind(current, port->obj, (uint32_t)a[1]);
}

long sys_port_wait(const uint64_t a[6])
{
	struct handle_entry *port;
	int err = port_arg(a, RV_RIGHT_READ, &port);

	if (err)
		return err;
	/* (the reply-and-wait fast path, port_wait_fastpath, was tried at
	 * trap entry when there is a reply) */
	return port_wait(current, port, a[1], a[2], timer_deadline_ticks(a[3]), a[4], a[5]);
}

long sys_shm_create(const uint64_t a[6])
{
	struct kobject *obj;
	long err;

	if (!handle_table_free(&current->handles))
		return -RV_EMFILE;
	err = shm_create(a[0], &obj);
	if (err)
		return err;
	return handle_install(&current->handles, obj, SHM_RIGHTS);
}

long sys_shm_map(const uint64_t a[6])
{
	struct handle_entry *e;
	int err = handle_arg(&current->handles, a[0], RV_OBJ_SHM, RV_RIGHT_MAP | RV_RIGHT_READ, &e);

	if (err)
		return err;
	if (a[1] > 1)
		return -RV_EINVAL; /* writable: 0 or 1 */
	if (a[1] && !(e->rights & RV_RIGHT_WRITE))
		return -RV_EACCES; /* a read-only handle never maps writable */
	return shm_map(current, e->obj, a[1] != 0, e->via);
}

long sys_shm_unmap(const uint64_t a[6])
{
	return shm_unmap(current, a[0]);
}

/*
 * process_spawn and process_spawn_image: verify the `count` handles at
 * ugive (they need TRANSFER, no duplicates), then start the child with
 * start(ctx) (which verifies its own arguments and returns a pid), then move
 * the handles to the child's slots 0..count-1 and return a process handle.
 */
static long spawn_and_give(uintptr_t ugive, uint64_t count, long (*start)(const void *ctx),
			   const void *ctx)
{
	rv_handle_t give[MSG_HANDLE_ARRAY];
	struct handle_entry *ents[MSG_HANDLE_ARRAY];
	struct process_object *po;
	struct proc *child;
	long pid, h;

	/* verify the handles handed over; start() verifies the rest */
	if (count > CONFIG_MSG_MAX_HANDLES || count > CONFIG_MAX_HANDLES)
		return -RV_EINVAL;
	if (count && copy_from_user(&current->as, give, ugive, count * sizeof(give[0])))
		return -RV_EFAULT;
	for (unsigned int i = 0; i < count; i++) {
		int err = handle_lookup(&current->handles, give[i], RV_OBJ_NONE, RV_RIGHT_TRANSFER,
					&ents[i]);
		if (err)
			return err;
		for (unsigned int j = 0; j < i; j++) {
			if (give[j] == give[i])
				return -RV_EINVAL;
		}
	}
	if (!handle_table_free(&current->handles))
		return -RV_EMFILE;
	po = process_object_alloc();
	if (!po)
		return -RV_ENOMEM;
	pid = start(ctx);
	if (pid < 0) {
		kobject_put(process_object_kobj(po));
		return pid;
	}
	/* impl: the handles move, in order, to the child's slots 0..count-1 */
	child = proc_by_pid((int)pid);
	process_object_attach(po, child);
	for (unsigned int i = 0; i < count; i++) {
		handle_install_at(&child->handles, i, ents[i]->obj, ents[i]->rights_via);
		handle_detach(&current->handles, give[i]);
	}
	kobject_get(process_object_kobj(po));
	h = handle_install(&current->handles, process_object_kobj(po),
			   PROCESS_RIGHTS | debug_spawn_rights());
	return h;
}

static long start_from_initrd(const void *ctx)
{
	return syscall_spawn_checked(ctx, NULL);
}

long sys_process_spawn(const uint64_t a[6])
{
	return spawn_and_give(a[4], a[5], start_from_initrd, a);
}

static long start_from_image(const void *ctx)
{
	const struct rv_spawn_image *req = ctx;
	struct spawn_args sa;
	struct handle_entry *e;
	const uint8_t *bytes;
	uint64_t size;
	int err;

	/* verify: the image (an shm region we may read, big enough), then
	 * spawn's own arguments */
	err = handle_arg(&current->handles, req->image, RV_OBJ_SHM, RV_RIGHT_READ, &e);
	if (err)
		return err;
	shm_region_bytes(e->obj, &bytes, &size);
	if (req->image_size == 0 || req->image_size > size)
		return -RV_EINVAL;
	err = spawn_args_fetch((uintptr_t)req->name, (uintptr_t)req->args, req->args_len,
			       req->priority, &sa);
	if (err)
		return err;
	/* impl: no other process runs meanwhile (one hart, no preemption in
	 * the kernel); a device writing into a DMA region could, but the
	 * loader uses only the values elf_parse checked and kept */
	return proc_spawn_image(sa.name, bytes, req->image_size, sa.args, sa.args_len, sa.env_len,
				sa.priority, NULL);
}

long sys_process_spawn_image(const uint64_t a[6])
{
	struct rv_spawn_image req;

	if (copy_from_user(&current->as, &req, a[0], sizeof(req)))
		return -RV_EFAULT;
	return spawn_and_give((uintptr_t)req.give, req.count, start_from_image, &req);
}

long sys_process_kill(const uint64_t a[6])
{
	struct handle_entry *e;
	struct rv_exit_info how = {.reason = RV_EXIT_KILLED};
	struct proc *p;
	int err = handle_arg(&current->handles, a[0], RV_OBJ_PROCESS, RV_RIGHT_MANAGE, &e);

	if (err)
		return err;
	p = process_object_proc(e->obj);
	if (!p)
		return -RV_ESRCH;
	if (p == current)
		return -RV_EINVAL;
	proc_exit(p, &how);
	return 0;
}

/* process_limit(h, which, value): lower a quota. Only lowering: no
 * holder can give a process more than it was started with. A value below
 * what the process holds already takes nothing away; it gets no more. */
long sys_process_limit(const uint64_t a[6])
{
	struct handle_entry *e;
	struct proc *p;
	int err = handle_arg(&current->handles, a[0], RV_OBJ_PROCESS, RV_RIGHT_MANAGE, &e);

	if (err)
		return err;
	if (a[1] != RV_LIMIT_PAGES)
		return -RV_EINVAL;
	p = process_object_proc(e->obj);
	if (!p)
		return -RV_ESRCH;
	if (a[2] > p->as.max_pages)
		return -RV_EPERM;
	p->as.max_pages = a[2];
	return 0;
}

long sys_process_exit_info(const uint64_t a[6])
{
	struct handle_entry *e;
	struct rv_exit_info info;
	int err = handle_arg(&current->handles, a[0], RV_OBJ_PROCESS, RV_RIGHT_READ, &e);

	if (err)
		return err;
	if (!user_access_ok(&current->as, a[1], sizeof(info), true))
		return -RV_EFAULT;
	err = process_object_exit_info(e->obj, &info);
	if (err)
		return err;
	copy_to_user(&current->as, a[1], &info, sizeof(info));
	return 0;
}
