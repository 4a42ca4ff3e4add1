"""``convo build``: the finished request body on stdout (run in-process through ``main``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import convo
from convo._cli import main

ROOT = Path(__file__).resolve().parent.parent
HISTORY = [{"role": "user", "content": "What is 2 + 2?"}]


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def build(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main(["build", *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_build_prints_the_request_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, HISTORY)
    status, out, err = build(capsys, path, "--model", "claude-opus-4-8", "--max-tokens", "64")
    assert (status, err) == (0, "")
    expected = convo.Conversation.from_wire(HISTORY).request(model="claude-opus-4-8", max_tokens=64).body()
    assert out.encode() == expected + b"\n"


def test_build_keeps_a_bodys_parameters_and_drops_sampling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {
        "model": "claude-opus-4-8",
        "max_tokens": 100,
        "temperature": 1.0,
        "stream": True,
        "thinking": {"type": "adaptive"},
        "messages": HISTORY,
    }
    status, out, err = build(capsys, write(tmp_path, body))
    assert status == 0
    assert "dropped 'temperature'" in err
    sent = json.loads(out)
    assert sent == {
        "model": "claude-opus-4-8",
        "max_tokens": 100,
        "thinking": {"type": "adaptive"},
        "messages": HISTORY,
    }
    status, out, _ = build(
        capsys, write(tmp_path, body), "--max-tokens", "7", "--param", 'thinking={"type": "disabled"}'
    )
    assert (
        status == 0
        and json.loads(out)["max_tokens"] == 7
        and json.loads(out)["thinking"] == {"type": "disabled"}
    )


def test_build_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, HISTORY)
    common = ["--model", "claude-opus-4-8", "--max-tokens", "64"]
    _, out, _ = build(capsys, path, *common, "--stream")
    assert json.loads(out)["stream"] is True
    _, out, _ = build(capsys, path, *common, "--target", "count-tokens")
    assert "max_tokens" not in json.loads(out)
    _, out, _ = build(capsys, path, *common, "--target", "bedrock")
    assert json.loads(out)["anthropic_version"] == "2026-10-21" and "model" not in json.loads(out)
    _, out, _ = build(capsys, path, *common, "--target", "vertex", "--stream")
    assert json.loads(out)["stream"] is True and "model" not in json.loads(out)
    _, out, _ = build(capsys, path, *common, "--target", "vertex-count-tokens")
    assert (
        json.loads(out)["anthropic_version"] == "2026-10-21" and json.loads(out)["model"] == "claude-opus-4-8"
    )


def test_build_takes_betas_as_a_param_and_says_they_are_a_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {
        "model": "claude-opus-4-5",
        "max_tokens": 4096,
        "thinking": {"type": "enabled", "budget_tokens": 8000},
        "betas": ["interleaved-thinking-2025-05-14"],  # no body field: dropped, with a note
        "messages": HISTORY,
    }
    path = write(tmp_path, body)
    status, out, err = build(capsys, path)
    assert status == 1 and out == ""
    assert "dropped 'betas': the anthropic-beta header" in err and "thinking-budget-exceeds-max-tokens" in err
    betas = ["--param", 'betas=["interleaved-thinking-2025-05-14"]']
    status, out, err = build(capsys, path, *betas)
    assert status == 0
    assert json.loads(out) == {k: v for k, v in body.items() if k != "betas"}
    assert "send the header anthropic-beta: interleaved-thinking-2025-05-14" in err
    status, out, err = build(capsys, path, *betas, "--target", "bedrock")
    assert status == 0 and json.loads(out)["anthropic_beta"] == ["interleaved-thinking-2025-05-14"]
    assert "send the header" not in err
    status, _, err = build(capsys, path, "--param", 'betas=[""]')
    assert status == 1 and "/betas/0: error [parameter-invalid]" in err


@pytest.mark.parametrize("target", ["messages", "count-tokens", "bedrock", "vertex", "vertex-count-tokens"])
def test_build_with_no_betas_needs_no_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    """``--param betas=[]`` is no beta at all: no ``anthropic-beta`` header to send, and no note."""
    path = write(tmp_path, HISTORY)
    common = ["--model", "claude-opus-4-8", "--max-tokens", "64", "--target", target]
    status, out, err = build(capsys, path, *common, "--param", "betas=[]")
    assert (status, err) == (0, "")
    assert out == build(capsys, path, *common)[1]


def test_build_names_every_header_the_body_leaves_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """user_profile_id and workspace_id are headers, as betas are: the body printed leaves them
    out, so a note names the header to send with it (a Bedrock body holds user_profile_id)."""
    body = {"model": "claude-opus-4-8", "max_tokens": 64, "user_profile_id": "up_1", "messages": HISTORY}
    path = write(tmp_path, body)
    status, out, err = build(capsys, path, "--param", 'workspace_id="ws_1"')
    assert status == 0 and {"user_profile_id", "workspace_id"}.isdisjoint(json.loads(out))
    assert "send the header anthropic-user-profile-id: up_1" in err
    assert "send the header anthropic-workspace-id: ws_1" in err
    status, out, err = build(capsys, path, "--param", 'workspace_id="ws_1"', "--target", "bedrock")
    assert status == 0 and json.loads(out)["user_profile_id"] == "up_1"
    assert "anthropic-user-profile-id" not in err and "send the header anthropic-workspace-id: ws_1" in err


def test_build_reports_every_problem_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [*HISTORY, {"role": "assistant", "content": "4 "}])
    status, out, err = build(
        capsys, path, "--model", "claude-opus-4-8", "--max-tokens", "999999", "--param", 'stop_sequences=[""]'
    )
    assert status == 1 and out == ""
    for code in (
        "max-tokens-too-large",
        "stop-sequence-empty",
        "prefill-unsupported",
        "final-assistant-trailing-whitespace",
    ):
        assert f"[{code}]" in err
    assert "not ready to send" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--max-tokens", "5"],  # no model anywhere
        ["--model", "claude-opus-4-8"],  # no max_tokens anywhere
        ["--model", "m", "--max-tokens", "5", "--param", "thinking"],
        ["--model", "m", "--max-tokens", "5", "--param", "nope={}"],
        ["--model", "m", "--max-tokens", "5", "--param", "thinking={"],
        ["--model", "m", "--max-tokens", "five"],
    ],
)
def test_build_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    status, out, err = build(capsys, write(tmp_path, HISTORY), *args)
    assert status == 2 and out == "" and err.startswith("convo: ") and "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [
        ["--budget", "0"],
        ["--headroom", "10"],  # no --budget
        ["--counter", "api"],  # no --budget
        ["--param", "nope={}"],
        ["--param", "thinking={"],
    ],
)
def test_build_bad_usage_exits_2_whatever_the_input_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    """Bad usage is exit 2 before the conversation is read: an invalid one does not turn it into 1."""
    orphan = [
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "4"}]}
    ]
    status, out, err = build(
        capsys, write(tmp_path, orphan), "--model", "claude-opus-4-8", "--max-tokens", "5", *args
    )
    assert (status, out) == (2, "") and err.count("\n") == 1 and err.endswith("(see 'convo --help')\n")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("NaN", "not JSON"),
        ("Infinity", "not JSON"),
        ("-Infinity", "not JSON"),
        ("1e999", "Python cannot hold"),
        ('{"x": [-1e999]}', "Python cannot hold"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ],
)
@pytest.mark.parametrize("name", ["container", "stop_sequences"])
def test_build_param_is_strict_json(tmp_path: Path, name: str, value: str, says: str) -> None:
    """--param values are read as strictly as input: never a silent null, never a traceback.

    Run as a subprocess: deep nesting must fail the way it does for a user, at the real stack depth.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    args = ["build", write(tmp_path, HISTORY), "--model", "claude-opus-4-8", "--max-tokens", "10"]
    done = subprocess.run(
        [sys.executable, "-m", "convo", *map(str, args), "--param", f"{name}={value}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr.startswith(f"convo: --param {name}: ") and done.stderr.count("\n") == 1
    assert says in done.stderr and "Traceback" not in done.stderr


def test_build_unreadable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff{")
    status, out, err = build(capsys, bad, "--model", "claude-opus-4-8", "--max-tokens", "5")
    assert status == 2 and out == "" and len(err.splitlines()) == 1
    status, _, err = build(
        capsys, tmp_path / "missing.json", "--model", "claude-opus-4-8", "--max-tokens", "5"
    )
    assert status == 2 and "no such file" in err


def test_demo_builds_the_request(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "building the request for claude-opus-4-8:" in out
    assert "the conversation's bytes unchanged: True" in out
    assert "tool-use-unanswered" in out.split("building the request")[1]


def test_a_param_of_the_wrong_type_is_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, HISTORY)
    status, out, err = build(
        capsys, path, "--model", "claude-opus-4-8", "--max-tokens", "5", "--param", "tools=5"
    )
    assert (status, out) == (2, "")
    assert err == "convo: --param: tools must be a list of tool definitions, not int (see 'convo --help')\n"


def test_a_standard_output_that_takes_only_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Wire bytes go to the binary buffer; a stream without one (a test harness's) gets them as text."""
    import io

    text = io.StringIO()
    monkeypatch.setattr("sys.stdout", text)
    path = write(tmp_path, [{"role": "user", "content": "héllo"}])
    assert main(["build", str(path), "--model", "claude-opus-4-8", "--max-tokens", "5"]) == 0
    assert json.loads(text.getvalue())["messages"] == [{"role": "user", "content": "héllo"}]
