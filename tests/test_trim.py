"""``conv.trim()``: where it cuts, what it keeps, its options, and how few counts it needs."""

from __future__ import annotations

import asyncio
import gc
import json
import random
import statistics
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convo
from convo import (
    ApiCounter,
    AsyncApiCounter,
    BudgetTooSmall,
    Conversation,
    InvalidArgument,
    LocalCounter,
    Message,
)
from convo._cache import unmarked_message
from convo._trim import CLEARED_TOOL_RESULT, call_limit, cleared_thinking, plan, search
from convo.testing import conversations

OPUS = "claude-opus-4-8"
SONNET_45 = "claude-sonnet-4-5"
LOCAL = LocalCounter()


def words(rng: random.Random, n: int) -> str:
    return " ".join(
        rng.choice(("alpha", "beta", "gamma", "delta", "cache", "token", "queue")) for _ in range(n)
    )


def chat(exchanges: int, seed: int = 0) -> Conversation:
    rng = random.Random(seed)
    conv = Conversation(system="You are helpful.")
    for _ in range(exchanges):
        conv = conv.user(words(rng, rng.randint(5, 40))).assistant(words(rng, rng.randint(20, 200)))
    return conv.user("And finally?")


def agent(rounds: int, seed: int = 0, *, thinking: bool = True) -> Conversation:
    rng = random.Random(seed)
    tool = {"name": "run", "description": "Run a command.", "input_schema": {"type": "object"}}
    conv = Conversation(system="You are an agent.", tools=[tool]).user("Fix the failing build.")
    for i in range(rounds):
        blocks: list[dict[str, Any]] = []
        if thinking:
            blocks.append({"type": "thinking", "thinking": words(rng, 30), "signature": f"sig{i}"})
        blocks.append(
            {"type": "tool_use", "id": f"toolu_{i}", "name": "run", "input": {"cmd": words(rng, 3)}}
        )
        conv = conv.assistant(blocks).tool_results({f"toolu_{i}": words(rng, rng.randint(20, 300))})
    return conv


def wires(conv: Conversation) -> list[bytes]:
    return [m.to_json() for m in conv.messages]


def assert_valid(conv: Conversation, model: str | None = None) -> None:
    report = convo.check(conv.to_json(), model=model)
    assert report.valid, report.errors
    assert not [p for p in report.warnings if p.code == "consecutive-roles"]


# --- what is kept -------------------------------------------------------------------------------


def test_a_conversation_within_budget_is_returned_as_it_is() -> None:
    conv = chat(3)
    assert conv.trim(LOCAL.count(conv)) is conv


def test_a_chat_drops_its_oldest_exchanges_and_joins_the_pinned_turn_to_the_kept_one() -> None:
    conv = chat(20)
    budget = LOCAL.count(conv) // 2
    trimmed = conv.trim(budget)
    assert LOCAL.count(trimmed) <= budget
    assert_valid(trimmed)
    original, kept = wires(conv), wires(trimmed)
    tail = len(kept) - 1
    assert kept[1:] == original[-tail:]  # a suffix, byte for byte
    first = trimmed.messages[0]
    k = len(original) - tail - 1  # the user turn the pinned one was joined to
    assert first.role == "user"
    assert [b.text for b in first.blocks] == [conv.messages[0].content, conv.messages[k].content]
    # the oldest whole exchanges went, and not one more than needed
    one_more = Conversation.from_wire(
        {
            "system": "You are helpful.",
            "messages": [conv.messages[0].to_dict(), *(m.to_dict() for m in conv.messages[k - 2 :])],
        }
    )
    assert LOCAL.count(one_more) > budget


def test_an_agent_loop_drops_whole_tool_rounds() -> None:
    conv = agent(40)
    budget = LOCAL.count(conv) // 2
    trimmed = conv.trim(budget)
    assert LOCAL.count(trimmed) <= budget
    assert_valid(trimmed)
    kept = wires(trimmed)
    assert kept[0] == wires(conv)[0]  # the task, untouched
    assert kept[1:] == wires(conv)[-(len(kept) - 1) :]
    assert trimmed.messages[1].role == "assistant"
    assert trimmed.messages[1].blocks[0].type == "thinking"  # kept turns keep their thinking


def test_kept_thinking_is_byte_for_byte() -> None:
    conv = agent(30)
    trimmed = conv.trim(LOCAL.count(conv) // 3)
    original = set(wires(conv))
    assert all(w in original for w in wires(trimmed)[1:])


def test_a_pending_tool_use_stays_with_its_turn() -> None:
    conv = agent(20).assistant([{"type": "tool_use", "id": "toolu_last", "name": "run", "input": {}}])
    trimmed = conv.trim(LOCAL.count(conv) // 2)
    assert [u.id for u in trimmed.pending_tool_uses] == ["toolu_last"]
    assert_valid(trimmed)


MANUAL = {"type": "enabled", "budget_tokens": 2000}


def loop_turns(conv: Conversation, thinking: list[bool], first: int = 0) -> Conversation:
    """A round of the tool loop for each flag, its assistant turn opening with thinking or not."""
    for i, think in enumerate(thinking, first):
        blocks: list[dict[str, Any]] = []
        if think:
            blocks.append({"type": "thinking", "thinking": f"Plan {i}. " * 5, "signature": f"c2ln{i}"})
        blocks.append({"type": "tool_use", "id": f"toolu_{i}", "name": "run", "input": {"cmd": "make"}})
        conv = conv.assistant(blocks).tool_results({f"toolu_{i}": "error: missing header " * 30})
    return conv


def test_with_manual_thinking_an_open_tool_loop_is_cut_only_at_a_turn_that_holds_thinking() -> None:
    """Without interleaved thinking only the loop's first turn has thinking; with manual thinking
    the turn a request continues must hold its thinking (api-rules §4.3)."""
    tool = {"name": "run", "description": "Run a command.", "input_schema": {"type": "object"}}
    start = Conversation(tools=[tool]).user("Fix the build.")
    conv = loop_turns(start, [True] + [False] * 5)
    assert plan(list(conv.messages), 1, manual=True) == (1, [1])
    assert plan(list(conv.messages), 1) == (1, [1, 3, 5, 7, 9, 11])  # adaptive or off: any round
    with pytest.raises(BudgetTooSmall):
        conv.trim(LOCAL.count(conv, model=SONNET_45) // 2, model=SONNET_45, params={"thinking": MANUAL})
    conv = loop_turns(start, [True, False, False, True, False, False])  # a later turn that thinks
    assert plan(list(conv.messages), 1, manual=True) == (1, [1, 7])
    size = LOCAL.count(conv, model=SONNET_45, thinking=MANUAL)
    trimmed = conv.trim(size - 1, model=SONNET_45, params={"thinking": MANUAL})
    assert trimmed.messages[1] == conv.messages[7]
    trimmed.request(model=SONNET_45, max_tokens=4000, thinking=MANUAL)
    closed = conv.assistant("Fixed.").user("Now the docs.")  # closed: its rounds may go
    assert plan(list(closed.messages), 1, manual=True) == (1, [1, 3, 5, 7, 9, 11, 13, 14])


@st.composite
def thinking_loops(draw: st.DrawFn) -> Conversation:
    """Chats and tool loops whose assistant turns open with thinking or not, the last loop open
    and started with thinking (so that a request with manual thinking takes it)."""
    tool = {"name": "run", "description": "Run a command.", "input_schema": {"type": "object"}}
    conv = Conversation(tools=[tool]).user("Fix the build.")
    used = 0
    for _ in range(draw(st.integers(0, 3))):  # closed exchanges: a tool loop, then an answer
        flags = draw(st.lists(st.booleans(), max_size=3))
        conv = loop_turns(conv, flags, used).assistant("Done.").user("Next?")
        used += len(flags)
    flags = [True, *draw(st.lists(st.booleans(), min_size=1, max_size=8))]
    return loop_turns(conv, flags, used)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    thinking_loops(),
    st.floats(0.05, 1.0),
    st.integers(0, 2),
    st.sampled_from(["local", "api"]),
    st.sampled_from([None, 0, 1]),
    st.booleans(),
)
def test_a_trimmed_loop_still_makes_a_request_with_manual_or_adaptive_thinking(
    conv: Conversation, share: float, pin: int, kind: str, clear_thinking: int | None, summary: bool
) -> None:
    for model, thinking in ((SONNET_45, MANUAL), ("claude-opus-4-6", {"type": "adaptive"})):
        conv.request(model=model, max_tokens=4000, thinking=thinking)  # valid before the trim
        counter: LocalCounter | ApiCounter = (
            LOCAL if kind == "local" else ApiCounter(ByteCounts(), model=model)
        )
        budget = max(1, int(counter.count(conv, model=model, thinking=thinking) * share))
        try:
            trimmed = conv.trim(
                budget,
                counter=counter,
                model=model,
                params={"thinking": thinking},
                pin=pin,
                clear_thinking=clear_thinking,
                summarize=(lambda dropped: f"{len(dropped)} messages") if summary else None,
            )
        except BudgetTooSmall:
            continue
        trimmed.request(model=model, max_tokens=4000, thinking=thinking)  # and after it


def test_pin_zero_keeps_a_plain_suffix_that_starts_with_a_user_turn() -> None:
    conv = chat(20)
    trimmed = conv.trim(LOCAL.count(conv) // 2, pin=0)
    assert trimmed.messages[0].role == "user"
    assert wires(trimmed) == wires(conv)[-len(trimmed) :]


def test_pin_two_keeps_the_first_two_user_turns() -> None:
    conv = chat(20)
    trimmed = conv.trim(LOCAL.count(conv) // 2, pin=2)
    assert wires(trimmed)[:2] == wires(conv)[:2]
    assert conv.messages[2].content in [b.text for b in trimmed.messages[2].blocks]  # type: ignore[union-attr]
    assert_valid(trimmed)


def test_the_plan_cuts_only_where_no_exchange_is_open() -> None:
    messages = list(agent(3).messages)  # u, a(tool_use), u(result), a, u, a, u
    s, cuts = plan(messages, 1)
    assert s == 1 and cuts == [1, 3, 5]
    messages = list(chat(3).messages)  # u a u a u a u
    assert plan(messages, 1) == (1, [1, 2, 4, 6])
    assert plan(messages, 0) == (0, [0, 2, 4, 6])


def test_server_tool_results_are_not_cut_from_their_calls() -> None:
    use = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "x"}}
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}
    client = {"type": "tool_use", "id": "toolu_1", "name": "run", "input": {}}
    conv = Conversation.from_wire(
        [
            {"role": "user", "content": "Go"},
            {"role": "assistant", "content": [use, client]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]},
            {"role": "assistant", "content": [result, {"type": "text", "text": "Done."}]},  # deferred result
            {"role": "user", "content": "Thanks"},
        ]
    )
    _, cuts = plan(list(conv.messages), 1)
    assert 3 not in cuts


# --- the budget ---------------------------------------------------------------------------------


def test_the_budget_can_be_the_context_window_minus_max_tokens() -> None:
    conv = chat(30)
    window = convo.profile(SONNET_45).context_window
    by_window = conv.trim(model=SONNET_45, max_tokens=window - 1000)
    assert LOCAL.count(by_window, model=SONNET_45) <= 1000
    assert by_window == conv.trim(1000, model=SONNET_45)
    both = conv.trim(5000, model=SONNET_45, max_tokens=window - 1000)  # the smaller of the two
    assert both == by_window


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "give a budget"),
        ({"max_tokens": 10}, "needs a model"),
        ({"budget": 0}, "at least 1"),
        ({"budget": 1.5}, "number of tokens"),
        ({"budget": 100, "pin": -1}, "pin"),
        ({"budget": 100, "clear_tool_results": True}, "clear_tool_results"),
        ({"budget": 100, "clear_thinking": -2}, "clear_thinking"),
        ({"budget": 100, "summary_tokens": 100}, "summary_tokens"),
        ({"budget": 100, "headroom": 100}, "headroom"),
        ({"budget": 100, "headroom": -1}, "headroom"),
        ({"budget": 1000, "headroom": 950, "summarize": lambda dropped: ""}, "headroom"),
        ({"budget": 100, "counter": object()}, "token counter"),
        ({"budget": 100, "params": [("thinking", {"type": "adaptive"})]}, "params must map"),
        ({"budget": 100, "params": {1: "x"}}, "params must map"),
        ({"budget": 100, "model": OPUS, "params": {"model": SONNET_45}}, "params name the model"),
        ({"budget": 100, "counter": LocalCounter(), "params": {"tools": [object()]}}, "not JSON data"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidArgument, match=match):
        chat(2).trim(**kwargs)


class Answering:
    """A counter of one's own that answers ``value`` whatever it is asked to count."""

    name = "answering"

    def __init__(self, value: object) -> None:
        self.value = value

    def count(self, conversation: Conversation, /, *, model: str | None = None, **params: Any) -> Any:
        return self.value


@pytest.mark.parametrize("value", [-1, -(10**6), 1.5, float("nan"), True, "12", None])
def test_a_counter_that_answers_no_count_of_tokens_is_an_error(value: object) -> None:
    conv = chat(20)  # over the budget: a count it takes to fit would be kept, however it was got
    with pytest.raises(convo.TokenCountError, match="not a number of tokens"):
        conv.trim(500, counter=Answering(value))
    with pytest.raises(convo.TokenCountError, match="not a number of tokens"):
        asyncio.run(conv.atrim(500, counter=Answering(value)))


def test_pinned_turns_over_budget_raise_budget_too_small() -> None:
    conv = Conversation().user("A long task statement. " * 200).assistant("OK").user("Go")
    with pytest.raises(BudgetTooSmall, match="pinned turns alone") as exc:
        conv.trim(100)
    assert exc.value.budget == 100 and exc.value.needed > 100
    assert isinstance(exc.value, convo.ConvoError) and isinstance(exc.value, ValueError)


CLEARED = {"clear_tool_results": 0, "clear_thinking": 0}


def budget_that_clearing_meets(loop: Conversation) -> int:
    """The budget of the smallest trim once everything is cleared, which it needs without."""
    with pytest.raises(BudgetTooSmall) as alone:
        loop.trim(1)
    with pytest.raises(BudgetTooSmall) as smallest:
        loop.trim(alone.value.needed, **CLEARED)
    return smallest.value.needed


def test_budget_too_small_names_trims_arguments_as_ways_out() -> None:
    conv = agent(5)
    with pytest.raises(BudgetTooSmall) as exc:  # one task, then tool rounds: pin=0 keeps them all
        conv.trim(budget_that_clearing_meets(conv))
    assert str(exc.value).endswith(
        ": raise the budget or clear old tool results and thinking (clear_tool_results=0, clear_thinking=0)"
    )
    with pytest.raises(BudgetTooSmall):
        conv.trim(budget_that_clearing_meets(conv), pin=0)
    two_tasks = agent(2).user("Now fix the docs.").assistant("Done.").user("Thanks.")
    with pytest.raises(BudgetTooSmall) as exc:
        two_tasks.trim(50)
    assert str(exc.value).endswith(": raise the budget or pin fewer turns (pin=0)")
    with pytest.raises(BudgetTooSmall) as unpinned:  # pinning fewer is no way out then
        conv.trim(5, pin=0)
    assert "pin" not in str(unpinned.value)  # nor does it speak of pinned turns


def test_budget_too_small_offers_clearing_only_where_there_is_something_to_clear() -> None:
    ways = "clear old tool results and thinking"
    chat_only = Conversation().user("A long task statement. " * 200).assistant("OK").user("Go")
    with pytest.raises(BudgetTooSmall) as plain:  # no tool result, no thinking
        chat_only.trim(100)
    assert ways not in str(plain.value) and str(plain.value).endswith("or pin fewer turns (pin=0)")
    loop = agent(5)
    budget = budget_that_clearing_meets(loop)
    with pytest.raises(BudgetTooSmall) as results:
        loop.trim(budget)
    assert ways in str(results.value)
    assert loop.trim(budget, **CLEARED)  # and it is a way out
    with pytest.raises(BudgetTooSmall) as alone:  # the system prompt, tools and task alone: no way out
        loop.trim(50)
    assert ways not in str(alone.value)
    with pytest.raises(BudgetTooSmall) as cleared:  # already cleared: clearing again is no way out
        loop.trim(budget - 1, **CLEARED)
    assert ways not in str(cleared.value)
    assert ways not in str(cleared.value.spelt({"budget": "--budget", "clear": "--clear-thinking 0"}))


def test_budget_too_small_spelt_otherwise_keeps_its_numbers() -> None:
    error = BudgetTooSmall(100, 250, "the pinned turns alone")
    flags = error.spelt({"budget": "--budget", "pin": "--pin 0"})
    assert (type(flags), flags.budget, flags.needed) == (BudgetTooSmall, 100, 250)
    assert str(flags) == (
        "the pinned turns alone need 250 tokens, over the budget of 100: raise --budget or pin fewer turns (--pin 0)"
    )
    assert str(flags.spelt({"budget": "B"})).endswith(": raise B")
    unpinned = BudgetTooSmall(100, 250, pinned=False).spelt({"budget": "--budget", "pin": "--pin 0"})
    assert str(unpinned).endswith(": raise --budget")


def test_a_last_exchange_over_budget_raises_budget_too_small() -> None:
    conv = Conversation().user("Hi").assistant("Hello").user("Summarize: " + "words " * 2000)
    with pytest.raises(BudgetTooSmall, match="last exchange"):
        conv.trim(200)


FRENCH = {"role": "system", "content": "From now on, answer in French."}
BRIEF = {
    "role": "system",
    "content": "Answer the next question in one line.",
    "clear_at": "next_user_message",
}


def test_system_messages_in_the_dropped_part_move_after_the_opening_user_turn() -> None:
    """§1.3: later system messages override earlier ones and the top-level system: dropping one
    would change what the model is told. It moves to the first place it may stand."""
    head = chat(3, seed=1)
    conv = head.append(FRENCH).append(BRIEF).assistant("Oui.")
    tail = chat(12, seed=2)
    for m in tail.messages:
        conv = conv.append(m)
    budget = LOCAL.count(conv) // 2
    for pin in (1, 0):
        trimmed = conv.trim(budget, model=OPUS, pin=pin)
        assert LOCAL.count(trimmed, model=OPUS) <= budget
        assert_valid(trimmed, OPUS)
        roles = [m.role for m in trimmed.messages]
        assert roles[:3] == ["user", "system", "assistant"]
        assert trimmed.messages[1].to_dict() == FRENCH  # the expired one went
        assert wires(trimmed)[2:] == wires(conv)[-(len(roles) - 2) :]


def test_a_system_message_passed_by_a_cut_in_a_tool_loop_precedes_the_kept_assistant_turn() -> None:
    loop = agent(30)
    conv = Conversation(system="You are an agent.", tools=list(loop.tools)).user("Fix the failing build.")
    conv = conv.append({"role": "system", "content": "Never touch the tests."})
    for m in loop.messages[1:]:
        conv = conv.append(m)
    trimmed = conv.trim(LOCAL.count(conv) // 2, model=OPUS)
    assert_valid(trimmed, OPUS)
    assert [m.role for m in trimmed.messages[:3]] == ["user", "system", "assistant"]
    assert wires(trimmed)[:2] == wires(conv)[:2] and len(trimmed) < len(conv)


def test_the_summarizer_is_not_given_the_system_messages_that_stay() -> None:
    conv = chat(3, seed=1).append(FRENCH).assistant("Oui.")
    for m in chat(12, seed=2).messages:
        conv = conv.append(m)
    given: list[tuple[convo.Message, ...]] = []
    trimmed = conv.trim(
        LOCAL.count(conv) // 2, model=OPUS, summarize=lambda d: given.append(d) or "Earlier: chat."
    )
    assert given and all(m.role != "system" for m in given[0])
    assert FRENCH in [m.to_dict() for m in trimmed.messages]
    assert_valid(trimmed, OPUS)


# --- clearing and summaries ---------------------------------------------------------------------


def test_clearing_old_tool_results_may_be_enough() -> None:
    conv = agent(10, thinking=False)
    assert conv.trim(LOCAL.count(conv), clear_tool_results=2) is conv  # it fits: nothing is cleared
    cleared_size = LOCAL.count(conv.trim(LOCAL.count(conv) - 1, clear_tool_results=2))  # clearing only
    assert cleared_size < LOCAL.count(conv)
    trimmed = conv.trim(cleared_size, clear_tool_results=2)
    assert len(trimmed) == len(conv)  # nothing dropped
    results = [b for m in trimmed.messages for b in m.blocks if b.type == "tool_result"]
    assert [r.content for r in results[:-2]] == [CLEARED_TOOL_RESULT] * 8  # type: ignore[union-attr]
    assert (
        [r.content for r in results[-2:]]
        == [  # type: ignore[union-attr]
            b.content for m in conv.messages for b in m.blocks if b.type == "tool_result"
        ][-2:]
    )
    assert_valid(trimmed)


def test_clearing_keeps_ids_and_error_flags() -> None:
    conv = (
        Conversation()
        .user("Go")
        .assistant([{"type": "tool_use", "id": "t1", "name": "f", "input": {}}])
        .tool_results({"t1": RuntimeError("boom " * 50)})
        .assistant("Done")
        .user("Again")
    )
    block = conv.trim(LOCAL.count(conv) - 1, clear_tool_results=0).messages[2].blocks[0]
    assert (block.tool_use_id, block.is_error, block.content) == ("t1", True, CLEARED_TOOL_RESULT)  # type: ignore[union-attr]


def test_clearing_old_thinking_keeps_the_current_loop_and_the_newest_turns() -> None:
    conv = agent(6)
    trimmed = conv.trim(LOCAL.count(conv) - 1, clear_thinking=0)  # rounds dropped, none cleared:
    kept = [any(b.type == "thinking" for b in m.blocks) for m in trimmed.messages if m.role == "assistant"]
    assert kept and all(kept)  # one user turn, so the whole loop is the current turn
    conv = conv.assistant("All fixed.").user("Now the docs.")
    trimmed = conv.trim(LOCAL.count(conv) - 1, clear_thinking=1)
    thinking = [
        any(b.type == "thinking" for b in m.blocks) for m in trimmed.messages if m.role == "assistant"
    ]
    assert thinking == [True] * 5 + [False]  # the loop is the newest thinking turn: kept, a round dropped
    assert_valid(trimmed, OPUS)


def test_clearing_thinking_keeps_all_of_it_when_asked_to_keep_more_turns_than_there_are() -> None:
    conv = Conversation().user("Q0")
    for i in range(3):
        thinking = {"type": "thinking", "thinking": f"Reasoning {i}. " * 40, "signature": "c2ln"}
        conv = conv.assistant([thinking, {"type": "text", "text": f"Answer {i}."}]).user(f"Q{i + 1}")
    for keep in (3, 4, 100):
        assert cleared_thinking(conv.messages, keep) == list(conv.messages)
    assert [len(m.blocks) for m in cleared_thinking(conv.messages, 2)] == [1, 1, 1, 2, 1, 2, 1]
    assert conv.trim(LOCAL.count(conv) - 1, clear_thinking=4) == conv.trim(LOCAL.count(conv) - 1)


def test_a_request_s_own_parameters_can_be_passed_through() -> None:
    conv = agent(10)
    params = {"model": OPUS, "max_tokens": 1024, "thinking": {"type": "adaptive"}}
    budget = LOCAL.count(conv, model=OPUS) // 2
    expected = conv.trim(budget, model=OPUS, params={"thinking": {"type": "adaptive"}})
    assert conv.trim(budget, params=params) == expected
    assert conv.trim(budget, model=OPUS, params=params) == expected


def test_a_turn_of_only_thinking_keeps_it() -> None:
    only = [{"type": "thinking", "thinking": "Hmm.", "signature": "s"}]
    conv = Conversation().user("Q1").assistant(only).user("Q2").assistant("A2").user("Q3")
    assert conv.trim(10**6, clear_thinking=0) == conv


def test_a_summary_replaces_what_was_dropped() -> None:
    conv = chat(20)
    seen: list[tuple[Message, ...]] = []

    def summarize(dropped: tuple[Message, ...]) -> str:
        seen.append(dropped)
        return f"[Summary of {len(dropped)} earlier messages]"

    budget = LOCAL.count(conv) // 2
    trimmed = conv.trim(budget, summarize=summarize)
    assert LOCAL.count(trimmed) <= budget
    assert_valid(trimmed)
    (dropped,) = seen
    assert dropped == tuple(conv.messages[1 : 1 + len(dropped)])
    texts = [b.text for b in trimmed.messages[0].blocks]  # type: ignore[union-attr]
    assert texts[1] == f"[Summary of {len(dropped)} earlier messages]"
    assert texts[0] == conv.messages[0].content


def test_a_summary_in_an_agent_loop_closes_the_pinned_turn() -> None:
    conv = agent(30)
    trimmed = conv.trim(LOCAL.count(conv) // 2, summarize=lambda dropped: "Earlier: ran the tests.")
    assert [b.text for b in trimmed.messages[0].blocks] == [
        "Fix the failing build.",
        "Earlier: ran the tests.",
    ]  # type: ignore[union-attr]
    assert_valid(trimmed)


def test_a_summary_too_long_drops_more_and_summarizes_again() -> None:
    conv = chat(30)
    calls: list[int] = []

    def summarize(dropped: tuple[Message, ...]) -> str:
        calls.append(len(dropped))
        return "summary " * 300 if len(calls) == 1 else "short"

    budget = LOCAL.count(conv) // 2
    trimmed = conv.trim(budget, summarize=summarize, summary_tokens=10)
    assert LOCAL.count(trimmed) <= budget and len(calls) == 2 and calls[1] > calls[0]


def test_the_summarizer_is_given_the_dropped_turns_as_they_were_before_clearing() -> None:
    loop = agent(10)
    given: list[tuple[Message, ...]] = []

    def summarize(dropped: tuple[Message, ...]) -> str:
        given.append(dropped)
        return "Earlier rounds failed on a missing header."

    cleared = {"clear_tool_results": 0, "clear_thinking": 0}
    budget = LOCAL.count(loop.trim(LOCAL.count(loop) - 1, **cleared)) // 2  # cleared, still over
    trimmed = loop.trim(budget, **cleared, summarize=summarize)
    assert LOCAL.count(trimmed) <= budget and given
    for dropped in given:  # what the summary is to keep: the results and thinking, not placeholders
        assert dropped == loop.messages[1 : 1 + len(dropped)]


def test_an_empty_summary_adds_nothing_and_a_bad_one_is_refused() -> None:
    conv = chat(20)
    budget = LOCAL.count(conv) // 2
    assert conv.trim(budget, summarize=lambda d: "  ", summary_tokens=0) == conv.trim(budget)
    with pytest.raises(InvalidArgument, match="must return a string"):
        conv.trim(budget, summarize=lambda d: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(InvalidArgument, match="not valid Unicode"):
        conv.trim(budget, summarize=lambda d: "\ud800 earlier turns")  # a lone surrogate


# --- counts: the API counter --------------------------------------------------------------------


class ByteCounts:
    """A deterministic count_tokens: a token per 4 bytes of the JSON body; records calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.messages = self

    @staticmethod
    def tokens(body: dict[str, Any]) -> int:
        return 10 + len(json.dumps({k: v for k, v in body.items() if k != "model"})) // 4

    def count_tokens(self, **body: Any) -> dict[str, int]:
        self.calls += 1
        return {"input_tokens": self.tokens(body)}


def measured(conv: Conversation) -> int:
    return ByteCounts.tokens(json.loads(conv.to_json()))


def test_trimming_to_half_takes_two_counts_in_the_usual_case() -> None:
    calls = []
    for seed in range(7):
        conv = agent(150, seed)  # 301 messages
        client = ByteCounts()
        budget = measured(conv) // 2
        trimmed = conv.trim(budget, counter=ApiCounter(client, model=OPUS))
        assert measured(trimmed) <= budget
        assert client.calls <= call_limit(len(conv))
        calls.append(client.calls)
    assert statistics.median(calls) <= 2


def test_a_large_pinned_turn_still_takes_two_counts_in_the_usual_case() -> None:
    """A pasted document that always stays, tokenizing unlike the rest: a count's ratio to the
    estimate blends the two, so the second guess keeps a margin for the fixed part's share."""
    hanzi = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
    calls = []
    for seed in range(7):
        rng = random.Random(seed)
        tool = {"name": "run", "description": "Run a command.", "input_schema": {"type": "object"}}
        conv = Conversation(tools=[tool]).user("Translate the manual.")
        for i in range(150):
            use = {"type": "tool_use", "id": f"toolu_{i}", "name": "run", "input": {"cmd": words(rng, 3)}}
            output = "".join(rng.choice(hanzi) for _ in range(rng.randint(20, 300)))
            conv = conv.assistant([use]).tool_results({f"toolu_{i}": output})
        budget = measured(conv) // 2
        body = json.loads(conv.to_json())
        body["messages"][0]["content"] = "Translate this manual:\n" + words(
            rng, budget // 3
        )  # half the budget
        conv = Conversation.from_wire(body)
        client = ByteCounts()
        trimmed = conv.trim(budget, counter=ApiCounter(client, model=OPUS))
        assert measured(trimmed) <= budget
        calls.append(client.calls)
    assert statistics.median(calls) <= 2


def test_headroom_keeps_what_fits_and_trims_what_does_not_to_below_the_budget() -> None:
    conv = chat(40)
    whole = LOCAL.count(conv)
    assert conv.trim(whole, headroom=whole // 2) == conv  # it fits: nothing to do
    trimmed = conv.trim(whole - 1, headroom=whole // 3)
    assert LOCAL.count(trimmed) <= whole - 1 - whole // 3
    assert_valid(trimmed)
    for seed in range(5):  # the API counter: the same bound on count_tokens calls
        big = agent(150, seed)
        client = ByteCounts()
        budget = measured(big) * 3 // 4
        cut = big.trim(budget, counter=ApiCounter(client, model=OPUS), headroom=budget // 3)
        assert measured(cut) <= budget - budget // 3
        assert client.calls <= call_limit(len(big))


def test_headroom_holds_after_clearing_and_with_a_summary() -> None:
    loop = agent(6, thinking=False)
    whole = LOCAL.count(loop)
    assert loop.trim(whole, clear_tool_results=0, headroom=whole // 4) is loop  # fits: untouched
    cleared = LOCAL.count(loop.trim(whole - 1, clear_tool_results=0))
    trimmed = loop.trim(cleared + 10, clear_tool_results=0, headroom=200)
    assert LOCAL.count(trimmed) <= cleared + 10 - 200  # what changes, changes to the limit
    conv = chat(12)
    budget = LOCAL.count(conv) // 2
    summarized = conv.trim(budget, summarize=lambda dropped: "summary words " * 40, headroom=budget // 4)
    assert LOCAL.count(summarized) <= budget - budget // 4
    assert conv.trim(LOCAL.count(conv), summarize=lambda dropped: "S") is conv  # no room kept for nothing


def test_a_summary_of_a_str_subclass_is_read_as_text() -> None:
    class Text(str):
        pass

    conv = chat(12)
    trimmed = conv.trim(LOCAL.count(conv) // 2, summarize=lambda dropped: Text("What came before."))
    assert "What came before." in trimmed.to_json().decode()


def test_headroom_trims_a_growing_chat_seldom_so_its_cache_prefix_holds() -> None:
    """Trimming to just under the budget trims again on nearly every turn, and every trim
    moves the cached prefix; trimming with headroom leaves several turns between trims."""

    def trims(headroom: int) -> int:
        conv, count = chat(1), 0
        for i in range(60):
            conv = conv.user(f"Question {i}?").assistant(f"Answer {i}. " * 30)
            trimmed = conv.trim(3000, headroom=headroom)
            count += trimmed != conv
            conv = trimmed
        return count

    assert trims(1000) * 4 < trims(0)


def test_an_agent_loop_trimmed_every_round_reuses_its_counted_prefix() -> None:
    client = ByteCounts()
    counter = ApiCounter(client, model=OPUS)
    conv = agent(60)
    budget = measured(conv) * 2 // 3
    calls = []
    rng = random.Random(1)
    for i in range(60, 100):
        conv = conv.trim(budget, counter=counter)
        assert measured(conv) <= budget
        before = client.calls
        conv = conv.assistant([{"type": "tool_use", "id": f"toolu_{i}", "name": "run", "input": {}}])
        conv = conv.tool_results({f"toolu_{i}": words(rng, 200)})
        calls.append(client.calls - before)
        before = client.calls
        conv = conv.trim(budget, counter=counter)
        calls[-1] = client.calls - before
    assert statistics.mean(calls) <= 1.5 and max(calls) <= 3


class Liar:
    """Counts that have nothing to do with the local estimate."""

    name = "liar"

    def __init__(self) -> None:
        self.calls = 0

    def count(self, conversation: Conversation, /, *, model: str | None = None, **params: Any) -> int:
        self.calls += 1
        return sum(len(m.to_json()) ** 2 % 997 + 1000 for m in conversation.messages)


def test_the_search_bound_holds_when_estimates_are_useless() -> None:
    conv = chat(200)
    for budget in (5_000, 50_000, 150_000, 300_000):
        liar = Liar()
        try:
            trimmed = conv.trim(budget, counter=liar)
        except BudgetTooSmall:
            continue
        finally:
            assert liar.calls <= call_limit(len(conv))
        assert Liar().count(trimmed) <= budget


@pytest.mark.parametrize(
    ("options", "extra"),
    [
        ({"clear_tool_results": 2}, lambda limit: 1),
        ({"clear_thinking": 0, "clear_tool_results": 0}, lambda limit: 1),
        ({"headroom": 2_000}, lambda limit: 1 + limit),
        ({"summarize": lambda dropped: "Earlier work. " * 300}, lambda limit: 3),
    ],
)
def test_each_option_adds_no_more_calls_than_budgets_md_says(
    options: dict[str, Any], extra: Callable[[int], int]
) -> None:
    conv = agent(60)
    limit = call_limit(len(conv))
    for budget in (20_000, 40_000, 60_000, 80_000):
        liar = Liar()
        try:
            conv.trim(budget, counter=liar, **options)
        except BudgetTooSmall:
            pass
        assert liar.calls <= limit + extra(limit), (budget, liar.calls)


def test_the_sdk_counter_trims_through_a_mock_transport() -> None:
    anthropic = pytest.importorskip("anthropic")
    httpx2 = pytest.importorskip("httpx2")
    bodies: list[dict[str, Any]] = []

    def endpoint(request: Any) -> Any:
        body = json.loads(request.content)
        bodies.append(body)
        assert request.url.path == "/v1/messages/count_tokens"
        return httpx2.Response(200, json={"input_tokens": ByteCounts.tokens(body)})

    client = anthropic.Anthropic(
        api_key="k", max_retries=0, http_client=httpx2.Client(transport=httpx2.MockTransport(endpoint))
    )
    conv = agent(100)
    budget = measured(conv) // 2
    trimmed = conv.trim(
        budget, counter=ApiCounter(client), model=OPUS, params={"thinking": {"type": "adaptive"}}
    )
    assert measured(trimmed) <= budget
    assert 1 <= len(bodies) <= call_limit(len(conv))
    assert all(b["model"] == OPUS and b["thinking"] == {"type": "adaptive"} for b in bodies)
    assert_valid(trimmed)


# --- async: atrim and AsyncApiCounter ----------------------------------------------------------


class AsyncByteCounts(ByteCounts):
    """ByteCounts with an async ``count_tokens``, as ``AsyncAnthropic`` has."""

    async def count_tokens(self, **body: Any) -> dict[str, int]:  # type: ignore[override]
        await asyncio.sleep(0)
        return super().count_tokens(**body)


def test_atrim_over_the_async_sdk_makes_the_same_calls_as_trim() -> None:
    anthropic = pytest.importorskip("anthropic")
    httpx2 = pytest.importorskip("httpx2")
    seen: dict[str, list[dict[str, Any]]] = {"sync": [], "async": []}

    def endpoint(kind: str) -> Any:
        def answer(request: Any) -> Any:
            body = json.loads(request.content)
            seen[kind].append(body)
            assert request.url.path == "/v1/messages/count_tokens"
            return httpx2.Response(200, json={"input_tokens": ByteCounts.tokens(body)})

        return httpx2.MockTransport(answer)

    sync_client = anthropic.Anthropic(
        api_key="k", max_retries=0, http_client=httpx2.Client(transport=endpoint("sync"))
    )
    async_client = anthropic.AsyncAnthropic(
        api_key="k", max_retries=0, http_client=httpx2.AsyncClient(transport=endpoint("async"))
    )
    conv = agent(100)
    budget = measured(conv) // 2
    params = {"thinking": {"type": "adaptive"}}
    counter = AsyncApiCounter(async_client)
    trimmed = asyncio.run(convo.atrim(conv, budget, counter=counter, model=OPUS, params=params))
    expected = conv.trim(budget, counter=ApiCounter(sync_client), model=OPUS, params=params)
    assert trimmed == expected and measured(trimmed) <= budget
    assert seen["async"] == seen["sync"] and 1 <= counter.calls == len(seen["async"]) <= call_limit(len(conv))
    assert_valid(trimmed)
    again = asyncio.run(convo.atrim(conv, budget, counter=counter, model=OPUS, params=params))
    assert again == trimmed and counter.calls == len(seen["async"])  # every count remembered


def test_an_agent_loop_trimmed_every_round_costs_the_same_calls_sync_or_async() -> None:
    def rounds(asynchronous: bool) -> list[int]:
        client: ByteCounts = AsyncByteCounts() if asynchronous else ByteCounts()
        sync_counter, async_counter = ApiCounter(client, model=OPUS), AsyncApiCounter(client, model=OPUS)
        conv = agent(60)
        budget = measured(conv) * 2 // 3
        rng = random.Random(1)
        calls = []
        for i in range(60, 90):
            conv = conv.assistant([{"type": "tool_use", "id": f"toolu_{i}", "name": "run", "input": {}}])
            conv = conv.tool_results({f"toolu_{i}": words(rng, 200)})
            before = client.calls
            if asynchronous:
                conv = asyncio.run(convo.atrim(conv, budget, counter=async_counter))
            else:
                conv = conv.trim(budget, counter=sync_counter)
            assert measured(conv) <= budget
            calls.append(client.calls - before)
        return calls

    sync, asynchronous = rounds(False), rounds(True)
    assert sync == asynchronous
    assert statistics.mean(asynchronous) <= 1.5 and max(asynchronous) <= 3


def test_atrim_takes_a_local_counter_and_async_or_plain_summarizers() -> None:
    conv = chat(20)
    budget = LOCAL.count(conv) // 2
    assert asyncio.run(convo.atrim(conv, budget)) == conv.trim(budget)
    assert asyncio.run(convo.atrim(conv, 10**6)) is conv

    def plain(dropped: tuple[Message, ...]) -> str:
        return f"[{len(dropped)} earlier messages]"

    async def awaited(dropped: tuple[Message, ...]) -> str:
        await asyncio.sleep(0)
        return plain(dropped)

    expected = conv.trim(budget, summarize=plain)
    assert asyncio.run(convo.atrim(conv, budget, summarize=awaited)) == expected
    assert asyncio.run(convo.atrim(conv, budget, summarize=plain)) == expected
    counter = ApiCounter(ByteCounts(), model=OPUS)  # a sync counter works too
    assert asyncio.run(convo.atrim(conv, measured(conv) // 2, counter=counter)) == conv.trim(
        measured(conv) // 2, counter=ApiCounter(ByteCounts(), model=OPUS)
    )


def test_conv_atrim_is_convo_atrim_with_every_argument() -> None:
    conv = agent(60).assistant("Fixed.").user("Now the docs.")  # the tool loop is over: thinking clears
    budget = measured(conv) // 2

    async def summarize(dropped: tuple[Message, ...]) -> str:
        await asyncio.sleep(0)
        return f"[{len(dropped)} earlier messages]"

    class Recorded(AsyncByteCounts):
        def __init__(self) -> None:
            super().__init__()
            self.bodies: list[dict[str, Any]] = []

        async def count_tokens(self, **body: Any) -> dict[str, int]:
            self.bodies.append(body)
            return await super().count_tokens(**body)

    async def both(
        limit: int | None, options: dict[str, Any], method: Recorded, function: Recorded
    ) -> tuple[Conversation, Conversation]:
        by_method = await conv.atrim(limit, counter=AsyncApiCounter(method, model=OPUS), **options)
        by_function = await convo.atrim(conv, limit, counter=AsyncApiCounter(function, model=OPUS), **options)
        return by_method, by_function

    window = convo.profile(OPUS).context_window
    for limit, options in (
        (budget, {}),
        (budget, {"model": OPUS, "params": {"thinking": {"type": "adaptive"}}}),
        (None, {"model": OPUS, "max_tokens": window - budget}),
        (budget, {"pin": 0, "clear_tool_results": 5}),
        (budget, {"clear_thinking": 0}),
        (budget, {"summarize": summarize, "summary_tokens": 200}),
    ):
        method_client, function_client = Recorded(), Recorded()
        by_method, by_function = asyncio.run(both(limit, options, method_client, function_client))
        assert by_method == by_function, options
        assert measured(by_method) <= budget and by_method != conv
        assert method_client.bodies == function_client.bodies and method_client.calls >= 1  # the same calls
    assert asyncio.run(conv.atrim(budget)) == conv.trim(budget)  # the local counter by default
    with pytest.raises(InvalidArgument, match="pin"):
        asyncio.run(conv.atrim(budget, pin=-1))


def test_atrim_refuses_what_trim_refuses_and_trim_refuses_an_async_counter() -> None:
    conv = chat(20)
    with pytest.raises(InvalidArgument, match="pin"):
        asyncio.run(convo.atrim(conv, 100, pin=-1))
    with pytest.raises(BudgetTooSmall):
        asyncio.run(convo.atrim(conv, 5, counter=AsyncApiCounter(AsyncByteCounts(), model=OPUS)))
    with pytest.raises(InvalidArgument, match="atrim"):
        conv.trim(100, counter=AsyncApiCounter(AsyncByteCounts(), model=OPUS))  # type: ignore[arg-type]


def test_trim_refuses_an_async_summarizer_naming_atrim_and_leaves_no_coroutine_behind() -> None:
    conv = chat(20)

    async def summarize(dropped: tuple[Message, ...]) -> str:
        return "Earlier: other cities."

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(InvalidArgument, match=r"summarizer is async: trim with `await convo.atrim"):
            conv.trim(LOCAL.count(conv) // 2, summarize=summarize)  # type: ignore[arg-type]
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]  # "never awaited"


# --- properties ---------------------------------------------------------------------------------


@st.composite
def monotone(draw: st.DrawFn) -> tuple[list[int], list[int], int]:
    m = draw(st.integers(1, 300))
    steps = draw(st.lists(st.integers(0, 500), min_size=m, max_size=m))
    noise = draw(st.lists(st.floats(0.3, 3.0), min_size=m, max_size=m))
    real, total = [], 0
    for step in reversed(steps):
        total += step
        real.append(total + 100)
    real.reverse()
    estimates = []
    e = 0.0
    for r, f in zip(reversed(real), reversed(noise), strict=True):
        e = max(e, r * f)
        estimates.append(int(e))
    estimates.reverse()
    budget = draw(st.integers(1, real[0] + 100))
    return estimates, real, budget


@settings(max_examples=300, deadline=None)
@given(monotone(), st.booleans(), st.floats(0.0, 1.0))
def test_search_finds_a_fitting_candidate_within_the_call_bound(
    case: tuple[list[int], list[int], int], exact: bool, fixed_share: float
) -> None:
    estimates, real, budget = case
    if exact:
        estimates = real
    probes: list[int] = []

    def measure(j: int) -> int:
        probes.append(j)
        return real[j]

    limit = call_limit(len(real))
    fixed = int(estimates[-1] * fixed_share)  # what every candidate keeps
    try:
        j, count = search(estimates, measure, budget, limit=limit, exact=exact, fixed=fixed)
    except BudgetTooSmall:
        assert real[-1] > budget
    else:
        assert count == real[j] <= budget
        if exact:  # the first candidate that fits
            assert j == 0 or real[j - 1] > budget
    assert len(probes) <= limit


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    conversations(max_turns=12, system_messages=True),
    st.floats(0.05, 1.0),
    st.integers(0, 2),
    st.sampled_from(["local", "api"]),
    st.sampled_from([None, 0, 2]),
    st.sampled_from([None, 0, 1]),
)
def test_trimming_always_yields_a_valid_conversation_within_budget(
    conv: Conversation,
    share: float,
    pin: int,
    kind: str,
    clear_results: int | None,
    clear_thinking: int | None,
) -> None:
    counter: LocalCounter | ApiCounter = LOCAL if kind == "local" else ApiCounter(ByteCounts(), model=OPUS)
    size = counter.count(conv, model=OPUS)
    budget = max(1, int(size * share))
    try:
        trimmed = conv.trim(
            budget,
            counter=counter,
            model=OPUS,
            pin=pin,
            clear_tool_results=clear_results,
            clear_thinking=clear_thinking,
        )
    except BudgetTooSmall as exc:
        assert exc.needed > budget
        return
    assert counter.count(trimmed, model=OPUS) <= budget
    report = convo.check(trimmed.to_json())
    assert report.valid, report.errors
    before = {p.code for p in convo.check(conv.to_json()).warnings}
    assert {p.code for p in report.warnings} <= before  # no new warning either
    if clear_results is None and clear_thinking is None:
        original = set(wires(conv))
        kept = wires(trimmed)
        assert sum(w not in original for w in kept) <= 1  # the last pinned turn may be joined to a kept one
        # the newest turn is always kept (moved system messages may follow it: §1.3 allows that)
        last = [m for m in conv.messages if m.role != "system"][-1].blocks
        assert [m for m in trimmed.messages if m.role != "system"][-1].blocks[-len(last) :] == last
    lasting = [
        unmarked_message(w)
        for w in wires(conv)
        if json.loads(w)["role"] == "system" and b"next_user_message" not in w
    ]
    kept = [unmarked_message(w) for w in wires(trimmed)]
    assert [
        w for w in kept if w in lasting
    ] == lasting  # instructions in force all stay, in order (moved: unmarked)


def test_a_budget_only_the_joined_turns_meet_is_met() -> None:
    """A local count adds messages up, but a kept user turn joined to the pinned one counts
    less than the two apart: a budget only that meets is met, not refused."""
    conv = Conversation().user("Plan a trip to Lisbon.").assistant("Day 1: Alfama. " * 5)
    conv = conv.user("And Porto?").assistant("Day 1: Ribeira. " * 5).user("And Faro?").assistant("Beach.")
    conv = conv.user("Costs?")
    joined = Conversation().user(
        [{"type": "text", "text": "Plan a trip to Lisbon."}, {"type": "text", "text": "Costs?"}]
    )
    trimmed = conv.trim(LOCAL.count(joined))  # the pinned turn and the question, as one user turn
    assert trimmed == joined
    assert_valid(trimmed)


def test_headroom_gives_way_when_only_the_budget_can_be_met() -> None:
    """Headroom and the room kept for a summary are wishes: when even the smallest trim leaves
    less, the budget alone is kept, and only a budget the smallest trim is over is an error."""
    conv = chat(3)
    smallest = LOCAL.count(conv.trim(LOCAL.count(conv) // 2))
    trimmed = conv.trim(smallest + 2, headroom=smallest)
    assert LOCAL.count(trimmed) <= smallest + 2
    summarized = conv.trim(smallest + 2, summarize=lambda dropped: "", summary_tokens=smallest)
    assert LOCAL.count(summarized) <= smallest + 2
    with pytest.raises(BudgetTooSmall, match="over the budget of 20:"):
        conv.trim(20, summarize=lambda dropped: "", headroom=1)


def test_a_summary_that_does_not_fit_is_left_out() -> None:
    conv = chat(6)
    plain = conv.trim(LOCAL.count(conv) // 2)
    calls: list[int] = []

    def verbose(dropped: tuple[convo.Message, ...]) -> str:
        calls.append(len(dropped))
        return "So much happened. " * 2000

    assert conv.trim(LOCAL.count(conv) // 2, summarize=verbose).to_json() == plain.to_json()
    assert 1 <= len(calls) <= 3 and calls == sorted(calls)  # it dropped more before giving up


def test_pinning_more_user_turns_than_there_are_pins_them_all() -> None:
    loop = agent(10)
    assert loop.trim(LOCAL.count(loop) // 2, pin=5).to_json() == loop.trim(LOCAL.count(loop) // 2).to_json()


def test_max_tokens_over_the_context_window_says_so() -> None:
    with pytest.raises(convo.InvalidArgument, match="max_tokens 2000000 leaves no room"):
        chat(3).trim(model="claude-opus-4-8", max_tokens=2_000_000)


def test_a_model_whose_context_window_is_unknown_gives_no_budget_from_max_tokens() -> None:
    """An unknown model's profile takes the largest window known (1M), a guess that would let a
    trim overflow a smaller one: the budget must then be given."""
    conv = chat(30)
    unknown = "claude-opus-4-1-20250805"  # recorded traffic names it; convo has no row for it
    assert not convo.profile(unknown).known
    with pytest.raises(InvalidArgument, match="context window of 'claude-opus-4-1-20250805' is not known"):
        conv.trim(model=unknown, max_tokens=8192)
    assert conv.trim(1000, model=unknown, max_tokens=8192) == conv.trim(1000, model=unknown)


def test_budget_too_small_gives_what_the_smallest_trim_needs() -> None:
    """`needed` is the smallest trim as counted (its kept user turn joined to the pinned one),
    so a budget of exactly `needed` trims."""
    conv = chat(6)
    budget = LOCAL.count(conv)
    with pytest.raises(BudgetTooSmall) as info:
        while True:
            budget = LOCAL.count(conv.trim(budget)) - 1
    assert LOCAL.count(conv.trim(info.value.needed)) == info.value.needed


def test_with_manual_thinking_a_turn_that_calls_a_server_tool_before_it_thinks_is_a_cut() -> None:
    """The model may call a server tool before it thinks (the turn goes back in its order, §4.2):
    such a turn holds its thinking, and a request may continue it (§4.3), so trimming may cut there."""
    tools = [
        {"name": "run", "description": "Run a command.", "input_schema": {"type": "object"}},
        {"type": "web_search_20250305", "name": "web_search"},
    ]
    conv = loop_turns(Conversation(tools=tools).user("Fix the build."), [True, False])
    search = {
        "type": "server_tool_use",
        "id": "srvtoolu_01",
        "name": "web_search",
        "input": {"query": "header"},
    }
    found = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []}
    think = {"type": "thinking", "thinking": "The header moved.", "signature": "c2lnX3M="}
    use = {"type": "tool_use", "id": "toolu_s", "name": "run", "input": {"cmd": "make"}}
    conv = conv.assistant([search, found, think, use]).tool_results({"toolu_s": "ok"})
    assert plan(list(conv.messages), 1, manual=True) == (1, [1, 5])
    trimmed = conv.trim(
        LOCAL.count(conv, model=SONNET_45, thinking=MANUAL) - 1, model=SONNET_45, params={"thinking": MANUAL}
    )
    assert trimmed.messages[1] == conv.messages[5]
    trimmed.request(model=SONNET_45, max_tokens=4000, thinking=MANUAL)
