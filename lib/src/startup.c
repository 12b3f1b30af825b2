/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The start-up environment (SVC_OP_STARTUP) and the loader call that hands
 * one to a new program (SVC_OP_SPAWN_ENV): doc/services.md.
 */
#include <string.h>
#include <rvos/service.h>
#include <rvos/user.h>

typedef rv_handle_t handle_buf[CONFIG_MSG_MAX_HANDLES + 1];

static void close_all(const rv_handle_t *hs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		rv_handle_close(hs[i]);
}

/* The handle of environment bit b (0..4) in env and its slot in st. */
static rv_handle_t *startup_slot(struct rv_startup *st, unsigned int b)
{
	return b == 0 ? &st->root : b == 1 ? &st->cwd : &st->fd[b - 2];
}

static const rv_handle_t *spawn_slot(const struct rv_spawn_env *env, unsigned int b)
{
	return b == 0 ? &env->root : b == 1 ? &env->cwd : &env->fd[b - 2];
}

static struct rv_startup startup;
static int startup_status;
static int startup_asked;

/* The fields of a STARTUP reply into st; -RV_EBADMSG if it breaks the
 * protocol (its handles are then closed). */
static int startup_decode(struct wire_reader *r, struct rv_msg *reply, struct rv_startup *st)
{
	const char *path;
	uint32_t len, kinds;

	wire_get_u32(r, &st->mask);
	wire_get_u32(r, &kinds);
	wire_get_str(r, &path, &len, RV_ENV_PATH_MAX - 1);
	for (unsigned int b = 0; b < 5; b++)
		if (st->mask & (1u << b))
			wire_get_handle(r, startup_slot(st, b));
	if (wire_end(r) < 0 || (st->mask & ~RV_ENV_ALL) || (kinds >> 24)) {
		close_all(reply->handles, reply->num_handles);
		memset(st, 0, sizeof(*st));
		return -RV_EBADMSG;
	}
	for (unsigned int k = 0; k < 3; k++)
		st->fd_kind[k] = (kinds >> (8 * k)) & 0xff;
	memcpy(st->cwd_path, path, len);
	st->cwd_path[len] = '\0';
	return 0;
}

int rv_startup_get(const struct rv_startup **out)
{
	uint8_t buf[WIRE_HEADER_SIZE], rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	int ret;

	if (!startup_asked) {
		startup_asked = 1;
		for (unsigned int b = 0; b < 5; b++)
			*startup_slot(&startup, b) = RV_HANDLE_INVALID;
		/* No channel to init (a program the kernel or process_spawn
		 * started): no environment, and no call that could block. */
		if (rv_service_check_channel(RV_SVC_INIT_HANDLE) == 0) {
			wire_init_request(&w, buf, sizeof(buf), NULL, 0, SVC_OP_STARTUP);
			ret = rv_service_call(RV_SVC_INIT_HANDLE, &w, &r, SVC_OP_STARTUP, rbuf,
					      rhs, &reply);
			if (ret == 0)
				ret = startup_decode(&r, &reply, &startup);
			/* An init without the op (or gone): an empty environment. */
			if (ret == -RV_ENOSYS || ret == -RV_EPEERCLOSED)
				ret = 0;
			startup_status = ret;
		}
	}
	if (out)
		*out = &startup;
	return startup_status;
}

int rv_startup_reopen(rv_handle_t *root, rv_handle_t *cwd)
{
	uint8_t buf[WIRE_HEADER_SIZE], rbuf[CONFIG_MSG_MAX_BYTES];
	handle_buf rhs;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	struct rv_startup st;
	int ret;

	memset(&st, 0, sizeof(st));
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, SVC_OP_REOPEN);
	ret = rv_service_call(RV_SVC_INIT_HANDLE, &w, &r, SVC_OP_REOPEN, rbuf, rhs, &reply);
	if (ret == 0)
		ret = startup_decode(&r, &reply, &st);
	if (ret < 0)
		return ret;
	if (st.mask != (RV_ENV_ROOT | RV_ENV_CWD)) {
		for (unsigned int b = 0; b < 5; b++)
			if (st.mask & (1u << b))
				rv_handle_close(*startup_slot(&st, b));
		return st.mask ? -RV_EBADMSG : -RV_ENOENT;
	}
	*root = st.root;
	*cwd = st.cwd;
	return 0;
}

/* The handles env->mask names, closed (the call's failure path). */
static void env_close(const struct rv_spawn_env *env)
{
	for (unsigned int b = 0; b < 5; b++)
		if (env->mask & (1u << b))
			rv_handle_close(*spawn_slot(env, b));
}

int rv_loader_spawn_env(const struct rv_spawn_env *env, rv_handle_t *process)
{
	uint8_t buf[CONFIG_MSG_MAX_BYTES], rbuf[CONFIG_MSG_MAX_BYTES];
	char args[RV_SPAWN_BUF_BYTES];
	handle_buf hs, rhs;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	uint32_t kinds = 0;
	size_t plen;
	rv_handle_t h;
	long len;
	int ret;

	if (!env)
		return -RV_EINVAL;
	plen = env->program ? strlen(env->program) : 0;
	if (plen == 0 || plen > (strchr(env->program, '/') ? RV_ENV_PATH_MAX - 1 : SVC_NAME_MAX) ||
	    (env->mask & ~RV_ENV_ALL)) {
		env_close(env);
		return -RV_EINVAL;
	}
	for (unsigned int k = 0; k < 3; k++) {
		if (env->fd_kind[k] > 0xff) {
			env_close(env);
			return -RV_EINVAL;
		}
		kinds |= env->fd_kind[k] << (8 * k);
	}
	len = rv_pack_args_env(env->argv, env->envp, args);
	if (len < 0) {
		env_close(env);
		return (int)len;
	}
	wire_init_request(&w, buf, sizeof(buf), hs, CONFIG_MSG_MAX_HANDLES, SVC_OP_SPAWN_ENV);
	wire_put_str(&w, env->program);
	wire_put_u32(&w, env->priority);
	wire_put_bytes(&w, args, svc_spawn_bytes((uint64_t)len));
	wire_put_u32(&w, env->mask);
	wire_put_u32(&w, kinds);
	wire_put_str(&w, env->cwd_path ? env->cwd_path : "");
	for (unsigned int b = 0; b < 5; b++)
		if (env->mask & (1u << b))
			wire_put_handle(&w, *spawn_slot(env, b));
	/* env_len, then rights (which need an env_len before them, 0 if
	 * nothing else); neither when there is nothing to say. */
	if (svc_spawn_env_bytes((uint64_t)len) || env->rights)
		wire_put_u32(&w, svc_spawn_env_bytes((uint64_t)len));
	if (env->rights)
		wire_put_u32(&w, env->rights);
	if (w.err) {
		/* Too big for one message (bytes, or more handles than
		 * CONFIG_MSG_MAX_HANDLES): the handles never left. */
		env_close(env);
		return w.err == -RV_EMSGSIZE ? -RV_E2BIG : w.err;
	}
	ret = rv_service_call(RV_SVC_INIT_HANDLE, &w, &r, SVC_OP_SPAWN_ENV, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	wire_get_handle(&r, &h);
	if (wire_end(&r) < 0) {
		close_all(reply.handles, reply.num_handles);
		return -RV_EBADMSG;
	}
	if (process)
		*process = h;
	else
		rv_handle_close(h);
	return 0;
}
