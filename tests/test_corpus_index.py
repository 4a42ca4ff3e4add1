"""Sanity checks for the corpus index in tests/corpus.py (skipped when the corpus is absent)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

try:
    import corpus
except ModuleNotFoundError:  # tests/ imported as a package
    from tests import corpus

pytestmark = pytest.mark.skipif(not corpus.available(), reason=f"corpus not found at {corpus.corpus_dir()}")

ALL = {
    "request_bodies": corpus.request_bodies,
    "rejected_requests": corpus.rejected_requests,
    "responses": corpus.responses,
    "streams": corpus.streams,
    "error_bodies": corpus.error_bodies,
    "transcripts": corpus.transcripts,
}


@pytest.mark.parametrize(
    ("name", "minimum"),
    [
        ("request_bodies", 60),
        ("rejected_requests", 5),
        ("responses", 60),
        ("streams", 60),
        ("error_bodies", 5),
        ("transcripts", 5),
    ],
)
def test_counts(name: str, minimum: int) -> None:
    assert len(ALL[name]()) >= minimum


@pytest.mark.parametrize("name", sorted(ALL))
def test_ids_unique_sorted_and_cached(name: str) -> None:
    items = ALL[name]()
    ids = [x.id for x in items]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    again = ALL[name]()
    assert again == items and again is not items  # fresh list, same (cached) items
    assert all(a is b for a, b in zip(items, again, strict=True))
    for item in items[:1]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            item.id = "x"  # type: ignore[misc]


def test_request_bodies_are_messages_requests() -> None:
    for body in corpus.request_bodies():
        data = json.loads(body.raw)
        assert isinstance(data, dict), body.id
        assert isinstance(data.get("messages"), list), body.id
        assert body.endpoint in {"messages", "count_tokens"}, body.id
        assert body.model == data.get("model"), body.id
        assert "prompt" not in data, body.id  # no legacy /v1/complete bodies
    assert not any("/v1/complete" in b.id for b in corpus.request_bodies())


def test_rejected_requests_carry_error_bodies() -> None:
    for rej in corpus.rejected_requests():
        assert rej.status >= 400, rej.id
        assert isinstance(json.loads(rej.raw).get("messages"), list), rej.id
        assert json.loads(rej.error)["type"] == "error", rej.id
    statuses = {r.status for r in corpus.rejected_requests()}
    assert {400, 429} <= statuses
    accepted = {r.id for r in corpus.request_bodies()}
    assert accepted.isdisjoint(r.id for r in corpus.rejected_requests())


def test_verbatim_bodies_are_not_reserialized() -> None:
    # cassette bodies are recorded JSON text: kept byte for byte (compact, key order as sent)
    verbatim = [b for b in corpus.request_bodies() if not b.reserialized]
    assert len(verbatim) >= 40
    assert any(b.raw.startswith(b'{"max_tokens":') for b in verbatim)


def test_responses_are_messages() -> None:
    for resp in corpus.responses():
        data = json.loads(resp.raw)
        assert data["type"] == "message", resp.id
        assert data["role"] == "assistant", resp.id
        assert isinstance(data["content"], list), resp.id


def test_error_bodies() -> None:
    for err in corpus.error_bodies():
        assert 400 <= err.status < 600, err.id
        data = json.loads(err.raw)
        assert data["type"] == "error" and isinstance(data["error"]["type"], str), err.id


def test_streams() -> None:
    items = corpus.streams()
    by_name = {Path(s.id.split("#")[0]).name: s for s in items}
    assert any(s.malformed for s in items)
    for name in ("duplicate-message-start.chunks.txt", "spliced-message-start.chunks.txt"):
        assert by_name[name].malformed and by_name[name].multi
    assert any(s.multi and not s.malformed for s in items)
    for s in items:
        assert b"message_start" in s.raw, s.id
        if not s.malformed:
            assert corpus.stream_problems(s.raw) == [], s.id
    # derived copies of cassette streams are included, and the reframed chunk files are SSE
    assert sum(s.id.startswith("sse/") for s in items) >= 30
    assert all(s.raw.startswith(b"event: ") for s in items if s.reframed)


def test_transcripts() -> None:
    items = corpus.transcripts()
    assert any(t.real for t in items) and any(not t.real for t in items)
    for t in items:
        assert t.path.is_file(), t.id
        assert t.format in {"jsonl", "loglines"}, t.id
        if t.format == "jsonl":
            first = next(line for line in t.path.read_text(encoding="utf-8").splitlines() if line.strip())
            assert isinstance(json.loads(first), dict), t.id


def test_missing_corpus_gives_empty_lists(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(corpus.CORPUS_ENV, str(tmp_path / "nowhere"))
    assert not corpus.available()
    assert all(fn() == [] for fn in ALL.values())
