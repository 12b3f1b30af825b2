#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The traps of `rv build` and `rv savedefconfig` (doc/configuration.md),
each in the order a user meets it: a misspelt -DCONFIG_ that stayed in
CMake's cache, menuconfig changes that -p dropped, a defconfig -p deleted,
savedefconfig writing the board's choice, Zephyr's variables ignored, an
app folder that does not exist; and west's -p auto, BOARD from the
environment and the app defaulting to the current folder. Builds are configured only (the merge and
CMake), nothing is compiled.

Usage: test_rv.py [OUTDIR]   (rv test runs it with the test's folder)
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

BASE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))
# Started under this interpreter, not through rv's #! line (a pyenv
# python there costs 0.07 s of CPU more a start; doc/testing.md).
RV = [sys.executable, os.path.join(BASE, "rv")]
VIRT = "qemu_virt_riscv64"
APP = "tests/build/kconfig"          # a kernel-only app: quick to configure
failures = []


def rv(*args, ok=True, cwd=BASE, env=None):
    """Run ./rv (in cwd, with env added to the environment); returns its
    output (stdout and stderr); records a failure when its exit status is
    not what `ok` says."""
    # BOARD and RV_NO_PLATFORM_CACHE from the caller's shell would change
    # what is tested: each test sets what it needs.
    environ = {k: v for k, v in os.environ.items() if k not in ("BOARD", "RV_NO_PLATFORM_CACHE")}
    environ.update(env or {})
    p = subprocess.run(RV + list(args), cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, env=environ)
    if (p.returncode == 0) != ok:
        fail(f"`rv {' '.join(args)}` exited with {p.returncode}, expected "
             f"{'0' if ok else 'an error'}:\n{p.stdout[-2000:]}")
    return p.stdout


def fail(what):
    failures.append(what)
    print("FAIL: " + what, flush=True)


def expect(text, regex, what):
    if not re.search(regex, text, re.M):
        fail(f"{what}: no match for {regex!r} in:\n{text[-2000:]}")


def expect_not(text, regex, what):
    if re.search(regex, text, re.M):
        fail(f"{what}: unexpected match for {regex!r} in:\n{text[-2000:]}")


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def cached(d, key):
    """KEY's value in the build folder's CMakeCache.txt (BOARD, APP_DIR)."""
    m = re.search(rf"^{key}:\w+=(.*)$", read(os.path.join(d, "CMakeCache.txt")), re.M)
    return m.group(1) if m else None


def stack_size(d):
    m = re.search(r"^#define CONFIG_BOOT_STACK_SIZE (\d+)$",
                  read(os.path.join(d, "include", "generated", "autoconf.h")), re.M)
    return int(m.group(1)) if m else None


def edit_config(d, value):
    """What saving in `rv menuconfig` does: a new .config."""
    path = os.path.join(d, ".config")
    text = re.sub(r"^CONFIG_BOOT_STACK_SIZE=\d+$", f"CONFIG_BOOT_STACK_SIZE={value}", read(path),
                  flags=re.M)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def test_app_path(out):
    d = os.path.join(out, "app")
    text = rv("build", "-b", VIRT, "-d", d, "samples/nosuch", ok=False)
    expect(text, r"samples/nosuch: no such folder \(.*samples/nosuch does not exist\)",
           "an unknown app folder")
    text = rv("build", "-b", VIRT, "-d", d, "doc", ok=False)
    expect(text, r"doc: not an app folder \(no CMakeLists.txt\)", "a folder that is no app")


def test_pristine_auto(out):
    """-p auto (as in west): start over only when the app or the board
    differs from the folder's build; -p alone is -p always."""
    d = os.path.join(out, "auto")
    rv("build", "-b", VIRT, "-d", d, APP, "--configure-only")
    text = rv("build", "-d", d, "samples/hello", "--configure-only", ok=False)
    expect(text, r"holds a build of .*tests/build/kconfig for qemu_virt_riscv64: add -p to start "
           r"it over \(-p auto: only when the app or board changes\)", "another app without -p")
    rv("build", "-p", "auto", "-d", d, "samples/hello", "--configure-only")
    if not (cached(d, "APP_DIR") or "").endswith("samples/hello"):
        fail(f"-p auto with another app: the build is of {cached(d, 'APP_DIR')}")
    marker = os.path.join(d, "kept-by-auto")
    with open(marker, "w", encoding="utf-8"):
        pass
    rv("build", "-p", "auto", "-d", d, "samples/hello", "--configure-only")
    if not os.path.exists(marker):
        fail("-p auto with the same app and board started the build over")
    rv("build", "-p", "auto", "-b", "qemu_sifive_u", "-d", d, "--configure-only")
    if cached(d, "BOARD") != "qemu_sifive_u" or os.path.exists(marker):
        fail(f"-p auto with another board: board {cached(d, 'BOARD')}, folder "
             f"{'kept' if os.path.exists(marker) else 'started over'}")
    # A bare -p before the app folder is -p always (the folder is not its value).
    with open(marker, "w", encoding="utf-8"):
        pass
    rv("build", "-p", "samples/hello", "-d", d, "--configure-only")
    if os.path.exists(marker):
        fail("-p samples/hello did not start the build over")
    # So a word after -p that is no value of it is the app folder.
    text = rv("build", "-p", "sometimes", "-d", d, "--configure-only", ok=False)
    expect(text, r"sometimes: no such folder", "-p with a word that is none of its values")


def test_board_from_environment(out):
    """-b, else the folder's board, else the environment variable BOARD."""
    d = os.path.join(out, "envboard")
    rv("build", "-d", d, APP, "--configure-only", env={"BOARD": "qemu_sifive_u"})
    if cached(d, "BOARD") != "qemu_sifive_u":
        fail(f"BOARD=qemu_sifive_u in the environment: the build is for {cached(d, 'BOARD')}")
    # The folder's board wins over the environment's, -b over both.
    rv("build", "-d", d, "--configure-only", env={"BOARD": VIRT})
    if cached(d, "BOARD") != "qemu_sifive_u":
        fail(f"the folder's board lost to BOARD in the environment: {cached(d, 'BOARD')}")
    text = rv("build", "-d", os.path.join(out, "envboard2"), APP, "--configure-only",
              env={"BOARD": "nosuch"}, ok=False)
    expect(text, r"the environment variable BOARD=nosuch names no board: the boards are "
           r".*qemu_virt_riscv64", "BOARD naming no board")
    text = rv("build", "-d", os.path.join(out, "envboard3"), APP, "--configure-only", ok=False)
    expect(text, r"no board: give one with -b BOARD or the environment variable BOARD",
           "no board at all")


def test_app_from_current_folder(out):
    """As in west: without an app folder (and no build to take it from),
    the current folder is the app when it is one."""
    d = os.path.join(out, "cwdapp")
    rv("build", "-b", VIRT, "-d", d, "--configure-only", cwd=os.path.join(BASE, APP))
    if os.path.realpath(cached(d, "APP_DIR") or "") != os.path.join(BASE, APP):
        fail(f"rv build in {APP}: the build is of {cached(d, 'APP_DIR')}")
    text = rv("build", "-b", VIRT, "-d", os.path.join(out, "cwdapp2"), "--configure-only",
              ok=False)
    expect(text, r"no app: give the app folder, .* or run rv build in the app's folder "
           r"\(.* is not one: the top of rvOS\)", "rv build at the top without an app")
    text = rv("build", "-b", VIRT, "-d", os.path.join(out, "cwdapp3"), "--configure-only",
              cwd=os.path.join(BASE, "doc"), ok=False)
    expect(text, r"is not one: no CMakeLists.txt\)", "rv build in a folder that is no app")


def test_configs_not_sticky(out):
    d = os.path.join(out, "sticky")
    text = rv("build", "-b", VIRT, "-d", d, APP, "--configure-only", "--",
              "-DCONFIG_BOOT_STAK_SIZE=8192", ok=False)
    expect(text, r"CONFIG_BOOT_STAK_SIZE is not defined", "a misspelt -DCONFIG_")
    # The corrected command: the misspelt name must be gone from the cache.
    text = rv("build", "-d", d, "--configure-only", "--", "-DCONFIG_BOOT_STACK_SIZE=8192")
    expect(text, r"not kept from an earlier build .*: -DCONFIG_BOOT_STAK_SIZE=8192$",
           "the corrected command drops the misspelt one")
    if stack_size(d) != 8192:
        fail(f"-DCONFIG_BOOT_STACK_SIZE=8192 gave {stack_size(d)}")
    # A build without -D: the earlier value is dropped, and said so.
    text = rv("build", "-d", d, "--configure-only")
    expect(text, r"not kept from an earlier build \(--keep-configs keeps them\): "
           r"-DCONFIG_BOOT_STACK_SIZE=8192", "dropping an earlier -D")
    if stack_size(d) != 16384:
        fail(f"after dropping -DCONFIG_BOOT_STACK_SIZE=8192: {stack_size(d)}, expected 16384")
    # Unless asked.
    rv("build", "-d", d, "--configure-only", "--", "-DCONFIG_BOOT_STACK_SIZE=32768")
    rv("build", "-d", d, "--configure-only", "--keep-configs")
    if stack_size(d) != 32768:
        fail(f"--keep-configs: {stack_size(d)}, expected 32768")


def test_menuconfig_and_pristine(out):
    d = os.path.join(out, "edited")
    rv("build", "-b", VIRT, "-d", d, APP, "--configure-only")
    edit_config(d, 24576)
    rv("build", "-d", d, "--configure-only")
    if stack_size(d) != 24576:
        fail(f"a menuconfig change was not kept by rv build: {stack_size(d)}")
    text = rv("savedefconfig", "-d", d)
    defconfig = read(os.path.join(d, "defconfig"))
    expect(defconfig, r"^CONFIG_BOOT_STACK_SIZE=24576$", "savedefconfig of the change")
    expect_not(defconfig, r"BOARD", "savedefconfig writes no board choice")
    # -p would delete the change: refused, saying how to keep it.
    text = rv("build", "-p", "-d", d, "--configure-only", ok=False)
    expect(text, r"\.config has changes made with `rv menuconfig` \(or by hand\) that -p would "
           r"delete: keep them with `rv savedefconfig", "-p over menuconfig changes")
    if stack_size(d) != 24576:
        fail("the refused -p changed the build")
    text = rv("build", "-p", "--discard-config", "-d", d, "--configure-only")
    expect(text, r"-p kept defconfig", "-p keeps the build's defconfig")
    if read(os.path.join(d, "defconfig")) != defconfig:
        fail("-p deleted (or changed) the build's defconfig")
    if stack_size(d) != 16384:
        fail(f"-p --discard-config: {stack_size(d)}, expected 16384")
    # An input changes over a menuconfig change: merged afresh, the change
    # kept aside and said so.
    edit_config(d, 40960)
    text = rv("build", "-d", d, "--configure-only", "--", "-DCONFIG_BOOT_STACK_SIZE=8192")
    expect(text, r"note: Kconfig: an input of the merge changed, .* kept in .*\.config\.edited",
           "a merge over menuconfig changes")
    expect(read(os.path.join(d, ".config.edited")), r"^CONFIG_BOOT_STACK_SIZE=40960$",
           ".config.edited")


def test_savedefconfig_board(out):
    d = os.path.join(out, "shell_sifive")
    rv("build", "-b", "qemu_sifive_u", "-d", d, "samples/shell", "--configure-only")
    conf = os.path.join(d, "app.conf")
    text = rv("savedefconfig", "-d", d, "-o", conf)
    saved = read(conf)
    expect_not(saved, r"BOARD", "no board choice in savedefconfig's output")
    expect_not(saved, r"INIT_MANIFEST", "no setting of boards/qemu_sifive_u.conf")
    expect(saved, r"^CONFIG_MSG_MAX_BYTES=4160$", "the app's own settings")
    expect(text, r"left out as the app's boards/qemu_sifive_u.conf has them: .*"
           r"CONFIG_INIT_MANIFEST", "savedefconfig says what it left out")


def test_zephyr_variables(out):
    d = os.path.join(out, "zephyr")
    for var, why in (("SHIELD", "rvOS has no shields"),
                     ("DTC_OVERLAY_FILE", "rvOS has no devicetree overlays"),
                     ("OVERLAY_CONFIG", "Zephyr's old name for EXTRA_CONF_FILE")):
        text = rv("build", "-b", VIRT, "-d", d, APP, "--configure-only", "--", f"-D{var}=x",
                  ok=False)
        expect(text, rf"^error: -D{var}: {why}", f"-D{var}")
        # Not in the cache: the command without it works.
        rv("build", "-b", VIRT, "-d", d, APP, "--configure-only")
    text = rv("build", "-d", d, "--configure-only", "--", "-DCONF_FILE=missing.conf", ok=False)
    expect(text, r"^error: CONF_FILE: .*/missing.conf does not exist", "CONF_FILE=missing.conf")
    rv("build", "-d", d, "--configure-only", "--", "-DCONF_FILE=small_stack.conf")
    if stack_size(d) != 8192:
        fail(f"CONF_FILE=small_stack.conf: {stack_size(d)}, expected 8192")


def platform_dirs(d):
    """The version folders under d/CMakeFiles that hold CMake's platform files."""
    top = os.path.join(d, "CMakeFiles")
    try:
        return [v for v in os.listdir(top)
                if os.path.isfile(os.path.join(top, v, "CMakeCCompiler.cmake"))]
    except OSError:
        return []


def ninja_text(d):
    """d's build.ninja and rules.ninja with d's own path taken out (to
    compare two folders), but the lists of CMake's own modules that
    configuring read (which modules depends on what it found out itself)."""
    lines = [ln for ln in read(os.path.join(d, "build.ninja")).splitlines()
             if not (ln.startswith("build build.ninja: RERUN_CMAKE") or
                     (ln.startswith("build .config ") and ln.endswith(": phony")))]
    lines += read(os.path.join(d, "CMakeFiles", "rules.ninja")).splitlines()
    return "\n".join(lines).replace(d, "BUILD")


def test_platform_files(out):
    """rv build seeds a new build folder with CMake's platform files (the
    compilers' identity and ABI) from the user's cache, instead of CMake
    finding them out again; the build it configures must be the same as
    CMake's own: build.ninja as CMake writes it when it configures a
    folder again (a configure in full also writes a few variables no
    rule reads, TARGET_PDB)."""
    cache = os.path.join(out, "xdg-cache")
    env = {"XDG_CACHE_HOME": cache}
    first, seeded, plain, stale = (os.path.join(out, n) for n in
                                   ("plat-first", "plat-seeded", "plat-plain", "plat-stale"))
    rv("build", "-b", VIRT, "-d", first, APP, "--configure-only", env=env)
    kept = [n for n in os.listdir(os.path.join(cache, "rvos")) if n.startswith("cmake-platform-")]
    if len(kept) != 1 or not os.path.isfile(os.path.join(cache, "rvos", kept[0], "version")):
        fail(f"the first configure kept no platform files in {cache}/rvos: {kept}")
        return
    versions = platform_dirs(first)
    if len(versions) != 1 or not os.path.isdir(os.path.join(first, "CMakeFiles", versions[0],
                                                            "CompilerIdC")):
        fail(f"the first configure did not find the compiler out itself: {versions}")
        return
    in_full = ninja_text(first)
    rv("build", "-d", first, "--configure-only", env=env)      # CMake configures it again
    again = ninja_text(first)
    if "riscv64-unknown-elf-gcc" not in again:
        fail(f"{first}/build.ninja names no compiler")
    rv("build", "-b", VIRT, "-d", seeded, APP, "--configure-only", env=env)
    if os.path.isdir(os.path.join(seeded, "CMakeFiles", versions[0], "CompilerIdC")):
        fail("a second build folder found the compiler out again instead of being seeded")
    if cached(seeded, "CMAKE_PLATFORM_INFO_INITIALIZED") != "1":
        fail("the seeded folder's CMakeCache.txt lacks CMAKE_PLATFORM_INFO_INITIALIZED")
    if ninja_text(seeded) != again:
        fail("the seeded folder's build.ninja differs from CMake's own (configured again)")
    # Off: CMake finds the compiler out itself, as in the first folder.
    rv("build", "-b", VIRT, "-d", plain, APP, "--configure-only",
       env=dict(env, RV_NO_PLATFORM_CACHE="1"))
    if not os.path.isdir(os.path.join(plain, "CMakeFiles", versions[0], "CompilerIdC")):
        fail("RV_NO_PLATFORM_CACHE=1 still seeded the build folder")
    if ninja_text(plain) != in_full:
        fail("RV_NO_PLATFORM_CACHE=1: build.ninja differs from the first folder's")
    # A cache written by another CMake (another version folder): CMake
    # finds the compiler out in its own, and the configure still works.
    with open(os.path.join(cache, "rvos", kept[0], "version"), "w", encoding="utf-8") as f:
        f.write("0.0.0\n")
    rv("build", "-b", VIRT, "-d", stale, APP, "--configure-only", env=env)
    if ninja_text(stale) != in_full:
        fail("a platform cache of another CMake version changed the configured build")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="test_rv.")
    out = os.path.join(os.path.abspath(out), "builds")
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for test in (test_app_path, test_configs_not_sticky, test_menuconfig_and_pristine,
                 test_savedefconfig_board, test_zephyr_variables, test_pristine_auto,
                 test_board_from_environment, test_app_from_current_folder, test_platform_files):
        before = len(failures)
        test(out)
        print(f"{test.__name__}: {'ok' if len(failures) == before else 'FAILED'}", flush=True)
    shutil.rmtree(out, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
