"""Wire codec: JSON bytes, Python data or SDK objects in; typed messages with exact wire bytes out.

Well-formed input is read in one typed msgspec pass (:func:`decode_fast`): every message and
block is decoded into its struct, every other top-level field is kept as a raw span.  The exact
wire bytes of each message are found only when first asked for (``Message.to_json``), by the
steps below, so reading and validating do not pay for them.

Any other input takes the step-by-step path (:func:`decode_body`):

1. the input is compacted (``msgspec.json.format(indent=-1)``): whitespace goes, while key order,
   string escapes and number literals stay exactly as given;
2. the top level is split into raw spans (``messages`` into one span per message);
3. each message is decoded into typed blocks.  Only when that fails (an unknown block type or
   field, a malformed block) does a slower path look at each block on its own, to keep what it
   can and to report every problem with its path.
"""

from __future__ import annotations

import codecs
import functools
import re
import threading
from collections.abc import Callable
from typing import Any, Final, TypeAlias, cast

import attrs
import msgspec

from ._blocks import (
    BLOCK_TYPES,
    Block,
    KnownBlock,
    OpaqueBlock,
    Role,
    SearchResultBlock,
    ToolResultBlock,
)
from ._errors import InputError, Path, Problem, ValidationError, pointer, type_name
from ._fields import (
    CLEAR_AT,
    MARKER_FIELDS,
    SYSTEM_MESSAGE_FIELDS,
    SYSTEM_OUTPUT_CONFIG_FIELDS,
    unknown_fields,
)
from ._io import check_file_header
from ._message import ROLES, Message, json_fault_at, read_messages
from ._models import EFFORT_LEVELS, EFFORT_ORDER
from ._params import BODY_FIELDS
from ._rules import marker_fault, problem

__all__ = [
    "Body",
    "FastBody",
    "as_bytes",
    "decode_block",
    "decode_body",
    "decode_fast",
    "decode_message",
    "encode_python",
    "to_json_bytes",
]

Sink: TypeAlias = Callable[[Problem], None]


class _TypedMessage(msgspec.Struct, frozen=True, gc=False, forbid_unknown_fields=True):
    role: str
    content: str | tuple[KnownBlock, ...]


class _FastMessage(_TypedMessage, frozen=True, gc=False, forbid_unknown_fields=True):
    """A message as the one-pass reader takes it: another role fails the decode, so that
    :func:`decode_body` reports it."""

    role: Role


#: A request body or convo file whose every field is known: ``messages`` typed, the rest raw.
#: Unknown fields fail the decode, so that everything the fast path keeps was checked as UTF-8.
_FastObject: Final = msgspec.defstruct(
    "_FastObject",
    [
        ("messages", list[_FastMessage]),
        *(
            (name, msgspec.Raw | msgspec.UnsetType, msgspec.UNSET)
            for name in sorted(BODY_FIELDS - {"messages"})
        ),
        ("convo", msgspec.Raw | msgspec.UnsetType, msgspec.UNSET),
    ],
    forbid_unknown_fields=True,
    gc=False,
)
_fast_decoder: Final = msgspec.json.Decoder(_FastObject | list[_FastMessage])
_message_decoder: Final = msgspec.json.Decoder(_TypedMessage)
_system_decoder: Final = msgspec.json.Decoder(str | tuple[KnownBlock, ...])
_raw_list_decoder: Final = msgspec.json.Decoder(list[msgspec.Raw])
_top_decoder: Final = msgspec.json.Decoder(dict[str, msgspec.Raw] | list[msgspec.Raw])
_any_decoder: Final = msgspec.json.Decoder()


def _sdk_hook(obj: object) -> Any:
    """Encode objects that are not plain JSON data: SDK (pydantic) models and convo objects."""
    if isinstance(obj, Message):
        return msgspec.Raw(obj.to_json())
    if isinstance(obj, OpaqueBlock):
        return obj.data
    to_json = getattr(obj, "to_json", None)
    if callable(to_json) and hasattr(obj, "system") and hasattr(obj, "messages"):
        return msgspec.Raw(cast(bytes, to_json()))  # a convo Conversation
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        return dump(mode="json", by_alias=True, exclude_unset=True, warnings=False)
    raise TypeError(f"cannot read a {type(obj).__name__} as JSON")


_python_encoder: Final = msgspec.json.Encoder(enc_hook=_sdk_hook, decimal_format="number")


def as_bytes(data: object) -> tuple[bytes, bool]:
    """The input as JSON bytes, and whether they are compact already (encoded by convo).

    Raises :class:`InputError` for Python data that is not JSON at all.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data), False
    if isinstance(data, str):
        try:
            return data.encode("utf-8"), False
        except UnicodeEncodeError as exc:  # a lone surrogate: no JSON text (or API) can hold it
            raise InputError(
                f"input is not valid Unicode text: {exc.reason} at character {exc.start}"
            ) from None
    return encode_python(data, _pointer(data)), True


def _pointer(data: object) -> str:
    """Where Python ``data`` stands in a request body, as :func:`decode_body` reads it: a bare
    messages array is the body's ``messages``, and one message alone is its first."""
    if isinstance(data, list | tuple):
        return "/messages"
    if isinstance(data, dict) and "messages" not in data and "role" in data and "content" in data:
        return "" if data.get("type") == "message" else "/messages/0"  # a response is its own root
    return ""


def encode_python(data: object, at: str = "") -> bytes:
    """Compact JSON for Python data, which may hold convo blocks and messages and SDK objects.

    Raises :class:`InputError` for anything that is not JSON data, nesting too deep for Python
    (or data that holds itself) included.  A value JSON cannot hold as given (NaN, a set, text
    with a lone surrogate) is named by its path, a JSON Pointer after ``at`` (where ``data`` is
    in a request body: a bare messages array is the body's ``messages``), as a number out of
    range in JSON text is.
    """
    try:
        fault = json_fault_at(data, at)
    except RecursionError:
        raise InputError("input is nested too deeply") from None
    if fault is not None:
        where, why = fault
        raise InputError(why, path=where)
    try:
        return _python_encoder.encode(data)
    except UnicodeEncodeError as exc:  # a lone surrogate: named where it is, as NaN is
        where, why = json_fault_at(data, at, text=True) or (at, f"not valid Unicode text: {exc.reason}")
        raise InputError(why, path=where) from None
    except (TypeError, ValueError, OverflowError, msgspec.EncodeError) as exc:
        raise InputError(f"input is not JSON data: {exc}") from None


def to_json_bytes(data: object) -> bytes:
    """Compact JSON bytes for any accepted input: bytes, str, Python data or SDK objects.

    Raises :class:`InputError` for input that is not JSON at all.
    """
    buf, compact = as_bytes(data)
    if compact:
        return buf
    if not buf.strip(b" \t\r\n"):
        raise InputError("input is empty")
    if buf.startswith(codecs.BOM_UTF8):
        raise InputError("input starts with a byte-order mark (convo reads UTF-8 without one)")
    if isinstance(data, bytes | bytearray | memoryview):
        _check_utf8(buf)
    try:
        return msgspec.json.format(buf, indent=-1)
    except msgspec.DecodeError as exc:
        raise InputError(f"input is not valid JSON: {_fault(buf, exc)}") from None
    except RecursionError:
        raise InputError("input is nested too deeply") from None


_LONE_HIGH_SURROGATE: Final = re.compile(
    rb"(?<!\\)(?:\\\\)*(\\u[dD][89abAB][0-9a-fA-F]{2})(?!\\u[dD][c-fC-F])"
)
"""A ``\\uD800``-``\\uDBFF`` escape (not itself escaped) that no low surrogate escape follows."""


def _fault(buf: bytes, exc: msgspec.DecodeError) -> str:
    """What is wrong with JSON msgspec refused: its message, but for a lone high surrogate
    escape, which msgspec calls truncated input."""
    lone = _LONE_HIGH_SURROGATE.search(buf) if "truncated" in str(exc) else None
    if lone is None:
        return str(exc)
    return f"the escape {lone.group(1).decode()} (byte {lone.start(1)}) is half of a surrogate pair, which is not text"


MESSAGE_FIELDS: Final = frozenset({"role", "content"})

UTF8_CHUNK: Final = 1 << 16


def _check_utf8(buf: bytes) -> None:
    """Refuse invalid UTF-8 (msgspec's raw splits do not check it) without building a huge str."""
    if buf.isascii():
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(buf)
    for start in range(0, len(buf), UTF8_CHUNK):
        try:
            decoder.decode(view[start : start + UTF8_CHUNK], final=start + UTF8_CHUNK >= len(buf))
        except UnicodeDecodeError as exc:
            raise InputError(f"input is not valid UTF-8 (byte {start + exc.start})") from None


@attrs.frozen
class FastBody:
    """What :func:`decode_fast` read: typed messages whose wire bytes are found on demand."""

    kind: str
    """``"messages"`` (a bare array), ``"request"`` or ``"file"``."""
    fields: dict[str, msgspec.Raw]
    """Every top-level field but ``messages``, compacted, in a fixed order."""
    values: dict[str, Any]
    """The same fields but ``system``, decoded."""
    system: str | tuple[Block, ...] | None
    """The top-level ``system``, typed."""
    messages: list[Message]
    size: int | None = None
    """The size of the input as compact JSON, when it was compact (Python data), else None."""


def decode_fast(data: object) -> FastBody | None:
    """Read well-formed input in one typed pass, or give None to send it to :func:`decode_body`.

    None means only "not on the fast path": an unknown field or block type, a malformed block,
    JSON Lines, a response, or input that is not JSON.  ``decode_body`` reads those and reports
    their problems.
    """
    try:
        buf, compact = as_bytes(data)
        top = _fast_decoder.decode(buf)
    except (InputError, msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return None
    fields: dict[str, msgspec.Raw] = {}
    values: dict[str, Any] = {}
    system = None
    if isinstance(top, list):
        kind, typed = "messages", top
    else:
        for name, raw in zip(top.__struct_fields__, msgspec.structs.astuple(top), strict=True):
            if raw is not msgspec.UNSET and name != "messages":
                fields[name] = raw if compact or not _SPACE.search(raw) else _compact(raw)
        try:  # decode_body says what is wrong with a field that does not decode
            values = _values(fields)
            if "system" in fields:
                system = _system_decoder.decode(fields["system"])
        except (InputError, msgspec.ValidationError, UnicodeDecodeError):
            return None
        kind, typed = ("file" if "convo" in fields else "request"), top.messages
        if kind == "file":
            check_file_header(values)
    spans = _Spans(buf, in_object=kind != "messages")
    messages = read_messages(typed, spans)  # the list itself becomes a conversation's spine
    return FastBody(kind, fields, values, system, messages, len(buf) if compact else None)


_SPACE: Final = re.compile(rb"[ \t\r\n]")
"""Bytes that are insignificant whitespace outside strings: a span without any is compact."""


def _compact(raw: msgspec.Raw) -> msgspec.Raw:
    return msgspec.Raw(msgspec.json.format(bytes(raw), indent=-1))


class _MessageSpans(msgspec.Struct, gc=False):
    messages: list[msgspec.Raw]


_spans_in_object: Final = msgspec.json.Decoder(_MessageSpans)


class _Spans:
    """Finds the exact wire bytes of the messages :func:`decode_fast` read: all of them on the
    first call, then each message takes its own by index."""

    __slots__ = ("buf", "found", "in_object", "lock")

    def __init__(self, buf: bytes, *, in_object: bool) -> None:
        self.buf = buf
        self.in_object = in_object
        self.found: list[bytes] | None = None
        self.lock = threading.Lock()

    def __call__(self, index: int) -> bytes:
        found = self.found
        if found is None:
            with self.lock:
                found = self.found
                if found is None:  # not found by another thread meanwhile
                    try:
                        found = self._split()
                    except RecursionError:  # read near the top of a stack, asked for deep down it
                        found = _on_a_fresh_stack(self._split)
                    self.found = found
                    self.buf = b""
        return found[index]

    def _split(self) -> list[bytes]:
        compact = msgspec.json.format(self.buf, indent=-1)
        if self.in_object:
            array = _spans_in_object.decode(compact).messages
        else:
            array = _raw_list_decoder.decode(compact)
        return [bytes(raw) for raw in array]


def _on_a_fresh_stack(work: Callable[[], list[bytes]]) -> list[bytes]:
    """``work()`` in a new thread, whose stack starts empty.  msgspec's guard against deep
    nesting counts the caller's frames too: input nested close to the limit, read where the
    stack was shallow, can fail when its bytes are first needed somewhere deeper."""
    done: list[list[bytes]] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:  # handed to the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="convo-spans")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return done[0]


@attrs.frozen
class Body:
    """The parts of a request body (or convo file) a conversation is made of, as raw spans."""

    kind: str
    """``"messages"`` (a bare array), ``"request"``, ``"file"`` or ``"response"``."""
    fields: dict[str, msgspec.Raw]
    messages: list[msgspec.Raw]
    values: dict[str, Any] = attrs.field(factory=dict)
    """The fields of a request body or file but ``messages`` and ``system``, decoded."""
    size: int | None = None
    """The size of the input as compact JSON."""
    messages_known: bool = True
    """False when ``messages`` is not an array (reported): how many messages it holds is unknown."""


def split_jsonl(buf: bytes) -> bytes | None:
    """Turn JSON Lines holding one message per line into a JSON array, or None."""
    lines = [line.strip() for line in buf.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) < 2 or not all(line.startswith(b"{") for line in lines):
        return None
    return b"[" + b",".join(lines) + b"]"


def _text_bytes(data: object) -> bytes | None:
    """The bytes of input that may be JSON Lines: bytes, or text that is valid Unicode."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        try:
            return data.encode()
        except UnicodeEncodeError:
            return None
    return None


def _first_bad_line(buf: bytes) -> str | None:
    """What is wrong with the first line of JSON Lines that does not read on its own, if one does not."""
    for number, line in enumerate(buf.splitlines(), 1):
        if line.strip():
            try:
                to_json_bytes(line)
            except InputError as exc:
                return f"line {number}: {exc}"
    return None


def decode_body(data: object, sink: Sink) -> Body:
    """Split any accepted input into its raw parts.  Unreadable input raises InputError."""
    try:
        buf = to_json_bytes(data)
    except InputError:
        raw = _text_bytes(data)
        joined = None if raw is None else split_jsonl(raw)
        if raw is None or joined is None:
            raise
        try:
            return decode_body(joined, sink)
        except InputError as exc:
            raise InputError(_first_bad_line(raw) or str(exc)) from None
    try:
        top = _top_decoder.decode(buf)
    except msgspec.ValidationError as exc:
        raise InputError(f"expected a messages array or a request object, {_lower(exc)}") from None
    except msgspec.DecodeError as exc:  # pragma: no cover - format() already parsed it
        raise InputError(f"input is not valid JSON: {exc}") from None
    if isinstance(top, list):
        return Body("messages", {}, top)
    if "messages" not in top:
        if top.get("type") == msgspec.Raw(b'"message"') and "content" in top:
            return Body("response", top, [])
        if "role" in top and "content" in top:  # one message (JSON Lines of a single line)
            return Body("messages", {}, [msgspec.Raw(buf)])
        if top.get("type") == msgspec.Raw(b'"error"'):
            error = readable(top.get("error", b"null"), ("error",))
            what = error.get("message") if isinstance(error, dict) else None
            raise InputError(f"this is an API error response, not a conversation or a message: {what!r}")
        raise InputError("expected a messages array or an object with a 'messages' key")
    values = _values({name: raw for name, raw in top.items() if name != "messages"})
    messages = split_list(top["messages"], ("messages",), "messages-invalid", sink)
    kind = "request"
    if "convo" in top:  # a saved conversation file: refuse a header this convo cannot read
        kind = "file"
        check_file_header(values)
    known = bool(messages) or top["messages"] == _EMPTY_ARRAY  # compact: [] is the one empty array
    return Body(kind, top, messages, values, len(buf), messages_known=known)


_EMPTY_ARRAY: Final = msgspec.Raw(b"[]")


def split_list(raw: msgspec.Raw, path: Path, code: str, sink: Sink) -> list[msgspec.Raw]:
    """The raw spans of a JSON array; anything else is reported as ``code`` and reads as empty.
    A value that does not decode at all (1e999) is unreadable input instead (:func:`readable`)."""
    try:
        return _raw_list_decoder.decode(raw)
    except msgspec.ValidationError:
        readable(raw, path)
        sink(problem(code, path, f"'{path[-1]}' must be an array"))
        return []


def _values(fields: dict[str, msgspec.Raw]) -> dict[str, Any]:
    """The top-level fields decoded, but ``system``: that one is typed (:func:`decode_system`)."""
    return {name: readable(raw, (name,)) for name, raw in fields.items() if name != "system"}


def readable(raw: msgspec.Raw | bytes, path: Path) -> Any:
    """Decode the plain data found at ``path``.  A value JSON allows but Python cannot hold
    (1e999) is unreadable input, raised with its own path."""
    try:
        return _any_decoder.decode(raw)
    except msgspec.ValidationError as exc:
        detail = _lower(exc).partition(" - at ")[0]  # msgspec's own path, `$[...][0]`, names no key
        raise InputError(detail, path=pointer(_unreadable_at(raw, path))) from None
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8", path=pointer(path)) from None


def _unreadable_at(raw: msgspec.Raw | bytes, path: Path) -> Path:
    """The path of the first value in ``raw`` (found at ``path``) that does not decode: down
    through the first member of each array or object that does not.  Only for an error."""
    while True:
        try:
            members = _top_decoder.decode(raw)
        except msgspec.ValidationError:  # not an array or an object: this value
            return path
        pairs = members.items() if isinstance(members, dict) else enumerate(members)
        bad = next(((key, item) for key, item in pairs if not _decodes(item)), None)
        if bad is None:  # a later duplicate key hid the value: its object is as near as it gets
            return path
        path, raw = (*path, bad[0]), bad[1]


def _decodes(raw: msgspec.Raw) -> bool:
    try:
        _any_decoder.decode(raw)
    except msgspec.ValidationError:
        return False
    return True


def _lower(exc: Exception) -> str:
    text = str(exc)
    return text[:1].lower() + text[1:]


def decode_turn(raw: bytes, index: int) -> Message:
    """The message at ``index`` read on its own from its compact wire bytes, as
    :meth:`convo.Conversation.from_wire` reads it: typed, or refused with every error in it
    (:class:`convo.ValidationError`).  Its place in a conversation is checked by ``append``."""
    problems: list[Problem] = []
    message = decode_message(raw, ("messages", index), problems.append)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(errors)
    return message


def decode_message(raw: bytes, path: Path, sink: Sink) -> Message:
    """Decode one message from its compact wire bytes, reporting what is wrong with it at its
    ``path`` (``("messages", index)`` in a request body)."""
    try:
        typed = _message_decoder.decode(raw)
    except msgspec.ValidationError:
        return _decode_message_slowly(raw, path, sink)
    if typed.role not in ROLES:
        sink(_role_invalid(typed.role, path))
    return Message._from_wire(cast(Role, typed.role), typed.content, raw)


_MISSING: Final = object()


def _role_invalid(given: object, path: Path) -> Problem:
    if given is _MISSING:
        return problem("role-invalid", (*path, "role"), "role is missing")
    what = repr(given) if isinstance(given, str) else type_name(given)
    return problem("role-invalid", (*path, "role"), f"role is {what}, not one of user, assistant, system")


NO_ROLE: Final = cast(Role, "")
"""The role of a message that has none, or none that is a string (reported as role-invalid).
Like any invalid role, it is kept as it is rather than guessed: the validator checks nothing
that would depend on it."""


def _a(role: str) -> str:
    if role not in ROLES:
        return "a"  # what an invalid role's message takes is unknown
    return f"an {role}" if role == "assistant" else f"a {role}"


def _fields_of(role: str) -> frozenset[str]:
    """The fields a message of ``role`` takes; for an invalid role, those any message takes."""
    return MESSAGE_FIELDS if role == "user" or role == "assistant" else MESSAGE_FIELDS | SYSTEM_MESSAGE_FIELDS


def _decode_message_slowly(raw: bytes, path: Path, sink: Sink) -> Message:
    obj = readable(raw, path)
    if not isinstance(obj, dict):
        sink(problem("message-malformed", path, f"a message must be an object, not {type_name(obj)}"))
        return Message._from_wire(NO_ROLE, (_placeholder(obj),), raw)
    given = obj.get("role")
    role = (
        cast(Role, given) if isinstance(given, str) else NO_ROLE
    )  # kept as given, as decode_message keeps it
    if role not in ROLES:
        sink(_role_invalid(given if "role" in obj else _MISSING, path))
    fields = _fields_of(role)
    for key in [key for key in obj if key not in fields]:  # kept in the bytes, as given
        sink(problem("message-field-unknown", (*path, key), f"{key!r} is not a field of {_a(role)} message"))
    if role == "system" and not SYSTEM_MESSAGE_FIELDS.isdisjoint(obj):
        _system_fields(obj, path, sink)
    content = obj.get("content")
    if content is None and role == "system" and "output_config" in obj and "content" not in obj:
        content = ""  # a change of effort alone: the beta system message needs one or the other (§1.1)
    if isinstance(content, str):
        return Message._from_wire(role, content, raw)
    if not isinstance(content, list):
        what = "missing" if "content" not in obj else type_name(content)
        sink(
            problem(
                "message-malformed", (*path, "content"), f"content must be a string or an array, not {what}"
            )
        )
        return Message._from_wire(role, (_placeholder(content),), raw)
    blocks = tuple(decode_block(item, (*path, "content", j), sink) for j, item in enumerate(content))
    return Message._from_wire(role, blocks, raw)


def _system_fields(obj: dict[str, Any], path: Path, sink: Sink) -> None:
    """The beta fields of a system message (§1.1; the SDK's ``BetaSystemMessageParam``):
    ``clear_at`` and ``output_config``, each also null.  Whether the message says enough, with
    or without content, and whether the model takes its effort, is the validator's."""
    clear_at = obj.get("clear_at")
    if clear_at is not None and clear_at not in CLEAR_AT:
        expected = " or ".join(map(repr, CLEAR_AT))
        sink(problem("message-malformed", (*path, "clear_at"), f"clear_at is {expected}, not {clear_at!r}"))
    config = obj.get("output_config")
    if config is None:
        return
    if not isinstance(config, dict):
        sink(
            problem(
                "message-malformed",
                (*path, "output_config"),
                f"a system message's output_config must be an object, not {type_name(config)}",
            )
        )
        return
    what = "a system message's output_config"
    for key, message in unknown_fields(config, SYSTEM_OUTPUT_CONFIG_FIELDS, what):
        if key == "format":  # a real field, in the wrong place: the API refuses it here
            message = "output_config.format is top-level only: give it in the request's output_config"
            sink(problem("message-malformed", (*path, "output_config", key), message))
        else:
            sink(problem("message-field-unknown", (*path, "output_config", key), message))
    effort = config.get("effort")
    if effort is not None and not (isinstance(effort, str) and effort in EFFORT_LEVELS):
        levels = ", ".join(EFFORT_ORDER)
        sink(
            problem(
                "message-malformed",
                (*path, "output_config", "effort"),
                f"effort must be one of {levels}, not {effort!r}",
            )
        )


def decode_block(obj: Any, path: Path, sink: Sink) -> Block:
    """Type one block given as plain data; unknown or malformed blocks become OpaqueBlock."""
    if not isinstance(obj, dict):
        sink(problem("block-malformed", path, f"a content block must be an object, not {type_name(obj)}"))
        return _placeholder(obj)
    tag = obj.get("type")
    cls = BLOCK_TYPES.get(tag) if isinstance(tag, str) else None
    if cls is None:
        if isinstance(tag, str) and tag:
            sink(problem("block-unknown", path, f"block type {tag!r} is not known to this release"))
        else:
            sink(problem("block-malformed", path, "a content block needs a string 'type'"))
        return OpaqueBlock(obj)
    obj = _known_fields(cls, obj, path, sink)
    try:
        return cast(Block, msgspec.convert(obj, type=cls))
    except msgspec.ValidationError as exc:
        nested = _nested_content(cls, obj, path, sink)
        if nested is not None:
            return nested
        nulls = [key for key in _unnullable(cls) if key in obj and obj[key] is None]
        for key in nulls:
            message = f"{key} may not be null in a {tag!r} block: leave it out"
            sink(problem("block-malformed", (*path, key), message))
        if not nulls:
            sink(problem("block-malformed", path, f"malformed {tag!r} block: {_lower(exc)}"))
        return OpaqueBlock(obj)


@functools.cache
def _unnullable(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    """The wire names of the optional fields of a block type that do not take null (``Omittable``)."""
    fields = cast(msgspec.inspect.StructType, msgspec.inspect.type_info(cls)).fields
    return tuple(field.encode_name for field in fields if not field.required and not _takes_null(field.type))


def _takes_null(kind: msgspec.inspect.Type) -> bool:
    """Whether a field of this type decodes a JSON null."""
    if isinstance(kind, msgspec.inspect.UnionType):
        return any(_takes_null(member) for member in kind.types)
    return isinstance(kind, msgspec.inspect.NoneType | msgspec.inspect.AnyType)


def _known_fields(cls: type[msgspec.Struct], obj: dict[str, Any], path: Path, sink: Sink) -> dict[str, Any]:
    """The block without the fields this release does not know (reported; they stay in the
    wire bytes), and without a cache marker of the wrong shape (reported)."""
    fields = cls.__struct_encode_fields__
    what = f"a {cls.__struct_config__.tag} block"
    marker = obj.get("cache_control")
    if isinstance(marker, dict) and not marker.keys() <= MARKER_FIELDS:
        for key, message in unknown_fields(marker, MARKER_FIELDS, "cache_control"):
            sink(problem("block-field-unknown", (*path, "cache_control", key), message))
        marker = {k: v for k, v in marker.items() if k in MARKER_FIELDS}
        obj = {**obj, "cache_control": marker}
    if marker is not None and not _marker_shaped(marker):
        # The API rejects the marker, and the block is fine: cache-control-invalid at the
        # marker, as for a wrong type or ttl value (convo/_rules.py), not a malformed block.
        sink(problem("cache-control-invalid", (*path, "cache_control"), marker_fault(marker)))
        obj = {key: value for key, value in obj.items() if key != "cache_control"}
    if all(key in fields or key == "type" for key in obj):
        return obj
    for key, message in unknown_fields(obj, {*fields, "type"}, what):
        sink(problem("block-field-unknown", (*path, key), message))
    return {key: value for key, value in obj.items() if key in fields or key == "type"}


def _marker_shaped(marker: object) -> bool:
    """Whether a cache marker has the JSON types of :class:`CacheControl`: an object with a
    string ``type`` and, if given, a string ``ttl`` (their values are the rules' to check)."""
    return (
        isinstance(marker, dict)
        and isinstance(marker.get("type"), str)
        and isinstance(marker.get("ttl", ""), str)
    )


def _nested_content(cls: type, obj: dict[str, Any], path: Path, sink: Sink) -> Block | None:
    """Retry a tool_result / search_result whose nested content failed, block by block."""
    content = obj.get("content")
    if cls not in (ToolResultBlock, SearchResultBlock) or not isinstance(content, list):
        return None
    try:
        shell = msgspec.convert({**obj, "content": []}, type=cls)
    except msgspec.ValidationError:
        return None
    inner = tuple(decode_block(item, (*path, "content", k), sink) for k, item in enumerate(content))
    return cast(Block, msgspec.structs.replace(shell, content=inner))


def decode_system(raw: msgspec.Raw, sink: Sink) -> str | tuple[Block, ...]:
    """Decode the top-level ``system``: a string or text blocks.  Unreadable data raises
    :class:`InputError`."""
    try:
        return cast("str | tuple[Block, ...]", _system_decoder.decode(raw))
    except (msgspec.ValidationError, UnicodeDecodeError):
        pass
    value = readable(raw, ("system",))  # says what is unreadable
    if not isinstance(value, list):
        sink(
            problem(
                "system-invalid", ("system",), f"system must be a string or an array, not {type_name(value)}"
            )
        )
        return ""
    return tuple(decode_block(item, ("system", j), sink) for j, item in enumerate(value))


def _placeholder(value: object) -> OpaqueBlock:
    """Stands in for content that is not a block, so one problem is not reported twice."""
    return OpaqueBlock({"type": "", "value": value})


def encode_list(items: list[bytes]) -> bytes:
    """Join encoded JSON values into a JSON array."""
    return b"[" + b",".join(items) + b"]"
