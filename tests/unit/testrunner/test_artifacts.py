#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What `rv test` leaves on disk (doc/testing.md): a passed test keeps only
its logs and configuration, a failed one keeps its build and images,
--keep-artifacts all keeps everything, the shared-build snapshots are gone
at the end, and a full disk is reported by name. Two real runs of
samples/hello (one passing, one made to fail by its yaml) in scratch
folders, and the runner's functions on a made-up folder.

Usage: test_artifacts.py [OUTDIR]   (rv test runs it with the test's folder)
"""

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "common"))
from hostcheck import BASE, RV, check, fail, run  # noqa: E402,F401
sys.path.insert(0, os.path.join(BASE, "scripts"))
import testrunner  # noqa: E402

VIRT = "qemu_virt_riscv64"


def listing(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else None


def write(path, data=b"x"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def test_prune(scratch):
    """prune_artifacts keeps top-level logs and configuration, nothing else."""
    d = os.path.join(scratch, "made-up")
    kept = ["build.log", "console.log", "host_checks.log", ".config", "extra_configs.conf",
            "trace.json", "timeline.png", "CMakeCache.txt"]
    gone = ["rvos.elf", "disk.img", "initrd.cpio", "build.ninja", "kernel/main.o",
            "programs/sh", "lib/librvos.a", "powercut/cut-01/disk.img", "app/x.log"]
    for name in kept + gone:
        write(os.path.join(d, name), b"y" * 4096)

    class T:
        outdir = d
    freed = testrunner.prune_artifacts(T)
    check(listing(d) == sorted(kept), f"prune kept {listing(d)}, expected {sorted(kept)}")
    check(freed >= 4096 * len(gone), f"prune says it freed {freed} bytes, at least "
          f"{4096 * len(gone)} expected")
    T.outdir = os.path.join(scratch, "missing")
    check(testrunner.prune_artifacts(T) == 0, "a missing folder: 0 bytes freed")


def test_shared_release(scratch):
    """The last test done with a shared build deletes its snapshot."""
    snap = os.path.join(scratch, "snap")
    write(os.path.join(snap, "rvos.elf"))
    sb = testrunner.SharedBuild(3)
    sb.snapshot = snap
    sb.release()
    sb.release()
    check(os.path.isdir(snap), "the snapshot went before its last user copied it")
    sb.release()
    check(not os.path.exists(snap) and sb.snapshot is None,
          "the snapshot is still there after its last user")


def test_shared_links(scratch):
    """A shared build's copies hard-link what no test writes and copy what
    a boot or the runner may write in place (disk images, logs); prune and
    the folder's size count a linked file once."""
    snap = os.path.join(scratch, "links-snap")
    for name in ("rvos.elf", "kernel/main.o", "initrd.cpio", "disk.img", "build.log"):
        write(os.path.join(snap, name), b"s" * 8192)
    copies = [os.path.join(scratch, n) for n in ("links-a", "links-b")]
    for c in copies:
        shutil.copytree(snap, c, symlinks=True, copy_function=testrunner.link_or_copy)
    for name in ("rvos.elf", "kernel/main.o", "initrd.cpio"):
        check(os.path.samefile(os.path.join(snap, name), os.path.join(copies[0], name)),
              f"{name}: copied, not linked")
    for name in ("disk.img", "build.log"):
        check(not os.path.samefile(os.path.join(snap, name), os.path.join(copies[0], name)),
              f"{name}: linked, but a boot or the runner writes it in place")
    # A boot writing its image leaves the snapshot's and the other copy's alone.
    with open(os.path.join(copies[0], "disk.img"), "r+b") as f:
        f.write(b"guest")
    for d in (snap, copies[1]):
        with open(os.path.join(d, "disk.img"), "rb") as f:
            check(f.read(5) == b"sssss", f"{d}/disk.img changed with another folder's")
    # Three names for each linked file: the folder's size counts it once.
    top = testrunner.tree_bytes(scratch)
    check(top < 3 * 5 * 8192, f"tree_bytes counted linked files more than once: {top}")
    class T:
        outdir = copies[0]
    freed = testrunner.prune_artifacts(T)
    check(freed == 8192 and listing(copies[0]) == ["build.log"],
          f"prune of a linked copy says it freed {freed} bytes (8192, its disk.img, expected); "
          f"left {listing(copies[0])}")
    check(os.path.isfile(os.path.join(snap, "rvos.elf")), "prune of a copy took the snapshot's files")


def test_build_keys():
    """Scenarios share a build only when board, app and configuration agree:
    a change to one scenario's configuration never reuses another's build."""
    def fake(board="qemu_virt_riscv64", app="samples/hello", **cfg):
        sc = types.SimpleNamespace(cfg=cfg, type="integration", app_dir=os.path.join(BASE, app))
        return types.SimpleNamespace(sc=sc, board=board)
    base = testrunner.build_key(fake(extra_configs=["CONFIG_HELLO_GREETINGS=2"]))
    check(base == testrunner.build_key(fake(extra_configs=["CONFIG_HELLO_GREETINGS=2"],
                                            harness="console", timeout=9)),
          "the same board, app and configuration with another harness: not shared")
    for what, other in (
            ("another value", fake(extra_configs=["CONFIG_HELLO_GREETINGS=3"])),
            ("another option", fake(extra_configs=["CONFIG_HELLO_GREETINGS=2",
                                                   "CONFIG_TIMESLICE_MS=5"])),
            ("a fragment", fake(extra_configs=["CONFIG_HELLO_GREETINGS=2"],
                                extra_conf_files=["small.conf"])),
            ("-D arguments", fake(extra_configs=["CONFIG_HELLO_GREETINGS=2"],
                                  extra_args=["-DCONFIG_TIMESLICE_MS=5"])),
            ("another board", fake(board="qemu_sifive_u",
                                   extra_configs=["CONFIG_HELLO_GREETINGS=2"])),
            ("another app", fake(app="samples/shell",
                                 extra_configs=["CONFIG_HELLO_GREETINGS=2"]))):
        check(testrunner.build_key(other) != base, f"{what}: the same build key as the first")
    check(testrunner.build_key(fake(expect_build_failure=True)) is None,
          "a scenario whose build must fail shares a build")


def test_unit_build_steps():
    """A C unit test builds through ccache one source at a time, then links
    with the same flags (link flags at the link only); without ccache, or
    for a Python test, the one command as before."""
    sc = types.SimpleNamespace(cfg={"sources": ["kernel/elf.c", "tests/unit/elf/test_elf.c"],
                                    "cflags": ["-DX=1", "-I", "lib/include", "-lm"]})
    t = types.SimpleNamespace(sc=sc, outdir="/out/host/unit.x", name="unit.x")
    one = testrunner.unit_build_command(t)
    check(testrunner.unit_build_steps(t, None) == [one], "without ccache: not the one command")
    steps = testrunner.unit_build_steps(t, "/usr/bin/ccache")
    check(len(steps) == 3, f"{len(steps)} steps for two sources, expected 3")
    for step, src in zip(steps, sc.cfg["sources"]):
        check(step[:2] == ["/usr/bin/ccache", "gcc"] and "-c" in step and src in step
              and "-lm" not in step and all(f in step for f in testrunner.UNIT_CFLAGS)
              and "-DX=1" in step and "lib/include" in step,
              f"compile step of {src}: {step}")
    link = steps[-1]
    check(link[0] == "gcc" and "-lm" in link and link[-2:] == ["-o", "/out/host/unit.x/unit.x"]
          and "-fsanitize=address,undefined" in link and "-c" not in link,
          f"link step: {link}")
    py = types.SimpleNamespace(sc=types.SimpleNamespace(cfg={"sources": ["tests/unit/rv/t.py"]}),
                               outdir="/o", name="unit.py")
    check(testrunner.unit_build_steps(py, "/usr/bin/ccache") ==
          [testrunner.unit_build_command(py)], "a Python test's build changed")


def test_build_command(scratch):
    """A QEMU test builds without fixdep's per-symbol dependencies (never
    built again incrementally) and without debug information (nothing it
    runs reads it), before its own -D arguments, which win."""
    sc = types.SimpleNamespace(cfg={"extra_args": ["-DRV_FIXDEP=ON"]}, app_dir="/a",
                               yaml_dir="/y")
    t = types.SimpleNamespace(sc=sc, board="b", outdir=os.path.join(scratch, "bc"))
    cmd = testrunner.build_command(["rv"], t)
    tail = cmd[cmd.index("--") + 1:] if "--" in cmd else []
    check(tail == [testrunner.NO_FIXDEP, testrunner.NO_DEBUG_INFO, "-DRV_FIXDEP=ON"] and
          testrunner.NO_FIXDEP == "-DRV_FIXDEP=OFF" and
          testrunner.NO_DEBUG_INFO == "-DRV_DEBUG_INFO=OFF", f"build command: {cmd}")


def test_enospc():
    e = OSError(errno.ENOSPC, "No space left on device", "/x/out/disk.img")
    why = testrunner.explain_os_error(e)
    check("/x/out/disk.img" in why and "-O" in why and "no space" in why,
          f"ENOSPC reason does not name the file and the way out: {why}")
    why = testrunner.explain_os_error(ValueError("bad"))
    check(why == "runner error: ValueError: bad", f"another error's reason: {why}")


def rv_test(root, out, *extra):
    p = subprocess.run(RV + ["test", "-T", root, "-p", VIRT, "-O", out]
                       + list(extra), cwd=BASE, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def test_real_runs(scratch):
    """samples/hello built and booted by the real runner: twice the same
    configuration (a shared build), and once with a console it cannot match."""
    root = os.path.join(scratch, "yaml")
    os.makedirs(root)
    with open(os.path.join(root, "testcase.yaml"), "w") as f:
        f.write("""common:
  app: samples/hello
  timeout: 30
  harness: console
tests:
  artifacts.pass_a:
    harness_config: {type: one_line, regex: ["^Hello World! "]}
  artifacts.pass_b:
    harness_config: {type: one_line, regex: ["^Hello from user mode "]}
  artifacts.fail:
    extra_configs: [CONFIG_HELLO_GREETINGS=2]
    harness_config: {type: one_line, regex: ["^this line never comes$"]}
  artifacts.traced_failure:
    # A main program that fails, in a kernel with tracing: the runner turns
    # the records the kernel printed into trace.txt.
    app: tests/build/boot_status
    extra_configs: ['CONFIG_INIT_MANIFEST="service:console:1:uart0 main:fails:6"',
                    CONFIG_TRACING=y]
    harness_config: {type: one_line, regex: ["^fails: "]}
  artifacts.traced_hang:
    # The shell waits for input for ever: at the timeout the runner reads
    # the ring through QEMU's gdb server before it stops QEMU.
    app: samples/shell
    timeout: 8
    extra_configs: [CONFIG_TRACING=y]
    harness_config: {type: one_line, regex: ["^this line never comes$"]}
""")
    out = os.path.join(scratch, "out")
    rc, text = rv_test(root, out, "--clean")
    check(rc == 1 and "2 passed, 3 failed" in text, f"rv test exit {rc}, output:\n{text}")
    # The failures are repeated just above the count, where a CI page's tail shows them.
    summary = text[text.rfind("-- rv test: 3 failures:"):]
    check(summary.startswith("-- rv test: 3 failures:")
          and all(f"{VIRT}  artifacts.{n}: " in summary
                  for n in ("fail", "traced_failure", "traced_hang"))
          and "artifacts.pass_a" not in summary,
          f"the failures are not listed above the count:\n{text[-3000:]}")
    board = os.path.join(out, VIRT)
    for name in ("artifacts.pass_a", "artifacts.pass_b"):
        files = listing(os.path.join(board, name)) or []
        check("console.log" in files and "build.log" in files and ".config" in files,
              f"{name}: logs missing after the prune: {files}")
        check("rvos.elf" not in files and "kernel" not in files,
              f"{name}: a passed test kept its build: {files}")
    files = listing(os.path.join(board, "artifacts.fail")) or []
    check("rvos.elf" in files and "kernel" in files,
          f"artifacts.fail: a failed test lost its build: {files}")
    for name, source in (("artifacts.traced_failure", "the records printed as it failed"),
                         ("artifacts.traced_hang", "QEMU's gdb server at the timeout")):
        trace = os.path.join(board, name, "trace.txt")
        body = open(trace, encoding="utf-8").read() if os.path.isfile(trace) else ""
        check(body.count("\n") > 10 and os.path.isfile(os.path.join(board, name, "trace.json")),
              f"{name}: no trace from {source} ({trace}: {len(body)} bytes)")
        check(re.search(rf"FAIL .*{re.escape(name)}\s.*\n\s+reason: .*the kernel's trace of "
                        rf"it: \S*trace\.txt", text) is not None,
              f"{name}: the failure's reason does not point at its trace:\n{text}")
    check(not os.path.exists(os.path.join(board, testrunner.SHARED_DIR)),
          f"{testrunner.SHARED_DIR} left behind: {listing(os.path.join(board, testrunner.SHARED_DIR))}")
    check("deleted the builds of passed tests" in text, "no line about what was deleted")

    with open(os.path.join(out, "report.json")) as f:
        report = {t["name"]: t for t in json.load(f)["tests"]}
    fp = (report.get("artifacts.pass_a") or {}).get("footprint") or {}
    check(fp.get("code", 0) > 0 and fp.get("rom") == fp.get("code", 0) + fp.get("rodata", 0)
          and fp.get("ram") == fp.get("data", 0) + fp.get("zeroed", 0),
          f"report.json: artifacts.pass_a's footprint is {fp}")

    rc, text = rv_test(root, out, "-s", "artifacts.pass_a", "--keep-artifacts", "all")
    files = listing(os.path.join(board, "artifacts.pass_a")) or []
    check(rc == 0 and "rvos.elf" in files,
          f"--keep-artifacts all: exit {rc}, folder {files}:\n{text}")

    # rv footprint --pools: RAM by pool, with hello's prj.conf's sizes (no IPC: no channel pool).
    p = subprocess.run(RV + ["footprint", "--pools", "-d",
                        os.path.join(board, "artifacts.pass_a")],
                       cwd=BASE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(p.returncode == 0 and re.search(r"\bprocs +the process table: CONFIG_MAX_PROCS=2,",
                                          p.stdout) and "_boot_stack" in p.stdout
          and not re.search(r"\bchannels +the channel pool", p.stdout),
          f"rv footprint --pools: exit {p.returncode}:\n{p.stdout}")

    # rv footprint --compare: the greetings option changes app_main, nothing
    # else (hello's kernel is link-time optimised, CONFIG_KERNEL_LTO: there
    # app_main is inlined into kernel_main, which changes instead).
    p = subprocess.run(RV + ["footprint", "--compare",
                        os.path.join(board, "artifacts.pass_a"),
                        os.path.join(board, "artifacts.fail")],
                       cwd=BASE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rows = [l for l in p.stdout.splitlines() if l.split()[:1] in (["app_main"], ["kernel_main"])]
    check(p.returncode == 0 and len(rows) == 1 and rows[0].split()[-1] not in ("0", "+0"),
          f"rv footprint --compare: exit {p.returncode}, app_main/kernel_main rows {rows}:\n{p.stdout}")
    p = subprocess.run(RV + ["footprint", "--compare",
                        os.path.join(board, "artifacts.pass_a"),
                        os.path.join(board, "artifacts.pass_a", "rvos.elf")],
                       cwd=BASE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(p.returncode == 0 and "No symbol changed size." in p.stdout,
          f"rv footprint --compare of a build with itself:\n{p.stdout}")


def main():
    def body(scratch):
        test_prune(scratch)
        test_shared_release(scratch)
        test_shared_links(scratch)
        test_build_keys()
        test_unit_build_steps()
        test_build_command(scratch)
        test_enospc()
        test_real_runs(scratch)
    return run("artifacts", body)


if __name__ == "__main__":
    sys.exit(main())
