"""The public surface: an explicit, sorted facade; every exception under ConvoError."""

from __future__ import annotations

import subprocess
import sys

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
