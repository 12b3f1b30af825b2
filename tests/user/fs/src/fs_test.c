#include <stdio.h>
#include <string.h>
#include <rvos/fs.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "check.h"

int main(void)
{
	rv_handle_t root, f;
	char buf[64];

	CHECK_EQ("connect", rv_connect_wait(FS_SERVICE_NAME, &root, rv_clock_ns() + 2000000000ull), 0);
	CHECK_EQ("open", fs_open(root, "/a", FS_O_READ | FS_O_WRITE | FS_O_CREAT, 0644, &f, NULL), 0);
	CHECK_EQ("write", fs_write(f, "hello", 5), 5);
	CHECK_EQ("pread", fs_pread(f, 0, buf, sizeof(buf)), 5);
	CHECK("bytes", !memcmp(buf, "hello", 5));
	return check_report("fs");
}
