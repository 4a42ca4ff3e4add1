"""Durable file primitives shared by conversation files, journals and stores.

* :func:`atomic_write` - temporary file in the same directory, write, fsync, rename over the
  target (or hard-link it into place when the target must not exist yet), then fsync the
  directory so that the rename itself survives a power loss.  A reader sees the old file or the
  new one, never a mix, even if the writer is killed at any instruction.
* :func:`read_bytes` - the bytes of a regular file, with OS failures turned into
  :class:`StorageError`; :func:`open_file` opens one, refusing anything else (a directory, a
  device such as ``/dev/zero``, a named pipe) without reading it or waiting on it.
* :func:`lock` / :func:`unlock` - an exclusive advisory lock on a whole open file (``flock`` on
  POSIX, ``msvcrt.locking`` on Windows).

Every failure of the operating system surfaces as :class:`StorageError`, which is both a
:class:`convo.ConvoError` and an :class:`OSError` (with ``errno``, ``strerror`` and
``filename`` set), so callers can catch either.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import secrets
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from ._errors import ConvoError, InputError, InvalidArgument

__all__ = [
    "NOFOLLOW",
    "CorruptJournal",
    "StorageError",
    "UnsupportedFormat",
    "atomic_write",
    "check_file_header",
    "check_version",
    "datasync",
    "fsync_dir",
    "lock",
    "make_dirs",
    "open_file",
    "open_no_wait",
    "read_bytes",
    "sibling",
    "storage_error",
    "unlock",
]

TEMP_PREFIX: Final = ".convo-tmp-"
"""Temporary files start with a dot, so they never look like a stored conversation."""


class StorageError(ConvoError, OSError):
    """The file system refused an operation: a missing file, no permission, a full disk.

    It is an :class:`OSError` too, with ``errno``, ``strerror`` and ``filename``.

    >>> import tempfile, pathlib, convo
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "missing.json"
    >>> try:
    ...     convo.load(path)
    ... except convo.StorageError as exc:
    ...     print(exc.strerror, exc.filename == str(path))
    No such file or directory True
    """

    def __reduce__(self) -> tuple[Any, ...]:
        reduced = OSError.__reduce__(self)  # pickles ``filename`` too, which ``args`` leaves out
        assert isinstance(reduced, tuple)
        return reduced


class UnsupportedFormat(InputError):
    """The file was written by a newer convo, in a format version this one does not know.

    >>> import convo
    >>> try:
    ...     convo.loads(b'{"convo":99,"messages":[]}')
    ... except convo.UnsupportedFormat as exc:
    ...     print(exc)
    this file has convo format version 99, written by a newer convo; this convo reads versions up to 1: upgrade convo to read it
    """


FORMAT_VERSION: Final = 1
"""The conversation file format this convo writes, and the newest it reads."""


def check_file_header(values: Mapping[str, Any]) -> None:
    """Refuse a convo file whose header this convo cannot read: a ``"convo"`` format version that
    is malformed or newer than this convo, ``metadata`` that is not an object, or ``paused``
    that is not a boolean."""
    check_version(
        values["convo"],
        FORMAT_VERSION,
        "file has convo format version",
        lambda v: InputError(f"'convo' must be the file format version, a positive integer, not {v!r}"),
    )
    if not isinstance(values.get("metadata", {}), dict):
        raise InputError("'metadata' of a convo file must be an object")
    if not isinstance(values.get("paused", False), bool):
        raise InputError("'paused' of a convo file must be true or false")


def check_version(version: object, newest: int, what: str, malformed: Callable[[object], Exception]) -> None:
    """Refuse a format ``version`` that is malformed (raises ``malformed(version)``) or newer than
    ``newest``, the newest this convo reads; ``what`` leads the version in the message."""
    if type(version) is not int or version < 1:
        raise malformed(version)
    if version > newest:
        raise UnsupportedFormat(
            f"this {what} {version}, written by a newer convo; "
            f"this convo reads versions up to {newest}: upgrade convo to read it"
        )


class CorruptJournal(InputError):
    """A journal is damaged before its last line.

    ``line`` is the 1-based number of the first damaged line, ``offset`` its byte offset in the
    file.  Open the journal with ``salvage=True`` to recover every intact line before it.

    >>> import convo
    >>> journal = b'{"convo_journal":1,"metadata":{}}\\n{"role":"user","content":"Hi"}\\ngarbage\\n'
    >>> try:
    ...     convo.loads(journal)
    ... except convo.CorruptJournal as exc:
    ...     print(exc.line, exc.offset)
    3 65
    >>> len(convo.loads(journal, salvage=True).conversation)
    1
    """

    line: int
    offset: int

    def __init__(self, message: str, *, line: int, offset: int) -> None:
        self.line = line
        self.offset = offset
        super().__init__(message)


def storage_error(exc: OSError, path: str | os.PathLike[str] | None = None) -> StorageError:
    """The :class:`StorageError` for an :class:`OSError`, keeping its errno and file name."""
    if isinstance(exc, StorageError):
        return exc
    name = exc.filename if exc.filename is not None else (os.fspath(path) if path is not None else None)
    code = exc.errno if exc.errno is not None else errno.EIO
    text = exc.strerror or str(exc) or os.strerror(code)
    return StorageError(code, text, name)


_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)
NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
"""``os.O_NOFOLLOW`` where the platform has it, else 0."""


def open_no_wait(path: str | os.PathLike[str], flags: int) -> int:
    """``os.open(path, flags)`` that does not wait for a writer to open a named pipe (a pipe
    with no writer then reads as empty).  The descriptor is blocking again once open."""
    fd = os.open(path, flags | _NONBLOCK)
    if _NONBLOCK:
        try:
            os.set_blocking(fd, True)
        except OSError:
            os.close(fd)
            raise
    return fd


def open_file(path: str | os.PathLike[str], flags: int) -> int:
    """A descriptor of the regular file at ``path``, opened with ``flags``.

    Anything else raises :class:`StorageError` before a byte is read: a directory (``EISDIR``,
    "is a directory"), a device such as ``/dev/zero`` or a named pipe (``EINVAL``, "is not a
    regular file"), a symbolic link when ``flags`` hold ``O_NOFOLLOW`` ("is a symbolic link",
    with the ``errno`` of the refusal), and any failure to open it.
    """
    try:
        fd = open_no_wait(path, flags)
    except IsADirectoryError as exc:
        raise _not_a_file(stat.S_IFDIR, path) from exc
    except OSError as exc:
        if flags & NOFOLLOW and os.path.islink(path):  # not "too many levels": a link refused
            raise StorageError(
                exc.errno, "is a symbolic link, which convo does not follow here", os.fspath(path)
            ) from exc
        raise storage_error(exc, path) from exc
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise storage_error(exc, path) from exc
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _not_a_file(mode, path)
    return fd


def _not_a_file(mode: int, path: str | os.PathLike[str]) -> StorageError:
    if stat.S_ISDIR(mode):
        return StorageError(errno.EISDIR, "is a directory", os.fspath(path))
    return StorageError(errno.EINVAL, "is not a regular file", os.fspath(path))


def read_bytes(path: str | os.PathLike[str], *, follow: bool = True) -> bytes:
    """The whole content of a regular file; anything else (see :func:`open_file`) or an OS
    failure raises :class:`StorageError`.

    ``follow=False`` refuses a symbolic link (where ``O_NOFOLLOW`` exists) instead of reading
    what it points to.
    """
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | (0 if follow else NOFOLLOW)
    fd = open_file(path, flags)
    try:
        with open(fd, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise storage_error(exc, path) from exc


def datasync(fd: int) -> None:
    """Flush a file's data to stable storage (``F_FULLFSYNC`` on macOS, where ``fsync`` only
    reaches the drive's cache; ``fdatasync`` on Linux)."""
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        import fcntl

        fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
    elif hasattr(os, "fdatasync"):
        os.fdatasync(fd)
    else:  # pragma: no cover - Windows
        os.fsync(fd)


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Make a rename or unlink in ``directory`` durable (a no-op where directories cannot be
    opened, such as Windows)."""
    if sys.platform == "win32":  # pragma: no cover - no directory handles there
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs(directory: Path, *, sync: bool) -> None:
    """Create ``directory`` and its missing parents.  With ``sync``, the parent of each directory
    that was missing is synced (innermost first), so that a new directory does not vanish in a
    power loss along with the files written into it."""
    missing = list(itertools.takewhile(lambda d: not os.path.exists(d), (directory, *directory.parents)))
    directory.mkdir(parents=True, exist_ok=True)
    if sync:
        for new in missing:
            fsync_dir(new.parent)


def file_path(path: str | os.PathLike[str], *, directory: bool = False) -> Path:
    """``path`` made absolute (links are not resolved), so that a journal or store opened with
    a relative path keeps to its file after ``os.chdir``; what cannot name a file (or a
    ``directory``) raises :class:`InvalidArgument`."""
    try:
        text = os.fspath(path)
    except TypeError:
        raise InvalidArgument(f"a path is a str or an os.PathLike, not {type(path).__name__}") from None
    if not isinstance(text, str) or not text or "\0" in text:
        raise InvalidArgument(f"{text!r} is not a usable path")
    absolute = Path(os.path.abspath(text))
    if not directory and not absolute.name:
        raise InvalidArgument(f"{text!r} names a directory, not a file")
    return absolute


def sibling(target: Path, *, prefix: str = "", suffix: str = "") -> Path:
    """A name beside ``target``: its name between ASCII ``prefix`` and ``suffix``, the name cut
    short to keep within the usual 255-byte limit (a character cut in two goes)."""
    room = 255 - len(prefix) - len(suffix)
    return target.with_name(prefix + os.fsencode(target.name)[:room].decode("utf-8", "ignore") + suffix)


def _temp_path(target: Path) -> Path:
    """A new name beside ``target`` for writing it aside."""
    return sibling(target, prefix=f"{TEMP_PREFIX}{secrets.token_hex(8)}-")


def atomic_write(
    path: str | os.PathLike[str], chunks: Iterable[bytes], *, exclusive: bool = False, sync: bool = True
) -> None:
    """Write ``chunks`` to ``path`` so that a crash leaves the old file or the new one, whole.

    A file that is replaced keeps its permission bits (a private ``0600`` file stays private).
    With ``exclusive`` the file must not exist yet (it is linked into place, which fails if it
    does: :class:`StorageError` with ``errno.EEXIST``).  ``sync=False`` skips both fsyncs: the
    result is still never torn, but a power loss may lose it.  What is not a regular file or a
    link (a directory, a device such as ``/dev/null``, a named pipe) is never replaced:
    :class:`StorageError` with ``errno.EEXIST``.
    """
    target = Path(path)
    try:
        kind = os.lstat(target).st_mode
    except OSError:
        kind = None  # nothing there (or nothing to see): the rename says what is wrong
    if kind is not None and not (stat.S_ISREG(kind) or stat.S_ISLNK(kind)):
        raise StorageError(
            errno.EEXIST, "is not a regular file, and convo replaces only files", os.fspath(target)
        )
    temp = _temp_path(target)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            if not exclusive and hasattr(os, "fchmod"):
                with contextlib.suppress(OSError):
                    replaced = os.lstat(target)  # a link is replaced, and says nothing of the mode
                    if stat.S_ISREG(replaced.st_mode):
                        os.fchmod(fd, stat.S_IMODE(replaced.st_mode))
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
            if sync:
                datasync(fd)
        finally:
            os.close(fd)
        if exclusive:
            _link_into_place(temp, target)
        else:
            os.replace(temp, target)
        if sync:
            fsync_dir(target.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if exc.filename is not None and os.fspath(exc.filename) == os.fspath(temp):
            exc.filename = os.fspath(target)  # the temporary file is convo's: name the one asked for
        raise storage_error(exc, target) from exc


def _link_into_place(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError:  # pragma: no cover - a file system without hard links
        if target.exists():
            raise FileExistsError(errno.EEXIST, "file exists", os.fspath(target)) from None
        os.replace(temp, target)
        return
    os.unlink(temp)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def lock(fd: int) -> None:
        """Block until this process holds the exclusive lock on the open file ``fd``."""
        os.lseek(fd, 0, os.SEEK_SET)
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError as exc:
                if exc.errno != errno.EDEADLK:
                    raise

    def unlock(fd: int) -> None:
        """Release the lock taken by :func:`lock`."""
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def lock(fd: int) -> None:
        """Block until this process holds the exclusive lock on the open file ``fd``."""
        fcntl.flock(fd, fcntl.LOCK_EX)

    def unlock(fd: int) -> None:
        """Release the lock taken by :func:`lock`."""
        fcntl.flock(fd, fcntl.LOCK_UN)
