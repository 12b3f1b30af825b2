/* SPDX-License-Identifier: Apache-2.0 */
/* The math server: registers "math" with init and serves <rvos/mathsvc.h>. */
#include <stdint.h>
#include <stdio.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/mathsvc.h>

static int math_op(uint32_t op, int64_t a, int64_t b, int64_t *res)
{
	switch (op) {
	case MATH_OP_ADD:
		return __builtin_add_overflow(a, b, res) ? -RV_ERANGE : 0;
	case MATH_OP_SUB:
		return __builtin_sub_overflow(a, b, res) ? -RV_ERANGE : 0;
	case MATH_OP_MUL:
		return __builtin_mul_overflow(a, b, res) ? -RV_ERANGE : 0;
	case MATH_OP_DIV:
		if (b == 0)
			return -RV_EINVAL;
		if (a == INT64_MIN && b == -1)
			return -RV_ERANGE;
		*res = a / b;
		return 0;
	default:
		return -RV_ENOSYS;
	}
}

static int math_handler(void *ctx, struct wire_reader *req, struct wire_writer *reply)
{
	int64_t a, b, res = 0;
	int ret;

	if (req->op < MATH_OP_ADD || req->op > MATH_OP_DIV)
		return -RV_ENOSYS;
	wire_get_i64(req, &a);
	wire_get_i64(req, &b);
	ret = wire_end(req);
	if (ret < 0)
		return ret;
	ret = math_op(req->op, a, b, &res);
	if (ret < 0)
		return ret;
	wire_put_i64(reply, res);
	return 0;
}

int main(int argc, char **argv)
{
	rv_handle_t requests;
	int ret;

	ret = rv_service_register(MATH_SERVICE_NAME, &requests);
	if (ret < 0) {
		printf("math: cannot register: %s\n", rv_strerror(ret));
		return 1;
	}
	ret = rv_server_run(requests, math_handler, NULL);
	printf("math: server loop ended: %s\n", rv_strerror(ret));
	return 1;
}
