/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greet: asks for a name on stdin (a line, edited by the console in cooked
 * mode) and answers. Shows that a program the shell runs in the foreground
 * gets what is typed.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char name[64];

	printf("greet: your name? ");
	if (!fgets(name, sizeof(name), stdin)) {
		printf("\ngreet: no name (end of input)\n");
		return 1;
	}
	name[strcspn(name, "\n")] = '\0';
	printf("greet: hello, %s!\n", name);
	return 0;
}
