"""``filmlog stats`` end to end: table, --json, --format markdown, --year and the filters."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from filmlog import stats
from filmlog.recap import recap
from filmlog.storage import Journal
from tests.conftest import Invoke
from tests.factories import sample


@pytest.fixture
def sampled(journal_path: Path) -> Path:
    """The journal holding the seven sample reviews, under IDs 1 to 7."""
    with Journal(journal_path).transaction() as session:
        session.add_many(sample())
    return journal_path


def stats_json(cli: Invoke, *args: str) -> Any:
    result = cli("stats", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return orjson.loads(result.stdout)


def test_table_shows_every_section(cli: Invoke, sampled: Path) -> None:
    result = cli("stats", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("All 7 reviews\n")
    assert "│ Reviews    7  Hours watched   12 hr 55 min (1 review lacks a runtime)" in out
    assert "│ Films      6  Average rating  3.42 from 6 rated of 7" in out
    assert "│ Rewatches  1  Median rating   3.75 stars" in out
    for title in (
        "Ratings",
        "Watched per year",
        "Genres",
        "Decades of release",
        "Top directors",
        "Top actors",
        "Top-rated films",
        "Tags",
    ):
        assert f"╭─ {title} ─" in out
    # Some averages rest on fewer reviews than the rows count: a Rated column says how many.
    assert "│ Genre     Reviews  Rated  Avg ★" in out
    assert "│ Romance         3      3   4.17  " in out
    assert "│ Denis Villeneuve          2      2   3.75  " in out
    assert "│ Francis Ford Coppola      1      0      —  " in out
    assert "│ 1. Amélie (2001)  ★★★★★" in out
    assert "│ No tags recorded." in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert result.stderr == ""


def test_table_spreads_out_on_a_wide_terminal(cli: Invoke, sampled: Path) -> None:
    out = cli("stats", env={"COLUMNS": "120"}).stdout
    assert "╮ ╭─ Top actors" in out
    assert max(len(line) for line in out.splitlines()) == 120


def test_empty_journal(cli: Invoke) -> None:
    result = cli("stats")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "No reviews yet. Log one with: filmlog add TITLE\n"


def test_nothing_matches(cli: Invoke, sampled: Path) -> None:
    result = cli("stats", "--genre", "Western")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "No reviews match.\n"


def test_json_is_the_same_numbers(cli: Invoke, sampled: Path) -> None:
    data = stats_json(cli)
    reviews = Journal(sampled).reviews()
    assert data == orjson.loads(orjson.dumps(stats.compute(reviews).to_json()))
    assert data["totals"]["average_rating"] == 3.42
    assert data["totals"]["median_rating"] == 3.75
    assert [r["count"] for r in data["ratings"]] == [1, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert [(g["name"], g["reviews"]) for g in data["genres"]][:3] == [
        ("Romance", 3),
        ("Sci-Fi", 3),
        ("Drama", 3),
    ]


def test_json_of_an_empty_journal_keeps_its_shape(cli: Invoke) -> None:
    data = stats_json(cli)
    assert data["totals"]["reviews"] == 0
    assert data["totals"]["average_rating"] is None
    assert data["genres"] == []
    assert data["timeline"] == {"by": None, "periods": [], "undated": 0, "outside": 0}


def test_year_is_one_calendar_year_of_watching(cli: Invoke, sampled: Path) -> None:
    data = stats_json(cli, "--year", "2024")
    assert data["year"] == 2024
    assert data["totals"]["reviews"] == 5
    assert data["timeline"]["by"] == "month"
    assert [p["reviews"] for p in data["timeline"]["periods"]] == [
        2,
        1,
        0,
        1,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
    ]
    # The undated and the 2023 viewing are not in 2024 at all.
    assert (data["timeline"]["undated"], data["timeline"]["outside"]) == (0, 0)


def test_year_table_charts_months(cli: Invoke, sampled: Path) -> None:
    out = cli("stats", "--year", "2024", env={"COLUMNS": "80"}).stdout
    assert out.startswith("5 of 7 reviews watched in 2024\n")
    assert "╭─ Watched per month, 2024 ─" in out
    assert "│ Jan  2  " in out
    assert "│ Mar  0 " in out


def test_year_with_nothing_watched(cli: Invoke, sampled: Path) -> None:
    result = cli("stats", "--year", "2001")
    assert (result.exit_code, result.stderr) == (0, "No reviews match.\n")


def test_year_combines_with_the_date_filters(cli: Invoke, sampled: Path) -> None:
    data = stats_json(cli, "--year", "2024", "--from", "2024-02-01", "--to", "2024-06-30")
    assert data["totals"]["reviews"] == 2  # Amélie in February, Her in April


@pytest.mark.parametrize(
    ("args", "reviews"),
    [
        (["--genre", "crime"], 2),
        (["--genre", "Romance", "--genre", "Crime"], 5),
        (["--genre", "Romance", "--genre", "Sci-Fi", "--all-genres"], 2),
        (["--min-rating", "4"], 3),
        (["--max-rating", "3"], 2),
        (["--released-in", "2013"], 2),
        (["--from", "2024-01-01"], 5),
        (["--to", "2023-12-31"], 1),
        (["--director", "villeneuve"], 2),
        (["--actor", "joaquin"], 2),
        (["--liked"], 3),
        (["--not-liked"], 4),
        (["--rewatch"], 1),
        (["--first-watch"], 6),
        (["villeneuve"], 2),
        (["second", "time"], 1),
    ],
)
def test_every_search_filter(cli: Invoke, sampled: Path, args: list[str], reviews: int) -> None:
    assert stats_json(cli, *args)["totals"]["reviews"] == reviews


def test_filtered_table_heading_counts_the_matches(cli: Invoke, sampled: Path) -> None:
    assert cli("stats", "--genre", "Crime").stdout.startswith("2 of 7 reviews\n")


def test_top_limits_the_rankings(cli: Invoke, sampled: Path) -> None:
    data = stats_json(cli, "--top", "2")
    assert len(data["directors"]) == len(data["actors"]) == len(data["top_rated"]) == 2


def test_markdown_recap(cli: Invoke, sampled: Path) -> None:
    result = cli("stats", "--year", "2024", "--format", "markdown")
    assert result.exit_code == 0
    reviews = stats.watched_in(Journal(sampled).reviews(), 2024)
    assert result.stdout == recap(stats.compute(reviews, year=2024))
    assert result.stdout.startswith("# 2024 in film\n\n- **5** reviews of **5** films")
    assert "1. **Amélie** (2001) · ★★★★★ · *Masterpiece* — “Paris in green and gold”" in (
        result.stdout
    )
    assert "| January | 2 | 3.75 |" in result.stdout


def test_markdown_recap_of_an_empty_year(cli: Invoke, sampled: Path) -> None:
    result = cli("stats", "--year", "2001", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout == "# 2001 in film\n\nNo films logged in 2001.\n"


def test_json_and_markdown_together_is_a_usage_error(cli: Invoke, sampled: Path) -> None:
    result = cli("stats", "--json", "--format", "markdown")
    assert result.exit_code == 2
    assert result.stderr == "Error: choose one of --json and --format markdown\n"
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "last"], "Error: invalid year 'last': use a year from 1870 to "),
        (["--released-in", "13"], "Error: invalid year '13': use a year from 1870 to "),
        (["--min-rating", "six"], "Error: invalid rating 'six': "),
        (["--from", "someday"], "Error: invalid date 'someday': "),
    ],
)
def test_bad_values_are_one_line_errors(
    cli: Invoke, sampled: Path, args: list[str], message: str
) -> None:
    result = cli("stats", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_bad_format_is_a_usage_error(cli: Invoke, sampled: Path) -> None:
    assert cli("stats", "--format", "html").exit_code == 2


def test_real_process(
    run_filmlog: Callable[..., subprocess.CompletedProcess[str]], sampled: Path
) -> None:
    done = run_filmlog("stats", "--year", "2024", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    assert "Watched per month, 2024" in done.stdout
    assert "\x1b" not in done.stdout
    markdown = run_filmlog("stats", "--year", "2024", "--format", "markdown")
    assert markdown.returncode == 0
    assert markdown.stdout.startswith("# 2024 in film\n")


def test_real_process_without_a_journal_file(
    run_filmlog: Callable[..., subprocess.CompletedProcess[str]], journal_path: Path
) -> None:
    done = run_filmlog("stats")
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == "No reviews yet. Log one with: filmlog add TITLE\n"
    assert not journal_path.exists()  # reading stats never creates a journal


def test_start_up_does_not_import_the_insight_modules() -> None:
    code = (
        "import sys, filmlog.cli; "
        "print(sorted(m for m in ('filmlog.stats', 'filmlog.charts', 'filmlog.recap') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
