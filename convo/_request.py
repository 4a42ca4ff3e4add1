"""The finished request: a conversation, a model and parameters, validated and ready to send.

A :class:`Request` is built once (``conv.request(model=..., max_tokens=..., **params)``) and
then hands the same content to any client: :meth:`Request.params` for the ``anthropic`` SDK,
:meth:`Request.body` for raw HTTP, count_tokens, Message Batches, Bedrock and Vertex
(``docs/requests.md`` and ``docs/clients.md``).  Every payload is built from the conversation's
exact wire bytes, so the cached prefix is the same byte for byte whichever way it is sent.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, cast, final

import msgspec

from ._blocks import ContainerUploadBlock, DocumentBlock, ImageBlock, ToolResultBlock
from ._cache import CacheBreakpoint, CachePolicy, place, policy_for
from ._conversation import Conversation, refused_as_argument, reread
from ._errors import InvalidArgument, Problem, Report, ValidationError
from ._images import sniff_base64
from ._message import Message
from ._models import (
    BEDROCK_NO_SYSTEM_MESSAGES,
    ModelProfile,
    bedrock_spelled,
    platform_id,
    profile,
    vertex_spelled,
)
from ._params import (
    API_VERSION,
    BODY_ORDER,
    COUNT_TOKENS_PARAMETERS,
    HEADER_PARAMETERS,
    REQUEST_PARAMETERS,
    SAMPLING_PARAMETERS,
    beta_names,
    check_ending,
    check_output_format,
    check_params,
    check_size,
    header_value,
    param_json,
)
from ._rules import (
    MANY_IMAGES,
    MANY_IMAGES_SIDE,
    MAX_MESSAGES,
    MAX_PLATFORM_IMAGE_BASE64,
    problem,
    too_many_messages,
    tool_family,
)

if TYPE_CHECKING:
    from anthropic.types.message_count_tokens_params import MessageCountTokensParams
    from anthropic.types.message_create_params import (
        MessageCreateParamsBase,
        MessageCreateParamsNonStreaming,
    )
    from anthropic.types.messages.batch_create_params import BatchCreateParams
    from anthropic.types.messages.batch_create_params import Request as BatchRequest

__all__ = ["API_VERSION", "Request", "batch", "batch_body", "batch_headers", "batch_jsonl"]

_decode: Final = msgspec.json.Decoder()
_encode: Final = msgspec.json.Encoder()

#: ``custom_id`` of a Message Batches entry (§8.2).
CUSTOM_ID: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}")
#: At most this many requests per batch (§8.3).
MAX_BATCH_REQUESTS: Final = 100_000
#: Request size limits in bytes (§7.1; a Messages body's is convo._params.MAX_BODY).
MAX_BATCH_BODY: Final = 256 * 1024 * 1024
MAX_VERTEX_BODY: Final = 30 * 1024 * 1024
MAX_BEDROCK_BODY: Final = 20 * 1024 * 1024
#: The field a streamed body adds at its end, after a comma.
STREAM_FIELD: Final = b'"stream":true'
#: Parameters a batch entry may not carry (§8.3; the others on that list are not SDK fields).
NOT_IN_BATCHES: Final = ("speed",)
#: Parameters that are options of the whole batch, headers of its create call, not of an entry
#: (§8.1), and how an error names them.
BATCH_OPTIONS: Final[Mapping[str, str]] = {"betas": "the betas are", "workspace_id": "the workspace_id is"}
#: ``anthropic_version`` of a Bedrock InvokeModel body (§8.4): the docs' value, except on
#: Claude 4.7 and later, where Bedrock also serves API version 2026-10-21 (what the SDK writes).
BEDROCK_LEGACY_VERSION: Final = "bedrock-2023-05-31"
#: Tool type families the API runs on its side (§2.1, §2.2): Bedrock InvokeModel has none (§8.4).
SERVER_TOOLS: Final = frozenset(
    {
        "web_search",
        "web_fetch",
        "code_execution",
        "tool_search_tool_regex",
        "tool_search_tool_bm25",
        "advisor",
    }
)
#: ... and the tools Google Cloud does not offer (§8.6).
_NOT_ON_VERTEX: Final = frozenset(
    {"code_execution", "web_fetch", "advisor", "computer_toolset", "browser_toolset"}
)


@final
class Request:
    """A validated request: a conversation, a model, ``max_tokens`` and parameters.

    Build it with :meth:`convo.Conversation.request` (or this constructor, which is the same).
    ``params`` are the fields of the SDK's ``MessageCreateParams``: ``system`` and ``tools``
    (which replace the conversation's own), ``thinking``, ``output_config``, ``tool_choice``,
    ``stop_sequences``, ``metadata``, ``service_tier``, ``speed``, ``cache_control``,
    ``container``, ``inference_geo``, ``diagnostics``, ``user_profile_id`` and
    ``workspace_id``, and ``betas``, the beta names the beta client sends as the
    ``anthropic-beta`` header (``client.beta.messages.create(**req.params())``; an empty list is
    the same as none).  ``cache="auto"`` (or a :class:`convo.CachePolicy`) has convo place the
    prompt-cache breakpoints (``docs/caching.md``); the default ``None`` sends only the marks the
    content already carries.  Everything is checked against the model's profile and API version
    2026-10-21, and the conversation for readiness to send; every error is raised at once as a
    :class:`convo.ValidationError`.  Warnings are kept in :attr:`warnings`.

    >>> import convo
    >>> req = convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=256)
    >>> req.body()
    b'{"model":"claude-opus-4-8","max_tokens":256,"messages":[{"role":"user","content":"Hi"}]}'
    >>> try:
    ...     convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=256, temperature=0.5)
    ... except convo.ValidationError as exc:
    ...     print([(p.code, p.path, p.scope) for p in exc.errors])
    [('sampling-parameter-removed', '/temperature', 'request')]
    """

    __slots__ = (
        "_body",
        "_cache",
        "_conversation",
        "_max_tokens",
        "_model",
        "_placed",
        "_prefix",
        "_profile",
        "_values",
        "_warnings",
        "_wires",
    )

    _conversation: Conversation
    _model: str
    _max_tokens: int
    _wires: dict[str, bytes]
    _values: dict[str, Any]
    _profile: ModelProfile
    _warnings: tuple[Problem, ...]
    _body: bytes | None
    _cache: CachePolicy | None
    _placed: tuple[bytes, tuple[CacheBreakpoint, ...]] | None
    _prefix: dict[str, Any]

    def __init__(
        self,
        conversation: Conversation,
        *,
        model: str,
        max_tokens: int,
        cache: CachePolicy | Literal["auto"] | None = None,
        **params: Any,
    ) -> None:
        policy = policy_for(cache)
        if not isinstance(conversation, Conversation):
            raise InvalidArgument(f"a Request needs a convo.Conversation, not {type(conversation).__name__}")
        if not isinstance(model, str) or not model:
            raise InvalidArgument(f"model must be a non-empty string, not {model!r}")
        unknown = sorted(set(params) - set(REQUEST_PARAMETERS) - set(SAMPLING_PARAMETERS))
        if unknown:
            raise InvalidArgument(_unknown_message(unknown))
        problems: list[Problem] = []
        sink = problems.append
        for name in SAMPLING_PARAMETERS:
            if name in params:
                sink(
                    problem(
                        "sampling-parameter-removed",
                        (name,),
                        f"{name!r} is rejected by API version {API_VERSION}, even at its default",
                    )
                )
        prefix: dict[str, Any] = {}  # the system and tools given here, for with_conversation()
        if "system" in params or "tools" in params:
            conversation = _with_prefix(conversation, params)
            if "system" in params:
                wire = conversation._system_wire
                prefix["system"] = None if wire is None else msgspec.Raw(wire)
            if "tools" in params:
                prefix["tools"] = [msgspec.Raw(wire) for wire in conversation._tools_wire]
        wires: dict[str, bytes] = {}
        values: dict[str, Any] = {}
        for name in REQUEST_PARAMETERS:
            if name in params and name not in ("system", "tools"):
                wire = param_json(params[name], name)
                if name == "betas" and wire == b"[]":  # no betas: no header, and the non-beta client
                    continue
                wires[name] = wire
                values[name] = _decode.decode(wire)
        prof = profile(model)
        names = frozenset(t["name"] for t in conversation.tools if isinstance(t.get("name"), str))
        thinking = check_params(
            {"max_tokens": max_tokens, **values}, profile=prof, sink=sink, tool_names=names
        )
        moves = policy is not None and policy.move_user_marks
        _check_readiness(conversation, prof, values, thinking, sink, marks_move=moves)
        # an invalid max_tokens is reported by check_params: only the size of the rest matters then
        size_wire = b"%d" % max_tokens if type(max_tokens) is int else b"0"
        fields = {"model": _encode.encode(model), "max_tokens": size_wire, **wires}
        # each body field with a comma added: the header parameters are not in the body (§7.1)
        head = sum(
            len(name) + len(wire) + 4 for name, wire in fields.items() if name not in HEADER_PARAMETERS
        )
        check_size(head + len(conversation.to_json()), sink)  # and the conversation's own object
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise ValidationError(errors)
        wires = {"max_tokens": size_wire, **wires}
        setter = object.__setattr__
        setter(self, "_conversation", conversation)
        setter(self, "_model", model)
        setter(self, "_max_tokens", max_tokens)
        setter(self, "_wires", wires)
        setter(self, "_values", values)
        setter(self, "_profile", prof)
        setter(self, "_warnings", tuple(problems))
        setter(self, "_body", None)
        setter(self, "_cache", policy)
        setter(self, "_placed", None)
        setter(self, "_prefix", prefix)
        if policy is not None:  # convo's cache breakpoints (convo/_cache.py, docs/caching.md)
            placed = self._place(policy)
            setter(self, "_placed", placed)
            _within_limit(head + len(placed[0]))  # the marks lengthen the body

    def _place(self, policy: CachePolicy | None) -> tuple[bytes, tuple[CacheBreakpoint, ...]]:
        conv = self._conversation
        auto = self._values.get("cache_control")
        placed = place(
            system=conv._system_wire,
            tools=conv._tools_wire if conv._tools_given else None,
            messages=conv._spine.wires[: len(conv)],
            min_tokens=self._profile.cache_min_tokens,
            policy=policy,
            automatic=("1h" if auto.get("ttl") == "1h" else "5m") if isinstance(auto, dict) else None,
            model=self._model,
        )
        return placed.to_json(), placed.breakpoints

    @property
    def cache(self) -> CachePolicy | None:
        """The cache placement policy (``cache="auto"`` is ``CachePolicy()``), or None."""
        return self._cache

    @property
    def breakpoints(self) -> tuple[CacheBreakpoint, ...]:
        """Every cache breakpoint the request carries: the user's, convo's and the automatic one.

        >>> import convo
        >>> conv = convo.Conversation(system="Project notes. " * 400).user("Summarize them.")
        >>> [(b.path, b.source) for b in conv.request(model="claude-opus-4-8", max_tokens=99, cache="auto").breakpoints]
        [('/system/0', 'convo'), ('/messages/0/content/0', 'convo')]
        """
        if self._placed is None:
            return self._place(None)[1]
        return self._placed[1]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("immutable type: 'Request'")

    # -- what it holds ---------------------------------------------------------------------------

    @property
    def conversation(self) -> Conversation:
        """The conversation sent (with ``system``/``tools`` replaced if they were given)."""
        return self._conversation

    @property
    def model(self) -> str:
        """The model id, as given."""
        return self._model

    @property
    def max_tokens(self) -> int:
        """``max_tokens``."""
        return self._max_tokens

    @property
    def profile(self) -> ModelProfile:
        """The model profile the request was checked against."""
        return self._profile

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems the API accepts, found while building (conversation warnings not repeated)."""
        return self._warnings

    def report(self) -> Report:
        """The whole request checked again, as :func:`convo.check` sees its body (sent with its
        ``betas``, and still paused when :meth:`Conversation.reply` appended a ``pause_turn``
        response last)."""
        from ._check import checked

        paused = self._conversation._state.pause_untold
        return checked(self.body(), model=None, betas=self._values.get("betas", ()), paused=paused)

    def get(self, name: str, default: Any = None) -> Any:
        """A fresh copy of one parameter's value (``thinking``, ``tool_choice``, ...), or ``default``.

        >>> import convo
        >>> conv = convo.Conversation().user("Hi")
        >>> conv.request(model="claude-opus-4-8", max_tokens=99, thinking={"type": "adaptive"}).get("thinking")
        {'type': 'adaptive'}
        """
        if name in self._wires:
            return _decode.decode(self._wires[name])
        return default

    def replace(self, **changes: Any) -> Request:
        """A new request with some parameters (or ``model``, ``max_tokens``) changed, checked again.

        >>> import convo
        >>> req = convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=99)
        >>> req.replace(max_tokens=5).max_tokens
        5
        """
        current = {"model": self._model, "cache": self._cache, **self._params(), **changes}
        return self._rebuilt(current)

    def without(self, *names: str) -> Request:
        """A new request without the given parameters, checked again: ``"system"`` and
        ``"tools"`` leave out the system prompt and the tool definitions, ``"cache"`` convo's
        cache placement.

        >>> import convo
        >>> req = convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=99, system="Be brief.")
        >>> req.without("system").body()
        b'{"model":"claude-opus-4-8","max_tokens":99,"messages":[{"role":"user","content":"Hi"}]}'
        """
        unknown = sorted(set(names) - set(REQUEST_PARAMETERS) - {"cache"})
        if unknown:
            raise InvalidArgument(_unknown_message(unknown))
        arguments: dict[str, Any] = {"model": self._model, "cache": None if "cache" in names else self._cache}
        if "system" in names:
            arguments["system"] = None
        if "tools" in names:
            arguments["tools"] = []
        return self._rebuilt({**arguments, **self._params(names)})

    def _rebuilt(self, arguments: dict[str, Any]) -> Request:
        """A request built again from ``arguments``, keeping the ``system`` and ``tools`` given to
        :meth:`Conversation.request` for :meth:`with_conversation` unless they are among them."""
        prefix = {k: v for k, v in self._prefix.items() if k not in arguments}
        new = Request(self._conversation, **arguments)
        if prefix:
            object.__setattr__(new, "_prefix", {**new._prefix, **prefix})
        return new

    def with_conversation(self, conversation: Conversation) -> Request:
        """The same model and parameters for another conversation (the next turn of a loop),
        and the same ``system`` and ``tools`` if they were given to :meth:`Conversation.request`.

        >>> import convo
        >>> conv = convo.Conversation().user("Hi")
        >>> req = conv.request(model="claude-opus-4-8", max_tokens=99, system="Be brief.")
        >>> req.with_conversation(conv.assistant("Hello").user("Bye")).conversation.system
        'Be brief.'
        """
        return Request(conversation, model=self._model, cache=self._cache, **self._prefix, **self._params())

    def _params(self, leave_out: Iterable[str] = ()) -> dict[str, Any]:
        """Fresh copies of the parameters (``max_tokens`` too), to build a request again."""
        return {k: _decode.decode(v) for k, v in self._wires.items() if k not in leave_out}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the conversation, model, cache policy and parameters; unpickling checks them again."""
        return (_unpickle, (self._conversation, self._model, self._cache, {**self._prefix, **self._params()}))

    def __copy__(self) -> Request:
        return self  # immutable: a copy could only be the same value

    def __deepcopy__(self, memo: dict[int, Any]) -> Request:
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Request):
            return NotImplemented
        return self._headers_wire() == other._headers_wire() and self.body() == other.body()

    def __hash__(self) -> int:
        return hash(self.body())

    def __repr__(self) -> str:
        extra = ", ".join(n for n in self._wires if n != "max_tokens")
        return (
            f"<Request {self._model} max_tokens={self._max_tokens}: {len(self._conversation)} messages"
            f"{', ' + extra if extra else ''}>"
        )

    # -- payloads --------------------------------------------------------------------------------

    def _assemble(self, names: Iterable[str], *, model: bool = True, tail: Iterable[bytes] = ()) -> bytes:
        parts = []
        if model:
            parts.append(b'"model":' + _encode.encode(self._model))
        for name in names:
            wire = self._wires.get(name)
            if wire is not None:
                parts.append(b'"' + name.encode() + b'":' + wire)
        parts.extend(tail)
        # b'{"system"?,"tools"?,"messages":[...]}', with convo's cache marks if it placed any
        prefix = self._placed[0] if self._placed is not None else self._conversation.to_json()
        return b"{" + b",".join(parts) + b"," + prefix[1:]

    def body(self, *, stream: bool = False) -> bytes:
        """The JSON bytes to POST to ``/v1/messages``: deterministic, built from the exact wire bytes.

        ``model``, ``max_tokens`` and the parameters come first (``stream: true`` last among
        them if asked), then ``system``, ``tools`` and ``messages`` exactly as
        :meth:`Conversation.to_json` writes them.  ``betas``, ``user_profile_id`` and
        ``workspace_id`` are headers (:meth:`headers`), not body fields.  Raises
        :class:`convo.ValidationError` (``request-too-large``) if ``stream: true`` takes the body
        over 32 MB.
        """
        if stream:
            self._streamable()
            streamed = self._assemble(BODY_ORDER[1:], tail=(STREAM_FIELD,))
            _within_limit(len(streamed))
            return streamed
        if self._body is None:
            object.__setattr__(self, "_body", self._assemble(BODY_ORDER[1:]))
        assert self._body is not None
        return self._body

    def headers(self) -> dict[str, str]:
        """The HTTP headers the request needs besides authentication: ``betas`` as
        ``anthropic-beta`` (the names joined with ``,``, as the SDK sends them), and
        ``user_profile_id`` and ``workspace_id`` as theirs.

        >>> import convo
        >>> convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=9).headers()
        {'anthropic-version': '2026-10-21', 'content-type': 'application/json'}
        >>> convo.Conversation().user("Hi").request(
        ...     model="claude-opus-4-8", max_tokens=9, betas=["context-1m-2025-08-07", "files-api-2025-04-14"]
        ... ).headers()["anthropic-beta"]
        'context-1m-2025-08-07,files-api-2025-04-14'
        """
        return _headers(self._values)

    def _headers_wire(self) -> tuple[bytes | None, ...]:
        return tuple(self._wires.get(name) for name in HEADER_PARAMETERS)

    def params(self) -> MessageCreateParamsNonStreaming:
        """Keyword arguments for ``client.messages.create(**...)`` (sync or async).

        A fresh dict each call, equal to :meth:`body` as JSON plus ``betas``, ``user_profile_id``
        and ``workspace_id`` (the SDK sends those as headers).  With ``betas``, call the beta
        client, ``client.beta.messages.create(**...)``: the non-beta ``create`` takes no
        ``betas``.  For ``client.messages.stream`` use :meth:`stream_params`, the same dict typed
        without ``stream``.

        >>> import convo
        >>> req = convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=9,
        ...                                                betas=["context-1m-2025-08-07"])
        >>> req.params()["betas"], "betas" in req.body().decode()
        (['context-1m-2025-08-07'], False)
        """
        data = cast(dict[str, Any], _decode.decode(self.body()))
        for name in HEADER_PARAMETERS:
            if name in self._values:
                data[name] = self._values[name]
        return cast("MessageCreateParamsNonStreaming", data)

    def stream_params(self) -> MessageCreateParamsBase:
        """Keyword arguments for ``client.messages.stream(**...)``: :meth:`params`, typed without ``stream``."""
        self._streamable()
        _within_limit(len(self.body()) + 1 + len(STREAM_FIELD))  # the SDK adds a comma and the field
        return cast("MessageCreateParamsBase", self.params())

    def _streamable(self) -> None:
        if self._max_tokens == 0:
            raise InvalidArgument("a cache pre-warm (max_tokens 0) cannot be streamed (api-rules §5.12)")

    def count_tokens_params(self) -> MessageCountTokensParams:
        """Keyword arguments for ``client.messages.count_tokens(**...)`` (§6.1).

        The same model, system, tools, messages, thinking, tool_choice, output_config, speed and
        cache_control; count_tokens takes no ``max_tokens``, ``stop_sequences`` or ``metadata``.
        The headers come along as in :meth:`params`: with ``betas``, call
        ``client.beta.messages.count_tokens(**...)`` (which adds its own
        ``token-counting-2024-11-01`` to the header).
        """
        data = cast(dict[str, Any], _decode.decode(self.count_tokens_body()))
        for name in HEADER_PARAMETERS:
            if name in self._values:
                data[name] = self._values[name]
        return cast("MessageCountTokensParams", data)

    def count_tokens_body(self) -> bytes:
        """The JSON bytes to POST to ``/v1/messages/count_tokens``."""
        return self._assemble(n for n in BODY_ORDER[2:] if n in COUNT_TOKENS_PARAMETERS)

    # -- Message Batches (§8.1-§8.3) --------------------------------------------------------------

    def _batchable(self, custom_id: str, *, lifted: bool) -> None:
        """Refuse what a batch entry cannot be; ``lifted``: the batch carries the request's betas."""
        if not isinstance(custom_id, str) or not CUSTOM_ID.fullmatch(custom_id):
            raise InvalidArgument(
                f"custom_id must be 1-64 letters, digits, '_' or '-' (^[a-zA-Z0-9_-]{{1,64}}$), not {custom_id!r}"
            )
        if self._max_tokens < 1:
            raise InvalidArgument(f"{custom_id}: max_tokens must be at least 1 in a batch (no pre-warming)")
        if platform_id(self._model) != self._model:
            raise InvalidArgument(
                f"{custom_id}: {self._model!r} is a Bedrock or Vertex model id, but Message Batches run "
                f"on the Claude API (§8.3): use {platform_id(self._model)!r}"
            )
        for name in NOT_IN_BATCHES:
            if name in self._wires:
                raise InvalidArgument(f"{custom_id}: {name!r} is not supported in Message Batches")
        for name, phrase in BATCH_OPTIONS.items():
            if name in self._wires and not lifted:
                raise InvalidArgument(
                    f"{custom_id}: a batch entry cannot carry {name}: {phrase} the {HEADER_PARAMETERS[name]} "
                    "header of the whole batch; convo.batch() and convo.batch_body() lift it there"
                )

    def batch_request(self, custom_id: str) -> BatchRequest:
        """One entry for ``client.messages.batches.create(requests=[...])``: ``{"custom_id", "params"}``.

        Raises :class:`convo.InvalidArgument` for a ``custom_id`` outside
        ``^[a-zA-Z0-9_-]{1,64}$``, ``max_tokens`` 0 or ``speed``, which batches reject (§8.2, §8.3),
        and for ``betas`` and ``workspace_id``: an entry cannot carry them, they are the
        ``anthropic-beta`` and ``anthropic-workspace-id`` headers of the whole batch
        (:func:`convo.batch` lifts them there).
        """
        return cast("BatchRequest", _decode.decode(self.batch_line(custom_id)))

    def batch_line(self, custom_id: str) -> bytes:
        """The same entry as JSON bytes (no newline), built from the exact wire bytes."""
        return self._line(custom_id, lifted=False)

    def _line(self, custom_id: str, *, lifted: bool) -> bytes:
        self._batchable(custom_id, lifted=lifted)
        extra = [
            b'"' + n.encode() + b'":' + self._wires[n]
            for n in HEADER_PARAMETERS
            if n in self._wires and n not in BATCH_OPTIONS
        ]
        params = self._assemble(BODY_ORDER[1:], tail=extra)
        return b'{"custom_id":' + _encode.encode(custom_id) + b',"params":' + params + b"}"

    # -- Bedrock (§8.4) and Vertex (§8.6) --------------------------------------------------------

    def _platform_limits(self, *, top_cache: bool) -> list[str]:
        """What Bedrock and Vertex both reject (§7.2, §8.4, §8.6): URL and Files-API sources and
        ``container_upload`` blocks (a Files-API file for code execution, which neither runs),
        base64 images over 5 MB, and with more than 20 images and documents, an image over
        2000 px a side."""
        found = []
        if top_cache and "cache_control" in self._wires:
            found.append("/cache_control: top-level (automatic) cache_control")
        found += [f"{where}: a Files-API container_upload" for where in _uploads(self._conversation.messages)]
        media = list(_media(self._conversation.messages))
        for where, kind, source in media:
            if source.get("type") in ("url", "file"):
                found.append(f"{where}: a {source.get('type')} {kind} source")
            data = source.get("data") if kind == "image" else None
            if isinstance(data, str) and len(data) > MAX_PLATFORM_IMAGE_BASE64:
                found.append(
                    f"{where}: {len(data):,} bytes of base64 image data "
                    f"(at most {MAX_PLATFORM_IMAGE_BASE64:,}, 5 MB)"
                )
        if len(media) > MANY_IMAGES:  # documents count toward the 20 on these platforms
            for where, kind, source in media:
                data = source.get("data") if kind == "image" else None
                info = sniff_base64(data) if isinstance(data, str) else None
                if info and info.width and info.height and max(info.width, info.height) > MANY_IMAGES_SIDE:
                    found.append(
                        f"{where}: a {info.width}x{info.height} px image among {len(media)} images and "
                        f"documents (at most {MANY_IMAGES_SIDE} px a side past {MANY_IMAGES})"
                    )
        return found

    def _tools_unsupported(self, families: frozenset[str], why: str) -> list[str]:
        return [
            f"/tools/{i}: {tool.get('type')!r} is {why}"
            for i, tool in enumerate(self._conversation.tools)
            if tool_family(tool) in families
        ]

    def _platform_check(self, platform: str, found: list[str], body: bytes, limit: int) -> None:
        if len(body) > limit:
            found.append(
                f"the body is {len(body):,} bytes; {platform} accepts at most {limit >> 20} MB ({limit:,} bytes)"
            )
        _refuse(platform, found)

    def _bedrock_model(self) -> list[str]:
        """What is wrong with the model id as an InvokeModel path segment (§8.4): a Google Cloud
        spelling, or a segment :func:`_segment_faults` finds (which the SDK's Bedrock client
        refuses too)."""
        if vertex_spelled(self._model):
            return [f"the model id {self._model!r}, spelled for Google Cloud: give the Bedrock id"]
        return _segment_faults("the model id", self._model)

    def _bedrock_path_model(self) -> list[str]:
        """What is wrong with the model id in the InvokeModel path (§8.4): what
        :meth:`_bedrock_model` finds, or an id spelled as the Claude API spells it
        (``claude-opus-4-8``), which names no Bedrock model: Bedrock ids name their provider
        (``anthropic.…``, an inference profile such as ``us.anthropic.…``, or an ARN).  The body
        holds no model, so :meth:`bedrock_body` takes such an id."""
        found = self._bedrock_model()
        if not found and self._model.startswith("claude-"):
            found.append(
                f"the model id {self._model!r}, spelled for the Claude API: give the Bedrock id "
                "(anthropic.…, an inference profile such as us.anthropic.… or global.anthropic.…, or an ARN)"
            )
        return found

    def _vertex_model(self) -> list[str]:
        """What is wrong with the model id on Google Cloud (§8.6): a Bedrock spelling."""
        if bedrock_spelled(self._model):
            return [f"the model id {self._model!r}, spelled for Bedrock: give the Google Cloud id"]
        return []

    def bedrock_version(self) -> str:
        """The ``anthropic_version`` a Bedrock body gets by default (§8.4, §9.8)."""
        if self._profile.bedrock_current_version:
            return API_VERSION
        return BEDROCK_LEGACY_VERSION

    def _bedrock_version_unserved(self, version: str) -> list[str]:
        """What is wrong with ``version`` as the model's Bedrock ``anthropic_version``:
        ``2026-10-21`` on a model older than Claude 4.7, which Bedrock does not serve it to
        (§8.4, §9.8).  An unknown model may be a newer one, so it takes any version."""
        if version != API_VERSION or not self._profile.known or self._profile.bedrock_current_version:
            return []
        return [
            f"anthropic_version {version!r} on {self._model}: Bedrock serves it to Claude 4.7 and "
            f"later only (leave anthropic_version out for {BEDROCK_LEGACY_VERSION!r})"
        ]

    def bedrock_body(
        self, *, anthropic_version: str | None = None, betas: Iterable[str] | None = None
    ) -> bytes:
        """The body for Bedrock InvokeModel (``POST`` :meth:`bedrock_path`), §8.4.

        ``model`` goes to the URL; the body gets ``anthropic_version`` (``2026-10-21`` on
        Claude 4.7 and later, ``bedrock-2023-05-31`` otherwise, unless given) and the beta
        names as ``anthropic_beta``: ``betas`` if given (``[]`` for none), else the request's
        own ``betas``, as the SDK's Bedrock client moves the ``anthropic-beta`` header there.
        Raises :class:`convo.InvalidArgument` for what Bedrock rejects: top-level
        ``cache_control``, URL or file image and document sources, ``container_upload`` blocks,
        the image limits of :meth:`_platform_limits`, server tools, role ``"system"`` messages
        on models without them there, ``anthropic_version="2026-10-21"`` on a model older than
        Claude 4.7, or over 20 MB.
        """
        found = self._bedrock_model() + self._platform_limits(top_cache=True)
        found += self._tools_unsupported(SERVER_TOOLS, "a server tool")
        if self._profile.family in BEDROCK_NO_SYSTEM_MESSAGES and any(
            m.role == "system" for m in self._conversation.messages
        ):
            found.append(f"role 'system' messages on {self._model}")
        version = _version(anthropic_version) or self.bedrock_version()
        found += self._bedrock_version_unserved(version)
        tail = [b'"anthropic_version":' + _encode.encode(version)]
        if betas is None:
            beta_wire = self._wires.get("betas")
        else:
            beta_list = list(beta_names(betas))
            beta_wire = _encode.encode(beta_list) if beta_list else None
        if beta_wire is not None:
            tail.append(b'"anthropic_beta":' + beta_wire)
        if "user_profile_id" in self._wires:  # the SDK moves this header into a Bedrock body
            tail.append(b'"user_profile_id":' + self._wires["user_profile_id"])
        body = self._assemble(BODY_ORDER[1:], model=False, tail=tail)
        self._platform_check("Bedrock", found, body, MAX_BEDROCK_BODY)
        return body

    def bedrock_path(self, *, stream: bool = False) -> str:
        """``/model/{model}/invoke`` (or ``/invoke-with-response-stream``), the model id URL-quoted.

        Raises :class:`convo.InvalidArgument` for a model id Bedrock cannot take there: one
        spelled for Google Cloud or for the Claude API, or a dot segment; and, with ``stream``,
        for a cache pre-warm, as :meth:`body` does.
        """
        _refuse("Bedrock", self._bedrock_path_model())
        if stream:
            self._streamable()
        model = urllib.parse.quote(self._model, safe=":;")
        return f"/model/{model}/invoke{'-with-response-stream' if stream else ''}"

    def bedrock_url(self, region: str, *, stream: bool = False) -> str:
        """The full Bedrock Runtime URL in ``region`` (for example ``us-east-1``)."""
        return f"https://bedrock-runtime.{region}.amazonaws.com{self.bedrock_path(stream=stream)}"

    def vertex_body(self, *, stream: bool = False, anthropic_version: str | None = None) -> bytes:
        """The body for Vertex AI ``rawPredict`` / ``streamRawPredict`` (§8.6).

        ``model`` goes to the URL, ``stream`` stays in the body, and the body gets
        ``anthropic_version`` (``2026-10-21``, which Google Cloud serves, unless given).
        ``betas`` stay the ``anthropic-beta`` header (:meth:`headers`), as the SDK's Vertex
        client sends them (§8.6).
        Raises :class:`convo.InvalidArgument` for URL or file sources, ``container_upload``
        blocks, the image limits Bedrock has too, tools Google Cloud does not offer, or over
        30 MB.
        """
        found = self._vertex_unsupported()
        tail = [b'"anthropic_version":' + _encode.encode(_version(anthropic_version) or API_VERSION)]
        if stream:
            self._streamable()
            tail.insert(0, STREAM_FIELD)
        body = self._assemble(BODY_ORDER[1:], model=False, tail=tail)
        self._platform_check("Vertex", found, body, MAX_VERTEX_BODY)
        return body

    def vertex_count_tokens_body(self, *, anthropic_version: str | None = None) -> bytes:
        """The body for Vertex AI token counting, ``POST …/models/count-tokens:rawPredict``
        (§8.6): :meth:`count_tokens_body` with ``anthropic_version`` added, as the SDK sends it
        (the model stays in the body there).  Raises :class:`convo.InvalidArgument` for what
        :meth:`vertex_body` refuses: token counting validates the request the same way (§6.1).

        >>> import convo, json
        >>> req = convo.Conversation().user("Hi").request(model="claude-opus-4-8@20260101", max_tokens=99)
        >>> json.loads(req.vertex_count_tokens_body())["anthropic_version"]
        '2026-10-21'
        """
        found = self._vertex_unsupported()
        tail = [b'"anthropic_version":' + _encode.encode(_version(anthropic_version) or API_VERSION)]
        body = self._assemble((n for n in BODY_ORDER[2:] if n in COUNT_TOKENS_PARAMETERS), tail=tail)
        self._platform_check("Vertex", found, body, MAX_VERTEX_BODY)
        return body

    def _vertex_unsupported(self) -> list[str]:
        return (
            self._vertex_model()
            + self._platform_limits(top_cache=False)
            + self._tools_unsupported(_NOT_ON_VERTEX, "not on Google Cloud")
        )

    def vertex_path(self, *, project: str, region: str, stream: bool = False) -> str:
        """``/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict``,
        each segment quoted as the SDK's Vertex client quotes it (a domain-scoped project id such
        as ``example.com:my-project`` keeps its ``:``; a ``;`` in the model id is quoted).
        Raises :class:`convo.InvalidArgument` for a Bedrock model id, or a project or region
        :func:`_segment_faults` finds (which the SDK's Vertex client refuses too)."""
        _refuse(
            "Vertex",
            self._vertex_model() + _segment_faults("project", project) + _segment_faults("region", region),
        )
        model = _segment(self._model).replace(";", "%3B")
        specifier = "streamRawPredict" if stream else "rawPredict"
        return (
            f"/projects/{_segment(project)}/locations/{_segment(region)}"
            f"/publishers/anthropic/models/{model}:{specifier}"
        )

    def vertex_url(self, *, project: str, region: str, stream: bool = False) -> str:
        """The full Vertex AI URL (the host the SDK picks for ``region``)."""
        if region == "global":
            host = "aiplatform.googleapis.com"
        elif region in ("us", "eu"):
            host = f"aiplatform.{region}.rep.googleapis.com"
        else:
            host = f"{region}-aiplatform.googleapis.com"
        return f"https://{host}/v1{self.vertex_path(project=project, region=region, stream=stream)}"


def _within_limit(size: int) -> None:
    """Raise :class:`convo.ValidationError` (``request-too-large``) for a Messages body of
    ``size`` bytes, if it is over 32 MB (§7.1)."""
    over: list[Problem] = []
    check_size(size, over.append)
    if over:
        raise ValidationError(over)


def _refuse(platform: str, found: list[str]) -> None:
    """Raise :class:`convo.InvalidArgument` naming what ``platform`` does not take, if anything."""
    if found:
        raise InvalidArgument(f"{platform} does not support: " + "; ".join(found))


def _segment_faults(name: str, value: str) -> list[str]:
    """What is wrong with ``value`` as a URL path segment: empty, or a ``.`` or ``..`` segment,
    which a server resolves away, also before a ``;`` (a server that drops ``;`` parameters
    sees only what comes before it)."""
    if value.partition(";")[0] in ("", ".", ".."):
        return [f"{name} {value!r}, an empty or dot segment of the path"]
    return []


def _segment(value: str) -> str:
    """``value`` quoted for a URL path segment: RFC 3986 ``pchar`` kept, as the SDK quotes it."""
    return urllib.parse.quote(value, safe="!$&'()*+,;=:@")


def _unpickle(
    conversation: Conversation, model: str, cache: CachePolicy | None, params: dict[str, Any]
) -> Request:
    return Request(conversation, model=model, cache=cache, **params)


def _version(anthropic_version: object) -> str | None:
    """An ``anthropic_version`` given for a platform body, or None for the default."""
    if anthropic_version is None or anthropic_version == "":
        return None
    if not isinstance(anthropic_version, str):
        raise InvalidArgument(f"anthropic_version is a version string, not {anthropic_version!r}")
    return anthropic_version


def _media(messages: Iterable[Message]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every image and document of the messages, with its path, type and ``source``: also
    inside tool results, and the images inside a document's ``content`` source."""
    for i, message in enumerate(messages):
        if isinstance(message.content, str):
            continue
        for j, block in enumerate(message.content):
            where = f"/messages/{i}/content/{j}"
            if isinstance(block, ToolResultBlock) and isinstance(block.content, tuple):
                for k, inner in enumerate(block.content):
                    yield from _medium(inner, f"{where}/content/{k}")
            else:
                yield from _medium(block, where)


def _uploads(messages: Iterable[Message]) -> Iterator[str]:
    """The path of every ``container_upload`` block of the messages."""
    for i, message in enumerate(messages):
        if not isinstance(message.content, str):
            for j, block in enumerate(message.content):
                if isinstance(block, ContainerUploadBlock):
                    yield f"/messages/{i}/content/{j}"


def _medium(block: object, where: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    if not isinstance(block, ImageBlock | DocumentBlock):
        return
    source = block.source
    yield where, block.type, source
    inner = source.get("content") if source.get("type") == "content" else None
    if isinstance(inner, list):  # a content source's blocks, as plain data (§2.3)
        for k, item in enumerate(inner):
            if (
                isinstance(item, dict)
                and item.get("type") == "image"
                and isinstance(item.get("source"), dict)
            ):
                yield f"{where}/source/content/{k}", "image", item["source"]


def _unknown_message(unknown: list[str]) -> str:
    notes = []
    if "messages" in unknown:
        notes.append("'messages' come from the conversation")
    if "stream" in unknown:
        notes.append("to stream, use client.messages.stream(**req.stream_params()) or req.body(stream=True)")
    if "extra_body" in unknown or "extra_headers" in unknown:
        notes.append("pass extra_body/extra_headers to the SDK call, not to the request")
    known = ", ".join(REQUEST_PARAMETERS)
    hint = f" ({'; '.join(notes)})" if notes else ""
    return f"unknown request parameter(s) {', '.join(map(repr, unknown))}{hint}; known: {known}"


def _with_prefix(conversation: Conversation, params: Mapping[str, Any]) -> Conversation:
    """The conversation with ``system``/``tools`` replaced, validated as a whole again, still
    paused if :meth:`Conversation.reply` appended a ``pause_turn`` response last (its bytes do
    not say so: §3.10's continuation is no prefill)."""
    body: dict[str, Any] = {}
    if "system" in params:
        if params["system"] is not None:
            body["system"] = params["system"]
    elif conversation.system is not None:
        body["system"] = msgspec.Raw(conversation._system_wire or b'""')
    if "tools" in params:
        tools = params["tools"]
        if isinstance(tools, str | bytes | Mapping) or not isinstance(tools, Iterable):
            raise InvalidArgument(f"tools must be a list of tool definitions, not {type(tools).__name__}")
        tools = list(tools)
    else:
        tools = [msgspec.Raw(w) for w in conversation._tools_wire]
    if tools:  # [] is no tools here, as without("tools") gives it
        body["tools"] = tools
    body["messages"] = [msgspec.Raw(m.to_json()) for m in conversation.messages]
    with refused_as_argument():
        return reread(body, model=None, paused=conversation._state.pause_untold)


def _check_readiness(
    conversation: Conversation,
    prof: ModelProfile,
    values: Mapping[str, Any],
    thinking: str | None,
    sink: Callable[[Problem], None],
    *,
    marks_move: bool = False,
) -> None:
    """Readiness to send: the validator's request mode, against this request's model.

    ``marks_move``: convo places every breakpoint, moving the user's (``move_user_marks``), so
    the automatic one is counted and ordered by the placement, not here.
    """
    state = conversation._state.fork(sink, conversation._spine.ids)
    if state.auto_ttl is not None:  # read from a body's top-level cache_control: not the conversation's
        state.breakpoints -= 1
        state.auto_ttl = None
    state.profile = prof
    if "cache_control" in values:
        state.feed_top_cache(values["cache_control"])
        if marks_move:
            state.auto_ttl = None
    messages = conversation.messages
    if len(messages) > MAX_MESSAGES:  # reported when it was appended, but only to a request
        sink(too_many_messages())
    betas = values.get("betas")
    state.finish("request", messages, betas=betas if isinstance(betas, list) else ())
    if prof.known and not prof.system_messages:
        for i, message in enumerate(messages):
            if message.role == "system":
                sink(
                    problem(
                        "system-message-unsupported",
                        ("messages", i),
                        f"{prof.id} does not accept role 'system' messages",
                    )
                )
    check_ending(messages, values, thinking=thinking, profile=prof, paused=state.paused, sink=sink)
    if "output_config" in values:
        check_output_format(messages, state.strict_load, values["output_config"], sink)


# -- batches of requests -----------------------------------------------------------------------


def _entries(requests: Mapping[str, Request] | Iterable[tuple[str, Request]]) -> list[tuple[str, Request]]:
    if isinstance(requests, Mapping):
        items = list(requests.items())
    elif isinstance(requests, Iterable) and not isinstance(requests, str | bytes | Request):
        items = list(requests)
        for item in items:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise InvalidArgument(f"a batch entry is a (custom_id, Request) pair, not {item!r:.80}")
    else:
        raise InvalidArgument(
            f"a batch takes a dict of custom_id to Request, or (custom_id, Request) pairs, not {type(requests).__name__}"
        )
    if not items:
        raise InvalidArgument("a batch needs at least one request")
    if len(items) > MAX_BATCH_REQUESTS:
        raise InvalidArgument(f"a batch holds at most {MAX_BATCH_REQUESTS} requests, not {len(items)}")
    seen: set[str] = set()
    for custom_id, request in items:
        if not isinstance(custom_id, str):
            raise InvalidArgument(f"a custom_id is a string, not {type(custom_id).__name__}")
        if not isinstance(request, Request):
            raise InvalidArgument(f"{custom_id!r}: expected a convo.Request, not {type(request).__name__}")
        if custom_id in seen:
            raise InvalidArgument(f"custom_id {custom_id!r} is used twice; each must be unique in the batch")
        seen.add(custom_id)
    return items


def _batch_options(items: list[tuple[str, Request]]) -> dict[str, Any]:
    """The :data:`BATCH_OPTIONS` of a batch's requests, which its create call sends once, as
    headers, for all of them: so every request must carry the same ones (betas in any order),
    or none."""
    first_id, first = items[0]
    options = {}
    for name, phrase in BATCH_OPTIONS.items():
        value = first._values.get(name)
        for custom_id, request in items[1:]:
            other = request._values.get(name)
            if _option_key(name, other) != _option_key(name, value):
                raise InvalidArgument(
                    f"{custom_id!r} has {name} {_shown(name, other)} but {first_id!r} has "
                    f"{_shown(name, value)}: {phrase} one {HEADER_PARAMETERS[name]} header for the "
                    f"whole batch, so requests with other {name} go in another batch"
                )
        if value is not None:
            options[name] = list(value) if name == "betas" else value
    return options


def _option_key(name: str, value: Any) -> object:
    return frozenset(value or ()) if name == "betas" else value


def _shown(name: str, value: Any) -> str:
    return repr(list(value or ())) if name == "betas" else repr(value)


def batch(requests: Mapping[str, Request] | Iterable[tuple[str, Request]]) -> BatchCreateParams:
    """Keyword arguments for ``client.messages.batches.create(**...)``: ``{"requests": [...]}``.

    ``requests`` maps each ``custom_id`` to its :class:`Request` (or is a sequence of pairs).
    ``custom_id`` must match ``^[a-zA-Z0-9_-]{1,64}$`` and be unique; results come back in any
    order, matched by ``custom_id`` (§8.2).  Requests with ``betas`` must all carry the same
    ones: they are lifted out of the entries to the batch's own ``betas`` (its
    ``anthropic-beta`` header), for ``client.beta.messages.batches.create(**...)``; so is a
    ``workspace_id``, which selects the workspace of the whole batch (§8.1).  Raises
    :class:`convo.InvalidArgument` otherwise.

    >>> import convo
    >>> req = convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=256)
    >>> convo.batch({"greet-1": req})  # client.messages.batches.create(**convo.batch(...))
    {'requests': [{'custom_id': 'greet-1', 'params': {'model': 'claude-opus-4-8', 'max_tokens': 256, 'messages': [{'role': 'user', 'content': 'Hi'}]}}]}
    """
    items = _entries(requests)
    options = _batch_options(items)
    lines = [r._line(cid, lifted=True) for cid, r in items]
    _check_batch_size(lines)  # the API measures the JSON body
    created: dict[str, Any] = {"requests": [_decode.decode(line) for line in lines], **options}
    return cast("BatchCreateParams", created)


def batch_body(requests: Mapping[str, Request] | Iterable[tuple[str, Request]]) -> bytes:
    """The JSON bytes to POST to ``/v1/messages/batches`` (at most 256 MB, §8.3), with the
    headers :func:`batch_headers` gives (the requests' shared ``betas`` and ``workspace_id`` go there).

    >>> import convo
    >>> req = convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=256)
    >>> convo.batch_body([("greet-1", req)])
    b'{"requests":[{"custom_id":"greet-1","params":{"model":"claude-opus-4-8","max_tokens":256,"messages":[{"role":"user","content":"Hi"}]}}]}'
    """
    items = _entries(requests)
    _batch_options(items)
    lines = [r._line(cid, lifted=True) for cid, r in items]
    _check_batch_size(lines)
    return b'{"requests":[' + b",".join(lines) + b"]}"


def batch_headers(requests: Mapping[str, Request] | Iterable[tuple[str, Request]]) -> dict[str, str]:
    """The HTTP headers :func:`batch_body` is sent with, besides authentication: the API
    version, and the requests' shared ``betas`` and ``workspace_id`` as ``anthropic-beta`` and
    ``anthropic-workspace-id``.

    >>> import convo
    >>> req = convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=256,
    ...                                               betas=["context-1m-2025-08-07"])
    >>> convo.batch_headers({"long-1": req})["anthropic-beta"]
    'context-1m-2025-08-07'
    """
    return _headers(_batch_options(_entries(requests)))


def _headers(values: Mapping[str, Any]) -> dict[str, str]:
    """The HTTP headers of a call besides authentication: the API version, and the
    :data:`HEADER_PARAMETERS` among ``values`` as their headers."""
    headers = {"anthropic-version": API_VERSION, "content-type": "application/json"}
    for name, header in HEADER_PARAMETERS.items():
        if name in values:
            headers[header] = header_value(values[name])
    return headers


def _check_batch_size(lines: list[bytes]) -> None:
    """Refuse a batch whose body, ``{"requests":[...]}``, would be over 256 MB (§8.3)."""
    size = len(b'{"requests":[]}') + sum(map(len, lines)) + len(lines) - 1
    if size > MAX_BATCH_BODY:
        raise InvalidArgument(
            f"the batch is {size:,} bytes; at most 256 MB ({MAX_BATCH_BODY:,} bytes) are accepted"
        )


def batch_jsonl(requests: Mapping[str, Request] | Iterable[tuple[str, Request]]) -> bytes:
    """A JSON Lines batch file: one ``{"custom_id", "params"}`` entry per line, newline-terminated.

    A request with ``betas`` raises :class:`convo.InvalidArgument`: a file has no header to
    carry them (:func:`batch_body` with :func:`batch_headers` does).

    >>> import convo
    >>> req = convo.Conversation().user("Hi").request(model="claude-opus-4-8", max_tokens=64)
    >>> print(convo.batch_jsonl({"q-1": req}).decode(), end="")
    {"custom_id":"q-1","params":{"model":"claude-opus-4-8","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}}
    """
    lines = [r.batch_line(cid) for cid, r in _entries(requests)]  # a file has no header for betas
    _check_batch_size(lines)
    return b"".join(line + b"\n" for line in lines)
