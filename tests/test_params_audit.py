"""Top-level request parameters held to the SDK's ``MessageCreateParams`` and api-rules, the
same way by ``convo.check`` (a body) and ``Conversation.request()`` (built in Python)."""

from __future__ import annotations

from typing import Any

import convo

MODEL = "claude-opus-4-8"


def checked(**params: Any) -> list[tuple[str, str, str]]:
    """What ``convo.check`` says of a one-message request body with ``params``."""
    body = {"model": MODEL, "max_tokens": 1024, "messages": [{"role": "user", "content": "Hi"}], **params}
    return [(p.severity, p.code, p.path) for p in convo.check(body).problems]


def requested(**params: Any) -> list[tuple[str, str, str]]:
    """What ``Conversation.request()`` says of the same request: its errors, or its warnings."""
    try:
        request = convo.Conversation().user("Hi").request(model=MODEL, max_tokens=1024, **params)
    except convo.ValidationError as exc:
        return [(p.severity, p.code, p.path) for p in exc.errors]
    return [(p.severity, p.code, p.path) for p in request.warnings]


def test_a_field_the_top_level_cache_control_lacks_is_warned_about_by_request_too() -> None:
    """``CacheControlEphemeralParam`` has ``type`` and ``ttl``: ``convo.check`` warned about
    ``tll``, ``Conversation.request()`` said nothing."""
    marker = {"type": "ephemeral", "tll": "1h"}
    expected = [("warning", "parameter-unknown", "/cache_control/tll")]
    assert checked(cache_control=marker) == expected
    assert requested(cache_control=marker) == expected
