#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Make malformed programs for tests/kernel/elf from a valid one.

  make_bad_elfs.py GOOD_ELF OUT_DIR NAME...

Writes OUT_DIR/NAME for each NAME below: a copy of GOOD_ELF (an ELF64
RISC-V executable linked by lib/user.ld: PT_LOAD text R-X, rodata R--,
data RW-) with one defect, or a whole-file defect (empty, truncated, a
script). The kernel must refuse each with -ENOEXEC. Three must still run:
`copy` (the file unchanged), `empty_load` and `notes_ignored` (program
headers the loader must ignore).
"""

import os
import struct
import sys

PT_LOAD = 1
PF_X, PF_W, PF_R = 1, 2, 4
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PAGE = 4096
USER_BASE = 0x10_0000_0000
USER_TOP = 0x40_0000_0000


class Elf:
    """The header and program headers of a little-endian ELF64 file, editable."""

    def __init__(self, data):
        self.data = bytearray(data)
        (self.ident, self.type, self.machine, self.version, self.entry, self.phoff,
         self.shoff, self.flags, self.ehsize, self.phentsize, self.phnum, self.shentsize,
         self.shnum, self.shstrndx) = EHDR.unpack_from(self.data, 0)
        if self.ident[:4] != b"\x7fELF" or self.ident[4] != 2 or self.machine != 243:
            sys.exit("make_bad_elfs.py: the input is not an ELF64 RISC-V file")
        self.ph = [list(PHDR.unpack_from(self.data, self.phoff + i * PHDR.size))
                   for i in range(self.phnum)]
        self.ph_at = self.phoff  # where bytes() writes self.ph (e_phoff may lie)

    def loads(self):
        """The PT_LOAD entries (type, flags, offset, vaddr, paddr, filesz, memsz, align)."""
        return [p for p in self.ph if p[0] == PT_LOAD and p[6] > 0]

    def segment(self, need, avoid=0):
        for p in self.loads():
            if p[1] & need == need and not p[1] & avoid:
                return p
        sys.exit("make_bad_elfs.py: the input has no such segment")

    def bytes(self):
        out = bytearray(self.data)
        EHDR.pack_into(out, 0, self.ident, self.type, self.machine, self.version, self.entry,
                       self.phoff, self.shoff, self.flags, self.ehsize, self.phentsize,
                       self.phnum, self.shentsize, self.shnum, self.shstrndx)
        for i, p in enumerate(self.ph):
            PHDR.pack_into(out, self.ph_at + i * PHDR.size, *p)
        return bytes(out)


def set_ident(e, index, value):
    ident = bytearray(e.ident)
    ident[index] = value
    e.ident = bytes(ident)


def overlap(e):
    # rodata moved onto the text's first page (same in-page offset as its file bytes)
    text, ro = e.segment(PF_X), e.segment(PF_R, PF_X | PF_W)
    ro[3] = ro[4] = (text[3] & ~(PAGE - 1)) + (ro[2] & (PAGE - 1))


def page_share(e):
    # rodata starting right after the text's last byte: no byte in common,
    # but one page would need two sets of permissions
    text, ro = e.segment(PF_X), e.segment(PF_R, PF_X | PF_W)
    end = text[3] + text[6]
    if end % PAGE == 0 or end % PAGE > PAGE - 64:
        # no room after the text on its last page: end the text in the
        # middle of that page instead (the program never runs)
        end = ((end - 1) & ~(PAGE - 1)) + PAGE // 2
        text[5] = min(text[5], end - text[3])
        text[6] = end - text[3]
    ro[3] = ro[4] = (end + 15) & ~15
    ro[2] = (ro[2] & ~(PAGE - 1)) + (ro[3] & (PAGE - 1))
    if ro[2] + ro[5] > len(e.data):
        sys.exit("make_bad_elfs.py: page_share: the moved rodata runs past the file")


def wx(e):
    e.segment(PF_X)[1] = PF_R | PF_W | PF_X


def wx_data(e):
    e.segment(PF_W)[1] = PF_R | PF_W | PF_X


def no_rights(e):
    e.segment(PF_R, PF_X | PF_W)[1] = 0


def huge_memsz(e):
    e.segment(PF_W)[6] = 1 << 40


def vaddr_wraps(e):
    # a small segment at the very top of the 64-bit address space
    d = e.segment(PF_W)
    d[3] = d[4] = (1 << 64) - PAGE + (d[2] & (PAGE - 1))
    d[6] = 2 * PAGE


def memsz_2_63(e):
    e.segment(PF_W)[6] = 1 << 63


def filesz_gt_memsz(e):
    d = e.segment(PF_W)
    d[6] = max(d[5] - 1, 0)
    if d[5] == 0:
        d[5], d[6] = 16, 8


def data_outside(e):
    # file bytes that start past the end of the file
    d = e.segment(PF_W)
    d[2] = ((len(e.data) + PAGE) & ~(PAGE - 1)) + (d[3] & (PAGE - 1))
    d[5] = max(d[5], 1)
    d[6] = max(d[6], d[5])


def filesz_past_end(e):
    t = e.segment(PF_X)
    t[5] = t[6] = len(e.data) - t[2] + 1


def kernel_vaddr(e):
    t = e.segment(PF_X)
    delta = 0x8020_0000 + (t[3] & (PAGE - 1)) - t[3]
    t[3] = t[4] = t[3] + delta
    e.entry += delta


def above_user_top(e):
    d = e.segment(PF_W)
    d[3] = d[4] = USER_TOP - PAGE + (d[2] & (PAGE - 1))


def onto_stack(e):
    # data placed over the user stack (the last 64 KiB below the top page)
    d = e.segment(PF_W)
    d[3] = d[4] = USER_TOP - 2 * PAGE + (d[2] & (PAGE - 1))


def below_user_base(e):
    d = e.segment(PF_W)
    d[3] = d[4] = USER_BASE - PAGE + (d[2] & (PAGE - 1))


def not_congruent(e):
    d = e.segment(PF_W)
    d[3] = d[4] = d[3] + 8


def entry_in_data(e):
    e.entry = e.segment(PF_W)[3]


def entry_zero(e):
    e.entry = 0


def entry_past_text(e):
    t = e.segment(PF_X)
    e.entry = t[3] + t[6]


def no_load(e):
    for p in e.ph:
        if p[0] == PT_LOAD:
            p[0] = 0  # PT_NULL


def phoff_huge(e):
    e.phoff = 1 << 62


def phnum_past_end(e):
    e.phnum = (len(e.data) - e.phoff) // PHDR.size + 1


def bad_phentsize(e):
    e.phentsize = 32


def shared_object(e):
    e.type = 3  # ET_DYN


def wrong_machine(e):
    e.machine = 62  # EM_X86_64


def class32(e):
    set_ident(e, 4, 1)  # ELFCLASS32


def big_endian(e):
    set_ident(e, 5, 2)  # ELFDATA2MSB


def bad_version(e):
    e.version = 2


def too_many_segments(e):
    # a new program header table at the end of the file: the text (for the
    # entry point) and 16 small read-only segments on pages of their own
    text = e.segment(PF_X)
    table = [list(text)]
    for i in range(16):
        table.append([PT_LOAD, PF_R, 0, USER_BASE + 0x100000 + i * PAGE,
                      USER_BASE + 0x100000 + i * PAGE, 0, 16, PAGE])
    pad = (-len(e.data)) % 8
    e.data += b"\0" * pad
    e.phoff = e.ph_at = len(e.data)
    e.data += b"\0" * (PHDR.size * len(table))
    e.ph = table
    e.phnum = len(table)


def empty_load(e):
    # valid: a PT_LOAD with p_memsz 0 maps nothing, wherever it points
    for p in e.ph:
        if p[0] != PT_LOAD:
            p[:] = [PT_LOAD, PF_R | PF_W | PF_X, 0, 0x8020_0000, 0, 0, 0, PAGE]
            return
    sys.exit("make_bad_elfs.py: empty_load: no program header to reuse")


def notes_ignored(e):
    # valid: program headers other than PT_LOAD are ignored, whatever they say
    for p in e.ph:
        if p[0] != PT_LOAD:
            p[:] = [4, PF_R | PF_W | PF_X, 1 << 62, 0xdead_0000, 0, 1 << 40, 1 << 40, 3]
            return
    sys.exit("make_bad_elfs.py: notes_ignored: no program header to reuse")


def bad_magic(e):
    e.ident = b"\x7fELG" + e.ident[4:]


EDITS = {
    "copy": None,
    "bad_magic": bad_magic,
    "wrong_machine": wrong_machine,
    "class32": class32,
    "big_endian": big_endian,
    "bad_version": bad_version,
    "shared_object": shared_object,
    "bad_phentsize": bad_phentsize,
    "phoff_huge": phoff_huge,
    "phnum_past_end": phnum_past_end,
    "overlap": overlap,
    "wx": wx,
    "wx_data": wx_data,
    "no_rights": no_rights,
    "huge_memsz": huge_memsz,
    "vaddr_wraps": vaddr_wraps,
    "memsz_2_63": memsz_2_63,
    "page_share": page_share,
    "too_many_segments": too_many_segments,
    "empty_load": empty_load,
    "notes_ignored": notes_ignored,
    "filesz_gt_memsz": filesz_gt_memsz,
    "data_outside": data_outside,
    "filesz_past_end": filesz_past_end,
    "kernel_vaddr": kernel_vaddr,
    "above_user_top": above_user_top,
    "onto_stack": onto_stack,
    "below_user_base": below_user_base,
    "not_congruent": not_congruent,
    "entry_in_data": entry_in_data,
    "entry_zero": entry_zero,
    "entry_past_text": entry_past_text,
    "no_load": no_load,
}

# Whole-file defects: (name, function of the good file's bytes)
FILES = {
    "empty": lambda d: b"",
    "trunc_magic": lambda d: d[:3],
    "trunc_header": lambda d: d[:63],
    "trunc_phdrs": lambda d: d[:EHDR.size + PHDR.size],
    "text_file": lambda d: b"#!/bin/sh\n# a script, not a program: long enough to hold an ELF header\n"
                           b"echo hello\n",
}


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    good = open(sys.argv[1], "rb").read()
    out_dir = sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    for name in sys.argv[3:]:
        if name in FILES:
            data = FILES[name](good)
        elif name in EDITS:
            e = Elf(good)
            if EDITS[name]:
                EDITS[name](e)
            data = e.bytes()
        else:
            sys.exit(f"make_bad_elfs.py: no recipe for '{name}' (known: "
                     f"{', '.join(sorted(list(EDITS) + list(FILES)))})")
        tmp = os.path.join(out_dir, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(out_dir, name))


if __name__ == "__main__":
    main()
