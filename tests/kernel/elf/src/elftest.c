/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The program loader refuses malformed ELF files. make_bad_elfs.py made one
 * file per defect from the valid `good` program; each must fail to spawn with
 * -RV_ENOEXEC (the kernel prints why), nothing may leak, and the controls
 * (`good`, an unchanged `copy`, and two files with program headers the
 * loader must ignore) must run and exit with 42.
 */
#include <rvos/user.h>
#include "check.h"

static const char *const refused[] = {
	"empty", "trunc_magic", "trunc_header", "trunc_phdrs", "text_file",
	"bad_magic", "wrong_machine", "class32", "big_endian", "bad_version",
	"shared_object", "bad_phentsize", "phoff_huge", "phnum_past_end",
	"overlap", "page_share", "wx", "wx_data", "no_rights", "huge_memsz",
	"memsz_2_63", "vaddr_wraps", "filesz_gt_memsz", "data_outside",
	"filesz_past_end", "kernel_vaddr", "above_user_top", "onto_stack",
	"below_user_base", "not_congruent", "entry_in_data", "entry_zero",
	"entry_past_text", "no_load", "too_many_segments",
};

static const char *const runs[] = {"good", "copy", "empty_load", "notes_ignored"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	struct rv_kstats before, after;
	struct rv_exit_info info;
	char what[96];
	long pid;

	rv_kstats(&before);
	for (unsigned int i = 0; i < N(refused); i++) {
		snprintf(what, sizeof(what), "spawn %s", refused[i]);
		pid = rv_spawn(refused[i], NULL, 8);
		CHECK_EQ(what, pid, -RV_ENOEXEC);
		if (pid > 0)
			rv_wait((int)pid, &info);
	}
	CHECK_EQ("spawn of a name not in the initrd", rv_spawn("missing", NULL, 8), -RV_ENOENT);
	CHECK_EQ("spawn of a prefix of a name", rv_spawn("trunc", NULL, 8), -RV_ENOENT);
	rv_kstats(&after);
	CHECK_EQ("refused spawns: frames_free unchanged", after.frames_free, before.frames_free);
	CHECK_EQ("refused spawns: procs_used unchanged", after.procs_used, before.procs_used);
	printf("elf: %u malformed programs refused\n", (unsigned int)N(refused));

	for (unsigned int i = 0; i < N(runs); i++) {
		snprintf(what, sizeof(what), "spawn %s", runs[i]);
		pid = rv_spawn(runs[i], NULL, 8);
		if (!CHECK_EQ(what, pid > 0, 1)) {
			printf("    spawn %s: %s\n", runs[i], rv_strerror((int)pid));
			continue;
		}
		snprintf(what, sizeof(what), "%s exits with 42", runs[i]);
		CHECK_EQ(what, rv_wait((int)pid, &info) == pid && info.reason == RV_EXIT_NORMAL ?
			 info.code : -1, 42);
	}
	return check_report("elf");
}
