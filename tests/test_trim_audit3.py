"""``conv.trim()`` on what the other trim tests do not build: tool changes (api-rules §1.13) made
by a message the trim drops, and then named by a message it keeps."""

from __future__ import annotations

from typing import Any

import convo
from convo import Conversation, LocalCounter

OPUS = "claude-opus-4-8"
RUN = {"name": "run", "description": "Run a command.", "input_schema": {"type": "object"}}
DEFINE = {
    "type": "tool_addition",
    "tool": {"type": "tool_definition", "definition": {"name": "lookup", "input_schema": {"type": "object"}}},
}
REMOVE = {"type": "tool_removal", "tool": {"type": "tool_reference", "name": "lookup"}}


def exchanges(conv: Conversation, *questions: str) -> Conversation:
    for question in questions:
        conv = conv.assistant(f"About {question}: " + "details " * 60).user(question)
    return conv


def every_trim(conv: Conversation) -> list[Conversation]:
    """The conversation trimmed to every twentieth of its count, with and without a pinned turn."""
    total = LocalCounter().count(conv, model=OPUS)
    trims = []
    for budget in range(total // 20, total, total // 20):
        for pin in (0, 1):
            try:
                trims.append(conv.trim(budget, model=OPUS, pin=pin))
            except convo.BudgetTooSmall:
                pass
    return trims


def test_a_system_message_whose_text_expired_keeps_its_tool_changes_in_force() -> None:
    """The SDK's ``clear_at: "next_user_message"`` hides a system message's text from the next
    user message on; the tool it defines stays, and a kept tool_removal names it (§1.13)."""
    expiring: dict[str, Any] = {
        "role": "system",
        "content": [DEFINE, {"type": "text", "text": "Use lookup first."}],
        "clear_at": "next_user_message",
    }
    conv = Conversation(tools=[RUN]).user("Start.").append(expiring)
    conv = exchanges(conv, "Q1", "Q2").append({"role": "system", "content": [REMOVE]})
    conv = exchanges(conv, "Q3", "Q4")
    assert convo.check(conv.to_json(), model=OPUS).valid
    trims = every_trim(conv)
    assert any(len(trimmed) < len(conv) - 4 for trimmed in trims)
    for trimmed in trims:
        assert convo.check(trimmed.to_json(), model=OPUS).valid
        moved = [m for m in trimmed.messages if m.role == "system" and m.blocks[0].type == "tool_addition"]
        assert [b.type for m in moved for b in m.blocks] == ["tool_addition"]  # the text stays expired
