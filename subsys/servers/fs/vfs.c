/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The namespace: the mount table (CONFIG_FS_MOUNTS) and path resolution.
 *
 * A walk keeps the directories it went through on a stack whose bottom is
 * the connection's directory: '..' pops one (and stays at the bottom), so
 * it goes back exactly the way the walk came and can never climb above the
 * directory a connection names, whatever was renamed meanwhile. Entering a
 * directory another file system is mounted on pushes that file system's
 * root; '..' from there pops back to the mount point's parent. An absolute
 * symbolic link starts again at the bottom of the stack.
 */
#include <stdio.h>
#include <string.h>
#include <rvos/copy.h>
#include "vfs_internal.h"

struct vfs_mount vfs_mounts[VFS_MAX_MOUNTS];
uint32_t vfs_num_mounts;

/* Enough for a FS_PATH_MAX path of one-letter names; deeper (through
 * symbolic links) is ENAMETOOLONG. */
#define WALK_DEPTH (FS_PATH_MAX / 2 + 2)

static struct vfs_node stack[WALK_DEPTH];
static char wbuf[FS_PATH_MAX + 1];
static char tbuf[FS_PATH_MAX + 1];

struct vfs_node vfs_root(void)
{
	return (struct vfs_node){.mnt = 0, .ino = vfs_mounts[0].root};
}

int vfs_mounted_here(struct vfs_node n)
{
	/* The last mount on a path wins (one mounted over another). */
	for (uint32_t m = vfs_num_mounts; m-- > 1;)
		if (vfs_mounts[m].fs && vfs_mounts[m].parent == n.mnt &&
		    vfs_mounts[m].covered == n.ino)
			return (int)m;
	return -1;
}

/* The lookup cache: (mount, directory, name) -> inode of names found,
 * direct-mapped by a hash of the three, so a walk through directories it
 * went through before does not search them again. Entries only ever come
 * from a successful lookup; vfs_forget_names drops them all (a new
 * generation) before an entry is removed or replaced. Longer names are
 * not kept. */
#define NAME_CACHE_NAME 32

struct name_entry {
	vfs_ino_t dir, ino;
	uint32_t mnt, gen;
	uint32_t len;
	char name[NAME_CACHE_NAME];
};

#if CONFIG_FS_NAME_CACHE > 0
static struct name_entry names[CONFIG_FS_NAME_CACHE];
#endif
static uint32_t names_gen = 1;

void vfs_forget_names(void)
{
	if (++names_gen == 0)
		names_gen = 1; /* 0 marks an entry vfs_drop_caches forgot */
}

static struct name_entry *name_slot(struct vfs_node dir, const char *name, size_t len)
{
#if CONFIG_FS_NAME_CACHE > 0
	uint32_t h = (uint32_t)dir.ino * 2654435761u ^ dir.mnt;

	if (len > NAME_CACHE_NAME)
		return NULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return &names[h % CONFIG_FS_NAME_CACHE];
#else
	(void)dir;
	(void)name;
	(void)len;
	return NULL;
#endif
}

static int lookup(struct vfs_node dir, const char *name, size_t len, vfs_ino_t *out)
{
	struct name_entry *e = name_slot(dir, name, len);
	struct vfs_fs *fs = vfs_fs_of(dir);
	int ret;

	if (e && e->gen == names_gen && e->dir == dir.ino && e->mnt == dir.mnt && e->len == len) {
		size_t i = 0;

		while (i < len && e->name[i] == name[i])
			i++;
		if (i == len) {
			*out = e->ino;
			return 0;
		}
	}
	ret = fs->ops->lookup(fs, dir.ino, name, len, out);
	if (ret == 0 && e) {
		e->dir = dir.ino;
		e->mnt = dir.mnt;
		e->ino = *out;
		e->len = (uint32_t)len;
		e->gen = names_gen;
		for (size_t i = 0; i < len; i++)
			e->name[i] = name[i];
	}
	return ret;
}

static int getattr(struct vfs_node n, struct fs_stat *st)
{
	struct vfs_fs *fs = vfs_fs_of(n);

	return fs->ops->getattr(fs, n.ino, st);
}

int vfs_walk(struct vfs_node base, const char *path, size_t len, unsigned int flags,
	     struct vfs_walk *out)
{
	unsigned int links = 0;
	size_t depth = 0, pos = 0;
	int ret;

	if (len > FS_PATH_MAX)
		return -RV_ENAMETOOLONG;
	rv_copy(wbuf, path, len);
	stack[0] = base;
	/* (Field by field: picolibc's memset goes byte by byte.) */
	out->name = NULL;
	out->len = 0;
	out->exists = false;
	out->slash = false;
	out->mountpoint = false;
	for (;;) {
		struct vfs_node cur = stack[depth], child;
		size_t s, e, q;
		bool last, slash;
		int m;

		while (pos < len && wbuf[pos] == '/')
			pos++;
		if (pos == len) {
			/* The path names where the walk is (empty, "/", "a/."). */
			out->dir = cur;
			out->node = cur;
			out->exists = true;
			out->slash = true;
			out->mountpoint = false;
			return getattr(cur, &out->st);
		}
		s = pos;
		for (e = s; e < len && wbuf[e] != '/'; e++)
			;
		if (e - s > FS_NAME_MAX)
			return -RV_ENAMETOOLONG;
		for (q = e; q < len && wbuf[q] == '/'; q++)
			;
		last = q == len;
		slash = q > e;
		pos = q;
		if (e - s == 1 && wbuf[s] == '.') {
			if (last)
				pos = len;
			continue;
		}
		if (e - s == 2 && wbuf[s] == '.' && wbuf[s + 1] == '.') {
			if (depth > 0)
				depth--;
			continue;
		}
		ret = lookup(cur, wbuf + s, e - s, &child.ino);
		child.mnt = cur.mnt;
		if (ret == -RV_ENOENT && last) {
			out->dir = cur;
			out->name = wbuf + s;
			out->len = e - s;
			out->slash = slash;
			return 0;
		}
		if (ret < 0)
			return ret;
		out->mountpoint = false;
		while ((m = vfs_mounted_here(child)) >= 0) {
			child.mnt = (uint32_t)m;
			child.ino = vfs_mounts[m].root;
			out->mountpoint = true;
		}
		ret = getattr(child, &out->st);
		if (ret < 0)
			return ret;
		if ((out->st.mode & FS_S_IFMT) == FS_S_IFLNK &&
		    (!last || slash || (flags & VFS_WALK_FOLLOW))) {
			struct vfs_fs *cfs = vfs_fs_of(child);
			long tl;
			size_t rest = len - e;

			if (++links > FS_SYMLOOP_MAX)
				return -RV_ELOOP;
			tl = cfs->ops->readlink(cfs, child.ino, tbuf, sizeof(tbuf));
			if (tl < 0)
				return (int)tl;
			if (tl == 0)
				return -RV_ENOENT;
			if ((size_t)tl + rest > FS_PATH_MAX)
				return -RV_ENAMETOOLONG;
			/* The target, then the rest of the path from its '/'. */
			memmove(wbuf + tl, wbuf + e, rest);
			memcpy(wbuf, tbuf, (size_t)tl);
			len = (size_t)tl + rest;
			pos = 0;
			if (tbuf[0] == '/')
				depth = 0;
			continue;
		}
		if (last) {
			out->dir = cur;
			out->name = wbuf + s;
			out->len = e - s;
			out->exists = true;
			out->node = child;
			out->slash = slash;
			if (slash && (out->st.mode & FS_S_IFMT) != FS_S_IFDIR)
				return -RV_ENOTDIR;
			return 0;
		}
		if ((out->st.mode & FS_S_IFMT) != FS_S_IFDIR)
			return -RV_ENOTDIR;
		if (depth + 1 >= WALK_DEPTH)
			return -RV_ENAMETOOLONG;
		stack[++depth] = child;
	}
}

/* ---- the mount table ---- */

static int parse_mounts(const char *spec)
{
	const char *p = spec;

	while (*p) {
		char tok[VFS_MOUNT_PATH_MAX + 64], *f[4];
		struct vfs_mount *m;
		size_t n = 0, nf = 0;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		while (p[n] && p[n] != ' ')
			n++;
		if (n >= sizeof(tok)) {
			printf("fs: CONFIG_FS_MOUNTS: entry too long: %.*s\n", (int)n, p);
			p += n;
			continue;
		}
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		f[nf++] = tok;
		for (char *c = tok; *c && nf < 4; c++)
			if (*c == ':') {
				*c = '\0';
				f[nf++] = c + 1;
			}
		if (vfs_num_mounts == VFS_MAX_MOUNTS) {
			printf("fs: CONFIG_FS_MOUNTS: more than %d mounts, %s skipped\n",
			       VFS_MAX_MOUNTS, f[0]);
			continue;
		}
		if (nf < 2 || f[0][0] != '/' || strlen(f[0]) >= VFS_MOUNT_PATH_MAX ||
		    strlen(f[1]) >= sizeof(m->type) || !f[1][0]) {
			printf("fs: CONFIG_FS_MOUNTS: bad entry %s (path:type[:service][:ro])\n",
			       f[0]);
			continue;
		}
		m = &vfs_mounts[vfs_num_mounts++];
		memset(m, 0, sizeof(*m));
		strcpy(m->path, f[0]);
		/* "/tmp/" is "/tmp". */
		for (size_t l = strlen(m->path); l > 1 && m->path[l - 1] == '/'; l--)
			m->path[l - 1] = '\0';
		strcpy(m->type, f[1]);
		for (size_t i = 2; i < nf; i++) {
			if (!strcmp(f[i], "ro"))
				m->ro = true;
			else if (i == 2 && strlen(f[i]) <= VFS_SERVICE_MAX)
				strcpy(m->service, f[i]);
			else
				printf("fs: CONFIG_FS_MOUNTS: %s: bad field %s\n", m->path, f[i]);
		}
	}
	return 0;
}

static uint64_t now_ns(void);

/* The directory at path in the namespace mounted so far, made (with its
 * parents) if missing. */
static int mount_point(const char *path, struct vfs_node *out)
{
	size_t len = strlen(path);

	for (size_t i = 1; i <= len; i++) {
		struct vfs_walk w;
		struct vfs_fs *fs;
		vfs_ino_t ino;
		int ret;

		if (i < len && path[i] != '/')
			continue;
		ret = vfs_walk(vfs_root(), path, i, VFS_WALK_FOLLOW, &w);
		if (ret < 0)
			return ret;
		if (w.exists) {
			if ((w.st.mode & FS_S_IFMT) != FS_S_IFDIR)
				return -RV_ENOTDIR;
			*out = w.node;
			continue;
		}
		fs = vfs_fs_of(w.dir);
		if (fs->read_only)
			return -RV_ENOENT;
		ret = fs->ops->create(fs, w.dir.ino, w.name, w.len, FS_S_IFDIR | 0755, &ino);
		if (ret < 0)
			return ret;
		out->mnt = w.dir.mnt;
		out->ino = ino;
	}
	return 0;
}

int vfs_init(void)
{
	uint32_t order[VFS_MAX_MOUNTS], n;
	struct vfs_mount tmp[VFS_MAX_MOUNTS];
	bool have_root = false;

	parse_mounts(CONFIG_FS_MOUNTS);
	/* Shorter paths first: a mount's point lies in one mounted before it
	 * ("/" first). A stable sort keeps the order of equal lengths. */
	n = vfs_num_mounts;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && strlen(vfs_mounts[order[j]].path) <
						 strlen(vfs_mounts[order[j - 1]].path); j--) {
			uint32_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (uint32_t i = 0; i < n; i++)
		tmp[i] = vfs_mounts[order[i]];
	memcpy(vfs_mounts, tmp, sizeof(tmp[0]) * n);

	for (uint32_t i = 0; i < n; i++) {
		struct vfs_mount *m = &vfs_mounts[i];
		struct vfs_node at = {0, 0};
		int ret;

		if (i == 0 && strcmp(m->path, "/")) {
			printf("fs: CONFIG_FS_MOUNTS has no \"/\"\n");
			return -RV_EINVAL;
		}
		if (i > 0 && !strcmp(m->path, "/")) {
			printf("fs: %s: \"/\" mounted twice, skipped\n", m->path);
			continue;
		}
		if (i > 0) {
			ret = mount_point(m->path, &at);
			if (ret < 0) {
				printf("fs: %s: no mount point: %s, skipped\n", m->path,
				       rv_strerror(ret));
				continue;
			}
		}
		if (!strcmp(m->type, "tmpfs")) {
			ret = tmpfs_mount(&m->fs, CONFIG_TMPFS_MAX_BYTES, CONFIG_TMPFS_MAX_INODES,
					  now_ns);
			if (ret == 0)
				m->fs->read_only = m->ro;
		} else {
			ret = fs_mount_disk(m->type, m->service, m->ro, &m->fs);
		}
		if (ret < 0) {
			m->fs = NULL;
			printf("fs: %s: cannot mount %s%s%s: %s, skipped\n", m->path, m->type,
			       m->service[0] ? " from " : "", m->service, rv_strerror(ret));
			if (i == 0)
				return ret;
			continue;
		}
		m->root = m->fs->ops->root(m->fs);
		m->parent = i == 0 ? 0 : at.mnt;
		m->covered = i == 0 ? 0 : at.ino;
		if (i == 0)
			have_root = true;
		printf("fs: %s: %s%s%s%s\n", m->path, m->type, m->service[0] ? " on " : "",
		       m->service, m->fs->read_only ? " (read-only)" : "");
	}
	return have_root ? 0 : -RV_EINVAL;
}

int vfs_sync_all(void)
{
	int err = 0;

	for (uint32_t m = 0; m < vfs_num_mounts; m++) {
		struct vfs_fs *fs = vfs_mounts[m].fs;
		int ret;

		if (!fs || fs->read_only)
			continue;
		ret = fs->ops->sync(fs, 0, false);
		if (ret < 0 && !err)
			err = ret;
	}
	return err;
}

int vfs_drop_caches(uint32_t mnt)
{
	struct vfs_fs *fs = vfs_mounts[mnt].fs;
	int ret = fs->ops->drop_caches(fs);

	if (ret < 0)
		return ret;
#if CONFIG_FS_NAME_CACHE > 0
	for (uint32_t i = 0; i < CONFIG_FS_NAME_CACHE; i++)
		if (names[i].mnt == mnt)
			names[i].gen = 0; /* names_gen is never 0 */
#endif /* CONFIG_FS_NAME_CACHE > 0 */
	return 0;
}

void vfs_unmount_all(void)
{
	for (uint32_t m = vfs_num_mounts; m-- > 0;) {
		struct vfs_fs *fs = vfs_mounts[m].fs;

		if (fs && fs->ops->unmount(fs) < 0)
			printf("fs: %s: unmount failed\n", vfs_mounts[m].path);
		vfs_mounts[m].fs = NULL;
	}
}

#include <rvos/user.h>

static uint64_t now_ns(void)
{
	return rv_clock_ns();
}
