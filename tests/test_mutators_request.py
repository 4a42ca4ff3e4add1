"""The mutators of ``convo.testing`` for the request rules of a body naming a model: their
examples shrink to a short conversation."""

from __future__ import annotations

import pytest
from hypothesis import Phase, find, settings

import convo
from convo.testing import invalid_conversations

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


@pytest.mark.parametrize("rule", MODEL_RULES)
def test_examples_shrink_to_a_short_conversation(rule: str) -> None:
    shrunk = settings(max_examples=1, database=None, phases=[Phase.generate, Phase.shrink])
    data, broken = find(invalid_conversations(rule=rule), lambda case: True, settings=shrunk)
    assert len(data["messages"]) <= 3
    assert {(p.code, p.path) for p in convo.check(data).errors} == broken.expected
    assert "model" in data
