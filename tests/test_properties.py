"""Property tests: convo against the Hypothesis strategies of ``convo.testing``.

* every generated conversation is valid, and reads back to the same bytes;
* every invalid example is reported exactly: one rule, at one JSON Pointer (two documented rules
  bring one inherent companion each);
* appending never mutates, branches are independent, and incremental validation (appending one
  message at a time) agrees with validating the whole conversation;
* no input at all makes ``check`` raise, or ``from_wire``/``append`` raise anything but a
  ``ConvoError``.

Bugs these properties found are kept at the end of this file as minimal regression tests; those
still open are pinned by ``xfail(strict=True)``, so a fix fails the run until its marker goes.
"""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any
from unittest import mock

import hypothesis.errors
import msgspec
import pytest
from hypothesis import Phase, assume, find, given, settings
from hypothesis import strategies as st

import convo
from convo import Conversation, Message, ServerToolUseBlock, ToolUseBlock, _conversation
from convo._conversation import read
from convo._models import profile
from convo._rules import _FIELDS, IdIndex, Validator
from convo.testing import (
    BREAKABLE_RULES,
    Broken,
    blocks,
    conversations,
    images,
    invalid_conversations,
    wire_conversations,
)

FEW = settings(max_examples=max(5, settings().max_examples // 5))
"""For the tests parametrized over every rule: a fifth of the profile's examples each."""
MANY = settings(max_examples=10 * settings().max_examples)
"""For cheap tests that look for rare combinations: ten times the profile's examples."""

ROLES = frozenset({"user", "assistant", "system"})

UNREACHABLE = frozenset({"messages-too-many"})
"""Error rules no cheap mutation reaches (100,001 messages); tests/test_rules.py covers them."""

BREAKABLE_REQUEST_RULES = frozenset(
    {
        "sampling-parameter-removed",
        "citations-with-output-format",
        "max-tokens-invalid",
        "parameter-invalid",
        "prewarm-conflict",
        "stop-sequence-empty",
        "stop-sequence-whitespace",
        "thinking-budget-exceeds-max-tokens",
        "thinking-budget-too-small",
        "thinking-invalid",
        "tool-choice-forced-unsupported",
        "tool-choice-invalid",
        "cache-control-automatic-ttl",
        "container-missing",
        "fallback-declined-tool-use",
        "effort-unsupported",
        "max-tokens-too-large",
        "output-schema-unsupported",
        "prefill-with-thinking",
        "request-too-large",
        "thinking-final-block-missing",
        "thinking-final-while-disabled",
        "thinking-not-first",
        "thinking-type-unsupported",
    }
)
"""Request rules convo.testing breaks: parameters of the body, with no model named, and the
rules of a body naming a model, its size, its automatic breakpoint and its output schema."""

INHERENT = {
    # Results must come first: text before a tool_result leaves its tool_use unanswered too
    # (api-rules §3.3: "it surfaces as the 3.1 message").
    "tool-result-not-first": "tool-use-unanswered",
    # An empty text block is empty whether or not it carries a marker (api-rules §1.10, §1.12).
    "cache-control-empty-text": "text-empty",
}
"""Rules that inherently come with one other error, and which one."""

REQUEST_LEVEL = BREAKABLE_REQUEST_RULES | frozenset(
    {
        "prefill-unsupported",
        "final-assistant-trailing-whitespace",
        "system-message-unsupported",
        "images-too-many",
        "pdf-pages-too-many",
        "many-images-too-large",
        "messages-empty",
    }
)
"""Rules reported only for a request (a body naming a model, or today's request parameters)."""

KNOWN_BROKEN: dict[str, str] = {}
"""Rules whose property tests fail because of a known convo bug: rule -> reason (xfail, strict)."""

NOT_APPENDABLE = REQUEST_LEVEL | {"input-unreadable", "messages-invalid", "system-invalid", "tool-invalid"}
"""Rules whose examples cannot be built with ``Conversation(system=, tools=)`` and ``append``."""


def _rule_params(rules: Any) -> list[Any]:
    return [
        pytest.param(rule, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BROKEN[rule]))
        if rule in KNOWN_BROKEN
        else rule
        for rule in rules
    ]


def _pairs(problems: Any) -> set[tuple[str, str]]:
    return {(p.code, p.path) for p in problems}


def _build(wire: dict[str, Any]) -> Conversation:
    """The conversation built turn by turn: system and tools first, then one append per message."""
    conv = Conversation(system=wire.get("system"), tools=wire.get("tools", ()))
    for message in wire["messages"]:
        conv = conv.append(message)
    return conv


# --------------------------------------------------------------------------- valid conversations


@given(conversations(system_messages=st.booleans()))
def test_generated_conversations_are_valid(conv: Conversation) -> None:
    report = convo.check(conv.to_json())
    assert report.valid, report.errors
    assert report.problems == ()  # no warning either
    assert conv.check().problems == ()


@given(wire_conversations(system_messages=st.booleans()))
def test_wire_conversations_read_back_exactly(wire: dict[str, Any]) -> None:
    conv = Conversation.from_wire(wire)
    assert conv.to_json() == msgspec.json.encode(wire)
    for message, original in zip(conv.messages, wire["messages"], strict=True):
        if isinstance(original["content"], str):
            assert message.content == original["content"]
            continue
        assert isinstance(message.content, tuple)
        for block, raw in zip(message.content, original["content"], strict=True):
            assert block.type == raw["type"]
            if isinstance(block, ToolUseBlock):  # key order kept, at every depth
                assert list(block.input) == list(raw["input"])
                assert msgspec.json.encode(block.input) == msgspec.json.encode(raw["input"])


@given(conversations(), st.sampled_from(["bytes", "str", "bytearray", "json.loads", "conversation"]))
def test_round_trip_identity(conv: Conversation, form: str) -> None:
    data = conv.to_json()
    source: object = {
        "bytes": data,
        "str": data.decode(),
        "bytearray": bytearray(data),
        "json.loads": json.loads(data),
        "conversation": conv,
    }[form]
    again = Conversation.from_wire(source)
    assert again.to_json() == data
    assert again == conv
    assert hash(again) == hash(conv)
    assert [m.to_json() for m in again.messages] == [m.to_json() for m in conv.messages]


@given(conversations(system_messages=st.booleans()), st.sampled_from([None, "claude-opus-4-8"]))
def test_pickle_and_copy_keep_the_conversation(conv: Conversation, model: str | None) -> None:
    if model is not None:
        conv = Conversation.from_wire(conv.to_json(), model=model)
    again = pickle.loads(pickle.dumps(conv))
    assert again.to_json() == conv.to_json() and again == conv
    assert again._model == conv._model
    assert copy.copy(conv) is conv and copy.deepcopy(conv) is conv  # immutable
    if conv.messages and conv.messages[-1].role == "user":  # it grows on as the original does
        assert again.assistant("ok").to_json() == conv.assistant("ok").to_json()


@given(invalid_conversations(rule=st.sampled_from(BREAKABLE_RULES)), st.sampled_from([None, 1]))
def test_one_pass_and_step_by_step_readers_agree(
    case: tuple[dict[str, Any], Broken], indent: int | None
) -> None:
    wire, _ = case
    _readers_agree(wire)
    _readers_agree(json.dumps(wire, indent=indent, ensure_ascii=False).encode())


@given(
    wire_conversations(tools=False, server_tools=False),
    st.booleans(),
    st.sampled_from([None, 0, 1, "\t"]),
)
def test_reading_json_text_keeps_its_bytes(
    wire: dict[str, Any], ascii: bool, indent: int | str | None
) -> None:
    """Escapes, number literals and key order survive; only insignificant whitespace goes."""
    text = json.dumps(wire, ensure_ascii=ascii, indent=indent)
    conv = Conversation.from_wire(text)
    assert conv.to_json() == msgspec.json.format(text.encode(), indent=-1)
    assert Conversation.from_wire(conv.to_json()).to_json() == conv.to_json()


@given(
    st.lists(blocks(role="user"), min_size=1, max_size=3),
    st.lists(blocks(role="assistant"), min_size=1, max_size=3),
)
def test_blocks_are_valid_in_their_role(user: list[convo.Block], assistant: list[convo.Block]) -> None:
    # an assistant turn that holds thinking starts with it (rule thinking-not-first)
    assistant.sort(key=lambda b: not isinstance(b, convo.ThinkingBlock | convo.RedactedThinkingBlock))
    conv = Conversation().user(user).assistant(assistant)
    assert convo.check(conv.to_json()).problems == ()


@given(images())
def test_image_bytes_are_what_they_claim(block: convo.ImageBlock) -> None:
    from convo._images import sniff_base64

    info = sniff_base64(block.source["data"])
    assert info is not None and info.media_type == block.source["media_type"]
    assert info.width is not None and info.height is not None


NEWER_BLOCKS: dict[str, type] = {
    "bash_code_execution_tool_result": convo.BashCodeExecutionToolResultBlock,
    "container_upload": convo.ContainerUploadBlock,
    "text_editor_code_execution_tool_result": convo.TextEditorCodeExecutionToolResultBlock,
    "tool_reference": convo.ToolReferenceBlock,
    "tool_search_tool_result": convo.ToolSearchToolResultBlock,
}
"""Block types the valid strategies make besides the first ones, and the class each reads as."""
SUB_TOOLS = {"bash_code_execution": "code_execution", "text_editor_code_execution": "code_execution"}
"""Server tool calls that code execution (20250825) declares."""


def _wire_types(wire: dict[str, Any]) -> set[str]:
    """The types of the blocks of every message, and of those inside tool_result blocks."""
    found: set[str] = set()
    for message in wire["messages"]:
        for block in message["content"] if isinstance(message["content"], list) else ():
            found.add(block["type"])
            if block["type"] == "tool_result" and isinstance(block.get("content"), list):
                found.update(inner["type"] for inner in block["content"])
    return found


def _blocks_and_wire(conv: Conversation, wire: dict[str, Any]) -> list[tuple[convo.Block, Any]]:
    """Every block of ``conv`` (inside tool_result blocks too) with the wire dict it was read from."""
    pairs: list[tuple[convo.Block, Any]] = []
    for message, raw in zip(conv.messages, wire["messages"], strict=True):
        if isinstance(raw["content"], str):
            continue
        for block, data in zip(message.blocks, raw["content"], strict=True):
            pairs.append((block, data))
            if isinstance(block, convo.ToolResultBlock) and isinstance(block.content, tuple):
                pairs.extend(zip(block.content, data["content"], strict=True))
    return pairs


def _declared_as_needed(wire: dict[str, Any], conv: Conversation) -> None:
    """Each server tool call, container upload and tool reference has its tool in ``tools``."""
    declared = {tool["name"] for tool in wire.get("tools", ())}
    for block, _ in _blocks_and_wire(conv, wire):
        if isinstance(block, ServerToolUseBlock):
            assert SUB_TOOLS.get(block.name, block.name) in declared
        elif isinstance(block, convo.ContainerUploadBlock):
            assert "code_execution" in declared
        elif isinstance(block, convo.ToolReferenceBlock):
            assert block.tool_name in declared
        elif isinstance(block, convo.ToolSearchToolResultBlock):
            assert {ref["tool_name"] for ref in block.content.get("tool_references", ())} <= declared


@pytest.mark.parametrize("kind", sorted(NEWER_BLOCKS))
def test_the_newer_block_types_are_generated_and_read_back_exactly(kind: str) -> None:
    wire = find(
        wire_conversations(images=False),  # images are slow to make, and not what is looked for
        lambda w: kind in _wire_types(w),
        settings=settings(phases=[Phase.generate], max_examples=1000, database=None),  # no need to shrink
    )
    assert convo.check(wire).problems == ()
    conv = Conversation.from_wire(wire)
    assert conv.to_json() == msgspec.json.encode(wire)
    assert Conversation.from_wire(conv.to_json()) == conv
    assert any(type(block) is NEWER_BLOCKS[kind] for block, _ in _blocks_and_wire(conv, wire))  # not opaque
    _declared_as_needed(wire, conv)
    _readers_agree(wire)
    _readers_agree(msgspec.json.encode(wire))


@given(wire_conversations(system_messages=st.booleans()))
def test_conversations_with_the_newer_blocks_round_trip(wire: dict[str, Any]) -> None:
    assume(_wire_types(wire) & set(NEWER_BLOCKS))
    conv = Conversation.from_wire(wire)
    assert conv.to_json() == msgspec.json.encode(wire)
    for block, data in _blocks_and_wire(conv, wire):
        assert block.type == data["type"] and not isinstance(block, convo.OpaqueBlock)
        assert msgspec.json.encode(block) == msgspec.json.encode(data)  # each block, byte for byte
    _declared_as_needed(wire, conv)


def _after_results(wire: dict[str, Any]) -> bool:
    """Whether a system message follows a user turn that answers tool calls."""
    messages = wire["messages"]
    return any(
        message["role"] == "system" and "tool_result" in _wire_types({"messages": [messages[i - 1]]})
        for i, message in enumerate(messages)
    )


SYSTEM_MESSAGE_SHAPES = {
    "after tool results": _after_results,
    "as text blocks": lambda w: any(
        m["role"] == "system" and isinstance(m["content"], list) for m in w["messages"]
    ),
    "two in a row": lambda w: any(
        a["role"] == b["role"] == "system" for a, b in zip(w["messages"], w["messages"][1:], strict=False)
    ),
}
"""Where and how api-rules §1.3 lets a role "system" message stand, besides after a plain user turn."""


@pytest.mark.parametrize("shape", sorted(SYSTEM_MESSAGE_SHAPES))
def test_system_messages_take_every_shape_the_api_allows(shape: str) -> None:
    wire = find(
        wire_conversations(system_messages=True, images=False),
        SYSTEM_MESSAGE_SHAPES[shape],
        settings=settings(phases=[Phase.generate], max_examples=1000, database=None),
    )
    assert convo.check(wire).problems == ()
    assert Conversation.from_wire(wire).to_json() == msgspec.json.encode(wire)


@given(st.booleans(), st.booleans(), st.data())
def test_the_flags_leave_their_blocks_out(tools: bool, server_tools: bool, data: st.DataObject) -> None:
    wire = data.draw(wire_conversations(tools=tools, server_tools=server_tools), label="wire")
    kinds = _wire_types(wire)
    if not server_tools:
        assert not kinds & {"server_tool_use", "container_upload", *NEWER_BLOCKS} - {"tool_reference"}
    if not tools:
        assert not kinds & {"tool_use", "tool_result", "tool_reference"}


# --------------------------------------------------------------------------- invalid conversations


def test_breakable_rules_are_every_reachable_error_rule() -> None:
    errors = {code for code, rule in convo.RULES.items() if rule.severity == "error"}
    assert set(BREAKABLE_RULES) <= errors
    assert errors - set(BREAKABLE_RULES) == UNREACHABLE  # a new error rule comes with its mutator
    assert list(BREAKABLE_RULES) == sorted(BREAKABLE_RULES)


@pytest.mark.parametrize("rule", _rule_params(BREAKABLE_RULES))
@FEW
@given(data=st.data())
def test_invalid_conversations_break_exactly_one_rule(rule: str, data: st.DataObject) -> None:
    wire, broken = data.draw(invalid_conversations(rule=rule), label="case")
    assert isinstance(broken, Broken) and broken.code == rule
    assert {code for code, _ in broken.also} == ({INHERENT[rule]} if rule in INHERENT else set())
    report = convo.check(wire)
    assert _pairs(report.errors) == broken.expected
    assert _pairs(convo.check(msgspec.json.encode(wire)).errors) == broken.expected  # bytes read the same
    if rule == "input-unreadable":
        with pytest.raises(convo.InputError):
            Conversation.from_wire(wire)
    elif rule not in REQUEST_LEVEL:
        with pytest.raises(convo.ValidationError) as info:
            Conversation.from_wire(wire)
        assert _pairs(info.value.errors) == broken.expected


@given(invalid_conversations(rule=st.sampled_from([r for r in BREAKABLE_RULES if r not in KNOWN_BROKEN])))
def test_any_rule_is_reported_exactly(case: tuple[dict[str, Any], Broken]) -> None:
    wire, broken = case
    assert _pairs(convo.check(wire).errors) == broken.expected


# --------------------------------------------------------------------------- immutability and branching


def _continue(conv: Conversation, text: str) -> Conversation:
    """Append the one valid next turn: results for pending calls, else the other role's text."""
    pending = conv.pending_tool_uses
    if pending:
        return conv.tool_results({use.id: text for use in pending})
    last = conv.messages[-1].role if len(conv) else None
    return conv.assistant(text) if last in ("user", "system") else conv.user(text)


def _ready_for_assistant(conv: Conversation) -> Conversation:
    while not len(conv) or conv.messages[-1].role != "user":
        conv = _continue(conv, "go on")
    return conv


@given(wire_conversations(system_messages=st.booleans()), st.data())
def test_appending_never_mutates_and_branches_are_independent(
    wire: dict[str, Any], data: st.DataObject
) -> None:
    versions = [Conversation(system=wire.get("system"), tools=wire.get("tools", ()))]
    for message in wire["messages"]:
        versions.append(versions[-1].append(message))
    snapshots = [v.to_json() for v in versions]
    assert versions[-1] == Conversation.from_wire(wire)

    k = data.draw(st.integers(0, len(versions) - 1), label="branch point")
    branch = _continue(versions[k], "branch")
    main = _continue(versions[-1], "main")
    assert [v.to_json() for v in versions] == snapshots
    assert list(branch.messages)[:-1] == list(versions[k].messages)
    assert list(main.messages)[:-1] == list(versions[-1].messages)
    for conv in (branch, main):
        assert convo.check(conv.to_json()).valid
        assert Conversation.from_wire(conv.to_json()) == conv

    # Tool ids used on the main line after the branch point are free on the branch, and only there.
    later = [
        b.id
        for m in list(versions[-1].messages)[k:]
        for b in m.blocks
        if isinstance(b, ToolUseBlock | ServerToolUseBlock)
    ]
    if later:
        call = ToolUseBlock(id=later[0], name="lookup", input={})
        reused = _ready_for_assistant(branch).assistant([call])
        assert convo.check(reused.to_json()).valid
        ready = _ready_for_assistant(main)
        before = ready.to_json()
        with pytest.raises(convo.ValidationError) as info:
            ready.assistant([call])
        assert {p.code for p in info.value.errors} == {"tool-use-id-duplicate"}
        assert ready.to_json() == before
        assert convo.check(_continue(ready, "still fine").to_json()).valid
    assert [v.to_json() for v in versions] == snapshots


# --------------------------------------------------------------------------- incremental = full validation


@given(wire_conversations(system_messages=st.booleans()))
def test_building_turn_by_turn_equals_reading(wire: dict[str, Any]) -> None:
    built = _build(wire)
    read = Conversation.from_wire(wire)
    assert built == read
    assert built.to_json() == read.to_json()
    at_once = Conversation(system=wire.get("system"), tools=wire.get("tools", ()), messages=wire["messages"])
    assert at_once.to_json() == read.to_json()


@given(wire_conversations(system=False, tools=False, server_tools=False, min_turns=2))
def test_json_lines_read_like_an_array(wire: dict[str, Any]) -> None:
    lines = b"\n".join(msgspec.json.encode(m) for m in wire["messages"]) + b"\n"
    assert Conversation.from_wire(lines).to_json() == Conversation.from_wire(wire["messages"]).to_json()


@pytest.mark.parametrize("rule", _rule_params(r for r in BREAKABLE_RULES if r not in NOT_APPENDABLE))
@FEW
@given(data=st.data())
def test_incremental_validation_agrees_with_full_validation(rule: str, data: st.DataObject) -> None:
    """Appending one message at a time raises iff check reports an error, with the same errors."""
    wire, broken = data.draw(invalid_conversations(rule=rule), label="case")
    assume(set(wire) <= {"system", "tools", "messages"})  # no top-level cache_control
    full = _pairs(convo.check(wire).errors)
    assert full == broken.expected
    try:
        conv = Conversation(system=wire.get("system"), tools=wire.get("tools", ()))
    except convo.ValidationError as exc:
        assert _pairs(exc.errors) == full
        return
    for message in wire["messages"]:
        before = conv.to_json()
        try:
            conv = conv.append(message)
        except convo.ValidationError as exc:
            assert _pairs(exc.errors) == full
            assert conv.to_json() == before  # a failed append changes nothing
            assert Conversation.from_wire(before) == conv
            # ... and leaves no trace: the ids of its calls are as free as they were before it
            assert _calls_again(conv, message) == _calls_again(Conversation.from_wire(before), message)
            return
    pytest.fail(f"every append succeeded, but check reports {sorted(full)}")


def _calls_again(conv: Conversation, message: dict[str, Any]) -> object:
    """What an assistant turn calling the tools of ``message`` (by id) gives after ``conv``:
    the new conversation's bytes, or its errors."""
    content = message.get("content")
    calls = [
        ToolUseBlock(id=block["id"], name="lookup", input={})
        for block in (content if isinstance(content, list) else ())
        if isinstance(block, dict)
        and block.get("type") in ("tool_use", "server_tool_use")
        and isinstance(block.get("id"), str)
    ]
    if not calls:
        return None
    try:
        return _ready_for_assistant(conv).assistant(calls).to_json()
    except convo.ValidationError as exc:
        return _pairs(exc.errors)


def _validate(messages: list[Message], split: int, model: str | None = None) -> tuple[Any, ...]:
    """What the validator reports and keeps after ``messages``: the first ``split`` fed one at a
    time (the general path), the rest by ``feed_all`` (its fast path, where it applies)."""
    problems: list[convo.Problem] = []
    state = Validator(profile=profile(model), ids=IdIndex(), sink=problems.append)
    for message in messages[:split]:
        state.feed(message)
    state.feed_all(messages[split:])
    state.finish("request", messages)
    kept = {name: getattr(state, name) for name in _FIELDS if name not in ("sink", "ids")}
    return problems, kept, state.ids.ids


_IDS = st.sampled_from(["toolu_a", "toolu_b", "toolu_c", "bad id"])
_MARK = st.sampled_from([None, None, None, convo.CacheControl(type="ephemeral")])
_SOUP_BLOCK = st.one_of(
    st.builds(
        ToolUseBlock,
        id=_IDS,
        name=st.just("read"),
        input=st.just({}),
        toolset_name=st.sampled_from([None, None, None, "browser"]),
        cache_control=_MARK,
    ),
    st.builds(
        convo.ToolResultBlock,
        tool_use_id=_IDS,
        content=st.none()
        | st.sampled_from(["", "ok"])
        | st.lists(blocks(role="user"), max_size=2).map(tuple),
        cache_control=_MARK,
    ),
    st.builds(convo.TextBlock, text=st.sampled_from(["hi", "hi", "", " ", "hi "]), cache_control=_MARK),
    blocks(role=st.sampled_from(["user", "assistant"])),
)


@st.composite
def _soup(draw: st.DrawFn) -> list[Message]:
    """Tool loops, mostly right and sometimes not: turns that mostly alternate; tool_use ids mostly
    new, sometimes reused or malformed, sometimes in a toolset; a server tool call sometimes left
    running; results that mostly answer the turn before, sometimes one short, doubled, foreign
    or after text; any other block besides; empty and blank text; markers."""
    messages: list[Message] = []
    role, pending, fresh = "assistant", [], 0
    for _ in range(draw(st.integers(0, 8))):
        step = draw(st.sampled_from(["next"] * 6 + ["user", "assistant", "system"]))
        role = ("user" if role == "assistant" else "assistant") if step == "next" else step
        made: list[convo.Block] = []
        if role == "assistant":
            for _ in range(draw(st.integers(0, 3))):
                fresh += 1
                tool_id = draw(st.sampled_from([f"toolu_{fresh}"] * 5 + ["toolu_a", "bad id", *pending]))
                toolset = draw(st.sampled_from([None] * 5 + ["browser"]))
                made.append(ToolUseBlock(id=tool_id, name="read", input={}, toolset_name=toolset))
            pending = [block.id for block in made if isinstance(block, ToolUseBlock)]
            if draw(st.integers(0, 5)) == 0:  # a server tool still running: the turn pauses
                made.append(ServerToolUseBlock(id=f"srvtoolu_{fresh}", name="web_search", input={}))
        elif role == "user":
            answers = list(pending)
            change = draw(st.sampled_from(["none"] * 5 + ["drop", "double", "foreign"]))
            if change == "drop" and answers:
                answers.pop(draw(st.integers(0, len(answers) - 1)))
            elif change == "double" and answers:
                answers.append(answers[0])
            elif change == "foreign":
                answers.append("toolu_a")
            for tool_id in answers:
                made.append(
                    convo.ToolResultBlock(tool_use_id=tool_id, content=draw(st.sampled_from(["ok", None])))
                )
        made[draw(st.integers(0, len(made))) :] += draw(st.lists(_SOUP_BLOCK, max_size=2))
        content = draw(st.sampled_from(["", " ", "hi"])) if draw(st.integers(0, 9)) == 0 else made
        messages.append(Message(role, content))  # type: ignore[arg-type]
    return messages


_SOUP = _soup()


@MANY
@given(_SOUP, st.integers(min_value=0), st.sampled_from([None, "claude-sonnet-4-5"]))
def test_feed_all_is_feed_on_each_message(messages: list[Message], split: int, model: str | None) -> None:
    """feed_all's fast path reports and keeps exactly what feeding one message at a time does."""
    assert _validate(messages, split % (len(messages) + 1), model) == _validate(
        messages, len(messages), model
    )


@given(wire_conversations(server_tools=st.booleans(), system_messages=st.booleans()))
def test_feed_all_is_feed_on_valid_conversations(wire: dict[str, Any]) -> None:
    messages = list(Conversation.from_wire(wire).messages)
    assert _validate(messages, 0) == _validate(messages, len(messages))


def test_feed_all_takes_the_fast_path_on_a_tool_loop() -> None:
    """The fast path is not dead code: a plain tool loop never reaches the general path."""
    conv = Conversation().user("Read a.txt")
    for i in range(3):
        conv = conv.assistant([ToolUseBlock(id=f"toolu_{i}", name="read", input={})])
        conv = conv.tool_results({f"toolu_{i}": "text"})
    wire = conv.to_json()
    with mock.patch.object(Validator, "feed", side_effect=AssertionError("took the general path")):
        Conversation.from_wire(wire)


# --------------------------------------------------------------------------- fuzzing

_KEYS = st.sampled_from(
    ["role", "content", "type", "text", "id", "tool_use_id", "input", "name", "source", "media_type", "data",
     "cache_control", "ttl", "signature", "thinking", "citations", "messages", "system", "tools", "input_schema",
     "is_error", "url", "file_id", "title", "model", "convo", "temperature"]
)  # fmt: skip
_WORDS = st.sampled_from(
    ["user", "assistant", "system", "text", "image", "tool_use", "tool_result", "thinking", "redacted_thinking",
     "server_tool_use", "web_search_tool_result", "document", "search_result", "base64", "url", "file", "ephemeral",
     "1h", "5m", "image/png", "application/pdf", "toolu_1", "srvtoolu_1", "message", "object", "", " ", "iVBORw0K"]
)  # fmt: skip
_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8), _WORDS, _WORDS)
_GARBAGE: st.SearchStrategy[Any] = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_KEYS | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=30,
)
_ROLE = st.one_of(st.sampled_from(["user", "assistant", "system"]), _LEAVES)
_BLOCK = st.one_of(
    st.fixed_dictionaries({"type": _WORDS}, optional={k: _GARBAGE for k in ("text", "id", "tool_use_id", "input", "source", "content", "cache_control", "signature")}),
    _GARBAGE,
)  # fmt: skip
_MESSAGE = st.fixed_dictionaries(
    {"role": _ROLE, "content": st.one_of(st.lists(_BLOCK, max_size=3), _LEAVES, _GARBAGE)},
)
_BODIES = st.one_of(
    _GARBAGE,
    st.lists(_MESSAGE, max_size=4),
    st.fixed_dictionaries(
        {"messages": st.one_of(st.lists(_MESSAGE, max_size=4), _GARBAGE)},
        optional={"system": _GARBAGE, "tools": _GARBAGE, "model": _WORDS, "cache_control": _GARBAGE},
    ),
)


_HOSTILE = st.sampled_from(
    [b"1e999", b"-1e999", b"123456789012345678901234567890", b'"\\ud800"', b'"\\u0000"', b"NaN", b"[" * 300,
     b"{" * 300, b'{"role":"user","content":[]}', b'"role":"system"', b"\xff\xfe", b"\xed\xa0\x80", b"\x00"]
)  # fmt: skip
"""Byte strings that have broken JSON readers: huge numbers, lone surrogates, deep nesting, bad UTF-8."""


@pytest.mark.parametrize("depth", [10, 1_000, 100_000])
@pytest.mark.parametrize(
    ("opening", "closing"), [("[", "]"), ('{"messages":', "}"), ('[{"role":"user","content":', "}]")]
)
def test_deep_nesting_is_refused_cleanly(depth: int, opening: str, closing: str) -> None:
    text = opening * depth + "[]" + closing * depth
    _survives(text)
    _survives(text.encode())


def _read_outcome(data: object) -> object:
    """Everything reading gives: the problems, the messages (typed and as bytes), system and tools."""
    try:
        parts = read(data, model=None)
    except convo.InputError as exc:
        return type(exc), str(exc)
    return (
        [(p.code, p.path, p.message) for p in parts.problems],
        [(m.role, m.content, m.to_json()) for m in parts.messages],
        parts.system,
        parts.system_wire,
        parts.tools_wire,
    )


def _readers_agree(data: object) -> None:
    """The one-pass reader (decode_fast) and the step-by-step one give the same result."""
    fast = _read_outcome(data)
    with mock.patch.object(_conversation, "decode_fast", lambda data: None):
        slow = _read_outcome(data)
    assert fast == slow


def _survives(data: object) -> None:
    """check never raises; from_wire returns or raises a ConvoError, and what it returns reloads."""
    _readers_agree(data)
    report = convo.check(data)
    assert isinstance(report.valid, bool)
    try:
        conv = Conversation.from_wire(data)
    except convo.ConvoError:
        assert not report.valid
        return
    assert Conversation.from_wire(conv.to_json()) == conv


@given(st.binary(max_size=200))
def test_fuzz_bytes(data: bytes) -> None:
    _survives(data)


@given(st.text(max_size=200))
def test_fuzz_text(data: str) -> None:
    _survives(data)


@given(_BODIES, st.booleans())
def test_fuzz_json_shaped_garbage(data: Any, as_bytes: bool) -> None:
    if as_bytes:
        try:
            data = msgspec.json.encode(data)
        except (OverflowError, msgspec.EncodeError):
            pass  # not JSON-encodable; try the Python object itself
    _survives(data)


@given(
    wire_conversations(max_turns=4),
    st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.sampled_from(["delete", "insert", "replace"]),
            st.binary(min_size=1, max_size=3) | _HOSTILE,
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_fuzz_edited_conversation_bytes(wire: dict[str, Any], edits: list[tuple[int, str, bytes]]) -> None:
    raw = bytearray(msgspec.json.encode(wire))
    for position, op, chunk in edits:
        at = position % (len(raw) + 1)
        if op == "delete":
            del raw[at : at + len(chunk)]
        elif op == "insert":
            raw[at:at] = chunk
        else:
            raw[at : at + len(chunk)] = chunk
    _survives(bytes(raw))


def _fields_of(value: Any) -> list[tuple[dict[str, Any], str]]:
    """Every field of every message and block inside ``value`` (objects with a ``role`` or a
    ``type``: content blocks at any depth, their sources and results, typed tools)."""
    if isinstance(value, list):
        return [found for item in value for found in _fields_of(item)]
    if not isinstance(value, dict):
        return []
    own = [(value, key) for key in value] if "role" in value or "type" in value else []
    return own + [found for item in value.values() for found in _fields_of(item)]


@MANY
@given(wire_conversations(max_turns=4, system_messages=st.booleans()), st.data())
def test_fuzz_edited_conversation_fields(wire: dict[str, Any], data: st.DataObject) -> None:
    """Valid data with a few fields of its messages and blocks replaced or deleted: near misses
    that still read as JSON and as blocks, so they reach the decoder's deepest paths (a block
    holding blocks, retried one by one when one of its own fields is wrong)."""
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        fields = _fields_of(wire)
        if not fields:
            break
        obj, key = data.draw(st.sampled_from(fields), label="field")
        if data.draw(st.booleans(), label="delete"):
            del obj[key]
        else:
            obj[key] = data.draw(_LEAVES | st.just([]) | st.just({}), label="value")
    _survives(wire)
    try:
        _survives(msgspec.json.encode(wire))
    except OverflowError:
        pass  # an integer JSON cannot hold; the Python object was tried above


@given(conversations(max_turns=4), _MESSAGE)
def test_fuzz_append_agrees_with_check(conv: Conversation, message: dict[str, Any]) -> None:
    """Appending any message raises a ConvoError iff the whole conversation would not check."""
    body = json.loads(conv.to_json())
    body["messages"].append(message)
    try:
        new = conv.append(message)
    except convo.ConvoError:
        try:
            encodable = msgspec.json.encode(body)
        except (OverflowError, msgspec.EncodeError):
            return
        assert convo.check(encodable).conversation_errors
        return
    assert not convo.check(new.to_json()).conversation_errors
    assert Conversation.from_wire(new.to_json()) == new


# --------------------------------------------------------------------------- regressions found by these properties


def test_check_survives_an_unknown_role() -> None:
    data = [{"role": "tool", "content": [{"type": "text", "text": "Hi"}]}]
    assert _pairs(convo.check(data).errors) == {("role-invalid", "/messages/0/role")}


def test_system_message_after_a_string_assistant_turn_is_misplaced() -> None:
    server = [
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
    ]
    data = [
        {"role": "user", "content": "Search."},
        {"role": "assistant", "content": server},
        {"role": "user", "content": "Thanks."},
        {"role": "assistant", "content": "Done."},
        {"role": "system", "content": "Be brief."},
    ]
    assert _pairs(convo.check(data).errors) == {("system-message-position", "/messages/4")}


MARKED_TOOLS = [
    [{"name": "a", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}}],
    [
        {"name": n, "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral", "ttl": "1h"}}
        for n in "abcd"
    ],
    [
        {"name": "a", "input_schema": {"type": "object"}, "defer_loading": True},
        {"name": "b", "input_schema": {"type": "object"}},
    ],
]


@pytest.mark.parametrize("tools", MARKED_TOOLS, ids=["one 5m mark", "four 1h marks", "a deferred tool"])
@given(data=st.data())
def test_given_tools_with_marks_or_deferred_still_give_valid_conversations(
    tools: list[dict[str, Any]], data: st.DataObject
) -> None:
    """The strategy's own breakpoints count the marks the given tools carry, and never go on a
    deferred tool."""
    wire = data.draw(wire_conversations(tools=tools, cache_marks=True))
    assert convo.check(wire).errors == ()


@given(
    wire=wire_conversations(min_turns=st.integers(2, 3), max_turns=st.just(3), thinking=False, tools=False),
    block=images(max_side=st.integers(1, 4)),
)
def test_every_option_may_be_a_strategy(wire: dict[str, Any], block: convo.ImageBlock) -> None:
    assert 2 <= len([m for m in wire["messages"] if m["role"] != "system"]) <= 3
    assert convo.check([{"role": "user", "content": [msgspec.to_builtins(block)]}]).valid


def test_a_drawn_turn_bound_is_checked() -> None:
    @given(wire_conversations(min_turns=st.just(5), max_turns=st.just(2)))
    def draw(wire: dict[str, Any]) -> None:
        pass

    with pytest.raises(hypothesis.errors.InvalidArgument, match="min_turns=5 is greater than max_turns=2"):
        draw()


def test_tools_keep_their_bytes() -> None:
    text = (
        b'{"tools":[{"name":"t","description":"caf\\u00e9","input_schema":{"type":"object",'
        b'"properties":{"x":{"type":"number","maximum":1.50}}}}],"messages":[{"role":"user","content":"Hi"}]}'
    )
    assert Conversation.from_wire(text).to_json() == text


def test_cache_control_needs_a_type() -> None:
    data = [{"role": "user", "content": [{"type": "text", "text": "Hi", "cache_control": {"ttl": "1h"}}]}]
    assert _pairs(convo.check(data).errors) == {
        ("cache-control-invalid", "/messages/0/content/0/cache_control")
    }


def test_check_survives_an_unhashable_role() -> None:
    data = [{"role": [], "content": "Hi"}]
    assert _pairs(convo.check(data).errors) == {("role-invalid", "/messages/0/role")}
    with pytest.raises(convo.ValidationError):
        Conversation.from_wire(data)


def test_automatic_breakpoint_counts_against_the_limit() -> None:
    marker = {"type": "ephemeral"}
    tools = [{"name": f"t{i}", "input_schema": {"type": "object"}, "cache_control": marker} for i in range(4)]
    data = {"cache_control": marker, "tools": tools, "messages": [{"role": "user", "content": "Hi"}]}
    assert _pairs(convo.check(data).errors) == {("cache-control-too-many", "/cache_control")}


def test_automatic_breakpoint_past_four_is_the_one_reported() -> None:
    marker = {"type": "ephemeral"}
    content = [{"type": "text", "text": str(i), "cache_control": marker} for i in range(4)]
    data = {"cache_control": marker, "messages": [{"role": "user", "content": content}]}
    assert _pairs(convo.check(data).errors) == {("cache-control-too-many", "/cache_control")}


# --------------------------------------------------------------------------- the strategies' options

BAD_OPTIONS: list[tuple[Any, str]] = [
    (lambda: wire_conversations(tools=st.none()), "tools must be a bool or a sequence"),
    (lambda: wire_conversations(tools=[{"name": "x"}]), "tool definitions must be valid"),
    (
        lambda: wire_conversations(tools=st.just([{"name": "bad name", "input_schema": {"type": "object"}}])),
        "valid",
    ),
    (lambda: wire_conversations(thinking=st.just("no")), "thinking must be a bool"),
    (lambda: wire_conversations(system=st.just(3)), "system must be a bool or a string"),
    (lambda: wire_conversations(system=st.just("  ")), "non-whitespace"),
    (lambda: images(media_type=st.just("image/bmp")), "media_type must be one of"),
    (lambda: images(max_side=True), "max_side"),
    (lambda: images(max_side=5000), "max_side"),
]


@pytest.mark.parametrize(("make", "says"), BAD_OPTIONS)
def test_a_bad_option_is_a_clear_error_given_or_drawn(make: Any, says: str) -> None:

    with pytest.raises(hypothesis.errors.InvalidArgument, match=says):

        @settings(max_examples=1, database=None)
        @given(make())
        def draw_one(example: Any) -> None:
            pass

        draw_one()


def test_the_smallest_examples_leave_the_optional_features_out() -> None:
    """What a failing property shrinks to should be plain: no citation, no redacted thinking."""
    from hypothesis import find

    smallest = find(wire_conversations(min_turns=2, max_turns=2), lambda w: len(w["messages"]) >= 2)
    text = json.dumps(smallest)
    assert "citations" not in text and "redacted_thinking" not in text and "is_error" not in text
    assert not _wire_types(smallest) & set(NEWER_BLOCKS)
