"""Audit of the command line's contract and of persistence: each test is a case that broke it."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

import convo
from tests.test_cli import ROOT, _convo, _popen, json_lines, run

PREFILL = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]


def test_an_empty_model_is_no_model_for_check_as_for_every_verb(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"model": "claude-opus-4-8", "max_tokens": 10, "messages": PREFILL}))
    done = run("check", path, "--model", "", "--json")
    assert done.returncode == 1, done.stdout  # the body's model still applies: no prefill (§1.7)
    [report] = json_lines(done.stdout)
    assert [e["code"] for e in report["errors"]] == ["prefill-unsupported"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["check", "--help"]])
def test_help_that_cannot_be_written_is_output_that_cannot_be_written(args: list[str]) -> None:
    closed = _convo(*args, preexec_fn=lambda: os.close(1))
    assert (closed.returncode, closed.stderr) == (
        2,
        b"convo: cannot write to standard output: it is closed\n",
    )
    with open("/dev/full", "wb") as full:
        done = _convo(*args, stdout=full)
    assert done.returncode == 2
    assert done.stderr == b"convo: cannot write to standard output: No space left on device\n"
    read, write = os.pipe()
    os.close(read)  # a reader that has gone: a broken pipe is no error
    try:
        assert _convo(*args, stdout=write).returncode == 0
    finally:
        os.close(write)


# --- a pause_turn reply that ends in text survives journals and stores (DESIGN: nothing is lost) --

OPUS = "claude-opus-4-8"  # refuses a prefill (api-rules §1.7); a paused turn is none (§3.10)
PAUSED = {
    "type": "message",
    "role": "assistant",
    "stop_reason": "pause_turn",
    "content": [{"type": "text", "text": "Searching."}],
}


def paused() -> convo.Conversation:
    return convo.Conversation(system="Be thorough.").user("Research the topic.").reply(PAUSED)


def assert_paused(conv: convo.Conversation) -> None:
    assert conv.to_json() == paused().to_json()
    assert conv.check(model=OPUS).problems == ()
    assert (
        conv.request(model=OPUS, max_tokens=99).body() == paused().request(model=OPUS, max_tokens=99).body()
    )


def test_a_journal_keeps_a_paused_reply_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    other = convo.Journal.create(path, convo.Conversation(system="Be thorough."), metadata={"user": "ada"})
    with convo.Journal.open(path) as journal:
        journal.user("Research the topic.")
        assert_paused(journal.reply(PAUSED))
    assert_paused(other.refresh())  # the file was written again whole: read as it is now
    other.close()
    assert_paused(convo.load(path))
    with convo.Journal.open(path) as journal:
        assert_paused(journal.conversation)
        assert journal.metadata == {"user": "ada"}
        continued = journal.user("Go on.")  # any later append ends the pause
    assert convo.load(path) == continued and convo.load(path).to_json() == continued.to_json()
    header = path.read_bytes().split(b"\n")[0]
    assert header == b'{"convo_journal":1,"metadata":{"user":"ada"},"system":"Be thorough.","paused":2}'


def test_journals_and_stores_written_whole_keep_a_paused_reply(tmp_path: Path) -> None:
    with convo.Journal.create(tmp_path / "made.jsonl", paused()) as journal:
        assert_paused(convo.load(journal.path))
        with journal.fork(tmp_path / "fork.jsonl") as fork:
            assert_paused(convo.load(fork.path))
        with journal.fork(tmp_path / "fork1.jsonl", at=1) as fork:
            assert convo.load(fork.path).messages == paused().messages[:1]
    with convo.DirectoryStore(tmp_path / "store") as store:
        store.put("chat", paused())
    with convo.DirectoryStore(tmp_path / "store") as store:
        assert_paused(store.get("chat"))
    with convo.SQLiteStore(tmp_path / "store.db") as db:
        db.put("chat", paused())
    with convo.SQLiteStore(tmp_path / "store.db") as db:
        assert_paused(db.get("chat"))
        db.append("chat", {"role": "user", "content": "Go on."})
    with convo.SQLiteStore(tmp_path / "store.db") as db:
        assert db.get("chat").check(model=OPUS).problems == ()


def test_the_command_line_reads_a_paused_journal_as_paused(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    convo.Journal.create(path, paused()).close()
    assert run("check", path, "--model", OPUS).returncode == 0
    assert run("build", path, "--model", OPUS, "--max-tokens", "99").returncode == 0
    done = run("import", path, tmp_path / "copy.jsonl")
    assert done.returncode == 0, done.stderr
    assert_paused(convo.load(tmp_path / "copy.jsonl"))


@pytest.mark.parametrize("value", [b"0", b"-1", b"true", b"1.5", b'"2"', b"null", b"1e999"])
def test_a_journal_whose_paused_is_not_a_count_is_damaged(value: bytes) -> None:
    with pytest.raises(convo.CorruptJournal, match="the journal header is damaged"):
        convo.loads(b'{"convo_journal":1,"metadata":{},"paused":' + value + b"}\n")


@pytest.mark.skipif(not hasattr(os, "set_blocking"), reason="needs O_NONBLOCK")
def test_a_non_blocking_standard_input_is_waited_on_not_taken_as_ended() -> None:
    """A parent may hand over a pipe left O_NONBLOCK: what has not come yet is not the end."""
    import subprocess

    read, write = os.pipe()
    os.set_blocking(read, False)
    os.write(write, b'[{"role": "user", ')

    def rest() -> None:
        time.sleep(0.5)  # convo has started and found nothing more
        with contextlib.suppress(BrokenPipeError):  # convo has given up already
            os.write(write, b'"content": "Hi"}]')
        os.close(write)

    writer = threading.Thread(target=rest)
    try:
        proc = _popen("check", "-", stdin=read, stdout=subprocess.PIPE)
    finally:
        os.close(read)
    writer.start()
    out, err = proc.communicate(timeout=120)
    writer.join()
    assert (proc.returncode, out, err) == (0, b"-: valid (0 error(s), 0 warning(s))\n", b"")


BIG = [{"role": ("user", "assistant")[i % 2], "content": "word " * 100} for i in range(1000)]


@pytest.mark.skipif(not hasattr(os, "set_blocking"), reason="needs O_NONBLOCK")
@pytest.mark.parametrize("unbuffered", ["", "1"])  # PYTHONUNBUFFERED=1, as many containers set it
@pytest.mark.parametrize("verb", ["export", "show"])
def test_a_slow_reader_on_a_non_blocking_standard_output_gets_all_of_it(
    tmp_path: Path, verb: str, unbuffered: str
) -> None:
    """A parent may hand over a pipe left O_NONBLOCK: a full pipe is waited on, not output
    that cannot be written, and never output cut short."""
    import subprocess

    path = tmp_path / "big.json"
    path.write_text(json.dumps(BIG))
    args = [verb, path]
    expected = _convo(*args)
    assert expected.returncode == 0 and len(expected.stdout) > 100_000  # more than a pipe holds
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    read, write = os.pipe()
    os.set_blocking(write, False)
    try:
        command = [sys.executable, "-m", "convo", *map(str, args)]
        proc = subprocess.Popen(
            command, stdout=write, stderr=subprocess.PIPE, env={**env, "PYTHONUNBUFFERED": unbuffered}
        )
    finally:
        os.close(write)
    with os.fdopen(read, "rb") as reader:
        time.sleep(1.0)  # the pipe fills while nobody reads
        out = reader.read()
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (0, b"")
    assert out == expected.stdout


def test_a_line_for_a_person_names_a_file_as_its_bytes_are(tmp_path: Path) -> None:
    name = os.path.join(os.fsencode(tmp_path), b"n\xffame.json")
    Path(os.fsdecode(name)).write_text('[{"role": "user", "content": "Hi"}]')
    done = _convo("check", os.fsdecode(name), env={"PYTHONIOENCODING": "utf-8:surrogateescape"})
    assert done.stdout == name + b": valid (0 error(s), 0 warning(s))\n"


def test_a_bare_array_or_a_file_checked_for_a_model_gets_the_request_rules(tmp_path: Path) -> None:
    """`convo check --model M` on a messages array or a convo file checks the request it would
    send, as on a request body: a final turn the API refuses (§4.4) is an error either way."""
    messages = [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "s" * 40}]},
    ]
    body = {"messages": messages}
    expected = [p.code for p in convo.check(json.dumps(body), model="claude-sonnet-4-5").errors]
    assert "thinking-final-while-disabled" in expected
    assert [p.code for p in convo.check(json.dumps(messages), model="claude-sonnet-4-5").errors] == expected
    saved = tmp_path / "saved.json"
    convo.save(convo.Conversation.from_wire(messages), saved)
    assert [p.code for p in convo.check(saved.read_bytes(), model="claude-sonnet-4-5").errors] == expected
    assert convo.check(json.dumps(messages)).valid  # no model: the conversation alone
