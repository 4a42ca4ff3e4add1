"""The ``tool`` of a tool_addition or tool_removal has the shape the SDK's params give it
(``BetaRequestToolAdditionBlockParam``, ``BetaToolChange*Param``): a type, and its fields."""

from __future__ import annotations

from typing import Any

import pytest

import convo

BETA = ["mid-conversation-tool-changes-2026-07-01"]


def problems(tool: dict[str, Any], kind: str = "tool_addition") -> list[tuple[str, str]]:
    body = {
        "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}],
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "system", "content": [{"type": kind, "tool": tool}]},
        ],
    }
    return [(p.code, p.path) for p in convo.check(body, betas=BETA).problems]


AT = "/messages/1/content/0/tool"


@pytest.mark.parametrize(
    ("tool", "kind", "expected"),
    [
        ({"name": "get_weather"}, "tool_addition", [("block-malformed", AT)]),
        ({"type": 5, "name": "get_weather"}, "tool_addition", [("block-malformed", AT)]),
        ({"type": "tool_reference"}, "tool_removal", [("block-malformed", f"{AT}/name")]),
        ({"type": "tool_reference", "name": 7}, "tool_addition", [("block-malformed", f"{AT}/name")]),
        (
            {"type": "mcp_tool_reference", "name": "search"},
            "tool_addition",
            [("block-malformed", f"{AT}/server_name")],
        ),
        ({"type": "mcp_toolset_reference"}, "tool_removal", [("block-malformed", f"{AT}/server_name")]),
        (
            {"type": "tool_definition", "definition": {"name": "x", "input_schema": {"type": "object"}}},
            "tool_removal",
            [("block-malformed", AT)],
        ),
        ({"type": "skill_reference", "skill": "pdf"}, "tool_addition", [("block-unknown", AT)]),
    ],
)
def test_a_tool_change_of_the_wrong_shape_is_reported(
    tool: dict[str, Any], kind: str, expected: list[tuple[str, str]]
) -> None:
    assert problems(tool, kind) == expected


@pytest.mark.parametrize(
    ("tool", "kind"),
    [
        ({"type": "tool_reference", "name": "get_weather"}, "tool_addition"),
        ({"type": "tool_reference", "name": "get_weather"}, "tool_removal"),
        ({"type": "mcp_tool_reference", "name": "search", "server_name": "docs"}, "tool_addition"),
        ({"type": "mcp_toolset_reference", "server_name": "docs"}, "tool_removal"),
        (
            {"type": "tool_definition", "definition": {"name": "lookup", "input_schema": {"type": "object"}}},
            "tool_addition",
        ),
    ],
)
def test_every_tool_change_the_sdk_types_checks_clean(tool: dict[str, Any], kind: str) -> None:
    assert problems(tool, kind) == []
