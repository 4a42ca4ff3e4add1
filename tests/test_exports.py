"""The public surface: an explicit, sorted facade; every exception under ConvoError."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import convo


def test_all_is_sorted_and_complete() -> None:
    eager = {n for n in vars(convo) if not n.startswith("_") and not _is_module(n)}
    assert len(set(convo.__all__)) == len(convo.__all__)  # the order is ruff's (RUF022)
    assert eager <= set(convo.__all__)
    assert set(convo.__all__) == eager | set(convo._LAZY)
    for name in convo.__all__:
        assert getattr(convo, name) is not None, name


def test_subsystems_load_on_first_use() -> None:
    code = (
        "import sys, convo; lazy = {'convo.' + m for m in set(convo._LAZY.values())};"
        "print(sorted(lazy & set(sys.modules))); convo.Journal; print('convo._journal' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["['convo._io']", "True"]


def _is_module(name: str) -> bool:
    return type(getattr(convo, name)).__name__ == "module"


def test_every_exception_is_a_convo_error() -> None:
    for name in convo.__all__:
        obj = getattr(convo, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, convo.ConvoError), name
    assert issubclass(convo.ValidationError, ValueError)
    assert issubclass(convo.InputError, ValueError)


def test_import_pulls_in_no_sdk_pydantic_or_hypothesis() -> None:
    code = "import sys, convo; print(sorted(m for m in ('anthropic', 'pydantic', 'hypothesis') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_users_program_sees_convos_types(tmp_path: Path) -> None:
    """mypy, run on a user's program outside this tree, reads convo as typed (its py.typed
    marker is shipped) and catches a misspelt name (no module __getattr__ hides it)."""
    pytest.importorskip("mypy")
    program = tmp_path / "user.py"
    program.write_text("import convo\nreveal_type(convo.Conversation().user('Hi'))\nconvo.Conversaton\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--python-executable",
            sys.executable,
            "user.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if "Cannot find implementation or library stub" in done.stdout:
        pytest.skip("convo is not installed in this environment (only on sys.path)")
    assert "import-untyped" not in done.stdout, done.stdout
    assert 'Revealed type is "convo._conversation.Conversation"' in done.stdout, done.stdout
    assert 'Module has no attribute "Conversaton"' in done.stdout, done.stdout
