"""``filmlog history``: every viewing of one film and how its rating moved."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import orjson
import pytest

from filmlog import stats
from filmlog.charts import change_text, rating_change_line, stars_amount
from filmlog.errors import InvalidInput, NotFound
from filmlog.model import Review
from filmlog.storage import Journal
from tests.conftest import Invoke
from tests.factories import film


def viewings() -> list[Review]:
    """Her three times (IDs out of watch order), a remake pair, and a title ending in a year."""
    return [
        film("Her", 1, year=2013, rating=8, verdict="Good", watched_on=date(2019, 6, 1)),
        film("Her", 2, year=2013, rating=6, verdict="Fine", watched_on=date(2014, 1, 5)),
        film("HER", 3, year=2013, rating=9, verdict="Great", watched_on=date(2024, 4, 12)),
        film("Dune", 4, year=1984, rating=4, watched_on=date(2010, 1, 1)),
        film("Dune", 5, year=2021, rating=8, watched_on=date(2021, 10, 22)),
        film("Amélie", 6, year=2001, rating=10, watched_on=date(2024, 2, 14)),
        film("Blade Runner (1982)", 7, rating=7),
    ]


# ---------------------------------------------------------------------------
# The pure history


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Her (2013)", ("Her", 2013)),
        ("  Her(2013) ", ("Her", 2013)),
        ("Her", ("Her", None)),
        ("Her (13)", ("Her (13)", None)),
        ("(2013)", ("(2013)", None)),
        ("Ocean's Eleven (2001)", ("Ocean's Eleven", 2001)),
    ],
)
def test_split_title_year(text: str, expected: tuple[str, int | None]) -> None:
    assert stats.split_title_year(text) == expected


def test_viewings_oldest_first_with_each_change() -> None:
    history = stats.history(viewings(), "Her")
    assert [v.review.id for v in history.viewings] == [2, 1, 3]
    assert [v.change for v in history.viewings] == [None, 2, 1]
    assert (history.first_rating, history.last_rating, history.change) == (6, 9, 3)
    assert (history.title, history.year, history.display_title) == ("HER", 2013, "HER (2013)")


def test_title_match_ignores_case_and_accents() -> None:
    assert [v.review.id for v in stats.history(viewings(), "amelie").viewings] == [6]
    assert [v.review.id for v in stats.history(viewings(), "  HER  (2013)").viewings] == [2, 1, 3]


def test_year_tells_remakes_apart() -> None:
    assert [v.review.id for v in stats.history(viewings(), "Dune (2021)").viewings] == [5]
    assert [v.review.id for v in stats.history(viewings(), "dune (1984)").viewings] == [4]


def test_title_alone_of_a_remade_film_asks_for_the_year() -> None:
    with pytest.raises(InvalidInput) as caught:
        stats.history(viewings(), "Dune")
    assert caught.value.message == (
        "'Dune' matches more than one film (Dune (1984), Dune (2021)): "
        "give the year, as in 'Title (2013)'"
    )


def test_unknown_film_and_wrong_year_are_not_found() -> None:
    with pytest.raises(NotFound, match=r"^no reviews of a film titled 'Heat'$"):
        stats.history(viewings(), "Heat")
    with pytest.raises(NotFound, match=r"^no reviews of a film titled 'Her \(1999\)'$"):
        stats.history(viewings(), "Her (1999)")
    with pytest.raises(NotFound):
        stats.history([], "Her")


def test_a_title_that_itself_ends_in_a_year() -> None:
    history = stats.history(viewings(), "Blade Runner (1982)")
    assert [v.review.id for v in history.viewings] == [7]
    assert history.year is None


def test_a_review_without_a_year_joins_its_film() -> None:
    reviews = [*viewings(), film("Her", 8, rating=4, watched_on=date(2025, 1, 1))]
    assert [v.review.id for v in stats.history(reviews, "Her").viewings] == [2, 1, 3, 8]
    assert [v.review.id for v in stats.history(reviews, "Her (2013)").viewings] == [2, 1, 3, 8]


def test_a_review_without_a_year_stays_out_of_a_remake() -> None:
    reviews = [*viewings(), film("Dune", 8, watched_on=date(2025, 1, 1))]
    assert [v.review.id for v in stats.history(reviews, "Dune (2021)").viewings] == [5]


def test_unrated_and_undated_viewings() -> None:
    reviews = [
        film("Heat", 1, year=1995, rating=6, watched_on=date(2000, 1, 1)),
        film("Heat", 2, year=1995, watched_on=date(2010, 1, 1)),
        film("Heat", 3, year=1995, rating=5),
        film("Heat", 4, year=1995, rating=10, watched_on=date(2020, 1, 1)),
    ]
    history = stats.history(reviews, "Heat")
    # Undated last; an unrated viewing has no change, and the next compares past it.
    assert [v.review.id for v in history.viewings] == [1, 2, 4, 3]
    assert [v.change for v in history.viewings] == [None, None, 4, -5]
    assert history.change == -1


def test_history_json() -> None:
    data = stats.history(viewings(), "Her").to_json()
    assert (data["title"], data["year"]) == ("HER", 2013)
    assert [(v["id"], v["rating"], v["rating_change"]) for v in data["viewings"]] == [
        (2, 3.0, None),
        (1, 4.0, 1.0),
        (3, 4.5, 0.5),
    ]
    assert (data["first_rating"], data["last_rating"], data["rating_change"]) == (3.0, 4.5, 1.5)


# ---------------------------------------------------------------------------
# How a change reads


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (None, ""),
        (0, "same"),
        (1, "up ½"),
        (2, "up 1"),
        (3, "up 1½"),
        (-1, "down ½"),
        (-8, "down 4"),
    ],
)
def test_change_text(change: int | None, text: str) -> None:
    assert change_text(change) == text


@pytest.mark.parametrize(
    ("half_stars", "text"),
    [(1, "½ star"), (2, "1 star"), (3, "1½ stars"), (-4, "2 stars"), (0, "0 stars")],
)
def test_stars_amount(half_stars: int, text: str) -> None:
    assert stars_amount(half_stars) == text


@pytest.mark.parametrize(
    ("ratings", "line"),
    [
        ([6, 9], "Rating ★★★☆☆ → ★★★★½, up 1½ stars over 2 viewings."),
        ([9, 8], "Rating ★★★★½ → ★★★★☆, down ½ star over 2 viewings."),
        ([8, 4, 8], "Rating ★★★★☆ → ★★★★☆, unchanged over 3 viewings."),
        ([None, 8], "Rated once, ★★★★☆, in 2 viewings."),
        ([None], "Never rated in 1 viewing."),
    ],
)
def test_rating_change_line(ratings: list[int | None], line: str) -> None:
    reviews = [
        film("Heat", i, rating=r, watched_on=date(2000 + i, 1, 1))
        for i, r in enumerate(ratings, start=1)
    ]
    assert rating_change_line(stats.history(reviews, "Heat")) == line


# ---------------------------------------------------------------------------
# The command


@pytest.fixture
def logged(journal_path: Path) -> Path:
    with Journal(journal_path).transaction() as session:
        session.add_many(viewings())
    return journal_path


def test_history_command(cli: Invoke, logged: Path) -> None:
    result = cli("history", "Her (2013)")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "HER (2013) · 3 viewings, 2014-01-05 to 2024-04-12"
    rows = [line.split() for line in lines if line.strip()[:1].isdigit()]
    assert rows == [
        ["2", "2014-01-05", "★★★☆☆", "Fine"],
        ["1", "2019-06-01", "★★★★☆", "up", "1", "Good"],
        ["3", "2024-04-12", "★★★★½", "up", "½", "Great"],
    ]
    assert lines[-1] == "Rating ★★★☆☆ → ★★★★½, up 1½ stars over 3 viewings."
    assert result.stderr == ""


def test_history_by_title_alone(cli: Invoke, logged: Path) -> None:
    result = cli("history", "her")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "Rating ★★★☆☆ → ★★★★½, up 1½ stars over 3 viewings."


def test_history_json_command(cli: Invoke, logged: Path) -> None:
    result = cli("history", "Dune (2021)", "--json")
    assert result.exit_code == 0
    data = orjson.loads(result.stdout)
    assert [v["id"] for v in data["viewings"]] == [5]
    assert data["rating_change"] is None


def test_history_json_carries_each_viewings_body(cli: Invoke, logged: Path) -> None:
    assert cli("edit", "3", "--body", "Third time: *still* the letters.").exit_code == 0

    data = orjson.loads(cli("history", "Her (2013)", "--json").stdout)

    bodies = {v["id"]: v["body"] for v in data["viewings"]}
    assert bodies == {1: None, 2: None, 3: "Third time: *still* the letters."}


def test_unknown_film_is_a_one_line_error(cli: Invoke, logged: Path) -> None:
    result = cli("history", "Heat (1995)")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: no reviews of a film titled 'Heat (1995)'\n"


def test_ambiguous_title_is_a_one_line_error(cli: Invoke, logged: Path) -> None:
    result = cli("history", "Dune")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 'Dune' matches more than one film (Dune (1984), Dune (2021)): "
        "give the year, as in 'Title (2013)'\n"
    )


def test_history_in_an_empty_journal(cli: Invoke) -> None:
    result = cli("history", "Her")
    assert (result.exit_code, result.stderr) == (1, "Error: no reviews of a film titled 'Her'\n")


def test_history_real_process(
    run_filmlog: Callable[..., subprocess.CompletedProcess[str]], logged: Path
) -> None:
    done = run_filmlog("history", "Her (2013)")
    assert done.returncode == 0, done.stderr
    assert "up 1½ stars over 3 viewings." in done.stdout
    missing = run_filmlog("history", "Nope")
    assert (missing.returncode, missing.stderr) == (
        1,
        "Error: no reviews of a film titled 'Nope'\n",
    )


# ---------------------------------------------------------------------------
# Finding the film by a part of its title, by a review ID, or by a near miss


def test_a_part_of_one_title_finds_it() -> None:
    assert [v.review.id for v in stats.history(viewings(), "amel").viewings] == [6]
    assert [v.review.id for v in stats.history(viewings(), "BLADE").viewings] == [7]
    assert stats.history(viewings(), "une (2021)").year == 2021


def test_a_part_of_several_titles_names_them() -> None:
    reviews = [*viewings(), film("Herbie", 8, year=1968)]
    with pytest.raises(InvalidInput) as caught:
        stats.history(reviews, "he")
    assert caught.value.message == (
        "'he' is part of more than one title ('Her', 'Herbie'): give more of it"
    )


def test_a_review_id_finds_its_film() -> None:
    assert [v.review.id for v in stats.history(viewings(), "1").viewings] == [2, 1, 3]
    assert [v.review.id for v in stats.history(viewings(), "#4").viewings] == [4]


def test_a_title_made_of_digits_comes_before_an_id() -> None:
    reviews = [*viewings(), film("1", 9, year=2020)]
    assert [v.review.id for v in stats.history(reviews, "1").viewings] == [9]


def test_nothing_found_suggests_close_titles() -> None:
    with pytest.raises(NotFound) as caught:
        stats.history(viewings(), "Amelia")
    assert caught.value.message == "no reviews of a film titled 'Amelia'; did you mean 'Amélie'?"


def test_history_cli_by_id_and_suggestion(cli: Invoke, logged: Path) -> None:
    by_id = cli("history", "1")
    assert by_id.exit_code == 0, by_id.stderr
    assert by_id.stdout.startswith("HER (2013) · 3 viewings")
    missed = cli("history", "Hre")
    assert missed.exit_code == 1
    assert missed.stderr == "Error: no reviews of a film titled 'Hre'; did you mean 'Her'?\n"
