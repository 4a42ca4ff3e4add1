"""Loose ends: model facts read from the profile, bidirectional controls in the command line's
lines, and the prefix length of a mark nested in a tool result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import attrs
import pytest

import convo
from convo._cli import main

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_check_and_warn_escape_bidirectional_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A hostile file name and message: U+202E would reverse the rest of the line on a terminal.
    path = tmp_path / f"a{BIDI}.json"
    orphan = {"type": "tool_result", "tool_use_id": "x" + BIDI, "content": "r"}
    path.write_text(json.dumps([{"role": "user", "content": [orphan]}]))
    main(["check", str(path)])
    main(["show", str(tmp_path / f"missing{BIDI}.json")])  # unreadable: a line on stderr, from warn()
    out, err = capsys.readouterr()
    assert not set(BIDI) & set(out + err)
    assert "\\u202e" in out and "\\u202e" in err


def _tool_result_body(marked: int | None) -> dict[str, object]:
    """A request whose last message is a tool result of a long text then a short one, with a
    mark on its nested block ``marked`` (or none)."""
    content: list[dict[str, object]] = [
        {"type": "text", "text": "word " * 3000},
        {"type": "text", "text": "note " * 800},
    ]
    if marked is not None:
        content[marked]["cache_control"] = {"type": "ephemeral"}
    return {
        "model": "claude-opus-4-8",
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": content}]},
        ],
    }


def test_a_mark_nested_in_a_tool_result_caches_up_to_its_block() -> None:
    (first,) = convo.cache_breakpoints(_tool_result_body(0))
    (last,) = convo.cache_breakpoints(_tool_result_body(1))
    assert first.path == "/messages/2/content/0/content/0"
    assert last.path == "/messages/2/content/0/content/1"
    # the prefix ends at the marked nested block: the second text is not in the first mark's
    assert 0 < first.tokens < last.tokens
    assert last.tokens - first.tokens >= 700  # the ~800 tokens of the second text
    cold = convo.predict_cache(_tool_result_body(None), _tool_result_body(0))
    warm = convo.predict_cache(_tool_result_body(0), _tool_result_body(0))
    assert cold.write_tokens == first.tokens and cold.input_tokens == last.tokens - first.tokens
    assert warm.read_tokens == first.tokens and warm.write_tokens == 0 and warm.missed_tokens == 0


# The four model facts as they were keyed by family name before they moved into ModelProfile.
_OLD_DISABLED_MAX_EFFORT = {"opus-5": "high"}
_OLD_ENABLED_DEPRECATED = frozenset({"opus-4-6", "sonnet-4-6", "mythos-preview"})
_OLD_SUMMARIZED_BY_DEFAULT = frozenset({"opus-4-6", "sonnet-4-6", "opus-4-5", "sonnet-4-5", "haiku-4-5"})
_OLD_BEDROCK_PRE_4_7 = frozenset(
    {"opus-4-6", "sonnet-4-6", "opus-4-5", "sonnet-4-5", "haiku-4-5", "mythos-preview"}
)


def _sdk_model_ids() -> list[str]:
    from anthropic.types.model import Model

    (names, _) = get_args(Model)
    return [
        *get_args(names),
        "us.anthropic.claude-opus-5-v1:0",
        "claude-opus-4-6@20260101",
        "some-future-model",
    ]


@pytest.mark.parametrize("model", _sdk_model_ids())
def test_model_facts_read_from_the_profile_answer_as_the_family_tables_did(model: str) -> None:
    found = convo.profile(model)
    family = found.family
    old_ceiling = _OLD_DISABLED_MAX_EFFORT.get(family) if found.known else None
    assert (found.disabled_thinking_max_effort if found.known else None) == old_ceiling
    assert (found.known and found.enabled_thinking_deprecated) == (
        found.known and family in _OLD_ENABLED_DEPRECATED
    )
    old_display = "summarized" if family in _OLD_SUMMARIZED_BY_DEFAULT else "omitted"
    assert found.thinking_display == old_display
    old_version = "2026-10-21" if found.known and family not in _OLD_BEDROCK_PRE_4_7 else "bedrock-2023-05-31"
    request = convo.Conversation().user("hi").request(model=model, max_tokens=100)
    assert request.bedrock_version() == old_version


def _thinking_codes(model: str, thinking: dict[str, object], effort: str) -> list[str]:
    body = {
        "model": model,
        "max_tokens": 4000,
        "messages": [{"role": "user", "content": "hi"}],
        "thinking": thinking,
        "output_config": {"effort": effort},
    }
    return sorted(p.code for p in convo.check(body).problems if p.code.startswith("thinking"))


def test_the_thinking_rules_read_the_profile() -> None:
    assert "thinking-type-unsupported" in _thinking_codes("claude-opus-5", {"type": "disabled"}, "xhigh")
    assert _thinking_codes("claude-opus-5", {"type": "disabled"}, "high") == []
    enabled = {"type": "enabled", "budget_tokens": 2000}
    assert _thinking_codes("claude-mythos-preview", enabled, "high") == ["thinking-enabled-deprecated"]
    # a profile registered for a new model carries its own facts
    custom = attrs.evolve(
        convo.profile("claude-opus-4-6"),
        id="claude-opus-4-9",
        family="opus-4-9",
        disabled_thinking_max_effort="medium",
        enabled_thinking_deprecated=False,
        thinking_display="omitted",
        bedrock_current_version=True,
    )
    convo.register_profile(custom)
    try:
        assert "thinking-type-unsupported" in _thinking_codes("claude-opus-4-9", {"type": "disabled"}, "high")
        assert _thinking_codes("claude-opus-4-9", enabled, "high") == []
        request = convo.Conversation().user("hi").request(model="claude-opus-4-9", max_tokens=100)
        assert request.bedrock_version() == "2026-10-21"
    finally:
        convo.register_profile(None, "claude-opus-4-9")


def test_a_profile_refuses_facts_it_cannot_hold() -> None:
    base = convo.profile("claude-opus-5")
    with pytest.raises(convo.InvalidArgument):
        attrs.evolve(base, disabled_thinking_max_effort="huge")
    with pytest.raises(convo.InvalidArgument):
        attrs.evolve(base, thinking_display="full")
