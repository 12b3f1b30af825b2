/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every system call of every feature of kernel/Kconfig.features: a feature
 * that is off makes its calls ENOSYS, whatever their arguments; one that is
 * on takes them (here with arguments each refuses quickly: a handle that
 * names nothing, a pointer to nothing, a size of 0). Then what needs no
 * feature: spawn, wait, sleep, clock, the heap; channels, with and without
 * handles in the message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/errno.h>
#include <rvos/syscall.h>
#include <rvos/user.h>
#include "check.h"

#define BAD_HANDLE 0x7ffe0000L /* a slot past every table */
#define BAD_PTR 8L             /* an unmapped page */

struct call {
	const char *name;
	long nr;
	int on;
	long a[6];
};

#ifndef CONFIG_IPC
#define CONFIG_IPC 0
#endif
#ifndef CONFIG_IPC_PORTS
#define CONFIG_IPC_PORTS 0
#endif
#ifndef CONFIG_IPC_HANDLE_TRANSFER
#define CONFIG_IPC_HANDLE_TRANSFER 0
#endif
#ifndef CONFIG_WAIT_MANY
#define CONFIG_WAIT_MANY 0
#endif
#ifndef CONFIG_HANDLE_REVOCATION
#define CONFIG_HANDLE_REVOCATION 0
#endif
#ifndef CONFIG_SHM
#define CONFIG_SHM 0
#endif
#ifndef CONFIG_DEVICE_CAPS
#define CONFIG_DEVICE_CAPS 0
#endif
#ifndef CONFIG_PROCESS_HANDLES
#define CONFIG_PROCESS_HANDLES 0
#endif
#ifndef CONFIG_INFO_CALLS
#define CONFIG_INFO_CALLS 0
#endif
#ifndef CONFIG_RANDOM
#define CONFIG_RANDOM 0
#endif
#ifndef CONFIG_CONSOLE_INPUT
#define CONFIG_CONSOLE_INPUT 0
#endif

static const struct call calls[] = {
	{"channel_create", RV_SYS_CHANNEL_CREATE, CONFIG_IPC, {BAD_PTR}},
	{"channel_write", RV_SYS_CHANNEL_WRITE, CONFIG_IPC, {BAD_HANDLE, BAD_PTR}},
	{"channel_read", RV_SYS_CHANNEL_READ, CONFIG_IPC, {BAD_HANDLE, BAD_PTR}},
	{"channel_call", RV_SYS_CHANNEL_CALL, CONFIG_IPC, {BAD_HANDLE, BAD_PTR, BAD_PTR}},
	{"channel_list", RV_SYS_CHANNEL_LIST, CONFIG_IPC && CONFIG_INFO_CALLS, {BAD_PTR, 0}},
	{"port_create", RV_SYS_PORT_CREATE, CONFIG_IPC_PORTS, {0}},
	{"port_bind", RV_SYS_PORT_BIND, CONFIG_IPC_PORTS, {BAD_HANDLE, BAD_HANDLE, 1}},
	{"port_unbind", RV_SYS_PORT_UNBIND, CONFIG_IPC_PORTS, {BAD_HANDLE, BAD_HANDLE}},
	{"port_wait", RV_SYS_PORT_WAIT, CONFIG_IPC_PORTS, {BAD_HANDLE, BAD_PTR, BAD_PTR}},
	{"wait_many", RV_SYS_WAIT_MANY, CONFIG_WAIT_MANY, {BAD_PTR, 1, 0}},
	{"handle_derive", RV_SYS_HANDLE_DERIVE, CONFIG_HANDLE_REVOCATION, {BAD_HANDLE, 0, BAD_PTR}},
	{"handle_revoke", RV_SYS_HANDLE_REVOKE, CONFIG_HANDLE_REVOCATION, {BAD_HANDLE}},
	{"shm_create", RV_SYS_SHM_CREATE, CONFIG_SHM, {0}},
	{"shm_map", RV_SYS_SHM_MAP, CONFIG_SHM, {BAD_HANDLE}},
	{"shm_unmap", RV_SYS_SHM_UNMAP, CONFIG_SHM, {BAD_PTR}},
	{"device_info", RV_SYS_DEVICE_INFO, CONFIG_DEVICE_CAPS, {BAD_HANDLE, BAD_PTR}},
	{"device_map", RV_SYS_DEVICE_MAP, CONFIG_DEVICE_CAPS, {BAD_HANDLE}},
	{"device_irq_ack", RV_SYS_DEVICE_IRQ_ACK, CONFIG_DEVICE_CAPS, {BAD_HANDLE}},
	{"dma_create", RV_SYS_DMA_CREATE, CONFIG_DEVICE_CAPS, {BAD_HANDLE, 4096}},
	{"dma_addr", RV_SYS_DMA_ADDR, CONFIG_DEVICE_CAPS, {BAD_HANDLE, BAD_HANDLE, BAD_PTR}},
	{"process_spawn", RV_SYS_PROCESS_SPAWN, CONFIG_PROCESS_HANDLES, {BAD_PTR}},
	{"process_spawn_image", RV_SYS_PROCESS_SPAWN_IMAGE, CONFIG_PROCESS_HANDLES && CONFIG_SHM,
	 {BAD_PTR}},
	{"process_kill", RV_SYS_PROCESS_KILL, CONFIG_PROCESS_HANDLES, {BAD_HANDLE}},
	{"process_exit_info", RV_SYS_PROCESS_EXIT_INFO, CONFIG_PROCESS_HANDLES, {BAD_HANDLE, BAD_PTR}},
	{"process_limit", RV_SYS_PROCESS_LIMIT, CONFIG_PROCESS_HANDLES, {BAD_HANDLE, 0, 0}},
	{"proc_list", RV_SYS_PROC_LIST, CONFIG_INFO_CALLS, {BAD_PTR, 0}},
	{"program_list", RV_SYS_PROGRAM_LIST, CONFIG_INFO_CALLS, {UINT32_MAX + 1L}},
	{"kstats", RV_SYS_KSTATS, CONFIG_INFO_CALLS, {BAD_PTR}},
	{"getrandom", RV_SYS_GETRANDOM, CONFIG_RANDOM, {BAD_PTR, 8}},
	{"debug_read", RV_SYS_DEBUG_READ, CONFIG_CONSOLE_INPUT, {BAD_PTR, 8}},
};

static void check_calls(void)
{
	unsigned int off = 0;

	for (unsigned int i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		const struct call *c = &calls[i];
		long r = rv_syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);
		char what[64];

		snprintf(what, sizeof(what), "%s (feature %s)", c->name, c->on ? "on" : "off");
		if (c->on) {
			CHECK(what, r != -RV_ENOSYS);
		} else {
			CHECK_EQ(what, r, -RV_ENOSYS);
			off++;
		}
	}
	printf("features: %u calls of features that are off are ENOSYS\n", off);
}

static void check_base(void)
{
	static const char *const argv[] = {"7", NULL};
	struct rv_exit_info info;
	uint64_t t0, t1;
	long pid;
	char *p;

	pid = rv_spawn("child", argv, 8);
	CHECK("spawn", pid > 0);
	CHECK_EQ("wait", rv_wait((int)pid, &info), pid);
	CHECK_EQ("the child's status", info.code, 7);
	t0 = rv_clock_ns();
	CHECK_EQ("sleep", rv_sleep_ns(1000000), 0);
	t1 = rv_clock_ns();
	CHECK("the clock moved by the sleep", t1 - t0 >= 1000000);
	p = malloc(100000);
	CHECK("malloc", p != NULL);
	if (p) {
		memset(p, 0x5a, 100000);
		free(p);
	}
	CHECK_EQ("yield", rv_yield(), 0);
	CHECK_EQ("handle_close of nothing", rv_handle_close(BAD_HANDLE), -RV_EBADF);
}

/* Channels: bytes always, handles only with CONFIG_IPC_HANDLE_TRANSFER. */
static void check_channels(void)
{
	rv_handle_t ends[2], other[2], carried;
	char buf[8], ping[4] = {'p', 'i', 'n', 'g'};
	struct rv_msg msg = {.bytes = ping, .num_bytes = 4};
	struct rv_msg in = {.bytes = buf, .num_bytes = sizeof(buf)};

	if (!CONFIG_IPC)
		return;
	CHECK_EQ("channel_create", rv_channel_create(ends), 0);
	CHECK_EQ("channel_write without handles", rv_channel_write(ends[0], &msg, 0, 0), 0);
	CHECK_EQ("channel_read", rv_channel_read(ends[1], &in, 0, 0), 0);
	CHECK("the bytes arrived", in.num_bytes == 4 && !memcmp(buf, "ping", 4));
	CHECK_EQ("another channel", rv_channel_create(other), 0);
	carried = other[0];
	msg.handles = &carried;
	msg.num_handles = 1;
	if (CONFIG_IPC_HANDLE_TRANSFER) {
		CHECK_EQ("channel_write with a handle", rv_channel_write(ends[0], &msg, 0, 0), 0);
	} else {
		CHECK_EQ("channel_write with a handle (no transfer)",
			 rv_channel_write(ends[0], &msg, 0, 0), -RV_ENOSYS);
		CHECK_EQ("the handle stays", rv_handle_close(carried), 0);
	}
	rv_handle_close(ends[0]);
	rv_handle_close(ends[1]);
	rv_handle_close(other[1]);
	printf("features: channels work%s\n",
	       CONFIG_IPC_HANDLE_TRANSFER ? ", with handles" : ", without handles (ENOSYS)");
}

int main(int argc, char **argv)
{
	check_calls();
	check_base();
	check_channels();
	printf("features: spawn, wait, sleep, clock, heap work\n");
	return check_report("features");
}
