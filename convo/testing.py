"""Hypothesis strategies for convo: valid conversations of every shape, and invalid ones that
break exactly one named rule.

This module is the ``convo[testing]`` extra: it imports Hypothesis, and ``import convo`` never
imports it.  Like ``hypothesis.extra``, every option is keyword-only, and a feature flag may be
given as a value or as a strategy that is drawn once per example.

* :func:`wire_conversations` -- request-body dicts (``system``, ``tools``, ``messages``) that
  :meth:`convo.Conversation.from_wire` accepts, with no error and no warning;
* :func:`conversations` -- the same, as :class:`convo.Conversation` objects;
* :func:`blocks` and :func:`images` -- single content blocks that are valid on their own;
* :func:`invalid_conversations` -- ``(data, Broken(code, path))``: wire data made by mutating a
  valid conversation so that it breaks one rule of :data:`BREAKABLE_RULES`, and the JSON Pointer
  where :func:`convo.check` must report it.

>>> import convo
>>> from hypothesis import given, settings
>>> from convo.testing import conversations
>>> @settings(max_examples=5)
... @given(conversations(max_turns=4))
... def test_round_trip(conv):
...     assert convo.Conversation.from_wire(conv.to_json()) == conv
>>> test_round_trip()
"""

from __future__ import annotations

import base64
import copy
import struct
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias, TypeVar, cast

import attrs
import msgspec

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as exc:  # pragma: no cover - the extra is installed in convo's own tests
    raise ImportError(
        "convo.testing needs Hypothesis, which the 'testing' extra installs: "
        "pip install -e '.[testing]' from a clone of convo, or pip install hypothesis"
    ) from exc
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from ._blocks import Block, ImageBlock
from ._check import check
from ._codec import decode_block
from ._conversation import Conversation
from ._errors import Problem
from ._models import EFFORT_ORDER, KNOWN_MODELS, THINKING_MODES, effort_refusal, profile
from ._params import MAX_BODY
from ._rules import MAX_IMAGE_BASE64, MAX_PLATFORM_IMAGE_BASE64, RULES
from ._schema import COMBINATORS, MAX_OPTIONAL_PARAMETERS, MAX_UNION_PARAMETERS, Load, strict_load

__all__ = [
    "BREAKABLE_RULES",
    "Broken",
    "blocks",
    "conversations",
    "images",
    "invalid_conversations",
    "wire_conversations",
]

T = TypeVar("T")
Wire: TypeAlias = dict[str, Any]
Flag: TypeAlias = "bool | SearchStrategy[bool]"
BlockRole: TypeAlias = Literal["user", "assistant", "system"]

MEDIA_TYPES: Final = ("image/png", "image/jpeg", "image/gif", "image/webp")
MAX_IMAGE_SIDE: Final = 1000
"""The largest ``images(max_side=...)``: bigger images are slow to make (GIFs are stored raw)."""
SERVER_TOOLS: Final = {
    "code_execution": "code_execution_20250825",
    "web_search": "web_search_20250305",
    "web_fetch": "web_fetch_20250910",
    "tool_search_tool_regex": "tool_search_tool_regex_20251119",
    "tool_search_tool_bm25": "tool_search_tool_bm25_20251119",
}
"""The server tools generated conversations call: each ``name`` and the tool ``type`` declaring it."""
_SUB_TOOLS: Final = {
    "bash_code_execution": "code_execution",
    "text_editor_code_execution": "code_execution",
}
"""Server tool calls made through another server tool's declaration (code execution 20250825 runs
bash commands and file edits as calls of their own)."""
_SERVER_CALLS: Final = (*SERVER_TOOLS, *_SUB_TOOLS)
_PAIRED_CALLS: Final = (
    "code_execution",
    "web_fetch",
    "web_search",
    "bash_code_execution",
    "text_editor_code_execution",
    "tool_search_tool_regex",
    "tool_search_tool_bm25",
)
"""The server tool calls an assistant turn may make, simplest first (examples shrink towards it)."""
_TOOLSETS: Final = {"browser": "browser_toolset_20260801", "computer": "computer_toolset_20260801"}
"""The toolsets generated conversations call members of: each ``toolset_name`` and the ``tools``
entry declaring it."""
_TOOLSET_MEMBERS: Final[Mapping[str, tuple[tuple[str, Wire], ...]]] = {
    "browser": (("screenshot", {}), ("list_tabs", {}), ("navigate", {"url": "https://example.com/"})),
    "computer": (
        ("screenshot", {}),
        ("left_click", {"coordinate": [10, 20]}),
        ("mouse_move", {"coordinate": [0, 0]}),
    ),
}
"""Members of each toolset, with an input they take (the SDK's ``BrowserMemberName`` and
``ComputerMemberName``)."""
_ID_CHARS: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
_SERVER_ID_CHARS: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


# =============================================================================== images
#
# Tiny real images, built byte by byte so that convo's sniffer (and any decoder) sees the media
# type they are declared as: PNG (zlib + CRC), GIF (LZW with a clear code every two pixels, so
# codes stay 3 bits wide), baseline JPEG (one flat grey level: DC-only 8x8 blocks) and lossless
# WEBP (VP8L of one colour: five single-symbol prefix codes, so pixels take no bits at all).


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    gray = rgb[0] == rgb[1] == rgb[2]
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0 if gray else 2, 0, 0, 0)
    pixel = bytes(rgb[:1]) if gray else bytes(rgb)
    raw = (b"\x00" + pixel * width) * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )


class _Bits:
    """LSB-first bit packing (GIF LZW codes, the WEBP lossless bitstream)."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value: int, width: int) -> None:
        self.acc |= value << self.n
        self.n += width
        while self.n >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.n -= 8

    def bytes(self) -> bytes:
        if self.n:
            self.out.append(self.acc & 0xFF)
            self.acc = self.n = 0
        return bytes(self.out)


def _gif(width: int, height: int, rgb: tuple[int, int, int], pattern: int) -> bytes:
    palette = bytes(rgb) + bytes(255 - c for c in rgb)
    head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + palette
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    bits = _Bits()
    for i in range(width * height):
        if i % 2 == 0:
            bits.put(4, 3)  # clear code
        bits.put((pattern >> (i % 8)) & 1, 3)
    bits.put(5, 3)  # end of information
    data = bits.bytes()
    sub_blocks = b"".join(
        bytes([len(data[k : k + 255])]) + data[k : k + 255] for k in range(0, len(data), 255)
    )
    return head + descriptor + b"\x02" + sub_blocks + b"\x00\x3b"


_DC_COUNTS: Final = bytes([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])  # the standard luminance DC table
_DC_CODES: Final = (
    (0b00, 2), (0b010, 3), (0b011, 3), (0b100, 3), (0b101, 3), (0b110, 3),
    (0b1110, 4), (0b11110, 5), (0b111110, 6), (0b1111110, 7), (0b11111110, 8), (0b111111110, 9),
)  # fmt: skip


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _jpeg(width: int, height: int, level: int) -> bytes:
    dc = 8 * (level - 128)  # F(0,0) of a flat 8x8 block, with quantiser 1
    bits: list[str] = []
    for index in range(-(-width // 8) * -(-height // 8)):
        diff = dc if index == 0 else 0
        category = abs(diff).bit_length()
        code, size = _DC_CODES[category]
        bits.append(format(code, f"0{size}b"))
        if category:
            bits.append(format(diff if diff > 0 else diff + (1 << category) - 1, f"0{category}b"))
        bits.append("0")  # AC: end of block
    stream = "".join(bits)
    stream += "1" * (-len(stream) % 8)
    scan = bytearray()
    for k in range(0, len(stream), 8):
        scan.append(int(stream[k : k + 8], 2))
        if scan[-1] == 0xFF:
            scan.append(0)  # byte stuffing
    return (
        b"\xff\xd8"
        + _jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + _jpeg_segment(0xDB, b"\x00" + b"\x01" * 64)
        + _jpeg_segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
        + _jpeg_segment(0xC4, b"\x00" + _DC_COUNTS + bytes(range(12)))
        + _jpeg_segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")
        + _jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + bytes(scan)
        + b"\xff\xd9"
    )


def _webp(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    bits = _Bits()
    bits.put(0x2F, 8)
    bits.put(width - 1, 14)
    bits.put(height - 1, 14)
    bits.put(0, 4)  # alpha hint, version 0
    bits.put(0, 3)  # no transform, no colour cache, no meta prefix codes
    for symbol in (rgb[1], rgb[0], rgb[2], 255):  # green, red, blue, alpha: one 8-bit symbol each
        bits.put(0b101, 3)
        bits.put(symbol, 8)
    bits.put(0b001, 3)  # distance: one 1-bit symbol, 0
    bits.put(0, 1)
    data = bits.bytes()
    chunk = b"VP8L" + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def _image_bytes(media_type: str, width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    if media_type == "image/png":
        return _png(width, height, rgb)
    if media_type == "image/gif":
        return _gif(width, height, rgb, rgb[2])
    if media_type == "image/jpeg":
        return _jpeg(width, height, rgb[0])
    return _webp(width, height, rgb)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_RGB: Final = st.tuples(*[st.integers(0, 255)] * 3)


@st.composite
def _base64_image_source(draw: DrawFn, media_type: SearchStrategy[str], max_side: int = 12) -> Wire:
    kind = draw(media_type)
    width, height = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    data = _image_bytes(kind, width, height, draw(_RGB))
    return {"type": "base64", "media_type": kind, "data": _b64(data)}


_URL_SOURCE: Final = st.builds(
    lambda name, ext: {"type": "url", "url": f"https://example.com/{name}.{ext}"},
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8),
    st.sampled_from(["png", "jpg", "gif", "webp"]),
)
_FILE_SOURCE: Final = st.builds(
    lambda suffix: {"type": "file", "file_id": f"file_{suffix}"},
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=4, max_size=12),
)


# =============================================================================== small values

_WORDS: Final = (
    "Hello", "What is the weather in Paris?", "Thanks!", "Let me check.", "Résumé: ok", "Größe",
    "日本語のテキスト", "emoji 🎉 test", "tab\there", "line\nbreak", "quote \" and \\ backslash",
    "</script>", "null", "0", "  padded  ", "\u200b zero width",
)  # fmt: skip

_TEXT: Final = st.one_of(st.sampled_from(_WORDS), st.text(min_size=1, max_size=24)).filter(
    lambda s: not s.isspace()
)
_ANY_TEXT: Final = st.text(max_size=16)

_SCALARS: Final = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    _ANY_TEXT,
)
_JSON: Final[SearchStrategy[Any]] = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_TOOL_INPUT: Final = st.dictionaries(st.text(max_size=10), _JSON, max_size=5)

_TOOL_NAME: Final = st.text(_ID_CHARS, min_size=1, max_size=24).map(
    lambda name: name + "_" if name in _SERVER_CALLS else name
)


def _text_block(draw: DrawFn, *, citations: bool = False) -> Wire:
    text = draw(_TEXT)
    block: Wire = {"type": "text", "text": text}
    if citations and draw(st.integers(0, 3)) == 3:
        block["citations"] = [
            {
                "type": "char_location",
                "cited_text": text,
                "document_index": 0,
                "document_title": None,
                "start_char_index": 0,
                "end_char_index": len(text),
            }
        ]
    return block


_PDF: Final = _b64(
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


_ANY_MEDIA_TYPE: Final = st.sampled_from(MEDIA_TYPES)


@st.composite
def _image_block(draw: DrawFn, media_type: SearchStrategy[str] = _ANY_MEDIA_TYPE) -> Wire:
    kind = draw(st.integers(0, 5))
    if kind == 4:
        source = draw(_URL_SOURCE)
    elif kind == 5:
        source = draw(_FILE_SOURCE)
    else:
        source = draw(_base64_image_source(media_type))
    return {"type": "image", "source": source}


@st.composite
def _document_block(draw: DrawFn) -> Wire:
    kind = draw(st.sampled_from(["text", "base64", "url", "file", "content"]))
    source: Wire
    if kind == "text":
        source = {"type": "text", "media_type": "text/plain", "data": draw(_TEXT)}
    elif kind == "base64":
        source = {"type": "base64", "media_type": "application/pdf", "data": _PDF}
    elif kind == "url":
        source = {"type": "url", "url": "https://example.com/paper.pdf"}
    elif kind == "file":
        source = draw(_FILE_SOURCE)
    elif draw(st.booleans()):
        source = {"type": "content", "content": draw(_TEXT)}
    else:
        source = {"type": "content", "content": [{"type": "text", "text": draw(_TEXT)}]}
    block: Wire = {"type": "document", "source": source}
    if draw(st.booleans()):
        block["title"] = draw(_TEXT)
    if draw(st.integers(0, 3)) == 3:
        block["context"] = draw(_TEXT)
    return block


@st.composite
def _search_result_block(draw: DrawFn) -> Wire:
    count = draw(st.integers(1, 2))
    return {
        "type": "search_result",
        "source": "https://example.com/" + draw(st.text("abcdefgh", min_size=1, max_size=6)),
        "title": draw(_TEXT),
        "content": [{"type": "text", "text": draw(_TEXT)} for _ in range(count)],
    }


@st.composite
def _thinking_block(draw: DrawFn) -> Wire:
    if draw(st.integers(0, 3)) == 3:
        return {"type": "redacted_thinking", "data": draw(st.binary(min_size=1, max_size=24).map(_b64))}
    thinking = draw(st.one_of(st.just(""), _TEXT))  # "" is what display: "omitted" sends back
    signature = draw(st.binary(min_size=8, max_size=48).map(_b64))
    return {"type": "thinking", "thinking": thinking, "signature": signature}


def _user_block(draw: DrawFn, *, images: bool) -> Wire:
    kind = draw(st.sampled_from(["text", "text", "image", "document", "search_result"]))
    if kind == "image" and images:
        return draw(_image_block())
    if kind == "document":
        return draw(_document_block())
    if kind == "search_result":
        return draw(_search_result_block())
    return _text_block(draw)


# =============================================================================== blocks


def _typed(data: Wire) -> Block:
    problems: list[Problem] = []
    block = decode_block(data, (), problems.append)
    if problems:  # pragma: no cover - the generators make valid blocks only
        raise AssertionError(f"convo.testing made an invalid block {data!r}: {problems}")
    return block


@st.composite
def _block_for(draw: DrawFn, role: str) -> Block:
    if role == "user":
        return _typed(_user_block(draw, images=True))
    if role == "assistant":
        if draw(st.integers(0, 2)) == 0:
            return _typed(draw(_thinking_block()))
        return _typed(_text_block(draw, citations=True))
    return _typed(_text_block(draw))


def _checked_block_for(role: object) -> SearchStrategy[Block]:
    if role not in ("user", "assistant", "system"):
        raise InvalidArgument(f"role must be 'user', 'assistant' or 'system', not {role!r}")
    return _block_for(role)


def blocks(*, role: BlockRole | SearchStrategy[BlockRole] = "user") -> SearchStrategy[Block]:
    """Content blocks that are valid on their own in a turn of ``role``.

    ``"user"``: text, image (a tiny real PNG/JPEG/GIF/WEBP in base64 whose bytes match its
    ``media_type``, or a url/file source), document (text, PDF, url, file or custom content) and
    search_result.  ``"assistant"``: text (sometimes with citations), thinking (with a non-empty
    signature) and redacted_thinking.  ``"system"``: text.  Blocks that must be paired
    (tool_use/tool_result, server tool calls) only come inside :func:`conversations`, and an
    assistant turn made of these blocks must put its thinking first (rule ``thinking-not-first``).

    ``role`` may be a strategy, drawn once per block.

    >>> import convo
    >>> from hypothesis import given, settings, strategies as st
    >>> @settings(max_examples=5)
    ... @given(st.lists(blocks(role="user"), min_size=1, max_size=3))
    ... def test_user_turn(content):
    ...     conv = convo.Conversation().user(content)
    ...     assert convo.check(conv.to_json()).valid
    >>> test_user_turn()
    """
    if isinstance(role, SearchStrategy):
        return role.flatmap(_checked_block_for)
    return _checked_block_for(role)


def images(
    *, media_type: str | SearchStrategy[str] | None = None, max_side: int | SearchStrategy[int] = 12
) -> SearchStrategy[ImageBlock]:
    """Image blocks holding a tiny real image in base64, at most ``max_side`` pixels a side
    (up to :data:`MAX_IMAGE_SIDE`).

    ``media_type`` is one of ``image/png``, ``image/jpeg``, ``image/gif``, ``image/webp``, a
    strategy of those, or None for any.  The bytes really are of that type, so convo's sniffer
    agrees with the declared ``media_type``.  ``max_side`` may be a strategy too.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(images(media_type="image/webp"))
    ... def test_webp(block):
    ...     assert block.source["media_type"] == "image/webp"
    >>> test_webp()
    """
    if isinstance(max_side, SearchStrategy):
        return max_side.flatmap(lambda side: images(media_type=media_type, max_side=side))
    if not isinstance(max_side, int) or isinstance(max_side, bool) or not 1 <= max_side <= MAX_IMAGE_SIDE:
        raise InvalidArgument(f"max_side must be an int from 1 to {MAX_IMAGE_SIDE}, not {max_side!r}")
    kinds: SearchStrategy[str]
    if media_type is None:
        kinds = st.sampled_from(MEDIA_TYPES)
    elif isinstance(media_type, str):
        if media_type not in MEDIA_TYPES:
            raise InvalidArgument(f"media_type must be one of {MEDIA_TYPES}, not {media_type!r}")
        kinds = st.just(media_type)
    elif isinstance(media_type, SearchStrategy):
        kinds = media_type.map(_media_type)
    else:
        raise InvalidArgument(f"media_type must be a string, a strategy or None, not {media_type!r}")
    return _base64_image_source(kinds, max_side).map(
        lambda source: msgspec.convert({"type": "image", "source": source}, ImageBlock)
    )


# =============================================================================== valid conversations


@attrs.frozen
class _Options:
    min_turns: int | SearchStrategy[int]
    max_turns: int | SearchStrategy[int]
    tools: bool | SearchStrategy[bool] | tuple[Wire, ...] | SearchStrategy[Sequence[Mapping[str, Any]]]
    thinking: Flag
    images: Flag
    server_tools: Flag
    cache_marks: Flag
    parallel_tool_calls: Flag
    system: bool | str | SearchStrategy[bool] | SearchStrategy[str]
    system_messages: Flag
    tool_changes: Flag
    toolsets: Flag


def _turn_bounds(min_turns: object, max_turns: object) -> tuple[int, int]:
    """``min_turns`` and ``max_turns``, checked."""
    for name, value in (("min_turns", min_turns), ("max_turns", max_turns)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidArgument(f"{name} must be a non-negative int, not {value!r}")
    assert isinstance(min_turns, int) and isinstance(max_turns, int)
    if min_turns > max_turns:
        raise InvalidArgument(f"min_turns={min_turns} is greater than max_turns={max_turns}")
    return min_turns, max_turns


def _check_flag(name: str, value: object) -> None:
    if not isinstance(value, bool | SearchStrategy):
        raise InvalidArgument(f"{name} must be a bool or a strategy of bools, not {value!r}")


def _media_type(value: object) -> str:
    if not isinstance(value, str) or value not in MEDIA_TYPES:
        raise InvalidArgument(f"media_type must be one of {MEDIA_TYPES}, and it drew {value!r}")
    return value


def _options(
    min_turns: int | SearchStrategy[int],
    max_turns: int | SearchStrategy[int],
    tools: object,
    thinking: Flag,
    images: Flag,
    server_tools: Flag,
    cache_marks: Flag,
    parallel_tool_calls: Flag,
    system: object,
    system_messages: Flag,
    tool_changes: Flag,
    toolsets: Flag,
) -> _Options:
    if not isinstance(min_turns, SearchStrategy) and not isinstance(max_turns, SearchStrategy):
        _turn_bounds(min_turns, max_turns)  # else when drawn
    for name, flag in (
        ("thinking", thinking),
        ("images", images),
        ("server_tools", server_tools),
        ("cache_marks", cache_marks),
        ("parallel_tool_calls", parallel_tool_calls),
        ("system_messages", system_messages),
        ("tool_changes", tool_changes),
        ("toolsets", toolsets),
    ):
        _check_flag(name, flag)
    tool_option = tools if isinstance(tools, SearchStrategy) else _tools_option(tools)
    if not isinstance(system, SearchStrategy):
        _check_system(system)
    return _Options(
        min_turns,
        max_turns,
        tool_option,
        thinking,
        images,
        server_tools,
        cache_marks,
        parallel_tool_calls,
        cast(Any, system),
        system_messages,
        tool_changes,
        toolsets,
    )


def _tools_option(option: object) -> bool | tuple[Wire, ...]:
    """The ``tools`` option (given, or drawn from its strategy), checked: a bool, or tool
    definitions convo accepts as they are."""
    if isinstance(option, bool):
        return option
    if not isinstance(option, Sequence) or isinstance(option, str | bytes):
        raise InvalidArgument(f"tools must be a bool or a sequence of tool definitions, not {option!r}")
    tools = tuple(dict(t) if isinstance(t, Mapping) else t for t in option)
    problems = check({"tools": list(tools), "messages": [{"role": "user", "content": "Hi"}]}).errors
    if problems:
        raise InvalidArgument(f"the tool definitions must be valid: {problems[0]}")
    return cast("tuple[Wire, ...]", tools)


def _check_system(option: object) -> None:
    if not isinstance(option, bool | str):
        raise InvalidArgument(f"system must be a bool or a string, not {option!r}")
    if isinstance(option, str) and (not option or option.isspace()):
        raise InvalidArgument("system must contain non-whitespace text")


def _flag(draw: DrawFn, value: bool | SearchStrategy[bool], name: str) -> bool:
    if isinstance(value, SearchStrategy):
        value = draw(value)
        if not isinstance(value, bool):
            raise InvalidArgument(f"{name} must be a bool or a strategy of bools, and it drew {value!r}")
    return value


_STRICT_PROPERTIES: Final = (
    {"type": "string"},
    {"type": "integer"},
    {"type": "array", "items": {"type": "string"}},
    {"type": "string", "enum": ["a", "b"]},
    {"type": ["string", "null"]},
    {"type": "object", "properties": {"x": {"type": "number"}}, "additionalProperties": False},
)
"""Tool parameters a strict tool may take (structured outputs close every object)."""
_PROPERTIES: Final = (
    *_STRICT_PROPERTIES[:3],
    {"type": "number", "minimum": 0.5},
    {"type": "object"},
)
"""Tool parameters a tool that is not strict may take."""


class _Builder:
    """Generation state for one conversation: options drawn, ids handed out, tools in scope."""

    def __init__(self, draw: DrawFn, options: _Options) -> None:
        self.draw = draw
        self.thinking = _flag(draw, options.thinking, "thinking")
        self.images = _flag(draw, options.images, "images")
        self.server_tools = _flag(draw, options.server_tools, "server_tools")
        self.cache_marks = _flag(draw, options.cache_marks, "cache_marks")
        self.parallel = _flag(draw, options.parallel_tool_calls, "parallel_tool_calls")
        self.system_messages = _flag(draw, options.system_messages, "system_messages")
        self.tool_changes = _flag(draw, options.tool_changes, "tool_changes")
        self.toolsets = _flag(draw, options.toolsets, "toolsets")
        self.counter = 0
        self.id_prefix = draw(st.sampled_from(["toolu_", "toolu_01", "call_", "toolu_vrtx_", ""]))
        self.tools = self._tools(options.tools)
        self.tool_names = [t["name"] for t in self.tools if t.get("type") in (None, "custom")]
        self.server_used: set[str] = set()
        self.defined: list[str] = []  # the tools a tool_addition defined inline so far
        self.toolset_of: dict[str, str] = {}  # each toolset member call: its toolset_name
        self.toolsets_used: set[str] = set()

    def _tools(self, option: Any) -> list[Wire]:
        draw = self.draw
        if isinstance(option, SearchStrategy):
            option = _tools_option(draw(option))
        if isinstance(option, tuple):
            return copy.deepcopy(list(option))
        if not option:
            return []
        names = draw(st.lists(_TOOL_NAME, min_size=0, max_size=3, unique=True))
        tools = []
        for name in names:
            # a strict tool (structured outputs) takes a closed schema of the keywords they accept
            strict = draw(st.integers(0, 3)) == 3
            properties = draw(st.dictionaries(st.text(_ID_CHARS, min_size=1, max_size=8), st.sampled_from(
                _STRICT_PROPERTIES if strict else _PROPERTIES).map(copy.deepcopy), max_size=3))  # fmt: skip
            tool: Wire = {"name": name}
            if draw(st.booleans()):
                tool["description"] = draw(_TEXT)
            tool["input_schema"] = {
                "type": "object",
                "properties": properties,
                "required": sorted(properties)[:1],
            }
            if strict:
                tool["input_schema"]["additionalProperties"] = False
                tool["strict"] = True
            tools.append(tool)
        return tools

    # -- ids ---------------------------------------------------------------------------------------

    def tool_id(self) -> str:
        self.counter += 1
        middle = self.draw(st.text(_ID_CHARS, max_size=10))
        return f"{self.id_prefix}{middle}_{self.counter}"

    def server_id(self) -> str:
        self.counter += 1
        middle = self.draw(st.text(_SERVER_ID_CHARS, max_size=10))
        return f"srvtoolu_{middle}_{self.counter}"

    # -- turns -------------------------------------------------------------------------------------

    def user(self, pending: list[str]) -> Wire:
        draw = self.draw
        if not pending and draw(st.integers(0, 2)) == 0:
            return {"role": "user", "content": draw(_TEXT)}
        content: list[Wire] = []
        for tool_id in draw(st.permutations(pending)):
            toolset = self.toolset_of.get(tool_id)
            content.append(
                self.tool_result(tool_id) if toolset is None else self.toolset_result(tool_id, toolset)
            )
        extra = draw(st.integers(0 if pending else 1, 3))
        for _ in range(extra):
            if self.server_tools and draw(st.integers(0, 5)) == 5:  # a file for the code container
                self.server_used.add("code_execution")
                content.append({"type": "container_upload", "file_id": draw(_FILE_SOURCE)["file_id"]})
            else:
                content.append(_user_block(draw, images=self.images))
        return {"role": "user", "content": content}

    def tool_result(self, tool_id: str) -> Wire:
        draw = self.draw
        block: Wire = {"type": "tool_result", "tool_use_id": tool_id}
        kind = draw(st.integers(0, 3))
        if kind == 1:
            block["content"] = draw(_TEXT)
        elif kind >= 2:
            inner: list[Wire] = []
            alone = draw(st.integers(0, 4))
            if alone == 3:  # search results come alone (api-rules §2.5)
                inner.extend(draw(_search_result_block()) for _ in range(draw(st.integers(1, 2))))
            elif alone == 4 and self.tool_names:  # a client-side tool search: the tools it found
                found = draw(st.lists(st.sampled_from(self.tool_names), min_size=1, max_size=2, unique=True))
                block["content"] = [{"type": "tool_reference", "tool_name": name} for name in found]
                return block
            for _ in range(0 if inner else draw(st.integers(1, 2))):
                which = draw(st.integers(0, 2))
                if which == 1 and self.images:
                    inner.append(draw(_image_block()))
                elif which == 2:
                    inner.append(draw(_document_block()))
                else:
                    inner.append(_text_block(draw))
            block["content"] = inner
        if kind and draw(st.integers(0, 3)) == 3:  # an error result says what went wrong
            block["is_error"] = draw(st.booleans())
        return block

    def assistant(self) -> tuple[Wire, list[str]]:
        draw = self.draw
        plain = not (self.thinking or self.tool_names or self.server_tools or self.toolsets)
        if (plain or draw(st.integers(0, 3)) == 0) and draw(st.booleans()):
            return {"role": "assistant", "content": draw(_TEXT)}, []
        content: list[Wire] = []
        if self.tool_changes and draw(st.integers(0, 4)) == 4:  # the API puts a compaction first
            content.append(self.compaction())
        if self.thinking:
            content.extend(draw(_thinking_block()) for _ in range(draw(st.integers(0, 2))))
        for _ in range(draw(st.integers(0, 3))):
            if self.server_tools and draw(st.integers(0, 2)) == 2:
                content.extend(self.server_pair())
            else:
                content.append(_text_block(draw, citations=True))
        pending: list[str] = []
        if self.tool_names or self.toolsets:
            calls = draw(st.integers(0, 3 if self.parallel else 1))
            for _ in range(calls):
                tool_id = self.tool_id()
                if self.toolsets and (not self.tool_names or draw(st.booleans())):
                    content.append(self.toolset_call(tool_id))
                else:
                    content.append({
                        "type": "tool_use",
                        "id": tool_id,
                        "name": draw(st.sampled_from(self.tool_names)),
                        "input": draw(_TOOL_INPUT),
                    })  # fmt: skip
                pending.append(tool_id)
        if not content:
            content.append(_text_block(draw, citations=True))
        return {"role": "assistant", "content": content}, pending

    def server_pair(self) -> list[Wire]:
        draw = self.draw
        name = draw(st.sampled_from(_PAIRED_CALLS))
        self.server_used.add(_SUB_TOOLS.get(name, name))
        server_id = self.server_id()
        if name in _SUB_TOOLS:
            return self.code_execution_call(name, server_id)
        if name.startswith("tool_search"):
            return self.tool_search(name, server_id)
        if name == "web_search":
            use: Wire = {
                "type": "server_tool_use",
                "id": server_id,
                "name": name,
                "input": {"query": draw(_TEXT)},
            }
            content: Any
            if draw(st.integers(0, 4)) == 4:
                content = {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}
            else:
                content = [
                    {
                        "type": "web_search_result",
                        "url": f"https://example.com/{i}",
                        "title": draw(_TEXT),
                        "encrypted_content": draw(st.binary(min_size=1, max_size=16).map(_b64)),
                        "page_age": draw(st.sampled_from([None, "2 days ago", "March 3, 2026"])),
                    }
                    for i in range(draw(st.integers(0, 2)))
                ]
            return [use, {"type": "web_search_tool_result", "tool_use_id": server_id, "content": content}]
        if name == "code_execution":
            use = {"type": "server_tool_use", "id": server_id, "name": name, "input": {"code": draw(_TEXT)}}
            if draw(st.integers(0, 4)) == 4:
                content = {
                    "type": "code_execution_tool_result_error",
                    "error_code": "execution_time_exceeded",
                }
            else:
                failed = draw(st.booleans())
                files = draw(st.lists(_FILE_SOURCE, max_size=2))  # the files the code wrote
                content = {
                    "type": "code_execution_result",
                    "stdout": "" if failed else draw(_TEXT),
                    "stderr": draw(_TEXT) if failed else "",
                    "return_code": 1 if failed else 0,
                    "content": [{"type": "code_execution_output", "file_id": f["file_id"]} for f in files],
                }
            return [use, {"type": "code_execution_tool_result", "tool_use_id": server_id, "content": content}]
        use = {
            "type": "server_tool_use",
            "id": server_id,
            "name": name,
            "input": {"url": "https://example.com/"},
        }
        result: Wire
        if draw(st.integers(0, 4)) == 4:
            result = {"type": "web_fetch_tool_result_error", "error_code": "url_not_accessible"}
        else:
            source: Wire = (
                {"type": "base64", "media_type": "application/pdf", "data": _PDF}
                if draw(st.booleans())
                else {"type": "text", "media_type": "text/plain", "data": draw(_TEXT)}
            )
            page: Wire = {"type": "document", "source": source}
            if draw(st.booleans()):
                page["title"] = draw(_TEXT)
            if draw(st.booleans()):
                page["citations"] = {"enabled": draw(st.booleans())}
            result = {
                "type": "web_fetch_result",
                "url": "https://example.com/",
                "content": page,
                "retrieved_at": draw(st.sampled_from([None, "2026-01-01T00:00:00Z"])),
            }
        return [use, {"type": "web_fetch_tool_result", "tool_use_id": server_id, "content": result}]

    def code_execution_call(self, name: str, server_id: str) -> list[Wire]:
        """A bash command or a file edit that code execution 20250825 ran, and its result."""
        draw = self.draw
        content: Wire
        if name == "bash_code_execution":
            use_input: Wire = {"command": draw(_TEXT)}
            if draw(st.integers(0, 4)) == 4:
                content = {"type": "bash_code_execution_tool_result_error", "error_code": "unavailable"}
            else:
                failed = draw(st.booleans())
                files = draw(st.lists(_FILE_SOURCE, max_size=2 if draw(st.integers(0, 3)) == 3 else 0))
                content = {
                    "type": "bash_code_execution_result",
                    "stdout": "" if failed else draw(_TEXT),
                    "stderr": draw(_TEXT) if failed else "",
                    "return_code": 1 if failed else 0,
                    "content": [
                        {"type": "bash_code_execution_output", "file_id": f["file_id"]} for f in files
                    ],
                }
        else:
            path = "/tmp/" + draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)) + ".txt"
            command = draw(st.sampled_from(["view", "create", "str_replace"]))
            text = draw(_TEXT)
            if command == "view":
                use_input = {"command": "view", "path": path}
                lines = text.count("\n") + 1
                content = {
                    "type": "text_editor_code_execution_view_result",
                    "file_type": draw(st.sampled_from(["text", "image", "pdf"])),
                    "content": text,
                    "num_lines": lines,
                    "start_line": 1,
                    "total_lines": lines,
                }
            elif command == "create":
                use_input = {"command": "create", "path": path, "file_text": text}
                content = {
                    "type": "text_editor_code_execution_create_result",
                    "is_file_update": draw(st.booleans()),
                }
            else:
                use_input = {"command": "str_replace", "path": path, "old_str": draw(_TEXT), "new_str": text}
                content = {
                    "type": "text_editor_code_execution_str_replace_result",
                    "old_start": 1,
                    "old_lines": 1,
                    "new_start": 1,
                    "new_lines": 1,
                    "lines": [text],
                }
            if draw(st.integers(0, 4)) == 4:
                content = {
                    "type": "text_editor_code_execution_tool_result_error",
                    "error_code": "file_not_found",
                    "error_message": None,
                }
        use = {"type": "server_tool_use", "id": server_id, "name": name, "input": use_input}
        return [use, {"type": f"{name}_tool_result", "tool_use_id": server_id, "content": content}]

    def tool_search(self, name: str, server_id: str) -> list[Wire]:
        """A tool search and the declared tools it found, as ``tool_reference`` entries."""
        draw = self.draw
        use = {"type": "server_tool_use", "id": server_id, "name": name, "input": {"query": draw(_TEXT)}}
        content: Wire
        if draw(st.integers(0, 4)) == 4:
            content = {"type": "tool_search_tool_result_error", "error_code": "unavailable"}
        else:
            found = (
                draw(st.lists(st.sampled_from(self.tool_names), max_size=2, unique=True))
                if self.tool_names
                else []
            )
            content = {
                "type": "tool_search_tool_search_result",
                "tool_references": [{"type": "tool_reference", "tool_name": n} for n in found],
            }
        return [use, {"type": "tool_search_tool_result", "tool_use_id": server_id, "content": content}]

    def toolset_call(self, tool_id: str) -> Wire:
        """A call of a computer or browser toolset member, whose toolset entry ``tools`` gets."""
        draw = self.draw
        toolset = draw(st.sampled_from(sorted(_TOOLSETS)))
        name, member_input = draw(st.sampled_from(_TOOLSET_MEMBERS[toolset]))
        self.toolsets_used.add(toolset)
        self.toolset_of[tool_id] = toolset
        return {
            "type": "tool_use",
            "id": tool_id,
            "name": name,
            "input": copy.deepcopy(member_input),
            "toolset_name": toolset,
        }

    def toolset_result(self, tool_id: str, toolset: str) -> Wire:
        """A toolset member's result: it echoes the ``toolset_name`` and holds text and images,
        and a browser action that succeeded sometimes its one browser_state (api-rules §3.7)."""
        draw = self.draw
        failed = draw(st.integers(0, 4)) == 4
        state = toolset == "browser" and not failed and draw(st.booleans())
        content: list[Wire] = []
        for _ in range(draw(st.integers(0 if state else 1, 2))):
            image = self.images and draw(st.integers(0, 2)) == 2
            content.append(draw(_image_block()) if image else _text_block(draw))
        if state:
            content.insert(draw(st.integers(0, len(content))), self.browser_state())
        block: Wire = {
            "type": "tool_result",
            "tool_use_id": tool_id,
            "toolset_name": toolset,
            "content": content,
        }
        if failed:
            block["is_error"] = True
        return block

    def browser_state(self) -> Wire:
        """A browser_state listing every open tab (none, or one or more with exactly one active)."""
        draw = self.draw
        count = draw(st.integers(0, 3))
        active = draw(st.integers(0, max(count - 1, 0)))
        tabs = [
            {
                "tab_id": f"tab_{k}",
                "title": draw(_ANY_TEXT),  # a blank tab has an empty title and url
                "url": draw(st.sampled_from(["", "https://example.com/", "about:blank"])),
                "active": k == active,
            }
            for k in range(count)
        ]
        return {"type": "browser_state", "tabs": tabs}

    def tool_change_message(self) -> Wire:
        """A ``role: "system"`` message of tool changes (api-rules §1.13)."""
        return {
            "role": "system",
            "content": [self.tool_change() for _ in range(self.draw(st.integers(1, 2)))],
        }

    def compaction(self) -> Wire:
        """A compaction summary with the tool changes of the range it summarizes (none too)."""
        draw = self.draw
        changes = [self.tool_change() for _ in range(draw(st.integers(0, 2)))]
        return {"type": "compaction", "content": draw(_TEXT), "tool_changes": changes}

    def tool_change(self) -> Wire:
        """A tool_addition or tool_removal of a tool declared in ``tools`` or defined inline
        before, of an MCP tool or toolset, or a tool_addition defining a new tool inline."""
        draw = self.draw
        named = self.tool_names + self.defined
        kinds = ["tool_reference"] if named else []
        kind = draw(
            st.sampled_from([*kinds, "mcp_tool_reference", "mcp_toolset_reference", "tool_definition"])
        )
        if kind == "tool_definition":
            name = draw(_TOOL_NAME.filter(lambda n: n not in named))
            self.defined.append(name)
            definition = {"name": name, "input_schema": {"type": "object"}}
            return {"type": "tool_addition", "tool": {"type": kind, "definition": definition}}
        tool: Wire = {"type": kind}
        if kind == "tool_reference":
            tool["name"] = draw(st.sampled_from(named))
        elif kind == "mcp_tool_reference":
            tool["name"] = draw(_TOOL_NAME)
        if kind != "tool_reference":
            tool["server_name"] = draw(st.sampled_from(["docs", "github", "search"]))
        return {"type": draw(st.sampled_from(["tool_addition", "tool_removal"])), "tool": tool}

    def system_message(self) -> Wire:
        """A ``role: "system"`` message: a string, or text blocks (its only blocks outside the beta)."""
        draw = self.draw
        if draw(st.booleans()):
            return {"role": "system", "content": draw(_TEXT)}
        return {"role": "system", "content": [_text_block(draw) for _ in range(draw(st.integers(1, 2)))]}

    def system(self, option: Any) -> str | list[Wire] | None:
        draw = self.draw
        if isinstance(option, SearchStrategy):
            option = draw(option)
            _check_system(option)
        if isinstance(option, str):
            return option
        if not option:
            return None
        kind = draw(st.integers(0, 2))
        if kind == 0:
            return None
        if kind == 1:
            return draw(_TEXT)
        return [_text_block(draw) for _ in range(draw(st.integers(1, 2)))]


@st.composite
def _wire_conversation(draw: DrawFn, options: _Options) -> Wire:
    builder = _Builder(draw, options)
    system = builder.system(options.system)
    low, high = (
        draw(v) if isinstance(v, SearchStrategy) else v for v in (options.min_turns, options.max_turns)
    )
    turns = draw(st.integers(*_turn_bounds(low, high)))
    messages: list[Wire] = []
    pending: list[str] = []
    for turn in range(turns):
        if turn % 2 == 0:
            messages.append(builder.user(pending))
            pending = []
            # Role "system" messages may follow a user turn (one with tool results too), before the
            # assistant's reply; two in a row are one system section (api-rules §1.3).
            if builder.system_messages and draw(st.integers(0, 3)) == 3:
                messages.extend(builder.system_message() for _ in range(draw(st.integers(1, 2))))
            if builder.tool_changes and draw(st.integers(0, 3)) == 3:
                messages.append(builder.tool_change_message())
        else:
            message, pending = builder.assistant()
            messages.append(message)
    tools = (
        builder.tools
        + [
            {"type": SERVER_TOOLS[name], "name": name}
            for name in sorted(builder.server_used)
            if name not in {t.get("name") for t in builder.tools}
        ]
        + [{"type": _TOOLSETS[name]} for name in sorted(builder.toolsets_used)]
    )
    wire: Wire = {}
    if system is not None:
        wire["system"] = system
    if tools:
        wire["tools"] = tools
    wire["messages"] = messages
    # Citations on all documents or none, and likewise search results; all of them with web search.
    for kind in ("document", "search_result"):
        found = _citables(wire, kind)
        if found:
            on = (kind == "search_result" and _web_search(wire)) or draw(st.booleans())
            for block, _ in found:
                _set_citations(draw, block, on)
    if builder.cache_marks:
        _place_marks(draw, wire)
    return wire


def _citables(wire: Wire, kind: str) -> list[tuple[Wire, str]]:
    """Every ``kind`` block (document, search_result) of the user turns, directly or in a
    tool_result, with its path, in the order convo reads them."""
    found: list[tuple[Wire, str]] = []
    for i, message in enumerate(wire["messages"]):
        if message.get("role") != "user" or not isinstance(message.get("content"), list):
            continue
        for j, block in enumerate(message["content"]):
            if block.get("type") == kind:
                found.append((block, f"/messages/{i}/content/{j}"))
            elif block.get("type") == "tool_result" and isinstance(block.get("content"), list):
                found.extend(
                    (inner, f"/messages/{i}/content/{j}/content/{k}")
                    for k, inner in enumerate(block["content"])
                    if inner.get("type") == kind
                )
    return found


def _web_search(wire: Wire) -> bool:
    """Whether ``tools`` declares a web search tool (then every search result must cite)."""
    tools = wire.get("tools")
    return isinstance(tools, list) and any(
        isinstance(t, dict) and str(t.get("type", "")).startswith("web_search") for t in tools
    )


def _cites(block: Wire) -> bool:
    citations = block.get("citations")
    return isinstance(citations, dict) and citations.get("enabled") is True


def _set_citations(draw: DrawFn, block: Wire, on: bool) -> None:
    """Turn citations on, or off (left out, or ``{"enabled": false}``), before any cache mark."""
    block.pop("citations", None)
    marker = block.pop("cache_control", None)
    if on or draw(st.integers(0, 3)) == 0:
        block["citations"] = {"enabled": on}
    if marker is not None:
        block["cache_control"] = marker


# -- cache marks -------------------------------------------------------------------------------------


def _cache_slots(wire: Wire) -> list[tuple[Wire, str]]:
    """Every object that may carry ``cache_control``, in the order the API counts them."""
    slots: list[tuple[Wire, str]] = []
    tools = wire.get("tools")
    if isinstance(tools, list):
        slots.extend(  # a deferred tool cannot carry cache_control
            (tool, f"/tools/{i}")
            for i, tool in enumerate(tools)
            if isinstance(tool, dict) and tool.get("defer_loading") is not True
        )
    system = wire.get("system")
    if isinstance(system, list):
        slots.extend(
            (block, f"/system/{j}")
            for j, block in enumerate(system)
            if isinstance(block, dict) and block.get("type") == "text"
        )
    messages = wire.get("messages")
    if isinstance(messages, list):
        for i, message in enumerate(messages):
            content = message.get("content") if isinstance(message, dict) else None
            if isinstance(content, list):
                for j, block in enumerate(content):
                    _block_slots(block, f"/messages/{i}/content/{j}", slots)
    return slots


def _block_slots(block: Any, path: str, slots: list[tuple[Wire, str]]) -> None:
    if not isinstance(block, dict) or block.get("type") in ("thinking", "redacted_thinking"):
        return
    slots.append((block, path))
    if block.get("type") in ("tool_result", "search_result") and isinstance(block.get("content"), list):
        for k, inner in enumerate(block["content"]):
            _block_slots(inner, f"{path}/content/{k}", slots)


def _marker(draw: DrawFn, ttl: str) -> Wire:
    if ttl == "1h":
        return {"type": "ephemeral", "ttl": "1h"}
    return {"type": "ephemeral", "ttl": "5m"} if draw(st.booleans()) else {"type": "ephemeral"}


def _place_marks(draw: DrawFn, wire: Wire) -> None:
    """Up to 4 cache breakpoints, every 1h one before every 5m one, counting the marks the
    caller's own tool definitions carry: new ones go after those, and are 5m after a 5m one."""
    slots = _cache_slots(wire)
    given = [n for n, (obj, _) in enumerate(slots) if "cache_control" in obj]
    free = range(given[-1] + 1 if given else 0, len(slots))
    room = min(4 - len(given), len(free))
    if room <= 0:
        return
    chosen = sorted(draw(st.lists(st.sampled_from(free), unique=True, max_size=room)))
    short = any(_ttl(slots[n][0]) == "5m" for n in given)
    long_lived = 0 if short else draw(st.integers(0, len(chosen)))
    for n, index in enumerate(chosen):
        slots[index][0]["cache_control"] = _marker(draw, "1h" if n < long_lived else "5m")


# -- the public strategies ---------------------------------------------------------------------------


def wire_conversations(
    *,
    min_turns: int | SearchStrategy[int] = 1,
    max_turns: int | SearchStrategy[int] = 8,
    tools: bool
    | Sequence[Mapping[str, Any]]
    | SearchStrategy[bool]
    | SearchStrategy[Sequence[Mapping[str, Any]]] = True,
    thinking: Flag = True,
    images: Flag = True,
    server_tools: Flag = True,
    cache_marks: Flag = True,
    parallel_tool_calls: Flag = True,
    system: bool | str | SearchStrategy[bool] | SearchStrategy[str] = True,
    system_messages: Flag = False,
    tool_changes: Flag = False,
    toolsets: Flag = False,
) -> SearchStrategy[dict[str, Any]]:
    """Valid conversations as JSON-able request-body dicts: ``{"system"?, "tools"?, "messages"}``.

    Turns alternate, starting with a user turn; there are ``min_turns`` to ``max_turns`` of them
    (``role: "system"`` messages are extra; each bound an int or a strategy of ints).  Every
    other option is a bool or a strategy of bools drawn once per example, and turns a feature on
    (it may still be absent from an example):

    * ``tools``: custom tool definitions (some ``strict``, with closed schemas), and tool loops: each ``tool_use`` is answered by a
      ``tool_result`` in the next user turn, results first and in any order, the conversation
      possibly ending with calls still pending.  Inputs are nested JSON with arbitrary key order
      (no NaN or infinity).  A result may be made of ``tool_reference`` blocks naming declared
      tools (a client-side tool search).  May also be a sequence of tool definitions to use as
      given.
    * ``parallel_tool_calls``: up to three ``tool_use`` blocks per assistant turn.
    * ``thinking``: thinking blocks with signatures (some with empty text) and redacted_thinking.
    * ``images``: tiny real base64 PNG/JPEG/GIF/WEBP images, and url/file sources.
    * ``server_tools``: ``server_tool_use`` blocks and their results in the same assistant turn
      (``web_search_tool_result``, ``web_fetch_tool_result``, ``code_execution_tool_result``,
      ``bash_code_execution_tool_result``, ``text_editor_code_execution_tool_result`` and
      ``tool_search_tool_result`` listing declared tools), ``container_upload`` blocks in user
      turns, and the server tool definitions all of them need (code execution 20250825 for
      bash commands, file edits and uploads; tool search regex or BM25).
    * ``cache_marks``: up to 4 ``cache_control`` breakpoints over tools, system and messages,
      every ``"1h"`` before every ``"5m"``.
    * ``system``: a top-level system prompt, a string or text blocks; or exactly this string.
    * ``system_messages`` (off by default): mid-conversation ``role: "system"`` messages (a
      string or text blocks, one or two in a row) after a user turn, one answering tool calls
      too, and before the assistant's reply.
    * ``tool_changes`` (off by default): ``role: "system"`` messages of ``tool_addition`` and
      ``tool_removal`` blocks after a user turn (api-rules §1.13), whether or not
      ``system_messages`` is on: of a tool ``tools`` declares or one defined inline before (a
      ``tool_reference``), of an MCP tool or toolset, or adding a tool defined inline (a
      ``tool_definition``); and assistant turns opening with a ``compaction`` whose
      ``tool_changes`` are such blocks.  These blocks are beta: a request naming a model reports
      them (warning ``beta-content``) unless it is sent with the
      ``mid-conversation-tool-changes-2026-07-01`` beta, and a compaction in any case.
    * ``toolsets`` (off by default): calls of computer and browser toolset members
      (``tool_use`` with a ``toolset_name``), their toolset entries in ``tools``, and results
      that echo the ``toolset_name`` and hold text and images, a browser action that succeeded
      sometimes one ``browser_state`` listing the open tabs (api-rules §3.7).

    The other blocks only the beta Messages API takes (``mcp_tool_use``/``mcp_tool_result``,
    ``advisor_tool_result``, ...) are never generated: a request naming a model reports them
    (warning ``beta-content``).

    Texts are non-blank unicode; content is sometimes a string, sometimes a list of blocks.
    Citations are enabled on all documents or on none, and likewise on search results (on all of
    them when a web search tool is declared); a ``tool_result`` that holds search results holds
    nothing else (api-rules §2.5).

    >>> import convo
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(wire_conversations(max_turns=4))
    ... def test_check(data):
    ...     assert convo.check(data).problems == ()
    >>> test_check()
    """
    options = _options(
        min_turns,
        max_turns,
        tools,
        thinking,
        images,
        server_tools,
        cache_marks,
        parallel_tool_calls,
        system,
        system_messages,
        tool_changes,
        toolsets,
    )
    return _wire_conversation(options)


def conversations(
    *,
    min_turns: int | SearchStrategy[int] = 1,
    max_turns: int | SearchStrategy[int] = 8,
    tools: bool
    | Sequence[Mapping[str, Any]]
    | SearchStrategy[bool]
    | SearchStrategy[Sequence[Mapping[str, Any]]] = True,
    thinking: Flag = True,
    images: Flag = True,
    server_tools: Flag = True,
    cache_marks: Flag = True,
    parallel_tool_calls: Flag = True,
    system: bool | str | SearchStrategy[bool] | SearchStrategy[str] = True,
    system_messages: Flag = False,
    tool_changes: Flag = False,
    toolsets: Flag = False,
) -> SearchStrategy[Conversation]:
    """Valid :class:`convo.Conversation` objects of every shape.

    Takes the options of :func:`wire_conversations`, and reads each example with
    :meth:`convo.Conversation.from_wire`.

    >>> import convo
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(conversations(tools=False, thinking=False, max_turns=3))
    ... def test_plain_chat(conv):
    ...     assert not conv.pending_tool_uses
    >>> test_plain_chat()
    """
    return wire_conversations(
        min_turns=min_turns,
        max_turns=max_turns,
        tools=tools,
        thinking=thinking,
        images=images,
        server_tools=server_tools,
        cache_marks=cache_marks,
        parallel_tool_calls=parallel_tool_calls,
        system=system,
        system_messages=system_messages,
        tool_changes=tool_changes,
        toolsets=toolsets,
    ).map(Conversation.from_wire)


# =============================================================================== invalid conversations


@attrs.frozen
class Broken:
    """The rule an invalid example breaks, and the JSON Pointer where it must be reported.

    ``also`` lists the (code, path) pairs a rule inherently reports along with it (for example
    an empty text block with ``cache_control`` is also an empty text block); :attr:`expected`
    is the whole set of errors :func:`convo.check` must report, no more and no less.

    >>> Broken(code="text-empty", path="/messages/0/content/1/text").expected
    frozenset({('text-empty', '/messages/0/content/1/text')})
    """

    code: str
    path: str
    also: frozenset[tuple[str, str]] = frozenset()

    @property
    def expected(self) -> frozenset[tuple[str, str]]:
        """Every (code, path) of the errors this example must produce."""
        return frozenset({(self.code, self.path)}) | self.also


Mutator: TypeAlias = Callable[[DrawFn, Wire], Broken]
_MUTATORS: dict[str, Mutator] = {}
_NAMING_A_MODEL: set[str] = set()
"""Rules whose examples may name a model that refuses ``role: "system"`` messages (most do,
§1.2): their mutators get a conversation with its system messages left out."""


def _mutator(code: str, *, names_a_model: bool = False) -> Callable[[Mutator], Mutator]:
    def register(fn: Mutator) -> Mutator:
        assert code in RULES and RULES[code].severity == "error", code
        _MUTATORS[code] = fn
        if names_a_model:
            _NAMING_A_MODEL.add(code)
        return fn

    return register


# -- helpers over wire data --------------------------------------------------------------------------


def _msgs(wire: Wire) -> list[Wire]:
    return cast(list[Wire], wire["messages"])


def _as_list(message: Wire) -> list[Wire]:
    """The message's content as a list of blocks (a string becomes one text block)."""
    if isinstance(message["content"], str):
        message["content"] = [{"type": "text", "text": message["content"]}]
    return cast(list[Wire], message["content"])


def _blocks_of(message: Wire) -> list[Wire]:
    content = message.get("content")
    return content if isinstance(content, list) else []


def _find(wire: Wire, types: tuple[str, ...], role: str | None = None) -> list[tuple[int, int, Wire]]:
    """(message index, block index, block) of every top-level block of one of ``types``."""
    return [
        (i, j, block)
        for i, message in enumerate(_msgs(wire))
        if role is None or message["role"] == role
        for j, block in enumerate(_blocks_of(message))
        if block.get("type") in types
    ]


def _ids(wire: Wire) -> set[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key in ("id", "tool_use_id"):
                if isinstance(value.get(key), str):
                    found.add(value[key])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(wire.get("messages"))
    return found


def _fresh_ids(wire: Wire, prefix: str, count: int) -> list[str]:
    """``count`` tool ids that ``wire`` does not use yet."""
    taken = _ids(wire)
    found: list[str] = []
    n = 0
    while len(found) < count:
        if f"{prefix}{n}" not in taken:
            found.append(f"{prefix}{n}")
        n += 1
    return found


def _fresh(wire: Wire, prefix: str) -> str:
    return _fresh_ids(wire, prefix, 1)[0]


def _strip_marks(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_marks(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_strip_marks(v) for v in value]
    return value


def _pending_of(message: Wire) -> list[str]:
    return [b["id"] for b in _blocks_of(message) if b.get("type") == "tool_use"]


def _result_for(use: Wire) -> Wire:
    """An empty tool_result answering ``use``, echoing its ``toolset_name`` if it has one (§3.7)."""
    result = {"type": "tool_result", "tool_use_id": use["id"]}
    if "toolset_name" in use:
        result["toolset_name"] = use["toolset_name"]
    return result


def _end_with_user(wire: Wire) -> None:
    """Append turns so that the conversation ends with a user turn, nothing left pending: after
    ``role: "system"`` messages, which only an assistant turn may follow (§1.3), an assistant
    turn first."""
    messages = _msgs(wire)
    if messages and messages[-1]["role"] == "system":
        messages.append({"role": "assistant", "content": "Noted."})
    if not messages or messages[-1]["role"] != "user":
        uses = [b for b in _blocks_of(messages[-1]) if b.get("type") == "tool_use"] if messages else []
        if uses:
            messages.append({"role": "user", "content": [_result_for(use) for use in uses]})
        else:
            messages.append({"role": "user", "content": "Go on."})


def _drop_system_messages(wire: Wire) -> None:
    """Leave out the ``role: "system"`` messages, in place, and the tool changes compactions list
    (they may name a tool a system message defined): system messages only ever follow a user
    turn and precede an assistant turn, so the turns around them still alternate."""
    wire["messages"] = [m for m in _msgs(wire) if m["role"] != "system"]
    for _, _, compaction in _find(wire, ("compaction",), "assistant"):
        compaction["tool_changes"] = []


def _end_with_plain_user(wire: Wire) -> None:
    """Like :func:`_end_with_user`, and the last user turn answers no tool_use."""
    _end_with_user(wire)
    last = _msgs(wire)[-1]
    if any(b.get("type") == "tool_result" for b in _blocks_of(last)):
        _msgs(wire).extend(
            [{"role": "assistant", "content": "Noted."}, {"role": "user", "content": "Go on."}]
        )


def _end_with_assistant(wire: Wire, content: Any = "Done.") -> int:
    """Append an assistant turn (after a user turn that leaves nothing pending); its index."""
    _end_with_user(wire)
    _msgs(wire).append({"role": "assistant", "content": content})
    return len(_msgs(wire)) - 1


def _name_model(wire: Wire, model: str) -> None:
    """Make ``wire`` a request to ``model`` (with ``max_tokens`` 1024 unless it has one), in place."""
    data = {"model": model, "max_tokens": 1024, **wire}
    wire.clear()
    wire.update(data)


def _choice(draw: DrawFn, items: Sequence[T]) -> T:
    return items[draw(st.integers(0, len(items) - 1))]


def _append_block(draw: DrawFn, wire: Wire, block: Wire, role: str | None = None) -> str:
    """Append ``block`` at the end of some message of ``role`` (any turn if None); its path."""
    messages = _msgs(wire)
    candidates = [
        i for i, m in enumerate(messages) if m["role"] in ((role,) if role else ("user", "assistant"))
    ]
    if not candidates:
        if role == "assistant":
            candidates = [_end_with_assistant(wire)]
        else:
            _end_with_user(wire)
            candidates = [len(messages) - 1]
    i = _choice(draw, candidates)
    content = _as_list(messages[i])
    content.append(block)
    return f"/messages/{i}/content/{len(content) - 1}"


def _plain_user_turns(wire: Wire) -> list[int]:
    """User turns that answer no tool_use (so emptying or rewriting them breaks no pairing)."""
    messages = _msgs(wire)
    return [
        i
        for i, m in enumerate(messages)
        if m["role"] == "user"
        and not (i > 0 and messages[i - 1]["role"] == "assistant" and _pending_of(messages[i - 1]))
    ]


def _tool_loop(wire: Wire, count: int = 1) -> tuple[int, list[str]]:
    """Append an assistant turn calling ``count`` tools; its index and the ids."""
    _end_with_user(wire)
    ids = _fresh_ids(wire, "toolu_loop_", count)
    uses = [{"type": "tool_use", "id": i, "name": "lookup", "input": {"q": i}} for i in ids]
    _msgs(wire).append({"role": "assistant", "content": uses})
    return len(_msgs(wire)) - 1, ids


def _answer(wire: Wire, ids: Iterable[str]) -> None:
    """Append the user turn answering the calls ``ids``."""
    results = [{"type": "tool_result", "tool_use_id": i, "content": "42"} for i in ids]
    _msgs(wire).append({"role": "user", "content": results})


def _custom_result(block: Wire) -> bool:
    """Whether ``block`` is the tool_result of a custom tool (a toolset member's result echoes its
    ``toolset_name`` and holds only text, images and a browser_state, §3.7)."""
    return block.get("type") == "tool_result" and "toolset_name" not in block


def _answered_turns(wire: Wire) -> list[int]:
    """User turns that hold tool_result blocks of custom tools."""
    return [
        i
        for i, m in enumerate(_msgs(wire))
        if m["role"] == "user" and any(map(_custom_result, _blocks_of(m)))
    ]


def _ensure_answered_turn(wire: Wire) -> int:
    turns = _answered_turns(wire)
    if turns:
        return turns[-1]
    index, ids = _tool_loop(wire)
    _answer(wire, ids)
    return index + 1


def _use_path(wire: Wire, result_turn: int, tool_id: str) -> str:
    for j, block in enumerate(_blocks_of(_msgs(wire)[result_turn - 1])):
        if block.get("type") == "tool_use" and block.get("id") == tool_id:
            return f"/messages/{result_turn - 1}/content/{j}"
    raise AssertionError(f"no tool_use {tool_id} before message {result_turn}")  # pragma: no cover


def _set_ids(wire: Wire, old: str, new: str, *, uses: bool = True) -> None:
    """Rename every block referring to tool id ``old``."""
    for message in _msgs(wire):
        for block in _blocks_of(message):
            if block.get("tool_use_id") == old:
                block["tool_use_id"] = new
            if uses and block.get("id") == old:
                block["id"] = new


def _match_citations(draw: DrawFn, wire: Wire, block: Wire) -> None:
    """Give a new document or search result the citations setting the conversation uses."""
    kind = block["type"]
    if kind == "search_result" and _web_search(wire):
        _set_citations(draw, block, True)
        return
    found = _citables(wire, kind)
    if found:
        _set_citations(draw, block, _cites(found[0][0]))


_NICE_TEXT: Final = st.sampled_from(["Thanks.", "See above.", "Résumé 🎉", "ok"])


# -- shape of the input ------------------------------------------------------------------------------


@_mutator("input-unreadable")
def _input_unreadable(draw: DrawFn, wire: Wire) -> Broken:
    if draw(st.booleans()):
        data = {k: v for k, v in wire.items() if k != "messages"}
        data["turns"] = wire["messages"]
        wire.clear()
        wire.update(data)
    else:  # an API response is not a conversation
        wire.clear()
        wire.update(
            {
                "id": "msg_01",
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": "Hi"}],
            }
        )
    return Broken("input-unreadable", "")


@_mutator("messages-invalid")
def _messages_invalid(draw: DrawFn, wire: Wire) -> Broken:
    wire["messages"] = draw(st.sampled_from([None, "Hello", 3, True, {"role": "user", "content": "Hi"}]))
    return Broken("messages-invalid", "/messages")


@_mutator("message-malformed")
def _message_malformed(draw: DrawFn, wire: Wire) -> Broken:
    messages = _msgs(wire)
    if messages[-1]["role"] != "assistant":
        messages.append({"role": "assistant", "content": "placeholder"})
    bad = draw(st.sampled_from(["missing", None, 42, True, {"type": "text", "text": "Hi"}]))
    if bad == "missing":
        del messages[-1]["content"]
    else:
        messages[-1]["content"] = bad
    return Broken("message-malformed", f"/messages/{len(messages) - 1}/content")


@_mutator("role-invalid")
def _role_invalid(draw: DrawFn, wire: Wire) -> Broken:
    messages = _msgs(wire)
    last = len(messages) - 1
    if messages[last]["role"] == "user" and draw(st.booleans()):
        del messages[last]["role"]  # a missing role reads as a user turn
    else:
        messages[last]["role"] = draw(
            st.sampled_from(["tool", "model", "human", "User", "ASSISTANT", "", "developer"])
        )
        _as_list(messages[last])
    return Broken("role-invalid", f"/messages/{last}/role")


_FETCHED: Final = {"url": "https://example.com/"}
_MALFORMED_SERVER_RESULTS: Final = (
    (
        "web_search",
        {"query": "q"},
        [{"type": "web_search_result", "title": "t", "encrypted_content": "eA=="}],
        "/content/0/url",
    ),
    (  # an optional field, given with another type
        "web_search",
        {"query": "q"},
        [
            {
                "type": "web_search_result",
                "title": "t",
                "url": "https://example.com/",
                "encrypted_content": "eA==",
                "page_age": 3,
            }
        ],
        "/content/0/page_age",
    ),
    (
        "code_execution",
        {"code": "print(1)"},
        {"type": "code_execution_result", "stdout": "1", "stderr": "", "return_code": "0", "content": []},
        "/content/return_code",
    ),
    (
        "code_execution",
        {"code": "pass"},
        {"type": "code_execution_result", "stderr": "", "return_code": 0, "content": []},
        "/content/stdout",
    ),
    (
        "code_execution",
        {"code": "open('a', 'w')"},
        {
            "type": "code_execution_result",
            "stdout": "",
            "stderr": "",
            "return_code": 0,
            "content": [{"type": "code_execution_output"}],
        },
        "/content/content/0/file_id",
    ),
    (
        "web_fetch",
        _FETCHED,
        {"type": "web_fetch_result", **_FETCHED, "content": {"type": "document"}},
        "/content/content",
    ),
    (
        "tool_search_tool_regex",
        {"query": "q"},
        {"type": "tool_search_tool_search_result", "tool_references": [{"type": "tool_reference"}]},
        "/content/tool_references/0/tool_name",
    ),
)
"""Finished server tool calls whose result holds an object without a field its SDK param requires
(or with one, or an optional one, of another JSON type), and where below the result block it is
reported."""


def _malformed_server_result(draw: DrawFn, wire: Wire) -> Broken:
    name, tool_input, content, below = draw(st.sampled_from(_MALFORMED_SERVER_RESULTS))
    server_id = _fresh(wire, "srvtoolu_bad")
    use = {"type": "server_tool_use", "id": server_id, "name": name, "input": dict(tool_input)}
    result_type = "tool_search_tool_result" if name.startswith("tool_search") else f"{name}_tool_result"
    result = {"type": result_type, "tool_use_id": server_id, "content": copy.deepcopy(content)}
    index = _end_with_assistant(wire, [use, result])  # a finished call needs no declaration
    return Broken("block-malformed", f"/messages/{index}/content/1{below}")


_MALFORMED_TOOLS: Final = (
    ({"name": "lookup"}, ""),
    ({"type": "tool_reference"}, "/name"),
    ({"type": "tool_reference", "name": 7}, "/name"),
    ({"type": "mcp_tool_reference", "name": "search"}, "/server_name"),
    ({"type": "mcp_toolset_reference"}, "/server_name"),
)
"""The ``tool`` of a tool change without a type, or without a field its type requires (the SDK's
``BetaToolChange*Param``), and where below it that is reported."""


def _malformed_tool_change(draw: DrawFn, wire: Wire) -> Broken:
    """A tool_addition or tool_removal whose tool has another shape, in a system message or
    among a compaction's ``tool_changes``."""
    tool, below = draw(st.sampled_from(_MALFORMED_TOOLS))
    kind = draw(st.sampled_from(["tool_addition", "tool_removal"]))
    if kind == "tool_removal" and draw(st.booleans()):  # only a tool_addition defines a tool inline
        tool, below = {"type": "tool_definition", "definition": {"name": "lookup", "input_schema": {}}}, ""
    change = {"type": kind, "tool": copy.deepcopy(tool)}
    if draw(st.booleans()):
        compaction = {"type": "compaction", "content": draw(_NICE_TEXT), "tool_changes": [change]}
        index = _end_with_assistant(wire, [compaction])
        _end_with_user(wire)
        return Broken("block-malformed", f"/messages/{index}/content/0/tool_changes/0/tool{below}")
    _end_with_plain_user(wire)
    messages = _msgs(wire)
    messages.append({"role": "system", "content": [change]})
    return Broken("block-malformed", f"/messages/{len(messages) - 1}/content/0/tool{below}")


_TAB: Final = {"tab_id": "tab_1", "title": "Example", "url": "https://example.com/"}
_MALFORMED_TABS: Final = (
    ({"title": "Example", "url": "https://example.com/"}, "/tab_id"),
    ({**_TAB, "tab_id": 1}, "/tab_id"),
    ({"tab_id": "tab_1", "url": "https://example.com/"}, "/title"),
    ({"tab_id": "tab_1", "title": "Example"}, "/url"),
    ("tab_1", ""),
)
"""browser_state tabs without a field a tab entry requires (the SDK's
``BrowserStateTabEntryParam``) or of another type, and where below the tab that is reported."""


def _malformed_browser_state(draw: DrawFn, wire: Wire) -> Broken:
    """A browser result whose browser_state leaves out its tabs, or lists a malformed one."""
    state: Wire = {"type": "browser_state"}
    below = "/tabs"
    if draw(st.integers(0, 3)) > 0:
        tabs: list[object] = [dict(_TAB) for _ in range(draw(st.integers(0, 2)))]
        at = draw(st.integers(0, len(tabs)))
        tab, field = draw(st.sampled_from(_MALFORMED_TABS))
        tabs.insert(at, copy.deepcopy(tab))
        state["tabs"] = tabs
        below = f"/tabs/{at}{field}"
    turn = _toolset_exchange(wire, "browser", {"toolset_name": "browser", "content": [state]})
    return Broken("block-malformed", f"/messages/{turn}/content/0/content/0{below}")


@_mutator("block-malformed")
def _block_malformed(draw: DrawFn, wire: Wire) -> Broken:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return _malformed_server_result(draw, wire)
    if kind == 1:
        return _malformed_tool_change(draw, wire)
    if kind == 2:
        return _malformed_browser_state(draw, wire)
    block = draw(
        st.sampled_from(
            [
                {"type": "text"},
                {"type": "text", "text": 42},
                {"type": "text", "text": None},
                {"type": "text", "text": ["a"]},
                {"type": "image"},
                {"type": "image", "source": "https://example.com/a.png"},
                {"type": "document", "title": "no source"},
                {"type": "search_result", "title": "t", "content": []},
                {"type": 7},
                {"text": "no type"},
            ]
        )
    )
    block = cast(Wire, copy.deepcopy(block))
    if "system" in wire and draw(st.integers(0, 3)) == 0:
        system = wire["system"]
        if isinstance(system, str):
            system = wire["system"] = [{"type": "text", "text": system}]
        system.append(block)
        return Broken("block-malformed", f"/system/{len(system) - 1}")
    return Broken("block-malformed", _append_block(draw, wire, block))


@_mutator("block-role")
def _block_role(draw: DrawFn, wire: Wire) -> Broken:
    kind = draw(st.integers(0, 4))
    if kind == 0:  # a user-only block in an assistant turn
        block = draw(st.one_of(_image_block(), _document_block(), _search_result_block()))
        return Broken("block-role", _append_block(draw, wire, block, "assistant"))
    if kind == 1:  # an assistant-only block in a user turn
        block = draw(_thinking_block())
        return Broken("block-role", _append_block(draw, wire, block, "user"))
    if kind == 2:
        block = {"type": "tool_addition", "tool": {"type": "tool_reference", "name": "lookup"}}
        return Broken("block-role", _append_block(draw, wire, block))
    if kind == 3:  # the top-level system prompt takes text only
        system = wire.get("system", "Be brief.")
        system = [{"type": "text", "text": system}] if isinstance(system, str) else system
        system.append(draw(_image_block()))
        wire["system"] = system
        return Broken("block-role", f"/system/{len(system) - 1}")
    # a thinking block nested in a tool_result
    turn = _ensure_answered_turn(wire)
    j = _choice(draw, [j for j, b in enumerate(_blocks_of(_msgs(wire)[turn])) if _custom_result(b)])
    result = _msgs(wire)[turn]["content"][j]
    inner = result.get("content")
    if not isinstance(inner, list):
        inner = result["content"] = [] if inner is None else [{"type": "text", "text": inner}]
    inner.append(draw(_thinking_block()))
    return Broken("block-role", f"/messages/{turn}/content/{j}/content/{len(inner) - 1}")


@_mutator("system-invalid")
def _system_invalid(draw: DrawFn, wire: Wire) -> Broken:
    wire["system"] = draw(st.sampled_from([None, 42, True, {"type": "text", "text": "Be brief."}]))
    return Broken("system-invalid", "/system")


# -- messages ---------------------------------------------------------------------------------------


@_mutator("messages-empty")
def _messages_empty(draw: DrawFn, wire: Wire) -> Broken:
    wire["messages"] = []  # a request needs a message; an empty conversation is fine until sent
    _name_model(wire, draw(st.sampled_from(("claude-opus-4-8", "claude-sonnet-4-5"))))
    return Broken("messages-empty", "/messages")


@_mutator("content-empty")
def _content_empty(draw: DrawFn, wire: Wire) -> Broken:
    messages = _msgs(wire)
    assistants = [i for i, m in enumerate(messages[:-1]) if m["role"] == "assistant" and not _pending_of(m)]
    if draw(st.booleans()) and assistants:  # only the final assistant message may be empty
        i = _choice(draw, assistants)
    else:
        i = _choice(draw, _plain_user_turns(wire))
    messages[i]["content"] = draw(st.sampled_from(["", []]))
    return Broken("content-empty", f"/messages/{i}/content")


@_mutator("text-empty")
def _text_empty(draw: DrawFn, wire: Wire) -> Broken:
    block = {"type": "text", "text": ""}
    if draw(st.integers(0, 3)) == 0:
        system = wire.get("system", "Be brief.")
        system = [{"type": "text", "text": system}] if isinstance(system, str) else system
        system.append(block)
        wire["system"] = system
        return Broken("text-empty", f"/system/{len(system) - 1}/text")
    return Broken("text-empty", _append_block(draw, wire, block) + "/text")


_BLANK: Final = st.sampled_from([" ", "\n", "\t", "  \n\t ", "\r\n", "\u3000"])


@_mutator("text-whitespace")
def _text_whitespace(draw: DrawFn, wire: Wire) -> Broken:
    kind = draw(st.integers(0, 2))
    if kind == 0:  # string content of a plain user turn
        i = _choice(draw, _plain_user_turns(wire))
        _msgs(wire)[i]["content"] = draw(_BLANK)
        return Broken("text-whitespace", f"/messages/{i}/content")
    block = {"type": "text", "text": draw(_BLANK)}
    if kind == 1:
        system = wire.get("system", "Be brief.")
        system = [{"type": "text", "text": system}] if isinstance(system, str) else system
        system.append(block)
        wire["system"] = system
        return Broken("text-whitespace", f"/system/{len(system) - 1}/text")
    return Broken("text-whitespace", _append_block(draw, wire, block, "user") + "/text")


@_mutator("citations-in-user")
def _citations_in_user(draw: DrawFn, wire: Wire) -> Broken:
    block = {
        "type": "text",
        "text": "As the page says.",
        "citations": [{"type": "char_location", "cited_text": "x", "document_index": 0, "start_char_index": 0,
                       "end_char_index": 1}],
    }  # fmt: skip
    return Broken("citations-in-user", _append_block(draw, wire, block, "user") + "/citations")


# -- citations, search results and tool references (§1.13, §2.5) ---------------------------------------


@_mutator("citations-mixed")
def _citations_mixed(draw: DrawFn, wire: Wire) -> Broken:
    kind = "document" if _web_search(wire) else draw(st.sampled_from(["document", "search_result"]))
    make = _document_block if kind == "document" else _search_result_block
    found = _citables(wire, kind)
    if found:
        on = not _cites(found[0][0])
    else:  # two new ones that disagree
        on = draw(st.booleans())
        first = draw(make())
        _set_citations(draw, first, not on)
        _append_block(draw, wire, first, "user")
    block = draw(make())
    _set_citations(draw, block, on)
    _append_block(draw, wire, block, "user")
    found = _citables(wire, kind)
    first_on = _cites(found[0][0])
    return Broken("citations-mixed", next(path for b, path in found if _cites(b) != first_on))


@_mutator("search-result-citations-required")
def _search_result_citations_required(draw: DrawFn, wire: Wire) -> Broken:
    if not _web_search(wire):
        wire.setdefault("tools", []).append({"type": SERVER_TOOLS["web_search"], "name": "web_search"})
        for block, _ in _citables(wire, "search_result"):
            _set_citations(draw, block, True)
    block = draw(_search_result_block())
    _set_citations(draw, block, False)
    return Broken("search-result-citations-required", _append_block(draw, wire, block, "user"))


@_mutator("tool-result-search-mixed")
def _tool_result_search_mixed(draw: DrawFn, wire: Wire) -> Broken:
    turn = _ensure_answered_turn(wire)
    j = _choice(draw, [j for j, b in enumerate(_blocks_of(_msgs(wire)[turn])) if _custom_result(b)])
    result = _msgs(wire)[turn]["content"][j]
    inner = result.get("content")
    if not isinstance(inner, list):
        inner = [] if inner is None else [{"type": "text", "text": inner}]
    if all(b.get("type") == "search_result" for b in inner):
        inner.insert(draw(st.integers(0, len(inner))), {"type": "text", "text": draw(_NICE_TEXT)})
    if not any(b.get("type") == "search_result" for b in inner):
        search = draw(_search_result_block())
        _match_citations(draw, wire, search)
        inner.insert(draw(st.integers(0, len(inner))), search)
    result["content"] = inner
    k = next(k for k, b in enumerate(inner) if b.get("type") != "search_result")
    return Broken("tool-result-search-mixed", f"/messages/{turn}/content/{j}/content/{k}")


@_mutator("tool-reference-unresolved")
def _tool_reference_unresolved(draw: DrawFn, wire: Wire) -> Broken:
    _custom_tools(wire)  # with no tools at all, only a request can tell
    names = [t["name"] for t in wire["tools"] if isinstance(t, dict) and isinstance(t.get("name"), str)]
    bad = draw(st.sampled_from(["weather", "lookup", "Lookup", "search_v2", "web_search", "x"]))
    while bad in names:
        bad += "_"
    messages = _msgs(wire)
    if draw(st.booleans()):  # a tool search result naming an undeclared tool
        index, ids = _tool_loop(wire)
        refs = [{"type": "tool_reference", "tool_name": _choice(draw, names)}] if draw(st.booleans()) else []
        refs.append({"type": "tool_reference", "tool_name": bad})
        messages.append(
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": ids[0], "content": refs}]}
        )
        return Broken(
            "tool-reference-unresolved", f"/messages/{index + 1}/content/0/content/{len(refs) - 1}/tool_name"
        )
    _end_with_plain_user(wire)
    kind = draw(st.sampled_from(["tool_addition", "tool_removal"]))
    messages.append(
        {"role": "system", "content": [{"type": kind, "tool": {"type": "tool_reference", "name": bad}}]}
    )
    return Broken("tool-reference-unresolved", f"/messages/{len(messages) - 1}/content/0/tool/name")


def _toolset_exchange(wire: Wire, toolset: str, result: Wire) -> int:
    """Append a call of a ``toolset`` member and ``result`` answering it; the result turn's index."""
    _end_with_user(wire)
    tool_id = _fresh(wire, "toolu_member_")
    use = {"type": "tool_use", "id": tool_id, "name": "lookup", "input": {}, "toolset_name": toolset}
    messages = _msgs(wire)
    messages.append({"role": "assistant", "content": [use]})
    messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_id, **result}]})
    return len(messages) - 1


@_mutator("tool-result-toolset-mismatch")
def _tool_result_toolset_mismatch(draw: DrawFn, wire: Wire) -> Broken:
    toolset, other = draw(st.permutations(["computer", "browser"]))
    result: Wire = {"content": draw(_NICE_TEXT)}
    if draw(st.booleans()):
        result["toolset_name"] = other
    turn = _toolset_exchange(wire, toolset, result)
    return Broken("tool-result-toolset-mismatch", f"/messages/{turn}/content/0/toolset_name")


@_mutator("tool-result-toolset-content")
def _tool_result_toolset_content(draw: DrawFn, wire: Wire) -> Broken:
    state, text = {"type": "browser_state", "tabs": []}, {"type": "text", "text": draw(_NICE_TEXT)}
    toolset, content, bad = draw(
        st.sampled_from(
            [
                ("browser", [state, text, state], 2),  # a second browser_state
                ("computer", [text, state], 1),  # a browser_state outside the browser toolset
                ("browser", [state], 0),  # ... or in a failed browser action (is_error below)
            ]
        )
    )
    result: Wire = {"toolset_name": toolset, "content": content}
    if bad == 0:
        result["is_error"] = True
    turn = _toolset_exchange(wire, toolset, result)
    return Broken("tool-result-toolset-content", f"/messages/{turn}/content/0/content/{bad}")


@_mutator("server-tool-undeclared")
def _server_tool_undeclared(draw: DrawFn, wire: Wire) -> Broken:
    _custom_tools(wire)  # with no tools at all, there is nothing to compare with
    names = {t.get("name") for t in wire["tools"] if isinstance(t, dict)}
    free = [n for n in SERVER_TOOLS if n not in names]
    if free:
        name = draw(st.sampled_from(free))
    else:  # every one is declared: drop one (a finished call needs no declaration; web search stays,
        # as the citations of search results depend on it)
        name = draw(st.sampled_from([n for n in SERVER_TOOLS if n != "web_search"]))
        wire["tools"] = [t for t in wire["tools"] if not (isinstance(t, dict) and t.get("name") == name)]
    _end_with_user(wire)
    messages = _msgs(wire)
    use = {"type": "server_tool_use", "id": _fresh(wire, "srvtoolu_paused"), "name": name, "input": {}}
    content: list[Wire] = [use]
    if draw(st.booleans()):
        content.insert(0, {"type": "text", "text": "Let me look that up."})
    messages.append({"role": "assistant", "content": content})  # paused: the call is still running
    return Broken("server-tool-undeclared", f"/messages/{len(messages) - 1}/content/{len(content) - 1}/name")


@_mutator("system-message-position")
def _system_message_position(draw: DrawFn, wire: Wire) -> Broken:
    message = {"role": "system", "content": draw(_NICE_TEXT)}
    if draw(st.booleans()):  # first in messages (and then followed by a user turn)
        _msgs(wire).insert(0, message)
        return Broken("system-message-position", "/messages/0")
    _end_with_assistant(wire, [{"type": "text", "text": "Done."}])  # not ending in a server tool result
    _msgs(wire).append(message)
    return Broken("system-message-position", f"/messages/{len(_msgs(wire)) - 1}")


# -- tool pairing ------------------------------------------------------------------------------------


@_mutator("tool-use-unanswered")
def _tool_use_unanswered(draw: DrawFn, wire: Wire) -> Broken:
    messages = _msgs(wire)
    kind = draw(st.integers(0, 2))
    if kind == 0:  # the last user turn answers only some of the calls
        index, ids = _tool_loop(wire, 2)
        messages.append(
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": ids[0], "content": "ok"}]}
        )
        return Broken("tool-use-unanswered", f"/messages/{index}/content/1")
    if kind == 1:  # the next user turn does not answer at all
        index, _ = _tool_loop(wire)
        messages.append({"role": "user", "content": draw(_NICE_TEXT)})
        if draw(st.booleans()):
            messages.append({"role": "assistant", "content": "Sure."})
        return Broken("tool-use-unanswered", f"/messages/{index}/content/0")
    turn = _ensure_answered_turn(wire)  # drop one result of an existing loop
    content = messages[turn]["content"]
    results = [j for j, b in enumerate(content) if b["type"] == "tool_result"]
    j = _choice(draw, results)
    tool_id = content[j]["tool_use_id"]
    del content[j]
    if not content:
        content.append({"type": "text", "text": "Never mind."})
    return Broken("tool-use-unanswered", _use_path(wire, turn, tool_id))


@_mutator("tool-result-orphan")
def _tool_result_orphan(draw: DrawFn, wire: Wire) -> Broken:
    messages = _msgs(wire)
    uses = _find(wire, ("tool_use",))
    late = [
        (i, u["id"]) for i, _, u in uses for k in range(i + 2, len(messages)) if messages[k]["role"] == "user"
    ]
    if draw(st.booleans()) and late:  # answers a tool_use of an older assistant turn
        i, tool_id = _choice(draw, late)
        turn = _choice(draw, [k for k in range(i + 2, len(messages)) if messages[k]["role"] == "user"])
    else:
        tool_id = _fresh(wire, "toolu_orphan_")
        turn = _choice(draw, [k for k, m in enumerate(messages) if m["role"] == "user"])
    _as_list(messages[turn]).insert(0, {"type": "tool_result", "tool_use_id": tool_id, "content": "stale"})
    return Broken("tool-result-orphan", f"/messages/{turn}/content/0")


@_mutator("tool-result-not-first")
def _tool_result_not_first(draw: DrawFn, wire: Wire) -> Broken:
    turn = _ensure_answered_turn(wire)
    content = _msgs(wire)[turn]["content"]
    last = max(j for j, b in enumerate(content) if b["type"] == "tool_result")
    content.insert(last, {"type": "text", "text": draw(_NICE_TEXT)})
    tool_id = content[last + 1]["tool_use_id"]
    # Results must come first: once text starts the turn, the result's tool_use is unanswered too.
    also = frozenset({("tool-use-unanswered", _use_path(wire, turn, tool_id))})
    return Broken("tool-result-not-first", f"/messages/{turn}/content/{last + 1}", also)


@_mutator("tool-result-duplicate")
def _tool_result_duplicate(draw: DrawFn, wire: Wire) -> Broken:
    turn = _ensure_answered_turn(wire)
    content = _msgs(wire)[turn]["content"]
    results = [j for j, b in enumerate(content) if b["type"] == "tool_result"]
    twin = _strip_marks(content[_choice(draw, results)])
    at = results[-1] + 1
    content.insert(at, twin)
    return Broken("tool-result-duplicate", f"/messages/{turn}/content/{at}")


@_mutator("tool-result-error-empty")
def _tool_result_error_empty(draw: DrawFn, wire: Wire) -> Broken:
    turn = _ensure_answered_turn(wire)
    content = _msgs(wire)[turn]["content"]
    at = _choice(draw, [j for j, b in enumerate(content) if b["type"] == "tool_result"])
    empty = draw(st.sampled_from(["missing", "", []]))
    if empty == "missing":
        content[at].pop("content", None)
    else:
        content[at]["content"] = empty
    content[at]["is_error"] = True
    return Broken("tool-result-error-empty", f"/messages/{turn}/content/{at}")


@_mutator("tool-result-extra-content")
def _tool_result_extra_content(draw: DrawFn, wire: Wire) -> Broken:
    _end_with_user(wire)
    server_id, tool_id = _fresh(wire, "srvtoolu_open"), _fresh(wire, "toolu_mixed_")
    if wire.get("tools") and not any(t.get("name") == "web_fetch" for t in wire["tools"]):
        wire["tools"].append({"type": SERVER_TOOLS["web_fetch"], "name": "web_fetch"})  # still declared
    uses = [
        {
            "type": "server_tool_use",
            "id": server_id,
            "name": "web_fetch",
            "input": {"url": "https://example.com/"},
        },
        {"type": "tool_use", "id": tool_id, "name": "lookup", "input": {}},
    ]
    if draw(st.booleans()):
        uses.reverse()
    messages = _msgs(wire)
    messages.append({"role": "assistant", "content": uses})
    messages.append(
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": tool_id}, {"type": "text", "text": "and?"}],
        }
    )
    return Broken("tool-result-extra-content", f"/messages/{len(messages) - 1}/content/1")


@_mutator("tool-use-id-duplicate")
def _tool_use_id_duplicate(draw: DrawFn, wire: Wire) -> Broken:
    messages = _msgs(wire)
    calls = _find(wire, ("tool_use", "server_tool_use"), "assistant")
    pairs = [  # of one kind, and of one toolset (or none): their results stay what they answer
        (a, b)
        for a in calls
        for b in calls
        if (a[0], a[1]) < (b[0], b[1])
        and (a[2]["type"], a[2].get("toolset_name")) == (b[2]["type"], b[2].get("toolset_name"))
    ]
    if draw(st.booleans()) and pairs:
        (_, _, first), (i, j, second) = _choice(draw, pairs)
        old, new = second["id"], first["id"]
        same_turn = any(b.get("id") == new for b in _blocks_of(messages[i]) if b is not second)
        second["id"] = new
        if (
            same_turn and second["type"] == "tool_use"
        ):  # one result answers both calls: drop the second call's own result
            for message in messages[i + 1 : i + 2]:
                if message["role"] == "user":
                    message["content"] = [b for b in _blocks_of(message) if b.get("tool_use_id") != old]
        else:
            _set_ids(wire, old, new, uses=False)
        return Broken("tool-use-id-duplicate", f"/messages/{i}/content/{j}/id")
    existing = [b["id"] for _, _, b in calls if "toolset_name" not in b]  # the new call is no member
    tool_id = _choice(draw, existing) if draw(st.booleans()) and existing else None
    if tool_id is None:
        _, (tool_id,) = _tool_loop(wire)
        messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_id}]})
    _end_with_user(wire)
    messages.append(
        {"role": "assistant", "content": [{"type": "tool_use", "id": tool_id, "name": "lookup", "input": {}}]}
    )
    messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_id}]})
    return Broken("tool-use-id-duplicate", f"/messages/{len(messages) - 2}/content/0/id")


def _bad_id(draw: DrawFn, wire: Wire, forms: Sequence[str]) -> str:
    taken = _ids(wire)
    n = 0
    while True:
        candidate = _choice(draw, forms).format(n)
        if candidate not in taken:
            return candidate
        n += 1


@_mutator("tool-use-id-invalid")
def _tool_use_id_invalid(draw: DrawFn, wire: Wire) -> Broken:
    uses = _find(wire, ("tool_use",), "assistant")
    if not uses:
        _tool_loop(wire)
        uses = _find(wire, ("tool_use",), "assistant")
    i, j, use = _choice(draw, uses)
    bad = _bad_id(draw, wire, ["toolu {0}", "toolu.{0}", "tool:{0}", "tööl_{0}", "id/{0}", "{0}!", ""])
    _set_ids(wire, use["id"], bad)
    return Broken("tool-use-id-invalid", f"/messages/{i}/content/{j}/id")


@_mutator("server-tool-use-id-invalid")
def _server_tool_use_id_invalid(draw: DrawFn, wire: Wire) -> Broken:
    uses = _find(wire, ("server_tool_use",), "assistant")
    if not uses:
        server_id = _fresh(wire, "srvtoolu_x")
        _end_with_assistant(wire, [
            {"type": "server_tool_use", "id": server_id, "name": "web_search", "input": {"query": "q"}},
            {"type": "web_search_tool_result", "tool_use_id": server_id, "content": []},
        ])  # fmt: skip
        uses = _find(wire, ("server_tool_use",), "assistant")
    i, j, use = _choice(draw, uses)
    bad = _bad_id(
        draw,
        wire,
        ["toolu_{0}", "srvtoolu_{0}-x", "srvtoolu-{0}", "SRVTOOLU_{0}", "srvtoolu_{0}.x", "srvtoolu_"],
    )
    _set_ids(wire, use["id"], bad)
    return Broken("server-tool-use-id-invalid", f"/messages/{i}/content/{j}/id")


@_mutator("server-tool-unfinished")
def _server_tool_unfinished(draw: DrawFn, wire: Wire) -> Broken:
    _end_with_user(wire)
    if wire.get("tools") and not any(t.get("name") == "web_fetch" for t in wire["tools"]):
        wire["tools"].append({"type": SERVER_TOOLS["web_fetch"], "name": "web_fetch"})  # still declared
    use = {
        "type": "server_tool_use",
        "id": _fresh(wire, "srvtoolu_paused"),
        "name": "web_fetch",
        "input": {"url": "https://example.com/"},
    }
    content: list[Wire] = [use]
    if draw(st.booleans()):
        content.insert(0, {"type": "text", "text": "Let me fetch it."})
    messages = _msgs(wire)
    messages.append({"role": "assistant", "content": content})  # paused: the call is still running
    messages.append({"role": "user", "content": draw(_NICE_TEXT)})  # ... and a user turn after it
    return Broken("server-tool-unfinished", f"/messages/{len(messages) - 2}/content/{len(content) - 1}")


@_mutator("server-tool-result-orphan")
def _server_tool_result_orphan(draw: DrawFn, wire: Wire) -> Broken:
    block = {"type": "web_search_tool_result", "tool_use_id": _fresh(wire, "srvtoolu_gone"), "content": []}
    if draw(st.booleans()):  # its id is a call's, but the call is of another kind
        name = draw(st.sampled_from(["web_fetch", "code_execution", "tool_search_tool_bm25"]))
        use = {"type": "server_tool_use", "id": block["tool_use_id"], "name": name, "input": {}}
        index = _end_with_assistant(wire, [use, block])
        return Broken("server-tool-result-orphan", f"/messages/{index}/content/1")
    return Broken("server-tool-result-orphan", _append_block(draw, wire, block, "assistant"))


# -- tools --------------------------------------------------------------------------------------------


def _custom_tools(wire: Wire) -> list[int]:
    tools = wire.setdefault("tools", [])
    custom = [i for i, t in enumerate(tools) if t.get("type") in (None, "custom")]
    if not custom:
        tools.append({"name": "lookup", "input_schema": {"type": "object"}})
        custom = [len(tools) - 1]
    return custom


def _tool_references(block: Wire) -> list[tuple[Wire, str]]:
    """The tool references in ``block``, each with the key that names its tool: in a tool_result
    or a tool search result (``tool_name``), or in a tool change, on its own in a system message
    or listed by a compaction (``name``, §1.13)."""
    kind, inner = block.get("type"), block.get("content")
    if kind == "tool_search_tool_result" and isinstance(inner, dict):
        inner = inner.get("tool_references")
    if kind in ("tool_result", "tool_search_tool_result"):
        refs = inner if isinstance(inner, list) else []
        return [(ref, "tool_name") for ref in refs if ref.get("type") == "tool_reference"]
    changes = block.get("tool_changes", []) if kind == "compaction" else [block]
    tools = [c["tool"] for c in changes if c.get("type") in ("tool_addition", "tool_removal")]
    return [(tool, "name") for tool in tools if tool.get("type") == "tool_reference"]


def _rename_tool(wire: Wire, i: int, name: str) -> None:
    """Rename tool ``i``, and the tool references naming it, so that they still resolve."""
    old = wire["tools"][i]["name"]
    wire["tools"][i]["name"] = name
    for message in _msgs(wire):
        for block in _blocks_of(message):
            for ref, key in _tool_references(block):
                if ref.get(key) == old:
                    ref[key] = name


@_mutator("tool-name-invalid")
def _tool_name_invalid(draw: DrawFn, wire: Wire) -> Broken:
    i = _choice(draw, _custom_tools(wire))
    bad = draw(st.sampled_from(["", "get weather", "a" * 65, "naïve", "dot.name", "slash/x", "emoji🎉"]))
    _rename_tool(wire, i, bad)
    return Broken("tool-name-invalid", f"/tools/{i}/name")


@_mutator("tool-name-duplicate")
def _tool_name_duplicate(draw: DrawFn, wire: Wire) -> Broken:
    custom = _custom_tools(wire)  # a server tool's name is fixed
    tools = wire["tools"]
    named = [i for i, t in enumerate(tools) if "name" in t]  # a toolset entry has none
    renamable = [j for j in custom if j > named[0]]  # after a tool whose name it can take
    if len(renamable) > 0 and draw(st.booleans()):
        j = _choice(draw, renamable)
        _rename_tool(wire, j, tools[_choice(draw, [i for i in named if i < j])]["name"])
    else:
        tools.append(_strip_marks(tools[_choice(draw, named)]))
        j = len(tools) - 1
    return Broken("tool-name-duplicate", f"/tools/{j}/name")


@_mutator("tool-schema-invalid")
def _tool_schema_invalid(draw: DrawFn, wire: Wire) -> Broken:
    i = _choice(draw, _custom_tools(wire))
    bad: Any = draw(st.sampled_from(["missing", None, "object", {}, {"type": "array"}, {"properties": {}}]))
    if bad == "missing":
        wire["tools"][i].pop("input_schema", None)
    else:
        wire["tools"][i]["input_schema"] = copy.deepcopy(bad)
    return Broken("tool-schema-invalid", f"/tools/{i}/input_schema")


@_mutator("tools-strict-too-many")
def _tools_strict_too_many(draw: DrawFn, wire: Wire) -> Broken:
    tools = wire.setdefault("tools", [])
    for tool in tools:
        tool.pop("strict", None)
    extra = draw(st.integers(0, 3))
    closed = {"type": "object", "additionalProperties": False}  # a strict tool's schema must be closed
    tools.extend({"name": f"strict_{k}", "input_schema": {**closed}} for k in range(21 + extra))
    for tool in tools[-(21 + extra) :]:
        tool["strict"] = True
    return Broken("tools-strict-too-many", f"/tools/{len(tools) - 1 - extra}/strict")


@_mutator("tool-config-invalid")
def _tool_config_invalid(draw: DrawFn, wire: Wire) -> Broken:
    tools = wire.setdefault("tools", [])
    searches = [
        i for i, t in enumerate(tools) if str(t.get("type", "")).startswith(("web_search", "web_fetch"))
    ]
    if not searches:
        tools.append(
            {"type": SERVER_TOOLS["web_fetch"], "name": "web_fetch"}
        )  # web_search asks more of results
        searches = [len(tools) - 1]
    i = _choice(draw, searches)
    tool = tools[i]
    if draw(st.booleans()):
        tool["allowed_domains"], tool["blocked_domains"] = ["example.com"], ["example.org"]
        return Broken("tool-config-invalid", f"/tools/{i}/blocked_domains")
    key = draw(st.sampled_from(["allowed_domains", "blocked_domains"]))
    tool.pop("allowed_domains", None)
    tool.pop("blocked_domains", None)
    tool[key] = []
    return Broken("tool-config-invalid", f"/tools/{i}/{key}")


def _closed_schema(optional: int, unions: int) -> Wire:
    """A closed object schema of ``optional`` optional parameters and ``unions`` required
    parameters with union types."""
    notes = {f"note_{k}": {"type": "string"} for k in range(optional)}
    either = {f"either_{k}": {"type": ["string", "null"]} for k in range(unions)}
    return {
        "type": "object",
        "properties": {**notes, **either},
        "required": sorted(either),
        "additionalProperties": False,
    }


def _schema_past_a_limit(draw: DrawFn, load: Load) -> Wire:
    """A closed schema that takes strict schemas of ``load`` (within both complexity limits)
    past one of them: 24 optional parameters, or 16 with union types, in a request."""
    if draw(st.booleans()):
        return _closed_schema(MAX_OPTIONAL_PARAMETERS + 1 - load[0] + draw(st.integers(0, 3)), 0)
    return _closed_schema(0, MAX_UNION_PARAMETERS + 1 - load[1] + draw(st.integers(0, 3)))


def _strict_tools_past_a_limit(draw: DrawFn, wire: Wire) -> Broken:
    """New strict tools whose schemas take the request past a complexity limit: the one that
    passes it is told (the limits count every strict schema of the request together)."""
    tools = wire.setdefault("tools", [])
    taken = {tool.get("name") for tool in tools}
    first, last = [name for name in (f"form_{k}" for k in range(len(tools) + 2)) if name not in taken][:2]
    if draw(st.booleans()):  # one within the limits first: the load is summed
        optional, unions = strict_load(tools)
        share = (
            draw(st.integers(0, MAX_OPTIONAL_PARAMETERS - optional)),
            draw(st.integers(0, MAX_UNION_PARAMETERS - unions)),
        )
        tools.append({"name": first, "strict": True, "input_schema": _closed_schema(*share)})
    schema = _schema_past_a_limit(draw, strict_load(tools))
    tools.append({"name": last, "strict": True, "input_schema": schema})
    return Broken("tool-schema-unsupported", f"/tools/{len(tools) - 1}/input_schema")


@_mutator("tool-schema-unsupported")
def _tool_schema_unsupported(draw: DrawFn, wire: Wire) -> Broken:
    if draw(st.booleans()):
        return _strict_tools_past_a_limit(draw, wire)
    i = _choice(draw, _custom_tools(wire))
    keyword = draw(st.sampled_from(COMBINATORS))
    wire["tools"][i]["input_schema"][keyword] = [{}]  # any input fits it: only its place is wrong
    return Broken("tool-schema-unsupported", f"/tools/{i}/input_schema/{keyword}")


_PROPERTY_VALUES: Final[Mapping[str, tuple[Any, tuple[Any, ...]]]] = {
    "string": ("Paris", (75, None, ["Paris"])),
    "integer": (3, ("three", 2.5, True)),
    "number": (2.5, ("2.5", False, None)),
    "array": (["a"], ("a", {"0": "a"}, [1])),
    "object": ({}, ([], "x", 1)),
}
"""For each property type of the generated tool schemas: a value that fits, and values that do not
(``minimum`` is at most 0.5 and ``items`` is ``{"type": "string"}`` when they are there)."""


def _property_type(schema: Any) -> str | None:
    """The type of a generated property schema, or None for any other schema."""
    if not isinstance(schema, dict) or schema.get("type") not in _PROPERTY_VALUES:
        return None
    minimum = schema.get("minimum", 0)
    if set(schema) - {"type", "minimum", "items"} or not isinstance(minimum, int | float) or minimum > 0.5:
        return None
    if "items" in schema and schema["items"] != {"type": "string"}:
        return None
    return cast(str, schema["type"])


def _fitting_example(schema: Wire) -> Wire | None:
    """An input example that fits a generated tool schema (its required properties), or None."""
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    if set(schema) - {"type", "properties", "required"} or not isinstance(properties, dict):
        return None
    types = {key: _property_type(sub) for key, sub in properties.items()}
    if not isinstance(required, list) or any(types.get(key) is None for key in required):
        return None
    return {key: copy.deepcopy(_PROPERTY_VALUES[cast(str, types[key])][0]) for key in required}


@_mutator("tool-input-example-invalid")
def _tool_input_example_invalid(draw: DrawFn, wire: Wire) -> Broken:
    i = _choice(draw, _custom_tools(wire))
    tool = wire["tools"][i]
    good = _fitting_example(tool["input_schema"])
    bad: Any = draw(st.sampled_from([3, "get_weather", None, ["city"], True]))  # not an object
    if good is not None and draw(st.booleans()):
        properties = tool["input_schema"].get("properties", {})
        missing = [key for key in good if draw(st.booleans())]
        typed = [key for key in properties if _property_type(properties[key])]
        if missing:  # a required property left out
            bad = {k: v for k, v in good.items() if k != missing[0]}
        elif typed:  # a property of the wrong type
            key = _choice(draw, typed)
            bad = {**good, key: draw(st.sampled_from(_PROPERTY_VALUES[properties[key]["type"]][1]))}
    examples = tool.setdefault("input_examples", [])
    if good is not None:
        examples.extend(copy.deepcopy(good) for _ in range(draw(st.integers(0, 2))))
    at = draw(st.integers(0, len(examples)))
    examples.insert(at, copy.deepcopy(bad))
    return Broken("tool-input-example-invalid", f"/tools/{i}/input_examples/{at}")


@_mutator("tool-invalid")
def _tool_invalid(draw: DrawFn, wire: Wire) -> Broken:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        wire["tools"] = draw(st.sampled_from([{"name": "lookup"}, "lookup", 3]))
        return Broken("tool-invalid", "/tools")
    bad = draw(
        st.sampled_from([3, "lookup", None, ["lookup"], {"input_schema": {"type": "object"}}, {"name": 5}])
    )
    if kind == 3:  # a tool_addition's inline definition is checked as a tools entry (§1.13)
        tool: Wire = {"type": "tool_definition"}
        if bad is not None:  # left out, as null is
            tool["definition"] = copy.deepcopy(bad)
        _end_with_plain_user(wire)
        messages = _msgs(wire)
        messages.append({"role": "system", "content": [{"type": "tool_addition", "tool": tool}]})
        return Broken("tool-invalid", f"/messages/{len(messages) - 1}/content/0/tool/definition")
    tools = wire.setdefault("tools", [])
    at = draw(st.integers(0, len(tools)))
    tools.insert(at, copy.deepcopy(bad))
    return Broken("tool-invalid", f"/tools/{at}")


# -- thinking ------------------------------------------------------------------------------------------


def _thinking_blocks(draw: DrawFn, wire: Wire) -> list[tuple[int, int, Wire]]:
    found = _find(wire, ("thinking", "redacted_thinking"), "assistant")
    if not found:
        i = _choice(
            draw,
            [i for i, m in enumerate(_msgs(wire)) if m["role"] == "assistant"] or [_end_with_assistant(wire)],
        )
        _as_list(_msgs(wire)[i]).insert(0, draw(_thinking_block()))
        found = _find(wire, ("thinking", "redacted_thinking"), "assistant")
    return found


@_mutator("thinking-signature-missing")
def _thinking_signature_missing(draw: DrawFn, wire: Wire) -> Broken:
    i, j, block = _choice(draw, _thinking_blocks(draw, wire))
    field = "signature" if block["type"] == "thinking" else "data"
    block[field] = ""
    return Broken("thinking-signature-missing", f"/messages/{i}/content/{j}/{field}")


# -- prompt caching ------------------------------------------------------------------------------------


def _marks(wire: Wire) -> list[tuple[Wire, str]]:
    return [(obj, path) for obj, path in _cache_slots(wire) if "cache_control" in obj]


def _ttl(obj: Wire) -> str:
    return cast(str, obj["cache_control"].get("ttl") or "5m")


def _slots_at_least(wire: Wire, count: int) -> list[tuple[Wire, str]]:
    """Cache slots, after appending an assistant turn of text blocks if there are fewer than ``count``."""
    slots = _cache_slots(wire)
    if len(slots) < count:
        _end_with_assistant(wire, [{"type": "text", "text": f"part {n}"} for n in range(count - len(slots))])
        slots = _cache_slots(wire)
    return slots


def _add_marks(draw: DrawFn, wire: Wire, total: int) -> list[tuple[Wire, str]]:
    """Add breakpoints until there are ``total``, keeping every 1h one before every 5m one."""
    slots = _slots_at_least(wire, total)
    free = [n for n, (obj, _) in enumerate(slots) if "cache_control" not in obj]
    have = len(slots) - len(free)
    chosen = (
        sorted(
            draw(st.lists(st.sampled_from(free), unique=True, min_size=total - have, max_size=total - have))
        )
        if total > have
        else []
    )
    long_lived = [n for n, (obj, _) in enumerate(slots) if "cache_control" in obj and _ttl(obj) == "1h"]
    last_1h = max(long_lived, default=-1)
    for n in chosen:
        slots[n][0]["cache_control"] = _marker(draw, "1h" if n < last_1h else "5m")
    return _marks(wire)


@_mutator("cache-control-invalid")
def _cache_control_invalid(draw: DrawFn, wire: Wire) -> Broken:
    obj, path = _choice(draw, _slots_at_least(wire, 1))
    bad = draw(
        st.sampled_from(
            [
                {"type": "persistent"},
                {"type": "Ephemeral"},
                {"type": "ephemeral", "ttl": "10m"},
                {"type": "ephemeral", "ttl": "1d"},
                {"type": "ephemeral", "ttl": ""},
                {"type": "ephemeral", "ttl": "5M"},
            ]
        )
    )
    if draw(st.integers(0, 3)) == 0:  # the request's top-level (automatic) cache_control
        wire["cache_control"] = draw(st.sampled_from([dict(bad), "ephemeral", True, ["ephemeral"]]))
        return Broken("cache-control-invalid", "/cache_control")
    obj["cache_control"] = dict(bad)
    return Broken("cache-control-invalid", f"{path}/cache_control")


@_mutator("cache-control-ineligible")
def _cache_control_ineligible(draw: DrawFn, wire: Wire) -> Broken:
    i, j, block = _choice(draw, _thinking_blocks(draw, wire))
    block["cache_control"] = {"type": "ephemeral"}
    return Broken("cache-control-ineligible", f"/messages/{i}/content/{j}/cache_control")


@_mutator("cache-control-empty-text")
def _cache_control_empty_text(draw: DrawFn, wire: Wire) -> Broken:
    marks = _marks(wire)
    if len(marks) >= 4:  # the empty block's marker still takes a slot
        del _choice(draw, marks)[0]["cache_control"]
    block = {"type": "text", "text": "", "cache_control": {"type": "ephemeral"}}
    messages = _msgs(wire)
    content = _as_list(messages[-1])
    content.append(block)
    path = f"/messages/{len(messages) - 1}/content/{len(content) - 1}"
    # An empty text block is an empty text block, marker or not.
    return Broken(
        "cache-control-empty-text", f"{path}/cache_control", frozenset({("text-empty", f"{path}/text")})
    )


@_mutator("cache-control-too-many")
def _cache_control_too_many(draw: DrawFn, wire: Wire) -> Broken:
    if draw(st.integers(0, 3)) == 0:  # 4 breakpoints in the tools, and the automatic one on top
        for obj, _ in _marks(wire):
            del obj["cache_control"]
        tools = wire.setdefault("tools", [])
        names = {t.get("name") for t in tools}
        fresh = [n for n in (f"cached_{i}" for i in range(len(names) + 4)) if n not in names][:4]
        tools.extend({"name": n, "input_schema": {"type": "object"}} for n in fresh)
        for tool in tools[-4:]:
            tool["cache_control"] = _marker(draw, "5m")
        wire["cache_control"] = _marker(draw, "5m")
        return Broken("cache-control-too-many", "/cache_control")
    marks = _add_marks(draw, wire, draw(st.integers(5, 6)))
    return Broken("cache-control-too-many", f"{marks[4][1]}/cache_control")


@_mutator("cache-ttl-order")
def _cache_ttl_order(draw: DrawFn, wire: Wire) -> Broken:
    marks = _marks(wire)
    if draw(st.integers(0, 3)) == 0:  # a 1h automatic breakpoint lands on the last block, after a 5m one
        for obj, _ in marks[3:]:
            del obj["cache_control"]
        marks = _marks(wire) or _add_marks(draw, wire, 1)
        if all(_ttl(obj) == "1h" for obj, _ in marks):
            marks[-1][0]["cache_control"] = _marker(draw, "5m")
        # where it lands, no mark of another ttl (that is cache-control-automatic-ttl)
        _as_list(_msgs(wire)[-1]).append({"type": "text", "text": "One more thing."})
        wire["cache_control"] = {"type": "ephemeral", "ttl": "1h"}
        return Broken("cache-ttl-order", "/cache_control/ttl")
    if len(marks) < 2:
        marks = _add_marks(draw, wire, draw(st.integers(2, 4)))
    (before, _), (last, path) = marks[-2], marks[-1]
    if all(_ttl(obj) == "1h" for obj, _ in marks[:-1]):
        before["cache_control"] = _marker(draw, "5m")
    last["cache_control"] = {"type": "ephemeral", "ttl": "1h"}
    return Broken("cache-ttl-order", f"{path}/cache_control/ttl")


# -- images and documents ------------------------------------------------------------------------------


def _in_toolset_result(wire: Wire, path: str) -> bool:
    """Whether the block at ``path`` (in a message) is nested in a toolset member's result."""
    _, _, i, _, j, *nested = path.split("/")
    return bool(nested) and "toolset_name" in _msgs(wire)[int(i)]["content"][int(j)]


def _an_image(draw: DrawFn, wire: Wire) -> tuple[Wire, str]:
    """An image of the messages, or a new one appended to a user turn, and its path; never one in
    a toolset member's result, which the API refuses rather than downscale when it is larger than
    the model keeps (``image-oversized``)."""
    found: list[tuple[Wire, str]] = []
    for obj, path in _cache_slots(wire):
        if (
            obj.get("type") == "image"
            and path.startswith("/messages/")
            and not _in_toolset_result(wire, path)
        ):
            found.append((obj, path))
    if not found or draw(st.integers(0, 3)) == 0:
        image = draw(_image_block())
        return image, _append_block(draw, wire, image, "user")
    return _choice(draw, found)


def _on_platform(draw: DrawFn, wire: Wire) -> None:
    """Make ``wire`` a request to a Bedrock or Google Cloud model id that ends with a user turn,
    in place; its url and file image and document sources become base64 ones, which those
    platforms take and url and file ones not (§7.2, §8.4, §8.6)."""
    _end_with_user(wire)
    for obj, _ in _cache_slots(wire):
        if obj.get("type") in ("image", "document") and obj["source"].get("type") in ("url", "file"):
            obj["source"] = (
                draw(_base64_image_source(_ANY_MEDIA_TYPE))
                if obj["type"] == "image"
                else {"type": "base64", "media_type": "application/pdf", "data": _PDF}
            )
    _name_model(wire, draw(st.sampled_from(_PLATFORM)))


@_mutator("image-source-invalid", names_a_model=True)
def _image_source_invalid(draw: DrawFn, wire: Wire) -> Broken:
    if draw(st.integers(0, 5)) == 5:  # a url or file source, which Bedrock and Google Cloud refuse
        _on_platform(draw, wire)
        image, path = _an_image(draw, wire)
        image["source"] = draw(st.one_of(_URL_SOURCE, _FILE_SOURCE))
        return Broken("image-source-invalid", f"{path}/source/type")
    image, path = _an_image(draw, wire)
    kind = draw(st.integers(0, 4))
    if kind == 0:
        image["source"] = {"type": "base64", "media_type": "image/png"}
        return Broken("image-source-invalid", f"{path}/source/data")
    if kind == 1:
        image["source"] = {
            "type": "base64",
            "media_type": "image/png",
            "data": draw(st.sampled_from([42, None, ["iVBOR"]])),
        }
        return Broken("image-source-invalid", f"{path}/source/data")
    if kind == 2:
        image["source"] = {"type": draw(st.sampled_from(["svg", "URL", "bytes", ""])), "data": "iVBORw0KGgo="}
        return Broken("image-source-invalid", f"{path}/source/type")
    if kind == 3:
        image["source"] = {"type": "url", "href": "https://example.com/a.png"}
        return Broken("image-source-invalid", f"{path}/source")
    image["source"] = {"type": "file", "id": "file_abc"}
    return Broken("image-source-invalid", f"{path}/source")


@_mutator("image-media-type-unsupported")
def _image_media_type_unsupported(draw: DrawFn, wire: Wire) -> Broken:
    image, path = _an_image(draw, wire)
    source = draw(_base64_image_source(st.sampled_from(MEDIA_TYPES)))
    bad = draw(
        st.sampled_from(
            ["image/bmp", "image/svg+xml", "image/tiff", "image/jpg", "application/pdf", "png", None]
        )
    )
    source["media_type"] = bad
    image["source"] = source
    return Broken("image-media-type-unsupported", f"{path}/source/media_type")


@_mutator("image-data-invalid")
def _image_data_invalid(draw: DrawFn, wire: Wire) -> Broken:
    image, path = _an_image(draw, wire)
    data = draw(st.sampled_from(["", "not base64!", _b64(b"plain text, not an image"), "AAAA", "%%%%"]))
    image["source"] = {"type": "base64", "media_type": draw(st.sampled_from(MEDIA_TYPES)), "data": data}
    return Broken("image-data-invalid", f"{path}/source/data")


@_mutator("image-too-large", names_a_model=True)
def _image_too_large(draw: DrawFn, wire: Wire) -> Broken:
    limit = MAX_IMAGE_BASE64
    if draw(st.integers(0, 3)) == 3:  # within the API's limit, over Bedrock's and Google Cloud's
        _on_platform(draw, wire)
        limit = MAX_PLATFORM_IMAGE_BASE64
    image, path = _an_image(draw, wire)
    png = _png(draw(st.integers(1, 8)), draw(st.integers(1, 8)), draw(_RGB))
    padding = limit * 3 // 4 + 3 - len(png) + draw(st.integers(0, 3))  # trailing bytes after IEND
    image["source"] = {"type": "base64", "media_type": "image/png", "data": _b64(png + bytes(padding))}
    return Broken("image-too-large", f"{path}/source/data")


@_mutator("image-dimensions-too-large")
def _image_dimensions_too_large(draw: DrawFn, wire: Wire) -> Broken:
    image, path = _an_image(draw, wire)
    long, short = draw(st.integers(8001, 12000)), draw(st.integers(1, 2))
    width, height = (long, short) if draw(st.booleans()) else (short, long)
    image["source"] = {
        "type": "base64",
        "media_type": "image/png",
        "data": _b64(_png(width, height, (0, 0, 0))),
    }
    return Broken("image-dimensions-too-large", f"{path}/source")


@_mutator("image-oversized", names_a_model=True)
def _image_oversized(draw: DrawFn, wire: Wire) -> Broken:
    image, path = _an_image(draw, wire)
    if draw(st.booleans()):
        long, short = draw(st.integers(2577, 8000)), draw(st.integers(1, 2))  # over every model's long edge
    else:  # within the standard tier's long edge, over its 1568 visual tokens (§6.7)
        long, short = draw(st.integers(1121, 1568)), draw(st.integers(1121, 1200))
        _end_with_user(wire)
        _name_model(wire, draw(st.sampled_from(_PREFILL)))  # standard-tier models
    width, height = (long, short) if draw(st.booleans()) else (short, long)
    image["source"] = {
        "type": "base64",
        "media_type": "image/png",
        "data": _b64(_png(width, height, (0, 0, 0))),
    }
    image["transformations"] = {"oversized_image": "error"}
    return Broken("image-oversized", f"{path}/transformations/oversized_image")


@_mutator("document-data-invalid")
def _document_data_invalid(draw: DrawFn, wire: Wire) -> Broken:
    document = draw(_document_block())
    _match_citations(draw, wire, document)
    path = _append_block(draw, wire, document, "user")
    data = draw(st.sampled_from(["not base64!", _b64(b"plain text, not a PDF"), "AAAA", "%PDF-1.7"]))
    document["source"] = {"type": "base64", "media_type": "application/pdf", "data": data}
    return Broken("document-data-invalid", f"{path}/source/data")


@_mutator("document-source-invalid")
def _document_source_invalid(draw: DrawFn, wire: Wire) -> Broken:
    documents = [
        (o, p) for o, p in _cache_slots(wire) if o.get("type") == "document" and p.startswith("/messages/")
    ]
    if draw(st.booleans()) and documents:
        document, path = _choice(draw, documents)
    else:
        document = draw(_document_block())
        _match_citations(draw, wire, document)
        path = _append_block(draw, wire, document, "user")
    source, field = draw(
        st.sampled_from(
            [
                ({"type": "base64", "media_type": "text/plain", "data": _PDF}, "media_type"),
                ({"type": "base64", "data": _PDF}, "media_type"),
                ({"type": "base64", "media_type": "application/pdf"}, "data"),
                ({"type": "text", "media_type": "application/pdf", "data": "hi"}, "media_type"),
                ({"type": "text", "media_type": "text/plain", "data": 5}, "data"),
                ({"type": "html", "data": "<p>hi</p>"}, "type"),
                ({"url": "https://example.com/a.pdf"}, "type"),
                ({"type": "url", "href": "https://example.com/a.pdf"}, "url"),
                ({"type": "file", "id": "file_abc"}, "file_id"),
                ({"type": "content", "content": 5}, "content"),
            ]
        )
    )
    document["source"] = copy.deepcopy(source)
    return Broken("document-source-invalid", f"{path}/source/{field}")


# -- request readiness (a model named in the body) --------------------------------------------------


_NO_PREFILL: Final = (
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-sonnet-5",
    "claude-opus-5",
)
_PREFILL: Final = ("claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5")
_PLATFORM: Final = (
    "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "global.anthropic.claude-haiku-4-5-20251001-v1:0",
    "claude-opus-4-5@20251101",
    "claude-sonnet-4-5@20250929",
)
"""Models of :data:`_PREFILL` spelled as Bedrock and Google Cloud spell them: their image limits
are lower (§7.2)."""
_NO_SYSTEM_MESSAGES: Final = ("claude-sonnet-5", "claude-sonnet-4-6", "claude-opus-4-7", "claude-haiku-4-5")


def _count_images(wire: Wire) -> int:
    return sum(
        1 for obj, path in _cache_slots(wire) if obj.get("type") == "image" and path.startswith("/messages/")
    )


@_mutator("sampling-parameter-removed")
def _sampling_parameter_removed(draw: DrawFn, wire: Wire) -> Broken:
    name = draw(st.sampled_from(["temperature", "top_p", "top_k"]))
    value = draw(st.sampled_from([1.0, 0.0, 0.7])) if name != "top_k" else draw(st.integers(1, 40))
    data = {**wire, name: value}
    wire.clear()
    wire.update(data)
    return Broken("sampling-parameter-removed", f"/{name}")


_STOP_SEQUENCES: Final = st.lists(st.sampled_from(["END", "\n\nHuman:", "</answer>", "stop 🛑"]), max_size=3)


def _stop_sequences_with(draw: DrawFn, wire: Wire, bad: str, code: str) -> Broken:
    """Give the request ``stop_sequences`` holding ``bad`` among good ones, breaking ``code``."""
    sequences = draw(_STOP_SEQUENCES)
    at = draw(st.integers(0, len(sequences)))
    sequences.insert(at, bad)
    wire["stop_sequences"] = sequences
    return Broken(code, f"/stop_sequences/{at}")


@_mutator("stop-sequence-empty")
def _stop_sequence_empty(draw: DrawFn, wire: Wire) -> Broken:
    return _stop_sequences_with(draw, wire, "", "stop-sequence-empty")


@_mutator("stop-sequence-whitespace")
def _stop_sequence_whitespace(draw: DrawFn, wire: Wire) -> Broken:
    return _stop_sequences_with(draw, wire, draw(_BLANK), "stop-sequence-whitespace")


@_mutator("max-tokens-invalid")
def _max_tokens_invalid(draw: DrawFn, wire: Wire) -> Broken:
    wire["max_tokens"] = draw(st.sampled_from([-1, -1024, "1024", 1024.5, None, True, [1024]]))
    return Broken("max-tokens-invalid", "/max_tokens")


@_mutator("tool-choice-invalid")
def _tool_choice_invalid(draw: DrawFn, wire: Wire) -> Broken:
    names = {t.get("name") for t in wire.get("tools", ())}
    unknown = draw(st.sampled_from(["search", "lookup", "web_search", "Lookup"]))
    while unknown in names:
        unknown += "_"
    choice, field = draw(
        st.sampled_from(
            [
                ({"type": "tool"}, "/name"),  # which tool?
                ({"type": "tool", "name": unknown}, "/name"),  # one not in tools
                ({"type": "tool", "name": 5}, "/name"),
                ({"type": "required"}, ""),
                ({"name": "lookup"}, ""),
                ("auto", ""),
                (None, ""),
            ]
        )
    )
    wire["tool_choice"] = copy.deepcopy(choice)
    return Broken("tool-choice-invalid", f"/tool_choice{field}")


@_mutator("thinking-invalid")
def _thinking_invalid(draw: DrawFn, wire: Wire) -> Broken:
    thinking, field = draw(
        st.sampled_from(
            [
                ({"type": "on"}, "/type"),
                ({"type": "enabled"}, "/budget_tokens"),  # enabled needs a budget
                ({"type": "enabled", "budget_tokens": "2048"}, "/budget_tokens"),
                ({"type": "adaptive", "display": "full"}, "/display"),
                ({"budget_tokens": 2048}, ""),
                ("adaptive", ""),
                (True, ""),
            ]
        )
    )
    wire["thinking"] = copy.deepcopy(thinking)
    return Broken("thinking-invalid", f"/thinking{field}")


def _think(wire: Wire, budget: int) -> None:
    """Turn manual thinking on, for a request that starts a new turn (so that no earlier turn
    needs to start with thinking, api-rules §4.3)."""
    _end_with_plain_user(wire)
    wire["thinking"] = {"type": "enabled", "budget_tokens": budget}


@_mutator("thinking-budget-too-small")
def _thinking_budget_too_small(draw: DrawFn, wire: Wire) -> Broken:
    _think(wire, draw(st.sampled_from([0, 1, 512, 1023])))
    return Broken("thinking-budget-too-small", "/thinking/budget_tokens")


@_mutator("thinking-budget-exceeds-max-tokens")
def _thinking_budget_exceeds_max_tokens(draw: DrawFn, wire: Wire) -> Broken:
    limit = draw(st.integers(1024, 8192))
    _think(wire, limit + draw(st.sampled_from([0, 1, limit])))
    wire["max_tokens"] = limit
    return Broken("thinking-budget-exceeds-max-tokens", "/thinking/budget_tokens")


def _forced_tool_choice(draw: DrawFn, wire: Wire) -> Wire:
    """``tool_choice`` ``any``, or ``tool`` naming a custom tool (declared if there is none)."""
    custom = _custom_tools(wire)
    name = wire["tools"][_choice(draw, custom)]["name"]
    return cast(Wire, draw(st.sampled_from([{"type": "any"}, {"type": "tool", "name": name}])))


@_mutator("tool-choice-forced-unsupported")
def _tool_choice_forced_unsupported(draw: DrawFn, wire: Wire) -> Broken:
    _think(wire, 1024)  # manual thinking takes no forced tool use (§4.9)
    wire["max_tokens"] = 4096
    wire["tool_choice"] = _forced_tool_choice(draw, wire)
    return Broken("tool-choice-forced-unsupported", "/tool_choice/type")


@_mutator("prewarm-conflict")
def _prewarm_conflict(draw: DrawFn, wire: Wire) -> Broken:
    wire["max_tokens"] = 0  # a cache pre-warm (§5.12) ...
    if draw(st.booleans()):  # ... does not stream
        wire["stream"] = True
        return Broken("prewarm-conflict", "/stream")
    wire["tool_choice"] = _forced_tool_choice(draw, wire)  # ... nor force a tool
    return Broken("prewarm-conflict", "/tool_choice/type")


@_mutator("parameter-invalid")
def _parameter_invalid(draw: DrawFn, wire: Wire) -> Broken:
    name, value, field = draw(
        st.sampled_from(
            [
                ("service_tier", "priority", ""),
                ("speed", "turbo", ""),
                ("metadata", "user-1", ""),
                ("stream", "yes", ""),
                ("output_config", 3, ""),
                ("stop_sequences", "END", ""),
                ("stop_sequences", ["END", 3], "/1"),
                ("container", {"skills": "pdf"}, "/skills"),  # the SDK's ContainerParams and SkillParams
                ("container", {"id": None, "skills": ["pdf"]}, "/skills/0"),
                ("container", {"skills": [{"type": "anthropic"}]}, "/skills/0/skill_id"),
                ("container", {"skills": [{"type": "bundled", "skill_id": "pdf"}]}, "/skills/0/type"),
                (
                    "container",
                    {"skills": [{"type": "custom", "skill_id": "s", "version": 2}]},
                    "/skills/0/version",
                ),
            ]
        )
    )
    wire[name] = copy.deepcopy(value)
    return Broken("parameter-invalid", f"/{name}{field}")


@_mutator("citations-with-output-format")
def _citations_with_output_format(draw: DrawFn, wire: Wire) -> Broken:
    documents = _citables(wire, "document")
    if not documents:
        document = draw(_document_block())
        _append_block(draw, wire, document, "user")
        documents = _citables(wire, "document")
    for block, _ in documents:  # all of them, or the request would mix them
        _set_citations(draw, block, True)
    schema = draw(
        st.sampled_from(
            [
                {"type": "object", "additionalProperties": False},
                {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
            ]
        )
    )
    data = {**wire, "output_config": {"format": {"type": "json_schema", "schema": schema}}}
    wire.clear()
    wire.update(data)
    return Broken("citations-with-output-format", "/output_config/format")


@_mutator("prefill-unsupported", names_a_model=True)
def _prefill_unsupported(draw: DrawFn, wire: Wire) -> Broken:
    index = _end_with_assistant(
        wire, draw(st.sampled_from(["Sure", "{", [{"type": "text", "text": "The answer is"}]]))
    )
    _name_model(wire, draw(st.sampled_from(_NO_PREFILL)))
    return Broken("prefill-unsupported", f"/messages/{index}")


@_mutator("final-assistant-trailing-whitespace", names_a_model=True)
def _final_assistant_trailing_whitespace(draw: DrawFn, wire: Wire) -> Broken:
    text = "Sure" + draw(_BLANK)
    index = _end_with_assistant(wire, text if draw(st.booleans()) else [{"type": "text", "text": text}])
    _name_model(wire, draw(st.sampled_from(_PREFILL)))
    return Broken("final-assistant-trailing-whitespace", f"/messages/{index}")


@_mutator("system-message-unsupported", names_a_model=True)
def _system_message_unsupported(draw: DrawFn, wire: Wire) -> Broken:
    _end_with_plain_user(wire)
    messages = _msgs(wire)
    messages.append({"role": "system", "content": draw(_NICE_TEXT)})
    _name_model(wire, draw(st.sampled_from(_NO_SYSTEM_MESSAGES)))
    return Broken("system-message-unsupported", f"/messages/{len(messages) - 1}")


@_mutator("images-too-many", names_a_model=True)
def _images_too_many(draw: DrawFn, wire: Wire) -> Broken:
    _end_with_user(wire)
    limit = 100  # the profile of every model in _PREFILL
    source = draw(_base64_image_source(st.sampled_from(MEDIA_TYPES), 4))
    extra = limit + 1 - _count_images(wire) + draw(st.integers(0, 2))
    content = _as_list(_msgs(wire)[-1])
    content.extend({"type": "image", "source": dict(source)} for _ in range(extra))
    _name_model(wire, draw(st.sampled_from(_PREFILL)))
    return Broken("images-too-many", "/messages")


def _pdf(pages: int) -> str:
    """A base64 PDF with ``pages`` page objects."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    body = "".join(f"{3 + i} 0 obj<</Type/Page/Parent 2 0 R>>endobj\n" for i in range(pages))
    head = f"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[{kids}]/Count {pages}>>endobj\n"
    return _b64((head + body + "%%EOF\n").encode())


@_mutator("pdf-pages-too-many", names_a_model=True)
def _pdf_pages_too_many(draw: DrawFn, wire: Wire) -> Broken:
    _end_with_user(wire)
    limit = 100  # the profile of every model in _PREFILL
    pages = limit + 1 + draw(st.integers(0, 3))  # one PDF past the limit on its own
    block: Wire = {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": _pdf(pages)},
    }
    found = _citables(wire, "document")
    _set_citations(draw, block, bool(found) and _cites(found[0][0]))
    _as_list(_msgs(wire)[-1]).append(block)
    _name_model(wire, draw(st.sampled_from(_PREFILL)))
    return Broken("pdf-pages-too-many", "/messages")


@_mutator("many-images-too-large", names_a_model=True)
def _many_images_too_large(draw: DrawFn, wire: Wire) -> Broken:
    platform = draw(st.booleans())  # on Bedrock and Google Cloud, documents count as images (§7.2)
    _end_with_user(wire)
    content = _as_list(_msgs(wire)[-1])
    source = draw(_base64_image_source(st.sampled_from(MEDIA_TYPES), 4))
    more = max(0, 21 - _count_images(wire))
    documents = draw(st.integers(min(more, 1), more)) if platform else 0
    content.extend({"type": "image", "source": dict(source)} for _ in range(more - documents))
    for _ in range(documents):
        document = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}
        _match_citations(draw, wire, document)
        content.append(document)
    long, short = draw(st.integers(2001, 8000)), draw(st.integers(1, 2))
    big = {"type": "base64", "media_type": "image/png", "data": _b64(_png(long, short, (9, 9, 9)))}
    at = draw(st.integers(0, len(content)))
    while at < len(content) and content[at].get("type") == "tool_result":
        at += 1  # results stay first
    content.insert(at, {"type": "image", "source": big})
    messages = _msgs(wire)
    if platform:
        _on_platform(draw, wire)
    else:
        _name_model(wire, draw(st.sampled_from(_PREFILL)))
    return Broken("many-images-too-large", f"/messages/{len(messages) - 1}/content/{at}")


@_mutator("max-tokens-too-large", names_a_model=True)
def _max_tokens_too_large(draw: DrawFn, wire: Wire) -> Broken:
    _end_with_user(wire)
    model = draw(st.sampled_from(KNOWN_MODELS))
    _name_model(wire, model)
    wire["max_tokens"] = profile(model).max_output_tokens + draw(st.sampled_from([1, 2, 1000, 10**6]))
    return Broken("max-tokens-too-large", "/max_tokens")


_REFUSED_THINKING: Final = tuple(
    (model, kind)
    for model in KNOWN_MODELS
    for kind in sorted(THINKING_MODES)
    if kind not in profile(model).thinking_modes
)
"""Each known model, with each thinking type it refuses (§4.7)."""


@_mutator("thinking-type-unsupported", names_a_model=True)
def _thinking_type_unsupported(draw: DrawFn, wire: Wire) -> Broken:
    model, kind = draw(st.sampled_from(_REFUSED_THINKING))
    _think(wire, 1024)  # a new turn: no earlier turn needs thinking (§4.3)
    _name_model(wire, model)
    wire["max_tokens"] = 4096
    if kind != "enabled":
        wire["thinking"] = {"type": kind}
    return Broken("thinking-type-unsupported", "/thinking/type")


_REFUSED_EFFORT: Final = tuple(
    (model, level)
    for model in KNOWN_MODELS
    for level in EFFORT_ORDER
    if effort_refusal(profile(model), level) is not None
)
"""Each known model, with each ``output_config.effort`` level it refuses."""


@_mutator("effort-unsupported", names_a_model=True)
def _effort_unsupported(draw: DrawFn, wire: Wire) -> Broken:
    model, level = draw(st.sampled_from(_REFUSED_EFFORT))
    _end_with_user(wire)
    _name_model(wire, model)
    wire["output_config"] = {"effort": level}
    return Broken("effort-unsupported", "/output_config/effort")


@_mutator("prefill-with-thinking", names_a_model=True)
def _prefill_with_thinking(draw: DrawFn, wire: Wire) -> Broken:
    _think(wire, 1024)
    index = _end_with_assistant(
        wire, draw(st.sampled_from(["Sure", "{", [{"type": "text", "text": "The answer is"}]]))
    )
    _name_model(wire, draw(st.sampled_from(_PREFILL)))  # a model that takes a prefill without thinking
    wire["max_tokens"] = 4096
    return Broken("prefill-with-thinking", f"/messages/{index}")


@_mutator("thinking-final-block-missing", names_a_model=True)
def _thinking_final_block_missing(draw: DrawFn, wire: Wire) -> Broken:
    _end_with_plain_user(wire)  # the tool loop below is the whole open turn
    index, ids = _tool_loop(wire, draw(st.integers(1, 2)))
    if draw(st.booleans()):  # the text the model wrote before its calls, kept; its thinking dropped
        _as_list(_msgs(wire)[index]).insert(0, {"type": "text", "text": draw(_NICE_TEXT)})
    _answer(wire, ids)
    _name_model(wire, draw(st.sampled_from(_PREFILL)))
    wire["max_tokens"] = 4096
    wire["thinking"] = {"type": "enabled", "budget_tokens": 1024}
    return Broken("thinking-final-block-missing", f"/messages/{index}/content/0")


@_mutator("thinking-final-while-disabled", names_a_model=True)
def _thinking_final_while_disabled(draw: DrawFn, wire: Wire) -> Broken:
    index = _end_with_assistant(wire, [draw(_thinking_block()), {"type": "text", "text": draw(_NICE_TEXT)}])
    _name_model(wire, draw(st.sampled_from(_PREFILL)))  # thinking is off unless asked for
    if draw(st.booleans()):
        wire["thinking"] = {"type": "disabled"}
    return Broken("thinking-final-while-disabled", f"/messages/{index}/content/0")


@_mutator("thinking-not-first", names_a_model=True)
def _thinking_not_first(draw: DrawFn, wire: Wire) -> Broken:
    messages = _msgs(wire)
    opening = [  # an assistant message after another is part of its turn (§1.6)
        i for i, m in enumerate(messages) if m["role"] == "assistant" and messages[i - 1]["role"] == "user"
    ]
    index = _choice(draw, opening or [_end_with_assistant(wire)])
    _end_with_user(wire)  # no prefill, so the thinking of the final message is not in question
    content = _as_list(messages[index])
    if not any(b.get("type") in ("thinking", "redacted_thinking") for b in content):
        content.insert(0, draw(_thinking_block()))
    content.insert(0, {"type": "text", "text": draw(_NICE_TEXT)})  # what the model wrote before it thought
    _name_model(wire, draw(st.sampled_from(KNOWN_MODELS)))
    return Broken("thinking-not-first", f"/messages/{index}/content/0")


@_mutator("container-missing", names_a_model=True)
def _container_missing(draw: DrawFn, wire: Wire) -> Broken:
    _end_with_plain_user(wire)
    index, ids = _tool_loop(wire, draw(st.integers(1, 2)))
    calls = _msgs(wire)[index]["content"]
    at = draw(st.integers(0, len(calls) - 1))
    # called by code running in a code execution container (a programmatic tool call, §3.9)
    calls[at]["caller"] = {"type": SERVER_TOOLS["code_execution"], "tool_id": _fresh(wire, "srvtoolu_code_")}
    _answer(wire, ids)
    _name_model(wire, draw(st.sampled_from(KNOWN_MODELS)))
    return Broken("container-missing", f"/messages/{index}/content/{at}/caller")


@_mutator("fallback-declined-tool-use", names_a_model=True)
def _fallback_declined_tool_use(draw: DrawFn, wire: Wire) -> Broken:
    _end_with_plain_user(wire)
    index, ids = _tool_loop(wire, draw(st.integers(2, 3)))
    # a server-side fallback after the first call: that call is the declined model's, to leave out
    hop = {"type": "fallback", "from": {"model": "claude-fable-5"}, "to": {"model": "claude-opus-4-8"}}
    _msgs(wire)[index]["content"].insert(1, hop)
    _answer(wire, ids[1:])
    _name_model(wire, draw(st.sampled_from(KNOWN_MODELS)))
    return Broken("fallback-declined-tool-use", f"/messages/{index}/content/0")


@_mutator("cache-control-automatic-ttl")
def _cache_control_automatic_ttl(draw: DrawFn, wire: Wire) -> Broken:
    for obj, _ in _marks(wire)[2:]:  # room for the last block's mark and the automatic one
        del obj["cache_control"]
    for obj, _ in _marks(wire):  # every 1h breakpoint before every 5m one (§5.4)
        obj["cache_control"] = {"type": "ephemeral", "ttl": "1h"}
    block = {"type": "text", "text": draw(_NICE_TEXT), "cache_control": {"type": "ephemeral", "ttl": "1h"}}
    _as_list(_msgs(wire)[-1]).append(block)
    wire["cache_control"] = _marker(draw, "5m")  # lands on that block, which has a 1h mark of its own
    return Broken("cache-control-automatic-ttl", "/cache_control")


_OPEN_SCHEMAS: Final = (
    ({"type": "object"}, ""),
    ({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}, ""),
    (
        {"type": "object", "properties": {"to": {"type": "object"}}, "additionalProperties": False},
        "/properties/to",
    ),
    ({"type": "array", "items": {"type": "string"}, "minItems": 2}, "/minItems"),
    (
        {
            "type": "object",
            "properties": {"tags": {"type": "array", "minItems": 3}},
            "additionalProperties": False,
        },
        "/properties/tags/minItems",
    ),
)
"""Structured-output schemas the API refuses, each with the one node it refuses."""


@_mutator("output-schema-unsupported")
def _output_schema_unsupported(draw: DrawFn, wire: Wire) -> Broken:
    if _web_search(wire):  # its search results must cite (§2.5): a request with a schema cannot search
        wire["tools"] = [t for t in wire["tools"] if not str(t.get("type", "")).startswith("web_search")]
    for kind in ("document", "search_result"):  # citations would break §2.5 as well
        for block, _ in _citables(wire, kind):
            _set_citations(draw, block, False)
    schema, node = draw(st.sampled_from(_OPEN_SCHEMAS))
    if draw(st.integers(0, 2)) == 2:  # a closed schema, counted with the strict tools' schemas
        schema, node = _schema_past_a_limit(draw, strict_load(wire.get("tools", ()))), ""
    wire["output_config"] = {"format": {"type": "json_schema", "schema": copy.deepcopy(schema)}}
    return Broken("output-schema-unsupported", f"/output_config/format/schema{node}")


@_mutator("request-too-large")
def _request_too_large(draw: DrawFn, wire: Wire) -> Broken:
    block = {"type": "text", "text": ""}
    _append_block(draw, wire, block, "user")
    over = MAX_BODY - len(msgspec.json.encode(wire)) + draw(st.integers(1, 1000))
    block["text"] = "a" * over  # one byte a character: the compact body is ``over`` bytes longer
    return Broken("request-too-large", "")


BREAKABLE_RULES: Final[tuple[str, ...]] = tuple(sorted(_MUTATORS))
"""Every rule :func:`invalid_conversations` can break: each error code of :data:`convo.RULES`
but ``messages-too-many``, which needs 100,001 messages.  A request rule's example adds what it
needs to the body: a parameter, a ``model`` (for the rules that depend on it or on how the
conversation ends), or a text block that takes the body just over 32 MB.  Some image rules'
examples name a Bedrock or Google Cloud model id, whose image limits are lower."""


def _canonical_order(wire: Wire) -> Wire:
    order = ("model", "max_tokens", "system", "tools", "messages")
    return {**{k: wire[k] for k in order if k in wire}, **{k: v for k, v in wire.items() if k not in order}}


@st.composite
def _invalid(draw: DrawFn, rules: SearchStrategy[str], base: SearchStrategy[Wire]) -> tuple[Wire, Broken]:
    rule = draw(rules)
    if rule not in _MUTATORS:
        raise InvalidArgument(f"rule {rule!r} is not one of BREAKABLE_RULES")
    wire = draw(base)
    if rule in _NAMING_A_MODEL:
        _drop_system_messages(wire)
    broken = _MUTATORS[rule](draw, wire)
    return _canonical_order(wire), broken


def invalid_conversations(
    *,
    rule: str | SearchStrategy[str] | None = None,
    system_messages: Flag = False,
    tool_changes: Flag = False,
    toolsets: Flag = False,
) -> SearchStrategy[tuple[dict[str, Any], Broken]]:
    """Pairs ``(data, broken)``: wire data that breaks exactly one rule, and where it must be reported.

    ``data`` is a request-body dict made by mutating a valid conversation from
    :func:`wire_conversations` (request-readiness rules also name a ``model``, and some image
    rules a Bedrock or Google Cloud one; request-parameter rules add the parameter).  ``rule``
    is a code of :data:`BREAKABLE_RULES`, a strategy of codes, or None for any of them.  The
    set of ``(code, path)`` of :func:`convo.check`'s errors is exactly ``broken.expected``.

    ``system_messages``, ``tool_changes`` and ``toolsets`` (each off by default, a bool or a
    strategy of bools) are passed to :func:`wire_conversations`: the conversations mutated may
    then hold those shapes.  The examples of rules that name a model leave out the
    ``role: "system"`` messages (most models refuse them) and the tool changes compactions list.

    >>> import convo
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(invalid_conversations(rule="tool-result-orphan"))
    ... def test_reported(case):
    ...     data, broken = case
    ...     errors = {(p.code, p.path) for p in convo.check(data).errors}
    ...     assert errors == broken.expected
    >>> test_reported()
    """
    base = wire_conversations(
        min_turns=1,
        max_turns=6,
        system_messages=system_messages,
        tool_changes=tool_changes,
        toolsets=toolsets,
    )
    if rule is None:
        return _invalid(st.sampled_from(BREAKABLE_RULES), base)
    if isinstance(rule, str):
        if rule not in _MUTATORS:
            raise InvalidArgument(
                f"rule {rule!r} is not one of BREAKABLE_RULES: {', '.join(BREAKABLE_RULES)}"
            )
        return _invalid(st.just(rule), base)
    if isinstance(rule, SearchStrategy):
        return _invalid(rule, base)
    raise InvalidArgument(f"rule must be a rule code, a strategy of codes or None, not {rule!r}")
