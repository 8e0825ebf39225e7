"""A write keeps the journal's owner, group and permissions; a write-protected journal is refused.

Run as root (as with sudo), a write must not hand the journal, its lock or its
backups to root: the owner would be locked out of their own journal. The
ownership tests need root to change owners, so they are skipped otherwise;
CI runs them as root.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from filmlog import backups
from filmlog.errors import StorageError
from filmlog.model import Review
from filmlog.storage import Journal

USER, GROUP = 12345, 23456  # not root, and not whoever runs the tests

as_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing owners needs root"
)


def owner(path: Path) -> tuple[int, int]:
    found = path.lstat()
    return found.st_uid, found.st_gid


def add(journal: Journal, title: str) -> None:
    with journal.transaction() as session:
        session.add(Review(title))


@as_root
def test_a_write_as_root_keeps_the_owner(tmp_path: Path, run_filmlog, journal_path: Path) -> None:  # type: ignore[no-untyped-def]
    add(Journal(journal_path), "Her")
    os.chown(journal_path, USER, GROUP)
    os.chmod(journal_path, 0o640)
    result = run_filmlog("add", "Arrival")
    assert result.returncode == 0, result.stderr
    assert owner(journal_path) == (USER, GROUP)
    assert stat.S_IMODE(journal_path.stat().st_mode) == 0o640
    assert owner(journal_path.with_name("journal.json.lock")) == (USER, GROUP)
    folder = backups.folder(journal_path)
    assert owner(folder) == (USER, GROUP)
    kept = backups.list_backups(journal_path)
    assert kept and all(owner(backup.path) == (USER, GROUP) for backup in kept)


@as_root
def test_backup_copies_and_the_lock_are_the_owners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    os.chown(path, USER, GROUP)
    path.with_name("j.json.lock").unlink()

    def no_links(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)  # the backup is then a copy
    add(Journal(path), "b")
    assert owner(path) == (USER, GROUP)
    assert owner(path.with_name("j.json.lock")) == (USER, GROUP)
    [backup] = backups.list_backups(path)
    assert owner(backup.path) == (USER, GROUP)


def test_a_write_protected_journal_is_refused(run_filmlog, journal_path: Path) -> None:  # type: ignore[no-untyped-def]
    add(Journal(journal_path), "Her")
    add(Journal(journal_path), "Arrival")  # so that there is something to undo
    os.chmod(journal_path, 0o444)
    before = journal_path.read_bytes()
    kept = backups.list_backups(journal_path)
    for args in (
        ["add", "Arrival"],
        ["rate", "1", "4"],
        ["delete", "1", "--yes"],
        ["undo", "--yes"],
    ):
        result = run_filmlog(*args)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr == (
            f"Error: journal {journal_path} is write-protected (mode 0444): nothing was changed; "
            "make it writable (chmod u+w) to change it\n"
        ), args
    assert journal_path.read_bytes() == before
    assert stat.S_IMODE(journal_path.stat().st_mode) == 0o444
    assert backups.list_backups(journal_path) == kept
    assert run_filmlog("list").returncode == 0


def test_the_check_is_in_the_one_write(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    path.chmod(0o400)
    with pytest.raises(StorageError, match="write-protected"):
        add(Journal(path), "b")
