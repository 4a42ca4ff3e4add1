"""Wire fidelity at the edges, and where problems with malformed input are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import convo
from convo import Conversation

HI = {"role": "user", "content": "Hi"}


def test_an_empty_tools_array_round_trips() -> None:
    """DESIGN: a round trip of any accepted input gives equal JSON, every field kept."""
    wire = b'{"tools":[],"messages":[{"role":"user","content":"Hi"}]}'
    for data in (wire, wire.decode(), json.loads(wire)):
        conv = Conversation.from_wire(data)
        assert conv.to_json() == wire
        assert Conversation.from_wire(conv.to_json()) == conv
    assert Conversation.from_wire(wire) != Conversation.from_wire([HI])  # equal means equal bytes
    assert Conversation.from_wire(wire).user("More.").to_json().startswith(b'{"tools":[],')


def test_an_empty_tools_array_survives_a_journal_and_a_store(tmp_path: Path) -> None:
    """DESIGN: a conversation saved and reloaded gives byte-identical request bytes."""
    conv = Conversation.from_wire({"tools": [], "messages": [HI]})
    with convo.Journal.create(tmp_path / "chat.jsonl", conv):
        pass
    assert convo.Journal.open(tmp_path / "chat.jsonl").conversation.to_json() == conv.to_json()
    with convo.DirectoryStore(tmp_path / "store") as store:
        store.put("chat", conv)
        assert store.get("chat").to_json() == conv.to_json()
    request = conv.request(model="claude-opus-4-8", max_tokens=9)
    assert (
        request.body()
        == b'{"model":"claude-opus-4-8","max_tokens":9,"tools":[],"messages":[{"role":"user","content":"Hi"}]}'
    )


def test_a_request_adds_no_empty_tools_array() -> None:
    """Replacing the system prompt, or leaving the tools out, gives no ``tools`` at all."""
    req = Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=9, system="Be brief.")
    assert b'"tools"' not in req.body()
    assert b'"tools"' not in req.conversation.to_json()
    with_tools = Conversation(tools=[{"name": "f", "input_schema": {"type": "object"}}]).user("Hi")
    assert b'"tools"' not in with_tools.request(model="claude-opus-4-8", max_tokens=9).without("tools").body()


@pytest.mark.parametrize("messages", [{"role": "user", "content": "Hi"}, "Hi", None, 5])
def test_messages_that_are_not_an_array_are_not_also_empty(messages: object) -> None:
    """Only the real problem: whether a ``messages`` that is no array holds a message is unknown."""
    for data in ({"model": "claude-opus-4-8", "messages": messages}, {"messages": messages}):
        assert [(p.code, p.path) for p in convo.check(data, model="claude-opus-4-8").errors] == [
            ("messages-invalid", "/messages")
        ]
    assert [p.code for p in convo.check({"messages": []}, model="claude-opus-4-8").errors] == [
        "messages-empty"
    ]
