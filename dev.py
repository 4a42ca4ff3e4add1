#!/usr/bin/env python3
"""The two commands: ``python3 dev.py demo`` and ``python3 dev.py test``.

Each makes (or reuses) a virtual environment in ``.venv`` and installs what it needs into it,
so a fresh machine with only Python 3.11+ is enough.  ``python3 dev.py bench`` runs the
benchmarks.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def ensure(extra: str) -> None:
    """Create .venv and install convo with ``extra``, unless pyproject.toml is unchanged since."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is there
        sys.exit(f"convo needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        print("dev.py: creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extra or 'base'}-{digest}"
    if stamp.exists():
        return
    print(f"dev.py: installing convo[{extra}] into .venv", flush=True)
    spec = f"{ROOT}[{extra}]" if extra else str(ROOT)
    run([str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", spec])
    stamp.touch()


def run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    status = subprocess.call(cmd, cwd=ROOT)
    if status:
        sys.exit(status)


def main(argv: list[str]) -> None:
    verb = argv[0] if argv else ""
    if verb == "demo":
        ensure("")
        run([str(BIN / "convo"), "demo"])
    elif verb == "test":
        ensure("dev")
        run([str(PY), "-m", "ruff", "check", "convo", "tests", "typings", "benchmarks", "dev.py"])
        run([str(PY), "-m", "mypy"])
        run([str(PY), "-m", "pytest", *argv[1:]])
    elif verb == "bench":
        ensure("dev")
        run([str(PY), "benchmarks/run.py", *argv[1:]])
    else:
        sys.exit("usage: python3 dev.py demo | test [pytest args] | bench")


if __name__ == "__main__":
    main(sys.argv[1:])
