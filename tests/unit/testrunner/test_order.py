#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The order `rv test` starts its tests in (scripts/testrunner.py,
doc/testing.md "Longest first"): the longest expected first -- the time earlier
runs took (OUTDIR/durations.json) when there is one, else an estimate from the
boots a scenario makes (power cuts, random configurations).

Usage: test_order.py [OUTDIR]   (rv test runs it with the test's folder)
"""

import os
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "common"))
from hostcheck import BASE, check, run  # noqa: E402
sys.path.insert(0, os.path.join(BASE, "scripts"))
import testrunner  # noqa: E402

VIRT = "qemu_virt_riscv64"


def fake(name, cfg=None, board=VIRT):
    sc = types.SimpleNamespace(cfg=cfg or {}, name=name)
    return types.SimpleNamespace(sc=sc, name=name, board=board)


def names(tests):
    return [t.name for t in tests]


def body(scratch):
    plain = fake("a.plain")
    cut = fake("b.powercut", {"powercut": {"cuts": 25, "seed": 1}})
    rand = fake("c.random", {"random_configs": {"count": 4, "seed": 2}})
    other = fake("d.plain")
    tests = [plain, cut, rand, other]

    # No times: the scenarios that boot many times go first, the rest
    # keep their order.
    earlier = testrunner.earlier_durations(scratch)
    check(earlier == {}, f"no durations.json gives no durations, got {earlier}")
    got = names(testrunner.longest_first(tests, earlier))
    check(got == ["b.powercut", "c.random", "a.plain", "d.plain"],
          f"estimated order without a report: {got}")

    # The times of earlier runs decide over the estimate.
    timed = [types.SimpleNamespace(name="a.plain", board=VIRT, build_time=2.0, run_time=90.0,
                                   cached=None),
             types.SimpleNamespace(name="b.powercut", board=VIRT, build_time=1.0, run_time=5.0,
                                   cached=None),
             types.SimpleNamespace(name="d.plain", board=VIRT, build_time=None, run_time=None,
                                   cached=None),
             types.SimpleNamespace(name="c.random", board="qemu_sifive_u", build_time=1.0,
                                   run_time=500.0, cached=None)]
    testrunner.save_durations(scratch, {}, timed)
    earlier = testrunner.earlier_durations(scratch)
    check(earlier.get((VIRT, "a.plain")) == 92.0, f"a.plain's time kept: {earlier}")
    check((VIRT, "d.plain") not in earlier, "a test not built or booted gives no time")
    got = names(testrunner.longest_first(tests, earlier))
    # c.random on virt has no time (only on sifive_u): estimate 8 + 4 * 3 = 20.
    check(got == ["a.plain", "c.random", "d.plain", "b.powercut"],
          f"order from the times kept: {got}")

    # A later run of one test keeps the others' times; a cached pass (not
    # run) does not replace the time of the run it stands for.
    again = [types.SimpleNamespace(name="b.powercut", board=VIRT, build_time=3.0, run_time=100.0,
                                   cached=None),
             types.SimpleNamespace(name="a.plain", board=VIRT, build_time=0.0, run_time=0.0,
                                   cached="2026-12-06 08:10:41")]
    testrunner.save_durations(scratch, earlier, again)
    earlier = testrunner.earlier_durations(scratch)
    check(earlier.get((VIRT, "b.powercut")) == 103.0, f"b.powercut's new time: {earlier}")
    check(earlier.get((VIRT, "a.plain")) == 92.0, f"a cached pass keeps the time: {earlier}")
    check(earlier.get(("qemu_sifive_u", "c.random")) == 501.0, f"others kept: {earlier}")

    # A broken file is ignored, not fatal.
    with open(os.path.join(scratch, testrunner.DURATIONS), "w") as f:
        f.write("{not json")
    check(testrunner.earlier_durations(scratch) == {}, "a malformed durations.json gives nothing")


sys.exit(run("order", body))
