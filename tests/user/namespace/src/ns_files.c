/* SPDX-License-Identifier: Apache-2.0 */
/*
 * init's start-up environments with the real file server (tmpfs): this
 * main program (root=/) writes the ELF of ns_hello (linked in, from
 * ns_image.S) to /bin/ns_hello and starts it from there with
 * SVC_OP_SPAWN_ENV, handing it a read-only root, /tmp as its cwd and a
 * pipe as its stdout; the file server's errors come back to the caller.
 * With an ext2 disk mounted at /disk, the program is the disk image's
 * /disk/bin/ns_hello instead. Then BENCH spawn_from_fs (spawn_from_disk):
 * SPAWN_ENV of a program from the file system that ends at once, and the
 * wait for its end, in instructions (one hart, --icount: every
 * instruction of the kernel, init, the file server, the block driver and
 * the child counts; the file's blocks are in the cache after the first).
 */
#include <stdio.h>
#include <string.h>
#include <rvos/fs.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "check.h"
#include "bench.h"

#define MS(n) ((uint64_t)(n) * 1000000ull)
#define BENCH_ROUNDS 20

extern const char ns_image[], ns_image_end[];

static uint64_t instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

static int run(const struct rv_spawn_env *env, int *code)
{
	struct rv_wait_item it;
	struct rv_exit_info info;
	rv_handle_t proc;
	int ret = rv_loader_spawn_env(env, &proc);

	if (ret < 0)
		return ret;
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	ret = (int)rv_wait_many(&it, 1, rv_clock_ns() + MS(10000));
	if (ret == 1)
		ret = (int)rv_process_exit_info(proc, &info);
	rv_handle_close(proc);
	*code = info.reason == RV_EXIT_NORMAL ? info.code : 100 + info.reason;
	return ret < 0 ? ret : 0;
}

/* The program to start: /disk/bin/ns_hello when the disk is mounted,
 * else /bin/ns_hello written into tmpfs now. */
static const char *program = "/bin/ns_hello";

static void from_fs(rv_handle_t root)
{
	const char *const argv[] = {"from-disk", NULL};
	struct rv_spawn_env env = {.program = program, .argv = argv, .priority = 8};
	rv_handle_t f, out[2];
	char buf[64];
	struct rv_msg msg = {.bytes = buf, .num_bytes = sizeof(buf)};
	int code = -1;

	if (strcmp(program, "/bin/ns_hello") == 0) {
		CHECK_EQ("mkdir /bin", fs_mkdir(root, "/bin", 0755), 0);
		CHECK_EQ("create /bin/ns_hello",
			 fs_open(root, "/bin/ns_hello", FS_O_WRITE | FS_O_CREAT, 0755, &f, NULL),
			 0);
		CHECK_EQ("write it",
			 fs_write_full(f, ns_image, (size_t)(ns_image_end - ns_image)),
			 ns_image_end - ns_image);
		rv_handle_close(f);
	}
	CHECK_EQ("a read-only root for it",
		 fs_open(root, "/", FS_O_DIRECTORY | FS_O_READ, 0, &env.root, NULL), 0);
	CHECK_EQ("/tmp as its cwd",
		 fs_open(root, "/tmp", FS_O_DIRECTORY | FS_O_READ | FS_O_WRITE, 0, &env.cwd, NULL),
		 0);
	CHECK_EQ("a pipe", rv_channel_create(out), 0);
	env.fd[1] = out[1];
	env.fd_kind[1] = RV_FD_PIPE;
	env.cwd_path = "/tmp";
	env.mask = RV_ENV_ROOT | RV_ENV_CWD | RV_ENV_STDOUT;
	CHECK_EQ("spawn /bin/ns_hello", run(&env, &code), 0);
	CHECK_EQ("its verdict", code, 0);
	CHECK_EQ("its line", rv_channel_read(out[0], &msg, RV_IPC_NONBLOCK, 0), 0);
	CHECK("its line =", msg.num_bytes == 19 && !memcmp(buf, "hello from ns_hello", 19));
	rv_handle_close(out[0]);
	CHECK_EQ("its file", fs_open(root, "/tmp/hello.txt", FS_O_READ, 0, &f, NULL), 0);
	CHECK_EQ("its file's bytes", fs_read(f, buf, sizeof(buf)), 19);
	CHECK("its file =", !memcmp(buf, "written through cwd", 19));
	rv_handle_close(f);
	printf("nsf: a program from the file system ran with its root, cwd and stdout\n");

	/* The file server's answers come back. */
	env = (struct rv_spawn_env){.program = "/bin/nosuch", .priority = 8, .mask = RV_ENV_ROOT};
	CHECK_EQ("clone", fs_clone(root, FS_RIGHT_READ, &env.root), 0);
	CHECK_EQ("no such program", run(&env, &code), -RV_ENOENT);
	env.program = "/tmp";
	CHECK_EQ("clone", fs_clone(root, FS_RIGHT_READ, &env.root), 0);
	CHECK_EQ("a directory", run(&env, &code), -RV_EACCES);
	/* A root with neither right (a path anchor) cannot read the file. */
	env.program = program;
	CHECK_EQ("an anchor", fs_open(root, "/", FS_O_DIRECTORY, 0, &env.root, NULL), 0);
	CHECK_EQ("a root that may not read", run(&env, &code), -RV_EACCES);
	/* Relative: resolved in the root given too. */
	env.program = program + 1;
	CHECK_EQ("clone", fs_clone(root, FS_RIGHT_READ, &env.root), 0);
	CHECK_EQ("a relative path", run(&env, &code), 0);
	CHECK_EQ("its verdict (no environment but the root: 10)", code, 10);
	printf("nsf: the file server's errors: ENOENT, EACCES\n");
}

static void bench(rv_handle_t root)
{
	const char *const argv[] = {"true", NULL};
	struct rv_spawn_env env = {.program = program, .argv = argv, .priority = 8,
				   .mask = RV_ENV_ROOT};
	uint64_t best = UINT64_MAX;
	int code;

	bench_start();
	for (int i = 0; i < BENCH_ROUNDS; i++) {
		uint64_t t;

		/* The root to give is made outside the measurement: a shell
		 * would hand on one it holds. */
		if (fs_clone(root, FS_RIGHT_READ, &env.root) < 0)
			break;
		t = instret();
		if (run(&env, &code) < 0 || code != 0)
			break;
		t = instret() - t;
		best = t < best ? t : best;
	}
	CHECK("bench rounds ran", best != UINT64_MAX);
	printf("nsf: %u-byte program\n", (unsigned int)(ns_image_end - ns_image));
	bench_report(program[1] == 'd' ? "spawn_from_disk" : "spawn_from_fs", best, NULL, 0);
	/* The same program from the initrd, for comparison. */
	env.program = "ns_hello";
	env.mask = 0;
	best = UINT64_MAX;
	for (int i = 0; i < BENCH_ROUNDS; i++) {
		uint64_t t = instret();

		if (run(&env, &code) < 0 || code != 0)
			break;
		t = instret() - t;
		best = t < best ? t : best;
	}
	CHECK("initrd rounds ran", best != UINT64_MAX);
	bench_report("spawn_from_initrd", best, NULL, 0);
	/* Where the difference goes: the file server's part (open, image,
	 * close) and the kernel's (spawn from the region, wait), measured
	 * here without init. */
	{
		uint64_t t_fs = UINT64_MAX, t_k = UINT64_MAX;

		for (int i = 0; i < BENCH_ROUNDS; i++) {
			rv_handle_t f, shm, proc;
			uint64_t size, t = instret();
			struct rv_wait_item it;

			if (fs_open(root, program, FS_O_READ, 0, &f, NULL) < 0 ||
			    fs_image(f, &shm, &size) < 0)
				break;
			rv_handle_close(f);
			t = instret() - t;
			t_fs = t < t_fs ? t : t_fs;
			t = instret();
			{
				const struct rv_spawn_image req = {
					.image = shm, .image_size = size, .name = "ns_hello",
					.args = "true", .args_len = 5, .priority = 8};
				long r = rv_process_spawn_image(&req);

				if (r < 0)
					break;
				proc = (rv_handle_t)r;
			}
			it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
			rv_wait_many(&it, 1, RV_DEADLINE_NEVER);
			rv_handle_close(proc);
			t = instret() - t;
			t_k = t < t_k ? t : t_k;
			rv_handle_close(shm);
		}
		bench_report("spawn_fs_part", t_fs, NULL, 0);
		bench_report("spawn_kernel_part", t_k, NULL, 0);
	}
}

int main(void)
{
	const struct rv_startup *st;

	CHECK_EQ("startup_get", rv_startup_get(&st), 0);
	CHECK_EQ("mask", st->mask, RV_ENV_ROOT | RV_ENV_CWD);
	if (st->mask & RV_ENV_ROOT) {
		struct fs_stat sb;

		if (fs_statat(st->root, "/disk/bin/ns_hello", 0, &sb) == 0) {
			program = "/disk/bin/ns_hello";
			printf("nsf: ns_hello on the ext2 disk, %lu bytes\n",
			       (unsigned long)sb.size);
		}
		from_fs(st->root);
		bench(st->root);
	}
	return check_report("nsf");
}
