"""``convo show`` on every format, and the ``import`` / ``export`` verbs (run as subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import convo
from convo import Conversation, Journal

from . import corpus

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPTS = [t for t in corpus.transcripts() if t.real]
INVALID_TRANSCRIPT = "claude-code-transcripts/tests/sample_session.json"


def run(*args: str | Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "convo", *map(str, args)],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )


def one_line(stderr: bytes) -> str:
    text = stderr.decode()
    assert text.count("\n") == 1 and "Traceback" not in text, text
    return text


CONV = Conversation(system="Be brief.", tools=[{"name": "t", "input_schema": {"type": "object"}}]).user("Hi")


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    """The same conversation in every format convo reads."""
    conv = CONV.assistant("Hello!")
    out = {"file": tmp_path / "c.json", "journal": tmp_path / "c.jsonl", "body": tmp_path / "body.json"}
    convo.save(conv, out["file"], metadata={"k": 1})
    Journal.create(out["journal"], conv, metadata={"k": 1}).close()
    out["body"].write_bytes(conv.to_json())
    return out


@pytest.mark.parametrize("kind", ["file", "journal", "body"])
def test_show_reads_every_format(sources: dict[str, Path], kind: str) -> None:
    result = run("show", sources[kind])
    assert result.returncode == 0, result.stderr
    assert b"system  Be brief." in result.stdout and b"#1   assistant" in result.stdout


def test_show_reads_a_fork_and_a_torn_journal(tmp_path: Path) -> None:
    with Journal.create(tmp_path / "p.jsonl", CONV) as parent:
        parent.assistant("one")
        parent.fork(tmp_path / "f.jsonl").close()
    with open(tmp_path / "p.jsonl", "ab") as fh:
        fh.write(b'{"role":"assistant","con')
    for name in ("p.jsonl", "f.jsonl"):
        result = run("show", tmp_path / name)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "p.jsonl").read_bytes().endswith(b'"con')  # showing never writes


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t.path.name)
def test_show_and_import_real_transcripts(transcript: corpus.Transcript, tmp_path: Path) -> None:
    assert run("show", transcript.path).returncode == 0
    result = run("import", transcript.path, tmp_path / "t.json")
    assert result.returncode == 0 and result.stderr == b""
    expected = convo.import_transcript(transcript.path).conversation
    assert convo.load(tmp_path / "t.json").to_json() == expected.to_json()


def test_invalid_transcript_names_its_lines(tmp_path: Path) -> None:
    path = corpus.corpus_dir() / INVALID_TRANSCRIPT
    if not path.exists():
        pytest.skip("corpus not available")
    for args in (("show", path), ("import", path, tmp_path / "x.json")):
        result = run(*args)
        assert result.returncode == 1
        assert "[transcript line 2 (message 1)]" in one_line(result.stderr)
    assert not (tmp_path / "x.json").exists()


def test_a_transcript_damaged_before_its_last_line_is_unreadable(tmp_path: Path) -> None:
    """A damaged line in the middle would drop a turn without a word; a torn last line is a
    transcript still being written, and is left out."""
    turn = '{"type":"%s","message":{"id":"msg_%d","role":"%s","content":"%s"}}'
    entries = [turn % (role, i, role, f"turn {i}") for i, role in enumerate(["user", "assistant"] * 3)]
    damaged, torn = tmp_path / "damaged.jsonl", tmp_path / "torn.jsonl"
    damaged.write_text("\n".join([*entries[:3], entries[3][:40], *entries[4:]]) + "\n")
    torn.write_text("\n".join([*entries[:5], entries[5][:40]]))
    for args in (("check", damaged), ("show", damaged), ("import", damaged, tmp_path / "out.json")):
        result = run(*args)
        assert result.returncode == 2 and b"line 4 of the transcript is damaged" in result.stderr
    assert not (tmp_path / "out.json").exists()
    assert run("check", torn).returncode == 0
    assert len(convo.import_transcript(damaged.read_bytes()).messages) == 4  # the library API keeps the rest


DAMAGE = {
    "content is an object": '{"type":"user","message":{"role":"user","content":{"type":"text","text":"Please also delete the backups"}}}',
    "message is not an object": '{"type":"user","message":"Please also delete the backups"}',
    "entry is not an object": '["user", "Please also delete the backups"]',
    "entry has no type": '{"message":{"role":"user","content":"Please also delete the backups"}}',
}


@pytest.mark.parametrize("damage", DAMAGE, ids=str)
@pytest.mark.parametrize("where", ["middle", "last"])
def test_a_transcript_entry_that_loses_a_turn_is_unreadable(tmp_path: Path, damage: str, where: str) -> None:
    """Any damaged entry (not only a line that is not JSON) would drop a turn without a word,
    wherever it is: only a torn last line is left out."""
    hello = '{"type":"%s","message":{"id":"msg_%d","role":"%s","content":"turn %d"}}'
    entries = [hello % ("user", 1, "user", 1), hello % ("assistant", 2, "assistant", 2)]
    entries += (
        [DAMAGE[damage], hello % ("assistant", 4, "assistant", 4)] if where == "middle" else [DAMAGE[damage]]
    )
    path = tmp_path / "lost.jsonl"
    path.write_text("\n".join(entries) + "\n")
    for args in (("import", path, tmp_path / "out.json"), ("check", path)):
        result = run(*args)
        assert result.returncode == 2, result.stdout
        assert "line 3 of the transcript is damaged" in one_line(result.stderr)
    assert not (tmp_path / "out.json").exists()
    skipped = convo.import_transcript(path).skipped  # the library API lists the damage
    assert [(s.line, s.damaged) for s in skipped] == [(3, True)]


@pytest.mark.parametrize("kind", ["[]", "{}"])
def test_an_entry_type_that_is_not_a_string_gets_one_line(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "u.jsonl"
    path.write_text('{"type":' + kind + ',"message":{"role":"user","content":"hi"}}\n')
    for args in (("check", path), ("show", path), ("export", path), ("import", path, tmp_path / "out.json")):
        result = run(*args)
        assert result.returncode == 2, (args, result.stdout)
        one_line(result.stderr)


def test_import_round_trips_through_every_format(sources: dict[str, Path], tmp_path: Path) -> None:
    expected = convo.load(sources["file"]).to_json()
    journal = tmp_path / "out.jsonl"
    assert run("import", sources["file"], journal).returncode == 0
    saved = convo.load_saved(journal)
    assert (saved.kind, saved.metadata, saved.conversation.to_json()) == ("journal", {"k": 1}, expected)
    back = tmp_path / "back.json"
    assert run("import", journal, back, "--metadata", '{"new": true}').returncode == 0
    saved = convo.load_saved(back)
    assert (saved.kind, saved.metadata, saved.conversation.to_json()) == ("file", {"new": True}, expected)
    assert back.read_bytes() == convo.dumps(saved.conversation, metadata={"new": True})
    stdout = run("import", sources["body"], "-")
    assert stdout.returncode == 0 and stdout.stdout == convo.dumps(convo.load(sources["body"]))


def test_import_refuses_to_replace_without_force(sources: dict[str, Path]) -> None:
    before = sources["file"].read_bytes()
    result = run("import", sources["body"], sources["file"])
    assert result.returncode == 2 and "--force" in one_line(result.stderr)
    assert sources["file"].read_bytes() == before
    assert run("import", sources["body"], sources["file"], "--force").returncode == 0
    assert convo.load_saved(sources["file"]).metadata == {}


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("body", lambda out: Conversation.from_wire(out).to_json() + b"\n" == out),
        ("messages", lambda out: out.startswith(b'[{"role":"user"')),
        ("jsonl", lambda out: out.count(b"\n") == 2),
        ("file", lambda out: out.startswith(b'{"convo":1,"metadata":{"k":1},')),
        ("journal", None),
    ],
)
def test_export_formats(sources: dict[str, Path], tmp_path: Path, fmt: str, check: object) -> None:
    dest = tmp_path / f"out.{fmt}"
    result = run("export", sources["journal"], "--as", fmt, "-o", dest)
    assert result.returncode == 0, result.stderr
    out = dest.read_bytes()
    if callable(check):
        assert check(out)
    assert convo.load(dest).messages == convo.load(sources["journal"]).messages
    if fmt in ("messages", "jsonl"):
        assert b"left out" in result.stderr  # the system prompt and tools do not fit there


def test_export_defaults_to_the_body_on_stdout(sources: dict[str, Path]) -> None:
    result = run("export", sources["file"])
    assert result.returncode == 0 and result.stdout == convo.load(sources["file"]).to_json() + b"\n"
    piped = run("export", "-", stdin=sources["journal"].read_bytes())
    assert piped.stdout == result.stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("export", "missing.json"), 2),
        (("import", "missing.json", "x.json"), 2),
        (("export", "{dir}"), 2),
        (("export", "{corrupt}"), 2),
        (("export", "{newer}"), 2),
        (("export", "{file}", "--as", "journal"), 2),
        (("export", "{file}", "--metadata", "[1]", "--as", "file"), 2),
        (("export", "{file}", "--metadata", "nope", "--as", "file"), 2),
        (("export", "{file}", "--as", "yaml"), 2),
        (("import", "{file}", "{dir}/no/such/dir/x.json"), 2),
        (("import", "{invalid}", "x.json"), 1),
    ],
)
def test_bad_input_gets_one_line_and_an_exit_code(
    sources: dict[str, Path], tmp_path: Path, args: tuple[str, ...], code: int
) -> None:
    (tmp_path / "corrupt.jsonl").write_bytes(
        convo.Journal.create(tmp_path / "j.jsonl").path.read_bytes() + b"\xff\n{}\n"
    )
    (tmp_path / "newer.json").write_bytes(b'{"convo":9,"metadata":{},"messages":[]}')
    (tmp_path / "invalid.json").write_bytes(
        b'{"convo":1,"metadata":{},"messages":[{"role":"user","content":""}]}'
    )
    names = {
        "dir": tmp_path,
        "corrupt": tmp_path / "corrupt.jsonl",
        "newer": tmp_path / "newer.json",
        "file": sources["file"],
        "invalid": tmp_path / "invalid.json",
    }
    result = run(*(a.format(**names) for a in args))
    assert result.returncode == code
    if "yaml" in args:
        assert b"Traceback" not in result.stderr
    else:
        one_line(result.stderr)


def test_corrupt_journal_error_names_line_and_offset(tmp_path: Path) -> None:
    with Journal.create(tmp_path / "j.jsonl") as journal:
        journal.user("a")
        journal.assistant("b")
    data = (tmp_path / "j.jsonl").read_bytes()
    (tmp_path / "j.jsonl").write_bytes(data.replace(b'"a"', b'"a\x01"'))
    result = run("show", tmp_path / "j.jsonl")
    assert result.returncode == 2
    line = one_line(result.stderr)
    start = data.index(b'{"role":"user"')
    assert f"line 2 (byte {start}) is damaged" in line and "salvage=True" in line


def test_json_of_export_matches_check(sources: dict[str, Path]) -> None:
    body = run("export", sources["journal"]).stdout
    assert json.loads(body)["messages"][1] == {"role": "assistant", "content": "Hello!"}


@pytest.mark.parametrize("store", ["dir", "db.sqlite3"])
def test_import_into_and_export_from_a_store(sources: dict[str, Path], tmp_path: Path, store: str) -> None:
    where = tmp_path / store
    assert run("import", sources["journal"], where, "--id", "chat-1").returncode == 0
    again = run("import", sources["file"], where, "--id", "chat-1")
    assert again.returncode == 2 and "--force" in one_line(again.stderr)
    assert run("import", sources["file"], where, "--id", "chat-1", "--force").returncode == 0
    opened = convo.DirectoryStore(where) if store == "dir" else convo.SQLiteStore(where)
    with opened as s:
        assert s.list() == ["chat-1"] and s.metadata("chat-1") == {"k": 1}
    out = run("export", where, "--id", "chat-1", "--as", "file")
    assert out.returncode == 0 and out.stdout == sources["file"].read_bytes()
    for args, code in (
        (("export", where, "--id", "nope"), 2),
        (("export", where, "--id", "../x"), 2),
        (("import", sources["file"], where, "--id", "a/b"), 2),
        (("import", sources["file"], where, "--id", "x", "--as", "file"), 2),
        (("export", tmp_path / "missing", "--id", "x"), 2),
        (("export", sources["file"], "--id", "x"), 2),
    ):
        result = run(*args)
        assert result.returncode == code, args
        one_line(result.stderr)
    if store != "dir":  # a store read without --id: what to do, not "not valid UTF-8"
        bare = run("export", where)
        said = one_line(bare.stderr)
        assert bare.returncode == 2 and "an SQLite store, not a conversation" in said and "--id" in said


@pytest.mark.parametrize("kind", ["file", "journal", "body"])
def test_build_reads_every_format(sources: dict[str, Path], kind: str) -> None:
    """build reads its input as check, show, count and trim do: the same request from each."""
    result = run("build", sources[kind], "--model", "claude-sonnet-4-5", "--max-tokens", "100")
    assert result.returncode == 0, result.stderr
    expected = CONV.assistant("Hello!").request(model="claude-sonnet-4-5", max_tokens=100).body()
    assert result.stdout == expected + b"\n"


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t.path.name)
def test_build_reads_real_transcripts(transcript: corpus.Transcript) -> None:
    result = run("build", transcript.path, "--model", "claude-sonnet-4-5", "--max-tokens", "100")
    assert result.returncode == 0, result.stderr
    conv = convo.import_transcript(transcript.path).conversation
    assert result.stdout == conv.request(model="claude-sonnet-4-5", max_tokens=100).body() + b"\n"


def test_build_names_the_transcript_lines_of_a_problem() -> None:
    path = corpus.corpus_dir() / INVALID_TRANSCRIPT
    if not path.exists():
        pytest.skip("corpus not available")
    result = run("build", path, "--model", "claude-sonnet-4-5", "--max-tokens", "100")
    assert result.returncode == 1 and result.stdout == b""
    assert b"[block-malformed]" in result.stderr and b"[transcript line 2 (message 1)]" in result.stderr


@pytest.mark.parametrize(
    ("header", "says"),
    [
        (b'"metadata":5', "'metadata' of a convo file must be an object"),
        (b'"metadata":[]', "'metadata' of a convo file must be an object"),
        (b'"metadata":null', "'metadata' of a convo file must be an object"),
    ],
)
def test_every_verb_refuses_a_malformed_file_header(tmp_path: Path, header: bytes, says: str) -> None:
    """check agrees with show, count, trim and build (and convo.load): the file is unreadable."""
    path = tmp_path / "c.json"
    path.write_bytes(b'{"convo":1,' + header + b',"messages":[{"role":"user","content":"hi"}]}')
    with pytest.raises(convo.InputError, match="metadata"):
        convo.load(path)
    for args in (
        ["check", path],
        ["show", path],
        ["count", path],
        ["trim", path, "--budget", "100"],
        ["build", path, "--model", "claude-opus-4-8", "--max-tokens", "10"],
    ):
        result = run(*args)
        assert result.returncode == 2, (args, result.stdout)
        assert one_line(result.stderr) == f"convo: {path}: {says}\n"
    result = run("check", path, "--json")
    assert [e["code"] for e in json.loads(result.stdout)["errors"]] == ["input-unreadable"]


def test_check_reads_journals_and_transcripts(sources: dict[str, Path], tmp_path: Path) -> None:
    result = run("check", sources["journal"])
    assert result.returncode == 0 and b"valid (0 error(s)" in result.stdout
    invalid = corpus.corpus_dir() / INVALID_TRANSCRIPT
    if invalid.exists():
        result = run("check", invalid, "--json")
        assert result.returncode == 1
        assert [e["code"] for e in json.loads(result.stdout)["errors"]] == ["block-malformed"]
    (tmp_path / "newer.jsonl").write_bytes(b'{"convo_journal":7,"metadata":{}}\n')
    result = run("check", tmp_path / "newer.jsonl")
    assert result.returncode == 2 and "newer convo" in one_line(result.stderr)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_an_output_that_is_a_symbolic_link_is_followed_as_save_does(
    sources: dict[str, Path], tmp_path: Path
) -> None:
    """export -o and import DEST write the file a link points to, and keep the link, as convo.save does."""
    target = tmp_path / "target.json"
    target.write_bytes(b"old")
    for n, args in enumerate([("export", sources["body"], "-o"), ("import", sources["body"])]):
        link = tmp_path / f"link{n}.json"
        link.symlink_to(target.name)
        assert run(*args, link, "--force").returncode == 0
        assert link.is_symlink() and os.readlink(link) == target.name
        assert Conversation.from_wire(target.read_bytes()).to_json() == sources["body"].read_bytes()
        target.write_bytes(b"old")


@pytest.mark.parametrize("dest", ["", "/"])
def test_an_output_path_that_can_name_no_file_is_bad_usage(sources: dict[str, Path], dest: str) -> None:
    result = run("export", sources["body"], "-o", dest)
    assert result.returncode == 2 and "(see 'convo --help')" in one_line(result.stderr)


def test_a_store_that_cannot_be_read_or_written_is_exit_2(tmp_path: Path) -> None:
    """A store entry that is a directory: storage that cannot be read or written (cli.md: exit 2)."""
    body = tmp_path / "body.json"
    body.write_text('{"messages":[{"role":"user","content":"hi"}]}')
    store = tmp_path / "store"
    assert run("import", body, store, "--id", "ok").returncode == 0
    (store / "dir.jsonl").mkdir()
    for args in (("export", store, "--id", "dir"), ("import", body, store, "--id", "dir", "--force")):
        done = run(*args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(b"convo: ") and done.stderr.count(b"\n") == 1
