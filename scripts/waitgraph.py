#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Draw the wait-for graph a watchdog printed (doc/debugging.md, "The
watchdog"): read the kernel's report from a console log and write a PNG
(matplotlib: one node per process, an arrow to each process that could end
its wait, the deadlock cycle in red), and print the graph as text.

  scripts/waitgraph.py CONSOLE_LOG [--png OUT.png] [--check]

--check: exit status 1 unless the report parses, every process of the
`deadlock:` line is in it, and each step of that cycle is an edge of the
graph (the kernel's cycle follows its own edges). The last report in the
log is the one read.
"""
import argparse
import math
import re
import sys

PROC = re.compile(r"(\S+) \(pid (\d+)\)")
LINE = re.compile(r"^watchdog:   (\S+) \(pid (\d+)\)( \[watchdog fired\])?: (.*)$")
ITEM = re.compile(r"^watchdog:      (.*)$")
HEAD = re.compile(r"^watchdog: what each process waits for:")
CYCLE = re.compile(r"^deadlock: (.*)$")


class GraphError(Exception):
    pass


class Graph:
    def __init__(self):
        self.procs = {}    # pid -> name
        self.state = {}    # pid -> what it is blocked in
        self.edges = {}    # pid -> set of pids that could end its wait
        self.fired = None
        self.cycle = []    # pids


def read(path):
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError as e:
        raise GraphError(f"{path}: cannot read it: {e.strerror}") from None
    g, cur = None, None
    for line in text.replace("\r", "\n").splitlines():
        if HEAD.match(line):
            g, cur = Graph(), None          # the last report wins
            continue
        if g is None:
            continue
        m = LINE.match(line)
        if m:
            name, pid, fired, rest = m.group(1), int(m.group(2)), m.group(3), m.group(4)
            g.procs[pid] = name
            g.state[pid] = rest.split(",")[0]
            g.edges[pid] = set()
            if fired:
                g.fired = pid
            cur = pid
            after = rest.split("waits for", 1)[1] if "waits for" in rest else ""
            g.edges[pid] |= {int(p) for _, p in PROC.findall(after)}
            continue
        m = ITEM.match(line)
        if m and cur is not None:
            g.edges[cur] |= {int(p) for _, p in PROC.findall(m.group(1))}
            continue
        m = CYCLE.match(line)
        if m:
            g.cycle = [int(p) for _, p in PROC.findall(m.group(1))]
            for name, p in PROC.findall(m.group(1)):
                g.procs.setdefault(int(p), name)
            cur = None
    if g is None or not g.procs:
        raise GraphError(f"{path}: no watchdog report in it (a line 'watchdog: what each "
                         f"process waits for:' and the process lines after it)")
    return g


def check(g):
    problems = []
    for p in g.cycle:
        if p not in g.state:
            problems.append(f"pid {p} of the deadlock line has no line of its own")
    for a, b in zip(g.cycle, g.cycle[1:]):
        if b not in g.edges.get(a, ()):
            problems.append(f"the cycle's step {g.procs.get(a)} ({a}) -> {g.procs.get(b)} ({b}) "
                            f"is not an edge of the graph")
    if g.cycle and g.cycle[0] != g.cycle[-1]:
        problems.append("the deadlock line does not end where it starts")
    return problems


def text(g):
    out = []
    for p in sorted(g.state):
        to = ", ".join(f"{g.procs.get(q, '?')} ({q})" for q in sorted(g.edges[p])) or "nobody"
        mark = " [watchdog fired]" if p == g.fired else ""
        out.append(f"{g.procs[p]} ({p}){mark}: {g.state[p]} -> {to}")
    if g.cycle:
        out.append("deadlock: " + " -> ".join(f"{g.procs.get(p)} ({p})" for p in g.cycle))
    return "\n".join(out)


def draw(g, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    pids = sorted(g.state)
    pos = {}
    for i, p in enumerate(pids):
        a = math.pi / 2 - 2 * math.pi * i / len(pids)
        pos[p] = (math.cos(a), math.sin(a))
    cyc = set(zip(g.cycle, g.cycle[1:]))
    fig, ax = plt.subplots(figsize=(7, 6))
    for a in pids:
        for b in sorted(g.edges[a]):
            if b not in pos or a == b:
                continue
            red = (a, b) in cyc
            ax.add_patch(FancyArrowPatch(pos[a], pos[b], arrowstyle="-|>", mutation_scale=18,
                                         shrinkA=28, shrinkB=28, connectionstyle="arc3,rad=0.12",
                                         color="#c0392b" if red else "#95a5a6",
                                         linewidth=2.4 if red else 1.2, zorder=1))
    for p in pids:
        x, y = pos[p]
        in_cycle = p in g.cycle
        ax.scatter([x], [y], s=2600, zorder=2, edgecolors="#2c3e50",
                   color="#f5b7b1" if in_cycle else "#d6eaf8",
                   linewidths=2.5 if p == g.fired else 1)
        ax.text(x, y + 0.03, f"{g.procs[p]}\npid {p}", ha="center", va="center", fontsize=9,
                zorder=3, weight="bold" if p == g.fired else "normal")
        ax.text(x, y - 0.25, g.state[p].replace("in ", ""), ha="center", va="top", fontsize=8,
                color="#555555", zorder=3)
    title = "wait-for graph when the watchdog fired"
    if g.cycle:
        title += "\ndeadlock: " + " -> ".join(g.procs.get(p, "?") for p in g.cycle)
    ax.set_title(title, fontsize=11)
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.5, 1.45)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("console", help="a console log with a watchdog's report")
    p.add_argument("--png", help="write the picture here")
    p.add_argument("--check", action="store_true",
                   help="exit 1 unless the deadlock line's cycle is made of the graph's edges")
    args = p.parse_args(argv)
    try:
        g = read(args.console)
        print(text(g))
        if args.png:
            draw(g, args.png)
        if args.check:
            problems = check(g)
            if not g.cycle:
                problems.append("no deadlock line after the report")
            for line in problems:
                print("waitgraph: " + line)
            if problems:
                return 1
    except GraphError as e:
        print(f"waitgraph: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
