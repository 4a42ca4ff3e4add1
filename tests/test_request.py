"""``conv.request()``: the parameters, the rules they follow, readiness, and every payload."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest

import convo
from convo import Conversation, InvalidArgument, Request, ValidationError
from convo._params import COUNT_TOKENS_PARAMETERS, REQUEST_PARAMETERS

from .test_rules import ADD, DOC, IMG, A, S, T, U, png_b64
from .test_rules import TOOL as DEFERRED

OPUS = "claude-opus-4-8"
SONNET_45 = "claude-sonnet-4-5"  # deprecated in the SDK (warns there), fine offline
HAIKU = "claude-haiku-4-5"

TOOL = {"name": "clock", "description": "The time.", "input_schema": {"type": "object", "properties": {}}}
ASKED = [
    {"role": "user", "content": "What time is it?"},
    {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "Use the clock.", "signature": "c2ln"},
            {"type": "tool_use", "id": "toolu_1", "name": "clock", "input": {}},
        ],
    },
]
ANSWERED = [
    *ASKED,
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "12"}]},
]


def hi() -> Conversation:
    return Conversation().user("Hi")


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in exc.value.errors]


def request_errors(conv: Conversation, **kwargs: Any) -> list[tuple[str, str]]:
    kwargs.setdefault("model", OPUS)
    kwargs.setdefault("max_tokens", 1024)
    with pytest.raises(ValidationError) as exc:
        conv.request(**kwargs)
    assert all(p.severity == "error" for p in exc.value.errors)
    return codes(exc)


# --- the parameters are the SDK's ---------------------------------------------------------------


def test_every_sdk_parameter_is_covered() -> None:
    params = pytest.importorskip("anthropic.types.message_create_params")
    sdk = set(params.MessageCreateParamsNonStreaming.__annotations__) - {
        "messages",
        "model",
        "max_tokens",
        "stream",
    }
    beta = pytest.importorskip("anthropic.types.beta.message_create_params")
    assert "betas" in beta.MessageCreateParamsNonStreaming.__annotations__  # only the beta client's
    assert set(REQUEST_PARAMETERS) == sdk | {"betas"}


def test_count_tokens_parameters_are_the_sdks() -> None:
    params = pytest.importorskip("anthropic.types.message_count_tokens_params")
    sdk = set(params.MessageCountTokensParams.__annotations__) - {"messages", "model"}
    assert set(COUNT_TOKENS_PARAMETERS) == sdk


def test_every_parameter_reaches_the_body_or_the_headers() -> None:
    conv = Conversation.from_wire(
        {"system": "Be brief.", "tools": [TOOL], "messages": [{"role": "user", "content": "Hi"}]}
    )
    given: dict[str, Any] = {
        "cache_control": {"type": "ephemeral"},
        "container": "container_1",
        "diagnostics": {"previous_message_id": None},
        "inference_geo": "us",
        "metadata": {"user_id": "u-1"},
        "output_config": {"effort": "high"},
        "service_tier": "auto",
        "speed": "standard",
        "stop_sequences": ["END"],
        "thinking": {"type": "adaptive", "display": "summarized"},
        "tool_choice": {"type": "auto"},
        "user_profile_id": "up_1",
        "workspace_id": "wrkspc_1",
    }
    req = conv.request(model=OPUS, max_tokens=2048, **given)
    body = json.loads(req.body())
    for name, value in given.items():
        if name in ("user_profile_id", "workspace_id"):
            assert name not in body
        else:
            assert body[name] == value, name
    assert body["system"] == "Be brief." and body["tools"] == [TOOL]
    assert req.headers()["anthropic-user-profile-id"] == "up_1"
    assert req.headers()["anthropic-workspace-id"] == "wrkspc_1"
    params = req.params()
    assert (
        params["user_profile_id"] == "up_1" and params["workspace_id"] == "wrkspc_1"
    )  # the SDK makes them headers
    assert {k: v for k, v in params.items() if k not in ("user_profile_id", "workspace_id")} == body
    assert "stream" not in params


def test_the_body_is_built_from_the_exact_wire_bytes() -> None:
    raw = (
        b'{"tools":[{"input_schema":{"type":"object","properties":{"z":{},"a":{}}},"name":"t"}],'
        b'"messages":[{"content":"Hi","role":"user"},{"role":"assistant","content":[{"type":"tool_use",'
        b'"input":{"zeta":1.50,"alpha":[1e3]},"name":"t","id":"toolu_9"}]},{"role":"user","content":'
        b'[{"type":"tool_result","tool_use_id":"toolu_9","content":"ok"}]}]}'
    )
    conv = Conversation.from_wire(raw)
    req = conv.request(model=OPUS, max_tokens=10, thinking={"type": "adaptive"})
    assert (
        req.body()
        == b'{"model":"claude-opus-4-8","max_tokens":10,"thinking":{"type":"adaptive"},' + conv.to_json()[1:]
    )
    assert b'"input":{"zeta":1.50,"alpha":[1e3]}' in req.body()  # number literals and key order kept
    assert req.body() == conv.request(model=OPUS, max_tokens=10, thinking={"type": "adaptive"}).body()
    assert req.body(stream=True).endswith(conv.to_json()[1:])
    assert json.loads(req.body(stream=True))["stream"] is True


def test_a_request_is_immutable_and_compares_by_content() -> None:
    a = hi().request(model=OPUS, max_tokens=5)
    b = hi().request(model=OPUS, max_tokens=5)
    assert a == b and hash(a) == hash(b)
    assert a != a.replace(max_tokens=6)
    with pytest.raises(AttributeError):
        a.model = "x"  # type: ignore[misc]
    params = a.params()
    params["max_tokens"] = 1
    assert a.max_tokens == 5 and a.params()["max_tokens"] == 5  # a fresh dict each time
    assert repr(a) == "<Request claude-opus-4-8 max_tokens=5: 1 messages>"


def test_replace_without_and_with_conversation() -> None:
    req = hi().request(model=OPUS, max_tokens=100, thinking={"type": "adaptive"}, stop_sequences=["X"])
    assert req.replace(model="claude-opus-5").model == "claude-opus-5"
    assert req.without("thinking").get("thinking") is None
    assert req.without("thinking").get("stop_sequences") == ["X"]
    nxt = req.with_conversation(hi().assistant("Hello").user("Bye"))
    assert nxt.get("thinking") == {"type": "adaptive"} and len(nxt.conversation) == 3
    with pytest.raises(ValidationError):
        req.replace(max_tokens=10**6)


def test_with_conversation_keeps_the_system_and_tools_given_to_request() -> None:
    """The agent loop of docs/requests.md, with system and tools given per request."""
    tool = {"name": "get_weather", "input_schema": {"type": "object"}}
    choice = {"type": "tool", "name": "get_weather"}
    req = hi().request(model=OPUS, max_tokens=100, system="Be brief.", tools=[tool], tool_choice=choice)
    conv = hi().assistant([{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}])
    nxt = req.with_conversation(conv.tool_results({"toolu_1": "18°C"}))
    assert nxt.conversation.system == "Be brief." and nxt.conversation.tools == (tool,)
    assert nxt.params()["tool_choice"] == choice and len(nxt.conversation) == 3
    again = pickle.loads(pickle.dumps(req))
    assert again == req and again.with_conversation(hi()).conversation.tools == (tool,)
    own = Conversation(system="Mine.").user("Hi")
    assert req.with_conversation(own).conversation.system == "Be brief."  # as request() would
    plain = hi().request(model=OPUS, max_tokens=100)
    assert plain.with_conversation(own).conversation.system == "Mine."
    for changed in (req.replace(max_tokens=200), req.without("tool_choice")):  # the loop goes on as before
        later = changed.with_conversation(conv.tool_results({"toolu_1": "18°C"}))
        assert later.conversation.system == "Be brief." and later.conversation.tools == (tool,)
    assert req.replace(system="Be terse.").with_conversation(own).conversation.system == "Be terse."
    bare = req.without("system", "tools", "tool_choice")
    assert bare.conversation.system is None and bare.conversation.tools == ()
    assert bare.with_conversation(own).conversation.system is None  # and so on, turn after turn
    with pytest.raises(InvalidArgument, match="'nonexistent'"):
        req.without("nonexistent")
    with pytest.raises(InvalidArgument, match="tools must be a list of tool definitions, not dict"):
        hi().request(model=OPUS, max_tokens=100, tools={})


@pytest.mark.parametrize("max_tokens", ["1024", None, float("nan"), float("inf"), 1.5])
def test_a_max_tokens_that_is_not_an_int_is_a_validation_error(max_tokens: Any) -> None:
    with pytest.raises(ValidationError, match="max-tokens-invalid"):
        hi().request(model=OPUS, max_tokens=max_tokens)
    with pytest.raises(ValidationError, match="max-tokens-invalid"):
        hi().request(model=OPUS, max_tokens=9).replace(max_tokens=max_tokens)


def test_a_cache_prewarm_is_never_streamed() -> None:
    """§5.12: max_tokens 0 with stream: true is a 400; convo.check() says prewarm-conflict."""
    prewarm = hi().request(model=OPUS, max_tokens=0)
    assert json.loads(prewarm.body())["max_tokens"] == 0
    for stream in (
        lambda: prewarm.body(stream=True),
        prewarm.stream_params,
        lambda: prewarm.vertex_body(stream=True),
    ):
        with pytest.raises(InvalidArgument, match="cannot be streamed"):
            stream()


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (lambda req: None, "not NoneType"),
        (lambda req: "ab", "not str"),
        (lambda req: [req], r"a batch entry is a \(custom_id, Request\) pair"),
        (lambda req: [("a", req, 1)], r"a batch entry is a \(custom_id, Request\) pair"),
        (lambda req: [(["id"], req)], "a custom_id is a string, not list"),
    ],
)
def test_batches_of_the_wrong_shape_are_invalid_arguments(entries: Any, message: str) -> None:
    requests = entries(hi().request(model=OPUS, max_tokens=9))
    for build in (convo.batch, convo.batch_body, convo.batch_jsonl):
        with pytest.raises(InvalidArgument, match=message):
            build(requests)


def test_requests_pickle_and_copy() -> None:
    conv = Conversation(system="Project notes. " * 400).user("Hi")
    req = conv.request(model=OPUS, max_tokens=100, cache="auto", thinking={"type": "adaptive"})
    again = pickle.loads(pickle.dumps(req))
    assert again == req and again.body() == req.body()
    assert again.cache == req.cache and again.breakpoints == req.breakpoints
    assert again.conversation == conv
    assert copy.copy(req) is req and copy.deepcopy(req) is req


def test_system_and_tools_given_to_the_request_replace_the_conversations() -> None:
    conv = Conversation(system="old", tools=[TOOL]).user("Hi")
    other = {"name": "search", "input_schema": {"type": "object"}}
    req = conv.request(model=OPUS, max_tokens=10, system="new", tools=[other])
    body = json.loads(req.body())
    assert body["system"] == "new" and body["tools"] == [other]
    assert req.conversation.messages == conv.messages
    kept = json.loads(conv.request(model=OPUS, max_tokens=10, system=None).body())
    assert "system" not in kept and kept["tools"] == [TOOL]
    # The replaced tools are validated like the conversation's own.
    assert request_errors(conv, tools=[{"name": "bad name", "input_schema": {"type": "object"}}]) == [
        ("tool-name-invalid", "/tools/0/name")
    ]


def test_unknown_parameters_are_refused_with_help() -> None:
    with pytest.raises(InvalidArgument, match=r"'stream'.*client\.messages\.stream"):
        hi().request(model=OPUS, max_tokens=1, stream=True)
    with pytest.raises(InvalidArgument, match="'messages' come from the conversation"):
        hi().request(model=OPUS, max_tokens=1, messages=[])
    with pytest.raises(InvalidArgument, match="'top_a'"):
        hi().request(model=OPUS, max_tokens=1, top_a=1)
    with pytest.raises(InvalidArgument, match="not JSON data"):
        hi().request(model=OPUS, max_tokens=1, metadata={"user_id": object()})
    with pytest.raises(InvalidArgument, match="model"):
        hi().request(model="", max_tokens=1)


# --- every request rule, through conv.request() and through convo.check() -----------------------

# code -> (messages, parameters, model, expected path)
CASES: dict[str, tuple[list[dict[str, Any]], dict[str, Any], str, str]] = {
    "sampling-parameter-removed": ([], {"temperature": 1.0}, OPUS, "/temperature"),
    "parameter-invalid": ([], {"service_tier": "priority"}, OPUS, "/service_tier"),
    "max-tokens-invalid": ([], {"max_tokens": -1}, OPUS, "/max_tokens"),
    "max-tokens-too-large": ([], {"max_tokens": 64_001}, HAIKU, "/max_tokens"),
    "prewarm-conflict": (
        [],
        {"max_tokens": 0, "tool_choice": {"type": "any"}, "tools": [TOOL]},
        OPUS,
        "/tool_choice/type",
    ),
    "thinking-invalid": ([], {"thinking": {"type": "enabled"}}, HAIKU, "/thinking/budget_tokens"),
    "thinking-type-unsupported": (
        [],
        {"thinking": {"type": "enabled", "budget_tokens": 1024}},
        OPUS,
        "/thinking/type",
    ),
    "thinking-budget-too-small": (
        [],
        {"thinking": {"type": "enabled", "budget_tokens": 1000}},
        HAIKU,
        "/thinking/budget_tokens",
    ),
    "thinking-budget-exceeds-max-tokens": (
        [],
        {"max_tokens": 2000, "thinking": {"type": "enabled", "budget_tokens": 2000}},
        HAIKU,
        "/thinking/budget_tokens",
    ),
    "effort-unsupported": ([], {"output_config": {"effort": "low"}}, HAIKU, "/output_config/effort"),
    "tool-choice-invalid": (
        [],
        {"tool_choice": {"type": "tool", "name": "nope"}, "tools": [TOOL]},
        OPUS,
        "/tool_choice/name",
    ),
    "tool-choice-forced-unsupported": (
        [],
        {"tool_choice": {"type": "any"}, "tools": [TOOL]},
        "claude-fable-5-1",
        "/tool_choice/type",
    ),
    "stop-sequence-empty": ([], {"stop_sequences": ["a", ""]}, OPUS, "/stop_sequences/1"),
    "stop-sequence-whitespace": ([], {"stop_sequences": [" \n"]}, OPUS, "/stop_sequences/0"),
    "prefill-with-thinking": (
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "{"}],
        {"thinking": {"type": "enabled", "budget_tokens": 1024}},
        HAIKU,
        "/messages/1",
    ),
    "thinking-final-block-missing": (
        [ASKED[0], {"role": "assistant", "content": [ASKED[1]["content"][1]]}, ANSWERED[2]],
        {"thinking": {"type": "enabled", "budget_tokens": 1024}, "tools": [TOOL]},
        HAIKU,
        "/messages/1/content/0",
    ),
    "thinking-final-while-disabled": (  # a prefill: the thinking message is in the final position (§4.4)
        [
            ASKED[0],
            {"role": "assistant", "content": [ASKED[1]["content"][0], {"type": "text", "text": "It is"}]},
        ],
        {"thinking": {"type": "disabled"}},
        HAIKU,
        "/messages/1/content/0",
    ),
    "prefill-unsupported": (
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "{"}],
        {},
        OPUS,
        "/messages/1",
    ),
    "tool-use-unanswered": (ASKED, {"tools": [TOOL]}, HAIKU, "/messages/1/content/1"),
}


def _messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return messages or [{"role": "user", "content": "Hi"}]


@pytest.mark.parametrize("code", sorted(CASES))
def test_request_rule_is_raised_by_request(code: str) -> None:
    messages, params, model, path = CASES[code]
    params = dict(params)
    max_tokens = params.pop("max_tokens", 4096)
    tools = params.pop("tools", None)
    conv = Conversation.from_wire({"tools": tools or [], "messages": _messages(messages)})
    found = request_errors(conv, model=model, max_tokens=max_tokens, **params)
    assert (code, path) in found, found


@pytest.mark.parametrize("code", sorted(CASES))
def test_request_rule_is_reported_by_check(code: str) -> None:
    messages, params, model, path = CASES[code]
    body = {"model": model, "max_tokens": 4096, **params, "messages": _messages(messages)}
    report = convo.check(body)
    assert (code, path) in [(p.code, p.path) for p in report.errors]
    if convo.RULES[code].scope == "request":
        assert not report.conversation_errors
        assert Conversation.from_wire(body).to_json()  # the conversation itself still loads


def test_request_rules_are_request_scoped() -> None:
    new = [
        c
        for c in CASES
        if c not in ("prefill-unsupported", "tool-use-unanswered", "sampling-parameter-removed")
    ]
    assert all(convo.RULES[c].scope == "request" for c in new)


def test_warnings_are_kept_not_raised() -> None:
    req = hi().request(model=OPUS, max_tokens=10, thinking={"type": "between_tools"})
    assert [p.code for p in req.warnings] == ["thinking-type-undocumented"]
    report = convo.check(
        {"model": OPUS, "max_tokens": 1, "betas": ["x"], "messages": [{"role": "user", "content": "Hi"}]}
    )
    assert report.valid and [p.code for p in report.warnings] == ["parameter-unknown"]


def test_every_error_is_reported_at_once() -> None:
    found = request_errors(
        Conversation.from_wire(ASKED),
        model=OPUS,
        max_tokens=200_000,
        temperature=0.0,
        thinking={"type": "enabled", "budget_tokens": 10},
        stop_sequences=[""],
    )
    assert {c for c, _ in found} >= {
        "sampling-parameter-removed",
        "max-tokens-too-large",
        "thinking-type-unsupported",
        "thinking-budget-too-small",
        "stop-sequence-empty",
        "prefill-unsupported",
        "tool-use-unanswered",
    }


# --- model-dependent details -------------------------------------------------------------------


def test_thinking_modes_follow_the_profile() -> None:
    assert hi().request(model=HAIKU, max_tokens=4096, thinking={"type": "enabled", "budget_tokens": 1024})
    assert request_errors(hi(), model=HAIKU, thinking={"type": "adaptive"}) == [
        ("thinking-type-unsupported", "/thinking/type")
    ]
    assert request_errors(hi(), model="claude-fable-5", thinking={"type": "disabled"}) == [
        ("thinking-type-unsupported", "/thinking/type")
    ]
    assert hi().request(
        model="claude-opus-5", max_tokens=10, thinking={"type": "disabled"}, output_config={"effort": "high"}
    )
    assert request_errors(
        hi(), model="claude-opus-5", thinking={"type": "disabled"}, output_config={"effort": "max"}
    ) == [("thinking-type-unsupported", "/thinking/type")]
    # An unknown model gets the permissive default profile.
    assert hi().request(
        model="claude-future-9", max_tokens=500_000, thinking={"type": "enabled", "budget_tokens": 2000}
    )


def test_thinking_display_rules() -> None:
    assert request_errors(hi(), thinking={"type": "adaptive", "display": "full"}) == [
        ("thinking-invalid", "/thinking/display")
    ]
    assert request_errors(
        hi(), model="claude-sonnet-5", thinking={"type": "disabled", "display": "omitted"}
    ) == [("thinking-invalid", "/thinking/display")]
    assert request_errors(hi(), thinking="adaptive") == [("thinking-invalid", "/thinking")]


def test_effort_levels_follow_the_profile() -> None:
    assert hi().request(model="claude-opus-4-5", max_tokens=10, output_config={"effort": "high"})
    assert request_errors(hi(), model="claude-opus-4-5", output_config={"effort": "max"}) == [
        ("effort-unsupported", "/output_config/effort")
    ]
    assert request_errors(hi(), output_config={"effort": "extreme"}) == [
        ("parameter-invalid", "/output_config/effort")
    ]


def test_forced_tool_choice() -> None:
    conv = Conversation(tools=[TOOL]).user("Time?")
    assert conv.request(model=OPUS, max_tokens=10, tool_choice={"type": "tool", "name": "clock"})
    assert request_errors(
        conv,
        model=HAIKU,
        max_tokens=4096,
        thinking={"type": "enabled", "budget_tokens": 1024},
        tool_choice={"type": "any"},
    ) == [("tool-choice-forced-unsupported", "/tool_choice/type")]
    assert request_errors(hi(), tool_choice={"type": "any"}) == [("tool-choice-invalid", "/tool_choice")]
    assert request_errors(hi(), tool_choice={"type": "sometimes"}) == [
        ("tool-choice-invalid", "/tool_choice")
    ]
    assert request_errors(conv, tool_choice={"type": "auto", "disable_parallel_tool_use": "yes"}) == [
        ("parameter-invalid", "/tool_choice/disable_parallel_tool_use")
    ]


def test_prewarm() -> None:
    assert hi().request(model=OPUS, max_tokens=0, cache_control={"type": "ephemeral"}).max_tokens == 0
    assert request_errors(
        hi(), model=HAIKU, max_tokens=0, thinking={"type": "enabled", "budget_tokens": 1024}
    ) == [("prewarm-conflict", "/thinking/type")]
    assert request_errors(
        hi(), max_tokens=0, output_config={"format": {"type": "json_schema", "schema": {}}}
    ) == [("prewarm-conflict", "/output_config/format")]
    report = convo.check(
        {"model": OPUS, "max_tokens": 0, "stream": True, "messages": [{"role": "user", "content": "x"}]}
    )
    assert [(p.code, p.path) for p in report.errors] == [("prewarm-conflict", "/stream")]


def test_simple_parameter_types() -> None:
    bad: dict[str, Any] = {
        "metadata": {"user_id": 7},
        "speed": "warp",
        "container": 5,
        "diagnostics": {"previous_message_id": 1},
        "inference_geo": 3,
        "user_profile_id": None,
        "stop_sequences": "END",
        "output_config": [],
    }
    found = request_errors(hi(), **bad)
    assert {c for c, _ in found} == {"parameter-invalid"}
    assert {p for _, p in found} == {
        "/metadata/user_id",
        "/speed",
        "/container",
        "/diagnostics/previous_message_id",
        "/inference_geo",
        "/user_profile_id",
        "/stop_sequences",
        "/output_config",
    }
    assert request_errors(hi(), max_tokens=True) == [("max-tokens-invalid", "/max_tokens")]


@pytest.mark.parametrize(
    ("form", "path"),
    [
        ({"type": "xml", "schema": {}}, "/output_config/format/type"),
        ({"type": "json_schema"}, "/output_config/format"),
        ({"type": "json_schema", "schema": "object"}, "/output_config/format/schema"),
    ],
)
def test_an_output_format_fits_the_sdks_type(form: dict[str, Any], path: str) -> None:
    assert request_errors(hi(), output_config={"format": form}) == [("parameter-invalid", path)]
    schema = {"type": "json_schema", "schema": {"type": "object", "additionalProperties": False}}
    assert hi().request(model=OPUS, max_tokens=10, output_config={"format": schema})


# --- readiness ---------------------------------------------------------------------------------


def test_readiness_prefill_depends_on_the_model() -> None:
    conv = hi().assistant("The answer is")
    assert conv.request(model=SONNET_45, max_tokens=10).body().endswith(b'"content":"The answer is"}]}')
    assert request_errors(conv, model=OPUS) == [("prefill-unsupported", "/messages/1")]


def test_a_pause_turn_continuation_is_ready() -> None:
    paused = hi().append(
        {
            "role": "assistant",
            "content": [
                {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "x"}}
            ],
        }
    )
    assert paused.request(
        model=OPUS, max_tokens=10, tools=[{"type": "web_search_20250305", "name": "web_search"}]
    )


def test_a_pause_turn_that_ends_in_text_stays_ready_with_system_and_tools_given() -> None:
    """A turn reply() appended from a pause_turn response goes back as it is, not as a prefill
    (§1.7, §3.10), also when the request replaces the system prompt or the tools (§3.10: the
    same tools array is sent again), and through without() and with_conversation()."""
    web_search = [{"type": "web_search_20250305", "name": "web_search"}]
    paused = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": "Searching further."}],
        "stop_reason": "pause_turn",
    }
    conv = Conversation(tools=web_search).user("Find it").reply(paused)
    for given in ({"tools": web_search}, {"system": "Be brief."}, {"system": None}):
        request = conv.request(model=OPUS, max_tokens=99, **given)
        assert request.without("system").without("tools").with_conversation(conv).warnings == ()
        assert pickle.loads(pickle.dumps(request)) == request


def test_the_report_of_a_paused_request_keeps_it_paused() -> None:
    """request.report() checks the request that was built: a paused turn that ends in text is
    no prefill there either (§1.7, §3.10), though its body, read alone, is one."""
    paused = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": "Searching"}],
        "stop_reason": "pause_turn",
    }
    request = hi().reply(paused).request(model=OPUS, max_tokens=99)
    assert request.report().errors == ()
    assert [p.code for p in convo.check(request.body()).errors] == ["prefill-unsupported"]


def test_thinking_turns_in_a_tool_loop() -> None:
    conv = Conversation.from_wire({"tools": [TOOL], "messages": ANSWERED})
    enabled = {"type": "enabled", "budget_tokens": 1024}
    assert conv.request(model=HAIKU, max_tokens=4096, thinking=enabled)
    # A later assistant message of the same turn need not start with thinking (no interleaving).
    longer = conv.append(
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "toolu_2", "name": "clock", "input": {}}],
        }
    )
    longer = longer.tool_results({"toolu_2": "13"})
    assert longer.request(model=HAIKU, max_tokens=4096, thinking=enabled)
    # A fresh user turn starts a new assistant turn: no requirement, and thinking may be off.
    fresh = conv.append({"role": "assistant", "content": "Noon."}).user("Thanks")
    assert fresh.request(model=HAIKU, max_tokens=4096, thinking={"type": "disabled"})
    # Thinking off (omitted on a default-off model) while continuing a thinking turn: the API
    # disables thinking for it and does not error (§4.5), so a warning.
    off = conv.request(model=HAIKU, max_tokens=4096)
    assert [(p.code, p.path) for p in off.warnings] == [
        ("thinking-toggled-mid-turn", "/messages/1/content/0")
    ]
    # Results with text after them (or a user message merged after them) still continue the turn.
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "12"}
    unthought = [ASKED[0], {"role": "assistant", "content": [ASKED[1]["content"][1]]}]
    for answer in (
        [{"role": "user", "content": [result, {"type": "text", "text": "Go on."}]}],
        [{"role": "user", "content": [result]}, {"role": "user", "content": "Go on."}],
    ):
        answered = Conversation.from_wire({"tools": [TOOL], "messages": [*unthought, *answer]})
        assert request_errors(answered, model=HAIKU, max_tokens=4096, thinking=enabled) == [
            ("thinking-final-block-missing", "/messages/1/content/0")
        ]
    assert conv.request(model=HAIKU, max_tokens=4096, thinking=enabled)
    # Adaptive drops the must-start-with-thinking rule.
    stripped = Conversation.from_wire(
        {
            "tools": [TOOL],
            "messages": [ASKED[0], {"role": "assistant", "content": [ASKED[1]["content"][1]]}, ANSWERED[2]],
        }
    )
    assert stripped.request(model=OPUS, max_tokens=4096, thinking={"type": "adaptive"})


def test_system_messages_follow_the_request_model() -> None:
    conv = hi().append({"role": "system", "content": "Be brief."})
    assert conv.request(model=OPUS, max_tokens=10)
    assert request_errors(conv, model="claude-sonnet-5") == [("system-message-unsupported", "/messages/1")]


def test_a_body_read_with_automatic_caching_is_not_counted_twice() -> None:
    marked = {"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}
    body = {
        "model": OPUS,
        "cache_control": {"type": "ephemeral"},
        "messages": [{"role": "user", "content": [marked] * 3}],
    }
    conv = Conversation.from_wire(body)
    assert conv.request(model=OPUS, max_tokens=10, cache_control={"type": "ephemeral"})
    assert request_errors(
        conv, cache_control={"type": "ephemeral"}, tools=[{**TOOL, "cache_control": {"type": "ephemeral"}}]
    ) == [("cache-control-too-many", "/cache_control")]


def test_the_corpus_body_with_thinking_and_tools_builds() -> None:
    conv = Conversation.from_wire({"tools": [TOOL], "messages": ANSWERED})
    req = conv.request(
        model="claude-haiku-4-5-20251001",
        max_tokens=64000,
        thinking={"type": "enabled", "budget_tokens": 1024, "display": "summarized"},
    )
    assert convo.check(req.body()).valid
    assert req.report().valid


# --- count_tokens, batches --------------------------------------------------------------------


def test_count_tokens_payloads() -> None:
    req = (
        Conversation(system="S", tools=[TOOL])
        .user("Hi")
        .request(
            model=OPUS,
            max_tokens=10,
            stop_sequences=["x"],
            metadata={"user_id": "u"},
            thinking={"type": "adaptive"},
            workspace_id="wrkspc_1",
        )
    )
    body = json.loads(req.count_tokens_body())
    assert list(body) == ["model", "thinking", "system", "tools", "messages"]
    params = req.count_tokens_params()
    assert params["workspace_id"] == "wrkspc_1"
    assert {k: v for k, v in params.items() if k != "workspace_id"} == body


def test_batch_entries() -> None:
    a = hi().request(model=OPUS, max_tokens=10)
    b = hi().assistant("Hello").user("Bye").request(model=OPUS, max_tokens=20, user_profile_id="up_1")
    created = convo.batch({"a-1": a, "b_2": b})
    assert [r["custom_id"] for r in created["requests"]] == ["a-1", "b_2"]
    assert created["requests"][1]["params"]["user_profile_id"] == "up_1"
    lines = convo.batch_jsonl([("a-1", a), ("b_2", b)]).splitlines()
    assert [json.loads(line) for line in lines] == created["requests"]
    assert json.loads(convo.batch_body({"a-1": a, "b_2": b})) == created
    assert a.batch_line("a-1") == b'{"custom_id":"a-1","params":' + a.body() + b"}"


@pytest.mark.parametrize("custom_id", ["", "x" * 65, "has space", "ünï", "a.b"])
def test_batch_custom_id_rules(custom_id: str) -> None:
    with pytest.raises(InvalidArgument, match="custom_id"):
        hi().request(model=OPUS, max_tokens=1).batch_request(custom_id)


def test_batch_limits() -> None:
    req = hi().request(model=OPUS, max_tokens=1)
    assert req.batch_request("x" * 64)["custom_id"] == "x" * 64
    with pytest.raises(InvalidArgument, match="used twice"):
        convo.batch([("a", req), ("a", req)])
    with pytest.raises(InvalidArgument, match="at least one"):
        convo.batch({})
    with pytest.raises(InvalidArgument, match="max_tokens"):
        req.replace(max_tokens=0).batch_request("a")
    with pytest.raises(InvalidArgument, match="speed"):
        req.replace(speed="fast").batch_line("a")
    with pytest.raises(InvalidArgument, match=r"convo\.Request"):
        convo.batch({"a": "not a request"})  # type: ignore[dict-item]
    for platform in (
        "us.anthropic.claude-opus-4-8-v1:0",
        "claude-opus-4-8@20260101",
    ):  # §8.3: first party only
        with pytest.raises(InvalidArgument, match="Bedrock or Vertex model id"):
            hi().request(model=platform, max_tokens=9).batch_request("a")


def test_every_batch_form_keeps_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """§8.3: 256 MB for the batch's JSON body; the limit is lowered here to keep the test small."""
    entries = {f"r-{i}": hi().request(model=OPUS, max_tokens=10) for i in range(3)}
    size = len(convo.batch_body(entries))
    monkeypatch.setattr(convo._request, "MAX_BATCH_BODY", size)  # exactly at the limit: fine
    assert convo.batch(entries) and convo.batch_jsonl(entries) and convo.batch_body(entries)
    monkeypatch.setattr(convo._request, "MAX_BATCH_BODY", size - 1)
    for form in (convo.batch, convo.batch_body, convo.batch_jsonl):
        with pytest.raises(InvalidArgument, match=rf"the batch is {size:,} bytes; at most 256 MB \("):
            form(entries)


# --- Bedrock and Vertex ------------------------------------------------------------------------


def test_bedrock_body() -> None:
    req = (
        Conversation(tools=[TOOL])
        .user("Hi")
        .request(model="us.anthropic.claude-opus-4-8-v1:0", max_tokens=10)
    )
    body = json.loads(req.bedrock_body(betas=["b-1"]))
    assert "model" not in body and "stream" not in body
    assert body["anthropic_version"] == "2026-10-21" and body["anthropic_beta"] == ["b-1"]
    assert req.bedrock_path() == "/model/us.anthropic.claude-opus-4-8-v1:0/invoke"
    assert req.bedrock_path(stream=True).endswith("/invoke-with-response-stream")
    assert req.bedrock_url("us-east-1").startswith("https://bedrock-runtime.us-east-1.amazonaws.com/model/")
    old = hi().request(model="anthropic.claude-haiku-4-5-20251001-v1:0", max_tokens=10)
    assert json.loads(old.bedrock_body())["anthropic_version"] == "bedrock-2023-05-31"
    chosen = json.loads(req.bedrock_body(anthropic_version="bedrock-2023-05-31"))
    assert chosen["anthropic_version"] == "bedrock-2023-05-31"


def test_bedrock_rejects_what_it_does_not_support() -> None:
    url_image = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
    conv = Conversation().user([url_image, {"type": "text", "text": "What is it?"}])
    req = conv.request(model=OPUS, max_tokens=10, cache_control={"type": "ephemeral"})
    with pytest.raises(InvalidArgument, match=r"/cache_control.*/messages/0/content/0: a url image source"):
        req.bedrock_body()
    with pytest.raises(InvalidArgument, match="/messages/0/content/0: a url image source"):
        req.vertex_body()
    search = hi().request(
        model=OPUS, max_tokens=10, tools=[{"type": "web_search_20250305", "name": "web_search"}]
    )
    with pytest.raises(InvalidArgument, match="server tool"):
        search.bedrock_body()
    system = hi().append({"role": "system", "content": "x"}).request(model="claude-opus-5", max_tokens=10)
    with pytest.raises(InvalidArgument, match="role 'system'"):
        system.bedrock_body()
    inner = {
        "type": "document",
        "source": {"type": "content", "content": [url_image]},
    }  # §2.3 allows images there
    nested = (
        Conversation()
        .user([inner, {"type": "text", "text": "What is it?"}])
        .request(model=OPUS, max_tokens=10)
    )
    for body in (nested.bedrock_body, nested.vertex_body):
        with pytest.raises(
            InvalidArgument, match="/messages/0/content/0/source/content/0: a url image source"
        ):
            body()


def test_bedrock_and_vertex_refuse_a_files_api_container_upload() -> None:
    """A container_upload puts a Files-API file in the code-execution container: neither has a
    place on Bedrock InvokeModel (no file sources, no server tools, §8.4) or Google Cloud (no
    Files sources, no code execution, §8.6)."""
    upload = {"type": "container_upload", "file_id": "file_011CNha8iCJcU1wXNR6q4V8w"}
    req = (
        Conversation()
        .user([upload, {"type": "text", "text": "Chart it."}])
        .request(model=OPUS, max_tokens=10)
    )
    for body in (req.bedrock_body, req.vertex_body, req.vertex_count_tokens_body):
        with pytest.raises(InvalidArgument, match="/messages/0/content/0: a Files-API container_upload"):
            body()
    assert req.body()  # the Claude API runs it


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"betas": "context-1m-2025-08-07"}, "betas is a list of beta names, not str"),
        ({"betas": [1, None]}, r"betas is a list of beta names \(non-empty strings\)"),
        ({"anthropic_version": 5}, "anthropic_version is a version string, not 5"),
    ],
)
def test_platform_bodies_check_their_own_arguments(arguments: dict[str, Any], message: str) -> None:
    req = hi().request(model="us.anthropic.claude-opus-4-8-v1:0", max_tokens=10)
    with pytest.raises(InvalidArgument, match=message):
        req.bedrock_body(**arguments)
    vertex = hi().request(model="claude-opus-4-8@20260101", max_tokens=10)
    if "anthropic_version" in arguments:
        with pytest.raises(InvalidArgument, match=message):
            vertex.vertex_body(**arguments)
    for default in (None, ""):  # the platform's default, as for Bedrock
        assert json.loads(vertex.vertex_body(anthropic_version=default))["anthropic_version"] == "2026-10-21"


@pytest.mark.parametrize(
    ("tool", "bedrock", "vertex"),
    [
        ({"type": "bash_20250124", "name": "bash"}, True, True),  # client tools Anthropic defines
        ({"type": "text_editor_20250728", "name": "str_replace_based_edit_tool"}, True, True),
        ({"type": "memory_20250818", "name": "memory"}, True, True),
        ({"type": "web_search_20250305", "name": "web_search"}, False, True),  # server tools
        ({"type": "web_fetch_20250910", "name": "web_fetch"}, False, False),
        ({"type": "code_execution_20250825", "name": "code_execution"}, False, False),
        ({"type": "browser_toolset_20260801"}, True, False),
    ],
)
def test_each_platform_takes_the_tools_it_runs(tool: dict[str, Any], bedrock: bool, vertex: bool) -> None:
    """§8.4: no server tools on Bedrock InvokeModel; §8.6: no code execution, web fetch,
    advisor or the 20260801 toolsets on Google Cloud."""
    req = hi().request(model=OPUS, max_tokens=10, tools=[tool])
    platforms = (
        (req.bedrock_body, bedrock),
        (req.vertex_body, vertex),
        (req.vertex_count_tokens_body, vertex),
    )
    for body, takes in platforms:
        if takes:
            assert json.loads(body())["tools"] == [tool]
        else:
            with pytest.raises(InvalidArgument, match=f"/tools/0: '{tool['type']}'"):
                body()


def test_vertex_body() -> None:
    req = hi().request(model="claude-sonnet-4-5@20250929", max_tokens=10)
    body = json.loads(req.vertex_body(stream=True))
    assert "model" not in body and body["stream"] is True and body["anthropic_version"] == "2026-10-21"
    assert "stream" not in json.loads(req.vertex_body())
    assert req.vertex_path(project="p", region="us-east5") == (
        "/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict"
    )
    assert req.vertex_url(project="p", region="global", stream=True).startswith(
        "https://aiplatform.googleapis.com/v1/projects/p/locations/global/"
    )
    assert req.vertex_url(project="p", region="eu").startswith("https://aiplatform.eu.rep.googleapis.com/v1/")


def test_request_is_exported() -> None:
    assert isinstance(hi().request(model=OPUS, max_tokens=1), Request)
    assert Request(hi(), model=OPUS, max_tokens=1) == hi().request(model=OPUS, max_tokens=1)
    with pytest.raises(InvalidArgument):
        Request([], model=OPUS, max_tokens=1)  # type: ignore[arg-type]


def test_bedrock_and_vertex_refuse_their_image_limits() -> None:
    """§7.2: 5 MB of base64 per image there, and documents count toward the 20 images."""
    big = IMG(png_b64(10, 10, pad=(5 << 20) * 3 // 4))
    req = (
        Conversation().user([big, {"type": "text", "text": "What is it?"}]).request(model=OPUS, max_tokens=10)
    )
    for body in (req.bedrock_body, req.vertex_body, req.vertex_count_tokens_body):  # counting validates too
        with pytest.raises(
            InvalidArgument,
            match=r"/messages/0/content/0: 5,24\d,\d{3} bytes of base64 image data \(at most 5,242,880, 5 MB\)",
        ):
            body()
    wide = IMG(png_b64(2001, 10))
    doc = DOC(type="text", media_type="text/plain", data="notes")
    many = Conversation().user([wide, *[doc] * 20]).request(model=OPUS, max_tokens=10)
    many.body()  # on the Claude API, documents do not count toward the 20
    with pytest.raises(InvalidArgument, match=r"/messages/0/content/0: a 2001x10 px image among 21"):
        many.bedrock_body()
    Conversation().user([wide, *[doc] * 19]).request(model=OPUS, max_tokens=10).vertex_body()


# --- betas: the anthropic-beta header ----------------------------------------------------------

INTERLEAVED = "interleaved-thinking-2025-05-14"
CONTEXT_1M = "context-1m-2025-08-07"
TOOL_CHANGES = "mid-conversation-tool-changes-2026-07-01"
ENABLED_8K = {"type": "enabled", "budget_tokens": 8000}


@pytest.mark.parametrize(
    ("betas", "expected"),
    [
        (INTERLEAVED, [("parameter-invalid", "/betas")]),
        ({"name": INTERLEAVED}, [("parameter-invalid", "/betas")]),
        ([INTERLEAVED, 7], [("parameter-invalid", "/betas/1")]),
        (["", None], [("parameter-invalid", "/betas/0"), ("parameter-invalid", "/betas/1")]),
    ],
)
def test_betas_are_a_list_of_beta_names(betas: object, expected: list[tuple[str, str]]) -> None:
    assert request_errors(hi(), betas=betas) == expected


def test_betas_are_the_anthropic_beta_header_never_the_body() -> None:
    names = [INTERLEAVED, "context-1m-2025-08-07"]
    plain = hi().request(model=OPUS, max_tokens=99, workspace_id="wrkspc_1")
    req = plain.replace(betas=names)
    assert req.body() == plain.body() and req.body(stream=True) == plain.body(stream=True)
    assert req.count_tokens_body() == plain.count_tokens_body()
    assert req.headers() == {**plain.headers(), "anthropic-beta": ",".join(names)}
    assert req.params() == {**plain.params(), "betas": names}  # the beta client's keyword argument
    assert req.stream_params() == {**plain.stream_params(), "betas": names}
    assert req.count_tokens_params() == {**plain.count_tokens_params(), "betas": names}
    assert req.get("betas") == names and req != plain
    # kept by every way of building the request again
    conv = hi().assistant("Hello").user("Bye")
    assert req.with_conversation(conv).get("betas") == names
    assert pickle.loads(pickle.dumps(req)) == req
    assert req.without("betas") == plain
    # an empty list is no betas: no header, and the non-beta client takes the params
    assert hi().request(model=OPUS, max_tokens=99, workspace_id="wrkspc_1", betas=[]) == plain
    assert "betas" not in plain.replace(betas=()).params()


def test_the_interleaved_thinking_beta_lets_the_budget_exceed_max_tokens() -> None:
    """§4.6: budget_tokens < max_tokens, "except with interleaved thinking"."""
    assert request_errors(hi(), model=HAIKU, max_tokens=4096, thinking=ENABLED_8K) == [
        ("thinking-budget-exceeds-max-tokens", "/thinking/budget_tokens")
    ]
    assert request_errors(  # another beta does not do it
        hi(), model=HAIKU, max_tokens=4096, thinking=ENABLED_8K, betas=["context-1m-2025-08-07"]
    ) == [("thinking-budget-exceeds-max-tokens", "/thinking/budget_tokens")]
    req = hi().request(model=HAIKU, max_tokens=4096, thinking=ENABLED_8K, betas=[INTERLEAVED])
    assert req.warnings == () and req.report().valid  # checked again, as sent with its betas
    assert request_errors(  # the 1024 minimum still holds
        hi(),
        model=HAIKU,
        max_tokens=512,
        thinking={"type": "enabled", "budget_tokens": 800},
        betas=[INTERLEAVED],
    ) == [("thinking-budget-too-small", "/thinking/budget_tokens")]
    body = json.loads(req.body())
    assert [p.code for p in convo.check(body).errors] == ["thinking-budget-exceeds-max-tokens"]
    assert convo.check(body, betas=[INTERLEAVED]).valid
    with pytest.raises(InvalidArgument, match="betas is a list of beta names"):
        convo.check(body, betas=INTERLEAVED)


def test_the_batch_output_beta_raises_the_max_tokens_limit_to_300k() -> None:
    """§7.5: the Batch API takes max_tokens up to 300k with beta output-300k-2026-03-24, on the
    models that have it (not the 4.5 models)."""
    beta = ["output-300k-2026-03-24"]
    req = hi().request(model=OPUS, max_tokens=300_000, betas=beta)
    assert req.report().valid and convo.batch({"long-1": req})["betas"] == beta
    assert request_errors(hi(), model=OPUS, max_tokens=300_001, betas=beta) == [
        ("max-tokens-too-large", "/max_tokens")
    ]
    assert request_errors(hi(), model=HAIKU, max_tokens=64_001, betas=beta) == [
        ("max-tokens-too-large", "/max_tokens")  # a 4.5 model: its own limit holds
    ]
    with pytest.raises(convo.ValidationError) as caught:  # without the beta, the error names it
        hi().request(model=OPUS, max_tokens=200_000)
    assert "with beta output-300k-2026-03-24" in caught.value.errors[0].message
    body = json.loads(req.body())
    assert [p.code for p in convo.check(body).errors] == ["max-tokens-too-large"]
    assert convo.check(body, betas=beta).valid


def test_a_body_never_holds_betas() -> None:
    body = {
        "model": OPUS,
        "max_tokens": 10,
        "betas": [INTERLEAVED],
        "messages": [{"role": "user", "content": "Hi"}],
    }
    (found,) = convo.check(body).warnings
    assert (found.code, found.path) == ("parameter-unknown", "/betas")
    assert "not a body field but the anthropic-beta header" in found.message


def test_beta_content_is_quiet_only_with_the_beta_it_needs() -> None:
    added = Conversation.from_wire(
        {"tools": [DEFERRED(defer_loading=True)], "messages": [U("Weather?"), S([ADD()])]}
    )
    assert [(p.code, p.path) for p in added.request(model=OPUS, max_tokens=99).warnings] == [
        ("beta-content", "/messages/1/content/0")
    ]
    other = added.request(model=OPUS, max_tokens=99, betas=[INTERLEAVED])
    assert [p.code for p in other.warnings] == ["beta-content"] and TOOL_CHANGES in other.warnings[0].message
    assert added.request(model=OPUS, max_tokens=99, betas=[INTERLEAVED, TOOL_CHANGES]).warnings == ()
    # a block whose beta convo does not know stays reported, whatever the betas
    compacted = Conversation.from_wire(
        {
            "tools": [DEFERRED(defer_loading=True)],
            "messages": [
                U("Weather?"),
                S([ADD()]),
                A([{"type": "compaction", "content": "x"}, T("Sunny.")]),
                U("And?"),
            ],
        }
    )
    req = compacted.request(model=OPUS, max_tokens=99, betas=[TOOL_CHANGES])
    assert [(p.code, p.path) for p in req.warnings] == [("beta-content", "/messages/2/content/0")]
    assert [(p.code, p.path) for p in req.report().warnings] == [("beta-content", "/messages/2/content/0")]
    assert [(p.code, p.path) for p in convo.check(compacted.to_json(), model=OPUS).warnings] == [
        ("beta-content", "/messages/1/content/0")
    ]


def test_bedrock_body_takes_the_requests_betas_unless_given() -> None:
    bedrock = "us.anthropic.claude-opus-4-8-v1:0"
    req = hi().request(model=bedrock, max_tokens=10, betas=[INTERLEAVED])
    assert json.loads(req.bedrock_body())["anthropic_beta"] == [INTERLEAVED]
    assert json.loads(req.bedrock_body(betas=["b-1"]))["anthropic_beta"] == ["b-1"]
    assert "anthropic_beta" not in json.loads(req.bedrock_body(betas=[]))
    assert "anthropic_beta" not in json.loads(hi().request(model=bedrock, max_tokens=10).bedrock_body())
    vertex = hi().request(model="claude-opus-4-8@20260101", max_tokens=10, betas=[INTERLEAVED])
    assert "betas" not in vertex.vertex_body().decode()  # Vertex keeps the header
    assert vertex.headers()["anthropic-beta"] == INTERLEAVED


def test_a_batch_entry_cannot_carry_betas_but_a_batch_lifts_them() -> None:
    """The betas are one anthropic-beta header for the whole batch: an entry or a batch file
    cannot hold them, and a batch of requests that share them carries them once."""
    req = hi().request(model=OPUS, max_tokens=10, betas=[INTERLEAVED])
    for build in (
        lambda: req.batch_request("q-1"),
        lambda: req.batch_line("q-1"),
        lambda: convo.batch_jsonl({"q-1": req}),
    ):
        with pytest.raises(InvalidArgument, match="q-1: a batch entry cannot carry betas"):
            build()
    plain = req.without("betas")
    both = hi().request(model=OPUS, max_tokens=10, betas=[CONTEXT_1M, INTERLEAVED])
    swapped = hi().request(model=OPUS, max_tokens=20, betas=[INTERLEAVED, CONTEXT_1M])
    created = convo.batch({"q-1": both, "q-2": swapped})
    assert created["betas"] == [CONTEXT_1M, INTERLEAVED]  # type: ignore[typeddict-item]
    assert [e["params"] for e in created["requests"]] == [
        {k: v for k, v in r.params().items() if k != "betas"} for r in (both, swapped)
    ]
    assert json.loads(convo.batch_body({"q-1": both, "q-2": swapped})) == {"requests": created["requests"]}
    assert convo.batch_headers({"q-1": both})["anthropic-beta"] == f"{CONTEXT_1M},{INTERLEAVED}"
    assert "anthropic-beta" not in convo.batch_headers({"q-1": plain})
    assert convo.batch({"q-1": plain}) == {"requests": [{"custom_id": "q-1", "params": plain.params()}]}
    for make in (convo.batch, convo.batch_body, convo.batch_headers):
        with pytest.raises(InvalidArgument, match=r"'q-2' has betas \[\] but 'q-1' has"):
            make({"q-1": req, "q-2": plain})
        with pytest.raises(InvalidArgument, match="another batch"):
            make({"q-1": req, "q-2": both})


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"workspace_id": "wrkspc_01\r\nX-Other: 1"}, "/workspace_id"),
        ({"user_profile_id": "profil\u00e9"}, "/user_profile_id"),
        ({"betas": ["context-1m-2025-08-07", "files-api\n"]}, "/betas/1"),
    ],
)
def test_a_header_parameter_takes_printable_ascii_only(params: dict[str, Any], path: str) -> None:
    """betas, user_profile_id and workspace_id are sent as HTTP headers (headers()), which HTTP
    clients refuse with a line break or a character that is not ASCII: refused before sending."""
    with pytest.raises(convo.ValidationError) as raised:
        hi().request(model=OPUS, max_tokens=10, **params)
    assert [(p.code, p.path) for p in raised.value.errors] == [("parameter-invalid", path)]
    printable = {name: ["context-1m-2025-08-07"] if name == "betas" else "wrkspc_01" for name in params}
    assert hi().request(model=OPUS, max_tokens=10, **printable).headers()
