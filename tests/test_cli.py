"""The ``convo`` command line, run as a subprocess (``python -m convo``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "convo" / "examples" / "incident.json"
TOP_KEYS = {"file", "valid", "errors", "warnings"}


def run(*args: str | Path, stdin: bytes = b"", limited: bool = False) -> subprocess.CompletedProcess[str]:
    """``convo *args``; ``limited``: with at most 1 GiB of memory and 30 s of CPU, so reading
    without a bound fails fast instead of eating the machine."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "convo", *map(str, args)],
        input=stdin.decode("latin-1"),
        capture_output=True,
        text=True,
        encoding="latin-1",
        cwd=ROOT,
        env=env,
        timeout=60 if limited else 120,
        preexec_fn=_limits if limited else None,
    )


def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (30, 30))


def run_bytes(*args: str | Path, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "convo", *map(str, args)],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def lines(text: str) -> list[str]:
    return text.splitlines()


def json_lines(text: str) -> list[dict[str, Any]]:
    objects = [json.loads(line) for line in lines(text)]
    for obj in objects:
        assert set(obj) == TOP_KEYS
        for problem in (*obj["errors"], *obj["warnings"]):
            assert {"code", "path", "message"} <= set(problem)
    return objects


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return path


VALID = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]
INVALID = [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "4"}]}]
WARNING_ONLY = [{"role": "user", "content": "Hi"}, {"role": "user", "content": "Anyone?"}]


# --- exit codes -----------------------------------------------------------------------------------


def test_valid_exits_0(tmp_path: Path) -> None:
    done = run("check", write(tmp_path, "ok.json", VALID))
    assert done.returncode == 0, done.stderr
    assert "valid (0 error(s), 0 warning(s))" in done.stdout
    assert done.stderr == ""


def test_warnings_still_exit_0(tmp_path: Path) -> None:
    done = run("check", write(tmp_path, "warn.json", WARNING_ONLY))
    assert done.returncode == 0
    assert "[consecutive-roles]" in done.stdout


def test_invalid_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", INVALID)
    done = run("check", path)
    assert done.returncode == 1
    assert f"{path}:/messages/0/content/0: error [tool-result-orphan]" in done.stdout
    assert "invalid (1 error(s), 0 warning(s))" in done.stdout


def test_model_switches_on_request_mode(tmp_path: Path) -> None:
    path = write(tmp_path, "prefill.json", VALID)
    assert run("check", path).returncode == 0
    done = run("check", path, "--model", "claude-opus-4-8", "--json")
    assert done.returncode == 1
    [report] = json_lines(done.stdout)
    assert [(e["code"], e["path"]) for e in report["errors"]] == [("prefill-unsupported", "/messages/1")]
    assert run("check", path, "--model", "claude-sonnet-4-5").returncode == 0


def test_model_named_in_body(tmp_path: Path) -> None:
    path = write(tmp_path, "body.json", {"model": "claude-opus-4-8", "max_tokens": 10, "messages": VALID})
    assert run("check", path).returncode == 1
    assert run("check", path, "--model", "claude-sonnet-4-5").returncode == 0


def test_request_scoped_error_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", {"model": "claude-opus-4-8", "temperature": 1.0, "messages": VALID[:1]})
    done = run("check", path, "--json")
    assert done.returncode == 1
    [report] = json_lines(done.stdout)
    assert [e["code"] for e in report["errors"]] == ["sampling-parameter-removed"]


def test_check_beta_says_what_the_body_is_sent_with(tmp_path: Path) -> None:
    body = {
        "model": "claude-opus-4-5",
        "max_tokens": 4096,
        "thinking": {"type": "enabled", "budget_tokens": 8000},
        "messages": VALID[:1],
    }
    path = write(tmp_path, "interleaved.json", body)
    done = run("check", path, "--json")
    assert done.returncode == 1
    assert [e["code"] for e in json_lines(done.stdout)[0]["errors"]] == ["thinking-budget-exceeds-max-tokens"]
    assert run("check", path, "--beta", "interleaved-thinking-2025-05-14").returncode == 0
    assert run("check", path, "--beta", "context-1m-2025-08-07").returncode == 1
    done = run("check", path, "--beta", "")
    assert done.returncode == 2 and "--beta needs a beta name" in done.stderr
    # a body's own betas are not read as its header: a body never holds them
    path = write(tmp_path, "in-body.json", {**body, "betas": ["interleaved-thinking-2025-05-14"]})
    done = run("check", path, "--json")
    [report] = json_lines(done.stdout)
    assert done.returncode == 1 and [(w["code"], w["path"]) for w in report["warnings"]] == [
        ("parameter-unknown", "/betas")
    ]
    assert "convo check --beta NAME" in report["warnings"][0]["message"]


# --- --json ---------------------------------------------------------------------------------------


def test_json_one_object_per_input(tmp_path: Path) -> None:
    paths = [
        write(tmp_path, "a.json", VALID),
        write(tmp_path, "b.json", INVALID),
        write(tmp_path, "c.json", WARNING_ONLY),
    ]
    done = run("check", *paths, "--json")
    assert done.returncode == 1
    reports = json_lines(done.stdout)
    assert [r["file"] for r in reports] == [str(p) for p in paths]
    assert [r["valid"] for r in reports] == [True, False, True]
    assert reports[0]["errors"] == reports[0]["warnings"] == []
    assert [(e["code"], e["path"]) for e in reports[1]["errors"]] == [
        ("tool-result-orphan", "/messages/0/content/0")
    ]
    assert [(w["code"], w["path"]) for w in reports[2]["warnings"]] == [("consecutive-roles", "/messages/1")]
    assert done.stderr == ""


def test_json_problem_fields(tmp_path: Path) -> None:
    done = run("check", write(tmp_path, "b.json", INVALID), "--json")
    [report] = json_lines(done.stdout)
    [error] = report["errors"]
    assert error["code"] == "tool-result-orphan"
    assert isinstance(error["message"], str) and error["message"]


def test_json_unreadable_input_gets_a_line(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", VALID)
    done = run("check", tmp_path / "missing.json", good, "--json")
    assert done.returncode == 2
    reports = json_lines(done.stdout)
    assert [r["file"] for r in reports] == [str(tmp_path / "missing.json"), str(good)]
    assert reports[0]["valid"] is False
    assert [e["code"] for e in reports[0]["errors"]] == ["input-unreadable"]
    assert reports[1]["valid"] is True
    assert len(lines(done.stderr)) == 1


# --- input ----------------------------------------------------------------------------------------


def test_stdin(tmp_path: Path) -> None:
    done = run("check", "-", "--json", stdin=json.dumps(VALID).encode())
    assert done.returncode == 0
    assert json_lines(done.stdout) == [{"file": "-", "valid": True, "errors": [], "warnings": []}]
    done = run("check", "-", stdin=json.dumps(INVALID).encode())
    assert done.returncode == 1


def test_stdin_and_files_together(tmp_path: Path) -> None:
    path = write(tmp_path, "b.json", INVALID)
    done = run("check", "-", path, "--json", stdin=json.dumps(VALID).encode())
    assert done.returncode == 1
    assert [(r["file"], r["valid"]) for r in json_lines(done.stdout)] == [("-", True), (str(path), False)]


def test_json_lines_input(tmp_path: Path) -> None:
    path = write(tmp_path, "conv.jsonl", b"\n".join(json.dumps(m).encode() for m in VALID) + b"\n")
    done = run("check", path, "--json")
    assert done.returncode == 0, done.stderr
    [report] = json_lines(done.stdout)
    assert report["valid"] is True
    bad = write(
        tmp_path, "bad.jsonl", b"\r\n".join(json.dumps(m).encode() for m in [*VALID, *INVALID]) + b"\r\n\r\n"
    )
    done = run("check", bad, "--json")
    assert done.returncode == 1
    [report] = json_lines(done.stdout)
    assert [(e["code"], e["path"]) for e in report["errors"]] == [
        ("tool-result-orphan", "/messages/2/content/0")
    ]


def test_json_lines_on_stdin() -> None:
    data = b"\n".join(json.dumps(m).encode() for m in VALID)
    assert run("check", "-", stdin=data).returncode == 0


def test_json_lines_single_message(tmp_path: Path) -> None:
    path = write(tmp_path, "one.jsonl", json.dumps(VALID[0]).encode() + b"\n")
    assert run("check", path).returncode == 0


@pytest.mark.parametrize("shape", ["messages", "request", "file"])
def test_input_detected_by_content(tmp_path: Path, shape: str) -> None:
    data: object = {
        "messages": VALID,
        "request": {
            "model": "claude-sonnet-4-5",
            "max_tokens": 100,
            "system": "Be brief.",
            "messages": VALID,
        },
        "file": {"convo": 1, "messages": VALID},
    }[shape]
    path = write(tmp_path, "input.txt", data)  # the name says nothing
    done = run("check", path)
    assert done.returncode == 0, done.stdout + done.stderr


# --- hostile input: one line on stderr, exit 2, never a traceback ---------------------------------


def _assert_unreadable(done: subprocess.CompletedProcess[Any]) -> None:
    stderr = done.stderr if isinstance(done.stderr, str) else done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, (done.returncode, stderr)
    assert "Traceback" not in stderr
    assert len(lines(stderr)) == 1, stderr
    assert stderr.startswith("convo: ")
    assert not done.stdout


DEEP = b"[" * 10_000 + b"]" * 10_000
MESSAGE = b'{"role":"user","content":"Hi"}'
ENTRY = b'{"type":"user","message":' + MESSAGE + b"}"

HOSTILE: dict[str, bytes] = {
    "invalid-utf8": b'[{"role": "user", "content": "caf\xe9"}]',
    "malformed-json": b'[{"role": "user", "content": "Hi"}',
    "trailing-garbage": b'[{"role": "user", "content": "Hi"}] x',
    "deep-nesting": b"[" * 10_000 + b"]" * 10_000,
    "deep-nesting-in-message": b'[{"role":"user","content":' + b"[" * 10_000 + b"]" * 10_000 + b"}]",
    "deep-nesting-in-object": b'{"messages":' + DEEP + b"}",
    "deep-nesting-in-convo-file": b'{"convo":1,"metadata":{},"messages":' + DEEP + b"}",
    "deep-nesting-in-loglines": b'{"loglines":' + DEEP + b"}",
    "deep-nesting-in-transcript-line": ENTRY + b'\n{"type":"assistant","message":' + DEEP + b"}\n",
    "deep-nesting-in-journal-header": b'{"convo_journal":1,"metadata":' + DEEP + b"}\n" + MESSAGE + b"\n",
    "byte-order-mark": b"\xef\xbb\xbf" + json.dumps(VALID).encode(),
    "number-out-of-range": b"1e999",
    "empty": b"",
    "whitespace": b" \n\t\n",
    "not-a-conversation": b'{"model": "claude-opus-4-8"}',
    "a-string": b'"hello"',
    "nul-bytes": b"\0" * 1000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, f"{name}.json", HOSTILE[name])
    done = run("check", path)
    _assert_unreadable(done)
    assert str(path) in done.stderr


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_stdin(name: str) -> None:
    _assert_unreadable(run_bytes("check", "-", stdin=HOSTILE[name]))


@pytest.mark.parametrize("name", ["invalid-utf8", "deep-nesting", "empty"])
def test_hostile_show(tmp_path: Path, name: str) -> None:
    _assert_unreadable(run("show", write(tmp_path, f"{name}.json", HOSTILE[name])))


VERBS = {
    "check": ["check"],
    "check-json": ["check", "--json"],
    "show": ["show"],
    "count": ["count"],
    "trim": ["trim", "--budget", "100"],
    "build": ["build", "--model", "claude-opus-4-8", "--max-tokens", "10"],
    "export": ["export"],
}


@pytest.mark.parametrize("verb", sorted(VERBS))
@pytest.mark.parametrize("name", sorted(n for n in HOSTILE if n.startswith("deep-nesting")))
def test_deep_nesting_every_verb(tmp_path: Path, verb: str, name: str) -> None:
    """Nesting too deep for Python is one line and exit 2 wherever it hides, for every verb."""
    path = write(tmp_path, f"{name}.json", HOSTILE[name])
    done = run(*VERBS[verb][:1], path, *VERBS[verb][1:])
    stderr = done.stderr
    assert done.returncode == 2, stderr
    assert "Traceback" not in stderr and len(lines(stderr)) == 1, stderr
    assert stderr.startswith("convo: ") and "nested too deeply" in stderr
    if verb != "export":  # export reads through convo/_convert.py, which does not name the input yet
        assert stderr.startswith(f"convo: {path}: ")
    if verb == "check-json":
        [report] = json_lines(done.stdout)
        assert [e["code"] for e in report["errors"]] == ["input-unreadable"]


def test_deep_nesting_does_not_stop_later_inputs(tmp_path: Path) -> None:
    deep = write(tmp_path, "deep.json", HOSTILE["deep-nesting-in-object"])
    header = write(tmp_path, "header.jsonl", HOSTILE["deep-nesting-in-journal-header"])
    good, bad = write(tmp_path, "good.json", VALID), write(tmp_path, "bad.json", INVALID)
    done = run("check", deep, good, header, bad, "--json")
    assert done.returncode == 2
    reports = json_lines(done.stdout)
    assert [(r["file"], r["valid"]) for r in reports] == [
        (str(deep), False),
        (str(good), True),
        (str(header), False),
        (str(bad), False),
    ]
    assert len(lines(done.stderr)) == 2 and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("empty", "input is empty"),
        ("whitespace", "input is empty"),
        ("byte-order-mark", "input starts with a byte-order mark"),
    ],
)
def test_unreadable_input_says_why(tmp_path: Path, name: str, says: str) -> None:
    path = write(tmp_path, f"{name}.json", HOSTILE[name])
    for args in (["check", path], ["show", path], ["count", path]):
        done = run(*args)
        _assert_unreadable(done)
        assert done.stderr.startswith(f"convo: {path}: {says}")
        assert "truncated" not in done.stderr and "byte 0" not in done.stderr
    done = run_bytes("check", "-", stdin=HOSTILE[name])
    assert done.stderr.decode().startswith(f"convo: -: {says}")


def test_number_out_of_range_in_message(tmp_path: Path) -> None:
    data = (
        b'[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"t1",'
        b'"name":"f","input":{"x":1e999}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]}]'
    )
    path = write(tmp_path, "inf.json", data)
    _assert_unreadable(run("check", path))
    says = f"convo: {path}: /messages/1/content/0/input/x: number out of range\n"
    for verb in (["check"], ["count"], ["trim", "--budget", "100"]):  # the same line from every verb
        assert run(*verb, path).stderr == says
    done = run("check", "--json", path)
    assert (done.returncode, done.stderr) == (2, says)
    [error] = json.loads(done.stdout)["errors"]
    assert error["code"] == "input-unreadable" and error["path"] == "/messages/1/content/0/input/x"
    assert "$[" not in error["message"]


def test_huge_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:  # sparse: 100 MB that take no disk and no time
        f.truncate(100 * 1024 * 1024)
    done = run("check", path)
    _assert_unreadable(done)
    assert "too large" in done.stderr


def test_huge_stdin() -> None:
    data = b"[" + b" " * (64 * 1024 * 1024) + b"]"
    done = run_bytes("check", "-", stdin=data)
    _assert_unreadable(done)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("verb", ["check", "show"])
def test_endless_device_is_refused_at_the_limit(verb: str) -> None:
    """/dev/zero has no size to stat: it is read up to the limit and refused, not read forever."""
    done = run(verb, "/dev/zero", limited=True)
    _assert_unreadable(done)
    assert "too large" in done.stderr and "/dev/zero" in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_oversized_pipe_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "input.json"
    os.mkfifo(fifo)
    total = 200 * 1024 * 1024
    written = [0]

    def feed() -> None:
        chunk = b" " * (1 << 20)
        try:
            with open(fifo, "wb") as fh:
                while written[0] < total:
                    fh.write(chunk)
                    written[0] += len(chunk)
        except BrokenPipeError:  # the reader stopped: what it should do
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        done = run("check", fifo, limited=True)
    finally:
        if writer.is_alive():  # unblock a writer still waiting for its reader
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(timeout=10)
    _assert_unreadable(done)
    assert "too large" in done.stderr
    assert written[0] < total  # convo stopped reading at the limit


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("verb", ["check", "show"])
def test_a_named_pipe_without_a_writer_is_not_waited_on(tmp_path: Path, verb: str) -> None:
    fifo = tmp_path / "input.json"
    os.mkfifo(fifo)
    done = run(verb, fifo, limited=True)
    _assert_unreadable(done)
    assert done.stderr == f"convo: {fifo}: input is empty\n"


@pytest.mark.skipif(not os.path.exists("/dev/stdin"), reason="needs /dev/stdin")
def test_a_pipe_given_as_a_path_is_read() -> None:
    """Standard input as /dev/stdin (as <(...) gives /dev/fd/N) is a pipe that has its writer."""
    done = run("check", "/dev/stdin", stdin=b'[{"role": "user", "content": "Hi"}]')
    assert done.returncode == 0 and done.stdout == "/dev/stdin: valid (0 error(s), 0 warning(s))\n"


def test_directory(tmp_path: Path) -> None:
    done = run("check", tmp_path)
    _assert_unreadable(done)
    assert "directory" in done.stderr


def test_missing_path(tmp_path: Path) -> None:
    done = run("check", tmp_path / "nope.json")
    _assert_unreadable(done)
    assert "no such file" in done.stderr


def test_unreadable_among_good_inputs(tmp_path: Path) -> None:
    good, bad = write(tmp_path, "good.json", VALID), write(tmp_path, "bad.json", INVALID)
    done = run("check", good, tmp_path / "nope.json", bad)
    assert done.returncode == 2  # the worst outcome wins, and every input is still reported
    assert f"{good}: valid" in done.stdout and f"{bad}: invalid" in done.stdout
    assert len(lines(done.stderr)) == 1


# --- usage ----------------------------------------------------------------------------------------


USAGE = {
    "no-args": [],
    "unknown-verb": ["frobnicate"],
    "check-without-path": ["check"],
    "unknown-flag": ["check", "--nope", "x.json"],
    "show-without-path": ["show"],
}


@pytest.mark.parametrize("name", sorted(USAGE))
def test_bad_usage(name: str) -> None:
    done = run(*USAGE[name])
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert lines(done.stderr)[-1].startswith("convo: ")
    assert done.stdout == ""


@pytest.mark.parametrize("name", ["no-args", "unknown-verb"])
def test_bad_usage_one_line(name: str) -> None:
    assert len(lines(run(*USAGE[name]).stderr)) == 1


def test_help() -> None:
    done = run("--help")
    assert done.returncode == 0
    for verb in ("check", "show", "demo"):
        assert verb in done.stdout


# --- show and demo --------------------------------------------------------------------------------


def test_show_example() -> None:
    done = run("show", EXAMPLE)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("system  ")
    assert "tool 0  get_metrics" in out and "tool 1  get_logs" in out
    assert "#0   user" in out and "#6   user" in out
    assert "id=toolu_01A9dMz4kLq7VbX2" in out and "-> toolu_01A9dMz4kLq7VbX2:" in out
    assert "[cache 1h, ~808 tokens]" in out.splitlines()[0]
    assert done.stderr == ""


def test_show_pending_tool_calls(tmp_path: Path) -> None:
    conv = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01", "name": "w", "input": {}}]},
    ]
    done = run("show", write(tmp_path, "pending.json", conv))
    assert done.returncode == 0
    assert lines(done.stdout)[-1] == "awaiting results for: toolu_01"


def test_show_marks_a_breakpoint_nested_in_a_tool_result(tmp_path: Path) -> None:
    marked = {"type": "text", "text": "res " * 3000, "cache_control": {"type": "ephemeral"}}
    conv = [
        {"role": "user", "content": "Run it."},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01", "name": "w", "input": {}}]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": [marked]}],
        },
    ]
    done = run("show", write(tmp_path, "nested.json", conv))
    assert [line.split("->")[0].strip() for line in lines(done.stdout) if "[cache 5m" in line] == ["result"]


def test_show_jsonl_and_stdin(tmp_path: Path) -> None:
    data = b"\n".join(json.dumps(m).encode() for m in VALID)
    assert run("show", write(tmp_path, "c.jsonl", data)).returncode == 0
    done = run("show", "-", stdin=json.dumps(VALID).encode())
    assert done.returncode == 0 and "#1   assistant" in done.stdout


def test_show_invalid_exits_1(tmp_path: Path) -> None:
    done = run("show", write(tmp_path, "bad.json", INVALID))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(lines(done.stderr)) == 1


def test_show_invalid_says_what_is_wrong(tmp_path: Path) -> None:
    done = run("show", write(tmp_path, "bad.json", INVALID))
    assert "tool-result-orphan" in done.stderr


def test_demo() -> None:
    done = run("demo")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "check for claude-opus-4-8: valid" in done.stdout
    assert "byte-identical: True" in done.stdout
    assert "tool-use-unanswered" in done.stdout
    assert "Traceback" not in done.stderr


def test_check_bundled_example() -> None:
    done = run("check", EXAMPLE, "--model", "claude-opus-4-8", "--json")
    assert done.returncode == 0, done.stdout
    [report] = json_lines(done.stdout)
    assert report["valid"] is True and report["errors"] == []


# --- docs/cli.md: the shell examples are real output ----------------------------------------------

CLI_MD = ROOT / "docs" / "cli.md"
#: Inputs the shell examples of docs/cli.md name, besides the files of the repository.
DOC_INPUTS = {
    "bad.json": [
        {"role": "assistant", "content": "Let me check."},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "4"}]},
    ],
}


def _shell_examples() -> list[tuple[int, list[str], str]]:
    """(line number, argv, expected stdout) of each ``$ convo ...`` or ``$ echo $?`` in cli.md."""
    import re

    text = CLI_MD.read_text(encoding="utf-8")
    examples: list[tuple[int, list[str], str]] = []
    for fence in re.finditer(r"^```sh\n(.*?)^```", text, re.M | re.S):
        first = text.count("\n", 0, fence.start(1)) + 1
        command: tuple[int, str] | None = None
        output: list[str] = []
        for n, line in enumerate([*fence.group(1).splitlines(), "$ "], first):
            if line.startswith("$ "):
                if command is not None:
                    examples.append((command[0], command[1].split(), "".join(f"{o}\n" for o in output)))
                command, output = (n, line[2:].split("#")[0].strip()), []
            else:
                output.append(line)
    return examples


def _runnable(argv: list[str]) -> bool:
    if argv == ["echo", "$?"]:
        return True
    if not argv or argv[0] != "convo" or any(a in ("|", ">", "<") for a in argv):
        return False
    files = [a for a in argv[1:] if a.endswith((".json", ".jsonl", ".sqlite3")) or "/" in a]
    return all((ROOT / a).exists() or a in DOC_INPUTS for a in files)


def test_cli_md_shell_examples_match_real_output(tmp_path: Path) -> None:
    """Every shell example of docs/cli.md whose inputs exist runs, and prints what the page shows
    (``...`` stands for any text, as in a doctest)."""
    import doctest

    for name, data in DOC_INPUTS.items():
        write(tmp_path, name, data)
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    checker = doctest.OutputChecker()
    ran: list[str] = []
    status: int | None = None
    for line, argv, expected in _shell_examples():
        if not _runnable(argv):
            status = None  # a later `echo $?` would be about a command that did not run
            continue
        if argv[0] == "echo":
            if status is not None:
                assert f"{status}\n" == expected, f"docs/cli.md:{line}"
            continue
        args = [str(ROOT / a) if (ROOT / a).exists() and "/" in a else a for a in argv[1:]]
        done = subprocess.run(
            [sys.executable, "-m", "convo", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )
        status = done.returncode
        assert checker.check_output(expected, done.stdout, doctest.ELLIPSIS), (
            f"docs/cli.md:{line}: `{' '.join(argv)}` prints\n{done.stdout}"
        )
        ran.append(" ".join(argv[:2]))
    assert {"convo show", "convo check", "convo demo"} <= set(ran), ran


# --- found by an audit of the command line ------------------------------------------------------


def _popen(*args: str | Path, **kwargs: Any) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-m", "convo", *map(str, args)], cwd=ROOT, env=env, stderr=subprocess.PIPE, **kwargs
    )


def test_a_reader_that_goes_away_does_not_hide_the_outcome(tmp_path: Path) -> None:
    """`convo check a b | head -1`: the exit status and the lines on stderr still count every input."""
    big = tmp_path / "big.json"
    big.write_text(
        json.dumps([{"role": ("user", "assistant")[i % 2], "content": "w " * 50} for i in range(3000)])
    )
    bad = tmp_path / "bad.json"
    bad.write_text('[{"role": "user", "content": ""}]')
    with _popen("check", big, bad, tmp_path / "missing.json", stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before the first line
        stderr = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 2
    assert stderr.strip().splitlines() == [f"convo: {tmp_path / 'missing.json'}: no such file"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_an_output_that_cannot_be_written_is_one_line() -> None:
    with open("/dev/full", "wb") as full:
        proc = _popen("show", EXAMPLE, stdout=full)
        _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert stderr.decode() == "convo: cannot write to standard output: No space left on device\n"


def test_closed_standard_input_is_unreadable_input() -> None:
    proc = _popen(
        "check", "-", stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0)
    )
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2 and stderr.decode() == "convo: -: standard input is closed\n"


def test_control_characters_in_a_conversation_cannot_drive_the_terminal(tmp_path: Path) -> None:
    escape = "\x1b]0;PWNED\x07\x1b[2J"
    shown, checked = tmp_path / "shown.json", tmp_path / "checked.json"
    shown.write_text(json.dumps([{"role": "user", "content": "hello " + escape}]))
    orphan = {"type": "tool_result", "tool_use_id": "x" + escape, "content": "r"}
    checked.write_text(json.dumps([{"role": "user", "content": [orphan]}]))
    for done in (run("show", shown), run("check", checked)):
        assert "\x1b" not in done.stdout + done.stderr
        assert "\\x1b]0;PWNED\\x07\\x1b[2J" in done.stdout


def test_build_reports_unreadable_input_as_such(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"model": "claude-opus-4-8", "max_tokens": 100, "messages": [')
    done = run("build", path)
    assert done.returncode == 2 and "not valid JSON" in done.stderr and "--model" not in done.stderr


@pytest.mark.parametrize("value", ['{"a": NaN}', '{"a": Infinity}', '{"a": 1e999}'])
def test_metadata_that_is_not_strict_json_is_bad_usage(tmp_path: Path, value: str) -> None:
    done = run("import", EXAMPLE, tmp_path / "out.json", "--metadata", value)
    assert done.returncode == 2 and done.stderr.startswith("convo: --metadata: ")
    assert not (tmp_path / "out.json").exists()


def test_export_never_replaces_a_named_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = run("export", EXAMPLE, "-o", fifo, "--force")
    assert done.returncode == 2 and "is not a regular file" in done.stderr and fifo.is_fifo()


def test_no_command_names_the_command_missing() -> None:
    done = run()
    assert done.returncode == 2 and "required: COMMAND" in done.stderr


def test_json_lines_stay_utf8_for_a_file_name_that_is_not(tmp_path: Path) -> None:
    path = os.path.join(os.fsencode(tmp_path), b"bad\xffname.json")
    with open(path, "wb") as fh:
        fh.write(b'[{"role": "user", "content": "Hi"}]')
    done = run_bytes("check", "--json", os.fsdecode(path), stdin=b"")
    assert done.returncode == 0
    assert json.loads(done.stdout.decode("utf-8"))["file"].endswith("bad\ufffdname.json")


def _convo(
    *args: str | Path, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[bytes]:
    """``convo *args`` with the standard streams as ``kwargs`` give them (captured by default)."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "convo", *map(str, args)],
        env={**environ, **(env or {})},
        timeout=120,
        **kwargs,
    )


UNICODE = [{"role": "user", "content": "héllo 日本 😀"}]
WIRE_VERBS = {
    "build": ["build", "--model", "claude-opus-4-8", "--max-tokens", "10"],
    "trim": ["trim", "--budget", "1000"],
    "export": ["export"],
    "import": ["import", "-"],
    "check-json": ["check", "--json", "--model", "claudé"],  # the model's name comes back in a warning
}


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
@pytest.mark.parametrize("verb", sorted(WIRE_VERBS))
def test_wire_and_json_output_are_utf8_whatever_the_locale(tmp_path: Path, verb: str, encoding: str) -> None:
    path = write(tmp_path, "uni.json", json.dumps(UNICODE, ensure_ascii=False).encode())
    done = _convo(*WIRE_VERBS[verb][:1], path, *WIRE_VERBS[verb][1:], env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("utf-8")  # strictly: the exact bytes
    assert json.loads(text) and ("claudé" if verb == "check-json" else "héllo 日本 😀") in text


def test_lines_for_a_person_are_escaped_to_fit_the_terminal(tmp_path: Path) -> None:
    path = write(tmp_path, "uni.json", json.dumps(UNICODE, ensure_ascii=False).encode())
    done = _convo("show", path, env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0 and b"text      h\\xe9llo \\u65e5\\u672c \\U0001f600\n" in done.stdout


def test_a_closed_standard_output_is_output_that_cannot_be_written(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.json", VALID[:1])
    for args in (["check", path], ["build", path, "--model", "claude-opus-4-8", "--max-tokens", "5"]):
        done = _convo(*args, preexec_fn=lambda: os.close(1))
        assert done.returncode == 2
        assert done.stderr == b"convo: cannot write to standard output: it is closed\n"
    done = _convo("import", path, tmp_path / "out.json", preexec_fn=lambda: os.close(1))
    assert (done.returncode, done.stderr) == (0, b"")  # it has nothing to say there


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_standard_error_that_cannot_be_written_does_not_stop_the_output(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.json", VALID[:1])
    with open("/dev/full", "wb") as full:  # a warning for the unknown model goes there
        done = _convo("build", path, "--model", "claude-nope", "--max-tokens", "5", stderr=full)
    assert done.returncode == 0 and json.loads(done.stdout)["model"] == "claude-nope"


def test_a_closed_standard_error_leaves_stdout_to_the_json_lines(tmp_path: Path) -> None:
    done = _convo("check", tmp_path / "missing.json", "--json", preexec_fn=lambda: os.close(2))
    assert done.returncode == 2
    [report] = json_lines(done.stdout.decode())
    assert [e["code"] for e in report["errors"]] == ["input-unreadable"]


def test_every_string_of_a_json_line_is_valid_unicode(tmp_path: Path) -> None:
    import msgspec

    missing = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"m\xffissing.json"))
    done = _convo("check", "--json", missing)
    assert done.returncode == 2
    report = msgspec.json.decode(done.stdout)  # strict: no lone surrogate
    assert report["file"].endswith("m\ufffdissing.json")
    assert "m\ufffdissing.json: no such file" in report["errors"][0]["message"]


ESC = "\x1b[31m"


def test_show_escapes_every_string_a_conversation_holds(tmp_path: Path) -> None:
    conv = {
        "tools": [{"type": "future_tool_20990101", "name": f"future{ESC}"}],
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image", "source": {"type": "url", "url": f"https://e/{ESC}.png"}},
                    {"type": "image", "source": {"type": "file", "file_id": f"file_{ESC}"}},
                    {"type": f"x{ESC}block", "a": 1},
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "server_tool_use", "id": "srvtoolu_01", "name": f"web_{ESC}", "input": {}},
                    {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []},
                    {"type": "tool_use", "id": "toolu_01", "name": f"t{ESC}", "input": {}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_01", "content": [{"type": f"y{ESC}"}]}
                ],
            },
        ],
    }
    done = run("show", write(tmp_path, "hostile.json", conv))
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and done.stdout.count("\\x1b[31m") == 7, done.stdout


def test_show_counts_what_count_counts(tmp_path: Path) -> None:
    from convo import cache_breakpoints

    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string", "description": "the answer " * 20}},
    }
    body = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 100,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "output_config": {"format": {"type": "json_schema", "schema": schema}},
        "system": [
            {"type": "text", "text": "All about the project. " * 300, "cache_control": {"type": "ephemeral"}}
        ],
        "messages": [{"role": "user", "content": "Hi"}],
    }
    path = write(tmp_path, "body.json", body)
    shown = lines(run("show", path).stdout)
    counted = json.loads(run("count", path).stdout)["input_tokens"]
    assert shown[-1].startswith(f"~{counted:,} input tokens in all")
    [mark] = cache_breakpoints(path.read_bytes())  # for the body's model
    assert shown[0].endswith(f"[cache 5m, ~{mark.tokens:,} tokens]")


@pytest.mark.parametrize("dest", ["out.json", "out.jsonl", "store"])
def test_metadata_nested_too_deeply_to_write_is_bad_usage(tmp_path: Path, dest: str) -> None:
    deep = "[" * 900 + "]" * 900
    where = ["--id", "chat"] if dest == "store" else []
    done = run("import", EXAMPLE, tmp_path / dest, *where, "--metadata", f'{{"a": {deep}}}')
    assert done.returncode == 2 and done.stderr.startswith("convo: --metadata: "), done.stderr
    assert len(lines(done.stderr)) == 1 and not (tmp_path / dest).is_file()


def test_show_marks_the_automatic_breakpoint_of_a_request(tmp_path: Path) -> None:
    # api-rules §5.5: a request's top-level cache_control is a breakpoint on its last block.
    from convo import cache_breakpoints

    body = {
        "model": "claude-opus-4-8",
        "max_tokens": 100,
        "cache_control": {"type": "ephemeral"},
        "messages": [{"role": "user", "content": "All about the project. " * 300}],
    }
    path = write(tmp_path, "body.json", body)
    [mark] = cache_breakpoints(path.read_bytes())
    for args in ([], ["--cache", "auto"]):
        shown = lines(run("show", path, *args).stdout)
        assert shown[1].endswith(f"[cache 5m automatic, ~{mark.tokens:,} tokens]"), shown


def test_show_marks_every_breakpoint_of_a_line(tmp_path: Path) -> None:
    # api-rules §5.1: every cache_control is a breakpoint, nested ones in a tool_result too.
    from convo import cache_breakpoints

    mark = {"type": "ephemeral"}
    body = {
        "system": [
            {"type": "text", "text": "All about the project. " * 300, "cache_control": mark},
            {"type": "text", "text": "And its tests. " * 300, "cache_control": mark},
        ],
        "messages": [
            {"role": "user", "content": "Run it."},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "toolu_01", "name": "w", "input": {}}],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_01",
                        "content": [{"type": "text", "text": "res " * 3000, "cache_control": mark}],
                        "cache_control": mark,
                    }
                ],
            },
        ],
    }
    path = write(tmp_path, "body.json", body)
    marks = cache_breakpoints(path.read_bytes())
    shown = run("show", path).stdout
    assert len(marks) == 4 and shown.count("[cache 5m, ~") == 4, shown
    for placed in marks:
        assert f"[cache 5m, ~{placed.tokens:,} tokens]" in shown, (placed, shown)


def test_show_keeps_its_layout_against_bidi_controls_and_long_urls(tmp_path: Path) -> None:
    # U+202E shown raw reverses the rest of its line on the terminal, ids and marks included.
    url = "https://example.com/" + "a" * 5000 + ".png"
    conv = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "ok \u202e\u2066 reversed"},
                {"type": "image", "source": {"type": "url", "url": url}},
            ],
        },
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "x", "input": {"k": "\u202e"}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "\u200f"}]},
    ]
    done = run("show", write(tmp_path, "bidi.json", conv))
    assert done.returncode == 0, done.stderr
    assert not {"\u202e", "\u2066", "\u200f"} & set(done.stdout), done.stdout
    assert "\\u202e\\u2066 reversed" in done.stdout and "\\u200f" in done.stdout
    assert max(len(line) for line in lines(done.stdout)) < 120, done.stdout


def test_demo_trims_and_caches_what_it_says() -> None:
    # api-rules §5.7: a breakpoint on a prefix below the model's minimum caches nothing.
    import re

    from convo import profile

    out = run("demo").stdout
    minimum = profile("claude-opus-4-8").cache_min_tokens
    total = re.search(r"^~([\d,]+) input tokens in all", out, re.MULTILINE)
    trim = re.search(
        r"^== trim to [\d,]+ tokens \(local counter\): ([\d,]+) -> [\d,]+ tokens, 7 -> (\d) ",
        out,
        re.MULTILINE,
    )
    assert total and trim and total[1] == trim[1], out  # show and trim count the same conversation
    assert 1 < int(trim[2]) < 7, out  # trimmed, not down to the last question alone
    cached = [int(n.replace(",", "")) for n in re.findall(r"caches ~([\d,]+) tokens$", out, re.MULTILINE)]
    assert cached and min(cached) >= minimum, out
    assert re.search(r"set by convo, ttl 5m, caches", out), out


def test_show_pairs_server_and_mcp_tool_calls_with_their_results(tmp_path: Path) -> None:
    # api-rules §3: a server tool's result names the call it answers by tool_use_id.
    conv = [
        {"role": "user", "content": "Look it up."},
        {
            "role": "assistant",
            "content": [
                {
                    "type": "server_tool_use",
                    "id": "srvtoolu_01",
                    "name": "web_search",
                    "input": {"query": "q"},
                },
                {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []},
                {
                    "type": "mcp_tool_use",
                    "id": "mcptoolu_01",
                    "name": "find",
                    "server_name": "docs",
                    "input": {},
                },
                {"type": "mcp_tool_result", "tool_use_id": "mcptoolu_01", "content": "found"},
                {"type": "text", "text": "Done."},
            ],
        },
    ]
    shown = [line.strip() for line in lines(run("show", write(tmp_path, "server.json", conv)).stdout)]
    assert shown[3:7] == [
        'server_tool_use web_search({"query": "q"}) id=srvtoolu_01',
        "web_search_tool_result -> srvtoolu_01",
        "mcp_tool_use find({}) id=mcptoolu_01",
        "mcp_tool_result -> mcptoolu_01",
    ], shown


def test_show_clips_text_to_terminal_columns_not_characters(tmp_path: Path) -> None:
    # A wide (CJK) character takes two columns: clipped by characters, its line was twice as wide.
    import unicodedata

    def columns(line: str) -> int:
        return sum(
            0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
            for c in line
        )

    conv = [
        {"role": "user", "content": "漢字" * 300},
        {"role": "assistant", "content": "ascii " * 300},
        {"role": "user", "content": "e\u0301" * 300},
    ]
    done = run_bytes("show", write(tmp_path, "wide.json", conv), stdin=b"")
    assert done.returncode == 0, done.stderr
    shown = done.stdout.decode()
    wide, ascii_, accents = (
        next(line for line in lines(shown) if mark in line) for mark in ("漢", "ascii", "e\u0301")
    )
    assert columns(wide) in (columns(ascii_), columns(ascii_) - 1), shown  # a wide char may leave one empty
    assert columns(accents) == columns(ascii_), shown
