"""Edge cases of the rules and of save and load, each from a defect found by driving the public API."""

from __future__ import annotations

from typing import Any

import pytest

import convo
from convo import Conversation


def U(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def A(content: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": content}


def TU(tool_id: str = "toolu_01") -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": "ls", "input": {}}


def TR(content: Any, tool_id: str = "toolu_01", **extra: Any) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": content, **extra}


def codes(data: object, model: str | None = None) -> list[tuple[str, str, str]]:
    return [(p.code, p.severity, p.path) for p in convo.check(data, model=model).problems]


# --- a tool_result's string content is text (api-rules §1.10, §3.7) --------------------------------


@pytest.mark.parametrize("blank", [" ", "   ", "\n", "\r\n", "\t \n"])
def test_a_whitespace_tool_result_string_is_refused_as_whitespace_text_is(blank: str) -> None:
    history = [U("List the files."), A([TU()])]
    answer = U([TR(blank)])
    expected = [("text-whitespace", "error", "/messages/2/content/0/content")]
    assert codes([*history, answer]) == expected  # read whole
    with pytest.raises(convo.ValidationError) as raised:  # appended
        Conversation.from_wire(history).append(answer)
    assert [(p.code, p.path) for p in raised.value.errors] == [("text-whitespace", expected[0][2])]
    assert codes([*history, U([TR(blank, is_error=True)])]) == expected  # not empty: only the one problem


def test_an_empty_or_absent_tool_result_string_is_still_an_empty_result() -> None:
    history = [U("List the files."), A([TU()])]
    assert codes([*history, U([TR("")])]) == []
    assert codes([*history, U([{"type": "tool_result", "tool_use_id": "toolu_01"}])]) == []
    assert codes([*history, U([TR(" a.txt\n")])]) == []


def test_tool_results_gives_an_exception_with_a_blank_message_its_class_name() -> None:
    conv = Conversation.from_wire([U("List the files."), A([TU()])])
    answered = conv.tool_results({"toolu_01": TimeoutError("  \n")})
    assert answered.messages[-1].content[0].content == "TimeoutError"
    assert answered.messages[-1].content[0].is_error is True


# --- a system message's beta fields need their betas (api-rules §1.1) ------------------------------

CLEAR_AT = "mid-conversation-system-clear-at-2026-08-21"
OUTPUT_CONFIG = "mid-conversation-output-config-2026-07-01"


@pytest.mark.parametrize(
    ("field", "value", "beta"),
    [
        ("clear_at", "next_user_message", CLEAR_AT),
        ("clear_at", "never", CLEAR_AT),  # the default, but still a field only the beta type has
        ("clear_at", None, CLEAR_AT),
        ("output_config", {"effort": "low"}, OUTPUT_CONFIG),
        ("output_config", {}, OUTPUT_CONFIG),
    ],
)
def test_a_system_messages_beta_field_needs_its_beta(field: str, value: object, beta: str) -> None:
    history = [U("Hi"), {"role": "system", "content": "Be brief.", field: value}]
    body = {"model": "claude-opus-4-8", "max_tokens": 99, "messages": history}
    (warning,) = convo.check(body).warnings
    assert (warning.code, warning.path) == ("beta-content", f"/messages/1/{field}")
    assert beta in warning.message
    assert convo.check(body, betas=[beta]).problems == ()
    assert codes(history) == []  # conversation mode: a request-scope rule
    conv = Conversation.from_wire([U("Hi")]).append(history[1])
    assert [(p.code, p.path) for p in conv.request(model="claude-opus-4-8", max_tokens=99).warnings] == [
        ("beta-content", f"/messages/1/{field}")
    ]
    assert conv.request(model="claude-opus-4-8", max_tokens=99, betas=[beta]).warnings == ()


def test_each_beta_field_is_quiet_only_with_its_own_beta() -> None:
    both = {
        "role": "system",
        "content": "x",
        "clear_at": "next_user_message",
        "output_config": {"effort": "low"},
    }
    body = {"model": "claude-opus-4-8", "max_tokens": 99, "messages": [U("Hi"), both]}
    assert [p.path for p in convo.check(body).warnings] == ["/messages/1/clear_at"]
    assert [p.path for p in convo.check(body, betas=[CLEAR_AT]).warnings] == ["/messages/1/output_config"]
    assert convo.check(body, betas=[OUTPUT_CONFIG, CLEAR_AT]).warnings == ()


# --- a system message between a paused turn and its continuation (api-rules §1.3, §3.10) ----------

STU = {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {"query": "convo"}}
WSR = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []}
SEARCH = {"type": "web_search_20250305", "name": "web_search"}
SYSTEM = {"role": "system", "content": "Cite your sources."}


@pytest.mark.parametrize("systems", [1, 2])
def test_a_paused_turns_continuation_after_a_system_message_is_not_consecutive(systems: int) -> None:
    messages = [U("Search the web."), A([STU, WSR]), *[SYSTEM] * systems, A("Nothing found.")]
    data = {"tools": [SEARCH], "messages": messages}
    assert codes(data) == []  # read whole
    conv = Conversation.from_wire({"tools": [SEARCH], "messages": messages[:1]})
    for message in messages[1:]:  # appended one by one
        conv = conv.append(message)
    assert conv.check().problems == ()


def test_an_assistant_turn_that_did_not_pause_is_still_merged_across_a_system_message() -> None:
    messages = [U("Hi"), SYSTEM, A("Hello."), A("How can I help?")]
    assert codes(messages) == [("consecutive-roles", "warning", "/messages/3")]
