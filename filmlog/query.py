"""Pure filters and sorting over reviews, shared by list, search, export and stats."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from filmlog.model import Review

SORT_KEYS = ("watched", "rating", "title", "year", "logged")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_ARTICLES = re.compile(r"^(the|a|an)\s+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text``: ``Amélie`` and ``AMELIE`` fold alike."""
    if text.isascii():  # the common case, and isascii() is O(1) in CPython
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


@dataclass(slots=True)
class Filters:
    """Every filter a search takes. Empty lists and None mean "no filter".

    Different filters must all match; the values of one repeatable filter
    match if any of them does (``all_genres`` makes genres need all).
    """

    words: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    all_genres: bool = False
    min_rating: int | None = None
    max_rating: int | None = None
    year: int | None = None
    watched_from: date | None = None
    watched_to: date | None = None
    tags: list[str] = field(default_factory=list)
    directors: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    rewatch: bool | None = None
    liked: bool | None = None

    def is_empty(self) -> bool:
        return self == Filters()

    def matcher(self) -> Callable[[Review], bool]:
        """A predicate for one review, with the query text folded once up front."""
        tests: list[Callable[[Review], bool]] = []
        if self.genres:
            wanted = {g.casefold() for g in self.genres}
            need_all = self.all_genres

            def genres_ok(r: Review) -> bool:
                have = {g.casefold() for g in r.genres}
                return wanted <= have if need_all else not wanted.isdisjoint(have)

            tests.append(genres_ok)
        if self.min_rating is not None:
            low = self.min_rating
            tests.append(lambda r: r.rating is not None and r.rating >= low)
        if self.max_rating is not None:
            high = self.max_rating
            tests.append(lambda r: r.rating is not None and r.rating <= high)
        if self.year is not None:
            year = self.year
            tests.append(lambda r: r.year == year)
        if self.watched_from is not None:
            start = self.watched_from
            tests.append(lambda r: r.watched_on is not None and r.watched_on >= start)
        if self.watched_to is not None:
            end = self.watched_to
            tests.append(lambda r: r.watched_on is not None and r.watched_on <= end)
        if self.tags:
            tags = {t.casefold() for t in self.tags}
            tests.append(lambda r: any(t.casefold() in tags for t in r.tags))
        if self.directors:
            tests.append(_any_name(self.directors, lambda r: r.directors))
        if self.actors:
            tests.append(_any_name(self.actors, lambda r: [m.actor for m in r.cast]))
        if self.rewatch is not None:
            rewatch = self.rewatch
            tests.append(lambda r: r.rewatch is rewatch)
        if self.liked is not None:
            liked = self.liked
            tests.append(lambda r: r.liked is liked)
        if self.words:
            words = [fold(w) for w in self.words if w.strip()]
            tests.append(lambda r: _has_words(r, words))
        return lambda r: all(test(r) for test in tests)


def _any_name(names: list[str], get: Callable[[Review], list[str]]) -> Callable[[Review], bool]:
    folded = [fold(n) for n in names]
    return lambda r: any(want in fold(have) for have in get(r) for want in folded)


def _has_words(review: Review, words: list[str]) -> bool:
    # Cheap fields first: most searches are decided before the long body is folded.
    fields: list[str | None] = [review.title, review.headline, *review.directors, *review.tags]
    fields.extend(m.actor for m in review.cast)
    fields.extend(m.role for m in review.cast)
    short = fold(" \n".join(f for f in fields if f))
    remaining = [w for w in words if w not in short]
    if not remaining:
        return True
    if not review.body:
        return False
    body = fold(review.body)
    return all(w in body for w in remaining)


def apply(reviews: Iterable[Review], filters: Filters) -> list[Review]:
    """The reviews that match ``filters``, in their given order."""
    if filters.is_empty():
        return list(reviews)
    match = filters.matcher()
    return [r for r in reviews if match(r)]


def _title_key(review: Review) -> str:
    return _ARTICLES.sub("", fold(review.title))


def sort(reviews: Iterable[Review], by: str = "watched", *, reverse: bool = False) -> list[Review]:
    """Sort for display: newest watched, best rated, title A-Z, newest year, newest logged.

    Reviews missing the sort field go last either way; ties fall back to the
    newest ID first, so the order is stable from run to run.
    """
    if by not in SORT_KEYS:
        raise ValueError(f"unknown sort key {by!r}")
    items = sorted(reviews, key=lambda r: -(r.id or 0))  # the tie-break, applied first
    keyed: Callable[[Review], Any]
    descending = by != "title"
    if by == "watched":
        keyed = lambda r: r.watched_on  # noqa: E731 - one-line key functions
    elif by == "rating":
        keyed = lambda r: r.rating  # noqa: E731
    elif by == "year":
        keyed = lambda r: r.year  # noqa: E731
    elif by == "logged":
        keyed = lambda r: r.logged_at  # noqa: E731
    else:
        keyed = _title_key
    present = [r for r in items if keyed(r) is not None]
    missing = [r for r in items if keyed(r) is None]
    present.sort(key=keyed, reverse=descending != reverse)  # type: ignore[arg-type]  # keys never None here
    return present + missing
