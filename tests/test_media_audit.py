"""Image and PDF limits (§6.7, §7.2, §7.3), driven through :func:`convo.check`."""

from __future__ import annotations

import base64
import struct
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
