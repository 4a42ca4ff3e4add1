"""Schema rules checked against what the API and the SDK's ``transform_schema`` accept."""

from __future__ import annotations

from typing import Any

import convo


def errors(tool: dict[str, Any]) -> list[tuple[str, str]]:
    body = {"tools": [tool], "messages": [{"role": "user", "content": "Hi"}]}
    return [(p.code, p.path) for p in convo.check(body).errors]


def test_a_strict_tool_needs_closed_objects_at_every_depth() -> None:
    # vercel/ai#20681: 400 "tools.0.custom: For 'object' type, 'additionalProperties' must be
    # explicitly set to false", for the top level and for a nested object
    schema = {
        "type": "object",
        "properties": {"where": {"type": "object"}, "tags": {"type": "array", "minItems": 2}},
    }
    assert errors({"name": "lookup", "strict": True, "input_schema": schema}) == [
        ("tool-schema-unsupported", "/tools/0/input_schema"),
        ("tool-schema-unsupported", "/tools/0/input_schema/properties/where"),
        ("tool-schema-unsupported", "/tools/0/input_schema/properties/tags/minItems"),
    ]
    assert errors({"name": "lookup", "strict": False, "input_schema": schema}) == []
    assert errors({"name": "lookup", "input_schema": schema}) == []


def test_a_strict_tool_with_a_schema_made_by_transform_schema_passes() -> None:
    closed = {
        "type": "object",
        "properties": {
            "where": {"$ref": "#/$defs/Place"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": False,
        "required": ["where"],
        "$defs": {"Place": {"type": "object", "properties": {}, "additionalProperties": False}},
    }
    assert errors({"name": "lookup", "strict": True, "input_schema": closed}) == []
