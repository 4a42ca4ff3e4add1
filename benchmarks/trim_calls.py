"""count_tokens calls to trim a 1,000-message conversation to half its size.

``python benchmarks/trim_calls.py [--seeds N] [--messages N] [--json]``

Each seeded conversation mixes chat exchanges and agent tool loops (thinking with signatures,
tool inputs as JSON, tool results of logs, code and JSON, prose answers, some CJK text, a few
images), and drifts from one mix to another along its length, so that the half that is kept
does not tokenize like the whole.  The "API" is a deterministic tokenizer standing in for
``count_tokens``: BPE-like pieces (letters in runs of up to 6, digits in threes, each other
character alone), 1.25x for the newer tokenizer, image patches by the 28-pixel formula, and
fixed per-request, per-message and per-block costs.  It is deliberately unlike convo's local
estimate (characters per token), so convo has to calibrate.

Two ways to trim each conversation to half of its real count, over the same cut points:

* convo: ``conv.trim(budget, counter=ApiCounter(client))``.
* peers: count the whole, then binary-search the cut points for the first that fits, the way
  trimming helpers do it (at most 1 + ceil(log2(n+1)) calls).

Reported: calls (median, mean, worst), the bound ceil(log2 n)+2, whether any result was over
budget by the counter's measure, and how many tokens convo kept next to the binary search's
(which finds the largest that fits).  Scenarios: the mix above; "skewed", where the tokenizer
counts code and JSON at twice the rate (so the local estimate is badly off); "noise", where each
message's count is multiplied by a factor from 1/8 to 8 drawn from a hash of it (so the local
estimates say next to nothing and the bound is what holds); "pinned", where the first user turn,
which always stays, is a pasted document of 60,000 words of prose (about 40% of the budget),
so a real count's ratio to the estimate blends that fixed part's with the rest's; and "agent
loop", which trims after every new round of a growing conversation with one memoizing counter.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import random
import re
import statistics
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import convo
from convo import ApiCounter, Conversation
from convo._images import image_tokens, sniff_base64
from convo._trim import plan

MODEL = "claude-opus-4-8"

# -- the stand-in tokenizer ------------------------------------------------------------------------

_PIECE = re.compile(r" ?[A-Za-z]{1,6}| ?\d{1,3}|\s+|.", re.S)


def pieces(text: str, code_rate: float = 1.0) -> float:
    n = 0.0
    for match in _PIECE.finditer(text):
        piece = match.group()
        n += code_rate if not piece.strip(" ").isalnum() and not piece.isspace() else 1.0
    return n


class FakeCounts:
    """``client.messages.count_tokens`` over a deterministic tokenizer; records every call."""

    def __init__(self, *, factor: float = 1.25, code_rate: float = 1.0, noise: bool = False) -> None:
        self.factor = factor
        self.code_rate = code_rate
        self.noise = noise  # each message's count times 2**u, u in [-3, 3) from a hash of its JSON
        self.calls = 0
        self.messages = self

    def text(self, text: str) -> float:
        return pieces(text, self.code_rate) * self.factor

    def block(self, block: dict[str, Any]) -> float:
        kind = block.get("type")
        if kind == "text":
            return 1 + self.text(block["text"])
        if kind == "thinking":
            return 2 + self.text(block["thinking"])
        if kind == "tool_use":
            return 4 + self.text(block["name"]) + self.text(json.dumps(block["input"]))
        if kind == "tool_result":
            content = block.get("content")
            if isinstance(content, str):
                return 3 + self.text(content)
            return 3 + sum(self.block(b) for b in content or ())
        if kind == "image":
            info = sniff_base64(block["source"]["data"])
            assert info is not None and info.width and info.height
            return 2 + image_tokens(info.width, info.height, tier="high")
        return self.text(json.dumps(block))

    def count(self, body: dict[str, Any]) -> int:
        total = 7.0
        system = body.get("system")
        if isinstance(system, str):
            total += self.text(system)
        tools = body.get("tools") or []
        if tools:
            total += 300 + sum(self.text(json.dumps(t)) for t in tools)
        for message in body["messages"]:
            content = message["content"]
            cost = 3 + (
                self.text(content) if isinstance(content, str) else sum(self.block(b) for b in content)
            )
            if self.noise:
                digest = zlib.crc32(json.dumps(message, sort_keys=True).encode())
                cost *= 2 ** (digest / 2**32 * 6 - 3)
            total += cost
        return math.ceil(total)

    def count_tokens(self, **params: Any) -> dict[str, int]:
        self.calls += 1
        return {"input_tokens": self.count(params)}


# -- realistic conversations -----------------------------------------------------------------------

WORDS = (
    "the of and to in is that for it as with was on be by this are from at or an which have not "
    "deploy service latency request cache window token budget queue retry timeout config error "
    "database index query schema migration rollout incident metric alert dashboard trace span "
    "customer invoice payment refund ledger account balance report quarter forecast revenue"
).split()
CJK = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"


def prose(rng: random.Random, words: int) -> str:
    out = []
    for i in range(words):
        w = rng.choice(WORDS)
        out.append(w.capitalize() if i == 0 or out[-1].endswith(".") else w)
        if rng.random() < 0.08:
            out[-1] += "."
        elif rng.random() < 0.05:
            out[-1] += ","
    return " ".join(out) + "."


def code(rng: random.Random, lines: int) -> str:
    out = []
    for _ in range(lines):
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        out.append(
            rng.choice(
                (
                    f"    {a}_{b} = self.{a}({b}, timeout={rng.randint(1, 999)})",
                    f"    if {a} is None or len({b}) > {rng.randint(2, 64)}:",
                    f"        raise ValueError(f'{a}: {{{b}!r}}')",
                    f"    return {{'{a}': {b}, 'n': {rng.randint(0, 10**6)}}}",
                    f"def {a}_{b}({a}: int, {b}: str = '') -> dict[str, int]:",
                )
            )
        )
    return "\n".join(out)


def json_blob(rng: random.Random, items: int) -> str:
    rows = [
        {
            "id": rng.randint(1, 10**9),
            "name": f"{rng.choice(WORDS)}-{rng.choice(WORDS)}",
            "ok": rng.random() < 0.8,
        }
        for _ in range(items)
    ]
    return json.dumps({"rows": rows, "next": None})


def cjk(rng: random.Random, chars: int) -> str:
    return "".join(rng.choice(CJK) for _ in range(chars))


def png(width: int, height: int) -> str:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    data = (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    )
    return base64.b64encode(data + b"\x00" * 64).decode()


class Mix:
    """What a conversation is made of, drifting from ``start`` to ``end`` along its length."""

    def __init__(self, rng: random.Random, total: int) -> None:
        self.rng = rng
        self.total = total
        self.start = [rng.random() for _ in range(4)]  # prose, code, json, cjk weights
        self.end = [rng.random() for _ in range(4)]
        self.agent = rng.random()  # share of exchanges that are tool loops

    def content(self, at: int, size: int) -> str:
        t = at / self.total
        weights = [a + (b - a) * t for a, b in zip(self.start, self.end, strict=True)]
        weights[3] *= 0.25
        kind = self.rng.choices(range(4), weights)[0]
        if kind == 0:
            return prose(self.rng, size // 6 + 1)
        if kind == 1:
            return code(self.rng, size // 45 + 1)
        if kind == 2:
            return json_blob(self.rng, size // 60 + 1)
        return cjk(self.rng, size // 3 + 1)


def conversation(seed: int, n: int) -> Conversation:
    rng = random.Random(seed)
    mix = Mix(rng, n)
    tools = [
        {
            "name": name,
            "description": prose(rng, 30),
            "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
        }
        for name in ("search", "run", "read_file")
    ]
    messages: list[dict[str, Any]] = []
    tool_id = 0

    def size() -> int:
        return int(rng.lognormvariate(6.3, 0.9))  # ~550 characters, long tail

    while len(messages) < n - 1:
        question: Any = mix.content(len(messages), size() // 2)
        if rng.random() < 0.03:
            question = [
                {
                    "type": "image",
                    "source": {
                        "type": "base64",
                        "media_type": "image/png",
                        "data": png(rng.randint(200, 2400), rng.randint(200, 1600)),
                    },
                },
                {"type": "text", "text": question},
            ]
        messages.append({"role": "user", "content": question})
        if rng.random() < mix.agent:
            for _ in range(rng.randint(1, 6)):
                if len(messages) >= n - 3:
                    break
                tool_id += 1
                blocks: list[dict[str, Any]] = []
                if rng.random() < 0.5:
                    blocks.append(
                        {
                            "type": "thinking",
                            "thinking": prose(rng, rng.randint(10, 120)),
                            "signature": base64.b64encode(rng.randbytes(96)).decode(),
                        }
                    )
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": f"toolu_{tool_id:06d}",
                        "name": rng.choice(tools)["name"],
                        "input": {"query": prose(rng, rng.randint(3, 12))},
                    }
                )
                messages.append({"role": "assistant", "content": blocks})
                messages.append(
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "tool_result",
                                "tool_use_id": f"toolu_{tool_id:06d}",
                                "content": mix.content(len(messages), size() * 2),
                            }
                        ],
                    }
                )
        messages.append(
            {"role": "assistant", "content": [{"type": "text", "text": mix.content(len(messages), size())}]}
        )
    messages.append({"role": "user", "content": mix.content(n, size() // 2)})
    body = {"system": prose(rng, 200), "tools": tools, "messages": messages}
    return Conversation.from_wire(body, model=MODEL)


# -- the two ways to trim --------------------------------------------------------------------------


def peers_binary_search(conv: Conversation, budget: int, client: FakeCounts) -> tuple[int, int]:
    """Count the whole; then binary-search the cut points for the first that fits."""
    messages = list(conv.messages)
    s, cuts = plan(messages, 1)
    head = json.loads(conv.to_json())

    def count(j: int) -> int:
        kept = messages[:s] + messages[cuts[j] :]
        return int(
            client.count_tokens(**{**head, "messages": [m.to_dict() for m in kept], "model": MODEL})[
                "input_tokens"
            ]
        )

    before = client.calls
    whole = count(0)
    if whole <= budget:
        return client.calls - before, whole
    lo, hi, best = 1, len(cuts) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        c = count(mid)
        if c <= budget:
            best, hi = c, mid - 1
        else:
            lo = mid + 1
    assert best is not None
    return client.calls - before, best


def with_document(conv: Conversation, seed: int, words: int) -> Conversation:
    """``conv`` with its first user turn replaced by a pasted document of ``words`` words of prose."""
    body = json.loads(conv.to_json())
    body["messages"][0]["content"] = prose(random.Random(seed), words)
    return Conversation.from_wire(body, model=MODEL)


def run_one(seed: int, n: int, code_rate: float, noise: bool = False, document: int = 0) -> dict[str, Any]:
    conv = conversation(seed, n)
    if document:
        conv = with_document(conv, seed, document)
    truth = FakeCounts(code_rate=code_rate, noise=noise)
    whole = truth.count(json.loads(conv.to_json()))
    budget = whole // 2
    client = FakeCounts(code_rate=code_rate, noise=noise)
    counter = ApiCounter(client, model=MODEL)
    trimmed = conv.trim(budget, counter=counter)
    kept = truth.count(json.loads(trimmed.to_json()))
    assert convo.check(trimmed.to_json()).valid
    peer_calls, peer_kept = peers_binary_search(conv, budget, FakeCounts(code_rate=code_rate, noise=noise))
    return {
        "seed": seed,
        "messages": len(conv),
        "calls": client.calls,
        "peer_calls": peer_calls,
        "over": kept > budget,
        "kept": kept / budget,
        "peer_kept": peer_kept / budget,
    }


def agent_loop(seed: int, rounds: int, budget: int) -> list[int]:
    """Trim after every new round of a growing agent loop; calls per trim."""
    rng = random.Random(seed)
    mix = Mix(rng, rounds)
    client = FakeCounts()
    counter = ApiCounter(client, model=MODEL)
    tools = [{"name": "run", "description": "Run a command.", "input_schema": {"type": "object"}}]
    conv = Conversation.from_wire({"system": prose(rng, 200), "tools": tools, "messages": []}, model=MODEL)
    conv = conv.user(prose(rng, 80))
    calls: list[int] = []
    for i in range(rounds):
        use = {"type": "tool_use", "id": f"toolu_{i:06d}", "name": "run", "input": {"cmd": prose(rng, 6)}}
        conv = conv.assistant([{"type": "text", "text": prose(rng, 20)}, use])
        conv = conv.tool_results({use["id"]: mix.content(i, int(rng.lognormvariate(7, 0.8)))})
        before = client.calls
        conv = conv.trim(budget, counter=counter)
        calls.append(client.calls - before)
        assert client.count(json.loads(conv.to_json())) <= budget
    return calls


def summarize(name: str, rows: list[dict[str, Any]], n: int) -> dict[str, Any]:
    calls = [r["calls"] for r in rows]
    peers = [r["peer_calls"] for r in rows]
    return {
        "scenario": name,
        "conversations": len(rows),
        "messages": n,
        "convo_median": statistics.median(calls),
        "convo_mean": round(statistics.fmean(calls), 2),
        "convo_worst": max(calls),
        "share_2_or_fewer": round(sum(c <= 2 for c in calls) / len(calls), 3),
        "bound": math.ceil(math.log2(n)) + 2,
        "peers_median": statistics.median(peers),
        "peers_worst": max(peers),
        "peers_bound": 1 + math.ceil(math.log2(n + 1)),
        "over_budget": sum(r["over"] for r in rows),
        "kept_median": round(statistics.median(r["kept"] for r in rows), 4),
        "kept_min": round(min(r["kept"] for r in rows), 4),
        "peers_kept_median": round(statistics.median(r["peer_kept"] for r in rows), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    scenarios = (
        ("mixed", 1.0, False, 0),
        ("skewed", 2.0, False, 0),
        ("noise", 1.0, True, 0),
        ("pinned", 1.0, False, 60_000),
    )
    for name, rate, noise, document in scenarios:
        rows = [run_one(seed, args.messages, rate, noise, document) for seed in range(args.seeds)]
        results.append(summarize(name, rows, args.messages))
    loop_calls: list[int] = []
    for seed in range(max(1, args.seeds // 20)):
        loop_calls.extend(agent_loop(seed, 300, 60_000))
    loop = {
        "scenario": "agent loop (trim every round)",
        "trims": len(loop_calls),
        "calls_per_trim_mean": round(statistics.fmean(loop_calls), 2),
        "calls_per_trim_median": statistics.median(loop_calls),
        "calls_per_trim_worst": max(loop_calls),
    }
    versions = {"python": sys.version.split()[0], "convo": convo.__version__}
    if args.json:
        print(json.dumps({"versions": versions, "results": results, "agent_loop": loop}, indent=2))
        return
    print(f"count_tokens calls to trim to half ({versions})")
    print(
        f"{'scenario':<8} {'n':>5} {'convo med/mean/worst':>21} {'<=2':>6} {'bound':>5} "
        f"{'peers med/worst':>15} {'peer bound':>10} {'over':>4} {'kept med/min (peers)':>26}"
    )
    for r in results:
        print(
            f"{r['scenario']:<8} {r['messages']:>5} "
            f"{r['convo_median']:>7} / {r['convo_mean']:>5} / {r['convo_worst']:>3} {r['share_2_or_fewer']:>6} "
            f"{r['bound']:>5} {r['peers_median']:>7} / {r['peers_worst']:>5} {r['peers_bound']:>10} "
            f"{r['over_budget']:>4} {r['kept_median']:>8} / {r['kept_min']:>6} ({r['peers_kept_median']})"
        )
    print(
        f"agent loop: {loop['trims']} trims, calls per trim mean {loop['calls_per_trim_mean']}, "
        f"median {loop['calls_per_trim_median']}, worst {loop['calls_per_trim_worst']}"
    )


if __name__ == "__main__":
    main()
