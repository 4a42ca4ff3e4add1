"""Top-level request parameters held to the SDK's ``MessageCreateParams`` and api-rules, the
same way by ``convo.check`` (a body) and ``Conversation.request()`` (built in Python)."""

from __future__ import annotations

from typing import Any

import pytest

import convo
from convo._fields import PARAMETER_FIELDS

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


def test_the_skills_table_is_the_sdks() -> None:
    from anthropic.types import SkillParams
    from anthropic.types.beta import BetaSkillParams

    assert set(SkillParams.__annotations__) == PARAMETER_FIELDS["container.skills"]
    assert set(BetaSkillParams.__annotations__) == PARAMETER_FIELDS["container.skills"]


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        ({"id": 1}, [("error", "parameter-invalid", "/container/id")]),
        ({"skills": "pptx"}, [("error", "parameter-invalid", "/container/skills")]),
        ({"skills": ["pptx"]}, [("error", "parameter-invalid", "/container/skills/0")]),
        (
            {"skills": [{"type": "builtin", "skill_id": "pptx"}]},
            [("error", "parameter-invalid", "/container/skills/0/type")],
        ),
        ({"skills": [{"skill_id": "pptx"}]}, [("error", "parameter-invalid", "/container/skills/0/type")]),
        (
            {"skills": [{"type": "anthropic"}]},
            [("error", "parameter-invalid", "/container/skills/0/skill_id")],
        ),
        (
            {"skills": [{"type": "custom", "skill_id": "s", "version": 2}]},
            [("error", "parameter-invalid", "/container/skills/0/version")],
        ),
        (
            {"skills": [{"type": "custom", "skill_id": "s", "verison": "1"}]},
            [("warning", "parameter-unknown", "/container/skills/0/verison")],
        ),
        ({"id": None, "skills": None}, []),
        (
            {"id": "container_1", "skills": [{"type": "anthropic", "skill_id": "pptx", "version": "latest"}]},
            [],
        ),
    ],
)
def test_a_container_object_is_held_to_the_sdks_container_params(
    container: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    """``ContainerParams``: ``id`` a string or null, ``skills`` null or a list of ``SkillParams``
    (``type`` ``anthropic`` or ``custom`` and ``skill_id`` required, ``version`` a string); only
    the container's own fields were read before."""
    assert checked(container=container) == expected
    assert requested(container=container) == expected


PTC_TOOLS: list[dict[str, Any]] = [
    {"type": "code_execution_20250825", "name": "code_execution"},
    {"name": "query", "input_schema": {"type": "object"}, "allowed_callers": ["code_execution_20250825"]},
]
PTC_MESSAGES: list[dict[str, Any]] = [
    {"role": "user", "content": "Sum the sales."},
    {
        "role": "assistant",
        "content": [
            {
                "type": "server_tool_use",
                "id": "srvtoolu_01",
                "name": "code_execution",
                "input": {"code": "q()"},
            },
            {
                "type": "tool_use",
                "id": "toolu_01",
                "name": "query",
                "input": {},
                "caller": {"type": "code_execution_20250825", "tool_id": "srvtoolu_01"},
            },
        ],
    },
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "42"}]},
]
MISSING = [("error", "container-missing", "/messages/1/content/1/caller")]


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        (None, MISSING),
        ("", MISSING),
        ({}, MISSING),
        ({"id": None}, MISSING),
        ({"skills": [{"type": "anthropic", "skill_id": "xlsx"}]}, MISSING),
        ("container_01", []),
        ({"id": "container_01"}, []),
    ],
)
def test_a_container_that_names_no_id_does_not_answer_a_programmatic_tool_call(
    container: object, expected: list[tuple[str, str, str]]
) -> None:
    """§3.9: the request answering a programmatic tool call "must also pass the response's
    ``container.id`` back"; any ``container`` field, null or without an id, passed for one."""
    body = {"model": MODEL, "max_tokens": 1024, "tools": PTC_TOOLS, "messages": PTC_MESSAGES}
    report = convo.check({**body, "container": container})
    assert [(p.severity, p.code, p.path) for p in report.errors] == expected
    conv = convo.Conversation.from_wire({"tools": PTC_TOOLS, "messages": PTC_MESSAGES})
    try:
        conv.request(model=MODEL, max_tokens=1024, container=container)
    except convo.ValidationError as exc:
        assert [(p.severity, p.code, p.path) for p in exc.errors] == expected
    else:
        assert expected == []
