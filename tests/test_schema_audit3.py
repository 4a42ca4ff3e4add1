"""Structured-output schema checks, third audit: ``type`` lists, and the documented complexity limits."""

from __future__ import annotations

from typing import Any

import pytest

import convo


def output_errors(schema: object) -> list[tuple[str, str]]:
    body = {
        "model": "claude-opus-4-5",
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": "Hi"}],
        "output_config": {"format": {"type": "json_schema", "schema": schema}},
    }
    return [(p.code, p.path) for p in convo.check(body).errors]


def strict_tool_errors(*schemas: object) -> list[tuple[str, str]]:
    body = {
        "tools": [{"name": f"lookup{k}", "strict": True, "input_schema": s} for k, s in enumerate(schemas)],
        "messages": [{"role": "user", "content": "Hi"}],
    }
    return [(p.code, p.path) for p in convo.check(body).errors]


def closed(**properties: Any) -> dict[str, Any]:
    """An object schema structured outputs accept, with these properties."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


@pytest.mark.parametrize(
    ("schema", "where"),
    [
        ({"type": ["object", "null"], "properties": {"x": {"type": "string"}}}, ""),
        ({"type": ["null", "object"], "additionalProperties": True}, ""),
        ({"type": ["array", "null"], "items": {"type": "string"}, "minItems": 3}, "/minItems"),
        ({"type": ["string", "null"], "format": "phone"}, "/format"),
        ({"type": ["string"], "format": "phone"}, "/format"),
    ],
)
def test_a_type_list_gets_the_checks_of_each_type_it_names(schema: dict[str, Any], where: str) -> None:
    # the docs accept type arrays ("type": ["string", "null"] is a union type) and the API's 400s
    # are per type ("For 'object' type, 'additionalProperties' must be explicitly set to false",
    # "For 'array' type, 'minItems' values other than 0 or 1 are not supported", "For 'string'
    # type, format 'phone' is not supported"): a list naming that type gets the same answer
    assert output_errors(closed(a=schema)) == [
        ("output-schema-unsupported", f"/output_config/format/schema/properties/a{where}")
    ]
    assert strict_tool_errors(closed(a=schema)) == [
        ("tool-schema-unsupported", f"/tools/0/input_schema/properties/a{where}")
    ]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": ["object", "null"], "properties": {"x": {"type": "string"}}, "additionalProperties": False},
        {"type": ["array", "null"], "items": {"type": "string"}, "minItems": 1},
        {"type": ["string", "null"], "format": "date-time"},
        {"type": ["integer", "null"], "format": "phone"},  # format is a string keyword
        {"type": ["number", "string"], "minItems": 3},  # minItems is an array keyword
        {"type": [{"type": "object"}, "null"]},  # a draft-3 schema in the list
    ],
)
def test_a_type_list_that_fits_each_of_its_types_passes(schema: dict[str, Any]) -> None:
    assert output_errors(closed(a=schema)) == []
    assert strict_tool_errors(closed(a=schema)) == []
