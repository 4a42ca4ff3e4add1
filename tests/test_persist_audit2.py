"""Second audit of persistence: each test is a case that broke DESIGN.md's persistence contract."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import convo


@pytest.mark.parametrize("content", [b"\n", b"x", b"{"])
def test_an_sqlite_store_refuses_a_one_byte_file_and_leaves_it_as_it_was(
    tmp_path: Path, content: bytes
) -> None:
    # A file of another format is refused with a StorageError; SQLite alone took a one-byte file
    # for an empty database and wrote a database over it.
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(convo.StorageError, match="not a database"):
        convo.SQLiteStore(path)
    assert path.read_bytes() == content


def test_an_sqlite_store_opens_an_empty_file_and_its_own_database(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    path.write_bytes(b"")
    with convo.SQLiteStore(path) as store:
        store.put("chat", convo.Conversation().user("Hi"))
    with convo.SQLiteStore(path) as store:
        assert store.list() == ["chat"]


@pytest.mark.parametrize("occupant", ["file", "dangling link"])
def test_a_directory_store_on_a_file_says_it_is_not_a_directory(tmp_path: Path, occupant: str) -> None:
    # A file where the store's directory is expected is a StorageError that says so (ENOTDIR),
    # not the "File exists" of the mkdir that found it there.
    root = tmp_path / "store"
    if occupant == "file":
        root.write_text("notes")
    else:
        root.symlink_to(tmp_path / "gone")
    with pytest.raises(convo.StorageError, match="not a directory") as caught:
        convo.DirectoryStore(root)
    assert (caught.value.errno, caught.value.filename) == (errno.ENOTDIR, str(root))
