#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What a configuration change rebuilds (doc/architecture.md): with
scripts/fixdep.c, an object depends on the CONFIG_ symbols its sources and
the project's headers mention, not on autoconf.h. Real builds of
samples/hello: changing the app's HELLO_GREETINGS recompiles one object,
the kernel's TIMESLICE_MS only the kernel files that read it and no user
program, MAX_PROCS (read through headers) every object whose headers use
it; and each incremental build's images are byte for byte those of a
pristine build of the same configuration; and the images are the same
with fixdep's configuration header per object and without it.

Usage: test_rebuild.py [OUTDIR]   (rv test runs it with the test's folder)
"""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "common"))
from hostcheck import BASE, RV, fail, run  # noqa: E402

BOARD = "qemu_virt_riscv64"
APP = "samples/hello"
OBJCOPY = "riscv64-unknown-elf-objcopy"

def build(d, *defs):
    """rv build into d with -D settings; the objects it compiled. Without
    debug information, as rv test builds: what depends on what is the
    same, the images are compared without it anyway, and a compile
    ccache misses costs a seventh less."""
    cmd = RV + ["build", "-b", BOARD, APP, "-d", d, "--", "-DRV_DEBUG_INFO=OFF"] + list(defs)
    p = subprocess.run(cmd, cwd=BASE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        fail(f"`{' '.join(cmd)}` exited with {p.returncode}:\n{p.stdout[-3000:]}")
        return None
    # The kernel's function-name table (symtab.S) is generated from the
    # linked kernel, so it rebuilds whenever kernel code changes: not a
    # configuration dependency, left out of the comparisons.
    return sorted(o for o in re.findall(r"Building (?:C|ASM) object (\S+)", p.stdout)
                  if not o.endswith("/kernel/symtab.S.obj"))


def image(d, rel):
    """The loadable bytes of an ELF file of the build."""
    out = os.path.join(d, rel + ".bin")
    subprocess.run([OBJCOPY, "-O", "binary", os.path.join(d, rel), out], check=True)
    with open(out, "rb") as f:
        return f.read()


def same_as_pristine(d, scratch, defs, what):
    p = os.path.join(scratch, "pristine")
    shutil.rmtree(p, ignore_errors=True)
    if build(p, *defs) is None:
        return
    for rel in ("rvos.elf", "programs/hello"):
        if image(d, rel) != image(p, rel):
            fail(f"{what}: {rel} differs from a pristine build of the same configuration")


def expect_objects(got, want, what):
    if got is None:
        return
    if got != sorted(want):
        fail(f"{what}: compiled {got}, expected {sorted(want)}")
    else:
        print(f"ok: {what}: {len(got)} object(s) {got}", flush=True)


def empty_table_as_symtab_writes_it(d, scratch):
    """CMake writes link pass 1's empty function-name table itself
    (cmake/kernel.cmake: no Python start); it must be what
    scripts/symtab.py --empty writes, the layout kernel/symtab.c reads."""
    ref = os.path.join(scratch, "symtab_empty.S")
    subprocess.run([sys.executable, os.path.join(BASE, "scripts", "symtab.py"), "--empty", ref],
                   check=True)
    with open(ref, encoding="utf-8") as f, \
            open(os.path.join(d, "kernel", "symtab_empty.S"), encoding="utf-8") as g:
        if f.read() != g.read():
            fail("kernel/symtab_empty.S (cmake/kernel.cmake) differs from symtab.py --empty's")
        else:
            print("ok: the build's empty function-name table is symtab.py's", flush=True)


def same_without_split(d, scratch, defs):
    """fixdep --split (doc/architecture.md, "One configuration header per
    object") changes what each object includes, not what it is: a build
    with every object including the whole autoconf.h has the same images."""
    headers = [f for _, _, files in os.walk(d) for f in files if f.endswith(".obj.autoconf.h")]
    if not headers:
        fail("no OBJECT.autoconf.h in the build: is the split off (no ccache, no host gcc)?")
        return
    whole = os.path.join(scratch, "whole")
    if build(whole, "-DRV_CONFIG_SPLIT=OFF", *defs) is None:
        return
    if any(f.endswith(".obj.autoconf.h") for _, _, files in os.walk(whole) for f in files):
        fail("-DRV_CONFIG_SPLIT=OFF still wrote configuration headers per object")
    for rel in ("rvos.elf", "programs/hello"):
        if image(d, rel) != image(whole, rel):
            fail(f"{rel} differs between the split build and -DRV_CONFIG_SPLIT=OFF's")
            return
    print(f"ok: {len(headers)} objects with headers of their own; the same images with the "
          f"whole autoconf.h", flush=True)
    shutil.rmtree(whole, ignore_errors=True)


def body(scratch):
    d = os.path.join(scratch, "build")
    first = build(d, "-DCONFIG_HELLO_GREETINGS=2", "-DCONFIG_TIMESLICE_MS=10")
    if first is None:
        return
    same_without_split(d, scratch, ["-DCONFIG_HELLO_GREETINGS=2", "-DCONFIG_TIMESLICE_MS=10"])
    empty_table_as_symtab_writes_it(d, scratch)
    if not os.path.isdir(os.path.join(d, "include", "config")):
        fail("no include/config symbol files: is fixdep off (no host gcc)?")
        return
    expect_objects(build(d, "-DCONFIG_HELLO_GREETINGS=3", "-DCONFIG_TIMESLICE_MS=10"),
                   ["CMakeFiles/kernel_objs.dir/samples/hello/src/main.c.obj"],
                   "HELLO_GREETINGS 2 -> 3")
    same_as_pristine(d, scratch, ["-DCONFIG_HELLO_GREETINGS=3", "-DCONFIG_TIMESLICE_MS=10"],
                     "after HELLO_GREETINGS")
    expect_objects(build(d, "-DCONFIG_HELLO_GREETINGS=3", "-DCONFIG_TIMESLICE_MS=7"),
                   ["CMakeFiles/kernel_objs.dir/kernel/sched.c.obj"],
                   "TIMESLICE_MS 10 -> 7")
    same_as_pristine(d, scratch, ["-DCONFIG_HELLO_GREETINGS=3", "-DCONFIG_TIMESLICE_MS=7"],
                     "after TIMESLICE_MS")
    # A limit read through headers: some kernel objects, and every object
    # whose sources or headers mention it -- the images must match.
    got = build(d, "-DCONFIG_HELLO_GREETINGS=3", "-DCONFIG_TIMESLICE_MS=7",
                "-DCONFIG_MAX_PROCS=12")
    if got is not None:
        if not any("kernel/" in o for o in got):
            fail(f"MAX_PROCS 2 -> 12 recompiled no kernel object: {got}")
        else:
            print(f"ok: MAX_PROCS: {len(got)} object(s)", flush=True)
    same_as_pristine(d, scratch, ["-DCONFIG_HELLO_GREETINGS=3", "-DCONFIG_TIMESLICE_MS=7",
                                  "-DCONFIG_MAX_PROCS=12"], "after MAX_PROCS")
    expect_objects(build(d, "-DCONFIG_HELLO_GREETINGS=3", "-DCONFIG_TIMESLICE_MS=7",
                         "-DCONFIG_MAX_PROCS=12"), [], "the same configuration again")


def main():
    return run("rebuild", body)


if __name__ == "__main__":
    sys.exit(main())
