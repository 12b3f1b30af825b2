/* SPDX-License-Identifier: Apache-2.0 */
#include <kernel/app.h>
#include <kernel/printk.h>

int app_main(void)
{
	for (int i = 0; i < CONFIG_HELLO_GREETINGS; i++)
		printk("Hello World! %s\n", CONFIG_BOARD);
	return 0;
}
