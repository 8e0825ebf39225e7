"""Smaller promises: file offsets in errors, a strict lock timeout, idle rates write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmlog import backups
from filmlog.doctor import check
from filmlog.errors import CorruptJournal, InvalidInput
from filmlog.lock import lock_timeout
from filmlog.model import Review
from filmlog.storage import Journal


def journal_with_bodies(path: Path) -> Journal:
    journal = Journal(path)
    with journal.transaction() as session:
        session.add_many([Review("Ça été", body="é" * 500), Review("B", body="x" * 300)])
    return journal


def test_a_json_error_is_placed_at_its_byte_in_the_file(tmp_path: Path) -> None:
    journal = journal_with_bodies(tmp_path / "j.json")
    raw = journal.path.read_bytes()
    broken = raw.rindex(b'"rating":null') + len(b'"rating":')
    journal.path.write_bytes(raw[:broken] + raw[broken + len(b"null") :])
    line = raw[:broken].count(b"\n") + 1
    for read in (journal.browse, journal.reviews):
        with pytest.raises(CorruptJournal, match=f"at byte {broken:,}, line {line} column "):
            read()
    [problem] = check(journal).problems
    assert f"at byte {broken:,}" in problem


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "inf", "1e400"])
def test_a_bad_lock_timeout_is_an_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FILMLOG_LOCK_TIMEOUT", value)
    with pytest.raises(InvalidInput, match="FILMLOG_LOCK_TIMEOUT must be a number of seconds"):
        lock_timeout()


def test_a_bad_lock_timeout_stops_a_write(run_filmlog, journal_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_filmlog("add", "Her", env={"FILMLOG_LOCK_TIMEOUT": "abc"})
    assert result.returncode == 1
    assert result.stderr == (
        "Error: FILMLOG_LOCK_TIMEOUT must be a number of seconds (0 or more), not 'abc'\n"
    )
    assert not journal_path.exists()


def test_rating_with_the_current_value_writes_nothing(cli, journal_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("add", "Her", "--rating", "3.5").exit_code == 0
    before = journal_path.read_bytes()
    kept = backups.list_backups(journal_path)
    result = cli("rate", "1", "3.5")
    assert result.exit_code == 0
    assert result.stdout == "Rated #1 Her: ★★★½☆ already; nothing changed\n"
    assert journal_path.read_bytes() == before
    assert backups.list_backups(journal_path) == kept


def test_undo_skips_a_backup_that_differs_only_in_a_counter_since_raised(
    cli,
    journal_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    """A repair may raise the counter of the backup it restores; that backup is then no
    earlier version: undoing to it would change nothing and only fill the backups."""
    import json

    from filmlog.storage import serialise

    for title in ("Her", "Arrival", "Third"):
        assert cli("add", title).exit_code == 0
    # As a repair leaves it: the newest backup (Her and Arrival) restored, its counter raised.
    newest = backups.list_backups(journal_path)[0]
    data = json.loads(newest.path.read_text())
    data["_filmlog"]["1"]["next_id"] = 40
    journal_path.write_bytes(serialise(data))
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result.stderr
    assert [r["title"] for r in json.loads(cli("list", "--json").stdout)] == ["Her"]
    assert json.loads(journal_path.read_text())["_filmlog"]["1"]["next_id"] == 40
