"""convo: typed, immutable conversations for the Anthropic Messages API.

>>> import convo
>>> conv = convo.Conversation().user("Hello")
>>> convo.check(conv.to_json()).valid
True

``convo.RULES`` is the catalogue of every rule :func:`check` applies, by code, and ``convo.Block``
the union of every content block class (what ``Message.blocks`` holds); being a dict and a type
alias, they cannot carry docstrings of their own, so their examples are here:

>>> report = convo.check(b'[{"role": "user", "content": [{"type": "text", "text": ""}]}]')
>>> [(p.code, convo.RULES[p.code].summary) for p in report.problems]
[('text-empty', 'an empty text block')]
>>> [isinstance(b, convo.Block) for b in convo.Message("user", [convo.TextBlock(text="Hi")]).blocks]
[True]
"""

import importlib as _importlib
import typing as _typing

from ._blocks import AdvisorToolResultBlock as AdvisorToolResultBlock
from ._blocks import BashCodeExecutionToolResultBlock as BashCodeExecutionToolResultBlock
from ._blocks import Block as Block
from ._blocks import BrowserStateBlock as BrowserStateBlock
from ._blocks import CacheControl as CacheControl
from ._blocks import CodeExecutionToolResultBlock as CodeExecutionToolResultBlock
from ._blocks import CompactionBlock as CompactionBlock
from ._blocks import ContainerUploadBlock as ContainerUploadBlock
from ._blocks import DocumentBlock as DocumentBlock
from ._blocks import FallbackBlock as FallbackBlock
from ._blocks import ImageBlock as ImageBlock
from ._blocks import MCPToolListingBlock as MCPToolListingBlock
from ._blocks import MCPToolResultBlock as MCPToolResultBlock
from ._blocks import MCPToolUseBlock as MCPToolUseBlock
from ._blocks import OpaqueBlock as OpaqueBlock
from ._blocks import RedactedThinkingBlock as RedactedThinkingBlock
from ._blocks import SearchResultBlock as SearchResultBlock
from ._blocks import ServerToolResult as ServerToolResult
from ._blocks import ServerToolUseBlock as ServerToolUseBlock
from ._blocks import TextBlock as TextBlock
from ._blocks import TextEditorCodeExecutionToolResultBlock as TextEditorCodeExecutionToolResultBlock
from ._blocks import ThinkingBlock as ThinkingBlock
from ._blocks import ToolAdditionBlock as ToolAdditionBlock
from ._blocks import ToolReferenceBlock as ToolReferenceBlock
from ._blocks import ToolRemovalBlock as ToolRemovalBlock
from ._blocks import ToolResultBlock as ToolResultBlock
from ._blocks import ToolSearchToolResultBlock as ToolSearchToolResultBlock
from ._blocks import ToolUseBlock as ToolUseBlock
from ._blocks import WebFetchToolResultBlock as WebFetchToolResultBlock
from ._blocks import WebSearchToolResultBlock as WebSearchToolResultBlock
from ._check import check as check
from ._conversation import Conversation as Conversation
from ._conversation import Messages as Messages
from ._errors import ConvoError as ConvoError
from ._errors import InputError as InputError
from ._errors import InvalidArgument as InvalidArgument
from ._errors import Problem as Problem
from ._errors import Report as Report
from ._errors import ValidationError as ValidationError
from ._message import Message as Message
from ._models import ModelProfile as ModelProfile
from ._models import profile as profile
from ._models import refresh_profile as refresh_profile
from ._models import register_profile as register_profile
from ._reply import Refused as Refused
from ._reply import Reply as Reply
from ._reply import ResponseError as ResponseError
from ._reply import ToolUseTruncated as ToolUseTruncated
from ._rules import RULES as RULES
from ._rules import Rule as Rule

if _typing.TYPE_CHECKING:
    from ._cache import CacheBreakpoint as CacheBreakpoint
    from ._cache import CachePolicy as CachePolicy
    from ._cache import CachePrediction as CachePrediction
    from ._cache import cache_breakpoints as cache_breakpoints
    from ._cache import place_cache as place_cache
    from ._cache import predict_cache as predict_cache
    from ._cache import prewarm as prewarm
    from ._files import Saved as Saved
    from ._files import dumps as dumps
    from ._files import load as load
    from ._files import load_saved as load_saved
    from ._files import loads as loads
    from ._files import save as save
    from ._io import CorruptJournal as CorruptJournal
    from ._io import StorageError as StorageError
    from ._io import UnsupportedFormat as UnsupportedFormat
    from ._journal import Journal as Journal
    from ._journal import Recovery as Recovery
    from ._request import Request as Request
    from ._request import batch as batch
    from ._request import batch_body as batch_body
    from ._request import batch_headers as batch_headers
    from ._request import batch_jsonl as batch_jsonl
    from ._store import ConversationNotFound as ConversationNotFound
    from ._store import DirectoryStore as DirectoryStore
    from ._store import SQLiteStore as SQLiteStore
    from ._store import Store as Store
    from ._store import check_id as check_id
    from ._stream import Accumulator as Accumulator
    from ._stream import StreamError as StreamError
    from ._stream import StreamErrorEvent as StreamErrorEvent
    from ._stream import accumulate as accumulate
    from ._stream import accumulate_all as accumulate_all
    from ._stream import accumulate_async as accumulate_async
    from ._tokens import ApiCounter as ApiCounter
    from ._tokens import AsyncApiCounter as AsyncApiCounter
    from ._tokens import AsyncTokenCounter as AsyncTokenCounter
    from ._tokens import LocalCounter as LocalCounter
    from ._tokens import TokenCounter as TokenCounter
    from ._tokens import TokenCountError as TokenCountError
    from ._tools import Tool as Tool
    from ._tools import ToolInputError as ToolInputError
    from ._tools import tool as tool
    from ._transcripts import SkippedEntry as SkippedEntry
    from ._transcripts import TranscriptImport as TranscriptImport
    from ._transcripts import import_transcript as import_transcript
    from ._trim import BudgetTooSmall as BudgetTooSmall
    from ._trim import atrim as atrim

# Subsystems that load on first use, so that ``import convo`` stays fast: requests, caching,
# token counting, trimming, streams, typed tools and persistence.
_LAZY: _typing.Final[dict[str, str]] = {
    "Accumulator": "_stream",
    "ApiCounter": "_tokens",
    "AsyncApiCounter": "_tokens",
    "AsyncTokenCounter": "_tokens",
    "BudgetTooSmall": "_trim",
    "CacheBreakpoint": "_cache",
    "CachePolicy": "_cache",
    "CachePrediction": "_cache",
    "ConversationNotFound": "_store",
    "CorruptJournal": "_io",
    "DirectoryStore": "_store",
    "Journal": "_journal",
    "LocalCounter": "_tokens",
    "Recovery": "_journal",
    "Request": "_request",
    "SQLiteStore": "_store",
    "Saved": "_files",
    "SkippedEntry": "_transcripts",
    "StorageError": "_io",
    "Store": "_store",
    "StreamError": "_stream",
    "StreamErrorEvent": "_stream",
    "TokenCountError": "_tokens",
    "TokenCounter": "_tokens",
    "Tool": "_tools",
    "ToolInputError": "_tools",
    "TranscriptImport": "_transcripts",
    "UnsupportedFormat": "_io",
    "accumulate": "_stream",
    "accumulate_all": "_stream",
    "accumulate_async": "_stream",
    "atrim": "_trim",
    "batch": "_request",
    "batch_body": "_request",
    "batch_headers": "_request",
    "batch_jsonl": "_request",
    "cache_breakpoints": "_cache",
    "check_id": "_store",
    "dumps": "_files",
    "import_transcript": "_transcripts",
    "load": "_files",
    "load_saved": "_files",
    "loads": "_files",
    "place_cache": "_cache",
    "predict_cache": "_cache",
    "prewarm": "_cache",
    "save": "_files",
    "tool": "_tools",
}


if not _typing.TYPE_CHECKING:  # type checkers see the imports above: a misspelt name is an error

    def __getattr__(name: str) -> _typing.Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'convo' has no attribute {name!r}")
        value = getattr(_importlib.import_module("." + module, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*__all__, "__version__"})


__version__ = "0.1.0"

__all__ = [
    "RULES",
    "Accumulator",
    "AdvisorToolResultBlock",
    "ApiCounter",
    "AsyncApiCounter",
    "AsyncTokenCounter",
    "BashCodeExecutionToolResultBlock",
    "Block",
    "BrowserStateBlock",
    "BudgetTooSmall",
    "CacheBreakpoint",
    "CacheControl",
    "CachePolicy",
    "CachePrediction",
    "CodeExecutionToolResultBlock",
    "CompactionBlock",
    "ContainerUploadBlock",
    "Conversation",
    "ConversationNotFound",
    "ConvoError",
    "CorruptJournal",
    "DirectoryStore",
    "DocumentBlock",
    "FallbackBlock",
    "ImageBlock",
    "InputError",
    "InvalidArgument",
    "Journal",
    "LocalCounter",
    "MCPToolListingBlock",
    "MCPToolResultBlock",
    "MCPToolUseBlock",
    "Message",
    "Messages",
    "ModelProfile",
    "OpaqueBlock",
    "Problem",
    "Recovery",
    "RedactedThinkingBlock",
    "Refused",
    "Reply",
    "Report",
    "Request",
    "ResponseError",
    "Rule",
    "SQLiteStore",
    "Saved",
    "SearchResultBlock",
    "ServerToolResult",
    "ServerToolUseBlock",
    "SkippedEntry",
    "StorageError",
    "Store",
    "StreamError",
    "StreamErrorEvent",
    "TextBlock",
    "TextEditorCodeExecutionToolResultBlock",
    "ThinkingBlock",
    "TokenCountError",
    "TokenCounter",
    "Tool",
    "ToolAdditionBlock",
    "ToolInputError",
    "ToolReferenceBlock",
    "ToolRemovalBlock",
    "ToolResultBlock",
    "ToolSearchToolResultBlock",
    "ToolUseBlock",
    "ToolUseTruncated",
    "TranscriptImport",
    "UnsupportedFormat",
    "ValidationError",
    "WebFetchToolResultBlock",
    "WebSearchToolResultBlock",
    "accumulate",
    "accumulate_all",
    "accumulate_async",
    "atrim",
    "batch",
    "batch_body",
    "batch_headers",
    "batch_jsonl",
    "cache_breakpoints",
    "check",
    "check_id",
    "dumps",
    "import_transcript",
    "load",
    "load_saved",
    "loads",
    "place_cache",
    "predict_cache",
    "prewarm",
    "profile",
    "refresh_profile",
    "register_profile",
    "save",
    "tool",
]
