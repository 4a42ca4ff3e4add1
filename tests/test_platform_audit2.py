"""Bedrock and Google Cloud, second pass: what each platform refuses is refused or reported
before sending (api-rules §8.4-§8.6, §9.8)."""

from __future__ import annotations

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
