"""What the last review left: rules read on the merged turns, and paths that depend on how the
input was given."""

from __future__ import annotations

from typing import Any

import convo

HI = {"role": "user", "content": "Hi"}

PTC_TOOLS: list[dict[str, Any]] = [
    {"type": "code_execution_20250825", "name": "code_execution"},
    {"name": "query", "input_schema": {"type": "object"}, "allowed_callers": ["code_execution_20250825"]},
]
PTC_CALL = {
    "type": "tool_use",
    "id": "toolu_1",
    "name": "query",
    "input": {},
    "caller": {"type": "code_execution_20250825", "tool_id": "srvtoolu_1"},
}
PTC_RESULT = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "4"}]}


def _pairs(report: convo.Report) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in report.problems]


def test_container_missing_reads_the_assistant_turn_merged() -> None:
    """api-rules §1.6: two assistant messages in a row are one turn; §3.9: the user turn that
    answers a programmatic call in either of them must name the container."""
    messages = [
        HI,
        {"role": "assistant", "content": [PTC_CALL]},
        {"role": "assistant", "content": "Ran."},
        PTC_RESULT,
    ]
    body = {"model": "claude-opus-4-8", "max_tokens": 1024, "tools": PTC_TOOLS, "messages": messages}
    assert _pairs(convo.check(body)) == [
        ("container-missing", "/messages/1/content/0/caller"),
        ("consecutive-roles", "/messages/2"),
    ]
    assert _pairs(convo.check({**body, "container": "container_01"})) == [
        ("consecutive-roles", "/messages/2")
    ]
