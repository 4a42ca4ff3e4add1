"""The fields the API defines for the objects inside a request, and how to name one it does not.

The API refuses a field it does not define, at any depth: ``messages.65.content.1.tool_use.text:
Extra inputs are not permitted``, ``tools.0.custom.defer_loading: ...`` (api-rules §0.2a says it
for the top level; users' reports show it inside blocks, cache markers, tool definitions and
parameter objects too).  A beta field is accepted with its ``anthropic-beta`` header, and convo
does not know which header each one needs, so these are warnings (rules ``block-field-unknown``,
``tool-field-unknown`` and ``parameter-unknown``).

The fields of a known block are its struct's fields (convo/_blocks.py).  The tables here are
the rest, taken from the installed SDK's types, the beta ones included; tests/test_fields.py
holds them to the SDK, so an SDK release that adds a field fails there.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Set
from typing import Final

__all__ = [
    "BATCH_OUTPUT_300K",
    "BETA_BODY_FIELDS",
    "BETA_FOR",
    "BETA_PARAMETER_FIELDS",
    "BETA_TOOL_TYPES",
    "CITATION_FIELDS",
    "CITATION_RESPONSE_FIELDS",
    "CLEAR_AT",
    "HOLDS",
    "INTERLEAVED_THINKING",
    "MARKER_FIELDS",
    "MID_CONVERSATION_CLEAR_AT",
    "MID_CONVERSATION_OUTPUT_CONFIG",
    "MID_CONVERSATION_TOOL_CHANGES",
    "PARAMETER_FIELDS",
    "SERVER_TOOL_NAMES",
    "SERVER_TOOL_USE_NAMES",
    "SOURCE_FIELDS",
    "SYSTEM_MESSAGE_FIELDS",
    "SYSTEM_OUTPUT_CONFIG_FIELDS",
    "THINKING_FIELDS",
    "TOOL_CHOICE_FIELDS",
    "TOOL_FIELDS",
    "did_you_mean",
    "unknown_fields",
]

MARKER_FIELDS: Final = frozenset({"type", "ttl"})
"""A ``cache_control`` marker's fields, wherever it stands."""

SOURCE_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "base64": frozenset({"type", "media_type", "data"}),
    "url": frozenset({"type", "url"}),
    "file": frozenset({"type", "file_id"}),
    "text": frozenset({"type", "media_type", "data"}),
    "content": frozenset({"type", "content"}),
}
"""The fields of an image or document ``source``, by its ``type``."""

_TOOL: Final = frozenset({"type", "name", "cache_control", "allowed_callers", "defer_loading", "strict"})
_EXAMPLES: Final = _TOOL | {"input_examples"}
_SEARCH: Final = _TOOL | {"allowed_domains", "blocked_domains", "max_uses", "user_location"}
_FETCH: Final = _TOOL | {
    "allowed_domains",
    "blocked_domains",
    "citations",
    "max_content_tokens",
    "max_uses",
    "url_sources",
}
_COMPUTER: Final = _EXAMPLES | {"display_height_px", "display_width_px", "display_number"}
_TOOLSET: Final = frozenset({"type", "cache_control", "configs"})

TOOL_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "custom": _EXAMPLES | {"description", "input_schema", "eager_input_streaming"},
    "bash_20241022": _EXAMPLES,
    "bash_20250124": _EXAMPLES,
    "text_editor_20241022": _EXAMPLES,
    "text_editor_20250124": _EXAMPLES,
    "text_editor_20250429": _EXAMPLES,
    "text_editor_20250728": _EXAMPLES | {"max_characters"},
    "memory_20250818": _EXAMPLES,
    "computer_20241022": _COMPUTER,
    "computer_20250124": _COMPUTER,
    "computer_20251124": _COMPUTER | {"enable_zoom"},
    "code_execution_20250522": _TOOL,
    "code_execution_20250825": _TOOL,
    "code_execution_20260120": _TOOL,
    "code_execution_20260521": _TOOL,
    "tool_search_tool_bm25": _TOOL,
    "tool_search_tool_bm25_20251119": _TOOL,
    "tool_search_tool_regex": _TOOL,
    "tool_search_tool_regex_20251119": _TOOL,
    "web_search_20250305": _SEARCH,
    "web_search_20260209": _SEARCH,
    "web_search_20260318": _SEARCH | {"response_inclusion"},
    "web_fetch_20250910": _FETCH,
    "web_fetch_20260209": _FETCH,
    "web_fetch_20260309": _FETCH | {"use_cache"},
    "web_fetch_20260318": _FETCH | {"use_cache", "response_inclusion"},
    "advisor_20260301": _TOOL | {"caching", "max_tokens", "max_uses", "model"},
    "browser_toolset_20260801": _TOOLSET,
    "computer_toolset_20260801": _TOOLSET,
    "mcp_toolset": _TOOLSET | {"default_config", "mcp_server_name", "tools"},
}
"""A tool definition's fields, by its ``type`` (``"custom"`` also when it has none).  A type
this table lacks is not checked: convo cannot tell what it takes."""

SERVER_TOOL_NAMES: Final[Mapping[str, str]] = {
    "advisor_20260301": "advisor",
    "bash_20241022": "bash",
    "bash_20250124": "bash",
    **dict.fromkeys(
        (
            "code_execution_20250522",
            "code_execution_20250825",
            "code_execution_20260120",
            "code_execution_20260521",
        ),
        "code_execution",
    ),
    **dict.fromkeys(("computer_20241022", "computer_20250124", "computer_20251124"), "computer"),
    "memory_20250818": "memory",
    "text_editor_20241022": "str_replace_editor",
    "text_editor_20250124": "str_replace_editor",
    "text_editor_20250429": "str_replace_based_edit_tool",
    "text_editor_20250728": "str_replace_based_edit_tool",
    "tool_search_tool_bm25": "tool_search_tool_bm25",
    "tool_search_tool_bm25_20251119": "tool_search_tool_bm25",
    "tool_search_tool_regex": "tool_search_tool_regex",
    "tool_search_tool_regex_20251119": "tool_search_tool_regex",
    **dict.fromkeys(
        ("web_fetch_20250910", "web_fetch_20260209", "web_fetch_20260309", "web_fetch_20260318"), "web_fetch"
    ),
    **dict.fromkeys(("web_search_20250305", "web_search_20260209", "web_search_20260318"), "web_search"),
}
"""The one ``name`` each server tool type takes."""

SERVER_TOOL_USE_NAMES: Final = frozenset(
    {
        "advisor",  # beta (BetaServerToolUseBlockParam)
        "bash_code_execution",
        "code_execution",
        "text_editor_code_execution",
        "tool_search_tool_bm25",
        "tool_search_tool_regex",
        "web_fetch",
        "web_search",
    }
)
"""The ``name`` a ``server_tool_use`` block takes (the SDK's ``Literal``, §2.2): the server
tool it calls, or one of code execution's own bash and text editor calls."""

BETA_TOOL_TYPES: Final = frozenset(
    {
        "advisor_20260301",
        "bash_20241022",
        "computer_20241022",
        "computer_20250124",
        "computer_20251124",
        "mcp_toolset",
        "text_editor_20241022",
    }
)
"""The tool types of :data:`TOOL_FIELDS` that only the beta Messages API takes."""

THINKING_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "enabled": frozenset({"type", "budget_tokens", "display"}),
    "adaptive": frozenset({"type", "display"}),
    "disabled": frozenset({"type"}),
    "between_tools": frozenset({"type"}),
}
"""``thinking``'s fields, by its ``type``."""

TOOL_CHOICE_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "auto": frozenset({"type", "disable_parallel_tool_use"}),
    "any": frozenset({"type", "disable_parallel_tool_use"}),
    "tool": frozenset({"type", "name", "disable_parallel_tool_use"}),
    "none": frozenset({"type"}),
}
"""``tool_choice``'s fields, by its ``type``."""

PARAMETER_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "metadata": frozenset({"user_id"}),
    "output_config": frozenset({"effort", "format"}),
    "diagnostics": frozenset({"previous_message_id"}),
    "container": frozenset({"id", "skills"}),
    "cache_control": MARKER_FIELDS,
    "output_config.format": frozenset({"type", "schema"}),
    "container.skills": frozenset({"type", "skill_id", "version"}),
}
"""The fields of the other parameter objects, by their dotted path (``container`` may also be a
string; ``container.skills`` is each skill of its list)."""

BETA_PARAMETER_FIELDS: Final[Mapping[str, frozenset[str]]] = {  # by dotted path
    "thinking": frozenset({"block_binding"}),
    "output_config": frozenset({"task_budget"}),
}
"""Fields only the beta Messages API's parameter objects define."""

BETA_BODY_FIELDS: Final = frozenset(
    {
        "betas",
        "billing_policy",
        "compaction",
        "context_management",
        "fallback_credit_token",
        "fallbacks",
        "mcp_servers",
        "thread",
    }
)
"""Top-level fields only the beta Messages API defines."""

# -- the beta names convo knows (the values of a request's ``betas``, its anthropic-beta header) --

INTERLEAVED_THINKING: Final = "interleaved-thinking-2025-05-14"
"""With it, ``thinking.budget_tokens`` may exceed ``max_tokens`` (api-rules §4.6)."""

BATCH_OUTPUT_300K: Final = "output-300k-2026-03-24"
"""With it, the Batch API takes ``max_tokens`` up to 300,000 on the models whose profile has
``batch_300k_output`` (api-rules §7.5)."""

MID_CONVERSATION_TOOL_CHANGES: Final = "mid-conversation-tool-changes-2026-07-01"
"""The ``tool_addition`` and ``tool_removal`` blocks of ``role: "system"`` messages (§1.13)."""

MID_CONVERSATION_OUTPUT_CONFIG: Final = "mid-conversation-output-config-2026-07-01"
"""A ``role: "system"`` message's ``output_config`` (a change of effort, §1.1).  api-rules does
not name it; the SDK's ``AnthropicBetaParam`` lists it, and the docs' per-message effort page
says to send it."""

MID_CONVERSATION_CLEAR_AT: Final = "mid-conversation-system-clear-at-2026-08-21"
"""A ``role: "system"`` message's ``clear_at`` (a turn-scoped system message, §1.1).  api-rules
does not name it; the SDK's ``AnthropicBetaParam`` lists it, and the docs name it for
``clear_at`` (only as excerpts quote them: medium confidence)."""

SERVER_SIDE_FALLBACK: Final = ("server-side-fallback-2026-07-01", "server-side-fallback-2026-06-01")
"""The betas of the API's own refusal fallback, which writes the ``fallback`` blocks a response
holds (the SDK's ``AnthropicBetaParam``; the refusals-and-fallback guide names both)."""

BETA_FOR: Final[Mapping[str, tuple[str, ...]]] = {
    "tool_addition": (MID_CONVERSATION_TOOL_CHANGES,),
    "tool_removal": (MID_CONVERSATION_TOOL_CHANGES,),
    "clear_at": (MID_CONVERSATION_CLEAR_AT,),
    "output_config": (MID_CONVERSATION_OUTPUT_CONFIG,),
    "fallback": SERVER_SIDE_FALLBACK,
}
"""The betas, any one of them, a beta-only block type or system message field needs, by the
block's ``type`` or the field's name, where the sources name them (rule ``beta-content``); the
newest first."""


SYSTEM_MESSAGE_FIELDS: Final = frozenset({"clear_at", "output_config"})
"""What a ``role: "system"`` message may add to ``role`` and ``content`` (the SDK's beta
``BetaSystemMessageParam``, api-rules §1.1)."""

CLEAR_AT: Final = ("never", "next_user_message")
"""The values of a system message's ``clear_at`` (``"never"``, the default, or null)."""

SYSTEM_OUTPUT_CONFIG_FIELDS: Final = frozenset({"effort"})
"""The fields of a system message's ``output_config`` (``BetaSystemMessageOutputConfigParam``):
``format`` stays top-level only."""


_CITED: Final = {"cited_text": ("string",)}
_IN_DOCUMENT: Final = {**_CITED, "document_index": ("integer",), "document_title": ("string", "null")}
_BLOCK_RANGE: Final = {"start_block_index": ("integer",), "end_block_index": ("integer",)}

CITATION_FIELDS: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "char_location": {**_IN_DOCUMENT, "start_char_index": ("integer",), "end_char_index": ("integer",)},
    "page_location": {**_IN_DOCUMENT, "start_page_number": ("integer",), "end_page_number": ("integer",)},
    "content_block_location": {**_IN_DOCUMENT, **_BLOCK_RANGE},
    "web_search_result_location": {
        **_CITED,
        "url": ("string",),
        "title": ("string", "null"),
        "encrypted_index": ("string",),
    },
    "search_result_location": {
        **_CITED,
        "search_result_index": ("integer",),
        "source": ("string",),
        "title": ("string", "null"),
        **_BLOCK_RANGE,
    },
}
"""The citations a response's text carries and a request may send back (the SDK's
``TextCitationParam``, api-rules §2.5), by ``type``: each one's required fields, every field
but ``type``, with the JSON types it takes."""

CITATION_RESPONSE_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "char_location": frozenset({"file_id"}),
    "page_location": frozenset({"file_id"}),
    "content_block_location": frozenset({"file_id"}),
}
"""The fields a response's citation has besides those of :data:`CITATION_FIELDS` (the SDK's
``TextCitation``), by ``type``: optional, and sent back as they came, since the SDK sends a
response's blocks unchanged (api-rules §2.1)."""


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` for the candidate ``word`` is likely a misspelling of, or ``""``.

    Likely: close, starting with the same letter (``extra`` is not ``text``) and holding the same
    digits (``claude-opus-4-1`` is another model, not a typo of ``claude-opus-4-8``).

    >>> did_you_mean("tll", {"type", "ttl"}), did_you_mean("extra", {"text"})
    (" (did you mean 'ttl'?)", '')
    """
    digits = re.sub(r"\D", "", word)
    for close in difflib.get_close_matches(word, sorted(candidates), n=3, cutoff=cutoff):
        if close[:1] == word[:1].lower() and re.sub(r"\D", "", close) == digits:
            return f" (did you mean {close!r}?)"
    return ""


def unknown_fields(
    obj: Mapping[str, object], known: Set[str], what: str, beta: Set[str] = frozenset()
) -> Iterator[tuple[str, str]]:
    """Each key of ``obj`` that ``known`` lacks, with a one-line message naming ``what`` it is in.

    >>> list(unknown_fields({"type": "ephemeral", "tll": "1h"}, MARKER_FIELDS, "cache_control"))
    [('tll', "'tll' is not a field of cache_control (did you mean 'ttl'?)")]
    """
    for key in obj:
        if key in known:
            continue
        if key in beta:
            yield (
                key,
                f"{key!r} is a beta field of {what}: the API takes it only with its anthropic-beta header",
            )
            continue
        hint = did_you_mean(key, known)
        yield key, f"{key!r} is not a field of {what}{hint}"


HOLDS: Final[Mapping[str, tuple[str, ...]]] = {
    "tool_result": ("content",),
    "search_result": ("content",),
    "document": ("source", "content"),
    "web_fetch_tool_result": ("content", "content"),
    "tool_search_tool_result": ("content", "tool_references"),
    "mcp_tool_result": ("content",),  # beta, as the next two
    "compaction": ("tool_changes",),
    "tool_addition": ("tool", "definition"),
}
"""Where a block holds blocks (or, in a tool_addition, a tool definition) that may carry
``cache_control`` of their own, as the SDK's params nest them (§2.2, §5.1): the fields from the
block to a list of them, or to one.  Placement (``_cache``) and the validator (``_rules``) both
walk it."""
