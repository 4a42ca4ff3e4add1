"""A finished request's payloads are the SDK's own parameter types (mypy --strict proves it)."""

from typing import assert_type, cast

import anthropic
from anthropic.types import Message, MessageTokensCount
from anthropic.types.beta import BetaMessage
from anthropic.types.beta.message_create_params import (
    MessageCreateParamsNonStreaming as BetaMessageCreateParamsNonStreaming,
)
from anthropic.types.message_count_tokens_params import MessageCountTokensParams
from anthropic.types.message_create_params import MessageCreateParamsBase, MessageCreateParamsNonStreaming
from anthropic.types.messages import MessageBatch
from anthropic.types.messages.batch_create_params import BatchCreateParams
from anthropic.types.messages.batch_create_params import Request as BatchRequest
from anthropic.types.parsed_message import ParsedMessage

import convo
from convo import Conversation, Problem, Request

conv = Conversation().user("Hi")
req = conv.request(model="claude-opus-4-8", max_tokens=1024, thinking={"type": "adaptive"})
assert_type(req, Request)
assert_type(req.params(), MessageCreateParamsNonStreaming)
assert_type(req.stream_params(), MessageCreateParamsBase)
assert_type(req.count_tokens_params(), MessageCountTokensParams)
assert_type(req.batch_request("q-1"), BatchRequest)
assert_type(convo.batch({"q-1": req}), BatchCreateParams)
assert_type(req.body(), bytes)
assert_type(req.body(stream=True), bytes)
assert_type(req.headers(), dict[str, str])
assert_type(req.bedrock_body(betas=["x"]), bytes)
assert_type(req.bedrock_body(betas=None), bytes)
assert_type(convo.check(req.body(), betas=["interleaved-thinking-2025-05-14"]), convo.Report)
assert_type(req.vertex_body(stream=True), bytes)
assert_type(req.warnings, tuple[Problem, ...])
assert_type(req.replace(max_tokens=5), Request)
assert_type(req.with_conversation(conv), Request)
assert_type(convo.batch_jsonl([("q-1", req)]), bytes)

# The params go straight into the SDK's calls, sync and async, and mypy picks the right overload.
client = anthropic.Anthropic(api_key="x")
assert_type(client.messages.create(**req.params()), Message)
with client.messages.stream(**req.stream_params()) as stream:
    assert_type(stream.get_final_message(), ParsedMessage[None])
assert_type(client.messages.count_tokens(**req.count_tokens_params()), MessageTokensCount)
assert_type(client.messages.batches.create(**convo.batch({"q-1": req})), MessageBatch)
assert_type(client.messages.batches.create(requests=[req.batch_request("q-1")]), MessageBatch)

# With betas, the beta client: its methods want the SDK's beta types, so the dict is cast
# (docs/requests.md, "Beta headers").
beta = conv.request(model="claude-opus-4-8", max_tokens=1024, betas=["context-1m-2025-08-07"])
assert_type(
    client.beta.messages.create(**cast(BetaMessageCreateParamsNonStreaming, beta.params())), BetaMessage
)


async def loop(aclient: anthropic.AsyncAnthropic) -> None:
    assert_type(await aclient.messages.create(**req.params()), Message)
    async with aclient.messages.stream(**req.stream_params()) as astream:
        assert_type(await astream.get_final_message(), ParsedMessage[None])


# Misuse.
conv.request(model="claude-opus-4-8")  # type: ignore[call-arg]
conv.request("claude-opus-4-8", 1024)  # type: ignore[call-arg]
req.model = "other"  # type: ignore[misc]
client.messages.stream(**req.params())  # type: ignore[misc]
client.messages.count_tokens(**req.params())  # type: ignore[misc]


def continue_from(response: Message) -> None:
    """An SDK response's content blocks go straight into a turn (docs/conversations.md)."""
    assert_type(Conversation().user("Hi").assistant(response.content), Conversation)
    block = convo.ToolResultBlock(tool_use_id="toolu_1").content
    assert_type(block, str | tuple[convo.Block, ...] | None)  # an unknown nested block is an OpaqueBlock


def stream_with_create(client: anthropic.Anthropic, request: Request) -> None:
    """docs/streaming.md: create(..., stream=True) takes stream_params(), not params()."""
    client.messages.create(**request.stream_params(), stream=True)
    client.messages.create(**request.params(), stream=True)  # type: ignore[call-overload]
