"""Filters alike on every command: date ranges, release and watch years, names split by commas."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from filmlog.parsing import parse_date_bound, parse_watched_date
from tests.conftest import Invoke


def add(cli: Invoke, title: str, *args: str) -> None:
    result = cli("add", title, *args)
    assert result.exit_code == 0, result.stderr


def titles(cli: Invoke, *args: str) -> list[str]:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return [r["title"] for r in json.loads(result.stdout)]


@pytest.fixture
def films(cli: Invoke) -> None:
    add(cli, "Her", "--year", "2013", "--watched", "2019-03-31", "--director", "Spike Jonze")
    add(cli, "Arrival", "--year", "2016", "--watched", "2019-04-01", "--cast", "Amy Adams")
    add(cli, "Amélie", "--year", "2001", "--watched", "2018-12-31", "--cast", "Audrey Tautou")
    add(cli, "Dune", "--year", "2021", "--watched", "2021-10-22", "--director", "Denis Villeneuve")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2019", date(2019, 1, 1), date(2019, 12, 31)),
        ("2019-03", date(2019, 3, 1), date(2019, 3, 31)),
        ("February 2020", date(2020, 2, 1), date(2020, 2, 29)),
        ("2019-03-15", date(2019, 3, 15), date(2019, 3, 15)),
    ],
)
def test_a_bound_naming_a_year_or_month_spans_it(text: str, start: date, end: date) -> None:
    assert parse_date_bound(text) == start
    assert parse_date_bound(text, end=True) == end


def test_bounds_take_relative_dates(frozen_now: datetime) -> None:
    today = frozen_now.date()
    assert parse_date_bound("yesterday") == today - timedelta(days=1)
    assert parse_date_bound("last week") == today - timedelta(days=7)
    assert parse_date_bound("3 days ago", end=True) == today - timedelta(days=3)
    assert parse_date_bound("last month") == date(today.year, today.month - 1, today.day)


def test_watched_takes_last_week_month_and_year() -> None:
    today = date(2024, 3, 31)
    assert parse_watched_date("last week", today) == date(2024, 3, 24)
    assert parse_watched_date("last month", today) == date(2024, 2, 29)
    assert parse_watched_date("2 years ago", date(2024, 2, 29)) == date(2022, 2, 28)
    assert parse_watched_date("a month ago", date(2024, 1, 15)) == date(2023, 12, 15)


@pytest.mark.usefixtures("films")
def test_to_a_year_or_month_includes_its_last_day(cli: Invoke) -> None:
    assert titles(cli, "list", "--to", "2019-03", "--sort", "title") == ["Amélie", "Her"]
    assert titles(cli, "list", "--from", "2019", "--to", "2019") == ["Arrival", "Her"]
    assert titles(cli, "search", "--from", "2019-04") == ["Dune", "Arrival"]


@pytest.mark.usefixtures("films")
def test_from_takes_relative_dates(cli: Invoke) -> None:
    add(cli, "Past Lives", "--watched", "yesterday")
    assert titles(cli, "list", "--from", "last week") == ["Past Lives"]
    assert titles(cli, "list", "--to", "last week", "--from", "2021") == ["Dune"]


def test_a_reversed_range_is_an_error(cli: Invoke) -> None:
    result = cli("list", "--from", "2020", "--to", "2019")
    assert result.exit_code != 0
    assert "--from 2020-01-01 is after --to 2019-12-31" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.usefixtures("films")
@pytest.mark.parametrize("command", ["list", "search", "export"])
def test_released_in_and_its_year_alias(cli: Invoke, command: str) -> None:
    args = ["--format", "json"] if command == "export" else []
    for flag in ("--released-in", "--year"):
        result = cli(command, flag, "2013", *args, *([] if command == "export" else ["--json"]))
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        found = data["reviews"] if isinstance(data, dict) else data
        assert [r["title"] for r in found] == ["Her"]


@pytest.mark.usefixtures("films")
def test_watched_in_on_list_search_and_export(cli: Invoke) -> None:
    assert titles(cli, "list", "--watched-in", "2019") == ["Arrival", "Her"]
    assert titles(cli, "search", "--watched-in", "2018") == ["Amélie"]
    result = cli("export", "--watched-in", "2021", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert "Dune" in result.stdout and "Her" not in result.stdout


@pytest.mark.usefixtures("films")
@pytest.mark.parametrize("flag", ["--watched-in", "--year"])
def test_stats_watched_in_and_its_year_alias(cli: Invoke, flag: str) -> None:
    result = cli("stats", flag, "2019", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["year"] == 2019
    assert data["totals"]["reviews"] == 2
    assert data["timeline"]["by"] == "month"
    released = json.loads(cli("stats", "--released-in", "2001", "--json").stdout)
    assert released["totals"]["reviews"] == 1


@pytest.mark.usefixtures("films")
def test_actor_and_director_filters_split_commas(cli: Invoke) -> None:
    both = ["Arrival", "Amélie"]
    assert titles(cli, "list", "--actor", "Amy Adams, Tautou") == both
    assert titles(cli, "list", "--cast", "adams,tautou") == both
    assert titles(cli, "list", "--director", "Jonze, Villeneuve") == ["Dune", "Her"]


def test_add_cast_splits_commas(cli: Invoke) -> None:
    add(
        cli,
        "Her",
        "--cast",
        "Joaquin Phoenix as Theodore, Amy Adams as Amy",
        "--cast",
        "Rooney Mara",
    )
    [review] = json.loads(cli("list", "--json").stdout)
    assert review["cast"] == [
        {"actor": "Joaquin Phoenix", "role": "Theodore"},
        {"actor": "Amy Adams", "role": "Amy"},
        {"actor": "Rooney Mara", "role": None},
    ]


def test_help_names_the_aliases(cli: Invoke) -> None:
    listing = " ".join(cli("list", "--help").stdout.split())
    assert "--released-in, --year YEAR" in listing
    assert "--watched-in YEAR" in listing
    assert "--watched-in, --year YEAR" in " ".join(cli("stats", "--help").stdout.split())
