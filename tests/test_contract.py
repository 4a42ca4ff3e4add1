"""The public contract of the design document, row by row, where no other test pins it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anthropic
import pytest

import convo
from convo._cli import main

ROOT = Path(__file__).resolve().parent.parent
ORPHAN = [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "a\nb", "content": "x"}]}]
NOT_MESSAGES = [1, 2]


def stderr_of(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    status = main(list(args))
    return status, capfd.readouterr().err.splitlines()


# --- the command line: one clear line on stderr, whatever a name or a conversation holds ---------


@pytest.mark.parametrize("verb", [["count"], ["show"], ["trim", "--budget", "100"], ["export"]])
def test_a_file_name_with_a_newline_is_shown_whole(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], verb: list[str]
) -> None:
    missing = tmp_path / "new\nline.json"
    assert stderr_of(capfd, *verb, str(missing)) == (
        2,
        [f"convo: {tmp_path}/new\\x0aline.json: no such file"],
    )
    invalid = tmp_path / "bad\nname.json"
    invalid.write_text(json.dumps(NOT_MESSAGES))
    status, err = stderr_of(capfd, *verb, str(invalid))
    assert status == 1
    assert len(err) == 1
    assert err[0].startswith(
        f"convo: {tmp_path}/bad\\x0aname.json: not a valid conversation: error message-malformed"
    )


@pytest.mark.parametrize("verb", [["count"], ["show"], ["trim", "--budget", "100"], ["export"]])
def test_a_problem_with_a_newline_is_shown_whole(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], verb: list[str]
) -> None:
    path = tmp_path / "orphan.json"
    path.write_text(json.dumps(ORPHAN))
    status, err = stderr_of(capfd, *verb, str(path))
    assert status == 1
    assert err == [
        f"convo: {path}: not a valid conversation: error tool-result-orphan at /messages/0/content/0: "
        "tool_result for a\\x0ab, which no tool_use in the previous assistant turn has "
        "(drop the result, or keep the assistant turn that asked for it)"
    ]


def test_standard_input_is_read_once() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "convo", "check", "-", "-", "--json"],
        input=b'[{"role": "user", "content": "Hi"}]',
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert done.returncode == 2
    assert (first["file"], first["valid"]) == ("-", True)
    assert [(e["code"], e["message"]) for e in second["errors"]] == [
        ("input-unreadable", "-: input is empty")
    ]
    assert done.stderr == b"convo: -: input is empty\n"


# --- paths are JSON Pointers (RFC 6901) ------------------------------------------------------------


@pytest.mark.parametrize(("key", "pointer"), [("a/b", "a~1b"), ("a~b", "a~0b"), ("~1", "~01"), ("", "")])
def test_a_key_is_escaped_in_every_path(key: str, pointer: str) -> None:
    call = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {key: 1}}
    wire = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": [call]}]
    unreadable = json.dumps(wire).replace(": 1}", ": 1e999}").encode()
    assert [(p.code, p.path) for p in convo.check(unreadable).errors] == [
        ("input-unreadable", f"/messages/1/content/0/input/{pointer}")
    ]
    unknown = [{"role": "user", "content": "Hi", key: 1}]
    assert [(p.code, p.path) for p in convo.check(unknown).warnings] == [
        ("message-field-unknown", f"/messages/0/{pointer}")
    ]


# --- from_wire: anthropic SDK objects, and equal values give equal bytes ---------------------------

RESPONSE: dict[str, Any] = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-opus-4-8",
    "content": [
        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
        {"type": "tool_use", "id": "toolu_A", "name": "get", "input": {"z": 1, "a": 2}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {"input_tokens": 10, "output_tokens": 5},
}


def test_sdk_blocks_in_a_message_dict_are_read() -> None:
    """The SDK's own loop appends ``{"role": "assistant", "content": response.content}``."""
    response = anthropic.types.Message.model_validate(RESPONSE)
    result = {"type": "tool_result", "tool_use_id": "toolu_A", "content": "ok"}
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": response.content}]
    conv = convo.Conversation.from_wire([*messages, {"role": "user", "content": [result]}])
    assert convo.check(conv.to_json(), model="claude-opus-4-8").valid
    assert conv == convo.Conversation().user("Hi").reply(response).tool_results({"toolu_A": "ok"})
    call = json.loads(conv.to_json())["messages"][1]["content"][1]
    assert list(call["input"]) == ["z", "a"]


@pytest.mark.parametrize(("one", "other"), [(1, 1.0), (1, True), (0, False), (0.0, -0.0), ([1], [1.0])])
def test_values_python_calls_equal_but_json_does_not_are_different_conversations(
    one: object, other: object
) -> None:
    def conversation(value: object) -> convo.Conversation:
        call = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"x": value}}
        return convo.Conversation.from_wire(
            [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": [call]}]
        )

    first, second = conversation(one), conversation(other)
    assert first.to_json() != second.to_json()
    assert first != second
