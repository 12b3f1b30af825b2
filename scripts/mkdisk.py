#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Build an app's ext2 disk image (rvos_disk_image() in cmake/disk.cmake).

With --journal-mib the image has a journal (has_journal: ext3's layout).

Stages the app's folder (DIR) and the named programs (stripped, under /bin)
in a staging folder, then runs Debian's mke2fs -d on it. The image is
reproducible: a fixed UUID and directory hash seed, E2FSPROGS_FAKE_TIME for
the superblock's times, every staged file's times set to one fixed instant,
owner root:root, and the mke2fs configuration from cmake/mke2fs.conf rather
than the host's /etc/mke2fs.conf. (mke2fs -d copies each file's ctime, which
cannot be set on the host, so a debugfs pass sets it afterwards.)

Errors name the app and the rvos_disk_image() option to change.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

# One instant for every time in the image: 2023-11-14 22:13:20 UTC.
FIXED_TIME = 1700000000
FS_UUID = "0b3c7b5e-2f4e-4c1a-9a52-7276f5a1d001"
HASH_SEED = "0b3c7b5e-2f4e-4c1a-9a52-7276f5a1d002"
RV_BASE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MKE2FS_CONF = os.path.join(RV_BASE, "cmake", "mke2fs.conf")


class DiskError(Exception):
    pass


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-o", "--output", required=True, help="image to write (disk.img)")
    p.add_argument("--app", default="the app", help="the app's name, for messages")
    p.add_argument("--dir", help="folder whose contents become the image's root")
    p.add_argument("--program", action="append", default=[], metavar="NAME=PATH",
                   help="an ELF program copied (stripped) to /bin/NAME")
    p.add_argument("--strip", help="strip tool (riscv64-unknown-elf-strip)")
    p.add_argument("--staging", required=True, help="staging folder (deleted and rebuilt)")
    p.add_argument("--size-kib", type=int, required=True)
    p.add_argument("--block-size", type=int, required=True)
    p.add_argument("--inodes", type=int)
    p.add_argument("--inode-size", type=int)
    p.add_argument("--reserved-percent", type=int)
    p.add_argument("--features", default="", help="mke2fs -O list (comma-separated)")
    p.add_argument("--journal-mib", type=int, metavar="N",
                   help="give the image a journal of N MiB (ext3: has_journal)")
    p.add_argument("--mke2fs", default="mke2fs")
    p.add_argument("--debugfs", default="debugfs")
    p.add_argument("--depfile", help="write a Ninja depfile listing every staged input")
    return p.parse_args()


def debugfs_quote(path):
    if '"' in path or "\n" in path or "\\" in path:
        raise DiskError(f"file name {path!r} has a quote, backslash or newline: rename it "
                        f"(the image builder cannot pass it to debugfs)")
    return f'"{path}"'


def stage(a, inputs):
    """Fill the staging folder; return the image paths staged (for debugfs)."""
    staging = a.staging
    if os.path.lexists(staging):
        shutil.rmtree(staging)
    os.makedirs(staging)
    os.chmod(staging, 0o755)     # the image's root folder
    paths = []
    if a.dir:
        if not os.path.isdir(a.dir):
            raise DiskError(f"DIR {a.dir} is not a folder: create it or fix DIR")
        inputs.append(a.dir)
        for root, dirs, files in os.walk(a.dir):
            dirs.sort()
            rel_root = os.path.relpath(root, a.dir)
            out_root = staging if rel_root == "." else os.path.join(staging, rel_root)
            for d in dirs:
                src = os.path.join(root, d)
                dst = os.path.join(out_root, d)
                if os.path.islink(src):
                    os.symlink(os.readlink(src), dst)
                else:
                    os.mkdir(dst)
                    shutil.copymode(src, dst)
                    inputs.append(src)
                paths.append(os.path.relpath(dst, staging))
            for f in sorted(files):
                src = os.path.join(root, f)
                dst = os.path.join(out_root, f)
                if os.path.islink(src):
                    os.symlink(os.readlink(src), dst)
                elif os.path.isfile(src):
                    shutil.copyfile(src, dst)
                    shutil.copymode(src, dst)
                    inputs.append(src)
                else:
                    raise DiskError(f"{src} is not a regular file, folder or symbolic link: "
                                    f"remove it from DIR (make device files in the guest)")
                paths.append(os.path.relpath(dst, staging))
    if a.program:
        bin_dir = os.path.join(staging, "bin")
        if os.path.lexists(bin_dir) and not os.path.isdir(bin_dir):
            raise DiskError("DIR has a bin that is not a folder, but PROGRAMS go to /bin")
        if not os.path.isdir(bin_dir):
            os.mkdir(bin_dir)
            os.chmod(bin_dir, 0o755)
            paths.append("bin")
        for entry in a.program:
            name, sep, path = entry.partition("=")
            if not sep or not name or "/" in name:
                raise DiskError(f"bad program entry {entry!r}: expected NAME=PATH")
            dst = os.path.join(bin_dir, name)
            if os.path.lexists(dst):
                raise DiskError(f"PROGRAMS {name}: DIR already has bin/{name}; rename one "
                                f"or drop it from PROGRAMS")
            inputs.append(path)
            done = False
            if a.strip:
                r = subprocess.run([a.strip, "--strip-debug", "-o", dst, path],
                                   capture_output=True, text=True)
                done = r.returncode == 0
            if not done:
                shutil.copyfile(path, dst)
            os.chmod(dst, 0o755)
            paths.append(os.path.join("bin", name))
    # Times: one fixed instant for everything (children before parents, so
    # writing a file does not change its folder's time afterwards).
    for p in sorted(paths, key=lambda s: -s.count("/")) + ["."]:
        full = os.path.join(staging, p)
        os.utime(full, (FIXED_TIME, FIXED_TIME), follow_symlinks=False)
    return paths


def tree_kib(staging, block_size):
    """Rough space the staged files need, in KiB (data blocks only)."""
    total = 0
    for root, dirs, files in os.walk(staging):
        for name in files + dirs:
            st = os.lstat(os.path.join(root, name))
            total += -(-max(st.st_size, 1) // block_size) * block_size
    return total // 1024


def first_error(text):
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("mke2fs ", "debugfs ", "Creating regular file")):
            return line
    return text.strip() or "(no message)"


# mke2fs refuses a journal of fewer blocks than this.
JOURNAL_MIN_BLOCKS = 1024


def check_journal(a):
    """The journal's size against mke2fs's limits, with the option to change."""
    blocks = a.journal_mib * 1024 * 1024 // a.block_size
    if blocks < JOURNAL_MIN_BLOCKS:
        raise DiskError(f"JOURNAL: a journal of {a.journal_mib} MiB is {blocks} blocks of "
                        f"{a.block_size} bytes, and mke2fs needs at least {JOURNAL_MIN_BLOCKS}: "
                        f"raise CONFIG_FS_DISK_JOURNAL_MIB to at least "
                        f"{JOURNAL_MIN_BLOCKS * a.block_size // (1024 * 1024)} "
                        f"(or use a smaller BLOCK_SIZE)")
    if a.journal_mib * 1024 * 2 > a.size_kib:
        raise DiskError(f"JOURNAL: a journal of {a.journal_mib} MiB "
                        f"(CONFIG_FS_DISK_JOURNAL_MIB) would take over half of the "
                        f"{a.size_kib} KiB image: raise SIZE_KIB to at least "
                        f"{a.journal_mib * 1024 * 2 + 1024} or lower the journal size")


def run_mke2fs(a, tmp):
    env = dict(os.environ, E2FSPROGS_FAKE_TIME=str(FIXED_TIME), SOURCE_DATE_EPOCH=str(FIXED_TIME),
               MKE2FS_CONFIG=MKE2FS_CONF, LC_ALL="C")
    ext = ["root_owner=0:0", f"hash_seed={HASH_SEED}"]
    cmd = [a.mke2fs, "-q", "-F", "-t", "ext2", "-r", "1", "-b", str(a.block_size),
           "-U", FS_UUID, "-E", ",".join(ext), "-d", a.staging]
    if a.inodes:
        cmd += ["-N", str(a.inodes)]
    if a.inode_size:
        cmd += ["-I", str(a.inode_size)]
    if a.reserved_percent is not None:
        cmd += ["-m", str(a.reserved_percent)]
    features = [f for f in a.features.split(",") if f]
    if a.journal_mib:
        # ext3's layout: a journal inode (JBD2) of the size asked.
        features.append("has_journal")
        cmd += ["-J", f"size={a.journal_mib}"]
    if features:
        cmd += ["-O", ",".join(features)]
    cmd += [tmp, f"{a.size_kib}K"]
    # An existing file of the right size: mke2fs then says nothing about
    # "Creating regular file".
    with open(tmp, "wb") as f:
        f.truncate(a.size_kib * 1024)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    except FileNotFoundError:
        raise DiskError(f"{a.mke2fs} not found: install Debian's e2fsprogs (run ./rv setup)")
    if r.returncode != 0:
        out = r.stdout + r.stderr
        msg = first_error(out)
        if a.journal_mib and re.search(r"journal", out, re.I):
            raise DiskError(f"mke2fs refused the journal of {a.journal_mib} MiB "
                            f"(CONFIG_FS_DISK_JOURNAL_MIB) in a {a.size_kib} KiB image with "
                            f"{a.block_size}-byte blocks: it needs at least "
                            f"{JOURNAL_MIN_BLOCKS} journal blocks and room beside the "
                            f"journal; raise SIZE_KIB or change the journal size "
                            f"(mke2fs: {msg})")
        if re.search(r"Not enough space to build", out):
            raise DiskError(f"SIZE_KIB {a.size_kib} is too small for ext2's own structures "
                            f"with BLOCK_SIZE {a.block_size}: raise SIZE_KIB (mke2fs: {msg})")
        if re.search(r"allocate block|No space left|Could not allocate block", out, re.I):
            raise DiskError(f"the files do not fit in SIZE_KIB {a.size_kib} (they need about "
                            f"{tree_kib(a.staging, a.block_size)} KiB of data blocks): raise "
                            f"SIZE_KIB (mke2fs: {msg})")
        if re.search(r"allocate inode|inode", out, re.I) and a.inodes:
            raise DiskError(f"not enough inodes for the files: raise INODES (now {a.inodes}) "
                            f"(mke2fs: {msg})")
        raise DiskError(f"mke2fs failed (exit status {r.returncode}): {msg}\n"
                        f"  command: {' '.join(cmd)}")
    return env


def fix_inodes(a, tmp, paths, env):
    """ctime (and the owner, when not building as root) of every staged inode."""
    lines = []
    for p in paths:
        q = debugfs_quote("/" + p)
        lines.append(f"sif {q} ctime @{FIXED_TIME}")
        if os.getuid() != 0:
            lines += [f"sif {q} uid 0", f"sif {q} gid 0"]
    lines.append(f"sif / ctime @{FIXED_TIME}")
    if not lines:
        return
    cmdfile = tmp + ".debugfs"
    with open(cmdfile, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    try:
        r = subprocess.run([a.debugfs, "-w", "-f", cmdfile, tmp], capture_output=True,
                           text=True, env=env)
    except FileNotFoundError:
        raise DiskError(f"{a.debugfs} not found: install Debian's e2fsprogs (run ./rv setup)")
    finally:
        if os.path.exists(cmdfile):
            os.remove(cmdfile)
    # debugfs echoes each request as "debugfs: <request>"; anything else is a complaint.
    bad = [ln for ln in (r.stdout + r.stderr).splitlines()
           if ln.strip() and not ln.startswith("debugfs")]
    if r.returncode != 0 or bad:
        raise DiskError(f"debugfs could not fix the staged inodes: "
                        f"{bad[0] if bad else 'exit status %d' % r.returncode}")


def write_depfile(a, inputs):
    def esc(p):
        return p.replace("\\", "\\\\").replace(" ", "\\ ").replace("#", "\\#").replace("$", "$$")
    with open(a.depfile, "w", encoding="utf-8") as f:
        f.write(esc(a.output) + ": " + " \\\n  ".join(esc(os.path.abspath(p)) for p in inputs)
                + "\n")


def main():
    a = parse_args()
    inputs = []
    tmp = a.output + ".tmp"
    try:
        if a.journal_mib is not None:
            check_journal(a)
        paths = stage(a, inputs)
        env = run_mke2fs(a, tmp)
        fix_inodes(a, tmp, paths, env)
        os.replace(tmp, a.output)
        if a.depfile:
            write_depfile(a, inputs)
    except DiskError as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        sys.exit(f"rvos_disk_image() in {a.app}: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
