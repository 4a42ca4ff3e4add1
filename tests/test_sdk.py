"""The real ``anthropic`` SDK, over a mock transport: what it sends is what convo built.

``anthropic.Anthropic`` / ``AsyncAnthropic`` (and the Bedrock and Vertex clients) take an
``httpx2`` client; a ``httpx2.MockTransport`` records every request the SDK makes and replays
scripted API responses.  Each test asserts that the body the SDK put on the wire equals
``Request.body()`` (and friends) as JSON, key order inside the messages included.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

import convo
from convo import Conversation

anthropic = pytest.importorskip("anthropic")
httpx2 = pytest.importorskip("httpx2")

from . import corpus  # noqa: E402
from .mock_api import MockApi  # noqa: E402

MODEL = "claude-opus-4-8"  # not deprecated: the SDK warns on deprecated ids, and warnings are errors

TOOLS = [
    {
        "name": "get_metrics",
        "description": "Read a service metric.",
        "input_schema": {
            "type": "object",
            "properties": {"service": {"type": "string"}, "metric": {"type": "string"}},
            "required": ["service", "metric"],
        },
    },
    {
        "name": "get_logs",
        "description": "Recent error log lines.",
        "input_schema": {
            "type": "object",
            "properties": {"service": {"type": "string"}},
            "required": ["service"],
        },
    },
]


def pairs(value: Any) -> Any:
    """JSON with every object as a list of (key, value) pairs: key order matters."""
    if isinstance(value, dict):
        return [(k, pairs(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [pairs(v) for v in value]
    return value


class Recorder(MockApi):
    """A mock API: records what the SDK sends, answers from a script."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = list(answers)
        self.served: list[Any] = []
        self.requests: list[Any] = []

    def __call__(self, request: Any) -> Any:
        self.requests.append(request)
        answer = self.answers.pop(0)
        self.served.append(answer)
        if isinstance(answer, bytes):  # an SSE stream
            return httpx2.Response(200, content=answer, headers={"content-type": "text/event-stream"})
        return httpx2.Response(200, json=answer)

    @property
    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]


def assert_sent(sent: Any, expected: bytes) -> None:
    """The SDK's body equals convo's as JSON; the messages keep convo's key order."""
    ours = json.loads(expected)
    body = json.loads(sent.content)
    assert body == ours
    assert pairs(body["messages"]) == pairs(ours["messages"])


# --- a scripted agent: six API turns, five of them tool calls ----------------------------------

_counter = iter(range(10_000))


def message(content: list[dict[str, Any]], stop_reason: str) -> dict[str, Any]:
    return {
        "id": f"msg_{next(_counter):04d}",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": 20},
    }


def thinking(text: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": text, "signature": "EqQBCkYIARgCKkD" + str(next(_counter))}


def use(name: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": f"toolu_{next(_counter):04d}", "name": name, "input": arguments}


def script() -> list[dict[str, Any]]:
    return [
        message(
            [
                thinking("Look at latency first."),
                use("get_metrics", service="checkout", metric="latency_p99"),
            ],
            "tool_use",
        ),
        message(
            [thinking("And errors."), use("get_metrics", service="checkout", metric="error_rate")], "tool_use"
        ),
        message(
            [
                thinking("Logs of both services, in parallel."),
                {"type": "text", "text": "Checking logs."},
                use("get_logs", service="checkout"),
                use("get_logs", service="payments"),
            ],
            "tool_use",
        ),
        message([use("get_metrics", service="payments", metric="rps")], "tool_use"),
        message([thinking("The database."), use("get_logs", service="db")], "tool_use"),
        message(
            [{"type": "text", "text": "The 14:00 deploy exhausted the payments connection pool."}], "end_turn"
        ),
    ]


class ToolDown(RuntimeError):
    pass


def run_tool(name: str, arguments: dict[str, Any]) -> str:
    if arguments.get("service") == "db":
        raise ToolDown("db logs are unavailable")
    return f"{name}({json.dumps(arguments, sort_keys=True)}) = ok"


SETTINGS: dict[str, Any] = {"model": MODEL, "max_tokens": 2048, "thinking": {"type": "adaptive"}}


def start() -> Conversation:
    return Conversation(system="You are a careful SRE.", tools=TOOLS).user(
        "Checkout is slow since 14:00. Why?"
    )


def test_tool_loop_sync() -> None:
    recorder = Recorder(script())
    client = recorder.client()
    conv = start()
    requests = []
    while True:
        request = conv.request(**SETTINGS)
        requests.append(request)
        response = client.messages.create(**request.params())
        assert_sent(recorder.requests[-1], request.body())
        conv = conv.reply(response)
        if not conv.pending_tool_uses:
            break
        outputs: dict[str, Any] = {}
        for call in conv.pending_tool_uses:
            try:
                outputs[call.id] = run_tool(call.name, call.input)
            except ToolDown as exc:
                outputs[call.id] = exc
        conv = conv.tool_results(outputs)
    assert len(requests) == 6  # five tool turns, then the answer
    assert len(conv.messages) == 12 and conv.messages[-1].role == "assistant"
    for sent in recorder.requests:
        assert sent.url.path == "/v1/messages"
        assert sent.headers["anthropic-version"] == requests[0].headers()["anthropic-version"]
    # Each request extends the previous one: the cached prefix is byte for byte the same.
    for before, after in zip(recorder.requests, recorder.requests[1:], strict=False):
        old = json.loads(before.content)["messages"]
        assert json.loads(after.content)["messages"][: len(old)] == old
    # The failing tool became an is_error result; the parallel calls were answered in order.
    db_result = json.loads(recorder.requests[-1].content)["messages"][-1]["content"][0]
    assert db_result["is_error"] is True and "unavailable" in db_result["content"]
    parallel = conv.messages[6].to_dict()["content"]
    assert [b["type"] for b in parallel] == ["tool_result", "tool_result"]
    # Every assistant turn went back exactly as the API sent it (thinking signatures included).
    final = json.loads(recorder.requests[-1].content)["messages"]
    for turn, answer in enumerate(recorder.served[:-1]):
        assert final[2 * turn + 1] == {"role": "assistant", "content": answer["content"]}


def test_tool_loop_async() -> None:
    async def loop() -> tuple[Conversation, Recorder]:
        recorder = Recorder(script())
        client = recorder.async_client()
        conv = start()
        request = conv.request(**SETTINGS)
        while True:
            response = await client.messages.create(**request.params())
            assert_sent(recorder.requests[-1], request.body())
            conv = conv.reply(response)
            if not conv.pending_tool_uses:
                return conv, recorder
            outputs: dict[str, Any] = {}
            for call in conv.pending_tool_uses:
                try:
                    outputs[call.id] = run_tool(call.name, call.input)
                except ToolDown as exc:
                    outputs[call.id] = exc
            conv = conv.tool_results(outputs)
            request = request.with_conversation(conv)  # same model and parameters, next turn

    conv, recorder = asyncio.run(loop())
    assert len(recorder.requests) == 6 and len(conv.messages) == 12
    assert all(r.headers["x-stainless-async"] != "false" for r in recorder.requests)


def sse(events: list[dict[str, Any]]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def test_streaming_sends_the_same_body_with_stream_true() -> None:
    final = message([{"type": "text", "text": "Hello!"}], "end_turn")
    events = [
        {"type": "message_start", "message": {**final, "content": [], "stop_reason": None}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello!"}},
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 2},
        },
        {"type": "message_stop"},
    ]
    recorder = Recorder([sse(events)])
    request = start().request(**SETTINGS)
    with recorder.client().messages.stream(**request.stream_params()) as stream:
        reply = stream.get_final_message()
    assert_sent(recorder.requests[0], request.body(stream=True))
    assert request.conversation.reply(reply).messages[-1].to_dict()["content"] == [
        {"type": "text", "text": "Hello!"}
    ]


def test_count_tokens() -> None:
    recorder = Recorder([{"input_tokens": 321}])
    request = start().request(**SETTINGS, stop_sequences=["END"], metadata={"user_id": "u-1"})
    counted = recorder.client().messages.count_tokens(**request.count_tokens_params())
    assert counted.input_tokens == 321
    sent = recorder.requests[0]
    assert sent.url.path == "/v1/messages/count_tokens"
    assert_sent(sent, request.count_tokens_body())
    assert "max_tokens" not in recorder.bodies[0] and "stop_sequences" not in recorder.bodies[0]


BATCH = {
    "id": "msgbatch_01",
    "type": "message_batch",
    "processing_status": "in_progress",
    "request_counts": {"processing": 2, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
    "created_at": "2026-11-01T00:00:00Z",
    "expires_at": "2026-11-02T00:00:00Z",
    "ended_at": None,
    "cancel_initiated_at": None,
    "archived_at": None,
    "results_url": None,
}


def test_batch_create() -> None:
    recorder = Recorder([BATCH])
    first = start().request(**SETTINGS)
    second = Conversation().user("Summarise the incident.").request(model=MODEL, max_tokens=512)
    entries = {"incident-1": first, "summary_2": second}
    created = recorder.client().messages.batches.create(**convo.batch(entries))
    assert created.id == "msgbatch_01"
    sent = recorder.requests[0]
    assert sent.url.path == "/v1/messages/batches"
    assert json.loads(sent.content) == json.loads(convo.batch_body(entries))
    assert [json.loads(line) for line in convo.batch_jsonl(entries).splitlines()] == json.loads(sent.content)[
        "requests"
    ]


def test_beta_batch_create_sends_the_shared_betas_once() -> None:
    recorder = Recorder([BATCH])
    betas = ["context-1m-2025-08-07"]
    first = start().request(**SETTINGS, betas=betas)
    second = Conversation().user("Summarise the incident.").request(model=MODEL, max_tokens=512, betas=betas)
    entries = {"incident-1": first, "summary_2": second}
    created = recorder.client().beta.messages.batches.create(**convo.batch(entries))
    assert created.id == "msgbatch_01"
    sent = recorder.requests[0]
    assert sent.url.path == "/v1/messages/batches"
    assert sent.headers["anthropic-beta"] == convo.batch_headers(entries)["anthropic-beta"]
    assert json.loads(sent.content) == json.loads(convo.batch_body(entries))


def test_batch_create_sends_the_shared_workspace_as_a_header() -> None:
    recorder = Recorder([BATCH])
    first = start().request(**SETTINGS, workspace_id="wrkspc_1")
    second = Conversation().user("Summarise.").request(model=MODEL, max_tokens=512, workspace_id="wrkspc_1")
    entries = {"incident-1": first, "summary_2": second}
    recorder.client().messages.batches.create(**convo.batch(entries))
    sent = recorder.requests[0]
    assert sent.headers["anthropic-workspace-id"] == convo.batch_headers(entries)["anthropic-workspace-id"]
    assert json.loads(sent.content) == json.loads(convo.batch_body(entries))
    assert b"workspace_id" not in sent.content


def test_header_parameters_go_where_the_sdk_puts_them() -> None:
    recorder = Recorder([message([{"type": "text", "text": "Hi"}], "end_turn")])
    request = start().request(**SETTINGS, workspace_id="wrkspc_1", user_profile_id="up_1")
    recorder.client().messages.create(**request.params())
    sent = recorder.requests[0]
    assert_sent(sent, request.body())
    for name, value in request.headers().items():
        assert sent.headers[name] == value


def test_the_beta_client_sends_betas_as_the_anthropic_beta_header() -> None:
    """§4.6's interleaved-thinking exception, end to end: a budget above max_tokens is built, and
    ``client.beta.messages.create(**params())`` sends the betas as the header, the body as convo's."""
    recorder = Recorder([message([{"type": "text", "text": "Hi"}], "end_turn"), {"input_tokens": 42}])
    client = recorder.client()
    request = start().request(
        model="claude-opus-4-5",  # takes thinking "enabled" and is not deprecated (the SDK would warn)
        max_tokens=4096,
        thinking={"type": "enabled", "budget_tokens": 8000},
        betas=["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"],
        workspace_id="wrkspc_1",
    )
    reply = client.beta.messages.create(**request.params())
    sent = recorder.requests[0]
    assert sent.url.path == "/v1/messages"
    assert sent.headers["anthropic-beta"] == "interleaved-thinking-2025-05-14,context-1m-2025-08-07"
    for name, value in request.headers().items():
        assert sent.headers[name] == value
    assert_sent(sent, request.body())
    assert "betas" not in recorder.bodies[0]
    start().reply(reply)  # a BetaMessage goes back into the conversation
    client.beta.messages.count_tokens(**request.count_tokens_params())
    counted = recorder.requests[1]
    assert counted.url.path == "/v1/messages/count_tokens"
    assert (
        counted.headers["anthropic-beta"]
        == request.headers()["anthropic-beta"] + ",token-counting-2024-11-01"
    )
    assert_sent(counted, request.count_tokens_body())


# --- Bedrock and Vertex clients ----------------------------------------------------------------


def bedrock_client(recorder: Recorder) -> Any:
    return anthropic.AnthropicBedrock(
        api_key="test-key",
        aws_region="us-east-1",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(recorder)),
    )


def test_bedrock_client_sends_the_bedrock_body() -> None:
    recorder = Recorder([message([{"type": "text", "text": "Hi"}], "end_turn")])
    client = bedrock_client(recorder)
    request = start().request(model="us.anthropic.claude-opus-4-8-v1:0", max_tokens=1024)
    client.messages.create(**request.params())
    sent = recorder.requests[0]
    assert sent.url.raw_path.decode() == request.bedrock_path()
    assert_sent(sent, request.bedrock_body())


def test_the_bedrock_beta_client_moves_the_betas_into_the_body_as_bedrock_body_does() -> None:
    recorder = Recorder([message([{"type": "text", "text": "Hi"}], "end_turn")])
    client = bedrock_client(recorder)
    request = start().request(
        model="us.anthropic.claude-opus-4-8-v1:0", max_tokens=1024, betas=["context-1m-2025-08-07"]
    )
    client.beta.messages.create(**request.params())
    assert recorder.bodies[0]["anthropic_beta"] == ["context-1m-2025-08-07"]
    assert_sent(recorder.requests[0], request.bedrock_body())


def vertex_client(recorder: Recorder) -> Any:
    return anthropic.AnthropicVertex(
        region="us-east5",
        project_id="my-project",
        access_token="token",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(recorder)),
    )


def test_vertex_client_sends_the_vertex_body() -> None:
    recorder = Recorder([message([{"type": "text", "text": "Hi"}], "end_turn")])
    client = vertex_client(recorder)
    request = start().request(model="claude-opus-4-8@20260101", max_tokens=1024)
    client.messages.create(**request.params())
    sent = recorder.requests[0]
    assert str(sent.url) == request.vertex_url(project="my-project", region="us-east5")
    assert_sent(sent, request.vertex_body())


def test_vertex_url_quotes_each_segment_as_the_sdk_does() -> None:
    """A domain-scoped project id (``example.com:my-project``) keeps its ``:``, as in the URL the
    SDK's Vertex client builds (§8.6); a ``;`` in the model id is quoted, as the SDK quotes it."""
    recorder = Recorder([message([{"type": "text", "text": "Hi"}], "end_turn")] * 2)
    for project, model in (("example.com:my-project", "claude-opus-4-8@20260101"), ("p", "claude-x:1;v")):
        client = anthropic.AnthropicVertex(
            region="europe-west1",
            project_id=project,
            access_token="token",
            max_retries=0,
            http_client=httpx2.Client(transport=httpx2.MockTransport(recorder)),
        )
        request = start().request(model=model, max_tokens=1024)
        client.messages.create(**request.params())
        assert str(recorder.requests[-1].url) == request.vertex_url(project=project, region="europe-west1")


def test_the_vertex_beta_client_keeps_the_betas_a_header() -> None:
    recorder = Recorder([message([{"type": "text", "text": "Hi"}], "end_turn")])
    request = start().request(
        model="claude-opus-4-8@20260101", max_tokens=1024, betas=["context-1m-2025-08-07"]
    )
    vertex_client(recorder).beta.messages.create(**request.params())
    sent = recorder.requests[0]
    assert sent.headers["anthropic-beta"] == request.headers()["anthropic-beta"]
    assert_sent(sent, request.vertex_body())


def test_vertex_client_counts_tokens_with_the_vertex_count_tokens_body() -> None:
    recorder = Recorder([{"input_tokens": 12}])
    client = vertex_client(recorder)
    request = start().request(model="claude-opus-4-8@20260101", max_tokens=1024, system="Be brief.")
    client.messages.count_tokens(**request.count_tokens_params())
    sent = recorder.requests[0]
    assert sent.url.path.endswith("/models/count-tokens:rawPredict")
    assert_sent(sent, request.vertex_count_tokens_body())


# --- corpus responses through the SDK, then back out -------------------------------------------


def _responses() -> Iterator[Any]:
    for response in corpus.responses():
        data = json.loads(response.raw)
        if (
            data.get("content")
            and not data["content"][0]["type"].endswith("_tool_result")
            and data.get("stop_reason") != "refusal"
        ):
            yield response


SERVER_TOOLS = [
    {"type": "code_execution_20250825", "name": "code_execution"},
    {"type": "web_search_20250305", "name": "web_search"},
    {"type": "web_fetch_20250910", "name": "web_fetch"},
]


@pytest.mark.parametrize("response", list(_responses()), ids=lambda r: r.id)
def test_corpus_response_through_the_sdk_and_back(response: Any) -> None:
    """The SDK parses a recorded response, convo appends it, and the next request carries it."""
    data = json.loads(response.raw)
    data["model"] = MODEL  # the recorded model may be one the SDK warns about
    recorder = Recorder([data, message([{"type": "text", "text": "ok"}], "end_turn")])
    client = recorder.client()
    conv = Conversation().user("Go on.")
    reply = client.messages.create(**conv.request(model=MODEL, max_tokens=1024).params())
    conv = conv.reply(reply, refusal="keep")
    pending = conv.pending_tool_uses
    if pending:
        conv = conv.tool_results({u.id: "done" for u in pending})
    else:
        conv = conv.user("Thanks.")
    # a server tool left running needs its definition sent again (§3.4): the server tools it used
    used = {b.name for m in conv.messages for b in m.blocks if isinstance(b, convo.ServerToolUseBlock)}
    servers = [tool for tool in SERVER_TOOLS if tool["name"] in used]
    params: dict[str, Any] = {"tools": servers} if servers else {}
    if reply.container is not None:  # programmatic tool calls resume in their container (§3.9)
        params["container"] = reply.container.id
    request = conv.request(model="claude-sonnet-4-6", max_tokens=1024, **params)  # keeps prior thinking
    client.messages.create(**request.params())
    assert_sent(recorder.requests[1], request.body())
    assert (
        json.loads(recorder.requests[1].content)["messages"][1]["content"]
        == json.loads(Conversation().user("x").reply(reply, refusal="keep").messages[1].to_json())["content"]
    )


# --- streaming through the SDK: the scripted loop as SSE, and every well-formed corpus stream ----


def as_sse(answer: dict[str, Any]) -> bytes:
    """The server-sent events the API would stream for ``answer``."""
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": {**answer, "content": [], "stop_reason": None}}
    ]
    for index, block in enumerate(answer["content"]):
        kind = block["type"]
        if kind == "text":
            start, deltas = {"type": "text", "text": ""}, [{"type": "text_delta", "text": block["text"]}]
        elif kind == "thinking":
            start = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = [
                {"type": "thinking_delta", "thinking": block["thinking"]},
                {"type": "signature_delta", "signature": block["signature"]},
            ]
        else:  # tool_use: the input arrives as partial JSON
            start = {**block, "input": {}}
            text = json.dumps(block["input"])
            deltas = [
                {"type": "input_json_delta", "partial_json": text[i : i + 7]} for i in range(0, len(text), 7)
            ]
        events.append({"type": "content_block_start", "index": index, "content_block": start})
        events += [{"type": "content_block_delta", "index": index, "delta": d} for d in deltas]
        events.append({"type": "content_block_stop", "index": index})
    events.append(
        {
            "type": "message_delta",
            "delta": {"stop_reason": answer["stop_reason"], "stop_sequence": None},
            "usage": {"output_tokens": 20},
        }
    )
    events.append({"type": "message_stop"})
    return sse(events)


def test_tool_loop_streaming() -> None:
    answers = script()
    recorder = Recorder([as_sse(a) for a in answers])
    client = recorder.client()
    conv = start()
    while True:
        request = conv.request(**SETTINGS)
        with client.messages.stream(**request.stream_params()) as stream:
            final = stream.get_final_message()
        assert_sent(recorder.requests[-1], request.body(stream=True))
        conv = conv.reply(final)
        if not conv.pending_tool_uses:
            break
        conv = conv.tool_results(
            {
                u.id: run_tool(u.name, u.input) if u.input.get("service") != "db" else ToolDown("down")
                for u in conv.pending_tool_uses
            }
        )
    assert len(recorder.requests) == 6 and len(conv.messages) == 12
    sent = json.loads(recorder.requests[-1].content)["messages"]
    for turn, answer in enumerate(answers[:-1]):  # what streamed in went back out unchanged
        assert sent[2 * turn + 1] == {"role": "assistant", "content": answer["content"]}


def _streams() -> list[Any]:
    return [s for s in corpus.streams() if not s.malformed and not s.multi]


@pytest.mark.parametrize("stream", _streams(), ids=lambda s: s.id)
def test_corpus_stream_through_the_sdk_and_back(stream: Any) -> None:
    """The SDK accumulates a recorded stream; convo appends it and sends it back as it came."""
    raw = stream.raw.replace(
        b'"model":"claude-sonnet-4-5', b'"model":"claude-opus-4-8'
    )  # no deprecation warning
    recorder = Recorder([raw, message([{"type": "text", "text": "ok"}], "end_turn")])
    client = recorder.client()
    conv = Conversation().user("Go on.")
    request = conv.request(model=MODEL, max_tokens=1024)
    with client.messages.stream(**request.stream_params()) as events:
        final = events.get_final_message()
    assert_sent(recorder.requests[0], request.body(stream=True))
    try:
        conv = conv.reply(final, refusal="keep")
    except convo.ToolUseTruncated:
        conv = conv.reply(final, refusal="keep", truncated="drop")
    if len(conv.messages) == 1:
        return  # nothing kept (an empty response)
    if conv.pending_tool_uses:
        conv = conv.tool_results({u.id: "done" for u in conv.pending_tool_uses})
    elif conv.messages[-1].role == "assistant":
        conv = conv.user("Thanks.")
    thought = any(b.type in ("thinking", "redacted_thinking") for m in conv.messages for b in m.blocks)
    extra: dict[str, Any] = {"thinking": {"type": "adaptive"}} if thought else {}  # §4.4: keep thinking on
    turn = conv.messages[1].blocks
    if thought and turn[0].type not in ("thinking", "redacted_thinking"):  # the model wrote text first
        with pytest.raises(convo.ValidationError) as info:
            conv.request(model="claude-sonnet-4-6", max_tokens=1024, **extra)
        assert [e.code for e in info.value.errors] == ["thinking-not-first"]
        return
    request = conv.request(model="claude-sonnet-4-6", max_tokens=1024, **extra)
    client.messages.create(**request.params())
    assert_sent(recorder.requests[1], request.body())


def test_a_profile_refreshes_from_the_models_api() -> None:
    seen: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.url.path)
        info = {
            "type": "model",
            "id": "claude-opus-4-8",
            "display_name": "Claude Opus 4.8",
            "created_at": "2026-01-01T00:00:00Z",
            "max_input_tokens": 500_000,
            "max_tokens": 64_000,
        }
        return httpx2.Response(200, json=info)

    client = anthropic.Anthropic(
        api_key="test-key", max_retries=0, http_client=httpx2.Client(transport=httpx2.MockTransport(handler))
    )
    fresh = convo.refresh_profile(client, "claude-opus-4-8")
    assert seen == ["/v1/models/claude-opus-4-8"]
    assert (fresh.context_window, fresh.max_output_tokens) == (500_000, 64_000)
    assert fresh.prefill == convo.profile("claude-opus-4-8").prefill


def test_sdk_blocks_go_into_the_builders() -> None:
    """The SDK's own idiom, ``assistant(response.content)``, and SDK blocks as tool output."""
    recorder = Recorder(script())
    client = recorder.client()
    conv = start()
    response = client.messages.create(**conv.request(**SETTINGS).params())
    built = conv.assistant(response.content)
    replied = conv.reply(response)
    assert json.loads(built.messages[-1].to_json()) == json.loads(replied.messages[-1].to_json())
    assert [u.id for u in built.pending_tool_uses] == [u.id for u in replied.pending_tool_uses]
    param = anthropic.types.TextBlockParam(type="text", text="db is fine")  # a TypedDict
    model = anthropic.types.TextBlock(type="text", text="as is the cache")  # a pydantic model
    answered = built.tool_results({u.id: [param, model] for u in built.pending_tool_uses})
    assert answered.messages[-1].to_dict()["content"][0]["content"] == [
        {"type": "text", "text": "db is fine"},
        {"type": "text", "text": "as is the cache"},
    ]
    with pytest.raises(convo.InvalidArgument, match="reply"):
        conv.append(response)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ({"b", "a"}, "a set has no order"),  # pydantic's JSON mode writes it in hash order
        (float("nan"), "nan is not a JSON number"),  # and this as null
        (b"ab", "bytes are not JSON text"),
        ({1: "a"}, "the key 1 is not a string"),
    ],
)
def test_sdk_objects_holding_data_json_would_alter_are_refused(value: object, why: str) -> None:
    """An SDK block is Python data too: what its JSON dump would write as something else is
    refused where it is, as in a dict, so the bytes never depend on the process."""
    block = anthropic.types.ToolUseBlock(type="tool_use", id="toolu_1", name="f", input={"x": [value]})
    with pytest.raises(convo.InputError, match=f"/1/content/0/input/x/0: {why}"):
        Conversation.from_wire([{"role": "user", "content": "q"}, {"role": "assistant", "content": [block]}])
    with pytest.raises(convo.InvalidArgument, match=f"/content/0/input/x/0: {why}"):
        Conversation().user("q").assistant([block])
    kept = anthropic.types.ToolUseBlock(type="tool_use", id="toolu_1", name="f", input={"x": [(1, 2.5)]})
    assert Conversation().user("q").assistant([kept]).messages[1].to_dict()["content"][0]["input"] == {
        "x": [[1, 2.5]]
    }
