"""Token counters and trimming type-check (mypy --strict), and their misuse is rejected."""

from collections.abc import Coroutine
from typing import Any, assert_type

import anthropic

import convo
from convo import (
    ApiCounter,
    AsyncApiCounter,
    AsyncTokenCounter,
    Conversation,
    LocalCounter,
    Message,
    TokenCounter,
)

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


# The async API: an AsyncApiCounter over AsyncAnthropic is an AsyncTokenCounter, and atrim (the
# function and the method) returns a Conversation once awaited.
aapi = AsyncApiCounter(anthropic.AsyncAnthropic(api_key="x"), model="claude-opus-4-8")

assert_type(aapi.counted_prefix(conv), tuple[int, int] | None)
assert_type(aapi.calls, int)


async def atakes(counter: AsyncTokenCounter) -> int:
    return await counter.count(conv, model="claude-opus-4-8")


class MineAsync:
    """An async counter of one's own satisfies the protocol structurally."""

    @property
    def name(self) -> str:
        return "mine"

    async def count(self, conversation: Conversation, /, *, model: str | None = None, **params: Any) -> int:
        return len(conversation)


async def asummarize(dropped: tuple[Message, ...]) -> str:
    return f"{len(dropped)} messages"


async def trims() -> None:
    counting: Coroutine[Any, Any, int] = aapi.count(conv, thinking={"type": "adaptive"})
    assert_type(await counting, int)
    await atakes(aapi)
    await atakes(MineAsync())
    assert_type(await convo.atrim(conv, 1000, counter=aapi), Conversation)
    assert_type(await conv.atrim(1000, counter=aapi), Conversation)
    assert_type(await conv.atrim(1000, counter=MineAsync(), summarize=asummarize), Conversation)
    assert_type(
        await conv.atrim(model="claude-opus-4-8", max_tokens=1024, counter=api, summarize=summarize),
        Conversation,
    )  # a sync counter and summarizer serve too
    assert_type(
        await convo.atrim(conv, 1000, pin=0, clear_tool_results=3, clear_thinking=1, summary_tokens=100),
        Conversation,
    )

    await atakes(api)  # type: ignore[arg-type]  # a sync counter is no AsyncTokenCounter
    await conv.atrim("1000")  # type: ignore[arg-type]
    await conv.atrim(1000, counter=object())  # type: ignore[arg-type]
    await convo.atrim(conv, 1000, summarize=lambda dropped: 3)  # type: ignore[arg-type]
    _forgot: Conversation = conv.atrim(1000)  # type: ignore[assignment]  # not awaited


# The sync trim refuses an async counter or summarizer (at run time an async counter raises, naming atrim).
conv.trim(1000, counter=aapi)  # type: ignore[arg-type]
conv.trim(1000, counter=MineAsync())  # type: ignore[arg-type]
conv.trim(1000, summarize=asummarize)  # type: ignore[arg-type]

# A client of the wrong kind (its count_tokens would return a coroutine, or need no await).
ApiCounter(anthropic.AsyncAnthropic(api_key="x"))  # type: ignore[arg-type]
AsyncApiCounter(anthropic.Anthropic(api_key="x"))  # type: ignore[arg-type]
