/* SPDX-License-Identifier: Apache-2.0 */
/*
 * init: the first process. It starts what the boot manifest
 * (CONFIG_INIT_MANIFEST, doc/boot-manifest.md) lists, keeps the service
 * directory, starts programs for others (the loader), and restarts
 * services that end (the supervisor). The protocol is in
 * <rvos/service.h>; doc/services.md describes it.
 *
 * Every child gets handle 0 = a channel to init. init waits on all of
 * those channels and on the process handles of the manifest's children,
 * and never blocks on anything a child does: replies are written without
 * waiting, and a malformed request gets an error reply.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/service.h>
#include <rvos/user.h>

#define MS(n) ((uint64_t)(n) * 1000000ull)

enum kind {
	K_FREE,
	K_SERVICE, /* manifest "service": restarted when it ends */
	K_PROGRAM, /* manifest "program": started once */
	K_MAIN,    /* manifest "main": when it ends, init ends with its status */
	K_LOADED,  /* started for another process by SVC_OP_SPAWN */
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
};

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

/* Wait items in use: one per open child channel, one per process handle. */
static uint32_t items_in_use(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++) {
		n += children[i].kind != K_FREE && children[i].chan != RV_HANDLE_INVALID;
		n += children[i].kind != K_FREE && children[i].proc != RV_HANDLE_INVALID;
	}
	return n;
}

/* A free child slot with `items` more wait items available, or -1. */
static int child_alloc(uint32_t items)
{
	if (items_in_use() + items > CONFIG_MAX_WAIT_ITEMS)
		return -1;
	for (int i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++)
		if (children[i].kind == K_FREE)
			return i;
	return -1;
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
	struct rv_wait_item item = {.handle = h, .signals = RV_SIGNAL_PEER_CLOSED};

	rv_wait_many(&item, 1, 0);
	return item.observed & RV_SIGNAL_PEER_CLOSED;
}

static int do_register(uint32_t owner, const char *name, rv_handle_t reg)
{
	struct service *s = service_find(name);

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
		return 0;
	}
	return -RV_ENOSPC;
}

static int do_connect(const char *name, rv_handle_t end)
{
	struct service *s = service_find(name);
	uint8_t buf[WIRE_HEADER_SIZE + WIRE_HANDLE_SIZE];
	rv_handle_t hs[1];
	struct wire_writer w;
	struct rv_msg msg;
	long ret;

	if (!s)
		return -RV_ENOENT;
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

/* ---- starting children ---- */

/* Start children[i] (its kind, name, priority set) with a new channel. */
static int child_start(uint32_t i, const char *args, uint32_t args_len, const rv_handle_t *extra,
		       uint32_t n_extra, rv_handle_t *proc)
{
	struct child *c = &children[i];
	rv_handle_t give[CONFIG_MSG_MAX_HANDLES + 1];
	rv_handle_t ch[2];
	long ret;

	uint32_t n = 1;

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
		ret = rv_handle_duplicate(devices[d].handle, handle_rights_of(devices[d].handle) &
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
	ret = rv_process_spawn_raw(c->name, args, args_len, c->priority, give, n);
	if (ret < 0) {
		/* Closing handles that did move is -EBADF: harmless. */
		close_all(give, n);
		rv_handle_close(ch[0]);
		return (int)ret;
	}
	c->chan = ch[0];
	*proc = (rv_handle_t)ret;
	return 0;
}

static int do_spawn(const char *name, uint32_t priority, const char *args, uint32_t args_len,
		    const rv_handle_t *extra, uint32_t n_extra, rv_handle_t *proc)
{
	int i = child_alloc(1);
	int ret;

	if (priority >= CONFIG_NUM_PRIORITIES || (args_len && args[args_len - 1] != '\0')) {
		close_all(extra, n_extra);
		return -RV_EINVAL;
	}
	if (i < 0) {
		close_all(extra, n_extra);
		return -RV_ENOSPC;
	}
	children[i].kind = K_LOADED;
	children[i].devices = 0;
	strcpy(children[i].name, name);
	children[i].priority = priority;
	children[i].chan = RV_HANDLE_INVALID;
	children[i].proc = RV_HANDLE_INVALID;
	ret = child_start((uint32_t)i, args, args_len, extra, n_extra, proc);
	if (ret < 0)
		children[i].kind = K_FREE;
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

/* Set by SVC_OP_SHUTDOWN: init ends with this status once the reply is out. */
static int shutdown_status = -1;

/* Decode and carry out one request; fill the reply writer. */
static int handle(uint32_t from, struct wire_reader *r, struct wire_writer *w)
{
	char name[SVC_NAME_MAX + 1];
	rv_handle_t h, extra[CONFIG_MSG_MAX_HANDLES + 1];
	const char *s;
	const void *args;
	uint32_t len, args_len, prio, n = 0, v;
	int ret;

	switch (r->op) {
	case SVC_OP_CONNECT:
	case SVC_OP_REGISTER:
		wire_get_str(r, &s, &len, SVC_NAME_MAX);
		wire_get_handle(r, &h);
		if (wire_end(r) < 0 || !copy_name(name, s, len))
			return -RV_EBADMSG;
		ret = rv_service_check_channel(h);
		if (ret == 0 && r->op == SVC_OP_CONNECT)
			ret = do_connect(name, h);
		else if (ret == 0)
			ret = do_register(from, name, h);
		if (ret < 0)
			rv_handle_close(h);
		return ret;
	case SVC_OP_SPAWN:
		wire_get_str(r, &s, &len, SVC_NAME_MAX);
		wire_get_u32(r, &prio);
		wire_get_bytes(r, &args, &args_len);
		while (wire_next_type(r) == WIRE_T_HANDLE && n < msg_max_handles)
			wire_get_handle(r, &extra[n++]);
		if (wire_end(r) < 0 || !copy_name(name, s, len))
			return -RV_EBADMSG;
		ret = do_spawn(name, prio, args, args_len, extra, n, &h);
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
	if (c->kind == K_LOADED) {
		services_of_child_remove(i);
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
	} else {
		wire_init_reply(&w, out_bytes, sizeof(out_bytes), out_handles,
				CONFIG_MSG_MAX_HANDLES, r.op, 0);
		ret = handle(i, &r, &w);
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
		ret = child_start(i, "", 0, NULL, 0, &c->proc);
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

static void manifest_entry(unsigned int no, const char *entry, size_t len, bool *have_main)
{
	char buf[80], *name, *prio_s, *devs, *end;
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
		printf("init: manifest entry %u '%s': want kind:name:priority[:devices], skipped\n", no,
		       buf);
		return;
	}
	*name++ = '\0';
	*prio_s++ = '\0';
	devs = strchr(prio_s, ':');
	if (devs)
		*devs++ = '\0';
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
	if (devs && device_mask(no, name, devs, &dev_mask) < 0)
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
	children[i].kind = kind;
	strcpy(children[i].name, name);
	children[i].priority = (unsigned int)prio;
	children[i].chan = RV_HANDLE_INVALID;
	children[i].proc = RV_HANDLE_INVALID;
	children[i].restarts = 0;
	children[i].devices = dev_mask;
	ret = child_start((uint32_t)i, "", 0, NULL, 0, &children[i].proc);
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
	unsigned int no = 0;

	while (*m) {
		size_t len;

		while (*m == ' ')
			m++;
		len = strcspn(m, " ");
		if (len)
			manifest_entry(++no, m, len, &have_main);
		m += len;
	}
	if (!have_main)
		printf("init: no main program in the manifest: running for ever\n");
}

int main(int argc, char **argv)
{
	struct rv_wait_item items[CONFIG_MAX_WAIT_ITEMS];
	uint32_t owner[CONFIG_MAX_WAIT_ITEMS] = {0};

	for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++) {
		children[i].chan = RV_HANDLE_INVALID;
		children[i].proc = RV_HANDLE_INVALID;
	}
	devices_find();
	manifest_run(CONFIG_INIT_MANIFEST);
	for (;;) {
		uint32_t n = 0;
		long ret;

		for (uint32_t i = 0; i < CONFIG_INIT_MAX_CHILDREN; i++) {
			struct child *c = &children[i];

			if (c->kind == K_FREE)
				continue;
			if (c->chan != RV_HANDLE_INVALID && n < CONFIG_MAX_WAIT_ITEMS) {
				items[n] = (struct rv_wait_item){
					.handle = c->chan,
					.signals = RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED};
				owner[n++] = i;
			}
			if (c->proc != RV_HANDLE_INVALID && n < CONFIG_MAX_WAIT_ITEMS) {
				items[n] = (struct rv_wait_item){.handle = c->proc,
								 .signals = RV_SIGNAL_EXITED};
				owner[n++] = i;
			}
		}
		if (n == 0) {
			printf("init: nothing left to run\n");
			return 0;
		}
		ret = rv_wait_many(items, n, RV_DEADLINE_NEVER);
		if (ret < 0) {
			printf("init: wait_many: %s\n", rv_strerror((int)ret));
			return 1;
		}
		for (uint32_t k = 0; k < n; k++) {
			struct child *c = &children[owner[k]];
			uint32_t obs = items[k].observed;

			if (c->kind == K_FREE)
				continue;
			if (items[k].handle == c->chan) {
				if (obs & RV_SIGNAL_READABLE)
					serve(owner[k]);
				else if (obs & RV_SIGNAL_PEER_CLOSED)
					child_unlink(owner[k]);
			} else if (items[k].handle == c->proc && (obs & RV_SIGNAL_EXITED)) {
				child_exited(owner[k]);
			}
		}
	}
}
