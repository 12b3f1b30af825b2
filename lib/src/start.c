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

/* argv strings back to back, as spawn wants them; length or -E2BIG. */
static long pack_args(const char *const argv[], char *args, size_t size)
{
	size_t len = 0;

	for (unsigned int i = 0; argv && argv[i]; i++) {
		const char *s = argv[i];
		do {
			if (len == size)
				return -RV_E2BIG;
			args[len++] = *s;
		} while (*s++);
	}
	return (long)len;
}

long rv_spawn(const char *name, const char *const argv[], unsigned int priority)
{
	char args[CONFIG_SPAWN_ARGS_MAX_BYTES];
	long len = pack_args(argv, args, sizeof(args));

	return len < 0 ? len : rv_spawn_raw(name, args, (size_t)len, priority);
}

long rv_process_spawn(const char *name, const char *const argv[], unsigned int priority,
		      const rv_handle_t *give, uint32_t count)
{
	char args[CONFIG_SPAWN_ARGS_MAX_BYTES];
	long len = pack_args(argv, args, sizeof(args));

	return len < 0 ? len : rv_process_spawn_raw(name, args, (size_t)len, priority, give, count);
}
