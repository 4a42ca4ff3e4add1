"""``conv.trim()`` on what the other trim tests do not build: an assistant turn sent as several
messages in a row, as a ``pause_turn`` continuation leaves it (api-rules §1.6, §3.10)."""

from __future__ import annotations

from typing import Any

from convo import Conversation, LocalCounter

OPUS = "claude-opus-4-8"
SEARCH = {"type": "web_search_20250305", "name": "web_search"}


def thinking(i: int) -> dict[str, Any]:
    return {"type": "thinking", "thinking": "Weigh the sources. " * 20, "signature": f"c2ln{i}"}


def test_clear_thinking_counts_a_paused_turn_and_its_continuation_as_one_thinking_turn() -> None:
    """§1.6: assistant messages in a row are one turn, and context editing's thinking_turns counts
    turns: keeping the newest two keeps all the thinking of a conversation with two."""
    use = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "Lisbon"}}
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}
    conv = Conversation(tools=[SEARCH]).user("Search for Lisbon hotels.")
    conv = conv.assistant([thinking(1), use])  # paused: stop_reason pause_turn
    conv = conv.assistant([result, thinking(2), {"type": "text", "text": "Found three."}])
    conv = conv.user("Which is cheapest?").assistant([thinking(3), {"type": "text", "text": "The second."}])
    conv = conv.user("Book it.")
    budget = LocalCounter().count(conv, model=OPUS) - 1
    trimmed = conv.trim(budget, model=OPUS, clear_thinking=2)
    kept = {m.to_json() for m in trimmed.messages}
    assert all(m.to_json() in kept for m in conv.messages[4:])
    for message in trimmed.messages:  # no turn's thinking cleared: the search turn was dropped whole
        assert message.role != "assistant" or message.blocks[0].type == "thinking"
    trimmed.request(model=OPUS, max_tokens=4000)
