"""Prompt caching and counting on the shapes of this session's wire flags (toolsets, tool
changes, system messages): a third audit against api-rules §1.13, §5 and §6."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import convo
from convo import CachePolicy, Conversation, LocalCounter
from convo.testing import wire_conversations

from .test_cache import convo_tokens, sim

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


# -- a sweep of the new shapes: placement legal, stable, and as the simulator predicts ------------

BETAS = ["mid-conversation-tool-changes-2026-07-01"]
POLICIES = [
    "auto",
    CachePolicy(long_pauses=True, min_tokens=0),
    CachePolicy(anchor=False, min_tokens=0),
    CachePolicy(move_user_marks=True, min_tokens=0),
    CachePolicy(ttl="1h", min_tokens=0),
    CachePolicy(prefix_ttl="1h", min_tokens=0),
    CachePolicy(max_breakpoints=2, min_tokens=0),
]
SHAPES = {"toolsets": True, "tool_changes": True, "system_messages": True, "images": False}


def _cache_errors(body: dict[str, Any]) -> list[convo.Problem]:
    return [p for p in convo.check(body, betas=BETAS).errors if p.code.startswith("cache")]


def _requests(wire: dict[str, Any], policy: CachePolicy | str) -> list[dict[str, Any]]:
    """The body of each request the conversation's turns make, cut where a user turn (and any
    system messages after it) ends, for the requests convo accepts."""
    messages = wire["messages"]
    out = []
    for end in range(1, len(messages) + 1):
        answered = end < len(messages) and messages[end]["role"] != "assistant"
        if messages[end - 1]["role"] == "assistant" or answered:  # not where a request is sent
            continue
        conv = Conversation.from_wire({**wire, "messages": messages[:end]})
        try:
            request = conv.request(model=OPUS, max_tokens=10, cache=policy, betas=BETAS)  # type: ignore[arg-type]
        except convo.ValidationError:
            continue
        out.append(json.loads(request.body()))
    return out


@settings(max_examples=25)
@given(wire_conversations(min_turns=2, max_turns=8, **SHAPES), st.sampled_from(POLICIES))
def test_placement_on_toolsets_tool_changes_and_system_messages_is_legal_and_stable(
    wire: dict[str, Any], policy: CachePolicy | str
) -> None:
    """§5.1, §5.4, §2.4 on every new shape (a compaction, a tool_addition or tool_removal and a
    browser_state may carry a mark, the SDK says; thinking may not): each request checks clean
    of the cache rules, and one that only grew reads what the previous one cached, unless it
    turned citations on (§5.9)."""
    bodies = _requests(wire, policy)
    for body in bodies:
        assert not _cache_errors(body), _cache_errors(body)
        assert len(convo.cache_breakpoints(body)) <= 4
    for before, after in itertools.pairwise(bodies):
        toggled = _CITING in json.dumps(after) and _CITING not in json.dumps(before)
        prediction = convo.predict_cache(before, after, elapsed=10.0, min_tokens=0)
        assert prediction.hit or toggled or not convo.cache_breakpoints(before), prediction.note


_CITING = '"citations": {"enabled": true}'


@settings(max_examples=25)
@given(
    wire_conversations(min_turns=2, max_turns=8, server_tools=False, cache_marks=False, **SHAPES),
    st.sampled_from(POLICIES),
    st.sampled_from([None, "5m", "1h"]),
    st.sampled_from([10.0, 400.0, 4000.0]),
)
def test_place_cache_on_the_new_shapes_is_legal_and_predicted_as_the_simulator_does(
    wire: dict[str, Any], policy: CachePolicy | str, automatic: str | None, elapsed: float
) -> None:
    """place_cache on a body with every new shape, with and without a top-level cache_control:
    legal (§5.1, §5.5), and predict_cache reads and writes what benchmarks/cache_sim.py does.
    (Server tool results and the user's own nested marks are left out: the simulator does not
    look inside a server tool result, nor end a nested mark's prefix at its block, as convo has
    since 3aa884e and 765fb37.)"""
    messages = wire["messages"]
    half = {**wire, "messages": messages[: max(1, len(messages) // 2)], "model": OPUS}
    bodies = []
    for body in (half, {**wire, "model": OPUS}):
        if automatic is not None:
            body = {**body, "cache_control": {"type": "ephemeral", "ttl": automatic}}
        assume(not _cache_errors(body))
        placed = json.loads(convo.place_cache(body, policy=policy))  # type: ignore[arg-type]
        assert not _cache_errors(placed), _cache_errors(placed)
        bodies.append(placed)
    usage = sim.simulate([(0.0, bodies[0]), (elapsed, bodies[1])], minimum=0, tokens=convo_tokens)[1]
    p = convo.predict_cache(bodies[0], bodies[1], elapsed=elapsed, min_tokens=0)
    got = (p.read_tokens, p.write_tokens - p.write_1h_tokens, p.write_1h_tokens, p.input_tokens)
    assert got == (usage.read, usage.write_5m, usage.write_1h, usage.uncached), p.note
