"""Claude Code transcripts: the corpus imports, and the rebuild rules hold line by line."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import convo
from convo._files import read_any
from convo._transcripts import ABANDONED, is_transcript

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
    # no fork in any of them: every entry is read in file order, none is on an abandoned branch
    assert [s for s in imported.skipped if s.reason == ABANDONED] == []
    numbers = sorted([n for lines in imported.lines for n in lines] + [s.line for s in imported.skipped])
    assert numbers == sorted(set(numbers))
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
    assert [(str(s), s.damaged) for s in imported.skipped] == [
        ("line 1: a 'summary' entry", False),
        ("line 3: a sidechain (sub-agent) entry", False),
        ("line 4: a sidechain (sub-agent) entry", False),
        ("line 5: a 'system' entry", False),
        ("line 7: not JSON", True),
        ("line 8: not a transcript entry (not an object)", True),
        ("line 10: a user entry whose message is not an object", True),
        ("line 11: a user message without string or array content", True),
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
    for unusable in ("a\x00b", "", 5):
        with pytest.raises(convo.InvalidArgument):
            convo.import_transcript(unusable)  # type: ignore[arg-type]
    assert not convo.import_transcript(b"").messages


FIELDS = ["type", "message", "role", "content", "isSidechain", "uuid", "parentUuid", "logicalParentUuid"]
FIELDS += ["leafUuid", "id", "tool_use_id", "text", "loglines"]
WORDS = [
    "user",
    "assistant",
    "summary",
    "system",
    "last-prompt",
    "tool_use",
    "tool_result",
    "text",
    "u1",
    "u2",
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(WORDS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5),
    max_leaves=12,
)
LINE = (
    st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6).map(json.dumps)
    | JSON.map(json.dumps)
    | st.text()
)


@given(st.lists(LINE, max_size=8))
def test_junk_lines_raise_nothing_but_convo_errors(lines: list[str]) -> None:
    data = "\n".join(lines).encode()
    assert is_transcript(data) in (True, False)
    for read in (convo.import_transcript, read_any):
        try:
            read(data)
        except convo.ConvoError:
            pass


def uuid_entry(kind: str, uuid: str, parent: str | None, content: Any, **extra: Any) -> bytes:
    """A transcript entry with its place in the tree (message ids: ``msg_`` and the uuid)."""
    message: dict[str, Any] = {"role": kind, "content": content}
    if kind == "assistant":
        message = {"id": extra.pop("msg", f"msg_{uuid}"), **message}
    return json.dumps(
        {"type": kind, "uuid": uuid, "parentUuid": parent, **extra, "message": message}
    ).encode()


def text(words: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": words}]


def read_tree(*lines: bytes) -> tuple[list[str], list[int]]:
    """The texts of the rebuilt messages, and the lines skipped as abandoned."""
    imported = convo.import_transcript(b"\n".join(lines))
    assert imported.valid, imported.problems()
    texts = [m.to_json().decode() for m in imported.messages]
    abandoned = [s.line for s in imported.skipped if s.reason == ABANDONED]
    assert not any(s.damaged for s in imported.skipped if s.reason == ABANDONED)
    return texts, abandoned


def said(texts: list[str]) -> list[str]:
    return [
        json.loads(t)["content"] if isinstance(json.loads(t)["content"], str) else "blocks" for t in texts
    ]


EXCHANGE = [
    uuid_entry("user", "u1", None, "Rename foo.py"),
    uuid_entry("assistant", "a1", "u1", [tool_use("t1")]),
    uuid_entry("user", "r1", "a1", [result("t1")]),
    uuid_entry("assistant", "a2", "r1", "Renamed."),
    uuid_entry("user", "u2", "a2", "Now delete bar.py"),
    uuid_entry("assistant", "a3", "u2", [tool_use("t2")]),
    uuid_entry("user", "r2", "a3", [result("t2")]),
    uuid_entry("assistant", "a4", "r2", "Deleted."),
]


def test_a_rewind_leaves_the_abandoned_exchange_out() -> None:
    """Esc Esc back to after the rename, then a new prompt: the deletion never happened."""
    texts, abandoned = read_tree(
        *EXCHANGE,
        uuid_entry("user", "u3", "a2", "Now add tests"),
        uuid_entry("assistant", "a5", "u3", "Added."),
    )
    assert said(texts) == ["Rename foo.py", "blocks", "blocks", "Renamed.", "Now add tests", "Added."]
    assert abandoned == [5, 6, 7, 8]


def test_an_edited_prompt_replaces_the_one_it_edits() -> None:
    lines = [
        *EXCHANGE[:4],
        uuid_entry("user", "u2", "a2", "Now delete bar.py"),
        uuid_entry("assistant", "a3", "u2", "Which bar.py?"),
        uuid_entry("user", "u2b", "a2", "Now delete src/bar.py"),
        uuid_entry("assistant", "a3b", "u2b", "Deleted src/bar.py."),
    ]
    texts, abandoned = read_tree(*lines)
    assert said(texts)[4:] == ["Now delete src/bar.py", "Deleted src/bar.py."]
    assert abandoned == [5, 6]


def test_a_fork_keeps_the_parallel_tool_calls_and_results_of_the_active_path() -> None:
    """Parallel tool calls may branch: both tool_use lines hang under the text line of their
    response, each result under its call; the path from the leaf passes through one of each."""
    lines = [
        uuid_entry("user", "u1", None, "Read both"),
        uuid_entry("assistant", "a1", "u1", text("Reading."), msg="msg_1"),
        uuid_entry("assistant", "a2", "a1", [tool_use("t1")], msg="msg_1"),
        uuid_entry("assistant", "a3", "a1", [tool_use("t2")], msg="msg_1"),
        uuid_entry("user", "r1", "a2", [result("t1")]),
        uuid_entry("user", "r2", "a3", [result("t2")]),
        uuid_entry("assistant", "a4", "r2", "Both read."),
        uuid_entry("user", "u2", "a4", "Summarise them"),
        uuid_entry("assistant", "a5", "u2", "They are alike."),
        uuid_entry("user", "u3", "a4", "Compare them"),
        uuid_entry("assistant", "a6", "u3", "They differ."),
    ]
    imported = convo.import_transcript(b"\n".join(lines))
    assert imported.valid, imported.problems()
    assert imported.lines == ((1,), (2, 3, 4), (5, 6), (7,), (10,), (11,))
    assert [str(s) for s in imported.skipped] == [f"line {n}: {ABANDONED}" for n in (8, 9)]


def test_the_last_prompt_entry_names_the_leaf_of_a_rewind_with_no_new_prompt() -> None:
    marker = json.dumps({"type": "last-prompt", "lastPrompt": "Rename foo.py", "leafUuid": "a2"}).encode()
    texts, abandoned = read_tree(*EXCHANGE, marker)
    assert said(texts) == ["Rename foo.py", "blocks", "blocks", "Renamed."]
    assert abandoned == [5, 6, 7, 8]
    # a prompt sent after the marker is newer than it: the newest message is the leaf again
    texts, abandoned = read_tree(*EXCHANGE[:4], marker, *EXCHANGE[4:])
    assert (len(texts), abandoned) == (8, [])
    # an edited first prompt starts a new root: only the marker says which root is the conversation
    edit = [
        uuid_entry("user", "u9", None, "Rename baz.py"),
        uuid_entry("assistant", "a9", "u9", "Renamed baz.py."),
    ]
    ends_at_a9 = json.dumps({"type": "last-prompt", "leafUuid": "a9"}).encode()
    texts, abandoned = read_tree(*EXCHANGE, *edit, ends_at_a9)
    assert (said(texts), abandoned) == (["Rename baz.py", "Renamed baz.py."], [1, 2, 3, 4, 5, 6, 7, 8])
    unresolved = json.dumps({"type": "last-prompt", "leafUuid": "gone"}).encode()
    assert read_tree(*EXCHANGE, uuid_entry("user", "u3", "a2", "Add tests"), unresolved)[1] == [5, 6, 7, 8]


def test_a_compact_boundary_carries_the_history_on() -> None:
    boundary = {"type": "system", "subtype": "compact_boundary", "uuid": "b1", "parentUuid": None}
    lines = [
        *EXCHANGE,
        json.dumps({**boundary, "logicalParentUuid": "a4"}).encode(),
        uuid_entry("user", "s1", "b1", "This session is being continued: a summary."),
        uuid_entry("user", "u3", "s1", "Delete baz.py"),
        uuid_entry("assistant", "a5", "u3", "Which baz.py?"),
        uuid_entry("user", "u4", "s1", "Delete src/baz.py"),
        uuid_entry("assistant", "a6", "u4", "Deleted src/baz.py."),
    ]
    texts, abandoned = read_tree(*lines)
    assert len(texts) == 8 + 2 and said(texts)[-1] == "Deleted src/baz.py."
    assert abandoned == [11, 12]


EDIT_WITH_U2_AGAIN = [
    uuid_entry("user", "u2", "a2", "Add tests"),
    uuid_entry("assistant", "a5", "u2", "Added."),
]
FORKED = [
    *EXCHANGE,
    uuid_entry("user", "u3", "a2", "Now add tests"),
    uuid_entry("assistant", "a5", "u3", "Added."),
]


def without_uuids(lines: list[bytes]) -> list[bytes]:
    return [json.dumps({k: v for k, v in json.loads(line).items() if k != "uuid"}).encode() for line in lines]


@pytest.mark.parametrize(
    "anomaly",
    [
        pytest.param(lambda lines: lines[:-1] + without_uuids(lines[-1:]), id="a line without uuid"),
        pytest.param(lambda lines: [*lines[:8], *EDIT_WITH_U2_AGAIN], id="duplicate"),
        pytest.param(
            lambda lines: [*lines[:8], uuid_entry("user", "u3", "gone", "Add tests"), lines[9]], id="dangling"
        ),
        pytest.param(lambda lines: [uuid_entry("user", "u1", "a4", "Rename foo.py"), *lines[1:]], id="cycle"),
        pytest.param(
            lambda lines: [*lines[:8], uuid_entry("user", "u3", None, "Add tests"), lines[9]], id="two roots"
        ),
    ],
)
def test_a_tree_that_is_not_sound_is_read_in_file_order(
    anomaly: Callable[[list[bytes]], list[bytes]],
) -> None:
    assert read_tree(*FORKED)[1] == [5, 6, 7, 8]  # sound, the same tree is read as a tree
    imported = convo.import_transcript(b"\n".join(anomaly(FORKED)))
    assert [n for lines in imported.lines for n in lines] == list(range(1, 11))
    assert not imported.skipped


def test_a_line_nested_too_deeply_is_skipped_as_damaged_not_raised() -> None:
    """import_transcript never raises on what the transcript says: a line too deep for Python
    to read is one more damaged entry."""
    good = b'{"type":"user","uuid":"a","parentUuid":null,"message":{"role":"user","content":"Hi"}}'
    deep = b'{"type":"user","message":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    imported = convo.import_transcript(good + b"\n" + deep + b"\n")
    assert [(s.line, s.reason, s.damaged) for s in imported.skipped] == [
        (2, "nested too deeply to read", True)
    ]
    assert len(imported.conversation) == 1
