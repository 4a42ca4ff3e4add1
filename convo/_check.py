"""``convo.check``: validate anything, never raise on bad content."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from ._conversation import read
from ._errors import InputError, Problem, Report
from ._params import beta_names
from ._rules import problem

__all__ = ["check"]


def check(data: object, *, model: str | None = None, betas: Iterable[str] | None = None) -> Report:
    """Validate a messages array, request body or convo file, and report every problem.

    ``data`` is anything :meth:`Conversation.from_wire` accepts.  With a ``model`` (given here
    or named in a request body) the report also covers readiness to send to that model: prefill,
    image counts, a pending tool_use.  ``betas`` are the beta names the body is sent with (its
    ``anthropic-beta`` header, never a body field): with ``interleaved-thinking-2025-05-14`` a
    thinking budget may exceed ``max_tokens``, and the beta blocks a known beta covers are not
    ``beta-content``.  Never raises on bad content: unreadable input gives one
    ``input-unreadable`` error, at the path of the value that cannot be read if it is one value
    (a number out of range, ``1e999``), else at ``""``; ``betas`` that are not a list of beta
    names, and a ``model`` that is not a string, raise :class:`convo.InvalidArgument`.

    >>> import convo
    >>> report = convo.check([{"role": "user", "content": ""}])
    >>> report.valid
    False
    >>> [(p.code, p.path) for p in report.errors]
    [('content-empty', '/messages/0/content')]
    >>> body = {"model": "claude-sonnet-4-5", "max_tokens": 4096, "messages": [{"role": "user", "content": "Hi"}],
    ...         "thinking": {"type": "enabled", "budget_tokens": 8000}}
    >>> [p.code for p in convo.check(body).errors]
    ['thinking-budget-exceeds-max-tokens']
    >>> convo.check(body, betas=["interleaved-thinking-2025-05-14"]).valid
    True
    """
    return checked(data, model=model, betas=beta_names(betas))


def checked(data: object, *, model: str | None, betas: Sequence[str], paused: bool = False) -> Report:
    """:func:`check` of ``data`` sent with ``betas`` (beta names); ``paused``: its last turn is a
    ``pause_turn`` response, as :meth:`Conversation.reply` knew and the bytes do not say."""
    try:
        parts = read(data, model=model, betas=betas, paused=paused)
    except InputError as exc:
        return Report((attrs.evolve(problem("input-unreadable", (), exc.detail), path=exc.path),))
    return Report(tuple(_ordered(parts.problems)))


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Errors first, then warnings; each in document order: what is outside ``messages`` (the
    parameters, system and tools, as found), then the messages' problems by message and block
    (a tool_use is found unanswered only at the next message, but reported at its own place).

    Indexes compare by length, then digits: numeric order for an index, and no failure on a
    field name of the input that only looks like one (``"²"``, 5,000 digits)."""

    def place(p: Problem) -> tuple[bool, bool, tuple[tuple[int, str], ...]]:
        parts = p.path.split("/")
        in_messages = len(parts) > 2 and parts[1] == "messages"
        indexes = (
            tuple((len(part), part) for part in parts[2:] if part.isascii() and part.isdigit())
            if in_messages
            else ()
        )
        return p.severity != "error", in_messages, indexes

    return sorted(problems, key=place)
