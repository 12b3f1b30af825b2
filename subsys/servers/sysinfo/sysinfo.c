/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sysinfo server: registers "sysinfo" with init and serves
 * <rvos/sysinfosvc.h> from the kernel's information calls (proc_list,
 * channel_list, kstats). It holds no capability: any program could make
 * these calls itself; the server pages them into replies for clients that
 * would rather not (the shell's ps and mem).
 */
#include <stdio.h>
#include <string.h>
#include <rvos/service.h>
#include <rvos/sysinfosvc.h>
#include <rvos/user.h>

_Static_assert(CONFIG_MSG_MAX_BYTES >= SYSINFO_MSG_MIN,
	       "the sysinfo server needs CONFIG_MSG_MAX_BYTES >= SYSINFO_MSG_MIN (103)");
_Static_assert(SYSINFO_PAGE_HEAD_SIZE + SYSINFO_CHANNEL_RECORD_SIZE <= SYSINFO_MSG_MIN &&
		       SYSINFO_MEMORY_REPLY_SIZE <= SYSINFO_MSG_MIN &&
		       SYSINFO_COUNTERS_REPLY_SIZE <= SYSINFO_MSG_MIN,
	       "every sysinfo reply fits in SYSINFO_MSG_MIN");

#define ROOM (CONFIG_MSG_MAX_BYTES - SYSINFO_PAGE_HEAD_SIZE) /* for the records of a page */

/* Records fetched from the kernel per page: one more than can fit, so a
 * full batch always leaves one over, whose slot is where the next page
 * starts. */
#define PROC_FIT (ROOM / SYSINFO_PROC_RECORD_MIN)
#define CHANNEL_FIT (ROOM / SYSINFO_CHANNEL_RECORD_SIZE)

static struct rv_proc_info procs[PROC_FIT + 1];
static struct rv_channel_info channels[CHANNEL_FIT + 1];

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* A page request: u32 start, u32 max. */
static int page_request(struct wire_reader *req, uint32_t *start, uint32_t *max)
{
	wire_get_u32(req, start);
	wire_get_u32(req, max);
	if (wire_end(req) < 0)
		return -RV_EBADMSG;
	return *max ? 0 : -RV_EINVAL;
}

static size_t name_len(const struct rv_proc_info *p)
{
	return strnlen(p->name, sizeof(p->name) - 1);
}

static int op_procs(struct wire_reader *req, struct wire_writer *reply)
{
	uint32_t start, max, fetch, room = ROOM, k;
	long got;
	int ret = page_request(req, &start, &max);

	if (ret < 0)
		return ret;
	fetch = min_u32(min_u32(max, PROC_FIT) + 1, CONFIG_MAX_PROCS);
	got = rv_proc_list(procs, fetch, start);
	if (got < 0)
		return (int)got;
	/* As many as fit (at least one: SYSINFO_MSG_MIN) and were asked for. */
	for (k = 0; k < got && k < max; k++) {
		uint32_t size = SYSINFO_PROC_RECORD_SIZE(name_len(&procs[k]));

		if (size > room)
			break;
		room -= size;
	}
	/* The kernel fills a batch only when it may have more: then the first
	 * record left out is where the next page starts. A short batch, or the
	 * whole table, is the end. */
	wire_put_u32(reply, k < got ? procs[k].slot : SYSINFO_END);
	wire_put_u32(reply, k);
	for (uint32_t i = 0; i < k; i++) {
		const struct rv_proc_info *p = &procs[i];

		wire_put_u32(reply, p->slot);
		wire_put_u32(reply, (uint32_t)p->pid);
		wire_put_u32(reply, (uint32_t)p->parent_pid);
		wire_put_u32(reply, p->state);
		wire_put_u32(reply, p->priority);
		wire_put_u32(reply, p->handles);
		wire_put_u64(reply, p->cpu_ns);
		wire_put_u32(reply, p->user_pages);
		wire_put_u32(reply, p->shm_pages);
		wire_put_strn(reply, p->name, (uint32_t)name_len(p));
	}
	return reply->err;
}

static int op_channels(struct wire_reader *req, struct wire_writer *reply)
{
	uint32_t start, max, fetch, k;
	long got;
	int ret = page_request(req, &start, &max);

	if (ret < 0)
		return ret;
	fetch = min_u32(min_u32(max, CHANNEL_FIT) + 1, CONFIG_MAX_CHANNELS);
	got = rv_channel_list(channels, fetch, start);
	if (got < 0)
		return (int)got;
	k = min_u32((uint32_t)got, min_u32(max, CHANNEL_FIT));
	/* The same rule as op_procs: a record left out starts the next page. */
	wire_put_u32(reply, k < got ? channels[k].id : SYSINFO_END);
	wire_put_u32(reply, k);
	for (uint32_t i = 0; i < k; i++) {
		const struct rv_channel_info *c = &channels[i];

		wire_put_u32(reply, c->id);
		wire_put_u32(reply, (uint32_t)c->creator_pid);
		for (unsigned int e = 0; e < 2; e++) {
			wire_put_u32(reply, c->end[e].flags);
			wire_put_u32(reply, c->end[e].queued);
			wire_put_u32(reply, c->end[e].queued_bytes);
			wire_put_u64(reply, c->end[e].sent);
			wire_put_u64(reply, c->end[e].sent_bytes);
		}
	}
	return reply->err;
}

/* MEMORY and COUNTERS: a request with no fields, answered from kstats. */
static int kstats_request(struct wire_reader *req, struct rv_kstats *k)
{
	long ret;

	if (wire_end(req) < 0)
		return -RV_EBADMSG;
	ret = rv_kstats(k);
	return ret < 0 ? (int)ret : 0;
}

static int op_memory(struct wire_reader *req, struct wire_writer *reply)
{
	struct rv_kstats k;
	int ret = kstats_request(req, &k);

	if (ret < 0)
		return ret;
	wire_put_u64(reply, k.frames_total);
	wire_put_u64(reply, k.frames_free);
	wire_put_u64(reply, k.frames_page_tables);
	wire_put_u64(reply, k.frames_user);
	wire_put_u64(reply, k.frames_kernel_stacks);
	wire_put_u64(reply, k.frames_kernel_pools);
	return reply->err;
}

static int op_counters(struct wire_reader *req, struct wire_writer *reply)
{
	struct rv_kstats k;
	int ret = kstats_request(req, &k);

	if (ret < 0)
		return ret;
	wire_put_u64(reply, rv_clock_ns());
	wire_put_u64(reply, k.syscalls);
	wire_put_u64(reply, k.context_switches);
	wire_put_u64(reply, k.irqs);
	wire_put_u32(reply, (uint32_t)k.procs_used);
	wire_put_u32(reply, (uint32_t)k.procs_max);
	wire_put_u32(reply, (uint32_t)k.process_objects_used);
	wire_put_u32(reply, (uint32_t)k.channels_used);
	wire_put_u32(reply, (uint32_t)k.channels_max);
	wire_put_u32(reply, (uint32_t)k.messages_queued);
	wire_put_u32(reply, (uint32_t)k.handles_used);
	wire_put_u32(reply, CONFIG_MAX_HANDLES);
	wire_put_u32(reply, (uint32_t)k.shm_regions_used);
	wire_put_u32(reply, CONFIG_MAX_SHM_REGIONS);
	wire_put_u32(reply, (uint32_t)k.shm_mappings_used);
	return reply->err;
}

static int sysinfo_handler(void *ctx, struct wire_reader *req, struct wire_writer *reply)
{
	switch (req->op) {
	case SYSINFO_OP_PROCS:
		return op_procs(req, reply);
	case SYSINFO_OP_MEMORY:
		return op_memory(req, reply);
	case SYSINFO_OP_CHANNELS:
		return op_channels(req, reply);
	case SYSINFO_OP_COUNTERS:
		return op_counters(req, reply);
	default:
		return -RV_ENOSYS;
	}
}

int main(int argc, char **argv)
{
	rv_handle_t requests;
	int ret;

	ret = rv_service_register(SYSINFO_SERVICE_NAME, &requests);
	if (ret < 0) {
		printf("sysinfo: cannot register: %s\n", rv_strerror(ret));
		return 1;
	}
	ret = rv_server_run(requests, sysinfo_handler, NULL);
	printf("sysinfo: server loop ended: %s\n", rv_strerror(ret));
	return 1;
}
