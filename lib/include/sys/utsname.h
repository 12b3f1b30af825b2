/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX's uname (lib/src/posix.c), which picolibc does not have. */
#ifndef RVOS_SYS_UTSNAME_H
#define RVOS_SYS_UTSNAME_H

#define _UTSNAME_LENGTH 65 /* each field's bytes, its NUL included */

struct utsname {
	char sysname[_UTSNAME_LENGTH];  /* "rvOS" */
	char nodename[_UTSNAME_LENGTH]; /* CONFIG_USER_NODENAME */
	char release[_UTSNAME_LENGTH];  /* rvOS's version (the VERSION file) */
	char version[_UTSNAME_LENGTH];  /* the board it was built for */
	char machine[_UTSNAME_LENGTH];  /* "riscv64" */
};

int uname(struct utsname *name);

#endif /* RVOS_SYS_UTSNAME_H */
