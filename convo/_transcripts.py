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
  kept as a string);
* a transcript is a tree: each entry names its ``parentUuid``.  Rewinding (``/rewind``, Esc Esc)
  or editing an earlier prompt appends the new exchange under an earlier entry, and the
  abandoned one stays in the file.  When the main entries carry uuids, only the active branch
  is rebuilt: from its leaf (the ``leafUuid`` of the latest ``last-prompt`` entry when no message
  follows that entry, else the newest message) back to the root through ``parentUuid`` (and
  ``logicalParentUuid`` across a compact boundary), with the entries off that path that it needs
  (the other lines of a response on it, the tool results answering its tool calls).  The
  entries of abandoned branches are skipped.  A tree that is not sound (an entry without a uuid,
  a duplicate uuid, a parent not in the file, a cycle, several roots without a ``last-prompt``
  to choose) is read in file order, as is a transcript without forks.

Every content block keeps its recorded bytes.  The result is checked like any conversation: it
validates, or its report names each problem with the transcript lines of the turn at fault.
Also read: the ``{"loglines": [entry, ...]}`` JSON form some tools export (entry numbers stand
in for line numbers there).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Final, final

import attrs
import msgspec

from ._check import check
from ._codec import decode_body, decode_message, to_json_bytes
from ._conversation import Conversation
from ._errors import InputError, Problem, Report, ValidationError
from ._io import file_path, read_bytes
from ._message import Message

__all__ = ["SkippedEntry", "TranscriptImport", "import_transcript", "is_transcript"]

ENTRY_TYPES: Final = frozenset({"user", "assistant", "summary", "system"})


NOT_JSON: Final = "not JSON"
"""The reason of a skipped line that is not JSON (a torn last line, when it is the last)."""

ABANDONED: Final = "on an abandoned branch (rewound or edited)"
"""The reason of a skipped entry that a rewind or an edited prompt left behind."""


class _Entry(msgspec.Struct):
    type: Any = None
    isSidechain: Any = None
    message: msgspec.Raw = msgspec.Raw(b"null")
    uuid: Any = None
    parentUuid: Any = None
    logicalParentUuid: Any = None
    leafUuid: Any = None


class _Message(msgspec.Struct):
    role: Any = None
    content: msgspec.Raw = msgspec.Raw(b"null")
    id: Any = None


class _Block(msgspec.Struct):
    type: Any = None
    id: Any = None
    tool_use_id: Any = None


_entry: Final = msgspec.json.Decoder(_Entry)
_message: Final = msgspec.json.Decoder(_Message)
_block: Final = msgspec.json.Decoder(_Block)
_raw_list: Final = msgspec.json.Decoder(list[msgspec.Raw])
_raw_object: Final = msgspec.json.Decoder(dict[str, msgspec.Raw])
_any: Final = msgspec.json.Decoder()


@final
@attrs.frozen
class SkippedEntry:
    """A transcript entry left out of the conversation, and why.

    ``damaged`` is True when the entry should have been part of the conversation but cannot be
    read (not JSON, not an object, no entry type, a message that is not an object or has no
    string or array content): a turn is lost there.  It is False for an entry left out by
    design (a sidechain, a ``summary`` or other entry that carries no message, an abandoned
    branch).

    >>> import convo
    >>> imported = convo.import_transcript(b'{"type":"user","message":{"role":"user","content":"Hi"}}\\nnot json\\n')
    >>> imported.skipped
    (SkippedEntry(line=2, reason='not JSON', damaged=True),)
    """

    line: int
    reason: str
    damaged: bool = False

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@final
@attrs.frozen
class TranscriptImport:
    """A Claude Code transcript rebuilt into API messages, with the check of the result.

    ``lines[i]`` are the transcript line numbers (1-based) behind ``messages[i]``; ``report``
    checks the rebuilt messages (paths ``/messages/i/...``); ``skipped`` lists the entries that
    are not part of the main conversation.

    >>> import convo
    >>> lines = [b'{"type":"user","message":{"role":"user","content":"Hi"}}',
    ...          b'{"type":"user","message":{"role":"user","content":""}}']
    >>> imported = convo.import_transcript(b"\\n".join(lines))
    >>> imported.valid, imported.lines, [imported.where(p) for p in imported.report.errors]
    (False, ((1, 2),), ['lines 1-2 (message 0)'])
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
    return bool(_read_block(raw).type == "tool_result")


def _read_block(raw: bytes) -> _Block:
    """The type and ids of a content block (none of them when it is not an object)."""
    try:
        return _block.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return _Block()


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
        if isinstance(kind, str) and kind in ENTRY_TYPES and ("message" in entry or kind == "summary"):
            return True
    return False


def import_transcript(source: bytes | str | os.PathLike[str]) -> TranscriptImport:
    """Rebuild the API conversation a Claude Code transcript records.

    ``source`` is the transcript's bytes, or a path (``str`` or path-like) to it.  Never raises on what the
    transcript says: what the API would reject is in ``report`` (see
    :attr:`TranscriptImport.conversation`), and the entries left out are in ``skipped`` (the
    damaged ones marked so).  Unreadable bytes raise :class:`convo.InputError`, a path that
    cannot name a file :class:`convo.InvalidArgument`.

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
    data = bytes(source) if isinstance(source, bytes | bytearray) else read_bytes(file_path(source))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the transcript is not valid UTF-8 (byte {exc.start})") from None
    entries: list[tuple[int, _Entry]] = []
    lines: list[_Line] = []
    skipped: list[SkippedEntry] = []
    for number, raw in _entries(data):
        entry = _decode_entry(number, raw)
        if isinstance(entry, _Entry):
            entries.append((number, entry))
        read = _read_entry(number, entry) if isinstance(entry, _Entry) else entry
        if isinstance(read, _Line):
            lines.append(read)
        else:
            skipped.append(read)
    active = _active_branch(entries, lines)
    if active is not None:
        skipped += [SkippedEntry(line.number, ABANDONED) for line in lines if line.number not in active]
        skipped.sort(key=lambda s: s.line)
        lines = [line for line in lines if line.number in active]
    turns: list[_Turn] = []
    for line in lines:
        _place(turns, line)
    wires = [t.wire() for t in turns]
    body = b'{"messages":[' + b",".join(wires) + b"]}"
    try:
        compact = to_json_bytes(body)
    except InputError as exc:  # pragma: no cover - every piece was read as JSON already
        raise InputError(f"the rebuilt conversation is not JSON: {exc}") from None
    report = check(compact)
    sink: list[Problem] = []
    parsed = decode_body(compact, sink.append)
    messages = [
        decode_message(bytes(raw), ("messages", i), sink.append) for i, raw in enumerate(parsed.messages)
    ]
    return TranscriptImport(tuple(messages), tuple(tuple(t.lines) for t in turns), report, tuple(skipped))


@attrs.frozen
class _Line:
    """A transcript line that holds a message of the main conversation."""

    number: int
    entry: _Entry
    role: str
    content: bytes
    id: str | None  # the message id, which the lines of one streamed response share

    def blocks(self) -> list[_Block]:
        return (
            [_read_block(bytes(raw)) for raw in _raw_list.decode(self.content)]
            if self.content[:1] == b"["
            else []
        )


def _decode_entry(number: int, raw: bytes) -> _Entry | SkippedEntry:
    try:
        return _entry.decode(raw)
    except RecursionError:  # msgspec guards its own recursion; hostile nesting lands here
        return SkippedEntry(number, "nested too deeply to read", damaged=True)
    except msgspec.ValidationError:
        return SkippedEntry(number, "not a transcript entry (not an object)", damaged=True)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return SkippedEntry(number, NOT_JSON, damaged=True)


def _read_entry(number: int, entry: _Entry) -> _Line | SkippedEntry:
    if entry.isSidechain is True:
        return SkippedEntry(number, "a sidechain (sub-agent) entry")
    if not isinstance(entry.type, str):
        return SkippedEntry(number, "no entry type", damaged=True)
    if entry.type not in ("user", "assistant"):
        return SkippedEntry(number, f"a {entry.type!r} entry")
    if bytes(entry.message) == b"null":
        return SkippedEntry(number, f"a {entry.type} entry without a message", damaged=True)
    try:
        message = _message.decode(entry.message)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return SkippedEntry(number, f"a {entry.type} entry whose message is not an object", damaged=True)
    role = message.role if message.role in ("user", "assistant") else entry.type
    content = bytes(message.content)
    if not content.startswith((b'"', b"[")):
        return SkippedEntry(number, f"a {entry.type} message without string or array content", damaged=True)
    return _Line(number, entry, role, content, message.id if isinstance(message.id, str) else None)


def _active_branch(entries: list[tuple[int, _Entry]], lines: list[_Line]) -> set[int] | None:
    """The line numbers of the active branch of the transcript's tree, or None to read every
    line in file order: no fork, lines without uuids, or a tree that is not sound."""
    if not lines or not all(isinstance(line.entry.uuid, str) for line in lines):
        return None
    index: dict[str, _Entry] = {}
    marker: tuple[int, object] | None = None  # the line and leafUuid of the latest last-prompt
    for number, entry in entries:
        if entry.isSidechain is True:
            continue
        if entry.type == "last-prompt":
            marker = (number, entry.leafUuid)
        if isinstance(entry.uuid, str):
            if entry.uuid in index:
                return None  # a duplicate uuid
            index[entry.uuid] = entry
    parents: dict[str, str | None] = {}
    children: dict[str | None, list[str]] = defaultdict(list)
    for uuid, entry in index.items():
        parent = _parent(entry, index)
        if parent is not None and not (isinstance(parent, str) and parent in index):
            return None  # a parent not in the file
        parents[uuid] = parent
        children[parent].append(uuid)
    reached, todo = 0, list[str | None]([None])
    while todo:
        below = children[todo.pop()]
        reached += len(below)
        todo += below
    if reached < len(index):
        return None  # a cycle
    leaf: str = lines[-1].entry.uuid
    if (
        marker is not None
        and marker[0] > lines[-1].number
        and isinstance(marker[1], str)
        and marker[1] in index
    ):
        leaf = marker[1]  # no message since the last prompt: a rewind may have moved the leaf back
    elif len(children[None]) > 1:
        return None  # several roots, and nothing to say which is the conversation
    path: set[str] = set()
    node: str | None = leaf
    while node is not None:
        path.add(node)
        node = parents[node]
    on_path = {line.number for line in lines if line.entry.uuid in path}
    return None if len(on_path) == len(lines) else _needed(on_path, lines)


def _parent(entry: _Entry, index: dict[str, _Entry]) -> object:
    """The uuid an entry follows: its ``parentUuid``, or at a compact boundary whose parent is
    not in the file, the ``logicalParentUuid`` that carries the history on."""
    parent = entry.parentUuid
    if entry.logicalParentUuid is None or (isinstance(parent, str) and parent in index):
        return parent
    return entry.logicalParentUuid


def _needed(path: set[int], lines: list[_Line]) -> set[int]:
    """The line numbers of the active path, with the lines off it that it needs: the other lines
    of a response on it (the same message id), and the tool results answering its tool calls
    that it does not answer itself (parallel tool calls and their results may branch)."""
    responses = {line.id for line in lines if line.number in path and line.role == "assistant" and line.id}
    kept = [
        line for line in lines if line.number in path or (line.role == "assistant" and line.id in responses)
    ]
    calls = {
        _text(b.id)
        for line in kept
        if line.role == "assistant"
        for b in line.blocks()
        if b.type == "tool_use"
    }
    calls -= {_text(b.tool_use_id) for line in kept if line.role == "user" for b in line.blocks()}
    calls.discard(None)
    answers = [line for line in lines if line.role == "user" and _answers(line) <= calls]
    return {line.number for line in kept + answers}


def _answers(line: _Line) -> set[str | None]:
    """The tool_use ids a line of tool results answers (None stands for any other block)."""
    blocks = line.blocks()
    return {_text(b.tool_use_id) if b.type == "tool_result" else None for b in blocks} if blocks else {None}


def _text(value: object) -> str | None:
    """``value`` when it is a string (an id), else None."""
    return value if isinstance(value, str) else None


def _place(turns: list[_Turn], line: _Line) -> None:
    role, content, message_id, number = line.role, line.content, line.id, line.number
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
