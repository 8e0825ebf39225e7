"""Which films a set of reviews needs looked up, and what TMDB says each one is.

Each distinct film is looked up once however many times it was watched. A
film is recognised by the IMDb ID a review holds (its own field, or the one an
IMDb import kept in ``sources``), then by its TMDB ID, then by title and year;
a review without IDs joins another review of the same title and year that has
them, so pinning one viewing pins them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from filmlog.folding import fold
from filmlog.model import IMDB_ID, Review
from filmlog.tmdb import NotOnTMDB
from filmlog.tmdb.film import Candidate, Film, exact, missing

if TYPE_CHECKING:
    from filmlog.tmdb.client import Client


@dataclass(slots=True)
class Target:
    """One film to look up, and the reviews of it."""

    title: str
    year: int | None
    tmdb_id: int | None = None
    imdb_id: str | None = None
    review_ids: list[int] = field(default_factory=list)


class Found(Enum):
    FILM = "film"
    NOT_FOUND = "not found"
    AMBIGUOUS = "ambiguous"


@dataclass(slots=True)
class Outcome:
    found: Found
    film: Film | None = None
    candidates: list[Candidate] = field(default_factory=list)


def imdb_id_of(review: Review) -> str | None:
    """The IMDb ID a review holds: its own field, else the one an IMDb import kept."""
    for value in (review.imdb_id, review.sources.get("imdb")):
        if value and IMDB_ID.fullmatch(value):
            return value
    return None


def _title_key(review: Review) -> tuple[str, int | None]:
    return " ".join(fold(review.title).split()), review.year


def targets(reviews: Iterable[Review], *, overwrite: bool = False) -> tuple[list[Target], int]:
    """The films to look up, in the order of their first review, and how many reviews
    need nothing (every fact already there; ``overwrite`` looks every review up)."""
    wanted: list[tuple[int, Review]] = []
    complete = 0
    pins: dict[tuple[str, int | None], tuple[int | None, str | None]] = {}
    for review in reviews:
        if review.id is None:
            continue
        imdb = imdb_id_of(review)
        if review.tmdb_id is not None or imdb is not None:
            pins.setdefault(_title_key(review), (review.tmdb_id, imdb))
        if overwrite or missing(review):
            wanted.append((review.id, review))
        else:
            complete += 1
    films: dict[tuple[object, ...], Target] = {}
    for review_id, review in wanted:
        tmdb_id, imdb = review.tmdb_id, imdb_id_of(review)
        if tmdb_id is None and imdb is None:
            tmdb_id, imdb = pins.get(_title_key(review), (None, None))
        key: tuple[object, ...]
        if imdb is not None:
            key = ("imdb", imdb)
        elif tmdb_id is not None:
            key = ("tmdb", tmdb_id)
        else:
            key = ("title", *_title_key(review))
        target = films.get(key)
        if target is None:
            target = films[key] = Target(review.title, review.year, tmdb_id, imdb)
        target.review_ids.append(review_id)
    return list(films.values()), complete


def resolve(api: Client, target: Target) -> Outcome:
    """What TMDB says ``target`` is: by IMDb ID, then TMDB ID, then title and year.

    Errors that stop every lookup (network, credential, rate limit) are raised;
    an ID TMDB does not know falls through to the next way of finding the film.
    """
    if target.imdb_id is not None:
        tmdb_id = api.find_imdb(target.imdb_id)
        if tmdb_id is not None:
            try:
                return Outcome(Found.FILM, api.film(tmdb_id))
            except NotOnTMDB:
                pass
    if target.tmdb_id is not None:
        try:
            return Outcome(Found.FILM, api.film(target.tmdb_id))
        except NotOnTMDB:
            pass
    found = api.search(target.title, target.year)
    matches = exact(found, target.title, target.year)
    if len(matches) == 1:
        return Outcome(Found.FILM, api.film(matches[0].tmdb_id))
    if not matches:
        # Nothing with this title: the closest results would be guesses, not candidates.
        return Outcome(Found.NOT_FOUND, candidates=found[:5])
    return Outcome(Found.AMBIGUOUS, candidates=matches[:8])
