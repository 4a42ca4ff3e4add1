"""Rule branches no other test fails without: each case gives one rule's exact problem at the
branch that reports it, and its nearest valid neighbour gives none.

Found by silencing one reporting site at a time and running the tests that reach it: these
sites were reached only by fuzz tests that assert nothing about them, or were caught only when
a Hypothesis draw happened to build the case (tests/test_properties.py).
"""

from __future__ import annotations

from typing import Any

import pytest

import convo

from .test_rules import U

MODEL = "claude-opus-4-8"
TOOL = {"name": "get_weather", "input_schema": {"type": "object"}}


def document(source: dict[str, Any]) -> list[dict[str, Any]]:
    """A user turn asking about a document with ``source``."""
    return [U([{"type": "document", "source": source}, {"type": "text", "text": "Sum it up."}])]


def request(**params: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 1024, "messages": [U("Hi")], **params}


def content_source(*blocks: object) -> dict[str, Any]:
    return {"type": "content", "content": list(blocks)}


PNG_URL = {"type": "url", "url": "https://example.com/a.png"}

CASES = [
    pytest.param(  # §2.2: a content source holds text and image blocks, each well formed
        document(content_source({"type": "text", "text": 1})),
        document(content_source({"type": "text", "text": "Q3 revenue rose."})),
        ("document-source-invalid", "/messages/0/content/0/source/content/0"),
        id="content-source-text-malformed",
    ),
    pytest.param(
        document(content_source({"type": "text"})),
        document(content_source({"type": "text", "text": "Q3 revenue rose."})),
        ("document-source-invalid", "/messages/0/content/0/source/content/0"),
        id="content-source-text-missing",
    ),
    pytest.param(
        document(content_source({"type": "image", "source": "a.png"})),
        document(content_source({"type": "image", "source": PNG_URL})),
        ("document-source-invalid", "/messages/0/content/0/source/content/0"),
        id="content-source-image-malformed",
    ),
    pytest.param(  # §2.2: a url document source names its url (SDK URLPDFSourceParam)
        document({"type": "url"}),
        document({"type": "url", "url": "https://example.com/report.pdf"}),
        ("document-source-invalid", "/messages/0/content/0/source/url"),
        id="url-source-without-url",
    ),
    pytest.param(  # §2.2: a file document source names its file_id (SDK FileDocumentSourceParam)
        document({"type": "file"}),
        document({"type": "file", "file_id": "file_011CNha8iCJcU1wXNR6q4V8w"}),
        ("document-source-invalid", "/messages/0/content/0/source/file_id"),
        id="file-source-without-file-id",
    ),
    pytest.param(  # thinking is an object with a string type (SDK ThinkingConfigParam)
        request(thinking="adaptive"),
        request(thinking={"type": "adaptive"}),
        ("thinking-invalid", "/thinking"),
        id="thinking-not-an-object",
    ),
    pytest.param(
        request(thinking={"type": 1}),
        request(thinking={"type": "disabled"}),
        ("thinking-invalid", "/thinking"),
        id="thinking-type-not-a-string",
    ),
    pytest.param(  # thinking's type is adaptive, enabled or disabled (SDK ThinkingConfigParam)
        request(thinking={"type": "auto"}),
        request(thinking={"type": "adaptive"}),
        ("thinking-invalid", "/thinking/type"),
        id="thinking-type-unknown",
    ),
    pytest.param(  # tool_choice 'tool' names the tool (SDK ToolChoiceToolParam: name is required)
        request(tools=[TOOL], tool_choice={"type": "tool"}),
        request(tools=[TOOL], tool_choice={"type": "tool", "name": "get_weather"}),
        ("tool-choice-invalid", "/tool_choice/name"),
        id="tool-choice-tool-without-name",
    ),
]


def found(body: object) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in convo.check(body).problems]


@pytest.mark.parametrize(("bad", "fixed", "expected"), CASES)
def test_the_rule_fires_at_its_branch(bad: object, fixed: object, expected: tuple[str, str]) -> None:
    assert found(bad) == [expected]


@pytest.mark.parametrize(("bad", "fixed", "expected"), CASES)
def test_its_nearest_valid_neighbour_is_clean(bad: object, fixed: object, expected: tuple[str, str]) -> None:
    assert found(fixed) == []
