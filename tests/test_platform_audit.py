"""Bedrock and Google Cloud payloads: what each platform refuses is refused before sending
(api-rules §7.2, §8.4, §8.6)."""

from __future__ import annotations

import base64
import zlib

import pytest

import convo
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


def _png_b64(padding: int) -> str:
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (10).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return base64.b64encode(header + zlib.crc32(header[12:]).to_bytes(4, "big") + b"\0" * padding).decode()


def _image_body(model: str, source: dict[str, str]) -> dict[str, object]:
    content = [{"type": "image", "source": source}, {"type": "text", "text": "What is it?"}]
    return {"model": model, "max_tokens": 10, "messages": [{"role": "user", "content": content}]}


@pytest.mark.parametrize(
    "source",
    [
        {"type": "base64", "media_type": "image/png", "data": _png_b64(4 * 1024 * 1024)},  # 5.3 MB of base64
        {"type": "url", "url": "https://example.com/cat.png"},
        {"type": "file", "file_id": "file_011"},
    ],
)
def test_check_reports_the_platform_image_limits_on_a_platform_model_id(source: dict[str, str]) -> None:
    """§7.2: 5 MB of base64 per image and no URL or Files-API image sources on Bedrock and
    Google Cloud; a model id spelled as theirs says the request is for them."""
    assert not convo.check(_image_body("claude-opus-4-8", source)).errors
    for model in ("us.anthropic.claude-opus-4-8-v1:0", "claude-opus-4-8@20260101"):
        codes = {problem.code for problem in convo.check(_image_body(model, source)).errors}
        assert codes == {"image-too-large" if source["type"] == "base64" else "image-source-invalid"}
