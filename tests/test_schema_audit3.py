"""Structured-output schema checks, third audit: ``type`` lists, and the documented complexity limits."""

from __future__ import annotations

from typing import Any

import pytest

import convo

from .test_schema_keywords import closed, output_errors, strict_tool_errors


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


def strings(count: int) -> dict[str, Any]:
    return {f"p{k}": {"type": "string"} for k in range(count)}


def nullable(count: int) -> dict[str, Any]:
    return {f"n{k}": {"type": ["string", "null"]} for k in range(count)}


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": strings(25), "additionalProperties": False},
        {
            **closed(**strings(5)),
            "required": ["p0", "deep"],
            "properties": {
                **strings(5),
                "deep": {"type": "object", "properties": strings(21), "additionalProperties": False},
            },
        },
        closed(
            rows={
                "type": "array",
                "items": {"type": "object", "properties": strings(13), "additionalProperties": False},
            },
            pick={
                "anyOf": [
                    {"type": "object", "properties": strings(6), "additionalProperties": False},
                    {"type": "object", "properties": strings(6), "additionalProperties": False},
                ]
            },
        ),
    ],
)
def test_more_than_24_optional_parameters_in_one_schema_is_refused(schema: dict[str, Any]) -> None:
    # structured-outputs docs, "Schema complexity limits": 24 optional parameters (not in
    # required) over all strict schemas of a request; 400 "Schemas contains too many optional
    # parameters (87) ... (limit: 24)" (elie222/inbox-zero#2662)
    assert output_errors(schema) == [("output-schema-unsupported", "/output_config/format/schema")]
    assert strict_tool_errors(schema) == [("tool-schema-unsupported", "/tools/0/input_schema")]


@pytest.mark.parametrize(
    "schema",
    [
        closed(**nullable(17)),
        closed(
            **nullable(10),
            deep=closed(**{f"u{k}": {"anyOf": [{"type": "string"}, {"type": "integer"}]} for k in range(7)}),
        ),
    ],
)
def test_more_than_16_parameters_with_union_types_in_one_schema_is_refused(schema: dict[str, Any]) -> None:
    # structured-outputs docs, "Schema complexity limits": 16 parameters that use anyOf or type
    # arrays over all strict schemas of a request
    assert output_errors(schema) == [("output-schema-unsupported", "/output_config/format/schema")]
    assert strict_tool_errors(schema) == [("tool-schema-unsupported", "/tools/0/input_schema")]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": strings(24), "additionalProperties": False},
        closed(**strings(40)),
        closed(**nullable(16), **strings(30)),
        closed(x={**closed(**strings(30)), "required": [*strings(30), 5, None]}),
        # what $ref, allOf and a required that is not a list make of the count is not told
        {
            **closed(**{f"r{k}": {"$ref": "#/$defs/Wide"} for k in range(3)}),
            "$defs": {"Wide": {"type": "object", "properties": strings(10), "additionalProperties": False}},
        },
        closed(
            x={
                **closed(),
                "allOf": [{"type": "object", "properties": strings(25), "additionalProperties": False}],
            }
        ),
        closed(
            x={"type": "object", "properties": strings(25), "required": "p0", "additionalProperties": False}
        ),
        closed(
            **{f"s{k}": {"type": ["string"]} for k in range(17)},
            **{f"t{k}": {"type": ["string", "string"]} for k in range(17)},
        ),
    ],
)
def test_a_schema_within_the_limits_or_whose_count_is_unsure_passes(schema: dict[str, Any]) -> None:
    assert output_errors(schema) == []
    assert strict_tool_errors(schema) == []


# The limits hold for the request: summed over the output schema and every strict tool's.


def optional(n: int, prefix: str = "o") -> dict[str, Any]:
    """An object schema with ``n`` optional string properties."""
    return {
        "type": "object",
        "properties": {f"{prefix}{k}": {"type": "string"} for k in range(n)},
        "additionalProperties": False,
    }


def test_strict_tools_past_a_limit_together_are_reported_at_the_one_that_passes_it() -> None:
    # 7 + 7 + 7 = 21 optional parameters, then 28: the fourth tool takes the request past 24
    assert strict_tool_errors(*[optional(7)] * 4) == [("tool-schema-unsupported", "/tools/3/input_schema")]
    assert strict_tool_errors(*[optional(6)] * 4) == []  # 24 exactly


def test_an_output_schema_that_takes_the_strict_tools_past_a_limit_is_reported() -> None:
    body = {
        "model": "claude-opus-4-5",
        "max_tokens": 1024,
        "tools": [
            {"name": "lookup", "strict": True, "input_schema": optional(20)},
            {"name": "loose", "input_schema": optional(30)},  # not strict: not counted
        ],
        "messages": [{"role": "user", "content": "Hi"}],
        "output_config": {"format": {"type": "json_schema", "schema": optional(5)}},
    }
    assert [(p.code, p.path) for p in convo.check(body).errors] == [
        ("output-schema-unsupported", "/output_config/format/schema")
    ]
    body["output_config"] = {"format": {"type": "json_schema", "schema": optional(4)}}
    assert convo.check(body).valid


def test_a_request_built_in_python_counts_its_tools_with_its_output_schema() -> None:
    conv = convo.Conversation(tools=[{"name": "lookup", "strict": True, "input_schema": optional(20)}]).user(
        "Hi"
    )
    form = {"format": {"type": "json_schema", "schema": optional(5)}}
    with pytest.raises(convo.ValidationError) as caught:
        conv.request(model="claude-opus-4-5", max_tokens=1024, output_config=form)
    assert [(p.code, p.path) for p in caught.value.errors] == [
        ("output-schema-unsupported", "/output_config/format/schema")
    ]
