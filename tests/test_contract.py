"""The public contract of the design document, row by row, where no other test pins it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from convo._cli import main

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
