"""The immutable :class:`Conversation` and the one function that reads any input into its parts.

Structure sharing: the messages of a conversation live in a *spine*, a list shared by every
version that extends another one.  A version is a (spine, length) pair and sees only the first
``length`` entries.  Appending to the newest version of a spine pushes onto the shared list (O(1)
amortized); appending to an older version (a branch) copies the prefix into a new spine once.
The same holds for the index of tool_use ids that makes the uniqueness rule O(1) per block.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, cast, final, overload

import attrs
import msgspec

from ._blocks import BLOCK_CLASSES, Block, OpaqueBlock, Role, ToolUseBlock
from ._codec import (
    Body,
    FastBody,
    decode_body,
    decode_fast,
    decode_message,
    decode_system,
    decode_turn,
    encode_list,
    encode_python,
    split_list,
    to_json_bytes,
)
from ._errors import InputError, InvalidArgument, Problem, Report, ValidationError
from ._message import Message, holds_opaque
from ._models import model_given, profile
from ._params import MAX_BODY, check_body, check_model, check_size
from ._reply import DeclinedPolicy, RefusalPolicy, TruncationPolicy, append_reply
from ._rules import IdIndex, Mode, Validator, problem

if TYPE_CHECKING:
    from ._cache import CachePolicy
    from ._request import Request
    from ._tokens import AsyncTokenCounter, TokenCounter
    from ._trim import AsyncSummarizer, Summarizer

__all__ = ["Conversation", "Parts", "read", "refused_as_argument", "reread"]


_any: Final = msgspec.json.Decoder()

SAMPLING_PARAMETERS: Final = ("temperature", "top_p", "top_k")


@attrs.frozen
class Parts:
    """Everything read from one input, with every problem found on the way."""

    system: str | tuple[Block, ...] | None
    system_wire: bytes | None
    tools: tuple[dict[str, Any], ...]
    tools_wire: tuple[bytes, ...]
    tools_given: bool
    """Whether the input has a ``tools`` array, even an empty one (which is kept, as given)."""
    messages: list[Message]
    model: str | None
    state: Validator
    ids: IdIndex
    problems: list[Problem]


def read(
    data: object,
    *,
    model: str | None,
    mode: Mode | None = None,
    betas: Sequence[str] = (),
    paused: bool = False,
) -> Parts:
    """Read and validate any accepted input; unreadable input raises :class:`InputError`.

    ``mode`` ``None`` means: ``request`` readiness rules when a model is named (by the caller or
    in the body), plain ``conversation`` rules otherwise.  ``betas``: the beta names a request
    body is sent with (its ``anthropic-beta`` header).  ``paused``: the last turn is a response
    that stopped with ``pause_turn`` (as a convo file's ``"paused": true`` says), not a prefill.
    """
    model_given(model)
    try:
        return _read(data, model=model, mode=mode, betas=betas, paused=paused)
    except RecursionError:  # msgspec guards its own recursion; hostile nesting lands here
        raise InputError("input is nested too deeply") from None


def _read(data: object, *, model: str | None, mode: Mode | None, betas: Sequence[str], paused: bool) -> Parts:
    problems: list[Problem] = []
    sink = problems.append
    body: FastBody | Body | None = decode_fast(data)
    if body is None:
        body = decode_body(data, sink)
    fields, values = body.fields, body.values
    if body.kind == "response":
        raise InputError("this is an API response, not a conversation: use Conversation.reply()")
    if model is None and isinstance(values.get("model"), str):
        model = values["model"]
    if mode is None:
        mode = "request" if model is not None else "conversation"
    ids = IdIndex()
    state = Validator(profile=profile(model), ids=ids, sink=sink)

    tools: tuple[dict[str, Any], ...] = ()
    tools_wire: tuple[bytes, ...] = ()
    tools_given = "tools" in fields
    if tools_given:
        raw_tools = split_list(fields["tools"], ("tools",), "tool-invalid", sink)
        tools_wire = tuple(bytes(raw) for raw in raw_tools)  # kept byte for byte: the cache prefix
        if raw_tools:
            tools = tuple(values["tools"])
        state.feed_tools(list(tools))
    system = body.system if isinstance(body, FastBody) else None  # the fast reader typed it
    system_wire: bytes | None = None
    if "system" in fields:
        system_wire = bytes(fields["system"])
        if system is None:
            system = decode_system(fields["system"], sink)
        state.feed_system(system)
    if body.kind == "request":
        if "cache_control" in fields:
            state.feed_top_cache(values["cache_control"])
        for name in SAMPLING_PARAMETERS:
            if name in fields:
                sink(
                    problem(
                        "sampling-parameter-removed",
                        (name,),
                        f"{name!r} is rejected by API version 2026-10-21, even at its default",
                    )
                )

    if isinstance(body, FastBody):
        messages = body.messages
        state.feed_all(messages)
    else:
        messages = []
        for index, raw in enumerate(body.messages):
            message = decode_message(bytes(raw), ("messages", index), sink)
            messages.append(message)
            state.feed(message)
    if paused or (body.kind == "file" and values.get("paused") is True):
        state.told_paused()  # what Conversation.reply() knew
    state.finish(
        mode, messages, betas=betas, messages_known=isinstance(body, FastBody) or body.messages_known
    )
    if body.kind == "request" or mode == "request":  # request-level rules: convo/_params.py
        # a bare messages array or a convo file checked for a model is the request it would send
        check_body(
            {k: v for k, v in values.items() if k not in ("system", "tools")}
            if body.kind == "request"
            else {},
            profile=state.profile,
            tools=tools,
            strict_load=state.strict_load,
            messages=messages,
            paused=state.paused,
            request_mode=mode == "request",
            sink=sink,
            betas=betas,
        )
        # the size as sent (compact): known for Python data, which was encoded compact to be read
        if body.size is not None:
            check_size(body.size, sink)
        elif isinstance(data, bytes | bytearray | memoryview | str):
            if len(data) * (4 if isinstance(data, str) else 1) > MAX_BODY:  # 4: UTF-8 bytes a char
                check_size(len(to_json_bytes(data)), sink)
    elif model is not None:  # a model given for a bare conversation: warned about as in a body
        check_model(state.profile, sink)
    return Parts(system, system_wire, tools, tools_wire, tools_given, messages, model, state, ids, problems)


class _Spine:
    """Message storage shared by versions of a conversation that extend one another."""

    __slots__ = ("_wires", "ids", "lock", "messages")

    def __init__(self, messages: list[Message], ids: IdIndex) -> None:
        self.messages = messages
        self._wires: list[bytes] | None = None
        self.ids = ids
        self.lock = threading.RLock()

    @property
    def wires(self) -> list[bytes]:
        """Every message's wire bytes, kept beside them once asked for: to_json() is one join."""
        wires = self._wires
        if wires is None:
            with self.lock:
                if self._wires is None:
                    self._wires = [m.to_json() for m in self.messages]
                wires = self._wires
        return wires

    def push(self, message: Message) -> None:
        self.messages.append(message)
        if self._wires is not None:
            self._wires.append(message.to_json())


class Messages(Sequence[Message]):
    """A read-only view of a conversation's messages (O(1) to make, no copy).

    >>> import convo
    >>> messages = convo.Conversation().user("Hi").assistant("Hello").messages
    >>> len(messages), messages[-1].role, [m.content for m in messages]
    (2, 'assistant', ['Hi', 'Hello'])
    """

    __slots__ = ("_items", "_length")

    def __init__(self, items: list[Message], length: int) -> None:
        self._items = items
        self._length = length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Message: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Message, ...]: ...
    def __getitem__(self, index: int | slice) -> Message | tuple[Message, ...]:
        if isinstance(index, slice):
            return tuple(self._items[: self._length][index])
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("message index out of range")
        return self._items[index]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle this view's messages only (the list it views may hold a later version's)."""
        return (Messages, (self._items[: self._length], self._length))

    def __iter__(self) -> Iterator[Message]:
        items = self._items
        for i in range(self._length):
            yield items[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Messages({list(self)!r})"


class SDKObject(Protocol):
    """An ``anthropic`` SDK (pydantic) object, such as a block of a response's ``content``:
    convo reads it with ``model_dump``, keeping the fields that were set."""

    def model_dump(
        self, *, mode: str = ..., by_alias: bool = ..., exclude_unset: bool = ..., warnings: bool = ...
    ) -> dict[str, Any]: ...


BlockLike = Block | Mapping[str, Any] | SDKObject
ToolOutput = str | Iterable[BlockLike] | BaseException


@final
class Conversation:
    """An immutable conversation: ``system``, ``tools`` and ``messages``, always valid.

    Every builder returns a new conversation and validates only what it adds.

    >>> from convo import Conversation
    >>> conv = Conversation(system="You are terse.").user("What is 2 + 2?")
    >>> conv = conv.assistant("4")
    >>> len(conv.messages), conv.messages[-1].content
    (2, '4')
    >>> conv.to_json()
    b'{"system":"You are terse.","messages":[{"role":"user","content":"What is 2 + 2?"},{"role":"assistant","content":"4"}]}'
    """

    __slots__ = (
        "_length",
        "_model",
        "_spine",
        "_state",
        "_system",
        "_system_wire",
        "_tools",
        "_tools_given",
        "_tools_wire",
    )

    _system: str | tuple[Block, ...] | None
    _system_wire: bytes | None
    _tools: tuple[dict[str, Any], ...]
    _tools_wire: tuple[bytes, ...]
    _tools_given: bool
    _spine: _Spine
    _length: int
    _state: Validator
    _model: str | None

    def __init__(
        self,
        *,
        system: str | Iterable[BlockLike] | None = None,
        tools: Iterable[Mapping[str, Any]] = (),
        messages: Iterable[Message | Mapping[str, Any]] = (),
        model: str | None = None,
    ) -> None:
        body: dict[str, Any] = {}
        if system is not None:
            body["system"] = (
                system
                if isinstance(system, str)
                else [_block_data(b) for b in _listed(system, "system must be a string or a list of blocks")]
            )
        tool_list = [_object(t, "a tool") for t in _listed(tools, "tools must be a list of tool definitions")]
        if tool_list:
            body["tools"] = tool_list
        body["messages"] = [_object(m, "a message") for m in _listed(messages, "messages must be a list")]
        with refused_as_argument():
            parts = read(body, model=model, mode="conversation")
        self._load(parts)

    def _load(self, parts: Parts) -> None:
        errors = [p for p in parts.problems if p.severity == "error" and p.scope == "conversation"]
        if errors:
            raise ValidationError(errors)
        self._set(
            system=parts.system,
            system_wire=parts.system_wire,
            tools=parts.tools,
            tools_wire=parts.tools_wire,
            tools_given=parts.tools_given,
            spine=_Spine(parts.messages, parts.ids),
            length=len(parts.messages),
            state=parts.state,
            model=parts.model,
        )

    def _set(
        self,
        *,
        system: str | tuple[Block, ...] | None,
        system_wire: bytes | None,
        tools: tuple[dict[str, Any], ...],
        tools_wire: tuple[bytes, ...],
        tools_given: bool,
        spine: _Spine,
        length: int,
        state: Validator,
        model: str | None,
    ) -> None:
        setter = object.__setattr__
        setter(self, "_system", system)
        setter(self, "_system_wire", system_wire)
        setter(self, "_tools", tools)
        setter(self, "_tools_wire", tools_wire)
        setter(self, "_tools_given", tools_given)
        setter(self, "_spine", spine)
        setter(self, "_length", length)
        setter(self, "_state", state)
        setter(self, "_model", model)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("immutable type: 'Conversation'")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the wire bytes, the model and whether it is paused; unpickling reads them
        back (validated)."""
        return (_unpickle, (self.to_json(), self._model, self._state.pause_untold))

    def __copy__(self) -> Conversation:
        return self  # immutable: a copy could only be the same value

    def __deepcopy__(self, memo: dict[int, Any]) -> Conversation:
        return self

    # -- reading ---------------------------------------------------------------------------------

    @classmethod
    def from_wire(cls, data: object, *, model: str | None = None) -> Conversation:
        """Read a conversation from JSON bytes or text, Python data, or SDK objects.

        Accepts a bare messages array, a request body (``messages``, ``system``, ``tools``, ...)
        or a saved convo file.  Raises :class:`convo.ValidationError` listing every problem, or
        :class:`convo.InputError` for input that is not a conversation at all.

        >>> conv = Conversation.from_wire(b'[{"role": "user", "content": "Hi"}]')
        >>> conv.to_json()
        b'{"messages":[{"role":"user","content":"Hi"}]}'
        """
        self = cls.__new__(cls)
        self._load(read(data, model=model, mode="conversation"))
        return self

    @property
    def system(self) -> str | tuple[Block, ...] | None:
        """The top-level system prompt, as given."""
        return self._system

    @property
    def tools(self) -> tuple[dict[str, Any], ...]:
        """The tool definitions, as given (treat them as read-only)."""
        return self._tools

    @property
    def messages(self) -> Messages:
        """The messages, oldest first."""
        return Messages(self._spine.messages, self._length)

    def __len__(self) -> int:
        return self._length

    def to_json(self) -> bytes:
        """Deterministic wire bytes: ``{"system"?, "tools"?, "messages"}``.

        Equal conversations give equal bytes; a conversation read from JSON gives back its
        input, compacted, with key order, unknown fields and number literals unchanged.
        """
        head = self._head()
        if not self._length:
            return head + b"]}"
        # One copy of the message bytes: the brackets ride on the first and last pieces.
        pieces = self._spine.wires[: self._length]
        pieces[0] = head + pieces[0]
        pieces[-1] = pieces[-1] + b"]}"
        return b",".join(pieces)

    def _head(self) -> bytes:
        """The wire bytes before the first message: ``{"system"?, "tools"?, "messages":[``."""
        head = b"{"
        if self._system_wire is not None:
            head += b'"system":' + self._system_wire + b","
        tools = self._tools_array()
        if tools is not None:
            head += b'"tools":' + tools + b","
        return head + b'"messages":['

    def _tools_array(self) -> bytes | None:
        """The wire bytes of ``tools``, or None when there is no ``tools``: an empty array
        given is kept, so that the input comes back as it was."""
        return encode_list(list(self._tools_wire)) if self._tools_given else None

    def check(self, *, model: str | None = None) -> Report:
        """Validate the whole conversation again, as a request for ``model`` if one is given."""
        return Report(tuple(read(self.to_json(), model=model, paused=self._state.pause_untold).problems))

    def request(
        self,
        *,
        model: str,
        max_tokens: int,
        cache: CachePolicy | Literal["auto"] | None = None,
        **params: Any,
    ) -> Request:
        """A finished, validated request for ``model``: see :class:`convo.Request`.

        ``params`` are the SDK's ``MessageCreateParams`` fields (``thinking``, ``tool_choice``,
        ``output_config``, ``system``/``tools`` to replace the conversation's, ...) and
        ``betas``, the beta client's ``anthropic-beta`` header names; ``cache``
        places prompt-cache breakpoints (``"auto"`` or a :class:`convo.CachePolicy`).  Raises
        :class:`convo.ValidationError` listing every problem: parameters the model or API
        version 2026-10-21 rejects, and a conversation not ready to send (a pending tool_use,
        a prefill the model refuses, thinking blocks the thinking mode needs or forbids).

        >>> conv = Conversation().user("What is 2 + 2?")
        >>> conv.request(model="claude-opus-4-8", max_tokens=1024).params()["messages"]
        [{'role': 'user', 'content': 'What is 2 + 2?'}]
        """
        from ._request import Request  # _request imports this module

        return Request(self, model=model, max_tokens=max_tokens, cache=cache, **params)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Conversation):
            return NotImplemented
        return (
            self._length == other._length
            and self._system_wire == other._system_wire
            and self._tools_wire == other._tools_wire
            and self._tools_given == other._tools_given
            and all(a == b for a, b in zip(self.messages, other.messages, strict=True))
        )

    def __hash__(self) -> int:
        return hash(self.to_json())

    def __repr__(self) -> str:
        return f"<Conversation: {self._length} messages, {len(self._tools)} tools>"

    # -- building --------------------------------------------------------------------------------

    def user(self, content: str | Iterable[BlockLike]) -> Conversation:
        """Append a user turn: a string, or blocks (convo blocks, plain dicts or SDK objects).

        Every field of a block given as data is kept, as :meth:`from_wire` keeps it.
        """
        return self.append(_turn("user", content))

    def assistant(self, content: str | Iterable[BlockLike]) -> Conversation:
        """Append an assistant turn: a string, or blocks (for instance an SDK response's
        ``content``)."""
        return self.append(_turn("assistant", content))

    def append(self, message: Message | Mapping[str, Any]) -> Conversation:
        """Append one message, checking it against the turn before it.

        Raises :class:`convo.ValidationError` if the message could not be sent after this
        conversation (an orphan tool_result, an unanswered tool_use, an empty text block, ...).
        """
        if not isinstance(message, Message):
            if not isinstance(message, Mapping):
                raise InvalidArgument(
                    f"append takes a convo.Message or a dict, not {type(message).__name__} "
                    "(an API response is appended with reply())"
                )
            with refused_as_argument():
                message = decode_turn(encode_python(dict(message), f"/messages/{self._length}"), self._length)
        elif holds_opaque(message.content):  # an OpaqueBlock made in Python may be a known block
            with refused_as_argument():
                message = decode_turn(message.to_json(), self._length)
        spine = self._spine
        with spine.lock:
            if len(spine.messages) != self._length:
                spine = _Spine(spine.messages[: self._length], spine.ids.copy_below(self._length))
            errors: list[Problem] = []
            state = self._state.fork(
                lambda p: errors.append(p) if p.severity == "error" and p.scope == "conversation" else None,
                spine.ids,
            )
            state.feed(message)
            if message.role == "user":
                # Built turns must be whole: every pending tool_use answered in this one message.
                state.require_answers()
            if errors:
                for tool_id in state.added:
                    spine.ids.ids.pop(tool_id, None)
                raise ValidationError(errors)
            spine.push(message)
        new = Conversation.__new__(Conversation)
        new._set(
            system=self._system,
            system_wire=self._system_wire,
            tools=self._tools,
            tools_wire=self._tools_wire,
            tools_given=self._tools_given,
            spine=spine,
            length=self._length + 1,
            state=state,
            model=self._model,
        )
        return new

    def reply(
        self,
        response: object,
        *,
        refusal: RefusalPolicy = "raise",
        truncated: TruncationPolicy = "raise",
        declined: DeclinedPolicy = "keep",
    ) -> Conversation:
        """Append the assistant turn of an API response, keeping every block byte for byte.

        ``response`` is an SDK ``Message`` (or ``BetaMessage``), a dict, JSON bytes/text, or a
        :class:`convo.Reply` (what :func:`convo.accumulate` makes of a stream).  By
        ``stop_reason`` (``docs/streaming.md`` has the detail):

        * ``tool_use``: appended; the calls are :attr:`pending_tool_uses`.
        * ``pause_turn``: appended unchanged; send the conversation as it is to continue.
        * ``max_tokens`` with its last tool call cut off mid-input: raises
          :class:`convo.ToolUseTruncated`, or with ``truncated="drop"`` appends the turn
          without that call.
        * ``refusal``: raises :class:`convo.Refused` (reset the context before going on), or
          with ``refusal="keep"`` appends it.
        * empty ``content``: nothing is appended; this conversation is returned.

        A server-side fallback (a ``fallback`` block) leaves the declined model's ``tool_use``
        calls before it; they are not run and not sent back.  ``declined="drop"`` appends the
        turn without them (``docs/tools.md``).

        >>> conv = Conversation().user("Hi").reply(
        ...     {"type": "message", "role": "assistant", "content": [{"type": "text", "text": "Hello"}],
        ...      "stop_reason": "end_turn"})
        >>> conv.messages[-1].to_json()
        b'{"role":"assistant","content":[{"type":"text","text":"Hello"}]}'
        """
        return append_reply(self, response, refusal=refusal, truncated=truncated, declined=declined)

    @property
    def pending_tool_uses(self) -> tuple[ToolUseBlock, ...]:
        """The tool_use blocks of the last assistant turn that still await a result.

        A call made before the turn's last server-side ``fallback`` block is the declined model's:
        it awaits nothing (``docs/tools.md``).
        """
        state = self._state
        waiting = state.pending.keys() - state.declined_ids if state.prev_role == "assistant" else set()
        if not waiting:
            return ()
        found: list[ToolUseBlock] = []
        for i in range(self._length - 1, -1, -1):
            message = self._spine.messages[i]
            if message.role != "assistant":
                break
            found[:0] = [b for b in message.blocks if isinstance(b, ToolUseBlock) and b.id in waiting]
        return tuple(found)

    def tool_results(self, results: Mapping[str, ToolOutput]) -> Conversation:
        """Append the user turn answering every pending tool_use, in the order they were asked.

        ``results`` maps each pending id to its output: a string, content blocks, or an
        exception (which becomes an ``is_error`` result with the exception's message).
        """
        if not isinstance(results, Mapping):
            raise InvalidArgument(
                f"tool_results takes a dict from each pending tool_use id to its output, "
                f"not {type(results).__name__}"
            )
        pending = self.pending_tool_uses
        if not pending:
            raise InvalidArgument(
                "no tool_use is pending: the last turn is not an assistant turn that calls tools"
            )
        ids = [use.id for use in pending]
        missing = [i for i in ids if i not in results]
        extra = [i for i in results if i not in ids]
        if missing or extra:
            raise InvalidArgument(
                "tool_results must answer exactly the pending tool_use ids "
                f"{ids}; missing {missing}, unexpected {extra}"
            )
        return self.append({"role": "user", "content": [_result(use, results[use.id]) for use in pending]})

    def trim(
        self,
        budget: int | None = None,
        *,
        counter: TokenCounter | None = None,
        model: str | None = None,
        max_tokens: int | None = None,
        params: Mapping[str, Any] | None = None,
        pin: int = 1,
        clear_tool_results: int | None = None,
        clear_thinking: int | None = None,
        summarize: Summarizer | None = None,
        summary_tokens: int | None = None,
        headroom: int = 0,
    ) -> Conversation:
        """A valid conversation within ``budget`` input tokens, dropping the oldest whole exchanges.

        ``budget`` is a number of tokens, or ``None`` with ``max_tokens`` and a model: the model's
        context window minus ``max_tokens`` (given both, the smaller).  ``counter`` measures it
        (default :class:`convo.LocalCounter`; :class:`convo.ApiCounter` for real counts, two
        ``count_tokens`` calls in the usual case); ``params`` are request parameters that change
        the count (``thinking``, ``tool_choice``, ...).  A tool_use is never split from its
        tool_result, kept turns keep every block (thinking included), the first ``pin`` user
        turns stay, and so do ``role: "system"`` messages (those in the dropped part move to just
        after the first kept user turn).  Optionally, first, ``clear_tool_results=N`` replaces
        the content of all but the newest N tool results with a placeholder and
        ``clear_thinking=N`` drops thinking from
        all but the newest N assistant turns that hold it and the current tool loop, as the API's context
        editing does; ``summarize`` turns the dropped messages into a text that is kept in their
        place.  ``headroom=N`` leaves a conversation that fits as it is, and trims one that does
        not to ``budget - N``: the turns that follow then fit for a while without trimming again,
        and so read the prompt cache (trimming changes the cached prefix).  Raises
        :class:`convo.BudgetTooSmall` when even the pinned turns and the last exchange do not fit.  With an async counter (:class:`convo.AsyncApiCounter`), use
        ``await conv.atrim(...)``.  ``docs/budgets.md`` has the detail.

        >>> conv = Conversation().user("Plan a trip to Lisbon.").assistant("Day 1: Alfama. " * 40)
        >>> conv = conv.user("And Porto?").assistant("Day 1: Ribeira. " * 40).user("Thanks! Costs?")
        >>> trimmed = conv.trim(400)
        >>> [m.role for m in trimmed.messages]
        ['user', 'assistant', 'user']
        >>> [block.text for block in trimmed.messages[0].blocks]  # the pinned turn, joined to the kept one
        ['Plan a trip to Lisbon.', 'And Porto?']
        """
        from ._trim import trim  # loads on first use: import convo stays fast

        return trim(
            self,
            budget,
            counter=counter,
            model=model,
            max_tokens=max_tokens,
            params=params,
            pin=pin,
            clear_tool_results=clear_tool_results,
            clear_thinking=clear_thinking,
            summarize=summarize,
            summary_tokens=summary_tokens,
            headroom=headroom,
        )

    async def atrim(
        self,
        budget: int | None = None,
        *,
        counter: AsyncTokenCounter | TokenCounter | None = None,
        model: str | None = None,
        max_tokens: int | None = None,
        params: Mapping[str, Any] | None = None,
        pin: int = 1,
        clear_tool_results: int | None = None,
        clear_thinking: int | None = None,
        summarize: Summarizer | AsyncSummarizer | None = None,
        summary_tokens: int | None = None,
        headroom: int = 0,
    ) -> Conversation:
        """:meth:`trim` with an async counter: ``await conv.atrim(budget, counter=AsyncApiCounter(client))``.

        The same as :func:`convo.atrim`: the arguments and the result of :meth:`trim`, after the
        same ``count_tokens`` calls, but ``counter`` may be a :class:`convo.AsyncTokenCounter`
        (such as :class:`convo.AsyncApiCounter` over ``anthropic.AsyncAnthropic``), whose counts
        are awaited, as well as a plain one, and ``summarize`` may be an ``async`` function.
        (:meth:`trim` refuses an async counter or summarizer.)

        >>> import asyncio
        >>> conv = Conversation().user("Plan a trip to Lisbon.").assistant("Day 1: Alfama. " * 40)
        >>> conv = conv.user("And Porto?").assistant("Day 1: Ribeira. " * 40).user("Thanks! Costs?")
        >>> asyncio.run(conv.atrim(400)) == conv.trim(400)
        True
        """
        from ._trim import atrim  # loads on first use: import convo stays fast

        return await atrim(
            self,
            budget,
            counter=counter,
            model=model,
            max_tokens=max_tokens,
            params=params,
            pin=pin,
            clear_tool_results=clear_tool_results,
            clear_thinking=clear_thinking,
            summarize=summarize,
            summary_tokens=summary_tokens,
            headroom=headroom,
        )


@contextlib.contextmanager
def refused_as_argument() -> Iterator[None]:
    """Data a builder (or ``request``) was given that JSON cannot hold as given (a set, bytes,
    NaN, nesting too deep) is a mistake of the call, an :class:`InvalidArgument`, as in a typed
    block: only :meth:`Conversation.from_wire` reads input, an :class:`InputError` if unreadable."""
    try:
        yield
    except InputError as exc:
        raise InvalidArgument(str(exc)) from None


def _turn(role: Role, content: str | Iterable[BlockLike]) -> Message | dict[str, Any]:
    """A turn of convo blocks as a Message; one with data or SDK objects as data for
    :meth:`Conversation.append` to read, which keeps every field."""
    if isinstance(content, str):
        return Message(role, content)
    if isinstance(content, Mapping):
        raise InvalidArgument("content is a string or a list of blocks, not one block: wrap it in a list")
    blocks = _listed(content, "content is a string or a list of blocks")
    if all(isinstance(b, BLOCK_CLASSES) for b in blocks):
        return Message(role, cast("list[Block]", blocks))
    return {"role": role, "content": [_block_data(b) for b in blocks]}


def _listed(value: object, what: str) -> list[Any]:
    """The items of an argument that must be a list; ``what`` says what it must be."""
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        raise InvalidArgument(f"{what}, not {type(value).__name__}")
    return list(value)


def _object(item: object, what: str) -> Any:
    """A tool definition or message as the encoder takes it: a dict, a convo Message or an SDK object."""
    if isinstance(item, Message) or callable(getattr(item, "model_dump", None)):
        return item  # the encoder dumps SDK objects as from_wire() does: fields left unset stay out
    if isinstance(item, Mapping):
        return dict(item)
    hint = " (a convo.tool gives its definition with .definition())" if hasattr(item, "definition") else ""
    raise InvalidArgument(f"{what} must be an object (a dict), not {type(item).__name__}{hint}")


def _block_data(block: BlockLike) -> Any:
    """A block as the encoder takes it: convo blocks and SDK objects encode themselves."""
    if isinstance(block, Mapping):
        return dict(block)
    if isinstance(block, OpaqueBlock):
        return block.data
    return block


def _result(use: ToolUseBlock, output: ToolOutput) -> dict[str, Any]:
    """The tool_result for ``use``, echoing its ``toolset_name`` as a toolset member's must (§3.7)."""
    result: dict[str, Any] = {"type": "tool_result", "tool_use_id": use.id}
    if isinstance(output, BaseException):
        try:
            text = str(output)
        except Exception:  # an exception whose message itself fails: its class says enough
            text = ""
        result["content"] = text if text.strip() else type(output).__name__  # never empty or blank
        result["is_error"] = True
    elif isinstance(output, str):
        result["content"] = output
    elif isinstance(output, Iterable) and not isinstance(output, Mapping | bytes | bytearray):
        result["content"] = [_block_data(b) for b in output]
    else:
        raise InvalidArgument(
            f"the output for {use.id} must be a string, a list of content blocks or an exception, "
            f"not {type(output).__name__}"
        )
    if use.toolset_name is not None:
        result["toolset_name"] = use.toolset_name
    return result


def reread(data: object, *, model: str | None, paused: bool) -> Conversation:
    """A conversation read from ``data`` (validated), still paused if ``paused``: its last turn
    is a ``pause_turn`` response, which :meth:`Conversation.reply` knew and the bytes do not say."""
    conv = Conversation.__new__(Conversation)
    conv._load(read(data, model=model, mode="conversation", paused=paused))
    return conv


def _unpickle(data: bytes, model: str | None, paused: bool = False) -> Conversation:
    return reread(data, model=model, paused=paused)
