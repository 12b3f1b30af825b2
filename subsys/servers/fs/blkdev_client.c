/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Disk mounts: a struct blkdev over the block protocol (rvos/blksvc.h) and
 * the ext2 mount on it. Until the block client and ext2 land, every disk
 * mount is refused (and skipped by vfs_init).
 */
#include "vfs_internal.h"

int fs_mount_disk(const char *type, const char *service, bool ro, struct vfs_fs **out)
{
	return -RV_ENOTSUP;
}
