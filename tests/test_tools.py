"""Typed tools: definitions from Structs, dataclasses and attrs classes; inputs parsed with paths."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from typing import Annotated, Any, Literal

import attrs
import msgspec
import pytest

import convo
from convo import Conversation, Tool, ToolInputError, tool


class Location(msgspec.Struct):
    """A place on Earth.

    Give the city and, when it is ambiguous, the country.
    """

    city: str
    country: str | None = None


class GetWeather(msgspec.Struct, forbid_unknown_fields=True):
    """Get the weather forecast.

    Returns one line per day.
    """

    location: Location
    days: Annotated[int, msgspec.Meta(ge=1, le=7, description="How many days ahead")] = 1
    unit: Literal["celsius", "fahrenheit"] = "celsius"
    thresholds: dict[str, list[float]] = {}


@dataclasses.dataclass
class SearchDocs:
    """Search the documentation."""

    query: str
    limit: int = 5
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class NoDoc:
    x: int


@attrs.frozen
class RunSQL:
    """Run a read-only SQL query."""

    sql: str
    timeout_s: float = 2.0


class Tree(msgspec.Struct):
    """A tree of names."""

    name: str
    children: list[Tree] = []


# -- definitions ----------------------------------------------------------------------------------


def test_a_struct_tool_definition() -> None:
    weather = tool(GetWeather)
    assert weather.name == "get_weather"
    assert weather.description == "Get the weather forecast.\n\nReturns one line per day."
    schema = weather.input_schema
    assert list(schema) == ["type", "properties", "required", "additionalProperties", "$defs"]
    assert schema["type"] == "object"
    assert list(schema["properties"]) == ["location", "days", "unit", "thresholds"]  # declared order
    assert schema["properties"]["days"] == {
        "description": "How many days ahead",
        "type": "integer",
        "minimum": 1,
        "maximum": 7,
        "default": 1,
    }
    assert schema["properties"]["location"] == {"$ref": "#/$defs/Location"}
    assert schema["$defs"]["Location"]["description"] == (
        "A place on Earth.\n\nGive the city and, when it is ambiguous, the country."
    )
    assert schema["required"] == ["location"]
    assert weather.definition() == {
        "name": "get_weather",
        "description": weather.description,
        "input_schema": schema,
    }
    assert json.loads(weather.to_json()) == weather.definition()


def test_a_dataclass_and_an_attrs_class() -> None:
    docs = tool(SearchDocs)
    assert docs.definition() == {
        "name": "search_docs",
        "description": "Search the documentation.",
        "input_schema": {
            "type": "object",
            "properties": {
                "query": {"type": "string"},
                "limit": {"type": "integer", "default": 5},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["query"],
        },
    }
    sql = tool(RunSQL)
    assert (sql.name, sql.description) == ("run_sql", "Run a read-only SQL query.")
    assert sql.input_schema["properties"] == {
        "sql": {"type": "string"},
        "timeout_s": {"type": "number", "default": 2.0},
    }


def test_no_docstring_means_no_description_and_names_can_be_given() -> None:
    assert "description" not in tool(NoDoc).definition()  # not the dataclass's generated signature
    custom = tool(NoDoc, name="compute-x", description="Compute x.")
    assert custom.definition()["name"] == "compute-x"
    assert custom.definition()["description"] == "Compute x."


def test_a_recursive_type_keeps_its_definition_addressable() -> None:
    schema = tool(Tree).input_schema
    assert schema["properties"]["children"]["items"] == {"$ref": "#/$defs/Tree"}
    assert "Tree" in schema["$defs"]
    assert convo.check(
        {"tools": [tool(Tree).definition()], "messages": [{"role": "user", "content": "x"}]}
    ).valid


def test_definitions_are_byte_for_byte_stable_across_processes() -> None:
    script = (
        "import sys; sys.path.insert(0, 'tests'); import test_tools as t, convo; "
        "sys.stdout.buffer.write(b'|'.join(convo.tool(c).to_json() for c in (t.GetWeather, t.SearchDocs, t.RunSQL, t.Tree)))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, check=True, env={"PYTHONHASHSEED": seed}
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1
    assert runs.pop().split(b"|")[0] == tool(GetWeather).to_json()


def test_the_definition_is_a_valid_tool_for_convo_and_the_sdk() -> None:
    definitions = [tool(c).definition() for c in (GetWeather, SearchDocs, RunSQL, NoDoc)]
    conv = Conversation(tools=definitions).user("Weather in Paris?")
    assert conv.check(model="claude-opus-4-8").errors == ()
    anthropic = pytest.importorskip("anthropic")
    pydantic = pytest.importorskip("pydantic")
    for definition in definitions:
        pydantic.TypeAdapter(anthropic.types.ToolParam).validate_python(definition)


@pytest.mark.parametrize("name", ["", "has space", "x" * 65, "naïve"])
def test_bad_names_are_invalid_arguments(name: str) -> None:
    with pytest.raises(convo.InvalidArgument, match="tool name"):
        tool(SearchDocs, name=name)


@pytest.mark.parametrize("cls", [int, list[str], object])
def test_types_that_are_not_objects_are_invalid_arguments(cls: Any) -> None:
    with pytest.raises(convo.InvalidArgument):
        tool(cls)


def test_tools_are_immutable_values() -> None:
    weather = tool(GetWeather)
    assert weather == tool(GetWeather) and hash(weather) == hash(tool(GetWeather))
    assert weather != tool(GetWeather, name="weather")
    assert repr(weather) == "Tool('get_weather', GetWeather)"
    with pytest.raises(AttributeError):
        weather.name = "x"  # type: ignore[misc]


# -- parsing --------------------------------------------------------------------------------------


def call(name: str, **input: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": name, "input": input}],
        "stop_reason": "tool_use",
    }


def test_parse_a_pending_tool_use() -> None:
    weather = tool(GetWeather)
    conv = Conversation(tools=[weather.definition()]).user("Weather?")
    conv = conv.reply(call("get_weather", location={"city": "Paris"}, days=3))
    (use,) = conv.pending_tool_uses
    assert weather.parse(use) == GetWeather(location=Location(city="Paris"), days=3)


def test_parse_a_dict_bytes_or_text() -> None:
    docs = tool(SearchDocs)
    expected = SearchDocs(query="cache", tags=["api"])
    assert docs.parse({"query": "cache", "tags": ["api"]}) == expected
    assert docs.parse(b'{"query": "cache", "tags": ["api"]}') == expected
    assert docs.parse('{"query": "cache", "tags": ["api"]}') == expected
    assert tool(RunSQL).parse({"sql": "select 1", "timeout_s": 1}) == RunSQL(sql="select 1", timeout_s=1.0)


@pytest.mark.parametrize(
    ("input", "path", "detail"),
    [
        ({"location": {"city": 3}}, "/location/city", "Expected `str`, got `int`"),
        ({"location": {"city": "x"}, "days": 9}, "/days", "Expected `int` <= 7"),
        ({"location": {"city": "x"}, "unit": "kelvin"}, "/unit", "Invalid enum value 'kelvin'"),
        ({}, "/location", "Object missing required field `location`"),
        ({"location": {}}, "/location/city", "Object missing required field `city`"),
        ({"location": {"city": "x"}, "wind": True}, "/wind", "Object contains unknown field `wind`"),
        (
            {"location": {"city": "x"}, "thresholds": {"ok": [1], "rain/snow~": [0.5, "high"]}},
            "/thresholds/rain~1snow~0/1",
            "Expected `float`, got `str`",
        ),
        (b"[1, 2]", "", "Expected `object`, got `array`"),
    ],
)
def test_a_field_that_does_not_fit_is_named_by_its_json_pointer(input: Any, path: str, detail: str) -> None:
    with pytest.raises(ToolInputError) as info:
        tool(GetWeather).parse(input)
    error = info.value
    assert (error.path, error.detail, error.tool) == (path, detail, "get_weather")
    assert isinstance(error, convo.ConvoError) and isinstance(error, ValueError)
    where = f" at {path}" if path else ""
    assert str(error) == f"get_weather input does not fit its schema{where}: {detail}"


def test_list_items_of_dataclasses_and_attrs_classes() -> None:
    with pytest.raises(ToolInputError) as info:
        tool(SearchDocs).parse({"query": "x", "tags": ["a", 2]})
    assert info.value.path == "/tags/1"
    with pytest.raises(ToolInputError) as info:
        tool(RunSQL).parse({"sql": ["select"]})
    assert info.value.path == "/sql"
    with pytest.raises(ToolInputError) as info:
        tool(Tree).parse({"name": "a", "children": [{"name": "b", "children": [{"name": 1}]}]})
    assert info.value.path == "/children/0/children/0/name"


def test_a_bad_tool_use_carries_its_id_and_answers_as_an_error_result() -> None:
    weather = tool(GetWeather)
    conv = Conversation(tools=[weather.definition()]).user("Weather?").reply(call("get_weather", days=2))
    (use,) = conv.pending_tool_uses
    with pytest.raises(ToolInputError) as info:
        weather.parse(use)
    assert info.value.tool_use_id == "toolu_1"
    conv = conv.tool_results({use.id: info.value})
    (result,) = conv.messages[-1].blocks
    assert isinstance(result, convo.ToolResultBlock)
    assert result.is_error is True
    assert (
        result.content
        == "get_weather input does not fit its schema at /location: Object missing required field `location`"
    )


def test_parse_refuses_other_tools_and_other_things() -> None:
    weather = tool(GetWeather)
    (use,) = Conversation().user("x").reply(call("search_docs", query="q")).pending_tool_uses
    with pytest.raises(convo.InvalidArgument, match="calls 'search_docs', not 'get_weather'"):
        weather.parse(use)
    with pytest.raises(ToolInputError, match="not JSON") as info:
        weather.parse(b"{")
    assert info.value.path == ""
    with pytest.raises(convo.InvalidArgument):
        weather.parse(42)  # type: ignore[arg-type]


def test_tool_is_exported_with_its_error() -> None:
    assert convo.tool is tool and convo.Tool is Tool and convo.ToolInputError is ToolInputError


def test_an_annotation_that_does_not_resolve_is_an_invalid_argument() -> None:
    bad = dataclasses.make_dataclass("Bad", [("x", "Nowhere")])
    with pytest.raises(convo.InvalidArgument, match="cannot describe"):
        tool(bad)


def test_map_keys_are_read_from_json_strings_and_a_bad_one_is_pointed_at() -> None:
    class Counts(msgspec.Struct):
        by_day: dict[int, str]

    tool = convo.tool(Counts)
    assert tool.parse({"by_day": {"1": "a"}}) == tool.parse('{"by_day": {"1": "a"}}') == Counts({1: "a"})
    with pytest.raises(convo.ToolInputError) as info:
        tool.parse({"by_day": {"1": "a", "x": "b"}})
    assert info.value.path == "/by_day/x"


def test_input_nested_too_deeply_and_a_name_with_a_newline_are_refused_cleanly() -> None:
    class Anything(msgspec.Struct):
        value: list[int]

    with pytest.raises(convo.ToolInputError, match=r"nested too deeply|not JSON"):
        convo.tool(Anything).parse("[" * 100_000)
    with pytest.raises(convo.InvalidArgument, match="tool name"):
        convo.tool(Anything, name="get_weather\n")


class Cell(msgspec.Struct):
    x: int


class Sheet(msgspec.Struct):
    items: list[dict[str, Cell]]


def test_the_failing_key_of_a_large_map_is_found_quickly() -> None:
    entries: dict[str, Any] = {f"k{i}": {"x": i} for i in range(8000)}
    entries["k7000"] = {"x": "bad"}
    entries["k7500"] = {"x": "also bad"}  # only the first failing key is reported, as msgspec stops there
    with pytest.raises(convo.ToolInputError) as info:
        convo.tool(Sheet).parse({"items": [entries]})
    assert info.value.path == "/items/0/k7000/x"


class Odd(msgspec.Struct):
    dotted: int = msgspec.field(name="a.b")
    bracketed: list[int] = msgspec.field(name="c[0]")
    ticked: int = msgspec.field(name="x`y")
    empty: int = msgspec.field(name="")


@pytest.mark.parametrize(
    ("bad", "path"),
    [({"a.b": "x"}, "/a.b"), ({"c[0]": [1, "x"]}, "/c[0]/1"), ({"x`y": "x"}, "/x`y"), ({"": "x"}, "/")],
)
def test_a_field_renamed_with_dots_brackets_or_nothing_is_pointed_at(bad: dict[str, Any], path: str) -> None:
    good = {"a.b": 1, "c[0]": [1], "x`y": 1, "": 1}
    tool = convo.tool(Odd)
    assert tool.parse(good) == Odd(1, [1], 1, 1)
    with pytest.raises(convo.ToolInputError) as info:
        tool.parse({**good, **bad})
    assert info.value.path == path and info.value.detail == "Expected `int`, got `str`"


class Part(msgspec.Struct):
    """
    A part of the order.
       Quantities are whole units.
    """

    sku: str


class Order(msgspec.Struct):
    part: Part


def test_a_nested_class_is_described_as_it_would_be_at_the_root() -> None:
    nested = convo.tool(Order).input_schema["$defs"]["Part"]["description"]
    assert nested == convo.tool(Part).description == "A part of the order.\n   Quantities are whole units."
