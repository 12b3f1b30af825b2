#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What each feature option costs in ROM and RAM (doc/configuration.md,
"What each feature costs"): the app built with its defaults, then once per
feature with that one option flipped, each kernel measured as `rv
footprint` does (scripts/footprint.py's summary). A feature on by default
costs what turning it off saves; one off by default, what turning it on
adds. Real builds, nothing estimated.

  scripts/feature_cost.py                       the table on stdout
  scripts/feature_cost.py --update doc/configuration.md
                                                rewrite the table between
                                                its markers in that file
  scripts/feature_cost.py -b BOARD -a APP -O DIR

A feature whose flip the app refuses (one of its programs needs the
feature: its rule stops the merge) is measured on FALLBACK_APP instead,
whose one program needs no feature, against that app's own defaults, and
says so. One that still does not build is listed with the build's first
error line instead of figures.
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import footprint  # noqa: E402

# (symbol, what it is): the kernel's feature options. A new feature goes here.
FEATURES = [
    ("KERNEL_SYMTAB", "function names for panic backtraces (`.ksyms`)"),
    ("ASLR", "random stack, heap and mapping offsets"),
    ("FPU", "per-process floating point (lazy hand-over)"),
    ("TRACING", "trace ring, latency histograms, `trace` call"),
    ("WATCHDOG", "watchdogs and the wait-for graph"),
    ("DEBUGGER", "the process debugger (`debug` call)"),
    ("VIRTIO_RNG_SEED", "seed from virtio-rng at boot"),
    ("ZKR_SEED", "seed from the Zkr seed CSR where the device tree lists it"),
    # kernel/Kconfig.features (the shell needs most: measured on FALLBACK_APP)
    ("IPC", "channels (with their pool)"),
    ("IPC_HANDLE_TRANSFER", "handles in messages"),
    ("IPC_FASTPATH", "the `channel_call` and `port_wait` fast paths"),
    ("IPC_PORTS", "ports"),
    ("WAIT_MANY", "`wait_many`"),
    ("HANDLE_REVOCATION", "`handle_derive`, `handle_revoke` (with the record pool)"),
    ("SHM", "shared memory (with its pools)"),
    ("DEVICE_CAPS", "device capabilities, user interrupts, DMA"),
    ("PROCESS_HANDLES", "`process_spawn` and process handles"),
    ("INFO_CALLS", "`proc_list`, `channel_list`, `program_list`, `kstats`"),
    ("RANDOM", "the random number generator and `getrandom`"),
    ("SCHED_PRIORITIES", "the scheduler's priorities (vs one round-robin queue)"),
    ("PRINTK_FULL_FORMAT", "printk's full formatter (vs the minimal one)"),
    ("PANIC_BACKTRACE", "panic backtraces (the symbol table goes with them)"),
    ("KERNEL_SIZE_OPTIMIZATIONS", "-Os instead of -O2"),
    ("DEVICE_TREE", "the device-tree parser (vs the board's fixed description)"),
    ("KERNEL_VERBOSE_MESSAGES", "the kernel's messages in full (vs brief ones)"),
]
# Where a feature the app's programs need is measured (see the docstring).
FALLBACK_APP = "tests/kernel/features"
BEGIN = "<!-- feature_cost.py: begin -->"
END = "<!-- feature_cost.py: end -->"


class CostError(Exception):
    pass


def config_value(build_dir, sym):
    """The symbol's value in a build's .config: 'y', 'n' (unset) or None (absent)."""
    try:
        with open(os.path.join(build_dir, ".config"), encoding="utf-8") as f:
            for line in f:
                if line.startswith(f"CONFIG_{sym}="):
                    return line.split("=", 1)[1].strip()
                if line.strip() == f"# CONFIG_{sym} is not set":
                    return "n"
    except OSError:
        pass
    return None


def build(board, app, out, defs=()):
    """rv build into out; (summary, None) or (None, the first error line)."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [os.path.join(ROOT, "rv"), "build", "-b", board, app, "-d", out]
    if defs:
        cmd += ["--"] + list(defs)
    p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        errors = [l for l in p.stdout.splitlines() if "error" in l.lower()]
        return None, (errors[0] if errors else p.stdout.strip().splitlines()[-1]).strip()
    return footprint.summary(os.path.join(out, "rvos.elf")), None


def measure(board, app, outdir):
    base_dir = os.path.join(outdir, "base")
    base, err = build(board, app, base_dir)
    if base is None:
        raise CostError(f"{app} does not build for {board} with its defaults: {err}")
    rows = []
    fallback = None
    for sym, what in FEATURES:
        val = config_value(base_dir, sym)
        if val is None:
            rows.append((sym, what, None, None, "no such option in this tree"))
            continue
        on = val == "y"
        print(f"feature_cost: {sym} {'off' if on else 'on'} ...", file=sys.stderr, flush=True)
        flip = [f"-DCONFIG_{sym}={'n' if on else 'y'}"]
        fig, err = build(board, app, os.path.join(outdir, sym), flip)
        ref = base
        if fig is None and "Kconfig:" in err and app != FALLBACK_APP:
            # refused by a rule of the app's: the fallback app, its defaults
            if fallback is None:
                fallback, ferr = build(board, FALLBACK_APP, os.path.join(outdir, "fallback"))
                if fallback is None:
                    raise CostError(f"{FALLBACK_APP} does not build for {board}: {ferr}")
            fig, err = build(board, FALLBACK_APP, os.path.join(outdir, sym), flip)
            ref = fallback
            what += f" (on `{FALLBACK_APP}`)"
        if fig is None:
            rows.append((sym, what, on, None, err))
            continue
        with_f, without = (ref, fig) if on else (fig, ref)
        rows.append((sym, what, on, {k: with_f[k] - without[k] for k in with_f}, None))
    return base, rows


def table(board, app, base, rows):
    lines = [f"Measured on `{app}` for `{board}` by `scripts/feature_cost.py` (its kernel with "
             f"the defaults: {base['code']:,} bytes of code, {base['rodata']:,} of rodata, "
             f"{base['ram']:,} of RAM). Bytes the feature adds:", "",
             "| option | default | what | code | rodata | RAM (data + bss) |",
             "|---|---|---|---|---|---|"]
    for sym, what, on, d, err in rows:
        default = "?" if on is None else ("y" if on else "n")
        if d is None:
            lines.append(f"| `CONFIG_{sym}` | {default} | {what} | - | - | - ({err}) |")
        else:
            lines.append(f"| `CONFIG_{sym}` | {default} | {what} | {d['code']:+,} | "
                         f"{d['rodata']:+,} | {d['ram']:+,} |")
    return "\n".join(lines) + "\n"


def update(path, text):
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        raise CostError(f"{path} has no markers {BEGIN} ... {END}: put them where the table goes")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + BEGIN + "\n" + text + END + tail)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-b", "--board", default="qemu_virt_riscv64")
    p.add_argument("-a", "--app", default="samples/shell")
    p.add_argument("-O", "--outdir", default="/tmp/rv-feature-cost",
                   help="scratch build folders (deleted at the end)")
    p.add_argument("--update", metavar="DOC", help="rewrite the table between the markers in DOC")
    args = p.parse_args(argv)
    try:
        base, rows = measure(args.board, args.app, args.outdir)
        text = table(args.board, args.app, base, rows)
        if args.update:
            update(args.update, text)
            print(f"feature_cost: {args.update} updated")
        else:
            sys.stdout.write(text)
    except CostError as e:
        print(f"feature_cost: error: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(args.outdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
