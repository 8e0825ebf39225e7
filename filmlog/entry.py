"""Turning what a person typed for each field into changes on a review.

``add``, ``edit`` and the interactive prompts all hand their raw text here, so
every field is parsed and refused the same way wherever it was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from filmlog import parsing
from filmlog.model import CastMember, Review, dedupe_casefold


@dataclass(slots=True)
class ReviewInput:
    """The raw text given for each field; ``None`` means "not given, leave as is".

    An empty string clears an optional field (``--verdict ''``); for list
    fields an empty list or a single empty value clears the list.
    """

    title: str | None = None
    year: str | None = None
    released: str | None = None
    directors: list[str] | None = None
    cast: list[str] | None = None
    genres: list[str] | None = None
    mpaa: str | None = None
    runtime: str | None = None
    rating: str | None = None
    verdict: str | None = None
    headline: str | None = None
    body: str | None = None
    watched: str | None = None
    logged: str | None = None
    reviewer: str | None = None
    tags: list[str] | None = None
    liked: bool | None = None
    rewatch: bool | None = None

    def given(self) -> list[str]:
        """Names of the fields that were given."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


def _blank(text: str) -> bool:
    return not text.strip()


def apply(
    review: Review,
    given: ReviewInput,
    *,
    known_genres: dict[str, str] | None = None,
    known_tags: dict[str, str] | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> Review:
    """Parse every given field onto ``review`` (changed in place and returned).

    ``known_genres``/``known_tags`` map casefolded names to the spelling first
    used in the journal, so ``sci-fi`` typed today joins last year's ``Sci-Fi``.
    """
    if given.title is not None:
        review.title = given.title.strip()
    if given.year is not None:
        review.year = None if _blank(given.year) else parsing.parse_year(given.year.strip())
    if given.released is not None:
        review.release_date, review.release_precision = (
            (None, None) if _blank(given.released) else parsing.parse_release(given.released)
        )
    if given.directors is not None:
        review.directors = parsing.split_list(given.directors)
    if given.cast is not None:
        # Comma-separated like directors: "A as X, B as Y" is two people, not one.
        review.cast = [CastMember(*parsing.parse_cast(c)) for c in parsing.split_list(given.cast)]
    if given.genres is not None:
        review.genres = dedupe_casefold(parsing.split_list(given.genres), known_genres)
    if given.tags is not None:
        review.tags = dedupe_casefold(parsing.split_list(given.tags), known_tags)
    if given.mpaa is not None:
        review.mpaa = None if _blank(given.mpaa) else parsing.parse_mpaa(given.mpaa)
    if given.runtime is not None:
        review.runtime = None if _blank(given.runtime) else parsing.parse_runtime(given.runtime)
    if given.rating is not None:
        review.rating = None if _blank(given.rating) else parsing.parse_rating(given.rating)
    for name in ("verdict", "headline", "body", "reviewer"):
        text = getattr(given, name)
        if text is not None:
            setattr(review, name, None if _blank(text) else text)
    if given.watched is not None:
        review.watched_on = (
            None if _blank(given.watched) else parsing.parse_watched_date(given.watched, today)
        )
    if given.logged is not None and _blank(given.logged):
        review.logged_at, review.logged_zone = None, None
    elif given.logged is not None:
        review.logged_at, review.logged_zone = parsing.parse_timestamp(given.logged, now=now)
    if given.liked is not None:
        review.liked = given.liked
    if given.rewatch is not None:
        review.rewatch = given.rewatch
    return review.validate()
