"""Model profiles: what each Claude model accepts, and its limits.

Every rule in convo that depends on the model (assistant prefill, ``role: "system"``
messages, thinking modes, effort levels, forced ``tool_choice``, cache minimums, output
and context limits, image and PDF limits, tokenizer generation) reads a
:class:`ModelProfile` from this table instead of testing model names.

Where the data comes from
-------------------------
The table is hard-coded from ``reference/api-rules.md`` (API version ``2026-10-21``,
docs as of 2026-08 plus later excerpts for the 5.5-era models), the sections cited next
to each entry and in :attr:`ModelProfile.sources`. Where api-rules is silent the
choice follows three written policies, and :attr:`ModelProfile.confidence` says so:

1. A field that makes the validator *reject* or warn about a request (``prefill``, thinking modes,
   effort levels, ``disabled_thinking_max_effort``, ``enabled_thinking_deprecated``,
   ``forced_tool_choice``, ``batch_300k_output``) takes the **permissive**
   value, unless api-rules states a rule for a whole group (prefill is gone "on 4.6 and
   later ... and by extension 5.5-era models", §1.7; ``enabled`` thinking is removed "on
   4.7+ and all 5.x", §9.11) or prescribes an allowlist (``role: "system"`` messages, §1.2).
2. A numeric limit nobody documents is copied from the nearest documented model of the
   same line (for example Mythos 5.1 from Mythos 5).
3. A field that only feeds token estimates (``keeps_prior_thinking``,
   ``new_tokenizer``, ``image_tier``) takes the value giving the *larger* estimate
   (§9.7: "assume the larger number when trimming"), and a cache minimum sources disagree
   on (§9.5) the larger one: a breakpoint on a prefix under the real minimum silently
   writes nothing (§5.7), so convo places none that may fall short, nor predicts its read.

For an unknown model ``thinking_display`` is ``"omitted"``, the default of 4.7 and later, and
``bedrock_current_version`` is False: a Bedrock body gets the ``anthropic_version`` the
Bedrock docs give (§8.4).

Effort levels are not listed per model in api-rules; they come from the effort page
(https://platform.claude.com/docs/en/build-with-claude/effort, read through the docs
corpus): effort is supported on Opus 4.5+, Sonnet 4.6+, Fable, Mythos; ``max`` on all
of those but Opus 4.5; ``xhigh`` on Opus 4.7+, Sonnet 5, Fable 5, Mythos 5. Sonnet 4.5
and Haiku 4.5 take no effort at all. For undocumented 5.5-era models all five levels
are accepted (policy 1).

Dated snapshot ids (``claude-sonnet-4-5-20250929``), Bedrock ids
(``anthropic.claude-...-v1:0``, ``us.``/``global.`` inference profiles, ARNs) and Vertex
ids (``claude-...@20250929``) resolve to their base entry; anything else gets
:data:`DEFAULT_PROFILE` (``known=False``), which only applies rules common to every
model, so the validator merely warns.

Refreshing from the Models API
------------------------------
The table is a snapshot. The Models API (``client.models.retrieve(id)``, an SDK
``ModelInfo``) reports ``max_input_tokens``, ``max_tokens`` and ``capabilities``
(thinking types, effort levels, image and PDF input). A refresh from it is planned
through :meth:`ModelProfile.from_model_info`, which overlays that runtime truth on the
table entry; facts the Models API does not report (prefill, system messages, cache
minimum, forced ``tool_choice``) stay as in the table.

>>> profile("claude-opus-4-8").prefill
False
>>> profile("us.anthropic.claude-sonnet-4-5-20250929-v1:0").family
'sonnet-4-5'
>>> profile("some-future-model").known
False
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Mapping
from typing import Any, Final, Literal, final

import attrs

from ._errors import InvalidArgument

__all__ = [
    "DEFAULT_PROFILE",
    "EFFORT_LEVELS",
    "EFFORT_ORDER",
    "KNOWN_MODELS",
    "THINKING_MODES",
    "ModelProfile",
    "effort_refusal",
    "model_given",
    "profile",
    "refresh_profile",
    "register_profile",
]

ThinkingDefault = Literal["on", "off"]
ImageTier = Literal["standard", "high"]
ThinkingDisplay = Literal["summarized", "omitted"]

#: Every ``thinking.type`` value a profile may list (``between_tools`` exists in the SDK
#: but is undocumented; api-rules §4.7 says not to emit it, so profiles never list it).
THINKING_MODES: Final = frozenset({"adaptive", "enabled", "disabled"})
#: Every ``output_config.effort`` value the SDK defines (``anthropic.types.output_config_param``).
EFFORT_LEVELS: Final = frozenset({"low", "medium", "high", "xhigh", "max"})
#: The same, lowest first.
EFFORT_ORDER: Final = ("low", "medium", "high", "xhigh", "max")

_THINKING_ORDER: Final = ("adaptive", "enabled", "disabled")


@final
@attrs.frozen(kw_only=True)
class ModelProfile:
    """What one model accepts, and its limits. Immutable; build variants with ``attrs.evolve``.

    >>> p = profile("claude-sonnet-4-5")
    >>> (p.context_window, p.max_output_tokens, p.prefill, sorted(p.thinking_modes))
    (200000, 64000, True, ['disabled', 'enabled'])
    >>> "xhigh" in profile("claude-opus-4-6").effort_levels
    False
    """

    #: The model id this profile was looked up for (``""`` for the bare default).
    id: str
    #: Base model without the ``claude-`` prefix and date, e.g. ``"opus-4-8"``; ``"unknown"`` for the default.
    family: str
    #: False only for :data:`DEFAULT_PROFILE` and ids that resolve to it: the validator then only warns.
    known: bool
    #: Input context window in tokens (§7.5).
    context_window: int
    #: Largest accepted ``max_tokens`` on Messages (§7.5).
    max_output_tokens: int
    #: Minimum cacheable prefix in tokens; shorter prefixes are silently not cached (§5.7).
    cache_min_tokens: int
    #: Whether a final ``assistant`` message (prefill) is accepted (§1.7).
    prefill: bool
    #: Whether ``role: "system"`` entries in ``messages`` are accepted (§1.2).
    system_messages: bool
    #: The accepted ``thinking.type`` values, a subset of :data:`THINKING_MODES` (§4.7).
    thinking_modes: frozenset[str]
    #: Thinking cannot be turned off (§4.7 "always on").
    thinking_always_on: bool
    #: Whether the model thinks when ``thinking`` is omitted (§4.7 "Default").
    thinking_default: ThinkingDefault
    #: The accepted ``output_config.effort`` values; empty when effort is rejected.
    effort_levels: frozenset[str]
    #: Whether ``tool_choice`` ``any``/``tool`` is accepted with the model's default thinking (§4.9).
    forced_tool_choice: bool
    #: Prior turns' thinking stays in context and counts toward the window (§4.10, §9.7).
    keeps_prior_thinking: bool
    #: Most images per request (§7.2).
    max_images: int
    #: Most PDF pages per request (§7.3).
    max_pdf_pages: int
    #: Image resolution tier for token estimates: ``"standard"`` or ``"high"`` (§6.7).
    image_tier: ImageTier
    #: Uses the newer tokenizer (about 30% more tokens for the same text, §6.6).
    new_tokenizer: bool
    #: The Batch API accepts ``max_tokens`` up to 300,000 with beta ``output-300k-2026-03-24`` (§7.5).
    batch_300k_output: bool = False
    #: The highest effort at which ``thinking: disabled`` is accepted, or None for any (§4.7, §9.11:
    #: Opus 5 takes ``disabled`` only at effort ``high`` or lower).
    disabled_thinking_max_effort: str | None = None
    #: ``thinking: enabled`` is deprecated: accepted, with a warning (§4.7, §9.11; the SDK also warns
    #: for Mythos Preview).
    enabled_thinking_deprecated: bool = False
    #: The ``thinking.display`` the model uses when none is set (§4.8): setting it explicitly
    #: keys the cache as omitting it does (§5.9).
    thinking_display: ThinkingDisplay = "omitted"
    #: Bedrock InvokeModel serves API version ``2026-10-21`` to the model (Claude 4.7 and later):
    #: the default ``anthropic_version`` of a Bedrock body; else ``bedrock-2023-05-31`` (§8.4).
    bedrock_current_version: bool = False
    #: End-of-life date (ISO ``YYYY-MM-DD``) when one is announced (§7.6, SDK ``DEPRECATED_MODELS``).
    deprecated: str | None = None
    #: Short citations of where the facts come from, e.g. ``"api-rules §1.7"``.
    sources: tuple[str, ...] = ()
    #: Level (high/medium/low) and notes on facts api-rules flags as uncertain or does not cover.
    confidence: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.thinking_modes <= THINKING_MODES:
            raise InvalidArgument(f"unknown thinking modes: {sorted(self.thinking_modes - THINKING_MODES)}")
        if not self.effort_levels <= EFFORT_LEVELS:
            raise InvalidArgument(f"unknown effort levels: {sorted(self.effort_levels - EFFORT_LEVELS)}")
        if self.thinking_default not in ("on", "off"):
            raise InvalidArgument(f"thinking_default must be 'on' or 'off', not {self.thinking_default!r}")
        if self.image_tier not in ("standard", "high"):
            raise InvalidArgument(f"image_tier must be 'standard' or 'high', not {self.image_tier!r}")
        if self.disabled_thinking_max_effort not in (None, *EFFORT_ORDER):
            raise InvalidArgument(
                f"disabled_thinking_max_effort must be an effort level or None, not {self.disabled_thinking_max_effort!r}"
            )
        if self.thinking_display not in ("summarized", "omitted"):
            raise InvalidArgument(
                f"thinking_display must be 'summarized' or 'omitted', not {self.thinking_display!r}"
            )

    @classmethod
    def from_model_info(cls, info: object) -> ModelProfile:
        """The table profile for ``info.id``, updated with what the Models API reports.

        ``info`` is an SDK ``ModelInfo`` or anything shaped like it: an object or a mapping
        with ``id`` and optionally ``max_input_tokens``, ``max_tokens``, ``retires_at`` and
        ``capabilities`` (``thinking.types.{adaptive,enabled,disabled}.supported``,
        ``effort.{supported,low,medium,high,xhigh,max}``, ``image_input.supported``,
        ``pdf_input.supported``). Missing or null fields keep the table's value. The Models
        API does not report prefill, system messages, cache minimums or forced
        ``tool_choice``, so those stay as in the table (for unknown ids, the default's:
        permissive, and the largest cache minimum), and ``known`` is unchanged.

        >>> p = ModelProfile.from_model_info({"id": "claude-sonnet-4-5", "max_input_tokens": 1_000_000})
        >>> (p.context_window, p.max_images, p.max_pdf_pages, p.prefill)
        (1000000, 600, 600, True)
        """
        model_id = _field(info, "id")
        if not isinstance(model_id, str):
            raise InvalidArgument("from_model_info() needs an object or mapping with a string 'id'")
        base = profile(model_id)
        context_window, max_output_tokens = base.context_window, base.max_output_tokens
        max_images, max_pdf_pages = base.max_images, base.max_pdf_pages
        thinking_modes, effort_levels = base.thinking_modes, base.effort_levels
        thinking_always_on, thinking_default = base.thinking_always_on, base.thinking_default
        deprecated = base.deprecated

        window = _positive_int(_field(info, "max_input_tokens"))
        if window is not None:
            context_window = window
            # §7.2: 100 images for 200k-window models, else 600. §7.3: 100 pages under 1M.
            max_images = 100 if window <= 200_000 else 600
            max_pdf_pages = 100 if window < 1_000_000 else 600
        output = _positive_int(_field(info, "max_tokens"))
        if output is not None:
            max_output_tokens = output
        retires = _iso_date(_field(info, "retires_at"))
        if retires is not None:
            deprecated = retires

        caps = _field(info, "capabilities")
        thinking_types = _field(_field(caps, "thinking"), "types")
        if thinking_types is not None:
            thinking_modes = _merge_flags(thinking_modes, thinking_types, _THINKING_ORDER)
            thinking_always_on = bool(thinking_modes) and "disabled" not in thinking_modes
            if thinking_always_on:
                thinking_default = "on"
            elif not thinking_modes - {"disabled"}:
                thinking_default = "off"  # the model does not think at all
        effort = _field(caps, "effort")
        if effort is not None:
            if _supported(_field(effort, "supported")) is False:
                effort_levels = frozenset()
            else:
                effort_levels = _merge_flags(effort_levels, effort, EFFORT_ORDER)
        if _supported(_field(caps, "image_input")) is False:
            max_images = 0
        if _supported(_field(caps, "pdf_input")) is False:
            max_pdf_pages = 0

        note = "limits and capabilities refreshed from the Models API"
        return attrs.evolve(
            base,
            context_window=context_window,
            max_output_tokens=max_output_tokens,
            max_images=max_images,
            max_pdf_pages=max_pdf_pages,
            thinking_modes=thinking_modes,
            thinking_always_on=thinking_always_on,
            thinking_default=thinking_default,
            effort_levels=effort_levels,
            deprecated=deprecated,
            sources=(*base.sources, "Models API"),
            confidence=f"{base.confidence}; {note}" if base.confidence else note,
        )


# --- duck-typing helpers for from_model_info ---------------------------------------------


def _field(obj: object, name: str) -> object:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _supported(value: object) -> bool | None:
    """``CapabilitySupport``-like (``.supported``) or a bare bool; None when absent."""
    if isinstance(value, bool):
        return value
    flag = _field(value, "supported")
    return flag if isinstance(flag, bool) else None


def _merge_flags(current: frozenset[str], flags: object, names: tuple[str, ...]) -> frozenset[str]:
    result = set(current)
    for name in names:
        state = _supported(_field(flags, name))
        if state is True:
            result.add(name)
        elif state is False:
            result.discard(name)
    return frozenset(result)


def _positive_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


_DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> str | None:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        match = _DATE_RE.match(value)
        return match.group(0) if match else None
    return None


# --- the table ---------------------------------------------------------------------------

_ADAPTIVE: Final = frozenset({"adaptive"})
_ADAPTIVE_DISABLED: Final = frozenset({"adaptive", "disabled"})
_ADAPTIVE_ENABLED: Final = frozenset({"adaptive", "enabled"})
_ENABLED_DISABLED: Final = frozenset({"enabled", "disabled"})
_ALL_THINKING: Final = frozenset(THINKING_MODES)

_EFFORT_ALL: Final = frozenset(EFFORT_LEVELS)
_EFFORT_NO_XHIGH: Final = frozenset({"low", "medium", "high", "max"})
_EFFORT_BASIC: Final = frozenset({"low", "medium", "high"})
_EFFORT_NONE: Final = frozenset[str]()

_M: Final = 1_000_000
_K128: Final = 128_000

_S_55ERA: Final = (
    "api-rules §1.2",
    "api-rules §1.7",
    "api-rules §4.7",
    "api-rules §4.10",
    "api-rules §5.7",
    "api-rules §6.6",
    "api-rules §6.7",
    "api-rules §7.5",
    "api-rules §9.11",
)
_C_55ERA: Final = (
    "role:'system' support undocumented for 5.5-era models (§1.2): gated off per the allowlist; "
    "effort levels undocumented: all five accepted; 300k Batch output (§7.5) undocumented: accepted"
)

# One entry per family, newest first, in the order of `anthropic.types.model.Model`. Kept compact
# (several fields a line) so each entry reads as one record; ruff format is off for the table.
# fmt: off
_FAMILIES: Final[tuple[ModelProfile, ...]] = (
    # ---- 5.5-era (docs newer than 2026-08; api-rules §1.2, §1.7, §4.7, §4.9, §5.7, §7.5, §9.13) ----
    ModelProfile(
        id="claude-fable-5-2", family="fable-5-2", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        # §7.5: 1M/128k from a third-party source only. §5.7: no minimum given; Fable 5/5.1 are 512.
        context_window=_M, max_output_tokens=_K128, cache_min_tokens=512,
        prefill=False, system_messages=False,  # §1.7 "by extension 5.5-era"; §1.2 allowlist
        # §9.11: `enabled` removed on all 5.x; the rest is undocumented (§9.13), so permissive.
        thinking_modes=_ADAPTIVE_DISABLED, thinking_always_on=False, thinking_default="on",
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,
        keeps_prior_thinking=True, max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,
        batch_300k_output=True,  # §7.5 names no 5.5-era model (policy 1)
        sources=(*_S_55ERA, "api-rules §9.13"),
        confidence=(
            "low: SDK-only model, undocumented (§9.13); window/output from a third-party source; "
            "cache minimum copied from Fable 5.1; thinking modes and forced tool_choice permissive although "
            "Fable 5.1 is adaptive-only and rejects forced tool_choice; " + _C_55ERA
        ),
    ),
    ModelProfile(
        id="claude-mythos-5-2", family="mythos-5-2", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        # Not in §7.5 or §5.7 at all (§9.13): limits copied from Mythos 5 / Mythos 5.1.
        context_window=_M, max_output_tokens=_K128, cache_min_tokens=512,
        prefill=False, system_messages=False,
        thinking_modes=_ADAPTIVE_DISABLED, thinking_always_on=False, thinking_default="on",
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,
        keeps_prior_thinking=True, max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,
        batch_300k_output=True,  # §7.5 names no 5.5-era model (policy 1)
        sources=(*_S_55ERA, "api-rules §9.13"),
        confidence=(
            "low: SDK-only model, undocumented (§9.13); window, output and cache minimum copied from Mythos "
            "5/5.1; thinking modes permissive although Mythos 5 is adaptive-only; " + _C_55ERA
        ),
    ),
    ModelProfile(
        id="claude-haiku-5-5", family="haiku-5-5", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        context_window=_M, max_output_tokens=_K128,  # §7.5 (newer docs)
        cache_min_tokens=4096,  # §5.7: unknown; Haiku 4.5's value (the line's last documented one)
        prefill=False, system_messages=False,
        thinking_modes=_ADAPTIVE_DISABLED, thinking_always_on=False, thinking_default="on",
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,
        keeps_prior_thinking=True,  # §4.10 silent for Haiku 5.5; §9.7 assume the larger count
        max_images=600, max_pdf_pages=600, image_tier="high",
        new_tokenizer=True,  # §6.6 names Haiku 5.5 explicitly
        batch_300k_output=True,  # §7.5 names no 5.5-era model (policy 1)
        sources=(*_S_55ERA, "api-rules §4.11", "api-rules §5.10"),
        confidence=(
            "medium: cache minimum unknown (§5.7), Haiku 4.5's 4096 used; thinking modes/default "
            "undocumented (permissive); prior-thinking retention undocumented (assumed kept); thinking "
            "blocks only work in the producing account (§4.11); tiered prices over 100K (§5.10); "
            + _C_55ERA
        ),
    ),
    ModelProfile(
        id="claude-sonnet-5-5", family="sonnet-5-5", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        context_window=_M, max_output_tokens=_K128,  # §7.5 (newer docs)
        cache_min_tokens=512,  # §5.7: third-party October 2026 summary
        prefill=False, system_messages=False,
        thinking_modes=_ADAPTIVE_DISABLED, thinking_always_on=False, thinking_default="on",
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,
        keeps_prior_thinking=True,  # §4.10 "Sonnet 4.6+"
        max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,  # §6.6/§6.7 "4.7+"
        batch_300k_output=True,  # §7.5 names no 5.5-era model (policy 1)
        sources=_S_55ERA,
        confidence=(
            "medium: cache minimum from a third-party summary (§5.7); thinking modes/default undocumented "
            "(permissive); " + _C_55ERA
        ),
    ),
    ModelProfile(
        id="claude-fable-5-1", family="fable-5-1", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        context_window=_M, max_output_tokens=_K128,  # §7.5 (newer docs)
        cache_min_tokens=512,  # §5.7: third-party October 2026 summary
        prefill=False, system_messages=False,
        # §4.7 row "Opus 5.5, Fable 5.1": adaptive only, always on; §4.9: rejects forced tool_choice.
        thinking_modes=_ADAPTIVE, thinking_always_on=True, thinking_default="on",
        effort_levels=_EFFORT_ALL, forced_tool_choice=False,
        keeps_prior_thinking=True, max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,
        batch_300k_output=True,  # §7.5 names no 5.5-era model (policy 1)
        sources=(*_S_55ERA, "api-rules §4.9", "api-rules §4.11"),
        confidence=(
            "medium: cache minimum from a third-party summary (§5.7); thinking blocks are bound to the model "
            "and conversation (§4.11); " + _C_55ERA
        ),
    ),
    ModelProfile(
        id="claude-opus-5-5", family="opus-5-5", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        context_window=_M, max_output_tokens=_K128,  # §7.5 (newer docs)
        cache_min_tokens=512,  # §5.7: third-party October 2026 summary
        prefill=False, system_messages=False,
        # §4.7 row "Opus 5.5, Fable 5.1"; §4.9 / §9.11: forced tool_choice rejected.
        thinking_modes=_ADAPTIVE, thinking_always_on=True, thinking_default="on",
        effort_levels=_EFFORT_ALL, forced_tool_choice=False,
        keeps_prior_thinking=True,  # §4.10 "Opus 4.5+"
        max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,
        batch_300k_output=True,  # §7.5 names no 5.5-era model (policy 1)
        sources=(*_S_55ERA, "api-rules §4.9", "api-rules §4.11", "api-rules §4.12"),
        confidence=(
            "medium: cache minimum from a third-party summary (§5.7); thinking blocks are bound to the "
            "model and conversation (§4.11); text between tool calls arrives in thinking blocks (§4.12); "
            + _C_55ERA
        ),
    ),
    ModelProfile(
        id="claude-mythos-5-1", family="mythos-5-1", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        # Not in §7.5 (§9.13): window/output copied from Mythos 5. §5.7: 512 from a third-party summary.
        context_window=_M, max_output_tokens=_K128, cache_min_tokens=512,
        prefill=False, system_messages=False,
        thinking_modes=_ADAPTIVE_DISABLED, thinking_always_on=False, thinking_default="on",
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,
        keeps_prior_thinking=True, max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,
        batch_300k_output=True,  # §7.5 names no 5.5-era model (policy 1)
        sources=(*_S_55ERA, "api-rules §9.13"),
        confidence=(
            "low: SDK-only model, undocumented (§9.13); window/output copied from Mythos 5; cache minimum "
            "from a third-party summary; thinking modes permissive although Mythos 5 is adaptive-only; "
            + _C_55ERA
        ),
    ),
    # ---- 5.0 generation (docs 2026-08; api-rules §1.2, §1.7, §4.7, §5.7, §6.6, §6.7, §7.5) ----
    ModelProfile(
        id="claude-sonnet-5", family="sonnet-5", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        context_window=_M, max_output_tokens=_K128, cache_min_tokens=1024,  # §7.5, §5.7
        prefill=False,  # §1.7
        system_messages=False,  # §1.2: "use the top-level system field instead"
        thinking_modes=_ADAPTIVE_DISABLED, thinking_always_on=False, thinking_default="on",  # §4.7
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,  # effort docs; §4.9
        keeps_prior_thinking=True,  # §4.10 "Sonnet 4.6+"
        max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,
        batch_300k_output=True,  # §7.5
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.6", "api-rules §6.7", "api-rules §7.5", "docs: effort"),
        confidence="high",
    ),
    ModelProfile(
        id="claude-fable-5", family="fable-5", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        context_window=_M, max_output_tokens=_K128, cache_min_tokens=512,  # §7.5, §5.7
        prefill=False, system_messages=True,  # §1.7; §1.2 (also on Bedrock InvokeModel)
        thinking_modes=_ADAPTIVE, thinking_always_on=True, thinking_default="on",  # §4.7
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,
        keeps_prior_thinking=True,  # §4.10 "Fable 5"
        max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.6", "api-rules §6.7", "api-rules §7.5", "docs: effort"),
        confidence="high",
    ),
    ModelProfile(
        id="claude-mythos-5", family="mythos-5", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        context_window=_M, max_output_tokens=_K128, cache_min_tokens=512,  # §7.5, §5.7
        prefill=False, system_messages=True,  # §1.7; §1.2 (not on Bedrock InvokeModel)
        thinking_modes=_ADAPTIVE, thinking_always_on=True, thinking_default="on",  # §4.7
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,
        keeps_prior_thinking=True,  # §4.10 "Mythos 5"
        max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.6", "api-rules §6.7", "api-rules §7.5", "docs: effort"),
        confidence="high: role:'system' messages not accepted on Bedrock InvokeModel (§1.2)",
    ),
    ModelProfile(
        id="claude-opus-5", family="opus-5", known=True,
        disabled_thinking_max_effort="high",  # §4.7, §9.11
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        context_window=_M, max_output_tokens=_K128, cache_min_tokens=512,  # §7.5, §5.7
        prefill=False, system_messages=True,  # §1.7; §1.2 (not on Bedrock InvokeModel)
        # §4.7 / §9.11: adaptive, default on; `disabled` only with effort <= high.
        thinking_modes=_ADAPTIVE_DISABLED, thinking_always_on=False, thinking_default="on",
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,
        keeps_prior_thinking=True,  # §4.10 "Opus 4.5+"
        max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,
        batch_300k_output=True,  # §7.5
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.6", "api-rules §6.7", "api-rules §7.5", "api-rules §9.11", "docs: effort"),
        confidence=(
            "high: thinking 'disabled' is rejected together with effort xhigh/max (§4.7, §9.11); "
            "role:'system' messages not accepted on Bedrock InvokeModel (§1.2)"
        ),
    ),
    # ---- 4.7 / 4.8 and Mythos Preview (api-rules §1.2, §1.7, §4.7, §4.9, §5.7, §6.6, §6.7, §7.5) ----
    ModelProfile(
        id="claude-opus-4-8", family="opus-4-8", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        context_window=_M, max_output_tokens=_K128, cache_min_tokens=1024,  # §7.5, §5.7
        prefill=False, system_messages=True,  # §1.7; §1.2 (also on Bedrock InvokeModel)
        thinking_modes=_ADAPTIVE_DISABLED, thinking_always_on=False, thinking_default="off",  # §4.7
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,
        keeps_prior_thinking=True,  # §4.10 "Opus 4.5+"
        max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,
        batch_300k_output=True,  # §7.5
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.6", "api-rules §6.7", "api-rules §7.5", "docs: effort"),
        confidence="high",
    ),
    ModelProfile(
        id="claude-opus-4-7", family="opus-4-7", known=True,
        bedrock_current_version=True,  # §8.4: Claude 4.7 and later
        context_window=_M, max_output_tokens=_K128,  # §7.5
        cache_min_tokens=4096,  # §5.7 official 2048; third parties and Bedrock say 4096 (§9.5): the larger
        prefill=False, system_messages=False,  # §1.7; §1.2
        thinking_modes=_ADAPTIVE_DISABLED, thinking_always_on=False, thinking_default="off",  # §4.7
        effort_levels=_EFFORT_ALL, forced_tool_choice=True,
        keeps_prior_thinking=True,  # §4.10 "Opus 4.5+"
        max_images=600, max_pdf_pages=600, image_tier="high", new_tokenizer=True,  # §6.7 / §6.6 "4.7+"
        batch_300k_output=True,  # §7.5
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.6", "api-rules §6.7", "api-rules §7.5", "api-rules §9.5", "docs: effort"),
        confidence="medium: cache minimum 2048 official, 4096 per third parties and on Bedrock (§9.5); 4096 used",
    ),
    ModelProfile(
        id="claude-mythos-preview", family="mythos-preview", known=True,
        enabled_thinking_deprecated=True,  # §4.7, §9.11; the SDK warns too
        bedrock_current_version=False,  # §8.4 "Claude 4.7+" leaves it out, as §6.6 and §9.11 do
        context_window=_M, max_output_tokens=_K128,  # §7.5
        cache_min_tokens=4096,  # §5.7 official 2048; clawdemy says 4096 (§9.5): the larger
        prefill=False, system_messages=False,  # §1.7; §1.2
        thinking_modes=_ADAPTIVE_ENABLED, thinking_always_on=True, thinking_default="on",  # §4.7
        effort_levels=_EFFORT_NO_XHIGH,  # effort docs: max yes, xhigh no
        forced_tool_choice=False,  # §4.9
        keeps_prior_thinking=True,  # §4.10
        max_images=600, max_pdf_pages=600,
        image_tier="high",  # §6.7 says "4.7 and later"; Mythos Preview assumed high (larger estimate)
        new_tokenizer=True,  # §6.6
        deprecated="2026-06-30",  # §7.6, SDK DEPRECATED_MODELS
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.9", "api-rules §4.10",
                 "api-rules §5.7", "api-rules §6.6", "api-rules §6.7", "api-rules §7.5", "api-rules §7.6",
                 "api-rules §9.5", "docs: effort"),
        confidence=(
            "medium: cache minimum 2048 official, 4096 per a third party (§9.5), 4096 used; image tier not stated "
            "(§6.7 says 4.7 and later), high assumed; the SDK warns on thinking 'enabled' (§4.7)"
        ),
    ),
    # ---- 4.6 (api-rules §1.7, §4.7, §5.7, §6.7, §7.5) ----
    ModelProfile(
        id="claude-opus-4-6", family="opus-4-6", known=True,
        enabled_thinking_deprecated=True,  # §4.7, §9.11
        thinking_display="summarized",  # §4.8
        context_window=_M, max_output_tokens=_K128, cache_min_tokens=4096,  # §7.5, §5.7
        prefill=False, system_messages=False,  # §1.7; §1.2
        # §4.7: adaptive and (deprecated) enabled, default off, nothing rejected.
        thinking_modes=_ALL_THINKING, thinking_always_on=False, thinking_default="off",
        effort_levels=_EFFORT_NO_XHIGH, forced_tool_choice=True,  # effort docs: max yes, xhigh no
        keeps_prior_thinking=True,  # §4.10 "Opus 4.5+"
        max_images=600, max_pdf_pages=600, image_tier="standard", new_tokenizer=False,  # §6.7, §6.6
        batch_300k_output=True,  # §7.5
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.6", "api-rules §6.7", "api-rules §7.5", "docs: effort"),
        confidence="high: thinking 'enabled' is deprecated and the SDK warns on it (§4.7)",
    ),
    ModelProfile(
        id="claude-sonnet-4-6", family="sonnet-4-6", known=True,
        enabled_thinking_deprecated=True,  # §4.7, §9.11
        thinking_display="summarized",  # §4.8
        context_window=_M, max_output_tokens=_K128,  # §7.5
        cache_min_tokens=2048,  # §5.7 official 1024; orq.ai and sdk-python#1194 report 2048 (§9.5): the larger
        prefill=False, system_messages=False,  # §1.7; §1.2
        thinking_modes=_ALL_THINKING, thinking_always_on=False, thinking_default="off",  # §4.7
        effort_levels=_EFFORT_NO_XHIGH, forced_tool_choice=True,  # effort docs: max yes, xhigh no
        keeps_prior_thinking=True,  # §4.10 "Sonnet 4.6+"
        max_images=600, max_pdf_pages=600, image_tier="standard", new_tokenizer=False,
        batch_300k_output=True,  # §7.5
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.6", "api-rules §6.7", "api-rules §7.5", "api-rules §9.5", "docs: effort"),
        confidence="medium: cache minimum 1024 official, about 2048 observed (§9.5), 2048 used; 'enabled' deprecated",
    ),
    # ---- 4.5 generation, 200k window (api-rules §1.7, §4.7, §4.10, §5.7, §7.2, §7.3, §7.5) ----
    ModelProfile(
        id="claude-haiku-4-5", family="haiku-4-5", known=True,
        thinking_display="summarized",  # §4.8
        context_window=200_000, max_output_tokens=64_000, cache_min_tokens=4096,  # §7.5, §5.7
        prefill=True, system_messages=False,  # §1.7 "still allowed"; §1.2
        thinking_modes=_ENABLED_DISABLED, thinking_always_on=False, thinking_default="off",  # §4.7
        effort_levels=_EFFORT_NONE,  # effort docs: not supported
        forced_tool_choice=True,
        keeps_prior_thinking=False,  # §4.10 "all Haiku through 4.5": last turn only
        max_images=100, max_pdf_pages=100,  # §7.2, §7.3
        image_tier="standard", new_tokenizer=False,
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.7", "api-rules §7.2", "api-rules §7.3", "api-rules §7.5", "docs: effort"),
        confidence="high",
    ),
    ModelProfile(
        id="claude-opus-4-5", family="opus-4-5", known=True,
        thinking_display="summarized",  # §4.8
        context_window=200_000, max_output_tokens=64_000, cache_min_tokens=4096,  # §7.5, §5.7
        prefill=True, system_messages=False,  # §1.7; §1.2
        thinking_modes=_ENABLED_DISABLED, thinking_always_on=False, thinking_default="off",  # §4.7
        effort_levels=_EFFORT_BASIC,  # effort docs: low/medium/high only
        forced_tool_choice=True,
        keeps_prior_thinking=True,  # §4.10 "Opus 4.5+"
        max_images=100, max_pdf_pages=100, image_tier="standard", new_tokenizer=False,
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.7", "api-rules §7.2", "api-rules §7.3", "api-rules §7.5", "docs: effort"),
        confidence="high",
    ),
    ModelProfile(
        id="claude-sonnet-4-5", family="sonnet-4-5", known=True,
        thinking_display="summarized",  # §4.8
        context_window=200_000, max_output_tokens=64_000, cache_min_tokens=1024,  # §7.5, §5.7
        prefill=True, system_messages=False,  # §1.7; §1.2
        thinking_modes=_ENABLED_DISABLED, thinking_always_on=False, thinking_default="off",  # §4.7
        effort_levels=_EFFORT_NONE,  # effort docs: not supported
        forced_tool_choice=True,
        keeps_prior_thinking=False,  # §4.10: keep-all is "Sonnet 4.6+"
        max_images=100, max_pdf_pages=100, image_tier="standard", new_tokenizer=False,
        deprecated="2026-11-30",  # §7.6, SDK DEPRECATED_MODELS
        sources=("api-rules §1.2", "api-rules §1.7", "api-rules §4.7", "api-rules §4.10", "api-rules §5.7",
                 "api-rules §6.7", "api-rules §7.2", "api-rules §7.3", "api-rules §7.5", "api-rules §7.6",
                 "docs: effort"),
        confidence="high",
    ),
)
# fmt: on

# Dated snapshot aliases the SDK names (§7.6): same facts, their own id.
_ALIASES: Final = {
    "claude-haiku-4-5-20251001": "claude-haiku-4-5",
    "claude-opus-4-5-20251101": "claude-opus-4-5",
    "claude-sonnet-4-5-20250929": "claude-sonnet-4-5",
}


def _build_table() -> dict[str, ModelProfile]:
    table = {p.id: p for p in _FAMILIES}
    for alias, base in _ALIASES.items():
        table[alias] = attrs.evolve(table[base], id=alias)
    return table


_TABLE: Final = _build_table()

# The order of `anthropic.types.model.Model` (api-rules §7.6).
KNOWN_MODELS: Final[tuple[str, ...]] = (
    "claude-fable-5-2",
    "claude-mythos-5-2",
    "claude-haiku-5-5",
    "claude-sonnet-5-5",
    "claude-fable-5-1",
    "claude-opus-5-5",
    "claude-mythos-5-1",
    "claude-sonnet-5",
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-5",
    "claude-opus-4-8",
    "claude-opus-4-7",
    "claude-mythos-preview",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-haiku-4-5",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-5",
    "claude-opus-4-5-20251101",
    "claude-sonnet-4-5",
    "claude-sonnet-4-5-20250929",
)
assert set(KNOWN_MODELS) == set(_TABLE), "KNOWN_MODELS and the table disagree"

#: The profile of an unknown model: only rules common to every model. Every rejection-relevant
#: field takes the most permissive known value (prefill, system messages, all thinking modes and
#: effort levels, forced tool_choice, the largest limits), every estimate-relevant field the value
#: giving the larger estimate (new tokenizer, high image tier, prior thinking kept), and the cache
#: minimum is the largest known: a breakpoint on a prefix under the model's real minimum silently
#: writes nothing (§5.7), so convo places none that may fall short, and predicts no read of one.
#: ``known=False``: the validator only warns.
DEFAULT_PROFILE: Final = ModelProfile(
    id="",
    family="unknown",
    known=False,
    context_window=_M,
    max_output_tokens=_K128,
    cache_min_tokens=max(p.cache_min_tokens for p in _FAMILIES),
    prefill=True,
    system_messages=True,
    thinking_modes=_ALL_THINKING,
    thinking_always_on=False,
    thinking_default="on",
    effort_levels=_EFFORT_ALL,
    forced_tool_choice=True,
    keeps_prior_thinking=True,
    max_images=600,
    max_pdf_pages=600,
    image_tier="high",
    new_tokenizer=True,
    batch_300k_output=True,
    sources=(
        "api-rules §1.7",
        "api-rules §5.7",
        "api-rules §6.6",
        "api-rules §6.7",
        "api-rules §7.5",
        "api-rules §9.7",
    ),
    confidence="low: unknown model; permissive limits, larger estimates; refresh with refresh_profile()",
)

# Platform and snapshot decorations around a base id.
_BEDROCK_RE: Final = re.compile(r"^(?:[a-z][a-z0-9-]*\.)?anthropic\.(?P<rest>.+)$")
_BEDROCK_VERSION_RE: Final = re.compile(r"-v\d+(?::\d+)?$")
_VERTEX_DATE_RE: Final = re.compile(r"@(?P<date>\d{8})$")
_SNAPSHOT_RE: Final = re.compile(r"-\d{8}$")


def platform_id(model: str) -> str:
    """``model`` with the decorations Bedrock and Vertex put around an id taken off (exactly as
    those platforms spell them): an ARN's or a Vertex resource path's last segment, a Bedrock
    prefix and version, a Vertex ``@`` version (a date becomes the dated snapshot id)."""
    name = model
    if name.startswith("arn:") or "publishers/anthropic/models/" in name:
        name = name.rsplit("/", 1)[-1]  # Bedrock ARNs, Vertex resource paths
    if "@" in name:
        name = _VERTEX_DATE_RE.sub(r"-\g<date>", name).split("@", 1)[0]  # claude-sonnet-4-5@20250929
    bedrock = _BEDROCK_RE.match(name)  # anthropic.…, us.anthropic.…, global.anthropic.…
    if bedrock:
        name = _BEDROCK_VERSION_RE.sub("", bedrock.group("rest"))  # …-v1:0
    return name


@functools.lru_cache(maxsize=1024)
def platform_spelled(model: str) -> bool:
    """Whether ``model`` is spelled as Bedrock or Google Cloud spell ids, so that their limits
    apply (§7.2); kept per id, as every image of a request asks."""
    return platform_id(model) != model


def bedrock_spelled(model: str) -> bool:
    """``model`` is spelled as Bedrock spells ids: an ARN, or ``anthropic.…`` with or without
    an inference-profile prefix (``us.``, ``global.``)."""
    return model.startswith("arn:") or _BEDROCK_RE.match(model) is not None


def vertex_spelled(model: str) -> bool:
    """``model`` is spelled as only Google Cloud spells ids: with an ``@`` version, or as a
    resource path."""
    return "@" in model or "publishers/anthropic/models/" in model


def _tidied(model: str) -> str:
    """``model`` as people miswrite ids the API does not take: spaces, capitals, a router's
    ``provider/`` prefix, a ``-latest`` suffix."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    return name.removesuffix("-latest")


_REGISTERED: Final[dict[str, ModelProfile]] = {}
"""Profiles given to :func:`register_profile`, by id: they come before the table's."""


def _base_key(name: str, table: Mapping[str, ModelProfile]) -> str | None:
    """The key of ``table`` that ``name`` names: itself, or as a dated snapshot (known or future
    dates)."""
    if name in table:
        return name
    name = _SNAPSHOT_RE.sub("", name)
    return name if name in table else None


def _base(name: str) -> ModelProfile | None:
    """The registered profile or table entry ``name`` names (see :func:`_base_key`)."""
    for table in (_REGISTERED, _TABLE):
        key = _base_key(name, table)
        if key is not None:
            return table[key]
    return None


def registered(model: str) -> bool:
    """Whether ``model``, as written or in a platform's or snapshot's spelling, names a profile
    given to :func:`register_profile`: its window and limits are known, even if not its rules."""
    return any(_base_key(platform_id(name), _REGISTERED) for name in (model, _tidied(model)))


#: The one snapshot date of each model the SDK names a dated id for (§7.6: the 4.5 models).
_SNAPSHOT_DATES: Final = {base: alias.rsplit("-", 1)[1] for alias, base in _ALIASES.items()}


def _wrong_date(name: str) -> tuple[str, str] | None:
    """The snapshot date of ``name`` (an id without platform decorations) and the right one,
    when its model has a known snapshot of another date (``claude-haiku-4-5-20250929``);
    else None."""
    base, _, date = name.rpartition("-")
    right = _SNAPSHOT_DATES.get(base)
    if right is None or date == right or not _SNAPSHOT_RE.search(name):
        return None
    return date, right


def exact_id(model: str) -> bool:
    """Whether ``model`` names a table entry the way the API, Bedrock or Vertex spell it.

    :func:`profile` also resolves ids miswritten as people do (``" Claude-Opus-4-8"``,
    ``"anthropic/claude-opus-4-8"``, ``"claude-opus-4-8-latest"``, a 4.5 model with a date
    it has no snapshot of), so that the model's rules still apply; the API refuses those ids
    (``404``), and the validator warns about them.
    """
    if model in _TABLE or model in _REGISTERED:  # the common case
        return True
    name = platform_id(model)
    return _base(name) is not None and _wrong_date(name) is None


def suggested_id(model: str) -> str | None:
    """The id a miswritten ``model`` stands for, spelled as the API takes it, or None (see
    :func:`exact_id`)."""
    tidied = _tidied(model)
    wrong = _wrong_date(platform_id(tidied))
    if wrong is not None:
        tidied = tidied.replace(*wrong)
    return tidied if exact_id(tidied) else None


#: Models the SDK lists as deprecated (``DEPRECATED_MODELS``) that the table has no entry for:
#: retired before API version 2026-10-21 or soon after.  They get the default profile, with
#: their end-of-life date, so a request to one is warned about (``model-deprecated``).
RETIRED: Final[Mapping[str, str]] = {
    "claude-1.3": "2024-11-06",
    "claude-1.3-100k": "2024-11-06",
    "claude-instant-1.1": "2024-11-06",
    "claude-instant-1.1-100k": "2024-11-06",
    "claude-instant-1.2": "2024-11-06",
    "claude-2.0": "2025-07-21",
    "claude-2.1": "2025-07-21",
    "claude-3-sonnet-20240229": "2025-07-21",
    "claude-3-opus-20240229": "2026-01-05",
    "claude-3-7-sonnet-latest": "2026-02-19",
    "claude-3-7-sonnet-20250219": "2026-02-19",
    "claude-3-5-haiku-latest": "2026-02-19",
    "claude-3-5-haiku-20241022": "2026-02-19",
    "claude-opus-4-0": "2026-06-15",
    "claude-opus-4-20250514": "2026-06-15",
    "claude-sonnet-4-0": "2026-06-15",
    "claude-sonnet-4-20250514": "2026-06-15",
}


BEDROCK_NO_SYSTEM_MESSAGES: Final = frozenset({"mythos-5", "opus-5"})
"""Families that take ``role: "system"`` messages on the Claude API but not on Bedrock
InvokeModel (§1.2: there only Fable 5 and Opus 4.8 do)."""


@functools.lru_cache(maxsize=1024)
def _resolve(model: str) -> ModelProfile:
    exact = _REGISTERED.get(model) or _TABLE.get(model)
    if exact is not None:
        return exact
    name, tidied = platform_id(model), platform_id(_tidied(model))
    base = _base(name) or _base(tidied)
    if base is None:
        retired = RETIRED.get(name) or RETIRED.get(tidied)
        return attrs.evolve(DEFAULT_PROFILE, id=model, deprecated=retired)
    found = attrs.evolve(base, id=model)
    if found.family in BEDROCK_NO_SYSTEM_MESSAGES and _BEDROCK_RE.match(_tidied(model)):
        return attrs.evolve(found, system_messages=False)  # a Bedrock id: the request goes there
    return found


def model_given(model: object) -> None:
    """Refuse a ``model=`` argument that is not a model id (a string) or None."""
    if model is not None and not isinstance(model, str):
        raise InvalidArgument(f"model must be a model id (a string) or None, not {type(model).__name__}")


def profile(model: str | None) -> ModelProfile:
    """The profile for ``model``; never raises.

    Exact SDK ids come straight from the table. Dated snapshots (``claude-opus-4-8-20260101``),
    Bedrock ids (``anthropic.claude-...-v1:0``, ``us.``/``eu.``/``global.`` inference profiles,
    ARNs) and Vertex ids (``claude-...@20250929``) resolve to their base entry, keeping the
    given string as ``id``. Anything else, including ``None`` and non-strings, gets
    :data:`DEFAULT_PROFILE` (``known=False``).

    >>> profile("claude-sonnet-4-5@20250929").family
    'sonnet-4-5'
    >>> profile("global.anthropic.claude-opus-4-6-v1").id
    'global.anthropic.claude-opus-4-6-v1'
    >>> profile(None) is DEFAULT_PROFILE
    True
    """
    if not isinstance(model, str) or not model:
        return DEFAULT_PROFILE
    return _resolve(model)


def effort_refusal(found: ModelProfile, effort: str) -> str | None:
    """Why the model of profile ``found`` refuses the effort level ``effort`` (one of
    :data:`EFFORT_LEVELS`), or None: it takes it, or convo does not know the model.

    >>> effort_refusal(profile("claude-opus-4-5"), "max")
    "claude-opus-4-5 does not accept effort 'max' (it accepts: low, medium, high)"
    >>> effort_refusal(profile("claude-opus-4-8"), "max") is None
    True
    """
    if not found.known or effort in found.effort_levels:
        return None
    accepted = ", ".join(level for level in EFFORT_ORDER if level in found.effort_levels)
    return (
        f"{found.id} does not accept effort {effort!r} "
        f"({'it accepts: ' + accepted if accepted else 'it takes no effort setting'})"
    )


def refresh_profile(client: Any, model: str) -> ModelProfile:
    """The profile for ``model``, updated from the Models API through an SDK ``client``.

    Calls ``client.models.retrieve(model)`` (one request), merges what it reports into the
    table entry with :meth:`ModelProfile.from_model_info`, and registers the result
    (:func:`register_profile`): from then on, everything convo does for ``model`` in this
    process reads it.  Offline, use :func:`profile`.

    >>> import convo
    >>> class Models:  # stands in for ``anthropic.Anthropic().models``
    ...     def retrieve(self, model):
    ...         return {"id": model, "max_input_tokens": 500_000, "max_tokens": 64_000}
    >>> class Client:
    ...     models = Models()
    >>> fresh = convo.refresh_profile(Client(), "claude-opus-4-8")
    >>> fresh.context_window, fresh.max_output_tokens, convo.profile("claude-opus-4-8").context_window
    (500000, 64000, 500000)
    >>> convo.register_profile(None, "claude-opus-4-8")  # back to the table's
    >>> convo.profile("claude-opus-4-8").context_window
    1000000
    """
    fresh = ModelProfile.from_model_info(client.models.retrieve(model))
    register_profile(fresh)
    return fresh


def register_profile(found: ModelProfile | None, model: str | None = None) -> None:
    """Make :func:`profile` answer ``found`` for its id (or for ``model``), in this process.

    Every rule, request, cache placement, count and trim reads a model's profile through
    :func:`profile`, so a registered one applies everywhere: a model newer than this release
    (its limits from :meth:`ModelProfile.from_model_info`, or written by hand), or a known one
    whose limits changed.  Dated, Bedrock and Vertex spellings of the id resolve to it, as to a
    table entry, and it counts as an exact id.  ``register_profile(None, model)`` removes the
    profile registered for ``model``, if any.

    A profile keeps its ``known``: one made from the Models API for an id the table does not
    have stays ``known=False``, so the validator still checks only the rules common to all
    models, and says so; its window and limits are what counts and trims read.

    >>> import convo
    >>> info = {"id": "claude-sonnet-6", "max_input_tokens": 2_000_000, "max_tokens": 128_000}
    >>> convo.register_profile(convo.ModelProfile.from_model_info(info))
    >>> convo.profile("claude-sonnet-6-20261201").context_window
    2000000
    >>> convo.register_profile(None, "claude-sonnet-6")
    >>> convo.profile("claude-sonnet-6").context_window
    1000000
    """
    if found is None:
        if not isinstance(model, str):
            raise InvalidArgument(
                f"register_profile(None, model) needs the model id to remove, not {model!r}"
            )
        _REGISTERED.pop(model, None)
    else:
        if not isinstance(found, ModelProfile):
            raise InvalidArgument(f"register_profile() takes a ModelProfile, not {type(found).__name__}")
        key = found.id if model is None else model
        if not isinstance(key, str) or not key:
            raise InvalidArgument(f"a profile is registered for a model id, not {key!r}")
        _REGISTERED[key] = attrs.evolve(found, id=key)
    _resolve.cache_clear()
