"""convo against real recorded API traffic in ../shared/corpus."""

from __future__ import annotations

import json
from typing import Any

import pytest

import convo

from . import corpus

pytestmark = pytest.mark.skipif(not corpus.available(), reason="corpus not found")


def key_order(value: Any) -> Any:
    """The value with every object turned into a list of (key, value) pairs: order matters."""
    if isinstance(value, dict):
        return [(k, key_order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [key_order(v) for v in value]
    return value


@pytest.mark.parametrize("body", corpus.request_bodies(), ids=lambda b: b.id)
def test_accepted_request_body_checks_without_conversation_errors(body: corpus.RequestBody) -> None:
    report = convo.check(body.raw)
    assert report.conversation_errors == (), report.conversation_errors
    sent = json.loads(body.raw)
    removed = {"temperature", "top_p", "top_k"} & sent.keys()
    assert {p.path.lstrip("/") for p in report.request_errors} == removed


@pytest.mark.parametrize("body", corpus.request_bodies(), ids=lambda b: b.id)
def test_accepted_request_body_round_trips_with_key_order(body: corpus.RequestBody) -> None:
    conv = convo.Conversation.from_wire(body.raw)
    sent = json.loads(body.raw)
    expected = {k: sent[k] for k in ("system", "tools", "messages") if k in sent}
    assert key_order(json.loads(conv.to_json())) == key_order(expected)
    assert convo.Conversation.from_wire(conv.to_json()).to_json() == conv.to_json()


def deferred_server_result(raw: bytes) -> bool:
    """The response opens with a server tool result whose call was in an earlier response."""
    content = json.loads(raw)["content"]
    return bool(content) and content[0]["type"].endswith("_tool_result")


@pytest.mark.parametrize("response", corpus.responses(), ids=lambda r: r.id)
def test_every_response_loads_as_an_assistant_turn(response: corpus.Response) -> None:
    if deferred_server_result(response.raw):
        report = convo.check([{"role": "user", "content": "Hi"}, {"role": "assistant", **_content(response)}])
        assert {p.code for p in report.errors} == {"server-tool-result-orphan"}
        return
    conv = convo.Conversation().user("Hi").reply(response.raw, refusal="keep")  # refusals raise by default
    if not json.loads(response.raw)["content"]:  # an empty response appends nothing (api-rules §1.9)
        assert len(conv) == 1
        return
    message = conv.messages[-1]
    assert message.role == "assistant"
    assert key_order(json.loads(message.to_json())["content"]) == key_order(
        json.loads(response.raw)["content"]
    )


REJECTED_FOR_CONTENT = [r for r in corpus.rejected_requests() if r.status == 400]


@pytest.mark.parametrize("rejected", REJECTED_FOR_CONTENT, ids=lambda r: r.id)
def test_requests_the_api_rejected_are_reported(rejected: corpus.RejectedRequest) -> None:
    report = convo.check(rejected.raw)
    assert report.errors, rejected.error[:200]
    if b"must be at least 1024" in rejected.error:
        # A 2024 recording: a cache mark on a prefix under 1,024 tokens was a 400 then. Under
        # API version 2026-10-21 it is silent (api-rules §5.7: processed uncached), and the
        # body fails for its temperature instead.
        assert [p.code for p in report.errors] == ["sampling-parameter-removed"]


def test_the_real_orphan_tool_result_400_is_reported_at_the_apis_path() -> None:
    (rejected,) = [r for r in REJECTED_FOR_CONTENT if b"unexpected `tool_use_id`" in r.error]
    report = convo.check(rejected.raw)
    # The API merges the two user turns and says messages.0.content.1; convo points at the block
    # as sent, and also sees that the merged turn puts text before the result.
    assert sorted((p.code, p.path) for p in report.errors) == [
        ("tool-result-not-first", "/messages/1/content/0"),
        ("tool-result-orphan", "/messages/1/content/0"),
    ]


def _content(response: corpus.Response) -> dict[str, Any]:
    return {"content": json.loads(response.raw)["content"]}
