"""Conversations of every shape through the real ``anthropic`` SDK, every client method.

``wire_conversations`` with every flag on (toolsets, tool changes, system messages, server
tools, thinking, images, cache marks) gives requests; the SDK sends them over a mock transport
with ``create``, ``stream`` and ``count_tokens`` (the beta client when the request has betas),
sync and async.  What it puts on the wire is convo's body but for what docs/clients.md says the
SDK writes again: its own top-level order and its own spelling of literals.  Every field, key
order inside included, and every header is convo's.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convo
from convo import Conversation
from convo.testing import wire_conversations

anthropic = pytest.importorskip("anthropic")
httpx2 = pytest.importorskip("httpx2")

from .mock_api import MockApi  # noqa: E402
from .test_sdk import pairs  # noqa: E402

TOOL_CHANGES_BETA = "mid-conversation-tool-changes-2026-07-01"

ANSWER: dict[str, Any] = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-opus-4-8",
    "content": [{"type": "text", "text": "ok"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}


def _sse() -> bytes:
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": {**ANSWER, "content": [], "stop_reason": None}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {}},
        {"type": "message_stop"},
    ]
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


class Api(MockApi):
    """Answers a create, a stream or a count; keeps what the SDK sent."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def __call__(self, request: Any) -> Any:
        self.sent.append(request)
        if request.url.path.endswith("/count_tokens"):
            return httpx2.Response(200, json={"input_tokens": 3})
        if b'"stream":true' in request.content:
            return httpx2.Response(200, content=_sse(), headers={"content-type": "text/event-stream"})
        return httpx2.Response(200, json=ANSWER)


def assert_sent_as_convo(sent: Any, expected: bytes, headers: dict[str, str]) -> None:
    """The SDK's body is convo's, field for field with convo's key order inside, written again by
    ``json.dumps`` in the SDK's top-level order; and it carries convo's headers."""
    body = json.loads(sent.content)
    ours = json.loads(expected)
    assert set(body) == set(ours)
    for name, value in ours.items():
        assert pairs(body[name]) == pairs(value), name
    rewritten = {name: ours[name] for name in body}
    assert sent.content == json.dumps(rewritten, ensure_ascii=False, separators=(",", ":")).encode()
    for name, value in headers.items():
        assert sent.headers[name] == value, name


def send_everywhere(request: convo.Request) -> None:
    api = Api()
    beta = "betas" in request.params()
    sync = api.client().beta.messages if beta else api.client().messages
    headers = request.headers()
    counting = dict(headers)
    if beta:  # the beta count_tokens adds its own beta to the header
        counting["anthropic-beta"] += ",token-counting-2024-11-01"
    sync.create(**request.params())
    assert_sent_as_convo(api.sent[-1], request.body(), headers)
    with sync.stream(**request.stream_params()) as stream:
        stream.get_final_message()
    assert_sent_as_convo(api.sent[-1], request.body(stream=True), headers)
    sync.count_tokens(**request.count_tokens_params())
    assert_sent_as_convo(api.sent[-1], request.count_tokens_body(), counting)

    async def asynchronously() -> None:
        client = api.async_client()
        messages = client.beta.messages if beta else client.messages
        await messages.create(**request.params())
        assert_sent_as_convo(api.sent[-1], request.body(), headers)
        async with messages.stream(**request.stream_params()) as stream:
            await stream.get_final_message()
        assert_sent_as_convo(api.sent[-1], request.body(stream=True), headers)

    asyncio.run(asynchronously())


def ready(conv: Conversation) -> Conversation:
    """The conversation with the turn a request needs appended: results, or a user turn."""
    if conv.pending_tool_uses:
        return conv.tool_results({use.id: "done" for use in conv.pending_tool_uses})
    if conv.messages[-1].role == "assistant":
        return conv.user("Go on.")
    return conv


PARAMETERS = st.fixed_dictionaries(
    {},
    optional={
        "thinking": st.just({"type": "adaptive"}),
        "tool_choice": st.just({"type": "auto", "disable_parallel_tool_use": True}),
        "metadata": st.just({"user_id": "u-1"}),
        "output_config": st.just({"effort": "high"}),
        "stop_sequences": st.just(["END", "é"]),
        "service_tier": st.just("standard_only"),
        "inference_geo": st.just("us"),
        "cache_control": st.just({"type": "ephemeral", "ttl": "1h"}),
        "diagnostics": st.just({"previous_message_id": "msg_00"}),
        "user_profile_id": st.just("uprof_1"),
        "workspace_id": st.just("wrkspc_1"),
        "betas": st.just(["context-1m-2025-08-07"]),
    },
)

EVERY_SHAPE = wire_conversations(
    toolsets=True,
    tool_changes=True,
    system_messages=True,
    server_tools=True,
    thinking=True,
    images=True,
    cache_marks=True,
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(EVERY_SHAPE, st.sampled_from(["claude-opus-4-8", "claude-sonnet-4-6"]), st.booleans(), PARAMETERS)
def test_every_shape_goes_out_through_the_sdk_as_convo_built_it(
    data: dict[str, Any], model: str, auto: bool, parameters: dict[str, Any]
) -> None:
    conv = ready(Conversation.from_wire(data))
    if any(
        b.type in ("tool_addition", "tool_removal", "compaction") for m in conv.messages for b in m.blocks
    ):
        parameters["betas"] = [*parameters.get("betas", ()), TOOL_CHANGES_BETA]
    try:
        request = conv.request(model=model, max_tokens=1024, cache="auto" if auto else None, **parameters)
    except convo.ValidationError:
        return  # too many cache marks, a 1h automatic mark after 5m ones, or system messages a model refuses
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        send_everywhere(request)


def test_the_sdk_writes_a_history_the_same_way_turn_after_turn() -> None:
    """Literals the SDK spells its own way (an exponent, a number or an escape kept as read) are
    spelled the same in every request it sends: the cached prefix still extends (§5.2)."""
    wire = (
        b'[{"role":"user","content":"Weather?"},{"role":"assistant","content":[{"type":"tool_use",'
        b'"id":"toolu_01","name":"get_weather","input":{"city":"Par\\u00eds","tolerance":1.50,"at":1E-7}}]}]'
    )
    tools = [{"name": "get_weather", "input_schema": {"type": "object"}}]
    conv = Conversation.from_wire(wire).tool_results({"toolu_01": "18°C"})
    api = Api()
    client = api.client()
    first = conv.request(model="claude-opus-4-8", max_tokens=1024, tools=tools)
    client.messages.create(**first.params())
    second = first.with_conversation(conv.reply(ANSWER).user("And tomorrow?"))
    client.messages.create(**second.params())
    before, after = (request.content for request in api.sent)
    assert b'"input":{"city":"Par\\u00eds","tolerance":1.50,"at":1E-7}' in first.body()
    assert '"input":{"city":"París","tolerance":1.5,"at":1e-07}'.encode() in before
    opened = before.index(b'"messages":[') + len(b'"messages":[')
    closed = before.index(b"]", before.index(b'"18\xc2\xb0C"'))
    assert after[opened:closed] == before[opened:closed]
