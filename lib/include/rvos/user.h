/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rvOS system calls for C programs. Each returns >= 0 on success or a
 * negative code from <rvos/errno.h> (rv_strerror() names it).
 */
#ifndef RVOS_USER_H
#define RVOS_USER_H

#include <stddef.h>
#include <stdint.h>
#include <rvos/errno.h>
#include <rvos/ipc.h>
#include <rvos/syscall.h>
#include <rvos/trace.h>

static inline long rv_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3;
	register long r4 __asm__("a4") = a4;
	register long r5 __asm__("a5") = a5;
	register long r7 __asm__("a7") = nr;

	__asm__ volatile("ecall"
			 : "+r"(r0)
			 : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7)
			 : "memory");
	return r0;
}

/* The same for a call of four arguments or fewer: a4 and a5 are not
 * set (the kernel does not read them), two instructions less a call. */
static inline long rv_syscall4(long nr, long a0, long a1, long a2, long a3)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3;
	register long r7 __asm__("a7") = nr;

	__asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r7) : "memory");
	return r0;
}

static inline long rv_debug_write(const void *buf, size_t len)
{
	return rv_syscall(RV_SYS_DEBUG_WRITE, (long)buf, (long)len, 0, 0, 0, 0);
}

/* Console input waiting in the kernel (at most 64 bytes a call); 0: none. */
static inline long rv_debug_read(void *buf, size_t len)
{
	return rv_syscall(RV_SYS_DEBUG_READ, (long)buf, (long)len, 0, 0, 0, 0);
}

/* size (a multiple of 4096) more bytes of zeroed heap; address or error. */
static inline long rv_mem_grow(uint64_t size)
{
	return rv_syscall(RV_SYS_MEM_GROW, (long)size, 0, 0, 0, 0, 0);
}

/* Give the heap's last size bytes (whole pages), [at, its end), back to
 * the kernel: mem_grow(-size, at). at, or -EINVAL (the heap does not end
 * at at + size, or size is not whole pages). */
static inline long rv_mem_shrink(void *at, uint64_t size)
{
	return rv_syscall(RV_SYS_MEM_GROW, -(long)size, (long)at, 0, 0, 0, 0);
}

static inline __attribute__((noreturn)) void rv_exit(int code)
{
	rv_syscall(RV_SYS_EXIT, code, 0, 0, 0, 0, 0);
	__builtin_unreachable();
}

/* Start a program from the initrd; argv is NULL-terminated and does not
 * include the program name (the kernel passes name as argv[0]). The child
 * gets the caller's environment (environ), as exec would give it. */
long rv_spawn(const char *name, const char *const argv[], unsigned int priority);

/* The NULL-terminated strings v (may be NULL) back to back, NULs included,
 * into buf: the bytes, or -RV_E2BIG when they need more than size. */
long rv_pack_strings(const char *const v[], char *buf, size_t size);

/* spawn's buffer: argv's strings (at most CONFIG_SPAWN_ARGS_MAX_BYTES),
 * then envp's (NULL: the caller's environ; at most
 * CONFIG_SPAWN_ENV_MAX_BYTES) into buf (RV_SPAWN_BUF_BYTES): its
 * RV_SPAWN_ARGS_LEN, or -RV_E2BIG. */
#define RV_SPAWN_BUF_BYTES (CONFIG_SPAWN_ARGS_MAX_BYTES + CONFIG_SPAWN_ENV_MAX_BYTES)
long rv_pack_args_env(const char *const argv[], const char *const envp[], char *buf);

/* Raw spawn: args are NUL-terminated strings back to back, the arguments
 * then the environment; args_len is RV_SPAWN_ARGS_LEN(their bytes) (a
 * plain length: arguments and no environment). */
static inline long rv_spawn_raw(const char *name, const char *args, uint64_t args_len,
				unsigned int priority)
{
	return rv_syscall(RV_SYS_SPAWN, (long)name, (long)args, (long)args_len, priority, 0, 0);
}

/* The initrd's program names from number `first` on, each NUL-terminated,
 * as many whole ones as fit in buf: bytes written, 0 past the last,
 * -RV_ENOSPC when not even the first fits, -RV_EFAULT. */
static inline long rv_program_list(uint32_t first, char *buf, size_t len)
{
	return rv_syscall(RV_SYS_PROGRAM_LIST, first, (long)buf, (long)len, 0, 0, 0);
}

static inline long rv_wait(int pid, struct rv_exit_info *info)
{
	return rv_syscall(RV_SYS_WAIT, pid, (long)info, 0, 0, 0, 0);
}

static inline long rv_kill(int pid)
{
	return rv_syscall(RV_SYS_KILL, pid, 0, 0, 0, 0, 0);
}

static inline long rv_getpid(void)
{
	return rv_syscall(RV_SYS_GETPID, 0, 0, 0, 0, 0, 0);
}

static inline long rv_yield(void)
{
	return rv_syscall(RV_SYS_YIELD, 0, 0, 0, 0, 0, 0);
}

static inline long rv_sleep_ns(uint64_t ns)
{
	return rv_syscall(RV_SYS_SLEEP, (long)ns, 0, 0, 0, 0, 0);
}

static inline uint64_t rv_clock_ns(void)
{
	uint64_t ns = 0;

	rv_syscall(RV_SYS_CLOCK, (long)&ns, 0, 0, 0, 0, 0);
	return ns;
}

/* The board's real-time clock: 0 and ns since 1970-01-01 00:00 UTC in *ns,
 * or -RV_ENODEV (the board has none; *ns is not written). */
static inline long rv_clock_realtime_ns(uint64_t *ns)
{
	return rv_syscall(RV_SYS_CLOCK, (long)ns, RV_CLOCK_REALTIME, 0, 0, 0, 0);
}

/* Kernel tracing (include/rvos/trace.h, doc/tracing.md; -RV_ENOSYS without
 * CONFIG_TRACING). A label is up to 8 bytes, kept in the record. */
static inline uint64_t rv_trace_label(const char *label)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8 && label && label[i]; i++)
		v |= (uint64_t)(uint8_t)label[i] << (8 * i);
	return v;
}

static inline long rv_trace_mark(const char *label, uint64_t value)
{
	return rv_syscall(RV_SYS_TRACE, RV_TRACE_OP_MARK, (long)value, (long)rv_trace_label(label),
			  0, 0, 0);
}

static inline long rv_trace_begin(const char *label, uint64_t value)
{
	return rv_syscall(RV_SYS_TRACE, RV_TRACE_OP_BEGIN, (long)value, (long)rv_trace_label(label),
			  0, 0, 0);
}

static inline long rv_trace_end(const char *label, uint64_t value)
{
	return rv_syscall(RV_SYS_TRACE, RV_TRACE_OP_END, (long)value, (long)rv_trace_label(label),
			  0, 0, 0);
}

/* RV_TRACE_OP_START (flags: RV_TRACE_CLEAR) and RV_TRACE_OP_STOP. */
static inline long rv_trace_start(uint32_t flags)
{
	return rv_syscall(RV_SYS_TRACE, RV_TRACE_OP_START, (long)flags, 0, 0, 0, 0);
}

static inline long rv_trace_stop(void)
{
	return rv_syscall(RV_SYS_TRACE, RV_TRACE_OP_STOP, 0, 0, 0, 0, 0);
}

static inline long rv_trace_info(struct rv_trace_info *out)
{
	return rv_syscall(RV_SYS_TRACE, RV_TRACE_OP_INFO, (long)out, 0, 0, 0, 0);
}

/* Up to max records from number first on: the number copied. */
static inline long rv_trace_read(uint64_t first, struct rv_trace_event *buf, uint64_t max)
{
	return rv_syscall(RV_SYS_TRACE, RV_TRACE_OP_READ, (long)first, (long)buf, (long)max, 0, 0);
}

static inline long rv_trace_hist(uint32_t which, uint32_t index, struct rv_trace_hist *out)
{
	return rv_syscall(RV_SYS_TRACE, RV_TRACE_OP_HIST, (long)which, (long)index, (long)out, 0,
			  0);
}

static inline long rv_kstats(struct rv_kstats *out)
{
	return rv_syscall(RV_SYS_KSTATS, (long)out, 0, 0, 0, 0, 0);
}

/* Up to max records of live processes, from process-table slot start on;
 * the number written (0: none left). Page on with start = the last
 * record's slot + 1. No capability needed. */
static inline long rv_proc_list(struct rv_proc_info *out, uint32_t max, uint32_t start)
{
	return rv_syscall(RV_SYS_PROC_LIST, (long)out, (long)max, (long)start, 0, 0, 0);
}

/* The same for channels, from pool slot start on (page on with the last
 * record's id + 1). */
static inline long rv_channel_list(struct rv_channel_info *out, uint32_t max, uint32_t start)
{
	return rv_syscall(RV_SYS_CHANNEL_LIST, (long)out, (long)max, (long)start, 0, 0, 0);
}

/* Capability IPC: see doc/ipc.md. */
static inline long rv_handle_close(rv_handle_t h)
{
	return rv_syscall(RV_SYS_HANDLE_CLOSE, h, 0, 0, 0, 0, 0);
}

static inline long rv_handle_duplicate(rv_handle_t h, uint32_t rights)
{
	return rv_syscall(RV_SYS_HANDLE_DUPLICATE, h, rights, 0, 0, 0, 0);
}

static inline long rv_handle_info(rv_handle_t h, struct rv_handle_info *info)
{
	return rv_syscall(RV_SYS_HANDLE_INFO, h, (long)info, 0, 0, 0, 0);
}

/* Revocation (doc/ipc.md): out[0] a handle to h's object with `rights`
 * that out[1], its revoker, can end -- with every copy made of it. */
static inline long rv_handle_derive(rv_handle_t h, uint32_t rights, rv_handle_t out[2])
{
	return rv_syscall(RV_SYS_HANDLE_DERIVE, h, rights, (long)out, 0, 0, 0);
}

/* From now on every handle derived through `revoker` is -ECANCELED. */
static inline long rv_handle_revoke(rv_handle_t revoker)
{
	return rv_syscall(RV_SYS_HANDLE_REVOKE, revoker, 0, 0, 0, 0, 0);
}

static inline long rv_channel_create(rv_handle_t out[2])
{
	return rv_syscall(RV_SYS_CHANNEL_CREATE, (long)out, 0, 0, 0, 0, 0);
}

static inline long rv_channel_write(rv_handle_t h, const struct rv_msg *msg, uint32_t flags,
				    uint64_t deadline)
{
	return rv_syscall(RV_SYS_CHANNEL_WRITE, h, (long)msg, flags, (long)deadline, 0, 0);
}

static inline long rv_channel_read(rv_handle_t h, struct rv_msg *msg, uint32_t flags,
				   uint64_t deadline)
{
	return rv_syscall(RV_SYS_CHANNEL_READ, h, (long)msg, flags, (long)deadline, 0, 0);
}

static inline long rv_channel_call(rv_handle_t h, const struct rv_msg *request,
				   struct rv_msg *reply, uint64_t deadline)
{
	return rv_syscall4(RV_SYS_CHANNEL_CALL, h, (long)request, (long)reply, (long)deadline);
}

static inline long rv_wait_many(struct rv_wait_item *items, uint32_t count, uint64_t deadline)
{
	return rv_syscall(RV_SYS_WAIT_MANY, (long)items, count, (long)deadline, 0, 0, 0);
}

/* Ports (doc/ipc.md, Ports): a wait set whose bindings persist; port_wait
 * can receive the message of the channel end that fired. */
static inline long rv_port_create(void)
{
	return rv_syscall(RV_SYS_PORT_CREATE, 0, 0, 0, 0, 0, 0);
}

static inline long rv_port_bind(rv_handle_t port, rv_handle_t h, uint32_t signals, uint64_t key)
{
	return rv_syscall(RV_SYS_PORT_BIND, port, h, signals, (long)key, 0, 0);
}

static inline long rv_port_unbind(rv_handle_t port, rv_handle_t h)
{
	return rv_syscall(RV_SYS_PORT_UNBIND, port, h, 0, 0, 0, 0);
}

static inline long rv_port_wait(rv_handle_t port, struct rv_port_event *ev, struct rv_msg *msg,
				uint64_t deadline)
{
	return rv_syscall(RV_SYS_PORT_WAIT, port, (long)ev, (long)msg, (long)deadline, 0, 0);
}

/* Reply, then wait (seL4's ReplyRecv): reply goes out on `to` as
 * rv_channel_write(to, reply, RV_IPC_NONBLOCK, 0) would send it, then the
 * call waits as rv_port_wait. If the reply cannot go, its error is returned
 * and nothing is waited for (the wait's own arguments are checked first).
 * One trap when the client is blocked in its call. */
static inline long rv_port_reply_wait(rv_handle_t port, struct rv_port_event *ev,
				      struct rv_msg *msg, uint64_t deadline, rv_handle_t to,
				      const struct rv_msg *reply)
{
	return rv_syscall(RV_SYS_PORT_WAIT, port, (long)ev, (long)msg, (long)deadline, to,
			  (long)reply);
}

static inline long rv_shm_create(uint64_t size)
{
	return rv_syscall(RV_SYS_SHM_CREATE, (long)size, 0, 0, 0, 0, 0);
}

/* Returns the address (as a long: >= 0) or a negative error. */
static inline long rv_shm_map(rv_handle_t h, int writable)
{
	return rv_syscall(RV_SYS_SHM_MAP, h, writable, 0, 0, 0, 0);
}

static inline long rv_shm_unmap(void *addr)
{
	return rv_syscall(RV_SYS_SHM_UNMAP, (long)addr, 0, 0, 0, 0, 0);
}

static inline long rv_process_spawn_raw(const char *name, const char *args, uint64_t args_len,
					unsigned int priority, const rv_handle_t *give,
					uint32_t count)
{
	return rv_syscall(RV_SYS_PROCESS_SPAWN, (long)name, (long)args, (long)args_len, priority,
			  (long)give, count);
}

/* Start a program with argv (NULL-terminated, without argv[0]) and the
 * caller's environment, and hand it `count` handles (they become its
 * handles 0..count-1). */
long rv_process_spawn(const char *name, const char *const argv[], unsigned int priority,
		      const rv_handle_t *give, uint32_t count);

/* process_spawn with the program's ELF in a shared-memory region (struct
 * rv_spawn_image in rvos/syscall.h); returns a process handle. */
static inline long rv_process_spawn_image(const struct rv_spawn_image *req)
{
	return rv_syscall(RV_SYS_PROCESS_SPAWN_IMAGE, (long)req, 0, 0, 0, 0, 0);
}

static inline long rv_process_kill(rv_handle_t h)
{
	return rv_syscall(RV_SYS_PROCESS_KILL, h, 0, 0, 0, 0, 0);
}

static inline long rv_process_exit_info(rv_handle_t h, struct rv_exit_info *info)
{
	return rv_syscall(RV_SYS_PROCESS_EXIT_INFO, h, (long)info, 0, 0, 0, 0);
}

/* Lower the limit `which` (RV_LIMIT_PAGES: the page quota) of the process
 * behind h (needs RV_RIGHT_MANAGE) to value; never above what it is. */
static inline long rv_process_limit(rv_handle_t h, unsigned int which, uint64_t value)
{
	return rv_syscall(RV_SYS_PROCESS_LIMIT, h, which, value, 0, 0, 0);
}

/* len (at most RV_GETRANDOM_MAX) bytes from the kernel's CSPRNG: len, or
 * -EINVAL (len too large), -EFAULT (buf not writable). getentropy() and
 * arc4random() use it. */
static inline long rv_getrandom(void *buf, size_t len)
{
	return rv_syscall(RV_SYS_GETRANDOM, (long)buf, (long)len, 0, 0, 0, 0);
}

/* Arm (and pet) the watchdog of the process behind h (needs
 * RV_RIGHT_MANAGE; RV_HANDLE_SELF: the caller's own) for ms from now; 0
 * disarms; RV_WATCHDOG_KEEP pets with the timeout armed. -ENOSYS: the
 * kernel has no CONFIG_WATCHDOG (doc/debugging.md). */
static inline long rv_watchdog(rv_handle_t h, uint32_t ms)
{
	return rv_syscall(RV_SYS_WATCHDOG, h, ms, 0, 0, 0, 0);
}

/* Pet the caller's own watchdog, keeping its timeout. */
static inline long rv_watchdog_pet(void)
{
	return rv_watchdog(RV_HANDLE_SELF, RV_WATCHDOG_KEEP);
}

/* The process debugger (call 45, doc/debugging.md): op RV_DBG_*, h the
 * debuggee's process handle with RV_RIGHT_DEBUG. -ENOSYS: the kernel has
 * no CONFIG_DEBUGGER. */
static inline long rv_debug(unsigned int op, rv_handle_t h, uint64_t a2, uint64_t a3, uint64_t a4)
{
	return rv_syscall(RV_SYS_DEBUG, op, h, (long)a2, (long)a3, (long)a4, 0);
}

/* Device capabilities (doc/devices.md). */
static inline long rv_device_info(rv_handle_t h, struct rv_device_info *info)
{
	return rv_syscall(RV_SYS_DEVICE_INFO, h, (long)info, 0, 0, 0, 0);
}

/* Map the device's registers (read/write); returns their address. */
static inline long rv_device_map(rv_handle_t h)
{
	return rv_syscall(RV_SYS_DEVICE_MAP, h, 0, 0, 0, 0, 0);
}

/* The pending interrupt is handled: let the next one come. */
static inline long rv_device_irq_ack(rv_handle_t h)
{
	return rv_syscall(RV_SYS_DEVICE_IRQ_ACK, h, 0, 0, 0, 0, 0);
}

/* A DMA region of size bytes for the device (needs RV_RIGHT_DMA on dev):
 * physically contiguous, zeroed, never moves; map it with rv_shm_map.
 * Returns its handle (an shm handle). */
static inline long rv_dma_create(rv_handle_t dev, uint64_t size)
{
	return rv_syscall(RV_SYS_DMA_CREATE, dev, (long)size, 0, 0, 0, 0);
}

/* *addr = the bus address of a region rv_dma_create made from dev: what
 * the device is told. 0 or a negative error. */
static inline long rv_dma_addr(rv_handle_t dev, rv_handle_t shm, uint64_t *addr)
{
	return rv_syscall(RV_SYS_DMA_ADDR, dev, shm, (long)addr, 0, 0, 0);
}

/* Instructions retired so far (exact under QEMU -icount). */
static inline uint64_t rv_instret(void)
{
	uint64_t n;

	__asm__ volatile("rdinstret %0" : "=r"(n));
	return n;
}

#endif /* RVOS_USER_H */
