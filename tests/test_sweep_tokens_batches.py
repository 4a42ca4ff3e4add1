"""A line-by-line sweep of api-rules §6 (token counting), §8.1-§8.3 (Message Batches) and §9
(recent changes and disagreements): for each statement that the API refuses, accepts, changes or
warns about, an input that breaks it and the nearest one the API accepts (at a limit and one past
it, the first refused value, the rule's exceptions).  §9's bodies carry every problem
``convo.check`` must give, by code and path, and ``Conversation.from_wire(...).request(...)``
must refuse them with the same errors; §6's are what convo sends to ``count_tokens`` (through the
SDK, over a mock transport); §8's are the batch entries convo builds or refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

import convo
from convo import ApiCounter, Conversation, InvalidArgument, LocalCounter
from convo._images import image_tokens

from .mock_api import MockApi
from .test_rules import A, S, U
from .test_sweep_structure import builder_refuses_what_check_does, problems

Body = dict[str, Any]
Expected = list[tuple[str, str]]

OPUS_48 = "claude-opus-4-8"
TOOL = {"name": "f", "input_schema": {"type": "object"}}
THINKING = {"type": "thinking", "thinking": "Hmm.", "signature": "EqQB"}


def request(messages: list[Body], model: str = OPUS_48, max_tokens: int = 2048, **extra: Any) -> Body:
    return {"model": model, "max_tokens": max_tokens, "messages": messages, **extra}


def hi(model: str, **extra: Any) -> Body:
    return request([U("hi")], model=model, **extra)


def forced(model: str, choice: str) -> Body:
    return hi(
        model, tools=[TOOL], tool_choice={"type": choice, **({"name": "f"} if choice == "tool" else {})}
    )


ENABLED = {"type": "enabled", "budget_tokens": 1024}
ADAPTIVE = {"type": "adaptive"}
DISABLED = {"type": "disabled"}
UNSUPPORTED = [("thinking-type-unsupported", "/thinking/type")]
FORCED = [("tool-choice-forced-unsupported", "/tool_choice/type")]

CASES: list[tuple[str, Body, Expected]] = [
    # §9.1: API version 2026-10-21 removes sampling parameters, even at their defaults
    ("9.1-temperature-default", hi(OPUS_48, temperature=1), [("sampling-parameter-removed", "/temperature")]),
    ("9.1-no-sampling", hi(OPUS_48), []),
    # §9.2 (§1.2): role "system" on Fable 5, Mythos 5, Opus 4.8, Opus 5; not Sonnet 5; 5.5-era gated
    ("9.2-system-on-opus-4-8", request([U("hi"), S("x")]), []),
    ("9.2-system-on-opus-5", request([U("hi"), S("x")], model="claude-opus-5"), []),
    (
        "9.2-system-on-sonnet-5",
        request([U("hi"), S("x")], model="claude-sonnet-5"),
        [("system-message-unsupported", "/messages/1")],
    ),
    (
        "9.2-system-on-opus-5-5",
        request([U("hi"), S("x")], model="claude-opus-5-5"),
        [("system-message-unsupported", "/messages/1")],
    ),
    # §9.3: prefill is gone on Claude 4.6+
    ("9.3-prefill-opus-4-5", request([U("hi"), A("The answer is")], model="claude-opus-4-5"), []),
    (
        "9.3-prefill-opus-4-6",
        request([U("hi"), A("The answer is")], model="claude-opus-4-6"),
        [("prefill-unsupported", "/messages/1")],
    ),
    # §9.4: an assistant-first array is a toolkit warning, not an error
    ("9.4-assistant-first", request([A("hello"), U("hi")]), [("first-not-user", "/messages/0")]),
    # §9.10: diagnostics on the non-beta create, without the beta the docs name
    ("9.10-diagnostics", hi(OPUS_48, diagnostics={"previous_message_id": "msg_01"}), []),
    ("9.10-diagnostics-first-turn", hi(OPUS_48, diagnostics={"previous_message_id": None}), []),
    # §9.11: enabled deprecated on 4.6, removed on 4.7+ and 5.x; adaptive refused on 4.5 and earlier
    ("9.11-enabled-opus-4-5", hi("claude-opus-4-5", thinking=ENABLED), []),
    (
        "9.11-enabled-opus-4-6",
        hi("claude-opus-4-6", thinking=ENABLED),
        [("thinking-enabled-deprecated", "/thinking/type")],
    ),
    ("9.11-enabled-opus-4-7", hi("claude-opus-4-7", thinking=ENABLED), UNSUPPORTED),
    ("9.11-enabled-opus-5", hi("claude-opus-5", thinking=ENABLED), UNSUPPORTED),
    ("9.11-enabled-fable-5-1", hi("claude-fable-5-1", thinking=ENABLED), UNSUPPORTED),
    ("9.11-adaptive-opus-4-5", hi("claude-opus-4-5", thinking=ADAPTIVE), UNSUPPORTED),
    ("9.11-adaptive-opus-4-6", hi("claude-opus-4-6", thinking=ADAPTIVE), []),
    # §9.11: Opus 5 takes disabled only at effort <= high
    (
        "9.11-opus-5-disabled-high",
        hi("claude-opus-5", thinking=DISABLED, output_config={"effort": "high"}),
        [],
    ),
    (
        "9.11-opus-5-disabled-xhigh",
        hi("claude-opus-5", thinking=DISABLED, output_config={"effort": "xhigh"}),
        UNSUPPORTED,
    ),
    ("9.11-opus-5-xhigh-thinking", hi("claude-opus-5", output_config={"effort": "xhigh"}), []),
    # §9.11: Opus 5.5 and Fable 5.1 are always on and refuse forced tool_choice
    ("9.11-opus-5-5-disabled", hi("claude-opus-5-5", thinking=DISABLED), UNSUPPORTED),
    ("9.11-opus-5-5-auto", forced("claude-opus-5-5", "auto"), []),
    ("9.11-opus-5-5-tool", forced("claude-opus-5-5", "tool"), FORCED),
    ("9.11-fable-5-1-any", forced("claude-fable-5-1", "any"), FORCED),
    ("9.11-opus-5-any", forced("claude-opus-5", "any"), []),
    # §9.13: SDK-only thinking type and models newer than the docs: never an error
    (
        "9.13-between-tools",
        hi(OPUS_48, thinking={"type": "between_tools"}),
        [("thinking-type-undocumented", "/thinking/type")],
    ),
    ("9.13-fable-5-2", hi("claude-fable-5-2", thinking=ADAPTIVE), []),
    ("9.13-mythos-5-2", hi("claude-mythos-5-2"), []),
]


@pytest.mark.parametrize(("body", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_check_gives_exactly_the_rules_problems(body: Body, expected: Expected) -> None:
    assert sorted(problems(body)) == sorted(expected)


@pytest.mark.parametrize(("body", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_the_request_builder_refuses_the_same_errors(body: Body, expected: Expected) -> None:
    builder_refuses_what_check_does(body)


# -- §6: what convo sends to count_tokens ----------------------------------------------------------

anthropic = pytest.importorskip("anthropic")
httpx2 = pytest.importorskip("httpx2")


class CountTokens(MockApi):
    """A fake ``/v1/messages/count_tokens`` that records each body and header."""

    def __init__(self) -> None:
        self.bodies: list[Body] = []
        self.headers: list[dict[str, str]] = []

    def __call__(self, request: Any) -> Any:
        self.bodies.append(json.loads(request.content))
        self.headers.append(dict(request.headers))
        return httpx2.Response(200, json={"input_tokens": 7})


CONVERSATION = Conversation(system="S", tools=[TOOL]).user("Hi")
SENT_WITH_IT = ["messages", "model", "system", "tools"]


@pytest.mark.parametrize(
    ("param", "value", "sent"),
    [
        # §6.1: count_tokens takes these ...
        ("cache_control", {"type": "ephemeral"}, "cache_control"),
        ("output_config", {"effort": "high"}, "output_config"),
        ("speed", "fast", "speed"),
        ("thinking", ADAPTIVE, "thinking"),
        ("tool_choice", {"type": "auto"}, "tool_choice"),
        # ... and no max_tokens, stop_sequences or metadata (nor the other create-only fields)
        ("stop_sequences", ["END"], None),
        ("metadata", {"user_id": "u"}, None),
        ("service_tier", "auto", None),
        ("inference_geo", "us", None),
        ("diagnostics", {"previous_message_id": None}, None),
        # user_profile_id and workspace_id are headers of count_tokens as of create
        ("user_profile_id", "up_1", None),
        ("workspace_id", "wrkspc_1", None),
    ],
)
def test_count_tokens_gets_the_parameters_it_takes(param: str, value: Any, sent: str | None) -> None:
    """§6.1, through the SDK's own ``count_tokens`` (its params type takes what convo gives)."""
    endpoint = CountTokens()
    req = CONVERSATION.request(model=OPUS_48, max_tokens=64, **{param: value})
    endpoint.client().messages.count_tokens(**req.count_tokens_params())
    expected = sorted([*SENT_WITH_IT, *([sent] if sent else [])])
    assert sorted(endpoint.bodies[0]) == sorted(json.loads(req.count_tokens_body())) == expected
    ApiCounter(endpoint.client(), model=OPUS_48).count(CONVERSATION, max_tokens=64, **{param: value})
    assert (
        endpoint.bodies[1] == endpoint.bodies[0] and endpoint.headers[1].keys() == endpoint.headers[0].keys()
    )


@pytest.mark.parametrize("param", ["system", "tools"])
def test_api_counter_sends_no_system_or_tools_for_none(param: str) -> None:
    """``system=None`` (and ``tools=None``) counts the conversation without its own, as
    ``LocalCounter`` and ``Request.count_tokens_body()`` do (docs/requests.md: "system=None sends
    none"); the SDK's count_tokens params type has no null for either."""
    endpoint = CountTokens()
    ApiCounter(endpoint.client(), model=OPUS_48).count(CONVERSATION, **{param: None})
    assert sorted(endpoint.bodies[0]) == [k for k in SENT_WITH_IT if k != param]
    if param == "system":
        req = CONVERSATION.request(model=OPUS_48, max_tokens=64, system=None)
        assert endpoint.bodies[0] == json.loads(req.count_tokens_body())


def test_bedrock_cannot_count() -> None:
    """§6.9, §9.9: the SDK's Bedrock client refuses count_tokens; ApiCounter says so."""
    client = anthropic.AnthropicBedrock(aws_region="us-east-1", aws_access_key="a", aws_secret_key="b")
    counter = ApiCounter(client, model="anthropic.claude-opus-4-8-v1:0")
    with pytest.raises(convo.TokenCountError, match="not supported in Bedrock"):
        counter.count(Conversation().user("Hi"))


@pytest.mark.parametrize(
    ("width", "height", "standard", "high"),
    [
        (1000, 1000, 1296, 1296),  # §6.7's examples
        (1920, 1080, 1560, 2691),
        (1092, 1092, 1521, 1521),  # 39 x 39 patches: fits both tiers as it is
        (1568, 28, 56, 56),  # at the standard long edge
        (1569, 28, 56, 57),  # one past it: downscaled on standard only
        (2576, 28, 56, 92),  # at the high-resolution long edge
        (2577, 28, 56, 92),
    ],
)
def test_image_patches_per_tier(width: int, height: int, standard: int, high: int) -> None:
    """§6.7: ceil(w/28) x ceil(h/28) after the downscale to the tier (1568 px and 1568 tokens;
    2576 px and 4784 tokens)."""
    assert image_tokens(width, height, tier="standard") == standard
    assert image_tokens(width, height, tier="high") == high


@pytest.mark.parametrize(
    ("model", "tier", "new_tokenizer"),
    [
        ("claude-opus-4-6", "standard", False),  # before 4.7
        ("claude-haiku-4-5", "standard", False),
        ("claude-opus-4-7", "high", True),  # §6.6, §6.7: 4.7 and later
        ("claude-fable-5", "high", True),
        ("claude-mythos-preview", "high", True),
        ("claude-haiku-5-5", "high", True),
    ],
)
def test_tokenizer_and_image_tier_per_model(model: str, tier: str, new_tokenizer: bool) -> None:
    """§6.6: the newer tokenizer costs more for the same text; §6.7: the image tier."""
    prof = convo.profile(model)
    assert (prof.image_tier, prof.new_tokenizer) == (tier, new_tokenizer)


@pytest.mark.parametrize(
    ("model", "prior_counts"),
    [("claude-sonnet-4-5", False), ("claude-haiku-4-5", False), ("claude-opus-4-5", True), (OPUS_48, True)],
)
def test_prior_thinking_counts_where_the_model_keeps_it(model: str, prior_counts: bool) -> None:
    """§6.4, §9.7: the current tool loop's thinking always counts; a prior turn's only on a model
    that keeps it in context (§4.10), the larger number."""
    call = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
    result = U([{"type": "tool_result", "tool_use_id": "toolu_1", "content": "r"}])

    def cost(thought: list[Body], *, loop: bool) -> int:
        tail = (
            [A([*thought, call]), result]
            if loop
            else [A([*thought, {"type": "text", "text": "a"}]), U("more")]
        )
        conv = Conversation.from_wire({"tools": [TOOL], "messages": [U("q"), *tail]})
        return LocalCounter().count(conv, model=model)

    assert cost([THINKING], loop=True) > cost([], loop=True)
    assert (cost([THINKING], loop=False) > cost([], loop=False)) is prior_counts


# -- §8.1-§8.3: Message Batches ------------------------------------------------------------------

HI = Conversation().user("Hi")
PLAIN = HI.request(model=OPUS_48, max_tokens=16)


@pytest.mark.parametrize(
    ("custom_id", "accepted"),
    [
        ("a", True),
        ("a" * 64, True),
        ("A-Z_az-09", True),
        ("", False),
        ("a" * 65, False),
        ("a.b", False),
        ("a b", False),
        ("é", False),
        ("\uff41", False),  # a full-width letter: only ASCII letters
        ("a\n", False),
    ],
)
def test_custom_id(custom_id: str, accepted: bool) -> None:
    """§8.2: ``^[a-zA-Z0-9_-]{1,64}$``."""
    if accepted:
        assert convo.batch({custom_id: PLAIN})["requests"][0]["custom_id"] == custom_id
        return
    with pytest.raises(InvalidArgument, match="custom_id"):
        convo.batch({custom_id: PLAIN})
    with pytest.raises(InvalidArgument, match="custom_id"):
        PLAIN.batch_line(custom_id)


def test_custom_ids_are_unique() -> None:
    """§8.2: unique within the batch."""
    with pytest.raises(InvalidArgument, match="used twice"):
        convo.batch([("a", PLAIN), ("a", PLAIN)])
    assert len(convo.batch([("a", PLAIN), ("b", PLAIN)])["requests"]) == 2


@pytest.mark.parametrize(
    ("params", "accepted"),
    [
        ({"speed": "fast"}, False),  # §8.3: speed is refused inside a batch
        ({"speed": "standard"}, False),
        ({"max_tokens": 0}, False),  # §8.3: no pre-warm
        ({"max_tokens": 1}, True),
        ({"service_tier": "auto"}, True),
        ({"cache_control": {"type": "ephemeral", "ttl": "1h"}}, True),
        ({"user_profile_id": "up_1"}, True),  # §8.1: a per-request body field
        ({"model": "anthropic.claude-opus-4-8-v1:0"}, False),  # §8.3: no batches on Bedrock
        ({"model": "claude-opus-4-8@20260101"}, False),  # ... nor on Google Cloud
    ],
)
def test_fields_refused_in_a_batch(params: Body, accepted: bool) -> None:
    req = HI.request(**{"model": OPUS_48, "max_tokens": 16, **params})
    if accepted:
        entry = convo.batch({"q-1": req})["requests"][0]["params"]
        assert entry == json.loads(req.body()) | (
            {"user_profile_id": "up_1"} if "user_profile_id" in params else {}
        )
        return
    with pytest.raises(InvalidArgument):
        convo.batch({"q-1": req})
    with pytest.raises(InvalidArgument):
        req.batch_line("q-1")


@pytest.mark.parametrize(
    "name", ["stream", "store", "previous_thread_event_id", "cache_hint", "context_hint"]
)
def test_fields_no_request_carries(name: str) -> None:
    """§8.3's other refused fields are no request parameters at all."""
    with pytest.raises(InvalidArgument, match="unknown request parameter"):
        HI.request(model=OPUS_48, max_tokens=16, **{name: True})


def test_at_most_100000_requests() -> None:
    """§8.3: 100,000 requests at most."""
    assert convo.batch_body([(f"r{i}", PLAIN) for i in range(100_000)]).count(b'"custom_id"') == 100_000
    with pytest.raises(InvalidArgument, match="at most 100000"):
        convo.batch_body([(f"r{i}", PLAIN) for i in range(100_001)])


def test_batch_options_are_the_batchs() -> None:
    """§8.1: ``workspace_id`` is an option of the whole batch, not of an entry."""
    req = HI.request(model=OPUS_48, max_tokens=16, workspace_id="wrkspc_1")
    assert convo.batch({"q-1": req})["workspace_id"] == "wrkspc_1"
    with pytest.raises(InvalidArgument, match="workspace_id"):
        req.batch_line("q-1")
    with pytest.raises(InvalidArgument, match="another batch"):
        convo.batch({"q-1": req, "q-2": PLAIN})
