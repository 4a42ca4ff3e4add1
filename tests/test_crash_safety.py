"""Persistence under crashes, concurrency and corruption (the DESIGN's reliability list).

* A writer killed with SIGKILL at random points during hundreds of appends: every acknowledged
  turn is there on reopening, nothing torn, and appending goes on.
* ``save`` killed at random points: the file is always the old conversation or the new one.
* 8 processes appending to one journal (and to each store) at once lose nothing and never
  interleave.
* Corrupted and truncated journals, conversation files and transcripts, at every byte position
  of a sample, give a result or a ``ConvoError``, never another exception.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import convo
from convo import Conversation, Journal

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and flock")


def spawn(code: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=ENV, cwd=ROOT
    )


# -- SIGKILL during appends ------------------------------------------------------------------------

APPENDER = r"""
import random, sys
from convo import Journal
path, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
journal = Journal.open(path)
while True:
    n = len(journal)
    # Mostly small turns, some of a few MB: a kill can land inside a long write() and tear it.
    size = rng.choice([10, 100, 1000, 20000]) if rng.random() < 0.95 else rng.randint(1, 2) * 1_000_000
    role = "user" if n % 2 == 0 else "assistant"
    sys.stdout.write(f"start {n} {size}\n")  # not an acknowledgement: lets the test aim its kill
    sys.stdout.flush()
    journal.append({"role": role, "content": f"m{n}:" + "x" * size})
    sys.stdout.write(f"{n}\n")
    sys.stdout.flush()
"""


def read_acks(
    proc: subprocess.Popen[bytes], want: int, *, big_write: bool = False, timeout: float = 60.0
) -> list[int]:
    """Acknowledged indexes printed by the writer, until ``want`` of them (or it dies); with
    ``big_write``, then on until the writer starts appending a message of a megabyte or more."""
    assert proc.stdout is not None
    acks: list[int] = []
    deadline = time.monotonic() + timeout
    buf = b""
    fd = proc.stdout.fileno()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        *done, buf = buf.split(b"\n")
        for line in done:
            words = line.split()
            if words[0] != b"start":
                acks.append(int(words[0]))
            elif len(acks) >= want and (not big_write or int(words[2]) >= 1_000_000):
                return acks
        if len(acks) >= want and not big_write:
            return acks
    return acks


def check_journal(path: Path, acked: int) -> int:
    """Reopen after a crash: every acknowledged message is there, intact and in order."""
    with Journal.open(path) as journal:
        conv = journal.conversation
        assert len(conv) >= acked
        for i, message in enumerate(conv.messages):
            assert message.role == ("user" if i % 2 == 0 else "assistant")
            assert isinstance(message.content, str) and message.content.startswith(f"m{i}:")
        torn = journal.recovery
    data = path.read_bytes()
    assert data.endswith(b"\n")  # a torn tail was cut off
    assert data.count(b"\n") == len(conv) + 1
    return 1 if torn is not None else 0


def test_sigkill_during_appends_loses_no_acknowledged_turn(tmp_path: Path) -> None:
    path = tmp_path / "killed.jsonl"
    Journal.create(path).close()
    rng = random.Random(5)
    total = 0
    acked = 0
    rounds = 0
    torn = 0
    while total < 300 or rounds < 6:
        proc = spawn(APPENDER, str(path), str(rounds))
        try:
            # Kill anywhere (between appends, in write(), in fsync), and every other round just
            # as a megabyte write() begins, so that kills inside write() happen too.
            big = rounds % 2 == 1
            acks = read_acks(proc, rng.randint(10, 50), big_write=big)
            time.sleep(rng.random() * (0.01 if big else 0.02))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            assert proc.stdout is not None
            acks += [int(x) for x in proc.stdout.read().split(b"\n") if x and not x.startswith(b"start")]
            proc.stdout.close()
            assert proc.stdin is not None
            proc.stdin.close()
        assert acks, "the writer acknowledged nothing"
        acked = max(acks) + 1
        total += len(acks)
        torn += check_journal(path, acked)
        rounds += 1
    assert rounds >= 6
    print(f"{rounds} kills, {total} acknowledged appends, {torn} torn tails cut")


def test_torn_write_of_a_killed_writer_is_cut_by_the_next_appender(tmp_path: Path) -> None:
    """The exact state a kill inside write() leaves, checked deterministically."""
    path = tmp_path / "torn.jsonl"
    with Journal.create(path) as journal:
        journal.user("m0:")
        other = Journal.open(path)
        line = b'{"role":"assistant","content":"m1:' + b"x" * 5000 + b'"}\n'
        with open(path, "ab") as fh:
            fh.write(line[:2500])  # the writer died here, after its lock was released by the kill
        other.append({"role": "assistant", "content": "m1:"})
        assert other.recovery is not None and other.recovery.kind == "torn-tail"
        assert [m.content for m in journal.refresh().messages] == ["m0:", "m1:"]
        other.close()
    check_journal(path, 2)


# -- SIGKILL during save ---------------------------------------------------------------------------

SAVER = r"""
import sys
import convo
path = sys.argv[1]
convs = [
    convo.Conversation().user("A" * 3_000_000),
    convo.Conversation().user("B" * 10).assistant("b" * 2_000_000),
]
i = 0
while True:
    convo.save(convs[i % 2], path)
    sys.stdout.write(f"{i}\n")
    sys.stdout.flush()
    i += 1
"""


def test_sigkill_during_save_leaves_old_or_new_file(tmp_path: Path) -> None:
    path = tmp_path / "saved.json"
    a = Conversation().user("A" * 3_000_000).to_json()
    b = Conversation().user("B" * 10).assistant("b" * 2_000_000).to_json()
    rng = random.Random(7)
    for _ in range(6):
        proc = spawn(SAVER, str(path))
        try:
            read_acks(proc, rng.randint(1, 4))
            time.sleep(rng.random() * 0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            for pipe in (proc.stdout, proc.stdin):
                assert pipe is not None
                pipe.close()
        assert convo.load(path).to_json() in (a, b)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "saved.json"]
    assert all(name.startswith(".convo-tmp-") for name in leftovers)  # a kill leaves at most temp files


# -- 8 concurrent processes ------------------------------------------------------------------------

CONCURRENT = r"""
import sys
import convo
kind, where, me, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.stdin.readline()  # start together
if kind == "journal":
    target = convo.Journal.open(where)
    add = lambda pair: target.extend(pair)
else:
    store = convo.DirectoryStore(where) if kind == "directory" else convo.SQLiteStore(where)
    add = lambda pair: store.append("shared", *pair)
for k in range(count):
    add([{"role": "user", "content": f"{me}-{k}"}, {"role": "assistant", "content": f"ok {me}-{k}"}])
print("done", flush=True)
"""

WRITERS = 8
PAIRS = 20


@pytest.mark.parametrize("kind", ["journal", "directory", "sqlite"])
def test_concurrent_appenders_lose_nothing_and_never_interleave(tmp_path: Path, kind: str) -> None:
    if kind == "journal":
        where = tmp_path / "shared.jsonl"
        Journal.create(where).close()
    elif kind == "directory":
        where = tmp_path / "store"
        convo.DirectoryStore(where).put("shared", Conversation())
    else:
        where = tmp_path / "store.sqlite3"
        with convo.SQLiteStore(where) as s:
            s.put("shared", Conversation())
    procs = [spawn(CONCURRENT, kind, str(where), f"p{i}", str(PAIRS)) for i in range(WRITERS)]
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0 and out.strip() == b"done"
    if kind == "journal":
        conv = convo.load(where)
    elif kind == "directory":
        conv = convo.DirectoryStore(where).get("shared")
    else:
        with convo.SQLiteStore(where) as s:
            conv = s.get("shared")
    texts = [m.content for m in conv.messages]
    assert len(texts) == WRITERS * PAIRS * 2
    seen: dict[str, list[int]] = {}
    for i in range(0, len(texts), 2):
        question, answer = texts[i], texts[i + 1]
        assert isinstance(question, str) and answer == f"ok {question}"  # each pair is whole
        who, k = question.split("-")
        seen.setdefault(who, []).append(int(k))
    assert seen == {f"p{i}": list(range(PAIRS)) for i in range(WRITERS)}  # all there, in order


# -- corruption at every byte position -------------------------------------------------------------


def sample_journal(path: Path) -> bytes:
    conv = Conversation(system="s", tools=[{"name": "t", "input_schema": {"type": "object"}}])
    with Journal.create(path, conv, metadata={"k": "v"}) as journal:
        journal.user("Hi é")
        journal.reply(
            {
                "type": "message",
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": "t", "input": {"b": 1, "a": [2.5]}}
                ],
            }
        )
        journal.tool_results({"toolu_1": "ok"})
        journal.assistant("done")
    return path.read_bytes()


MUTATIONS: list[tuple[str, Callable[[bytes, int], bytes]]] = [
    ("truncate", lambda d, i: d[:i]),
    ("flip", lambda d, i: d[:i] + bytes([d[i] ^ 0x20]) + d[i + 1 :]),
    ("zero", lambda d, i: d[:i] + b"\x00" + d[i + 1 :]),
    ("newline", lambda d, i: d[:i] + b"\n" + d[i + 1 :]),
    ("quote", lambda d, i: d[:i] + b'"' + d[i + 1 :]),
    ("invalid-utf8", lambda d, i: d[:i] + b"\xc3" + d[i + 1 :]),
]


def outcome(fn: Callable[..., object], *args: object, **kwargs: object) -> str:
    try:
        fn(*args, **kwargs)
    except convo.ConvoError as exc:
        return type(exc).__name__
    return "ok"


def test_corrupted_journals_give_a_result_or_convo_error(tmp_path: Path) -> None:
    original = sample_journal(tmp_path / "orig.jsonl")
    header_end = original.index(b"\n") + 1
    line_ends = [i + 1 for i, b in enumerate(original) if b == ord("\n")]
    path = tmp_path / "j.jsonl"
    outcomes: dict[str, int] = {}
    for name, mutate in MUTATIONS:
        for i in range(len(original)):
            data = mutate(original, i)
            path.write_bytes(data)
            for result in (
                outcome(convo.load_saved, path),
                outcome(convo.load_saved, path, salvage=True),
                outcome(convo.loads, data),
                outcome(convo.Conversation.from_wire, data),
                outcome(convo.check, data),
            ):
                outcomes[result] = outcomes.get(result, 0) + 1
            if name == "truncate" and i >= header_end:
                # A truncated journal is a torn tail: it always opens, with every whole line.
                saved = convo.load_saved(path)
                assert len(saved.conversation) == sum(1 for end in line_ends if end <= i) - 1
    assert set(outcomes) <= {"ok", "CorruptJournal", "InputError", "ValidationError", "UnsupportedFormat"}


def test_corrupted_journals_open_for_writing_or_raise_convo_error(tmp_path: Path) -> None:
    """Opening for appending (which cuts and salvages) on every mutation of a sample's lines."""
    original = sample_journal(tmp_path / "orig.jsonl")
    path = tmp_path / "j.jsonl"
    rng = random.Random(3)
    for name, mutate in MUTATIONS:
        for i in sorted(rng.sample(range(len(original)), 60)):
            for salvage in (False, True):
                path.write_bytes(mutate(original, i))
                for leftover in tmp_path.glob("j.jsonl.damaged-*"):
                    leftover.unlink()
                try:
                    journal = Journal.open(path, salvage=salvage)
                except convo.ConvoError:
                    continue
                with journal:
                    n = len(journal)
                    role = (
                        "user"
                        if n == 0 or journal.conversation.messages[-1].role == "assistant"
                        else "assistant"
                    )
                    try:
                        journal.append({"role": role, "content": "after"})
                    except convo.ValidationError:
                        continue
                assert len(convo.load(path)) == n + 1, (name, i, salvage)


def test_corrupted_files_give_a_result_or_convo_error(tmp_path: Path) -> None:
    conv = Conversation.from_wire(
        b'{"system":"s","messages":[{"role":"user","content":"Hi"},'
        b'{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"x","input":{"q":1e3}}]},'
        b'{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"}]}]}'
    )
    original = convo.dumps(conv, metadata={"m": [1, 2]})
    path = tmp_path / "c.json"
    for _, mutate in MUTATIONS:
        for i in range(len(original)):
            data = mutate(original, i)
            path.write_bytes(data)
            outcome(convo.load_saved, path)
            outcome(convo.loads, data)


def test_corrupted_transcripts_give_a_result_or_convo_error() -> None:
    lines = [
        b'{"type":"summary","summary":"s","leafUuid":"u3"}',
        b'{"type":"user","uuid":"u1","message":{"role":"user","content":"List files"}}',
        b'{"type":"assistant","uuid":"u2","message":{"id":"msg_1","role":"assistant",'
        b'"content":[{"type":"tool_use","id":"toolu_1","name":"ls","input":{}}]}}',
        b'{"type":"user","uuid":"u3","message":{"role":"user",'
        b'"content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"a b"}]}}',
        b'{"type":"assistant","isSidechain":true,"message":{"role":"assistant","content":"side"}}',
    ]
    original = b"\n".join(lines) + b"\n"
    assert convo.import_transcript(original).valid
    from convo._files import read_any

    for _, mutate in MUTATIONS:
        for i in range(0, len(original), 2):
            data = mutate(original, i)
            outcome(convo.import_transcript, data)
            outcome(lambda d: convo.import_transcript(d).conversation, data)
            outcome(read_any, data)
