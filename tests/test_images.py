"""Tests for convo._images: header sniffing and the §6.7 image token rule."""

from __future__ import annotations

import base64
import struct
import time
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convo._images import ImageInfo, image_tokens, resized_size, sniff_base64, sniff_bytes

# --------------------------------------------------------------------------- builders


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    raw = b"".join(b"\x00" + b"\x10\x20\x30" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )


def make_gif(width: int, height: int) -> bytes:
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0)  # global colour table, 2 colours
    palette = b"\x00\x00\x00\xff\xff\xff"
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    pixels = b"\x02\x02\x44\x01\x00"  # LZW min code size 2, one sub-block, terminator
    return b"GIF89a" + screen + palette + descriptor + pixels + b"\x3b"


def _riff_webp(chunk_kind: bytes, payload: bytes) -> bytes:
    if len(payload) % 2:
        payload += b"\x00"
    body = b"WEBP" + chunk_kind + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def make_webp_vp8x(width: int, height: int) -> bytes:
    payload = b"\x10\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff_webp(b"VP8X", payload)


def make_webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)  # alpha hint 0, version 0
    return _riff_webp(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8)


def make_webp_vp8(width: int, height: int) -> bytes:
    frame_tag = b"\x50\x02\x00"  # key frame, version 0, show frame
    return _riff_webp(b"VP8 ", frame_tag + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 8)


def _jpeg_segment(marker: int, data: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data


def make_jpeg(width: int, height: int, *, before_sof: bytes = b"", sof_marker: int = 0xC0) -> bytes:
    app0 = _jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    dqt = _jpeg_segment(0xDB, b"\x00" + bytes(range(1, 65)))
    components = b"\x01\x11\x00\x02\x11\x00\x03\x11\x00"
    sof = _jpeg_segment(sof_marker, b"\x08" + struct.pack(">HH", height, width) + b"\x03" + components)
    dht = _jpeg_segment(0xC4, b"\x00" + b"\x00" * 15 + b"\x00")
    sos = _jpeg_segment(0xDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00")
    return b"\xff\xd8" + app0 + before_sof + dqt + sof + dht + sos + b"\x12\x34\xff\x00\x56" + b"\xff\xd9"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --------------------------------------------------------------------------- sniffing

CASES = [
    (make_png(3, 2), ImageInfo("image/png", 3, 2)),
    (make_gif(5, 7), ImageInfo("image/gif", 5, 7)),
    (make_webp_vp8x(640, 480), ImageInfo("image/webp", 640, 480)),
    (make_webp_vp8l(16383, 1), ImageInfo("image/webp", 16383, 1)),
    (make_webp_vp8(300, 200), ImageInfo("image/webp", 300, 200)),
    (make_jpeg(1920, 1080), ImageInfo("image/jpeg", 1920, 1080)),
    (make_jpeg(17, 9, sof_marker=0xC2), ImageInfo("image/jpeg", 17, 9)),  # progressive
]


@pytest.mark.parametrize(("data", "expected"), CASES)
def test_sniff_bytes(data: bytes, expected: ImageInfo) -> None:
    assert sniff_bytes(data) == expected


@pytest.mark.parametrize(("data", "expected"), CASES)
def test_sniff_base64(data: bytes, expected: ImageInfo) -> None:
    assert sniff_base64(b64(data)) == expected
    assert sniff_base64(b64(data).rstrip("=")) == expected  # unpadded
    assert sniff_base64(base64.encodebytes(data).decode("ascii")) == expected  # MIME line breaks


def test_png_is_real() -> None:
    data = make_png(3, 2)
    assert zlib.decompress(data[41 : 41 + struct.unpack(">I", data[33:37])[0]])[:4] == b"\x00\x10\x20\x30"


def test_unrecognized_and_truncated() -> None:
    assert sniff_bytes(b"") == ImageInfo(None, None, None)
    assert sniff_bytes(b"%PDF-1.7\n") == ImageInfo(None, None, None)
    assert sniff_bytes(make_png(3, 2)[:20]) == ImageInfo("image/png", None, None)
    assert sniff_bytes(b"GIF89a\x01") == ImageInfo("image/gif", None, None)
    assert sniff_bytes(make_webp_vp8x(2, 2)[:24]) == ImageInfo("image/webp", None, None)
    jpeg = make_jpeg(40, 30)
    assert sniff_bytes(jpeg[: jpeg.index(b"\xff\xc0") + 6]) == ImageInfo("image/jpeg", None, None)
    assert sniff_bytes(b"\xff\xd8\xff") == ImageInfo("image/jpeg", None, None)
    assert sniff_base64("") == ImageInfo(None, None, None)
    assert sniff_base64(b64(b"hello world")) == ImageInfo(None, None, None)


@pytest.mark.parametrize(
    "text",
    ["not base64!", "data:image/png;base64,iVBORw0KGgo=", "A", "=AAA", "QUJD\u00e9", "iVBO Rw0K", "-_-_"],
)
def test_invalid_base64(text: str) -> None:
    assert sniff_base64(text) is None


def test_non_str_and_non_bytes_inputs_do_not_raise() -> None:
    assert sniff_base64(b"abcd") is None  # type: ignore[arg-type]
    assert sniff_bytes("abcd") == ImageInfo(None, None, None)  # type: ignore[arg-type]
    assert sniff_bytes(bytearray(make_gif(4, 4))) == ImageInfo("image/gif", 4, 4)  # type: ignore[arg-type]
    assert sniff_bytes(memoryview(make_gif(4, 4))) == ImageInfo("image/gif", 4, 4)  # type: ignore[arg-type]


def test_jpeg_skips_dht_dac_jpg_markers() -> None:
    # Segments whose markers are in C0..CF but are not frame headers, with
    # contents that would look like a 0x0101 x 0x0101 frame.
    decoys = b"".join(_jpeg_segment(m, b"\x08\x01\x01\x01\x01\x01") for m in (0xC4, 0xC8, 0xCC))
    assert sniff_bytes(make_jpeg(33, 44, before_sof=decoys)) == ImageInfo("image/jpeg", 33, 44)


def test_jpeg_fill_bytes_standalone_markers_and_garbage() -> None:
    extra = b"\xff\xff\xff" + b"\xff\xd0" + b"junk\x00" + b"\xff\x00"
    jpeg = make_jpeg(12, 34, before_sof=extra)
    assert sniff_bytes(jpeg) == ImageInfo("image/jpeg", 12, 34)
    assert sniff_base64(b64(jpeg)) == ImageInfo("image/jpeg", 12, 34)


def test_jpeg_zero_height_and_sos_before_sof() -> None:
    assert sniff_bytes(make_jpeg(10, 0)) == ImageInfo("image/jpeg", 10, None)
    sos_first = b"\xff\xd8" + _jpeg_segment(0xDA, b"\x00" * 4) + make_jpeg(5, 5)[2:]
    assert sniff_bytes(sos_first) == ImageInfo("image/jpeg", None, None)


def test_base64_prefix_only_is_decoded_for_png_gif_webp() -> None:
    # The tail is not base64 at all: a full decode would fail, a prefix decode does not.
    bad_tail = "!" * 100_000
    for data, expected in CASES[:5]:
        text = b64(data[:30] + b"\x00" * (-30 % 3))
        assert sniff_base64(text + bad_tail) == expected


def test_large_padding_after_header_is_fast() -> None:
    pad = b"\x00" * (10 * 1024 * 1024)
    late_sof = b"".join(_jpeg_segment(0xE2, b"ICC_PROFILE\x00" + b"\xab" * 65_000) for _ in range(40))
    payloads = [
        (make_png(800, 600) + pad, ImageInfo("image/png", 800, 600)),
        (make_gif(8, 9) + pad, ImageInfo("image/gif", 8, 9)),
        (make_webp_vp8x(4000, 3000) + pad, ImageInfo("image/webp", 4000, 3000)),
        (make_jpeg(4032, 3024, before_sof=late_sof) + pad, ImageInfo("image/jpeg", 4032, 3024)),
        (b"\xff\xd8\xff\xe0\x00\x10" + b"\x00" * 14 + pad, ImageInfo("image/jpeg", None, None)),
        (b"\xff\xd8" + b"\xff" * len(pad), ImageInfo("image/jpeg", None, None)),
    ]
    for raw, expected in payloads:
        text = b64(raw)
        assert len(text) > 10_000_000
        started = time.perf_counter()
        assert sniff_base64(text) == expected
        assert sniff_bytes(raw) == expected
        assert time.perf_counter() - started < 1.0


def test_hostile_jpeg_segment_chain_is_bounded() -> None:
    chain = b"\xff\xd8" + b"\xff\xe0\x00\x02" * 500_000 + make_jpeg(3, 3)[2:]
    started = time.perf_counter()
    assert sniff_base64(b64(chain)) == ImageInfo("image/jpeg", None, None)  # gave up, no hang
    assert time.perf_counter() - started < 2.0


# --------------------------------------------------------------------------- fuzzing

MAGICS = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\x04CgBI",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"RIFF\x00\x00\x00\x00WEBPVP8L",
    b"RIFF\x00\x00\x00\x00WEBPVP8X",
    b"\xff\xd8\xff",
    b"\xff\xd8\xff\xc0",
]
image_like = st.builds(lambda m, tail: m + tail, st.sampled_from(MAGICS), st.binary(max_size=300))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_sniff_base64_never_raises_on_text(text: str) -> None:
    result = sniff_base64(text)
    assert result is None or isinstance(result, ImageInfo)


@settings(max_examples=400)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n -_"))
def test_sniff_base64_never_raises_on_near_base64(text: str) -> None:
    result = sniff_base64(text)
    assert result is None or isinstance(result, ImageInfo)


@settings(max_examples=400)
@given(st.binary() | image_like)
def test_sniff_bytes_never_raises(data: bytes) -> None:
    info = sniff_bytes(data)
    assert info.media_type in {None, "image/png", "image/jpeg", "image/gif", "image/webp"}
    assert info.width is None or info.width > 0
    assert info.height is None or info.height > 0


@settings(max_examples=400)
@given(image_like, st.booleans())
def test_base64_agrees_with_bytes(data: bytes, strip_padding: bool) -> None:
    text = b64(data)
    assert sniff_base64(text.rstrip("=") if strip_padding else text) == sniff_bytes(data)
    for cut in (1, 2, 3, 5):  # truncated text: never raises
        result = sniff_base64(text[:-cut])
        assert result is None or isinstance(result, ImageInfo)


# --------------------------------------------------------------------------- token cost


@pytest.mark.parametrize(
    ("size", "tier", "resized", "tokens"),
    [
        ((1000, 1000), "standard", (1000, 1000), 1296),
        ((1000, 1000), "high", (1000, 1000), 1296),
        ((1920, 1080), "standard", (1456, 819), 1560),
        ((1920, 1080), "high", (1920, 1080), 2691),
        ((1080, 1920), "standard", (819, 1456), 1560),
        ((3000, 6000), "standard", (784, 1568), 1568),
        ((8000, 8000), "standard", (1092, 1092), 1521),
    ],
)
def test_doc_examples(size: tuple[int, int], tier: str, resized: tuple[int, int], tokens: int) -> None:
    assert resized_size(*size, tier=tier) == resized
    assert image_tokens(*size, tier=tier) == tokens


def test_default_tier_is_standard() -> None:
    assert image_tokens(1920, 1080) == 1560


@pytest.mark.parametrize("args", [(0, 10), (10, -1)])
def test_bad_dimensions(args: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="positive"):
        image_tokens(*args)


def test_bad_tier() -> None:
    with pytest.raises(ValueError, match="tier"):
        image_tokens(10, 10, tier="ultra")


@settings(max_examples=300)
@given(
    st.integers(1, 20_000),
    st.integers(1, 20_000),
    st.sampled_from([("standard", 1568, 1568), ("high", 2576, 4784)]),
)
def test_resize_properties(width: int, height: int, tier_limits: tuple[str, int, int]) -> None:
    tier, max_edge, max_tokens = tier_limits
    new_w, new_h = resized_size(width, height, tier=tier)
    tokens = image_tokens(width, height, tier=tier)
    assert tokens == -(-new_w // 28) * -(-new_h // 28)
    assert max(new_w, new_h) <= max_edge
    assert tokens <= max_tokens
    assert 1 <= new_w <= width and 1 <= new_h <= height  # never upscales
    assert (new_w >= new_h) == (width >= height) or new_w == new_h
    if max(width, height) <= max_edge and -(-width // 28) * -(-height // 28) <= max_tokens:
        assert (new_w, new_h) == (width, height)
    else:  # largest: one more pixel on the long edge breaks a ceiling
        long_e, short_e, long_new = max(width, height), min(width, height), max(new_w, new_h)
        if long_new < min(long_e, max_edge):
            next_short = max(1, (2 * short_e * (long_new + 1) + long_e) // (2 * long_e))
            assert -(-(long_new + 1) // 28) * -(-next_short // 28) > max_tokens
    assert resized_size(height, width, tier=tier) == (new_h, new_w)


def test_pdf_pages_counts_page_objects_and_refuses_what_it_cannot_count() -> None:
    from convo._images import pdf_pages

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    three = b"%PDF-1.7\n2 0 obj<</Type /Pages /Count 3>>endobj\n" + b"<</Type/Page>>\n" * 3
    assert pdf_pages(b64(three)) == 3  # the /Pages node is not a page
    # PDF 1.5+: page objects inside a compressed object stream (CRLF or LF after "stream")
    pages = zlib.compress(b"3 0 4 30 " + b"<</Type /Page /Parent 2 0 R>> " * 40)
    for eol in (b"\r\n", b"\n"):
        packed = b"%PDF-1.5\n2 0 obj<</Type /Pages /Count 40>>endobj\n5 0 obj\n"
        packed += (
            b"<</Type /ObjStm /N 40 /First 9 /Filter /FlateDecode>>stream" + eol + pages + b"\nendstream\n"
        )
        assert pdf_pages(b64(three + packed[len(b"%PDF-1.5\n") :])) == 43
    assert pdf_pages(b64(b"%PDF-1.7\n<</Type /ObjStm /N 40>>stream...")) is None  # not deflated: unknown
    broken = b"%PDF-1.7\n<</Type /ObjStm /Filter /FlateDecode>>stream\nnot zlib\nendstream"
    assert pdf_pages(b64(broken)) is None
    assert pdf_pages(b64(b"\x89PNG" + b"<</Type/Page>>")) is None  # not a PDF
    assert pdf_pages("not base64!") is None
    assert pdf_pages("") is None


def test_read_pdf_finds_the_encryption_dictionary_of_a_trailer_or_an_xref_stream() -> None:
    """§7.3: the API reads no encrypted PDF; a PDF is encrypted when its trailer (a classic one,
    or the dictionary of a PDF 1.5 cross-reference stream) names an /Encrypt dictionary."""
    from convo._images import PdfFacts, read_pdf

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    page = b"%PDF-1.7\n3 0 obj<</Type /Page /Parent 2 0 R>>endobj\n"
    classic = b"trailer\n<</Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [<00><00>]>>\nstartxref\n9\n%%EOF\n"
    direct = b"trailer <</Size 5 /Encrypt <</Filter /Standard /V 1>> /Info <</Title (x)>>>> startxref 9 %%EOF"
    xref = b"6 0 obj\n<</Type /XRef /Size 7 /Encrypt 4 0 R /W [1 2 1]>>stream\n\x00\x01endstream\nendobj\n"
    for tail in (classic, direct, xref):
        assert read_pdf(b64(page + tail)) == PdfFacts(pages=1, encrypted=True)
    plain = b"trailer\n<</Size 5 /Root 1 0 R>>\nstartxref\n9\n%%EOF\n"
    assert read_pdf(b64(page + plain)) == PdfFacts(pages=1, encrypted=False)
    # the word in a page's own text, or in an object no reader takes for a trailer, is no encryption
    shown = b"5 0 obj<</Length 30>>stream\nBT (/Encrypt 4 0 R) Tj ET\nendstream endobj\n"
    assert read_pdf(b64(page + shown + plain)).encrypted is False
    assert read_pdf("not base64!") == PdfFacts(pages=None, encrypted=False)


def test_a_page_an_incremental_save_rewrote_is_counted_once() -> None:
    """An incremental save (annotating, filling a form, signing) appends new copies of the
    objects it changed under the same numbers; the old ones stay in the file."""
    from convo._images import pdf_pages

    def objects(numbers: range) -> bytes:
        return b"".join(b"%d 0 obj\n<</Type /Page /Parent 2 0 R>>\nendobj\n" % k for k in numbers)

    original = b"%PDF-1.7\n2 0 obj<</Type /Pages /Count 5>>endobj\n" + objects(range(3, 8)) + b"%%EOF\n"
    annotated = original + objects(range(3, 6)) + b"%%EOF\n"  # three pages rewritten
    assert pdf_pages(base64.b64encode(original).decode()) == 5
    assert pdf_pages(base64.b64encode(annotated).decode()) == 5
    # ... and again, into a compressed object stream (PDF 1.5+): pages 3 and 4 once more
    packed = zlib.compress(b"3 0 4 30 " + b"<</Type /Page /Parent 2 0 R>> " * 2)
    stream = (
        b"9 0 obj\n<</Type /ObjStm /N 2 /First 9 /Filter /FlateDecode>>stream\n"
        + packed
        + b"\nendstream\nendobj\n"
    )
    assert pdf_pages(base64.b64encode(annotated + stream).decode()) == 5


def test_a_pdf_in_mime_lines_or_without_padding_is_a_pdf() -> None:
    import base64

    from convo._images import looks_like_pdf

    pdf = b"%PDF-1.7\n" + b"x" * 2000
    assert looks_like_pdf(base64.encodebytes(pdf).decode())  # 76-character lines
    assert looks_like_pdf(base64.b64encode(pdf).decode() + "\n")
    assert looks_like_pdf(base64.b64encode(pdf[:7]).decode().rstrip("="))
    assert not looks_like_pdf(base64.b64encode(b"not a pdf").decode())


def test_a_pdf_in_mime_lines_or_without_padding_has_its_pages_counted() -> None:
    import convo
    from convo._images import pdf_pages

    raw = b"%PDF-1.7\n2 0 obj<</Type /Pages /Count 120>>endobj\n" + b"<</Type /Page>>\n" * 120 + b"%%EOF"
    one_line = base64.b64encode(raw).decode()
    mime = base64.encodebytes(raw).decode()  # 76-character lines, as email and MIME tools write them
    for data in (one_line, mime, mime.replace("\n", "\r\n"), one_line.rstrip("="), mime.rstrip("=\n")):
        assert pdf_pages(data) == 120
    unpadded = one_line.rstrip("=")
    assert pdf_pages(unpadded + "A" * ((1 - len(unpadded)) % 4)) is None  # a length no base64 has

    def document(data: str) -> convo.Conversation:
        source = {"type": "base64", "media_type": "application/pdf", "data": data}
        return convo.Conversation().user(
            [{"type": "document", "source": source}, {"type": "text", "text": "?"}]
        )

    counter = convo.LocalCounter(model="claude-sonnet-4-5")
    assert counter.count(document(mime)) == counter.count(document(one_line)) > 120 * 3000
    codes = {p.code for p in convo.check(document(mime).to_json(), model="claude-sonnet-4-5").errors}
    assert "pdf-pages-too-many" in codes  # 120 pages, over the 100 of a 200k-context model
