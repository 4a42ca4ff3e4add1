"""Trimming a conversation to a token budget: :meth:`convo.Conversation.trim`.

Where a conversation may be cut (api-rules §3.11)
-------------------------------------------------
A *boundary* is a position between two messages where no exchange is open: the message after
it is not a user turn of ``tool_result`` blocks (which would answer the turn before), neither
side is a ``role: "system"`` message, the roles differ, and an assistant turn after it holds no
server-tool result whose ``server_tool_use`` is before the cut.  Assistant turns are never cut
inside, and every kept message keeps its blocks exactly, thinking included (§4.2), so what the
API requires of the last turns still holds.

The kept conversation is a pinned prefix (up to and including the ``pin``-th user turn that
holds no tool result, every message of it: user messages in a row are one turn, §1.6) followed
by a suffix that starts at a cut: an assistant turn after a turn
of tool results (dropping whole tool rounds of an agent loop) or a user turn that opens an
exchange (dropping whole exchanges of a chat).  A suffix that opens with a user turn is joined
to the last pinned user turn, one message with both turns' blocks, as the API would join two
user turns in a row (§1.6).  With manual thinking, the current tool loop is cut only before an
assistant turn that holds thinking, since the turn a request continues must (§4.3).  The
candidates shrink one after another.

``role: "system"`` messages among the dropped turns are instructions still in force (later
ones override earlier ones and the top-level ``system``, §1.3), so they are not dropped: they
move, in order, to just after the user turn that opens the kept part, the first place §1.3
allows (after a user turn, before an assistant turn).  The text of one that ``clear_at`` the
next user message has expired by then, and goes; its tool changes (§1.13) move, and so do those
of a dropped compaction block, as a system message of their own.

Few ``count_tokens`` calls
--------------------------
The local estimator gives every candidate an estimate; real counts are made only to calibrate
and to verify.  The first probe is the candidate the estimates (scaled by a counted prefix of
the conversation, when the counter remembers one) put at the budget; its real count calibrates
the next guess, made from the real counts nearest to it, with a margin that grows with how far
it reaches from them, with the share of the part every candidate keeps, and with the misses
seen.  A calibrated guess that fits is kept: two calls in the usual case, one when a
remembered prefix already calibrates the first.  A guess is made only while a bisection of what
a miss would leave still fits in ``ceil(log2 n) + 2`` calls; otherwise the search bisects.  The
whole conversation is counted only when the predictions say it might fit.  The result is always
a candidate the counter itself measured within the budget.  A count from ``count_tokens``
(:class:`convo.ApiCounter`) leaves out the thinking of prior turns (§6.4), which a model that
keeps it reads as input (§4.10): its local estimate is added (§9.7: assume the larger number).

Sync and async
--------------
The trim is written once, as a generator that yields what it needs (a conversation to count,
or dropped messages to summarize) and is sent the answer.  :func:`trim` answers at once;
:func:`atrim` awaits an async counter (:class:`convo.AsyncApiCounter`) or summarizer.  So both
make the same calls in the same order.
"""

from __future__ import annotations

import bisect
import inspect
import math
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar

import msgspec

from ._blocks import (
    Block,
    CompactionBlock,
    MCPToolResultBlock,
    MCPToolUseBlock,
    RedactedThinkingBlock,
    ServerToolResult,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolAdditionBlock,
    ToolRemovalBlock,
    ToolResultBlock,
)
from ._cache import unmarked_message
from ._errors import ConvoError, InvalidArgument
from ._message import Message
from ._models import profile, registered
from ._params import current_turn_start, holds_thinking
from ._tokens import (
    AsyncTokenCounter,
    CountMemo,
    LocalCounter,
    TokenCounter,
    TokenCountError,
    prior_thinking,
)

if TYPE_CHECKING:
    from ._conversation import Conversation

__all__ = ["AsyncSummarizer", "BudgetTooSmall", "Summarizer", "atrim", "trim"]

Summarizer = Callable[[tuple[Message, ...]], str]
"""Turns the dropped messages (as they were, before any clearing) into a summary text (for example
with a cheap model)."""
AsyncSummarizer = Callable[[tuple[Message, ...]], Awaitable[str]]
"""A :data:`Summarizer` that is awaited (for :func:`atrim`)."""

Ask = TypeVar("Ask")
Answer = TypeVar("Answer")
Done = TypeVar("Done")

#: Text that replaces the content of a cleared tool result.
CLEARED_TOOL_RESULT: Final = "[tool result cleared to save context]"
#: Every guess aims this fraction of the budget below it, to absorb estimate error ...
FIRST_MARGIN: Final = 0.01
#: ... plus this much for every unit of estimate it reaches beyond the nearest real count
#: (raised to 1.5 times the error per reach seen whenever a guess misses, up to the maximum).
ERROR_PER_REACH: Final = 0.05
MAX_ERROR_PER_REACH: Final = 0.5
#: ... plus this much per unit of reach, times the share of the estimate that every candidate
#: keeps (system, tools, pinned turns): a real count's ratio to the estimate blends that part's
#: ratio with the rest's, which may differ by this much (a pasted document against tool output).
FIXED_SPREAD: Final = 0.5
#: A calibrated guess that fits is kept at once when it uses at least this much of the budget
#: less this share; one further from it is refined while the call bound allows.
SETTLE_SLACK: Final = 0.1
#: How many times a summary may be made again when it did not fit.
SUMMARY_ATTEMPTS: Final = 3


#: How :class:`BudgetTooSmall` names the ways out: by ``trim``'s arguments.  ``budget`` is a
#: way out, or ``max_tokens`` in its place when the budget is the context window less it (a
#: higher budget then changes nothing); ``pin`` (when turns were pinned) and ``clear`` are, when
#: named.
TRIM_ARGUMENTS: Final[Mapping[str, str]] = {
    "budget": "the budget",
    "max_tokens": "max_tokens",
    "pin": "pin=0",
    "clear": "clear_tool_results=0, clear_thinking=0",
}


class BudgetTooSmall(ConvoError, ValueError):
    """Even the smallest valid trim does not fit the budget.

    The smallest trim keeps the pinned turns and the last exchange; ``needed`` is what it costs
    by the counter's measure (or what the pinned turns alone cost, when that is already over).
    The message ends with the ways out, named as ``trim``'s arguments (``pin=0``): raising the
    budget, or lowering ``max_tokens`` when the budget is the model's context window less
    ``max_tokens`` (``windowed``), pinning fewer turns when turns are pinned and a later user
    turn could open the kept part without them (``pinned``), and
    clearing when what the smallest trim keeps holds a tool result or old thinking to clear
    (``clearable``); :meth:`spelt` names them otherwise, as a command line's flags, say.

    >>> import convo
    >>> conv = convo.Conversation().user("Plan a trip to Lisbon.").assistant("Day 1: Alfama. " * 40).user("Costs?")
    >>> try:
    ...     conv.trim(20)
    ... except convo.BudgetTooSmall as exc:
    ...     error = exc
    >>> error.budget, error.needed
    (20, 64)
    >>> print(error.spelt({"budget": "--budget", "pin": "--pin 0"}))
    the system prompt, tools and pinned turns alone need 64 tokens, over the budget of 20: raise --budget or pin fewer turns (--pin 0)
    """

    budget: int
    needed: int

    def __init__(
        self,
        budget: int,
        needed: int,
        what: str = "the pinned turns and the last exchange",
        *,
        pinned: bool = True,
        clearable: bool = True,
        windowed: bool = False,
        names: Mapping[str, str] = TRIM_ARGUMENTS,
    ) -> None:
        self.budget = budget
        self.needed = needed
        self._what = what
        self._pinned = pinned
        self._clearable = clearable
        self._windowed = windowed
        verb, way = ("lower", "max_tokens") if windowed else ("raise", "budget")
        ways = [f"{verb} {names[way]}"] if way in names else []
        if pinned and "pin" in names:
            ways.append(f"pin fewer turns ({names['pin']})")
        if clearable and "clear" in names:
            ways.append(f"clear old tool results and thinking ({names['clear']})")
        super().__init__(f"{what} need {needed} tokens, over the budget of {budget}: {_either(ways)}")

    def spelt(self, names: Mapping[str, str]) -> BudgetTooSmall:
        """The same error, its ways out named by ``names`` (keys as in ``TRIM_ARGUMENTS``): a
        way out without a name is left out."""
        return BudgetTooSmall(
            self.budget,
            self.needed,
            self._what,
            pinned=self._pinned,
            clearable=self._clearable,
            windowed=self._windowed,
            names=names,
        )


def _either(ways: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b, or c``."""
    if len(ways) < 3:
        return " or ".join(ways)
    return f"{', '.join(ways[:-1])}, or {ways[-1]}"


# -- where to cut --------------------------------------------------------------------------------


def _has_results(message: Message) -> bool:
    return message.role == "user" and any(isinstance(b, ToolResultBlock) for b in message.blocks)


def _boundary(messages: Sequence[Message], k: int) -> bool:
    """Whether history may be cut just before ``messages[k]`` (no exchange open across it)."""
    before, after = messages[k - 1], messages[k]
    if "system" in (before.role, after.role) or before.role == after.role:
        return False
    if after.role == "user":
        return not _has_results(after)
    used = {b.id for b in after.blocks if isinstance(b, ServerToolUseBlock | MCPToolUseBlock)}
    return all(
        b.tool_use_id in used for b in after.blocks if isinstance(b, ServerToolResult | MCPToolResultBlock)
    )


def _user_turn_end(messages: Sequence[Message], k: int) -> int:
    """One past the last of the user messages from ``messages[k]`` on: the API joins them into
    one turn (§1.6)."""
    end = k
    while end < len(messages) and messages[end].role == "user":
        end += 1
    return end


def _in_force(message: Message, wire: bytes) -> bytes | None:
    """What a dropped ``message`` leaves in force, as a system message to move past the cut (its
    cache marks taken off), or ``None``: a system message whole, or only the tool changes (§1.13)
    of one whose text ``clear_at`` the next user message has expired (``clear_at`` hides the
    text, the SDK's ``BetaSystemMessageParam`` says) or of a compaction block (the tool set in
    effect at the end of the range it summarized, the SDK's ``BetaCompactionBlockParam``): a
    kept ``tool_reference`` may name a tool they define."""
    if message.role == "system" and (
        b'"clear_at"' not in wire or msgspec.json.decode(wire).get("clear_at") != "next_user_message"
    ):
        return unmarked_message(wire)
    changes = _tool_changes(message)
    return unmarked_message(Message("system", changes).to_json()) if changes else None


def _tool_changes(message: Message) -> list[ToolAdditionBlock | ToolRemovalBlock]:
    """The tool_addition and tool_removal blocks of a system message, or of the compaction
    blocks of an assistant message."""
    if message.role == "system":
        return [b for b in message.blocks if isinstance(b, ToolAdditionBlock | ToolRemovalBlock)]
    return [
        msgspec.convert(change, ToolAdditionBlock | ToolRemovalBlock)
        for b in message.blocks
        if isinstance(b, CompactionBlock) and isinstance(b.tool_changes, list)
        for change in b.tool_changes
    ]


def plan(messages: Sequence[Message], pin: int, *, manual: bool = False) -> tuple[int, list[int]]:
    """The pinned prefix length ``s`` and the cut candidates ``k``: each keeps
    ``messages[:s] + messages[k:]``; the first candidate is ``s`` itself (nothing dropped).

    A user turn is every user message in a row (the API joins them, §1.6), and a pinned one is
    a turn that holds no tool result.  With turns pinned, the prefix ends with the last message
    of the last pinned user turn, and a cut is either an
    assistant turn that follows a turn of tool results (dropping whole tool rounds) or a user
    turn that starts a new exchange (dropping whole exchanges; it is joined to the pinned user
    turn, as the API would join two user turns in a row).  With nothing pinned, a cut is a user
    turn that starts an exchange, so the conversation still opens with a user turn.

    A cut inside the current tool loop makes its assistant turn the one the request continues;
    with ``manual`` thinking (``thinking.type: "enabled"``) that turn must hold its thinking
    (§4.3), so only such a turn is a cut there.
    """
    n = len(messages)
    turns = [
        (i, _user_turn_end(messages, i))
        for i, m in enumerate(messages)
        if m.role == "user" and (i == 0 or messages[i - 1].role != "user")
    ]
    plain = [end for start, end in turns if not any(_has_results(m) for m in messages[start:end])]
    pin = min(pin, len(plain))  # fewer user turns than ``pin``: they all stay
    if pin <= 0:
        return 0, [0, *(k for k in range(1, n) if messages[k].role == "user" and _boundary(messages, k))]
    s = plain[pin - 1]
    loop = current_turn_start(messages) + 1  # the current turn: the request continues its tool loop
    cuts = [
        k
        for k in range(s + 1, n)
        if _boundary(messages, k)
        and (messages[k].role == "user" or _has_results(messages[k - 1]))
        and (k < loop or not manual or holds_thinking(messages[k]))
    ]
    return s, [s, *cuts]


# -- clearing old tool results and thinking (what the API's context editing does) ----------------


def cleared_tool_results(messages: Sequence[Message], keep: int) -> list[Message]:
    """Replace the content of every tool result but the newest ``keep`` with a placeholder."""
    places = [
        (i, j)
        for i, m in enumerate(messages)
        if m.role == "user" and not isinstance(m.content, str)
        for j, b in enumerate(m.content)
        if isinstance(b, ToolResultBlock)
    ]
    old = places[: max(0, len(places) - keep)]
    out = list(messages)
    by_message: dict[int, list[int]] = {}
    for i, j in old:
        by_message.setdefault(i, []).append(j)
    for i, js in by_message.items():
        blocks = list(out[i].blocks)
        changed = False
        for j in js:
            block = blocks[j]
            assert isinstance(block, ToolResultBlock)
            if block.content != CLEARED_TOOL_RESULT:
                blocks[j] = ToolResultBlock(
                    tool_use_id=block.tool_use_id,
                    content=CLEARED_TOOL_RESULT,
                    is_error=block.is_error,
                    toolset_name=block.toolset_name,
                    cache_control=block.cache_control,
                )
                changed = True
        if changed:
            out[i] = Message("user", blocks)
    return out


def _assistant_turns(messages: Sequence[Message]) -> list[list[int]]:
    """The indexes of the assistant messages of each assistant turn, oldest first.

    A turn runs from one user turn that holds no tool_result (consecutive user messages merged,
    §1.6) to the next: a tool loop is one turn, as the API's context editing counts them, and so
    are assistant messages in a row (a ``pause_turn`` continuation, §3.10).
    """
    turns: list[list[int]] = []
    opens = True  # whether the next assistant message starts a turn
    for i, m in enumerate(messages):
        if m.role == "user":
            starts = i == 0 or messages[i - 1].role != "user"  # the first message of a user turn
            opens = (starts or opens) and not _has_results(m)
        elif m.role == "assistant":
            if opens or not turns:
                turns.append([])
            turns[-1].append(i)
            opens = False
    return turns


def cleared_thinking(messages: Sequence[Message], keep: int) -> list[Message]:
    """Drop thinking from assistant turns before the newest ``keep`` that hold thinking and the
    current tool loop: ``keep`` counts thinking turns, as ``clear_thinking_20251015``'s
    ``{"type": "thinking_turns", "value": keep}`` does, so a turn without thinking is not one.

    A turn that holds nothing but thinking keeps it (a turn cannot be empty).
    """
    start = current_turn_start(messages)
    thinking_turns = [t for t in _assistant_turns(messages) if any(holds_thinking(messages[i]) for i in t)]
    kept = {i for turn in thinking_turns[max(0, len(thinking_turns) - keep) :] for i in turn}
    out = list(messages)
    for i, m in enumerate(messages):
        if m.role != "assistant" or i in kept or i > start or isinstance(m.content, str):
            continue
        blocks = m.blocks
        rest = [b for b in blocks if not isinstance(b, ThinkingBlock | RedactedThinkingBlock)]
        if rest and len(rest) != len(blocks):
            out[i] = Message("assistant", rest)
    return out


def _clearable(messages: list[Message]) -> bool:
    """Whether clearing every tool result and old thinking would change ``messages``."""
    return cleared_tool_results(messages, 0) != messages or cleared_thinking(messages, 0) != messages


# -- the search ----------------------------------------------------------------------------------


def _ceil_log2(x: int) -> int:
    return max(0, math.ceil(math.log2(x))) if x > 1 else 0


def call_limit(n: int) -> int:
    """Most counts a trim of ``n`` messages makes: ``ceil(log2 n) + 2``."""
    return _ceil_log2(max(n, 2)) + 2


def drive(steps: Generator[Ask, Answer, Done], answer: Callable[[Ask], Answer]) -> Done:
    """Run ``steps`` to the end, answering each thing it asks with ``answer``."""
    try:
        ask = next(steps)
        while True:
            ask = steps.send(answer(ask))
    except StopIteration as stop:
        done: Done = stop.value
        return done
    finally:
        steps.close()


async def adrive(steps: Generator[Ask, Answer, Done], answer: Callable[[Ask], Awaitable[Answer]]) -> Done:
    """:func:`drive` with an ``answer`` that is awaited."""
    try:
        ask = next(steps)
        while True:
            ask = steps.send(await answer(ask))
    except StopIteration as stop:
        done: Done = stop.value
        return done
    finally:
        steps.close()


def search(
    estimates: Sequence[int],
    measure: Callable[[int], int],
    budget: int,
    *,
    limit: int,
    exact: bool = False,
    known: int | None = None,
    prior_ratio: float | None = None,
    prior_reach: float = 1.0,
    fixed: int = 0,
) -> tuple[int, int]:
    """:func:`searching`, with ``measure(j)`` counting candidate ``j``."""
    steps = searching(
        estimates,
        budget,
        limit=limit,
        exact=exact,
        known=known,
        prior_ratio=prior_ratio,
        prior_reach=prior_reach,
        fixed=fixed,
    )
    return drive(steps, measure)


def searching(
    estimates: Sequence[int],
    budget: int,
    *,
    limit: int,
    exact: bool = False,
    known: int | None = None,
    prior_ratio: float | None = None,
    prior_reach: float = 1.0,
    fixed: int = 0,
) -> Generator[int, int, tuple[int, int]]:
    """The index and measured count of a candidate within ``budget``.

    A generator: it yields each candidate ``j`` it needs counted for real and is sent the count
    (candidate 0 keeps everything), so the one search serves a counter that answers at once and
    one that is awaited (:func:`drive`, :func:`adrive`).  ``estimates`` are local estimates of
    the candidates, non-increasing.  ``known`` is candidate 0's count
    when it is already known; ``prior_ratio`` (real over estimated, from a counted prefix)
    calibrates the first guess, and ``prior_reach`` is the share of the conversation that
    prefix does not cover.  ``fixed`` is the part of every estimate that all candidates keep.
    At most ``limit`` measurements are made (``limit`` must be at least
    ``ceil(log2(len(estimates) + 1))``).  Raises :class:`BudgetTooSmall` when the last
    candidate does not fit.

    Every guess is the first candidate whose estimate, scaled by the nearest real counts, is
    within the budget less a margin that grows with the distance from those counts (the faster,
    the larger the fixed part's share, since a count's ratio blends that part's with the rest's)
    and with the misses seen so far; it is probed only while a bisection of what a miss would
    leave still fits in ``limit``, otherwise the search bisects.  A calibrated guess that fits is
    kept; any other fit is kept once the candidate before it is known, or predicted from real
    counts, not to fit.
    """
    m = len(estimates)
    counts: dict[int, int] = {}
    used = 0
    lo, hi = -1, m  # the largest candidate known over the budget, the smallest known within it
    if known is not None:
        counts[0] = known
        if known <= budget:
            return 0, known
        lo = 0
    rate = 0.0 if exact else ERROR_PER_REACH
    settled = False  # the last probe fit, and was a guess calibrated by real counts
    while True:
        predict, reach = _predictor(estimates, counts, prior_ratio, prior_reach)

        def target(j: int, reach: Callable[[int], float] = reach, rate: float = rate) -> float:
            if exact:
                return budget
            blend = FIXED_SPREAD * fixed / estimates[j] if estimates[j] > 0 else 0.0
            return budget * (1 - min(0.5, FIRST_MARGIN + (rate + blend) * reach(j)))

        if hi < m and (settled or hi == lo + 1 or predict(hi - 1) > target(hi - 1)):
            return hi, counts[hi]
        if lo == m - 1:
            raise BudgetTooSmall(budget, counts[lo])
        p = next((j for j in range(lo + 1, hi) if predict(j) <= target(j)), None)
        if p is None:  # no margin is met: the first predicted to fit at all, or else bisect
            p = next((j for j in range(lo + 1, hi) if predict(j) <= budget), (lo + hi) // 2)
        guided = used + 1 + _ceil_log2(max(hi - p, p - lo)) <= limit
        if not guided:
            p = (lo + hi) // 2
        calibrated = guided and bool(counts)
        informed = bool(counts) or prior_ratio is not None
        guess, far = predict(p), reach(p)
        used += 1
        count = counts[p] = yield p
        if count <= budget:
            hi = p
            settled = calibrated and count >= budget * (1 - SETTLE_SLACK)
        elif informed and guided and not exact and guess <= target(p) and guess > 0:
            lo = p
            rate = min(MAX_ERROR_PER_REACH, max(rate, 1.5 * (count - guess) / guess / max(far, 0.1)))
        else:
            lo = p


def _predictor(
    estimates: Sequence[int], counts: Mapping[int, int], prior_ratio: float | None, prior_reach: float
) -> tuple[Callable[[int], float], Callable[[int], float]]:
    """The real count of candidate j predicted from the real counts nearest to it, and how far
    that reaches: the estimate between j and its nearest real count, over that count's estimate.

    Between two counted candidates: linear in the estimate.  Beyond them: the estimate scaled
    by the ratio of the nearest one (a ratio over everything that candidate keeps, steadier than
    a slope between two counts).  With none: scaled by ``prior_ratio`` (or not at all).
    """
    points = sorted(counts)

    def around(j: int) -> tuple[int | None, int | None]:
        i = bisect.bisect_left(points, j)
        return (points[i - 1] if i > 0 else None), (points[i] if i < len(points) else None)

    def predict(j: int) -> float:
        if not points:
            return estimates[j] * (prior_ratio if prior_ratio is not None else 1.0)
        if j in counts:
            return counts[j]
        left, right = around(j)
        if left is not None and right is not None and estimates[left] != estimates[right]:
            e_l, e_r = estimates[left], estimates[right]
            return counts[right] + (counts[left] - counts[right]) * (estimates[j] - e_r) / (e_l - e_r)
        near = left if left is not None else right
        assert near is not None
        return estimates[j] * counts[near] / estimates[near] if estimates[near] > 0 else float(counts[near])

    def reach(j: int) -> float:
        if not points:
            return prior_reach if prior_ratio is not None else 0.0
        left, right = around(j)
        near = min(
            (x for x in (left, right) if x is not None), key=lambda x: abs(estimates[j] - estimates[x])
        )
        return abs(estimates[j] - estimates[near]) / estimates[near] if estimates[near] > 0 else 1.0

    return predict, reach


# -- trim ----------------------------------------------------------------------------------------


def trim(
    conversation: Conversation,
    budget: int | None = None,
    *,
    counter: TokenCounter | None = None,
    model: str | None = None,
    max_tokens: int | None = None,
    params: Mapping[str, Any] | None = None,
    pin: int = 1,
    clear_tool_results: int | None = None,
    clear_thinking: int | None = None,
    summarize: Summarizer | None = None,
    summary_tokens: int | None = None,
    headroom: int = 0,
) -> Conversation:
    """The body of :meth:`convo.Conversation.trim`."""
    job = _start(
        conversation,
        budget,
        counter,
        model,
        max_tokens,
        params,
        pin,
        clear_tool_results,
        clear_thinking,
        summarize,
        summary_tokens,
        headroom,
    )
    return drive(job.run(), job.answer)


async def atrim(
    conversation: Conversation,
    budget: int | None = None,
    *,
    counter: AsyncTokenCounter | TokenCounter | None = None,
    model: str | None = None,
    max_tokens: int | None = None,
    params: Mapping[str, Any] | None = None,
    pin: int = 1,
    clear_tool_results: int | None = None,
    clear_thinking: int | None = None,
    summarize: Summarizer | AsyncSummarizer | None = None,
    summary_tokens: int | None = None,
    headroom: int = 0,
) -> Conversation:
    """:meth:`convo.Conversation.trim` for an async counter: ``await convo.atrim(conv, budget, ...)``.

    The same arguments and the same result, with the same search (and so the same
    ``count_tokens`` calls); ``counter`` may be an :class:`convo.AsyncApiCounter` (or any
    counter whose ``count`` is awaited) or a plain :class:`convo.TokenCounter`, and
    ``summarize`` may be an ``async`` function.  :meth:`convo.Conversation.atrim` is the same.

    >>> import asyncio, convo
    >>> conv = convo.Conversation().user("Plan a trip to Lisbon.").assistant("Day 1: Alfama. " * 40)
    >>> conv = conv.user("And Porto?").assistant("Day 1: Ribeira. " * 40).user("Thanks! Costs?")
    >>> asyncio.run(convo.atrim(conv, 400)) == conv.trim(400)
    True
    """
    job = _start(
        conversation,
        budget,
        counter,
        model,
        max_tokens,
        params,
        pin,
        clear_tool_results,
        clear_thinking,
        summarize,
        summary_tokens,
        headroom,
    )
    return await adrive(job.run(), job.aanswer)


def _start(
    conversation: Conversation,
    budget: int | None,
    counter: TokenCounter | AsyncTokenCounter | None,
    model: str | None,
    max_tokens: int | None,
    params: Mapping[str, Any] | None,
    pin: int,
    clear_tool_results: int | None,
    clear_thinking: int | None,
    summarize: Summarizer | AsyncSummarizer | None,
    summary_tokens: int | None,
    headroom: int,
) -> _Trim:
    """What :func:`trim` and :func:`atrim` share before the first count: the arguments checked
    and defaulted, old tool results and thinking cleared, and the candidates estimated."""
    if params is not None and not (isinstance(params, Mapping) and all(isinstance(k, str) for k in params)):
        raise InvalidArgument(f"params must map request parameter names to values, not {params!r}")
    request = dict(params or {})
    named = request.pop("model", None)  # a request's own parameters may name its model
    if named is not None and model is not None and named != model:
        raise InvalidArgument(f"params name the model {named!r}, and model= names {model!r}")
    model = next((m for m in (model, named, conversation._model) if m is not None), None)
    use = counter if counter is not None else LocalCounter()
    if not isinstance(use, TokenCounter):
        raise InvalidArgument(f"counter must be a token counter (with name and count), not {use!r}")
    budget, windowed = _budget(budget, model, max_tokens)
    if isinstance(pin, bool) or not isinstance(pin, int) or pin < 0:
        raise InvalidArgument(f"pin must be a number of leading user turns, not {pin!r}")
    for name, keep in (("clear_tool_results", clear_tool_results), ("clear_thinking", clear_thinking)):
        if keep is not None and (isinstance(keep, bool) or not isinstance(keep, int) or keep < 0):
            raise InvalidArgument(f"{name} is how many of the newest to keep (an int >= 0), not {keep!r}")
    if summary_tokens is not None and (
        isinstance(summary_tokens, bool)
        or not isinstance(summary_tokens, int)
        or not 0 <= summary_tokens < budget
    ):
        raise InvalidArgument(
            f"summary_tokens must be an int from 0 to below the budget, not {summary_tokens!r}"
        )
    reserve = 0
    if summarize is not None:
        reserve = summary_tokens if summary_tokens is not None else min(4096, budget // 10)
    if isinstance(headroom, bool) or not isinstance(headroom, int) or not 0 <= headroom < budget - reserve:
        raise InvalidArgument(
            f"headroom must be an int from 0 to below the budget (less any summary), not {headroom!r}"
        )
    messages: list[Message] = list(conversation.messages)
    if clear_tool_results is not None:
        messages = cleared_tool_results(messages, clear_tool_results)
    if clear_thinking is not None:
        messages = cleared_thinking(messages, clear_thinking)
    return _Trim(
        conversation, messages, use, model, request, pin, budget, windowed, reserve, headroom, summarize
    )


class _Trim:
    """One trim: the messages (after clearing), the cut candidates and their estimates, and the
    counter and summarizer that answer what :meth:`run` asks."""

    def __init__(
        self,
        conversation: Conversation,
        messages: list[Message],
        counter: TokenCounter | AsyncTokenCounter,
        model: str | None,
        params: dict[str, Any],
        pin: int,
        budget: int,
        windowed: bool,
        reserve: int,
        headroom: int,
        summarize: Summarizer | AsyncSummarizer | None,
    ) -> None:
        self.conversation = conversation
        self.messages = messages
        self.counter = counter
        self.model = model
        self.params = params
        self.budget = budget
        self.windowed = windowed  # the budget is the context window less max_tokens
        self.reserve = reserve  # kept free for the summary
        self.headroom = headroom  # ... and, once trimming, free for the turns to come
        self.summarize = summarize
        self.head = conversation._head()
        self.wires = [m.to_json() for m in messages]
        unchanged = self.wires == [m.to_json() for m in conversation.messages]
        self.base = conversation if unchanged else self.build(self.wires)
        thinking = params.get("thinking")
        manual = isinstance(thinking, Mapping) and thinking.get("type") == "enabled"
        self.s, self.cuts = plan(messages, pin, manual=manual)
        self.estimator = counter if isinstance(counter, LocalCounter) else _estimator_of(counter, model)
        self.exact = self.estimator is counter  # a local counter is additive: estimates are counts
        self.api = isinstance(counter, CountMemo)  # count_tokens: it leaves prior thinking out (§6.4)
        fixed, per_message = self.estimator.parts(self.base, model=model, **params)
        suffix = [0] * (len(per_message) + 1)
        for i in range(len(per_message) - 1, -1, -1):
            suffix[i] = suffix[i + 1] + per_message[i]
        self.fixed, self.per_message = fixed, per_message
        self.pinned = fixed + sum(per_message[: self.s])
        # the system messages a cut moves rather than drops, by index: their wires as moved
        # a mark could break the TTL order where it moves to (§5.3); a message moved in part is
        # estimated as if whole (higher, never lower)
        found = {i: _in_force(messages[i], self.wires[i]) for i in range(self.s, len(messages))}
        self.lasting = {i: wire for i, wire in found.items() if wire is not None}
        self.estimates = [
            self.pinned + sum(per_message[i] for i in self.lasting if i < k) + suffix[k] for k in self.cuts
        ]

    def run(self) -> Generator[Conversation | tuple[Message, ...], Any, Conversation]:
        """The whole trim as a generator: it yields a conversation to count (and is sent the count)
        or the dropped messages to summarize (and is sent the summary)."""
        budget, limit = self.budget, self.budget - self.headroom  # limit: for anything trimmed
        fits = budget  # the conversation as it is stays while it fits the budget
        if self.base is not self.conversation:  # clearing changed it: only if it must be trimmed
            if _as_count((yield self.conversation)) <= budget:
                return self.conversation
            fits = limit
        try:
            j = yield from self.fit(limit - self.reserve, budget, fits=fits)
        except BudgetTooSmall:
            if limit - self.reserve == budget:
                raise
            # the headroom and the summary's room are wishes, the budget is the rule
            limit = budget
            j = yield from self.fit(limit, budget, fits=limit)
        if self.summarize is None or j == 0:
            return self.candidate(j)
        return (yield from self.summarized(j, limit))

    def asked(self, ask: Conversation | tuple[Message, ...]) -> object:
        """The call :meth:`run` asks for: the count of a conversation, or the summary of dropped
        messages (an awaitable when the counter or summarizer is async)."""
        if isinstance(ask, tuple):
            assert self.summarize is not None
            return self.summarize(ask)
        return self.counter.count(ask, model=self.model, **self.params)

    def answer(self, ask: Conversation | tuple[Message, ...]) -> object:  # checked where it is used
        """:meth:`asked`, for :func:`trim`, a count :meth:`measured`: an async counter or
        summarizer is refused."""
        found = self.asked(ask)
        if inspect.isawaitable(found):
            if inspect.iscoroutine(found):
                found.close()  # never awaited, and so never warned of
            what = "the summarizer" if isinstance(ask, tuple) else f"{type(self.counter).__name__}.count"
            raise InvalidArgument(f"{what} is async: trim with `await convo.atrim(...)`")
        return found if isinstance(ask, tuple) else self.measured(ask.messages, found)

    async def aanswer(self, ask: Conversation | tuple[Message, ...]) -> object:
        """:meth:`asked`, for :func:`atrim`, a count :meth:`measured`: what is awaitable is
        awaited."""
        found = self.asked(ask)
        if inspect.isawaitable(found):
            found = await found
        return found if isinstance(ask, tuple) else self.measured(ask.messages, found)

    def measured(self, messages: Sequence[Message], count: object) -> int:
        """The counter's ``count`` of ``messages``; from ``count_tokens``, with the thinking of
        prior turns that it leaves out (§6.4) and a model that keeps it reads (§9.7: assume the
        larger number when trimming)."""
        if not self.api:
            return _as_count(count)
        model = self.model if self.model is not None else self.estimator.model
        return _as_count(count) + prior_thinking(messages, model=model).tokens(self.estimator.scale)

    def build(self, kept: Sequence[bytes]) -> Conversation:
        from ._conversation import Conversation

        return Conversation.from_wire(self.head + b",".join(kept) + b"]}", model=self.conversation._model)

    def moved(self, j: int) -> list[int]:
        """The system messages candidate ``j`` moves past its cut rather than drops."""
        return [i for i in self.lasting if i < self.cuts[j]]

    def candidate(self, j: int, summary: str | None = None) -> Conversation:
        """Candidate ``j``, with ``summary`` as a text block where the dropped messages were.

        Where the kept part after the cut opens with a user turn, it is joined to the last
        pinned user turn (the API joins two user turns in a row the same way, §1.6).  The
        system messages the cut passes follow that user turn: after all of its messages, since
        one may not stand before a user message (§1.3).
        """
        s, k, wires, messages = self.s, self.cuts[j], self.wires, self.messages
        if k == s:
            return self.base
        moved = [self.lasting[i] for i in self.moved(j)]
        end = _user_turn_end(messages, k)  # k itself when the kept part opens with an assistant turn
        left, turn, rest = wires[:s], wires[k:end], wires[end:]
        merge_left = s > 0
        merge_right = messages[k].role == "user"
        if summary is not None or (merge_left and merge_right):
            blocks: list[Block] = []
            if merge_left:
                blocks.extend(messages[s - 1].blocks)
                left = wires[: s - 1]
            if summary is not None:
                blocks.append(TextBlock(text=summary))
            if merge_right:
                blocks.extend(messages[k].blocks)
                turn = wires[k + 1 : end]
            left = [*left, Message("user", blocks).to_json()]
        return self.build([*left, *turn, *moved, *rest])

    def probing(self, steps: Generator[int, int, Done]) -> Generator[Conversation, Any, Done]:
        """``steps`` asking for candidates by index, made to ask for the conversations."""
        try:
            j = next(steps)
            while True:
                j = steps.send(_as_count((yield self.candidate(j))))
        except StopIteration as stop:
            done: Done = stop.value
            return done
        finally:
            steps.close()

    def fit(self, target: int, budget: int, *, fits: int) -> Generator[Conversation, Any, int]:
        """The candidate to keep for ``target`` tokens, or everything if it ``fits`` (``budget``
        is for error messages)."""
        known: int | None = None
        prior_ratio: float | None = None
        prior_reach = 1.0
        if isinstance(self.counter, CountMemo):
            seen = self.counter.counted_prefix(self.base, model=self.model, **self.params)
            if seen is not None and seen[0] == len(self.messages):
                known = self.measured(self.messages, seen[1])
            elif seen is not None:
                prefix_estimate = self.fixed + sum(self.per_message[: seen[0]])
                if prefix_estimate > 0:
                    prior_ratio = self.measured(self.messages[: seen[0]], seen[1]) / prefix_estimate
                    whole = self.estimates[0]
                    prior_reach = max(0.0, whole - prefix_estimate) / whole
        estimates = self.estimates
        if fits > target:  # headroom: everything stays while it fits, else trim to the target
            total = estimates[0] if self.exact else known
            if total is None:
                total = _as_count((yield self.candidate(0)))
            if total <= fits:
                return 0
            known = total
        steps = searching(
            estimates,
            target,
            limit=call_limit(len(self.messages)),
            exact=self.exact,
            known=known,
            prior_ratio=prior_ratio,
            prior_reach=prior_reach,
            fixed=self.pinned,
        )
        try:  # a local counter adds up: its estimates are its counts
            j, _ = drive(steps, estimates.__getitem__) if self.exact else (yield from self.probing(steps))
        except BudgetTooSmall as exc:
            needed = exc.needed
            if self.exact:  # ... but a kept user turn joined to the pinned one counts less: count them
                try:
                    j, _ = yield from self.probing(searching(estimates, target, limit=len(estimates) + 1))
                    return j
                except BudgetTooSmall as counted:
                    needed = counted.needed  # the smallest trim as counted, not as estimated
            pinned = self.s > 0
            # pinning fewer is a way out only where, with none pinned, a later user turn may open
            # the kept part: a loop of tool rounds after the one task keeps it all with pin=0
            unpinning = pinned and plan(self.messages, 0)[1][-1] > 0
            kept = self.messages[: self.s]
            if self.exact and self.pinned > target:
                what = (
                    "the system prompt, tools and pinned turns" if pinned else "the system prompt and tools"
                )
                raise BudgetTooSmall(
                    budget,
                    self.pinned,
                    f"{what} alone",
                    pinned=unpinning,
                    clearable=_clearable(kept),
                    windowed=self.windowed,
                ) from None
            smallest = "the pinned turns and the last exchange" if pinned else "the last exchange"
            kept += self.messages[self.cuts[-1] :]
            raise BudgetTooSmall(
                budget,
                needed,
                smallest,
                pinned=unpinning,
                clearable=_clearable(kept),
                windowed=self.windowed,
            ) from None
        if self.exact and _as_count((yield self.candidate(j))) > target:  # they add up; verify anyway
            j, _ = yield from self.probing(searching(estimates, target, limit=len(estimates) + 1))
        return j

    def summarized(
        self, j: int, budget: int
    ) -> Generator[Conversation | tuple[Message, ...], Any, Conversation]:
        """Candidate ``j`` with the summary of what it drops; drop more if that does not fit,
        and leave the summary out if it still does not (candidate ``j`` fits without it)."""
        fitting = j
        for _ in range(SUMMARY_ATTEMPTS):
            # the system messages moved are kept; a compaction moved only its tool changes
            kept = [i for i in self.moved(j) if self.messages[i].role == "system"]
            dropped = tuple(  # as they were, not cleared
                m
                for i, m in enumerate(self.conversation.messages[self.s : self.cuts[j]], self.s)
                if i not in kept
            )
            text = yield dropped
            if not isinstance(text, str):
                raise InvalidArgument(f"the summarizer must return a string, not {type(text).__name__}")
            text = str(text)  # a str subclass, as a plain str
            result = self.candidate(j, text if text.strip() else None)
            count = _as_count((yield result))
            if count <= budget:
                return result
            over = count - budget
            estimates = self.estimates
            later = next(
                (i for i in range(j + 1, len(estimates)) if estimates[j] - estimates[i] >= over), None
            )
            if later is None:
                break
            j = later
        return self.candidate(fitting)


def _as_count(value: object) -> int:
    """A counter's answer, if it is a count of tokens (an int >= 0): a negative one would fit
    any budget."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TokenCountError(f"a token counter returned {value!r}, not a number of tokens")
    return value


def _estimator_of(counter: TokenCounter | AsyncTokenCounter, model: str | None) -> LocalCounter:
    found = getattr(counter, "estimator", None)
    return found if isinstance(found, LocalCounter) else LocalCounter(model=model)


def _budget(budget: int | None, model: str | None, max_tokens: int | None) -> tuple[int, bool]:
    """The budget, and whether it is the model's context window less ``max_tokens``."""
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 0
    ):
        raise InvalidArgument(f"max_tokens must be a non-negative int, not {max_tokens!r}")
    window: int | None = None
    if max_tokens is not None:
        if model is None:
            raise InvalidArgument(
                "a budget from max_tokens needs a model (its context window minus max_tokens)"
            )
        found = profile(model)
        if found.known or registered(model):
            window = found.context_window - max_tokens
            if window < 1:
                raise InvalidArgument(
                    f"max_tokens {max_tokens} leaves no room for input in the "
                    f"{found.context_window:,}-token context window of {model}"
                )
        elif budget is None:  # an unknown model's profile takes the largest window known (1M)
            raise InvalidArgument(f"the context window of {model!r} is not known: give the budget itself")
    if budget is None:
        if window is None:
            raise InvalidArgument(
                "give a budget, or max_tokens and a model for the context window minus max_tokens"
            )
        budget = window
    elif isinstance(budget, bool) or not isinstance(budget, int):
        raise InvalidArgument(f"budget must be a number of tokens, not {budget!r}")
    elif window is not None:
        budget = min(budget, window)
    if budget < 1:
        raise InvalidArgument(f"the budget must be at least 1 token, not {budget}")
    return budget, budget == window
