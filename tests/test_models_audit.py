"""The model profile table against api-rules, as a black box: documents and limits."""

from __future__ import annotations

from pathlib import Path

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
