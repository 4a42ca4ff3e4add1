"""Audit of the command line's contract and of persistence: each test is a case that broke it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import json_lines, run

PREFILL = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]


def test_an_empty_model_is_no_model_for_check_as_for_every_verb(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"model": "claude-opus-4-8", "max_tokens": 10, "messages": PREFILL}))
    done = run("check", path, "--model", "", "--json")
    assert done.returncode == 1, done.stdout  # the body's model still applies: no prefill (§1.7)
    [report] = json_lines(done.stdout)
    assert [e["code"] for e in report["errors"]] == ["prefill-unsupported"]
