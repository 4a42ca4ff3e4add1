"""Prompt-cache cost simulator: ``python benchmarks/cache_sim.py [--quick]``.

It replays realistic sessions (a sequence of request bodies, each with the time it is sent)
through a model of the prompt cache written from the documented semantics (api-rules §5, the
prompt-caching guide), independently of convo's own code:

* a request's prefix is a sequence of positions: each tool definition, each system block, each
  top-level content block of each message (string content is one text block), in the order
  tools, system, messages; the key of a position covers the model, everything before it and
  itself (``cache_control`` markers excluded); ``speed`` and whether citations are on are mixed
  in before the system prompt, ``thinking``, ``tool_choice``, ``output_config`` and where the
  images are before the messages (§5.9); on a model that drops earlier turns' thinking once a
  new user turn starts (§4.10), those thinking blocks are left out;
* a breakpoint whose prefix is at least the model's minimum length and reaches past what the
  request reads writes one entry keyed by its prefix, alive for its TTL (5 minutes or 1 hour)
  from the start of the request; an entry that is read, or that a breakpoint lands on, is
  refreshed for its own TTL (a 1h mark does not turn a live 5m entry into a 1h one for free);
* each breakpoint looks at its own position and up to 19 before it for a live entry; the
  furthest entry found is read (0.1x);
* tokens from the read up to the last ``1h`` breakpoint are written at 2x, from there to the
  last breakpoint at 1.25x (the API's "mixing TTLs" rule), and tokens after the last breakpoint
  are plain input (1x).  The top-level automatic ``cache_control`` is a breakpoint on the last
  block that can carry one (not thinking, redacted_thinking or empty text).

Tokens are estimated as JSON bytes / 4 per block (the role of a message counted with its first
block): the simulator measures the cache, not the tokenizer.  ``simulate(..., tokens=...)``
takes another estimate (the tests pass convo's own, to compare predictions token for token).

Strategies compared, on the same requests:

* ``none``: no breakpoints;
* ``automatic``: a top-level ``cache_control`` (5m) on every request;
* ``single tail``: what peer libraries do, one explicit 5m mark on the last content block of
  the last message (nothing if that block cannot carry one);
* ``convo``: ``convo.place_cache(body)`` (``cache="auto"``);
* ``convo, long_pauses``: ``CachePolicy(long_pauses=True)``, a 1h hold mark after the previous
  request's end on every request (chosen in advance: it pays the 1h price whether or not a
  pause comes);
* ``convo + pre-warm``: ``cache="auto"``, and when the model has handed the turn back to the
  person and nothing is sent for ``convo._cache.PREWARM_AFTER`` (270) seconds after the last
  request started, one ``convo.prewarm(...)`` request (``max_tokens: 0``, a 1h mark on the
  answer), costed like any other.  It uses only what an application knows at that moment: the
  answer ended the turn, and the person has not replied yet;
* ``best``: exhaustive search.  For each request every subset of at most 4 candidate positions,
  each with every legal TTL assignment (1h marks before 5m marks), is tried; candidates are the
  end of the tools, the end of the system prompt, the last markable block, the end of the
  prefix shared with each of the next three requests, and the two furthest positions holding a
  live cache entry.  Dynamic programming over the requests keeps, after each one, the cheapest
  cost for every distinct set of live entries that a later request can still read (the 64
  cheapest such states), so the search sees the future: it knows the pauses and which request
  is the last.

The table also sums every session (the "all sessions" row).  The report is not a test; tests/test_cache.py runs the simulator on small sessions and checks
convo's predictions against it.  See docs/benchmarks.md ("Prompt-cache cost").
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import convo  # noqa: E402

LOOKBACK = 20
MAX_BREAKPOINTS = 4
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
WRITE = {"5m": 1.25, "1h": 2.0}
READ = 0.1
MODEL = "claude-opus-4-8"

Body = dict[str, Any]


def _dumps(value: Any) -> bytes:
    """Compact JSON, key order kept (msgspec's number format, so token estimates match convo's)."""
    return msgspec.json.encode(value)


def _tokens(data: bytes) -> int:
    return (len(data) + 3) // 4


# -- the cache model -------------------------------------------------------------------------------


@dataclass
class Layout:
    """A request as the cache sees it."""

    keys: list[bytes] = field(default_factory=list)
    cum: list[int] = field(default_factory=list)
    eligible: list[bool] = field(default_factory=list)
    area: list[str] = field(default_factory=list)
    message: list[int] = field(default_factory=list)
    marks: list[tuple[int, str]] = field(default_factory=list)  # (position, ttl), in order

    @property
    def total(self) -> int:
        return self.cum[-1] if self.cum else 0


def _ttl(mark: Any) -> str | None:
    if mark is None:
        return None
    return "1h" if isinstance(mark, dict) and mark.get("ttl") == "1h" else "5m"


def _inner(block: Any) -> list[Any]:
    """The blocks a block holds: a tool_result's or search_result's content, a document's content
    source, the page a web_fetch_tool_result fetched."""
    if not isinstance(block, dict):
        return []
    if block.get("type") in ("tool_result", "search_result") and isinstance(block.get("content"), list):
        return list(block["content"])
    fetched = block.get("content")
    if block.get("type") == "web_fetch_tool_result" and isinstance(fetched, dict):
        page = fetched.get("content")
        return [page] if isinstance(page, dict) else []
    source = block.get("source")
    if (
        block.get("type") == "document"
        and isinstance(source, dict)
        and isinstance(source.get("content"), list)
    ):
        return list(source["content"])
    return []


def _unmarked(block: Any) -> Any:
    """The block without cache_control, nor any in the blocks it contains."""
    if not isinstance(block, dict):
        return block
    out = {k: v for k, v in block.items() if k != "cache_control"}
    if isinstance(out.get("content"), list):
        out["content"] = [_unmarked(b) for b in out["content"]]
    elif isinstance(out.get("content"), dict) and isinstance(out["content"].get("content"), dict):
        out["content"] = {**out["content"], "content": _unmarked(out["content"]["content"])}  # a fetched page
    if isinstance(out.get("source"), dict) and isinstance(out["source"].get("content"), list):
        out["source"] = {**out["source"], "content": [_unmarked(b) for b in out["source"]["content"]]}
    return out


def _salts(body: Body) -> tuple[bytes, bytes]:
    """What keys the system prompt and what keys the messages besides the content (§5.9): speed
    and the citations toggle; the prompt parameters and the images ("adding or removing images
    anywhere")."""
    images: list[str] = []
    cites = False

    def walk(block: Any, path: str) -> None:
        nonlocal cites
        if isinstance(block, dict):
            if block.get("type") == "image":
                images.append(path)
            config = block.get("citations")
            if block.get("type") in ("document", "search_result") and isinstance(config, dict):
                cites = cites or config.get("enabled") is True
        for k, inner in enumerate(_inner(block)):
            walk(inner, f"{path}/{k}")

    for i, message in enumerate(body["messages"]):
        for k, block in enumerate(message["content"] if isinstance(message["content"], list) else []):
            walk(block, f"{i}/{k}")
    system = _dumps(body.get("speed")) + (b"citations" if cites else b"")
    params = b"".join(_dumps(body[n]) for n in ("thinking", "tool_choice", "output_config") if n in body)
    return system, params + _dumps(images)


def _dropped(body: Body) -> set[tuple[int, int]]:
    """The thinking blocks a model that keeps only the current turn's thinking leaves out of the
    prompt (§4.10, §5.9): those of assistant turns before the last user turn that is not only
    tool results."""
    if convo.profile(body.get("model")).keeps_prior_thinking:
        return set()
    turn = 0
    for i, message in enumerate(body["messages"]):
        content = message["content"]
        results = isinstance(content, list) and any(
            isinstance(b, dict) and b.get("type") == "tool_result" for b in content
        )
        if message["role"] == "user" and not results:
            turn = i
    return {
        (i, k)
        for i, message in enumerate(body["messages"][:turn])
        if message["role"] == "assistant" and isinstance(message["content"], list)
        for k, block in enumerate(message["content"])
        if isinstance(block, dict) and block.get("type") in ("thinking", "redacted_thinking")
    }


def _can_mark(block: Any) -> bool:
    if not isinstance(block, dict) or block.get("type") in (
        "thinking",
        "redacted_thinking",
        "fallback",
        "mcp_tool_listing",
    ):
        return False
    if block.get("type") == "text":
        return isinstance(block.get("text"), str) and bool(block["text"].strip())
    return True


Tokens = Callable[[str, Any, bool, Any], int]
"""Tokens of one position: ``(kind, value, first, model)`` with kind ``tool``, ``system``,
``block`` or ``string`` (a message's string content), the value without cache_control, whether
it is the first of its tools or message, and the request's model."""

MESSAGE_HEAD = 4  # tokens of a message's role, counted with its first block


def bytes_tokens(kind: str, value: Any, first: bool, model: Any = None) -> int:
    """The default estimate: 4 bytes of compact JSON a token (a string as a text block)."""
    if isinstance(value, str):  # a string system prompt or content: one text block
        value = {"type": "text", "text": value}
    return _tokens(_dumps(value)) + (MESSAGE_HEAD if first and kind in ("block", "string") else 0)


def layout(body: Body, tokens: Tokens = bytes_tokens) -> Layout:
    out = Layout()
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_dumps(body.get("model")))
    total = 0

    def add(area: str, message: int, key: bytes, tokens: int, eligible: bool, marks: list[str]) -> None:
        nonlocal total
        digest.update(b"%d:" % len(key) + key)
        total += tokens
        out.keys.append(digest.copy().digest())
        out.cum.append(total)
        out.eligible.append(eligible)
        out.area.append(area)
        out.message.append(message)
        out.marks.extend((len(out.keys) - 1, t) for t in marks)

    for j, tool in enumerate(body.get("tools", [])):
        key = _dumps(_unmarked(tool))
        marks = [t] if (t := _ttl(tool.get("cache_control"))) else []
        add("tools", -1, key, tokens("tool", _unmarked(tool), j == 0, body.get("model")), True, marks)
    system_salt, messages_salt = _salts(body)
    dropped = _dropped(body)
    digest.update(system_salt)
    system = body.get("system")
    if isinstance(system, str):
        block = {"type": "text", "text": system}
        add(
            "system",
            -1,
            _dumps(block),
            tokens("system", system, True, body.get("model")),
            _can_mark(block),
            [],
        )
    for k, block in enumerate(system if isinstance(system, list) else []):
        key = _dumps(_unmarked(block))
        add(
            "system",
            -1,
            key,
            tokens("system", _unmarked(block), k == 0, body.get("model")),
            _can_mark(block),
            _marks_of(block),
        )
    digest.update(messages_salt)
    for i, message in enumerate(body["messages"]):
        head = _dumps({k: v for k, v in message.items() if k != "content"})
        content = message["content"]
        if isinstance(content, str):
            block = {"type": "text", "text": content}
            add(
                "messages",
                i,
                head + _dumps(block),
                tokens("string", content, True, body.get("model")),
                _can_mark(block),
                [],
            )
            continue
        for k, block in enumerate(content):
            gone = (i, k) in dropped
            key = b"(dropped)" if gone else _dumps(_unmarked(block))
            add(
                "messages",
                i,
                (head if k == 0 else b"") + key,
                0 if gone else tokens("block", _unmarked(block), k == 0, body.get("model")),
                _can_mark(block),
                _marks_of(block),
            )
    if "cache_control" in body:  # automatic: the last block that can carry a mark
        for pos in range(len(out.keys) - 1, -1, -1):
            if out.eligible[pos]:
                out.marks.append((pos, _ttl(body["cache_control"]) or "5m"))
                break
    out.marks.sort()
    return out


def _marks_of(block: Any) -> list[str]:
    """The marks of a block and of the blocks it holds."""
    marks = []
    if isinstance(block, dict) and (t := _ttl(block.get("cache_control"))) is not None:
        marks.append(t)
    for inner in _inner(block):
        marks += _marks_of(inner)
    return marks


@dataclass(frozen=True)
class Usage:
    read: int
    write_5m: int
    write_1h: int
    uncached: int

    @property
    def cost(self) -> float:
        return self.uncached + READ * self.read + WRITE["5m"] * self.write_5m + WRITE["1h"] * self.write_1h


Cache = dict[bytes, tuple[float, str]]  # key -> (expiry, ttl)


def step(
    lay: Layout, marks: Sequence[tuple[int, str]], cache: Cache, now: float, minimum: int
) -> tuple[Usage, Cache]:
    """One request against the cache: its usage, and the cache after it."""
    read, read_at = 0, -1
    for pos, _ in marks:
        for q in range(pos, max(pos - LOOKBACK, -1), -1):
            entry = cache.get(lay.keys[q])
            if entry is not None and entry[0] > now:
                if lay.cum[q] > read:
                    read, read_at = lay.cum[q], q
                break
    valid = [(p, t) for p, t in marks if lay.cum[p] >= minimum]
    beyond = [(p, t) for p, t in valid if lay.cum[p] > read]
    w5 = w1 = 0
    if beyond:
        long = [lay.cum[p] for p, t in beyond if t == "1h"]
        upto = max(long) if long else read
        w1 = upto - read
        w5 = lay.cum[max(p for p, _ in beyond)] - upto
    after = dict(cache)
    if read_at >= 0:  # a hit refreshes the entry, for its own TTL
        _, ttl = cache[lay.keys[read_at]]
        after[lay.keys[read_at]] = (now + TTL_SECONDS[ttl], ttl)
    for pos, ttl in valid:
        key = lay.keys[pos]
        old = cache.get(key)
        if old is not None and old[0] > now:  # a breakpoint on a live entry refreshes it (own TTL)
            after[key] = (now + TTL_SECONDS[old[1]], old[1])
        elif lay.cum[pos] > read and (key not in after or after[key][0] < now + TTL_SECONDS[ttl]):
            after[key] = (now + TTL_SECONDS[ttl], ttl)  # written (and paid for) beyond the read
    return Usage(read, w5, w1, lay.total - read - w5 - w1), after


def simulate(
    session: Sequence[tuple[float, Body]], minimum: int | None = None, tokens: Tokens = bytes_tokens
) -> list[Usage]:
    """Replay request bodies (as sent, with their marks) in order; the usage of each."""
    cache: Cache = {}
    out = []
    for now, body in session:
        lay = layout(body, tokens)
        usage, cache = step(lay, lay.marks, cache, now, _minimum(body) if minimum is None else minimum)
        out.append(usage)
    return out


def _minimum(body: Body) -> int:
    return convo.profile(body.get("model")).cache_min_tokens


# -- strategies ------------------------------------------------------------------------------------


def none(body: Body) -> Body:
    return body


def automatic(body: Body) -> Body:
    return {**body, "cache_control": {"type": "ephemeral"}}


def single_tail(body: Body) -> Body:
    messages = [dict(m) for m in body["messages"]]
    last = messages[-1]
    content = last["content"]
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else [dict(b) for b in content]
    if blocks and _can_mark(blocks[-1]):
        blocks[-1]["cache_control"] = {"type": "ephemeral"}
        last["content"] = blocks
    return {**body, "messages": messages}


def convo_auto(body: Body) -> Body:
    return dict(json.loads(convo.place_cache(_dumps(body))))


def convo_pauses(body: Body) -> Body:
    return dict(json.loads(convo.place_cache(_dumps(body), policy=convo.CachePolicy(long_pauses=True))))


def best(session: Sequence[tuple[float, Body]], *, beam: int = 64) -> float:
    """The cheapest total cost found by exhaustive search over candidate placements."""
    lays = [layout(body) for _, body in session]
    minimum = _minimum(session[0][1])
    where: dict[bytes, int] = {}  # key -> bit mask of the later requests whose prefix holds it
    tokens: dict[bytes, int] = {}
    for i, lay in enumerate(lays):
        for key, cum in zip(lay.keys, lay.cum, strict=True):
            where[key] = where.get(key, 0) | (1 << i)
            tokens[key] = cum
    State = frozenset[tuple[bytes, float, str]]
    states: dict[State, float] = {frozenset(): 0.0}
    for i, (now, _) in enumerate(session):
        lay = lays[i]
        later = ~((1 << (i + 1)) - 1)
        cands = _candidates(lay, lays[i + 1 : i + 4], states, now, minimum)
        options: list[list[tuple[int, str]]] = []
        for k in range(0, min(MAX_BREAKPOINTS, len(cands)) + 1):
            for subset in itertools.combinations(cands, k):
                for n_long in range(k + 1):
                    options.append([(p, "1h" if j < n_long else "5m") for j, p in enumerate(subset)])
        nxt: dict[State, float] = {}
        for state, cost in states.items():
            cache = {key: (exp, ttl) for key, exp, ttl in state}
            for marks in options:
                usage, after = step(lay, marks, cache, now, minimum)
                keep = _useful(after, now, later, where, tokens)
                total = cost + usage.cost
                if total < nxt.get(keep, float("inf")):
                    nxt[keep] = total
        states = _prune(nxt, tokens, beam)
    return min(states.values())


def _prune(
    states: dict[frozenset[tuple[bytes, float, str]], float], tokens: dict[bytes, int], beam: int
) -> dict[frozenset[tuple[bytes, float, str]], float]:
    """Drop dominated states (another costs no more and holds every entry at least as long),
    then keep the ``beam`` most promising: cost so far minus what the furthest live entry can
    save the next request (1.15x its tokens)."""

    def promise(item: tuple[frozenset[tuple[bytes, float, str]], float]) -> float:
        state, cost = item
        return cost - (WRITE["5m"] - READ) * max((tokens[k] for k, _, _ in state), default=0)

    kept: list[tuple[frozenset[tuple[bytes, float, str]], float]] = []
    for state, cost in sorted(states.items(), key=lambda kv: kv[1]):
        held = {k: e for k, e, _ in state}
        if any(
            all(
                k in {x: y for x, y, _ in other} and {x: y for x, y, _ in other}[k] >= e
                for k, e in held.items()
            )
            for other, _ in kept
        ):
            continue
        kept.append((state, cost))
    return dict(sorted(kept, key=promise)[:beam])


def _useful(
    cache: Cache, now: float, later: int, where: dict[bytes, int], tokens: dict[bytes, int]
) -> frozenset[tuple[bytes, float, str]]:
    """The live entries a later request can still read, without those another entry beats
    (one on every later prefix this one is on, at least as long, alive at least as long)."""
    live = [(key, exp, ttl) for key, (exp, ttl) in cache.items() if exp > now and where[key] & later]
    kept = []
    for a in live:
        mask_a = where[a[0]] & later
        beaten = any(
            b is not a
            and mask_a & ~where[b[0]] == 0
            and tokens[b[0]] >= tokens[a[0]]
            and b[1] >= a[1]
            and (tokens[b[0]], b[1], b[0]) > (tokens[a[0]], a[1], a[0])
            for b in live
        )
        if not beaten:
            kept.append(a)
    return frozenset(kept)


def _candidates(
    lay: Layout,
    ahead: Sequence[Layout],
    states: dict[frozenset[tuple[bytes, float, str]], float],
    now: float,
    minimum: int,
) -> list[int]:
    ok = [p for p in range(len(lay.keys)) if lay.eligible[p] and lay.cum[p] >= minimum]
    if not ok:
        return []

    def last_before(end: int) -> int | None:
        found = [p for p in ok if p < end]
        return found[-1] if found else None

    cands = {ok[-1]}
    for area in ("tools", "system"):
        inside = [p for p in ok if lay.area[p] == area]
        if inside:
            cands.add(inside[-1])
    for other in ahead:
        shared = 0
        while shared < min(len(lay.keys), len(other.keys)) and lay.keys[shared] == other.keys[shared]:
            shared += 1
        at = last_before(shared)
        if at is not None:
            cands.add(at)
    index = {key: p for p, key in enumerate(lay.keys)}
    live = sorted(
        {index[key] for state in states for key, exp, _ in state if key in index and exp > now}, reverse=True
    )
    cands.update(live[:2])
    return sorted(cands)


# -- sessions --------------------------------------------------------------------------------------

WORDS = (
    "the a of to and in is that for it on with as this be are by from at or an file function test "
    "error value return config build module import request response cache token message result "
    "output input path line class method type string list index buffer stream agent tool call"
).split()


def _text(rng: random.Random, tokens: int) -> str:
    words = []
    size = 0
    while size < tokens * 4:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)


def _tools(rng: random.Random, n: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"tool_{i}",
            "description": _text(rng, 120),
            "input_schema": {
                "type": "object",
                "properties": {"path": {"type": "string", "description": _text(rng, 40)}},
                "required": ["path"],
            },
        }
        for i in range(n)
    ]


def _body(system: Any, tools: list[Any], messages: list[Any]) -> Body:
    body: Body = {"model": MODEL, "max_tokens": 4096}
    if tools:
        body["tools"] = tools
    if system is not None:
        body["system"] = system
    body["messages"] = [dict(m) for m in messages]
    return body


def chat(rng: random.Random, turns: int = 20, *, pauses: bool = False) -> list[tuple[float, Body]]:
    """A chat with a long system prompt: short questions, medium answers."""
    system = _text(rng, 8000)
    messages: list[Any] = []
    session = []
    now = 0.0
    for _ in range(turns):
        messages.append({"role": "user", "content": _text(rng, rng.randint(30, 300))})
        session.append((now, _body(system, [], messages)))
        messages.append({"role": "assistant", "content": _text(rng, rng.randint(150, 900))})
        long_pause = pauses and rng.random() < 0.35
        now += rng.uniform(6 * 60, 50 * 60) if long_pause else rng.uniform(20, 150)
    return session


def agent(rng: random.Random, turns: int = 50, *, pauses: bool = False) -> list[tuple[float, Body]]:
    """A coding agent's tool loop: thinking, parallel tool calls, large tool results.

    With ``pauses``, the user steps in every 6-10 requests, after 10-40 minutes away."""
    system = _text(rng, 2500)
    tools = _tools(rng, 12)
    messages: list[Any] = [{"role": "user", "content": _text(rng, 200)}]
    session = []
    now = 0.0
    next_human = rng.randint(6, 10)
    for turn in range(turns):
        session.append((now, _body(system, tools, messages)))
        if turn == turns - 1:
            break
        if pauses and turn == next_human:
            messages.append({"role": "assistant", "content": _text(rng, 300)})
            messages.append({"role": "user", "content": _text(rng, 120)})
            now += rng.uniform(10 * 60, 40 * 60)
            next_human = turn + rng.randint(6, 10)
            continue
        k = rng.choice((1, 1, 1, 2, 2, 3, 3, 4, 6, 9, 12, 14))
        uses = [
            {
                "type": "tool_use",
                "id": f"toolu_{turn:02d}_{j}",
                "name": f"tool_{rng.randrange(12)}",
                "input": {"path": f"src/{rng.choice(WORDS)}_{j}.py"},
            }
            for j in range(k)
        ]
        assistant: list[Any] = [
            {"type": "thinking", "thinking": _text(rng, rng.randint(50, 400)), "signature": "sig" * 30}
        ]
        if rng.random() < 0.5:
            assistant.append({"type": "text", "text": _text(rng, 40)})
        messages.append({"role": "assistant", "content": assistant + uses})
        results = []
        for use in uses:
            size = rng.choice((80, 200, 400, 800, 1500, 3000, 6000))
            content: Any = _text(rng, size)
            if rng.random() < 0.2:
                content = [{"type": "text", "text": content}, {"type": "text", "text": _text(rng, 50)}]
            results.append({"type": "tool_result", "tool_use_id": use["id"], "content": content})
        messages.append({"role": "user", "content": results})
        now += rng.uniform(4, 40)
    return session


def document_qa(rng: random.Random, questions: int = 12) -> list[tuple[float, Body]]:
    """A long document in the first user turn, then questions about it."""
    document = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": _text(rng, 30000)},
        "title": "Annual report",
    }
    messages: list[Any] = [{"role": "user", "content": [document, {"type": "text", "text": _text(rng, 40)}]}]
    session = []
    now = 0.0
    for _q in range(questions):
        session.append((now, _body("You answer questions about the document.", [], messages)))
        messages.append({"role": "assistant", "content": _text(rng, rng.randint(100, 600))})
        messages.append({"role": "user", "content": _text(rng, rng.randint(15, 80))})
        now += rng.uniform(30, 200)
    return session


SESSIONS: dict[str, Callable[[random.Random, bool], list[tuple[float, Body]]]] = {
    "chat, 8k-token system prompt, 20 turns": lambda r, q: chat(r, 8 if q else 20),
    "agent loop, 50 turns, parallel tools": lambda r, q: agent(r, 16 if q else 50),
    "document Q&A, 30k-token document": lambda r, q: document_qa(r, 5 if q else 12),
    "chat with pauses of 6-50 min": lambda r, q: chat(r, 8 if q else 20, pauses=True),
    "agent loop with 10-40 min pauses": lambda r, q: agent(r, 16 if q else 50, pauses=True),
}
STRATEGIES: dict[str, Callable[[Body], Body]] = {
    "none": none,
    "automatic": automatic,
    "single tail": single_tail,
    "convo": convo_auto,
}


def opens_human_turn(body: Body) -> bool:
    """Whether a request's last message is a person's turn (not tool results): the answer before
    it ended the model's turn, which the application learns when that answer arrives."""
    last = body["messages"][-1]
    content = last["content"]
    return last["role"] == "user" and (
        isinstance(content, str) or not any(b.get("type") == "tool_result" for b in content)
    )


def with_prewarm(session: Sequence[tuple[float, Body]]) -> list[tuple[float, Body]]:
    """``cache="auto"``, plus a ``convo.prewarm`` request whenever the person is silent for
    ``PREWARM_AFTER`` seconds after the model handed the turn back."""
    wait = convo._cache.PREWARM_AFTER
    out: list[tuple[float, Body]] = []
    for i, (now, body) in enumerate(session):
        out.append((now, convo_auto(body)))
        if i + 1 < len(session):
            later, following = session[i + 1]
            if opens_human_turn(following) and later - now > wait:
                answered = {**following, "messages": following["messages"][:-1]}
                out.append((now + wait, dict(json.loads(convo.prewarm(_dumps(answered))))))
    return out


def cost(
    session: Sequence[tuple[float, Body]],
    strategy: Callable[[Body], Body] | None = None,
    *,
    placed: Sequence[tuple[float, Body]] | None = None,
) -> float:
    """Total cost of a session under ``strategy`` (or of requests already ``placed``)."""
    if placed is None:
        assert strategy is not None
        placed = [(now, strategy(body)) for now, body in session]
    for _, body in placed:
        report = convo.check(_dumps(body), model=MODEL)
        bad = [p for p in report.errors if p.code.startswith(("cache", "prewarm"))]
        assert not bad, f"illegal breakpoints or pre-warm: {bad}"
    return sum(u.cost for u in simulate(placed))


COLUMNS = ("none", "automatic", "single tail", "convo", "convo pauses", "convo prewarm", "best")


def run(quick: bool = False, seed: int = 7) -> list[dict[str, Any]]:
    rows = []
    for name, make in SESSIONS.items():
        session = make(random.Random(seed), quick)
        row: dict[str, Any] = {"session": name, "requests": len(session)}
        for label, strategy in STRATEGIES.items():
            row[label] = cost(session, strategy)
        row["convo pauses"] = cost(session, convo_pauses)
        warmed = with_prewarm(session)
        row["convo prewarm"] = cost(session, placed=warmed)
        row["prewarms"] = len(warmed) - len(session)
        row["best"] = best(session)
        rows.append(row)
    total: dict[str, Any] = {"session": "**all sessions**", "requests": sum(r["requests"] for r in rows)}
    for label in (*COLUMNS, "prewarms"):
        total[label] = sum(r[label] for r in rows)
    return [*rows, total]


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| session | requests | none | automatic | single tail | convo | convo, long_pauses "
        "| convo + pre-warm | best | convo + pre-warm vs automatic | vs best |"
    )
    lines = [head, "|" + "---|" * 11]
    for row in rows:
        base = row["none"]
        ours = row["convo prewarm"]

        def pct(x: float, base: float = base) -> str:
            return f"{100 * x / base:.1f}%"

        warm = f"{pct(ours)} ({row['prewarms']})" if row["prewarms"] else pct(ours)
        lines.append(
            f"| {row['session']} | {row['requests']} | {pct(base)} | {pct(row['automatic'])} "
            f"| {pct(row['single tail'])} | {pct(row['convo'])} | {pct(row['convo pauses'])} | {warm} "
            f"| {pct(row['best'])} | {100 * (ours / row['automatic'] - 1):+.1f}% "
            f"| {100 * (ours / row['best'] - 1):+.1f}% |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter sessions")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rows = run(args.quick, args.seed)
    print(f"convo {getattr(convo, '__version__', '?')}, model {MODEL}; input cost as % of no caching")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
