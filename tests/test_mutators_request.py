"""The mutators of ``convo.testing`` for the request rules: every error rule has one but
``messages-too-many``, and their examples shrink to a short conversation."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import Phase, find, given, settings

import convo
from convo._params import MAX_BODY
from convo.testing import BREAKABLE_RULES, Broken, invalid_conversations

MODEL_RULES = (
    "container-missing",
    "effort-unsupported",
    "max-tokens-too-large",
    "prefill-with-thinking",
    "thinking-final-block-missing",
    "thinking-final-while-disabled",
    "thinking-not-first",
    "thinking-type-unsupported",
)
"""Request rules of a body naming a model."""


def test_every_error_rule_but_messages_too_many_has_a_mutator() -> None:
    errors = {code for code, rule in convo.RULES.items() if rule.severity == "error"}
    assert errors - set(BREAKABLE_RULES) == {"messages-too-many"}  # 100,001 messages: not cheap


@pytest.mark.parametrize("rule", [*MODEL_RULES, "cache-control-automatic-ttl", "output-schema-unsupported"])
def test_examples_shrink_to_a_short_conversation(rule: str) -> None:
    shrunk = settings(max_examples=1, database=None, phases=[Phase.generate, Phase.shrink])
    data, broken = find(invalid_conversations(rule=rule), lambda case: True, settings=shrunk)
    assert len(data["messages"]) <= 3
    assert {(p.code, p.path) for p in convo.check(data).errors} == broken.expected
    assert ("model" in data) == (rule in MODEL_RULES)


@settings(max_examples=3)
@given(invalid_conversations(rule="request-too-large"))
def test_a_body_too_large_is_just_over_the_limit(case: tuple[dict[str, Any], Broken]) -> None:
    data, _ = case
    assert MAX_BODY < len(msgspec.json.encode(data)) <= MAX_BODY + 1000
