/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_INIT_PROGRAM_H
#define KERNEL_INIT_PROGRAM_H

/* CONFIG_INIT_PROGRAM, the program the kernel starts first, and the boot
 * error's text when it cannot (kernel/init_program.c). */
extern const char init_program[];
extern const char init_program_missing[];

#endif /* KERNEL_INIT_PROGRAM_H */
