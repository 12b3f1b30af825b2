/* SPDX-License-Identifier: Apache-2.0 */
/* C runtime start: thread-local storage (picolibc's errno lives there),
 * the environment, constructors, then main; its return value is the exit
 * status. And the kernel's spawn calls, which pass the caller's
 * environment on. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/user.h>

extern char __tls_base[];
extern char **environ; /* picolibc's: getenv, setenv, unsetenv, putenv use it */
extern void _set_tls(void *tls);
extern void __libc_init_array(void);
extern int main(int argc, char **argv, char **envp);

void __attribute__((noreturn)) __rvos_start(int argc, char **argv, char **envp);

void __rvos_start(int argc, char **argv, char **envp)
{
	/* The .tdata template is the block itself (one thread per process):
	 * .tbss is zero already, as part of the zero-filled data segment. */
	_set_tls(__tls_base);
	/* The array and strings the spawner passed, on the stack: setenv
	 * and unsetenv change them in place or copy them to the heap. */
	environ = envp;
	__libc_init_array();
	exit(main(argc, argv, envp));
}

/* picolibc's setenv and unsetenv refuse a name with '=' but take an
 * empty one, which POSIX refuses too (EINVAL): every call goes through
 * these first (-Wl,--wrap, cmake/user.cmake). */
int __real_setenv(const char *name, const char *value, int overwrite);
int __real_unsetenv(const char *name);

static int env_name_ok(const char *name)
{
	if (name && name[0] && !strchr(name, '='))
		return 1;
	errno = EINVAL;
	return 0;
}

int __wrap_setenv(const char *name, const char *value, int overwrite)
{
	return env_name_ok(name) ? __real_setenv(name, value, overwrite) : -1;
}

int __wrap_unsetenv(const char *name)
{
	return env_name_ok(name) ? __real_unsetenv(name) : -1;
}

void _exit(int status)
{
	rv_exit(status);
}

long rv_pack_strings(const char *const v[], char *buf, size_t size)
{
	size_t len = 0;

	for (unsigned int i = 0; v && v[i]; i++) {
		const char *s = v[i];
		do {
			if (len == size)
				return -RV_E2BIG;
			buf[len++] = *s;
		} while (*s++);
	}
	return (long)len;
}

long rv_pack_args_env(const char *const argv[], const char *const envp[], char *buf)
{
	long args = rv_pack_strings(argv, buf, CONFIG_SPAWN_ARGS_MAX_BYTES);
	long env;

	if (args < 0)
		return args;
	env = rv_pack_strings(envp ? envp : (const char *const *)environ, buf + args,
			      CONFIG_SPAWN_ENV_MAX_BYTES);
	return env < 0 ? env : (long)RV_SPAWN_ARGS_LEN(args, env);
}

long rv_spawn(const char *name, const char *const argv[], unsigned int priority)
{
	char buf[RV_SPAWN_BUF_BYTES];
	long len = rv_pack_args_env(argv, NULL, buf);

	return len < 0 ? len : rv_spawn_raw(name, buf, (uint64_t)len, priority);
}

long rv_process_spawn(const char *name, const char *const argv[], unsigned int priority,
		      const rv_handle_t *give, uint32_t count)
{
	char buf[RV_SPAWN_BUF_BYTES];
	long len = rv_pack_args_env(argv, NULL, buf);

	return len < 0 ? len : rv_process_spawn_raw(name, buf, (uint64_t)len, priority, give, count);
}
