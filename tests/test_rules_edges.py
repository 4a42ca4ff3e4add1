"""Edge cases of the rules and of save and load, each from a defect found by driving the public API."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

import convo
from convo import Conversation


def U(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def A(content: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": content}


def TU(tool_id: str = "toolu_01") -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": "ls", "input": {}}


def TR(content: Any, tool_id: str = "toolu_01", **extra: Any) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": content, **extra}


def codes(data: object, model: str | None = None) -> list[tuple[str, str, str]]:
    return [(p.code, p.severity, p.path) for p in convo.check(data, model=model).problems]


# --- a tool_result's string content is text (api-rules §1.10, §3.7) --------------------------------


@pytest.mark.parametrize("blank", [" ", "   ", "\n", "\r\n", "\t \n"])
def test_a_whitespace_tool_result_string_is_refused_as_whitespace_text_is(blank: str) -> None:
    history = [U("List the files."), A([TU()])]
    answer = U([TR(blank)])
    expected = [("text-whitespace", "error", "/messages/2/content/0/content")]
    assert codes([*history, answer]) == expected  # read whole
    with pytest.raises(convo.ValidationError) as raised:  # appended
        Conversation.from_wire(history).append(answer)
    assert [(p.code, p.path) for p in raised.value.errors] == [("text-whitespace", expected[0][2])]
    assert codes([*history, U([TR(blank, is_error=True)])]) == expected  # not empty: only the one problem


def test_an_empty_or_absent_tool_result_string_is_still_an_empty_result() -> None:
    history = [U("List the files."), A([TU()])]
    assert codes([*history, U([TR("")])]) == []
    assert codes([*history, U([{"type": "tool_result", "tool_use_id": "toolu_01"}])]) == []
    assert codes([*history, U([TR(" a.txt\n")])]) == []


def test_tool_results_gives_an_exception_with_a_blank_message_its_class_name() -> None:
    conv = Conversation.from_wire([U("List the files."), A([TU()])])
    answered = conv.tool_results({"toolu_01": TimeoutError("  \n")})
    assert answered.messages[-1].content[0].content == "TimeoutError"
    assert answered.messages[-1].content[0].is_error is True


# --- a system message's beta fields need their betas (api-rules §1.1) ------------------------------

CLEAR_AT = "mid-conversation-system-clear-at-2026-08-21"
OUTPUT_CONFIG = "mid-conversation-output-config-2026-07-01"


@pytest.mark.parametrize(
    ("field", "value", "beta"),
    [
        ("clear_at", "next_user_message", CLEAR_AT),
        ("clear_at", "never", CLEAR_AT),  # the default, but still a field only the beta type has
        ("clear_at", None, CLEAR_AT),
        ("output_config", {"effort": "low"}, OUTPUT_CONFIG),
        ("output_config", {}, OUTPUT_CONFIG),
    ],
)
def test_a_system_messages_beta_field_needs_its_beta(field: str, value: object, beta: str) -> None:
    history = [U("Hi"), {"role": "system", "content": "Be brief.", field: value}]
    body = {"model": "claude-opus-4-8", "max_tokens": 99, "messages": history}
    (warning,) = convo.check(body).warnings
    assert (warning.code, warning.path) == ("beta-content", f"/messages/1/{field}")
    assert beta in warning.message
    assert convo.check(body, betas=[beta]).problems == ()
    assert codes(history) == []  # conversation mode: a request-scope rule
    conv = Conversation.from_wire([U("Hi")]).append(history[1])
    assert [(p.code, p.path) for p in conv.request(model="claude-opus-4-8", max_tokens=99).warnings] == [
        ("beta-content", f"/messages/1/{field}")
    ]
    assert conv.request(model="claude-opus-4-8", max_tokens=99, betas=[beta]).warnings == ()


def test_each_beta_field_is_quiet_only_with_its_own_beta() -> None:
    both = {
        "role": "system",
        "content": "x",
        "clear_at": "next_user_message",
        "output_config": {"effort": "low"},
    }
    body = {"model": "claude-opus-4-8", "max_tokens": 99, "messages": [U("Hi"), both]}
    assert [p.path for p in convo.check(body).warnings] == ["/messages/1/clear_at"]
    assert [p.path for p in convo.check(body, betas=[CLEAR_AT]).warnings] == ["/messages/1/output_config"]
    assert convo.check(body, betas=[OUTPUT_CONFIG, CLEAR_AT]).warnings == ()


# --- a system message between a paused turn and its continuation (api-rules §1.3, §3.10) ----------

STU = {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {"query": "convo"}}
WSR = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []}
SEARCH = {"type": "web_search_20250305", "name": "web_search"}
SYSTEM = {"role": "system", "content": "Cite your sources."}


@pytest.mark.parametrize("systems", [1, 2])
def test_a_paused_turns_continuation_after_a_system_message_is_not_consecutive(systems: int) -> None:
    messages = [U("Search the web."), A([STU, WSR]), *[SYSTEM] * systems, A("Nothing found.")]
    data = {"tools": [SEARCH], "messages": messages}
    assert codes(data) == []  # read whole
    conv = Conversation.from_wire({"tools": [SEARCH], "messages": messages[:1]})
    for message in messages[1:]:  # appended one by one
        conv = conv.append(message)
    assert conv.check().problems == ()


def test_an_assistant_turn_that_did_not_pause_is_still_merged_across_a_system_message() -> None:
    messages = [U("Hi"), SYSTEM, A("Hello."), A("How can I help?")]
    assert codes(messages) == [("consecutive-roles", "warning", "/messages/3")]


# --- a pause_turn reply that ends in text survives save and load (DESIGN: nothing is lost) --------

OPUS = "claude-opus-4-8"  # rejects prefill (api-rules §1.7)


def RESPONSE(content: list[dict[str, Any]], stop_reason: str = "pause_turn") -> dict[str, Any]:
    return {"type": "message", "role": "assistant", "content": content, "stop_reason": stop_reason}


def paused_in_text() -> Conversation:
    return (
        Conversation().user("Research the topic.").reply(RESPONSE([{"type": "text", "text": "Searching."}]))
    )


def test_a_paused_turn_ending_in_text_is_not_a_prefill_after_save_and_load(tmp_path: Any) -> None:
    conv = paused_in_text()
    path = tmp_path / "paused.json"
    convo.save(conv, path)
    loaded = convo.load(path)
    for each in (conv, loaded):
        assert each.check(model=OPUS).problems == ()
        assert (
            each.request(model=OPUS, max_tokens=99).body() == conv.request(model=OPUS, max_tokens=99).body()
        )
    assert loaded.to_json() == conv.to_json()
    assert convo.dumps(loaded) == path.read_bytes()  # saved again: the same bytes
    assert convo.check(path.read_bytes(), model=OPUS).problems == ()
    # the continuation is no merged pair: the pause is known when it is appended
    continued = loaded.reply(RESPONSE([{"type": "text", "text": "Found it."}], "end_turn"))
    assert b'"paused"' not in convo.dumps(continued)


def test_a_pickled_paused_turn_is_still_paused() -> None:
    import pickle

    again = pickle.loads(pickle.dumps(paused_in_text()))
    assert again.check(model=OPUS).problems == ()


def test_only_a_pause_its_bytes_do_not_show_is_written() -> None:
    search = {"type": "web_search_20250305", "name": "web_search"}
    call = {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {"query": "x"}}
    by_content = Conversation(tools=[search]).user("Search.").reply(RESPONSE([call]))
    assert b'"paused"' not in convo.dumps(by_content)
    assert convo.loads(convo.dumps(by_content)).conversation.check(model=OPUS).problems == ()
    ended = Conversation().user("Hi").reply(RESPONSE([{"type": "text", "text": "Hello."}], "end_turn"))
    assert b'"paused"' not in convo.dumps(ended)


@pytest.mark.parametrize("value", [b'"yes"', b"1", b"null", b"{}"])
def test_a_file_whose_paused_is_not_a_boolean_is_refused(value: bytes) -> None:
    with pytest.raises(convo.InputError, match="'paused' of a convo file must be true or false"):
        convo.loads(b'{"convo":1,"metadata":{},"paused":' + value + b',"messages":[]}')


# --- a journal is read by its content, not by the size stat gives (a /proc file says 0) -----------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
@pytest.mark.parametrize("name", ["/proc/self/status", "/proc/self/cmdline"])
def test_a_proc_file_is_no_empty_journal(name: str) -> None:
    assert os.stat(name).st_size == 0 and Path(name).read_bytes()  # what makes it a trap
    with pytest.raises(convo.CorruptJournal, match=r"not a journal|is not a message"):
        convo.Journal.open(name)


def test_a_journal_whose_size_stat_gives_as_zero_still_holds_its_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "chat.jsonl"
    convo.Journal.create(path, Conversation().user("Hi")).close()
    real_fstat = os.fstat

    def zero_size(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 0,
                               int(st.st_atime), int(st.st_mtime), int(st.st_ctime)))  # fmt: skip

    monkeypatch.setattr(os, "fstat", zero_size)
    with convo.Journal.open(path) as journal:
        assert [m.content for m in journal.conversation.messages] == ["Hi"]
        assert [m.content for m in journal.refresh().messages] == ["Hi"]


# --- a system message that only changes the effort may stand anywhere (per-message effort docs) ----

EFFORT = {"role": "system", "content": [], "output_config": {"effort": "low"}}


@pytest.mark.parametrize(
    "messages",
    [
        [U("Plan a migration."), A("1. Export."), EFFORT, U("Summarize.")],  # the docs' own example
        [EFFORT, U("Hi")],
        [U("Hi"), A("Hello."), EFFORT],
        [U("Hi"), A("Hello."), EFFORT, {**EFFORT, "output_config": {"effort": "high"}}, U("Go on.")],
        [U("Hi"), EFFORT, SYSTEM, A("Hello.")],  # next to content, placed as any section: here well
    ],
)
def test_an_effort_change_alone_is_not_held_to_the_system_message_places(messages: list[Any]) -> None:
    assert codes(messages) == []
    conv = Conversation.from_wire(messages[:1])
    for message in messages[1:]:
        conv = conv.append(message)
    assert conv.check().problems == ()


@pytest.mark.parametrize(
    ("messages", "path"),
    [
        ([U("Hi"), A("Hello."), EFFORT, SYSTEM, U("Go on.")], "/messages/3"),  # content joins it
        ([EFFORT, SYSTEM, U("Hi")], "/messages/1"),
        ([U("Hi"), SYSTEM, EFFORT, U("Go on.")], "/messages/2"),  # followed by a user turn
        ([U("List the files."), A([TU()]), EFFORT, U([TR("a.txt")])], "/messages/2"),  # §3.1
    ],
)
def test_an_effort_change_next_to_content_or_inside_a_tool_call_is_placed(
    messages: list[Any], path: str
) -> None:
    placed = [(code, at) for code, _, at in codes(messages) if code != "consecutive-roles"]
    assert placed == [("system-message-position", path)]


@pytest.mark.parametrize(
    "marker", ["ephemeral", 5, ["ephemeral"], {"ttl": "1h"}, {"type": "ephemeral", "ttl": None}, {"type": 1}]
)
def test_a_block_marker_of_the_wrong_shape_is_reported_at_the_marker_as_on_a_tool(marker: Any) -> None:
    # §5.3: the API rejects the marker, and the block is fine: the same code and place as a
    # wrong type or ttl value, and as the same marker on a tool definition
    text = {"type": "text", "text": "A long document.", "cache_control": marker}
    tool = {"name": "f", "input_schema": {"type": "object"}, "cache_control": marker}
    on_block = convo.check({"messages": [{"role": "user", "content": [text]}]})
    on_tool = convo.check({"tools": [tool], "messages": [{"role": "user", "content": "Hi"}]})
    assert [(p.code, p.path) for p in on_block.problems] == [
        ("cache-control-invalid", "/messages/0/content/0/cache_control")
    ]
    assert [(p.code, p.path) for p in on_tool.problems] == [
        ("cache-control-invalid", "/tools/0/cache_control")
    ]
    assert on_block.problems[0].message == on_tool.problems[0].message
