/* SPDX-License-Identifier: Apache-2.0 */
/* picolibc's <setjmp.h>, and POSIX's _setjmp/_longjmp and sigsetjmp/
 * siglongjmp, which it declares only for Cygwin and RTEMS. rvOS has no
 * signal masks to save or restore: they are setjmp and longjmp
 * (lib/src/setjmp.S). */
#ifndef RVOS_SETJMP_H
#define RVOS_SETJMP_H

#include_next <setjmp.h>

#if __POSIX_VISIBLE
int _setjmp(jmp_buf env) __attribute__((returns_twice));
void _longjmp(jmp_buf env, int val) __attribute__((noreturn));

#ifndef sigsetjmp
typedef jmp_buf sigjmp_buf;
/* Macros, as POSIX allows: a function could not return twice into its
 * caller's frame. savemask is not evaluated. */
#define sigsetjmp(env, savemask) setjmp(env)
#define siglongjmp(env, val) longjmp((env), (val))
#endif /* sigsetjmp */
#endif /* __POSIX_VISIBLE */

#endif /* RVOS_SETJMP_H */
