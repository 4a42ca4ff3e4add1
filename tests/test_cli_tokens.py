"""``convo count``, ``convo trim`` and ``convo build --budget``: offline, and with ``--counter api``
through the real SDK on a mock transport."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import convo
from convo import Conversation, LocalCounter
from convo._cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "convo" / "examples" / "incident.json"
OPUS = "claude-opus-4-8"


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}  # offline, always
    environ.update(PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "convo", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=120,
    )


def long_chat(tmp_path: Path, exchanges: int = 30) -> Path:
    conv = Conversation(system="Be helpful.")
    for i in range(exchanges):
        conv = conv.user(f"Question {i}: " + "why is the cache cold? " * 10).assistant(
            f"Answer {i}: " + "because " * 60
        )
    conv = conv.user("Last question?")
    path = tmp_path / "chat.json"
    path.write_bytes(conv.to_json())
    return path


# --- offline, as a subprocess -------------------------------------------------------------------


def test_count_prints_input_tokens_and_the_counter() -> None:
    done = run("count", EXAMPLE)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"input_tokens", "counter"} and result["counter"] == "local"
    assert result["input_tokens"] == LocalCounter().count(Conversation.from_wire(EXAMPLE.read_bytes()))


def test_count_for_a_model() -> None:
    older = json.loads(run("count", EXAMPLE, "--model", "claude-sonnet-4-5").stdout)["input_tokens"]
    newer = json.loads(run("count", EXAMPLE, "--model", OPUS).stdout)["input_tokens"]
    assert older < newer


def test_trim_prints_a_valid_conversation_within_budget(tmp_path: Path) -> None:
    path = long_chat(tmp_path)
    done = run("trim", path, "--budget", "2000")
    assert done.returncode == 0, done.stderr
    trimmed = Conversation.from_wire(done.stdout.encode())
    assert LocalCounter().count(trimmed) <= 2000
    assert convo.check(done.stdout.encode()).valid
    assert trimmed.messages[-1].content == "Last question?"


def test_trim_with_headroom_trims_further_below_the_budget(tmp_path: Path) -> None:
    path = long_chat(tmp_path)
    done = run("trim", path, "--budget", "3000", "--headroom", "1000")
    assert done.returncode == 0, done.stderr
    assert LocalCounter().count(Conversation.from_wire(done.stdout.encode())) <= 2000
    built = run(
        "build", path, "--model", OPUS, "--max-tokens", "99", "--budget", "3000", "--headroom", "1000"
    )
    body = json.loads(built.stdout)
    kept = Conversation.from_wire({"system": body["system"], "messages": body["messages"]})
    assert LocalCounter().count(kept, model=OPUS) <= 2000


def test_trim_reads_stdin(tmp_path: Path) -> None:
    path = long_chat(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "convo", "trim", "-", "--budget", "3000"],
        input=path.read_text(),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 0 and LocalCounter().count(Conversation.from_wire(done.stdout.encode())) <= 3000


def test_trim_over_a_small_budget_says_why_in_one_line() -> None:
    done = run("trim", EXAMPLE, "--budget", "50")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "over the budget of 50" in done.stderr
    assert done.stdout == ""


def tool_loop(tmp_path: Path) -> Path:
    """An agent loop whose last exchange fits 800 tokens only once its tool results are cleared."""
    tool = {"name": "run", "description": "Run a shell command.", "input_schema": {"type": "object"}}
    conv = Conversation(system="Be helpful.", tools=[tool]).user("Fix the build.")
    for i in range(5):
        use = {"type": "tool_use", "id": f"toolu_{i}", "name": "run", "input": {"cmd": "make"}}
        conv = conv.assistant([use]).tool_results({f"toolu_{i}": "error: missing header " * 40})
    path = tmp_path / "loop.json"
    path.write_bytes(conv.to_json())
    return path


def test_a_budget_too_small_names_the_flags_that_get_out_of_it(tmp_path: Path) -> None:
    """The command line's flags, not trim()'s keyword arguments (pin=0); build has no --pin."""
    loop = tool_loop(tmp_path)
    done = run("trim", loop, "--budget", "800")  # one task, then tool rounds: --pin 0 keeps them all
    assert done.stderr.endswith(
        ": raise --budget or clear old tool results and thinking (--clear-tool-results 0, --clear-thinking 0)\n"
    )
    assert run("trim", loop, "--budget", "800", "--clear-tool-results", "0").returncode == 0
    done = run("trim", loop, "--budget", "800", "--pin", "0")  # nothing pinned: no --pin to lower
    assert done.returncode == 1 and "over the budget of 800: raise --budget or clear" in done.stderr
    done = run("trim", EXAMPLE, "--budget", "50")  # the pinned turns alone: clearing is no way out
    assert done.returncode == 1 and done.stderr.endswith(": raise --budget or pin fewer turns (--pin 0)\n")
    done = run("build", loop, "--model", OPUS, "--max-tokens", "99", "--budget", "800")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.endswith(
        ": raise --budget or clear old tool results and thinking "
        "(convo trim --clear-tool-results 0 --clear-thinking 0 first)\n"
    )
    done = run("build", long_chat(tmp_path), "--model", OPUS, "--max-tokens", "99", "--budget", "50")
    assert done.returncode == 1 and done.stderr.endswith(" or pin fewer turns (convo trim --pin 0 first)\n")


def test_a_budget_set_by_the_context_window_names_max_tokens(tmp_path: Path) -> None:
    """build trims to the smaller of --budget and the context window less --max-tokens: when the
    window sets it, a higher --budget changes nothing and a lower --max-tokens does."""
    path = tmp_path / "long.json"
    path.write_bytes(Conversation().user("Summarize: " + "word " * 90_000).to_json())  # 140,644 tokens
    args = ("build", path, "--model", "claude-sonnet-4-5", "--budget", "150000")
    done = run(*args, "--max-tokens", "64000")
    assert done.returncode == 1 and done.stderr.endswith("over the budget of 136000: lower --max-tokens\n")
    assert run(*args, "--max-tokens", "32000").returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        ("trim", "EXAMPLE"),  # --budget is required
        ("trim", "EXAMPLE", "--budget", "0"),
        ("trim", "EXAMPLE", "--budget", "100", "--pin", "-1"),
        ("trim", "EXAMPLE", "--budget", "100", "--headroom", "100"),
        ("build", "EXAMPLE", "--model", OPUS, "--max-tokens", "9", "--headroom", "10"),  # no --budget
        ("count", "EXAMPLE", "--counter", "psychic"),
        ("count", "EXAMPLE", "--counter", "api"),  # no model named
        ("count", "EXAMPLE", "--counter", "api", "--model", OPUS),  # no key
        ("count", "missing.json"),
        ("trim", "missing.json", "--budget", "100"),
        ("build", "EXAMPLE", "--model", OPUS, "--max-tokens", "99", "--budget", "100", "--param", "tools=5"),
    ],
)
def test_usage_and_input_errors_exit_2(args: tuple[str, ...]) -> None:
    done = run(*(EXAMPLE if a == "EXAMPLE" else a for a in args))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("convo: ") and "Traceback" not in done.stderr


def test_build_trims_to_the_budget_before_placing_breakpoints(tmp_path: Path) -> None:
    path = long_chat(tmp_path)
    done = run("build", path, "--model", OPUS, "--max-tokens", "1024", "--budget", "2000", "--cache", "auto")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    kept = Conversation.from_wire({"system": body["system"], "messages": body["messages"]})
    assert LocalCounter().count(kept, model=OPUS) <= 2000
    assert len(body["messages"]) < 61
    full = json.loads(run("build", path, "--model", OPUS, "--max-tokens", "1024").stdout)
    assert len(full["messages"]) == 61


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("trim", "EXAMPLE", "--budget", "0"), "--budget must be at least 1 token"),
        (
            ("build", "EXAMPLE", "--max-tokens", "9", "--model", OPUS, "--headroom", "10"),
            "--headroom needs --budget",
        ),
        (("build", "HISTORY", "--max-tokens", "9"), "--model is required: the input names no model"),
        (
            ("build", "NUMBERED", "--max-tokens", "9"),
            "--model is required: the input's model 5 is not a model id",
        ),
        (
            ("build", "HISTORY", "--max-tokens", "9", "--model", OPUS, "--counter", "api"),
            "--counter api needs --budget",
        ),
        (("count", "EXAMPLE", "--counter", "api", "--model", OPUS), "--counter api needs ANTHROPIC_API_KEY"),
        # the environment is checked before the input: bad usage whatever the input holds
        (("count", "INVALID", "--counter", "api", "--model", OPUS), "--counter api needs ANTHROPIC_API_KEY"),
        (("trim", "INVALID", "--budget", "9", "--counter", "api"), "--counter api needs ANTHROPIC_API_KEY"),
        (
            ("build", "INVALID", "--max-tokens", "9", "--budget", "9", "--counter", "api"),
            "--counter api needs ANTHROPIC_API_KEY",
        ),
    ],
)
def test_usage_errors_of_the_verbs_point_to_help(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    """Bad usage found by a verb reads as argparse's does: one line that points to convo --help."""
    history = tmp_path / "history.json"
    history.write_text('[{"role": "user", "content": "Hi"}]')
    invalid = tmp_path / "invalid.json"
    invalid.write_text('[{"role": "user", "content": ""}]')
    numbered = tmp_path / "numbered.json"
    numbered.write_text('{"model": 5, "max_tokens": 9, "messages": [{"role": "user", "content": "Hi"}]}')
    files = {"EXAMPLE": EXAMPLE, "HISTORY": history, "INVALID": invalid, "NUMBERED": numbered}
    done = run(*(files.get(a, a) for a in args))
    assert done.returncode == 2
    assert done.stderr.startswith(f"convo: {says}") and done.stderr.endswith(" (see 'convo --help')\n")
    assert done.stderr.count("\n") == 1


def test_an_environment_the_sdk_cannot_make_a_client_from_is_bad_usage() -> None:
    """A malformed ANTHROPIC_BASE_URL makes the SDK's client refuse to be made: one line, not a traceback."""
    done = run(
        "count",
        EXAMPLE,
        "--counter",
        "api",
        "--model",
        OPUS,
        env={"ANTHROPIC_API_KEY": "test-key", "ANTHROPIC_BASE_URL": "::not a url"},
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("convo: --counter api") and done.stderr.count("\n") == 1


# --- --counter api, in process, through the SDK on a mock transport ------------------------------

anthropic = pytest.importorskip("anthropic")
httpx2 = pytest.importorskip("httpx2")


class CountEndpoint:
    """count_tokens: a token per 4 bytes of the body; records each request."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: Any) -> Any:
        assert request.url.path == "/v1/messages/count_tokens"
        body = json.loads(request.content)
        self.bodies.append(body)
        return httpx2.Response(200, json={"input_tokens": self.tokens(body)})

    @staticmethod
    def tokens(body: dict[str, Any]) -> int:
        return len(json.dumps({k: v for k, v in body.items() if k != "model"})) // 4

    def client(self) -> Any:
        return anthropic.Anthropic(
            api_key="test-key", max_retries=0, http_client=httpx2.Client(transport=httpx2.MockTransport(self))
        )


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> CountEndpoint:
    import convo._cli_tokens as cli_tokens

    api = CountEndpoint()
    monkeypatch.setattr(cli_tokens, "api_client", api.client)
    return api


def test_count_with_the_api_counter(endpoint: CountEndpoint, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", str(EXAMPLE), "--counter", "api", "--model", OPUS]) == 0
    result = json.loads(capsys.readouterr().out)
    (sent,) = endpoint.bodies
    assert result == {"input_tokens": CountEndpoint.tokens(sent), "counter": "api"}
    assert sent["model"] == OPUS and sent["messages"] == json.loads(EXAMPLE.read_bytes())["messages"]


def test_count_sends_the_count_parameters_of_a_request_body(
    endpoint: CountEndpoint, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    body = {
        "model": OPUS,
        "max_tokens": 1024,
        "thinking": {"type": "adaptive"},
        "messages": [{"role": "user", "content": "Hi"}],
    }
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body))
    assert main(["count", str(path), "--counter", "api"]) == 0
    assert endpoint.bodies == [
        {"messages": body["messages"], "model": OPUS, "thinking": {"type": "adaptive"}}
    ]


def test_trim_with_the_api_counter(
    endpoint: CountEndpoint, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = long_chat(tmp_path, 60)
    whole = CountEndpoint.tokens(json.loads(path.read_bytes()))
    budget = whole // 2
    assert main(["trim", str(path), "--budget", str(budget), "--counter", "api", "--model", OPUS]) == 0
    out = capsys.readouterr().out
    trimmed = json.loads(out)
    assert CountEndpoint.tokens(trimmed) <= budget
    assert 1 <= len(endpoint.bodies) <= 9  # ceil(log2 121) + 2
    assert convo.check(out.encode()).valid


def test_build_with_the_api_counter(
    endpoint: CountEndpoint, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = long_chat(tmp_path, 40)
    args = [
        "build",
        str(path),
        "--model",
        OPUS,
        "--max-tokens",
        "1024",
        "--budget",
        "2500",
        "--counter",
        "api",
    ]
    assert main(args) == 0
    body = json.loads(capsys.readouterr().out)
    kept = {"system": body["system"], "messages": body["messages"]}
    assert CountEndpoint.tokens(kept) <= 2500 and endpoint.bodies


def test_api_errors_exit_1_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import convo._cli_tokens as cli_tokens

    def refuse(request: Any) -> Any:
        return httpx2.Response(
            401, json={"type": "error", "error": {"type": "authentication_error", "message": "no"}}
        )

    client = anthropic.Anthropic(
        api_key="k", max_retries=0, http_client=httpx2.Client(transport=httpx2.MockTransport(refuse))
    )
    monkeypatch.setattr(cli_tokens, "api_client", lambda: client)
    assert main(["count", str(EXAMPLE), "--counter", "api", "--model", OPUS]) == 1
    err = capsys.readouterr().err
    assert err.startswith("convo: count_tokens failed: AuthenticationError") and err.count("\n") == 1
