"""Typed content blocks: one frozen msgspec ``Struct`` per block type the API defines.

Every class declares the API's own ``type`` tag.  Field order follows the order the API itself
emits, so a block built in Python encodes the way the API would write it.  Free-form JSON values
(``tool_use.input``, server-tool result ``content``, citation objects) are plain ``dict``/``list``
values decoded in their original key order; treat them as read-only.

A block whose ``type`` is not known to this release decodes as :class:`OpaqueBlock`, which keeps
the whole object and re-encodes it exactly.  A known block with fields this release does not
know keeps them in its message's wire bytes; its struct has the fields it knows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypeVar, final

import msgspec

__all__ = [
    "BLOCK_CLASSES",
    "BLOCK_TYPES",
    "AdvisorToolResultBlock",
    "BashCodeExecutionToolResultBlock",
    "Block",
    "BrowserStateBlock",
    "CacheControl",
    "CodeExecutionToolResultBlock",
    "CompactionBlock",
    "ContainerUploadBlock",
    "DocumentBlock",
    "FallbackBlock",
    "ImageBlock",
    "KnownBlock",
    "MCPToolListingBlock",
    "MCPToolResultBlock",
    "MCPToolUseBlock",
    "OpaqueBlock",
    "RedactedThinkingBlock",
    "SearchResultBlock",
    "ServerToolResult",
    "ServerToolUseBlock",
    "TextBlock",
    "TextEditorCodeExecutionToolResultBlock",
    "ThinkingBlock",
    "ToolAdditionBlock",
    "ToolReferenceBlock",
    "ToolRemovalBlock",
    "ToolResultBlock",
    "ToolSearchToolResultBlock",
    "ToolUseBlock",
    "WebFetchToolResultBlock",
    "WebSearchToolResultBlock",
]

JSON: TypeAlias = Any
"""A free-form JSON value, decoded with its key order intact."""

_T = TypeVar("_T")
if TYPE_CHECKING:
    Omittable: TypeAlias = _T | None
else:

    class Omittable:
        """``Omittable[X]``: a field the API takes as ``X`` or not at all, never as ``null`` (the
        SDK's param types it without ``Optional``).  It is ``None`` when left out, but msgspec
        decodes only ``X``: a ``null`` on the wire fails, and the block is reported as malformed."""

        def __class_getitem__(cls, item: object) -> object:
            return item


class CacheControl(msgspec.Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True):
    """A prompt-cache breakpoint: ``{"type": "ephemeral", "ttl": "5m" | "1h"}``.

    ``type`` and ``ttl`` are plain strings so that a bad value is reported by the validator
    (rule ``cache-control-invalid``) rather than failing to decode.  ``type`` is required, as on
    the wire (a marker read without one, or with a type or ttl that is not a string, is
    reported as it is read); ``ttl`` is written only when it is given.

    >>> CacheControl(type="ephemeral", ttl="1h")
    CacheControl(type='ephemeral', ttl='1h')
    >>> msgspec.json.encode(CacheControl(type="ephemeral"))
    b'{"type":"ephemeral"}'
    """

    type: str
    ttl: str | msgspec.UnsetType = msgspec.UNSET

    @property
    def effective_ttl(self) -> str:
        """The TTL the API applies: ``"5m"`` when none is given."""
        return self.ttl if isinstance(self.ttl, str) else "5m"


class _Block(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    omit_defaults=True,
    tag_field="type",
    gc=False,
    forbid_unknown_fields=True,
):
    """Base of every typed block.

    Unknown fields fail decoding, so that a block with fields added after this release takes
    the codec's slower path, which keeps them in the wire bytes (and checks them as UTF-8).
    """

    @property
    def type(self) -> str:
        """The block's wire ``type`` tag."""
        tag = type(self).__struct_config__.tag
        assert isinstance(tag, str)
        return tag


@final
class TextBlock(_Block, tag="text", frozen=True):
    """``{"type": "text", "text": ...}``; ``citations`` only in assistant turns (rule 0.2c).

    >>> TextBlock(text="Hello")
    TextBlock(text='Hello', citations=None, cache_control=None)
    """

    text: str
    citations: list[JSON] | None = None
    cache_control: CacheControl | None = None


@final
class ImageBlock(_Block, tag="image", frozen=True):
    """An image; ``source`` is ``base64`` (``media_type``, ``data``), ``url`` or ``file``.

    >>> import convo
    >>> image = convo.ImageBlock(source={"type": "url", "url": "https://example.com/cat.png"})
    >>> convo.Message("user", [image, convo.TextBlock(text="What is this?")]).to_json()
    b'{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},{"type":"text","text":"What is this?"}]}'
    """

    source: dict[str, JSON]
    transformations: dict[str, JSON] | None = None
    cache_control: CacheControl | None = None


@final
class DocumentBlock(_Block, tag="document", frozen=True):
    """A document: PDF (base64 or url), plain text, custom content, or a Files-API file.

    >>> import convo
    >>> doc = convo.DocumentBlock(source={"type": "text", "media_type": "text/plain", "data": "Notes"}, title="notes.txt")
    >>> convo.Message("user", [doc]).to_json()
    b'{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"Notes"},"title":"notes.txt"}]}'
    """

    source: dict[str, JSON]
    title: str | None = None
    context: str | None = None
    citations: dict[str, JSON] | None = None
    cache_control: CacheControl | None = None


@final
class SearchResultBlock(_Block, tag="search_result", frozen=True):
    """A search result with its own text content; user turns only.

    >>> import convo
    >>> hit = convo.SearchResultBlock(source="https://example.com/faq", title="FAQ", content=(convo.TextBlock(text="Open 9-5."),))
    >>> convo.Message("user", [hit]).to_json()
    b'{"role":"user","content":[{"type":"search_result","source":"https://example.com/faq","title":"FAQ","content":[{"type":"text","text":"Open 9-5."}]}]}'
    """

    source: str
    title: str
    content: tuple[TextBlock, ...]
    citations: Omittable[dict[str, JSON]] = None
    cache_control: CacheControl | None = None


@final
class ThinkingBlock(_Block, tag="thinking", frozen=True):
    """Model reasoning; must be sent back unmodified.  It cannot carry ``cache_control``.

    The ``cache_control`` field exists only so that a stray marker is seen and reported
    (rule ``cache-control-ineligible``) instead of being silently dropped.

    >>> import convo
    >>> turn = convo.Message("assistant", [convo.ThinkingBlock(thinking="2 + 2 = 4", signature="EqQB...")])
    >>> turn.to_json()
    b'{"role":"assistant","content":[{"type":"thinking","thinking":"2 + 2 = 4","signature":"EqQB..."}]}'
    """

    thinking: str
    signature: str
    cache_control: CacheControl | None = None


@final
class RedactedThinkingBlock(_Block, tag="redacted_thinking", frozen=True):
    """Encrypted reasoning; opaque ``data``.  Cannot carry ``cache_control``.

    >>> import convo
    >>> convo.Message("assistant", [convo.RedactedThinkingBlock(data="EmwKAhgB...")]).to_json()
    b'{"role":"assistant","content":[{"type":"redacted_thinking","data":"EmwKAhgB..."}]}'
    """

    data: str
    cache_control: CacheControl | None = None


@final
class ToolUseBlock(_Block, tag="tool_use", frozen=True):
    """A client tool call: ``id``, ``name`` and ``input`` (key order kept exactly).

    >>> import convo
    >>> call = convo.ToolUseBlock(id="toolu_1", name="get_weather", input={"city": "Paris"})
    >>> [use.id for use in convo.Conversation().user("Weather in Paris?").assistant([call]).pending_tool_uses]
    ['toolu_1']
    """

    id: str
    name: str
    input: dict[str, JSON]
    # null is read and kept: the SDK's response model types it Optional, and its request union
    # takes response blocks unchanged (api-rules §2.1), so it sends a response's null back
    caller: dict[str, JSON] | None = None
    toolset_name: str | None = None
    cache_control: CacheControl | None = None


@final
class ToolReferenceBlock(_Block, tag="tool_reference", frozen=True):
    """A reference to a declared tool, inside ``tool_result`` content.

    >>> import convo
    >>> result = convo.ToolResultBlock(tool_use_id="toolu_1", content=(convo.ToolReferenceBlock(tool_name="get_weather"),))
    >>> convo.Message("user", [result]).to_json()
    b'{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"tool_reference","tool_name":"get_weather"}]}]}'
    """

    tool_name: str
    cache_control: CacheControl | None = None


@final
class BrowserStateBlock(_Block, tag="browser_state", frozen=True):
    """Browser toolset state, inside a browser ``tool_result``: open ``tabs`` and ``state_changes``.

    >>> import convo
    >>> state = convo.BrowserStateBlock(tabs=[{"tab_id": "1", "title": "", "url": "https://example.com"}])
    >>> convo.Message("user", [convo.ToolResultBlock(tool_use_id="toolu_1", content=(state,))]).to_json()
    b'{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"browser_state","tabs":[{"tab_id":"1","title":"","url":"https://example.com"}]}]}]}'
    """

    tabs: Omittable[list[JSON]] = None
    state_changes: list[JSON] | None = None
    cache_control: CacheControl | None = None


@final
class ToolResultBlock(_Block, tag="tool_result", frozen=True):
    """The answer to a ``tool_use``: ``content`` is a string or a tuple of blocks.

    A nested block of a type this release does not know appears as an :class:`OpaqueBlock`.

    >>> import convo
    >>> call = convo.ToolUseBlock(id="toolu_1", name="get_weather", input={"city": "Paris"})
    >>> conv = convo.Conversation().user("Weather in Paris?").assistant([call])
    >>> conv.user([convo.ToolResultBlock(tool_use_id="toolu_1", content="18 C, sunny")]).messages[-1].to_json()
    b'{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18 C, sunny"}]}'
    """

    tool_use_id: str
    if TYPE_CHECKING:  # what it holds: an unknown nested block is read as an OpaqueBlock
        content: Omittable[str | tuple[Block, ...]] = None
    else:  # what msgspec decodes in one pass (an unknown block sends the message to the slow path)
        content: Omittable[str | tuple[KnownBlock, ...]] = None
    is_error: Omittable[bool] = None
    toolset_name: str | None = None
    cache_control: CacheControl | None = None


@final
class ServerToolUseBlock(_Block, tag="server_tool_use", frozen=True):
    """A server tool call (web search, code execution, ...); id starts with ``srvtoolu_``.

    >>> import convo
    >>> call = convo.ServerToolUseBlock(id="srvtoolu_1", name="web_search", input={"query": "convo"})
    >>> convo.Message("assistant", [call]).to_json()
    b'{"role":"assistant","content":[{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"convo"}}]}'
    """

    id: str
    name: str
    input: dict[str, JSON]
    caller: dict[str, JSON] | None = None  # null as a response sends it (see ToolUseBlock)
    cache_control: CacheControl | None = None


class ServerToolResult(_Block, frozen=True):
    """Base of the result blocks of server tools, paired with a server tool use by ``tool_use_id``.

    >>> import convo
    >>> result = convo.WebFetchToolResultBlock(tool_use_id="srvtoolu_1", content={"type": "web_fetch_tool_result_error", "error_code": "unavailable"})
    >>> isinstance(result, convo.ServerToolResult), result.tool_use_id
    (True, 'srvtoolu_1')
    """

    tool_use_id: str
    # an object, or a web search's list of results: required by every one but the MCP result,
    # and never null (the SDK's params, §2.2)
    content: dict[str, JSON] | list[JSON]
    cache_control: CacheControl | None = None


@final
class WebSearchToolResultBlock(ServerToolResult, tag="web_search_tool_result", frozen=True):
    """Result of a ``web_search`` server tool call.

    >>> import convo
    >>> result = convo.WebSearchToolResultBlock(tool_use_id="srvtoolu_1", content=[{"type": "web_search_result", "url": "https://example.com", "title": "Example", "encrypted_content": "EqQB"}])
    >>> convo.Message("assistant", [result]).to_json()
    b'{"role":"assistant","content":[{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","url":"https://example.com","title":"Example","encrypted_content":"EqQB"}]}]}'
    """

    caller: dict[str, JSON] | None = None  # null as a response sends it (see ToolUseBlock)


@final
class WebFetchToolResultBlock(ServerToolResult, tag="web_fetch_tool_result", frozen=True):
    """Result of a ``web_fetch`` server tool call.

    >>> import convo
    >>> result = convo.WebFetchToolResultBlock(tool_use_id="srvtoolu_1", content={"type": "web_fetch_tool_result_error", "error_code": "url_not_allowed"})
    >>> convo.Message("assistant", [result]).to_json()
    b'{"role":"assistant","content":[{"type":"web_fetch_tool_result","tool_use_id":"srvtoolu_1","content":{"type":"web_fetch_tool_result_error","error_code":"url_not_allowed"}}]}'
    """

    caller: dict[str, JSON] | None = None  # null as a response sends it (see ToolUseBlock)


@final
class CodeExecutionToolResultBlock(ServerToolResult, tag="code_execution_tool_result", frozen=True):
    """Result of a ``code_execution`` server tool call.

    >>> import convo
    >>> result = convo.CodeExecutionToolResultBlock(tool_use_id="srvtoolu_1", content={"type": "code_execution_result", "stdout": "4", "stderr": "", "return_code": 0, "content": []})
    >>> convo.Message("assistant", [result]).to_json()
    b'{"role":"assistant","content":[{"type":"code_execution_tool_result","tool_use_id":"srvtoolu_1","content":{"type":"code_execution_result","stdout":"4","stderr":"","return_code":0,"content":[]}}]}'
    """


@final
class BashCodeExecutionToolResultBlock(ServerToolResult, tag="bash_code_execution_tool_result", frozen=True):
    """Result of a ``bash_code_execution`` server tool call.

    >>> import convo
    >>> result = convo.BashCodeExecutionToolResultBlock(tool_use_id="srvtoolu_1", content={"type": "bash_code_execution_result", "stdout": "a.txt", "stderr": "", "return_code": 0, "content": []})
    >>> convo.Message("assistant", [result]).to_json()
    b'{"role":"assistant","content":[{"type":"bash_code_execution_tool_result","tool_use_id":"srvtoolu_1","content":{"type":"bash_code_execution_result","stdout":"a.txt","stderr":"","return_code":0,"content":[]}}]}'
    """


@final
class TextEditorCodeExecutionToolResultBlock(
    ServerToolResult, tag="text_editor_code_execution_tool_result", frozen=True
):
    """Result of a ``text_editor_code_execution`` server tool call.

    >>> import convo
    >>> result = convo.TextEditorCodeExecutionToolResultBlock(tool_use_id="srvtoolu_1", content={"type": "text_editor_code_execution_view_result", "content": "hi", "file_type": "text"})
    >>> convo.Message("assistant", [result]).to_json()
    b'{"role":"assistant","content":[{"type":"text_editor_code_execution_tool_result","tool_use_id":"srvtoolu_1","content":{"type":"text_editor_code_execution_view_result","content":"hi","file_type":"text"}}]}'
    """


@final
class ToolSearchToolResultBlock(ServerToolResult, tag="tool_search_tool_result", frozen=True):
    """Result of a tool-search server tool call.

    >>> import convo
    >>> result = convo.ToolSearchToolResultBlock(tool_use_id="srvtoolu_1", content={"type": "tool_search_tool_search_result", "tool_references": []})
    >>> convo.Message("assistant", [result]).to_json()
    b'{"role":"assistant","content":[{"type":"tool_search_tool_result","tool_use_id":"srvtoolu_1","content":{"type":"tool_search_tool_search_result","tool_references":[]}}]}'
    """


@final
class AdvisorToolResultBlock(ServerToolResult, tag="advisor_tool_result", frozen=True):
    """Result of the advisor server tool (beta).

    >>> import convo
    >>> result = convo.AdvisorToolResultBlock(tool_use_id="srvtoolu_1", content={"type": "advisor_result", "text": "Looks right."})
    >>> convo.Message("assistant", [result]).to_json()
    b'{"role":"assistant","content":[{"type":"advisor_tool_result","tool_use_id":"srvtoolu_1","content":{"type":"advisor_result","text":"Looks right."}}]}'
    """


@final
class MCPToolUseBlock(_Block, tag="mcp_tool_use", frozen=True):
    """A call to a tool of a remote MCP server (beta); paired like a server tool.

    >>> import convo
    >>> call = convo.MCPToolUseBlock(id="mcptoolu_1", name="search", server_name="docs", input={"q": "cache"})
    >>> convo.Message("assistant", [call]).to_json()
    b'{"role":"assistant","content":[{"type":"mcp_tool_use","id":"mcptoolu_1","name":"search","server_name":"docs","input":{"q":"cache"}}]}'
    """

    id: str
    name: str
    server_name: str
    input: dict[str, JSON]
    cache_control: CacheControl | None = None


@final
class MCPToolResultBlock(ServerToolResult, tag="mcp_tool_result", frozen=True):
    """Result of an MCP tool call (beta).

    >>> import convo
    >>> result = convo.MCPToolResultBlock(tool_use_id="mcptoolu_1", content=[{"type": "text", "text": "Found 2 pages."}])
    >>> convo.Message("assistant", [result]).to_json()
    b'{"role":"assistant","content":[{"type":"mcp_tool_result","tool_use_id":"mcptoolu_1","content":[{"type":"text","text":"Found 2 pages."}]}]}'
    """

    content: JSON = None
    is_error: bool | None = None


@final
class MCPToolListingBlock(_Block, tag="mcp_tool_listing", frozen=True):
    """The tools an MCP server offered (beta).

    >>> import convo
    >>> listing = convo.MCPToolListingBlock(mcp_server_name="docs", tools=[{"name": "search"}])
    >>> convo.Message("assistant", [listing]).to_json()
    b'{"role":"assistant","content":[{"type":"mcp_tool_listing","mcp_server_name":"docs","tools":[{"name":"search"}]}]}'
    """

    mcp_server_name: str | None = None
    tools: JSON = None


@final
class ContainerUploadBlock(_Block, tag="container_upload", frozen=True):
    """Upload of a Files-API file into the code-execution container.

    >>> import convo
    >>> upload = convo.ContainerUploadBlock(file_id="file_011CNha8iCJcU1wXNR6q4V8w")
    >>> convo.Message("user", [upload]).to_json()
    b'{"role":"user","content":[{"type":"container_upload","file_id":"file_011CNha8iCJcU1wXNR6q4V8w"}]}'
    """

    file_id: str
    cache_control: CacheControl | None = None


@final
class CompactionBlock(_Block, tag="compaction", frozen=True):
    """A server-side compaction summary (beta); replaces the history before it.

    >>> import convo
    >>> summary = convo.CompactionBlock(content="The user is planning a trip to Lisbon.")
    >>> convo.Message("assistant", [summary]).to_json()
    b'{"role":"assistant","content":[{"type":"compaction","content":"The user is planning a trip to Lisbon."}]}'
    """

    content: str | None = None
    encrypted_content: str | None = None
    signature: str | None = None
    tool_changes: JSON = None
    cache_control: CacheControl | None = None


@final
class ToolAdditionBlock(_Block, tag="tool_addition", frozen=True):
    """Surfaces a deferred tool mid-conversation (beta, ``role: "system"`` messages only).

    >>> import convo
    >>> added = convo.ToolAdditionBlock(tool={"type": "tool_reference", "name": "get_weather"})
    >>> convo.Message("system", [added]).to_json()
    b'{"role":"system","content":[{"type":"tool_addition","tool":{"type":"tool_reference","name":"get_weather"}}]}'
    """

    tool: dict[str, JSON]
    cache_control: CacheControl | None = None


@final
class ToolRemovalBlock(_Block, tag="tool_removal", frozen=True):
    """Hides a tool mid-conversation (beta, ``role: "system"`` messages only).

    >>> import convo
    >>> removed = convo.ToolRemovalBlock(tool={"type": "tool_reference", "name": "get_weather"})
    >>> convo.Message("system", [removed]).to_json()
    b'{"role":"system","content":[{"type":"tool_removal","tool":{"type":"tool_reference","name":"get_weather"}}]}'
    """

    tool: dict[str, JSON]
    cache_control: CacheControl | None = None


@final
class FallbackBlock(_Block, tag="fallback", frozen=True):
    """Marks a server-side model fallback inside an assistant turn (beta).

    >>> import convo
    >>> fallback = convo.FallbackBlock(from_={"model": "claude-opus-4-8"}, to={"model": "claude-sonnet-4-5"})
    >>> convo.Message("assistant", [fallback]).to_json()
    b'{"role":"assistant","content":[{"type":"fallback","from":{"model":"claude-opus-4-8"},"to":{"model":"claude-sonnet-4-5"}}]}'
    """

    from_: JSON = msgspec.field(default=None, name="from")
    to: JSON = None
    trigger: JSON = None


KnownBlock: TypeAlias = (
    TextBlock
    | ImageBlock
    | DocumentBlock
    | SearchResultBlock
    | ThinkingBlock
    | RedactedThinkingBlock
    | ToolUseBlock
    | ToolResultBlock
    | ServerToolUseBlock
    | WebSearchToolResultBlock
    | WebFetchToolResultBlock
    | CodeExecutionToolResultBlock
    | BashCodeExecutionToolResultBlock
    | TextEditorCodeExecutionToolResultBlock
    | ToolSearchToolResultBlock
    | AdvisorToolResultBlock
    | ContainerUploadBlock
    | CompactionBlock
    | ToolAdditionBlock
    | ToolRemovalBlock
    | MCPToolUseBlock
    | MCPToolResultBlock
    | MCPToolListingBlock
    | FallbackBlock
    | ToolReferenceBlock
    | BrowserStateBlock
)


@final
class OpaqueBlock:
    """A block this release does not know (or could not type): kept whole, re-encoded exactly.

    ``data`` is the complete JSON object, including its ``type``.

    >>> OpaqueBlock({"type": "hologram", "frames": 3}).type
    'hologram'
    """

    __slots__ = ("data",)
    if TYPE_CHECKING:  # read-only to a type checker, as at run time

        @property
        def data(self) -> dict[str, JSON]: ...

    def __init__(self, data: dict[str, JSON]) -> None:
        object.__setattr__(self, "data", data)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("immutable type: 'OpaqueBlock'")

    @property
    def type(self) -> str:
        """The block's ``type`` tag, or ``""`` when it has none."""
        tag = self.data.get("type")
        return tag if isinstance(tag, str) else ""

    @property
    def cache_control(self) -> CacheControl | None:
        """The block's cache marker, if it carries a well-formed one."""
        raw = self.data.get("cache_control")
        if isinstance(raw, dict):
            ttl = raw.get("ttl")
            kind = raw.get("type")
            return CacheControl(
                type=kind if isinstance(kind, str) else "",
                ttl=ttl if isinstance(ttl, str) else msgspec.UNSET,
            )
        return None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OpaqueBlock) and _canonical(self.data) == _canonical(other.data)

    def __hash__(self) -> int:
        return hash(_canonical(self.data))

    def __repr__(self) -> str:
        return f"OpaqueBlock({self.data!r})"


def _canonical(value: JSON) -> bytes:
    return msgspec.json.encode(value)


Block: TypeAlias = KnownBlock | OpaqueBlock
"""Any content block: one of the typed block classes, or an :class:`OpaqueBlock`.

A union alias has no docstring of its own at run time, so its runnable example is in the
``convo`` package docstring (``convo/__init__.py``); tests/test_docs.py checks that it is there.
"""

BLOCK_TYPES: Final[dict[str, type[_Block]]] = {cls.__struct_config__.tag: cls for cls in KnownBlock.__args__}
"""Every known ``type`` tag and its class."""

BLOCK_CLASSES: Final[tuple[type, ...]] = (*BLOCK_TYPES.values(), OpaqueBlock)
"""Every class a block can be: ``isinstance(x, BLOCK_CLASSES)`` tells a block from other data."""

Role: TypeAlias = Literal["user", "assistant", "system"]
