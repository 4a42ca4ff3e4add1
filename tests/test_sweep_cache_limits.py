"""Boundary bodies of api-rules §5 (prompt caching, as ``check`` sees it) and §7 (size limits).

Each case is a request body just inside or just past a rule, and the error codes
``convo.check`` gives it: the agreement found by the conformance sweep, kept.
"""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import pytest

import convo
from convo import Conversation, ValidationError

OPUS = "claude-opus-4-8"  # 1M context: 600 images, 600 PDF pages, 128k output
SONNET = "claude-sonnet-4-5"  # 200k context: 100 images, 100 PDF pages, 64k output
BEDROCK = "anthropic.claude-opus-4-8-v1:0"
VERTEX = "claude-opus-4-5@20251101"
MB = 1024 * 1024

E5: dict[str, Any] = {"type": "ephemeral"}
E1: dict[str, Any] = {"type": "ephemeral", "ttl": "1h"}


def png(width: int, height: int) -> str:
    """A base64 PNG header of the given size: all convo reads of an image."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + chunk).decode()


def image(width: int = 10, height: int = 10, *, padded_to: int = 0, **fields: Any) -> dict[str, Any]:
    data = png(width, height)
    data += "A" * (padded_to - len(data))
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}, **fields}


def pdf(pages: int) -> str:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * pages,
    ]
    raw = b"%PDF-1.4\n" + b"".join(b"%d 0 obj\n%s\nendobj\n" % (i + 1, o) for i, o in enumerate(objects))
    raw += b"trailer\n<< /Root 1 0 R /Size %d >>\n%%%%EOF\n" % (len(objects) + 1)
    return base64.b64encode(raw).decode()


def document(pages: int = 1, **fields: Any) -> dict[str, Any]:
    source = {"type": "base64", "media_type": "application/pdf", "data": pdf(pages)}
    return {"type": "document", "source": source, **fields}


def text(value: str = "x", mark: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "text", "text": value, **({"cache_control": mark} if mark else {})}


def user(*content: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": list(content)}


def assistant(*content: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": list(content)}


def body(*messages: dict[str, Any], model: str = OPUS, **params: Any) -> dict[str, Any]:
    return {"model": model, "max_tokens": 1024, "messages": list(messages), **params}


def tool(mark: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": "f", "input_schema": {"type": "object"}, **({"cache_control": mark} if mark else {})}


CALL: dict[str, Any] = {"type": "tool_use", "id": "toolu_01", "name": "f", "input": {}}


def result(*content: dict[str, Any], mark: dict[str, Any] | None = None) -> dict[str, Any]:
    block = {"type": "tool_result", "tool_use_id": "toolu_01", "content": list(content)}
    return {**block, **({"cache_control": mark} if mark else {})}


def search(mark: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "search_result",
        "source": "s",
        "title": "t",
        "content": [text("c", mark)],
        "cache_control": mark,
    }


def marked(count: int, mark: dict[str, Any] = E5) -> list[dict[str, Any]]:
    return [text(str(i), mark) for i in range(count)]


def images(count: int, width: int = 10, height: int = 10) -> list[dict[str, Any]]:
    return [image(width, height) for _ in range(count)]


THINKING: dict[str, Any] = {"type": "thinking", "thinking": "x", "signature": "s", "cache_control": E5}
CITATION: dict[str, Any] = {
    "type": "page_location",
    "cited_text": "x",
    "document_index": 0,
    "document_title": None,
    "start_page_number": 1,
    "end_page_number": 2,
    "cache_control": E5,
}

CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    # §5.1: at most 4 breakpoints, counting tools, system, nested blocks and the automatic one
    ("5.1 four in messages", body(user(*marked(4))), set()),
    ("5.1 five in messages", body(user(*marked(5))), {"cache-control-too-many"}),
    (
        "5.1 four over tools, system, messages",
        body(user(*marked(2)), tools=[tool(E5)], system=marked(1)),
        set(),
    ),
    (
        "5.1 five over tools, system, messages",
        body(user(*marked(3)), tools=[tool(E5)], system=marked(1)),
        {"cache-control-too-many"},
    ),
    ("5.1 three and the automatic one", body(user(*marked(3), text()), cache_control=E5), set()),
    (
        "5.1 four and the automatic one",
        body(user(*marked(4), text()), cache_control=E5),
        {"cache-control-too-many"},
    ),
    (
        "5.1 four, the last one where the automatic one lands",
        body(user(*marked(4)), cache_control=E5),
        {"cache-control-too-many"},
    ),
    (
        "5.1 four with a tool_result and its content",
        body(user(text()), assistant(CALL), user(result(*marked(2), mark=E5), *marked(1))),
        set(),
    ),
    (
        "5.1 five with a tool_result and its content",
        body(user(*marked(1)), assistant(CALL), user(result(*marked(2), mark=E5), *marked(1))),
        {"cache-control-too-many"},
    ),
    ("5.1 four with search_result content", body(user(search(E5), search(E5))), set()),
    (
        "5.1 five with search_result content",
        body(user(search(E5), search(E5), *marked(1))),
        {"cache-control-too-many"},
    ),
    (
        "5.1 four with an image and a document",
        body(user(image(cache_control=E5), document(cache_control=E5), *marked(2))),
        set(),
    ),
    (
        "5.1 five with an image and a document",
        body(user(image(cache_control=E5), document(cache_control=E5), *marked(3))),
        {"cache-control-too-many"},
    ),
    # §5.3: {"type": "ephemeral", "ttl": "5m" | "1h"}
    ("5.3 ttl 5m", body(user(text("a", {"type": "ephemeral", "ttl": "5m"}))), set()),
    ("5.3 ttl 1h", body(user(text("a", E1))), set()),
    ("5.3 ttl 24h", body(user(text("a", {"type": "ephemeral", "ttl": "24h"}))), {"cache-control-invalid"}),
    ("5.3 no type", body(user(text("a", {"ttl": "1h"}))), {"cache-control-invalid"}),
    ("5.3 another type", body(user(text("a", {"type": "persistent"}))), {"cache-control-invalid"}),
    ("5.3 a null cache_control", body(user({"type": "text", "text": "a", "cache_control": None})), set()),
    (
        "5.3 top-level ttl 24h",
        body(user(text()), cache_control={"type": "ephemeral", "ttl": "24h"}),
        {"cache-control-invalid"},
    ),
    (
        "5.3 a tool's ttl 2h",
        body(user(text()), tools=[tool({"type": "ephemeral", "ttl": "2h"})]),
        {"cache-control-invalid"},
    ),
    # §5.4: 1h before 5m, in the order tools, system, messages
    ("5.4 tools 5m, then a message 1h", body(user(text("a", E1)), tools=[tool(E5)]), {"cache-ttl-order"}),
    (
        "5.4 tools 1h, system 5m, messages 5m",
        body(user(text("a", E5)), tools=[tool(E1)], system=marked(1)),
        set(),
    ),
    (
        "5.4 tools 5m, system 1h",
        body(user(text()), tools=[tool(E5)], system=marked(1, E1)),
        {"cache-ttl-order"},
    ),
    ("5.4 system 5m, a message 1h", body(user(text("a", E1)), system=marked(1)), {"cache-ttl-order"}),
    ("5.4 1h, 1h, then 5m", body(user(*marked(2, E1), text("c", E5))), set()),
    (
        "5.4 an explicit 5m, then 1h",
        body(user(text("a", {"type": "ephemeral", "ttl": "5m"}), text("b", E1))),
        {"cache-ttl-order"},
    ),
    (
        "5.4 1h in a later turn",
        body(user(text("a", E5)), assistant(text("r")), user(text("b", E1))),
        {"cache-ttl-order"},
    ),
    # §5.5: the automatic breakpoint lands on the last block
    (
        "5.5 automatic 5m on a 1h mark",
        body(user(text("a", E1)), cache_control=E5),
        {"cache-control-automatic-ttl"},
    ),
    ("5.5 automatic 1h on a 1h mark", body(user(text("a", E1)), cache_control=E1), set()),
    (
        "5.5 automatic 1h after a 5m mark",
        body(user(text("a", E5), text("b")), cache_control=E1),
        {"cache-ttl-order"},
    ),
    ("5.5 automatic 5m after a 1h mark", body(user(text("a", E1), text("b")), cache_control=E5), set()),
    (
        "5.5 automatic 1h after a 5m tool",
        body(user(text()), tools=[tool(E5)], cache_control=E1),
        {"cache-ttl-order"},
    ),
    # §5.8: what cannot carry cache_control
    (
        "5.8 thinking",
        body(user(text("q")), assistant(THINKING, text("r")), user(text("n")), model=SONNET),
        {"cache-control-ineligible"},
    ),
    ("5.8 empty text", body(user(text("", E5))), {"cache-control-empty-text", "text-empty"}),
    (
        "5.8 a citation",
        body(
            user(document(citations={"enabled": True}), text("q")),
            assistant({"type": "text", "text": "r", "citations": [CITATION]}),
            user(text("n")),
        ),
        {"cache-control-ineligible"},
    ),
    # §5.12: pre-warm (max_tokens 0)
    ("5.12 pre-warm", body(user(text("hi")), max_tokens=0, system=marked(1)), set()),
    ("5.12 pre-warm streamed", body(user(text("hi")), max_tokens=0, stream=True), {"prewarm-conflict"}),
    (
        "5.12 pre-warm with tool_choice any",
        body(user(text("hi")), max_tokens=0, tools=[tool()], tool_choice={"type": "any"}),
        {"prewarm-conflict"},
    ),
    (
        "5.12 pre-warm with tool_choice auto",
        body(user(text("hi")), max_tokens=0, tools=[tool()], tool_choice={"type": "auto"}),
        set(),
    ),
    ("5.12 pre-warm with a blank placeholder", body(user(text(" ")), max_tokens=0), {"text-whitespace"}),
    # §7.2: images
    ("7.2 600 images", body(user(*images(600), text())), set()),
    ("7.2 601 images", body(user(*images(601), text())), {"images-too-many"}),
    ("7.2 100 images, 200k context", body(user(*images(100), text()), model=SONNET), set()),
    ("7.2 101 images, 200k context", body(user(*images(101), text()), model=SONNET), {"images-too-many"}),
    (
        "7.2 101 images, some in a tool_result",
        body(user(*images(51)), assistant(CALL), user(result(*images(50))), model=SONNET, tools=[tool()]),
        {"images-too-many"},
    ),
    ("7.2 8000 px a side", body(user(image(8000, 8000))), set()),
    ("7.2 8001 px wide", body(user(image(8001, 10))), {"image-dimensions-too-large"}),
    ("7.2 8001 px tall", body(user(image(10, 8001))), {"image-dimensions-too-large"}),
    ("7.2 20 images, one over 2000 px", body(user(*images(19), image(2001, 10))), set()),
    ("7.2 21 images of 2000 px", body(user(*images(21, 2000, 2000))), set()),
    ("7.2 21 images, one over 2000 px", body(user(*images(20), image(2001, 10))), {"many-images-too-large"}),
    ("7.2 20 images and a document", body(user(*images(19), image(2001, 10), document())), set()),
    (
        "7.2 20 images and a document, Bedrock",
        body(user(*images(19), image(2001, 10), document()), model=BEDROCK),
        {"many-images-too-large"},
    ),
    (
        "7.2 20 images and a document, Google Cloud",
        body(user(*images(19), image(2001, 10), document()), model=VERTEX),
        {"many-images-too-large"},
    ),
    ("7.2 10 MB of base64", body(user(image(padded_to=10 * MB))), set()),
    ("7.2 past 10 MB of base64", body(user(image(padded_to=10 * MB + 4))), {"image-too-large"}),
    ("7.2 5 MB of base64, Bedrock", body(user(image(padded_to=5 * MB)), model=BEDROCK), set()),
    (
        "7.2 past 5 MB of base64, Bedrock",
        body(user(image(padded_to=5 * MB + 4)), model=BEDROCK),
        {"image-too-large"},
    ),
    (
        "7.2 past 5 MB of base64, Google Cloud",
        body(user(image(padded_to=5 * MB + 4)), model=VERTEX),
        {"image-too-large"},
    ),
    (
        "7.2 oversized, asking for an error",
        body(user(image(4000, 100, transformations={"oversized_image": "error"})), model=SONNET),
        {"image-oversized"},
    ),
    (
        "7.2 oversized, downsized",
        body(user(image(4000, 100, transformations={"oversized_image": "downsize"})), model=SONNET),
        set(),
    ),
    (
        "7.2 a url image",
        body(user({"type": "image", "source": {"type": "url", "url": "https://x/y.png"}})),
        set(),
    ),
    (
        "7.2 a url image, Bedrock",
        body(user({"type": "image", "source": {"type": "url", "url": "https://x/y.png"}}), model=BEDROCK),
        {"image-source-invalid"},
    ),
    # §7.3: PDF pages
    ("7.3 600 pages", body(user(document(600), text())), set()),
    ("7.3 601 pages", body(user(document(600), document(1), text())), {"pdf-pages-too-many"}),
    ("7.3 100 pages, 200k context", body(user(document(100), text()), model=SONNET), set()),
    (
        "7.3 101 pages, 200k context",
        body(user(document(100), document(1), text()), model=SONNET),
        {"pdf-pages-too-many"},
    ),
    # §7.4: stop sequences
    ("7.4 an empty stop sequence", body(user(text()), stop_sequences=[""]), {"stop-sequence-empty"}),
    ("7.4 a blank stop sequence", body(user(text()), stop_sequences=[" \n"]), {"stop-sequence-whitespace"}),
    ("7.4 many stop sequences", body(user(text()), stop_sequences=[f"s{i}" for i in range(1000)]), set()),
    # §7.5: max_tokens
    ("7.5 128000", body(user(text()), max_tokens=128_000), set()),
    ("7.5 128001", body(user(text()), max_tokens=128_001), {"max-tokens-too-large"}),
    ("7.5 64000, 200k context", body(user(text()), model=SONNET, max_tokens=64_000), set()),
    (
        "7.5 64001, 200k context",
        body(user(text()), model=SONNET, max_tokens=64_001),
        {"max-tokens-too-large"},
    ),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[case[0] for case in CASES])
def test_boundary_body(name: str, data: dict[str, Any], expected: set[str]) -> None:
    assert {p.code for p in convo.check(data).errors} == expected


# -- §7.1: the body as sent, at the limit ---------------------------------------------------------


def limit(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Lower the 32 MB limit to ``size`` bytes, to keep the test small."""
    monkeypatch.setattr(convo._params, "MAX_BODY", size)
    monkeypatch.setattr(convo._conversation, "MAX_BODY", size)


def at_limit(monkeypatch: pytest.MonkeyPatch, request: convo.Request) -> None:
    """Lower the 32 MB limit to the size of ``request``'s body."""
    limit(monkeypatch, len(request.body()))


@pytest.mark.parametrize(
    "header", [{"betas": ["files-api-2025-04-14"]}, {"workspace_id": "wrkspc_01"}, {"user_profile_id": "u"}]
)
def test_a_header_parameter_is_not_measured_as_body(
    monkeypatch: pytest.MonkeyPatch, header: dict[str, Any]
) -> None:
    """§7.1 limits the body; betas, workspace_id and user_profile_id are headers, not in it."""
    conv = Conversation().user("Hi")
    at_limit(monkeypatch, conv.request(model=OPUS, max_tokens=10))
    req = conv.request(model=OPUS, max_tokens=10, **header)
    assert len(req.body()) == convo._params.MAX_BODY and convo.check(req.body()).valid


def test_convos_cache_marks_are_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    """§7.1: the marks ``cache=`` places are in the body; it must not pass the limit for them."""
    conv = Conversation().user("x" * 400)
    policy = convo.CachePolicy(min_tokens=0)
    marked_body = conv.request(model=OPUS, max_tokens=10, cache=policy).body()
    assert b"cache_control" in marked_body
    at_limit(monkeypatch, conv.request(model=OPUS, max_tokens=10))
    assert not convo.check(marked_body).valid
    with pytest.raises(ValidationError, match="request-too-large"):
        conv.request(model=OPUS, max_tokens=10, cache=policy)
    limit(monkeypatch, len(marked_body))  # exactly at the limit: fine
    assert conv.request(model=OPUS, max_tokens=10, cache=policy).body() == marked_body
    assert convo.check(marked_body).valid


def test_a_streamed_body_is_measured_with_its_stream_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """§7.1: ``"stream": true`` is in the body too; a body at the limit cannot be streamed."""
    req = Conversation().user("Hi").request(model=OPUS, max_tokens=10)
    at_limit(monkeypatch, req)
    assert convo.check(req.body()).valid
    for streamed in (lambda: req.body(stream=True), req.stream_params):
        with pytest.raises(ValidationError, match="request-too-large"):
            streamed()
    limit(monkeypatch, len(req.body()) + len(b',"stream":true'))
    assert convo.check(req.body(stream=True)).valid and req.stream_params()["messages"]
