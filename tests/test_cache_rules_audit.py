"""Prompt caching against api-rules §5: cases an audit found where convo and the rules disagreed."""

from __future__ import annotations

import json
from typing import Any

import pytest

import convo

MARK_1H = {"type": "ephemeral", "ttl": "1h"}
FALLBACK = {"type": "fallback", "from": {"model": "claude-opus-5"}, "to": {"model": "claude-opus-4-8"}}
LISTING = {
    "type": "mcp_tool_listing",
    "mcp_server_name": "gh",
    "tools": [{"name": "search", "input_schema": {}}],
}


def cache_errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in convo.check(body).errors if p.code.startswith("cache")]


@pytest.mark.parametrize("beta", [FALLBACK, LISTING], ids=["fallback", "mcp_tool_listing"])
def test_the_automatic_breakpoint_passes_over_a_block_that_has_no_cache_control(beta: dict[str, Any]) -> None:
    """§5.5: "If the last block is ineligible, the API walks backwards to the nearest eligible
    block", and "If that explicit TTL differs: 400".  A fallback or mcp_tool_listing block has
    no cache_control field (§2.4, the SDK's params), so the automatic 5m breakpoint lands on the
    text before it, which has its own 1h mark."""
    answer = {
        "role": "assistant",
        "content": [{"type": "text", "text": "Found.", "cache_control": MARK_1H}, beta],
    }
    body = {
        "model": "claude-sonnet-4-5",  # takes a prefill: the answer may end the request
        "max_tokens": 9,
        "cache_control": {"type": "ephemeral"},
        "messages": [{"role": "user", "content": "Look it up."}, answer],
    }
    assert [b.path for b in convo.cache_breakpoints(body)] == ["/messages/1/content/0"] * 2
    assert cache_errors(body) == [("cache-control-automatic-ttl", "/cache_control")]
    body["cache_control"] = MARK_1H  # the same TTL: a no-op
    assert cache_errors(body) == []


LONG = "All about the project, its modules and their tests. " * 120


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("speed", None),
        ("output_config", {}),
        ("output_config", {"effort": None, "format": None}),
        ("thinking", {"type": "adaptive", "display": None}),  # Opus 5's default thinking
    ],
)
def test_a_parameter_left_at_its_default_by_null_reads_the_cache(name: str, value: Any) -> None:
    """§5.9: "Setting a parameter explicitly to its default equals omitting it".  A null
    ``speed``, ``output_config`` field or thinking ``display`` (all Optional in the SDK), or an
    ``output_config`` that sets nothing, leaves the parameter at its default."""
    conv = convo.Conversation(system=LONG).user("Hi").assistant("Hello.").user("More.")
    plain = conv.request(model="claude-opus-5", max_tokens=9, cache="auto")
    explicit = json.loads(plain.body()) | {name: value}
    assert convo.check(explicit).valid
    p = convo.predict_cache(plain, explicit)
    assert (p.hit, p.reason, p.missed_tokens) == (True, None, 0), p.note
