"""Index of the recorded Anthropic API traffic in the shared read-only corpus.

The corpus lives at ``../shared/corpus`` relative to the repository root (override it with the
``CONVO_CORPUS`` environment variable).  Its ``README.md`` describes every file.  This module
discovers and extracts, without importing ``convo``:

* :func:`request_bodies` - bodies of ``POST /v1/messages`` (incl. beta and ``count_tokens``) that
  the API accepted (2xx);
* :func:`rejected_requests` - the same for requests answered with an error status;
* :func:`responses` - non-streaming ``{"type": "message", ...}`` response bodies;
* :func:`streams` - SSE streams (``.sse`` files, SSE ``.txt`` fixtures, and the one-JSON-per-line
  ``*.chunks.txt`` fixtures re-framed as SSE);
* :func:`error_bodies` - ``{"type": "error", ...}`` bodies with their HTTP status;
* :func:`transcripts` - Claude Code session transcripts.

Every function returns a new list sorted by ``id``; ids are ``<path relative to the corpus>`` for
whole files and ``<path>#<interaction index>`` for one exchange of a multi-exchange recording.
When the corpus directory is missing every function returns ``[]`` (so an empty
``pytest.mark.parametrize`` skips); use :func:`available` to skip explicitly.

``raw`` bytes
-------------
Where the recording stores a body as JSON *text* (vcrpy cassettes, standalone ``.json`` files, a
logged request), ``raw`` is that text byte for byte (gzip/base64 undone), never re-serialized.
Two recording formats store bodies as *structured JSON values* inside a larger document (the
Python SDK's ``__inline_snapshot__`` files and the TypeScript SDK's nock fixtures); there the
original text is not recorded, and ``raw`` is the compact UTF-8 serialization
(``separators=(",", ":")``, ``ensure_ascii=False``, key order preserved), which is exactly what
both SDKs put on the wire - it matches every recorded ``content-length`` header.  Such items have
``reserialized=True``.

Standard library and ``yaml`` only.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = [
    "CORPUS_ENV",
    "ErrorBody",
    "RejectedRequest",
    "RequestBody",
    "Response",
    "Stream",
    "Transcript",
    "available",
    "corpus_dir",
    "error_bodies",
    "rejected_requests",
    "request_bodies",
    "responses",
    "stream_problems",
    "streams",
    "transcripts",
]

CORPUS_ENV = "CONVO_CORPUS"

# Streams the README names as deliberately malformed (basename prefixes).  Others are found by
# :func:`stream_problems`.
_KNOWN_MALFORMED = ("duplicate-message-start.", "spliced-message-start.")

# Transcript folders the README marks as hand-written / not real traffic.
_HANDMADE_TRANSCRIPT_DIRS = ("claude-code-log", "claude-code-transcripts")

_ANTHROPIC_HOSTS = ("api.anthropic.com",)


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestBody:
    """A request body the API accepted (2xx)."""

    id: str
    endpoint: str  # "messages" or "count_tokens"
    raw: bytes
    model: str | None
    reserialized: bool = False

    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.raw)
        return value


@dataclass(frozen=True)
class RejectedRequest:
    """A request body the API answered with an error status; ``error`` is the error body."""

    id: str
    endpoint: str
    raw: bytes
    model: str | None
    status: int
    error: bytes
    reserialized: bool = False

    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.raw)
        return value


@dataclass(frozen=True)
class Response:
    """A non-streaming Messages response body (``"type": "message"``)."""

    id: str
    raw: bytes
    hand_made: bool = False  # README: "hand-made or edited fixture"
    reserialized: bool = False

    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.raw)
        return value


@dataclass(frozen=True)
class Stream:
    """One SSE response body (possibly several concatenated responses, see ``multi``)."""

    id: str
    raw: bytes
    malformed: bool
    multi: bool  # more than one message_start event
    hand_made: bool = False  # README: "hand-made or edited fixture"
    reframed: bool = False  # built from a one-JSON-per-line *.chunks.txt file


@dataclass(frozen=True)
class ErrorBody:
    """An API error body (``{"type": "error", ...}``) with its HTTP status."""

    id: str
    status: int
    raw: bytes
    reserialized: bool = False


@dataclass(frozen=True)
class Transcript:
    """A Claude Code session transcript.

    ``format`` is ``"jsonl"`` (one entry per line) or ``"loglines"`` (a JSON document
    ``{"loglines": [entry, ...]}``).
    """

    id: str
    path: Path
    real: bool
    format: str = "jsonl"


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def corpus_dir() -> Path:
    env = os.environ.get(CORPUS_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "corpus"


def available() -> bool:
    return corpus_dir().is_dir()


def request_bodies() -> list[RequestBody]:
    return list(_index(corpus_dir()).requests)


def rejected_requests() -> list[RejectedRequest]:
    return list(_index(corpus_dir()).rejected)


def responses() -> list[Response]:
    return list(_index(corpus_dir()).responses)


def streams() -> list[Stream]:
    return list(_index(corpus_dir()).streams)


def error_bodies() -> list[ErrorBody]:
    return list(_index(corpus_dir()).errors)


def transcripts() -> list[Transcript]:
    return list(_index(corpus_dir()).transcripts)


# --------------------------------------------------------------------------------------------
# Index construction
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    requests: tuple[RequestBody, ...]
    rejected: tuple[RejectedRequest, ...]
    responses: tuple[Response, ...]
    streams: tuple[Stream, ...]
    errors: tuple[ErrorBody, ...]
    transcripts: tuple[Transcript, ...]


@dataclass
class _Builder:
    root: Path
    hand_made: frozenset[str]
    requests: list[RequestBody]
    rejected: list[RejectedRequest]
    responses: list[Response]
    streams: list[Stream]
    errors: list[ErrorBody]
    transcripts: list[Transcript]


@functools.cache
def _index(root: Path) -> _Index:
    if not root.is_dir():
        return _Index((), (), (), (), (), ())
    b = _Builder(root, _readme_hand_made(root), [], [], [], [], [], [])
    files = sorted(p for p in root.rglob("*") if p.is_file())
    sse_copies = {p.relative_to(root).as_posix() for p in files if p.suffix == ".sse"}
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel == "README.md":
            continue
        name = path.name
        if name.endswith((".yaml", ".yml")):
            _scan_cassette(b, path, rel, sse_copies)
        elif name.endswith(".jsonl"):
            b.transcripts.append(Transcript(rel, path, _transcript_is_real(rel), "jsonl"))
        elif name.endswith(".json"):
            _scan_json(b, path, rel, sse_copies)
        elif name.endswith(".sse"):
            _add_stream(b, rel, path.read_bytes())
        elif name.endswith(".chunks.txt"):
            _add_stream(b, rel, _reframe_chunks(path.read_bytes()), reframed=True)
        elif name.endswith(".txt"):
            _scan_text(b, path, rel)

    def by_id(x: Any) -> str:
        return str(x.id)

    return _Index(
        tuple(sorted(b.requests, key=by_id)),
        tuple(sorted(b.rejected, key=by_id)),
        tuple(sorted(b.responses, key=by_id)),
        tuple(sorted(b.streams, key=by_id)),
        tuple(sorted(b.errors, key=by_id)),
        tuple(sorted(b.transcripts, key=by_id)),
    )


def _readme_hand_made(root: Path) -> frozenset[str]:
    """Files whose README table row says "hand-made or edited fixture"."""
    readme = root / "README.md"
    if not readme.is_file():
        return frozenset()
    out = set()
    for line in readme.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `([^`]+)` \|", line)
        if m and "hand-made or edited fixture" in line:
            out.add(m.group(1))
    return frozenset(out)


def _transcript_is_real(rel: str) -> bool:
    return rel.split("/", 1)[0] not in _HANDMADE_TRANSCRIPT_DIRS


# ---- one HTTP exchange, whatever the recording format ---------------------------------------


@dataclass(frozen=True)
class _Exchange:
    id: str
    method: str
    url: str
    request_body: bytes | None
    status: int
    response_body: bytes | None
    response_content_type: str
    reserialized: bool


def _endpoint(method: str, url: str) -> str | None:
    """``"messages"`` / ``"count_tokens"`` for Messages API calls, else ``None``."""
    if method.upper() != "POST":
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc.split(":")[0] not in _ANTHROPIC_HOSTS:
        return None
    path = parts.path.rstrip("/")
    if path == "/v1/messages":
        return "messages"
    if path == "/v1/messages/count_tokens":
        return "count_tokens"
    return None  # e.g. legacy /v1/complete


def _model_of(raw: bytes) -> str | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    model = data.get("model") if isinstance(data, dict) else None
    return model if isinstance(model, str) else None


def _json_type(raw: bytes | None) -> str | None:
    if raw is None or not raw.lstrip().startswith(b"{"):
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    t = data.get("type") if isinstance(data, dict) else None
    return t if isinstance(t, str) else None


def _is_sse(body: bytes | None, content_type: str) -> bool:
    if body is None:
        return False
    if "event-stream" in content_type:
        return True
    head = body.lstrip()[:16]
    return head.startswith((b"event:", b"data:"))


def _add_exchange(b: _Builder, ex: _Exchange, rel: str, index: int, sse_copies: set[str]) -> None:
    endpoint = _endpoint(ex.method, ex.url)
    if endpoint is None or ex.request_body is None:
        return
    ok = 200 <= ex.status < 300
    body = ex.response_body
    if ok:
        b.requests.append(
            RequestBody(ex.id, endpoint, ex.request_body, _model_of(ex.request_body), ex.reserialized)
        )
        if _is_sse(body, ex.response_content_type):
            assert body is not None
            # Decoded copies live in sse/<top folder>/<stem>.i<index>.sse; fall back to the
            # recording itself when no copy exists.
            top = rel.split("/", 1)[0]
            stem = Path(rel).name.rsplit(".", 1)[0]
            if f"sse/{top}/{stem}.i{index}.sse" not in sse_copies:
                _add_stream(b, ex.id, body)
        elif body is not None and _json_type(body) == "message":
            b.responses.append(Response(ex.id, body, rel in b.hand_made, ex.reserialized))
        return
    error = body if body is not None else b""
    b.rejected.append(
        RejectedRequest(
            ex.id, endpoint, ex.request_body, _model_of(ex.request_body), ex.status, error, ex.reserialized
        )
    )
    if _json_type(error) == "error":
        b.errors.append(ErrorBody(ex.id, ex.status, error, ex.reserialized))


# ---- vcrpy YAML cassettes --------------------------------------------------------------------


def _headers(h: Any) -> dict[str, str]:
    """Lower-cased header -> first value (vcrpy stores lists; other formats plain strings)."""
    out: dict[str, str] = {}
    if isinstance(h, Mapping):
        for k, v in h.items():
            if isinstance(v, list):
                v = v[0] if v else ""
            out[str(k).lower()] = str(v)
    return out


def _decode_body(body: Any, encoding: str) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, Mapping):  # vcrpy response: {"string": ...}
        body = body.get("string")
        if body is None:
            return None
    if isinstance(body, str):
        data = body.encode("utf-8")
    elif isinstance(body, bytes | bytearray):
        data = bytes(body)
    else:
        raise TypeError(f"unexpected body type {type(body).__name__}")
    encoding = encoding.lower()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    elif encoding == "deflate":
        try:
            data = zlib.decompress(data)
        except zlib.error:
            data = zlib.decompress(data, -zlib.MAX_WBITS)
    return data


def _scan_cassette(b: _Builder, path: Path, rel: str, sse_copies: set[str]) -> None:
    with path.open("rb") as f:
        doc = yaml.load(f, Loader=_Loader)
    if not isinstance(doc, Mapping) or not isinstance(doc.get("interactions"), list):
        return
    for i, it in enumerate(doc["interactions"]):
        req, resp = it.get("request") or {}, it.get("response") or {}
        rq_h, rs_h = _headers(req.get("headers")), _headers(resp.get("headers"))
        status = resp.get("status") or {}
        ex = _Exchange(
            id=f"{rel}#{i}",
            method=str(req.get("method", "")),
            url=str(req.get("uri", "")),
            request_body=_decode_body(req.get("body"), rq_h.get("content-encoding", "")),
            status=int(status.get("code", 0)) if isinstance(status, Mapping) else int(status),
            response_body=_decode_body(resp.get("body"), rs_h.get("content-encoding", "")),
            response_content_type=rs_h.get("content-type", ""),
            reserialized=False,
        )
        _add_exchange(b, ex, rel, i, sse_copies)


# ---- JSON files: inline snapshots, nock fixtures, standalone bodies, loglines transcripts ------


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _structured_body(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode("utf-8")
    return _compact(value)


def _scan_json(b: _Builder, path: Path, rel: str, sse_copies: set[str]) -> None:
    raw = path.read_bytes()
    try:
        doc = json.loads(raw)
    except ValueError:
        return
    if isinstance(doc, dict):
        if doc.get("type") == "message":
            b.responses.append(Response(rel, raw, rel in b.hand_made))
        elif doc.get("type") == "error":
            b.errors.append(ErrorBody(rel, 0, raw))
        elif isinstance(doc.get("loglines"), list):
            b.transcripts.append(Transcript(rel, path, _transcript_is_real(rel), "loglines"))
        return
    if not isinstance(doc, list):
        return
    for i, item in enumerate(doc):
        if not isinstance(item, dict):
            continue
        ex: _Exchange | None = None
        if isinstance(item.get("request"), dict) and isinstance(item.get("response"), dict):
            # Python SDK __inline_snapshot__: {"request": {...}, "response": {...}}
            req, resp = item["request"], item["response"]
            ex = _Exchange(
                id=f"{rel}#{i}",
                method=str(req.get("method", "")),
                url=str(req.get("url", "")),
                request_body=_structured_body(req.get("body")),
                status=int(resp.get("status_code", 0)),
                response_body=_structured_body(resp.get("body")),
                response_content_type=_headers(resp.get("headers")).get("content-type", ""),
                reserialized=True,
            )
        elif "scope" in item and "path" in item and "status" in item:
            # nock recording: {"scope", "method", "path", "body", "status", "response", ...}
            ex = _Exchange(
                id=f"{rel}#{i}",
                method=str(item.get("method", "")),
                url=str(item["scope"]) + str(item["path"]),
                request_body=_structured_body(item.get("body")),
                status=int(item["status"]),
                response_body=_structured_body(item.get("response")),
                response_content_type=_headers(item.get("rawHeaders")).get("content-type", ""),
                reserialized=True,
            )
        if ex is not None:
            _add_exchange(b, ex, rel, i, sse_copies)


# ---- text files: SSE fixtures and logged request/error pairs ---------------------------------


def _scan_text(b: _Builder, path: Path, rel: str) -> None:
    raw = path.read_bytes()
    if raw.lstrip().startswith((b"event:", b"data:")):
        _add_stream(b, rel, raw)
        return
    _scan_logged_error(b, raw, rel)


def _scan_logged_error(b: _Builder, raw: bytes, rel: str) -> None:
    """A console log with ``Body {json}`` (request) then ``Fetched {json}`` (error response)."""
    text = raw.decode("utf-8", errors="replace")
    m_body = re.search(r"^Body (?=\{)", text, re.M)
    m_err = re.search(r"^Fetched (?=\{)", text, re.M)
    if not (m_body and m_err):
        return
    dec = json.JSONDecoder()
    try:
        body, body_end = dec.raw_decode(text, m_body.end())
        err, err_end = dec.raw_decode(text, m_err.end())
    except ValueError:
        return
    if not (isinstance(err, dict) and err.get("type") == "error" and isinstance(body, dict)):
        return
    m_status = re.search(r"statusCode:\s*(\d{3})", text)
    m_url = re.search(r"url:\s*'([^']+)'", text)
    status = int(m_status.group(1)) if m_status else 0
    endpoint = _endpoint("POST", m_url.group(1)) if m_url else "messages"
    if endpoint is None:
        return
    body_raw = text[m_body.end() : body_end].encode("utf-8")
    err_raw = text[m_err.end() : err_end].encode("utf-8")
    model = body.get("model")
    b.rejected.append(
        RejectedRequest(rel, endpoint, body_raw, model if isinstance(model, str) else None, status, err_raw)
    )
    b.errors.append(ErrorBody(rel, status, err_raw))


# ---- streams ---------------------------------------------------------------------------------


def _reframe_chunks(raw: bytes) -> bytes:
    """One stream-event JSON per line -> SSE (``event: <type>`` / ``data: <line verbatim>``)."""
    out = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            etype = data.get("type") if isinstance(data, dict) else None
        except ValueError:
            etype = None
        if isinstance(etype, str):
            out.append(b"event: " + etype.encode("utf-8") + b"\n")
        out.append(b"data: " + line + b"\n\n")
    return b"".join(out)


def _add_stream(b: _Builder, sid: str, raw: bytes, *, reframed: bool = False) -> None:
    rel = sid.split("#", 1)[0]
    name = Path(rel).name
    problems = stream_problems(raw)
    known = name.startswith(_KNOWN_MALFORMED)
    starts = sum(1 for event, data in _sse_events(raw) if _event_type(event, data) == "message_start")
    b.streams.append(
        Stream(
            id=sid,
            raw=raw,
            malformed=known or bool(problems),
            multi=starts > 1,
            hand_made=rel in b.hand_made,
            reframed=reframed,
        )
    )


def _sse_events(raw: bytes) -> Iterator[tuple[str | None, str]]:
    """(event name, data) per SSE event; an unterminated final event is still yielded."""
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    event: str | None = None
    data: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line == "":
            if data:
                yield event, "\n".join(data)
            event, data = None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)


def _event_type(event: str | None, data: str) -> str | None:
    try:
        obj = json.loads(data)
    except ValueError:
        return event
    t = obj.get("type") if isinstance(obj, dict) else None
    return t if isinstance(t, str) else event


_DELTA_BLOCKS: dict[str, tuple[str, ...]] = {
    "text_delta": ("text",),
    "citations_delta": ("text",),
    "thinking_delta": ("thinking",),
    "signature_delta": ("thinking",),
    "input_json_delta": ("tool_use", "server_tool_use", "mcp_tool_use"),
    "compaction_delta": ("compaction",),
}


def stream_problems(raw: bytes) -> list[str]:
    """Violations of the Messages streaming event grammar found in an SSE body.

    Tolerated (seen in real recordings): ``ping`` anywhere, padded JSON, a final event without
    its terminating blank line, a ``message_start`` whose message already has content followed
    directly by ``message_stop``, and a block left open when ``message_delta`` arrives (the
    ``max_tokens`` cut-off in ``incomplete_partial_json_response.txt``).  Several complete
    messages one after another are also tolerated (that is ``multi``, not malformed).
    """
    problems: list[str] = []
    in_message = False
    next_index = 0
    open_blocks: dict[int, str] = {}
    for n, (event, data) in enumerate(_sse_events(raw)):
        try:
            obj = json.loads(data)
        except ValueError:
            problems.append(f"event {n}: data is not JSON")
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            problems.append(f"event {n}: data has no type")
            continue
        t = obj["type"]
        if event is not None and event != t:
            problems.append(f"event {n}: event name {event!r} but data type {t!r}")
        if t in ("ping", "error"):
            continue
        if t == "message_start":
            if in_message:
                problems.append(f"event {n}: message_start inside an unfinished message")
            in_message = True
            message = obj.get("message")
            content = message.get("content") if isinstance(message, dict) else None
            next_index = len(content) if isinstance(content, list) else 0
            open_blocks = {}
            continue
        if not in_message:
            problems.append(f"event {n}: {t} outside a message")
            continue
        if t == "content_block_start":
            idx, block = obj.get("index"), obj.get("content_block")
            if idx != next_index:
                problems.append(f"event {n}: content_block_start index {idx}, expected {next_index}")
            btype = block.get("type") if isinstance(block, dict) else None
            if isinstance(idx, int):
                open_blocks[idx] = str(btype)
                next_index = idx + 1
        elif t == "content_block_delta":
            idx, delta = obj.get("index"), obj.get("delta")
            if not isinstance(idx, int) or idx not in open_blocks:
                problems.append(f"event {n}: delta for block {idx} which is not open")
                continue
            dtype = delta.get("type") if isinstance(delta, dict) else None
            allowed = _DELTA_BLOCKS.get(str(dtype))
            if allowed is not None and open_blocks[idx] not in allowed:
                problems.append(f"event {n}: {dtype} for a {open_blocks[idx]} block")
        elif t == "content_block_stop":
            idx = obj.get("index")
            if not isinstance(idx, int) or idx not in open_blocks:
                problems.append(f"event {n}: content_block_stop for block {idx} which is not open")
            else:
                del open_blocks[idx]
        elif t == "message_delta":
            open_blocks = {}
        elif t == "message_stop":
            if open_blocks:
                problems.append(f"event {n}: message_stop with open blocks {sorted(open_blocks)}")
            in_message = False
    if in_message:
        problems.append("stream ends inside a message (no message_stop)")
    return problems
