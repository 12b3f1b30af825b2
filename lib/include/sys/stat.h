/* SPDX-License-Identifier: Apache-2.0 */
/* picolibc's <sys/stat.h>, and lstat, which it declares only for some
 * systems; rvOS has it (lib/src/files.c: symbolic links are not followed). */
#ifndef RVOS_SYS_STAT_H
#define RVOS_SYS_STAT_H

#include_next <sys/stat.h>

int lstat(const char *__restrict __path, struct stat *__restrict __buf);

#endif /* RVOS_SYS_STAT_H */
