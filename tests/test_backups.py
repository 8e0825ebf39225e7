"""Rotating backups: every write keeps the version it replaces, cheaply, and never fails for it."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from filmlog import backups
from filmlog.doctor import init
from filmlog.errors import CorruptJournal
from filmlog.model import Review
from filmlog.storage import Journal

Invoke = Callable[..., Result]


def add(journal: Journal, title: str) -> Review:
    with journal.transaction() as session:
        return session.add(Review(title))


def backup_bytes(path: Path) -> list[bytes]:
    """The backups' contents, newest first."""
    return [b.path.read_bytes() for b in backups.list_backups(path)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 5), ("0", 0), ("3", 3), (" 12 ", 12), ("many", 5), ("-1", 5), ("", 5)],
)
def test_keep_count_from_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: int
) -> None:
    if value is None:
        monkeypatch.delenv("FILMLOG_BACKUPS", raising=False)
    else:
        monkeypatch.setenv("FILMLOG_BACKUPS", value)
    assert backups.keep_count() == expected


def test_each_write_keeps_the_version_it_replaced(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    journal = Journal(path)
    versions = []
    for title in ("a", "b", "c", "d"):
        add(journal, title)
        versions.append(path.read_bytes())

    # The first write replaced nothing; each later one kept its predecessor, byte for byte.
    assert backup_bytes(path) == versions[-2::-1]
    assert backups.folder(path) == tmp_path / "j.json.backups"


def test_only_the_newest_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMLOG_BACKUPS", "2")
    path = tmp_path / "j.json"
    versions = []
    for title in "abcdef":
        add(Journal(path), title)
        versions.append(path.read_bytes())

    assert backup_bytes(path) == [versions[-2], versions[-3]]
    assert [b.sequence for b in backups.list_backups(path)] == [5, 4]


def test_zero_turns_backups_off_and_leaves_old_ones_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.json"
    for title in "abc":
        add(Journal(path), title)
    kept = backup_bytes(path)
    monkeypatch.setenv("FILMLOG_BACKUPS", "0")

    for title in "def":
        add(Journal(path), title)

    assert backup_bytes(path) == kept

    fresh = tmp_path / "fresh.json"
    add(Journal(fresh), "a")
    add(Journal(fresh), "b")
    assert not backups.folder(fresh).exists()


def test_a_backup_is_a_hard_link_to_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    old_inode = path.stat().st_ino

    add(Journal(path), "b")

    [newest] = backups.list_backups(path)
    assert newest.path.stat().st_ino == old_inode
    assert path.stat().st_ino != old_inode
    assert stat.S_IMODE(newest.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(backups.folder(path).stat().st_mode) == 0o700


def test_falls_back_to_a_copy_where_links_are_impossible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    old = path.read_bytes()

    def no_links(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    add(Journal(path), "b")

    [newest] = backups.list_backups(path)
    assert newest.path.read_bytes() == old
    assert newest.path.stat().st_nlink == 1
    assert [p.name for p in backups.folder(path).iterdir()] == [newest.name]


def test_a_failed_backup_never_stops_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    add(Journal(path), "b")
    kept = backup_bytes(path)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "link", full)
    monkeypatch.setattr(backups, "copy_file", full)
    add(Journal(path), "c")

    assert [r.title for r in Journal(path).reviews()] == ["a", "b", "c"]
    assert backup_bytes(path) == kept


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="names open files via /proc")
def test_a_half_made_copy_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    real_fsync = os.fsync

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    def fsync(fd: int) -> None:
        # The copy's fsync is the only one made on a file inside the backup folder.
        if "backups" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(os, "fsync", fsync)
    add(Journal(path), "b")

    assert [r.title for r in Journal(path).reviews()] == ["a", "b"]
    assert list(backups.folder(path).iterdir()) == []


def test_a_failed_write_takes_its_backup_back_and_prunes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FILMLOG_BACKUPS", "2")
    path = tmp_path / "j.json"
    for title in "abc":
        add(Journal(path), title)
    kept = [b.path.name for b in backups.list_backups(path)]
    before = path.read_bytes()

    def fail_replace(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", fail_replace)
    with pytest.raises(Exception, match="Input/output error"):
        add(Journal(path), "d")

    assert path.read_bytes() == before
    assert [b.path.name for b in backups.list_backups(path)] == kept


def test_order_follows_the_sequence_not_the_clock(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    folder = backups.folder(path)
    folder.mkdir()
    for name in (
        "20250101T000000Z-000001.json",
        "20240101T000000Z-000002.json",  # the clock went back a year
        "notes.txt",
        "20250101T000000Z-000003.json.partial",
    ):
        (folder / name).write_text(name)
    path.write_text("x")

    made = backups.save(path)

    assert made is not None and made.name.endswith("-000003.json")
    assert [b.sequence for b in backups.list_backups(path)] == [3, 2, 1]
    backups.prune(path, 1)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["notes.txt", made.name])


def test_symlinked_journal_keeps_backups_beside_the_real_file(tmp_path: Path) -> None:
    real = tmp_path / "data" / "real.json"
    real.parent.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(real)
    init(Journal(link))  # a symlink to nowhere is a new journal only when asked for
    add(Journal(link), "a")
    add(Journal(link), "b")

    assert len(backups.list_backups(real)) == 2  # the empty journal, then the one with "a"
    assert not backups.folder(link).exists()
    assert link.is_symlink()


def test_corrupt_journal_message_names_backups_and_the_repair_command(
    cli: Invoke, journal_path: Path
) -> None:
    for title in ("a", "b", "c"):
        assert cli("add", title).exit_code == 0
    journal_path.write_bytes(journal_path.read_bytes()[:-40])
    damaged = journal_path.read_bytes()
    names = [b.name for b in backups.list_backups(journal_path)]

    result = cli("add", "d")

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert f"backups in {backups.folder(journal_path)} (newest first): {', '.join(names)}" in (
        result.stderr
    )
    assert result.stderr.rstrip().endswith(
        "restore the newest good one with: filmlog doctor --repair"
    )
    assert journal_path.read_bytes() == damaged


def test_the_repair_command_names_a_journal_chosen_with_db(cli: Invoke, tmp_path: Path) -> None:
    other = tmp_path / "other place" / "films.json"
    assert cli("--db", str(other), "add", "a").exit_code == 0
    assert cli("--db", str(other), "add", "b").exit_code == 0
    other.write_text("{")

    result = cli("--db", str(other), "list")

    assert result.exit_code == 1
    assert f"filmlog --db '{other}' doctor --repair" in result.stderr


def test_without_backups_the_message_says_so(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    path.write_text('{"something": "else"}')
    with pytest.raises(CorruptJournal) as caught:
        Journal(path).reviews()
    refusal = (
        f"{path} is not a filmlog journal; it was left unchanged; "
        f"there are no backups of it in {tmp_path / 'j.json.backups'}"
    )
    assert str(caught.value) == refusal

    result = cli("--db", str(path), "list")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {refusal} for filmlog --db {path} doctor --repair to restore\n"
    )


def test_a_newer_journal_is_not_sent_to_repair(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    add(Journal(path), "b")
    path.write_text('{"_filmlog": {"1": {"format": "filmlog", "schema": 9, "next_id": 3}}}')

    with pytest.raises(CorruptJournal) as caught:
        Journal(path).reviews()

    assert "upgrade filmlog" in str(caught.value)
    assert "repair" not in str(caught.value)


def test_a_damaged_journal_error_carries_the_backups_and_no_command_line(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    add(Journal(path), "b")
    path.write_text("{")

    with pytest.raises(CorruptJournal) as caught:
        Journal(path).reviews()

    assert caught.value.journal == path
    assert caught.value.backups == [b.path for b in backups.list_backups(path)]
    assert caught.value.backups
    assert "doctor" not in str(caught.value)  # the command is the CLI's to word
