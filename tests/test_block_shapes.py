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


def server_result(name: str, kind: str, content: object) -> list[dict[str, Any]]:
    use = {"type": "server_tool_use", "id": "srvtoolu_1", "name": name, "input": {}}
    return [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": [use, {"type": kind, "tool_use_id": "srvtoolu_1", "content": content}],
        },
    ]


RESULTS = [
    (
        "web_fetch",
        "web_fetch_tool_result",
        {"type": "web_fetch_tool_result_error", "error_code": "url_not_allowed"},
    ),
    (
        "code_execution",
        "code_execution_tool_result",
        {
            "type": "encrypted_code_execution_result",
            "encrypted_stdout": "EqQB",
            "stderr": "",
            "return_code": 0,
            "content": [],
        },
    ),
    (
        "bash_code_execution",
        "bash_code_execution_tool_result",
        {
            "type": "bash_code_execution_result",
            "stdout": "a.txt",
            "stderr": "",
            "return_code": 0,
            "content": [],
        },
    ),
    (
        "text_editor_code_execution",
        "text_editor_code_execution_tool_result",
        {"type": "text_editor_code_execution_str_replace_result"},
    ),
]


@pytest.mark.parametrize(("name", "kind", "content"), RESULTS)
def test_a_server_result_of_a_type_its_sdk_param_lists_is_fine(name: str, kind: str, content: object) -> None:
    assert errors(server_result(name, kind, content)) == []


@pytest.mark.parametrize(("name", "kind"), [(name, kind) for name, kind, _ in RESULTS])
@pytest.mark.parametrize("content", [[], {}, {"type": ""}, [{"type": "web_fetch_result"}]])
def test_server_result_content_of_another_shape_is_malformed(name: str, kind: str, content: object) -> None:
    assert errors(server_result(name, kind, content)) == [
        ("block-malformed", "/messages/1/content/1/content")
    ]


@pytest.mark.parametrize(("name", "kind"), [(name, kind) for name, kind, _ in RESULTS])
def test_server_result_content_of_another_results_type_is_malformed(name: str, kind: str) -> None:
    other = "bash_code_execution_result" if kind != "bash_code_execution_tool_result" else "web_fetch_result"
    assert errors(server_result(name, kind, {"type": other})) == [
        ("block-malformed", "/messages/1/content/1/content")
    ]


@pytest.mark.parametrize(("name", "kind"), [(name, kind) for name, kind, _ in RESULTS])
def test_server_result_content_of_a_type_no_result_knows_is_a_warning(name: str, kind: str) -> None:
    # The API may add a content type before convo knows it: the reply must still be read.
    report = convo.check(server_result(name, kind, {"type": "hologram_result", "frames": 3}))
    assert report.errors == ()
    assert [(p.code, p.path) for p in report.warnings] == [("block-unknown", "/messages/1/content/1/content")]
