"""Prompt-cache placement (``cache="auto"``, ``CachePolicy``) and cache-miss prediction.

Placement is checked rule by rule (api-rules §5), then as properties over every conversation
shape ``convo.testing`` makes: the placed body always passes ``convo.check`` without a cache
error, and only the marks change.  Prediction is checked against the independent simulator in
``benchmarks/cache_sim.py``.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import random
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import convo
from convo import CachePolicy, Conversation
from convo.testing import conversations, invalid_conversations, wire_conversations

from .test_rules import DOC, png_b64

ROOT = Path(__file__).resolve().parent.parent
OPUS = "claude-opus-4-8"  # 1,024-token minimum
THINK = {"type": "adaptive"}
LONG = "All about the project, its modules and their tests. " * 120  # ~1,600 tokens


def _load_sim() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cache_sim", ROOT / "benchmarks" / "cache_sim.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["cache_sim"] = module
    spec.loader.exec_module(module)
    return module


sim = _load_sim()


def convo_tokens(kind: str, value: Any, first: bool, model: Any) -> int:
    """The simulator's token hook: convo's own estimate, to compare counts exactly."""
    return convo._cache.position_tokens(kind, msgspec.json.encode(value), first=first, model=model)  # type: ignore[arg-type]


def marks(body: bytes | Conversation | convo.Request, **kw: Any) -> list[tuple[str, str, str]]:
    return [(b.path, b.ttl, b.source) for b in convo.cache_breakpoints(body, **kw)]


def unmarked(data: Any) -> Any:
    """The JSON with every cache_control removed and string content as one text block."""
    if isinstance(data, list):
        return [unmarked(x) for x in data]
    if isinstance(data, dict):
        out = {k: unmarked(v) for k, v in data.items() if k != "cache_control"}
        if "role" in out and isinstance(out.get("content"), str):
            out["content"] = [{"type": "text", "text": out["content"]}]
        if isinstance(out.get("system"), str):
            out["system"] = [{"type": "text", "text": out["system"]}]
        return out
    return data


def tool_loop(turns: int, calls: int, *, system: str = LONG) -> list[Conversation]:
    """A tool loop, one conversation per request: ``calls`` parallel calls a turn."""
    conv = Conversation(system=system, tools=[{"name": "read", "input_schema": {"type": "object"}}])
    conv = conv.user("Fix the failing test.")
    out = [conv]
    for t in range(turns):
        uses = [
            {
                "type": "tool_use",
                "id": f"toolu_{t}_{j}",
                "name": "read",
                "input": {"path": f"f{j}.py", "n": 1e5},
            }
            for j in range(calls)
        ]
        conv = conv.assistant([{"type": "thinking", "thinking": "hm", "signature": "sig"}, *uses])
        conv = conv.tool_results({u["id"]: f"contents of f{j}.py " * 20 for j, u in enumerate(uses)})
        out.append(conv)
    return out


# -- placement, rule by rule ---------------------------------------------------------------------


def test_tail_and_anchor_and_exact_bytes() -> None:
    wire = b'{"system":%s,"messages":[{"role":"user","content":[{"type":"text","text":"Hi","x":1.50}]}]}'
    conv = Conversation.from_wire(wire % json.dumps(LONG).encode())
    body = conv.request(model=OPUS, max_tokens=10, cache="auto").body()
    assert marks(body) == [("/system/0", "5m", "user"), ("/messages/0/content/0", "5m", "user")]
    # the marked block keeps its own bytes (number literal 1.50 included), the mark comes last
    assert b'{"type":"text","text":"Hi","x":1.50,"cache_control":{"type":"ephemeral"}}' in body
    assert unmarked(json.loads(body)) == unmarked(json.loads(conv.request(model=OPUS, max_tokens=10).body()))


def test_no_marks_unless_asked_and_none_under_the_minimum() -> None:
    conv = Conversation(system=LONG).user("Hi")
    assert marks(conv.request(model=OPUS, max_tokens=10)) == []
    short = Conversation(system="Be brief.").user("Hi")
    assert short.request(model=OPUS, max_tokens=10, cache="auto").breakpoints == ()
    # Opus 4.6 needs 4,096 tokens: the ~1,600-token prompt is not marked there
    assert conv.request(model="claude-opus-4-6", max_tokens=10, cache="auto").breakpoints == ()


@pytest.mark.parametrize("model", ["claude-haiku-6", "claude-opus-9", None])
def test_an_unknown_model_takes_the_largest_known_minimum(model: str | None) -> None:
    """Its real minimum may be 4,096 (Opus 4.5 and 4.6, Haiku 4.5): a mark on the ~1,600-token
    prompt would silently write nothing (§5.7), and a prediction of its read would be wrong."""
    assert convo.profile(model).cache_min_tokens == 4096
    first = Conversation(system=LONG).user("Hi")
    second = first.assistant("Hello.").user("Go on.")
    assert first.request(model=model or "x", max_tokens=10, cache="auto").breakpoints == ()
    assert marks(convo.place_cache(first, model=model)) == []
    marked = [convo.place_cache(conv, model=OPUS) for conv in (first, second)]  # bodies naming no model
    assert convo.predict_cache(*marked, model=OPUS).hit
    prediction = convo.predict_cache(*marked, model=model)
    assert (prediction.hit, prediction.read_tokens) == (False, 0)
    longer = Conversation(system=LONG * 3).user("Hi")  # ~4,800 tokens: cached on every model
    assert marks(convo.place_cache(longer, model=model)) == marks(convo.place_cache(longer, model=OPUS))


def test_string_content_becomes_a_block_list_only_where_marked() -> None:
    conv = Conversation(system=LONG).user("one").assistant("two").user("three")
    body = json.loads(conv.request(model=OPUS, max_tokens=10, cache="auto").body())
    assert body["system"] == [{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}]
    assert body["messages"][0]["content"] == "one"
    assert body["messages"][1]["content"] == "two"
    assert body["messages"][2]["content"] == [
        {"type": "text", "text": "three", "cache_control": {"type": "ephemeral"}}
    ]


def test_never_on_thinking_or_empty_text() -> None:
    conv = (
        Conversation(system=LONG)
        .user("go")
        .assistant(
            [
                {"type": "text", "text": "Partial answer"},
                {"type": "thinking", "thinking": "x", "signature": "s"},
            ]
        )
    )
    body = convo.place_cache(conv, model="claude-sonnet-4-5")  # prefill allowed there
    assert marks(body) == [("/system/0", "5m", "user"), ("/messages/1/content/0", "5m", "user")]
    conv = Conversation(system=LONG).user("go").assistant([{"type": "redacted_thinking", "data": "abc"}])
    assert marks(convo.place_cache(conv, model="claude-sonnet-4-5"))[-1][0] == "/messages/0/content/0"


def test_tools_then_system_then_messages() -> None:
    tools = [
        {"name": f"t{i}", "description": LONG if i == 1 else "x", "input_schema": {"type": "object"}}
        for i in range(3)
    ]
    conv = Conversation(tools=tools).user("Hi")
    assert marks(convo.place_cache(conv, model=OPUS)) == [
        ("/tools/2", "5m", "user"),
        ("/messages/0/content/0", "5m", "user"),
    ]


def test_a_deferred_tool_is_never_marked() -> None:
    """The API refuses cache_control on a tool with defer_loading: the mark goes before it."""
    tools = [
        {"name": "t0", "description": LONG, "input_schema": {"type": "object"}},
        {"type": "tool_search_tool_regex_20251119", "name": "tool_search_tool_regex"},
        {"name": "t2", "input_schema": {"type": "object"}, "defer_loading": True},
    ]
    placed = convo.place_cache(Conversation(tools=tools).user("Hi"), model=OPUS)
    assert marks(placed)[0] == ("/tools/1", "5m", "user")
    assert convo.check(placed).valid


def test_user_marks_are_kept_and_counted() -> None:
    mark = {"type": "ephemeral"}
    conv = (
        Conversation(system=[{"type": "text", "text": LONG, "cache_control": mark}])
        .user([{"type": "text", "text": "a", "cache_control": mark}])
        .assistant("b")
        .user([{"type": "text", "text": "c", "cache_control": mark}])
        .assistant("d")
        .user("e")
    )
    placed = convo.place_cache(conv, model=OPUS)
    assert marks(placed) == [
        ("/system/0", "5m", "user"),
        ("/messages/0/content/0", "5m", "user"),
        ("/messages/2/content/0", "5m", "user"),
        ("/messages/4/content/0", "5m", "user"),
    ]
    # a fourth user mark, or the top-level automatic one, leaves convo no slot
    body = json.loads(conv.to_json())
    body |= {"model": OPUS, "max_tokens": 5, "cache_control": {"type": "ephemeral"}}
    full = convo.place_cache(body)
    assert json.loads(full)["messages"] == body["messages"]
    assert [b.source for b in convo.cache_breakpoints(full)] == ["user"] * 3 + ["automatic"]
    # move_user_marks: convo places its own instead
    moved = convo.place_cache(conv, model=OPUS, policy=CachePolicy(move_user_marks=True))
    assert marks(moved) == [("/system/0", "5m", "user"), ("/messages/4/content/0", "5m", "user")]


def test_a_mark_nested_in_a_tool_result_is_reported_where_it_is() -> None:
    mark = {"type": "ephemeral"}
    nested = [
        {"type": "text", "text": "a", "cache_control": mark},
        {"type": "text", "text": "b", "cache_control": mark},
    ]
    conv = (
        Conversation()
        .user("Read.")
        .assistant([{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}])
    )
    conv = conv.tool_results({"toolu_1": nested})
    expected = ["/messages/2/content/0/content/0", "/messages/2/content/0/content/1"]
    assert [b.path for b in convo.cache_breakpoints(conv.to_json())] == expected
    assert [b.path for b in conv.request(model=OPUS, max_tokens=9).breakpoints] == expected


def test_a_mark_in_a_documents_source_content_counts_and_keeps_the_ttl_order() -> None:
    """The SDK's content source holds text and image blocks, which may carry marks (§5.1)."""
    text = {"type": "text", "text": "Design notes. " * 40, "cache_control": {"type": "ephemeral"}}
    doc = {"type": "document", "source": {"type": "content", "content": [text]}}
    tools = [{"name": "read", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}}]
    conv = Conversation(system=LONG, tools=tools).user([doc, {"type": "text", "text": "Fix the tests."}])
    uses = [
        {"type": "tool_use", "id": f"toolu_{j}", "name": "read", "input": {"path": f"f{j}.py"}}
        for j in range(12)
    ]
    conv = conv.assistant(uses).tool_results({u["id"]: "x = 1\n" * 30 for u in uses})
    for policy in (CachePolicy(), CachePolicy(long_pauses=True)):
        req = conv.request(model=OPUS, max_tokens=100, cache=policy)
        assert ("/messages/0/content/0/source/content/0", "5m", "user") in marks(req)
        assert len(req.breakpoints) <= 4 and convo.check(req.body()).valid
    moved = convo.place_cache(conv, model=OPUS, policy=CachePolicy(move_user_marks=True))
    assert [m[0] for m in marks(moved)] == ["/system/0", "/messages/0/content/1", "/messages/2/content/11"]


def ttls_in_order(data: Any) -> list[str]:
    """The TTL of every cache_control in a body, tools, system and messages, at any depth."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key == "cache_control" and isinstance(item, dict):
                    found.append(item.get("ttl", "5m"))
                elif key != "input":  # a tool_use's input is data, whatever its keys
                    walk(item)

    body = json.loads(data)
    for part in ("tools", "system", "messages"):
        walk(body.get(part))
    return found


LATE = {"type": "ephemeral", "ttl": "1h"}


def _fetched(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A web_fetch call and its result, which holds ``document``."""
    call = {
        "type": "server_tool_use",
        "id": "srvtoolu_1",
        "name": "web_fetch",
        "input": {"url": "https://x.org"},
    }
    content = {"type": "web_fetch_result", "url": "https://x.org", "content": document}
    return [call, {"type": "web_fetch_tool_result", "tool_use_id": "srvtoolu_1", "content": content}]


HELD_MARKS = {  # a server tool's call and its result, with a mark inside the result
    "web_fetch document": _fetched(
        {**DOC(type="text", media_type="text/plain", data="Page."), "cache_control": LATE}
    ),
    "web_fetch document source": _fetched(
        DOC(type="content", content=[{"type": "text", "text": "Page.", "cache_control": LATE}])
    ),
    "tool_search reference": [
        {
            "type": "server_tool_use",
            "id": "srvtoolu_1",
            "name": "tool_search_tool_regex",
            "input": {"query": "r"},
        },
        {
            "type": "tool_search_tool_result",
            "tool_use_id": "srvtoolu_1",
            "content": {
                "type": "tool_search_tool_search_result",
                "tool_references": [{"type": "tool_reference", "tool_name": "read", "cache_control": LATE}],
            },
        },
    ],
    "mcp_tool_result text": [
        {"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "r", "server_name": "s", "input": {}},
        {
            "type": "mcp_tool_result",
            "tool_use_id": "mcptoolu_1",
            "content": [{"type": "text", "text": "r", "cache_control": LATE}],
        },
    ],
}


@pytest.mark.parametrize("holder", list(HELD_MARKS))
def test_a_mark_held_in_a_server_tool_result_counts_and_keeps_the_ttl_order(holder: str) -> None:
    """A web_fetch result holds a document (and its content source), a tool_search result
    tool_reference blocks, a (beta) mcp_tool_result text blocks: each may carry a mark, which
    takes one of the four slots (§5.1) and orders the TTLs (§5.4)."""
    tools = [{"name": "read", "input_schema": {"type": "object"}, "cache_control": LATE}]
    wide = [{"type": "text", "text": f"Step {i}."} for i in range(20)]  # the bridge is wanted
    body = {
        "model": OPUS,
        "max_tokens": 9,
        "tools": tools,
        "system": LONG,
        "messages": [
            {"role": "user", "content": "Look it up."},
            {"role": "assistant", "content": [*HELD_MARKS[holder], *wide]},
            {"role": "user", "content": "Go on."},
        ],
    }
    placed = convo.place_cache(body)
    # the user's two marks and two of convo's (the bridge before the 1h mark is 1h too)
    assert ttls_in_order(placed) == ["1h", "1h", "1h", "5m"]
    assert [p for p in convo.check(placed).errors if p.code.startswith("cache")] == []


@pytest.mark.parametrize("ttl", ["5m", "1h"])
def test_a_request_that_moves_user_marks_counts_them_after_moving(ttl: str) -> None:
    """Four user marks and an automatic one are too many, and a 1h automatic one after 5m
    marks is out of order, unless convo is allowed to move the user's marks: then it does."""
    mark = {"type": "ephemeral"}
    conv = Conversation(system=[{"type": "text", "text": LONG, "cache_control": mark}]).user(
        [{"type": "text", "text": t * 300, "cache_control": mark} for t in "abc"]
    )
    top = {"type": "ephemeral", "ttl": ttl}
    with pytest.raises(convo.ValidationError):
        conv.request(model=OPUS, max_tokens=9, cache="auto", cache_control=top)
    req = conv.request(model=OPUS, max_tokens=9, cache=CachePolicy(move_user_marks=True), cache_control=top)
    assert convo.check(req.body(), model=OPUS).valid
    assert len(req.breakpoints) <= 4 and req.breakpoints[-1].source == "automatic"


def test_automatic_covers_the_tail() -> None:
    conv = Conversation(system=LONG).user("Hi")
    req = conv.request(model=OPUS, max_tokens=10, cache="auto", cache_control={"type": "ephemeral"})
    assert [(b.path, b.source) for b in req.breakpoints] == [
        ("/system/0", "convo"),
        ("/messages/0/content/0", "automatic"),
    ]
    assert convo.check(req.body(), model=OPUS).valid


def test_ttl_order_is_kept() -> None:
    late = {"type": "ephemeral", "ttl": "1h"}
    conv = (
        Conversation(system=LONG)
        .user("a")
        .assistant("b")
        .user([{"type": "text", "text": "c", "cache_control": late}])
    )
    conv = conv.assistant("d").user("e")
    placed = convo.place_cache(conv, model=OPUS, policy=CachePolicy(anchor=True))
    # the anchor comes before the user's 1h mark: it becomes 1h (free: billed at 1h anyway);
    # the tail after it stays 5m
    assert marks(placed) == [
        ("/system/0", "1h", "user"),
        ("/messages/2/content/0", "1h", "user"),
        ("/messages/4/content/0", "5m", "user"),
    ]
    early = {"type": "ephemeral"}
    conv = Conversation(system=[{"type": "text", "text": LONG, "cache_control": early}]).user("q")
    placed = convo.place_cache(conv, model=OPUS, policy=CachePolicy(ttl="1h"))
    assert marks(placed)[-1] == ("/messages/0/content/0", "5m", "user")  # a 1h mark may not follow 5m
    assert convo.check(placed).valid


def test_policy_is_checked() -> None:
    with pytest.raises(convo.InvalidArgument):
        CachePolicy(ttl="10m")  # type: ignore[arg-type]
    with pytest.raises(convo.InvalidArgument):
        CachePolicy(max_breakpoints=5)
    with pytest.raises(convo.InvalidArgument):
        CachePolicy(bridge=21)
    with pytest.raises(convo.InvalidArgument):
        Conversation().user("x").request(model=OPUS, max_tokens=5, cache="always")
    with pytest.raises(convo.InvalidArgument):
        CachePolicy(ttl="1h", prefix_ttl="5m")
    for wrong in ({"max_breakpoints": True}, {"bridge": True}, {"min_tokens": False}, {"anchor": "no"},
                  {"long_pauses": 1}, {"move_user_marks": None}):  # fmt: skip
        with pytest.raises(convo.InvalidArgument, match=f"CachePolicy.{next(iter(wrong))} must be"):
            CachePolicy(**wrong)


def test_request_keeps_its_policy() -> None:
    first = Conversation(system=LONG).user("Hi")
    req = first.request(model=OPUS, max_tokens=10, cache="auto")
    nxt = req.with_conversation(first.assistant("Hello").user("More"))
    assert nxt.cache == CachePolicy()
    assert marks(nxt)[-1][0] == "/messages/2/content/0"
    assert req.replace(max_tokens=20).cache == CachePolicy()
    assert req.replace(cache=None).breakpoints == ()
    assert req.without("cache").cache is None
    params = req.params()
    assert params["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral"}  # type: ignore[index]


# -- the lookback: a turn that adds many blocks ----------------------------------------------------


@pytest.mark.parametrize("calls", [1, 5, 9, 15])
def test_every_turn_reads_the_previous_one(calls: int) -> None:
    convs = tool_loop(6, calls)
    reqs = [c.request(model=OPUS, max_tokens=100, cache="auto", thinking=THINK) for c in convs]
    for before, after in itertools.pairwise(reqs):
        p = convo.predict_cache(before, after)
        assert p.hit and p.missed_tokens == 0 and p.reason is None, p.note
        assert p.read_tokens == max(b.tokens for b in before.breakpoints)


def test_every_request_reads_the_previous_one_across_pause_turn_continuations() -> None:
    """A continuation is a second assistant message (§3.10): the request after it reads what
    the continuation request wrote at the end of the paused message, however wide the turn."""
    tools = [{"type": "web_search_20250305", "name": "web_search"}]

    def searches(turn: int, n: int) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        for j in range(n):
            use_id = f"srvtoolu_{turn}_{j}"
            result = [
                {
                    "type": "web_search_result",
                    "url": f"https://e.com/{j}",
                    "title": "t",
                    "encrypted_content": "abc" * 50,
                }
            ]
            blocks.append(
                {"type": "server_tool_use", "id": use_id, "name": "web_search", "input": {"query": f"q{j}"}}
            )
            blocks.append({"type": "web_search_tool_result", "tool_use_id": use_id, "content": result})
        return blocks

    def response(blocks: list[dict[str, Any]], stop: str) -> dict[str, Any]:
        usage = {"input_tokens": 1, "output_tokens": 1}
        return {
            "type": "message",
            "role": "assistant",
            "content": blocks,
            "stop_reason": stop,
            "usage": usage,
        }

    convs = [Conversation(system=LONG, tools=tools).user("Research X.")]
    convs.append(convs[-1].reply(response(searches(0, 6), "pause_turn")))
    convs.append(convs[-1].reply(response(searches(1, 12), "pause_turn")))
    convs.append(
        convs[-1]
        .reply(response([*searches(2, 12), {"type": "text", "text": "Done."}], "end_turn"))
        .user("More?")
    )
    reqs = [c.request(model=OPUS, max_tokens=100, cache="auto") for c in convs]
    for before, after in itertools.pairwise(reqs):
        p = convo.predict_cache(before, after)
        assert p.hit and p.missed_tokens == 0, p.note


@pytest.mark.parametrize(
    "beta",
    [
        {"type": "fallback", "from": {"model": "claude-opus-5"}, "to": {"model": "claude-opus-4-8"}},
        {
            "type": "mcp_tool_listing",
            "mcp_server_name": "gh",
            "tools": [{"name": "search", "input_schema": {}}],
        },
        {"type": "hologram", "frames": [1, 2]},  # a type newer than this release: it may take none
    ],
)
def test_no_mark_on_a_block_whose_type_may_have_no_cache_control(beta: dict[str, Any]) -> None:
    conv = Conversation(system=LONG).user("Look it up.").assistant([beta, {"type": "text", "text": "Found."}])
    req = conv.user("And the next one?").request(
        model=OPUS, max_tokens=9, cache=CachePolicy(long_pauses=True)
    )
    assert "/messages/1/content/0" not in [b.path for b in req.breakpoints]
    assert "/messages/1/content/1" in [b.path for b in req.breakpoints]


def test_a_parameter_set_to_its_default_changes_nothing() -> None:
    """§5.9: "Setting a parameter explicitly to its default equals omitting it"; §4.8: display
    defaults to omitted on Opus 5 (and summarized on the 4.6 models)."""
    conv = Conversation(system=LONG * 4).user("Hi").assistant("Hello.").user("More.")
    for model, display in (("claude-opus-5", "omitted"), ("claude-opus-4-6", "summarized")):
        plain = conv.request(model=model, max_tokens=9, cache="auto", thinking={"type": "adaptive"})
        explicit = plain.replace(thinking={"type": "adaptive", "display": display})
        p = convo.predict_cache(plain, explicit)
        assert p.hit and p.missed_tokens == 0 and p.reason is None, p.note
    changed = plain.replace(thinking={"type": "adaptive", "display": "omitted"})
    assert convo.predict_cache(plain, changed).reason == "unavailable"


def test_a_citations_toggle_or_a_new_image_loses_what_section_5_9_says() -> None:
    """§5.9: a citations toggle invalidates the system prompt and messages; adding an image, the messages."""
    doc = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": LONG}}
    first = Conversation(system=LONG).user([doc, {"type": "text", "text": "Summarize."}])
    cited = Conversation(system=LONG).user(
        [{**doc, "citations": {"enabled": True}}, {"type": "text", "text": "Summarize."}]
    )
    reqs = [c.request(model=OPUS, max_tokens=9, cache="auto") for c in (first, cited)]
    p = convo.predict_cache(*reqs)
    assert (p.hit, p.reason, p.path) == (False, "messages_changed", "/messages/0/content/0"), p.note
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png_b64(8, 8)}}
    grown = first.assistant("A summary.").user([image, {"type": "text", "text": "And this?"}])
    p = convo.predict_cache(reqs[0], grown.request(model=OPUS, max_tokens=9, cache="auto"))
    system = reqs[0].breakpoints[0]
    assert (p.read_tokens, p.reason, p.path) == (system.tokens, "unavailable", "/messages/2/content/0"), (
        p.note
    )


def test_an_image_in_a_fetched_document_is_an_image_added() -> None:
    """§5.9 "adding or removing images anywhere": in a web_fetch result's document too."""
    image = {"type": "image", "source": {"type": "url", "url": "https://x.org/a.png"}}
    fetched = DOC(type="content", content=[{"type": "text", "text": "Page."}, image])
    call = [
        {
            "type": "server_tool_use",
            "id": "srvtoolu_1",
            "name": "web_fetch",
            "input": {"url": "https://x.org"},
        },
        {
            "type": "web_fetch_tool_result",
            "tool_use_id": "srvtoolu_1",
            "content": {"type": "web_fetch_result", "url": "https://x.org", "content": fetched},
        },
        {"type": "text", "text": "Fetched."},
    ]
    first = Conversation(system=LONG).user("Fetch it.")
    grown = first.assistant(call).user("Go on.")
    p = convo.predict_cache(
        first.request(model=OPUS, max_tokens=9, cache="auto"),
        grown.request(model=OPUS, max_tokens=9, cache="auto"),
    )
    assert (p.reason, p.path) == ("unavailable", "/messages/1/content/1/content/content/source/content/1")


def test_automatic_caching_misses_past_the_lookback() -> None:
    convs = tool_loop(2, 12)
    reqs = [
        c.request(model=OPUS, max_tokens=100, cache_control={"type": "ephemeral"}, thinking=THINK)
        for c in convs
    ]
    p = convo.predict_cache(reqs[1], reqs[2])
    assert not p.hit and p.reason is None
    assert "within 20 positions" in p.note
    ours = [c.request(model=OPUS, max_tokens=100, cache="auto", thinking=THINK) for c in convs]
    assert "/messages/2/content/11" in [b.path for b in ours[2].breakpoints]  # the bridge
    assert convo.predict_cache(ours[1], ours[2]).hit


def test_placement_is_stable_turn_to_turn() -> None:
    """Earlier messages are marked the same way (or not at all) as the conversation grows."""
    convs = tool_loop(5, 3)
    bodies = [json.loads(convo.place_cache(c, model=OPUS)) for c in convs]
    for before, after in itertools.pairwise(bodies):
        assert unmarked(before["messages"]) == unmarked(after["messages"][: len(before["messages"])])


# -- prediction ------------------------------------------------------------------------------------


def _req(conv: Conversation, **kw: Any) -> convo.Request:
    return conv.request(model=kw.pop("model", OPUS), max_tokens=kw.pop("max_tokens", 100), cache="auto", **kw)


def test_prediction_reasons() -> None:
    tools = [{"name": "read", "input_schema": {"type": "object"}}]
    base = Conversation(system=LONG, tools=tools).user("one").assistant("two").user("three")
    prev = _req(base)
    grown = _req(base.assistant("four").user("five"))
    assert convo.predict_cache(prev, grown).reason is None
    other_tools = Conversation(system=LONG, tools=[{**tools[0], "description": "x"}]).user("one")
    cases = [
        (_req(base, model="claude-opus-4-7"), "model_changed", "/model"),
        (_req(other_tools), "tools_changed", "/tools/0"),
        (_req(Conversation(system=LONG + "!", tools=tools).user("one")), "system_changed", "/system/0"),
        (_req(base, thinking={"type": "adaptive"}), "unavailable", "/thinking"),
        (
            _req(Conversation(system=LONG, tools=tools).user("one").assistant("TWO").user("three")),
            "messages_changed",
            "/messages/1/content",
        ),
        (_req(Conversation(system=LONG, tools=tools).user("one")), "messages_changed", "/messages/1"),
    ]
    for nxt, reason, path in cases:
        p = convo.predict_cache(prev, nxt)
        assert (p.reason, p.path) == (reason, path), p.note
    edited = convo.predict_cache(prev, cases[4][0])
    assert edited.hit and edited.read_tokens < prev.breakpoints[-1].tokens  # reads the system prompt
    assert edited.missed_tokens > 0
    assert not convo.predict_cache(prev, cases[0][0]).hit


@pytest.mark.parametrize(
    ("model", "default"),
    [
        (OPUS, {"tool_choice": {"type": "auto"}}),
        (OPUS, {"tool_choice": {"type": "auto", "disable_parallel_tool_use": False}}),
        (OPUS, {"thinking": {"type": "disabled"}}),  # off by default
        ("claude-opus-5", {"thinking": {"type": "adaptive"}}),  # on by default
        (OPUS, {"speed": "standard"}),
    ],
)
def test_a_parameter_set_to_its_default_reads_the_cache(model: str, default: dict[str, Any]) -> None:
    """§5.9: setting a parameter explicitly to its default equals omitting it."""
    conv = Conversation(system=LONG, tools=[{"name": "read", "input_schema": {"type": "object"}}])
    conv = conv.user("one").assistant("two").user("three")
    p = convo.predict_cache(_req(conv, model=model), _req(conv, model=model, **default))
    assert p.reason is None and p.missed_tokens == 0, p.note


@pytest.mark.parametrize(
    ("given", "reordered"),
    [
        (
            {"thinking": {"type": "enabled", "budget_tokens": 2048}},
            {"budget_tokens": 2048, "type": "enabled"},
        ),
        ({"tool_choice": {"type": "tool", "name": "read"}}, {"name": "read", "type": "tool"}),
    ],
)
def test_a_parameter_with_its_fields_in_another_order_reads_the_cache(
    given: dict[str, Any], reordered: dict[str, Any]
) -> None:
    """§5.9 keys the cache on a parameter's value (its mode, its budget...), not on the order
    its fields were written in."""
    conv = Conversation(system=LONG, tools=[{"name": "read", "input_schema": {"type": "object"}}])
    conv = conv.user("one").assistant("two").user("three")
    (name,) = given
    model = "claude-sonnet-4-5"  # thinking 'enabled' and a forced tool_choice apart, as §4.9 asks
    first = _req(conv, model=model, max_tokens=4096, **given)
    p = convo.predict_cache(first, _req(conv, model=model, max_tokens=4096, **{name: reordered}))
    assert p.reason is None and p.missed_tokens == 0, p.note


@pytest.mark.parametrize(("model", "keeps"), [("claude-sonnet-4-5", False), ("claude-sonnet-4-6", True)])
def test_a_new_user_turn_after_thinking_loses_the_messages_on_older_models(model: str, keeps: bool) -> None:
    """§5.9: on models that drop earlier turns' thinking (§4.10), a user turn that is not only
    tool results changes the prompt from the first thinking block it drops."""
    thinking = {"type": "thinking", "thinking": "Let me look. " * 50, "signature": "EqQBCkYIBxgC" + "A" * 200}
    call = {"type": "tool_use", "id": "toolu_1", "name": "read", "input": {"path": "a"}}
    tools = [{"name": "read", "input_schema": {"type": "object"}}]
    loop = Conversation(system=LONG, tools=tools).user("Go.").assistant([thinking, call])
    loop = loop.tool_results({"toolu_1": "file contents " * 100})
    params: dict[str, Any] = {"model": model, "thinking": {"type": "enabled", "budget_tokens": 1024}}
    if model == "claude-sonnet-4-6":
        params["thinking"] = {"type": "adaptive"}
    prev = _req(loop, max_tokens=4096, **params)
    nxt = _req(loop.assistant("Done. " * 30).user("Another question."), max_tokens=4096, **params)
    p = convo.predict_cache(prev, nxt)
    if keeps:
        assert p.reason is None and p.missed_tokens == 0, p.note
    else:
        assert (p.reason, p.path) == ("messages_changed", "/messages/1/content/0"), p.note
        assert p.hit and p.read_tokens == prev.breakpoints[0].tokens  # the tools and system prompt
        assert "drops earlier turns' thinking" in p.note


def test_a_body_that_names_no_model_is_predicted_as_sent_to_the_model_given() -> None:
    """A conversation placed with place_cache names no model: with model= it is the request
    the next one follows, not a model switch (§5.9)."""
    first = Conversation(system=LONG).user("Hi")
    placed = convo.place_cache(first, model=OPUS)
    nxt = first.assistant("Hello").user("More").request(model=OPUS, max_tokens=9, cache="auto")
    p = convo.predict_cache(placed, nxt, model=OPUS)
    assert (p.hit, p.reason, p.read_tokens) == (True, None, convo.cache_breakpoints(placed)[-1].tokens), (
        p.note
    )
    p = convo.predict_cache(placed, nxt, model="claude-opus-4-7")  # a body's own model is kept
    assert p.reason == "model_changed"


def test_prediction_of_expiry_and_minimum() -> None:
    prev = _req(Conversation(system=LONG).user("one"))
    nxt = _req(Conversation(system=LONG).user("one").assistant("two").user("three"))
    assert convo.predict_cache(prev, nxt, elapsed=299).hit
    late = convo.predict_cache(prev, nxt, elapsed=301)
    assert not late.hit and "expired" in late.note and late.write_tokens > 0
    hour = CachePolicy(ttl="1h")
    assert convo.predict_cache(
        _req(Conversation(system=LONG).user("one")).replace(cache=hour), nxt.replace(cache=hour), elapsed=3000
    ).hit
    short = Conversation(system="Be brief.").user("one")
    auto = {"type": "ephemeral"}
    p = convo.predict_cache(
        short.request(model=OPUS, max_tokens=5, cache_control=auto),
        short.assistant("x").user("y").request(model=OPUS, max_tokens=5, cache_control=auto),
    )
    assert not p.hit and "minimum" in p.note
    assert p.input_tokens > 0 and p.cost == p.input_tokens


def test_prediction_counts_add_up() -> None:
    prev = _req(Conversation(system=LONG).user("one"))
    nxt = _req(Conversation(system=LONG).user("one").assistant("two " * 50).user("three"))
    p = convo.predict_cache(prev, nxt)
    total = max(b.tokens for b in nxt.breakpoints)
    assert p.read_tokens + p.write_tokens == total and p.input_tokens == 0
    assert p.cost == pytest.approx(0.1 * p.read_tokens + 1.25 * p.write_tokens)


# -- properties ------------------------------------------------------------------------------------

policies = st.builds(
    CachePolicy,
    ttl=st.sampled_from(["5m", "1h"]),
    max_breakpoints=st.integers(0, 4),
    bridge=st.integers(1, 20),
    anchor=st.booleans(),
    long_pauses=st.booleans(),
    move_user_marks=st.booleans(),
    min_tokens=st.integers(0, 60),
)


@given(wire_conversations(max_turns=8), policies, st.sampled_from([None, "5m", "1h"]))
def test_placement_is_always_legal(wire: dict[str, Any], policy: CachePolicy, automatic: str | None) -> None:
    body = dict(wire)
    if automatic is not None:
        body["cache_control"] = {"type": "ephemeral", "ttl": automatic}
    before = convo.check(body)
    assume(not [p for p in before.errors if p.code.startswith("cache")])
    placed = convo.place_cache(body, policy=policy)
    report = convo.check(placed)
    assert not [p for p in report.errors if p.code.startswith("cache")], report.errors
    assert len(convo.cache_breakpoints(placed)) <= 4
    assert unmarked(json.loads(placed)) == unmarked(json.loads(msgspec.json.encode(body)))
    if not policy.move_user_marks:  # the user's marks are all still there, unchanged
        ours = {(b.path, b.ttl) for b in convo.cache_breakpoints(placed)}
        theirs = {(b.path, b.ttl) for b in convo.cache_breakpoints(body)}
        assert theirs <= ours or (automatic == "1h" and {p for p, _ in theirs} <= {p for p, _ in ours})


@settings(max_examples=max(10, settings().max_examples // 2))
@given(
    conversations(min_turns=2, max_turns=8),
    st.data(),
    policies,
    st.sampled_from([1.0, 200.0, 400.0, 4000.0]),  # the simulator's requests follow each other
)
def test_prediction_agrees_with_the_simulator(
    conv: Conversation, data: st.DataObject, policy: CachePolicy, elapsed: float
) -> None:
    n = len(conv.messages)
    cut = data.draw(st.integers(1, n - 1), label="cut")
    prev_body: dict[str, Any] = json.loads(conv.to_json())
    prev_body["messages"] = prev_body["messages"][:cut]
    next_body: dict[str, Any] = json.loads(conv.to_json())
    changes = ["grow", "model", "system", "edit", "thinking", "image", "citations"]
    change = data.draw(st.sampled_from(changes), label="change")
    # models that keep earlier turns' thinking, and models that drop it (§4.10, §5.9)
    model = data.draw(st.sampled_from([OPUS, "claude-haiku-4-5", "claude-sonnet-4-5"]), label="model")
    next_body["model"] = prev_body["model"] = model
    if change == "model":
        next_body["model"] = "claude-opus-4-7"
    elif change == "system":
        next_body["system"] = "A different system prompt."
    elif change == "edit":
        next_body["messages"][0] = {"role": next_body["messages"][0]["role"], "content": "edited"}
    elif change == "thinking":
        next_body["thinking"] = {"type": "adaptive"}
    elif change in ("image", "citations"):  # appended, but §5.9: messages (and system) invalidated
        block = {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": png_b64(8, 8)},
        }
        if change == "citations":
            block = {
                **DOC(type="text", media_type="text/plain", data="Notes."),
                "citations": {"enabled": True},
            }
        next_body["messages"].append({"role": "user", "content": [block, {"type": "text", "text": "And?"}]})
        if next_body["messages"][-2]["role"] == "user":
            next_body["messages"].insert(-1, {"role": "assistant", "content": "Go on."})
        assume(convo.check(next_body).valid)  # not after a pending tool call
    auto = data.draw(st.booleans(), label="automatic")
    minimum = policy.min_tokens or 0
    placed = []
    for body in (prev_body, next_body):
        body = json.loads(convo.place_cache(body, policy=policy))
        if auto and len(convo.cache_breakpoints(body)) < 4:
            body["cache_control"] = {"type": "ephemeral", "ttl": policy.ttl}
            if convo.check(body).errors:
                del body["cache_control"]
        placed.append(body)
    # The simulator keys a mark nested in a block (a tool_result's content, ...) by the prefix to
    # the end of the outer block; convo, as §5.6 says, by the prefix ending at the marked block:
    # a few tokens apart.  Those are held to §5.6 by test_a_nested_mark_* tests instead.
    assume(all(len(b.path.split("/")) <= 5 for body in placed for b in convo.cache_breakpoints(body)))
    usage = sim.simulate([(0.0, placed[0]), (elapsed, placed[1])], minimum=minimum, tokens=convo_tokens)[1]
    p = convo.predict_cache(placed[0], placed[1], elapsed=elapsed, min_tokens=minimum)
    assert (p.read_tokens, p.write_tokens - p.write_1h_tokens, p.write_1h_tokens, p.input_tokens) == (
        usage.read,
        usage.write_5m,
        usage.write_1h,
        usage.uncached,
    ), p.note
    assert p.hit == (usage.read > 0)
    cited = b'"citations":{"enabled":true}' in msgspec.json.encode(prev_body)  # toggled on already
    if change != "grow" and not (change == "citations" and cited):
        assert p.reason is not None, p.note


def test_simulator_sessions_are_legal_and_convo_leads_automatic() -> None:
    """A small run of the benchmark: convo's marks pass check, and it is never dearer."""
    rng = random.Random(3)
    session = sim.agent(rng, 12)
    assert sim.cost(session, sim.convo_auto) < sim.cost(session, sim.automatic)
    assert sim.cost(session, sim.convo_auto) <= 1.05 * sim.best(session, beam=16)


@pytest.mark.parametrize("strategy", ["auto", "automatic", "tail", "pauses"])
@pytest.mark.parametrize("calls", [2, 9, 14])
def test_prediction_agrees_with_the_simulator_on_tool_loops(strategy: str, calls: int) -> None:
    place = {
        "auto": sim.convo_auto,
        "automatic": sim.automatic,
        "tail": sim.single_tail,
        "pauses": sim.convo_pauses,
    }[strategy]
    bodies = [
        place(json.loads(c.request(model=OPUS, max_tokens=9, thinking=THINK).body()))
        for c in tool_loop(4, calls)
    ]
    for elapsed in (10.0, 600.0):
        for before, after in itertools.pairwise(bodies):
            usage = sim.simulate([(0.0, before), (elapsed, after)], tokens=convo_tokens)[1]
            p = convo.predict_cache(before, after, elapsed=elapsed)
            got = (p.read_tokens, p.write_tokens - p.write_1h_tokens, p.write_1h_tokens, p.input_tokens)
            assert got == (usage.read, usage.write_5m, usage.write_1h, usage.uncached), p.note


# -- pauses: the hold chain and pre-warming --------------------------------------------------------


@pytest.mark.parametrize("calls", [2, 9, 14])
def test_a_hold_is_read_after_a_pause_even_after_wide_rounds(calls: int) -> None:
    """With long_pauses, a request sent half an hour after the previous one reads that one's
    hold, however many parallel calls the round had (the hold stays within the lookback)."""
    policy = CachePolicy(long_pauses=True)
    bodies = [
        c.request(model=OPUS, max_tokens=9, thinking=THINK, cache=policy).body() for c in tool_loop(5, calls)
    ]
    for before, after in itertools.pairwise(bodies):
        hold = max(b.tokens for b in convo.cache_breakpoints(before) if b.ttl == "1h")
        p = convo.predict_cache(before, after, elapsed=1800)
        assert p.hit and p.read_tokens >= hold, p.note


@pytest.mark.parametrize("calls", [2, 9, 14, 30])
def test_with_two_slots_left_long_pauses_still_reads_the_previous_request(calls: int) -> None:
    """The user's 1h marks on the tools and the system prompt leave convo two slots: after a
    turn past the lookback the second is the bridge, not the hold, or the request would read
    nothing the previous one wrote (§5.6)."""
    mark = {"type": "ephemeral", "ttl": "1h"}
    bodies = []
    for conv in tool_loop(4, calls):
        body = json.loads(conv.request(model=OPUS, max_tokens=9, thinking=THINK).body())
        body["tools"][0]["cache_control"] = mark
        body["system"] = [{"type": "text", "text": body["system"], "cache_control": mark}]
        bodies.append(convo.place_cache(body, policy=CachePolicy(long_pauses=True)))
    for before, after in itertools.pairwise(bodies):
        wrote = max(b.tokens for b in convo.cache_breakpoints(before))
        p = convo.predict_cache(before, after)
        assert p.hit and p.read_tokens == wrote, p.note


def chat_pause(answer: str = ("A cache for conversations. " * 20).strip()) -> Conversation:
    return Conversation(system=LONG).user("What is it?").assistant(answer)


def test_prewarm_body() -> None:
    conv = chat_pause()
    body = json.loads(convo.prewarm(conv, model=OPUS))
    assert body["model"] == OPUS and body["max_tokens"] == 0
    assert unmarked(body["messages"][:-1]) == unmarked(json.loads(conv.to_json())["messages"])
    assert body["messages"][-1] == {"role": "user", "content": "."}
    assert marks(json.dumps(body).encode()) == [("/messages/1/content/0", "1h", "user")]
    report = convo.check(json.dumps(body).encode())
    assert report.valid, report.errors
    asked = Conversation(system=LONG).append(conv.messages[0])
    sent = json.loads(asked.request(model=OPUS, max_tokens=99, thinking=THINK, cache="auto").body())
    sent["messages"].append(conv.messages[1].to_dict())  # the answer
    answered = {**sent, "stream": True, "cache_control": {"type": "ephemeral"}}
    warm = json.loads(convo.prewarm(answered, placeholder="(waiting)"))
    assert warm["thinking"] == THINK and "stream" not in warm and "cache_control" not in warm
    assert warm["messages"][-1]["content"] == "(waiting)"
    assert marks(json.dumps(warm).encode()) == [("/messages/1/content/0", "1h", "user")]  # its own only
    again = json.loads(convo.prewarm(conv, model=OPUS, thinking=THINK, placeholder="(waiting)"))
    assert unmarked(again["messages"]) == unmarked(warm["messages"]) and again["thinking"] == THINK
    with pytest.raises(convo.InvalidArgument, match="not as parameters"):
        convo.prewarm(conv, model=OPUS, system="Other.")


def test_prewarm_keeps_the_conversation_over_a_pause() -> None:
    """Sent 270 s after the last request, the pre-warm reads what it wrote and writes the answer
    for an hour: the reply half an hour later reads everything but itself."""
    conv = chat_pause()
    first = conv.messages[0]
    sent = Conversation(system=LONG).append(first).request(model=OPUS, max_tokens=9, cache="auto").body()
    warm = convo.prewarm(conv, model=OPUS)
    reply = conv.user("And how much does it save?").request(model=OPUS, max_tokens=9, cache="auto").body()
    usage = sim.simulate([(0.0, json.loads(sent)), (270.0, json.loads(warm)), (1800.0, json.loads(reply))])
    assert usage[1].read > 0 and usage[1].write_1h > 0 and usage[1].write_5m == 0
    assert usage[2].read == usage[1].read + usage[1].write_1h  # all but the new question
    cold = sim.simulate([(0.0, json.loads(sent)), (1800.0, json.loads(reply))])
    assert cold[1].read == 0
    assert sum(u.cost for u in usage) < sum(u.cost for u in cold)
    p = convo.predict_cache(warm, reply, elapsed=1800 - 270)
    assert p.hit and p.read_tokens > 0


def test_prewarm_bridges_a_long_answer() -> None:
    answer = [{"type": "text", "text": f"Part {i}. " * 5} for i in range(25)]
    conv = Conversation(system=LONG).user("Explain it all.").assistant(answer)
    body = convo.prewarm(conv, model=OPUS)
    assert marks(body) == [("/messages/0/content/0", "1h", "user"), ("/messages/1/content/24", "1h", "user")]


@pytest.mark.parametrize("answer_blocks", [3, 25])
def test_a_long_reply_after_a_prewarm_reads_what_it_wrote(answer_blocks: int) -> None:
    """A person's reply of 20 blocks or more (pasted notes, images) cannot look back from its end
    to the answer's, where the pre-warm wrote: a bridge there reads it (in one mark with the
    bridge to the previous request when the answer is short, in a mark of its own otherwise)."""
    answer = [{"type": "text", "text": f"Part {i}. " * 30} for i in range(answer_blocks)]
    conv = Conversation(system=LONG).user("Explain it all.").assistant(answer)
    sent = (
        Conversation(system=LONG)
        .user("Explain it all.")
        .request(model=OPUS, max_tokens=9, cache="auto")
        .body()
    )
    warm = convo.prewarm(conv, model=OPUS)
    notes = [{"type": "text", "text": f"Note {i}: " + "more detail " * 20} for i in range(25)]
    reply = conv.user(notes).request(model=OPUS, max_tokens=9, cache="auto")
    assert f"/messages/1/content/{answer_blocks - 1}" in [b.path for b in reply.breakpoints]
    requests = [(0.0, json.loads(sent)), (270.0, json.loads(warm)), (1800.0, json.loads(reply.body()))]
    usage = sim.simulate(requests, tokens=convo_tokens)
    assert usage[2].read == usage[1].read + usage[1].write_1h  # everything up to the reply
    p = convo.predict_cache(warm, reply, elapsed=1800 - 270)
    assert p.hit and p.read_tokens == usage[2].read
    # without a pre-warm, within five minutes, the same reply reads the previous request's entry
    quick = sim.simulate([(0.0, json.loads(sent)), (60.0, json.loads(reply.body()))])
    assert quick[1].read == sim.simulate([(0.0, json.loads(sent))])[0].write_5m


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"thinking": {"type": "enabled", "budget_tokens": 2048}}, "thinking of type 'enabled'"),
        ({"output_config": {"format": {"type": "json_schema", "schema": {}}}}, "output_config.format"),
        ({"tool_choice": {"type": "any"}}, "tool_choice 'any'"),
    ],
)
def test_prewarm_refuses_what_it_cannot_carry(params: dict[str, Any], match: str) -> None:
    body = {"model": OPUS, "max_tokens": 9, **params, **json.loads(chat_pause().to_json())}
    with pytest.raises(convo.InvalidArgument, match=match):
        convo.prewarm(body)


def test_prewarm_needs_an_answer_a_model_a_placeholder_and_enough_tokens() -> None:
    with pytest.raises(convo.InvalidArgument, match="end with an assistant turn"):
        convo.prewarm(Conversation(system=LONG).user("Hi"), model=OPUS)
    with pytest.raises(convo.InvalidArgument, match="needs a model"):
        convo.prewarm(chat_pause())
    with pytest.raises(convo.InvalidArgument, match="non-whitespace"):
        convo.prewarm(chat_pause(), model=OPUS, placeholder="  ")
    with pytest.raises(convo.InvalidArgument, match="cache minimum"):
        convo.prewarm(Conversation().user("Hi").assistant("Hello"), model=OPUS)
    asking = (
        Conversation(system=LONG)
        .user("Hi")
        .assistant(
            [
                {"type": "text", "text": "Let me look."},
                {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}},
            ]
        )
    )
    with pytest.raises(convo.InvalidArgument, match="tool_use awaiting its result"):  # §3.1
        convo.prewarm(asking, model=OPUS)
    search = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "x"}}
    paused = {
        "model": OPUS,
        "max_tokens": 99,
        "tools": [{"type": "web_search_20250305", "name": "web_search"}],
        "system": LONG,
        "messages": [
            {"role": "user", "content": "Search."},
            {"role": "assistant", "content": [{"type": "text", "text": "Searching."}, search]},
        ],
    }
    with pytest.raises(convo.InvalidArgument, match="paused turn"):  # §3.10: it goes back last
        convo.prewarm(paused)
    with pytest.raises(convo.InvalidArgument, match="'metadata' is not JSON data"):
        convo.prewarm(chat_pause(), model=OPUS, metadata=object())


@pytest.mark.parametrize(
    "arguments",
    [
        {"elapsed": "60"},
        {"elapsed": -1},
        {"elapsed": float("nan")},
        {"min_tokens": "1024"},
    ],
)
def test_predict_cache_refuses_arguments_of_the_wrong_type(arguments: dict[str, Any]) -> None:
    req = chat_pause().user("Go on.").request(model=OPUS, max_tokens=9)
    with pytest.raises(convo.InvalidArgument):
        convo.predict_cache(req, req, **arguments)


def test_prewarm_costs_nothing_without_pauses_and_saves_with_them() -> None:
    quiet = sim.chat(random.Random(3), 8)
    assert sim.with_prewarm(quiet) == [(t, sim.convo_auto(b)) for t, b in quiet]  # never sent
    paused = sim.chat(random.Random(3), 8, pauses=True)
    warmed = sim.with_prewarm(paused)
    assert len(warmed) > len(paused)
    assert sim.cost(paused, placed=warmed) < sim.cost(paused, sim.convo_auto)


# -- command line ----------------------------------------------------------------------------------


def test_cli_build_and_show_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from convo._cli import main

    path = tmp_path / "conv.json"
    path.write_bytes(Conversation(system=LONG).user("Summarize.").to_json())
    assert main(["build", str(path), "--model", OPUS, "--max-tokens", "99", "--cache", "auto"]) == 0
    body = capsys.readouterr().out.encode()
    assert marks(body) == [("/system/0", "5m", "user"), ("/messages/0/content/0", "5m", "user")]
    assert main(["build", str(path), "--model", OPUS, "--max-tokens", "99"]) == 0
    assert marks(capsys.readouterr().out.encode()) == []
    assert main(["show", str(path), "--cache", "auto", "--model", OPUS]) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.search(r"^system .*\[cache 5m convo, ~[\d,]+ tokens\]$", out[0]), out[0]
    assert re.search(r"Summarize\. \[cache 5m convo, ~[\d,]+ tokens\]$", out[-2]), out[
        -2
    ]  # the last line is the token total
    assert main(["show", str(path)]) == 0
    assert "[cache" not in capsys.readouterr().out
    assert main(["build", str(path), "--model", OPUS, "--max-tokens", "99", "--cache", "always"]) == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "role",
                    "content",
                    "type",
                    "text",
                    "messages",
                    "system",
                    "tools",
                    "cache_control",
                    "ttl",
                    "model",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(st.one_of(json_values, invalid_conversations().map(lambda pair: pair[0]), st.binary(max_size=60)))
def test_any_input_ends_in_a_result_or_a_convo_error(data: Any) -> None:
    for call in (
        lambda: convo.place_cache(data, policy=CachePolicy(min_tokens=0)),
        lambda: convo.cache_breakpoints(data),
        lambda: convo.predict_cache(data, data, min_tokens=0),
    ):
        try:
            call()
        except convo.ConvoError:
            pass


def test_a_model_that_is_not_an_id_is_refused() -> None:
    body = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    for call in (
        lambda: convo.place_cache(body, model=5),  # type: ignore[arg-type]
        lambda: convo.cache_breakpoints(body, model=5),  # type: ignore[arg-type]
        lambda: convo.prewarm(body, model=5),  # type: ignore[arg-type]
        lambda: convo.predict_cache(body, body, model=5),  # type: ignore[arg-type]
    ):
        with pytest.raises(convo.InvalidArgument, match="model must be a model id"):
            call()
