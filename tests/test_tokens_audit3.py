"""Third audit of the local counter: inline tools, toolset members, calibration with prior thinking."""

from __future__ import annotations

from typing import Any

from convo import Conversation, LocalCounter
from convo._tokens import TOOLS_OVERHEAD

WEATHER = {
    "name": "get_weather",
    "description": "Get the weather of a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}
INLINE = {"type": "tool_definition", "definition": WEATHER}


def with_inline_tool(how: str, tools: list[dict[str, Any]] | None = None) -> Conversation:
    """A conversation whose only tool is defined inline (§1.13): by a system message's
    ``tool_addition``, or by a compaction's ``tool_changes``."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": "What is the weather in Paris?"}]
    addition = {"type": "tool_addition", "tool": INLINE}
    if how == "system":
        messages.append({"role": "system", "content": [addition]})
        messages.append({"role": "assistant", "content": "Let me look."})
    else:
        compaction = {"type": "compaction", "content": "Earlier: small talk.", "tool_changes": [addition]}
        messages.append(
            {"role": "assistant", "content": [compaction, {"type": "text", "text": "Let me look."}]}
        )
    messages.append({"role": "user", "content": "Go on."})
    return Conversation.from_wire({"messages": messages, **({"tools": tools} if tools else {})})


def test_a_tool_defined_only_inline_counts_the_tool_prompt() -> None:
    """With ``tools`` empty, a tool defined inline still serves the model the hidden tool-use
    prompt (§1.13: the definition is a ``tools`` entry's); the count left it out, about 500 low."""
    declared = Conversation.from_wire(
        {
            "messages": [
                {"role": "user", "content": "What is the weather in Paris?"},
                {"role": "assistant", "content": "Let me look."},
                {"role": "user", "content": "Go on."},
            ],
            "tools": [WEATHER],
        }
    )
    small = {"name": "x", "input_schema": {"type": "object"}}
    counter = LocalCounter()
    for model in ("claude-opus-4-8", "claude-sonnet-4-5"):
        for how in ("system", "compaction"):
            inline = counter.count(with_inline_tool(how), model=model)
            assert inline >= counter.count(declared, model=model)
            # a declared tool brings the prompt already: declaring one more adds its definition only
            both = counter.count(with_inline_tool(how, tools=[small]), model=model)
            assert both - inline < TOOLS_OVERHEAD


def toolset_loop(toolset: str | None) -> Conversation:
    """A browser toolset member's call and its result, echoing ``toolset_name`` (§3.7) or not."""
    named = {"toolset_name": toolset} if toolset else {}
    return Conversation.from_wire(
        {
            "messages": [
                {"role": "user", "content": "Open the page."},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "tool_use", "id": "toolu_01A", "name": "screenshot", "input": {}, **named}
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "toolu_01A", "content": "ok", **named}
                    ],
                },
            ]
        }
    )


def test_the_toolset_name_of_a_call_and_its_result_counts() -> None:
    """The model reads the toolset a call belongs to and a result echoes: it was not counted at all,
    whatever its length."""
    counter = LocalCounter(model="claude-sonnet-4-5")
    toolset = "browser_automation_toolset_" * 8
    plain, named = counter.message_tokens(toolset_loop(None)), counter.message_tokens(toolset_loop(toolset))
    for message in (1, 2):
        assert named[message] - plain[message] >= len(toolset) / 4


def one_call(block: dict[str, Any]) -> int:
    """The estimate of an assistant message of one call."""
    conv = Conversation.from_wire(
        {"messages": [{"role": "user", "content": "Go."}, {"role": "assistant", "content": [block]}]}
    )
    return LocalCounter(model="claude-sonnet-4-5").message_tokens(conv)[1]


def test_the_caller_of_a_call_and_the_mcp_server_count() -> None:
    """A call's ``caller`` (the code execution that made it, with its id) and an MCP call's
    ``server_name`` are part of the block the model reads (§2 table); neither was counted."""
    caller = {"type": "code_execution_20250825", "tool_id": "srvtoolu_01ABCDEFGHIJKLMNOPQRSTUVWX"}
    for kind, call_id in (("tool_use", "toolu_01A"), ("server_tool_use", "srvtoolu_01B")):
        call = {"type": kind, "id": call_id, "name": "f", "input": {}}
        assert one_call({**call, "caller": caller}) - one_call(call) >= len(str(caller)) / 4
    server = "documentation_search_server_" * 8
    mcp = {"type": "mcp_tool_use", "id": "mcptoolu_01", "name": "f", "input": {}}
    assert one_call({**mcp, "server_name": server}) - one_call({**mcp, "server_name": "d"}) >= len(server) / 4


def thinking_loop(thinking: bool) -> Conversation:
    """An exchange whose answer thought at length (math the tokenizer makes dense), then a new
    question: the answer's thinking is an earlier turn's."""
    thought = "Let me check: f(x)=3*x+2; x in [1,2,3] -> [5,8,11]; sum=24. " * 60
    answer: list[dict[str, Any]] = [{"type": "text", "text": "The sum is 24."}]
    if thinking:
        answer.insert(0, {"type": "thinking", "thinking": thought, "signature": "c2lnbmF0dXJl" * 4})
    return Conversation.from_wire(
        {
            "messages": [
                {"role": "user", "content": "What is the sum of f over [1,2,3]? " * 5},
                {"role": "assistant", "content": answer},
                {"role": "user", "content": "And over [4,5]?"},
            ]
        }
    )


def test_a_calibration_leaves_out_the_prior_thinking_count_tokens_leaves_out() -> None:
    """On a model that keeps earlier turns' thinking, ``count_tokens`` leaves it out (§6.4) while
    the model reads it (§9.7).  Fitted to that count against an estimate that held the thinking,
    the scale fell to MIN_SCALE, and where the estimate is exact (the count below is its own,
    of the conversation as count_tokens sees it) the calibrated count, 1,347, was under the 1,580
    the model reads."""
    counter = LocalCounter(model="claude-opus-4-8")
    full = thinking_loop(thinking=True)
    counted = counter.count(thinking_loop(thinking=False))
    assert counter.calibrated(full, counted).count(full) >= counter.count(full)
    # fitted on like with like: the conversation as count_tokens sees it estimates at the count, plus 2%
    assert counter.calibrated(full, counted).count(thinking_loop(thinking=False)) <= counted * 1.02 + 1
