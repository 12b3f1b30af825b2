/* SPDX-License-Identifier: Apache-2.0 */
/* A small printf program (libc_bench's spawn_picolibc): picolibc's
 * start-up, one formatted printf of one character (no newline: exit's
 * flush writes it), exit. */
#include <stdio.h>

int main(int argc, char **argv)
{
	/* %.*s: a real format, which gcc does not turn into putchar. */
	printf("%.*s", 1, argc > 1 ? argv[1] : ".");
	return 0;
}
