"""convo.testing generates the shapes convo's newer checks look at, and mutates them into one error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, settings

import convo
from convo.testing import wire_conversations


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
