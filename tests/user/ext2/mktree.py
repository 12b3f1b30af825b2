#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The host side of tests/user/ext2: the folder mke2fs -d puts on the disk,
and what rvOS must read back from it.

  mktree.py tree OUT_DIR HEADER   make the folder (text, a binary pattern,
                                  a file needing indirect blocks, sparse
                                  files, symbolic links, nested and large
                                  directories) and a C header with every
                                  file's size and FNV-1a 64 checksum,
                                  every link's target and every folder's
                                  names, computed here from the files
                                  written (ext2_bytes.c compares)
  mktree.py sums                  print the sha256 of each file ext2_bytes
                                  writes (testcase.yaml's disk_checks hold
                                  them; run this after changing a pattern)

The byte pattern is pattern() here and in src/ext2_common.h: byte i of
pattern `seed` is the top byte of (i + 1 + seed * 2^32) * 0x9E3779B97F4A7C15
(mod 2^64),
so no two 1 KiB blocks of a file are alike and a misplaced block shows.
"""

import hashlib
import os
import shutil
import sys

M64 = (1 << 64) - 1


def pattern(seed, n, start=0):
    out = bytearray(n)
    for k in range(n):
        i = start + k
        out[k] = (((i + 1 + (seed << 32)) * 0x9E3779B97F4A7C15) & M64) >> 56
    return bytes(out)


def fnv64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & M64
    return h


# ---- what ext2_bytes.c writes (keep in step with write_files() there) ----
KIB = 1024
WRITE_SIZES = [0, 1, 1023, 1024, 1025, 4096, 12 * KIB, 12 * KIB + 1, 70000, 300000]
BIG_SIZE = 4 * 1024 * KIB + 123457      # past 4 MiB: double indirect blocks
SPARSE3_OFF = 65 * 1024 * KIB            # past 64 MiB + 268 KiB: triple indirect


def written():
    """(debugfs path, bytes) of each file ext2_bytes writes."""
    files = []
    for k, n in enumerate(WRITE_SIZES):
        files.append((f"/w/sizes/s{n}", pattern(k + 1, n)))
    files.append(("/w/big", pattern(0x42, BIG_SIZE)))
    files.append(("/w/sparse3", bytes(SPARSE3_OFF) + b"triple indirect\n"))
    files.append(("/w/renamed", pattern(0x77, 5000)))
    files.append(("/w/truncated", pattern(0x13, 5000)))
    return files


def sums():
    for path, data in written():
        print(f"{path} {len(data)} {hashlib.sha256(data).hexdigest()}")


# ---- the folder mke2fs -d copies ----
def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def make_tree(out):
    if os.path.lexists(out):
        shutil.rmtree(out)
    for d in ["text", "data", "links", "deep/a/b/c/d/e/f", "many", "empty_dir", "bad1", "bad2",
              "bad3", "bad4", "loops/a/b"]:
        os.makedirs(os.path.join(out, d))
    write(f"{out}/text/hello.txt", b"hello from the host\n")
    write(f"{out}/text/lines.txt",
          b"".join(b"line %d: the quick brown fox jumps over the lazy dog\n" % i
                   for i in range(200)))
    write(f"{out}/data/pattern.bin", pattern(7, 50000))
    write(f"{out}/data/big.bin", pattern(9, 300 * KIB + 17))   # indirect + double indirect
    write(f"{out}/data/empty", b"")
    # Sparse: data, a hole of ~500 KiB (mke2fs -d leaves holes where the
    # host file has them and where blocks are all zeros), data, a hole to
    # the end; and one that starts with a hole.
    with open(f"{out}/data/sparse.bin", "wb") as f:
        f.write(pattern(3, 1000))
        f.seek(500 * KIB)
        f.write(pattern(4, 3000))
        f.truncate(1024 * KIB)
    with open(f"{out}/data/holefirst.bin", "wb") as f:
        f.seek(300 * KIB)
        f.write(b"after the hole\n")
    write(f"{out}/deep/a/b/c/d/e/f/leaf.txt", b"seven folders down\n")
    for i in range(100):
        write(f"{out}/many/entry-{i:03d}", b"%d\n" % i)
    write(f"{out}/" + "n" * 255, b"a 255-byte name\n")
    for k in range(1, 5):
        write(f"{out}/bad{k}/victim", b"a file in a folder the corrupt scenarios damage\n")
    write(f"{out}/loops/a/b/file", b"below loops/a/b\n")
    os.symlink("../text/hello.txt", f"{out}/links/rel")
    os.symlink("t" * 40 + "/../../text/hello.txt", f"{out}/links/dangling")
    os.symlink("../" + "./" * 60 + "text/lines.txt", f"{out}/links/slow")   # > 60 bytes
    os.symlink("../deep/a/b", f"{out}/links/dir")
    os.symlink("self", f"{out}/links/self")


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def header(out, path):
    files, links, dirs = [], [], []
    for root, dnames, fnames in os.walk(out):
        rel = os.path.relpath(root, out)
        rel = "" if rel == "." else rel
        names = sorted(dnames + fnames)
        dirs.append(("/" + rel, names))
        for n in sorted(dnames + fnames):
            p = os.path.join(root, n)
            ip = "/" + os.path.join(rel, n) if rel else "/" + n
            if os.path.islink(p):
                links.append((ip, os.readlink(p)))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    data = f.read()
                files.append((ip, len(data), fnv64(data)))
    dirs.sort()
    lines = ["/* Generated by tests/user/ext2/mktree.py from the folder mke2fs -d copies. */",
             "struct host_file { const char *path; unsigned long size; unsigned long long fnv; };",
             "struct host_link { const char *path; const char *target; };",
             "struct host_dir { const char *path; unsigned int count; const char *const *names; };",
             "static const struct host_file host_files[] = {"]
    lines += [f"\t{{{c_str(p)}, {n}ul, 0x{h:016x}ull}}," for p, n, h in files]
    lines += ["};", "static const struct host_link host_links[] = {"]
    lines += [f"\t{{{c_str(p)}, {c_str(t)}}}," for p, t in links]
    lines += ["};"]
    for i, (p, names) in enumerate(dirs):
        lines.append(f"static const char *const host_dir_{i}[] = {{" +
                     ", ".join(c_str(n) for n in names) + (", " if names else "") + "0};")
    lines.append("static const struct host_dir host_dirs[] = {")
    lines += [f"\t{{{c_str(p)}, {len(names)}, host_dir_{i}}}," for i, (p, names) in
              enumerate(dirs)]
    lines += ["};", ""]
    new = "\n".join(lines)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if not os.path.exists(path) or open(path).read() != new:
        with open(path, "w") as f:
            f.write(new)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "tree":
        make_tree(sys.argv[2])
        header(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2 and sys.argv[1] == "sums":
        sums()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
