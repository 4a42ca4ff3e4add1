"""Structured-output schemas (``output_config.format`` and strict tools): the keywords the API refuses."""

from __future__ import annotations

import datetime
import decimal
import enum
import pathlib
import uuid
from typing import Any, Literal

import pydantic
import pytest
from anthropic.lib._parse._transform import SupportedStringFormats, transform_schema

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
    """The errors of a body whose strict tools take these input schemas, one tool each."""
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
    ("keyword", "schema"),
    [
        ("minimum", {"type": "integer", "minimum": 1}),
        ("maximum", {"type": "number", "maximum": 1}),
        ("exclusiveMinimum", {"type": "number", "exclusiveMinimum": 0}),
        ("exclusiveMaximum", {"type": "number", "exclusiveMaximum": 0}),
        ("multipleOf", {"type": "integer", "multipleOf": 2}),
        ("maxItems", {"type": "array", "items": {"type": "string"}, "maxItems": 3}),
        ("uniqueItems", {"type": "array", "items": {"type": "string"}, "uniqueItems": True}),
        ("contains", {"type": "array", "contains": {"type": "string"}}),
        ("minProperties", {**closed(a={"type": "string"}), "minProperties": 1}),
        ("maxProperties", {**closed(a={"type": "string"}), "maxProperties": 1}),
    ],
)
def test_a_constraint_keyword_is_refused(keyword: str, schema: dict[str, Any]) -> None:
    # 400 "tools.1.custom: For 'integer' type, properties maximum, minimum are not supported"
    # (CherryHQ/cherry-studio#18037); "For 'array' type, property 'maxItems' is not supported"
    # (agentjido/req_llm#706); "... property 'uniqueItems' is not supported" (BerriAI/litellm#33981)
    assert output_errors(closed(x=schema)) == [
        ("output-schema-unsupported", f"/output_config/format/schema/properties/x/{keyword}")
    ]
    assert strict_tool_errors(closed(x=schema)) == [
        ("tool-schema-unsupported", f"/tools/0/input_schema/properties/x/{keyword}")
    ]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$"},
        {"type": ["string", "null"]},
        {"type": "array", "items": {"type": "integer"}, "minItems": 1},
        {"type": "integer", "description": "at least 1", "default": 1, "title": "n"},
    ],
)
def test_keywords_structured_outputs_accept_are_not_reported(schema: dict[str, Any]) -> None:
    assert output_errors(closed(x=schema)) == []
    assert strict_tool_errors(closed(x=schema)) == []


def test_a_tool_that_is_not_strict_may_use_any_keyword() -> None:
    body = {
        "tools": [
            {"name": "lookup", "input_schema": closed(n={"type": "integer", "minimum": 1, "maximum": 9})}
        ],
        "messages": [{"role": "user", "content": "Hi"}],
    }
    assert not convo.check(body).errors


@pytest.mark.parametrize(
    ("keyword", "schema"),
    [
        ("not", {"type": "string", "not": {"const": "x"}}),
        ("if", {**closed(s={"type": "string"}), "if": {"properties": {"s": {"const": "a"}}}, "then": {}}),
        ("propertyNames", {**closed(s={"type": "string"}), "propertyNames": {"maxLength": 3}}),
        ("oneOf", {"oneOf": [{"type": "string"}, {"type": "integer"}]}),
    ],
)
def test_a_condition_keyword_or_one_of_is_refused(keyword: str, schema: dict[str, Any]) -> None:
    # 400 "Schema keyword 'not' is not supported", "For 'object' type, property 'if' is not
    # supported", "... property 'propertyNames' is not supported" (United-Codes/uc_ai); the
    # SDK's transform_schema turns oneOf into anyOf (vercel/ai convert-oneOf-to-anyOf.ts: the
    # API does not support oneOf)
    assert output_errors(closed(x=schema)) == [
        ("output-schema-unsupported", f"/output_config/format/schema/properties/x/{keyword}")
    ]
    assert strict_tool_errors(closed(x=schema)) == [
        ("tool-schema-unsupported", f"/tools/0/input_schema/properties/x/{keyword}")
    ]


def test_a_strict_tool_with_a_top_level_one_of_is_reported_once() -> None:
    schema = {**closed(a={"type": "string"}), "oneOf": [{"required": ["a"]}]}
    assert strict_tool_errors(schema) == [("tool-schema-unsupported", "/tools/0/input_schema/oneOf")]


def test_a_string_format_outside_the_supported_ones_is_refused() -> None:
    # 400 "For 'string' type, format 'phone' is not supported" (United-Codes/uc_ai); the SDK's
    # transform_schema keeps only its SupportedStringFormats
    schema = closed(phone={"type": "string", "format": "phone"}, mail={"type": "string", "format": "email"})
    assert output_errors(schema) == [
        ("output-schema-unsupported", "/output_config/format/schema/properties/phone/format")
    ]
    assert strict_tool_errors(schema) == [
        ("tool-schema-unsupported", "/tools/0/input_schema/properties/phone/format")
    ]


def test_every_format_the_sdk_keeps_is_accepted() -> None:
    for form in sorted(SupportedStringFormats):
        assert output_errors(closed(x={"type": "string", "format": form})) == [], form


def test_an_object_or_array_in_an_enum_is_refused() -> None:
    # the structured-outputs docs: "complex types within enums" are not supported (400); the
    # SDK's transform_schema keeps an enum only when every value is a string, number, boolean
    # or null
    schema = closed(x={"enum": ["a", 1, None, {"b": 2}, [3]]})
    assert output_errors(schema) == [
        ("output-schema-unsupported", "/output_config/format/schema/properties/x/enum/3"),
        ("output-schema-unsupported", "/output_config/format/schema/properties/x/enum/4"),
    ]
    assert strict_tool_errors(closed(x={"enum": ["a", True, 1.5]})) == []


def test_a_recursive_schema_is_refused() -> None:
    # 400 "Circular reference detected in schema definitions: __schema0 -> __schema0.
    # Self-referencing or mutually-referencing definitions are not supported"
    # (egonSchiele/agency-lang#487); the docs list recursive schemas as unsupported
    node = closed(kids={"type": "array", "items": {"$ref": "#/$defs/Node"}})
    assert output_errors({**closed(root={"$ref": "#/$defs/Node"}), "$defs": {"Node": node}}) == [
        ("output-schema-unsupported", "/output_config/format/schema/$defs/Node/properties/kids/items/$ref")
    ]
    assert strict_tool_errors(closed(parent={"anyOf": [{"$ref": "#"}, {"type": "null"}]})) == [
        ("tool-schema-unsupported", "/tools/0/input_schema/properties/parent/anyOf/0/$ref")
    ]
    mutual = {"A": closed(b={"$ref": "#/$defs/B"}), "B": closed(a={"$ref": "#/$defs/A"})}
    assert output_errors({**closed(a={"$ref": "#/$defs/A"}), "$defs": mutual}) == [
        ("output-schema-unsupported", "/output_config/format/schema/$defs/B/properties/a/$ref")
    ]


def test_a_ref_used_twice_is_not_recursion() -> None:
    place = closed(city={"type": "string"})
    schema = {
        **closed(
            home={"$ref": "#/$defs/Place"}, work={"$ref": "#/$defs/Place"}, alias={"$ref": "#/$defs/Home"}
        ),
        "$defs": {"Place": place, "Home": {"$ref": "#/$defs/Place"}},
    }
    assert output_errors(schema) == []


def test_a_ref_to_another_document_is_refused() -> None:
    # the docs: external $ref (e.g. 'http://...') is not supported
    assert output_errors(closed(a={"$ref": "https://example.com/place.json"})) == [
        ("output-schema-unsupported", "/output_config/format/schema/properties/a/$ref")
    ]


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Point(pydantic.BaseModel):
    x: float = pydantic.Field(ge=0, le=10, multiple_of=0.5)
    y: int = pydantic.Field(gt=0, lt=100)


class Cat(pydantic.BaseModel):
    kind: Literal["cat"]
    lives: int = 9


class Dog(pydantic.BaseModel):
    kind: Literal["dog"]
    good: bool = True


class Everything(pydantic.BaseModel):
    """A model with a field of every kind pydantic makes a schema for."""

    name: str = pydantic.Field(min_length=1, max_length=10, pattern="^[a-z]+$")
    tags: list[str] = pydantic.Field(min_length=2, max_length=5)
    unique: set[int]
    frozen: frozenset[str]
    when: datetime.datetime
    day: datetime.date
    hour: datetime.time
    lasts: datetime.timedelta
    ident: uuid.UUID
    money: decimal.Decimal
    raw: bytes
    color: Color
    literal: Literal["a", "b", 1]
    maybe: Point | None = None
    union: int | str | Point
    pet: Cat | Dog = pydantic.Field(discriminator="kind")
    counts: dict[str, int]
    pair: tuple[int, str]
    numbers: tuple[int, ...]
    grid: list[list[Point]]
    url: pydantic.AnyUrl
    address: pydantic.IPvAnyAddress
    secret: pydantic.SecretStr
    where: pathlib.Path
    only: Literal["only"] = "only"


@pytest.mark.parametrize("model", [Everything, Point, Cat])
def test_every_schema_the_sdk_makes_from_a_pydantic_model_passes(model: type[pydantic.BaseModel]) -> None:
    schema = transform_schema(model)
    assert output_errors(schema) == []
    assert strict_tool_errors(schema) == []
