# SPDX-License-Identifier: Apache-2.0
"""Random valid configurations for `rv test`: a scenario with a
`random_configs:` key (doc/testing.md, "Random configurations") builds and
boots N of them instead of its own configuration.

    random_configs: {count: 3, seed: 1}

Each configuration has a seed of its own, drawn from the scenario's. From
the app's configuration (board defconfig, prj.conf, boards/<board>.conf),
in menu order, each visible int, hex or bool option with a prompt (not the
test hooks of tests/Kconfig) is changed with probability CHANGE: a bool to y
or n, a number to a bound of its range, a value near the current one, or
one drawn log-uniformly from the range. Dependencies hold because options
are set in menu order and an assignment that did not take is dropped. The
rules of the merge (scripts/kconfig_checks.py) then judge it; one they
refuse is drawn again (not counted). The result, a fragment of the
options changed, is built with `rv build` (as EXTRA_CONF_FILE) and booted
with the scenario's harness: it must build and boot, or be refused by the
build's own checks (the rules of the programs the app builds, the image
checks after the link: counted as refused, not failed). A build that fails
any other way, or a boot that fails the harness, fails the scenario and
says how to replay the one configuration:

    ./rv test -T tests/build/random -s random.hello -p qemu_virt_riscv64 --random-config C

By hand: --random-count N runs N configurations (50 of hello and 20 of the
shell for a deeper search), --random-seed S another sequence.
"""

import hashlib
import math
import os
import random
import re
import shutil
import sys
import threading
import time

import powercut

CHANGE = 0.3          # probability that an option is changed
MAX_DRAWS = 2000      # configurations drawn (refused by the rules) per one kept:
                      # the shell keeps about 1 draw in 100 (its rules and
                      # init's, CONFIG_SCHED_PRIORITIES=y among them); with
                      # 200, 2 of 34 shell configurations ran out
TRIES_MIN = 10        # configurations built (refused by the build) at the least
PAGE = 4096
TEST_HOOKS_MENU = "Test hooks"   # tests/Kconfig's menu: never drawn
PAGE_KEPT = 0.9       # probability that a number now a multiple of PAGE stays one
PRINT_LOCK = threading.Lock()
GENERATOR_LOCK = threading.Lock()
# A build that stops at one of the build's own checks refused the
# configuration: the rules of a program (cmake/user.cmake), the image
# checks after the link (scripts/imagecheck.py), the merge.
REFUSED_RE = re.compile(r"^error: (Kconfig: |program \S+ has |rvos\.elf: the kernel image)", re.M)


def check_config(value):
    """The yaml's `random_configs:` mapping: {count: N, seed: S}."""
    if not isinstance(value, dict):
        raise ValueError("must be a mapping {count: N, seed: S} (see doc/testing.md)")
    extra = set(value) - {"count", "seed"}
    if extra:
        raise ValueError(f"has unknown key '{sorted(extra)[0]}'; allowed: count (how many "
                         f"configurations), seed (the scenario's seed)")
    return powercut.check_count_and_seed(value, "count")


def derive(seed, i):
    """The seed of configuration i (from 1) of the scenario's seed."""
    return int.from_bytes(hashlib.sha256(f"{seed}:config:{i}".encode()).digest()[:4], "big")


# ---------------------------------------------------------------- drawing

def in_test_hooks(node):
    """True for an option of the test hooks' menu (tests/Kconfig)."""
    while node is not None:
        if node.prompt and node.prompt[0].startswith(TEST_HOOKS_MENU):
            return True
        node = node.parent
    return False


class Generator:
    """Draws configurations of one app for one board, with Kconfiglib."""

    def __init__(self, rv_base, app_dir, board, board_dir, programs):
        sys.path.insert(0, os.path.join(rv_base, "scripts"))
        import kconfig          # noqa: E402 (scripts/kconfig.py: the merge's own checks)
        import kconfig_checks   # noqa: E402
        self.kconfig = kconfig
        self.checks = kconfig_checks
        self.kconfiglib = kconfig.kconfiglib
        os.environ.update(srctree=rv_base, BOARD=board, APP_DIR=app_dir)
        self.kconf = kconfig.load_kconfig(os.path.join(rv_base, "Kconfig"))
        self.kconf.warn = False
        self.fragments = [os.path.join(board_dir, f"{board}_defconfig")]
        for f in (os.path.join(app_dir, "prj.conf"),
                  os.path.join(app_dir, "boards", f"{board}.conf")):
            if os.path.exists(f):
                self.fragments.append(f)
        self.programs = set(programs)
        self.rules = []
        for path in self.kconf.kconfig_filenames:
            full = path if os.path.isabs(path) else os.path.join(rv_base, path)
            self.rules += kconfig_checks.read_rules(full,
                                                    kconfig_checks.shown_path(path, rv_base))

    def load_app(self):
        replace = True
        for f in self.fragments:
            self.kconf.load_config(f, replace=replace)
            replace = False

    def pick(self, sym, rng):
        k = self.kconfiglib
        if sym.orig_type == k.BOOL:
            return rng.choice(("y", "n"))
        rng_range = next(((lo, hi) for lo, hi, cond in sym.ranges
                          if k.expr_value(cond)), None)
        if rng_range is None:
            return None
        base = 16 if sym.orig_type == k.HEX else 10
        low, high = int(rng_range[0].str_value, base), int(rng_range[1].str_value, base)
        cur = int(sym.str_value, base) if sym.str_value else low
        r = rng.random()
        if base == 16:
            # Addresses: the bounds, the current one, or a few MiB above the low bound.
            v = rng.choice((low, cur, low + rng.randrange(64) * 0x100000))
        elif r < 0.15:
            v = low
        elif r < 0.25:
            v = high
        elif r < 0.6:
            v = cur * 2 ** rng.randint(-3, 3) + rng.choice((0, 0, -1, 1))
        else:
            v = int(math.exp(rng.uniform(math.log(max(low, 1)), math.log(max(high, 1)))))
        if base == 10 and cur >= PAGE and cur % PAGE == 0 and rng.random() < PAGE_KEPT:
            # Sizes in whole pages (stacks, heap steps, guards): mostly
            # keep them so, or most draws break a rule and are drawn again.
            v = max(v // PAGE * PAGE, -(-low // PAGE) * PAGE)
        v = min(max(v, low), high)
        return hex(v) if base == 16 else str(v)

    def draw(self, seed):
        """(fragment lines, None) or (None, why the rules refused it)."""
        k = self.kconfiglib
        rng = random.Random(seed)
        self.load_app()
        asked = {}
        for node in self.kconf.node_iter():
            sym = node.item
            if not isinstance(sym, k.Symbol) or not node.prompt or sym.choice is not None \
                    or sym.name.startswith("TEST_") or in_test_hooks(node) or sym.name in asked \
                    or sym.orig_type not in (k.BOOL, k.INT, k.HEX) or not sym.visibility:
                continue
            if rng.random() >= CHANGE:
                continue
            value = self.pick(sym, rng)
            if value is not None and sym.set_value(value):
                asked[sym.name] = value
        lines = []
        for name, value in asked.items():
            sym = self.kconf.syms[name]
            got = sym.str_value
            if sym.orig_type == k.HEX and got:
                got = hex(int(got, 16))
            if not sym.visibility or got != value:
                continue        # a later choice turned it off or changed its range
            lines.append(f"# CONFIG_{name} is not set" if value == "n" else f"CONFIG_{name}={value}")
        try:
            failed = self.checks.check(self.rules,
                                       lambda n: self.kconfig.symbol_value(self.kconf, n),
                                       lambda n: self.kconfig.shown_value(self.kconf, n))
        except self.checks.RuleError as e:
            return None, str(e)
        refused = [line for rule, line in failed
                   if rule.program is None or rule.program in self.programs]
        if refused:
            return None, refused[0]
        return lines, None


# ---------------------------------------------------------------- the scenario

class ScenarioRun:
    def __init__(self, test, opts, tr):
        self.test, self.opts, self.tr = test, opts, tr
        self.cfg = test.sc.cfg
        rc = self.cfg["random_configs"]
        self.seed = opts.random_seed if opts.random_seed is not None else rc["seed"]
        self.count = opts.random_count or rc["count"]
        self.only = opts.random_config
        self.timeout = self.cfg.get("timeout", tr.DEFAULT_TIMEOUT) * opts.timeout_multiplier
        self.summary = os.path.join(test.outdir, "random.log")
        self.app = tr.rel(test.sc.app_dir)
        self.build_time = self.run_time = 0.0

    def say(self, text):
        with open(self.summary, "a", encoding="utf-8") as f:
            f.write(text + "\n")
        with PRINT_LOCK:
            print(text, flush=True)

    def replay(self, cseed):
        return (f"./rv test -T {self.tr.rel(self.test.sc.yaml_path)} -s {self.test.name} "
                f"-p {self.test.board} --random-config {cseed}")

    def programs(self):
        """The programs the app builds, from a configure of its own
        configuration (cmake/user.cmake writes kconfig/programs.txt)."""
        d = os.path.join(self.test.outdir, "app")
        log = os.path.join(self.test.outdir, "app.log")
        cmd = self.opts.rv + ["build", "-b", self.test.board, "-d", d, self.test.sc.app_dir,
                              "--configure-only"]
        run = self.tr.run_logged(cmd, log, self.opts.build_timeout, cwd=self.tr.RV_BASE)
        self.build_time += run.duration
        path = os.path.join(d, "kconfig", "programs.txt")
        if run.returncode != 0 or not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as f:
            return f.read().split()

    def one(self, i, cseed, gen):
        """Draw, build and boot configuration i; (status, text) with status
        'ok', 'refused' or 'fail'."""
        draws = 0
        lines, why = None, None
        while lines is None:
            draws += 1
            if draws > MAX_DRAWS:
                return "fail", (f"{MAX_DRAWS} configurations drawn from seed {cseed}, all refused "
                                f"by the rules (the last: {why}): too few valid ones to test")
            lines, why = gen.draw(cseed if draws == 1 else derive(cseed, draws))
        used_seed = cseed if draws == 1 else derive(cseed, draws)
        d = os.path.join(self.test.outdir, f"config-{i:02d}")
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        frag = os.path.join(d, "random.conf")
        with open(frag, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        extra = [os.path.join(self.test.sc.yaml_dir, f)
                 for f in self.cfg.get("extra_conf_files", [])] + [frag]
        build_log = os.path.join(d, "build.log")
        cmd = self.opts.rv + ["build", "-b", self.test.board, "-d", d, self.test.sc.app_dir,
                              "--", self.tr.NO_FIXDEP, self.tr.NO_DEBUG_INFO,
                              "-DEXTRA_CONF_FILE=" + ";".join(extra)]
        with open(build_log, "wb") as f:
            f.write(("$ " + " ".join(cmd) + "\n").encode())
        build = self.tr.run_logged(cmd, build_log, self.opts.build_timeout, cwd=self.tr.RV_BASE)
        self.build_time += build.duration
        what = f"{len(lines)} options changed" + (f", drawn {draws} times" if draws > 1 else "")
        if build.timed_out:
            return "fail", f"{what}: build timeout ({build_log})"
        if build.returncode != 0:
            text = "\n".join(build.lines)
            m = REFUSED_RE.search(text)
            if m:
                line = next(ln for ln in build.lines if REFUSED_RE.match(ln))
                shutil.rmtree(os.path.join(d), ignore_errors=True)
                return "refused", f"{what}: refused by the build: {line}"
            err = next((ln for ln in build.lines if "error" in ln.lower()), "see the log")
            return "fail", f"{what}: build failed: {err.strip()} ({build_log})"
        console = os.path.join(d, "console.log")
        hc = self.cfg.get("harness_config") or {}
        cmd = self.opts.rv + ["flash", "-d", d]
        run = self.tr.run_logged(cmd, console, self.timeout, cwd=self.tr.RV_BASE,
                                 watch_panic=True, input_steps=hc.get("input", ()))
        self.run_time += run.duration
        passed, reason = self.tr.judge_run(self.cfg, run, self.timeout)
        if not passed:
            return "fail", f"{what}: boot failed: {reason} ({console})"
        shutil.rmtree(d, ignore_errors=True)     # 10 to 60 MB a build
        return "ok", f"{what}: built and booted"

    def run(self):
        programs = self.programs()
        if programs is None:
            return False, f"the app's own configuration does not configure ({self.app})", None
        with GENERATOR_LOCK:    # Kconfiglib reads BOARD and APP_DIR from the environment
            gen = Generator(self.tr.RV_BASE, self.test.sc.app_dir, self.test.board,
                            os.path.dirname(self.tr.find_boards()[self.test.board]), programs)
        # Configurations the build refuses do not count: up to 3 x count
        # tried, and at least TRIES_MIN (the shell's draws are often refused
        # by the image checks: with one wanted, three tries all were).
        if self.only is not None:
            want, seeds = 1, [self.only]
        else:
            tries = max(TRIES_MIN, 3 * self.count)
            want, seeds = self.count, [derive(self.seed, i) for i in range(1, tries + 1)]
        head = (f"configuration seed {self.only}" if self.only is not None else
                f"seed {self.seed}, {want} configurations")
        self.say(f"random: {self.test.name}: {head} of {self.app} for {self.test.board}")
        counts = {"ok": 0, "refused": 0, "fail": 0}
        first_fail = None
        for i, cseed in enumerate(seeds, 1):
            if counts["ok"] + counts["fail"] >= want:
                break
            status, text = self.one(i, cseed, gen)
            counts[status] += 1
            self.say(f"random: {self.test.name} on {self.test.board}: config {i} seed {cseed}: "
                     f"{status.upper() if status == 'fail' else status}: {text}")
            if status == "fail":
                frag = os.path.join(self.test.outdir, f"config-{i:02d}", "random.conf")
                self.say(f"    replay: {self.replay(cseed)}   (options: {frag})")
                if first_fail is None:
                    first_fail = (cseed, text)
        summary = (f"{counts['ok']} built and booted, {counts['refused']} refused by the build, "
                   f"{counts['fail']} failed")
        if first_fail:
            return False, f"{summary}; the first: seed {first_fail[0]}: {first_fail[1]}", \
                self.summary
        if counts["ok"] == 0:
            return False, f"{summary}: none booted", self.summary
        return True, summary, None


def run(test, opts, tr):
    """Run test's random_configs scenario: (passed, reason, the log to show)."""
    sr = ScenarioRun(test, opts, tr)
    start = time.monotonic()
    try:
        return sr.run()
    finally:
        test.build_time = sr.build_time
        test.run_time = time.monotonic() - start - sr.build_time
