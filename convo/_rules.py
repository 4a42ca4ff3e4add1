"""The rule catalogue and the validator that applies it.

Every rule has a stable kebab-case code, a severity and a fix hint; ``docs/rules.md`` documents
each one with its source in ``reference/api-rules.md`` (a test holds the two together).

The validator is a small state machine fed one message at a time.  Checking a whole conversation
feeds every message (:meth:`Validator.feed_all`, which takes a fast path through plainly paired
turns) and then calls :meth:`Validator.finish`; appending one message to a conversation feeds
just that message to a copy of the conversation's state (:meth:`Validator.feed`, the general
path), so an append costs time proportional to the new message only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias, TypeGuard

import attrs
import msgspec
from msgspec import UNSET

from ._blocks import (
    BLOCK_TYPES,
    AdvisorToolResultBlock,
    BashCodeExecutionToolResultBlock,
    Block,
    BrowserStateBlock,
    CacheControl,
    CodeExecutionToolResultBlock,
    CompactionBlock,
    DocumentBlock,
    FallbackBlock,
    ImageBlock,
    MCPToolListingBlock,
    MCPToolResultBlock,
    MCPToolUseBlock,
    OpaqueBlock,
    RedactedThinkingBlock,
    SearchResultBlock,
    ServerToolResult,
    ServerToolUseBlock,
    TextBlock,
    TextEditorCodeExecutionToolResultBlock,
    ThinkingBlock,
    ToolAdditionBlock,
    ToolReferenceBlock,
    ToolRemovalBlock,
    ToolResultBlock,
    ToolSearchToolResultBlock,
    ToolUseBlock,
    WebFetchToolResultBlock,
    WebSearchToolResultBlock,
)
from ._errors import Path, Problem, Scope, Severity, pointer
from ._fields import (
    BETA_FOR,
    BETA_TOOL_TYPES,
    CITATION_FIELDS,
    CITATION_RESPONSE_FIELDS,
    HOLDS,
    MARKER_FIELDS,
    SERVER_TOOL_NAMES,
    SERVER_TOOL_USE_NAMES,
    SOURCE_FIELDS,
    SYSTEM_MESSAGE_FIELDS,
    TOOL_FIELDS,
    did_you_mean,
    unknown_fields,
)
from ._images import looks_like_pdf, read_pdf, resized_size, sniff_base64, tier_limits
from ._message import ROLES, Message, known_wire
from ._models import EFFORT_LEVELS, ModelProfile, effort_refusal, platform_spelled
from ._schema import (
    COMBINATORS,
    Load,
    input_example_problems,
    json_kind,
    json_kind_name,
    kind_name,
    output_schema_problems,
    schema_shape_problems,
    with_load,
)

__all__ = ["RULES", "Rule", "Validator", "citations_enabled", "problem"]


@attrs.frozen
class Rule:
    """A rule's fixed facts: severity, scope, what it means and how to fix it.

    >>> import convo
    >>> rule = convo.RULES["text-empty"]
    >>> rule.severity, rule.scope, rule.hint
    ('error', 'conversation', 'drop the block or give it text')
    """

    severity: Severity
    summary: str
    hint: str
    scope: Scope = "conversation"


E: Final = "error"
W: Final = "warning"

RULES: Final[Mapping[str, Rule]] = {
    "input-unreadable": Rule(
        E,
        "the input is not a conversation: not UTF-8, not JSON, too deep, or the wrong shape",
        "fix the file",
    ),
    # Shape of the input (api-rules §1, §2.2)
    "messages-invalid": Rule(E, "`messages` is not an array", "send messages as a JSON array"),
    "message-malformed": Rule(
        E,
        "a message is not an object with `role` and `content`, or a system message's clear_at or "
        "output_config has a value the API does not define",
        "give every message role and content, and a system message's beta fields the SDK's values",
    ),
    "role-invalid": Rule(E, "a role other than user, assistant or system", "use 'user' or 'assistant'"),
    "message-field-unknown": Rule(
        W,
        "a message field other than role and content (an API response's id, model or usage, say)",
        "send only role and content",
    ),
    "block-malformed": Rule(
        E, "a known block type with missing or mistyped fields", "compare the block with the API's schema"
    ),
    "block-unknown": Rule(
        W, "a block type this release does not know; kept and re-sent exactly", "upgrade convo if it is new"
    ),
    "block-field-unknown": Rule(
        W,
        "a field a known block, its cache_control or its source does not define (a typo, say)",
        "remove the field, or correct its name",
    ),
    "block-role": Rule(
        E, "a block in a role that cannot carry it", "move the block to a role that accepts it"
    ),
    "system-invalid": Rule(E, "top-level `system` is not a string or text blocks", "use a string or text"),
    # Messages (§1)
    "messages-too-many": Rule(
        E, "more than 100,000 messages in a request", "trim the history", scope="request"
    ),
    "messages-empty": Rule(E, "a request without any message", "add the user's turn"),
    "first-not-user": Rule(W, "the first non-system message is not a user turn", "start with a user turn"),
    "consecutive-roles": Rule(
        W, "two turns of the same role in a row; the API merges them", "combine them into one message"
    ),
    "content-empty": Rule(
        E,
        "a message with empty content that is not the final assistant message",
        "drop the message or give it content",
    ),
    "text-empty": Rule(E, "an empty text block", "drop the block or give it text"),
    "text-whitespace": Rule(E, "a text block with only whitespace", "drop the block or give it text"),
    "assistant-text-whitespace": Rule(
        W,
        "a whitespace-only text block in an assistant turn (recorded traffic shows the API accepting it "
        "where api-rules §1.10 says it rejects it)",
        "drop the block before re-sending",
    ),
    "final-assistant-trailing-whitespace": Rule(
        E, "the final assistant message ends in whitespace", "strip trailing whitespace from it"
    ),
    "prefill-unsupported": Rule(
        E,
        "the conversation ends with an assistant turn, and this model rejects prefill",
        "end with a user turn",
    ),
    "citations-in-user": Rule(
        E, "a text block in a user turn carries citations (rejected since 2026-10-21)", "drop `citations`"
    ),
    # Citations, search results and tool references (§1.13, §2.5)
    "citation-unknown": Rule(
        W,
        "a citation type this release does not know (a typo, or one newer than this release); not checked",
        "send the citations as the response gave them; upgrade convo if the type is new",
    ),
    "citations-mixed": Rule(
        E,
        "citations enabled on some documents (or search results) of the request but not on others",
        "enable citations on all of them or on none",
    ),
    "search-result-citations-required": Rule(
        E,
        "a search_result without citations enabled while a web search tool is declared",
        'set "citations": {"enabled": true} on every search_result',
    ),
    "tool-result-search-mixed": Rule(
        E,
        "a tool_result whose content mixes search_result blocks with other blocks",
        "return only search_result blocks, or none",
    ),
    "tool-reference-unresolved": Rule(
        E,
        "a tool_reference (in a tool_result, or a tool_addition/tool_removal) naming no tool in `tools`",
        "declare the tool in `tools`, or reference one that is declared",
    ),
    # role: "system" messages (§1.2, §1.3)
    "system-message-unsupported": Rule(
        E, 'a `role: "system"` message on a model that does not accept them', "use top-level `system`"
    ),
    "system-message-position": Rule(
        E,
        "a system message where it may not stand (first, not after a user turn, not before an assistant "
        "turn, or between a tool_use and its result)",
        "place it after a user turn and before the assistant turn",
    ),
    # Tool pairing (§2.3, §3)
    "tool-use-unanswered": Rule(
        E,
        "a tool_use without a tool_result in the next user turn",
        "answer every tool_use in the very next user message",
    ),
    "fallback-declined-tool-use": Rule(
        E,
        "a tool_use before its turn's last fallback block: the declined model's call, sent back",
        "leave out every tool_use before the turn's last fallback block (reply(..., declined='drop') does), "
        "and send no tool_result for it",
        scope="request",
    ),
    "tool-result-orphan": Rule(
        E,
        "a tool_result whose tool_use is not in the previous assistant turn",
        "drop the result, or keep the assistant turn that asked for it",
    ),
    "tool-result-not-first": Rule(
        E, "a tool_result after other content in its user turn", "put every tool_result before any text"
    ),
    "tool-result-duplicate": Rule(
        E, "two tool_results for the same tool_use", "send exactly one result per tool_use"
    ),
    "tool-result-toolset-mismatch": Rule(
        E,
        "a tool_result that does not echo the toolset_name of its toolset member's tool_use",
        "copy the tool_use's toolset_name onto its tool_result",
    ),
    "tool-result-toolset-content": Rule(
        E,
        "a computer or browser toolset result holding blocks other than text and images "
        "(and one browser_state in a successful browser result)",
        "return only text and images; put a browser_state only in a browser result that succeeded",
    ),
    "tool-result-error-empty": Rule(
        E,
        "a tool_result with is_error true and no content",
        "say what went wrong in the result's content",
    ),
    "tool-result-extra-content": Rule(
        E,
        "other content beside the tool_results while a server tool of the same turn is still running",
        "send only the tool_result blocks",
    ),
    "tool-use-id-duplicate": Rule(E, "a tool_use id used twice in the request", "give each call a unique id"),
    "tool-use-id-invalid": Rule(
        E, "a tool_use id that does not match ^[a-zA-Z0-9_-]+$", "use letters, digits, '_' and '-' only"
    ),
    "server-tool-use-id-invalid": Rule(
        E, "a server_tool_use id that does not match ^srvtoolu_[a-zA-Z0-9_]+$", "keep the id the API gave"
    ),
    "server-tool-name-unknown": Rule(
        W,
        "a server_tool_use whose name is not a server tool the installed SDK defines (a typo, a "
        "client tool's name, or a newer tool)",
        "call client tools with tool_use; keep the name the API gave",
    ),
    "server-tool-result-orphan": Rule(
        E,
        "a server tool result whose server_tool_use (of its kind) does not come before it",
        "keep the server_tool_use block that produced it",
    ),
    "server-tool-unfinished": Rule(
        E,
        "a server tool call left running by a paused turn, and a user turn after it",
        "send the paused assistant turn back as the last message and append the continuation",
    ),
    "tool-name-invalid": Rule(E, "a tool name that does not match ^[a-zA-Z0-9_-]{1,64}$", "rename the tool"),
    "tool-name-duplicate": Rule(E, "two tools with the same name", "give every tool a unique name"),
    "tool-input-example-invalid": Rule(
        E,
        "an `input_examples` entry of a custom tool that does not validate against its `input_schema`",
        "make the example fit the schema",
    ),
    "tool-schema-invalid": Rule(
        E, "a custom tool without an object `input_schema`", 'give it {"type": "object", ...}'
    ),
    "tool-schema-unsupported": Rule(
        E,
        "a custom tool's input_schema with oneOf, allOf or anyOf at its top level, or a strict tool's"
        " input_schema that structured outputs refuse",
        "describe the object's properties at the top level; move the alternatives into a property;"
        " give each object of a strict tool's schema additionalProperties: false",
    ),
    "tool-invalid": Rule(
        E,
        "a tool definition that is not an object with a name (or a description that is not a string)",
        "check the tool",
    ),
    "tool-config-invalid": Rule(
        E,
        "a web search or fetch tool with both allowed_domains and blocked_domains, or an empty list",
        "give one of the two lists, with at least one domain",
    ),
    "tools-strict-too-many": Rule(
        E, "more than 20 tools with strict: true", "keep strict on the tools whose input must be exact"
    ),
    "tool-type-unknown": Rule(
        W,
        "a tool type the installed SDK does not define (another vendor's format, a typo, a newer tool)",
        "use a documented tool type, or leave type out for a custom tool",
    ),
    "tool-field-unknown": Rule(
        W,
        "a field the tool's type does not define, or its cache_control does not (a typo, say)",
        "remove the field, correct its name, or send the beta header it needs",
    ),
    # Thinking (§4)
    "thinking-not-first": Rule(
        E,
        "an assistant turn holding thinking blocks that does not start with one",
        "drop what comes before the thinking (often a whitespace-only text block the model wrote)",
        scope="request",
    ),
    "thinking-signature-missing": Rule(
        E,
        "a thinking block without its signature (or redacted_thinking without data)",
        "keep blocks as received",
    ),
    # Prompt caching (§2.4, §5)
    "cache-control-invalid": Rule(
        E, "cache_control is not {type: ephemeral, ttl: 5m|1h}", 'use {"type": "ephemeral"}'
    ),
    "cache-control-ineligible": Rule(
        E, "cache_control on a block that cannot carry it (thinking, redacted_thinking)", "mark another block"
    ),
    "cache-control-empty-text": Rule(E, "cache_control on an empty text block", "mark a non-empty block"),
    "cache-control-too-many": Rule(
        E, "more than 4 cache breakpoints (the top-level automatic one counts)", "remove breakpoints"
    ),
    "cache-ttl-order": Rule(
        E, "a 1h breakpoint after a 5m one (order: tools, system, messages)", "put 1h breakpoints first"
    ),
    "cache-control-automatic-ttl": Rule(
        E,
        "a top-level cache_control whose TTL differs from the mark already on the block it lands on",
        "give both the same ttl, or drop one of them",
        scope="request",
    ),
    # Images and documents (§2.2, §7.2, §7.3)
    "image-source-invalid": Rule(
        E, "an image source that is not base64, url or file, or lacks its fields", "fix the image source"
    ),
    "image-media-type-unsupported": Rule(
        E, "an image media type other than jpeg, png, gif, webp", "convert the image"
    ),
    "image-media-type-mismatch": Rule(
        W,
        "the declared media type differs from the image bytes (recorded traffic shows the API accepting it)",
        "declare the type the bytes have",
    ),
    "image-data-invalid": Rule(E, "image data that is not a base64 image", "send the image bytes in base64"),
    "document-data-invalid": Rule(
        E,
        "base64 PDF data the API cannot read: not a PDF, or an encrypted one",
        "send the bytes of an unencrypted PDF file in base64",
    ),
    "image-too-large": Rule(
        E,
        "an image over 10 MB of base64 (5 MB on a Bedrock or Google Cloud model id)",
        "downscale or compress the image",
    ),
    "image-dimensions-too-large": Rule(E, "an image wider or taller than 8000 px", "downscale the image"),
    "image-oversized": Rule(
        E,
        "an image larger than the model keeps, where it is refused rather than downscaled: its block "
        "asks transformations.oversized_image 'error', or it is in a computer or browser tool result",
        "downscale the image, or leave out the transformation and let the API downscale it",
    ),
    "images-too-many": Rule(E, "more images than the model accepts in one request", "drop older images"),
    "many-images-too-large": Rule(
        E, "more than 20 images, and one is larger than 2000x2000 px", "downscale to 2000 px or send fewer"
    ),
    "server-tool-undeclared": Rule(
        E,
        "an assistant turn ends with a server tool still running, and its tool is not declared",
        "send the same tools as the request that started it",
    ),
    "pdf-pages-too-many": Rule(
        E, "more PDF pages than the model accepts in one request", "send fewer or shorter PDFs, or split them"
    ),
    "document-source-invalid": Rule(
        E, "a document source of the wrong kind or media type", "use a PDF, text, content, url or file source"
    ),
    # Request parameters of today's API version (§0.2)
    "sampling-parameter-removed": Rule(
        E,
        "temperature, top_p or top_k, which API version 2026-10-21 rejects even at defaults",
        "remove the parameter",
        scope="request",
    ),
    "request-too-large": Rule(
        E,
        "a request body over 32 MB, which the API refuses with a 413 before reading it",
        "trim the history or send large files through the Files API",
        scope="request",
    ),
    # Request parameters against the model profile (§4.3-§4.9, §5.12, §7.4, §7.5; convo/_params.py)
    "parameter-invalid": Rule(
        E,
        "a request parameter whose value does not fit the SDK's type",
        "compare it with the SDK",
        scope="request",
    ),
    "model-deprecated": Rule(
        W,
        "a model with an announced end of life (the SDK warns about it too)",
        "move to a newer model before that date",
        scope="request",
    ),
    "beta-content": Rule(
        W,
        "a block or tool type only the beta Messages API accepts (compaction, mcp_tool_use, computer_20250124, ...)",
        "give the request the beta it needs (betas=[...]) and send it with client.beta.messages.create",
        scope="request",
    ),
    "model-unknown": Rule(
        W,
        "a model id convo's profile table does not know (a typo, or a model newer than this release), "
        "or a known one miswritten",
        "send the id as the API spells it (see the Models API); refresh_profile(client, model) reads a new one's limits",
        scope="request",
    ),
    "parameter-unknown": Rule(
        W,
        "a body field the installed SDK does not define (a beta or misspelt parameter)",
        "remove it, or send the beta header it needs",
        scope="request",
    ),
    "output-schema-unsupported": Rule(
        E,
        "a structured-output schema structured outputs refuse (an object without additionalProperties false, ...)",
        "set 'additionalProperties': false on every object; or build the schema with the SDK's transform_schema",
        scope="request",
    ),
    "max-tokens-invalid": Rule(E, "max_tokens is not an integer >= 0", "give an integer", scope="request"),
    "max-tokens-too-large": Rule(
        E,
        "max_tokens above the model's output limit",
        "lower max_tokens to the model's limit",
        scope="request",
    ),
    "prewarm-conflict": Rule(
        E,
        "max_tokens 0 (a cache pre-warm) with stream, thinking 'enabled', output_config.format or forced tool_choice",
        "drop the conflicting parameter from the pre-warm request",
        scope="request",
    ),
    "thinking-invalid": Rule(
        E,
        "thinking is malformed (type, budget_tokens or display)",
        "send a documented thinking object",
        scope="request",
    ),
    "thinking-type-unsupported": Rule(
        E,
        "a thinking type the model rejects",
        "use a thinking type the model accepts (see models.md)",
        scope="request",
    ),
    "thinking-type-undocumented": Rule(
        W,
        "thinking type 'between_tools', which the SDK defines but no doc describes",
        "use 'adaptive'",
        scope="request",
    ),
    "thinking-enabled-deprecated": Rule(
        W,
        "thinking type 'enabled' on a model where it is deprecated (Opus 4.6, Sonnet 4.6, Mythos Preview)",
        "use {'type': 'adaptive'} and output_config.effort",
        scope="request",
    ),
    "thinking-budget-too-small": Rule(
        E, "thinking.budget_tokens below 1024", "set budget_tokens to 1024 or more", scope="request"
    ),
    "thinking-budget-exceeds-max-tokens": Rule(
        E,
        "thinking.budget_tokens not below max_tokens (without the interleaved-thinking beta)",
        "raise max_tokens above budget_tokens, or send betas=['interleaved-thinking-2025-05-14']",
        scope="request",
    ),
    "effort-unsupported": Rule(
        E, "an output_config.effort level the model rejects", "use a level the model accepts", scope="request"
    ),
    "tool-choice-invalid": Rule(
        E,
        "tool_choice is malformed, names no defined tool, or forces a choice with no tools",
        "choose auto, any, tool (with a defined name) or none",
        scope="request",
    ),
    "tool-choice-forced-unsupported": Rule(
        E,
        "tool_choice any/tool with thinking 'enabled', or on a model that rejects forced tool use",
        "use tool_choice 'auto'",
        scope="request",
    ),
    "citations-with-output-format": Rule(
        E,
        "citations enabled on a document or search result together with output_config.format",
        "turn citations off, or drop output_config.format",
        scope="request",
    ),
    "stop-sequence-empty": Rule(E, "an empty stop sequence", "drop it", scope="request"),
    "stop-sequence-whitespace": Rule(E, "a stop sequence of only whitespace", "drop it", scope="request"),
    "prefill-with-thinking": Rule(
        E,
        "the request ends with an assistant turn (a prefill) while thinking is on",
        "end with a user turn, or turn thinking off",
        scope="request",
    ),
    "thinking-final-block-missing": Rule(
        E,
        "thinking 'enabled', and the assistant turn being continued holds no thinking block",
        "keep the thinking blocks the response came with",
        scope="request",
    ),
    "thinking-final-while-disabled": Rule(
        E,
        "thinking is off, and the final assistant message holds thinking blocks",
        "enable thinking, or send that message without its thinking blocks",
        scope="request",
    ),
    "thinking-toggled-mid-turn": Rule(
        W,
        "thinking is off, and the tool loop being continued started with thinking",
        "send the request with the thinking mode the turn started with; change it only between turns",
        scope="request",
    ),
    "container-missing": Rule(
        E,
        "the request answers a programmatic tool call (its caller is code execution) without naming its container",
        "pass the response's container id back: request(..., container=reply.container['id'])",
        scope="request",
    ),
}
"""Every rule :func:`convo.check` applies, by code (docs/rules.md documents each one).

A dict has no docstring of its own at run time, so the runnable example of ``convo.RULES`` is
in the ``convo`` package docstring (``convo/__init__.py``); tests/test_docs.py checks that it is there.
"""


def marker_fault(marker: object) -> str:
    """What is wrong with a ``cache_control`` given as ``marker`` (rule cache-control-invalid)."""
    return f"cache_control must be {{'type': 'ephemeral', 'ttl': '5m' | '1h'}}, not {marker!r}"


def problem(code: str, path: Path, message: str) -> Problem:
    """A problem for a catalogued rule, with its severity, scope and hint."""
    rule = RULES[code]
    return Problem(
        code=code,
        severity=rule.severity,
        path=pointer(path),
        message=message,
        hint=rule.hint,
        scope=rule.scope,
    )


Sink: TypeAlias = Callable[[Problem], None]
#: What :meth:`Validator.feed_all` keeps in locals: count, prev_role, seen_turn, awaiting,
#: answered, pending, turn_has_other and last_message.
_TurnState: TypeAlias = tuple[
    int, str | None, bool, dict[str, Path], set[str], dict[str, Path], bool, Message | None
]
Mode: TypeAlias = Literal["conversation", "request"]

TOOL_USE_ID: Final = re.compile(r"[a-zA-Z0-9_-]+")
_VERSION: Final = re.compile(r"_\d{8}$")  # the date suffix of a tool type: code_execution_20260120
CODE_EXECUTION_RUNS: Final = frozenset({"bash_code_execution", "text_editor_code_execution"})
"""Server tool calls a code execution tool (since ``code_execution_20250825``) runs besides its own."""


def tool_family(tool: object) -> str | None:
    """A typed tool's type without its date (``code_execution_20260120`` -> ``code_execution``);
    None for a custom tool."""
    kind = tool.get("type") if isinstance(tool, dict) else None
    return _VERSION.sub("", kind) if isinstance(kind, str) and kind != "custom" else None


SERVER_TOOL_USE_ID: Final = re.compile(r"srvtoolu_[a-zA-Z0-9_]+")
TOOL_NAME: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}")
MAX_STRICT_TOOLS: Final = 20
#: Blocks only the beta request union has (§2.1); the betas they need, where the sources name
#: them, are convo._fields.BETA_FOR (§1.13).
BETA_BLOCKS: Final = frozenset(
    {
        CompactionBlock,
        ToolAdditionBlock,
        ToolRemovalBlock,
        MCPToolUseBlock,
        MCPToolResultBlock,
        AdvisorToolResultBlock,
        MCPToolListingBlock,
        FallbackBlock,
    }
)
THINKING_BLOCKS: Final = (ThinkingBlock, RedactedThinkingBlock)
#: Blocks that cannot carry cache_control: thinking (§2.4), and the beta blocks whose SDK params
#: have no such field (``fallback``, "not rendered into the prompt"; ``mcp_tool_listing``).  The
#: automatic breakpoint passes over them (§5.5), and convo._cache places no mark on them.
UNMARKABLE_BLOCKS: Final = (*THINKING_BLOCKS, FallbackBlock, MCPToolListingBlock)
# browser_toolset_20260801, mcp_toolset: a toolset entry, which has no name
TOOLSET_ENTRY: Final = re.compile(r"[a-z]+_toolset(_\d{8})?")
IMAGE_TYPES: Final = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
MAX_IMAGE_BASE64: Final = 10 * 1024 * 1024
MAX_PLATFORM_IMAGE_BASE64: Final = 5 * 1024 * 1024  # Bedrock and Google Cloud
MAX_IMAGE_SIDE: Final = 8000
MANY_IMAGES: Final = 20
MANY_IMAGES_SIDE: Final = 2000
MAX_MESSAGES: Final = 100_000
MAX_BREAKPOINTS: Final = 4

USER_ONLY: Final = (ImageBlock, DocumentBlock, SearchResultBlock, ToolResultBlock)
# every server tool result (web search, code execution, MCP, advisor, ...): api-rules §2.2
SERVER_RESULTS: Final = frozenset(cls for cls in BLOCK_TYPES.values() if issubclass(cls, ServerToolResult))
SERVER_RESULT_TYPES: Final = frozenset(tag for tag, cls in BLOCK_TYPES.items() if cls in SERVER_RESULTS)
DOCUMENT_CONTENT: Final[dict[str, type[TextBlock] | type[ImageBlock]]] = {
    "text": TextBlock,
    "image": ImageBlock,
}
"""The blocks a ``content`` document source may hold (§2.2)."""
MAX_SHARED_MEDIA: Final = 100
"""Images and PDF pages are counted together where the image limit is this (the API's "Too much
media" message shows it on those models only); a larger limit is checked for each alone."""
LEADING_BLOCKS: Final = frozenset(
    {
        *THINKING_BLOCKS,
        CompactionBlock,
        FallbackBlock,
        MCPToolListingBlock,
        OpaqueBlock,
        *SERVER_RESULTS,
        ServerToolUseBlock,
        MCPToolUseBlock,
    }
)
"""What may open an assistant turn that holds thinking: the thinking itself, or a block the API
puts first and takes back in place (a compaction summary, a model fallback, an MCP tool listing,
a server tool result that finishes an earlier call, §3.8, a server or MCP tool call the server
ran before the model thought), or a block convo cannot tell."""
ASSISTANT_ONLY: Final[tuple[type, ...]] = (
    ThinkingBlock,
    RedactedThinkingBlock,
    ToolUseBlock,
    ServerToolUseBlock,
    MCPToolUseBlock,
    *SERVER_RESULTS,
)
SYSTEM_BLOCKS: Final = (TextBlock, ToolAdditionBlock, ToolRemovalBlock)
NESTED_IN_RESULT: Final = (
    TextBlock,
    ImageBlock,
    DocumentBlock,
    SearchResultBlock,
    ToolReferenceBlock,
    BrowserStateBlock,
)
SYSTEM_ONLY: Final = frozenset({ToolAdditionBlock, ToolRemovalBlock})
RESULT_ONLY: Final = frozenset({ToolReferenceBlock, BrowserStateBlock})
"""Blocks that go only in a ``tool_result``'s content, never directly in a message (§2.1, §3.7)."""
WRONG_ROLE: Final[Mapping[str, frozenset[type]]] = {
    "user": frozenset(ASSISTANT_ONLY) | SYSTEM_ONLY,
    "assistant": frozenset(USER_ONLY) | SYSTEM_ONLY,
    "system": frozenset(),
}


class IdIndex:
    """Tool-use ids of a conversation, shared between versions that extend one another.

    Maps each id to the index of the message that holds it.  A version of ``length`` messages
    sees only ids from messages before ``length``; see :class:`convo.Conversation` for how
    versions that branch get their own copy.
    """

    __slots__ = ("ids",)

    def __init__(self, ids: dict[str, int] | None = None) -> None:
        self.ids: dict[str, int] = {} if ids is None else ids

    def copy_below(self, length: int) -> IdIndex:
        """The ids of the first ``length`` messages only."""
        return IdIndex({k: v for k, v in self.ids.items() if v < length})


@attrs.frozen
class CrossRefs:
    """What later blocks are checked against (§1.13, §2.5): the tools, the first citations settings.

    Immutable, and replaced as a whole when it changes (rarely), so a fork shares it for free.
    """

    tool_names: frozenset[str] | None = None  # names declared in ``tools``; None: no ``tools`` given
    server_callers: frozenset[str] = frozenset()  # server tools a tool's allowed_callers brings
    web_search: bool = False  # a web search tool is declared
    defined_tools: frozenset[str] = frozenset()  # names a tool_addition defined inline so far
    unresolved: tuple[tuple[Path, str], ...] = ()  # tool references made while ``tools`` is unknown
    unseen_servers: tuple[tuple[Path, str], ...] = ()  # ... and server tool calls left running
    first_document: tuple[bool, Path] | None = None  # citations enabled on the first document; where
    first_search_result: tuple[bool, Path] | None = None  # ... on the first search_result
    citations_mixed: frozenset[str] = frozenset()  # block types already reported as mixed


NO_REFS: Final = CrossRefs()


@attrs.define
class Validator:
    """Validation state after some messages; feed it the next one.

    Copy it (:meth:`fork`) before feeding when the state must be kept.
    """

    profile: ModelProfile
    ids: IdIndex
    sink: Sink
    count: int = 0
    prev_role: str | None = None  # role of the last user/assistant message
    last_role: str | None = None  # role of the last message of any kind
    seen_turn: bool = False
    awaiting: dict[str, Path] = attrs.Factory(dict)  # tool_use ids the current user turn must answer
    answered: set[str] = attrs.Factory(set)  # ... of those, answered (or already reported missing)
    pending: dict[str, Path] = attrs.Factory(dict)  # tool_use ids of the current assistant turn
    toolsets: dict[str, str] = attrs.Factory(dict)  # ... of those, toolset members: their toolset_name
    awaiting_toolsets: dict[str, str] = attrs.Factory(dict)  # the same for ``awaiting``
    server_uses: set[str] = attrs.Factory(set)  # server_tool_use ids of the current assistant turn
    # ... of those, without a result yet: the server tool's name (None for MCP) and where
    server_open: dict[str, tuple[str | None, Path]] = attrs.Factory(dict)
    carried: frozenset[str] = frozenset()  # ... of those, the calls a mixed turn deferred to this one
    held_server_open: bool = False  # the user turn answers an assistant turn with a server call running
    # ... those calls, carried to the next assistant turn (replaced, never changed in place)
    deferred: dict[str, tuple[str | None, Path]] = attrs.Factory(dict)
    turn_has_other: bool = False  # the current user turn has had a non-result block
    pairing_unknown: bool = False  # an invalid role since the last assistant turn: see _unknown_turn
    empty_at: Path | None = None  # path of an empty final assistant message
    system_at: Path | None = None  # path of a system message that must be followed by an assistant
    free_section: bool = False  # the system messages since the last turn only change the effort
    section_place: str | None = None  # ... and what is wrong with where they stand, if content joins
    ends_with_server_result: bool = False
    paused_reply: bool = False  # the last message is a response that stopped with pause_turn (reply())
    breakpoints: int = 0
    seen_5m: bool = False
    images: int = 0
    large_images: list[Path] = attrs.Factory(list)
    pdf_pages: int = 0  # pages of the base64 PDFs whose page objects could be counted
    documents: int = 0  # document blocks: on Bedrock and Google Cloud they count as images toward 20
    auto_ttl: str | None = None  # TTL of the request's top-level automatic breakpoint
    # the first block (or tool) of each type only the beta API takes: where, type; in feed order
    beta_at: tuple[tuple[Path, str], ...] = ()
    thinking_late: tuple[Path, ...] = ()  # assistant turns holding thinking that do not start with it
    declined: tuple[tuple[str, Path], ...] = ()  # tool_use calls before their turn's last fallback block
    last_message: Message | None = None
    added: list[str] = attrs.Factory(list)  # tool ids the last fed message added to ``ids``
    refs: CrossRefs = NO_REFS  # declared tools and first citations settings: immutable, shared by forks
    strict_load: Load = (0, 0)  # what the strict tools in ``tools`` hold toward the complexity limits

    def fork(self, sink: Sink, ids: IdIndex) -> Validator:
        """An independent copy that reports to ``sink`` and records tool ids in ``ids``."""
        copy = object.__new__(Validator)
        for name in _FIELDS:
            object.__setattr__(copy, name, getattr(self, name))
        copy.sink = sink
        copy.ids = ids
        copy.awaiting = dict(self.awaiting)
        copy.answered = set(self.answered)
        copy.pending = dict(self.pending)
        copy.toolsets = dict(self.toolsets)
        copy.awaiting_toolsets = dict(self.awaiting_toolsets)
        copy.server_uses = set(self.server_uses)
        copy.server_open = dict(self.server_open)
        copy.large_images = list(self.large_images)
        return copy

    @property
    def many_images(self) -> int:
        """The images §7.2's many-image rule counts: documents too on Bedrock and Google Cloud,
        when the model id is one of theirs."""
        return self.images + (self.documents if self.on_platform else 0)

    @property
    def on_platform(self) -> bool:
        """The model id is spelled as Bedrock or Google Cloud spell ids: their limits apply (§7.2)."""
        return platform_spelled(self.profile.id)

    @property
    def paused(self) -> bool:
        """The conversation ends in a ``pause_turn`` continuation (api-rules §3.10).

        The server loop paused on an un-run server tool call, or right after a server tool
        result, or :meth:`Conversation.reply` was given a response that says it paused (it may
        end in text); the paused assistant turn is sent back unchanged, which is not prefill.
        """
        return self.last_role == "assistant" and self.turn_paused

    @property
    def turn_paused(self) -> bool:
        """The last user or assistant turn is a paused assistant turn (:attr:`paused`), whatever
        system messages follow it (§1.3 lets them follow a server tool result)."""
        # A response that leaves a client tool_use waiting stopped for it, not paused (§3.10).
        return (
            self.prev_role == "assistant"
            and not self.pending
            and (self.paused_reply or self.calls_running or self.ends_with_server_result)
        )

    @property
    def calls_running(self) -> bool:
        """A server tool call of the current assistant turn has no result yet: the turn paused on
        it (§3.10).  A call deferred from a mixed turn before the user's tool_results does not
        count: its result opens the next response (§3.8), so a turn without it did not pause."""
        return any(tool_id not in self.carried for tool_id in self.server_open)

    @property
    def pause_untold(self) -> bool:
        """The conversation is :attr:`paused` only because :meth:`Conversation.reply` was told so
        (``stop_reason: "pause_turn"``): its last turn ends in neither a server tool call nor a
        result, so its bytes alone read as a prefill, and a file must say it (convo/_files.py)."""
        return self.paused and not (self.calls_running or self.ends_with_server_result)

    def told_paused(self) -> None:
        """The last message is a response that stopped with ``pause_turn``, as
        :meth:`Conversation.reply` was told (or a saved file or journal header records): it is
        sent back as it is to continue, not as a prefill (§3.10), even where it ends in text."""
        self.paused_reply = self.last_role == "assistant"

    def require_answers(self) -> None:
        """The current user turn is complete: report every tool_use it leaves unanswered."""
        self._report_unanswered()

    @property
    def declined_ids(self) -> frozenset[str]:
        """The ids of the tool_use calls a declined model made before a server-side fallback
        (see :meth:`_fallback`): no tool_result may answer them, none is missing."""
        return frozenset(tool_id for tool_id, _ in self.declined)

    def report(self, code: str, path: Path, message: str) -> None:
        self.sink(problem(code, path, message))

    # -- top level -------------------------------------------------------------------------------

    def feed_tools(self, tools: list[object]) -> None:
        """Check tool definitions: first, before anything else is fed (they come first in the
        cache prefix, and what later blocks are checked against starts from them)."""
        names: dict[str, int] = {}
        web_search = False
        callers: set[str] = set()
        strict = 0
        load: Load = (0, 0)
        for i, tool in enumerate(tools):
            path: Path = ("tools", i)
            name = self._tool(tool, path)
            if name is None:
                if _toolset_entry(tool):  # a toolset entry has no name (§3.7)
                    self._cache_dict(tool.get("cache_control"), path)
                continue
            assert isinstance(tool, dict)  # it has a name
            kind = tool.get("type")
            fixed = SERVER_TOOL_NAMES.get(kind) if isinstance(kind, str) else None
            if fixed == "code_execution" and kind != "code_execution_20250522":
                callers.update(CODE_EXECUTION_RUNS)  # its bash and text editor calls (§2.2)
            if name in names:
                self.report(
                    "tool-name-duplicate",
                    (*path, "name"),
                    f"tool name {name!r} is also used by /tools/{names[name]}",
                )
            else:
                names[name] = i
            if isinstance(kind, str) and kind.startswith("web_search"):
                web_search = True
            if tool.get("strict") is True:
                strict += 1
                if strict == MAX_STRICT_TOOLS + 1:
                    self.report(
                        "tools-strict-too-many",
                        (*path, "strict"),
                        f"at most {MAX_STRICT_TOOLS} tools may be strict, and this one is past that",
                    )
                load, reasons = with_load(load, tool.get("input_schema"))
                for reason in reasons:
                    self.report(
                        "tool-schema-unsupported", (*path, "input_schema"), f"strict tool {name!r}: {reason}"
                    )
            allowed = tool.get("allowed_callers")
            if isinstance(allowed, list):  # programmatic calling brings its server tool (§3.9)
                callers.update(_VERSION.sub("", c) for c in allowed if isinstance(c, str))
            if tool.get("defer_loading") is True and tool.get("cache_control") is not None:
                self.report(
                    "cache-control-ineligible",
                    (*path, "cache_control"),
                    f"tool {name!r} has defer_loading: a deferred tool cannot carry cache_control",
                )
            else:
                self._cache_dict(tool.get("cache_control"), path)
        self.strict_load = load
        self.refs = CrossRefs(
            # no tools (absent or empty) reads as unknown: a conversation cannot tell them apart
            tool_names=frozenset(names) if tools else None,
            web_search=web_search,
            server_callers=frozenset(callers),
        )

    def _tool(self, tool: object, path: Path) -> str | None:
        """Check one tool definition, a ``tools`` entry or one a tool_addition gives inline (the
        same object, §1.13): its name, or None for a toolset entry (it has none) or for a tool
        without one (reported)."""
        if _toolset_entry(tool):
            self._tool_fields(tool, path, None, tool.get("type"))
            return None
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            self.report("tool-invalid", path, "a tool must be an object with a string 'name'")
            return None
        name: str = tool["name"]
        kind = tool.get("type")
        self._tool_fields(tool, path, name, kind)
        fixed = SERVER_TOOL_NAMES.get(kind) if isinstance(kind, str) else None
        if fixed is not None and name != fixed:
            self.report(
                "tool-name-invalid",
                (*path, "name"),
                f"a {kind} tool must be named {fixed!r}, not {name!r}",
            )
        if kind in (None, "custom"):
            if not TOOL_NAME.fullmatch(name):
                self.report("tool-name-invalid", (*path, "name"), f"tool name {name!r} is not allowed")
            if "description" in tool and not isinstance(tool["description"], str):
                self.report(
                    "tool-invalid",
                    (*path, "description"),
                    f"the description of tool {name!r} must be a string, not {kind_name(tool['description'])}",
                )
            schema = tool.get("input_schema")
            if not isinstance(schema, dict) or schema.get("type") != "object":
                self.report(
                    "tool-schema-invalid",
                    (*path, "input_schema"),
                    f"tool {name!r} needs an input_schema of type 'object'",
                )
            else:
                shape = list(schema_shape_problems(schema))
                for where, reason in shape:
                    code = "tool-schema-unsupported" if where[0] in COMBINATORS else "tool-schema-invalid"
                    self.report(code, (*path, "input_schema", *where), f"tool {name!r}: {reason}")
                if tool.get("strict") is True:  # strict tools follow the structured-output rules
                    shown = {where for where, _ in shape}
                    for where, reason in output_schema_problems(schema):
                        if where in shown:
                            continue  # a top-level oneOf, reported above
                        self.report(
                            "tool-schema-unsupported",
                            (*path, "input_schema", *where),
                            f"strict tool {name!r}: {reason}",
                        )
                examples = tool.get("input_examples")
                if isinstance(examples, list):
                    for k, reason in input_example_problems(tool):
                        self.report(
                            "tool-input-example-invalid",
                            (*path, "input_examples", k),
                            f"input example {k} of tool {name!r} does not fit its input_schema: {reason}",
                        )
                elif examples is not None:
                    self.report(
                        "tool-input-example-invalid",
                        (*path, "input_examples"),
                        f"input_examples of tool {name!r} must be an array of objects, not {kind_name(examples)}",
                    )
        if isinstance(kind, str) and kind.startswith(("web_search", "web_fetch")):
            self._domains(tool, path)
        return name

    def _domains(self, tool: dict[str, Any], path: Path) -> None:
        """A web search or fetch tool takes allowed_domains or blocked_domains, not both, and
        neither as an empty list."""
        given = [key for key in ("allowed_domains", "blocked_domains") if tool.get(key) is not None]
        if len(given) == 2:
            self.report(
                "tool-config-invalid",
                (*path, "blocked_domains"),
                "a tool takes allowed_domains or blocked_domains, not both",
            )
        for key in given:
            if tool[key] == []:
                self.report(
                    "tool-config-invalid",
                    (*path, key),
                    f"an empty {key} list is ambiguous: give at least one domain, or leave it out",
                )

    def _tool_fields(self, tool: dict[str, Any], path: Path, name: str | None, kind: object) -> None:
        """Report a tool type the API does not know or takes only in beta, and the fields of a
        tool definition (and of its cache marker) its type lacks."""
        kind = "custom" if kind is None else kind
        known = TOOL_FIELDS.get(kind) if isinstance(kind, str) else None
        if isinstance(kind, str) and kind in BETA_TOOL_TYPES:
            self._beta((*path, "type"), kind)
        elif known is None:
            hint = (
                ": an OpenAI-format tool? give name, description and input_schema, with no type"
                if kind == "function"
                else did_you_mean(str(kind), TOOL_FIELDS)
            )
            self.report(
                "tool-type-unknown", (*path, "type"), f"{kind!r} is not a tool type of the Messages API{hint}"
            )
        if known is not None and not tool.keys() <= known:
            what = f"a {kind} tool" if name is None else f"tool {name!r} (type {kind})"
            for key, message in unknown_fields(tool, known, what):
                self.report("tool-field-unknown", (*path, key), message)
        marker = tool.get("cache_control")
        if isinstance(marker, dict) and not marker.keys() <= MARKER_FIELDS:
            for key, message in unknown_fields(marker, MARKER_FIELDS, "cache_control"):
                self.report("tool-field-unknown", (*path, "cache_control", key), message)

    def _source_fields(self, source: dict[str, Any], path: Path) -> None:
        """Report the fields of the ``source`` of the image or document at ``path`` its type lacks."""
        kind = source.get("type")
        known = SOURCE_FIELDS.get(kind) if isinstance(kind, str) else None
        if known is not None and not source.keys() <= known:
            for key, message in unknown_fields(source, known, f"a {kind} source"):
                self.report("block-field-unknown", (*path, "source", key), message)

    def feed_system(self, system: str | tuple[Block, ...]) -> None:
        """Check the top-level system prompt."""
        if isinstance(system, str):
            if system and system.isspace():  # "" is left alone: clients send it for "no prompt"
                self.report(
                    "text-whitespace", ("system",), "the system prompt must contain non-whitespace text"
                )
            return
        for j, block in enumerate(system):
            if isinstance(block, TextBlock):
                self._block(block, ("system",), j, "system")
            elif not isinstance(block, OpaqueBlock):
                self.report(
                    "block-role",
                    ("system", j),
                    f"the top-level system prompt takes text blocks, not {block.type!r}",
                )

    def feed_top_cache(self, cache_control: object) -> None:
        """Count the request's top-level (automatic) cache_control, which uses one slot.

        Its TTL is ordered at the end (:meth:`finish`): the API places it on the last block.
        """
        if cache_control is None:
            return
        marker = self._marker(cache_control, ("cache_control",))
        if marker is not None:
            self.auto_ttl = marker.effective_ttl

    # -- messages --------------------------------------------------------------------------------

    def feed(self, message: Message) -> None:
        """Check one message against the state left by the messages before it."""
        index = self.count
        self.count = index + 1
        self.added = []
        if index == MAX_MESSAGES:
            self.sink(too_many_messages())
        if self.empty_at is not None:
            self.report(
                "content-empty", self.empty_at, "only the final assistant message may have empty content"
            )
            self.empty_at = None
        role = message.role
        if self.system_at is not None:
            if role == "user":  # an invalid role may stand for an assistant turn: not reported
                self.report(
                    "system-message-position",
                    self.system_at,
                    "a system message must be last or be followed by an assistant turn",
                )
            if role != "system":
                self.system_at = None
        if role == "system":
            self._system_message(message, ("messages", index))
        elif role in ROLES:
            self._turn_message(role, message.content, index)
        else:
            self._unknown_turn(role, message.content, index)
        self.last_role = role
        self.last_message = message

    def feed_all(self, messages: Iterable[Message]) -> None:
        """Feed messages in order: the same as :meth:`feed` on each, in less time.

        Most messages of a well-formed conversation take a fast path.  It takes a user or an
        assistant turn that follows a turn of the other role, and whose pairing is plainly
        right: its tool_result blocks come first and answer the assistant turn before it, and
        its tool_use ids are new and well formed.  No server tool, toolset, system message or
        empty turn may be in play.  The pairing is settled first, and nothing is reported for
        it.  Then, only if a block needs it, the blocks are checked by :meth:`_block`, as
        :meth:`feed` checks them.  Every other message is fed by :meth:`feed`.  While messages
        take the fast path, the turn state lives in locals; it is written back before
        :meth:`feed` runs, and at the end.  (tests/test_properties.py holds the two paths equal.)
        """
        ids = self.ids.ids
        valid_id = TOOL_USE_ID.fullmatch
        todo: list[int] = []  # the blocks of this message that need their own checks
        streak = False  # True: the state below is in locals, not yet written back to self
        for message in messages:
            if not streak:
                if not self._plain():
                    self.feed(message)
                    continue
                index, prev_role, seen, awaiting, answered, pending, has_other, last = self._turn_state()
                streak = True
            role, content = message.role, message.content
            # a turn of the other role, with content, after a user turn that left none unanswered
            plain = (
                role != prev_role
                and index != MAX_MESSAGES
                and content  # "" and [] take feed(): empty content is allowed as the final message
                and not (awaiting and len(answered) != len(awaiting))
            )
            if not plain:
                pass
            elif isinstance(content, str):
                if role == "user" and not pending:  # text answers no tool_use
                    awaiting, answered, pending, has_other = pending, set(), {}, True
                elif role == "assistant" and seen:
                    awaiting = {}
                else:
                    plain = False
            elif role == "user":
                got: set[str] = set()
                other = False
                j = -1
                for block in content:
                    j += 1
                    if type(block) is ToolResultBlock:
                        tool_id = block.tool_use_id
                        if other or tool_id not in pending or tool_id in got:
                            plain = False
                            break
                        got.add(tool_id)
                        inner = block.content
                        if (
                            block.cache_control is not None
                            or not (
                                inner is None
                                or (not inner.isspace() if isinstance(inner, str) else _plain_texts(inner))
                            )
                            or (not inner and block.is_error)
                        ):
                            todo.append(j)
                    else:
                        if not other:
                            if len(got) != len(pending):  # results first, all of them
                                plain = False
                                break
                            other = True
                        if type(block) is not TextBlock or _suspect_text(block):
                            todo.append(j)
                if plain:
                    awaiting, answered, pending, has_other = pending, got, {}, other
            elif role == "assistant" and seen:
                j = -1
                for block in content:
                    j += 1
                    if type(block) is ToolUseBlock:
                        tool_id = block.id
                        if (
                            tool_id in ids
                            or block.toolset_name is not None
                            # an ASCII identifier is a valid id, and is quicker told than by the regex
                            or not ((tool_id.isidentifier() and tool_id.isascii()) or valid_id(tool_id))
                        ):
                            plain = False
                            break
                        ids[tool_id] = index
                        pending[tool_id] = ("messages", index, "content", j)
                        if block.cache_control is not None or block.caller is not None:
                            todo.append(j)
                    elif type(block) is TextBlock:
                        text = block.text
                        if block.cache_control is not None or not text or text.isspace() or block.citations:
                            todo.append(j)
                    elif type(block) is ThinkingBlock or type(block) is RedactedThinkingBlock:
                        if j and type(content[0]) not in THINKING_BLOCKS:  # thinking-not-first
                            plain = False
                            break
                        if (
                            isinstance(block, RedactedThinkingBlock)
                            or block.cache_control is not None
                            or not block.signature
                        ):
                            todo.append(j)
                    else:
                        plain = False
                        break
                if plain:
                    awaiting = {}
                else:  # leave ids and pending as feed() expects them
                    for block in content[:j]:
                        if type(block) is ToolUseBlock:
                            del ids[block.id], pending[block.id]
            else:
                plain = False
            if not plain:
                todo.clear()
                self._write_turn_state((index, prev_role, seen, awaiting, answered, pending, has_other, last))
                streak = False
                self.feed(message)
                continue
            if isinstance(content, str):
                if not content or content.isspace():
                    self._text_value(content, ("messages", index, "content"), role)
            elif todo:
                parent: Path = ("messages", index, "content")
                for j in todo:
                    self._block(content[j], parent, j, role)
                todo.clear()
            index += 1
            prev_role, seen, last = role, True, message
        if streak:
            self._write_turn_state((index, prev_role, seen, awaiting, answered, pending, has_other, last))

    def _plain(self) -> bool:
        """No server tool, toolset, system message, empty turn or invalid role is in play (see
        :meth:`feed_all`)."""
        return (
            self.empty_at is None
            and self.system_at is None
            and not self.server_open
            and not self.server_uses
            and not self.toolsets
            and not self.awaiting_toolsets
            and not self.held_server_open
            and not self.deferred
            and not self.carried
            and not self.pairing_unknown
        )

    def _turn_state(self) -> _TurnState:
        return (
            self.count,
            self.prev_role,
            self.seen_turn,
            self.awaiting,
            self.answered,
            self.pending,
            self.turn_has_other,
            self.last_message,
        )

    def _write_turn_state(self, state: _TurnState) -> None:
        index, prev_role, seen, awaiting, answered, pending, has_other, last = state
        if index == self.count or last is None:  # nothing was fed
            return
        self.count = index
        self.prev_role = self.last_role = prev_role
        self.seen_turn = seen
        self.awaiting, self.answered, self.pending = awaiting, answered, pending
        self.turn_has_other = has_other
        content = last.content
        # the ids the last message added: on the fast path, every tool_use id of an assistant turn
        self.added = [b.id for b in content if type(b) is ToolUseBlock] if prev_role == "assistant" else []
        self.last_message = last
        self.ends_with_server_result = self.paused_reply = False

    def _system_message(self, message: Message, path: Path) -> None:
        if self.profile.known and not self.profile.system_messages:
            self.report(
                "system-message-unsupported",
                path,
                f"{self.profile.id} does not accept role 'system' messages",
            )
        fields = _system_fields(message)
        config = fields.get("output_config")
        effort = config.get("effort") if isinstance(config, dict) else None
        self._system_placement(path, effort_only=not message.content and effort is not None)
        for name in fields:  # the beta API's fields (§1.1), each needing its beta
            self._beta((*path, name), name)
        if isinstance(effort, str) and effort in EFFORT_LEVELS and self.profile.system_messages:
            refusal = effort_refusal(self.profile, effort)  # as at the top level (convo/_params.py)
            if refusal is not None:
                self.report("effort-unsupported", (*path, "output_config", "effort"), refusal)
        if not message.content:  # "", [], or none at all
            if effort is None:  # only a change of effort may leave it empty (beta, §1.1)
                self.report(
                    "content-empty",
                    (*path, "content"),
                    "a system message needs content, or an output_config effort",
                )
            return
        if isinstance(message.content, str):
            self._text_value(message.content, (*path, "content"), "system")
            return
        for j, block in enumerate(message.content):
            bpath: Path = (*path, "content", j)
            if isinstance(block, SYSTEM_BLOCKS):
                self._block(block, (*path, "content"), j, "system")
            elif not isinstance(block, OpaqueBlock):
                self.report("block-role", bpath, f"a system message takes text blocks, not {block.type!r}")

    def _system_placement(self, path: Path, *, effort_only: bool) -> None:
        """``system-message-position`` (§1.3) for the system message at ``path``.

        Consecutive system messages are one section, placed as one.  A message that only
        changes the effort (no content, §1.1) may stand anywhere, unless a system message with
        content is next to it: then the section is placed as any other (the docs' per-message
        effort page; api-rules §1.3 does not mention such messages).  Between a tool_use and
        its tool_result no system message may stand: the result goes in the very next message
        (§3.1).
        """
        place = None
        if self.last_role != "system":  # a section starts
            if self.count == 1:
                place = "a system message cannot be the first message"
            elif self.last_role == "assistant" and not self.ends_with_server_result:
                place = "a system message must follow a user turn (or an assistant turn ending in a server tool result)"
            self.free_section, self.section_place = effort_only, place
        elif self.free_section and not effort_only:  # content joins a section of effort changes
            self.free_section = False
            if self.section_place:
                place = f"{self.section_place} (this message is one section with the effort change before it)"
        if self.pending or any(i not in self.answered for i in self.awaiting):
            place = "a system message cannot stand between a tool_use and its tool_result"
        elif self.free_section:
            place = None
        if place:
            self.report("system-message-position", path, place)
        # Once misplaced, it is not reported again for what follows it; a free section needs nothing.
        self.system_at = None if place or self.free_section else path

    def _turn_message(self, role: str, content: str | tuple[Block, ...], index: int) -> None:
        # the API reads it as part of the turn before (§1.6); after an invalid role, it may be
        merged = role == self.prev_role or (self.prev_role is not None and self.prev_role not in ROLES)
        if not self.seen_turn:
            self.seen_turn = True
            if role == "assistant":
                self.report("first-not-user", ("messages", index), "the first turn should be a user turn")
        if role == self.prev_role:
            if not (role == "assistant" and self.turn_paused):  # a paused turn's continuation (§3.10)
                self.report(
                    "consecutive-roles",
                    ("messages", index),
                    f"two {role} turns in a row are merged into one by the API",
                )
        else:
            awaited = self.awaiting
            if awaited and len(self.answered) != len(awaited):  # answered holds only awaited ids
                self._report_unanswered()
            # New turns start with empty sets; an empty one is reused (forks copy them).
            if role == "user":
                pending = self.pending
                self.awaiting = pending
                if self.server_open:
                    self._hold_server_calls(bool(pending))
                self.pending = {}
                if self.toolsets or self.awaiting_toolsets:
                    self.awaiting_toolsets, self.toolsets = self.toolsets, {}
                if self.answered:
                    self.answered = set()
                self.turn_has_other = False
            else:
                self.awaiting = {}
                self.pairing_unknown = False
                held = self.deferred  # calls a mixed turn left running: still running in this one
                if self.server_uses or held:
                    self.server_uses = set(held)
                if self.server_open or held:
                    self.server_open = dict(held)
                if self.carried or held:
                    self.carried = frozenset(held)
                if held:
                    self.deferred = {}
                self.held_server_open = False
            self.prev_role = role
        self.ends_with_server_result = self.paused_reply = False
        parent: Path = ("messages", index, "content")
        if not content and role == "assistant":  # "" or []: allowed as the final message (§1.9)
            self.empty_at = parent
            return
        if isinstance(content, str):
            self._text_value(content, parent, role)
            if role == "user":
                self._user_other(parent)
            return
        if not content:
            self.report("content-empty", parent, "a user message needs content")
            return
        if role == "user":
            toolsets = self.awaiting_toolsets
            for j, block in enumerate(content):
                self._block(block, parent, j, role)
                if type(block) is ToolResultBlock and block.tool_use_id in toolsets:
                    self._toolset_result(block, toolsets[block.tool_use_id], (*parent, j))
                self._user_pairing(block, parent, j)
            return
        for j, block in enumerate(content):
            self._block(block, parent, j, role)
            self._assistant_pairing(block, parent, j)
            if type(block) is ToolUseBlock and block.toolset_name is not None:
                self.toolsets[block.id] = block.toolset_name
        if (
            not merged
            and type(content[0]) not in LEADING_BLOCKS
            and any(type(b) in THINKING_BLOCKS for b in content)
        ):
            self.thinking_late = (*self.thinking_late, (*parent, 0))  # reported in request mode
        self.ends_with_server_result = type(content[-1]) in SERVER_RESULTS
        if self.server_open:
            self._undeclared_server_tools(("messages", index))

    def _unknown_turn(self, role: str, content: str | tuple[Block, ...], index: int) -> None:
        """A message whose role is invalid (reported as role-invalid when it was read).

        What it was meant to be is unknown, so nothing that depends on it is reported: the turn
        before it ends with no tool_use found unanswered and no server tool call left running,
        and until the next assistant turn no tool_result is an orphan (it may have been the
        assistant turn they answer).  Its blocks are checked for what is wrong whatever its
        role: their own fields, and their calls' ids (well formed, unique in the request).
        """
        self.seen_turn = True
        self.awaiting, self.answered, self.pending = {}, set(), {}
        self.toolsets, self.awaiting_toolsets = {}, {}
        self.server_uses, self.server_open, self.deferred, self.carried = set(), {}, {}, frozenset()
        self.held_server_open = self.turn_has_other = False
        self.ends_with_server_result = self.paused_reply = False
        self.prev_role = role
        self.pairing_unknown = True
        parent: Path = ("messages", index, "content")
        if not content:  # "" or []: allowed as the final assistant message (§1.9), which it may be
            self.empty_at = parent
        elif isinstance(content, str):
            self._text_value(content, parent, role)
        else:
            for j, block in enumerate(content):
                self._block(block, parent, j, role)
                self._call_ids(block, (*parent, j))

    def _hold_server_calls(self, mixed: bool) -> None:
        """A user turn follows an assistant turn whose server tool calls are still running.

        After a mixed call (a client tool_use too) they go on running once the tool_results
        come: their results open a later assistant turn (§3.4, §3.8), and under programmatic
        tool calling the call may first ask for more client tools, turn after turn (§3.9).
        After a pause the paused turn must be sent back as the last message (§3.10): nothing
        may follow it.
        """
        self.held_server_open = mixed
        if mixed:
            self.deferred = dict(self.server_open)
        else:
            for tool_id, (_, where) in self.server_open.items():
                self.report(
                    "server-tool-unfinished",
                    where,
                    f"server tool call {tool_id} has no result: a paused turn goes back as the last message",
                )

    def _close_turn(self) -> None:
        """The previous turn is over: every tool_use it had to answer must be answered."""
        self._report_unanswered()
        self.awaiting = {}

    def _report_unanswered(self) -> None:
        declined = self.declined_ids if self.declined else frozenset()
        for tool_id, where in self.awaiting.items():
            if tool_id not in self.answered and tool_id not in declined:
                self.answered.add(tool_id)
                self.report(
                    "tool-use-unanswered",
                    where,
                    f"tool_use {tool_id} has no tool_result at the start of the next user turn",
                )

    def _user_other(self, path: Path) -> None:
        if not self.turn_has_other:
            # Results must come first: once other content starts, a missing result stays missing.
            self._report_unanswered()
        self.turn_has_other = True
        if self.held_server_open and self.awaiting:
            self.report(
                "tool-result-extra-content",
                path,
                "while a server tool is still running, this turn may hold only tool_result blocks",
            )

    def _user_pairing(self, block: Block, parent: Path, j: int) -> None:
        if type(block) is not ToolResultBlock:
            tool_id = _malformed_id(block, "tool_result", "tool_use_id")
            if tool_id is not None and tool_id in self.awaiting and not self.turn_has_other:
                self.answered.add(tool_id)  # a malformed result (reported) still answers its tool_use
                return
            if not self.turn_has_other or self.held_server_open:
                self._user_other((*parent, j))
            return
        path: Path = (*parent, j)
        tool_id = block.tool_use_id
        if self.turn_has_other:
            self.report(
                "tool-result-not-first", path, "tool_result blocks must come before any other content"
            )
        if tool_id in self.answered:
            if not self.turn_has_other:
                self.report("tool-result-duplicate", path, f"tool_use {tool_id} already has a tool_result")
        elif tool_id in self.awaiting:
            self.answered.add(tool_id)
        elif not self.pairing_unknown:
            self.report(
                "tool-result-orphan",
                path,
                f"tool_result for {tool_id}, which no tool_use in the previous assistant turn has",
            )

    def _toolset_result(self, block: ToolResultBlock, toolset: str, path: Path) -> None:
        """The result of a computer or browser toolset member (§3.7)."""
        if block.toolset_name != toolset:
            self.report(
                "tool-result-toolset-mismatch",
                (*path, "toolset_name"),
                f"the tool_use is a member of toolset {toolset!r}: its tool_result needs "
                f"toolset_name {toolset!r}, not {block.toolset_name!r}",
            )
        if block.content is None or isinstance(block.content, str):
            return
        state_allowed = toolset == "browser" and not block.is_error
        for k, inner in enumerate(block.content):
            kind = type(inner)
            if kind is TextBlock or kind is ImageBlock or isinstance(inner, OpaqueBlock):
                continue  # allowed, or unknown to convo (it cannot tell the kind)
            if kind is BrowserStateBlock and state_allowed:
                state_allowed = False  # at most one
                continue
            self.report(
                "tool-result-toolset-content",
                (*path, "content", k),
                f"a {toolset!r} toolset result may hold only text and images "
                f"(and one browser_state when a browser action succeeds), not {inner.type!r}",
            )

    def _assistant_pairing(self, block: Block, parent: Path, j: int) -> None:
        """Pairing rules for one assistant block (``ends_with_server_result`` is set per turn)."""
        kind = type(block)
        if kind is TextBlock or kind is ThinkingBlock or kind is RedactedThinkingBlock:
            return
        path: Path = (*parent, j)
        tool_id = self._call_ids(block, path)
        if isinstance(block, ServerToolUseBlock | MCPToolUseBlock):
            self.server_uses.add(block.id)
            name = block.name if isinstance(block, ServerToolUseBlock) else None
            self.server_open[block.id] = (name, path)
        elif tool_id is not None:  # a tool_use, or a malformed one (reported): a result for it is no orphan
            self.pending[tool_id] = path
        elif isinstance(block, ServerToolResult):
            tool_use_id = block.tool_use_id
            if tool_use_id not in self.server_uses:
                self.report(
                    "server-tool-result-orphan",
                    path,
                    f"{block.type} for {tool_use_id}, which no server_tool_use before it has",
                )
            self._result_kind(block, path)
            self.server_open.pop(tool_use_id, None)
        elif type(block) is OpaqueBlock and block.type in SERVER_RESULT_TYPES:
            finished = _malformed_id(block, block.type, "tool_use_id")
            if finished is not None:  # malformed (reported), but it still finishes the call it names
                self.server_open.pop(finished, None)

    def _result_kind(self, block: ServerToolResult, path: Path) -> None:
        """The server tool result at ``path`` is of the kind its running call takes (§3.8: a
        ``web_search`` call pairs with a ``web_search_tool_result``, and no other)."""
        call = self.server_open.get(block.tool_use_id)
        if call is None:
            return
        name = call[0]
        expected = server_result_type(name)
        if expected is not None and block.type != expected:
            self.report(
                "server-tool-result-orphan",
                path,
                f"{block.type} for {block.tool_use_id}, a {name or 'mcp_tool_use'} call: it takes a {expected}",
            )

    def _call_ids(self, block: Block, path: Path) -> str | None:
        """Check the tool call at ``path``, whatever turn holds it: its id is well formed and
        unique in the request (§2.3, §3.5), and a server tool call names a server tool.  The id
        of a (possibly malformed) tool_use, or None."""
        if isinstance(block, ToolUseBlock):
            if not TOOL_USE_ID.fullmatch(block.id):
                self.report("tool-use-id-invalid", (*path, "id"), f"tool_use id {block.id!r} is not allowed")
            self._unique(block.id, path)
            return block.id
        if isinstance(block, ServerToolUseBlock | MCPToolUseBlock):
            if isinstance(block, ServerToolUseBlock) and not SERVER_TOOL_USE_ID.fullmatch(block.id):
                self.report(
                    "server-tool-use-id-invalid",
                    (*path, "id"),
                    f"server_tool_use id {block.id!r} is not allowed",
                )
            self._unique(block.id, path)
            if isinstance(block, ServerToolUseBlock) and block.name not in SERVER_TOOL_USE_NAMES:
                self.report(
                    "server-tool-name-unknown",
                    (*path, "name"),
                    f"{block.name!r} is not a server tool{did_you_mean(block.name, SERVER_TOOL_USE_NAMES)}: "
                    "a client tool is called with a tool_use block",
                )
            return None
        tool_id = _malformed_id(block, "tool_use", "id")
        if tool_id is not None:
            self._unique(tool_id, path)
        return tool_id

    def _undeclared_server_tools(self, message: Path) -> None:
        """The assistant message at ``message`` ends with server tool calls still running (a
        pause, or a mixed call): each one's tool must still be declared, or the API cannot run
        it (§3.4, §3.10)."""
        names = self.refs.tool_names
        if names is None:  # no ``tools`` yet: a request must declare them (checked in finish)
            running = tuple(
                ((*where, "name"), name)
                for name, where in self.server_open.values()
                if name is not None and where[:2] == message and name not in self.refs.server_callers
            )
            if running:
                self.refs = attrs.evolve(self.refs, unseen_servers=(*self.refs.unseen_servers, *running))
            return
        for name, where in self.server_open.values():
            known = name is None or name in names or name in self.refs.server_callers
            if not known and where[:2] == message:
                self.report(
                    "server-tool-undeclared",
                    (*where, "name"),
                    f"server tool {name!r} is still running, and no tool of that name is declared",
                )

    def _unique(self, tool_id: str, path: Path) -> None:
        index = self.count - 1
        first = self.ids.ids.get(tool_id)
        if first is not None and first <= index:
            self.report(
                "tool-use-id-duplicate", (*path, "id"), f"tool_use id {tool_id} is used more than once"
            )
        else:
            self.ids.ids[tool_id] = index
            self.added.append(tool_id)

    def _beta(self, path: Path, kind: str) -> None:
        """Note a block type, tool type or system message field only the beta API takes, the
        first of its kind."""
        if all(seen != kind for _, seen in self.beta_at):
            self.beta_at = (*self.beta_at, (path, kind))

    # -- blocks ----------------------------------------------------------------------------------

    def _block(self, block: Block, parent: Path, j: int, role: str) -> None:
        """Check one block at ``(*parent, j)``; the path tuple is only built for a problem."""
        kind = type(block)
        if kind in BETA_BLOCKS:
            self._beta((*parent, j), block.type)
        if kind in WRONG_ROLE.get(role, ()):
            where = (
                "system messages"
                if kind in SYSTEM_ONLY
                else f"{'user' if role != 'user' else 'assistant'} turns"
            )
            self.report("block-role", (*parent, j), f"{block.type!r} blocks belong in {where}")
        elif kind in RESULT_ONLY and len(parent) == 3:  # ("messages", i, "content"): not nested
            self.report(
                "block-role", (*parent, j), f"{block.type!r} blocks belong in a tool_result's content"
            )
        if getattr(block, "cache_control", None) is not None:
            self._cache(block, (*parent, j))
        route = HOLDS_UNTYPED.get(kind)
        if route is not None:  # the blocks it holds are plain data: their marks count too (§5.1)
            for owner, marker in held_marks(
                getattr(block, route[0], None), route[1:], (*parent, j, route[0])
            ):
                self._cache_dict(marker, owner)
        if isinstance(block, TextBlock):
            if _suspect_text(block):
                self._text(block, (*parent, j), role)
            return
        check = BLOCK_CHECKS.get(kind)
        if check is not None:
            check(self, block, (*parent, j), role)

    def _search_result(self, block: SearchResultBlock, path: Path, role: str) -> None:
        for k, inner in enumerate(block.content):
            if isinstance(inner, TextBlock | OpaqueBlock):
                self._block(inner, (*path, "content"), k, role)
            else:  # read by the step-by-step reader, which keeps what it can
                self.report(
                    "block-role",
                    (*path, "content", k),
                    f"a search_result holds text blocks, not {inner.type!r}",
                )
        if role == "user":  # elsewhere it is a block-role error already
            enabled = citations_enabled(block.citations)
            refs = self.refs
            if refs.web_search:  # every search result must cite; all-or-none follows from that
                if not enabled:
                    self.report(
                        "search-result-citations-required",
                        path,
                        "with a web search tool declared, every search_result needs citations enabled",
                    )
            elif refs.first_search_result is None:
                self.refs = attrs.evolve(refs, first_search_result=(enabled, path))
            elif enabled != refs.first_search_result[0]:
                self._citations_mixed(block, path, enabled, refs.first_search_result[1])

    def _citations_mixed(self, block: Block, path: Path, enabled: bool, first: Path) -> None:
        """Report the first block whose citations setting differs from the first of its type."""
        mixed = self.refs.citations_mixed
        if block.type in mixed:
            return
        self.refs = attrs.evolve(self.refs, citations_mixed=mixed | {block.type})
        here, there = ("enabled", "not on") if enabled else ("not enabled", "enabled on")
        self.report(
            "citations-mixed",
            path,
            f"citations are {here} on this {block.type} but {there} the first one ({pointer(first)}); "
            f"a request enables them on all {block.type} blocks or on none",
        )

    def _caller(
        self, block: ToolUseBlock | ServerToolUseBlock | ServerToolResult, path: Path, role: str
    ) -> None:
        """A ``caller`` is ``direct``, or a code execution tool with the ``tool_id`` of its call (§2.2)."""
        caller = getattr(block, "caller", None)
        if caller is None:
            return
        kind = caller.get("type")
        if not isinstance(kind, str) or kind not in CALLER_TYPES:  # a dict would not hash
            expected = ", ".join(map(repr, sorted(CALLER_TYPES)))
            self.report(
                "block-malformed", (*path, "caller", "type"), f"caller type {kind!r} is not one of {expected}"
            )
        elif kind != "direct" and not isinstance(caller.get("tool_id"), str):
            self.report(
                "block-malformed",
                (*path, "caller"),
                f"a {kind} caller needs the string 'tool_id' of its call",
            )

    def _web_result(
        self, block: WebSearchToolResultBlock | WebFetchToolResultBlock, path: Path, role: str
    ) -> None:
        self._caller(block, path, role)
        self._result_content(block, path, role)
        content = block.content
        if isinstance(content, dict) and content.get("type") == "web_fetch_result":
            page = content.get("content")
            if isinstance(page, dict):  # anything else is reported as the result's content
                self._fetched_document(page, (*path, "content", "content"))

    def _fetched_document(self, page: dict[str, Any], path: Path) -> None:
        """The page a web fetch read is a document block (the SDK's ``DocumentBlockParam``),
        checked as one in a user turn is, its marks counted as a block's are; the turn is the
        model's, so the rules across a user's documents (citations all or none) leave it out."""
        try:
            document = msgspec.convert(page, DocumentBlock)
        except msgspec.ValidationError as exc:
            self.report("block-malformed", path, f"a web_fetch_result's content is a document block: {exc}")
            self._cache_dict(page.get("cache_control"), path)  # kept as given, as an opaque block is
            return
        self._cache(document, path)
        self._document_source(document, path, "user")

    def _result_content(self, block: ServerToolResult, path: Path, role: str) -> None:
        """A server tool result's ``content`` is an object of one of the types its SDK param
        lists, or for a web search a list of ``web_search_result`` entries, each with the fields
        its type requires (:data:`RESULT_CONTENT`)."""
        content = block.content
        if isinstance(content, list) and type(block) is WebSearchToolResultBlock:
            what = f"an entry of a {block.type}'s content"
            for k, entry in enumerate(content):
                self._result_object(entry, (*path, "content", k), what, WEB_SEARCH_ENTRY)
            return
        self._result_object(
            content, (*path, "content"), f"a {block.type}'s content", RESULT_CONTENT[block.type]
        )

    def _result_object(
        self, value: object, path: Path, what: str, shapes: Mapping[str, Mapping[str, tuple[str, ...]]]
    ) -> None:
        """Check one object a server tool result holds against the ``shapes`` it may take.

        A type no server tool result of this release holds, or an ``error_code`` the SDK does not
        list, may be one the API added later: that is only a warning, as an unknown block is."""
        kind = self._shaped(value, path, what, shapes, RESULT_CONTENT_KNOWN, RESULT_OPTIONAL)
        if kind is None:
            return
        assert isinstance(value, dict)
        for name, entry_shapes in RESULT_ENTRIES.get(kind, {}).items():
            entries = value.get(name)
            if isinstance(entries, list):  # anything else is reported above
                what = f"an entry of a {kind}'s {name}"
                for k, entry in enumerate(entries):
                    self._result_object(entry, (*path, name, k), what, entry_shapes)
        for name, known in RESULT_LITERALS.get(kind, {}).items():
            given = value.get(name)
            if isinstance(given, str) and given not in known:
                self.report(
                    "block-unknown",
                    (*path, name),
                    f"{given!r} is not a {name} of a {kind} this release knows ({', '.join(map(repr, sorted(known)))})",
                )

    def _shaped(
        self,
        value: object,
        path: Path,
        what: str,
        shapes: Mapping[str, Mapping[str, tuple[str, ...]]],
        known: Collection[str],
        optional: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
    ) -> str | None:
        """Check ``value``, ``what`` the SDK types as one of ``shapes`` (by ``type``, with the
        fields each requires, and the ``optional`` ones it types): its ``type``, or None when it
        has no shape of ``shapes`` (reported).  A type none of ``known`` is may be one the API
        added later: that is only a warning, as an unknown block is."""
        kind = value.get("type") if isinstance(value, dict) else None
        fields = shapes.get(kind) if isinstance(kind, str) else None  # a dict would not hash
        if fields is None:
            expected = ", ".join(map(repr, sorted(shapes)))
            if isinstance(kind, str) and kind and kind not in known:
                self.report(
                    "block-unknown", path, f"{kind!r} is not a type of {what} this release knows ({expected})"
                )
            elif not isinstance(value, dict):
                self.report("block-malformed", path, f"{what} is one of {expected}, not {kind_name(value)}")
            else:
                shown = f"type {kind!r}" if "type" in value else "no type"
                self.report("block-malformed", path, f"{what} is one of {expected}, not {shown}")
            return None
        assert isinstance(value, dict) and isinstance(kind, str)
        for name, fault in field_faults(value, fields, (optional or {}).get(kind)):
            self.report("block-malformed", (*path, name), f"in a {kind}, {fault}")
        return kind

    def _browser_state(self, block: BrowserStateBlock, path: Path, role: str) -> None:
        """A browser_state lists every open tab (the SDK's ``BrowserStateBlockParam`` requires
        ``tabs``, ``[]`` when none is open), each with the fields a tab entry requires."""
        if block.tabs is None:  # left out: a null does not decode
            self.report(
                "block-malformed", (*path, "tabs"), "a browser_state needs 'tabs' ([] when no tab is open)"
            )
            return
        for k, tab in enumerate(block.tabs):
            if not isinstance(tab, dict):
                self.report(
                    "block-malformed", (*path, "tabs", k), f"a tab must be an object, not {kind_name(tab)}"
                )
                continue
            for name, fault in field_faults(tab, TAB_FIELDS):
                self.report("block-malformed", (*path, "tabs", k, name), f"in a browser_state tab, {fault}")

    def _fallback(self, block: FallbackBlock, path: Path, role: str) -> None:
        """A server-side fallback hop: the client tool calls of the turn so far are the declined
        model's (the SDK's ``BetaFallbackBlockParam``; reported in request mode)."""
        if role != "assistant" or len(path) != 4:  # ("messages", i, "content", j): not nested
            return
        declined = self.declined_ids
        self.declined = (
            *self.declined,
            *((tool_id, where) for tool_id, where in self.pending.items() if tool_id not in declined),
        )

    def _tool_reference(self, block: ToolReferenceBlock, path: Path, role: str) -> None:
        if role == "user":
            self._resolve(block.tool_name, (*path, "tool_name"))

    def _tool_change(self, block: ToolAdditionBlock | ToolRemovalBlock, path: Path, role: str) -> None:
        if role != "system":  # elsewhere it is a block-role error already
            return
        tool = block.tool
        changes = TOOL_CHANGES if isinstance(block, ToolAdditionBlock) else TOOL_REMOVALS
        kind = self._shaped(tool, (*path, "tool"), f"a {block.type}'s tool", changes, TOOL_CHANGES)
        if kind == "tool_reference":
            name = tool.get("name")
            if isinstance(name, str):
                self._resolve(name, (*path, "tool", "name"))
        elif kind == "tool_definition" and isinstance(block, ToolAdditionBlock):
            # an inline definition (inline-tools beta), checked as a tools entry: later
            # references may name it
            name = self._tool(tool.get("definition"), (*path, "tool", "definition"))
            if name is not None:
                self.refs = attrs.evolve(self.refs, defined_tools=self.refs.defined_tools | {name})

    def _compaction(self, block: CompactionBlock, path: Path, role: str) -> None:
        """A compaction's ``tool_changes`` take ``tools`` to the tool set in effect at the end of
        the range it summarizes (the SDK's ``BetaCompactionBlockParam``): each entry is a
        tool_addition or tool_removal, checked as one in a system message is."""
        changes = block.tool_changes
        if changes is None:
            return
        where: Path = (*path, "tool_changes")
        if not isinstance(changes, list):
            self.report(
                "block-malformed", where, f"a compaction's tool_changes is a list, not {kind_name(changes)}"
            )
            return
        for k, entry in enumerate(changes):
            try:
                change = msgspec.convert(entry, ToolAdditionBlock | ToolRemovalBlock)
            except msgspec.ValidationError as exc:
                self.report(
                    "block-malformed",
                    (*where, k),
                    f"a compaction's tool change is a tool_addition or tool_removal block: {exc}",
                )
            else:
                self._tool_change(change, (*where, k), "system")

    def _resolve(self, name: str, path: Path) -> None:
        """A tool reference must name a tool in ``tools`` or one a tool_addition defined before it."""
        refs = self.refs
        if name in refs.defined_tools:
            return
        if refs.tool_names is None:  # no ``tools``: a request must declare it (checked in finish)
            self.refs = attrs.evolve(refs, unresolved=(*refs.unresolved, (path, name)))
        elif name not in refs.tool_names:
            self.report("tool-reference-unresolved", path, f"no tool named {name!r} is declared in tools")

    def _thinking(self, block: ThinkingBlock, path: Path, role: str) -> None:
        if not block.signature:
            self.report(
                "thinking-signature-missing",
                (*path, "signature"),
                "a thinking block must keep the signature it came with",
            )

    def _redacted_thinking(self, block: RedactedThinkingBlock, path: Path, role: str) -> None:
        if not block.data:
            self.report("thinking-signature-missing", (*path, "data"), "redacted_thinking has no data")

    def _tool_result_content(self, block: ToolResultBlock, path: Path, role: str) -> None:
        if block.is_error and not block.content:
            self.report(
                "tool-result-error-empty",
                path,
                "content cannot be empty if is_error is true: say what went wrong",
            )
        if block.content is None:
            return
        if isinstance(block.content, str):
            # The string is one text block written short (as a message's string content is), so
            # §1.10 holds for it; "" is left alone: an empty result is legal (§3.7).
            if block.content.isspace():
                self.report(
                    "text-whitespace",
                    (*path, "content"),
                    "tool_result content must contain non-whitespace text",
                )
            return
        parent: Path = (*path, "content")
        searches = False
        other: int | None = None  # the first block that is not a search_result (misplaced ones aside)
        for k, inner in enumerate(block.content):
            if isinstance(inner, TextBlock):
                if _suspect_text(inner):
                    self._block(inner, parent, k, "user")
            elif type(inner) is ImageBlock:  # all _block does for it, and the toolset rule (§3.7)
                if inner.cache_control is not None:
                    self._cache(inner, (*parent, k))
                self._image(inner, (*parent, k), "user", toolset=block.toolset_name is not None)
            elif isinstance(inner, NESTED_IN_RESULT):
                self._block(inner, parent, k, "user")
                if type(inner) is SearchResultBlock:
                    searches = True
                    continue
            elif isinstance(inner, OpaqueBlock):  # unknown or malformed: convo cannot tell its kind
                self._cache(inner, (*parent, k))
                continue
            else:
                self.report("block-role", (*parent, k), f"a tool_result cannot contain {inner.type!r} blocks")
                continue
            if other is None:
                other = k
        if searches and other is not None:
            self.report(
                "tool-result-search-mixed",
                (*parent, other),
                f"a tool_result with search_result blocks may hold only search_result blocks, "
                f"not {block.content[other].type!r}",
            )

    def _text(self, block: TextBlock, path: Path, role: str) -> None:
        if block.text == "":
            if block.cache_control is not None:
                self.report(
                    "cache-control-empty-text",
                    (*path, "cache_control"),
                    "cache_control cannot be set on an empty text block",
                )
            self.report("text-empty", (*path, "text"), "text content blocks must be non-empty")
        elif block.text.isspace():
            code = "assistant-text-whitespace" if role == "assistant" else "text-whitespace"
            self.report(code, (*path, "text"), "text content blocks must contain non-whitespace text")
        if not block.citations:
            return
        if role == "user":
            self.report(
                "citations-in-user", (*path, "citations"), "text in a user turn cannot carry citations"
            )
        else:
            self._citations(block.citations, (*path, "citations"))

    def _citations(self, citations: list[Any], path: Path) -> None:
        """Each citation of a text block that may carry them (§2.5): a response's, with the
        fields its type requires (the SDK's ``TextCitationParam``), no field a response's does
        not have, and no cache marker (§2.4: a citation cannot be cached directly)."""
        for k, entry in enumerate(citations):
            if isinstance(entry, dict) and entry.get("cache_control") is not None:
                self.report(
                    "cache-control-ineligible",
                    (*path, k, "cache_control"),
                    "a citation cannot carry cache_control: mark the text block that holds it",
                )
            kind = entry.get("type") if isinstance(entry, dict) else None
            fields = CITATION_FIELDS.get(kind) if isinstance(kind, str) else None
            if fields is None:
                if not isinstance(entry, dict):
                    self.report(
                        "block-malformed", (*path, k), f"a citation must be an object, not {kind_name(entry)}"
                    )
                elif isinstance(kind, str) and kind:
                    self.report(
                        "citation-unknown",
                        (*path, k),
                        f"citation type {kind!r} is not known to this release{did_you_mean(kind, CITATION_FIELDS)}",
                    )
                else:
                    self.report("block-malformed", (*path, k), "a citation needs a string 'type'")
                continue
            missing = [repr(name) for name in fields if name not in entry]
            faults = (
                [f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"] if missing else []
            )
            faults += [fault for name, fault in field_faults(entry, fields) if name in entry]
            if faults:
                self.report("block-malformed", (*path, k), f"in a {kind} citation, {'; '.join(faults)}")
            known = {"type", "cache_control", *fields, *CITATION_RESPONSE_FIELDS.get(entry["type"], ())}
            for key, message in unknown_fields(entry, known, f"a {kind} citation"):
                self.report("block-field-unknown", (*path, k, key), message)

    def _text_value(self, text: str, path: Path, role: str) -> None:
        if text == "":
            self.report("content-empty", path, "content must be non-empty")
        elif text.isspace():
            code = "assistant-text-whitespace" if role == "assistant" else "text-whitespace"
            self.report(code, path, "text content must contain non-whitespace text")

    def _cache(self, block: Block, path: Path) -> None:
        marker: CacheControl | None = getattr(block, "cache_control", None)
        if marker is None:
            return
        if type(block) is ThinkingBlock or type(block) is RedactedThinkingBlock:
            self.report(
                "cache-control-ineligible",
                (*path, "cache_control"),
                f"{block.type!r} blocks cannot carry cache_control",
            )
            return
        self._count_breakpoint(marker, (*path, "cache_control"))

    def _cache_dict(self, value: object, owner: Path) -> None:
        """Count the cache_control of something given as plain data (a tool definition)."""
        if value is None:
            return
        marker = self._marker(value, (*owner, "cache_control"))
        if marker is not None:
            self._count_breakpoint(marker, (*owner, "cache_control"))

    def _marker(self, value: object, path: Path) -> CacheControl | None:
        """The marker a plain-data cache_control stands for, or None (reported) if malformed."""
        kind = value.get("type") if isinstance(value, dict) else None
        ttl = value.get("ttl", UNSET) if isinstance(value, dict) else None
        if kind != "ephemeral" or ttl not in (UNSET, "5m", "1h"):
            self.report("cache-control-invalid", path, marker_fault(value))
            return None
        return CacheControl(type="ephemeral", ttl=ttl)

    def _count_breakpoint(self, marker: CacheControl, path: Path) -> None:
        if marker.type != "ephemeral" or marker.ttl not in (UNSET, "5m", "1h"):
            self.report("cache-control-invalid", path, marker_fault(msgspec.to_builtins(marker)))
            return
        self.breakpoints += 1
        if self.breakpoints == MAX_BREAKPOINTS + 1:
            self.report(
                "cache-control-too-many",
                path,
                f"a request may have at most {MAX_BREAKPOINTS} blocks with cache_control",
            )
        if marker.effective_ttl == "5m":
            self.seen_5m = True
        elif self.seen_5m:
            self.report(
                "cache-ttl-order",
                (*path, "ttl"),
                "a ttl='1h' cache_control block must not come after a ttl='5m' one",
            )

    def _oversized(self, width: int, height: int, path: Path, why: str) -> None:
        """Report an image larger than the model keeps (its tier's long edge or token cap, §6.7),
        where the API refuses it (``why``) rather than downscale it."""
        tier = self.profile.image_tier
        fits = resized_size(width, height, tier=tier)
        if fits != (width, height):
            edge, tokens = tier_limits(tier)
            self.report(
                "image-oversized",
                path,
                f"the image is {width}x{height} px, larger than the {edge} px long edge and {tokens} "
                f"visual tokens {self.profile.id or 'a model'} keeps (it fits at {fits[0]}x{fits[1]}): {why}",
            )

    def _platform_source(self, block: str, kind: str, path: Path) -> None:
        """Report a url or file source of an image or document (``block``) sent to Bedrock or
        Google Cloud, which take neither (§7.2, §8.4, §8.6): as ``image-source-invalid`` or
        ``document-source-invalid``."""
        if self.on_platform:
            self.report(
                f"{block}-source-invalid",
                (*path, "source", "type"),
                f"Bedrock and Google Cloud take no {kind} {block} source ({self.profile.id}): send base64",
            )

    def _image(self, block: ImageBlock, path: Path, role: str, toolset: bool = False) -> None:
        """Check an image; ``toolset``: it is in a computer or browser tool result, where the API
        refuses an oversized image rather than downscale it (§3.7)."""
        self.images += 1
        source = block.source
        kind = source.get("type")
        self._source_fields(source, path)
        wants = block.transformations
        if wants is not None and wants.get("oversized_image", "downsize") not in ("downsize", "error"):
            self.report(
                "block-malformed",
                (*path, "transformations", "oversized_image"),
                f"oversized_image is 'downsize' or 'error', not {wants['oversized_image']!r}",
            )
        if kind == "base64":
            media_type, data = source.get("media_type"), source.get("data")
            if not isinstance(data, str):
                self.report(
                    "image-source-invalid",
                    (*path, "source", "data"),
                    "a base64 image source needs string data",
                )
                return
            known = isinstance(media_type, str) and media_type in IMAGE_TYPES
            if not known:
                self.report(
                    "image-media-type-unsupported",
                    (*path, "source", "media_type"),
                    f"media type {media_type!r} is not one of {', '.join(sorted(IMAGE_TYPES))}",
                )
            limit = MAX_PLATFORM_IMAGE_BASE64 if self.on_platform else MAX_IMAGE_BASE64
            if len(data) > limit:
                self.report(
                    "image-too-large",
                    (*path, "source", "data"),
                    f"the image is {len(data):,} bytes of base64; the limit is {limit >> 20} MB "
                    f"({limit:,} bytes){' on Bedrock and Google Cloud' if self.on_platform else ''}",
                )
            info = sniff_base64(data)
            if info is None or info.media_type is None:
                self.report(
                    "image-data-invalid",
                    (*path, "source", "data"),
                    "the data is not a jpeg, png, gif or webp image",
                )
                return
            if info.width is None:  # no readable size: the header (a JPEG's frame header) is missing
                self.report(
                    "image-data-invalid",
                    (*path, "source", "data"),
                    f"the data starts like a {info.media_type} image, but its header is cut short or broken",
                )
                return
            if known and info.media_type != media_type:
                self.report(
                    "image-media-type-mismatch",
                    (*path, "source", "media_type"),
                    f"declared {media_type}, but the bytes are {info.media_type}",
                )
            if info.width is not None and info.height is not None:
                side = max(info.width, info.height)
                if side > MAX_IMAGE_SIDE:
                    self.report(
                        "image-dimensions-too-large",
                        (*path, "source"),
                        f"the image is {info.width}x{info.height} px; the limit is 8000 px a side",
                    )
                if side > MANY_IMAGES_SIDE:
                    self.large_images.append(path)
                wants = block.transformations
                if isinstance(wants, dict) and wants.get("oversized_image") == "error":
                    where = (*path, "transformations", "oversized_image")
                    self._oversized(info.width, info.height, where, "it asks for an error, not a downscale")
                elif toolset:
                    why = "a computer or browser tool result's image is refused, not downscaled"
                    self._oversized(info.width, info.height, (*path, "source"), why)
        elif kind == "url":
            if not isinstance(source.get("url"), str):
                self.report(
                    "image-source-invalid", (*path, "source"), "a url image source needs a string 'url'"
                )
            self._platform_source("image", kind, path)
        elif kind == "file":
            if not isinstance(source.get("file_id"), str):
                self.report(
                    "image-source-invalid", (*path, "source"), "a file image source needs a string 'file_id'"
                )
            self._platform_source("image", kind, path)
        else:
            self.report(
                "image-source-invalid",
                (*path, "source", "type"),
                f"image source type {kind!r} is not base64, url or file",
            )

    def _document_content(self, content: list[object], path: Path, role: str) -> None:
        """The blocks of a ``content`` document source: text and images only (§2.2), each as
        valid as in a turn (§1.10)."""
        for k, item in enumerate(content):
            kind = item.get("type") if isinstance(item, dict) else None
            typed = DOCUMENT_CONTENT.get(kind) if isinstance(kind, str) else None
            if typed is None:
                what = repr(kind) if kind is not None else "not a block"
                self.report(
                    "document-source-invalid",
                    (*path, k),
                    f"a content document source holds text and image blocks, not {what}",
                )
                continue
            try:
                block = msgspec.convert(item, typed)
            except msgspec.ValidationError as exc:
                self.report("document-source-invalid", (*path, k), f"a malformed {kind} block: {exc}")
            else:
                self._block(block, path, k, role)

    def _document(self, block: DocumentBlock, path: Path, role: str) -> None:
        self.documents += 1
        if role == "user":  # in an assistant turn it is a block-role error already
            enabled = citations_enabled(block.citations)
            first = self.refs.first_document
            if first is None:
                self.refs = attrs.evolve(self.refs, first_document=(enabled, path))
            elif enabled != first[0]:
                self._citations_mixed(block, path, enabled, first[1])
        self._document_source(block, path, role)

    def _document_source(self, block: DocumentBlock, path: Path, role: str) -> None:
        """A document's source: the fields its type takes, and what it holds (the blocks of a
        ``content`` source are checked as in a ``role`` turn)."""
        source = block.source
        spath: Path = (*path, "source")
        self._source_fields(source, path)
        kind = source.get("type")
        expected = (
            {"base64": "application/pdf", "text": "text/plain"}.get(kind) if isinstance(kind, str) else None
        )
        if expected is not None:
            if source.get("media_type") != expected:
                self.report(
                    "document-source-invalid",
                    (*spath, "media_type"),
                    f"a {kind} document source must have media_type {expected!r}",
                )
            data = source.get("data")
            if not isinstance(data, str):
                self.report(
                    "document-source-invalid", (*spath, "data"), f"a {kind} document needs string data"
                )
            elif kind == "base64":
                pdf = read_pdf(data)
                if source.get("media_type") == expected and not looks_like_pdf(data):
                    self.report(
                        "document-data-invalid",
                        (*spath, "data"),
                        "the data is not a base64 PDF (no %PDF- header): the API cannot read it",
                    )
                elif pdf.encrypted:
                    self.report(
                        "document-data-invalid",
                        (*spath, "data"),
                        "the PDF is encrypted (it has a password or permissions set): the API reads only "
                        "unencrypted PDFs",
                    )
                self.pdf_pages += pdf.pages or 0
        elif kind == "content":
            inner = source.get("content")
            if isinstance(inner, list):
                self._document_content(inner, (*spath, "content"), role)
            elif not isinstance(inner, str):
                self.report(
                    "document-source-invalid",
                    (*spath, "content"),
                    "a content document source needs a string or a list of blocks",
                )
        elif kind == "url":
            if not isinstance(source.get("url"), str):
                self.report("document-source-invalid", (*spath, "url"), "a url document source needs a 'url'")
            self._platform_source("document", kind, path)
        elif kind == "file":
            if not isinstance(source.get("file_id"), str):
                self.report("document-source-invalid", (*spath, "file_id"), "a file source needs a 'file_id'")
            self._platform_source("document", kind, path)
        else:
            self.report(
                "document-source-invalid",
                (*spath, "type"),
                f"document source type {kind!r} is not base64, text, content, url or file",
            )

    # -- the end ---------------------------------------------------------------------------------

    def _beta_content(self, betas: Collection[str]) -> None:
        """``beta-content`` once, at the first beta block, tool or system message field whose
        beta ``betas`` lacks: one whose beta convo knows (:data:`BETA_FOR`) is fine with it;
        any other is reported, since convo cannot tell whether ``betas`` holds the one it needs."""
        for at, kind in self.beta_at:
            needed = BETA_FOR.get(kind)
            if needed is not None and any(name in betas for name in needed):
                continue
            if kind in SYSTEM_MESSAGE_FIELDS:
                what = f"a system message's {kind!r} is beta (§1.1)"
            else:
                what = f"{kind!r} {'tools' if at[0] == 'tools' else 'blocks'} are beta (§2.1)"
            if needed is not None:
                how = f"send the request with client.beta.messages.create and betas=[{needed[0]!r}]"
            elif betas:
                how = (
                    "send the request with client.beta.messages.create and its anthropic-beta header, "
                    f"which convo cannot tell is among betas={list(betas)!r}"
                )
            else:
                how = "send the request with client.beta.messages.create and its anthropic-beta header"
            self.report("beta-content", at, f"{what}: {how}")
            return

    def finish(
        self,
        mode: Mode,
        messages: Sequence[Message],
        *,
        betas: Collection[str] = (),
        messages_known: bool = True,
    ) -> None:
        """Checks that need the whole conversation (``messages``, all that were fed);
        ``request`` mode adds readiness to send.  ``betas``: the beta names the request is
        sent with (its ``anthropic-beta`` header).  ``messages_known`` False: ``messages`` is
        not an array (reported already), so whether it is empty is unknown."""
        if self.prev_role == "user":
            self._close_turn()
        if self.auto_ttl is not None:  # counted and ordered last: it lands on the last block
            self.breakpoints += 1
            if self.breakpoints > MAX_BREAKPOINTS:
                self.report(
                    "cache-control-too-many",
                    ("cache_control",),
                    f"the automatic breakpoint makes {self.breakpoints}; at most {MAX_BREAKPOINTS} are allowed",
                )
            if self.auto_ttl == "1h" and self.seen_5m:
                self.report(
                    "cache-ttl-order",
                    ("cache_control", "ttl"),
                    "the automatic breakpoint lands on the last block, after a ttl='5m' breakpoint",
                )
            marker = getattr(_automatic_target(messages), "cache_control", None)
            if isinstance(marker, CacheControl) and marker.effective_ttl != self.auto_ttl:
                self.report(
                    "cache-control-automatic-ttl",
                    ("cache_control",),
                    f"the automatic breakpoint ({self.auto_ttl}) lands on the last block, "
                    f"which has its own ttl={marker.effective_ttl!r} mark",
                )
        if mode != "request":
            return
        if self.count == 0 and messages_known:
            self.report("messages-empty", ("messages",), "a request needs at least one message")
        for path in self.thinking_late:
            self.report(
                "thinking-not-first", path, "an assistant turn that holds thinking must start with it"
            )
        for tool_id, path in self.declined:
            self.report(
                "fallback-declined-tool-use",
                path,
                f"tool_use {tool_id} comes before its turn's last fallback block: it is the declined "
                "model's call, to leave out of the turn sent back, with no tool_result",
            )
        if self.beta_at:
            self._beta_content(betas)
        for path, name in self.refs.unresolved:
            self.report(
                "tool-reference-unresolved",
                path,
                f"no tool named {name!r} is declared: the request has no tools",
            )
        for path, name in self.refs.unseen_servers:
            self.report(
                "server-tool-undeclared",
                path,
                f"server tool {name!r} is still running, and the request has no tools to run it",
            )
        if self.images > self.profile.max_images:
            self.report(
                "images-too-many",
                ("messages",),
                f"{self.images} images; {self.profile.id} accepts at most {self.profile.max_images}",
            )
        if self.pdf_pages > self.profile.max_pdf_pages:
            self.report(
                "pdf-pages-too-many",
                ("messages",),
                f"{self.pdf_pages} PDF pages; {self.profile.id} accepts at most {self.profile.max_pdf_pages}",
            )
        elif (
            self.profile.max_images <= MAX_SHARED_MEDIA
            and self.images <= self.profile.max_images < self.images + self.pdf_pages
        ):
            # "Too much media: 60 document pages + 50 images > 100": the pages count as images too
            self.report(
                "images-too-many",
                ("messages",),
                f"{self.images} images and {self.pdf_pages} PDF pages; {self.profile.id} accepts "
                f"at most {self.profile.max_images} images and pages together",
            )
        many = self.many_images
        if many > MANY_IMAGES and self.large_images:
            documents = " and documents (Bedrock and Google Cloud count both)" if many > self.images else ""
            for image in self.large_images:
                self.report(
                    "many-images-too-large",
                    image,
                    f"with more than {MANY_IMAGES} images{documents}, each image must be at most 2000x2000 px",
                )
        last = self.last_message
        if last is None or last.role != "assistant" or self.paused:
            return
        where: Path = ("messages", self.count - 1)
        if self.profile.known and not self.profile.prefill:
            self.report(
                "prefill-unsupported",
                where,
                f"{self.profile.id} does not support assistant message prefill; end with a user turn",
            )
        declined = self.declined_ids
        for tool_id, tool_path in self.pending.items():
            if tool_id not in declined:
                self.report("tool-use-unanswered", tool_path, f"tool_use {tool_id} has no tool_result yet")
        blocks = last.blocks
        if blocks and isinstance(blocks[-1], TextBlock) and blocks[-1].text != blocks[-1].text.rstrip():
            self.report(
                "final-assistant-trailing-whitespace",
                where,
                "final assistant content cannot end with trailing whitespace",
            )


_FIELDS: Final = tuple(field.name for field in attrs.fields(Validator))


def _system_fields(message: Message) -> dict[str, Any]:
    """The beta fields a system message carries (§1.1: ``clear_at``, ``output_config``), by
    name, in the message's order.

    Only a message read on its own can carry them: the one-pass reader takes ``role`` and
    ``content`` alone, and its messages' bytes are left to be found.
    """
    wire = known_wire(message)
    if wire is None or (b'"clear_at"' not in wire and b'"output_config"' not in wire):
        return {}
    data = msgspec.json.decode(wire)
    return {name: value for name, value in data.items() if name in SYSTEM_MESSAGE_FIELDS}


HOLDS_UNTYPED: Final[Mapping[type, tuple[str, ...]]] = {
    BLOCK_TYPES[tag]: route
    for tag, route in HOLDS.items()
    if tag not in ("tool_result", "search_result", "document", "web_fetch_tool_result")
}
"""The block classes that hold marked blocks as plain data, which :func:`held_marks` walks: the
typed ones (a tool_result's content, a search_result's, a document's content source, the page a
web fetch read) are fed as blocks."""


def held_marks(value: object, route: tuple[str, ...], at: Path) -> Iterator[tuple[Path, object]]:
    """The ``cache_control`` of each block found by following ``route`` from ``value`` (found at
    ``at``), and of the blocks those hold (:data:`HOLDS`), at any depth: (the block's path, its
    mark)."""
    for name in route:
        if not isinstance(value, dict):
            return
        value, at = value.get(name), (*at, name)
    items = enumerate(value) if isinstance(value, list) else ((None, value),)
    for k, item in items:
        if not isinstance(item, dict):
            continue
        here = at if k is None else (*at, k)
        if item.get("cache_control") is not None:
            yield here, item["cache_control"]
        kind = item.get("type")
        inner = HOLDS.get(kind) if isinstance(kind, str) else None
        if inner is not None:
            yield from held_marks(item.get(inner[0]), inner[1:], (*here, inner[0]))


def _toolset_entry(tool: object) -> TypeGuard[dict[str, Any]]:
    """Whether a tool definition is a toolset entry (``browser_toolset_20260801``, ...): it has
    a type of that form and no name (§3.7)."""
    return (
        isinstance(tool, dict) and "name" not in tool and bool(TOOLSET_ENTRY.fullmatch(str(tool.get("type"))))
    )


def server_result_type(name: str | None) -> str | None:
    """The type of the result block that answers a call of server tool ``name`` (None: an MCP
    tool), or None for a name that is not a server tool's (reported where it is called)."""
    if name is None:
        return "mcp_tool_result"
    if name not in SERVER_TOOL_USE_NAMES:
        return None
    return "tool_search_tool_result" if name.startswith("tool_search_tool_") else f"{name}_tool_result"


def too_many_messages() -> Problem:
    """The first message past a request's limit (§1.8): a conversation may grow past it, to be
    trimmed, but a request cannot be built from it."""
    return problem(
        "messages-too-many", ("messages", MAX_MESSAGES), f"a request holds at most {MAX_MESSAGES} messages"
    )


def _automatic_target(messages: Sequence[Message]) -> Block | None:
    """The block the top-level automatic breakpoint lands on (§5.5): the last block that can
    carry a mark, walking back over thinking, fallback and mcp_tool_listing blocks and empty
    text, into earlier messages if need be.  None for string content (a text block with no
    mark of its own), or if there is no such block (caching is then skipped)."""
    for message in reversed(messages):
        content = message.content
        if isinstance(content, str):
            if content:
                return None
            continue
        for block in reversed(content):
            if type(block) in UNMARKABLE_BLOCKS:
                continue
            if type(block) is TextBlock and not block.text:
                continue
            return block
    return None


def _plain_texts(blocks: tuple[Block, ...]) -> bool:
    """Whether tool_result content is only text blocks that need no full check (inlined
    :func:`_suspect_text`: this runs for every tool result)."""
    for block in blocks:
        if type(block) is not TextBlock:
            return False
        text = block.text
        if block.cache_control is not None or not text or text.isspace() or block.citations:
            return False
    return True


def citations_enabled(citations: Mapping[str, object] | None) -> bool:
    """Whether a document's or search result's ``citations`` config turns citations on."""
    return citations is not None and citations.get("enabled") is True


def _suspect_text(block: TextBlock) -> bool:
    """Whether a text block needs the full check: a marker to count, text that may be wrong, or
    citations (refused in a user turn, checked one by one elsewhere)."""
    text = block.text
    return block.cache_control is not None or not text or text.isspace() or bool(block.citations)


def field_faults(
    obj: Mapping[str, object],
    fields: Mapping[str, tuple[str, ...]],
    optional: Mapping[str, tuple[str, ...]] | None = None,
) -> Iterator[tuple[str, str]]:
    """Each of the required ``fields`` that ``obj`` lacks or holds with a JSON type other than
    those listed, and each of the ``optional`` ones it holds, not null, with another JSON type,
    with what is wrong with it."""
    for name, kinds in fields.items():
        if name not in obj:
            yield name, f"{name!r} is missing"
        elif json_kind(obj[name]) not in kinds:
            yield name, _kind_fault(name, obj[name], kinds)
    for name, kinds in (optional or {}).items():
        value = obj.get(name)
        if value is not None and json_kind(value) not in kinds:
            yield name, _kind_fault(name, value, kinds)


def _kind_fault(name: str, value: object, kinds: tuple[str, ...]) -> str:
    return f"{name!r} must be {' or '.join(map(json_kind_name, kinds))}, not {kind_name(value)}"


_ERROR: Final = {"error_code": ("string",)}
_RUN: Final = {"content": ("array",), "return_code": ("integer",), "stderr": ("string",)}

RESULT_CONTENT: Final[Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]]] = {
    "web_search_tool_result": {"web_search_tool_result_error": _ERROR},
    "web_fetch_tool_result": {
        "web_fetch_result": {"content": ("object",), "url": ("string",)},
        "web_fetch_tool_result_error": _ERROR,
    },
    "code_execution_tool_result": {
        "code_execution_result": {**_RUN, "stdout": ("string",)},
        "encrypted_code_execution_result": {**_RUN, "encrypted_stdout": ("string",)},
        "code_execution_tool_result_error": _ERROR,
    },
    "bash_code_execution_tool_result": {
        "bash_code_execution_result": {**_RUN, "stdout": ("string",)},
        "bash_code_execution_tool_result_error": _ERROR,
    },
    "text_editor_code_execution_tool_result": {
        "text_editor_code_execution_view_result": {"content": ("string",), "file_type": ("string",)},
        "text_editor_code_execution_create_result": {"is_file_update": ("boolean",)},
        "text_editor_code_execution_str_replace_result": {},
        "text_editor_code_execution_tool_result_error": _ERROR,
    },
    "tool_search_tool_result": {
        "tool_search_tool_search_result": {"tool_references": ("array",)},
        "tool_search_tool_result_error": _ERROR,
    },
}
"""Each object a server tool result's ``content`` may be, by ``type`` (the SDK's
``*_tool_result_block_param`` ``Content`` unions), with the fields it requires besides
``type`` and the JSON types they take."""

WEB_SEARCH_ENTRY: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "web_search_result": {"encrypted_content": ("string",), "title": ("string",), "url": ("string",)}
}
"""An entry of a web search result's content list (the SDK's ``WebSearchResultBlockParam``)."""

_CODE_OUTPUTS: Final = {"content": {"code_execution_output": {"file_id": ("string",)}}}

RESULT_ENTRIES: Final[Mapping[str, Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]]]] = {
    "code_execution_result": _CODE_OUTPUTS,
    "encrypted_code_execution_result": _CODE_OUTPUTS,
    "bash_code_execution_result": {"content": {"bash_code_execution_output": {"file_id": ("string",)}}},
    "tool_search_tool_search_result": {"tool_references": {"tool_reference": {"tool_name": ("string",)}}},
}
"""The lists of objects a server tool result's content object holds, by its ``type`` and the
field that holds the list, with the shapes an entry may take (as in :data:`RESULT_CONTENT`; the
SDK's ``*_output_block_param`` and ``ToolReferenceBlockParam``)."""

_HUNK: Final = ("new_lines", "new_start", "old_lines", "old_start")  # a diff hunk's header

RESULT_OPTIONAL: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "web_search_result": {"page_age": ("string",)},
    "web_fetch_result": {"retrieved_at": ("string",)},
    "text_editor_code_execution_view_result": dict.fromkeys(
        ("num_lines", "start_line", "total_lines"), ("integer",)
    ),
    "text_editor_code_execution_str_replace_result": {
        "lines": ("array",),
        **dict.fromkeys(_HUNK, ("integer",)),
    },
    "text_editor_code_execution_tool_result_error": {"error_message": ("string",)},
    "tool_search_tool_result_error": {"error_message": ("string",)},
}
"""The optional fields of the objects in :data:`RESULT_CONTENT`, :data:`WEB_SEARCH_ENTRY` and
:data:`RESULT_ENTRIES` that the SDK types, by ``type``, with the JSON types they take besides
null (every one is ``Optional`` in the SDK's params)."""

RESULT_CONTENT_KNOWN: Final = frozenset(WEB_SEARCH_ENTRY).union(
    *RESULT_CONTENT.values(), *(shapes for lists in RESULT_ENTRIES.values() for shapes in lists.values())
)

_EXECUTION_ERRORS: Final = (
    "invalid_tool_input",
    "unavailable",
    "too_many_requests",
    "execution_time_exceeded",
)
ERROR_CODES: Final[Mapping[str, frozenset[str]]] = {
    "web_search_tool_result_error": frozenset(
        {
            "invalid_tool_input",
            "unavailable",
            "max_uses_exceeded",
            "too_many_requests",
            "query_too_long",
            "request_too_large",
        }
    ),
    "web_fetch_tool_result_error": frozenset(
        {
            "invalid_tool_input",
            "url_too_long",
            "url_not_allowed",
            "url_not_in_prior_context",
            "url_not_accessible",
            "unsupported_content_type",
            "too_many_requests",
            "max_uses_exceeded",
            "unavailable",
            "content_too_large",
        }
    ),
    "code_execution_tool_result_error": frozenset(_EXECUTION_ERRORS),
    "bash_code_execution_tool_result_error": frozenset({*_EXECUTION_ERRORS, "output_file_too_large"}),
    "text_editor_code_execution_tool_result_error": frozenset({*_EXECUTION_ERRORS, "file_not_found"}),
    "tool_search_tool_result_error": frozenset(_EXECUTION_ERRORS),
}
"""The ``error_code`` values each server tool error object takes (the SDK's
``*_tool_result_error_code`` ``Literal`` types)."""

RESULT_LITERALS: Final[Mapping[str, Mapping[str, frozenset[str]]]] = {
    **{kind: {"error_code": codes} for kind, codes in ERROR_CODES.items()},
    "text_editor_code_execution_view_result": {"file_type": frozenset({"text", "image", "pdf"})},
}
"""The string fields of the objects a server tool result holds that the SDK types with a
``Literal`` (``type`` aside), by the object's ``type``, with the values it lists: the API may
add one, so another value is only a warning."""

TOOL_REMOVALS: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "tool_reference": {"name": ("string",)},
    "mcp_tool_reference": {"name": ("string",), "server_name": ("string",)},
    "mcp_toolset_reference": {"server_name": ("string",)},
}
"""The ``tool`` a tool_removal names, by its ``type``, with the fields it requires (the SDK's
``BetaToolChange*ReferenceParam``)."""

TOOL_CHANGES: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {**TOOL_REMOVALS, "tool_definition": {}}
"""The ``tool`` a tool_addition adds: one of :data:`TOOL_REMOVALS`, or a definition given inline
(``BetaToolChangeToolDefinitionParam``), whose ``definition`` is checked as a ``tools`` entry."""

TAB_FIELDS: Final = {"tab_id": ("string",), "title": ("string",), "url": ("string",)}
"""The fields a browser_state's tab entry requires (the SDK's ``BrowserStateTabEntryParam``)."""

CALLER_TYPES: Final = frozenset({"direct", "code_execution_20250825", "code_execution_20260120"})
"""What may call a tool (§2.2; the SDK's ``DirectCaller`` and ``ServerToolCaller`` params)."""


def _malformed_id(block: Block, kind: str, key: str) -> str | None:
    """The id (at ``key``) of a ``kind`` block that did not decode: kept opaque and reported as
    malformed, it still names the call it makes or answers, so the pairing is not reported too."""
    if type(block) is OpaqueBlock and block.data.get("type") == kind:
        value = block.data.get(key)
        return value if isinstance(value, str) else None
    return None


BLOCK_CHECKS: Final[Mapping[type, Callable[[Validator, Any, Path, str], None]]] = {
    ImageBlock: Validator._image,
    ToolUseBlock: Validator._caller,
    ServerToolUseBlock: Validator._caller,
    WebSearchToolResultBlock: Validator._web_result,
    WebFetchToolResultBlock: Validator._web_result,
    CodeExecutionToolResultBlock: Validator._result_content,
    BashCodeExecutionToolResultBlock: Validator._result_content,
    TextEditorCodeExecutionToolResultBlock: Validator._result_content,
    ToolSearchToolResultBlock: Validator._result_content,
    DocumentBlock: Validator._document,
    SearchResultBlock: Validator._search_result,
    ThinkingBlock: Validator._thinking,
    RedactedThinkingBlock: Validator._redacted_thinking,
    ToolResultBlock: Validator._tool_result_content,
    ToolReferenceBlock: Validator._tool_reference,
    BrowserStateBlock: Validator._browser_state,
    FallbackBlock: Validator._fallback,
    ToolAdditionBlock: Validator._tool_change,
    ToolRemovalBlock: Validator._tool_change,
    CompactionBlock: Validator._compaction,
}
"""Per-type checks beyond role and cache_control (text is checked inline: it is the hot path)."""
