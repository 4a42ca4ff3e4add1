"""The turn a request continues: a tool loop stays open while the user turn after it holds tool
results, however many user messages the API merges into that turn (api-rules §1.6)."""

from __future__ import annotations

from typing import Any

import pytest

from convo import BudgetTooSmall, Conversation, LocalCounter
from convo._trim import cleared_thinking, plan

SONNET_45 = "claude-sonnet-4-5"
MANUAL = {"type": "enabled", "budget_tokens": 2048}
TOOL = {"name": "run", "description": "Run a command.", "input_schema": {"type": "object"}}


def use(i: int, think: bool) -> list[dict[str, Any]]:
    thinking = [{"type": "thinking", "thinking": f"Plan {i}. " * 5, "signature": f"c2ln{i}"}] if think else []
    return [*thinking, {"type": "tool_use", "id": f"toolu_{i}", "name": "run", "input": {"cmd": "make"}}]


def interrupted_loop() -> Conversation:
    """A tool loop that started with thinking, where the user wrote after a round's results."""
    conv = Conversation(tools=[TOOL]).user("Fix the build.")
    conv = conv.assistant(use(1, True)).tool_results({"toolu_1": "error: missing header " * 30})
    conv = conv.assistant(use(2, False)).tool_results({"toolu_2": "error: missing header " * 30})
    conv = conv.user("Use the other compiler.")  # the API merges it into the results' turn
    return conv.assistant(use(3, False)).tool_results({"toolu_3": "ok " * 30})


def test_the_current_turn_starts_at_the_last_user_turn_without_tool_results() -> None:
    from convo._params import current_turn_start  # where the fix put it: checked after the others

    conv = interrupted_loop()
    assert current_turn_start(conv.messages) == 0
    assert current_turn_start(conv.user("And the tests.").messages) == 0  # merged with the results
    assert current_turn_start(conv.assistant("Fixed.").user("Thanks.").messages) == 9
    assert current_turn_start(conv.messages[1:]) == -1  # no such turn: every assistant turn is open


def test_trimming_with_manual_thinking_keeps_the_thinking_that_opens_an_interrupted_loop() -> None:
    """§4.3: with manual thinking the turn a request continues must start with thinking."""
    conv = interrupted_loop()
    conv.request(model=SONNET_45, max_tokens=4000, thinking=MANUAL)
    assert plan(list(conv.messages), 1, manual=True) == (1, [1])
    assert cleared_thinking(conv.messages, 0) == list(conv.messages)
    size = LocalCounter().count(conv, model=SONNET_45, thinking=MANUAL)
    for clear in (None, 0):  # no round of the open loop can go: none of its later turns thinks
        with pytest.raises(BudgetTooSmall):
            conv.trim(size - 1, model=SONNET_45, params={"thinking": MANUAL}, clear_thinking=clear)
    closed = conv.assistant("Fixed.").user("Thanks.")
    trimmed = closed.trim(size - 1, model=SONNET_45, params={"thinking": MANUAL}, clear_thinking=0)
    trimmed.request(model=SONNET_45, max_tokens=4000, thinking=MANUAL)
