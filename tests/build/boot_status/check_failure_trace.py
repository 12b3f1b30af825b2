#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The trace a failing kernel printed (CONFIG_TRACE_DUMP_ON_FAILURE), read
back by scripts/trace.py as `rv test` does for a failed scenario: it must
decode, hold at most the configured number of records, and show a process
ending with STATUS (init, passing on PROGRAM's status; PROGRAM's own end
may be older than the records kept).

Usage: check_failure_trace.py CONSOLE OUTDIR PROGRAM STATUS MAX_RECORDS
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def main():
    console, outdir, program, status, most = sys.argv[1:6]
    text = os.path.join(outdir, "failure-trace.txt")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "trace.py"), "--console",
                        console, "--text", text, "--json",
                        os.path.join(outdir, "failure-trace.json")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        print(f"scripts/trace.py could not read the failure's records:\n{p.stdout}")
        return 1
    with open(text, encoding="utf-8") as f:
        lines = f.read().splitlines()
    with open(console, encoding="utf-8", errors="replace") as f:
        records = sum(1 for line in f if line.startswith("T "))
    if not 0 < records <= int(most):
        print(f"the kernel printed {records} records; 1 to {most} expected")
        return 1
    end = re.compile(rf"exits, reason \d+, code {int(status)}\b")
    if not any(end.search(line) for line in lines):
        print(f"no process exits with code {status} among the last {records} records; "
              f"the text timeline ends:\n" + "\n".join(lines[-10:]))
        return 1
    print(f"ok: {records} records ({program} failed), an exit with code {status} among them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
