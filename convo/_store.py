"""Stores of many conversations by id: a directory of journals, or an SQLite database.

The interface (:class:`Store`) is six methods: ``put``, ``get``, ``append``, ``metadata``,
``list`` and ``delete``.  A backend on another database implements those and nothing else.
Ids are checked by :func:`check_id` before any backend sees them.
"""

from __future__ import annotations

import abc
import contextlib
import errno
import os
import re
import secrets
import sqlite3
import stat
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, Self

from ._conversation import Conversation
from ._errors import ConvoError, InputError, InvalidArgument, ValidationError
from ._io import (
    NOFOLLOW,
    StorageError,
    UnsupportedFormat,
    file_path,
    lock,
    make_dirs,
    open_file,
    read_bytes,
    storage_error,
    unlock,
)
from ._journal import (
    Journal,
    JournalData,
    decode_line,
    journal_parts,
    parse,
    remove,
    write_journal,
)
from ._message import Message

__all__ = ["ConversationNotFound", "DirectoryStore", "SQLiteStore", "Store", "check_id"]

MAX_ID_LENGTH: Final = 128
_ID: Final = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
SUFFIX: Final = ".jsonl"


def check_id(conversation_id: object) -> str:
    """Return ``conversation_id`` if it is a valid id; raise :class:`convo.InvalidArgument` if not.

    An id is 1 to 128 ASCII letters, digits, ``_``, ``-`` and ``.``; it does not start or end
    with a dot and is not a device name that Windows reserves (``CON``, ``NUL``, ``COM1``...).
    So an id is always one plain file name: it cannot hold a path separator, ``..``, a NUL or
    an absolute path, and cannot escape its store's directory.

    >>> import convo
    >>> convo.check_id("session-2026-11-22.a")
    'session-2026-11-22.a'
    >>> try:
    ...     convo.check_id("../etc/passwd")
    ... except convo.InvalidArgument as exc:
    ...     print(exc)
    invalid conversation id '../etc/passwd': ids are 1-128 characters of A-Z a-z 0-9 _ - . not starting or ending with a dot
    """
    if not isinstance(conversation_id, str):
        raise InvalidArgument(f"a conversation id must be a string, not {type(conversation_id).__name__}")
    shown = conversation_id if len(conversation_id) <= 40 else conversation_id[:40] + "..."
    if (
        not 0 < len(conversation_id) <= MAX_ID_LENGTH
        or _ID.fullmatch(conversation_id) is None
        or conversation_id.endswith(".")
    ):
        raise InvalidArgument(
            f"invalid conversation id {shown!r}: ids are 1-{MAX_ID_LENGTH} characters of "
            "A-Z a-z 0-9 _ - . not starting or ending with a dot"
        )
    if conversation_id.split(".")[0].lower() in _RESERVED:
        raise InvalidArgument(f"invalid conversation id {shown!r}: Windows reserves that name for a device")
    return conversation_id


class ConversationNotFound(ConvoError, KeyError):
    """No conversation has this id in the store.

    >>> import convo
    >>> with convo.SQLiteStore(":memory:") as store:
    ...     try:
    ...         store.get("chat-1")
    ...     except convo.ConversationNotFound as exc:
    ...         print(exc)
    no conversation with id 'chat-1'
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "conversation not found"


_READ_ONLY: Final = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
"""What opening a journal for appending fails with when it may still be read."""


def _is_file(path: Path) -> bool:
    """A regular file, not a symbolic link (a link planted in the store is never followed)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_missing(exc: StorageError, path: Path) -> bool:
    """The conversation's own file is missing (or is a link), not a file it names (a fork's parent)."""
    return exc.errno in (errno.ENOENT, errno.ELOOP) and exc.filename in (None, os.fspath(path))


def _not_found(conversation_id: str) -> ConversationNotFound:
    return ConversationNotFound(f"no conversation with id {conversation_id!r}")


def _valid_ids(candidates: Iterable[object]) -> list[str]:
    """The candidates that are ids, sorted: what :func:`check_id` refuses could never be got."""
    ids = []
    for candidate in candidates:
        with contextlib.suppress(InvalidArgument):
            ids.append(check_id(candidate))
    return sorted(ids)


class Store(abc.ABC):
    """Conversations by id.  Every method validates the id first (:func:`check_id`).

    Backends: :class:`DirectoryStore` (a directory of journals, the default) and
    :class:`SQLiteStore`.  Both are safe to share between threads and between processes.

    >>> import convo
    >>> with convo.SQLiteStore(":memory:") as store:
    ...     store.put("chat-1", convo.Conversation().user("Hi"))
    ...     conv = store.append("chat-1", {"role": "assistant", "content": "Hello"})
    ...     print(isinstance(store, convo.Store), store.list(), len(conv))
    True ['chat-1'] 2
    """

    @abc.abstractmethod
    def put(
        self,
        conversation_id: str,
        conversation: Conversation,
        /,
        *,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        """Store ``conversation`` under the id, replacing any conversation stored there, atomically.

        (The arguments of these methods are positional: a backend may name them as it likes.)"""

    @abc.abstractmethod
    def get(self, conversation_id: str, /) -> Conversation:
        """The conversation stored under the id; :class:`ConversationNotFound` if there is none."""

    @abc.abstractmethod
    def append(self, conversation_id: str, /, *messages: Message | Mapping[str, Any]) -> Conversation:
        """Append messages to a stored conversation, validated (if one is refused, none is
        written) and durably; returns the new conversation.  Concurrent appenders never lose
        or interleave."""

    @abc.abstractmethod
    def metadata(self, conversation_id: str, /) -> dict[str, Any]:
        """The metadata given to :meth:`put` for the id."""

    @abc.abstractmethod
    def list(self) -> list[str]:
        """Every id in the store, sorted."""

    @abc.abstractmethod
    def delete(self, conversation_id: str, /) -> None:
        """Remove the conversation; :class:`ConversationNotFound` if there is none."""

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release files and connections.  The store cannot be used afterwards."""

    def __contains__(self, conversation_id: object) -> bool:
        try:
            self.get(check_id(conversation_id))
        except (ConversationNotFound, InvalidArgument):
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self.list())

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DirectoryStore(Store):
    """A directory of journals, one ``<id>.jsonl`` per conversation (see :class:`Journal`).

    ``put`` writes a whole journal atomically; ``append`` appends to it under its file lock,
    durably.  Open journals are kept (up to ``cache_size``) so that appending is O(1).
    ``root`` and any missing parents are created, and synced into place unless ``fsync=False``.

    >>> import tempfile, convo
    >>> with convo.DirectoryStore(tempfile.mkdtemp()) as store:
    ...     store.put("chat-1", convo.Conversation().user("Hi"), metadata={"user": "ada"})
    ...     conv = store.append("chat-1", {"role": "assistant", "content": "Hello!"})
    ...     store.list(), len(store.get("chat-1")), store.metadata("chat-1")
    (['chat-1'], 2, {'user': 'ada'})
    """

    def __init__(self, root: str | os.PathLike[str], *, fsync: bool = True, cache_size: int = 32) -> None:
        self.root = file_path(root, directory=True)
        try:
            make_dirs(self.root, sync=fsync)
        except FileExistsError:
            pass  # something that is not a directory is there: said just below
        except OSError as exc:
            raise storage_error(exc, self.root) from exc
        if not self.root.is_dir():
            raise StorageError(errno.ENOTDIR, "not a directory", os.fspath(self.root))
        self._fsync = fsync
        self._cache_size = max(0, cache_size)
        self._journals: OrderedDict[str, Journal] = OrderedDict()
        self._mutex = threading.RLock()

    def path(self, conversation_id: str) -> Path:
        """The file of a conversation (which may not exist)."""
        path = self.root / (check_id(conversation_id) + SUFFIX)
        if path.parent != self.root:  # pragma: no cover - check_id makes this impossible
            raise InvalidArgument(f"invalid conversation id {conversation_id!r}")
        return path

    def _journal(self, conversation_id: str) -> Journal:
        path = self.path(conversation_id)
        journal = self._journals.pop(conversation_id, None)
        if journal is None:
            try:
                journal = Journal.open(path, fsync=self._fsync)
            except StorageError as exc:
                if _is_missing(exc, path):
                    raise _not_found(conversation_id) from None
                raise
        self._journals[conversation_id] = journal
        while len(self._journals) > max(self._cache_size, 1):
            _, old = self._journals.popitem(last=False)
            old.close()
        return journal

    def _forget(self, conversation_id: str) -> None:
        journal = self._journals.pop(conversation_id, None)
        if journal is not None:
            journal.close()

    @contextlib.contextmanager
    def _using(self, conversation_id: str) -> Iterator[Journal]:
        with self._mutex:
            journal = self._journal(conversation_id)
            try:
                yield journal
            except StorageError as exc:
                self._forget(conversation_id)
                if _is_missing(exc, self.path(conversation_id)):
                    raise _not_found(conversation_id) from None
                raise
            except BaseException:
                self._forget(conversation_id)
                raise
            if self._cache_size == 0:
                self._forget(conversation_id)

    def put(
        self, conversation_id: str, conversation: Conversation, *, metadata: Mapping[str, Any] | None = None
    ) -> None:
        path = self.path(conversation_id)
        with self._mutex:
            self._forget(conversation_id)
            held = _lock_existing(path)  # let an append in progress finish first
            try:
                write_journal(path, conversation, metadata=metadata, exclusive=False, sync=self._fsync)
            finally:
                if held is not None:
                    unlock(held)
                    os.close(held)

    def get(self, conversation_id: str) -> Conversation:
        try:
            with self._using(conversation_id) as journal:
                return journal.refresh()
        except StorageError as exc:
            if exc.errno not in _READ_ONLY:
                raise
            return self._read_only(conversation_id).conversation

    def append(self, conversation_id: str, *messages: Message | Mapping[str, Any]) -> Conversation:
        with self._using(conversation_id) as journal:
            return journal.extend(messages)

    def metadata(self, conversation_id: str) -> dict[str, Any]:
        try:
            with self._using(conversation_id) as journal:
                journal.refresh()  # another store object may have replaced or deleted it meanwhile
                return journal.metadata
        except StorageError as exc:
            if exc.errno not in _READ_ONLY:
                raise
            return self._read_only(conversation_id).metadata

    def _read_only(self, conversation_id: str) -> JournalData:
        """A journal this process may read but not open for appending (a read-only file,
        directory or mount), read without a lock, as :func:`convo.load` reads it."""
        path = self.path(conversation_id)
        try:
            return parse(read_bytes(path, follow=False), path=path)
        except StorageError as exc:
            if _is_missing(exc, path):
                raise _not_found(conversation_id) from None
            raise

    def list(self) -> list[str]:
        try:
            names = os.listdir(self.root)
        except OSError as exc:
            raise storage_error(exc, self.root) from exc
        return _valid_ids(
            name[: -len(SUFFIX)] for name in names if name.endswith(SUFFIX) and _is_file(self.root / name)
        )

    def delete(self, conversation_id: str) -> None:
        path = self.path(conversation_id)
        with self._mutex:
            self._forget(conversation_id)
            try:
                remove(path, sync=self._fsync)
            except StorageError as exc:
                if exc.errno in (errno.ENOENT, errno.ELOOP):
                    raise _not_found(conversation_id) from None
                raise

    def close(self) -> None:
        with self._mutex:
            while self._journals:
                _, journal = self._journals.popitem()
                journal.close()

    def __contains__(self, conversation_id: object) -> bool:
        try:
            return _is_file(self.path(check_id(conversation_id)))
        except InvalidArgument:
            return False

    def __repr__(self) -> str:
        return f"DirectoryStore({os.fspath(self.root)!r})"


def _lock_existing(path: Path) -> int | None:
    try:
        fd = open_file(path, os.O_RDONLY | NOFOLLOW)
    except OSError:
        return None
    try:
        lock(fd)
    except OSError:  # pragma: no cover
        os.close(fd)
        return None
    return fd


_SQLITE_HEADER: Final = b"SQLite format 3\x00"
"""How every SQLite database file starts."""


def _foreign_file(path: str) -> bool:
    """An existing regular file that does not start as an SQLite database (or as the first
    bytes of one being written): SQLite would take a one-byte file for an empty database and
    write over it."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False  # a directory, a device: SQLite says what is wrong
        with open(path, "rb") as fh:
            start = fh.read(len(_SQLITE_HEADER))
    except OSError:
        return False  # SQLite says what is wrong
    return not _SQLITE_HEADER.startswith(start)


_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS convo_conversations (
    id TEXT PRIMARY KEY,
    generation INTEGER NOT NULL,
    header BLOB NOT NULL,
    length INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS convo_messages (
    conversation TEXT NOT NULL,
    position INTEGER NOT NULL,
    wire BLOB NOT NULL,
    PRIMARY KEY (conversation, position)
) WITHOUT ROWID;
"""


class SQLiteStore(Store):
    """Conversations in an SQLite database (the standard library's ``sqlite3``).

    One row per conversation (its journal header: metadata, system, tools) and one row per
    message (its exact wire bytes).  Writes are transactions in WAL mode with
    ``synchronous=FULL``, so a committed ``put`` or ``append`` survives a crash or power loss.

    >>> import convo
    >>> with convo.SQLiteStore(":memory:") as store:
    ...     store.put("chat-1", convo.Conversation().user("Hi"))
    ...     conv = store.append("chat-1", {"role": "assistant", "content": "Hello!"})
    ...     store.list(), store.get("chat-1") == conv
    (['chat-1'], True)
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = True, timeout: float = 60.0) -> None:
        self.path = ":memory:" if path == ":memory:" else os.fspath(file_path(path))
        if self.path != ":memory:" and _foreign_file(self.path):
            raise StorageError(errno.EIO, "SQLite: file is not a database", self.path)
        self._mutex = threading.RLock()
        self._cache: OrderedDict[str, tuple[int, Conversation]] = OrderedDict()
        self._timeout = timeout
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            if self.path != ":memory:":
                self._patiently("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'FULL' if fsync else 'OFF'}")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, UnicodeDecodeError) as exc:  # a damaged file may read as either
            raise self._error(exc) from exc

    def _patiently(self, statement: str) -> None:
        """Run ``statement``, waiting out a database another process holds for up to the timeout.

        SQLite's own wait does not cover every case: switching a new database to WAL while
        other processes open it too can fail at once with "database is locked".
        """
        deadline = time.monotonic() + self._timeout
        pause = 0.001
        while True:
            try:
                self._db.execute(statement)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _error(self, exc: Exception) -> StorageError:
        return StorageError(errno.EIO, f"SQLite: {exc}", self.path)

    @contextlib.contextmanager
    def _transaction(self, begin: str = "BEGIN IMMEDIATE") -> Iterator[sqlite3.Connection]:
        """A transaction: ``BEGIN IMMEDIATE`` to write, ``BEGIN`` for reads that must see one snapshot."""
        with self._mutex:
            db = self._db
            try:
                self._patiently(begin)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            try:
                yield db
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error | UnicodeDecodeError):  # a damaged database reads as either
                    raise self._error(exc) from exc
                raise
            try:
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise self._error(exc) from exc

    def _read(self, db: sqlite3.Connection, conversation_id: str) -> tuple[int, Conversation]:
        row = db.execute(
            "SELECT generation, header, length FROM convo_conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            raise _not_found(conversation_id)
        generation, header, length = row
        if type(generation) is not int or not isinstance(header, bytes) or type(length) is not int:
            raise self._damaged(conversation_id)
        cached = self._cache.get(conversation_id)
        if cached is not None and (cached[0] != generation or len(cached[1]) > length):
            cached = None  # replaced since it was cached: read it whole
        start = 0 if cached is None else len(cached[1])
        wires = [
            w
            for (w,) in db.execute(
                "SELECT wire FROM convo_messages WHERE conversation = ? AND position >= ? ORDER BY position",
                (conversation_id, start),
            )
        ]
        if not all(isinstance(w, bytes) for w in wires):  # a damaged row: a number, text
            raise self._damaged(conversation_id)
        with self._reading_rows(conversation_id):
            if cached is None:
                conv = parse(header + b"\n" + b"".join(w + b"\n" for w in wires)).conversation
            else:
                conv = cached[1]
                for wire in wires:
                    conv = conv.append(decode_line(wire, len(conv)))
        if len(conv) != length:  # a row the length does not count, or one that is not one message
            raise self._damaged(conversation_id)
        return generation, conv

    def _damaged(self, conversation_id: str) -> StorageError:
        return StorageError(
            errno.EIO, f"SQLite: conversation {conversation_id!r} has a damaged row", self.path
        )

    @contextlib.contextmanager
    def _reading_rows(self, conversation_id: str) -> Iterator[None]:
        """Rows that do not read as a journal does are damage (a newer format excepted)."""
        try:
            yield
        except UnsupportedFormat:
            raise
        except (InputError, ValidationError):
            raise self._damaged(conversation_id) from None

    def _remember(self, conversation_id: str, generation: int, conversation: Conversation) -> None:
        """Cache what was just committed.  Another thread may have committed since: a stale entry
        is harmless, as :meth:`_read` checks it against the row's generation and length."""
        with self._mutex:
            self._cache[conversation_id] = (generation, conversation)
            self._cache.move_to_end(conversation_id)
            while len(self._cache) > 32:
                self._cache.popitem(last=False)

    def put(
        self, conversation_id: str, conversation: Conversation, *, metadata: Mapping[str, Any] | None = None
    ) -> None:
        check_id(conversation_id)
        header, wires = journal_parts(conversation, metadata=metadata)
        generation = secrets.randbits(62)
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM convo_messages WHERE conversation = ?", (conversation_id,))
                db.execute(
                    "INSERT OR REPLACE INTO convo_conversations (id, generation, header, length) VALUES (?, ?, ?, ?)",
                    (conversation_id, generation, header, len(wires)),
                )
                db.executemany(
                    "INSERT INTO convo_messages (conversation, position, wire) VALUES (?, ?, ?)",
                    ((conversation_id, i, w) for i, w in enumerate(wires)),
                )
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        self._remember(conversation_id, generation, conversation)

    def get(self, conversation_id: str) -> Conversation:
        check_id(conversation_id)
        try:
            with self._transaction("BEGIN") as db:  # the header and the messages of one put
                generation, conv = self._read(db, conversation_id)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        self._remember(conversation_id, generation, conv)
        return conv

    def append(self, conversation_id: str, *messages: Message | Mapping[str, Any]) -> Conversation:
        check_id(conversation_id)
        try:
            with self._transaction() as db:
                generation, conv = self._read(db, conversation_id)
                start = len(conv)
                for message in messages:
                    conv = conv.append(message)
                wires = conv._spine.wires[start : len(conv)]
                db.executemany(
                    "INSERT INTO convo_messages (conversation, position, wire) VALUES (?, ?, ?)",
                    ((conversation_id, start + i, w) for i, w in enumerate(wires)),
                )
                db.execute(
                    "UPDATE convo_conversations SET length = ? WHERE id = ?", (len(conv), conversation_id)
                )
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        self._remember(conversation_id, generation, conv)
        return conv

    def metadata(self, conversation_id: str) -> dict[str, Any]:
        check_id(conversation_id)
        try:
            with self._mutex:
                row = self._db.execute(
                    "SELECT header FROM convo_conversations WHERE id = ?", (conversation_id,)
                ).fetchone()
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        if row is None:
            raise _not_found(conversation_id)
        if not isinstance(row[0], bytes):
            raise self._damaged(conversation_id)
        with self._reading_rows(conversation_id):
            return parse(row[0] + b"\n").metadata

    def list(self) -> list[str]:
        try:
            with self._mutex:
                rows = self._db.execute("SELECT id FROM convo_conversations").fetchall()
        except (sqlite3.Error, UnicodeDecodeError) as exc:  # a damaged database reads as either
            raise self._error(exc) from exc
        return _valid_ids(value for (value,) in rows)

    def delete(self, conversation_id: str) -> None:
        check_id(conversation_id)
        try:
            with self._transaction() as db:
                gone = db.execute("DELETE FROM convo_conversations WHERE id = ?", (conversation_id,)).rowcount
                db.execute("DELETE FROM convo_messages WHERE conversation = ?", (conversation_id,))
                if not gone:
                    raise _not_found(conversation_id)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        with self._mutex:
            self._cache.pop(conversation_id, None)

    def close(self) -> None:
        with self._mutex:
            self._cache.clear()
            with contextlib.suppress(sqlite3.Error):
                self._db.close()

    def __contains__(self, conversation_id: object) -> bool:
        try:
            check_id(conversation_id)
            with self._mutex:
                row = self._db.execute(
                    "SELECT 1 FROM convo_conversations WHERE id = ?", (conversation_id,)
                ).fetchone()
        except InvalidArgument:
            return False
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        return row is not None

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"
