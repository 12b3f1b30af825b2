#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scripts/fixdep.c's configuration header per object (doc/architecture.md,
"One configuration header per object"), on a small tree compiled with the
host's gcc: the header holds the lines of autoconf.h that the source and
the headers it can include mention, and no other; it is rewritten only
when those lines change; an #include through a macro compiles with the
whole autoconf.h; names in comments and literals are not options read;
a header the scan did not reach (an -iquote folder)
makes fixdep compile again with the whole autoconf.h, with a note; the
dependency file names autoconf.h (or, with --symbols, the symbols' files);
and ccache finds the object in direct mode in a second configuration that
differs only in an option the file does not read.

Usage: test_fixdep.py [OUTDIR]   (rv test runs it with the test's folder)
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "common"))
from hostcheck import BASE, check, fail, run  # noqa: E402

FIXDEP_C = os.path.join(BASE, "scripts", "fixdep.c")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def make_tree(top):
    """A source tree: main.c includes a.h through -I (and, under #if 0,
    never.h, which the scan reads anyway); a.h includes "b.h" from its own
    folder; macro.c includes through a macro; quote.c includes q.h, which
    only -iquote finds."""
    src = os.path.join(top, "src")
    write(os.path.join(src, "inc", "a.h"),
          '#include "sub/b.h"\n#define A_VALUE CONFIG_ALPHA\n')
    write(os.path.join(src, "inc", "sub", "b.h"),
          "#ifdef CONFIG_BETA\n#define B_VALUE 1\n#else\n#define B_VALUE 0\n#endif\n")
    write(os.path.join(src, "inc", "never.h"), "#define NEVER CONFIG_NEVER_USED\n")
    write(os.path.join(src, "main.c"),
          "#include <a.h>\n#include <stddef.h>\n#if 0\n#include <never.h>\n#endif\n"
          "int value(void) { return A_VALUE + B_VALUE + CONFIG_GAMMA; }\n")
    write(os.path.join(src, "macro.c"),
          "#define HEADER <a.h>\n#include HEADER\nint value(void) { return A_VALUE; }\n")
    write(os.path.join(src, "qdir", "q.h"), "#define Q_VALUE CONFIG_DELTA\n")
    write(os.path.join(src, "quote.c"),
          '#include "q.h"\nint value(void) { return Q_VALUE; }\n')
    write(os.path.join(src, "qdir", "r.h"),
          "#ifdef CONFIG_EPSILON\n#define R_VALUE 5\n#else\n#define R_VALUE 0\n#endif\n")
    write(os.path.join(src, "quiet.c"),
          '#include "r.h"\nint value(void) { return R_VALUE; }\n')
    return src


def configure(build, values):
    """build/autoconf.h and build/config/NAME (as scripts/kconfig.py keeps
    them) for {name: value}."""
    os.makedirs(os.path.join(build, "config"), exist_ok=True)
    lines = "".join(f"#define CONFIG_{n} {v}\n" for n, v in values.items())
    write(os.path.join(build, "autoconf.h"), lines)
    for n, v in values.items():
        write(os.path.join(build, "config", n), f"{v}\n")
    write(os.path.join(build, "config", ".symbols"), "\n".join(sorted(values)) + "\n")


def system_dirs():
    """The host gcc's own header folders, as cmake/fixdep.cmake asks the
    cross compiler for its own."""
    p = subprocess.run(["gcc", "-E", "-Wp,-v", "-x", "c", "/dev/null", "-o", "/dev/null"],
                       stderr=subprocess.PIPE, text=True, check=True)
    text = p.stderr.split("#include <...> search starts here:", 1)[1]
    return text.split("End of search list.", 1)[0].split()


SYSTEM = []


def compile_one(fixdep, build, src, source, flags=(), split=True, symbols=False,
                launcher=(), env=None, prefixes=None):
    """Compile source through fixdep in build; (returncode, stderr)."""
    obj = f"{os.path.splitext(source)[0]}.o"
    cmd = [fixdep]
    if split:
        cmd.append("--split")
        for d in SYSTEM:
            cmd += ["--system", d]
    if symbols:
        cmd += ["--symbols", os.path.join(build, "config")]
    if prefixes is None:
        prefixes = [src, build]
    cmd += [os.path.join(build, "autoconf.h")] + [p + "/" for p in prefixes] + ["--"]
    cmd += list(launcher) + ["gcc", "-I", os.path.join(src, "inc")] + list(flags) + [
        "-include", os.path.join(build, "autoconf.h"), "-MD", "-MT", obj, "-MF", obj + ".d",
        "-o", obj, "-c", os.path.join(src, source)]
    p = subprocess.run(cmd, cwd=build, stderr=subprocess.PIPE, text=True, env=env)
    return p.returncode, p.stderr


def value_of(build, obj):
    """What value() returns in the compiled object: link it into a host
    program and run it."""
    main = os.path.join(build, "print.c")
    write(main, '#include <stdio.h>\nint value(void);\n'
          'int main(void) { printf("%d\\n", value()); return 0; }\n')
    exe = os.path.join(build, "print")
    subprocess.run(["gcc", "-o", exe, main, os.path.join(build, obj)], check=True)
    return int(subprocess.run([exe], stdout=subprocess.PIPE, text=True, check=True).stdout)


def body(scratch):
    fixdep = os.path.join(scratch, "fixdep")
    subprocess.run(["gcc", "-O2", "-Wall", "-Werror", "-o", fixdep, FIXDEP_C], check=True)
    SYSTEM[:] = system_dirs()
    src = make_tree(scratch)
    build = os.path.join(scratch, "build")
    values = {"ALPHA": 3, "BETA": 1, "GAMMA": 10, "NEVER_USED": 7, "UNREAD": 99}
    configure(build, values)

    # The header: the names main.c's closure mentions (never.h's too), sorted.
    rc, err = compile_one(fixdep, build, src, "main.c")
    check(rc == 0 and not err, f"main.c: exit {rc}, stderr {err!r}")
    header = os.path.join(build, "main.o.autoconf.h")
    want = ("#define CONFIG_ALPHA 3\n#define CONFIG_BETA 1\n#define CONFIG_GAMMA 10\n"
            "#define CONFIG_NEVER_USED 7\n")
    if check(os.path.exists(header), "no main.o.autoconf.h"):
        check(read(header) == want, f"main.o.autoconf.h is {read(header)!r}, expected {want!r}")
    check(value_of(build, "main.o") == 14, "main.o computes the wrong value")
    deps = read(os.path.join(build, "main.o.d"))
    check("autoconf.h" in deps and "main.o.autoconf.h" not in deps,
          f"main.o.d should name autoconf.h, not the object's header: {deps!r}")
    print("ok: the header holds what main.c's closure mentions, sorted", flush=True)

    # Rewritten only when its lines change.
    before = os.stat(header).st_mtime_ns
    values["UNREAD"] = 100
    configure(build, values)
    compile_one(fixdep, build, src, "main.c")
    check(os.stat(header).st_mtime_ns == before,
          "an option main.c does not read rewrote its header")
    values["BETA"] = 0
    del values["BETA"]
    configure(build, values)
    compile_one(fixdep, build, src, "main.c")
    check("CONFIG_BETA" not in read(header), "BETA switched off is still in the header")
    check(value_of(build, "main.o") == 13, "main.o did not follow BETA switched off")
    print("ok: the header changes only with the options main.c reads", flush=True)

    # What the preprocessor cannot expand is not scanned: comments (one
    # continued onto a second line by a backslash), string and character
    # literals. A name joined across a backslash-newline is. A raw string
    # (GNU C) leaves its file scanned whole; an unclosed quote in assembly
    # (cpp lets it run to the line's end) leaves its line scanned.
    values.update(IN_BLOCK=1, IN_LINE=1, IN_CONTINUED=1, IN_STRING=1, IN_CHAR=1,
                  SPLICED=100, AFTER_COMMENT=20, AFTER_LITERALS=3, IN_RAW=1, AFTER_RAW=4,
                  ASM_QUOTE=1, ASM_VALUE=6)
    configure(build, values)
    write(os.path.join(src, "lex.h"),
          "/* CONFIG_IN_BLOCK, a comment over\n   two lines */\n"
          "// CONFIG_IN_LINE \\\n   CONFIG_IN_CONTINUED\n"
          '#define LEX_STR "CONFIG_IN_STRING \\" // \\\\"\n'
          "#define LEX_CHR '\\'' /* 'CONFIG_IN_CHAR' */\n"
          "#define LEX_VALUE CONF\\\nIG_SPLICED + CONFIG_AFTER_COMMENT /**/ + "
          "(LEX_STR[0] == 'C') + (LEX_CHR == '\\'') + CONFIG_AFTER_LITERALS\n")
    write(os.path.join(src, "lex.c"), '#include "lex.h"\nint value(void) { return LEX_VALUE; }\n')
    rc, err = compile_one(fixdep, build, src, "lex.c")
    check(rc == 0 and not err, f"lex.c: exit {rc}, stderr {err!r}")
    want = ("#define CONFIG_AFTER_COMMENT 20\n#define CONFIG_AFTER_LITERALS 3\n"
            "#define CONFIG_SPLICED 100\n")
    got = read(os.path.join(build, "lex.o.autoconf.h"))
    check(got == want, f"lex.o.autoconf.h is {got!r}, expected {want!r}")
    check(value_of(build, "lex.o") == 125, "lex.o computes the wrong value")
    write(os.path.join(src, "raw.c"),
          'static const char *s = R"x(CONFIG_IN_RAW " // )x";\n'
          "int value(void) { return CONFIG_AFTER_RAW + (s[0] == 'C'); }\n")
    rc, err = compile_one(fixdep, build, src, "raw.c")
    got = read(os.path.join(build, "raw.o.autoconf.h"))
    check(rc == 0 and not err and "CONFIG_AFTER_RAW 4" in got and "CONFIG_IN_RAW" in got,
          f"raw.c: exit {rc}, stderr {err!r}, header {got!r}")
    check(value_of(build, "raw.o") == 5, "raw.o computes the wrong value")
    write(os.path.join(src, "quote.S"),
          "# it's CONFIG_ASM_QUOTE\n.globl asm_value\nasm_value: .long CONFIG_ASM_VALUE\n")
    rc, err = compile_one(fixdep, build, src, "quote.S")
    got = read(os.path.join(build, "quote.o.autoconf.h"))
    check(rc == 0 and not err and got == "#define CONFIG_ASM_QUOTE 1\n#define CONFIG_ASM_VALUE 6\n",
          f"quote.S: exit {rc}, stderr {err!r}, header {got!r}")
    print("ok: comments and literals are not scanned; spliced names, raw strings and "
          "assembly's open quotes are", flush=True)

    # A source outside the scan prefixes (an app outside the tree): its
    # options are in its header all the same.
    write(os.path.join(scratch, "elsewhere", "app.c"),
          "#include <a.h>\nint value(void) { return A_VALUE + CONFIG_GAMMA; }\n")
    rc, err = compile_one(fixdep, build, os.path.join(scratch, "elsewhere"), "app.c",
                          flags=["-I", os.path.join(src, "inc")], prefixes=[build])
    check(rc == 0 and not err, f"app.c: exit {rc}, stderr {err!r}")
    check(value_of(build, "app.o") == 13, "app.o (outside the prefixes) computes the wrong value")

    # An #include through a macro: the whole autoconf.h, no header, no note.
    rc, err = compile_one(fixdep, build, src, "macro.c")
    check(rc == 0 and not err, f"macro.c: exit {rc}, stderr {err!r}")
    check(not os.path.exists(os.path.join(build, "macro.o.autoconf.h")),
          "macro.c got a header of its own although its #include is a macro")
    check(value_of(build, "macro.o") == 3, "macro.o computes the wrong value")

    # Headers only -iquote finds: the scan misses them. q.h uses an option
    # the object's header lacks, so the compile fails; r.h tests one with
    # #ifdef, so the compile succeeds with the wrong value, and the check of
    # the dependency file notices. Either way fixdep compiles again with the
    # whole autoconf.h, shows only that compile's messages, and says so.
    values["DELTA"] = 42
    values["EPSILON"] = 1
    configure(build, values)
    iquote = ["-iquote", os.path.join(src, "qdir")]
    rc, err = compile_one(fixdep, build, src, "quote.c", flags=iquote)
    check(rc == 0, f"quote.c: exit {rc}, stderr {err!r}")
    check("error" not in err and "failed" in err and "whole" in err,
          f"quote.c: the failed compile's messages, or no note: {err!r}")
    check(value_of(build, "quote.o") == 42, "quote.o computes the wrong value")
    check("autoconf.h" in read(os.path.join(build, "quote.o.d")),
          "quote.o.d does not name autoconf.h")
    rc, err = compile_one(fixdep, build, src, "quiet.c", flags=iquote)
    check(rc == 0 and "r.h" in err and "did not reach" in err,
          f"quiet.c: exit {rc}, no note about r.h: {err!r}")
    check(value_of(build, "quiet.o") == 5, "quiet.o computes the wrong value")
    # A real error is reported once, as the compiler gives it.
    write(os.path.join(src, "broken.c"), "int value(void) { return undeclared; }\n")
    rc, err = compile_one(fixdep, build, src, "broken.c")
    check(rc != 0 and err.count("error:") == 1 and "fixdep:" not in err,
          f"broken.c: exit {rc}, stderr {err!r}")
    print("ok: an #include the scan cannot follow compiles with the whole autoconf.h",
          flush=True)

    # --symbols: the dependency file names the files of the symbols.
    rc, err = compile_one(fixdep, build, src, "main.c", symbols=True)
    deps = read(os.path.join(build, "main.o.d"))
    check(rc == 0 and os.path.join("config", "ALPHA") in deps and
          os.path.join("config", "GAMMA") in deps and os.path.join("config", "UNREAD") not in deps
          and "autoconf.h" not in deps, f"--symbols: main.o.d is {deps!r}")

    # ccache: a second configuration that differs only in an option main.c
    # does not read finds the object in direct mode.
    ccache = shutil.which("ccache")
    if not ccache:
        fail("ccache is not installed (`rv setup` installs it)")
        return
    env = dict(os.environ, CCACHE_DIR=os.path.join(scratch, "ccache"), CCACHE_BASEDIR=scratch,
               CCACHE_NOHASHDIR="true")
    env.pop("CCACHE_DISABLE", None)
    for name, unread in (("one", 1), ("two", 2)):
        b = os.path.join(scratch, name)
        configure(b, {"ALPHA": 3, "GAMMA": 10, "UNREAD": unread})
        rc, err = compile_one(fixdep, b, src, "main.c", launcher=[ccache], env=env)
        check(rc == 0, f"{name}: exit {rc}, stderr {err!r}")
    stats = subprocess.run([ccache, "--print-stats"], env=env, stdout=subprocess.PIPE,
                           text=True, check=True).stdout
    counts = dict(line.split("\t", 1) for line in stats.splitlines() if "\t" in line)
    direct = int(counts.get("direct_cache_hit", "0"))
    check(direct == 1, f"ccache: {direct} direct-mode hits, expected 1:\n{stats}")
    print("ok: ccache finds the object in direct mode in the second configuration", flush=True)


def main():
    return run("fixdep", body)


if __name__ == "__main__":
    sys.exit(main())
