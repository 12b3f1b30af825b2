/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_CHANNEL_H
#define KERNEL_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <rvos/ipc.h>
#include <kernel/object.h>

struct proc;
struct handle_entry;

/* Size of on-stack arrays of a message's handles: one spare slot, so the
 * array is never empty (CONFIG_MSG_MAX_HANDLES may be 0) and gcc can see
 * that index i < count <= CONFIG_MSG_MAX_HANDLES stays inside it. */
#define MSG_HANDLE_ARRAY (CONFIG_MSG_MAX_HANDLES + 1)

/* Two ends; each returned with one reference. -ENFILE, -ENOSPC (quota). */
int channel_create(struct proc *creator, struct kobject **end0, struct kobject **end1);
/* The system calls, after their arguments' handles are looked up: he is
 * the end's (its derivation, if any, ends a wait with -ECANCELED when
 * revoked). It stays put while p blocks: only p changes its table. */
long channel_write(struct proc *p, const struct handle_entry *he, rv_handle_t self, uintptr_t umsg,
		   uint32_t flags, uint64_t deadline);
/* cont: a system call's read whose arguments are in p's saved registers
 * may block by this continuation (channel_read_continue for
 * channel_read, channel_call_continue for channel_call) and hand the hart
 * to a process that resumes in user mode (sched_block_continuation); NULL: it
 * blocks in its kernel frames. */
long channel_read(struct proc *p, const struct handle_entry *he, uintptr_t umsg, uint32_t flags,
		  uint64_t deadline, void (*cont)(void));
/* A read system call without a deadline: channel_read, its usual wait
 * without the general read's frame (kernel/channel.c). */
long channel_read_now(struct proc *p, const struct handle_entry *he, uintptr_t umsg,
		      uint32_t flags);
void channel_read_continue(void) __attribute__((noreturn));
void channel_call_continue(void) __attribute__((noreturn));

/* Record where p, about to block receiving with its struct rv_msg at umsg
 * (m: a copy of it), takes a message directly (as.rx_*, proc.rx_cap). */
void channel_rx_record(struct proc *p, uintptr_t umsg, const struct rv_msg *m);

/* channel_list: the record of the channel in pool slot `slot` (<
 * CONFIG_MAX_CHANNELS); false when the slot is free. */
struct rv_channel_info;
bool channel_info(unsigned int slot, struct rv_channel_info *out);

/* channel_call's fast path, from the trap vector (arch/riscv/trap.S) with
 * the caller's saved registers, sepc already past the ecall: does not
 * return when taken; returns having changed nothing when the general path
 * must run. */
struct user_regs;
void channel_call_fastpath(struct user_regs *regs);
/* port_wait's reply-and-wait fast path, the same way, for a port_wait with
 * a reply (a5 != 0). */
void port_wait_fastpath(struct user_regs *regs);

/* channel_write's entry in the light table (arch/riscv/trap.S). */
long channel_write_light(const uint64_t a[6]);

#endif /* KERNEL_CHANNEL_H */
