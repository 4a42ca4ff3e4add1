"""Loose ends: model facts read from the profile, bidirectional controls in the command line's
lines, and the prefix length of a mark nested in a tool result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import convo
from convo._cli import main

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_check_and_warn_escape_bidirectional_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A hostile file name and message: U+202E would reverse the rest of the line on a terminal.
    path = tmp_path / f"a{BIDI}.json"
    orphan = {"type": "tool_result", "tool_use_id": "x" + BIDI, "content": "r"}
    path.write_text(json.dumps([{"role": "user", "content": [orphan]}]))
    main(["check", str(path)])
    main(["show", str(tmp_path / f"missing{BIDI}.json")])  # unreadable: a line on stderr, from warn()
    out, err = capsys.readouterr()
    assert not set(BIDI) & set(out + err)
    assert "\\u202e" in out and "\\u202e" in err


def _tool_result_body(marked: int | None) -> dict[str, object]:
    """A request whose last message is a tool result of a long text then a short one, with a
    mark on its nested block ``marked`` (or none)."""
    content: list[dict[str, object]] = [
        {"type": "text", "text": "word " * 3000},
        {"type": "text", "text": "note " * 800},
    ]
    if marked is not None:
        content[marked]["cache_control"] = {"type": "ephemeral"}
    return {
        "model": "claude-opus-4-8",
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": content}]},
        ],
    }


def test_a_mark_nested_in_a_tool_result_caches_up_to_its_block() -> None:
    (first,) = convo.cache_breakpoints(_tool_result_body(0))
    (last,) = convo.cache_breakpoints(_tool_result_body(1))
    assert first.path == "/messages/2/content/0/content/0"
    assert last.path == "/messages/2/content/0/content/1"
    # the prefix ends at the marked nested block: the second text is not in the first mark's
    assert 0 < first.tokens < last.tokens
    assert last.tokens - first.tokens >= 700  # the ~800 tokens of the second text
    cold = convo.predict_cache(_tool_result_body(None), _tool_result_body(0))
    warm = convo.predict_cache(_tool_result_body(0), _tool_result_body(0))
    assert cold.write_tokens == first.tokens and cold.input_tokens == last.tokens - first.tokens
    assert warm.read_tokens == first.tokens and warm.write_tokens == 0 and warm.missed_tokens == 0
