#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Read rvOS's kernel trace ring and write it as a Perfetto (Chrome
trace-event) JSON file, a text timeline and a PNG (doc/tracing.md).

Where the records come from, one of:
  --console LOG      the lines of the shell's `trace dump` in a console log
  --gdb HOST:PORT    a running or halted QEMU's gdb server (`rv flash --gdb`,
                     `rv debug`): gdb-multiarch dumps the ring's physical
                     memory (QEMU's `pmemsave`) at the address of the kernel
                     symbol trace_ring in --elf; the guest does nothing
  --raw FILE         such a dump, saved before (--save-raw)

--check judges the trace (the test user.tracing.shell): the JSON parses,
every message sent has its receive (same channel end and number) no
earlier, the hart runs one process at a time and every record made by the
running process names it, user spans nest, nothing was lost. Exit status 1
with one line per problem.
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

# include/rvos/trace.h
SWITCH, SYS_ENTER, SYS_EXIT, IPC_SEND, IPC_RECV, WAKE, IRQ, FAULT, PROC, EXIT, USER = range(1, 12)
TYPE_NAMES = {SWITCH: "switch", SYS_ENTER: "syscall", SYS_EXIT: "return", IPC_SEND: "send",
              IPC_RECV: "recv", WAKE: "wake", IRQ: "irq", FAULT: "fault", PROC: "proc",
              EXIT: "exit", USER: "user"}
PATHS = {0: "queued", 1: "direct", 2: "fast call", 3: "port reply"}
BLOCK = {0: "", 1: "sleep", 2: "wait child", 3: "receive", 4: "signals"}
STATES = {1: "ready", 2: "blocked", 3: "exited"}
USER_OPS = {0: "mark", 1: "begin", 2: "end"}
SYS_CHANNEL_CALL, SYS_PORT_WAIT = 16, 38
# struct trace_ring's header (kernel/include/kernel/trace.h)
RING_HEADER = struct.Struct("<IIIIQQQII")
RING_MAGIC = 0x52545652
EVENT = struct.Struct("<QBBHiQQ")


class TraceError(Exception):
    pass


class Event:
    __slots__ = ("time", "type", "flags", "arg16", "pid", "a", "b", "index")

    def __init__(self, index, time, typ, flags, arg16, pid, a, b):
        self.index, self.time, self.type, self.flags = index, time, typ, flags
        self.arg16, self.pid, self.a, self.b = arg16, pid, a, b


class Trace:
    def __init__(self, events, hz, lost, capacity):
        self.events, self.hz, self.lost, self.capacity = events, hz or 1, lost, capacity

    def us(self, ticks):
        return ticks * 1e6 / self.hz


def syscall_names():
    names = {}
    try:
        with open(os.path.join(ROOT, "include", "rvos", "syscall.h"), encoding="utf-8") as f:
            for m in re.finditer(r"RV_SYS_([A-Z_0-9]+) = (\d+)", f.read()):
                names[int(m.group(2))] = m.group(1).lower()
    except OSError:
        pass
    return names


# ------------------------------------------------------------------ input

def read_console(path):
    """The records of the last `trace dump` in a console log."""
    hz, lost, capacity, events = None, 0, 0, []
    head = re.compile(r"trace: \w+, records (\d+)\.\.(\d+) of (\d+), lost (\d+), .* timebase (\d+) Hz")
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError as e:
        raise TraceError(f"{path}: cannot read it: {e.strerror}") from None
    for no, line in enumerate(text.replace("\r", "\n").splitlines(), 1):
        line = line.strip()
        m = head.search(line)
        if m:
            first, _, capacity, lost, hz = (int(x) for x in m.groups())
            events = []
            index = first
            continue
        if line.startswith("T ") and hz is not None:
            f = line.split()
            if len(f) != 8:
                raise TraceError(f"{path}:{no}: a record line needs 7 fields: {line!r}")
            try:
                events.append(Event(index, int(f[1]), int(f[2]), int(f[3]), int(f[4]),
                                    int(f[5]), int(f[6], 16), int(f[7], 16)))
            except ValueError:
                raise TraceError(f"{path}:{no}: not a record: {line!r}") from None
            index += 1
    if hz is None:
        raise TraceError(f"{path}: no `trace dump` in it (a line 'trace: ..., timebase N Hz')")
    return Trace(events, hz, lost, capacity)


def ring_symbol(elf):
    """(address, size) of trace_ring in the kernel image."""
    try:
        out = subprocess.run(["riscv64-unknown-elf-nm", "-S", elf], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise TraceError(f"cannot read the symbols of {elf}: {e}") from None
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[3] == "trace_ring":
            return int(f[0], 16), int(f[1], 16)
    raise TraceError(f"{elf} has no trace_ring: build it with CONFIG_TRACING=y")


def dump_gdb(elf, target, out):
    """Save the ring's memory from QEMU's gdb server into out (physical
    memory: the kernel's RAM is identity-mapped, whatever the hart runs)."""
    addr, size = ring_symbol(elf)
    cmd = ["gdb-multiarch", "-q", "-nx", "-batch", "-ex", "set pagination off",
           "-ex", f"target remote {target}",
           "-ex", f"monitor pmemsave {addr:#x} {size} \"{out}\"",
           "-ex", "detach"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if not os.path.exists(out) or os.path.getsize(out) != size:
        raise TraceError(f"gdb-multiarch could not dump the ring from {target}: "
                         f"{(p.stderr or p.stdout).strip()[-300:]}")


def read_raw(path):
    data = open(path, "rb").read()
    if len(data) < RING_HEADER.size:
        raise TraceError(f"{path}: too short for a trace ring")
    magic, version, cap, esize, nxt, lost, hz, recording, overwrite = RING_HEADER.unpack_from(data)
    if magic != RING_MAGIC:
        raise TraceError(f"{path}: not a trace ring (magic {magic:#x}; the kernel not booted "
                         "that far, or built without CONFIG_TRACING?)")
    if version != 1 or esize != EVENT.size:
        raise TraceError(f"{path}: ring version {version}, records of {esize} bytes: "
                         "this script reads version 1, 32 bytes")
    base = RING_HEADER.size + (-RING_HEADER.size % 8)
    if overwrite:
        first, end, lost = max(0, nxt - cap), nxt, max(0, nxt - cap)
    else:
        first, end = 0, min(nxt, cap)
    events = []
    for i in range(first, end):
        off = base + (i % cap) * esize
        t, typ, fl, a16, pid, a, b = EVENT.unpack_from(data, off)
        events.append(Event(i, t, typ, fl, a16, pid, a, b))
    return Trace(events, hz, lost, cap)


# ------------------------------------------------------------------ model

def label(v):
    return v.to_bytes(8, "little").rstrip(b"\0").decode("latin-1") or "?"


class Model:
    """What the records say: run slices on the hart, system calls, IPC
    messages, user spans per process; problems found on the way."""

    def __init__(self, tr):
        self.tr, self.names, self.problems = tr, {}, []
        self.run = []          # (pid, start, end) on the hart
        self.syscalls = []     # (pid, nr, start, end, result)
        self.user = []         # (pid, label, start, end) or instants with end None
        self.sends, self.recvs = [], []
        self.wake_lat = []     # ticks ready -> running
        self.call_rt = []      # ticks of channel_call round trips
        self.build()
        self.pair()

    def name(self, pid):
        return self.names.get(pid, f"pid {pid}") if pid else "idle"

    def problem(self, ev, msg):
        self.problems.append(f"record {ev.index} at {self.tr.us(ev.time):.3f} us: {msg}")

    def build(self):
        tr, cur, since = self.tr, None, None
        open_sys, stacks, ready_at = {}, {}, {}
        last_t = None

        def switch(t, nxt):
            nonlocal cur, since
            if cur and since is not None:
                self.run.append((cur, since, t))
            cur, since = nxt, t
            if nxt in ready_at:
                self.wake_lat.append(t - ready_at.pop(nxt))

        def sys_close(pid, t, result):
            s = open_sys.pop(pid, None)
            if s:
                self.syscalls.append((pid, s[0], s[1], t, result))
                if s[0] == SYS_CHANNEL_CALL:
                    self.call_rt.append(t - s[1])

        for ev in tr.events:
            if last_t is not None and ev.time < last_t:
                self.problem(ev, f"time goes back ({ev.time} < {last_t})")
            last_t, t = ev.time, ev.time
            by_current = ev.type in (SYS_ENTER, SYS_EXIT, IPC_SEND, IPC_RECV, USER, FAULT)
            if by_current:
                if cur is None:
                    cur, since = ev.pid, None
                elif ev.pid != cur:
                    self.problem(ev, f"{TYPE_NAMES[ev.type]} by pid {ev.pid} while pid {cur} runs")
            if ev.type == SWITCH:
                if cur is not None and ev.pid != cur:
                    self.problem(ev, f"switch from pid {ev.pid} while pid {cur} runs")
                if ev.arg16 == 1:
                    ready_at[ev.pid] = t
                switch(t, ev.a)
            elif ev.type == WAKE:
                ready_at[ev.pid] = t
            elif ev.type == PROC:
                self.names[ev.pid] = (label(ev.a) + label(ev.b).rstrip("?")).rstrip("?")
            elif ev.type == SYS_ENTER:
                open_sys[ev.pid] = (ev.arg16, t)
            elif ev.type == SYS_EXIT:
                sys_close(ev.pid, t, ev.a)
            elif ev.type == IPC_SEND:
                path, rcv = ev.flags, ev.a >> 32
                key = (ev.arg16, ev.a & 0xffffffff)
                self.sends.append((ev, key, path, rcv))
                if path in (2, 3):
                    # the fast paths: the sender enters its call and blocks, the
                    # receiver's call returns 0, the hart goes to the receiver
                    open_sys[ev.pid] = (SYS_CHANNEL_CALL if path == 2 else SYS_PORT_WAIT, t)
                    sys_close(rcv, t, 0)
                    ready_at.pop(rcv, None)
                    switch(t, rcv)
            elif ev.type == IPC_RECV:
                self.recvs.append((ev, (ev.arg16, ev.a & 0xffffffff)))
            elif ev.type == USER:
                op, lab = ev.flags, label(ev.b)
                st = stacks.setdefault(ev.pid, [])
                if op == 0:
                    self.user.append((ev.pid, f"{lab} {ev.a}", t, None))
                elif op == 1:
                    st.append((lab, ev.a, t))
                elif not st:
                    self.problem(ev, f"pid {ev.pid}: end of span {lab!r} that never began")
                else:
                    top = st.pop()
                    if top[0] != lab:
                        self.problem(ev, f"pid {ev.pid}: end of {lab!r} inside span {top[0]!r}")
                    self.user.append((ev.pid, f"{top[0]} {top[1]}", top[2], t))
            elif ev.type == EXIT:
                open_sys.pop(ev.pid, None)
        end = tr.events[-1].time if tr.events else 0
        if cur and since is not None:
            self.run.append((cur, since, end))
        for pid, st in stacks.items():
            for lab, _, t in st:
                self.user.append((pid, f"{lab} (open)", t, end))

    def check(self):
        """Problems with the messages, the hart and the counts, added to those
        the build found."""
        p = list(self.problems)
        if self.tr.lost:
            p.append(f"{self.tr.lost} records lost (the ring holds {self.tr.capacity})")
        # the hart: one run slice at a time
        run = sorted(self.run, key=lambda r: (r[1], r[2]))
        for a, b in zip(run, run[1:]):
            if b[1] < a[2]:
                p.append(f"pid {a[0]} runs until {self.tr.us(a[2]):.3f} us, but pid {b[0]} "
                         f"from {self.tr.us(b[1]):.3f} us")
        # messages: each queued send's receive, no earlier, once
        for ev, send in self.pairs:
            if send is None:
                continue
            if ev.time < send.time:
                p.append(f"record {ev.index}: received before its send (record {send.index})")
        seen = {}
        for ev, send in self.pairs:
            if send is not None:
                if send.index in seen:
                    p.append(f"record {ev.index}: the message of record {send.index} "
                             f"received twice")
                seen[send.index] = ev
        # a queued message never received while a later one of the same
        # channel end (same channel: generation) was
        got = {}
        for ev, key, path, rcv, gen in self.sends_gen:
            if ev.index in seen:
                got.setdefault((key[0], gen), []).append(key[1])
        for ev, key, path, rcv, gen in self.sends_gen:
            if path == 0 and ev.index not in seen and \
                    any(n > key[1] for n in got.get((key[0], gen), ())):
                p.append(f"record {ev.index}: message {key[1]} to channel end "
                         f"{key[0] >> 1}.{key[0] & 1} never received, a later one was")
            if path and not rcv:
                p.append(f"record {ev.index}: a {PATHS[path]} send without its receiver")
        return p

    def matched(self):
        """(send event, receive time, receiver pid) for every message whose
        receive is in the trace."""
        out = [(ev, ev.time, rcv) for ev, _, path, rcv in self.sends if path]
        out += [(send, ev.time, ev.pid) for ev, send in self.pairs if send is not None]
        return sorted(out, key=lambda x: x[0].index)

    def pair(self):
        """Each queued message's receive with its send: the latest send of the
        same channel end and number before it (a channel's slot is reused,
        and numbering starts again); the sends' generations per end."""
        by_key, last, gen = {}, {}, {}
        self.sends_gen = []
        for ev, key, path, rcv in self.sends:
            if key[1] <= last.get(key[0], 0):
                gen[key[0]] = gen.get(key[0], 0) + 1
            last[key[0]] = key[1]
            self.sends_gen.append((ev, key, path, rcv, gen.get(key[0], 0)))
            if path == 0:
                by_key.setdefault(key, []).append(ev)
        self.pairs = []
        for ev, key in self.recvs:
            cands = [s for s in by_key.get(key, ()) if s.time <= ev.time]
            later = [s for s in by_key.get(key, ()) if s.time > ev.time]
            self.pairs.append((ev, cands[-1] if cands else (later[0] if later else None)))


# ------------------------------------------------------------------ output

def write_json(m, path, sysnames):
    """Chrome trace-event JSON (Perfetto's UI and chrome://tracing open it):
    a process per rvOS process, with threads for its system calls, its own
    spans and its messages; the hart as process 0; IPC as flow arrows."""
    tr, ev = m.tr, []
    pids = sorted({r[0] for r in m.run} | {s[0] for s in m.syscalls} | set(m.names)
                  | {u[0] for u in m.user} | {s[0].pid for s in m.sends})
    ev.append({"ph": "M", "name": "process_name", "pid": 0, "tid": 0,
               "args": {"name": "hart 0"}})
    ev.append({"ph": "M", "name": "thread_name", "pid": 0, "tid": 0, "args": {"name": "running"}})
    for pid in pids:
        if not pid:
            continue
        ev.append({"ph": "M", "name": "process_name", "pid": pid, "tid": pid * 4,
                   "args": {"name": f"{m.name(pid)} ({pid})"}})
        for k, what in enumerate(("system calls", "trace points", "messages")):
            ev.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": pid * 4 + k,
                       "args": {"name": what}})
    for pid, a, b in m.run:
        ev.append({"ph": "X", "name": m.name(pid), "pid": 0, "tid": 0, "ts": tr.us(a),
                   "dur": tr.us(b - a), "args": {"pid": pid}})
    for pid, nr, a, b, res in m.syscalls:
        r = res - (1 << 64) if res >= 1 << 63 else res
        ev.append({"ph": "X", "name": sysnames.get(nr, f"syscall {nr}"), "pid": pid,
                   "tid": pid * 4, "ts": tr.us(a), "dur": tr.us(b - a), "args": {"result": r}})
    for pid, lab, a, b in m.user:
        if b is None:
            ev.append({"ph": "i", "s": "t", "name": lab, "pid": pid, "tid": pid * 4 + 1,
                       "ts": tr.us(a)})
        else:
            ev.append({"ph": "X", "name": lab, "pid": pid, "tid": pid * 4 + 1, "ts": tr.us(a),
                       "dur": tr.us(b - a)})
    tiny = 0.01
    for n, (s, t_recv, rpid) in enumerate(m.matched()):
        chan = f"channel {s.arg16 >> 1}.{s.arg16 & 1}"
        args = {"bytes": s.b & 0xffffffff, "handles": s.b >> 32, "path": PATHS[s.flags],
                "number": s.a & 0xffffffff}
        ev.append({"ph": "X", "name": f"send {chan}", "pid": s.pid, "tid": s.pid * 4 + 2,
                   "ts": tr.us(s.time), "dur": tiny, "args": args})
        ev.append({"ph": "X", "name": f"receive {chan}", "pid": rpid, "tid": rpid * 4 + 2,
                   "ts": tr.us(t_recv), "dur": tiny, "args": args})
        ev.append({"ph": "s", "id": n + 1, "name": "message", "cat": "ipc", "pid": s.pid,
                   "tid": s.pid * 4 + 2, "ts": tr.us(s.time)})
        ev.append({"ph": "f", "bp": "e", "id": n + 1, "name": "message", "cat": "ipc",
                   "pid": rpid, "tid": rpid * 4 + 2, "ts": tr.us(t_recv)})
    doc = {"traceEvents": ev, "displayTimeUnit": "ns",
           "otherData": {"timebase_hz": tr.hz, "lost": tr.lost, "records": len(tr.events)}}
    text = json.dumps(doc, indent=0)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return text


def describe(ev, m, sysnames):
    t = ev.type
    if t == SWITCH:
        why = BLOCK.get(ev.flags, "") if ev.arg16 == 2 else ""
        if not ev.pid:
            return f"switch -> {m.name(ev.a)} ({ev.a}) after idle"
        return (f"switch -> {m.name(ev.a)} ({ev.a}); leaves {STATES.get(ev.arg16, '?')}"
                + (f" ({why})" if why else ""))
    if t == SYS_ENTER:
        return f"{sysnames.get(ev.arg16, ev.arg16)}({ev.a:#x}, {ev.b:#x})"
    if t == SYS_EXIT:
        r = ev.a - (1 << 64) if ev.a >= 1 << 63 else ev.a
        return f"{sysnames.get(ev.arg16, ev.arg16)} returns {r}"
    if t in (IPC_SEND, IPC_RECV):
        s = (f"{'send' if t == IPC_SEND else 'receive'} channel {ev.arg16 >> 1}.{ev.arg16 & 1} "
             f"#{ev.a & 0xffffffff}, {ev.b & 0xffffffff} bytes, {ev.b >> 32} handles")
        if t == IPC_SEND:
            s += f", {PATHS.get(ev.flags, '?')}"
            if ev.a >> 32:
                s += f" -> {m.name(ev.a >> 32)} ({ev.a >> 32})"
        return s
    if t == WAKE:
        return f"woken by {m.name(ev.a)} ({ev.a}) from {BLOCK.get(ev.arg16, '?')}"
    if t == IRQ:
        return f"interrupt {ev.arg16 or 'timer'}" + (f", {ev.a} ticks late" if ev.a else "")
    if t == FAULT:
        return f"fault, scause {ev.arg16}, pc {ev.a:#x}, address {ev.b:#x}"
    if t == PROC:
        return f"process {m.name(ev.pid)}, priority {ev.arg16}" + (" (running)" if ev.flags else " starts")
    if t == EXIT:
        return f"exits, reason {ev.a}, code {ev.b - (1 << 32) if ev.b >= 1 << 31 else ev.b}"
    if t == USER:
        return f"{USER_OPS.get(ev.flags, '?')} {label(ev.b)} {ev.a}"
    return f"type {t}"


def write_text(m, path, sysnames):
    tr = m.tr
    t0 = tr.events[0].time if tr.events else 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# {len(tr.events)} records, {tr.lost} lost, timebase {tr.hz} Hz; "
                "time in us from the first record\n")
        for ev in tr.events:
            who = f"{m.name(ev.pid)} ({ev.pid})" if ev.pid else "idle"
            f.write(f"{tr.us(ev.time - t0):12.3f}  {who:<22} {describe(ev, m, sysnames)}\n")


def log2_buckets(values):
    counts = {}
    for v in values:
        k = max(v, 1).bit_length() - 1
        counts[k] = counts.get(k, 0) + 1
    return counts


def write_png(m, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise TraceError("the PNG needs matplotlib: Debian's python3-matplotlib (`rv setup` "
                         f"installs it; run with /usr/bin/python3, not {sys.executable})")
    tr = m.tr
    t0 = tr.events[0].time if tr.events else 0
    pids = sorted({r[0] for r in m.run}, key=lambda p: (m.name(p), p))
    row = {p: i for i, p in enumerate(pids)}
    fig, (ax, hx) = plt.subplots(2, 1, figsize=(12, 3 + 0.45 * len(pids)),
                                 gridspec_kw={"height_ratios": [max(len(pids), 1), 3]})
    colors = plt.get_cmap("tab20")
    for pid, a, b in m.run:
        ax.broken_barh([(tr.us(a - t0) / 1000, max(tr.us(b - a) / 1000, 1e-4))],
                       (row[pid] - 0.4, 0.8), color=colors(row[pid] % 20))
    for s, t_recv, rpid in m.matched():
        if s.pid in row and rpid in row:
            ax.annotate("", xy=(tr.us(t_recv - t0) / 1000, row[rpid]),
                        xytext=(tr.us(s.time - t0) / 1000, row[s.pid]),
                        arrowprops={"arrowstyle": "->", "lw": 0.4, "alpha": 0.35})
    ax.set_yticks(range(len(pids)))
    ax.set_yticklabels([f"{m.name(p)} ({p})" for p in pids])
    ax.set_xlabel("ms")
    ax.set_title(f"rvOS trace: who runs on the hart, messages as arrows "
                 f"({len(tr.events)} records, {tr.lost} lost)")
    ax.grid(axis="x", alpha=0.3)
    width = 0.4
    for off, (what, vals) in enumerate((("channel_call round trip", m.call_rt),
                                         ("ready -> running", m.wake_lat))):
        b = log2_buckets(vals)
        if b:
            ks = sorted(b)
            hx.bar([k + (off - 0.5) * width for k in ks], [b[k] for k in ks], width,
                   label=f"{what} ({len(vals)})")
    ticks = list(range(0, 24))
    hx.set_xticks(ticks)
    hx.set_xticklabels([f"{(1 << k) * 1e6 / tr.hz if k else 0:g}" for k in ticks], rotation=60,
                       fontsize=7)
    hx.set_xlabel("latency, us (log2 buckets, lower bound)")
    hx.set_ylabel("count")
    hx.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--console", metavar="LOG", help="a console log with `trace dump`'s output")
    src.add_argument("--gdb", metavar="HOST:PORT", help="QEMU's gdb server (rv flash --gdb PORT)")
    src.add_argument("--raw", metavar="FILE", help="a ring saved with --save-raw")
    ap.add_argument("--elf", help="the kernel (rvos.elf) for --gdb: where trace_ring is")
    ap.add_argument("--save-raw", metavar="FILE", help="with --gdb: keep the ring's bytes")
    ap.add_argument("--json", metavar="FILE", help="write Chrome/Perfetto trace-event JSON")
    ap.add_argument("--text", metavar="FILE", help="write a text timeline")
    ap.add_argument("--png", metavar="FILE", help="write a PNG timeline and histograms")
    ap.add_argument("--check", action="store_true",
                    help="judge the trace (messages, the hart, spans, lost); exit 1 on a problem")
    args = ap.parse_args(argv)
    try:
        if args.console:
            tr = read_console(args.console)
        elif args.raw:
            tr = read_raw(args.raw)
        else:
            if not args.elf:
                raise TraceError("--gdb needs --elf BUILD/rvos.elf")
            raw = args.save_raw or tempfile.mktemp(prefix="rvos-trace-", suffix=".bin")
            try:
                dump_gdb(args.elf, args.gdb, raw)
                tr = read_raw(raw)
            finally:
                if not args.save_raw and os.path.exists(raw):
                    os.unlink(raw)
        sysnames = syscall_names()
        m = Model(tr)
        print(f"trace: {len(tr.events)} records, {tr.lost} lost, {len(m.names)} processes named, "
              f"{len(m.sends)} messages sent, {len(m.recvs)} queued ones received, "
              f"{len(m.run)} run slices")
        text = None
        if args.json:
            text = write_json(m, args.json, sysnames)
            print(f"trace: wrote {args.json} (open it in https://ui.perfetto.dev)")
        if args.text:
            write_text(m, args.text, sysnames)
            print(f"trace: wrote {args.text}")
        if args.png:
            write_png(m, args.png)
            print(f"trace: wrote {args.png}")
        if args.check:
            problems = m.check()
            if text is None:
                text = json.dumps({"traceEvents": []})
            try:
                json.loads(text)
            except ValueError as e:
                problems.append(f"the JSON does not parse: {e}")
            if not tr.events:
                problems.append("no records")
            if not m.sends:
                problems.append("no messages sent")
            for line in problems[:20]:
                print(f"trace: problem: {line}")
            if problems:
                print(f"trace: check: {len(problems)} problems")
                return 1
            print(f"trace: check: ok ({len(m.matched())} messages matched sender -> receiver, "
                  f"{len(m.run)} run slices without overlap, {len(m.user)} user points)")
    except TraceError as e:
        print(f"trace: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
