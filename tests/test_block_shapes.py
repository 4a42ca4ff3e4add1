"""Block shapes the SDK's params type strictly: null where a field is not Optional, and the
content of server tool results."""

from __future__ import annotations

import json
from typing import Any

import pytest

import convo

TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": "t", "input": {}}


def errors(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    report = convo.check(json.dumps(messages).encode())
    return [(problem.code, problem.path) for problem in report.errors]


def answered(result: dict[str, Any]) -> list[dict[str, Any]]:
    """A tool call and its answer, ``result`` added to the tool_result block."""
    return [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [TOOL_USE]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", **result}]},
    ]


@pytest.mark.parametrize(
    ("messages", "path"),
    [
        (answered({"content": None}), "/messages/2/content/0/content"),
        (answered({"content": "ok", "is_error": None}), "/messages/2/content/0/is_error"),
        (
            answered({"content": [{"type": "browser_state", "tabs": None}]}),
            "/messages/2/content/0/content/0/tabs",
        ),
        (
            [
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "search_result",
                            "source": "s",
                            "title": "t",
                            "content": [{"type": "text", "text": "x"}],
                            "citations": None,
                        }
                    ],
                }
            ],
            "/messages/0/content/0/citations",
        ),
        (
            [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": [{**TOOL_USE, "caller": None}]},
            ],
            "/messages/1/content/0/caller",
        ),
    ],
)
def test_null_where_the_sdk_param_is_not_optional_is_malformed(
    messages: list[dict[str, Any]], path: str
) -> None:
    assert errors(messages) == [("block-malformed", path)]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "text", "text": "hi", "citations": None, "cache_control": None},
        {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "x"},
            "title": None,
            "context": None,
            "citations": None,
        },
        {
            "type": "image",
            "source": {"type": "url", "url": "https://example.com/a.png"},
            "transformations": None,
        },
    ],
)
def test_null_where_the_sdk_param_is_optional_is_fine(block: dict[str, Any]) -> None:
    assert errors([{"role": "user", "content": [block]}]) == []


def test_null_in_a_required_field_is_reported_at_the_block() -> None:
    assert errors([{"role": "user", "content": [{"type": "text", "text": None}]}]) == [
        ("block-malformed", "/messages/0/content/0")
    ]


def test_a_block_built_without_the_field_still_leaves_it_out() -> None:
    block = convo.ToolResultBlock(tool_use_id="toolu_1", content="ok", is_error=None)
    assert convo.Message("user", [block]).to_json() == (
        b'{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}'
    )
