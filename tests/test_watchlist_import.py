"""Watchlists brought in from Letterboxd, IMDb and filmlog JSON, and carried out again."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import Result

from filmlog import watchlist
from filmlog.importers import detect
from filmlog.storage import Journal
from tests.factories import counts

Invoke = Callable[..., Result]

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "letterboxd" / "sample"
IMDB = DATA / "imdb" / "watchlist.csv"


def films(path: Path) -> list[watchlist.Entry]:
    return watchlist.entries(Journal(path).load(), path)


def sample_rows() -> list[dict[str, str]]:
    with (SAMPLE / "watchlist.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_lone_letterboxd_watchlist_goes_on_the_watchlist(cli: Invoke, journal_path: Path) -> None:
    rows = sample_rows()
    assert detect(SAMPLE / "watchlist.csv") == "watchlist"

    result = cli("import", str(SAMPLE / "watchlist.csv"))

    assert result.exit_code == 0, result.stderr
    assert counts(result.stdout)["Watchlist: added"] == len(rows) == 805
    found = films(journal_path)
    assert [(f.title, f.year, f.sources["letterboxd"]) for f in found] == [
        (row["Name"], int(row["Year"]) if row["Year"] else None, row["Letterboxd URI"])
        for row in rows
    ]
    first = found[0]
    assert first.added_at == datetime(2019, 5, 21, tzinfo=ZoneInfo("America/Denver"))
    assert Journal(journal_path).reviews() == []


def test_importing_the_sample_again_changes_nothing(cli: Invoke, journal_path: Path) -> None:
    assert cli("import", str(SAMPLE / "watchlist.csv")).exit_code == 0
    before = journal_path.read_bytes()

    result = cli("import", str(SAMPLE / "watchlist.csv"))

    assert result.exit_code == 0
    assert counts(result.stdout) == {
        "Imported": 0,
        "Updated": 0,
        "Already present, skipped": 0,
        "Rejected": 0,
        "Watchlist: added": 0,
        "Watchlist: already on it, skipped": 805,
    }
    assert journal_path.read_bytes() == before


def test_a_film_taken_off_stays_off_when_imported_again(cli: Invoke, journal_path: Path) -> None:
    assert cli("import", str(SAMPLE / "watchlist.csv")).exit_code == 0
    assert cli("watchlist", "remove", "3").exit_code == 0

    result = cli("import", str(SAMPLE / "watchlist.csv"))

    assert counts(result.stdout)["Watchlist: taken off before, skipped"] == 1
    assert 3 not in [film.id for film in films(journal_path)]


def test_a_whole_export_logs_films_first_and_leaves_them_off_the_watchlist(
    cli: Invoke, journal_path: Path
) -> None:
    rows = sample_rows()

    result = cli("import", str(SAMPLE))

    assert result.exit_code == 0, result.stderr
    found = counts(result.stdout)
    assert found["Imported"] == 2659
    assert found["Watchlist: added"] + found["Watchlist: already logged, skipped"] == len(rows)
    reviews = Journal(journal_path).reviews()
    on_list = films(journal_path)
    assert len(on_list) == found["Watchlist: added"]
    # Not one film both logged and still to see.
    for film in on_list:
        assert not any(watchlist.same_film(film, review) for review in reviews)
    # Logged: the same name and year, or the same name where the watchlist has no year
    # (the sample has one: "Save the Green Planet!").
    logged = {(r.title, str(r.year)) for r in reviews} | {(r.title, "") for r in reviews}
    skipped = [row for row in rows if (row["Name"], row["Year"]) in logged]
    assert found["Watchlist: already logged, skipped"] == len(skipped) == 29


def test_an_export_zip_brings_its_top_level_watchlist(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "letterboxd-export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(SAMPLE / "diary.csv", "diary.csv")
        zipped.write(SAMPLE / "watchlist.csv", "watchlist.csv")
        zipped.writestr("deleted/watchlist.csv", "Date,Name,Year,Letterboxd URI\n")
        zipped.writestr("lists/watchlist.csv", "Date,Name,Year,Letterboxd URI\n")

    result = cli("import", str(archive))
    again = cli("import", str(archive))

    assert result.exit_code == 0, result.stderr
    first = counts(result.stdout)
    assert first["Watchlist: added"] + first["Watchlist: already logged, skipped"] == 805
    assert counts(again.stdout)["Watchlist: added"] == 0


def test_a_folder_holding_only_a_watchlist_is_a_watchlist(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(SAMPLE / "watchlist.csv", folder / "watchlist.csv")

    result = cli("import", str(folder))

    assert result.exit_code == 0, result.stderr
    assert "(watchlist)" in result.stdout
    assert len(films(journal_path)) == 805


def test_a_dry_run_counts_and_writes_nothing(cli: Invoke, journal_path: Path) -> None:
    assert cli("add", "Bone", "--year", "1972").exit_code == 0
    before = journal_path.read_bytes()

    result = cli("import", str(SAMPLE / "watchlist.csv"), "--dry-run")

    assert result.exit_code == 0
    assert counts(result.stdout)["Watchlist: would be added"] == 804
    assert counts(result.stdout)["Watchlist: already logged, skipped"] == 1
    assert journal_path.read_bytes() == before


def test_rejected_watchlist_rows_are_listed_and_the_rest_imported(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "watchlist.csv"
    bad.write_text(
        "Date,Name,Year,Letterboxd URI\n"
        "2024-01-01,Paterson,2016,https://boxd.it/bvRi\n"
        "2024-01-02,,2020,https://boxd.it/x\n"
        "2024-01-03,Old,12,https://boxd.it/y\n",
        encoding="utf-8",
    )

    result = cli("import", str(bad))

    assert result.exit_code == 1
    assert "watchlist.csv line 3" in result.stdout and "the Name is empty" in result.stdout
    assert "invalid year '12'" in result.stdout
    assert result.stderr == (
        "Error: 2 rows were rejected (listed above); the others were imported\n"
    )
    assert [film.title for film in films(journal_path)] == ["Paterson"]


def test_an_imdb_watchlist(cli: Invoke, journal_path: Path) -> None:
    assert detect(IMDB) == "watchlist"
    assert cli("add", "Her", "--year", "2013").exit_code == 0

    result = cli("import", str(IMDB))

    assert result.exit_code == 1  # the person's row
    found = counts(result.stdout)
    assert (found["Watchlist: added"], found["Watchlist: already logged, skipped"]) == (3, 1)
    assert "invalid Const 'nm0000001'" in result.stdout
    solaris, hot, budapest = films(journal_path)
    assert (solaris.title, solaris.original_title, solaris.year, solaris.runtime) == (
        "Solaris", "Solyaris", 1972, 167,
    )  # fmt: skip
    assert solaris.imdb_id == "tt0069293" and solaris.sources == {"imdb": "tt0069293"}
    assert solaris.genres == ["Drama", "Mystery", "Sci-Fi"]
    assert solaris.directors == ["Andrei Tarkovsky"]
    assert solaris.added_at == datetime(2024, 3, 2, tzinfo=ZoneInfo("America/Denver"))
    assert hot.note == "Ana says it is the funniest film ever made"
    assert hot.original_title is None
    assert budapest.runtime == 99
    again = cli("import", str(IMDB))
    assert counts(again.stdout)["Watchlist: already on it, skipped"] == 3


def test_importing_reviews_crosses_their_films_off(cli: Invoke, journal_path: Path) -> None:
    assert cli("watchlist", "add", "Her", "--year", "2013").exit_code == 0
    assert cli("watchlist", "add", "Paterson").exit_code == 0

    result = cli("import", str(DATA / "imdb" / "ratings.csv"))

    assert result.exit_code == 0, result.stderr
    assert counts(result.stdout)["Watchlist: crossed off (logged by the import)"] == 1
    assert [film.title for film in films(journal_path)] == ["Paterson"]


# filmlog's own JSON: a restore carries the watchlist --------------------------------------


@pytest.fixture
def exported(cli: Invoke, journal_path: Path, tmp_path: Path) -> Path:
    """A JSON export of a journal with a review and a watchlist with a gap and a tombstone."""
    assert cli("add", "Her", "--year", "2013").exit_code == 0
    for title in ("Paterson", "Solaris", "Columbus"):
        assert cli("watchlist", "add", title, "--tag", "to-see").exit_code == 0
    assert cli("watchlist", "remove", "2").exit_code == 0
    target = tmp_path / "filmlog.json"
    assert cli("export", "--format", "json", "--output", str(target)).exit_code == 0
    return target


def test_the_json_export_holds_the_watchlist(exported: Path) -> None:
    data = json.loads(exported.read_bytes())

    assert [tuple(film) for film in data["watchlist"]] == [watchlist.JSON_KEYS] * 2
    assert [(film["id"], film["title"]) for film in data["watchlist"]] == [
        (1, "Paterson"),
        (3, "Columbus"),
    ]
    assert [(stone["id"], set(stone)) for stone in data["watchlist_tombstones"]] == [
        (2, {"uuid", "id", "removed_at"})
    ]
    assert data["watchlist_next_id"] == 4
    assert [review["title"] for review in data["reviews"]] == ["Her"]


def test_a_restore_brings_back_ids_tombstones_and_counter(
    cli: Invoke, exported: Path, tmp_path: Path
) -> None:
    original = exported.parent / "journal.json"
    fresh = tmp_path / "fresh.json"

    result = cli("--db", str(fresh), "import", str(exported))

    assert result.exit_code == 0, result.stderr
    assert counts(result.stdout)["Watchlist: added"] == 2
    assert [f.to_dict() for f in films(fresh)] == [f.to_dict() for f in films(original)]
    assert [f.id for f in films(fresh)] == [1, 3]
    restored = Journal(fresh).load()
    assert watchlist.tombstones(restored, fresh) == watchlist.tombstones(
        Journal(original).load(), original
    )
    added = cli("--db", str(fresh), "watchlist", "add", "Arrival")
    assert added.stdout == "Added to the watchlist: #4 Arrival\n"
    # Importing it again changes nothing.
    before = fresh.read_bytes()
    assert cli("--db", str(fresh), "import", str(exported)).exit_code == 0
    assert fresh.read_bytes() == before


def test_an_export_with_a_watchlist_is_read_once(
    cli: Invoke, exported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its reviews and its watchlist come from one read and one parse of the file."""
    from filmlog import importers
    from filmlog.importers import filmlog_json
    from filmlog.importers import watchlist as watchlist_reader

    reads: list[Path] = []
    real = importers.read_bytes

    def counted(path: Path, *args: Any, **kwargs: Any) -> bytes:
        reads.append(path)
        return real(path, *args, **kwargs)

    for module in (importers, filmlog_json, watchlist_reader):
        monkeypatch.setattr(module, "read_bytes", counted)
    fresh = tmp_path / "fresh.json"

    result = cli("--db", str(fresh), "import", str(exported))

    assert result.exit_code == 0, result.stderr
    assert counts(result.stdout)["Watchlist: added"] == 2
    assert reads == [exported]


def test_a_removal_on_the_other_machine_is_carried_by_its_export(
    cli: Invoke, exported: Path, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.json"
    assert cli("--db", str(fresh), "import", str(exported)).exit_code == 0
    assert cli("watchlist", "remove", "3").exit_code == 0  # on the first machine
    again = tmp_path / "again.json"
    assert cli("export", "--format", "json", "--output", str(again)).exit_code == 0

    result = cli("--db", str(fresh), "import", str(again))

    assert counts(result.stdout)["Watchlist: taken off (removed in the import)"] == 1
    assert [f.id for f in films(fresh)] == [1]


def test_another_machines_journal_file_carries_its_watchlist(
    cli: Invoke, exported: Path, tmp_path: Path
) -> None:
    original = exported.parent / "journal.json"
    fresh = tmp_path / "fresh.json"

    result = cli("--db", str(fresh), "import", str(original))

    assert result.exit_code == 0, result.stderr
    assert [f.to_dict() for f in films(fresh)] == [f.to_dict() for f in films(original)]


def test_a_restore_into_a_journal_with_its_own_watchlist_never_reuses_ids(
    cli: Invoke, exported: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    for title in ("Arrival", "Tampopo", "Ran", "Ikiru"):
        assert cli("--db", str(other), "watchlist", "add", title).exit_code == 0

    assert cli("--db", str(other), "import", str(exported)).exit_code == 0

    ids = [f.id for f in films(other)]
    assert ids == [1, 2, 3, 4, 5, 6]
    assert [f.title for f in films(other)][4:] == ["Paterson", "Columbus"]


def test_an_export_with_an_empty_watchlist_brings_none(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    from filmlog.importers.watchlist import films

    assert cli("add", "Her").exit_code == 0
    target = tmp_path / "filmlog.json"
    assert cli("export", "--format", "json", "--output", str(target)).exit_code == 0
    assert b'"watchlist": []' in target.read_bytes()

    assert films(target, "json") is None  # no second parse of the file
    assert cli("watchlist", "add", "Paterson").exit_code == 0
    target.unlink()
    assert cli("export", "--format", "json", "--output", str(target)).exit_code == 0
    found = films(target, "json")
    assert found is not None and [film.title for film in found.entries] == ["Paterson"]
