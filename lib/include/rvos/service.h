/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Services: the protocol between programs and init (the service directory,
 * loader and supervisor), the client calls, and a small server loop.
 * doc/services.md is the full description.
 *
 * Every process init starts holds handle 0 = a channel to init
 * (RV_SVC_INIT_HANDLE). Requests to init, all in the wire codec
 * (rvos/wire.h), each answered by a reply with the same op:
 *
 *   SVC_OP_CONNECT   str name, handle end     -> (status only)
 *   SVC_OP_REGISTER  str name, handle chan [, u32 flags (SVC_REG_*)]
 *                                             -> (status only)
 *   SVC_OP_SPAWN     str program, u32 priority, bytes args (NUL-terminated
 *                    strings back to back), handle * 0..MSG_MAX_HANDLES-1
 *                    [, u32 env_len [, u32 rights]] -> handle process
 *                    env_len: args' last env_len bytes are the child's
 *                    environment strings (absent: none); rights: the
 *                    SVC_RIGHT_* the child's connection to init holds
 *                    (absent: none; at most the asker's)
 *   SVC_OP_PROCESS   str service name         -> handle process (the
 *                    service's process, with MANAGE: a test may kill it)
 *   SVC_OP_PROGRAMS  u32 first                -> bytes names: the initrd's
 *                    programs from number `first` on, each NUL-terminated,
 *                    as many as the reply holds (none: past the last)
 *   SVC_OP_KILL      u32 pid                  -> str program: ends a process
 *                    of the manifest (a service is restarted)
 *   SVC_OP_SHUTDOWN  u32 status (0..255)      -> (status only); then init
 *                    ends with that status: the kernel powers off
 *   SVC_OP_RIGHTS    -                        -> u32 rights: what this
 *                    connection holds
 *
 * Authority belongs to the connection (init's end of the asker's handle
 * 0), never to a pid or a name: SPAWN and SPAWN_ENV need SVC_RIGHT_SPAWN,
 * PROCESS SVC_RIGHT_PROCESS, KILL SVC_RIGHT_KILL, SHUTDOWN
 * SVC_RIGHT_SHUTDOWN; without it the request is EPERM before its fields
 * are read. The manifest grants rights (control, control=spawn+kill...);
 * a loader child gets what its asker passes on, at most what the asker
 * holds (doc/services.md, "Authority").
 *
 * init sends to a server, on the channel it registered, one message per new
 * client (a request with no reply):
 *
 *   SVC_OP_NEW_CLIENT handle end
 */
#ifndef RVOS_SERVICE_H
#define RVOS_SERVICE_H

#include <stdint.h>
#include <rvos/ipc.h>
#include <rvos/wire.h>

#define RV_SVC_INIT_HANDLE 0 /* handle 0: the channel to init */

/* Rights a channel end must carry to be a client's or a server's end. */
#define SVC_CHANNEL_RIGHTS (RV_RIGHT_READ | RV_RIGHT_WRITE | RV_RIGHT_TRANSFER)
#define SVC_NAME_MAX 31      /* bytes in a service or program name */

enum svc_op {
	SVC_OP_CONNECT = 1,
	SVC_OP_REGISTER = 2,
	SVC_OP_SPAWN = 3,
	SVC_OP_PROCESS = 4,
	SVC_OP_PROGRAMS = 5,
	SVC_OP_KILL = 6,
	SVC_OP_SHUTDOWN = 7,
	SVC_OP_STARTUP = 8,
	SVC_OP_SPAWN_ENV = 9,
	SVC_OP_REOPEN = 10,
	SVC_OP_RIGHTS = 11,
	SVC_OP_NEW_CLIENT = 16,
};

/* A connection's rights (SVC_OP_RIGHTS; the manifest's control=, the
 * loader's optional rights field). */
#define SVC_RIGHT_SPAWN (1u << 0)    /* SVC_OP_SPAWN, SVC_OP_SPAWN_ENV: the loader */
#define SVC_RIGHT_PROCESS (1u << 1)  /* SVC_OP_PROCESS: a service's process handle */
#define SVC_RIGHT_KILL (1u << 2)     /* SVC_OP_KILL: end a manifest child */
#define SVC_RIGHT_SHUTDOWN (1u << 3) /* SVC_OP_SHUTDOWN: power off */
#define SVC_RIGHTS_ALL 0xfu

/* The right op needs (0: none). */
static inline uint32_t svc_op_right(uint32_t op)
{
	switch (op) {
	case SVC_OP_SPAWN:
	case SVC_OP_SPAWN_ENV:
		return SVC_RIGHT_SPAWN;
	case SVC_OP_PROCESS:
		return SVC_RIGHT_PROCESS;
	case SVC_OP_KILL:
		return SVC_RIGHT_KILL;
	case SVC_OP_SHUTDOWN:
		return SVC_RIGHT_SHUTDOWN;
	default:
		return 0;
	}
}

/* Rights by name, as the manifest's control= and the shell's run -c take
 * them: "all", or names joined by '+' ("spawn+kill": spawn, process, kill,
 * shutdown), len bytes of s. 0 and *rights, or -RV_EINVAL (an unknown or
 * empty name). */
int svc_rights_parse(const char *s, size_t len, uint32_t *rights);

/* SVC_OP_SPAWN(_ENV)'s args bytes and env_len for spawn's
 * RV_SPAWN_ARGS_LEN (rv_pack_args_env's result), and back. */
static inline uint32_t svc_spawn_bytes(uint64_t args_len)
{
	return (uint32_t)args_len + (uint32_t)(args_len >> 32);
}

static inline uint32_t svc_spawn_env_bytes(uint64_t args_len)
{
	return (uint32_t)(args_len >> 32);
}

/* SVC_OP_REGISTER's optional u32 flags (after the handle). */
#define SVC_REG_RESTRICTED (1u << 0) /* CONNECT only from children whose
				      * manifest entry says uses=<name> */

/*
 * A process's start-up environment (doc/files.md, "Namespaces"): the file
 * namespace it may reach and where its standard streams go. init keeps it
 * per child, from the manifest entry (root=PATH, ro) or from whoever asked
 * the loader (SVC_OP_SPAWN_ENV), and hands it over on SVC_OP_STARTUP:
 *
 *   SVC_OP_STARTUP  -  -> u32 mask, u32 fd_kinds, str cwd_path,
 *                         handle per bit of mask, in bit order
 *   SVC_OP_SPAWN_ENV str program, u32 priority, bytes args, u32 mask,
 *                    u32 fd_kinds, str cwd_path, handle per bit of mask
 *                    [, u32 env_len [, u32 rights]] -> handle process
 *                    (args, env_len and rights as SVC_OP_SPAWN's)
 *
 *   SVC_OP_REOPEN   -  -> as SVC_OP_STARTUP: fresh root and cwd for a
 *                         manifest child with root=PATH, mask 0 for others
 *
 * SVC_OP_STARTUP moves the handles to the child: a second request gets
 * mask 0. SVC_OP_REOPEN is how a manifest child gets its namespace back
 * after the file server restarted (its connections saw EPEERCLOSED). A program with a '/' in SVC_OP_SPAWN_ENV is a path, resolved in
 * the root handle it carries (ENOENT without one) and read through the file
 * server (FS_OP_IMAGE); a name without '/' comes from the initrd.
 * fd_kinds holds RV_FD_* for stdin (bits 0..7), stdout (8..15) and stderr
 * (16..23). cwd_path is the working directory's path below root ("/" when
 * they are the same; "" when unknown).
 */
#define RV_ENV_ROOT (1u << 0)
#define RV_ENV_CWD (1u << 1)
#define RV_ENV_STDIN (1u << 2)
#define RV_ENV_STDOUT (1u << 3)
#define RV_ENV_STDERR (1u << 4)
#define RV_ENV_ALL 0x1fu
#define RV_ENV_PATH_MAX 1024

enum rv_fd_kind {
	RV_FD_CONSOLE = 0, /* the console service (the default) */
	RV_FD_FILE = 1,    /* a node connection of the file server (rvos/fssvc.h) */
	RV_FD_PIPE = 2,    /* a channel end carrying raw bytes: each message is
			    * data, the peer closing is the end of file */
};

struct rv_startup {
	uint32_t mask;              /* RV_ENV_*: which handles are valid */
	rv_handle_t root, cwd;      /* node connections to directories */
	rv_handle_t fd[3];          /* stdin, stdout, stderr */
	uint32_t fd_kind[3];        /* enum rv_fd_kind */
	char cwd_path[RV_ENV_PATH_MAX]; /* "" unknown */
};

/* SVC_OP_STARTUP, asked of init once: later calls return the same
 * environment (the handles are the caller's from the first call on) and
 * the same status. A process whose handle 0 is no channel end (the
 * kernel's first process, a process_spawn child given nothing), or whose
 * init answers ENOSYS or is gone, gets an empty one (mask 0) and 0; a
 * malformed reply, mask 0 and -RV_EBADMSG. The call waits for the answer:
 * a process whose handle 0 is a channel to something other than init
 * must not make it. */
int rv_startup_get(const struct rv_startup **out);

/* SVC_OP_REOPEN: fresh root and cwd connections (moved to the caller)
 * for a manifest child whose entry says root=PATH, e.g. after the file
 * server restarted; the cached start-up environment is not changed.
 * -RV_ENOENT: no namespace to reopen (no root=, or a loader child: its
 * parent handed it its directories). */
int rv_startup_reopen(rv_handle_t *root, rv_handle_t *cwd);

struct rv_spawn_env {
	const char *program;       /* initrd name, or a path in root */
	const char *const *argv;   /* NULL-terminated, without argv[0]; may be NULL */
	unsigned int priority;
	uint32_t mask;             /* RV_ENV_*: the handles below that move */
	rv_handle_t root, cwd;
	rv_handle_t fd[3];
	uint32_t fd_kind[3];
	const char *cwd_path;      /* may be NULL: "" */
	const char *const *envp;   /* "NAME=value" strings, NULL-terminated;
				    * NULL: the caller's environ */
	uint32_t rights;           /* SVC_RIGHT_*: the child's connection to
				    * init holds them; 0 none (at most the
				    * caller's own: else -RV_EPERM) */
};

/* SVC_OP_SPAWN_ENV: the handles named in env->mask move (closed on
 * failure too). 0 and the child's process handle in *process (may be NULL:
 * then it is closed). */
int rv_loader_spawn_env(const struct rv_spawn_env *env, rv_handle_t *process);

/*
 * One request/reply on channel ch (to init or to any service): send the
 * request built in w (wire_init_request) and decode the reply header into
 * r, whose buffers are rbytes (CONFIG_MSG_MAX_BYTES) and rhs (room for
 * CONFIG_MSG_MAX_HANDLES). The request's handles are gone afterwards,
 * whatever happened. Returns the reply's status (its fields follow in r
 * when 0; the caller reads them and checks wire_end) or an error.
 */
int rv_service_call(rv_handle_t ch, struct wire_writer *w, struct wire_reader *r, uint32_t op,
		    void *rbytes, rv_handle_t *rhs, struct rv_msg *reply);

/*
 * A channel to the service `name`: 0 and *out, or -RV_ENOENT (no such
 * service registered now), -RV_EBUSY (the server's queue is full), the
 * errors of channel_create / channel_call, -RV_EBADMSG (a bad reply).
 */
int rv_connect(const char *name, rv_handle_t *out);

/* rv_connect, retried while the service is not (yet, or again) registered,
 * until the absolute deadline: then -RV_ENOENT. */
int rv_connect_wait(const char *name, rv_handle_t *out, uint64_t deadline);

/*
 * Register this process as the service `name`. *requests receives one
 * SVC_OP_NEW_CLIENT message per client (rv_server_run does the rest).
 * -RV_EEXIST: the name is taken; -RV_ENOSPC: the directory is full;
 * -RV_EINVAL: an empty or too long name.
 */
int rv_service_register(const char *name, rv_handle_t *requests);

/* The same with SVC_REG_* flags (SVC_REG_RESTRICTED: only the manifest
 * children whose entry says uses=<name> may connect); -RV_EINVAL for an
 * unknown flag. */
int rv_service_register_flags(const char *name, uint32_t flags, rv_handle_t *requests);

/*
 * Ask init to start `program` from the initrd with argv (NULL-terminated,
 * without argv[0]) at `priority`; the child's handle 0 is a fresh channel to
 * init and handles[0..n) (moved) become its handles 1..n. Returns 0 and the
 * child's process handle in *process (may be NULL: then it is closed).
 */
int rv_loader_spawn(const char *program, const char *const argv[], unsigned int priority,
		    const rv_handle_t *handles, uint32_t n, rv_handle_t *process);

/* The process handle of the service `name` (for supervision tests). */
int rv_service_process(const char *name, rv_handle_t *process);

/*
 * SVC_OP_PROGRAMS: the names of the initrd's programs from number `first`
 * on, each NUL-terminated, into buf (as many whole ones as init's reply and
 * buf hold): the bytes written, 0 past the last program, or an error
 * (-RV_ENOSPC: buf cannot hold the next name; CONFIG_PROC_NAME_MAX bytes
 * hold any). Count the NULs to know the next `first`.
 */
long rv_init_programs(uint32_t first, char *buf, size_t size);

/* SVC_OP_KILL: init ends the manifest's process `pid`; 0 and its program
 * name in name[0..size) (may be NULL), -RV_ESRCH (not one of the manifest's
 * running processes), -RV_EPERM (init itself, or no SVC_RIGHT_KILL),
 * -RV_EINVAL (pid <= 0). */
int rv_init_kill(int pid, char *name, size_t size);

/* SVC_OP_SHUTDOWN: init ends with status (0..255) and the kernel powers
 * off. Returns 0 (init has answered and is ending) or an error (-RV_EPERM:
 * no SVC_RIGHT_SHUTDOWN). */
int rv_init_shutdown(int status);

/* SVC_OP_RIGHTS: the SVC_RIGHT_* this process's connection to init holds. */
int rv_init_rights(uint32_t *rights);

/*
 * A server's request handler. `req` is positioned after the header
 * (req->op is the operation); `reply` is a success reply to that op, with
 * room for fields and handles. Return 0 to send `reply`, or a negative rv
 * errno to send an error reply instead. The handler must read every field
 * (the loop checks wire_end: a request with bytes or handles left over gets
 * -RV_EBADMSG). Handles it decoded are its own when it returns 0; on an
 * error the loop closes every handle of the request.
 */
typedef int (*rv_server_handler)(void *ctx, struct wire_reader *req, struct wire_writer *reply);

/*
 * Serve: wait on the registration channel and every client (at most
 * CONFIG_SERVICE_MAX_CLIENTS; more are refused by closing their end), take
 * new clients, drop closed ones, call handler once per request and reply.
 * A malformed request gets -RV_EBADMSG; nothing a client sends stops the
 * loop. Returns only when the registration channel closes (-RV_EPEERCLOSED)
 * or a new client cannot be taken (-RV_EMFILE: the handle table is full).
 * One per process: its buffers are static.
 */
int rv_server_run(rv_handle_t requests, rv_server_handler handler, void *ctx);

/*
 * The same loop with more to it (the console server uses all of it):
 *  - event: one more handle to wait on (e.g. a device's interrupt,
 *    RV_SIGNAL_IRQ); on_event runs when one of event_signals is up.
 *    event_signals 0: no event.
 *  - a handler may return RV_SERVER_REPLY_LATER (with nothing put in
 *    `reply`): no reply now; it answers later with rv_server_reply() on
 *    the client rv_server_client() named while it ran. Handles it decoded
 *    are its own.
 *  - on_close runs when a client is dropped (closed, or refused by
 *    wait_many), before its handle is closed.
 *  - fast, when not NULL, sees each request first, as received (msg:
 *    bytes and handles): it may answer it whole, writing the reply's
 *    bytes (no handles) into out (cap bytes) and returning their count,
 *    which must be what handler would have put; 0 passes the request on to
 *    the decoder and handler (rv_server_client() is not set while fast
 *    runs). For the few requests that are most of a server's traffic
 *    (the console's WRITE).
 * The event takes one item of the wait_many: such a server takes at most
 * min(CONFIG_SERVICE_MAX_CLIENTS, CONFIG_MAX_WAIT_ITEMS - 2) clients;
 * -RV_EINVAL at once if CONFIG_MAX_WAIT_ITEMS is 1.
 */
#define RV_SERVER_REPLY_LATER 1

struct rv_server {
	rv_handle_t requests; /* from rv_service_register */
	rv_server_handler handler;
	void *ctx;
	rv_handle_t event;
	uint32_t event_signals;
	void (*on_event)(void *ctx, uint32_t observed);
	void (*on_close)(void *ctx, rv_handle_t client);
	uint32_t (*fast)(void *ctx, const struct rv_msg *msg, uint8_t *out, uint32_t cap);
};

int rv_server_serve(const struct rv_server *cfg);
/* While the handler runs: the client's channel; else RV_HANDLE_INVALID. */
rv_handle_t rv_server_client(void);
/* Send a reply built with wire_init_reply (a deferred one), without
 * waiting; on an error the reply's handles are closed. */
int rv_server_reply(rv_handle_t client, struct wire_writer *w);

/* A reply to client that could not go (err, from a non-blocking write or
 * rv_port_reply_wait): its handles are closed; a client whose queue is full
 * (-RV_EAGAIN) does not read its replies and loses it; any other failure
 * but the client's going is answered with a header-only reply of that
 * error (op's, built in buf of cap bytes), so that the client does not
 * wait for ever. -1: the client is gone (drop it); else 0. */
int rv_server_reply_failed(rv_handle_t client, struct rv_msg *reply, void *buf, uint32_t cap,
			   uint32_t op, long err);

/* 0 if h is a channel end with SVC_CHANNEL_RIGHTS; else -RV_EWRONGTYPE,
 * -RV_EPERM or -RV_EBADF. */
int rv_service_check_channel(rv_handle_t h);

#endif /* RVOS_SERVICE_H */
