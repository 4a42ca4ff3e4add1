"""A turn with a server-side fallback hop (beta): the declined model's tool calls are left out."""

from __future__ import annotations

import json
from typing import Any

import pytest

import convo
from convo import Conversation

MODEL = "claude-opus-4-8"
BETAS = ["server-side-fallback-2026-06-01"]
TOOL = {"name": "get_weather", "description": "Weather.", "input_schema": {"type": "object"}}
FALLBACK = {
    "type": "fallback",
    "from": {"model": "claude-fable-5"},
    "to": {"model": "claude-opus-4-8"},
    "trigger": {"type": "refusal"},
}


def thinking(text: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": text, "signature": "Eq" + text}


def tool_use(tool_id: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": "get_weather", "input": {}}


#: [thinking, tool_use_pre, fallback, thinking, tool_use_post]: the shape of the SDK's docstring
HOP = [thinking("a"), tool_use("toolu_pre"), FALLBACK, thinking("b"), tool_use("toolu_post")]


def body(assistant: list[dict[str, Any]], answered: list[str]) -> dict[str, Any]:
    results = [{"type": "tool_result", "tool_use_id": i, "content": "sunny"} for i in answered]
    return {
        "model": MODEL,
        "max_tokens": 1024,
        "tools": [TOOL],
        "thinking": {"type": "adaptive"},
        "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": assistant},
            {"role": "user", "content": results},
        ],
    }


def codes(data: object) -> list[str]:
    return [p.code for p in convo.check(data, betas=BETAS).errors]


def replied(**policy: Any) -> Conversation:
    response = {
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": HOP,
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }
    return Conversation(tools=[TOOL]).user("Weather?").reply(response, **policy)


def test_the_declined_call_is_not_pending() -> None:
    conv = replied()
    assert [use.id for use in conv.pending_tool_uses] == ["toolu_post"]
    answered = conv.tool_results({"toolu_post": "sunny"})
    assert answered.messages[-1].blocks[0].tool_use_id == "toolu_post"  # type: ignore[attr-defined]


def test_the_declined_call_kept_verbatim_is_reported_not_unanswered() -> None:
    assert codes(body(HOP, ["toolu_post"])) == ["fallback-declined-tool-use"]


def test_answering_the_declined_call_is_reported() -> None:
    assert codes(body(HOP, ["toolu_pre", "toolu_post"])) == ["fallback-declined-tool-use"]


def test_the_turn_sent_back_without_the_declined_call_is_clean() -> None:
    left_out = [thinking("a"), FALLBACK, thinking("b"), tool_use("toolu_post")]
    assert convo.check(body(left_out, ["toolu_post"]), betas=BETAS).valid


def test_the_report_points_at_the_declined_block() -> None:
    (problem,) = convo.check(body(HOP, ["toolu_post"]), betas=BETAS).errors
    assert problem.path == "/messages/1/content/1"
    assert "toolu_pre" in problem.message


def test_only_calls_before_the_last_fallback_are_declined() -> None:
    second = {**FALLBACK, "from": {"model": "claude-opus-4-8"}, "to": {"model": "claude-sonnet-4-5"}}
    turn = [tool_use("toolu_1"), FALLBACK, tool_use("toolu_2"), second, tool_use("toolu_3")]
    report = convo.check(body(turn, ["toolu_3"]), betas=BETAS)
    assert [(p.code, p.path) for p in report.errors] == [
        ("fallback-declined-tool-use", "/messages/1/content/0"),
        ("fallback-declined-tool-use", "/messages/1/content/2"),
    ]


def test_a_conversation_keeps_the_turn_and_refuses_to_send_it() -> None:
    conv = replied().tool_results({"toolu_post": "sunny"})
    assert conv.check().valid  # reply() keeps every block; the history itself is well formed
    with pytest.raises(convo.ValidationError) as raised:
        conv.request(model=MODEL, max_tokens=1024)
    assert [p.code for p in raised.value.errors] == ["fallback-declined-tool-use"]


def test_a_history_that_answered_the_declined_call_still_loads() -> None:
    conv = Conversation.from_wire(body(HOP, ["toolu_pre", "toolu_post"]))
    assert len(conv.messages) == 3


def test_a_turn_without_a_fallback_is_unchanged() -> None:
    turn = [thinking("a"), tool_use("toolu_1"), tool_use("toolu_2")]
    assert codes(body(turn, ["toolu_1"])) == ["tool-use-unanswered"]


def test_reply_can_drop_the_declined_calls_and_the_request_goes() -> None:
    conv = replied(declined="drop")
    assert [block.type for block in conv.messages[-1].blocks] == [
        "thinking",
        "fallback",
        "thinking",
        "tool_use",
    ]
    answered = conv.tool_results({"toolu_post": "sunny"})
    request = answered.request(model=MODEL, max_tokens=1024, thinking={"type": "adaptive"})
    assert [b["id"] for b in request.params()["messages"][1]["content"] if b["type"] == "tool_use"] == [
        "toolu_post"
    ]


def test_dropping_keeps_every_other_block_byte_for_byte() -> None:
    kept, dropped = replied().messages[-1].to_json(), replied(declined="drop").messages[-1].to_json()
    declined_block = json.dumps(HOP[1], separators=(",", ":")).encode()
    assert declined_block in kept
    assert dropped == kept.replace(declined_block + b",", b"")


def test_a_journal_reply_takes_the_same_policy(tmp_path: Any) -> None:
    journal = convo.Journal.create(tmp_path / "chat.jsonl", Conversation(tools=[TOOL]).user("Weather?"))
    response = {"type": "message", "role": "assistant", "content": HOP, "stop_reason": "tool_use"}
    conv = journal.reply(response, declined="drop")
    assert [use.id for use in conv.pending_tool_uses] == ["toolu_post"]
    assert convo.load(tmp_path / "chat.jsonl") == conv


def test_the_policy_is_checked() -> None:
    with pytest.raises(convo.InvalidArgument):
        replied(declined="skip")


@pytest.mark.parametrize("beta", ["server-side-fallback-2026-06-01", "server-side-fallback-2026-07-01"])
def test_either_fallback_beta_covers_the_fallback_block(beta: str) -> None:
    turn = [thinking("a"), FALLBACK, thinking("b"), tool_use("toolu_post")]
    assert convo.check(body(turn, ["toolu_post"]), betas=[beta]).warnings == ()
    (warning,) = convo.check(body(turn, ["toolu_post"]), betas=["some-other-beta"]).warnings
    assert warning.code == "beta-content" and "server-side-fallback-2026-07-01" in warning.message
