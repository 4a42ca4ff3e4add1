"""Second audit of streaming accumulation and ``reply()``: each test fails without its fix."""

from __future__ import annotations

import json
from typing import Any

import pytest

import convo

from .test_stream import START, STOP, block_start, block_stop, delta, message_delta, sdk_client, sse

pytest.importorskip("anthropic")

HEAD = sse(START, block_start(0, {"type": "text", "text": ""}), delta(0, type="text_delta", text="Hi"))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            b'{"error":{"type":"overloaded_error","message":"Overloaded"}}',
            {"type": "overloaded_error", "message": "Overloaded"},
        ),
        (
            b'{"type":"overloaded_error","message":"Overloaded"}',
            {"type": "overloaded_error", "message": "Overloaded"},
        ),
        (
            b'{"type":"error","error":"Overloaded"}',
            {"type": None, "message": '{"type":"error","error":"Overloaded"}'},
        ),
    ],
)
def test_an_error_event_in_a_proxys_shape_is_still_an_error_event(data: bytes, error: dict[str, Any]) -> None:
    """docs/streaming.md: an ``error`` event raises ``StreamErrorEvent``, as the SDK raises
    ``APIStatusError`` for it whatever its data holds; it was a plain ``StreamError`` (a broken
    stream) when the data was JSON without the API's ``{"type": "error", "error": {...}}`` shape."""
    import anthropic

    body = HEAD + b"event: error\ndata: " + data + b"\n\n"
    with pytest.raises(anthropic.APIStatusError):
        for _ in sdk_client(body).messages.create(
            model="claude-opus-4-8", max_tokens=8, messages=[], stream=True
        ):
            pass
    with pytest.raises(convo.StreamErrorEvent) as info:
        convo.accumulate(body)
    assert (info.value.error, info.value.index) == (error, 3)
    if b'"type":"error"' in data:  # the same event given as an event object
        with pytest.raises(convo.StreamErrorEvent) as info:
            convo.accumulate([START, json.loads(data)])
        assert info.value.error == error


@pytest.mark.parametrize("citation", [{}, {"citation": None}, {"citation": "doc 1"}, {"citation": [1]}])
def test_a_citations_delta_without_a_citation_object_is_a_stream_error(citation: dict[str, Any]) -> None:
    """A citation is an object (api-rules §2.5, the SDK's ``CitationsDelta.citation``); one that is
    missing or not an object made ``citations: [null]``, which ``reply()`` appended and ``check()``
    passed, for the API to reject."""
    text = block_start(0, {"type": "text", "text": "", "citations": None})
    body = sse(
        START,
        text,
        delta(0, type="citations_delta", **citation),
        block_stop(0),
        message_delta("end_turn"),
        STOP,
    )
    with pytest.raises(convo.StreamError, match="event 2: citations_delta without a 'citation' object"):
        convo.accumulate(body)


def test_a_citations_delta_appends_its_citation() -> None:
    cite = {
        "type": "char_location",
        "cited_text": "a",
        "document_index": 0,
        "start_char_index": 0,
        "end_char_index": 1,
    }
    text = block_start(0, {"type": "text", "text": "", "citations": None})
    body = sse(
        START,
        text,
        delta(0, type="citations_delta", citation=cite),
        block_stop(0),
        message_delta("end_turn"),
        STOP,
    )
    assert convo.accumulate(body).to_dict()["content"] == [{"type": "text", "text": "", "citations": [cite]}]


@pytest.mark.parametrize("stop_reason", ["max_tokens", "model_context_window_exceeded", "refusal"])
def test_only_the_last_block_of_a_cut_off_response_is_read_partially(stop_reason: str) -> None:
    """The output stops once, so only its last block can be cut off (docs/streaming.md): a tool
    call followed by another block had its input read partially, and ``reply()`` appended
    ``{"cmd": "rm -rf /tmp/x"}`` for ``{"cmd": "rm -rf /tmp/x", "dry_run": tr`` as a call to run."""
    call = block_start(0, {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}})
    cut = delta(0, type="input_json_delta", partial_json='{"cmd": "rm -rf /tmp/x", "dry_run": tr')
    text = [block_start(1, {"type": "text", "text": ""}), delta(1, type="text_delta", text="Done")]
    end = [message_delta(stop_reason), STOP]
    with pytest.raises(
        convo.StreamError, match="event 2: tool input is not valid JSON, and the response was not"
    ):
        convo.accumulate(sse(START, call, cut, block_stop(0), *text, *end))
    last = convo.accumulate(sse(START, call, cut, *end))  # the block the output stopped in
    assert last.to_dict()["content"][0]["input"] == {"cmd": "rm -rf /tmp/x"}
    assert last.truncated_tool_use is not None
