"""Message structure (api-rules §1) and tool pairing (§3), a second audit: cases found by
driving ``convo.check`` and ``Conversation.append`` with edge cases, each with the exact
problems it must give and the same body fixed, which must give none."""

from __future__ import annotations

from typing import Any

import pytest

import convo

from .test_rules import A, T, U

WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search"}
CODE_EXECUTION = {"type": "code_execution_20250825", "name": "code_execution"}
TOOLS = [WEB_SEARCH, CODE_EXECUTION]
CALL = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "convo"}}
SEARCH_RESULT = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}
CODE_RESULT = {
    "type": "code_execution_tool_result",
    "tool_use_id": "srvtoolu_1",
    "content": {"type": "code_execution_result", "stdout": "", "stderr": "", "return_code": 0, "content": []},
}


def errors(messages: list[dict[str, Any]], **extra: Any) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in convo.check({"messages": messages, **extra}).errors]


def test_a_server_tool_call_is_answered_by_a_result_of_its_own_kind() -> None:
    """§3.8: a server_tool_use pairs with its ``*_tool_result``; a web_search call answered by a
    code_execution_tool_result has no web_search_tool_result (the §3.4 message names the kind)."""
    history = [U("Search for convo."), A([CALL, CODE_RESULT, T("Found it.")]), U("Thanks.")]
    assert errors(history, tools=TOOLS) == [("server-tool-result-orphan", "/messages/1/content/1")]
    fixed = [history[0], A([CALL, SEARCH_RESULT, T("Found it.")]), history[2]]
    assert errors(fixed, tools=TOOLS) == []


def test_a_deferred_server_call_is_answered_by_a_result_of_its_own_kind() -> None:
    """§3.8: the result of a call deferred by a mixed turn opens the next assistant turn; it
    must still be the call's kind."""
    call = {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}}
    lookup = {"name": "lookup", "input_schema": {"type": "object"}}
    start = [
        U("Search and look up."),
        A([CALL, call]),
        U([{"type": "tool_result", "tool_use_id": "toolu_1"}]),
    ]
    history = [*start, A([CODE_RESULT, T("Done.")]), U("Thanks.")]
    assert errors(history, tools=[*TOOLS, lookup]) == [("server-tool-result-orphan", "/messages/3/content/0")]
    fixed = [*start, A([SEARCH_RESULT, T("Done.")]), U("Thanks.")]
    assert errors(fixed, tools=[*TOOLS, lookup]) == []


@pytest.mark.parametrize(
    ("name", "result"),
    [
        ("web_search", "web_search_tool_result"),
        ("web_fetch", "web_fetch_tool_result"),
        ("code_execution", "code_execution_tool_result"),
        ("bash_code_execution", "bash_code_execution_tool_result"),
        ("text_editor_code_execution", "text_editor_code_execution_tool_result"),
        ("tool_search_tool_regex", "tool_search_tool_result"),
        ("tool_search_tool_bm25", "tool_search_tool_result"),
        ("advisor", "advisor_tool_result"),
    ],
)
def test_each_server_tool_takes_its_result_kind(name: str, result: str) -> None:
    """No false alarm: every server tool's own result kind answers it (as the corpus pairs them)."""
    from convo._rules import server_result_type

    assert server_result_type(name) == result
