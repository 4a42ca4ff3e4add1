"""Prompt-cache breakpoints: where convo places them, and what a request will read and write.

Everything here is a pure function of request parts: the ``system`` bytes, the ``tools``
entries' bytes and each message's exact wire bytes (``docs/caching.md`` explains the choices).

The cache model (api-rules §5) is the one the documented semantics give:

* the prefix is a sequence of *positions*, one per tool definition, per system block and per
  top-level message content block (string content is one position), in the order tools, system,
  messages; a position's cache key covers everything up to and including it;
* a write happens only at a breakpoint whose prefix reaches the model's minimum length, and is
  one entry keyed by that prefix;
* a read looks, from each breakpoint, at the breakpoint's own position and up to 19 before it
  for an entry; the furthest entry found is read;
* tokens from the read up to the furthest breakpoint are written (at 2x up to the last ``1h``
  breakpoint, at 1.25x after it), tokens after the last breakpoint are plain input.

Adding a mark rewrites only the marked block: the message (or tool, or system) is split into
raw spans with msgspec, the block gets its ``cache_control`` key, and every other byte is kept,
number literals and key order included.  String content becomes a one-text-block list only
when a breakpoint must go on it.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, final

import attrs
import msgspec

from ._blocks import BLOCK_TYPES
from ._codec import decode_block
from ._errors import InvalidArgument, Path, ValidationError, pointer
from ._fields import HOLDS
from ._models import model_given, profile
from ._params import param_json
from ._rules import UNMARKABLE_BLOCKS
from ._tokens import BLOCK_OVERHEAD, MESSAGE_OVERHEAD, TOOLS_OVERHEAD, Estimate, _block, _Rates, _tool

if TYPE_CHECKING:
    pass

__all__ = [
    "AUTO",
    "CacheBreakpoint",
    "CachePolicy",
    "CachePrediction",
    "Placed",
    "cache_breakpoints",
    "place",
    "place_cache",
    "policy_for",
    "position_tokens",
    "predict_cache",
    "prewarm",
    "unmarked_message",
]

TTL: TypeAlias = Literal["5m", "1h"]
Source: TypeAlias = Literal["user", "convo", "automatic"]
MissReason: TypeAlias = Literal[
    "model_changed", "system_changed", "tools_changed", "messages_changed", "unavailable"
]

#: At most this many breakpoints per request, the top-level automatic one included (§5.1).
MAX_BREAKPOINTS: Final = 4
#: A read looks at the breakpoint's position and this many minus one before it (§5.6).
LOOKBACK: Final = 20
#: Entry lifetimes in seconds (§5.3, §5.11).
TTL_SECONDS: Final[Mapping[str, float]] = {"5m": 300.0, "1h": 3600.0}
#: Price multipliers relative to base input tokens (§5.10).
WRITE_PRICE: Final[Mapping[str, float]] = {"5m": 1.25, "1h": 2.0}
READ_PRICE: Final = 0.1
#: A hold mark is at most this many lookback positions before the end of its request; the next
#: request has a mark fewer than ``LOOKBACK - HOLD_REACH`` positions after that end (its hold,
#: or a bridge), so after a pause it still reads the hold back.
HOLD_REACH: Final = LOOKBACK - 4
#: Seconds after the start of the last request when a person's silence calls for a pre-warm
#: (:func:`prewarm`): before its 5-minute entries expire, since their lifetime runs from the
#: request's start (§5.11).
PREWARM_AFTER: Final = 270.0

_raw_dict: Final = msgspec.json.Decoder(dict[str, msgspec.Raw])
_raw_list: Final = msgspec.json.Decoder(list[msgspec.Raw])
_any: Final = msgspec.json.Decoder()
_encode: Final = msgspec.json.Encoder()
_MARKER: Final[Mapping[str, bytes]] = {
    "5m": b'{"type":"ephemeral"}',
    "1h": b'{"type":"ephemeral","ttl":"1h"}',
}
#: The types of the blocks that cannot carry cache_control (:data:`convo._rules.UNMARKABLE_BLOCKS`:
#: thinking, and the beta blocks whose SDK params have no such field).  A block type newer than
#: this release may not take one either: convo places none on it.
_INELIGIBLE: Final = frozenset(tag for tag, cls in BLOCK_TYPES.items() if cls in UNMARKABLE_BLOCKS)


Kind: TypeAlias = Literal["tool", "system", "block", "string"]


def position_tokens(kind: Kind, data: bytes, *, first: bool = False, model: str | None = None) -> int:
    """convo's local estimate of one prefix position, the :class:`convo.LocalCounter` one.

    ``kind`` is ``"tool"`` (a tool definition, and for a tool the API defines, the definition
    the model reads in its place; the first also carries the hidden tool-use prompt),
    ``"system"`` (the system string, or one system block), ``"block"`` (a message's content
    block; the first also carries the message's own overhead) or ``"string"`` (a message's
    string content); ``data`` is its JSON, without ``cache_control``.  It errs high, as the
    counter does: a prefix convo takes to reach the minimum may fall a little short.

    >>> position_tokens("string", b'"Hello there, how are you today?"', model="claude-sonnet-4-5")
    17
    """
    return _position_tokens(kind, data, first, _rates(model))


def _rates(model: str | None) -> _Rates:
    return _Rates.of(profile(model))  # not cached by model: a registered profile changes it


def _position_tokens(kind: Kind, data: bytes, first: bool, r: _Rates) -> int:
    try:
        value = _any.decode(data)
    except msgspec.DecodeError:  # pragma: no cover - the span was split from valid JSON
        return (len(data) + 3) // 4
    if kind == "string":
        text = value if isinstance(value, str) else ""
        return math.ceil(MESSAGE_OVERHEAD + BLOCK_OVERHEAD + r.text(text))
    if kind == "tool":  # with the definition the model reads for a tool the API defines
        return (_tool(value, r) + Estimate(constant=TOOLS_OVERHEAD if first else 0)).tokens(1.0)
    if kind == "system" and isinstance(value, str):  # counted as the text block it stands for
        return math.ceil(BLOCK_OVERHEAD + r.text(value))
    estimate = _block(decode_block(value, (), lambda p: None), r, True)
    return estimate.tokens(1.0) + (MESSAGE_OVERHEAD if kind == "block" and first else 0)


# -- the policy ----------------------------------------------------------------------------------


def _ttl_value(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in ("5m", "1h") and not (value is None and attribute.name == "prefix_ttl"):
        raise InvalidArgument(f"CachePolicy.{attribute.name} must be '5m' or '1h', not {value!r}")


@final
@attrs.frozen(kw_only=True)
class CachePolicy:
    """How convo places prompt-cache breakpoints (``conv.request(..., cache=CachePolicy(...))``).

    ``cache="auto"`` is ``CachePolicy()``.  convo marks, in this order of priority and within
    ``max_breakpoints`` (the user's own marks and a top-level ``cache_control`` count):

    1. the *tail*: the last block that can carry a mark, so the next turn reads this one;
    2. a *bridge*: the end of the previous request, when this turn added ``bridge`` or more
       blocks since (the API looks back only 20 positions from a breakpoint).  When a person's
       turn follows an answer that short, it goes on the answer's end, which also reads what
       :func:`prewarm` wrote; after a longer answer, a second bridge goes there if a slot is left;
    3. an *anchor*: the end of the stable prefix (the last system block, or the last tool), so
       an edited or trimmed history, or another conversation with the same prompt, still reads
       it.

    With ``long_pauses`` (a person may take more than five minutes to reply), convo also
    *holds* the conversation for an hour, after the bridge and before the anchor: a ``1h``
    mark on the first block after the previous request's end (on a conversation's first
    request, on the tail).  Only what that mark adds is written at the 1h price; after a pause
    of up to an hour the next request still reads everything but the last turn.

    A prefix shorter than the model's minimum (``profile(model).cache_min_tokens``, or
    ``min_tokens``) is never marked.  ``ttl`` is the TTL of convo's marks; ``prefix_ttl``, if
    given, that of the anchor (``"1h"`` keeps the system prompt over pauses longer than five
    minutes).  The user's own marks stay where they are unless ``move_user_marks``.

    >>> CachePolicy(ttl="1h").ttl
    '1h'
    >>> CachePolicy(prefix_ttl="5m", ttl="1h")
    Traceback (most recent call last):
    ...
    convo._errors.InvalidArgument: CachePolicy: a 1h ttl cannot follow a 5m prefix_ttl (longer TTLs come first)
    """

    ttl: TTL = attrs.field(default="5m", validator=_ttl_value)
    prefix_ttl: TTL | None = attrs.field(default=None, validator=_ttl_value)
    max_breakpoints: int = MAX_BREAKPOINTS
    bridge: int = 16
    anchor: bool = True
    long_pauses: bool = False
    move_user_marks: bool = False
    min_tokens: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.prefix_ttl == "5m" and self.ttl == "1h":
            raise InvalidArgument(
                "CachePolicy: a 1h ttl cannot follow a 5m prefix_ttl (longer TTLs come first)"
            )
        if not _count(self.max_breakpoints) or not 0 <= self.max_breakpoints <= MAX_BREAKPOINTS:
            raise InvalidArgument(f"CachePolicy.max_breakpoints must be 0 to 4, not {self.max_breakpoints!r}")
        if not _count(self.bridge) or not 1 <= self.bridge <= LOOKBACK:
            raise InvalidArgument(f"CachePolicy.bridge must be 1 to {LOOKBACK}, not {self.bridge!r}")
        if self.min_tokens is not None and (not _count(self.min_tokens) or self.min_tokens < 0):
            raise InvalidArgument(
                f"CachePolicy.min_tokens must be a non-negative int, not {self.min_tokens!r}"
            )
        for name in ("anchor", "long_pauses", "move_user_marks"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidArgument(
                    f"CachePolicy.{name} must be True or False, not {getattr(self, name)!r}"
                )


def _count(value: object) -> bool:
    """An int that is not a bool (``True`` is not a number of breakpoints)."""
    return isinstance(value, int) and not isinstance(value, bool)


AUTO: Final = CachePolicy()
"""The policy ``cache="auto"`` stands for."""


def policy_for(cache: object) -> CachePolicy | None:
    """The policy a ``cache=`` argument stands for: ``"auto"``, ``None`` (no placement) or a policy."""
    if cache is None or isinstance(cache, CachePolicy):
        return cache
    if cache == "auto":
        return AUTO
    raise InvalidArgument(f"cache must be 'auto', None or a convo.CachePolicy, not {cache!r}")


# -- reading blocks ------------------------------------------------------------------------------


class _Block(msgspec.Struct, frozen=True, gc=False):
    """What placement and the cache model need to know about one position."""

    key: bytes  # the bytes the cache key covers: no cache_control, string content as a text block
    tokens: int
    eligible: bool  # can carry cache_control (not thinking, not empty text)
    ttl: TTL | None  # the block's own mark
    # marks in the blocks it holds (_held): path, ttl, tokens up to it
    nested: tuple[tuple[Path, TTL, int], ...]
    width: int  # lookback positions it may take, counting nested blocks (for bridging)
    kind: str | None = None  # the block's type


class _Msg(msgspec.Struct, frozen=True, gc=False):
    string: bool
    blocks: tuple[_Block, ...]
    role: object = None
    head: bytes = b""  # the role (and any other field), part of the first position's key


def _mark_ttl(raw: msgspec.Raw | None) -> TTL | None:
    """The TTL a raw ``cache_control`` value stands for; a malformed one counts as ``5m``."""
    if raw is None or bytes(raw) == b"null":
        return None
    try:
        value = _any.decode(raw)
    except msgspec.DecodeError:  # pragma: no cover - the span was split from valid JSON
        return "5m"
    if isinstance(value, dict) and value.get("ttl") == "1h":
        return "1h"
    return "5m"


def _text_block(text_raw: bytes) -> bytes:
    return b'{"type":"text","text":' + text_raw + b"}"


def _kind(fields: Mapping[str, msgspec.Raw]) -> str | None:
    """A block's ``type``, if it is a string."""
    raw = fields.get("type")
    kind = _any.decode(raw) if raw is not None else None
    return kind if isinstance(kind, str) else None


def _held(fields: Mapping[str, msgspec.Raw]) -> list[tuple[Path, msgspec.Raw]]:
    """The blocks a block holds, which may carry marks of their own (:data:`HOLDS`), each with
    its path in the block."""
    route = HOLDS.get(_kind(fields) or "", ())
    if not route:
        return []
    inner = fields
    for name in route[:-1]:
        step = inner.get(name)
        if step is None or bytes(step)[:1] != b"{":
            return []
        inner = _raw_dict.decode(step)
    value = inner.get(route[-1])
    if value is None:
        return []
    if bytes(value)[:1] == b"[":
        return [((*route, k), item) for k, item in enumerate(_raw_list.decode(value))]
    return [(route, value)] if bytes(value)[:1] == b"{" else []


def _strip(fields: Mapping[str, msgspec.Raw]) -> bytes:
    """The bytes of a block without its cache_control, nor any in the blocks it holds."""
    out = {k: v for k, v in fields.items() if k != "cache_control"}
    route = HOLDS.get(_kind(out) or "", ())
    if route and route[0] in out and b'"cache_control"' in bytes(out[route[0]]):
        out[route[0]] = msgspec.Raw(_strip_held(out[route[0]], route[1:]))
    return _encode.encode(out)


def _strip_held(value: msgspec.Raw, route: tuple[str, ...]) -> bytes:
    """``value``, a step on a block's route to the blocks it holds (the rest of the ``route``),
    without the marks of those blocks."""
    raw = bytes(value)
    if raw[:1] == b"[" and not route:
        return b"[" + b",".join(_strip_item(item) for item in _raw_list.decode(value)) + b"]"
    if raw[:1] != b"{":
        return raw
    if not route:
        return _strip(_raw_dict.decode(value))
    fields = _raw_dict.decode(value)
    if route[0] in fields:
        fields[route[0]] = msgspec.Raw(_strip_held(fields[route[0]], route[1:]))
    return _encode.encode(fields)


def _strip_item(item: msgspec.Raw) -> bytes:
    try:
        return _strip(_raw_dict.decode(item))
    except msgspec.ValidationError:  # not an object: the validator reports it
        return bytes(item)


def _inner_marks(fields: Mapping[str, msgspec.Raw], marks: list[tuple[Path, TTL]], at: Path = ()) -> int:
    """Collect the marks of the blocks a block holds (:func:`_held`, at any depth), with their
    paths from the outer block; the number of blocks inside."""
    width = 0
    for where, item in _held(fields):
        width += 1
        try:
            sub = _raw_dict.decode(item)
        except msgspec.ValidationError:
            continue
        here: Path = (*at, *where)
        mark = _mark_ttl(sub.get("cache_control"))
        if mark is not None:
            marks.append((here, mark))
        width += _inner_marks(sub, marks, here)
    return width


def _cut(fields: Mapping[str, msgspec.Raw], path: Path) -> dict[str, msgspec.Raw]:
    """``fields``, a block's, without the blocks it holds after the one at ``path`` (a path from
    :func:`_inner_marks`): what the prefix of a mark on that nested block ends with."""
    route = HOLDS[_kind(fields) or ""]
    return _cut_route(fields, route, path[len(route) :])


def _cut_route(
    fields: Mapping[str, msgspec.Raw], route: tuple[str, ...], rest: Path
) -> dict[str, msgspec.Raw]:
    """``fields`` with the value at the end of ``route`` cut after the block at ``rest``."""
    out = dict(fields)
    value = out[route[0]]
    if len(route) > 1:
        out[route[0]] = msgspec.Raw(_encode.encode(_cut_route(_raw_dict.decode(value), route[1:], rest)))
    elif bytes(value)[:1] == b"[":
        k, inside = int(rest[0]), rest[1:]
        items = _raw_list.decode(value)[: k + 1]
        if inside:
            items[k] = msgspec.Raw(_encode.encode(_cut(_raw_dict.decode(items[k]), inside)))
        out[route[0]] = msgspec.Raw(_encode.encode(items))
    elif rest:
        out[route[0]] = msgspec.Raw(_encode.encode(_cut(_raw_dict.decode(value), rest)))
    return out


def _scan_block(raw: bytes, r: _Rates, kind_of: Kind = "block", first: bool = False) -> _Block:
    try:
        fields = _raw_dict.decode(raw)
    except msgspec.ValidationError:  # not an object: the validator reports it
        return _Block(raw, (len(raw) + 3) // 4, False, None, (), 1)
    kind = _kind(fields)
    eligible = kind not in _INELIGIBLE and (kind_of != "block" or kind in BLOCK_TYPES)
    if kind == "text":
        text = _any.decode(fields["text"]) if "text" in fields else None
        eligible = isinstance(text, str) and bool(text.strip())
    ttl = _mark_ttl(fields.get("cache_control"))
    nested: list[tuple[Path, TTL]] = []
    width = 1 + _inner_marks(fields, nested)
    key = _strip(fields) if b'"cache_control"' in raw else raw
    tokens = _position_tokens(kind_of, key, first, r)
    # a nested mark caches the prefix up to its block, not the rest of the outer one (§5.1)
    ends = tuple(
        (where, mark, _position_tokens(kind_of, _strip(_cut(fields, where)), first, r))
        for where, mark in nested
    )
    return _Block(key, tokens, eligible, ttl, ends, width, kind)


@functools.lru_cache(maxsize=2048)
def _scan_message(wire: bytes, r: _Rates) -> _Msg:
    fields = _raw_dict.decode(wire)
    content = bytes(fields.get("content", msgspec.Raw(b'""')))
    head = _encode.encode({k: v for k, v in fields.items() if k != "content"})  # role and the rest
    role = _any.decode(fields["role"]) if "role" in fields else None
    if content[:1] == b'"':
        text = _any.decode(content)
        block = _Block(
            head + _text_block(content),
            _position_tokens("string", content, True, r),
            isinstance(text, str) and bool(text.strip()),
            None,
            (),
            1,
        )
        return _Msg(True, (block,), role, head)
    blocks = [_scan_block(bytes(b), r, "block", k == 0) for k, b in enumerate(_raw_list.decode(content))]
    if blocks:  # the role (and any other field) belongs to the message's first position
        blocks[0] = msgspec.structs.replace(blocks[0], key=head + blocks[0].key)
    return _Msg(False, tuple(blocks), role, head)


def _scan_system(wire: bytes, r: _Rates) -> _Msg:
    if wire[:1] == b'"':
        text = _any.decode(wire)
        ok = isinstance(text, str) and bool(text.strip())
        tokens = _position_tokens("system", wire, True, r)
        return _Msg(True, (_Block(_text_block(wire), tokens, ok, None, (), 1),))
    try:
        items = _raw_list.decode(wire)
    except msgspec.ValidationError:
        return _Msg(True, ())
    return _Msg(False, tuple(_scan_block(bytes(b), r, "system", k == 0) for k, b in enumerate(items)))


def _scan_tool(wire: bytes, r: _Rates, first: bool) -> _Block:
    block = _scan_block(wire, r, "tool", first)
    # a tool with defer_loading cannot carry cache_control (rule cache-control-ineligible)
    flag = _raw_dict.decode(wire).get("defer_loading") if b'"defer_loading"' in wire else None
    deferred = flag is not None and _any.decode(flag) is True
    return msgspec.structs.replace(block, eligible=not deferred, nested=(), width=1)


# -- the layout of a request ---------------------------------------------------------------------


class _Slot(msgspec.Struct, frozen=True, gc=False):
    area: Literal["tools", "system", "messages"]
    path: Path  # where a mark goes: ("tools", 2), ("system",), ("messages", 4, "content", 1), ...
    message: int  # index of the message, -1 for tools and system
    block: _Block


def _layout(
    system: bytes | None, tools: Sequence[bytes], messages: Sequence[bytes], model: str | None
) -> list[_Slot]:
    r = _rates(model)
    slots = [_Slot("tools", ("tools", i), -1, _scan_tool(w, r, i == 0)) for i, w in enumerate(tools)]
    if system is not None:
        prompt = _scan_system(system, r)
        if prompt.string:
            slots.extend(_Slot("system", ("system",), -1, b) for b in prompt.blocks)
        else:
            slots.extend(_Slot("system", ("system", k), -1, b) for k, b in enumerate(prompt.blocks))
    scanned = [_scan_message(wire, r) for wire in messages]
    if not r.keeps_prior_thinking:
        scanned = _without_prior_thinking(scanned)
    for i, msg in enumerate(scanned):
        if msg.string:
            slots.append(_Slot("messages", ("messages", i, "content"), i, msg.blocks[0]))
        else:
            slots.extend(
                _Slot("messages", ("messages", i, "content", k), i, b) for k, b in enumerate(msg.blocks)
            )
    return slots


def _without_prior_thinking(scanned: list[_Msg]) -> list[_Msg]:
    """The messages as a model that drops earlier turns' thinking sees them (§4.10, §5.9): the
    thinking of assistant turns before the turn being answered (the last user turn that is not
    only tool results) leaves the prompt, so a new user turn changes the cached messages from
    the first such block on.  A dropped block keeps its position (with no tokens), so paths
    still point where they did."""
    start = next(
        (
            i
            for i in range(len(scanned) - 1, -1, -1)
            if scanned[i].role == "user" and not any(b.kind == "tool_result" for b in scanned[i].blocks)
        ),
        0,
    )
    out = list(scanned)
    for i in range(start):
        msg = scanned[i]
        if msg.role != "assistant" or not any(b.kind in _THINKING for b in msg.blocks):
            continue
        blocks = tuple(
            msgspec.structs.replace(b, key=(msg.head if k == 0 else b"") + _DROPPED, tokens=0)
            if b.kind in _THINKING
            else b
            for k, b in enumerate(msg.blocks)
        )
        out[i] = msgspec.structs.replace(msg, blocks=blocks)
    return out


_THINKING: Final = frozenset({"thinking", "redacted_thinking"})
_DROPPED: Final = b"(thinking dropped)"


def _cumulative(slots: Sequence[_Slot]) -> list[int]:
    total = 0
    out = []
    for slot in slots:
        total += slot.block.tokens
        out.append(total)
    return out


def _last_eligible(slots: Sequence[_Slot], end: int) -> int | None:
    """The last position at or before ``end`` that can carry a mark (the automatic walk-back)."""
    for i in range(min(end, len(slots) - 1), -1, -1):
        if slots[i].block.eligible:
            return i
    return None


def _previous_end(slots: Sequence[_Slot], roles: Sequence[str]) -> int | None:
    """The last position of the previous request: the end of the message before the last
    assistant message, which is the previous request's answer.  That message is the turn it
    answered, or, after a ``pause_turn`` (§3.10), the paused assistant message it continued."""
    answer = _last_answer(roles)
    return _message_end(slots, answer - 1) if answer is not None and answer > 0 else None


def _last_answer(roles: Sequence[str]) -> int | None:
    """The index of the last assistant message, or None if there is none."""
    last = len(roles) - 1
    while last >= 0 and roles[last] != "assistant":
        last -= 1
    return last if last >= 0 else None


def _message_end(slots: Sequence[_Slot], message: int) -> int | None:
    """The last position of a message (None if it has no block)."""
    end = None
    for i, slot in enumerate(slots):
        if slot.message == message:
            end = i
        elif slot.message > message:
            break
    return end


# -- placement -----------------------------------------------------------------------------------


@final
@attrs.frozen
class CacheBreakpoint:
    """One cache breakpoint of a request: where it is, its TTL, and who set it.

    ``tokens`` is the estimated length of the prefix it caches (everything up to and including
    the marked block: for a block nested in a tool result, not the rest of the result);
    ``source`` is ``"user"`` (a mark given with the content),
    ``"convo"`` (placed by convo) or ``"automatic"`` (the request's top-level
    ``cache_control``, which lands on the last block that can carry it).  Read from a body,
    every block mark is the ``"user"``'s: the body does not say who placed it.

    >>> import convo
    >>> conv = convo.Conversation().user("Hi")
    >>> req = conv.request(model="claude-opus-4-8", max_tokens=9, cache_control={"type": "ephemeral"})
    >>> req.breakpoints
    (CacheBreakpoint(path='/messages/0/content/0', ttl='5m', tokens=8, source='automatic'),)
    """

    path: str
    ttl: TTL
    tokens: int
    source: Source


@final
@attrs.frozen
class Placed:
    """The request parts with convo's marks added, and every breakpoint of the result."""

    system: bytes | None
    tools: tuple[bytes, ...] | None  # None: the request has no ``tools`` (``[]`` is kept as given)
    messages: tuple[bytes, ...]
    breakpoints: tuple[CacheBreakpoint, ...]

    def to_json(self) -> bytes:
        """``{"system"?, "tools"?, "messages"}`` as :meth:`convo.Conversation.to_json` writes it."""
        head = b"{"
        if self.system is not None:
            head += b'"system":' + self.system + b","
        if self.tools is not None:
            head += b'"tools":[' + b",".join(self.tools) + b"],"
        return head + b'"messages":[' + b",".join(self.messages) + b"]}"


def _left_waiting(message: bytes) -> Literal["tool_use", "server"] | None:
    """What a message's content leaves waiting, which no user turn may follow: a client
    ``tool_use`` (its result, §3.1), or a server tool call a paused turn left running (the
    turn's continuation, §3.10)."""
    try:
        content = _any.decode(_raw_dict.decode(message).get("content", msgspec.Raw(b'""')))
    except msgspec.ValidationError:
        return None
    blocks = [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []
    if any(b.get("type") == "tool_use" for b in blocks):
        return "tool_use"
    running = {b.get("id") for b in blocks if b.get("type") in ("server_tool_use", "mcp_tool_use")}
    answered = {b.get("tool_use_id") for b in blocks if isinstance(b.get("tool_use_id"), str)}
    return "server" if {i for i in running if isinstance(i, str)} - answered else None


def _roles(messages: Sequence[bytes]) -> list[str]:
    roles = []
    for wire in messages:
        try:
            role = _any.decode(_raw_dict.decode(wire).get("role", msgspec.Raw(b'""')))
        except msgspec.ValidationError:
            role = ""
        roles.append(role if isinstance(role, str) else "")
    return roles


def place(
    *,
    system: bytes | None,
    tools: Sequence[bytes] | None,
    messages: Sequence[bytes],
    min_tokens: int,
    policy: CachePolicy | None = AUTO,
    automatic: TTL | None = None,
    model: str | None = None,
) -> Placed:
    """Add convo's cache marks to request parts (pure: the same parts give the same bytes).

    ``system`` is the wire bytes of the top-level ``system`` (or None), ``tools`` those of each
    tool definition, ``messages`` each message's exact wire bytes.  ``automatic`` is the TTL of
    the request's top-level ``cache_control`` if it has one (it takes a slot and covers the
    tail).  ``policy=None`` changes nothing and only reports the breakpoints there are.

    >>> placed = place(system=b'"' + b"x" * 5000 + b'"', tools=[], messages=[b'{"role":"user","content":"Hi"}'],
    ...                min_tokens=1024)
    >>> placed.messages[0]
    b'{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]}'
    >>> [(b.path, b.ttl, b.source) for b in placed.breakpoints]
    [('/system/0', '5m', 'convo'), ('/messages/0/content/0', '5m', 'convo')]
    """
    given = tools is not None
    tools = tuple(tools or ())
    messages = tuple(messages)
    if policy is not None and policy.move_user_marks:
        system, tools, messages = _unmark(system, tools, messages)
    if policy is not None and policy.min_tokens is not None:
        min_tokens = policy.min_tokens
    slots = _layout(system, tools, messages, model)
    cum = _cumulative(slots)
    existing, auto_at = _existing(slots, automatic)
    chosen: dict[int, TTL] = {}
    if policy is not None and slots:
        chosen = _choose(slots, cum, messages, existing, auto_at, min_tokens, policy)
    placed = _apply(system, tools, messages, slots, cum, existing, chosen)
    return placed if given else attrs.evolve(placed, tools=None)


Mark: TypeAlias = tuple[int, int, TTL, Source, Path]
"""An existing breakpoint: (position, order within the position, ttl, source, path from the
position's block: ``()``, or where a mark nested in it is)."""


def _existing(slots: Sequence[_Slot], automatic: TTL | None) -> tuple[list[Mark], int | None]:
    """Every breakpoint already in the parts, and where the automatic one lands."""
    auto_at = _last_eligible(slots, len(slots) - 1) if automatic is not None else None
    found: list[Mark] = []
    for i, slot in enumerate(slots):
        if slot.block.ttl is not None:  # a block's own mark first, then those it holds, as _rules orders them
            found.append((i, 0, slot.block.ttl, "user", ()))
        found.extend((i, 1, ttl, "user", where) for where, ttl, _ in slot.block.nested)
    if automatic is not None:
        found.append((auto_at if auto_at is not None else len(slots), 2, automatic, "automatic", ()))
    return found, auto_at


def _choose(
    slots: Sequence[_Slot],
    cum: Sequence[int],
    messages: Sequence[bytes],
    existing: Sequence[Mark],
    auto_at: int | None,
    min_tokens: int,
    policy: CachePolicy,
) -> dict[int, TTL]:
    free = policy.max_breakpoints - len(existing)
    if free <= 0:
        return {}
    marked = {pos for pos, _, _, _, _ in existing}

    def markable(i: int | None) -> int | None:
        while i is not None and i >= 0 and not (slots[i].block.eligible and cum[i] >= min_tokens):
            i = _last_eligible(slots, i - 1) if i > 0 else None
        return i if i is not None and i >= 0 and cum[i] >= min_tokens else None

    picks: list[tuple[int, str]] = []  # (position, role) in priority order
    tail = markable(len(slots) - 1)
    if tail is None:
        return {}  # the whole request is under the minimum: nothing can be cached
    roles = _roles(messages)
    end = _previous_end(slots, roles)
    if tail not in marked and tail != auto_at:
        # with long pauses, the first request holds its whole prompt for an hour
        picks.append((tail, "hold" if policy.long_pauses and end is None else "tail"))
    previous = markable(end) if end is not None else None
    hold = _hold(slots, cum, end, tail, min_tokens) if policy.long_pauses and end is not None else None
    pause_bridge = None  # a bridge only a request after a pause needs: it comes after the hold
    answer_bridge = None  # the end of the answer, where a pre-warm wrote, if nothing else reads it
    if previous is not None and previous < tail:
        reach = [p for p in (*marked, tail, hold) if p is not None and p >= previous]
        distances = [_distance(slots, previous, p) for p in reach]
        if not any(d < policy.bridge for d in distances):
            # without a bridge nothing the previous request wrote is read.  On the answer's end
            # when that looks back far enough, it also reads what a pre-warm wrote there.
            answer = _answer_end(slots, roles, previous, tail, markable)
            if answer is not None and _distance(slots, previous, answer) < policy.bridge:
                picks.append((answer, "bridge"))
            else:
                picks.append((previous, "bridge"))
                if answer is not None and _distance(slots, answer, tail) >= policy.bridge:
                    answer_bridge = answer
        elif policy.long_pauses and not any(d < LOOKBACK - HOLD_REACH for d in distances):
            # after a pause only the previous hold is left, up to HOLD_REACH before its end
            pause_bridge = previous
    if hold is not None:
        picks.append((hold, "hold"))
    if pause_bridge is not None:
        picks.append((pause_bridge, "bridge"))
    if policy.anchor:
        stable = [i for i, s in enumerate(slots) if s.area != "messages"]
        anchor = markable(stable[-1]) if stable else None
        if anchor is not None and slots[anchor].area != "messages":
            picks.append((anchor, "anchor"))
    if answer_bridge is not None:
        picks.append((answer_bridge, "bridge"))
    chosen: dict[int, TTL] = {}
    for pos, role in picks:
        if len(chosen) == free:
            break
        if pos in marked or pos in chosen:
            continue
        ttls: dict[str, TTL] = {"anchor": policy.prefix_ttl or policy.ttl, "hold": "1h"}
        chosen[pos] = ttls.get(role, policy.ttl)
    return _legal_ttls(chosen, existing)


def _answer_end(
    slots: Sequence[_Slot],
    roles: Sequence[str],
    previous: int,
    tail: int,
    markable: Callable[[int | None], int | None],
) -> int | None:
    """The last markable block of the answer a person's turn replies to (the last assistant
    message, followed only by a user turn without tool results), between the previous request's
    end and the tail: where :func:`prewarm` wrote its one-hour entry.  None if there is none."""
    answer = _last_answer(roles)
    if answer is None or answer != len(roles) - 2 or roles[-1] != "user":
        return None
    if any(s.message == answer + 1 and s.block.kind == "tool_result" for s in slots):
        return None  # a tool loop: no pre-warm comes between a call and its result
    found = markable(_message_end(slots, answer))
    return found if found is not None and previous < found < tail else None


def _hold(slots: Sequence[_Slot], cum: Sequence[int], end: int, tail: int, min_tokens: int) -> int | None:
    """Where a ``long_pauses`` request holds the conversation for an hour: the first block after
    the previous request's ``end`` whose entry the next request's hold can still reach back to
    (at most HOLD_REACH positions before this request's end), or the last one before the tail."""
    after = [i for i in range(end + 1, tail) if slots[i].block.eligible and cum[i] >= min_tokens]
    reach = [i for i in after if _distance(slots, i, len(slots) - 1) <= HOLD_REACH]
    return reach[0] if reach else after[-1] if after else None


def _distance(slots: Sequence[_Slot], start: int, end: int) -> int:
    """Lookback positions from ``end`` back to ``start``, counting nested blocks (conservative)."""
    return sum(slots[i].block.width for i in range(start + 1, end + 1))


def _legal_ttls(chosen: dict[int, TTL], existing: Sequence[Mark]) -> dict[int, TTL]:
    """Longer TTLs first (§5.4): convo's marks before a user's 1h mark become 1h (free: those
    tokens are billed at the 1h rate anyway), convo's 1h marks after a 5m one become 5m."""
    order = sorted(
        [(p, o, t, s) for p, o, t, s, _ in existing] + [(p, 0, t, "convo") for p, t in chosen.items()]
    )
    out = dict(chosen)
    later_1h = False
    for pos, _, ttl, source in reversed(order):
        if source == "convo" and later_1h:
            out[pos] = "1h"
        elif ttl == "1h":
            later_1h = True
    seen_5m = False
    for pos, _, ttl, source in order:
        now = out[pos] if source == "convo" else ttl
        if source == "convo" and now == "1h" and seen_5m:
            out[pos] = now = "5m"
        if now == "5m":
            seen_5m = True
    return out


def _apply(
    system: bytes | None,
    tools: tuple[bytes, ...],
    messages: tuple[bytes, ...],
    slots: Sequence[_Slot],
    cum: Sequence[int],
    existing: Sequence[Mark],
    chosen: Mapping[int, TTL],
) -> Placed:
    by_message: dict[int, dict[int | None, TTL]] = {}
    new_tools = list(tools)
    system_marks: dict[int | None, TTL] = {}
    for pos, ttl in chosen.items():
        path = slots[pos].path
        if path[0] == "tools":
            new_tools[int(path[1])] = _mark_block(new_tools[int(path[1])], ttl)
        elif path[0] == "system":
            system_marks[int(path[1]) if len(path) > 1 else None] = ttl
        else:
            by_message.setdefault(int(path[1]), {})[int(path[3]) if len(path) > 3 else None] = ttl
    new_system = system
    if system is not None and system_marks:
        new_system = _mark_content(system, system_marks)
    new_messages = list(messages)
    for index, marks in by_message.items():
        fields = _raw_dict.decode(messages[index])
        fields["content"] = msgspec.Raw(_mark_content(bytes(fields["content"]), marks))
        new_messages[index] = _encode.encode(fields)
    found = [
        CacheBreakpoint(
            pointer((*slots[pos].path, *inside)) if inside else _pointer(slots, pos, mark_in_string=False),
            ttl,
            _end(slots, cum, pos, inside),
            source,
        )
        for pos, _, ttl, source, inside in sorted(existing)
        if source != "automatic"
    ]
    found += [
        CacheBreakpoint(_pointer(slots, pos, mark_in_string=True), ttl, cum[pos], "convo")
        for pos, ttl in chosen.items()
    ]
    order = {"tools": 0, "system": 1, "messages": 2}
    found.sort(key=lambda b: (order[b.path.split("/")[1]], _numbers(b.path)))
    for pos, _, ttl, source, _ in existing:
        if source == "automatic":
            at = min(pos, len(slots) - 1)
            where = _pointer(slots, at, mark_in_string=True) if at >= 0 else ""
            found.append(CacheBreakpoint(where, ttl, cum[at] if at >= 0 else 0, "automatic"))
    return Placed(new_system, tuple(new_tools), tuple(new_messages), tuple(found))


def _end(slots: Sequence[_Slot], cum: Sequence[int], pos: int, inside: Path) -> int:
    """The tokens of the prefix a mark caches: up to the end of position ``pos``, or, for a
    mark ``inside`` its block (a tool result's content), up to the end of that nested block."""
    ends = {where: tokens for where, _, tokens in slots[pos].block.nested}
    return cum[pos] - slots[pos].block.tokens + ends[inside] if inside else cum[pos]


def _numbers(path: str) -> tuple[int, ...]:
    return tuple(int(p) for p in path.split("/")[2:] if p.isdigit())


def _pointer(slots: Sequence[_Slot], pos: int, *, mark_in_string: bool) -> str:
    path = slots[pos].path
    if mark_in_string and path[-1] in ("content", "system") and slots[pos].area != "tools":
        path = (*path, 0)  # string content becomes a one-block list when marked
    return pointer(path)


def _mark_block(raw: bytes, ttl: TTL) -> bytes:
    fields = _raw_dict.decode(raw)
    fields["cache_control"] = msgspec.Raw(_MARKER[ttl])
    return _encode.encode(fields)


def _mark_content(content: bytes, marks: Mapping[int | None, TTL]) -> bytes:
    """Mark blocks of a ``content`` (or ``system``) value: a string becomes one text block."""
    if content[:1] == b'"':
        ttl = marks[None]
        return b'[{"type":"text","text":' + content + b',"cache_control":' + _MARKER[ttl] + b"}]"
    items = [bytes(b) for b in _raw_list.decode(content)]
    for k, ttl in marks.items():
        assert k is not None
        items[k] = _mark_block(items[k], ttl)
    return b"[" + b",".join(items) + b"]"


def _unmark(
    system: bytes | None, tools: tuple[bytes, ...], messages: tuple[bytes, ...]
) -> tuple[bytes | None, tuple[bytes, ...], tuple[bytes, ...]]:
    """The parts without the user's block marks (``move_user_marks``)."""
    new_tools = tuple(_strip(_raw_dict.decode(t)) if b'"cache_control"' in t else t for t in tools)
    new_system = _unmarked_content(system) if system is not None else None
    return new_system, new_tools, tuple(unmarked_message(wire) for wire in messages)


def unmarked_message(wire: bytes) -> bytes:
    """A message's wire bytes without the cache marks of its blocks, every other byte kept."""
    if b'"cache_control"' not in wire:
        return wire
    fields = _raw_dict.decode(wire)
    fields["content"] = msgspec.Raw(_unmarked_content(bytes(fields["content"])))
    return _encode.encode(fields)


def _unmarked_content(content: bytes) -> bytes:
    """A ``content`` (or ``system``) value without the marks of its blocks: a string has none."""
    if content[:1] != b"[":
        return content
    items = []
    for item in _raw_list.decode(content):
        marked = b'"cache_control"' in bytes(item) and bytes(item)[:1] == b"{"
        items.append(_strip(_raw_dict.decode(item)) if marked else bytes(item))
    return b"[" + b",".join(items) + b"]"


# -- reading whole bodies ------------------------------------------------------------------------


class _Body(msgspec.Struct, frozen=True, gc=False):
    fields: dict[str, msgspec.Raw]  # every top-level field, in order (messages included)
    system: bytes | None
    tools: tuple[bytes, ...] | None  # None: there is no ``tools``
    messages: tuple[bytes, ...]
    model: str | None
    automatic: TTL | None


def _read_body(data: object) -> _Body:
    from ._codec import decode_body, split_list
    from ._conversation import Conversation
    from ._request import Request

    if isinstance(data, Request):
        data = data.body()
    elif isinstance(data, Conversation):
        data = data.to_json()
    else:  # a conversation that does not read is refused; bad cache marks are what this fixes
        from ._conversation import read

        errors = [
            p
            for p in read(data, model=None, mode="conversation").problems
            if p.severity == "error" and p.scope == "conversation" and not p.code.startswith("cache-")
        ]
        if errors:
            raise ValidationError(errors)
    body = decode_body(data, lambda p: None)
    fields = dict(body.fields) if body.kind != "messages" else {}
    system = bytes(fields["system"]) if "system" in fields else None
    tools: tuple[bytes, ...] | None = None
    if "tools" in fields:
        tools = tuple(bytes(t) for t in split_list(fields["tools"], ("tools",), "", lambda p: None))
    model = _any.decode(fields["model"]) if "model" in fields else None
    automatic = _mark_ttl(fields.get("cache_control"))
    messages = tuple(bytes(m) for m in body.messages)
    fields.setdefault("messages", msgspec.Raw(b"[]"))
    return _Body(fields, system, tools, messages, model if isinstance(model, str) else None, automatic)


def place_cache(
    data: object, *, model: str | None = None, policy: CachePolicy | Literal["auto"] = "auto"
) -> bytes:
    """Place convo's cache breakpoints on a request body or a conversation: the new JSON bytes.

    ``data`` is a :class:`convo.Conversation`, a :class:`convo.Request`, or a request body or
    messages array as JSON bytes, text or Python data.  A body keeps every other field and
    byte; a conversation or a bare messages array gives ``{"system"?, "tools"?, "messages"}``.
    ``model`` (or the body's own ``model``) sets the minimum cacheable length.

    >>> import convo
    >>> long = "All about the project. " * 300
    >>> conv = convo.Conversation(system=long).user("What is it?")
    >>> body = convo.place_cache(conv, model="claude-opus-4-8")
    >>> [(b.path, b.ttl) for b in convo.cache_breakpoints(body)]
    [('/system/0', '5m'), ('/messages/0/content/0', '5m')]
    """
    model_given(model)
    chosen = policy_for(policy)
    body = _read_body(data)
    prof = profile(model or body.model)
    placed = place(
        system=body.system,
        tools=body.tools,
        messages=body.messages,
        min_tokens=prof.cache_min_tokens,
        policy=chosen,
        automatic=body.automatic,
        model=model or body.model,
    )
    if not set(body.fields) - {"system", "tools", "messages"}:
        return placed.to_json()
    fields = dict(body.fields)
    if placed.system is not None:
        fields["system"] = msgspec.Raw(placed.system)
    if placed.tools:
        fields["tools"] = msgspec.Raw(b"[" + b",".join(placed.tools) + b"]")
    fields["messages"] = msgspec.Raw(b"[" + b",".join(placed.messages) + b"]")
    return _encode.encode(fields)


def cache_breakpoints(data: object, *, model: str | None = None) -> tuple[CacheBreakpoint, ...]:
    """Every cache breakpoint of a request body, conversation or :class:`convo.Request`.

    >>> body = b'{"messages":[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral","ttl":"1h"}}]}]}'
    >>> cache_breakpoints(body)
    (CacheBreakpoint(path='/messages/0/content/0', ttl='1h', tokens=8, source='user'),)
    """
    model_given(model)
    body = _read_body(data)
    return place(
        system=body.system,
        tools=body.tools,
        messages=body.messages,
        min_tokens=profile(model or body.model).cache_min_tokens,
        policy=None,
        automatic=body.automatic,
        model=model or body.model,
    ).breakpoints


# -- pre-warming over a pause -------------------------------------------------------------------


def prewarm(data: object, *, model: str | None = None, placeholder: str = ".", **params: Any) -> bytes:
    """A pre-warm request body (``max_tokens: 0``, api-rules §5.12) that keeps a conversation
    cached while a person takes their time to reply: the new JSON bytes.

    Send it when the model has handed the turn back (the conversation ends with its answer) and
    nothing was sent for :data:`PREWARM_AFTER` seconds (4.5 minutes) after the last request
    started.  It reads what that request wrote (0.1x, which also refreshes it) and writes the
    answer under a one-hour mark (2x, on the answer only), so a reply within the hour reads the
    whole conversation instead of writing it again.  Nothing is spent when the reply comes
    sooner: the pre-warm is never sent.

    ``data`` is the last request's body with the answer appended (JSON bytes, text or Python
    data), or a :class:`convo.Conversation` that ends with the answer; ``params`` are request
    parameters to set in it (``thinking=...``).  Every parameter that shapes the cache
    (``model``, ``system``, ``tools``, ``thinking``, ``tool_choice``, ``speed``...) must be the
    one the next request will send.  The body gets ``max_tokens: 0``, loses ``stream``,
    any top-level ``cache_control`` (a pre-warm needs an explicit breakpoint) and the marks of
    the last request (they do not change the cache keys), and ends with a ``placeholder`` user
    turn.  Raises :class:`convo.InvalidArgument` for what a
    pre-warm cannot carry (``thinking`` of type ``enabled``, ``output_config.format``, a forced
    ``tool_choice``): without them its entries would not be the next request's; use
    ``CachePolicy(long_pauses=True)`` there.

    >>> import convo
    >>> conv = convo.Conversation(system="All about the project. " * 300).user("What is it?")
    >>> conv = conv.assistant("A cache for conversations.")
    >>> body = convo.prewarm(conv, model="claude-opus-4-8")
    >>> [(b.path, b.ttl) for b in convo.cache_breakpoints(body)]
    [('/messages/1/content/0', '1h')]
    >>> import json; json.loads(body)["max_tokens"], json.loads(body)["messages"][-1]
    (0, {'role': 'user', 'content': '.'})
    """
    model_given(model)
    if not isinstance(placeholder, str) or not placeholder.strip():
        raise InvalidArgument("a pre-warm's placeholder user text must contain non-whitespace (§5.12)")
    if {"system", "tools", "messages"} & params.keys():
        raise InvalidArgument("a pre-warm takes system, tools and messages from data, not as parameters")
    body = _read_body(data)
    if params:
        given = dict(body.fields)
        given.update((k, msgspec.Raw(param_json(v, k))) for k, v in params.items())
        body = msgspec.structs.replace(body, fields=given)
    model = model or body.model
    if model is None:
        raise InvalidArgument("a pre-warm needs a model: pass model=, or a body that names one")
    roles = _roles(body.messages)
    if not roles or roles[-1] != "assistant":
        raise InvalidArgument(
            "a pre-warm keeps the model's answer cached: the conversation must end with an assistant turn"
        )
    waiting = _left_waiting(body.messages[-1])
    if waiting == "tool_use":
        raise InvalidArgument(
            "the conversation ends with a tool_use awaiting its result: a pre-warm's placeholder "
            "user turn would leave it unanswered (§3.1); pre-warm after the answer, not mid-loop"
        )
    if waiting == "server":
        raise InvalidArgument(
            "the conversation ends with a paused turn, a server tool call still running: it goes "
            "back as the last message (§3.10), so no placeholder user turn may follow it; continue "
            "the turn, and pre-warm after its answer"
        )
    conflict = _prewarm_conflict(body.fields)
    if conflict is not None:
        raise InvalidArgument(
            f"a pre-warm (max_tokens 0) cannot carry {conflict} (api-rules §5.12), and without it its "
            "cache entries would not be the next request's: use CachePolicy(long_pauses=True) instead"
        )
    system, tools, messages = _unmark(body.system, body.tools or (), body.messages)  # its own marks only
    slots = _layout(system, tools, messages, model)
    cum = _cumulative(slots)
    min_tokens = profile(model).cache_min_tokens
    at = _last_eligible(slots, len(slots) - 1)
    if at is None or cum[at] < min_tokens:
        raise InvalidArgument(
            f"nothing to keep: the conversation is under {model}'s cache minimum of {min_tokens} tokens"
        )
    chosen: dict[int, TTL] = {at: "1h"}
    previous = _previous_end(slots, roles)
    if previous is not None:  # read what the last request wrote, even past a long answer
        previous = _last_eligible(slots, previous)
    if previous is not None and cum[previous] >= min_tokens and _distance(slots, previous, at) >= LOOKBACK:
        chosen[previous] = "1h"
    placed = _apply(system, tools, messages, slots, cum, [], chosen)
    fields: dict[str, msgspec.Raw] = {"model": msgspec.Raw(_encode.encode(model))}
    fields["max_tokens"] = msgspec.Raw(b"0")
    for name, value in body.fields.items():
        if name not in ("model", "max_tokens", "stream", "cache_control"):
            fields[name] = value
    if placed.system is not None:
        fields["system"] = msgspec.Raw(placed.system)
    if placed.tools:
        fields["tools"] = msgspec.Raw(b"[" + b",".join(placed.tools) + b"]")
    turn = b'{"role":"user","content":' + _encode.encode(placeholder) + b"}"
    fields["messages"] = msgspec.Raw(b"[" + b",".join((*placed.messages, turn)) + b"]")
    return _encode.encode(fields)


def _prewarm_conflict(fields: Mapping[str, msgspec.Raw]) -> str | None:
    """What in a body a pre-warm cannot carry (§5.12), or None."""
    value = {
        name: _any.decode(fields[name])
        for name in ("thinking", "output_config", "tool_choice")
        if name in fields
    }
    thinking, config, choice = value.get("thinking"), value.get("output_config"), value.get("tool_choice")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        return "thinking of type 'enabled'"
    if isinstance(config, dict) and config.get("format") is not None:
        return "output_config.format"
    if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        return f"tool_choice {choice.get('type')!r}"
    return None


# -- the cache model: what a request reads and writes --------------------------------------------

#: The request parameters that invalidate the cached system prompt and messages when they
#: change (§5.9), and those that invalidate only the messages (the API's ``unavailable``).
_SYSTEM_PARAMS: Final = ("speed",)
_MESSAGES_PARAMS: Final = ("thinking", "tool_choice", "output_config")
#: What keys each part besides its content: those parameters; whether any document or search
#: result asks for citations (the "citations toggle"); the images, "adding or removing images
#: anywhere" (§5.9).
_SYSTEM_SALT: Final = (*_SYSTEM_PARAMS, "citations")
_MESSAGES_SALT: Final = (*_MESSAGES_PARAMS, "images")


class _Print(msgspec.Struct, frozen=True, gc=False):
    """A request as the cache sees it: a cumulative key and token count per position."""

    model: str | None
    params: Mapping[str, bytes]  # the prompt parameters the cache sees: see _prompt_params
    slots: Sequence[_Slot]
    keys: Sequence[bytes]
    cum: Sequence[int]
    # every breakpoint's position (automatic resolved), ttl, prefix tokens
    marks: Sequence[tuple[int, TTL, int]]

    @property
    def total(self) -> int:
        return self.cum[-1] if self.cum else 0


def _salt(params: Mapping[str, bytes], names: Sequence[str]) -> bytes:
    return b"".join(n.encode() + b"=" + params[n] + b";" for n in names if n in params)


def _prompt_params(fields: Mapping[str, msgspec.Raw], model: str | None) -> dict[str, bytes]:
    """The parameters that key the cache, by value (an object's fields in a fixed order), less
    those set to their default: "setting a parameter explicitly to its default equals omitting
    it" (§5.9), and a null (a parameter or an object's field) leaves it at its default."""
    prof = profile(model)
    thinking_default = {"type": "adaptive" if prof.thinking_default == "on" else "disabled"}
    display = prof.thinking_display
    params = {}
    for name in (*_SYSTEM_PARAMS, *_MESSAGES_PARAMS):
        if name not in fields:
            continue
        raw = bytes(fields[name])
        value = _any.decode(raw)
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if v is not None}
        if name == "thinking" and isinstance(value, dict) and prof.known and value.get("display") == display:
            value = {k: v for k, v in value.items() if k != "display"}
        if isinstance(value, dict):  # the same value with its fields in another order
            raw = _encode.encode(dict(sorted(value.items())))
        if (
            value in (None, {})  # null, or an object that sets nothing (output_config: {})
            or (name == "speed" and value == "standard")
            or (
                name == "tool_choice"
                and value in ({"type": "auto"}, {"type": "auto", "disable_parallel_tool_use": False})
            )
            or (name == "thinking" and value == thinking_default)
        ):
            continue
        params[name] = raw
    return params


def _fingerprint(data: object, model: str | None) -> _Print:
    body = _read_body(data)
    if body.model is None:  # a conversation, or a body that names no model: sent to ``model``
        body = msgspec.structs.replace(body, model=model)
    model = model or body.model
    params = _prompt_params(body.fields, model)
    images, citations = _media(body.messages)
    if citations is not None:
        params["citations"] = b"on"
        params["citations_at"] = pointer(citations).encode()  # where, for a reason: not a salt
    if images:
        params["images"] = b"\n".join(pointer(path).encode() for path in images)
    slots = _layout(body.system, body.tools or (), body.messages, model)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(b"model=" + (body.model or "").encode() + b";")
    keys = []
    area = "tools"
    for slot in slots:
        if area == "tools" and slot.area != "tools":
            digest.update(_salt(params, _SYSTEM_SALT))
            area = "system"
        if area == "system" and slot.area == "messages":
            digest.update(_salt(params, _MESSAGES_SALT))
            area = "messages"
        digest.update(b"%d:" % len(slot.block.key) + slot.block.key)
        keys.append(digest.copy().digest())
    existing, _ = _existing(slots, body.automatic)
    cum = _cumulative(slots)
    last = len(slots) - 1  # where an automatic mark with no block to land on is counted
    marks = [
        (min(pos, last), ttl, _end(slots, cum, min(pos, last), inside))
        for pos, _, ttl, _, inside in sorted(existing)
        if slots
    ]
    return _Print(body.model, params, slots, keys, cum, marks)


class _Usage(msgspec.Struct, frozen=True, gc=False):
    read: int
    read_at: int  # position of the entry read, -1 for none
    write_5m: int
    write_1h: int
    uncached: int
    # entries this request writes or refreshes: (position, ttl, tokens)
    written: tuple[tuple[int, TTL, int], ...]


def _usage(pr: _Print, alive: Mapping[bytes, int], min_tokens: int) -> _Usage:
    """Read the furthest live entry any breakpoint reaches; write up to the last breakpoint.
    ``alive`` has the tokens each live entry holds, by key."""
    read, read_at = 0, -1
    for pos, _, end in pr.marks:
        for q in range(pos, max(pos - LOOKBACK, -1), -1):
            if pr.keys[q] in alive:
                got = min(alive[pr.keys[q]], end)  # an entry a nested mark wrote holds part of its position
                if got > read:
                    read, read_at = got, q
                break
    cached = [(pos, ttl, end) for pos, ttl, end in pr.marks if end >= min_tokens]
    beyond = [(ttl, end) for _, ttl, end in cached if end > read]
    write_5m = write_1h = 0
    if beyond:
        end = max(end for _, end in beyond)
        long = [end for ttl, end in beyond if ttl == "1h"]
        upto = max(long) if long else read
        write_1h = upto - read
        write_5m = end - upto
    uncached = pr.total - read - write_5m - write_1h
    return _Usage(read, read_at, write_5m, write_1h, uncached, tuple(cached))


@final
@attrs.frozen(kw_only=True)
class CachePrediction:
    """What a request will read from and write to the prompt cache, after a previous one.

    ``read_tokens``, ``write_tokens`` (of which ``write_1h_tokens`` at the 1h price) and
    ``input_tokens`` (after the last breakpoint) add up to the request's input, as ``usage``
    reports it (convo's local estimate).  ``reason`` is the first structural difference from
    the previous request, in the categories of the API's ``diagnostics.cache_miss_reason``
    (``model_changed``, ``tools_changed``, ``system_changed``, ``messages_changed``, and
    ``unavailable`` for other prompt parameters such as ``thinking`` or ``tool_choice``), or
    None when the next request only appends (with no new image and citations toggled neither
    way, and on a model that drops earlier turns' thinking, no new user turn); ``path`` is where (a JSON Pointer into the next
    request; when the next request ends before a message the previous one had, the place that
    message would be, one past its end).  ``missed_tokens`` are tokens the previous request cached that this one does not
    read.  ``note`` says it in a sentence, including misses with no difference (the lookback,
    an expired entry, a prefix under the minimum).

    >>> import convo
    >>> conv = convo.Conversation(system="Project notes. " * 600).user("Summarize.")
    >>> req = conv.request(model="claude-opus-4-8", max_tokens=99, cache="auto")
    >>> p = convo.predict_cache(req, req)
    >>> p.hit, p.write_tokens, p.note
    (True, 0, 'reads all 3,672 tokens the previous request cached')
    >>> round(p.cost, 1)
    367.2
    """

    hit: bool
    read_tokens: int
    write_tokens: int
    write_1h_tokens: int
    input_tokens: int
    reason: MissReason | None
    path: str | None
    missed_tokens: int
    note: str

    @property
    def cost(self) -> float:
        """Input cost in base-input-token units: reads 0.1x, writes 1.25x (5m) or 2x (1h)."""
        five = self.write_tokens - self.write_1h_tokens
        return (
            self.input_tokens
            + READ_PRICE * self.read_tokens
            + WRITE_PRICE["5m"] * five
            + WRITE_PRICE["1h"] * self.write_1h_tokens
        )


def _media(messages: Sequence[bytes]) -> tuple[list[Path], Path | None]:
    """The paths of every image in the messages (in the blocks other blocks hold too,
    :data:`HOLDS`), and of the first document or search result that asks for citations: what
    §5.9 says invalidates."""
    images: list[Path] = []
    citations: Path | None = None

    def walk(block: object, path: Path) -> None:
        nonlocal citations
        if not isinstance(block, dict):
            return
        kind = block.get("type")
        if kind == "image":
            images.append(path)
        elif kind in ("document", "search_result") and citations is None:
            cites = block.get("citations")
            if isinstance(cites, dict) and cites.get("enabled") is True:
                citations = path
        holds = HOLDS.get(kind) if isinstance(kind, str) else None
        route = holds or ("content",)  # any other block: the blocks in its content, if a list
        inner: object = block
        for name in route:
            inner = inner.get(name) if isinstance(inner, dict) else None
        if isinstance(inner, list):
            for k, item in enumerate(inner):
                walk(item, (*path, *route, k))
        elif isinstance(inner, dict) and holds:
            walk(inner, (*path, *route))

    for i, wire in enumerate(messages):
        if b'"image"' in wire or b'"citations"' in wire:
            content = _any.decode(wire).get("content")
            for k, block in enumerate(content if isinstance(content, list) else ()):
                walk(block, ("messages", i, "content", k))
    return images, citations


def _difference(prev: _Print, nxt: _Print) -> tuple[MissReason, str] | None:
    """The first structural difference between two requests, in the API's categories."""
    if prev.model != nxt.model:
        return "model_changed", "/model"
    if prev.params.get("speed") != nxt.params.get("speed"):
        return "model_changed", "/speed"
    for area, reason in (("tools", "tools_changed"), ("system", "system_changed")):
        a = [s for s in prev.slots if s.area == area]
        b = [s for s in nxt.slots if s.area == area]
        for i in range(max(len(a), len(b))):
            if i >= len(a) or i >= len(b) or a[i].block.key != b[i].block.key:
                where = b[i].path if i < len(b) else (area, i) if area == "tools" else (area,)
                return reason, pointer(where)  # type: ignore[return-value]
    for name in _MESSAGES_PARAMS:
        if prev.params.get(name) != nxt.params.get(name):
            return "unavailable", "/" + name
    a = [s for s in prev.slots if s.area == "messages"]
    b = [s for s in nxt.slots if s.area == "messages"]
    for i in range(len(a)):
        if i >= len(b):
            return "messages_changed", pointer(("messages", a[i].message))
        if a[i].block.key != b[i].block.key:
            return "messages_changed", pointer(b[i].path)
    # only appended, but toggling citations or adding an image
    if prev.params.get("citations") != nxt.params.get("citations"):
        return "unavailable", (nxt.params.get("citations_at") or prev.params["citations_at"]).decode()
    before, after = prev.params.get("images", b"").split(b"\n"), nxt.params.get("images", b"").split(b"\n")
    if before != after:
        added = [path for path in after if path not in before]
        return "unavailable", (added or before)[0].decode()
    return None


_WHAT: Final[Mapping[str, str]] = {
    "model_changed": "the model (or speed) differs",
    "tools_changed": "the tool definitions differ",
    "system_changed": "the system prompt differs",
    "unavailable": "a prompt parameter, the images or the citations setting differ",
    "messages_changed": "an earlier message was edited or removed",
}


def predict_cache(
    previous: object,
    next: object,
    *,
    model: str | None = None,
    elapsed: float | None = None,
    min_tokens: int | None = None,
) -> CachePrediction:
    """Whether ``next`` will read what ``previous`` cached, and how many tokens it reads and writes.

    Both are request bodies (JSON bytes, text or Python data), :class:`convo.Request` or
    :class:`convo.Conversation` objects; ``elapsed`` is the time in seconds between the starts of
    the two requests (entries live 5 minutes or 1 hour from the start of the request that wrote
    or last read them).  By default ``next`` comes at once, but after the response to
    ``previous`` began: an entry is readable only from then (§5.11), so with ``elapsed=0``, two
    requests sent together, ``next`` reads nothing ``previous`` writes.  ``model`` sets the
    token estimate, and is the model of one that names none (a conversation).  Token counts are
    convo's local estimate; ``min_tokens`` overrides the model's minimum cacheable length.

    >>> import convo
    >>> long = "All about the project. " * 300
    >>> first = convo.Conversation(system=long).user("What is it?")
    >>> second = first.assistant("A library.").user("Who uses it?")
    >>> r1 = first.request(model="claude-opus-4-8", max_tokens=100, cache="auto")
    >>> r2 = second.request(model="claude-opus-4-8", max_tokens=100, cache="auto")
    >>> p = convo.predict_cache(r1, r2)
    >>> p.hit, p.reason, p.read_tokens > 1700
    (True, None, True)
    >>> edited = convo.Conversation(system=long).user("What is this?").assistant("A library.").user("Who?")
    >>> p = convo.predict_cache(r1, edited.request(model="claude-opus-4-8", max_tokens=100, cache="auto"))
    >>> p.reason, p.path
    ('messages_changed', '/messages/0/content')
    """
    model_given(model)
    if elapsed is not None and (
        isinstance(elapsed, bool) or not isinstance(elapsed, int | float) or not elapsed >= 0
    ):
        raise InvalidArgument(f"elapsed is a number of seconds, 0 or more, or None, not {elapsed!r}")
    if min_tokens is not None and (isinstance(min_tokens, bool) or not isinstance(min_tokens, int)):
        raise InvalidArgument(f"min_tokens is an int or None, not {min_tokens!r}")
    prev = _fingerprint(previous, model)
    nxt = _fingerprint(next, model)
    prev_min = profile(model or prev.model).cache_min_tokens if min_tokens is None else min_tokens
    next_min = profile(model or nxt.model).cache_min_tokens if min_tokens is None else min_tokens
    before = _usage(prev, {}, prev_min)
    readable = before.written if elapsed != 0 else ()  # sent together: nothing written is readable yet
    alive: dict[bytes, int] = {}
    for pos, ttl, end in readable:
        if (elapsed or 0) < TTL_SECONDS[ttl]:
            alive[prev.keys[pos]] = max(alive.get(prev.keys[pos], 0), end)
    usage = _usage(nxt, alive, next_min)
    cached = max((end for _, _, end in before.written), default=0)
    missed = max(0, cached - usage.read)
    diff = _difference(prev, nxt)
    note = _note(prev, nxt, usage, before, diff, missed, elapsed, prev_min, alive)
    return CachePrediction(
        hit=usage.read > 0,
        read_tokens=usage.read,
        write_tokens=usage.write_5m + usage.write_1h,
        write_1h_tokens=usage.write_1h,
        input_tokens=usage.uncached,
        reason=diff[0] if diff else None,
        path=diff[1] if diff else None,
        missed_tokens=missed,
        note=note,
    )


def _note(
    prev: _Print,
    nxt: _Print,
    usage: _Usage,
    before: _Usage,
    diff: tuple[str, str] | None,
    missed: int,
    elapsed: float | None,
    prev_min: int,
    alive: Mapping[bytes, int],
) -> str:
    wrote = f"; writes {usage.write_5m + usage.write_1h:,}" if usage.write_5m + usage.write_1h else ""
    if diff is not None:
        reason, path = diff
        what = _WHAT[reason]
        if any(s.block.key.endswith(_DROPPED) and pointer(s.path) == path for s in nxt.slots):
            what = "this model drops earlier turns' thinking once a new user turn starts (§5.9)"
        head = f"{reason}: {what} at {path}"
        if usage.read:
            return f"{head}; reads {usage.read:,} tokens before it, {missed:,} cached tokens are lost{wrote}"
        return f"{head}; nothing is read, {missed:,} cached tokens are lost{wrote}"
    if usage.read and not missed:
        return f"reads all {usage.read:,} tokens the previous request cached{wrote}"
    if not prev.marks:
        why = "the previous request set no breakpoint"
    elif not before.written:
        why = f"the previous request's prefix ({prev.total:,} tokens) is under the {prev_min:,}-token minimum"
    elif elapsed == 0:
        why = (
            "the previous request's entries are not readable yet: this one is sent with it, "
            "before its response began (§5.11)"
        )
    elif not alive:
        ttl = max((t for _, t, _ in before.written), key=lambda t: TTL_SECONDS[t])
        why = f"the previous request's entries expired ({elapsed:g} s after a {ttl} write)"
    elif (short := _expired_ttl(prev, before, alive)) is not None:
        why = f"the previous request's {short} entries expired ({elapsed:g} s after a {short} write)"
    elif not nxt.marks:
        why = "this request sets no breakpoint"
    else:
        last = max(pos for pos, _, _ in before.written)
        why = (
            f"no breakpoint of this request is within {LOOKBACK} positions after the previous "
            f"request's last write at {pointer(prev.slots[last].path)}"
        )
    if usage.read:
        return f"reads {usage.read:,} tokens, {missed:,} fewer than cached: {why}{wrote}"
    return f"no cache read: {why}{wrote}"


def _expired_ttl(prev: _Print, before: _Usage, alive: Mapping[bytes, int]) -> TTL | None:
    """The TTL of the previous request's furthest entry if it expired while the longer-lived
    ones before it (longer TTLs come first, §5.4) are still alive, else None."""
    pos, ttl, _ = max(before.written, key=lambda w: w[2])
    return ttl if prev.keys[pos] not in alive else None
