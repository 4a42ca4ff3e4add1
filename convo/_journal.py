"""Append-only JSON Lines journals: one live conversation, one message per line.

Layout (format version 1)::

    {"convo_journal":1,"metadata":{...},"system":...,"tools":[...]}     <- header, line 1
    {"role":"user","content":"..."}                                      <- one message per line,
    {"role":"assistant","content":[...]}                                    its exact wire bytes

A fork's header names its parent instead of carrying ``system`` and ``tools``::

    {"convo_journal":1,"metadata":{},"parent":{"name":"a.jsonl","messages":4,"sha256":"..."}}

A header ends with ``"paused":N`` when the conversation of the journal's first N messages ends
in a turn :meth:`Conversation.reply` appended from a ``pause_turn`` response whose bytes do not
show the pause (it ends in text; a conversation file says ``"paused":true``): it holds while
the journal has exactly N messages, so a later append, by any convo, ends it without a word.

The newline ends a record: a line without one is a torn write and is never read as data.  Every
append happens under an exclusive lock on the file, first catching up with lines other
processes appended, then validating the new message against the whole conversation, writing
it with one ``write`` and (by default) ``fdatasync`` before returning.  The one exception is a
turn that pauses as above: the header must say it, so the journal is written again whole,
atomically, with the new turn.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, Literal, final

import attrs
import msgspec

from ._codec import decode_message, decode_turn, to_json_bytes
from ._conversation import BlockLike, Conversation, ToolOutput
from ._errors import InputError, InvalidArgument, Problem, ValidationError
from ._io import (
    NOFOLLOW,
    CorruptJournal,
    StorageError,
    atomic_write,
    check_version,
    datasync,
    file_path,
    fsync_dir,
    lock,
    open_file,
    read_bytes,
    sibling,
    storage_error,
    unlock,
)
from ._message import Message, encode_json
from ._reply import DeclinedPolicy, RefusalPolicy, TruncationPolicy

__all__ = [
    "JOURNAL_VERSION",
    "Journal",
    "JournalData",
    "Recovery",
    "conversation_parts",
    "decode_line",
    "encode_metadata",
    "header_bytes",
    "is_journal",
    "journal_parts",
    "parse",
    "remove",
    "write_journal",
]

JOURNAL_VERSION: Final = 1
"""The journal format version this convo writes and the newest it reads."""

MAX_PARENT_DEPTH: Final = 64

log = logging.getLogger("convo")
log.addHandler(logging.NullHandler())  # a library logs; the application decides where it goes

_BYTE: Final = re.compile(r"\(byte (\d+)\)")
_HEADER_START: Final = b'{"convo_journal"'
_raw_object: Final = msgspec.json.Decoder(dict[str, msgspec.Raw])
_any: Final = msgspec.json.Decoder()


@final
@attrs.frozen
class Recovery:
    """What opening a journal left out of the conversation.

    ``kind`` is ``"torn-tail"`` (the last line was cut short by a crash mid-write; it was never
    acknowledged) or ``"salvaged"`` (damage before the last line, skipped on request).  ``line``
    and ``offset`` locate the first byte left out, ``size`` counts the bytes left out, and
    ``saved_to`` names the copy of the damaged original that a writable salvage keeps.

    >>> import convo
    >>> torn = b'{"convo_journal":1,"metadata":{}}\\n{"role":"user","content":"Hi"}\\n' + b'{"role":"assistant","cont'  # a crash cut the last write short
    >>> print(convo.loads(torn).recovery)
    torn last line from line 3 (byte 65, 25 bytes) left out: the line has no newline
    """

    kind: Literal["torn-tail", "salvaged"]
    line: int
    offset: int
    size: int
    reason: str
    saved_to: Path | None = None

    def __str__(self) -> str:
        what = "torn last line" if self.kind == "torn-tail" else "damaged lines"
        kept = f"; the damaged original is kept in {self.saved_to}" if self.saved_to else ""
        return f"{what} from line {self.line} (byte {self.offset}, {self.size} bytes) left out: {self.reason}{kept}"


@attrs.frozen
class _Parent:
    name: str
    messages: int
    sha256: str


@attrs.frozen
class _Header:
    metadata: bytes
    values: dict[str, Any]
    parent: _Parent | None
    system: bytes | None
    tools: bytes | None
    paused: int | None  # the number of messages of a conversation that ends paused untold


@attrs.frozen
class JournalData:
    """A journal read from bytes: the conversation and where its intact part ends."""

    conversation: Conversation
    metadata: dict[str, Any]
    header: _Header | None
    system: bytes | None  # effective system and tools, inherited through forks
    tools: bytes | None
    end: int  # byte offset just past the last intact line
    lines: int  # intact lines, header included
    recovery: Recovery | None


# -- reading -------------------------------------------------------------------------------------


_HEADER_KEY: Final = re.compile(rb'\A\s*\{\s*"convo_journal"\s*:')
"""How a journal starts: its header's first key.  (Not the key anywhere on the first line: a
saved file is one line, and the string may be anywhere in the conversation.)"""


def is_journal(data: bytes) -> bool:
    """True when ``data`` starts with a journal header line."""
    return _HEADER_KEY.match(data) is not None


def parse(
    data: bytes, *, path: Path | None = None, salvage: bool = False, _seen: frozenset[Path] = frozenset()
) -> JournalData:
    """Read a journal's bytes.  Nothing is written.

    A torn last line is left out and reported in ``recovery``.  Damage before it raises
    :class:`CorruptJournal`, or with ``salvage`` is left out with everything after it.  A fork
    reads its parent from ``path``'s directory.
    """
    cut = data.rfind(b"\n") + 1
    lines = data[:cut].split(b"\n")
    lines.pop()  # the empty piece after the final newline
    tail = data[cut:]
    recovery = None
    if tail:
        recovery = Recovery("torn-tail", len(lines) + 1, cut, len(tail), "the line has no newline")
    header: _Header | None = None
    first = 0
    if lines and is_journal(lines[0]):
        header = _read_header(lines[0], path)
        first = 1
    elif not lines and _torn_header(tail):
        raise CorruptJournal(
            f"{_name(path)}line 1 (byte 0): the journal header is cut short", line=1, offset=0
        )
    system, tools, prefix = _inherited(header, path, _seen)
    body_lines = lines[first:]
    numbers: list[int] | None = None  # line number of each message line, when blank lines exist
    if any(not line or line.isspace() for line in body_lines):
        numbers = [first + i + 1 for i, line in enumerate(body_lines) if line and not line.isspace()]
        body_lines = [line for line in body_lines if line and not line.isspace()]

    def line_of(index: int) -> int:  # index into body_lines -> 1-based line number
        return numbers[index] if numbers is not None else first + index + 1

    def offset_of(number: int) -> int:
        return sum(len(line) + 1 for line in lines[: number - 1])

    good, reason = len(body_lines), ""
    conv = _fast(system, tools, prefix, body_lines)
    if conv is None:
        conv, good, reason = _slow(system, tools, prefix, body_lines)
    if good < len(body_lines):
        number = line_of(good)
        offset = offset_of(number)
        if not salvage or number == 1:  # never salvage a journal into a headerless one
            advice = (
                "salvage=True (convo.load, Journal.open) recovers the lines before it"
                if number > 1
                else "with no journal header and no line before it, this file is not a journal"
            )
            raise CorruptJournal(
                f"{_name(path)}line {number} (byte {offset}) is damaged: {reason}; {advice}",
                line=number,
                offset=offset,
            )
        recovery = Recovery("salvaged", number, offset, len(data) - offset, reason)
        end, count = offset, number - 1
    else:
        end, count = cut, len(lines)
    metadata = header.values if header is not None else {}
    if header is not None and header.paused == len(conv):  # as Conversation.reply() left it
        conv._state.told_paused()  # a fresh state, this conversation's alone
    return JournalData(conv, metadata, header, system, tools, end, count, recovery)


def _whole(tail: bytes) -> bool:
    """A last line that is complete JSON, only its newline missing: in a file convo did not make
    (no header), the way another tool or a person writes, not a torn append."""
    try:
        _any.decode(tail)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return False
    return True


def _torn_header(tail: bytes) -> bool:
    """A first line cut short that began as a header (six bytes tell it from a message)."""
    start = tail.lstrip()[: len(_HEADER_START)]
    return len(start) >= 6 and _HEADER_START.startswith(start)


def _name(path: Path | None) -> str:
    return f"{path}: " if path is not None else ""


def _read_header(line: bytes, path: Path | None) -> _Header:
    def bad(why: str) -> CorruptJournal:
        return CorruptJournal(
            f"{_name(path)}line 1 (byte 0): the journal header is damaged: {why}", line=1, offset=0
        )

    try:
        line.decode("utf-8")
        fields = _raw_object.decode(line)
        version = _any.decode(fields["convo_journal"])
    except (msgspec.DecodeError, KeyError, UnicodeDecodeError) as exc:
        raise bad(str(exc)) from None
    except RecursionError:
        raise bad("nested too deeply") from None
    check_version(
        version,
        JOURNAL_VERSION,
        "journal has format version",
        lambda v: bad(f"the format version must be a positive integer, not {v!r}"),
    )
    metadata = bytes(fields.get("metadata", msgspec.Raw(b"{}")))
    try:
        values = _any.decode(metadata)
        value = _any.decode(fields["parent"]) if "parent" in fields else None
        paused = _any.decode(fields["paused"]) if "paused" in fields else None
    except msgspec.DecodeError as exc:
        raise bad(str(exc)) from None
    except RecursionError:
        raise bad("nested too deeply") from None
    if not isinstance(values, dict):
        raise bad("'metadata' must be an object")
    parent = None
    if value is not None:
        if (
            not isinstance(value, dict)
            or not isinstance(value.get("name"), str)
            or type(value.get("messages")) is not int
            or value["messages"] < 0
            or not isinstance(value.get("sha256"), str)
        ):
            raise bad("'parent' must be {'name': str, 'messages': int >= 0, 'sha256': str}")
        name = value["name"]
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise bad(f"the parent must be a file in the same directory, not {name!r}")
        parent = _Parent(name, value["messages"], value["sha256"])
        if "system" in fields or "tools" in fields:
            raise bad("a fork inherits 'system' and 'tools' from its parent")
    system = bytes(fields["system"]) if "system" in fields else None
    tools = bytes(fields["tools"]) if "tools" in fields else None
    if "paused" in fields and (type(paused) is not int or paused < 1):
        raise bad("'paused' must be a number of messages, at least 1")
    return _Header(metadata, values, parent, system, tools, paused)


def _inherited(
    header: _Header | None, path: Path | None, seen: frozenset[Path]
) -> tuple[bytes | None, bytes | None, list[bytes]]:
    """The system, tools and prefix messages a journal starts from (a fork's come from its parent)."""
    if header is None:
        return None, None, []
    if header.parent is None:
        return header.system, header.tools, []
    parent = header.parent
    if path is None:
        raise InputError("this journal is a fork: read it from its file, next to its parent")
    where = path.parent / parent.name
    key = where.resolve()
    if key in seen or len(seen) >= MAX_PARENT_DEPTH:
        raise InputError(f"{path}: the chain of parent journals loops or is too long")
    # a fork's parent is a file convo wrote beside it: a symbolic link there is not followed
    data = parse(read_bytes(where, follow=False), path=where, _seen=seen | {path.resolve()})
    wires = data.conversation._spine.wires[: len(data.conversation)]
    if len(wires) < parent.messages:
        raise InputError(
            f"{path}: its parent {where} has {len(wires)} messages, fewer than the {parent.messages} it forked at"
        )
    prefix = wires[: parent.messages]
    if prefix_digest(data.system, data.tools, prefix) != parent.sha256:
        raise InputError(f"{path}: the first {parent.messages} messages of its parent {where} have changed")
    return data.system, data.tools, prefix


def body(system: bytes | None, tools: bytes | None, messages: list[bytes]) -> bytes:
    """A wire body ``{"system"?, "tools"?, "messages"}`` from raw parts."""
    head = b"{"
    if system is not None:
        head += b'"system":' + system + b","
    if tools is not None:
        head += b'"tools":' + tools + b","
    return head + b'"messages":[' + b",".join(messages) + b"]}"


def prefix_digest(system: bytes | None, tools: bytes | None, messages: list[bytes]) -> str:
    """The SHA-256 a fork records of the part of its parent it shares."""
    return hashlib.sha256(body(system, tools, messages)).hexdigest()


def _fast(
    system: bytes | None, tools: bytes | None, prefix: list[bytes], lines: list[bytes]
) -> Conversation | None:
    """The whole journal in one ``from_wire`` call, or None when anything is off."""
    try:
        conv = Conversation.from_wire(body(system, tools, prefix + lines))
    except (InputError, ValidationError):
        return None
    # Each line must be exactly one message (a damaged line could hold two, or half of one).
    if conv._spine.wires[len(prefix) : len(conv)] != lines:
        return None
    return conv


def _slow(
    system: bytes | None, tools: bytes | None, prefix: list[bytes], lines: list[bytes]
) -> tuple[Conversation, int, str]:
    """The longest valid prefix: (conversation, number of good lines, why the next one is not)."""
    good: list[bytes] = []
    reason = ""
    for line in lines:
        try:
            compact = to_json_bytes(line)
        except InputError as exc:
            reason = _BYTE.sub(r"(byte \1 of the line)", str(exc))
            break
        if not compact.startswith(b"{"):
            reason = "a message must be a JSON object"
            break
        problems: list[Problem] = []
        decode_message(compact, ("messages", 0), problems.append)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            reason = f"not a message: {errors[0].message}"
            break
        good.append(compact)
    while True:
        try:
            conv = Conversation.from_wire(body(system, tools, prefix + good))
        except InputError as exc:
            raise CorruptJournal(
                f"line 1 (byte 0): the journal header is damaged: {exc}", line=1, offset=0
            ) from None
        except ValidationError as exc:
            index = _first_message(exc.errors)
            if index is None:
                raise CorruptJournal(
                    f"line 1 (byte 0): the journal header is invalid: {exc.errors[0]}", line=1, offset=0
                ) from None
            if index < len(prefix):  # pragma: no cover - the parent read as valid on its own
                raise
            cut = index - len(prefix)
            first = next(p for p in exc.errors if _index(p) == index)
            reason = f"the conversation is invalid there: {first}"
            good = good[:cut]
            continue
        return conv, len(good), reason


def _index(problem: Problem) -> int | None:
    parts = problem.path.split("/")
    if len(parts) >= 3 and parts[1] == "messages" and parts[2].isdigit():
        return int(parts[2])
    return None


def _first_message(problems: Iterable[Problem]) -> int | None:
    indexes = [_index(p) for p in problems]
    if any(i is None for i in indexes):
        return None
    return min((i for i in indexes if i is not None), default=None)


def header_bytes(
    *,
    metadata: Mapping[str, Any] | None,
    system: bytes | None = None,
    tools: bytes | None = None,
    parent: _Parent | None = None,
    paused: int | None = None,
) -> bytes:
    """The header line (without its newline)."""
    head = b'{"convo_journal":%d,"metadata":' % JOURNAL_VERSION + encode_metadata(metadata)
    if parent is not None:
        head += b',"parent":' + encode_json(
            {"name": parent.name, "messages": parent.messages, "sha256": parent.sha256}
        )
    if system is not None:
        head += b',"system":' + system
    if tools is not None:
        head += b',"tools":' + tools
    if paused is not None:
        head += b',"paused":%d' % paused
    return head + b"}"


def _with_pause(header: bytes, paused: int | None) -> bytes:
    """A header line read from a journal, with ``"paused"`` set to ``paused`` (left out for
    None) and every other field kept as it is (one a newer convo wrote too)."""
    fields = _raw_object.decode(header)
    if paused is None:
        del fields["paused"]
    else:
        fields["paused"] = msgspec.Raw(b"%d" % paused)
    return msgspec.json.encode(fields)


def _salvaged(data: bytes, parsed: JournalData) -> bytes:
    """What salvage keeps of a journal: its intact lines, the header no longer saying
    ``"paused"`` if the paused turn it names was left out.  Kept, the mark would hold again
    once appends bring the journal back to that many messages, and read an ordinary turn
    there as the paused one, not the prefill it is."""
    intact = data[: parsed.end]
    paused = parsed.header.paused if parsed.header is not None else None
    if paused is None or paused <= len(parsed.conversation):
        return intact
    cut = intact.index(b"\n")
    return _with_pause(intact[:cut], None) + intact[cut:]


def pause_mark(conv: Conversation) -> int | None:
    """What a header's ``"paused"`` says of ``conv``: its length if it ends in a turn paused
    untold (see the module's docstring), else None."""
    return len(conv) if conv._state.pause_untold else None


def encode_metadata(metadata: Mapping[str, Any] | None) -> bytes:
    """User metadata as compact JSON: a JSON object of plain data."""
    if metadata is None:
        return b"{}"
    if not isinstance(metadata, Mapping):
        raise InvalidArgument(f"metadata must be a mapping, not {type(metadata).__name__}")
    try:
        data = encode_json(dict(metadata))
    except (TypeError, ValueError, OverflowError, NotImplementedError, msgspec.EncodeError) as exc:
        raise InvalidArgument(f"metadata must be plain JSON data: {exc}") from None
    except RecursionError:
        raise InvalidArgument("metadata is nested too deeply") from None
    # msgspec encodes more than JSON holds (NaN as null, int keys as strings, bytes as base64,
    # datetimes as text): what does not read back as it was is refused, not changed
    try:
        same = _any.decode(data) == _as_lists(metadata)  # NaN and infinity come back as None
    except RecursionError:
        raise InvalidArgument("metadata is nested too deeply") from None
    if not same:
        raise InvalidArgument(
            "metadata must be plain JSON data (str keys; str, int, float, bool, None, lists and "
            "dicts of them; no NaN or infinity), read back exactly as given"
        )
    return data


def _as_lists(value: Any) -> Any:
    """The value with its tuples as lists: what JSON gives back for them."""
    if isinstance(value, Mapping):
        return {k: _as_lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_lists(v) for v in value]
    return value


def storable(value: object) -> Conversation:
    """``value``, which a file, journal or store must be given as a :class:`Conversation`."""
    if not isinstance(value, Conversation):
        raise InvalidArgument(f"expected a Conversation, not {type(value).__name__}")
    return value


def conversation_parts(conv: Conversation) -> tuple[bytes | None, bytes | None, list[bytes]]:
    """A conversation's system, tools and message lines, as raw wire bytes."""
    storable(conv)
    return conv._system_wire, conv._tools_array(), conv._spine.wires[: len(conv)]


def journal_parts(conv: Conversation, *, metadata: Mapping[str, Any] | None) -> tuple[bytes, list[bytes]]:
    """The header line and the message lines (without their newlines) of a journal holding
    ``conv`` from its start."""
    system, tools, wires = conversation_parts(conv)
    return header_bytes(metadata=metadata, system=system, tools=tools, paused=pause_mark(conv)), wires


# -- the journal ---------------------------------------------------------------------------------


def _occupant(target: Path) -> str:
    """What is in the way of a new journal at ``target``."""
    try:
        mode = os.lstat(target).st_mode
    except OSError:
        return "a journal"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a journal" if stat.S_ISREG(mode) else "a file that is not a regular file"


def _write_new(target: Path, chunks: list[bytes], *, sync: bool) -> None:
    """Write a new journal atomically; one that is already there is not replaced."""
    try:
        atomic_write(target, chunks, exclusive=True, sync=sync)
    except StorageError as exc:
        if exc.errno == errno.EEXIST:
            raise StorageError(
                errno.EEXIST, f"{_occupant(target)} already exists there", os.fspath(target)
            ) from None
        raise


class Journal:
    """An append-only JSON Lines journal holding one live conversation.

    Every append is validated against the whole conversation, serialized with other processes
    by a file lock, written as one line and made durable (``fdatasync``) before it returns.

    >>> import tempfile, pathlib, convo
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "chat.jsonl"
    >>> with convo.Journal.create(path, convo.Conversation(system="Be brief.")) as journal:
    ...     _ = journal.user("Hi")
    ...     conv = journal.assistant("Hello!")
    >>> convo.Journal.open(path).conversation == conv
    True
    """

    __slots__ = (
        "_closed",
        "_conv",
        "_dirty",
        "_end",
        "_fd",
        "_fsync",
        "_group",
        "_headed",
        "_lines",
        "_metadata",
        "_mutex",
        "_path",
        "_pid",
        "_system",
        "_tools",
        "recovery",
    )

    _conv: Conversation
    _end: int
    _fd: int
    _headed: bool  # the file starts with a journal header: convo made it
    _lines: int
    _metadata: dict[str, Any]
    _system: bytes | None
    _tools: bytes | None
    recovery: Recovery | None
    """What opening the journal left out (a torn last line, salvaged damage), or None."""

    def __init__(self, path: Path, *, fsync: bool) -> None:
        self._path = path
        self._fsync = fsync
        self._group = threading.local()  # per thread: how deep in group() blocks it is
        self._dirty = False
        self._closed = False
        self._mutex = threading.RLock()
        self._pid = os.getpid()
        self.recovery = None
        self._fd = -1

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        conversation: Conversation | None = None,
        *,
        metadata: Mapping[str, Any] | None = None,
        fsync: bool = True,
    ) -> Journal:
        """Start a new journal at ``path`` (which must not exist) holding ``conversation``.

        The file appears whole or not at all: it is written aside, synced and linked into
        place.  ``metadata`` (a JSON object of plain data) is kept in the header for good.
        ``fsync=False`` skips the sync after every append (see :meth:`group`).
        """
        conv = conversation if conversation is not None else Conversation()
        header, wires = journal_parts(conv, metadata=metadata)
        target = file_path(path)
        _write_new(target, [header, b"\n", *(w + b"\n" for w in wires)], sync=fsync)
        return cls.open(target, fsync=fsync)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, salvage: bool = False, fsync: bool = True) -> Journal:
        """Open an existing journal for appending.

        A torn last line (a crash mid-append) is cut off and reported in :attr:`recovery`.
        Damage before the last line raises :class:`convo.CorruptJournal` naming the line and
        byte offset; ``salvage=True`` keeps every intact line before the damage instead, after
        keeping the damaged original beside the journal (``<name>.damaged-<time>``).  What is
        not a regular file (a device, a named pipe), where appends would go nowhere, raises
        :class:`convo.StorageError`.
        """
        journal = cls(file_path(path), fsync=fsync)
        journal._open(salvage)
        return journal

    def _open(self, salvage: bool) -> None:
        self._fd = self._open_fd()
        try:
            if salvage:
                with self._locked(catch_up=False):
                    self._reload(salvage=True)
                    self._catch_up()
            else:
                self._reload(salvage=False)  # read without the lock: appends may go on meanwhile
                with self._locked():
                    pass
        except BaseException:
            self._close_fd()
            raise

    def _open_fd(self) -> int:
        flags = os.O_RDWR | os.O_APPEND | getattr(os, "O_BINARY", 0) | NOFOLLOW
        return open_file(self._path, flags)  # appends to a device or a pipe would vanish

    def _read_all(self) -> bytes:
        """The whole file, read to its end: what ``fstat`` says of its size is not what a virtual
        file holds (``/proc/self/status`` says 0), and a journal is read by its content."""
        return self._pread(0, None)

    def _pread(self, start: int, size: int | None) -> bytes:
        """``size`` bytes from ``start`` (fewer where the file ends), or all of them to its end."""
        chunks = []
        while size is None or size > 0:
            chunk = os.pread(self._fd, 1 << 24 if size is None else min(size, 1 << 24), start)
            if not chunk:
                break
            chunks.append(chunk)
            start += len(chunk)
            if size is not None:
                size -= len(chunk)
        return b"".join(chunks)

    def _reload(self, *, salvage: bool) -> None:
        """Read the whole file again.  ``salvage`` needs the lock: it rewrites the file."""
        data = self._read_all()
        parsed = parse(data, path=self._path, salvage=salvage)
        recovery = parsed.recovery
        if recovery is not None and recovery.kind == "salvaged":
            kept = self._keep_damaged()
            intact = _salvaged(data, parsed)
            atomic_write(self._path, [intact], sync=True)
            parsed = attrs.evolve(parsed, end=len(intact))
            self._close_fd()
            self._fd = self._open_fd()
            lock(self._fd)  # the caller unlocks the old descriptor, which is closed: lock the new one
            recovery = attrs.evolve(recovery, saved_to=kept)
            log.warning("convo: %s: %s", self._path, recovery)
        self._conv = parsed.conversation
        self._metadata = parsed.metadata
        self._system, self._tools = parsed.system, parsed.tools
        self._end = parsed.end
        self._lines = parsed.lines
        self._headed = parsed.header is not None
        if recovery is not None and recovery.kind == "salvaged":
            self.recovery = recovery

    def _keep_damaged(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        for n in range(1000):
            kept = sibling(self._path, suffix=f".damaged-{stamp}" + (f"-{n}" if n else ""))
            try:
                os.link(self._path, kept)
                return kept
            except FileExistsError:
                continue
            except OSError:  # pragma: no cover - no hard links: copy
                atomic_write(kept, [self._read_all()], exclusive=True)
                return kept
        raise StorageError(errno.EEXIST, "too many damaged copies", os.fspath(self._path))  # pragma: no cover

    # -- locking and catching up -----------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, *, catch_up: bool = True) -> Iterator[None]:
        """Hold the file lock on the journal's current file, caught up with every other writer."""
        if self._closed:
            raise InvalidArgument("the journal is closed")
        with self._mutex:
            if self._pid != os.getpid():  # a forked child: the descriptor's lock is shared, reopen
                self._pid = os.getpid()
                self._close_fd()
                self._fd = self._open_fd()
            while True:
                try:
                    lock(self._fd)
                except OSError as exc:
                    raise storage_error(exc, self._path) from exc
                try:
                    if self._same_file():
                        break
                except BaseException:
                    unlock(self._fd)
                    raise
                # Replaced (a store's put, a salvage): read the file that is there now.
                unlock(self._fd)
                self._close_fd()
                self._fd = self._open_fd()
                self._reload(salvage=False)
            try:
                if catch_up:
                    self._catch_up()
                yield
            finally:
                unlock(self._fd)

    def _same_file(self) -> bool:
        try:
            now = os.stat(self._path, follow_symlinks=False)
        except FileNotFoundError:
            raise StorageError(errno.ENOENT, "the journal was deleted", os.fspath(self._path)) from None
        except OSError as exc:
            raise storage_error(exc, self._path) from exc
        mine = os.fstat(self._fd)
        return (now.st_ino, now.st_dev) == (mine.st_ino, mine.st_dev)

    def _catch_up(self) -> None:
        """Read what other processes appended since we last looked; cut a dead writer's torn line."""
        if os.fstat(self._fd).st_size < self._end:  # cut below what we had read: not convo's doing
            self._reload(salvage=False)
            return
        data = self._pread(self._end, None)  # to the end, whatever the size says (see _read_all)
        if not data:
            return
        cut = data.rfind(b"\n") + 1
        conv = self._conv
        offset, number = self._end, self._lines
        for line in data[:cut].split(b"\n")[:-1]:
            number += 1
            if line and not line.isspace():
                try:
                    conv = conv.append(decode_line(line, len(conv)))
                except (InputError, ValidationError) as exc:
                    first = str(exc).splitlines()[-1].strip()
                    raise CorruptJournal(
                        f"{self._path}: line {number} (byte {offset}) is damaged: {first}; "
                        "salvage=True (convo.load, Journal.open) recovers the lines before it",
                        line=number,
                        offset=offset,
                    ) from None
            offset += len(line) + 1
        self._conv, self._end, self._lines = conv, offset, number
        if cut < len(data) and not self._headed and _whole(data[cut:]):
            raise CorruptJournal(
                f"{self._path}: line {number + 1} (byte {offset}) is whole but has no newline, in a "
                "file no convo journal made: add the newline to keep the line (convo cuts a last line "
                "without one only in its own journals, where it is an append a crash interrupted)",
                line=number + 1,
                offset=offset,
            )
        if cut < len(data) and not self._headed and offset == 0:
            raise CorruptJournal(
                f"{self._path}: its one line has no newline and is not a message, in a file no convo "
                "journal made (a file cut short, or not a journal): convo leaves it as it is",
                line=1,
                offset=0,
            )
        if cut < len(data):  # we hold the lock, so its writer is dead: that line was never acknowledged
            torn = Recovery("torn-tail", number + 1, offset, len(data) - cut, "the line has no newline")
            try:
                os.ftruncate(self._fd, offset)
                datasync(self._fd)
            except OSError as exc:
                raise storage_error(exc, self._path) from exc
            self.recovery = torn
            log.warning("convo: %s: %s", self._path, torn)

    # -- appending -------------------------------------------------------------------------------

    def _commit(self, build: Callable[[Conversation], Conversation]) -> Conversation:
        with self._locked():
            old = self._conv
            new = build(old)
            wires = new._spine.wires[len(old) : len(new)]
            if not wires:
                return new
            for wire in wires:
                if b"\n" in wire or b"\r" in wire:  # pragma: no cover - compact JSON has no raw newline
                    raise InvalidArgument("a message's wire bytes contain a line break")
            data = b"\n".join(wires) + b"\n"
            if self._headed and new._state.pause_untold:
                self._write_paused(data, len(new))
                return new
            grouped = getattr(self._group, "depth", 0) > 0  # inside this thread's group(): sync at its end
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._fd, view) :]
                if self._fsync and not grouped:
                    datasync(self._fd)
            except OSError as exc:
                # Not acknowledged: take back whatever part of it reached the file.
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, self._end)
                raise storage_error(exc, self._path) from exc
            self._dirty = self._dirty or (grouped and self._fsync)  # fsync=False: no sync, ever
            self._conv = new
            self._end += len(data)
            self._lines += len(wires)
            return new

    def _write_paused(self, data: bytes, paused: int) -> None:
        """Add ``data``, a turn that paused untold, by writing the journal again whole and
        atomically, its header saying ``"paused"`` (the one line that can say it): a crash
        leaves the journal without the turn or with it, whole.  Other writers find the file
        replaced, and read it; so does this one, which locks and reads the file now there."""
        old = self._pread(0, self._end)
        cut = old.index(b"\n")
        atomic_write(self._path, [_with_pause(old[:cut], paused), old[cut:], data], sync=self._fsync)
        self._close_fd()
        self._fd = self._open_fd()
        lock(self._fd)  # the caller unlocks the old descriptor, which is closed: lock the new one
        self._reload(salvage=False)

    def append(self, message: Message | Mapping[str, Any]) -> Conversation:
        """Append one message (validated against the whole conversation); returns the new conversation."""
        return self._commit(lambda conv: conv.append(message))

    def extend(self, messages: Iterable[Message | Mapping[str, Any]]) -> Conversation:
        """Append several messages at once: checked together (if one is refused, none is
        written), then written in one write, so no other appender's lines come between them.
        A crash in the middle of the write can leave the first of them, each whole."""
        if isinstance(messages, Message | Mapping | str | bytes) or not isinstance(messages, Iterable):
            raise InvalidArgument(
                f"extend takes an iterable of messages, not {type(messages).__name__} (one message: append())"
            )
        items = list(messages)

        def build(conv: Conversation) -> Conversation:
            for message in items:
                conv = conv.append(message)
            return conv

        return self._commit(build)

    def user(self, content: str | Iterable[BlockLike]) -> Conversation:
        """Append a user turn (see :meth:`convo.Conversation.user`)."""
        return self._commit(lambda conv: conv.user(content))

    def assistant(self, content: str | Iterable[BlockLike]) -> Conversation:
        """Append an assistant turn (see :meth:`convo.Conversation.assistant`)."""
        return self._commit(lambda conv: conv.assistant(content))

    def reply(
        self,
        response: object,
        *,
        refusal: RefusalPolicy = "raise",
        truncated: TruncationPolicy = "raise",
        declined: DeclinedPolicy = "keep",
    ) -> Conversation:
        """Append the assistant turn of an API response (see :meth:`convo.Conversation.reply`,
        which takes the same arguments).  A ``pause_turn`` response that ends in text writes the
        journal again whole, atomically, its header recording the pause (``"paused"``)."""
        return self._commit(
            lambda conv: conv.reply(response, refusal=refusal, truncated=truncated, declined=declined)
        )

    def tool_results(self, results: Mapping[str, ToolOutput]) -> Conversation:
        """Append the user turn answering every pending tool_use (see
        :meth:`convo.Conversation.tool_results`)."""
        return self._commit(lambda conv: conv.tool_results(results))

    @contextlib.contextmanager
    def group(self) -> Iterator[Journal]:
        """Group commit: appends inside the block skip their own sync; one sync ends the block.

        An append inside the block survives a crash of this process as soon as it returns,
        and a power loss only once the block has ended.  The block holds for the thread that
        opened it: other threads' appends are synced as always.
        """
        depth = getattr(self._group, "depth", 0)
        self._group.depth = depth + 1
        try:
            yield self
        finally:
            self._group.depth = depth
            if not depth:
                with self._mutex:
                    if self._dirty:
                        self.sync()

    def sync(self) -> None:
        """Make every append so far durable (one ``fdatasync``)."""
        with self._mutex:
            if self._closed:
                raise InvalidArgument("the journal is closed")
            try:
                datasync(self._fd)
            except OSError as exc:
                raise storage_error(exc, self._path) from exc
            self._dirty = False

    def refresh(self) -> Conversation:
        """Read what other processes appended, and return the conversation as it is now."""
        with self._locked():
            return self._conv

    def fork(
        self,
        path: str | os.PathLike[str],
        *,
        at: int | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Journal:
        """Start a new journal at ``path`` sharing this one's first ``at`` messages (all by
        default) without copying them: its header names this journal and the SHA-256 of the
        shared part.  The fork must live in the same directory, and this journal must stay.
        """
        target = file_path(path)
        if target.resolve().parent != self._path.resolve().parent:
            raise InvalidArgument("a fork must be in the same directory as its parent journal")
        if at is not None and (isinstance(at, bool) or not isinstance(at, int)):
            raise InvalidArgument(f"at is a number of messages (an int), not {at!r}")
        with self._locked():
            length = len(self._conv) if at is None else at
            if not 0 <= length <= len(self._conv):
                raise InvalidArgument(f"cannot fork at {at}: the journal has {len(self._conv)} messages")
            prefix = self._conv._spine.wires[:length]
            parent = _Parent(self._path.name, length, prefix_digest(self._system, self._tools, prefix))
            paused = pause_mark(self._conv) if length == len(self._conv) else None
            header = header_bytes(metadata=metadata, parent=parent, paused=paused)
            _write_new(target, [header, b"\n"], sync=self._fsync)
        return Journal.open(target, fsync=self._fsync)

    # -- reading ---------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The journal's file."""
        return self._path

    @property
    def conversation(self) -> Conversation:
        """The conversation as of this journal's last operation (:meth:`refresh` reads newer appends)."""
        return self._conv

    @property
    def metadata(self) -> dict[str, Any]:
        """The metadata recorded when the journal was created (a copy)."""
        return dict(self._metadata)

    def __len__(self) -> int:
        return len(self._conv)

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self._conv)} messages"
        return f"<Journal {os.fspath(self._path)!r}: {state}>"

    # -- closing ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Sync anything a :meth:`group` left unsynced, and close the file."""
        with self._mutex:
            if self._closed:
                return
            try:
                if self._dirty:
                    self.sync()
            finally:
                self._closed = True
                self._close_fd()

    def _close_fd(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self, _close: Callable[[int], None] = os.close) -> None:
        # ``os.close`` is bound now: at interpreter exit, module globals may be gone already
        if getattr(self, "_fd", -1) >= 0:
            try:
                _close(self._fd)
            except OSError:
                pass


def decode_line(line: bytes, index: int) -> Message:
    """One message line, checked on its own (its place in the conversation is checked by append)."""
    return decode_turn(to_json_bytes(line), index)


def write_journal(
    path: Path,
    conversation: Conversation,
    *,
    metadata: Mapping[str, Any] | None,
    exclusive: bool,
    sync: bool = True,
) -> None:
    """Write a whole journal atomically (replacing any file at ``path`` unless ``exclusive``)."""
    header, wires = journal_parts(conversation, metadata=metadata)
    atomic_write(path, [header, b"\n", *(w + b"\n" for w in wires)], exclusive=exclusive, sync=sync)


def remove(path: Path, *, sync: bool) -> None:
    """Delete a journal, waiting for any append in progress to finish; durably unless ``sync``
    is false."""
    fd = open_file(path, os.O_RDONLY | NOFOLLOW)
    try:
        lock(fd)
        try:
            os.unlink(path)
            if sync:
                fsync_dir(path.parent)
        finally:
            unlock(fd)
    except OSError as exc:
        raise storage_error(exc, path) from exc
    finally:
        os.close(fd)
