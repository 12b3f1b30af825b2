#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""rvOS footprint (`rv footprint`): how much memory a build's kernel takes.

  rv footprint [-d DIR]            ROM and RAM per section, the largest symbols
  rv footprint -l                  ... with each symbol's source file:line
  rv footprint --objects           size per object file linked into rvos.elf
                                   (e.g. `rv footprint --objects | grep ns16550`
                                   shows whether a driver is in the image)
  rv footprint --pools             RAM by static pool: the kernel's tables and
                                   buffers, each with the options that size it
  rv footprint --compare A B       what going from build folder (or ELF file) A
                                   to B costs: per section, per kind, and the
                                   symbols that appeared, went or changed size

ROM is every allocated section that is not writable (.text, .rodata, ...);
RAM is every allocated writable one (.data, .sdata, .bss, stacks, ...). The
numbers come from riscv64-unknown-elf-readelf and -nm run on DIR/rvos.elf.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

READELF = "riscv64-unknown-elf-readelf"
NM = "riscv64-unknown-elf-nm"
DEFAULT_DIR = "build"
DEFINED_TYPES = set("TtDdBbRrGgSsVvWw")


class FootprintError(Exception):
    """A user-facing error: says what is wrong and how to fix it."""


def tool(name):
    if not shutil.which(name):
        raise FootprintError(f"{name} not found: install Debian's binutils-riscv64-unknown-elf "
                             f"(`./rv setup` does it)")
    return name


def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           errors="replace")
    except OSError as e:
        raise FootprintError(f"cannot run {cmd[0]}: {e.strerror}")
    if p.returncode != 0:
        raise FootprintError(f"`{' '.join(cmd)}` failed: {p.stderr.strip()}")
    return p.stdout


# ---------------------------------------------------------------- sections

class Section:
    def __init__(self, name, type_, addr, size, flags):
        self.name = name
        self.type = type_
        self.addr = addr
        self.size = size
        self.flags = flags

    @property
    def alloc(self):
        return "A" in self.flags

    @property
    def writable(self):
        return "W" in self.flags

    @property
    def kind(self):
        if "X" in self.flags:
            return "code"
        if self.type == "NOBITS":
            return "zeroed"
        return "data" if self.writable else "rodata"


SECTION_RE = re.compile(r"^\s*\[\s*(\d+)\]\s+(.*)$")


def read_sections(path):
    """Sections of an ELF file, from `readelf -S -W`."""
    out = []
    for line in run([tool(READELF), "-S", "-W", path]).splitlines():
        m = SECTION_RE.match(line)
        if not m or m.group(1) == "0":
            continue
        fields = m.group(2).split()
        # Name Type Address Off Size ES [Flg] Lk Inf Al: Flg may be empty.
        if len(fields) == 10:
            name, type_, addr, _, size, _, flags = fields[:7]
        elif len(fields) == 9:
            name, type_, addr, _, size, _ = fields[:6]
            flags = ""
        else:
            continue
        try:
            out.append(Section(name, type_, int(addr, 16), int(size, 16), flags))
        except ValueError:
            continue
    return out


def print_sections(sections):
    rom = [s for s in sections if s.alloc and not s.writable and s.size]
    ram = [s for s in sections if s.alloc and s.writable and s.size]
    width = max([len(s.name) for s in rom + ram] + [8])
    for title, group in (("ROM (allocated, read-only)", rom),
                         ("RAM (allocated, writable)", ram)):
        total = sum(s.size for s in group)
        print(f"{title}:")
        print(f"  {'section':<{width}}  {'address':>18}  {'bytes':>9}  {'share':>6}  kind")
        for s in group:
            share = 100.0 * s.size / total if total else 0.0
            print(f"  {s.name:<{width}}  {s.addr:#18x}  {s.size:>9}  {share:5.1f}%  {s.kind}")
        print(f"  {'total':<{width}}  {'':>18}  {total:>9}  ({total / 1024:.1f} KiB)")
        print()
    loaded = sum(s.size for s in rom) + sum(s.size for s in ram if s.type != "NOBITS")
    print(f"Image loaded by QEMU (ROM + initialised RAM): {loaded} bytes; "
          f"RAM including zeroed: {sum(s.size for s in ram)} bytes")


# ---------------------------------------------------------------- symbols

class Symbol:
    def __init__(self, addr, size, type_, name, where=""):
        self.addr = addr
        self.size = size
        self.type = type_
        self.name = name
        self.where = where


def read_symbols(path, with_lines=False):
    """Symbols with a size, from `nm --size-sort -S -C [-l]`, largest first."""
    cmd = [tool(NM), "--size-sort", "-S", "-C"] + (["-l"] if with_lines else []) + [path]
    out = []
    for line in run(cmd).splitlines():
        where = ""
        if "\t" in line:
            line, where = line.split("\t", 1)
        parts = line.split(None, 3)
        if len(parts) != 4:
            continue
        try:
            out.append(Symbol(int(parts[0], 16), int(parts[1], 16), parts[2], parts[3],
                              where.strip()))
        except ValueError:
            continue
    out.sort(key=lambda s: (-s.size, s.name))
    return out


def read_all_symbols(path):
    """Every symbol, sized or not (labels too), from `nm`."""
    out = []
    for line in run([tool(NM), path]).splitlines():
        parts = line.split()
        if len(parts) == 3:
            try:
                out.append(Symbol(int(parts[0], 16), 0, parts[1], parts[2]))
            except ValueError:
                continue
    return out


def section_of(addr, sections):
    for s in sections:
        if s.alloc and s.addr <= addr < s.addr + max(s.size, 1):
            return s
    return None


def print_symbols(elf, sections, count, with_lines):
    symbols = read_symbols(elf, with_lines)[:count]
    print(f"{len(symbols)} largest symbols:")
    if not symbols:
        return
    width = max(len(s.name) for s in symbols)
    secw = max([len(section_of(s.addr, sections).name) for s in symbols
                if section_of(s.addr, sections)] + [7])
    print(f"  {'bytes':>8}  type  {'section':<{secw}}  {'kind':<6}  name")
    for sym in symbols:
        sec = section_of(sym.addr, sections)
        name = sym.name if not sym.where else f"{sym.name:<{width}}  {rel_source(sym.where)}"
        print(f"  {sym.size:>8}  {sym.type:^4}  {sec.name if sec else '?':<{secw}}  "
              f"{sec.kind if sec else '?':<6}  {name}")


def short(path):
    """path relative to the current folder when that is shorter."""
    r = os.path.relpath(path)
    return r if len(r) < len(path) else path


def rel_source(where):
    """file:line relative to the current folder when that is shorter."""
    path, sep, line = where.rpartition(":")
    if not sep or not line.isdigit():
        path, line = where, ""
    r = short(path) if os.path.isabs(path) else path
    return f"{r}:{line}" if line else r


# ---------------------------------------------------------------- objects

def linked_objects(build_dir):
    """Object files of rvos.elf: from build.ninja's link step, else every
    object under CMakeFiles (a build without Ninja)."""
    ninja = os.path.join(build_dir, "build.ninja")
    if os.path.exists(ninja):
        text = open(ninja, encoding="utf-8", errors="replace").read().replace("$\n", " ")
        for line in text.splitlines():
            if line.startswith("build rvos.elf:"):
                inputs = line.split(":", 1)[1].split()[1:]       # skip the rule name
                objs = []
                for item in inputs:
                    if item in ("|", "||"):
                        break
                    if item.endswith((".o", ".obj")):
                        objs.append(os.path.join(build_dir, item.replace("$ ", " ")))
                if objs:
                    return objs
    pattern = os.path.join(build_dir, "**", "CMakeFiles", "**", "*.o")
    found = glob.glob(pattern, recursive=True) + glob.glob(pattern + "bj", recursive=True)
    return sorted(set(found))


def object_label(build_dir, path):
    """The source an object came from: CMakeFiles/T.dir/drivers/x.c.obj -> drivers/x.c."""
    r = os.path.relpath(path, build_dir)
    m = re.search(r"CMakeFiles/[^/]+\.dir/(.*)$", r)
    label = m.group(1) if m else r
    return re.sub(r"\.(o|obj)$", "", label)


def defined_names(path):
    """(global, local) defined symbol names of an object file."""
    glob_names, local_names = set(), set()
    for line in run([tool(NM), path]).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in DEFINED_TYPES:
            (glob_names if parts[1].isupper() else local_names).add(parts[2])
    return glob_names, local_names


def print_objects(build_dir, elf):
    objs = linked_objects(build_dir)
    if not objs:
        raise FootprintError(f"no object files under {build_dir}/CMakeFiles: is {build_dir} a "
                             f"CMake build folder? (`rv build -d {build_dir}`)")
    in_elf = {sym.name for sym in read_all_symbols(elf)}
    rows = []
    for obj in objs:
        if not os.path.exists(obj):
            continue
        sizes = {"code": 0, "rodata": 0, "data": 0, "zeroed": 0}
        for s in read_sections(obj):
            if s.alloc:
                sizes[s.kind] += s.size
        glob_names, local_names = defined_names(obj)
        names = glob_names or local_names
        kept = "yes" if not names or names & in_elf else "no (removed by --gc-sections)"
        rows.append((sum(sizes.values()), object_label(build_dir, obj), sizes, kept))
    rows.sort(key=lambda r: (-r[0], r[1]))
    width = max(len(r[1]) for r in rows)
    print(f"Object files linked into {short(elf)} (sizes before --gc-sections):")
    print(f"  {'object':<{width}}  {'code':>8}  {'rodata':>8}  {'data':>8}  {'zeroed':>8}  "
          f"{'total':>8}  in image")
    for total, label, s, kept in rows:
        print(f"  {label:<{width}}  {s['code']:>8}  {s['rodata']:>8}  {s['data']:>8}  "
              f"{s['zeroed']:>8}  {total:>8}  {kept}")
    print(f"  {len(rows)} objects, {sum(r[0] for r in rows)} bytes")


# ---------------------------------------------------------------- pools

POOL_MIN = 512    # smaller writable objects are summed as "the rest"


def print_pools(build_dir, elf):
    """The kernel's RAM by static pool (writable objects of POOL_MIN bytes
    or more), largest first, each named with the options that size it
    (scripts/imagecheck.py's table) and their values in the build."""
    import imagecheck
    sections = read_sections(elf)
    ram = [s for s in sections if s.alloc and s.writable and s.size]
    total = sum(s.size for s in ram)
    config = {}
    try:
        config = imagecheck.read_config(os.path.join(build_dir, ".config"))
    except (OSError, imagecheck.CheckError):
        pass
    pools = []
    for sym in read_symbols(elf):
        sec = section_of(sym.addr, sections)
        if sec in ram and sym.size >= POOL_MIN:
            pools.append(sym)
    # The boot stack: a linker-script gap between two labels, no sized symbol.
    labels = {sym.name: sym.addr for sym in read_all_symbols(elf)
              if sym.name in ("_boot_stack_bottom", "_boot_stack_top")}
    if len(labels) == 2:
        pools.append(Symbol(labels["_boot_stack_bottom"],
                            labels["_boot_stack_top"] - labels["_boot_stack_bottom"], "b",
                            "_boot_stack"))
        pools.sort(key=lambda p: -p.size)
    width = max([len(p.name) for p in pools] + [6])
    print(f"RAM of {short(elf)} by static pool ({total} bytes in all, {total / 1024:.1f} KiB):")
    print(f"  {'bytes':>9}  {'share':>6}  {'object':<{width}}  what, and the options that size it")
    for p in pools:
        what, options = imagecheck.POOLS.get(p.name, ("", []))
        if p.name == "_boot_stack":
            what = "the boot stack (arch/riscv/kernel.ld; kernel_main runs on it)"
        shown = ", ".join(f"CONFIG_{o}={config.get(o, '?')}" for o in options)
        text = what + (f": {shown}" if shown else "")
        print(f"  {p.size:>9}  {100.0 * p.size / total:5.1f}%  {p.name:<{width}}  {text}")
    rest = total - sum(p.size for p in pools)
    print(f"  {rest:>9}  {100.0 * rest / total if total else 0:5.1f}%  {'(rest)':<{width}}  "
          f"objects under {POOL_MIN} bytes")


# ---------------------------------------------------------------- summary and compare

KINDS = ("code", "rodata", "data", "zeroed")
SYMTAB_SECTION = ".ksyms"     # the kernel's symbol table (panic backtraces)


def summary(elf):
    """ROM and RAM of an ELF file by kind, in bytes: code, rodata, data,
    zeroed, rom (code + rodata), ram (data + zeroed). What `rv test`
    records for each scenario in report.json."""
    out = dict.fromkeys(KINDS, 0)
    out["ksyms"] = 0
    for s in read_sections(elf):
        if s.alloc and s.size:
            out[s.kind] += s.size
            if s.name == SYMTAB_SECTION:
                out["ksyms"] += s.size
    out["rom"] = out["code"] + out["rodata"]
    out["rom_no_ksyms"] = out["rom"] - out["ksyms"]
    out["ram"] = out["data"] + out["zeroed"]
    return out


def elf_of(path):
    """A build folder's rvos.elf, or path itself when it is a file."""
    if os.path.isdir(path):
        elf = os.path.join(path, "rvos.elf")
        if not os.path.isfile(elf):
            raise FootprintError(f"no rvos.elf in {path}: run `rv build -b BOARD APP -d {path}` "
                                 f"first")
        return elf
    if not os.path.isfile(path):
        raise FootprintError(f"{path}: no such build folder or ELF file")
    return path


def signed(n):
    return f"{n:+d}" if n else "0"


def compare(a, b, count):
    """Print what going from ELF a to ELF b costs."""
    sa = {s.name: s for s in read_sections(a) if s.alloc and s.size}
    sb = {s.name: s for s in read_sections(b) if s.alloc and s.size}
    names = [n for n in sa] + [n for n in sb if n not in sa]
    width = max([len(n) for n in names] + [19])
    print(f"Footprint from A = {short(a)}\n            to B = {short(b)}\n")
    print(f"  {'section':<{width}}  {'kind':<6}  {'A':>9}  {'B':>9}  {'B - A':>9}")
    for n in names:
        sec = sa.get(n) or sb.get(n)
        x = sa[n].size if n in sa else 0
        y = sb[n].size if n in sb else 0
        print(f"  {n:<{width}}  {sec.kind:<6}  {x:>9}  {y:>9}  {signed(y - x):>9}")
    ka, kb = summary(a), summary(b)
    print()
    for k, label in (("code", "code"), ("rodata", "rodata"), ("rom", "ROM (code + rodata)"),
                     ("rom_no_ksyms", f"ROM without {SYMTAB_SECTION}"),
                     ("data", "data"), ("zeroed", "zeroed (bss, stacks)"),
                     ("ram", "RAM (data + zeroed)")):
        print(f"  {label:<{width + 8}}  {ka[k]:>9}  {kb[k]:>9}  {signed(kb[k] - ka[k]):>9}")
    if not count:
        return
    syms_a = {s.name: s for s in read_symbols(a)}
    syms_b = {s.name: s for s in read_symbols(b)}
    changes = []
    for n in set(syms_a) | set(syms_b):
        x = syms_a[n].size if n in syms_a else 0
        y = syms_b[n].size if n in syms_b else 0
        if x != y:
            what = "new" if n not in syms_a else "gone" if n not in syms_b else "size"
            sec = section_of((syms_b.get(n) or syms_a.get(n)).addr,
                             list(sb.values()) if n in syms_b else list(sa.values()))
            changes.append((-abs(y - x), n, x, y, what, sec.kind if sec else "?"))
    changes.sort()
    print()
    if not changes:
        print("No symbol changed size.")
        return
    shown = changes[:count]
    print(f"{len(shown)} largest symbol changes (of {len(changes)}):")
    w = max(len(c[1]) for c in shown)
    print(f"  {'symbol':<{w}}  {'kind':<6}  {'A':>8}  {'B':>8}  {'B - A':>8}")
    for _, n, x, y, what, kind in shown:
        note = "  (new)" if what == "new" else "  (gone)" if what == "gone" else ""
        print(f"  {n:<{w}}  {kind:<6}  {x:>8}  {y:>8}  {signed(y - x):>8}{note}")


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(prog="rv footprint",
                                description="ROM and RAM use of a build's rvos.elf by section, "
                                "its largest symbols, or its object files.")
    p.add_argument("-d", "--build-dir", default=DEFAULT_DIR,
                   help=f"build folder holding rvos.elf (default: {DEFAULT_DIR})")
    p.add_argument("-n", "--symbols", type=int, default=20, metavar="N",
                   help="how many of the largest symbols to list (default 20; 0 for none)")
    p.add_argument("-l", "--lines", action="store_true",
                   help="show each symbol's source file:line (nm -l; slower)")
    p.add_argument("--objects", action="store_true",
                   help="list the object files linked into rvos.elf with their sizes instead "
                   "(which drivers and kernel files are in the image)")
    p.add_argument("--pools", action="store_true",
                   help="RAM by static pool, each with the Kconfig options that size it")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"),
                   help="what going from A to B costs (each a build folder or an ELF file): "
                   "per section and kind, and the -n symbols whose size changed most")
    args = p.parse_args(argv)
    if args.symbols < 0:
        p.error("-n must be 0 or more")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    build_dir = args.build_dir
    elf = os.path.join(build_dir, "rvos.elf")
    try:
        if args.compare:
            compare(elf_of(args.compare[0]), elf_of(args.compare[1]), args.symbols)
            return 0
        if not os.path.isfile(elf):
            raise FootprintError(f"no rvos.elf in {build_dir}: run "
                                 f"`rv build -b BOARD APP -d {build_dir}` first")
        if args.objects:
            print_objects(build_dir, elf)
            return 0
        if args.pools:
            print_pools(build_dir, elf)
            return 0
        sections = read_sections(elf)
        if not sections:
            raise FootprintError(f"{elf}: readelf found no sections; is it an ELF file? "
                                 f"Rebuild with `rv build -d {build_dir}`")
        print(f"Footprint of {short(elf)}\n")
        print_sections(sections)
        if args.symbols:
            print()
            print_symbols(elf, sections, args.symbols, args.lines)
    except FootprintError as e:
        print(f"rv footprint: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:          # `rv footprint | head`
        sys.stderr.close()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
