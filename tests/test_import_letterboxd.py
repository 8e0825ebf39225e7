"""Importing a real Letterboxd export: the folder, the ZIP, single files, and bad input."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from filmlog.importers._html import to_markdown
from filmlog.model import Review
from filmlog.parsing import parse_rating
from filmlog.storage import Journal
from tests.conftest import Invoke
from tests.factories import counts

SAMPLE = Path(__file__).resolve().parent / "data" / "letterboxd" / "sample"
URI = "Letterboxd URI"


def rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def reviews(journal_path: Path) -> list[Review]:
    return Journal(journal_path).reviews()


def run_import(cli: Invoke, *args: str) -> None:
    result = cli("import", *args)
    assert result.exit_code == 0, result.stdout + result.stderr


def midnight(text: str) -> datetime:
    day = date.fromisoformat(text)
    # Only the day is known: local midnight, in the zone conftest sets with TZ.
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("America/Denver"))


def by_entry(found: list[Review], row: dict[str, str]) -> list[Review]:
    """The reviews made from one diary or review row: by URI, or by its fields when it has none."""
    if row[URI]:
        return [r for r in found if r.sources.get("letterboxd") == row[URI]]
    watched = date.fromisoformat(row["Watched Date"]) if row["Watched Date"] else None
    year = int(row["Year"]) if row["Year"] else None
    return [
        r
        for r in found
        if r.title == row["Name"]
        and r.year == year
        and r.watched_on == watched
        and "letterboxd" not in r.sources
    ]


@pytest.fixture(scope="module")
def sample_rows() -> dict[str, list[dict[str, str]]]:
    return {name: rows(f"{name}.csv") for name in ("diary", "reviews", "ratings", "watched")}


def test_the_sample_gives_one_review_per_diary_row_with_its_fields(
    cli: Invoke, journal_path: Path, sample_rows: dict[str, list[dict[str, str]]]
) -> None:
    run_import(cli, str(SAMPLE))
    found = reviews(journal_path)
    diary = sample_rows["diary"]
    assert len(diary) == 2132
    assert len([r for r in found if r.watched_on is not None]) == len(diary)
    # A film rated only in ratings.csv has that rating on its latest diary entry.
    rated = {(row["Name"], row["Year"]) for row in diary if row["Rating"]}
    latest: dict[tuple[str, str], str] = {}
    for row in diary:
        film = row["Name"], row["Year"]
        if film not in rated and row["Watched Date"] > latest.get(film, ""):
            latest[film] = row["Watched Date"]
    film_ratings = {
        (row["Name"], row["Year"], latest[row["Name"], row["Year"]]): row["Rating"]
        for row in sample_rows["ratings"]
        if (row["Name"], row["Year"]) in latest
    }
    for row in diary:
        (review,) = by_entry(found, row)
        assert review.title == row["Name"]
        assert review.year == (int(row["Year"]) if row["Year"] else None)
        assert review.watched_on == date.fromisoformat(row["Watched Date"])
        assert review.logged_at == midnight(row["Date"])
        assert review.logged_zone == "America/Denver"
        rating = row["Rating"] or film_ratings.get(
            (row["Name"], row["Year"], row["Watched Date"]), ""
        )
        assert review.rating == (parse_rating(rating) if rating else None)
        assert review.rewatch is (row["Rewatch"] == "Yes")
        assert review.tags == [t for t in row["Tags"].split(", ") if t]
    assert Counter(r.rewatch for r in found)[True] == 142
    assert sorted(r.rating for r in found if r.rating) == [3, 10, 10, 10, 10, 10]


def test_every_review_is_attached_to_its_entry_as_markdown(
    cli: Invoke, journal_path: Path, sample_rows: dict[str, list[dict[str, str]]]
) -> None:
    run_import(cli, str(SAMPLE))
    found = reviews(journal_path)
    diary_uris = {row[URI] for row in sample_rows["diary"] if row[URI]}
    for row in sample_rows["reviews"]:
        (review,) = by_entry(found, row)
        assert review.body == to_markdown(row["Review"])
        assert review.body
        assert not re.search(r"</?(a|b|i|p|br|blockquote)\b", review.body)
        assert review.tags == [t for t in row["Tags"].split(", ") if t]
        assert review.rewatch is (row["Rewatch"] == "Yes")
        if row[URI] and row[URI] not in diary_uris:
            assert review.watched_on is None  # a review with no diary entry is undated
        else:
            assert review.watched_on == date.fromisoformat(row["Watched Date"])
    assert len([r for r in found if r.body]) == len(sample_rows["reviews"])


def test_review_html_becomes_markdown(cli: Invoke, journal_path: Path) -> None:
    run_import(cli, str(SAMPLE))
    bodies = {r.sources.get("letterboxd"): r.body or "" for r in reviews(journal_path)}
    burning = bodies["https://boxd.it/NqhSR"]
    assert burning.startswith(
        "I saw Lee Chang-dong's [Secret Sunshine](https://letterboxd.com/film/secret-sunshine/)"
        " from the Criterion Collection and loved it."
    )
    assert "\n\nA beautiful slow burn" in burning
    quoted = [body for body in bodies.values() if "Toototabon" in body]
    # Its lines stay lines (hard breaks), and its brackets are text.
    assert quoted == ["> \\[clucking\\]\\\n> \\[screams in monkey\\]\\\n> Toototabon!\n\nLove it."]
    assert any("**Signs this film is from the early 2000s:**" in b for b in bodies.values())
    assert any("*Also, I love Mary Elizabeth Winstead ❤️.*" in b for b in bodies.values())


def test_films_only_rated_or_marked_watched_become_one_undated_review_each(
    cli: Invoke, journal_path: Path, sample_rows: dict[str, list[dict[str, str]]]
) -> None:
    run_import(cli, str(SAMPLE))
    found = reviews(journal_path)

    def film(row: dict[str, str]) -> tuple[str, int | None]:
        return row["Name"], int(row["Year"]) if row["Year"] else None

    logged = {film(row) for row in sample_rows["diary"] + sample_rows["reviews"]}
    expected = {film(row) for row in sample_rows["watched"]} - logged
    undated = [r for r in found if r.watched_on is None and not r.body]
    assert Counter((r.title, r.year) for r in undated) == Counter(expected)
    for review in undated:
        assert review.sources["letterboxd"].startswith("https://boxd.it/")
    assert len(found) == len(sample_rows["diary"]) + 1 + len(expected)


def test_a_second_import_adds_nothing(cli: Invoke, journal_path: Path) -> None:
    run_import(cli, str(SAMPLE))
    before = journal_path.read_bytes()
    result = cli("import", str(SAMPLE))
    assert result.exit_code == 0
    assert counts(result.stdout) == {
        "Imported": 0,
        "Updated": 0,
        "Already present, skipped": 2659,
        "Rejected": 0,
        "Joined to another row of the same film": 2244,
        # 2,132 diary rows, 162 reviews, 5 ratings, 2,604 watched and 805 in the watchlist.
        "Rows read": 5708,
        "Watchlist: added": 0,
        "Watchlist: already on it, skipped": 776,
        "Watchlist: already logged, skipped": 29,
    }
    assert journal_path.read_bytes() == before


def test_the_zip_as_letterboxd_sends_it(cli: Invoke, journal_path: Path, tmp_path: Path) -> None:
    archive = tmp_path / "letterboxd-patrickmjones-2022-08-13-utc.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("diary.csv", "reviews.csv", "ratings.csv", "watched.csv", "watchlist.csv"):
            zf.write(SAMPLE / name, name)
        # Entries the member deleted must not come back.
        zf.writestr(
            "deleted/diary.csv",
            "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,"
            "Watched Date\n2020-01-01,Deleted Film,2000,https://boxd.it/gone,,,,2020-01-01\n",
        )
    run_import(cli, str(archive))
    found = reviews(journal_path)
    assert len(found) == 2659
    assert not [r for r in found if r.title == "Deleted Film"]
    folder = cli("import", str(SAMPLE))
    assert counts(folder.stdout)["Already present, skipped"] == 2659


def test_diary_then_reviews_separately_attaches_the_text(cli: Invoke, journal_path: Path) -> None:
    run_import(cli, str(SAMPLE / "diary.csv"))
    assert len(reviews(journal_path)) == 2132
    assert not [r for r in reviews(journal_path) if r.body]
    result = cli("import", str(SAMPLE / "reviews.csv"))
    assert result.exit_code == 0
    assert counts(result.stdout) == {
        "Imported": 1,
        "Updated": 161,
        "Already present, skipped": 0,
        "Rejected": 0,
        "Rows read": 162,
    }
    found = reviews(journal_path)
    assert len(found) == 2133  # the review with no diary entry is new
    assert len([r for r in found if r.body]) == 162


def test_a_lone_reviews_file_is_a_set_of_entries(cli: Invoke, journal_path: Path) -> None:
    run_import(cli, str(SAMPLE / "reviews.csv"))
    assert len(reviews(journal_path)) == 162
    run_import(cli, str(SAMPLE / "diary.csv"))
    assert len(reviews(journal_path)) == 2133


def test_a_watchlist_alone_is_refused_as_reviews(cli: Invoke, journal_path: Path) -> None:
    result = cli("import", str(SAMPLE / "watchlist.csv"), "--format", "letterboxd")
    assert result.exit_code == 1
    assert "watchlist" in result.stderr
    assert not journal_path.exists()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


DIARY_HEADER = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"


def test_a_bad_row_is_listed_and_the_rest_imported(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    diary = write(
        tmp_path / "diary.csv",
        DIARY_HEADER
        + "2024-01-02,Good One,2020,https://boxd.it/a,4,,,2024-01-01\n"
        + "2024-01-02,Bad Rating,2020,https://boxd.it/b,7,,,2024-01-01\n"
        + "2024-01-02,Bad Date,2020,https://boxd.it/c,,,,last week\n"
        + "2024-01-02,,2020,https://boxd.it/d,,,,2024-01-01\n"
        + '2024-01-02,Good Two,,https://boxd.it/e,0.5,Yes,"a, b",2024-01-01\n',
    )
    result = cli("import", str(diary))
    assert result.exit_code == 1
    assert "3 rows were rejected" in result.stderr
    assert "diary.csv line 3" in result.stdout and "Bad Rating" in result.stdout
    assert "diary.csv line 4" in result.stdout and "invalid watched date" in result.stdout
    assert "diary.csv line 5" in result.stdout and "the Name is empty" in result.stdout
    found = reviews(journal_path)
    assert [r.title for r in found] == ["Good One", "Good Two"]
    assert found[1].rating == 1 and found[1].rewatch and found[1].tags == ["a", "b"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Title,Stars\nHer,4\n", "cannot tell what kind of file"),
        (b"PK\x03\x04 this is not really a zip", "is not a readable ZIP file"),
        (DIARY_HEADER.encode() + b"2024-01-02,Caf\xe9,2020,u,,,,2024-01-01\n", "not UTF-8"),
        (b"", "cannot tell what kind of file"),
    ],
)
def test_a_malformed_file_is_one_clear_line_and_the_journal_is_untouched(
    cli: Invoke, journal_path: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    assert cli("add", "Her", "--rating", "4").exit_code == 0
    before = journal_path.read_bytes()
    bad = tmp_path / "diary.csv"
    bad.write_bytes(content)
    result = cli("import", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert journal_path.read_bytes() == before


def test_forcing_the_format_on_a_file_that_is_not_letterboxd(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    bad = write(tmp_path / "x.csv", "Title,Stars\nHer,4\n")
    result = cli("import", "--format", "letterboxd", str(bad))
    assert result.exit_code == 1
    assert "not a Letterboxd export file" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    folder = cli("import", "--format", "letterboxd", str(empty))
    assert folder.exit_code == 1
    assert "holds no Letterboxd files" in folder.stderr
    assert not journal_path.exists()


def test_a_missing_path(cli: Invoke, tmp_path: Path) -> None:
    result = cli("import", str(tmp_path / "nope.zip"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'nope.zip'} does not exist\n"


def test_dry_run_writes_nothing(cli: Invoke, journal_path: Path) -> None:
    result = cli("import", "--dry-run", str(SAMPLE))
    assert result.exit_code == 0
    assert "Dry run, nothing written" in result.stdout
    assert counts(result.stdout)["Would be imported"] == 2659
    assert not journal_path.exists()


def test_the_import_is_one_atomic_write(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import filmlog.storage

    writes: list[Path] = []
    real = filmlog.storage.atomic_write

    def counting(target: Path, payload: bytes, **kwargs: object) -> list[Path]:
        writes.append(target)
        return real(target, payload, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(filmlog.storage, "atomic_write", counting)
    run_import(cli, str(SAMPLE))
    assert len(writes) == 1


def test_a_failed_write_leaves_the_journal_as_it_was(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import filmlog.storage
    from filmlog.errors import StorageError

    assert cli("add", "Her").exit_code == 0
    before = journal_path.read_bytes()

    def failing(target: Path, payload: bytes, **kwargs: object) -> None:
        raise StorageError(f"cannot write journal {target}: No space left on device")

    monkeypatch.setattr(filmlog.storage, "atomic_write", failing)
    result = cli("import", str(SAMPLE))
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert journal_path.read_bytes() == before


def test_a_copy_of_the_folder_elsewhere_imports_the_same(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "Export"
    shutil.copytree(SAMPLE, copy)
    (copy / "diary.csv").rename(copy / "DIARY.CSV")
    run_import(cli, str(copy))
    assert len(reviews(journal_path)) == 2659


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("plain text\n\nsecond paragraph", "plain text\n\nsecond paragraph"),
        ("<i>it</i> and <em>em</em>", "*it* and *em*"),
        ("<b>bold</b> and <strong>strong</strong>", "**bold** and **strong**"),
        ("a<b> spaced </b>b", "a **spaced** b"),
        ('<a href="https://x.org/a">link</a>', "[link](https://x.org/a)"),
        ('<a href="https://x.org/a(b)">[x]</a>', "[\\[x\\]](<https://x.org/a(b)>)"),
        ('<a href="javascript:alert(1)">bad</a>', "bad"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("line<br>break<br/>again", "line\\\nbreak\\\nagain"),
        ("<blockquote>a\nb</blockquote>after", "> a\\\n> b\n\nafter"),
        ("<blockquote><p>p1</p><p>p2</p></blockquote>", "> p1\n>\n> p2"),
        ("Q&A &amp; R&amp;D, this&nothing", "Q&A & R&D, this&nothing"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "\\<script\\>alert(1)\\</script\\>"),
        ("I <3 this", "I \\<3 this"),
        ("<b>unclosed", "**unclosed**"),
        ("</i>stray", "stray"),
        ("<u>under</u><span>span</span>", "underspan"),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert to_markdown(html) == markdown


def test_without_a_known_zone_name_the_logged_day_is_still_local_midnight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from filmlog.importers import _tabular

    monkeypatch.setenv("TZ", "Not/AZone")
    _tabular.local_zone.cache_clear()
    _tabular.logged.cache_clear()
    try:
        assert _tabular.local_zone() is None
        moment, zone = _tabular.logged(date(2024, 1, 2))
        assert zone is None
        assert moment is not None and moment.tzinfo is not None
        assert (moment.year, moment.month, moment.day, moment.hour) == (2024, 1, 2, 0)
    finally:
        _tabular.local_zone.cache_clear()
        _tabular.logged.cache_clear()


def test_an_imported_review_edited_in_the_journal_is_still_recognised(
    cli: Invoke, journal_path: Path
) -> None:
    run_import(cli, str(SAMPLE / "diary.csv"))
    (first,) = [
        r for r in reviews(journal_path) if r.sources.get("letterboxd") == "https://boxd.it/1VoAHp"
    ]
    with Journal(journal_path).transaction() as session:
        session.update(first.copy(title="Soylent Green (VHS)", sources={}))
    before = journal_path.read_bytes()
    assert cli("import", str(SAMPLE / "diary.csv")).exit_code == 0
    assert journal_path.read_bytes() == before
