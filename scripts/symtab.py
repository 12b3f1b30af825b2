#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Make the kernel's function-name table (for panic backtraces).

The table is assembled into section .ksyms, which the linker script places
after every other section, so adding it moves no function: the addresses read
from link pass 1 stay true in pass 2. --verify checks exactly that.

Layout (see kernel/symtab.c):
  ksym_count: .quad N
  ksym_addrs: N x .quad address, ascending
  ksym_name_offsets: N x .word offset into ksym_names
  ksym_names: NUL-terminated names
"""

import argparse
import subprocess
import sys


class SymtabError(Exception):
    pass


def text_symbols(nm, elf):
    out = subprocess.run([nm, "-n", elf], capture_output=True, text=True)
    if out.returncode != 0:
        raise SymtabError(f"symtab.py: {nm} -n {elf} failed: {out.stderr.strip()}")
    syms = []
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW" and not parts[2].startswith("."):
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def moved(nm, pass1, pass2):
    """None when every function of pass2 lies where pass1 had it, else
    the error to print. (scripts/imagecheck.py --same-functions runs it
    after the build's link, in the Python start of its own checks.)"""
    one, two = text_symbols(nm, pass1), text_symbols(nm, pass2)
    if one == two:
        return None
    diff = [f"{n}: 0x{x:x}" for (x, n) in two if (x, n) not in set(one)][:5]
    return ("symtab.py: functions moved between link passes, backtrace names would be "
            "wrong (is .ksyms still last in arch/riscv/kernel.ld?): " + ", ".join(diff))


def emit(path, syms):
    lines = ['\t.section .ksyms, "a"', "\t.balign 8",
             "\t.globl ksym_count", "ksym_count:", f"\t.quad {len(syms)}",
             "\t.globl ksym_addrs", "ksym_addrs:"]
    lines += [f"\t.quad 0x{a:x}" for a, _ in syms]
    lines += ["\t.globl ksym_name_offsets", "ksym_name_offsets:"]
    off = 0
    for _, name in syms:
        lines.append(f"\t.word {off}")
        off += len(name) + 1
    lines += ["\t.globl ksym_names", "ksym_names:"]
    lines += [f'\t.asciz "{name}"' for _, name in syms]
    if not syms:
        lines.append("\t.byte 0")
    text = "\n".join(lines) + "\n"
    try:
        if open(path).read() == text:
            return
    except OSError:
        pass
    with open(path, "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--empty", metavar="OUT", help="write an empty table (link pass 1; the build has CMake write it: cmake/kernel.cmake)")
    p.add_argument("--nm", default="riscv64-unknown-elf-nm", help="nm to read symbols with")
    p.add_argument("--elf", help="pass-1 kernel to read functions from")
    p.add_argument("--out", help="assembly file to write")
    p.add_argument("--verify", nargs=2, metavar=("PASS1", "PASS2"),
                   help="check that no function moved between the two links")
    a = p.parse_args()
    try:
        if a.empty:
            emit(a.empty, [])
        elif a.verify:
            why = moved(a.nm, *a.verify)
            if why:
                sys.exit(why)
        elif a.elf and a.out:
            emit(a.out, text_symbols(a.nm, a.elf))
        else:
            p.error("give --empty OUT, --elf ELF --out OUT, or --verify PASS1 PASS2")
    except SymtabError as e:
        sys.exit(str(e))


if __name__ == "__main__":
    main()
