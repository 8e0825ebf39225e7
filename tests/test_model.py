"""The review model: validation, the stored form and the JSON view."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmlog.entry import ReviewInput, apply
from filmlog.errors import InvalidInput
from filmlog.model import (
    JSON_KEYS,
    STORED_KEYS,
    CastMember,
    Review,
    ReviewSummary,
    as_stored,
    dedupe_casefold,
)
from tests.factories import reviews


@given(reviews)
def test_stored_form_round_trips_through_json(review: Review) -> None:
    review.validate()
    stored = orjson.loads(orjson.dumps(review.to_dict()))
    assert Review.from_dict(stored, review.id) == review


@given(reviews, st.sampled_from(["none", "first", "last"]))
def test_a_stored_review_is_taken_as_it_is(review: Review, place: str) -> None:
    stored = orjson.loads(orjson.dumps(review.to_dict()))
    assert tuple(stored) == STORED_KEYS
    item = {
        "none": stored,
        "first": {"id": 7, **stored},
        "last": {**stored, "id": 7},
    }[place]
    [taken] = as_stored([item])
    assert taken is not None and taken is not item
    assert orjson.dumps(taken) == orjson.dumps(stored)


_NEAR_MISSES = [
    *("", " ", "x", "2024-02-30", "2024-01-05", "2024-01-05T10:00:00Z"),
    *("2024-01-05T10:00:00+00:00", "2024-01-05T10:00:00", "20240105", "2024-1-5"),
]
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(_NEAR_MISSES),
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(st.sampled_from(["actor", "role", "x"]), inner, max_size=2)
    ),
    max_leaves=4,
)


@given(reviews, st.sampled_from([*STORED_KEYS, "extra"]), _JSON_VALUES, st.booleans())
def test_what_as_stored_takes_is_what_the_long_way_gives(
    review: Review, name: str, value: object, drop: bool
) -> None:
    """Any change to a stored review: as_stored gives the Review's stored form, or None."""
    item = orjson.loads(orjson.dumps(review.to_dict()))
    if drop and name in item:
        del item[name]
    else:
        item[name] = value
    [taken] = as_stored([item])
    try:
        long_way = Review.from_dict(item).to_dict()
    except InvalidInput:
        assert taken is None
        return
    assert taken is None or orjson.dumps(taken) == orjson.dumps(long_way)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("logged_at", "2024-01-05T10:00:00Z"),
        ("updated_at", "2024-01-05 10:00:00+00:00"),
        ("release_date", "20240105"),
        ("watched_on", ""),
        ("cast", [{"role": "Bell", "actor": "Ann"}]),
        ("cast", [{"actor": "Ann"}]),
        ("cast", ["Ann"]),
        ("liked", 1),
        ("genres", None),
        ("sources", None),
        ("uuid", ""),
        ("genres", ["Drama", 1]),
        ("title", 5),
        ("watched_on", "2024-02-30"),
    ],
)
def test_a_review_not_in_stored_form_goes_the_long_way(name: str, value: object) -> None:
    item = Review("Heat", year=1995, uuid="u-1").to_dict()
    item[name] = value
    try:
        long_way = Review.from_dict(item).to_dict()
    except InvalidInput:
        pass  # not a review at all
    else:
        assert orjson.dumps(long_way) != orjson.dumps(item)  # what would be written differs
    assert as_stored([item]) == [None]


def test_one_review_not_in_stored_form_leaves_the_others_taken() -> None:
    """A date that does not parse fails the column's check in bulk; each is then checked alone."""
    items = [
        Review(title, watched_on=date(2024, 1, day), uuid=f"u-{day}").to_dict()
        for day, title in enumerate(["Heat", "Ran", "Alien"], 1)
    ]
    items[1]["watched_on"] = "2024-02-30"
    taken = as_stored(items)
    assert taken[1] is None
    assert [orjson.dumps(taken[n]) for n in (0, 2)] == [orjson.dumps(items[n]) for n in (0, 2)]


@given(reviews)
def test_json_view_has_exactly_the_documented_keys(review: Review) -> None:
    view = review.to_json()
    assert tuple(view) == JSON_KEYS
    assert view["rating"] == (None if review.rating is None else review.rating / 2)
    assert view["id"] == review.id


@pytest.mark.parametrize(
    ("review", "message"),
    [
        (Review(""), "title must not be empty"),
        (Review("x", rating=0), "rating must be 1 to 10 half-stars"),
        (Review("x", rating=11), "rating must be 1 to 10 half-stars"),
        (Review("x", year=12), "year must be from 1870"),
        (Review("x", runtime=0), "runtime"),
        (Review("x", mpaa="X"), "MPAA rating must be one of"),
        (Review("x", body="bad \udc80 byte"), "not valid UTF-8"),
        (Review("x", logged_at=datetime(2024, 1, 1)), "must carry a time zone"),
        (Review("x", genres=[" "]), "genres must not be empty"),
    ],
)
def test_validate_names_the_bad_field(review: Review, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        review.validate()


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"title": 5},
        {"title": "x", "genres": "Drama"},
        {"title": "x", "genres": [1]},
        {"title": "x", "watched_on": "yesterday"},
        {"title": "x", "cast": [{"role": "no actor"}]},
    ],
)
def test_from_dict_refuses_malformed_documents(doc: dict[str, object]) -> None:
    with pytest.raises(InvalidInput, match="malformed review"):
        Review.from_dict(doc, 1)
    with pytest.raises(InvalidInput, match="malformed review"):
        ReviewSummary.from_dict(doc, 1)


SUMMARY_FIELDS = (*ReviewSummary.__slots__, "stars")


@given(reviews)
def test_summary_reads_what_the_review_reads(review: Review) -> None:
    stored = orjson.loads(orjson.dumps(review.to_dict()))
    summary = ReviewSummary.from_dict(stored, review.id)
    full = Review.from_dict(stored, review.id)
    assert {name: getattr(summary, name) for name in SUMMARY_FIELDS} == {
        name: getattr(full, name) for name in SUMMARY_FIELDS
    }
    assert summary.actors == [member.actor for member in review.cast]


def test_summary_reads_a_cast_stored_as_plain_names() -> None:
    assert ReviewSummary.from_dict({"title": "x", "cast": ["Ann", {"actor": "Bo"}]}).actors == [
        "Ann",
        "Bo",
    ]


def test_copy_does_not_share_lists() -> None:
    original = Review("x", genres=["Drama"], sources={"imdb": "tt1"})
    copy = original.copy(title="y")
    copy.genres.append("Comedy")
    copy.sources["letterboxd"] = "u"
    assert original.genres == ["Drama"] and original.sources == {"imdb": "tt1"}
    assert copy.title == "y"


def test_dedupe_casefold_keeps_known_spelling_and_order() -> None:
    assert dedupe_casefold(["sci-fi", "Drama", "SCI-FI", " ", "drama"], {"sci-fi": "Sci-Fi"}) == [
        "Sci-Fi",
        "Drama",
    ]


def test_apply_parses_each_given_field_and_leaves_the_rest() -> None:
    review = Review("Her", verdict="Good", rating=8, tags=["keep"])
    today = date(2024, 4, 20)
    now = datetime(2024, 4, 20, 12, 0, tzinfo=timezone(timedelta(hours=-6)))
    given_fields = ReviewInput(
        rating="3½",
        runtime="2h 6m",
        watched="3 days ago",
        cast=["Joaquin Phoenix as Theodore", ""],
        mpaa="pg-13",
        logged="04/13/24 1:21 AM Mountain Time",
    )
    apply(review, given_fields, today=today, now=now)
    assert review.rating == 7
    assert review.runtime == 126
    assert review.watched_on == date(2024, 4, 17)
    assert review.cast == [CastMember("Joaquin Phoenix", "Theodore")]
    assert review.mpaa == "PG-13"
    assert review.logged_zone == "America/Denver"
    assert review.verdict == "Good" and review.tags == ["keep"]
    assert given_fields.given() == ["cast", "mpaa", "runtime", "rating", "watched", "logged"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tmdb_id": 0}, "tmdb_id must be a positive whole number"),
        ({"tmdb_id": "152601"}, "tmdb_id must be a positive whole number"),
        ({"tmdb_id": True}, "tmdb_id must be a positive whole number"),
        ({"imdb_id": "1798709"}, "imdb_id must look like tt0137523"),
        ({"imdb_id": "tt12"}, "imdb_id must look like tt0137523"),
        ({"imdb_id": "tt1798709\n"}, "imdb_id must look like tt0137523"),
        ({"original_title": 5}, "original_title must be text"),
    ],
)
def test_film_identifiers_are_validated(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Review("Her", **changes).validate()  # type: ignore[arg-type]  # wrong types on purpose


def test_film_identifiers_are_stored_and_shown_in_json() -> None:
    review = Review("Lei", tmdb_id=152601, imdb_id="tt1798709", original_title="Her").validate()
    stored = review.to_dict()
    assert (stored["tmdb_id"], stored["imdb_id"], stored["original_title"]) == (
        152601,
        "tt1798709",
        "Her",
    )
    assert Review.from_dict(stored, 1).original_title == "Her"
    view = review.to_json()
    assert (view["tmdb_id"], view["imdb_id"], view["original_title"]) == (
        152601,
        "tt1798709",
        "Her",
    )
