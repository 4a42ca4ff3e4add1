"""Loose ends in cache prediction, trimming and batches, each held against its api-rules section."""

from __future__ import annotations

from typing import Any

import pytest

import convo
from convo import Conversation, LocalCounter
from convo._trim import cleared_thinking

OPUS = "claude-opus-4-8"
LOCAL = LocalCounter()


def thought(tag: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": f"Reasoning {tag}. " * 40, "signature": f"sig{tag}"}


def has_thinking(message: convo.Message) -> bool:
    return any(b.type == "thinking" for b in message.blocks)


# -- clear_thinking counts thinking turns, as clear_thinking_20251015 does ------------------------


def test_clear_thinking_skips_turns_without_thinking() -> None:
    """``keep: {"type": "thinking_turns", "value": 1}`` keeps the newest turn that holds thinking,
    however many turns without thinking came after it."""
    conv = (
        Conversation()
        .user("Q1")
        .assistant([thought("1"), {"type": "text", "text": "A1."}])
        .user("Q2")
        .assistant("A2.")
        .user("Q3")
        .assistant("A3.")
        .user("Q4")
    )
    assert cleared_thinking(conv.messages, 1) == list(conv.messages)
    assert not has_thinking(cleared_thinking(conv.messages, 0)[1])


def test_clear_thinking_counts_a_tool_loop_as_one_turn() -> None:
    """A turn runs from one user turn to the next: the thinking of every step of a finished tool
    loop is one thinking turn, kept or cleared together."""
    use = {"type": "tool_use", "id": "toolu_1", "name": "run", "input": {}}
    conv = (
        Conversation()
        .user("Q1")
        .assistant([thought("1"), use])
        .tool_results({"toolu_1": "ok"})
        .assistant([thought("2"), {"type": "text", "text": "Done."}])
        .user("Q2")
        .assistant([thought("3"), {"type": "text", "text": "A2."}])
        .user("Q3")
    )
    kept = [has_thinking(m) for m in cleared_thinking(conv.messages, 2) if m.role == "assistant"]
    assert kept == [True, True, True]
    kept = [has_thinking(m) for m in cleared_thinking(conv.messages, 1) if m.role == "assistant"]
    assert kept == [False, False, True]
    trimmed = conv.trim(LOCAL.count(conv) - 1, clear_thinking=1)
    assert convo.check(trimmed.to_json()).valid


# -- predict_cache: an entry is readable once the response of its request begins (§5.11) ---------


def test_a_request_sent_together_with_the_previous_one_reads_nothing_it_writes() -> None:
    first = Conversation(system="All about the project. " * 300).user("What is it?")
    r1 = first.request(model=OPUS, max_tokens=100, cache="auto")
    r2 = first.assistant("A library.").user("Who uses it?").request(model=OPUS, max_tokens=100, cache="auto")
    after = convo.predict_cache(r1, r2)  # by default, once the previous response began
    assert after.hit and after.read_tokens > 2000
    together = convo.predict_cache(r1, r2, elapsed=0)
    assert (together.hit, together.read_tokens, together.reason) == (False, 0, None)
    assert together.write_tokens == after.read_tokens + after.write_tokens
    assert together.missed_tokens == after.read_tokens
    assert "not readable yet" in together.note and "§5.11" in together.note
    assert not convo.predict_cache(r1, r1, elapsed=0.0).hit  # the same request twice, in parallel
    assert convo.predict_cache(r1, r2, elapsed=0.5) == after


# -- batches: workspace_id selects the workspace of the whole batch (§8.1) ------------------------


def ask(q: str, **params: Any) -> convo.Request:
    return Conversation().user(q).request(model=OPUS, max_tokens=64, **params)


def test_a_batch_lifts_the_workspace_id_out_of_its_entries() -> None:
    w1, w2 = ask("Q1", workspace_id="wrkspc_a"), ask("Q2", workspace_id="wrkspc_a")
    created = convo.batch({"q-1": w1, "q-2": w2})
    assert created["workspace_id"] == "wrkspc_a"
    assert all("workspace_id" not in e["params"] for e in created["requests"])
    assert b"workspace_id" not in convo.batch_body({"q-1": w1, "q-2": w2})
    assert convo.batch_headers({"q-1": w1})["anthropic-workspace-id"] == "wrkspc_a"
    for build in (
        lambda: w1.batch_request("q-1"),
        lambda: w1.batch_line("q-1"),
        lambda: convo.batch_jsonl({"q-1": w1}),
    ):
        with pytest.raises(convo.InvalidArgument, match="q-1: a batch entry cannot carry workspace_id"):
            build()
    for make in (convo.batch, convo.batch_body, convo.batch_headers):
        for other in (ask("Q2", workspace_id="wrkspc_b"), ask("Q2")):
            with pytest.raises(convo.InvalidArgument, match=r"'q-2' has workspace_id .* another batch"):
                make({"q-1": w1, "q-2": other})


def test_a_user_profile_id_stays_in_its_entry() -> None:
    """The API takes it in an entry's params; the batch sets none of its own to conflict with."""
    created = convo.batch(
        {"q-1": ask("Q1", user_profile_id="up_1"), "q-2": ask("Q2", user_profile_id="up_2")}
    )
    assert [e["params"].get("user_profile_id") for e in created["requests"]] == ["up_1", "up_2"]
    assert set(created) == {"requests"}
