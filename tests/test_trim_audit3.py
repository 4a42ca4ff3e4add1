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


def test_a_dropped_compaction_leaves_its_tool_changes_in_force() -> None:
    """A compaction block's tool_changes take ``tools`` to the tool set at the end of the range it
    summarized (the SDK's ``BetaCompactionBlockParam``); a kept tool_result names a tool they
    define (§1.13), so dropping the compaction moves them as a system message."""
    compaction = {
        "type": "compaction",
        "content": "Earlier: the user set up lookup.",
        "tool_changes": [DEFINE],
    }
    conv = exchanges(Conversation(tools=[RUN]).user("Start."), "Q1")
    conv = conv.assistant([compaction, {"type": "text", "text": "Set up."}]).user("Q2")
    use = {"type": "tool_use", "id": "toolu_1", "name": "run", "input": {"cmd": "ls"}}
    found = {
        "type": "tool_result",
        "tool_use_id": "toolu_1",
        "content": [{"type": "tool_reference", "tool_name": "lookup"}],
    }
    conv = exchanges(conv.assistant([use]).user([found]), "Q3", "Q4")
    assert convo.check(conv.to_json(), model=OPUS).valid
    trims = every_trim(conv)
    assert any(all(b.type != "compaction" for m in trimmed.messages for b in m.blocks) for trimmed in trims)
    for trimmed in trims:
        assert convo.check(trimmed.to_json(), model=OPUS).valid


def test_the_summary_is_given_the_dropped_compaction() -> None:
    compaction = {
        "type": "compaction",
        "content": "Earlier: the user set up lookup.",
        "tool_changes": [DEFINE],
    }
    conv = exchanges(Conversation(tools=[RUN]).user("Start."), "Q1")
    conv = exchanges(conv.assistant([compaction, {"type": "text", "text": "Set up."}]).user("Q2"), "Q3", "Q4")
    given: list[tuple[convo.Message, ...]] = []

    def summarize(dropped: tuple[convo.Message, ...]) -> str:
        given.append(dropped)
        return "Earlier: the user set up lookup."

    trimmed = conv.trim(LocalCounter().count(conv, model=OPUS) // 2, model=OPUS, summarize=summarize)
    assert any(b.type == "compaction" for m in given[-1] for b in m.blocks)
    assert [m.role for m in trimmed.messages][:2] == ["user", "system"]
