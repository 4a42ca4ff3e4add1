"""A line-by-line sweep of api-rules §0 (wire baseline), §1 (message structure) and §2 (content
blocks): for each statement that the API refuses, accepts, merges or warns about, a body that
breaks it and the nearest body the API accepts (at a limit and one past it, the first refused
value, the rule's exceptions), each with every problem ``convo.check`` must give, by code and
path.  Request bodies name a model; the same body is then built with
``Conversation.from_wire(...).request(...)``, which must refuse it with the same errors."""

from __future__ import annotations

from typing import Any

import pytest

import convo

from .test_rules import CITE as CITATION
from .test_rules import A, S, U

Body = dict[str, Any]
Expected = list[tuple[str, str]]

OPUS_48 = "claude-opus-4-8"  # takes system messages, rejects prefill
OPUS_45 = "claude-opus-4-5"  # allows prefill
TOOL = {"name": "f", "input_schema": {"type": "object"}}
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search"}
PLAIN = {"type": "text", "media_type": "text/plain", "data": "x"}
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
IMAGE = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
THINKING = {"type": "thinking", "thinking": "Hmm.", "signature": "EqQB"}
SEARCH = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}}
SEARCH_RESULT = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}
MARK = {"type": "ephemeral"}


def T(text: str, **extra: Any) -> Body:
    return {"type": "text", "text": text, **extra}


def TU(tool_id: str = "t1") -> Body:
    return {"type": "tool_use", "id": tool_id, "name": "f", "input": {}}


def TR(content: Any = "r", tool_id: str = "t1", **extra: Any) -> Body:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": content, **extra}


def DOC(source: Body = PLAIN, **extra: Any) -> Body:
    return {"type": "document", "source": source, **extra}


def SR(**extra: Any) -> Body:
    return {"type": "search_result", "source": "s", "title": "t", "content": [T("a")], **extra}


def request(messages: list[Body], model: str = OPUS_48, max_tokens: int = 1024, **extra: Any) -> Body:
    return {"model": model, "max_tokens": max_tokens, "messages": messages, **extra}


def answered(result: Body, **extra: Any) -> Body:
    """A request whose tool call ``t1`` is answered by ``result``."""
    return request([U("hi"), A([TU()]), U([result])], tools=[TOOL], **extra)


def search_turn(*blocks: Body) -> list[Body]:
    return [U("hi"), A([SEARCH, SEARCH_RESULT, *blocks])]


CASES: list[tuple[str, Body, Expected]] = [
    # §0.2a: sampling parameters are refused, even at their defaults
    (
        "0.2a-temperature-default",
        request([U("hi")], temperature=1.0),
        [("sampling-parameter-removed", "/temperature")],
    ),
    ("0.2a-top-p", request([U("hi")], top_p=1), [("sampling-parameter-removed", "/top_p")]),
    ("0.2a-top-k", request([U("hi")], top_k=5), [("sampling-parameter-removed", "/top_k")]),
    ("0.2a-none", request([U("hi")]), []),
    # §0.2b: a document directly in an assistant turn; in a user turn or a tool_result it is fine
    (
        "0.2b-document-in-assistant",
        request([U("hi"), A([DOC()]), U("ok")]),
        [("block-role", "/messages/1/content/0")],
    ),
    ("0.2b-document-in-user", request([U([DOC()])]), []),
    ("0.2b-document-in-tool-result", answered(TR([DOC()])), []),
    # §0.2c: non-empty citations on user text, directly, in a search_result or a tool_result
    (
        "0.2c-citations-in-user",
        request([U([T("a", citations=[CITATION])])]),
        [("citations-in-user", "/messages/0/content/0/citations")],
    ),
    ("0.2c-empty-citations-in-user", request([U([T("a", citations=[])])]), []),
    ("0.2c-null-citations-in-user", request([U([T("a", citations=None)])]), []),
    (
        "0.2c-citations-in-search-result",
        request([U([SR(content=[T("a", citations=[CITATION])])])]),
        [("citations-in-user", "/messages/0/content/0/content/0/citations")],
    ),
    (
        "0.2c-citations-in-tool-result",
        answered(TR([T("a", citations=[CITATION])])),
        [("citations-in-user", "/messages/2/content/0/content/0/citations")],
    ),
    ("0.2c-citations-in-assistant", request([U("hi"), A([T("a", citations=[CITATION])]), U("ok")]), []),
    # §1.1: roles
    (
        "1.1-role-tool",
        request([U("hi"), {"role": "tool", "content": "x"}]),
        [("role-invalid", "/messages/1/role")],
    ),
    ("1.1-role-missing", request([{"content": "x"}]), [("role-invalid", "/messages/0/role")]),
    (
        "1.1-role-capitalised",
        request([U("hi"), {"role": "System", "content": "x"}]),
        [("role-invalid", "/messages/1/role")],
    ),
    ("1.1-system-text-blocks", request([U("hi"), S([T("x")])]), []),
    ("1.1-system-image", request([U("hi"), S([IMAGE])]), [("block-role", "/messages/1/content/0")]),
    (
        "1.1-system-no-content",
        request([U("hi"), {"role": "system"}]),
        [("message-malformed", "/messages/1/content")],
    ),
    ("1.1-system-empty-content", request([U("hi"), S("")]), [("content-empty", "/messages/1/content")]),
    # §1.2: which models take system messages (5.5-era: gated off per the allowlist)
    ("1.2-system-on-opus-4-8", request([U("hi"), S("x")]), []),
    ("1.2-system-on-opus-5", request([U("hi"), S("x")], model="claude-opus-5"), []),
    ("1.2-system-on-fable-5", request([U("hi"), S("x")], model="claude-fable-5"), []),
    ("1.2-system-on-mythos-5", request([U("hi"), S("x")], model="claude-mythos-5"), []),
    (
        "1.2-system-on-sonnet-5",
        request([U("hi"), S("x")], model="claude-sonnet-5"),
        [("system-message-unsupported", "/messages/1")],
    ),
    (
        "1.2-system-on-opus-4-7",
        request([U("hi"), S("x")], model="claude-opus-4-7"),
        [("system-message-unsupported", "/messages/1")],
    ),
    (
        "1.2-system-on-bedrock-opus-4-8",
        request([U("hi"), S("x")], model="anthropic.claude-opus-4-8-v1:0"),
        [],
    ),
    (
        "1.2-system-on-bedrock-opus-5",
        request([U("hi"), S("x")], model="anthropic.claude-opus-5-v1:0"),
        [("system-message-unsupported", "/messages/1")],
    ),
    # §1.3: where a system message may stand
    ("1.3-system-first", request([S("x"), U("hi")]), [("system-message-position", "/messages/0")]),
    ("1.3-system-after-user-last", request([U("hi"), S("x")]), []),
    ("1.3-system-before-assistant", request([U("hi"), S("x"), A("ok"), U("go")]), []),
    (
        "1.3-system-before-user",
        request([U("hi"), S("x"), U("go")]),
        [("system-message-position", "/messages/1"), ("consecutive-roles", "/messages/2")],
    ),
    (
        "1.3-system-after-assistant",
        request([U("hi"), A("ok"), S("x")]),
        [("system-message-position", "/messages/2")],
    ),
    ("1.3-system-after-server-result", request([*search_turn(), S("x")], tools=[WEB_SEARCH]), []),
    ("1.3-system-after-tool-result", request([U("hi"), A([TU()]), U([TR()]), S("x")], tools=[TOOL]), []),
    (
        "1.3-system-between-call-and-result",
        request([U("hi"), A([TU()]), S("x"), U([TR()])], tools=[TOOL]),
        [("system-message-position", "/messages/2")],
    ),
    ("1.3-consecutive-systems", request([U("hi"), S("x"), S("y"), A("ok"), U("go")]), []),
    # §1.5: the first message (a toolkit warning); a lone assistant message is a prefill
    ("1.5-assistant-first", request([A("hello"), U("hi")]), [("first-not-user", "/messages/0")]),
    (
        "1.5-lone-assistant",
        request([A("hello")]),
        [("first-not-user", "/messages/0"), ("prefill-unsupported", "/messages/0")],
    ),
    (
        "1.5-lone-assistant-prefill-model",
        request([A("hello")], model=OPUS_45),
        [("first-not-user", "/messages/0")],
    ),
    # §1.6: consecutive turns merge, and pairing is checked on the merged turn
    ("1.6-user-user", request([U("a"), U("b")]), [("consecutive-roles", "/messages/1")]),
    (
        "1.6-text-then-results",
        request([U("a"), A([TU()]), U("x"), U([TR()])], tools=[TOOL]),
        [
            ("tool-use-unanswered", "/messages/1/content/0"),
            ("consecutive-roles", "/messages/3"),
            ("tool-result-not-first", "/messages/3/content/0"),
        ],
    ),
    (
        "1.6-split-results",
        request([U("a"), A([TU("t1"), TU("t2")]), U([TR()]), U([TR(tool_id="t2")])], tools=[TOOL]),
        [("consecutive-roles", "/messages/3")],
    ),
    # §1.7: prefill, refused on Claude 4.6 and later; a paused turn is no prefill
    (
        "1.7-prefill-opus-4-6",
        request([U("a"), A("b")], model="claude-opus-4-6"),
        [("prefill-unsupported", "/messages/1")],
    ),
    (
        "1.7-prefill-sonnet-4-6",
        request([U("a"), A("b")], model="claude-sonnet-4-6"),
        [("prefill-unsupported", "/messages/1")],
    ),
    ("1.7-prefill-opus-4-5", request([U("a"), A("b")], model=OPUS_45), []),
    ("1.7-prefill-haiku-4-5", request([U("a"), A("b")], model="claude-haiku-4-5"), []),
    (
        "1.7-prefill-sonnet-5-5",
        request([U("a"), A("b")], model="claude-sonnet-5-5"),
        [("prefill-unsupported", "/messages/1")],
    ),
    (
        "1.7-prefill-with-thinking",
        request(
            [U("a"), A("b")],
            model=OPUS_45,
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 2048},
        ),
        [("prefill-with-thinking", "/messages/1")],
    ),
    (
        "1.7-prefill-thinking-disabled",
        request([U("a"), A("b")], model=OPUS_45, thinking={"type": "disabled"}),
        [],
    ),
    ("1.7-paused-turn", request(search_turn(), tools=[WEB_SEARCH]), []),
    ("1.7-paused-call", request([U("a"), A([SEARCH])], tools=[WEB_SEARCH]), []),
    # §1.8: at most 100,000 messages (built in the test below)
    # §1.9: empty content, allowed only in the final assistant message
    ("1.9-empty-user", request([U([]), A("x"), U("y")]), [("content-empty", "/messages/0/content")]),
    ("1.9-empty-string-user", request([U(""), A("x"), U("y")]), [("content-empty", "/messages/0/content")]),
    ("1.9-empty-assistant-mid", request([U("a"), A([]), U("y")]), [("content-empty", "/messages/1/content")]),
    ("1.9-empty-assistant-final", request([U("a"), A([])], model=OPUS_45), []),
    ("1.9-empty-string-assistant-final", request([U("a"), A("")], model=OPUS_45), []),
    # §1.10: empty and whitespace-only text, in any role
    ("1.10-empty-text", request([U([T("")])]), [("text-empty", "/messages/0/content/0/text")]),
    ("1.10-whitespace-text", request([U([T(" \t\n")])]), [("text-whitespace", "/messages/0/content/0/text")]),
    ("1.10-whitespace-string", request([U("  ")]), [("text-whitespace", "/messages/0/content")]),
    ("1.10-one-character", request([U([T(".")])]), []),
    ("1.10-empty-system-text", request([U("a")], system=[T("")]), [("text-empty", "/system/0/text")]),
    ("1.10-whitespace-system", request([U("a")], system="  "), [("text-whitespace", "/system")]),
    ("1.10-empty-system-string", request([U("a")], system=""), []),
    (
        "1.10-whitespace-tool-result-text",
        answered(TR([T("  ")])),
        [("text-whitespace", "/messages/2/content/0/content/0/text")],
    ),
    (
        "1.10-empty-search-result-text",
        request([U([SR(content=[T("")])])]),
        [("text-empty", "/messages/0/content/0/content/0/text")],
    ),
    (
        "1.10-whitespace-assistant-text",
        request([U("a"), A([T(" "), T("x")]), U("b")]),
        [("assistant-text-whitespace", "/messages/1/content/0/text")],
    ),
    # §1.11: the final assistant message may not end in whitespace
    (
        "1.11-trailing-space",
        request([U("a"), A("b ")], model=OPUS_45),
        [("final-assistant-trailing-whitespace", "/messages/1")],
    ),
    (
        "1.11-trailing-newline-block",
        request([U("a"), A([T("b\n")])], model=OPUS_45),
        [("final-assistant-trailing-whitespace", "/messages/1")],
    ),
    ("1.11-leading-space", request([U("a"), A(" b")], model=OPUS_45), []),
    ("1.11-not-final", request([U("a"), A("b "), U("c")], model=OPUS_45), []),
    # §1.12: cache_control on an empty text block
    (
        "1.12-empty-text-marked",
        request([U([T("", cache_control=MARK)])]),
        [
            ("cache-control-empty-text", "/messages/0/content/0/cache_control"),
            ("text-empty", "/messages/0/content/0/text"),
        ],
    ),
    ("1.12-text-marked", request([U([T("x", cache_control=MARK)])]), []),
    # §2.2: the roles each block may take, and its required fields
    ("2.2-image-in-user", request([U([IMAGE])]), []),
    (
        "2.2-image-in-assistant",
        request([U("hi"), A([IMAGE]), U("ok")]),
        [("block-role", "/messages/1/content/0")],
    ),
    ("2.2-image-in-tool-result", answered(TR([IMAGE])), []),
    (
        "2.2-image-transformation-unknown",
        request([U([{**IMAGE, "transformations": {"oversized_image": "crop"}}])]),
        [("block-malformed", "/messages/0/content/0/transformations/oversized_image")],
    ),
    (
        "2.2-image-transformation-error",
        request([U([{**IMAGE, "transformations": {"oversized_image": "error"}}])]),
        [],
    ),
    ("2.2-search-result-in-user", request([U([SR()])]), []),
    (
        "2.2-search-result-in-assistant",
        request([U("hi"), A([SR()]), U("ok")]),
        [("block-role", "/messages/1/content/0")],
    ),
    ("2.2-search-result-in-tool-result", answered(TR([SR()])), []),
    (
        "2.2-search-result-image",
        request([U([SR(content=[IMAGE])])]),
        [("block-role", "/messages/0/content/0/content/0")],
    ),
    (
        "2.2-search-result-no-title",
        request([U([{"type": "search_result", "source": "s", "content": [T("a")]}])]),
        [("block-malformed", "/messages/0/content/0")],
    ),
    ("2.2-thinking-in-assistant", request([U("hi"), A([THINKING, T("x")]), U("ok")]), []),
    ("2.2-thinking-empty-text", request([U("hi"), A([{**THINKING, "thinking": ""}, T("x")]), U("ok")]), []),
    ("2.2-thinking-in-user", request([U([THINKING])]), [("block-role", "/messages/0/content/0")]),
    ("2.2-tool-use-in-user", request([U([TU()])]), [("block-role", "/messages/0/content/0")]),
    (
        "2.2-tool-result-in-assistant",
        request([U("hi"), A([TR()]), U("ok")]),
        [("block-role", "/messages/1/content/0")],
    ),
    ("2.2-tool-result-no-content", answered({"type": "tool_result", "tool_use_id": "t1"}), []),
    (
        "2.2-tool-result-null-content",
        answered(TR(None)),
        [("block-malformed", "/messages/2/content/0/content")],
    ),
    ("2.2-tool-result-empty-string", answered(TR("")), []),
    (
        "2.2-tool-result-tool-use",
        answered(TR([TU("t2")])),
        [("block-role", "/messages/2/content/0/content/0")],
    ),
    (
        "2.2-server-tool-use-in-user",
        request([U([SEARCH])], tools=[WEB_SEARCH]),
        [("block-role", "/messages/0/content/0")],
    ),
    (
        "2.2-container-upload-in-user",
        request([U([{"type": "container_upload", "file_id": "file_1"}, T("x")])]),
        [],
    ),
    (
        "2.2-container-upload-no-file",
        request([U([{"type": "container_upload"}])]),
        [("block-malformed", "/messages/0/content/0")],
    ),
    (
        "2.2-document-in-document",
        request([U([DOC({"type": "content", "content": [DOC()]})])]),
        [("document-source-invalid", "/messages/0/content/0/source/content/0")],
    ),
    ("2.2-document-content-source", request([U([DOC({"type": "content", "content": [T("x"), IMAGE]})])]), []),
    (
        "2.2-document-base64-not-pdf",
        request([U([DOC({"type": "base64", "media_type": "text/plain", "data": "eA=="})])]),
        [("document-source-invalid", "/messages/0/content/0/source/media_type")],
    ),
    (
        "2.2-image-media-type-svg",
        request(
            [U([{"type": "image", "source": {"type": "base64", "media_type": "image/svg+xml", "data": PNG}}])]
        ),
        [("image-media-type-unsupported", "/messages/0/content/0/source/media_type")],
    ),
    (
        "2.2-image-text-source",
        request([U([{"type": "image", "source": PLAIN}])]),
        [("image-source-invalid", "/messages/0/content/0/source/type")],
    ),
    # §2.3: ids and tool names
    (
        "2.3-foreign-tool-use-id",
        request([U("hi"), A([TU("call_abc-1")]), U([TR(tool_id="call_abc-1")])], tools=[TOOL]),
        [],
    ),
    (
        "2.3-long-tool-use-id",
        request([U("hi"), A([TU("a" * 200)]), U([TR(tool_id="a" * 200)])], tools=[TOOL]),
        [],
    ),
    (
        "2.3-tool-use-id-dot",
        request([U("hi"), A([TU("a.b")]), U([TR(tool_id="a.b")])], tools=[TOOL]),
        [("tool-use-id-invalid", "/messages/1/content/0/id")],
    ),
    (
        "2.3-tool-use-id-empty",
        request([U("hi"), A([TU("")]), U([TR(tool_id="")])], tools=[TOOL]),
        [("tool-use-id-invalid", "/messages/1/content/0/id")],
    ),
    (
        "2.3-server-id-hyphen",
        request(
            [
                U("hi"),
                A([{**SEARCH, "id": "srvtoolu_a-b"}, {**SEARCH_RESULT, "tool_use_id": "srvtoolu_a-b"}]),
            ],
            tools=[WEB_SEARCH],
        ),
        [("server-tool-use-id-invalid", "/messages/1/content/0/id")],
    ),
    (
        "2.3-server-id-bare-prefix",
        request(
            [U("hi"), A([{**SEARCH, "id": "srvtoolu_"}, {**SEARCH_RESULT, "tool_use_id": "srvtoolu_"}])],
            tools=[WEB_SEARCH],
        ),
        [("server-tool-use-id-invalid", "/messages/1/content/0/id")],
    ),
    ("2.3-tool-name-64", request([U("hi")], tools=[{**TOOL, "name": "a" * 64}]), []),
    (
        "2.3-tool-name-65",
        request([U("hi")], tools=[{**TOOL, "name": "a" * 65}]),
        [("tool-name-invalid", "/tools/0/name")],
    ),
    (
        "2.3-tool-name-empty",
        request([U("hi")], tools=[{**TOOL, "name": ""}]),
        [("tool-name-invalid", "/tools/0/name")],
    ),
    (
        "2.3-tool-name-server-duplicate",
        request([U("hi")], tools=[WEB_SEARCH, {**TOOL, "name": "web_search"}]),
        [("tool-name-duplicate", "/tools/1/name")],
    ),
    # §2.4: cache_control eligibility
    (
        "2.4-thinking-marked",
        request([U("hi"), A([{**THINKING, "cache_control": MARK}, T("x")]), U("ok")]),
        [("cache-control-ineligible", "/messages/1/content/0/cache_control")],
    ),
    (
        "2.4-redacted-thinking-marked",
        request(
            [U("hi"), A([{"type": "redacted_thinking", "data": "d", "cache_control": MARK}, T("x")]), U("ok")]
        ),
        [("cache-control-ineligible", "/messages/1/content/0/cache_control")],
    ),
    (
        "2.4-citation-marked",
        request([U("hi"), A([T("a", citations=[{**CITATION, "cache_control": MARK}])]), U("ok")]),
        [("cache-control-ineligible", "/messages/1/content/0/citations/0/cache_control")],
    ),
    ("2.4-tool-result-nested-marked", answered(TR([T("a", cache_control=MARK)])), []),
    ("2.4-search-result-inner-marked", request([U([SR(content=[T("a", cache_control=MARK)])])]), []),
    (
        "2.4-server-result-marked",
        request([U("hi"), A([SEARCH, {**SEARCH_RESULT, "cache_control": MARK}])], tools=[WEB_SEARCH]),
        [],
    ),
    ("2.4-top-level-marked", request([U("hi")], cache_control=MARK), []),
    # §2.5: citations all or none, with web search, with output_config.format, in a tool_result
    (
        "2.5-documents-mixed",
        request([U([DOC(citations={"enabled": True}), DOC()])]),
        [("citations-mixed", "/messages/0/content/1")],
    ),
    (
        "2.5-documents-all",
        request([U([DOC(citations={"enabled": True}), DOC(citations={"enabled": True})])]),
        [],
    ),
    (
        "2.5-search-results-mixed",
        request([U([SR(citations={"enabled": True}), SR()])]),
        [("citations-mixed", "/messages/0/content/1")],
    ),
    ("2.5-document-and-search-result", request([U([DOC(citations={"enabled": True}), SR()])]), []),
    (
        "2.5-web-search-uncited-result",
        request([U([SR()])], tools=[WEB_SEARCH]),
        [("search-result-citations-required", "/messages/0/content/0")],
    ),
    ("2.5-web-search-cited-result", request([U([SR(citations={"enabled": True})])], tools=[WEB_SEARCH]), []),
    (
        "2.5-citations-with-format",
        request(
            [U([DOC(citations={"enabled": True})])],
            output_config={
                "format": {
                    "type": "json_schema",
                    "schema": {"type": "object", "properties": {}, "additionalProperties": False},
                }
            },
        ),
        [("citations-with-output-format", "/output_config/format")],
    ),
    (
        "2.5-tool-result-search-mixed",
        answered(TR([SR(), T("a")])),
        [("tool-result-search-mixed", "/messages/2/content/0/content/1")],
    ),
    ("2.5-tool-result-searches", answered(TR([SR(), SR()])), []),
]


def problems(body: Body) -> Expected:
    return [(p.code, p.path) for p in convo.check(body).problems]


@pytest.mark.parametrize(("body", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_check_gives_exactly_the_rules_problems(body: Body, expected: Expected) -> None:
    assert sorted(problems(body)) == sorted(expected)


@pytest.mark.parametrize(("body", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_the_request_builder_refuses_the_same_errors(body: Body, expected: Expected) -> None:
    builder_refuses_what_check_does(body)


def builder_refuses_what_check_does(body: Body) -> None:
    """``from_wire`` refuses what makes the history itself wrong; ``request`` refuses the rest:
    together, the errors ``check`` gives."""
    errors = sorted((p.code, p.path) for p in convo.check(body).errors)
    try:
        conversation = convo.Conversation.from_wire(body)
    except convo.ValidationError as refused:
        assert set((p.code, p.path) for p in refused.errors) <= set(errors)
        return
    params = {k: v for k, v in body.items() if k not in ("messages", "system", "tools")}
    if not errors:
        conversation.request(**params)
        return
    with pytest.raises(convo.ValidationError) as raised:
        conversation.request(**params)
    assert sorted((p.code, p.path) for p in raised.value.errors) == errors


@pytest.mark.parametrize(
    ("count", "expected"), [(100_000, []), (100_001, [("messages-too-many", "/messages/100000")])]
)
def test_at_most_100000_messages(count: int, expected: Expected) -> None:
    """§1.8: 100,000 messages is the limit; one more is refused."""
    messages = [U("a") if i % 2 == 0 else A("b") for i in range(count - 1)] + [U("c")]
    if count % 2 == 0:  # keep the turns alternating: the last two are user turns otherwise
        messages[-2] = A("b")
    assert [p for p in problems(request(messages, model=OPUS_45)) if p[0] != "consecutive-roles"] == expected
