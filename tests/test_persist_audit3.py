"""Third audit of persistence: every durable form gives back every shape the generator makes."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convo
from convo import Conversation, Journal
from convo.testing import wire_conversations

MODEL = "claude-opus-4-8"

PAUSED = {
    "type": "message",
    "role": "assistant",
    "stop_reason": "pause_turn",
    "content": [{"type": "text", "text": "Searching further."}],
}

# Bytes a re-encoding would change, in the last message: unknown fields and an unknown block,
# number literals in a tool input, escapes and text outside the BMP.
EXACT = (
    b'{"system":"\\ud83d\\ude00 \xf0\x9f\x98\x80","tools":[{"name":"t","input_schema":{"type":"object"}}],'
    b'"messages":[{"role":"user","content":"\\u00e9 \\/ \\t \\u2028 \xf0\x90\x80\x80"},'
    b'{"role":"assistant","content":[{"type":"text","text":"a","zz_unknown":{"b":1.0,"a":-0}},'
    b'{"type":"tool_use","id":"toolu_1","name":"t","input":{"z":1.0,"a":1e2,"m":-0,'
    b'"big":123456789012345678901234567890,"e":1E+2,"s":"\\ud83d\\ude00 \\u0000 \\\\ \\""}},'
    b'{"type":"future_block","data":[1e2,1.0,-0]}],"extra_field":1}]}'
)

METADATA = {
    "user": "\U0001f600",
    "n": 1.0,
    "big": 123456789012345678901234567890,
    "nested": {"b": [], "a": {}},
}


def _head(conv: Conversation) -> Conversation:
    """``conv`` without its messages: its system and tools, byte for byte."""
    wire = conv.to_json()
    return Conversation.from_wire(wire[: wire.rindex(b'"messages":[')] + b'"messages":[]}')


def _every_form(
    conv: Conversation, metadata: dict[str, Any], root: Path
) -> dict[str, tuple[Conversation, Any]]:
    """``conv`` and ``metadata`` read back from each durable form: whole, and built message by
    message where the form can be."""
    back: dict[str, tuple[Conversation, Any]] = {}
    convo.save(conv, root / "chat.json", metadata=metadata, fsync=False)
    saved = convo.load_saved(root / "chat.json")
    back["save/load"] = (saved.conversation, saved.metadata)
    for form in (convo.dumps(conv, metadata=metadata), convo.dumps(conv, metadata=metadata).decode()):
        saved = convo.loads(form)
        back[f"loads({type(form).__name__})"] = (saved.conversation, saved.metadata)
    Journal.create(root / "whole.jsonl", conv, metadata=metadata, fsync=False).close()
    with Journal.open(root / "whole.jsonl") as journal:
        back["journal created whole"] = (journal.conversation, journal.metadata)
    with Journal.create(root / "live.jsonl", _head(conv), metadata=metadata, fsync=False) as journal:
        for message in conv.messages:
            journal.append(message)
    with Journal.open(root / "live.jsonl") as journal:
        back["journal appended"] = (journal.conversation, journal.metadata)
    saved = convo.load_saved(root / "live.jsonl")
    back["journal loaded"] = (saved.conversation, saved.metadata)
    stores: list[Callable[[], convo.Store]] = [
        lambda: convo.DirectoryStore(root / "store", fsync=False),
        lambda: convo.SQLiteStore(root / "store.db", fsync=False),
    ]
    for make in stores:
        with make() as store:
            store.put("whole", conv, metadata=metadata)
            store.put("live", _head(conv), metadata=metadata)
            store.append("live", *conv.messages)
        with make() as store:  # a new store object: nothing cached
            for key in ("whole", "live"):
                back[f"{type(store).__name__} {key}"] = (store.get(key), store.metadata(key))
    if conv.system is None and not conv.to_json().startswith(b'{"tools"'):
        lines = b"".join(message.to_json() + b"\n" for message in conv.messages)
        back["JSON Lines"] = (convo.loads(lines).conversation, metadata)
    return back


def _assert_same(conv: Conversation, metadata: dict[str, Any], root: Path) -> None:
    wire, report = conv.to_json(), conv.check(model=MODEL)
    for form, (back, kept) in _every_form(conv, metadata, root).items():
        assert back == conv, form
        assert back.to_json() == wire, form
        assert back.check(model=MODEL) == report, form
        assert kept == metadata, form


_examples = itertools.count()


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    wire_conversations(
        toolsets=True,
        tool_changes=True,
        system_messages=True,
        server_tools=True,
        thinking=True,
        images=st.sampled_from([False] * 9 + [True]),  # images are slow to make
        cache_marks=True,
        system=st.booleans(),
    ),
    st.dictionaries(
        st.text(max_size=4), st.integers() | st.floats(allow_nan=False) | st.text(max_size=4), max_size=3
    ),
)
def test_every_durable_form_gives_back_every_generated_shape(
    tmp_path: Path, wire: dict[str, Any], metadata: dict[str, Any]
) -> None:
    root = tmp_path / str(next(_examples))
    root.mkdir()
    _assert_same(Conversation.from_wire(wire), metadata, root)


def test_exact_bytes_come_back_from_every_durable_form(tmp_path: Path) -> None:
    _assert_same(Conversation.from_wire(EXACT), METADATA, tmp_path)


def test_a_conversation_reply_paused_comes_back_paused_from_every_whole_form(tmp_path: Path) -> None:
    paused = Conversation(system="s").user("Research").reply(PAUSED)
    assert paused.check(model=MODEL).valid
    back = {
        "loads": convo.loads(convo.dumps(paused)).conversation,
        "journal": Journal.create(tmp_path / "j.jsonl", paused, fsync=False).conversation,
    }
    back["journal reopened"] = convo.load(tmp_path / "j.jsonl")
    with Journal.create(
        tmp_path / "r.jsonl", Conversation(system="s").user("Research"), fsync=False
    ) as journal:
        journal.reply(PAUSED)
    back["journal.reply"] = convo.load(tmp_path / "r.jsonl")
    for store in (convo.DirectoryStore(tmp_path / "store"), convo.SQLiteStore(tmp_path / "store.db")):
        with store:
            store.put("chat", paused)
        with type(store)(store.path if isinstance(store, convo.SQLiteStore) else tmp_path / "store") as again:
            back[type(store).__name__] = again.get("chat")
    for form, conv in back.items():
        assert conv.to_json() == paused.to_json(), form
        assert conv.check(model=MODEL).valid, form


def test_a_salvaged_journal_forgets_a_pause_it_left_out(tmp_path: Path) -> None:
    # The header's "paused": 2 named the turn salvage left out.  Kept, it made the next
    # assistant turn at that count read back as the paused one, not the prefill it is (§3.10).
    path = tmp_path / "j.jsonl"
    with Journal.create(path, Conversation().user("Research")) as journal:
        journal.reply(PAUSED)
        journal.user("Go on.")
    path.write_bytes(path.read_bytes().replace(b'"Searching', b'"Searching\xff'))
    with Journal.open(path, salvage=True) as journal:
        assert len(journal) == 1
        written = journal.assistant("Sure, here is")
    assert not written.check(model=MODEL).valid
    for back in (convo.load(path), Journal.open(path).conversation):
        assert back.check(model=MODEL) == written.check(model=MODEL)


def test_a_salvaged_journal_keeps_a_pause_it_kept(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with Journal.create(path, Conversation().user("Research"), metadata={"user": "ada"}) as journal:
        journal.reply(PAUSED)
        journal.user("Go on.")
        journal.assistant("Done.")
    path.write_bytes(path.read_bytes().replace(b'"Done', b'"Done\xff'))
    with Journal.open(path, salvage=True) as journal:
        assert len(journal) == 3
    with Journal.open(path) as journal:
        assert (len(journal), journal.metadata) == (3, {"user": "ada"})
        assert journal.conversation.check(model=MODEL).valid
