"""filmlog export: the Markdown document, JSON, spreadsheet-safe CSV and Letterboxd's CSV."""

from __future__ import annotations

import csv
import io
import json
import pkgutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import filmlog.exporters
from filmlog.exporters import FORMATS, exporter
from filmlog.exporters.csv_table import COLUMNS, neutralise
from filmlog.exporters.letterboxd import LIMIT
from filmlog.exporters.markdown import escape
from filmlog.model import CastMember, Review
from filmlog.storage import Journal
from tests.conftest import Invoke

MDT = timezone(timedelta(hours=-6))


def store(path: Path, *reviews: Review) -> list[Review]:
    with Journal(path).transaction() as session:
        return session.add_many(reviews)


def her() -> Review:
    return Review(
        title="Her",
        year=2013,
        release_date=date(2013, 12, 18),
        directors=["Spike Jonze"],
        cast=[CastMember("Joaquin Phoenix", "Theodore"), CastMember("Amy Adams")],
        genres=["Romance", "Sci-Fi"],
        mpaa="R",
        runtime=126,
        rating=8,
        verdict="Good",
        headline="A love story for the age of screens",
        body="Spike Jonze makes a *tender* film.\n\n> She is in the computer.\n",
        tags=["favourites"],
        liked=True,
        reviewer="Ana Reyes",
        watched_on=date(2024, 4, 12),
        logged_at=datetime(2024, 4, 13, 1, 21, tzinfo=MDT),
        logged_zone="America/Denver",
        updated_at=datetime(2024, 4, 13, 1, 21, tzinfo=MDT),
        sources={"imdb": "tt1798709"},
    )


def test_every_format_module_is_registered_and_every_registered_one_exists() -> None:
    modules = {
        info.name
        for info in pkgutil.iter_modules(filmlog.exporters.__path__)
        if not info.name.startswith("_")
    }
    assert modules == {f.module for f in FORMATS.values()}
    for name in FORMATS:
        assert callable(exporter(name))


def test_the_format_choices_come_from_the_registry(cli: Invoke) -> None:
    result = cli("export", "--help")
    for fmt in FORMATS.values():
        assert fmt.name in result.stdout
    bad = cli("export", "--format", "pdf")
    assert bad.exit_code == 2
    assert "pdf" in bad.stderr


# ---------------------------------------------------------------------------
# Markdown document


def test_markdown_document_shows_the_panel_facts_and_the_body(
    cli: Invoke, journal_path: Path
) -> None:
    store(journal_path, her())
    result = cli("export")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "# Her (2013)\n"
        "\n"
        "**A love story for the age of screens**\n"
        "\n"
        "*By Ana Reyes · April 13, 2024 · 1:21 AM MDT*\n"
        "\n"
        "Romance, Sci-Fi | Rated R | 2 hr 6 min | Released December 18, 2013\n"
        "\n"
        "Directed by Spike Jonze\\\n"
        "Starring Joaquin Phoenix (Theodore), Amy Adams\n"
        "\n"
        "**Good** · ★★★★☆\n"
        "\n"
        "Watched April 12, 2024 · ♥ liked\n"
        "\n"
        "Tags: favourites\n"
        "\n"
        "Spike Jonze makes a *tender* film.\n"
        "\n"
        "> She is in the computer.\n"
    )
    assert result.stderr == ""


def test_markdown_document_is_in_watched_order_with_undated_last(
    cli: Invoke, journal_path: Path
) -> None:
    store(
        journal_path,
        Review(title="Later", watched_on=date(2024, 5, 1)),
        Review(title="Undated"),
        Review(title="Earlier", watched_on=date(2023, 1, 1)),
    )
    headings = [line for line in cli("export").stdout.splitlines() if line.startswith("# ")]
    assert headings == ["# Earlier", "# Later", "# Undated"]


def test_markdown_facts_are_escaped_so_a_title_cannot_become_markup(
    cli: Invoke, journal_path: Path
) -> None:
    store(
        journal_path,
        Review(
            title="<script>alert(1)</script> [x](javascript:y) *bold*\n# heading",
            genres=["- list"],
            tags=["&amp;"],
        ),
    )
    text = cli("export").stdout
    assert "<script>" not in text
    assert "\\<script\\>" in text
    assert "\\[x\\](javascript:y)" in text
    assert "\\*bold\\*" in text
    assert "\n# heading" not in text  # the newline in the title became a space
    assert "\n\\- list" in text
    assert "Tags: \\&amp;" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Her", "Her"),
        ("1. First", "1\\. First"),
        ("#1 Fan", "\\#1 Fan"),
        ("> quoted", "\\> quoted"),
        ("a_b*c`d", "a\\_b\\*c\\`d"),
        ("two\nlines", "two lines"),
        # A pipe would end a table cell; a terminal escape is shown, never sent.
        ("a | b", "a \\| b"),
        ("\x1b[31mred", "\u241b\\[31mred"),
        ("Fast & Furious &amp;", "Fast & Furious \\&amp;"),
    ],
)
def test_escape(text: str, expected: str) -> None:
    assert escape(text) == expected


def test_markdown_to_a_file_and_filters_like_search(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    store(
        journal_path,
        her(),
        Review(title="Alien", genres=["Horror"], rating=9, watched_on=date(2024, 1, 1)),
    )
    target = tmp_path / "out" / "horror.md"
    result = cli("export", "--genre", "horror", "--min-rating", "4", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Exported 1 review to" in result.stderr
    assert target.read_text(encoding="utf-8").startswith("# Alien\n")
    assert "Her" not in target.read_text(encoding="utf-8")
    words = cli("export", "tender")
    assert words.stdout.startswith("# Her (2013)")
    assert "Alien" not in words.stdout


def test_output_file_is_not_replaced_without_force(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    store(journal_path, her())
    target = tmp_path / "reviews.md"
    target.write_text("precious", encoding="utf-8")
    result = cli("export", "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "precious"
    forced = cli("export", "--output", str(target), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert target.read_text(encoding="utf-8").startswith("# Her (2013)")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_force_replaces_a_symlink_and_never_writes_through_it(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    store(journal_path, her())
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "out.md"
    link.symlink_to(victim)
    refused = cli("export", "-o", str(link))
    assert refused.exit_code == 1
    assert cli("export", "-o", str(link), "--force").exit_code == 0
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not link.is_symlink()
    assert link.read_text(encoding="utf-8").startswith("# Her")


def test_usage_errors(cli: Invoke, tmp_path: Path) -> None:
    both = cli("export", "-o", str(tmp_path / "a"), "--split", str(tmp_path / "b"))
    assert both.exit_code == 2
    assert "not both" in both.stderr
    csv_split = cli("export", "--format", "csv", "--split", str(tmp_path / "b"))
    assert csv_split.exit_code == 2
    assert "--split works with --format markdown" in csv_split.stderr
    assert not (tmp_path / "b").exists()


def test_export_of_an_empty_journal_is_an_empty_document(cli: Invoke) -> None:
    result = cli("export")
    assert result.exit_code == 0
    assert result.stdout == ""
    dump = cli("export", "--format", "json")
    assert json.loads(dump.stdout)["reviews"] == []


# ---------------------------------------------------------------------------
# JSON


def test_json_is_a_versioned_complete_dump(cli: Invoke, journal_path: Path) -> None:
    stored = store(journal_path, her(), Review(title="Alien"))
    data = json.loads(cli("export", "--format", "json").stdout)
    assert data["format"] == "filmlog-export"
    assert data["version"] == 1
    assert data["filmlog"] == filmlog.__version__
    assert data["reviews"] == [{"id": r.id, **r.to_dict()} for r in stored]
    assert data["reviews"][0]["sources"] == {"imdb": "tt1798709"}
    assert data["reviews"][0]["logged_zone"] == "America/Denver"


# ---------------------------------------------------------------------------
# CSV


def parse_csv(text: str) -> list[dict[str, str]]:
    csv.field_size_limit(max(csv.field_size_limit(), 2 * LIMIT))  # reviews can exceed 128 KiB
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_every_field(cli: Invoke, journal_path: Path) -> None:
    store(journal_path, her())
    result = cli("export", "--format", "csv")
    assert result.stdout.startswith('"id","uuid","tmdb_id","imdb_id","title"')
    (row,) = parse_csv(result.stdout)
    assert list(row) == list(COLUMNS)
    assert row["title"] == "Her"
    assert row["rating"] == "4"
    assert row["half_stars"] == "8"
    assert row["cast"] == "Joaquin Phoenix as Theodore; Amy Adams"
    assert row["genres"] == "Romance; Sci-Fi"
    assert row["body"] == her().body
    assert row["liked"] == "true"
    assert row["rewatch"] == "false"
    assert row["logged_at"] == "2024-04-13T01:21:00-06:00"
    assert row["sources"] == "imdb=tt1798709"


@pytest.mark.parametrize(
    "hostile",
    [
        '=HYPERLINK("http://evil","click")',
        "+1+2",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+2",
        "\r=1+2",
        "  =1+2",
        "\uff1d1+2",
    ],
)
def test_csv_neutralises_formulas_in_every_text_cell(
    cli: Invoke, journal_path: Path, hostile: str
) -> None:
    store(
        journal_path,
        Review(
            title=hostile,
            original_title=hostile,
            verdict=hostile,
            body=hostile,
            tags=[hostile],
            directors=[hostile],
            cast=[CastMember(hostile)],
            reviewer=hostile,
        ),
    )
    (row,) = parse_csv(cli("export", "--format", "csv").stdout)
    for column in (
        "title",
        "original_title",
        "verdict",
        "body",
        "tags",
        "directors",
        "cast",
        "reviewer",
    ):
        assert row[column] == "'" + hostile, column


def test_csv_leaves_harmless_cells_alone() -> None:
    assert neutralise("Her") == "Her"
    assert neutralise("3.5") == "3.5"
    assert neutralise("") == ""
    assert neutralise("a = b") == "a = b"
    assert neutralise("-") == "'-"


# ---------------------------------------------------------------------------
# Letterboxd


def test_letterboxd_columns_and_values(cli: Invoke, journal_path: Path) -> None:
    review = her()
    review.rating = 7
    review.rewatch = True
    review.tags = ["favourites", "on, tv"]
    store(journal_path, review)
    result = cli("export", "--format", "letterboxd")
    rows = parse_csv(result.stdout)
    assert list(rows[0]) == [
        "LetterboxdURI",
        "imdbID",
        "tmdbID",
        "Title",
        "Year",
        "Directors",
        "Rating",
        "WatchedDate",
        "Rewatch",
        "Tags",
        "Review",
    ]
    assert rows == [
        {
            "LetterboxdURI": "",
            "imdbID": "",
            "tmdbID": "",
            "Title": "Her",
            "Year": "2013",
            "Directors": "Spike Jonze",
            "Rating": "3.5",
            "WatchedDate": "2024-04-12",
            "Rewatch": "true",
            "Tags": "favourites, on  tv",
            # The Markdown body goes out in Letterboxd's HTML.
            "Review": "Spike Jonze makes a <i>tender</i> film.\n\n"
            "<blockquote>She is in the computer.</blockquote>",
        }
    ]


def big_reviews(count: int, size: int) -> list[Review]:
    return [
        Review(
            title=f"Film {n}",
            year=2000,
            watched_on=date(2020, 1, 1) + timedelta(days=n),
            body=f"{n}: " + "é" * size,
        )
        for n in range(count)
    ]


HEADER = (
    b"LetterboxdURI,imdbID,tmdbID,Title,Year,Directors,Rating,WatchedDate,Rewatch,Tags,Review\r\n"
)


def test_letterboxd_splits_into_parts_under_one_megabyte_with_the_header_each_time() -> None:
    reviews = big_reviews(60, 40_000)  # about 4.8 MB of text, é being two bytes
    for n, review in enumerate(reviews, 1):
        review.id = n
    parts = exporter("letterboxd")(reviews)
    assert len(parts) >= 5
    assert [p.name for p in parts] == [f"letterboxd-{n}.csv" for n in range(1, len(parts) + 1)]
    titles: list[str] = []
    for part in parts:
        assert len(part.data) < LIMIT
        assert part.data.startswith(HEADER)
        rows = parse_csv(part.data.decode("utf-8"))
        assert rows, "no part is only a header"
        titles.extend(row["Title"] for row in rows)
    assert titles == [r.title for r in reviews]


def test_letterboxd_keeps_a_review_longer_than_the_limit_whole_in_its_own_part() -> None:
    reviews = big_reviews(3, 10)
    reviews[1].body = "x" * (LIMIT + 10)
    parts = exporter("letterboxd")(reviews)
    assert len(parts) == 3
    assert parse_csv(parts[1].data.decode())[0]["Review"] == reviews[1].body


def test_letterboxd_parts_need_an_output_file(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    store(journal_path, *big_reviews(40, 40_000))
    refused = cli("export", "--format", "letterboxd")
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert "--output" in refused.stderr
    result = cli("export", "--format", "letterboxd", "--output", str(tmp_path / "lb.csv"))
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("lb"))
    assert names == ["lb-1.csv", "lb-2.csv", "lb-3.csv", "lb-4.csv"]
    assert all(p.stat().st_size < LIMIT for p in tmp_path.glob("lb-*.csv"))
    rows = [row for p in tmp_path.glob("lb-*.csv") for row in parse_csv(p.read_text("utf-8"))]
    assert len(rows) == 40


def test_stdout_on_a_terminal_shows_escapes_instead_of_sending_them(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmlog.cli import transfer

    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    transfer._to_stdout(b"Her \x1b[31mred\x1b[0m\n")
    assert capsys.readouterr().out == "Her ␛[31mred␛[0m\n"
