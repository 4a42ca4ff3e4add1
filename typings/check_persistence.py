"""Persistence: code that must type-check, and misuse that must be rejected."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any, assert_type

import convo
from convo import Conversation, Journal

conv = Conversation().user("Hi")
convo.save(conv, "chat.json", metadata={"user": "ada"})
convo.save(conv, Path("chat.json"), fsync=False)
assert_type(convo.load("chat.json"), Conversation)
assert_type(convo.load(Path("chat.json"), salvage=True), Conversation)
saved = convo.load_saved("chat.json")
assert_type(saved, convo.Saved)
assert_type(saved.metadata, dict[str, Any])
assert_type(saved.recovery, convo.Recovery | None)
assert_type(convo.dumps(conv), bytes)
assert_type(convo.loads(b"[]").conversation, Conversation)

journal = Journal.create("live.jsonl", conv, metadata={"k": 1})
assert_type(journal, Journal)
assert_type(Journal.open("live.jsonl", salvage=True, fsync=False), Journal)
assert_type(journal.user("Hi"), Conversation)
assert_type(journal.extend([{"role": "assistant", "content": "Hello"}]), Conversation)
assert_type(journal.conversation, Conversation)
assert_type(journal.recovery, convo.Recovery | None)
assert_type(journal.fork("fork.jsonl", at=1), Journal)
with journal.group() as same:
    assert_type(same, Journal)

store: convo.Store = convo.DirectoryStore("store")
store = convo.SQLiteStore(":memory:")
assert_type(store.get("chat-1"), Conversation)
assert_type(store.append("chat-1", {"role": "user", "content": "x"}), Conversation)
assert_type(store.list(), list[str])
assert_type(convo.check_id("chat-1"), str)

imported = convo.import_transcript(Path("session.jsonl"))
assert_type(imported, convo.TranscriptImport)
assert_type(imported.lines, tuple[tuple[int, ...], ...])
assert_type(imported.conversation, Conversation)

# Misuse.
convo.save(conv, "chat.json", {"user": "ada"})  # type: ignore[call-arg]
convo.load("chat.json", True)  # type: ignore[call-arg]
journal.fork("fork.jsonl", 1)  # type: ignore[call-arg]
store.put("chat-1", b"[]")  # type: ignore[arg-type]


class MemoryStore(convo.Store):
    """A backend written from docs/persistence.md's table: its own parameter names are fine."""

    def __init__(self) -> None:
        self.kept: dict[str, convo.Conversation] = {}

    def put(self, id: str, conv: convo.Conversation, *, metadata: Mapping[str, Any] | None = None) -> None:
        self.kept[id] = conv

    def get(self, id: str) -> convo.Conversation:
        return self.kept[id]

    def append(self, id: str, *messages: convo.Message | Mapping[str, Any]) -> convo.Conversation:
        for message in messages:
            self.kept[id] = self.kept[id].append(message)
        return self.kept[id]

    def metadata(self, id: str) -> dict[str, Any]:
        return {}

    def list(self) -> list[str]:
        return sorted(self.kept)

    def delete(self, id: str) -> None:
        del self.kept[id]
