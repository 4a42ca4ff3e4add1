"""Code that must type-check, and misuse that must be rejected (``warn_unused_ignores`` is on)."""

from typing import assert_type

import convo
from convo import Conversation, Message, Report, TextBlock, ToolUseBlock

conv = Conversation(system="Be brief.").user("Hi")
assert_type(conv, Conversation)
assert_type(conv.assistant([TextBlock(text="Hello")]), Conversation)
assert_type(conv.to_json(), bytes)
assert_type(conv.messages[0], Message)
assert_type(conv.messages[0:1], tuple[Message, ...])
assert_type(conv.pending_tool_uses, tuple[ToolUseBlock, ...])
assert_type(convo.check(b"[]"), Report)
assert_type(convo.check(b"[]").errors, tuple[convo.Problem, ...])
assert_type(Conversation.from_wire(b"[]", model="claude-opus-4-8"), Conversation)

# Misuse.
conv.user(42)  # type: ignore[arg-type]
Conversation.from_wire(b"[]", "claude-opus-4-8")  # type: ignore[call-arg]
TextBlock(text=1)  # type: ignore[arg-type]
Message("robot", "hi")  # type: ignore[arg-type]
TextBlock(text="x").text = "y"  # type: ignore[misc]
_ = convo.Conversaton  # type: ignore[attr-defined]  # a misspelt name is an error, not Any


class MyConversation(Conversation):  # type: ignore[misc]  # value types are final: builders return Conversation
    pass


class MyText(TextBlock):  # type: ignore[misc]
    pass


conv.messages[0].role = "assistant"  # type: ignore[misc]  # read-only, as at run time
convo.OpaqueBlock({"type": "hologram"}).data = {}  # type: ignore[misc]
