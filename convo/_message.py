"""A message: a role, typed content, and the exact wire bytes it came from.

The wire bytes are the source of truth for output: a message read from JSON re-encodes to the
same bytes (compacted), with its key order, unknown fields and number literals intact.  A message
built in Python is encoded once, canonically, when it is made.  Equality and hashing follow the
wire bytes, so equal messages always encode to equal bytes.

Messages read together in one typed pass (``_codec.decode_fast``) find their bytes when first
asked: one call to their shared ``pending`` callable (kept where the bytes will be) cuts every
message's span out of the input.
Reading and validating do not need the bytes, so they do not pay for finding them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, TypeAlias, cast, final, get_args

import msgspec

from ._blocks import BLOCK_CLASSES, Block, OpaqueBlock, Role, SearchResultBlock, TextBlock, ToolResultBlock
from ._errors import InvalidArgument

__all__ = [
    "Content",
    "Message",
    "encode_json",
    "holds_opaque",
    "json_fault",
    "json_fault_at",
    "known_wire",
    "read_messages",
]

Content: TypeAlias = "str | tuple[Block, ...]"

ROLES: Final = frozenset(get_args(Role))


def _enc_hook(obj: object) -> Any:
    if isinstance(obj, OpaqueBlock):
        return obj.data
    raise NotImplementedError(f"cannot encode {type(obj).__name__}")


_encoder: Final = msgspec.json.Encoder(enc_hook=_enc_hook, decimal_format="number")


def encode_json(value: object) -> bytes:
    """Encode a value (blocks, dicts, lists) to compact JSON, keeping dict key order."""
    return _encoder.encode(value)


_block_decoders: Final[dict[type, msgspec.json.Decoder[Any]]] = {}


def _retyped(block: Block, index: int) -> Block:
    """The block as its JSON decodes, so that every field has its type.

    A struct does not check its fields when it is made (``TextBlock(text=1)``, a
    ``cache_control`` given as a dict); decoding it does.  An :class:`OpaqueBlock` stays as it
    is, also in a tool or search result's content (:func:`_with_opaque_content`).
    """
    kind = type(block)
    if kind is OpaqueBlock:
        return block
    if isinstance(block, ToolResultBlock | SearchResultBlock) and holds_opaque(block.content):
        return _with_opaque_content(block, index)
    decoder = _block_decoders.get(kind)
    if decoder is None:
        decoder = _block_decoders.setdefault(kind, msgspec.json.Decoder(kind))
    try:
        return cast(Block, decoder.decode(_encoder.encode(block)))
    except msgspec.ValidationError as exc:
        raise InvalidArgument(f"/content/{index}: {exc}") from None
    except UnicodeEncodeError as exc:  # a lone surrogate: not text UTF-8 (or the API) can hold
        raise InvalidArgument(
            f"/content/{index}: not valid Unicode text: {exc.reason} at {exc.start}"
        ) from None


def holds_opaque(content: object) -> bool:
    """Whether ``content`` is blocks with an :class:`OpaqueBlock` among them, or in the content
    of a tool or search result among them."""
    return isinstance(content, tuple) and any(
        type(inner) is OpaqueBlock
        or (isinstance(inner, ToolResultBlock | SearchResultBlock) and holds_opaque(inner.content))
        for inner in content
    )


def _with_opaque_content(block: ToolResultBlock | SearchResultBlock, index: int) -> Block:
    """:func:`_retyped` for a block whose nested content holds an OpaqueBlock, which its
    decoder does not take: the rest is retyped, and the opaque blocks go back in their places."""
    content = block.content
    assert isinstance(content, tuple)  # holds_opaque found blocks in it
    shell = _retyped(
        msgspec.structs.replace(block, content=tuple(b for b in content if type(b) is not OpaqueBlock)), index
    )
    assert isinstance(shell, ToolResultBlock | SearchResultBlock)
    retyped = iter(shell.content or ())
    return msgspec.structs.replace(
        shell, content=tuple(inner if type(inner) is OpaqueBlock else next(retyped) for inner in content)
    )


_SCALARS: Final = frozenset({str, int, bool, type(None)})


def json_fault(value: object, at: str = "") -> str | None:
    """Where (a JSON Pointer, after ``at``) and why JSON cannot hold Python ``value`` as given,
    or None if it can: :func:`json_fault_at` in one line.

    >>> json_fault({"stop": {"END"}})
    '/stop: a set has no order JSON keeps (use a list)'
    """
    found = json_fault_at(value, at)
    return None if found is None else f"{found[0] or '/'}: {found[1]}"


def json_fault_at(value: object, at: str = "", *, text: bool = False) -> tuple[str, str] | None:
    """Where (a JSON Pointer, after ``at``) and why JSON cannot hold Python ``value`` as given,
    or None if it can.

    msgspec would encode it without a word, but not as given: a set as an array in hash order
    (which changes from process to process, and so would the bytes of a cached prefix), bytes as
    base64 text, NaN and the infinities as ``null`` (or, as a ``Decimal``, as no JSON at all), a
    key that is not a string as a string.  A finite ``Decimal`` is written as the number it is.
    SDK (pydantic) objects are encoded in the JSON mode of their ``model_dump``, which does the
    same (and bytes as text).  Dicts, lists, tuples, convo blocks and SDK objects (the values
    their fields hold) are looked into; other objects are left to the encoder.

    With ``text``, every string and key is looked into too, for text UTF-8 cannot hold (a lone
    surrogate), which the encoder refuses without saying where: a walk made once it has.

    >>> json_fault_at([{"x": float("nan")}], "/messages")
    ('/messages/0/x', 'nan is not a JSON number')
    >>> json_fault_at({"content": "a\\ud800"}, "/messages/0", text=True)
    ('/messages/0/content', 'not valid Unicode text: surrogates not allowed at 1')
    """
    found = _fault(value, text)
    if found is None:
        return None
    parts, why = found
    return at + "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in reversed(parts)
    ), why


def _fault(value: object, text: bool = False) -> tuple[list[object], str] | None:
    """:func:`json_fault_at`'s walk: the path (innermost key first) and the reason."""
    kind = type(value)
    mapping = isinstance(value, dict)
    if mapping or kind is list or kind is tuple:
        pairs = value.items() if mapping else enumerate(value)  # type: ignore[attr-defined, arg-type]
        for key, item in pairs:
            if mapping and type(key) is not str and not isinstance(key, str):
                return [], f"the key {key!r} is not a string"
            if text and mapping and (why := _text_fault(cast(str, key))) is not None:
                return [], f"the key {key!r} is {why}"
            if type(item) not in _SCALARS or (text and isinstance(item, str)):
                found = _fault(item, text)
                if found is not None:
                    found[0].append(key)
                    return found
        return None
    if isinstance(value, str):
        why = _text_fault(value) if text else None
        return None if why is None else ([], why)
    if kind is float:
        return None if value - value == 0 else ([], f"{value!r} is not a JSON number")  # type: ignore[operator]
    if isinstance(value, Decimal):  # written as the number it is; NaN and the infinities are none
        return None if value.is_finite() else ([], f"{value!r} is not a JSON number")
    if isinstance(value, msgspec.Struct):
        return _fault({name: getattr(value, name) for name in value.__struct_fields__}, text)
    if isinstance(value, OpaqueBlock):
        return _fault(value.data, text)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            fields = dump(mode="python", by_alias=True, exclude_unset=True, warnings=False)
        except Exception:  # the encoder dumps it again, and says what is wrong
            return None
        return _fault(fields, text)
    if isinstance(value, set | frozenset):
        return [], f"a {kind.__name__} has no order JSON keeps (use a list)"
    if isinstance(value, bytes | bytearray | memoryview):
        return [], f"{kind.__name__} are not JSON text (decode them, or give base64 text)"
    return None


def _text_fault(value: str) -> str | None:
    """Why UTF-8 (and so JSON text, and the API) cannot hold the string, or None if it can."""
    try:
        value.encode()
    except UnicodeEncodeError as exc:  # a lone surrogate
        return f"not valid Unicode text: {exc.reason} at {exc.start}"
    return None


@final
class Message:
    """One entry of ``messages``: ``role`` and ``content`` (a string, or a tuple of blocks).

    >>> from convo import Message, TextBlock
    >>> m = Message("user", [TextBlock(text="Hi")])
    >>> m.content
    (TextBlock(text='Hi', citations=None, cache_control=None),)
    >>> m.to_json()
    b'{"role":"user","content":[{"type":"text","text":"Hi"}]}'
    """

    __slots__ = ("_wire", "content", "role")
    if TYPE_CHECKING:  # read-only to a type checker, as to everyone (slots, for speed, at run time)

        @property
        def role(self) -> Role: ...

        @property
        def content(self) -> str | tuple[Block, ...]: ...

    #: The bytes, or until they are found, the call that finds them in the input the message was
    #: read with, and the message's index there.  (The call does not refer back to the messages:
    #: a conversation read and dropped is freed at once, input included, not by the cyclic GC.)
    _wire: bytes | tuple[Callable[[int], bytes], int]

    def __init__(self, role: Role, content: str | Iterable[Block]) -> None:
        if role not in ROLES:
            raise InvalidArgument(f"role must be 'user', 'assistant' or 'system', not {role!r}")
        if not isinstance(content, str):
            content = tuple(content)
            if not all(isinstance(b, BLOCK_CLASSES) for b in content):
                raise InvalidArgument(
                    "a Message holds convo blocks (Conversation.user, assistant and append also "
                    "take dicts and SDK objects)"
                )
            try:
                fault = json_fault(content, "/content")
            except RecursionError:  # deeper than Python recurses, or data that holds itself
                raise InvalidArgument("the content is nested too deeply") from None
            if fault is not None:
                raise InvalidArgument(f"the content is not JSON data: {fault}")
            content = tuple(_retyped(block, index) for index, block in enumerate(content))
        object.__setattr__(self, "role", role)
        object.__setattr__(self, "content", content)
        try:
            wire = encode_json({"role": role, "content": content})
        except UnicodeEncodeError as exc:  # a lone surrogate: not text UTF-8 (or the API) can hold
            raise InvalidArgument(
                f"the content is not valid Unicode text: {exc.reason} at {exc.start}"
            ) from None
        object.__setattr__(self, "_wire", wire)

    @classmethod
    def _from_wire(cls, role: Role, content: str | tuple[Block, ...], wire: bytes) -> Message:
        """A message read from JSON, with its ``wire`` bytes."""
        self = _new(cls)
        _set_role(self, role)
        _set_content(self, content)
        _set_wire(self, wire)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("immutable type: 'Message'")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as role, content and wire bytes (found first if still pending)."""
        return (Message._from_wire, (self.role, self.content, self.to_json()))

    def __copy__(self) -> Message:
        return self  # immutable: a copy could only be the same value

    def __deepcopy__(self, memo: dict[int, Any]) -> Message:
        return self

    @property
    def blocks(self) -> tuple[Block, ...]:
        """The content as blocks: string content reads as one text block."""
        if isinstance(self.content, str):
            return (TextBlock(text=self.content),)
        return self.content

    def to_json(self) -> bytes:
        """The message's exact wire bytes."""
        wire = self._wire
        if isinstance(wire, bytes):
            return wire
        find, index = wire
        found = find(index)  # finds the bytes of every message read with this one, once
        _set_wire(self, found)
        return found

    def to_dict(self) -> dict[str, Any]:
        """The message as plain JSON data (a fresh copy, key order kept)."""
        return cast(dict[str, Any], msgspec.json.decode(self.to_json()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(self.to_json())

    def __repr__(self) -> str:
        return f"Message(role={self.role!r}, content={self.content!r})"


# The slots' own setters skip __setattr__.
_new: Final = object.__new__
_set_role: Final = Message.__dict__["role"].__set__
_set_content: Final = Message.__dict__["content"].__set__
_set_wire: Final = Message.__dict__["_wire"].__set__


def known_wire(message: Message) -> bytes | None:
    """The message's wire bytes if they are known, or None while they are still to be found
    (it does not find them: that cuts out every message read with it)."""
    wire = message._wire
    return wire if isinstance(wire, bytes) else None


class _Unset:
    """A :class:`Message`'s slots without its ``__setattr__``: plain stores fill one in, then
    it becomes a Message (``__class__`` assignment: the layouts are the same)."""

    __slots__ = Message.__slots__


def read_messages(typed: Iterable[Any], find: Callable[[int], bytes]) -> list[Message]:
    """Messages for decoded ``role``/``content`` pairs, all finding their bytes with ``find``.

    One of these is made for every message read, and this way takes half the time of
    :meth:`Message._from_wire`.
    """
    messages: list[Any] = []
    for index, item in enumerate(typed):
        message: Any = _new(_Unset)
        message.role = item.role
        message.content = item.content
        message._wire = (find, index)
        message.__class__ = Message
        messages.append(message)
    return messages
