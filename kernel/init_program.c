/* SPDX-License-Identifier: Apache-2.0 */
#include <kernel/printk.h>
#include <kernel/init_program.h>

/* The first program's name, CONFIG_INIT_PROGRAM, and the boot error that
 * names it, in a file of their own: nearly every test configuration names
 * its own program, and a file that reads an option is compiled again for
 * each of its values (doc/architecture.md, "One configuration header per
 * object"). Here that is this file's few lines, not main.c and proc.c. */
const char init_program[] = CONFIG_INIT_PROGRAM;
const char init_program_missing[] =
	KMSG("cannot start the first program, CONFIG_INIT_PROGRAM=\"" CONFIG_INIT_PROGRAM
	     "\" (is it in the app's initrd?)",
	     "CONFIG_INIT_PROGRAM=\"" CONFIG_INIT_PROGRAM "\"");
