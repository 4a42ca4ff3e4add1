"""Content blocks (api-rules §2) and tool pairing (§3): cases found by auditing ``convo.check``
against the rules, each with the exact problems it must give and, where there is one, the
same body fixed, which must give none."""

from __future__ import annotations

import json
from typing import Any

import pytest

import convo

from .test_rules import A, T, U

MODELS = ["claude-opus-5-5", "claude-sonnet-5-5", "claude-opus-4-8", "claude-future-9"]


def body(messages: list[dict[str, Any]], model: str, **extra: Any) -> bytes:
    return json.dumps({"model": model, "max_tokens": 1024, "messages": messages, **extra}).encode()


def errors(data: bytes) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in convo.check(data).errors]


CITATION: dict[str, Any] = {
    "type": "char_location",
    "cited_text": "Sales rose 4%.",
    "document_index": 0,
    "document_title": None,
    "start_char_index": 0,
    "end_char_index": 14,
}


@pytest.mark.parametrize("model", MODELS)
def test_a_citation_cannot_carry_cache_control(model: str) -> None:
    """§2.4: sub-content blocks such as citations cannot be cached directly."""
    marked = {**CITATION, "cache_control": {"type": "ephemeral"}}
    history = [U("What does the report say?"), A([T("Sales rose.", citations=[CITATION, marked])]), U("Why?")]
    assert errors(body(history, model)) == [
        ("cache-control-ineligible", "/messages/1/content/0/citations/1/cache_control")
    ]
    fixed = [
        history[0],
        A([T("Sales rose.", citations=[CITATION], cache_control={"type": "ephemeral"})]),
        history[2],
    ]
    assert errors(body(fixed, model)) == []


def test_a_citation_in_the_system_prompt_cannot_carry_cache_control() -> None:
    marked = {**CITATION, "cache_control": {"type": "ephemeral"}}
    data = body([U("Hi")], "claude-opus-5-5", system=[T("Context.", citations=[marked])])
    assert errors(data) == [("cache-control-ineligible", "/system/0/citations/0/cache_control")]


def search_call(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        U("Search for convo."),
        A(
            [
                {
                    "type": "server_tool_use",
                    "id": "srvtoolu_01",
                    "name": "web_search",
                    "input": {"query": "convo"},
                },
                result,
                T("Found it."),
            ]
        ),
        U("Thanks."),
    ]


WEB_SEARCH: dict[str, Any] = {"type": "web_search_20250305", "name": "web_search"}


@pytest.mark.parametrize("model", MODELS)
def test_a_malformed_server_tool_result_still_finishes_its_call(model: str) -> None:
    """A server tool result missing its required content (§2.2) is malformed, and that is all:
    it still names the call it finishes, so the call is not also reported as left running
    (§3.10), as a malformed tool_result still answers its tool_use."""
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01"}
    assert errors(body(search_call(result), model, tools=[WEB_SEARCH])) == [
        ("block-malformed", "/messages/1/content/1")
    ]
    fixed = search_call({**result, "content": []})
    assert errors(body(fixed, model, tools=[WEB_SEARCH])) == []


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("content", [None, "no results", 0])
def test_server_tool_result_content_is_an_object_or_a_list(model: str, content: Any) -> None:
    """§2.2: a server tool result's content is required, and the SDK's params type it as an
    object (a web search's as a list of results, or an error object); never null or a string."""
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": content}
    assert errors(body(search_call(result), model, tools=[WEB_SEARCH])) == [
        ("block-malformed", "/messages/1/content/1")
    ]
    error = {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}
    for fixed in ([], error):
        assert errors(body(search_call({**result, "content": fixed}), model, tools=[WEB_SEARCH])) == []
