/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault tests on ext2 (tests/user/ext2/testcase.yaml, user.ext2.fault):
 * the file server, then the block driver, killed in the middle of a long
 * write, by a child of higher priority (this program run as "killer") that
 * wakes after a delay and kills the service through init (SVC_OP_PROCESS +
 * process_kill, as tests/user/services does to math): waking at priority
 * 1 it preempts the server (3) or the driver (2) wherever they are.
 *
 *  1. fs killed: the writes answer EPEERCLOSED, and so does the root
 *     connection; init restarts the server, the client connects again and
 *     reopens the file, which holds at least what was fsynced before, byte
 *     for byte; the remaining writes land, fsync, read back.
 *  2. virtio_blk killed: the file server connects to the restarted driver
 *     itself; the client's writes go on (each answers the whole count or an
 *     error), then it writes the file again in full, fsync, read back.
 *
 * Then a sync of everything; the runner's e2fsck -fn must find the image
 * clean and debugfs must read both files with the bytes written.
 *
 * Built as ext2_crash (FAULT_CRASH=1, user.ext2.fault.crash), it stops
 * after the file server's restart: no sync, nothing more written, so the
 * runner's e2fsck sees the image as the kill left it (with the restarted
 * server's mount), metadata made after the last fsync (a folder of files,
 * a rename, an unlink) held back and the fsynced file whole.
 */
#include <stdlib.h>
#include "check.h"
#include "ext2_common.h"

#define REC 4096u
#define SYNCED 64u       /* records fsynced before the kill */
#define TOTAL 1024u      /* records of each file in the end (4 MiB) */
#define SEED1 100u
#define SEED2 200u
#ifndef FAULT_CRASH
#define FAULT_CRASH 0
#define FAULT_PROGRAM "ext2_fault"
#else
#define FAULT_PROGRAM "ext2_crash"
#endif

static int killer(const char *service, const char *ms)
{
	rv_handle_t proc;
	struct rv_wait_item it;
	long ret;

	rv_sleep_ns(strtoull(ms, NULL, 10) * 1000000ull);
	ret = rv_service_process(service, &proc);
	if (ret < 0) {
		printf("fault: killer: no process for %s: %s\n", service, rv_strerror((int)ret));
		return 2;
	}
	ret = rv_process_kill(proc);
	if (ret < 0) {
		printf("fault: killer: kill %s: %s\n", service, rv_strerror((int)ret));
		return 3;
	}
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	ret = rv_wait_many(&it, 1, in_ms(2000));
	if (ret != 1) {
		printf("fault: killer: %s did not end: %s\n", service, rv_strerror((int)ret));
		return 4;
	}
	return 0;
}

static int spawn_killer(const char *service, const char *ms, rv_handle_t *proc)
{
	const char *const argv[] = {"killer", service, ms, NULL};
	/* The killer asks init for the service's process: it needs the
	 * right, passed on from this program's manifest entry. */
	const struct rv_spawn_env env = {
		.program = FAULT_PROGRAM, .argv = argv, .priority = 1, .rights = SVC_RIGHT_PROCESS};

	return rv_loader_spawn_env(&env, proc);
}

static int killer_done(rv_handle_t proc)
{
	struct rv_wait_item it = {.handle = proc, .signals = RV_SIGNAL_EXITED};
	struct rv_exit_info info;
	int ok = CHECK_EQ("the killer ends", rv_wait_many(&it, 1, in_ms(5000)), 1);

	ok &= CHECK_EQ("exit info", rv_process_exit_info(proc, &info), 0);
	ok &= CHECK_EQ("the killer killed", info.code, 0);
	rv_handle_close(proc);
	return ok;
}

/* Records [from, to) of pattern seed at their offsets; the first error. */
static long write_records(rv_handle_t f, uint32_t seed, uint32_t from, uint32_t to,
			  uint32_t *done)
{
	for (uint32_t r = from; r < to; r++) {
		long w;

		pattern_fill(seed, (uint64_t)r * REC, iobuf, REC);
		w = fs_pwrite(f, (uint64_t)r * REC, iobuf, REC);
		if (w < 0)
			return w;
		if (w != (long)REC)
			return -RV_EIO;
		*done = r + 1;
	}
	return 0;
}

static rv_handle_t create(const char *p)
{
	rv_handle_t f = RV_HANDLE_INVALID;

	CHECK_EQ(p, fs_open(root, p, RW | FS_O_CREAT | FS_O_TRUNC, 0644, &f, NULL), 0);
	return f;
}

static void kill_fs(void)
{
	rv_handle_t f, proc, probe;
	uint32_t done = 0;
	struct fs_stat st;
	long ret;

	f = create("/disk/fault/log");
	CHECK_EQ("first records", write_records(f, SEED1, 0, SYNCED, &done), 0);
	CHECK_EQ("fsync", fs_sync(f, 0), 0);
	/* Metadata after the fsync, never synced: a folder of files, a rename
	 * over one, an unlink. */
	CHECK_EQ("mkdir unsynced", fs_mkdir(root, "/disk/fault/unsynced", 0755), 0);
	for (int i = 0; i < 20; i++) {
		char p[48];
		rv_handle_t g;

		snprintf(p, sizeof(p), "/disk/fault/unsynced/f%02d", i);
		CHECK_EQ("create", fs_open(root, p, RW | FS_O_CREAT, 0644, &g, NULL), 0);
		CHECK_EQ("write", fs_write(g, "unsynced\n", 9), 9);
		rv_handle_close(g);
	}
	CHECK_EQ("rename over", fs_rename(root, "/disk/fault/unsynced/f00",
					  "/disk/fault/unsynced/f01"), 0);
	CHECK_EQ("unlink", fs_unlink(root, "/disk/fault/unsynced/f02", 0), 0);
	CHECK_EQ("spawn the killer", spawn_killer("fs", "30", &proc), 0);
	ret = write_records(f, SEED1, SYNCED, TOTAL * 4, &done);
	printf("fault: fs killed after %u records written: the next write answered %s\n", done,
	       ret < 0 ? rv_strerror((int)ret) : "(none: the writes ended first)");
	CHECK_EQ("the write in flight", ret, -RV_EPEERCLOSED);
	killer_done(proc);
	CHECK_EQ("the root connection too", fs_stat(root, &st), -RV_EPEERCLOSED);
	rv_handle_close(f);
	rv_handle_close(root);

	CHECK_EQ("connect again", rv_connect_wait(FS_SERVICE_NAME, &root, in_ms(5000)), 0);
	CHECK_EQ("reopen", fs_open(root, "/disk/fault/log", RW, 0, &f, NULL), 0);
	CHECK_EQ("stat", fs_stat(f, &st), 0);
	CHECK("what was fsynced is there", st.size >= (uint64_t)SYNCED * REC &&
					   st.size <= (uint64_t)done * REC);
	CHECK_EQ("its bytes", read_pattern(root, "/disk/fault/log", SEED1, st.size), 0);
	printf("fault: fs restarted; reconnected; the file holds %lu bytes as written "
	       "(%u records were fsynced)\n", (unsigned long)st.size, SYNCED);
	printf("fault: the unsynced folder: %s\n",
	       fs_statat(root, "/disk/fault/unsynced", 0, &st) == 0 ? "there" : "gone");
	if (FAULT_CRASH) {
		rv_handle_close(f);
		return;
	}
	CHECK_EQ("the remaining writes",
		 write_records(f, SEED1, (uint32_t)(st.size / REC), TOTAL, &done), 0);
	CHECK_EQ("cut what the kill left past the end", fs_truncate(f, (uint64_t)TOTAL * REC), 0);
	CHECK_EQ("fsync", fs_sync(f, 0), 0);
	rv_handle_close(f);
	CHECK_EQ("read back", read_pattern(root, "/disk/fault/log", SEED1, (uint64_t)TOTAL * REC),
		 0);
	/* The restarted server serves everything else too. */
	CHECK_EQ("tmpfs", fs_open(root, "/tmp/after", RW | FS_O_CREAT, 0644, &probe, NULL), 0);
	rv_handle_close(probe);
	printf("fault: the remaining writes landed: %u records read back\n", TOTAL);
}

static void kill_blk(void)
{
	rv_handle_t f, proc;
	uint32_t done = 0, errors = 0;
	long ret;

	f = create("/disk/fault/log2");
	CHECK_EQ("first records", write_records(f, SEED2, 0, SYNCED, &done), 0);
	CHECK_EQ("fsync", fs_sync(f, 0), 0);
	CHECK_EQ("spawn the killer", spawn_killer("blk0", "30", &proc), 0);
	/* Past the cache: the server writes blocks back as it goes, so the
	 * driver dies with requests in flight. */
	for (uint32_t r = SYNCED; r < TOTAL; r++) {
		ret = write_records(f, SEED2, r, r + 1, &done);
		if (ret < 0) {
			errors++;
			CHECK("a write fails cleanly", ret == -RV_EIO);
		}
	}
	killer_done(proc);
	printf("fault: virtio_blk killed during %u record writes: %u answered an error\n",
	       TOTAL - SYNCED, errors);
	/* Whatever the kill cost, write it all again; it must land now. */
	CHECK_EQ("the writes again", write_records(f, SEED2, 0, TOTAL, &done), 0);
	CHECK_EQ("fsync", fs_sync(f, 0), 0);
	rv_handle_close(f);
	CHECK_EQ("read back", read_pattern(root, "/disk/fault/log2", SEED2, (uint64_t)TOTAL * REC),
		 0);
	printf("fault: virtio_blk restarted; the file server went on: %u records read back\n",
	       TOTAL);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "killer"))
		return killer(argv[2], argv[3]);
	if (rv_connect_wait(FS_SERVICE_NAME, &root, in_ms(5000)) < 0) {
		printf("fault: no file server\n");
		return 1;
	}
	CHECK_EQ("mkdir", fs_mkdir(root, "/disk/fault", 0755), 0);
	kill_fs();
	if (FAULT_CRASH) {
		printf("fault: the image as the kill left it\n");
		return check_report("fault");
	}
	kill_blk();
	CHECK_EQ("syncfs", fs_syncfs(root), 0);
	printf("fault: synced\n");
	return check_report("fault");
}
