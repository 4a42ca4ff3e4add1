"""A message: a role, typed content, and the exact wire bytes it came from.

The wire bytes are the source of truth for output: a message read from JSON re-encodes to the
same bytes (compacted), with its key order, unknown fields and number literals intact.  A message
built in Python is encoded once, canonically, when it is made.  Equality and hashing follow the
wire bytes, so equal messages always encode to equal bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, TypeAlias, cast, get_args

import msgspec

from ._blocks import Block, OpaqueBlock, Role, TextBlock
from ._errors import InvalidArgument

__all__ = ["Content", "Message", "encode_json"]

Content: TypeAlias = "str | tuple[Block, ...]"

ROLES: Final = frozenset(get_args(Role))


def _enc_hook(obj: object) -> Any:
    if isinstance(obj, OpaqueBlock):
        return obj.data
    raise NotImplementedError(f"cannot encode {type(obj).__name__}")


_encoder: Final = msgspec.json.Encoder(enc_hook=_enc_hook)


def encode_json(value: object) -> bytes:
    """Encode a value (blocks, dicts, lists) to compact JSON, keeping dict key order."""
    return _encoder.encode(value)


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
    role: Role
    content: str | tuple[Block, ...]
    _wire: bytes

    def __init__(self, role: Role, content: str | Iterable[Block]) -> None:
        if role not in ROLES:
            raise InvalidArgument(f"role must be 'user', 'assistant' or 'system', not {role!r}")
        if not isinstance(content, str):
            content = tuple(content)
        object.__setattr__(self, "role", role)
        object.__setattr__(self, "content", content)
        object.__setattr__(self, "_wire", encode_json({"role": role, "content": content}))

    @classmethod
    def _from_wire(cls, role: Role, content: str | tuple[Block, ...], wire: bytes) -> Message:
        self = cls.__new__(cls)
        object.__setattr__(self, "role", role)
        object.__setattr__(self, "content", content)
        object.__setattr__(self, "_wire", wire)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("immutable type: 'Message'")

    @property
    def blocks(self) -> tuple[Block, ...]:
        """The content as blocks: string content reads as one text block."""
        if isinstance(self.content, str):
            return (TextBlock(text=self.content),)
        return self.content

    def to_json(self) -> bytes:
        """The message's exact wire bytes."""
        return self._wire

    def to_dict(self) -> dict[str, Any]:
        """The message as plain JSON data (a fresh copy, key order kept)."""
        return cast(dict[str, Any], msgspec.json.decode(self._wire))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self._wire == other._wire

    def __hash__(self) -> int:
        return hash(self._wire)

    def __repr__(self) -> str:
        return f"Message(role={self.role!r}, content={self.content!r})"
