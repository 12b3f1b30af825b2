/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbg PROGRAM [ARG...]: the shell's debugger client (doc/debugging.md,
 * "The process debugger"). The program is started through init's loader
 * at a priority below init's and the shell's, so it cannot run before
 * the shell attaches: it stops at its first instruction. Then commands,
 * one a line:
 *
 *   b ADDR|SYMBOL   a breakpoint        c      continue
 *   d ADDR|SYMBOL   remove one          s      one instruction (step)
 *   regs            the registers       x ADDR [N]   N 8-byte words
 *   bt              frame-pointer backtrace          q   kill it, leave
 *
 * Symbols come from the program's ELF file, /bin/PROGRAM (the app's disk
 * image holds its programs), when the shell can read it; otherwise
 * addresses only. Needs the DEBUG right on what the shell starts: its
 * manifest entry says `debug` and the kernel has CONFIG_DEBUGGER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/dbg.h>
#include <rvos/service.h>
#include <rvos/user.h>

#include "shell.h"

#define DBG_LINE 96
#define BT_MAX 16
#define X_MAX 32 /* words one x prints at most */

/* ---- the program's symbols (ELF64, little-endian) ---- */

struct sym {
	uint64_t value, size;
	const char *name;
};

static struct sym *syms;
static size_t nsyms;
static char *strtab;

static void syms_free(void)
{
	free(syms);
	free(strtab);
	syms = NULL;
	strtab = NULL;
	nsyms = 0;
}

static bool read_at(FILE *f, long off, void *buf, size_t n)
{
	return fseek(f, off, SEEK_SET) == 0 && fread(buf, 1, n, f) == n;
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The functions and objects of the symbol table of path, if it has one. */
static void syms_load(const char *path)
{
	uint8_t eh[64], sh[64], ent[24];
	uint64_t shoff, off = 0, size = 0, str_off = 0, str_size = 0;
	unsigned int shnum, link = 0;
	FILE *f = fopen(path, "rb");

	if (!f)
		return;
	if (!read_at(f, 0, eh, sizeof(eh)) || memcmp(eh, "\177ELF", 4) || eh[4] != 2)
		goto out;
	shoff = le(eh + 40, 8);
	shnum = (unsigned int)le(eh + 60, 2);
	for (unsigned int i = 0; i < shnum && !size; i++) {
		if (!read_at(f, (long)(shoff + i * 64), sh, sizeof(sh)))
			goto out;
		if (le(sh + 4, 4) == 2) { /* SHT_SYMTAB */
			off = le(sh + 24, 8);
			size = le(sh + 32, 8);
			link = (unsigned int)le(sh + 40, 4);
		}
	}
	if (!size || !read_at(f, (long)(shoff + link * 64), sh, sizeof(sh)))
		goto out;
	str_off = le(sh + 24, 8);
	str_size = le(sh + 32, 8);
	strtab = malloc(str_size + 1);
	syms = malloc(size / 24 * sizeof(*syms));
	if (!strtab || !syms || !read_at(f, (long)str_off, strtab, str_size)) {
		syms_free();
		goto out;
	}
	strtab[str_size] = '\0';
	for (uint64_t k = 0; k < size / 24; k++) {
		uint64_t name;

		if (!read_at(f, (long)(off + k * 24), ent, sizeof(ent)))
			break;
		name = le(ent, 4);
		/* STT_OBJECT 1, STT_FUNC 2, and global labels of assembly
		 * (STT_NOTYPE 0, STB_GLOBAL 1: _start), with an address and
		 * a name */
		if ((ent[4] & 0xf) > 2 || ((ent[4] & 0xf) == 0 && ent[4] >> 4 != 1))
			continue;
		if (!le(ent + 8, 8) || name >= str_size || !strtab[name])
			continue;
		syms[nsyms].value = le(ent + 8, 8);
		syms[nsyms].size = le(ent + 16, 8);
		syms[nsyms].name = strtab + name;
		nsyms++;
	}
out:
	fclose(f);
}

static const struct sym *sym_by_name(const char *name)
{
	for (size_t i = 0; i < nsyms; i++) {
		if (!strcmp(syms[i].name, name))
			return &syms[i];
	}
	return NULL;
}

/* "name+0x12" for addr (the nearest symbol at or below, within its size
 * when it has one), or "" */
static const char *sym_of(uint64_t addr)
{
	static char buf[80];
	const struct sym *best = NULL;

	for (size_t i = 0; i < nsyms; i++) {
		if (syms[i].value <= addr && (!best || syms[i].value > best->value))
			best = &syms[i];
	}
	if (!best || (best->size && addr >= best->value + best->size)) {
		buf[0] = '\0';
	} else if (addr == best->value) {
		snprintf(buf, sizeof(buf), " <%s>", best->name);
	} else {
		snprintf(buf, sizeof(buf), " <%s+0x%llx>", best->name,
			 (unsigned long long)(addr - best->value));
	}
	return buf;
}

/* ADDR (0x... or decimal) or SYMBOL: false when neither */
static bool parse_addr(const char *s, uint64_t *addr)
{
	const struct sym *sy;
	char *end;

	if (!s)
		return false;
	*addr = strtoull(s, &end, 0);
	if (*s >= '0' && *s <= '9' && !*end)
		return true;
	sy = sym_by_name(s);
	if (sy)
		*addr = sy->value;
	return sy != NULL;
}

/* ---- the session ---- */

static const char *const reg_names[32] = {
	"pc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
	"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
	"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

/* Say why it stopped; false when it ended (and say how). */
static bool report(rv_handle_t h, long r, const struct rv_dbg_stop *st)
{
	char how[96];

	if (r == -RV_ESRCH) {
		describe_exit(how, sizeof(how), h);
		printf("dbg: the program ended: %s\n", how);
		return false;
	}
	if (r < 0) {
		printf("dbg: %s\n", rv_strerror((int)r));
		return true;
	}
	if (st->reason == RV_DBG_STOP_BREAKPOINT)
		printf("dbg: breakpoint at 0x%llx%s\n", (unsigned long long)st->pc, sym_of(st->pc));
	else if (st->reason == RV_DBG_STOP_FAULT)
		printf("dbg: fault (scause %u) at 0x%llx%s, address 0x%llx\n", st->cause,
		       (unsigned long long)st->pc, sym_of(st->pc), (unsigned long long)st->addr);
	else
		printf("dbg: stopped at 0x%llx%s\n", (unsigned long long)st->pc, sym_of(st->pc));
	return true;
}

static void show_regs(rv_handle_t h)
{
	struct rv_dbg_regs regs;
	long r = rv_debug(RV_DBG_GETREGS, h, (uint64_t)(uintptr_t)&regs, 0, 0);

	if (r < 0) {
		printf("dbg: regs: %s\n", rv_strerror((int)r));
		return;
	}
	for (unsigned int i = 0; i < 32; i++)
		printf("%-3s 0x%016llx%s", reg_names[i], (unsigned long long)regs.x[i],
		       i % 4 == 3 ? "\n" : "  ");
	printf("pc%s\n", sym_of(regs.x[0]));
}

static void examine(rv_handle_t h, uint64_t addr, unsigned long n)
{
	uint64_t w;

	if (n == 0 || n > X_MAX)
		n = n ? X_MAX : 1;
	for (unsigned long i = 0; i < n; i++, addr += 8) {
		long r = rv_debug(RV_DBG_READ, h, addr, (uint64_t)(uintptr_t)&w, 8);

		if (r < 0) {
			printf("0x%llx: %s\n", (unsigned long long)addr, rv_strerror((int)r));
			return;
		}
		printf("0x%llx%s: 0x%016llx\n", (unsigned long long)addr, sym_of(addr),
		       (unsigned long long)w);
	}
}

/* Programs keep a frame pointer (-fno-omit-frame-pointer): s0 is the
 * frame's top, the return address at s0 - 8, the caller's s0 at s0 - 16. */
static void backtrace(rv_handle_t h)
{
	struct rv_dbg_regs regs;
	uint64_t fp, ra, pc;

	if (rv_debug(RV_DBG_GETREGS, h, (uint64_t)(uintptr_t)&regs, 0, 0) < 0) {
		printf("dbg: bt: not stopped\n");
		return;
	}
	pc = regs.x[0];
	fp = regs.x[8];
	printf("#0  0x%llx%s\n", (unsigned long long)pc, sym_of(pc));
	/* stopped at a function's first instruction (a breakpoint on its
	 * name): its frame is not made yet, the caller is in ra, and s0 is
	 * still the caller's frame */
	int i = 1;
	const struct sym *at = NULL;

	for (size_t k = 0; k < nsyms && !at; k++)
		at = syms[k].value == pc ? &syms[k] : NULL;
	if (at && regs.x[1]) {
		printf("#1  0x%llx%s\n", (unsigned long long)regs.x[1], sym_of(regs.x[1]));
		i = 2;
	}
	for (; i < BT_MAX && fp; i++) {
		if (rv_debug(RV_DBG_READ, h, fp - 8, (uint64_t)(uintptr_t)&ra, 8) < 0 ||
		    rv_debug(RV_DBG_READ, h, fp - 16, (uint64_t)(uintptr_t)&fp, 8) < 0 || !ra)
			break;
		printf("#%d  0x%llx%s\n", i, (unsigned long long)ra, sym_of(ra));
	}
}

/* c: off a breakpoint at pc by one step first, then run to the next stop */
static bool cont(rv_handle_t h)
{
	struct rv_dbg_regs regs;
	struct rv_dbg_stop st;
	long r;

	if (rv_debug(RV_DBG_GETREGS, h, (uint64_t)(uintptr_t)&regs, 0, 0) == 0 &&
	    rv_debug(RV_DBG_BREAK_CLEAR, h, regs.x[0], 0, 0) == 0) {
		rv_debug(RV_DBG_BREAK_SET, h, regs.x[0], 0, 0);
		r = rv_dbg_step(h, 0, &st);
		if (r < 0 || st.reason != RV_DBG_STOP_BREAKPOINT)
			return report(h, r, &st);
	}
	r = rv_debug(RV_DBG_RESUME, h, 0, 0, 0);
	if (r == 0)
		r = rv_dbg_wait(h, 0, &st);
	return report(h, r, &st);
}

static void session(rv_handle_t h)
{
	char line[DBG_LINE];
	struct rv_dbg_stop st;
	bool alive = true;

	while (alive && shell_read_line("(dbg) ", line, sizeof(line))) {
		char *cmd = strtok(line, " \t"), *a1 = strtok(NULL, " \t"), *a2 = strtok(NULL, " \t");
		uint64_t addr;
		long r;

		if (!cmd)
			continue;
		if (!strcmp(cmd, "q")) {
			break;
		} else if (!strcmp(cmd, "c")) {
			alive = cont(h);
		} else if (!strcmp(cmd, "s")) {
			r = rv_dbg_step(h, 0, &st);
			alive = report(h, r, &st);
		} else if (!strcmp(cmd, "regs")) {
			show_regs(h);
		} else if (!strcmp(cmd, "bt")) {
			backtrace(h);
		} else if ((!strcmp(cmd, "b") || !strcmp(cmd, "d") || !strcmp(cmd, "x")) &&
			   !parse_addr(a1, &addr)) {
			printf("dbg: %s: want an address or a symbol of the program\n", cmd);
		} else if (!strcmp(cmd, "b")) {
			r = rv_debug(RV_DBG_BREAK_SET, h, addr, 0, 0);
			if (r < 0)
				printf("dbg: b: %s\n", rv_strerror((int)r));
			else
				printf("dbg: breakpoint at 0x%llx%s\n", (unsigned long long)addr,
				       sym_of(addr));
		} else if (!strcmp(cmd, "d")) {
			r = rv_debug(RV_DBG_BREAK_CLEAR, h, addr, 0, 0);
			if (r < 0)
				printf("dbg: d: %s\n", rv_strerror((int)r));
		} else if (!strcmp(cmd, "x")) {
			examine(h, addr, a2 ? strtoul(a2, NULL, 0) : 1);
		} else {
			printf("dbg: commands: b ADDR|SYMBOL, d ADDR|SYMBOL, c, s, regs, "
			       "x ADDR [N], bt, q\n");
		}
	}
	if (alive) {
		rv_process_kill(h);
		printf("dbg: killed it\n");
	}
}

int cmd_dbg(int argc, char **argv)
{
	struct rv_dbg_regs regs;
	struct rv_handle_info info;
	char path[SVC_NAME_MAX + 8];
	unsigned int prio = CONFIG_DEFAULT_PRIORITY + 1 < CONFIG_NUM_PRIORITIES
				    ? CONFIG_DEFAULT_PRIORITY + 1
				    : CONFIG_NUM_PRIORITIES - 1;
	struct rv_spawn_env env = {
		.program = argc > 1 ? argv[1] : NULL,
		.argv = (const char *const *)argv + 2,
		.priority = prio,
	};
	rv_handle_t h;
	long r;

	if (argc < 2) {
		usage(command_find("dbg"));
		return 1;
	}
	r = rv_loader_spawn_env(&env, &h);
	if (r < 0) {
		printf("dbg: %s: %s\n", argv[1], rv_strerror((int)r));
		return 1;
	}
	if (rv_handle_info(h, &info) < 0 || !(info.rights & RV_RIGHT_DEBUG)) {
		printf("dbg: no DEBUG right on %s (the shell's manifest entry needs the option "
		       "debug)\n", argv[1]);
		rv_process_kill(h);
		rv_handle_close(h);
		return 1;
	}
	r = rv_debug(RV_DBG_ATTACH, h, 0, 0, 0);
	if (r < 0) {
		printf("dbg: attach: %s\n", rv_strerror((int)r));
		rv_process_kill(h);
		rv_handle_close(h);
		return 1;
	}
	snprintf(path, sizeof(path), "/bin/%s", argv[1]);
	if (!strchr(argv[1], '/'))
		syms_load(path);
	if (rv_debug(RV_DBG_GETREGS, h, (uint64_t)(uintptr_t)&regs, 0, 0) == 0)
		printf("dbg: %s (pid %d) stopped at 0x%llx%s, %zu symbols\n", argv[1], info.pid,
		       (unsigned long long)regs.x[0], sym_of(regs.x[0]), nsyms);
	else
		printf("dbg: %s (pid %d) attached; it stops when its wait ends\n", argv[1],
		       info.pid);
	session(h);
	syms_free();
	rv_handle_close(h);
	return 0;
}
