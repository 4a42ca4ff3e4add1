"""Streams in: every corpus stream accumulates to what the anthropic SDK accumulates, and appends.

The reference is the SDK's own accumulator (``anthropic.lib.streaming._beta_messages
.accumulate_event``, what ``client.beta.messages.stream()`` runs; the non-beta one is the same
minus compaction, fallback and context-management support) fed by the SDK's own SSE decoder, as
``MessageStream`` does.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import convo
from convo import Accumulator, Conversation, StreamError, StreamErrorEvent, accumulate, accumulate_all

from . import corpus

anthropic = pytest.importorskip("anthropic")

from anthropic._models import construct_type  # noqa: E402
from anthropic._streaming import SSEDecoder  # noqa: E402
from anthropic.lib.streaming import _messages as sdk_non_beta  # noqa: E402
from anthropic.lib.streaming._beta_messages import accumulate_event  # noqa: E402
from anthropic.types.beta import BetaRawMessageStreamEvent  # noqa: E402

STREAMS = corpus.streams()
GOOD = [s for s in STREAMS if not s.malformed]
MALFORMED = [s for s in STREAMS if s.malformed]
needs_corpus = pytest.mark.skipif(not corpus.available(), reason="corpus not found")


def sdk_events(raw: bytes) -> Iterator[dict[str, Any]]:
    """The event dicts the SDK's ``Stream`` yields for SSE bytes (ping skipped, as it skips them)."""
    for sse in SSEDecoder().iter_bytes(iter([raw])):
        if sse.event in ("ping", None) or not sse.data:
            continue
        assert sse.event != "error"
        yield sse.json()


def sdk_messages(raw: bytes, *, beta: bool = True) -> list[dict[str, Any]]:
    """What the SDK accumulates, one message per message_start ... message_stop, as JSON data
    (``beta=False``: what the non-beta ``client.messages.stream()`` accumulates)."""
    done: list[Any] = []
    snapshot: Any = None
    bufs: dict[int, bytes] = {}
    for event in sdk_events(raw):
        if event["type"] == "message_start" and snapshot is not None:
            done.append(snapshot)
            snapshot, bufs = None, {}
        if beta:
            snapshot = accumulate_event(
                event=event, current_snapshot=snapshot, json_bufs=bufs, request_headers=None
            )  # type: ignore[arg-type]
        else:
            snapshot = sdk_non_beta.accumulate_event(event=event, current_snapshot=snapshot, json_bufs=bufs)  # type: ignore[arg-type]
    done.append(snapshot)
    return [m.to_dict(mode="json", warnings=False) for m in done]


PARAMS: Any = {"model": "claude-opus-4-8", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}


def sdk_client(body: bytes, *, asynchronous: bool = False) -> Any:
    """A real ``anthropic.Anthropic`` (or ``AsyncAnthropic``) whose every response is the SSE ``body``."""
    httpx2 = pytest.importorskip("httpx2")
    transport = httpx2.MockTransport(
        lambda request: httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    )
    if asynchronous:
        return anthropic.AsyncAnthropic(
            api_key="test", http_client=httpx2.AsyncClient(transport=transport), max_retries=0
        )
    return anthropic.Anthropic(api_key="test", http_client=httpx2.Client(transport=transport), max_retries=0)


def ids(stream: corpus.Stream) -> str:
    return stream.id


# -- the corpus ------------------------------------------------------------------------------------


def test_the_corpus_has_the_streams_this_file_is_about() -> None:
    if not corpus.available():
        pytest.skip("corpus not found")
    assert len(GOOD) >= 80 and len(MALFORMED) >= 2
    assert sum(s.multi for s in GOOD) >= 5


@needs_corpus
@pytest.mark.parametrize("stream", GOOD, ids=ids)
def test_every_stream_accumulates_to_what_the_sdk_accumulates(stream: corpus.Stream) -> None:
    replies = accumulate_all(stream.raw)
    assert [r.to_dict() for r in replies] == sdk_messages(stream.raw)
    if not stream.multi:
        assert accumulate(stream.raw) == replies[0]


@needs_corpus
@pytest.mark.parametrize("stream", GOOD, ids=ids)
def test_every_accumulated_message_appends_to_a_conversation(stream: corpus.Stream) -> None:
    """Each reply joins a conversation; a file of several is one agent loop, replayed in order."""
    conv = Conversation().user("Hi")
    for reply in accumulate_all(stream.raw):
        if conv.pending_tool_uses:
            conv = conv.tool_results({use.id: "ok" for use in conv.pending_tool_uses})
        before = len(conv)
        conv = conv.reply(reply, refusal="keep", truncated="drop")
        if not reply.empty:
            assert len(conv) == before + 1
    assert conv.check().errors == ()


@needs_corpus
@pytest.mark.parametrize("stream", GOOD, ids=ids)
def test_chunking_events_and_sdk_objects_give_the_same_message(stream: corpus.Stream) -> None:
    expected = accumulate_all(stream.raw)
    rng = random.Random(stream.id)
    raw = stream.raw
    cuts = sorted(rng.sample(range(1, len(raw)), min(40, len(raw) - 1)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    assert accumulate_all(chunks) == expected
    assert accumulate_all(raw.replace(b"\n", b"\r\n")) == expected
    assert accumulate_all(raw.decode("utf-8")) == expected
    # corpus._sse_events keeps a final event that lacks its blank line (the SDK's decoder drops it).
    events = [json.loads(data) for _, data in corpus._sse_events(raw)]
    assert accumulate_all(events) == expected
    objects = [construct_type(type_=BetaRawMessageStreamEvent, value=e) for e in events]
    # SDK objects dump their fields in model order, not wire order: equal as JSON data.
    assert [r.to_dict() for r in accumulate_all(objects)] == [r.to_dict() for r in expected]


@needs_corpus
@pytest.mark.parametrize("stream", MALFORMED, ids=ids)
def test_malformed_streams_raise_a_stream_error_at_the_event(stream: corpus.Stream) -> None:
    problems = corpus.stream_problems(stream.raw)
    with pytest.raises(StreamError) as info:
        accumulate_all(stream.raw)
    assert isinstance(info.value, convo.ConvoError) and isinstance(info.value, ValueError)
    assert problems and problems[0].startswith(f"event {info.value.index}:")
    assert str(info.value).startswith(f"event {info.value.index}: message_start inside the message")
    with pytest.raises(StreamError):
        accumulate(stream.raw)


@needs_corpus
@pytest.mark.parametrize("stream", [s for s in GOOD if not s.multi][:40], ids=ids)
def test_a_stream_cut_anywhere_before_message_stop_is_truncated(stream: corpus.Stream) -> None:
    raw = stream.raw
    stop = raw.rindex(b"message_stop")
    rng = random.Random(stream.id)
    for cut in {0, stop - 30, *rng.sample(range(stop - 30), min(5, stop - 30))}:
        with pytest.raises(StreamError, match=r"cut off|no message|not a JSON object|not JSON|open"):
            accumulate(raw[:cut])


@needs_corpus
def test_a_file_of_several_responses_needs_accumulate_all() -> None:
    multi = next(s for s in GOOD if s.multi)
    with pytest.raises(StreamError, match=r"accumulate_all\(\)") as info:
        accumulate(multi.raw)
    assert info.value.index > 0
    assert len(accumulate_all(multi.raw)) > 1


@needs_corpus
def test_a_stream_fed_one_byte_at_a_time_gives_the_same_message() -> None:
    stream = max(GOOD, key=lambda s: len(s.raw) if len(s.raw) < 200_000 else 0)
    raw = b"\xef\xbb\xbf" + stream.raw.replace(b"\n", b"\r\n")
    assert accumulate_all([raw[i : i + 1] for i in range(len(raw))]) == accumulate_all(stream.raw)


def test_a_long_line_in_many_small_chunks_is_read_whole() -> None:
    """A line that arrives in many chunks is searched for its end once, not once per chunk
    (a 1.2 MB line in 64-byte chunks was copied whole at each chunk: 11 GB in all)."""
    text = "é" * 200_000
    raw = sse(
        START, block_start(0, {"type": "text", "text": text}), block_stop(0), message_delta("end_turn"), STOP
    )
    reply = accumulate([raw[i : i + 64] for i in range(0, len(raw), 64)])
    assert reply.message is not None and reply.message.content[0] == convo.TextBlock(text=text)


# -- hand-written streams --------------------------------------------------------------------------


def sse(*events: dict[str, Any]) -> bytes:
    return b"".join(
        b"event: " + e["type"].encode() + b"\ndata: " + json.dumps(e).encode() + b"\n\n" for e in events
    )


START = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    },
}
STOP = {"type": "message_stop"}


def block_start(index: int, block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": block}


def delta(index: int, **d: Any) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": d}


def block_stop(index: int) -> dict[str, Any]:
    return {"type": "content_block_stop", "index": index}


def message_delta(stop_reason: str, **usage: Any) -> dict[str, Any]:
    return {
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason, "stop_sequence": None},
        "usage": usage,
    }


def tool_stream(*parts: str, stop_reason: str = "tool_use", close: bool = True) -> bytes:
    events = [START, block_start(0, {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}})]
    events += [delta(0, type="input_json_delta", partial_json=p) for p in parts]
    if close:
        events.append(block_stop(0))
    return sse(*events, message_delta(stop_reason, output_tokens=9), STOP)


def test_tool_input_keeps_the_streamed_json_exactly() -> None:
    reply = accumulate(tool_stream("", '{"z": 1.50, ', '"a": [1e3, "\\u00e9"]}'))
    assert reply.message is not None
    assert b'"input":{"z":1.50,"a":[1e3,"\\u00e9"]}' in reply.message.to_json()
    assert reply.tool_uses[0].input == {"z": 1.5, "a": [1000.0, "é"]}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (['{"a": 12'], {"a": 12}),
        (['{"a": "x'], {}),
        (['{"a": 1, "b": tr'], {"a": 1}),
        (['{"a": [1, 2, {"b": [', '"c"'], {"a": [1, 2, {"b": ["c"]}]}),
        (['{"a": "x\\'], {}),
        (['{"a": 1.'], {}),
        (['{"a": nul'], {}),
        (['{"a": ["x", '], {"a": ["x"]}),
        (['{"a'], {}),
    ],
)
def test_input_cut_off_by_max_tokens_reads_as_the_sdk_reads_it(parts: list[str], expected: Any) -> None:
    raw = tool_stream(*parts, stop_reason="max_tokens", close=False)
    reply = accumulate(raw)
    assert reply.tool_uses[0].input == expected
    assert reply.to_dict() == sdk_messages(raw)[0]
    assert reply.truncated_tool_use is not None
    with pytest.raises(convo.ToolUseTruncated):
        Conversation().user("Go").reply(reply)


def test_bad_tool_json_is_a_stream_error() -> None:
    for parts in ('{"a": }', '{"a": 1} x'):
        with pytest.raises(StreamError, match="not valid JSON, and the response was not cut off"):
            accumulate(tool_stream(parts))
    with pytest.raises(StreamError, match="tool input is not JSON"):
        accumulate(tool_stream('{"a": }', stop_reason="max_tokens"))
    with pytest.raises(StreamError, match="text after its JSON"):
        accumulate(tool_stream('{"a": 1} x', stop_reason="max_tokens"))


@pytest.mark.parametrize("close", [True, False])
def test_input_that_ends_early_without_a_limit_is_an_error_not_a_shorter_input(close: bool) -> None:
    """Only a response cut off at a limit may end mid-input; otherwise dropping the unfinished
    part would quietly run the tool with less than the model asked for."""
    cut = '{"cmd": "rm -rf /tmp/x", "dry_run": tr'
    for stop in ("tool_use", "end_turn"):
        with pytest.raises(StreamError, match=r"not cut off|still open"):
            accumulate(tool_stream(cut, stop_reason=stop, close=close))
    reply = accumulate(tool_stream(cut, stop_reason="model_context_window_exceeded", close=close))
    assert reply.cut_off and reply.truncated_tool_use is not None
    with pytest.raises(convo.ToolUseTruncated, match="model_context_window_exceeded cut off"):
        Conversation().user("Go").reply(reply)


def test_where_convo_and_the_sdks_accumulators_differ_is_what_the_docs_list() -> None:
    """docs/streaming.md lists what each SDK accumulator drops that convo keeps; this holds the list."""
    start = json.loads(json.dumps(START))
    start["message"]["usage"]["cache_creation"] = {
        "ephemeral_5m_input_tokens": 0,
        "ephemeral_1h_input_tokens": 0,
    }
    raw = sse(
        start,
        block_start(
            0, {"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "echo", "server_name": "s", "input": {}}
        ),
        delta(0, type="input_json_delta", partial_json='{"message": "hello"}'),
        block_stop(0),
        block_start(1, {"type": "compaction", "content": None}),
        delta(1, type="compaction_delta", content="summary", encrypted_content="enc"),
        block_stop(1),
        block_start(2, {"type": "fallback", "to": {"model": "claude-sonnet-4-6"}}),
        block_stop(2),
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "context_management": {"applied_edits": []},
            "input_transformations": [{"type": "x"}],
            "usage": {
                "output_tokens": 7,
                "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 0},
                "iterations": [{"type": "message", "input_tokens": 10, "output_tokens": 7}],
                "fallback_credit": {"type": "x"},
            },
        },
        STOP,
    )
    mine = accumulate(raw).to_dict()

    def differences(sdk: dict[str, Any]) -> set[str]:
        found = {
            k for k in mine.keys() | sdk.keys() if k not in ("content", "usage") and mine.get(k) != sdk.get(k)
        }
        found |= {mine["content"][i]["type"] for i in range(3) if mine["content"][i] != sdk["content"][i]}
        found |= {
            f"usage.{k}"
            for k in mine["usage"].keys() | sdk["usage"].keys()
            if mine["usage"].get(k) != sdk["usage"].get(k)
        }
        return found

    assert differences(sdk_messages(raw)[0]) == {"usage.cache_creation"}
    assert differences(sdk_messages(raw, beta=False)[0]) == {
        "mcp_tool_use",
        "compaction",
        "model",
        "context_management",
        "input_transformations",
        "usage.cache_creation",
        "usage.iterations",
        "usage.fallback_credit",
    }


def test_thinking_signature_citations_and_compaction_deltas() -> None:
    citation = {"type": "char_location", "cited_text": "x", "document_index": 0, "start_char_index": 0}
    raw = sse(
        START,
        block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        delta(0, type="thinking_delta", thinking="Hmm, "),
        delta(0, type="thinking_delta", thinking="yes."),
        delta(0, type="signature_delta", signature="c2ln"),
        block_stop(0),
        block_start(1, {"type": "text", "text": ""}),
        delta(1, type="text_delta", text="It is "),
        delta(1, type="citations_delta", citation=citation),
        delta(1, type="text_delta", text="so."),
        delta(1, type="citations_delta", citation=citation),
        block_stop(1),
        block_start(2, {"type": "compaction", "content": None}),
        delta(2, type="compaction_delta", content="summary", encrypted_content="enc"),
        block_stop(2),
        message_delta("end_turn", output_tokens=20, cache_read_input_tokens=3),
        STOP,
    )
    reply = accumulate(raw)
    assert reply.to_dict() == sdk_messages(raw)[0]
    assert reply.to_dict()["content"] == [
        {"type": "thinking", "thinking": "Hmm, yes.", "signature": "c2ln"},
        {"type": "text", "text": "It is so.", "citations": [citation, citation]},
        {"type": "compaction", "content": "summary", "encrypted_content": "enc"},
    ]
    assert reply.usage == {"input_tokens": 10, "output_tokens": 20, "cache_read_input_tokens": 3}


def test_server_tool_blocks_and_refusal_details() -> None:
    details = {"type": "refusal", "category": "cyber", "explanation": "no"}
    raw = sse(
        START,
        block_start(0, {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}),
        delta(0, type="input_json_delta", partial_json='{"query": "x"}'),
        block_stop(0),
        block_start(1, {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}),
        block_stop(1),
        {
            "type": "message_delta",
            "delta": {"stop_reason": "refusal", "stop_details": details},
            "usage": {"output_tokens": 4},
        },
        STOP,
    )
    reply = accumulate(raw)
    assert reply.to_dict() == sdk_messages(raw)[0]
    assert reply.refused and reply.stop_details == details
    with pytest.raises(convo.Refused):
        Conversation().user("x").reply(reply)


def test_pings_comments_padding_and_a_final_event_without_its_blank_line() -> None:
    raw = (
        b': a comment\n\nevent: ping\ndata: {"type": "ping"}\n\n'
        + sse(START, block_start(0, {"type": "text", "text": ""}))
        + b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}     \n\n'
        + sse(block_stop(0), message_delta("end_turn", output_tokens=2))
        + b'event: message_stop\ndata: {"type":"message_stop"}'
    )
    assert (
        accumulate(raw).message.to_json() == b'{"role":"assistant","content":[{"type":"text","text":"Hi"}]}'
    )  # type: ignore[union-attr]


def test_an_error_event_raises_with_its_type_and_index() -> None:
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    raw = sse(START, {"type": "ping"}, error)
    with pytest.raises(StreamErrorEvent) as info:
        accumulate(raw)
    assert info.value.index == 2
    assert info.value.error_type == "overloaded_error"
    assert info.value.error == error["error"]
    assert str(info.value) == "event 2: the API sent an error: overloaded_error: Overloaded"
    assert isinstance(info.value, StreamError)


@pytest.mark.parametrize(
    ("events", "index", "message"),
    [
        ([], 0, "no message"),
        ([block_start(0, {"type": "text", "text": ""})], 0, "before message_start"),
        ([START, block_start(1, {"type": "text", "text": ""})], 1, "expected block 0"),
        ([START, delta(0, type="text_delta", text="x")], 1, "never started"),
        ([START, block_start(0, {"type": "text", "text": ""}), block_stop(0), block_stop(0)], 3, "not open"),
        (
            [
                START,
                block_start(0, {"type": "text", "text": ""}),
                delta(0, type="thinking_delta", thinking="x"),
            ],
            2,
            "thinking_delta for a text block",
        ),
        (
            [
                START,
                block_start(0, {"type": "text", "text": ""}),
                delta(0, type="input_json_delta", partial_json="{"),
            ],
            2,
            "input_json_delta for a text block",
        ),
        (
            [
                START,
                block_start(0, {"type": "tool_use", "id": "t", "name": "f", "input": {}}),
                delta(0, type="text_delta", text="x"),
            ],
            2,
            "text_delta for a tool_use block",
        ),
        (
            [
                START,
                block_start(0, {"type": "text", "text": ""}),
                block_start(True, {"type": "text", "text": ""}),
            ],
            2,
            "content_block_start for block True, expected block 1",
        ),
        ([START, block_start(0.0, {"type": "text", "text": ""})], 1, "for block 0.0, expected block 0"),  # type: ignore[arg-type]
        ([START, block_start(0, {"type": "text", "text": ""}), STOP], 2, "still open"),
        ([START, STOP, block_stop(0)], 2, "after message_stop"),
        ([START, START], 1, "duplicated or spliced"),
        (
            [START, block_start(0, {"type": "text", "text": ""}), delta(0, type="text_delta")],
            2,
            "without a 'text' string",
        ),
        ([{"type": "message_start", "message": {"id": "m"}}], 0, "holding 'content'"),
        ([{"no": "type"}], 0, "no 'type'"),
    ],
)
def test_grammar_breaks_name_the_event(events: list[dict[str, Any]], index: int, message: str) -> None:
    with pytest.raises(StreamError, match=message) as info:
        accumulate(sse(*events) if all("type" in e for e in events) else events)
    assert info.value.index == index


@pytest.mark.parametrize("stop_reason", [[], {"a": 1}, ["max_tokens"], 5])
def test_a_stop_reason_that_is_not_a_string_is_a_stream_error(stop_reason: Any) -> None:
    """Not a TypeError from hashing it: a broken stream, at the event that carries it."""
    text = [
        block_start(0, {"type": "text", "text": ""}),
        delta(0, type="text_delta", text="Hi"),
        block_stop(0),
    ]
    in_delta = message_delta("end_turn", output_tokens=1)
    in_delta["delta"]["stop_reason"] = stop_reason
    with pytest.raises(StreamError, match="stop_reason is not a string") as info:
        accumulate(sse(START, *text, in_delta, STOP))
    assert info.value.index == 4
    start = json.loads(json.dumps(START))
    start["message"]["stop_reason"] = stop_reason
    with pytest.raises(StreamError, match="stop_reason is not a string") as info:
        accumulate(sse(start, *text, STOP))
    assert info.value.index == 0


def test_framing_errors() -> None:
    with pytest.raises(StreamError, match="differs from the data's type"):
        accumulate(b'event: message_start\ndata: {"type":"message_stop"}\n\n')
    with pytest.raises(StreamError, match="not a JSON object"):
        accumulate(b"event: message_start\ndata: {oops\n\n")
    with pytest.raises(StreamError, match="not a stream event"):
        accumulate([object()])
    with pytest.raises(StreamError, match="UTF-8") as info:
        accumulate(b'event: ping\ndata: {"type": "ping"}\n\nevent: message_start\ndata: \xff\n\n')
    assert info.value.index == 1


def test_an_error_event_reaches_the_user_as_the_sdk_raises_it() -> None:
    """docs/streaming.md: SSE bytes and event dicts give ``convo.StreamErrorEvent``; an SDK stream
    raises ``anthropic.APIStatusError`` itself on ``event: error``, before convo sees the event."""
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    events = [
        START,
        block_start(0, {"type": "text", "text": ""}),
        delta(0, type="text_delta", text="Hi"),
        error,
    ]
    body = sse(*events)
    for stream in (body, events):
        with pytest.raises(StreamErrorEvent) as info:
            accumulate(stream)
        assert info.value.error_type == "overloaded_error"
    client = sdk_client(body)
    with client.messages.with_streaming_response.create(**PARAMS, stream=True) as response:
        with pytest.raises(StreamErrorEvent):
            accumulate(response.iter_bytes())
    with pytest.raises(anthropic.APIStatusError) as created:
        accumulate(client.messages.create(**PARAMS, stream=True))
    with pytest.raises(anthropic.APIStatusError) as managed, client.messages.stream(**PARAMS) as stream:
        accumulate(stream)
    for info in (created, managed):
        assert not isinstance(info.value, convo.ConvoError)
        assert (info.value.type, info.value.status_code) == ("overloaded_error", 200)

    async def read_async() -> None:
        async_client = sdk_client(body, asynchronous=True)
        with pytest.raises(anthropic.APIStatusError):
            await convo.accumulate_async(await async_client.messages.create(**PARAMS, stream=True))
        with pytest.raises(anthropic.APIStatusError):
            async with async_client.messages.stream(**PARAMS) as stream:
                await convo.accumulate_async(stream)

    asyncio.run(read_async())


def test_events_the_sdk_skips_are_skipped() -> None:
    """The SDK's ``Stream`` skips, without reading it, an event with no ``event:`` line (a proxy's
    ``data: [DONE]``, a keep-alive) and one with empty data; convo reads what it reads."""
    head = sse(START, block_start(0, {"type": "text", "text": ""}), delta(0, type="text_delta", text="Hi"))
    tail = sse(block_stop(0), message_delta("end_turn", output_tokens=1), STOP)
    body = head + b"data: keep-alive\n\nevent: content_block_delta\ndata:\n\n" + tail + b"data: [DONE]\n\n"
    reply = accumulate(body)
    assert reply.to_dict()["content"] == [{"type": "text", "text": "Hi"}]
    sdk_final = sdk_client(body).messages.create(**PARAMS, stream=True)
    assert reply.to_dict() == accumulate(sdk_final).to_dict()
    assert accumulate([body[i : i + 3] for i in range(0, len(body), 3)]) == reply
    assert accumulate(b"\xef\xbb\xbf" + body) == reply  # a leading byte order mark is ignored (WHATWG)
    with pytest.raises(
        StreamError, match="events without an 'event:' line were skipped, as the SDK skips them"
    ):
        accumulate(b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in (START, STOP)))
    with pytest.raises(StreamErrorEvent) as info:  # the SDK raises on an error event with no data too
        accumulate(head + b"event: error\n\n")
    assert info.value.index == 3


def test_a_ping_is_not_read_and_a_plain_text_error_is_still_an_error_event() -> None:
    """The SDK skips pings without reading their data; a proxy may send an error as text."""
    pings = b"event: ping\ndata:\n\nevent: ping\ndata: keepalive\n\n"
    raw = sse(START, block_start(0, {"type": "text", "text": ""}), delta(0, type="text_delta", text="Hi"))
    ok = raw + pings + sse(block_stop(0), message_delta("end_turn", output_tokens=1), STOP)
    assert accumulate(ok).to_dict()["content"] == [{"type": "text", "text": "Hi"}]
    with pytest.raises(convo.StreamErrorEvent, match="upstream connect error") as info:
        accumulate(raw + b"event: error\ndata: upstream connect error\n\n")
    assert info.value.error == {"type": None, "message": "upstream connect error"}


def test_unknown_events_and_deltas_are_ignored_as_the_sdk_ignores_them() -> None:
    raw = sse(
        START,
        {"type": "future_event", "x": 1},
        block_start(0, {"type": "text", "text": ""}),
        delta(0, type="future_delta", stuff=1),
        delta(0, type="text_delta", text="ok"),
        block_stop(0),
        message_delta("end_turn", output_tokens=1),
        STOP,
    )
    assert accumulate(raw).to_dict() == sdk_messages(raw)[0]


def test_a_future_block_type_takes_each_delta_by_its_meaning() -> None:
    """A block type this release does not know is built as the API sends it unstreamed (the SDK
    leaves it as ``content_block_start`` had it): ``input`` from ``input_json_delta`` exactly as for
    ``tool_use``, text, thinking, signature and citations as for text and thinking blocks."""
    citation = {"type": "char_location", "cited_text": "x", "document_index": 0}
    raw = sse(
        START,
        block_start(0, {"type": "future_tool_use", "id": "ftu_1", "input": {}}),
        delta(0, type="input_json_delta", partial_json='{"z": 1.50, "a"'),
        delta(0, type="input_json_delta", partial_json=": [1e3]}"),
        block_stop(0),
        block_start(1, {"type": "future_text", "text": "A"}),
        delta(1, type="text_delta", text="B"),
        delta(1, type="citations_delta", citation=citation),
        delta(1, type="thinking_delta", thinking="hm"),
        delta(1, type="signature_delta", signature="c2ln"),
        block_stop(1),
        message_delta("end_turn", output_tokens=9),
        STOP,
    )
    reply = accumulate(raw)
    assert reply.message is not None
    assert reply.message.to_json() == (
        b'{"role":"assistant","content":[{"type":"future_tool_use","id":"ftu_1","input":{"z":1.50,"a":[1e3]}},'
        b'{"type":"future_text","text":"AB","thinking":"hm","citations":['
        + json.dumps(citation, separators=(",", ":")).encode()
        + b'],"signature":"c2ln"}]}'
    )
    conv = Conversation().user("Hi").reply(reply)
    assert conv.messages[-1].to_json() == reply.message.to_json()
    cut = accumulate(
        sse(
            START,
            block_start(0, {"type": "future_tool_use", "id": "ftu_1", "input": {}}),
            delta(0, type="input_json_delta", partial_json='{"a": 1, "b": "unfinish'),
            message_delta("max_tokens", output_tokens=9),
            STOP,
        )
    )
    assert cut.to_dict()["content"] == [{"type": "future_tool_use", "id": "ftu_1", "input": {"a": 1}}]


def test_a_message_start_with_content_already_in_it() -> None:
    start = json.loads(json.dumps(START))
    start["message"]["content"] = [{"type": "text", "text": "Hi"}]
    raw = sse(
        start,
        block_start(1, {"type": "text", "text": ""}),
        delta(1, type="text_delta", text="!"),
        block_stop(1),
        STOP,
    )
    assert [b["text"] for b in accumulate(raw).to_dict()["content"]] == ["Hi", "!"]


def test_the_accumulator_feeds_incrementally_and_refuses_input_after_close() -> None:
    raw = tool_stream('{"a": 1}')
    acc = Accumulator()
    for i in range(len(raw)):
        acc.feed(raw[i : i + 1])
        if i < len(raw) - 1:
            assert not acc.replies or i >= raw.rindex(b"message_stop")
    acc.close()
    acc.close()  # idempotent
    assert acc.replies == [accumulate(raw)]
    with pytest.raises(StreamError, match="after the end"):
        acc.feed(b"data: {}\n\n")


def test_accumulate_async() -> None:
    raw = tool_stream('{"a": 1}')

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(raw), 7):
            yield raw[i : i + 7]

    assert asyncio.run(convo.accumulate_async(chunks())) == accumulate(raw)
    stream = chunks()
    with pytest.raises(convo.InvalidArgument, match="read with accumulate_async"):
        convo.accumulate(stream)  # type: ignore[arg-type]
    asyncio.run(stream.aclose())
    with pytest.raises(convo.InvalidArgument, match="cannot read a int as a stream"):
        convo.accumulate_all(42)  # type: ignore[arg-type]


def test_accumulate_async_says_what_to_pass_for_anything_else() -> None:
    body = tool_stream('{"a": 1}')
    expected = accumulate(body).to_dict()  # SDK objects: equal as JSON data
    for wrong in (body, body.decode(), [body], iter([body])):
        with pytest.raises(convo.InvalidArgument, match=r"read with accumulate$"):
            asyncio.run(convo.accumulate_async(wrong))  # type: ignore[arg-type]
    with sdk_client(body).messages.create(**PARAMS, stream=True) as sync_stream:
        with pytest.raises(
            convo.InvalidArgument, match=r"cannot read a Stream as a stream: .* with accumulate$"
        ):
            asyncio.run(convo.accumulate_async(sync_stream))

    async def misuse_then_use(client: Any) -> None:
        manager = client.messages.stream(**PARAMS)
        with pytest.raises(
            convo.InvalidArgument, match=r"AsyncMessageStreamManager .*enter it first \(async with"
        ):
            await convo.accumulate_async(manager)
        async with manager as stream:
            assert (await convo.accumulate_async(stream)).to_dict() == expected
        request = client.messages.create(**PARAMS, stream=True)
        with pytest.raises(
            convo.InvalidArgument, match="cannot read a coroutine as a stream: await it first"
        ):
            await convo.accumulate_async(request)
        assert (await convo.accumulate_async(await request)).to_dict() == expected

    asyncio.run(misuse_then_use(sdk_client(body, asynchronous=True)))
    with pytest.raises(convo.InvalidArgument, match=r"MessageStreamManager .*enter it first \(with"):
        convo.accumulate(sdk_client(body).messages.stream(**PARAMS))


@needs_corpus
@pytest.mark.parametrize("stream", [s for s in GOOD if not s.multi], ids=ids)
def test_the_sdks_message_stream_events_accumulate_to_its_final_message(stream: corpus.Stream) -> None:
    """Through the real client: ``client.beta.messages.stream()`` over a mock transport."""
    # The SDK's SSE decoder drops a final event that lacks its blank line; the API always sends it.
    client = sdk_client(stream.raw if stream.raw.endswith(b"\n\n") else stream.raw + b"\n\n")
    with client.beta.messages.stream(**PARAMS) as sdk_stream:
        events = list(sdk_stream)  # raw events plus the helper events (text, input_json, ...)
        final = sdk_stream.get_final_message()
    assert accumulate(events).to_dict() == final.to_dict(mode="json", warnings=False)
    raw_events = client.messages.create(**PARAMS, stream=True)
    assert accumulate(raw_events).to_dict() == final.to_dict(mode="json", warnings=False)


# -- fuzzing -----------------------------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SMALL = [s for s in GOOD if len(s.raw) < 6000][:20] or [None]


def _end_in_a_reply_or_a_convo_error(data: Any) -> None:
    try:
        for reply in accumulate_all(data):
            try:
                Conversation().user("Hi").reply(reply, refusal="keep", truncated="drop")
            except convo.ConvoError:
                pass
    except convo.ConvoError:
        pass


@given(st.binary(max_size=300))
def test_any_bytes_end_in_a_reply_or_a_convo_error(data: bytes) -> None:
    _end_in_a_reply_or_a_convo_error(data)
    _end_in_a_reply_or_a_convo_error(b"event: message_start\ndata: " + data + b"\n\n")


@needs_corpus
@given(
    st.sampled_from(SMALL),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 8), st.binary(max_size=12)), max_size=4),
)
def test_mutated_corpus_streams_end_in_a_reply_or_a_convo_error(
    stream: corpus.Stream, edits: list[tuple[int, int, bytes]]
) -> None:
    raw = bytearray(stream.raw)
    for at, cut, insert in edits:
        at %= len(raw) + 1
        raw[at : at + cut] = insert
    _end_in_a_reply_or_a_convo_error(bytes(raw))


GOOD_EVENTS = [
    START,
    block_start(0, {"type": "text", "text": "", "citations": []}),
    delta(0, type="text_delta", text="Hi"),
    delta(0, type="citations_delta", citation={"type": "char_location", "cited_text": "x"}),
    block_stop(0),
    block_start(1, {"type": "thinking", "thinking": "", "signature": ""}),
    delta(1, type="thinking_delta", thinking="Hm"),
    delta(1, type="signature_delta", signature="c2ln"),
    block_stop(1),
    block_start(2, {"type": "tool_use", "id": "t", "name": "f", "input": {}}),
    delta(2, type="input_json_delta", partial_json='{"a": 1}'),
    block_stop(2),
    block_start(3, {"type": "compaction", "content": None}),
    delta(3, type="compaction_delta", content="c", encrypted_content="e"),
    block_stop(3),
    block_start(4, {"type": "fallback", "to": {"model": "claude-sonnet-4-6"}}),
    block_stop(4),
    {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use", "stop_sequence": None},
        "usage": {"output_tokens": 9},
    },
    STOP,
]
"""A well-formed stream with every event, block and delta type convo reads."""


def _field_paths(value: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for key, inner in value.items():
        yield (*path, key)
        if isinstance(inner, dict):
            yield from _field_paths(inner, (*path, key))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)
    elif isinstance(value, str):
        yield value


wire_text = st.text(max_size=5) | st.sampled_from(sorted(set(_strings(GOOD_EVENTS))))
"""Random keys and strings, or the stream's own (``stop_reason``, ``max_tokens``, ...)."""
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | wire_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(wire_text, inner, max_size=4),
    max_leaves=12,
)


def test_the_good_events_make_a_reply() -> None:
    assert len(accumulate(GOOD_EVENTS).to_dict()["content"]) == 5


@given(st.sampled_from([(i, p) for i, e in enumerate(GOOD_EVENTS) for p in _field_paths(e)]), json_values)
def test_any_value_at_any_field_of_a_stream_ends_in_a_reply_or_a_convo_error(
    field: tuple[int, tuple[str, ...]], value: Any
) -> None:
    at, path = field
    events = json.loads(json.dumps(GOOD_EVENTS))
    parent = events[at]
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    _end_in_a_reply_or_a_convo_error(events)


@given(json_values)
def test_any_event_data_ends_in_a_reply_or_a_convo_error(value: Any) -> None:
    start = {"type": "message_start", "message": {"role": "assistant", "content": []}}
    for event in (
        value,
        {"type": "content_block_start", "index": 0, "content_block": value},
        {"type": "content_block_delta", "index": 0, "delta": value},
        {"type": "message_delta", "delta": value, "usage": value},
    ):
        _end_in_a_reply_or_a_convo_error(
            [
                start,
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                event,
                {"type": "message_stop"},
            ]
        )
    _end_in_a_reply_or_a_convo_error(
        sse(START, block_start(0, {"type": "tool_use", "id": "t", "name": "f", "input": {}}))
        + sse(delta(0, type="input_json_delta", partial_json=json.dumps(value)[:-1]), block_stop(0), STOP)
    )


def test_deep_partial_tool_input_is_a_stream_error_not_a_crash() -> None:
    with pytest.raises(StreamError):
        accumulate(tool_stream("[" * 100_000))
    reply = accumulate(tool_stream('{"a": ' + "[" * 50, stop_reason="max_tokens", close=False))
    assert reply.truncated_tool_use is not None


def test_events_nested_too_deeply_are_a_stream_error_not_a_crash() -> None:
    deep: Any = []
    for _ in range(5_000):
        deep = [deep]
    held: dict[str, Any] = {"type": "ping"}
    held["self"] = held
    for event in (block_start(0, {"type": "text", "text": "", "x": deep}), held):
        with pytest.raises(StreamError, match="event 1: not a stream event: input is nested too deeply"):
            accumulate([START, event, block_stop(0), message_delta("end_turn"), STOP])


def test_sse_data_nested_too_deeply_is_a_stream_error_not_a_crash() -> None:
    deep = b'{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": "", "x": '
    deep += b"[" * 5_000 + b"]" * 5_000 + b"}}"
    raw = sse(START) + b"event: content_block_start\ndata: " + deep + b"\n\n"
    with pytest.raises(StreamError, match=r"^event 1: data is nested too deeply$"):
        accumulate(raw + sse(block_stop(0), message_delta("end_turn"), STOP))


@pytest.mark.parametrize("close", [True, False])
def test_a_refusal_that_stops_a_tool_call_mid_input_is_a_refusal_not_a_broken_stream(close: bool) -> None:
    """The API's classifiers stop a streamed turn where it stands (the corpus's refusal fixtures
    stop mid-sentence): the stream is a refusal, its cut call read as the SDK reads it, never run."""
    raw = tool_stream('{"cmd": "rm -rf /tmp/x", "dry_run": tr', stop_reason="refusal", close=close)
    reply = accumulate(raw)
    assert reply.to_dict() == sdk_messages(raw)[0]
    assert reply.refused and reply.tool_uses[0].input == {"cmd": "rm -rf /tmp/x"}
    conv = Conversation().user("Go")
    with pytest.raises(convo.Refused):
        conv.reply(reply)
    with pytest.raises(convo.ToolUseTruncated, match=r"^refusal cut off tool_use 'toolu_1'") as info:
        conv.reply(reply, refusal="keep")
    assert "max_tokens" not in str(info.value)
    assert conv.reply(reply, refusal="keep", truncated="drop") is conv
