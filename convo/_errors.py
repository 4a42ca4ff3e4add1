"""Problems, reports and the exception hierarchy.

::

    ConvoError(Exception)                  root of everything convo raises
    ├── ValidationError(ConvoError, ValueError)   content the API would reject; carries .errors
    ├── InputError(ConvoError, ValueError)        input that is not readable at all
    │                                             (not JSON, not UTF-8, wrong shape)
    ├── InvalidArgument(ConvoError, ValueError)   a call convo cannot carry out as asked
    ├── ResponseError, Refused, ToolUseTruncated  a response reply() will not append (_reply.py)
    ├── StreamError, StreamErrorEvent             a stream that makes no message (_stream.py)
    └── ToolInputError                            a tool input that does not fit (_tools.py)

Every :class:`Problem` has a stable kebab-case ``code`` (documented in ``docs/rules.md``), a
``severity``, a JSON Pointer ``path`` from the root of the request body, a one-line ``message``
and a one-line ``hint`` saying how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal, TypeAlias, final

import attrs

__all__ = [
    "ConvoError",
    "InputError",
    "InvalidArgument",
    "Path",
    "Problem",
    "Report",
    "ValidationError",
    "pointer",
    "type_name",
]

Path: TypeAlias = tuple[str | int, ...]
Severity: TypeAlias = Literal["error", "warning"]
Scope: TypeAlias = Literal["conversation", "request"]


def pointer(path: Path) -> str:
    """Render a path as an RFC 6901 JSON Pointer.

    >>> pointer(("messages", 3, "content", 0))
    '/messages/3/content/0'
    >>> pointer(())
    ''
    """
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


_TYPE_NAMES: Final = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    type(None): "null",
}


def type_name(value: object) -> str:
    """How an error message names the JSON type of a decoded value.

    >>> type_name({}), type_name(1.5), type_name(None), type_name(b"")
    ('an object', 'a number', 'null', 'bytes')
    """
    if type(value) in _TYPE_NAMES:
        return _TYPE_NAMES[type(value)]
    return "a number" if isinstance(value, int | float) else type(value).__name__


@final
@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with a conversation or request.

    ``scope`` says whether it is a problem of the conversation itself (its messages, system
    prompt and tools) or of today's request parameters around it (for example a ``temperature``
    that API version 2026-10-21 removed).

    >>> import convo
    >>> problem = convo.check(b'[{"role": "user", "content": ""}]').problems[0]
    >>> problem.code, problem.path
    ('content-empty', '/messages/0/content')
    >>> print(problem)
    error content-empty at /messages/0/content: content must be non-empty (drop the message or give it content)
    """

    code: str
    severity: Severity
    path: str
    message: str
    hint: str
    scope: Scope = "conversation"

    def __str__(self) -> str:
        where = self.path or "/"
        return f"{self.severity} {self.code} at {where}: {self.message} ({self.hint})"

    def to_dict(self) -> dict[str, str]:
        """The JSON form used by ``convo check --json``."""
        return {"code": self.code, "path": self.path, "message": self.message, "hint": self.hint}


@final
@attrs.frozen
class Report:
    """The result of :func:`convo.check`: every problem found, errors and warnings apart.

    >>> import convo
    >>> report = convo.check([{"role": "user", "content": "Hi"}])
    >>> report.valid, report.errors, report.warnings
    (True, (), ())
    """

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems the API rejects."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems the API accepts, but that probably do not do what was meant."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def conversation_errors(self) -> tuple[Problem, ...]:
        """Errors in the messages, system prompt or tools themselves."""
        return tuple(p for p in self.errors if p.scope == "conversation")

    @property
    def request_errors(self) -> tuple[Problem, ...]:
        """Errors in the request parameters around the conversation."""
        return tuple(p for p in self.errors if p.scope == "request")

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings are allowed)."""
        return not any(p.severity == "error" for p in self.problems)

    def raise_for_errors(self) -> None:
        """Raise :class:`ValidationError` listing every error, if there is any."""
        if not self.valid:
            raise ValidationError(self.errors)


class ConvoError(Exception):
    """Root of every exception convo raises.

    Every one pickles and copies whole, whatever its ``__init__`` takes, so an error raised in
    a worker process reaches the parent as itself (not as a ``TypeError`` from unpickling).

    >>> import convo
    >>> try:
    ...     convo.Conversation.from_wire(b"not json")
    ... except convo.ConvoError as exc:  # catches any of convo's errors
    ...     print(type(exc).__name__)
    InputError
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(cls: type[ConvoError], args: tuple[Any, ...], state: dict[str, Any]) -> ConvoError:
    error = cls.__new__(cls, *args)  # OSError's __new__ reads errno, strerror, filename from args
    error.args = args
    error.__dict__.update(state)
    return error


class InputError(ConvoError, ValueError):
    """The input is not readable at all: not UTF-8, not JSON, too deep, or not a conversation.

    ``path`` is a JSON Pointer (from the root of the request body, or of the response given to
    ``reply``) to the one value that cannot be read: a number JSON allows but Python cannot
    hold, such as ``1e999``.  It is ``""`` when the input as a whole is unreadable.  ``detail``
    says what is wrong; the message is ``detail``, led by the path if there is one.

    >>> import convo
    >>> try:
    ...     convo.Conversation.from_wire(b"not json")
    ... except convo.InputError as exc:
    ...     print(exc)
    input is not valid JSON: JSON is malformed: invalid character (byte 1)
    >>> try:
    ...     convo.Conversation.from_wire(b'{"messages": [], "max_tokens": 1e999}')
    ... except convo.InputError as exc:
    ...     print(exc.path, exc.detail, sep=" | ")
    ...     print(exc)
    /max_tokens | number out of range
    /max_tokens: number out of range
    """

    path: str
    detail: str
    source: str
    """The name of the input (a file, ``-`` for standard input) when a reader of files gave it, else ``""``."""

    def __init__(self, detail: str, *, path: str = "", source: str = "") -> None:
        self.path = path
        self.detail = detail
        self.source = source
        super().__init__(": ".join(part for part in (source, path, detail) if part))

    def named(self, source: str) -> InputError:
        """The same error about the input called ``source``: its message leads with the name,
        and ``path`` and ``detail`` stay.  An error that names its input already is returned as is."""
        if self.source or str(self).startswith(source):
            return self
        return InputError(self.detail, path=self.path, source=source)


class InvalidArgument(ConvoError, ValueError):
    """A call convo cannot carry out as asked (for example results for ids that are not pending).

    >>> import convo
    >>> try:
    ...     convo.Conversation().user("Hi").tool_results({"toolu_1": "18 C"})
    ... except convo.InvalidArgument as exc:
    ...     print(exc)
    no tool_use is pending: the last turn is not an assistant turn that calls tools
    """


class ValidationError(ConvoError, ValueError):
    """The content would be rejected by the API.  ``errors`` lists every problem at once.

    >>> import convo
    >>> try:
    ...     convo.Conversation().user("")
    ... except convo.ValidationError as exc:
    ...     print([p.code for p in exc.errors])
    ['content-empty']
    """

    errors: tuple[Problem, ...]

    def __init__(self, errors: Iterable[Problem], message: str | None = None) -> None:
        self.errors = tuple(errors)
        super().__init__(message or _summary(self.errors))


def _summary(errors: Sequence[Problem]) -> str:
    if not errors:
        return "invalid conversation"
    lines = [f"{len(errors)} problem{'s' if len(errors) != 1 else ''}:"]
    lines.extend(f"  {p}" for p in errors[:20])
    if len(errors) > 20:
        lines.append(f"  ... and {len(errors) - 20} more")
    return "\n".join(lines)
