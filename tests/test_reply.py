"""Responses in: convo.Reply and Conversation.reply for every stop_reason."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest

import convo
from convo import Conversation, Reply

from . import corpus

WEB_SEARCH = [{"type": "web_search_20250305", "name": "web_search"}]


def response(
    content: list[dict[str, Any]], stop_reason: str | None = "end_turn", **extra: Any
) -> dict[str, Any]:
    return {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
        **extra,
    }


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(tool_id: str, name: str = "get_weather", **input: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": input}


THINKING = {"type": "thinking", "thinking": "Let me think.", "signature": "c2ln"}


# -- Reply ----------------------------------------------------------------------------------------


def test_reply_reads_dicts_bytes_and_text_alike() -> None:
    data = response([text("Hi")], container={"id": "cntr_1", "expires_at": "2026-01-01T00:00:00Z"})
    raw = json.dumps(data).encode()
    replies = [
        Reply.read(data),
        Reply.read(raw),
        Reply.read(raw.decode()),
        Reply.read(json.dumps(data, indent=2)),
    ]
    assert len(set(replies)) == 1
    r = replies[0]
    assert (r.id, r.model, r.stop_reason, r.stop_sequence, r.stop_details) == (
        "msg_01",
        "claude-opus-4-8",
        "end_turn",
        None,
        None,
    )
    assert r.usage == {"input_tokens": 10, "output_tokens": 5}
    assert r.container == {"id": "cntr_1", "expires_at": "2026-01-01T00:00:00Z"}
    assert r.get("type") == "message" and r.get("nothing") is None
    assert r.to_dict() == data
    assert list(r.to_dict()) == list(data)  # key order kept
    assert Reply.read(r) is r
    assert repr(r) == "<Reply 'msg_01': end_turn, 1 block>"


def test_reply_reads_sdk_message_and_beta_message() -> None:
    anthropic = pytest.importorskip("anthropic")
    data = response([THINKING, text("Sunny."), tool_use("toolu_1", city="Paris")], "tool_use")
    for cls in (anthropic.types.Message, anthropic.types.beta.BetaMessage):
        r = Reply.read(cls.model_validate(data))
        assert r.stop_reason == "tool_use"
        assert [b.type for b in r.blocks] == ["thinking", "text", "tool_use"]
        assert json.loads(r.message.to_json() if r.message else b"")["content"] == data["content"]
        assert r.tool_uses[0].input == {"city": "Paris"}


def test_reply_keeps_block_bytes_exactly() -> None:
    raw = (
        b'{"type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f",'
        b'"input":{"z":1.50,"a":[1e3]}}],"stop_reason":"tool_use"}'
    )
    r = Reply.read(raw)
    assert r.to_json() == raw
    assert r.message is not None
    content = raw[raw.index(b"[") : raw.rindex(b"]") + 1]
    assert r.message.to_json() == b'{"role":"assistant","content":' + content + b"}"
    assert Conversation().user("Hi").reply(raw).messages[-1] == r.message


def test_reply_refuses_what_is_not_a_response() -> None:
    with pytest.raises(convo.InputError, match="expected an API response"):
        Reply.read([{"role": "user", "content": "Hi"}])
    with pytest.raises(convo.InputError, match="role must be 'assistant'"):
        Reply.read({"type": "message", "role": "user", "content": []})
    with pytest.raises(convo.InputError, match="array of blocks"):
        Reply.read({"type": "message", "role": "assistant", "content": "Hi"})
    with pytest.raises(convo.InputError):
        Reply.read(b"\xff")
    with pytest.raises(TypeError):
        Reply()


def test_reply_is_immutable() -> None:
    r = Reply.read(response([text("Hi")]))
    with pytest.raises(AttributeError):
        r.id = "x"  # type: ignore[misc]


def test_the_same_response_appended_twice_is_refused() -> None:
    r = response([text("1, 2")])
    once = Conversation().user("Count").reply(r)
    with pytest.raises(convo.InvalidArgument, match="appended twice"):
        once.reply(r)
    prefilled = Conversation().user("Count").assistant("1,")  # a continuation is not a copy
    assert len(prefilled.reply(response([text(" 2")]))) == 3


# -- stop reasons ---------------------------------------------------------------------------------


def test_end_turn_and_stop_sequence_append_the_turn() -> None:
    conv = Conversation().user("Count")
    for reason in ("end_turn", "stop_sequence", None):
        after = conv.reply(response([text("1, 2")], reason))
        assert len(after) == 2 and after.messages[-1].content == (convo.TextBlock(text="1, 2"),)
        assert len(conv) == 1  # the conversation replied to is unchanged


def test_tool_use_gives_pending_tool_uses_in_order() -> None:
    r = response([THINKING, tool_use("toolu_a", city="Paris"), tool_use("toolu_b", city="Oslo")], "tool_use")
    conv = Conversation().user("Weather?").reply(r)
    assert [u.id for u in conv.pending_tool_uses] == ["toolu_a", "toolu_b"]
    conv = conv.tool_results({"toolu_b": "cold", "toolu_a": ValueError("no such city")})
    assert conv.pending_tool_uses == ()
    assert convo.check(conv.to_json(), model="claude-opus-4-8").conversation_errors == ()


def test_pause_turn_is_appended_unchanged_and_sendable_as_is() -> None:
    paused = response(
        [
            text("Searching."),
            {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {}},
        ],
        "pause_turn",
    )
    conv = Conversation(tools=WEB_SEARCH).user("Find it").reply(paused)
    assert Reply.read(paused).paused
    assert conv.messages[-1].to_json() == Reply.read(paused).message.to_json()  # type: ignore[union-attr]
    assert conv.pending_tool_uses == ()
    # Not a prefill: the request as it stands can be sent to a model that rejects prefill.
    assert conv.check(model="claude-opus-4-8").errors == ()
    # The continuation opens with the deferred result and closes the turn.
    more = response(
        [{"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []}, text("Nothing.")]
    )
    conv = conv.reply(more)
    assert len(conv) == 3
    assert conv.user("Thanks").check(model="claude-opus-4-8").errors == ()


def test_a_paused_turn_that_ends_in_text_is_sent_back_as_it_is() -> None:
    """§3.10 has no shape for a paused turn: one that ends in text is not a prefill either."""
    blocks = [
        {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []},
        text("Looking further."),
    ]
    conv = Conversation(tools=WEB_SEARCH).user("Find it").reply(response(blocks, "pause_turn"))
    assert conv.request(model="claude-opus-4-8", max_tokens=99).warnings == ()
    finished = conv.reply(response([text("Found it.")]))  # the continuation, which ends the turn
    with pytest.raises(convo.ValidationError, match="prefill-unsupported"):
        finished.request(model="claude-opus-4-8", max_tokens=99)
    assert finished.user("Thanks").request(model="claude-opus-4-8", max_tokens=99)


def test_max_tokens_with_a_cut_off_tool_use_raises() -> None:
    r = response(
        [THINKING, text("Writing the file."), tool_use("toolu_1", "make_file", path="a")], "max_tokens"
    )
    conv = Conversation().user("Write")
    with pytest.raises(convo.ToolUseTruncated) as info:
        conv.reply(r)
    error = info.value
    assert isinstance(error, convo.ResponseError) and isinstance(error, ValueError)
    assert error.path == "/messages/1/content/2"
    assert error.block.id == "toolu_1"
    assert error.reply.truncated_tool_use == error.block
    assert "max_tokens" in str(error) and "truncated='drop'" in str(error)


def test_max_tokens_drop_appends_the_turn_without_the_cut_call() -> None:
    r = response([THINKING, text("Writing."), tool_use("toolu_1", "make_file")], "max_tokens")
    conv = Conversation().user("Write").reply(r, truncated="drop")
    assert [b.type for b in conv.messages[-1].blocks] == ["thinking", "text"]
    assert conv.pending_tool_uses == ()
    assert json.loads(conv.messages[-1].to_json())["content"] == r["content"][:2]
    # Nothing left after the drop: nothing is appended.
    only = response([tool_use("toolu_2", "make_file")], "max_tokens")
    assert len(Conversation().user("Write").reply(only, truncated="drop")) == 1


@pytest.mark.parametrize("kind", ["server_tool_use", "mcp_tool_use"])
def test_max_tokens_cuts_server_and_mcp_calls_too(kind: str) -> None:
    block = {
        "type": kind,
        "id": "srvtoolu_01" if kind == "server_tool_use" else "mcptoolu_1",
        "name": "web_search",
        "input": {},
    }
    if kind == "mcp_tool_use":
        block["server_name"] = "s"
    r = Reply.read(response([text("Searching."), block], "max_tokens"))
    assert r.truncated_tool_use is not None and r.truncated_tool_use.type == kind


def test_max_tokens_without_a_trailing_call_appends() -> None:
    r = response([tool_use("toolu_1"), text("and then I")], "max_tokens")
    conv = Conversation().user("Go").reply(r)
    assert Reply.read(r).truncated_tool_use is None
    assert [u.id for u in conv.pending_tool_uses] == ["toolu_1"]


def test_refusal_raises_with_the_details_and_leaves_the_conversation() -> None:
    details = {"type": "refusal", "category": "cyber", "explanation": "Declined: cyber harm."}
    r = response([text("Hello..")], "refusal", stop_details=details)
    conv = Conversation().user("Something bad")
    with pytest.raises(convo.Refused) as info:
        conv.reply(r)
    assert info.value.reply.stop_details == details
    assert info.value.reply.refused
    assert info.value.path == "/messages/1"
    assert "Declined: cyber harm." in str(info.value) and "refusal='keep'" in str(info.value)
    assert len(conv) == 1
    kept = conv.reply(r, refusal="keep")
    assert kept.messages[-1].content == (convo.TextBlock(text="Hello.."),)


def test_refusal_without_details_still_says_what_to_do() -> None:
    with pytest.raises(convo.Refused, match="no explanation given"):
        Conversation().user("x").reply(response([], "refusal"))
    assert len(Conversation().user("x").reply(response([], "refusal"), refusal="keep")) == 1


@pytest.mark.parametrize("reason", ["end_turn", "max_tokens", "pause_turn", None])
def test_an_empty_response_appends_nothing(reason: str | None) -> None:
    conv = Conversation().user("Hi")
    r = Reply.read(response([], reason))
    assert r.empty and r.message is None and r.blocks == ()
    after = conv.reply(r)
    assert after is conv
    # The history stays valid when the next turn comes (api-rules §1.9).
    assert after.user("Hello?").check().errors == ()


def test_bad_policy_arguments_are_invalid_arguments() -> None:
    conv = Conversation().user("Hi")
    with pytest.raises(convo.InvalidArgument):
        conv.reply(response([text("x")]), refusal="ignore")  # type: ignore[arg-type]
    with pytest.raises(convo.InvalidArgument):
        conv.reply(response([text("x")]), truncated="keep")  # type: ignore[arg-type]


def test_a_bad_block_in_a_response_is_a_validation_error_at_its_path() -> None:
    with pytest.raises(convo.ValidationError) as info:
        Conversation().user("Hi").reply(response([text("ok"), tool_use("bad id")], "tool_use"))
    assert [(p.code, p.path) for p in info.value.errors] == [
        ("tool-use-id-invalid", "/messages/1/content/1/id")
    ]


# -- the corpus -----------------------------------------------------------------------------------


@pytest.mark.skipif(not corpus.available(), reason="corpus not found")
@pytest.mark.parametrize("recorded", corpus.responses(), ids=lambda r: r.id)
def test_every_corpus_response_reads_as_a_reply(recorded: corpus.Response) -> None:
    data = json.loads(recorded.raw)
    r = Reply.read(recorded.raw)
    assert r.to_dict() == data
    assert (r.id, r.model, r.stop_reason, r.usage) == (
        data.get("id"),
        data.get("model"),
        data.get("stop_reason"),
        data.get("usage"),
    )
    assert r.empty == (data["content"] == [])
    assert r.refused == (data.get("stop_reason") == "refusal")


def test_empty_text_blocks_are_left_out_of_history() -> None:
    # A streamed refusal that stops before its first token leaves {"type":"text","text":""}.
    r = Reply.read(response([text("")], "refusal", stop_details={"type": "refusal"}))
    assert r.empty and r.message is not None
    assert len(Conversation().user("x").reply(r, refusal="keep")) == 1
    mixed = response([THINKING, text(""), tool_use("toolu_1")], "max_tokens")
    with pytest.raises(convo.ToolUseTruncated) as info:
        Conversation().user("x").reply(mixed)
    assert info.value.path == "/messages/1/content/1"  # where it lands once the empty text is left out
    conv = Conversation().user("x").reply(mixed, truncated="drop")
    assert [b.type for b in conv.messages[-1].blocks] == ["thinking"]


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("stop_reason", b"1e999", "/stop_reason"),
        ("role", b"1e999", "/role"),
        ("usage", b'{"input_tokens":1e999}', "/usage/input_tokens"),
        ("id", b"[1e999]", "/id/0"),
        ("content", b'[{"type":"tool_use","id":"t","name":"f","input":{"x":1e999}}]', "/content/0/input/x"),
    ],
)
def test_a_field_python_cannot_hold_is_unreadable(field: str, value: bytes, path: str) -> None:
    """Reported at its path in the response (not the conversation's ``/messages/N`` it would take)."""
    body = {"type": "message", "role": "assistant", "content": [{"type": "text", "text": "x"}]}
    raw = json.dumps({k: v for k, v in body.items() if k != field}).encode()
    raw = raw[:-1] + b',"' + field.encode() + b'":' + value + b"}"
    with pytest.raises(convo.InputError) as info:
        Conversation().user("Hi").reply(raw)
    assert (info.value.path, str(info.value)) == (path, f"{path}: number out of range")


def test_an_api_error_body_is_named_as_one() -> None:
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    for call in (Conversation().user("Hi").reply, Conversation.from_wire, Reply.read):
        with pytest.raises(convo.InputError, match=r"an API error response.*'Overloaded'"):
            call(error)


def test_a_reply_copies_and_pickles_as_itself() -> None:
    reply = Reply.read({"type": "message", "role": "assistant", "content": [{"type": "text", "text": "Hi"}]})
    assert copy.copy(reply) is reply and copy.deepcopy(reply) is reply
    assert pickle.loads(pickle.dumps(reply)) == reply


def test_a_paused_turn_continues_in_the_next_reply() -> None:
    """§3.10: the continuation may open with the paused call's result; one turn, no warning."""
    use = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}}
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}
    paused = {"type": "message", "role": "assistant", "content": [use], "stop_reason": "pause_turn"}
    done = {"type": "message", "role": "assistant", "content": [result, {"type": "text", "text": "Done."}]}
    conv = Conversation(tools=[{"type": "web_search_20250305", "name": "web_search"}]).user("Find q")
    conv = conv.reply(paused)
    assert conv.request(model="claude-opus-4-8", max_tokens=64).params()  # sendable as it is
    conv = conv.reply({**done, "stop_reason": "end_turn"}).user("Thanks")
    assert convo.check(conv.to_json(), model="claude-opus-4-8").problems == ()


def nested(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def recursive() -> list[Any]:
    value: list[Any] = []
    value.append(value)
    return value


def test_python_data_nested_too_deeply_is_a_convo_error_not_a_crash() -> None:
    """Hostile data built in Python (deeper than the interpreter recurses, or holding itself):
    unreadable input to reply, a bad argument to a builder."""
    conv = Conversation().user("Weather?").reply(response([tool_use("toolu_1")], "tool_use"))
    for hostile in (nested(5_000), recursive()):
        with pytest.raises(convo.InputError, match="nested too deeply"):
            conv.reply(response([tool_use("toolu_2", deep=hostile)], "tool_use"))
        with pytest.raises(convo.InvalidArgument, match="nested too deeply"):  # an argument
            conv.tool_results({"toolu_1": [{"type": "text", "text": "x", "extra": hostile}]})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stop_reason", {"type": "refusal"}, "must be a string or null, not an object"),
        ("stop_reason", 5, "must be a string or null, not a number"),
        ("stop_sequence", ["END"], "must be a string or null, not an array"),
        ("id", 1, "must be a string or null, not a number"),
        ("model", True, "must be a string or null, not a boolean"),
        ("usage", "many", "must be an object or null, not a string"),
        ("stop_details", ["refusal"], "must be an object or null, not an array"),
        ("container", "container_1", "must be an object or null, not a string"),
    ],
)
def test_a_field_of_the_wrong_type_is_an_input_error(field: str, value: Any, message: str) -> None:
    """A stop_reason that is not a string must not read as no stop_reason (a refusal appended as
    a finished turn); the facts Reply gives are refused, as a stream refuses them, not hidden."""
    hostile = response([text("Sure.")], **{field: value})
    for call in (Reply.read, Conversation().user("Hi").reply):
        with pytest.raises(convo.InputError) as info:
            call(hostile)
        assert info.value.path == f"/{field}"
        assert str(info.value) == f"/{field}: a response's {field!r} {message}"


def test_a_refused_turn_kept_never_leaves_its_last_call_pending() -> None:
    """A refusal stops the output where it stands, as a limit does: the last call may be cut."""
    refused = response([text("Deleting."), tool_use("toolu_1", "bash", cmd="rm -rf /tmp/x")], "refusal")
    assert Reply.read(refused).truncated_tool_use is not None
    with pytest.raises(convo.ToolUseTruncated) as info:
        Conversation().user("Clean up").reply(refused, refusal="keep")
    assert str(info.value) == (
        "refusal cut off tool_use 'toolu_1' (bash) before its input was complete; "
        "pass truncated='drop' to append the turn without it"
    )
    conv = Conversation().user("Clean up").reply(refused, refusal="keep", truncated="drop")
    assert conv.pending_tool_uses == () and [b.type for b in conv.messages[-1].blocks] == ["text"]


@pytest.mark.parametrize("reason", ["max_tokens", "model_context_window_exceeded", "refusal"])
def test_a_thinking_block_cut_off_before_its_signature_is_left_out(reason: str) -> None:
    """The signature_delta comes last, so a stream stopped mid-thought leaves a thinking block
    with signature "": the API rejects it ("Invalid `signature` in `thinking` block"), and the
    turn opens no tool loop, so leaving the cut thought out of history is allowed (§4.2)."""
    cut = {"type": "thinking", "thinking": "Then the tax on", "signature": ""}
    r = Reply.read(response([THINKING, text("Part one."), cut], reason))
    assert [b.type for b in r.blocks] == ["thinking", "text", "thinking"]  # the reply keeps it all
    conv = Conversation().user("Write").reply(r, refusal="keep")
    assert [b.type for b in conv.messages[-1].blocks] == ["thinking", "text"]
    assert conv.user("Go on.").check(model="claude-opus-4-8").errors == ()
    alone = Reply.read(response([cut], reason))
    assert alone.empty and Conversation().user("Write").reply(alone, refusal="keep") == Conversation().user(
        "Write"
    )


@pytest.mark.parametrize(
    ("blocks", "reason"),
    [
        ([{"type": "thinking", "thinking": "x", "signature": ""}, text("Done.")], "max_tokens"),  # not last
        ([text("Done."), {"type": "thinking", "thinking": "x", "signature": ""}], "end_turn"),  # not cut
    ],
)
def test_an_unsigned_thinking_block_that_was_not_cut_off_is_still_an_error(
    blocks: list[dict[str, Any]], reason: str
) -> None:
    with pytest.raises(convo.ValidationError, match="thinking-signature-missing"):
        Conversation().user("Write").reply(response(blocks, reason))


def test_a_stream_given_where_a_response_goes_says_to_accumulate_it() -> None:
    start = {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
                                                   "content": [], "model": "claude-opus-4-8"}}  # fmt: skip
    sse = b"event: message_start\ndata: " + json.dumps(start).encode() + b"\n\n"

    class Stream:  # an SDK Stream: iterable events, no model_dump
        def __iter__(self) -> Any:
            return iter([start])

    for stream in (sse, b"\n" + sse, sse.decode(), [start], (start,), iter([start]), Stream()):
        with pytest.raises(
            convo.InputError, match=r"a stream, not a response: read it with convo\.accumulate"
        ):
            Conversation().user("Hi").reply(stream)
    with pytest.raises(convo.InputError, match="expected an API response"):
        Reply.read([])  # not a stream either
