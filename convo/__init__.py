"""convo: typed, immutable conversations for the Anthropic Messages API.

>>> import convo
>>> conv = convo.Conversation().user("Hello")
>>> convo.check(conv.to_json()).valid
True
"""

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
from ._reply import Refused as Refused
from ._reply import Reply as Reply
from ._reply import ResponseError as ResponseError
from ._reply import ToolUseTruncated as ToolUseTruncated
from ._rules import RULES as RULES
from ._rules import Rule as Rule

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "AdvisorToolResultBlock",
    "BashCodeExecutionToolResultBlock",
    "Block",
    "BrowserStateBlock",
    "CacheControl",
    "CodeExecutionToolResultBlock",
    "CompactionBlock",
    "ContainerUploadBlock",
    "Conversation",
    "ConvoError",
    "DocumentBlock",
    "FallbackBlock",
    "ImageBlock",
    "InputError",
    "InvalidArgument",
    "MCPToolListingBlock",
    "MCPToolResultBlock",
    "MCPToolUseBlock",
    "Message",
    "Messages",
    "ModelProfile",
    "OpaqueBlock",
    "Problem",
    "RedactedThinkingBlock",
    "Refused",
    "Reply",
    "Report",
    "ResponseError",
    "Rule",
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
    "ToolUseTruncated",
    "ValidationError",
    "WebFetchToolResultBlock",
    "WebSearchToolResultBlock",
    "check",
    "profile",
]
