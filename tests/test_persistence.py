"""Conversation files, journals and stores: formats, round trips, recovery, forks, ids."""

from __future__ import annotations

import contextlib
import datetime
import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convo
from convo import Conversation, Journal
from convo import _io as io_module
from convo import _journal as journal_module

SYSTEM = [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}]
TOOLS = [{"name": "grep", "description": "search", "input_schema": {"type": "object", "properties": {}}}]

# Exact bytes that a re-encoding would change: key order in tool input, escapes, number literals,
# an unknown block type, a thinking signature.
RICH = (
    b'{"system":[{"type":"text","text":"You are terse.","cache_control":{"type":"ephemeral"}}],'
    b'"tools":[{"name":"grep","input_schema":{"type":"object","properties":{}},"description":"s"}],'
    b'"messages":[{"role":"user","content":"caf\\u00e9 \\ud83d\\ude00 1.50e3"},'
    b'{"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"c2lnbmF0dXJl"},'
    b'{"type":"tool_use","id":"toolu_1","name":"grep","input":{"z":1,"a":[1.0,2E+2],"m":null}}]},'
    b'{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"},'
    b'{"type":"future_block","x":{"b":1,"a":2}}]}]}'
)


def rich() -> Conversation:
    return Conversation.from_wire(RICH)


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


# -- conversation files ----------------------------------------------------------------------------


def test_save_load_is_byte_identical(tmp_path: Path) -> None:
    conv = rich()
    path = tmp_path / "c.json"
    convo.save(conv, path, metadata={"title": "t", "n": [1, 2]})
    first = path.read_bytes()
    loaded = convo.load(path)
    assert loaded.to_json() == conv.to_json() == RICH
    assert loaded == conv
    convo.save(loaded, path, metadata={"title": "t", "n": [1, 2]})
    assert path.read_bytes() == first  # saved, reloaded and re-saved: byte-identical


def test_file_format_layout(tmp_path: Path) -> None:
    conv = Conversation(system="s").user("Hi")
    data = convo.dumps(conv, metadata={"b": 1, "a": 2})
    assert (
        data
        == b'{"convo":1,"metadata":{"b":1,"a":2},"system":"s","messages":[{"role":"user","content":"Hi"}]}\n'
    )
    assert convo.dumps(Conversation()) == b'{"convo":1,"metadata":{},"messages":[]}\n'
    saved = convo.loads(data)
    assert (saved.kind, saved.metadata, saved.recovery) == ("file", {"b": 1, "a": 2}, None)


def test_from_wire_reads_a_saved_file(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    convo.save(rich(), path)
    assert Conversation.from_wire(path.read_bytes()).to_json() == RICH


@pytest.mark.parametrize("version", [2, 99, 10**30])
def test_newer_format_is_refused(tmp_path: Path, version: int) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(b'{"convo":%d,"metadata":{},"messages":[]}' % version)
    with pytest.raises(convo.UnsupportedFormat, match=f"format version {version}.*upgrade convo"):
        convo.load(path)


@pytest.mark.parametrize(
    "data",
    [
        b'{"convo":0,"metadata":{},"messages":[]}',
        b'{"convo":"1","metadata":{},"messages":[]}',
        b'{"convo":true,"metadata":{},"messages":[]}',
        b'{"convo":1.0,"metadata":{},"messages":[]}',
        b'{"convo":1,"metadata":[],"messages":[]}',
        b'{"messages":[],"convo":-1}',
        b'{"convo":1,"metadata":{"a":' + b"[" * 5_000 + b"]" * 5_000 + b'},"messages":[]}',
    ],
)
def test_malformed_file_header_is_input_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(data)
    with pytest.raises(convo.InputError):
        convo.load(path)
    assert [p.code for p in convo.check(data).errors] == ["input-unreadable"]  # check agrees


def test_version_check_finds_a_moved_key(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(b'{"messages": [], "metadata": {"x": 1}, "convo": 7}')
    with pytest.raises(convo.UnsupportedFormat):
        convo.load(path)


def test_load_validates(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(b'{"convo":1,"metadata":{},"messages":[{"role":"user","content":[]}]}')
    with pytest.raises(convo.ValidationError):
        convo.load(path)


_OUTCOMES = """
import json, resource, sys
import convo

resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

def outcome(attempt):
    try:
        attempt()
    except convo.StorageError as exc:
        return [exc.errno, exc.strerror]
    except BaseException as exc:
        return repr(exc)
    return "no error"

"""


def _outcomes(attempts: str, *args: str | Path) -> list[Any]:
    """What each call of ``attempts`` (code that sets ``ATTEMPTS``, a list of callables; its
    arguments are in ``sys.argv``) ends in, run in a subprocess with 1 GiB of memory and 60 s, so
    that reading without a bound or waiting for ever fails the test instead of eating the machine
    or hanging it."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    code = _OUTCOMES + attempts + "\nprint(json.dumps([outcome(a) for a in ATTEMPTS]))\n"
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result: list[Any] = json.loads(done.stdout)
    return result


NOT_A_FILE = [errno.EINVAL, "is not a regular file"]


@pytest.mark.skipif(
    not (hasattr(os, "mkfifo") and os.path.exists("/dev/zero")), reason="needs FIFOs, /dev/zero"
)
def test_what_is_not_a_regular_file_is_refused_unread(tmp_path: Path) -> None:
    """A device or a named pipe is refused before a byte is read: /dev/zero would be read until
    memory ran out, a pipe with no writer waited on for ever, and a journal opened on /dev/null
    would acknowledge appends that go nowhere."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    reads = """
ATTEMPTS = [
    lambda path=path, read=read: read(path)
    for path in sys.argv[1:]
    for read in (convo.load, convo.load_saved, convo.Journal.open, convo.import_transcript)
]
"""
    assert _outcomes(reads, "/dev/zero", "/dev/null", fifo) == [NOT_A_FILE] * 12


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_named_pipe_in_a_store_is_never_waited_on(tmp_path: Path) -> None:
    """A named pipe planted as a store's journal: every method refuses it, none blocks on it."""
    os.mkfifo(tmp_path / "c.jsonl")
    calls = """
store = convo.DirectoryStore(sys.argv[1])
ATTEMPTS = [
    lambda: store.get("c"),
    lambda: store.metadata("c"),
    lambda: store.append("c", {"role": "user", "content": "Hi"}),
    lambda: store.put("c", convo.Conversation()),
    lambda: store.delete("c"),
]
"""
    replaced = [errno.EEXIST, "is not a regular file, and convo replaces only files"]
    assert _outcomes(calls, tmp_path) == [NOT_A_FILE, NOT_A_FILE, NOT_A_FILE, replaced, NOT_A_FILE]
    assert (tmp_path / "c.jsonl").is_fifo()


def test_load_missing_file_is_storage_error(tmp_path: Path) -> None:
    with pytest.raises(convo.StorageError) as info:
        convo.load(tmp_path / "nope.json")
    assert info.value.errno == errno.ENOENT
    assert isinstance(info.value, OSError) and isinstance(info.value, convo.ConvoError)
    with pytest.raises(convo.StorageError, match="directory"):
        convo.load(tmp_path)


@pytest.mark.parametrize(
    "metadata",
    [{"n": float("nan")}, {"n": float("inf")}, {1: "a"}, {"b": b"xy"}, {"when": datetime.date(2026, 1, 1)}],
)
def test_metadata_that_json_would_change_is_refused(metadata: dict[Any, Any]) -> None:
    with pytest.raises(convo.InvalidArgument, match="read back exactly"):
        convo.dumps(Conversation().user("hi"), metadata=metadata)


def test_metadata_round_trips_exactly(tmp_path: Path) -> None:
    metadata = {"user": "ada", "tags": ("a", "b"), "nested": {"ü": [1, 2.5, None, True]}}
    convo.save(Conversation().user("hi"), tmp_path / "c.json", metadata=metadata)
    assert convo.load_saved(tmp_path / "c.json").metadata == {**metadata, "tags": ["a", "b"]}


def test_save_replaces_atomically_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    convo.save(Conversation().user("one"), path)
    convo.save(Conversation().user("two"), path, fsync=False)
    assert convo.load(path).messages[0].content == "two"
    with pytest.raises(convo.InvalidArgument):
        convo.save(Conversation().user("three"), path, metadata={"bad": object()})
    with pytest.raises(convo.InvalidArgument):
        convo.save("not a conversation", path)  # type: ignore[arg-type]
    assert convo.load(path).messages[0].content == "two"
    assert sorted(os.listdir(tmp_path)) == ["c.json"]


def test_save_into_missing_directory_is_storage_error(tmp_path: Path) -> None:
    """The error names the file asked for, not the temporary file convo writes first."""
    target = tmp_path / "missing" / "c.json"
    for write in (lambda: convo.save(Conversation(), target), lambda: convo.Journal.create(target)):
        with pytest.raises(convo.StorageError) as info:
            write()
        assert info.value.errno == errno.ENOENT
        assert info.value.filename == str(target) and ".convo-tmp-" not in str(info.value)


def test_load_reads_wire_formats(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(b'{"model":"claude-opus-4-8","max_tokens":5,"messages":[{"role":"user","content":"x"}]}')
    saved = convo.load_saved(path)
    assert saved.kind == "wire" and len(saved.conversation) == 1


def test_loads_reads_text_as_from_wire_does_and_refuses_what_is_not_data() -> None:
    conv = rich()
    text = convo.dumps(conv, metadata={"user": "ada"}).decode()
    saved = convo.loads(text)
    assert saved.conversation.to_json() == conv.to_json() and saved.metadata == {"user": "ada"}
    journal = '{"convo_journal":1,"metadata":{}}\n{"role":"user","content":"hi"}\n'
    assert convo.loads(journal).kind == "journal"
    with pytest.raises(convo.InputError, match="not valid Unicode"):
        convo.loads('[{"role":"user","content":"\ud800"}]')
    for value in (None, 5, {"messages": []}, ["x"]):
        with pytest.raises(convo.InvalidArgument, match="bytes or str"):
            convo.loads(value)  # type: ignore[arg-type]


# -- journals --------------------------------------------------------------------------------------


@pytest.fixture
def jpath(tmp_path: Path) -> Path:
    return tmp_path / "j.jsonl"


def test_journal_layout_and_round_trip(jpath: Path) -> None:
    conv = rich()
    with Journal.create(jpath, conv, metadata={"owner": "ada"}) as journal:
        assert journal.conversation == conv
        new = journal.assistant("done")
    lines = jpath.read_bytes().split(b"\n")
    assert lines[0].startswith(b'{"convo_journal":1,"metadata":{"owner":"ada"},"system":[')
    assert lines[1:-1] == [m.to_json() for m in new.messages]
    assert lines[-1] == b""
    reopened = Journal.open(jpath)
    assert reopened.conversation.to_json() == new.to_json()
    assert reopened.metadata == {"owner": "ada"} and reopened.recovery is None
    assert convo.load(jpath).to_json() == new.to_json()
    assert convo.load_saved(jpath).kind == "journal"
    reopened.close()


def test_journal_builders(jpath: Path) -> None:
    with Journal.create(jpath) as journal:
        journal.user("What is in /tmp?")
        journal.reply(
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "toolu_9", "name": "ls", "input": {"path": "/tmp"}}],
            }
        )
        journal.tool_results({"toolu_9": "a.txt"})
        journal.append(assistant("One file."))
        conv = journal.extend([user("thanks"), assistant("welcome")])
    assert len(conv) == 6
    assert convo.load(jpath) == conv


def test_journal_reply_takes_what_conversation_reply_takes(jpath: Path) -> None:
    cut = {
        "type": "message",
        "role": "assistant",
        "stop_reason": "max_tokens",
        "content": [
            {"type": "text", "text": "Writing it."},
            {"type": "tool_use", "id": "toolu_1", "name": "write", "input": {}},
        ],
    }
    refused = {"type": "message", "role": "assistant", "stop_reason": "refusal", "content": []}
    with Journal.create(jpath) as journal:
        journal.user("Write the file.")
        with pytest.raises(convo.ToolUseTruncated):
            journal.reply(cut)
        conv = journal.reply(cut, truncated="drop")
        assert conv.messages[-1].to_dict()["content"] == [{"type": "text", "text": "Writing it."}]
        journal.user("Now the other one.")
        with pytest.raises(convo.Refused):
            journal.reply(refused)
        journal.reply(refused, refusal="keep")  # nothing to append: content is empty
    assert len(convo.load(jpath)) == 3


def test_create_refuses_an_existing_file(jpath: Path) -> None:
    Journal.create(jpath).close()
    with pytest.raises(convo.StorageError) as info:
        Journal.create(jpath)
    assert info.value.errno == errno.EEXIST


def test_invalid_append_writes_nothing(jpath: Path) -> None:
    with Journal.create(jpath) as journal:
        journal.user("hi")
        before = jpath.read_bytes()
        with pytest.raises(convo.ValidationError):
            journal.append(
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "nope", "content": "x"}]}
            )
        with pytest.raises(convo.ValidationError):  # all or nothing: the first would be fine
            journal.extend([assistant("ok"), {"role": "user", "content": [{"type": "text", "text": ""}]}])
        assert jpath.read_bytes() == before
        assert len(journal) == 1


def test_two_handles_see_each_others_appends(jpath: Path) -> None:
    a = Journal.create(jpath)
    b = Journal.open(jpath)
    a.user("from a")
    assert len(b.conversation) == 0
    b.assistant("from b")  # catches up with a's line under the lock, then appends
    assert [m.content for m in a.refresh().messages] == ["from a", "from b"]
    a.close()
    b.close()


def test_torn_tail_is_cut_and_reported(jpath: Path) -> None:
    with Journal.create(jpath) as journal:
        journal.user("hi")
    intact = jpath.read_bytes()
    torn = b'{"role":"assistant","content":"hel'
    jpath.write_bytes(intact + torn)
    saved = convo.load_saved(jpath)  # reading never writes
    assert saved.recovery is not None and saved.recovery.kind == "torn-tail"
    assert (saved.recovery.line, saved.recovery.offset, saved.recovery.size) == (3, len(intact), len(torn))
    assert jpath.read_bytes() == intact + torn
    with Journal.open(jpath) as journal:
        assert journal.recovery is not None and journal.recovery.kind == "torn-tail"
        assert jpath.read_bytes() == intact
        journal.assistant("hello")
    assert [m.content for m in convo.load(jpath).messages] == ["hi", "hello"]


def test_a_complete_line_without_newline_is_still_torn(jpath: Path) -> None:
    with Journal.create(jpath) as journal:
        journal.user("hi")
    intact = jpath.read_bytes()
    jpath.write_bytes(intact + b'{"role":"assistant","content":"never acknowledged"}')
    assert len(convo.load(jpath)) == 1


@pytest.mark.parametrize(
    "content",
    [
        convo.dumps(Conversation().user("precious"))[:-40],  # a copy cut short
        b"some notes, not a journal",
        b'{"role":"user","content":"caf\xe9"',  # Latin-1, and cut short
    ],
)
def test_a_lone_line_without_newline_in_a_file_convo_did_not_make_is_left_whole(
    tmp_path: Path, content: bytes
) -> None:
    """With no header and no whole line before it, a last line cut short is no torn append of
    convo's: opening the file (or reading it from a store) refuses it and changes nothing."""
    saved = tmp_path / "store" / "x.jsonl"
    saved.parent.mkdir()
    saved.write_bytes(content)
    for opening in (lambda: Journal.open(saved), lambda: convo.DirectoryStore(saved.parent).get("x")):
        with pytest.raises(convo.CorruptJournal):
            opening()
        assert saved.read_bytes() == content


def test_a_file_convo_did_not_make_is_never_cut(tmp_path: Path) -> None:
    """A torn last line is cut only in convo's own journals (they start with a header); a whole
    last line without its newline, in another file, is refused and left as it is."""
    headerless = tmp_path / "h.jsonl"
    headerless.write_bytes(b'{"role":"user","content":"a"}\n{"role":"assistant","content":"b"}')
    saved = tmp_path / "store" / "x.jsonl"
    saved.parent.mkdir()
    saved.write_bytes(convo.dumps(Conversation().user("precious")).rstrip(b"\n"))
    for path, opening in (
        (headerless, lambda: Journal.open(headerless)),
        (saved, lambda: convo.DirectoryStore(saved.parent).get("x")),
    ):
        before = path.read_bytes()
        with pytest.raises(convo.CorruptJournal, match="add the newline"):
            opening()
        assert path.read_bytes() == before
    assert len(convo.load(headerless)) == 2  # read as JSON Lines, as it is


def test_a_forks_parent_is_never_read_through_a_symbolic_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    with Journal.create(tmp_path / "parent.jsonl", Conversation(system="secret").user("x")) as parent:
        parent.fork(tmp_path / "child.jsonl").close()
    (tmp_path / "parent.jsonl").rename(outside / "parent.jsonl")
    (tmp_path / "parent.jsonl").symlink_to(outside / "parent.jsonl")
    with pytest.raises(convo.StorageError, match="is a symbolic link"):
        convo.load(tmp_path / "child.jsonl")


def test_a_journal_is_not_opened_through_a_symbolic_link_and_says_so(tmp_path: Path) -> None:
    Journal.create(tmp_path / "real.jsonl", Conversation().user("x")).close()
    (tmp_path / "link.jsonl").symlink_to(tmp_path / "real.jsonl")
    with pytest.raises(convo.StorageError, match="is a symbolic link") as info:
        Journal.open(tmp_path / "link.jsonl")
    assert info.value.errno == errno.ELOOP and info.value.filename == str(tmp_path / "link.jsonl")
    assert len(convo.load(tmp_path / "link.jsonl")) == 1  # reading follows it


def _damaged(jpath: Path) -> tuple[bytes, int]:
    with Journal.create(jpath) as journal:
        for i in range(3):
            journal.user(f"u{i}")
            journal.assistant(f"a{i}")
    data = jpath.read_bytes()
    offset = data.index(b'"a1"')
    start = data.rindex(b"\n", 0, offset) + 1
    jpath.write_bytes(data[:offset] + b"\xff" + data[offset + 1 :])
    return data, start


def test_damage_in_the_middle_names_line_and_offset(jpath: Path) -> None:
    _, start = _damaged(jpath)
    for opener in (convo.load, Journal.open):
        with pytest.raises(convo.CorruptJournal, match=rf"line 5 \(byte {start}\).*salvage=True") as info:
            opener(jpath)
        assert (info.value.line, info.value.offset) == (5, start)
        assert isinstance(info.value, convo.InputError)


def test_salvage_recovers_the_intact_prefix_and_keeps_the_original(jpath: Path) -> None:
    _, start = _damaged(jpath)
    damaged = jpath.read_bytes()
    read = convo.load_saved(jpath, salvage=True)  # read-only salvage
    assert [m.content for m in read.conversation.messages] == ["u0", "a0", "u1"]
    assert read.recovery is not None and read.recovery.kind == "salvaged" and read.recovery.offset == start
    assert jpath.read_bytes() == damaged
    with Journal.open(jpath, salvage=True) as journal:
        recovery = journal.recovery
        assert recovery is not None and recovery.saved_to is not None
        assert recovery.saved_to.read_bytes() == damaged
        assert jpath.read_bytes() == damaged[:start]
        journal.assistant("again")
    assert [m.content for m in convo.load(jpath).messages] == ["u0", "a0", "u1", "again"]


def test_salvage_keeps_the_original_of_a_journal_whose_name_is_near_the_limit(tmp_path: Path) -> None:
    """The copy's name is the journal's, cut short to fit 255 bytes with its ``.damaged-`` suffix."""
    jpath = tmp_path / ("é" * 120 + ".jsonl")  # 246 bytes: a legal name, too long for the suffix
    _damaged(jpath)
    damaged = jpath.read_bytes()
    with Journal.open(jpath, salvage=True) as journal:
        saved = journal.recovery.saved_to if journal.recovery is not None else None
    assert saved is not None and saved.read_bytes() == damaged
    assert len(os.fsencode(saved.name)) <= 255 and saved.name.startswith("é" * 100)
    assert ".damaged-" in saved.name


def test_salvage_never_turns_a_journal_headerless(jpath: Path) -> None:
    Journal.create(jpath, Conversation().user("x")).close()
    data = jpath.read_bytes()
    jpath.write_bytes(b"#" + data[1:])
    with pytest.raises(convo.CorruptJournal) as info:
        Journal.open(jpath, salvage=True)
    assert info.value.line == 1


def test_a_file_that_is_not_a_journal_is_not_sent_to_salvage(tmp_path: Path) -> None:
    """salvage=True refuses a damaged first line (there is nothing before it), so the error
    does not advise it: opening a conversation file as a journal says it is not one."""
    path = tmp_path / "chat.json"
    convo.save(Conversation().user("hi"), path)
    for salvage in (False, True):
        with pytest.raises(convo.CorruptJournal, match="not a journal") as info:
            Journal.open(path, salvage=salvage)
        assert "salvage" not in str(info.value) and info.value.line == 1


def test_invalid_message_line_is_damage(jpath: Path) -> None:
    Journal.create(jpath, Conversation().user("x").assistant("y")).close()
    data = jpath.read_bytes().replace(b'"role":"assistant"', b'"role":"assistanu"')
    jpath.write_bytes(data)
    with pytest.raises(convo.CorruptJournal) as info:
        convo.load(jpath)
    assert info.value.line == 3


@pytest.mark.parametrize("field", ["metadata", "parent", "later"])
def test_a_journal_header_nested_too_deeply_is_damage(jpath: Path, field: str) -> None:
    deep = b"[" * 5_000 + b"]" * 5_000
    jpath.write_bytes(
        b'{"convo_journal":1,"%s":%s}\n{"role":"user","content":"hi"}\n' % (field.encode(), deep)
    )
    with pytest.raises(convo.CorruptJournal, match="nested too deeply"):
        convo.load(jpath)


def test_newer_journal_version_is_refused(jpath: Path) -> None:
    jpath.write_bytes(b'{"convo_journal":2,"metadata":{}}\n')
    with pytest.raises(convo.UnsupportedFormat, match="upgrade convo"):
        Journal.open(jpath)


def test_headerless_jsonl_opens_and_appends(jpath: Path) -> None:
    jpath.write_bytes(b'{"role": "user", "content": "hi"}\n\n')
    with Journal.open(jpath) as journal:
        assert len(journal) == 1
        journal.assistant("hello")
    assert len(convo.load(jpath)) == 2
    jpath.write_bytes(b"")
    with Journal.open(jpath) as journal:
        assert len(journal) == 0


def test_fork_shares_the_prefix_without_copying(tmp_path: Path) -> None:
    parent = Journal.create(tmp_path / "p.jsonl", Conversation(system="s", tools=TOOLS))
    for i in range(3):
        parent.user(f"u{i}")
        parent.assistant(f"a{i}")
    fork = parent.fork(tmp_path / "f.jsonl", at=2, metadata={"branch": 1})
    assert (tmp_path / "f.jsonl").read_bytes().count(b"\n") == 1  # only the header
    fork.user("other question")
    parent.user("parent goes on")
    expected = Conversation(system="s", tools=TOOLS).user("u0").assistant("a0").user("other question")
    assert convo.load(tmp_path / "f.jsonl") == expected
    assert fork.metadata == {"branch": 1}
    grandchild = fork.fork(tmp_path / "g.jsonl")
    grandchild.assistant("deep")
    assert [m.content for m in convo.load(tmp_path / "g.jsonl").messages][-2:] == ["other question", "deep"]
    empty = parent.fork(tmp_path / "e.jsonl", at=0)
    assert len(empty) == 0 and empty.conversation.system == "s"
    for j in (parent, fork, grandchild, empty):
        j.close()


def test_fork_detects_a_changed_parent(tmp_path: Path) -> None:
    parent = Journal.create(tmp_path / "p.jsonl", Conversation().user("u0").assistant("a0"))
    parent.fork(tmp_path / "f.jsonl", at=2).close()
    parent.close()
    data = (tmp_path / "p.jsonl").read_bytes()
    (tmp_path / "p.jsonl").write_bytes(data.replace(b'"a0"', b'"A0"'))
    with pytest.raises(convo.InputError, match="have changed"):
        convo.load(tmp_path / "f.jsonl")
    (tmp_path / "p.jsonl").write_bytes(data.split(b"\n")[0] + b"\n")
    with pytest.raises(convo.InputError, match="fewer than"):
        convo.load(tmp_path / "f.jsonl")
    (tmp_path / "p.jsonl").unlink()
    with pytest.raises(convo.StorageError):
        convo.load(tmp_path / "f.jsonl")


def test_fork_refuses_bad_places(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    with Journal.create(tmp_path / "p.jsonl", Conversation().user("x")) as parent:
        with pytest.raises(convo.InvalidArgument, match="same directory"):
            parent.fork(tmp_path / "sub" / "f.jsonl")
        with pytest.raises(convo.InvalidArgument, match="cannot fork at 5"):
            parent.fork(tmp_path / "f.jsonl", at=5)


def test_fork_header_cannot_point_elsewhere(tmp_path: Path) -> None:
    bad = b'{"convo_journal":1,"metadata":{},"parent":{"name":"../x.jsonl","messages":0,"sha256":""}}\n'
    (tmp_path / "f.jsonl").write_bytes(bad)
    with pytest.raises(convo.CorruptJournal, match="same directory"):
        convo.load(tmp_path / "f.jsonl")
    loop = b'{"convo_journal":1,"metadata":{},"parent":{"name":"f.jsonl","messages":0,"sha256":""}}\n'
    (tmp_path / "f.jsonl").write_bytes(loop)
    with pytest.raises(convo.InputError, match="loops"):
        convo.load(tmp_path / "f.jsonl")


def test_group_commit_syncs_once(jpath: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = journal_module.datasync
    monkeypatch.setattr(journal_module, "datasync", lambda fd: (calls.append(fd), real(fd)))
    with Journal.create(jpath) as journal:
        journal.user("one")
        assert len(calls) == 1
        with journal.group():
            journal.assistant("two")
            journal.user("three")
            assert len(calls) == 1
        assert len(calls) == 2
    with Journal.open(jpath, fsync=False) as journal:
        journal.assistant("four")
    assert len(calls) == 2
    assert len(convo.load(jpath)) == 4


def test_without_fsync_a_group_and_close_never_sync(jpath: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fsync=False is no sync at all (docs/persistence.md, durability options), in a group too."""
    calls: list[int] = []
    real = journal_module.datasync
    monkeypatch.setattr(journal_module, "datasync", lambda fd: (calls.append(fd), real(fd)))
    with Journal.create(jpath, fsync=False) as journal:
        with journal.group():
            journal.user("one")
            journal.assistant("two")
    assert calls == []
    with Journal.open(jpath, fsync=False) as journal:
        journal.sync()  # asked for by name: it syncs
    assert len(calls) == 1
    assert len(convo.load(jpath)) == 2


def test_a_group_in_one_thread_leaves_other_threads_synced(
    jpath: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    synced: list[str] = []
    real = journal_module.datasync
    monkeypatch.setattr(
        journal_module, "datasync", lambda fd: (synced.append(threading.current_thread().name), real(fd))
    )
    inside, done = threading.Event(), threading.Event()
    with Journal.create(jpath) as journal:

        def grouped() -> None:
            with journal.group():
                journal.user("a")
                inside.set()
                done.wait(10)

        worker = threading.Thread(target=grouped, name="grouped")
        worker.start()
        inside.wait(10)
        synced.clear()
        journal.assistant("b")  # outside any group: synced before it returns
        assert synced == ["MainThread"]
        done.set()
        worker.join(10)
    assert len(convo.load(jpath)) == 2


def test_failed_write_is_taken_back(jpath: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Journal.create(jpath) as journal:
        journal.user("hi")
        before = jpath.read_bytes()
        real = os.write

        def half_then_full(fd: int, data: Any) -> int:
            real(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "write", half_then_full)
        with pytest.raises(convo.StorageError) as info:
            journal.assistant("a long answer that does not fit")
        monkeypatch.undo()
        assert info.value.errno == errno.ENOSPC
        assert jpath.read_bytes() == before and len(journal) == 1
        journal.assistant("short")
    assert len(convo.load(jpath)) == 2


def test_replaced_or_deleted_journal(jpath: Path) -> None:
    journal = Journal.create(jpath, Conversation().user("x"))
    Journal.create(jpath.with_name("other.jsonl"), Conversation().user("y").assistant("z")).close()
    os.replace(jpath.with_name("other.jsonl"), jpath)
    assert [m.content for m in journal.refresh().messages] == ["y", "z"]
    jpath.unlink()
    with pytest.raises(convo.StorageError) as info:
        journal.user("lost")
    assert info.value.errno == errno.ENOENT
    journal.close()
    with pytest.raises(convo.InvalidArgument, match="closed"):
        journal.user("after close")


def test_journal_repr_and_len(jpath: Path) -> None:
    journal = Journal.create(jpath, Conversation().user("x"))
    assert len(journal) == 1 and "1 messages" in repr(journal) and journal.path == jpath
    journal.close()
    journal.close()
    assert "closed" in repr(journal)


# -- stores ----------------------------------------------------------------------------------------


@pytest.fixture(params=["directory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[convo.Store]:
    s: convo.Store = (
        convo.DirectoryStore(tmp_path / "store")
        if request.param == "directory"
        else convo.SQLiteStore(tmp_path / "store.sqlite3")
    )
    with s:
        yield s


def test_store_round_trip(store: convo.Store) -> None:
    conv = rich()
    store.put("b", conv, metadata={"user": "ada"})
    store.put("a", Conversation().user("x"))
    assert store.list() == ["a", "b"] and list(store) == ["a", "b"]
    assert store.get("b").to_json() == RICH
    assert store.metadata("b") == {"user": "ada"}
    new = store.append("b", assistant("done"), user("more"))
    assert store.get("b") == new and len(new) == 5
    assert "b" in store and "zz" not in store and "../b" not in store
    store.put("b", Conversation().user("replaced"))
    assert len(store.get("b")) == 1 and store.metadata("b") == {}
    store.delete("b")
    assert store.list() == ["a"]


def test_store_missing_ids(store: convo.Store) -> None:
    for call in (
        lambda: store.get("nope"),
        lambda: store.append("nope", user("x")),
        lambda: store.delete("nope"),
        lambda: store.metadata("nope"),
    ):
        with pytest.raises(convo.ConversationNotFound) as info:
            call()
        assert isinstance(info.value, KeyError) and "nope" in str(info.value)


def test_store_append_is_validated_and_atomic(store: convo.Store) -> None:
    store.put("c", Conversation().user("x"))
    with pytest.raises(convo.ValidationError):
        store.append("c", assistant("fine"), {"role": "user", "content": [{"type": "text", "text": ""}]})
    assert len(store.get("c")) == 1


def test_two_store_handles_stay_consistent(store: convo.Store, tmp_path: Path) -> None:
    other: convo.Store = (
        convo.DirectoryStore(tmp_path / "store")
        if isinstance(store, convo.DirectoryStore)
        else convo.SQLiteStore(tmp_path / "store.sqlite3")
    )
    with other:
        store.put("c", Conversation().user("x"))
        store.append("c", assistant("from 1"))
        other.append("c", user("from 2"))
        store.append("c", assistant("from 1 again"))
        assert [m.content for m in other.get("c").messages] == ["x", "from 1", "from 2", "from 1 again"]
        other.put("c", Conversation().user("fresh"))
        assert [m.content for m in store.append("c", assistant("on fresh")).messages] == ["fresh", "on fresh"]
        other.delete("c")
        with pytest.raises(convo.ConversationNotFound):
            store.append("c", user("gone"))
        with pytest.raises(convo.ConversationNotFound):
            store.get("c")


HOSTILE_IDS = [
    "",
    ".",
    "..",
    "../x",
    "..\\x",
    "a/b",
    "a\\b",
    "/etc/passwd",
    "C:\\x",
    "a\x00b",
    "x" * 129,
    "x" * 5000,
    ".hidden",
    "trailing.",
    "CON",
    "nul.txt",
    "com1",
    "a b",
    "é",
    "a\nb",
    "~",
    "$HOME",
]


@pytest.mark.parametrize("bad", HOSTILE_IDS, ids=repr)
def test_hostile_ids_are_refused(store: convo.Store, bad: str, tmp_path: Path) -> None:
    conv = Conversation().user("x")
    for call in (
        lambda: store.put(bad, conv),
        lambda: store.get(bad),
        lambda: store.append(bad, user("x")),
        lambda: store.delete(bad),
        lambda: store.metadata(bad),
    ):
        with pytest.raises(convo.InvalidArgument, match="id"):
            call()
    assert store.list() == []
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.jsonl").exists()


def test_non_string_ids_are_refused(store: convo.Store) -> None:
    for bad in (None, 1, b"abc", Path("abc")):
        with pytest.raises(convo.InvalidArgument):
            store.get(bad)  # type: ignore[arg-type]


def test_valid_ids_stay_inside_the_directory(tmp_path: Path) -> None:
    store = convo.DirectoryStore(tmp_path)
    for good in ("a", "A-b_c.d", "x" * 128, "0", "_", "-", "a..b", "con2", "session.2026-11-22"):
        assert store.path(good).parent == tmp_path
        store.put(good, Conversation())
    assert len(store.list()) == 9
    store.close()


def test_directory_store_lists_only_conversations(tmp_path: Path) -> None:
    with convo.DirectoryStore(tmp_path) as store:
        store.put("a", Conversation())
        (tmp_path / ".convo-tmp-123-a.jsonl").write_bytes(b"")
        (tmp_path / "a.jsonl.damaged-2026").write_bytes(b"")
        (tmp_path / "notes.txt").write_bytes(b"")
        (tmp_path / "..jsonl").write_bytes(b"")
        assert store.list() == ["a"]


def test_directory_store_does_not_follow_symlinks(tmp_path: Path) -> None:
    outside = tmp_path / "outside.jsonl"
    Journal.create(outside, Conversation().user("secret")).close()
    root = tmp_path / "store"
    root.mkdir()
    (root / "link.jsonl").symlink_to(outside)
    with convo.DirectoryStore(root) as store:
        with pytest.raises(convo.ConversationNotFound):
            store.get("link")


def test_directory_store_cache_size_zero(tmp_path: Path) -> None:
    with convo.DirectoryStore(tmp_path, cache_size=0, fsync=False) as store:
        store.put("a", Conversation().user("x"))
        store.append("a", assistant("y"))
        assert len(store.get("a")) == 2


def test_directory_store_root_must_be_a_directory(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(convo.StorageError):
        convo.DirectoryStore(tmp_path / "f")


@pytest.mark.parametrize("fsync", [True, False])
def test_a_store_directory_it_creates_is_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fsync: bool
) -> None:
    """The root a DirectoryStore creates, and each missing parent, is synced into its own parent
    (innermost first), or it could vanish in a power loss with every journal written into it."""
    synced: list[Path] = []
    real = io_module.fsync_dir
    monkeypatch.setattr(io_module, "fsync_dir", lambda d: (synced.append(Path(d)), real(d)))
    root = tmp_path / "a" / "b" / "store"
    convo.DirectoryStore(root, fsync=fsync).close()
    assert root.is_dir()
    assert synced == ([tmp_path / "a" / "b", tmp_path / "a", tmp_path] if fsync else [])
    synced.clear()
    convo.DirectoryStore(root).close()  # it exists already: nothing to sync
    assert synced == []


def test_a_directory_store_without_fsync_never_syncs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    for module in (io_module, journal_module):
        real_dir, real_data = module.fsync_dir, module.datasync
        monkeypatch.setattr(module, "fsync_dir", lambda d, real=real_dir: (synced.append("dir"), real(d)))
        monkeypatch.setattr(module, "datasync", lambda fd, real=real_data: (synced.append("data"), real(fd)))
    with convo.DirectoryStore(tmp_path / "store", fsync=False) as store:
        store.put("chat", Conversation().user("hi"))
        store.append("chat", assistant("hello"))
        store.delete("chat")
        assert store.list() == []
    assert synced == []


def test_sqlite_store_errors_are_storage_errors(tmp_path: Path) -> None:
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(convo.StorageError, match="SQLite"):
        convo.SQLiteStore(tmp_path / "junk.db")


def test_store_reprs(tmp_path: Path) -> None:
    with convo.DirectoryStore(tmp_path / "d") as d, convo.SQLiteStore(":memory:") as s:
        assert "DirectoryStore" in repr(d) and "SQLiteStore" in repr(s)


@settings(max_examples=300)
@given(st.text(max_size=300) | st.from_regex(r"[A-Za-z0-9._-]{1,140}", fullmatch=True))
def test_any_id_is_refused_or_stays_inside_the_store(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    root = tmp_path_factory.getbasetemp() / "idstore"
    store = convo.DirectoryStore(root)
    try:
        path = store.path(text)
    except convo.InvalidArgument:
        return
    assert path.parent == root and path.name == text + ".jsonl"
    assert os.path.realpath(path).startswith(os.path.realpath(root) + os.sep)
    assert "/" not in text and "\\" not in text and "\x00" not in text and text not in (".", "..")


def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "private.json"
    convo.save(Conversation().user("secret"), path)
    path.chmod(0o600)
    convo.save(Conversation().user("still secret"), path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_second_store_object_sees_metadata_replaced_or_deleted(tmp_path: Path) -> None:
    first, second = convo.DirectoryStore(tmp_path), convo.DirectoryStore(tmp_path)
    first.put("x", Conversation().user("hi"), metadata={"v": 1})
    assert second.metadata("x") == {"v": 1}
    first.put("x", Conversation().user("hi"), metadata={"v": 2})
    assert second.metadata("x") == {"v": 2}
    first.delete("x")
    with pytest.raises(convo.ConversationNotFound):
        second.metadata("x")


@pytest.mark.parametrize("at", [True, 1.0, "1"])
def test_fork_at_must_be_a_count(jpath: Path, at: Any) -> None:
    with Journal.create(jpath, Conversation().user("hi")) as journal:
        with pytest.raises(convo.InvalidArgument, match="number of messages"):
            journal.fork(jpath.with_name("fork.jsonl"), at=at)
    assert not jpath.with_name("fork.jsonl").exists()


# --- found by an audit of this layer ------------------------------------------------------------


def test_a_file_holding_the_journal_key_as_text_loads(tmp_path: Path) -> None:
    """A saved file is one line: the journal header key anywhere in it must not make it a journal."""
    conv = Conversation(system="convo_journal").user("convo_journal")
    conv = conv.assistant([{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"convo_journal": 1}}])
    path = tmp_path / "chat.json"
    convo.save(conv, path, metadata={"convo_journal": "convo_journal"})
    saved = convo.load_saved(path)
    assert saved.kind == "file" and saved.conversation.to_json() == conv.to_json()
    assert convo.loads(convo.dumps(conv)).conversation.to_json() == conv.to_json()


def test_journals_and_stores_keep_to_their_files_after_chdir(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    here = os.getcwd()
    try:
        os.chdir(tmp_path / "a")
        journal = Journal.create("chat.jsonl", Conversation().user("for a"))
        store = convo.DirectoryStore("store")
        store.put("c", Conversation().user("for a"))
        os.chdir(tmp_path / "b")
        Journal.create("chat.jsonl", Conversation().user("for b")).close()
        convo.DirectoryStore("store").put("c", Conversation().user("for b"))
        journal.append(assistant("reply to a"))
        store.append("c", assistant("reply to a"))
        journal.close()
        store.close()
    finally:
        os.chdir(here)
    for where in (tmp_path / "a" / "chat.jsonl", tmp_path / "a" / "store" / "c.jsonl"):
        assert [m.content for m in convo.load(where).messages] == ["for a", "reply to a"]
    for where in (tmp_path / "b" / "chat.jsonl", tmp_path / "b" / "store" / "c.jsonl"):
        assert [m.content for m in convo.load(where).messages] == ["for b"]


@pytest.mark.parametrize("path", ["", "/", "a\0b"])
def test_a_path_that_names_no_file_is_an_invalid_argument(tmp_path: Path, path: str) -> None:
    with pytest.raises(convo.InvalidArgument):
        convo.save(Conversation().user("hi"), path)
    with pytest.raises(convo.InvalidArgument):
        Journal.create(path)
    if path:
        with pytest.raises(convo.InvalidArgument):
            convo.load(path)


def test_metadata_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    deep: Any = {}
    for _ in range(2000):
        deep = {"k": deep}
    with pytest.raises(convo.InvalidArgument, match="nested too deeply"):
        convo.save(Conversation().user("hi"), tmp_path / "chat.json", metadata=deep)


def test_a_long_non_ascii_name_saves(tmp_path: Path) -> None:
    path = tmp_path / ("é" * 120 + ".json")  # 245 bytes: legal, and longer once written aside
    convo.save(Conversation().user("hi"), path)
    assert convo.load(path).to_json() == Conversation().user("hi").to_json()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_save_through_a_symbolic_link_replaces_what_it_points_to(tmp_path: Path) -> None:
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    convo.save(Conversation().user("old"), real)
    link.symlink_to(real)
    convo.save(Conversation().user("new"), link)
    assert link.is_symlink() and convo.load(real).messages[0].content == "new"


def test_a_damaged_header_names_its_file(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_bytes(b'{"convo_journal":1,"metadata":[]}\n')
    with pytest.raises(convo.CorruptJournal, match=f"^{path}: line 1"):
        convo.load(path)


def test_sqlite_get_reads_one_put_whole(tmp_path: Path) -> None:
    """A put by another process between get's two reads must not mix two versions."""
    first, second = Conversation(system="X").user("x"), Conversation(system="Y").user("y").assistant("y")
    writer = convo.SQLiteStore(tmp_path / "s.db")
    writer.put("c", second)
    reader = convo.SQLiteStore(tmp_path / "s.db")

    class PutBetweenReads:
        def __init__(self, db: Any) -> None:
            self.db, self.armed = db, True

        def execute(self, sql: str, *args: Any) -> Any:
            cursor = self.db.execute(sql, *args)
            if self.armed and sql.startswith("SELECT generation"):
                self.armed = False
                row = cursor.fetchone()
                writer.put("c", first)
                return type("Row", (), {"fetchone": lambda _: row})()
            return cursor

    reader._db = PutBetweenReads(reader._db)  # type: ignore[assignment]
    assert reader.get("c").to_json() == second.to_json()
    assert convo.SQLiteStore(tmp_path / "s.db").get("c").to_json() == first.to_json()


def test_a_store_lists_only_what_it_can_get(tmp_path: Path) -> None:
    store = convo.DirectoryStore(tmp_path / "store")
    store.put("real", Conversation().user("hi"))
    secret = tmp_path / "secret.jsonl"
    secret.write_bytes((tmp_path / "store" / "real.jsonl").read_bytes())
    secret.chmod(0o604)
    (tmp_path / "store" / "planted.jsonl").symlink_to(secret)
    assert store.list() == ["real"] and "planted" not in store and "real" in store
    with pytest.raises(convo.ConversationNotFound):
        store.get("planted")
    store.put("planted", Conversation().user("mine"))  # the link is replaced, its target untouched
    assert (tmp_path / "store" / "planted.jsonl").stat().st_mode & 0o777 != 0o604
    assert convo.load(secret).messages[0].content == "hi"


def test_a_fork_whose_parent_is_gone_says_so(tmp_path: Path) -> None:
    store = convo.DirectoryStore(tmp_path)
    store.put("parent", Conversation().user("hi"))
    Journal.open(tmp_path / "parent.jsonl").fork(tmp_path / "child.jsonl").close()
    store.close()
    (tmp_path / "parent.jsonl").unlink()
    with pytest.raises(convo.StorageError) as info:
        convo.DirectoryStore(tmp_path).get("child")
    assert not isinstance(info.value, convo.ConversationNotFound)
    assert info.value.filename == str(tmp_path / "parent.jsonl")


def test_save_never_replaces_what_is_not_a_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, tmp_path):
        with pytest.raises(convo.StorageError, match="not a regular file"):
            convo.save(Conversation().user("hi"), target)
    assert fifo.is_fifo()


def test_a_read_only_store_can_still_be_read(tmp_path: Path) -> None:
    """A journal this process may not open for appending (an immutable file here, as a
    read-only mount or another owner's file would be) is still read by get() and metadata()."""
    import shutil
    import subprocess

    if shutil.which("chattr") is None:
        pytest.skip("needs chattr")
    store = convo.DirectoryStore(tmp_path / "store")
    conv = Conversation().user("hi").assistant("hello")
    store.put("c", conv, metadata={"k": 1})
    store.close()
    path = tmp_path / "store" / "c.jsonl"
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("the file system cannot make a file immutable here")
    try:
        fresh = convo.DirectoryStore(tmp_path / "store")
        assert fresh.get("c").to_json() == conv.to_json() and fresh.metadata("c") == {"k": 1}
        with pytest.raises(convo.StorageError):
            fresh.append("c", user("more"))
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_only_a_conversation_is_stored(tmp_path: Path) -> None:
    data = {"messages": [{"role": "user", "content": "Hi"}]}  # wire data: read it with from_wire first
    for store in (convo.DirectoryStore(tmp_path / "d"), convo.SQLiteStore(tmp_path / "s.db")):
        with pytest.raises(convo.InvalidArgument, match="expected a Conversation, not dict"):
            store.put("a", data)  # type: ignore[arg-type]
    with pytest.raises(convo.InvalidArgument, match="expected a Conversation, not dict"):
        Journal.create(tmp_path / "j.jsonl", data)  # type: ignore[arg-type]


def test_sqlite_delete_in_another_thread_waits_for_an_append_to_cache_its_result(tmp_path: Path) -> None:
    """The cache of read conversations is shared by threads: it changes under the store's lock,
    so an append that committed never fails on a delete racing its cache update."""
    import collections
    import threading

    store = convo.SQLiteStore(tmp_path / "s.db")
    store.put("c", Conversation().user("Hi"))
    deleting = threading.Thread(target=store.delete, args=("c",))

    class DeleteWhileRemembering(collections.OrderedDict[str, Any]):
        def move_to_end(self, key: str, last: bool = True) -> None:
            if not deleting.is_alive() and deleting.ident is None:
                deleting.start()
                deleting.join(timeout=0.5)  # without the lock the delete runs to its end here
            super().move_to_end(key, last)

    store._cache = DeleteWhileRemembering(store._cache)
    conv = store.append("c", {"role": "assistant", "content": "Hello"})
    deleting.join()
    assert len(conv) == 2
    assert "c" not in store and "c" not in store._cache


def test_a_damaged_sqlite_store_is_a_storage_error(tmp_path: Path) -> None:
    """Whatever the damage, opening and reading end in a ConvoError (seeded, as a fuzz run found them)."""
    import random
    import sqlite3

    base = tmp_path / "base.db"
    with convo.SQLiteStore(base) as store:
        for i in range(5):
            store.put(f"c{i}", Conversation(system="sys").user("hello " * 50).assistant("world " * 50))
    with contextlib.closing(sqlite3.connect(base)) as db, db:
        db.execute("UPDATE convo_messages SET wire = 5 WHERE conversation = 'c1' AND position = 1")
    with convo.SQLiteStore(base) as store, pytest.raises(convo.StorageError, match="'c1' has a damaged row"):
        store.get("c1")
    raw, rnd = base.read_bytes(), random.Random(1)
    for trial in range(300):
        data = bytearray(raw)
        for _ in range(rnd.randint(1, 8)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        damaged = tmp_path / f"t{trial}.db"
        damaged.write_bytes(bytes(data))
        try:
            with convo.SQLiteStore(damaged) as store:
                store.get("c2")
        except convo.ConvoError:
            pass


@pytest.mark.parametrize("value", ["text", 1.5, 7, b"", b"\xff"])
@pytest.mark.parametrize(
    "damage",
    [
        "INSERT INTO convo_messages VALUES ('c', 1, ?)",  # a row the length does not count
        "UPDATE convo_messages SET wire = ? WHERE position = 0",
        "UPDATE convo_conversations SET header = ?",
        "UPDATE convo_conversations SET length = ?",
        "UPDATE convo_conversations SET generation = ?",
    ],
)
def test_a_damaged_sqlite_row_is_a_storage_error_cached_or_not(
    tmp_path: Path, damage: str, value: object
) -> None:
    """A row of a type or a count convo never writes is damage on every path: a store that has
    the conversation cached, metadata(), and a fresh store alike."""
    import sqlite3

    path = tmp_path / "s.db"
    warm = convo.SQLiteStore(path)
    warm.put("c", Conversation().user("hi"), metadata={"m": 1})
    warm.get("c")  # now cached
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute(damage, (value,))
    for store in (warm, convo.SQLiteStore(path)):
        for name, args in (("get", ()), ("metadata", ()), ("append", (assistant("yo"),))):
            try:
                getattr(store, name)("c", *args)
            except convo.StorageError as exc:
                assert "damaged row" in str(exc)
            except Exception as exc:
                pytest.fail(f"{name}: {type(exc).__name__}: {exc}")
        store.close()


def test_sqlite_lists_only_the_ids_it_can_get(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "s.db"
    with convo.SQLiteStore(path) as store:
        store.put("real", Conversation().user("hi"))
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        for planted in (b"blob", "../etc/passwd", "x" * 129):
            db.execute(
                "INSERT INTO convo_conversations VALUES (?, 1, ?, 0)", (planted, b'{"convo_journal":1}')
            )
    with convo.SQLiteStore(path) as store:
        assert store.list() == ["real"]


def test_a_journal_is_not_created_over_what_is_there_and_says_what_that_is(tmp_path: Path) -> None:
    (tmp_path / "dir.jsonl").mkdir()
    (tmp_path / "link.jsonl").symlink_to(tmp_path / "nowhere")
    (tmp_path / "old.jsonl").write_bytes(b"")
    for name, what in (("dir", "a directory"), ("link", "a symbolic link"), ("old", "a journal")):
        with pytest.raises(convo.StorageError, match=f"{what} already exists there") as caught:
            convo.Journal.create(tmp_path / f"{name}.jsonl", Conversation().user("Hi"))
        assert caught.value.errno == errno.EEXIST


def test_journal_extend_takes_an_iterable_of_messages(tmp_path: Path) -> None:
    journal = convo.Journal.create(tmp_path / "chat.jsonl", Conversation().user("Hi"))
    for wrong in (None, 5, convo.Message("assistant", "Hello"), {"role": "assistant", "content": "Hello"}):
        with pytest.raises(convo.InvalidArgument, match="extend takes an iterable of messages"):
            journal.extend(wrong)  # type: ignore[arg-type]
    assert len(journal.extend([{"role": "assistant", "content": "Hello"}])) == 2
