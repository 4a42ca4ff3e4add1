"""Loose ends: model facts read from the profile, bidirectional controls in the command line's
lines, and the prefix length of a mark nested in a tool result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
