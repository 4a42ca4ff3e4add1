"""Bedrock and Google Cloud payloads: what each platform refuses is refused before sending
(api-rules §7.2, §8.4, §8.6)."""

from __future__ import annotations

import pytest

from convo import Conversation, InvalidArgument, Request


def hi(model: str) -> Request:
    return Conversation().user("Hi").request(model=model, max_tokens=10)


@pytest.mark.parametrize(
    "model", ["claude-opus-4-8@20260101", "claude-sonnet-4-5@20250929", ".", "..", "..;x"]
)
def test_bedrock_refuses_a_model_id_invoke_model_cannot_take(model: str) -> None:
    """§8.4: InvokeModel takes Bedrock ids in the path; a Vertex ``@date`` id is not one, and
    the SDK's Bedrock client refuses a ``.`` or ``..`` path segment."""
    req = hi(model)
    for call in (req.bedrock_body, req.bedrock_path, lambda: req.bedrock_url("us-east-1")):
        with pytest.raises(InvalidArgument, match="the model id"):
            call()


@pytest.mark.parametrize(
    "model",
    [
        "us.anthropic.claude-opus-4-8-v1:0",
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-opus-4-7-v1:0",
    ],
)
def test_vertex_refuses_a_bedrock_model_id(model: str) -> None:
    """§8.6: the Google Cloud URL and count-tokens body take Google Cloud ids, not Bedrock's."""
    req = hi(model)
    calls = (
        req.vertex_body,
        req.vertex_count_tokens_body,
        lambda: req.vertex_path(project="p", region="us-east5"),
        lambda: req.vertex_url(project="p", region="us-east5"),
    )
    for call in calls:
        with pytest.raises(InvalidArgument, match="spelled for Bedrock"):
            call()


def test_each_platform_takes_its_own_ids() -> None:
    assert (
        hi("us.anthropic.claude-opus-4-8-v1:0").bedrock_path()
        == "/model/us.anthropic.claude-opus-4-8-v1:0/invoke"
    )
    assert hi("claude-opus-4-8@20260101").vertex_body()
    assert (
        hi("claude-opus-4-8")
        .vertex_path(project="p", region="us-east5")
        .endswith("claude-opus-4-8:rawPredict")
    )
