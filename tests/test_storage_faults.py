"""I/O errors injected into every step of a write: the old journal survives byte for byte.

Each fault is the operating system's own error (ENOSPC when the disk is full,
EIO when it fails), raised by a monkeypatched ``os`` function at one step of
:func:`filmlog.storage.atomic_write`. Whatever the step, the journal keeps
its old bytes, no temporary file is left behind, no backup is gained or lost,
and a person sees exactly one line saying what went wrong.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from filmlog import backups, files
from filmlog.errors import StorageError
from filmlog.model import Review
from filmlog.storage import Journal, temp_files

Invoke = Callable[..., Result]

ERRORS = [pytest.param(errno.ENOSPC, id="ENOSPC"), pytest.param(errno.EIO, id="EIO")]
STEPS = ["create", "write", "fsync", "replace"]


def os_error(code: int) -> OSError:
    return OSError(code, os.strerror(code))


class FailingFile:
    """A file whose write puts half the bytes down, then fails as the disk would."""

    def __init__(self, handle: Any, code: int) -> None:
        self.handle = handle
        self.code = code

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise os_error(self.code)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)

    def __enter__(self) -> FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def inject(monkeypatch: pytest.MonkeyPatch, step: str, code: int) -> None:
    """Make ``step`` of the next journal write fail with ``code``."""
    if step == "create":

        def new_temp(*args: Any, **kwargs: Any) -> Any:
            raise os_error(code)

        monkeypatch.setattr(files, "_new_temp", new_temp)
    elif step == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(
            os, "fdopen", lambda fd, *a, **k: FailingFile(real_fdopen(fd, *a, **k), code)
        )
    elif step == "fsync":

        def fsync(fd: int) -> None:
            raise os_error(code)

        monkeypatch.setattr(os, "fsync", fsync)
    elif step == "replace":

        def replace(*args: Any, **kwargs: Any) -> None:
            raise os_error(code)

        monkeypatch.setattr(os, "replace", replace)
    else:  # pragma: no cover - a typo in a parameter list
        raise AssertionError(step)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the journal, its lock and its backups) with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    journal = Journal(tmp_path / "j.json")
    for title in ("Her", "Arrival", "Paterson"):
        with journal.transaction() as session:
            session.add(Review(title, rating=8, body="A quiet film. " * 50))
    yield journal


@pytest.mark.parametrize("code", ERRORS)
@pytest.mark.parametrize("step", STEPS)
def test_old_journal_survives_byte_for_byte(journal: Journal, step: str, code: int) -> None:
    before = snapshot(journal.path.parent)

    with pytest.MonkeyPatch.context() as patch, pytest.raises(StorageError) as caught:
        inject(patch, step, code)
        with journal.transaction() as session:
            session.add(Review("Columbus"))

    assert str(caught.value) == f"cannot write journal {journal.target}: {os.strerror(code)}"
    assert snapshot(journal.path.parent) == before
    assert temp_files(journal.target) == []
    assert [r.title for r in journal.reviews()] == ["Her", "Arrival", "Paterson"]


@pytest.mark.parametrize("code", ERRORS)
@pytest.mark.parametrize("step", STEPS)
def test_the_person_sees_one_clear_line(
    cli: Invoke, journal_path: Path, step: str, code: int
) -> None:
    assert cli("add", "Her", "--rating", "4").exit_code == 0
    assert cli("add", "Arrival").exit_code == 0
    before = snapshot(journal_path.parent)

    with pytest.MonkeyPatch.context() as patch:
        inject(patch, step, code)
        result = cli("rate", "1", "5")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: cannot write journal {journal_path}: {os.strerror(code)}\n"
    assert snapshot(journal_path.parent) == before
    assert temp_files(journal_path) == []


@pytest.mark.parametrize("step", STEPS)
def test_a_failed_first_write_leaves_no_journal(tmp_path: Path, step: str) -> None:
    journal = Journal(tmp_path / "new" / "j.json")

    with pytest.MonkeyPatch.context() as patch, pytest.raises(StorageError):
        inject(patch, step, errno.ENOSPC)
        with journal.transaction() as session:
            session.add(Review("Her"))

    assert not journal.path.exists()
    assert sorted(p.name for p in journal.path.parent.iterdir()) == ["j.json.lock"]


def test_a_full_disk_fails_the_backup_and_the_write_but_loses_nothing(
    journal: Journal, cli: Invoke
) -> None:
    before = snapshot(journal.path.parent)

    def full(*args: Any, **kwargs: Any) -> None:
        raise os_error(errno.ENOSPC)

    # Links, the copy that replaces them, and the write itself all fail, as on a full disk.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "link", full)
        patch.setattr(os, "fsync", full)
        patch.setattr(os, "replace", full)
        result = cli("--db", str(journal.path), "add", "Columbus")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot write journal {journal.target}: {os.strerror(errno.ENOSPC)}\n"
    )
    assert snapshot(journal.path.parent) == before
    assert not list(backups.folder(journal.target).glob("*.partial"))


@pytest.mark.parametrize("code", ERRORS)
def test_a_folder_that_cannot_be_synced_is_reported_honestly(journal: Journal, code: int) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise os_error(code)
        real_fsync(fd)

    with pytest.MonkeyPatch.context() as patch, pytest.raises(StorageError) as caught:
        patch.setattr(os, "fsync", fsync)
        with journal.transaction() as session:
            session.add(Review("Columbus"))

    # The rename happened, so the change is there; the message must not claim it failed.
    assert str(caught.value) == (
        f"journal {journal.target} was written but its folder could not be synced "
        f"({os.strerror(code)}); the change may not survive a power failure"
    )
    assert [r.title for r in journal.reviews()][-1] == "Columbus"
    assert temp_files(journal.target) == []


def test_stale_temp_files_from_a_crash_are_removed_by_the_next_write(journal: Journal) -> None:
    stale = journal.target.with_name(f".{journal.target.name}.abc123.tmp")
    stale.write_bytes(b'{"half": ')

    with journal.transaction() as session:
        session.add(Review("Columbus"))

    assert temp_files(journal.target) == []


def test_a_write_that_need_not_be_durable_is_atomic_but_never_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(files.os, "fsync", synced.append)
    target = tmp_path / "entry.json"
    target.write_bytes(b"old")

    files.atomic_write(target, [b"ne", b"w"], durable=False)
    assert target.read_bytes() == b"new"
    assert synced == []
    assert temp_files(target) == []

    files.atomic_write(target, b"newer")
    assert target.read_bytes() == b"newer"
    assert len(synced) == 2  # the file, then its folder
