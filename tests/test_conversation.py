"""Conversation: builders, immutability, structure sharing, the tool loop, SDK objects."""

from __future__ import annotations

import dataclasses
import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convo
from convo import Conversation, TextBlock, ToolUseBlock


def tool_turn(*ids: str) -> list[ToolUseBlock]:
    return [ToolUseBlock(id=i, name="lookup", input={"q": i}) for i in ids]


def test_builders_return_new_objects_and_never_mutate() -> None:
    base = Conversation(system="Be brief.")
    one = base.user("Hi")
    two = one.assistant("Hello")
    assert len(base) == 0 and len(one) == 1 and len(two) == 2
    assert one.to_json() == b'{"system":"Be brief.","messages":[{"role":"user","content":"Hi"}]}'
    with pytest.raises(AttributeError):
        two._length = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        two.messages[0].role = "assistant"  # type: ignore[misc]


def test_branching_from_an_older_version_keeps_both_branches_intact() -> None:
    root = Conversation().user("Hi").assistant(tool_turn("toolu_a"))
    left = root.tool_results({"toolu_a": "left"})
    right = root.tool_results({"toolu_a": "right"})
    assert left.messages[-1] != right.messages[-1]
    left2 = left.assistant("done left")
    right2 = right.assistant("done right").user("more")
    assert [m.role for m in left2.messages] == ["user", "assistant", "user", "assistant"]
    assert len(right2) == 5 and len(root) == 2
    # ids used on one branch do not leak into the other
    assert root.assistant is not None
    again = root.tool_results({"toolu_a": "third"}).assistant(tool_turn("toolu_b"))
    assert again.pending_tool_uses[0].id == "toolu_b"


def test_a_rejected_append_leaves_no_trace() -> None:
    conv = Conversation().user("Hi")
    with pytest.raises(convo.ValidationError):
        conv.assistant([*tool_turn("toolu_x"), *tool_turn("toolu_x")])
    ok = conv.assistant(tool_turn("toolu_x"))
    assert [u.id for u in ok.pending_tool_uses] == ["toolu_x"]


def test_tool_loop_orders_results_and_maps_exceptions() -> None:
    conv = (
        Conversation()
        .user("Weather in Paris and Rome?")
        .assistant([TextBlock(text="Checking."), *tool_turn("toolu_1", "toolu_2")])
    )
    assert [u.id for u in conv.pending_tool_uses] == ["toolu_1", "toolu_2"]
    conv = conv.tool_results({"toolu_2": RuntimeError("rome is down"), "toolu_1": "18 C"})
    results = conv.messages[-1].content
    assert [(r.tool_use_id, r.is_error) for r in results] == [("toolu_1", None), ("toolu_2", True)]  # type: ignore[union-attr]
    assert conv.pending_tool_uses == ()
    with pytest.raises(convo.ConvoError):
        conv.tool_results({"toolu_9": "x"})


def test_tool_results_echo_the_toolset_of_a_toolset_member() -> None:
    """§3.7: a computer or browser toolset member's result must repeat its toolset_name."""
    click = ToolUseBlock(id="toolu_1", name="left_click", input={"x": 4}, toolset_name="computer")
    conv = Conversation().user("Click OK.").assistant([click, *tool_turn("toolu_2")])
    conv = conv.tool_results({"toolu_1": "clicked", "toolu_2": RuntimeError("no such file")})
    results = conv.messages[-1].content
    assert [r.toolset_name for r in results] == ["computer", None]  # type: ignore[union-attr]
    with pytest.raises(convo.ValidationError) as info:  # written by hand without it: refused
        Conversation().user("Click OK.").assistant([click]).user(
            [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "clicked"}]
        )
    assert [e.code for e in info.value.errors] == ["tool-result-toolset-mismatch"]


def test_unanswered_and_orphan_results_are_refused_on_append() -> None:
    conv = Conversation().user("Hi").assistant(tool_turn("toolu_1"))
    with pytest.raises(convo.ValidationError) as info:
        conv.user("never mind")
    assert [e.code for e in info.value.errors] == ["tool-use-unanswered"]
    with pytest.raises(convo.ValidationError) as info:
        Conversation().user([{"type": "tool_result", "tool_use_id": "toolu_9", "content": "x"}])
    assert [e.code for e in info.value.errors] == ["tool-result-orphan"]


def test_reply_keeps_every_block_of_a_response_exactly() -> None:
    response = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": [
            {"type": "thinking", "thinking": "", "signature": "sig=="},
            {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"z": 1, "a": [1.0, 2]}},
        ],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 3, "output_tokens": 4},
    }
    conv = Conversation().user("Hi").reply(json.dumps(response).encode())
    sent = json.loads(conv.messages[-1].to_json())
    assert sent == {"role": "assistant", "content": response["content"]}
    assert list(sent["content"][1]["input"]) == ["z", "a"]
    assert [u.id for u in conv.pending_tool_uses] == ["toolu_1"]


def test_reply_accepts_sdk_message_objects() -> None:
    types = pytest.importorskip("anthropic.types")
    message = types.Message.model_validate(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-opus-4-8",
            "content": [{"type": "text", "text": "Hello"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    )
    conv = Conversation().user("Hi").reply(message)
    assert conv.messages[-1].to_dict() == {
        "role": "assistant",
        "content": [{"type": "text", "text": "Hello"}],
    }


def test_from_wire_accepts_sdk_params_and_python_data() -> None:
    data = [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    assert Conversation.from_wire(data) == Conversation.from_wire(json.dumps(data))
    assert Conversation.from_wire(
        {"messages": data, "model": "claude-opus-4-8", "max_tokens": 5}
    ).to_json() == (b'{"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}')


def test_from_wire_reports_every_problem_at_once() -> None:
    bad = [
        {"role": "user", "content": [{"type": "text", "text": ""}, {"type": "text", "text": " "}]},
        {"role": "assistant", "content": [{"type": "tool_result", "tool_use_id": "x"}]},
    ]
    with pytest.raises(convo.ValidationError) as info:
        Conversation.from_wire(bad)
    assert [(e.code, e.path) for e in info.value.errors] == [
        ("text-empty", "/messages/0/content/0/text"),
        ("text-whitespace", "/messages/0/content/1/text"),
        ("block-role", "/messages/1/content/0"),
    ]
    assert isinstance(info.value, ValueError)


def test_not_a_conversation_is_an_input_error() -> None:
    for data in (b"\xff", b"{", b"42", b'{"a": 1}', b"[" * 10_000 + b"]" * 10_000, b"[1e999]"):
        with pytest.raises(convo.ConvoError):
            Conversation.from_wire(data)


def test_concurrent_appends_to_one_version_each_get_their_own_branch() -> None:
    root = Conversation().user("Hi")
    results: list[Conversation] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        conv = root.assistant(f"reply {n}")
        with lock:
            results.append(conv)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.messages[-1].content for r in results) == sorted(f"reply {n}" for n in range(16))  # type: ignore[type-var]
    assert all(len(r) == 2 for r in results)


def test_equal_conversations_give_equal_bytes() -> None:
    a = Conversation().user("Hi").assistant("Yo")
    b = Conversation.from_wire(a.to_json())
    assert a == b and hash(a) == hash(b) and a.to_json() == b.to_json()


def test_server_tool_results_belong_in_assistant_turns() -> None:
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}
    report = convo.check([{"role": "user", "content": [result]}])
    assert [(p.code, p.path) for p in report.errors] == [("block-role", "/messages/0/content/0")]


def test_from_wire_refuses_a_file_from_a_newer_convo() -> None:
    with pytest.raises(convo.InputError, match="format version 9"):
        Conversation.from_wire(b'{"convo":9,"metadata":{},"messages":[]}')
    assert len(Conversation.from_wire(b'{"convo":1,"metadata":{},"messages":[]}')) == 0


def test_a_pause_right_after_a_server_tool_result_is_not_prefill() -> None:
    paused = [
        {"role": "user", "content": "Search the news."},
        {
            "role": "assistant",
            "content": [
                {
                    "type": "server_tool_use",
                    "id": "srvtoolu_01",
                    "name": "web_search",
                    "input": {"query": "news"},
                },
                {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []},
            ],
        },
    ]
    assert convo.check(paused, model="claude-opus-4-8").errors == ()
    finished = [*paused[:1], {"role": "assistant", "content": [{"type": "text", "text": "Done."}]}]
    assert [p.code for p in convo.check(finished, model="claude-opus-4-8").errors] == ["prefill-unsupported"]


def test_a_request_over_32_mb_is_refused() -> None:
    big = Conversation().user("x" * (33 * 1024 * 1024))
    with pytest.raises(convo.ValidationError) as info:
        big.request(model="claude-opus-4-8", max_tokens=1024)
    assert [(e.code, e.path) for e in info.value.errors] == [("request-too-large", "")]
    Conversation().user("x" * (31 * 1024 * 1024)).request(model="claude-opus-4-8", max_tokens=1024)


def test_check_measures_a_request_body_as_sent() -> None:
    """A body's size is what goes on the wire (compact): its whitespace does not count."""
    text = "x" * (31 * 1024 * 1024)
    body = {"model": "claude-opus-4-8", "max_tokens": 1024, "messages": [{"role": "user", "content": text}]}
    padded = json.dumps(body, indent=1).encode() + b" " * (2 * 1024 * 1024)  # 33 MB, 31 MB sent
    assert convo.check(padded).valid
    big = json.dumps({**body, "messages": [{"role": "user", "content": text + "y" * 2**21}]})
    assert [(p.code, p.path) for p in convo.check(big).errors] == [("request-too-large", "")]
    assert convo.check(big.encode()).errors == convo.check(big).errors
    assert convo.check(json.loads(big)).errors == convo.check(big).errors  # Python data, the same
    assert convo.check(body).valid
    unknown = {**json.loads(big), "stream": True}  # a field the one typed pass does not take
    assert [p.code for p in convo.check(unknown).errors] == ["request-too-large"]


# -- reading in one pass: wire bytes found on demand -------------------------------------------

SPACED = b'{ "system" : "Be brief.",\n  "messages" : [ {"role": "user", "content": [ {"type": "text", "text": "Hi"} ]},\n {"content": "Hello", "role": "assistant"} ] }'


def test_messages_read_in_one_pass_find_their_exact_bytes_when_asked() -> None:
    conv = Conversation.from_wire(SPACED)
    first, second = conv.messages
    assert not isinstance(first._wire, bytes) and not isinstance(second._wire, bytes)  # not looked for
    finder = first._wire[0]
    assert second.to_json() == b'{"content":"Hello","role":"assistant"}'  # key order kept
    assert isinstance(second._wire, bytes)  # the message no longer holds the finder
    assert finder.buf == b""  # every message's bytes were found at once: the input is let go
    assert first.to_json() == b'{"role":"user","content":[{"type":"text","text":"Hi"}]}'
    assert conv.to_json() == json_compact(SPACED)


def test_a_conversation_read_in_one_pass_is_freed_without_the_cyclic_collector() -> None:
    import gc

    Conversation.from_wire(SPACED)  # first use: import-time caches are not garbage
    gc.collect()
    gc.disable()
    try:
        Conversation.from_wire(SPACED)  # dropped at once: the input and messages with it
        assert gc.collect() == 0  # no reference cycle kept them alive
    finally:
        gc.enable()


def json_compact(data: bytes) -> bytes:
    return json.dumps(json.loads(data), separators=(",", ":"), ensure_ascii=False).encode()


def test_appending_to_a_conversation_read_in_one_pass_keeps_every_message() -> None:
    conv = Conversation.from_wire(SPACED)
    longer = conv.user("And?").assistant("Done.")
    assert [json.loads(m.to_json()) for m in longer.messages][2:] == [
        {"role": "user", "content": "And?"},
        {"role": "assistant", "content": "Done."},
    ]
    assert conv.to_json() == json_compact(SPACED)
    assert json.loads(longer.to_json())["messages"][:2] == json.loads(SPACED)["messages"]


def test_threads_asking_for_the_bytes_at_once_all_get_them() -> None:
    data = json.dumps([{"role": r, "content": f"m{i}"} for i, r in enumerate(["user", "assistant"] * 200)])
    conv = Conversation.from_wire(data)
    barrier = threading.Barrier(8)
    seen: list[bytes] = []

    def ask() -> None:
        barrier.wait()
        seen.append(b"".join(m.to_json() for m in reversed(conv.messages)))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1 and len(seen) == 8
    assert conv.to_json() == b'{"messages":' + json_compact(data.encode()) + b"}"


def test_an_unknown_field_is_kept_and_still_checked_as_utf8() -> None:
    kept = b'[{"role":"user","content":[{"type":"text","text":"a","since":"v9","cache_control":{"type":"ephemeral","x":1}}]}]'
    conv = Conversation.from_wire(kept)
    assert conv.messages[0].content == (
        TextBlock(text="a", cache_control=convo.CacheControl(type="ephemeral")),
    )
    assert conv.to_json() == b'{"messages":' + kept[:-1] + b"]}"
    with pytest.raises(convo.InputError, match="UTF-8"):
        Conversation.from_wire(kept.replace(b'"v9"', b'"v\xff"'))


def test_a_pickled_view_holds_only_its_own_messages() -> None:
    import pickle

    base = Conversation().user("Suggest a name.")
    base.assistant("Miso.")  # extends the list base's view looks into
    again = pickle.loads(pickle.dumps(base.messages))
    assert again == base.messages and b"Miso" not in pickle.dumps(base.messages)


def test_messages_pickle_with_their_bytes() -> None:
    import copy
    import pickle

    read = Conversation.from_wire(SPACED).messages[1]  # bytes still to be found
    built = convo.Message("user", [TextBlock(text="Hi")])
    for message in (read, built):
        again = pickle.loads(pickle.dumps(message))
        assert again == message and again.content == message.content
        assert again.to_json() == message.to_json()
        assert copy.copy(message) is message and copy.deepcopy(message) is message


def test_builders_keep_every_field_of_blocks_given_as_data() -> None:
    blocks = [{"type": "text", "text": "a", "future_field": True}, {"type": "fallback", "model": "m"}]
    built = Conversation().user("q").assistant(blocks)
    appended = Conversation().user("q").append({"role": "assistant", "content": blocks})
    assert built.to_json() == appended.to_json()
    assert b'"future_field":true' in built.to_json() and b'"model":"m"' in built.to_json()
    call = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
    answered = Conversation().user("q").assistant([call]).tool_results({"toolu_1": blocks[:1]})
    assert b'"future_field":true' in answered.messages[-1].to_json()


def test_builders_refuse_what_is_not_a_turn() -> None:
    conv = Conversation().user("q")
    with pytest.raises(convo.InvalidArgument, match="wrap it in a list"):
        conv.assistant({"type": "text", "text": "one block"})  # type: ignore[arg-type]
    with pytest.raises(convo.InvalidArgument, match="reply"):
        conv.append(42)  # type: ignore[arg-type]
    asked = conv.assistant([{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}])
    with pytest.raises(convo.InvalidArgument, match="must be a string, a list of content blocks"):
        asked.tool_results({"toolu_1": 42})  # type: ignore[dict-item]
    with pytest.raises(convo.InvalidArgument, match="not JSON data"):
        conv.assistant([{"type": "text", "text": object()}])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"tools": None}, "tools must be a list of tool definitions, not NoneType"),
        ({"tools": [None]}, "a tool must be an object"),
        ({"tools": ["get_weather"]}, "a tool must be an object"),
        ({"messages": "Hi"}, "messages must be a list, not str"),
        ({"messages": [("role", "user")]}, "a message must be an object"),
        ({"system": 123}, "system must be a string or a list of blocks, not int"),
    ],
)
def test_the_constructor_refuses_arguments_of_the_wrong_type(
    arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(convo.InvalidArgument, match=message):
        Conversation(**arguments)  # type: ignore[arg-type]


def test_wrong_arguments_to_the_builders_are_convo_errors() -> None:
    @dataclasses.dataclass
    class GetWeather:
        """The weather in a city."""

        city: str

    with pytest.raises(convo.InvalidArgument, match=r"\.definition\(\)"):
        Conversation(tools=[convo.tool(GetWeather)])  # type: ignore[list-item]
    for content in (None, 123, b"Hi"):
        with pytest.raises(convo.InvalidArgument, match="content is a string or a list of blocks"):
            Conversation().user(content)  # type: ignore[arg-type]
    with pytest.raises(convo.InvalidArgument, match="tool_results takes a dict"):
        Conversation().tool_results(None)  # type: ignore[arg-type]
    asked = (
        Conversation().user("q").assistant([{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}])
    )
    with pytest.raises(convo.InvalidArgument, match="not bytes"):
        asked.tool_results({"toolu_1": b"18"})  # type: ignore[dict-item]


def test_an_exception_whose_message_fails_becomes_its_class_name() -> None:
    class Broken(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no message")

    asked = (
        Conversation().user("q").assistant([{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}])
    )
    result = asked.tool_results({"toolu_1": Broken()}).messages[-1].blocks[0]
    assert isinstance(result, convo.ToolResultBlock) and (result.content, result.is_error) == ("Broken", True)


def test_a_lone_surrogate_is_refused_as_a_convo_error() -> None:
    with pytest.raises(convo.InvalidArgument, match="not valid Unicode"):
        Conversation().user("\ud800")
    with pytest.raises(convo.InvalidArgument):
        Conversation().user([{"type": "text", "text": "\ud800"}])
    with pytest.raises(convo.InvalidArgument, match="not valid Unicode"):
        Conversation().user([convo.TextBlock(text="\ud800")])


@pytest.mark.parametrize(
    "text",
    [
        '[{"role":"user","content":"\ud800"}]',
        '{"role":"user","content":"\udfff"}\n{"role":"assistant","content":"x"}',  # JSON Lines
        '{"messages":[{"role":"user","content":[{"type":"text","text":"a\ud800b"}]}]}',
    ],
)
def test_text_with_a_lone_surrogate_is_unreadable_input(text: str) -> None:
    with pytest.raises(convo.InputError, match="not valid Unicode text"):
        Conversation.from_wire(text)
    assert [p.code for p in convo.check(text).errors] == ["input-unreadable"]
    response = '{"type":"message","role":"assistant","content":[{"type":"text","text":"\ud800"}]}'
    with pytest.raises(convo.InputError, match="not valid Unicode text"):
        Conversation().user("Hi").reply(response)


@settings(max_examples=200)
@given(st.text(st.characters(exclude_categories=())))  # surrogates included
def test_any_text_reads_or_is_a_convo_error(text: str) -> None:
    for data in (text, f'[{{"role":"user","content":{json.dumps(text, ensure_ascii=False)}}}]'):
        try:
            Conversation.from_wire(data)
        except convo.ConvoError:
            pass
        convo.check(data)


def test_a_bad_line_of_json_lines_is_named() -> None:
    data = b'{"role":"user","content":"Hi"}\n\n{"role":"assistant","content":"Yo"\n{"role":"user","content":"x"}\n'
    with pytest.raises(convo.InputError, match=r"^line 3: input is not valid JSON"):
        Conversation.from_wire(data)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ({"b", "a"}, "a set has no order"),  # msgspec writes a set in hash order, which changes per process
        (frozenset({1}), "a frozenset has no order"),
        (b"ab", "bytes are not JSON text"),  # msgspec writes base64 text
        (float("nan"), "nan is not a JSON number"),  # msgspec writes null
        (float("-inf"), "-inf is not a JSON number"),
        ({1: "a"}, "the key 1 is not a string"),  # msgspec writes "1"
    ],
)
def test_python_data_json_would_alter_is_refused(value: object, why: str) -> None:
    call = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"x": [value]}}
    with pytest.raises(convo.InputError, match=f"^/messages/1/content/0/input/x/0: {why}"):
        Conversation.from_wire([{"role": "user", "content": "q"}, {"role": "assistant", "content": [call]}])
    with pytest.raises(convo.InvalidArgument, match=f"/content/0/input/x/0: {why}"):
        Conversation().user("q").assistant([convo.ToolUseBlock(id="toolu_1", name="f", input={"x": [value]})])
    with pytest.raises(convo.InvalidArgument, match=f"'metadata' is not JSON data: /metadata/a~1b: {why}"):
        Conversation().user("q").request(model="claude-opus-4-8", max_tokens=9, metadata={"a/b": value})
    assert [
        p.code for p in convo.check([{"role": "user", "content": [{"type": "text", "text": value}]}]).errors
    ] == ["input-unreadable"]


def test_json_data_of_every_kind_is_kept() -> None:
    value = {"s": "x", "i": 1, "f": -0.5, "b": True, "n": None, "l": [1, (2, 3)], "d": {"k": []}}
    conv = Conversation().user("q").assistant([convo.ToolUseBlock(id="toolu_1", name="f", input=value)])
    assert conv.messages[1].to_dict()["content"][0]["input"] == {**value, "l": [1, [2, 3]]}


def test_blocks_built_in_python_are_typed_as_json_reads_them() -> None:
    with pytest.raises(convo.InvalidArgument, match=r"/content/0: Expected `str`, got `int` - at `\$.text`"):
        Conversation().user([convo.TextBlock(text=123)])  # type: ignore[arg-type]
    with pytest.raises(convo.InvalidArgument, match=r"/content/1: Expected `object`, got `array`"):
        Conversation().user("q").assistant(
            [convo.TextBlock(text="a"), convo.ToolUseBlock(id="toolu_1", name="f", input=[1])]  # type: ignore[arg-type]
        )
    marked = Conversation().user([convo.TextBlock(text="q", cache_control={"type": "ephemeral"})])  # type: ignore[arg-type]
    assert marked.messages[0].blocks[0] == convo.TextBlock(
        text="q", cache_control=convo.CacheControl(type="ephemeral")
    )
    assert convo.check(marked.to_json()).valid


def test_an_input_error_named_for_its_file_keeps_path_and_detail() -> None:
    """Readers of files (the CLI, journals) lead the message with the file's name; the pointer
    to the value that cannot be read survives as ``path``."""
    with pytest.raises(convo.InputError) as caught:
        Conversation.from_wire(b'{"messages": [], "max_tokens": 1e999}')
    named = caught.value.named("chat.json")
    assert str(named) == "chat.json: /max_tokens: number out of range"
    assert (named.source, named.path, named.detail) == ("chat.json", "/max_tokens", "number out of range")
    assert named.named("other.json") is named  # named once
    whole = convo.InputError("chat.json: no such file")
    assert whole.named("chat.json") is whole  # its message names the file already


def test_an_opaque_block_of_a_known_type_is_checked_as_from_wire_checks_it() -> None:
    """An OpaqueBlock made in Python may hold a block convo knows: the builders read it as
    from_wire reads the same bytes, so what they accept always loads again."""
    empty = convo.OpaqueBlock({"type": "text", "text": ""})
    orphan = convo.OpaqueBlock({"type": "tool_result", "tool_use_id": "toolu_9"})
    asked = Conversation().user("q").assistant(tool_turn("toolu_1"))
    for conv, turn, code in (
        (Conversation(), [empty], "text-empty"),
        (Conversation(), [orphan], "tool-result-orphan"),
        (asked, [convo.ToolResultBlock(tool_use_id="toolu_1", content=(empty,))], "text-empty"),
    ):
        with pytest.raises(convo.ValidationError, match=f"error {code} at"):
            conv.user(turn)
        with pytest.raises(convo.ValidationError, match=f"error {code} at"):
            conv.append(convo.Message("user", turn))
    known = Conversation().user([convo.OpaqueBlock({"type": "text", "text": "Hi"})])
    assert known.messages[0].content == (TextBlock(text="Hi"),)
    assert Conversation.from_wire(known.to_json()) == known


def test_check_orders_problems_whose_path_holds_a_key_of_other_digits() -> None:
    """'²' is a digit to str.isdigit() but no number to int(): a key made of it is a key."""
    system = {"role": "system", "content": "s", "output_config": {"²": None}}
    report = convo.check([{"role": "user", "content": ""}, system])
    assert [(p.code, p.path) for p in report.problems] == [
        ("content-empty", "/messages/0/content"),
        ("message-field-unknown", "/messages/1/output_config/²"),
    ]


def test_typed_blocks_nested_too_deeply_are_refused_not_a_crash() -> None:
    """Deeper than Python recurses, or data that holds itself: refused as a dict holding it is."""
    deep: dict[str, object] = {}
    for _ in range(5_000):
        deep = {"a": deep}
    itself: dict[str, object] = {}
    itself["again"] = itself
    for hostile in (deep, itself):
        with pytest.raises(convo.InvalidArgument, match="nested too deeply"):
            convo.Message("assistant", [ToolUseBlock(id="toolu_1", name="f", input=hostile)])
