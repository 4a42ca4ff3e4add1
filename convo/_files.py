"""Conversation files: the versioned on-disk format, atomic save, validating load.

A conversation file (format version 1) is one JSON object, its keys in this order::

    {"convo":1,"metadata":{...},"paused":true,"system":...,"tools":[...],"messages":[...]}

``system`` and ``tools`` appear when the conversation has them, and every part after them is
the conversation's own wire bytes (:meth:`Conversation.to_json`), verbatim: so saving, loading
and ``to_json()`` give back exactly the bytes from before the save.  ``paused`` appears when the
conversation ends in a turn :meth:`Conversation.reply` appended from a ``pause_turn`` response
whose bytes do not show the pause (it ends in text): loaded, it is still not a prefill.  A file
ends with a newline.  A reader refuses a format version newer than it knows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal, cast, final

import attrs
import msgspec

from ._codec import as_bytes
from ._conversation import Conversation
from ._errors import InputError, InvalidArgument, ValidationError
from ._io import FORMAT_VERSION, StorageError, atomic_write, file_path, read_bytes
from ._journal import Recovery, encode_metadata, is_journal, parse, storable
from ._transcripts import NOT_JSON, TranscriptImport, import_transcript, is_transcript

__all__ = [
    "FORMAT_VERSION",
    "Saved",
    "as_wire",
    "dumps",
    "load",
    "load_saved",
    "loads",
    "read_any",
    "save",
    "write_file",
]

"""The conversation file format version this convo writes and the newest it reads."""

_HEAD: Final = re.compile(rb'\A\s*\{\s*"convo"\s*:\s*(-?\d+)\s*,\s*"metadata"\s*:\s*\{')
_raw_object: Final = msgspec.json.Decoder(dict[str, msgspec.Raw])
_any: Final = msgspec.json.Decoder()

Kind = Literal["file", "journal", "wire", "transcript", "store"]


@final
@attrs.frozen
class Saved:
    """A conversation read from disk, with what came with it.

    ``kind`` is ``"file"`` (a conversation file), ``"journal"``, ``"wire"`` (a request body,
    messages array or JSON Lines of messages), ``"transcript"`` (a Claude Code transcript) or
    ``"store"`` (read from a store by the command line);
    ``metadata`` is the user metadata saved with it (empty for the last two); ``recovery`` says
    what reading a journal left out (a torn last line, salvaged damage), if anything.

    >>> import convo
    >>> saved = convo.loads(convo.dumps(convo.Conversation().user("Hi"), metadata={"topic": "greeting"}))
    >>> saved.kind, saved.metadata, saved.recovery
    ('file', {'topic': 'greeting'}, None)
    """

    conversation: Conversation
    metadata: dict[str, Any] = attrs.field(factory=dict)
    kind: Kind = "file"
    recovery: Recovery | None = None


def dumps(conversation: Conversation, *, metadata: Mapping[str, Any] | None = None) -> bytes:
    """The bytes of a conversation file.

    >>> import convo
    >>> convo.dumps(convo.Conversation().user("Hi"), metadata={"user": "ada"})
    b'{"convo":1,"metadata":{"user":"ada"},"messages":[{"role":"user","content":"Hi"}]}\\n'
    """
    wire = storable(conversation).to_json()
    head = b'{"convo":%d,"metadata":' % FORMAT_VERSION + encode_metadata(metadata) + b","
    if conversation._state.pause_untold:  # the response's stop_reason, which its bytes do not hold
        head += b'"paused":true,'
    return head + wire[1:] + b"\n"


def save(
    conversation: Conversation,
    path: str | os.PathLike[str],
    *,
    metadata: Mapping[str, Any] | None = None,
    fsync: bool = True,
) -> None:
    """Save a conversation to ``path`` atomically: the file is whole, old or new, whatever happens.

    The bytes go to a temporary file beside ``path``, are synced, and the temporary file is
    renamed over ``path``; then the directory is synced, so the rename itself is durable when
    ``save`` returns.  ``metadata`` (a JSON object of plain data) is stored with it.
    ``fsync=False`` skips both syncs (the file is still never torn, but a power loss may undo
    the save).

    >>> import tempfile, pathlib, convo
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "chat.json"
    >>> conv = convo.Conversation(system="Be brief.").user("Hi").assistant("Hello!")
    >>> convo.save(conv, path, metadata={"title": "greeting"})
    >>> convo.load(path).to_json() == conv.to_json()
    True
    """
    write_file(path, dumps(conversation, metadata=metadata), sync=fsync)


def write_file(
    path: str | os.PathLike[str], data: bytes, *, exclusive: bool = False, sync: bool = True
) -> None:
    """Write ``data`` to ``path`` atomically, as :func:`save` does (``exclusive`` and ``sync`` as
    for :func:`atomic_write`).  A symbolic link is followed: the file it points to is replaced,
    and the link stays."""
    atomic_write(Path(os.path.realpath(file_path(path))), [data], exclusive=exclusive, sync=sync)


def load(path: str | os.PathLike[str], *, salvage: bool = False) -> Conversation:
    """Load and validate a conversation saved by :func:`save` or kept in a :class:`Journal`.

    Raises :class:`convo.ValidationError` for content the API would reject,
    :class:`convo.UnsupportedFormat` for a file written by a newer convo,
    :class:`convo.CorruptJournal` for a damaged journal (``salvage=True`` recovers its intact
    part) and :class:`convo.StorageError` when the file cannot be read or is not a regular file
    (a directory, a device such as ``/dev/zero``, a named pipe: refused unread).  Request bodies,
    messages arrays and JSON Lines of messages load too.

    >>> import tempfile, pathlib, convo
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "request.json"
    >>> _ = path.write_bytes(b'{"model": "claude-opus-4-8", "messages": [{"role": "user", "content": "Hi"}]}')
    >>> convo.load(path).messages[0]
    Message(role='user', content='Hi')
    """
    return load_saved(path, salvage=salvage).conversation


def load_saved(path: str | os.PathLike[str], *, salvage: bool = False) -> Saved:
    """Like :func:`load`, with the metadata and the kind of file.  Nothing is written.

    >>> import tempfile, pathlib, convo
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "chat.json"
    >>> convo.save(convo.Conversation().user("Hi"), path, metadata={"title": "greeting"})
    >>> saved = convo.load_saved(path)
    >>> saved.kind, saved.metadata, len(saved.conversation)
    ('file', {'title': 'greeting'}, 1)
    """
    target = file_path(path)
    return loads(read_bytes(target), path=target, salvage=salvage)


def loads(data: bytes | str, *, path: Path | None = None, salvage: bool = False) -> Saved:
    """Read a conversation file, a journal or wire JSON from bytes, or from text as
    :meth:`Conversation.from_wire` reads it (see :func:`load_saved`).

    ``path`` is where the bytes came from: a forked journal reads its parent beside it.

    >>> import convo
    >>> saved = convo.loads(b'[{"role": "user", "content": "Hi"}]')
    >>> saved.kind, saved.conversation.messages[0]
    ('wire', Message(role='user', content='Hi'))
    """
    if not isinstance(data, bytes | bytearray | memoryview | str):
        raise InvalidArgument(
            f"loads reads bytes or str, not {type(data).__name__} (Conversation.from_wire reads Python data)"
        )
    data, _ = as_bytes(data)
    if is_journal(data):
        parsed = parse(data, path=path, salvage=salvage)
        return Saved(parsed.conversation, parsed.metadata, "journal", parsed.recovery)
    conversation = Conversation.from_wire(data)  # refuses a file header this convo cannot read
    metadata = _file_metadata(data)
    if metadata is None:
        return Saved(conversation, {}, "wire")
    return Saved(conversation, metadata, "file")


def _file_metadata(data: bytes) -> dict[str, Any] | None:
    """The metadata of a conversation file that :meth:`Conversation.from_wire` read (and so
    checked its header); None if it is not one."""
    if _HEAD.match(data) is None and b'"convo"' not in data:
        return None
    try:
        top = _raw_object.decode(data)
    except msgspec.DecodeError:
        return None  # an array, or JSON Lines
    if "convo" not in top:
        return None
    return cast(dict[str, Any], _any.decode(top["metadata"])) if "metadata" in top else {}


def as_wire(data: bytes, *, path: Path | None = None) -> bytes:
    """What ``convo check`` reads: the wire body a journal or a Claude Code transcript holds
    (a transcript's rebuilt messages, valid or not); any other input unchanged.  A journal that
    ends in a turn paused untold (its header's ``"paused"``) is read as the conversation file
    that says so (``"paused": true``): its wire body alone reads as a prefill.

    A journal that cannot be read raises :class:`convo.InputError` naming ``path``.
    """
    try:
        if is_journal(data):
            conversation = parse(data, path=path).conversation
            return dumps(conversation) if conversation._state.pause_untold else conversation.to_json()
    except StorageError as exc:
        raise InputError(f"{exc.filename}: {exc.strerror}") from None
    except InputError as exc:
        raise (exc if path is None else exc.named(str(path))) from None
    if is_transcript(data):
        return _transcript(data).wire()
    return data


def _transcript(data: bytes) -> TranscriptImport:
    """A Claude Code transcript read whole: a damaged entry (``SkippedEntry.damaged``) is
    unreadable input, as in a journal, for a turn would be lost there; only a torn last line
    (not JSON), a transcript still being written, is left out."""
    imported = import_transcript(data)
    last = data.rstrip(b"\n").count(b"\n") + 1
    for entry in imported.skipped:
        if entry.damaged and not (entry.line == last and entry.reason == NOT_JSON):
            raise InputError(
                f"line {entry.line} of the transcript is damaged ({entry.reason}): repair or remove it "
                "(convo.import_transcript reads the lines around it)"
            )
    return imported


def read_any(data: bytes, *, path: Path | None = None) -> Saved:
    """Read any format convo knows, detected by content: a conversation file, a journal, a
    Claude Code transcript, or wire JSON (a request body, a messages array, JSON Lines).

    A transcript the API would reject raises :class:`convo.ValidationError` naming the
    transcript lines of each problem; a missing parent of a forked journal is an
    :class:`convo.InputError`.
    """
    if not is_journal(data) and is_transcript(data):
        imported = _transcript(data)
        if not imported.valid:
            errors = imported.report.conversation_errors
            raise ValidationError(
                [attrs.evolve(p, message=f"{p.message} [transcript {imported.where(p)}]") for p in errors]
            )
        return Saved(imported.conversation, {}, "transcript")
    try:
        return loads(data, path=path)
    except StorageError as exc:
        raise InputError(f"{exc.filename}: {exc.strerror}") from None
