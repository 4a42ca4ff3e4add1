"""Prompt caching and counting on the shapes of this session's wire flags (toolsets, tool
changes, system messages): a third audit against api-rules §1.13, §5 and §6."""

from __future__ import annotations

from typing import Any

import pytest

import convo
from convo import Conversation, LocalCounter

OPUS = "claude-opus-4-8"
ASK = "Search the web for the weather in Lisbon."


def _with_change(change: dict[str, Any]) -> Conversation:
    return Conversation.from_wire(
        {"messages": [{"role": "user", "content": ASK}, {"role": "system", "content": [change]}]}
    )


@pytest.mark.parametrize(
    "definition",
    [
        {"type": "web_search_20250305", "name": "web_search"},
        {"type": "computer_toolset_20260801"},
        {"type": "bash_20250124", "name": "bash"},
    ],
)
@pytest.mark.parametrize("holder", ["tool_addition", "compaction"])
def test_a_tool_defined_inline_counts_the_definition_the_model_is_served(
    definition: dict[str, Any], holder: str
) -> None:
    """§1.13: a ``tool_addition`` of a ``tool_definition`` (``definition`` is "the same object a
    ``tools`` entry holds"), or one a compaction's ``tool_changes`` lists, serves the model the
    tool as a ``tools`` entry would; the local count, which errs high, counted only its JSON,
    a tenth of what declaring the same tool in ``tools`` counts (2,817 against 96 for web search)."""
    addition = {"type": "tool_addition", "tool": {"type": "tool_definition", "definition": definition}}
    if holder == "tool_addition":
        inline = _with_change(addition)
    else:
        compaction = {"type": "compaction", "content": "Summary.", "tool_changes": [addition]}
        inline = Conversation.from_wire(
            {"messages": [{"role": "user", "content": ASK}, {"role": "assistant", "content": [compaction]}]}
        )
    counter = LocalCounter(model=OPUS)
    declared = counter.count(Conversation(tools=[definition]).user(ASK))
    tools_prompt = convo._tokens.TOOLS_OVERHEAD  # the tool-use prompt of a non-empty tools
    assert counter.count(inline) >= declared - tools_prompt
