"""Token counters and trimming type-check (mypy --strict), and their misuse is rejected."""

from typing import Any, assert_type

import anthropic

import convo
from convo import ApiCounter, Conversation, LocalCounter, Message, TokenCounter

conv = Conversation().user("Hi")
local = LocalCounter(model="claude-opus-4-8")
api = ApiCounter(anthropic.Anthropic(api_key="x"), model="claude-opus-4-8")

assert_type(local.count(conv), int)
assert_type(local.parts(conv), tuple[int, list[int]])
assert_type(local.calibrated(conv, 10), LocalCounter)
assert_type(api.count(conv, thinking={"type": "adaptive"}), int)
assert_type(api.counted_prefix(conv), tuple[int, int] | None)
assert_type(api.calls, int)


def takes(counter: TokenCounter) -> int:
    return counter.count(conv, model="claude-opus-4-8")


takes(local)
takes(api)


class Mine:
    """A counter of one's own satisfies the protocol structurally."""

    @property
    def name(self) -> str:
        return "mine"

    def count(self, conversation: Conversation, /, *, model: str | None = None, **params: Any) -> int:
        return len(conversation)


takes(Mine())


def summarize(dropped: tuple[Message, ...]) -> str:
    return f"{len(dropped)} messages"


assert_type(conv.trim(1000), Conversation)
assert_type(conv.trim(model="claude-opus-4-8", max_tokens=1024, counter=api), Conversation)
assert_type(conv.trim(1000, pin=0, clear_tool_results=3, clear_thinking=1, summarize=summarize), Conversation)
assert_type(convo.BudgetTooSmall(10, 20).needed, int)

conv.trim("1000")  # type: ignore[arg-type]
conv.trim(1000, counter=object())  # type: ignore[arg-type]
conv.trim(1000, summarize=lambda dropped: 3)  # type: ignore[arg-type,return-value]
LocalCounter().count(conv, "claude-opus-4-8")  # type: ignore[call-arg]
