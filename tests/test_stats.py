"""Exact figures from filmlog.stats for journals whose contents are known."""

from __future__ import annotations

from datetime import date

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmlog import stats
from filmlog.model import Review, ReviewSummary
from tests.factories import film, sample
from tests.factories import reviews as model_reviews

# ---------------------------------------------------------------------------
# Totals


def test_totals_of_the_sample() -> None:
    assert stats.totals(sample()) == stats.Totals(
        reviews=7,
        films=6,  # two viewings of Her (2013)
        rewatches=1,
        liked=3,
        rated=6,
        minutes=775,
        with_runtime=6,
        without_runtime=1,
        average_rating=41 / 12,
        median_rating=3.75,  # the middle two of 0.5 3 3.5 4 4.5 5
    )


def test_totals_of_an_empty_journal() -> None:
    assert stats.totals([]) == stats.Totals(0, 0, 0, 0, 0, 0, 0, 0, None, None)


def test_totals_of_one_review() -> None:
    one = [film("Her", 1, rating=7, runtime=126)]
    totals = stats.totals(one)
    assert (totals.reviews, totals.films, totals.rated) == (1, 1, 1)
    assert totals.average_rating == 3.5
    assert totals.median_rating == 3.5
    assert (totals.minutes, totals.without_runtime) == (126, 0)


def test_totals_without_ratings_or_runtimes() -> None:
    reviews = [film("A", 1), film("B", 2, liked=True)]
    totals = stats.totals(reviews)
    assert totals.average_rating is None
    assert totals.median_rating is None
    assert (totals.rated, totals.minutes, totals.with_runtime, totals.without_runtime) == (
        0,
        0,
        0,
        2,
    )
    assert totals.liked == 1


def test_median_of_an_odd_count_is_the_middle_rating() -> None:
    reviews = [film(str(i), i, rating=r) for i, r in enumerate([10, 2, 7], start=1)]
    assert stats.totals(reviews).median_rating == 3.5


def test_distinct_films_ignore_case_accents_and_spacing_but_not_year() -> None:
    reviews = [
        film("Amélie", 1, year=2001),
        film("AMELIE", 2, year=2001),
        film("Amelie ", 3, year=2001),
        film("Dune", 4, year=1984),
        film("Dune", 5, year=2021),
        film("Dune", 6),  # no year: a film of its own
    ]
    assert stats.totals(reviews).films == 4


def test_totals_json_rounds_for_display_and_keeps_exact_minutes() -> None:
    data = stats.totals(sample()).to_json()
    assert data == {
        "reviews": 7,
        "films": 6,
        "rewatches": 1,
        "liked": 3,
        "rated": 6,
        "unrated": 1,
        "minutes_watched": 775,
        "hours_watched": 12.9,
        "with_runtime": 6,
        "without_runtime": 1,
        "average_rating": 3.42,
        "median_rating": 3.75,
    }


# ---------------------------------------------------------------------------
# Rating distribution


def test_rating_distribution_has_every_half_star_step() -> None:
    rows = stats.rating_distribution(sample())
    assert [r.half_stars for r in rows] == list(range(1, 11))
    assert [r.stars for r in rows] == [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]
    assert [r.reviews for r in rows] == [1, 0, 0, 0, 0, 1, 1, 1, 1, 1]


def test_rating_distribution_counts_repeats_and_skips_unrated() -> None:
    reviews = [film("A", 1, rating=8), film("B", 2, rating=8), film("C", 3)]
    counts = {r.half_stars: r.reviews for r in stats.rating_distribution(reviews)}
    assert counts[8] == 2
    assert sum(counts.values()) == 2


def test_rating_distribution_of_nothing_is_all_zeros() -> None:
    assert [r.reviews for r in stats.rating_distribution([])] == [0] * 10


# ---------------------------------------------------------------------------
# Genres


def test_genres_of_the_sample() -> None:
    rows = stats.genres(sample())
    assert [(g.name, g.reviews, g.rated, g.average_rating) for g in rows] == [
        ("Romance", 3, 3, 25 / 6),
        ("Sci-Fi", 3, 3, 23 / 6),
        ("Drama", 3, 2, 3.75),
        ("Crime", 2, 1, 3.5),
        ("Comedy", 1, 1, 5.0),
        ("Thriller", 1, 1, 3.5),
        ("Musical", 1, 1, 0.5),
    ]


def test_genre_counted_once_per_review_in_its_first_spelling() -> None:
    reviews = [
        film("A", 1, genres=["sci-fi", "Sci-Fi", " SCI-FI "]),
        film("B", 2, genres=["SCI-FI"]),
    ]
    assert [(g.name, g.reviews) for g in stats.genres(reviews)] == [("sci-fi", 2)]


def test_genre_ties_go_to_the_better_rated_then_alphabetical() -> None:
    reviews = [
        film("A", 1, genres=["Western"], rating=6),
        film("B", 2, genres=["Drama"], rating=6),
        film("C", 3, genres=["Épopée"], rating=6),
        film("D", 4, genres=["Horror"], rating=10),
        film("E", 5, genres=["Noir"]),
    ]
    names = [g.name for g in stats.genres(reviews)]
    # Épopée sorts as "epopee", between Drama and Western; unrated Noir comes last.
    assert names == ["Horror", "Drama", "Épopée", "Western", "Noir"]


def test_genres_without_ratings_have_no_average() -> None:
    (row,) = stats.genres([film("A", 1, genres=["Drama"])])
    assert (row.reviews, row.rated, row.average_rating) == (1, 0, None)


def test_no_genres_gives_no_rows() -> None:
    assert stats.genres([film("A", 1)]) == ()
    assert stats.genres([]) == ()


# ---------------------------------------------------------------------------
# Timeline


def test_several_years_are_charted_per_year_without_gaps() -> None:
    reviews = [
        film("A", 1, watched_on=date(2020, 5, 1), rating=4),
        film("B", 2, watched_on=date(2022, 1, 1), rating=8),
        film("C", 3, watched_on=date(2022, 12, 31), rating=10),
        film("D", 4),
    ]
    timeline = stats.timeline(reviews)
    assert timeline.by == "year"
    assert [(p.label, p.reviews, p.average_rating) for p in timeline.periods] == [
        ("2020", 1, 2.0),
        ("2021", 0, None),
        ("2022", 2, 4.5),
    ]
    assert (timeline.undated, timeline.outside) == (1, 0)


def test_one_year_is_charted_per_month_all_twelve() -> None:
    reviews = [
        film("A", 1, watched_on=date(2024, 1, 20)),
        film("B", 2, watched_on=date(2024, 1, 31)),
        film("C", 3, watched_on=date(2024, 12, 1)),
    ]
    timeline = stats.timeline(reviews)
    assert timeline.by == "month"
    assert [p.label for p in timeline.periods][:2] == ["2024-01", "2024-02"]
    assert [p.reviews for p in timeline.periods] == [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]


def test_timeline_for_a_year_asked_for_counts_the_rest_apart() -> None:
    timeline = stats.timeline(sample(), 2024)
    assert timeline.by == "month"
    assert [p.reviews for p in timeline.periods] == [2, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]
    assert [p.average_rating for p in timeline.periods][:4] == [3.75, 5.0, None, 4.5]
    assert (timeline.undated, timeline.outside) == (1, 1)


def test_timeline_of_a_year_with_nothing_watched_still_has_twelve_months() -> None:
    timeline = stats.timeline([], 2024)
    assert timeline.by == "month"
    assert [p.reviews for p in timeline.periods] == [0] * 12


def test_timeline_without_dates() -> None:
    assert stats.timeline([film("A", 1), film("B", 2)]) == stats.Timeline(None, (), 2)
    assert stats.timeline([]) == stats.Timeline(None, (), 0)


def test_sample_timeline_per_year() -> None:
    timeline = stats.timeline(sample())
    assert [(p.label, p.reviews) for p in timeline.periods] == [("2023", 1), ("2024", 5)]
    assert timeline.undated == 1


# ---------------------------------------------------------------------------
# People


def test_directors_of_the_sample() -> None:
    rows = stats.directors(sample())
    assert [(p.name, p.films, p.reviews, p.rated_films, p.average_rating) for p in rows] == [
        ("Denis Villeneuve", 2, 2, 2, 3.75),
        ("Jean-Pierre Jeunet", 1, 1, 1, 5.0),
        ("Spike Jonze", 1, 2, 1, 4.5),  # Her counted once, at its latest rating
        ("Tom Hooper", 1, 1, 1, 0.5),
        ("Francis Ford Coppola", 1, 1, 0, None),  # unrated: after every rated one
    ]


def test_actors_of_the_sample() -> None:
    rows = stats.actors(sample())
    assert [(p.name, p.films, p.reviews, p.average_rating) for p in rows] == [
        ("Audrey Tautou", 1, 1, 5.0),
        ("Joaquin Phoenix", 1, 2, 4.5),
        # Her's latest rating counts, though her own viewing of it was rated 3.
        ("Scarlett Johansson", 1, 1, 4.5),
        ("Amy Adams", 1, 1, 4.0),
        ("Emily Blunt", 1, 1, 3.5),
        ("Al Pacino", 1, 1, None),
    ]


def test_top_limits_people() -> None:
    assert [p.name for p in stats.actors(sample(), top=2)] == ["Audrey Tautou", "Joaquin Phoenix"]
    assert len(stats.actors(sample(), top=None)) == 6


def test_a_later_unrated_viewing_keeps_the_earlier_rating() -> None:
    reviews = [
        film(
            "Heat", 1, year=1995, directors=["Michael Mann"], rating=9, watched_on=date(2020, 1, 1)
        ),
        film("Heat", 2, year=1995, directors=["Michael Mann"], watched_on=date(2024, 1, 1)),
    ]
    (row,) = stats.directors(reviews)
    assert (row.films, row.reviews, row.average_rating) == (1, 2, 4.5)


def test_latest_rating_is_by_watch_date_not_by_id() -> None:
    reviews = [
        film(
            "Heat", 1, year=1995, directors=["Michael Mann"], rating=4, watched_on=date(2024, 1, 1)
        ),
        film(
            "Heat", 2, year=1995, directors=["Michael Mann"], rating=10, watched_on=date(2019, 1, 1)
        ),
    ]
    assert stats.directors(reviews)[0].average_rating == 2.0


def test_people_ties_by_films_then_average_then_name() -> None:
    reviews = [
        film("A", 1, cast=["Zoe"], rating=8),
        film("B", 2, cast=["Adam"], rating=8),
        film("C", 3, cast=["Émile"], rating=8),
        film("D", 4, cast=["Bob"], rating=2),
        film("E", 5, cast=["Bob"], rating=2),
    ]
    assert [p.name for p in stats.actors(reviews)] == ["Bob", "Adam", "Émile", "Zoe"]


def test_people_match_ignoring_case_and_spacing_in_their_first_spelling() -> None:
    reviews = [
        film("A", 1, directors=["Agnès Varda"], rating=8),
        film("B", 2, directors=["agnès  varda", "AGNÈS VARDA"], rating=10),
    ]
    (row,) = stats.directors(reviews)
    assert (row.name, row.films, row.reviews, row.average_rating) == ("Agnès Varda", 2, 2, 4.5)


def test_nobody_gives_no_rows() -> None:
    assert stats.directors([film("A", 1)]) == ()
    assert stats.actors([]) == ()


# ---------------------------------------------------------------------------
# Decades


def test_decades_of_the_sample() -> None:
    decades = stats.decades(sample())
    assert [(d.name, d.reviews, d.rated, d.average_rating) for d in decades.rows] == [
        ("1970s", 1, 0, None),
        ("2000s", 1, 1, 5.0),
        ("2010s", 5, 5, 3.1),
    ]
    assert decades.unknown == 0


def test_decades_use_the_release_date_when_the_year_is_missing() -> None:
    reviews = [
        film("A", 1, year=1999),
        film("B", 2, release_date=date(1990, 3, 1)),
        film("C", 3),
    ]
    decades = stats.decades(reviews)
    assert [(d.name, d.reviews) for d in decades.rows] == [("1990s", 2)]
    assert decades.unknown == 1


# ---------------------------------------------------------------------------
# Top-rated films


def test_top_rated_lists_each_film_once_at_its_latest_rating() -> None:
    ranked = stats.top_rated(sample())
    assert [(r.id, r.title, r.rating) for r in ranked] == [
        (5, "Amélie", 10),
        (2, "Her", 9),
        (3, "Arrival", 8),
    ]


def test_top_rated_only_above_the_median() -> None:
    """The sample's median is 3.75 stars: Sicario (3½) and Cats (½) are not top-rated."""
    assert stats.median_stars([r.rating for r in sample() if r.rating is not None]) == 3.75
    assert [r.title for r in stats.top_rated(sample(), top=None)] == ["Amélie", "Her", "Arrival"]


def test_top_rated_when_every_rating_is_the_median() -> None:
    reviews = [film("A", 1, rating=8), film("B", 2, rating=8)]
    assert [r.title for r in stats.top_rated(reviews)] == ["A", "B"]


def test_tags_count_reviews_per_tag_like_genres() -> None:
    reviews = [
        film("A", 1, rating=8, tags=["cinema", "Friends"]),
        film("B", 2, rating=4, tags=["friends"]),
        film("C", 3, tags=["cinema"]),
    ]
    rows = stats.tags(reviews)
    assert [(t.name, t.reviews, t.rated, t.average_rating) for t in rows] == [
        ("cinema", 2, 1, 4.0),
        ("Friends", 2, 2, 3.0),
    ]
    assert stats.tags(reviews, top=1) == rows[:1]


def test_top_rated_ties_go_to_liked_then_first_watched() -> None:
    reviews = [
        film("Late", 1, rating=8, watched_on=date(2024, 5, 1)),
        film("Undated", 2, rating=8),
        film("Early", 3, rating=8, watched_on=date(2024, 1, 1)),
        film("Loved", 4, rating=8, watched_on=date(2024, 9, 1), liked=True),
        film("Best", 5, rating=9, watched_on=date(2024, 9, 1)),
        *(film(f"Weak {n}", 10 + n, rating=2) for n in range(5)),  # the median: 2½ stars
    ]
    assert [r.title for r in stats.top_rated(reviews)] == [
        "Best",
        "Loved",
        "Early",
        "Late",
        "Undated",
    ]
    assert [r.title for r in stats.top_rated(reviews, top=2)] == ["Best", "Loved"]


def test_top_rated_without_ratings_is_empty() -> None:
    assert stats.top_rated([film("A", 1)]) == ()


# ---------------------------------------------------------------------------
# Everything at once, and the JSON view


def test_compute_empty_journal() -> None:
    result = stats.compute([])
    assert result.totals.reviews == 0
    assert result.genres == result.directors == result.actors == result.top_rated == ()
    assert result.timeline.by is None
    assert result.decades == stats.Decades((), 0)
    assert result.reviewer is None


def test_json_view_of_the_sample() -> None:
    data = stats.compute(sample(), top=3).to_json()
    assert list(data) == [
        "year",
        "totals",
        "ratings",
        "genres",
        "timeline",
        "directors",
        "actors",
        "decades",
        "top_rated",
        "tags",
    ]
    assert data["year"] is None
    assert data["ratings"][5] == {"stars": 3.0, "count": 1}
    assert data["genres"][0] == {
        "name": "Romance",
        "reviews": 3,
        "rated": 3,
        "average_rating": 4.17,
    }
    assert data["timeline"] == {
        "by": "year",
        "periods": [
            {"period": "2023", "reviews": 1, "average_rating": 3.0},
            {"period": "2024", "reviews": 5, "average_rating": 4.25},
        ],
        "undated": 1,
        "outside": 0,
    }
    assert [p["name"] for p in data["directors"]] == [
        "Denis Villeneuve",
        "Jean-Pierre Jeunet",
        "Spike Jonze",
    ]
    assert data["decades"]["rows"][2] == {
        "name": "2010s",
        "reviews": 5,
        "rated": 5,
        "average_rating": 3.1,
    }
    assert data["top_rated"][0] == {
        "id": 5,
        "title": "Amélie",
        "year": 2001,
        "rating": 5.0,
        "verdict": "Masterpiece",
        "headline": "Paris in green and gold",
        "watched_on": "2024-02-14",
    }
    assert len(data["top_rated"]) == 3


def test_watched_in_keeps_one_calendar_year() -> None:
    kept = stats.watched_in(sample(), 2024)
    assert [r.id for r in kept] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("reviewers", "expected"),
    [
        (["Colton Gomez", "Colton  Gomez"], "Colton Gomez"),
        (["Colton Gomez", "Someone Else"], None),
        (["Colton Gomez", None], None),
        ([None], None),
        ([], None),
    ],
)
def test_sole_reviewer(reviewers: list[str | None], expected: str | None) -> None:
    reviews = [film("A", i, reviewer=name) for i, name in enumerate(reviewers, start=1)]
    assert stats.sole_reviewer(reviews) == expected


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Her", "Arrival", "Dune", "Alien"]),
            st.lists(st.sampled_from(["Ann", "Bo", "cy", "Cy", "Di", "Ed"]), max_size=3),
            st.none() | st.integers(1, 10),
        ),
        max_size=25,
    ),
    st.integers(1, 4),
)
def test_top_people_are_the_head_of_the_full_ranking(
    rows: list[tuple[str, list[str], int | None]], top: int
) -> None:
    reviews = [
        Review(title, id=i, directors=names, rating=rating)
        for i, (title, names, rating) in enumerate(rows, 1)
    ]
    assert stats.directors(reviews, top=top) == stats.directors(reviews, top=None)[:top]


@given(st.lists(model_reviews, max_size=12), st.integers(1, 5), st.none() | st.integers(1990, 2030))
def test_summaries_give_the_figures_full_reviews_give(
    drawn: list[Review], top: int, year: int | None
) -> None:
    stored = [(i, orjson.loads(orjson.dumps(r.to_dict()))) for i, r in enumerate(drawn, 1)]
    full = [Review.from_dict(doc, i) for i, doc in stored]
    light = [ReviewSummary.from_dict(doc, i) for i, doc in stored]
    assert stats.compute(light, year=year, top=top).to_json() == (
        stats.compute(full, year=year, top=top).to_json()
    )
    assert [r.id for r in stats.watched_in(light, year or 2020)] == [
        r.id for r in stats.watched_in(full, year or 2020)
    ]
