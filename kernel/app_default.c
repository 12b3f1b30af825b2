/* SPDX-License-Identifier: Apache-2.0 */
#include <kernel/app.h>

/* Apps with no kernel-side code: boot, then power off with success. */
int __attribute__((weak)) app_main(void)
{
	return 0;
}
