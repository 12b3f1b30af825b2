/* SPDX-License-Identifier: Apache-2.0 */
/*
 * init: the first process. It starts what the boot manifest
 * (CONFIG_INIT_MANIFEST, doc/boot-manifest.md) lists, keeps the service
 * directory, starts programs for others from the initrd or the file
 * system (the loader), restarts services that end (the supervisor), and
 * keeps each child's start-up environment: the directories it may reach
 * and its standard streams (SVC_OP_STARTUP). It holds the only connection
 * to the whole file namespace (CONFIG_INIT_FS_SERVICE). The protocol is
 * in <rvos/service.h>; doc/services.md describes it.
 *
 * Every child gets handle 0 = a channel to init. init waits on all of
 * those channels, on the process handles of the manifest's children and
 * on its connections to the file server, and never blocks on anything a
 * child does: replies and requests to the file server are written
 * without waiting (its answers come in the same wait_many), and a
 * malformed request gets an error reply.
 *
 * Authority: each child's channel carries a mask of SVC_RIGHT_*, from its
 * manifest entry (control=) or passed on by whoever asked the loader (at
 * most the asker's own). The loader, PROCESS, KILL and SHUTDOWN need
 * their right; init decides from the channel a request came in on, never
 * from a pid or a name.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/fssvc.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "manifest.h"

#define MS(n) ((uint64_t)(n) * 1000000ull)
#define ENTRY_MAX 128 /* bytes of one manifest entry, its NUL included */
#define ENV_SLOTS 5   /* root, cwd, stdin, stdout, stderr: RV_ENV_* bit order */
#define INIT_LATER 1  /* a handler's "the reply goes out later" */
/* watchdog=MS: an hour at most, the top of CONFIG_WATCHDOG_TIMEOUT_MS's
 * range (a manifest format bound, not a tunable) */
#define WATCHDOG_MS_MAX 3600000

enum kind {
	K_FREE,
	K_SERVICE, /* manifest "service": restarted when it ends */
	K_PROGRAM, /* manifest "program": started once */
	K_MAIN,    /* manifest "main": when it ends, init ends with its status */
	K_LOADED,  /* started for another process by SVC_OP_SPAWN(_ENV) */
};

/* A start-up environment (struct rv_startup) while init holds it. */
struct env {
	uint32_t mask;            /* RV_ENV_* */
	rv_handle_t h[ENV_SLOTS]; /* by bit */
	uint32_t fd_kinds;        /* as on the wire */
	char *cwd_path;           /* malloc'd; NULL: "" */
};

/* A request of a child that init answers later, when a file server has
 * answered init (init never waits for one: it waits on the connection
 * with everything else). */
enum pend_kind {
	P_NONE,
	P_STARTUP, /* SVC_OP_STARTUP or _REOPEN of a manifest child with root=PATH */
	P_SPAWN,   /* SVC_OP_SPAWN_ENV of a program with a path */
};

struct pending {
	enum pend_kind kind;
	uint64_t deadline;
	uint32_t op; /* the request's */
	/* P_STARTUP: two FS_OP_OPENs on init's root connection (root, cwd) */
	uint32_t seq;       /* names its requests in the root connection's queue */
	uint32_t sent, got; /* sent 0: waiting for the file server to register */
	rv_handle_t dirs[2];
	/* P_SPAWN: FS_OP_OPEN on the request's root, then FS_OP_IMAGE */
	uint32_t step;  /* the op whose reply is due */
	rv_handle_t on; /* where it is due: env.h[0], then the file */
	struct env env;
	char *args;
	uint32_t args_len, env_len, priority, rights;
	char name[SVC_NAME_MAX + 1]; /* the new child's: the path's last part */
};

static const char *const kind_names[] = {"", "service", "program", "main", "loaded"};

struct child {
	enum kind kind;
	char name[SVC_NAME_MAX + 1]; /* the program */
	unsigned int priority;
	rv_handle_t chan; /* init's end of the child's handle 0, or invalid */
	rv_handle_t proc; /* manifest children: the process, or invalid */
	uint64_t restart_times[CONFIG_INIT_RESTART_MAX + 1]; /* ring */
	uint32_t restarts;                                   /* ever */
	uint32_t devices; /* bit d: gets a copy of devices[d] (manifest) */
	/* SVC_RIGHT_*: what requests on chan may do (the manifest's control=,
	 * or what a loader child's asker passed on). Authority belongs to
	 * this connection, not to the pid or the name behind it. */
	uint32_t rights;
	/* Manifest options. */
	char root_path[ENTRY_MAX]; /* root=PATH; "" no files */
	char uses[ENTRY_MAX];      /* uses=A+B, kept as "A+B"; "" none */
	bool ro;
	uint64_t max_pages; /* pages=N: its page quota lowered to N; 0: not */
	/* watchdog[=MS]: armed at each start for MS (RV_WATCHDOG_KEEP: the
	 * kernel's CONFIG_WATCHDOG_TIMEOUT_MS); 0: none */
	uint32_t watchdog_ms;
	/* debug: granted the debugger's right (RV_DBG_GRANT) at each start:
	 * the handles of the processes it spawns carry RV_RIGHT_DEBUG */
	bool debug;
	/* The start-up environment. */
	bool startup_done; /* SVC_OP_STARTUP answered (or being answered) */
	struct env env;    /* a SVC_OP_SPAWN_ENV child's, until it asks */
	struct pending pend;
};

/* The device capabilities the kernel gave init: handles 1..n. */
struct device {
	rv_handle_t handle;
	char name[RV_DEVICE_NAME_MAX];
};
static struct device devices[CONFIG_MAX_EXPORTED_DEVICES];

/* The rights h carries (a device has DMA only when it is DMA-capable). */
static uint32_t handle_rights_of(rv_handle_t h)
{
	struct rv_handle_info info;

	return rv_handle_info(h, &info) < 0 ? 0 : info.rights;
}

static uint32_t num_devices;

struct service {
	bool used;
	char name[SVC_NAME_MAX + 1];
	rv_handle_t reg;   /* where SVC_OP_NEW_CLIENT goes */
	uint32_t owner;    /* index in children[] */
	uint32_t flags;    /* SVC_REG_* */
};

/* The file namespace: init's own connection to the root of the file
 * server CONFIG_INIT_FS_SERVICE ("": none), and the requests in flight
 * on it, in order (the server answers a connection's requests in order). */
static const char fs_service[] = CONFIG_INIT_FS_SERVICE;
static rv_handle_t fs_root = RV_HANDLE_INVALID;
#define FIFO_MAX (4 * CONFIG_INIT_MAX_CHILDREN)
static struct {
	uint32_t child, seq;
} fifo[FIFO_MAX];
static uint32_t fifo_head, fifo_len, next_seq = 1;

static struct child children[CONFIG_INIT_MAX_CHILDREN];
static struct service services[CONFIG_MAX_SERVICES];

static uint8_t in_bytes[CONFIG_MSG_MAX_BYTES], out_bytes[CONFIG_MSG_MAX_BYTES];
static rv_handle_t in_handles[CONFIG_MSG_MAX_HANDLES + 1], out_handles[CONFIG_MSG_MAX_HANDLES + 1];

/* Variables, not macros, so that a limit of 0 compiles without warnings. */
static const uint32_t msg_max_handles = CONFIG_MSG_MAX_HANDLES;

static void close_all(const rv_handle_t *hs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		rv_handle_close(hs[i]);
}

/* Wait items in use: one per open child channel, one per process handle,
 * one per loader request waiting for a file server, and init's root
 * connection. */
static uint32_t items_in_use(void)
{
	uint32_t n = fs_root != RV_HANDLE_INVALID;

	for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++) {
		n += children[i].kind != K_FREE && children[i].chan != RV_HANDLE_INVALID;
		n += children[i].kind != K_FREE && children[i].proc != RV_HANDLE_INVALID;
		n += children[i].kind != K_FREE && children[i].pend.kind == P_SPAWN;
	}
	return n;
}

static void env_release(struct env *e)
{
	for (uint32_t b = 0; b < ENV_SLOTS; b++)
		if (e->mask & (1u << b))
			rv_handle_close(e->h[b]);
	free(e->cwd_path);
	memset(e, 0, sizeof(*e));
}

static void child_unlink(uint32_t i);

static int child_find_free(uint32_t items)
{
	if (items_in_use() + items > CONFIG_MAX_WAIT_ITEMS)
		return -1;
	for (int i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++)
		if (children[i].kind == K_FREE)
			return i;
	return -1;
}

/* Which of signals h shows now (a wait that does not wait). */
static uint32_t signals_now(rv_handle_t h, uint32_t signals)
{
	struct rv_wait_item item = {.handle = h, .signals = signals};

	rv_wait_many(&item, 1, 0);
	return item.observed & signals;
}

/* Programs started for others that have ended but whose end the main
 * loop has not seen yet, reaped now: their asker waits on the process too
 * and, at a higher priority than init's, may ask for the next program
 * before init has run (limits.shell.at_minimums, with one slot and its
 * wait items for the shell's programs, failed so 1 run in 8). The main
 * loop then skips their stale events: their slot is free, or holds
 * another process handle. */
static void reap_ended_programs(void)
{
	for (uint32_t k = 0; k < CONFIG_INIT_MAX_CHILDREN; k++) {
		struct child *c = &children[k];

		/* Its process handle went to its asker: its end shows as its
		 * channel's closing. Not while a request of its waits to be
		 * served (the main loop serves it, then unlinks it). */
		if (c->kind != K_LOADED || c->chan == RV_HANDLE_INVALID || c->pend.kind != P_NONE)
			continue;
		if (signals_now(c->chan, RV_SIGNAL_PEER_CLOSED | RV_SIGNAL_READABLE) ==
		    RV_SIGNAL_PEER_CLOSED)
			child_unlink(k);
	}
}

/* A free child slot with `items` more wait items available, or -1 (after
 * reaping ended programs). */
static int child_alloc(uint32_t items)
{
	int i = child_find_free(items);

	if (i >= 0)
		return i;
	reap_ended_programs();
	return child_find_free(items);
}

/* Room to start a program from the file system: a wait item for the
 * image's reply now (two in all) and a child slot later. */
static bool room_to_load(void)
{
	if (items_in_use() + 2 > CONFIG_MAX_WAIT_ITEMS || child_find_free(0) < 0)
		reap_ended_programs();
	return items_in_use() + 2 <= CONFIG_MAX_WAIT_ITEMS && child_find_free(0) >= 0;
}

/* ---- the service directory ---- */

static struct service *service_find(const char *name)
{
	for (uint32_t i = 0; i < CONFIG_MAX_SERVICES; i++)
		if (services[i].used && !strcmp(services[i].name, name))
			return &services[i];
	return NULL;
}

static void service_remove(struct service *s)
{
	rv_handle_close(s->reg);
	s->used = false;
}

static void services_of_child_remove(uint32_t owner)
{
	for (uint32_t i = 0; i < CONFIG_MAX_SERVICES; i++)
		if (services[i].used && services[i].owner == owner)
			service_remove(&services[i]);
}

static bool peer_closed(rv_handle_t h)
{
	return signals_now(h, RV_SIGNAL_PEER_CLOSED) != 0;
}

/* Send a server one new client: the end `end` (moved). */
static int service_new_client(struct service *s, rv_handle_t end)
{
	uint8_t buf[WIRE_HEADER_SIZE + WIRE_HANDLE_SIZE];
	rv_handle_t hs[1];
	struct wire_writer w;
	struct rv_msg msg;
	long ret;

	wire_init_request(&w, buf, sizeof(buf), hs, 1, SVC_OP_NEW_CLIENT);
	wire_put_handle(&w, end);
	ret = wire_finish(&w, &msg);
	if (ret == 0)
		ret = rv_channel_write(s->reg, &msg, RV_IPC_NONBLOCK, 0);
	if (ret == -RV_EPEERCLOSED) {
		service_remove(s);
		return -RV_ENOENT;
	}
	if (ret == -RV_EAGAIN)
		return -RV_EBUSY;
	return (int)ret;
}

static void startup_pump(void);
static void fs_root_lost(void);

/* The file server registered: init connects to it, as its root. */
static void fs_connect(struct service *s)
{
	rv_handle_t ch[2];
	int ret;

	if (fs_root != RV_HANDLE_INVALID)
		fs_root_lost(); /* a connection to the server before this one */
	if (rv_channel_create(ch) < 0) {
		printf("init: cannot connect to the file service %s\n", fs_service);
		return;
	}
	ret = service_new_client(s, ch[1]);
	if (ret < 0) {
		rv_handle_close(ch[1]);
		rv_handle_close(ch[0]);
		printf("init: cannot connect to the file service %s: %s\n", fs_service,
		       rv_strerror(ret));
		return;
	}
	fs_root = ch[0];
	startup_pump();
}

static int do_register(uint32_t owner, const char *name, rv_handle_t reg, uint32_t flags)
{
	struct service *s = service_find(name);

	if (flags & ~SVC_REG_RESTRICTED)
		return -RV_EINVAL;
	if (s) {
		/* A server that closed its end is gone: its name is free. */
		if (!peer_closed(s->reg))
			return -RV_EEXIST;
		service_remove(s);
	}
	for (uint32_t i = 0; i < CONFIG_MAX_SERVICES; i++) {
		s = &services[i];
		if (s->used)
			continue;
		s->used = true;
		strcpy(s->name, name);
		s->reg = reg;
		s->owner = owner;
		s->flags = flags;
		/* Only a server the manifest started is trusted with everyone's
		 * files: a loader child could otherwise take the name first. */
		if (fs_service[0] && !strcmp(name, fs_service) && children[owner].kind != K_LOADED)
			fs_connect(s);
		return 0;
	}
	return -RV_ENOSPC;
}

/* Does child c's manifest entry say uses=...name...? */
static bool child_uses(const struct child *c, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = c->uses; *p;) {
		size_t l = strcspn(p, "+");

		if (l == len && !memcmp(p, name, len))
			return true;
		p += l + (p[l] == '+');
	}
	return false;
}

static int do_connect(uint32_t from, const char *name, rv_handle_t end)
{
	struct service *s = service_find(name);

	if (!s)
		return -RV_ENOENT;
	/* EPERM, not ENOENT: the names are no secret (the manifest is in
	 * the image, SVC_OP_PROGRAMS lists the programs), and a clear error
	 * beats rv_connect_wait retrying until its deadline. */
	if ((s->flags & SVC_REG_RESTRICTED) && !child_uses(&children[from], name))
		return -RV_EPERM;
	return service_new_client(s, end);
}

/* ---- starting children ---- */

/* Start children[i] (its kind, name, priority set) with a new channel:
 * from the initrd, or from the shared-memory ELF image `image` (not
 * RV_HANDLE_INVALID) of image_size bytes. args: argument strings, then
 * env_len bytes of environment strings, args_len bytes in all. */
static int child_start(uint32_t i, const char *args, uint32_t args_len, uint32_t env_len,
		       const rv_handle_t *extra, uint32_t n_extra, rv_handle_t image,
		       uint64_t image_size, rv_handle_t *proc)
{
	uint64_t len = RV_SPAWN_ARGS_LEN(args_len - env_len, env_len);
	struct child *c = &children[i];
	rv_handle_t give[CONFIG_MSG_MAX_HANDLES + 1];
	rv_handle_t ch[2];
	long ret;

	uint32_t n = 1;

	c->startup_done = false;
	if (n_extra + 1 + (uint32_t)__builtin_popcount(c->devices) > CONFIG_MSG_MAX_HANDLES) {
		close_all(extra, n_extra);
		return -RV_E2BIG;
	}
	ret = rv_channel_create(ch);
	if (ret < 0) {
		close_all(extra, n_extra);
		return (int)ret;
	}
	give[0] = ch[1];
	/* Devices first (handles 1.., in the manifest's order), then extras. */
	for (uint32_t d = 0; d < num_devices; d++) {
		if (!(c->devices & (1u << d)))
			continue;
		ret = rv_handle_duplicate(devices[d].handle,
					  handle_rights_of(devices[d].handle) &
						  ~(RV_RIGHT_MANAGE | RV_RIGHT_DUPLICATE));
		if (ret < 0) {
			close_all(extra, n_extra);
			close_all(give, n);
			rv_handle_close(ch[0]);
			return (int)ret;
		}
		give[n++] = (rv_handle_t)ret;
	}
	for (uint32_t k = 0; k < n_extra; k++)
		give[n++] = extra[k];
	if (image != RV_HANDLE_INVALID) {
		const struct rv_spawn_image req = {
			.image = image, .image_size = image_size, .name = c->name, .args = args,
			.args_len = len, .priority = c->priority, .count = n, .give = give};

		ret = rv_process_spawn_image(&req);
	} else {
		ret = rv_process_spawn_raw(c->name, args, len, c->priority, give, n);
	}
	if (ret < 0) {
		/* Closing handles that did move is -EBADF: harmless. */
		close_all(give, n);
		rv_handle_close(ch[0]);
		return (int)ret;
	}
	c->chan = ch[0];
	*proc = (rv_handle_t)ret;
	/* debug: it may debug what it spawns */
	if (c->debug && (ret = rv_debug(RV_DBG_GRANT, *proc, 0, 0, 0)) < 0)
		printf("init: %s: debug not granted: %s\n", c->name, rv_strerror((int)ret));
	/* pages=N: lowered at once (a child of a higher priority than init's
	 * has run meanwhile; what it took above N stays, it gets no more) */
	if (c->max_pages && (ret = rv_process_limit(*proc, RV_LIMIT_PAGES, c->max_pages)) < 0)
		printf("init: %s: pages=%llu not set: %s\n", c->name,
		       (unsigned long long)c->max_pages, rv_strerror((int)ret));
	/* watchdog[=MS]: the service pets it from now on (rv_watchdog_pet) */
	if (c->watchdog_ms && (ret = rv_watchdog(*proc, c->watchdog_ms)) < 0)
		printf("init: %s: watchdog not armed: %s\n", c->name, rv_strerror((int)ret));
	return 0;
}

/* A loader child (SVC_OP_SPAWN, SVC_OP_SPAWN_ENV): its environment env
 * (moved; may be NULL) is kept for it until it asks. The last env_len of
 * the args_len bytes of args are its environment strings. */
static int do_spawn(const char *name, uint32_t priority, const char *args, uint32_t args_len,
		    uint32_t env_len, uint32_t rights, const rv_handle_t *extra, uint32_t n_extra,
		    struct env *env, rv_handle_t image, uint64_t image_size, bool keep_debug,
		    rv_handle_t *proc)
{
	int i = child_alloc(1);
	int ret;

	if (priority >= CONFIG_NUM_PRIORITIES || (args_len && args[args_len - 1] != '\0') ||
	    env_len > args_len)
		ret = -RV_EINVAL;
	else if (i < 0)
		ret = -RV_ENOSPC;
	else
		ret = 0;
	if (ret < 0) {
		close_all(extra, n_extra);
		if (env)
			env_release(env);
		return ret;
	}
	memset(&children[i], 0, sizeof(children[i]));
	children[i].kind = K_LOADED;
	strcpy(children[i].name, name);
	children[i].priority = priority;
	children[i].rights = rights;
	children[i].chan = RV_HANDLE_INVALID;
	children[i].proc = RV_HANDLE_INVALID;
	ret = child_start((uint32_t)i, args, args_len, env_len, extra, n_extra, image, image_size,
			  proc);
	if (ret < 0) {
		children[i].kind = K_FREE;
		if (env)
			env_release(env);
	} else if (env) {
		children[i].env = *env;
		memset(env, 0, sizeof(*env));
	}
	/* init's process handles carry RV_RIGHT_DEBUG (it may debug); the
	 * asker gets it only if its own manifest entry says debug */
	if (ret == 0 && !keep_debug && (handle_rights_of(*proc) & RV_RIGHT_DEBUG)) {
		long d = rv_handle_duplicate(*proc, handle_rights_of(*proc) & ~RV_RIGHT_DEBUG);

		rv_handle_close(*proc);
		*proc = d >= 0 ? (rv_handle_t)d : RV_HANDLE_INVALID;
		ret = d >= 0 ? 0 : (int)d;
	}
	return ret;
}

/* The pid of a process handle (0 if it is not one). */
static int handle_pid(rv_handle_t h)
{
	struct rv_handle_info info;

	if (rv_handle_info(h, &info) < 0 || info.type != RV_OBJ_PROCESS)
		return 0;
	return info.pid;
}

/* SVC_OP_KILL: end a manifest child by pid. A service is restarted as
 * when it dies; the main program's end ends init. */
static int do_kill(uint32_t pid, const char **name)
{
	if (pid == 0 || pid > INT32_MAX)
		return -RV_EINVAL;
	if ((long)pid == rv_getpid())
		return -RV_EPERM;
	for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++) {
		struct child *c = &children[i];
		long ret;

		if (c->kind == K_FREE || c->proc == RV_HANDLE_INVALID ||
		    handle_pid(c->proc) != (int)pid)
			continue;
		ret = rv_process_kill(c->proc);
		if (ret < 0)
			return (int)ret; /* -ESRCH: it ended already */
		*name = c->name;
		return 0;
	}
	return -RV_ESRCH;
}

/* SVC_OP_PROGRAMS: the initrd's names from number `first` on, as many as
 * the reply holds. */
static int do_programs(uint32_t first, struct wire_writer *w)
{
	static char names[CONFIG_MSG_MAX_BYTES];
	const uint32_t room = CONFIG_MSG_MAX_BYTES - WIRE_HEADER_SIZE - WIRE_BYTES_SIZE(0);
	long n = rv_program_list(first, names, room);

	if (n < 0)
		return (int)n;
	wire_put_bytes(w, names, (uint32_t)n);
	return 0;
}

static int do_process(const char *name, rv_handle_t *out)
{
	struct service *s = service_find(name);
	long ret;

	if (!s || children[s->owner].proc == RV_HANDLE_INVALID)
		return -RV_ENOENT;
	ret = rv_handle_duplicate(children[s->owner].proc,
				  RV_RIGHT_READ | RV_RIGHT_MANAGE | RV_RIGHT_TRANSFER |
					  RV_RIGHT_DUPLICATE);
	if (ret < 0)
		return (int)ret;
	*out = (rv_handle_t)ret;
	return 0;
}

/* ---- requests from children ---- */

/* A wire string as a C string; false if it does not fit. */
static bool copy_name(char *dst, const char *s, uint32_t len)
{
	if (!s || len == 0 || len > SVC_NAME_MAX)
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

/* ---- start-up environments ---- */

/* Deferred replies are built here: serve() may be using out_bytes when
 * one goes out (a registration that lets waiting children go on). */
static uint8_t later_bytes[CONFIG_MSG_MAX_BYTES], req_bytes[CONFIG_MSG_MAX_BYTES];
static rv_handle_t later_handles[CONFIG_MSG_MAX_HANDLES + 1];

/* Send child i the reply built in w (a request of it that waited), or an
 * error reply for op if w cannot be finished; without waiting. */
static void reply_later(uint32_t i, struct wire_writer *w, uint32_t op)
{
	struct rv_msg msg;
	long ret = wire_finish(w, &msg);

	if (ret < 0) {
		close_all(w->handles, w->num_handles);
		wire_status_reply(&msg, later_bytes, sizeof(later_bytes), op, (int)ret);
	}
	if (rv_channel_write(children[i].chan, &msg, RV_IPC_NONBLOCK, 0) < 0)
		close_all(msg.handles, msg.num_handles);
}

static void reply_status_later(uint32_t i, uint32_t op, int status)
{
	struct rv_msg msg;

	wire_status_reply(&msg, later_bytes, sizeof(later_bytes), op, status);
	rv_channel_write(children[i].chan, &msg, RV_IPC_NONBLOCK, 0);
}

/* The fields of a STARTUP reply; hs[b] for each bit b of mask (moved). */
static void startup_put(struct wire_writer *w, uint32_t mask, const rv_handle_t *hs,
			uint32_t kinds, const char *cwd_path)
{
	wire_put_u32(w, mask);
	wire_put_u32(w, kinds);
	wire_put_str(w, cwd_path ? cwd_path : "");
	for (uint32_t b = 0; b < ENV_SLOTS; b++)
		if (mask & (1u << b))
			wire_put_handle(w, hs[b]);
}

/* Child i's STARTUP (or REOPEN), waiting for the file server, is
 * answered now. */
static void startup_reply(uint32_t i, uint32_t mask, const rv_handle_t *hs, const char *cwd_path)
{
	struct wire_writer w;

	children[i].pend.kind = P_NONE;
	wire_init_reply(&w, later_bytes, sizeof(later_bytes), later_handles,
			CONFIG_MSG_MAX_HANDLES, children[i].pend.op, 0);
	startup_put(&w, mask, hs, 0, cwd_path);
	reply_later(i, &w, children[i].pend.op);
}

/* Child i starts without files: one console line says why. */
static void startup_fail(uint32_t i, const char *why)
{
	struct child *c = &children[i];

	printf("init: %s: no files (root=%s): %s\n", c->name, c->root_path, why);
	close_all(c->pend.dirs, c->pend.got);
	c->pend.got = 0;
	startup_reply(i, 0, NULL, "");
}

/* Child i's two directory connections (root, cwd), asked of the file
 * server on init's root connection; the replies come in this order. A
 * full queue leaves the rest for startup_pump(). */
static void startup_send(uint32_t i)
{
	struct child *c = &children[i];
	const uint32_t flags = FS_O_DIRECTORY | FS_O_READ | (c->ro ? 0 : FS_O_WRITE);

	while (c->pend.sent < 2) {
		struct wire_writer w;
		struct rv_msg msg;
		long ret;

		/* No more in flight than the reply queue holds: a server
		 * drops a reply that finds its client's queue full. */
		if (fifo_len >= CONFIG_CHANNEL_QUEUE_DEPTH)
			return; /* after the next reply (startup_pump) */
		if (fifo_len == FIFO_MAX) {
			startup_fail(i, "too many requests to the file server");
			return;
		}
		wire_init_request(&w, req_bytes, sizeof(req_bytes), NULL, 0, FS_OP_OPEN);
		wire_put_str(&w, c->root_path);
		wire_put_u32(&w, flags);
		wire_put_u32(&w, 0);
		ret = wire_finish(&w, &msg);
		if (ret == 0)
			ret = rv_channel_write(fs_root, &msg, RV_IPC_NONBLOCK, 0);
		if (ret == -RV_EPEERCLOSED) {
			fs_root_lost(); /* the server died: wait for the next one */
			return;
		}
		if (ret == -RV_EAGAIN)
			return; /* the server's queue is full: after its next reply */
		if (ret < 0) {
			startup_fail(i, rv_strerror((int)ret));
			return;
		}
		fifo[(fifo_head + fifo_len++) % FIFO_MAX].child = i;
		fifo[(fifo_head + fifo_len - 1) % FIFO_MAX].seq = c->pend.seq;
		c->pend.sent++;
	}
}

/* Send what waits to be sent (the server registered, or its queue has
 * room again). */
static void startup_pump(void)
{
	for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN && fs_root != RV_HANDLE_INVALID; i++)
		if (children[i].kind != K_FREE && children[i].pend.kind == P_STARTUP &&
		    children[i].pend.sent < 2)
			startup_send(i);
}

/* init's root connection closed (the file server ended): requests in
 * flight are lost; children waiting go back to waiting for a server. */
static void fs_root_lost(void)
{
	rv_handle_close(fs_root);
	fs_root = RV_HANDLE_INVALID;
	fifo_len = 0;
	for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++) {
		struct pending *p = &children[i].pend;

		if (children[i].kind == K_FREE || p->kind != P_STARTUP)
			continue;
		close_all(p->dirs, p->got);
		p->got = p->sent = 0;
	}
}

/* A reply on init's root connection: the oldest request's. */
static void fs_root_readable(void)
{
	struct rv_msg msg = {.bytes = in_bytes, .num_bytes = sizeof(in_bytes),
			     .num_handles = CONFIG_MSG_MAX_HANDLES, .handles = in_handles};
	struct wire_reader r;
	rv_handle_t h = RV_HANDLE_INVALID;
	uint32_t mode, i, seq;
	struct child *c;
	long ret;

	ret = rv_channel_read(fs_root, &msg, RV_IPC_NONBLOCK, 0);
	if (ret == -RV_EAGAIN)
		return;
	if (ret < 0) {
		fs_root_lost();
		return;
	}
	if (fifo_len == 0) {
		/* Nothing was asked: a server that talks out of turn. */
		close_all(msg.handles, msg.num_handles);
		return;
	}
	i = fifo[fifo_head].child;
	seq = fifo[fifo_head].seq;
	fifo_head = (fifo_head + 1) % FIFO_MAX;
	fifo_len--;
	ret = wire_read_reply(&r, &msg, FS_OP_OPEN);
	if (ret == 0) {
		wire_get_handle(&r, &h);
		wire_get_u32(&r, &mode);
		ret = wire_end(&r);
	}
	if (ret < 0)
		close_all(msg.handles, msg.num_handles);
	c = &children[i];
	if (c->kind == K_FREE || c->pend.kind != P_STARTUP || c->pend.seq != seq) {
		/* Its child is gone, or was answered already. */
		if (ret == 0)
			rv_handle_close(h);
		return;
	}
	if (ret < 0) {
		startup_fail(i, rv_strerror((int)ret));
		return;
	}
	c->pend.dirs[c->pend.got++] = h;
	if (c->pend.got == 2)
		startup_reply(i, RV_ENV_ROOT | RV_ENV_CWD, c->pend.dirs, "/");
}

/* Child i's directories from its manifest entry's root=PATH: asked of
 * the file server now or when it registers; INIT_LATER. */
static int startup_open(uint32_t i, uint32_t op)
{
	struct child *c = &children[i];

	memset(&c->pend, 0, sizeof(c->pend));
	c->pend.kind = P_STARTUP;
	c->pend.op = op;
	c->pend.deadline = rv_clock_ns() + MS(CONFIG_INIT_STARTUP_WAIT_MS);
	c->pend.seq = next_seq++;
	startup_pump();
	return INIT_LATER;
}

/* SVC_OP_REOPEN from child i: fresh directories for a manifest child
 * with root=PATH (after the file server restarted, its old ones are
 * closed); mask 0 for anyone else. */
static int do_reopen(uint32_t i, struct wire_writer *w)
{
	if (children[i].kind == K_LOADED || !children[i].root_path[0]) {
		startup_put(w, 0, NULL, 0, "");
		return 0;
	}
	return startup_open(i, SVC_OP_REOPEN);
}

/* SVC_OP_STARTUP from child i: answered now (into w) or INIT_LATER. */
static int do_startup(uint32_t i, struct wire_writer *w)
{
	struct child *c = &children[i];

	if (c->startup_done) {
		startup_put(w, 0, NULL, 0, "");
		return 0;
	}
	c->startup_done = true;
	if (c->kind == K_LOADED) {
		/* The handles move with the reply: init forgets them. */
		startup_put(w, c->env.mask, c->env.h, c->env.fd_kinds, c->env.cwd_path);
		free(c->env.cwd_path);
		memset(&c->env, 0, sizeof(c->env));
		return 0;
	}
	if (!c->root_path[0]) {
		startup_put(w, 0, NULL, 0, "");
		return 0;
	}
	return startup_open(i, SVC_OP_STARTUP);
}

/* Child i's SVC_OP_SPAWN_ENV of a program from the file system failed:
 * everything it carried is closed, the error goes back. */
static void spawn_fail(uint32_t i, int err)
{
	struct pending *p = &children[i].pend;

	if (p->step == FS_OP_IMAGE)
		rv_handle_close(p->on);
	env_release(&p->env);
	free(p->args);
	p->args = NULL;
	p->kind = P_NONE;
	reply_status_later(i, SVC_OP_SPAWN_ENV, err);
}

/* One request, without fields or with a path, on node connection h. */
static int fs_send(rv_handle_t h, uint32_t op, const char *path, uint32_t plen, uint32_t flags)
{
	struct wire_writer w;
	struct rv_msg msg;
	long ret;

	wire_init_request(&w, req_bytes, sizeof(req_bytes), NULL, 0, op);
	if (path) {
		wire_put_strn(&w, path, plen);
		wire_put_u32(&w, flags);
		wire_put_u32(&w, 0);
	}
	ret = wire_finish(&w, &msg);
	if (ret == 0)
		ret = rv_channel_write(h, &msg, RV_IPC_NONBLOCK, 0);
	if (ret == -RV_EAGAIN)
		return -RV_EBUSY;
	if (ret == -RV_EPEERCLOSED)
		return -RV_EIO; /* the file server is gone */
	return (int)ret;
}

/* A reply from the file server for child i's program load. */
static void spawn_readable(uint32_t i)
{
	struct rv_msg msg = {.bytes = in_bytes, .num_bytes = sizeof(in_bytes),
			     .num_handles = CONFIG_MSG_MAX_HANDLES, .handles = in_handles};
	struct pending *p = &children[i].pend;
	struct wire_writer w;
	struct wire_reader r;
	rv_handle_t h = RV_HANDLE_INVALID, proc;
	uint32_t mode = 0;
	uint64_t size = 0;
	long ret;

	ret = rv_channel_read(p->on, &msg, RV_IPC_NONBLOCK, 0);
	if (ret == -RV_EAGAIN)
		return;
	if (ret < 0) {
		spawn_fail(i, -RV_EIO);
		return;
	}
	ret = wire_read_reply(&r, &msg, p->step);
	if (ret == 0) {
		wire_get_handle(&r, &h);
		if (p->step == FS_OP_OPEN)
			wire_get_u32(&r, &mode);
		else
			wire_get_u64(&r, &size);
		ret = wire_end(&r);
	}
	if (ret < 0) {
		close_all(msg.handles, msg.num_handles);
		spawn_fail(i, ret == -RV_EBADMSG ? -RV_EIO : (int)ret);
		return;
	}
	if (p->step == FS_OP_OPEN) {
		/* exec's rule: only a regular file is a program. */
		if ((mode & FS_S_IFMT) != FS_S_IFREG)
			ret = -RV_EACCES;
		else
			ret = fs_send(h, FS_OP_IMAGE, NULL, 0, 0);
		if (ret < 0) {
			rv_handle_close(h);
			spawn_fail(i, (int)ret);
			return;
		}
		p->on = h;
		p->step = FS_OP_IMAGE;
		return;
	}
	rv_handle_close(p->on);
	p->on = RV_HANDLE_INVALID;
	p->step = 0;
	p->kind = P_NONE; /* before do_spawn: its wait item is free again */
	ret = do_spawn(p->name, p->priority, p->args, p->args_len, p->env_len, p->rights, NULL, 0,
		       &p->env, h, size, children[i].debug, &proc);
	rv_handle_close(h);
	free(p->args);
	p->args = NULL;
	if (ret < 0) {
		reply_status_later(i, SVC_OP_SPAWN_ENV, (int)ret);
		return;
	}
	wire_init_reply(&w, later_bytes, sizeof(later_bytes), later_handles,
			CONFIG_MSG_MAX_HANDLES, SVC_OP_SPAWN_ENV, 0);
	wire_put_handle(&w, proc);
	reply_later(i, &w, SVC_OP_SPAWN_ENV);
}

/* 0 if h may be handed on in an environment: a channel end with TRANSFER. */
static int env_handle_ok(rv_handle_t h)
{
	struct rv_handle_info info;
	long ret = rv_handle_info(h, &info);

	if (ret < 0)
		return (int)ret;
	if (info.type != RV_OBJ_CHANNEL)
		return -RV_EWRONGTYPE;
	return (info.rights & RV_RIGHT_TRANSFER) ? 0 : -RV_EPERM;
}

/* The rights a loader child is to get from child i's request: at most what
 * i's own connection holds. */
static int rights_to_pass(uint32_t i, uint32_t rights)
{
	if (rights & ~SVC_RIGHTS_ALL)
		return -RV_EINVAL;
	if (rights & ~children[i].rights)
		return -RV_EPERM;
	return 0;
}

/* SVC_OP_SPAWN_ENV from child i: answered now (into w), INIT_LATER, or an
 * error (the request's handles closed). */
static int do_spawn_env(uint32_t i, struct wire_reader *r, struct wire_writer *w)
{
	struct pending *p = &children[i].pend;
	const char *prog, *cwd, *base;
	const void *args;
	uint32_t plen, prio, args_len, mask, kinds, clen, env_len = 0, rights = 0;
	struct env env;
	char name[SVC_NAME_MAX + 1];
	rv_handle_t h;
	int ret = 0;

	memset(&env, 0, sizeof(env));
	wire_get_str(r, &prog, &plen, RV_ENV_PATH_MAX - 1);
	wire_get_u32(r, &prio);
	wire_get_bytes(r, &args, &args_len);
	wire_get_u32(r, &mask);
	wire_get_u32(r, &kinds);
	wire_get_str(r, &cwd, &clen, RV_ENV_PATH_MAX - 1);
	for (uint32_t b = 0; b < ENV_SLOTS; b++)
		if (mask & (1u << b))
			wire_get_handle(r, &env.h[b]);
	if (wire_next_type(r) == WIRE_T_U32)
		wire_get_u32(r, &env_len);
	if (wire_next_type(r) == WIRE_T_U32)
		wire_get_u32(r, &rights);
	if (wire_end(r) < 0 || plen == 0)
		return -RV_EBADMSG; /* serve() closes the handles */
	env.mask = mask & RV_ENV_ALL;
	env.fd_kinds = kinds;
	if ((mask & ~RV_ENV_ALL) || (kinds >> 24) || (kinds & 0xff) > RV_FD_PIPE ||
	    ((kinds >> 8) & 0xff) > RV_FD_PIPE || ((kinds >> 16) & 0xff) > RV_FD_PIPE ||
	    prio >= CONFIG_NUM_PRIORITIES || env_len > args_len ||
	    (args_len && ((const char *)args)[args_len - 1] != '\0'))
		ret = -RV_EINVAL;
	if (ret == 0)
		ret = rights_to_pass(i, rights);
	for (uint32_t b = 0; b < ENV_SLOTS && ret == 0; b++)
		if (env.mask & (1u << b))
			ret = env_handle_ok(env.h[b]);
	if (ret == 0 && clen) {
		env.cwd_path = malloc(clen + 1);
		if (!env.cwd_path) {
			ret = -RV_ENOMEM;
		} else {
			memcpy(env.cwd_path, cwd, clen);
			env.cwd_path[clen] = '\0';
		}
	}
	if (ret == 0 && !memchr(prog, '/', plen)) {
		/* From the initrd: at once. */
		if (!copy_name(name, prog, plen)) {
			env_release(&env);
			return -RV_ENAMETOOLONG;
		}
		ret = do_spawn(name, prio, args, args_len, env_len, rights, NULL, 0, &env,
			       RV_HANDLE_INVALID, 0, children[i].debug, &h);
		if (ret < 0)
			return ret;
		wire_put_handle(w, h);
		return 0;
	}
	/* From the file system, resolved in the root the request carries:
	 * FS_OP_OPEN, then FS_OP_IMAGE; the program never passes through
	 * init's memory. */
	for (base = prog + plen; ret == 0 && base > prog && base[-1] != '/'; base--)
		;
	if (ret == 0 && !(env.mask & RV_ENV_ROOT))
		ret = -RV_ENOENT;
	else if (ret == 0 && base == prog + plen)
		ret = -RV_EINVAL; /* ends in '/': no program name */
	else if (ret == 0 && !room_to_load())
		ret = -RV_ENOSPC;
	if (ret == 0 && args_len) {
		p->args = malloc(args_len);
		if (!p->args)
			ret = -RV_ENOMEM;
		else
			memcpy(p->args, args, args_len);
	}
	if (ret == 0)
		ret = fs_send(env.h[0], FS_OP_OPEN, prog, plen, FS_O_READ);
	if (ret < 0) {
		free(p->args);
		p->args = NULL;
		env_release(&env);
		return ret;
	}
	p->kind = P_SPAWN;
	p->deadline = rv_clock_ns() + MS(CONFIG_INIT_STARTUP_WAIT_MS);
	p->step = FS_OP_OPEN;
	p->on = env.h[0];
	p->env = env;
	p->args_len = args_len;
	p->env_len = env_len;
	p->rights = rights;
	p->priority = prio;
	plen = (uint32_t)(prog + plen - base);
	if (plen > SVC_NAME_MAX)
		plen = SVC_NAME_MAX;
	memcpy(p->name, base, plen);
	p->name[plen] = '\0';
	return INIT_LATER;
}

/* Child i is gone (or lost its channel): drop what it waited for. */
static void pend_abort(uint32_t i)
{
	struct pending *p = &children[i].pend;

	if (p->kind == P_STARTUP) {
		close_all(p->dirs, p->got);
	} else if (p->kind == P_SPAWN) {
		if (p->step == FS_OP_IMAGE)
			rv_handle_close(p->on);
		env_release(&p->env);
		free(p->args);
	}
	memset(p, 0, sizeof(*p));
}

/* Requests whose deadline passed get their answer now. */
static void pend_expire(uint64_t now)
{
	char why[80];

	for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++) {
		struct child *c = &children[i];

		if (c->kind == K_FREE || c->pend.kind == P_NONE || now < c->pend.deadline)
			continue;
		if (c->pend.kind == P_SPAWN) {
			spawn_fail(i, -RV_ETIMEDOUT);
			continue;
		}
		snprintf(why, sizeof(why), "the file service %s %s in %d ms", fs_service,
			 fs_root != RV_HANDLE_INVALID ? "did not answer" : "did not register",
			 CONFIG_INIT_STARTUP_WAIT_MS);
		startup_fail(i, why);
	}
}

/* Set by SVC_OP_SHUTDOWN: init ends with this status once the reply is out. */
static int shutdown_status = -1;

/* Decode and carry out one request; fill the reply writer. */
static int handle(uint32_t from, struct wire_reader *r, struct wire_writer *w)
{
	char name[SVC_NAME_MAX + 1];
	rv_handle_t h, extra[CONFIG_MSG_MAX_HANDLES + 1];
	const char *s;
	const void *args;
	uint32_t len, args_len, prio, n = 0, v, env_len = 0, rights = 0;
	int ret;

	switch (r->op) {
	case SVC_OP_CONNECT:
	case SVC_OP_REGISTER:
		v = 0;
		wire_get_str(r, &s, &len, SVC_NAME_MAX);
		wire_get_handle(r, &h);
		if (r->op == SVC_OP_REGISTER && wire_next_type(r) == WIRE_T_U32)
			wire_get_u32(r, &v); /* the optional flags */
		if (wire_end(r) < 0 || !copy_name(name, s, len))
			return -RV_EBADMSG;
		ret = rv_service_check_channel(h);
		if (ret == 0 && r->op == SVC_OP_CONNECT)
			ret = do_connect(from, name, h);
		else if (ret == 0)
			ret = do_register(from, name, h, v);
		if (ret < 0)
			rv_handle_close(h);
		return ret;
	case SVC_OP_STARTUP:
		if (wire_end(r) < 0)
			return -RV_EBADMSG;
		return do_startup(from, w);
	case SVC_OP_REOPEN:
		if (wire_end(r) < 0)
			return -RV_EBADMSG;
		return do_reopen(from, w);
	case SVC_OP_SPAWN_ENV:
		return do_spawn_env(from, r, w);
	case SVC_OP_SPAWN:
		wire_get_str(r, &s, &len, SVC_NAME_MAX);
		wire_get_u32(r, &prio);
		wire_get_bytes(r, &args, &args_len);
		while (wire_next_type(r) == WIRE_T_HANDLE && n < msg_max_handles)
			wire_get_handle(r, &extra[n++]);
		if (wire_next_type(r) == WIRE_T_U32)
			wire_get_u32(r, &env_len);
		if (wire_next_type(r) == WIRE_T_U32)
			wire_get_u32(r, &rights);
		if (wire_end(r) < 0 || !copy_name(name, s, len))
			return -RV_EBADMSG;
		ret = rights_to_pass(from, rights);
		if (ret < 0) {
			close_all(extra, n);
			return ret;
		}
		ret = do_spawn(name, prio, args, args_len, env_len, rights, extra, n, NULL,
			       RV_HANDLE_INVALID, 0, children[from].debug, &h);
		if (ret < 0)
			return ret;
		wire_put_handle(w, h);
		return 0;
	case SVC_OP_PROCESS:
		wire_get_str(r, &s, &len, SVC_NAME_MAX);
		if (wire_end(r) < 0 || !copy_name(name, s, len))
			return -RV_EBADMSG;
		ret = do_process(name, &h);
		if (ret < 0)
			return ret;
		wire_put_handle(w, h);
		return 0;
	case SVC_OP_PROGRAMS:
		wire_get_u32(r, &v);
		if (wire_end(r) < 0)
			return -RV_EBADMSG;
		return do_programs(v, w);
	case SVC_OP_KILL:
		wire_get_u32(r, &v);
		if (wire_end(r) < 0)
			return -RV_EBADMSG;
		ret = do_kill(v, &s);
		if (ret < 0)
			return ret;
		wire_put_str(w, s);
		return 0;
	case SVC_OP_SHUTDOWN:
		wire_get_u32(r, &v);
		if (wire_end(r) < 0)
			return -RV_EBADMSG;
		if (v > 255)
			return -RV_EINVAL;
		shutdown_status = (int)v;
		printf("init: shutdown asked by %s, status %u\n", children[from].name, v);
		return 0;
	case SVC_OP_RIGHTS:
		if (wire_end(r) < 0)
			return -RV_EBADMSG;
		wire_put_u32(w, children[from].rights);
		return 0;
	default:
		return -RV_ENOSYS;
	}
}

/* Drop child i's channel to init (its registrations stay while it runs,
 * unless init does not watch its process). */
static void child_unlink(uint32_t i)
{
	struct child *c = &children[i];

	rv_handle_close(c->chan);
	c->chan = RV_HANDLE_INVALID;
	pend_abort(i);
	if (c->kind == K_LOADED) {
		services_of_child_remove(i);
		env_release(&c->env);
		c->kind = K_FREE;
	}
}

/* One message from child i. */
static void serve(uint32_t i)
{
	struct rv_msg msg = {.bytes = in_bytes, .num_bytes = sizeof(in_bytes),
			     .num_handles = CONFIG_MSG_MAX_HANDLES, .handles = in_handles};
	struct rv_msg reply;
	struct wire_reader r;
	struct wire_writer w;
	long ret;

	ret = rv_channel_read(children[i].chan, &msg, RV_IPC_NONBLOCK, 0);
	if (ret == -RV_EAGAIN)
		return;
	if (ret < 0) {
		/* A message init cannot take (-EMFILE) would stay queued for
		 * ever: this child loses its link to init. */
		printf("init: %s: %s from its channel, unlinked\n", children[i].name,
		       rv_strerror((int)ret));
		child_unlink(i);
		return;
	}
	if (wire_read_request(&r, &msg) < 0) {
		ret = -RV_EBADMSG;
	} else if (svc_op_right(r.op) & ~children[i].rights) {
		/* The connection the request came in on lacks the op's right:
		 * refused before a field is read. */
		ret = -RV_EPERM;
		close_all(msg.handles, msg.num_handles);
	} else {
		wire_init_reply(&w, out_bytes, sizeof(out_bytes), out_handles,
				CONFIG_MSG_MAX_HANDLES, r.op, 0);
		ret = handle(i, &r, &w);
		if (ret == INIT_LATER)
			return; /* answered when the file server has answered */
		if (ret == 0)
			ret = wire_finish(&w, &reply);
		if (ret < 0)
			close_all(w.handles, w.num_handles);
	}
	if (ret < 0) {
		/* Handlers close what they decoded; these two decoded nothing. */
		if (ret == -RV_EBADMSG || ret == -RV_ENOSYS)
			close_all(msg.handles, msg.num_handles);
		wire_status_reply(&reply, out_bytes, sizeof(out_bytes), r.op, (int)ret);
	}
	ret = rv_channel_write(children[i].chan, &reply, RV_IPC_NONBLOCK, 0);
	if (ret < 0)
		close_all(reply.handles, reply.num_handles);
	if (shutdown_status >= 0)
		rv_exit(shutdown_status);
}

/* ---- the supervisor ---- */

static void describe_exit(char *buf, size_t size, rv_handle_t proc, int *status)
{
	struct rv_exit_info info;

	*status = 1;
	if (rv_process_exit_info(proc, &info) < 0) {
		snprintf(buf, size, "ended");
	} else if (info.reason == RV_EXIT_NORMAL) {
		*status = info.code & 0xff;
		snprintf(buf, size, "exited with status %d", (int)info.code);
	} else if (info.reason == RV_EXIT_KILLED && info.code == RV_KILLED_BY_WATCHDOG) {
		snprintf(buf, size, "was ended by its watchdog");
	} else if (info.reason == RV_EXIT_KILLED) {
		snprintf(buf, size, "was killed");
	} else {
		snprintf(buf, size, "faulted (scause %d, pc 0x%llx)", (int)info.code,
			 (unsigned long long)info.fault_pc);
	}
}

/* Restarts of c within the window, counting one more now; false: too many. */
static bool restart_allowed(struct child *c, uint64_t now)
{
	uint32_t recent = 0;

	for (uint32_t k = 0; k < CONFIG_INIT_RESTART_MAX + 1 && k < c->restarts; k++)
		if (now - c->restart_times[k] < MS(CONFIG_INIT_RESTART_WINDOW_MS))
			recent++;
	if (recent + 1 > CONFIG_INIT_RESTART_MAX)
		return false;
	c->restart_times[c->restarts % (CONFIG_INIT_RESTART_MAX + 1)] = now;
	c->restarts++;
	return true;
}

static void child_exited(uint32_t i)
{
	struct child *c = &children[i];
	char how[64];
	int status, ret;

	describe_exit(how, sizeof(how), c->proc, &status);
	services_of_child_remove(i);
	pend_abort(i);
	rv_handle_close(c->proc);
	c->proc = RV_HANDLE_INVALID;
	if (c->chan != RV_HANDLE_INVALID) {
		rv_handle_close(c->chan);
		c->chan = RV_HANDLE_INVALID;
	}
	switch (c->kind) {
	case K_MAIN:
		printf("init: main program %s %s; init ends with status %d\n", c->name, how,
		       status);
		rv_exit(status);
	case K_SERVICE:
		if (!restart_allowed(c, rv_clock_ns())) {
			printf("init: service %s %s; %d restarts in %d ms, not restarted\n",
			       c->name, how, CONFIG_INIT_RESTART_MAX,
			       CONFIG_INIT_RESTART_WINDOW_MS);
			c->kind = K_FREE;
			return;
		}
		ret = child_start(i, "", 0, 0, NULL, 0, RV_HANDLE_INVALID, 0, &c->proc);
		printf("init: service %s %s; restart %u: %s\n", c->name, how, c->restarts,
		       ret < 0 ? rv_strerror(ret) : "started");
		if (ret < 0)
			c->kind = K_FREE;
		return;
	default:
		printf("init: program %s %s\n", c->name, how);
		c->kind = K_FREE;
		return;
	}
}

/* ---- the boot manifest ---- */

/* The devices the kernel gave init: its handles 1.. (doc/devices.md). */
static void devices_find(void)
{
	for (uint32_t slot = 1; slot <= CONFIG_MAX_EXPORTED_DEVICES; slot++) {
		struct rv_device_info info;

		if (rv_device_info((rv_handle_t)slot, &info) < 0)
			break;
		devices[num_devices].handle = (rv_handle_t)slot;
		memcpy(devices[num_devices].name, info.name, sizeof(info.name));
		devices[num_devices].name[RV_DEVICE_NAME_MAX - 1] = '\0';
		num_devices++;
	}
}

/* "uart0,rtc0" -> a mask of devices[]; -1 after a console line. */
static int device_mask(unsigned int no, const char *name, char *list, uint32_t *mask)
{
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		uint32_t d;

		for (d = 0; d < num_devices && strcmp(devices[d].name, tok); d++)
			;
		if (d == num_devices) {
			printf("init: manifest entry %u (%s): no device '%s' (the kernel exports:",
			       no, name, tok);
			for (d = 0; d < num_devices; d++)
				printf(" %s", devices[d].name);
			printf("%s), skipped\n", num_devices ? "" : " none");
			return -1;
		}
		*mask |= 1u << d;
	}
	if (!*mask) {
		printf("init: manifest entry %u (%s): empty device list, skipped\n", no, name);
		return -1;
	}
	return 0;
}

/* The options of an entry ("root=/data,ro,uses=blk0+fs") into c; -1
 * after a console line. */
static int entry_options(unsigned int no, const char *name, char *opts, struct child *c)
{
	bool have_root = false, have_uses = false, have_ro = false, have_control = false;

	if (!*opts) {
		printf("init: manifest entry %u (%s): empty option list, skipped\n", no, name);
		return -1;
	}
	for (char *tok = opts, *next; tok; tok = next) {
		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		bool control = !strcmp(tok, "control") || !strncmp(tok, "control=", 8);

		if (!strcmp(tok, "ro") || !strncmp(tok, "root=", 5) || !strncmp(tok, "uses=", 5) ||
		    control) {
			bool *seen = control ? &have_control
				     : tok[1] == 'o' && tok[2] == '\0' ? &have_ro
				     : tok[1] == 'o' ? &have_root : &have_uses;

			if (*seen) {
				printf("init: manifest entry %u (%s): option '%.*s' given twice, "
				       "skipped\n", no, name, control ? 7 : 4, tok);
				return -1;
			}
			*seen = true;
		}
		if (control) {
			c->rights = SVC_RIGHTS_ALL;
			if (tok[7] && svc_rights_parse(tok + 8, strlen(tok + 8), &c->rights) < 0) {
				printf("init: manifest entry %u (%s): control '%s': want all or "
				       "spawn, process, kill, shutdown joined by +, skipped\n", no,
				       name, tok + 8);
				return -1;
			}
		} else if (!strcmp(tok, "ro")) {
			c->ro = true;
		} else if (!strncmp(tok, "root=", 5)) {
			if (tok[5] != '/') {
				printf("init: manifest entry %u (%s): root '%s' is not an absolute "
				       "path, skipped\n", no, name, tok + 5);
				return -1;
			}
			strcpy(c->root_path, tok + 5);
		} else if (!strncmp(tok, "pages=", 6)) {
			char *end;

			c->max_pages = strtoull(tok + 6, &end, 10);
			if (tok[6] < '1' || tok[6] > '9' || *end || c->max_pages > CONFIG_PROC_MAX_PAGES) {
				printf("init: manifest entry %u (%s): pages '%s' is not 1..%d, "
				       "skipped\n", no, name, tok + 6, CONFIG_PROC_MAX_PAGES);
				return -1;
			}
		} else if (!strcmp(tok, "watchdog") || !strncmp(tok, "watchdog=", 9)) {
			char *end;
			unsigned long long ms;

			if (c->watchdog_ms) {
				printf("init: manifest entry %u (%s): option 'watchdog' given twice, "
				       "skipped\n", no, name);
				return -1;
			}
			c->watchdog_ms = RV_WATCHDOG_KEEP;
			if (tok[8]) {
				ms = strtoull(tok + 9, &end, 10);
				if (tok[9] < '1' || tok[9] > '9' || *end || ms > WATCHDOG_MS_MAX) {
					printf("init: manifest entry %u (%s): watchdog '%s' is not "
					       "1..%d ms, skipped\n", no, name, tok + 9,
					       WATCHDOG_MS_MAX);
					return -1;
				}
				c->watchdog_ms = (uint32_t)ms;
			}
		} else if (!strcmp(tok, "debug")) {
			if (c->debug) {
				printf("init: manifest entry %u (%s): option 'debug' given twice, "
				       "skipped\n", no, name);
				return -1;
			}
			c->debug = true;
		} else if (!strncmp(tok, "uses=", 5)) {
			const char *p = tok + 5;

			for (;;) {
				size_t l = strcspn(p, "+");

				if (l == 0 || l > SVC_NAME_MAX) {
					printf("init: manifest entry %u (%s): uses '%s': a service "
					       "name empty or over %d bytes, skipped\n", no, name,
					       tok + 5, SVC_NAME_MAX);
					return -1;
				}
				if (!p[l])
					break;
				p += l + 1;
			}
			strcpy(c->uses, tok + 5);
		} else {
			printf("init: manifest entry %u (%s): unknown option '%s' (root=PATH, ro, "
			       "uses=NAME+NAME, pages=N, control[=RIGHT+RIGHT], watchdog[=MS], debug), skipped\n", no,
			       name, tok);
			return -1;
		}
	}
	if (have_ro && !have_root) {
		printf("init: manifest entry %u (%s): 'ro' without root=PATH, skipped\n", no, name);
		return -1;
	}
	if (have_root && !fs_service[0]) {
		printf("init: manifest entry %u (%s): root=PATH, but no file service "
		       "(CONFIG_INIT_FS_SERVICE is empty), skipped\n", no, name);
		return -1;
	}
	return 0;
}

static void manifest_entry(unsigned int no, const char *entry, size_t len, bool *have_main)
{
	static struct child opt; /* the options, until the entry has a slot */
	char buf[ENTRY_MAX], *name, *prio_s, *devs, *opts = NULL, *end;
	enum kind kind;
	unsigned long prio;
	uint32_t dev_mask = 0;
	int i, ret;

	if (len >= sizeof(buf)) {
		printf("init: manifest entry %u: longer than %u bytes, skipped\n", no,
		       (unsigned int)sizeof(buf) - 1);
		return;
	}
	memcpy(buf, entry, len);
	buf[len] = '\0';
	name = strchr(buf, ':');
	prio_s = name ? strchr(name + 1, ':') : NULL;
	if (!prio_s) {
		printf("init: manifest entry %u '%s': want kind:name:priority[:devices[:options]], "
		       "skipped\n", no, buf);
		return;
	}
	*name++ = '\0';
	*prio_s++ = '\0';
	devs = strchr(prio_s, ':');
	if (devs) {
		*devs++ = '\0';
		opts = strchr(devs, ':');
		if (opts)
			*opts++ = '\0';
	}
	if (!strcmp(buf, "service")) {
		kind = K_SERVICE;
	} else if (!strcmp(buf, "program")) {
		kind = K_PROGRAM;
	} else if (!strcmp(buf, "main")) {
		kind = K_MAIN;
	} else {
		printf("init: manifest entry %u: unknown kind '%s' (service, program or main), "
		       "skipped\n", no, buf);
		return;
	}
	if (!*name || strlen(name) > SVC_NAME_MAX) {
		printf("init: manifest entry %u: program name empty or over %d bytes, skipped\n",
		       no, SVC_NAME_MAX);
		return;
	}
	prio = strtoul(prio_s, &end, 10);
	if (!*prio_s || *end || prio >= CONFIG_NUM_PRIORITIES) {
		printf("init: manifest entry %u (%s): priority '%s' is not 0..%d, skipped\n", no,
		       name, prio_s, CONFIG_NUM_PRIORITIES - 1);
		return;
	}
	/* "kind:name:prio::options": no devices. */
	if (devs && (*devs || !opts) && device_mask(no, name, devs, &dev_mask) < 0)
		return;
	memset(&opt, 0, sizeof(opt));
	if (opts && entry_options(no, name, opts, &opt) < 0)
		return;
	if (kind == K_MAIN && *have_main) {
		printf("init: manifest entry %u (%s): a second main program, skipped\n", no, name);
		return;
	}
	i = child_alloc(2);
	if (i < 0) {
		printf("init: manifest entry %u (%s): no room (CONFIG_INIT_MAX_CHILDREN, "
		       "CONFIG_MAX_WAIT_ITEMS), skipped\n", no, name);
		return;
	}
	memset(&children[i], 0, sizeof(children[i]));
	children[i].kind = kind;
	strcpy(children[i].name, name);
	children[i].priority = (unsigned int)prio;
	children[i].chan = RV_HANDLE_INVALID;
	children[i].proc = RV_HANDLE_INVALID;
	children[i].devices = dev_mask;
	strcpy(children[i].root_path, opt.root_path);
	strcpy(children[i].uses, opt.uses);
	children[i].ro = opt.ro;
	children[i].max_pages = opt.max_pages;
	children[i].watchdog_ms = opt.watchdog_ms;
	children[i].debug = opt.debug;
	children[i].rights = opt.rights;
	ret = child_start((uint32_t)i, "", 0, 0, NULL, 0, RV_HANDLE_INVALID, 0, &children[i].proc);
	if (ret < 0) {
		printf("init: manifest entry %u (%s): cannot start it: %s\n", no, name,
		       rv_strerror(ret));
		children[i].kind = K_FREE;
		return;
	}
	if (kind == K_MAIN)
		*have_main = true;
	printf("init: %s %s started, priority %lu\n", kind_names[kind], name, prio);
}

static void manifest_run(const char *m)
{
	bool have_main = false;
	unsigned int no = 0, main_failed = 0;

	while (*m) {
		size_t len;

		while (*m == ' ')
			m++;
		len = strcspn(m, " ");
		if (len) {
			manifest_entry(++no, m, len, &have_main);
			if (!have_main && !main_failed && !strncmp(m, "main:", 5))
				main_failed = no;
		}
		m += len;
	}
	/* The app is its main program: without it, it failed, and a failure
	 * must not look like a machine running (or ending) as it should. */
	if (!have_main && main_failed) {
		printf("init: the main program (manifest entry %u) did not start; init ends "
		       "with status 1\n", main_failed);
		rv_exit(1);
	}
	if (!have_main)
		printf("init: no main program in the manifest: running for ever\n");
}

/* The next deadline of a request waiting for a file server. */
static uint64_t next_deadline(void)
{
	uint64_t d = RV_DEADLINE_NEVER;

	for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++)
		if (children[i].kind != K_FREE && children[i].pend.kind != P_NONE &&
		    children[i].pend.deadline < d)
			d = children[i].pend.deadline;
	return d;
}

enum wait_what { W_CHAN, W_PROC, W_SPAWN, W_ROOT };

int main(int argc, char **argv)
{
	struct rv_wait_item items[CONFIG_MAX_WAIT_ITEMS];
	struct {
		uint32_t child;
		enum wait_what what;
	} owner[CONFIG_MAX_WAIT_ITEMS];

	for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++) {
		children[i].chan = RV_HANDLE_INVALID;
		children[i].proc = RV_HANDLE_INVALID;
	}
	devices_find();
	manifest_run(init_manifest);
	for (;;) {
		uint32_t n = 0;
		long ret;

#define WAIT_ON(h, sig, c, w)                                                      \
	do {                                                                       \
		if (n < CONFIG_MAX_WAIT_ITEMS) {                                   \
			items[n] = (struct rv_wait_item){.handle = (h), .signals = (sig)}; \
			owner[n].child = (c);                                      \
			owner[n++].what = (w);                                     \
		}                                                                  \
	} while (0)

		if (fs_root != RV_HANDLE_INVALID)
			WAIT_ON(fs_root, RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED, 0, W_ROOT);
		for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++) {
			struct child *c = &children[i];

			if (c->kind == K_FREE)
				continue;
			/* A child whose request waits is not read from: its
			 * replies stay in order. */
			if (c->chan != RV_HANDLE_INVALID)
				WAIT_ON(c->chan,
					(c->pend.kind == P_NONE ? RV_SIGNAL_READABLE : 0) |
						RV_SIGNAL_PEER_CLOSED,
					i, W_CHAN);
			if (c->proc != RV_HANDLE_INVALID)
				WAIT_ON(c->proc, RV_SIGNAL_EXITED, i, W_PROC);
			if (c->pend.kind == P_SPAWN)
				WAIT_ON(c->pend.on, RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED, i,
					W_SPAWN);
		}
#undef WAIT_ON
		if (n == 0) {
			printf("init: nothing left to run\n");
			return 0;
		}
		ret = rv_wait_many(items, n, next_deadline());
		if (ret < 0 && ret != -RV_ETIMEDOUT) {
			printf("init: wait_many: %s\n", rv_strerror((int)ret));
			return 1;
		}
		for (uint32_t k = 0; ret > 0 && k < n; k++) {
			uint32_t i = owner[k].child;
			struct child *c = &children[i];
			uint32_t obs = items[k].observed & items[k].signals;

			if (!obs)
				continue;
			if (owner[k].what == W_ROOT) {
				if (items[k].handle == fs_root) {
					fs_root_readable();
					startup_pump();
				}
				continue;
			}
			if (c->kind == K_FREE)
				continue;
			if (owner[k].what == W_CHAN && items[k].handle == c->chan) {
				if ((obs & RV_SIGNAL_READABLE) && c->pend.kind == P_NONE)
					serve(i);
				else if (obs & RV_SIGNAL_PEER_CLOSED)
					child_unlink(i);
			} else if (owner[k].what == W_PROC && items[k].handle == c->proc &&
				   (obs & RV_SIGNAL_EXITED)) {
				child_exited(i);
			} else if (owner[k].what == W_SPAWN && c->pend.kind == P_SPAWN &&
				   items[k].handle == c->pend.on) {
				spawn_readable(i);
			}
		}
		pend_expire(rv_clock_ns());
	}
}
