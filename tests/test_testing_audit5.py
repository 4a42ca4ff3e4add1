"""Invalid examples built from conversations with the newer shapes: ``role: "system"`` messages
(api-rules §1.2, §1.3), tool changes (§1.13) and toolset exchanges (§3.7).  With
``invalid_conversations(system_messages=, tool_changes=, toolsets=)`` on, every rule's example
still breaks exactly that rule; off, the examples are the ones made before the flags."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import convo
from convo import Conversation
from convo.testing import BREAKABLE_RULES, Broken, invalid_conversations
from tests.test_properties import REQUEST_LEVEL, _pairs

NEW_SHAPES = {"system_messages": True, "tool_changes": True, "toolsets": True}

A_FEW = settings(max_examples=max(5, settings().max_examples // 20))
"""For the test over every rule: a twentieth of the profile's examples each."""
SOME = settings(max_examples=max(20, settings().max_examples // 5))
"""For the tests of the rules one fix is about: a fifth of the profile's examples each."""


def _with_new_shapes(
    rule: str, shapes: dict[str, bool] = NEW_SHAPES
) -> st.SearchStrategy[tuple[dict[str, Any], Broken]]:
    return invalid_conversations(rule=rule, **shapes)


def _breaks_exactly(rule: str, case: tuple[dict[str, Any], Broken]) -> None:
    wire, broken = case
    assert broken.code == rule
    assert _pairs(convo.check(wire).errors) == broken.expected
    assert _pairs(convo.check(msgspec.json.encode(wire)).errors) == broken.expected
    if rule != "input-unreadable" and rule not in REQUEST_LEVEL:
        with pytest.raises(convo.ValidationError) as info:
            Conversation.from_wire(wire)
        assert _pairs(info.value.errors) == broken.expected


@pytest.mark.parametrize("rule", BREAKABLE_RULES)
@A_FEW
@given(data=st.data())
def test_every_rule_is_broken_alone_with_the_new_shapes_on(rule: str, data: st.DataObject) -> None:
    _breaks_exactly(rule, data.draw(_with_new_shapes(rule), label="case"))


# The rules each fix was about, with more examples than the sweep above gives them.


@pytest.mark.parametrize(
    "rule",
    [
        "cache-control-too-many",  # appends a user turn after trailing system messages (§1.3)
        "server-tool-unfinished",
        "thinking-budget-too-small",
        "tool-result-extra-content",
        "tool-use-unanswered",  # answers pending toolset calls: results echo toolset_name (§3.7)
        "tool-choice-forced-unsupported",
        "tool-invalid",
    ],
)
@SOME
@given(data=st.data())
def test_a_user_turn_is_appended_where_the_api_takes_it(rule: str, data: st.DataObject) -> None:
    _breaks_exactly(rule, data.draw(_with_new_shapes(rule), label="case"))


@pytest.mark.parametrize(
    "rule",
    [
        "prefill-with-thinking",
        "system-message-unsupported",
        "thinking-final-while-disabled",
        "images-too-many",
        "many-images-too-large",
        "pdf-pages-too-many",
    ],
)
@SOME
@given(data=st.data())
def test_a_model_that_refuses_system_messages_gets_none(rule: str, data: st.DataObject) -> None:
    wire, broken = data.draw(_with_new_shapes(rule), label="case")
    _breaks_exactly(rule, (wire, broken))
    if rule != "system-message-unsupported":
        assert all(m["role"] != "system" for m in wire["messages"])


@pytest.mark.parametrize(
    "rule",
    [
        "image-dimensions-too-large",  # never an image of a toolset result (image-oversized)
        "tool-name-duplicate",  # a toolset entry has no name to take
        "tool-name-invalid",  # tool changes naming the renamed tool follow it (§1.13)
        "tool-result-search-mixed",  # search results go in a custom tool's result only
    ],
)
@settings(max_examples=max(40, settings().max_examples // 2))
@given(data=st.data())
def test_the_mutators_leave_toolsets_and_tool_changes_valid(rule: str, data: st.DataObject) -> None:
    _breaks_exactly(rule, data.draw(_with_new_shapes(rule), label="case"))


@settings(max_examples=max(200, 2 * settings().max_examples))
@given(_with_new_shapes("tool-use-id-duplicate", {"toolsets": True}))
def test_a_duplicate_id_is_shared_with_a_call_of_the_same_toolset(
    case: tuple[dict[str, Any], Broken],
) -> None:
    # the results of both calls still echo their toolset_name (§3.7)
    _breaks_exactly("tool-use-id-duplicate", case)


def test_the_flags_off_give_the_examples_made_without_them() -> None:
    made: dict[str, list[bytes]] = {"default": [], "off": []}

    def collect(strategy: st.SearchStrategy[Any], into: list[bytes]) -> None:
        @seed(19)
        @settings(max_examples=30, database=None, derandomize=False, phases=[Phase.generate])
        @given(strategy)
        def run(case: tuple[dict[str, Any], Broken]) -> None:
            into.append(msgspec.json.encode(case[0]) + repr(case[1]).encode())

        run()

    collect(invalid_conversations(), made["default"])
    off = dict.fromkeys(NEW_SHAPES, False)
    collect(invalid_conversations(**off), made["off"])
    assert made["default"] == made["off"]


@pytest.mark.parametrize("flag", sorted(NEW_SHAPES))
def test_a_flag_that_is_not_a_bool_is_refused(flag: str) -> None:
    with pytest.raises(InvalidArgument, match=flag):
        invalid_conversations(**{flag: "yes"})
