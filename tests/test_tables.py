"""Tables and stats that fit real journals: columns, long titles, empty years, imports' days."""

from __future__ import annotations

import io
import os
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType
from rich.table import Table

from filmlog import stats
from filmlog.charts import timeline_panel
from filmlog.model import Review
from filmlog.query import Snippet
from filmlog.recap import recap
from filmlog.render import review_panel, review_table
from tests import factories
from tests.conftest import Invoke, examples

LONG = "The Assassination of Jesse James by the Coward Robert Ford"


def render(renderable: RenderableType, width: int = 80) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, emoji=False)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]  # a StringIO


def test_columns_empty_in_every_row_are_left_out() -> None:
    bare = [Review("Her", id=1, year=2013), Review("Arrival", id=2)]
    header = render(review_table(bare)).splitlines()[0].split()
    assert header == ["ID", "Title"]
    rated = [Review("Her", id=1, rating=8, watched_on=date(2024, 4, 12))]
    assert render(review_table(rated)).splitlines()[0].split() == [
        "ID",
        "Watched",
        "Title",
        "Rating",
    ]


def test_tags_column_shows_when_rows_have_tags() -> None:
    plain_rows = [Review("Her", id=1, genres=["Romance"])]
    assert "Tags" not in render(review_table(plain_rows))
    tagged = [*plain_rows, Review("Arrival", id=2, tags=["rewatch-soon"])]
    out = render(review_table(tagged))
    assert out.splitlines()[0].split() == ["ID", "Title", "Genres", "Tags"]
    assert "rewatch-soon" in out


def test_a_long_title_is_cut_with_an_ellipsis_on_one_line() -> None:
    reviews = [
        Review(LONG, id=1, year=2007, rating=8, genres=["Western", "Drama"], verdict="Great"),
        Review("Her", id=2, year=2013, rating=8, genres=["Romance"]),
    ]
    lines = render(review_table(reviews)).splitlines()
    assert len(lines) == 4  # header, rule, one line per review
    assert "…" in lines[2] and "The Assassination" in lines[2]
    assert all(len(line) <= 80 for line in lines)


def test_a_cut_panel_title_keeps_its_year() -> None:
    first = render(review_panel(Review(LONG, id=4, year=2007)), width=40).splitlines()[0]
    assert first == "╭─ The Assassination of Jesse… (2007) ─╮"
    wide = render(review_panel(Review(LONG, id=4, year=2007)), width=100).splitlines()[0]
    assert f" {LONG} (2007) " in wide


def test_long_runs_of_empty_years_fold_into_one_row() -> None:
    reviews = [
        Review("A", id=1, watched_on=date(1990, 1, 1)),
        Review("B", id=2, watched_on=date(1992, 1, 1)),
        Review("C", id=3, watched_on=date(2010, 1, 1)),
    ]
    out = render(timeline_panel(stats.timeline(reviews)))
    rows = [line.strip("│ ").split()[0] for line in out.splitlines()[1:-1]]
    assert rows == ["1990", "1991", "1992", "1993–2009", "2010"]


def test_a_day_without_a_time_shows_no_invented_time() -> None:
    zone = "America/Denver"
    imported = Review(
        "Her", id=1, logged_at=datetime(2024, 4, 13, tzinfo=ZoneInfo(zone)), logged_zone=zone
    )
    out = render(review_panel(imported))
    assert "April 13, 2024" in out and "AM" not in out
    timed = imported.copy(logged_at=datetime(2024, 4, 13, 1, 21, tzinfo=ZoneInfo(zone)))
    assert "April 13, 2024 · 1:21 AM MDT" in render(review_panel(timed))


def test_recap_does_not_double_the_quotes_of_a_quoted_headline() -> None:
    reviews = [
        Review("Her", id=1, year=2013, rating=10, headline="“Her:” Where love meets code”"),
        Review("Heat", id=2, year=1995, rating=9, headline="Plain words"),
        Review("Cats", id=3, year=2019, rating=1),
        Review("Dull", id=4, year=2019, rating=2),
    ]
    text = recap(stats.compute(reviews))
    assert "— “Her:” Where love meets code”" in text
    assert "““" not in text
    assert "— “Plain words”" in text


def test_recap_top_rated_lists_only_films_above_the_median() -> None:
    reviews = [
        Review("Best", id=1, rating=10),
        Review("Middle", id=2, rating=6),
        Review("Worst", id=3, rating=2),
    ]
    text = recap(stats.compute(reviews))
    assert "**Best**" in text
    assert "**Middle**" not in text and "**Worst**" not in text


def test_showing_note_comes_after_the_table(filmlog_exe: str, cli: Invoke) -> None:
    for title in ("A", "B", "C"):
        assert cli("add", title).exit_code == 0
    # One stream for both, as a terminal shows them: the note must follow the table.
    done = subprocess.run(
        [filmlog_exe, "list", "--limit", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "2 of 3 reviews"
    assert lines[-1] == "Showing 2 of 3; use --all or --limit to see more."


def test_piped_tables_start_with_text_and_have_no_trailing_spaces(cli: Invoke) -> None:
    for title in ("Her", "Arrival"):
        assert cli("add", title, "--genre", "Drama", "--watched", "2024-01-01").exit_code == 0
    for args in (("list",), ("search", "her"), ("stats",), ("history", "Her"), ("show", "1")):
        out = cli(*args).stdout
        assert out.splitlines()[0].strip(), args
        assert all(line == line.rstrip() for line in out.splitlines()), args


def _terminal(renderable: RenderableType, width: int) -> str:
    """What a colour terminal ``width`` wide is sent, escape codes and all."""
    console = Console(
        file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor"
    )
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]  # a StringIO


@settings(max_examples=examples(2000, 150), deadline=None)
@given(
    st.lists(factories.reviews, min_size=1, max_size=6),
    st.integers(1, 160),
    st.none() | st.text(max_size=30),
    st.booleans(),
)
def test_the_list_lays_out_its_columns_as_rich_would(
    reviews: list[Review], width: int, title: str | None, snippets: bool
) -> None:
    # The list table works out its column widths itself; Rich measuring every cell of the
    # same table must lay it out the same, at any width, on a terminal or into a pipe.
    matched = (
        {r.id or 0: Snippet("body", r.title, ((0, 1),)) for r in reviews} if snippets else None
    )
    laid_out = review_table(reviews, title=title, matched=matched)
    measured_by_rich = laid_out.table(width)

    assert _terminal(laid_out, width) == _terminal(measured_by_rich, width)
    assert render(laid_out, width) == render(measured_by_rich, width)


def test_the_list_fixes_its_column_widths_when_they_fit() -> None:
    reviews = [
        Review(LONG, id=1, year=2007, rating=8, genres=["Western", "Drama"], verdict="Great"),
        Review("Her", id=2, year=2013, rating=8, genres=["Romance"], tags=["a long tag list"]),
    ]
    console = Console(file=io.StringIO(), width=60)
    table = next(iter(review_table(reviews).__rich_console__(console, console.options)))

    assert isinstance(table, Table)
    assert all(column.width is not None for column in table.columns)
