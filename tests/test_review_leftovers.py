"""What the last review left: rules read on the merged turns, and paths that depend on how the
input was given."""

from __future__ import annotations

from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convo
from convo import Message
from convo._blocks import Role
from convo._fields import CITATION_RESPONSE_FIELDS
from convo.testing import wire_conversations

from . import corpus
from .test_properties import _SOUP, _validate

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


CALL = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
ANSWER = [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "4"}]
NO_ROLE = [
    HI,
    {"role": "assistant", "content": [CALL]},
    {"content": ANSWER},
    {"role": "assistant", "content": "It is 4."},
    {"role": "user", "content": "Thanks."},
]


def test_an_invalid_role_leaves_the_tool_loop_around_it_unjudged() -> None:
    """api-rules §1.1: the role is a 400, reported as role-invalid. Whether the message was the
    user turn answering the call (§3.1) is unknown, so neither the call nor the results after it
    are reported, nor a system message after it as standing inside the loop (§1.3); whichever
    reader reads it (an unknown field sends it to the step-by-step one)."""
    system = {"role": "system", "content": "Be brief."}
    for messages in (NO_ROLE, [*NO_ROLE[:3], system, *NO_ROLE[3:]]):
        for invalid in ({}, {"role": "tool"}, {"role": "tool", "zz": 1}):
            sent = [{**m, **invalid} if i == 2 else m for i, m in enumerate(messages)]
            for model in (None, "claude-opus-4-8"):
                errors = convo.check(sent, model=model).errors
                assert [(p.code, p.path) for p in errors] == [("role-invalid", "/messages/2/role")]


def test_the_user_turn_after_an_invalid_role_is_still_checked_for_what_holds_anyway() -> None:
    """Results after text are out of order whatever came before (§3.3), and pairing is judged
    again from the next assistant turn on (§3.2)."""
    late = [
        HI,
        {"role": "tool", "content": [CALL]},
        {"role": "user", "content": [{"type": "text", "text": "Hm."}, *ANSWER]},
    ]
    assert _pairs(convo.check(late)) == [
        ("role-invalid", "/messages/1/role"),
        ("tool-result-not-first", "/messages/2/content/1"),
    ]
    orphan = [
        HI,
        {"role": "tool", "content": "?"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": ANSWER},
    ]
    assert _pairs(convo.check(orphan)) == [
        ("role-invalid", "/messages/1/role"),
        ("tool-result-orphan", "/messages/3/content/0"),
    ]
    twice = [HI, {"role": "assistant", "content": [CALL]}, {"role": "tool", "content": [CALL]}]
    assert _pairs(convo.check(twice)) == [
        ("role-invalid", "/messages/2/role"),
        ("tool-use-id-duplicate", "/messages/2/content/0/id"),
    ]


@settings(max_examples=max(20, settings().max_examples))
@given(
    wire_conversations(server_tools=st.booleans(), system_messages=st.booleans()),
    st.data(),
    st.sampled_from([None, "claude-sonnet-4-5", "claude-opus-4-8"]),
)
def test_an_invalid_role_adds_no_error_but_its_own(
    wire: dict[str, Any], data: st.DataObject, model: str | None
) -> None:
    """Any message of a conversation given an invalid role: nothing guessed from it is reported."""
    messages = [dict(m) for m in wire["messages"]]
    i = data.draw(st.integers(0, len(messages) - 1))
    messages[i]["role"] = data.draw(st.sampled_from(["tool", "model", None]))
    before = {p.code for p in convo.check(wire, model=model).errors}
    after = convo.check({**wire, "messages": messages}, model=model).errors
    assert {p.code for p in after} - before == {"role-invalid"}


@settings(max_examples=10 * settings().max_examples)
@given(_SOUP, st.data(), st.integers(min_value=0))
def test_feed_all_is_feed_with_invalid_roles(
    messages: list[Message], data: st.DataObject, split: int
) -> None:
    """feed_all's fast path stays feed's equal when invalid roles are among the messages."""
    for i in data.draw(st.sets(st.integers(0, max(len(messages) - 1, 0)), max_size=2)):
        if i < len(messages):
            m = messages[i]
            messages[i] = Message._from_wire(cast(Role, "tool"), m.content, m.to_json())
    assert _validate(messages, split % (len(messages) + 1)) == _validate(messages, len(messages))


@pytest.mark.parametrize(
    ("python", "text", "path"),
    [
        ({"messages": float("inf")}, b'{"messages": 1e999}', "/messages"),
        ({"messages": {"a": -float("inf")}}, b'{"messages": {"a": -1e999}}', "/messages/a"),
        (
            {"model": "m", "messages": [1, float("inf")]},
            b'{"model": "m", "messages": [1, 1e999]}',
            "/messages/1",
        ),
    ],
)
def test_messages_that_cannot_be_read_are_unreadable_however_given(
    python: object, text: bytes, path: str
) -> None:
    """docs/rules.md input-unreadable: a number JSON allows but Python cannot hold refuses the
    whole input, at its own path; in JSON text as in Python data, also where an array should be."""
    for data in (python, text):
        assert [(p.code, p.path) for p in convo.check(data).problems] == [("input-unreadable", path)]
        with pytest.raises(convo.InputError) as info:
            convo.Conversation.from_wire(data)
        assert info.value.path == path


NAN_CALL = {
    "role": "assistant",
    "content": [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"x": float("nan")}}],
}


def test_a_lone_message_in_python_data_is_the_first_of_the_bodys_messages() -> None:
    """DESIGN: paths start at the request-body root, a bare messages array's at /messages. One
    message alone is read as the body's first message, as JSON text or as a dict."""
    path = "/messages/0/content/0/input/x"
    assert _pairs(convo.check(NAN_CALL)) == [("input-unreadable", path)]
    with pytest.raises(convo.InputError) as info:
        convo.Conversation.from_wire(NAN_CALL)
    assert info.value.path == path
    text = b'{"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"x": 1e999}}]}'
    assert [p.path for p in convo.check(text).problems] == [path]


def test_a_message_appended_as_a_dict_is_named_by_its_place_in_the_conversation() -> None:
    """append (and user, assistant, tool_results, which append) reports every problem of the new
    message at /messages/N, the unreadable value as the problems the validator finds."""
    conv = convo.Conversation().user("Hi")
    with pytest.raises(
        convo.InvalidArgument, match=r"^/messages/1/content/0/input/x: nan is not a JSON number"
    ):
        conv.append(NAN_CALL)
    with pytest.raises(convo.InvalidArgument, match=r"^/messages/1/content/0/input/x: nan"):
        conv.assistant(NAN_CALL["content"])
    with pytest.raises(convo.ValidationError) as info:
        conv.append({"role": "assistant", "content": [{"type": "text", "text": ""}]})
    assert [p.path for p in info.value.errors] == ["/messages/1/content/0/text"]


LONE = "a\ud800b"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ([{"role": "user", "content": [{"type": "text", "text": LONE}]}], "/messages/0/content/0/text"),
        ({"messages": [HI], "system": LONE}, "/system"),
        ({"role": "user", "content": LONE}, "/messages/0/content"),
        (
            [HI, {"role": "assistant", "content": [{**CALL, "input": {"q": [LONE]}}]}],
            "/messages/1/content/0/input/q/0",
        ),
        ([{"role": "user", "content": "Hi", LONE: 1}], "/messages/0"),  # a key: its object
        ([{"role": "user", "content": [convo.TextBlock(text=LONE)]}], "/messages/0/content/0/text"),
    ],
)
def test_a_lone_surrogate_in_python_data_is_named_where_it_is(data: object, path: str) -> None:
    """DESIGN: every problem has a JSON Pointer from the request-body root. Text UTF-8 cannot
    hold (and so neither JSON nor the API) is refused where it is, as NaN is, not at ``""``."""
    assert [(p.code, p.path) for p in convo.check(data).problems] == [("input-unreadable", path)]
    assert "not valid Unicode text: surrogates not allowed" in convo.check(data).errors[0].message
    with pytest.raises(convo.InputError) as info:
        convo.Conversation.from_wire(data)
    assert info.value.path == path


def test_a_lone_surrogate_appended_as_data_is_named_by_its_place() -> None:
    with pytest.raises(convo.InvalidArgument, match=r"^/messages/1/content/0/text: not valid Unicode text"):
        convo.Conversation().user("Hi").append(
            {"role": "assistant", "content": [{"type": "text", "text": LONE}]}
        )
