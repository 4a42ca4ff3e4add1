"""Prompt caching against api-rules §5, a second audit: cases where convo and the rules disagreed."""

from __future__ import annotations

import pytest

import convo
from convo import CachePolicy, Conversation

OPUS = "claude-opus-4-8"
SYSTEM = "System prompt words here. " * 300
TOOLS = [{"name": "read", "description": "Read.", "input_schema": {"type": "object"}}]


def tool_turn(conv: Conversation, calls: int, tag: str) -> Conversation:
    uses = [
        {"type": "tool_use", "id": f"toolu_{tag}{j}", "name": "read", "input": {"p": j}} for j in range(calls)
    ]
    return conv.assistant(uses).tool_results({u["id"]: "x = 1\n" * 50 for u in uses})


@pytest.mark.parametrize("policy", [CachePolicy(long_pauses=True), CachePolicy(prefix_ttl="1h")])
def test_a_read_short_of_the_cache_after_the_5m_entries_expired_says_so(policy: CachePolicy) -> None:
    """§5.11: an entry lives its TTL from the start of the request that wrote it.  Six and a
    half minutes on, the previous request's 5m entries are gone and only its 1h ones are read:
    that is why the read falls short, not a breakpoint out of the lookback's reach (sent at
    once, this request reads all of it)."""
    first = tool_turn(Conversation(system=SYSTEM, tools=TOOLS).user("Fix. " * 100), 2, "a")
    before = first.request(model=OPUS, max_tokens=10, cache=policy)
    after = tool_turn(first, 3, "b").request(model=OPUS, max_tokens=10, cache=policy)
    assert before.breakpoints[-1].ttl == "5m"
    assert convo.predict_cache(before, after, elapsed=10).missed_tokens == 0  # within reach
    p = convo.predict_cache(before, after, elapsed=400)
    assert p.hit and p.missed_tokens > 0 and p.reason is None
    assert p.note.endswith(
        "fewer than cached: the previous request's 5m entries expired (400 s after a 5m write)"
        f"; writes {p.write_tokens:,}"
    ), p.note
    assert "positions" not in p.note
