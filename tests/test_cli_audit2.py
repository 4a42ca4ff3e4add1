"""The ``convo`` command line, second audit: findings fixed, each run as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HI = [{"role": "user", "content": "Hi"}]


def run(
    *args: str | Path, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``convo *args``, with ``env`` over the environment (the API key left out unless given)."""
    environ = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    environ.update(env or {})
    environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), environ.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, "-m", "convo", *map(str, args)],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=120,
    )


# -- --counter api with an anthropic package that fails as it loads ---------------------------------


@pytest.mark.parametrize("verb", [("count",), ("trim", "--budget", "100"), ("build", "--budget", "100")])
def test_counter_api_with_an_sdk_that_fails_to_import_is_one_line_exit_2(
    tmp_path: Path, verb: tuple[str, ...]
) -> None:
    """DESIGN: bad input or environment is one line on stderr, never a traceback; a broken SDK
    (a dependency of the wrong version) raises something other than ImportError as it loads."""
    package = tmp_path / "sdk" / "anthropic"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('raise RuntimeError("pydantic is too old")\n')
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"model": "claude-opus-4-8", "max_tokens": 10, "messages": HI}))
    env = {"ANTHROPIC_API_KEY": "sk-test", "PYTHONPATH": str(tmp_path / "sdk")}
    done = run(verb[0], body, *verb[1:], "--counter", "api", env=env)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert "anthropic SDK" in done.stderr and "pydantic is too old" in done.stderr
    assert done.stdout == ""


# -- build --budget with a max_tokens that is no token count ----------------------------------------


@pytest.mark.parametrize(
    ("flags", "body_max_tokens"),
    [(("--max-tokens", "-1"), None), ((), "10"), ((), True), ((), 10.5)],
)
def test_build_budget_with_an_invalid_max_tokens_is_the_requests_error(
    tmp_path: Path, flags: tuple[str, ...], body_max_tokens: object
) -> None:
    """docs/cli.md: a request the API would refuse prints its problems and exits 1, as it does
    without --budget; an invalid max_tokens is not bad usage of a --param nobody gave."""
    body: dict[str, object] = {"model": "claude-opus-4-8", "messages": HI}
    if body_max_tokens is not None:
        body["max_tokens"] = body_max_tokens
    source = tmp_path / "body.json"
    source.write_text(json.dumps(body))
    trimmed = run("build", source, *flags, "--budget", "1000")
    untrimmed = run("build", source, *flags)
    assert (trimmed.returncode, untrimmed.returncode) == (1, 1), trimmed.stderr
    assert "[max-tokens-invalid]" in trimmed.stderr
    assert "--param" not in trimmed.stderr
    assert trimmed.stderr == untrimmed.stderr
    assert trimmed.stdout == ""
