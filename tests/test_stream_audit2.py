"""Second audit of streaming accumulation and ``reply()``: each test fails without its fix."""

from __future__ import annotations

import json
from typing import Any

import pytest

import convo

from .test_stream import START, block_start, delta, sdk_client, sse

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
