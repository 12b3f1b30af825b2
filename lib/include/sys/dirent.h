/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Directory entries on rvOS, for picolibc's <dirent.h> (which includes
 * this file; picolibc's own says the system has none). opendir, readdir
 * and the rest are lib/src/files.c, over the file protocol's READDIR.
 */
#ifndef RVOS_SYS_DIRENT_H
#define RVOS_SYS_DIRENT_H

#include <sys/types.h>

typedef struct rv_dir DIR;

struct dirent {
	ino_t d_ino;
	unsigned char d_type; /* DT_* */
	char d_name[256];     /* NUL-terminated; at most 255 bytes (FS_NAME_MAX) */
};

#define _DIRENT_HAVE_D_TYPE 1
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

#endif /* RVOS_SYS_DIRENT_H */
