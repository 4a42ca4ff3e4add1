"""Claude Code session transcripts, rebuilt into the API conversation they record.

A transcript (``~/.claude/projects/<project>/<session>.jsonl``) has one JSON entry per line: a
``user`` or ``assistant`` entry carries the API ``message`` it recorded, and other entries
(``summary``, ``system``, ...) carry none.  Rebuilding the conversation:

* entries marked ``isSidechain`` belong to a sub-agent's own conversation and are left out;
* Claude Code writes one line per content block of a streamed response, so one API message can
  span several ``assistant`` lines sharing a ``message.id``, with ``user`` lines holding the
  tool results of its first tool calls in between: those lines are one assistant message, and
  the tool results one user turn after it;
* consecutive ``user`` lines are one user turn (their blocks in order; a lone string content is
  kept as a string).

Every content block keeps its recorded bytes.  The result is checked like any conversation: it
validates, or its report names each problem with the transcript lines of the turn at fault.
Also read: the ``{"loglines": [entry, ...]}`` JSON form some tools export (entry numbers stand
in for line numbers there).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, final

import attrs
import msgspec

from ._check import check
from ._codec import decode_body, decode_message, to_json_bytes
from ._conversation import Conversation
from ._errors import InputError, Problem, Report, ValidationError
from ._io import read_bytes
from ._message import Message

__all__ = ["SkippedEntry", "TranscriptImport", "import_transcript", "is_transcript"]

ENTRY_TYPES: Final = frozenset({"user", "assistant", "summary", "system"})


class _Entry(msgspec.Struct):
    type: Any = None
    isSidechain: Any = None
    message: msgspec.Raw = msgspec.Raw(b"null")


class _Message(msgspec.Struct):
    role: Any = None
    content: msgspec.Raw = msgspec.Raw(b"null")
    id: Any = None


_entry: Final = msgspec.json.Decoder(_Entry)
_message: Final = msgspec.json.Decoder(_Message)
_raw_list: Final = msgspec.json.Decoder(list[msgspec.Raw])
_raw_object: Final = msgspec.json.Decoder(dict[str, msgspec.Raw])
_any: Final = msgspec.json.Decoder()


@final
@attrs.frozen
class SkippedEntry:
    """A transcript entry left out of the conversation, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@final
@attrs.frozen
class TranscriptImport:
    """A Claude Code transcript rebuilt into API messages, with the check of the result.

    ``lines[i]`` are the transcript line numbers (1-based) behind ``messages[i]``; ``report``
    checks the rebuilt messages (paths ``/messages/i/...``); ``skipped`` lists the entries that
    are not part of the main conversation.
    """

    messages: tuple[Message, ...]
    lines: tuple[tuple[int, ...], ...]
    report: Report
    skipped: tuple[SkippedEntry, ...]

    @property
    def valid(self) -> bool:
        """True when the API would accept the rebuilt conversation (warnings are allowed)."""
        return not self.report.conversation_errors

    @property
    def conversation(self) -> Conversation:
        """The rebuilt conversation; raises :class:`convo.ValidationError` naming the
        transcript lines of every recorded turn the API would reject."""
        if not self.valid:
            errors = self.report.conversation_errors
            text = "\n".join([f"{len(errors)} problem(s):", *(f"  {self.where(p)}: {p}" for p in errors)])
            raise ValidationError(errors, text)
        return Conversation.from_wire(self.wire())

    def wire(self) -> bytes:
        """The rebuilt messages as a wire body ``{"messages": [...]}``, valid or not."""
        return b'{"messages":[' + b",".join(m.to_json() for m in self.messages) + b"]}"

    def where(self, problem: Problem) -> str:
        """The transcript lines a problem comes from, e.g. ``'lines 12-14 (message 5)'``."""
        parts = problem.path.split("/")
        if len(parts) < 3 or parts[1] != "messages" or not parts[2].isdigit():
            return "the transcript"
        index = int(parts[2])
        if index >= len(self.lines):
            return f"message {index}"
        numbers = self.lines[index]
        span = f"line {numbers[0]}" if len(numbers) == 1 else f"lines {_ranges(numbers)}"
        return f"{span} (message {index})"

    def problems(self) -> list[str]:
        """Every problem of the report, one line each, led by its transcript lines."""
        return [f"{self.where(p)}: {p}" for p in self.report.problems]


def _ranges(numbers: tuple[int, ...]) -> str:
    out: list[str] = []
    start = prev = numbers[0]
    for n in (*numbers[1:], None):
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


@attrs.define
class _Turn:
    role: str
    blocks: list[bytes]
    lines: list[int]
    string: bytes | None = None  # the content, when it is one entry's string content
    id: object = None
    results_only: bool = True  # a user turn made only of tool_result blocks

    def add(self, content: bytes, line: int) -> None:
        if self.string is not None:
            self.blocks.append(b'{"type":"text","text":' + self.string + b"}")
            self.string = None
        if content.startswith(b'"'):
            if not self.blocks and not self.lines:
                self.string = content
            else:
                self.blocks.append(b'{"type":"text","text":' + content + b"}")
            self.results_only = False
        else:
            for block in _raw_list.decode(content):
                raw = bytes(block)
                self.blocks.append(raw)
                self.results_only = self.results_only and _is_result(raw)
        self.lines.append(line)

    def wire(self) -> bytes:
        content = self.string if self.string is not None else b"[" + b",".join(self.blocks) + b"]"
        return b'{"role":"' + self.role.encode() + b'","content":' + content + b"}"


def _is_result(raw: bytes) -> bool:
    try:
        value = _raw_object.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return False
    return value.get("type") == msgspec.Raw(b'"tool_result"')


def _entries(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, entry bytes) of a JSON Lines transcript or a ``loglines`` document."""
    stripped = data.lstrip()
    if stripped.startswith(b"{") and b'"loglines"' in data:
        try:
            top = _raw_object.decode(data)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            top = None  # read line by line: the line that is not an entry says why
        if top is not None and "loglines" in top:
            try:
                items = _raw_list.decode(top["loglines"])
            except (msgspec.DecodeError, UnicodeDecodeError):
                raise InputError("'loglines' must be an array of entries") from None
            for n, item in enumerate(items, 1):
                yield n, bytes(item)
            return
    for n, line in enumerate(data.split(b"\n"), 1):
        if line.strip():
            yield n, line


def is_transcript(data: bytes) -> bool:
    """True when ``data`` looks like a Claude Code transcript (entries with ``type`` and
    ``message``), not a plain list of messages."""
    stripped = data.lstrip()
    if stripped.startswith(b"{") and b'"loglines"' in data[:4096]:
        try:
            if "loglines" in _raw_object.decode(data):
                return True
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            pass  # JSON Lines (a tool input may say "loglines"), or not JSON: the entries tell
    for seen, (_, line) in enumerate(_entries(data)):
        if seen >= 20:
            break
        try:
            entry = _raw_object.decode(line)
            kind = _any.decode(entry["type"]) if "type" in entry else None
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            continue
        if "role" in entry:
            return False
        if kind in ENTRY_TYPES and ("message" in entry or kind == "summary"):
            return True
    return False


def import_transcript(source: bytes | str | os.PathLike[str]) -> TranscriptImport:
    """Rebuild the API conversation a Claude Code transcript records.

    ``source`` is the transcript's bytes, or a path (``str`` or path-like) to it.  Never raises on what the
    transcript says: what the API would reject is in ``report`` (see
    :attr:`TranscriptImport.conversation`).  Unreadable bytes raise :class:`convo.InputError`.

    >>> import convo
    >>> lines = [
    ...     b'{"type":"summary","summary":"greeting"}',
    ...     b'{"type":"user","message":{"role":"user","content":"Hi"}}',
    ...     b'{"type":"assistant","message":{"id":"msg_1","role":"assistant","content":[{"type":"text","text":"Hello"}]}}',
    ... ]
    >>> imported = convo.import_transcript(b"\\n".join(lines))
    >>> imported.valid, imported.lines, [str(s) for s in imported.skipped]
    (True, ((2,), (3,)), ["line 1: a 'summary' entry"])
    >>> imported.conversation.to_json()
    b'{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":[{"type":"text","text":"Hello"}]}]}'
    """
    data = bytes(source) if isinstance(source, bytes | bytearray) else read_bytes(Path(source))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the transcript is not valid UTF-8 (byte {exc.start})") from None
    turns: list[_Turn] = []
    skipped: list[SkippedEntry] = []
    for number, raw in _entries(data):
        turn = _read_entry(number, raw, skipped)
        if turn is None:
            continue
        role, content, message_id = turn
        _place(turns, role, content, message_id, number)
    wires = [t.wire() for t in turns]
    body = b'{"messages":[' + b",".join(wires) + b"]}"
    try:
        compact = to_json_bytes(body)
    except InputError as exc:  # pragma: no cover - every piece was read as JSON already
        raise InputError(f"the rebuilt conversation is not JSON: {exc}") from None
    report = check(compact)
    sink: list[Problem] = []
    parsed = decode_body(compact, sink.append)
    messages = [decode_message(bytes(raw), i, sink.append) for i, raw in enumerate(parsed.messages)]
    return TranscriptImport(tuple(messages), tuple(tuple(t.lines) for t in turns), report, tuple(skipped))


def _read_entry(number: int, raw: bytes, skipped: list[SkippedEntry]) -> tuple[str, bytes, object] | None:
    try:
        entry = _entry.decode(raw)
    except RecursionError:  # msgspec guards its own recursion; hostile nesting lands here
        raise InputError(f"line {number}: input is nested too deeply") from None
    except msgspec.ValidationError:
        skipped.append(SkippedEntry(number, "not a transcript entry (not an object)"))
        return None
    except (msgspec.DecodeError, UnicodeDecodeError):
        skipped.append(SkippedEntry(number, "not JSON"))
        return None
    if entry.isSidechain is True:
        skipped.append(SkippedEntry(number, "a sidechain (sub-agent) entry"))
        return None
    if entry.type not in ("user", "assistant"):
        skipped.append(
            SkippedEntry(
                number, f"a {entry.type!r} entry" if isinstance(entry.type, str) else "no entry type"
            )
        )
        return None
    if bytes(entry.message) == b"null":
        skipped.append(SkippedEntry(number, f"a {entry.type} entry without a message"))
        return None
    try:
        message = _message.decode(entry.message)
    except (msgspec.DecodeError, UnicodeDecodeError):
        skipped.append(SkippedEntry(number, f"a {entry.type} entry whose message is not an object"))
        return None
    role = message.role if message.role in ("user", "assistant") else entry.type
    content = bytes(message.content)
    if not content.startswith((b'"', b"[")):
        skipped.append(SkippedEntry(number, f"a {entry.type} message without string or array content"))
        return None
    return role, content, message.id


def _place(turns: list[_Turn], role: str, content: bytes, message_id: object, number: int) -> None:
    last = turns[-1] if turns else None
    if role == "user":
        if last is not None and last.role == "user":
            last.add(content, number)
        else:
            turn = _Turn("user", [], [])
            turn.add(content, number)
            turns.append(turn)
        return
    if message_id is not None:
        # The next content block of a response already begun, maybe after its first tool results.
        if last is not None and last.role == "assistant" and last.id == message_id:
            last.add(content, number)
            return
        before = turns[-2] if len(turns) >= 2 else None
        if (
            before is not None
            and last is not None
            and last.role == "user"
            and last.results_only
            and before.role == "assistant"
            and before.id == message_id
        ):
            before.add(content, number)
            return
    turn = _Turn("assistant", [], [], id=message_id)
    turn.add(content, number)
    turns.append(turn)
