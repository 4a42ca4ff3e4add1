"""Nested shapes of server tool results and beta blocks, held to the SDK's param types (api-rules
§2.2): the entries of a result's lists, optional and ``Literal`` fields, a fetched page's
document, and a compaction's tool changes."""

from __future__ import annotations

from typing import Any

import pytest
import typing_extensions
from anthropic.types import (
    bash_code_execution_output_block_param,
    code_execution_output_block_param,
    text_editor_code_execution_view_result_block_param,
    tool_reference_block_param,
    web_search_result_block_param,
)

from tests.test_shapes_audit2 import (
    CONTENT,
    SHAPES,
    WEB_SEARCH_RESULT,
    problems,
    required,
    server_result,
)

RUN = {"stdout": "", "stderr": "", "return_code": 0}


# -- the entries of a result's lists ---------------------------------------------------------------

OUTPUTS = [
    ("code_execution_tool_result", "code_execution_result", "code_execution_output"),
    ("code_execution_tool_result", "encrypted_code_execution_result", "code_execution_output"),
    ("bash_code_execution_tool_result", "bash_code_execution_result", "bash_code_execution_output"),
]


def run_result(kind: str, result: str, outputs: list[object]) -> list[dict[str, Any]]:
    stdout = "encrypted_stdout" if result.startswith("encrypted") else "stdout"
    return server_result(kind, {"type": result, **RUN, stdout: "", "content": outputs})


def test_an_output_entry_requires_what_its_sdk_param_does() -> None:
    for param in (
        code_execution_output_block_param.CodeExecutionOutputBlockParam,
        bash_code_execution_output_block_param.BashCodeExecutionOutputBlockParam,
    ):
        assert required(param) == {"type", "file_id"}


@pytest.mark.parametrize(("kind", "result", "output"), OUTPUTS)
def test_an_output_entry_needs_a_string_file_id(kind: str, result: str, output: str) -> None:
    assert problems(run_result(kind, result, [{"type": output, "file_id": "file_1"}])) == []
    for bad in ({"type": output}, {"type": output, "file_id": 3}):
        assert problems(run_result(kind, result, [bad])) == [
            ("block-malformed", "error", f"{CONTENT}/content/0/file_id")
        ]


@pytest.mark.parametrize(("kind", "result", "output"), OUTPUTS)
def test_an_output_entry_of_no_known_type_is_a_warning_and_a_non_object_an_error(
    kind: str, result: str, output: str
) -> None:
    assert problems(run_result(kind, result, [{"type": "hologram_output", "file_id": "f"}])) == [
        ("block-unknown", "warning", f"{CONTENT}/content/0")
    ]
    assert problems(run_result(kind, result, ["file_1"])) == [
        ("block-malformed", "error", f"{CONTENT}/content/0")
    ]


def search_result(references: list[object]) -> list[dict[str, Any]]:
    content = {"type": "tool_search_tool_search_result", "tool_references": references}
    return server_result("tool_search_tool_result", content)


def test_a_tool_reference_requires_what_its_sdk_param_does() -> None:
    assert required(tool_reference_block_param.ToolReferenceBlockParam) == {"type", "tool_name"}


def test_a_tool_search_reference_needs_a_string_tool_name() -> None:
    assert problems(search_result([{"type": "tool_reference", "tool_name": "get_weather"}])) == []
    for bad in ({"type": "tool_reference"}, {"type": "tool_reference", "tool_name": 5}):
        assert problems(search_result([bad])) == [
            ("block-malformed", "error", f"{CONTENT}/tool_references/0/tool_name")
        ]
    assert problems(search_result(["get_weather"])) == [
        ("block-malformed", "error", f"{CONTENT}/tool_references/0")
    ]


# -- optional fields -------------------------------------------------------------------------------

# A value of each type an optional field of these params takes, and one of another JSON type.
GOOD_AND_BAD: dict[str, tuple[object, object]] = {
    "str": ("2025-07-17", 3),
    "int": (3, "3"),
    "Sequence": (["a line"], "a line"),
}


def optional_fields() -> list[tuple[str, dict[str, Any], str, str]]:
    """(result kind, a well-formed object, an optional field its SDK param types, that type's
    name) for every object a server tool result holds (cache_control aside: a mark's rules)."""
    shapes = [
        *SHAPES,
        (
            "web_search_tool_result",
            web_search_result_block_param.WebSearchResultBlockParam,
            WEB_SEARCH_RESULT,
        ),
    ]
    found = []
    for kind, param, shape in shapes:
        hints = typing_extensions.get_type_hints(param, include_extras=True)
        for name, hint in hints.items():
            if name == "cache_control" or typing_extensions.get_origin(hint) is typing_extensions.Required:
                continue
            inner, _none = typing_extensions.get_args(hint)
            origin = typing_extensions.get_origin(inner) or inner
            found.append((kind, shape, name, getattr(origin, "__name__", str(origin))))
    return found


def holding(kind: str, shape: dict[str, Any]) -> list[dict[str, Any]]:
    return server_result(kind, [shape] if shape["type"] == "web_search_result" else shape)


def test_the_sdk_types_optional_fields_of_these_objects() -> None:
    assert {name for *_, name, _ in optional_fields()} >= {"page_age", "retrieved_at", "num_lines", "lines"}


@pytest.mark.parametrize(("kind", "shape", "name", "type_name"), optional_fields())
def test_an_optional_field_of_another_json_type_is_malformed(
    kind: str, shape: dict[str, Any], name: str, type_name: str
) -> None:
    good, bad = GOOD_AND_BAD[type_name]
    for value in (good, None):
        assert problems(holding(kind, {**shape, name: value})) == []
    at = f"{CONTENT}/0" if shape["type"] == "web_search_result" else CONTENT
    assert problems(holding(kind, {**shape, name: bad})) == [("block-malformed", "error", f"{at}/{name}")]


# -- Literal fields --------------------------------------------------------------------------------


def view_result(file_type: object) -> list[dict[str, Any]]:
    content = {"type": "text_editor_code_execution_view_result", "content": "hi", "file_type": file_type}
    return server_result("text_editor_code_execution_tool_result", content)


def test_a_file_type_the_sdk_lists_is_fine_and_another_a_warning() -> None:
    hints = typing_extensions.get_type_hints(
        text_editor_code_execution_view_result_block_param.TextEditorCodeExecutionViewResultBlockParam
    )
    for file_type in typing_extensions.get_args(hints["file_type"]):
        assert problems(view_result(file_type)) == []
    assert problems(view_result("video")) == [("block-unknown", "warning", f"{CONTENT}/file_type")]
    assert problems(view_result(3)) == [("block-malformed", "error", f"{CONTENT}/file_type")]


# -- the page a web fetch read ---------------------------------------------------------------------

PAGE = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "hi"}}


def fetched(page: object, *before: dict[str, Any]) -> list[dict[str, Any]]:
    messages = server_result(
        "web_fetch_tool_result", {"type": "web_fetch_result", "url": "https://example.com", "content": page}
    )
    messages[0]["content"] = [*before, {"type": "text", "text": "hi"}]
    return messages


def in_a_turn(document: dict[str, Any]) -> list[tuple[str, str]]:
    """The problems a document given in a user turn has, by code and path below the block."""
    report = problems([{"role": "user", "content": [document]}])
    return [(code, path.removeprefix("/messages/0/content/0")) for code, _, path in report]


@pytest.mark.parametrize(
    "source",
    [
        {"type": "text", "media_type": "text/plain", "data": "hi"},
        {"type": "text", "media_type": "text/html", "data": "hi"},
        {"type": "text", "media_type": "text/plain"},
        {"type": "base64", "media_type": "application/pdf", "data": "aGk="},
        {"type": "url"},
        {"type": "content", "content": [{"type": "text", "text": ""}, {"type": "video"}]},
        {"type": "content", "content": [{"type": "text", "text": " "}]},
        {
            "type": "content",
            "content": [{"type": "image", "source": {"type": "url", "url": "https://x.org/a.png"}}],
        },
        {"type": "bogus"},
    ],
)
def test_a_fetched_page_is_checked_as_a_document_in_a_turn_is(source: dict[str, Any]) -> None:
    page = {"type": "document", "source": source}
    report = problems(fetched(page))
    assert [(code, path.removeprefix(f"{CONTENT}/content")) for code, _, path in report] == in_a_turn(page)


@pytest.mark.parametrize(
    "page",
    [{}, {"type": "document"}, {"type": "text", "text": "hi"}, {**PAGE, "title": 3}],
)
def test_a_fetched_page_that_is_no_document_block_is_malformed(page: dict[str, Any]) -> None:
    assert problems(fetched(page)) == [("block-malformed", "error", f"{CONTENT}/content")]


def test_the_marks_in_a_fetched_page_count_once() -> None:
    mark = {"cache_control": {"type": "ephemeral"}}
    marked = [{"type": "text", "text": f"note {k}", **mark} for k in range(3)]
    inner = {
        "type": "document",
        "source": {"type": "content", "content": [{"type": "text", "text": "hi", **mark}]},
    }
    for page in (inner, {**PAGE, **mark}, {"type": "document", **mark}):
        assert ("cache-control-too-many", "error", f"{CONTENT}/content/cache_control") not in problems(
            fetched(page, *marked)
        )
        too_many = problems(fetched(page, *marked, {"type": "text", "text": "one more", **mark}))
        assert [code for code, *_ in too_many if code == "cache-control-too-many"] == [
            "cache-control-too-many"
        ]


def test_a_fetched_page_is_left_out_of_the_citations_rule_of_a_users_documents() -> None:
    messages = fetched({**PAGE, "citations": {"enabled": True}}, PAGE)
    messages.append(
        {
            "role": "user",
            "content": [{**PAGE, "citations": {"enabled": False}}, {"type": "text", "text": "go"}],
        }
    )
    assert problems(messages) == []


# -- a compaction's tool changes -------------------------------------------------------------------

TOOLS = [{"name": "get_weather", "description": "d", "input_schema": {"type": "object"}}]
DEFINED = {"name": "get_time", "description": "d", "input_schema": {"type": "object"}}


def compacted(changes: object, *after: dict[str, Any]) -> list[dict[str, Any]]:
    compaction = {"type": "compaction", "content": "The user asked for the weather.", "tool_changes": changes}
    return [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [compaction]},
        *after,
        {"role": "user", "content": "go on"},
    ]


def below(report: list[tuple[str, str, str]], block: str) -> list[tuple[str, str]]:
    return [(code, path.removeprefix(block)) for code, _, path in report if code != "beta-content"]


CHANGES = [
    {"type": "tool_addition", "tool": {"type": "tool_reference", "name": "get_weather"}},
    {"type": "tool_addition", "tool": {"type": "tool_reference", "name": "nope"}},
    {"type": "tool_removal", "tool": {"type": "tool_reference", "name": "nope"}},
    {"type": "tool_addition", "tool": {"type": "tool_definition", "definition": {"name": 3}}},
    {"type": "tool_addition", "tool": {"type": "tool_definition", "definition": {**DEFINED, "name": "a b"}}},
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_compactions_tool_change_is_checked_as_one_in_a_system_message(change: dict[str, Any]) -> None:
    in_compaction = below(problems(compacted([change]), tools=TOOLS), "/messages/1/content/0/tool_changes/0")
    system = [{"role": "user", "content": "hi"}, {"role": "system", "content": [change]}]
    assert in_compaction == below(problems(system, tools=TOOLS), "/messages/1/content/0")


def test_a_tool_a_compaction_defines_may_be_named_after_it() -> None:
    define = {"type": "tool_addition", "tool": {"type": "tool_definition", "definition": DEFINED}}
    use = {"type": "tool_removal", "tool": {"type": "tool_reference", "name": "get_time"}}
    assert below(problems(compacted([define, use]), tools=TOOLS), "") == []
    assert below(problems(compacted([use, define]), tools=TOOLS), "") == [
        ("tool-reference-unresolved", "/messages/1/content/0/tool_changes/0/tool/name")
    ]


@pytest.mark.parametrize(
    ("changes", "at"),
    [
        ("tool_addition", ""),
        ([{"type": "tool_addition"}], "/0"),
        ([{"type": "text", "text": "hi"}], "/0"),
        (["get_weather"], "/0"),
    ],
)
def test_tool_changes_that_are_no_list_of_tool_changes_are_malformed(changes: object, at: str) -> None:
    report = below(problems(compacted(changes), tools=TOOLS), "/messages/1/content/0/tool_changes")
    assert report == [("block-malformed", at)]
