"""Second audit of the local counter: images against an independent §6.7, PDFs of unknown pages."""

from __future__ import annotations

import base64
import math
import struct
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from convo import Conversation, LocalCounter
from tests.test_media_audit import packed, page_objects

TIERS = {"claude-sonnet-4-5": (1568, 1568), "claude-opus-4-8": (2576, 4784)}


def rule_tokens(width: int, height: int, max_edge: int, max_tokens: int) -> int:
    """§6.7 written out: the longest long edge within both bounds (short edge scaled, rounded
    half up), then ceil(w/28) * ceil(h/28)."""

    def patches(a: int, b: int) -> int:
        return math.ceil(a / 28) * math.ceil(b / 28)

    long_edge, short_edge = max(width, height), min(width, height)
    for edge in range(min(long_edge, max_edge), 0, -1):
        short = short_edge if edge == long_edge else max(1, math.floor(short_edge * edge / long_edge + 0.5))
        if patches(edge, short) <= max_tokens:
            return patches(edge, short)
    raise AssertionError("a 1-pixel edge always fits")


def png(width: int, height: int) -> str:
    chunk = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return base64.b64encode(raw).decode()


def image_cost(model: str, source: dict[str, str]) -> int:
    """What an image adds to the estimate of a one-block user message (over a one-character text)."""
    counter = LocalCounter()
    alone = counter.count(Conversation().user([{"type": "text", "text": "x"}]), model=model)
    image = Conversation().user([{"type": "image", "source": source}])
    return counter.count(image, model=model) - alone + 1


def base64_png(width: int, height: int) -> dict[str, str]:
    return {"type": "base64", "media_type": "image/png", "data": png(width, height)}


def test_the_examples_of_the_rules() -> None:
    assert image_cost("claude-sonnet-4-5", base64_png(1000, 1000)) >= 1296
    assert image_cost("claude-opus-4-8", base64_png(1000, 1000)) >= 1296
    assert image_cost("claude-sonnet-4-5", base64_png(1920, 1080)) >= 1560
    assert image_cost("claude-opus-4-8", base64_png(1920, 1080)) >= 2691
    assert rule_tokens(1920, 1080, 1568, 1568) == 1560
    assert rule_tokens(1920, 1080, 2576, 4784) == 2691


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 8000), st.integers(1, 8000), st.sampled_from(sorted(TIERS)))
def test_an_image_costs_at_least_what_the_rules_say(width: int, height: int, model: str) -> None:
    assert image_cost(model, base64_png(width, height)) >= rule_tokens(width, height, *TIERS[model])


def test_an_image_whose_size_is_unseen_costs_the_most_of_its_tier() -> None:
    for model, (_, most) in TIERS.items():
        for source in (
            {"type": "url", "url": "https://example.com/a.png"},
            {"type": "file", "file_id": "file_1"},
        ):
            assert image_cost(model, source) >= most


def test_a_pdf_whose_pages_cannot_be_counted_is_not_taken_as_fewer_than_it_shows() -> None:
    """3 pages in the open and 5 in an object stream convo cannot decompress: pages unknown.  It
    was taken as a page per 50,000 bytes, 1 page, under even the 3 it shows; §6.8 puts 8 pages
    at no less than 8 * (1,500 text tokens + the page as an image)."""
    hidden = packed(page_objects(10, 5), filters=b"/Filter /FlateDecode /DecodeParms << /Predictor 12 >>")
    raw = b"%PDF-1.7\n" + b"".join(b"%d 0 obj %s endobj\n" % item for item in page_objects(3, 3).items())
    raw += b"9 0 obj " + hidden + b" endobj\n"
    source = {"type": "base64", "media_type": "application/pdf", "data": base64.b64encode(raw).decode()}
    conv = Conversation().user([{"type": "document", "source": source}])
    assert LocalCounter().count(conv, model="claude-sonnet-4-5") >= 8 * (1500 + 1568)
