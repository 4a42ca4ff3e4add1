"""Thinking (api-rules §4), a second audit: each case held against the section it cites."""

from __future__ import annotations

from typing import Any

import convo
from convo import Conversation

SONNET_45 = "claude-sonnet-4-5"
MANUAL = {"type": "enabled", "budget_tokens": 1024}
THOUGHT = {"type": "thinking", "thinking": "Search first.", "signature": "c2ln"}
CALL = {"type": "tool_use", "id": "toolu_1", "name": "clock", "input": {}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "12:00"}
SEARCH = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "time"}}
FOUND = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}
TOOLS = [
    {"name": "clock", "input_schema": {"type": "object"}},
    {"type": "web_search_20250305", "name": "web_search"},
]


def loop(opener: list[dict[str, Any]]) -> dict[str, Any]:
    """A manual-thinking request answering the tool call of an assistant turn made of ``opener``."""
    return {
        "model": SONNET_45,
        "max_tokens": 4096,
        "thinking": MANUAL,
        "tools": TOOLS,
        "messages": [
            {"role": "user", "content": "What time is it?"},
            {"role": "assistant", "content": opener},
            {"role": "user", "content": [RESULT]},
        ],
    }


def codes(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in convo.check(body).problems if p.code != "model-deprecated"]


# -- thinking-final-block-missing: the thinking was dropped, not placed after the API's blocks --


def test_a_continued_turn_whose_thinking_follows_a_server_tool_call_keeps_its_thinking() -> None:
    """§4.2: the turn goes back as it came, in its order; the server ran the search before the
    model thought, and thinking-not-first lets such a turn open with the call.  §4.3 asks the
    turn to start with thinking so that its thinking is not dropped; here it is not."""
    assert codes(loop([SEARCH, FOUND, THOUGHT, CALL])) == []
    conv = Conversation(tools=TOOLS).user("What time is it?")
    conv = conv.reply(
        {
            "type": "message",
            "role": "assistant",
            "model": SONNET_45,
            "content": [SEARCH, FOUND, THOUGHT, CALL],
            "stop_reason": "tool_use",
        }
    )
    conv = conv.tool_results({"toolu_1": "12:00"})
    assert conv.request(model=SONNET_45, max_tokens=4096, thinking=MANUAL).params()["thinking"] == MANUAL


def test_thinking_placed_late_is_reported_once_as_thinking_not_first() -> None:
    """A turn that holds thinking behind a text block breaks the order rule, which says so;
    the thinking is there, so §4.3's missing-thinking error does not repeat it."""
    text = {"type": "text", "text": "Let me check."}
    assert codes(loop([text, THOUGHT, CALL])) == [("thinking-not-first", "/messages/1/content/0")]


def test_a_malformed_thinking_block_is_not_also_reported_missing() -> None:
    """A thinking block without its signature is block-malformed; saying the turn must start
    with a thinking block "not 'thinking'" adds nothing but confusion."""
    unsigned = {"type": "thinking", "thinking": "Search first."}
    assert codes(loop([unsigned, CALL])) == [("block-malformed", "/messages/1/content/0")]


def test_a_continued_turn_without_thinking_is_still_refused_under_manual_thinking() -> None:
    """§4.3's quoted 400: the turn was made without thinking (or its thinking was dropped)."""
    assert codes(loop([CALL])) == [("thinking-final-block-missing", "/messages/1/content/0")]
