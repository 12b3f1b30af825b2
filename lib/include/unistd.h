/* SPDX-License-Identifier: Apache-2.0 */
/* picolibc's <unistd.h>, and sysconf (lib/src/posix.c) for programs
 * that ask for POSIX alone (_POSIX_C_SOURCE without _DEFAULT_SOURCE):
 * picolibc declares it only among its own extensions. */
#ifndef RVOS_UNISTD_H
#define RVOS_UNISTD_H

#include_next <unistd.h>

#if __POSIX_VISIBLE && !__MISC_VISIBLE
long sysconf(int name);
#endif

#endif /* RVOS_UNISTD_H */
