#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scripts/kconfig_checks.py on rules written here (no Kconfig tree)."""

import os
import sys
import tempfile

BASE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))
sys.path.insert(0, os.path.join(BASE, "scripts"))
import kconfig_checks as kc  # noqa: E402

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def rules_of(text):
    with tempfile.NamedTemporaryFile("w", suffix=".Kconfig", delete=False) as f:
        f.write(text)
    try:
        return kc.read_rules(f.name, "K")
    finally:
        os.unlink(f.name)


VALUES = {"A": 12000, "B": 16, "ON": True, "OFF": False, "S": "service:a:1:u0,u1 main:b:6",
          "UNSET": None}


def value_of(name):
    if name not in VALUES:
        raise KeyError(f"CONFIG_{name}")
    if VALUES[name] is None:
        raise kc.NotApplicable(name)
    return VALUES[name]


def run(text):
    return kc.check(rules_of(text), value_of, lambda n: str(VALUES[n]))


def main():
    # One line, and over comment lines until it parses.
    failed = run('# check: A % 4096 == 0, "whole pages: {(A + 4095) // 4096 * 4096}"\n')
    expect(len(failed) == 1, "a broken rule fails")
    expect(failed[0][1] == "CONFIG_A=12000: whole pages: 12288 (rule `A % 4096 == 0`, K:1)",
           f"its line: {failed[0][1]!r}")
    failed = run('config X\n# check: B < 8 and\n#   ON,\n#   "two lines"\nconfig Y\n')
    expect(len(failed) == 1 and failed[0][0].where == "K:2", "a rule over three lines")
    expect(failed[0][1].startswith("CONFIG_B=16, CONFIG_ON=True: two lines"),
           f"symbols in the order written: {failed[0][1]!r}")
    # Passing rules, functions, comprehensions.
    ok = ('# check: is_power_of_2(B) and not OFF, "x"\n'
          '# check: len(words(S)) == 2 and max(field(S, 2)) == 6, "x"\n'
          '# check: sum(len(split(d)) for d in field(S, 3)) == 2, "x"\n'
          '# check: len([k for k in field(S, 0) if k == "service"]) == 1, "x"\n'
          '# check: max([]) == 0 and (1 if ON else 2) == 1, "x"\n')
    expect(run(ok) == [], "rules that hold")
    # A symbol without a value: the rule does not apply.
    expect(run('# check: UNSET > 100, "x"\n') == [], "not applicable")
    # A condition: the rule holds only where it is true; its symbols are not listed.
    failed = run('# check fs if ON: B < 8, "x"\n# check if OFF: B < 8, "x"\n')
    expect(len(failed) == 1 and failed[0][1].startswith("CONFIG_B=16: x")
           and failed[0][0].program == "fs", f"a rule with a condition: {failed}")
    # A program's rule keeps its program.
    failed = run('# check fs: B > 96, "x"\n')
    expect(failed and failed[0][0].program == "fs", "a program's rule")
    # Mistakes name file:line.
    for text, why in (('# check: NOSUCH > 1, "x"\n', "names CONFIG_NOSUCH, which no Kconfig"),
                      ('# check: B >\n', "does not parse"),
                      ('# check: B > 1\n', "does not parse"),
                      ('# check: open("x"), "x"\n', "unsupported")):
        try:
            run(text)
            expect(False, f"{text!r} is refused")
        except kc.RuleError as e:
            expect(str(e).startswith("K:1: "), f"{text!r} names K:1: {e}")
            expect(why in str(e), f"{text!r}: {e}")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
