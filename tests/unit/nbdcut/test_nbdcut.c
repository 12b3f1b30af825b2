/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scripts/nbdcut.py, the disk that loses power (doc/testing.md, "Power
 * cuts"), tested by an NBD client of its own: the server runs as
 * `python3 scripts/nbdcut.py IMAGE --socket S [--cut-at K --seed N]` (the
 * runner's working folder is the repo root), this program speaks the
 * protocol to it and then reads the image it left:
 *
 *  - the handshake: NBDMAGIC/IHAVEOPT with the fixed-newstyle flag, an
 *    unknown option refused with NBD_REP_ERR_UNSUP, a malformed NBD_OPT_GO
 *    refused with NBD_REP_ERR_INVALID, NBD_OPT_GO answered with the export's
 *    size and flags (SEND_FLUSH; no FUA, TRIM or WRITE_ZEROES);
 *  - reads see every acknowledged write; a command it did not advertise
 *    (TRIM) is answered EINVAL; NBD_CMD_DISC without a cut keeps every write;
 *  - with a cut at request K: request K gets no answer; in the image, the
 *    writes before the last completed flush are whole, every sector an
 *    unpromised write touched holds the old bytes or bytes of one of the
 *    writes to it, nothing else changed, and the write at K is lost. Over
 *    40 seeds the model keeps, loses and tears writes (each seen).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unittest.h"

#define SECTOR 512
#define SECTORS 128
#define DISK (SECTORS * SECTOR)

static char dir[64], image[96], sock_path[96];
static uint8_t disk[DISK];

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, (uint16_t)v); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v >> 32); put32(p + 4, (uint32_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }

/* The byte at offset i written by pattern `tag` (0: the image as made). */
static uint8_t pat(int tag, size_t i)
{
	return (uint8_t)((i * 131 + (size_t)tag * 71 + (i >> 9) * 7) ^ (size_t)(tag * 29));
}

static int send_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t k = write(fd, b, n);

		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* 0, or -1 on EOF/error/timeout (the socket has a receive timeout). */
static int recv_all(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n) {
		ssize_t k = read(fd, b, n);

		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static pid_t start_server(long cut_at, unsigned seed)
{
	int fd = open(image, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	for (size_t i = 0; i < DISK; i++)
		disk[i] = pat(0, i);
	if (fd < 0 || write(fd, disk, DISK) != DISK) {
		perror(image);
		exit(2);
	}
	close(fd);
	unlink(sock_path);
	pid_t pid = fork();

	if (pid == 0) {
		char k[32], s[32];

		snprintf(k, sizeof(k), "%ld", cut_at);
		snprintf(s, sizeof(s), "%u", seed);
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(126);
		if (cut_at)
			execlp("python3", "python3", "scripts/nbdcut.py", image, "--socket", sock_path,
			       "--cut-at", k, "--seed", s, (char *)NULL);
		else
			execlp("python3", "python3", "scripts/nbdcut.py", image, "--socket", sock_path,
			       (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int connect_server(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 2};

	strncpy(sa.sun_path, sock_path, sizeof(sa.sun_path) - 1);
	for (int tries = 0; tries < 200; tries++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			return fd;
		}
		if (fd >= 0)
			close(fd);
		usleep(25000);
	}
	fprintf(stderr, "no server on %s after 5 s (is python3 on the PATH?)\n", sock_path);
	exit(2);
}

static int end_server(pid_t pid)
{
	int status = 0;

	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void read_image(void)
{
	int fd = open(image, O_RDONLY);

	CHECK(fd >= 0 && read(fd, disk, DISK) == DISK);
	if (fd >= 0)
		close(fd);
}

/* One option; returns the reply type of the final reply (and the export's
 * size and flags from NBD_REP_INFO, if any). */
static uint32_t option(int fd, uint32_t opt, const void *data, uint32_t len, uint64_t *size,
		       uint16_t *flags)
{
	uint8_t h[16];

	put64(h, 0x49484156454F5054ull);
	put32(h + 8, opt);
	put32(h + 12, len);
	if (send_all(fd, h, 16) || (len && send_all(fd, data, len)))
		return 0;
	for (;;) {
		uint8_t r[20], payload[256];

		if (recv_all(fd, r, 20))
			return 0;
		CHECK_EQ_UINT(get64(r), 0x3e889045565a9ull);
		CHECK_EQ_UINT(get32(r + 8), opt);
		uint32_t type = get32(r + 12), plen = get32(r + 16);

		if (plen > sizeof(payload) || recv_all(fd, payload, plen))
			return 0;
		if (type == 3 && plen >= 2 && get16(payload) == 0 && plen == 12) {
			*size = get64(payload + 2);
			*flags = get16(payload + 10);
		}
		if (type != 3)
			return type;
	}
}

static int handshake(int fd)
{
	uint8_t g[18], cflags[4];
	uint64_t size = 0;
	uint16_t flags = 0;

	if (!CHECK(recv_all(fd, g, 18) == 0))
		return -1;
	CHECK_EQ_UINT(get64(g), 0x4e42444d41474943ull);       /* NBDMAGIC */
	CHECK_EQ_UINT(get64(g + 8), 0x49484156454F5054ull);   /* IHAVEOPT */
	CHECK(get16(g + 16) & 1);                              /* fixed newstyle */
	put32(cflags, 3);                                      /* fixed newstyle, no zeroes */
	send_all(fd, cflags, 4);
	/* NBD_OPT_STRUCTURED_REPLY: not supported. */
	CHECK_EQ_UINT(option(fd, 8, NULL, 0, &size, &flags), 0x80000001u);
	/* NBD_OPT_GO whose data does not parse. */
	CHECK_EQ_UINT(option(fd, 7, "xy", 2, &size, &flags), 0x80000003u);
	uint8_t go[6] = {0};                                   /* name "", no info requests */

	if (!CHECK_EQ_UINT(option(fd, 7, go, 6, &size, &flags), 1))
		return -1;
	CHECK_EQ_UINT(size, DISK);
	CHECK(flags & 1);                   /* HAS_FLAGS */
	CHECK(flags & 4);                   /* SEND_FLUSH */
	CHECK(!(flags & (8 | 32 | 64)));    /* no FUA, TRIM, WRITE_ZEROES */
	return 0;
}

static uint64_t handle_seq;

/* A request; returns the reply's error, or -1 when there is no reply. */
static long request(int fd, uint16_t type, uint64_t off, uint32_t len, int tag, uint8_t *out)
{
	uint8_t h[28], r[16];
	static uint8_t data[64 * SECTOR];
	uint64_t handle = ++handle_seq;

	put32(h, 0x25609513);
	put16(h + 4, 0);
	put16(h + 6, type);
	put64(h + 8, handle);
	put64(h + 16, off);
	put32(h + 24, len);
	if (send_all(fd, h, 28))
		return -1;
	if (type == 1) {
		for (uint32_t i = 0; i < len; i++)
			data[i] = pat(tag, off + i);
		if (send_all(fd, data, len))
			return -1;
	}
	if (recv_all(fd, r, 16))
		return -1;
	CHECK_EQ_UINT(get32(r), 0x67446698);
	CHECK_EQ_UINT(get64(r + 8), handle);
	if (type == 0 && recv_all(fd, out, len))
		return -1;
	return get32(r + 4);
}

static long wr(int fd, int first, int count, int tag)
{
	return request(fd, 1, (uint64_t)first * SECTOR, (uint32_t)count * SECTOR, tag, NULL);
}

static int sector_is(int s, int tag)
{
	for (int i = 0; i < SECTOR; i++)
		if (disk[s * SECTOR + i] != pat(tag, (size_t)s * SECTOR + i))
			return 0;
	return 1;
}

static void test_no_cut(void)
{
	pid_t pid = start_server(0, 0);
	int fd = connect_server();
	uint8_t back[4 * SECTOR];

	if (handshake(fd) == 0) {
		CHECK_EQ_INT(wr(fd, 4, 4, 1), 0);
		CHECK_EQ_INT(request(fd, 0, 5 * SECTOR, 2 * SECTOR, 0, back), 0);
		for (int i = 0; i < 2 * SECTOR; i++)
			if (back[i] != pat(1, 5 * SECTOR + (size_t)i)) {
				CHECK(!"a read sees the acknowledged write");
				break;
			}
		CHECK_EQ_INT(request(fd, 4, 0, SECTOR, 0, NULL), 22);      /* TRIM: EINVAL */
		CHECK_EQ_INT(request(fd, 1, DISK - SECTOR, 2 * SECTOR, 9, NULL), 22); /* past the end */
		uint8_t h[28] = {0};                                       /* DISC */

		put32(h, 0x25609513);
		put16(h + 6, 2);
		send_all(fd, h, 28);
	}
	close(fd);
	CHECK_EQ_INT(end_server(pid), 0);
	read_image();
	for (int s = 0; s < SECTORS; s++)
		CHECK(sector_is(s, s >= 4 && s < 8 ? 1 : 0));
}

/* Writes (first sector, count, tag) in order, F = a flush; the request
 * numbered CUT (from 1) is the one the power cut stops. */
struct op {
	int first, count, tag;
};
#define FLUSH {0, 0, 0}
static const struct op script[] = {
	{0, 4, 1}, FLUSH, {2, 8, 2}, {20, 2, 3}, FLUSH,
	{30, 8, 4}, {33, 2, 5}, {40, 16, 6}, {60, 1, 7}, {70, 1, 8},
};
#define CUT 11          /* a write of tag 9 to sectors 80..81 */

static int kept, lost, torn;

static void test_cut(unsigned seed)
{
	pid_t pid = start_server(CUT, seed);
	int fd = connect_server();

	if (handshake(fd) == 0) {
		for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
			const struct op *o = &script[i];

			if (o->count)
				CHECK_EQ_INT(wr(fd, o->first, o->count, o->tag), 0);
			else
				CHECK_EQ_INT(request(fd, 3, 0, 0, 0, NULL), 0);
		}
		/* Request CUT: never answered. Once this side is closed, the
		 * server closes too, having sent nothing. */
		uint8_t h[28], data[2 * SECTOR], r[16];

		put32(h, 0x25609513);
		put16(h + 4, 0);
		put16(h + 6, 1);
		put64(h + 8, ++handle_seq);
		put64(h + 16, 80 * SECTOR);
		put32(h + 24, sizeof(data));
		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = pat(9, 80 * SECTOR + i);
		CHECK(send_all(fd, h, 28) == 0 && send_all(fd, data, sizeof(data)) == 0);
		shutdown(fd, SHUT_WR);
		CHECK_EQ_INT(read(fd, r, sizeof(r)), 0);
	}
	close(fd);
	CHECK_EQ_INT(end_server(pid), 0);
	read_image();
	/* Promised: tags 1, 2 (over 1 on sectors 2-3), 3. */
	for (int s = 0; s < SECTORS; s++) {
		int ok;

		if (s < 2)
			ok = sector_is(s, 1);
		else if (s < 10)
			ok = sector_is(s, 2);
		else if (s >= 20 && s < 22)
			ok = sector_is(s, 3);
		else if (s >= 30 && s < 38)
			ok = sector_is(s, 0) || sector_is(s, 4) || (s >= 33 && s < 35 && sector_is(s, 5));
		else if (s >= 40 && s < 56)
			ok = sector_is(s, 0) || sector_is(s, 6);
		else if (s == 60)
			ok = sector_is(s, 0) || sector_is(s, 7);
		else if (s == 70)
			ok = sector_is(s, 0) || sector_is(s, 8);
		else
			ok = sector_is(s, 0);   /* untouched, and the write at the cut lost */
		if (!ok) {
			fprintf(stderr, "seed %u: sector %d holds bytes no write gave it\n", seed, s);
			CHECK(ok);
		}
	}
	/* The fate of the 16-sector write of tag 6. */
	int n6 = 0;

	for (int s = 40; s < 56; s++)
		n6 += sector_is(s, 6);
	if (n6 == 16)
		kept++;
	else if (n6 == 0)
		lost++;
	else
		torn++;
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/rvos-nbdcut-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(image, sizeof(image), "%s/disk.img", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/disk.sock", dir);
	signal(SIGPIPE, SIG_IGN);
	RUN(test_no_cut);
	ut_current = "test_cut";
	for (unsigned seed = 1; seed <= 40; seed++)
		test_cut(seed);
	ut_current = "?";
	printf("a 16-sector unpromised write over 40 seeds: %d kept, %d lost, %d torn\n", kept,
	       lost, torn);
	CHECK(kept > 0 && lost > 0 && torn > 0);
	unlink(image);
	unlink(sock_path);
	rmdir(dir);
	return ut_summary("nbdcut");
}
