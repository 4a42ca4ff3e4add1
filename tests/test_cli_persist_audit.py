"""Audit of the command line's contract and of persistence: each test is a case that broke it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.test_cli import _convo, json_lines, run

PREFILL = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]


def test_an_empty_model_is_no_model_for_check_as_for_every_verb(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"model": "claude-opus-4-8", "max_tokens": 10, "messages": PREFILL}))
    done = run("check", path, "--model", "", "--json")
    assert done.returncode == 1, done.stdout  # the body's model still applies: no prefill (§1.7)
    [report] = json_lines(done.stdout)
    assert [e["code"] for e in report["errors"]] == ["prefill-unsupported"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["check", "--help"]])
def test_help_that_cannot_be_written_is_output_that_cannot_be_written(args: list[str]) -> None:
    closed = _convo(*args, preexec_fn=lambda: os.close(1))
    assert (closed.returncode, closed.stderr) == (
        2,
        b"convo: cannot write to standard output: it is closed\n",
    )
    with open("/dev/full", "wb") as full:
        done = _convo(*args, stdout=full)
    assert done.returncode == 2
    assert done.stderr == b"convo: cannot write to standard output: No space left on device\n"
    read, write = os.pipe()
    os.close(read)  # a reader that has gone: a broken pipe is no error
    try:
        assert _convo(*args, stdout=write).returncode == 0
    finally:
        os.close(write)
