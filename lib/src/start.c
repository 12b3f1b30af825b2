/* SPDX-License-Identifier: Apache-2.0 */
/* C runtime start: thread-local storage (picolibc's errno lives there),
 * constructors, then main; its return value is the exit status. */
#include <stdlib.h>
#include <rvos/user.h>

extern char __tls_base[];
extern void _set_tls(void *tls);
extern void __libc_init_array(void);
extern int main(int argc, char **argv);

void __attribute__((noreturn)) __rvos_start(int argc, char **argv);

void __rvos_start(int argc, char **argv)
{
	/* The .tdata template is the block itself (one thread per process):
	 * .tbss is zero already, as part of the zero-filled data segment. */
	_set_tls(__tls_base);
	__libc_init_array();
	exit(main(argc, argv));
}

void _exit(int status)
{
	rv_exit(status);
}

long rv_spawn(const char *name, const char *const argv[], unsigned int priority)
{
	char args[1024];
	size_t len = 0;

	for (unsigned int i = 0; argv && argv[i]; i++) {
		const char *s = argv[i];
		do {
			if (len == sizeof(args))
				return -RV_E2BIG;
			args[len++] = *s;
		} while (*s++);
	}
	return rv_spawn_raw(name, args, len, priority);
}
