/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_CHANNEL_H
#define KERNEL_CHANNEL_H

#include <stdint.h>
#include <rvos/ipc.h>
#include <kernel/object.h>

struct proc;

/* Two ends; each returned with one reference. -ENFILE, -ENOSPC (quota). */
int channel_create(struct proc *creator, struct kobject **end0, struct kobject **end1);
/* The system calls, after their arguments' handles are looked up. */
long channel_write(struct proc *p, struct kobject *end, rv_handle_t self, uintptr_t umsg,
		   uint32_t flags, uint64_t deadline);
long channel_read(struct proc *p, struct kobject *end, uintptr_t umsg, uint32_t flags,
		  uint64_t deadline);

#endif /* KERNEL_CHANNEL_H */
