"""The valid strategies make the shapes the validator checks beyond the first ones: tool changes in
``role: "system"`` messages and compactions (api-rules §1.13), and computer and browser toolset
exchanges, browser_state included (api-rules §3.7), behind the ``tool_changes`` and ``toolsets``
flags (off by default)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import convo
from convo import Conversation
from convo.testing import conversations, wire_conversations
from tests.test_properties import _build, _readers_agree

BETA = ["mid-conversation-tool-changes-2026-07-01"]

NEW_SHAPES = wire_conversations(
    images=False,  # slow to make, and not what these tests look at
    system_messages=st.booleans(),
    tool_changes=st.booleans(),
    toolsets=st.booleans(),
)


def _objects(value: Any) -> list[dict[str, Any]]:
    """Every object in ``value``, at any depth."""
    if isinstance(value, dict):
        return [value, *(o for v in value.values() for o in _objects(v))]
    if isinstance(value, list):
        return [o for v in value for o in _objects(v)]
    return []


def _types(wire: dict[str, Any]) -> set[str]:
    return {o["type"] for o in _objects(wire) if isinstance(o.get("type"), str)}


def _in_system_message(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda w: any(m["role"] == "system" and kind in _types({"m": m["content"]}) for m in w["messages"])


SHAPES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "tool_addition of a declared tool": lambda w: any(
        m["role"] == "system"
        and any(
            b.get("type") == "tool_addition" and b["tool"]["type"] == "tool_reference" for b in m["content"]
        )
        for m in w["messages"]
    ),
    "tool_removal": _in_system_message("tool_removal"),
    "mcp_tool_reference": _in_system_message("mcp_tool_reference"),
    "mcp_toolset_reference": _in_system_message("mcp_toolset_reference"),
    "inline tool_definition": _in_system_message("tool_definition"),
    "compaction with tool_changes": lambda w: any(
        o.get("type") == "compaction" and o["tool_changes"] for o in _objects(w["messages"])
    ),
    "browser_state with tabs": lambda w: any(
        o.get("type") == "browser_state" and o["tabs"] for o in _objects(w["messages"])
    ),
    "computer toolset exchange": lambda w: any(
        o.get("type") == "tool_result" and o.get("toolset_name") == "computer"
        for o in _objects(w["messages"])
    ),
}
"""The shapes of §1.13 and §3.7 the flags bring, each found in some example."""


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_flags_make_every_shape(shape: str) -> None:
    wire = find(
        wire_conversations(images=False, tool_changes=True, toolsets=True),
        SHAPES[shape],
        settings=settings(phases=[Phase.generate], max_examples=1000, database=None),
    )
    assert convo.check(wire).problems == ()
    assert Conversation.from_wire(wire).to_json() == msgspec.json.encode(wire)


@given(NEW_SHAPES)
def test_examples_with_the_beta_shapes_check_clean_and_read_back_exactly(wire: dict[str, Any]) -> None:
    assert convo.check(wire).problems == ()
    assert convo.check(wire, betas=BETA).problems == ()
    conv = Conversation.from_wire(wire)
    assert conv.to_json() == msgspec.json.encode(wire)
    assert conv.check().problems == ()
    assert not any(isinstance(b, convo.OpaqueBlock) for m in conv.messages for b in m.blocks)
    _readers_agree(wire)
    _readers_agree(msgspec.json.encode(wire))


@given(NEW_SHAPES)
def test_examples_with_the_beta_shapes_build_turn_by_turn(wire: dict[str, Any]) -> None:
    built = _build(wire)
    assert built == Conversation.from_wire(wire)
    assert built.to_json() == msgspec.json.encode(wire)


@given(conversations(images=False, tool_changes=True, toolsets=True))
def test_conversations_take_the_new_flags(conv: Conversation) -> None:
    assert convo.check(conv.to_json()).problems == ()


def test_toolset_calls_are_declared_and_answered_in_kind() -> None:
    """Each toolset member call has its toolset entry in ``tools``, and its result echoes the
    toolset_name and holds a browser_state only when a browser action succeeded (§3.7)."""

    @settings(max_examples=50, database=None)
    @given(wire_conversations(images=False, toolsets=True))
    def check(wire: dict[str, Any]) -> None:
        declared = {t.get("type") for t in wire.get("tools", ())}
        calls = {
            o["id"]: o["toolset_name"]
            for o in _objects(wire["messages"])
            if "toolset_name" in o and o["type"] == "tool_use"
        }
        assert {f"{name}_toolset_20260801" for name in calls.values()} <= declared
        for result in _objects(wire["messages"]):
            if result.get("type") == "tool_result" and result["tool_use_id"] in calls:
                assert result["toolset_name"] == calls[result["tool_use_id"]]
                states = [b for b in result["content"] if b["type"] == "browser_state"]
                assert len(states) <= (result["toolset_name"] == "browser" and not result.get("is_error"))
                for state in states:  # exactly one tab active, when any is open
                    assert [tab["active"] for tab in state["tabs"]].count(True) == min(1, len(state["tabs"]))

    check()


@given(st.data())
def test_the_new_flags_are_off_by_default(data: st.DataObject) -> None:
    wire = data.draw(wire_conversations(images=False, system_messages=True), label="wire")
    assert not _types(wire) & {"tool_addition", "tool_removal", "compaction", "browser_state"}
    assert not any("toolset_name" in o for o in _objects(wire))


@pytest.mark.parametrize("flag", ["tool_changes", "toolsets"])
def test_a_flag_that_is_not_a_bool_is_refused(flag: str) -> None:
    with pytest.raises(Exception, match=f"{flag} must be a bool"):
        wire_conversations(**{flag: "yes"})
