"""API responses in: :class:`Reply`, and how :meth:`Conversation.reply` treats each ``stop_reason``.

A :class:`Reply` is one Messages API response read from any form (an SDK ``Message`` or
``BetaMessage``, a dict, JSON bytes or text, or the result of accumulating a stream): its assistant
turn with every block's exact bytes, and what the API said about it (``id``, ``model``,
``stop_reason``, ``stop_details``, ``usage``, ...).  It is a frozen value; reading one never
changes a conversation.

:func:`append_reply` is what :meth:`Conversation.reply` does with it:

============== =================================================================================
stop_reason    what happens
============== =================================================================================
end_turn,      the turn is appended
stop_sequence
tool_use       the turn is appended; its calls are ``conv.pending_tool_uses``
pause_turn     the turn is appended unchanged; the conversation is sendable as it is (the
               continuation is not a prefill, api-rules §3.10)
compaction     the same: a beta compaction with ``pause_after_compaction`` hands back the compaction
               before the model answers, and the next request continues that turn (the SDK's tool
               runner resumes it as it resumes ``pause_turn``)
max_tokens,    appended, unless its last block is a tool call cut off mid-input: that raises
model_context_ :class:`ToolUseTruncated` (or, with ``truncated="drop"``, the cut block is dropped)
window_exceeded
refusal        raises :class:`Refused` (the API says the context must be reset before going on);
               ``refusal="keep"`` appends the refused turn anyway, its last tool call treated as
               cut off (a refusal stops the output where it stands, as a limit does)
============== =================================================================================

Empty text blocks (``{"type": "text", "text": ""}``, what a streamed turn that stops before its
first token leaves, for example an immediate refusal) are left out: the API rejects them in
history (api-rules §1.10).  So is a turn's last thinking block when the output stopped before its
``signature_delta`` (at a limit or by a refusal): its signature is ``""``, which the API rejects
wherever it stands, and outside a tool loop thinking may be left out (§4.2).  A
response with nothing else (``content: []``, api-rules §1.9) appends nothing: the conversation is
returned unchanged, because an empty assistant turn would make the history invalid as soon as
another turn follows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, final

import msgspec

from ._blocks import (
    Block,
    FallbackBlock,
    MCPToolUseBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
)
from ._codec import decode_body, decode_message, decode_turn, encode_list, readable, split_list
from ._errors import (
    ConvoError,
    InputError,
    InvalidArgument,
    Path,
    Problem,
    pointer,
    type_name,
)
from ._message import Message

if TYPE_CHECKING:
    from ._conversation import Conversation

__all__ = ["Refused", "Reply", "ResponseError", "ToolUseTruncated", "append_reply"]

_any: Final = msgspec.json.Decoder()

ToolCall = ToolUseBlock | ServerToolUseBlock | MCPToolUseBlock
_CALLS: Final = (ToolUseBlock, ServerToolUseBlock, MCPToolUseBlock)
#: What ``reply()`` does with a refused turn, with a tool call a limit cut off, and with the
#: calls a declined model made before a server-side fallback.
RefusalPolicy: TypeAlias = Literal["raise", "keep"]
TruncationPolicy: TypeAlias = Literal["raise", "drop"]
DeclinedPolicy: TypeAlias = Literal["keep", "drop"]
#: Stop reasons that cut the output off at a limit, possibly in the middle of a block.
CUT_OFF: Final = frozenset({"max_tokens", "model_context_window_exceeded"})
#: Stop reasons that may end the output in the middle of a block: a limit, or a refusal (the
#: API's classifiers stop a streamed turn where it stands).
ENDS_MID_BLOCK: Final = CUT_OFF | {"refusal"}
#: Stop reasons whose turn is sent back as it is for the server to continue: a server tool loop
#: that ran long (api-rules §3.10), and a compaction paused before the model answered (the
#: SDK's tool runner resumes both).
PAUSED: Final = frozenset({"pause_turn", "compaction"})


@final
class Reply:
    """One API response: its assistant turn and the facts around it.

    Read one from an SDK ``Message``/``BetaMessage``, a dict, or JSON bytes/text with
    :meth:`read`; :func:`convo.accumulate` gives one for a stream.

    >>> from convo import Reply
    >>> r = Reply.read(b'''{"id": "msg_1", "type": "message", "role": "assistant",
    ...   "model": "claude-opus-4-8", "content": [{"type": "text", "text": "Hi!"}],
    ...   "stop_reason": "end_turn", "stop_sequence": null,
    ...   "usage": {"input_tokens": 9, "output_tokens": 3}}''')
    >>> r.id, r.model, r.stop_reason, r.usage
    ('msg_1', 'claude-opus-4-8', 'end_turn', {'input_tokens': 9, 'output_tokens': 3})
    >>> r.message.to_json()
    b'{"role":"assistant","content":[{"type":"text","text":"Hi!"}]}'
    >>> r.refused, r.paused, r.empty, r.truncated_tool_use
    (False, False, False, None)
    """

    __slots__ = ("_content", "_fields", "_message", "_wire")
    _wire: bytes
    _fields: dict[str, msgspec.Raw]
    _content: bytes
    _message: Message | None

    def __init__(self) -> None:
        raise TypeError("use Reply.read(response)")

    @classmethod
    def read(cls, response: object) -> Reply:
        """Read a response: an SDK ``Message``/``BetaMessage``, a dict, JSON bytes or text.

        Raises :class:`convo.InputError` when it is not a Messages API response (an object with
        ``"type": "message"`` and ``content``), its role is not ``assistant``, or a field this
        class reads has the wrong type (a ``stop_reason`` that is not a string or null, a
        ``usage`` that is not an object or null, ...).
        """
        if isinstance(response, Reply):
            return response
        if _streamed(response):
            raise InputError(
                "this is a stream, not a response: read it with convo.accumulate(...) first "
                "(or pass the SDK stream's get_final_message())"
            )
        problems: list[Problem] = []
        body = decode_body(response, problems.append)
        if body.kind != "response":
            raise InputError("expected an API response: an object with type 'message' and 'content'")
        fields = body.fields
        for name, raw in fields.items():  # every field is read later: refuse what cannot be (1e999)
            if name != "content":
                _check_type(name, readable(raw, (name,)))
        role = _field(fields, "role")
        if "role" in fields and role != "assistant":
            raise InputError(f"a response's role must be 'assistant', not {role!r}")
        content = bytes(fields["content"])
        if not content.startswith(b"["):
            raise InputError("a response's 'content' must be an array of blocks")
        self = object.__new__(cls)
        setter = object.__setattr__
        setter(self, "_wire", msgspec.json.encode(fields))
        setter(self, "_fields", fields)
        setter(self, "_content", content)
        message = None
        if content != b"[]":
            message = decode_message(_turn(content), (), problems.append)  # paths from the response's root
        setter(self, "_message", message)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("immutable type: 'Reply'")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the response's bytes; unpickling reads them back."""
        return (Reply.read, (self._wire,))

    def __copy__(self) -> Reply:
        return self  # immutable: a copy could only be the same value

    def __deepcopy__(self, memo: dict[int, Any]) -> Reply:
        return self

    # -- what the API said ---------------------------------------------------------------------

    @property
    def id(self) -> str | None:
        """The response id (``msg_...``); never validated, its format may change."""
        return _str(_field(self._fields, "id"))

    @property
    def model(self) -> str | None:
        """The model that wrote the response (after any server-side fallback)."""
        return _str(_field(self._fields, "model"))

    @property
    def stop_reason(self) -> str | None:
        """``end_turn``, ``max_tokens``, ``stop_sequence``, ``tool_use``, ``pause_turn``, ``refusal``, ..."""
        return _str(_field(self._fields, "stop_reason"))

    @property
    def stop_sequence(self) -> str | None:
        """The custom stop sequence that ended the turn, if one did."""
        return _str(_field(self._fields, "stop_sequence"))

    @property
    def stop_details(self) -> dict[str, Any] | None:
        """Structured detail on the stop; for a refusal ``{"type": "refusal", "category", "explanation"}``."""
        return _dict(_field(self._fields, "stop_details"))

    @property
    def usage(self) -> dict[str, Any] | None:
        """Token usage as the API reported it (``input_tokens``, ``output_tokens``, cache counts, ...)."""
        return _dict(_field(self._fields, "usage"))

    @property
    def container(self) -> dict[str, Any] | None:
        """The code-execution container (``id``, ``expires_at``) to pass back on the next request."""
        return _dict(_field(self._fields, "container"))

    def get(self, name: str) -> Any:
        """Any other top-level field of the response, decoded (``None`` when absent)."""
        return _field(self._fields, name)

    # -- the turn ------------------------------------------------------------------------------

    @property
    def message(self) -> Message | None:
        """The assistant turn, blocks kept byte for byte; ``None`` when ``content`` is empty."""
        return self._message

    @property
    def blocks(self) -> tuple[Block, ...]:
        """The turn's content blocks (empty for an empty response)."""
        return () if self._message is None else self._message.blocks

    @property
    def tool_uses(self) -> tuple[ToolUseBlock, ...]:
        """The client tool calls in the turn (those a ``tool_use`` stop asks you to run)."""
        return tuple(b for b in self.blocks if isinstance(b, ToolUseBlock))

    @property
    def empty(self) -> bool:
        """True when there is nothing to append: ``content`` is ``[]`` or holds only blocks
        :meth:`Conversation.reply` leaves out (empty text, a thinking block cut off unsigned)."""
        return all(self._left_out(j, block) for j, block in enumerate(self.blocks))

    @property
    def refused(self) -> bool:
        """True when ``stop_reason`` is ``refusal``: reset the context before continuing."""
        return self.stop_reason == "refusal"

    @property
    def paused(self) -> bool:
        """True when ``stop_reason`` is ``pause_turn``, or ``compaction`` (a beta compaction with
        ``pause_after_compaction``): send the conversation again to continue."""
        return self.stop_reason in PAUSED

    @property
    def cut_off(self) -> bool:
        """The output stopped at a limit: ``max_tokens``, or the context window
        (``model_context_window_exceeded``, api-rules §7.5)."""
        return self.stop_reason in CUT_OFF

    @property
    def truncated_tool_use(self) -> ToolCall | None:
        """The tool call a limit (see :attr:`cut_off`) or a refusal cut off mid-input: the turn's
        last block, or ``None``."""
        if self.stop_reason not in ENDS_MID_BLOCK or not self.blocks:
            return None
        last = self.blocks[-1]
        return last if isinstance(last, _CALLS) else None

    def _declined(self) -> frozenset[int]:
        """The indices of the ``tool_use`` blocks before the turn's last server-side ``fallback``
        block: the calls of the model that declined, not run and not sent back (the SDK's
        ``BetaFallbackBlockParam``; ``docs/tools.md``)."""
        hops = [j for j, block in enumerate(self.blocks) if isinstance(block, FallbackBlock)]
        before = self.blocks[: hops[-1]] if hops else ()
        return frozenset(j for j, block in enumerate(before) if isinstance(block, ToolUseBlock))

    def _left_out(self, j: int, block: Block) -> bool:
        """Block ``j`` is what a stream stopped early leaves and the API rejects in history: empty
        text, or the last block, a thinking block cut off before its signature came."""
        if isinstance(block, TextBlock):
            return block.text == ""
        return (
            isinstance(block, ThinkingBlock)
            and not block.signature
            and j == len(self.blocks) - 1
            and self.stop_reason in ENDS_MID_BLOCK
        )

    # -- bytes ---------------------------------------------------------------------------------

    def to_json(self) -> bytes:
        """The whole response as compact JSON, every field and block byte for byte."""
        return self._wire

    def to_dict(self) -> dict[str, Any]:
        """The whole response as plain JSON data (a fresh copy, key order kept)."""
        value: dict[str, Any] = _any.decode(self._wire)
        return value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reply):
            return NotImplemented
        return self._wire == other._wire

    def __hash__(self) -> int:
        return hash(self._wire)

    def __repr__(self) -> str:
        n = len(self.blocks)
        return f"<Reply {self.id!r}: {self.stop_reason}, {n} block{'s' if n != 1 else ''}>"


#: The fields :class:`Reply` reads, and the type each must have when it is not null.
_TYPES: Final[dict[str, tuple[type, str]]] = {
    **dict.fromkeys(("id", "model", "stop_reason", "stop_sequence"), (str, "a string")),
    **dict.fromkeys(("stop_details", "usage", "container"), (dict, "an object")),
}


def _check_type(name: str, value: object) -> None:
    """Refuse a field of the wrong type: read as missing, a refusal would pass for a finished turn."""
    wanted, what = _TYPES.get(name, (object, ""))
    if value is not None and not isinstance(value, wanted):
        raise InputError(
            f"a response's {name!r} must be {what} or null, not {type_name(value)}", path=pointer((name,))
        )


def _streamed(response: object) -> bool:
    """Whether a stream was given where a response goes: SSE bytes or text, stream events, or
    an SDK stream or other iterator (an SDK ``Message`` is iterable too, but is a model)."""
    if isinstance(response, str):
        return response[:64].lstrip().startswith(("event:", "data:"))
    if isinstance(response, bytes | bytearray | memoryview):
        return bytes(response[:64]).lstrip().startswith((b"event:", b"data:"))
    if isinstance(response, list | tuple):
        first = response[0] if response else None
        kind = first.get("type") if isinstance(first, dict) else getattr(first, "type", None)
        return kind == "message_start"
    return (
        isinstance(response, Iterable)
        and not isinstance(response, Mapping)
        and not callable(getattr(response, "model_dump", None))
    )


def _turn(content: bytes) -> bytes:
    return b'{"role":"assistant","content":' + content + b"}"


def _field(fields: dict[str, msgspec.Raw], name: str) -> Any:
    raw = fields.get(name)
    return None if raw is None else _any.decode(raw)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _dict(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


# -- errors -------------------------------------------------------------------------------------


class ResponseError(ConvoError, ValueError):
    """A response that :meth:`Conversation.reply` will not append as it is; ``reply`` holds it.

    ``path`` is the JSON Pointer where the offending turn or block would have landed.

    >>> import convo
    >>> refusal = {"type": "message", "role": "assistant", "content": [], "stop_reason": "refusal"}
    >>> try:
    ...     convo.Conversation().user("Hi").reply(refusal)
    ... except convo.ResponseError as exc:  # Refused or ToolUseTruncated
    ...     print(type(exc).__name__, exc.path, exc.reply.stop_reason)
    Refused /messages/1 refusal
    """

    reply: Reply
    path: str

    def __init__(self, message: str, *, reply: Reply, path: str) -> None:
        self.reply = reply
        self.path = path
        super().__init__(message)


class Refused(ResponseError):
    """The model refused (``stop_reason: "refusal"``); ``reply.stop_details`` says why.

    The API's guidance: reset the context (drop or rephrase the turn that caused it) before
    going on, or the refusals continue.  The conversation you called ``reply`` on is unchanged.

    >>> import convo
    >>> refusal = {"type": "message", "role": "assistant", "content": [], "stop_reason": "refusal"}
    >>> try:
    ...     convo.Conversation().user("Hi").reply(refusal)
    ... except convo.Refused as exc:
    ...     print(exc)
    the model refused (no explanation given); reset the context (drop or rephrase the turn that caused it) before continuing, or pass refusal='keep' to append the refused turn
    """


class ToolUseTruncated(ResponseError):
    """``max_tokens`` (or another limit, or a refusal kept with ``refusal="keep"``) cut off a
    tool call mid-input; ``block`` is the incomplete call.

    Retry with a higher ``max_tokens``, or append the turn without it (``truncated="drop"``).

    >>> import convo
    >>> cut = {"type": "message", "role": "assistant", "stop_reason": "max_tokens", "content": [
    ...     {"type": "text", "text": "Let me check."}, {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}]}
    >>> try:
    ...     convo.Conversation().user("Weather?").reply(cut)
    ... except convo.ToolUseTruncated as exc:
    ...     print(exc.block.name, exc.path)
    get_weather /messages/1/content/1
    >>> convo.Conversation().user("Weather?").reply(cut, truncated="drop").messages[-1].to_json()
    b'{"role":"assistant","content":[{"type":"text","text":"Let me check."}]}'
    """

    block: ToolCall

    def __init__(self, message: str, *, reply: Reply, path: str, block: ToolCall) -> None:
        self.block = block
        super().__init__(message, reply=reply, path=path)


# -- Conversation.reply ---------------------------------------------------------------------------


def append_reply(
    conv: Conversation,
    response: object,
    *,
    refusal: RefusalPolicy = "raise",
    truncated: TruncationPolicy = "raise",
    declined: DeclinedPolicy = "keep",
) -> Conversation:
    """:meth:`Conversation.reply`: append a response's turn, as its ``stop_reason`` requires."""
    if refusal not in ("raise", "keep"):
        raise _bad_argument("refusal", refusal, "'raise' or 'keep'")
    if truncated not in ("raise", "drop"):
        raise _bad_argument("truncated", truncated, "'raise' or 'drop'")
    if declined not in ("keep", "drop"):
        raise _bad_argument("declined", declined, "'keep' or 'drop'")
    reply = Reply.read(response)
    index = len(conv)
    if reply.refused and refusal == "raise":
        details = reply.stop_details or {}
        why = details.get("explanation") or details.get("category") or "no explanation given"
        raise Refused(
            f"the model refused ({why}); reset the context (drop or rephrase the turn that caused it) "
            "before continuing, or pass refusal='keep' to append the refused turn",
            reply=reply,
            path=pointer(("messages", index)),
        )
    blocks = reply.blocks
    left_out = reply._declined() if declined == "drop" else frozenset()
    keep = [j for j, block in enumerate(blocks) if not (j in left_out or reply._left_out(j, block))]
    cut = reply.truncated_tool_use
    if cut is not None:
        where: Path = ("messages", index, "content", len(keep) - 1)
        if truncated == "raise":
            retry = "" if reply.refused else "retry with a higher max_tokens (or a shorter history), or "
            raise ToolUseTruncated(
                f"{reply.stop_reason} cut off {cut.type} {cut.id!r} ({cut.name}) before its input was "
                f"complete; {retry}pass truncated='drop' to append the turn without it",
                reply=reply,
                path=pointer(where),
                block=cut,
            )
        keep.remove(len(blocks) - 1)
    if not keep:
        return conv  # nothing to append: an empty assistant turn is invalid once a turn follows it
    content = reply._content
    if len(keep) < len(blocks):
        problems: list[Problem] = []
        raws = split_list(msgspec.Raw(content), ("content",), "block-malformed", problems.append)
        content = encode_list([bytes(raws[j]) for j in keep])
    message = decode_turn(_turn(content), index)
    last = conv.messages[-1] if index else None
    if last is not None and last.role == "assistant" and last == message:
        raise InvalidArgument(
            "this response is already the conversation's last turn: was it appended twice? "
            "(the API would merge the two copies into one turn)"
        )
    appended = conv.append(message)
    if reply.paused:  # sent back as it is, even ending in text: not a prefill
        appended._state.told_paused()  # a fresh state, this conversation's alone
    return appended


def _bad_argument(name: str, value: object, allowed: str) -> ConvoError:
    return InvalidArgument(f"{name} must be {allowed}, not {value!r}")
