"""Deletions are remembered: a tombstone per deleted review, seen only by merges and JSON export."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from tinydb import TinyDB
from typer.testing import Result

from filmlog import tombstones
from filmlog.doctor import check_bytes
from filmlog.errors import CorruptJournal, InvalidInput
from filmlog.model import Review
from filmlog.storage import Journal

Invoke = Callable[..., Result]


@pytest.fixture
def deleted(cli: Invoke, journal_path: Path) -> dict[str, str]:
    """Her, Arrival and Heat added, Arrival deleted; returns Arrival's stored form."""
    for title in ("Her", "Arrival", "Heat"):
        assert cli("add", title, "--rating", "4", "--body", f"About {title}.").exit_code == 0
    arrival = Journal(journal_path).get(2).to_dict()
    assert cli("delete", "2", "--yes").exit_code == 0
    return arrival


def test_a_delete_leaves_a_tombstone_in_its_own_table(
    journal_path: Path, deleted: dict[str, str]
) -> None:
    tables = json.loads(journal_path.read_bytes())
    assert list(tables["tombstones"].values()) == [
        {"uuid": deleted["uuid"], "id": 2, "deleted_at": tables["tombstones"]["1"]["deleted_at"]}
    ]
    moment = datetime.fromisoformat(tables["tombstones"]["1"]["deleted_at"])
    assert moment.tzinfo is not None
    assert abs((datetime.now().astimezone() - moment).total_seconds()) < 600
    # Still a TinyDB file, tombstones included.
    with TinyDB(journal_path) as db:
        assert [doc["id"] for doc in db.table("tombstones").all()] == [2]
        assert sorted(doc["title"] for doc in db.table("reviews").all()) == ["Heat", "Her"]


def test_tombstones_are_invisible_to_reading_commands(cli: Invoke, deleted: dict[str, str]) -> None:
    for args in (
        ("list",),
        ("search", "Arrival"),
        ("stats",),
        ("export", "--format", "markdown"),
        ("export", "--format", "csv"),
        ("list", "--json"),
    ):
        result = cli(*args)
        assert result.exit_code in (0, 1), result.stderr
        assert "Arrival" not in result.stdout, args
        assert deleted["uuid"] not in result.stdout, args
    assert "Arrival" not in cli("show", "2").stdout


def test_the_json_export_carries_tombstones_and_the_id_counter(
    cli: Invoke, deleted: dict[str, str]
) -> None:
    result = cli("export", "--format", "json")

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [review["id"] for review in data["reviews"]] == [1, 3]
    assert data["next_id"] == 4
    assert [(t["uuid"], t["id"]) for t in data["tombstones"]] == [(deleted["uuid"], 2)]


def test_deleting_the_last_review_keeps_the_counter_above_it_in_the_export(
    cli: Invoke, deleted: dict[str, str]
) -> None:
    assert cli("delete", "3", "--yes").exit_code == 0
    data = json.loads(cli("export", "--format", "json").stdout)
    assert data["next_id"] == 4
    assert [t["id"] for t in data["tombstones"]] == [2, 3]


def test_undo_of_a_delete_removes_its_tombstone(
    cli: Invoke, journal_path: Path, deleted: dict[str, str]
) -> None:
    result = cli("undo", "--yes")

    assert result.exit_code == 0, result.stderr
    tables = json.loads(journal_path.read_bytes())
    assert tables.get("tombstones", {}) == {}
    assert Journal(journal_path).get(2).uuid == deleted["uuid"]


def test_adding_a_deleted_review_back_forgets_its_deletion(
    journal_path: Path, deleted: dict[str, str]
) -> None:
    journal = Journal(journal_path)
    with journal.transaction() as session:
        session.add(Review.from_dict(deleted))
    assert json.loads(journal_path.read_bytes())["tombstones"] == {}


def test_doctor_counts_tombstones(cli: Invoke, deleted: dict[str, str]) -> None:
    result = cli("doctor")

    assert result.exit_code == 0, result.stderr
    assert "  Deleted reviews remembered for merges: 1" in result.stdout.splitlines()


def _with_tombstones(journal_path: Path, table: object, next_id: int = 4) -> bytes:
    tables = json.loads(journal_path.read_bytes())
    tables["tombstones"] = table
    tables["_filmlog"]["1"]["next_id"] = next_id
    return json.dumps(tables).encode()


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"1": {"uuid": "u", "id": 2}}, "tombstone 1 is damaged (its deleted_at None is not"),
        ({"1": {"id": 2, "deleted_at": "2024-01-01T00:00:00+00:00"}}, "it has no uuid"),
        (
            {"1": {"uuid": "u", "id": 0, "deleted_at": "2024-01-01T00:00:00+00:00"}},
            "its id 0 is not a positive whole number",
        ),
        (
            {"1": {"uuid": "u", "id": 2, "deleted_at": "2024-01-01T00:00:00"}},
            "is not a time with a time zone",
        ),
        ([1, 2], "the tombstones table is not a table"),
        (
            {"1": {"uuid": "u", "id": 9, "deleted_at": "2024-01-01T00:00:00+00:00"}},
            "is not above the ID of deleted review 9",
        ),
    ],
)
def test_doctor_reports_damaged_tombstones(
    journal_path: Path, deleted: dict[str, str], table: object, problem: str
) -> None:
    report = check_bytes(_with_tombstones(journal_path, table), journal_path)

    assert not report.healthy
    assert any(problem in line for line in report.problems), report.problems


def test_doctor_warns_of_a_review_both_live_and_deleted(
    journal_path: Path, deleted: dict[str, str]
) -> None:
    her = Journal(journal_path).get(1)
    table = {"1": {"uuid": her.uuid, "id": 1, "deleted_at": "2024-01-01T00:00:00+00:00"}}

    report = check_bytes(_with_tombstones(journal_path, table), journal_path)

    assert report.healthy
    assert report.warnings == [
        "1 review both present and remembered as deleted (merges keep the review): "
        "tombstones of IDs 1"
    ]


def test_a_tombstones_table_that_is_not_a_table_is_refused_on_read(
    journal_path: Path, deleted: dict[str, str]
) -> None:
    journal_path.write_bytes(_with_tombstones(journal_path, ["x"]))

    with pytest.raises(CorruptJournal, match="damaged tombstones table"):
        Journal(journal_path).reviews()


def test_the_table_is_the_same_whatever_the_order() -> None:
    early = datetime.fromisoformat("2024-01-01T10:00:00+01:00")
    late = datetime.fromisoformat("2024-02-01T10:00:00+00:00")
    stones = [
        tombstones.Tombstone("b", 3, late),
        tombstones.Tombstone("a", 5, early),
        tombstones.Tombstone("b", 3, early),  # deleted on two machines: the first is kept
    ]

    table = tombstones.table(stones)

    assert table == tombstones.table(reversed(stones))
    assert table == {
        "1": {"uuid": "b", "id": 3, "deleted_at": "2024-01-01T10:00:00+01:00"},
        "2": {"uuid": "a", "id": 5, "deleted_at": "2024-01-01T10:00:00+01:00"},
    }
    assert tombstones.read({"tombstones": table})[0] == tombstones.Tombstone("b", 3, early)
    with pytest.raises(InvalidInput, match="not a record"):
        tombstones.Tombstone.from_dict("x")
