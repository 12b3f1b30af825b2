/* SPDX-License-Identifier: Apache-2.0 */
/* Services: the calls to init and the server loop (doc/services.md). */
#include <stdbool.h>
#include <string.h>
#include <rvos/service.h>
#include <rvos/user.h>

/* Room for CONFIG_MSG_MAX_HANDLES handles (the + 1 keeps the array legal
 * when the option is 0). */
#define HANDLES_CAP CONFIG_MSG_MAX_HANDLES
typedef rv_handle_t handle_buf[CONFIG_MSG_MAX_HANDLES + 1];

static void close_all(const rv_handle_t *hs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		rv_handle_close(hs[i]);
}

int rv_service_call(rv_handle_t ch, struct wire_writer *w, struct wire_reader *r, uint32_t op,
		    void *rbytes, rv_handle_t *rhs, struct rv_msg *reply)
{
	struct rv_msg req;
	long ret;

	ret = wire_finish(w, &req);
	if (ret < 0) {
		close_all(w->handles, w->num_handles);
		return (int)ret;
	}
	reply->bytes = rbytes;
	reply->num_bytes = CONFIG_MSG_MAX_BYTES;
	reply->handles = rhs;
	reply->num_handles = HANDLES_CAP;
	ret = rv_channel_call(ch, &req, reply, RV_DEADLINE_NEVER);
	if (ret < 0) {
		/* Closing a handle that moved is -EBADF: harmless. */
		close_all(req.handles, req.num_handles);
		return (int)ret;
	}
	ret = wire_read_reply(r, reply, op);
	if (ret < 0)
		close_all(reply->handles, reply->num_handles);
	return (int)ret;
}

static int name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	return len > 0 && len <= SVC_NAME_MAX;
}

/* CONNECT and REGISTER: a new channel, one end sent to init with the name;
 * the other end is ours when init says yes. */
static int send_name_and_end(uint32_t op, const char *name, uint32_t flags, rv_handle_t *out)
{
	uint8_t buf[CONFIG_MSG_MAX_BYTES], rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf hs, rhs;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	rv_handle_t ch[2];
	long ret;

	if (!name_ok(name))
		return -RV_EINVAL;
	ret = rv_channel_create(ch);
	if (ret < 0)
		return (int)ret;
	wire_init_request(&w, buf, sizeof(buf), hs, HANDLES_CAP, op);
	wire_put_str(&w, name);
	wire_put_handle(&w, ch[1]);
	if (flags)
		wire_put_u32(&w, flags);
	ret = rv_service_call(RV_SVC_INIT_HANDLE, &w, &r, op, rbuf, rhs, &reply);
	if (ret == 0 && wire_end(&r) < 0) {
		close_all(reply.handles, reply.num_handles);
		ret = -RV_EBADMSG;
	}
	if (ret < 0) {
		rv_handle_close(ch[0]);
		return (int)ret;
	}
	*out = ch[0];
	return 0;
}

int rv_connect(const char *name, rv_handle_t *out)
{
	return send_name_and_end(SVC_OP_CONNECT, name, 0, out);
}

int rv_connect_wait(const char *name, rv_handle_t *out, uint64_t deadline)
{
	int ret;

	for (;;) {
		ret = rv_connect(name, out);
		if (ret != -RV_ENOENT || rv_clock_ns() >= deadline)
			return ret;
		rv_sleep_ns(10 * 1000 * 1000);
	}
}

int rv_service_register(const char *name, rv_handle_t *requests)
{
	return send_name_and_end(SVC_OP_REGISTER, name, 0, requests);
}

int rv_service_register_flags(const char *name, uint32_t flags, rv_handle_t *requests)
{
	/* Flag 0 is sent as no field at all: what older inits understand. */
	return send_name_and_end(SVC_OP_REGISTER, name, flags, requests);
}

/* A reply carrying one process handle. */
static int take_process(struct wire_reader *r, struct rv_msg *reply, rv_handle_t *process)
{
	rv_handle_t h;

	wire_get_handle(r, &h);
	if (wire_end(r) < 0) {
		close_all(reply->handles, reply->num_handles);
		return -RV_EBADMSG;
	}
	if (process)
		*process = h;
	else
		rv_handle_close(h);
	return 0;
}

int rv_loader_spawn(const char *program, const char *const argv[], unsigned int priority,
		    const rv_handle_t *handles, uint32_t n, rv_handle_t *process)
{
	uint8_t buf[CONFIG_MSG_MAX_BYTES], rbuf[CONFIG_MSG_MAX_BYTES];
	char args[RV_SPAWN_BUF_BYTES];
	handle_buf hs, rhs;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	long len = rv_pack_args_env(argv, NULL, args);
	int ret;

	if (len < 0 || !name_ok(program)) {
		close_all(handles, n);
		return len < 0 ? (int)len : -RV_EINVAL;
	}
	wire_init_request(&w, buf, sizeof(buf), hs, HANDLES_CAP, SVC_OP_SPAWN);
	wire_put_str(&w, program);
	wire_put_u32(&w, priority);
	wire_put_bytes(&w, args, svc_spawn_bytes((uint64_t)len));
	for (uint32_t i = 0; i < n; i++)
		wire_put_handle(&w, handles[i]);
	if (svc_spawn_env_bytes((uint64_t)len))
		wire_put_u32(&w, svc_spawn_env_bytes((uint64_t)len));
	if (w.err) {
		/* The handles never reached the writer's array: close them here. */
		close_all(handles, n);
		return w.err;
	}
	ret = rv_service_call(RV_SVC_INIT_HANDLE, &w, &r, SVC_OP_SPAWN, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	return take_process(&r, &reply, process);
}

int rv_service_process(const char *name, rv_handle_t *process)
{
	uint8_t buf[CONFIG_MSG_MAX_BYTES], rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf hs, rhs;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	int ret;

	if (!name_ok(name))
		return -RV_EINVAL;
	wire_init_request(&w, buf, sizeof(buf), hs, HANDLES_CAP, SVC_OP_PROCESS);
	wire_put_str(&w, name);
	ret = rv_service_call(RV_SVC_INIT_HANDLE, &w, &r, SVC_OP_PROCESS, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	return take_process(&r, &reply, process);
}

/* A request to init with one u32 field (none when v is NULL); the reply's
 * fields follow in *r. */
static int init_call_u32(uint32_t op, const uint32_t *v, struct wire_reader *r, void *rbuf,
			 rv_handle_t *rhs, struct rv_msg *reply)
{
	uint8_t buf[WIRE_HEADER_SIZE + WIRE_U32_SIZE];
	struct wire_writer w;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, op);
	if (v)
		wire_put_u32(&w, *v);
	return rv_service_call(RV_SVC_INIT_HANDLE, &w, r, op, rbuf, rhs, reply);
}

long rv_init_programs(uint32_t first, char *buf, size_t size)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_reader r;
	struct rv_msg reply;
	const void *data;
	const char *p;
	uint32_t len;
	size_t n = 0;
	int ret;

	ret = init_call_u32(SVC_OP_PROGRAMS, &first, &r, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	wire_get_bytes(&r, &data, &len);
	if (wire_end(&r) < 0 || (len && ((const char *)data)[len - 1] != '\0')) {
		close_all(reply.handles, reply.num_handles);
		return -RV_EBADMSG;
	}
	/* Whole names only. */
	p = data;
	while (n < len) {
		size_t l = strlen(p + n) + 1;

		if (l > size - n)
			break;
		memcpy(buf + n, p + n, l);
		n += l;
	}
	if (n == 0 && len)
		return -RV_ENOSPC;
	return (long)n;
}

int rv_init_kill(int pid, char *name, size_t size)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_reader r;
	struct rv_msg reply;
	const char *s;
	uint32_t len;
	int ret;

	if (pid <= 0)
		return -RV_EINVAL;
	ret = init_call_u32(SVC_OP_KILL, &(uint32_t){(uint32_t)pid}, &r, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	wire_get_str(&r, &s, &len, SVC_NAME_MAX);
	if (wire_end(&r) < 0) {
		close_all(reply.handles, reply.num_handles);
		return -RV_EBADMSG;
	}
	if (name && size) {
		if (len >= size)
			len = (uint32_t)size - 1;
		memcpy(name, s, len);
		name[len] = '\0';
	}
	return 0;
}

int rv_init_shutdown(int status)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_reader r;
	struct rv_msg reply;
	int ret;

	if (status < 0 || status > 255)
		return -RV_EINVAL;
	ret = init_call_u32(SVC_OP_SHUTDOWN, &(uint32_t){(uint32_t)status}, &r, rbuf, rhs,
			    &reply);
	if (ret == 0 && wire_end(&r) < 0) {
		close_all(reply.handles, reply.num_handles);
		ret = -RV_EBADMSG;
	}
	return ret;
}

int rv_init_rights(uint32_t *rights)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_reader r;
	struct rv_msg reply;
	uint32_t v;
	int ret = init_call_u32(SVC_OP_RIGHTS, NULL, &r, rbuf, rhs, &reply);

	if (ret < 0)
		return ret;
	wire_get_u32(&r, &v);
	if (wire_end(&r) < 0) {
		close_all(reply.handles, reply.num_handles);
		return -RV_EBADMSG;
	}
	*rights = v;
	return 0;
}

int svc_rights_parse(const char *s, size_t len, uint32_t *rights)
{
	static const char *const names[] = {"spawn", "process", "kill", "shutdown"};
	uint32_t mask = 0;

	if (len == 3 && !memcmp(s, "all", 3)) {
		*rights = SVC_RIGHTS_ALL;
		return 0;
	}
	for (size_t at = 0;;) {
		size_t l = 0, k;

		while (at + l < len && s[at + l] != '+')
			l++;
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strlen(names[k]) == l && !memcmp(s + at, names[k], l))
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			return -RV_EINVAL; /* unknown, or empty (a++b, a trailing +) */
		mask |= 1u << k;
		at += l;
		if (at == len)
			break;
		at++; /* the '+' */
	}
	*rights = mask;
	return 0;
}

int rv_service_check_channel(rv_handle_t h)
{
	struct rv_handle_info info;
	long ret = rv_handle_info(h, &info);

	if (ret < 0)
		return (int)ret;
	if (info.type != RV_OBJ_CHANNEL)
		return -RV_EWRONGTYPE;
	if ((info.rights & SVC_CHANNEL_RIGHTS) != SVC_CHANNEL_RIGHTS)
		return -RV_EPERM;
	return 0;
}

/* ---- the server loop ---- */

/* The server waits on a port (doc/ipc.md, Ports): the registration
 * channel, the event object and every client are bound to it, clients keyed
 * by their index; port_wait receives the request, so a client's call comes
 * through the kernel's call fast path. */
#define MAX_CLIENTS CONFIG_SERVICE_MAX_CLIENTS
#define KEY_REQUESTS UINT64_MAX
#define KEY_EVENT (UINT64_MAX - 1)

/* (s->in is aligned: a request's op read by a word; rvOS is
 * little-endian, as the wire is) */
typedef uint32_t __attribute__((may_alias)) u32_alias;

struct server {
	/* What the kernel reads and writes on each request first, the rest
	 * after: in one page with the buffers (aligned below), so that its
	 * translation cache needs one entry for all of it. */
	struct rv_port_event ev;
	struct rv_msg msg, reply;
	uint8_t in[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
	uint8_t out[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
	handle_buf in_handles;
	handle_buf out_handles;
	rv_handle_t clients[MAX_CLIENTS];
	uint32_t num_clients;
	const struct rv_server *cfg;
	rv_handle_t port;
	rv_handle_t serving; /* the client whose request the handler has */
};

static void drop_client(struct server *s, uint32_t i)
{
	if (s->cfg->on_close)
		s->cfg->on_close(s->cfg->ctx, s->clients[i]);
	rv_handle_close(s->clients[i]); /* (its binding goes with it) */
	s->clients[i] = s->clients[--s->num_clients];
	if (i < s->num_clients) /* the last one moved into i: its key is i now */
		rv_port_bind(s->port, s->clients[i], RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED, i);
}

/* One request from a client (msg: as port_wait received it): decode and
 * handle it, leaving the reply in *reply (its op in *op). 0: reply; 1: no
 * reply now (the handler answers later). */
static int serve_one(struct server *s, rv_handle_t client, struct rv_msg *msg0,
		     struct rv_msg *reply, uint32_t *op)
{
	struct rv_msg msg = *msg0;
	struct wire_writer w;
	struct wire_reader r;
	long ret;

	r.op = 0;
	if (wire_read_request(&r, &msg) < 0) {
		ret = -RV_EBADMSG;
	} else {
		wire_init_reply(&w, s->out, sizeof(s->out), s->out_handles, HANDLES_CAP, r.op, 0);
		s->serving = client;
		ret = s->cfg->handler(s->cfg->ctx, &r, &w);
		s->serving = RV_HANDLE_INVALID;
		if (ret == RV_SERVER_REPLY_LATER && w.num_handles == 0)
			return 1; /* the handler keeps the request's handles */
		if (ret > 0)
			ret = -RV_EINVAL;
		if (ret == 0 && wire_end(&r) < 0)
			ret = -RV_EBADMSG;
		if (ret == 0)
			ret = wire_finish(&w, reply);
		if (ret < 0)
			close_all(w.handles, w.num_handles);
	}
	if (ret < 0) {
		close_all(msg.handles, msg.num_handles);
		if (ret < -4095)
			ret = -RV_EINVAL;
		wire_status_reply(reply, s->out, sizeof(s->out), r.op, (int)ret);
	}
	*op = r.op;
	return 0;
}

int rv_server_reply_failed(rv_handle_t client, struct rv_msg *reply, void *buf, uint32_t cap,
			   uint32_t op, long err)
{
	close_all(reply->handles, reply->num_handles);
	if (err == -RV_EPEERCLOSED)
		return -1;
	if (err != -RV_EAGAIN) {
		wire_status_reply(reply, buf, cap, op, (int)err);
		if (rv_channel_write(client, reply, RV_IPC_NONBLOCK, 0) == -RV_EPEERCLOSED)
			return -1;
	}
	return 0;
}

/* One SVC_OP_NEW_CLIENT from init (msg: as port_wait received it). */
static void accept_client(struct server *s, struct rv_msg *msg0)
{
	struct rv_msg msg = *msg0;
	struct wire_reader r;
	rv_handle_t end;

	if (wire_read_request(&r, &msg) < 0 || r.op != SVC_OP_NEW_CLIENT) {
		close_all(msg.handles, msg.num_handles);
		return;
	}
	wire_get_handle(&r, &end);
	if (wire_end(&r) < 0 || s->num_clients >= MAX_CLIENTS ||
	    rv_service_check_channel(end) < 0 ||
	    rv_port_bind(s->port, end, RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED,
			 s->num_clients) < 0) {
		/* Full: the client sees -EPEERCLOSED on its first call. */
		close_all(msg.handles, msg.num_handles);
		return;
	}
	s->clients[s->num_clients++] = end;
}

/* Aligned to its size rounded up to a power of two (at most a page): it
 * never straddles pages. */
#define SERVER_ALIGN (sizeof(struct server) <= 1024 ? 1024 : 4096)
static struct server the_server __attribute__((aligned(SERVER_ALIGN)));

rv_handle_t rv_server_client(void)
{
	return the_server.serving;
}

int rv_server_reply(rv_handle_t client, struct wire_writer *w)
{
	struct rv_msg reply;
	long ret = wire_finish(w, &reply);

	if (ret == 0)
		ret = rv_channel_write(client, &reply, RV_IPC_NONBLOCK, 0);
	if (ret < 0)
		close_all(w->handles, w->num_handles);
	return (int)ret;
}

int rv_server_serve(const struct rv_server *cfg)
{
	struct server *s = &the_server;
	struct rv_port_event *ev = &s->ev;
	struct rv_msg *msg = &s->msg, *reply = &s->reply;
	uint32_t reply_to = 0, reply_op = 0;
	bool replying = false;
	long ret;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->serving = RV_HANDLE_INVALID;
	ret = rv_port_create();
	if (ret < 0)
		return (int)ret;
	s->port = (rv_handle_t)ret;
	ret = rv_port_bind(s->port, cfg->requests, RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED,
			   KEY_REQUESTS);
	if (ret == 0 && cfg->event_signals)
		ret = rv_port_bind(s->port, cfg->event, cfg->event_signals, KEY_EVENT);
	if (ret < 0) {
		rv_handle_close(s->port);
		return (int)ret;
	}
	for (;;) {
		*msg = (struct rv_msg){.bytes = s->in, .num_bytes = sizeof(s->in),
				       .num_handles = HANDLES_CAP, .handles = s->in_handles};

		/* The reply to the last request goes out with the wait for the
		 * next one (one trap while its client waits in its call). */
		if (replying) {
			replying = false;
			ret = rv_port_reply_wait(s->port, ev, msg, RV_DEADLINE_NEVER,
						 s->clients[reply_to], reply);
			if (ret < 0) {
				/* the reply's error (the wait's own arguments
				 * failing would fail the plain wait below too) */
				if (rv_server_reply_failed(s->clients[reply_to], reply, s->out,
							   sizeof(s->out), reply_op, ret) < 0)
					drop_client(s, reply_to);
				continue;
			}
		} else {
			ret = rv_port_wait(s->port, ev, msg, RV_DEADLINE_NEVER);
			if (ret < 0)
				return (int)ret;
		}
		if (ev->key < s->num_clients) {
			uint32_t i = (uint32_t)ev->key, n;

			/* A request is answered even when its client has
			 * closed since (the reply then fails, and it goes). */
			if (ev->status == 0) {
				reply_to = i;
				n = cfg->fast ? cfg->fast(cfg->ctx, msg, s->out, sizeof(s->out)) : 0;
				if (n) {
					*reply = (struct rv_msg){.bytes = s->out, .num_bytes = n};
					/* (for a failed reply: the request's op) */
					reply_op = *(const u32_alias *)s->in & WIRE_OP_MAX;
					replying = true;
				} else {
					replying = serve_one(s, s->clients[i], msg, reply, &reply_op) == 0;
				}
			} else {
				/* closed, or a message we cannot take (-EMFILE) */
				drop_client(s, i);
			}
		} else if (ev->key == KEY_EVENT) {
			cfg->on_event(cfg->ctx, ev->observed);
		} else if (ev->key == KEY_REQUESTS) {
			if (ev->status == 0)
				accept_client(s, msg);
			else if (ev->observed & RV_SIGNAL_PEER_CLOSED)
				return -RV_EPEERCLOSED;
			else if (ev->status != RV_PORT_NOT_READ)
				return ev->status; /* a message we cannot take: it stays */
		}
	}
}

int rv_server_run(rv_handle_t requests, rv_server_handler handler, void *ctx)
{
	const struct rv_server cfg = {.requests = requests, .handler = handler, .ctx = ctx};

	return rv_server_serve(&cfg);
}
