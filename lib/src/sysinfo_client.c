/* SPDX-License-Identifier: Apache-2.0 */
/* Client calls of the sysinfo service (<rvos/sysinfosvc.h>, doc/services.md). */
#include <string.h>
#include <rvos/service.h>
#include <rvos/sysinfosvc.h>
#include <rvos/user.h>

typedef rv_handle_t handle_buf[CONFIG_MSG_MAX_HANDLES + 1];

/* Send a request (op, and the page fields when paged) and decode the
 * reply's header into r: 0 and the fields follow, or an error. */
static int call(rv_handle_t h, uint32_t op, int paged, uint32_t start, uint32_t max,
		struct wire_reader *r, uint8_t *rbuf, rv_handle_t *rhs, struct rv_msg *reply)
{
	uint8_t buf[WIRE_HEADER_SIZE + 2 * WIRE_U32_SIZE];
	struct wire_writer w;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, op);
	if (paged) {
		wire_put_u32(&w, start);
		wire_put_u32(&w, max);
	}
	return rv_service_call(h, &w, r, op, rbuf, rhs, reply);
}

/* The end of a reply: every field read (no handles: none is expected).
 * A reply that breaks the protocol is -RV_EBADMSG, its handles closed. */
static int finish(struct wire_reader *r, struct rv_msg *reply, int ret)
{
	if (ret == 0 && wire_end(r) == 0)
		return 0;
	for (uint32_t i = 0; i < reply->num_handles; i++)
		rv_handle_close(reply->handles[i]);
	return -RV_EBADMSG;
}

/* A page's head: next must lie past start (or be the end), n within max. */
static int page_head(struct wire_reader *r, uint32_t start, uint32_t max, uint32_t *next,
		     uint32_t *n)
{
	wire_get_u32(r, next);
	wire_get_u32(r, n);
	if (r->err)
		return r->err;
	if (*n > max || (*next != SYSINFO_END && *next <= start))
		return -RV_EBADMSG;
	return 0;
}

int sysinfo_procs_page(rv_handle_t h, uint32_t start, struct rv_proc_info *out, uint32_t max,
		       uint32_t *next)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_reader r;
	struct rv_msg reply;
	uint32_t n, v[6], pages[2];
	int ret;

	ret = call(h, SYSINFO_OP_PROCS, 1, start, max, &r, rbuf, rhs, &reply);
	if (ret < 0)
		return ret; /* the server's error, or the call's */
	ret = page_head(&r, start, max, next, &n);
	for (uint32_t i = 0; ret == 0 && i < n; i++) {
		struct rv_proc_info *p = &out[i];
		const char *name;
		uint32_t len;

		for (unsigned int k = 0; k < 6; k++)
			wire_get_u32(&r, &v[k]);
		wire_get_u64(&r, &p->cpu_ns);
		wire_get_u32(&r, &pages[0]);
		wire_get_u32(&r, &pages[1]);
		ret = wire_get_str(&r, &name, &len, RV_PROC_NAME_MAX - 1);
		if (ret < 0)
			break;
		p->slot = v[0];
		p->pid = (int32_t)v[1];
		p->parent_pid = (int32_t)v[2];
		p->state = v[3];
		p->priority = v[4];
		p->handles = v[5];
		p->user_pages = pages[0];
		p->shm_pages = pages[1];
		memcpy(p->name, name, len);
		p->name[len] = 0;
	}
	ret = finish(&r, &reply, ret);
	return ret < 0 ? ret : (int)n;
}

int sysinfo_channels_page(rv_handle_t h, uint32_t start, struct rv_channel_info *out,
			  uint32_t max, uint32_t *next)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_reader r;
	struct rv_msg reply;
	uint32_t n, v[2];
	int ret;

	ret = call(h, SYSINFO_OP_CHANNELS, 1, start, max, &r, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	ret = page_head(&r, start, max, next, &n);
	for (uint32_t i = 0; ret == 0 && i < n; i++) {
		struct rv_channel_info *c = &out[i];

		wire_get_u32(&r, &v[0]);
		wire_get_u32(&r, &v[1]);
		for (unsigned int e = 0; e < 2; e++) {
			struct rv_channel_end_info *ei = &c->end[e];

			wire_get_u32(&r, &ei->flags);
			wire_get_u32(&r, &ei->queued);
			wire_get_u32(&r, &ei->queued_bytes);
			wire_get_u64(&r, &ei->sent);
			wire_get_u64(&r, &ei->sent_bytes);
			ei->reserved = 0;
		}
		c->id = v[0];
		c->creator_pid = (int32_t)v[1];
		ret = r.err;
	}
	ret = finish(&r, &reply, ret);
	return ret < 0 ? ret : (int)n;
}

/* Page through a list: page(h, start, out + got, max - got, &next) until
 * the end or max records. */
#define PAGE_ALL(page, h, out, max)                                              \
	do {                                                                     \
		uint32_t got_ = 0, start_ = 0, next_;                            \
		while (got_ < (max)) {                                           \
			int n_ = page((h), start_, (out) + got_, (max) - got_, &next_); \
			if (n_ < 0)                                              \
				return n_;                                       \
			got_ += (uint32_t)n_;                                    \
			if (next_ == SYSINFO_END)                                \
				break;                                           \
			start_ = next_;                                          \
		}                                                                \
		return (int)got_;                                                \
	} while (0)

int sysinfo_procs(rv_handle_t h, struct rv_proc_info *out, uint32_t max)
{
	PAGE_ALL(sysinfo_procs_page, h, out, max);
}

int sysinfo_channels(rv_handle_t h, struct rv_channel_info *out, uint32_t max)
{
	PAGE_ALL(sysinfo_channels_page, h, out, max);
}

int sysinfo_memory(rv_handle_t h, struct sysinfo_memory *out)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_reader r;
	struct rv_msg reply;
	int ret = call(h, SYSINFO_OP_MEMORY, 0, 0, 0, &r, rbuf, rhs, &reply);

	if (ret < 0)
		return ret;
	wire_get_u64(&r, &out->frames_total);
	wire_get_u64(&r, &out->frames_free);
	wire_get_u64(&r, &out->page_tables);
	wire_get_u64(&r, &out->user);
	wire_get_u64(&r, &out->kernel_stacks);
	wire_get_u64(&r, &out->kernel_pools);
	return finish(&r, &reply, 0);
}

int sysinfo_counters(rv_handle_t h, struct sysinfo_counters *out)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_reader r;
	struct rv_msg reply;
	uint32_t *u32s[] = {&out->procs_used, &out->procs_max, &out->process_objects_used,
			    &out->channels_used, &out->channels_max, &out->messages_queued,
			    &out->handles_used, &out->handles_max, &out->shm_regions_used,
			    &out->shm_regions_max, &out->shm_mappings_used};
	int ret = call(h, SYSINFO_OP_COUNTERS, 0, 0, 0, &r, rbuf, rhs, &reply);

	if (ret < 0)
		return ret;
	wire_get_u64(&r, &out->uptime_ns);
	wire_get_u64(&r, &out->syscalls);
	wire_get_u64(&r, &out->context_switches);
	wire_get_u64(&r, &out->irqs);
	for (unsigned int i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++)
		wire_get_u32(&r, u32s[i]);
	return finish(&r, &reply, 0);
}

const char *sysinfo_state_name(uint32_t state)
{
	static const char *const names[] = {
		[RV_PROC_READY] = "ready",   [RV_PROC_RUNNING] = "run",
		[RV_PROC_SLEEPING] = "sleep", [RV_PROC_WAIT_CHILD] = "child",
		[RV_PROC_RECEIVING] = "recv", [RV_PROC_WAITING] = "wait",
		[RV_PROC_ZOMBIE] = "zombie",
	};

	if (state >= sizeof(names) / sizeof(names[0]) || !names[state])
		return "?";
	return names[state];
}
