"""The model profile table (convo._models) against the SDK and api-rules."""

from __future__ import annotations

import doctest
import subprocess
import sys
import typing
from pathlib import Path

import attrs
import pytest

import convo
import convo._models as models
from convo._models import DEFAULT_PROFILE, KNOWN_MODELS, ModelProfile, profile

ROOT = Path(__file__).resolve().parent.parent


def _sdk_model_literals() -> set[str]:
    sdk_model = pytest.importorskip("anthropic.types.model")
    found: set[str] = set()

    def walk(tp: object) -> None:
        if typing.get_origin(tp) is typing.Literal:
            found.update(a for a in typing.get_args(tp) if isinstance(a, str))
        else:
            for arg in typing.get_args(tp):
                walk(arg)

    walk(sdk_model.Model)
    assert found, "no literals found in anthropic.types.model.Model"
    return found


# --- coverage of the SDK -------------------------------------------------------------


def test_every_sdk_model_literal_has_a_known_profile() -> None:
    for model_id in sorted(_sdk_model_literals()):
        p = profile(model_id)
        assert p.known, model_id
        assert p.id == model_id
        assert p.sources, model_id
        assert p.confidence, model_id


def test_known_models_matches_sdk_exactly() -> None:
    assert set(KNOWN_MODELS) == _sdk_model_literals()
    assert len(KNOWN_MODELS) == len(set(KNOWN_MODELS))


def test_dated_aliases_share_their_base_profile() -> None:
    for alias, base in [
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
        ("claude-opus-4-5-20251101", "claude-opus-4-5"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
    ]:
        assert profile(alias) == attrs.evolve(profile(base), id=alias)


def test_importing_models_does_not_import_anthropic() -> None:
    code = (
        "import sys, convo._models\n"
        "assert 'anthropic' not in sys.modules\n"
        "assert 'pydantic' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_field_values_are_in_range() -> None:
    for model_id in KNOWN_MODELS:
        p = profile(model_id)
        assert p.thinking_modes <= models.THINKING_MODES
        assert p.effort_levels <= models.EFFORT_LEVELS
        assert p.thinking_default in ("on", "off")
        assert p.image_tier in ("standard", "high")
        assert p.max_images in (100, 600)
        assert p.max_pdf_pages in (100, 600)
        assert p.cache_min_tokens in (512, 1024, 2048, 4096)
        assert p.max_output_tokens < p.context_window
        if p.thinking_always_on:
            assert "disabled" not in p.thinking_modes
            assert p.thinking_default == "on"
        assert p.family == model_id.removeprefix("claude-").rsplit("-2025", 1)[0]


# --- spot checks against api-rules ---------------------------------------------------


def test_prefill_section_1_7() -> None:
    assert profile("claude-opus-4-8").prefill is False
    assert profile("claude-sonnet-4-5").prefill is True
    assert {m for m in KNOWN_MODELS if profile(m).prefill} == {
        "claude-sonnet-4-5",
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-5",
        "claude-opus-4-5-20251101",
        "claude-haiku-4-5",
        "claude-haiku-4-5-20251001",
    }


def test_system_messages_section_1_2() -> None:
    families = {profile(m).family for m in KNOWN_MODELS if profile(m).system_messages}
    assert families == {"fable-5", "mythos-5", "opus-4-8", "opus-5"}
    assert profile("claude-sonnet-5").system_messages is False


@pytest.mark.parametrize(
    ("model_id", "minimum"),
    [
        ("claude-opus-5", 512),
        ("claude-fable-5", 512),
        ("claude-mythos-5", 512),
        ("claude-opus-4-8", 1024),
        ("claude-sonnet-5", 1024),
        ("claude-sonnet-4-5", 1024),
        # §5.7 official 1,024 / 2,048; §9.5 reports 2,048 / 4,096: the larger (policy 3)
        ("claude-sonnet-4-6", 2048),
        ("claude-opus-4-7", 4096),
        ("claude-mythos-preview", 4096),
        ("claude-opus-4-6", 4096),
        ("claude-opus-4-5", 4096),
        ("claude-haiku-4-5", 4096),
        # third-party October 2026 summary (§5.7)
        ("claude-opus-5-5", 512),
        ("claude-sonnet-5-5", 512),
        ("claude-fable-5-1", 512),
        ("claude-mythos-5-1", 512),
    ],
)
def test_cache_minimums_section_5_7(model_id: str, minimum: int) -> None:
    assert profile(model_id).cache_min_tokens == minimum


def test_windows_section_7_5() -> None:
    for model_id in ("claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5", "claude-haiku-4-5-20251001"):
        p = profile(model_id)
        assert (p.context_window, p.max_output_tokens) == (200_000, 64_000)
        assert (p.max_images, p.max_pdf_pages) == (100, 100)  # §7.2, §7.3
    for model_id in (
        "claude-opus-5",
        "claude-opus-4-6",
        "claude-sonnet-4-6",
        "claude-haiku-5-5",
        "claude-opus-5-5",
    ):
        p = profile(model_id)
        assert (p.context_window, p.max_output_tokens) == (1_000_000, 128_000)
        assert (p.max_images, p.max_pdf_pages) == (600, 600)
    batch = {profile(m).family for m in KNOWN_MODELS if profile(m).batch_300k_output}
    listed = {"opus-5", "opus-4-8", "opus-4-7", "opus-4-6", "sonnet-5", "sonnet-4-6"}
    era_5_5 = {"fable-5-2", "mythos-5-2", "haiku-5-5", "sonnet-5-5", "fable-5-1", "opus-5-5", "mythos-5-1"}
    assert batch == listed | era_5_5  # §7.5's list; it names no 5.5-era model: permissive


def test_image_tiers_and_tokenizer_sections_6_6_6_7() -> None:
    standard = {profile(m).family for m in KNOWN_MODELS if profile(m).image_tier == "standard"}
    assert standard == {"opus-4-6", "sonnet-4-6", "opus-4-5", "sonnet-4-5", "haiku-4-5"}
    assert profile("claude-opus-4-7").image_tier == "high"
    old_tokenizer = {profile(m).family for m in KNOWN_MODELS if not profile(m).new_tokenizer}
    assert old_tokenizer == standard
    assert profile("claude-haiku-5-5").new_tokenizer is True


def test_forced_tool_choice_section_4_9() -> None:
    rejecting = {profile(m).family for m in KNOWN_MODELS if not profile(m).forced_tool_choice}
    assert rejecting == {"opus-5-5", "fable-5-1", "mythos-preview"}


def test_thinking_modes_section_4_7() -> None:
    assert profile("claude-fable-5").thinking_modes == {"adaptive"}
    assert profile("claude-fable-5").thinking_always_on is True
    assert profile("claude-mythos-preview").thinking_modes == {"adaptive", "enabled"}
    assert profile("claude-opus-5").thinking_modes == {"adaptive", "disabled"}
    assert profile("claude-opus-5").thinking_default == "on"
    assert profile("claude-opus-4-8").thinking_default == "off"
    assert "enabled" not in profile("claude-opus-4-7").thinking_modes
    assert profile("claude-sonnet-4-6").thinking_modes == {"adaptive", "enabled", "disabled"}
    assert profile("claude-sonnet-4-5").thinking_modes == {"enabled", "disabled"}
    assert profile("claude-opus-5-5").thinking_modes == {"adaptive"}
    assert profile("claude-fable-5-1").thinking_always_on is True
    # §9.11: `enabled` is removed on every 5.x model
    for model_id in KNOWN_MODELS:
        if "-5" in model_id and "-4-5" not in model_id:
            assert "enabled" not in profile(model_id).thinking_modes, model_id


def test_keeps_prior_thinking_section_4_10() -> None:
    last_turn_only = {profile(m).family for m in KNOWN_MODELS if not profile(m).keeps_prior_thinking}
    assert last_turn_only == {"sonnet-4-5", "haiku-4-5"}


def test_effort_levels() -> None:
    assert profile("claude-sonnet-4-5").effort_levels == frozenset()
    assert profile("claude-haiku-4-5").effort_levels == frozenset()
    assert profile("claude-opus-4-5").effort_levels == {"low", "medium", "high"}
    assert profile("claude-opus-4-6").effort_levels == {"low", "medium", "high", "max"}
    assert profile("claude-opus-5").effort_levels == models.EFFORT_LEVELS


def test_deprecations_section_7_6() -> None:
    assert profile("claude-sonnet-4-5").deprecated == "2026-11-30"
    assert profile("claude-sonnet-4-5-20250929").deprecated == "2026-11-30"
    assert profile("claude-mythos-preview").deprecated == "2026-06-30"
    assert profile("claude-opus-4-8").deprecated is None


def test_uncertain_facts_are_flagged() -> None:
    for model_id in ("claude-opus-5-5", "claude-haiku-5-5", "claude-fable-5-2", "claude-mythos-5-1"):
        assert "5.5-era" in profile(model_id).confidence
    assert profile("claude-fable-5-2").confidence.startswith("low")
    assert "§9.5" in profile("claude-sonnet-4-6").confidence


# --- id resolution -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "family"),
    [
        ("claude-sonnet-4-5-20250929", "sonnet-4-5"),
        ("claude-opus-4-8-20260101", "opus-4-8"),  # unknown future snapshot
        ("claude-opus-5-5-20261201", "opus-5-5"),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", "sonnet-4-5"),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "sonnet-4-5"),
        ("global.anthropic.claude-haiku-4-5-20251001-v1:0", "haiku-4-5"),
        ("eu.anthropic.claude-opus-4-6-v1", "opus-4-6"),
        ("anthropic.claude-opus-4-7", "opus-4-7"),
        ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-5-20251101-v1:0", "opus-4-5"),
        ("claude-sonnet-4-5@20250929", "sonnet-4-5"),
        ("claude-opus-4-8@20260101", "opus-4-8"),
        ("claude-haiku-5-5", "haiku-5-5"),
    ],
)
def test_platform_and_snapshot_ids_resolve(model_id: str, family: str) -> None:
    p = profile(model_id)
    assert p.known
    assert p.family == family
    assert p.id == model_id
    base = "claude-" + family
    assert attrs.evolve(p, id=base) == profile(base)


@pytest.mark.parametrize(
    "model_id",
    [
        "gpt-5",
        "claude-opus-5-6",
        "claude-opus-4",
        "claude-3-7-sonnet-20250219",
        "claude-opus-4-8x",
        "anthropic.",
    ],
)
def test_unknown_models_get_the_permissive_default(model_id: str) -> None:
    p = profile(model_id)
    assert p == attrs.evolve(DEFAULT_PROFILE, id=model_id, deprecated=models.RETIRED.get(model_id))
    assert p.known is False
    assert p.prefill is True
    assert p.system_messages is True
    assert p.thinking_modes == {"adaptive", "enabled", "disabled"}
    assert p.thinking_always_on is False
    assert p.effort_levels == models.EFFORT_LEVELS
    assert p.forced_tool_choice is True
    known = [profile(m) for m in KNOWN_MODELS]
    assert p.context_window == max(k.context_window for k in known)
    assert p.max_output_tokens == max(k.max_output_tokens for k in known)
    assert p.max_images == max(k.max_images for k in known)
    assert p.max_pdf_pages == max(k.max_pdf_pages for k in known)
    assert p.cache_min_tokens == max(k.cache_min_tokens for k in known)  # §5.7: no mark that writes nothing


def _model_warnings(model: str) -> list[tuple[str, str]]:
    body = {"model": model, "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}
    return [(w.code, w.message) for w in convo.check(body).warnings]


@pytest.mark.parametrize(
    ("model_id", "send"),
    [
        ("anthropic/claude-opus-4-8", "claude-opus-4-8"),  # a router's provider prefix
        ("openrouter/anthropic/claude-opus-4-8", "claude-opus-4-8"),
        (" claude-opus-4-8", "claude-opus-4-8"),
        ("claude-opus-4-8\t", "claude-opus-4-8"),
        ("CLAUDE-OPUS-4-8", "claude-opus-4-8"),
        ("claude-opus-4-8-latest", "claude-opus-4-8"),
        ("Claude-Sonnet-4-5-20250929", "claude-sonnet-4-5-20250929"),
        (" us.anthropic.claude-opus-5-v1:0", "us.anthropic.claude-opus-5-v1:0"),
        # §7.6: each 4.5 model has one snapshot, so another date is a typo (here Sonnet's on Haiku)
        ("claude-haiku-4-5-20250929", "claude-haiku-4-5-20251001"),
        ("claude-sonnet-4-5@20250930", "claude-sonnet-4-5@20250929"),
        ("us.anthropic.claude-opus-4-5-20250101-v1:0", "us.anthropic.claude-opus-4-5-20251101-v1:0"),
    ],
)
def test_miswritten_ids_keep_their_rules_and_are_warned_about(model_id: str, send: str) -> None:
    p = profile(model_id)
    assert p.known and p.id == model_id
    assert attrs.evolve(p, id=send) == profile(send)  # the rules of the model meant, Bedrock's included
    found = [code for code, message in _model_warnings(model_id) if repr(send) in message]
    assert found == ["model-unknown"]
    assert not [w for w in _model_warnings(send) if w[0] == "model-unknown"]


def test_platform_forms_are_not_warned_about() -> None:
    for model_id in (
        "claude-opus-4-8",
        "claude-opus-4-8-20260101",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-5-20251101-v1:0",
        "claude-opus-4-8@20260101",
        "projects/p/locations/us-east5/publishers/anthropic/models/claude-opus-4-8",
    ):
        assert not [w for w in _model_warnings(model_id) if w[0] == "model-unknown"], model_id


@pytest.mark.parametrize(
    "model_id",
    [
        "anthropic.claude-opus-4-20250514-v1:0",
        "claude-opus-4@20250514",
        "CLAUDE-SONNET-4-0",
        "claude-3-7-sonnet-latest",
    ],
)
def test_retired_ids_are_found_in_platform_forms(model_id: str) -> None:
    assert profile(model_id).deprecated == "2026-06-15" or model_id.startswith("claude-3-7")
    assert [code for code, _ in _model_warnings(model_id)] == ["model-deprecated"]


def test_none_and_junk_give_the_default() -> None:
    assert profile(None) is DEFAULT_PROFILE
    assert profile("") is DEFAULT_PROFILE
    assert profile(42) is DEFAULT_PROFILE  # type: ignore[arg-type]


# --- ModelProfile itself -------------------------------------------------------------


def test_profile_is_frozen_final_and_kw_only() -> None:
    p = profile("claude-opus-4-8")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        p.prefill = True  # type: ignore[misc]
    positional: typing.Any = ModelProfile
    with pytest.raises(TypeError):
        positional("x")
    assert hash(p) == hash(profile("claude-opus-4-8"))


def test_invalid_profile_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="thinking modes"):
        attrs.evolve(DEFAULT_PROFILE, thinking_modes=frozenset({"between_tools"}))
    with pytest.raises(ValueError, match="effort"):
        attrs.evolve(DEFAULT_PROFILE, effort_levels=frozenset({"ultra"}))


# --- from_model_info -----------------------------------------------------------------


def _support(flag: bool) -> dict[str, bool]:
    return {"supported": flag}


def test_from_model_info_overrides_windows_from_a_dict() -> None:
    p = ModelProfile.from_model_info(
        {"id": "claude-sonnet-4-5", "max_input_tokens": 1_000_000, "max_tokens": 96_000}
    )
    assert (p.context_window, p.max_output_tokens) == (1_000_000, 96_000)
    assert (p.max_images, p.max_pdf_pages) == (600, 600)
    assert p.prefill is True  # not reported by the Models API: table value kept
    assert p.sources[-1] == "Models API"
    assert "Models API" in p.confidence


def test_from_model_info_missing_fields_keep_the_table() -> None:
    p = ModelProfile.from_model_info({"id": "claude-opus-4-8", "max_input_tokens": None})
    base = profile("claude-opus-4-8")
    assert attrs.evolve(p, sources=base.sources, confidence=base.confidence) == base


def test_from_model_info_reads_capabilities() -> None:
    info = {
        "id": "claude-opus-5",
        "max_input_tokens": 200_000,
        "max_tokens": 64_000,
        "retires_at": "2027-07-24T00:00:00Z",
        "capabilities": {
            "thinking": {
                "supported": True,
                "types": {
                    "adaptive": _support(True),
                    "enabled": _support(False),
                    "disabled": _support(False),
                    "between_tools": _support(True),
                },
            },
            "effort": {
                "supported": True,
                "low": _support(True),
                "medium": _support(True),
                "high": _support(True),
                "max": _support(False),
                "xhigh": None,
            },
            "image_input": _support(True),
            "pdf_input": _support(False),
        },
    }
    p = ModelProfile.from_model_info(info)
    assert p.context_window == 200_000
    assert p.max_images == 100
    assert p.max_pdf_pages == 0
    assert p.thinking_modes == {"adaptive"}
    assert p.thinking_always_on is True
    assert p.thinking_default == "on"
    assert p.effort_levels == {"low", "medium", "high", "xhigh"}  # xhigh absent: table value kept
    assert p.deprecated == "2027-07-24"
    assert p.system_messages is True


def test_from_model_info_effort_unsupported() -> None:
    info = {"id": "claude-opus-4-6", "capabilities": {"effort": {"supported": False}}}
    assert ModelProfile.from_model_info(info).effort_levels == frozenset()


def test_from_model_info_unknown_model_stays_unknown() -> None:
    p = ModelProfile.from_model_info({"id": "claude-new-9", "max_input_tokens": 2_000_000})
    assert p.known is False
    assert p.id == "claude-new-9"
    assert p.context_window == 2_000_000


def test_from_model_info_accepts_sdk_objects() -> None:
    model_info = pytest.importorskip("anthropic.types.model_info")
    info = model_info.ModelInfo.model_validate(
        {
            "id": "claude-haiku-4-5-20251001",
            "created_at": "2025-10-01T00:00:00Z",
            "display_name": "Claude Haiku 4.5",
            "lifecycle": "active",
            "type": "model",
            "max_input_tokens": 200_000,
            "max_tokens": 64_000,
            "capabilities": {
                "batch": _support(True),
                "citations": _support(True),
                "code_execution": _support(True),
                "context_management": {"supported": False},
                "effort": {
                    "supported": False,
                    "low": _support(False),
                    "medium": _support(False),
                    "high": _support(False),
                    "max": _support(False),
                },
                "image_input": _support(True),
                "pdf_input": _support(True),
                "server_tools": {
                    "supported": True,
                    "code_execution": _support(True),
                    "web_search": _support(True),
                },
                "structured_outputs": _support(True),
                "thinking": {
                    "supported": True,
                    "types": {
                        "adaptive": _support(False),
                        "between_tools": _support(False),
                        "disabled": _support(True),
                        "enabled": _support(True),
                    },
                },
            },
        }
    )
    p = ModelProfile.from_model_info(info)
    base = profile("claude-haiku-4-5-20251001")
    assert attrs.evolve(p, sources=base.sources, confidence=base.confidence) == base


def test_from_model_info_needs_an_id() -> None:
    with pytest.raises(models.InvalidArgument):
        ModelProfile.from_model_info({"max_tokens": 5})


# --- docs ----------------------------------------------------------------------------


def test_docstring_examples() -> None:
    result = doctest.testmod(models)
    assert result.attempted > 0
    assert result.failed == 0


def test_docs_models_md_examples_and_rows() -> None:
    path = ROOT / "docs" / "models.md"
    result = doctest.testfile(str(path), module_relative=False)
    assert result.failed == 0
    text = path.read_text(encoding="utf-8")
    for model_id in KNOWN_MODELS:
        assert f"`{model_id}`" in text, model_id
    # the sources table quotes each family's confidence note as the profile has it
    rows = 0
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and profile("claude-" + cells[0]).family == cells[0]:
            assert cells[2] == profile("claude-" + cells[0]).confidence, cells[0]
            rows += 1
    assert rows >= 15


def test_every_model_the_sdk_deprecates_has_its_end_of_life_date() -> None:
    """The SDK's DEPRECATED_MODELS, table entries and retired models alike, carry their date."""
    import datetime
    import re

    messages = pytest.importorskip("anthropic.resources.messages.messages")
    for model_id, when in messages.DEPRECATED_MODELS.items():
        day = re.sub(r"(\d+)(st|nd|rd|th)", r"\1", when)
        expected = datetime.datetime.strptime(day, "%B %d, %Y").date().isoformat()
        assert profile(model_id).deprecated == expected, model_id


@pytest.mark.parametrize(
    "model",
    [
        "anthropic.claude-opus-5-v1:0",
        "us.anthropic.claude-mythos-5-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-5-v1:0",
    ],
)
def test_a_bedrock_id_takes_bedrocks_system_message_support(model: str) -> None:
    """§1.2: on Bedrock InvokeModel only Fable 5 and Opus 4.8 take role 'system' messages."""
    assert convo.profile(model).system_messages is False
    body = {
        "model": model,
        "max_tokens": 99,
        "messages": [{"role": "user", "content": "q"}, {"role": "system", "content": "Be brief."}],
    }
    assert [(p.code, p.path) for p in convo.check(body).errors] == [
        ("system-message-unsupported", "/messages/1")
    ]
    assert (
        convo.profile(model.replace("opus-5", "opus-4-8").replace("mythos-5", "fable-5")).system_messages
        is True
    )


# --- registered profiles ------------------------------------------------------------------------


def test_a_registered_profile_is_what_every_part_of_convo_reads() -> None:
    """A window from the Models API sets the budget a trim reads from the context window."""
    info = {"id": "claude-tiny-1", "max_input_tokens": 2_000, "max_tokens": 500}
    convo.register_profile(convo.ModelProfile.from_model_info(info))
    conv = convo.Conversation()
    for i in range(20):
        conv = conv.user(f"Question {i}: " + "words " * 40).assistant("An answer. " * 40)
    conv = conv.user("And?")
    trimmed = conv.trim(model="claude-tiny-1", max_tokens=500)
    assert (
        convo.LocalCounter().count(trimmed, model="claude-tiny-1") <= 1_500 < convo.LocalCounter().count(conv)
    )
    for spelling in ("claude-tiny-1-20261201", "claude-tiny-1@20261201", "us.anthropic.claude-tiny-1-v1:0"):
        assert convo.profile(spelling).context_window == 2_000
        assert convo.profile(spelling).id == spelling
    assert models.exact_id("claude-tiny-1")
    convo.register_profile(None, "claude-tiny-1")
    assert convo.profile("claude-tiny-1") == attrs.evolve(models.DEFAULT_PROFILE, id="claude-tiny-1")


def test_a_registered_known_profile_brings_its_rules() -> None:
    nearest = convo.profile("claude-opus-4-8")
    convo.register_profile(attrs.evolve(nearest, max_output_tokens=1_000), "claude-opus-4-9")
    body = {"model": "claude-opus-4-9", "max_tokens": 2_000, "messages": [{"role": "user", "content": "Hi"}]}
    assert [p.code for p in convo.check(body).problems] == ["max-tokens-too-large"]
    prefill = {
        **body,
        "max_tokens": 10,
        "messages": [*body["messages"], {"role": "assistant", "content": "Su"}],
    }
    assert [p.code for p in convo.check(prefill).problems] == ["prefill-unsupported"]


def test_registering_a_table_model_replaces_its_entry_until_removed() -> None:
    table = convo.profile("claude-haiku-4-5")
    convo.register_profile(attrs.evolve(table, cache_min_tokens=100_000))
    long = convo.Conversation(system="A long system prompt. " * 2_000).user("Hi")
    assert long.request(model="claude-haiku-4-5", max_tokens=9, cache="auto").breakpoints == ()
    convo.register_profile(None, "claude-haiku-4-5")
    assert convo.profile("claude-haiku-4-5") == table
    assert long.request(model="claude-haiku-4-5", max_tokens=9, cache="auto").breakpoints != ()


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (({"id": "x"},), "takes a ModelProfile"),
        ((None,), "needs the model id to remove"),
        ((models.DEFAULT_PROFILE,), "registered for a model id"),
    ],
)
def test_register_profile_refuses_what_it_cannot_register(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(convo.InvalidArgument, match=match):
        convo.register_profile(*args)  # type: ignore[arg-type]
