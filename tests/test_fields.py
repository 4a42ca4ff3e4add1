"""The field tables of convo/_fields.py and the blocks' fields, held to the installed SDK's types.

An SDK release that adds a field to a block, a tool, a source or a parameter object fails here,
so that convo never warns about a field the API defines.
"""

from __future__ import annotations

import typing
from typing import Any

import pytest

import convo
from convo._blocks import BLOCK_TYPES
from convo._fields import (
    BETA_BODY_FIELDS,
    BETA_PARAMETER_FIELDS,
    BETA_TOOL_TYPES,
    CITATION_FIELDS,
    CLEAR_AT,
    MARKER_FIELDS,
    PARAMETER_FIELDS,
    SERVER_TOOL_NAMES,
    SERVER_TOOL_USE_NAMES,
    SOURCE_FIELDS,
    SYSTEM_MESSAGE_FIELDS,
    SYSTEM_OUTPUT_CONFIG_FIELDS,
    THINKING_FIELDS,
    TOOL_CHOICE_FIELDS,
    TOOL_FIELDS,
)
from convo._models import EFFORT_LEVELS

types = pytest.importorskip("anthropic.types")
beta_types = pytest.importorskip("anthropic.types.beta")


def fields(cls: Any) -> set[str]:
    """The wire names of a TypedDict's keys or a pydantic model's fields."""
    if hasattr(cls, "model_fields"):
        return {f.alias or name for name, f in cls.model_fields.items()}
    return set(cls.__required_keys__) | set(cls.__optional_keys__)


def members(union: Any) -> list[Any]:
    """The classes of a (possibly nested, possibly Annotated) union; ``str`` and None left out."""
    origin = typing.get_origin(union)
    if origin is typing.Annotated:
        return members(typing.get_args(union)[0])
    if origin is typing.Union:
        return [cls for arg in typing.get_args(union) for cls in members(arg)]
    if union in (type(None), str) or origin is not None:
        return []
    return [union]


def literals(cls: Any, name: str = "type") -> tuple[Any, ...]:
    annotation = (
        cls.model_fields[name].annotation if hasattr(cls, "model_fields") else cls.__annotations__[name]
    )
    if isinstance(annotation, str | typing.ForwardRef):
        annotation = typing.get_type_hints(cls)[name]
    while typing.get_args(annotation) and typing.get_origin(annotation) is not typing.Literal:
        annotation = typing.get_args(annotation)[0]
    return typing.get_args(annotation)


def by_type(*unions: Any) -> dict[str, set[str]]:
    """Every ``type`` literal of the unions' members, with the union of their fields."""
    found: dict[str, set[str]] = {}
    for union in unions:
        for cls in members(union):
            for tag in literals(cls):
                found.setdefault(tag if tag is not None else "custom", set()).update(fields(cls))
    return found


def nested_content(result: Any) -> Any:
    content = typing.get_type_hints(result)["content"]
    iterable = next(a for a in typing.get_args(content) if typing.get_origin(a) is not None)
    return typing.get_args(iterable)[0]


def params(module: Any) -> dict[str, Any]:
    return typing.get_type_hints(module.MessageCreateParamsBase)


def test_every_block_has_the_fields_the_sdk_gives_it() -> None:
    from anthropic.types.beta.beta_content_block import BetaContentBlock
    from anthropic.types.beta.beta_content_block_param import BetaContentBlockParam
    from anthropic.types.beta.beta_tool_result_block_param import BetaToolResultBlockParam
    from anthropic.types.content_block import ContentBlock
    from anthropic.types.content_block_param import ContentBlockParam
    from anthropic.types.tool_result_block_param import ToolResultBlockParam

    sdk = by_type(
        ContentBlockParam,
        nested_content(ToolResultBlockParam),
        BetaContentBlockParam,
        nested_content(BetaToolResultBlockParam),
        ContentBlock,
        BetaContentBlock,
    )
    for tag, cls in BLOCK_TYPES.items():
        ours = {*cls.__struct_encode_fields__, "type"}
        if tag in ("thinking", "redacted_thinking"):  # kept so that a stray marker is reported
            ours.discard("cache_control")
        assert ours == sdk[tag], tag


def test_sources_have_the_fields_the_sdk_gives_them() -> None:
    sdk: dict[str, set[str]] = {}
    for name in dir(types):
        if name.endswith("SourceParam"):
            cls = getattr(types, name)
            for tag in literals(cls):
                sdk.setdefault(tag, set()).update(fields(cls))
    assert {tag: set(known) for tag, known in SOURCE_FIELDS.items()} == sdk


def test_tools_have_the_fields_the_sdk_gives_them() -> None:
    from anthropic.types import message_create_params
    from anthropic.types.beta import message_create_params as beta_params

    tools = (params(message_create_params)["tools"], params(beta_params)["tools"])
    sdk = by_type(*(typing.get_args(union)[0] for union in tools))
    assert {tag: set(known) for tag, known in TOOL_FIELDS.items()} == sdk
    ga = by_type(typing.get_args(tools[0])[0])
    assert set(sdk) - set(ga) == BETA_TOOL_TYPES


def test_server_tools_have_the_names_the_sdk_gives_them() -> None:
    from anthropic.types import message_create_params
    from anthropic.types.beta import message_create_params as beta_params

    sdk: dict[str, str] = {}
    for module in (message_create_params, beta_params):
        for cls in members(typing.get_args(params(module)["tools"])[0]):
            name = typing.get_type_hints(cls).get("name")
            while typing.get_args(name) and typing.get_origin(name) is not typing.Literal:
                name = typing.get_args(name)[0]
            if typing.get_origin(name) is typing.Literal:
                for tag in literals(cls):
                    (sdk[tag],) = typing.get_args(name)
    assert dict(SERVER_TOOL_NAMES) == sdk


def test_server_tool_use_blocks_take_the_names_the_sdk_gives_them() -> None:
    sdk = set()
    for cls in (types.ServerToolUseBlockParam, beta_types.BetaServerToolUseBlockParam):
        sdk |= set(typing.get_args(typing.get_type_hints(cls)["name"]))
    assert sdk == SERVER_TOOL_USE_NAMES


def test_parameter_objects_have_the_fields_the_sdk_gives_them() -> None:
    from anthropic.types import message_create_params
    from anthropic.types.beta import message_create_params as beta_params

    ga, beta = params(message_create_params), params(beta_params)
    assert {k: set(v) for k, v in THINKING_FIELDS.items()} == by_type(ga["thinking"])
    assert {k: set(v) for k, v in TOOL_CHOICE_FIELDS.items()} == by_type(ga["tool_choice"])
    assert {k: set(v) for k, v in TOOL_CHOICE_FIELDS.items()} == by_type(beta["tool_choice"])
    for name in ("metadata", "output_config", "diagnostics", "container", "cache_control"):
        (cls,) = [c for c in members(ga[name]) if hasattr(c, "__required_keys__")]
        assert fields(cls) == PARAMETER_FIELDS[name], name
    assert PARAMETER_FIELDS["cache_control"] == MARKER_FIELDS
    assert fields(types.JSONOutputFormatParam) == PARAMETER_FIELDS["output_config.format"]
    # what only the beta types add
    thinking_beta = set().union(*by_type(beta["thinking"]).values()) - set().union(*THINKING_FIELDS.values())
    assert thinking_beta == BETA_PARAMETER_FIELDS["thinking"]
    (output_beta,) = members(beta["output_config"])
    assert fields(output_beta) - PARAMETER_FIELDS["output_config"] == BETA_PARAMETER_FIELDS["output_config"]
    assert set(beta) - set(ga) == BETA_BODY_FIELDS


JSON_TYPES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def json_types(annotation: Any) -> set[str]:
    """The JSON types a TypedDict field's annotation (``Required`` stripped) takes."""
    if typing.get_origin(annotation) is typing.Union:
        return set().union(*map(json_types, typing.get_args(annotation)))
    return {JSON_TYPES.get(annotation, repr(annotation))}


def test_citations_have_the_fields_the_sdk_gives_them() -> None:
    """Every citation type of the SDK's ``TextCitationParam`` (and the beta one), each field
    required, with its JSON types: a release that adds a type or a field, or makes one optional,
    fails here."""
    from anthropic.types.beta.beta_text_citation_param import BetaTextCitationParam
    from anthropic.types.text_citation_param import TextCitationParam

    for union in (TextCitationParam, BetaTextCitationParam):
        sdk: dict[str, dict[str, set[str]]] = {}
        for cls in members(union):
            (tag,) = literals(cls)
            # the SDK's modules postpone annotations, so __required_keys__ cannot see Required
            hints = typing.get_type_hints(cls, include_extras=True)
            assert all(typing.get_origin(hint) is typing.Required for hint in hints.values()), cls
            sdk[tag] = {
                name: json_types(typing.get_args(hint)[0]) for name, hint in hints.items() if name != "type"
            }
        ours = {
            tag: {name: set(kinds) for name, kinds in known.items()} for tag, known in CITATION_FIELDS.items()
        }
        assert ours == sdk


def test_system_messages_have_the_fields_the_sdk_gives_them() -> None:
    from anthropic.types.beta.beta_system_message_param import BetaSystemMessageParam
    from anthropic.types.system_message_param import SystemMessageParam

    assert fields(BetaSystemMessageParam) - fields(SystemMessageParam) == SYSTEM_MESSAGE_FIELDS
    assert set(literals(BetaSystemMessageParam, "clear_at")) == set(CLEAR_AT)
    (config,) = members(typing.get_type_hints(BetaSystemMessageParam)["output_config"])
    assert fields(config) == SYSTEM_OUTPUT_CONFIG_FIELDS
    assert set(literals(config, "effort")) == EFFORT_LEVELS


def test_a_request_with_every_field_the_sdk_defines_reports_none_unknown() -> None:
    body = {
        "model": "claude-opus-4-8",
        "max_tokens": 4096,
        "thinking": {"type": "enabled", "budget_tokens": 2048, "display": "omitted"},
        "tool_choice": {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": True},
        "metadata": {"user_id": "u1"},
        "output_config": {
            "effort": "high",
            "format": {"type": "json_schema", "schema": {"type": "object", "additionalProperties": False}},
        },
        "cache_control": {"type": "ephemeral", "ttl": "5m"},
        "tools": [
            {
                "type": "custom",
                "name": "get_weather",
                "description": "Weather.",
                "input_schema": {"type": "object"},
                "input_examples": [{}],
                "strict": True,
                "defer_loading": False,
                "eager_input_streaming": True,
                "cache_control": {"type": "ephemeral", "ttl": "1h"},
            }
        ],
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Hi", "citations": None, "cache_control": {"type": "ephemeral"}},
                    {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}},
                ],
            }
        ],
    }
    codes = {p.code for p in convo.check(body).problems}
    assert not codes & {"parameter-unknown", "tool-field-unknown", "block-field-unknown"}, codes


def test_unknown_fields_stay_in_the_bytes() -> None:
    wire = b'[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral","tll":"1h"}}]}]'
    conv = convo.Conversation.from_wire(wire)
    assert conv.to_json() == b'{"messages":' + wire + b"}"
    (problem,) = convo.check(wire).warnings
    assert (problem.code, problem.path) == ("block-field-unknown", "/messages/0/content/0/cache_control/tll")
    assert "did you mean 'ttl'" in problem.message


def test_a_renamed_field_survives_the_step_by_step_reader() -> None:
    """The unknown field sends the message the slow way, which must keep fallback's ``from``."""
    wire = (
        b'[{"role":"user","content":"Hi"},{"role":"assistant","content":['
        b'{"type":"fallback","from":{"model":"a"},"to":{"model":"b"}},{"type":"text","text":"x","zz":1}]}]'
    )
    block = convo.Conversation.from_wire(wire).messages[1].content[0]
    assert isinstance(block, convo.FallbackBlock)
    assert block.from_ == {"model": "a"}


def test_a_property_named_like_a_tool_field_is_not_the_tool_s() -> None:
    """Cache placement reads defer_loading from the tool itself, not from its schema's text."""
    tool = {
        "name": "cfg",
        "input_schema": {"type": "object", "properties": {"defer_loading": {"type": "boolean"}}},
    }
    body = {
        "model": "claude-opus-4-8",
        "max_tokens": 10,
        "tools": [tool],
        "messages": [{"role": "user", "content": "Hi"}],
    }
    assert convo.check(convo.place_cache(body)).valid
