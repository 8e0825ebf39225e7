"""The Letterboxd export: what Letterboxd's importer reads, and what filmlog reads back.

The round trip Letterboxd -> filmlog -> Letterboxd -> filmlog is checked with
exports drawn by hypothesis: hostile names and tags, reviews in Letterboxd's
HTML with Markdown characters, line breaks and quotes.
"""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filmlog.exporters.letterboxd import COLUMNS, review_html
from filmlog.model import Review
from filmlog.storage import Journal
from tests.conftest import Invoke

SAMPLE = Path(__file__).resolve().parent / "data" / "letterboxd" / "sample"


def rows_of(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data, newline="")))


def test_the_columns_letterboxd_reads_best(cli: Invoke, journal_path: Path) -> None:
    review = Review(
        title="Her",
        year=2013,
        directors=["Spike Jonze"],
        rating=9,
        watched_on=date(2024, 4, 12),
        rewatch=True,
        tags=["sad", "sci-fi"],
        body="A *quiet* film about **love**.\n\n> I've never loved anyone\\\nthe way I loved you.",
        imdb_id="tt1798709",
        tmdb_id=152601,
        sources={"letterboxd": "https://boxd.it/a1"},
    )
    with Journal(journal_path).transaction() as session:
        session.add_many([review])
    result = cli("export", "--format", "letterboxd")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == ",".join(COLUMNS)
    (row,) = rows_of(result.stdout)
    assert row == {
        "LetterboxdURI": "https://boxd.it/a1",
        "imdbID": "tt1798709",
        "tmdbID": "152601",
        "Title": "Her",
        "Year": "2013",
        "Directors": "Spike Jonze",
        "Rating": "4.5",
        "WatchedDate": "2024-04-12",
        "Rewatch": "true",
        "Tags": "sad, sci-fi",
        "Review": "A <i>quiet</i> film about <b>love</b>.\n\n"
        "<blockquote>I've never loved anyone\nthe way I loved you.</blockquote>",
    }


def test_markdown_becomes_letterboxd_html_and_nothing_else() -> None:
    assert review_html("*i* _i_ **b** __b__") == "<i>i</i> <i>i</i> <b>b</b> <b>b</b>"
    assert review_html("[site](https://x.org/a?b=1&c=2)") == (
        '<a href="https://x.org/a?b=1&amp;c=2">site</a>'
    )
    assert review_html("one\ntwo\\\nthree\n\nfour") == "one\ntwo\nthree\n\nfour"
    # What Letterboxd does not show is text: headings, lists, code, raw HTML, scripts.
    assert review_html("# Head\n\n- item\n\n`code`") == "# Head\n\n- item\n\n`code`"
    assert review_html("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert review_html("[x](javascript:alert(1))") == "[x](javascript:alert(1))"
    assert review_html('<a href="https://x.org">x</a>') == (
        "&lt;a href=&quot;https://x.org&quot;&gt;x&lt;/a&gt;"
    )
    assert review_html("") == ""


def test_filmlog_reads_its_own_letterboxd_export(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    assert cli("import", str(SAMPLE)).exit_code == 0
    out = tmp_path / "letterboxd.csv"
    assert cli("export", "--format", "letterboxd", "-o", str(out)).exit_code == 0
    again = tmp_path / "again.json"
    result = cli("--db", str(again), "import", str(out))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "(letterboxd)" in result.stdout

    def key(review: Review) -> object:
        # Rows without a URI are known by their film and date (the logged date is not carried).
        return review.sources.get("letterboxd") or (review.title, review.year, review.watched_on)

    before = {key(r): r for r in Journal(journal_path).reviews()}
    after = Journal(again).reviews()
    assert len(after) == len(before)
    for review in after:
        original = before[key(review)]
        if "letterboxd" in review.sources:
            assert review.uuid == original.uuid
        for name in CARRIED:
            assert getattr(review, name) == getattr(original, name), (name, review.title)
    # The same export imported into the journal it came from changes nothing.
    data = journal_path.read_bytes()
    assert cli("import", str(out)).exit_code == 0
    assert journal_path.read_bytes() == data


# What the Letterboxd CSV carries (the logged date and likes have no column there).
CARRIED = ("title", "year", "directors", "rating", "watched_on", "rewatch", "tags", "body")

HOSTILE = ["*", "_", "**", "`", "#", "> ", "- ", "1. ", "[", "]", "(", ")", "<", ">", "&",
           "&amp;", "&copy;", "\\", "|", "~~", '"', "'", ",", "\n", "\n\n", " ", "=1+1", "é",
           "🎬"]  # fmt: skip
words = st.lists(st.sampled_from([*HOSTILE, "a", "b", "Her", "la"]), min_size=1, max_size=6).map(
    "".join
)
names = words.filter(lambda s: bool(s.strip()) and "\n" not in s).map(lambda s: " ".join(s.split()))
tags = words.map(lambda s: " ".join(s.replace(",", " ").split())).filter(bool)
# fmt: off
html = st.lists(
    st.sampled_from(
        [
            *HOSTILE,
            "a",
            "b",
            "<b>",
            "</b>",
            "<i>",
            "</i>",
            "<br />",
            "<blockquote>",
            "</blockquote>",
            '<a href="https://letterboxd.com/film/her/">',
            "</a>",
            "<u>",
            "</u>",
        ]
    ),
    max_size=12,
).map("".join)
# fmt: on
ratings = st.sampled_from(["", "0.5", "1", "2.5", "4", "4.5", "5"])


@st.composite
def letterboxd_exports(draw: st.DrawFn) -> tuple[str, str]:
    """A diary.csv and a reviews.csv as Letterboxd writes them."""
    count = draw(st.integers(1, 4))
    diary = io.StringIO(newline="")
    reviews = io.StringIO(newline="")
    diary_writer = csv.writer(diary, lineterminator="\n")
    review_writer = csv.writer(reviews, lineterminator="\n")
    diary_writer.writerow(
        ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"]
    )
    review_writer.writerow(
        [
            "Date",
            "Name",
            "Year",
            "Letterboxd URI",
            "Rating",
            "Rewatch",
            "Review",
            "Tags",
            "Watched Date",
        ]
    )
    for n in range(count):
        name = draw(names)
        year = str(draw(st.integers(1890, 2030)))
        uri = f"https://boxd.it/e{n}"
        rating = draw(ratings)
        rewatch = draw(st.sampled_from(["", "Yes"]))
        tag_cell = ", ".join(draw(st.lists(tags, max_size=3)))
        watched = draw(st.dates(date(1950, 1, 1), date(2030, 1, 1))).isoformat()
        row = ["2024-01-02", name, year, uri, rating, rewatch]
        diary_writer.writerow([*row, tag_cell, watched])
        text = draw(html)
        if text.strip():
            review_writer.writerow([*row, text, tag_cell, watched])
    return diary.getvalue(), reviews.getvalue()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(export=letterboxd_exports())
def test_letterboxd_to_filmlog_to_letterboxd_to_filmlog_keeps_every_field(
    cli: Invoke, export: tuple[str, str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = base / "lb"
        source.mkdir()
        (source / "diary.csv").write_text(export[0], encoding="utf-8", newline="")
        (source / "reviews.csv").write_text(export[1], encoding="utf-8", newline="")
        first, second = base / "first.json", base / "second.json"
        out, out_again = base / "out.csv", base / "again.csv"
        result = cli("--db", str(first), "import", str(source))
        assert result.exit_code == 0, result.stdout + result.stderr
        assert cli("--db", str(first), "export", "-f", "letterboxd", "-o", str(out)).exit_code == 0
        result = cli("--db", str(second), "import", str(out))
        assert result.exit_code == 0, result.stdout + result.stderr
        before = {r.uuid: r for r in Journal(first).reviews()}
        after = Journal(second).reviews()
        assert sorted(r.uuid for r in after) == sorted(before)
        for review in after:
            original = before[review.uuid]
            for name in CARRIED:
                assert getattr(review, name) == getattr(original, name), name
            assert review.sources["letterboxd"] == original.sources["letterboxd"]
        exported = cli("--db", str(second), "export", "-f", "letterboxd", "-o", str(out_again))
        assert exported.exit_code == 0
        assert out_again.read_bytes() == out.read_bytes()


def test_a_letterboxd_journal_goes_out_as_markdown_posts_and_comes_back_whole(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    assert cli("import", str(SAMPLE)).exit_code == 0
    posts, copy = tmp_path / "posts", tmp_path / "copy.json"
    assert cli("export", "--split", str(posts)).exit_code == 0
    result = cli("--db", str(copy), "import", str(posts))
    assert result.exit_code == 0, result.stdout + result.stderr

    def snapshot(path: Path) -> list[dict[str, object]]:
        return [{"id": r.id, **r.to_dict()} for r in Journal(path).reviews()]

    assert snapshot(copy) == snapshot(journal_path)


def test_the_installed_command_imports_letterboxd_and_reads_its_own_export(
    run_filmlog: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    imported = run_filmlog("import", str(SAMPLE))
    assert imported.returncode == 0, imported.stderr
    assert "Rows read" in imported.stdout and "5,708" in imported.stdout
    out = tmp_path / "lb.csv"
    assert run_filmlog("export", "-f", "letterboxd", "-o", str(out)).returncode == 0
    again = run_filmlog("import", str(out))
    assert again.returncode == 0, again.stderr
    assert "(letterboxd)" in again.stdout and "Updated" in again.stdout
