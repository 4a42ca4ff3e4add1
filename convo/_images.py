"""Image sniffing and image token estimates (standard library only).

* :func:`sniff_bytes` / :func:`sniff_base64` find the real media type of an image
  (PNG, JPEG, GIF or WEBP, by magic number) and its pixel size from the header,
  so that a declared ``media_type`` can be checked and the size limits of
  §7.2 applied without decoding the picture.
* :func:`resized_size` / :func:`image_tokens` reproduce the visual-token rule of
  §6.7: ``ceil(w/28) * ceil(h/28)`` after an aspect-preserving downscale to
  the tier's long-edge and token ceilings.
* :func:`pdf_pages` counts the pages of a base64 PDF by its page tree (or else its page
  objects), and :func:`read_pdf` also says whether it is encrypted (§7.3).

:func:`sniff_base64` never decodes a whole payload.  Base64 maps every 4
characters to 3 bytes, so any byte range can be decoded from the 4-character
groups that cover it.  PNG, GIF and WEBP need only the first few dozen bytes;
JPEG is walked segment by segment (reading only the 4-byte segment headers and
skipping segment bodies by their length) until a start-of-frame marker, so even
a SOF that comes after megabytes of EXIF/ICC data costs a few small decodes.
Validity of the base64 is judged only on the regions actually decoded.
"""

from __future__ import annotations

import binascii
import functools
import re
import struct
import zlib
from collections.abc import Iterator
from typing import Final, NamedTuple, Protocol

__all__ = [
    "ImageInfo",
    "PdfFacts",
    "image_tokens",
    "pdf_pages",
    "read_pdf",
    "resized_size",
    "sniff_base64",
    "sniff_bytes",
]


class ImageInfo(NamedTuple):
    """What the header of an image says.

    ``media_type`` is one of ``"image/png"``, ``"image/jpeg"``, ``"image/gif"``,
    ``"image/webp"``, or ``None`` when no known magic number matched.
    ``width``/``height`` are ``None`` when the header is truncated or corrupt (for
    a JPEG: no frame header before the data or its scan ends, or past the walk's
    bound); ``height`` alone is ``None`` for a JPEG whose zero height a DNL marker
    defines later.
    """

    media_type: str | None
    width: int | None
    height: int | None


PNG: Final = "image/png"
JPEG: Final = "image/jpeg"
GIF: Final = "image/gif"
WEBP: Final = "image/webp"

_UNKNOWN: Final = ImageInfo(None, None, None)
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_PNG_BASE64: Final = "iVBORw0KGgo"  # the signature's first 8 bytes in base64
_HEAD_BYTES: Final = 30  # = 40 base64 characters; VP8/VP8X need all 30
# JPEG SOF0..SOF15 minus DHT (C4), JPG (C8) and DAC (CC).
_JPEG_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM, RST0..RST7, SOI.
_JPEG_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD9)})
# Bound on JPEG walk steps (segments + resyncs).  Real files have well under a
# thousand segments before the frame header; this keeps hostile input fast.
_JPEG_MAX_STEPS: Final = 10_000
_SCAN_FIRST_CHUNK: Final = 256
_SCAN_MAX_CHUNK: Final = 1 << 20


class _InvalidBase64(Exception):
    """A decoded region of the base64 text was not valid base64."""


class _Source(Protocol):
    def read(self, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` of the image, shorter (or empty) at end of data."""
        ...


class _BytesSource:
    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, start: int, end: int) -> bytes:
        return self._data[max(start, 0) : max(end, 0)]


class _Base64Source:
    """Random access to the bytes encoded by a base64 string."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def read(self, start: int, end: int) -> bytes:
        start = max(start, 0)
        if end <= start:
            return b""
        first_group = start // 3
        chunk = self._text[first_group * 4 : -(-end // 3) * 4]
        if not chunk:
            return b""
        if len(chunk) % 4:
            # Only the final group of unpadded text can be short.
            if len(chunk) % 4 == 1:
                raise _InvalidBase64
            chunk += "=" * (-len(chunk) % 4)
        try:
            decoded = binascii.a2b_base64(chunk, strict_mode=True)
        except ValueError:  # binascii.Error, or non-ASCII text
            raise _InvalidBase64 from None
        offset = start - first_group * 3
        return decoded[offset : offset + (end - start)]


# --------------------------------------------------------------------------- sniffing


def sniff_bytes(data: bytes) -> ImageInfo:
    """Sniff the media type and pixel size of raw image bytes.  Never raises."""
    if not isinstance(data, bytes):
        if not isinstance(data, (bytearray, memoryview)):
            return _UNKNOWN
        data = bytes(data)
    return _sniff(_BytesSource(data))


def sniff_base64(data: str) -> ImageInfo | None:
    """Sniff the media type and pixel size of a base64 image ``source.data``.

    Only the bytes needed are decoded (a 40-character prefix for PNG, GIF and
    WEBP; segment headers for JPEG).  Returns ``None`` when the inspected text
    is not base64 (strict alphabet ``A-Z a-z 0-9 + /`` with ``=`` padding,
    which may be omitted; MIME line breaks are tolerated).  Never raises.
    """
    if not isinstance(data, str):
        return None
    if data.startswith(_PNG_BASE64):  # the common case, in one decode: signature and IHDR
        try:
            head = binascii.a2b_base64(data[:32], strict_mode=True)
        except ValueError:
            head = b""
        info = _ihdr(head[8:24])
        if info is not None:
            return info
    text = data.strip()
    if "\n" in text or "\r" in text:
        # MIME-wrapped base64: remove line breaks so offsets map again.
        text = "".join(text.split())
    try:
        return _sniff(_Base64Source(text))
    except _InvalidBase64:
        return None


def _sniff(src: _Source) -> ImageInfo:
    head = src.read(0, _HEAD_BYTES)
    if head.startswith(_PNG_SIGNATURE):
        return _sniff_png(src, head)
    if head.startswith((b"GIF87a", b"GIF89a")):
        if len(head) < 10:
            return ImageInfo(GIF, None, None)
        return ImageInfo(GIF, _positive(_u16le(head, 6)), _positive(_u16le(head, 8)))
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _sniff_webp(head)
    if head.startswith(b"\xff\xd8\xff"):
        return _sniff_jpeg(src)
    return _UNKNOWN


def _sniff_png(src: _Source, head: bytes) -> ImageInfo:
    pos = len(_PNG_SIGNATURE)
    chunk = head[pos : pos + 16]
    if chunk[4:8] == b"CgBI":  # Apple's iOS-optimised PNG puts CgBI before IHDR.
        pos += 12 + int.from_bytes(chunk[0:4], "big")
        chunk = src.read(pos, pos + 16)
    return _ihdr(chunk) or ImageInfo(PNG, None, None)


_IHDR: Final = struct.Struct(">I4sII")  # length, type, width, height


def _ihdr(chunk: bytes) -> ImageInfo | None:
    """The size a PNG's IHDR chunk gives (16 bytes from its length field), or None if it is not one."""
    if len(chunk) < 16:
        return None
    length, kind, width, height = _IHDR.unpack_from(chunk)
    if kind != b"IHDR" or length < 8:
        return None
    return ImageInfo(PNG, width or None, height or None)  # unsigned: 0 is the only size that is not


def _sniff_webp(head: bytes) -> ImageInfo:
    fourcc = head[12:16]
    if fourcc == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        # Lossy: 3-byte frame tag, start code, then 14-bit sizes (+2 scale bits).
        return ImageInfo(WEBP, _positive(_u16le(head, 26) & 0x3FFF), _positive(_u16le(head, 28) & 0x3FFF))
    if fourcc == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        # Lossless: signature byte, then 14-bit (size - 1) fields.
        bits = int.from_bytes(head[21:25], "little")
        return ImageInfo(WEBP, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if fourcc == b"VP8X" and len(head) >= 30:
        # Extended: flags, 3 reserved bytes, then 24-bit (canvas size - 1) fields.
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return ImageInfo(WEBP, width, height)
    return ImageInfo(WEBP, None, None)


def _sniff_jpeg(src: _Source) -> ImageInfo:
    unknown_size = ImageInfo(JPEG, None, None)
    pos = 2  # just past SOI
    for _ in range(_JPEG_MAX_STEPS):
        first = src.read(pos, pos + 1)
        if not first:
            return unknown_size
        if first[0] != 0xFF:
            # Garbage between segments: resynchronise on the next 0xFF, as libjpeg does.
            pos = _scan(src, pos, want_ff=True)
            if pos < 0:
                return unknown_size
            continue
        pos = _scan(src, pos + 1, want_ff=False)  # skip 0xFF fill bytes
        if pos < 0:
            return unknown_size
        header = src.read(pos, pos + 3)  # marker, length (big-endian u16)
        marker = header[0]
        if marker in _JPEG_STANDALONE:
            pos += 1
            continue
        if marker in (0xD9, 0xDA):  # EOI, or SOS: scan data without a frame header
            return unknown_size
        if marker == 0x00:  # stuffed zero outside entropy-coded data: garbage
            pos += 1
            continue
        if len(header) < 3:
            return unknown_size
        length = int.from_bytes(header[1:3], "big")
        if length < 2:
            return unknown_size
        if marker in _JPEG_SOF:
            frame = src.read(pos + 3, pos + 8)  # precision, height, width
            if len(frame) < 5:
                return unknown_size
            height = int.from_bytes(frame[1:3], "big")
            width = int.from_bytes(frame[3:5], "big")
            return ImageInfo(JPEG, _positive(width), _positive(height))
        pos += 1 + length
    return unknown_size


def _scan(src: _Source, pos: int, *, want_ff: bool) -> int:
    """Index of the first byte at or after ``pos`` that is (``want_ff``) or is not
    0xFF; ``-1`` at end of data.  Reads in growing chunks."""
    size = _SCAN_FIRST_CHUNK
    while True:
        chunk = src.read(pos, pos + size)
        if not chunk:
            return -1
        if want_ff:
            found = chunk.find(b"\xff")
        else:
            skipped = len(chunk) - len(chunk.lstrip(b"\xff"))
            found = skipped if skipped < len(chunk) else -1
        if found >= 0:
            return pos + found
        if len(chunk) < size:
            return -1
        pos += len(chunk)
        size = min(size * 4, _SCAN_MAX_CHUNK)


def _u16le(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 2], "little")


def _positive(value: int) -> int | None:
    return value if value > 0 else None


# --------------------------------------------------------------------------- token cost

_PATCH_PX: Final = 28
# tier -> (max long edge in px, max visual tokens)
_TIERS: Final[dict[str, tuple[int, int]]] = {
    "standard": (1568, 1568),  # models before Claude 4.7
    "high": (2576, 4784),  # Claude 4.7 and later
}


def tier_limits(tier: str) -> tuple[int, int]:
    """The longest side, in pixels, and the most visual tokens an image keeps on a model of
    ``tier`` (§6.7); an image over either is downscaled (:func:`resized_size`), or refused when
    its block asks ``transformations.oversized_image: "error"``."""
    return _TIERS[tier]


def _patch_tokens(width: int, height: int) -> int:
    return -(-width // _PATCH_PX) * -(-height // _PATCH_PX)


def resized_size(width: int, height: int, *, tier: str = "standard") -> tuple[int, int]:
    """The ``(width, height)`` the API downscales an image to on ``tier``.

    An image inside both ceilings of the tier keeps its size (never upscaled).
    Otherwise the long edge is the largest integer ``L <= max_edge`` for which
    the short edge ``round_half_up(short * L / long)`` (at least 1) gives
    ``ceil(L/28) * ceil(short'/28) <= max_tokens`` (binary search; the token
    count is monotone in ``L``).  1920x1080 -> 1456x819 on ``"standard"``.

    Raises ``ValueError`` for a non-positive dimension or an unknown tier.
    """
    try:
        max_edge, max_tokens = _TIERS[tier]
    except (KeyError, TypeError):
        raise ValueError(f"unknown image tier {tier!r}; expected one of {sorted(_TIERS)}") from None
    if width < 1 or height < 1:
        raise ValueError(f"image dimensions must be positive, got {width}x{height}")
    long_edge, short_edge = max(width, height), min(width, height)
    if long_edge <= max_edge and _patch_tokens(width, height) <= max_tokens:
        return width, height

    def short_for(long_px: int) -> int:
        return max(1, (2 * short_edge * long_px + long_edge) // (2 * long_edge))

    lo, hi = 1, min(long_edge, max_edge)  # L = 1 always fits (1 token)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _patch_tokens(mid, short_for(mid)) <= max_tokens:
            lo = mid
        else:
            hi = mid - 1
    short_px = short_for(lo)
    return (lo, short_px) if width >= height else (short_px, lo)


def image_tokens(width: int, height: int, *, tier: str = "standard") -> int:
    """Visual tokens an image of ``width`` x ``height`` px costs on ``tier``
    (``"standard"``: before Claude 4.7; ``"high"``: Claude 4.7 and later).

    ``ceil(w/28) * ceil(h/28)`` of :func:`resized_size`.  1000x1000 -> 1296 on
    both tiers; 1920x1080 -> 1560 standard, 2691 high.
    """
    return _patch_tokens(*resized_size(width, height, tier=tier))


# --------------------------------------------------------------------------- PDF pages

_PDF_PAGE: Final = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@functools.lru_cache(maxsize=64)
def looks_like_pdf(data: str) -> bool:
    """Whether base64 ``data`` starts as a PDF does: valid base64, and ``%PDF-`` in the first
    1,024 bytes (where readers look for it).  Only that prefix is decoded; MIME line breaks and
    left-out padding are tolerated, as :func:`sniff_base64` tolerates them.

    >>> looks_like_pdf("JVBERi0xLjcK"), looks_like_pdf("bm90IGEgcGRm"), looks_like_pdf("@@@@")
    (True, False, False)
    """
    text = "".join(data[:2048].split())[:1368]  # MIME line breaks go; 1,368 characters: 1,026 bytes
    try:
        head = binascii.a2b_base64(text[: len(text) // 4 * 4], strict_mode=True)  # padding may be left out
    except ValueError:  # binascii.Error, or non-ASCII text
        return False
    return b"%PDF-" in head[:1024]


class PdfFacts(NamedTuple):
    """What convo reads from a base64 PDF: its pages (None when they cannot be counted) and
    whether it is encrypted, which the API refuses (§7.3: "no password or encryption")."""

    pages: int | None
    encrypted: bool


_NOT_READ: Final = PdfFacts(None, False)


@functools.lru_cache(maxsize=64)
def read_pdf(data: str) -> PdfFacts:
    """The :class:`PdfFacts` of a base64 PDF (``document.source.data``); pages None and not
    encrypted when it is not base64 or not a PDF.  MIME line breaks and left-out padding are
    tolerated, as :func:`looks_like_pdf` tolerates them.  Remembered by the data itself: a
    conversation resent with every request does not decode its PDFs again.

    >>> read_pdf("JVBERi0xLjcKPDwgL1R5cGUgL1BhZ2UgPj4K")
    PdfFacts(pages=1, encrypted=False)
    """
    text = "".join(data.split())  # MIME line breaks go, and padding may be left out
    try:
        raw = binascii.a2b_base64(text + "=" * (-len(text) % 4), strict_mode=True)
    except ValueError:  # binascii.Error, or non-ASCII text
        return _NOT_READ
    if not raw.startswith(b"%PDF"):
        return _NOT_READ
    return PdfFacts(_count_pages(raw) or None, _encrypted(raw))


def pdf_pages(data: str) -> int | None:
    """The pages of a base64 PDF (``document.source.data``): the ``/Count`` of its page tree's
    root, as readers take it, or, when that root is not found, its ``/Type /Page`` objects,
    those in compressed object streams (PDF 1.5 and later) included; None when they cannot be
    counted: not base64, not a PDF, no page found, or an object stream convo cannot read (one
    that is not deflated, or deflated with a predictor) may hold pages (:func:`read_pdf`).

    >>> pdf_pages("JVBERi0xLjcKPDwgL1R5cGUgL1BhZ2UgPj4K"), pdf_pages("JVBERi0xLjcK\\nPDwgL1R5cGUgL1BhZ2UgPj4")
    (1, 1)
    """
    return read_pdf(data).pages


def _count_pages(raw: bytes) -> int | None:
    """The pages of a PDF: the ``/Count`` of its page tree's root, as readers take it, when convo
    finds that root; else its page objects; None when some object stream it cannot read may
    hold pages."""
    streams = _object_streams(raw)
    root = _root_count(raw, streams)
    if root is not None:
        return root
    return _page_objects(raw, streams) if streams.complete else None


class _ObjectStream(NamedTuple):
    """A compressed object stream (PDF 1.5 and later): where it is in the file, what it holds
    decompressed, and its objects, each with its number (none when its header is unreadable)."""

    at: int
    data: bytes
    objects: list[tuple[bytes, bytes]]


class _Streams(NamedTuple):
    """The object streams of a PDF convo decompressed, and whether that was all of them."""

    read: list[_ObjectStream]
    complete: bool


def _object_streams(raw: bytes) -> _Streams:
    """Decompress the object streams of a PDF: deflated ones without a predictor, up to
    :data:`_OBJSTM_LIMIT` bytes in all.  One pass: the search for the next goes on after the
    stream of the last, whatever its data says."""
    read: list[_ObjectStream] = []
    budget, complete, end = _OBJSTM_LIMIT, True, 0
    while (found := _OBJSTM.search(raw, end)) is not None:
        start = raw.find(b"stream", found.end())
        end = raw.find(b"endstream", start)
        if start < 0 or end < 0 or budget <= 0:
            return _Streams(read, complete=False)
        head = raw[found.start() : start]
        if b"/FlateDecode" not in head or b"/DecodeParms" in head:  # others: not read
            complete = False
            continue
        body = start + 6  # past "stream", then its end of line: CRLF or LF
        body += 2 if raw.startswith(b"\r\n", body) else 1 if raw.startswith(b"\n", body) else 0
        inflate = zlib.decompressobj()
        try:
            objects = inflate.decompress(raw[body:end], budget)
        except zlib.error:
            complete = False
            continue
        budget -= len(objects)
        complete = complete and not inflate.unconsumed_tail  # a tail: cut at the budget
        read.append(_ObjectStream(found.start(), objects, _packed(head, objects)))
    return _Streams(read, complete)


def _root_count(raw: bytes, streams: _Streams) -> int | None:
    """The ``/Count`` of the page tree root the catalog names (the catalog is the object the
    last ``/Root`` of the file names); None when one of them is not found."""
    roots = _ROOT.findall(raw)
    catalog = _last_object(raw, streams, roots[-1]) if roots else None
    tree = _PAGES_REF.search(catalog) if catalog is not None else None
    node = _last_object(raw, streams, tree.group(1)) if tree is not None else None
    if node is None or not _PAGES_NODE.search(node):
        return None
    count = _COUNT.search(node)
    return int(count.group(1)) if count is not None else None


def _last_object(raw: bytes, streams: _Streams, number: bytes) -> bytes | None:
    """What object ``number`` holds, in its last copy in the file (an incremental save appends
    new copies), uncompressed or in an object stream; None when there is none."""
    found: tuple[int, bytes] | None = None
    for at, written, held in _objects(raw):
        if written == number:
            found = (at, held)
    for stream in streams.read:
        for packed, held in stream.objects:
            if packed == number and (found is None or stream.at > found[0]):
                found = (stream.at, held)
    return found[1] if found is not None else None


def _page_objects(raw: bytes, streams: _Streams) -> int:
    """The ``/Type /Page`` objects of a PDF, each number counted once."""
    pages = len(_PDF_PAGE.findall(raw))
    seen: set[bytes] = set()  # page object numbers: an incremental save rewrites a page as a new copy
    for _, number, held in _objects(raw):
        if _PDF_PAGE.search(held):
            pages -= number in seen
            seen.add(number)
    for stream in streams.read:
        pages += len(_PDF_PAGE.findall(stream.data))
        for number, held in stream.objects:
            if _PDF_PAGE.search(held):
                pages -= number in seen
                seen.add(number)
    return pages


def _objects(raw: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """The uncompressed objects of a PDF: where each starts, its number, and what it holds.  One
    pass over the file: an ``obj`` whose ``endobj`` does not come before the next ``obj`` is
    left out, so hostile bytes of many unclosed objects cost no more than any others."""
    opened: re.Match[bytes] | None = None
    for mark in _OBJECT_MARK.finditer(raw):
        if mark.group(1) is not None:
            opened = mark
        elif opened is not None:
            yield opened.start(), opened.group(1), raw[opened.end() : mark.start()]
            opened = None


def _encrypted(raw: bytes) -> bool:
    """Whether a PDF names an encryption dictionary where a reader looks for one: in a trailer
    (from ``trailer`` to ``startxref``), or in the dictionary of a cross-reference stream (PDF 1.5
    and later: from ``obj`` to ``stream``).  One pass: each span is searched once."""
    if b"/Encrypt" not in raw:  # the common case, at the speed of a byte search
        return False
    opener, start = b"", 0
    for mark in _SPAN_MARK.finditer(raw):
        word = mark.group()
        if word in (b"trailer", b"obj"):
            opener, start = word, mark.end()
            continue
        end = mark.start()
        trailer = opener == b"trailer" and word == b"startxref"
        xref = opener == b"obj" and word == b"stream" and _XREF_STREAM.search(raw, start, end) is not None
        if (trailer or xref) and _ENCRYPT.search(raw, start, end):
            return True
        opener = b""
    return False


def _packed(head: bytes, objects: bytes) -> list[tuple[bytes, bytes]]:
    """The objects of a decompressed object stream, each with its number (from the ``/N`` pairs
    of numbers and offsets before ``/First``), or none when its header is unreadable."""
    n, first = _OBJSTM_N.search(head), _OBJSTM_FIRST.search(head)
    if n is None or first is None:
        return []
    start = int(first.group(1))
    pairs = objects[:start].split()[: 2 * int(n.group(1))]
    if len(pairs) % 2 or not all(_READABLE_NUMBER.fullmatch(p) for p in pairs):
        return []
    offsets = [start + int(p) for p in pairs[1::2]]
    ends = [*offsets[1:], len(objects)]
    return [(pairs[2 * i], objects[offsets[i] : ends[i]]) for i in range(len(offsets))]


_OBJECT_MARK: Final = re.compile(rb"(?<![0-9])(\d+)\s+\d+\s+obj\b|\bendobj")
"""What opens an uncompressed object (with its number) or closes it."""
_DIGITS: Final = rb"\d{1,10}(?!\d)"
"""A number short enough to read: a longer one is hostile (``int`` refuses over 4,300 digits)."""
_READABLE_NUMBER: Final = re.compile(_DIGITS)
_OBJSTM_N: Final = re.compile(rb"/N\s+(" + _DIGITS + rb")")
_OBJSTM_FIRST: Final = re.compile(rb"/First\s+(" + _DIGITS + rb")")
_OBJSTM: Final = re.compile(rb"/Type\s*/ObjStm(?![a-zA-Z])")
_ROOT: Final = re.compile(rb"/Root\s+(" + _DIGITS + rb")\s+\d+\s+R")
"""A trailer's (or a cross-reference stream's) reference to the catalog."""
_PAGES_REF: Final = re.compile(rb"/Pages\s*(" + _DIGITS + rb")\s+\d+\s+R")
_PAGES_NODE: Final = re.compile(rb"/Type\s*/Pages(?![a-zA-Z])")
_COUNT: Final = re.compile(rb"/Count\s+(" + _DIGITS + rb")(?!\s+\d+\s+R)")
"""A direct ``/Count``: an indirect one (``/Count 7 0 R``) is not read."""
_OBJSTM_LIMIT: Final = 64 * 1024 * 1024
"""The most bytes decompressed from one PDF's object streams (a deflate bomb stops there)."""
_SPAN_MARK: Final = re.compile(rb"\b(?:trailer|startxref|obj|stream)\b")
"""The keywords that open and close a trailer or an object's dictionary."""
_XREF_STREAM: Final = re.compile(rb"/Type\s*/XRef(?![a-zA-Z])")
_ENCRYPT: Final = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")
"""The ``/Encrypt`` entry of a trailer: an indirect reference or a direct dictionary."""
