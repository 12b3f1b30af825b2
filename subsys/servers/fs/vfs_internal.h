/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The namespace of the file server (vfs.c), used by the protocol layer
 * (fs.c): the mount table built from CONFIG_FS_MOUNTS and path resolution
 * relative to a connection's directory (rvos/fssvc.h's rules: '..' never
 * above that directory, symbolic links inside the same bounds, mount points
 * crossed transparently).
 */
#ifndef FS_VFS_INTERNAL_H
#define FS_VFS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "vfs.h"

#define VFS_MAX_MOUNTS 8
#define VFS_MOUNT_PATH_MAX 128
#define VFS_SERVICE_MAX 31

/* A node of the namespace: a mount and an inode of its file system. */
struct vfs_node {
	uint32_t mnt;
	vfs_ino_t ino;
};

struct vfs_mount {
	char path[VFS_MOUNT_PATH_MAX];    /* "/", "/tmp" */
	char type[16];                    /* "tmpfs", "ext2" */
	char service[VFS_SERVICE_MAX + 1]; /* block service, "" for none */
	bool ro;
	struct vfs_fs *fs;                /* NULL: skipped (not mounted) */
	uint32_t parent;                  /* the mount it sits in (itself for "/") */
	vfs_ino_t covered;                /* the directory of parent it covers */
	vfs_ino_t root;
};

extern struct vfs_mount vfs_mounts[VFS_MAX_MOUNTS];
extern uint32_t vfs_num_mounts;

/* Mounts a disk file system of `type` from block service `service`
 * (fs.c / blkdev_client.c): 0 and *out, or an error (said on the console
 * by the caller). */
int fs_mount_disk(const char *type, const char *service, bool ro, struct vfs_fs **out);

/* Parse CONFIG_FS_MOUNTS and mount everything that can be; a mount that
 * fails is reported and skipped. 0, or an error when "/" is missing. */
int vfs_init(void);
/* The root of the namespace. */
struct vfs_node vfs_root(void);

static inline struct vfs_fs *vfs_fs_of(struct vfs_node n)
{
	return vfs_mounts[n.mnt].fs;
}

/* The mount whose root is n, or -1: n is a mount point seen from above. */
int vfs_mounted_here(struct vfs_node n);

#define VFS_WALK_FOLLOW (1u << 0) /* follow a symbolic link in the last component */

/* The result of a walk. A path that ends in ".", ".." or names the start
 * itself has no last name (len 0): node is where it ends. */
struct vfs_walk {
	struct vfs_node dir;  /* the directory holding the last component */
	const char *name;     /* the last component (in a buffer of vfs.c: valid
			       * until the next walk) */
	size_t len;
	bool exists;          /* node is valid */
	struct vfs_node node;
	bool slash;           /* the path ended in '/': a directory is meant */
	bool mountpoint;      /* the last component is a mount point (node is
			       * the mounted root) */
	struct fs_stat st;    /* node's attributes, when it exists */
};

/* Resolve path[0..len) from directory `base`. Errors: ENOENT (a missing
 * directory on the way; a missing last component is exists == false),
 * ENOTDIR, ENAMETOOLONG, ELOOP, EIO, EUCLEAN. */
int vfs_walk(struct vfs_node base, const char *path, size_t len, unsigned int flags,
	     struct vfs_walk *out);

/* Write back every mounted file system (ino 0: all). */
/* Forget every name vfs_walk remembered (its lookup cache): before any
 * request that removes or replaces a directory entry (unlink, rmdir,
 * rename), so no name outlives its entry and no inode number a freed
 * inode gets again is reached by an old name. */
void vfs_forget_names(void);

int vfs_sync_all(void);
/* FS_OP_DROP_CACHES on mount mnt: its file system's drop_caches, then
 * the names vfs_walk remembered in it. */
int vfs_drop_caches(uint32_t mnt);
void vfs_unmount_all(void);

#endif /* FS_VFS_INTERNAL_H */
