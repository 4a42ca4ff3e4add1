"""One targeted test per rule code in ``convo.RULES``, plus modes, scopes and incremental appends.

Each case is a minimal input that breaks exactly one rule, with the exact ``(code, path)`` of
every error and warning it must give, and the same input fixed, which must give nothing.
"""

from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

import attrs
import pytest

import convo
import convo._conversation
from convo import Conversation, Message

# --- builders -------------------------------------------------------------------------------------


def U(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def A(content: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": content}


def S(content: Any) -> dict[str, Any]:
    return {"role": "system", "content": content}


def T(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": text, **extra}


def TU(tool_id: str = "toolu_01", name: str = "get_weather") -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": {"city": "Paris"}}


def TR(tool_id: str = "toolu_01", content: Any = "18°C") -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": content}


def STU(tool_id: str = "srvtoolu_01", name: str = "web_search") -> dict[str, Any]:
    return {"type": "server_tool_use", "id": tool_id, "name": name, "input": {"query": "convo"}}


def WSR(tool_id: str = "srvtoolu_01") -> dict[str, Any]:
    return {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": []}


WEB_FETCH: dict[str, Any] = {"type": "web_fetch_20250910", "name": "web_fetch"}


def FETCHED(cache_control: dict[str, Any], tool_id: str = "srvtoolu_01") -> dict[str, Any]:
    """A web_fetch result whose document carries ``cache_control`` (the SDK's WebFetchBlockParam)."""
    document = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Page."},
                "cache_control": cache_control}  # fmt: skip
    content = {"type": "web_fetch_result", "url": "https://example.com", "content": document}
    return {"type": "web_fetch_tool_result", "tool_use_id": tool_id, "content": content}


def THINK(signature: str = "EqQBCkYIARgCKkD") -> dict[str, Any]:
    return {"type": "thinking", "thinking": "Let me see.", "signature": signature}


def TOOL(name: str = "get_weather", **extra: Any) -> dict[str, Any]:
    return {"name": name, "input_schema": {"type": "object"}, **extra}


CITY: dict[str, Any] = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
CLOSED: dict[str, Any] = {"type": "object", "additionalProperties": False}  # what a strict tool needs
EPH: dict[str, Any] = {"type": "ephemeral"}
EPH_1H: dict[str, Any] = {"type": "ephemeral", "ttl": "1h"}
CITE: dict[str, Any] = {
    "type": "char_location",
    "cited_text": "x",
    "document_index": 0,
    "document_title": None,
    "start_char_index": 0,
    "end_char_index": 1,
}
WEB_CITE: dict[str, Any] = {
    "type": "web_search_result_location",
    "cited_text": "x",
    "url": "https://example.com/",
    "title": "Example",
    "encrypted_index": "Eo8B",
}


def png_b64(width: int, height: int, pad: int = 0) -> str:
    """Base64 of a PNG signature and IHDR chunk (all convo reads), plus ``pad`` zero bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + chunk + b"\0" * pad).decode()


def IMG(data: str | None = None, media_type: str = "image/png") -> dict[str, Any]:
    source = {"type": "base64", "media_type": media_type, "data": png_b64(8, 8) if data is None else data}
    return {"type": "image", "source": source}


def URL_IMG(i: int = 0) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "url", "url": f"https://example.com/{i}.png"}}


def DOC(**source: Any) -> dict[str, Any]:
    return {"type": "document", "source": source}


def PDF(pages: int) -> dict[str, Any]:
    """A base64 PDF document with ``pages`` page objects (and one /Pages node, not counted)."""
    objects = "".join(f"{3 + i} 0 obj<</Type /Page /Parent 2 0 R>>endobj\n" for i in range(pages))
    pdf = f"%PDF-1.7\n2 0 obj<</Type /Pages /Count {pages}>>endobj\n{objects}%%EOF\n".encode()
    return DOC(type="base64", media_type="application/pdf", data=base64.b64encode(pdf).decode())


def SEALED_PDF(encrypt: bool = True) -> dict[str, Any]:
    """A one-page base64 PDF whose trailer names an encryption dictionary (or, with ``encrypt``
    false, the same PDF without it)."""
    entry = "/Encrypt 4 0 R " if encrypt else ""
    pdf = (
        "%PDF-1.7\n1 0 obj<</Type /Catalog /Pages 2 0 R>>endobj\n2 0 obj<</Type /Pages /Count 1>>endobj\n"
        "3 0 obj<</Type /Page /Parent 2 0 R>>endobj\n4 0 obj<</Filter /Standard /V 2 /R 3>>endobj\n"
        f"trailer\n<</Size 5 /Root 1 0 R {entry}/ID [<00><00>]>>\nstartxref\n0\n%%EOF\n"
    )
    return DOC(type="base64", media_type="application/pdf", data=base64.b64encode(pdf.encode()).decode())


def TDOC(text: str = "Q3 report", cite: bool | None = None) -> dict[str, Any]:
    """A plain-text document; ``cite`` True/False sets ``citations.enabled``, None leaves it out."""
    block = DOC(type="text", media_type="text/plain", data=text)
    return block if cite is None else {**block, "citations": {"enabled": cite}}


def SR(text: str = "Returns are free.", cite: bool | None = None) -> dict[str, Any]:
    block = {
        "type": "search_result",
        "source": "https://example.com/faq",
        "title": "FAQ",
        "content": [T(text)],
    }
    return block if cite is None else {**block, "citations": {"enabled": cite}}


WEB_SEARCH: dict[str, Any] = {"type": "web_search_20250305", "name": "web_search"}
FORMAT: dict[str, Any] = {
    "format": {"type": "json_schema", "schema": {"type": "object", "additionalProperties": False}}
}


def REF(name: str = "get_weather") -> dict[str, Any]:
    return {"type": "tool_reference", "tool_name": name}


def ADD(name: str = "get_weather", kind: str = "tool_addition") -> dict[str, Any]:
    return {"type": kind, "tool": {"type": "tool_reference", "name": name}}


def body(messages: list[Any], **fields: Any) -> dict[str, Any]:
    return {**fields, "messages": messages}


Pairs = list[tuple[str, str]]


def found(data: object, model: str | None = None) -> tuple[Pairs, Pairs]:
    """The errors and warnings of ``data``.  A ``model`` given here is chosen for its rules: that
    it is near its end of life (``claude-sonnet-4-5``) is not what a case is about."""
    report = convo.check(data, model=model)
    warnings = [(p.code, p.path) for p in report.warnings if not (model and p.code == "model-deprecated")]
    return [(p.code, p.path) for p in report.errors], warnings


# --- one case per rule ----------------------------------------------------------------------------


@dataclass
class Case:
    code: str
    bad: object
    fixed: object
    errors: Pairs = field(default_factory=list)
    warnings: Pairs = field(default_factory=list)
    model: str | None = None
    name: str = ""

    @property
    def id(self) -> str:
        return self.name or self.code


TOOL_TURN = [U("Weather in Paris?"), A([TU()])]
BROWSER_TURN = [U("Open the docs."), A([{**TU(name="navigate"), "toolset_name": "browser"}])]
COMPUTER_TURN = [U("Click OK."), A([{**TU(name="left_click"), "toolset_name": "computer"}])]


def COMPUTER_RESULT(content: Any) -> dict[str, Any]:
    return U([{**TR(content=content), "toolset_name": "computer"}])


def STATE() -> dict[str, Any]:
    return {"type": "browser_state", "tabs": []}


PTC_TOOLS: list[dict[str, Any]] = [
    {"type": "code_execution_20250825", "name": "code_execution"},
    TOOL(allowed_callers=["code_execution_20250825"]),
]
PTC_CALL: dict[str, Any] = {**TU(), "caller": {"type": "code_execution_20250825", "tool_id": "srvtoolu_01"}}
PTC_TURNS = [U("Go"), A([STU(name="code_execution"), PTC_CALL]), U([TR()])]
CASES = [
    # reading the input
    Case("input-unreadable", b"\xff\xfe[]", b"[]", [("input-unreadable", "")]),
    Case(
        "input-unreadable",
        b'{"messages": [',
        b'{"messages": []}',
        [("input-unreadable", "")],
        name="truncated",
    ),
    Case("input-unreadable", b"42", b"[]", [("input-unreadable", "")], name="not-a-conversation"),
    Case(
        "messages-invalid",
        {"messages": U("Hi")},
        {"messages": [U("Hi")]},
        [("messages-invalid", "/messages")],
    ),
    Case(
        "role-invalid",
        [U("Hi"), {"role": "model", "content": "Hello"}],
        [U("Hi"), A("Hello")],
        [("role-invalid", "/messages/1/role")],
    ),
    Case(
        "role-invalid",
        [{"content": "Hi"}],
        [U("Hi")],
        [("role-invalid", "/messages/0/role")],
        name="role-missing",
    ),
    Case(
        "block-malformed",
        [U([{"type": "text", "content": "Hi"}])],
        [U([T("Hi")])],
        [("block-malformed", "/messages/0/content/0")],
        [("block-field-unknown", "/messages/0/content/0/content")],
    ),
    Case(
        "block-field-unknown",
        [
            U([T("Hi", cache_control={"type": "ephemeral", "tll": "1h"}), T("Hello", lang="en")]),
            A([{**TU(), "text": "Calling."}]),
            U(
                [
                    TR(content=[T("18°C", extra=1)]),
                    {
                        "type": "image",
                        "source": {"type": "url", "url": "https://x.test/a.png", "detail": "high"},
                    },
                ]
            ),
        ],
        [
            U([T("Hi", cache_control=EPH_1H), T("Hello")]),
            A([TU()]),
            U(
                [
                    TR(content=[T("18°C")]),
                    {"type": "image", "source": {"type": "url", "url": "https://x.test/a.png"}},
                ]
            ),
        ],
        warnings=[
            ("block-field-unknown", "/messages/0/content/0/cache_control/tll"),
            ("block-field-unknown", "/messages/0/content/1/lang"),
            ("block-field-unknown", "/messages/1/content/0/text"),
            ("block-field-unknown", "/messages/2/content/0/content/0/extra"),
            ("block-field-unknown", "/messages/2/content/1/source/detail"),
        ],
    ),
    Case(
        "block-field-unknown",
        body([U("Hi")], system=[T("Be brief.", id=1)]),
        body([U("Hi")], system=[T("Be brief.")]),
        warnings=[("block-field-unknown", "/system/0/id")],
        name="block-field-unknown-system",
    ),
    Case(
        "block-malformed",
        [U([{"text": "Hi"}])],
        [U([T("Hi")])],
        [("block-malformed", "/messages/0/content/0")],
        name="no-type",
    ),
    Case(
        "block-malformed",
        [U("Hi"), A([{"type": "tool_use", "id": "toolu_01", "name": "f", "input": []}])],
        TOOL_TURN,
        [("block-malformed", "/messages/1/content/0")],
        name="tool-input-not-object",
    ),
    Case(
        "block-unknown",
        [U([T("Hi"), {"type": "hologram", "frames": 3}])],
        [U([T("Hi")])],
        warnings=[("block-unknown", "/messages/0/content/1")],
    ),
    Case(
        "block-role",
        [U([THINK()])],
        [U("Hi"), A([THINK(), T("Hello")])],
        [("block-role", "/messages/0/content/0")],
    ),
    Case(
        "block-role",
        [U("Hi"), A([DOC(type="text", media_type="text/plain", data="x")])],
        [U([DOC(type="text", media_type="text/plain", data="x")])],
        [("block-role", "/messages/1/content/0")],
        name="document-in-assistant",
    ),
    Case(
        "block-role",
        [U([{**SR(), "content": [T("Returns are free."), IMG()]}])],
        [U([SR()])],
        [("block-role", "/messages/0/content/0/content/1")],
        name="image-in-search-result",
    ),
    Case(
        "block-role",
        [U("Hi"), A([IMG()])],
        [U([IMG()])],
        [("block-role", "/messages/1/content/0")],
        name="image-in-assistant",
    ),
    Case(
        "block-role",
        [U([TU()])],
        TOOL_TURN,
        [("block-role", "/messages/0/content/0")],
        name="tool-use-in-user",
    ),
    Case(
        "block-role",
        [*TOOL_TURN, U([TR(content=[TU("toolu_02")])])],
        [*TOOL_TURN, U([TR(content=[T("ok")])])],
        [("block-role", "/messages/2/content/0/content/0")],
        name="tool-use-in-tool-result",
    ),
    Case(
        "block-role",
        [U([{"type": "tool_addition", "tool": {"type": "tool_reference", "name": "f"}}])],
        [U("Hi")],
        [("block-role", "/messages/0/content/0")],
        name="tool-addition-in-user",
    ),
    Case(
        "block-role",
        {"system": [IMG()], "messages": [U("Hi")]},
        {"system": [T("Be brief.")], "messages": [U("Hi")]},
        [("block-role", "/system/0")],
        name="image-in-system",
    ),
    Case(
        "system-invalid",
        {"system": {"text": "Be brief."}, "messages": [U("Hi")]},
        {"system": "Be brief.", "messages": [U("Hi")]},
        [("system-invalid", "/system")],
    ),
    # message structure
    Case(
        "first-not-user",
        [A("How can I help?"), U("Hi")],
        [U("Hi"), A("How can I help?")],
        warnings=[("first-not-user", "/messages/0")],
    ),
    Case(
        "consecutive-roles",
        [U("Hi"), U("Anyone?")],
        [U("Hi. Anyone?")],
        warnings=[("consecutive-roles", "/messages/1")],
    ),
    Case(
        "consecutive-roles",
        {"tools": [WEB_SEARCH], "messages": [U("Find it"), A("Searching."), A([STU(), WSR(), T("Found.")])]},
        {"tools": [WEB_SEARCH], "messages": [U("Find it"), A([STU()]), A([WSR(), T("Found.")])]},  # §3.10
        warnings=[("consecutive-roles", "/messages/2")],
        name="not-after-a-pause",
    ),
    Case(
        "message-field-unknown",
        [U("Hi"), {**A("Hello"), "id": "msg_01", "model": "claude-opus-4-8"}],
        [U("Hi"), {"role": "system", "content": "Be brief.", "clear_at": "next_user_message"}, A("Hello")],
        warnings=[
            ("message-field-unknown", "/messages/1/id"),
            ("message-field-unknown", "/messages/1/model"),
        ],
    ),
    Case("content-empty", [U([])], [U("Hi")], [("content-empty", "/messages/0/content")]),
    Case(
        "messages-empty",
        body([], model="claude-opus-4-8", max_tokens=1024),
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024),
        [("messages-empty", "/messages")],
    ),
    Case(
        "content-empty", [U("")], [U("Hi")], [("content-empty", "/messages/0/content")], name="empty-string"
    ),
    Case(
        "content-empty",
        [U("Hi"), A([]), U("Well?")],
        [U("Hi"), A("Hello"), U("Well?")],
        [("content-empty", "/messages/1/content")],
        name="empty-assistant-not-last",
    ),
    Case(
        "content-empty",
        [U("Hi"), A(""), U("Well?")],
        [U("Hi"), A("")],  # the final assistant message may be empty, as a string too (§1.9)
        [("content-empty", "/messages/1/content")],
        name="empty-assistant-string-not-last",
    ),
    Case("text-empty", [U([T("")])], [U([T("Hi")])], [("text-empty", "/messages/0/content/0/text")]),
    Case(
        "text-empty",
        {"system": [T("")], "messages": [U("Hi")]},
        {"system": [T("Be brief.")], "messages": [U("Hi")]},
        [("text-empty", "/system/0/text")],
        name="in-system",
    ),
    Case(
        "text-whitespace",
        [U([T(" \n\t")])],
        [U([T("Hi")])],
        [("text-whitespace", "/messages/0/content/0/text")],
    ),
    Case(
        "text-whitespace", [U("  ")], [U("Hi")], [("text-whitespace", "/messages/0/content")], name="string"
    ),
    Case(
        "assistant-text-whitespace",
        [U("Hi"), A([T("\n\n"), T("Hello.")]), U("Go on.")],
        [U("Hi"), A([T("Hello.")]), U("Go on.")],
        warnings=[("assistant-text-whitespace", "/messages/1/content/0/text")],
    ),
    Case(
        "final-assistant-trailing-whitespace",
        [U("Write a haiku."), A("Here it is:\n")],
        [U("Write a haiku."), A("Here it is:")],
        [("final-assistant-trailing-whitespace", "/messages/1")],
        model="claude-sonnet-4-5",
    ),
    Case(
        "prefill-unsupported",
        [U("Reply in JSON."), A("{")],
        [U("Reply in JSON."), A("{}"), U("Thanks.")],
        [("prefill-unsupported", "/messages/1")],
        model="claude-opus-4-8",
    ),
    Case(
        "citations-in-user",
        [U([T("As quoted.", citations=[CITE])])],
        [U([T("As quoted.")])],
        [("citations-in-user", "/messages/0/content/0/citations")],
    ),
    Case(
        "citations-in-user",
        [
            *TOOL_TURN,
            U(
                [
                    TR(
                        content=[
                            {
                                "type": "search_result",
                                "source": "s",
                                "title": "t",
                                "content": [T("x", citations=[CITE])],
                            }
                        ]
                    )
                ]
            ),
        ],
        [
            *TOOL_TURN,
            U([TR(content=[{"type": "search_result", "source": "s", "title": "t", "content": [T("x")]}])]),
        ],
        [("citations-in-user", "/messages/2/content/0/content/0/content/0/citations")],
        name="nested",
    ),
    Case(
        "block-malformed",
        [
            U("Cite it."),
            A([T("As quoted.", citations=[{"type": "char_location", "cited_text": "x"}, CITE])]),
            U("Go on."),
        ],
        [U("Cite it."), A([T("As quoted.", citations=[CITE, WEB_CITE])]), U("Go on.")],
        [("block-malformed", "/messages/1/content/0/citations/0")],
        name="citation",
    ),
    Case(
        "block-malformed",
        [
            U("Cite it."),
            A([T("As quoted.", citations=["x", {**WEB_CITE, "url": None}, {"cited_text": "x"}])]),
        ],
        [U("Cite it."), A([T("As quoted.", citations=[WEB_CITE, {**WEB_CITE, "title": None}])])],
        [
            ("block-malformed", "/messages/1/content/0/citations/0"),
            ("block-malformed", "/messages/1/content/0/citations/1"),
            ("block-malformed", "/messages/1/content/0/citations/2"),
        ],
        name="citation-mistyped",
    ),
    # citations and search results (§2.5)
    Case(
        "citation-unknown",
        [U("Cite it."), A([T("As quoted.", citations=[{**CITE, "type": "char_locaton"}])]), U("Go on.")],
        [U("Cite it."), A([T("As quoted.", citations=[CITE])]), U("Go on.")],
        warnings=[("citation-unknown", "/messages/1/content/0/citations/0")],
    ),
    Case(
        "citations-mixed",
        [U([TDOC(cite=True), TDOC("Q4 report"), TDOC("Q1 report"), T("Compare them.")])],
        [U([TDOC(cite=True), TDOC("Q4 report", cite=True), T("Compare them.")])],
        [("citations-mixed", "/messages/0/content/1")],  # once per type: not again for content/2
    ),
    Case(
        "citations-mixed",
        [U([TDOC(cite=False), T("Read it.")]), A("Done."), U([TDOC("Q4 report", cite=True)])],
        [U([TDOC(cite=False), T("Read it.")]), A("Done."), U([TDOC("Q4 report")])],
        [("citations-mixed", "/messages/2/content/0")],
        name="across-turns",
    ),
    Case(
        "citations-mixed",
        [U([SR(cite=True), T("See?")]), A([TU()]), U([TR(content=[SR("Sold out.")])])],
        [U([SR(cite=True), T("See?")]), A([TU()]), U([TR(content=[SR("Sold out.", cite=True)])])],
        [("citations-mixed", "/messages/2/content/0/content/0")],
        name="search-results-in-tool-result",
    ),
    Case(
        "citations-mixed",
        [U([TDOC(cite=True), SR(cite=True), TDOC("Q4 report"), SR("Sold out.")])],
        [U([TDOC(cite=True), SR(), TDOC("Q4 report", cite=True), SR("Sold out.")])],
        [("citations-mixed", "/messages/0/content/2"), ("citations-mixed", "/messages/0/content/3")],
        name="each-type-on-its-own",
    ),
    Case(
        "search-result-citations-required",
        {"tools": [WEB_SEARCH], "messages": [U([SR(cite=True), SR("Sold out."), T("Can I return it?")])]},
        {"tools": [WEB_SEARCH], "messages": [U([SR(cite=True), SR("Sold out.", cite=True), T("Can I?")])]},
        [("search-result-citations-required", "/messages/0/content/1")],  # and no citations-mixed
    ),
    Case(
        "search-result-citations-required",
        {"tools": [TOOL(), WEB_SEARCH], "messages": [*TOOL_TURN, U([TR(content=[SR(cite=False)])])]},
        {"tools": [TOOL(), WEB_SEARCH], "messages": [*TOOL_TURN, U([TR(content=[SR(cite=True)])])]},
        [("search-result-citations-required", "/messages/2/content/0/content/0")],
        name="in-tool-result",
    ),
    Case(
        "tool-result-search-mixed",
        [*TOOL_TURN, U([TR(content=[SR(), T("One more thing."), SR("Sold out.")])])],
        [*TOOL_TURN, U([TR(content=[SR(), SR("Sold out.")]), T("One more thing.")])],
        [("tool-result-search-mixed", "/messages/2/content/0/content/1")],
    ),
    Case(
        "tool-result-search-mixed",
        [*TOOL_TURN, U([TR(content=[IMG(), SR()])])],
        [*TOOL_TURN, U([TR(content=[IMG()]), SR()])],
        [("tool-result-search-mixed", "/messages/2/content/0/content/0")],
        name="image-first",
    ),
    Case(
        "tool-result-toolset-mismatch",
        [*BROWSER_TURN, U([TR(content="Opened.")])],
        [*BROWSER_TURN, U([{**TR(content="Opened."), "toolset_name": "browser"}])],
        [("tool-result-toolset-mismatch", "/messages/2/content/0/toolset_name")],
    ),
    Case(
        "tool-result-toolset-mismatch",
        [*BROWSER_TURN, U([{**TR(content="Opened."), "toolset_name": "computer"}])],
        [*BROWSER_TURN, U([{**TR(content="Opened."), "toolset_name": "browser"}])],
        [("tool-result-toolset-mismatch", "/messages/2/content/0/toolset_name")],
        name="other-toolset",
    ),
    Case(
        "tool-result-toolset-content",
        [
            *BROWSER_TURN,
            U(
                [
                    {
                        **TR(
                            content=[
                                T("Opened."),
                                DOC(type="text", media_type="text/plain", data="Page text."),
                            ]
                        ),
                        "toolset_name": "browser",
                    }
                ]
            ),
        ],
        [*BROWSER_TURN, U([{**TR(content=[T("Opened."), IMG()]), "toolset_name": "browser"}])],
        [("tool-result-toolset-content", "/messages/2/content/0/content/1")],
    ),
    Case(
        "tool-result-toolset-content",
        [*BROWSER_TURN, U([{**TR(content=[STATE(), T("Opened."), STATE()]), "toolset_name": "browser"}])],
        [*BROWSER_TURN, U([{**TR(content=[STATE(), T("Opened.")]), "toolset_name": "browser"}])],
        [("tool-result-toolset-content", "/messages/2/content/0/content/2")],
        name="two-browser-states",
    ),
    Case(
        "tool-result-toolset-content",
        [*BROWSER_TURN, U([{**TR(content=[STATE()]), "toolset_name": "browser", "is_error": True}])],
        [
            *BROWSER_TURN,
            U([{**TR(content=[T("No such page.")]), "toolset_name": "browser", "is_error": True}]),
        ],
        [("tool-result-toolset-content", "/messages/2/content/0/content/0")],
        name="browser-state-in-error",
    ),
    Case(
        "tool-result-toolset-content",
        [*COMPUTER_TURN, COMPUTER_RESULT([STATE()])],
        [*COMPUTER_TURN, COMPUTER_RESULT([IMG()])],
        [("tool-result-toolset-content", "/messages/2/content/0/content/0")],
        name="browser-state-in-computer",
    ),
    Case(
        "tool-reference-unresolved",
        {"tools": [TOOL(), TOOL("search")], "messages": [*TOOL_TURN, U([TR(content=[REF("weather")])])]},
        {"tools": [TOOL(), TOOL("search")], "messages": [*TOOL_TURN, U([TR(content=[REF("get_weather")])])]},
        [("tool-reference-unresolved", "/messages/2/content/0/content/0/tool_name")],
    ),
    Case(
        "tool-reference-unresolved",
        {"tools": [TOOL(defer_loading=True)], "messages": [U("Weather?"), S([ADD("weather")])]},
        {"tools": [TOOL(defer_loading=True)], "messages": [U("Weather?"), S([ADD()])]},
        [("tool-reference-unresolved", "/messages/1/content/0/tool/name")],
        name="tool-addition",
    ),
    Case(
        "tool-reference-unresolved",
        {
            "tools": [TOOL()],
            "messages": [U("Weather?"), S([T("No more tools."), ADD("lookup", "tool_removal")])],
        },
        {"tools": [TOOL()], "messages": [U("Weather?"), S([T("No more tools."), ADD(kind="tool_removal")])]},
        [("tool-reference-unresolved", "/messages/1/content/1/tool/name")],
        name="tool-removal",
    ),
    Case(
        "tool-reference-unresolved",
        {
            "tools": [TOOL()],
            "messages": [
                U("Hi"),
                S([ADD("lookup")]),
                A("Hello"),
                U("Add it."),
                S(
                    [
                        {
                            "type": "tool_addition",
                            "tool": {"type": "tool_definition", "definition": TOOL("lookup")},
                        }
                    ]
                ),
            ],
        },
        {
            "tools": [TOOL()],
            "messages": [
                U("Hi"),
                S(
                    [
                        {
                            "type": "tool_addition",
                            "tool": {"type": "tool_definition", "definition": TOOL("lookup")},
                        }
                    ]
                ),
                A("Hello"),
                U("Remove it."),
                S([ADD("lookup", "tool_removal")]),
            ],
        },
        [("tool-reference-unresolved", "/messages/1/content/0/tool/name")],
        name="defined-inline-only-after",
    ),
    Case(
        "tool-reference-unresolved",
        body([*TOOL_TURN, U([TR(content=[REF()])])], model="claude-opus-4-8", max_tokens=1024),
        body(
            [*TOOL_TURN, U([TR(content=[REF()])])], model="claude-opus-4-8", max_tokens=1024, tools=[TOOL()]
        ),
        [("tool-reference-unresolved", "/messages/2/content/0/content/0/tool_name")],
        name="no-tools-in-request",
    ),
    # system messages
    Case(
        "system-message-unsupported",
        body([U("Summarise."), S("Answer in French.")], model="claude-sonnet-5"),
        body([U("Summarise.")], model="claude-sonnet-5", system="Answer in French."),
        [("system-message-unsupported", "/messages/1")],
    ),
    Case(
        "system-message-position",
        [U("Hi"), A("Hello"), S("Be brief.")],
        [U("Hi"), A("Hello"), U("Go on."), S("Be brief.")],
        [("system-message-position", "/messages/2")],
    ),
    Case(
        "system-message-position",
        [U("Hi"), S("Be brief."), S("Really."), U("Go on.")],
        [U("Hi"), S("Be brief."), S("Really."), A("OK.")],
        [("system-message-position", "/messages/2")],
        [("consecutive-roles", "/messages/3")],
        name="followed-by-user",
    ),
    Case(
        "system-message-position",
        [U("Hi"), A([TU()]), S("Be brief.")],
        [U("Hi"), A([TU()]), U([TR()]), A("Done."), U("Thanks"), S("Be brief.")],
        [("system-message-position", "/messages/2")],
        name="after-pending-tool-use",
    ),
    # tool pairing
    Case(
        "tool-use-unanswered",
        [*TOOL_TURN, U("Never mind.")],
        [*TOOL_TURN, U([TR()])],
        [("tool-use-unanswered", "/messages/1/content/0")],
    ),
    Case(
        "tool-use-unanswered",
        [U("Two cities?"), A([TU("toolu_01"), TU("toolu_02")]), U([TR("toolu_01")]), A("Done.")],
        [
            U("Two cities?"),
            A([TU("toolu_01"), TU("toolu_02")]),
            U([TR("toolu_01"), TR("toolu_02")]),
            A("Done."),
        ],
        [("tool-use-unanswered", "/messages/1/content/1")],
        name="one-of-two",
    ),
    Case(
        "tool-use-unanswered",
        TOOL_TURN,
        [*TOOL_TURN, U([TR()])],
        [("tool-use-unanswered", "/messages/1/content/0")],
        model="claude-sonnet-4-5",
        name="pending-in-request-mode",
    ),
    Case(
        "tool-use-unanswered",
        {"tools": [TOOL(), WEB_SEARCH], "messages": [*TOOL_TURN[:1], A([STU(), TU()])]},
        {"tools": [TOOL(), WEB_SEARCH], "messages": [*TOOL_TURN[:1], A([STU(), TU()]), U([TR()])]},
        [("tool-use-unanswered", "/messages/1/content/1")],
        model="claude-opus-4-5",
        name="beside-a-running-server-call",  # a mixed call stopped for the tool_use: not a pause
    ),
    Case(
        "tool-result-orphan",
        [U([TR()])],
        [*TOOL_TURN, U([TR()])],
        [("tool-result-orphan", "/messages/0/content/0")],
    ),
    Case(
        "tool-result-orphan",
        [*TOOL_TURN, U([TR()]), A("Done."), U([TR()])],
        [*TOOL_TURN, U([TR()]), A("Done.")],
        [("tool-result-orphan", "/messages/4/content/0")],
        name="answers-an-older-turn",
    ),
    Case(
        "tool-result-not-first",
        [*TOOL_TURN, U([T("Here:"), TR()])],
        [*TOOL_TURN, U([TR(), T("Here:")])],
        [
            ("tool-use-unanswered", "/messages/1/content/0"),
            ("tool-result-not-first", "/messages/2/content/1"),
        ],
    ),
    Case(
        "tool-result-not-first",
        [*TOOL_TURN, U("Here:"), U([TR()])],
        [*TOOL_TURN, U([TR(), T("Here:")])],
        [
            ("tool-use-unanswered", "/messages/1/content/0"),
            ("tool-result-not-first", "/messages/3/content/0"),
        ],
        warnings=[("consecutive-roles", "/messages/3")],
        name="merged-turns",
    ),
    Case(
        "tool-result-error-empty",
        [
            U("Weather in Paris and Rome?"),
            A([TU(), TU("toolu_02")]),
            U(
                [
                    {**TR(content=""), "is_error": True},
                    {"type": "tool_result", "tool_use_id": "toolu_02", "is_error": True},
                ]
            ),
        ],
        [
            U("Weather in Paris and Rome?"),
            A([TU(), TU("toolu_02")]),
            U(
                [
                    {**TR(content="the service timed out"), "is_error": True},
                    {**TR("toolu_02", content=[T("no data")]), "is_error": True},
                ]
            ),
        ],
        [
            ("tool-result-error-empty", "/messages/2/content/0"),
            ("tool-result-error-empty", "/messages/2/content/1"),
        ],
    ),
    Case(
        "tool-result-duplicate",
        [*TOOL_TURN, U([TR(), TR()])],
        [*TOOL_TURN, U([TR()])],
        [("tool-result-duplicate", "/messages/2/content/1")],
    ),
    Case(
        "tool-result-extra-content",
        [U("Fetch and look up."), A([STU(name="web_fetch"), TU()]), U([TR(), T("Thanks!")])],
        [U("Fetch and look up."), A([STU(name="web_fetch"), TU()]), U([TR()])],
        [("tool-result-extra-content", "/messages/2/content/1")],
    ),
    Case(
        "tool-use-id-duplicate",
        [*TOOL_TURN, U([TR()]), A([TU()]), U([TR()])],
        [*TOOL_TURN, U([TR()]), A([TU("toolu_02")]), U([TR("toolu_02")])],
        [("tool-use-id-duplicate", "/messages/3/content/0/id")],
    ),
    Case(
        "tool-use-id-duplicate",
        [U("Hi"), A([STU(), WSR(), STU(), T("Done.")])],
        [U("Hi"), A([STU(), WSR(), STU("srvtoolu_02"), T("Done.")])],
        [("tool-use-id-duplicate", "/messages/1/content/2/id")],
        name="server-tool-ids",
    ),
    Case(
        "tool-use-id-invalid",
        [U("Hi"), A([TU("functions.f:0")]), U([TR("functions.f:0")])],
        [U("Hi"), A([TU("functions_f_0")]), U([TR("functions_f_0")])],
        [("tool-use-id-invalid", "/messages/1/content/0/id")],
    ),
    Case(
        "tool-use-id-invalid",
        [U("Hi"), A([TU("")]), U([TR("")])],
        [U("Hi"), A([TU("x")]), U([TR("x")])],
        [("tool-use-id-invalid", "/messages/1/content/0/id")],
        name="empty",
    ),
    Case(
        "server-tool-use-id-invalid",
        [U("Search."), A([STU("srvtoolu-01"), WSR("srvtoolu-01"), T("None.")])],
        [U("Search."), A([STU("srvtoolu_01"), WSR("srvtoolu_01"), T("None.")])],
        [("server-tool-use-id-invalid", "/messages/1/content/0/id")],
    ),
    Case(
        "server-tool-name-unknown",
        [U("Search."), A([STU(name="search"), WSR(), T("None.")])],
        [U("Search."), A([STU(name="web_search"), WSR(), T("None.")])],
        warnings=[("server-tool-name-unknown", "/messages/1/content/0/name")],
    ),
    Case(
        "server-tool-result-orphan",
        [U("Search."), A([WSR(), T("None.")])],
        [U("Search."), A([STU(), WSR(), T("None.")])],
        [("server-tool-result-orphan", "/messages/1/content/0")],
    ),
    Case(
        "server-tool-result-orphan",
        [*TOOL_TURN, U([TR()]), A([WSR("toolu_01"), T("None.")])],
        [*TOOL_TURN, U([TR()]), A([STU(), WSR(), T("None.")])],
        [("server-tool-result-orphan", "/messages/3/content/0")],
        name="answers-a-client-tool-use",
    ),
    Case(
        "server-tool-result-orphan",
        [U("Search."), A([STU(), TU()]), U([TR()]), A("Hm."), U("Go on."), A([WSR(), T("None.")])],
        [U("Search."), A([STU(), TU()]), U([TR()]), A([WSR(), T("None.")])],
        [
            ("server-tool-unfinished", "/messages/1/content/0"),  # its result did not come next
            ("server-tool-result-orphan", "/messages/5/content/0"),
        ],
        name="deferred-past-the-next-turn",
    ),
    Case(
        "server-tool-unfinished",
        [U("Search."), A([STU()]), U("Go on.")],
        [U("Search."), A([STU(), WSR(), T("None.")]), U("Go on.")],  # the continuation, merged
        [("server-tool-unfinished", "/messages/1/content/0")],
    ),
    Case(
        "server-tool-result-orphan",
        [U("Search."), A([WSR(), STU(), T("None.")])],
        [U("Search."), A([STU(), WSR(), T("None.")])],
        [("server-tool-result-orphan", "/messages/1/content/0")],
        name="result-before-use",
    ),
    # tool definitions
    Case(
        "tool-invalid",
        {"tools": [{"description": "Weather."}], "messages": [U("Hi")]},
        {"tools": [TOOL()], "messages": [U("Hi")]},
        [("tool-invalid", "/tools/0")],
    ),
    Case(
        "tool-invalid",
        {"tools": {"name": "f"}, "messages": [U("Hi")]},
        {"tools": [TOOL(), {"type": "mcp_toolset", "mcp_server_name": "docs"}], "messages": [U("Hi")]},
        [("tool-invalid", "/tools")],
        name="not-an-array",
    ),
    Case(
        "tool-invalid",
        {"tools": [TOOL(description=["Weather."])], "messages": [U("Hi")]},
        {"tools": [TOOL(description="Weather.")], "messages": [U("Hi")]},
        [("tool-invalid", "/tools/0/description")],
        name="description-not-a-string",
    ),
    Case(
        "tool-field-unknown",
        {
            "tools": [
                TOOL(descripton="Weather.", cache_control={"type": "ephemeral", "scope": "global"}),
                {"type": "web_search_20250305", "name": "web_search", "max_use": 3},
                {"type": "browser_toolset_20260801", "config": {}},
                {"type": "hologram_20990101", "name": "h", "frames": 3},  # unknown type: fields not checked
            ],
            "messages": [U("Hi")],
        },
        {
            "tools": [
                TOOL(description="Weather.", cache_control=EPH),
                {"type": "web_search_20250305", "name": "web_search", "max_uses": 3},
                {"type": "browser_toolset_20260801", "configs": {}},
            ],
            "messages": [U("Hi")],
        },
        warnings=[
            ("tool-field-unknown", "/tools/0/descripton"),
            ("tool-field-unknown", "/tools/0/cache_control/scope"),
            ("tool-field-unknown", "/tools/1/max_use"),
            ("tool-field-unknown", "/tools/2/config"),
            ("tool-type-unknown", "/tools/3/type"),
        ],
    ),
    Case(
        "tool-config-invalid",
        {
            "tools": [
                {**WEB_SEARCH, "allowed_domains": ["a.example"], "blocked_domains": ["b.example"]},
                {"type": "web_fetch_20250910", "name": "web_fetch", "blocked_domains": []},
            ],
            "messages": [U("Hi")],
        },
        {
            "tools": [
                {**WEB_SEARCH, "allowed_domains": ["a.example"]},
                {"type": "web_fetch_20250910", "name": "web_fetch", "blocked_domains": None},
            ],
            "messages": [U("Hi")],
        },
        [
            ("tool-config-invalid", "/tools/0/blocked_domains"),
            ("tool-config-invalid", "/tools/1/blocked_domains"),
        ],
    ),
    Case(
        "tools-strict-too-many",
        {
            "tools": [TOOL(f"t{i}", strict=True, input_schema=CLOSED) for i in range(21)],
            "messages": [U("Hi")],
        },
        {
            "tools": [TOOL(f"t{i}", strict=i < 20, input_schema=CLOSED) for i in range(21)],
            "messages": [U("Hi")],
        },
        [("tools-strict-too-many", "/tools/20/strict")],
    ),
    Case(
        "tool-type-unknown",
        {"tools": [{"type": "function", "name": "get_weather", "input_schema": CITY}], "messages": [U("Hi")]},
        {"tools": [{"name": "get_weather", "input_schema": CITY}], "messages": [U("Hi")]},
        warnings=[("tool-type-unknown", "/tools/0/type")],
    ),
    Case(
        "tool-schema-invalid",
        {
            "tools": [
                TOOL(
                    input_schema={
                        "type": "object",
                        "properties": {"filter[id]": {"type": "string"}, "n": "number"},
                    }
                ),
                TOOL("lookup", input_schema={"type": "object", "properties": [], "required": "q"}),
            ],
            "messages": [U("Hi")],
        },
        {
            "tools": [
                TOOL(
                    input_schema={
                        "type": "object",
                        "properties": {"filter.id": {"type": "string"}, "n": True},
                    }
                ),
                TOOL("lookup", input_schema={"type": "object", "properties": {}, "required": ["q"]}),
            ],
            "messages": [U("Hi")],
        },
        [
            ("tool-schema-invalid", "/tools/0/input_schema/properties/filter[id]"),
            ("tool-schema-invalid", "/tools/0/input_schema/properties/n"),
            ("tool-schema-invalid", "/tools/1/input_schema/properties"),
            ("tool-schema-invalid", "/tools/1/input_schema/required"),
        ],
        name="tool-schema-invalid-shape",
    ),
    Case(
        "tool-schema-unsupported",
        {
            "tools": [TOOL(input_schema={**CITY, "anyOf": [{"required": ["city"]}], "allOf": []})],
            "messages": [U("Hi")],
        },
        {
            "tools": [TOOL(input_schema={**CITY, "properties": {"at": {"anyOf": [{"type": "string"}]}}})],
            "messages": [U("Hi")],
        },
        [
            ("tool-schema-unsupported", "/tools/0/input_schema/anyOf"),
            ("tool-schema-unsupported", "/tools/0/input_schema/allOf"),
        ],
    ),
    Case(
        "tool-name-invalid",
        {"tools": [TOOL("get weather")], "messages": [U("Hi")]},
        {"tools": [TOOL("get_weather")], "messages": [U("Hi")]},
        [("tool-name-invalid", "/tools/0/name")],
    ),
    Case(
        "tool-name-invalid",
        {"tools": [TOOL("x" * 65)], "messages": [U("Hi")]},
        {"tools": [TOOL("x" * 64)], "messages": [U("Hi")]},
        [("tool-name-invalid", "/tools/0/name")],
        name="too-long",
    ),
    Case(
        "tool-name-invalid",
        {"tools": [{"type": "web_search_20250305", "name": "search"}], "messages": [U("Hi")]},
        {"tools": [{"type": "web_search_20250305", "name": "web_search"}], "messages": [U("Hi")]},
        [("tool-name-invalid", "/tools/0/name")],
        name="tool-name-invalid-server-tool",
    ),
    Case(
        "tool-name-duplicate",
        {"tools": [TOOL("search"), TOOL("search")], "messages": [U("Hi")]},
        {"tools": [TOOL("search"), TOOL("lookup")], "messages": [U("Hi")]},
        [("tool-name-duplicate", "/tools/1/name")],
    ),
    Case(
        "tool-name-duplicate",
        {
            "tools": [{"type": "web_search_20250305", "name": "web_search"}, TOOL("web_search")],
            "messages": [U("Hi")],
        },
        {
            "tools": [{"type": "web_search_20250305", "name": "web_search"}, TOOL("search")],
            "messages": [U("Hi")],
        },
        [("tool-name-duplicate", "/tools/1/name")],
        name="with-server-tool",
    ),
    Case(
        "tool-schema-invalid",
        {"tools": [{"name": "f", "input_schema": {"type": "string"}}], "messages": [U("Hi")]},
        {"tools": [TOOL("f")], "messages": [U("Hi")]},
        [("tool-schema-invalid", "/tools/0/input_schema")],
    ),
    Case(
        "tool-schema-invalid",
        {"tools": [{"name": "f"}], "messages": [U("Hi")]},
        {"tools": [TOOL("f")], "messages": [U("Hi")]},
        [("tool-schema-invalid", "/tools/0/input_schema")],
        name="missing",
    ),
    Case(
        "tool-input-example-invalid",
        {
            "tools": [TOOL("f", input_schema=CITY, input_examples=[{"city": "Paris"}, {"town": "Lyon"}])],
            "messages": [U("Hi")],
        },
        {
            "tools": [TOOL("f", input_schema=CITY, input_examples=[{"city": "Paris"}, {"city": "Lyon"}])],
            "messages": [U("Hi")],
        },
        [("tool-input-example-invalid", "/tools/0/input_examples/1")],
    ),
    Case(
        "tool-input-example-invalid",
        {
            "tools": [TOOL("f", input_schema=CITY, input_examples=[{"city": ["Paris"]}, "Paris"])],
            "messages": [U("Hi")],
        },
        {"tools": [TOOL("f", input_schema=CITY, input_examples=[{"city": "Paris"}])], "messages": [U("Hi")]},
        [
            ("tool-input-example-invalid", "/tools/0/input_examples/0"),
            ("tool-input-example-invalid", "/tools/0/input_examples/1"),
        ],
        name="wrong-type",
    ),
    # thinking
    Case(
        "thinking-not-first",
        body(
            [U("Hi"), A([T("\n\n"), THINK(), TU()]), U([TR()])],
            model="claude-opus-4-8",
            max_tokens=1024,
            thinking={"type": "adaptive"},
        ),
        body(
            [U("Hi"), A([THINK(), T("Let me check."), TU()]), U([TR()])],
            model="claude-opus-4-8",
            max_tokens=1024,
            thinking={"type": "adaptive"},
        ),
        [("thinking-not-first", "/messages/1/content/0")],
        [("assistant-text-whitespace", "/messages/1/content/0/text")],
    ),
    Case(
        "thinking-signature-missing",
        [U("Think."), A([THINK(signature=""), T("4")])],
        [U("Think."), A([THINK(), T("4")])],
        [("thinking-signature-missing", "/messages/1/content/0/signature")],
    ),
    Case(
        "thinking-signature-missing",
        [U("Think."), A([{"type": "redacted_thinking", "data": ""}, T("4")])],
        [U("Think."), A([{"type": "redacted_thinking", "data": "EmwKAhgBEgy3va"}, T("4")])],
        [("thinking-signature-missing", "/messages/1/content/0/data")],
        name="redacted",
    ),
    # prompt caching
    Case(
        "cache-control-invalid",
        [U([T("Doc", cache_control={"type": "ephemeral", "ttl": "24h"})])],
        [U([T("Doc", cache_control=EPH_1H)])],
        [("cache-control-invalid", "/messages/0/content/0/cache_control")],
    ),
    Case(
        "cache-control-invalid",
        [U([T("Doc", cache_control={"type": "persistent"})])],
        [U([T("Doc", cache_control=EPH)])],
        [("cache-control-invalid", "/messages/0/content/0/cache_control")],
        name="type",
    ),
    Case(
        "cache-control-invalid",
        {"tools": [TOOL(cache_control="yes")], "messages": [U("Hi")]},
        {"tools": [TOOL(cache_control=EPH)], "messages": [U("Hi")]},
        [("cache-control-invalid", "/tools/0/cache_control")],
        name="tool",
    ),
    Case(
        "cache-control-ineligible",
        [U("Think."), A([{**THINK(), "cache_control": EPH}, T("Done.")])],
        [U("Think."), A([THINK(), T("Done.", cache_control=EPH)])],
        [("cache-control-ineligible", "/messages/1/content/0/cache_control")],
    ),
    Case(
        "cache-control-ineligible",
        {"tools": [TOOL(), TOOL("lookup", defer_loading=True, cache_control=EPH)], "messages": [U("Hi")]},
        {"tools": [TOOL(cache_control=EPH), TOOL("lookup", defer_loading=True)], "messages": [U("Hi")]},
        [("cache-control-ineligible", "/tools/1/cache_control")],
        name="cache-control-ineligible-deferred-tool",
    ),
    Case(
        "cache-control-empty-text",
        [U([T("", cache_control=EPH), T("Hi")])],
        [U([T("Hi", cache_control=EPH)])],
        [
            ("cache-control-empty-text", "/messages/0/content/0/cache_control"),
            ("text-empty", "/messages/0/content/0/text"),
        ],
    ),
    Case(
        "cache-control-too-many",
        [U([T(f"part {i}", cache_control=EPH) for i in range(5)])],
        [U([T(f"part {i}", cache_control=EPH if i < 4 else None) for i in range(5)])],
        [("cache-control-too-many", "/messages/0/content/4/cache_control")],
    ),
    Case(
        "cache-control-too-many",
        {"cache_control": EPH, "messages": [U([T(f"part {i}", cache_control=EPH) for i in range(4)])]},
        {"cache_control": EPH, "messages": [U([T(f"part {i}", cache_control=EPH) for i in range(3)])]},
        [("cache-control-too-many", "/cache_control")],
        name="automatic-takes-a-slot",
    ),
    Case(
        "cache-control-too-many",
        {
            "tools": [{"type": "browser_toolset_20260801", "cache_control": EPH}],  # no name: a toolset
            "messages": [U([T(f"part {i}", cache_control=EPH) for i in range(4)])],
        },
        {
            "tools": [{"type": "browser_toolset_20260801", "cache_control": EPH}],
            "messages": [U([T(f"part {i}", cache_control=EPH) for i in range(3)])],
        },
        [("cache-control-too-many", "/messages/0/content/3/cache_control")],
        name="a-toolset-entry-takes-a-slot",
    ),
    Case(
        "cache-control-too-many",
        {
            "tools": [TOOL("a", cache_control=EPH), TOOL("b", cache_control=EPH)],
            "messages": [
                *TOOL_TURN,
                U(
                    [
                        TR(content=[T("r1", cache_control=EPH), T("r2", cache_control=EPH)]),
                        T("go", cache_control=EPH),
                    ]
                ),
            ],
        },
        {
            "tools": [TOOL("a"), TOOL("b", cache_control=EPH)],
            "messages": [
                *TOOL_TURN,
                U([TR(content=[T("r1"), T("r2", cache_control=EPH)]), T("go", cache_control=EPH)]),
            ],
        },
        [("cache-control-too-many", "/messages/2/content/1/cache_control")],
        name="tools-and-nested",
    ),
    Case(
        "cache-control-automatic-ttl",
        body([U([T("a", cache_control=EPH_1H)])], model="claude-opus-4-8", cache_control=EPH),
        body([U([T("a", cache_control=EPH_1H)])], model="claude-opus-4-8", cache_control=EPH_1H),
        [("cache-control-automatic-ttl", "/cache_control")],
    ),
    Case(
        "cache-ttl-order",
        [U([T("a", cache_control=EPH), T("b", cache_control=EPH_1H)])],
        [U([T("a", cache_control=EPH_1H), T("b", cache_control=EPH)])],
        [("cache-ttl-order", "/messages/0/content/1/cache_control/ttl")],
    ),
    Case(
        "cache-ttl-order",
        {"tools": [TOOL(cache_control=EPH)], "messages": [U([T("Doc", cache_control=EPH_1H)])]},
        {"tools": [TOOL(cache_control=EPH_1H)], "messages": [U([T("Doc", cache_control=EPH)])]},
        [("cache-ttl-order", "/messages/0/content/0/cache_control/ttl")],
        name="tools-before-messages",
    ),
    Case(
        "cache-control-too-many",
        {
            "tools": [WEB_FETCH],
            "messages": [
                U("Read it"),
                A([STU(name="web_fetch"), FETCHED(EPH), T("Read.")]),
                U([T(f"part {i}", cache_control=EPH) for i in range(4)]),
            ],
        },
        {
            "tools": [WEB_FETCH],
            "messages": [
                U("Read it"),
                A([STU(name="web_fetch"), FETCHED(EPH), T("Read.")]),
                U([T(f"part {i}", cache_control=EPH) for i in range(3)]),
            ],
        },
        [("cache-control-too-many", "/messages/2/content/3/cache_control")],
        name="a-fetched-document-takes-a-slot",
    ),
    Case(
        "cache-ttl-order",
        {
            "tools": [WEB_FETCH],
            "messages": [
                U("Read it"),
                A([STU(name="web_fetch"), FETCHED(EPH)]),
                U([T("Go on", cache_control=EPH_1H)]),
            ],
        },
        {
            "tools": [WEB_FETCH],
            "messages": [
                U("Read it"),
                A([STU(name="web_fetch"), FETCHED(EPH_1H)]),
                U([T("Go on", cache_control=EPH)]),
            ],
        },
        [("cache-ttl-order", "/messages/2/content/0/cache_control/ttl")],
        name="after-a-fetched-document",
    ),
    Case(
        "cache-control-invalid",
        {
            "tools": [WEB_FETCH],
            "messages": [U("Read it"), A([STU(name="web_fetch"), FETCHED({"type": "lasting"})]), U("Go on")],
        },
        {
            "tools": [WEB_FETCH],
            "messages": [U("Read it"), A([STU(name="web_fetch"), FETCHED(EPH)]), U("Go on")],
        },
        [("cache-control-invalid", "/messages/1/content/1/content/content/cache_control")],
        name="in-a-fetched-document",
    ),
    # images and documents
    Case(
        "image-source-invalid",
        [U([{"type": "image", "source": {"type": "path", "path": "/tmp/x.png"}}])],
        [U([URL_IMG()])],
        [("image-source-invalid", "/messages/0/content/0/source/type")],
    ),
    Case(
        "image-source-invalid",
        [U([{"type": "image", "source": {"type": "base64", "media_type": "image/png"}}])],
        [U([IMG()])],
        [("image-source-invalid", "/messages/0/content/0/source/data")],
        name="no-data",
    ),
    Case(
        "image-source-invalid",
        [U([{"type": "image", "source": {"type": "url"}}])],
        [U([URL_IMG()])],
        [("image-source-invalid", "/messages/0/content/0/source")],
        name="no-url",
    ),
    Case(
        "image-source-invalid",
        [U([{"type": "image", "source": {"type": "file"}}])],
        [U([{"type": "image", "source": {"type": "file", "file_id": "file_01"}}])],
        [("image-source-invalid", "/messages/0/content/0/source")],
        name="no-file-id",
    ),
    Case(
        "image-media-type-unsupported",
        [U([IMG(media_type="image/bmp")])],
        [U([IMG()])],
        [("image-media-type-unsupported", "/messages/0/content/0/source/media_type")],
    ),
    Case(
        "image-media-type-mismatch",
        [U([IMG(media_type="image/jpeg")])],
        [U([IMG(media_type="image/png")])],
        warnings=[("image-media-type-mismatch", "/messages/0/content/0/source/media_type")],
    ),
    Case(
        "document-data-invalid",
        [U([DOC(type="base64", media_type="application/pdf", data="bm90IGEgcGRm"), T("Sum up.")])],
        [U([PDF(1), T("Sum up.")])],
        [("document-data-invalid", "/messages/0/content/0/source/data")],
    ),
    Case(
        "document-data-invalid",
        [U([SEALED_PDF(), T("Sum up.")])],
        [U([SEALED_PDF(encrypt=False), T("Sum up.")])],
        [("document-data-invalid", "/messages/0/content/0/source/data")],
        name="document-data-invalid-encrypted",
    ),
    Case(
        "image-data-invalid",
        [
            U(
                [
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
                    }
                ]
            )
        ],
        [
            U(
                [
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": png_b64(4, 4)},
                    }
                ]
            )
        ],
        [("image-data-invalid", "/messages/0/content/0/source/data")],
        name="image-data-invalid-header-cut",
    ),
    Case(
        "image-data-invalid",
        # a JPEG cut off after its JFIF segment, before the frame header that gives its size
        [U([IMG(data="/9j/4AAQSkZJRgABAQAAAQABAAA=", media_type="image/jpeg")])],
        [U([IMG(data="/9j/4AAQSkZJRgABAQAAAQABAAD/wAALCAAIAAgBAREA", media_type="image/jpeg")])],
        [("image-data-invalid", "/messages/0/content/0/source/data")],
        name="image-data-invalid-jpeg-cut",
    ),
    Case(
        "image-data-invalid",
        [U([IMG(data="aGVsbG8gd29ybGQ=")])],
        [U([IMG()])],
        [("image-data-invalid", "/messages/0/content/0/source/data")],
    ),
    Case(
        "image-data-invalid",
        [U([IMG(data="not base64!")])],
        [U([IMG()])],
        [("image-data-invalid", "/messages/0/content/0/source/data")],
        name="not-base64",
    ),
    Case(
        "image-dimensions-too-large",
        [U([IMG(png_b64(8001, 600))])],
        [U([IMG(png_b64(8000, 600))])],
        [("image-dimensions-too-large", "/messages/0/content/0/source")],
    ),
    Case(
        "image-oversized",
        [U([{**IMG(png_b64(1600, 600)), "transformations": {"oversized_image": "error"}}])],
        [U([{**IMG(png_b64(1568, 600)), "transformations": {"oversized_image": "error"}}])],
        [("image-oversized", "/messages/0/content/0/transformations/oversized_image")],
        model="claude-sonnet-4-5",
    ),
    Case(
        "image-oversized",
        [
            *TOOL_TURN,
            U([TR(content=[{**IMG(png_b64(10, 3000)), "transformations": {"oversized_image": "error"}}])]),
        ],
        [*TOOL_TURN, U([TR(content=[IMG(png_b64(10, 3000))])])],  # downscaled by default: fine
        [("image-oversized", "/messages/2/content/0/content/0/transformations/oversized_image")],
        name="in-tool-result",
    ),
    Case(
        "image-oversized",
        [*COMPUTER_TURN, COMPUTER_RESULT([IMG(png_b64(3000, 2000))])],
        [*COMPUTER_TURN, COMPUTER_RESULT([IMG(png_b64(2576, 1400))])],  # 92 x 50 = 4600 tokens: fits
        [("image-oversized", "/messages/2/content/0/content/0/source")],
        name="in-a-toolset-result",
    ),
    Case(
        "image-dimensions-too-large",
        [*TOOL_TURN, U([TR(content=[IMG(png_b64(10, 9000))])])],
        [*TOOL_TURN, U([TR(content=[IMG(png_b64(10, 8000))])])],
        [("image-dimensions-too-large", "/messages/2/content/0/content/0/source")],
        name="in-tool-result",
    ),
    Case(
        "images-too-many",
        [U([URL_IMG(i) for i in range(101)])],
        [U([URL_IMG(i) for i in range(100)])],
        [("images-too-many", "/messages")],
        model="claude-sonnet-4-5",
    ),
    Case(
        "images-too-many",
        [U([URL_IMG(i) for i in range(601)])],
        [U([URL_IMG(i) for i in range(600)])],
        [("images-too-many", "/messages")],
        model="claude-opus-4-8",
        name="600",
    ),
    Case(
        "images-too-many",
        [U([PDF(60), *(URL_IMG(i) for i in range(41))])],
        [U([PDF(60), *(URL_IMG(i) for i in range(40))])],
        [("images-too-many", "/messages")],
        model="claude-sonnet-4-5",
        name="images-and-pdf-pages",
    ),
    Case(
        "server-tool-undeclared",
        {"tools": [TOOL()], "messages": [U("Find it"), A([T("Searching."), STU()])]},  # paused
        {"tools": [TOOL(), WEB_SEARCH], "messages": [U("Find it"), A([T("Searching."), STU()])]},
        [("server-tool-undeclared", "/messages/1/content/1/name")],
    ),
    Case(
        "server-tool-undeclared",
        {"tools": [TOOL()], "messages": [U("Go"), A([STU(), TU()]), U([TR()])]},
        {"tools": [TOOL()], "messages": [U("Go"), A([STU(), WSR(), TU()]), U([TR()])]},
        [("server-tool-undeclared", "/messages/1/content/0/name")],
        name="mixed-call",
    ),
    Case(
        "container-missing",
        body(PTC_TURNS, model="claude-opus-4-8", max_tokens=1024, tools=PTC_TOOLS),
        body(PTC_TURNS, model="claude-opus-4-8", max_tokens=1024, tools=PTC_TOOLS, container="container_01"),
        [("container-missing", "/messages/1/content/1/caller")],
    ),
    Case(
        "pdf-pages-too-many",
        [U([PDF(60), PDF(41)])],
        [U([PDF(60), PDF(40)])],
        [("pdf-pages-too-many", "/messages")],
        model="claude-sonnet-4-5",
    ),
    Case(
        "pdf-pages-too-many",
        [*TOOL_TURN, U([TR(content=[PDF(600)]), PDF(1)])],
        [*TOOL_TURN, U([TR(content=[PDF(600)]), DOC(type="url", url="https://example.com/a.pdf")])],
        [("pdf-pages-too-many", "/messages")],
        model="claude-opus-4-8",
        name="600-in-tool-result",
    ),
    Case(
        "many-images-too-large",
        [U([*(IMG() for _ in range(20)), IMG(png_b64(2001, 100))])],
        [U([*(IMG() for _ in range(19)), IMG(png_b64(2001, 100))])],
        [("many-images-too-large", "/messages/0/content/20")],
        model="claude-opus-4-8",
    ),
    Case(
        "document-source-invalid",
        [U([DOC(type="base64", media_type="application/msword", data="0M8R4KGx")])],
        [U([DOC(type="base64", media_type="application/pdf", data="JVBERi0xLjQK")])],
        [("document-source-invalid", "/messages/0/content/0/source/media_type")],
    ),
    Case(
        "document-source-invalid",
        [U([DOC(type="text", media_type="text/plain")])],
        [U([DOC(type="text", media_type="text/plain", data="Hello")])],
        [("document-source-invalid", "/messages/0/content/0/source/data")],
        name="no-data",
    ),
    Case(
        "document-source-invalid",
        [U([DOC(type="docx")])],
        [U([DOC(type="url", url="https://example.com/a.pdf")])],
        [("document-source-invalid", "/messages/0/content/0/source/type")],
        name="kind",
    ),
    Case(
        "document-source-invalid",
        [U([DOC(type="content", content=3)])],
        [U([DOC(type="content", content=[T("x")])])],
        [("document-source-invalid", "/messages/0/content/0/source/content")],
        name="content",
    ),
    # request parameters
    Case(
        "sampling-parameter-removed",
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024, temperature=1.0),
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024),
        [("sampling-parameter-removed", "/temperature")],
    ),
    Case(
        "sampling-parameter-removed",
        body([U("Hi")], top_p=0.9, top_k=5),
        body([U("Hi")]),
        [("sampling-parameter-removed", "/top_p"), ("sampling-parameter-removed", "/top_k")],
        name="top_p-top_k",
    ),
    # request parameters against the model profile (convo/_params.py; more in tests/test_request.py)
    Case(
        "parameter-invalid",
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024, service_tier="priority"),
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024, service_tier="auto"),
        [("parameter-invalid", "/service_tier")],
    ),
    Case(
        "parameter-unknown",
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024, reasoning_effort="high"),
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024, output_config={"effort": "high"}),
        warnings=[("parameter-unknown", "/reasoning_effort")],
    ),
    Case(
        "parameter-unknown",
        body(
            [U("Hi")],
            model="claude-opus-4-8",
            max_tokens=4096,
            thinking={"type": "adaptive", "budget_tokens": 2048},
            tool_choice={"type": "auto", "parallel": False},
            metadata={"user": "u1"},
            output_config={"effort": "high", "task_budget": 1000},
            cache_control={"type": "ephemeral", "tll": "1h"},
            context_management={"edits": []},
        ),
        body(
            [U("Hi")],
            model="claude-opus-4-8",
            max_tokens=4096,
            thinking={"type": "adaptive"},
            tool_choice={"type": "auto", "disable_parallel_tool_use": True},
            metadata={"user_id": "u1"},
            output_config={"effort": "high"},
            cache_control={"type": "ephemeral", "ttl": "1h"},
        ),
        warnings=[
            ("parameter-unknown", "/context_management"),
            ("parameter-unknown", "/cache_control/tll"),
            ("parameter-unknown", "/thinking/budget_tokens"),
            ("parameter-unknown", "/output_config/task_budget"),
            ("parameter-unknown", "/tool_choice/parallel"),
            ("parameter-unknown", "/metadata/user"),
        ],
        name="parameter-unknown-nested",
    ),
    Case(
        "model-unknown",
        body([U("Hi")], model="claude-sonet-4-6", max_tokens=1024),
        body([U("Hi")], model="claude-sonnet-4-6", max_tokens=1024),
        warnings=[("model-unknown", "/model")],
    ),
    Case(
        "model-deprecated",
        body([U("Hi")], model="claude-sonnet-4-5", max_tokens=1024),
        body([U("Hi")], model="claude-sonnet-4-6", max_tokens=1024),
        warnings=[("model-deprecated", "/model")],
    ),
    Case(
        "beta-content",
        body(
            [U("Hi"), A([{"type": "compaction", "content": "Earlier: a greeting."}, T("Hello")]), U("And?")],
            model="claude-opus-4-8",
        ),
        body([U("Hi"), A([T("Hello")]), U("And?")], model="claude-opus-4-8"),
        warnings=[("beta-content", "/messages/1/content/0")],
    ),
    Case(
        "beta-content",
        body(
            [U("Hi")],
            model="claude-opus-4-8",
            tools=[
                {
                    "type": "computer_20250124",
                    "name": "computer",
                    "display_width_px": 1024,
                    "display_height_px": 768,
                }
            ],
        ),
        body([U("Hi")], model="claude-opus-4-8", tools=[{"type": "bash_20250124", "name": "bash"}]),
        warnings=[("beta-content", "/tools/0/type")],
        name="beta-tool",
    ),
    Case(
        "output-schema-unsupported",
        body(
            [U("Hi")],
            model="claude-opus-4-8",
            max_tokens=1024,
            output_config={
                "format": {
                    "type": "json_schema",
                    "schema": {"type": "object", "properties": {"tags": {"type": "array", "minItems": 2}}},
                }
            },
        ),
        body(
            [U("Hi")],
            model="claude-opus-4-8",
            max_tokens=1024,
            output_config={
                "format": {
                    "type": "json_schema",
                    "schema": {
                        "type": "object",
                        "properties": {"tags": {"type": "array", "minItems": 1}},
                        "additionalProperties": False,
                    },
                }
            },
        ),
        [
            ("output-schema-unsupported", "/output_config/format/schema"),
            ("output-schema-unsupported", "/output_config/format/schema/properties/tags/minItems"),
        ],
    ),
    Case(
        "max-tokens-invalid",
        body([U("Hi")], model="claude-opus-4-8", max_tokens=-1),
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1),
        [("max-tokens-invalid", "/max_tokens")],
    ),
    Case(
        "max-tokens-too-large",
        body([U("Hi")], model="claude-haiku-4-5", max_tokens=64_001),
        body([U("Hi")], model="claude-haiku-4-5", max_tokens=64_000),
        [("max-tokens-too-large", "/max_tokens")],
    ),
    Case(
        "prewarm-conflict",
        body([U("Hi")], model="claude-opus-4-8", max_tokens=0, stream=True),
        body([U("Hi")], model="claude-opus-4-8", max_tokens=0, stream=False),
        [("prewarm-conflict", "/stream")],
    ),
    Case(
        "thinking-invalid",
        body([U("Hi")], model="claude-haiku-4-5", max_tokens=4096, thinking={"type": "enabled"}),
        body(
            [U("Hi")],
            model="claude-haiku-4-5",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 1024},
        ),
        [("thinking-invalid", "/thinking/budget_tokens")],
    ),
    Case(
        "thinking-type-unsupported",
        body(
            [U("Hi")],
            model="claude-opus-4-8",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 1024},
        ),
        body([U("Hi")], model="claude-opus-4-8", max_tokens=4096, thinking={"type": "adaptive"}),
        [("thinking-type-unsupported", "/thinking/type")],
    ),
    Case(
        "thinking-type-undocumented",
        body([U("Hi")], model="claude-opus-4-8", max_tokens=4096, thinking={"type": "between_tools"}),
        body([U("Hi")], model="claude-opus-4-8", max_tokens=4096, thinking={"type": "adaptive"}),
        warnings=[("thinking-type-undocumented", "/thinking/type")],
    ),
    Case(
        "thinking-enabled-deprecated",
        body(
            [U("Hi")],
            model="claude-sonnet-4-6",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 2048},
        ),
        body([U("Hi")], model="claude-sonnet-4-6", max_tokens=4096, thinking={"type": "adaptive"}),
        warnings=[("thinking-enabled-deprecated", "/thinking/type")],
    ),
    Case(
        "thinking-budget-too-small",
        body(
            [U("Hi")],
            model="claude-haiku-4-5",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 1023},
        ),
        body(
            [U("Hi")],
            model="claude-haiku-4-5",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 1024},
        ),
        [("thinking-budget-too-small", "/thinking/budget_tokens")],
    ),
    Case(
        "thinking-budget-exceeds-max-tokens",
        body(
            [U("Hi")],
            model="claude-haiku-4-5",
            max_tokens=2048,
            thinking={"type": "enabled", "budget_tokens": 2048},
        ),
        body(
            [U("Hi")],
            model="claude-haiku-4-5",
            max_tokens=2049,
            thinking={"type": "enabled", "budget_tokens": 2048},
        ),
        [("thinking-budget-exceeds-max-tokens", "/thinking/budget_tokens")],
    ),
    Case(
        "effort-unsupported",
        body([U("Hi")], model="claude-opus-4-6", max_tokens=1024, output_config={"effort": "xhigh"}),
        body([U("Hi")], model="claude-opus-4-6", max_tokens=1024, output_config={"effort": "max"}),
        [("effort-unsupported", "/output_config/effort")],
    ),
    Case(
        "tool-choice-invalid",
        body(
            [U("Hi")],
            model="claude-opus-4-8",
            max_tokens=1024,
            tools=[TOOL()],
            tool_choice={"type": "tool", "name": "x"},
        ),
        body(
            [U("Hi")],
            model="claude-opus-4-8",
            max_tokens=1024,
            tools=[TOOL()],
            tool_choice={"type": "tool", "name": "get_weather"},
        ),
        [("tool-choice-invalid", "/tool_choice/name")],
    ),
    Case(
        "tool-choice-forced-unsupported",
        body(
            [U("Hi")], model="claude-opus-5-5", max_tokens=1024, tools=[TOOL()], tool_choice={"type": "any"}
        ),
        body(
            [U("Hi")], model="claude-opus-5-5", max_tokens=1024, tools=[TOOL()], tool_choice={"type": "auto"}
        ),
        [("tool-choice-forced-unsupported", "/tool_choice/type")],
    ),
    Case(
        "citations-with-output-format",
        body(
            [U([TDOC(cite=True), T("As JSON.")])],
            model="claude-opus-4-8",
            max_tokens=1024,
            output_config=FORMAT,
        ),
        body([U([TDOC(), T("As JSON.")])], model="claude-opus-4-8", max_tokens=1024, output_config=FORMAT),
        [("citations-with-output-format", "/output_config/format")],
    ),
    Case(
        "citations-with-output-format",
        body(
            [*TOOL_TURN, U([TR(content=[SR(cite=True)])])],
            model="claude-opus-4-8",
            max_tokens=1024,
            tools=[TOOL()],
            output_config={**FORMAT, "effort": "high"},
        ),
        body(
            [*TOOL_TURN, U([TR(content=[SR(cite=True)])])],
            model="claude-opus-4-8",
            max_tokens=1024,
            tools=[TOOL()],
            output_config={"effort": "high"},
        ),
        [("citations-with-output-format", "/output_config/format")],
        name="search-result-in-tool-result",
    ),
    Case(
        "stop-sequence-empty",
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024, stop_sequences=[""]),
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024, stop_sequences=["END"]),
        [("stop-sequence-empty", "/stop_sequences/0")],
    ),
    Case(
        "stop-sequence-whitespace",
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024, stop_sequences=["END", "\n"]),
        body([U("Hi")], model="claude-opus-4-8", max_tokens=1024, stop_sequences=["END", "\nEND"]),
        [("stop-sequence-whitespace", "/stop_sequences/1")],
    ),
    Case(
        "prefill-with-thinking",
        body([U("Hi"), A("{")], model="claude-opus-4-5", max_tokens=4096, thinking={"type": "adaptive"}),
        body([U("Hi"), A("{")], model="claude-opus-4-5", max_tokens=4096),
        [("thinking-type-unsupported", "/thinking/type"), ("prefill-with-thinking", "/messages/1")],
        name="adaptive-refused-too",
    ),
    Case(
        "prefill-with-thinking",
        body(
            [U("Hi"), A("{")],
            model="claude-haiku-4-5",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 1024},
        ),
        body([U("Hi"), A("{")], model="claude-haiku-4-5", max_tokens=4096, thinking={"type": "disabled"}),
        [("prefill-with-thinking", "/messages/1")],
    ),
    Case(
        "thinking-final-block-missing",
        body(
            [U("Hi"), A([TU()]), U([TR()])],
            model="claude-haiku-4-5",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 1024},
        ),
        body(
            [U("Hi"), A([THINK(), TU()]), U([TR()])],
            model="claude-haiku-4-5",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 1024},
        ),
        [("thinking-final-block-missing", "/messages/1/content/0")],
    ),
    Case(
        "thinking-final-while-disabled",
        body(
            [U("Hi"), A([THINK(), T("It is")])],  # a prefill: the final position (§4.4)
            model="claude-haiku-4-5",
            max_tokens=4096,
            thinking={"type": "disabled"},
        ),
        body(
            [U("Hi"), A([T("It is")])],
            model="claude-haiku-4-5",
            max_tokens=4096,
            thinking={"type": "disabled"},
        ),
        [("thinking-final-while-disabled", "/messages/1/content/0")],
    ),
    Case(
        "thinking-toggled-mid-turn",
        body(
            [U("Hi"), A([THINK(), TU()]), U([TR()])],  # between a tool call and its result (§4.5)
            model="claude-haiku-4-5",
            max_tokens=4096,
            thinking={"type": "disabled"},
        ),
        body(
            [U("Hi"), A([THINK(), TU()]), U([TR()])],
            model="claude-haiku-4-5",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 1024},
        ),
        warnings=[("thinking-toggled-mid-turn", "/messages/1/content/0")],
    ),
]

SPECIAL = {
    "messages-too-many",
    "image-too-large",
    "message-malformed",
    "request-too-large",
    "fallback-declined-tool-use",
}
"""Codes tested by their own functions (inputs too large for the table, or a known bug);
request-too-large is in tests/test_conversation.py, and fallback-declined-tool-use in
tests/test_fallback_replay.py (its fixed turn keeps a beta block, which always warns)."""


def test_every_rule_has_a_case() -> None:
    covered = {case.code for case in CASES} | SPECIAL
    assert covered == set(convo.RULES), sorted(set(convo.RULES) ^ covered)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_triggers_exactly(case: Case) -> None:
    assert found(case.bad, case.model) == (case.errors, case.warnings)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_fixed_reports_nothing(case: Case) -> None:
    assert found(case.fixed, case.model) == ([], [])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_problems_carry_the_catalogue_facts(case: Case) -> None:
    for p in convo.check(case.bad, model=case.model).problems:
        rule = convo.RULES[p.code]
        assert (p.severity, p.hint, p.scope) == (rule.severity, rule.hint, rule.scope)
        assert p.message and "\n" not in p.message
        assert p.path == "" or p.path.startswith("/")


def test_rule_catalogue_is_well_formed() -> None:
    for code, rule in convo.RULES.items():
        assert code == code.lower() and " " not in code and "_" not in code
        assert rule.severity in ("error", "warning")
        assert rule.scope in ("conversation", "request")
        assert rule.summary and rule.hint


# --- rules that need big or special inputs --------------------------------------------------------


def _many_messages(n: int) -> str:
    turns = ('{"role":"user","content":"a"}', '{"role":"assistant","content":"b"}')
    return "[" + ",".join(turns[i % 2] for i in range(n)) + "]"


def test_messages_too_many() -> None:
    assert found(_many_messages(100_001)) == ([("messages-too-many", "/messages/100000")], [])
    assert found(_many_messages(100_000)) == ([], [])
    assert len(Conversation.from_wire(_many_messages(100_001))) == 100_001  # loads, to be trimmed


def test_image_too_large() -> None:
    big = png_b64(100, 100, pad=7_900_000)  # just over 10 MB of base64
    assert len(big) > 10 * 1024 * 1024
    assert found([U([IMG(big)])]) == ([("image-too-large", "/messages/0/content/0/source/data")], [])
    small = png_b64(100, 100, pad=7_000_000)
    assert len(small) < 10 * 1024 * 1024
    assert found([U([IMG(small)])]) == ([], [])


def test_message_malformed_is_reported() -> None:
    for bad, path in (
        ([U("Hi"), A(42)], "/messages/1/content"),
        ([{"role": "user"}], "/messages/0/content"),
        ([42], "/messages/0"),
    ):
        errors, _ = found(bad)
        assert ("message-malformed", path) in errors
    assert found([U("Hi"), A("42")]) == ([], [])


def test_message_malformed_exactly() -> None:
    assert found([U(42)]) == ([("message-malformed", "/messages/0/content")], [])


# --- model-dependent rules ------------------------------------------------------------------------


PREFILL = [U("Reply in JSON."), A("{")]


@pytest.mark.parametrize(
    "model",
    [
        "claude-opus-4-8",
        "claude-opus-4-6",
        "claude-sonnet-4-6",
        "claude-sonnet-5",
        "claude-opus-5",
        "claude-fable-5",
        "claude-mythos-preview",
    ],
)
def test_prefill_rejected_on_4_6_and_later(model: str) -> None:
    assert found(PREFILL, model) == ([("prefill-unsupported", "/messages/1")], [])


@pytest.mark.parametrize(
    "model",
    [
        "claude-sonnet-4-5",
        "claude-opus-4-5",
        "claude-haiku-4-5",
        "claude-sonnet-4-5-20250929",
        "claude-some-future-model",
    ],
)
def test_prefill_allowed_on_4_5_and_unknown_models(model: str) -> None:
    unknown = [("model-unknown", "/model")] if model == "claude-some-future-model" else []
    assert found(PREFILL, model) == ([], unknown)


def test_a_model_is_warned_about_whatever_the_input_shape() -> None:
    """`convo check --model M` on a messages array or JSON Lines warns as on a request body."""
    for data in ([U("Hi")], body([U("Hi")])):
        assert found(data, "claude-sonet-4-6")[1] == [("model-unknown", "/model")]
        assert convo.check(data, model="claude-sonnet-4-5").warnings[0].code == "model-deprecated"


@pytest.mark.parametrize("model", [123, "", None, ["claude-opus-4-8"]])
def test_a_model_that_is_not_an_id_is_an_error(model: object) -> None:
    assert found(body([U("Hi")], model=model, max_tokens=10)) == ([("parameter-invalid", "/model")], [])


def test_prefill_model_named_in_body() -> None:
    assert found(body(PREFILL, model="claude-opus-4-8")) == ([("prefill-unsupported", "/messages/1")], [])
    assert found(body(PREFILL, model="claude-opus-4-5")) == ([], [])
    # an explicit model wins over the body's
    assert found(body(PREFILL, model="claude-opus-4-5"), "claude-opus-4-8")[0] == [
        ("prefill-unsupported", "/messages/1")
    ]


SYSTEM_MESSAGE = [U("Summarise the log."), S("From now on, answer in French.")]


@pytest.mark.parametrize("model", ["claude-sonnet-5", "claude-sonnet-4-5", "claude-opus-4-6"])
def test_system_message_rejected(model: str) -> None:
    assert found(SYSTEM_MESSAGE, model) == ([("system-message-unsupported", "/messages/1")], [])


@pytest.mark.parametrize(
    "model", ["claude-opus-4-8", "claude-opus-5", "claude-fable-5", "claude-mythos-5", None]
)
def test_system_message_accepted(model: str | None) -> None:
    assert found(SYSTEM_MESSAGE, model) == ([], [])


def test_system_message_model_rule_applies_when_loading() -> None:
    assert len(Conversation.from_wire(SYSTEM_MESSAGE, model="claude-opus-4-8")) == 2
    with pytest.raises(convo.ValidationError) as info:
        Conversation.from_wire(SYSTEM_MESSAGE, model="claude-sonnet-5")
    assert [(p.code, p.path) for p in info.value.errors] == [("system-message-unsupported", "/messages/1")]
    with pytest.raises(convo.ValidationError):
        Conversation(model="claude-sonnet-5").user("Hi").append(S("Answer in French."))


# --- conversation mode and request mode -----------------------------------------------------------


def test_readiness_rules_only_in_request_mode() -> None:
    history = [U("Weather?"), A([T("Checking. "), TU()])]
    assert found(history) == ([], [])
    conv = Conversation.from_wire(history)
    assert conv.check().valid
    expected = [("prefill-unsupported", "/messages/1"), ("tool-use-unanswered", "/messages/1/content/1")]
    assert found(history, "claude-opus-4-8") == (expected, [])
    assert [(p.code, p.path) for p in conv.check(model="claude-opus-4-8").errors] == expected
    assert found(body(history, model="claude-opus-4-8")) == (expected, [])


def test_trailing_whitespace_only_in_request_mode() -> None:
    history = [U("Hi"), A("Hello ")]
    assert found(history) == ([], [])
    assert found(history, "claude-sonnet-4-5") == (
        [("final-assistant-trailing-whitespace", "/messages/1")],
        [],
    )
    # not the last message: no rule about its trailing whitespace
    assert found([*history, U("And?")], "claude-sonnet-4-5") == ([], [])


def test_image_limits_only_in_request_mode() -> None:
    many = [U([URL_IMG(i) for i in range(101)])]
    assert found(many) == ([], [])
    assert found(many, "claude-sonnet-4-5") == ([("images-too-many", "/messages")], [])
    assert found(many, "claude-opus-4-8") == ([], [])


def test_images_counted_across_turns_and_tool_results() -> None:
    messages = [
        U([URL_IMG(i) for i in range(60)]),
        A([TU()]),
        U([TR(content=[URL_IMG(i) for i in range(41)])]),
    ]
    assert found(messages, "claude-sonnet-4-5") == ([("images-too-many", "/messages")], [])


def test_final_empty_assistant_is_allowed() -> None:
    assert found([U("Hi"), A([])]) == ([], [])
    assert found([U("Hi"), A([])], "claude-sonnet-4-5") == ([], [])


def test_deferred_server_tool_result_pairs_with_earlier_use() -> None:
    """api-rules §3.8: a deferred server tool's result starts the next assistant response."""
    history = [
        U("Fetch and look up."),
        A([STU(name="web_fetch"), TU()]),
        U([TR()]),
        A(
            [
                {
                    "type": "web_fetch_tool_result",
                    "tool_use_id": "srvtoolu_01",
                    "content": {"type": "web_fetch_tool_result_error", "error_code": "unavailable"},
                },
                T("Done."),
            ]
        ),
    ]
    assert found(history) == ([], [])


def test_consecutive_system_messages_are_allowed() -> None:
    assert found([U("Hi"), S("Be brief."), S("And polite."), A("Hello.")]) == ([], [])


def test_system_message_after_server_tool_result() -> None:
    """api-rules §1.3: a system message may follow an assistant turn ending in a server-tool result."""
    assert found([U("Search."), A([STU(), WSR()]), S("Cite sources."), A("Found nothing.")])[0] == []


# --- scope ----------------------------------------------------------------------------------------


def test_the_automatic_breakpoint_walks_back_over_thinking_to_compare_ttls() -> None:
    final = A([T("a", cache_control=EPH_1H), {"type": "redacted_thinking", "data": "xx"}])
    data = body([U("q"), final], model="claude-sonnet-4-5", cache_control=EPH)
    assert ("cache-control-automatic-ttl", "/cache_control") in found(data)[0]
    data["cache_control"] = EPH_1H
    assert "cache-control-automatic-ttl" not in {code for code, _ in found(data)[0]}


def test_request_scope_does_not_stop_loading() -> None:
    data = body([U("Hi")], model="claude-opus-4-8", temperature=0.5)
    report = convo.check(data)
    assert not report.valid
    assert report.conversation_errors == ()
    assert [p.code for p in report.request_errors] == ["sampling-parameter-removed"]
    assert report.request_errors[0].scope == "request"
    assert Conversation.from_wire(data).to_json() == b'{"messages":[{"role":"user","content":"Hi"}]}'


def test_what_the_api_puts_before_thinking_is_not_thinking_not_first() -> None:
    """A pause_turn continuation merges with the turn before it (§1.6); fallback, MCP tool
    listings and the results of earlier server calls (§3.8) open a response in place."""
    search = {"type": "web_search_20250305", "name": "web_search"}
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []}
    bodies = [
        [U("Find notes"), A([THINK(), STU()]), A([result, THINK(), T("Nothing new.")]), U("Thanks")],
        [U("Hi"), A([THINK(), T("Part one.")]), A([T("Part two."), THINK(), T("Done.")]), U("Thanks")],
        [
            U("Hi"),
            A([{"type": "fallback", "from": {"model": "a"}, "to": {"model": "b"}}, THINK(), T("Hi.")]),
            U("Go"),
        ],
        [
            U("Hi"),
            A([{"type": "mcp_tool_listing", "mcp_server_name": "docs", "tools": []}, THINK(), T("Hi.")]),
            U("Go"),
        ],
        # a server tool call the model made before thinking, sent back as it came (§4.2: no reordering)
        [U("Find notes"), A([STU(), result, THINK(), T("Nothing new.")]), U("Thanks")],
    ]
    for messages in bodies:
        req = body(
            messages, model="claude-opus-4-8", max_tokens=1024, thinking={"type": "adaptive"}, tools=[search]
        )
        assert "thinking-not-first" not in {p.code for p in convo.check(req).problems}


def test_a_system_message_may_carry_only_a_change_of_effort() -> None:
    """§1.1: the beta system message needs content or output_config, not both."""
    effort = {"role": "system", "content": [], "output_config": {"effort": "low"}}
    assert found([U("Hi"), A("Hello"), U("Go on."), effort]) == ([], [])
    assert found([U("Hi"), A("Hello"), U("Go on."), {**effort, "content": ""}]) == ([], [])
    assert found(
        [U("Hi"), A("Hello"), U("Go on."), {"role": "system", "output_config": {"effort": "low"}}]
    ) == (
        [],
        [],
    )
    assert found([U("Hi"), A("Hello"), U("Go on."), S([])]) == (
        [("content-empty", "/messages/3/content")],
        [],
    )


SYSTEM_TAIL = [U("Hi"), A("Hello"), U("Go on.")]
#: The betas of a system message's clear_at and output_config (rule beta-content)
SYSTEM_BETAS = ["mid-conversation-system-clear-at-2026-08-21", "mid-conversation-output-config-2026-07-01"]
BAD_SYSTEM_FIELDS = [
    ({**S("x"), "output_config": {"effort": "ultra"}}, [("message-malformed", "/messages/3/output_config/effort")]),
    ({**S("x"), "output_config": "high"}, [("message-malformed", "/messages/3/output_config")]),
    ({**S("x"), "output_config": ["effort"]}, [("message-malformed", "/messages/3/output_config")]),
    ({**S("x"), "clear_at": "always"}, [("message-malformed", "/messages/3/clear_at")]),
    ({**S("x"), "clear_at": ["never"]}, [("message-malformed", "/messages/3/clear_at")]),
    ({**S("x"), "output_config": {"effort": {"level": "low"}}}, [("message-malformed", "/messages/3/output_config/effort")]),
    ({**S("x"), "output_config": {"format": FORMAT["format"]}}, [("message-malformed", "/messages/3/output_config/format")]),
    # with neither content nor an output_config field (§1.1: an empty {} counts for nothing)
    ({"role": "system", "output_config": {}}, [("content-empty", "/messages/3/content")]),
    ({**S(""), "output_config": {}}, [("content-empty", "/messages/3/content")]),
    ({**S([]), "output_config": {"effort": None}}, [("content-empty", "/messages/3/content")]),
    ({"role": "system", "output_config": None}, [("content-empty", "/messages/3/content")]),
]  # fmt: skip


@pytest.mark.parametrize(("message", "errors"), BAD_SYSTEM_FIELDS)
def test_the_beta_fields_of_a_system_message_are_checked(message: dict[str, Any], errors: Pairs) -> None:
    """§1.1: ``clear_at`` and ``output_config.effort`` take the values of the SDK's beta
    ``BetaSystemMessageParam``; ``format`` is top-level only.  As read and as appended."""
    assert found([*SYSTEM_TAIL, message], "claude-opus-4-8")[0] == errors
    assert found([*SYSTEM_TAIL, message]) == (errors, [])
    with pytest.raises(convo.ValidationError) as info:
        Conversation.from_wire(SYSTEM_TAIL).append(message)
    assert [(p.code, p.path) for p in info.value.errors] == errors


def test_an_unknown_field_of_a_system_message_s_output_config_is_a_warning() -> None:
    message = {**S("x"), "output_config": {"efort": "low"}}
    assert found([*SYSTEM_TAIL, message]) == (
        [],
        [("message-field-unknown", "/messages/3/output_config/efort")],
    )
    (warning,) = convo.check([*SYSTEM_TAIL, message]).warnings
    assert "did you mean 'effort'" in warning.message
    assert Conversation.from_wire(SYSTEM_TAIL).append(message).messages[3].to_dict() == message


@pytest.mark.parametrize(
    "message",
    [
        {"role": "system", "output_config": {"effort": "low"}},
        {**S(""), "output_config": {"effort": "max"}},
        {**S("x"), "output_config": {}},
        {**S("x"), "output_config": {"effort": None}},
        {**S("x"), "output_config": None, "clear_at": None},
        {**S("x"), "clear_at": "never"},
        {**S([T("x")]), "clear_at": "next_user_message", "output_config": {"effort": "xhigh"}},
    ],
)
def test_the_beta_fields_of_a_system_message_in_their_valid_forms(message: dict[str, Any]) -> None:
    assert convo.check([*SYSTEM_TAIL, message], model="claude-opus-4-8", betas=SYSTEM_BETAS).problems == ()
    conv = Conversation.from_wire(SYSTEM_TAIL).append(message)
    assert conv.messages[3].to_dict() == message
    assert Conversation.from_wire(conv.to_json()) == conv


def test_a_system_message_s_effort_follows_the_model_as_the_top_level_one_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A level the model refuses is ``effort-unsupported`` (scope request) in a system message
    too; no model on the table takes system messages and refuses a level, so one is made."""
    narrow = attrs.evolve(
        convo.profile("claude-opus-4-8"), effort_levels=frozenset({"low", "medium", "high"})
    )
    monkeypatch.setattr(convo._conversation, "profile", lambda model: narrow)
    message = {**S("x"), "output_config": {"effort": "max"}}
    report = convo.check(
        body([*SYSTEM_TAIL, message], model="claude-opus-4-8", output_config={"effort": "max"}),
        betas=SYSTEM_BETAS,
    )
    assert [(p.code, p.path, p.scope) for p in report.problems] == [
        ("effort-unsupported", "/output_config/effort", "request"),
        ("effort-unsupported", "/messages/3/output_config/effort", "request"),
    ]
    assert report.problems[0].message == report.problems[1].message
    assert found([*SYSTEM_TAIL, {**message, "output_config": {"effort": "high"}}], "claude-opus-4-8")[0] == []
    # a model that takes no system message: that is the error, not its effort
    monkeypatch.setattr(
        convo._conversation, "profile", lambda model: attrs.evolve(narrow, system_messages=False)
    )
    assert found([*SYSTEM_TAIL, message], "claude-opus-4-8")[0] == [
        ("system-message-unsupported", "/messages/3")
    ]


def test_only_request_parameter_rules_are_request_scoped() -> None:
    request_rules = {case.code for case in CASES if isinstance(case.bad, dict) and "model" in case.bad}
    request_rules -= {"images-too-many", "many-images-too-large", "prefill-unsupported"}
    scoped = {code for code, rule in convo.RULES.items() if rule.scope == "request"}
    assert "sampling-parameter-removed" in scoped and "max-tokens-too-large" in scoped
    # and the request's own limit on messages: a conversation may grow past it, to be trimmed
    # fallback-declined-tool-use: a request refused for its history, tested with a model elsewhere
    tested_apart = {
        "sampling-parameter-removed",
        "request-too-large",
        "messages-too-many",
        "fallback-declined-tool-use",
    }
    assert scoped <= request_rules | tested_apart


# --- ValidationError ------------------------------------------------------------------------------


def test_validation_error_is_a_value_error_with_every_error() -> None:
    assert issubclass(convo.ValidationError, ValueError)
    assert issubclass(convo.ValidationError, convo.ConvoError)
    with pytest.raises(ValueError) as info:
        Conversation.from_wire([U([T("")]), A([TU("bad id")]), U([TR("bad id"), TR("bad id")])])
    error = info.value
    assert isinstance(error, convo.ValidationError)
    assert [(p.code, p.path) for p in error.errors] == [
        ("text-empty", "/messages/0/content/0/text"),
        ("tool-use-id-invalid", "/messages/1/content/0/id"),
        ("tool-result-duplicate", "/messages/2/content/1"),
    ]
    assert all(isinstance(p, convo.Problem) and p.severity == "error" for p in error.errors)
    assert "text-empty" in str(error) and "/messages/1/content/0/id" in str(error)


def test_warnings_never_raise() -> None:
    conv = Conversation.from_wire([A("Hello"), A("Again"), U([T("Hi"), {"type": "hologram"}])])
    assert len(conv) == 3
    conv = conv.user("More").append(U([{"type": "hologram"}]))
    assert len(conv) == 5


def test_input_error_for_unreadable_input() -> None:
    for data in (b"\xff", b"{", b"42", b'{"model": "x"}', b"[" * 10_000 + b"]" * 10_000):
        with pytest.raises(convo.InputError):
            Conversation.from_wire(data)
        assert found(data) == ([("input-unreadable", "")], [])


@pytest.mark.parametrize(
    ("data", "says"),
    [(b"", "input is empty"), (" \n\t", "input is empty"), (b"\xef\xbb\xbf[]", "byte-order mark")],
)
def test_empty_input_and_a_byte_order_mark_say_so(data: bytes | str, says: str) -> None:
    with pytest.raises(convo.InputError, match=says):
        Conversation.from_wire(data)


# --- incremental appends raise on the same problems -----------------------------------------------


def _raises(build: Any) -> Pairs:
    with pytest.raises(convo.ValidationError) as info:
        build()
    return [(p.code, p.path) for p in info.value.errors]


def _tool_turn() -> Conversation:
    return Conversation().user("Weather in Paris?").assistant([TU()])


INCREMENTAL = [
    ("content-empty", lambda: Conversation().user([]), [("content-empty", "/messages/0/content")]),
    (
        "content-empty-after-empty-assistant",
        lambda: Conversation().user("Hi").assistant([]).user("Well?"),
        [("content-empty", "/messages/1/content")],
    ),
    (
        "text-empty",
        lambda: Conversation().user("Hi").assistant([T("")]),
        [("text-empty", "/messages/1/content/0/text")],
    ),
    ("text-whitespace", lambda: Conversation().user(" "), [("text-whitespace", "/messages/0/content")]),
    (
        "citations-in-user",
        lambda: Conversation().user([T("x", citations=[CITE])]),
        [("citations-in-user", "/messages/0/content/0/citations")],
    ),
    (
        "role-invalid",
        lambda: Conversation().user("Hi").append({"role": "bot", "content": "x"}),
        [("role-invalid", "/messages/1/role")],
    ),
    (
        "message-malformed",
        lambda: Conversation().user("Hi").append({"role": "assistant", "content": 42}),
        [("message-malformed", "/messages/1/content")],
    ),
    ("block-role", lambda: Conversation().user([THINK()]), [("block-role", "/messages/0/content/0")]),
    (
        "system-message-position",
        lambda: Conversation().user("Hi").assistant("Hello").append(S("Be brief.")),
        [("system-message-position", "/messages/2")],
    ),
    (
        "system-message-position-first",
        lambda: Conversation().append(S("Be brief.")),
        [("system-message-position", "/messages/0")],
    ),
    (
        "tool-use-unanswered",
        lambda: _tool_turn().user("Never mind."),
        [("tool-use-unanswered", "/messages/1/content/0")],
    ),
    (
        "tool-use-unanswered-assistant-next",
        lambda: (
            Conversation()
            .user("Two?")
            .assistant([TU("toolu_01"), TU("toolu_02")])
            .user([TR("toolu_01")])
            .assistant("Done.")
        ),
        [("tool-use-unanswered", "/messages/1/content/1")],
    ),
    (
        "tool-result-orphan",
        lambda: Conversation().user("Hi").assistant("Hello").user([TR()]),
        [("tool-result-orphan", "/messages/2/content/0")],
    ),
    (
        "tool-result-not-first",
        lambda: _tool_turn().user([T("Here:"), TR()]),
        [
            ("tool-use-unanswered", "/messages/1/content/0"),
            ("tool-result-not-first", "/messages/2/content/1"),
        ],
    ),
    (
        "tool-result-duplicate",
        lambda: _tool_turn().user([TR(), TR()]),
        [("tool-result-duplicate", "/messages/2/content/1")],
    ),
    (
        "tool-result-extra-content",
        lambda: (
            Conversation().user("Go.").assistant([STU(name="web_fetch"), TU()]).user([TR(), T("Thanks!")])
        ),
        [("tool-result-extra-content", "/messages/2/content/1")],
    ),
    (
        "tool-use-id-duplicate",
        lambda: _tool_turn().tool_results({"toolu_01": "18°C"}).assistant([TU()]),
        [("tool-use-id-duplicate", "/messages/3/content/0/id")],
    ),
    (
        "tool-use-id-invalid",
        lambda: Conversation().user("Hi").assistant([TU("a.b")]),
        [("tool-use-id-invalid", "/messages/1/content/0/id")],
    ),
    (
        "server-tool-use-id-invalid",
        lambda: Conversation().user("Hi").assistant([STU("srvtoolu-1"), WSR("srvtoolu-1")]),
        [("server-tool-use-id-invalid", "/messages/1/content/0/id")],
    ),
    (
        "server-tool-result-orphan",
        lambda: Conversation().user("Hi").assistant([WSR(), T("None.")]),
        [("server-tool-result-orphan", "/messages/1/content/0")],
    ),
    (
        "thinking-signature-missing",
        lambda: Conversation().user("Hi").assistant([THINK(""), T("4")]),
        [("thinking-signature-missing", "/messages/1/content/0/signature")],
    ),
    (
        "cache-control-invalid",
        lambda: Conversation().user([T("Doc", cache_control={"type": "persistent"})]),
        [("cache-control-invalid", "/messages/0/content/0/cache_control")],
    ),
    (
        "cache-control-ineligible",
        lambda: Conversation().user("Hi").assistant([{**THINK(), "cache_control": EPH}]),
        [("cache-control-ineligible", "/messages/1/content/0/cache_control")],
    ),
    (
        "cache-control-too-many",
        lambda: (
            Conversation()
            .user([T(f"{i}", cache_control=EPH) for i in range(3)])
            .assistant("ok")
            .user([T("a", cache_control=EPH), T("b", cache_control=EPH)])
        ),
        [("cache-control-too-many", "/messages/2/content/1/cache_control")],
    ),
    (
        "cache-ttl-order",
        lambda: (
            Conversation()
            .user([T("a", cache_control=EPH)])
            .assistant("ok")
            .user([T("b", cache_control=EPH_1H)])
        ),
        [("cache-ttl-order", "/messages/2/content/0/cache_control/ttl")],
    ),
    (
        "image-data-invalid",
        lambda: Conversation().user([IMG(data="aGVsbG8=")]),
        [("image-data-invalid", "/messages/0/content/0/source/data")],
    ),
    (
        "image-dimensions-too-large",
        lambda: Conversation().user([IMG(png_b64(9000, 10))]),
        [("image-dimensions-too-large", "/messages/0/content/0/source")],
    ),
    (
        "image-media-type-unsupported",
        lambda: Conversation().user([IMG(media_type="image/tiff")]),
        [("image-media-type-unsupported", "/messages/0/content/0/source/media_type")],
    ),
    (
        "document-source-invalid",
        lambda: Conversation().user([DOC(type="docx")]),
        [("document-source-invalid", "/messages/0/content/0/source/type")],
    ),
    (
        "citations-mixed",
        lambda: Conversation().user([TDOC(cite=True), T("Read it.")]).assistant("Done.").user([TDOC()]),
        [("citations-mixed", "/messages/2/content/0")],
    ),
    (
        "search-result-citations-required",
        lambda: Conversation(tools=[WEB_SEARCH]).user([SR(), T("Can I return it?")]),
        [("search-result-citations-required", "/messages/0/content/0")],
    ),
    (
        "tool-result-search-mixed",
        lambda: _tool_turn().tool_results({"toolu_01": [SR(), T("That is all.")]}),
        [("tool-result-search-mixed", "/messages/2/content/0/content/1")],
    ),
    (
        "tool-reference-unresolved",
        lambda: Conversation(tools=[TOOL()]).user("Weather?").append(S([ADD("weather")])),
        [("tool-reference-unresolved", "/messages/1/content/0/tool/name")],
    ),
    (
        "tool-results-content",
        lambda: _tool_turn().tool_results({"toolu_01": [T("")]}),
        [("text-empty", "/messages/2/content/0/content/0/text")],
    ),
    (
        "reply",
        # (an empty text block in a response is left out, not an error: test_reply.py)
        lambda: (
            Conversation().user("Hi").reply({"type": "message", "role": "assistant", "content": [TU("x y")]})
        ),
        [("tool-use-id-invalid", "/messages/1/content/0/id")],
    ),
]


@pytest.mark.parametrize(("name", "build", "expected"), INCREMENTAL, ids=[c[0] for c in INCREMENTAL])
def test_append_raises_like_from_wire(name: str, build: Any, expected: Pairs) -> None:
    assert _raises(build) == expected


def test_append_matches_whole_check() -> None:
    """Each incremental failure is what checking the whole conversation reports."""
    base = _tool_turn()
    bad = U([T("Here:"), TR()])
    whole = found([*(m.to_dict() for m in base.messages), bad])[0]
    assert _raises(lambda: base.append(bad)) == whole


def test_append_leaves_the_conversation_unchanged() -> None:
    base = _tool_turn()
    with pytest.raises(convo.ValidationError):
        base.user("Never mind.")
    assert len(base) == 2 and [u.id for u in base.pending_tool_uses] == ["toolu_01"]
    assert len(base.tool_results({"toolu_01": "18°C"})) == 3


def test_failed_append_does_not_reserve_tool_ids() -> None:
    base = Conversation().user("Hi")
    with pytest.raises(convo.ValidationError):
        base.assistant([TU("toolu_05"), T("")])
    assert len(base.assistant([TU("toolu_05")])) == 2


def test_branches_keep_their_own_tool_ids() -> None:
    base = Conversation().user("Hi")
    first = base.assistant([TU("toolu_01")])
    second = base.assistant([TU("toolu_01")])  # a branch may reuse the id
    assert first.tool_results({"toolu_01": "a"}).check().valid
    assert second.tool_results({"toolu_01": "b"}).check().valid


def test_messages_too_many_incremental() -> None:
    conv = Conversation()
    user, assistant = Message("user", "a"), Message("assistant", "b")
    for _ in range(50_000):
        conv = conv.append(user).append(assistant)
    assert len(conv) == 100_000
    over = conv.append(user)  # a history may grow past a request's limit, to be trimmed
    assert [(p.code, p.path) for p in over.check().errors] == [("messages-too-many", "/messages/100000")]
    assert _raises(lambda: over.request(model="claude-opus-4-8", max_tokens=10)) == [
        ("messages-too-many", "/messages/100000")
    ]
    trimmed = over.trim(50_000, counter=convo.LocalCounter())
    assert len(trimmed) < 100_000 and trimmed.request(model="claude-opus-4-8", max_tokens=10)


def test_tool_results_rejects_wrong_ids() -> None:
    conv = _tool_turn()
    with pytest.raises(convo.ConvoError):
        conv.tool_results({})
    with pytest.raises(convo.ConvoError):
        conv.tool_results({"toolu_01": "a", "toolu_99": "b"})
    with pytest.raises(convo.InvalidArgument, match="no tool_use is pending"):
        Conversation().user("Hi").tool_results({})  # was a content-empty ValidationError


def test_tool_results_exception_becomes_error_result() -> None:
    conv = _tool_turn().tool_results({"toolu_01": TimeoutError("timed out")})
    assert conv.messages[-1].to_dict() == U(
        [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "timed out", "is_error": True}]
    )


# --- bugs found and fixed: each test pins the fix ------------------------------------------------


def test_system_breakpoints_count() -> None:
    data = {
        "system": [T("Be brief.", cache_control=EPH)],
        "messages": [U([T(f"{i}", cache_control=EPH) for i in range(4)])],
    }
    assert found(data) == ([("cache-control-too-many", "/messages/0/content/3/cache_control")], [])


def test_system_cache_control_validated() -> None:
    data = {"system": [T("Be brief.", cache_control={"type": "persistent"})], "messages": [U("Hi")]}
    assert found(data) == ([("cache-control-invalid", "/system/0/cache_control")], [])


def test_system_ttl_order() -> None:
    data = {
        "tools": [TOOL(cache_control=EPH)],
        "system": [T("Be brief.", cache_control=EPH_1H)],
        "messages": [U("Hi")],
    }
    assert found(data) == ([("cache-ttl-order", "/system/0/cache_control/ttl")], [])


def test_automatic_breakpoint_ttl_order() -> None:
    data = {"cache_control": EPH, "messages": [U([T("Doc", cache_control=EPH_1H), T("Question")])]}
    assert found(data) == ([], [])


def test_cache_control_without_type_is_invalid() -> None:
    """The SDK's CacheControlEphemeralParam has type: Required['ephemeral']."""
    assert found([U([T("Doc", cache_control={})])]) == (
        [("cache-control-invalid", "/messages/0/content/0/cache_control")],
        [],
    )


def test_built_cache_control_keeps_its_type() -> None:
    conv = Conversation().user([T("Doc", cache_control=EPH)])
    assert conv.messages[0].to_dict()["content"][0]["cache_control"] == EPH


def test_system_message_after_tool_results() -> None:
    assert found([*TOOL_TURN, U([TR()]), S("Be brief."), A("Done.")]) == ([], [])


def test_pause_turn_is_not_prefill() -> None:
    paused = [U("Search."), A([STU()])]
    assert found({"tools": [WEB_SEARCH], "messages": paused}, "claude-opus-4-8") == ([], [])


def test_a_whitespace_system_string_is_refused_as_its_block_is() -> None:
    """§1.10: the string form of the system prompt is a text block too."""
    assert found({"system": " \n", "messages": [U("Hi")]}) == ([("text-whitespace", "/system")], [])
    assert found({"system": [T(" \n")], "messages": [U("Hi")]}) == (
        [("text-whitespace", "/system/0/text")],
        [],
    )
    assert found({"system": "", "messages": [U("Hi")]}) == ([], [])


def test_a_server_tool_left_running_needs_tools_in_the_request() -> None:
    """§3.4, §3.10: with no tools (or none yet, in a conversation), the paused call cannot run.
    A conversation may still get its tools from its request; a request body cannot."""
    paused = [U("Search."), A([STU()])]
    for tools in ({}, {"tools": []}):
        assert found({**tools, "messages": paused}, "claude-opus-4-8") == (
            [("server-tool-undeclared", "/messages/1/content/0/name")],
            [],
        )
    assert found(paused) == ([], [])  # no model: a conversation, not yet a request
    conv = Conversation.from_wire(paused)
    with pytest.raises(convo.ValidationError, match="server-tool-undeclared"):
        conv.request(model="claude-opus-4-8", max_tokens=1024)
    assert conv.request(model="claude-opus-4-8", max_tokens=1024, tools=[WEB_SEARCH]).params()


def test_assistant_whitespace_string_is_a_warning() -> None:
    assert found([U("Hi"), A(" "), U("Go on.")]) == (
        [],
        [("assistant-text-whitespace", "/messages/1/content")],
    )


@pytest.mark.parametrize(
    "messages",
    [[S("Be brief."), U("Hi")], [U("Hi"), A([TU()]), S("Be brief."), U([TR()])]],
    ids=["first", "between-tool-use-and-result"],
)
def test_system_message_position_reported_once(messages: list[Any]) -> None:
    errors = found(messages)[0]
    assert len(errors) == 1 and errors[0][0] == "system-message-position"


def test_append_malformed_block_path() -> None:
    assert _raises(lambda: Conversation().user([{"type": "text"}])) == [
        ("block-malformed", "/messages/0/content/0")
    ]


def test_partial_tool_results_keep_the_conversation_loadable() -> None:
    conv = Conversation().user("Two?").assistant([TU("toolu_01"), TU("toolu_02")])
    try:
        conv = conv.user([TR("toolu_01")])
    except convo.ValidationError:
        return  # refusing the append is also consistent
    Conversation.from_wire(conv.to_json())


def test_number_out_of_range_is_unreadable() -> None:
    data = (
        b'[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"t1",'
        b'"name":"f","input":{"x":1e999}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]}]'
    )
    assert found(data) == ([("input-unreadable", "/messages/1/content/0/input/x")], [])


TOOL_USE_INF = b'{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"x","input":{"v":1e999}}]}'


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (b"[" + TOOL_USE_INF + b"]", "/messages/0/content/0/input/v"),
        (
            b'{"messages":[{"role":"user","content":"Hi"},' + TOOL_USE_INF + b"]}",
            "/messages/1/content/0/input/v",
        ),
        (b'{"role":"user","content":"Hi"}\n' + TOOL_USE_INF + b"\n", "/messages/1/content/0/input/v"),
        ("[" + TOOL_USE_INF.decode() + "]", "/messages/0/content/0/input/v"),
        (b'[{"role":"user","content":"Hi","x":{"a/b":[0,{"~":-1e999}]}}]', "/messages/0/x/a~1b/1/~0"),
        (
            b'[{"role":"user","content":[{"type":"text","text":"Hi","citations":[1e999]}]}]',
            "/messages/0/content/0/citations/0",
        ),
        (
            b'[{"role":"user","content":"Hi","x":{"v":1e999,"v":1}}]',
            "/messages/0/x",
        ),  # the object: v is shadowed
        (b'[{"role":"user","content":1e999}]', "/messages/0/content"),
        (b"[1e999]", "/messages/0"),
        (b'{"messages":[],"max_tokens":1e999}', "/max_tokens"),
        (b'{"messages":[],"metadata":{"user_id":[1,2,1e999]}}', "/metadata/user_id/2"),
        (b'{"messages":[],"system":[{"type":"text","text":"x","x":1e999}]}', "/system/0/x"),
        (
            b'{"messages":[],"tools":[{"name":"f","input_schema":{"type":"object","default":1e999}}]}',
            "/tools/0/input_schema/default",
        ),
        (b'{"convo":1,"metadata":{"n":1e999},"messages":[]}', "/metadata/n"),
    ],
)
def test_number_out_of_range_is_reported_at_its_own_path(data: bytes | str, path: str) -> None:
    """A number Python cannot hold refuses the whole input, at the JSON Pointer of the number,
    with none of msgspec's own ``$[...]`` path."""
    [error] = convo.check(data).problems
    assert (error.code, error.path, error.message) == ("input-unreadable", path, "number out of range")
    with pytest.raises(convo.InputError) as info:
        Conversation.from_wire(data)
    assert (info.value.path, info.value.detail) == (path, "number out of range")
    assert str(info.value) == f"{path}: number out of range"


# --- citations, search results and tool references (§1.13, §2.5) ------------------------------------


def test_citations_of_assistant_text_are_checked_on_every_path() -> None:
    """§2.5: a response's citations go back as the SDK's ``TextCitationParam``.  The fast path
    (feed_all), an append and reply() report the same, and a block without citations is not
    sent to the full check for them."""
    bad = [CITE, {**CITE, "document_index": "0", "end_char_index": True, "document_title": 1}]
    bad += [{k: v for k, v in CITE.items() if k != "document_title"}]
    turn = A([T("Hello."), T("As quoted.", citations=bad)])
    expected = [
        ("block-malformed", "/messages/1/content/1/citations/1"),
        ("block-malformed", "/messages/1/content/1/citations/2"),
    ]
    assert found([U("Hi"), turn, U("Go on.")]) == (expected, [])
    assert found([U("Hi"), turn]) == (expected, [])
    errors = convo.check([U("Hi"), turn]).errors
    assert [p.message for p in errors] == [
        "in a char_location citation, 'document_index' must be an integer, not a string; "
        "'document_title' must be a string or null, not an integer; "
        "'end_char_index' must be an integer, not a boolean",
        "in a char_location citation, 'document_title' is missing",
    ]
    assert _raises(lambda: Conversation().user("Hi").append(turn)) == expected
    response = {"type": "message", "role": "assistant", "content": turn["content"], "stop_reason": "end_turn"}
    with pytest.raises(convo.ValidationError) as info:
        Conversation().user("Hi").reply(response)
    assert [(p.code, p.path) for p in info.value.errors] == expected
    # in the top-level system prompt too; in a user turn the citations themselves are refused
    assert found({"system": [T("Be brief.", citations=[{}])], "messages": [U("Hi")]}) == (
        [("block-malformed", "/system/0/citations/0")],
        [],
    )
    assert found([U([T("As quoted.", citations=[{}])])]) == (
        [("citations-in-user", "/messages/0/content/0/citations")],
        [],
    )
    # every type the SDK defines, and a whole-number float for an integer, as JSON Schema reads it
    document = {"cited_text": "x", "document_index": 0, "document_title": "Q3"}
    blocks = {"start_block_index": 0, "end_block_index": 1}
    good = [
        CITE,
        {**CITE, "document_index": 0.0},
        {"type": "page_location", **document, "start_page_number": 1, "end_page_number": 2},
        {"type": "content_block_location", **document, **blocks},
        WEB_CITE,
        {"type": "search_result_location", "cited_text": "x", "search_result_index": 0, "source": "s", "title": None, **blocks},
    ]  # fmt: skip
    assert found([U("Hi"), A([T("As quoted.", citations=good)]), U("Go on.")]) == ([], [])


def test_citations_mixed_is_decided_by_the_first_block_of_each_branch() -> None:
    base = Conversation().user("Hi").assistant("Hello")
    cited = base.user([TDOC(cite=True)]).assistant("Read.")
    plain = base.user([TDOC()]).assistant("Read.")  # a branch: its first document is another one
    assert cited.user([TDOC("Q4", cite=True)]).check().valid
    assert plain.user([TDOC("Q4")]).check().valid
    assert _raises(lambda: plain.user([TDOC("Q4", cite=True)])) == [
        ("citations-mixed", "/messages/4/content/0")
    ]
    assert _raises(lambda: cited.user([TDOC("Q4")])) == [("citations-mixed", "/messages/4/content/0")]


def test_citations_of_misplaced_documents_are_not_counted() -> None:
    """A document in an assistant turn is a block-role error; it does not take part in all-or-none."""
    data = [U([TDOC(cite=True)]), A([TDOC()]), U([TDOC("Q4", cite=True)])]
    assert found(data) == ([("block-role", "/messages/1/content/0")], [])


def test_search_results_with_web_search_need_no_all_or_none() -> None:
    data = {"tools": [WEB_SEARCH], "messages": [U([SR(), SR("Sold out.", cite=True), SR("Gone.")])]}
    errors = found(data)[0]
    assert errors == [
        ("search-result-citations-required", "/messages/0/content/0"),
        ("search-result-citations-required", "/messages/0/content/2"),
    ]


def test_only_web_search_tools_require_citations() -> None:
    tools = [{"type": "web_fetch_20250910", "name": "web_fetch"}, TOOL()]
    assert found({"tools": tools, "messages": [U([SR()])]}) == ([], [])
    assert found(
        {"tools": [{"type": "web_search_20260209", "name": "web_search"}], "messages": [U([SR()])]}
    ) == (
        [("search-result-citations-required", "/messages/0/content/0")],
        [],
    )


def test_tool_result_of_search_results_only_is_fine() -> None:
    assert found([*TOOL_TURN, U([TR(content=[SR(), SR("Sold out.")]), T("Thanks.")])]) == ([], [])
    # a block that cannot be in a tool_result is a block-role error, not a second problem
    assert found([*TOOL_TURN, U([TR(content=[SR(), THINK()])])]) == (
        [("block-role", "/messages/2/content/0/content/1")],
        [],
    )


def test_tool_references_wait_for_the_request_when_there_are_no_tools() -> None:
    """Without ``tools`` convo cannot tell: the conversation holds the reference, a request needs the tool."""
    conv = _tool_turn().tool_results({"toolu_01": [REF()]})
    assert conv.check().valid
    assert [(p.code, p.path) for p in conv.check(model="claude-opus-4-8").errors] == [
        ("tool-reference-unresolved", "/messages/2/content/0/content/0/tool_name")
    ]
    with pytest.raises(convo.ValidationError) as info:
        conv.request(model="claude-opus-4-8", max_tokens=1024)
    assert [p.code for p in info.value.errors] == ["tool-reference-unresolved"]
    assert conv.request(model="claude-opus-4-8", max_tokens=1024, tools=[TOOL()]).params()["tools"] == [
        TOOL()
    ]
    with pytest.raises(convo.ValidationError):
        conv.request(model="claude-opus-4-8", max_tokens=1024, tools=[TOOL("search")])


def test_tool_references_with_declared_tools_are_checked_on_append() -> None:
    conv = Conversation(tools=[TOOL(), TOOL("search", defer_loading=True)])
    ok = conv.user("Hi").append(S([ADD("search")])).assistant("Hello")
    assert ok.check().valid
    assert _raises(lambda: conv.user("Hi").append(S([ADD("Search")]))) == [
        ("tool-reference-unresolved", "/messages/1/content/0/tool/name")
    ]
    no_tools = {"tools": [], "messages": [*TOOL_TURN, U([TR(content=[REF()])])]}  # as good as no tools
    assert found(no_tools) == ([], [])
    assert found(no_tools, "claude-opus-4-8")[0] == [
        ("tool-reference-unresolved", "/messages/2/content/0/content/0/tool_name")
    ]


def test_citations_with_output_format_in_a_request() -> None:
    conv = Conversation().user([TDOC(cite=True), T("As JSON.")])
    with pytest.raises(convo.ValidationError) as info:
        conv.request(model="claude-opus-4-8", max_tokens=1024, output_config=FORMAT)
    assert [(p.code, p.path, p.scope) for p in info.value.errors] == [
        ("citations-with-output-format", "/output_config/format", "request")
    ]
    assert conv.request(model="claude-opus-4-8", max_tokens=1024, output_config={"format": None}).params()
    plain = Conversation().user([TDOC(cite=False), T("As JSON.")])
    assert plain.request(model="claude-opus-4-8", max_tokens=1024, output_config=FORMAT).params()


def test_citations_with_output_format_does_not_stop_loading() -> None:
    data = body(
        [U([TDOC(cite=True), T("As JSON.")])], model="claude-opus-4-8", max_tokens=1024, output_config=FORMAT
    )
    report = convo.check(data)
    assert report.conversation_errors == ()
    assert [p.code for p in report.request_errors] == ["citations-with-output-format"]
    assert len(Conversation.from_wire(data)) == 1


def test_allowed_callers_bring_their_server_tool() -> None:
    """Programmatic tool calling (§3.9): code_execution runs without being in tools (corpus)."""
    called = TOOL(allowed_callers=["code_execution_20260120"])
    messages = [U("Go"), A([STU(name="code_execution"), TU()]), U([TR()])]
    assert found({"tools": [called], "messages": messages}) == ([], [])
    assert found({"tools": [TOOL()], "messages": messages})[0] == [
        ("server-tool-undeclared", "/messages/1/content/0/name")
    ]


# --- a value of the wrong type anywhere -----------------------------------------------------------

EVERY_FIELD: dict[str, Any] = {
    "model": "claude-opus-4-8",
    "max_tokens": 1024,
    "thinking": {"type": "adaptive", "display": "omitted"},
    "output_config": {
        "effort": "high",
        "format": {"type": "json_schema", "schema": {"type": "object", "additionalProperties": False}},
    },
    "tool_choice": {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": True},
    "cache_control": {"type": "ephemeral", "ttl": "1h"},
    "stop_sequences": ["END"],
    "metadata": {"user_id": "u-1"},
    "service_tier": "auto",
    "system": [T("Be brief.", cache_control={"type": "ephemeral", "ttl": "1h"})],
    "tools": [
        TOOL(
            input_schema={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
        ),
        {
            "type": "web_search_20250305",
            "name": "web_search",
            "max_uses": 3,
            "allowed_domains": ["a.example"],
        },
    ],
    "messages": [
        U([T("Look."), IMG(), DOC(type="text", media_type="text/plain", data="Returns are free.")]),
        A([THINK(), STU(), WSR(), T("Searched."), TU()]),
        U([TR(content=[T("18°C"), IMG()]), T("And?")]),
    ],
}
WRONG_VALUES: tuple[Any, ...] = (["x"], {"a": 1}, [], {}, True, 1e308, -1, None, "x")


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Any:
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        yield from _paths(inner, (*path, key))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


def test_a_value_of_the_wrong_type_anywhere_is_reported_not_raised() -> None:
    """Every value of a body using every parameter, swapped for one of another type, gives a
    report from check() and a ConvoError from from_wire(): never another exception."""
    assert convo.check(EVERY_FIELD).valid
    for path in list(_paths(EVERY_FIELD))[1:]:
        for new in WRONG_VALUES:
            data = _replaced(EVERY_FIELD, path, new)
            convo.check(data)
            try:
                Conversation.from_wire(data)
            except convo.ConvoError:
                pass


def test_problems_come_in_document_order() -> None:
    """A tool_use is found unanswered at the next message, but listed at its own place."""
    data = body([U("Hi"), A([TU()]), U(["not a block"]), A([T("")])], service_tier="priority")
    assert [p.path for p in convo.check(data).errors] == [
        "/service_tier",
        "/messages/1/content/0",
        "/messages/2/content/0",
        "/messages/3/content/0/text",
    ]


def test_images_and_pdf_pages_add_up_only_under_the_100_limit() -> None:
    """The API's 'Too much media: N document pages + M images > 100' is seen on 200k-context
    models; with the 600 limit §7.2 and §7.3 are two limits."""
    pdf = DOC(
        type="base64",
        media_type="application/pdf",
        data=base64.b64encode(b"%PDF-1.4\n" + b"/Type /Page\n" * 60).decode(),
    )
    messages = [U([*(URL_IMG(i) for i in range(50)), pdf, T("Compare.")])]
    assert ("images-too-many", "/messages") in found(messages, "claude-sonnet-4-5")[0]
    many = [U([*(URL_IMG(i) for i in range(550)), pdf, T("Compare.")])]
    assert found(many, "claude-opus-4-8")[0] == []


def test_a_content_document_source_holds_valid_text_and_images() -> None:
    """§2.2: a content source holds text and image blocks; §1.10 applies to them as anywhere."""

    def doc(*content: Any) -> dict[str, Any]:
        return {"type": "document", "source": {"type": "content", "content": list(content)}}

    assert found([U([doc(T("Returns are free."), IMG()), T("Summarize.")])]) == ([], [])
    assert found([U([doc(T(""), THINK()), T("Summarize.")])])[0] == [
        ("text-empty", "/messages/0/content/0/source/content/0/text"),
        ("document-source-invalid", "/messages/0/content/0/source/content/1"),
    ]
    assert found([U([doc(IMG(png_b64(9000, 10))), T("Summarize.")])])[0] == [
        ("image-dimensions-too-large", "/messages/0/content/0/source/content/0/source")
    ]


@pytest.mark.parametrize("name", ["bash_code_execution", "text_editor_code_execution"])
def test_code_execution_runs_its_bash_and_text_editor_calls(name: str) -> None:
    """A paused bash or text editor call is run by the declared code execution tool (§2.2)."""
    messages = [U("run ls"), A([T("Running."), STU(name=name)])]
    tools = [{"type": "code_execution_20250825", "name": "code_execution"}]
    assert found({"tools": tools, "messages": messages}) == ([], [])
    old = [{"type": "code_execution_20250522", "name": "code_execution"}]  # Python only
    assert found({"tools": old, "messages": messages})[0] == [
        ("server-tool-undeclared", "/messages/1/content/1/name")
    ]


def test_request_names_the_container_of_a_programmatic_tool_call() -> None:
    """conv.request() checks what convo.check() checks (§3.9): the container goes back."""
    conv = Conversation.from_wire({"tools": PTC_TOOLS, "messages": PTC_TURNS})
    with pytest.raises(convo.ValidationError, match="container-missing"):
        conv.request(model="claude-opus-4-8", max_tokens=1024)
    assert conv.request(model="claude-opus-4-8", max_tokens=1024, container="container_01").params()
    assert found({"tools": PTC_TOOLS, "messages": PTC_TURNS}) == ([], [])  # not yet a request


@pytest.mark.parametrize("role", ["user", "assistant"])
@pytest.mark.parametrize(
    "block",
    [
        {"type": "tool_reference", "tool_name": "search"},
        {"type": "browser_state", "tabs": [], "url": "https://example.com"},
    ],
)
def test_a_block_that_goes_only_in_a_tool_result_is_refused_in_a_message(
    role: str, block: dict[str, Any]
) -> None:
    messages = [U("Hi"), A([block])] if role == "assistant" else [U([block, T("Hi")])]
    report = convo.check(messages)
    assert [(p.code, p.path) for p in report.errors] == [
        ("block-role", f"/messages/{len(messages) - 1}/content/0")
    ]


@pytest.mark.parametrize(
    ("caller", "path"),
    [
        ({"type": "indirect"}, "/messages/1/content/0/caller/type"),
        ({"type": "code_execution_20250825"}, "/messages/1/content/0/caller"),  # no tool_id
        ({"type": {}}, "/messages/1/content/0/caller/type"),  # unhashable: was a TypeError
        ({"type": ["direct"]}, "/messages/1/content/0/caller/type"),
    ],
)
def test_a_caller_is_direct_or_a_code_execution_tool_with_its_call(caller: dict[str, Any], path: str) -> None:
    """§2.2: caller (direct, or code_execution_20250825 / _20260120 with tool_id)."""
    report = convo.check([U("Hi"), A([{**TU(), "caller": caller}]), U([TR()])])
    assert [(p.code, p.path) for p in report.errors] == [("block-malformed", path)]
    fine = {"type": "code_execution_20260120", "tool_id": "srvtoolu_01"}
    assert convo.check([U("Hi"), A([{**TU(), "caller": fine}]), U([TR()])]).errors == ()


def test_an_image_is_downsized_or_refused_when_oversized() -> None:
    """§2.2: transformations.oversized_image ("downsize" by default, or "error")."""
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png_b64(8, 8)}}
    for wanted, errors in (
        ("crop", [("block-malformed", "/messages/0/content/0/transformations/oversized_image")]),
        ("error", []),
        ("downsize", []),
    ):
        report = convo.check(
            [U([{**image, "transformations": {"oversized_image": wanted}}, T("What is it?")])]
        )
        assert [(p.code, p.path) for p in report.errors] == errors


@pytest.mark.parametrize(
    "kind", ["web_search_tool_result", "code_execution_tool_result", "tool_search_tool_result"]
)
def test_a_server_tool_result_needs_its_content(kind: str) -> None:
    """§2.2: content, tool_use_id and type are required (the SDK's params say so too)."""
    use = {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {}}
    report = convo.check([U("Hi"), A([use, {"type": kind, "tool_use_id": "srvtoolu_01"}])])
    assert ("block-malformed", "/messages/1/content/1") in [(p.code, p.path) for p in report.errors]


@pytest.mark.parametrize("name", ["my_tool", "get_weather", "", "WEB_SEARCH"])
def test_a_server_tool_use_with_a_name_the_sdk_does_not_define(name: str) -> None:
    """§2.2: the SDK's Literal; a warning, as a newer server tool would have a new name."""
    body = {
        "model": "claude-opus-4-8",
        "max_tokens": 64,
        "tools": [TOOL()],
        "messages": [U("Hi"), A([STU(name=name), WSR(), T("Done.")]), U("Thanks")],
    }
    report = convo.check(body)
    assert [(p.code, p.severity, p.path) for p in report.problems] == [
        ("server-tool-name-unknown", "warning", "/messages/1/content/0/name")
    ]
    for known in ("web_search", "bash_code_execution", "advisor"):
        body["messages"][1]["content"][0]["name"] = known
        assert "server-tool-name-unknown" not in [p.code for p in convo.check(body).problems]


@pytest.mark.parametrize("examples", [{"city": "Paris"}, "Paris", 5])
def test_input_examples_that_are_not_an_array(examples: object) -> None:
    tool = TOOL(input_examples=examples)
    report = convo.check({"tools": [tool], "messages": [U("Hi")]})
    assert [(p.code, p.path) for p in report.errors] == [
        ("tool-input-example-invalid", "/tools/0/input_examples")
    ]


def test_a_malformed_tool_result_still_answers_its_tool_use() -> None:
    """The block is reported once, where it is wrong; its tool_use is not also unanswered."""
    bad = {**TR(), "is_error": "yes"}
    report = convo.check([U("Hi"), A([TU()]), U([bad])])
    assert [(p.code, p.path) for p in report.errors] == [("block-malformed", "/messages/2/content/0")]
    late = convo.check([U("Hi"), A([TU()]), U([T("first"), bad])])  # not first: no answer
    assert ("tool-use-unanswered", "/messages/1/content/0") in [(p.code, p.path) for p in late.errors]


def test_a_malformed_tool_use_still_has_its_result() -> None:
    bad = {**TU(), "input": []}
    report = convo.check([U("Hi"), A([bad]), U([TR()])])
    assert [(p.code, p.path) for p in report.errors] == [("block-malformed", "/messages/1/content/0")]
    unanswered = convo.check([U("Hi"), A([bad]), U("never mind")])
    assert [(p.code, p.path) for p in unanswered.errors] == [
        ("block-malformed", "/messages/1/content/0"),
        ("tool-use-unanswered", "/messages/1/content/0"),
    ]


def test_thinking_off_and_a_final_assistant_turn_merged_from_two_messages() -> None:
    """§4.4 on the merged view (§1.6): the final assistant turn is every trailing assistant message."""
    prefill = [U("Hi"), A([THINK(), T("It is")]), A([T(" sunny")])]
    paused = [U("Search."), A([THINK(), STU()]), A([WSR(), STU("srvtoolu_02")])]  # paused twice
    for messages in (prefill, paused):
        found = convo.check(
            body(
                messages,
                model="claude-haiku-4-5",
                max_tokens=4096,
                thinking={"type": "disabled"},
                tools=[WEB_SEARCH],
            )
        )
        assert ("thinking-final-while-disabled", "/messages/1/content/0") in [
            (p.code, p.path) for p in found.errors
        ]


def test_the_automatic_breakpoint_walks_back_into_earlier_messages() -> None:
    """§5.5: past an ineligible last block (here an empty final assistant message) the API walks
    back to the nearest eligible block, whose own 1h mark then differs from the automatic 5m."""
    marked = U([T("A long document.", cache_control={"type": "ephemeral", "ttl": "1h"})])
    for auto, errors in (
        ({"type": "ephemeral"}, ["/cache_control"]),
        ({"type": "ephemeral", "ttl": "1h"}, []),
    ):
        report = convo.check(
            body([marked, A("")], model="claude-sonnet-4-5", max_tokens=64, cache_control=auto)
        )
        assert [p.path for p in report.errors if p.code == "cache-control-automatic-ttl"] == errors


@pytest.mark.parametrize("name", ["²", "9" * 5000])
def test_a_field_name_that_looks_like_an_index_is_reported_not_raised(name: str) -> None:
    """Problems are ordered by the indexes in their paths; a field of the input whose name only
    looks like one ("²" is a digit to str.isdigit, 5,000 digits are too many for int()) is
    reported at its path like any other."""
    data = [U("Hi"), A([T("Hello", **{name: 1})]), U([T("", **{name: 1})])]
    assert [(p.code, p.path) for p in convo.check(data).problems] == [
        ("text-empty", "/messages/2/content/0/text"),
        ("block-field-unknown", f"/messages/1/content/0/{name}"),
        ("block-field-unknown", f"/messages/2/content/0/{name}"),
    ]


@pytest.mark.parametrize(
    ("name", "header"),
    [("user_profile_id", "anthropic-user-profile-id"), ("workspace_id", "anthropic-workspace-id")],
)
def test_a_header_parameter_in_a_body_is_not_a_body_field(name: str, header: str) -> None:
    """The SDK lists user_profile_id and workspace_id in MessageCreateParams but sends them as
    headers, as it does betas: in a body they are fields the API does not define (§0.2a)."""
    sent = {"model": "claude-opus-4-8", "max_tokens": 1024}
    (found,) = convo.check(body([U("Hi")], **sent, **{name: "id_1"})).problems
    assert (found.code, found.path) == ("parameter-unknown", f"/{name}")
    assert f"not a body field but the {header} header" in found.message
    assert convo.check(body([U("Hi")], **sent)).problems == ()


@pytest.mark.parametrize(
    ("message", "path", "said"),
    [
        (
            {"role": "tool", "content": "x"},
            "/messages/0/role",
            "role is 'tool', not one of user, assistant, system",
        ),
        ({"role": "tool", "content": [{"x": 1}]}, "/messages/0/role", "role is 'tool', not one of"),
        ({"role": None, "content": "x"}, "/messages/0/role", "role is null, not one of"),
        ({"content": "x"}, "/messages/0/role", "role is missing"),
        ({"role": "user", "content": None}, "/messages/0/content", "not null"),
        ({"role": "user"}, "/messages/0/content", "not missing"),
        (
            {"role": "assistant", "content": "x", "foo": 1},
            "/messages/0/foo",
            "not a field of an assistant message",
        ),
    ],
)
def test_a_malformed_message_is_described_as_it_is(message: dict[str, Any], path: str, said: str) -> None:
    found = [p for p in convo.check([message]).problems if p.path == path]
    assert found and said in found[0].message, found
