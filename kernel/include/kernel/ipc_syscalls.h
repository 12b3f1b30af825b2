/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_IPC_SYSCALLS_H
#define KERNEL_IPC_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/util.h>

struct proc;

long sys_handle_close(const uint64_t a[6]);
long sys_handle_duplicate(const uint64_t a[6]);
long sys_handle_info(const uint64_t a[6]);
long sys_handle_derive(const uint64_t a[6]);
long sys_handle_revoke(const uint64_t a[6]);
long sys_channel_create(const uint64_t a[6]);
long sys_channel_write(const uint64_t a[6]);
long sys_channel_read(const uint64_t a[6]);
long sys_channel_call(const uint64_t a[6]);
long sys_wait_many(const uint64_t a[6]);
long sys_shm_create(const uint64_t a[6]);
long sys_shm_map(const uint64_t a[6]);
long sys_shm_unmap(const uint64_t a[6]);
long sys_process_spawn(const uint64_t a[6]);
long sys_process_kill(const uint64_t a[6]);
long sys_process_exit_info(const uint64_t a[6]);
long sys_process_limit(const uint64_t a[6]);
long sys_process_spawn_image(const uint64_t a[6]);
long sys_port_create(const uint64_t a[6]);
long sys_port_bind(const uint64_t a[6]);
long sys_port_unbind(const uint64_t a[6]);
long sys_port_wait(const uint64_t a[6]);

/* spawn's checks and start (name a[0], args a[1], len a[2], priority a[3]),
 * shared by spawn and process_spawn; parent NULL: not waitable by pid. */
long syscall_spawn_checked(const uint64_t a[6], struct proc *parent);
/* spawn's arguments, copied in and checked (name, args and environment,
 * priority): 0 or -EFAULT, -EINVAL, -E2BIG as spawn documents. */
struct spawn_args {
	char name[CONFIG_PROC_NAME_MAX];
	/* args_len bytes of argument strings, then env_len of environment */
	char args[CONFIG_SPAWN_ARGS_MAX_BYTES + CONFIG_SPAWN_ENV_MAX_BYTES];
	size_t args_len, env_len;
	unsigned int priority;
};
/* It lives on the spawning call's kernel stack: leave 2 KiB of it for the
 * trap frame and the rest of the call. */
BUILD_ASSERT(sizeof(struct spawn_args) + 2048 <= CONFIG_KERNEL_STACK_SIZE,
	     "CONFIG_SPAWN_ARGS_MAX_BYTES + CONFIG_SPAWN_ENV_MAX_BYTES leave less than 2 KiB of "
	     "the kernel stack: lower them or raise CONFIG_KERNEL_STACK_SIZE");
int spawn_args_fetch(uintptr_t uname, uintptr_t uargs, uint64_t args_len, uint64_t priority,
		     struct spawn_args *sa);

#endif /* KERNEL_IPC_SYSCALLS_H */
