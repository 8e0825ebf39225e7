"""Importing IMDb ratings exports, whatever the header's letter case, order or age."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from filmlog.importers import detect
from filmlog.model import Review
from filmlog.storage import Journal
from tests.conftest import Invoke

DENVER = ZoneInfo("America/Denver")
DATA = Path(__file__).resolve().parent / "data" / "imdb"
HEADER = (
    "Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,"
    "Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
)


def imported(cli: Invoke, journal_path: Path, path: Path, *args: str) -> list[Review]:
    result = cli("import", *args, str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    return Journal(journal_path).reviews()


@pytest.mark.parametrize(
    "name",
    ["ratings.csv", "ratings-no-original-title.csv", "ratings-lowercase.csv"],
)
def test_every_header_variant_reads_the_same(cli: Invoke, journal_path: Path, name: str) -> None:
    assert detect(DATA / name) == "imdb"
    found = imported(cli, journal_path, DATA / name)
    assert [r.title for r in found] == ["Her", "Parasite", "Amélie", "The Matrix"]
    her = found[0]
    assert her.rating == 8
    assert her.year == 2013
    assert her.runtime == 126
    assert her.genres == ["Drama", "Romance", "Sci-Fi"]
    assert her.directors == ["Spike Jonze"]
    assert her.release_date == date(2013, 12, 18)
    assert her.sources == {"imdb": "tt1798709"}
    # Only the day is known: local midnight, in the zone conftest sets with TZ.
    assert her.logged_at == datetime(2024, 4, 13, tzinfo=DENVER)
    assert her.logged_zone == "America/Denver"
    assert her.watched_on is None
    assert found[1].rating == 10
    assert found[3].rating == 7
    assert found[3].directors == ["Lana Wachowski", "Lilly Wachowski"]


def test_the_legacy_latin1_export(cli: Invoke, journal_path: Path) -> None:
    path = DATA / "ratings-legacy-latin1.csv"
    assert detect(path) == "imdb"
    found = imported(cli, journal_path, path)
    assert [r.title for r in found] == ["Amélie", "Her"]
    assert found[0].rating == 9
    assert found[0].logged_at == datetime(2019, 6, 1, tzinfo=DENVER)
    assert found[0].genres == ["comedy", "romance"]
    assert found[1].sources == {"imdb": "tt1798709"}


def test_importing_again_or_another_layout_of_the_same_ratings_adds_nothing(
    cli: Invoke, journal_path: Path
) -> None:
    imported(cli, journal_path, DATA / "ratings.csv")
    before = journal_path.read_bytes()
    for name in ("ratings.csv", "ratings-lowercase.csv", "ratings-legacy-latin1.csv"):
        result = cli("import", str(DATA / name))
        assert result.exit_code == 0
        assert "Already present, skipped" in result.stdout
    assert journal_path.read_bytes() == before


def test_a_film_already_in_the_journal_is_not_added_again(cli: Invoke, journal_path: Path) -> None:
    assert cli("add", "parasite", "--year", "2019", "--rating", "5").exit_code == 0
    assert cli("add", "Le Fabuleux Destin d'Amélie Poulain", "--year", "2001").exit_code == 0
    found = imported(cli, journal_path, DATA / "ratings.csv")
    assert sorted(r.title for r in found) == [
        "Her",
        "Le Fabuleux Destin d'Amélie Poulain",
        "The Matrix",
        "parasite",
    ]


def test_bad_rows_are_rejected_and_the_rest_imported(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text(
        HEADER
        + "tt1,11,2024-01-01,Too High,,,,,,2000,,,,\n"
        + "tt2,8,2024-01-01,Fine,,,,,90,2000,Drama,,,\n"
        + ",8,2024-01-01,No Id,,,,,,2000,,,,\n"
        + "tt3,8,2024-01-01,Bad Year,,,,,,20XX,,,,\n"
        + "tt4,8,2024-01-01,Bad Runtime,,,,,long,2000,,,,\n"
        + "tt5,8,2024-01-01,No Runtime,,,,,0,,,,,\n",
        encoding="utf-8",
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "4 rows were rejected" in result.stderr
    for reason in ("invalid rating '11'", "Const", "invalid year '20XX'", "invalid runtime"):
        assert reason in result.stdout
    found = Journal(journal_path).reviews()
    assert [(r.title, r.runtime) for r in found] == [("Fine", 90), ("No Runtime", None)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Title,Your Rating\nHer,8\n", "no Const column"),
        ("Const,Title\ntt1,Her\n", "no Your Rating column"),
        ("", "is empty"),
    ],
)
def test_a_file_that_is_not_an_imdb_export(
    cli: Invoke, journal_path: Path, tmp_path: Path, content: str, message: str
) -> None:
    assert cli("add", "Her").exit_code == 0
    before = journal_path.read_bytes()
    path = tmp_path / "ratings.csv"
    path.write_text(content, encoding="utf-8")
    result = cli("import", "--format", "imdb", str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert journal_path.read_bytes() == before
