"""The ``convo import`` and ``convo export`` verbs: convert between every format convo reads.

Both read any input ``convo show`` reads (a conversation file, a journal, a Claude Code
transcript, a request body, a messages array, JSON Lines of messages) and write one of:

* ``file`` - a conversation file (:func:`convo.save`), keeping the source's metadata;
* ``journal`` - a new journal holding the conversation (:meth:`convo.Journal.create`);
* ``body`` - the wire body ``{"system"?, "tools"?, "messages"}`` (``to_json()``);
* ``messages`` - the bare messages array;
* ``jsonl`` - JSON Lines, one message per line.

``import`` writes to a path, by default a journal for ``.jsonl`` and a file otherwise; ``export``
writes the wire body to stdout unless told otherwise.  With ``--id``, ``import`` puts the
conversation into the store at ``DEST`` and ``export`` reads it from the store at ``SOURCE``
(an SQLite database when the path is one or ends in ``.sqlite``, ``.sqlite3`` or ``.db``; a
directory store otherwise).  An existing output is never replaced
without ``--force``, and every output is written atomically; a symbolic link is followed, as
:func:`convo.save` follows it.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from ._cli import Output, UsageError, json_argument, read_input, warn
from ._conversation import Conversation
from ._errors import InputError, InvalidArgument, ValidationError
from ._files import Saved, dumps, read_any, write_file
from ._io import StorageError
from ._journal import conversation_parts, journal_parts
from ._store import ConversationNotFound, DirectoryStore, SQLiteStore, Store, check_id

__all__ = ["add_verbs", "cmd_export", "cmd_import", "render"]

FORMATS: Final = ("file", "journal", "body", "messages", "jsonl")


def add_verbs(verbs: Any) -> None:
    """Register ``import`` and ``export`` on the ``convo`` parser's sub-parsers."""
    for name, run, text in (
        ("import", cmd_import, "convert any input into a convo file, journal, store entry or wire format"),
        ("export", cmd_export, "write a conversation out as a wire body, messages, JSON Lines, ..."),
    ):
        p = verbs.add_parser(name, help=text, description=text)
        p.add_argument("source", metavar="SOURCE", help="any input convo reads; - reads stdin")
        if name == "import":
            p.add_argument("dest", metavar="DEST", help="the file to write; - writes stdout")
        else:
            p.add_argument(
                "-o", "--output", metavar="PATH", default="-", help="the file to write (default: stdout)"
            )
        p.add_argument(
            "--as",
            dest="format",
            choices=FORMATS,
            help="output format (import: journal for .jsonl, else file)",
        )
        p.add_argument(
            "--metadata", metavar="JSON", help="metadata for a file, journal or store entry (a JSON object)"
        )
        p.add_argument("--force", action="store_true", help="replace the output if it exists")
        where = "DEST" if name == "import" else "SOURCE"
        p.add_argument(
            "--id", metavar="ID", help=f"a conversation id in the store (directory or SQLite) at {where}"
        )
        p.set_defaults(run=run)


def cmd_import(args: argparse.Namespace, out: Output) -> int:
    if args.id is not None:
        if args.format is not None:
            raise UsageError("--as does not apply to a store")
        return _into_store(args)
    fmt = args.format or ("journal" if str(args.dest).endswith(".jsonl") else "file")
    return _convert(args, args.dest, fmt, out)


def cmd_export(args: argparse.Namespace, out: Output) -> int:
    return _convert(args, args.output, args.format or "body", out)


SQLITE_SUFFIXES: Final = (".sqlite", ".sqlite3", ".db")
SQLITE_MAGIC: Final = b"SQLite format 3\0"


def _store(path: str, *, create: bool) -> Store:
    target = Path(path)
    is_sqlite = target.suffix in SQLITE_SUFFIXES
    if target.is_file():
        try:
            with open(target, "rb") as fh:
                is_sqlite = fh.read(16) == SQLITE_MAGIC
        except OSError as exc:
            raise InputError(f"{path}: cannot read the store ({exc.strerror})") from None
        if not is_sqlite:
            raise InputError(f"{path}: not a store (a directory or an SQLite database)")
    elif not target.exists() and not create:
        raise InputError(f"{path}: no such store")
    try:
        return SQLiteStore(target) if is_sqlite else DirectoryStore(target)
    except StorageError as exc:
        raise InputError(f"{path}: cannot open the store ({exc.strerror})") from None


def _check(conversation_id: str) -> None:
    try:
        check_id(conversation_id)
    except InvalidArgument as exc:
        raise UsageError(f"--id: {exc}") from None


def _metadata(args: argparse.Namespace, saved: Saved) -> dict[str, Any]:
    if args.metadata is None:
        return saved.metadata
    metadata = json_argument("--metadata", args.metadata)
    if not isinstance(metadata, dict):
        raise UsageError("--metadata must be a JSON object")
    return metadata


@contextlib.contextmanager
def _writing_metadata(args: argparse.Namespace) -> Iterator[None]:
    """A ``--metadata`` value that cannot be written (nested too deeply to encode) is bad usage."""
    try:
        yield
    except InvalidArgument as exc:
        if args.metadata is None:
            raise
        raise UsageError(f"--metadata: {exc}") from None


def _into_store(args: argparse.Namespace) -> int:
    _check(args.id)
    saved = _read(args.source)
    metadata = _metadata(args, saved)
    with _store(args.dest, create=True) as store:
        if not args.force and args.id in store.list():
            raise UsageError(f"{args.dest}: the store already has {args.id!r}; use --force to replace it")
        with _writing_metadata(args):
            store.put(args.id, saved.conversation, metadata=metadata)
    return 0


def _convert(args: argparse.Namespace, dest: str, fmt: str, out: Output) -> int:
    if fmt == "journal" and dest == "-":
        raise UsageError("a journal must be written to a file, not stdout")
    saved = _read(args.source) if getattr(args, "id", None) is None else _from_store(args.source, args.id)
    metadata = _metadata(args, saved)
    with _writing_metadata(args):
        data = render(saved.conversation, fmt, metadata)
    conv = saved.conversation
    if fmt in ("messages", "jsonl") and (conv.system is not None or conv.tools):
        warn(f"{args.source}: the system prompt and tools are left out of {fmt}")
    if dest == "-":
        out.write_bytes(data)
        return 0
    try:
        write_file(dest, data, exclusive=not args.force)
    except InvalidArgument as exc:  # a path that can name no file ("", "/")
        raise UsageError(str(exc)) from None
    except StorageError as exc:
        if exc.errno == errno.EEXIST and not args.force:
            raise UsageError(f"{dest}: already exists; use --force to replace it") from None
        raise InputError(f"{dest}: cannot write ({exc.strerror})") from None
    return 0


def _from_store(path: str, conversation_id: str) -> Saved:
    _check(conversation_id)
    with _store(path, create=False) as store:
        try:
            return Saved(store.get(conversation_id), store.metadata(conversation_id), "store")
        except ConversationNotFound:
            raise InputError(f"{path}: the store has no conversation {conversation_id!r}") from None


def _read(name: str) -> Saved:
    data = read_input(name)
    if data.startswith(SQLITE_MAGIC):
        raise InputError(
            f"{name}: an SQLite store, not a conversation: export one of its conversations with --id"
        )
    try:
        return read_any(data, path=None if name == "-" else Path(name))
    except InputError as exc:
        raise exc.named(name) from None
    except ValidationError as exc:
        more = f"; {len(exc.errors) - 1} more" if len(exc.errors) > 1 else ""
        raise ValidationError(
            exc.errors, f"{name}: not a valid conversation: {exc.errors[0]}{more}"
        ) from None


def render(conversation: Conversation, fmt: str, metadata: dict[str, Any]) -> bytes:
    """The bytes of ``conversation`` in output format ``fmt``."""
    if fmt == "file":
        return dumps(conversation, metadata=metadata)
    if fmt == "journal":
        header, wires = journal_parts(conversation, metadata=metadata)
        return header + b"\n" + b"".join(w + b"\n" for w in wires)
    _, _, wires = conversation_parts(conversation)
    if fmt == "body":
        return conversation.to_json() + b"\n"
    if fmt == "messages":
        return b"[" + b",".join(wires) + b"]\n"
    if fmt == "jsonl":
        return b"".join(w + b"\n" for w in wires)
    raise UsageError(f"unknown format {fmt!r}")  # pragma: no cover - argparse checks choices
