# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by rvOS's Python tools: finding the interpreter that sees
Debian's python3-* packages, and importing those packages with a clear error."""

import importlib
import os
import sys

# Debian installs python3-kconfiglib and python3-yaml for /usr/bin/python3. A
# python3 earlier on the PATH (pyenv, a venv) may not see them.
SYSTEM_PYTHON = "/usr/bin/python3"


def need_module(name, debian_package):
    """Import a module from Debian's packages or stop with how to get it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        sys.stderr.write(
            f"error: Python module '{name}' is not importable by {sys.executable}.\n"
            f"  Install Debian's {debian_package} (`./rv setup` does it) and run the tools\n"
            f"  with {SYSTEM_PYTHON}, which `rv` picks by itself.\n")
        sys.exit(2)


def reexec_with_system_python():
    """Re-run this program under /usr/bin/python3 when it is another interpreter.

    `rv` calls this first so that `python3 rv`, `./rv` under pyenv and CI all
    see the same packages. RV_NO_REEXEC=1 turns it off (for debugging)."""
    if os.environ.get("RV_NO_REEXEC") == "1":
        return
    if not os.path.exists(SYSTEM_PYTHON):
        return
    try:
        if os.path.samefile(sys.executable, SYSTEM_PYTHON):
            return
    except OSError:
        pass
    os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON] + sys.argv)
