/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX's _setjmp and _longjmp are picolibc's setjmp and longjmp (there is
 * no signal mask to leave alone). Jumps, not C wrappers: setjmp must save
 * its caller's registers and return into that frame. */
	.section .text._setjmp, "ax"
	.globl _setjmp
	.type _setjmp, @function
_setjmp:
	tail	setjmp
	.size _setjmp, . - _setjmp

	.section .text._longjmp, "ax"
	.globl _longjmp
	.type _longjmp, @function
_longjmp:
	tail	longjmp
	.size _longjmp, . - _longjmp
