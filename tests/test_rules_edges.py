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
