"""IMDb exports beyond films: series and episodes, other languages, partial dates, watchlists,
and the same films arriving from Letterboxd and IMDb in either order."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from filmlog.model import Review
from filmlog.storage import Journal
from tests.conftest import Invoke

HEADER = (
    "Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,"
    "Runtime (mins),Year,Genres,Num Votes,Release Date,Directors"
)


def row(
    const: str, rating: int, rated: str, title: str, original: str, kind: str, *rest: str
) -> str:
    runtime, year, genres, released, directors = rest
    url = f"https://www.imdb.com/title/{const}/"
    cells = [const, str(rating), rated, title, original, url, kind, "7.5", runtime, year]
    cells += [f'"{genres}"', "1000", released, f'"{directors}"']
    return ",".join(cells)


# An Italian account's export, as IMDb writes it: titles in Italian, types translated,
# a byte-order mark and Windows line ends.
ITALIAN = [
    HEADER,
    row("tt0075686", 9, "2023-05-01", "Io e Annie", "Annie Hall", "Film", "93", "1977",
        "Commedia, Romance", "1977-04-20", "Woody Allen"),
    row("tt0108778", 8, "2023-05-02", "Friends", "Friends", "Serie TV", "22", "1994",
        "Commedia", "1994-09-22", ""),
    row("tt0795176", 9, "2023-05-03", "Pianeta Terra", "Planet Earth", "Miniserie TV", "538",
        "2006", "Documentario", "2006-03-05", ""),
    row("tt0583459", 7, "2023-05-04", "Quello con il pollice", "The One with the Thumb",
        "Episodio TV", "22", "1994", "Commedia", "1994-10-06", "James Burrows"),
    row("tt0102798", 6, "2023-05-05", "Robin Hood - Principe dei ladri",
        "Robin Hood: Prince of Thieves", "Film TV", "143", "1991", "Avventura", "1991-09",
        "Kevin Reynolds"),
    row("tt0084787", 8, "2023-05-06", "La cosa", "The Thing", "Video", "109", "1982",
        "Horror", "1982", "John Carpenter"),
    row("tt0116365", 7, "2023-05-07", "La notte prima", "The Night Before", "Cortometraggio",
        "12", "1996", "Corto", "", ""),
    row("tt1234567", 6, "2023-05-08", "Un gioco", "A Game", "Videogioco", "", "2010",
        "Azione", "2010-01-01", ""),
    row("tt7654321", 5, "2023-05-09", "Gala", "Gala", "Speciale TV", "90", "2015",
        "Musica", "2015-12-31", ""),
    row("tt2345678", 5, "2023-05-10", "Un podcast", "A Podcast", "Serie di podcast", "",
        "2020", "Talk-show", "2020-01-01", ""),
]  # fmt: skip


def write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([*lines, ""]).encode("utf-8"))
    return path


def reviews(journal_path: Path) -> list[Review]:
    return Journal(journal_path).reviews()


def test_films_are_imported_and_series_skipped_and_counted(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    result = cli("import", str(write(tmp_path / "ratings.csv", ITALIAN)))
    assert result.exit_code == 0, result.stdout + result.stderr
    titles = [r.title for r in reviews(journal_path)]
    assert titles == ["Io e Annie", "Robin Hood - Principe dei ladri", "La cosa", "La notte prima"]
    assert "Not imported: series, episodes, games and podcasts (--include-series)" in result.stdout
    counts = dict(re.findall(r"(?m)^\s*(\S.*?)\s{2,}([0-9]+)\s*$", result.stdout))
    assert counts["Not imported: series, episodes, games and podcasts (--include-series)"] == "6"
    assert counts["Imported"] == "4"
    assert counts["Rows read"] == "10"


def test_include_series_brings_them_in_marked(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    result = cli("import", "--include-series", str(write(tmp_path / "ratings.csv", ITALIAN)))
    assert result.exit_code == 0, result.stdout + result.stderr
    found = {r.original_title: r for r in reviews(journal_path)}
    assert len(found) == 10
    assert found["Friends"].tags == ["TV series"]
    assert found["Planet Earth"].tags == ["TV mini series"]
    assert found["The One with the Thumb"].tags == ["TV episode"]
    assert found["A Game"].tags == ["video game"]
    assert found["Gala"].tags == ["TV special"]
    assert found["A Podcast"].tags == ["podcast"]
    assert found["Annie Hall"].tags == []


def test_include_series_is_for_imdb_only(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "diary.csv"
    write(path, LETTERBOXD_DIARY)
    result = cli("import", "--include-series", str(path))
    assert result.exit_code == 2
    assert "--include-series" in result.stderr


def test_the_original_title_is_kept_searched_and_shown(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    assert cli("import", str(write(tmp_path / "ratings.csv", ITALIAN))).exit_code == 0
    annie = next(r for r in reviews(journal_path) if r.title == "Io e Annie")
    assert annie.original_title == "Annie Hall"
    assert annie.imdb_id == "tt0075686"
    found = cli("search", "annie hall")
    assert found.exit_code == 0
    assert "Io e Annie" in found.stdout
    shown = cli("show", str(annie.id))
    assert "Annie Hall" in shown.stdout
    # No second line for a film whose two titles are the same.
    (thing,) = [r for r in reviews(journal_path) if r.title == "La cosa"]
    assert cli("edit", str(thing.id), "--title", "The Thing").exit_code == 0
    assert "Original title" not in cli("show", str(thing.id)).stdout


def test_partial_release_dates_stay_partial(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    assert cli("import", str(write(tmp_path / "ratings.csv", ITALIAN))).exit_code == 0
    found = {r.original_title: r for r in reviews(journal_path)}
    robin, thing = found["Robin Hood: Prince of Thieves"], found["The Thing"]
    assert (robin.release_date, robin.release_precision) == (date(1991, 9, 1), "month")
    assert (thing.release_date, thing.release_precision) == (date(1982, 1, 1), "year")
    annie = found["Annie Hall"]
    assert (annie.release_date, annie.release_precision) == (date(1977, 4, 20), None)
    shown = cli("show", str(robin.id)).stdout
    assert "Released September 1991" in shown and "September 1," not in shown
    assert "Released 1982" in cli("show", str(thing.id)).stdout
    data = json.loads(cli("show", str(thing.id), "--json").stdout)
    data = data[0] if isinstance(data, list) else data
    assert (data["release_date"], data["release_precision"]) == ("1982-01-01", "year")


@pytest.mark.parametrize("name", ["WATCHLIST.csv", "ls012345678.csv"])
def test_a_watchlist_or_list_export_goes_into_the_watchlist(
    cli: Invoke, tmp_path: Path, name: str
) -> None:
    films = write(
        tmp_path / name,
        [
            "Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,"
            "IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,"
            "Your Rating,Date Rated",
            "1,tt0075686,2023-01-01,2023-01-01,,Io e Annie,Annie Hall,"
            "https://www.imdb.com/title/tt0075686/,Film,8.0,93,1977,Commedia,1,1977-04-20,"
            "Woody Allen,,",
        ],
    )
    result = cli("import", str(films))
    assert result.exit_code == 0, result.stderr
    assert "Watchlist: added" in result.stdout
    assert json.loads(cli("list", "--json").stdout) == []  # films to see, not reviews
    (film,) = json.loads(cli("watchlist", "--json").stdout)
    assert (film["title"], film["original_title"], film["imdb_id"]) == (
        "Io e Annie",
        "Annie Hall",
        "tt0075686",
    )


LETTERBOXD_DIARY = [
    "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date",
    # Rated the same day on both sites: one viewing.
    "2023-05-01,Annie Hall,1977,https://boxd.it/d1,4,,,2023-04-30",
    # Seen on Letterboxd a year before it was rated on IMDb: two records.
    "2022-05-06,The Thing,1982,https://boxd.it/d2,5,,,2022-05-06",
]
LETTERBOXD_WATCHED = [
    "Date,Name,Year,Letterboxd URI",
    # Marked watched (no date of viewing): the same film as the IMDb rating.
    "2021-01-01,Robin Hood: Prince of Thieves,1991,https://boxd.it/f3",
    "2021-01-01,Heat,1995,https://boxd.it/f4",
]


def letterboxd(folder: Path) -> Path:
    folder.mkdir()
    write(folder / "diary.csv", LETTERBOXD_DIARY)
    write(folder / "watched.csv", LETTERBOXD_WATCHED)
    return folder


def comparable(path: Path) -> list[dict[str, object]]:
    """Every review's fields, without what depends on when or in what order it was written."""
    found = []
    for review in Journal(path).reviews():
        data = review.to_dict()
        for key in ("uuid", "updated_at"):
            data.pop(key)
        found.append(data)
    return sorted(found, key=lambda d: json.dumps(d, sort_keys=True))


def test_letterboxd_then_imdb_equals_imdb_then_letterboxd(cli: Invoke, tmp_path: Path) -> None:
    lb = letterboxd(tmp_path / "lb")
    imdb = write(tmp_path / "ratings.csv", ITALIAN)
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    for journal, order in ((one, (lb, imdb)), (two, (imdb, lb))):
        for source in order:
            result = cli("--db", str(journal), "import", str(source))
            assert result.exit_code == 0, result.stdout + result.stderr
    assert comparable(one) == comparable(two)
    found = Journal(one).reviews()
    # Letterboxd's 4 films, IMDb's record of The Thing (rated on another day than it was
    # logged on Letterboxd), and the short Letterboxd lacks.
    assert len(found) == 6
    (annie,) = [r for r in found if r.original_title == "Annie Hall"]
    assert annie.title == "Annie Hall"  # Letterboxd's title and rating, IMDb's facts
    assert (annie.rating, annie.watched_on, annie.imdb_id) == (8, date(2023, 4, 30), "tt0075686")
    assert annie.genres == ["Commedia", "Romance"] and annie.runtime == 93
    assert set(annie.sources) >= {"letterboxd", "imdb"}
    robin = [r for r in found if r.original_title == "Robin Hood: Prince of Thieves"]
    assert len(robin) == 1 and robin[0].title == "Robin Hood: Prince of Thieves"
    things = sorted((r.watched_on is None, r.rating) for r in found if r.year == 1982)
    assert things == [(False, 10), (True, 8)]


def test_a_partial_release_date_typed_in_stays_partial(cli: Invoke, journal_path: Path) -> None:
    assert cli("add", "Delicatessen", "--released", "1991-04").exit_code == 0
    (review,) = reviews(journal_path)
    assert (review.release_date, review.release_precision) == (date(1991, 4, 1), "month")
    assert cli("edit", str(review.id), "--released", "1991-04-17").exit_code == 0
    (review,) = reviews(journal_path)
    assert (review.release_date, review.release_precision) == (date(1991, 4, 17), None)
