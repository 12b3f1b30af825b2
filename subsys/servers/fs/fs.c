/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file server: one process serving the one namespace (vfs.c) over the
 * file protocol (rvos/fssvc.h, doc/files.md).
 *
 * Every open file or directory is a node connection: a channel whose other
 * end the client holds, with the node, the rights, the offset (files) or
 * readdir cookie (directories) kept here. The server waits on a port
 * (doc/ipc.md, Ports) its registration channel and every connection are
 * bound to, keyed by the connection's index; port_wait receives the
 * request, so a client's call reaches the server through the kernel's
 * call fast path. The table is bounded by CONFIG_FS_MAX_CONNECTIONS, the
 * kernel's pool of port bindings and what CONFIG_MAX_HANDLES leaves: at
 * the limit OPEN and CLONE answer EMFILE. A connection whose client closed its end (PEER_CLOSED) is freed
 * at once, with the reference it held on its inode.
 *
 * Each new client init sends (SVC_OP_NEW_CLIENT) is a connection to the
 * root of the whole namespace with every right: init is the only one who
 * can connect, and it hands narrowed connections to everyone else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/copy.h>
#include <rvos/fssvc.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "vfs_internal.h"

_Static_assert(CONFIG_MSG_MAX_BYTES > FS_IO_OVERHEAD + 64,
	       "the file server needs CONFIG_MSG_MAX_BYTES > 96");

#define MAX_CONNS CONFIG_FS_MAX_CONNECTIONS
/* The port key of the registration channel (connections: their index). */
#define KEY_REQUESTS UINT64_MAX

/* Handles the server needs besides its connections: init's, the port, the
 * registration channel, a new channel's two ends, an image's shm and its
 * duplicate, and what a malformed request may bring along; plus two per
 * disk mount (its channel, its buffer). */
#define HANDLE_RESERVE (7 + CONFIG_MSG_MAX_HANDLES)

/* READDIR's reply: header, bytes tag and length, then the data in place. */
#define DATA_AT (WIRE_HEADER_SIZE + WIRE_BYTES_SIZE(0))
/* READ's reply: header, a bytes field of READ_PAD bytes that puts the
 * data at an 8-byte boundary (so the file system and the client copy it
 * a word at a time, not shifted), then the data's bytes tag and length
 * and the data in place. */
#define READ_PAD 6u
#define READ_AT (WIRE_HEADER_SIZE + WIRE_BYTES_SIZE(READ_PAD) + WIRE_BYTES_SIZE(0))
_Static_assert(READ_AT % 8 == 0 && READ_AT <= FS_IO_OVERHEAD, "READ's data aligned");

/* A reply the client's full queue could not take yet. */
struct pending {
	uint32_t num_bytes, num_handles;
	rv_handle_t handles[2];
	uint8_t bytes[];
};

struct conn {
	rv_handle_t h;
	struct vfs_node node;
	uint32_t rights; /* FS_RIGHT_* */
	uint32_t oflags; /* FS_O_APPEND */
	bool dir;
	uint64_t off;    /* files: the offset; directories: the readdir cookie */
	struct pending *pending; /* then the server waits for room, reads nothing */
	uint8_t *window;         /* FS_OP_WINDOW: mapped here, or NULL */
	uint32_t window_size;
};

static struct conn conns[MAX_CONNS + 1];
static uint32_t nconns, max_conns;
/* Aligned: the kernel copies aligned messages a word at a time. */
static uint8_t in[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
static uint8_t out[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
static rv_handle_t in_handles[CONFIG_MSG_MAX_HANDLES + 1], out_handles[2];
static rv_handle_t port;
static bool have_disk;
static uint32_t windows; /* connections with a window (CONFIG_FS_MAX_WINDOWS) */

static struct vfs_fs *fs_of(const struct conn *c)
{
	return vfs_fs_of(c->node);
}

static int add_conn(rv_handle_t h, struct vfs_node node, uint32_t rights, uint32_t oflags,
		    bool dir)
{
	struct conn *c;
	struct vfs_fs *fs = vfs_fs_of(node);

	if (nconns >= max_conns)
		return -RV_EMFILE;
	/* (the kernel's binding pool full: as a full table) */
	if (rv_port_bind(port, h, RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED, nconns) < 0)
		return -RV_EMFILE;
	c = &conns[nconns++];
	c->h = h;
	c->node = node;
	c->rights = rights;
	c->oflags = oflags;
	c->dir = dir;
	c->off = 0;
	c->pending = NULL;
	c->window = NULL;
	c->window_size = 0;
	fs->ops->ref(fs, node.ino);
	return 0;
}

/* Bind connection i's channel to the port as what it waits for now: room
 * for a reply that waits, or requests. (Rebinding the same handle only
 * changes signals and key; it cannot fail.) */
static void bind_conn(uint32_t i)
{
	uint32_t sig = conns[i].pending ? RV_SIGNAL_WRITABLE : RV_SIGNAL_READABLE;

	rv_port_bind(port, conns[i].h, sig | RV_SIGNAL_PEER_CLOSED, i);
}

/* Connection c's read window goes (unmapped: the region with it, once the
 * client lets go of its handle too). */
static void drop_window(struct conn *c)
{
	if (!c->window)
		return;
	rv_shm_unmap(c->window);
	c->window = NULL;
	c->window_size = 0;
	windows--;
}

static void del_conn(uint32_t i)
{
	struct conn *c = &conns[i];
	struct vfs_fs *fs = fs_of(c);

	drop_window(c);

	fs->ops->unref(fs, c->node.ino);
	if (c->pending) {
		for (uint32_t k = 0; k < c->pending->num_handles; k++)
			rv_handle_close(c->pending->handles[k]);
		free(c->pending);
	}
	rv_handle_close(c->h); /* (its binding goes with it) */
	conns[i] = conns[--nconns];
	if (i < nconns)
		bind_conn(i); /* the last one moved into i: its key is i now */
}

/* A new channel for a connection: ours in ch[0], the client's in ch[1]. */
static int new_channel(rv_handle_t ch[2])
{
	long ret;

	if (nconns >= max_conns)
		return -RV_EMFILE;
	ret = rv_channel_create(ch);
	if (ret < 0)
		return -RV_EMFILE; /* out of handles or channels: the table is full */
	return 0;
}

/* A stat record's fields: u32 or u64 (the wire codec's tags). */
#define STAT_SIZE (5 * WIRE_U32_SIZE + 6 * WIRE_U64_SIZE)

static uint8_t *put_field(uint8_t *p, uint64_t v, bool wide)
{
	unsigned int n = wide ? 8 : 4;

	*p++ = wide ? WIRE_T_U64 : WIRE_T_U32;
	for (unsigned int i = 0; i < n; i++, v >>= 8)
		*p++ = (uint8_t)v;
	return p;
}

static void put_stat(struct wire_writer *w, const struct fs_stat *st, uint32_t mnt)
{
	/* By hand where it fits (the same bytes as the wire_put_* below, a
	 * third of the instructions: stat is a hot request). */
	if (w->err == 0 && w->status >= 0 && w->cap - w->len >= STAT_SIZE) {
		uint8_t *p = w->bytes + w->len;

		p = put_field(p, st->mode, false);
		p = put_field(p, st->nlink, false);
		p = put_field(p, st->ino, true);
		p = put_field(p, st->size, true);
		p = put_field(p, st->blocks, true);
		p = put_field(p, st->atime_ns, true);
		p = put_field(p, st->mtime_ns, true);
		p = put_field(p, st->ctime_ns, true);
		p = put_field(p, st->uid, false);
		p = put_field(p, st->gid, false);
		put_field(p, mnt, false);
		w->len += STAT_SIZE;
		return;
	}
	wire_put_u32(w, st->mode);
	wire_put_u32(w, st->nlink);
	wire_put_u64(w, st->ino);
	wire_put_u64(w, st->size);
	wire_put_u64(w, st->blocks);
	wire_put_u64(w, st->atime_ns);
	wire_put_u64(w, st->mtime_ns);
	wire_put_u64(w, st->ctime_ns);
	wire_put_u32(w, st->uid);
	wire_put_u32(w, st->gid);
	wire_put_u32(w, mnt);
}

/* A path field: any string the message holds; too long is ENAMETOOLONG
 * (after wire_end, so a malformed request is EBADMSG first). */
static void get_path(struct wire_reader *r, const char **p, uint32_t *len)
{
	wire_get_str(r, p, len, CONFIG_MSG_MAX_BYTES);
}

static int path_ok(uint32_t len)
{
	if (len == 0)
		return -RV_ENOENT;
	return len > FS_PATH_MAX ? -RV_ENAMETOOLONG : 0;
}

static bool is_dir_mode(uint32_t mode)
{
	return (mode & FS_S_IFMT) == FS_S_IFDIR;
}

/* Requests that name entries below a directory connection. */
static int need_dir(const struct conn *c)
{
	return c->dir ? 0 : -RV_ENOTDIR;
}

static int need_write_dir(const struct conn *c)
{
	if (!c->dir)
		return -RV_ENOTDIR;
	return c->rights & FS_RIGHT_WRITE ? 0 : -RV_EACCES;
}

static int writable(struct vfs_node n)
{
	return vfs_fs_of(n)->read_only ? -RV_EROFS : 0;
}

#ifdef CONFIG_FS_PROFILE
/* Instructions per request kind: read, handle, write (CONFIG_FS_PROFILE). */
static struct {
	uint64_t n, read, handle, write;
} prof[FS_OP_SYNCFS + 1];

static void prof_add(uint32_t op, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3)
{
	if (op > FS_OP_SYNCFS)
		op = 0;
	prof[op].n++;
	prof[op].read += t1 - t0;
	prof[op].handle += t2 - t1;
	prof[op].write += t3 - t2;
	if (prof[op].n == 16 || op == FS_OP_SYNC || op == FS_OP_IMAGE) {
		uint64_t n = prof[op].n;

		printf("fsprof op %u: read %lu handle %lu write %lu\n", (unsigned int)op,
		       (unsigned long)(prof[op].read / n), (unsigned long)(prof[op].handle / n),
		       (unsigned long)(prof[op].write / n));
		prof[op].n = prof[op].read = prof[op].handle = prof[op].write = 0;
	}
}
#define PROF(t) uint64_t t = rv_instret()
#else
#define PROF(t) uint64_t t = 0
#define prof_add(op, t0, t1, t2, t3) ((void)(t0), (void)(t1), (void)(t2), (void)(t3))
#endif

/* ---- the operations ---- */

static int op_open(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	const uint32_t known = FS_O_READ | FS_O_WRITE | FS_O_CREAT | FS_O_EXCL | FS_O_TRUNC |
			       FS_O_APPEND | FS_O_DIRECTORY | FS_O_NOFOLLOW;
	struct conn *c = &conns[ci];
	const char *path;
	uint32_t len, flags, mode, want;
	struct vfs_walk wk;
	struct vfs_node node;
	rv_handle_t ch[2];
	int ret;

	get_path(r, &path, &len);
	wire_get_u32(r, &flags);
	wire_get_u32(r, &mode);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if ((ret = need_dir(c)) < 0 || (ret = path_ok(len)) < 0)
		return ret;
	if (flags & ~known)
		return -RV_EINVAL;
	want = flags & (FS_O_READ | FS_O_WRITE);
	if (want & ~c->rights)
		return -RV_EACCES;
	if ((flags & FS_O_TRUNC) && !(flags & FS_O_WRITE))
		return -RV_EINVAL;
	ret = vfs_walk(c->node, path, len,
		       (flags & FS_O_NOFOLLOW) || (flags & (FS_O_CREAT | FS_O_EXCL)) ==
			       (FS_O_CREAT | FS_O_EXCL) ? 0 : VFS_WALK_FOLLOW, &wk);
	if (ret < 0)
		return ret;
	if (!wk.exists) {
		struct vfs_fs *fs = vfs_fs_of(wk.dir);

		if (!(flags & FS_O_CREAT))
			return -RV_ENOENT;
		if (wk.slash || (flags & FS_O_DIRECTORY))
			return -RV_EISDIR;
		if (!(c->rights & FS_RIGHT_WRITE))
			return -RV_EACCES;
		if (want == 0)
			return -RV_EINVAL;
		if ((ret = writable(wk.dir)) < 0 || (ret = new_channel(ch)) < 0)
			return ret;
		ret = fs->ops->create(fs, wk.dir.ino, wk.name, wk.len,
				      FS_S_IFREG | (mode & 07777), &node.ino);
		if (ret < 0) {
			rv_handle_close(ch[0]);
			rv_handle_close(ch[1]);
			return ret;
		}
		node.mnt = wk.dir.mnt;
		mode = FS_S_IFREG | (mode & 07777);
	} else {
		uint32_t type = wk.st.mode & FS_S_IFMT;

		if ((flags & (FS_O_CREAT | FS_O_EXCL)) == (FS_O_CREAT | FS_O_EXCL))
			return -RV_EEXIST;
		if (type == FS_S_IFLNK)
			return -RV_ELOOP; /* FS_O_NOFOLLOW */
		if (type != FS_S_IFDIR && (flags & FS_O_DIRECTORY))
			return -RV_ENOTDIR;
		if (type == FS_S_IFDIR && (flags & (FS_O_TRUNC | FS_O_CREAT)))
			return -RV_EISDIR;
		if (type != FS_S_IFDIR && want == 0)
			return -RV_EINVAL; /* only a directory can be a bare anchor */
		if (type != FS_S_IFDIR && (want & FS_O_WRITE) && (ret = writable(wk.node)) < 0)
			return ret;
		if ((ret = new_channel(ch)) < 0)
			return ret;
		node = wk.node;
		mode = wk.st.mode;
		if ((flags & FS_O_TRUNC) && wk.st.size) {
			struct vfs_fs *fs = vfs_fs_of(node);

			ret = fs->ops->truncate(fs, node.ino, 0);
			if (ret < 0) {
				rv_handle_close(ch[0]);
				rv_handle_close(ch[1]);
				return ret;
			}
		}
	}
	add_conn(ch[0], node, want, flags & FS_O_APPEND, is_dir_mode(mode));
	wire_put_handle(w, ch[1]);
	wire_put_u32(w, mode);
	return w->err;
}

static int op_clone(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	uint32_t rights;
	rv_handle_t ch[2];
	int ret;

	wire_get_u32(r, &rights);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (rights & ~FS_RIGHTS_ALL)
		return -RV_EINVAL;
	if (rights & ~c->rights)
		return -RV_EACCES;
	if (!c->dir && !rights)
		return -RV_EINVAL;
	if ((ret = new_channel(ch)) < 0)
		return ret;
	c = &conns[ci];
	add_conn(ch[0], c->node, rights, c->oflags, c->dir);
	wire_put_handle(w, ch[1]);
	return w->err;
}

static int op_stat(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	struct fs_stat st;
	int ret;

	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	ret = fs_of(c)->ops->getattr(fs_of(c), c->node.ino, &st);
	if (ret < 0)
		return ret;
	put_stat(w, &st, c->node.mnt);
	return w->err;
}

static int op_statat(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	const char *path;
	uint32_t len, flags;
	struct vfs_walk wk;
	int ret;

	get_path(r, &path, &len);
	wire_get_u32(r, &flags);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if ((ret = need_dir(c)) < 0 || (ret = path_ok(len)) < 0)
		return ret;
	if (flags & ~FS_AT_NOFOLLOW)
		return -RV_EINVAL;
	PROF(t0);
	ret = vfs_walk(c->node, path, len, flags & FS_AT_NOFOLLOW ? 0 : VFS_WALK_FOLLOW, &wk);
	if (ret < 0)
		return ret;
	if (!wk.exists)
		return -RV_ENOENT;
	PROF(t1);
	put_stat(w, &wk.st, wk.node.mnt);
	{
		PROF(t2);
#ifdef CONFIG_FS_PROFILE
		static uint32_t k;

		if (++k % 64 == 0)
			printf("fsprof statat: walk %lu put %lu\n", (unsigned long)(t1 - t0),
			       (unsigned long)(t2 - t1));
#else
		(void)t0, (void)t1, (void)t2;
#endif
	}
	return w->err;
}

/* The data of a READ straight into the reply (no copy in between). */
static long read_in_place(struct conn *c, uint64_t off, uint32_t max, struct wire_writer *w)
{
	struct vfs_fs *fs = fs_of(c);
	long n;

	if (!(c->rights & FS_RIGHT_READ))
		return -RV_EACCES;
	if (c->dir)
		return -RV_EISDIR;
	if (max > FS_IO_MAX)
		max = FS_IO_MAX;
	n = fs->ops->read(fs, c->node.ino, off, w->bytes + READ_AT, max);
	if (n < 0)
		return n;
	w->bytes[WIRE_HEADER_SIZE] = WIRE_T_BYTES;
	w->bytes[WIRE_HEADER_SIZE + 1] = READ_PAD;
	for (uint32_t i = 2; i < WIRE_BYTES_SIZE(READ_PAD); i++)
		w->bytes[WIRE_HEADER_SIZE + i] = 0;
	w->bytes[READ_AT - 5] = WIRE_T_BYTES;
	for (int i = 0; i < 4; i++)
		w->bytes[READ_AT - 4 + i] = (uint8_t)((uint64_t)n >> (8 * i));
	w->len = READ_AT + (uint32_t)n;
	return n;
}

/* READ and PREAD (the data in the reply), WREAD and WPREAD (into the
 * connection's window: the reply is the count). */
static int op_read(uint32_t ci, struct wire_reader *r, struct wire_writer *w, bool positional,
		   bool window)
{
	struct conn *c = &conns[ci];
	uint64_t off = c->off;
	uint32_t max;
	long n;

	if (positional)
		wire_get_u64(r, &off);
	wire_get_u32(r, &max);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (!window) {
		n = read_in_place(c, off, max, w);
	} else if (!c->window) {
		n = -RV_ENOENT;
	} else if (!(c->rights & FS_RIGHT_READ)) {
		n = -RV_EACCES;
	} else {
		n = fs_of(c)->ops->read(fs_of(c), c->node.ino, off, c->window,
					max > c->window_size ? c->window_size : max);
		if (n >= 0)
			wire_put_u32(w, (uint32_t)n);
	}
	if (n < 0)
		return (int)n;
	if (!positional)
		c->off += (uint64_t)n;
	return w->err;
}

/* FS_OP_WINDOW: a read window for the connection (fssvc.h): the server
 * makes the region, so it knows its size whatever the client does with
 * its mapping; the client gets it to read and map (and pass on), never to
 * write. */
static int op_window(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	uint32_t size;
	long shm, map, dup;

	wire_get_u32(r, &size);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (c->dir)
		return -RV_EISDIR;
	if (!(c->rights & FS_RIGHT_READ))
		return -RV_EACCES;
	drop_window(c);
	if (size == 0)
		return 0;
	if ((int)windows >= CONFIG_FS_MAX_WINDOWS)
		return -RV_ENOSPC;
	if (size > CONFIG_FS_WINDOW_MAX_BYTES)
		size = CONFIG_FS_WINDOW_MAX_BYTES;
	size = (size + 4095) & ~4095u;
	shm = rv_shm_create(size);
	if (shm < 0)
		return (int)shm;
	map = rv_shm_map((rv_handle_t)shm, 1);
	/* (TRANSFER: the reply must carry it) */
	dup = map < 0 ? map
		      : rv_handle_duplicate((rv_handle_t)shm,
					    RV_RIGHT_READ | RV_RIGHT_MAP | RV_RIGHT_TRANSFER);
	rv_handle_close((rv_handle_t)shm); /* (the mapping keeps the region) */
	if (dup < 0) {
		if (map >= 0)
			rv_shm_unmap((void *)map);
		return (int)dup;
	}
	c->window = (uint8_t *)map;
	c->window_size = size;
	windows++;
	wire_put_handle(w, (rv_handle_t)dup);
	wire_put_u32(w, size);
	return w->err;
}

static int op_write(uint32_t ci, struct wire_reader *r, struct wire_writer *w, bool positional)
{
	struct conn *c = &conns[ci];
	struct vfs_fs *fs = fs_of(c);
	uint64_t off = c->off;
	const void *data;
	uint32_t len;
	long n;

	if (positional)
		wire_get_u64(r, &off);
	wire_get_bytes(r, &data, &len);
	/* Two bytes fields: the first pads the data to a word boundary. */
	if (wire_next_type(r) == WIRE_T_BYTES)
		wire_get_bytes(r, &data, &len);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (!(c->rights & FS_RIGHT_WRITE))
		return -RV_EACCES;
	if (c->dir)
		return -RV_EISDIR;
	if (!positional && (c->oflags & FS_O_APPEND)) {
		struct fs_stat st;
		int ret = fs->ops->getattr(fs, c->node.ino, &st);

		if (ret < 0)
			return ret;
		off = st.size;
	}
	n = len ? fs->ops->write(fs, c->node.ino, off, data, len) : 0;
	if (n < 0)
		return (int)n;
	if (!positional)
		c->off = off + (uint64_t)n;
	wire_put_u32(w, (uint32_t)n);
	return w->err;
}

static int op_seek(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	int64_t off;
	uint32_t whence;
	uint64_t base;

	wire_get_i64(r, &off);
	wire_get_u32(r, &whence);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (c->dir)
		return -RV_EISDIR;
	switch (whence) {
	case FS_SEEK_SET:
		base = 0;
		break;
	case FS_SEEK_CUR:
		base = c->off;
		break;
	case FS_SEEK_END: {
		struct fs_stat st;
		int ret = fs_of(c)->ops->getattr(fs_of(c), c->node.ino, &st);

		if (ret < 0)
			return ret;
		base = st.size;
		break;
	}
	default:
		return -RV_EINVAL;
	}
	/* The new offset must be 0..INT64_MAX. */
	if (off < 0 ? (uint64_t)-(off + 1) + 1 > base : base + (uint64_t)off > (uint64_t)INT64_MAX)
		return -RV_EINVAL;
	c->off = base + (uint64_t)off;
	wire_put_u64(w, c->off);
	return w->err;
}

static int op_truncate(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	uint64_t size;

	wire_get_u64(r, &size);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (!(c->rights & FS_RIGHT_WRITE))
		return -RV_EACCES;
	if (c->dir)
		return -RV_EISDIR;
	if (size > (uint64_t)INT64_MAX)
		return -RV_EINVAL;
	return fs_of(c)->ops->truncate(fs_of(c), c->node.ino, size);
}

static int op_sync(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	uint32_t flags;

	wire_get_u32(r, &flags);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (flags & ~FS_SYNC_DATA_ONLY)
		return -RV_EINVAL;
	if (fs_of(c)->read_only)
		return 0;
	return fs_of(c)->ops->sync(fs_of(c), c->node.ino, flags & FS_SYNC_DATA_ONLY);
}

struct emit_ctx {
	uint8_t *p;
	uint32_t len, cap;
	vfs_ino_t self;
};

static int emit(void *ctx, vfs_ino_t ino, unsigned int type, const char *name, size_t len)
{
	struct emit_ctx *e = ctx;
	uint32_t size = 10 + (uint32_t)len;

	if (size > e->cap - e->len)
		return 1;
	/* ".." of the directory a connection names leads back to it. */
	if (len == 2 && name[0] == '.' && name[1] == '.')
		ino = e->self;
	for (int i = 0; i < 8; i++)
		e->p[e->len + i] = (uint8_t)(ino >> (8 * i));
	e->p[e->len + 8] = (uint8_t)type;
	e->p[e->len + 9] = (uint8_t)len;
	memcpy(e->p + e->len + 10, name, len);
	e->len += size;
	return 0;
}

static int op_readdir(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	struct vfs_fs *fs = fs_of(c);
	struct emit_ctx e;
	uint32_t max;
	uint64_t before;
	int ret;

	wire_get_u32(r, &max);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (!c->dir)
		return -RV_ENOTDIR;
	if (!(c->rights & FS_RIGHT_READ))
		return -RV_EACCES;
	e.p = w->bytes + DATA_AT;
	e.len = 0;
	e.cap = w->cap - DATA_AT < max ? w->cap - DATA_AT : max;
	e.self = c->node.ino;
	before = c->off;
	ret = fs->ops->readdir(fs, c->node.ino, &c->off, emit, &e);
	if (ret < 0)
		return ret;
	if (e.len == 0 && c->off == before) {
		/* Either the end, or the next entry does not fit in max. */
		uint8_t one[10 + FS_NAME_MAX];
		struct emit_ctx probe = {.p = one, .cap = sizeof(one), .self = e.self};
		uint64_t cookie = c->off;

		ret = fs->ops->readdir(fs, c->node.ino, &cookie, emit, &probe);
		if (ret < 0)
			return ret;
		if (probe.len)
			return -RV_EINVAL;
	}
	w->bytes[WIRE_HEADER_SIZE] = WIRE_T_BYTES;
	for (int i = 0; i < 4; i++)
		w->bytes[WIRE_HEADER_SIZE + 1 + i] = (uint8_t)(e.len >> (8 * i));
	w->len = DATA_AT + e.len;
	return 0;
}

static int op_rewind(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (!conns[ci].dir)
		return -RV_ENOTDIR;
	conns[ci].off = 0;
	return 0;
}

static int op_mkdir(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	const char *path;
	uint32_t len, mode;
	struct vfs_walk wk;
	struct vfs_fs *fs;
	vfs_ino_t ino;
	int ret;

	get_path(r, &path, &len);
	wire_get_u32(r, &mode);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if ((ret = need_write_dir(c)) < 0 || (ret = path_ok(len)) < 0)
		return ret;
	ret = vfs_walk(c->node, path, len, 0, &wk);
	if (ret < 0)
		return ret;
	if (wk.exists)
		return -RV_EEXIST;
	if ((ret = writable(wk.dir)) < 0)
		return ret;
	fs = vfs_fs_of(wk.dir);
	return fs->ops->create(fs, wk.dir.ino, wk.name, wk.len, FS_S_IFDIR | (mode & 07777), &ino);
}

static int op_unlink(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	const char *path;
	uint32_t len, flags;
	struct vfs_walk wk;
	struct vfs_fs *fs;
	int ret;

	get_path(r, &path, &len);
	wire_get_u32(r, &flags);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if ((ret = need_write_dir(c)) < 0 || (ret = path_ok(len)) < 0)
		return ret;
	if (flags & ~FS_AT_REMOVEDIR)
		return -RV_EINVAL;
	ret = vfs_walk(c->node, path, len, 0, &wk);
	if (ret < 0)
		return ret;
	if (!wk.exists)
		return -RV_ENOENT;
	if (wk.len == 0)
		return -RV_EBUSY; /* the directory itself, or ".": in use by this path */
	if (wk.mountpoint)
		return -RV_EBUSY;
	if ((ret = writable(wk.dir)) < 0)
		return ret;
	fs = vfs_fs_of(wk.dir);
	ret = fs->ops->unlink(fs, wk.dir.ino, wk.name, wk.len, flags & FS_AT_REMOVEDIR);
	vfs_forget_names(); /* after: the walk itself remembered the name */
	return ret;
}

static int op_rename(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	const char *from, *to;
	uint32_t flen, tlen;
	struct vfs_walk wf, wt;
	char fname[FS_NAME_MAX];
	size_t fname_len;
	struct vfs_fs *fs;
	int ret;

	get_path(r, &from, &flen);
	get_path(r, &to, &tlen);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if ((ret = need_write_dir(c)) < 0 || (ret = path_ok(flen)) < 0 ||
	    (ret = path_ok(tlen)) < 0)
		return ret;
	ret = vfs_walk(c->node, from, flen, 0, &wf);
	if (ret < 0)
		return ret;
	if (!wf.exists)
		return -RV_ENOENT;
	if (wf.len == 0 || wf.mountpoint)
		return -RV_EBUSY;
	memcpy(fname, wf.name, wf.len); /* the next walk reuses the buffer */
	fname_len = wf.len;
	ret = vfs_walk(c->node, to, tlen, 0, &wt);
	if (ret < 0)
		return ret;
	if (wt.len == 0 || (wt.exists && wt.mountpoint))
		return -RV_EBUSY;
	if (wf.dir.mnt != wt.dir.mnt)
		return -RV_EXDEV;
	if (!wt.exists && wt.slash && !is_dir_mode(wf.st.mode))
		return -RV_ENOTDIR;
	if ((ret = writable(wf.dir)) < 0)
		return ret;
	fs = vfs_fs_of(wf.dir);
	ret = fs->ops->rename(fs, wf.dir.ino, fname, fname_len, wt.dir.ino, wt.name, wt.len);
	vfs_forget_names(); /* after: the walks themselves remembered the names */
	return ret;
}

static int op_link(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	const char *from, *to;
	uint32_t flen, tlen;
	struct vfs_walk wf, wt;
	struct vfs_fs *fs;
	int ret;

	get_path(r, &from, &flen);
	get_path(r, &to, &tlen);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if ((ret = need_write_dir(c)) < 0 || (ret = path_ok(flen)) < 0 ||
	    (ret = path_ok(tlen)) < 0)
		return ret;
	ret = vfs_walk(c->node, from, flen, 0, &wf);
	if (ret < 0)
		return ret;
	if (!wf.exists)
		return -RV_ENOENT;
	if (is_dir_mode(wf.st.mode))
		return -RV_EPERM;
	ret = vfs_walk(c->node, to, tlen, 0, &wt);
	if (ret < 0)
		return ret;
	if (wt.exists)
		return -RV_EEXIST;
	if (wf.node.mnt != wt.dir.mnt)
		return -RV_EXDEV;
	if ((ret = writable(wt.dir)) < 0)
		return ret;
	fs = vfs_fs_of(wt.dir);
	return fs->ops->link(fs, wt.dir.ino, wt.name, wt.len, wf.node.ino);
}

static int op_symlink(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	const char *target, *path;
	uint32_t tlen, len;
	struct vfs_walk wk;
	struct vfs_fs *fs;
	vfs_ino_t ino;
	int ret;

	get_path(r, &target, &tlen);
	get_path(r, &path, &len);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if ((ret = need_write_dir(c)) < 0 || (ret = path_ok(tlen)) < 0 ||
	    (ret = path_ok(len)) < 0)
		return ret;
	ret = vfs_walk(c->node, path, len, 0, &wk);
	if (ret < 0)
		return ret;
	if (wk.exists)
		return -RV_EEXIST;
	if ((ret = writable(wk.dir)) < 0)
		return ret;
	fs = vfs_fs_of(wk.dir);
	return fs->ops->symlink(fs, wk.dir.ino, wk.name, wk.len, target, tlen, &ino);
}

static int op_readlink(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	static char target[FS_PATH_MAX];
	struct conn *c = &conns[ci];
	const char *path;
	uint32_t len;
	struct vfs_walk wk;
	struct vfs_fs *fs;
	long n;
	int ret;

	get_path(r, &path, &len);
	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if ((ret = need_dir(c)) < 0 || (ret = path_ok(len)) < 0)
		return ret;
	ret = vfs_walk(c->node, path, len, 0, &wk);
	if (ret < 0)
		return ret;
	if (!wk.exists)
		return -RV_ENOENT;
	if ((wk.st.mode & FS_S_IFMT) != FS_S_IFLNK)
		return -RV_EINVAL;
	fs = vfs_fs_of(wk.node);
	n = fs->ops->readlink(fs, wk.node.ino, target, sizeof(target));
	if (n < 0)
		return (int)n;
	if (n > FS_PATH_MAX)
		return -RV_ENAMETOOLONG;
	if (memchr(target, '\0', (size_t)n))
		return -RV_EUCLEAN;
	wire_put_strn(w, target, (uint32_t)n);
	return w->err;
}

static int op_statfs(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	struct fs_statfs st;
	int ret;

	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	ret = fs_of(c)->ops->statfs(fs_of(c), &st);
	if (ret < 0)
		return ret;
	if (fs_of(c)->read_only)
		st.flags |= FS_STATFS_READ_ONLY;
	wire_put_u32(w, st.block_size);
	wire_put_u64(w, st.blocks);
	wire_put_u64(w, st.blocks_free);
	wire_put_u64(w, st.inodes);
	wire_put_u64(w, st.inodes_free);
	wire_put_u32(w, st.flags);
	wire_put_strn(w, st.type, (uint32_t)strnlen(st.type, sizeof(st.type)));
	/* The server's connection table (an addition: clients may ignore it). */
	wire_put_u32(w, nconns);
	wire_put_u32(w, max_conns);
	return w->err;
}

static int op_image(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];
	struct vfs_fs *fs = fs_of(c);
	struct fs_stat st;
	uint64_t done = 0;
	long shm, map, dup;
	int ret;

	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (!(c->rights & FS_RIGHT_READ))
		return -RV_EACCES;
	if (c->dir)
		return -RV_EISDIR;
	PROF(t0);
	ret = fs->ops->getattr(fs, c->node.ino, &st);
	if (ret < 0)
		return ret;
	if (st.size > (uint64_t)CONFIG_FS_IMAGE_MAX_BYTES)
		return -RV_EFBIG;
	shm = rv_shm_create(st.size ? (st.size + 4095) & ~4095ull : 4096);
	if (shm < 0)
		return (int)shm;
	map = rv_shm_map((rv_handle_t)shm, 1);
	if (map < 0) {
		rv_handle_close((rv_handle_t)shm);
		return (int)map;
	}
	PROF(t1);
	while (done < st.size) {
		long n = fs->ops->read(fs, c->node.ino, done, (uint8_t *)map + done,
				       (size_t)(st.size - done));

		if (n <= 0) {
			/* Shorter than its size said: the rest stays zero. */
			if (n < 0) {
				rv_shm_unmap((void *)map);
				rv_handle_close((rv_handle_t)shm);
				return (int)n;
			}
			break;
		}
		done += (uint64_t)n;
	}
	PROF(t2);
	rv_shm_unmap((void *)map);
	/* The client may read and map it, and pass it on (to the loader),
	 * never write it. */
	dup = rv_handle_duplicate((rv_handle_t)shm,
				  RV_RIGHT_READ | RV_RIGHT_MAP | RV_RIGHT_TRANSFER);
	rv_handle_close((rv_handle_t)shm);
	if (dup < 0)
		return (int)dup;
	{
		PROF(t3);
#ifdef CONFIG_FS_PROFILE
		printf("fsprof image %lu bytes: create+map %lu read %lu unmap+dup %lu\n",
		       (unsigned long)st.size, (unsigned long)(t1 - t0), (unsigned long)(t2 - t1),
		       (unsigned long)(t3 - t2));
#else
		(void)t0, (void)t1, (void)t2, (void)t3;
#endif
	}
	wire_put_handle(w, (rv_handle_t)dup);
	wire_put_u64(w, st.size);
	return w->err;
}

/* Only a connection to a mount's root with WRITE: dropping the caches
 * costs every client of that file system its cached reads. */
static int op_drop_caches(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	struct conn *c = &conns[ci];

	if (wire_end(r) < 0)
		return -RV_EBADMSG;
	if (!c->dir || !(c->rights & FS_RIGHT_WRITE) ||
	    c->node.ino != vfs_mounts[c->node.mnt].root)
		return -RV_EPERM;
	return vfs_drop_caches(c->node.mnt);
}

static int handle(uint32_t ci, struct wire_reader *r, struct wire_writer *w)
{
	switch (r->op) {
	case FS_OP_OPEN: return op_open(ci, r, w);
	case FS_OP_CLONE: return op_clone(ci, r, w);
	case FS_OP_STAT: return op_stat(ci, r, w);
	case FS_OP_STATAT: return op_statat(ci, r, w);
	case FS_OP_READ: return op_read(ci, r, w, false, false);
	case FS_OP_PREAD: return op_read(ci, r, w, true, false);
	case FS_OP_WRITE: return op_write(ci, r, w, false);
	case FS_OP_PWRITE: return op_write(ci, r, w, true);
	case FS_OP_SEEK: return op_seek(ci, r, w);
	case FS_OP_TRUNCATE: return op_truncate(ci, r, w);
	case FS_OP_SYNC: return op_sync(ci, r, w);
	case FS_OP_READDIR: return op_readdir(ci, r, w);
	case FS_OP_REWIND: return op_rewind(ci, r, w);
	case FS_OP_MKDIR: return op_mkdir(ci, r, w);
	case FS_OP_UNLINK: return op_unlink(ci, r, w);
	case FS_OP_RENAME: return op_rename(ci, r, w);
	case FS_OP_LINK: return op_link(ci, r, w);
	case FS_OP_SYMLINK: return op_symlink(ci, r, w);
	case FS_OP_READLINK: return op_readlink(ci, r, w);
	case FS_OP_STATFS: return op_statfs(ci, r, w);
	case FS_OP_IMAGE: return op_image(ci, r, w);
	case FS_OP_SYNCFS:
		if (wire_end(r) < 0)
			return -RV_EBADMSG;
		return vfs_sync_all();
	case FS_OP_DROP_CACHES: return op_drop_caches(ci, r, w);
	case FS_OP_WINDOW: return op_window(ci, r, w);
	case FS_OP_WREAD: return op_read(ci, r, w, false, true);
	case FS_OP_WPREAD: return op_read(ci, r, w, true, true);
	default:
		return -RV_ENOSYS;
	}
}

static void close_all(const rv_handle_t *hs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		rv_handle_close(hs[i]);
}

/* A request (msg: as port_wait received it) on connection ci: handle it,
 * leaving the reply in *reply (its op in *op) for the next wait to send. */
static void serve_msg(uint32_t ci, struct rv_msg *msg0, struct rv_msg *reply, uint32_t *op,
		      uint64_t t0)
{
	struct rv_msg msg = *msg0;
	struct wire_writer w;
	struct wire_reader r;
	long ret;

	PROF(t1);
	r.op = 0;
	if (wire_read_request(&r, &msg) < 0) {
		ret = -RV_EBADMSG;
	} else {
		wire_init_reply(&w, out, sizeof(out), out_handles, 2, r.op, 0);
		ret = handle(ci, &r, &w);
		if (ret > 0)
			ret = -RV_EINVAL;
		if (ret == 0)
			ret = wire_finish(&w, reply);
		if (ret < 0)
			close_all(w.handles, w.num_handles);
	}
	if (ret < 0) {
		/* A request carries no handles: any it brought are closed. */
		close_all(msg.handles, msg.num_handles);
		if (ret < -4095)
			ret = -RV_EINVAL;
		wire_status_reply(reply, out, sizeof(out), r.op, (int)ret);
	}
	*op = r.op;
	{
		/* (the reply goes out with the next wait: not counted) */
		PROF(t2);
		prof_add(r.op, t0, t1, t2, t2);
	}
}

/* The reply to connection ci could not go (err). Never wait for a client
 * that does not read its replies: a reply its full queue cannot take waits
 * here, and the connection is not read again until it went (a client may
 * send requests back to back); without memory for that, and for every
 * other failure, as rv_server_reply_failed. 0, or < 0: drop the
 * connection. */
static int reply_failed(uint32_t ci, struct rv_msg *reply, uint32_t op, long err)
{
	if (err == -RV_EAGAIN) {
		struct pending *p = malloc(sizeof(*p) + reply->num_bytes);

		if (p) {
			p->num_bytes = reply->num_bytes;
			p->num_handles = reply->num_handles;
			memcpy(p->handles, reply->handles, reply->num_handles * sizeof(rv_handle_t));
			rv_copy(p->bytes, reply->bytes, reply->num_bytes);
			conns[ci].pending = p;
			bind_conn(ci);
			return 0;
		}
	}
	return rv_server_reply_failed(conns[ci].h, reply, out, sizeof(out), op, err);
}

/* The client's queue has room: the reply that waited. 0, or < 0: drop the
 * connection. */
static int send_pending(uint32_t ci)
{
	struct pending *p = conns[ci].pending;
	struct rv_msg m = {.bytes = p->bytes, .num_bytes = p->num_bytes,
			   .num_handles = p->num_handles, .handles = p->handles};
	long ret = rv_channel_write(conns[ci].h, &m, RV_IPC_NONBLOCK, 0);

	if (ret == -RV_EAGAIN)
		return 0;
	if (ret < 0)
		return (int)ret; /* del_conn closes its handles */
	free(p);
	conns[ci].pending = NULL;
	bind_conn(ci);
	return 0;
}

/* SVC_OP_NEW_CLIENT from init: a root connection with every right. */
static int accept_client(struct rv_msg *msg0)
{
	struct rv_msg msg = *msg0;
	struct wire_reader r;
	rv_handle_t end;

	if (wire_read_request(&r, &msg) < 0 || r.op != SVC_OP_NEW_CLIENT) {
		close_all(msg.handles, msg.num_handles);
		return 0;
	}
	wire_get_handle(&r, &end);
	if (wire_end(&r) < 0 || rv_service_check_channel(end) < 0 ||
	    add_conn(end, vfs_root(), FS_RIGHTS_ALL, 0, true) < 0) {
		/* Full: the client sees -EPEERCLOSED on its first call. */
		close_all(msg.handles, msg.num_handles);
		printf("fs: a new client refused (%u connections)\n", (unsigned int)nconns);
	}
	return 0;
}

static int serve(rv_handle_t requests)
{
	uint64_t next_sync = have_disk && CONFIG_FS_WRITEBACK_MS
				     ? rv_clock_ns() + CONFIG_FS_WRITEBACK_MS * 1000000ull
				     : RV_DEADLINE_NEVER;
	struct rv_port_event ev;
	struct rv_msg reply;
	uint32_t reply_to = 0, reply_op = 0;
	rv_handle_t reply_h = RV_HANDLE_INVALID;
	bool replying = false;
	long ret;

	ret = rv_port_bind(port, requests, RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED, KEY_REQUESTS);
	if (ret < 0)
		return (int)ret;
	for (;;) {
		struct rv_msg msg = {.bytes = in, .num_bytes = sizeof(in),
				     .num_handles = CONFIG_MSG_MAX_HANDLES, .handles = in_handles};

		/* The reply to the last request goes out with the wait for the
		 * next one: one trap while its client waits in its call. */
		if (replying) {
			replying = false;
			ret = rv_port_reply_wait(port, &ev, &msg, next_sync, reply_h, &reply);
			if (ret < 0 && ret != -RV_ETIMEDOUT) {
				/* the reply's error (the wait's own arguments
				 * failing would fail the plain wait below too) */
				if (reply_failed(reply_to, &reply, reply_op, ret) < 0)
					del_conn(reply_to);
				continue;
			}
		} else {
			ret = rv_port_wait(port, &ev, &msg, next_sync);
		}
		PROF(t0); /* (the request came in with the wait) */
		if (ret == -RV_ETIMEDOUT || (next_sync != RV_DEADLINE_NEVER &&
					     rv_clock_ns() >= next_sync)) {
			int err = vfs_sync_all();

			if (err < 0)
				printf("fs: write-back failed: %s\n", rv_strerror(err));
			next_sync = rv_clock_ns() + CONFIG_FS_WRITEBACK_MS * 1000000ull;
			if (ret == -RV_ETIMEDOUT)
				continue;
		}
		if (ret < 0)
			return (int)ret;
		if (ev.key == KEY_REQUESTS) {
			if (ev.status == 0)
				accept_client(&msg);
			else if (ev.observed & RV_SIGNAL_PEER_CLOSED)
				return -RV_EPEERCLOSED;
			continue;
		}
		if (ev.key >= nconns)
			continue; /* (cannot happen: keys follow the table) */
		if (ev.status == 0 && !(ev.observed & RV_SIGNAL_PEER_CLOSED)) {
			reply_to = (uint32_t)ev.key;
			reply_h = conns[reply_to].h;
			serve_msg(reply_to, &msg, &reply, &reply_op, t0);
			replying = true;
			continue;
		}
		if (ev.status == 0)
			close_all(msg.handles, msg.num_handles); /* nobody to answer */
		if (ev.observed & RV_SIGNAL_PEER_CLOSED) {
			del_conn((uint32_t)ev.key);
		} else if (ev.observed & RV_SIGNAL_WRITABLE) {
			if (send_pending((uint32_t)ev.key) < 0)
				del_conn((uint32_t)ev.key);
		} else if (ev.status < 0) {
			/* a request we cannot take (handles: -EMFILE) */
			del_conn((uint32_t)ev.key);
		}
	}
}

int main(int argc, char **argv)
{
	rv_handle_t requests;
	uint32_t disks = 0;
	int ret;

	ret = vfs_init();
	if (ret < 0) {
		printf("fs: no root file system: %s\n", rv_strerror(ret));
		return 1;
	}
	for (uint32_t m = 0; m < vfs_num_mounts; m++)
		if (vfs_mounts[m].fs && vfs_mounts[m].service[0])
			disks++;
	have_disk = disks > 0;
	max_conns = MAX_CONNS;
	if (CONFIG_MAX_HANDLES < HANDLE_RESERVE + 2 * disks + 1)
		max_conns = 1;
	else if (max_conns > CONFIG_MAX_HANDLES - HANDLE_RESERVE - 2 * disks)
		max_conns = CONFIG_MAX_HANDLES - HANDLE_RESERVE - 2 * disks;
	/* Restricted: only init (and children whose manifest entry says
	 * uses=fs) may connect; everyone else gets narrowed connections. */
	ret = (int)rv_port_create();
	if (ret < 0) {
		printf("fs: no port: %s\n", rv_strerror(ret));
		return 1;
	}
	port = (rv_handle_t)ret;
	ret = rv_service_register_flags(FS_SERVICE_NAME, SVC_REG_RESTRICTED, &requests);
	if (ret < 0) {
		printf("fs: cannot register: %s\n", rv_strerror(ret));
		return 1;
	}
	ret = serve(requests);
	printf("fs: server loop ended: %s\n", rv_strerror(ret));
	ret = vfs_sync_all();
	vfs_unmount_all();
	return ret < 0 ? 1 : 0;
}
