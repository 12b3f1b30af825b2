#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""rvOS test runner (`rv test`): build and boot every test scenario.

Scenarios live in sample.yaml / testcase.yaml files under samples/ and tests/,
in Zephyr's twister shape:

    sample: {name: hello, description: ...}   # optional, informative only
    common: {...}                              # merged into every scenario
    tests:
      sample.hello: {...}                      # one scenario

A scenario's keys win over `common`'s, except that the lists extra_configs,
extra_conf_files, extra_args, tags and build_checks concatenate (common's
first). Keys of a scenario:

  type               integration (default: build the yaml's folder as an app for
                     each board and boot it) or unit (host unit test, below)
  app                the app folder to build instead, relative to the repo root
  tags               list of words, for --tag
  timeout            seconds the boot (or the unit test) may take (default 60)
  skip               true: do not run, count as skipped
  platform_allow     boards to build for (default: every board)
  platform_exclude   boards never to build for
  extra_configs      CONFIG_X=V lines, written to OUTDIR/extra_configs.conf and
                     given to the build as an EXTRA_CONF_FILE
  extra_conf_files   Kconfig fragments relative to the yaml's folder
  extra_args         arguments passed after `--` to `rv build` as they are
  build_only         true: build, do not boot
  harness            console (the only one); implied by harness_config.regex
  harness_config     type: one_line | multi_line, ordered: true (default) |
                     false, regex: [...] -- matched against the console lines

rvOS extensions:

  harness_config.expect_exit: N | nonzero
      the guest's (QEMU's) exit status the test needs (default 0)
  harness_config.host_time: [{regex: R, within: SECONDS}]
      R's group 1 in the first line it matches is a time in seconds since
      1970 that must be within SECONDS of the host's clock when the line
      arrived (a guest's wall clock)
  harness_config.virtual_clock: true
      boot with `rv flash --virtual-clock` (-icount shift=3,sleep=off): the
      guest's clock counts its instructions (8 ns each) and skips idle time,
      so the times a test measures in the guest (a sleep's length, a time
      slice) are the same on a busy host; for every test that checks them
  harness_config.rng: false
      boot with `rv flash --no-rng`: without the board's entropy device
  harness_config.qemu_args: "ARGS"
      boot with `rv flash --qemu-args=ARGS` (e.g. "-cpu rv64,zkr=true")
  harness_config.expect_panic: true
      the console must show a kernel panic; the default expect_exit becomes
      nonzero. Without it, any panic line fails the test.
  build_checks: [{file: F, regex: R, not_regex: R2}]
      after the build, OUTDIR/F must match every regex and no not_regex
  footprint_max: {rom_no_ksyms: BYTES, ram: BYTES, ...}
      after the build, the kernel's footprint (report.json's; rv footprint)
      must not exceed these: a guard against growth
  expect_build_failure: true, build_error_regex: [R, ...]
      the build must fail and its log must match every regex
  expect_verdict: fail, expect_reason: R
      a self-check of the runner: the scenario passes only if judging it
      normally FAILS with a reason matching R (e.g. "panic")
  disk_setup: [{offset: N, bytes: HEX} | {debugfs: REQUEST}], disk_corrupt: [...]
      changes to the build's disk.img before the boot (disk_corrupt: damage;
      it turns the default disk_check off)
  disk_check: false
      no e2fsck -fn on disk.img after the run (which fails the test if unclean)
  disk_checks: [{debugfs: REQUEST, regex: R, not_regex: R2, sha256: H, equals_file: F}]
      after the run, `debugfs -R REQUEST disk.img` must give matching output
  disk_unchanged: true
      the run must leave disk.img exactly as it was at the boot
  host_checks: [COMMAND, ...]
      after a run that passed, each command (run in the repository, {console},
      {outdir}, {app} and {python} replaced) must exit 0 (e.g. a trace check)
  powercut: {cuts: N, seed: S[, promise: journal | ext2]}
      instead of one boot, an uncut run and N power cuts at seeded requests
      of a disk with a write cache (scripts/powercut.py, scripts/nbdcut.py);
      --powercut-seed S and --powercut-cut I[:K] replay one
  random_configs: {count: N, seed: S}
      instead of its own configuration, N random valid ones of the app
      (scripts/randconfig.py), each built and booted with the harness;
      --random-count, --random-seed and --random-config C change them
  type: unit, sources: [repo-relative .c], cflags: [...], args: [...]
      host unit test: compiled from the repo root with gcc, ASan and UBSan,
      then run there (with args); exit status 0 passes. Shown with the
      board `host`. One .py source: a Python host test, run with the
      test's folder as argument.

Panic lines are `^PANIC: ` or `KERNEL PANIC`. The full reference is
doc/testing.md.
"""

import argparse
import concurrent.futures
import difflib
import errno
import hashlib
import json
import os
import re
import select as fdselect  # (testrunner has a select() of its own)
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rvpython  # noqa: E402
from rvpython import need_module  # noqa: E402
import footprint  # noqa: E402
import powercut  # noqa: E402
import randconfig  # noqa: E402
import testcache  # noqa: E402

yaml = need_module("yaml", "python3-yaml")

RV_BASE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YAML_NAMES = ("sample.yaml", "testcase.yaml")
DEFAULT_TIMEOUT = 60
DEFAULT_BUILD_TIMEOUT = 900
PANIC_GRACE = 5.0          # seconds QEMU may go on after a panic line
TAIL_LINES = 15
HOST_BOARD = "host"
UNIT_CFLAGS = ["-std=gnu11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
               "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
               "-I", "include", "-I", "kernel/include", "-I", "tests/unit/common"]

PANIC_RE = re.compile(r"^PANIC: |KERNEL PANIC")
ANSI_RE = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
CONFIG_LINE_RE = re.compile(r"^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set)$")


class YamlError(Exception):
    """A mistake in a scenario file: the message names file, line, and the fix."""


# ---------------------------------------------------------------- YAML with line numbers

class LineDict(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    def __init__(self):
        super().__init__()
        self.lines = {}
        self.line = 0

    def line_of(self, key):
        return self.lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise YamlError(f"{loader.name}:{line}: key {key!r} is not a string")
        if key in out:
            raise YamlError(f"{loader.name}:{line}: key '{key}' appears twice "
                            f"(first on line {out.lines[key]}); keep one")
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path, shown=None):
    """Load a yaml file; errors name it as `shown` (default: path)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise YamlError(f"{shown or path}: cannot read: {e.strerror}")
    loader = _Loader(text)
    loader.name = shown or path
    try:
        return loader.get_single_data()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{loader.name}:{mark.line + 1}:{mark.column + 1}" if mark else loader.name
        problem = getattr(e, "problem", None) or str(e)
        hint = ""
        if "mapping values are not allowed" in problem:
            hint = ("; a value containing ': ' must be quoted, e.g. "
                    "description: \"An app: what it does\"")
        raise YamlError(f"{where}: YAML syntax error: {problem}{hint}")
    finally:
        loader.dispose()


# ---------------------------------------------------------------- scenario schema

def _words(value):
    return value.split() if isinstance(value, str) else value


def _is_str_list(value):
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def check_str_list(value, split=_words):
    value = split(value) if isinstance(value, str) else value
    if not _is_str_list(value):
        raise ValueError("must be a list of strings")
    return value


def check_words(value):
    return check_str_list(value)


def check_args(value):
    return check_str_list(value, shlex.split)


def check_regex_list(value):
    value = [value] if isinstance(value, str) else value
    if not _is_str_list(value):
        raise ValueError("must be a regex or a list of regexes (strings)")
    for rx in value:
        compile_regex(rx)
    return value


def compile_regex(rx):
    try:
        return re.compile(rx)
    except re.error as e:
        raise ValueError(f"has a bad regex {rx!r}: {e}; put a backslash before a literal "
                         f"( [ . * + ? (written \\\\ inside double quotes)")


def check_app(value):
    if not isinstance(value, str) or not value or os.path.isabs(value):
        raise ValueError("must be an app folder relative to the repo root, e.g. samples/hello")
    return value.rstrip("/")


def check_bool(value):
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def check_timeout(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError("must be a positive number of seconds")
    return value


def check_type(value):
    if value not in ("integration", "unit"):
        raise ValueError("must be integration or unit")
    return value


def check_harness(value):
    if value != "console":
        raise ValueError("must be console (the only harness; leave it out to check only "
                         "the exit status and panics)")
    return value


def check_extra_configs(value):
    value = check_str_list(value, lambda v: [v])
    for line in value:
        if not CONFIG_LINE_RE.match(line):
            raise ValueError(f"entry {line!r} is not CONFIG_NAME=value "
                             f"(or '# CONFIG_NAME is not set')")
    return value


def check_verdict(value):
    if value not in ("pass", "fail"):
        raise ValueError("must be pass or fail")
    return value


def check_reason(value):
    if not isinstance(value, str):
        raise ValueError("must be a regex (string)")
    compile_regex(value)
    return value


HARNESS_CONFIG_KEYS = {
    "type": "one_line or multi_line",
    "ordered": "true or false",
    "regex": "list of regexes",
    "expect_exit": "an exit status (integer) or nonzero",
    "expect_panic": "true or false",
    "icount": "true or false (boot with `rv flash --icount`: one hart, exact rdinstret)",
    "virtual_clock": "true or false (boot with `rv flash --virtual-clock`: the guest's clock "
                     "counts its instructions and skips idle time, so the times it measures "
                     "do not depend on the host's load)",
    "qemu_args": "a string of more QEMU arguments (`rv flash --qemu-args`), e.g. "
                 "\"-cpu rv64,zkr=true\"",
    "rng": "true (default) or false (boot with `rv flash --no-rng`: without the board's "
           "entropy device, QEMU_RNG_DEVICE)",
    "input": "list of {after: REGEX, send: TEXT}: type TEXT at the console once a line "
             "(or the partial line at the end of the output, e.g. a prompt) matches REGEX, "
             "in order (like a user at the keyboard); \\g<1> in TEXT is what REGEX's group 1 matched",
    "host_time": "list of {regex: REGEX, within: SECONDS}: the first line REGEX matches must "
                 "show, in its group 1, a time in seconds since 1970 within SECONDS of the "
                 "host's clock when the line arrived (a guest's wall clock)",
}


def check_harness_config(value):
    if not isinstance(value, dict):
        raise ValueError("must be a mapping with keys " + ", ".join(HARNESS_CONFIG_KEYS))
    for key in value:
        if key not in HARNESS_CONFIG_KEYS:
            close = difflib.get_close_matches(key, HARNESS_CONFIG_KEYS, 1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ValueError(f"has unknown key '{key}'; {hint}allowed: "
                             f"{', '.join(HARNESS_CONFIG_KEYS)}")
    out = dict(value)
    if "type" in out and out["type"] not in ("one_line", "multi_line"):
        raise ValueError("type must be one_line or multi_line")
    if "ordered" in out:
        try:
            check_bool(out["ordered"])
        except ValueError:
            raise ValueError("ordered must be true or false")
    if "regex" in out:
        out["regex"] = check_regex_list(out["regex"])
        if out.get("type") == "one_line" and len(out["regex"]) != 1:
            raise ValueError("type one_line takes exactly one regex; use type: multi_line "
                             "for several")
    if "expect_exit" in out:
        ee = out["expect_exit"]
        if not (ee == "nonzero" or (isinstance(ee, int) and not isinstance(ee, bool)
                                    and 0 <= ee <= 255)):
            raise ValueError("expect_exit must be an exit status 0..255 or nonzero")
    if "expect_panic" in out:
        try:
            check_bool(out["expect_panic"])
        except ValueError:
            raise ValueError("expect_panic must be true or false")
    if "icount" in out:
        try:
            check_bool(out["icount"])
        except ValueError:
            raise ValueError("icount must be true or false")
    if "virtual_clock" in out:
        try:
            check_bool(out["virtual_clock"])
        except ValueError:
            raise ValueError("virtual_clock must be true or false")
    if "rng" in out:
        try:
            check_bool(out["rng"])
        except ValueError:
            raise ValueError("rng must be true or false")
    if "qemu_args" in out and not isinstance(out["qemu_args"], str):
        raise ValueError("qemu_args must be a string (split like a shell)")
    if "input" in out:
        steps = out["input"]
        if not isinstance(steps, list) or not all(
                isinstance(st, dict) and set(st) == {"after", "send"} and
                isinstance(st["send"], str) for st in steps):
            raise ValueError("input must be a list of {after: REGEX, send: TEXT}")
        out["input"] = [(compile_regex(st["after"]), st["send"]) for st in steps]
    if "host_time" in out:
        out["host_time"] = check_host_time(out["host_time"])
        if out.get("virtual_clock"):
            raise ValueError("host_time compares the guest's clock with the host's: it cannot "
                             "go with virtual_clock, whose clock skips idle time")
    return out


def check_host_time(value):
    """harness_config.host_time: [{regex: R (with a group), within: SECONDS}]"""
    if not isinstance(value, list) or not all(
            isinstance(c, dict) and set(c) == {"regex", "within"} for c in value):
        raise ValueError("host_time must be a list of {regex: REGEX, within: SECONDS}")
    for c in value:
        if compile_regex(c["regex"]).groups < 1:
            raise ValueError(f"host_time regex {c['regex']!r} needs a group: (\\d+), "
                             f"the guest's time in seconds")
        w = c["within"]
        if isinstance(w, bool) or not isinstance(w, (int, float)) or w <= 0:
            raise ValueError("host_time within must be a number of seconds above 0")
    return value


def check_build_checks(value):
    if not isinstance(value, list):
        raise ValueError("must be a list of {file: F, regex: R} mappings")
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            raise ValueError("each entry needs file: (a path in the build folder) and "
                             "regex: and/or not_regex:")
        extra = set(item) - {"file", "regex", "not_regex"}
        if extra:
            raise ValueError(f"unknown key '{sorted(extra)[0]}' in an entry "
                             f"(allowed: file, regex, not_regex)")
        if "regex" not in item and "not_regex" not in item:
            raise ValueError(f"entry for {item['file']} needs regex: or not_regex:")
        for key in ("regex", "not_regex"):
            if key in item:
                item[key] = check_regex_list(item[key])
    return value


DISK_CHECK_KEYS = ("debugfs", "regex", "not_regex", "sha256", "equals_file")
HEX_RE = re.compile(r"^(?:[0-9A-Fa-f]{2})+$")


def check_host_checks(value):
    """host_checks: [COMMAND, ...]: host programs that judge a run's output."""
    if not isinstance(value, list) or not value or \
            not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("must be a list of commands, e.g. "
                         "\"{python} scripts/trace.py --console {console} --check\"")
    for v in value:
        try:
            shlex.split(v)
        except ValueError as e:
            raise ValueError(f"cannot split the command {v!r}: {e}") from None
    return value


def judge_host_checks(cfg, app_dir, outdir, console_log):
    """None when every host_checks command exits 0, else why not. Their
    output goes to OUTDIR/host_checks.log."""
    log = os.path.join(outdir, "host_checks.log")
    fields = {"console": console_log, "outdir": outdir, "app": app_dir,
              "python": sys.executable}
    with open(log, "w", encoding="utf-8") as f:
        for cmd in cfg.get("host_checks", []):
            argv = [a.format(**fields) for a in shlex.split(cmd)]
            f.write(f"$ {' '.join(shlex.quote(a) for a in argv)}\n")
            f.flush()
            try:
                p = subprocess.run(argv, cwd=RV_BASE, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, timeout=300)
            except (OSError, subprocess.TimeoutExpired) as e:
                f.write(f"{e}\n")
                return f"host check {cmd!r}: {e}"
            f.write(p.stdout)
            if p.returncode:
                last = [l for l in p.stdout.splitlines() if l.strip()]
                return (f"host check {cmd!r} exited with status {p.returncode}: "
                        f"{last[-1] if last else '(no output)'}")
    return None


def check_disk_checks(value):
    """disk_checks: [{debugfs: REQUEST, regex:, not_regex:, sha256:, equals_file:}]"""
    if not isinstance(value, list) or not value:
        raise ValueError("must be a list of {debugfs: REQUEST, regex: R} mappings")
    out = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict) or not isinstance(item.get("debugfs"), str) \
                or not item["debugfs"].strip():
            raise ValueError(f"entry {i} needs debugfs: (a debugfs request, e.g. "
                             f"\"cat /hello.txt\") and regex:, not_regex:, sha256: or "
                             f"equals_file:")
        extra = set(item) - set(DISK_CHECK_KEYS)
        if extra:
            close = difflib.get_close_matches(sorted(extra)[0], DISK_CHECK_KEYS, 1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ValueError(f"entry {i} has unknown key '{sorted(extra)[0]}'; {hint}"
                             f"allowed: {', '.join(DISK_CHECK_KEYS)}")
        if "\n" in item["debugfs"]:
            raise ValueError(f"entry {i}: debugfs: is one request (one line)")
        if not set(item) & {"regex", "not_regex", "sha256", "equals_file"}:
            raise ValueError(f"entry {i} ({item['debugfs']}) needs regex:, not_regex:, sha256: "
                             f"or equals_file:")
        entry = dict(item)
        for key in ("regex", "not_regex"):
            if key in entry:
                entry[key] = check_regex_list(entry[key])
        if "sha256" in entry and not (isinstance(entry["sha256"], str) and
                                      re.match(r"^[0-9a-fA-F]{64}$", entry["sha256"])):
            raise ValueError(f"entry {i}: sha256 must be 64 hex digits (sha256sum's output)")
        if "equals_file" in entry and not isinstance(entry["equals_file"], str):
            raise ValueError(f"entry {i}: equals_file must be a file relative to the yaml's "
                             f"folder")
        out.append(entry)
    return out


def check_disk_setup(value):
    """disk_setup / disk_corrupt: [{offset: N, bytes: HEX} | {debugfs: REQUEST}]"""
    if not isinstance(value, list) or not value:
        raise ValueError("must be a list of {offset: N, bytes: HEX} or {debugfs: REQUEST} "
                         "mappings")
    out = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise ValueError(f"entry {i} must be {{offset: N, bytes: HEX}} or "
                             f"{{debugfs: REQUEST}}")
        if set(item) == {"debugfs"}:
            req = item["debugfs"]
            if not isinstance(req, str) or not req.strip() or "\n" in req:
                raise ValueError(f"entry {i}: debugfs: must be one debugfs request, e.g. "
                                 f"\"sif /hello.txt block[0] 99999\"")
            out.append({"debugfs": req})
            continue
        if "offset" in item and "bytes" not in item:
            raise ValueError(f"entry {i}: offset: needs bytes: \"HEX\" (what to write there)")
        if set(item) != {"offset", "bytes"}:
            raise ValueError(f"entry {i} has keys {', '.join(sorted(item))}; an entry is "
                             f"{{offset: N, bytes: HEX}} or {{debugfs: REQUEST}}")
        off = item["offset"]
        if isinstance(off, bool) or not isinstance(off, int) or off < 0:
            raise ValueError(f"entry {i}: offset must be a byte offset >= 0 (e.g. 1080 or "
                             f"0x438)")
        hexs = item["bytes"]
        if not isinstance(hexs, str) or not HEX_RE.match(hexs.replace(" ", "")):
            raise ValueError(f"entry {i}: bytes must be a string of hex digit pairs, e.g. "
                             f"\"ef 53\" (quote it: YAML reads 00 or 0x10 as a number)")
        out.append({"offset": off, "bytes": bytes.fromhex(hexs.replace(" ", ""))})
    return out


FOOTPRINT_KEYS = ("code", "rodata", "data", "zeroed", "ksyms", "rom", "rom_no_ksyms", "ram")


def check_footprint_max(value):
    if not isinstance(value, dict) or not value:
        raise ValueError("must be a mapping of " + ", ".join(FOOTPRINT_KEYS) + " to bytes")
    for k, v in value.items():
        if k not in FOOTPRINT_KEYS:
            raise ValueError(f"has an unknown key {k!r}; the keys are {', '.join(FOOTPRINT_KEYS)}")
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ValueError(f"{k}: must be a number of bytes above 0")
    return value


# key -> (checker, for which types, how to write it)
SCENARIO_KEYS = {
    "type": (check_type, ("integration", "unit"), "integration or unit"),
    "app": (check_app, ("integration",), "a folder relative to the repo root"),
    "tags": (check_words, ("integration", "unit"), "list of words"),
    "timeout": (check_timeout, ("integration", "unit"), "seconds"),
    "skip": (check_bool, ("integration", "unit"), "true or false"),
    "harness": (check_harness, ("integration", "unit"), "console"),
    "harness_config": (check_harness_config, ("integration", "unit"), "mapping"),
    "expect_verdict": (check_verdict, ("integration", "unit"), "pass or fail"),
    "expect_reason": (check_reason, ("integration", "unit"), "regex"),
    "expect_build_failure": (check_bool, ("integration", "unit"), "true or false"),
    "build_error_regex": (check_regex_list, ("integration", "unit"), "list of regexes"),
    "platform_allow": (check_words, ("integration",), "list of boards"),
    "platform_exclude": (check_words, ("integration",), "list of boards"),
    "extra_configs": (check_extra_configs, ("integration",), "list of CONFIG_X=V"),
    "extra_conf_files": (check_str_list, ("integration",), "list of files"),
    "extra_args": (check_args, ("integration",), "list of arguments"),
    "build_only": (check_bool, ("integration",), "true or false"),
    "build_checks": (check_build_checks, ("integration",), "list of {file, regex}"),
    "footprint_max": (check_footprint_max, ("integration",),
                      "{rom: BYTES, rom_no_ksyms: BYTES, ram: BYTES, code: BYTES, ...}"),
    "disk_check": (check_bool, ("integration",), "true or false"),
    "disk_checks": (check_disk_checks, ("integration",), "list of {debugfs, regex}"),
    "disk_setup": (check_disk_setup, ("integration",), "list of {offset, bytes} or {debugfs}"),
    "disk_corrupt": (check_disk_setup, ("integration",), "list of {offset, bytes} or {debugfs}"),
    "disk_unchanged": (check_bool, ("integration",), "true or false"),
    "host_checks": (check_host_checks, ("integration",), "list of commands"),
    "powercut": (powercut.check_config, ("integration",), "{cuts: N, seed: S}"),
    "random_configs": (randconfig.check_config, ("integration",), "{count: N, seed: S}"),
    "sources": (check_words, ("unit",), "list of repo-relative C files"),
    "cflags": (check_args, ("unit",), "list of compiler flags"),
    "args": (check_args, ("unit",), "list of arguments for the program"),
}
CONCAT_KEYS = ("tags", "extra_configs", "extra_conf_files", "extra_args", "build_checks",
               "disk_checks", "disk_setup", "disk_corrupt", "host_checks")
TOP_KEYS = ("sample", "common", "tests")


class Scenario:
    """One entry of `tests:` after merging `common:` and checking it."""

    def __init__(self, name, yaml_path, line, cfg):
        self.name = name
        self.yaml_path = yaml_path
        self.line = line
        self.cfg = cfg
        self.yaml_dir = os.path.dirname(yaml_path)
        # `app: samples/hello`: build another folder than the yaml's.
        self.app_dir = (os.path.join(RV_BASE, cfg["app"]) if cfg.get("app")
                        else self.yaml_dir)
        self.type = cfg.get("type", "integration")
        self.tags = cfg.get("tags", [])
        self.boards = []

    def where(self):
        return f"{rel(self.yaml_path)}:{self.line}"


def check_keys(cfg, path, what, type_):
    """Check each key's type; return the cleaned mapping or raise YamlError."""
    out = {}
    for key, value in cfg.items():
        line = cfg.line_of(key) if isinstance(cfg, LineDict) else 0
        if key not in SCENARIO_KEYS:
            close = difflib.get_close_matches(key, SCENARIO_KEYS, 1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise YamlError(f"{path}:{line}: {what}: unknown key '{key}'; {hint}allowed: "
                            f"{', '.join(SCENARIO_KEYS)} (see doc/testing.md)")
        checker, types, _ = SCENARIO_KEYS[key]
        if type_ is not None and type_ not in types:
            raise YamlError(f"{path}:{line}: {what}: key '{key}' is not for type {type_} "
                            f"scenarios; allowed for {type_}: "
                            f"{', '.join(k for k, v in SCENARIO_KEYS.items() if type_ in v[1])}")
        try:
            out[key] = checker(value)
        except ValueError as e:
            got = "" if isinstance(value, (list, dict)) else f" (got {value!r})"
            raise YamlError(f"{path}:{line}: {what}: '{key}' {e}{got}")
    return out


def merge(common, own):
    cfg = dict(common)
    for key, value in own.items():
        if key in CONCAT_KEYS and key in cfg:
            cfg[key] = list(cfg[key]) + list(value)
        else:
            cfg[key] = value
    return cfg


def check_scenario(sc, boards, path, line):
    """Checks that need the merged scenario: files, boards, combinations."""
    cfg, what = sc.cfg, f"scenario {sc.name}"
    hc = cfg.get("harness_config", {})
    if cfg.get("harness") == "console" and not hc.get("regex"):
        raise YamlError(f"{path}:{line}: {what}: harness: console needs harness_config.regex "
                        f"(a list of regexes the console must show)")
    if cfg.get("build_error_regex") and not cfg.get("expect_build_failure"):
        raise YamlError(f"{path}:{line}: {what}: build_error_regex needs "
                        f"expect_build_failure: true")
    if "expect_reason" in cfg and cfg.get("expect_verdict") != "fail":
        raise YamlError(f"{path}:{line}: {what}: expect_reason needs expect_verdict: fail")
    if cfg.get("expect_verdict") == "fail" and "expect_reason" not in cfg:
        raise YamlError(f"{path}:{line}: {what}: expect_verdict: fail needs expect_reason "
                        f"(a regex the failure reason must match, e.g. \"panic\")")
    if sc.type == "unit":
        if not cfg.get("sources"):
            raise YamlError(f"{path}:{line}: {what}: a type: unit scenario needs sources: "
                            f"(repo-relative C files, e.g. [tests/unit/fdt/main.c, lib/fdt.c])")
        for src in cfg["sources"]:
            if not os.path.isfile(os.path.join(RV_BASE, src)):
                raise YamlError(f"{path}:{cfg.line_of('sources')}: "
                                f"{what}: source {src} does not exist (paths are relative to "
                                f"the repo root {RV_BASE})")
        sc.boards = [HOST_BOARD]
        return
    if not os.path.isfile(os.path.join(sc.app_dir, "CMakeLists.txt")):
        if cfg.get("app"):
            raise YamlError(f"{path}:{cfg.line_of('app')}: {what}: app {cfg['app']} has no "
                            f"CMakeLists.txt (app: is a folder relative to the repo root)")
        raise YamlError(f"{path}:{line}: {what}: {rel(sc.app_dir)} has no CMakeLists.txt, so it "
                        f"is not an app to build; put the yaml in the app's folder, name the "
                        f"app with app:, or make the scenario type: unit")
    for f in cfg.get("extra_conf_files", []):
        if not os.path.isfile(os.path.join(sc.yaml_dir, f)):
            raise YamlError(f"{path}:{cfg.line_of('extra_conf_files')}: {what}: extra_conf_files entry {f} does not exist "
                            f"in {rel(sc.yaml_dir)} (paths are relative to the yaml's folder)")
    for i, check in enumerate(cfg.get("disk_checks", []), 1):
        f = check.get("equals_file")
        if f is not None and not os.path.isfile(os.path.join(sc.yaml_dir, f)):
            raise YamlError(f"{path}:{cfg.line_of('disk_checks')}: {what}: disk_checks entry {i}: "
                            f"equals_file {f} does not exist in {rel(sc.yaml_dir)} (paths are "
                            f"relative to the yaml's folder)")
    for key in ("platform_allow", "platform_exclude"):
        for b in cfg.get(key, []):
            if b not in boards:
                raise YamlError(f"{path}:{cfg.line_of(key)}: {what}: {key} names unknown board '{b}'; "
                                f"boards: {', '.join(sorted(boards))}")
    allow = cfg.get("platform_allow") or sorted(boards)
    sc.boards = [b for b in allow if b not in cfg.get("platform_exclude", [])]


def parse_yaml_file(path, boards):
    """Return (scenarios, errors) of one yaml file; errors are YamlError texts."""
    scenarios, errors = [], []
    real, path = path, rel(path)
    try:
        data = load_yaml(real, path)
    except YamlError as e:
        return [], [(rel(path), str(e))]
    if not isinstance(data, dict):
        return [], [(rel(path), f"{path}:1: expected a mapping with keys "
                                f"{', '.join(TOP_KEYS)}")]
    for key in data:
        if key not in TOP_KEYS:
            return [], [(rel(path), f"{path}:{data.line_of(key)}: unknown top-level key "
                                    f"'{key}'; allowed: {', '.join(TOP_KEYS)}")]
    tests = data.get("tests")
    if not isinstance(tests, dict) or not tests:
        return [], [(rel(path), f"{path}:{data.line_of('tests')}: needs tests: with at least "
                                f"one scenario (name: {{keys}})")]
    common = data.get("common") or LineDict()
    if not isinstance(common, dict):
        return [], [(rel(path), f"{path}:{data.line_of('common')}: common must be a mapping "
                                f"of scenario keys")]
    try:
        common_cfg = check_keys(common, path, "common", None)
    except YamlError as e:
        return [], [(rel(path), str(e))]
    for name, own in tests.items():
        line = tests.line_of(name)
        try:
            if not NAME_RE.match(name):
                raise YamlError(f"{path}:{line}: scenario name '{name}' must be letters, digits, "
                                f"'_', '.' and '-' (it names a folder)")
            if own is None:
                own = LineDict()
            if not isinstance(own, dict):
                raise YamlError(f"{path}:{line}: scenario {name} must be a mapping of keys")
            type_ = own.get("type", common_cfg.get("type", "integration"))
            try:
                check_type(type_)
            except ValueError as e:
                raise YamlError(f"{path}:{line}: scenario {name}: 'type' {e}")
            own_cfg = check_keys(own, path, f"scenario {name}", type_)
            check_keys(common, path, f"common (for scenario {name})", type_)
            cfg = LineDict()
            cfg.update(merge(common_cfg, own_cfg))
            cfg.lines = dict(getattr(own, "lines", {}))
            cfg.line = line
            sc = Scenario(name, real, line, cfg)
            check_scenario(sc, boards, path, line)
            scenarios.append(sc)
        except YamlError as e:
            errors.append((name, str(e)))
    return scenarios, errors


# ---------------------------------------------------------------- discovery

def rel(path):
    """A path relative to the repo when inside it, for short messages."""
    try:
        r = os.path.relpath(path, RV_BASE)
    except ValueError:
        return path
    return path if r.startswith("..") else r


def find_boards():
    """Map board name -> board.yml path from boards/<arch>/<name>/board.yml."""
    boards = {}
    root = os.path.join(RV_BASE, "boards")
    if not os.path.isdir(root):
        return boards
    for arch in sorted(os.listdir(root)):
        arch_dir = os.path.join(root, arch)
        if not os.path.isdir(arch_dir):
            continue
        for name in sorted(os.listdir(arch_dir)):
            path = os.path.join(arch_dir, name, "board.yml")
            if os.path.isfile(path):
                boards[name] = path
    return boards


def find_yaml_files(roots, outdir):
    skip = os.path.realpath(outdir)
    found = []
    for root in roots:
        if os.path.isfile(root):
            found.append(os.path.abspath(root))
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            real = os.path.realpath(dirpath)
            if real == skip or "CMakeCache.txt" in filenames:
                dirnames[:] = []
                continue
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in YAML_NAMES:
                if name in filenames:
                    found.append(os.path.abspath(os.path.join(dirpath, name)))
    seen, out = set(), []
    for f in found:
        if os.path.realpath(f) not in seen:
            seen.add(os.path.realpath(f))
            out.append(f)
    return out


def resolve_roots(paths):
    if not paths:
        return [os.path.join(RV_BASE, d) for d in ("samples", "tests")
                if os.path.isdir(os.path.join(RV_BASE, d))]
    roots = []
    for p in paths:
        for cand in (os.path.abspath(p), os.path.join(RV_BASE, p)):
            if os.path.exists(cand):
                roots.append(cand)
                break
        else:
            raise UsageError(f"-T {p}: no such file or folder (here or in {RV_BASE}); give a "
                             f"folder holding sample.yaml/testcase.yaml files, e.g. -T samples")
    return roots


class UsageError(Exception):
    """A bad command-line argument."""


# ---------------------------------------------------------------- processes

class ProcessTable:
    """Running subprocesses, so Ctrl-C can end their process groups."""

    def __init__(self):
        self.lock = threading.Lock()
        self.procs = set()
        self.stopping = False

    def add(self, p):
        with self.lock:
            self.procs.add(p)
            return not self.stopping

    def remove(self, p):
        with self.lock:
            self.procs.discard(p)

    def kill_all(self):
        with self.lock:
            self.stopping = True
            for p in self.procs:
                kill_group(p)


PROCS = ProcessTable()


def kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class RunResult:
    def __init__(self):
        self.returncode = None
        self.timed_out = False
        self.killed_after_panic = False
        self.stopped = False          # killed because stop_event was set
        self.last_partial = False     # the last line had no newline (the run was cut off)
        self.duration = 0.0
        self.lines = []
        self.line_times = []          # the host's time.time() when each line arrived


def run_logged(cmd, log_path, timeout, cwd=None, watch_panic=False, input_steps=(),
               stop_event=None, stop_grace=0.0, on_timeout=None):
    """Run cmd in its own session, stdout+stderr appended to log_path; kill the
    group on timeout (or PANIC_GRACE seconds after a panic line when watch_panic).
    input_steps: (regex, text) pairs: text goes to stdin once a line matches.
    stop_event: a threading.Event; stop_grace seconds after it is set the group
    is killed (SIGKILL: a power cut), and res.stopped says so.
    on_timeout: called once a timeout is reached, before the kill (while
    the process still runs: e.g. to read a hung guest's trace ring)."""
    res = RunResult()
    start = time.monotonic()
    panic_at = []
    with open(log_path, "ab") as log:
        try:
            p = subprocess.Popen(cmd, stdin=subprocess.PIPE if input_steps else subprocess.DEVNULL,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True)
        except OSError as e:
            msg = f"cannot run {cmd[0]}: {e.strerror}\n"
            log.write(msg.encode())
            res.lines = [msg.rstrip()]
            res.returncode = 127
            return res
        if not PROCS.add(p):
            kill_group(p)

        steps = list(input_steps)

        def send_if_match(text, fired):
            """Type the next step's text if text matches its `after`; returns
            the text a step fired on (each text fires at most one step)."""
            m = steps[0][0].search(text) if steps and text != fired else None
            if m:
                _, send = steps.pop(0)
                if m.re.groups:
                    send = m.expand(send)   # \1 or \g<1>: what the group matched
                try:
                    p.stdin.write(send.encode())
                    p.stdin.flush()
                except OSError:
                    pass
                return text
            return fired

        def reader():
            # Chunks, not lines: a prompt has no newline, yet a step may wait
            # for it. A step fires on a whole line or on the partial line at
            # the end of the output; the same text fires at most one step.
            fd = p.stdout.fileno()
            partial = b""
            fired = None
            while True:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    break
                log.write(data)
                log.flush()
                partial += data
                *whole, partial = partial.split(b"\n")
                for raw in whole:
                    line = clean_line(raw)
                    res.lines.append(line)
                    res.line_times.append(time.time())
                    send_if_match(line, fired)
                    fired = None
                    if watch_panic and not panic_at and PANIC_RE.search(line):
                        panic_at.append(time.monotonic())
                if partial:
                    fired = send_if_match(clean_line(partial), fired)
            if partial:
                res.lines.append(clean_line(partial))
                res.line_times.append(time.time())
                res.last_partial = True
            p.stdout.close()

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        deadline = start + timeout
        stop_at = None
        exited = exit_waiter(p)
        try:
            while True:
                limit = deadline
                if panic_at:
                    limit = min(deadline, panic_at[0] + PANIC_GRACE)
                if stop_event is not None and stop_at is None and stop_event.is_set():
                    stop_at = time.monotonic() + stop_grace
                if stop_at is not None:
                    limit = min(limit, stop_at)
                try:
                    exited(max(0.0, min(0.05 if stop_event else 0.2, limit - time.monotonic())))
                    break
                except subprocess.TimeoutExpired:
                    if stop_at is not None and time.monotonic() >= stop_at:
                        res.stopped = True
                        kill_group(p)
                        p.wait()
                        break
                    if time.monotonic() >= limit:
                        if panic_at and limit < deadline:
                            res.killed_after_panic = True
                        else:
                            res.timed_out = True
                            if on_timeout is not None:
                                try:
                                    on_timeout()
                                except Exception:  # a diagnostic: never the verdict
                                    pass
                        kill_group(p)
                        p.wait()
                        break
        finally:
            kill_group(p)      # stray children of a finished run
            PROCS.remove(p)
            exited.close()
        t.join(10)
    res.returncode = p.returncode
    res.duration = time.monotonic() - start
    return res


def exit_waiter(p):
    """A function that waits up to t seconds for p to end (as p.wait(t):
    subprocess.TimeoutExpired if it has not), woken the moment it ends: by
    a pidfd where Linux has them. (Popen.wait(t) polls with sleeps of up to
    50 ms, which every build step and boot of a run paid on average half
    of.) Its close() releases the pidfd."""
    try:
        fd = os.pidfd_open(p.pid)
    except (AttributeError, OSError):
        fd = None

    def wait(t):
        if fd is not None and p.returncode is None:
            fdselect.select([fd], [], [], t)
            t = 0.0
        return p.wait(timeout=t)

    def close():
        if fd is not None:
            os.close(fd)

    wait.close = close
    return wait


def clean_line(raw):
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return render_line(text.rstrip("\n"))


def render_line(text):
    """The line as a terminal shows it, for one row: `\r` goes back to column
    0 and a backspace one column left, and what follows overwrites; the
    cursor moves of ESC[nD / ESC[nC / ESC[nG / ESC[H and the erases of
    ESC[K / ESC[2J apply; other escape sequences and BEL show nothing.
    ("ab\b \b" shows "a", "rvos> \r\x1b[Kdone" shows "done".) Trailing
    blanks go when a backspace or an erase was involved."""
    if "\x1b" not in text and "\r" not in text and "\b" not in text and "\a" not in text:
        return text
    cells, pos, edited = [], 0, False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\x1b":
            m = ANSI_RE.match(text, i)
            if not m:
                i += 1          # a lone ESC (or a sequence cut short): nothing
                continue
            i = m.end()
            seq = m.group(0)
            if not seq.startswith("\x1b[") or "?" in seq:
                continue
            final, params = seq[-1], seq[2:-1]
            n = int(params) if params.isdigit() else 0
            if final == "D":
                pos = max(0, pos - max(n, 1))
            elif final == "C":
                pos += max(n, 1)
            elif final == "G":
                pos = max(n, 1) - 1
            elif final in "Hf":
                pos = 0         # one row: the row is ignored
            elif final == "K":
                edited = True
                if n == 0:
                    del cells[pos:]
                elif n == 1:
                    cells[:pos + 1] = [" "] * min(pos + 1, len(cells))
                else:
                    cells = []
            elif final == "J" and n in (2, 3):
                cells, edited = [], True
            continue
        i += 1
        if ch == "\r":
            pos = 0
        elif ch == "\b":
            pos, edited = max(0, pos - 1), True
        elif ch == "\a":
            pass
        else:
            if pos > len(cells):
                cells.extend(" " * (pos - len(cells)))
            if pos < len(cells):
                cells[pos] = ch
            else:
                cells.append(ch)
            pos += 1
    line = "".join(cells)
    return line.rstrip(" ") if edited else line


def read_lines(path):
    try:
        with open(path, "rb") as f:
            return [clean_line(line) for line in f.read().splitlines()]
    except OSError:
        return []


# ---------------------------------------------------------------- judging

def expected_exit(hc):
    default = "nonzero" if hc.get("expect_panic") else 0
    return hc.get("expect_exit", default)


def judge_console(hc, lines):
    """None when the console matches harness_config's regexes, else why not."""
    regexes = hc.get("regex") or []
    if not regexes:
        return None
    kind = hc.get("type") or ("one_line" if len(regexes) == 1 else "multi_line")
    if kind == "one_line":
        rx = re.compile(regexes[0])
        if not any(rx.search(line) for line in lines):
            return f"console never matched regex {regexes[0]!r}"
        return None
    if hc.get("ordered", True):
        pos = 0
        for i, rx_text in enumerate(regexes):
            rx = re.compile(rx_text)
            while pos < len(lines) and not rx.search(lines[pos]):
                pos += 1
            if pos >= len(lines):
                after = " (in order, after the previous ones)" if i else ""
                return f"console never matched regex #{i + 1} {rx_text!r}{after}"
            pos += 1
        return None
    for i, rx_text in enumerate(regexes):
        rx = re.compile(rx_text)
        if not any(rx.search(line) for line in lines):
            return f"console never matched regex #{i + 1} {rx_text!r}"
    return None


def judge_host_time(hc, lines, times):
    """None when each host_time line shows the host's time (within its
    margin) as the line arrived, else why not."""
    for check in hc.get("host_time", []):
        rx = re.compile(check["regex"])
        m = at = None
        for line, at in zip(lines, times):
            m = rx.search(line)
            if m:
                break
        if not m:
            return f"console never matched host_time regex {check['regex']!r}"
        try:
            guest = float(m.group(1))
        except (TypeError, ValueError):
            return (f"host_time regex {check['regex']!r}: group 1 is {m.group(1)!r}, "
                    f"not a number of seconds")
        if abs(guest - at) > check["within"]:
            return (f"host_time: the guest says {guest:.0f}, {guest - at:+.1f} s from the "
                    f"host's clock when the line arrived (allowed: {check['within']} s)")
    return None


def judge_run(cfg, run, timeout):
    """Judge a boot (or unit run) normally: (passed, reason)."""
    hc = cfg.get("harness_config", {})
    lines = run.lines
    panic = next((line for line in lines if PANIC_RE.search(line)), None)
    if run.timed_out:
        suffix = f" (after a panic: {panic.strip()})" if panic else ""
        return False, f"timeout after {timeout:g}s{suffix}"
    if panic and not hc.get("expect_panic"):
        return False, f"panic: {panic.strip()}"
    if hc.get("expect_panic") and not panic:
        return False, "expected a panic (expect_panic: true) but the console shows none"
    want = expected_exit(hc)
    got = run.returncode
    if run.killed_after_panic:
        if want != "nonzero":
            return False, (f"guest did not exit within {PANIC_GRACE:g}s of the panic "
                           f"(killed), expected exit status {want}")
    elif want == "nonzero":
        if got == 0:
            return False, "exit status 0, expected nonzero"
    elif got != want:
        hint = sanitizer_line(lines)
        return False, f"exit status {got}, expected {want}" + (f": {hint}" if hint else "")
    why = judge_console(hc, lines) or judge_host_time(hc, lines, run.line_times)
    if why:
        return False, why
    return True, "exit status nonzero as expected" if want == "nonzero" else ""


def sanitizer_line(lines):
    for line in lines:
        if "ERROR: AddressSanitizer" in line or "runtime error:" in line:
            return line.strip()
    return None


def judge_footprint(cfg, fp):
    """footprint_max: the kernel's figures (report.json's footprint) must not
    exceed the yaml's; None when they do not."""
    limits = cfg.get("footprint_max")
    if not limits:
        return None
    if fp is None:
        return "footprint_max: no rvos.elf to measure"
    over = [f"{k} {fp[k]} > {v}" for k, v in limits.items() if fp.get(k, 0) > v]
    return ("footprint_max: the kernel grew past the yaml's limits: " + ", ".join(over)
            + " (rv footprint -d OUTDIR shows where)") if over else None


def run_build_checks(cfg, outdir):
    for check in cfg.get("build_checks", []):
        path = os.path.join(outdir, check["file"])
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            return f"build check: {check['file']} is missing from the build folder"
        for rx in check.get("regex", []):
            if not re.search(rx, text, re.M):
                return f"build check: {check['file']} does not match {rx!r}"
        for rx in check.get("not_regex", []):
            if re.search(rx, text, re.M):
                return f"build check: {check['file']} matches {rx!r} (not_regex)"
    return None


# ---------------------------------------------------------------- disk images

DISK_IMAGE = "disk.img"
DISK_LOG = "disk.log"
DISK_BEFORE = "disk-before-boot.img"   # a copy, for disk_unchanged
DISK_TOOL_TIMEOUT = 120
E2FSCK_NOISE = re.compile(r"^(Pass \d[A-Z]?: |e2fsck \d|debugfs \d|\S+: \*+ WARNING|"
                          r"\S+: \d+/\d+ files |\S+: \*+ FILE SYSTEM WAS MODIFIED)")


class DiskFailure(Exception):
    """A disk step failed: the message is the test's reason."""


def disk_tool(name):
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        raise DiskFailure(f"{name} not found: install Debian's e2fsprogs (./rv setup)")
    return found


def run_disk_tool(cmd, log, cwd=None):
    """Run an e2fsprogs tool; its output goes to the disk log. (rc, stdout, stderr)."""
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=DISK_TOOL_TIMEOUT, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise DiskFailure(f"{os.path.basename(cmd[0])} took over {DISK_TOOL_TIMEOUT}s")
    log.write(("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n").encode())
    out = r.stdout if len(r.stdout) <= 8192 else r.stdout[:8192] + b"\n[... cut]\n"
    log.write(out + r.stderr + f"[exit status {r.returncode}]\n".encode())
    log.flush()
    # Messages name the image by its short name: reasons stay readable.
    err = r.stderr.decode("utf-8", errors="replace").replace(cmd[-1], DISK_IMAGE)
    err = err.replace(cmd[0] + ":", os.path.basename(cmd[0]) + ":")
    return r.returncode, r.stdout, err


def tool_complaints(stderr):
    """Lines of a tool's stderr that are not its version banner."""
    return [ln.strip() for ln in stderr.splitlines()
            if ln.strip() and not E2FSCK_NOISE.match(ln.strip())]


def e2fsck_complaint(text):
    """The first problem e2fsck -fn reported, without its '  Fix? no'."""
    for line in text.splitlines():
        line = line.strip()
        if not line or E2FSCK_NOISE.match(line) or line in ("Fix? no", "Clear? no"):
            continue
        return re.sub(r"\s+(Fix|Clear|Ignore error|Relocate|Abort|Recreate|Salvage|"
                      r"Optimize|Continue|Set|Connect to /lost\+found)\?\s+no\.?$", "", line)
    return "(no message; see disk.log)"


def prepare_disk(cfg, sc_dir, outdir):
    """Apply disk_setup and disk_corrupt to the built image before the boot;
    returns why it failed, or None."""
    steps = list(cfg.get("disk_setup", [])) + list(cfg.get("disk_corrupt", []))
    if not steps:
        return None
    image = os.path.join(outdir, DISK_IMAGE)
    key = "disk_setup" if cfg.get("disk_setup") else "disk_corrupt"
    if not os.path.isfile(image):
        return (f"{key}: the build made no {DISK_IMAGE} (the app's CMakeLists.txt needs "
                f"rvos_disk_image())")
    size = os.path.getsize(image)
    try:
        with open(os.path.join(outdir, DISK_LOG), "ab") as log:
            for i, step in enumerate(steps, 1):
                if "debugfs" in step:
                    _, _, err = run_disk_tool([disk_tool("debugfs"), "-w", "-R", step["debugfs"],
                                               image], log, cwd=sc_dir)
                    bad = tool_complaints(err)
                    if bad:
                        return f"disk setup step {i} (debugfs -w -R {step['debugfs']!r}): {bad[0]}"
                    continue
                off, data = step["offset"], step["bytes"]
                if off + len(data) > size:
                    return (f"disk setup step {i}: offset {off} + {len(data)} bytes is past the "
                            f"end of {DISK_IMAGE} ({size} bytes)")
                with open(image, "r+b") as f:
                    f.seek(off)
                    f.write(data)
                log.write(f"wrote {data.hex(' ')} at offset {off} ({off:#x})\n".encode())
    except DiskFailure as e:
        return str(e)
    return None


def judge_disk(cfg, sc_dir, outdir):
    """After the run: disk_unchanged, e2fsck -fn (unless disk_check: false or
    disk_corrupt without disk_check) and disk_checks. Returns why it failed, or None."""
    image = os.path.join(outdir, DISK_IMAGE)
    checks = cfg.get("disk_checks", [])
    fsck = cfg.get("disk_check", not cfg.get("disk_corrupt"))
    if not os.path.isfile(image):
        if checks or cfg.get("disk_unchanged"):
            return (f"the build made no {DISK_IMAGE} to check (the app's CMakeLists.txt needs "
                    f"rvos_disk_image())")
        return None
    try:
        with open(os.path.join(outdir, DISK_LOG), "ab") as log:
            before = os.path.join(outdir, DISK_BEFORE)
            if cfg.get("disk_unchanged") and os.path.isfile(before):
                where = differing_block(before, image)
                if where is not None:
                    return f"disk_unchanged: the run changed {DISK_IMAGE}{where}"
            if fsck:
                rc, out, err = run_disk_tool([disk_tool("e2fsck"), "-fn", image], log)
                if rc != 0:
                    text = err + "\n" + out.decode("utf-8", errors="replace").replace(image,
                                                                                   DISK_IMAGE)
                    return (f"e2fsck -fn: {DISK_IMAGE} is not clean (exit status {rc}): "
                            f"{e2fsck_complaint(text)}")
            for i, check in enumerate(checks, 1):
                req = check["debugfs"]
                _, out, err = run_disk_tool([disk_tool("debugfs"), "-R", req, image], log,
                                            cwd=outdir)
                text = out.decode("utf-8", errors="replace")
                complaints = tool_complaints(err)
                if complaints:
                    text += "\n" + "\n".join(complaints)
                what = f"disk check {i} (debugfs -R {req!r})"
                for rx in check.get("regex", []):
                    if not re.search(rx, text, re.M):
                        got = (complaints or [ln for ln in text.splitlines() if ln.strip()]
                               or ["nothing"])[0]
                        return f"{what}: output does not match {rx!r} (it says: {got[:120]})"
                for rx in check.get("not_regex", []):
                    m = re.search(rx, text, re.M)
                    if m:
                        return f"{what}: output matches {rx!r} (not_regex): {m.group(0)[:120]}"
                if "sha256" in check:
                    digest = hashlib.sha256(out).hexdigest()
                    if digest != check["sha256"].lower():
                        return (f"{what}: sha256 of the output ({len(out)} bytes) is {digest}, "
                                f"expected {check['sha256'].lower()}")
                if "equals_file" in check:
                    want_path = os.path.join(sc_dir, check["equals_file"])
                    with open(want_path, "rb") as f:
                        want = f.read()
                    if out != want:
                        n = next((k for k in range(min(len(out), len(want)))
                                  if out[k] != want[k]), min(len(out), len(want)))
                        return (f"{what}: output ({len(out)} bytes) differs from "
                                f"{check['equals_file']} ({len(want)} bytes) at byte {n}")
    except DiskFailure as e:
        return str(e)
    return None


def differing_block(a_path, b_path, block=1024):
    """None for two equal images, else ' (first at byte N, 1 KiB block B)'."""
    with open(a_path, "rb") as a, open(b_path, "rb") as b:
        pos = 0
        while True:
            x, y = a.read(1 << 16), b.read(1 << 16)
            if x != y:
                n = next((k for k in range(min(len(x), len(y))) if x[k] != y[k]),
                         min(len(x), len(y)))
                return f" (first at byte {pos + n}, 1 KiB block {(pos + n) // block})"
            if not x:
                return None
            pos += len(x)


def apply_expected_verdict(cfg, passed, reason):
    """expect_verdict: fail turns an expected failure into a pass."""
    if cfg.get("expect_verdict") != "fail":
        return passed, reason
    want = cfg["expect_reason"]
    if passed:
        return False, ("expected the runner to fail this scenario (expect_verdict: fail) "
                       "but it passed")
    if re.search(want, reason):
        return True, f"failed as expected: {reason}"
    return False, f"failed with {reason!r}, expected a reason matching {want!r}"


# ---------------------------------------------------------------- one test

class Test:
    """One (scenario, board) pair and its result."""

    def __init__(self, scenario, board, outroot):
        self.sc = scenario
        self.name = scenario.name
        self.board = board
        self.outdir = os.path.join(outroot, board, scenario.name)
        self.status = "pending"
        self.reason = ""
        self.build_time = None
        self.run_time = None
        self.build_log = os.path.join(self.outdir, "build.log")
        self.console_log = None
        self.tail = []
        self.log_for_failure = None
        self.footprint = None   # footprint.summary() of the kernel built, bytes by kind
        self.trace_saved = None  # trace.txt of a failure (save_trace)
        self.cache_key = None   # testcache.key() of what it was built and judged from
        self.cache_inputs = None  # the tree files its build read (None: the whole tree)
        self.cached = None      # the earlier pass it stands for (result.json), not run
        self.user_inputs = ()   # files a shared user side's build read (absolute paths)

    def record(self, passed, reason, tail_from=None):
        self.status = "pass" if passed else "fail"
        self.reason = reason
        if not passed:
            log = tail_from or self.console_log or self.build_log
            self.log_for_failure = log
            self.tail = read_lines(log)


NO_FIXDEP = "-DRV_FIXDEP=OFF"
# Nothing a test runs reads DWARF (its gdb reads the ELF symbol table), and
# -g changes no code: without it a cold build compiles 13% faster and its
# folder is a quarter the size (cmake/kernel.cmake, RV_DEBUG_INFO).
NO_DEBUG_INFO = "-DRV_DEBUG_INFO=OFF"


def build_command(rv, test):
    cfg = test.sc.cfg
    cmd = rv + ["build", "-b", test.board, "-d", test.outdir, test.sc.app_dir]
    confs = [os.path.join(test.sc.yaml_dir, f) for f in cfg.get("extra_conf_files", [])]
    if cfg.get("extra_configs"):
        path = os.path.join(test.outdir, "extra_configs.conf")
        # No header comment: line N is the Nth entry, so Kconfig errors that
        # say extra_configs.conf:N point straight at the yaml's list.
        with open(path, "w", encoding="utf-8") as f:
            for line in cfg["extra_configs"]:
                f.write(line + "\n")
        confs.append(path)
    # A test's build is never built again incrementally: the per-symbol
    # dependencies of scripts/fixdep.c (doc/architecture.md) would only cost
    # their scan, 0.15 to 0.25 s of CPU of a 1.3 s build of tests/user/fs.
    # The objects are the same; tests/unit/rebuild tests fixdep's builds.
    extra = [NO_FIXDEP, NO_DEBUG_INFO]
    if confs:
        extra.append("-DEXTRA_CONF_FILE=" + ";".join(confs))
    extra += cfg.get("extra_args", [])
    return cmd + ["--"] + extra


def is_python_unit(test):
    """A unit test written in Python: its one source is a .py script."""
    return all(s.endswith(".py") for s in test.sc.cfg.get("sources", []))


def unit_build_command(test):
    cfg = test.sc.cfg
    if is_python_unit(test):
        # Its "build": the script must compile (it runs under the system python).
        return [sys.executable, "-m", "py_compile"] + cfg["sources"]
    return (["gcc"] + UNIT_CFLAGS + cfg.get("cflags", []) + cfg["sources"] +
            ["-o", os.path.join(test.outdir, test.name)])


def is_link_flag(flag):
    return flag.startswith(("-l", "-L", "-Wl,"))


def unit_build_steps(test, ccache):
    """A C unit test's build as commands to run in order: with ccache,
    each source compiled alone through it (ccache caches no link, nor a
    gcc that compiles several files), then the link, with the flags of
    unit_build_command; without, that one command."""
    cfg = test.sc.cfg
    if not ccache or is_python_unit(test):
        return [unit_build_command(test)]
    flags = cfg.get("cflags", [])
    compile_flags = [f for f in flags if not is_link_flag(f)]
    objdir = os.path.join(test.outdir, "obj")
    objs, steps = [], []
    for i, src in enumerate(cfg["sources"]):
        obj = os.path.join(objdir, f"{i}-{os.path.splitext(os.path.basename(src))[0]}.o")
        objs.append(obj)
        steps.append([ccache, "gcc"] + UNIT_CFLAGS + compile_flags + ["-c", src, "-o", obj])
    steps.append(["gcc"] + UNIT_CFLAGS + flags + objs + ["-o", os.path.join(test.outdir, test.name)])
    return steps


# ---------------------------------------------------------------- shared builds

class SharedBuild:
    """Scenarios with the same board, app and configuration (extra_configs,
    extra_conf_files, extra_args): the first to get here builds, and a copy
    of its build folder as built (before any boot touched its disk image)
    serves the others, which copy it into their own folders."""

    def __init__(self, users):
        self.lock = threading.Lock()
        self.snapshot = None    # the build folder as built, once one succeeded
        self.builder = None     # the scenario that built it
        self.users = users      # tests not yet built or copied from it

    def release(self):
        """One test is done with this configuration's build (built it or
        copied it); the last one deletes the snapshot. Call under lock."""
        self.users -= 1
        if self.users <= 0 and self.snapshot:
            shutil.rmtree(self.snapshot, ignore_errors=True)
            self.snapshot = None


SHARED_BUILDS = {}
SHARED_DIR = ".shared-builds"
# The files of a shared build that a boot or the runner may write in place
# (QEMU writes the disk image, disk_setup and disk_corrupt change it; the
# runner rewrites build.log): each folder gets a copy of its own. Every
# other file is a hard link to the snapshot's: no test writes into a
# build's objects, ELF files or initrd, and a copy of a 25 to 60 MB build
# folder cost 0.25 s of CPU and seconds of disk time.
COPIED_NOT_LINKED = (".img", ".log")


def link_or_copy(src, dst):
    """copytree's copy_function for shared builds: a hard link, or a copy
    for COPIED_NOT_LINKED and where linking fails (another file system)."""
    if not src.endswith(COPIED_NOT_LINKED):
        try:
            os.link(src, dst)
            return dst
        except OSError:
            pass
    return shutil.copy2(src, dst)


def build_key(test):
    """What makes two scenarios' builds the same; None: build alone."""
    cfg = test.sc.cfg
    if test.sc.type == "unit" or cfg.get("expect_build_failure"):
        return None
    return (test.board, os.path.realpath(test.sc.app_dir),
            tuple(cfg.get("extra_conf_files", [])), tuple(cfg.get("extra_configs", [])),
            tuple(cfg.get("extra_args", [])))


# Seconds a test is expected to take when no earlier report says (a clean
# checkout, as CI's): a boot per power cut or random configuration, about
# 3 s each on 2 cores, otherwise a build and a boot.
SECONDS_PER_EXTRA_BOOT = 3.0
SECONDS_PER_TEST = 8.0


DURATIONS = "durations.json"


def earlier_durations(outroot):
    """{(board, name): seconds} of build and boot as the runs in outroot
    timed them (OUTDIR/durations.json, each test its latest time); empty
    when there is none or it is unreadable."""
    try:
        with open(os.path.join(outroot, DURATIONS), encoding="utf-8") as f:
            data = json.load(f)
        return {tuple(k.split("/", 1)): float(v) for k, v in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def save_durations(outroot, earlier, tests):
    """Add the times of the tests this run built or booted to
    OUTDIR/durations.json (a run of a few tests keeps the others')."""
    times = dict(earlier)
    for t in tests:
        if t.build_time is not None and not t.cached:
            times[(t.board, t.name)] = round((t.build_time or 0) + (t.run_time or 0), 2)
    data = {f"{board}/{name}": secs for (board, name), secs in sorted(times.items())}
    path = os.path.join(outroot, DURATIONS)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)


def expected_seconds(test, earlier):
    """How long test should take: its time in the last run's report, or
    an estimate from the boots its scenario makes."""
    if (test.board, test.name) in earlier:
        return earlier[(test.board, test.name)]
    cfg = test.sc.cfg if test.sc else {}
    boots = 0
    for key in ("powercut", "random_configs"):
        if isinstance(cfg.get(key), dict):
            boots += int(cfg[key].get("cuts", cfg[key].get("count", 0)) or 0)
    return SECONDS_PER_TEST + SECONDS_PER_EXTRA_BOOT * boots


def longest_first(tests, earlier):
    """tests, the longest expected first (stable among equals): a long
    test started last would leave the other jobs idle at the end."""
    return sorted(tests, key=lambda t: -expected_seconds(t, earlier))


def plan_shared_builds(tests):
    """Register the configurations more than one test builds; return the
    tests in the order to run them: one of each configuration first, so
    the copies rarely wait for their build."""
    seen = {}
    for t in tests:
        key = build_key(t)
        if key is not None:
            seen[key] = seen.get(key, 0) + 1
    SHARED_BUILDS.clear()
    for key, n in seen.items():
        if n > 1:
            SHARED_BUILDS[key] = SharedBuild(n)
    first, later, started = [], [], set()
    for t in tests:
        key = build_key(t)
        if key in SHARED_BUILDS and key in started:
            later.append(t)
        else:
            started.add(key)
            first.append(t)
    return first + later


def build_test(test, opts, unit):
    """Build test into its folder (or copy the shared build of its
    configuration); a RunResult whose duration is the time taken."""
    shared = None if unit else SHARED_BUILDS.get(build_key(test))
    if shared is None:
        return build_alone(test, opts, unit)
    with shared.lock:
        if shared.snapshot is None:
            res = build_alone(test, opts, unit)
            if res.returncode == 0 and not res.timed_out:
                snap = os.path.join(os.path.dirname(test.outdir), SHARED_DIR, test.name)
                if os.path.isdir(snap):
                    shutil.rmtree(snap)
                shutil.copytree(test.outdir, snap, symlinks=True, copy_function=link_or_copy)
                shared.snapshot, shared.builder = snap, test.name
            shared.release()
            return res
        res = RunResult()
        start = time.monotonic()
        shutil.copytree(shared.snapshot, test.outdir, symlinks=True, dirs_exist_ok=True,
                        copy_function=link_or_copy)
        with open(os.path.join(shared.snapshot, os.path.basename(test.build_log)), "rb") as f:
            built_log = f.read()
        with open(test.build_log, "wb") as f:
            f.write((f"-- the build of {shared.builder} (the same board, app and configuration), "
                     f"copied from {short(shared.snapshot)}\n").encode() + built_log)
        shared.release()
        res.returncode = 0
        res.duration = time.monotonic() - start
        return res


def measure_footprint(outdir):
    """ROM and RAM of the kernel a test built (report.json), None without one."""
    elf = os.path.join(outdir, "rvos.elf")
    if not os.path.isfile(elf):
        return None
    try:
        return footprint.summary(elf)
    except footprint.FootprintError:
        return None


def build_alone(test, opts, unit):
    if not unit and opts.share_user and not test.sc.cfg.get("expect_build_failure"):
        return build_sharing_user_side(test, opts)
    steps = unit_build_steps(test, opts.ccache) if unit else [build_command(opts.rv, test)]
    return run_build_steps(test, opts, steps)


def run_build_steps(test, opts, steps, total=0.0, fresh_log=True):
    """Run the commands in order into build.log (a fresh one unless
    fresh_log is false); the RunResult of the last, its duration the sum."""
    if fresh_log:
        with open(test.build_log, "wb"):
            pass
    res = RunResult()
    res.returncode, res.duration = 0, total
    for cmd in steps:
        if cmd[-2] == "-o" and cmd[-1].endswith(".o"):
            os.makedirs(os.path.dirname(cmd[-1]), exist_ok=True)
        with open(test.build_log, "ab") as f:
            f.write(("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n").encode())
        res = run_logged(cmd, test.build_log, max(1.0, opts.build_timeout - total), cwd=RV_BASE)
        total += res.duration
        res.duration = total
        if res.returncode != 0 or res.timed_out:
            break
    return res


# ---------------------------------------------------------------- shared user side

# The user side of a build (librvos, the app's programs, the program check
# and the initrd) is the same for every configuration whose user-side
# commands agree and whose options agree where the user side reads them:
# a family such as tests/kernel/ipc, whose scenarios change kernel options,
# builds its programs once (doc/testing.md, "Shared user sides"). The
# first build of each such user side builds everything and lends its
# programs and initrd; a later one configures, checks that it would run the
# same user-side commands on the same preprocessed text, copies them, and
# builds only the kernel side and the program check.
USER_PREFIXES = ("lib/", "app/", "programs/")
USER_TARGETS = {"programs_checked", "initrd", "lib/all", "app/all", "initrd.cpio",
                "CMakeFiles/initrd", "CMakeFiles/programs_checked"}
KERNEL_TARGETS = ("kernel_objs", "rvos_pass1.elf", "rvos.elf", "arch/riscv/all", "kernel/all",
                  "drivers/all")
USER_DIR = ".shared-user"
CHECKED_STAMP = "programs/checked.stamp"
CONFIG_NAME_RE = re.compile(rb"\bCONFIG_[A-Za-z0-9_]+")
AUTOCONF = os.path.join("include", "generated", "autoconf.h")


class UserSide:
    """A build that lends its user side: what it was built from."""

    def __init__(self, builder, commands, symbols, generated, snapshot, inputs):
        self.builder = builder      # the test that built it
        self.commands = commands    # hash of the user side's ninja edges and rules
        self.symbols = symbols      # {CONFIG_ name: value or None} its sources read
        self.generated = generated  # {build-folder file its sources read: sha256}
        self.snapshot = snapshot    # OUTDIR/.shared-user/NAME: programs/, initrd.cpio
        self.inputs = inputs        # the files its user side read (absolute)


USER_SIDES = {}            # app folder -> [UserSide]
USER_USERS = {}            # app folder -> tests of the app not built yet
USER_LOCK = threading.Lock()
SYMBOL_SCAN = {}           # file -> frozenset of the CONFIG_ names it mentions


def read_autoconf(build_dir):
    """{CONFIG_ name: value} of the build's autoconf.h (an option that is
    off is absent)."""
    values = {}
    with open(os.path.join(build_dir, AUTOCONF), encoding="utf-8",
              errors="surrogateescape") as f:
        for line in f:
            parts = line.split(None, 2)
            if len(parts) >= 2 and parts[0] == "#define":
                values[parts[1]] = parts[2].rstrip("\n") if len(parts) > 2 else ""
    return values


def ninja_edges(build_dir):
    """build.ninja's edges as (first output, text of the edge and its
    variables), and the inputs of the phony target all."""
    edges, all_inputs = [], None
    with open(os.path.join(build_dir, "build.ninja"), encoding="utf-8",
              errors="surrogateescape") as f:
        current = None
        for line in f:
            if line.startswith("build "):
                head = line[6:].split(":", 1)[0].split("|", 1)[0].split()
                current = [head[0] if head else "", line]
                edges.append(current)
                if current[0] == "all":
                    all_inputs = line.split(":", 1)[1].split()[1:]
            elif line.startswith("  ") and current is not None:
                current[1] += line
            else:
                current = None
    return edges, all_inputs


def user_side_plan(build_dir):
    """(hash of the user side's commands, kernel-side targets, the program
    check's command or None) of a configured build folder; None when its
    user side cannot be told apart (a disk image, an unknown target)."""
    edges, all_inputs = ninja_edges(build_dir)
    if not all_inputs or not set(all_inputs) >= {"rvos.elf", "initrd"}:
        return None
    kernel = [t for t in all_inputs if t not in USER_TARGETS]
    if any(t not in KERNEL_TARGETS for t in kernel):
        return None
    real = os.path.realpath(build_dir)
    h = hashlib.sha256()
    check_cmd = None
    for out, text in edges:
        if out.startswith(USER_PREFIXES) or out in USER_TARGETS:
            h.update(text.replace(build_dir, "@B@").replace(real, "@B@").encode())
            if out == CHECKED_STAMP:
                m = re.search(r"^  COMMAND = (.*)$", text, re.M)
                if not m or "$" in m.group(1):
                    return None
                check_cmd = m.group(1)
        elif any(o.startswith(USER_PREFIXES) for o in text.split("\n", 1)[0].split()[1:]) \
                and out in KERNEL_TARGETS:
            return None     # a kernel-side target that reads the user side
    with open(os.path.join(build_dir, "CMakeFiles", "rules.ninja"), encoding="utf-8",
              errors="surrogateescape") as f:
        h.update(f.read().replace(build_dir, "@B@").replace(real, "@B@").encode())
    return h.hexdigest(), kernel, check_cmd


def mentioned_symbols(path):
    names = SYMBOL_SCAN.get(path)
    if names is None:
        with open(path, "rb") as f:
            names = frozenset(m.decode() for m in CONFIG_NAME_RE.findall(f.read()))
        SYMBOL_SCAN[path] = names
    return names


def file_sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def user_side_reads(build_dir):
    """What the user side of a finished build read: (the files its objects
    were compiled from, absolute; the CONFIG_ names they mention; the
    build-folder files among them but autoconf.h, with their hashes),
    from ninja's dependency log. Files under /usr (the toolchain's and
    picolibc's headers) are not scanned: nothing configures them."""
    out = subprocess.run(["ninja", "-t", "deps"], cwd=build_dir, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, errors="surrogateescape")
    if out.returncode != 0:
        raise OSError(f"ninja -t deps failed in {build_dir}")
    real = os.path.realpath(build_dir)
    files, user = set(), False
    for line in out.stdout.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            user = line.startswith(USER_PREFIXES)
        elif user:
            p = line.strip()
            files.add(os.path.normpath(p if os.path.isabs(p) else os.path.join(real, p)))
    if not files:
        raise OSError(f"no dependencies of the user side in {build_dir}")
    symbols, generated = set(), {}
    autoconf = os.path.join(real, AUTOCONF)
    for p in sorted(files):
        if p == autoconf or p.startswith("/usr/"):
            continue
        if p.startswith(real + os.sep):
            generated[os.path.relpath(p, real)] = file_sha256(p)
        symbols |= mentioned_symbols(p)
    return files, symbols, generated


def lend_user_side(test, outroot, commands):
    """After a full build: keep its programs and initrd for the builds
    whose user side is the same (under the lock)."""
    try:
        files, names, generated = user_side_reads(test.outdir)
        values = read_autoconf(test.outdir)
    except OSError:
        return
    snap = os.path.join(outroot, USER_DIR, f"{test.board}-{test.name}")
    if os.path.isdir(snap):
        shutil.rmtree(snap)
    os.makedirs(snap)
    shutil.copytree(os.path.join(test.outdir, "programs"), os.path.join(snap, "programs"),
                    copy_function=link_or_copy)
    initrd = os.path.join(test.outdir, "initrd.cpio")
    if os.path.exists(initrd):
        link_or_copy(initrd, os.path.join(snap, "initrd.cpio"))
    side = UserSide(f"{test.board}/{test.name}", commands,
                    {n: values.get(n) for n in names}, generated, snap, sorted(files))
    USER_SIDES.setdefault(os.path.realpath(test.sc.app_dir), []).append(side)


def matching_user_side(test, commands):
    """The user side built earlier that this configured build would build
    again byte for byte, or None (under the lock)."""
    values = None
    for side in USER_SIDES.get(os.path.realpath(test.sc.app_dir), []):
        if side.commands != commands:
            continue
        if values is None:
            values = read_autoconf(test.outdir)
        if any(values.get(n) != v for n, v in side.symbols.items()):
            continue
        try:
            if any(file_sha256(os.path.join(test.outdir, p)) != h
                   for p, h in side.generated.items()):
                continue
        except OSError:
            continue
        return side
    return None


def user_side_done(test):
    """One test of the app has built (or failed to); the last one deletes
    the app's lent user sides."""
    app = os.path.realpath(test.sc.app_dir)
    with USER_LOCK:
        USER_USERS[app] = USER_USERS.get(app, 1) - 1
        if USER_USERS[app] <= 0:
            for side in USER_SIDES.pop(app, []):
                shutil.rmtree(side.snapshot, ignore_errors=True)


def build_sharing_user_side(test, opts):
    """Configure; then, when an earlier build's user side is the one this
    configuration builds, copy it and build the kernel side alone,
    otherwise build everything (and lend the user side on)."""
    outroot = os.path.dirname(os.path.dirname(test.outdir))
    cmd = build_command(opts.rv, test)
    n = len(opts.rv) + 1     # rv build ...
    configure = cmd[:n] + ["--configure-only"] + cmd[n:]
    res = run_build_steps(test, opts, [configure])
    if res.returncode != 0 or res.timed_out:
        return res
    try:
        plan = user_side_plan(test.outdir)
    except OSError:
        plan = None
    ninja = shutil.which("ninja") or "ninja"
    if plan is None:
        return run_build_steps(test, opts, [[ninja, "-C", test.outdir]], res.duration,
                               fresh_log=False)
    commands, kernel, check_cmd = plan
    with USER_LOCK:
        side = matching_user_side(test, commands)
    if side is None or check_cmd is None:
        res = run_build_steps(test, opts, [[ninja, "-C", test.outdir]], res.duration,
                              fresh_log=False)
        if res.returncode == 0 and not res.timed_out and check_cmd is not None:
            with USER_LOCK:
                if matching_user_side(test, commands) is None:
                    lend_user_side(test, outroot, commands)
        return res
    start = time.monotonic()
    shutil.copytree(os.path.join(side.snapshot, "programs"),
                    os.path.join(test.outdir, "programs"), dirs_exist_ok=True)
    if os.path.exists(os.path.join(side.snapshot, "initrd.cpio")):
        shutil.copy2(os.path.join(side.snapshot, "initrd.cpio"),
                     os.path.join(test.outdir, "initrd.cpio"))
    test.user_inputs = side.inputs
    with open(test.build_log, "ab") as f:
        f.write((f"-- the user side (librvos, programs, initrd.cpio) as {side.builder} built "
                 f"it: the same commands, and the same values of the "
                 f"{len(side.symbols)} options its sources mention\n").encode())
    total = res.duration + time.monotonic() - start
    return run_build_steps(test, opts, [[ninja, "-C", test.outdir] + kernel,
                                        ["/bin/sh", "-c", check_cmd]], total, fresh_log=False)


def plan_user_sides(tests):
    """Count each app's QEMU builds, so the last one deletes its lent user
    sides."""
    USER_SIDES.clear()
    USER_USERS.clear()
    SYMBOL_SCAN.clear()
    for t in tests:
        if t.sc.type != "unit" and not t.sc.cfg.get("random_configs"):
            app = os.path.realpath(t.sc.app_dir)
            USER_USERS[app] = USER_USERS.get(app, 0) + 1


def run_test(test, opts):
    """Build (and boot) one test; fills in test.status and reason."""
    cfg = test.sc.cfg
    if cfg.get("skip"):
        test.status, test.reason = "skip", "skip: true in the yaml"
        return test
    if reuse_pass(test, opts):
        return test
    if os.path.isdir(test.outdir):
        shutil.rmtree(test.outdir)    # a stale CMake cache would keep old -D values
    os.makedirs(test.outdir)
    unit = test.sc.type == "unit"
    fine = not (unit or cfg.get("random_configs") or cfg.get("expect_build_failure"))
    if not fine:
        # Nothing lists what these read: the whole tree is their input.
        test.cache_key = testcache.key(opts.tree, test, opts)
    if not unit and cfg.get("random_configs"):
        # Random configurations: many builds and boots (scripts/randconfig.py).
        passed, reason, tail_from = randconfig.run(test, opts, sys.modules[__name__])
        passed, reason = apply_expected_verdict(cfg, passed, reason)
        test.record(passed, reason, tail_from)
        return test
    build = build_test(test, opts, unit)
    test.build_time = build.duration
    built = build.returncode == 0 and not build.timed_out
    if built and not unit:
        test.footprint = measure_footprint(test.outdir)
    if built and fine:
        try:
            test.cache_inputs = testcache.build_inputs(opts.tree, test.outdir)
            if test.user_inputs:    # a lent user side: its headers are not in this build's log
                lent = (opts.tree.relative(p) for p in test.user_inputs)
                test.cache_inputs = sorted(set(test.cache_inputs) | {r for r in lent if r})
        except (OSError, subprocess.SubprocessError):
            test.cache_inputs = None
        test.cache_key = testcache.key(opts.tree, test, opts, test.cache_inputs)

    if cfg.get("expect_build_failure"):
        if build.timed_out:
            passed, reason = False, f"build timeout after {opts.build_timeout:g}s"
        elif built:
            passed, reason = False, "build succeeded but expect_build_failure is set"
        else:
            text = "\n".join(read_lines(test.build_log))
            missing = [rx for rx in cfg.get("build_error_regex", [])
                       if not re.search(rx, text, re.M)]
            if missing:
                passed, reason = False, f"build failed but its log does not match {missing[0]!r}"
            else:
                passed, reason = True, "build failed as expected"
        passed, reason = apply_expected_verdict(cfg, passed, reason)
        test.record(passed, reason, test.build_log)
        return test
    if not built:
        reason = (f"build timeout after {opts.build_timeout:g}s" if build.timed_out
                  else f"build failed (exit status {build.returncode})")
        passed, reason = apply_expected_verdict(cfg, False, reason)
        test.record(passed, reason, test.build_log)
        return test
    why = None if unit else (run_build_checks(cfg, test.outdir)
                             or judge_footprint(cfg, test.footprint))
    if why:
        passed, reason = apply_expected_verdict(cfg, False, why)
        test.record(passed, reason, test.build_log)
        return test
    disk_log = os.path.join(test.outdir, DISK_LOG)
    if (cfg.get("build_only") or opts.build_only) and cfg.get("expect_verdict") != "fail":
        # A build_only scenario's image is checked as built (not under --build-only,
        # where the checks are meant for the image after a boot).
        why = None if unit or opts.build_only else judge_disk(cfg, test.sc.yaml_dir, test.outdir)
        if why:
            test.record(False, why, disk_log)
            return test
        test.record(True, "built (build_only)")
        return test
    why = None if unit else prepare_disk(cfg, test.sc.yaml_dir, test.outdir)
    if why:
        passed, reason = apply_expected_verdict(cfg, False, why)
        test.record(passed, reason, disk_log)
        return test
    if not unit and cfg.get("powercut"):
        # Power cuts: many boots on copies of the image (scripts/powercut.py).
        passed, reason, tail_from = powercut.run(test, opts, sys.modules[__name__])
        passed, reason = apply_expected_verdict(cfg, passed, reason)
        test.record(passed, reason, tail_from)
        return test
    image = os.path.join(test.outdir, DISK_IMAGE)
    if not unit and cfg.get("disk_unchanged") and os.path.isfile(image):
        shutil.copyfile(image, os.path.join(test.outdir, DISK_BEFORE))

    timeout = cfg.get("timeout", DEFAULT_TIMEOUT) * opts.timeout_multiplier
    test.console_log = os.path.join(test.outdir, "console.log")
    if unit and is_python_unit(test):
        cmd = [sys.executable, os.path.join(RV_BASE, cfg["sources"][0]), test.outdir] + \
            cfg.get("args", [])
    elif unit:
        cmd = [os.path.join(test.outdir, test.name)] + cfg.get("args", [])
    else:
        cmd = opts.rv + ["flash", "-d", test.outdir]
        if (cfg.get("harness_config") or {}).get("icount"):
            cmd.append("--icount")
        if (cfg.get("harness_config") or {}).get("virtual_clock"):
            cmd.append("--virtual-clock")
        if (cfg.get("harness_config") or {}).get("rng", True) is False:
            cmd.append("--no-rng")
        if (cfg.get("harness_config") or {}).get("qemu_args"):
            cmd.append("--qemu-args=" + cfg["harness_config"]["qemu_args"])
    hung_trace = None
    if not unit and traced_build(test.outdir):
        port = free_tcp_port()
        if port:
            cmd += ["--gdb", str(port)]
            hung_trace = lambda: save_trace(test, gdb_port=port)  # noqa: E731
    run = run_logged(cmd, test.console_log, timeout, cwd=RV_BASE, watch_panic=not unit,
                     input_steps=(cfg.get("harness_config") or {}).get("input", ()),
                     on_timeout=hung_trace)
    test.run_time = run.duration
    passed, reason = judge_run(cfg, run, timeout)
    tail_from = None
    if passed and not unit:
        # The image the guest wrote: e2fsck -fn, disk_unchanged, disk_checks.
        why = judge_disk(cfg, test.sc.yaml_dir, test.outdir)
        if why:
            passed, reason, tail_from = False, why, disk_log
    if passed and not unit and cfg.get("host_checks"):
        why = judge_host_checks(cfg, test.sc.app_dir, test.outdir, test.console_log)
        if why:
            passed, reason = False, why
            tail_from = os.path.join(test.outdir, "host_checks.log")
    if not passed and not unit:
        where = test.trace_saved or (save_trace(test) if failure_dump(run.lines) else None)
        if where:
            reason += f"; the kernel's trace of it: {short(where)} ({TRACE_VIEWER_HINT})"
    passed, reason = apply_expected_verdict(cfg, passed, reason)
    test.record(passed, reason, tail_from)
    return test


def reuse_pass(test, opts):
    """A test that passed before and whose key still holds is not run
    again (scripts/testcache.py): mark it passed from its result.json."""
    if not opts.cache or not os.path.isdir(test.outdir):
        return False
    if (opts.keep_artifacts == "all" and test.sc.type != "unit"
            and not os.path.isfile(os.path.join(test.outdir, "rvos.elf"))):
        return False    # its build was deleted when it passed: build it again
    rec = testcache.still_passes(opts.tree, test, opts)
    if rec is None:
        return False
    test.status, test.reason = "pass", rec.get("reason") or "passed"
    test.cached = rec.get("passed_at", "?")
    test.footprint = rec.get("footprint")
    for name in ("build.log", "console.log"):
        if os.path.isfile(os.path.join(test.outdir, name)):
            setattr(test, name.replace(".", "_"), os.path.join(test.outdir, name))
    return True


def save_pass(test):
    """Record a fresh pass for the next run (result.json)."""
    if test.status != "pass" or test.cached or test.cache_key is None:
        return
    try:
        testcache.save(test, test.cache_key, test.cache_inputs)
    except OSError:
        pass    # no record: the next run runs it


# ---------------------------------------------------------------- traces of failures

# kernel/trace.c's trace_dump_console(): CONFIG_TRACE_DUMP_ON_FAILURE prints
# the newest records on a panic or a failed power-off.
FAILURE_DUMP_RE = re.compile(r"^trace: failure, records \d+\.\.\d+ of ")
TRACE_VIEWER_HINT = "trace.json opens in ui.perfetto.dev"
TRACE_TIMEOUT = 60


def traced_build(outdir):
    """Whether the kernel in outdir was built with CONFIG_TRACING."""
    try:
        with open(os.path.join(outdir, ".config"), encoding="utf-8") as f:
            return any(line.strip() == "CONFIG_TRACING=y" for line in f)
    except OSError:
        return False


def free_tcp_port():
    import socket
    try:
        with socket.socket() as sk:
            sk.bind(("127.0.0.1", 0))
            return sk.getsockname()[1]
    except OSError:
        return None


def failure_dump(lines):
    return any(FAILURE_DUMP_RE.search(line) for line in lines)


def save_trace(test, gdb_port=None):
    """The kernel's trace of a failed test as OUTDIR/trace.txt, trace.json
    and trace.png (scripts/trace.py): from QEMU's gdb server while a hung
    guest still runs (gdb_port), else from the records the kernel printed
    as it failed. The text file's path, or None."""
    script = os.path.join(RV_BASE, "scripts", "trace.py")
    cmd = [sys.executable, script]
    if gdb_port:
        cmd += ["--gdb", f"127.0.0.1:{gdb_port}", "--elf", os.path.join(test.outdir, "rvos.elf")]
    else:
        cmd += ["--console", test.console_log]
    text = os.path.join(test.outdir, "trace.txt")
    cmd += ["--json", os.path.join(test.outdir, "trace.json"), "--text", text,
            "--png", os.path.join(test.outdir, "trace.png")]
    with open(os.path.join(test.outdir, "trace.log"), "ab") as log:
        log.write(("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n").encode())
        log.flush()
        try:
            p = subprocess.run(cmd, cwd=RV_BASE, stdout=log, stderr=subprocess.STDOUT,
                               timeout=TRACE_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as e:
            log.write(f"trace.py: {e}\n".encode())
            return None
    if p.returncode != 0 or not os.path.isfile(text):
        return None
    test.trace_saved = text
    return text


# ---------------------------------------------------------------- artifacts

# What a passed test's folder keeps (--keep-artifacts failed, the default):
# what a person reads to see what it did -- the logs, the configuration it
# ran with and the files host checks wrote (JSON, PNG, text) -- not the
# build (objects, libraries, ELF files) nor the disk images, 10 to 60 MB a
# test. 296 tests kept whole filled 6 GB and more.
KEPT_SUFFIXES = (".log", ".txt", ".json", ".png", ".csv", ".conf", ".config")


def prune_artifacts(test):
    """Delete a passed test's build and images, keep its logs; the bytes freed."""
    freed = 0
    try:
        entries = list(os.scandir(test.outdir))
    except OSError:
        return 0
    for e in entries:
        if e.is_file(follow_symlinks=False) and e.name.endswith(KEPT_SUFFIXES):
            continue
        try:
            if e.is_dir(follow_symlinks=False):
                freed += tree_bytes(e.path, deleting=True)
                shutil.rmtree(e.path, ignore_errors=True)
            else:
                freed += own_bytes(e.stat(follow_symlinks=False))
                os.remove(e.path)
        except OSError:
            pass
    return freed


def own_bytes(st):
    """The bytes deleting a file frees: none while another hard link to it
    (a shared build's) remains."""
    return st.st_blocks * 512 if st.st_nlink <= 1 else 0


def tree_bytes(path, deleting=False):
    """The bytes of the files under path, each hard-linked file once;
    deleting: only what deleting them frees (own_bytes)."""
    total, seen = 0, set()
    for root, _, files in os.walk(path):
        for f in files:
            try:
                st = os.lstat(os.path.join(root, f))
            except OSError:
                continue
            if deleting:
                total += own_bytes(st)
            elif (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total


# What one test needs at most while it runs (a shell build with its disk
# image, or a power-cut scenario's images), and what the pruned folders of
# a whole run add up to; measured on a full run, rounded up.
MB = 1024 * 1024
PEAK_PER_JOB = 300 * MB
KEPT_PER_TEST = 1 * MB


def check_free_space(outroot, jobs, ntests, keep_all):
    """Warn, naming the folder and the way out, when the output folder's
    file system looks too small for the run; a full disk otherwise shows up
    as ENOSPC errors half-way through."""
    try:
        free = shutil.disk_usage(outroot).free
    except OSError:
        return
    need = jobs * PEAK_PER_JOB + ntests * (60 * MB if keep_all else KEPT_PER_TEST)
    if free < need:
        print(f"-- rv test: warning: {free // MB} MiB free under {short(outroot)}, and this run "
              f"may need about {need // MB} MiB"
              + (" (--keep-artifacts all keeps every build)" if keep_all else "")
              + "; free some space or choose another folder with -O", flush=True)


def explain_os_error(e):
    """A runner error's reason; a full disk says which folder and what to do."""
    if isinstance(e, OSError) and e.errno == errno.ENOSPC:
        return (f"runner error: no space left on the device of {getattr(e, 'filename', '?')}; "
                f"free some space or run with -O on another disk (passed tests' builds are "
                f"deleted unless --keep-artifacts all)")
    return f"runner error: {type(e).__name__}: {e}"


# ---------------------------------------------------------------- output

STATUS_WORD = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "skip": "SKIP"}


def short(path):
    if not path:
        return path
    r = os.path.relpath(path)
    return r if len(r) < len(path) else path


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


class Reporter:
    def __init__(self, total, board_w, name_w, verbose):
        self.total = total
        self.done = 0
        self.board_w = board_w
        self.name_w = name_w
        self.verbose = verbose
        self.lock = threading.Lock()

    def finished(self, test):
        with self.lock:
            self.done += 1
            times = []
            if test.build_time is not None:
                times.append(f"build {test.build_time:.1f}s")
            if test.run_time is not None:
                times.append(f"run {test.run_time:.1f}s")
            w = len(str(self.total))
            line = (f"[{self.done:>{w}}/{self.total}] {STATUS_WORD[test.status]:<5} "
                    f"{test.board:<{self.board_w}}  {test.name:<{self.name_w}}")
            if times:
                line += f"  ({', '.join(times)})"
            elif test.cached:
                line += f"  (unchanged since it passed at {test.cached})"
            elif test.status == "skip":
                line += f"  ({test.reason})"
            out = [line.rstrip()]
            if test.status in ("fail", "error"):
                out.append(f"    reason: {test.reason}")
                lines = test.tail if self.verbose else test.tail[-TAIL_LINES:]
                out += failure_evidence(test, lines, "    ", "log:    ",
                                        "output:" if self.verbose else
                                        f"last {len(lines)} lines:")
            elif test.status == "pass" and test.reason.startswith("failed as expected"):
                out.append(f"    ({test.reason})")
            print("\n".join(out), flush=True)


SLOWEST = 5


def print_slowest(tests):
    """The tests that took longest (build + boot), to see where a run's time goes."""
    timed = [t for t in tests if t.build_time is not None or t.run_time is not None]
    if len(timed) < 2 * SLOWEST:
        return
    timed.sort(key=lambda t: -((t.build_time or 0) + (t.run_time or 0)))
    total = sum((t.build_time or 0) + (t.run_time or 0) for t in timed)
    print(f"-- rv test: the {SLOWEST} slowest of {len(timed)} tests "
          f"({total / 60:.1f} min of builds and boots in all):")
    for t in timed[:SLOWEST]:
        print(f"     {(t.build_time or 0) + (t.run_time or 0):7.1f}s  {t.board}  {t.name}  "
              f"(build {t.build_time or 0:.1f}s, run {t.run_time or 0:.1f}s)")


def failure_evidence(test, lines, indent, log_label, heading=None):
    """A failed test's log path and the console (or build) lines shown, as
    printed under it: when it ends and again above the final count."""
    out = []
    if test.log_for_failure:
        out.append(f"{indent}{log_label}{short(test.log_for_failure)}")
    if lines:
        if heading:
            out.append(indent + heading)
        out += [f"{indent}| {t}" for t in lines]
    return out


def print_failures(tests):
    """Repeat each failure just above the final count: a long run's log is often
    seen only by its end (a CI page, a terminal's scroll-back)."""
    bad = [t for t in tests if t.status in ("fail", "error")]
    if not bad:
        return
    print(f"-- rv test: {plural(len(bad), 'failure')}:")
    for t in bad:
        print(f"     {t.board}  {t.name}: {t.reason}")
        for line in failure_evidence(t, (t.tail or [])[-FAILURE_TAIL_LINES:], "         ",
                                     "log: "):
            print(line)
    print(flush=True)


FAILURE_TAIL_LINES = 8


def write_report(outroot, tests, elapsed):
    report = {
        "elapsed": round(elapsed, 2),
        "tests": [{
            "name": t.name,
            "board": t.board,
            "status": t.status,
            "reason": t.reason,
            "yaml": rel(t.sc.yaml_path) if t.sc else None,
            "build_time": None if t.build_time is None else round(t.build_time, 2),
            "run_time": None if t.run_time is None else round(t.run_time, 2),
            "outdir": t.outdir,
            "footprint": getattr(t, "footprint", None),
            "build_log": t.build_log if t.build_log and os.path.exists(t.build_log) else None,
            "console_log": t.console_log if t.console_log and os.path.exists(t.console_log)
            else None,
        } for t in tests],
    }
    with open(os.path.join(outroot, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    suite = ET.Element("testsuite", name="rvos", tests=str(len(tests)),
                       failures=str(sum(t.status == "fail" for t in tests)),
                       errors=str(sum(t.status == "error" for t in tests)),
                       skipped=str(sum(t.status == "skip" for t in tests)),
                       time=f"{elapsed:.2f}")
    for t in tests:
        secs = (t.build_time or 0) + (t.run_time or 0)
        case = ET.SubElement(suite, "testcase", classname=t.board, name=t.name,
                             time=f"{secs:.2f}")
        if t.status in ("fail", "error"):
            el = ET.SubElement(case, "failure" if t.status == "fail" else "error",
                               message=t.reason, type=t.status)
            body = "\n".join(t.tail[-50:])
            if t.log_for_failure:
                body = f"log: {t.log_for_failure}\n{body}"
            el.text = body
        elif t.status == "skip":
            ET.SubElement(case, "skipped", message=t.reason)
    ET.indent(suite)
    ET.ElementTree(suite).write(os.path.join(outroot, "junit.xml"), encoding="utf-8",
                                xml_declaration=True)


class ErrorTest(Test):
    """A yaml mistake, reported like a failed test."""

    def __init__(self, name, message):
        self.sc = None
        self.name = name
        self.board = "-"
        self.outdir = None
        self.status = "error"
        self.reason = message
        self.build_time = self.run_time = None
        self.build_log = self.console_log = self.log_for_failure = None
        self.tail = []


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="rv test",
        description="Build and boot the test scenarios of sample.yaml and testcase.yaml files "
        "under samples/ and tests/ (twister-style), in parallel. See doc/testing.md.")
    p.add_argument("-T", "--testsuite-root", action="append", metavar="PATH", default=[],
                   help="only the yaml files under PATH (a folder or one yaml file); "
                   "repeatable (default: samples and tests)")
    p.add_argument("-p", "--platform", action="append", metavar="BOARD", default=[],
                   help=f"only this board (repeatable); '{HOST_BOARD}' selects the host unit "
                   f"tests, which run whenever no -p is given")
    p.add_argument("--tag", "-t", action="append", metavar="TAG", default=[],
                   help="only scenarios with this tag (repeatable: any of them)")
    p.add_argument("-s", "--scenario", action="append", metavar="NAME", default=[],
                   help="only the scenario of this name (repeatable)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="builds and boots at once (default: the number of CPUs, "
                   f"{os.cpu_count()})")
    p.add_argument("-O", "--outdir", default=os.path.join(RV_BASE, "rvos-test-out"),
                   help="output folder; each test builds in OUTDIR/BOARD/SCENARIO "
                   "(default: rvos-test-out in the repo)")
    p.add_argument("--list", action="store_true",
                   help="print the selected (board, scenario) pairs and exit")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print the whole console (or build log) of each failure, not only "
                   f"its last {TAIL_LINES} lines")
    p.add_argument("--clean", action="store_true", help="delete the output folder first")
    p.add_argument("--keep-artifacts", choices=("failed", "all"), default="failed",
                   help="whose builds and disk images stay in the output folder: 'failed' "
                   "(default; a passed test keeps only its logs and configuration, about "
                   "1 MB instead of 10 to 60) or 'all' (every test's, e.g. to rv flash -d one)")
    p.add_argument("--no-cache", dest="cache", action="store_false",
                   help="run every selected test, also those unchanged since they passed "
                   "(by default a test whose scenario, input files, options and tool "
                   "versions are those of its last pass is reported passed without a "
                   "build or boot; see doc/testing.md, Passed results kept)")
    p.add_argument("--no-user-sharing", dest="share_user", action="store_false",
                   help="build every configuration's user side (librvos, programs, initrd) "
                        "itself, not from an earlier build whose user side is the same")
    p.add_argument("--build-only", action="store_true",
                   help="build the scenarios, do not boot them")
    p.add_argument("--timeout-multiplier", type=float, default=1.0, metavar="X",
                   help="multiply every scenario's timeout by X (slow machines)")
    p.add_argument("--build-timeout", type=float, default=DEFAULT_BUILD_TIMEOUT, metavar="S",
                   help=f"seconds one build may take (default {DEFAULT_BUILD_TIMEOUT})")
    p.add_argument("--powercut-seed", type=int, metavar="S",
                   help="power-cut scenarios: use seed S instead of the yaml's (the seed each "
                   "one prints); see doc/testing.md, Power cuts")
    p.add_argument("--powercut-cut", metavar="I[:K]",
                   help="power-cut scenarios: run only cut I (from 1), at request K if given "
                   "(a failed cut prints the whole command to replay it)")
    p.add_argument("--random-count", type=int, metavar="N",
                   help="random-configuration scenarios: N configurations instead of the "
                   "yaml's count (e.g. 50); see doc/testing.md, Random configurations")
    p.add_argument("--random-seed", type=int, metavar="S",
                   help="random-configuration scenarios: seed S instead of the yaml's")
    p.add_argument("--random-config", type=int, metavar="C",
                   help="random-configuration scenarios: only the configuration of seed C "
                   "(each prints its seed; a failed one prints the whole command)")
    args = p.parse_args(argv)
    for name in ("random_count", "random_seed", "random_config"):
        v = getattr(args, name)
        if v is not None and v < (1 if name == "random_count" else 0):
            p.error(f"--{name.replace('_', '-')} must be {'>= 1' if name == 'random_count' else '>= 0'}")
    if args.powercut_cut is not None:
        m = re.match(r"^(\d+)(?::(\d+))?$", args.powercut_cut)
        if not m or int(m.group(1)) < 1 or (m.group(2) and int(m.group(2)) < 1):
            p.error(f"--powercut-cut {args.powercut_cut}: give I or I:K, whole numbers from 1 "
                    f"(e.g. --powercut-cut 7:512)")
        args.powercut_cut = (int(m.group(1)), int(m.group(2)) if m.group(2) else None)
    if args.powercut_seed is not None and args.powercut_seed < 0:
        p.error("--powercut-seed must be >= 0")
    if args.jobs < 1:
        p.error("-j must be at least 1")
    if args.timeout_multiplier <= 0:
        p.error("--timeout-multiplier must be positive")
    return args


def rv_command():
    """How the runner starts `rv`: under the interpreter rv would re-execute
    itself with (/usr/bin/python3), never through its `#!/usr/bin/env
    python3` line. The python3 first on the PATH may be pyenv's, started
    with its site packages before rv re-executes: 0.11 s of CPU instead of
    0.04 (doc/testing.md, "Where a test's time goes"); the runner starts rv
    twice per test (a power cut's boots start QEMU without it)."""
    rv = os.path.join(RV_BASE, "rv")
    if not os.path.exists(rv):
        raise UsageError(f"{rv} is missing: the runner builds and boots through `rv`")
    python = sys.executable
    if os.environ.get("RV_NO_REEXEC") != "1" and os.path.exists(rvpython.SYSTEM_PYTHON):
        python = rvpython.SYSTEM_PYTHON
    return [python, rv]


def safe_to_delete(path):
    real = os.path.realpath(path)
    base = os.path.realpath(RV_BASE)
    home = os.path.realpath(os.path.expanduser("~"))
    return (real not in ("/", home) and not (base + os.sep).startswith(real + os.sep)
            and not os.path.exists(os.path.join(real, ".git")))


def select(args, boards):
    """(tests, error tests) for the command line."""
    roots = resolve_roots(args.testsuite_root)
    outroot = os.path.abspath(args.outdir)
    for b in args.platform:
        if b not in boards and b != HOST_BOARD:
            raise UsageError(f"-p {b}: unknown board; boards: "
                             f"{', '.join(sorted(boards) + [HOST_BOARD])}")
    scenarios, errors, names = [], [], {}
    for path in find_yaml_files(roots, outroot):
        found, errs = parse_yaml_file(path, boards)
        errors += [ErrorTest(n, m) for n, m in errs]
        for sc in found:
            if sc.name in names:
                errors.append(ErrorTest(sc.name, f"{sc.where()}: scenario {sc.name} is also "
                                        f"defined in {names[sc.name]}; names must be unique"))
                continue
            names[sc.name] = sc.where()
            scenarios.append(sc)
    tests = []
    for sc in scenarios:
        if args.tag and not set(args.tag) & set(sc.tags):
            continue
        if args.scenario and sc.name not in args.scenario:
            continue
        for b in sc.boards:
            if args.platform and b not in args.platform:
                continue
            tests.append(Test(sc, b, outroot))
    if args.scenario:
        missing = set(args.scenario) - set(names)
        if missing:
            raise UsageError(f"-s {sorted(missing)[0]}: no such scenario in the selected yaml "
                             f"files (see --list)")
    return tests, errors


def share_compiler_cache():
    """Let ccache (CMakeLists.txt compiles through it when installed) reuse
    one scenario's objects in another's build folder. Every build folder
    is OUTDIR/BOARD/SCENARIO, so with absolute paths made relative
    (base_dir /) two scenarios compile the same command lines; without
    the build folder in the hash (hash_dir false) the only difference
    left is the configuration, and ccache's preprocessor mode hashes what
    the compiler sees -- autoconf.h's unused symbols vanish there, so a
    file that reads none of the options two scenarios differ in is
    compiled once. The price: an object's debug information may name
    another scenario's folder as its compile directory. The user's own
    CCACHE_* settings win."""
    os.environ.setdefault("CCACHE_BASEDIR", "/")
    os.environ.setdefault("CCACHE_NOHASHDIR", "true")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        boards = find_boards()
        if not boards:
            raise UsageError(f"no boards found (boards/<arch>/<name>/board.yml under {RV_BASE})")
        tests, errors = select(args, boards)
        if args.list:
            bw = max([len(t.board) for t in tests] + [5])
            nw = max([len(t.name) for t in tests] + [4])
            for t in tests:
                print(f"{t.board:<{bw}}  {t.name:<{nw}}  {rel(t.sc.yaml_path)}")
            for e in errors:
                print(f"error: {e.reason}")
            print(f"{len(tests)} tests" + (f", {len(errors)} yaml errors" if errors else ""))
            return 1 if errors else 0
        opts = args
        opts.rv = None
        if not all(t.sc.type == "unit" for t in tests) and tests:
            opts.rv = rv_command()
        # Host unit tests compile through ccache too when it is installed.
        opts.ccache = shutil.which("ccache")
        outroot = os.path.abspath(args.outdir)
        if args.clean and os.path.exists(outroot):
            if not safe_to_delete(outroot):
                raise UsageError(f"--clean: refusing to delete {outroot} (it holds the repo or "
                                 f"a .git); choose another -O")
            shutil.rmtree(outroot)
        os.makedirs(outroot, exist_ok=True)
        opts.tree = testcache.Tree(RV_BASE, outroot)
        earlier = earlier_durations(outroot)
        share_compiler_cache()
    except UsageError as e:
        print(f"rv test: error: {e}", file=sys.stderr)
        return 2

    every = errors + tests
    reporter = Reporter(len(every), max([len(t.board) for t in every] + [5]),
                        max([len(t.name) for t in every] + [4]), args.verbose)
    nboards = len({t.board for t in tests})
    print(f"-- rv test: {plural(len(tests), 'test')} "
          f"({plural(len({t.name for t in tests}), 'scenario')}, {plural(nboards, 'board')}), "
          f"{plural(args.jobs, 'job')}, output in {short(outroot)}"
          + (f"; {plural(len(errors), 'yaml error')}" if errors else ""), flush=True)
    check_free_space(outroot, args.jobs, len(tests), args.keep_artifacts == "all")
    start = time.monotonic()
    for e in errors:
        reporter.finished(e)
    interrupted = False
    pruned = 0
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
    try:
        order = plan_shared_builds(longest_first(tests, earlier))
        plan_user_sides(order)
        futures = {pool.submit(run_test, t, opts): t for t in order}
        for fut in concurrent.futures.as_completed(futures):
            t = futures[fut]
            try:
                fut.result()
            except Exception as e:  # a runner bug or an OS error: report, go on
                t.status, t.reason = "error", explain_os_error(e)
            if t.sc and t.sc.type != "unit" and not t.sc.cfg.get("random_configs"):
                user_side_done(t)
            save_pass(t)
            if t.status in ("pass", "skip") and args.keep_artifacts == "failed" and t.sc:
                pruned += prune_artifacts(t)
            reporter.finished(t)
    except KeyboardInterrupt:
        interrupted = True
        print("\n-- rv test: interrupted, stopping the running builds and boots", flush=True)
        pool.shutdown(wait=False, cancel_futures=True)
        PROCS.kill_all()
    finally:
        pool.shutdown(wait=not interrupted)
    for t in tests:
        if t.status == "pending":
            t.status, t.reason = "skip", "not run (interrupted)"
    if not interrupted:
        for board in {t.board for t in tests}:
            shutil.rmtree(os.path.join(outroot, board, SHARED_DIR), ignore_errors=True)
        shutil.rmtree(os.path.join(outroot, USER_DIR), ignore_errors=True)
    write_report(outroot, every, time.monotonic() - start)
    save_durations(outroot, earlier, tests)
    passed = sum(t.status == "pass" for t in every)
    failed = sum(t.status in ("fail", "error") for t in every)
    skipped = sum(t.status == "skip" for t in every)
    print(f"-- rv test: report in {short(os.path.join(outroot, 'report.json'))} and junit.xml")
    if pruned:
        print(f"-- rv test: deleted the builds of passed tests ({pruned // MB} MiB; "
              f"--keep-artifacts all keeps them); output folder now "
              f"{tree_bytes(outroot) // MB} MiB")
    print_slowest(tests)
    print_failures(every)
    cached = sum(bool(t.cached) for t in tests)
    if cached:
        print(f"-- rv test: {plural(cached, 'test')} unchanged since {'it' if cached == 1 else 'they'} "
              f"passed, not run again (--no-cache runs them)")
    if not tests and not errors:
        print("-- rv test: no scenario selected (check -T, -p, --tag, -s; see --list)")
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""),
          flush=True)
    if interrupted:
        return 130
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
