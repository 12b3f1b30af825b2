/* SPDX-License-Identifier: Apache-2.0 */
/*
 * getentropy() on the kernel's CSPRNG (the getrandom system call,
 * doc/syscalls.md): picolibc's arc4random(), arc4random_buf() and
 * arc4random_uniform() seed themselves from it, and so does its stack
 * protector's canary.
 */
#include <errno.h>
#include <rvos/user.h>
#include <stddef.h>
#include <unistd.h>

/* At most RV_GETRANDOM_MAX (256) bytes, as POSIX's getentropy: more is
 * EIO (the other systems' answer); a buffer the process cannot write is
 * EFAULT. 0, or -1 with errno set. */
int getentropy(void *buf, size_t len)
{
	long r;

	if (len > RV_GETRANDOM_MAX) {
		errno = EIO;
		return -1;
	}
	r = rv_getrandom(buf, len);
	if (r < 0) {
		errno = r == -RV_EFAULT ? EFAULT : EIO;
		return -1;
	}
	return 0;
}
