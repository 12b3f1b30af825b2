# SPDX-License-Identifier: Apache-2.0
"""Passed results that `rv test` may keep: a test that passed is not run
again while nothing it was built or judged from has changed.

A test's *key* is a SHA-256 over what decides its result:

- the scenario as the runner read it (its yaml entry with `common:` merged,
  the board) and the options of this run that change a build or a boot
  (--build-only, --timeout-multiplier, the --powercut-* and --random-*
  values);
- the versions of the Debian packages that build and boot it (the cross
  compiler, picolibc, QEMU, OpenSBI, Kconfiglib, CMake, ...) and Python's;
- the contents of its input files. For a QEMU test these are the files
  its build read, as the build itself lists them (ninja's inputs of every
  target, the headers in ninja's dependency log, the files CMake and
  Kconfig read to configure it), plus its yaml folder and app folder
  whole, boards/, scripts/ and `rv`, plus the names of the files in every
  folder an input lies in (a new source next to the others may be picked
  up by a glob). For a host unit test, a random-configuration scenario or
  a scenario that expects its build to fail, whose reads no build lists,
  every file of the tree.

A test that passes writes its key and the list of its input files to
`result.json` in its folder (`OUTDIR/BOARD/SCENARIO`). The next run
recomputes the key from the current files; when it matches, the test is
reported as passed without being built or booted, with the time of the
pass it stands for. Anything else -- a failure, a changed file, another
option, a missing or unreadable result.json, --no-cache -- runs it.
Files outside the tree (system headers, the toolchain) count through
their packages' versions.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time

RESULT_FILE = "result.json"
FORMAT = 1

# Beyond rv's PACKAGES (read from `rv`, the list rv setup installs): what
# those bring along that a build or boot uses.
MORE_PACKAGES = ("qemu-system-data", "libpython3-stdlib")
PACKAGE_LINE = re.compile(r'^\s*\("([a-z0-9][a-z0-9.+-]*)",')

# Options of `rv test` that change what a test builds or how it is judged.
RUN_OPTIONS = ("build_only", "timeout_multiplier", "powercut_seed", "powercut_cut",
               "random_count", "random_seed", "random_config")

# Inputs of every QEMU test beyond what its build lists (relative to the tree).
ALWAYS = ("rv", "scripts", "boards")


class Tree:
    """The files of the source tree and their content hashes, for one run.
    Hashes are remembered by (size, mtime) so a file many tests read is
    read once."""

    def __init__(self, base, outroot):
        self.base = os.path.realpath(base)
        self.outroot = os.path.realpath(outroot)
        self.lock = threading.Lock()
        self._files = None      # sorted relative paths
        self._dirs = None       # folder -> sorted names of its files
        self._hashes = {}       # relative path -> (size, mtime_ns, hex)
        self._versions = None

    def files(self):
        with self.lock:
            if self._files is None:
                self._files = self._list()
                dirs = {}
                for f in self._files:
                    dirs.setdefault(os.path.dirname(f), []).append(os.path.basename(f))
                self._dirs = dirs
            return self._files

    def _list(self):
        """Tracked and untracked (not ignored) files when the tree is a git
        work tree's top; else every file but .git and the output folder."""
        try:
            top = subprocess.run(["git", "-C", self.base, "rev-parse", "--show-toplevel"],
                                 capture_output=True, check=True, timeout=60).stdout
            if os.path.realpath(top.decode().strip()) != self.base:
                raise OSError("not the top of a git work tree")
            out = subprocess.run(["git", "-C", self.base, "ls-files", "-co",
                                  "--exclude-standard", "-z"], capture_output=True,
                                 check=True, timeout=60).stdout
            found = [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]
        except (OSError, subprocess.SubprocessError):
            found = []
            for root, dirs, names in os.walk(self.base):
                dirs[:] = [d for d in dirs if d not in (".git", "__pycache__")
                           and os.path.realpath(os.path.join(root, d)) != self.outroot]
                rel = os.path.relpath(root, self.base)
                found += [os.path.normpath(os.path.join(rel, n)) for n in names]
        inside = self.outroot + os.sep
        return sorted(p for p in found
                      if not (os.path.join(self.base, p) + os.sep).startswith(inside)
                      and os.path.isfile(os.path.join(self.base, p)))

    def names_in(self, folder):
        self.files()
        return self._dirs.get(folder, [])

    def under(self, folder):
        """The tree's files in folder and below (relative paths)."""
        prefix = folder.rstrip("/") + "/"
        return [f for f in self.files() if f == folder or f.startswith(prefix)]

    def digest(self, rel):
        path = os.path.join(self.base, rel)
        try:
            st = os.stat(path)
        except OSError:
            return "missing"
        known = self._hashes.get(rel)
        if known and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            return known[2]
        h = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        except OSError:
            return "unreadable"
        self._hashes[rel] = (st.st_size, st.st_mtime_ns, h.hexdigest())
        return h.hexdigest()

    def versions(self):
        with self.lock:
            if self._versions is None:
                try:
                    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n"]
                                         + self.packages(), capture_output=True,
                                         timeout=60).stdout.decode()
                except (OSError, subprocess.SubprocessError):
                    out = "dpkg-query unavailable"
                self._versions = out + "python " + sys.version
            return self._versions

    def packages(self):
        """The package names of rv's PACKAGES list, and MORE_PACKAGES."""
        names, inside = set(MORE_PACKAGES), False
        try:
            with open(os.path.join(self.base, "rv"), encoding="utf-8") as f:
                for line in f:
                    if line.startswith("PACKAGES = ["):
                        inside = True
                    elif inside and line.startswith("]"):
                        break
                    elif inside and PACKAGE_LINE.match(line):
                        names.add(PACKAGE_LINE.match(line).group(1))
        except OSError:
            pass
        return sorted(names)

    def relative(self, path):
        """path as a tree-relative name, or None when outside the tree or
        inside the output folder (generated files come from the inputs)."""
        real = os.path.realpath(path)
        if real == self.outroot or real.startswith(self.outroot + os.sep):
            return None
        if not real.startswith(self.base + os.sep):
            return None
        return os.path.relpath(real, self.base)


def ninja_lines(outdir, *tool):
    r = subprocess.run(["ninja", "-C", outdir, "-t"] + list(tool), capture_output=True,
                       timeout=120)
    if r.returncode != 0:
        raise OSError(f"ninja -t {' '.join(tool)} in {outdir}: exit status {r.returncode}")
    return r.stdout.decode("utf-8", "surrogateescape").splitlines()


def build_inputs(tree, outdir):
    """The tree files a QEMU test's build read (relative paths), from its
    build folder; OSError when the build folder cannot say."""
    found = set()
    for line in ninja_lines(outdir, "inputs"):
        found.add(line.strip())
    for line in ninja_lines(outdir, "deps"):
        if line.startswith(" ") and line.strip():
            found.add(line.strip())
    with open(os.path.join(outdir, "build.ninja"), encoding="utf-8",
              errors="surrogateescape") as f:
        for line in f:
            if line.startswith("build build.ninja:") and "RERUN_CMAKE" in line:
                found.update(line.split("|", 1)[-1].split())
    rel = set()
    for p in found:
        r = tree.relative(p if os.path.isabs(p) else os.path.join(outdir, p))
        if r is not None:
            rel.add(r)
    if not rel:
        raise OSError(f"the build in {outdir} names no source file")
    return sorted(rel)


def _scenario_part(test, opts):
    run = {k: getattr(opts, k, None) for k in RUN_OPTIONS}
    return json.dumps({"format": FORMAT, "board": test.board, "name": test.name,
                       "config": test.sc.cfg, "run": run}, sort_keys=True, default=str)


def key(tree, test, opts, inputs=None):
    """The test's key; inputs None: the coarse key over the whole tree."""
    h = hashlib.sha256()
    h.update(_scenario_part(test, opts).encode())
    h.update(tree.versions().encode())
    if inputs is None:
        files = tree.files()
    else:
        extra = set()
        for folder in ALWAYS:
            extra.update(tree.under(folder) if os.path.isdir(os.path.join(tree.base, folder))
                         else [folder])
        for folder in (test.sc.yaml_dir, test.sc.app_dir):
            r = tree.relative(folder)
            if r is not None:
                extra.update(tree.under(r))
        files = sorted(set(inputs) | extra)
        for folder in sorted({os.path.dirname(f) for f in files}):
            h.update(("dir " + folder + "\0" + "\0".join(tree.names_in(folder)) + "\n").encode())
    for f in files:
        h.update(f"{f}\0{tree.digest(f)}\n".encode())
    return h.hexdigest()


def load(outdir):
    """The result.json in outdir, or None."""
    try:
        with open(os.path.join(outdir, RESULT_FILE), encoding="utf-8") as f:
            rec = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(rec, dict) or rec.get("format") != FORMAT or rec.get("status") != "pass":
        return None
    return rec


def save(test, cache_key, inputs):
    rec = {"format": FORMAT, "status": "pass", "key": cache_key, "inputs": inputs,
           "reason": test.reason, "passed_at": time.strftime("%Y-%m-%d %H:%M:%S"),
           "build_time": test.build_time, "run_time": test.run_time,
           "footprint": test.footprint}
    tmp = os.path.join(test.outdir, RESULT_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(rec, f, indent=1)
        f.write("\n")
    os.replace(tmp, os.path.join(test.outdir, RESULT_FILE))


def still_passes(tree, test, opts):
    """The earlier pass recorded in test's folder, when its key still
    holds; else None."""
    rec = load(test.outdir)
    if rec is None:
        return None
    inputs = rec.get("inputs")
    if inputs is not None and not (isinstance(inputs, list)
                                   and all(isinstance(p, str) for p in inputs)):
        return None
    return rec if rec.get("key") == key(tree, test, opts, inputs) else None
