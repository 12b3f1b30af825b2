#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Merge Kconfig fragments into one configuration and check that it took.

Called by the build (cmake/kconfig.cmake) at configure time. Fragments are
applied in order, later wins: board defconfig, the app's prj.conf, the app's
boards/<board>.conf, the EXTRA_CONF_FILE fragments, then -DCONFIG_X=V from
the command line.

The merge stops with an error that names the file and line when a fragment
  - has a line that is not `CONFIG_NAME=value` or `# CONFIG_NAME is not set`,
  - assigns a symbol no Kconfig file defines,
  - assigns a symbol that has no prompt (it can only be selected or defaulted),
  - assigns a value that did not take ("CONFIG_X=y but got n"), with the unmet
    dependencies or the range that refused it,
and when the result breaks a rule across symbols (`# check:` comments in
the Kconfig files, scripts/kconfig_checks.py), naming the symbols, their
values and the rule's file and line. Rules that hold only for apps that
build a given program (`# check PROGRAM:`) are written to
kconfig/program-checks.txt when they fail; the build refuses once it
knows the app's programs (cmake/user.cmake).

When the inputs (fragments, command-line assignments, Kconfig files) are the
same as last time, the existing .config is kept as it is, so a change made
with `rv menuconfig` survives the next build.
"""

import argparse
import hashlib
import os
import re
import sys

import kconfig_checks
from rvpython import need_module

kconfiglib = need_module("kconfiglib", "python3-kconfiglib")

ASSIGN_RE = re.compile(r"^CONFIG_([A-Za-z0-9_]+)=(.*)$")
UNSET_RE = re.compile(r"^# CONFIG_([A-Za-z0-9_]+) is not set\s*$")


class ConfigError(Exception):
    """A problem in a fragment; the message names where and how to fix it."""


class Assignment:
    def __init__(self, name, value, where):
        self.name = name
        self.value = value
        self.where = where  # "file:line" or "command line (-DCONFIG_X=...)"


def parse_fragment(path, label=None):
    """Return the assignments of one fragment in order, or raise ConfigError."""
    out = []
    errors = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read configuration fragment: {e.strerror}")
    for num, raw in enumerate(lines, 1):
        line = raw.strip()
        where = label or f"{path}:{num}"
        m = ASSIGN_RE.match(line)
        if m:
            out.append(Assignment(m.group(1), m.group(2), where))
            continue
        m = UNSET_RE.match(line)
        if m:
            out.append(Assignment(m.group(1), "n", where))
            continue
        if not line or line.startswith("#"):
            continue
        errors.append(f"{where}: malformed line '{raw}': expected CONFIG_NAME=value "
                      f"or '# CONFIG_NAME is not set'")
    if errors:
        raise ConfigError("\n".join(errors))
    return out


def normalise(sym, value):
    """The value as Kconfiglib would print it, for comparing what was asked with what took."""
    if sym.orig_type in (kconfiglib.BOOL, kconfiglib.TRISTATE):
        return value
    if sym.orig_type == kconfiglib.STRING:
        if len(value) >= 2 and value[0] == value[-1] == '"':
            return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        return value
    try:
        num = int(value, 0 if sym.orig_type == kconfiglib.INT else 16)
    except ValueError:
        return value
    return str(num) if sym.orig_type == kconfiglib.INT else hex(num)


def unmet_terms(kconf, expr):
    """The conjuncts of a dependency expression that are not satisfied, as text."""
    terms = []

    def walk(e):
        if isinstance(e, tuple) and e[0] == kconfiglib.AND:
            walk(e[1])
            walk(e[2])
        elif kconfiglib.expr_value(e) == 0:
            terms.append(f"{kconfiglib.expr_str(e)} (is n)")

    walk(expr)
    return terms


def bound(sym):
    """A range's bound as the message shows it: a number, or the symbol it comes from."""
    if not sym.nodes:  # a number written in the range
        return sym.str_value
    return f"CONFIG_{sym.name} ({sym.str_value})"


def why_not(kconf, sym, asked):
    """Explain why a symbol did not take the value a fragment asked for."""
    reasons = []
    deps = unmet_terms(kconf, sym.direct_dep)
    if deps:
        reasons.append("unmet dependency: " + ", ".join(deps))
    if sym.orig_type in (kconfiglib.BOOL, kconfiglib.TRISTATE) and asked == "n" \
            and kconfiglib.expr_value(sym.rev_dep):
        reasons.append("it is selected by " + kconfiglib.expr_str(sym.rev_dep))
    if sym.orig_type in (kconfiglib.INT, kconfiglib.HEX):
        for low, high, cond in sym.ranges:
            if kconfiglib.expr_value(cond):
                where = [f"{n.filename}:{n.linenr}" for n in sym.nodes
                         if any(r[0] is low and r[1] is high for r in getattr(n, "ranges", ()))]
                reasons.append(f"the allowed range is [{bound(low)}, {bound(high)}]"
                               + (f" ({where[0]})" if where and len(sym.nodes) > 1 else ""))
                break
        try:
            int(asked, 0 if sym.orig_type == kconfiglib.INT else 16)
        except ValueError:
            reasons.append(f"'{asked}' is not a valid {kconfiglib.TYPE_TO_STR[sym.orig_type]}")
    if sym.choice is not None and asked == "y":
        sel = sym.choice.selection
        if sel is not None and sel is not sym:
            reasons.append(f"the choice already has CONFIG_{sel.name}=y")
    if not reasons:
        reasons.append("see its definition with `rv menuconfig` (search with '/')")
    return "; ".join(reasons)


def locations(sym):
    return ", ".join(f"{n.filename}:{n.linenr}" for n in sym.nodes) or "nowhere"


def check_assignments(kconf, assignments):
    """Raise ConfigError listing every assignment that is undefined, promptless or did not take."""
    last = {}
    for a in assignments:
        last[a.name] = a
    errors = []
    for a in last.values():
        sym = kconf.syms.get(a.name)
        if sym is None or not sym.nodes:
            errors.append(f"{a.where}: CONFIG_{a.name} is not defined in any Kconfig file; "
                          f"check the spelling, or find the right name with `rv menuconfig` ('/')")
            continue
        if not any(node.prompt for node in sym.nodes):
            errors.append(f"{a.where}: CONFIG_{a.name} has no prompt, so a .conf file cannot set it "
                          f"(it is selected or defaulted; defined at {locations(sym)})")
            continue
        asked = normalise(sym, a.value)
        got = sym.str_value
        if sym.orig_type in (kconfiglib.INT, kconfiglib.HEX):
            got = normalise(sym, got) if got else got
        if asked != got:
            shown = got if got else "(unset)"
            errors.append(f"{a.where}: CONFIG_{a.name}={a.value} but got {shown}: "
                          f"{why_not(kconf, sym, asked)}")
    if errors:
        raise ConfigError("\n".join(errors))


def load_kconfig(kconfig_file):
    kconf = kconfiglib.Kconfig(kconfig_file, warn_to_stderr=False)
    bad = [w for w in kconf.warnings]
    if bad:
        raise ConfigError("Kconfig tree has problems:\n" + "\n".join(bad))
    kconf.warn_assign_undef = False  # undefined assignments are reported by check_assignments
    return kconf


def inputs_digest(kconf, fragments, cmdline):
    h = hashlib.sha256()
    for path in list(kconf.kconfig_filenames) + fragments:
        full = path if os.path.isabs(path) else os.path.join(kconf.srctree, path)
        h.update(full.encode() + b"\0")
        try:
            with open(full, "rb") as f:
                h.update(f.read())
        except OSError:
            h.update(b"<missing>")
    for a in cmdline:
        h.update(a.encode() + b"\0")
    for var in ("BOARD", "APP_DIR"):
        h.update(os.environ.get(var, "").encode() + b"\0")
    return h.hexdigest()


def write_if_changed(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def cmake_text(kconf):
    lines = ["# Generated by scripts/kconfig.py from .config: do not edit.\n"]
    for sym in kconf.unique_defined_syms:
        val = sym.str_value
        if sym.orig_type in (kconfiglib.BOOL, kconfiglib.TRISTATE):
            if val == "n":
                continue
        elif not val and sym.orig_type != kconfiglib.STRING:
            continue
        esc = val.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'set(CONFIG_{sym.name} "{esc}")\n')
    return "".join(lines)


def generate(kconf, args):
    write_if_changed(args.header, _render(kconf.write_autoconf, args.header))
    write_if_changed(args.cmake_out, cmake_text(kconf))
    if args.symbol_dir:
        sync_symbol_files(kconf, args.symbol_dir)


def sync_symbol_files(kconf, symdir):
    """One file per symbol, SYMDIR/NAME, holding its value and rewritten only
    when the value changes; SYMDIR/.symbols lists the names and changes when
    a symbol comes or goes. scripts/fixdep.c makes each object depend on the
    files of the symbols its sources mention instead of on autoconf.h, so a
    change recompiles only the objects that read it (doc/architecture.md)."""
    os.makedirs(symdir, exist_ok=True)
    names = []
    for sym in kconf.unique_defined_syms:
        names.append(sym.name)
        write_if_changed(os.path.join(symdir, sym.name), sym.str_value + "\n")
    write_if_changed(os.path.join(symdir, ".symbols"), "\n".join(sorted(names)) + "\n")
    # A symbol no longer in the Kconfig tree: its file goes, so the objects
    # that depend on it see a missing input and rebuild.
    known = set(names)
    for name in os.listdir(symdir):
        if not name.startswith(".") and name not in known:
            try:
                os.remove(os.path.join(symdir, name))
            except OSError:
                pass


def _render(writer, path):
    """Let a Kconfiglib writer produce its text, then return it (so we write only on change)."""
    tmp = path + ".render"
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    writer(tmp)
    with open(tmp, encoding="utf-8") as f:
        text = f.read()
    os.remove(tmp)
    return text


def symbol_value(kconf, name):
    """A symbol's value for the rules: a number, True/False or a string."""
    sym = kconf.syms.get(name)
    if sym is None or not sym.nodes:
        raise KeyError(f"CONFIG_{name}")
    if sym.orig_type in (kconfiglib.BOOL, kconfiglib.TRISTATE):
        return sym.tri_value > 0
    val = sym.str_value
    if sym.orig_type == kconfiglib.STRING:
        return val
    if val == "":
        raise kconfig_checks.NotApplicable(name)
    return int(val, 16 if sym.orig_type == kconfiglib.HEX else 10)


def shown_value(kconf, name):
    """A symbol's value as a .config writes it (a long string cut short)."""
    sym = kconf.syms[name]
    if sym.orig_type == kconfiglib.STRING:
        val = sym.str_value
        val = val if len(val) <= 48 else val[:40] + "..."
        return '"' + val.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return sym.str_value


def check_rules(kconf, program_checks):
    """Evaluate the `# check:` rules of every Kconfig file read; raise
    ConfigError for those that fail, and write the failures of the rules
    for one program to program_checks for the build to judge."""
    rules = []
    try:
        for path in kconf.kconfig_filenames:
            full = path if os.path.isabs(path) else os.path.join(kconf.srctree, path)
            rules += kconfig_checks.read_rules(full, kconfig_checks.shown_path(path, kconf.srctree))
        failed = kconfig_checks.check(rules, lambda n: symbol_value(kconf, n),
                                      lambda n: shown_value(kconf, n))
    except kconfig_checks.RuleError as e:
        raise ConfigError(str(e))
    # One line a rule; CMake reads the file as a list, so no ';'.
    write_if_changed(program_checks, "".join(f"{rule.program}\t{line.replace(';', ',')}\n"
                                             for rule, line in failed if rule.program))
    errors = [line for rule, line in failed if not rule.program]
    if errors:
        raise ConfigError("\n".join(errors))


def sha256_text(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def keep_edits(config):
    """Before a merge replaces a .config changed since the last merge (with
    menuconfig), copy it to .config.edited and say so: an input changed, so
    the configuration is merged afresh from the inputs (as Zephyr does)."""
    merged = config + ".merged"
    if not (os.path.exists(config) and os.path.exists(merged)):
        return
    with open(config, encoding="utf-8") as f:
        text = f.read()
    with open(merged, encoding="utf-8") as f:
        if f.read().strip() == sha256_text(text):
            return
    write_if_changed(config + ".edited", text)
    print(f"note: Kconfig: an input of the merge changed, so {config} is merged afresh and the "
          f"changes made to it with menuconfig are replaced; they are kept in {config}.edited "
          f"(`rv savedefconfig --config {config}.edited -o FILE` writes them as a fragment)",
          file=sys.stderr)


def merge(args):
    kconf = load_kconfig(args.kconfig)
    # The build configures again when one of these files changes.
    write_if_changed(os.path.join(os.path.dirname(args.cmake_out), "sources.txt"),
                     "".join(os.path.join(kconf.srctree, f) + "\n"
                             for f in kconf.kconfig_filenames))
    program_checks = os.path.join(os.path.dirname(args.cmake_out), "program-checks.txt")
    digest = inputs_digest(kconf, args.fragments, args.cmdline)
    digest_file = args.config + ".inputs"
    old = None
    if os.path.exists(args.config) and os.path.exists(digest_file):
        with open(digest_file, encoding="utf-8") as f:
            old = f.read().strip()
    if old == digest:
        # Same inputs: keep .config as it is (it may carry menuconfig changes).
        kconf.load_config(args.config, replace=True)
        problems = [w for w in kconf.warnings if "set more than once" not in w]
        if problems:
            raise ConfigError(f"{args.config} (edited by hand or by menuconfig) has problems:\n"
                              + "\n".join(problems)
                              + "\nfix it with `rv menuconfig`, or rebuild with -p to start over")
        check_rules(kconf, program_checks)
        generate(kconf, args)
        return

    assignments = []
    for frag in args.fragments:
        assignments += parse_fragment(frag)
    cmd_assignments = []
    for text in args.cmdline:
        m = ASSIGN_RE.match(text)
        if not m:
            raise ConfigError(f"command line: malformed assignment '{text}': use -DCONFIG_NAME=value")
        cmd_assignments.append(Assignment(m.group(1), m.group(2),
                                          f"command line (-DCONFIG_{m.group(1)})"))
    assignments += cmd_assignments

    # Undefined symbols first: loading them would only produce vaguer warnings.
    check_undefined = [a for a in assignments
                       if a.name not in kconf.syms or not kconf.syms[a.name].nodes]
    if check_undefined:
        check_assignments(kconf, check_undefined)

    replace = True
    for frag in args.fragments:
        kconf.load_config(frag, replace=replace)
        replace = False
    if cmd_assignments:
        cmd_frag = os.path.join(os.path.dirname(args.config), "kconfig", "cmdline.conf")
        write_if_changed(cmd_frag, "".join(f"CONFIG_{a.name}={a.value}\n" for a in cmd_assignments))
        kconf.load_config(cmd_frag, replace=replace)
    check_assignments(kconf, assignments)
    check_rules(kconf, program_checks)

    keep_edits(args.config)
    text = _render(kconf.write_config, args.config)
    write_if_changed(args.config, text)
    # What was merged: `rv build -p` and the next merge tell from it whether
    # .config was changed since (menuconfig).
    write_if_changed(args.config + ".merged", sha256_text(text) + "\n")
    generate(kconf, args)
    write_if_changed(digest_file, digest + "\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kconfig", required=True, help="root Kconfig file")
    p.add_argument("--config", required=True, help="the .config to write (and keep)")
    p.add_argument("--header", required=True, help="autoconf.h to write")
    p.add_argument("--cmake-out", required=True, help="CMake file of set(CONFIG_X ...) to write")
    p.add_argument("--symbol-dir", help="folder of per-symbol files to keep in step "
                   "(scripts/fixdep.c's dependencies)")
    p.add_argument("--fragments", nargs="*", default=[],
                   help="configuration fragments in merge order, later wins")
    p.add_argument("--cmdline", nargs="*", default=[],
                   help="CONFIG_X=V assignments from the command line (applied last)")
    args = p.parse_args(argv)
    try:
        merge(args)
    except ConfigError as e:
        print("error: Kconfig: " + str(e).replace("\n", "\nerror: Kconfig: "), file=sys.stderr)
        return 1
    except kconfiglib.KconfigError as e:
        print(f"error: Kconfig: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
