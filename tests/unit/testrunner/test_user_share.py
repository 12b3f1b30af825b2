#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Shared user sides (doc/testing.md, "Shared user sides"): a scenario
whose configuration changes only what the kernel reads takes librvos, the
programs and the initrd from an earlier build of the same app, and the
result is what a standalone `rv build` of its configuration gives, byte
for byte (the initrd; the kernel and the programs without their debug
information, which names the folder that compiled them); a change to an
option the user side reads builds the user side again. The runner builds
without debug information (-DRV_DEBUG_INFO=OFF) and `rv build` with it, so
the same comparison proves that -g changes no byte of the code and data
of the kernel (link-time optimised, hello's) and of the programs. Real
runs of samples/hello in scratch folders, one job.

Usage: test_user_share.py [OUTDIR]   (rv test runs it with the test's folder)
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "common"))
from hostcheck import BASE, RV, check, run  # noqa: E402

VIRT = "qemu_virt_riscv64"
OBJCOPY = "riscv64-unknown-elf-objcopy"
READELF = "riscv64-unknown-elf-readelf"
LENT = "-- the user side (librvos, programs, initrd.cpio) as "


def rv_test(root, out, *extra):
    p = subprocess.run(RV + ["test", "-T", root, "-O", out, "-j", "1", "--no-cache",
                             "--keep-artifacts", "all"] + list(extra),
                       cwd=BASE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def without_debug(path):
    """The ELF file's bytes without its debug sections."""
    with tempfile.TemporaryDirectory() as tmp:
        stripped = os.path.join(tmp, "stripped")
        p = subprocess.run([OBJCOPY, "--strip-debug", path, stripped], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        check(p.returncode == 0, f"{OBJCOPY} --strip-debug {path}: {p.stdout.decode().strip()}")
        return read(stripped) if p.returncode == 0 else b""


def described(path, source):
    """Whether the ELF file's DWARF describes a compilation of source (the
    programs carry picolibc's own DWARF either way)."""
    p = subprocess.run([READELF, "--debug-dump=info", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    check(p.returncode == 0, f"{READELF} --debug-dump=info {path}: exit {p.returncode}")
    return re.search(r"DW_AT_name\s*:.*/" + re.escape(source) + "$", p.stdout, re.M) is not None


def read(path):
    with open(path, "rb") as f:
        return f.read()


def build_log(folder):
    return read(os.path.join(folder, "build.log")).decode(errors="replace")


def test_shared_equals_standalone(scratch):
    root = os.path.join(scratch, "yaml")
    os.makedirs(root)
    with open(os.path.join(root, "testcase.yaml"), "w") as f:
        f.write("""common:
  app: samples/hello
  platform_allow: [qemu_virt_riscv64]
  timeout: 30
  harness: console
  harness_config: {type: one_line, regex: ["^Hello from user mode "]}
tests:
  share.a:
    tags: [first]
  share.b:
    # Read by the kernel's app_main alone: b's user side is a's.
    extra_configs: [CONFIG_HELLO_GREETINGS=3]
  share.c:
    # Read by librvos: c builds its user side itself.
    extra_configs: [CONFIG_USER_MAX_FDS=9]
""")
    out = os.path.join(scratch, "out")
    rc, text = rv_test(root, out)
    check(rc == 0 and "3 passed, 0 failed" in text, f"rv test exit {rc}, output:\n{text}")
    board = os.path.join(out, VIRT)
    a, b, c = (os.path.join(board, n) for n in ("share.a", "share.b", "share.c"))
    check(LENT + f"{VIRT}/share.a built it" in build_log(b),
          f"share.b did not take share.a's user side:\n{build_log(b)}")
    check(LENT not in build_log(c), f"share.c took a user side its options change:\n"
          f"{build_log(c)}")
    check(not os.path.exists(os.path.join(out, ".shared-user")),
          "the lent user sides are still there after the run")

    # share.b again, alone, in a folder of the same depth (the compilers
    # see the same relative paths through ccache), as `rv build` builds it.
    alone = os.path.join(scratch, "alone", VIRT, "share.b")
    p = subprocess.run(RV + ["build", "-b", VIRT, "-d", alone, "samples/hello", "--",
                             "-DRV_FIXDEP=OFF",
                             "-DEXTRA_CONF_FILE=" + os.path.join(b, "extra_configs.conf")],
                       cwd=BASE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(p.returncode == 0, f"rv build of share.b alone: exit {p.returncode}:\n{p.stdout}")
    if p.returncode != 0:
        return
    check(read(os.path.join(b, "initrd.cpio")) == read(os.path.join(alone, "initrd.cpio")),
          "share.b's initrd.cpio differs from the standalone build's")
    progs = sorted(os.listdir(os.path.join(alone, "programs")))
    check(progs == sorted(os.listdir(os.path.join(b, "programs"))) and "hello" in progs,
          f"programs: {progs} alone, {sorted(os.listdir(os.path.join(b, 'programs')))} shared")
    for name in progs:
        if name.endswith(".stamp"):
            continue
        check(without_debug(os.path.join(b, "programs", name)) ==
              without_debug(os.path.join(alone, "programs", name)),
              f"programs/{name} differs from the standalone build's")
    # The test's build has no DWARF of its own, `rv build`'s has: the
    # comparisons above and below hold across -g.
    for name, source in (("rvos.elf", "kernel/main.c"), ("programs/hello", "src/hello.c")):
        check(not described(os.path.join(b, name), source),
              f"share.b's {name} has debug information of {source}: the runner builds "
              "without it")
        check(described(os.path.join(alone, name), source),
              f"rv build's {name} has no debug information of {source}: rv build keeps -g")
    kernel = without_debug(os.path.join(b, "rvos.elf"))
    check(kernel == without_debug(os.path.join(alone, "rvos.elf")),
          "share.b's rvos.elf differs from the standalone build's")
    check(kernel != without_debug(os.path.join(a, "rvos.elf")),
          "share.b's kernel is share.a's: its own option did not reach it")


def main():
    return run("user-share", test_shared_equals_standalone)


if __name__ == "__main__":
    sys.exit(main())
