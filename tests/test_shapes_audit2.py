"""Inner shapes of server tool results, a browser_state's tabs, ``"caller": null`` in a response,
and inline tool definitions, held to the SDK's param types (api-rules §2.2)."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import pytest
import typing_extensions
from anthropic._utils._json import openapi_dumps
from anthropic.types import (
    bash_code_execution_result_block_param,
    bash_code_execution_tool_result_error_param,
    browser_state_block_param,
    browser_state_tab_entry_param,
    code_execution_result_block_param,
    code_execution_tool_result_error_param,
    encrypted_code_execution_result_block_param,
    text_editor_code_execution_create_result_block_param,
    text_editor_code_execution_str_replace_result_block_param,
    text_editor_code_execution_tool_result_error_param,
    text_editor_code_execution_view_result_block_param,
    tool_search_tool_result_error_param,
    tool_search_tool_search_result_block_param,
    web_fetch_block_param,
    web_fetch_tool_result_error_block_param,
    web_search_result_block_param,
    web_search_tool_request_error_object_param,
)
from anthropic.types.beta import beta_tool_change_tool_definition_param, beta_tool_union_param

import convo

SERVER_TOOL = {
    "web_search_tool_result": "web_search",
    "web_fetch_tool_result": "web_fetch",
    "code_execution_tool_result": "code_execution",
    "bash_code_execution_tool_result": "bash_code_execution",
    "text_editor_code_execution_tool_result": "text_editor_code_execution",
    "tool_search_tool_result": "tool_search_tool_regex",
}

# One well-formed object of each type a server tool result holds, with the SDK param it follows.
SHAPES: list[tuple[str, type, dict[str, Any]]] = [
    (
        "web_search_tool_result",
        web_search_tool_request_error_object_param.WebSearchToolRequestErrorObjectParam,
        {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"},
    ),
    (
        "web_fetch_tool_result",
        web_fetch_block_param.WebFetchBlockParam,
        {
            "type": "web_fetch_result",
            "url": "https://example.com",
            "content": {
                "type": "document",
                "source": {"type": "text", "media_type": "text/plain", "data": "hi"},
            },
        },
    ),
    (
        "web_fetch_tool_result",
        web_fetch_tool_result_error_block_param.WebFetchToolResultErrorBlockParam,
        {"type": "web_fetch_tool_result_error", "error_code": "url_not_allowed"},
    ),
    (
        "code_execution_tool_result",
        code_execution_result_block_param.CodeExecutionResultBlockParam,
        {"type": "code_execution_result", "stdout": "4", "stderr": "", "return_code": 0, "content": []},
    ),
    (
        "code_execution_tool_result",
        encrypted_code_execution_result_block_param.EncryptedCodeExecutionResultBlockParam,
        {
            "type": "encrypted_code_execution_result",
            "encrypted_stdout": "EqQB",
            "stderr": "",
            "return_code": 0,
            "content": [],
        },
    ),
    (
        "code_execution_tool_result",
        code_execution_tool_result_error_param.CodeExecutionToolResultErrorParam,
        {"type": "code_execution_tool_result_error", "error_code": "unavailable"},
    ),
    (
        "bash_code_execution_tool_result",
        bash_code_execution_result_block_param.BashCodeExecutionResultBlockParam,
        {
            "type": "bash_code_execution_result",
            "stdout": "a.txt",
            "stderr": "",
            "return_code": 0,
            "content": [],
        },
    ),
    (
        "bash_code_execution_tool_result",
        bash_code_execution_tool_result_error_param.BashCodeExecutionToolResultErrorParam,
        {"type": "bash_code_execution_tool_result_error", "error_code": "output_file_too_large"},
    ),
    (
        "text_editor_code_execution_tool_result",
        text_editor_code_execution_view_result_block_param.TextEditorCodeExecutionViewResultBlockParam,
        {"type": "text_editor_code_execution_view_result", "content": "hi", "file_type": "text"},
    ),
    (
        "text_editor_code_execution_tool_result",
        text_editor_code_execution_create_result_block_param.TextEditorCodeExecutionCreateResultBlockParam,
        {"type": "text_editor_code_execution_create_result", "is_file_update": False},
    ),
    (
        "text_editor_code_execution_tool_result",
        text_editor_code_execution_str_replace_result_block_param.TextEditorCodeExecutionStrReplaceResultBlockParam,
        {"type": "text_editor_code_execution_str_replace_result"},
    ),
    (
        "text_editor_code_execution_tool_result",
        text_editor_code_execution_tool_result_error_param.TextEditorCodeExecutionToolResultErrorParam,
        {"type": "text_editor_code_execution_tool_result_error", "error_code": "file_not_found"},
    ),
    (
        "tool_search_tool_result",
        tool_search_tool_search_result_block_param.ToolSearchToolSearchResultBlockParam,
        {"type": "tool_search_tool_search_result", "tool_references": []},
    ),
    (
        "tool_search_tool_result",
        tool_search_tool_result_error_param.ToolSearchToolResultErrorParam,
        {"type": "tool_search_tool_result_error", "error_code": "too_many_requests"},
    ),
]

WEB_SEARCH_RESULT = {
    "type": "web_search_result",
    "url": "https://example.com",
    "title": "Example",
    "encrypted_content": "EqQB",
}


def problems(messages: list[dict[str, Any]], **body: Any) -> list[tuple[str, str, str]]:
    report = convo.check(json.dumps({"messages": messages, **body}).encode())
    return [(p.code, p.severity, p.path) for p in report.problems]


def server_result(kind: str, content: object) -> list[dict[str, Any]]:
    use = {"type": "server_tool_use", "id": "srvtoolu_1", "name": SERVER_TOOL[kind], "input": {}}
    result = {"type": kind, "tool_use_id": "srvtoolu_1", "content": content}
    return [{"role": "user", "content": "hi"}, {"role": "assistant", "content": [use, result]}]


CONTENT = "/messages/1/content/1/content"


def required(param: type) -> set[str]:
    """The ``Required[...]`` keys of an SDK param TypedDict (its ``__required_keys__`` is empty:
    the SDK's modules postpone their annotations)."""
    hints = typing_extensions.get_type_hints(param, include_extras=True)
    return {
        key for key, hint in hints.items() if typing_extensions.get_origin(hint) is typing_extensions.Required
    }


def test_every_shape_follows_its_sdk_param() -> None:
    for _, param, shape in SHAPES:
        assert required(param) <= shape.keys() <= set(typing_extensions.get_type_hints(param)), param.__name__


@pytest.mark.parametrize(("kind", "shape"), [(kind, shape) for kind, _, shape in SHAPES])
def test_a_well_formed_server_result_object_is_fine(kind: str, shape: dict[str, Any]) -> None:
    assert problems(server_result(kind, shape)) == []


FIELDS = [(kind, shape, name) for kind, param, shape in SHAPES for name in sorted(required(param) - {"type"})]


@pytest.mark.parametrize(("kind", "shape", "name"), FIELDS)
def test_a_required_field_left_out_is_malformed_at_the_field(
    kind: str, shape: dict[str, Any], name: str
) -> None:
    content = {key: value for key, value in shape.items() if key != name}
    assert problems(server_result(kind, content)) == [("block-malformed", "error", f"{CONTENT}/{name}")]


@pytest.mark.parametrize(("kind", "shape", "name"), FIELDS)
def test_a_required_field_of_the_wrong_json_type_is_malformed_at_the_field(
    kind: str, shape: dict[str, Any], name: str
) -> None:
    wrong = 1.5 if not isinstance(shape[name], int | float) or isinstance(shape[name], bool) else "0"
    content = {**shape, name: wrong}
    assert problems(server_result(kind, content)) == [("block-malformed", "error", f"{CONTENT}/{name}")]


@pytest.mark.parametrize(
    ("kind", "shape"), [(kind, shape) for kind, _, shape in SHAPES if "error_code" in shape]
)
def test_an_error_code_the_sdk_does_not_list_is_a_warning(kind: str, shape: dict[str, Any]) -> None:
    # The API may add an error code before convo knows it: the reply must still be read.
    content = {**shape, "error_code": "brand_new_code"}
    assert problems(server_result(kind, content)) == [("block-unknown", "warning", f"{CONTENT}/error_code")]


def test_web_search_result_entries_are_checked_one_by_one() -> None:
    entries = [
        WEB_SEARCH_RESULT,
        {**WEB_SEARCH_RESULT, "page_age": None},
        {key: value for key, value in WEB_SEARCH_RESULT.items() if key != "encrypted_content"},
        {**WEB_SEARCH_RESULT, "url": 7},
        "https://example.com",
        {"type": "hologram_result"},
    ]
    assert problems(server_result("web_search_tool_result", entries)) == [
        ("block-malformed", "error", f"{CONTENT}/2/encrypted_content"),
        ("block-malformed", "error", f"{CONTENT}/3/url"),
        ("block-malformed", "error", f"{CONTENT}/4"),
        ("block-unknown", "warning", f"{CONTENT}/5"),
    ]


ENTRY_FIELDS = sorted(required(web_search_result_block_param.WebSearchResultBlockParam) - {"type"})


@pytest.mark.parametrize("name", ENTRY_FIELDS)
def test_a_web_search_result_without_a_field_its_param_requires_is_malformed(name: str) -> None:
    entry = {key: value for key, value in WEB_SEARCH_RESULT.items() if key != name}
    assert problems(server_result("web_search_tool_result", [entry])) == [
        ("block-malformed", "error", f"{CONTENT}/0/{name}")
    ]


@pytest.mark.parametrize("content", [{"type": "web_search_result"}, {"type": ""}, {}])
def test_web_search_content_that_is_neither_a_list_nor_its_error_is_malformed(content: object) -> None:
    assert problems(server_result("web_search_tool_result", content)) == [
        ("block-malformed", "error", CONTENT)
    ]


@pytest.mark.parametrize("content", [[], {"type": "web_fetch_result"}, {}])
def test_tool_search_content_of_another_shape_is_malformed(content: object) -> None:
    assert problems(server_result("tool_search_tool_result", content)) == [
        ("block-malformed", "error", CONTENT)
    ]


def browser_result(state: dict[str, Any]) -> list[dict[str, Any]]:
    use = {"type": "tool_use", "id": "toolu_1", "name": "navigate", "input": {}, "toolset_name": "browser"}
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "toolset_name": "browser", "content": [state]}
    return [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [use]},
        {"role": "user", "content": [result]},
    ]


STATE = "/messages/2/content/0/content/0"
TAB = {"tab_id": "1", "title": "", "url": ""}  # a blank tab has an empty title and url


def test_browser_state_tabs_are_required_by_the_sdk() -> None:
    assert required(browser_state_block_param.BrowserStateBlockParam) == {"type", "tabs"}
    assert required(browser_state_tab_entry_param.BrowserStateTabEntryParam) == {"tab_id", "title", "url"}


@pytest.mark.parametrize("tabs", [[], [TAB], [{**TAB, "active": True}, {**TAB, "tab_id": "2"}]])
def test_a_browser_state_with_its_tabs_is_fine(tabs: list[object]) -> None:
    assert problems(browser_result({"type": "browser_state", "tabs": tabs})) == []


def test_a_browser_state_without_tabs_is_malformed_at_tabs() -> None:
    assert problems(browser_result({"type": "browser_state"})) == [
        ("block-malformed", "error", f"{STATE}/tabs")
    ]


@pytest.mark.parametrize("name", sorted(TAB))
def test_a_tab_without_a_field_its_param_requires_is_malformed(name: str) -> None:
    tab = {key: value for key, value in TAB.items() if key != name}
    assert problems(browser_result({"type": "browser_state", "tabs": [tab]})) == [
        ("block-malformed", "error", f"{STATE}/tabs/0/{name}")
    ]


def test_a_tab_that_is_not_an_object_is_malformed() -> None:
    assert problems(browser_result({"type": "browser_state", "tabs": ["https://example.com"]})) == [
        ("block-malformed", "error", f"{STATE}/tabs/0")
    ]


NULL_CALLER_RESPONSE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-opus-4-8",
    "content": [
        {
            "type": "server_tool_use",
            "id": "srvtoolu_1",
            "name": "web_search",
            "input": {"query": "x"},
            "caller": None,
        },
        {
            "type": "web_search_tool_result",
            "tool_use_id": "srvtoolu_1",
            "content": [WEB_SEARCH_RESULT],
            "caller": None,
        },
        {
            "type": "tool_use",
            "id": "toolu_1",
            "name": "get_weather",
            "input": {"city": "Paris"},
            "caller": None,
        },
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}
WEB_TOOLS = [
    {"type": "web_search_20250305", "name": "web_search"},
    {"name": "get_weather", "input_schema": {"type": "object"}},
]


def test_the_sdk_sends_a_responses_null_caller_back() -> None:
    # The request union takes a response's blocks unchanged (api-rules §2.1), nulls included.
    message = anthropic.types.Message.model_validate(NULL_CALLER_RESPONSE)
    assert [block.caller for block in message.content] == [None, None, None]  # type: ignore[union-attr]
    sent = json.loads(openapi_dumps({"content": message.content}))["content"]
    assert [block["caller"] for block in sent] == [None, None, None]


@pytest.mark.parametrize("sdk", [False, True])
def test_reply_reads_a_null_caller_and_keeps_it(sdk: bool) -> None:
    response: object = (
        anthropic.types.Message.model_validate(NULL_CALLER_RESPONSE) if sdk else NULL_CALLER_RESPONSE
    )
    conv = convo.Conversation().user("Weather?").reply(response)
    assert [use.id for use in conv.pending_tool_uses] == ["toolu_1"]
    assert (
        json.loads(conv.messages[-1].to_json())["content"]
        == json.loads(
            openapi_dumps({"content": anthropic.types.Message.model_validate(NULL_CALLER_RESPONSE).content})
        )["content"]
    )
    assert conv.messages[-1].to_json().count(b'"caller":null') == 3


def test_a_null_caller_sent_back_checks_clean() -> None:
    conv = convo.Conversation().user("Weather?").reply(NULL_CALLER_RESPONSE)
    conv = conv.tool_results({"toolu_1": "18 C"})
    body = conv.request(model="claude-opus-4-8", max_tokens=1024, tools=WEB_TOOLS).body()
    assert convo.check(body).problems == ()


def test_a_caller_that_is_not_an_object_is_still_malformed() -> None:
    use = {"type": "tool_use", "id": "toolu_1", "name": "t", "input": {}, "caller": "direct"}
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": [use]}]
    assert [code for code, _, _ in problems(messages)] == ["block-malformed"]


INLINE_BETAS = ["mid-conversation-tool-changes-2026-07-01", "inline-tools-2026-09-15"]


def added(definition: object) -> dict[str, Any]:
    """A request whose system message adds the tool ``definition`` inline."""
    addition = {"type": "tool_addition", "tool": {"type": "tool_definition", "definition": definition}}
    return {
        "model": "claude-opus-4-8",
        "max_tokens": 1024,
        "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}],
        "messages": [{"role": "user", "content": "hi"}, {"role": "system", "content": [addition]}],
    }


DEFINITION = "/messages/1/content/0/tool/definition"


def test_the_sdk_types_an_inline_definition_as_a_tools_entry() -> None:
    param = beta_tool_change_tool_definition_param.BetaToolChangeToolDefinitionParam
    assert required(param) == {"type", "definition"}
    definition = typing_extensions.get_type_hints(param)["definition"]
    assert definition == beta_tool_union_param.BetaToolUnionParam


@pytest.mark.parametrize(
    "definition",
    [
        {"name": "lookup", "input_schema": {"type": "object"}},
        {
            "name": "lookup",
            "description": "Look it up.",
            "input_schema": {"type": "object"},
            "cache_control": {"type": "ephemeral"},
        },
        {"type": "web_fetch_20250910", "name": "web_fetch"},
    ],
)
def test_a_well_formed_inline_definition_is_fine(definition: dict[str, Any]) -> None:
    report = convo.check(json.dumps(added(definition)).encode(), betas=INLINE_BETAS)
    assert [(p.code, p.path) for p in report.problems if p.code != "beta-content"] == []


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (
            {"name": "bad name!", "input_schema": {"type": "object"}},
            [("tool-name-invalid", f"{DEFINITION}/name")],
        ),
        (
            {"name": "lookup", "input_schema": {"type": "string"}},
            [("tool-schema-invalid", f"{DEFINITION}/input_schema")],
        ),
        ({"name": "lookup"}, [("tool-schema-invalid", f"{DEFINITION}/input_schema")]),
        (
            {"name": "lookup", "input_schema": {"type": "object"}, "inputSchema": {}},
            [("tool-field-unknown", f"{DEFINITION}/inputSchema")],
        ),
        ({"type": "web_search_20250305", "name": "search"}, [("tool-name-invalid", f"{DEFINITION}/name")]),
        ({"type": "function", "name": "lookup"}, [("tool-type-unknown", f"{DEFINITION}/type")]),
        ({"input_schema": {"type": "object"}}, [("tool-invalid", DEFINITION)]),
        ("lookup", [("tool-invalid", DEFINITION)]),
        (None, [("tool-invalid", DEFINITION)]),
    ],
)
def test_an_inline_definition_is_checked_as_a_tools_entry(
    definition: object, expected: list[tuple[str, str]]
) -> None:
    report = convo.check(json.dumps(added(definition)).encode(), betas=INLINE_BETAS)
    assert [(p.code, p.path) for p in report.problems] == expected


def test_an_inline_definitions_cache_marker_counts_once() -> None:
    definition = {
        "name": "lookup",
        "input_schema": {"type": "object"},
        "cache_control": {"type": "ephemeral"},
    }
    body = added(definition)
    body["system"] = [
        {"type": "text", "text": f"s{k}", "cache_control": {"type": "ephemeral"}} for k in range(3)
    ]
    report = convo.check(json.dumps(body).encode(), betas=INLINE_BETAS)
    assert report.problems == ()  # four breakpoints: the limit, not past it
