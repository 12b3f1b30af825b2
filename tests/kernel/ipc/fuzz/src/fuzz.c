/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IPC fuzzer. `fuzz` (the first program) starts `fuzz run SEED CALLS` as a
 * child, which makes CALLS random IPC system calls: random handles (live
 * ones, closed ones, neighbours of live ones, garbage), random pointers
 * (valid buffers, NULL, kernel addresses, unmapped and read-only user
 * memory, shm mappings), random sizes, counts, rights and flags, from a
 * deterministic seed. It never waits for ever: every deadline is 0, past,
 * or at most 200 us away. It keeps track of the handles and mappings the
 * kernel gives it, checks a few invariants as it goes (a call whose struct
 * pointer is bad never succeeds; a closed handle value never comes back),
 * derives handles and revokes them (a mapping made through a derived handle
 * may vanish at a revoke: it is never touched, and pointers into it are
 * P_MAYBE),
 * and at the end closes everything and checks its counters are back. Then
 * the parent checks every kernel counter is back where it started.
 */
#include <stdlib.h>
#include <rvos/memory_map.h>
#include "../../common/ipc_test.h"

#define MAXB CONFIG_MSG_MAX_BYTES
#define MAXH CONFIG_MSG_MAX_HANDLES
#define NH CONFIG_MAX_HANDLES
#define SLOT_MASK ((1u << RV_HANDLE_SLOT_BITS) - 1)
#define TRACK 512
#define STALE 64
#define MAPS 64
#define PROGRESS 20000

/* FUZZ_NO_CHANNEL_IN_MESSAGES: never send a channel end through a channel
 * (so no cycle of ends in each other's queues can form); the program is
 * then fuzz_nocycle. */
#ifdef FUZZ_NO_CHANNEL_IN_MESSAGES
#define SELF "fuzz_nocycle"
#else
#define SELF "fuzz"
#endif

/* ---- random numbers (xorshift64*) ---- */
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static int chance(uint32_t percent)
{
	return below(100) < percent;
}

/* ---- what the kernel gave us ---- */
static rv_handle_t live[TRACK];
static uint8_t live_type[TRACK]; /* enum rv_object_type; RV_OBJ_NONE: not known yet */
static unsigned int nlive;
static rv_handle_t stale[STALE];
static unsigned int nstale;
static uint32_t slot_gen[NH]; /* the newest generation seen per slot */
static struct {
	uintptr_t addr;
	int writable;
	int derived; /* mapped through a derived handle (or maybe): a revoke unmaps it */
	uint64_t size;
} maps[MAPS];
static unsigned int nmaps;
static unsigned long violations, lost_track;

static void gen_seen(rv_handle_t h)
{
	uint32_t slot = h & SLOT_MASK, gen = h >> RV_HANDLE_SLOT_BITS;

	if (slot < NH && gen > slot_gen[slot])
		slot_gen[slot] = gen;
}

static void violation(const char *what, long r)
{
	if (violations++ < 10)
		printf("fuzz: VIOLATION: %s (result %ld %s)\n", what, r, err_name(r));
}

static void track_as(rv_handle_t h, uint32_t type)
{
	gen_seen(h);
	if (h == RV_HANDLE_INVALID)
		violation("the kernel returned RV_HANDLE_INVALID as a handle", 0);
	for (unsigned int i = 0; i < nstale && i < STALE; i++) {
		if (stale[i] == h)
			violation("a closed handle value came back", (long)h);
	}
	for (unsigned int i = 0; i < nlive; i++) {
		if (live[i] == h)
			return;
	}
	if (nlive < TRACK) {
		live_type[nlive] = (uint8_t)type;
		live[nlive++] = h;
	} else {
		lost_track++;
	}
}

static void track(rv_handle_t h)
{
	track_as(h, RV_OBJ_NONE);
}

/* h is gone for sure (closed by us, moved by a write that succeeded). */
static void untrack(rv_handle_t h)
{
	for (unsigned int i = 0; i < nlive; i++) {
		if (live[i] == h) {
			live[i] = live[--nlive];
			live_type[i] = live_type[nlive];
			stale[nstale++ % STALE] = h;
			if (nstale >= 2 * STALE)
				nstale = STALE;
			return;
		}
	}
}

/* A live handle to an object of `type` (learnt with handle_info when not
 * known yet), or any handle when there is none. */
static rv_handle_t pick_handle(void);

static rv_handle_t pick_typed(uint32_t type)
{
	for (int tries = 0; tries < 8 && nlive; tries++) {
		unsigned int i = below(nlive);
		if (live_type[i] == RV_OBJ_NONE) {
			struct rv_handle_info info;
			if (rv_handle_info(live[i], &info) == 0)
				live_type[i] = (uint8_t)info.type;
			else
				live_type[i] = 0xff; /* gone (moved or closed by a raw call) */
		}
		if (live_type[i] == type)
			return live[i];
	}
	return pick_handle();
}

static rv_handle_t pick_handle(void)
{
	uint32_t k = below(100);

	if (k < 60 && nlive)
		return live[below(nlive)];
	if (k < 70 && nstale)
		return stale[below(nstale < STALE ? nstale : STALE)];
	if (k < 80 && nlive) {
		rv_handle_t h = live[below(nlive)];
		return h + (chance(50) ? (1u << RV_HANDLE_SLOT_BITS) : 1u); /* a neighbour */
	}
	if (k < 88)
		return below(NH + 3);
	if (k < 93)
		return RV_HANDLE_INVALID;
	return (rv_handle_t)rnd();
}

/* A mapping at a is gone (unmapped, or found replaced by a new one: a
 * revoke unmapped the one we knew there). */
static void forget_maps_at(uintptr_t a)
{
	for (unsigned int i = 0; i < nmaps;) {
		if (maps[i].addr == a)
			maps[i] = maps[--nmaps];
		else
			i++;
	}
}

/* ---- memory the kernel may read or write ---- */
static uint8_t arena[64 * 1024] __attribute__((aligned(4096)));
static struct rv_msg msgs[2] __attribute__((aligned(64)));
static rv_handle_t hin[MAXH + 4], hout[MAXH + 4], cout[2];
static struct rv_wait_item witems[CONFIG_MAX_WAIT_ITEMS + 2];
static const uint8_t rodata[256] = {1, 2, 3};

/* P_MAYBE: may or may not be mapped; no invariant is checked with it. */
enum ptr_kind { P_VALID, P_BAD, P_MAYBE };

/* A pointer for `len` bytes: valid (arena, a mapping, our stack) or not. */
static void *pick_ptr(uint64_t len, int write, enum ptr_kind *kind, void *stack_buf,
		      uint64_t stack_len)
{
	uint32_t k = below(100);

	*kind = P_VALID;
	if (len > sizeof(arena) / 2)
		len = sizeof(arena) / 2;
	if (k < 55)
		return arena + below((uint32_t)(sizeof(arena) - len) + 1);
	if (k < 62 && nmaps) {
		unsigned int i = below(nmaps);
		if (len <= maps[i].size && (maps[i].writable || !write)) {
			if (maps[i].derived)
				*kind = P_MAYBE;
			return (void *)(maps[i].addr + below((uint32_t)(maps[i].size - len) + 1));
		}
		/* a read-only mapping written to is bad; running past the first
		 * page may still be inside the region */
		*kind = len <= maps[i].size ? P_BAD : P_MAYBE;
		return (void *)(maps[i].addr + below((uint32_t)maps[i].size));
	}
	if (k < 67 && stack_buf && len <= stack_len)
		return stack_buf;
	*kind = P_BAD;
	if (k < 72)
		return NULL;
	if (k < 80) {
		static const uintptr_t kernel[] = {0x80000000ul, 0x80200000ul, 0x80201000ul,
						   0x87fff000ul, 0xffffffffc0000000ul, 0x1000ul};
		return (void *)(kernel[below(6)] + (below(2) ? below(4096) : 0));
	}
	if (k < 86) {
		/* Never mapped, wherever ASLR puts the regions (doc/memory-map.md):
		 * the shared-memory region's last page lies beyond its slots
		 * however far they move (kernel/aslr.c keeps them within the
		 * region, at most 2^CONFIG_ASLR_ENTROPY_BITS pages up). (A page
		 * 128 MiB into the region, used before, is inside a mapping when
		 * the slots move up to it: the fuzzer then saw handle_info
		 * succeed there, about one boot in six.) The fuzzer maps no
		 * devices, so the device region's base is a hole too. */
		static const uintptr_t holes[] = {RV_USER_BASE, RV_USER_BASE + 0x8000,
						  RV_DEVICE_BASE, RV_USER_TOP - 8, RV_USER_TOP,
						  RV_DEVICE_BASE - 0x1000ul, 0x0000004000000000ul};
		return (void *)holes[below(7)];
	}
	if (k < 92) {
		/* read-only data: readable, never writable */
		*kind = write ? P_BAD : len <= sizeof(rodata) ? P_VALID : P_MAYBE;
		return (void *)rodata;
	}
	/* anything at all (almost never mapped) */
	*kind = P_MAYBE;
	return (void *)(uintptr_t)rnd();
}

static uint32_t pick_size(uint32_t max)
{
	uint32_t k = below(100);

	if (k < 70)
		return below(max + 1);
	if (k < 80)
		return max;
	if (k < 88)
		return max + 1;
	if (k < 94)
		return 0;
	return (uint32_t)rnd();
}

static uint64_t pick_deadline(void)
{
	uint32_t k = below(100);

	if (k < 55)
		return 0;
	if (k < 70)
		return 1; /* long past */
	return rv_clock_ns() + below(200000); /* at most 200 us */
}

static uint32_t pick_flags(void)
{
	uint32_t k = below(100);

	if (k < 50)
		return RV_IPC_NONBLOCK;
	if (k < 85)
		return 0;
	return (uint32_t)rnd();
}

/* Fill msgs[i]: random sizes and pointers (hbuf: handles to send, or
 * room for those received). *mkind: the struct's pointer; *hkind: the
 * handles pointer. */
static struct rv_msg *pick_msg(int i, int for_write, enum ptr_kind *mkind, enum ptr_kind *hkind,
			       rv_handle_t *hbuf)
{
	struct rv_msg *m = &msgs[i];
	enum ptr_kind bk;
	uint32_t nb = pick_size(MAXB), nh = pick_size(MAXH);

	if (chance(50)) {
		/* a plausible message: most of these should go through */
		nb = below(MAXB + 1);
		m->num_bytes = nb;
		m->bytes = arena + below((uint32_t)(sizeof(arena) - MAXB));
		nh = for_write ? (chance(60) ? 0 : below(MAXH + 1)) : MAXH;
		for (uint32_t j = 0; j < MAXH + 4; j++)
			hbuf[j] = pick_handle();
		m->handles = hbuf;
		m->num_handles = nh;
		*mkind = *hkind = P_VALID;
		return m;
	}
	m->num_bytes = nb;
	m->bytes = pick_ptr(nb, !for_write, &bk, NULL, 0);
	*hkind = P_VALID;
	if (chance(85)) {
		for (uint32_t j = 0; j < MAXH + 4; j++)
			hbuf[j] = pick_handle();
		m->handles = hbuf;
	} else {
		m->handles = pick_ptr((uint64_t)nh * 4, !for_write, hkind, NULL, 0);
	}
	m->num_handles = nh;
	*mkind = P_VALID;
	if (chance(8)) {
		/* a write only reads the struct: read-only data is fine there */
		static void *const bad[] = {NULL, (void *)0x80200000ul, (void *)0x3000000000ul,
					    (void *)rodata};
		*mkind = P_BAD;
		return (struct rv_msg *)bad[below(for_write ? 3 : 4)];
	}
	return m;
}

/* ---- the calls ---- */
enum op {
	OP_CLOSE, OP_DUP, OP_INFO, OP_CREATE, OP_WRITE, OP_READ, OP_CALL, OP_WAIT,
	OP_SHM_CREATE, OP_SHM_MAP, OP_SHM_UNMAP, OP_SPAWN, OP_KILL, OP_EXIT_INFO, OP_RAW, OP_TOUCH,
	OP_PORT, OP_DERIVE, OP_REVOKE, OP_COUNT
};
static const char *const op_names[OP_COUNT] = {
	"close", "dup", "info", "create", "write", "read", "call", "wait", "shm_create",
	"shm_map", "shm_unmap", "spawn", "kill", "exit_info", "raw", "touch", "port", "derive",
	"revoke"};
static unsigned long op_calls[OP_COUNT], op_ok[OP_COUNT];
static unsigned long syscalls_made;
static uint64_t procs_base;

static enum op pick_op(void)
{
	static const uint8_t weights[OP_COUNT] = {8, 8, 5, 9, 14, 12, 6, 6, 4, 4, 3, 1, 1, 2, 4, 3, 8,
						  4, 2};
	uint32_t total = 0, k;

	for (int i = 0; i < OP_COUNT; i++)
		total += weights[i];
	k = below(total);
	for (int i = 0; i < OP_COUNT; i++) {
		if (k < weights[i])
			return (enum op)i;
		k -= weights[i];
	}
	return OP_INFO;
}

static struct rv_port_event pev;

/* After a successful read into msgs[i]: the handles that arrived. */
static void learn_received(struct rv_msg *m, enum ptr_kind hkind)
{
	if (m->num_handles > MAXH) {
		violation("a read reported more handles than MSG_MAX_HANDLES", m->num_handles);
		return;
	}
	if (!m->num_handles)
		return;
	if (hkind == P_BAD) {
		violation("a read put handles through a bad pointer", m->num_handles);
		return;
	}
	if (hkind == P_MAYBE) {
		lost_track += m->num_handles; /* the sweep at the end finds them */
		return;
	}
	for (uint32_t j = 0; j < m->num_handles; j++)
		track(((rv_handle_t *)m->handles)[j]);
}

static void forget_sent(const rv_handle_t *hv, uint32_t n)
{
	for (uint32_t j = 0; j < n && j < MAXH; j++)
		untrack(hv[j]);
}

#ifdef FUZZ_NO_CHANNEL_IN_MESSAGES
#define NO_CHANNEL_IN_MESSAGES 1
#else
#define NO_CHANNEL_IN_MESSAGES 0
#endif

/* In fuzz_nocycle: replace channel ends among the handles to send. */
static void no_channel_ends(rv_handle_t *hv, uint32_t n)
{
	for (uint32_t j = 0; NO_CHANNEL_IN_MESSAGES && j < n && j < MAXH; j++) {
		struct rv_handle_info info;
		if (rv_handle_info(hv[j], &info) == 0 && info.type == RV_OBJ_CHANNEL)
			hv[j] = RV_HANDLE_INVALID;
	}
}

/* A message to send (msgs[0], handles from hin): as pick_msg, with the
 * handles it would move made sendable (no channel ends where the kernel
 * forbids them in messages) and copied to sent[] (*nh of them; *hv is hin
 * when they are ours), so that forget_sent drops them once it went. */
static struct rv_msg *pick_send(enum ptr_kind *k, rv_handle_t *sent, uint32_t *nh,
				const rv_handle_t **hv)
{
	enum ptr_kind hk;
	struct rv_msg *m = pick_msg(0, 1, k, &hk, hin);

	*nh = *k == P_VALID ? m->num_handles : 0;
	*hv = *k == P_VALID ? m->handles : NULL;
	if (*hv == hin) {
		no_channel_ends(hin, *nh);
		memcpy(sent, hin, sizeof(rv_handle_t) * (*nh <= MAXH ? *nh : 0));
	} else if (NO_CHANNEL_IN_MESSAGES) {
		*nh = 0;
		if (*k == P_VALID)
			m->num_handles = 0;
	}
	return m;
}

static void step(void)
{
	uint8_t stack_buf[64];
	enum op op = pick_op();
	enum ptr_kind k1 = P_VALID, k2 = P_VALID;
	long r = 0;

	op_calls[op]++;
	syscalls_made++;
	switch (op) {
	case OP_CLOSE: {
		rv_handle_t h = pick_handle();
		r = rv_handle_close(h);
		if (r == 0)
			untrack(h);
		break;
	}
	case OP_DUP: {
		uint32_t rights = chance(75) ? (uint32_t)below(RV_RIGHTS_ALL + 1) : (uint32_t)rnd();
		r = rv_handle_duplicate(pick_handle(), rights);
		if (r >= 0)
			track((rv_handle_t)r);
		break;
	}
	case OP_INFO: {
		void *p = pick_ptr(sizeof(struct rv_handle_info), 1, &k1, stack_buf, sizeof(stack_buf));
		r = rv_handle_info(pick_handle(), p);
		if (r == 0 && k1 == P_BAD)
			violation("handle_info wrote through a bad pointer", r);
		break;
	}
	case OP_CREATE: {
		void *p = chance(85) ? (void *)cout : pick_ptr(8, 1, &k1, stack_buf, sizeof(stack_buf));
		r = rv_channel_create(p);
		if (r == 0) {
			if (k1 == P_BAD)
				violation("channel_create wrote through a bad pointer", r);
			else {
				track_as(((rv_handle_t *)p)[0], RV_OBJ_CHANNEL);
				track_as(((rv_handle_t *)p)[1], RV_OBJ_CHANNEL);
			}
		}
		break;
	}
	case OP_WRITE: {
		rv_handle_t sent[MAXH + 1];
		const rv_handle_t *hv;
		uint32_t nh;
		struct rv_msg *m = pick_send(&k1, sent, &nh, &hv);

		r = rv_channel_write(chance(60) ? pick_typed(RV_OBJ_CHANNEL) : pick_handle(), m,
				     pick_flags(), pick_deadline());
		if (r == 0) {
			if (k1 == P_BAD)
				violation("channel_write took a bad message pointer", r);
			else if (hv == hin)
				forget_sent(sent, nh);
		}
		break;
	}
	case OP_READ: {
		enum ptr_kind hk;
		struct rv_msg *m = pick_msg(1, 0, &k1, &hk, hout);
		r = rv_channel_read(chance(60) ? pick_typed(RV_OBJ_CHANNEL) : pick_handle(), m,
				    pick_flags(), pick_deadline());
		if (r == 0) {
			if (k1 == P_BAD)
				violation("channel_read wrote through a bad message pointer", r);
			else
				learn_received(m, hk);
		} else if (r == -RV_EMSGSIZE && k1 == P_BAD) {
			violation("channel_read reported sizes through a bad pointer", r);
		}
		break;
	}
	case OP_CALL: {
		enum ptr_kind hk2;
		rv_handle_t sent[MAXH + 1];
		const rv_handle_t *hv;
		uint32_t nh;
		struct rv_msg *req = pick_send(&k1, sent, &nh, &hv);
		struct rv_msg *rep = pick_msg(1, 0, &k2, &hk2, hout);

		r = rv_channel_call(chance(60) ? pick_typed(RV_OBJ_CHANNEL) : pick_handle(), req, rep,
				    pick_deadline());
		if (r == 0) {
			if (k1 == P_BAD || k2 == P_BAD)
				violation("channel_call used a bad message pointer", r);
			if (hv == hin)
				forget_sent(sent, nh);
			/* A reply written through a P_MAYBE pointer was
			 * mapped after all: its handles are ours too. */
			if (k2 != P_BAD)
				learn_received(rep, hk2);
		}
		break;
	}
	case OP_WAIT: {
		uint32_t n = below(100) < 90 ? 1 + below(CONFIG_MAX_WAIT_ITEMS) : pick_size(CONFIG_MAX_WAIT_ITEMS);
		void *items = witems;
		for (unsigned int i = 0; i < CONFIG_MAX_WAIT_ITEMS + 2; i++) {
			witems[i].handle = chance(50) ? pick_typed(chance(80) ? RV_OBJ_CHANNEL :
								  RV_OBJ_PROCESS) : pick_handle();
			witems[i].signals = chance(80) ? 1 + below(15) : (uint32_t)rnd();
		}
		if (chance(10))
			items = pick_ptr(sizeof(witems), 1, &k1, NULL, 0);
		r = rv_wait_many(items, n, pick_deadline());
		if (r >= 0 && k1 == P_BAD)
			violation("wait_many wrote through a bad pointer", r);
		if (r > (long)n)
			violation("wait_many reported more ready items than it had", r);
		break;
	}
	case OP_SHM_CREATE: {
		uint64_t size = chance(80) ? 1 + below(4 * 4096) :
			chance(50) ? (uint64_t)CONFIG_SHM_MAX_BYTES + below(3) : rnd() >> below(64);
		r = rv_shm_create(size);
		if (r >= 0)
			track_as((rv_handle_t)r, RV_OBJ_SHM);
		break;
	}
	case OP_SHM_MAP: {
		int writable = chance(50) ? 1 : (chance(90) ? 0 : (int)rnd());
		rv_handle_t h = chance(60) ? pick_typed(RV_OBJ_SHM) : pick_handle();
		r = rv_shm_map(h, writable);
		if (r >= 0) {
			struct rv_handle_info info;
			int derived = rv_handle_info(h, &info) != 0 || (info.pad & RV_HANDLE_DERIVED);

			syscalls_made++;
			if (r < (long)RV_SHM_BASE || r >= (long)RV_USER_TOP)
				violation("shm_map returned an address outside the shm area", r);
			forget_maps_at((uintptr_t)r);
			if (nmaps < MAPS) {
				maps[nmaps].addr = (uintptr_t)r;
				maps[nmaps].writable = writable != 0;
				maps[nmaps].derived = derived;
				/* the region's size: at least a page; probe no further */
				maps[nmaps].size = 4096;
				nmaps++;
			} else {
				rv_shm_unmap((void *)r);
				syscalls_made++;
			}
			if (!derived && writable && !(info.rights & RV_RIGHT_WRITE))
				violation("a handle without WRITE was mapped writable", r);
		}
		break;
	}
	case OP_SHM_UNMAP: {
		uintptr_t a;
		if (nmaps && chance(70))
			a = maps[below(nmaps)].addr;
		else
			a = chance(50) ? RV_SHM_BASE + (uintptr_t)below(64) * 4096 : (uintptr_t)rnd();
		r = rv_shm_unmap((void *)a);
		if (r == 0)
			forget_maps_at(a);
		break;
	}
	case OP_SPAWN: {
		static const char args[] = "fuzzchild";
		uint32_t n = below(MAXH + 2);
		const char *name = chance(70) ? "ipc_child" : chance(50) ? "no-such" : (const char *)arena;
		rv_handle_t give[MAXH + 2];

		struct rv_kstats ks;

		rv_kstats(&ks);
		if (ks.procs_used >= procs_base + 3) {
			op_calls[op]--;
			syscalls_made--;
			return;
		}
		for (uint32_t j = 0; j < n; j++)
			give[j] = pick_handle();
		r = rv_process_spawn_raw(name, args, sizeof(args), below(CONFIG_NUM_PRIORITIES + 1),
					 give, n);
		if (r >= 0) {
			track_as((rv_handle_t)r, RV_OBJ_PROCESS);
			forget_sent(give, n);
		}
		break;
	}
	case OP_KILL:
		r = rv_process_kill(chance(50) ? pick_typed(RV_OBJ_PROCESS) : pick_handle());
		break;
	case OP_EXIT_INFO: {
		void *p = pick_ptr(sizeof(struct rv_exit_info), 1, &k1, stack_buf, sizeof(stack_buf));
		r = rv_process_exit_info(chance(50) ? pick_typed(RV_OBJ_PROCESS) : pick_handle(), p);
		if (r == 0 && k1 == P_BAD)
			violation("exit_info wrote through a bad pointer", r);
		break;
	}
	case OP_RAW: {
		/* calls that cannot block, with every argument random */
		static const long nrs[] = {RV_SYS_HANDLE_CLOSE, RV_SYS_HANDLE_DUPLICATE,
					   RV_SYS_HANDLE_INFO, RV_SYS_SHM_MAP, RV_SYS_SHM_UNMAP,
					   RV_SYS_PROCESS_EXIT_INFO, RV_SYS_COUNT, RV_SYS_COUNT + 1};
		long nr = nrs[below(8)];
		r = rv_syscall(nr, (long)rnd(), (long)rnd(), (long)rnd(), (long)rnd(), (long)rnd(),
			       (long)rnd());
		if (nr >= RV_SYS_COUNT && r != -RV_ENOSYS)
			violation("an unknown system call did not return ENOSYS", r);
		if (nr == RV_SYS_HANDLE_DUPLICATE && r >= 0)
			track((rv_handle_t)r);
		if (nr == RV_SYS_SHM_MAP && r >= 0) {
			/* unlikely: a random handle hit a live shm; keep it mapped */
			forget_maps_at((uintptr_t)r);
			if (nmaps < MAPS) {
				maps[nmaps].addr = (uintptr_t)r;
				maps[nmaps].writable = 0;
				maps[nmaps].derived = 1; /* (not known) */
				maps[nmaps].size = 4096;
				nmaps++;
			}
		}
		break;
	}
	case OP_PORT: {
		/* ports: create, bind and unbind random handles (ports among
		 * them) with random signals and keys, wait with and without a
		 * buffer (the received handles are ours) */
		rv_handle_t port = chance(80) ? pick_typed(RV_OBJ_PORT) : pick_handle();
		uint32_t what = below(10);

		if (what < 2) {
			r = rv_port_create();
			if (r >= 0)
				track_as((rv_handle_t)r, RV_OBJ_PORT);
		} else if (what < 5) {
			uint32_t sig = chance(80) ? 1 + below(31) : (uint32_t)rnd();
			r = rv_port_bind(port, chance(70) ? pick_typed(RV_OBJ_CHANNEL) : pick_handle(), sig,
					 rnd());
		} else if (what < 6) {
			r = rv_port_unbind(port, pick_handle());
		} else {
			enum ptr_kind hk;
			struct rv_msg *m = chance(30) ? NULL : pick_msg(1, 0, &k1, &hk, hout);
			struct rv_port_event *ev = chance(90) ? &pev :
				pick_ptr(sizeof(pev), 1, &k2, stack_buf, sizeof(stack_buf));

			if (chance(40)) {
				/* with a reply (msgs[0]), as OP_WRITE makes one:
				 * its handles left us when it went -- the call
				 * succeeded, or only the wait after it timed out */
				enum ptr_kind rk;
				rv_handle_t sent[MAXH + 1];
				const rv_handle_t *hv;
				uint32_t nh;
				struct rv_msg *rm = pick_send(&rk, sent, &nh, &hv);

				r = rv_port_reply_wait(port, ev, m, pick_deadline(),
						       chance(70) ? pick_typed(RV_OBJ_CHANNEL) : pick_handle(),
						       rm);
				/* (a NULL reply is no reply: a plain wait) */
				if ((r == 0 || r == -RV_ETIMEDOUT) && rk == P_BAD && rm)
					violation("port_wait sent a reply through a bad message pointer", r);
				if ((r == 0 || r == -RV_ETIMEDOUT) && hv == hin && rm)
					forget_sent(sent, nh);
			} else {
				r = rv_port_wait(port, ev, m, pick_deadline());
			}
			if (r == 0 && k2 == P_BAD)
				violation("port_wait wrote through a bad event pointer", r);
			/* The event says whether a message came; with r == 0
			 * the kernel wrote it, so even a P_MAYBE pointer
			 * (or stack_buf) can be read back: a message taken
			 * with handles must be learnt whichever buffer the
			 * event went to. */
			struct rv_port_event got = {.status = RV_PORT_NOT_READ};

			if (r == 0 && k2 != P_BAD)
				memcpy(&got, ev, sizeof(got)); /* may be unaligned */
			if (r == 0 && m && got.status == 0) {
				if (k1 == P_BAD)
					violation("port_wait received through a bad message pointer", r);
				else
					learn_received(m, hk);
			}
		}
		break;
	}
	case OP_DERIVE: {
		/* a derived handle and its revoker, from any handle */
		rv_handle_t h = pick_handle();
		uint32_t rights = chance(75) ? (uint32_t)below(RV_RIGHTS_ALL + 1) : (uint32_t)rnd();
		void *p = chance(85) ? (void *)cout : pick_ptr(8, 1, &k1, stack_buf, sizeof(stack_buf));
		struct rv_handle_info info;

		/* mostly rights it may have, so that derived handles get around */
		if (chance(70) && rv_handle_info(h, &info) == 0) {
			rights = info.rights & (chance(50) ? ~0u : (uint32_t)rnd());
			syscalls_made++;
		}
		r = rv_handle_derive(h, rights, p);
		if (r == 0) {
			if (k1 == P_BAD) {
				violation("handle_derive wrote through a bad pointer", r);
			} else {
				track(((rv_handle_t *)p)[0]);
				track_as(((rv_handle_t *)p)[1], RV_OBJ_REVOKER);
			}
		}
		break;
	}
	case OP_REVOKE:
		/* (a revoke may unmap mappings made through what it ends) */
		r = rv_handle_revoke(chance(70) ? pick_typed(RV_OBJ_REVOKER) : pick_handle());
		break;
	case OP_TOUCH:
		/* use a mapping the way a program would (not one a revoke may
		 * have taken away) */
		if (nmaps) {
			unsigned int i = below(nmaps);

			if (maps[i].derived) {
				syscalls_made--;
				return;
			}
			volatile uint8_t *p = (volatile uint8_t *)maps[i].addr;
			uint8_t v = p[below(4096)];
			if (maps[i].writable)
				p[below(4096)] = (uint8_t)(v + 1);
		}
		syscalls_made--;
		return;
	default:
		break;
	}
	if (r >= 0)
		op_ok[op]++;
}

/* Live handles we never heard of: look near the newest generation of
 * every slot. Closes what it finds; returns how many. */
static unsigned int sweep_unknown(void)
{
	unsigned int found = 0;

	for (uint32_t slot = 0; slot < NH; slot++) {
		for (uint32_t g = slot_gen[slot]; g < slot_gen[slot] + 40; g++) {
			rv_handle_t h = (g << RV_HANDLE_SLOT_BITS) | slot;
			struct rv_handle_info info;

			/* (a revoked handle is live too: its info is ECANCELED) */
			long r = rv_handle_info(h, &info);

			if (r == -RV_ECANCELED)
				info.type = RV_OBJ_NONE;
			if (r == 0 || r == -RV_ECANCELED) {
				if (found++ < 5)
					printf("fuzz: a live handle nobody told us about: 0x%x (type %u)\n", h,
					       info.type);
				rv_handle_close(h);
			}
		}
	}
	return found;
}

static int run(uint64_t seed, unsigned long calls)
{
	struct rv_kstats base, ks;
	unsigned long next = PROGRESS;
	unsigned int unknown;

	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	rv_kstats(&base);
	procs_base = base.procs_used;
	printf("fuzz: seed %lu, %lu calls\n", (unsigned long)seed, calls);
	while (syscalls_made < calls) {
		step();
		if (syscalls_made >= next) {
			rv_kstats(&ks);
			printf("fuzz: %lu calls: %u handles, %u mappings, channels %lu, messages %lu\n",
			       syscalls_made, nlive, nmaps, (unsigned long)ks.channels_used,
			       (unsigned long)ks.messages_queued);
			next += PROGRESS;
		}
	}
	for (int i = 0; i < OP_COUNT; i++)
		printf("fuzz:   %-10s %6lu calls, %6lu succeeded\n", op_names[i], op_calls[i], op_ok[i]);
	/* clean up: children first (they may hold our channels' peers) */
	for (unsigned int i = 0; i < nlive; i++) {
		struct rv_handle_info info;
		if (rv_handle_info(live[i], &info) == 0 && info.type == RV_OBJ_PROCESS)
			rv_process_kill(live[i]);
	}
	while (nmaps)
		rv_shm_unmap((void *)maps[--nmaps].addr);
	while (nlive)
		rv_handle_close(live[--nlive]);
	unknown = sweep_unknown();
	kstats_settle(&base, &ks, 500);
	printf("fuzz: after closing everything: channels=%lu messages=%lu handles=%lu shm=%lu "
	       "mappings=%lu pobjs=%lu procs=%lu\n",
	       (unsigned long)ks.channels_used, (unsigned long)ks.messages_queued,
	       (unsigned long)ks.handles_used, (unsigned long)ks.shm_regions_used,
	       (unsigned long)ks.shm_mappings_used, (unsigned long)ks.process_objects_used,
	       (unsigned long)ks.procs_used);
	/* Handles received into a buffer the fuzzer could not read back (a
	 * P_MAYBE pointer) or past its table are lost_track: the sweep finds
	 * those. Anything more is a handle the kernel gave without saying so. */
	if (!CHECK("handles the fuzzer did not know it had: no more than it lost track of",
		   unknown <= lost_track))
		printf("fuzz: %u unknown handles, %lu lost track of\n", unknown, lost_track);
	CHECK_EQ("invariant violations", violations, 0);
	KSTATS_SAME_LIVE("fuzzer after closing everything", &base, &ks);
	for (int i = 0; i < OP_COUNT; i++) {
		char what[64];
		snprintf(what, sizeof(what), "some %s calls succeeded", op_names[i]);
		if (i != OP_RAW && i != OP_TOUCH && i != OP_KILL)
			CHECK(what, op_ok[i] > 0);
	}
	return check_report("fuzz run");
}

int main(int argc, char **argv)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info = {.reason = -1};
	static const char *const seeds[] = {"1", "20260417"};
	const char *calls = "120000";
	long proc;

	if (argc > 3 && !strcmp(argv[1], "run"))
		return run(strtoull(argv[2], NULL, 10), strtoul(argv[3], NULL, 10));
	for (unsigned int s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		rv_kstats(&base);
		proc = rv_process_spawn(SELF, (const char *const[]){"run", seeds[s], calls, NULL},
					CONFIG_DEFAULT_PRIORITY, NULL, 0);
		if (!CHECK("spawn the fuzzer", proc >= 0))
			break;
		CHECK_EQ("the fuzzer ends", reap_child((rv_handle_t)proc, &info, 600000), 0);
		CHECK_EQ("the fuzzer exited normally", info.reason, RV_EXIT_NORMAL);
		CHECK_EQ("the fuzzer found nothing wrong", info.code, 0);
		kstats_settle(&base, &ks, 500);
		if (KSTATS_SAME("after the fuzzer", &base, &ks))
			printf("fuzz: seed %s: the kernel survived %s calls; every counter is back\n",
			       seeds[s], calls);
	}
	return check_report("fuzz");
}
