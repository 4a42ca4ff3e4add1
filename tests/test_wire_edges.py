"""Wire fidelity at the edges, and where problems with malformed input are reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

import convo
from convo import Conversation

HI = {"role": "user", "content": "Hi"}


def test_an_empty_tools_array_round_trips() -> None:
    """DESIGN: a round trip of any accepted input gives equal JSON, every field kept."""
    wire = b'{"tools":[],"messages":[{"role":"user","content":"Hi"}]}'
    for data in (wire, wire.decode(), json.loads(wire)):
        conv = Conversation.from_wire(data)
        assert conv.to_json() == wire
        assert Conversation.from_wire(conv.to_json()) == conv
    assert Conversation.from_wire(wire) != Conversation.from_wire([HI])  # equal means equal bytes
    assert Conversation.from_wire(wire).user("More.").to_json().startswith(b'{"tools":[],')


def test_an_empty_tools_array_survives_a_journal_and_a_store(tmp_path: Path) -> None:
    """DESIGN: a conversation saved and reloaded gives byte-identical request bytes."""
    conv = Conversation.from_wire({"tools": [], "messages": [HI]})
    with convo.Journal.create(tmp_path / "chat.jsonl", conv):
        pass
    assert convo.Journal.open(tmp_path / "chat.jsonl").conversation.to_json() == conv.to_json()
    with convo.DirectoryStore(tmp_path / "store") as store:
        store.put("chat", conv)
        assert store.get("chat").to_json() == conv.to_json()
    request = conv.request(model="claude-opus-4-8", max_tokens=9)
    assert (
        request.body()
        == b'{"model":"claude-opus-4-8","max_tokens":9,"tools":[],"messages":[{"role":"user","content":"Hi"}]}'
    )


def test_an_empty_tools_array_survives_cache_placement_and_trimming() -> None:
    """Placing breakpoints and trimming change marks and messages, not the fields around them."""
    system = "The project's conventions, at length. " * 400
    conv = Conversation.from_wire({"tools": [], "system": system, "messages": [HI]})
    conv = conv.assistant("Hello.").user("What now?")
    placed = conv.request(model="claude-opus-4-8", max_tokens=9, cache="auto")
    assert placed.breakpoints and list(json.loads(placed.body())) == [
        "model",
        "max_tokens",
        "system",
        "tools",
        "messages",
    ]
    assert list(json.loads(convo.place_cache(conv, model="claude-opus-4-8"))) == [
        "system",
        "tools",
        "messages",
    ]
    trimmed = conv.trim(convo.LocalCounter().count(conv) - 1, pin=0)
    assert len(trimmed) < len(conv) and list(json.loads(trimmed.to_json())) == ["system", "tools", "messages"]
    without = Conversation(system=system).user("Hi")  # and none is added where there was none
    assert b'"tools"' not in without.request(model="claude-opus-4-8", max_tokens=9, cache="auto").body()
    assert b'"tools"' not in convo.place_cache(without, model="claude-opus-4-8")


def test_a_request_adds_no_empty_tools_array() -> None:
    """Replacing the system prompt, or leaving the tools out, gives no ``tools`` at all."""
    req = Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=9, system="Be brief.")
    assert b'"tools"' not in req.body()
    assert b'"tools"' not in req.conversation.to_json()
    with_tools = Conversation(tools=[{"name": "f", "input_schema": {"type": "object"}}]).user("Hi")
    assert b'"tools"' not in with_tools.request(model="claude-opus-4-8", max_tokens=9).without("tools").body()


@pytest.mark.parametrize("messages", [{"role": "user", "content": "Hi"}, "Hi", None, 5])
def test_messages_that_are_not_an_array_are_not_also_empty(messages: object) -> None:
    """Only the real problem: whether a ``messages`` that is no array holds a message is unknown."""
    for data in ({"model": "claude-opus-4-8", "messages": messages}, {"messages": messages}):
        assert [(p.code, p.path) for p in convo.check(data, model="claude-opus-4-8").errors] == [
            ("messages-invalid", "/messages")
        ]
    assert [p.code for p in convo.check({"messages": []}, model="claude-opus-4-8").errors] == [
        "messages-empty"
    ]


TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
TOOL_RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "4"}


def bad(content: object, role: object = "tool") -> dict[str, object]:
    return {"role": role, "content": content}


INVALID_ROLES = [
    ([bad("Hi"), {"role": "assistant", "content": "Hello"}], [0]),  # no first-not-user
    ([HI, bad("More")], [1]),  # no consecutive-roles, if it stood for a user turn
    ([HI, bad("x"), bad("y")], [1, 2]),  # two invalid roles are not known to merge
    ([HI, {"role": "system", "content": "Be brief."}, bad("x")], [2]),  # may be the assistant's
    ([HI, bad([TOOL_USE], "bot"), {"role": "user", "content": [TOOL_RESULT]}], [1]),  # no block-role
    ([HI, {"role": "assistant", "content": [TOOL_USE]}, bad([TOOL_RESULT])], [2]),
    ([HI, {"role": "assistant", "content": "Hello"}, bad("")], [2]),  # the final assistant's may be ""
    ([bad("Hi", None), {"role": "assistant", "content": "Hello"}], [0]),
    ([bad("Hi", ["user"]), {"role": "assistant", "content": "Hello"}], [0]),
]


@pytest.mark.parametrize(("messages", "invalid"), INVALID_ROLES)
def test_an_invalid_role_is_reported_with_nothing_derived_from_a_guess(
    messages: list[dict[str, object]], invalid: list[int]
) -> None:
    """api-rules §1.1: a role other than user, assistant or system is a 400. What the message
    was meant to be is unknown, so no rule that depends on its role is applied to it or around
    it, whichever reader reads it (a field it does not take sends it to the step-by-step one)."""
    expected = [("role-invalid", f"/messages/{i}/role") for i in invalid]
    assert [(p.code, p.path) for p in convo.check(messages).problems] == expected
    slow = [{**m, "clear_at": "never", "zz": 1} if i in invalid else m for i, m in enumerate(messages)]
    unknown = [("message-field-unknown", f"/messages/{i}/zz") for i in invalid]
    assert [(p.code, p.path) for p in convo.check(slow).problems] == expected + unknown


def test_a_message_that_is_not_an_object_is_not_read_as_a_user_turn() -> None:
    assert [(p.code, p.path) for p in convo.check([HI, 5, HI]).problems] == [
        ("message-malformed", "/messages/1")
    ]


def test_what_an_invalid_role_does_not_hide() -> None:
    """What holds whatever the role was meant to be is still reported."""
    empty = [HI, bad(""), {"role": "assistant", "content": "Hello"}]  # only the final message may be empty
    assert [p.code for p in convo.check(empty).errors] == ["role-invalid", "content-empty"]
    assert [p.code for p in convo.check([HI, bad([{"type": "text", "text": ""}])]).errors] == [
        "role-invalid",
        "text-empty",
    ]
    prefill = [bad("Hi"), {"role": "assistant", "content": "Hello"}]
    assert [p.code for p in convo.check(prefill, model="claude-opus-4-8").errors] == [
        "role-invalid",
        "prefill-unsupported",
    ]


NOT_AS_GIVEN = [
    ({"b", "a"}, "a set has no order"),
    (b"ab", "bytes are not JSON text"),
    (float("nan"), "nan is not"),
]


@pytest.mark.parametrize(("value", "why"), NOT_AS_GIVEN)
def test_every_builder_refuses_data_json_would_alter_as_a_bad_argument(value: object, why: str) -> None:
    """docs/exceptions.md: an argument is the caller's to fix (InvalidArgument), whether its
    blocks are typed blocks or dicts; only input given to from_wire is unreadable (InputError)."""
    call = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"x": value}}
    asked = Conversation().user("q").assistant([{**call, "input": {}}])
    builders = [
        lambda: Conversation().user("q").assistant([call]),
        lambda: Conversation().user("q").append({"role": "assistant", "content": [call]}),
        lambda: Conversation().user([{"type": "text", "text": "q", "citations": value}]),
        lambda: Conversation(messages=[HI, {"role": "assistant", "content": [call]}]),
        lambda: Conversation(system=[{"type": "text", "text": "s", "extra": value}]),
        lambda: Conversation(tools=[{"name": "f", "input_schema": {"type": "object", "x": value}}]),
        lambda: asked.tool_results({"toolu_1": [{"type": "text", "text": "4", "extra": value}]}),
        lambda: (
            Conversation()
            .user("q")
            .assistant([convo.ToolUseBlock(id="toolu_1", name="f", input={"x": value})])
        ),
    ]
    for build in builders:
        with pytest.raises(convo.InvalidArgument, match=why):
            build()
    with pytest.raises(convo.InputError, match=why):
        Conversation.from_wire([HI, {"role": "assistant", "content": [call]}])
    conv = Conversation().user("q")
    for params in (
        {"system": [{"type": "text", "text": "s", "extra": value}]},
        {"tools": [{"name": "f", "x": value}]},
    ):
        with pytest.raises(convo.InvalidArgument, match=why):
            conv.request(model="claude-opus-4-8", max_tokens=9, **params)


@pytest.mark.parametrize(
    ("python", "text", "path"),
    [
        (
            {"messages": [HI], "max_tokens": float("inf")},
            b'{"messages":[],"max_tokens":1e999}',
            "/max_tokens",
        ),
        (
            [
                HI,
                {
                    "role": "assistant",
                    "content": [
                        {"type": "tool_use", "id": "t", "name": "f", "input": {"x": [-float("inf")]}}
                    ],
                },
            ],
            b'[{"role":"user","content":"Hi"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{"x":[-1e999]}}]}]',
            "/messages/1/content/0/input/x/0",
        ),
        (
            {"messages": [], "system": [{"type": "text", "text": "s", "a/b": float("nan")}]},
            None,
            "/system/0/a~1b",
        ),
    ],
)
def test_a_value_python_data_cannot_hold_is_named_by_its_own_path(
    python: object, text: bytes | None, path: str
) -> None:
    """DESIGN: every problem has a JSON Pointer from the request-body root (a bare array is the
    body's messages): NaN or an infinity in Python data is reported where it is, as 1e999 is."""
    for data in (python, text) if text is not None else (python,):
        with pytest.raises(convo.InputError) as info:
            Conversation.from_wire(data)
        assert info.value.path == path
        assert str(info.value).startswith(f"{path}: ")
        assert [(p.code, p.path) for p in convo.check(data).errors] == [("input-unreadable", path)]


def test_a_lone_surrogate_escape_is_named_not_called_truncated_input() -> None:
    """msgspec calls a high surrogate escape with no low one after it truncated input; convo
    says what it is, where (the CLI prints the same message)."""
    lone = rb'[{"role": "user", "content": "caf\ud800"}]'
    with pytest.raises(convo.InputError, match=r"the escape \\ud800 \(byte 33\) is half of a surrogate pair"):
        convo.Conversation.from_wire(lone)
    assert convo.check(lone).problems[0].code == "input-unreadable"
    pair = convo.Conversation.from_wire(rb'[{"role": "user", "content": "\ud83d\ude00 and \\ud800"}]')
    assert pair.messages[0].content == "\U0001f600 and \\ud800"  # a pair, and an escaped backslash
    with pytest.raises(convo.InputError, match="truncated"):  # truly truncated input stays so
        convo.Conversation.from_wire(b'[{"role": "user", "content": "x"}')


def test_a_decimal_is_written_as_the_number_it_is_and_a_non_finite_one_is_refused() -> None:
    # msgspec writes a Decimal as a JSON string by default: a tool input of 1.5 would reach the
    # model as "1.5"; NaN and the infinities have no JSON form at all
    from decimal import Decimal

    call = {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "f",
        "input": {"x": Decimal("1.5"), "y": Decimal("0.10")},
    }
    built = convo.Conversation().user("Hi").assistant([call])
    read = convo.Conversation.from_wire(
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": [call]}]
    )
    for conv in (built, read):
        assert conv.to_json().endswith(b'"input":{"x":1.5,"y":0.10}}]}]}')
    for bad in (Decimal("NaN"), Decimal("-Infinity")):
        with pytest.raises(
            convo.InvalidArgument, match=r"/messages/1/content/0/input/x: .* is not a JSON number"
        ):
            convo.Conversation().user("Hi").assistant([{**call, "input": {"x": bad}}])
        with pytest.raises(convo.InvalidArgument, match="'metadata' is not JSON data"):
            convo.Conversation().user("Hi").request(
                model="claude-opus-4-8", max_tokens=10, metadata={"user_id": bad}
            )


@pytest.mark.parametrize("model", [5, ["claude-opus-4-8"], b"claude-opus-4-8"])
def test_a_model_argument_that_is_not_a_string_is_refused_not_read_as_a_request(model: object) -> None:
    # it switched check and from_wire to request mode with the rules common to every model
    messages = [{"role": "user", "content": "Hi"}]
    with pytest.raises(convo.InvalidArgument, match="model must be a model id"):
        convo.check(messages, model=model)  # type: ignore[arg-type]
    with pytest.raises(convo.InvalidArgument, match="model must be a model id"):
        Conversation.from_wire(messages, model=model)  # type: ignore[arg-type]


def test_bytes_of_input_read_near_the_nesting_limit_are_found_deeper_down_the_stack() -> None:
    # msgspec's recursion guard counts the caller's frames: a conversation read at the top of a
    # stack was accepted, then its first to_json() deeper down raised a bare RecursionError
    nested: Any = 1
    for _ in range(900):
        nested = {"a": nested}
    call = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": nested}
    data = msgspec.json.encode([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": [call]}])
    conv = Conversation.from_wire(data)

    def deep(frames: int) -> bytes:
        return conv.to_json() if frames == 0 else deep(frames - 1)

    assert deep(200) == b'{"messages":' + data + b"}"
