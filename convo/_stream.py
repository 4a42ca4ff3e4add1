"""Streams in: accumulate a streamed Messages response into its final message.

Input is an SSE byte stream (``bytes``/``str``, or an iterable of byte chunks cut anywhere), or an
iterable of stream events (the SDK's ``RawMessageStreamEvent`` objects or plain dicts).  The
result is a :class:`convo.Reply` holding every byte the stream sent: block fields are copied from
``content_block_start`` verbatim, and a tool call's ``input`` is the concatenated
``input_json_delta`` text itself (compacted), so its key order and number literals survive.

It equals, as JSON, the message the ``anthropic`` SDK's beta ``MessageStream`` accumulates from
the same events, except where convo keeps what the SDK drops: a usage field that ``message_delta``
carries and the SDK does not copy (``cache_creation``: the SDK keeps ``message_start``'s), and the
deltas of a block type this release does not know (the SDK ignores them; convo applies each
delta's documented meaning, so the block comes out as the API sends it unstreamed).

The event grammar is checked as it is read; any break raises :class:`StreamError` naming the
event (0-based, counting every SSE event or event object, ``ping`` included).  SSE events are
read as the SDK's ``Stream`` reads them: ``ping``, an event without an ``event:`` line (a
proxy's ``data: [DONE]``) and one with empty data are skipped, an ``error`` event raises
:class:`StreamErrorEvent`, and unknown event and delta types are ignored.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Iterable, Iterator
from typing import Any, Final

import msgspec

from ._blocks import BLOCK_TYPES
from ._codec import to_json_bytes
from ._errors import ConvoError, InputError, InvalidArgument
from ._reply import ENDS_MID_BLOCK, Reply

__all__ = [
    "Accumulator",
    "StreamError",
    "StreamErrorEvent",
    "accumulate",
    "accumulate_all",
    "accumulate_async",
]

_top: Final = msgspec.json.Decoder(dict[str, msgspec.Raw])
_raw_list: Final = msgspec.json.Decoder(list[msgspec.Raw])
_any: Final = msgspec.json.Decoder()
_encode: Final = msgspec.json.encode

NULL: Final = msgspec.Raw(b"null")
BOM: Final = b"\xef\xbb\xbf"
TRACKS_INPUT: Final = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})
"""Blocks whose ``input`` ``input_json_delta`` events build (the SDK's ``TRACKS_TOOL_INPUT``)."""
DELTA_BLOCKS: Final = {
    "text_delta": frozenset({"text"}),
    "citations_delta": frozenset({"text"}),
    "thinking_delta": frozenset({"thinking"}),
    "signature_delta": frozenset({"thinking"}),
    "compaction_delta": frozenset({"compaction"}),
    "input_json_delta": TRACKS_INPUT,
}
"""The known block types each delta type builds.  A block type convo does not know takes every
delta: it is built by the delta's meaning, as a known block of that kind would be."""


class StreamError(ConvoError, ValueError):
    """A stream that does not make a message: malformed, spliced, truncated, or not a stream.

    ``index`` is the 0-based number of the event at fault (every SSE event or event object
    counts, skipped ones such as ``ping`` included), or the number of events read when the stream
    ended too early.

    >>> import convo
    >>> try:
    ...     convo.accumulate([{"type": "message_stop"}])
    ... except convo.StreamError as exc:
    ...     print(exc.index, exc)
    0 event 0: message_stop before message_start
    """

    index: int

    def __init__(self, message: str, *, index: int) -> None:
        self.index = index
        super().__init__(f"event {index}: {message}")


class StreamErrorEvent(StreamError):
    """The stream carried an ``error`` event (for example ``overloaded_error`` mid-stream).

    ``error`` is the error object (``{"type": ..., "message": ...}``); ``error_type`` its type.

    >>> import convo
    >>> try:
    ...     convo.accumulate([{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}])
    ... except convo.StreamErrorEvent as exc:
    ...     print(exc.error_type, exc.index)
    overloaded_error 0
    """

    error: dict[str, Any]
    error_type: str | None

    def __init__(self, error: dict[str, Any], *, index: int) -> None:
        self.error = error
        kind = error.get("type")
        self.error_type = kind if isinstance(kind, str) else None
        message = error.get("message")
        super().__init__(f"the API sent an error: {self.error_type}: {message}", index=index)


# -- SSE framing ----------------------------------------------------------------------------------


class _SSE:
    """Incremental Server-Sent Events parser (WHATWG rules): bytes in, (event, data bytes) out.

    A leading byte order mark is ignored.  As the SDK's decoder, it also gives an event that has an
    ``event:`` line and no data.
    """

    __slots__ = ("at_start", "data", "event", "pending")

    def __init__(self) -> None:
        self.pending = bytearray()  # bytes after the last line end: a line still arriving
        self.at_start = True  # a byte order mark may still come
        self.event: str | None = None
        self.data: list[bytes] = []

    def feed(self, chunk: bytes) -> Iterator[tuple[str | None, bytes]]:
        # Only the new bytes (and a CR left at the end before them) are searched for a line end,
        # so a long line arriving in many small chunks costs time linear in its length.
        start = max(len(self.pending) - 1, 0)
        self.pending += chunk
        buf = self.pending
        if self.at_start:
            if BOM.startswith(buf):  # wait for the bytes that tell
                return
            self.at_start = False
            if buf.startswith(BOM):
                del buf[: len(BOM)]
                start = 0
        end = len(buf) - 1 if buf.endswith(b"\r") else len(buf)  # a LF may follow that CR
        last = max(buf.rfind(b"\n", start, end), buf.rfind(b"\r", start, end))
        if last < 0:
            return
        lines = bytes(buf[: last + 1])
        del buf[: last + 1]
        for raw in lines.splitlines():
            yield from self._line(raw)

    def close(self) -> Iterator[tuple[str | None, bytes]]:
        tail, self.pending = bytes(self.pending), bytearray()
        for raw in tail.splitlines():
            yield from self._line(raw)
        if self.data:  # a final event without its blank line still counts
            yield self.event, b"\n".join(self.data)
        self.event, self.data = None, []

    def _line(self, raw: bytes) -> Iterator[tuple[str | None, bytes]]:
        if not raw:
            if self.data or self.event is not None:  # an event without data too, as the SDK's decoder
                yield self.event, b"\n".join(self.data)
            self.event, self.data = None, []
            return
        if raw.startswith(b":"):
            return
        name, _, value = raw.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        if name == b"event":
            self.event = value.decode("utf-8", "replace")
        elif name == b"data":
            self.data.append(value)


# -- accumulation ---------------------------------------------------------------------------------


class _Block:
    """One content block being built: its start fields, plus what the deltas add."""

    __slots__ = ("appended", "citations", "fields", "input", "input_at", "kind", "open", "set")

    def __init__(self, fields: dict[str, msgspec.Raw], kind: str) -> None:
        self.fields = fields
        self.kind = kind
        self.open = True
        self.appended: dict[str, list[str]] = {}  # field ("text", "thinking") -> its delta pieces
        self.input = bytearray()
        self.input_at = -1
        self.citations: list[msgspec.Raw] | None = None
        self.set: dict[str, msgspec.Raw] = {}

    def render(self, cut_off: bool) -> bytes:
        fields = dict(self.fields)
        for key, pieces in self.appended.items():
            start = _any.decode(fields[key]) if key in fields else ""
            fields[key] = msgspec.Raw(_encode((start if isinstance(start, str) else "") + "".join(pieces)))
        if self.citations is not None:
            fields["citations"] = msgspec.Raw(b"[" + b",".join(self.citations) + b"]")
        if self.input:
            fields["input"] = msgspec.Raw(_tool_input(bytes(self.input), self.input_at, cut_off=cut_off))
        fields.update(self.set)
        return _encode(fields)


class _Message:
    """The message being built between ``message_start`` and ``message_stop``."""

    __slots__ = ("blocks", "fields", "start", "stop_reason", "usage")

    def __init__(self, fields: dict[str, msgspec.Raw], start: int) -> None:
        self.fields = fields
        self.start = start
        raw_stop = fields.get("stop_reason")
        self.stop_reason = _stop_reason(_any.decode(raw_stop) if raw_stop is not None else None, start)
        self.usage = _object(fields.get("usage"), start, "message_start usage")
        content = fields.get("content")
        given = _raw_list.decode(content) if content is not None else []
        self.blocks: list[_Block | msgspec.Raw] = list(given)

    def render(self) -> bytes:
        fields = dict(self.fields)
        cut_at = len(self.blocks) - 1 if self.cut_off else -1  # the output stops once: in its last block
        fields["content"] = msgspec.Raw(
            b"["
            + b",".join(
                b.render(i == cut_at) if isinstance(b, _Block) else bytes(b)
                for i, b in enumerate(self.blocks)
            )
            + b"]"
        )
        if self.usage is not None:
            fields["usage"] = msgspec.Raw(_encode(self.usage))
        return _encode(fields)

    @property
    def cut_off(self) -> bool:
        """The message stopped before the model finished, maybe mid-block: at a limit
        (``max_tokens``, the context window) or by a refusal."""
        return self.stop_reason in ENDS_MID_BLOCK


class Accumulator:
    """Builds messages from stream events fed one at a time (sync or async, any chunking).

    ``feed`` takes an event (an SDK stream event or a dict) or a chunk of SSE bytes; ``close``
    marks the end of input.  Each message completed so far is in ``replies``.

    >>> from convo import Accumulator
    >>> acc = Accumulator()
    >>> for event in [
    ...     {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
    ...      "content": [], "model": "claude-opus-4-8", "stop_reason": None, "usage": {"input_tokens": 5}}},
    ...     {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ...     {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
    ...     {"type": "content_block_stop", "index": 0},
    ...     {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}},
    ...     {"type": "message_stop"},
    ... ]:
    ...     acc.feed(event)
    >>> acc.close()
    >>> acc.replies[0].message.to_json()
    b'{"role":"assistant","content":[{"type":"text","text":"Hi"}]}'
    """

    __slots__ = ("_closed", "_current", "_index", "_multi", "_nameless", "_sse", "replies")

    def __init__(self, *, multi: bool = False) -> None:
        """``multi``: accept several messages one after another (else a second one is an error)."""
        self._multi = multi
        self._sse = _SSE()
        self._index = 0
        self._current: _Message | None = None
        self._closed = False
        self._nameless = 0  # SSE events skipped for want of an ``event:`` line
        self.replies: list[Reply] = []

    def feed(self, item: object) -> None:
        """Feed one event (SDK object or mapping) or a chunk of SSE bytes or text."""
        if self._closed:
            raise StreamError("input after the end of the stream", index=self._index)
        if isinstance(item, bytes | bytearray | memoryview | str):
            chunk = item.encode("utf-8", "surrogatepass") if isinstance(item, str) else bytes(item)
            for name, data in self._sse.feed(chunk):
                self._sse_event(name, data)
        else:
            try:
                encoded = to_json_bytes(item)
            except InputError as exc:
                raise StreamError(f"not a stream event: {exc}", index=self._index) from None
            self._data(None, encoded)

    def close(self) -> None:
        """The end of input: finish the last SSE event, and check no message is left open."""
        if self._closed:
            return
        for name, data in self._sse.close():
            self._sse_event(name, data)
        self._closed = True
        if self._current is not None:
            raise StreamError(
                f"the stream ended inside the message started at event {self._current.start} "
                "(no message_stop): it was cut off",
                index=self._index,
            )
        if not self.replies:
            skipped = (
                f"; its {self._nameless} SSE events without an 'event:' line were skipped, as the SDK skips them"
                if self._nameless
                else ""
            )
            raise StreamError(f"the stream holds no message (no message_start){skipped}", index=self._index)

    # -- one event ---------------------------------------------------------------------------------

    def _sse_event(self, name: str | None, data: bytes) -> None:
        """One SSE event, skipped where the SDK's ``Stream`` skips it without reading its data: a
        ``ping``, an event without an ``event:`` line (a proxy's ``data: [DONE]``), empty data."""
        if name is None:
            self._nameless += 1
        if name in ("ping", None) or (not data and name != "error"):
            self._index += 1
            return
        self._data(name, data)

    def _data(self, name: str | None, data: bytes) -> None:
        n = self._index
        self._index += 1
        if name == "error":  # whatever its data holds (a proxy's own shape, text), as the SDK raises it
            raise StreamErrorEvent(_error_object(data), index=n)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise StreamError("data is not valid UTF-8", index=n) from None
        try:
            event = _top.decode(data)
        except msgspec.DecodeError:
            raise StreamError(f"data is not a JSON object: {data[:80]!r}", index=n) from None
        except RecursionError:
            raise StreamError("data is nested too deeply", index=n) from None
        try:
            kind = _any.decode(event["type"]) if "type" in event else None
        except msgspec.DecodeError:
            kind = None
        if not isinstance(kind, str):
            raise StreamError("the event has no 'type'", index=n)
        if name is not None and name != kind:
            raise StreamError(f"the SSE event name {name!r} differs from the data's type {kind!r}", index=n)
        handler = _HANDLERS.get(kind)
        if handler is None:
            return
        try:
            handler(self, event, n)
        except (msgspec.DecodeError, RecursionError) as exc:  # a value Python cannot hold (1e999)
            raise StreamError(f"{kind}: {exc}", index=n) from None

    def _ping(self, event: dict[str, msgspec.Raw], n: int) -> None:
        pass

    def _error(self, event: dict[str, msgspec.Raw], n: int) -> None:
        raise StreamErrorEvent(_error_object(_encode(event)), index=n)

    def _message_start(self, event: dict[str, msgspec.Raw], n: int) -> None:
        if self._current is not None:
            raise StreamError(
                f"message_start inside the message started at event {self._current.start}, which has no "
                "message_stop: a duplicated or spliced stream",
                index=n,
            )
        if self.replies and not self._multi:
            raise StreamError(
                "a second message in one stream: use convo.accumulate_all() for a file of several responses",
                index=n,
            )
        raw = event.get("message")
        try:
            fields = _top.decode(raw) if raw is not None else None
        except msgspec.ValidationError:
            fields = None
        if fields is None or "content" not in fields:
            raise StreamError("message_start without a message object holding 'content'", index=n)
        self._current = _Message(fields, n)

    def _message(self, n: int, kind: str) -> _Message:
        if self._current is None:
            where = "after message_stop" if self.replies else "before message_start"
            raise StreamError(f"{kind} {where}", index=n)
        return self._current

    def _block(self, message: _Message, event: dict[str, msgspec.Raw], n: int, kind: str) -> _Block:
        index = _any.decode(event["index"]) if "index" in event else None
        if type(index) is not int or not 0 <= index < len(message.blocks):  # not True, not 0.0
            raise StreamError(f"{kind} for block {index!r}, which was never started", index=n)
        block = message.blocks[index]
        if not isinstance(block, _Block) or not block.open:
            raise StreamError(f"{kind} for block {index}, which is not open", index=n)
        return block

    def _content_block_start(self, event: dict[str, msgspec.Raw], n: int) -> None:
        message = self._message(n, "content_block_start")
        index = _any.decode(event["index"]) if "index" in event else None
        if type(index) is not int or index != len(message.blocks):
            raise StreamError(
                f"content_block_start for block {index!r}, expected block {len(message.blocks)}", index=n
            )
        raw = event.get("content_block")
        try:
            fields = _top.decode(raw) if raw is not None else None
        except msgspec.ValidationError:
            fields = None
        kind = _any.decode(fields["type"]) if fields and "type" in fields else None
        if fields is None or not isinstance(kind, str):
            raise StreamError("content_block_start without a content block that has a 'type'", index=n)
        message.blocks.append(_Block(fields, kind))
        if kind == "fallback":  # the served model, as the SDK (and the non-streaming message) reports it
            to = _any.decode(fields["to"]) if "to" in fields else None
            if isinstance(to, dict) and "model" in to:
                message.fields["model"] = msgspec.Raw(_encode(to["model"]))

    def _content_block_delta(self, event: dict[str, msgspec.Raw], n: int) -> None:
        message = self._message(n, "content_block_delta")
        block = self._block(message, event, n, "content_block_delta")
        delta = _object(event.get("delta"), n, "delta")
        if delta is None:
            raise StreamError("content_block_delta without a delta", index=n)
        kind = delta.get("type")
        wanted = DELTA_BLOCKS.get(kind) if isinstance(kind, str) else None
        if wanted is None:
            return  # a delta type this release does not know: ignored, as the SDK ignores it
        if block.kind not in wanted and block.kind in BLOCK_TYPES:
            raise StreamError(f"{kind} for a {block.kind} block", index=n)
        if kind == "input_json_delta":
            block.input += _string(delta, "partial_json", n).encode("utf-8", "surrogatepass")
            block.input_at = n
        elif kind in ("text_delta", "thinking_delta"):
            field = "text" if kind == "text_delta" else "thinking"
            block.appended.setdefault(field, []).append(_string(delta, field, n))
        elif kind == "signature_delta":
            block.set["signature"] = msgspec.Raw(_encode(_string(delta, "signature", n)))
        elif kind == "citations_delta":
            if block.citations is None:
                start = block.fields.get("citations")
                given = _any.decode(start) if start is not None else None
                block.citations = _raw_list.decode(start) if isinstance(given, list) and start else []
            citation = delta.get("citation")
            if not isinstance(citation, dict):
                raise StreamError("citations_delta without a 'citation' object", index=n)
            block.citations.append(msgspec.Raw(_encode(citation)))
        else:  # compaction_delta: both fields replaced, as the SDK does
            block.set["content"] = msgspec.Raw(_encode(delta.get("content")))
            block.set["encrypted_content"] = msgspec.Raw(_encode(delta.get("encrypted_content")))

    def _content_block_stop(self, event: dict[str, msgspec.Raw], n: int) -> None:
        message = self._message(n, "content_block_stop")
        self._block(message, event, n, "content_block_stop").open = False

    def _message_delta(self, event: dict[str, msgspec.Raw], n: int) -> None:
        message = self._message(n, "message_delta")
        delta = _object(event.get("delta"), n, "delta") or {}
        message.stop_reason = _stop_reason(delta.get("stop_reason"), n)
        fields = message.fields
        for key in ("stop_reason", "stop_sequence", "stop_details"):  # always set, as the SDK sets them
            fields[key] = msgspec.Raw(_encode(delta.get(key)))
        still = [i for i, b in enumerate(message.blocks) if isinstance(b, _Block) and b.open]
        if still and not message.cut_off:
            raise StreamError(
                f"message_delta (stop_reason {delta.get('stop_reason')!r}) while blocks {still} are still "
                "open: only a response cut off at a limit or by a refusal ends mid-block",
                index=n,
            )
        for i in still:  # cut off at a limit or by a refusal: the block ends here
            message.blocks[i].open = False  # type: ignore[union-attr]
        for key, value in delta.items():
            if key not in ("stop_reason", "stop_sequence", "stop_details") and value is not None:
                fields[key] = msgspec.Raw(_encode(value))
        for key, raw in event.items():
            if key not in ("type", "delta", "usage") and raw != NULL:
                fields[key] = raw
        usage = _object(event.get("usage"), n, "usage")
        if usage is not None:
            total = message.usage if message.usage is not None else {}
            total["output_tokens"] = usage.get("output_tokens")
            total.update((k, v) for k, v in usage.items() if v is not None)  # cumulative: overwrite
            message.usage = total

    def _message_stop(self, event: dict[str, msgspec.Raw], n: int) -> None:
        message = self._message(n, "message_stop")
        still = [i for i, b in enumerate(message.blocks) if isinstance(b, _Block) and b.open]
        if still:
            raise StreamError(f"message_stop while blocks {still} are still open", index=n)
        self._current = None
        try:
            self.replies.append(Reply.read(message.render()))
        except InputError as exc:  # for example a message whose role is not assistant
            raise StreamError(f"the message is not a response: {exc}", index=n) from None


_HANDLERS: Final = {
    "ping": Accumulator._ping,
    "error": Accumulator._error,
    "message_start": Accumulator._message_start,
    "content_block_start": Accumulator._content_block_start,
    "content_block_delta": Accumulator._content_block_delta,
    "content_block_stop": Accumulator._content_block_stop,
    "message_delta": Accumulator._message_delta,
    "message_stop": Accumulator._message_stop,
}


def _error_object(data: bytes) -> dict[str, Any]:
    """The error object an ``error`` event's data holds: the API's ``{"type": "error", "error":
    {...}}``, a proxy's ``{"error": {...}}`` or bare error object, else ``{"type": None,
    "message": ...}`` holding the data as text."""
    try:
        value = _any.decode(data)
    except (msgspec.DecodeError, RecursionError):
        value = None
    inner = value.get("error") if isinstance(value, dict) else None
    if isinstance(inner, dict):
        return inner
    if isinstance(value, dict) and value.get("type") not in ("error", None):
        return value
    return {"type": None, "message": data.decode("utf-8", "replace")[:500]}


def _object(raw: msgspec.Raw | None, n: int, what: str) -> dict[str, Any] | None:
    if raw is None:
        return None
    value = _any.decode(raw)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise StreamError(f"{what} is not an object", index=n)
    return value


def _stop_reason(value: object, n: int) -> str | None:
    if value is not None and not isinstance(value, str):
        raise StreamError(f"stop_reason is not a string: {_encode(value)[:80]!r}", index=n)
    return value


def _string(delta: dict[str, Any], key: str, n: int) -> str:
    value = delta.get(key)
    if not isinstance(value, str):
        raise StreamError(f"{delta.get('type')} without a {key!r} string", index=n)
    return value


# -- tool input -----------------------------------------------------------------------------------


def _tool_input(buf: bytes, n: int, *, cut_off: bool) -> bytes:
    """The JSON a tool call's ``input_json_delta`` pieces make: compacted, or partial.

    Complete JSON is kept as written (compacted).  JSON cut off (``cut_off``: the last block of a
    response stopped at a limit, ``max_tokens`` or the context window, or by a refusal) is read
    the way the SDK reads it (``jiter`` partial mode): unfinished strings, numbers and literals
    are dropped, unfinished arrays and objects are closed.  Incomplete JSON anywhere else (in a
    response that was not cut off, or in a block another block follows) is a broken stream.
    """
    try:
        return msgspec.json.format(buf, indent=-1)
    except msgspec.DecodeError:
        if not cut_off:
            raise StreamError(
                f"tool input is not valid JSON, and the response was not cut off in this block: {buf[:80]!r}",
                index=n,
            ) from None
    except RecursionError:
        raise StreamError("tool input is nested too deeply", index=n) from None
    try:
        text = buf.decode("utf-8")
    except UnicodeDecodeError:
        raise StreamError("tool input is not valid UTF-8", index=n) from None
    try:
        value, end, complete = _Partial(text).value(_skip(text, 0))
    except (ValueError, msgspec.DecodeError):
        value, end, complete = _MISSING, 0, True
    except RecursionError:
        raise StreamError("tool input is nested too deeply", index=n) from None
    if value is _MISSING:
        raise StreamError(f"tool input is not JSON: {text[:80]!r}", index=n)
    if complete and _skip(text, end) < len(text):
        raise StreamError(f"tool input has text after its JSON: {text[end : end + 40]!r}", index=n)
    return _encode(value)


_MISSING: Final = object()
_WS: Final = re.compile(r"[ \t\n\r]*")
_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NUMBER_CHARS: Final = re.compile(r"[-+.eE0-9]*")
_NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS: Final = {"true": True, "false": False, "null": None}


def _skip(text: str, i: int) -> int:
    match = _WS.match(text, i)
    return match.end() if match else i


class _Partial:
    """A JSON reader that stops at the end of the text, keeping what is complete."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def value(self, i: int) -> tuple[Any, int, bool]:
        """(value or _MISSING, end, complete) for the value at ``i``."""
        text = self.text
        if i >= len(text):
            return _MISSING, i, False
        c = text[i]
        if c == "{":
            return self._object(i + 1)
        if c == "[":
            return self._array(i + 1)
        if c == '"':
            match = _STRING.match(text, i)
            if match is None:  # no closing quote before the end
                return _MISSING, len(text), False
            return _any.decode(match.group().encode("utf-8", "surrogatepass")), match.end(), True
        if c in "-0123456789":
            match = _NUMBER_CHARS.match(text, i)
            end = match.end() if match else i
            token = text[i:end]
            if _NUMBER.fullmatch(token):
                return _any.decode(token.encode()), end, True
            if end >= len(text):
                return _MISSING, end, False
            raise ValueError(token)
        for word, literal in _LITERALS.items():
            if text.startswith(word, i):
                return literal, i + len(word), True
            if word.startswith(text[i:]):
                return _MISSING, len(text), False
        raise ValueError(text[i : i + 10])

    def _array(self, i: int) -> tuple[Any, int, bool]:
        text = self.text
        items: list[Any] = []
        i = _skip(text, i)
        if i < len(text) and text[i] == "]":
            return items, i + 1, True
        while True:
            value, i, complete = self.value(_skip(text, i))
            if value is not _MISSING:
                items.append(value)
            if not complete:
                return items, len(text), False
            i = _skip(text, i)
            if i >= len(text):
                return items, i, False
            if text[i] == "]":
                return items, i + 1, True
            if text[i] != ",":
                raise ValueError(text[i : i + 10])
            i += 1

    def _object(self, i: int) -> tuple[Any, int, bool]:
        text = self.text
        fields: dict[str, Any] = {}
        i = _skip(text, i)
        if i < len(text) and text[i] == "}":
            return fields, i + 1, True
        while True:
            i = _skip(text, i)
            if i >= len(text):
                return fields, i, False
            if text[i] != '"':
                raise ValueError(text[i : i + 10])
            key, i, complete = self.value(i)
            if not complete:
                return fields, len(text), False
            i = _skip(text, i)
            if i >= len(text):
                return fields, i, False
            if text[i] != ":":
                raise ValueError(text[i : i + 10])
            value, i, complete = self.value(_skip(text, i + 1))
            if value is not _MISSING:
                fields[key] = value
            if not complete:
                return fields, len(text), False
            i = _skip(text, i)
            if i >= len(text):
                return fields, i, False
            if text[i] == "}":
                return fields, i + 1, True
            if text[i] != ",":
                raise ValueError(text[i : i + 10])
            i += 1


# -- entry points ---------------------------------------------------------------------------------

StreamInput = bytes | bytearray | memoryview | str | Iterable[object]


def _feed_all(acc: Accumulator, stream: StreamInput) -> None:
    if isinstance(stream, bytes | bytearray | memoryview | str):
        acc.feed(stream)
    elif isinstance(stream, Iterable):
        for item in stream:
            acc.feed(item)
    else:
        raise _not_a_stream(stream, asynchronous=False)
    acc.close()


def _not_a_stream(stream: object, *, asynchronous: bool) -> InvalidArgument:
    """The error for what ``accumulate`` (or ``accumulate_async``) cannot read: what to pass."""
    if hasattr(stream, "__await__"):
        hint = "await it first, and pass the stream it gives"
    elif asynchronous and isinstance(stream, bytes | bytearray | memoryview | str | Iterable):
        hint = "bytes, text and (sync) iterables are read with accumulate"
    elif not asynchronous and hasattr(stream, "__aiter__"):
        hint = "an async stream is read with accumulate_async"
    elif hasattr(stream, "__aenter__"):
        hint = "enter it first (async with client.messages.stream(...) as stream) and pass the stream"
    elif hasattr(stream, "__enter__"):
        hint = "enter it first (with client.messages.stream(...) as stream) and pass the stream"
    elif asynchronous:
        hint = "pass an async iterable of byte chunks or stream events"
    else:
        hint = "pass SSE bytes or text, or an iterable of byte chunks or stream events"
    return InvalidArgument(f"cannot read a {type(stream).__name__} as a stream: {hint}")


def accumulate(stream: StreamInput) -> Reply:
    """The final message of one streamed response, as a :class:`convo.Reply`.

    ``stream`` is SSE bytes or text, an iterable of byte chunks (``response.iter_bytes()``), or
    an iterable of stream events (an SDK ``Stream`` of ``RawMessageStreamEvent``, or dicts).
    Raises :class:`convo.StreamError` (with the event's index) for a malformed, spliced or
    truncated stream, and for a stream of several responses (use :func:`accumulate_all`).

    >>> import convo
    >>> sse = (b'event: message_start\\ndata: {"type":"message_start","message":{"id":"msg_1",'
    ...        b'"type":"message","role":"assistant","content":[],"model":"claude-opus-4-8",'
    ...        b'"stop_reason":null,"usage":{"input_tokens":5,"output_tokens":1}}}\\n\\n'
    ...        b'event: content_block_start\\ndata: {"type":"content_block_start","index":0,'
    ...        b'"content_block":{"type":"text","text":""}}\\n\\n'
    ...        b'event: ping\\ndata: {"type":"ping"}\\n\\n'
    ...        b'event: content_block_delta\\ndata: {"type":"content_block_delta","index":0,'
    ...        b'"delta":{"type":"text_delta","text":"Hello"}}\\n\\n'
    ...        b'event: content_block_stop\\ndata: {"type":"content_block_stop","index":0}\\n\\n'
    ...        b'event: message_delta\\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn",'
    ...        b'"stop_sequence":null},"usage":{"output_tokens":2}}\\n\\n'
    ...        b'event: message_stop\\ndata: {"type":"message_stop"}\\n\\n')
    >>> reply = convo.accumulate(sse)
    >>> reply.stop_reason, reply.usage
    ('end_turn', {'input_tokens': 5, 'output_tokens': 2})
    >>> convo.Conversation().user("Hi").reply(reply).messages[-1].to_json()
    b'{"role":"assistant","content":[{"type":"text","text":"Hello"}]}'
    >>> try:
    ...     convo.accumulate(sse[: sse.index(b"event: message_delta")])
    ... except convo.StreamError as exc:
    ...     print(exc.index, exc)
    5 event 5: the stream ended inside the message started at event 0 (no message_stop): it was cut off
    """
    acc = Accumulator()
    _feed_all(acc, stream)
    return acc.replies[0]


def accumulate_all(stream: StreamInput) -> tuple[Reply, ...]:
    """Every response of a stream holding several one after another (``message_start`` ...
    ``message_stop``, then the next), in order.  A message that starts before the previous one
    stopped is a spliced stream: :class:`convo.StreamError`.

    >>> import convo
    >>> def response(id, text):
    ...     return [{"type": "message_start", "message": {"id": id, "type": "message", "role": "assistant",
    ...              "content": [], "model": "claude-opus-4-8"}},
    ...             {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": text}},
    ...             {"type": "content_block_stop", "index": 0},
    ...             {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}},
    ...             {"type": "message_stop"}]
    >>> convo.accumulate_all(response("msg_1", "Hi") + response("msg_2", "Bye"))
    (<Reply 'msg_1': end_turn, 1 block>, <Reply 'msg_2': end_turn, 1 block>)
    """
    acc = Accumulator(multi=True)
    _feed_all(acc, stream)
    return tuple(acc.replies)


async def accumulate_async(stream: AsyncIterable[object]) -> Reply:
    """:func:`accumulate` for an async iterable (an SDK ``AsyncStream``, ``aiter_bytes()``).

    Anything else (bytes, a list, a sync stream, an un-entered ``client.messages.stream(...)``, a
    coroutine not awaited) raises :class:`convo.InvalidArgument` saying what to pass.

    >>> import asyncio, convo
    >>> async def events():  # stands in for an SDK AsyncStream
    ...     yield {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
    ...            "content": [{"type": "text", "text": "Hello"}], "model": "claude-opus-4-8"}}
    ...     yield {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}}
    ...     yield {"type": "message_stop"}
    >>> reply = asyncio.run(convo.accumulate_async(events()))
    >>> reply.stop_reason, reply.message.to_json()
    ('end_turn', b'{"role":"assistant","content":[{"type":"text","text":"Hello"}]}')
    """
    if not hasattr(stream, "__aiter__"):
        raise _not_a_stream(stream, asynchronous=True)
    acc = Accumulator()
    async for item in stream:
        acc.feed(item)
    acc.close()
    return acc.replies[0]
