"""The public surface: an explicit, sorted facade; every exception under ConvoError."""

from __future__ import annotations

import copy
import os
import pickle
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


def _raised(make: object) -> convo.ConvoError:
    try:
        make()  # type: ignore[operator]
    except convo.ConvoError as exc:
        return exc
    raise AssertionError("nothing raised")


def _examples() -> list[convo.ConvoError]:
    """One real instance of every exception convo raises, each made the way convo makes it."""
    refusal = {"type": "message", "role": "assistant", "content": [{"type": "text", "text": "No"}]}
    cut = {"type": "message", "role": "assistant", "stop_reason": "max_tokens"}
    cut["content"] = [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}]
    conv = convo.Conversation().user("Hi")
    return [
        _raised(lambda: conv.reply({**refusal, "stop_reason": "refusal"})),
        _raised(lambda: conv.reply(cut)),
        _raised(lambda: convo.Conversation.from_wire(b"{")),
        _raised(lambda: convo.Conversation.from_wire(b'{"messages":[],"max_tokens":1e999}')),  # with a path
        _raised(lambda: convo.Conversation().assistant("x").user("y").user([])),
        _raised(lambda: convo.accumulate([{"type": "error", "error": {"type": "overloaded_error"}}])),
        _raised(lambda: convo.accumulate([{"type": "message_stop"}])),
        _raised(lambda: convo.load("/nonexistent/convo.json")),
        _raised(lambda: conv.trim(1, counter=convo.LocalCounter())),
        convo.BudgetTooSmall(5, 10),
        convo.ConversationNotFound("a"),
        convo.CorruptJournal("bad", line=2, offset=10),
        convo.UnsupportedFormat("newer"),
        convo.TokenCountError("no"),
        convo.ToolInputError(tool="f", path="/x", detail="missing"),
        convo.InvalidArgument("x"),
        convo.InputError("number out of range", path="/max_tokens", source="chat.json"),
    ]


def test_every_exception_pickles_and_copies_whole() -> None:
    """A worker process's error reaches the parent as itself (ProcessPoolExecutor pickles it)."""
    examples = _examples()
    kinds = {type(e) for e in examples}
    public = {o for o in map(lambda n: getattr(convo, n), convo.__all__) if isinstance(o, type)}
    raised = {k for k in public if issubclass(k, BaseException)} - {convo.ConvoError, convo.ResponseError}
    assert raised <= kinds | {k for k in raised if any(issubclass(e, k) for e in kinds)}
    for error in examples:
        for copied in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
            assert type(copied) is type(error) and str(copied) == str(error), error
            assert copied.args == error.args and vars(copied).keys() == vars(error).keys(), error
            if isinstance(error, OSError):
                assert (copied.errno, copied.filename) == (error.errno, error.filename)


def test_import_pulls_in_no_sdk_pydantic_or_hypothesis() -> None:
    code = "import sys, convo; print(sorted(m for m in ('anthropic', 'pydantic', 'hypothesis') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_convo_testing_without_hypothesis_names_the_extra() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import convo.testing"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "ImportError: convo.testing needs Hypothesis, which the 'testing' extra installs" in result.stderr


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
