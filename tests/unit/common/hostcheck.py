# SPDX-License-Identifier: Apache-2.0
"""What the Python host tests share (tests/unit/*/test_*.py): failures
recorded and printed as they come, a scratch folder under the test's
folder, and the closing count that makes the exit status."""

import os
import shutil
import sys
import tempfile

BASE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))
failures = []
# How to start ./rv: under the interpreter running this test (rv test runs
# the Python host tests under /usr/bin/python3, which rv re-executes
# itself with anyway), not through its #! line: a pyenv python first on
# the PATH costs 0.07 s of CPU more a start (doc/testing.md).
RV = [sys.executable, os.path.join(BASE, "rv")]


def fail(what):
    failures.append(what)
    print("FAIL: " + what, flush=True)


def check(cond, what):
    if not cond:
        fail(what)
    return bool(cond)


def run(name, body):
    """body(scratch) in a scratch folder (under argv[1], the folder rv test
    gives, when there is one), removed afterwards; the exit status."""
    scratch = tempfile.mkdtemp(prefix=f"rv-{name}-",
                               dir=sys.argv[1] if len(sys.argv) > 1 else None)
    try:
        body(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0
