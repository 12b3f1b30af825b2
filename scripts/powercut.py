# SPDX-License-Identifier: Apache-2.0
"""Power cuts for `rv test`: a scenario with a `powercut:` key (doc/testing.md,
"Power cuts") runs here instead of booting once.

    powercut: {cuts: 25, seed: 1}

1. The uncut run: the app's image, served by scripts/nbdcut.py (a disk with a
   write cache), booted with `work W` typed at the program's prompt
   (`pc: mode? `); it must end with `pc: done`. It made M write and flush
   requests. A check boot of its image (`check`) gives the final listing,
   which must keep every promise; e2fsck -fn must find it clean.
2. For each cut i: a fresh copy of the image, the same boot with the power
   cut at request K_i in [1, M] (seeded), QEMU killed (SIGKILL) a moment
   later; the disk keeps what nbdcut.py's model says. Then:
   - a check boot on the cut image (rvOS's file server mounts it and replays
     its journal): every promise the work run logged holds (`pc: fsynced`,
     `pc: rename`, `pc: renamed`; after `pc: synced`, everything equals the
     final listing), no `pc: error`; then `e2fsck -fn` exits 0;
   - a copy of the image as the cut left it: `e2fsck -E journal_only -y`
     (the host replays the journal), `e2fsck -fn` exits 0, and the files
     debugfs dumps keep the same promises.

Every seed comes from the scenario's: the workload's W and each cut's K_i and
torn writes. One line per cut; a failed cut keeps its logs (and, for the
first three, its images) in OUTDIR/BOARD/SCENARIO/powercut/cut-NN/ and says
how to replay it. With `promise: ext2` (no journal) the cut image is first
repaired with e2fsck -fy, then the promises are checked.
"""

import argparse
import concurrent.futures
import errno
import hashlib
import importlib.machinery
import importlib.util
import io
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time

import nbdcut

PROMPT = r"^pc: mode\? $"
DRAIN = 0.3            # seconds the console may go on after the cut
ROOT = "/disk/pc"      # the workload's folder in the guest
IMAGE_ROOT = "/pc"     # the same on the image
CUTS_AT_ONCE = 2       # cuts of a scenario run side by side (with -j 2 or more)
KEEP_IMAGES = 3        # failed cuts of a scenario whose images are kept (24 MiB each)
PRINT_LOCK = threading.Lock()

FILE_RE = re.compile(r"^pc: file (\S+) (\d+) ([0-9a-f]{16})$")
DIR_RE = re.compile(r"^pc: dir (\S+)$")
ERROR_RE = re.compile(r"^pc: (error .*)$")
FSYNCED_RE = re.compile(r"^pc: fsynced (\S+) (\d+) ([0-9a-f]{16})$")
RENAME_RE = re.compile(r"^pc: rename (\S+) old (\d+) ([0-9a-f]{16}) new (\d+) ([0-9a-f]{16})$")
RENAMED_RE = re.compile(r"^pc: renamed (\S+)$")
MOUNT_FAIL_RE = re.compile(r"^fs: /disk: cannot mount .*|^fs: blk0: .*")


def check_config(value):
    """The yaml's `powercut:` mapping: {cuts: N, seed: S}."""
    if not isinstance(value, dict):
        raise ValueError("must be a mapping {cuts: N, seed: S} (see doc/testing.md, Power cuts)")
    extra = set(value) - {"cuts", "seed", "promise"}
    if extra:
        raise ValueError(f"has unknown key '{sorted(extra)[0]}'; allowed: cuts (how many power "
                         f"cuts), seed (the scenario's seed), promise (journal or ext2)")
    if value.get("promise", "journal") not in ("journal", "ext2"):
        raise ValueError(f"promise must be journal (the default: every check) or ext2 (the "
                         f"weaker promise of an image without a journal; got "
                         f"{value['promise']!r})")
    return check_count_and_seed(value, "cuts")


def check_count_and_seed(value, count):
    """A scenario mapping's count key (a whole number >= 1) and seed (>= 0);
    also for random_configs (scripts/randconfig.py)."""
    for key in (count, "seed"):
        v = value.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or v < (1 if key == count else 0):
            raise ValueError(f"{key} must be a whole number {'>= 1' if key == count else '>= 0'}"
                             f" (got {v!r})")
    return dict(value)


RV_MODULE = []
RV_LOCK = threading.Lock()


def load_rv():
    """The `rv` script as a module (for its QEMU command), or None when
    importing it would re-execute this process under another Python (rv
    does that first: rvpython.reexec_with_system_python)."""
    with RV_LOCK:
        if not RV_MODULE:
            RV_MODULE.append(import_rv())
        return RV_MODULE[0]


def import_rv():
    import rvpython
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rv")
    module = None
    try:
        same = (os.environ.get("RV_NO_REEXEC") == "1"
                or not os.path.exists(rvpython.SYSTEM_PYTHON)
                or os.path.samefile(sys.executable, rvpython.SYSTEM_PYTHON))
    except OSError:
        same = False
    if same and os.path.isfile(path):
        loader = importlib.machinery.SourceFileLoader("rv_script", path)
        spec = importlib.util.spec_from_loader("rv_script", loader)
        module = importlib.util.module_from_spec(spec)
        try:
            loader.exec_module(module)
        except Exception:
            module = None
    return module


COPY_BLOCK = 4096
ZERO_BLOCK = bytes(COPY_BLOCK)


def copy_image(src, dst):
    """dst gets src's bytes, its blocks of zeros left as holes (a sparse
    file: what reads see is the same). A built image is 24 MiB, and about
    50 KiB of it is not zeros (a cut's up to 7 MiB): shutil.copyfile wrote
    all 24 MiB, twice per cut."""
    size, blocks = image_blocks(src)
    write_blocks(dst, size, blocks)


def write_blocks(dst, size, blocks):
    """A file of `size` bytes: zeros (holes) but for the (offset, bytes) blocks."""
    with open(dst, "wb") as g:
        for off, block in blocks:
            g.seek(off)
            g.write(block)
        g.truncate(size)


def image_blocks(src):
    """(size, [(offset, bytes)]): src's size and its blocks that are not all
    zeros, merged where they follow each other."""
    blocks = []
    with open(src, "rb") as f:
        fd = f.fileno()
        size = os.fstat(fd).st_size
        pos = 0
        while pos < size:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
                end = os.lseek(fd, start, os.SEEK_HOLE)
            except OSError as e:
                if e.errno == errno.ENXIO:     # only a hole after pos
                    break
                start, end = pos, size         # no SEEK_DATA here: read it all
            f.seek(start)
            while start < end:
                chunk = f.read(min(1 << 20, end - start))
                if not chunk:
                    break
                for off in range(0, len(chunk), COPY_BLOCK):
                    block = chunk[off:off + COPY_BLOCK]
                    if block != ZERO_BLOCK[:len(block)]:
                        at = start + off
                        if blocks and blocks[-1][0] + len(blocks[-1][1]) == at:
                            blocks[-1][1].extend(block)
                        else:
                            blocks.append((at, bytearray(block)))
                start += len(chunk)
            pos = end
    return size, blocks


def derive(seed, what):
    """A 64-bit seed for `what` from the scenario's seed."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{what}".encode()).digest()[:8], "big")


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


class Listing:
    """What a check saw: {path: (size, fnv)} files, a set of folders, errors."""

    def __init__(self):
        self.files = {}
        self.dirs = set()
        self.errors = []
        self.missing = False
        self.done = False


def listing_from_console(lines):
    li = Listing()
    for line in lines:
        m = FILE_RE.match(line)
        if m:
            li.files[m.group(1)] = (int(m.group(2)), m.group(3))
            continue
        m = DIR_RE.match(line)
        if m:
            li.dirs.add(m.group(1))
            continue
        m = ERROR_RE.match(line)
        if m:
            li.errors.append(m.group(1))
            continue
        if line == f"pc: missing {ROOT}":
            li.missing = True
        elif line.startswith("pc: listed "):
            li.done = True
    return li


class FnvCache:
    """FNV-1a 64 of host files, remembered by their SHA-256 (the large files
    are the same in most cuts, and Python's FNV is slow)."""

    def __init__(self):
        self.known = {}

    def of(self, path):
        with open(path, "rb") as f:
            data = f.read()
        key = hashlib.sha256(data).digest()
        if key not in self.known:
            self.known[key] = fnv1a64(data)
        return len(data), self.known[key]


def listing_from_tree(top, wanted, cache):
    """The folder debugfs rdump made (top/pc/...) as a Listing, hashing only the
    files in `wanted` (None: all)."""
    li = Listing()
    base = os.path.join(top, os.path.basename(IMAGE_ROOT))
    if not os.path.isdir(base):
        li.missing = True
        li.done = True
        return li
    for dirpath, dirnames, filenames in os.walk(base):
        guest = ROOT + dirpath[len(base):]
        li.dirs.add(guest)
        for name in filenames:
            path = os.path.join(dirpath, name)
            gpath = f"{guest}/{name}"
            if os.path.islink(path) or not os.path.isfile(path):
                li.errors.append(f"{gpath} is not a file or folder")
                continue
            if wanted is None or gpath in wanted:
                li.files[gpath] = cache.of(path)
            else:
                li.files[gpath] = (os.path.getsize(path), None)
    li.done = True
    return li


class Promises:
    """What the work run's console promised, in order."""

    def __init__(self, lines):
        self.expect = {}          # path -> set of acceptable (size, fnv)
        self.why = {}             # path -> the line that promised it
        self.synced = False
        self.done = False
        self.fail = None
        renames = {}
        for line in lines:
            m = FSYNCED_RE.match(line)
            if m:
                self.expect[m.group(1)] = {(int(m.group(2)), m.group(3))}
                self.why[m.group(1)] = line
                continue
            m = RENAME_RE.match(line)
            if m:
                p = m.group(1)
                old, new = (int(m.group(2)), m.group(3)), (int(m.group(4)), m.group(5))
                self.expect[p] = {old, new}
                self.why[p] = line
                renames[p] = new
                continue
            m = RENAMED_RE.match(line)
            if m and m.group(1) in renames:
                self.expect[m.group(1)] = {renames[m.group(1)]}
                self.why[m.group(1)] = line
                continue
            if line == "pc: synced":
                self.synced = True
            elif line == "pc: done":
                self.done = True
            elif line.startswith("pc: FAIL"):
                self.fail = self.fail or line

    def count(self):
        return len(self.expect)


def judge_listing(li, promises, final, where):
    """None when the listing keeps every promise, else why not."""
    if li.errors:
        return f"{where}: {li.errors[0]}"
    if not li.done:
        return f"{where}: the listing did not end with `pc: listed N`"
    for path, ok in promises.expect.items():
        got = li.files.get(path)
        if got is None:
            return f"{where}: {path} is missing; promised by `{promises.why[path]}`"
        if got[1] is None or got not in ok:
            want = " or ".join(f"{s} bytes fnv {h}" for s, h in sorted(ok))
            return (f"{where}: {path} has {got[0]} bytes fnv {got[1]}, expected {want} "
                    f"(`{promises.why[path]}`)")
    if promises.synced and final is not None:
        if li.missing and (final.files or final.dirs):
            return f"{where}: {ROOT} is missing after `pc: synced`"
        for d in sorted(final.dirs ^ li.dirs):
            state = "missing" if d in final.dirs else "there but removed before the sync"
            return f"{where}: folder {d} is {state} (after `pc: synced` the disk must be final)"
        for path in sorted(set(final.files) | set(li.files)):
            a, b = final.files.get(path), li.files.get(path)
            if a is None or b is None or a[0] != b[0] or (b[1] is not None and a[1] != b[1]):
                return (f"{where}: {path} is {b or 'missing'}, expected {a or 'no such file'} "
                        f"(after `pc: synced` the disk must be final)")
    return None


class ScenarioRun:
    """One powercut scenario for one board (run() fills in the test)."""

    def __init__(self, test, opts, tr):
        self.test = test
        self.opts = opts
        self.tr = tr
        self.cfg = test.sc.cfg
        pc = self.cfg["powercut"]
        self.cuts = pc["cuts"]
        self.promise = pc.get("promise", "journal")
        self.seed = opts.powercut_seed if opts.powercut_seed is not None else pc["seed"]
        self.work_seed = derive(self.seed, "work") & 0xFFFFFFFF
        self.timeout = self.cfg.get("timeout", tr.DEFAULT_TIMEOUT) * opts.timeout_multiplier
        self.dir = os.path.join(test.outdir, "powercut")
        self.base = os.path.join(self.dir, "base.img")
        self.summary = os.path.join(test.outdir, "powercut.log")
        self.cache = FnvCache()
        self.boots = 0.0
        self.lock = threading.Lock()
        self.qemu_reports = True
        self.name = test.name

    # ------------------------------------------------------------ output

    def say(self, text, console=True):
        with open(self.summary, "a", encoding="utf-8") as f:
            f.write(text + "\n")
        if console:
            with PRINT_LOCK:
                print(text, flush=True)

    def replay_hint(self, i, k):
        yaml_dir = self.tr.rel(self.test.sc.yaml_path)
        return (f"./rv test -T {yaml_dir} -s {self.name} -p {self.test.board} "
                f"--powercut-seed {self.seed} --powercut-cut {i}:{k}")

    # ------------------------------------------------------------ boots

    def boot(self, log, mode, image=None, server=None):
        """Boot the build on `image` (a file) or through `server` (NBD), type
        `mode` at the prompt; returns the RunResult. QEMU runs without `rv
        flash` around it when rv's own code gives its command (the same
        command; the exit status by rv flash's rule): a Python start less."""
        qemu = self.qemu_command(image, server)
        if qemu is None:
            cmd = self.opts.rv + ["flash", "-d", self.test.outdir]
            if server is not None:
                cmd += ["--disk-nbd", server.socket_path]
            else:
                cmd += ["--disk", image]
        else:
            cmd = qemu
        steps = [(re.compile(PROMPT), mode + "\r")]
        stop = server.cut if server is not None and server.cut_at else None
        run = self.tr.run_logged(cmd, log, self.timeout, cwd=self.tr.RV_BASE, watch_panic=True,
                                 input_steps=steps, stop_event=stop, stop_grace=DRAIN)
        if qemu is not None:
            self.flash_status(run, log)
        with self.lock:
            self.boots += run.duration
        return run

    def qemu_command(self, image, server):
        """rv flash's QEMU command for this build and disk (rv's qemu_command),
        or None (then the boot runs `rv flash`, which says what is wrong)."""
        rv = load_rv()
        if rv is None:
            return None
        disk = argparse.Namespace(disk=image, disk_nbd=server.socket_path if server else None,
                                  no_disk=False, disk_readonly=False, disk_cache=None,
                                  no_rng=False)
        try:
            cmd = rv.qemu_command(os.path.abspath(self.test.outdir), disk_opts=disk)
            board = rv.read_board_cmake(rv.read_cache(self.test.outdir)["BOARD"])
        except Exception:  # rv flash reports it
            return None
        self.qemu_reports = board.get("QEMU_EXIT_STATUS") != "console"
        return cmd

    def flash_status(self, run, log):
        """The exit status rv flash would have given (rv's console_status);
        a QEMU killed here keeps its negative status, as rv flash, killed
        the same way, did."""
        if run.returncode is None or run.returncode < 0 and (
                run.stopped or run.timed_out or run.killed_after_panic):
            return
        status = None
        for line in run.lines:
            for m in load_rv().POWEROFF_LINE.finditer(line.encode()):
                status = int(m.group(1))
        # (rv flash passed QEMU's status on as its own: a signal's is 128+)
        run.returncode, note = load_rv().console_status(run.returncode & 0xFF, status,
                                                         self.qemu_reports)
        if note:
            with open(log, "a", encoding="utf-8") as f:
                f.write(note + "\n")

    def judge_boot(self, run, what, need_exit=True):
        """None, or why a boot failed (timeout, panic, exit status, mount)."""
        panic = next((ln for ln in run.lines if self.tr.PANIC_RE.search(ln)), None)
        if panic:
            return f"{what}: panic: {panic.strip()}"
        mount = next((ln for ln in run.lines if MOUNT_FAIL_RE.match(ln)), None)
        if mount:
            return f"{what}: rvOS did not mount the image: {mount.strip()}"
        if run.timed_out:
            return f"{what}: timeout after {self.timeout:g}s"
        if need_exit and run.returncode != 0:
            fail = next((ln for ln in run.lines if ln.startswith("pc: FAIL")), None)
            return f"{what}: exit status {run.returncode}" + (f": {fail}" if fail else "")
        return None

    def check_run(self, image, log, what):
        """Boot `check` on image; returns (why the boot failed or None, Listing)."""
        run = self.boot(log, "check", image=image)
        why = self.judge_boot(run, what)
        if why:
            return why, None
        return None, listing_from_console(run.lines)

    def check_boot(self, image, log, promises, final, what):
        """Boot `check` on image; returns (Listing or None, why or None)."""
        why, li = self.check_run(image, log, what)
        if why:
            return None, why
        return li, judge_listing(li, promises, final, what)

    def fsck(self, image, log, what):
        rc, out, err = self.tr.run_disk_tool([self.tr.disk_tool("e2fsck"), "-fn", image], log)
        if rc != 0:
            # stdout first: its complaint says more than stderr's "e2fsck: aborted".
            text = out.decode("utf-8", errors="replace") + "\n" + err
            return (f"{what}: e2fsck -fn exit status {rc}: "
                    f"{self.tr.e2fsck_complaint(text)}")
        return None

    def host_dump(self, image, cdir, log, replay=True):
        """e2fsck replays the journal on the copy, then e2fsck -fn (replay=False:
        neither); debugfs writes the files out to cdir/host-tree. None, or why
        not; host_judge() then checks the promises on the files."""
        where = "host replay" if replay else "after e2fsck -fy"
        if replay:
            e2fsck = self.tr.disk_tool("e2fsck")
            rc, out, err = self.tr.run_disk_tool([e2fsck, "-E", "journal_only", "-y", image],
                                                 log)
            if rc not in (0, 1):
                text = out.decode("utf-8", errors="replace") + "\n" + err
                return (f"host replay: e2fsck -E journal_only -y exit status {rc}: "
                        f"{self.tr.e2fsck_complaint(text)}")
            why = self.fsck(image, log, "host replay")
            if why:
                return why
        tree = os.path.join(cdir, "host-tree")
        if os.path.isdir(tree):
            shutil.rmtree(tree)
        os.makedirs(tree)
        _, _, err = self.tr.run_disk_tool([self.tr.disk_tool("debugfs"), "-R",
                                           f"rdump {IMAGE_ROOT} {tree}", image], log)
        complaints = self.tr.tool_complaints(err)
        if complaints and not any("File not found by ext2_lookup" in c for c in complaints):
            return f"{where}: debugfs rdump: {complaints[0]}"
        return None

    def host_judge(self, cdir, promises, final, replay=True):
        """The promises on the files host_dump() wrote out."""
        where = "host replay" if replay else "after e2fsck -fy"
        tree = os.path.join(cdir, "host-tree")
        wanted = set(promises.expect)
        if promises.synced:
            wanted = None
        li = listing_from_tree(tree, wanted, self.cache)
        why = judge_listing(li, promises, final, where)
        shutil.rmtree(tree, ignore_errors=True)
        return why

    # ------------------------------------------------------------ the scenario

    def run(self, only=None):
        """Returns (passed, reason, tail_from)."""
        tr = self.tr
        image = os.path.join(self.test.outdir, tr.DISK_IMAGE)
        if not os.path.isfile(image):
            return False, ("powercut: the build made no disk.img (the app's CMakeLists.txt needs "
                           "rvos_disk_image())"), None
        os.makedirs(self.dir, exist_ok=True)
        self.base_image = image_blocks(image)     # every cut starts from a copy
        write_blocks(self.base, *self.base_image)
        sockdir = tempfile.mkdtemp(prefix="rvos-pc-")
        try:
            return self._run(only, sockdir)
        finally:
            shutil.rmtree(sockdir, ignore_errors=True)

    def _run(self, only, sockdir):
        sock = os.path.join(sockdir, "disk.sock")
        self.say(f"powercut: {self.name}: seed {self.seed} (workload seed {self.work_seed}), "
                 f"{self.cuts} cuts")
        # 1. The uncut run, and its final listing.
        udir = os.path.join(self.dir, "uncut")
        os.makedirs(udir, exist_ok=True)
        uimg = os.path.join(udir, "disk.img")
        write_blocks(uimg, *self.base_image)
        self.test.console_log = os.path.join(udir, "work.log")
        srv = nbdcut.NbdCutServer(uimg, sock).start()
        run = self.boot(self.test.console_log, f"work {self.work_seed}", server=srv)
        srv.finish()
        why = self.judge_boot(run, "uncut run") or (
            f"uncut run: {srv.error}" if srv.error else None)
        promises = Promises(run.lines)
        if not why and not promises.done:
            why = "uncut run: the workload never printed `pc: done`"
        if why:
            return False, why, None
        total, trace = srv.requests, list(srv.trace)
        if total == 0 or srv.flushes == 0:
            return False, (f"uncut run: the disk saw {total} writes and flushes "
                           f"({srv.flushes} flushes): the guest's flushes do not reach the "
                           f"NBD server (cache mode?)"), None
        disk_log = os.path.join(udir, "disk.log")
        with open(disk_log, "ab") as dlog:
            final, why = self.check_boot(uimg, os.path.join(udir, "check.log"), promises, None,
                                         "uncut check")
            if not why:
                why = self.fsck(uimg, dlog, "uncut run")
        if why:
            return False, why, os.path.join(udir, "check.log")
        self.say(f"powercut: {self.name}: the uncut run made {total} write and flush requests "
                 f"({srv.flushes} flushes), promised {promises.count()} files, ends with "
                 f"{len(final.files)} files in {len(final.dirs)} folders")
        # 2. The cuts.
        rng = random.Random(derive(self.seed, "cuts"))
        plan = [(i, 1 + rng.randrange(total)) for i in range(1, self.cuts + 1)]
        if only is not None:
            i, k = only
            if i > self.cuts:
                return False, (f"--powercut-cut {i}: this scenario has {self.cuts} cuts"), None
            plan = [(i, k if k is not None else plan[i - 1][1])]
        failed = []
        # Cuts share nothing but the read-only base image: with -j 2 or more,
        # CUTS_AT_ONCE run side by side (each its own disk, socket and
        # folder); their lines come in order.
        depth = CUTS_AT_ONCE if getattr(self.opts, "jobs", 1) > 1 else 1
        with concurrent.futures.ThreadPoolExecutor(max_workers=depth) as pool:
            runs = [pool.submit(self.cut, i, k, total, trace,
                                os.path.join(sockdir, f"disk-{i}.sock"), promises, final)
                    for i, k in plan]
            try:
                for (i, k), run in zip(plan, runs):
                    self.report_cut(i, k, run.result(), total, failed)
            except BaseException:
                for run in runs:
                    run.cancel()
                raise
        self.test.console_log = self.summary
        os.remove(self.base)
        if failed:
            i, k, why = failed[0]
            return False, (f"{len(failed)} of {len(plan)} power cuts failed (seed {self.seed}); "
                           f"first, cut {i} at request {k}: {why}; replay: "
                           f"{self.replay_hint(i, k)}"), self.summary
        return True, f"{len(plan)} power cuts, seed {self.seed}", None

    def report_cut(self, i, k, why, total, failed):
        line = (f"powercut: {self.name}: cut {i}/{self.cuts} seed {self.seed}: request {k} "
                f"of {total}: ")
        if why:
            failed.append((i, k, why))
            if len(failed) > KEEP_IMAGES:
                self.drop_images(i)
            self.say(line + "FAIL: " + why)
            self.say(f"    replay: {self.replay_hint(i, k)}")
        else:
            self.say(line + "ok")

    def cut(self, i, k, total, trace, sock, promises, final):
        """One power cut; None when every check passed, else why not.

        The server applies the model at the cut, so the image is as the
        power left it while QEMU still runs for DRAIN seconds (its console
        may yet print promises). The checks, which need the image and not
        the promises, start at the cut, beside the drain; their listings are
        judged once the work run's lines are all in, as if they had run
        after it. A cut whose work run fails keeps no trace of them."""
        cdir = os.path.join(self.dir, f"cut-{i:02d}")
        if os.path.isdir(cdir):
            shutil.rmtree(cdir)
        os.makedirs(cdir)
        img = os.path.join(cdir, "disk.img")
        host = os.path.join(cdir, "host.img")
        write_blocks(img, *self.base_image)
        notes = []
        wake = threading.Event()
        srv = nbdcut.NbdCutServer(img, sock, cut_at=k, seed=derive(self.seed, f"cut{i}"),
                                  on_cut=wake.set).start()
        work_run = Background(wake, self.boot, os.path.join(cdir, "work.log"),
                              f"work {self.work_seed}", server=srv)
        wake.wait()
        checks = None
        if srv.cut.is_set() and not srv.error:
            collect = self.ext2_collect if self.promise == "ext2" else self.journal_collect
            checks = Background(None, collect, img, host, cdir)
        try:
            run = work_run.get()
        finally:
            stats = srv.finish()
            if checks is not None:
                checks.join()
        why = None
        if not srv.cut.is_set() and run.timed_out:
            why = (f"work run: timeout after {self.timeout:g}s after {srv.requests} write and "
                   f"flush requests, before request {k}")
        elif not srv.cut.is_set():
            why = (f"the run ended after {srv.requests} write and flush requests, before request "
                   f"{k} (the uncut run made {total}): the workload is not the same in every run")
        elif srv.error:
            why = f"NBD server: {srv.error}"
        else:
            pre = self.judge_boot(run, "work run", need_exit=False)
            if pre and "panic" in pre:
                why = pre
        diverged = next((j for j, (a, b) in enumerate(zip(trace, srv.trace)) if a != b), None)
        if diverged is not None:
            notes.append(f"the requests differed from the uncut run's from request {diverged + 1}")
        if stats:
            notes.append(f"unpromised writes: {stats['kept']} kept, {stats['lost']} lost, "
                         f"{stats['torn']} torn")
        # A line the kill cut short promises nothing.
        work = Promises(run.lines[:-1] if run.last_partial else run.lines)
        if not why and work.fail:
            why = f"work run: {work.fail}"
        # The run's own promises: a prefix of the uncut run's.
        with open(os.path.join(cdir, "cut.txt"), "w", encoding="utf-8") as f:
            f.write(f"seed {self.seed} cut {i} request {k} of {total}\n" +
                    "".join(n + "\n" for n in notes) +
                    f"promises: {work.count()} files, synced: {work.synced}\n")
        if why:
            if checks is not None:
                for name in ("host.img", "check.log", "disk.log", "host-tree"):
                    p = os.path.join(cdir, name)
                    if os.path.isdir(p):
                        shutil.rmtree(p, ignore_errors=True)
                    elif os.path.exists(p):
                        os.remove(p)
            return why
        got = checks.get()
        if self.promise == "ext2":
            why = self.ext2_judge(got, cdir, work, final)
        else:
            # Every check ran, so a failure says all that is wrong: rvOS's mount
            # (and replay) and e2fsck after it; e2fsck's own replay of the copy.
            boot_why, li, fsck_why, host_why = got
            whys = [boot_why or judge_listing(li, work, final, "after rvOS's replay"),
                    fsck_why,
                    host_why or self.host_judge(cdir, work, final)]
            why = "; ".join(w for w in whys if w) or None
        if why:
            return why
        self.drop_images(i)
        return None

    def journal_collect(self, img, host, cdir):
        """The checks of a cut image with a journal, up to their verdicts: a
        copy for the host (host.img); rvOS's check boot on disk.img and then
        e2fsck -fn, beside e2fsck's replay of the copy and debugfs's dump.
        Returns (check boot's why, its Listing, e2fsck's why, host's why)."""
        copy_image(img, host)
        host_log = io.BytesIO()      # disk.log: the host's part after the check's
        dump = Background(None, self.host_dump, host, cdir, host_log)
        try:
            boot_why, li = self.check_run(img, os.path.join(cdir, "check.log"),
                                          "after rvOS's replay")
            with open(os.path.join(cdir, "disk.log"), "ab") as dlog:
                fsck_why = self.fsck(img, dlog, "after rvOS's replay")
                dump.join()
                dlog.write(host_log.getvalue())
        finally:
            dump.join()
        return boot_why, li, fsck_why, dump.get()

    def drop_images(self, i):
        cdir = os.path.join(self.dir, f"cut-{i:02d}")
        for name in ("disk.img", "host.img"):
            p = os.path.join(cdir, name)
            if os.path.exists(p):
                os.remove(p)

    def ext2_collect(self, img, host, cdir):
        """The weaker promise of an image without a journal, up to the
        verdicts: e2fsck -fy repairs a copy of what the cut left (disk.img
        stays as it was), e2fsck -fn, debugfs's dump, then a check boot of
        the repaired copy. Returns (why, None) when a repair step failed, else
        (the dump's why, (the boot's why, its Listing))."""
        copy_image(img, host)
        with open(os.path.join(cdir, "disk.log"), "ab") as dlog:
            rc, out, err = self.tr.run_disk_tool([self.tr.disk_tool("e2fsck"), "-fy", host],
                                                 dlog)
            if rc not in (0, 1, 2):
                text = out.decode("utf-8", errors="replace") + "\n" + err
                return (f"e2fsck -fy could not repair the image (exit status {rc}): "
                        f"{self.tr.e2fsck_complaint(text)}"), None
            why = self.fsck(host, dlog, "after e2fsck -fy")
            if why:
                return why, None
            dump_why = self.host_dump(host, cdir, dlog, replay=False)
        return dump_why, self.check_run(host, os.path.join(cdir, "check.log"),
                                        "rvOS on the repaired image")

    def ext2_judge(self, got, cdir, work, final):
        dump_why, boot = got
        if boot is None:
            return dump_why
        boot_why, li = boot
        whys = [dump_why or self.host_judge(cdir, work, final, replay=False),
                boot_why or judge_listing(li, work, final, "rvOS on the repaired image")]
        return "; ".join(w for w in whys if w) or None


class Background(threading.Thread):
    """fn(*args, **kwargs) in a thread; get() joins it and returns its value
    (or raises its exception); `done` (an Event, or None) is set at its end."""

    def __init__(self, done, fn, *args, **kwargs):
        super().__init__(daemon=True)
        self.done = done
        self.call = (fn, args, kwargs)
        self.value = None
        self.exc = None
        self.start()

    def run(self):
        fn, args, kwargs = self.call
        try:
            self.value = fn(*args, **kwargs)
        except BaseException as e:  # noqa: B902 -- handed to get()
            self.exc = e
        finally:
            if self.done is not None:
                self.done.set()

    def get(self):
        self.join()
        if self.exc is not None:
            raise self.exc
        return self.value


def run(test, opts, tr):
    """Run test's powercut scenario; fills in the test's status through record()."""
    start = time.monotonic()
    sr = ScenarioRun(test, opts, tr)
    only = getattr(opts, "powercut_cut", None)
    try:
        passed, reason, tail = sr.run(only)
    finally:
        test.run_time = time.monotonic() - start
    return passed, reason, tail
