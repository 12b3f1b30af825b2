/* SPDX-License-Identifier: Apache-2.0 */
/*
 * myapp: a plain C program (picolibc: printf, malloc, time, ...) that uses
 * a service. init starts it as the manifest's main program (prj.conf);
 * what main returns ends init and powers the machine off with that status,
 * which is how a test scenario gets its verdict.
 *
 * It adds up 1 + 2 + ... + CONFIG_MYAPP_TERMS (an option of this app, see
 * ../Kconfig) by asking the math service, one addition per call.
 */
#include <stdio.h>
#include <rvos/mathsvc.h> /* the math service's name and ops */
#include <rvos/service.h> /* rv_connect_wait: find a service through init */
#include <rvos/user.h>    /* system calls: rv_getpid, rv_clock_ns, rv_channel_call */
#include <rvos/wire.h>    /* the message format services speak (doc/wire.md) */

#define SECONDS(n) ((uint64_t)(n) * 1000000000ull)

/*
 * One request to the math service: `a op b` into *result. Services speak
 * typed messages (doc/wire.md): a request is the op and its fields, the
 * reply a status and, on success, the result's fields. Returns 0 or a
 * negative rv errno (rv_strerror names it), the server's or the channel's.
 */
static int math_call(rv_handle_t math, uint32_t op, int64_t a, int64_t b, int64_t *result)
{
	uint8_t req_buf[64], reply_buf[CONFIG_MSG_MAX_BYTES];
	struct rv_msg req, reply = {.bytes = reply_buf, .num_bytes = sizeof(reply_buf)};
	struct wire_writer w;
	struct wire_reader r;
	int ret;

	wire_init_request(&w, req_buf, sizeof(req_buf), NULL, 0, op);
	wire_put_i64(&w, a);
	wire_put_i64(&w, b);
	ret = wire_finish(&w, &req);
	if (ret == 0) /* send, and wait for the reply (at most a second) */
		ret = (int)rv_channel_call(math, &req, &reply, rv_clock_ns() + SECONDS(1));
	if (ret == 0)
		ret = wire_read_reply(&r, &reply, op);
	if (ret == 0) {
		wire_get_i64(&r, result);
		ret = wire_end(&r);
	}
	return ret;
}

int main(int argc, char **argv)
{
	const int64_t n = CONFIG_MYAPP_TERMS;
	int64_t sum = 0;
	rv_handle_t math;
	int ret;

	printf("%s: hello from pid %ld, %lld terms to add\n", argv[0], rv_getpid(), (long long)n);

	/* A channel to the math service. init may not have started it yet:
	 * rv_connect_wait retries until it has registered (or 5 s passed). */
	ret = rv_connect_wait(MATH_SERVICE_NAME, &math, rv_clock_ns() + SECONDS(5));
	if (ret < 0) {
		printf("%s: no math service: %s\n", argv[0], rv_strerror(ret));
		return 1;
	}
	for (int64_t i = 1; i <= n; i++) {
		ret = math_call(math, MATH_OP_ADD, sum, i, &sum);
		if (ret < 0) {
			printf("%s: adding %lld: %s\n", argv[0], (long long)i, rv_strerror(ret));
			return 1;
		}
	}
	rv_handle_close(math);

	printf("%s: 1 + 2 + ... + %lld = %lld, added up by the math service\n", argv[0],
	       (long long)n, (long long)sum);
	if (sum != n * (n + 1) / 2) {
		printf("%s: wrong: want %lld\n", argv[0], (long long)(n * (n + 1) / 2));
		return 1;
	}
	return 0;
}
