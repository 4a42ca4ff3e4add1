"""Structured-output schema checks, second audit: subschemas under every keyword, ``$id``, hostile schemas."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .test_schema_keywords import closed, output_errors, strict_tool_errors

BOUNDED = {"type": "integer", "minimum": 1}


@pytest.mark.parametrize(
    ("schema", "where"),
    [
        ({**closed(), "patternProperties": {"^a": BOUNDED}}, "/patternProperties/^a"),
        ({**closed(), "dependentSchemas": {"a": BOUNDED}}, "/dependentSchemas/a"),
        ({**closed(), "dependencies": {"a": BOUNDED, "b": ["a"]}}, "/dependencies/a"),
        (
            closed(x={"type": "array", "prefixItems": [{"type": "string"}, BOUNDED]}),
            "/properties/x/prefixItems/1",
        ),
        (closed(x={"type": "array", "items": [BOUNDED]}), "/properties/x/items/0"),
        (
            closed(x={"type": "array", "items": [], "additionalItems": BOUNDED}),
            "/properties/x/additionalItems",
        ),
    ],
)
def test_a_refused_keyword_is_found_under_any_subschema_keyword(schema: dict[str, Any], where: str) -> None:
    # "For 'integer' type, properties maximum, minimum are not supported" (CherryHQ/cherry-studio#18037):
    # the API refuses minimum in every schema it reads, wherever that schema is nested
    assert output_errors(schema) == [
        ("output-schema-unsupported", f"/output_config/format/schema{where}/minimum")
    ]
    assert strict_tool_errors(schema) == [
        ("tool-schema-unsupported", f"/tools/0/input_schema{where}/minimum")
    ]


def test_a_schema_for_additional_properties_is_looked_through_too() -> None:
    schema = {"type": "object", "additionalProperties": {"type": "object", "properties": {"n": BOUNDED}}}
    assert output_errors(schema) == [
        ("output-schema-unsupported", "/output_config/format/schema"),
        ("output-schema-unsupported", "/output_config/format/schema/additionalProperties"),
        (
            "output-schema-unsupported",
            "/output_config/format/schema/additionalProperties/properties/n/minimum",
        ),
    ]


def test_a_recursive_ref_under_additional_properties_is_found() -> None:
    # 400 "Circular reference detected in schema definitions" (egonSchiele/agency-lang#487)
    tree = {"type": "object", "additionalProperties": {"$ref": "#/$defs/Tree"}}
    assert output_errors({**closed(t={"$ref": "#/$defs/Tree"}), "$defs": {"Tree": tree}}) == [
        ("output-schema-unsupported", "/output_config/format/schema/$defs/Tree"),
        ("output-schema-unsupported", "/output_config/format/schema/$defs/Tree/additionalProperties/$ref"),
    ]


@pytest.mark.parametrize(
    ("schema", "keyword"),
    [
        (closed(x={"not": BOUNDED}), "not"),
        (closed(x={"type": "array", "contains": BOUNDED}), "contains"),
        (closed(x={**closed(), "if": BOUNDED, "then": BOUNDED, "else": BOUNDED}), "if"),
        (closed(x={**closed(), "propertyNames": {"minimum": 1}}), "propertyNames"),
    ],
)
def test_what_is_under_a_refused_keyword_goes_with_it(schema: dict[str, Any], keyword: str) -> None:
    assert output_errors(schema) == [
        ("output-schema-unsupported", f"/output_config/format/schema/properties/x/{keyword}")
    ]


def test_a_ref_to_an_id_inside_the_schema_is_not_to_another_document() -> None:
    # the docs refuse an external $ref; "http://x/a" names a schema of this one (JSON Schema
    # 2020-12, $id), so the ref is local
    place = {"$id": "https://example.com/place", **closed(city={"type": "string"})}
    schema = {
        **closed(
            home={"$ref": "https://example.com/place"},
            city={"$ref": "https://example.com/place#/properties/city"},
        ),
        "$defs": {"Place": place},
    }
    assert output_errors(schema) == []
    assert output_errors(closed(a={"$ref": "https://example.com/other"})) == [
        ("output-schema-unsupported", "/output_config/format/schema/properties/a/$ref")
    ]


def test_a_ref_to_an_id_that_leads_back_is_recursion() -> None:
    # 400 "Circular reference detected in schema definitions" (egonSchiele/agency-lang#487)
    node = {"$id": "urn:node", **closed(kids={"type": "array", "items": {"$ref": "urn:node"}})}
    assert output_errors({**closed(root={"$ref": "urn:node"}), "$defs": {"Node": node}}) == [
        ("output-schema-unsupported", "/output_config/format/schema/$defs/Node/properties/kids/items/$ref")
    ]


def test_a_pointer_below_an_id_is_not_read_from_the_root() -> None:
    # below "$id": "urn:a", "#/$defs/A" is A's own string definition, not the root's A that
    # holds it: no loop
    inner = {"$id": "urn:a", "$defs": {"A": {"type": "string"}}, **closed(k={"$ref": "#/$defs/A"})}
    assert output_errors({**closed(a={"$ref": "#/$defs/A"}), "$defs": {"A": inner}}) == []


@pytest.mark.parametrize("bound", [True, False, "1", [1]])
def test_min_items_that_is_not_the_number_0_or_1_is_refused(bound: object) -> None:
    # 400 "For 'array' type, 'minItems' values other than 0 or 1 are not supported"
    # (ghostlobster/memorize-everything#93): JSON true is not 1
    schema = closed(tags={"type": "array", "items": {"type": "string"}, "minItems": bound})
    assert output_errors(schema) == [
        ("output-schema-unsupported", "/output_config/format/schema/properties/tags/minItems")
    ]
    assert output_errors(closed(tags={"type": "array", "minItems": 1.0})) == []


def nested(depth: int, wrap: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": 1}
    for _ in range(depth):
        schema = wrap(schema)
    return schema


def chain(length: int, last: dict[str, Any]) -> dict[str, Any]:
    definitions: dict[str, Any] = {f"d{k}": {"$ref": f"#/$defs/d{k + 1}"} for k in range(length)}
    return {**closed(a={"$ref": "#/$defs/d0"}), "$defs": {**definitions, f"d{length}": last}}


HOSTILE = [
    *(
        nested(depth, wrap)
        for depth in (400, 2_000)  # deeper than the checks look, and than convo reads
        for wrap in [
            lambda s: closed(a=s),
            lambda s: {"type": "array", "items": s},
            lambda s: {"anyOf": [s, {"type": "null"}]},
            lambda s: {"type": "object", "additionalProperties": s},
            lambda s: {"type": "array", "prefixItems": [s]},
        ]
    ),
    chain(10_000, {"type": "string"}),
    chain(10_000, {"$ref": "#/$defs/d0"}),
    *(
        {**closed(a={"$ref": ref}), "$defs": {"a~b": {"type": "string"}, "a/b": {"$ref": "#/$defs/a~0b"}}}
        for ref in [
            "#/$defs/a~0b",
            "#/$defs/a~1b",
            "#/$defs/a%7Eb",
            "#/%24defs/a~1b",
            "#/~",
            "#/%zz",
            "#/~2",
            "#//",
        ]
    ),
    *(closed(a={"$ref": ref}) for ref in [5, None, True, [], {"$ref": "#"}]),
    {"type": "object", "properties": [{"minimum": 1}], "additionalProperties": False},
    closed(a={"enum": {"a": [1]}}, b={"enum": "a"}),
    closed(a=True, b=False, c={"items": True, "additionalProperties": False, "not": True}),
    {**closed(), "$defs": [{"minimum": 1}], "$id": 5, "patternProperties": [], "dependentSchemas": None},
    {"type": "object", "additionalProperties": False, "properties": {"a": {"$id": "urn:a", "$ref": "urn:a"}}},
]


@pytest.mark.parametrize("schema", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_schema_ends_in_a_report_never_an_exception(schema: dict[str, Any]) -> None:
    # 2,000 levels are more than convo reads: input-unreadable, a report too
    assert {code for code, _ in output_errors(schema)} <= {"output-schema-unsupported", "input-unreadable"}
    strict_tool_errors(schema)


KEYWORDS = ["type", "properties", "items", "prefixItems", "additionalProperties", "patternProperties", "$ref"]
KEYWORDS += ["$defs", "$id", "anyOf", "not", "if", "then", "enum", "minItems", "format", "dependentSchemas"]
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
WORDS = st.sampled_from(
    ["object", "array", "string", "#", "#/$defs/a", "#/properties/a", "urn:a", "http://x"]
)
JSON = st.recursive(
    SCALARS | WORDS | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYWORDS) | st.text(max_size=3), inner, max_size=5)
    ),
    max_leaves=30,
)


@given(JSON)
def test_any_json_as_a_schema_ends_in_a_report_never_an_exception(schema: object) -> None:
    output_errors(schema)
    strict_tool_errors(schema)
    if isinstance(schema, dict):
        around = {**closed(a=schema), "$defs": {"a": schema}}
        output_errors(around)
        strict_tool_errors(around)
