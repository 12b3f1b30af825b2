#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The documented errors of every system call, as a C header.

Reads the error tables of the docs (doc/syscalls.md, doc/ipc.md): every
Markdown table whose header has a `call` and an `errors` column. A row's
call is the first `name` (in backquotes) of its call cell, which must be a
call of include/rvos/syscall.h (RV_SYS_<NAME>); its errors are the codes
E... its errors cell names, each of which must be in include/rvos/errno.h,
or `—` for none. A call may have several rows (the union counts). A table
with an `nr` column must give each call its number in syscall.h. Every call
of syscall.h must have a row.

From --unreachable (doc/security.md) it reads the table whose header has
`call`, `error` and `why`: documented errors that no test can produce, each
with the reason; each must be documented for its call.

Writes (-o) a header of (call, error) pairs for tests/kernel/errors, or
only checks (--check). Anything it cannot read is an error naming the file
and line, and the exit status is 1.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NONE_MARKS = ("—", "-", "none")


class DocError(Exception):
    """A problem in an input file, at a line (1-based, 0: the whole file)."""

    def __init__(self, path, line, msg):
        super().__init__(f"{rel(path)}:{line}: {msg}" if line else f"{rel(path)}: {msg}")


def rel(path):
    path = os.path.abspath(path)
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


def read_lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except OSError as e:
        raise DocError(path, 0, f"cannot read it: {e.strerror}") from None


def parse_enum(path, pattern, what):
    """name -> (value, line) for each line of path matching pattern."""
    found = {}
    for no, text in enumerate(read_lines(path), 1):
        m = re.match(pattern, text)
        if m:
            found[m.group(1)] = (int(m.group(2)), no)
    if not found:
        raise DocError(path, 0, f"no {what} found (expected lines like {pattern!r})")
    return found


def split_cells(row):
    """The cells of a table row; a | inside `code` does not split."""
    cells, cur, code = [], "", False
    for ch in row.strip().strip("|"):
        if ch == "`":
            code = not code
        if ch == "|" and not code:
            cells.append(cur.strip())
            cur = ""
        else:
            cur += ch
    cells.append(cur.strip())
    return cells


def tables(path):
    """(header line number, header cells, [(line number, cells)]) per table."""
    lines = read_lines(path)
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("|"):
            i += 1
            continue
        start = i
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            i += 1
        block = lines[start:i]
        if len(block) < 2 or not re.fullmatch(r"\|?[\s:|-]+\|?", block[1].strip()):
            raise DocError(path, start + 2, "a table without its |---| line under the header")
        header = [c.lower() for c in split_cells(block[0])]
        rows = [(start + 3 + k, split_cells(r)) for k, r in enumerate(block[2:])]
        yield start + 1, header, rows


def call_of(path, no, cell, calls):
    m = re.search(r"`([a-z_][a-z0-9_]*)", cell)
    if not m:
        raise DocError(path, no, f"no `call` name in the call cell {cell!r}")
    name = m.group(1)
    if name.upper() not in calls:
        raise DocError(path, no, f"`{name}` is not a call of include/rvos/syscall.h "
                       f"(no RV_SYS_{name.upper()})")
    return name


def errors_of(path, no, cell, name, errnos):
    if cell.strip().strip("`").lower() in NONE_MARKS:
        return []
    codes = re.findall(r"\bE[A-Z0-9]{2,}\b", cell)
    if not codes:
        raise DocError(path, no, f"the errors of `{name}` name no error code "
                       "(write — when it has none)")
    for code in codes:
        if code not in errnos:
            raise DocError(path, no, f"`{code}` (errors of `{name}`) is not an error of "
                           "include/rvos/errno.h")
    return codes


def read_docs(docs, calls, errnos):
    """{call name: {code: "file:line"}} from every error table of docs."""
    documented = {}
    for path in docs:
        seen_table = False
        for _, header, rows in tables(path):
            if "call" not in header or "errors" not in header:
                continue
            seen_table = True
            ci, ei = header.index("call"), header.index("errors")
            ni = header.index("nr") if "nr" in header else None
            for no, cells in rows:
                if len(cells) != len(header):
                    raise DocError(path, no, f"{len(cells)} cells, the header has {len(header)}")
                name = call_of(path, no, cells[ci], calls)
                if ni is not None:
                    want = calls[name.upper()][0]
                    if cells[ni] != str(want):
                        raise DocError(path, no, f"`{name}` is number {want} in "
                                       f"include/rvos/syscall.h, the table says {cells[ni]!r}")
                codes = documented.setdefault(name, {})
                for code in errors_of(path, no, cells[ei], name, errnos):
                    codes.setdefault(code, f"{rel(path)}:{no}")
        if not seen_table:
            raise DocError(path, 0, "no error table (a header with `call` and `errors` columns)")
    return documented


def read_unreachable(path, calls, documented):
    """[(call name, code, why)] from the table with call, error and why columns."""
    out = []
    for _, header, rows in tables(path):
        if not ("call" in header and "error" in header and any("why" in h for h in header)):
            continue
        ci, ei = header.index("call"), header.index("error")
        wi = next(k for k, h in enumerate(header) if "why" in h)
        for no, cells in rows:
            if len(cells) != len(header):
                raise DocError(path, no, f"{len(cells)} cells, the header has {len(header)}")
            name = call_of(path, no, cells[ci], calls)
            code = cells[ei].strip("` ")
            if code not in documented.get(name, {}):
                raise DocError(path, no, f"`{name}` `{code}` is listed as unreachable but its "
                               "table does not document it")
            why = re.sub(r"\s+", " ", cells[wi].replace("`", ""))
            out.append((name, code, why))
        return out
    raise DocError(path, 0, "no table of unreachable errors (a header with `call`, `error` and "
                   "`why` columns)")


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def header_text(docs, unreachable_path, calls, documented, unreachable):
    by_nr = sorted(calls.items(), key=lambda kv: kv[1][0])
    out = [
        "/* Generated by scripts/doc_errors.py from "
        + ", ".join(rel(d) for d in docs)
        + (f" and {rel(unreachable_path)}" if unreachable_path else "")
        + ": do not edit. */",
        "#ifndef DOC_ERRORS_H",
        "#define DOC_ERRORS_H",
        "",
        "#include <rvos/errno.h>",
        "#include <rvos/syscall.h>",
        "",
        "struct doc_error {",
        "\tunsigned short nr;  /* enum rv_syscall */",
        "\tunsigned short err; /* enum rv_errno (positive) */",
        "\tconst char *where;  /* the table row: doc file:line (unreachable: why) */",
        "};",
        "",
        "/* Every (call, error) pair the error tables document. */",
        "static const struct doc_error doc_errors[] = {",
    ]
    for name, _ in by_nr:
        for code, where in documented.get(name.lower(), {}).items():
            out.append(f"\t{{RV_SYS_{name}, RV_{code}, {c_string(where)}}},")
    out += ["};", "",
            "/* Documented errors no test can produce, and why. */",
            "static const struct doc_error doc_unreachable[] = {"]
    for name, code, why in unreachable:
        out.append(f"\t{{RV_SYS_{name.upper()}, RV_{code}, {c_string(why)}}},")
    out += ["};", "",
            "/* The calls' names, as the docs write them. */",
            "static const char *const doc_call_names[RV_SYS_COUNT] = {"]
    for name, _ in by_nr:
        out.append(f"\t[RV_SYS_{name}] = {c_string(name.lower())},")
    out += ["};", "", "#endif /* DOC_ERRORS_H */", ""]
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("docs", nargs="*", metavar="DOC",
                    help="Markdown files with error tables (default: doc/syscalls.md doc/ipc.md)")
    ap.add_argument("--syscall-h", default=os.path.join(ROOT, "include/rvos/syscall.h"),
                    help="the system call numbers (default: include/rvos/syscall.h)")
    ap.add_argument("--errno-h", default=os.path.join(ROOT, "include/rvos/errno.h"),
                    help="the error codes (default: include/rvos/errno.h)")
    ap.add_argument("--unreachable", default=os.path.join(ROOT, "doc/security.md"),
                    help="the table of documented errors no test can produce "
                         "(default: doc/security.md)")
    ap.add_argument("-o", "--output", help="write the C header here")
    ap.add_argument("--check", action="store_true", help="check only, write nothing")
    args = ap.parse_args(argv)
    docs = args.docs or [os.path.join(ROOT, "doc/syscalls.md"), os.path.join(ROOT, "doc/ipc.md")]
    if not args.output and not args.check:
        ap.error("give -o HEADER or --check")
    try:
        calls = parse_enum(args.syscall_h, r"\s*RV_SYS_([A-Z0-9_]+)\s*=\s*(\d+)\s*,",
                           "RV_SYS_<NAME> = <number>, lines")
        errnos = parse_enum(args.errno_h, r"\s*RV_(E[A-Z0-9]+)\s*=\s*(\d+)\s*,",
                            "RV_E<NAME> = <number>, lines")
        documented = read_docs(docs, calls, errnos)
        missing = [(line, name) for name, (_, line) in calls.items()
                   if name.lower() not in documented]
        if missing:
            line, name = min(missing)
            raise DocError(args.syscall_h, line,
                           f"RV_SYS_{name} has no row in any error table of "
                           + ", ".join(rel(d) for d in docs)
                           + f" (add `{name.lower()}` with its errors, or — for none)")
        unreachable = read_unreachable(args.unreachable, calls, documented)
    except DocError as e:
        print(f"doc_errors: {e}", file=sys.stderr)
        return 1
    pairs = sum(len(v) for v in documented.values())
    if args.check:
        print(f"doc_errors: {len(calls)} calls, {pairs} documented errors, "
              f"{len(unreachable)} unreachable: ok")
        return 0
    text = header_text(docs, args.unreachable, calls, documented, unreachable)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
