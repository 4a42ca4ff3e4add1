"""Image and PDF limits (§6.7, §7.2, §7.3), driven through :func:`convo.check`."""

from __future__ import annotations

import base64
import struct
import time
import zlib
from typing import Any

import pytest

import convo


def png(width: int, height: int) -> str:
    """A base64 PNG that is only its signature and IHDR: all convo reads of an image."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + chunk).decode()


def image(width: int, height: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": png(width, height)},
        **extra,
    }


def codes(messages: list[dict[str, Any]], model: str) -> list[tuple[str, str]]:
    report = convo.check({"model": model, "max_tokens": 1024, "messages": messages})
    return [(p.code, p.path) for p in report.problems if p.code != "model-deprecated"]


# --------------------------------------------------------------------------- §6.7 tiers, §7.2 oversized_image

REFUSE = {"transformations": {"oversized_image": "error"}}
OVERSIZED = [("image-oversized", "/messages/0/content/0/transformations/oversized_image")]


@pytest.mark.parametrize(
    ("model", "size", "expected"),
    [
        # standard tier: long edge <= 1568 px and <= 1568 tokens
        ("claude-sonnet-4-5", (1500, 1500), OVERSIZED),  # 54 x 54 = 2916 tokens, long edge fits
        ("claude-opus-4-6", (1121, 1121), OVERSIZED),  # 41 x 41 = 1681 tokens
        ("claude-opus-4-6", (1092, 1092), []),  # 39 x 39 = 1521 tokens
        ("claude-opus-4-6", (1568, 100), []),  # 56 x 4 tokens
        # high-resolution tier (4.7+): long edge <= 2576 px and <= 4784 tokens
        ("claude-opus-4-8", (2576, 2576), OVERSIZED),  # 92 x 92 = 8464 tokens
        ("claude-opus-4-8", (2000, 2000), OVERSIZED),  # 72 x 72 = 5184 tokens
        ("claude-opus-4-8", (1920, 1080), []),  # 69 x 39 = 2691 tokens
    ],
)
def test_an_image_over_the_tier_token_cap_is_oversized(
    model: str, size: tuple[int, int], expected: list[tuple[str, str]]
) -> None:
    """§6.7: a tier bounds the long edge AND the visual tokens; an image over either is
    downscaled, so with oversized_image 'error' (§7.2) the API refuses it."""
    messages = [{"role": "user", "content": [image(*size, **REFUSE), {"type": "text", "text": "?"}]}]
    assert codes(messages, model) == expected


# --------------------------------------------------------------------------- §7.3 PDF pages


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def document(raw: bytes) -> dict[str, Any]:
    return {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": b64(raw)},
    }


def object_stream(head: bytes, packed: bytes) -> bytes:
    return (
        b"%PDF-1.7\n5 0 obj<<"
        + head
        + b" /Filter /FlateDecode>>stream\n"
        + zlib.compress(packed)
        + b"\nendstream endobj"
    )


@pytest.mark.parametrize(
    "raw",
    [
        object_stream(b"/Type /ObjStm /N " + b"9" * 5000 + b" /First 4", b"3 0 <</Type /Page>>"),
        object_stream(b"/Type /ObjStm /N 1 /First " + b"9" * 5000, b"3 0 <</Type /Page>>"),
        object_stream(b"/Type /ObjStm /N 1 /First 5003", b"3 " + b"1" * 5000 + b" <</Type /Page>>"),
    ],
    ids=["long /N", "long /First", "long offset"],
)
def test_hostile_numbers_in_an_object_stream_do_not_raise(raw: bytes) -> None:
    """A number of thousands of digits, where convo reads an object stream's header, is not read:
    int() refuses over 4,300 digits, and check() must never raise on a document's bytes."""
    messages = [{"role": "user", "content": [document(raw), {"type": "text", "text": "?"}]}]
    assert codes(messages, "claude-opus-4-8") == []


def pdf(objects: dict[int, bytes], *, root: int = 1, base: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") -> bytes:
    """A PDF of ``objects`` (number -> what it holds) with a cross-reference table and a trailer;
    given ``base``, an incremental update of it: the objects appended as their new copies."""
    out = bytearray(base)
    offsets = {}
    for number, held in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, held)
    xref = len(out)
    out += b"xref\n" + b"".join(b"%d 1\n%010d 00000 n \n" % item for item in offsets.items())
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (max(offsets) + 1, root, xref)
    return bytes(out)


def packed(objects: dict[int, bytes], *, filters: bytes = b"/Filter /FlateDecode") -> bytes:
    """A compressed object stream (PDF 1.5 and later) holding ``objects``."""
    table, body = b"", b""
    for number, held in objects.items():
        table += b"%d %d " % (number, len(body))
        body += held + b"\n"
    data = zlib.compress(table + body)
    head = b"<< /Type /ObjStm /N %d /First %d %s /Length %d >>" % (
        len(objects),
        len(table),
        filters,
        len(data),
    )
    return head + b"\nstream\n" + data + b"\nendstream"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def tree(first: int, pages: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % k for k in range(first, first + pages))
    return b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)


def page_objects(first: int, pages: int, type_: bytes = b"/Type /Page") -> dict[int, bytes]:
    return {
        k: b"<< " + type_ + b" /Parent 2 0 R /MediaBox [0 0 612 792] >>" for k in range(first, first + pages)
    }


THREE = pdf({1: CATALOG, 2: tree(3, 3), **page_objects(3, 3)})


@pytest.mark.parametrize(
    ("raw", "pages"),
    [
        (THREE, 3),
        (pdf({1: CATALOG, 2: tree(3, 3), **page_objects(3, 3, b"/Type/Page")}), 3),  # no space
        # an incremental save that deletes a page: the old page object stays in the file
        (pdf({2: tree(3, 2)}, base=THREE), 2),
        # ... or adds one
        (pdf({2: tree(3, 4), 6: page_objects(6, 1)[6]}, base=THREE), 4),
        # the page tree in a compressed object stream, rewritten by a later one
        (pdf({9: packed({1: CATALOG, 2: tree(3, 3), **page_objects(3, 3)}), 10: packed({2: tree(3, 1)})}), 1),
        # the pages in an object stream convo cannot decompress: the root's /Count still says
        (pdf({1: CATALOG, 2: tree(3, 5), 9: packed(page_objects(3, 5), filters=b"/Filter /LZWDecode")}), 5),
        # "/Type /Page" as a page's text is no page
        (
            pdf(
                {
                    1: CATALOG,
                    2: tree(3, 1),
                    3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
                    4: b"<< /Length 30 >>\nstream\nBT (/Type /Page /Type /Page) Tj ET\nendstream",
                }
            ),
            1,
        ),
    ],
    ids=[
        "plain",
        "no-space",
        "page-deleted",
        "page-added",
        "object-streams",
        "unreadable-pages",
        "page-text",
    ],
)
def test_the_pages_are_the_page_tree_root_count(raw: bytes, pages: int) -> None:
    """§7.3 counts pages; a PDF's pages are its page tree's: the /Count of the root the catalog
    names, in its last copy, which PDF readers take, not every /Type /Page object in the file."""
    from convo._images import pdf_pages

    assert pdf_pages(b64(raw)) == pages


def test_pages_an_unreadable_object_stream_may_hold_are_not_counted() -> None:
    """Without a page tree root to read, a PDF whose object streams convo cannot decompress has
    an unknown number of pages: None, not the pages found outside them."""
    from convo._images import pdf_pages

    hidden = packed(page_objects(10, 5), filters=b"/Filter /FlateDecode /DecodeParms << /Predictor 12 >>")
    raw = b"%PDF-1.7\n" + b"".join(b"%d 0 obj %s endobj\n" % item for item in page_objects(3, 3).items())
    assert pdf_pages(b64(raw)) == 3
    assert pdf_pages(b64(raw + b"9 0 obj " + hidden + b" endobj\n")) is None


def test_an_orphaned_page_is_not_counted_against_the_limit() -> None:
    """§7.3: 100 pages on a model whose context window is under 1M. 101 page objects, two of them
    deleted by an incremental save: 99 pages, within it."""
    original = pdf({1: CATALOG, 2: tree(3, 101), **page_objects(3, 101)})
    raw = pdf({2: tree(3, 99)}, base=original)
    messages = [{"role": "user", "content": [document(raw), {"type": "text", "text": "?"}]}]
    assert codes(messages, "claude-sonnet-4-5") == []
    messages = [{"role": "user", "content": [document(original), {"type": "text", "text": "?"}]}]
    assert codes(messages, "claude-sonnet-4-5") == [("pdf-pages-too-many", "/messages")]


def test_a_page_tree_after_an_unreadable_object_stream_is_read() -> None:
    from convo._images import pdf_pages

    hidden = packed(page_objects(3, 5), filters=b"/Filter /LZWDecode")
    assert pdf_pages(b64(pdf({8: hidden, 9: packed({1: CATALOG, 2: tree(3, 5)})}))) == 5


@pytest.mark.parametrize(
    "raw",
    [
        b"%PDF-1.7\n" + b"1 0 obj " * 25_000,  # objects that never close
        b"%PDF-1.7\n" + b"/Type/ObjStm " * 16_000 + b"stream\nx\nendstream",  # stream headers, one stream
    ],
    ids=["unclosed-objects", "object-stream-marks"],
)
def test_hostile_pdf_bytes_are_read_in_one_pass(raw: bytes) -> None:
    """200 KB of repeated openers took tens of seconds (each searched to the end of the file);
    a 32 MB request of them, hours.  check() reads a document's bytes in linear time."""
    from convo._images import read_pdf

    began = time.perf_counter()
    read_pdf(b64(raw))
    assert time.perf_counter() - began < 2


# --------------------------------------------------------------------------- §7.2 many-image requests


def url_image() -> dict[str, Any]:
    return {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}


PDF_DOCUMENT = document(THREE)
TWENTY_AND_A_DOCUMENT = [
    {"role": "user", "content": [*(image(10, 10) for _ in range(19)), image(3000, 10), PDF_DOCUMENT]}
]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-opus-4-8", []),  # the Claude API: 20 images, the document is not one
        ("anthropic.claude-opus-4-8-v1:0", [("many-images-too-large", "/messages/0/content/19")]),
        (
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            [("many-images-too-large", "/messages/0/content/19")],
        ),
        ("claude-sonnet-4-5@20250929", [("many-images-too-large", "/messages/0/content/19")]),
    ],
)
def test_documents_count_toward_the_many_images_on_bedrock_and_google_cloud(
    model: str, expected: list[tuple[str, str]]
) -> None:
    """§7.2: more than 20 images, each at most 2000x2000; "on Bedrock and Google Cloud,
    documents count toward the 20", which a platform model id says the request goes to."""
    assert codes(TWENTY_AND_A_DOCUMENT, model) == expected


def test_many_images_count_nested_and_resent_images_but_not_unreadable_sizes() -> None:
    """§7.2: images inside tool_result and in resent turns count; an image whose size convo
    cannot read (a URL) is never the oversized one."""
    tools = [{"name": "look", "input_schema": {"type": "object"}}]
    messages: list[dict[str, Any]] = [{"role": "user", "content": [url_image() for _ in range(19)]}]
    messages.append(
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "look", "input": {}}]}
    )
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": [image(2001, 10)]}
    messages.append({"role": "user", "content": [result, url_image()]})
    report = convo.check(
        {"model": "claude-opus-4-8", "max_tokens": 1024, "messages": messages, "tools": tools}
    )
    assert [(p.code, p.path) for p in report.problems] == [
        ("many-images-too-large", "/messages/2/content/0/content/0")
    ]
    messages[2]["content"][0]["content"] = [url_image()]
    report = convo.check(
        {"model": "claude-opus-4-8", "max_tokens": 1024, "messages": messages, "tools": tools}
    )
    assert report.problems == ()
