"""The JSON Schema checker behind ``tool-input-example-invalid`` (convo/_schema.py).

* each keyword it understands passes what fits and fails what does not, at the right path;
* what it cannot decide (``pattern``, ``format``, remote ``$ref``, ...) is never reported, even
  inside ``anyOf``/``oneOf``/``not``;
* hostile schemas and values (deep nesting, ``$ref`` loops, exponential ``anyOf``) end quickly;
* properties: an example generated to fit a generated schema is never reported, and no JSON at
  all makes it raise;
* the rule itself, through ``convo.check`` and ``Conversation.from_wire`` (these tests need the
  rule registered in convo/_rules.py and called from ``Validator.feed_tools``).
"""

from __future__ import annotations

import math
import time
from typing import Annotated, Any, Literal
from urllib.parse import quote

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convo
from convo import Conversation
from convo._schema import MAX_DEPTH, first_failure, input_example_problems

# --- each keyword ---------------------------------------------------------------------------------

OBJ: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city"],
}

PASSES: list[tuple[object, object]] = [
    ({"type": "integer"}, 3),
    ({"type": "integer"}, 3.0),  # 1.0 is an integer (draft 6 and later)
    ({"type": "integer"}, 2**80),
    ({"type": "number"}, 3),
    ({"type": "number"}, 2.5),
    ({"type": "string"}, ""),
    ({"type": "boolean"}, False),
    ({"type": "null"}, None),
    ({"type": "array"}, []),
    ({"type": "object"}, {}),
    ({"type": ["string", "null"]}, None),
    ({"type": ["integer", "string"]}, "x"),
    ({"properties": {"a": {"type": "string"}}}, {"b": 1}),
    ({"properties": {"a": True}}, {"a": 1}),
    ({"required": ["a"]}, {"a": None}),
    ({"required": ["a"]}, "not an object: required does not apply"),
    ({"additionalProperties": False, "properties": {"a": {}}}, {"a": 1}),
    ({"additionalProperties": {"type": "integer"}, "properties": {"a": {}}}, {"a": "x", "b": 2}),
    ({"items": {"type": "integer"}}, [1, 2, 3.0]),
    ({"items": False}, []),
    ({"enum": ["a", 1, None]}, "a"),
    ({"enum": ["a", 1, None]}, 1.0),
    ({"enum": [[1, {"a": True}]]}, [1.0, {"a": True}]),
    ({"const": {"a": [1, 2]}}, {"a": [1, 2.0]}),
    ({"const": None}, None),
    ({"minimum": 5}, 5),
    ({"minimum": 5}, 5.0),
    ({"maximum": 5.5}, 5),
    ({"exclusiveMinimum": 5}, 5.000001),
    ({"exclusiveMaximum": 5}, 4),
    ({"minimum": 5}, "strings have no minimum"),
    ({"minimum": 10**400}, 10**401),
    ({"multipleOf": 3}, 9),
    ({"minLength": 2, "maxLength": 2}, "ab"),
    ({"maxLength": 1}, "🎉"),  # one code point
    ({"minLength": 1}, "é"),
    ({"minItems": 1, "maxItems": 2}, [1, 2]),
    ({"minItems": 2.0}, [1, 2]),
    ({"minProperties": 1, "maxProperties": 1}, {"a": 1}),
    ({"uniqueItems": True}, [1, "1", True, [1], {"a": 1}]),
    ({"uniqueItems": False}, [1, 1]),
    ({"contains": {"type": "string"}}, [1, "x"]),
    ({"allOf": [{"type": "integer"}, {"minimum": 1}]}, 3),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 3),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, 3),
    ({"not": {"type": "string"}}, 3),
    ({"if": {"type": "integer"}, "then": {"minimum": 0}, "else": {"type": "string"}}, 3),
    ({"if": {"type": "integer"}, "then": {"minimum": 0}, "else": {"type": "string"}}, "x"),
    ({"$ref": "#/$defs/city", "$defs": {"city": {"type": "string"}}}, "Paris"),
    ({"title": "t", "description": "d", "default": 1, "examples": [2], "$comment": "c"}, 3),
    (True, 1),
    (OBJ, {"city": "Paris", "days": 3}),
    (OBJ, {"city": "Paris", "extra": [1]}),
]

FAILS: list[tuple[object, object, str, str]] = [
    ({"type": "integer"}, 2.5, "", "expected integer, got number"),
    ({"type": "integer"}, "3", "", "expected integer, got string"),
    ({"type": "number"}, True, "", "expected number, got boolean"),
    ({"type": "integer"}, False, "", "expected integer, got boolean"),
    ({"type": "string"}, None, "", "expected string, got null"),
    ({"type": ["string", "null"]}, 3, "", "expected string or null, got integer"),
    ({"type": "object"}, [], "", "expected object, got array"),
    ({"properties": {"a": {"type": "string"}}}, {"a": 1}, "/a", "expected string, got integer"),
    ({"properties": {"a": False}}, {"a": 1}, "/a", "no value is allowed here"),
    ({"required": ["a", "b"]}, {"a": 1}, "", "missing required property 'b'"),
    (
        {"additionalProperties": False, "properties": {"a": {}}},
        {"a": 1, "b": 2},
        "",
        "property 'b' is not allowed",
    ),
    ({"additionalProperties": {"type": "integer"}}, {"a/b~": "x"}, "/a~1b~0", "expected integer, got string"),
    ({"items": {"type": "integer"}}, [1, "2"], "/1", "expected integer, got string"),
    ({"items": False}, [1], "/0", "no value is allowed here"),
    ({"enum": ["a", 1]}, "b", "", "'b' is not one of the allowed values"),
    ({"enum": [1]}, True, "", "true is not one of the allowed values"),
    ({"enum": [None]}, 0, "", "0 is not one of the allowed values"),
    ({"const": [1, 2]}, [2, 1], "", "must be an array"),
    ({"const": "x"}, "y", "", "must be 'x'"),
    ({"minimum": 5}, 4.5, "", "4.5 is less than the minimum 5"),
    ({"maximum": 5}, 6, "", "6 is more than the maximum 5"),
    ({"exclusiveMinimum": 5}, 5, "", "5 is not more than the exclusive minimum 5"),
    ({"exclusiveMaximum": 5.0}, 5, "", "5 is not less than the exclusive maximum 5.0"),
    ({"maximum": 10**400}, 10**401, "", "a very large integer is more than the maximum a very large integer"),
    ({"multipleOf": 3}, 10, "", "10 is not a multiple of 3"),
    ({"minLength": 3}, "ab", "", "is shorter than 3 characters"),
    ({"maxLength": 1}, "ab", "", "is longer than 1 characters"),
    ({"maxLength": 1}, "🎉🎉", "", "is longer than 1 characters"),
    ({"minItems": 1}, [], "", "has fewer than 1 items"),
    ({"maxItems": 1}, [1, 2], "", "has more than 1 items"),
    ({"minProperties": 1}, {}, "", "has fewer than 1 properties"),
    ({"maxProperties": 0}, {"a": 1}, "", "has more than 0 properties"),
    ({"uniqueItems": True}, [{"a": 1}, {"a": 1.0}], "", "items 0 and 1 are equal, and items must be unique"),
    ({"contains": {"type": "string"}}, [1, 2], "", "has no item that matches 'contains'"),
    ({"contains": {"type": "string"}}, [], "", "has no item that matches 'contains'"),
    ({"allOf": [{"type": "integer"}, {"minimum": 5}]}, 3, "", "3 is less than the minimum 5"),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 3, "", "matches none of the 'anyOf' schemas"),
    ({"oneOf": [{"type": "string"}, {"type": "null"}]}, 3, "", "matches none of the 'oneOf' schemas"),
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 3, "", "matches more than one of the 'oneOf' schemas"),
    ({"not": {"type": "integer"}}, 3, "", "matches the schema under 'not'"),
    ({"if": {"type": "integer"}, "then": {"minimum": 0}}, -1, "", "-1 is less than the minimum 0"),
    ({"if": {"type": "integer"}, "else": {"maxLength": 1}}, "ab", "", "is longer than 1 characters"),
    (
        {"if": {"pattern": "^a"}, "then": {"maxLength": 1}, "else": {"maxLength": 1}},
        "ab",
        "",
        "is longer than 1 characters",
    ),
    ({"$ref": "#/$defs/city", "$defs": {"city": {"type": "string"}}}, 3, "", "expected string, got integer"),
    (
        {"$ref": "#/$defs/a%20b~1c", "$defs": {"a b/c": {"type": "string"}}},
        3,
        "",
        "expected string, got integer",
    ),
    ({"$ref": "#/anyOf/1", "anyOf": [{}, {"type": "string"}]}, 3, "", "expected string, got integer"),
    (False, 1, "", "no value is allowed here"),
    (OBJ, {"days": 3}, "", "missing required property 'city'"),
    (OBJ, {"city": "Paris", "days": "3"}, "/days", "expected integer, got string"),
    (
        {"type": "array", "items": {"type": "object", "properties": {"tags": {"items": {"enum": ["a"]}}}}},
        [{"tags": ["a"]}, {"tags": ["a", "b"]}],
        "/1/tags/1",
        "'b' is not one of the allowed values",
    ),
]


@pytest.mark.parametrize(("schema", "value"), PASSES)
def test_passes(schema: object, value: object) -> None:
    assert first_failure(schema, value) is None


@pytest.mark.parametrize(("schema", "value", "path", "reason"), FAILS)
def test_fails_at_path(schema: object, value: object, path: str, reason: str) -> None:
    assert first_failure(schema, value) == (path, reason)


def test_first_failure_is_reported() -> None:
    schema = {"type": "object", "required": ["a"], "properties": {"b": {"type": "string"}}}
    assert first_failure(schema, {"b": 1}) == ("", "missing required property 'a'")
    assert first_failure({"items": {"type": "string"}}, [1, 2]) == ("/0", "expected string, got integer")


# --- cannot tell ----------------------------------------------------------------------------------

UNDECIDED: list[tuple[object, object]] = [
    ({"pattern": "^[a-z]+$"}, "ABC"),
    ({"format": "email"}, "not an email"),
    ({"format": "int32"}, 2**40),
    ({"type": "string", "contentMediaType": "application/json"}, "{"),
    ({"$ref": "https://example.com/schema.json"}, 3),
    ({"$ref": "#anchor"}, 3),
    ({"$ref": "#/$defs/missing"}, 3),
    ({"$dynamicRef": "#meta", "type": "string"}, "x"),
    ({"$ref": "#/$defs/a", "$defs": {"a": {}}, "type": "string"}, 3),  # draft 7 ignores the sibling
    ({"properties": {"p": {"$id": "other", "$ref": "#/$defs/a"}}, "$defs": {"a": False}}, {"p": 1}),
    ({"patternProperties": {"^x": {"type": "integer"}}, "additionalProperties": False}, {"y": 1}),
    ({"propertyNames": {"maxLength": 1}}, {"long": 1}),
    ({"dependentRequired": {"a": ["b"]}}, {"a": 1}),
    ({"dependencies": {"a": ["b"]}}, {"a": 1}),
    ({"unevaluatedProperties": False}, {"a": 1}),
    ({"prefixItems": [{"type": "string"}]}, [1]),
    ({"items": [{"type": "string"}]}, [1]),  # the positional form of older drafts
    ({"items": {"type": "string"}, "additionalItems": False}, ["a", "b"]),
    ({"contains": {"type": "string"}, "minContains": 0}, [1]),
    ({"multipleOf": 0.1}, 0.3),
    ({"multipleOf": 2}, 3.0),
    ({"type": "string", "nullable": True}, None),  # OpenAPI
    ({"exclusiveMinimum": True, "minimum": 5}, 5),  # draft 4
    ({"minLength": 2}, "🎉"),  # 1 code point, 2 UTF-16 units
    ({"type": "any"}, 3),  # draft 3
    ({"required": True}, {}),  # draft 3
    ({"minimum": "5"}, 3),  # malformed keyword values
    ({"maxLength": -1}, "a"),
    ({"enum": "a"}, "b"),
    ({"anyOf": []}, 1),
    ({"type": []}, 1),
    ({"x-custom": True}, 1),  # an unknown keyword may be a validating extension
    ({"anyOf": [{"type": "string", "pattern": "^a"}, {"type": "null"}]}, "b"),
    ({"oneOf": [{"type": "integer"}, {"format": "x"}]}, 3),
    ({"oneOf": [{"pattern": "^a"}, {"pattern": "^b"}]}, "ab"),
    ({"not": {"pattern": "^a"}}, "ab"),
    ({"not": {"format": "email"}}, "x"),
    ({"if": {"pattern": "^a"}, "then": {"maxLength": 1}}, "ab"),
    ({"enum": [1]}, math.nan),  # not JSON
    ({"type": "array"}, (1, 2)),
    ({"const": (1,)}, [1]),
]


@pytest.mark.parametrize(("schema", "value"), UNDECIDED)
def test_cannot_tell_is_not_reported(schema: object, value: object) -> None:
    assert first_failure(schema, value) is None


def test_undecided_keyword_does_not_hide_a_sure_failure() -> None:
    schema = {"type": "string", "pattern": "^a", "format": "email", "maxLength": 1}
    assert first_failure(schema, "ab") == ("", "is longer than 1 characters")
    assert first_failure({"pattern": "^a", "type": "integer"}, "a") == ("", "expected integer, got string")
    assert first_failure({"anyOf": [{"pattern": "^a", "type": "integer"}, {"type": "null"}]}, "a") == (
        "",
        "matches none of the 'anyOf' schemas",
    )


def test_keywords_of_another_type_do_not_apply() -> None:
    assert first_failure({"pattern": "^a", "type": "integer"}, 3) is None
    assert first_failure({"anyOf": [{"pattern": "^a", "type": "integer"}, {"type": "null"}]}, 3) is None
    assert first_failure({"not": {"propertyNames": {"maxLength": 1}}}, 3) == (
        "",
        "matches the schema under 'not'",
    )


# --- hostile input --------------------------------------------------------------------------------


def _nest(key: str, depth: int, inner: object = True, wrap: bool = False) -> object:
    schema = inner
    for _ in range(depth):
        schema = {key: [schema] if wrap else schema}
    return schema


HOSTILE: dict[str, object] = {
    "items": _nest("items", 100_000),
    "not": _nest("not", 100_001),
    "anyOf": _nest("anyOf", 100_000, wrap=True),
    "allOf": _nest("allOf", 100_000, {"type": "string"}, wrap=True),
    "additionalProperties": _nest("additionalProperties", 100_000, False),
    "ref-root": {"$ref": "#"},
    "ref-self": {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}},
    "ref-anyOf-loop": {"$ref": "#/$defs/a", "$defs": {"a": {"anyOf": [{"$ref": "#/$defs/a"}] * 2}}},
    "ref-doubling": {
        "$ref": "#/$defs/a0",
        "$defs": {f"a{i}": {"anyOf": [{"$ref": f"#/$defs/a{i + 1}"}] * 2} for i in range(40)},
    },
    "items-allOf": {"items": {"allOf": [{"type": "integer"}] * 3_000}},
    "uniqueItems": {"uniqueItems": True},
    "enum": {"enum": [[0] * 50] * 500},
    "const": {"const": _nest("a", 10_000, 1)},
}


@pytest.mark.parametrize("schema", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_schemas_end_quickly(schema: object) -> None:
    deep_value: Any = 1
    for _ in range(10_000):
        deep_value = [deep_value]
    started = time.perf_counter()
    for value in ([[0] * 50] * 3, list(range(3_000)), deep_value, _nest("a", 10_000, 1), "x", 1):
        found = first_failure(schema, value)
        assert found is None or (isinstance(found[0], str) and isinstance(found[1], str))
    assert time.perf_counter() - started < 2


def test_depth_beyond_the_limit_is_undecided() -> None:
    shallow = _nest("items", MAX_DEPTH - 1, {"type": "string"})
    deep = _nest("items", MAX_DEPTH + 1, {"type": "string"})
    value: Any = 1
    for _ in range(MAX_DEPTH + 1):
        value = [value]
    assert first_failure(shallow, value) is not None
    assert first_failure(deep, value) is None


def test_ref_targets_are_checked_once_per_place() -> None:
    """40 levels of doubling anyOf would be 2**40 checks without it; the last level decides."""
    defs: dict[str, Any] = {f"a{i}": {"anyOf": [{"$ref": f"#/$defs/a{i + 1}"}] * 2} for i in range(20)}
    defs["a20"] = {"type": "string"}
    schema = {"$ref": "#/$defs/a0", "$defs": defs}
    assert first_failure(schema, "x") is None
    assert first_failure(schema, 1) == ("", "matches none of the 'anyOf' schemas")


def test_recursive_schema() -> None:
    node = {
        "type": "object",
        "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#"}}},
        "required": ["v"],
    }
    assert first_failure(node, {"v": 1, "kids": [{"v": 2, "kids": [{"v": 3}]}]}) is None
    assert first_failure(node, {"v": 1, "kids": [{"v": 2, "kids": [{"v": "3"}]}]}) == (
        "/kids/0/kids/0/v",
        "expected integer, got string",
    )


# --- input_example_problems -----------------------------------------------------------------------


def _tool(examples: object, schema: object = OBJ, **extra: object) -> dict[str, object]:
    return {"name": "get_weather", "input_schema": schema, "input_examples": examples, **extra}


def test_example_problems() -> None:
    examples = [{"city": "Paris"}, {"days": 1}, {"city": "Lyon", "days": 1.5}, "Paris", [], None]
    assert list(input_example_problems(_tool(examples))) == [
        (1, "missing required property 'city'"),
        (2, "/days: expected integer, got number"),
        (3, "an input example must be an object, not a string"),
        (4, "an input example must be an object, not an array"),
        (5, "an input example must be an object, not null"),
    ]


def test_examples_of_other_tools_are_not_checked() -> None:
    bad = [{"days": 1}]
    assert list(input_example_problems(_tool(bad, type="custom"))) == [
        (0, "missing required property 'city'")
    ]
    assert list(input_example_problems(_tool(bad, type="web_search_20250305"))) == []
    assert list(input_example_problems(_tool(bad, schema="object"))) == []
    assert list(input_example_problems(_tool({"0": {"days": 1}}))) == []
    assert list(input_example_problems({"name": "t", "input_schema": OBJ})) == []
    assert list(input_example_problems(_tool([]))) == []


def test_reasons_are_one_short_line() -> None:
    key = "line\nbreak\u2028" + "k" * 200
    schema = {"type": "object", "properties": {key: {"type": "object", "additionalProperties": False}}}
    [(index, reason)] = input_example_problems(_tool([{key: {key: 1}}], schema))
    assert index == 0
    assert reason.isprintable() and len(reason) < 200, reason
    assert reason.startswith("/line\\nbreak\\u2028kkk")


class Location(msgspec.Struct):
    city: str
    country: str | None = None


class GetWeather(msgspec.Struct, forbid_unknown_fields=True):
    location: Location
    days: Annotated[int, msgspec.Meta(ge=1, le=7)] = 1
    unit: Literal["celsius", "fahrenheit"] = "celsius"


def test_a_typed_tool_schema_with_refs() -> None:
    """The schemas convo.tool makes: nested classes under $defs, reached by $ref."""
    definition = convo.tool(GetWeather).definition()
    definition["input_examples"] = [
        {"location": {"city": "Paris"}, "days": 3},
        {"location": {"city": "Oslo", "country": None}, "unit": "fahrenheit"},
        {"location": {"country": "FR"}},
        {"location": {"city": "Paris", "country": 33}},
        {"location": {"city": "Paris"}, "days": 9},
        {"location": {"city": "Paris"}, "unit": "kelvin"},
        {"location": {"city": "Paris"}, "hours": 3},
    ]
    assert list(input_example_problems(definition)) == [
        (2, "/location: missing required property 'city'"),
        (3, "/location/country: matches none of the 'anyOf' schemas"),
        (4, "/days: 9 is more than the maximum 7"),
        (5, "/unit: 'kelvin' is not one of the allowed values"),
        (6, "property 'hours' is not allowed"),
    ]


# --- properties -----------------------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4)
)
JSON = st.recursive(
    SCALARS,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3),
    max_leaves=8,
)
TYPE_NAMES = ("null", "boolean", "integer", "number", "string", "array", "object")


def _types_of(value: Any) -> set[str]:
    """The JSON Schema types ``value`` has (an integral float is an integer too)."""
    if value is None:
        return {"null"}
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return {"integer", "number"}
    if isinstance(value, float):
        return {"number"}
    if isinstance(value, str):
        return {"string"}
    return {"array"} if isinstance(value, list) else {"object"}


def _key(value: Any) -> object:
    """Equal under JSON Schema (1 == 1.0, true != 1) exactly when the keys are equal."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, list):
        return ("array", tuple(_key(v) for v in value))
    return ("object", frozenset((k, _key(v)) for k, v in value.items()))


@st.composite
def _leaf(draw: st.DrawFn) -> tuple[Any, Any]:
    """A schema with no subschema, and a value that fits it."""
    kind = draw(st.sampled_from(["integer", "float", "integral", "string", "const", "enum", "any", "type"]))
    schema: dict[str, Any] = {}
    if kind == "integer":
        value: Any = draw(st.integers())
        step = draw(st.integers(1, 12))
        value -= value % step
        if draw(st.booleans()):
            schema["multipleOf"] = step
        schema["type"] = draw(
            st.sampled_from(["integer", "number", ["string", "integer"], ["null", "number"]])
        )
        for keyword, bound in (
            ("minimum", value - draw(st.integers(0, 100))),
            ("maximum", value + draw(st.integers(0, 100))),
            ("exclusiveMinimum", value - draw(st.integers(1, 100))),
            ("exclusiveMaximum", value + draw(st.integers(1, 100))),
        ):
            if draw(st.booleans()):
                schema[keyword] = float(bound) if draw(st.booleans()) and abs(bound) < 2**53 else bound
    elif kind == "float":
        value = draw(st.floats(-1e300, 1e300))
        schema["type"] = "number"
        if draw(st.booleans()):
            schema["minimum"] = draw(st.floats(max_value=value, allow_nan=False, allow_infinity=False))
        if draw(st.booleans()):
            schema["exclusiveMaximum"] = draw(
                st.floats(min_value=value, exclude_min=True, allow_infinity=False)
            )
    elif kind == "integral":
        value = float(draw(st.integers(-(2**53), 2**53)))
        schema["type"] = "integer"
    elif kind == "string":
        value = draw(st.text(max_size=6))
        schema["type"] = "string"
        if draw(st.booleans()):
            schema["minLength"] = draw(st.integers(0, len(value)))
        if draw(st.booleans()):
            schema["maxLength"] = len(value) + draw(st.integers(0, 3))
    elif kind == "const":
        value = draw(JSON)
        same = float(value) if type(value) is int and abs(value) < 2**53 and draw(st.booleans()) else value
        schema["const"] = same
    elif kind == "enum":
        value = draw(JSON)
        others = draw(st.lists(JSON, max_size=3))
        at = draw(st.integers(0, len(others)))
        schema["enum"] = [*others[:at], value, *others[at:]]
    elif kind == "any":
        return draw(st.sampled_from([{}, True, {"description": "anything"}])), draw(JSON)
    else:
        value = draw(JSON)
        schema["type"] = draw(st.sampled_from(sorted(_types_of(value))))
    return schema, value


def _extend(children: st.SearchStrategy[tuple[Any, Any]]) -> st.SearchStrategy[tuple[Any, Any]]:
    return _objects(children) | _arrays(children) | _combined(children)


@st.composite
def _objects(draw: st.DrawFn, children: st.SearchStrategy[tuple[Any, Any]]) -> tuple[Any, Any]:
    pairs = draw(st.dictionaries(st.text(max_size=4), children, max_size=4))
    schema: dict[str, Any] = {"type": "object", "properties": {k: s for k, (s, _) in pairs.items()}}
    value = {k: v for k, (_, v) in pairs.items()}
    schema["required"] = [k for k in value if draw(st.booleans())]
    extra = draw(st.sampled_from(["absent", "false", "true", "schema"]))
    if extra == "false":
        schema["additionalProperties"] = False
    elif extra == "true":
        schema["additionalProperties"] = True
        value = {**value, **draw(st.dictionaries(st.text(min_size=5, max_size=6), JSON, max_size=2))}
    elif extra == "schema":
        schema["additionalProperties"] = {"type": "integer"}
        value = {**value, **draw(st.dictionaries(st.text(min_size=5, max_size=6), st.integers(), max_size=2))}
    if draw(st.booleans()):
        schema["minProperties"] = draw(st.integers(0, len(value)))
        schema["maxProperties"] = len(value) + draw(st.integers(0, 2))
    return schema, value


@st.composite
def _arrays(draw: st.DrawFn, children: st.SearchStrategy[tuple[Any, Any]]) -> tuple[Any, Any]:
    pairs = draw(st.lists(children, min_size=1, max_size=4))
    value = [v for _, v in pairs]
    schema: dict[str, Any] = {"type": "array", "items": {"anyOf": [s for s, _ in pairs]}}
    if draw(st.booleans()):
        schema["minItems"] = draw(st.integers(0, len(value)))
        schema["maxItems"] = len(value) + draw(st.integers(0, 2))
    if len({_key(v) for v in value}) == len(value) and draw(st.booleans()):
        schema["uniqueItems"] = True
    if draw(st.booleans()):
        schema["contains"] = pairs[draw(st.integers(0, len(pairs) - 1))][0]
    return schema, value


@st.composite
def _combined(draw: st.DrawFn, children: st.SearchStrategy[tuple[Any, Any]]) -> tuple[Any, Any]:
    schema, value = draw(children)
    kinds = sorted(set(TYPE_NAMES) - _types_of(value))
    way = draw(st.integers(0, 8))
    if way == 0:
        other = draw(st.sampled_from([{}, True, {"type": sorted(_types_of(value))}]))
        return {"allOf": [schema, other] if draw(st.booleans()) else [other, schema]}, value
    if way == 1:  # any other branch, however odd, cannot fail an anyOf
        return {"anyOf": [draw(JSON), schema] if draw(st.booleans()) else [schema, draw(JSON)]}, value
    if way == 2:
        return {"oneOf": [schema, draw(st.sampled_from([False, {"not": schema}, {"not": {}}]))]}, value
    if way == 3:
        return {"not": {"not": schema}}, value
    if way == 4 and kinds:
        return {"not": {"type": draw(st.sampled_from(kinds))}}, value
    if way == 5:
        return {"if": draw(JSON), "then": schema, "else": schema}, value
    if way == 6:
        return {"if": schema, "then": schema, "else": False}, value
    if way == 7:
        return {"if": {"not": schema}, "then": False, "else": schema}, value
    return {**schema, "title": "t", "description": draw(st.text(max_size=3))} if isinstance(
        schema, dict
    ) else schema, value


PAIRS = st.recursive(_leaf(), _extend, max_leaves=6)


@st.composite
def _rooted(draw: st.DrawFn) -> tuple[Any, Any]:
    """A generated pair, sometimes reached through a ``$ref`` into ``$defs``."""
    schema, value = draw(PAIRS)
    if draw(st.booleans()):
        name = draw(st.text(max_size=5))
        escaped = quote(name.replace("~", "~0").replace("/", "~1"), safe="")
        schema = {"$defs": {name: schema}, "$ref": f"#/$defs/{escaped}"}
    return schema, value


@given(_rooted())
def test_a_fitting_value_is_never_reported(pair: tuple[Any, Any]) -> None:
    schema, value = pair
    assert first_failure(schema, value) is None


@given(PAIRS)
def test_a_fitting_example_is_never_reported(pair: tuple[Any, Any]) -> None:
    schema, value = pair
    tool = _tool([{"x": value}], {"type": "object", "properties": {"x": schema}, "required": ["x"]})
    assert list(input_example_problems(tool)) == []


KEYWORDS = sorted(
    {
        "type", "enum", "const", "properties", "required", "additionalProperties", "items", "prefixItems",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
        "maxLength", "minItems", "maxItems", "uniqueItems", "contains", "minProperties", "maxProperties",
        "anyOf", "allOf", "oneOf", "not", "if", "then", "else", "$ref", "$defs", "$id", "pattern",
        "patternProperties", "nullable", "format",
    }
)  # fmt: skip
SCHEMAS: st.SearchStrategy[Any] = st.recursive(
    st.booleans() | st.just({}) | SCALARS,
    lambda c: st.dictionaries(
        st.sampled_from(KEYWORDS),
        c
        | st.lists(c, max_size=3)
        | st.dictionaries(st.text(max_size=2), c, max_size=3)
        | st.sampled_from(TYPE_NAMES),
        max_size=4,
    ),
    max_leaves=12,
)


@given(SCHEMAS | JSON, JSON)
def test_never_raises(schema: Any, value: Any) -> None:
    found = first_failure(schema, value)
    if found is not None:
        path, reason = found
        assert path == "" or path.startswith("/")
        assert reason and reason.isprintable()
    for index, reason in input_example_problems(_tool([value, {"v": value}], schema)):
        assert index in (0, 1) and reason.isprintable()


@given(PAIRS, st.sampled_from(TYPE_NAMES))
def test_a_value_of_another_type_is_reported(pair: tuple[Any, Any], kind: str) -> None:
    """Completeness where it is easy: a type mismatch is always found (nothing hides a sure failure)."""
    schema, value = pair
    if kind in _types_of(value):
        return
    assert first_failure({"allOf": [schema, {"type": kind}]}, value) == (
        "",
        f"expected {kind}, got {_kind(value)}",
    )


def _kind(value: Any) -> str:
    types = _types_of(value)
    return "integer" if "integer" in types else types.pop()


# --- the rule: these need "tool-input-example-invalid" in convo/_rules.py -------------------------

WEATHER = {
    "name": "get_weather",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def _body(*examples: object) -> dict[str, Any]:
    return {"tools": [{"name": "noop", "input_schema": {"type": "object"}}, {**WEATHER, "input_examples": list(examples)}],
            "messages": [{"role": "user", "content": "Weather in Paris?"}]}  # fmt: skip


def test_rule_is_registered() -> None:
    rule = convo.RULES["tool-input-example-invalid"]
    assert (rule.severity, rule.scope) == ("error", "conversation")


def test_check_reports_each_failing_example() -> None:
    report = convo.check(_body({"city": "Paris"}, {"town": "Lyon"}, {"city": 75}, "Nice"))
    assert [(p.code, p.path) for p in report.errors] == [
        ("tool-input-example-invalid", "/tools/1/input_examples/1"),
        ("tool-input-example-invalid", "/tools/1/input_examples/2"),
        ("tool-input-example-invalid", "/tools/1/input_examples/3"),
    ]
    first = report.errors[0].message
    assert "get_weather" in first and "missing required property 'city'" in first
    assert "/city: expected string, got integer" in report.errors[1].message


def test_from_wire_refuses_a_failing_example() -> None:
    with pytest.raises(convo.ValidationError) as info:
        Conversation.from_wire(_body({"city": "Paris"}, {"city": ["Paris"]}))
    assert [(p.code, p.path) for p in info.value.errors] == [
        ("tool-input-example-invalid", "/tools/1/input_examples/1")
    ]
    with pytest.raises(convo.ValidationError):
        Conversation(tools=[{**WEATHER, "input_examples": [{}]}])


def test_fitting_and_undecided_examples_are_accepted() -> None:
    conv = Conversation.from_wire(_body({"city": "Paris"}, {"city": "Lyon", "country": "FR"}))
    assert conv.tools[1]["input_examples"][1] == {"city": "Lyon", "country": "FR"}
    pattern = {**WEATHER, "input_schema": {"type": "object", "properties": {"city": {"pattern": "^[A-Z]"}}}}
    body = {
        "tools": [{**pattern, "input_examples": [{"city": "paris"}]}],
        "messages": [{"role": "user", "content": "Hi"}],
    }
    assert convo.check(body).valid


def test_a_broken_schema_is_reported_once() -> None:
    tool = {"name": "f", "input_schema": {"type": "string"}, "input_examples": [{"a": 1}, 3]}
    codes = [
        p.code for p in convo.check({"tools": [tool], "messages": [{"role": "user", "content": "Hi"}]}).errors
    ]
    assert codes == ["tool-schema-invalid"]
