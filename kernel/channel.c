/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Channels: two connected ends, each with a bounded queue of the messages
 * its peer wrote. Messages live inside the channel object (static pool of
 * CONFIG_MAX_CHANNELS); the handles they carry are held as object
 * references while in flight.
 *
 * Signals: an end is READABLE while its queue holds a message, WRITABLE
 * while its peer's queue has room, PEER_CLOSED once the peer is gone. Every
 * change notifies the end whose signal changed: a write notifies the peer
 * (readable), a read notifies the writer's end (writable), a close notifies
 * the peer (peer closed).
 */
#include <rvos/errno.h>
#include <stddef.h>
#include <kernel/channel.h>
#include <kernel/handle.h>
#include <kernel/mem.h>
#include <kernel/panic.h>
#include <kernel/port.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <rvos/syscall.h>
#include <kernel/timer.h>
#include <kernel/trace.h>
#include <kernel/util.h>

struct message {
	uint32_t num_bytes;
	uint32_t num_handles;
	struct kobject *objs[MSG_HANDLE_ARRAY];
	/* Their rights and derivations (kernel/revoke.c), as
	 * handle_entry.rights_via. */
	uint32_t rights_via[MSG_HANDLE_ARRAY];
	/* Word-aligned, so that copies in and out move words when the user
	 * buffer is aligned too. */
	uint8_t bytes[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
};

struct channel;

struct channel_end {
	struct kobject obj; /* first: a kobject pointer is an end pointer */
	struct channel *chan;
	struct channel_end *other; /* the peer end, open or not */
	bool open;          /* a handle or an in-flight message still holds it */
	unsigned int head;  /* oldest queued message */
	unsigned int count;
	unsigned int ends_queued; /* channel ends carried by the queued messages */
	uint64_t sent;       /* messages written through this end (channel_list) */
	uint64_t sent_bytes; /* and their bytes */
#ifdef CONFIG_TRACING
	uint16_t trace_id;   /* channel id << 1 | which end: trace records' */
#endif /* CONFIG_TRACING */
	struct message queue[CONFIG_CHANNEL_QUEUE_DEPTH];
};

struct channel {
	struct channel_end ends[2];
	bool in_use;
	int creator_pid; /* charged against its CONFIG_MAX_CHANNELS_PER_PROC */
};

static struct channel channels[CONFIG_MAX_CHANNELS];
static unsigned int channels_in_use;
static unsigned int messages_queued;

unsigned int channel_count(void)
{
	return channels_in_use;
}

unsigned int channel_messages_queued(void)
{
	return messages_queued;
}

static struct channel_end *end_of(struct kobject *obj)
{
	return container_of(obj, struct channel_end, obj);
}

static struct channel_end *peer_of(struct channel_end *e)
{
	return e->other->open ? e->other : NULL;
}

uint32_t channel_end_signals(const struct kobject *obj)
{
	struct channel_end *e = end_of((struct kobject *)obj);
	struct channel_end *peer = peer_of(e);
	uint32_t s = 0;

	if (e->count)
		s |= RV_SIGNAL_READABLE;
	if (!peer)
		s |= RV_SIGNAL_PEER_CLOSED;
	else if (peer->count < CONFIG_CHANNEL_QUEUE_DEPTH)
		s |= RV_SIGNAL_WRITABLE;
	return s;
}

#ifdef CONFIG_TRACING
static inline void trace_end_init(struct channel_end *e, unsigned int id)
{
	e->trace_id = (uint16_t)id;
}

/* The trace id of an end: channel id << 1 | which end. */
static inline __attribute__((always_inline)) unsigned int trace_id(const struct channel_end *e)
{
	return e->trace_id;
}

unsigned int channel_id(const struct kobject *obj)
{
	return trace_id(end_of((struct kobject *)obj)) >> 1;
}

/* channel_call's fast path took a call of p: its request (n: its bytes, and
 * its handles << 32, through e) is r's now. One record stands for the
 * whole hand-off. */
static inline __attribute__((always_inline)) void trace_fastpath(struct proc *p, struct proc *r,
								  struct channel_end *e, uint64_t n,
								  unsigned int path)
{
	struct trace_ring *t = &trace_ring;
	struct rv_trace_event *ev;
	trace_u32 *w;
	unsigned long id;
	uint64_t now, at;

	if (!trace_on())
		return;
	now = trace_time();
	id = e->other->trace_id;
	/* trace_put_at, by halves of a: no 32-bit extensions to compute */
	if (IS_ENABLED(CONFIG_TRACE_IPC) &&
	    !(IS_ENABLED(CONFIG_TRACE_STOP) && t->next >= TRACE_RING_SIZE)) {
		ev = &t->ev[t->next++ & (TRACE_RING_SIZE - 1)];
		/* every store from one base (gcc computes an address per
		 * field otherwise) */
		w = (trace_u32 *)ev;
		((trace_u64 *)w)[0] = now;                                      /* time */
		w[2] = RV_TRACE_IPC_SEND | path << 8 | (unsigned int)id << 16; /* type, flags, arg16 */
		w[3] = (uint32_t)p->pid;
		w[4] = (uint32_t)e->sent; /* a: the number, ... */
		w[5] = (uint32_t)r->pid;  /* ... the receiver */
		((trace_u64 *)w)[3] = n;  /* b */
	} else if (IS_ENABLED(CONFIG_TRACE_IPC)) {
		t->lost++;
	}
	if (!IS_ENABLED(CONFIG_TRACE_LATENCY))
		return;
	/* trace_call_end_chan, recording: r's round trip is over, and this
	 * message is its reply: p's call (a server replying with
	 * channel_call) is a reply-and-wait, not a round trip of its own.
	 * Otherwise it is a request, and p's round trip starts. */
	at = r->trace_call_at;
	if (at) {
		r->trace_call_at = 0;
		trace_hists.ipc[id >> 1].bucket[trace_hist_bucket(now - at)]++;
	} else if (path == RV_TRACE_PATH_FAST) {
		p->trace_call_at = now;
	}
}
#else
static inline void trace_end_init(struct channel_end *e, unsigned int id)
{
	(void)e;
	(void)id;
}

static inline unsigned int trace_id(const struct channel_end *e)
{
	(void)e;
	return 0;
}

static inline void trace_fastpath(struct proc *p, struct proc *r, struct channel_end *e,
				  uint64_t n, unsigned int path)
{
	(void)p;
	(void)r;
	(void)e;
	(void)n;
	(void)path;
}
#endif /* CONFIG_TRACING */

int channel_create(struct proc *creator, struct kobject **end0, struct kobject **end1)
{
	struct channel *c = NULL;

	if (creator->channels_created >= CONFIG_MAX_CHANNELS_PER_PROC)
		return -RV_ENOSPC;
	for (unsigned int i = 0; i < CONFIG_MAX_CHANNELS; i++) {
		if (!channels[i].in_use) {
			c = &channels[i];
			break;
		}
	}
	if (!c)
		return -RV_ENFILE;
	c->in_use = true;
	c->creator_pid = creator->pid;
	creator->channels_created++;
	channels_in_use++;
	for (unsigned int i = 0; i < 2; i++) {
		struct channel_end *e = &c->ends[i];
		kobject_init(&e->obj, RV_OBJ_CHANNEL);
		e->chan = c;
		e->other = &c->ends[!i];
		e->open = true;
		e->head = 0;
		e->count = 0;
		e->ends_queued = 0;
		e->sent = 0;
		e->sent_bytes = 0;
		trace_end_init(e, (unsigned int)(c - channels) << 1 | i);
	}
	*end0 = &c->ends[0].obj;
	*end1 = &c->ends[1].obj;
	return 0;
}

/* A message went out through e (channel_list's counters). */
static inline void count_sent(struct channel_end *e, uint32_t bytes)
{
	e->sent++;
	e->sent_bytes += bytes;
}

static struct message *queue_slot(struct channel_end *e, unsigned int i)
{
	return &e->queue[(e->head + i) % CONFIG_CHANNEL_QUEUE_DEPTH];
}

/* Drop the oldest message; its handles are closed unless taken already. */
static inline __attribute__((always_inline)) void queue_pop(struct channel_end *e,
							      bool close_handles)
{
	struct message *m = queue_slot(e, 0);

	for (unsigned int i = 0; i < m->num_handles; i++) {
		if (m->objs[i]->type == RV_OBJ_CHANNEL)
			e->ends_queued--;
		if (close_handles) {
			via_put(handle_via_of(m->rights_via[i])); /* first: revoke.h */
			kobject_put(m->objs[i]);
		}
	}
	e->head = (e->head + 1) % CONFIG_CHANNEL_QUEUE_DEPTH;
	e->count--;
	messages_queued--;
}

void channel_end_release(struct kobject *obj)
{
	struct channel_end *e = end_of(obj);
	struct channel_end *peer = peer_of(e);
	struct channel *c = e->chan;

	e->open = false;
	/* Messages nobody will read: close what they carry. This may release
	 * other channel ends, never this one (its last reference is gone). */
	while (e->count)
		queue_pop(e, true);
	if (peer) {
		kobject_notify(&peer->obj);
		return;
	}
	/* Both ends closed: the channel goes back to the pool. */
	struct proc *creator = proc_by_pid(c->creator_pid);
	if (creator && creator->channels_created)
		creator->channels_created--;
	c->in_use = false;
	channels_in_use--;
}

/*
 * The process that can take a message written to end e directly, with its
 * buffers recorded: one blocked reading e (*bp NULL), or the owner of a port
 * e is bound to, blocked in port_wait with nothing queued before it (*bp:
 * the binding, whose event it gets).
 */
static inline __attribute__((always_inline)) struct proc *port_receiver(struct port_binding *b)
{
	struct port *pt = b->port;
	struct list_node *head = &pt->obj.waiters, *link = head->next;
	struct proc *r;

	/* Its only waiter (the port is its owner's alone), receiving on it. */
	if (!(b->w.signals & RV_SIGNAL_READABLE) || !list_is_empty(&pt->ready) || link == head ||
	    link != head->prev)
		return NULL;
	r = container_of(link, struct waiter, link)->proc;
	return r->recv_end == &pt->obj ? r : NULL;
}

static struct proc *receiver(struct channel_end *e, struct port_binding **bp)
{
	struct list_node *pos;

	for (pos = e->obj.waiters.next; pos != &e->obj.waiters; pos = pos->next) {
		struct waiter *w = container_of(pos, struct waiter, link);
		struct proc *r = w->proc;

		*bp = NULL;
		if (!r) {
			*bp = waiter_binding(w);
			r = port_receiver(*bp);
			if (r && r->state == PROC_BLOCKED)
				return r;
		} else if (r->recv_end == &e->obj && r->state == PROC_BLOCKED) {
			return r;
		}
	}
	return NULL;
}

/* A port receiver's event for a message delivered to the end b is bound
 * to: READABLE, and WRITABLE if bound and the writer's end (w_end) has
 * room -- the signals the end would have with the message queued. */
static inline __attribute__((always_inline)) void port_event(struct proc *r,
							     const struct port_binding *b,
							     const struct channel_end *w_end)
{
	struct rv_port_event *ev = r->as.rx_event;

	ev->key = b->key;
	ev->observed = b->w.signals & (RV_SIGNAL_READABLE |
				       (w_end->count < CONFIG_CHANNEL_QUEUE_DEPTH ? RV_SIGNAL_WRITABLE : 0));
	ev->status = 0;
}

/*
 * Where a reader about to block in a read (umsg: its struct rv_msg, m: what
 * it holds) can take a message directly: its rv_msg and the first page of
 * its buffer as kernel pointers (as.rx_*). Nothing recorded (rx_msg NULL)
 * when the struct is misaligned, straddles a page or is not writable; no
 * room when the buffer is not writable: messages then go through the
 * queue, and the reader's general read reports what is wrong.
 */
static inline __attribute__((always_inline)) void rx_record_at(struct proc *p, struct rv_msg *um,
								const struct rv_msg *m)
{
	struct addr_space *as = &p->as;
	uintptr_t b = (uintptr_t)m->bytes;
	uint32_t room = 4096 - (uint32_t)(b & 4095);

	as->rx_msg = um;
	as->rx_bytes = m->num_bytes ? user_page(as, b, PTE_R | PTE_W) : NULL;
	as->rx_room = !as->rx_bytes ? 0 : m->num_bytes < room ? m->num_bytes : room;
	/* The whole buffer, for messages beyond the first page (checked when
	 * one comes: the buffer need not be mapped now). */
	as->rx_ubuf = b;
	p->rx_cap = as->rx_msg ? m->num_bytes : 0;
}

void channel_rx_record(struct proc *p, uintptr_t umsg, const struct rv_msg *m)
{
	rx_record_at(p, (umsg & 7) ? NULL : user_span(&p->as, umsg, sizeof(struct rv_msg), true), m);
}

/* Copy a small message: words when both ends are 8-aligned (then the
 * bytes of a length that is not: a console line of 77 bytes), bytes
 * otherwise. Inline, without calls: the fast path stays a leaf. */
static inline __attribute__((always_inline)) void copy_small(uint8_t *dst, const uint8_t *src, size_t n)
{
	if (__builtin_expect(!(((uintptr_t)dst | (uintptr_t)src | n) & 7), 1)) {
		const uint64_t *s = (const uint64_t *)src, *end = (const uint64_t *)(src + n);
		uint64_t *d = (uint64_t *)dst;

		while (s != end)
			*d++ = *s++;
	} else if (!(((uintptr_t)dst | (uintptr_t)src) & 7)) {
		const uint64_t *s = (const uint64_t *)src, *end = s + (n >> 3);
		uint64_t *d = (uint64_t *)dst;

		while (s != end)
			*d++ = *s++;
		for (size_t i = n & ~(size_t)7; i < n; i++)
			dst[i] = src[i];
	} else {
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
	}
}

/* The reader's channel_read (or call) returns 0 with sizes: the bytes, and
 * the handles << 32. */
static inline void rx_complete(struct proc *r, uint64_t sizes)
{
	/* num_bytes and num_handles in one store (rx_msg is 8-aligned). */
	_Static_assert(offsetof(struct rv_msg, num_handles) == offsetof(struct rv_msg, num_bytes) + 4,
		       "rv_msg: num_bytes, then num_handles");
	typedef uint64_t __attribute__((may_alias)) u64_alias;

	*(u64_alias *)&r->as.rx_msg->num_bytes = sizes;
	r->regs->x[10] = 0;
}

/*
 * Fast path: a small message without handles, to an end with an empty
 * queue and a process blocked reading it, goes straight from the writer's
 * buffer into the reader's, and the reader returns from its system call
 * without running any more kernel code (seL4's fastpath idea). Anything
 * unusual -- a buffer that straddles a page, a reader buffer too small, a
 * pointer that does not work -- falls back to the queue, whose slow path
 * reports the error to the reader.
 */
/* Is r, blocked, to resume by a continuation that runs its read again from
 * its saved registers, and so reads its struct rv_msg when it runs (the
 * general read's or call's, or the call fast path's)? */
static inline bool reads_again(const struct proc *r)
{
	return r->ctx.ra == (uintptr_t)channel_call_continue ||
	       r->ctx.ra == (uintptr_t)channel_read_continue;
}

/* What a blocked reader r takes beyond the first page of its buffer (then
 * copied page by page): the buffer and capacity recorded when it blocked
 * in a read, or, for a caller blocked by the fast path, those its
 * continuation would read from its struct rv_msg (rx_msg) when it runs --
 * read now. */
static uint32_t rx_capacity(const struct proc *r, uintptr_t *buf)
{
	if (!r->rx_cap && r->ctx.ra == (uintptr_t)channel_call_continue) {
		*buf = (uintptr_t)r->as.rx_msg->bytes;
		return r->as.rx_msg->num_bytes;
	}
	*buf = r->as.rx_ubuf;
	return r->rx_cap;
}

/* Where a blocked reader r (not a port's) takes nh handles straight in: its
 * handle array, when its read runs again from its struct rv_msg when it
 * wakes (reads_again) and would install them there -- the lowest free
 * slots, in order -- because it finds room in its table and a writable,
 * big enough array. NULL otherwise: they are queued, and the read reports
 * what is wrong. */
static inline __attribute__((always_inline)) rv_handle_t *direct_handles(struct proc *r,
									   uint32_t nh, bool fast)
{
	const struct rv_msg *um = r->as.rx_msg;
	uintptr_t uh = (uintptr_t)um->handles;

	/* (the room in r's table: counted inline on the call fast path) */
	if (!reads_again(r) || um->num_handles < nh || (uh & 3) ||
	    !(fast ? handle_table_has(&r->handles, nh) : handle_table_free(&r->handles) >= nh))
		return NULL;
	return user_span(&r->as, uh, nh * sizeof(rv_handle_t), true);
}

/* No cycles of channel ends (they would keep each other alive with no
 * process able to reach them): an end may travel only while its own queue
 * carries no channel ends. Every cycle is closed by such a send, so none
 * can form. Would the end of handle entry e break the rule? */
static inline bool handle_loops(const struct handle_entry *e)
{
	return e->obj->type == RV_OBJ_CHANNEL && end_of(e->obj)->ends_queued;
}

/* Would one of the n handles to send (ents[]) break the rule now? */
static inline bool handles_loop(struct handle_entry *const *ents, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (handle_loops(ents[i]))
			return true;
	}
	return false;
}

/*
 * The handles of a message p sends, n (> 0) of them, in one call for each
 * way a send takes them. With uh (kernel pointer to the writer's array),
 * it checks them for p's end e (self: the value of e's handle), each entry
 * into ents[] as it is checked (what is checked is what moves: ents[],
 * never the values again): live, with TRANSFER (handle_lookup's errors),
 * neither e nor its peer, none twice (-EINVAL); then 1 if one would break
 * the cycle rule now (handle_loops; the caller decides when that is
 * -ELOOP). With `to` (and, with uh, only when all that found 0), it moves
 * the handles of ents[] into `to`, their new values to out[]
 * (handle_move): a reader's table, which has room. Else 0. One copy, for
 * channel_write's check, its direct delivery's move and the call fast
 * path's both. (It calls nothing but its last jump, and is never in a
 * backtrace: no frame record.)
 */
static int __attribute__((noinline, optimize("omit-frame-pointer")))
handles_pass(struct proc *p, const struct channel_end *e, rv_handle_t self, const rv_handle_t *uh,
	     unsigned int n, struct handle_entry **ents, struct handle_table *to, rv_handle_t *out)
{
	const struct channel *chan = uh ? e->chan : NULL;
	struct handle_table *t = &p->handles;
	uint64_t seen = 0, bit;
	unsigned int loops = 0;

	/* (t in a register: each entry's address is computed once, for the
	 * lookup's loads and for ents[]) */
	__asm__("" : "+r"(t));

	for (unsigned int i = 0; uh && i < n; i++) {
		rv_handle_t h = uh[i];
		struct handle_entry *he;
		int err;

		if (h == self)
			return -RV_EINVAL; /* an end cannot travel through itself */
		err = handle_lookup(t, h, RV_OBJ_NONE, RV_RIGHT_TRANSFER, &he);
		if (err)
			return err;
		/* Nor its peer: a queue holding its own end would never be freed. */
		if (he->obj->type == RV_OBJ_CHANNEL) {
			if (end_of(he->obj)->chan == chan)
				return -RV_EINVAL;
			loops |= end_of(he->obj)->ends_queued;
		}
		/* None twice. Two live handles of one slot are one value (and
		 * one entry): a bit per slot (modulo 64) tells, or says where
		 * to look. */
		bit = 1ull << (h & 63);
		if (seen & bit) {
			if (CONFIG_MAX_HANDLES <= 64)
				return -RV_EINVAL;
			for (unsigned int j = 0; j < i; j++) {
				if (ents[j] == he)
					return -RV_EINVAL;
			}
		}
		seen |= bit;
		ents[i] = he;
	}
	if (loops)
		return 1;
	return to ? handle_move(t, ents, n, to, out) : 0;
}

/* The message m (its bytes at src in the kernel when they lie within a
 * page, else src is NULL) straight into a reader blocked on peer, when
 * there is one that can take it; false, having changed nothing, if not. */
static bool deliver_direct(struct proc *w, struct channel_end *peer, const struct rv_msg *m,
			   struct handle_entry **ents, const uint8_t *src)
{
	typedef uint64_t __attribute__((may_alias)) u64_alias;
	struct port_binding *b = NULL; /* (set by receiver(); said for -Os's flow analysis) */
	struct proc *r = receiver(peer, &b);
	uintptr_t ub = (uintptr_t)m->bytes, rbuf;
	uint32_t n = m->num_bytes, nh = m->num_handles, cap;
	rv_handle_t *rh = NULL;

	if (!r || !r->as.rx_msg)
		return false;
	/* (handles: not to a port's receiver) */
	if (nh && (b || !(rh = direct_handles(r, nh, false))))
		return false;
	if (n <= r->as.rx_room && (src || !n)) {
		copy_small(r->as.rx_bytes, src, n);
	} else {
		/* Larger than a page, or straddling pages: still one copy,
		 * page by page between the two address spaces, when the
		 * reader's general read would find room and a writable buffer
		 * for it (rx_capacity). The writer's bytes were checked by
		 * channel_write. */
		cap = rx_capacity(r, &rbuf);
		if (n > cap || !user_access_ok(&r->as, rbuf, n, true))
			return false;
		if (copy_user_to_user(&r->as, rbuf, &w->as, ub, n))
			return false; /* (cannot happen: both checked) */
	}
	/* (nothing can fail from here on) */
	if (nh)
		handles_pass(w, NULL, 0, NULL, nh, ents, &r->handles, rh);
	/* num_bytes and num_handles in one store, as rx_complete */
	*(u64_alias *)&r->as.rx_msg->num_bytes = n | (uint64_t)nh << 32;
	r->regs->x[10] = 0;
	trace_ipc_send(trace_id(peer), peer->other->sent, RV_TRACE_PATH_DIRECT, r, n, nh);
	/* A reply: a channel_call of the writer is a reply-and-wait, not a
	 * round trip (as on the fast path) */
	if (trace_call_end_chan(r, trace_id(peer) >> 1, trace_time()))
		trace_call_abort(w);
	if (b)
		port_event(r, b, peer->other);
	/* off the sleep list, if it had a deadline (blocked: on no other) */
	if (list_node_is_linked(&r->sched_link))
		list_remove(&r->sched_link);
	waiters_remove_all(r);
	sched_resume_in_user(r);
	/* Ready, and first at the next trap exit if it outranks the writer.
	 * (channel_call's own fast path switches to it directly.) */
	sched_make_ready(r);
	return true;
}

/* Has one of the n handles to send come through a revoked derivation? */
static bool handles_revoked(struct handle_entry *const *ents, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (ents[i]->via && revoker_is_revoked(ents[i]->via))
			return true;
	}
	return false;
}

/* The user's struct rv_msg. */
/* The caller's struct rv_msg into *m: through one translation when it is
 * aligned within a page (*span then points at it, writable if asked),
 * else copied (*span NULL). */
static inline __attribute__((always_inline)) int msg_fetch(struct proc *p, uintptr_t umsg,
							   bool write, struct rv_msg *m,
							   struct rv_msg **span)
{
	*span = (umsg & 7) ? NULL : user_span(&p->as, umsg, sizeof(*m), write);
	if (*span) {
		*m = **span;
		return 0;
	}
	return copy_from_user(&p->as, m, umsg, sizeof(*m)) ? -RV_EFAULT : 0;
}

long channel_write(struct proc *p, const struct handle_entry *he, rv_handle_t self, uintptr_t umsg,
		   uint32_t flags, uint64_t deadline)
{
	struct channel_end *e = end_of(he->obj);
	rv_handle_t hv[MSG_HANDLE_ARRAY];
	struct handle_entry *ents[MSG_HANDLE_ARRAY];
	struct channel_end *peer;
	struct message *slot;
	const uint8_t *src;
	struct rv_msg *um;
	struct rv_msg m;
	bool waited = false;
	int err, loops = 0;

	/* verify: the message, its bytes and every handle it moves (the
	 * struct and the handle array through one translation each when they
	 * are aligned within a page, else copied) */
	err = msg_fetch(p, umsg, false, &m, &um);
	if (err)
		return err;
	if (!IS_ENABLED(CONFIG_IPC_HANDLE_TRANSFER) && m.num_handles)
		return -RV_ENOSYS; /* no handles in messages (Kconfig.features) */
	if (m.num_bytes > CONFIG_MSG_MAX_BYTES || m.num_handles > CONFIG_MSG_MAX_HANDLES)
		return -RV_EMSGSIZE;
	/* bytes within one page: translated once, for the check and the copy */
	src = m.num_bytes ? user_span(&p->as, (uintptr_t)m.bytes, m.num_bytes, false) : NULL;
	if (!src && !user_access_ok(&p->as, (uintptr_t)m.bytes, m.num_bytes, false))
		return -RV_EFAULT;
	/* Checked above; saying it again lets gcc's bounds analysis see it
	 * when the limit is 0. */
	if (m.num_handles > CONFIG_MSG_MAX_HANDLES)
		__builtin_unreachable();
	if (m.num_handles) {
		const rv_handle_t *uh = ((uintptr_t)m.handles & 3)
						? NULL
						: user_span(&p->as, (uintptr_t)m.handles,
							    m.num_handles * sizeof(hv[0]), false);

		if (!uh) {
			if (copy_from_user(&p->as, hv, (uintptr_t)m.handles,
					   m.num_handles * sizeof(hv[0])))
				return -RV_EFAULT;
			uh = hv;
		}
		loops = handles_pass(p, e, self, uh, m.num_handles, ents, NULL, NULL);
		if (loops < 0)
			return loops;
	}

	/* wait for room */
	for (;;) {
		peer = peer_of(e);
		if (!peer)
			return -RV_EPEERCLOSED;
		if (peer->count < CONFIG_CHANNEL_QUEUE_DEPTH)
			break;
		if (flags & RV_IPC_NONBLOCK)
			return -RV_EAGAIN;
		waiter_add(p, &e->obj, RV_SIGNAL_WRITABLE | RV_SIGNAL_PEER_CLOSED, he->via);
		err = kobject_block(deadline);
		if (err)
			return err;
		waited = true;
	}
	/* The handles were checked before blocking; a blocked writer's table
	 * cannot change (single thread per process), so they still hold --
	 * unless one came through a derivation revoked meanwhile. */
	if (waited && handles_revoked(ents, m.num_handles))
		return -RV_ECANCELED;

	/* The cycle rule (handles_loop), after the wait: others may have
	 * written into an end's queue meanwhile. */
	if (waited ? handles_loop(ents, m.num_handles) : loops)
		return -RV_ELOOP;

	count_sent(e, m.num_bytes); /* it goes, one way or the other */
	/* (src: still the page of the bytes, unless a wait above may have
	 * unmapped it -- a revoke -- and it is translated again) */
	if (src && waited)
		src = user_span(&p->as, (uintptr_t)m.bytes, m.num_bytes, false);
	if (!peer->count && deliver_direct(p, peer, &m, ents, src))
		return 0;

	/* impl: copy and move, nothing can fail from here on */
	slot = queue_slot(peer, peer->count);
	slot->num_bytes = m.num_bytes;
	slot->num_handles = m.num_handles;
	if (src && m.num_bytes <= 64)
		copy_small(slot->bytes, src, m.num_bytes);
	else if (src)
		memcpy(slot->bytes, src, m.num_bytes);
	else
		copy_from_user(&p->as, slot->bytes, (uintptr_t)m.bytes, m.num_bytes);
	for (unsigned int i = 0; i < m.num_handles; i++) {
		slot->objs[i] = ents[i]->obj;
		slot->rights_via[i] = ents[i]->rights_via;
		if (slot->objs[i]->type == RV_OBJ_CHANNEL)
			peer->ends_queued++;
		/* (by its slot, all handle_detach takes of a value) */
		handle_detach(&p->handles, (rv_handle_t)(ents[i] - p->handles.slots));
	}
	trace_ipc_send(trace_id(peer), e->sent, RV_TRACE_PATH_QUEUED, NULL, m.num_bytes,
		       m.num_handles);
	peer->count++;
	messages_queued++;
	kobject_notify(&peer->obj);
	return 0;
}

/* The current process p, its waiter and receive record in place, blocks by
 * the continuation cont (sched_block_continuation). */
static void __attribute__((noreturn)) block_continue(struct proc *p, void (*cont)(void))
{
	p->state = PROC_BLOCKED;
	p->block = BLOCK_OBJECT;
	p->wait_cancelled = false;
	sched_set_continuation(p, cont);
	sched_block_continuation();
}

long channel_read(struct proc *p, const struct handle_entry *he, uintptr_t umsg, uint32_t flags,
		  uint64_t deadline, void (*cont)(void))
{
	struct channel_end *e = end_of(he->obj);
	rv_handle_t hv[MSG_HANDLE_ARRAY];
	struct message *msg;
	struct rv_msg m, *um;
	uint8_t *dst;
	int err;

	/* The struct rv_msg, when it is aligned within a page and writable:
	 * read and written back through one translation (else copied, and
	 * checked before the message is taken, as below). */
	err = msg_fetch(p, umsg, true, &m, &um);
	if (err)
		return err;
	for (;;) {
		if (e->count)
			break;
		if (!peer_of(e))
			return -RV_EPEERCLOSED;
		if (flags & RV_IPC_NONBLOCK)
			return -RV_EAGAIN;
		waiter_add(p, &e->obj, RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED, he->via);
		rx_record_at(p, um, &m);
		p->recv_end = &e->obj;
		/* A system call's read without a deadline blocks by its
		 * continuation, which runs this read again from its saved
		 * registers when anything but a message delivered straight in
		 * wakes it: no kernel frames to return through, and a process
		 * to run next that resumes in user mode gets the hart without
		 * the ready queue's switch (sched_block_continuation). */
		if (cont && deadline == UINT64_MAX)
			block_continue(p, cont);
		err = kobject_block(deadline);
		if (err)
			return err;
		/* (the wait may have unmapped it: a revoke) */
		if (um)
			um = user_span(&p->as, umsg, sizeof(m), true);
	}

	/* verify: room for the message, in the buffers and the handle table */
	msg = queue_slot(e, 0);
	if (m.num_bytes < msg->num_bytes || m.num_handles < msg->num_handles) {
		m.num_bytes = msg->num_bytes;
		m.num_handles = msg->num_handles;
		if (copy_to_user(&p->as, umsg, &m, sizeof(m)))
			return -RV_EFAULT;
		return -RV_EMSGSIZE; /* the message stays queued */
	}
	if (handle_table_free(&p->handles) < msg->num_handles)
		return -RV_EMFILE;
	dst = msg->num_bytes ? user_span(&p->as, (uintptr_t)m.bytes, msg->num_bytes, true) : NULL;
	if ((!dst && !user_access_ok(&p->as, (uintptr_t)m.bytes, msg->num_bytes, true)) ||
	    !user_access_ok(&p->as, (uintptr_t)m.handles, msg->num_handles * sizeof(hv[0]), true) ||
	    (!um && !user_access_ok(&p->as, umsg, sizeof(m), true)))
		return -RV_EFAULT;

	/* impl */
	if (dst && msg->num_bytes <= 64)
		copy_small(dst, msg->bytes, msg->num_bytes);
	else if (dst)
		memcpy(dst, msg->bytes, msg->num_bytes);
	else
		copy_to_user(&p->as, (uintptr_t)m.bytes, msg->bytes, msg->num_bytes);
	for (unsigned int i = 0; i < msg->num_handles; i++)
		hv[i] = (rv_handle_t)handle_install_via(&p->handles, msg->objs[i],
							msg->rights_via[i]);
	if (msg->num_handles)
		copy_to_user(&p->as, (uintptr_t)m.handles, hv, msg->num_handles * sizeof(hv[0]));
	m.num_bytes = msg->num_bytes;
	m.num_handles = msg->num_handles;
	if (um)
		*um = m;
	else
		copy_to_user(&p->as, umsg, &m, sizeof(m));
	/* (its number: the messages written to e, less those still queued) */
	trace_ipc_recv(trace_id(e), e->other->sent - e->count + 1, m.num_bytes, m.num_handles);
	queue_pop(e, false);
	if (peer_of(e))
		kobject_notify(&peer_of(e)->obj);
	return 0;
}

/*
 * channel_call's fast path, the round trip of a small request and reply
 * between two processes that both sit in channel_call (a server uses it to
 * reply and wait for the next request, like seL4's ReplyRecv). Entered
 * from the trap vector for every channel_call, before the general system
 * call path. When the request has no handles, both struct rv_msg are
 * aligned, and the peer end has a reader blocked in a read (its only
 * waiter), whose recorded buffer (rx_record) takes the request, and
 * nobody of higher priority than the reader is ready, the bytes go straight
 * from the caller's buffer into the reader's, the caller blocks reading its
 * own end (its buffers recorded for the reply's fast path) with a
 * continuation instead of kernel frames, and the reader resumes in user
 * mode: one address-space switch, no ready queue, no context switch of
 * kernel stacks. Otherwise it returns having changed nothing, and the
 * general path runs.
 *
 * Two copies of one body: channel_call_fastpath uses only cached
 * translations and calls nothing but the final jump to user mode, so it
 * needs no stack frame; on a translation miss or a deadline it hands over
 * to fastpath_full, which walks page tables and arms timers.
 */

_Static_assert(RV_SYS_CHANNEL_CALL == 16, "arch/riscv/trap.S tests a7 against 16");
_Static_assert(RV_SYS_PORT_WAIT == 38, "arch/riscv/trap.S tests a7 against 38");

enum { FASTPATH_GENERAL, FASTPATH_FULL, FASTPATH_PORT };

/* Kernel pointer to user byte va, for reading or writing. */
static inline __attribute__((always_inline)) void *fp_page(const struct addr_space *as, uintptr_t va,
							   bool write, bool cached)
{
	return cached ? user_page_cached(as, va, write) : user_page(as, va, write ? PTE_R | PTE_W : PTE_R);
}

/* Does [va, va + len) lie within one page? */
static inline __attribute__((always_inline)) bool in_one_page(uintptr_t va, size_t len)
{
	return (va & 4095) + len <= 4096;
}

/* Kernel pointer for reading user byte va: through k, the writable (so
 * readable too) kernel pointer of user byte near, when va is in the same
 * page; by a lookup of its own otherwise. */
static inline __attribute__((always_inline)) void *fp_near(const struct addr_space *as, uintptr_t va,
							   uintptr_t near, uint8_t *k, bool cached)
{
	if (__builtin_expect(va >> 12 == near >> 12, 1))
		return k + (va - near);
	return fp_page(as, va, false, cached);
}

/* channel_read_now's wait: its struct rv_msg aligned (else channel_read
 * runs) */
static long __attribute__((noinline)) channel_read_block(struct proc *p,
							 const struct handle_entry *he,
							 uintptr_t umsg)
{
	struct kobject *obj = he->obj;
	struct rv_msg *um = user_span(&p->as, umsg, sizeof(*um), true), m;

	if (!um)
		return channel_read(p, he, umsg, 0, UINT64_MAX, channel_read_continue);
	m = *um;
	rx_record_at(p, um, &m);
	waiter_add(p, obj, RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED, he->via);
	p->recv_end = obj;
	block_continue(p, channel_read_continue);
}

/*
 * A read system call without a deadline (sys_channel_read): when it must
 * wait -- nothing queued, the peer open, not RV_IPC_NONBLOCK -- and its
 * struct rv_msg is aligned within a page, it blocks as channel_read would
 * (its waiter, receive record and continuation), without the general
 * read's frame (channel_read_block); else channel_read runs. (It only
 * jumps on: never in a backtrace, no frame record.)
 */
__attribute__((optimize("omit-frame-pointer"))) long
channel_read_now(struct proc *p, const struct handle_entry *he, uintptr_t umsg, uint32_t flags)
{
	struct channel_end *e = end_of(he->obj);

	if (e->count || !peer_of(e) || (flags & RV_IPC_NONBLOCK) || (umsg & 7) ||
	    !in_one_page(umsg, sizeof(struct rv_msg)))
		return channel_read(p, he, umsg, flags, UINT64_MAX, channel_read_continue);
	return channel_read_block(p, he, umsg);
}

/* A fast path took r, blocked with its one waiter (link) on the list head:
 * off that list and the sleep list, no longer receiving. (link itself is
 * left as it was: a waiter beyond waiter_count is never looked at.) */
static inline __attribute__((always_inline)) void fp_unblock(struct proc *r, struct list_node *head,
							     struct list_node *link)
{
	(void)link;
	list_init(head);
	r->waiter_word = 0; /* waiter_count and rx_cap: one store */
	r->recv_end = NULL;
	if (list_node_is_linked(&r->sched_link))
		list_remove(&r->sched_link);
}

/* The current process p blocks receiving on obj, its only waiter, with a
 * continuation for any wake-up but a message delivered straight in (the
 * caller sets waiter_count, and rx_cap with it). */
static inline __attribute__((always_inline)) void fp_block(struct proc *p, struct kobject *obj,
							   uint32_t signals, void (*cont)(void))
{
	struct waiter *w = &p->waiters[0];

	w->proc = p;
	w->obj = obj;
	w->signals_via = signals; /* via 0: the fast paths take plain handles only */
	list_append(&obj->waiters, &w->link);
	p->recv_end = obj;
	p->state = PROC_BLOCKED;
	p->block = BLOCK_OBJECT;
	sched_set_continuation(p, cont);
}

/* The call fast path's nh handles (the request req of p, through its end e,
 * whose handle is self), to r, blocked reading e's peer: r's read would
 * find room for them (direct_handles), and they pass channel_write's
 * checks (no -ELOOP either), then are moved into r's table as
 * deliver_direct moves them: handles_pass, once. False, with nothing
 * changed, when any of it fails: the general path then runs and says what. (Only fastpath_full's
 * first copy of the body has it: the others take no handles.) */
static inline __attribute__((always_inline)) bool handles_move_fp(struct proc *p,
								   const struct channel_end *e,
								   rv_handle_t self,
								   const struct rv_msg *req, uint32_t nh,
								   struct proc *r)
{
	struct handle_entry *ents[MSG_HANDLE_ARRAY];
	uintptr_t ua = (uintptr_t)req->handles;
	const rv_handle_t *uh;
	rv_handle_t *rh;

	return IS_ENABLED(CONFIG_IPC_HANDLE_TRANSFER) && nh <= CONFIG_MSG_MAX_HANDLES && !(ua & 3) &&
	       (uh = user_span(&p->as, ua, nh * sizeof(*uh), false)) &&
	       (rh = direct_handles(r, nh, true)) &&
	       !handles_pass(p, e, self, uh, nh, ents, &r->handles, rh);
}

static inline __attribute__((always_inline)) int fastpath(struct user_regs *regs, bool cached,
							  bool port)
{
	struct proc *p = current, *r;
	struct port_binding *b = NULL;
	struct handle_entry *he;
	struct channel_end *e, *peer;
	struct list_node *head, *link;
	const struct rv_msg *req;
	struct rv_msg *rep;
	const uint8_t *src;
	uint8_t *rbytes = NULL;
	uintptr_t ureq, urep, rb, sb;
	uint64_t deadline;
	size_t n, cap, room = 0;
	struct call_record *fp;
	uint32_t nh;
	bool hit;

	/* (a0 whole: a value wider than a handle, or a derived handle, fails
	 * the lookup, and the general path says -EINVAL or looks again).
	 * Only the copies that use cached translations look it up: they alone
	 * hand over to the others, having found it good. */
	if (!cached)
		he = &p->handles.slots[regs->x[10] & SLOT_MASK];
	else if (handle_lookup_direct(&p->handles, regs->x[10], RV_OBJ_CHANNEL,
				      RV_RIGHT_READ | RV_RIGHT_WRITE, &he))
		return FASTPATH_GENERAL;
	e = end_of(he->obj);
	ureq = regs->x[11];
	urep = regs->x[12];
	/* Both struct rv_msg aligned and each within a page, in one test --
	 * unless they are those of the last call (p->fp: checked and
	 * translated then). */
	/* (one base for the record, far in struct proc: gcc would compute it
	 * twice) */
	fp = &p->fp;
	__asm__("" : "+r"(fp));
	hit = urep == fp->urep && ureq == fp->ureq;
	if (__builtin_expect(hit, 1)) {
		if (e->count)
			return FASTPATH_GENERAL;
		/* (handles: fastpath_full's, below; known early here) */
		if (cached && !port && fp->req->num_handles)
			return FASTPATH_FULL;
	} else if ((((ureq | urep) & 7) |
		    ((((ureq + sizeof(*req) - 1) ^ ureq) | ((urep + sizeof(*rep) - 1) ^ urep)) >> 12)) ||
		   e->count) {
		return FASTPATH_GENERAL;
	}
	deadline = regs->x[13];
	if (deadline != RV_DEADLINE_NEVER) {
		if (cached)
			return FASTPATH_FULL;
		/* A call that must not wait takes the general path. */
		deadline = timer_ns_to_ticks(deadline);
		if (deadline <= timer_now())
			return FASTPATH_GENERAL;
	}
	/* The caller's two struct rv_msg (often on one stack page), the
	 * request's bytes and the first page of its reply buffer (often the
	 * request's page too): one translation per page, none for what the
	 * last call named too. */
	if (__builtin_expect(hit, 1)) {
		rep = fp->rep;
		req = fp->req;
	} else {
		rep = fp_page(&p->as, urep, true, cached);
		if (!rep)
			return cached ? FASTPATH_FULL : FASTPATH_GENERAL;
		req = fp_near(&p->as, ureq, urep, (uint8_t *)rep, cached);
		if (!req)
			return cached ? FASTPATH_FULL : FASTPATH_GENERAL;
	}
	/* Handles: fastpath_full's (handles_move_fp: calls), never a port
	 * receiver's (as deliver_direct) */
	nh = req->num_handles;
	if (nh && (cached || port))
		return port ? FASTPATH_GENERAL : FASTPATH_FULL;
	/* The caller's receive record for the reply (rx_record, inline) is
	 * written as it is found: it means nothing while the caller runs. */
	p->as.rx_msg = rep;
	n = req->num_bytes;
	cap = rep->num_bytes;
	rb = (uintptr_t)rep->bytes;
	if (__builtin_expect(hit && rb == fp->rb && cap == fp->cap, 1)) {
		rbytes = fp->rbytes;
		room = fp->room;
	} else {
		/* (recorded as found: a translation dropped later clears
		 * fp.urep, and with it the rest) */
		fp->urep = USER_TLB_NONE;
		fp->rb = rb;
		fp->cap = (uint32_t)cap;
		if (cap) {
			rbytes = fp_page(&p->as, rb, true, cached);
			if (!rbytes)
				return cached ? FASTPATH_FULL : FASTPATH_GENERAL;
			room = 4096 - (rb & 4095);
			if (cap < room)
				room = cap;
		}
		fp->rbytes = rbytes;
		fp->room = (uint32_t)room;
		fp->rep = rep;
		fp->req = req;
		fp->ureq = ureq;
		fp->urep = urep;
	}
	p->as.rx_bytes = rbytes;
	p->as.rx_room = room;
	sb = (uintptr_t)req->bytes;
	/* Over the limit: the general path's EMSGSIZE (a reader with a
	 * larger buffer would take it otherwise). */
	if (n > CONFIG_MSG_MAX_BYTES || !in_one_page(sb, n))
		return FASTPATH_GENERAL;
	src = rbytes ? fp_near(&p->as, sb, rb, rbytes, cached) : fp_page(&p->as, sb, false, cached);
	if (!src)
		return cached ? FASTPATH_FULL : FASTPATH_GENERAL;

	/* The reader: the only waiter of the peer end, blocked reading it with
	 * its buffers recorded. (Then the peer end is open -- the reader holds
	 * it -- and its queue is empty: a queued message would have woken the
	 * reader, and waking clears recv_end.) */
	peer = e->other;
	head = &peer->obj.waiters;
	link = head->next;
	if (link != head->prev || link == head)
		return FASTPATH_GENERAL;
	r = container_of(link, struct waiter, link)->proc;
	if (!port) {
		/* A waiter without a process is a port binding: the port
		 * variant (below) handles that. */
		if (!r)
			return FASTPATH_PORT;
		if (r->recv_end != &peer->obj)
			return FASTPATH_GENERAL;
	} else {
		/* A port's owner in port_wait, the end bound to its port (the
		 * waiter is the binding). */
		if (r)
			return FASTPATH_GENERAL;
		b = waiter_binding(container_of(link, struct waiter, link));
		r = port_receiver(b);
		if (!r)
			return FASTPATH_GENERAL;
	}
	if (r->state != PROC_BLOCKED || !r->as.rx_msg || n > r->as.rx_room ||
	    !sched_handoff_allowed(r))
		return FASTPATH_GENERAL;
	/* The handles, last: checked, then moved into r's table */
	if (nh && !handles_move_fp(p, e, (rv_handle_t)regs->x[10], req, nh, r))
		return FASTPATH_GENERAL;

	/* Taken: nothing can fail from here on. (The trap vector has saved
	 * the caller's sepc past the ecall already.) */
	syscall_count++;
	copy_small(r->as.rx_bytes, src, n);
	rx_complete(r, n | (uint64_t)nh << 32);
	count_sent(e, n);
	/* The reader off the peer end's list (its only waiter) -- or, in
	 * port_wait, off the port's list (its only waiter; the binding stays)
	 * with its event written -- and off the sleep list (if it had a
	 * deadline). */
	if (port) {
		port_event(r, b, e);
		head = &b->port->obj.waiters;
		link = head->next;
	}
	fp_unblock(r, head, link);

	/* The caller blocks reading its end, recorded for the reply's fast
	 * path; anything else that wakes it runs channel_call_continue, which
	 * finds the call's arguments in its saved registers. */
	fp_block(p, &e->obj, RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED, channel_call_continue);
	trace_fp_block(p);
	p->waiter_word = 1; /* waiter_count 1, rx_cap 0: one store */
	trace_fastpath(p, r, e, n | (uint64_t)nh << 32, RV_TRACE_PATH_FAST);
	/* (the switch inline but in the rare copies: walking page tables
	 * for a port's receiver, or arming a timer) */
	if (!cached && (port || deadline != RV_DEADLINE_NEVER)) {
		if (deadline != RV_DEADLINE_NEVER)
			sched_add_sleeper(p, deadline);
		sched_handoff(r);
	}
	sched_handoff_inline(p, r);
}

/* The fast path into port_wait, walking page tables: one copy, for both
 * of the variants below. (Only after a copy that uses cached translations,
 * which looked up the caller's handle: fastpath() takes it as good.) */
static void __attribute__((noinline)) fastpath_port_full(struct user_regs *regs)
{
	fastpath(regs, false, true);
}

static void __attribute__((noinline)) fastpath_full(struct user_regs *regs)
{
	if (fastpath(regs, false, false) == FASTPATH_PORT)
		fastpath_port_full(regs);
}

/* The fast path into port_wait: its own copy, so that the usual one carries
 * nothing of it but a test. */
static void __attribute__((noinline)) fastpath_port(struct user_regs *regs)
{
	if (fastpath(regs, true, true) == FASTPATH_FULL)
		fastpath_port_full(regs);
}

/* No frame: it calls nothing but fastpath_full, fastpath_port and
 * arch_user_return (jumps), and no backtrace is ever taken from it. */
__attribute__((optimize("omit-frame-pointer"))) void channel_call_fastpath(struct user_regs *regs)
{
	int ret = fastpath(regs, true, false);

	if (ret == FASTPATH_FULL)
		fastpath_full(regs);
	else if (ret == FASTPATH_PORT)
		fastpath_port(regs);
}

/*
 * port_wait's reply-and-wait fast path (seL4's ReplyRecv), entered from the
 * trap vector for a port_wait that carries a reply. When the reply has no
 * handles and fits the limits, its channel's peer end has a client blocked
 * in its read (the read half of channel_call: its only waiter, buffers
 * recorded) that nobody of higher priority is ready to pre-empt, the port
 * has nothing ready, and the server's event and message are aligned within
 * a page: the reply goes straight into the client's buffer, the server
 * blocks on its port with its buffers recorded (so the next request comes
 * straight in, by the call fast path) and a continuation, and the client
 * resumes in user mode. One trap instead of channel_write's and
 * port_wait's, no ready queue, no kernel-stack switch. Otherwise it returns
 * having changed nothing, and the general path (port_wait: the same reply
 * by channel_write, then the wait) runs.
 */
void port_wait_fastpath(struct user_regs *regs)
{
	struct proc *p = current, *r;
	struct handle_entry *he;
	struct port *pt;
	struct channel_end *e, *peer;
	struct list_node *head, *link;
	const struct rv_msg *rep;
	struct rv_msg *rm;
	struct rv_port_event *ev;
	const uint8_t *src;
	uintptr_t uev = regs->x[11], umsg = regs->x[12], urep = regs->x[15], sb;
	uint64_t deadline = regs->x[13];
	size_t n;

	/* The port, nothing ready on it (or the wait would return at once).
	 * Handles are looked up from the whole register: one wider than a
	 * handle fails, and the general path says -EINVAL. */
	if (handle_lookup_direct(&p->handles, regs->x[10], RV_OBJ_PORT, RV_RIGHT_READ, &he))
		return;
	pt = container_of(he->obj, struct port, obj);
	if (!list_is_empty(&pt->ready) || !list_is_empty(&pt->obj.waiters))
		return;
	/* A deadline not yet passed (a passed one: the general path's
	 * -ETIMEDOUT after the reply) */
	if (deadline != RV_DEADLINE_NEVER) {
		deadline = timer_ns_to_ticks(deadline);
		if (deadline <= timer_now())
			return;
	}
	/* The server's event and message: 8-aligned, each within a page */
	if (!umsg || ((uev | umsg) & 7) || !in_one_page(uev, sizeof(*ev)) ||
	    !in_one_page(umsg, sizeof(*rm)))
		return;
	ev = (struct rv_port_event *)fp_page(&p->as, uev, true, false);
	rm = (struct rv_msg *)fp_page(&p->as, umsg, true, false);
	if (!ev || !rm)
		return;

	/* The reply: no handles, within the size limit, on a channel end with
	 * WRITE whose peer has a client blocked reading it */
	if (handle_lookup_direct(&p->handles, regs->x[14], RV_OBJ_CHANNEL, RV_RIGHT_WRITE, &he))
		return;
	e = end_of(he->obj);
	if ((urep & 7) || !in_one_page(urep, sizeof(*rep)) ||
	    !(rep = fp_page(&p->as, urep, false, false)) || rep->num_handles)
		return;
	n = rep->num_bytes;
	sb = (uintptr_t)rep->bytes;
	if (n > CONFIG_MSG_MAX_BYTES || !user_access_ok(&p->as, sb, n, false))
		return;
	peer = e->other;
	head = &peer->obj.waiters;
	link = head->next;
	if (!peer->open || peer->count || link == head || link != head->prev)
		return;
	r = container_of(link, struct waiter, link)->proc;
	if (!r || r->recv_end != &peer->obj || r->state != PROC_BLOCKED || !r->as.rx_msg ||
	    !sched_handoff_allowed(r))
		return;
	if (n <= r->as.rx_room && in_one_page(sb, n)) {
		src = n ? fp_page(&p->as, sb, false, false) : NULL;
		if (n && !src)
			return;
		copy_small(r->as.rx_bytes, src, n);
	} else {
		/* Beyond the first page of the client's buffer: page by page,
		 * when its read would find the room (rx_capacity) */
		uintptr_t rbuf;
		size_t cap = rx_capacity(r, &rbuf);

		if (n > cap || !user_access_ok(&r->as, rbuf, n, true) ||
		    copy_user_to_user(&r->as, rbuf, &p->as, sb, n))
			return; /* (the copy cannot fail: both checked) */
	}

	/* Taken: nothing can fail from here on. The client's call returns
	 * the reply; it is off the peer end's list and the sleep list. */
	syscall_count++;
	rx_complete(r, (uint32_t)n);
	count_sent(e, (uint32_t)n);
	trace_fastpath(p, r, e, (uint32_t)n, RV_TRACE_PATH_PORT);
	fp_unblock(r, head, link);

	/* The server waits on its port, receiving: recorded as port_wait
	 * records it; a general wake-up runs port_wait_continue. */
	channel_rx_record(p, umsg, rm);
	p->as.rx_event = ev;
	fp_block(p, &pt->obj, RV_SIGNAL_READABLE, port_wait_continue);
	trace_fp_block(p);
	p->waiter_count = 1;
	if (deadline != RV_DEADLINE_NEVER) {
		sched_add_sleeper(p, deadline);
		sched_handoff(r);
	}
	sched_handoff_inline(p, r);
}

/* A caller blocked by the fast path, woken by something other than a fast
 * reply -- a queued reply, the peer closing, its deadline: the general read
 * finishes the call (it blocks again if woken early). */
void channel_call_continue(void)
{
	struct proc *p = current;
	struct user_regs *regs = p->regs;
	struct handle_entry *he;
	uint64_t deadline = regs->x[13];
	long ret;

	waiters_remove_all(p);
	/* The call's arguments are still in its saved registers (a0 handle,
	 * a2 reply, a3 deadline). The handle is looked up again (it cannot
	 * have changed while the process was blocked; if it had, the call
	 * would fail as a call on a bad handle does). */
	ret = handle_lookup_reg(&p->handles, regs->x[10], RV_OBJ_CHANNEL,
				RV_RIGHT_READ | RV_RIGHT_WRITE, &he);
	if (!ret) {
		struct kobject *end = he->obj; /* for the trace: he may be gone after */

		ret = channel_read(p, he, regs->x[12], 0, timer_deadline_ticks(deadline),
				   channel_call_continue);
		trace_call_end(p, end);
	}
	sched_continuation_return(ret);
}

/* A process whose channel_read blocked by its continuation (block_handoff),
 * woken by something other than a message delivered straight in: the read
 * runs again from its saved registers (a0 handle, a1 message, a2 flags, a3
 * deadline), as the general read would go on after its wait. */
void channel_read_continue(void)
{
	struct proc *p = current;
	struct user_regs *regs = p->regs;
	struct handle_entry *he;
	long ret;

	waiters_remove_all(p);
	p->wait_cancelled = false;
	/* (a revoke that ended the wait makes the lookup -ECANCELED) */
	ret = handle_lookup_reg(&p->handles, regs->x[10], RV_OBJ_CHANNEL, RV_RIGHT_READ, &he);
	if (!ret)
		ret = channel_read(p, he, regs->x[11], (uint32_t)regs->x[12],
				   timer_deadline_ticks(regs->x[13]), channel_read_continue);
	sched_continuation_return(ret);
}

bool channel_info(unsigned int slot, struct rv_channel_info *out)
{
	struct channel *c = &channels[slot];

	if (!c->in_use)
		return false;
	memset(out, 0, sizeof(*out));
	out->id = slot;
	out->creator_pid = c->creator_pid;
	for (unsigned int i = 0; i < 2; i++) {
		struct channel_end *e = &c->ends[i];
		struct rv_channel_end_info *ei = &out->end[i];

		ei->flags = e->open ? RV_CHANNEL_END_OPEN : 0;
		ei->queued = e->count;
		for (unsigned int k = 0; k < e->count; k++)
			ei->queued_bytes += queue_slot(e, k)->num_bytes;
		ei->sent = e->sent;
		ei->sent_bytes = e->sent_bytes;
	}
	return true;
}

#ifdef CONFIG_WATCHDOG
unsigned int channel_end_id(const struct kobject *end)
{
	const struct channel_end *e = end_of((struct kobject *)end);

	return (unsigned int)(e->chan - channels) << 1 | (unsigned int)(e - e->chan->ends);
}

const struct kobject *channel_end_peer(const struct kobject *end)
{
	struct channel_end *peer = peer_of(end_of((struct kobject *)end));

	return peer ? &peer->obj : NULL;
}

const struct kobject *channel_end_carrier(const struct kobject *obj)
{
	for (unsigned int c = 0; c < CONFIG_MAX_CHANNELS; c++) {
		if (!channels[c].in_use)
			continue;
		for (unsigned int k = 0; k < 2; k++) {
			struct channel_end *e = &channels[c].ends[k];

			for (unsigned int i = 0; e->open && i < e->count; i++) {
				const struct message *m = queue_slot(e, i);

				for (unsigned int h = 0; h < m->num_handles; h++)
					if (m->objs[h] == obj)
						return &e->obj;
			}
		}
	}
	return NULL;
}
#endif /* CONFIG_WATCHDOG */
