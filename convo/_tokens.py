"""Token counters: how many input tokens a conversation costs, locally or by ``count_tokens``.

A :class:`TokenCounter` is anything with a ``name`` and a ``count(conversation, *, model, **params)``
method.  Two ship with convo:

* :class:`LocalCounter` needs no network and no key.  It estimates text by characters per token
  for the model's tokenizer generation (the newer tokenizer of Claude 4.7+ makes about 30% more
  tokens, api-rules §6.6), images by the 28-pixel patch formula of the model's resolution tier
  (§6.7), PDFs by pages (text plus the page as an image, §6.8), thinking as §9.7 says (prior
  turns' thinking counts on models that keep it), encoded data (ids, keys, base64) at a token a
  character, the hidden prompts of tools, thinking and structured outputs, and the definitions
  the model reads for the tools the API defines (bash, text editor, web search...).  It errs on
  the high side (checked against every usable request/response pair of recorded traffic), and it
  is additive: the count of a conversation is a fixed part (system, tools, request overhead)
  plus one integer per message, so a trimmed conversation costs exactly the sum of what it keeps.
  :meth:`LocalCounter.calibrated` fits its character-based part to one real count, and still
  errs high on the other recorded requests of the same model.
* :class:`ApiCounter` wraps ``client.messages.count_tokens`` of the ``anthropic`` SDK (or
  anything with that method; ``client.beta.messages.count_tokens`` for a request with
  ``betas``) and memoizes by content: the same conversation, model and
  parameters are never counted twice, and :meth:`ApiCounter.counted_prefix` finds the longest
  already-counted prefix of a conversation, which lets trimming skip a call.
  :class:`AsyncApiCounter` is the same over ``anthropic.AsyncAnthropic``, with an ``async``
  ``count`` (an :class:`AsyncTokenCounter`); the two share everything but the call itself.

>>> from convo import Conversation, LocalCounter
>>> conv = Conversation(system="You are terse.").user("What is 2 + 2?").assistant("4")
>>> counter = LocalCounter()
>>> counter.count(conv, model="claude-sonnet-4-5")
33
>>> counter.count(conv, model="claude-opus-4-8") >= counter.count(conv, model="claude-sonnet-4-5")
True
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol, TypeVar, final, runtime_checkable

import attrs
import msgspec

from ._blocks import (
    Block,
    CompactionBlock,
    DocumentBlock,
    ImageBlock,
    MCPToolUseBlock,
    OpaqueBlock,
    RedactedThinkingBlock,
    SearchResultBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolAdditionBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from ._errors import ConvoError, InvalidArgument
from ._images import image_tokens, pdf_pages, sniff_base64
from ._message import Message, encode_json
from ._models import ModelProfile, profile
from ._params import COUNT_TOKENS_PARAMETERS, beta_names, current_turn_start, param_json, thinking_state

if TYPE_CHECKING:
    from ._conversation import Conversation

__all__ = [
    "ApiCounter",
    "AsyncApiCounter",
    "AsyncTokenCounter",
    "Estimate",
    "LocalCounter",
    "TokenCountError",
    "TokenCounter",
]


class TokenCountError(ConvoError):
    """A ``count_tokens`` call failed (network, authentication, a rejected request...).

    The SDK's exception is the ``__cause__``.

    >>> import convo
    >>> class Offline:  # stands in for an ``anthropic.Anthropic`` client without a network
    ...     class messages:
    ...         def count_tokens(**params):
    ...             raise ConnectionError("offline")
    >>> try:
    ...     convo.ApiCounter(Offline(), model="claude-opus-4-8").count(convo.Conversation().user("Hi"))
    ... except convo.TokenCountError as exc:
    ...     print(exc, "|", repr(exc.__cause__))
    count_tokens failed: ConnectionError: offline | ConnectionError('offline')
    """


@runtime_checkable
class TokenCounter(Protocol):
    """Counts the input tokens of a conversation sent to ``model``.

    ``params`` are request parameters that change the count (``thinking``, ``tool_choice``,
    ``system``/``tools`` replacing the conversation's, ...); a counter ignores those it has no
    use for.  ``name`` is what ``convo count`` reports (``"local"``, ``"api"``).

    >>> from convo import ApiCounter, LocalCounter, TokenCounter
    >>> isinstance(LocalCounter(), TokenCounter)
    True
    """

    @property
    def name(self) -> str:
        """A short name for reports."""
        ...

    def count(self, conversation: Conversation, /, *, model: str | None = None, **params: Any) -> int:
        """Input tokens of ``conversation`` (with ``params``) sent to ``model``."""
        ...


# -- the local estimate --------------------------------------------------------------------------

#: Characters per token of English prose and code on the tokenizer before Claude 4.7 (recorded
#: English prose runs 4 to 5; a smaller number errs high).
CHARS_PER_TOKEN: Final = 3.2
#: Characters per token of JSON (tool inputs and definitions, server-tool results): denser.
JSON_CHARS_PER_TOKEN: Final = 2.6
#: Extra tokens per UTF-8 byte beyond the first of a non-ASCII character (CJK: about 1 token
#: a character, accented Latin less).
NON_ASCII_TOKENS_PER_BYTE: Final = 0.5
#: The newer tokenizer (Claude 4.7+, Fable 5, Mythos 5, Haiku 5.5) yields about 30% more tokens.
NEW_TOKENIZER_FACTOR: Final = 1.3
#: Fixed tokens per request, per message and per content block (role and block markers).
REQUEST_OVERHEAD: Final = 8
MESSAGE_OVERHEAD: Final = 4
BLOCK_OVERHEAD: Final = 3
#: The hidden tool-use system prompt the API adds when ``tools`` is non-empty (the docs say
#: 346; recorded usage of Claude 4.5 and 4.6 with one small tool measures close to 500).
TOOLS_OVERHEAD: Final = 500
#: The definition the model sees in place of a tool the API defines (a ``type`` naming a version,
#: ``bash_20250124``), by that type without its date, in tokens of the tokenizer before Claude
#: 4.7: bash 245 and text editor 700 (docs: pricing, "Specific tool pricing"), computer use 735
#: per definition plus 499 of system prompt (the docs give 466 to 499), web search 1,700 (recorded:
#: the first sampling call of one on Opus 4.1, api-rules §6.5, counts 2,039 for a 10-word prompt).
ANTHROPIC_TOOL_TOKENS: Final[Mapping[str, int]] = {
    "bash": 245,
    "text_editor": 700,
    "computer": 735 + 499,
    "web_search": 1700,
}
#: The same on the newer tokenizer: the docs give bash 325 on Opus 4.7 and 4.8.
NEW_TOKENIZER_TOOL_FACTOR: Final = 1.33
#: The hidden prompt the API adds when thinking is on (``enabled`` or ``adaptive``, or by the
#: model's default): recorded usage measures 17 to 35.
THINKING_OVERHEAD: Final = 40
#: The hidden prompt of structured outputs (``output_config.format`` of type ``json_schema``) ...
STRUCTURED_OUTPUT_OVERHEAD: Final = 100
#: ... which restates the schema more verbosely than its compact JSON: characters per token
#: (recorded usage measures about 75 tokens plus a token per 1.8 characters of schema).
SCHEMA_CHARS_PER_TOKEN: Final = 1.6
#: Encoded data in text (random ids, keys, hashes, base64): a run of at least this many
#: characters without a space ...
DENSE_RUN: Final = 16
#: ... where at least this share of neighbouring characters switch from lower case to upper case
#: or between letters and digits (random base62 about 0.45, hex about 0.47, camelCase code
#: under 0.25) costs a token per character: the most a byte-level tokenizer can make of ASCII
#: (random base62 measures about 0.85 a character).
DENSE_SWITCH_RATE: Final = 0.3
#: Text tokens per PDF page: the docs give 1,500 to 3,000 (§6.8); the high end.
PDF_PAGE_TEXT_TOKENS: Final = 3000
#: Pages assumed for a PDF whose pages cannot be seen (a URL or Files-API source), or counted.
UNSEEN_PDF_PAGES: Final = 10
#: Bytes per page assumed for a PDF whose pages cannot be counted, when that gives more pages.
PDF_BYTES_PER_PAGE: Final = 50_000
#: Headroom a calibrated counter keeps above the real count it was fitted to.
CALIBRATION_HEADROOM: Final = 0.02
#: The lowest scale a calibration sets.  The corpus's real requests need up to 0.84 of the
#: character-based part (tool loops of JSON and short text); a fit on text that tokenizes better
#: (long English prose) or on a request the constant part dominates (a short prompt) must not
#: carry a lower one over to them.
MIN_SCALE: Final = 0.85

_RUN: Final = re.compile(rf"\S{{{DENSE_RUN},}}")
_TOOL_VERSION: Final = re.compile(r"_\d{8}$")
_SWITCH: Final = re.compile(r"[a-z](?=[A-Z0-9])|[A-Z](?=[0-9])|[0-9](?=[A-Za-z])")  # not Aa: words
_tier_max: Final = {"standard": 1568, "high": 4784}


@attrs.frozen(kw_only=True)
class Estimate:
    """A local estimate in three parts: ``constant`` (image patch formulas, per-request, message
    and block overheads, hidden prompts), ``guess`` (what cannot be seen: an image or PDF by URL
    or file, the text and images of a PDF's pages, the definition of a tool the API defines whose
    cost is not known) and ``heuristic`` (everything estimated from characters).  Calibration
    scales only the heuristic part, and fits it leaving guesses out."""

    constant: float = 0.0
    guess: float = 0.0
    heuristic: float = 0.0

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(
            constant=self.constant + other.constant,
            guess=self.guess + other.guess,
            heuristic=self.heuristic + other.heuristic,
        )

    def __sub__(self, other: Estimate) -> Estimate:
        return Estimate(
            constant=self.constant - other.constant,
            guess=self.guess - other.guess,
            heuristic=self.heuristic - other.heuristic,
        )

    def tokens(self, scale: float) -> int:
        """The whole estimate in tokens, with the heuristic part multiplied by ``scale``."""
        total = self.constant + self.guess + self.heuristic * scale
        if total == math.inf:
            raise InvalidArgument(f"LocalCounter.scale {scale!r} is too large: the estimate is infinite")
        return math.ceil(total - 1e-9)


_ZERO: Final = Estimate()


@attrs.frozen
class _Rates:
    chars: float
    json_chars: float
    non_ascii: float
    anthropic_tool: float
    image_tier: str
    keeps_prior_thinking: bool

    @classmethod
    def of(cls, p: ModelProfile) -> _Rates:
        factor = NEW_TOKENIZER_FACTOR if p.new_tokenizer else 1.0
        return cls(
            chars=CHARS_PER_TOKEN / factor,
            json_chars=JSON_CHARS_PER_TOKEN / factor,
            non_ascii=NON_ASCII_TOKENS_PER_BYTE * factor,
            anthropic_tool=NEW_TOKENIZER_TOOL_FACTOR if p.new_tokenizer else 1.0,
            image_tier=p.image_tier,
            keeps_prior_thinking=p.keeps_prior_thinking,
        )

    def text(self, s: str) -> float:
        n = len(s)
        dense = _dense(s) if n >= DENSE_RUN else 0
        plain = (n - dense) / self.chars + dense
        if s.isascii():
            return plain
        extra = len(s.encode("utf-8", "surrogatepass")) - n
        return plain + extra * self.non_ascii

    def json(self, value: object) -> float:
        wire = encode_json(value)
        n = len(wire)
        dense = _dense(wire.decode("utf-8", "replace")) if n >= DENSE_RUN else 0
        return (n - dense) / self.json_chars + dense

    def opaque(self, n_bytes: int) -> float:
        """Tokens of encrypted or encoded data of ``n_bytes`` decoded bytes (signatures, redacted)."""
        return n_bytes / self.chars


def _dense(s: str) -> int:
    """Characters of ``s`` in runs that look like encoded data (see :data:`DENSE_SWITCH_RATE`)."""
    total = 0
    for match in _RUN.finditer(s):
        run = match.group()
        if len(_SWITCH.findall(run)) >= DENSE_SWITCH_RATE * len(run):
            total += len(run)
    return total


def _tool_id(tool_id: str) -> float:
    """A tool call's id, as encoded data whatever its characters: API ids are random base62
    (``toolu_01...``), and the :data:`DENSE_SWITCH_RATE` test misses about a quarter of them."""
    return float(len(tool_id))


def _block(block: Block, r: _Rates, thinking: bool) -> Estimate:
    """One content block (``thinking``: whether thinking blocks count here)."""
    head = Estimate(constant=BLOCK_OVERHEAD)
    if isinstance(block, TextBlock):
        cites = r.json(block.citations) if block.citations else 0.0
        return head + Estimate(heuristic=r.text(block.text) + cites)
    if isinstance(block, ToolResultBlock):
        # the model sees the id it answers, and the toolset it echoes (§3.7)
        head = head + Estimate(heuristic=_tool_id(block.tool_use_id) + r.text(block.toolset_name or ""))
        content = block.content
        if content is None:
            return head
        if isinstance(content, str):
            return head + Estimate(heuristic=r.text(content))
        total = head
        for inner in content:
            total = total + _block(inner, r, thinking)
        return total
    if isinstance(block, ToolUseBlock | ServerToolUseBlock | MCPToolUseBlock):
        call = _tool_id(block.id) + r.text(block.name) + r.json(block.input)
        return head + Estimate(heuristic=call + _call_context(block, r))
    if isinstance(block, ThinkingBlock):
        if not thinking:
            return _ZERO
        # Omitted thinking comes back empty: the signature carries it (base64, 3 bytes per 4).
        return head + Estimate(heuristic=max(r.text(block.thinking), r.opaque(len(block.signature) * 3 // 4)))
    if isinstance(block, RedactedThinkingBlock):
        return head + Estimate(heuristic=r.opaque(len(block.data) * 3 // 4)) if thinking else _ZERO
    if isinstance(block, ImageBlock):
        return head + _image(block.source, r.image_tier)
    if isinstance(block, DocumentBlock):
        return head + _document(block, r, thinking)
    if isinstance(block, SearchResultBlock):
        total = head + Estimate(heuristic=r.text(block.source) + r.text(block.title))
        for inner in block.content:
            total = total + _block(inner, r, thinking)
        return total
    data = block.data if isinstance(block, OpaqueBlock) else block
    return head + Estimate(heuristic=r.json(data)) + _inline_tools(block, r)


def _call_context(block: ToolUseBlock | ServerToolUseBlock | MCPToolUseBlock, r: _Rates) -> float:
    """What a call says besides its id, name and input: the MCP server it goes to, the code
    execution that made it (``caller``, with that call's id), the toolset of a toolset member (§3.7)."""
    if isinstance(block, MCPToolUseBlock):
        return r.text(block.server_name)
    caller = r.json(block.caller) if block.caller else 0.0
    return caller + (r.text(block.toolset_name or "") if isinstance(block, ToolUseBlock) else 0.0)


def _image(source: Mapping[str, Any], tier: str) -> Estimate:
    if source.get("type") == "base64":
        info = sniff_base64(source.get("data"))  # type: ignore[arg-type]
        if info is not None and info.width and info.height:
            return Estimate(constant=image_tokens(info.width, info.height, tier=tier))
    return Estimate(guess=_tier_max.get(tier, 4784))  # a URL, a file, an unreadable header: the most


def _page_tokens(tier: str) -> int:
    return image_tokens(1700, 2200, tier=tier)  # a US Letter page rendered at the tier's size


def _document(block: DocumentBlock, r: _Rates, thinking: bool) -> Estimate:
    source = block.source
    kind = source.get("type")
    extra = r.text(block.title or "") + r.text(block.context or "")
    if kind == "text":
        data = source.get("data")
        return Estimate(heuristic=extra + (r.text(data) if isinstance(data, str) else 0.0))
    if kind == "content":
        content = source.get("content")
        if isinstance(content, str):
            return Estimate(heuristic=extra + r.text(content))
        total = Estimate(heuristic=extra)
        for item in content if isinstance(content, list) else ():
            if isinstance(item, Mapping):
                if item.get("type") == "text" and isinstance(item.get("text"), str):
                    total = total + Estimate(constant=BLOCK_OVERHEAD, heuristic=r.text(item["text"]))
                elif item.get("type") == "image" and isinstance(item.get("source"), Mapping):
                    total = total + Estimate(constant=BLOCK_OVERHEAD) + _image(item["source"], r.image_tier)
                else:
                    total = total + Estimate(heuristic=r.json(item))
        return total
    pages = _pdf_pages(source.get("data")) if kind == "base64" else UNSEEN_PDF_PAGES
    return Estimate(guess=pages * (_page_tokens(r.image_tier) + PDF_PAGE_TEXT_TOKENS), heuristic=extra)


def _pdf_pages(data: object) -> int:
    if not isinstance(data, str):
        return UNSEEN_PDF_PAGES
    return pdf_pages(data) or max(UNSEEN_PDF_PAGES, math.ceil(len(data) * 3 / 4 / PDF_BYTES_PER_PAGE))


def _message(message: Message, r: _Rates, thinking: bool) -> Estimate:
    content = message.content
    if isinstance(content, str):  # one text block on the wire
        return Estimate(constant=MESSAGE_OVERHEAD + BLOCK_OVERHEAD, heuristic=r.text(content))
    total = Estimate(constant=MESSAGE_OVERHEAD)
    for block in content:
        total = total + _block(block, r, thinking)
    return total


def _system(system: object, r: _Rates) -> Estimate:
    if system is None:
        return _ZERO
    if isinstance(system, str):
        return Estimate(heuristic=r.text(system))
    total = _ZERO
    for block in system if isinstance(system, Sequence) else ():
        if isinstance(block, TextBlock):
            total = total + Estimate(constant=BLOCK_OVERHEAD, heuristic=r.text(block.text))
        elif isinstance(block, Mapping) and isinstance(block.get("text"), str):
            total = total + Estimate(constant=BLOCK_OVERHEAD, heuristic=r.text(block["text"]))
        else:
            total = total + Estimate(heuristic=r.json(block))
    return total


def _tools(tools: Sequence[Any], r: _Rates) -> Estimate:
    if not tools:
        return _ZERO
    total = Estimate(constant=TOOLS_OVERHEAD)
    for tool in tools:
        total = total + _tool(tool, r)
    return total


def _tool(tool: object, r: _Rates) -> Estimate:
    """One tool definition, and the definition the model sees in its place (:func:`_served`)."""
    return Estimate(constant=BLOCK_OVERHEAD, heuristic=r.json(tool)) + _served(tool, r)


def _served(tool: object, r: _Rates) -> Estimate:
    """For a tool the API defines, the definition the model sees in its place:
    :data:`ANTHROPIC_TOOL_TOKENS`, or for one they do not list (web fetch, code execution,
    memory, tool search, an MCP toolset...), a guess at the largest of them."""
    kind = tool.get("type") if isinstance(tool, Mapping) else None
    if not isinstance(kind, str) or kind == "custom":
        return _ZERO
    known = ANTHROPIC_TOOL_TOKENS.get(_TOOL_VERSION.sub("", kind))
    if known is not None:
        return Estimate(constant=known * r.anthropic_tool)
    return Estimate(guess=max(ANTHROPIC_TOOL_TOKENS.values()) * r.anthropic_tool)


def _inline_definitions(block: Block) -> list[object]:
    """The tools a block defines inline (§1.13): the definition of a ``tool_addition`` of a
    ``tool_definition``, or of each one among a compaction's ``tool_changes``."""
    if isinstance(block, ToolAdditionBlock):
        changes: object = [{"type": "tool_addition", "tool": block.tool}]
    elif isinstance(block, CompactionBlock):
        changes = block.tool_changes
    else:
        return []
    definitions = []
    for change in changes if isinstance(changes, list) else ():
        tool = (
            change.get("tool") if isinstance(change, dict) and change.get("type") == "tool_addition" else None
        )
        if isinstance(tool, dict) and tool.get("type") == "tool_definition":
            definitions.append(tool.get("definition"))
    return definitions


def _inline_tools(block: Block, r: _Rates) -> Estimate:
    """What the tools a block defines inline add: each serves the model the same definition a
    ``tools`` entry would (:func:`_served`)."""
    total = _ZERO
    for definition in _inline_definitions(block):
        total = total + _served(definition, r)
    return total


def _defines_tools(message: Message) -> bool:
    """Whether ``message`` defines a tool inline (:func:`_inline_definitions`)."""
    return not isinstance(message.content, str) and any(map(_inline_definitions, message.content))


def _counted(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters that ``count_tokens`` takes, each checked to be JSON data, and ``system``
    and ``tools`` (which stand in for the conversation's) to have their shapes; and ``betas``
    unless empty, which only ``client.beta.messages.count_tokens`` takes."""
    counted = {k: v for k, v in params.items() if k in COUNT_TOKENS_PARAMETERS}
    for name, value in counted.items():
        param_json(value, name)
    betas = beta_names(params.get("betas"))
    if betas:
        counted["betas"] = list(betas)
    system, tools = counted.get("system"), counted.get("tools")
    if system is not None and not isinstance(system, str | list | tuple):
        raise InvalidArgument(
            f"system must be a string or a list of text blocks, not {type(system).__name__}"
        )
    if tools is not None and not isinstance(tools, list | tuple):
        raise InvalidArgument(f"tools must be a list of tool definitions, not {type(tools).__name__}")
    return counted


def estimate_parts(
    conversation: Conversation, *, model: str | None, params: Mapping[str, Any]
) -> tuple[Estimate, list[Estimate]]:
    """The fixed part (request overhead, system, tools) and one estimate per message."""
    tools = _declared_tools(conversation, params)
    fixed = estimate_fixed(conversation, model=model, params=params)
    return fixed, estimate_messages(conversation.messages, model=model, tools_declared=bool(tools))


def _declared_tools(conversation: Conversation, params: Mapping[str, Any]) -> Sequence[Any]:
    """The request's ``tools``: the parameter's, or else the conversation's."""
    tools = params["tools"] if "tools" in params else conversation.tools
    return tools or ()


def estimate_fixed(conversation: Conversation, *, model: str | None, params: Mapping[str, Any]) -> Estimate:
    """Request overhead, system prompt, tools, and the hidden prompts that parameters add."""
    p = profile(model)
    r = _Rates.of(p)
    system = params["system"] if "system" in params else conversation.system
    return (
        Estimate(constant=REQUEST_OVERHEAD)
        + _system(system, r)
        + _tools(_declared_tools(conversation, params), r)
        + _hidden(params, r, p)
    )


def _hidden(params: Mapping[str, Any], r: _Rates, p: ModelProfile) -> Estimate:
    """What thinking and structured outputs add to the prompt.  Thinking counts when it is on,
    and when it may be: a model that thinks by default does so without ``thinking`` (§4.7), and
    for an unknown model, or a ``thinking`` of no known type, convo cannot tell."""
    total = _ZERO
    thinking = params.get("thinking")
    kind = thinking.get("type") if isinstance(thinking, Mapping) else None
    if thinking_state(kind if isinstance(kind, str) else None, "thinking" in params, p) is not False:
        total = total + Estimate(constant=THINKING_OVERHEAD)
    config = params.get("output_config")
    form = config.get("format") if isinstance(config, Mapping) else None
    if isinstance(form, Mapping) and form.get("type") == "json_schema":
        schema = len(encode_json(form.get("schema")))
        chars = schema / SCHEMA_CHARS_PER_TOKEN * r.chars / CHARS_PER_TOKEN
        total = total + Estimate(constant=STRUCTURED_OUTPUT_OVERHEAD, heuristic=chars)
    return total


def estimate_messages(
    messages: Sequence[Message], *, model: str | None, tools_declared: bool
) -> list[Estimate]:
    """One estimate per message; prior turns' thinking counts only on models that keep it.

    With no ``tools`` declared, the model is served the hidden tool-use prompt all the same once
    a message defines a tool inline: each such message carries it (:data:`TOOLS_OVERHEAD`), so the
    count stays additive, and high where several do."""
    r = _Rates.of(profile(model))
    start = current_turn_start(messages)
    tool_prompt = Estimate(constant=0 if tools_declared else TOOLS_OVERHEAD)
    return [
        _message(m, r, r.keeps_prior_thinking or i > start or m.role != "assistant")
        + (tool_prompt if _defines_tools(m) else _ZERO)
        for i, m in enumerate(messages)
    ]


def prior_thinking(messages: Sequence[Message], *, model: str | None) -> Estimate:
    """The thinking of the assistant turns before the current one, on a model that keeps it in
    context (§4.10; nothing on one that drops it): input the model reads, which ``count_tokens``
    leaves out (§6.4), so trimming adds it to a real count (§9.7: assume the larger number)."""
    r = _Rates.of(profile(model))
    if not r.keeps_prior_thinking:
        return _ZERO
    total = _ZERO
    for message in messages[: max(0, current_turn_start(messages))]:
        if message.role == "assistant" and not isinstance(message.content, str):
            for block in message.content:
                if isinstance(block, ThinkingBlock | RedactedThinkingBlock):
                    total = total + _block(block, r, True)
    return total


def _model_of(conversation: Conversation, model: str | None, default: str | None) -> str | None:
    if model is not None:
        return model
    named: str | None = conversation._model
    return named if named is not None else default


@final
@attrs.frozen
class LocalCounter:
    """Estimates input tokens offline; errs on the high side.  The embedded default.

    ``model`` is the model assumed when neither the call nor the conversation names one (an
    unknown model is estimated with the newer tokenizer and the high-resolution image tier, the
    larger numbers).  ``scale`` (a finite number above 0) multiplies the character-based part of
    every estimate; make a counter fitted to a real count with :meth:`calibrated`.

    The count is additive: a fixed part plus one integer per message (:meth:`message_tokens`),
    so the count of any selection of whole messages is known without counting it again.

    >>> from convo import Conversation, LocalCounter
    >>> conv = Conversation().user("Hello there, how are you today?")
    >>> counter = LocalCounter(model="claude-sonnet-4-5")
    >>> counter.count(conv)
    25
    >>> counter.calibrated(conv, 40).count(conv)  # under the real count: raised to it, plus 2%
    41
    >>> counter.calibrated(conv, 16).count(conv)  # over it: lowered, as far as MIN_SCALE goes
    24
    """

    model: str | None = None
    scale: float = 1.0

    def __attrs_post_init__(self) -> None:
        if self.model is not None and not isinstance(self.model, str):
            raise InvalidArgument(f"LocalCounter.model must be a model id or None, not {self.model!r}")
        scale = self.scale
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale < math.inf:
            raise InvalidArgument(f"LocalCounter.scale must be a finite number above 0, not {scale!r}")

    @property
    def name(self) -> str:
        """``"local"``."""
        return "local"

    def count(self, conversation: Conversation, /, *, model: str | None = None, **params: Any) -> int:
        """Estimated input tokens of ``conversation`` sent to ``model``."""
        fixed, per_message = self.parts(conversation, model=model, **params)
        return fixed + sum(per_message)

    def parts(
        self, conversation: Conversation, /, *, model: str | None = None, **params: Any
    ) -> tuple[int, list[int]]:
        """The count split into its fixed part and one integer per message (they add up)."""
        model = _model_of(conversation, model, self.model)
        fixed, messages = estimate_parts(conversation, model=model, params=_counted(params))
        return fixed.tokens(self.scale), [m.tokens(self.scale) for m in messages]

    def message_tokens(self, conversation: Conversation, /, *, model: str | None = None) -> list[int]:
        """The estimate of each message, in order."""
        return self.parts(conversation, model=model)[1]

    def calibrated(
        self, conversation: Conversation, input_tokens: int, /, *, model: str | None = None, **params: Any
    ) -> LocalCounter:
        """A counter fitted to one real count (``input_tokens`` from ``count_tokens``).

        The character-based part is scaled so that this conversation estimates at
        ``input_tokens`` plus 2% headroom, and down to :data:`MIN_SCALE` at most; the constant
        part (image formulas, overheads, hidden prompts) stays as it is.  What cannot be seen (an
        image or PDF by URL or file, a PDF's pages) is left out of the fit, as if it cost
        nothing, and keeps its estimate: a fit that errs high.  So is the thinking of earlier
        turns on a model that keeps it, which ``count_tokens`` leaves out (§6.4) and the model
        reads all the same (§9.7): fitted on like with like, and then counted at the fitted scale.
        """
        if (
            isinstance(input_tokens, bool)
            or not isinstance(input_tokens, int)
            or not 0 <= input_tokens < 2**53
        ):
            raise InvalidArgument(
                f"input_tokens must be a count of tokens (an int >= 0), not {input_tokens!r}"
            )
        model = _model_of(conversation, model, self.model)
        fixed, messages = estimate_parts(conversation, model=model, params=_counted(params))
        counted = sum(messages, fixed) - prior_thinking(conversation.messages, model=model)
        if counted.heuristic <= 0:
            return self
        wanted = input_tokens * (1 + CALIBRATION_HEADROOM) - counted.constant
        return attrs.evolve(self, model=model, scale=max(wanted / counted.heuristic, MIN_SCALE))


# -- the API counters ----------------------------------------------------------------------------


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@attrs.frozen
class _Ask:
    """One ``count_tokens`` request to make: the memo key its answer is kept under, and the body."""

    key: bytes
    body: dict[str, Any]


class TokensCount(Protocol):
    """What ``count_tokens`` answers (the SDK's ``MessageTokensCount``), or a mapping with the key."""

    @property
    def input_tokens(self) -> int: ...


Counted = TokensCount | Mapping[str, Any]


class _Messages(Protocol):
    @property
    def count_tokens(self) -> Callable[..., Counted]: ...


class _AsyncMessages(Protocol):
    @property
    def count_tokens(self) -> Callable[..., Awaitable[Counted]]: ...


class CountingClient(Protocol):
    """A client whose ``messages.count_tokens(**params)`` counts: ``anthropic.Anthropic`` (and
    its Vertex kin), or a stand-in.  Counting a request with ``betas`` also needs
    ``beta.messages.count_tokens``, as the SDK's clients have.  The SDK's Bedrock client has the
    method but refuses every call, though the docs list Bedrock (api-rules §6.9, §9.9)."""

    @property
    def messages(self) -> _Messages: ...


class AsyncCountingClient(Protocol):
    """The same for ``await messages.count_tokens(**params)``: ``anthropic.AsyncAnthropic``."""

    @property
    def messages(self) -> _AsyncMessages: ...


ClientT = TypeVar("ClientT", CountingClient, AsyncCountingClient)


class CountMemo(Generic[ClientT]):
    """What :class:`ApiCounter` and :class:`AsyncApiCounter` share: which request to count, the
    memo of counts by content, the call counter, and reading the answer.  Only the call differs."""

    def __init__(
        self,
        client: ClientT,
        *,
        model: str | None = None,
        estimator: LocalCounter | None = None,
        memo_size: int = 4096,
    ) -> None:
        self.client: ClientT = client
        self.model = model
        self.estimator = estimator if estimator is not None else LocalCounter(model=model)
        if isinstance(memo_size, bool) or not isinstance(memo_size, int) or memo_size < 0:
            raise InvalidArgument(
                f"memo_size is how many counts to remember (an int >= 0), not {memo_size!r}"
            )
        self.calls = 0
        self._memo_size = memo_size
        self._memo: OrderedDict[bytes, int] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """``"api"``."""
        return "api"

    def __repr__(self) -> str:
        kind = type(self).__name__
        return f"<{kind} model={self.model!r}: {self.calls} calls, {len(self._memo)} remembered>"

    def _model(self, conversation: Conversation, model: str | None) -> str:
        found = _model_of(conversation, model, self.model)
        if found is None:
            kind = type(self).__name__
            raise InvalidArgument(f"count_tokens needs a model: pass model=, or {kind}(client, model=...)")
        return found

    def _chain(self, conversation: Conversation, model: str, params: Mapping[str, Any]) -> list[bytes]:
        """Digest of the request head, then of every prefix of the messages."""
        head = encode_json([model, {k: params[k] for k in sorted(params)}])
        if "system" not in params:
            head += b"\x00s" + (conversation._system_wire or b"")
        if "tools" not in params:
            head += b"\x00t" + b"\x00".join(conversation._tools_wire)
        chain = [_digest(head)]
        for message in conversation.messages:
            chain.append(_digest(chain[-1] + _digest(message.to_json())))
        return chain

    def _remembered(self, key: bytes) -> int | None:
        with self._lock:
            found = self._memo.get(key)
            if found is not None:
                self._memo.move_to_end(key)
            return found

    def _remember(self, key: bytes, value: int) -> None:
        with self._lock:
            self._memo[key] = value
            self._memo.move_to_end(key)
            while len(self._memo) > self._memo_size:
                self._memo.popitem(last=False)

    def _ask(self, conversation: Conversation, model: str | None, params: Mapping[str, Any]) -> int | _Ask:
        """The remembered count, or the request to make for it."""
        model = self._model(conversation, model)
        sent = _counted(params)
        key = self._chain(conversation, model, sent)[-1]
        known = self._remembered(key)
        if known is not None:
            return known
        body: dict[str, Any] = msgspec.json.decode(conversation.to_json())
        body.update(sent)
        body["model"] = model
        for name in ("system", "tools"):  # None replaces the conversation's with none: not sent
            if name in sent and sent[name] is None:
                del body[name]
        return _Ask(key, body)

    def _endpoint(self, ask: _Ask) -> Any:
        """The ``count_tokens`` that counts ``ask``: ``client.beta.messages``'s for a request with
        ``betas`` (the only one that takes them, sending them as the ``anthropic-beta`` header),
        else ``client.messages``'s."""
        if "betas" not in ask.body:
            return self.client.messages.count_tokens
        beta = getattr(self.client, "beta", None)
        if beta is None:
            raise InvalidArgument(
                f"betas are counted by client.beta.messages.count_tokens: {type(self.client).__name__} has no beta"
            )
        return beta.messages.count_tokens

    @contextlib.contextmanager
    def _calling(self) -> Iterator[None]:
        """Around one real call: counts it, and turns the SDK's exception into TokenCountError."""
        try:
            yield
        except ConvoError:
            raise
        except Exception as exc:
            raise TokenCountError(f"count_tokens failed: {type(exc).__name__}: {exc}") from exc
        finally:
            with self._lock:
                self.calls += 1

    def _answer(self, ask: _Ask, result: object) -> int:
        """``input_tokens`` of a ``count_tokens`` result, remembered under the request's key."""
        value = (
            result.get("input_tokens")
            if isinstance(result, Mapping)
            else getattr(result, "input_tokens", None)
        )
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise TokenCountError(f"count_tokens returned no input_tokens count: {result!r}")
        self._remember(ask.key, value)
        return value

    def counted_prefix(
        self, conversation: Conversation, /, *, model: str | None = None, **params: Any
    ) -> tuple[int, int] | None:
        """``(n, input_tokens)`` for the longest counted prefix of ``n`` messages, or ``None``.

        ``n == len(conversation)`` means the whole conversation was counted already.  It only
        looks in the memo: no call is made.
        """
        model = self._model(conversation, model)
        chain = self._chain(conversation, model, _counted(params))
        for n in range(len(chain) - 1, 0, -1):
            known = self._remembered(chain[n])
            if known is not None:
                return n, known
        return None


class ApiCounter(CountMemo[CountingClient]):
    """Counts with the real ``count_tokens`` endpoint, memoized by content.

    ``client`` is an ``anthropic.Anthropic`` client (or anything whose
    ``client.messages.count_tokens(**params)`` returns an object or dict with
    ``input_tokens``).  Parameters ``count_tokens`` does not take (``max_tokens``,
    ``stop_sequences``, ``metadata``, ...) are dropped, since they do not change the count;
    ``betas`` are not: a request with them is counted by
    ``client.beta.messages.count_tokens(..., betas=[...])``.  For ``anthropic.AsyncAnthropic``,
    use :class:`AsyncApiCounter`.

    A count is remembered by a digest of the model, the parameters (``betas`` among them), the
    system prompt, the tools and each message's wire bytes, so the same request is never
    counted twice; ``calls`` says how many requests were really made.  :meth:`counted_prefix`
    finds the longest prefix of a conversation that was counted before: after a turn is
    appended, trimming uses it to skip the call that would measure the whole conversation.
    ``estimator`` is the local counter trimming uses to choose where to cut between real counts.

    >>> from convo import ApiCounter, Conversation
    >>> class FakeMessages:
    ...     def count_tokens(self, **params):
    ...         return {"input_tokens": len(str(params["messages"]))}
    >>> class FakeClient:
    ...     messages = FakeMessages()
    >>> counter = ApiCounter(FakeClient(), model="claude-opus-4-8")
    >>> conv = Conversation().user("Hi")
    >>> counter.count(conv), counter.count(conv), counter.calls
    (35, 35, 1)
    """

    def count(self, conversation: Conversation, /, *, model: str | None = None, **params: Any) -> int:
        """``input_tokens`` from ``count_tokens``; a request counted before costs no call."""
        ask = self._ask(conversation, model, params)
        if isinstance(ask, int):
            return ask
        count_tokens = self._endpoint(ask)
        with self._calling():
            result = count_tokens(**ask.body)
        return self._answer(ask, result)


def _cancelling() -> bool:
    """Whether the running task is being cancelled (not only woken by a future that was)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


@runtime_checkable
class AsyncTokenCounter(Protocol):
    """A counter whose ``count`` is a coroutine (:class:`AsyncApiCounter`, or one's own).

    :func:`convo.atrim` takes one, or any :class:`TokenCounter`.

    >>> import asyncio, convo
    >>> class ByteCounter:  # a rough async counter of one's own
    ...     name = "bytes"
    ...     async def count(self, conversation, /, *, model=None, **params):
    ...         return len(conversation.to_json()) // 4
    >>> isinstance(ByteCounter(), convo.AsyncTokenCounter)
    True
    >>> asyncio.run(ByteCounter().count(convo.Conversation().user("Hello there")))
    13
    """

    @property
    def name(self) -> str:
        """A short name for reports."""
        ...

    async def count(self, conversation: Conversation, /, *, model: str | None = None, **params: Any) -> int:
        """Input tokens of ``conversation`` (with ``params``) sent to ``model``."""
        ...


class AsyncApiCounter(CountMemo[AsyncCountingClient]):
    """:class:`ApiCounter` for ``anthropic.AsyncAnthropic``: ``await counter.count(conv)``.

    The same memo by content and :meth:`counted_prefix`; in addition, concurrent counts of the
    same request (``asyncio.gather``) share one call (a count that is cancelled cancels only
    itself: when it was the one making the call, the others count again).

    >>> import asyncio
    >>> from convo import AsyncApiCounter, Conversation
    >>> class FakeMessages:
    ...     async def count_tokens(self, **params):
    ...         return {"input_tokens": len(str(params["messages"]))}
    >>> class FakeClient:
    ...     messages = FakeMessages()
    >>> counter = AsyncApiCounter(FakeClient(), model="claude-opus-4-8")
    >>> conv = Conversation().user("Hi")
    >>> async def twice():
    ...     return await asyncio.gather(counter.count(conv), counter.count(conv))
    >>> asyncio.run(twice()), counter.calls
    ([35, 35], 1)
    """

    @functools.cached_property
    def _pending(self) -> dict[bytes, asyncio.Future[int]]:
        """The requests being counted now, each with the future that its concurrent counts await
        (made on first use, so the constructor is :class:`CountMemo`'s, as :class:`ApiCounter`'s)."""
        return {}

    async def count(self, conversation: Conversation, /, *, model: str | None = None, **params: Any) -> int:
        """``input_tokens`` from ``count_tokens``; a request counted before (or being counted) costs
        no call."""
        ask = self._ask(conversation, model, params)
        if isinstance(ask, int):
            return ask
        pending = self._pending.get(ask.key)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled() or _cancelling():
                    raise  # this count was cancelled
                # the count making the call was, not this one: count again (or wait for who does)
                return await self.count(conversation, model=model, **params)
        count_tokens = self._endpoint(ask)
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending[ask.key] = future
        try:
            with self._calling():
                result = await count_tokens(**ask.body)
            value = self._answer(ask, result)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._pending[ask.key]
