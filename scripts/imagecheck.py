#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check after the link that what the configuration built fits the board.

Run by the build (cmake/kernel.cmake, cmake/user.cmake); stops it with a
message that names the program or pool and the Kconfig symbols to change:

  --kernel ELF   the kernel image, with its static pools, must lie in the
                 board's RAM and end below where QEMU puts the initrd
                 (the kernel's entry + min(RAM / 2, 128 MiB): QEMU 7.2's
                 riscv_load_initrd), or QEMU refuses to start ("regions
                 overlap") or the initrd is overwritten; and the RAM above
                 it must hold the kernel stacks vm_init() maps at boot
                 with USER_MIN_BYTES to spare, or the boot fails (ENOMEM);
  --program ELF  a user program (repeatable: the build checks them all in
                 one run) must have at most CONFIG_ELF_MAX_SEGMENTS
                 PT_LOAD segments, none larger than
                 CONFIG_ELF_MAX_SEGMENT_BYTES, or the kernel's loader
                 refuses it at run time.
  --same-functions PASS1
                 (with --kernel) every function of the kernel lies where
                 link pass 1 put it (scripts/symtab.py: pass 2 adds the
                 table that names them by pass 1's addresses); here, so
                 that the build starts Python once after its link.

Standard library only: the ELF headers are read with struct.
"""

import argparse
import os
import re
import shlex
import struct
import sys

PT_LOAD = 1

# The kernel's static pools and the options that size them (the first the
# count; kernel/*.c). A large object missing here is still listed, unnamed.
POOLS = {
    "channels": ("the channel pool", ["MAX_CHANNELS", "CHANNEL_QUEUE_DEPTH", "MSG_MAX_BYTES",
                                      "MSG_MAX_HANDLES"]),
    "procs": ("the process table", ["MAX_PROCS", "MAX_HANDLES", "MAX_MMAP_REGIONS",
                                    "KERNEL_USER_TLB_ENTRIES"]),
    "process_objects": ("the process objects", ["MAX_PROCS"]),
    "bindings": ("the port bindings", ["MAX_PORT_BINDINGS"]),
    "ports": ("the ports", ["MAX_PORTS"]),
    "regions": ("the shared-memory regions", ["MAX_SHM_REGIONS"]),
    "dma_regions": ("the DMA regions", ["MAX_DMA_REGIONS"]),
    "irq_table": ("the interrupt table", ["IRQ_MAX_SOURCES"]),
    "programs": ("the initrd index", ["INITRD_INDEX_ENTRIES"]),
    "devices": ("the device capabilities", ["MAX_EXPORTED_DEVICES"]),
    "input_ring": ("the console input buffer", ["CONSOLE_INPUT_BUFFER"]),
    "revokers": ("the revocation records", ["MAX_REVOCABLE"]),
    "zones": ("the frame allocator's zones", ["DT_MAX_MEMORY_RANGES"]),
}
MIB = 1 << 20
PAGE = 4096


class CheckError(Exception):
    pass


def read_config(path):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^CONFIG_(\w+)=(.*)$", line.strip())
            if m:
                values[m.group(1)] = m.group(2)
    return values


def read_board(path):
    """The set(NAME "value") lines of a board.cmake."""
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'^\s*set\((\w+)\s+"([^"]*)"\)', line)
            if m:
                values[m.group(1)] = m.group(2)
    return values


def ram_of(board, board_path):
    """(base, size) of the board's RAM: QEMU_RAM_BASE and -m of QEMU_ARGS."""
    args = shlex.split(board.get("QEMU_ARGS", ""))
    size = None
    for i, a in enumerate(args[:-1]):
        if a == "-m":
            m = re.fullmatch(r"(\d+)([MG]?)", args[i + 1])
            if m:
                size = int(m.group(1)) << (30 if m.group(2) == "G" else 20)
    if size is None or "QEMU_RAM_BASE" not in board:
        raise CheckError(f"{board_path}: needs QEMU_RAM_BASE and -m SIZE[M|G] in QEMU_ARGS "
                         f"(the board's RAM, for the image check)")
    return int(board["QEMU_RAM_BASE"], 0), size


def elf_header(data, path):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise CheckError(f"{path}: not a 64-bit little-endian ELF file")
    (e_entry, e_phoff, e_shoff) = struct.unpack_from("<QQQ", data, 24)
    (e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from("<HHHHH",
                                                                                  data, 54)
    return e_entry, e_phoff, e_phentsize, e_phnum, e_shoff, e_shentsize, e_shnum, e_shstrndx


def load_segments(data, path):
    """(vaddr, filesz, memsz) of each PT_LOAD segment."""
    _, phoff, phentsize, phnum, *_ = elf_header(data, path)
    out = []
    for i in range(phnum):
        p_type, _, _, p_vaddr, _, p_filesz, p_memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == PT_LOAD:
            out.append((p_vaddr, p_filesz, p_memsz))
    return out


def symbols(data, path):
    """name -> (value, size) from the ELF's .symtab."""
    _, _, _, _, shoff, shentsize, shnum, _ = elf_header(data, path)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                for i in range(shnum)]
    out = {}
    for sh in sections:
        if sh[1] != 2:    # SHT_SYMTAB
            continue
        strtab = sections[sh[6]]
        str_off = strtab[4]
        for k in range(sh[5] // 24):
            st_name, _, _, _, st_value, st_size = struct.unpack_from("<IBBHQQ", data, sh[4] + k * 24)
            end = data.index(b"\0", str_off + st_name)
            out[data[str_off + st_name:end].decode(errors="replace")] = (st_value, st_size)
    return out


def size_text(n):
    return f"{n / MIB:.1f} MiB" if n >= MIB else f"{(n + 1023) // 1024} KiB"


def check_kernel(args, config):
    board_path = args.board_cmake
    base, size = ram_of(read_board(board_path), board_path)
    with open(args.kernel, "rb") as f:
        data = f.read()
    syms = symbols(data, args.kernel)
    start = syms["_kernel_start"][0]
    end = syms["_kernel_end"][0]
    board = args.board
    limit, where = base + size, f"the end of {board}'s RAM (0x{base + size:x}, {size >> 20} MiB)"
    if args.initrd:
        initrd = start + min(size // 2, 128 * MIB)
        if initrd < limit:
            limit, where = initrd, (f"where QEMU loads the initrd on {board} (0x{initrd:x}: the "
                                    f"kernel's entry + min(RAM / 2, 128 MiB), RAM {size >> 20} MiB)")
    if start < base:
        raise CheckError(f"{args.kernel}: CONFIG_KERNEL_LOAD_ADDRESS=0x{start:x} is below {board}'s "
                         f"RAM (0x{base:x}..0x{base + size:x})")
    if end <= limit:
        check_boot_frames(config, board, base, size, end)
        return
    pools = sorted(((s, n) for n, (v, s) in syms.items() if s >= 64 * 1024 and start <= v < end),
                   reverse=True)
    lines = [f"error: {os.path.basename(args.kernel)}: the kernel image ends at 0x{end:x}, "
             f"{size_text(end - limit)} past {where}; its largest static pools:"]
    for s, name in pools[:6]:
        what, options = POOLS.get(name, (name, []))
        shown = ", ".join(f"CONFIG_{o}={config.get(o, '?')}" for o in options)
        lines.append(f"  {size_text(s):>9}  {what} ({name}){': ' + shown if shown else ''}")
    lines.append("lower those options (rv menuconfig, or the app's prj.conf), or give the board "
                 "more RAM (-m in its board.cmake's QEMU_ARGS)")
    raise CheckError("\n".join(lines))


# What the frame allocator must still hold once the kernel's boot-time
# allocations are made: the initrd and the device tree (both reserved in the
# zone after the kernel), init and the app's first processes. Every default
# configuration leaves tens of MiB; a configuration that leaves less than
# this is refused rather than failing at boot with ENOMEM.
USER_MIN_BYTES = 8 * MIB
TWO_MIB = 2 * MIB


def check_boot_frames(config, board, base, size, end):
    """The frames vm_init() takes at boot (every process's kernel stack, and
    the page tables that map them: kernel/vm.c map_kernel_stacks) must leave
    USER_MIN_BYTES of the RAM after the kernel image (kernel/main.c hands the
    allocator only the RAM above the image)."""
    procs = int(config.get("MAX_PROCS", "0"), 0)
    stack = int(config.get("KERNEL_STACK_SIZE", "0"), 0)
    region = procs * (stack + PAGE)
    tables = ((region + TWO_MIB - 1) // TWO_MIB + 1) * PAGE
    boot = procs * stack + tables
    free = base + size - end
    if free - boot >= USER_MIN_BYTES:
        return
    raise CheckError(
        f"error: the kernel's boot-time allocations do not fit {board}'s RAM: "
        f"{size_text(free)} lies above the kernel image (it ends at 0x{end:x}; "
        f"CONFIG_KERNEL_LOAD_ADDRESS={config.get('KERNEL_LOAD_ADDRESS', '?')}), the kernel stacks "
        f"take {size_text(boot)} of it at boot (CONFIG_MAX_PROCS={procs} x "
        f"CONFIG_KERNEL_STACK_SIZE={stack}, with their page tables), and user space needs at "
        f"least {size_text(USER_MIN_BYTES)} (the initrd, the device tree, the first processes)\n"
        f"lower CONFIG_MAX_PROCS or CONFIG_KERNEL_STACK_SIZE, lower CONFIG_KERNEL_LOAD_ADDRESS "
        f"(the RAM below the kernel is not used), or give the board more RAM (-m in its "
        f"board.cmake's QEMU_ARGS)")


def check_program(path, config):
    max_segs = int(config.get("ELF_MAX_SEGMENTS", "0"))
    max_bytes = int(config.get("ELF_MAX_SEGMENT_BYTES", "0"))
    name = os.path.basename(path)
    with open(path, "rb") as f:
        segs = load_segments(f.read(), path)
    errors = []
    if max_segs and len(segs) > max_segs:
        errors.append(f"error: program {name} has {len(segs)} loadable segments, more than "
                      f"CONFIG_ELF_MAX_SEGMENTS={max_segs}: the kernel would refuse to load it; "
                      f"raise CONFIG_ELF_MAX_SEGMENTS to {len(segs)} or more")
    big = max((memsz for _, _, memsz in segs), default=0)
    if max_bytes and big > max_bytes:
        errors.append(f"error: program {name} has a loadable segment of {big} bytes, more than "
                      f"CONFIG_ELF_MAX_SEGMENT_BYTES={max_bytes}: the kernel would refuse to load "
                      f"it; raise CONFIG_ELF_MAX_SEGMENT_BYTES to {(big + 4095) // 4096 * 4096} "
                      f"or more")
    if errors:
        raise CheckError("\n".join(errors))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", required=True, help="the build's .config")
    p.add_argument("--kernel", help="check the kernel image (rvos.elf) against the board's RAM")
    p.add_argument("--board", help="the board's name (for messages)")
    p.add_argument("--board-cmake", help="the board's board.cmake (QEMU_ARGS, QEMU_RAM_BASE)")
    p.add_argument("--initrd", action="store_true", help="the app has an initrd (QEMU loads it)")
    p.add_argument("--same-functions", metavar="PASS1",
                   help="with --kernel: check that no function moved since link pass 1 PASS1")
    p.add_argument("--nm", default="riscv64-unknown-elf-nm",
                   help="nm to read functions with (--same-functions)")
    p.add_argument("--program", action="append", default=[],
                   help="check a user program against the ELF loader's limits (repeatable)")
    args = p.parse_args(argv)
    try:
        config = read_config(args.config)
        if args.kernel:
            check_kernel(args, config)
        if args.kernel and args.same_functions:
            import symtab   # its nm and subprocess only when asked
            try:
                why = symtab.moved(args.nm, args.same_functions, args.kernel)
            except symtab.SymtabError as e:
                why = str(e)
            if why:
                raise CheckError(why)
        errors = []
        for program in args.program:
            try:
                check_program(program, config)
            except CheckError as e:
                errors.append(str(e))
        if errors:
            raise CheckError("\n".join(errors))
    except CheckError as e:
        msg = str(e)
        print(msg if msg.startswith("error: ") else "error: " + msg, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
