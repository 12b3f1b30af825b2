/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The program ns_files writes into the file system and starts from there
 * with SVC_OP_SPAWN_ENV. With "true" it ends at once (the benchmark); with
 * "from-disk" it checks its start-up environment: a read-only root, a
 * writable cwd (/tmp, cwd_path "/tmp") and stdout a pipe. It writes a file
 * through its cwd and a line into the pipe. Each failed check has its own
 * exit status.
 */
#include <string.h>
#include <rvos/fs.h>
#include <rvos/service.h>
#include <rvos/user.h>

int main(int argc, char **argv)
{
	static const char line[] = "hello from ns_hello";
	static const char text[] = "written through cwd";
	const struct rv_startup *st;
	struct rv_msg msg = {.bytes = (void *)line, .num_bytes = sizeof(line) - 1};
	rv_handle_t f;

	if (argc > 1 && !strcmp(argv[1], "true"))
		return 0;
	if (argc != 2 || strcmp(argv[0], "ns_hello") || strcmp(argv[1], "from-disk"))
		return 10;
	if (rv_startup_get(&st) != 0)
		return 11;
	if (st->mask != (RV_ENV_ROOT | RV_ENV_CWD | RV_ENV_STDOUT))
		return 12;
	if (st->fd_kind[1] != RV_FD_PIPE || strcmp(st->cwd_path, "/tmp"))
		return 13;
	if (fs_open(st->cwd, "hello.txt", FS_O_WRITE | FS_O_CREAT | FS_O_TRUNC, 0644, &f, NULL))
		return 14;
	if (fs_write_full(f, text, sizeof(text) - 1) != sizeof(text) - 1)
		return 15;
	rv_handle_close(f);
	/* The root was given read-only. */
	if (fs_open(st->root, "/tmp/x", FS_O_WRITE | FS_O_CREAT, 0644, &f, NULL) != -RV_EACCES)
		return 16;
	if (rv_channel_write(st->fd[1], &msg, 0, rv_clock_ns() + 2000000000ull) < 0)
		return 17;
	return 0;
}
