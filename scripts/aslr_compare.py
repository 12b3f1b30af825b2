#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compare the layouts tests/kernel/aslr printed in two boots (doc/security.md).

The first boot is the test's own (--console, its console log). This boots
the same build (--build) once more with `rv flash`, and reads from both
the lines

    aslr: pid N stack_top 0x... heap 0x... shm 0x... device 0x...

one per process (the first program, then its children, in order; the
n-th line of one boot is compared with the n-th of the other, whatever
their pids).

--expect differ (CONFIG_ASLR=y): in each boot, and between the two boots
for the same process, every region's address must differ; one chance
coincidence in all the comparisons is let through (its odds are about
1 in 2^bits each).
--expect same (CONFIG_ASLR=n): both boots print the same lines.

Exit status 0, or 1 with a line per problem (the last line says what
failed); the second boot's console goes to --save if given.
"""
import argparse
import itertools
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE = re.compile(r"^aslr: pid (\d+) stack_top (0x[0-9a-f]+) heap (0x[0-9a-f]+) "
                  r"shm (0x[0-9a-f]+) device (0x[0-9a-f]+)\s*$")
REGIONS = ("stack_top", "heap", "shm", "device")


def layouts(text, where):
    """[(pid, {region: address})] in the order printed."""
    out = []
    for line in text.splitlines():
        m = LINE.match(line.replace("\r", ""))
        if m:
            out.append((int(m.group(1)),
                        {r: int(m.group(2 + i), 16) for i, r in enumerate(REGIONS)}))
    if not out:
        raise SystemExit(f"aslr_compare: no 'aslr: pid ...' line in {where}")
    return out


def boot_again(build, timeout, no_rng=False):
    cmd = [sys.executable, os.path.join(ROOT, "rv"), "flash", "-d", build]
    if no_rng:
        cmd.append("--no-rng")
    try:
        p = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        raise SystemExit(f"{out}\naslr_compare: the second boot took over {timeout} s")
    text = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        raise SystemExit(f"{text}\naslr_compare: the second boot ended with status {p.returncode}")
    if not re.search(r"^aslr: \d+ checks, 0 failed", text, re.M):
        raise SystemExit(f"{text}\naslr_compare: the second boot's test failed")
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--console", required=True, help="console log of the first boot")
    ap.add_argument("--build", required=True, help="build folder to boot again (rv flash -d)")
    ap.add_argument("--expect", choices=("differ", "same"), required=True,
                    help="differ: CONFIG_ASLR=y; same: CONFIG_ASLR=n")
    ap.add_argument("--timeout", type=float, default=120, help="seconds for the second boot")
    ap.add_argument("--no-rng", action="store_true",
                    help="boot again without the board's entropy device (rv flash --no-rng)")
    ap.add_argument("--save", help="write the second boot's console here")
    args = ap.parse_args()

    with open(args.console, encoding="utf-8", errors="replace") as f:
        first = layouts(f.read(), args.console)
    text = boot_again(args.build, args.timeout, args.no_rng)
    if args.save:
        with open(args.save, "w", encoding="utf-8") as f:
            f.write(text)
    second = layouts(text, "the second boot")
    for name, boot in (("first", first), ("second", second)):
        for pid, lay in boot:
            print(f"{name} boot: pid {pid} " +
                  " ".join(f"{r} {lay[r]:#x}" for r in REGIONS))
    if len(first) != len(second):
        raise SystemExit(f"aslr_compare: {len(first)} processes in the first boot, "
                         f"{len(second)} in the second")

    problems = []
    if args.expect == "same":
        for (p1, l1), (p2, l2) in zip(first, second):
            if l1 != l2:  # pids may differ: a child's is not fixed
                problems.append(f"pid {p1} (pid {p2} in the second boot): the layout moved "
                                f"between boots: " +
                                " ".join(f"{r} {l1[r]:#x}/{l2[r]:#x}" for r in REGIONS))
    else:
        same = []
        for (p1, l1), (p2, l2) in zip(first, second):
            same += [f"pid {p1} {r} {l1[r]:#x} in both boots" for r in REGIONS
                     if l1[r] == l2[r]]
        for name, boot in (("first", first), ("second", second)):
            for (pa, la), (pb, lb) in itertools.combinations(boot, 2):
                same += [f"{name} boot: pids {pa} and {pb} share {r} {la[r]:#x}"
                         for r in REGIONS if la[r] == lb[r]]
        comparisons = len(REGIONS) * (len(first) + len(first) * (len(first) - 1))
        print(f"aslr_compare: {comparisons} comparisons, {len(same)} addresses the same")
        if len(same) > 1:
            problems += same
    for p in problems:
        print(p)
    if problems:
        print(f"aslr_compare: {len(problems)} problems (expected the layouts to {args.expect})")
        return 1
    print(f"aslr_compare: ok, the layouts {args.expect} as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
