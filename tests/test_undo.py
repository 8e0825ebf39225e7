"""`filmlog undo`: shows what changes, asks, restores, and keeps the version it replaces."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from filmlog import backups
from filmlog.doctor import plan_undo, undo
from filmlog.errors import FilmlogError, StorageError
from filmlog.storage import Journal

Invoke = Callable[..., Result]


def titles(path: Path) -> list[str]:
    return [r.title for r in Journal(path).reviews()]


@pytest.fixture
def two(cli: Invoke, journal_path: Path) -> bytes:
    """A journal holding Her and Arrival (with one backup, holding only Her)."""
    assert cli("add", "Her", "--rating", "4").exit_code == 0
    assert cli("add", "Arrival", "--rating", "4.5").exit_code == 0
    return journal_path.read_bytes()


def test_undo_an_add_shows_it_asks_and_removes_it(
    cli: Invoke, journal_path: Path, two: bytes
) -> None:
    result = cli("undo", input="y\n")

    assert result.exit_code == 0, result.stderr
    assert "it removes 1 review, brings back 0 and reverts 0 (from 2 reviews to 1)." in (
        result.stderr
    )
    assert "  remove  #2 Arrival ★★★★½" in result.stderr
    assert "Undo? [y/N]" in result.stderr
    assert result.stdout.splitlines() == [
        "Undone: 1 removed, 0 brought back, 0 reverted; the journal holds 1 review.",
        "The version you undid is kept as a backup: 'filmlog undo' again redoes it.",
    ]
    assert titles(journal_path) == ["Her"]


@pytest.mark.parametrize("answer", ["n\n", "", "no\n"])
def test_no_answer_or_no_changes_nothing(
    cli: Invoke, journal_path: Path, two: bytes, answer: str
) -> None:
    kept = [b.name for b in backups.list_backups(journal_path)]

    result = cli("undo", input=answer)

    assert result.exit_code == 1
    assert result.stderr.endswith("Error: nothing was undone\n")
    assert journal_path.read_bytes() == two
    assert [b.name for b in backups.list_backups(journal_path)] == kept


def test_undo_a_delete_brings_the_review_back_with_its_id(
    cli: Invoke, journal_path: Path, two: bytes
) -> None:
    assert cli("delete", "1", "--yes").exit_code == 0

    result = cli("undo", "--yes")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Undone: 0 removed, 1 brought back, 0 reverted;")
    assert journal_path.read_bytes() == two
    assert Journal(journal_path).get(1).title == "Her"


def test_undo_an_edit_reverts_it(cli: Invoke, journal_path: Path, two: bytes) -> None:
    assert cli("edit", "1", "--verdict", "Great", "--title", "Her!").exit_code == 0

    result = cli("undo", input="y\n")

    assert "reverts 1 (still 2 reviews)." in result.stderr
    assert "  revert  #1 Her ★★★★☆" in result.stderr
    assert Journal(journal_path).get(1).verdict is None
    assert journal_path.read_bytes() == two


def test_undo_twice_redoes(cli: Invoke, journal_path: Path, two: bytes) -> None:
    assert cli("rate", "2", "1").exit_code == 0
    rated = journal_path.read_bytes()

    assert cli("undo", "--yes").exit_code == 0
    assert journal_path.read_bytes() == two
    assert backups.list_backups(journal_path)[0].path.read_bytes() == rated
    assert cli("undo", "--yes").exit_code == 0
    assert journal_path.read_bytes() == rated


def test_ids_an_undo_takes_away_are_never_handed_out_again(
    cli: Invoke, journal_path: Path, two: bytes
) -> None:
    assert cli("undo", "--yes").exit_code == 0  # Arrival (#2) goes

    result = cli("add", "Paterson")

    assert result.stdout.startswith("Added #3 Paterson")
    assert [r.id for r in Journal(journal_path).reviews()] == [1, 3]


def test_nothing_to_undo_without_backups(cli: Invoke, journal_path: Path) -> None:
    assert cli("add", "Her").exit_code == 0  # the first write replaces nothing

    result = cli("undo", "--yes")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: nothing to undo: no earlier version of {journal_path} is kept in "
        f"{journal_path}.backups\n"
    )


def test_nothing_to_undo_says_when_backups_are_off(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FILMLOG_BACKUPS", "0")
    assert cli("add", "Her").exit_code == 0
    assert cli("add", "Arrival").exit_code == 0

    result = cli("undo", "--yes")

    assert result.exit_code == 1
    assert result.stderr.endswith("(FILMLOG_BACKUPS=0 turns them off)\n")
    assert titles(journal_path) == ["Her", "Arrival"]


def test_with_backups_off_undo_still_keeps_what_it_replaces(
    cli: Invoke, journal_path: Path, two: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FILMLOG_BACKUPS", "0")

    assert cli("undo", "--yes").exit_code == 0

    assert backups.list_backups(journal_path)[0].path.read_bytes() == two
    assert cli("undo", "--yes").exit_code == 0
    assert journal_path.read_bytes() == two


def test_a_backup_equal_to_the_journal_is_skipped(
    cli: Invoke, journal_path: Path, two: bytes
) -> None:
    # A kill between keeping a backup and the rename leaves a backup equal to the journal.
    assert backups.save(journal_path) is not None

    result = cli("undo", "--yes")

    assert result.exit_code == 0, result.stderr
    assert titles(journal_path) == ["Her"]


def test_a_damaged_newest_backup_is_refused(cli: Invoke, journal_path: Path, two: bytes) -> None:
    backups.list_backups(journal_path)[0].path.write_text("{")

    result = cli("undo", "--yes")

    assert result.exit_code == 1
    assert "is damaged (the file is not valid JSON" in result.stderr
    assert result.stderr.endswith("nothing was undone\n")
    assert journal_path.read_bytes() == two


def test_undo_refuses_if_the_journal_changed_after_the_plan(
    cli: Invoke, journal_path: Path, two: bytes
) -> None:
    journal = Journal(journal_path)
    plan = plan_undo(journal)
    assert cli("add", "Paterson").exit_code == 0
    changed = journal_path.read_bytes()

    with pytest.raises(FilmlogError, match="changed while you were deciding; nothing was undone"):
        undo(journal, plan)

    assert journal_path.read_bytes() == changed


def test_undo_refuses_when_the_current_version_cannot_be_kept(
    journal_path: Path, two: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal(journal_path)
    plan = plan_undo(journal)
    kept = [b.name for b in backups.list_backups(journal_path)]

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "link", full)
    monkeypatch.setattr(backups, "copy_file", full)
    with pytest.raises(StorageError, match=r"cannot keep the current .* nothing was undone"):
        undo(journal, plan)

    assert journal_path.read_bytes() == two
    assert [b.name for b in backups.list_backups(journal_path)] == kept


def test_a_failed_undo_write_takes_its_backup_back(
    journal_path: Path, two: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal(journal_path)
    plan = plan_undo(journal)
    kept = [b.name for b in backups.list_backups(journal_path)]

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(StorageError, match="No space left on device"):
        undo(journal, plan)

    assert journal_path.read_bytes() == two
    assert [b.name for b in backups.list_backups(journal_path)] == kept


def test_undo_after_the_journal_was_deleted_restores_it(
    cli: Invoke, journal_path: Path, two: bytes
) -> None:
    journal_path.unlink()

    result = cli("undo", "--yes")

    assert result.exit_code == 0, result.stderr
    assert titles(journal_path) == ["Her"]


def test_undo_shows_at_most_ten_of_each(cli: Invoke, journal_path: Path) -> None:
    assert cli("add", "first").exit_code == 0
    from filmlog.model import Review

    with Journal(journal_path).transaction() as session:
        session.add_many([Review(f"Film {n}") for n in range(25)])

    result = cli("undo", input="n\n")

    assert result.stderr.count("  remove  #") == 10
    assert "  remove  ... and 15 more" in result.stderr


def test_undo_in_a_real_process(
    run_filmlog: Callable[..., subprocess.CompletedProcess[str]], journal_path: Path
) -> None:
    assert run_filmlog("add", "Her").returncode == 0
    assert run_filmlog("add", "Arrival").returncode == 0

    result = run_filmlog("undo", input="y\n")

    assert result.returncode == 0, result.stderr
    assert "Undone: 1 removed" in result.stdout
    data: dict[str, Any] = json.loads(journal_path.read_text())
    assert list(data["reviews"]) == ["1"]
    assert data["_filmlog"]["1"]["next_id"] == 3
