/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client calls of the file protocol (rvos/fs.h, rvos/fssvc.h): one request
 * and its reply per call, on the node connection given.
 */
#include <stdbool.h>
#include <string.h>
#include <rvos/copy.h>
#include <rvos/fs.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>

/* The reply buffers of one call. */
struct call {
	uint32_t op;
	uint8_t req[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
	uint8_t rep[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
	rv_handle_t hs[1];
	rv_handle_t rhs[CONFIG_MSG_MAX_HANDLES + 1];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
};

/* Two messages' buffers: on the stack when they are small, else one
 * static set (then the calls are not reentrant: a process makes one at a
 * time, and a signal handler must not call them). */
#if CONFIG_MSG_MAX_BYTES <= 8192
#define CALL_DECL                                                                                 \
	struct call call_store;                                                                   \
	struct call *c = &call_store
#else
static struct call call_store;
#define CALL_DECL struct call *c = &call_store
#endif

static void close_reply(struct call *c)
{
	for (uint32_t i = 0; i < c->reply.num_handles; i++)
		rv_handle_close(c->rhs[i]);
}

static void start(struct call *c, uint32_t op)
{
	c->op = op;
	wire_init_request(&c->w, c->req, sizeof(c->req), c->hs, 1, op);
}

/* Send and take the reply's status (its fields follow in c->r). */
static int call(rv_handle_t node, struct call *c)
{
	return rv_service_call(node, &c->w, &c->r, c->op, c->rep, c->rhs, &c->reply);
}

/* The end of a reply: every field read, or -EBADMSG (its handles closed). */
static int finish(struct call *c)
{
	if (wire_end(&c->r) < 0) {
		close_reply(c);
		return -RV_EBADMSG;
	}
	return 0;
}

/* A request whose reply is a count (u32) of at most len: it, or < 0. */
static long count_reply(rv_handle_t node, struct call *c, size_t len)
{
	uint32_t n;
	int ret = call(node, c);

	if (ret < 0)
		return ret;
	wire_get_u32(&c->r, &n);
	if ((ret = finish(c)) < 0)
		return ret;
	return n > len ? -RV_EBADMSG : (long)n;
}

/* A request whose reply has no fields. */
static int status_only(rv_handle_t node, struct call *c)
{
	int ret = call(node, c);

	return ret < 0 ? ret : finish(c);
}

static int put_path(struct call *c, const char *path)
{
	if (!path)
		return -RV_EINVAL;
	wire_put_str(&c->w, path);
	return 0;
}

/* A stat record's fields: u32 or u64 (the wire codec's tags). */
#define STAT_SIZE (5 * WIRE_U32_SIZE + 6 * WIRE_U64_SIZE)

static bool get_field(const uint8_t **pp, uint64_t *v, bool wide)
{
	const uint8_t *p = *pp;
	unsigned int n = wide ? 8 : 4;
	uint64_t x = 0;

	if (*p++ != (wide ? WIRE_T_U64 : WIRE_T_U32))
		return false;
	for (unsigned int i = 0; i < n; i++)
		x |= (uint64_t)p[i] << (8 * i);
	*v = x;
	*pp = p + n;
	return true;
}

static int get_stat(struct wire_reader *r, struct fs_stat *st)
{
	struct fs_stat s;

	/* By hand when the fields are there as expected (a third of the
	 * instructions of wire_get_*; anything else takes their way, with
	 * their errors). */
	if (r->err == 0 && r->len - r->pos >= STAT_SIZE) {
		const uint8_t *p = r->bytes + r->pos;
		uint64_t v[11];
		bool ok = true;

		for (int i = 0; i < 11 && ok; i++)
			ok = get_field(&p, &v[i], i >= 2 && i < 8);
		if (ok) {
			r->pos += STAT_SIZE;
			if (st) {
				st->mode = (uint32_t)v[0];
				st->nlink = (uint32_t)v[1];
				st->ino = v[2];
				st->size = v[3];
				st->blocks = v[4];
				st->atime_ns = v[5];
				st->mtime_ns = v[6];
				st->ctime_ns = v[7];
				st->uid = (uint32_t)v[8];
				st->gid = (uint32_t)v[9];
				st->dev = (uint32_t)v[10];
			}
			return 0;
		}
	}
	wire_get_u32(r, &s.mode);
	wire_get_u32(r, &s.nlink);
	wire_get_u64(r, &s.ino);
	wire_get_u64(r, &s.size);
	wire_get_u64(r, &s.blocks);
	wire_get_u64(r, &s.atime_ns);
	wire_get_u64(r, &s.mtime_ns);
	wire_get_u64(r, &s.ctime_ns);
	wire_get_u32(r, &s.uid);
	wire_get_u32(r, &s.gid);
	wire_get_u32(r, &s.dev);
	if (r->err)
		return r->err;
	if (st)
		*st = s;
	return 0;
}

int fs_open(rv_handle_t dir, const char *path, uint32_t flags, uint32_t mode, rv_handle_t *out,
	    uint32_t *out_mode)
{
	CALL_DECL;
	rv_handle_t h;
	uint32_t m;
	int ret;

	start(c, FS_OP_OPEN);
	if (put_path(c, path) < 0)
		return -RV_EINVAL;
	wire_put_u32(&c->w, flags);
	wire_put_u32(&c->w, mode);
	ret = call(dir, c);
	if (ret < 0)
		return ret;
	wire_get_handle(&c->r, &h);
	wire_get_u32(&c->r, &m);
	if ((ret = finish(c)) < 0)
		return ret;
	if (out)
		*out = h;
	else
		rv_handle_close(h);
	if (out_mode)
		*out_mode = m;
	return 0;
}

int fs_clone(rv_handle_t node, uint32_t rights, rv_handle_t *out)
{
	CALL_DECL;
	rv_handle_t h;
	int ret;

	start(c, FS_OP_CLONE);
	wire_put_u32(&c->w, rights);
	ret = call(node, c);
	if (ret < 0)
		return ret;
	wire_get_handle(&c->r, &h);
	if ((ret = finish(c)) < 0)
		return ret;
	if (out)
		*out = h;
	else
		rv_handle_close(h);
	return 0;
}

int fs_stat(rv_handle_t node, struct fs_stat *st)
{
	CALL_DECL;
	int ret;

	start(c, FS_OP_STAT);
	ret = call(node, c);
	if (ret < 0)
		return ret;
	get_stat(&c->r, st);
	return finish(c);
}

int fs_statat(rv_handle_t dir, const char *path, uint32_t flags, struct fs_stat *st)
{
	CALL_DECL;
	int ret;

	start(c, FS_OP_STATAT);
	if (put_path(c, path) < 0)
		return -RV_EINVAL;
	wire_put_u32(&c->w, flags);
	ret = call(dir, c);
	if (ret < 0)
		return ret;
	get_stat(&c->r, st);
	return finish(c);
}

/*
 * Read windows (FS_OP_WINDOW): a read of at least CONFIG_FS_WINDOW_MIN_BYTES
 * asks the server for a window on its file, once; the server then reads the
 * data into the window and the reply only says how much, so the data moves
 * twice (file system -> window -> buf) instead of three times (-> reply ->
 * kernel -> buf). A program keeps CONFIG_FS_CLIENT_WINDOWS of them, the
 * least recently used going first; a file the server refused one (it keeps
 * CONFIG_FS_MAX_WINDOWS) is remembered and read through messages.
 */
#if CONFIG_FS_CLIENT_WINDOWS > 0
struct window {
	rv_handle_t file;   /* RV_HANDLE_INVALID: a free slot */
	rv_handle_t shm;    /* the region (while mapped) */
	const uint8_t *map; /* NULL: refused, the file is read by messages */
	uint32_t size;
	uint32_t used;      /* for least recently used */
};

static struct window windows[CONFIG_FS_CLIENT_WINDOWS];
static uint32_t window_clock;

static struct window *window_find(rv_handle_t file)
{
	for (unsigned int i = 0; i < CONFIG_FS_CLIENT_WINDOWS; i++) {
		if (windows[i].file == file)
			return &windows[i]; /* mapped, or refused (map NULL) */
	}
	return NULL;
}

/* Forget slot wi (its mapping and region handle; the server's side goes
 * when told (tell) or when the file is closed). */
static void window_free(struct window *wi, bool tell)
{
	if (wi->map) {
		rv_shm_unmap((void *)wi->map);
		rv_handle_close(wi->shm);
		if (tell) {
			CALL_DECL;

			start(c, FS_OP_WINDOW);
			wire_put_u32(&c->w, 0);
			status_only(wi->file, c);
		}
	}
	*wi = (struct window){.file = RV_HANDLE_INVALID, .shm = RV_HANDLE_INVALID};
}

/* The window of file: known, or asked for now (a slot freed for it);
 * NULL when it reads by messages. */
static struct window *window_get(rv_handle_t file)
{
	struct window *wi = window_find(file), *lru = &windows[0];
	rv_handle_t shm;
	uint32_t size;
	long map;
	int ret;

	if (wi) {
		wi->used = ++window_clock;
		return wi->map ? wi : NULL;
	}
	for (unsigned int i = 0; i < CONFIG_FS_CLIENT_WINDOWS; i++) {
		if (windows[i].file == RV_HANDLE_INVALID) {
			lru = &windows[i];
			break;
		}
		if (windows[i].used < lru->used)
			lru = &windows[i];
	}
	if (lru->file != RV_HANDLE_INVALID)
		window_free(lru, true);
	wi = lru;
	wi->file = file;
	wi->used = ++window_clock;
	{
		CALL_DECL;

		start(c, FS_OP_WINDOW);
		wire_put_u32(&c->w, CONFIG_FS_WINDOW_BYTES);
		ret = call(file, c);
		if (ret < 0)
			return NULL; /* refused: remembered (map NULL) */
		wire_get_handle(&c->r, &shm);
		wire_get_u32(&c->r, &size);
		if (finish(c) < 0)
			return NULL;
	}
	map = size ? rv_shm_map(shm, 0) : -RV_EINVAL;
	if (map < 0) {
		rv_handle_close(shm);
		return NULL;
	}
	wi->shm = shm;
	wi->map = (const uint8_t *)map;
	wi->size = size;
	return wi;
}

/* READ or PREAD through file's window: the count, or -RV_ENOENT when
 * the server has no window for the connection (then it reads by
 * messages). */
static long window_read(struct window *wi, bool positional, uint64_t off, void *buf, size_t len)
{
	CALL_DECL;
	long n;

	if (len > wi->size)
		len = wi->size;
	start(c, positional ? FS_OP_WPREAD : FS_OP_WREAD);
	if (positional)
		wire_put_u64(&c->w, off);
	wire_put_u32(&c->w, (uint32_t)len);
	n = count_reply(wi->file, c, len);
	if (n > 0)
		rv_copy(buf, wi->map, (size_t)n);
	return n;
}

static void windows_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	for (unsigned int i = 0; i < CONFIG_FS_CLIENT_WINDOWS; i++)
		window_free(&windows[i], false);
}
#endif

int fs_close(rv_handle_t node)
{
#if CONFIG_FS_CLIENT_WINDOWS > 0
	struct window *wi;

	windows_init();
	if ((wi = window_find(node)))
		window_free(wi, false); /* (the server's goes with the connection) */
#endif
	return (int)rv_handle_close(node);
}

/* READ and PREAD by message: the data straight from the reply into buf. */
static long read_by_message(rv_handle_t file, bool positional, uint64_t off, void *buf, size_t len)
{
	CALL_DECL;
	const void *data;
	uint32_t n;
	int ret;

	if (len > FS_IO_MAX)
		len = FS_IO_MAX;
	if (len && !buf)
		return -RV_EINVAL;
	start(c, positional ? FS_OP_PREAD : FS_OP_READ);
	if (positional)
		wire_put_u64(&c->w, off);
	wire_put_u32(&c->w, (uint32_t)len);
	ret = call(file, c);
	if (ret < 0)
		return ret;
	wire_get_bytes(&c->r, &data, &n);
	/* Two bytes fields: the first pads the data to a word boundary. */
	if (wire_next_type(&c->r) == WIRE_T_BYTES)
		wire_get_bytes(&c->r, &data, &n);
	if ((ret = finish(c)) < 0)
		return ret;
	if (n > len)
		return -RV_EBADMSG;
	rv_copy(buf, data, n);
	return (long)n;
}

/* READ and PREAD: through the file's window, or by message. */
static long do_read(rv_handle_t file, bool positional, uint64_t off, void *buf, size_t len)
{
#if CONFIG_FS_CLIENT_WINDOWS > 0
	if (len >= CONFIG_FS_WINDOW_MIN_BYTES && buf) {
		struct window *wi;

		windows_init();
		wi = window_get(file);
		if (wi) {
			long got = window_read(wi, positional, off, buf, len);

			if (got != -RV_ENOENT)
				return got;
			window_free(wi, false); /* the server lost it: by messages */
		}
	}
#endif
	return read_by_message(file, positional, off, buf, len);
}

long fs_read(rv_handle_t file, void *buf, size_t len)
{
	return do_read(file, false, 0, buf, len);
}

long fs_pread(rv_handle_t file, uint64_t off, void *buf, size_t len)
{
	return do_read(file, true, off, buf, len);
}

static long do_write(rv_handle_t file, bool positional, uint64_t off, const void *buf, size_t len)
{
	CALL_DECL;
	uint32_t pad;

	if (len > FS_IO_MAX)
		len = FS_IO_MAX;
	if (len && !buf)
		return -RV_EINVAL;
	start(c, positional ? FS_OP_PWRITE : FS_OP_WRITE);
	if (positional)
		wire_put_u64(&c->w, off);
	/* The bytes fields by hand: a first one of pad bytes puts the data
	 * at a word boundary of the (aligned) message, so the copies here
	 * and in the file system go a word at a time, not shifted. */
	pad = (8 - (c->w.len + 2 * WIRE_BYTES_SIZE(0)) % 8) % 8;
	if (c->w.err == 0 &&
	    c->w.cap - c->w.len >= WIRE_BYTES_SIZE(pad) + WIRE_BYTES_SIZE(len)) {
		uint8_t *p = c->w.bytes + c->w.len;

		p[0] = WIRE_T_BYTES;
		p[1] = (uint8_t)pad;
		for (uint32_t i = 2; i < WIRE_BYTES_SIZE(pad); i++)
			p[i] = 0;
		p += WIRE_BYTES_SIZE(pad);
		p[0] = WIRE_T_BYTES;
		for (int i = 0; i < 4; i++)
			p[1 + i] = (uint8_t)(len >> (8 * i));
		rv_copy(p + 5, buf, len);
		c->w.len += WIRE_BYTES_SIZE(pad) + WIRE_BYTES_SIZE(len);
	} else {
		wire_put_bytes(&c->w, buf, (uint32_t)len);
	}
	return count_reply(file, c, len);
}

long fs_write(rv_handle_t file, const void *buf, size_t len)
{
	return do_write(file, false, 0, buf, len);
}

long fs_pwrite(rv_handle_t file, uint64_t off, const void *buf, size_t len)
{
	return do_write(file, true, off, buf, len);
}

long fs_read_full(rv_handle_t file, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		long n = fs_read(file, (uint8_t *)buf + done, len - done);

		if (n < 0)
			return done ? (long)done : n;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (long)done;
}

long fs_write_full(rv_handle_t file, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		long n = fs_write(file, (const uint8_t *)buf + done, len - done);

		if (n < 0)
			return done ? (long)done : n;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (long)done;
}

int fs_seek(rv_handle_t file, int64_t off, uint32_t whence, uint64_t *pos)
{
	CALL_DECL;
	uint64_t p;
	int ret;

	start(c, FS_OP_SEEK);
	wire_put_i64(&c->w, off);
	wire_put_u32(&c->w, whence);
	ret = call(file, c);
	if (ret < 0)
		return ret;
	wire_get_u64(&c->r, &p);
	if ((ret = finish(c)) < 0)
		return ret;
	if (pos)
		*pos = p;
	return 0;
}

int fs_truncate(rv_handle_t file, uint64_t size)
{
	CALL_DECL;

	start(c, FS_OP_TRUNCATE);
	wire_put_u64(&c->w, size);
	return status_only(file, c);
}

int fs_sync(rv_handle_t node, uint32_t flags)
{
	CALL_DECL;

	start(c, FS_OP_SYNC);
	wire_put_u32(&c->w, flags);
	return status_only(node, c);
}

int fs_syncfs(rv_handle_t node)
{
	CALL_DECL;

	start(c, FS_OP_SYNCFS);
	return status_only(node, c);
}

int fs_drop_caches(rv_handle_t dir)
{
	CALL_DECL;

	start(c, FS_OP_DROP_CACHES);
	return status_only(dir, c);
}

long fs_readdir(rv_handle_t dir, void *buf, size_t len)
{
	CALL_DECL;
	const void *data;
	uint32_t n;
	int ret;

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	if (len && !buf)
		return -RV_EINVAL;
	start(c, FS_OP_READDIR);
	wire_put_u32(&c->w, (uint32_t)len);
	ret = call(dir, c);
	if (ret < 0)
		return ret;
	wire_get_bytes(&c->r, &data, &n);
	if ((ret = finish(c)) < 0)
		return ret;
	if (n > len)
		return -RV_EBADMSG;
	memcpy(buf, data, n);
	return (long)n;
}

int fs_rewind(rv_handle_t dir)
{
	CALL_DECL;

	start(c, FS_OP_REWIND);
	return status_only(dir, c);
}

int fs_dirent_next(const void *buf, size_t len, size_t *pos, struct fs_dirent *out)
{
	const uint8_t *p = buf;
	size_t at = *pos, n;

	if (at >= len)
		return 0;
	if (len - at < 10)
		return -RV_EBADMSG;
	n = p[at + 9];
	if (n == 0 || len - at - 10 < n || memchr(p + at + 10, '\0', n) ||
	    memchr(p + at + 10, '/', n))
		return -RV_EBADMSG;
	out->ino = 0;
	for (int i = 0; i < 8; i++)
		out->ino |= (uint64_t)p[at + i] << (8 * i);
	out->type = p[at + 8];
	memcpy(out->name, p + at + 10, n);
	out->name[n] = '\0';
	*pos = at + 10 + n;
	return 1;
}

static int two_paths(rv_handle_t dir, uint32_t op, const char *a, const char *b)
{
	CALL_DECL;

	if (!a || !b)
		return -RV_EINVAL;
	start(c, op);
	wire_put_str(&c->w, a);
	wire_put_str(&c->w, b);
	return status_only(dir, c);
}

int fs_mkdir(rv_handle_t dir, const char *path, uint32_t mode)
{
	CALL_DECL;

	start(c, FS_OP_MKDIR);
	if (put_path(c, path) < 0)
		return -RV_EINVAL;
	wire_put_u32(&c->w, mode);
	return status_only(dir, c);
}

int fs_unlink(rv_handle_t dir, const char *path, uint32_t flags)
{
	CALL_DECL;

	start(c, FS_OP_UNLINK);
	if (put_path(c, path) < 0)
		return -RV_EINVAL;
	wire_put_u32(&c->w, flags);
	return status_only(dir, c);
}

int fs_rename(rv_handle_t dir, const char *from, const char *to)
{
	return two_paths(dir, FS_OP_RENAME, from, to);
}

int fs_link(rv_handle_t dir, const char *existing, const char *new_path)
{
	return two_paths(dir, FS_OP_LINK, existing, new_path);
}

int fs_symlink(rv_handle_t dir, const char *target, const char *path)
{
	return two_paths(dir, FS_OP_SYMLINK, target, path);
}

long fs_readlink(rv_handle_t dir, const char *path, char *buf, size_t size)
{
	CALL_DECL;
	const char *s;
	uint32_t n;
	int ret;

	start(c, FS_OP_READLINK);
	if (put_path(c, path) < 0)
		return -RV_EINVAL;
	ret = call(dir, c);
	if (ret < 0)
		return ret;
	wire_get_str(&c->r, &s, &n, FS_PATH_MAX);
	if ((ret = finish(c)) < 0)
		return ret;
	/* Like readlink(2): at most size bytes, no NUL added. */
	if (buf && size)
		memcpy(buf, s, n < size ? n : size);
	return (long)n;
}

int fs_statfs(rv_handle_t node, struct fs_statfs *out)
{
	CALL_DECL;
	struct fs_statfs s;
	const char *type;
	uint32_t n;
	int ret;

	memset(&s, 0, sizeof(s));
	start(c, FS_OP_STATFS);
	ret = call(node, c);
	if (ret < 0)
		return ret;
	wire_get_u32(&c->r, &s.block_size);
	wire_get_u64(&c->r, &s.blocks);
	wire_get_u64(&c->r, &s.blocks_free);
	wire_get_u64(&c->r, &s.inodes);
	wire_get_u64(&c->r, &s.inodes_free);
	wire_get_u32(&c->r, &s.flags);
	wire_get_str(&c->r, &type, &n, sizeof(s.type) - 1);
	/* Optional: the server's connection table. */
	if (wire_next_type(&c->r) == WIRE_T_U32) {
		wire_get_u32(&c->r, &s.connections);
		wire_get_u32(&c->r, &s.connections_max);
	}
	if ((ret = finish(c)) < 0)
		return ret;
	memcpy(s.type, type, n);
	s.type[n] = '\0';
	if (out)
		*out = s;
	return 0;
}

int fs_image(rv_handle_t file, rv_handle_t *shm, uint64_t *size)
{
	CALL_DECL;
	rv_handle_t h;
	uint64_t sz;
	int ret;

	start(c, FS_OP_IMAGE);
	ret = call(file, c);
	if (ret < 0)
		return ret;
	wire_get_handle(&c->r, &h);
	wire_get_u64(&c->r, &sz);
	if ((ret = finish(c)) < 0)
		return ret;
	if (shm)
		*shm = h;
	else
		rv_handle_close(h);
	if (size)
		*size = sz;
	return 0;
}
