"""Typed tools: parse() returns the tool's own input type."""

import dataclasses
from typing import assert_type

import anthropic
import msgspec

import convo
from convo import Tool, ToolUseBlock


@dataclasses.dataclass
class SearchDocs:
    """Search the documentation."""

    query: str


class GetWeather(msgspec.Struct):
    city: str


docs = convo.tool(SearchDocs)
assert_type(docs, Tool[SearchDocs])
assert_type(docs.parse({"query": "x"}), SearchDocs)
assert_type(convo.tool(GetWeather, name="weather").parse(b'{"city": "Paris"}'), GetWeather)
assert_type(docs.parse(ToolUseBlock(id="toolu_1", name="search_docs", input={"query": "x"})), SearchDocs)
assert_type(docs.to_json(), bytes)

# Misuse.
docs.parse(42)  # type: ignore[arg-type]
convo.tool(SearchDocs, "search")  # type: ignore[call-arg]
docs.name = "other"  # type: ignore[misc]


def send(client: anthropic.Anthropic) -> None:
    """A typed tool's definition goes to the SDK as it is, and into a conversation."""
    client.messages.create(model="claude-opus-4-8", max_tokens=99, messages=[], tools=[docs.definition()])
    assert_type(convo.Conversation(tools=[docs.definition()]), convo.Conversation)
