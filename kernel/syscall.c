/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System calls. Each is split in two, as in seL4 and Zephyr:
 *   verify_*: checks every argument -- user pointers (mapped, U bit, bounds,
 *             wrap-around), lengths, pids, priorities -- and copies what the
 *             call needs into the kernel; it changes nothing.
 *   impl_*:   does the work and trusts its inputs.
 * The table maps numbers to the pair; an unknown number gets -ENOSYS.
 */
#include <rvos/errno.h>
#include <rvos/memory_map.h>
#include <rvos/syscall.h>
#include <kernel/channel.h>
#include <kernel/console_input.h>
#include <kernel/device.h>
#include <kernel/frame.h>
#include <kernel/irq.h>
#include <kernel/ipc_syscalls.h>
#include <kernel/object.h>
#include <kernel/printk.h>
#include <kernel/port.h>
#include <kernel/proc.h>
#include <kernel/random.h>
#include <kernel/rtc.h>
#include <kernel/shm.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/timer.h>
#include <kernel/trace.h>
#include <kernel/watchdog.h>
#include <kernel/debug.h>
#include <kernel/util.h>
#include <arch/trap_frame.h>

typedef long (*syscall_fn)(const uint64_t a[6]);

uint64_t syscall_count;

static long sys_debug_write(const uint64_t a[6])
{
	char chunk[128];
	uintptr_t buf = a[0];
	size_t len = a[1];

	/* verify: the whole range, before anything is printed */
	if (len > CONFIG_DEBUG_WRITE_MAX)
		return -RV_EINVAL;
	if (!user_access_ok(&current->as, buf, len, false))
		return -RV_EFAULT;
	/* impl */
	for (size_t off = 0; off < len; off += sizeof(chunk)) {
		size_t n = len - off < sizeof(chunk) ? len - off : sizeof(chunk);
		copy_from_user(&current->as, chunk, buf + off, n);
		console_write(chunk, n);
	}
	return (long)len;
}

static long sys_debug_read(const uint64_t a[6])
{
	char chunk[64];
	size_t len = a[1] < sizeof(chunk) ? a[1] : sizeof(chunk);
	size_t n;

	/* verify */
	if (!user_access_ok(&current->as, a[0], len, true))
		return -RV_EFAULT;
	/* impl */
	n = console_input_read(chunk, len);
	copy_to_user(&current->as, a[0], chunk, n);
	return (long)n;
}

/* mem_grow(-size, at): the heap's last size bytes, [at, heap end), go back
 * to the kernel; naming at keeps a stale view of the heap from freeing
 * pages that someone else in the process took since. */
static long mem_shrink(uint64_t size, uintptr_t at)
{
	uintptr_t end = current->heap_end;

	/* verify */
	if (size & 4095 || size > end - as_heap_base(&current->as) || at != end - size)
		return -RV_EINVAL;
	/* impl: frames freed, tables that empty too; the kernel's cached
	 * translations of the space go (as_unmap) */
	as_unmap(&current->as, at, size / 4096);
	current->heap_end = at;
	return (long)at;
}

static long sys_mem_grow(const uint64_t a[6])
{
	uint64_t size = a[0];
	uintptr_t at = current->heap_end;
	int err;

	if ((int64_t)size < 0)
		return mem_shrink(-size, a[1]);
	/* verify */
	if (size == 0 || (size & 4095))
		return -RV_EINVAL;
	if (size > CONFIG_USER_HEAP_MAX ||
	    at - as_heap_base(&current->as) > CONFIG_USER_HEAP_MAX - size)
		return -RV_ENOMEM;
	/* impl: pages already mapped stay if a later one fails (the break
	 * does not move, so the next call maps over nothing twice) */
	err = as_map_anon(&current->as, at, size, VM_READ | VM_WRITE);
	if (err) {
		as_unmap(&current->as, at, size / 4096);
		return err;
	}
	current->heap_end = at + size;
	return (long)at;
}

/* getrandom(buf, len): len bytes of the kernel's CSPRNG (kernel/random.c).
 * len 0 writes nothing and returns 0. */
static long sys_getrandom(const uint64_t a[6])
{
	uint8_t bytes[RV_GETRANDOM_MAX];
	size_t len = a[1];

	/* verify */
	if (a[1] > RV_GETRANDOM_MAX)
		return -RV_EINVAL;
	if (!user_access_ok(&current->as, a[0], len, true))
		return -RV_EFAULT;
	/* impl */
	random_bytes(bytes, len);
	copy_to_user(&current->as, a[0], bytes, len);
	for (size_t i = 0; i < len; i++)
		((volatile uint8_t *)bytes)[i] = 0; /* no copy left on the kernel stack */
	return (long)len;
}

static long sys_exit(const uint64_t a[6])
{
	struct rv_exit_info how = {.reason = RV_EXIT_NORMAL, .code = (int32_t)a[0]};

	if (!arg_is_int(a[0]))
		return -RV_EINVAL; /* not an int: refused, the caller runs on */
	proc_exit(current, &how);
	return 0; /* not reached */
}

int spawn_args_fetch(uintptr_t uname, uintptr_t uargs, uint64_t args_len, uint64_t priority,
		     struct spawn_args *sa)
{
	/* RV_SPAWN_ARGS_LEN: the arguments' bytes, then the environment's */
	uint64_t env_len = args_len >> 32;
	size_t argc, envc;
	int len;

	args_len &= UINT32_MAX;
	len = copy_string_from_user(&current->as, sa->name, uname, sizeof(sa->name));
	if (len < 0)
		return len;
	if (len == 0)
		return -RV_EINVAL;
	if (args_len > CONFIG_SPAWN_ARGS_MAX_BYTES || env_len > CONFIG_SPAWN_ENV_MAX_BYTES)
		return -RV_E2BIG;
	if (copy_from_user(&current->as, sa->args, uargs, args_len + env_len))
		return -RV_EFAULT;
	/* each part's last string must be terminated */
	if ((args_len && sa->args[args_len - 1] != 0) ||
	    (env_len && sa->args[args_len + env_len - 1] != 0))
		return -RV_EINVAL;
	argc = 1 + k_strings_count(sa->args, args_len);
	envc = k_strings_count(sa->args + args_len, env_len);
	if (argc > CONFIG_SPAWN_MAX_ARGS || envc > CONFIG_SPAWN_ENV_MAX_VARS)
		return -RV_E2BIG;
	if (priority >= CONFIG_NUM_PRIORITIES)
		return -RV_EINVAL;
	sa->args_len = args_len;
	sa->env_len = env_len;
	sa->priority = (unsigned int)priority;
	return 0;
}

long syscall_spawn_checked(const uint64_t a[6], struct proc *parent)
{
	struct spawn_args sa;
	int err;

	/* verify */
	err = spawn_args_fetch(a[0], a[1], a[2], a[3], &sa);
	if (err)
		return err;
	/* impl */
	return proc_spawn(sa.name, sa.args, sa.args_len, sa.env_len, sa.priority, parent);
}

static long sys_spawn(const uint64_t a[6])
{
	return syscall_spawn_checked(a, current);
}

static long sys_program_list(const uint64_t a[6])
{
	uint64_t first = a[0];
	uintptr_t buf = a[1];
	size_t len = a[2], n = 0, offset = 0, name_len;
	uint64_t index = 0;
	const char *name;
	int r;

	/* verify: the whole buffer, before anything is written */
	if (!arg_is_u32(first))
		return -RV_EINVAL;
	if (!user_access_ok(&current->as, buf, len, true))
		return -RV_EFAULT;
	/* impl: whole names only */
	while ((r = proc_program_next(&offset, &name, &name_len)) == 1) {
		if (index++ < first)
			continue;
		if (name_len + 1 > len - n)
			return n ? (long)n : -RV_ENOSPC;
		copy_to_user(&current->as, buf + n, name, name_len + 1);
		n += name_len + 1;
	}
	return r < 0 ? r : (long)n;
}

static long sys_wait(const uint64_t a[6])
{
	struct rv_exit_info info;
	int pid = (int)a[0];
	long ret;

	/* verify: the result must be writable before anyone is reaped */
	if (a[1] && !user_access_ok(&current->as, a[1], sizeof(info), true))
		return -RV_EFAULT;
	if (!arg_is_int(a[0]) || (pid != -1 && pid <= 0))
		return -RV_EINVAL; /* (wider than an int: refused, not cut) */
	/* impl */
	ret = proc_wait(pid, &info);
	if (ret > 0 && a[1])
		copy_to_user(&current->as, a[1], &info, sizeof(info));
	return ret;
}

static long sys_kill(const uint64_t a[6])
{
	struct proc *p = proc_by_pid((int)a[0]);
	struct rv_exit_info how = {.reason = RV_EXIT_KILLED, .code = 0};

	if (!arg_is_int(a[0]))
		return -RV_EINVAL; /* wider than an int: refused, not cut */
	/* verify: only a parent may end its child (process handles, with
	 * rights, replace this rule when they arrive) */
	if (!p || p->state == PROC_ZOMBIE)
		return -RV_ESRCH;
	if (p == current)
		return -RV_EINVAL;
	if (p->parent != current)
		return -RV_EPERM;
	/* impl */
	proc_exit(p, &how);
	return 0;
}

static long sys_getpid(const uint64_t a[6])
{
	return current->pid;
}

static long sys_yield(const uint64_t a[6])
{
	sched_yield();
	return 0;
}

static long sys_sleep(const uint64_t a[6])
{
	uint64_t now = timer_now();
	uint64_t ticks = timer_ns_to_ticks(a[0]);

	sched_sleep_until(ticks > UINT64_MAX - now ? UINT64_MAX - 1 : now + ticks);
	return 0;
}

/* clock(ns, which): callers from before RV_CLOCK_REALTIME pass 0 in a1,
 * the monotonic clock. */
static long sys_clock(const uint64_t a[6])
{
	uint64_t ns;
	int err;

	/* verify */
	if (a[1] != RV_CLOCK_MONOTONIC && a[1] != RV_CLOCK_REALTIME)
		return -RV_EINVAL;
	/* impl */
	if (a[1] == RV_CLOCK_REALTIME) {
		err = rtc_read_ns(&ns);
		if (err)
			return err;
	} else {
		ns = timer_ticks_to_ns(timer_now());
	}
	if (copy_to_user(&current->as, a[0], &ns, sizeof(ns)))
		return -RV_EFAULT;
	return 0;
}

static long sys_kstats(const uint64_t a[6])
{
	struct frame_stats fs;
	struct rv_kstats k;

	frame_get_stats(&fs);
	k.frames_total = fs.total_pages;
	k.frames_free = fs.free_pages;
	k.frames_page_tables = fs.used_by[FRAME_PAGE_TABLE];
	k.frames_user = fs.used_by[FRAME_USER];
	k.frames_kernel_stacks = fs.used_by[FRAME_KERNEL_STACK];
	k.frames_kernel_pools = fs.used_by[FRAME_KERNEL_POOL];
	k.procs_used = proc_count();
	k.procs_max = CONFIG_MAX_PROCS;
	k.syscalls = syscall_count;
	k.context_switches = sched_context_switches;
	k.channels_used = IS_ENABLED(CONFIG_IPC) ? channel_count() : 0;
	k.channels_max = CONFIG_MAX_CHANNELS;
	k.messages_queued = IS_ENABLED(CONFIG_IPC) ? channel_messages_queued() : 0;
	k.handles_used = handle_count_all();
	k.shm_regions_used = IS_ENABLED(CONFIG_SHM) ? shm_region_count() : 0;
	k.shm_mappings_used = IS_ENABLED(CONFIG_SHM) ? shm_mapping_count() : 0;
	k.process_objects_used = process_object_count();
	k.irqs = irq_count();
	k.boot_instret = boot_instret;
	k.dma_regions_used = IS_ENABLED(CONFIG_SHM) ? shm_dma_region_count() : 0;
	k.idle_instret = sched_idle_instret;
	k.ports_used = IS_ENABLED(CONFIG_IPC) ? port_count() : 0;
	k.port_bindings_used = IS_ENABLED(CONFIG_IPC) ? port_binding_count() : 0;
	k.console_input_lost = IS_ENABLED(CONFIG_CONSOLE_INPUT) ? console_input_lost() : 0;
	k.derivations_used = IS_ENABLED(CONFIG_HANDLE_REVOCATION) ? revoker_count() : 0;
	if (copy_to_user(&current->as, a[0], &k, sizeof(k)))
		return -RV_EFAULT;
	return 0;
}

/*
 * proc_list and channel_list: information calls, like kstats, that need no
 * capability. They reveal no kernel or user addresses and no handles:
 * pids, names, states, counts. verify: 1 <= max <= limit, start <= limit
 * (start == limit is the end: 0 records), and room for max records.
 */
static long list_verify(const uint64_t a[6], uint64_t limit, size_t record)
{
	if (a[1] == 0 || a[1] > limit || a[2] > limit)
		return -RV_EINVAL;
	if (!user_access_ok(&current->as, a[0], a[1] * record, true))
		return -RV_EFAULT;
	return 0;
}

static long sys_proc_list(const uint64_t a[6])
{
	struct rv_proc_info rec;
	uint64_t n = 0;
	long err = list_verify(a, CONFIG_MAX_PROCS, sizeof(rec));

	if (err)
		return err;
	/* impl: the range is writable, so no copy fails */
	for (unsigned int slot = (unsigned int)a[2]; slot < CONFIG_MAX_PROCS && n < a[1]; slot++) {
		if (!proc_info(slot, &rec))
			continue;
		copy_to_user(&current->as, a[0] + n * sizeof(rec), &rec, sizeof(rec));
		n++;
	}
	return (long)n;
}

static long sys_channel_list(const uint64_t a[6])
{
	struct rv_channel_info rec;
	uint64_t n = 0;
	long err = list_verify(a, CONFIG_MAX_CHANNELS, sizeof(rec));

	if (err)
		return err;
	for (unsigned int slot = (unsigned int)a[2]; slot < CONFIG_MAX_CHANNELS && n < a[1]; slot++) {
		if (!channel_info(slot, &rec))
			continue;
		copy_to_user(&current->as, a[0] + n * sizeof(rec), &rec, sizeof(rec));
		n++;
	}
	return (long)n;
}

#ifdef CONFIG_TRACING
#define SYS_TRACE_FN sys_trace
#else
/* Without CONFIG_TRACING, trace's entry is empty (ENOSYS), as in a kernel
 * built without the feature. */
#define SYS_TRACE_FN NULL
#endif /* CONFIG_TRACING */

/* The same for watchdog and debug without CONFIG_WATCHDOG, CONFIG_DEBUGGER. */
#ifdef CONFIG_WATCHDOG
#define SYS_WATCHDOG_FN sys_watchdog
#else
#define SYS_WATCHDOG_FN NULL
#endif /* CONFIG_WATCHDOG */
#ifdef CONFIG_DEBUGGER
#define SYS_DEBUG_FN sys_debug
#else
#define SYS_DEBUG_FN NULL
#endif /* CONFIG_DEBUGGER */

/* FEATURE_FN(F, fn): fn when CONFIG_F is on, else an empty entry (ENOSYS,
 * Kconfig.features); the handler is then referenced nowhere and the link
 * drops it (--gc-sections). */
#define FEATURE_FN(feature, fn) (FEATURE_ON_##feature ? (fn) : NULL)
#define FEATURE_ON_IPC IS_ENABLED(CONFIG_IPC)
#define FEATURE_ON_IPC_PORTS IS_ENABLED(CONFIG_IPC_PORTS)
#define FEATURE_ON_WAIT_MANY IS_ENABLED(CONFIG_WAIT_MANY)
#define FEATURE_ON_HANDLE_REVOCATION IS_ENABLED(CONFIG_HANDLE_REVOCATION)
#define FEATURE_ON_SHM IS_ENABLED(CONFIG_SHM)
#define FEATURE_ON_DEVICE_CAPS IS_ENABLED(CONFIG_DEVICE_CAPS)
#define FEATURE_ON_PROCESS_HANDLES IS_ENABLED(CONFIG_PROCESS_HANDLES)
#define FEATURE_ON_INFO_CALLS IS_ENABLED(CONFIG_INFO_CALLS)
#define FEATURE_ON_RANDOM IS_ENABLED(CONFIG_RANDOM)
#define FEATURE_ON_CONSOLE_INPUT IS_ENABLED(CONFIG_CONSOLE_INPUT)
/* process_spawn_image takes its image from a shared-memory object;
 * channel_list lists channels. */
#define FEATURE_ON_PROCESS_HANDLES_AND_SHM                                                       \
	(IS_ENABLED(CONFIG_PROCESS_HANDLES) && IS_ENABLED(CONFIG_SHM))
#define FEATURE_ON_IPC_INFO (IS_ENABLED(CONFIG_INFO_CALLS) && IS_ENABLED(CONFIG_IPC))

/*
 * Every system call once: X(number, handler, kind). A new call goes at the
 * end. kind is
 *   FULL:  the trap vector saves every register first; the call may block,
 *          wake or switch to another process, end the caller, or resume it
 *          by a continuation (which reloads all its registers from the frame).
 *   LIGHT: none of that: it returns to its caller, never blocks and wakes
 *          nobody (so no switch falls due), ends no process. The trap vector
 *          (arch/riscv/trap.S) runs it on a frame of the registers a C
 *          function may change and returns straight to U-mode, skipping
 *          user_trap. One exception, yield: it switches, but only through
 *          arch_switch on its own kernel stack, whose C frames keep the
 *          caller's s registers, and it resumes the same way, never by a
 *          continuation (only blocked processes get one), so the partial
 *          frame is enough for it too -- with gp and tp, which another
 *          process's return to U-mode replaces: the vector saves those too.
 *   LIGHT_WRITE: channel_write. The trap vector runs it on the light frame
 *          too, through channel_write_light (arch/riscv/trap.S): it may
 *          block, but only in its kernel frames (kobject_block), whose C
 *          frames keep the caller's s registers as a yield's do, never by a
 *          continuation; when it made a switch due (it woke a process of
 *          higher priority), the stub saves the rest of the frame and the
 *          call ends as a FULL one does. FULL with CONFIG_DEBUGGER (a
 *          debugger reads and writes a stopped process's whole frame) and
 *          without CONFIG_IPC_FASTPATH.
 * With CONFIG_TRACING every call is FULL (trace records at entry and exit).
 */
#define SYSCALL_LIST(X)                                                                           \
	X(RV_SYS_DEBUG_WRITE, sys_debug_write, LIGHT)                                             \
	X(RV_SYS_EXIT, sys_exit, FULL)                                                            \
	X(RV_SYS_SPAWN, sys_spawn, FULL)                                                          \
	X(RV_SYS_WAIT, sys_wait, FULL)                                                            \
	X(RV_SYS_KILL, sys_kill, FULL)                                                            \
	X(RV_SYS_GETPID, sys_getpid, LIGHT)                                                       \
	X(RV_SYS_YIELD, sys_yield, LIGHT)                                                         \
	X(RV_SYS_SLEEP, sys_sleep, FULL)                                                          \
	X(RV_SYS_CLOCK, sys_clock, LIGHT)                                                         \
	X(RV_SYS_KSTATS, FEATURE_FN(INFO_CALLS, sys_kstats), LIGHT)                                                       \
	X(RV_SYS_HANDLE_CLOSE, sys_handle_close, FULL)                                            \
	X(RV_SYS_HANDLE_DUPLICATE, sys_handle_duplicate, LIGHT)                                   \
	X(RV_SYS_HANDLE_INFO, sys_handle_info, LIGHT)                                             \
	X(RV_SYS_CHANNEL_CREATE, FEATURE_FN(IPC, sys_channel_create), FULL)                                        \
	X(RV_SYS_CHANNEL_WRITE, FEATURE_FN(IPC, sys_channel_write), LIGHT_WRITE)                                     \
	X(RV_SYS_CHANNEL_READ, FEATURE_FN(IPC, sys_channel_read), FULL)                                            \
	X(RV_SYS_CHANNEL_CALL, FEATURE_FN(IPC, sys_channel_call), FULL)                                            \
	X(RV_SYS_WAIT_MANY, FEATURE_FN(WAIT_MANY, sys_wait_many), FULL)                                                  \
	X(RV_SYS_SHM_CREATE, FEATURE_FN(SHM, sys_shm_create), FULL)                                                \
	X(RV_SYS_SHM_MAP, FEATURE_FN(SHM, sys_shm_map), FULL)                                                      \
	X(RV_SYS_SHM_UNMAP, FEATURE_FN(SHM, sys_shm_unmap), FULL)                                                  \
	X(RV_SYS_PROCESS_SPAWN, FEATURE_FN(PROCESS_HANDLES, sys_process_spawn), FULL)                                          \
	X(RV_SYS_PROCESS_KILL, FEATURE_FN(PROCESS_HANDLES, sys_process_kill), FULL)                                            \
	X(RV_SYS_PROCESS_EXIT_INFO, FEATURE_FN(PROCESS_HANDLES, sys_process_exit_info), FULL)                                  \
	X(RV_SYS_DEBUG_READ, FEATURE_FN(CONSOLE_INPUT, sys_debug_read), FULL)                                                \
	X(RV_SYS_MEM_GROW, sys_mem_grow, FULL)

/* The calls numbered 26 and up are all of features (arch/trap_frame.h's
 * SYSCALL_TABLE_SLOTS leaves them out when every one of those is off). */
#define SYSCALL_LIST_FEATURES(X)                                                                  \
	X(RV_SYS_PROC_LIST, FEATURE_FN(INFO_CALLS, sys_proc_list), LIGHT)                                                 \
	X(RV_SYS_CHANNEL_LIST, FEATURE_FN(IPC_INFO, sys_channel_list), LIGHT)                                           \
	X(RV_SYS_DEVICE_INFO, FEATURE_FN(DEVICE_CAPS, sys_device_info), FULL)                                              \
	X(RV_SYS_DEVICE_MAP, FEATURE_FN(DEVICE_CAPS, sys_device_map), FULL)                                                \
	X(RV_SYS_DEVICE_IRQ_ACK, FEATURE_FN(DEVICE_CAPS, sys_device_irq_ack), FULL)                                        \
	X(RV_SYS_PROGRAM_LIST, FEATURE_FN(INFO_CALLS, sys_program_list), LIGHT)                                           \
	X(RV_SYS_DMA_CREATE, FEATURE_FN(DEVICE_CAPS, sys_dma_create), FULL)                                                \
	X(RV_SYS_DMA_ADDR, FEATURE_FN(DEVICE_CAPS, sys_dma_addr), FULL)                                                    \
	X(RV_SYS_PROCESS_SPAWN_IMAGE, FEATURE_FN(PROCESS_HANDLES_AND_SHM, sys_process_spawn_image), FULL)                              \
	X(RV_SYS_PORT_CREATE, FEATURE_FN(IPC_PORTS, sys_port_create), FULL)                                              \
	X(RV_SYS_PORT_BIND, FEATURE_FN(IPC_PORTS, sys_port_bind), FULL)                                                  \
	X(RV_SYS_PORT_UNBIND, FEATURE_FN(IPC_PORTS, sys_port_unbind), FULL)                                              \
	X(RV_SYS_PORT_WAIT, FEATURE_FN(IPC_PORTS, sys_port_wait), FULL)                                                  \
	X(RV_SYS_HANDLE_DERIVE, FEATURE_FN(HANDLE_REVOCATION, sys_handle_derive), FULL)                                          \
	X(RV_SYS_HANDLE_REVOKE, FEATURE_FN(HANDLE_REVOCATION, sys_handle_revoke), FULL)                                          \
	X(RV_SYS_TRACE, SYS_TRACE_FN, FULL)                                                       \
	X(RV_SYS_PROCESS_LIMIT, FEATURE_FN(PROCESS_HANDLES, sys_process_limit), FULL)                                          \
	X(RV_SYS_GETRANDOM, FEATURE_FN(RANDOM, sys_getrandom), FULL)                                                  \
	X(RV_SYS_WATCHDOG, SYS_WATCHDOG_FN, FULL)                                                 \
	X(RV_SYS_DEBUG, SYS_DEBUG_FN, FULL)

/* The whole table, for user_trap; and the light one, for the trap vector
 * (NULL: take the full path). Both have SYSCALL_TABLE_SLOTS entries, so the
 * vector checks one bound. */
#define SYSCALL_ENTRY(nr, fn, kind) [nr] = fn,
#define SYSCALL_LIGHT_LIGHT(fn) fn
#define SYSCALL_LIGHT_FULL(fn) NULL
#define SYSCALL_LIGHT_LIGHT_WRITE(fn)                                                             \
	(IS_ENABLED(CONFIG_IPC_FASTPATH) && !IS_ENABLED(CONFIG_DEBUGGER) ? channel_write_light : NULL)
#define SYSCALL_LIGHT_ENTRY(nr, fn, kind) [nr] = SYSCALL_LIGHT_##kind(fn),

#if SYSCALL_TABLE_SLOTS > SYSCALL_CORE_SLOTS
#define SYSCALL_LIST_ALL(X) SYSCALL_LIST(X) SYSCALL_LIST_FEATURES(X)
#else
#define SYSCALL_LIST_ALL(X) SYSCALL_LIST(X)
/* (named, so their functions count as used; the compiler drops both) */
static const syscall_fn syscall_features_off[] __attribute__((unused)) = {
	SYSCALL_LIST_FEATURES(SYSCALL_ENTRY)};
#endif
BUILD_ASSERT(RV_SYS_MEM_GROW + 1 == SYSCALL_CORE_SLOTS, "SYSCALL_LIST ends at mem_grow");

static const syscall_fn syscall_table[SYSCALL_TABLE_SLOTS] = {SYSCALL_LIST_ALL(SYSCALL_ENTRY)};

#ifndef CONFIG_TRACING
/* Read by arch/riscv/trap.S. */
const syscall_fn syscall_light_table[SYSCALL_TABLE_SLOTS] = {SYSCALL_LIST_ALL(SYSCALL_LIGHT_ENTRY)};
#endif /* !CONFIG_TRACING */

BUILD_ASSERT(RV_SYS_COUNT <= SYSCALL_ALL_SLOTS, "raise SYSCALL_ALL_SLOTS (arch/trap_frame.h)");

long syscall_dispatch(uint64_t nr, const uint64_t args[6])
{
	long ret;

	syscall_count++;
	trace_syscall_enter(nr, args);
	if (nr >= ARRAY_SIZE(syscall_table) || !syscall_table[nr])
		ret = -RV_ENOSYS;
	else
		ret = syscall_table[nr](args);
	trace_syscall_exit(nr, ret);
	return ret;
}
