"""Block types against the installed SDK: a new SDK block type must fail loudly here."""

from __future__ import annotations

import typing
from typing import Any

import msgspec
import pytest

import convo
from convo._blocks import BLOCK_TYPES

anthropic_types = pytest.importorskip("anthropic.types")


def tags(union: Any) -> set[str]:
    """The ``type`` literals of every member of an SDK union (TypedDicts or pydantic models)."""
    found: set[str] = set()
    origin = typing.get_origin(union)
    if origin is typing.Annotated:
        return tags(typing.get_args(union)[0])
    if origin is not typing.Union:
        return tags(typing.Union[union, None])  # noqa: UP007 - a single class, as a typing.Union
    for member in typing.get_args(union):
        if member is type(None):
            continue
        if typing.get_origin(member) in (typing.Annotated, typing.Union):
            found |= tags(member)
            continue
        if hasattr(member, "model_fields"):
            annotation = member.model_fields["type"].annotation
        else:
            annotation = typing.get_type_hints(member)["type"]
        while typing.get_args(annotation) and typing.get_origin(annotation) is not typing.Literal:
            annotation = typing.get_args(annotation)[0]
        found.update(typing.get_args(annotation))
    return found


def test_every_request_block_of_the_sdk_is_typed() -> None:
    from anthropic.types.content_block_param import ContentBlockParam

    assert tags(ContentBlockParam) <= BLOCK_TYPES.keys()


def test_every_response_block_of_the_sdk_is_typed() -> None:
    from anthropic.types.content_block import ContentBlock

    assert tags(ContentBlock) <= BLOCK_TYPES.keys()


def test_every_beta_block_of_the_sdk_is_typed() -> None:
    from anthropic.types.beta.beta_content_block_param import BetaContentBlockParam

    assert tags(BetaContentBlockParam) <= BLOCK_TYPES.keys()


def test_tool_result_nested_content_types_are_typed() -> None:
    from anthropic.types.tool_result_block_param import ToolResultBlockParam

    content = typing.get_type_hints(ToolResultBlockParam)["content"]
    iterable = next(a for a in typing.get_args(content) if typing.get_origin(a) is not None)
    assert tags(typing.get_args(iterable)[0]) <= BLOCK_TYPES.keys()
    assert {"tool_reference", "browser_state"} <= tags(typing.get_args(iterable)[0])


def test_convo_knows_nothing_the_sdk_does_not() -> None:
    from anthropic.types.beta.beta_content_block_param import BetaContentBlockParam
    from anthropic.types.content_block import ContentBlock
    from anthropic.types.content_block_param import ContentBlockParam
    from anthropic.types.tool_result_block_param import ToolResultBlockParam

    content = typing.get_type_hints(ToolResultBlockParam)["content"]
    iterable = next(a for a in typing.get_args(content) if typing.get_origin(a) is not None)
    sdk = tags(ContentBlockParam) | tags(ContentBlock) | tags(BetaContentBlockParam)
    sdk |= tags(typing.get_args(iterable)[0])
    assert set(BLOCK_TYPES) == sdk


def test_unknown_block_round_trips_exactly_and_warns() -> None:
    wire = b'[{"role":"user","content":[{"type":"hologram","frames":[3,1.50e3],"z":{"b":1,"a":2}}]}]'
    conv = convo.Conversation.from_wire(wire)
    (block,) = conv.messages[0].content
    assert isinstance(block, convo.OpaqueBlock)
    assert block.type == "hologram"
    assert conv.to_json() == b'{"messages":' + wire + b"}"
    assert [p.code for p in convo.check(wire).warnings] == ["block-unknown"]


def test_unknown_fields_on_known_blocks_survive() -> None:
    wire = b'[{"role":"user","content":[{"text":"hi","type":"text","future_field":{"y":1,"x":2}}]}]'
    assert convo.Conversation.from_wire(wire).to_json() == b'{"messages":' + wire + b"}"


def test_whitespace_goes_and_everything_else_stays() -> None:
    wire = b'[ {"role" : "user",\n "content": "caf\\u00e9  \\n"} ]'
    assert convo.Conversation.from_wire(wire).to_json() == (
        b'{"messages":[{"role":"user","content":"caf\\u00e9  \\n"}]}'
    )


def test_blocks_are_frozen() -> None:
    block = convo.TextBlock(text="hi")
    with pytest.raises(AttributeError):
        block.text = "x"  # type: ignore[misc]


def test_python_built_blocks_encode_in_api_order() -> None:
    use = convo.ToolUseBlock(id="toolu_1", name="f", input={"b": 1, "a": 2})
    assert msgspec.json.encode(use) == b'{"type":"tool_use","id":"toolu_1","name":"f","input":{"b":1,"a":2}}'
    assert use.type == "tool_use"


def test_blocks_read_with_unknown_nested_blocks_go_back_into_a_message() -> None:
    """A tool or search result read with a nested block of an unknown type holds an OpaqueBlock:
    a message (or a turn) built from it keeps it, as from_wire keeps it."""
    wire = (
        b'[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1",'
        b'"name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1",'
        b'"content":[{"type":"text","text":"a"},{"type":"hologram","z":1}]},{"type":"search_result",'
        b'"source":"s","title":"t","content":[{"type":"hologram"},{"type":"text","text":"b"}]}]}]'
    )
    read = convo.Conversation.from_wire(wire)
    blocks = read.messages[2].content
    assert convo.Message("user", blocks) == read.messages[2]
    assert convo.Conversation(messages=read.messages[:2]).user(blocks) == read
    with pytest.raises(convo.InvalidArgument, match=r"/content/0: Expected `str`, got `int`"):
        convo.Message("user", [convo.ToolResultBlock(tool_use_id=1, content=blocks[0].content)])  # type: ignore[arg-type, union-attr]
