"""Bedrock and Google Cloud, second pass: what each platform refuses is refused or reported
before sending (api-rules §8.4-§8.6, §9.8)."""

from __future__ import annotations

import json

import pytest

import convo

PLATFORM_IDS = ("us.anthropic.claude-opus-4-8-v1:0", "claude-opus-4-8@20260101")


@pytest.mark.parametrize(
    "source", [{"type": "url", "url": "https://example.com/a.pdf"}, {"type": "file", "file_id": "file_011"}]
)
def test_check_reports_a_url_or_file_document_source_on_a_platform_model_id(source: dict[str, str]) -> None:
    """§8.4, §8.6: neither Bedrock nor Google Cloud takes URL or Files-API sources, documents
    as images (§7.2); a model id spelled as theirs says the request is for them."""
    content = [{"type": "document", "source": source}, {"type": "text", "text": "Sum it up."}]
    messages = [{"role": "user", "content": content}]
    assert not convo.check(messages, model="claude-opus-4-8").errors
    for model in PLATFORM_IDS:
        errors = convo.check(messages, model=model).errors
        assert [(p.code, p.path) for p in errors] == [
            ("document-source-invalid", "/messages/0/content/0/source/type")
        ]


@pytest.mark.parametrize(
    "model",
    [
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "us.anthropic.claude-opus-4-6-v1",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ],
)
def test_bedrock_refuses_the_current_version_on_a_model_older_than_4_7(model: str) -> None:
    """§8.4, §9.8: Bedrock serves ``anthropic_version`` ``2026-10-21`` only to Claude 4.7 and
    later; an older model's body takes ``bedrock-2023-05-31``."""
    req = convo.Conversation().user("Hi").request(model=model, max_tokens=10)
    with pytest.raises(convo.InvalidArgument, match=r"Bedrock serves it to Claude 4\.7 and later only"):
        req.bedrock_body(anthropic_version="2026-10-21")
    assert json.loads(req.bedrock_body(anthropic_version="bedrock-2023-05-31"))["anthropic_version"] == (
        "bedrock-2023-05-31"
    )


@pytest.mark.parametrize("model", ["us.anthropic.claude-opus-4-7-v1:0", "anthropic.claude-opus-9-v1:0"])
def test_bedrock_takes_the_current_version_on_4_7_and_on_an_unknown_model(model: str) -> None:
    """An unknown model may be newer than convo's table: it keeps the version it is given."""
    req = convo.Conversation().user("Hi").request(model=model, max_tokens=10)
    assert json.loads(req.bedrock_body(anthropic_version="2026-10-21"))["anthropic_version"] == "2026-10-21"


@pytest.mark.parametrize("model", ["claude-opus-4-8", "claude-sonnet-4-5-20250929"])
def test_the_bedrock_path_refuses_a_claude_api_model_id(model: str) -> None:
    """§8.4: InvokeModel's path takes Bedrock ids (``anthropic.…``, inference profiles, ARNs);
    ``/model/claude-opus-4-8/invoke`` names no Bedrock model.  The body holds no model."""
    req = convo.Conversation().user("Hi").request(model=model, max_tokens=10)
    for call in (req.bedrock_path, lambda: req.bedrock_url("us-east-1", stream=True)):
        with pytest.raises(convo.InvalidArgument, match="spelled for the Claude API: give the Bedrock id"):
            call()
    assert "model" not in json.loads(req.bedrock_body())


def test_a_cache_prewarm_is_not_streamed_on_bedrock() -> None:
    """§5.12: ``max_tokens`` 0 with streaming is a ``400``; on Bedrock the stream is the
    ``/invoke-with-response-stream`` URL (§8.4), refused as ``vertex_body(stream=True)`` is."""
    req = convo.Conversation().user("Hi").request(model="us.anthropic.claude-opus-4-8-v1:0", max_tokens=0)
    for call in (lambda: req.bedrock_path(stream=True), lambda: req.bedrock_url("us-east-1", stream=True)):
        with pytest.raises(convo.InvalidArgument, match="cannot be streamed"):
            call()
    assert req.bedrock_path().endswith("/invoke")


@pytest.mark.parametrize(
    ("project", "region"), [("", "us-east5"), ("p", ""), ("..", "us-east5"), ("p", "."), (";x", "us-east5")]
)
def test_the_vertex_path_refuses_an_empty_or_dot_project_or_region(project: str, region: str) -> None:
    """§8.6: ``/projects/{project}/locations/{region}/…``; an empty segment leaves the path
    without one, and a ``.`` or ``..`` one is resolved away (the SDK's Vertex client refuses
    them too)."""
    req = convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=10)
    for call in (req.vertex_path, req.vertex_url):
        with pytest.raises(convo.InvalidArgument, match="an empty or dot segment of the path"):
            call(project=project, region=region)


def test_the_bedrock_path_refuses_a_model_id_empty_before_its_parameters() -> None:
    """§8.4: ``/model/{model}/invoke``; a server that drops ``;`` parameters sees ``/model//invoke``
    for the id ``;x`` (the SDK's Bedrock client refuses it as an empty model)."""
    req = convo.Conversation().user("Hi").request(model=";x", max_tokens=10)
    with pytest.raises(convo.InvalidArgument, match="an empty or dot segment of the path"):
        req.bedrock_path()


@pytest.mark.parametrize(
    ("build", "name"), [("bedrock_body", "MAX_BEDROCK_BODY"), ("vertex_body", "MAX_VERTEX_BODY")]
)
def test_a_platform_body_is_refused_one_byte_past_its_limit_in_bytes(
    build: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """§8.4: 20 MB on Bedrock, §8.6: 30 MB on Google Cloud; the limits are lowered here to keep
    the test small.  The message gives the size in bytes, as the limit is counted."""
    request = convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=10)
    size = len(getattr(request, build)())
    monkeypatch.setattr(convo._request, name, size)  # exactly at the limit: fine
    getattr(request, build)()
    monkeypatch.setattr(convo._request, name, size - 1)
    with pytest.raises(
        convo.InvalidArgument,
        match=rf"the body is {size:,} bytes; \w+ accepts at most \d+ MB \({size - 1:,} bytes\)",
    ):
        getattr(request, build)()
