/* SPDX-License-Identifier: Apache-2.0 */
/* The smallest program: the C runtime's start-up and exit, nothing else. */
int main(void)
{
	return 0;
}
