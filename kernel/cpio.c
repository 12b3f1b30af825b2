// SPDX-License-Identifier: Apache-2.0
/*
 * cpio "newc" archive reader (see kernel/cpio.h).
 *
 * The archive may come from anywhere (the initrd a boot loader placed), so
 * every size is checked against what is left of the archive by subtraction,
 * never by adding untrusted values that could wrap.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rvos/errno.h>
#include <kernel/cpio.h>
#include <kernel/string.h>

#define HDR_SIZE 110
#define MAGIC_LEN 6
#define FIELD_LEN 8

/* Field positions, in order after the magic. */
#define F_MODE 1
#define F_FILESIZE 6
#define F_NAMESIZE 11
#define F_CHECK 12
#define FIELD_COUNT 13

#define TRAILER "TRAILER!!!"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The 8 hex digits at p; false on anything else. */
static bool parse_field(const char *p, uint32_t *value)
{
	uint32_t v = 0;
	int i, d;

	for (i = 0; i < FIELD_LEN; i++) {
		d = hex_digit(p[i]);
		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*value = v;
	return true;
}

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_entry *out)
{
	const char *h;
	uint32_t f[FIELD_COUNT];
	size_t off, rest, namesize, filesize, pad, end;
	bool crc;
	int i;

	if (!archive || !offset || !out || (*offset & 3))
		return -RV_EINVAL;
	off = *offset;
	/* Running out of archive before the trailer is malformed too. */
	if (off > size || size - off < HDR_SIZE)
		return -RV_EBADMSG;
	h = (const char *)archive + off;
	rest = size - off - HDR_SIZE;

	if (!k_memeq(h, "07070", MAGIC_LEN - 1) || (h[5] != '1' && h[5] != '2'))
		return -RV_EBADMSG;
	crc = h[5] == '2';
	for (i = 0; i < FIELD_COUNT; i++) {
		if (!parse_field(h + MAGIC_LEN + i * FIELD_LEN, &f[i]))
			return -RV_EBADMSG;
	}

	namesize = f[F_NAMESIZE];
	filesize = f[F_FILESIZE];
	if (namesize == 0 || namesize > rest)
		return -RV_EBADMSG;
	/* Exactly one NUL, at the end: a shorter name would hide bytes from lookups. */
	if (k_strnlen(h + HDR_SIZE, namesize) != namesize - 1)
		return -RV_EBADMSG;
	rest -= namesize;
	pad = pad4(HDR_SIZE + namesize);
	if (pad > rest || filesize > rest - pad)
		return -RV_EBADMSG;

	out->name = h + HDR_SIZE;
	out->name_len = namesize - 1;
	out->data = h + HDR_SIZE + namesize + pad;
	out->size = filesize;
	out->mode = f[F_MODE];

	if (crc) {
		const uint8_t *d = out->data;
		uint32_t sum = 0;
		size_t k;

		for (k = 0; k < filesize; k++)
			sum += d[k];
		if (sum != f[F_CHECK])
			return -RV_EBADMSG;
	}
	if (k_streq(out->name, TRAILER))
		return 0;

	end = off + HDR_SIZE + namesize + pad + filesize;	/* <= size: checked above */
	if (end > SIZE_MAX - 3)
		return -RV_EBADMSG;
	/* May pass size when the last padding is missing: the next call reports it. */
	*offset = end + pad4(end);
	return 1;
}

const char *cpio_skip_root(const char *s)
{
	for (;;) {
		if (s[0] == '/')
			s++;
		else if (s[0] == '.' && s[1] == '/')
			s += 2;
		else
			return s;
	}
}

int cpio_find(const void *archive, size_t size, const char *name, const void **data,
	      size_t *len)
{
	return cpio_find_from(archive, size, 0, name, data, len);
}

int cpio_find_from(const void *archive, size_t size, size_t offset, const char *name,
		   const void **data, size_t *len)
{
	struct cpio_entry e;
	int r;

	if (!archive || !name || !data || !len)
		return -RV_EINVAL;
	name = cpio_skip_root(name);
	while ((r = cpio_next(archive, size, &offset, &e)) == 1) {
		if ((e.mode & CPIO_MODE_TYPE) == CPIO_MODE_REG &&
		    k_streq(cpio_skip_root(e.name), name)) {
			*data = e.data;
			*len = e.size;
			return 0;
		}
	}
	return r == 0 ? -RV_ENOENT : r;
}
