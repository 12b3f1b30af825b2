#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Passed results kept across `rv test` runs (scripts/testcache.py,
doc/testing.md): what a test's key covers, on a made-up tree, and real
runs of samples/hello -- a pass is reused while its key holds, a failure
never is, --no-cache and another option run the test again.

Usage: test_cache.py [OUTDIR]   (rv test runs it with the test's folder)
"""

import json
import os
import re
import subprocess
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "common"))
from hostcheck import BASE, RV, check, run  # noqa: E402
sys.path.insert(0, os.path.join(BASE, "scripts"))
import testcache  # noqa: E402

VIRT = "qemu_virt_riscv64"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(data)


def fake_test(tree_dir, cfg):
    sc = types.SimpleNamespace(cfg=cfg, yaml_dir=os.path.join(tree_dir, "tests/t"),
                               app_dir=os.path.join(tree_dir, "app"))
    return types.SimpleNamespace(sc=sc, name="t.one", board=VIRT)


def options(**changed):
    o = {k: None for k in testcache.RUN_OPTIONS}
    o.update(build_only=False, timeout_multiplier=1.0)
    o.update(changed)
    return types.SimpleNamespace(**o)


def test_keys(scratch):
    """Each part of a key changes it; a file no input depends on does not."""
    tree = os.path.join(scratch, "tree")
    files = {"src/a.c": "int a;\n", "inc/a.h": "#define A 1\n", "other/b.c": "int b;\n",
             "scripts/run.py": "print(1)\n", "rv": "#!/bin/sh\n", "boards/x/board.cmake": "x\n",
             "tests/t/testcase.yaml": "tests: {}\n", "app/main.c": "int main;\n"}
    for name, text in files.items():
        write(os.path.join(tree, name), text)
    inputs = ["src/a.c", "inc/a.h"]
    cfg = {"timeout": 10}

    def keys(opts=None, config=cfg, versions="pkg 1"):
        t = testcache.Tree(tree, os.path.join(tree, "out"))
        t._versions = versions
        test = fake_test(tree, config)
        opts = opts or options()
        return testcache.key(t, test, opts, inputs), testcache.key(t, test, opts)

    fine, coarse = keys()
    check(keys() == (fine, coarse), "the same tree gave two keys")

    def changed(what, edit, undo, fine_changes=True, coarse_changes=True):
        edit()
        f, c = keys()
        undo()
        check((f != fine) == fine_changes,
              f"{what}: the fine key {'did not change' if fine_changes else 'changed'}")
        check((c != coarse) == coarse_changes,
              f"{what}: the whole-tree key {'did not change' if coarse_changes else 'changed'}")
        check(keys() == (fine, coarse), f"{what}: undone, the keys differ from the first")

    for name in ("inc/a.h", "scripts/run.py", "rv", "boards/x/board.cmake",
                 "tests/t/testcase.yaml", "app/main.c"):
        path = os.path.join(tree, name)
        changed(f"an edit of {name}", lambda p=path: write(p, files[name] + "x\n"),
                lambda p=path, n=name: write(p, files[n]))
    other = os.path.join(tree, "other/b.c")
    changed("an edit of other/b.c (no input)", lambda: write(other, "int c;\n"),
            lambda: write(other, files["other/b.c"]), fine_changes=False)
    new = os.path.join(tree, "inc/new.h")
    changed("a new file beside an input", lambda: write(new, "\n"), lambda: os.remove(new))
    new = os.path.join(tree, "other/new.c")
    changed("a new file in a folder of no input", lambda: write(new, "\n"),
            lambda: os.remove(new), fine_changes=False)
    out = os.path.join(tree, "out/x/build.ninja")
    changed("a file in the output folder", lambda: write(out, "\n"), lambda: os.remove(out),
            fine_changes=False, coarse_changes=False)

    check(keys(options(timeout_multiplier=2.0)) != (fine, coarse)
          and keys(options(random_seed=3)) != (fine, coarse), "an option did not change the key")
    check(keys(config={"timeout": 11}) != (fine, coarse), "the scenario did not change the key")
    check(keys(versions="pkg 2") != (fine, coarse), "a package version did not change the key")


def rv_test(root, out, *extra):
    p = subprocess.run(RV + ["test", "-T", root, "-p", VIRT, "-O", out]
                       + list(extra), cwd=BASE, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def line_of(text, name):
    for line in text.splitlines():
        if re.search(rf"\s{re.escape(name)}\s", line + " "):
            return line
    return ""


def test_real_runs(scratch):
    root = os.path.join(scratch, "yaml")
    write(os.path.join(root, "testcase.yaml"), """common:
  app: samples/hello
  timeout: 30
  harness: console
tests:
  cache.pass:
    harness_config: {type: one_line, regex: ["^Hello World! "]}
  cache.fail:
    harness_config: {type: one_line, regex: ["^this line never comes$"]}
""")
    out = os.path.join(scratch, "out")
    board = os.path.join(out, VIRT)
    rc, text = rv_test(root, out)
    check(rc == 1 and "1 passed, 1 failed" in text, f"first run: exit {rc}:\n{text}")
    rec = testcache.load(os.path.join(board, "cache.pass"))
    check(rec is not None and rec.get("key"), f"no result.json after a pass:\n{text}")
    inputs = (rec or {}).get("inputs") or []
    for name in ("samples/hello/src/main.c", "kernel/main.c", "kernel/Kconfig",
                 "arch/riscv/kernel.ld", "include/rvos/syscall.h"):
        check(name in inputs, f"the recorded inputs lack {name}: {inputs[:20]}...")
    check(not [p for p in inputs if p.startswith(("/", "..")) or "out/" in p],
          f"inputs outside the tree or in the output folder: {inputs}")
    check(testcache.load(os.path.join(board, "cache.fail")) is None,
          "a failed test has a result.json")

    rc, text = rv_test(root, out)
    check(rc == 1 and "1 passed, 1 failed" in text, f"second run: exit {rc}:\n{text}")
    check("unchanged since it passed at" in line_of(text, "cache.pass"),
          f"second run: the pass was not reused:\n{text}")
    check("run " in line_of(text, "cache.fail"), f"second run: the failure did not run:\n{text}")
    check("1 test unchanged since it passed, not run again" in text,
          f"second run: no line saying what was not run:\n{text}")
    with open(os.path.join(out, "report.json")) as f:
        report = {t["name"]: t for t in json.load(f)["tests"]}
    check(((report.get("cache.pass") or {}).get("footprint") or {}).get("code", 0) > 0,
          "report.json: a reused pass lost its footprint")

    rc, text = rv_test(root, out, "--no-cache", "-s", "cache.pass")
    check(rc == 0 and "build " in line_of(text, "cache.pass"),
          f"--no-cache: the test was not run:\n{text}")
    rc, text = rv_test(root, out, "--timeout-multiplier", "2", "-s", "cache.pass")
    check(rc == 0 and "build " in line_of(text, "cache.pass"),
          f"another --timeout-multiplier: the test was not run:\n{text}")
    rc, text = rv_test(root, out, "--timeout-multiplier", "2", "-s", "cache.pass")
    check(rc == 0 and "unchanged since" in line_of(text, "cache.pass"),
          f"the same options again: the pass was not reused:\n{text}")

    # A damaged record is no record: the test runs.
    with open(os.path.join(board, "cache.pass", testcache.RESULT_FILE), "w") as f:
        f.write("{not json")
    rc, text = rv_test(root, out, "--timeout-multiplier", "2", "-s", "cache.pass")
    check(rc == 0 and "build " in line_of(text, "cache.pass"),
          f"a damaged result.json: the test was not run:\n{text}")


def main():
    def body(scratch):
        test_keys(scratch)
        test_real_runs(scratch)
    return run("cache", body)


if __name__ == "__main__":
    sys.exit(main())
