"""Claude Code transcripts: the corpus imports, and the rebuild rules hold line by line."""

from __future__ import annotations

import json
from typing import Any

import pytest

import convo

from . import corpus

TRANSCRIPTS = corpus.transcripts()


def entry(kind: str, content: Any, **extra: Any) -> bytes:
    message: dict[str, Any] = {"role": kind, "content": content}
    if "id" in extra:
        message = {"id": extra.pop("id"), "type": "message", **message, "model": "claude-sonnet-4"}
    return json.dumps({"type": kind, "uuid": "u", **extra, "message": message}).encode()


def tool_use(tid: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": tid, "name": "Read", "input": {"path": "/x", "limit": 5}}


def result(tid: str) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tid, "content": "ok"}


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t.id)
def test_every_corpus_transcript_imports(transcript: corpus.Transcript) -> None:
    imported = convo.import_transcript(transcript.path)
    assert len(imported.messages) == len(imported.lines) > 0
    if imported.valid:
        conv = imported.conversation
        assert conv.to_json() == imported.wire()
        assert convo.Conversation.from_wire(conv.to_json()).to_json() == conv.to_json()
    else:
        with pytest.raises(convo.ValidationError, match=r"line"):
            _ = imported.conversation
    if transcript.real:
        assert imported.valid, imported.problems()


def test_real_transcripts_rebuild_to_the_readme_counts() -> None:
    counts = {t.path.name: len(convo.import_transcript(t.path).messages) for t in TRANSCRIPTS if t.real}
    if not counts:
        pytest.skip("corpus not available")
    assert counts == {
        "1af7fc5e-8455-4414-9ccd-011d40f70b2a.jsonl": 14,
        "5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl": 20,
        "fe5e1c67-53e7-4862-81ae-d0e013e3270b.jsonl": 18,
    }


def test_hand_made_transcripts_report_what_the_api_rejects() -> None:
    by_name = {t.id: convo.import_transcript(t.path) for t in TRANSCRIPTS}
    if not by_name:
        pytest.skip("corpus not available")
    unsigned = by_name["claude-code-transcripts/tests/sample_session.json"]
    assert [(p.code, unsigned.where(p)) for p in unsigned.report.errors] == [
        ("block-malformed", "line 2 (message 1)")
    ]
    edge = by_name["claude-code-log/test/test_data/edge_cases.jsonl"]
    assert sorted(p.code for p in edge.report.errors) == [
        "block-malformed",
        "tool-use-unanswered",
        "tool-use-unanswered",
    ]
    assert {str(s) for s in edge.skipped} >= {
        "line 13: not a transcript entry (not an object)",
        "line 19: a 'summary' entry",
    }


def test_one_response_over_several_lines_with_results_between() -> None:
    lines = [
        entry("user", "Read both"),
        entry("assistant", [{"type": "text", "text": "Reading."}], id="msg_1"),
        entry("assistant", [tool_use("t1")], id="msg_1"),
        entry("user", [result("t1")]),
        entry("assistant", [tool_use("t2")], id="msg_1"),
        entry("user", [result("t2")]),
        entry("assistant", [{"type": "text", "text": "Done."}], id="msg_2"),
    ]
    imported = convo.import_transcript(b"\n".join(lines))
    assert imported.valid, imported.problems()
    assert imported.lines == ((1,), (2, 3, 5), (4, 6), (7,))
    blocks = imported.conversation.messages[1].content
    assert [b.type for b in blocks] == ["text", "tool_use", "tool_use"]  # type: ignore[union-attr]


def test_sidechains_and_other_entries_are_left_out() -> None:
    lines = [
        b'{"type":"summary","summary":"x"}',
        entry("user", "Main question"),
        entry("user", "Sub-agent task", isSidechain=True),
        entry("assistant", "sub-agent answer", id="msg_s", isSidechain=True),
        b'{"type":"system","content":"hook ran"}',
        b"",
        b"not json",
        b'"a string"',
        entry("assistant", [{"type": "text", "text": "Main answer"}], id="msg_m"),
        b'{"type":"user","message":"error"}',
        b'{"type":"user","message":{"role":"user","contenst":[]}}',
    ]
    imported = convo.import_transcript(b"\n".join(lines))
    assert [m.role for m in imported.messages] == ["user", "assistant"]
    assert imported.lines == ((2,), (9,))
    assert [str(s) for s in imported.skipped] == [
        "line 1: a 'summary' entry",
        "line 3: a sidechain (sub-agent) entry",
        "line 4: a sidechain (sub-agent) entry",
        "line 5: a 'system' entry",
        "line 7: not JSON",
        "line 8: not a transcript entry (not an object)",
        "line 10: a user entry whose message is not an object",
        "line 11: a user message without string or array content",
    ]


def test_consecutive_user_lines_are_one_turn_and_strings_are_kept() -> None:
    lines = [
        entry("user", "first"),
        entry("user", [{"type": "text", "text": "second"}]),
        entry("assistant", "ok", id="m"),
    ]
    imported = convo.import_transcript(b"\n".join(lines))
    assert imported.messages[0].to_json() == (
        b'{"role":"user","content":[{"type":"text","text":"first"},{"type":"text","text":"second"}]}'
    )
    assert imported.messages[1].to_json() == b'{"role":"assistant","content":"ok"}'


def test_block_bytes_are_kept() -> None:
    raw = b'{"type":"assistant","message":{"id":"m","role":"assistant","content":[{"type":"tool_use","id":"t","name":"x","input":{"z":1,"a":1.50e3}}]}}'
    imported = convo.import_transcript(entry("user", "go") + b"\n" + raw)
    assert b'"input":{"z":1,"a":1.50e3}' in imported.messages[1].to_json()


def test_a_transcript_whose_first_lines_say_loglines_is_still_a_transcript() -> None:
    from convo._files import read_any
    from convo._transcripts import is_transcript

    call = {"type": "tool_use", "id": "t1", "name": "count", "input": {"loglines": 5}}
    data = b"\n".join(
        [entry("user", "count"), entry("assistant", [call], id="m1"), entry("user", [result("t1")])]
    )
    assert is_transcript(data)
    assert read_any(data).conversation.messages[1].to_dict()["content"] == [call]


def test_loglines_documents_and_bad_input() -> None:
    doc = {"loglines": [json.loads(entry("user", "hi")), json.loads(entry("assistant", "yo", id="m"))]}
    imported = convo.import_transcript(json.dumps(doc).encode())
    assert imported.valid and imported.lines == ((1,), (2,))
    with pytest.raises(convo.InputError):
        convo.import_transcript(b'{"loglines": 5}')
    with pytest.raises(convo.InputError, match="UTF-8"):
        convo.import_transcript(b"\xff\xfe")
    with pytest.raises(convo.StorageError):
        convo.import_transcript("/nonexistent/transcript.jsonl")
    assert not convo.import_transcript(b"").messages
