"""Typed tools: definitions from Structs, dataclasses and attrs classes; inputs parsed with paths."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pickle
import re
import subprocess
import sys
from typing import Annotated, Any, Literal, TypedDict

import attrs
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


class Filters(msgspec.Struct, frozen=True):
    """Which files to look at."""

    kinds: frozenset[str] = frozenset({"pdf", "html", "md", "txt", "rst"})


LANGS: Any = {"en", "fr", "de", "es", "it"}


class Search(msgspec.Struct):
    """Search everything: every set below is written in one order, whatever the hash seed."""

    query: Annotated[str, msgspec.Meta(examples=[LANGS], extra_json_schema={"x-langs": ("en", "fr")})]
    sources: frozenset[str] = frozenset({"web", "docs", "code", "wiki", "mail"})
    mixed: frozenset[int | str] = frozenset({2, "b", 1, "a", "c"})
    groups: tuple[frozenset[str], ...] = (frozenset({"k8s", "dns", "cdn", "tls"}),)
    filters: Filters = Filters()


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
        "sys.stdout.buffer.write(b'|'.join(convo.tool(c).to_json() for c in (t.GetWeather, t.SearchDocs, t.RunSQL, t.Tree, t.Search)))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, check=True, env={"PYTHONHASHSEED": seed}
        ).stdout
        for seed in ("1", "2", "3", "4", "5")
    }
    assert len(runs) == 1
    assert runs.pop().split(b"|") == [
        tool(c).to_json() for c in (GetWeather, SearchDocs, RunSQL, Tree, Search)
    ]


def test_sets_are_written_sorted_by_their_json_wherever_they_are() -> None:
    schema = tool(Search).input_schema
    properties = schema["properties"]
    assert properties["sources"]["default"] == ["code", "docs", "mail", "web", "wiki"]
    assert properties["mixed"]["default"] == ["a", "b", "c", 1, 2]  # '"a"' < '1' as JSON
    assert properties["groups"]["default"] == [["cdn", "dns", "k8s", "tls"]]
    assert properties["filters"]["default"] == {"kinds": ["html", "md", "pdf", "rst", "txt"]}
    assert schema["$defs"]["Filters"]["properties"]["kinds"]["default"] == ["html", "md", "pdf", "rst", "txt"]
    assert properties["query"]["examples"] == [["de", "en", "es", "fr", "it"]]
    assert properties["query"]["x-langs"] == ["en", "fr"]


class SetInMeta(msgspec.Struct):
    lang: list[Annotated[str, msgspec.Meta(extra_json_schema={"enum": LANGS})]]


def test_a_set_in_extra_json_schema_is_an_invalid_argument() -> None:
    # msgspec makes it a list, in hash order, before convo sees it: convo cannot put it in order
    with pytest.raises(convo.InvalidArgument, match=r"extra_json_schema=...\) of SetInMeta.lang holds a set"):
        tool(SetInMeta)


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


@pytest.mark.parametrize("cls", [int, list[str], object, dict, dict[str, int], "x", None, len])
def test_types_that_are_not_objects_are_invalid_arguments(cls: Any) -> None:
    with pytest.raises(convo.InvalidArgument, match="tool input"):
        tool(cls)
    with pytest.raises(convo.InvalidArgument, match="tool input"):
        tool(cls, name="named")


Renamed = msgspec.defstruct("Renamed", [("ident", int)], rename={"ident": "filter[id]"})
Cafe = dataclasses.make_dataclass("Cafe", [("café", str)])
Spaced = TypedDict("Spaced", {"a b": int, "ok": str})
Long = dataclasses.make_dataclass("Long", [("x" * 65, int)])


@pytest.mark.parametrize(
    ("cls", "field"), [(Renamed, "'filter[id]'"), (Cafe, "'café'"), (Spaced, "'a b'"), (Long, "'xxxxxxxxx")]
)
def test_a_property_name_the_api_refuses_is_an_invalid_argument(cls: Any, field: str) -> None:
    with pytest.raises(convo.InvalidArgument, match=re.escape(f"property name {field}")):
        tool(cls)


FIELD_TYPES: Any = {
    int: st.integers(-(2**63), 2**63 - 1),
    str: st.text(),
    float: st.floats(),  # NaN and infinity too: left out of the schema
    list[str]: st.just([]),
    frozenset[str]: st.frozensets(st.text(max_size=3)),
    int | None: st.none() | st.integers(-5, 5),
    Literal["a", "b"]: st.sampled_from(["a", "b"]),
    Filters: st.builds(Filters, st.frozensets(st.text(max_size=3))),
}
NAME_TEXT = st.text(st.characters(exclude_characters='\\"', exclude_categories=("Cc", "Cs")), max_size=70)


@st.composite
def input_classes(draw: st.DrawFn) -> tuple[Any, list[str]]:
    names = draw(st.lists(st.from_regex(r"[a-z]{1,3}", fullmatch=True) | NAME_TEXT, unique=True))
    fields: list[Any] = []
    for i, _ in enumerate(names):
        kind = draw(st.sampled_from(list(FIELD_TYPES)))
        default = draw(st.none() | FIELD_TYPES[kind].map(lambda d: (d,)))
        fields.append((f"f{i}", kind) if default is None else (f"f{i}", kind, default[0]))
    fields.sort(key=len)  # fields without a default first
    cls = msgspec.defstruct("Generated", fields, rename={f"f{i}": name for i, name in enumerate(names)})
    return cls, names


@given(input_classes(), st.none() | st.text())
def test_every_tool_convo_defines_passes_convo_check(
    generated: tuple[Any, list[str]], description: Any
) -> None:
    cls, names = generated
    try:
        weather = tool(cls, description=description)
    except convo.InvalidArgument as exc:
        assert "property name" in str(exc)
        assert not all(re.fullmatch(r"[a-zA-Z0-9_.-]{1,64}", name) for name in names)
        return
    body = {"tools": [weather.definition()], "messages": [{"role": "user", "content": "x"}]}
    assert convo.check(body).errors == ()
    assert json.loads(weather.to_json()) == weather.definition()


@pytest.mark.parametrize("description", [5, ["a list"], b"bytes", {"text": "a dict"}])
def test_a_description_that_is_not_a_string_is_an_invalid_argument(description: Any) -> None:
    with pytest.raises(convo.InvalidArgument, match="description must be a string"):
        tool(SearchDocs, description=description)


@dataclasses.dataclass
class Sig:
    """Sig(x) returns things."""

    x: int


class HoldsSig(msgspec.Struct):
    sig: Sig
    no_doc: NoDoc


def test_a_docstring_that_starts_like_the_generated_signature_is_kept() -> None:
    assert tool(Sig).description == "Sig(x) returns things."
    assert NoDoc.__doc__ and tool(NoDoc).description is None
    defs = tool(HoldsSig).input_schema["$defs"]
    assert defs["Sig"]["description"] == "Sig(x) returns things."
    assert "description" not in defs["NoDoc"]


class Limits(msgspec.Struct):
    price: float = math.inf
    ratio: float = math.nan
    steps: tuple[float, ...] = (1.0, -math.inf)
    floor: float = 0.5


def test_a_default_json_cannot_write_is_left_out() -> None:
    properties = tool(Limits).input_schema["properties"]
    assert [name for name, sub in properties.items() if "default" in sub] == ["floor"]
    assert tool(Limits).parse({}).price == math.inf


def test_tools_are_immutable_values() -> None:
    weather = tool(GetWeather)
    assert weather == tool(GetWeather) and hash(weather) == hash(tool(GetWeather))
    assert weather != tool(GetWeather, name="weather")
    assert repr(weather) == "Tool('get_weather', GetWeather)"
    with pytest.raises(AttributeError):
        weather.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "made",
    [tool(GetWeather), tool(SearchDocs, name="docs", description="Docs."), tool(GetWeather, description="")],
)
def test_tools_copy_as_themselves_and_pickle_by_their_class(made: Tool[Any]) -> None:
    assert copy.copy(made) is made and copy.deepcopy(made) is made
    assert copy.deepcopy([made])[0] is made
    again = pickle.loads(pickle.dumps(made))
    assert again == made and again.to_json() == made.to_json() and again.input_type is made.input_type


def test_a_tool_of_a_class_pickle_cannot_find_does_not_pickle() -> None:
    local = tool(msgspec.defstruct("Local", [("x", int)]))
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(local)


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


def test_parse_reads_the_sdks_tool_use_blocks() -> None:
    types = pytest.importorskip("anthropic.types")
    weather = tool(GetWeather)
    use = types.ToolUseBlock(
        id="toolu_9", name="get_weather", input={"location": {"city": "Oslo"}}, type="tool_use"
    )
    assert weather.parse(use) == GetWeather(location=Location(city="Oslo"))
    bad = types.ToolUseBlock(id="toolu_9", name="get_weather", input={"days": 2}, type="tool_use")
    with pytest.raises(ToolInputError) as info:
        weather.parse(bad)
    assert (info.value.tool_use_id, info.value.path) == ("toolu_9", "/location")
    other = types.ToolUseBlock(id="toolu_9", name="search_docs", input={}, type="tool_use")
    with pytest.raises(convo.InvalidArgument, match="calls 'search_docs'"):
        weather.parse(other)
    with pytest.raises(convo.InvalidArgument, match="not TextBlock"):
        weather.parse(types.TextBlock(text="hi", type="text"))


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


class HoldsOdd(msgspec.Struct):  # the API refuses such names at the top of a schema, not deeper
    odd: Odd


@pytest.mark.parametrize(
    ("bad", "path"),
    [({"a.b": "x"}, "/a.b"), ({"c[0]": [1, "x"]}, "/c[0]/1"), ({"x`y": "x"}, "/x`y"), ({"": "x"}, "/")],
)
def test_a_field_renamed_with_dots_brackets_or_nothing_is_pointed_at(bad: dict[str, Any], path: str) -> None:
    good = {"a.b": 1, "c[0]": [1], "x`y": 1, "": 1}
    tool = convo.tool(HoldsOdd)
    assert tool.parse({"odd": good}) == HoldsOdd(Odd(1, [1], 1, 1))
    with pytest.raises(convo.ToolInputError) as info:
        tool.parse({"odd": {**good, **bad}})
    assert info.value.path == "/odd" + path and info.value.detail == "Expected `int`, got `str`"


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
