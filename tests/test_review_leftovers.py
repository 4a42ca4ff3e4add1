"""What the last review left: rules read on the merged turns, and paths that depend on how the
input was given."""

from __future__ import annotations

from typing import Any

import pytest

import convo
from convo._fields import CITATION_RESPONSE_FIELDS

from . import corpus

HI = {"role": "user", "content": "Hi"}

PTC_TOOLS: list[dict[str, Any]] = [
    {"type": "code_execution_20250825", "name": "code_execution"},
    {"name": "query", "input_schema": {"type": "object"}, "allowed_callers": ["code_execution_20250825"]},
]
PTC_CALL = {
    "type": "tool_use",
    "id": "toolu_1",
    "name": "query",
    "input": {},
    "caller": {"type": "code_execution_20250825", "tool_id": "srvtoolu_1"},
}
PTC_RESULT = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "4"}]}


def _pairs(report: convo.Report) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in report.problems]


def test_container_missing_reads_the_assistant_turn_merged() -> None:
    """api-rules §1.6: two assistant messages in a row are one turn; §3.9: the user turn that
    answers a programmatic call in either of them must name the container."""
    messages = [
        HI,
        {"role": "assistant", "content": [PTC_CALL]},
        {"role": "assistant", "content": "Ran."},
        PTC_RESULT,
    ]
    body = {"model": "claude-opus-4-8", "max_tokens": 1024, "tools": PTC_TOOLS, "messages": messages}
    assert _pairs(convo.check(body)) == [
        ("container-missing", "/messages/1/content/0/caller"),
        ("consecutive-roles", "/messages/2"),
    ]
    assert _pairs(convo.check({**body, "container": "container_01"})) == [
        ("consecutive-roles", "/messages/2")
    ]


CHAR_LOCATION = {
    "type": "char_location",
    "cited_text": "The sky is blue.",
    "document_index": 0,
    "document_title": None,
    "start_char_index": 0,
    "end_char_index": 16,
}


def _cited(citation: dict[str, Any]) -> list[dict[str, Any]]:
    text = {"type": "text", "text": "It is blue.", "citations": [citation]}
    return [HI, {"role": "assistant", "content": [text]}, {"role": "user", "content": "Thanks."}]


def test_a_citation_field_no_citation_has_is_a_block_field_unknown_warning() -> None:
    """Other blocks' unknown fields are block-field-unknown (the API refuses fields it does not
    define, at any depth); a citation's are too, at the field's own path."""
    report = convo.check(_cited({**CHAR_LOCATION, "cited_txt": "The sky"}))
    assert report.valid
    assert _pairs(report) == [("block-field-unknown", "/messages/1/content/0/citations/0/cited_txt")]
    assert "did you mean 'cited_text'" in report.warnings[0].message


def test_the_fields_a_response_citation_adds_go_back_without_a_warning() -> None:
    """A response's char, page and content-block citations carry file_id, which the SDK's
    param types lack: the SDK sends a response's blocks back as they came (api-rules §2.1)."""
    for file_id in ("file_011CNha8iCJcU1wXNR6q4V8w", None):
        assert _pairs(convo.check(_cited({**CHAR_LOCATION, "file_id": file_id}))) == []


def test_the_response_citation_fields_are_the_sdks() -> None:
    """Each response citation type's fields beyond its param type's, in the SDK and its beta."""
    pytest.importorskip("anthropic")
    from anthropic.types import beta, text_citation, text_citation_param

    from .test_fields import by_type

    for response, param in (
        (text_citation.TextCitation, text_citation_param.TextCitationParam),
        (beta.beta_text_citation.BetaTextCitation, beta.beta_text_citation_param.BetaTextCitationParam),
    ):
        sent = by_type(param)
        added = {tag: fields - sent[tag] for tag, fields in by_type(response).items()}
        assert {tag: fields for tag, fields in added.items() if fields} == CITATION_RESPONSE_FIELDS


@pytest.mark.skipif(not corpus.available(), reason="corpus not found")
def test_real_responses_sent_back_have_no_unknown_citation_field() -> None:
    """Every recorded response (and stream) appended and checked: its citations are as the API
    wrote them, so none of their fields is unknown."""
    replies: list[Any] = [r.raw for r in corpus.responses()]
    replies += [convo.accumulate(s.raw) for s in corpus.streams() if not s.malformed and not s.multi]
    cited = 0
    for reply in replies:
        try:
            conv = convo.Conversation().user("Hi").reply(reply, refusal="keep", truncated="drop")
        except convo.ConvoError:
            continue  # a deferred server result, or a turn this test is not about
        cited += conv.to_json().count(b'"citations":[{')
        assert [p for p in conv.check().warnings if "/citations/" in p.path] == []
    assert cited
