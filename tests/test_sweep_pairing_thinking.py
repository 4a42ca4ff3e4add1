"""Conformance sweep of api-rules §3 (tool_use / tool_result pairing) and §4 (thinking).

Each case is a request body on one side of a rule's boundary, with the error codes
``convo.check`` must give for it (warnings are not compared): the body that breaks the rule,
and a body next to it that the API accepts.
"""

from __future__ import annotations

from typing import Any

import pytest

import convo

SIG = "c2lnbmF0dXJl"
Block = dict[str, Any]
Message = dict[str, Any]


def user(*blocks: Block | str) -> Message:
    return {"role": "user", "content": blocks[0] if isinstance(blocks[0], str) else list(blocks)}


def assistant(*blocks: Block) -> Message:
    return {"role": "assistant", "content": list(blocks)}


def text(value: str) -> Block:
    return {"type": "text", "text": value}


def call(tool_id: str, name: str = "get") -> Block:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": {}}


def result(tool_id: str, **fields: Any) -> Block:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": "ok", **fields}


def thought(signature: str = SIG) -> Block:
    return {"type": "thinking", "thinking": "Let me look.", "signature": signature}


REDACTED: Block = {"type": "redacted_thinking", "data": "ZW5jcnlwdGVk"}


def server_call(tool_id: str, name: str = "web_search") -> Block:
    return {"type": "server_tool_use", "id": tool_id, "name": name, "input": {"query": "x"}}


def search_result(tool_id: str) -> Block:
    return {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": []}


def fetch_result(tool_id: str) -> Block:
    error = {"type": "web_fetch_tool_result_error", "error_code": "unavailable"}
    return {"type": "web_fetch_tool_result", "tool_use_id": tool_id, "content": error}


TOOLS = [
    {"name": "get", "input_schema": {"type": "object"}},
    {"name": "put", "input_schema": {"type": "object"}},
    {"type": "web_search_20250305", "name": "web_search"},
    {"type": "web_fetch_20250910", "name": "web_fetch"},
]
ENABLED = {"type": "enabled", "budget_tokens": 1024}
ADAPTIVE = {"type": "adaptive"}
DISABLED = {"type": "disabled"}
Q = user("What is the weather?")
MIXED = assistant(server_call("srvtoolu_1", "web_fetch"), call("toolu_1"))  # a client and a server call


def request(messages: list[Message], model: str = "claude-opus-4-8", **params: Any) -> dict[str, Any]:
    return {"model": model, "max_tokens": 4096, "tools": TOOLS, "messages": messages, **params}


CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    # §3.1: every tool_use is answered in the very next user turn
    ("3.1 answered", request([Q, assistant(call("toolu_1")), user(result("toolu_1"))]), []),
    ("3.1 unanswered", request([Q, assistant(call("toolu_1")), user(text("x"))]), ["tool-use-unanswered"]),
    (
        "3.1 parallel, answered in another order",
        request(
            [
                Q,
                assistant(call("toolu_1"), call("toolu_2", "put")),
                user(result("toolu_2"), result("toolu_1")),
            ]
        ),
        [],
    ),
    (
        "3.1 parallel, one unanswered",
        request([Q, assistant(call("toolu_1"), call("toolu_2", "put")), user(result("toolu_1"))]),
        ["tool-use-unanswered"],
    ),
    (
        "3.1/1.6 parallel results split over merged user messages",
        request(
            [
                Q,
                assistant(call("toolu_1"), call("toolu_2", "put")),
                user(result("toolu_1")),
                user(result("toolu_2")),
            ]
        ),
        [],
    ),
    (
        "3.1/1.6 calls split over merged assistant messages",
        request(
            [
                Q,
                assistant(call("toolu_1")),
                assistant(call("toolu_2", "put")),
                user(result("toolu_1"), result("toolu_2")),
            ]
        ),
        [],
    ),
    (
        "3.1 answered a turn late",
        request([Q, assistant(call("toolu_1")), user("x"), assistant(text("y")), user(result("toolu_1"))]),
        ["tool-result-orphan", "tool-use-unanswered"],
    ),
    # §3.2: every tool_result answers a tool_use of the assistant turn before it
    ("3.2 orphan in the first message", request([user(result("toolu_9"))]), ["tool-result-orphan"]),
    (
        "3.2 orphan next to an answer",
        request([Q, assistant(call("toolu_1")), user(result("toolu_1"), result("toolu_2"))]),
        ["tool-result-orphan"],
    ),
    # §3.3: results first
    (
        "3.3 text after the results",
        request([Q, assistant(call("toolu_1")), user(result("toolu_1"), text("Thanks"))]),
        [],
    ),
    (
        "3.3 text before the result",
        request([Q, assistant(call("toolu_1")), user(text("Here:"), result("toolu_1"))]),
        ["tool-result-not-first", "tool-use-unanswered"],
    ),
    (
        "3.3/1.6 text before the result, in merged user messages",
        request([Q, assistant(call("toolu_1")), user(text("Here:")), user(result("toolu_1"))]),
        ["tool-result-not-first", "tool-use-unanswered"],
    ),
    # §3.4: a mixed call's follow-up holds only tool_result blocks, with the same tools
    ("3.4 mixed call answered", request([Q, MIXED, user(result("toolu_1"))]), []),
    (
        "3.4 mixed call answered with trailing text",
        request([Q, MIXED, user(result("toolu_1"), text("more"))]),
        ["tool-result-extra-content"],
    ),
    (
        "3.4/1.6 mixed call answered, text in a merged user message",
        request([Q, MIXED, user(result("toolu_1")), user(text("more"))]),
        ["tool-result-extra-content"],
    ),
    (
        "3.4 mixed call, its server tool no longer declared",
        {**request([Q, MIXED, user(result("toolu_1"))]), "tools": TOOLS[:2]},
        ["server-tool-undeclared"],
    ),
    (
        "3.4 server call finished in the turn: trailing text is fine",
        request(
            [
                Q,
                assistant(server_call("srvtoolu_1"), search_result("srvtoolu_1"), call("toolu_1")),
                user(result("toolu_1"), text("more")),
            ]
        ),
        [],
    ),
    # §3.5: ids unique across the request
    (
        "3.5 duplicate id in one turn",
        request([Q, assistant(call("toolu_1"), call("toolu_1")), user(result("toolu_1"))]),
        ["tool-use-id-duplicate"],
    ),
    (
        "3.5 duplicate id across turns",
        request(
            [
                Q,
                assistant(call("toolu_1")),
                user(result("toolu_1")),
                assistant(call("toolu_1")),
                user(result("toolu_1")),
            ]
        ),
        ["tool-use-id-duplicate"],
    ),
    # §3.6: one result per tool_use
    (
        "3.6 duplicate result",
        request([Q, assistant(call("toolu_1")), user(result("toolu_1"), result("toolu_1"))]),
        ["tool-result-duplicate"],
    ),
    # §3.7: content is optional
    (
        "3.7 result without content",
        request([Q, assistant(call("toolu_1")), user({"type": "tool_result", "tool_use_id": "toolu_1"})]),
        [],
    ),
    (
        "3.7 result with empty list content",
        request([Q, assistant(call("toolu_1")), user(result("toolu_1", content=[]))]),
        [],
    ),
    # §3.8: a server result pairs with a server_tool_use before it, by id
    (
        "3.8 results in another order than their calls",
        request(
            [
                Q,
                assistant(
                    server_call("srvtoolu_1"),
                    server_call("srvtoolu_2"),
                    search_result("srvtoolu_2"),
                    search_result("srvtoolu_1"),
                    text("x"),
                ),
                user("y"),
            ]
        ),
        [],
    ),
    (
        "3.8 result before its call",
        request([Q, assistant(search_result("srvtoolu_1"), server_call("srvtoolu_1"), text("x")), user("y")]),
        ["server-tool-result-orphan", "server-tool-unfinished"],
    ),
    (
        "3.8 deferred result opens the next response",
        request(
            [
                Q,
                MIXED,
                user(result("toolu_1")),
                assistant(fetch_result("srvtoolu_1"), text("Done.")),
                user("Thanks"),
            ]
        ),
        [],
    ),
    # §3.10: a paused turn goes back unchanged as the last message
    (
        "3.10 paused on a server call",
        request([Q, assistant(text("Searching."), server_call("srvtoolu_1"))]),
        [],
    ),
    (
        "3.10 paused twice",
        request(
            [
                Q,
                assistant(text("Searching."), server_call("srvtoolu_1")),
                assistant(search_result("srvtoolu_1"), server_call("srvtoolu_2")),
            ]
        ),
        [],
    ),
    (
        "3.10 paused, then a user turn",
        request([Q, assistant(text("Searching."), server_call("srvtoolu_1")), user("continue")]),
        ["server-tool-unfinished"],
    ),
    (
        "3.10 a pending client tool_use is no pause",
        request([Q, assistant(call("toolu_1"), server_call("srvtoolu_1"))]),
        ["prefill-unsupported", "tool-use-unanswered"],
    ),
    (
        "3.10/3.8 a mixed call's deferred server call does not make the next turn paused",
        request([Q, MIXED, user(result("toolu_1")), assistant(text("Sure"))]),
        ["prefill-unsupported"],
    ),
    (
        "3.10/3.8 after the deferred result, a new server call pauses",
        request(
            [
                Q,
                MIXED,
                user(result("toolu_1")),
                assistant(fetch_result("srvtoolu_1"), server_call("srvtoolu_2")),
            ]
        ),
        [],
    ),
    # §4.1: block shapes
    (
        "4.1 empty thinking text",
        request([Q, assistant({**thought(), "thinking": ""}, text("a")), user("b")]),
        [],
    ),
    (
        "4.1 empty signature",
        request([Q, assistant(thought(""), text("a")), user("b")]),
        ["thinking-signature-missing"],
    ),
    (
        "4.1 redacted thinking without data",
        request([Q, assistant({**REDACTED, "data": ""}, text("a")), user("b")]),
        ["thinking-signature-missing"],
    ),
    # §4.3: manual mode, the turn being continued starts with thinking; adaptive mode does not need it
    (
        "4.3 enabled, loop starts with thinking",
        request(
            [Q, assistant(thought(), call("toolu_1")), user(result("toolu_1"))],
            "claude-opus-4-5",
            thinking=ENABLED,
        ),
        [],
    ),
    (
        "4.3 enabled, loop starts with redacted thinking",
        request(
            [Q, assistant(REDACTED, call("toolu_1")), user(result("toolu_1"))],
            "claude-opus-4-5",
            thinking=ENABLED,
        ),
        [],
    ),
    (
        "4.3 enabled, loop without thinking",
        request(
            [Q, assistant(call("toolu_1")), user(result("toolu_1"))], "claude-opus-4-5", thinking=ENABLED
        ),
        ["thinking-final-block-missing"],
    ),
    (
        "4.3 adaptive, loop without thinking",
        request(
            [Q, assistant(call("toolu_1")), user(result("toolu_1"))], "claude-sonnet-4-6", thinking=ADAPTIVE
        ),
        [],
    ),
    (
        "4.3 enabled, new user turn after a turn without thinking",
        request([Q, assistant(text("a")), user("b")], "claude-opus-4-5", thinking=ENABLED),
        [],
    ),
    (
        "4.3 enabled, interleaved thinking between calls",
        request(
            [
                Q,
                assistant(thought(), call("toolu_1"), thought(), call("toolu_2", "put")),
                user(result("toolu_1"), result("toolu_2")),
            ],
            "claude-opus-4-5",
            thinking=ENABLED,
        ),
        [],
    ),
    (
        "4.3 enabled, the deferred server result opens the next step",
        request(
            [
                Q,
                assistant(thought(), *MIXED["content"]),
                user(result("toolu_1")),
                assistant(fetch_result("srvtoolu_1"), thought(), call("toolu_2")),
                user(result("toolu_2")),
            ],
            "claude-opus-4-5",
            thinking=ENABLED,
        ),
        [],
    ),
    # §4.4: thinking off, the final assistant message holds no thinking
    (
        "4.4 disabled, thinking in the final assistant message",
        request([Q, assistant(thought(), text("partial"))], "claude-opus-4-5", thinking=DISABLED),
        ["thinking-final-while-disabled"],
    ),
    (
        "4.4 disabled, redacted thinking in a paused final message",
        request([Q, assistant(REDACTED, server_call("srvtoolu_1"))], thinking=DISABLED),
        ["thinking-final-while-disabled"],
    ),
    (
        "4.4 disabled, thinking in a finished earlier turn",
        request([Q, assistant(thought(), text("a")), user("b")], "claude-opus-4-5", thinking=DISABLED),
        [],
    ),
    # §4.5: toggling mid-turn is silent (a warning), not an error
    (
        "4.5 disabled while the loop started with thinking",
        request(
            [Q, assistant(thought(), call("toolu_1")), user(result("toolu_1"))],
            "claude-opus-4-5",
            thinking=DISABLED,
        ),
        [],
    ),
    # §4.6: budget_tokens >= 1024 and < max_tokens
    (
        "4.6 budget 1024, max_tokens 1025",
        {**request([Q], "claude-opus-4-5", thinking=ENABLED), "max_tokens": 1025},
        [],
    ),
    (
        "4.6 budget 1023",
        request([Q], "claude-opus-4-5", thinking={"type": "enabled", "budget_tokens": 1023}),
        ["thinking-budget-too-small"],
    ),
    (
        "4.6 budget equal to max_tokens",
        {**request([Q], "claude-opus-4-5", thinking=ENABLED), "max_tokens": 1024},
        ["thinking-budget-exceeds-max-tokens"],
    ),
    # §4.8: display
    ("4.8 adaptive, display omitted", request([Q], thinking={"type": "adaptive", "display": "omitted"}), []),
    (
        "4.8 display with disabled",
        request([Q], thinking={"type": "disabled", "display": "omitted"}),
        ["thinking-invalid"],
    ),
    # §4.9: forced tool use
    (
        "4.9 enabled, tool_choice auto",
        request([Q], "claude-opus-4-5", thinking=ENABLED, tool_choice={"type": "auto"}),
        [],
    ),
    (
        "4.9 enabled, tool_choice any",
        request([Q], "claude-opus-4-5", thinking=ENABLED, tool_choice={"type": "any"}),
        ["tool-choice-forced-unsupported"],
    ),
    (
        "4.9 adaptive, tool_choice tool",
        request([Q], thinking=ADAPTIVE, tool_choice={"type": "tool", "name": "get"}),
        [],
    ),
    (
        "4.9 Opus 5.5 rejects forced tool use",
        request([Q], "claude-opus-5-5", tool_choice={"type": "any"}),
        ["tool-choice-forced-unsupported"],
    ),
    (
        "4.9 Fable 5.1 rejects forced tool use",
        request([Q], "claude-fable-5-1", tool_choice={"type": "tool", "name": "get"}),
        ["tool-choice-forced-unsupported"],
    ),
    # §4.7: the Opus 5 boundary: disabled up to effort high
    (
        "4.7 Opus 5 disabled at effort high",
        request([Q], "claude-opus-5", thinking=DISABLED, output_config={"effort": "high"}),
        [],
    ),
    (
        "4.7 Opus 5 disabled at effort xhigh",
        request([Q], "claude-opus-5", thinking=DISABLED, output_config={"effort": "xhigh"}),
        ["thinking-type-unsupported"],
    ),
]

# §4.7: the thinking types each model family accepts
ACCEPTED = {
    "claude-fable-5": {"adaptive"},
    "claude-mythos-5": {"adaptive"},
    "claude-mythos-preview": {"adaptive", "enabled"},
    "claude-opus-5": {"adaptive", "disabled"},
    "claude-opus-4-8": {"adaptive", "disabled"},
    "claude-opus-4-7": {"adaptive", "disabled"},
    "claude-sonnet-5": {"adaptive", "disabled"},
    "claude-opus-4-6": {"adaptive", "enabled", "disabled"},
    "claude-sonnet-4-6": {"adaptive", "enabled", "disabled"},
    "claude-opus-4-5": {"enabled", "disabled"},
    "claude-sonnet-4-5": {"enabled", "disabled"},
    "claude-haiku-4-5": {"enabled", "disabled"},
    "claude-opus-5-5": {"adaptive"},
    "claude-fable-5-1": {"adaptive"},
}
CASES += [
    (
        f"4.7 {model} thinking {kind}",
        request([Q], model, thinking=ENABLED if kind == "enabled" else {"type": kind}),
        [] if kind in accepted else ["thinking-type-unsupported"],
    )
    for model, accepted in ACCEPTED.items()
    for kind in ("adaptive", "enabled", "disabled")
]


@pytest.mark.parametrize(("data", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_boundary(data: dict[str, Any], expected: list[str]) -> None:
    assert sorted({p.code for p in convo.check(data).errors}) == expected


def test_a_turn_after_a_deferred_server_call_is_a_prefill_when_built() -> None:
    """§3.8, §3.10, §1.7: the deferred call's result opens the next response, so a final assistant
    message without it is no paused turn but a prefill, which Opus 4.8 rejects; told by the
    response that it paused, it is sent back as it is."""
    answered = convo.Conversation.from_wire({"tools": TOOLS, "messages": [Q, MIXED, user(result("toolu_1"))]})
    response = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": [text("Still fetching.")],
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    with pytest.raises(convo.ValidationError) as raised:
        answered.reply({**response, "stop_reason": "end_turn"}).request(
            model="claude-opus-4-8", max_tokens=100
        )
    assert [p.code for p in raised.value.errors] == ["prefill-unsupported"]
    paused = answered.reply({**response, "stop_reason": "pause_turn"})
    assert paused.request(model="claude-opus-4-8", max_tokens=100).params()["messages"][-1]["content"] == [
        text("Still fetching.")
    ]
    assert convo.loads(convo.dumps(paused)).conversation.request(model="claude-opus-4-8", max_tokens=100)
