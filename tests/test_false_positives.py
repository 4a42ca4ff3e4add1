"""Bodies the API accepts, at the edge of each error rule: ``convo check`` must report no error.

Each case names the line of reference/api-rules.md (or the SDK type) that says the API takes it.
An audit drove ``convo.check`` with these and many more (a randomised sweep of tool loops,
merged turns and breakpoints included) and found no false positive; they stay here so that
tightening a rule cannot start refusing them unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

import convo

from .test_rules import IMG, TOOL, TR, TU, A, S, T, U, png_b64

CC: dict[str, Any] = {"type": "ephemeral"}
CC_1H: dict[str, Any] = {"type": "ephemeral", "ttl": "1h"}
THINK_OMITTED: dict[str, Any] = {"type": "thinking", "thinking": "", "signature": "EqQBCkYIARgCKkD"}
WEB_SEARCH: dict[str, Any] = {"type": "web_search_20250305", "name": "web_search"}
SEARCH_CALL: dict[str, Any] = {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search",
                               "input": {"query": "convo"}}  # fmt: skip
SEARCH_RESULT: dict[str, Any] = {
    "type": "web_search_tool_result",
    "tool_use_id": "srvtoolu_01",
    "content": [],
}


def body(messages: list[dict[str, Any]], model: str = "claude-opus-4-8", **extra: Any) -> dict[str, Any]:
    return {"model": model, "max_tokens": 1024, "messages": messages, **extra}


def big_image(width: int, height: int, **extra: Any) -> dict[str, Any]:
    return {**IMG(png_b64(width, height)), **extra}


ACCEPTED: dict[str, dict[str, Any]] = {
    # §5.1: four breakpoints, the top-level one counted.
    "four breakpoints with the automatic one": body(
        [U([T("a", cache_control=CC), T("b", cache_control=CC)])],
        system=[T("s", cache_control=CC)],
        cache_control=CC,
    ),
    "four breakpoints in tools, system and a nested tool_result": body(
        [U("q"), A([TU()]), U([{**TR(content=[T("r", cache_control=CC)]), "cache_control": CC}])],
        system=[T("s", cache_control=CC)],
        tools=[TOOL(cache_control=CC)],
    ),
    # §5.3, §5.4: 1h before 5m, in tools -> system -> messages order; equal TTLs anywhere.
    "1h then 5m": body([U([T("a", cache_control=CC)])], system=[T("s", cache_control=CC_1H)]),
    "1h everywhere, automatic 1h on a 1h block": body(
        [U([T("a", cache_control=CC_1H)])], tools=[TOOL(cache_control=CC_1H)], cache_control=CC_1H
    ),
    # SDK: cache_control is Optional on every block and at the top level; null is no breakpoint.
    "null markers are not breakpoints": body(
        [U([T(t, cache_control=CC) for t in "abcd"] + [T("e", cache_control=None)])], cache_control=None
    ),
    # §2.3: names up to 64 of [a-zA-Z0-9_-]; tool_use ids of any length and prefix.
    "64-character tool name": body([U("q")], tools=[TOOL("a" * 64)]),
    "long foreign tool_use id": body([U("q"), A([TU("call-" + "x" * 300)]), U([TR("call-" + "x" * 300)])]),
    "server_tool_use id with underscores": body(
        [
            U("q"),
            A(
                [
                    {**SEARCH_CALL, "id": "srvtoolu_a_b_1"},
                    {**SEARCH_RESULT, "tool_use_id": "srvtoolu_a_b_1"},
                    T("x"),
                ]
            ),
            U("k"),
        ],
        tools=[WEB_SEARCH],
    ),
    # §1.6 then §3: merge first, then pair.
    "tool_use split over merged assistant messages": body(
        [U("q"), A([TU("toolu_01")]), A([TU("toolu_02")]), U([TR("toolu_01"), TR("toolu_02")])]
    ),
    "tool_results split over merged user messages, text last": body(
        [U("q"), A([TU("toolu_01"), TU("toolu_02")]), U([TR("toolu_01")]), U([TR("toolu_02"), T("more")])]
    ),
    # §1.11: only the final assistant message may not end in whitespace.
    "trailing whitespace in a non-final assistant turn": body([U("q"), A("yes "), U("ok\n")]),
    "final assistant whose first merged part ends in whitespace": body(
        [U("q"), A("hello "), A("world")], model="claude-sonnet-4-5"
    ),
    # §3.7: an empty result is legal.
    "tool_result without content": body(
        [U("q"), A([TU()]), U([{"type": "tool_result", "tool_use_id": "toolu_01"}])]
    ),
    # §4.1, §4.3: omitted thinking is "", and a tool loop's later messages need not think again.
    "enabled thinking, loop whose later call has no thinking": body(
        [
            U("q"),
            A([THINK_OMITTED, TU("toolu_01")]),
            U([TR("toolu_01")]),
            A([TU("toolu_02")]),
            U([TR("toolu_02")]),
        ],
        model="claude-sonnet-4-5",
        max_tokens=4096,
        thinking={"type": "enabled", "budget_tokens": 1024},
    ),
    "thinking in an earlier turn while thinking is off": body([U("q"), A([THINK_OMITTED, T("x")]), U("k")]),
    # §4.7: Opus 5 refuses disabled only with effort xhigh/max.
    "opus 5 disabled at effort high": body(
        [U("q")], model="claude-opus-5", thinking={"type": "disabled"}, output_config={"effort": "high"}
    ),
    # §1.3: after a user turn or a server tool result, last or before an assistant turn; several merge.
    "system messages after a tool_result, last": body([U("q"), A([TU()]), U([TR()]), S("a"), S([T("b")])]),
    "system message after a server tool result": body(
        [U("q"), A([SEARCH_CALL, SEARCH_RESULT]), S("x"), A("ok"), U("k")], tools=[WEB_SEARCH]
    ),
    # §3.10: a pause_turn continuation ends with the paused assistant message, even where prefill is refused.
    "pause_turn continuation": body([U("q"), A([SEARCH_CALL])], tools=[WEB_SEARCH]),
    # §7.2: 8000 px; more than 20 images at 2000 px; 20 images at 8000 px; oversized ones downscaled.
    "8000x8000 image": body([U([big_image(8000, 8000), T("What is it?")])]),
    "21 images of 2000x2000": body([U([big_image(2000, 2000) for _ in range(21)] + [T("x")])]),
    "20 images of 8000x8000": body([U([big_image(8000, 8000) for _ in range(20)] + [T("x")])]),
    "100 images on a 200k model": body(
        [U([IMG() for _ in range(100)] + [T("x")])], model="claude-sonnet-4-5"
    ),
    "600 images": body([U([IMG() for _ in range(600)] + [T("x")])]),
    "long edge within the high-resolution tier, error asked": body(
        [U([big_image(2576, 1, transformations={"oversized_image": "error"}), T("x")])]
    ),
    # §7.4: whitespace around a non-whitespace character; no count limit.
    "stop sequences": body([U("q")], stop_sequences=["  x  ", "\n\nHuman:"] + [f"s{i}" for i in range(100)]),
    # §7.5: the largest max_tokens per model.
    "max_tokens 128k": body([U("q")], max_tokens=128_000),
    "max_tokens 64k on a 4.5 model": body([U("q")], model="claude-sonnet-4-5", max_tokens=64_000),
    # SDK MessageCreateParams: Optional parameters set to null.
    "null optional parameters": body(
        [U("q")],
        container=None,
        diagnostics={"previous_message_id": None},
        inference_geo=None,
        speed=None,
        metadata={"user_id": None},
        output_config={"effort": None, "format": None},
    ),
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_a_body_the_api_accepts_has_no_error(name: str) -> None:
    report = convo.check(ACCEPTED[name])
    assert report.errors == (), [(p.code, p.path, p.message) for p in report.errors]


@pytest.mark.parametrize(
    "raw",
    [
        r'{"model":"claude-opus-4-8","max_tokens":10,"messages":[{"r\u006fle":"user","content":"\ud83d\ude00"}]}',
        r'{"model":"claude-opus-4-8","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text",'
        r'"text":"a\/b","cache_control":{"type":"ephemeral","ttl":"1\u0068"}}]}]}',
    ],
)
def test_escaped_json_is_read_as_its_value_by_the_cli(raw: str) -> None:
    """JSON escapes in keys and values are the same strings (RFC 8259 §7)."""
    done = subprocess.run(
        [sys.executable, "-m", "convo", "check", "--json", "-"],
        input=raw.encode(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["errors"] == []
