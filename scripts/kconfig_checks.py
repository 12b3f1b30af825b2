# SPDX-License-Identifier: Apache-2.0
"""Rules across Kconfig symbols, written next to the options they constrain.

Kconfig can say `range` and `depends on`, but not "a multiple of 4096" or
"below NUM_PRIORITIES". Such a rule is a comment in any Kconfig file the
merge reads (the app's own Kconfig too), right after the options it is
about:

    # check: KERNEL_STACK_SIZE % 4096 == 0,
    #   "must be a multiple of 4096 (whole pages)"
    # check sysinfo: MSG_MAX_BYTES >= 71 + PROC_NAME_MAX,
    #   "the sysinfo server pages one record with the longest name"

After `check` may come the name of a program (as given to rvos_program()):
the rule then holds only for apps that build that program (the build
refuses when it does); then `if CONDITION`: the rule holds only where the
condition (an expression as below) is true, and its symbols are not
listed in the error. After the colon: a Python expression over symbol
names (without CONFIG_), a comma and the message, as a string. The rule
goes on over the next comment lines until it parses. Symbols read as
their values: int and hex as numbers, bool as True/False, string as str.
A rule naming a symbol whose dependencies are unmet (it has no value) does
not apply. Operators: arithmetic (// for division), comparisons (`in` too:
a word in words(s), a substring in a string), and/or/not,
bit operations, `x if c else y`, `[e for x in xs if c]` and `(e for x in
xs)`; functions: min, max (0 of an empty list), len, sum, words(s) (the
space-separated words of s), split(s, sep=","), field(s, i) (field i,
counted from 0, of each ':'-separated word of s, as numbers where they
are), is_power_of_2(n), hex(n) (for a message).
{EXPR} in the message is replaced by its value.

A broken rule (unknown symbol, syntax) is an error naming its file and line.
"""

import ast
import os
import re

RULE_START = re.compile(r"^\s*#\s*check(?:\s+(?!if\s)([A-Za-z0-9_.+-]+))?"
                        r"(?:\s+if\s+([^:]+))?\s*:(.*)$")
CONTINUATION = re.compile(r"^\s*#(.*)$")
MAX_LINES = 12   # a rule that does not parse within this many lines is a mistake


class RuleError(Exception):
    """A rule that cannot be read or evaluated; the message names where."""


class NotApplicable(Exception):
    """A symbol of the rule has no value (its dependencies are unmet)."""


class Rule:
    def __init__(self, program, expr_text, expr, message, where, when=None):
        self.program = program      # None: every app
        self.when = when            # ast node: the rule holds only where it is true
        self.expr_text = expr_text
        self.expr = expr            # ast node
        self.message = message
        self.where = where          # "file:line"

    def names(self):
        """Symbol names the expression reads, in order of appearance (not
        functions, not the variables of `for` clauses)."""
        local = {n.target.id for n in ast.walk(self.expr)
                 if isinstance(n, ast.comprehension) and isinstance(n.target, ast.Name)}
        called = {id(n.func) for n in ast.walk(self.expr) if isinstance(n, ast.Call)}
        seen = []
        names = sorted((n for n in ast.walk(self.expr)
                        if isinstance(n, ast.Name) and id(n) not in called),
                       key=lambda n: n.col_offset)
        for node in names:
            if node.id not in FUNCTIONS and node.id not in local and node.id not in seen:
                seen.append(node.id)
        return seen


def _parse_rule(text):
    """(the (expression, message) tuple, None), or (None, why it is not one yet)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        return None, e.msg
    body = tree.body
    if not (isinstance(body, ast.Tuple) and len(body.elts) == 2 and
            isinstance(body.elts[1], ast.Constant) and isinstance(body.elts[1].value, str)):
        return None, "not an expression, a comma and a message (a string)"
    return body, None


def read_rules(path, shown):
    """The rules of one file. shown: the file's name in messages."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    rules = []
    i = 0
    while i < len(lines):
        m = RULE_START.match(lines[i])
        if not m:
            i += 1
            continue
        where = f"{shown}:{i + 1}"
        text = m.group(3)
        when = None
        if m.group(2):
            try:
                when = ast.parse(m.group(2).strip(), mode="eval").body
            except SyntaxError as e:
                raise RuleError(f"{where}: the condition after `if` does not parse: {e.msg}")
        body, err = _parse_rule(text)
        j = i + 1
        while body is None and j < len(lines) and j - i < MAX_LINES:
            c = CONTINUATION.match(lines[j])
            if not c or RULE_START.match(lines[j]):
                break
            text += " " + c.group(1).strip()
            body, err = _parse_rule(text)
            j += 1
        if body is None:
            raise RuleError(f"{where}: the rule does not parse: {err} "
                            f"(`# check: EXPRESSION, \"MESSAGE\"`, continued on comment lines)")
        expr_src = ast.get_source_segment(text.strip(), body.elts[0]) or text.strip()
        rules.append(Rule(m.group(1), " ".join(expr_src.split()), body.elts[0],
                          body.elts[1].value, where, when))
        i = j
    return rules


# ---------------------------------------------------------------- evaluation

def _is_power_of_2(n):
    return isinstance(n, int) and n > 0 and n & (n - 1) == 0


def _words(s):
    return str(s).split()


def _field(s, i):
    out = []
    for w in str(s).split():
        parts = w.split(":")
        if i < len(parts):
            v = parts[i]
            out.append(int(v) if re.fullmatch(r"-?\d+", v) else v)
    return out


def _max(*args):
    if len(args) == 1 and isinstance(args[0], list):
        return max(args[0]) if args[0] else 0
    return max(args)


def _min(*args):
    if len(args) == 1 and isinstance(args[0], list):
        return min(args[0]) if args[0] else 0
    return min(args)


def _split(s, sep=","):
    return [w for w in str(s).split(sep) if w]


FUNCTIONS = {"min": _min, "max": _max, "len": len, "sum": sum, "words": _words,
             "field": _field, "split": _split, "is_power_of_2": _is_power_of_2,
             "hex": hex}

BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
          ast.Mult: lambda a, b: a * b, ast.FloorDiv: lambda a, b: a // b,
          ast.Mod: lambda a, b: a % b, ast.BitAnd: lambda a, b: a & b,
          ast.BitOr: lambda a, b: a | b, ast.BitXor: lambda a, b: a ^ b,
          ast.LShift: lambda a, b: a << b, ast.RShift: lambda a, b: a >> b}
COMPARES = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
            ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
            ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}


def evaluate(node, value_of, local=None):
    """Evaluate a rule's expression; value_of(name) gives a symbol's value,
    local the variables of the `for` clauses around node."""
    local = local or {}
    ev = lambda n: evaluate(n, value_of, local)  # noqa: E731
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, str)):
        return node.value
    if isinstance(node, ast.Name):
        return local[node.id] if node.id in local else value_of(node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [ev(e) for e in node.elts]
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)) and len(node.generators) == 1 \
            and isinstance(node.generators[0].target, ast.Name):
        gen = node.generators[0]
        out = []
        for item in ev(gen.iter):
            inner = dict(local, **{gen.target.id: item})
            if all(evaluate(c, value_of, inner) for c in gen.ifs):
                out.append(evaluate(node.elt, value_of, inner))
        return out
    if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
        return BINOPS[type(node.op)](ev(node.left), ev(node.right))
    if isinstance(node, ast.UnaryOp):
        v = ev(node.operand)
        if isinstance(node.op, ast.Not):
            return not v
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.Invert):
            return ~v
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            for v in node.values:
                if not ev(v):
                    return False
            return True
        for v in node.values:
            if ev(v):
                return True
        return False
    if isinstance(node, ast.Compare):
        left = ev(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            right = ev(right_node)
            if type(op) not in COMPARES or not COMPARES[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return ev(node.body) if ev(node.test) else ev(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in FUNCTIONS and not node.keywords:
        return FUNCTIONS[node.func.id](*[ev(a) for a in node.args])
    raise RuleError(f"unsupported in a rule: {ast.dump(node)[:60]}")


MESSAGE_EXPR = re.compile(r"\{([^{}]+)\}")


def check(rules, value_of, shown_value):
    """Evaluate rules; return (rule, error line) for each that fails.

    value_of(name) returns a symbol's value, raises NotApplicable when it
    has none and KeyError when no Kconfig file defines it; shown_value(name)
    is the value as a .config would write it."""
    failed = []
    for rule in rules:
        try:
            for name in rule.names():
                value_of(name)
            if rule.when is not None and not evaluate(rule.when, value_of):
                continue
        except KeyError as e:
            raise RuleError(f"{rule.where}: the rule names {e.args[0]}, which no Kconfig "
                            f"file defines (symbols without CONFIG_)")
        except NotApplicable:
            continue
        try:
            ok = evaluate(rule.expr, value_of)
        except (TypeError, ValueError, ZeroDivisionError, RuleError) as e:
            raise RuleError(f"{rule.where}: the rule `{rule.expr_text}` cannot be evaluated: {e}")
        if ok:
            continue
        msg = MESSAGE_EXPR.sub(
            lambda m: str(evaluate(ast.parse(m.group(1).strip(), mode="eval").body, value_of)),
            rule.message)
        values = ", ".join(f"CONFIG_{n}={shown_value(n)}" for n in rule.names())
        shown = f"rule `{rule.expr_text}`, " if len(rule.expr_text) <= 60 else ""
        failed.append((rule, f"{values}: {msg} ({shown}{rule.where})"))
    return failed


def shown_path(path, srctree):
    """A Kconfig file's name as messages show it: relative to the tree when inside."""
    full = os.path.abspath(path if os.path.isabs(path) else os.path.join(srctree, path))
    rel = os.path.relpath(full, srctree)
    return full if rel.startswith("..") else rel
