#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where the instructions of an IPC benchmark go: the cost table of doc/ipc.md.

Builds samples/bench's ipc_bench in its profile mode
(CONFIG_BENCH_IPC_PROFILE_CALLS: ipc_call_rt, ipc_call_rt_rw_server,
ipc_call_rt_4h and ipc_sendrecv_self, one measured round each), boots it in
QEMU with -icount and a trace of every instruction executed (-singlestep -d
exec,nochain, read through a pipe: nothing is stored), and charges each
instruction of a measured round -- the window the BENCH line counts with
rdinstret, which profile mode brackets with two empty debug_writes, found in
the trace by the kernel's sys_debug_write -- to a part of the path by the
kernel function it belongs to (user code: "user side"). Prints a Markdown
table, instructions per round trip; its "total" row is the BENCH figure plus
the brackets' share (about 80 instructions over the whole round).

  scripts/ipc_cost.py                      # build in build-ipc-cost/, run, print
  scripts/ipc_cost.py --build-dir DIR --no-build
"""
import argparse
import bisect
import os
import re
import subprocess
import sys
import tempfile
import threading

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPENSBI_FW = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
# User programs live at RV_USER_BASE.. (include/rvos/memory_map.h), above the
# kernel, which runs where OpenSBI loaded it, in the RAM at 0x80000000.
USER_BASE = 0x1000000000
BENCHES = ["ipc_call_rt", "ipc_call_rt_rw_server", "ipc_call_rt_4h", "ipc_sendrecv_self"]

# (part, kernel functions: exact names or prefixes ending in '*'), first match wins.
PARTS = [
    ("entry/exit (trap vector, dispatch, return to U-mode)",
     ["arch_trap_entry", "from_user", "full_frame", "full_syscall", "call_fast", "port_fast",
      "arch_user_return", "arch_user_return_in_syscall", "user_trap", "user_syscall",
      "syscall_dispatch", "channel_write_light"]),
    ("call fast path (hand-off, copy and switch inline)",
     ["channel_call_fastpath", "fastpath_full", "fastpath_port", "port_wait_fastpath"]),
    ("lookup and argument checks (sys_*, handles)",
     ["sys_*", "handle_arg", "handle_lookup*", "handle_find", "handle_rights_via",
      "handles_pass"]),
    ("copy and translation (user memory)",
     ["memcpy", "memmove", "copy_*", "user_access_ok", "access_ok_pages", "user_page_slow",
      "walk"]),
    ("handles moved (install, detach, references)",
     ["handle_install*", "handle_detach", "handle_move*", "handle_table_free", "kobject_get",
      "kobject_put", "via_*", "revoker_*"]),
    ("queueing and wake-up (channel, waiters, signals)",
     ["channel_*", "kobject_notify", "kobject_signals", "waiter*", "port_*",
      "deliver_direct", "rx_*"]),
    ("switch (scheduler, address space, kernel stacks)",
     ["schedule", "switch_to", "pick_next", "arch_switch", "sched_*", "kobject_block",
      "resume_in_user", "idle_until_ready", "timer_arm", "sstc_timer_arm", "sbi_timer_arm",
      "arm_next_event", "start_sharing", "share_slice"]),
]
USER = "user side (both programs, rv_* stubs, the loop)"
OTHER = "other kernel code"


def symbols(elf):
    """Sorted (addresses, names) of the code symbols of an ELF."""
    out = subprocess.run(["riscv64-unknown-elf-nm", "-n", "--defined-only", elf],
                         capture_output=True, text=True, check=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            addrs.append(int(f[0], 16))
            names.append(f[2])
    return addrs, names


def part_of(name):
    for part, pats in PARTS:
        for p in pats:
            if name == p or (p.endswith("*") and name.startswith(p[:-1])):
                return part
    return OTHER


def build(build_dir, calls):
    cmd = [os.path.join(REPO, "rv"), "build", "-b", "qemu_virt_riscv64", "samples/bench",
           "-d", build_dir, "--", '-DCONFIG_INIT_PROGRAM="ipc_bench"',
           "-DCONFIG_MSG_MAX_BYTES=1024", f"-DCONFIG_BENCH_IPC_PROFILE_CALLS={calls}"]
    # (the build's messages to stderr: stdout is the table)
    subprocess.run(cmd, cwd=REPO, check=True, stdout=sys.stderr)


def run_traced(build_dir, on_pc):
    """Boot the build with an instruction trace, feeding each executed pc to
    on_pc; returns the console output."""
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "trace")
        os.mkfifo(fifo)
        cmd = ["qemu-system-riscv64", "-M", "virt", "-m", "128M", "-smp", "1", "-nographic",
               "-global", "virtio-mmio.force-legacy=false", "-icount", "shift=0",
               "-bios", OPENSBI_FW, "-kernel", os.path.join(build_dir, "rvos.elf"),
               "-initrd", os.path.join(build_dir, "initrd.cpio"),
               "-singlestep", "-d", "exec,nochain", "-D", fifo]
        qemu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        console = []
        reader = threading.Thread(target=lambda: console.append(qemu.stdout.read()))
        reader.start()
        with open(fifo, "rb") as trace:
            for line in trace:
                # "Trace 0: 0x... [00000000/00000000802001f4/...]"
                if not line.startswith(b"Trace"):
                    continue
                slash = line.find(b"/")
                on_pc(int(line[slash + 1:slash + 17], 16))
        qemu.wait(timeout=600)
        reader.join()
    return console[0].decode(errors="replace") if console else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build-ipc-cost"),
                    help="where to build the profile-mode bench (default: build-ipc-cost/)")
    ap.add_argument("--no-build", action="store_true",
                    help="use the build already in --build-dir")
    ap.add_argument("--calls", type=int, default=300,
                    help="calls per measured round (CONFIG_BENCH_IPC_PROFILE_CALLS, default 300)")
    ap.add_argument("--functions", type=int, metavar="N", default=0,
                    help="also print each benchmark's N costliest functions")
    args = ap.parse_args()

    if not args.no_build:
        build(args.build_dir, args.calls)
    kaddrs, knames = symbols(os.path.join(args.build_dir, "rvos.elf"))
    marks = {kaddrs[knames.index("sys_debug_write")]}

    windows = []          # instructions per (part, function), for each window between two marks
    current = {}
    cache = {}

    def on_pc(pc):
        nonlocal current
        if pc in marks:
            windows.append(current)
            current = {}
        if pc >= USER_BASE:
            key = (USER, "(user)")
        else:
            key = cache.get(pc)
            if key is None:
                i = bisect.bisect_right(kaddrs, pc) - 1
                key = (part_of(knames[i]), knames[i]) if i >= 0 else (OTHER, "?")
                cache[pc] = key
        current[key] = current.get(key, 0) + 1

    console = run_traced(args.build_dir, on_pc)
    figures = [(m.group(1), int(m.group(2)))
               for m in re.finditer(r"^BENCH (\S+) (\d+) instructions", console, re.M)]
    if [n for n, _ in figures] != [b for b in BENCHES if b in dict(figures)] or not figures:
        sys.exit("ipc_cost: unexpected BENCH lines:\n" + console[-2000:])
    # Each BENCH figure is its benchmark's round 1 (round 0 warms up): the
    # second window of its size, or the first when round 0 came out
    # otherwise; the small windows between two rounds lie in between.
    columns = []
    w = 0
    for name, value in figures:
        hits = [i for i in range(w, len(windows))
                if abs(sum(windows[i].values()) // args.calls - value) <= 1][:2]
        if not hits:
            sys.exit(f"ipc_cost: no traced window matches {name} {value}")
        pick = hits[1] if len(hits) > 1 and hits[1] <= hits[0] + 2 else hits[0]
        columns.append((name, value, windows[pick]))
        w = pick + 1

    parts = [p for p, _ in PARTS] + [USER, OTHER]

    def in_part(c, p):
        return sum(v for (part, _), v in c.items() if part == p)

    print("| part | " + " | ".join(f"`{n}`" for n, _, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for p in parts:
        cells = [round(in_part(c, p) / args.calls) for _, _, c in columns]
        if any(cells):
            print(f"| {p} | " + " | ".join(f"{v:,}" for v in cells) + " |")
    print("| **total** (traced) | " +
          " | ".join(f"{sum(c.values()) / args.calls:,.0f}" for _, _, c in columns) + " |")
    print("| BENCH figure | " + " | ".join(f"{v:,}" for _, v, _ in columns) + " |")
    for name, _, c in columns if args.functions else []:
        print(f"\n{name}, per round trip:")
        for (_, fn), v in sorted(c.items(), key=lambda kv: -kv[1])[:args.functions]:
            print(f"  {v / args.calls:8.1f}  {fn}")

if __name__ == "__main__":
    main()
