"""convo.testing generates the shapes convo's newer checks look at, and mutates them into one error."""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, settings

import convo
from convo.testing import Broken, invalid_conversations, wire_conversations


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _has(test: Callable[[dict[str, Any]], bool]) -> Callable[[dict[str, Any]], bool]:
    return lambda wire: any(test(obj) for obj in _objects(wire))


SHAPES = {
    "strict tool": _has(lambda o: o.get("strict") is True),
    "code execution output file": _has(lambda o: o.get("type") == "code_execution_output"),
    "web fetch error": _has(lambda o: o.get("type") == "web_fetch_tool_result_error"),
    "web fetch PDF page": _has(
        lambda o: o.get("type") == "web_fetch_result" and o["content"]["source"]["type"] == "base64"
    ),
    "web search page_age": _has(lambda o: o.get("type") == "web_search_result" and o["page_age"] is not None),
    "text editor view of a pdf": _has(lambda o: o.get("file_type") == "pdf"),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_valid_strategy_generates_the_shape_and_it_checks_clean(shape: str) -> None:
    quick = settings(
        max_examples=2000, suppress_health_check=list(HealthCheck), database=None, phases=[Phase.generate]
    )
    wire = find(wire_conversations(max_turns=4), SHAPES[shape], settings=quick)
    assert convo.check(wire).problems == ()


def _case(rule: str, test: Callable[[dict[str, Any], Broken], bool]) -> None:
    quick = settings(
        max_examples=2000, suppress_health_check=list(HealthCheck), database=None, phases=[Phase.generate]
    )
    data, broken = find(invalid_conversations(rule=rule), lambda case: test(*case), settings=quick)
    assert {(p.code, p.path) for p in convo.check(data).errors} == broken.expected


def _at(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for key in path.strip("/").split("/"):
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def test_block_malformed_reaches_the_inner_objects_of_a_server_tool_result() -> None:
    def inside_a_server_result(data: dict[str, Any], broken: Broken) -> bool:
        parts = broken.path.split("/")
        return len(parts) > 6 and _at(data, "/".join(parts[:5]))["type"].endswith("_tool_result")

    _case("block-malformed", inside_a_server_result)


def test_server_tool_result_orphan_reaches_a_result_of_another_kind_than_its_call() -> None:
    def answers_a_call(data: dict[str, Any], broken: Broken) -> bool:
        turn = _at(data, broken.path.rsplit("/", 1)[0])
        result = _at(data, broken.path)
        return any(b.get("id") == result["tool_use_id"] for b in turn)

    _case("server-tool-result-orphan", answers_a_call)


def test_image_oversized_reaches_the_token_cap_of_an_image_within_the_long_edge() -> None:
    def within_the_long_edge(data: dict[str, Any], broken: Broken) -> bool:
        png = base64.b64decode(_at(data, broken.path.split("/transformations")[0])["source"]["data"])
        width, height = struct.unpack(">II", png[16:24])
        return max(width, height) <= 1568

    _case("image-oversized", within_the_long_edge)


def test_a_generated_tool_schema_is_its_own_so_editing_it_leaves_later_examples_valid() -> None:
    nested = _has(lambda o: o.get("type") == "object" and "x" in o.get("properties", {}))  # a strict tool's
    quick = settings(  # a fresh example each time: a derandomized find would hand back the one it cached
        max_examples=2000,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=[Phase.generate],
        derandomize=False,
    )
    for _ in range(3):
        wire = find(wire_conversations(max_turns=2), nested, settings=quick)
        assert convo.check(wire).problems == ()
        for obj in _objects(wire.get("tools")):  # what a mutation like tool-schema-unsupported does
            obj.pop("additionalProperties", None)
