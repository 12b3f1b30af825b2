/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The math service ("math"): 64-bit signed arithmetic over the wire codec.
 *
 *   MATH_OP_ADD / SUB / MUL / DIV   i64 a, i64 b  ->  i64 result
 *
 * Errors: -RV_EINVAL division by zero; -RV_ERANGE the result does not fit
 * in an i64 (INT64_MIN / -1 included); -RV_EBADMSG a malformed request;
 * -RV_ENOSYS an unknown op.
 */
#ifndef RVOS_MATHSVC_H
#define RVOS_MATHSVC_H

#define MATH_SERVICE_NAME "math"

enum math_op {
	MATH_OP_ADD = 1,
	MATH_OP_SUB = 2,
	MATH_OP_MUL = 3,
	MATH_OP_DIV = 4,
};

#endif /* RVOS_MATHSVC_H */
