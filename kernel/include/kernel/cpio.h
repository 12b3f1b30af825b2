/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reader of cpio "newc" archives (the initrd format), in place: entries point
 * into the archive, nothing is copied or allocated.
 *
 * Format: each entry is a 110-byte ASCII header ("070701", then 13 fields of
 * 8 hex digits: ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
 * devminor, rdevmajor, rdevminor, namesize, check), the name (namesize bytes,
 * NUL included) padded so header + name is a multiple of 4, then the data
 * padded to 4. The archive ends with an entry named "TRAILER!!!"; bytes after
 * it (cpio pads to 512) are ignored. The "070702" variant (cpio -H crc) is
 * accepted too, and its checksum (sum of the data bytes) is verified.
 *
 * Offsets are relative to the start of the archive, which must be where its
 * first header is (entries are 4-aligned relative to it).
 */
#ifndef KERNEL_CPIO_H
#define KERNEL_CPIO_H

#include <stddef.h>
#include <stdint.h>

/* File type bits of cpio_entry.mode (the POSIX st_mode values cpio stores). */
#define CPIO_MODE_TYPE 0170000u
#define CPIO_MODE_REG 0100000u
#define CPIO_MODE_DIR 0040000u

struct cpio_entry {
	const char *name;	/* NUL-terminated, inside the archive, as stored */
	size_t name_len;	/* without the NUL */
	const void *data;	/* inside the archive */
	size_t size;
	uint32_t mode;		/* type and permission bits */
};

/*
 * Read the entry at *offset (start with 0). Returns 1 with *out filled and
 * *offset moved to the next entry; 0 at the trailer (*offset unchanged, so
 * calling again returns 0 again); -RV_EBADMSG when the archive is malformed
 * there (bad magic, a non-hex digit, namesize 0 or a name whose first NUL is
 * not its last byte, name or data running past size, the archive ending
 * without a trailer, a bad "070702" checksum); -RV_EINVAL for NULL pointers
 * or an *offset that is not a multiple of 4.
 */
int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_entry *out);

/*
 * Find the regular file called name. Leading "/" and "./" are ignored on both
 * sides, so "hello", "./hello" and "/hello" all match an entry stored as any
 * of them (archives made with `find . | cpio -o -H newc` store "./hello").
 * Directories and other non-regular entries never match; if a name appears
 * twice the first entry wins. 0 with *data and *len set; -RV_ENOENT when the
 * archive has no such file; -RV_EBADMSG when the archive is malformed before
 * the file is found; -RV_EINVAL for NULL pointers.
 */
int cpio_find(const void *archive, size_t size, const char *name, const void **data,
	      size_t *len);

/* cpio_find, starting at the entry at offset (a cpio_next offset). */
int cpio_find_from(const void *archive, size_t size, size_t offset, const char *name,
		   const void **data, size_t *len);

/* name without its leading "/" and "./" components (as cpio_find compares). */
const char *cpio_skip_root(const char *name);

#endif /* KERNEL_CPIO_H */
