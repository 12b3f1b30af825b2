/* SPDX-License-Identifier: Apache-2.0 */
#include <kernel/app.h>
#include <kernel/printk.h>

int app_main(void)
{
	printk("kconfig test app: built with CONFIG_BOOT_STACK_SIZE=%d\n", CONFIG_BOOT_STACK_SIZE);
	return 0;
}
