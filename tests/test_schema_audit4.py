"""Structured-output schema checks, fourth audit: ``$ref`` values the API cannot resolve."""

from __future__ import annotations

from typing import Any

import pytest

import convo
import convo._schema

from .test_schema_audit3 import strings
from .test_schema_keywords import closed, output_errors, strict_tool_errors


@pytest.mark.parametrize(
    "schema",
    [
        {**closed(a={"$ref": "#/$defs/Nope"}), "$defs": {"Other": {"type": "string"}}},
        closed(a={"$ref": "#/definitions/Nope"}),
        closed(a={"$ref": "#/properties/b"}),
        closed(a={"$ref": "#/properties/a/items/0"}),
        closed(a={"$ref": 5}),
        closed(a={"$ref": {"$ref": "#"}}),
        closed(a={"$ref": None}),
        closed(a={"$ref": "#/required"}),
        closed(a={"$ref": "#/required/0"}),
        closed(a={"$ref": "#/additionalProperties/x"}),
    ],
)
def test_a_ref_that_names_no_schema_is_refused(schema: dict[str, Any]) -> None:
    # the API resolves each $ref and answers 400 for a pointer to nothing ("Error resolving
    # schema reference '#/definitions/_gen:tags': PointerToNowhere(...)", BerriAI/litellm#26692);
    # a $ref must be a string by the draft 2020-12 meta-schema; a list or a string is no schema
    assert output_errors(schema) == [
        ("output-schema-unsupported", "/output_config/format/schema/properties/a/$ref")
    ]
    assert strict_tool_errors(schema) == [
        ("tool-schema-unsupported", "/tools/0/input_schema/properties/a/$ref")
    ]


@pytest.mark.parametrize(
    "schema",
    [
        {**closed(a={"$ref": "#/$defs/S"}), "$defs": {"S": {"type": "string"}}},
        {**closed(a={"$ref": "#/$defs/a~1b"}), "$defs": {"a/b": {"type": "string"}}},
        {**closed(a={"$ref": "#/$defs/T"}), "$defs": {"T": True}},
        {**closed(a={"$ref": "#/$defs/Nope%2Fx"}), "$defs": {}},  # resolvers split %2F differently
        closed(a={"$ref": "#name"}),  # an anchor: not looked up
        {**closed(a={"$ref": "#/$defs/S"}), "$defs": {"S": {"$id": "urn:s", "$ref": "#/nowhere"}}},
    ],
)
def test_a_ref_convo_cannot_show_wrong_is_not_reported(schema: dict[str, Any]) -> None:
    assert output_errors(schema) == []
    assert strict_tool_errors(schema) == []


def test_the_strict_tools_are_counted_once_for_the_complexity_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    # the validator's count of the strict tools is what the output schema is added to: the
    # tools' schemas are not walked a second time for output_config.format (same result)
    walked: list[object] = []
    counts = convo._schema._parameter_counts

    def counting(schema: object) -> tuple[int, int]:
        walked.append(schema)
        return counts(schema)

    monkeypatch.setattr(convo._schema, "_parameter_counts", counting)
    tool_schema = {"type": "object", "properties": strings(20), "additionalProperties": False}
    output_schema = {"type": "object", "properties": strings(5), "additionalProperties": False}
    body = {
        "model": "claude-opus-4-5",
        "max_tokens": 1024,
        "tools": [{"name": "lookup", "strict": True, "input_schema": tool_schema}],
        "messages": [{"role": "user", "content": "Hi"}],
        "output_config": {"format": {"type": "json_schema", "schema": output_schema}},
    }
    found = [(p.code, p.path) for p in convo.check(body).errors]
    assert found == [("output-schema-unsupported", "/output_config/format/schema")]
    assert walked == [tool_schema, output_schema]
    conversation = convo.Conversation(tools=body["tools"]).user("Hi")
    walked.clear()
    with pytest.raises(convo.ValidationError) as raised:
        conversation.request(model="claude-opus-4-5", max_tokens=1024, output_config=body["output_config"])
    assert [(p.code, p.path) for p in raised.value.errors] == found
    assert walked == [output_schema]
