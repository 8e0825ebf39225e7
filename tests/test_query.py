"""Pure filters and sorting over stored review documents."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from filmlog.model import CastMember, Review
from filmlog.query import Filters, fold, order, select


def items(*reviews: Review) -> list[tuple[int, dict[str, object]]]:
    return [(r.id or 0, r.to_dict()) for r in reviews]


def ids(pairs: list[tuple[int, object]]) -> list[int]:
    return [i for i, _ in pairs]


def test_fold_is_case_and_accent_insensitive() -> None:
    assert fold("Amélie") == fold("AMELIE") == "amelie"
    assert fold("Straße") == "strasse"
    assert fold("Ça") == "ca"
    assert fold("東京") == "東京"


def test_words_search_every_text_field() -> None:
    r = Review(
        "Her",
        id=1,
        headline="Love and loneliness",
        body="An *operating system* named Samantha.",
        directors=["Spike Jonze"],
        cast=[CastMember("Joaquin Phoenix", "Theodore")],
        tags=["Valentine"],
    )
    for word in ("her", "LONELINESS", "operating", "jonze", "phoenix", "theodore", "valentine"):
        assert ids(select(items(r), Filters(words=[word]))) == [1], word
    assert ids(select(items(r), Filters(words=["operating", "samantha"]))) == [1]
    assert select(items(r), Filters(words=["operating", "missing"])) == []
    assert ids(select(items(r), Filters(words=["operating system"]))) == [1]
    assert select(items(r), Filters(words=["system operating"])) == []


def test_date_and_rating_bounds_are_inclusive() -> None:
    a = Review("a", id=1, watched_on=date(2024, 1, 1), rating=6)
    b = Review("b", id=2, watched_on=date(2024, 1, 31), rating=8)
    c = Review("c", id=3)
    data = items(a, b, c)
    jan = Filters(watched_from=date(2024, 1, 1), watched_to=date(2024, 1, 31))
    assert ids(select(data, jan)) == [1, 2]
    assert ids(select(data, Filters(watched_from=date(2024, 1, 2)))) == [2]
    assert ids(select(data, Filters(min_rating=6, max_rating=6))) == [1]
    assert ids(select(data, Filters(max_rating=10))) == [1, 2]  # unrated never matches a bound


def test_sort_missing_values_last_and_ties_newest_id_first() -> None:
    a = Review("b", id=1, rating=8, watched_on=date(2024, 1, 1))
    b = Review("a", id=2, rating=8)
    c = Review("The c", id=3, rating=None, watched_on=date(2024, 1, 1))
    data = items(a, b, c)
    assert ids(order(data, "rating")) == [2, 1, 3]
    assert ids(order(data, "rating", reverse=True)) == [2, 1, 3]
    assert ids(order(data, "watched")) == [3, 1, 2]
    assert ids(order(data, "title")) == [2, 1, 3]  # "The c" sorts as "c"


def test_logged_sort_compares_instants_not_text() -> None:
    early = datetime(2024, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=9)))  # 03:00 UTC
    late = datetime(2024, 1, 1, 6, 0, tzinfo=timezone(timedelta(hours=-6)))  # 12:00 UTC
    data = items(Review("early", id=1, logged_at=early), Review("late", id=2, logged_at=late))
    assert ids(order(data, "logged")) == [2, 1]


@given(st.text(max_size=60), st.text(min_size=1, max_size=4))
def test_word_search_agrees_with_full_folding(text: str, word: str) -> None:
    """The shortcuts in word search never change its answer."""
    review = Review("t", id=1, body=text)
    expected = bool(fold(word).strip()) and (fold(word) in fold("t") or fold(word) in fold(text))
    found = select(items(review), Filters(words=[word])) != []
    if fold(word).strip():
        assert found == expected


def test_word_search_folds_accents_and_decomposed_marks() -> None:
    bodies = ["Un café à Paris", "Un cafe\u0301 à Paris", "— “CAFÉ” —", "Straße"]
    data = items(*(Review("t", id=i, body=b) for i, b in enumerate(bodies, start=1)))
    assert ids(select(data, Filters(words=["cafe"]))) == [1, 2, 3]
    assert ids(select(data, Filters(words=["café"]))) == [1, 2, 3]
    assert ids(select(data, Filters(words=["strasse"]))) == [4]
