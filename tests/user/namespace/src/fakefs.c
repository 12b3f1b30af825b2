/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A stand-in file server for init's namespace tests: registered as "fs"
 * (restricted), it answers FS_OP_OPEN with a new node connection that
 * remembers its path and flags, and FS_OP_IMAGE with a small region. It
 * knows no files: paths decide what happens.
 *
 *   .../nosuch   ENOENT        .../hang  never answered
 *   .../bad      a malformed reply (another op)
 *   .../slow     answered after 1 s (the server sleeps meanwhile)
 *   /bin         a directory   /bin/NAME a regular file
 *   anything else: a directory
 *
 * FAKEFS_OP_WHO on a node: str path, u32 flags (what it was opened with).
 * Prints one line per client init sends (init's own root connection).
 */
#include <stdio.h>
#include <string.h>
#include <rvos/fssvc.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>

#define FAKEFS_OP_WHO 100
#define NODES 12
#define MS(n) ((uint64_t)(n) * 1000000ull)

struct node {
	rv_handle_t h;
	char path[64];
	uint32_t flags;
};

static struct node nodes[NODES];
static uint32_t num_nodes;
static uint8_t in[CONFIG_MSG_MAX_BYTES], out[CONFIG_MSG_MAX_BYTES];
static rv_handle_t in_hs[CONFIG_MSG_MAX_HANDLES + 1], out_hs[CONFIG_MSG_MAX_HANDLES + 1];

static int ends_with(const char *s, uint32_t len, const char *tail)
{
	size_t t = strlen(tail);

	return len >= t && !memcmp(s + len - t, tail, t);
}

static struct node *node_add(rv_handle_t h, const char *path, uint32_t len, uint32_t flags)
{
	struct node *n;

	if (num_nodes == NODES || len >= sizeof(n->path))
		return NULL;
	n = &nodes[num_nodes++];
	n->h = h;
	memcpy(n->path, path, len);
	n->path[len] = '\0';
	n->flags = flags;
	return n;
}

static void node_drop(uint32_t i)
{
	rv_handle_close(nodes[i].h);
	nodes[i] = nodes[--num_nodes];
}

/* One request on node i: 0 with the reply in w, 1 no reply, or an error. */
static int node_request(struct node *nd, struct wire_reader *r, struct wire_writer *w)
{
	const char *p;
	uint32_t len, flags, mode;
	rv_handle_t ch[2];
	long shm;

	switch (r->op) {
	case FS_OP_OPEN:
		wire_get_str(r, &p, &len, FS_PATH_MAX);
		wire_get_u32(r, &flags);
		wire_get_u32(r, &mode);
		if (wire_end(r) < 0)
			return -RV_EBADMSG;
		if (ends_with(p, len, "/nosuch"))
			return -RV_ENOENT;
		if (ends_with(p, len, "/hang"))
			return 1;
		if (ends_with(p, len, "/slow")) {
			/* A slow answer: the whole server waits, as a server
			 * waiting for its disk would. */
			printf("fakefs: open %.*s\n", (int)len, p);
			rv_sleep_ns(MS(1000));
		}
		if (ends_with(p, len, "/bad"))
			return 2;
		if (rv_channel_create(ch) < 0)
			return -RV_ENOMEM;
		if (!node_add(ch[0], p, len, flags)) {
			rv_handle_close(ch[0]);
			rv_handle_close(ch[1]);
			return -RV_EMFILE;
		}
		wire_put_handle(w, ch[1]);
		mode = len > 5 && !memcmp(p, "/bin/", 5) ? FS_S_IFREG | 0755 : FS_S_IFDIR | 0755;
		wire_put_u32(w, mode);
		return 0;
	case FS_OP_IMAGE:
		if (wire_end(r) < 0)
			return -RV_EBADMSG;
		shm = rv_shm_create(4096);
		if (shm < 0)
			return (int)shm;
		wire_put_handle(w, (rv_handle_t)rv_handle_duplicate((rv_handle_t)shm,
								    RV_RIGHT_READ | RV_RIGHT_MAP |
									    RV_RIGHT_TRANSFER));
		rv_handle_close((rv_handle_t)shm);
		wire_put_u64(w, 4096);
		return 0;
	case FAKEFS_OP_WHO:
		if (wire_end(r) < 0)
			return -RV_EBADMSG;
		wire_put_str(w, nd->path);
		wire_put_u32(w, nd->flags);
		return 0;
	default:
		return -RV_ENOSYS;
	}
}

static void serve_node(uint32_t i)
{
	struct rv_msg msg = {.bytes = in, .num_bytes = sizeof(in), .handles = in_hs,
			     .num_handles = CONFIG_MSG_MAX_HANDLES};
	struct rv_msg reply;
	struct wire_reader r;
	struct wire_writer w;
	int ret;

	if (rv_channel_read(nodes[i].h, &msg, RV_IPC_NONBLOCK, 0) < 0) {
		node_drop(i);
		return;
	}
	if (wire_read_request(&r, &msg) < 0) {
		ret = -RV_EBADMSG;
	} else {
		wire_init_reply(&w, out, sizeof(out), out_hs, CONFIG_MSG_MAX_HANDLES, r.op, 0);
		ret = node_request(&nodes[i], &r, &w);
		if (ret == 1)
			return;
		if (ret == 2) {
			wire_status_reply(&reply, out, sizeof(out), r.op + 1, 0);
			rv_channel_write(nodes[i].h, &reply, RV_IPC_NONBLOCK, 0);
			return;
		}
		if (ret == 0)
			ret = wire_finish(&w, &reply);
	}
	if (ret < 0) {
		for (uint32_t k = 0; k < msg.num_handles; k++)
			rv_handle_close(msg.handles[k]);
		wire_status_reply(&reply, out, sizeof(out), r.op, ret);
	}
	rv_channel_write(nodes[i].h, &reply, RV_IPC_NONBLOCK, 0);
}

int main(void)
{
	static unsigned int clients;
	rv_handle_t reg;
	int ret;

	/* Late on purpose: children that ask for their files first wait. */
	rv_sleep_ns(MS(200));
	ret = rv_service_register_flags(FS_SERVICE_NAME, SVC_REG_RESTRICTED, &reg);
	if (ret < 0) {
		printf("fakefs: register: %s\n", rv_strerror(ret));
		return 1;
	}
	for (;;) {
		struct rv_wait_item items[NODES + 1];
		uint32_t n = num_nodes;

		items[0] = (struct rv_wait_item){.handle = reg,
						 .signals = RV_SIGNAL_READABLE};
		for (uint32_t i = 0; i < n; i++)
			items[i + 1] = (struct rv_wait_item){
				.handle = nodes[i].h,
				.signals = RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED};
		if (rv_wait_many(items, n + 1, RV_DEADLINE_NEVER) < 0)
			return 1;
		for (uint32_t i = n; i-- > 0;)
			if (items[i + 1].observed & RV_SIGNAL_READABLE)
				serve_node(i);
			else if (items[i + 1].observed & RV_SIGNAL_PEER_CLOSED)
				node_drop(i);
		if (items[0].observed & RV_SIGNAL_READABLE) {
			struct rv_msg msg = {.bytes = in, .num_bytes = sizeof(in), .handles = in_hs,
					     .num_handles = CONFIG_MSG_MAX_HANDLES};
			struct wire_reader r;
			rv_handle_t h;

			if (rv_channel_read(reg, &msg, RV_IPC_NONBLOCK, 0) < 0)
				continue;
			if (wire_read_request(&r, &msg) == 0 && r.op == SVC_OP_NEW_CLIENT &&
			    wire_get_handle(&r, &h) == 0 && wire_end(&r) == 0 &&
			    node_add(h, "", 0, FS_O_DIRECTORY | FS_O_READ | FS_O_WRITE))
				printf("fakefs: client %u\n", ++clients);
		}
	}
}
