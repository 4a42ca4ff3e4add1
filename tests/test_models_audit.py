"""The model profile table against api-rules, as a black box: documents and limits."""

from __future__ import annotations

from pathlib import Path

import pytest

import convo
from convo._models import DEFAULT_PROFILE, EFFORT_ORDER, ModelProfile, profile

ROOT = Path(__file__).resolve().parent.parent

_THINKING_ORDER = ("adaptive", "enabled", "disabled")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _row(p: ModelProfile) -> list[str]:
    """The cells of ``p``'s row in docs/models.md's table, after the family and ids."""
    output = f"{p.max_output_tokens // 1000}k" + ("; 300k batch" if p.batch_300k_output else "")
    default = "always on" if p.thinking_always_on else f"default {p.thinking_default}"
    thinking = "/".join(mode for mode in _THINKING_ORDER if mode in p.thinking_modes)
    effort = "/".join(level for level in EFFORT_ORDER if level in p.effort_levels) or "none"
    window = "1M" if p.context_window == 1_000_000 else f"{p.context_window // 1000}k"
    return [
        window,
        output,
        str(p.cache_min_tokens),
        _yes(p.prefill),
        _yes(p.system_messages),
        f"{thinking} ({default})",
        effort,
        _yes(p.forced_tool_choice),
        "all" if p.keeps_prior_thinking else "last",
        f"{p.max_images} / {p.max_pdf_pages}",
        p.image_tier,
        _yes(p.new_tokenizer),
        p.deprecated or "—",
    ]


def test_docs_models_md_table_rows_are_the_profiles() -> None:
    """Each row of the table in docs/models.md says what the profile holds, the unknown model's
    row included (its cache minimum is the largest known, not the smallest)."""
    text = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    rows = 0
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 15 or cells[0] in ("family", "---"):
            continue
        found = DEFAULT_PROFILE if cells[0] == "unknown" else profile("claude-" + cells[0])
        assert found.family == cells[0], cells[0]
        assert cells[2:] == _row(found), cells[0]
        rows += 1
    assert rows == 20


@pytest.mark.parametrize(
    "model", ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-1"]
)
def test_a_5_5_era_batch_takes_300k_output_tokens(model: str) -> None:
    """§7.5 lists the models whose Batch API output goes to 300k with beta
    output-300k-2026-03-24 as of the 2026-08 docs, before the 5.5-era models: for them it is
    undocumented, so the check accepts it (policy 1) and still stops one token past 300k."""

    def errors(max_tokens: int) -> list[str]:
        body = {"model": model, "max_tokens": max_tokens, "messages": [{"role": "user", "content": "Hi"}]}
        return [p.code for p in convo.check(body, betas=["output-300k-2026-03-24"]).errors]

    assert errors(300_000) == []
    assert errors(300_001) == ["max-tokens-too-large"]
    plain = {"model": model, "max_tokens": 128_001, "messages": [{"role": "user", "content": "Hi"}]}
    assert [p.code for p in convo.check(plain).errors] == ["max-tokens-too-large"]


@pytest.mark.parametrize(
    ("model", "official", "reported"),
    [
        ("claude-sonnet-4-6", 1024, 2048),
        ("claude-opus-4-7", 2048, 4096),
        ("claude-mythos-preview", 2048, 4096),
    ],
)
def test_a_disputed_cache_minimum_is_the_larger_one(model: str, official: int, reported: int) -> None:
    """§5.7 gives the official minimum, §9.5 higher ones seen elsewhere (sdk-python#1194:
    Sonnet 4.6 caches only from about 2,048). Under the real minimum a breakpoint silently
    writes nothing, so a prefix between the two gets no breakpoint, and one above both does."""
    assert convo.profile(model).cache_min_tokens == reported
    counter = convo.LocalCounter()

    def prompt(tokens: int) -> convo.Conversation:
        unit = "All about the project, its modules and their tests. "
        per_unit = counter.count(convo.Conversation(system=unit * 100).user("Hi"), model=model) / 100
        return convo.Conversation(system=unit * int(tokens / per_unit)).user("Hi")

    between, above = prompt((official + reported) // 2), prompt(2 * reported)
    assert official < counter.count(between, model=model) < reported
    assert not between.request(model=model, max_tokens=10, cache="auto").breakpoints
    assert above.request(model=model, max_tokens=10, cache="auto").breakpoints
