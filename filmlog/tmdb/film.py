"""TMDB's answers turned into film facts, choosing among search results, filling a review.

Pure: no network and no disk. Everything TMDB sends is checked for shape here
(a wrong shape raises :class:`~filmlog.tmdb.TMDBError`), and text is kept as
data: it is stored as sent, bounded in length, with undecodable characters
replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from filmlog.folding import fold
from filmlog.model import IMDB_ID, MPAA_RATINGS, CastMember, Review
from filmlog.tmdb import TMDBError

MAX_NAME = 500  # a person's name, a role, a genre or a title longer than this is not one
_SURROGATE = re.compile("[\ud800-\udfff]")
THEATRICAL = 3  # TMDB's release type for a theatrical release

# The facts a lookup can fill, in the order they are reported.
FACT_FIELDS = (
    "year",
    "release_date",
    "directors",
    "cast",
    "genres",
    "runtime",
    "mpaa",
    "tmdb_id",
    "imdb_id",
    "original_title",
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One search result: enough to tell films apart."""

    tmdb_id: int
    title: str
    original_title: str | None
    year: int | None
    directors: tuple[str, ...] = ()

    def label(self) -> str:
        """``Stalker (1979) · Andrei Tarkovsky · Сталкер``."""
        parts = [f"{self.title} ({self.year})" if self.year else self.title]
        if self.directors:
            parts.append(", ".join(self.directors))
        if self.original_title and self.original_title != self.title:
            parts.append(self.original_title)
        return " · ".join(parts)


@dataclass(slots=True)
class Film:
    """The facts of one film, as TMDB has them."""

    tmdb_id: int
    title: str
    original_title: str | None = None
    year: int | None = None
    release_date: date | None = None
    directors: list[str] = field(default_factory=list)
    cast: list[CastMember] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    runtime: int | None = None
    mpaa: str | None = None
    imdb_id: str | None = None

    def candidate(self) -> Candidate:
        return Candidate(
            self.tmdb_id, self.title, self.original_title, self.year, tuple(self.directors)
        )


def bad_answer(what: str) -> TMDBError:
    return TMDBError(f"TMDB sent an answer filmlog cannot read ({what}); try again later")


def _text(value: object) -> str | None:
    """Text from TMDB, or None: stripped, bounded, any lone surrogate replaced."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > MAX_NAME:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from an escape in the JSON
        text = _SURROGATE.sub("\ufffd", text)
    return text


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: object) -> date | None:
    """``2013-12-18`` or ``2013-12-18T00:00:00.000Z``; None for anything else."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return day if 1870 <= day.year <= 9999 else None


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _object(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad_answer(f"{what} is not a JSON object")
    return data


def candidates(data: object) -> list[Candidate]:
    """The results of ``/search/movie``, in TMDB's order."""
    results = _object(data, "the search").get("results")
    if not isinstance(results, list):
        raise bad_answer("the search has no results list")
    found = []
    for item in _dicts(results):
        tmdb_id = _int(item.get("id"))
        title = _text(item.get("title"))
        if tmdb_id is None or tmdb_id <= 0 or title is None:
            continue
        released = _date(item.get("release_date"))
        found.append(
            Candidate(
                tmdb_id,
                title,
                _text(item.get("original_title")),
                released.year if released else None,
            )
        )
    return found


def found_by_imdb(data: object) -> int | None:
    """The TMDB ID ``/find/{imdb_id}`` gives for a film, or None."""
    results = _object(data, "the find").get("movie_results")
    if not isinstance(results, list):
        raise bad_answer("the find has no movie_results list")
    for item in _dicts(results):
        tmdb_id = _int(item.get("id"))
        if tmdb_id is not None and tmdb_id > 0:
            return tmdb_id
    return None


def film(data: object, *, region: str = "US", cast_limit: int = 8) -> Film:
    """The facts in ``/movie/{id}?append_to_response=credits,release_dates,external_ids``."""
    details = _object(data, "the film")
    tmdb_id = _int(details.get("id"))
    title = _text(details.get("title"))
    if tmdb_id is None or tmdb_id <= 0 or title is None:
        raise bad_answer("the film has no id or title")
    credits = details.get("credits")
    credits = credits if isinstance(credits, dict) else {}
    primary = _date(details.get("release_date"))
    dates = details.get("release_dates")
    by_country = _dicts(dates.get("results")) if isinstance(dates, dict) else []
    runtime = _int(details.get("runtime"))
    external = details.get("external_ids")
    imdb = details.get("imdb_id") or (
        external.get("imdb_id") if isinstance(external, dict) else None
    )
    return Film(
        tmdb_id=tmdb_id,
        title=title,
        original_title=_text(details.get("original_title")),
        year=primary.year if primary else None,
        release_date=_released(by_country, region) or primary,
        directors=_directors(credits.get("crew")),
        cast=_cast(credits.get("cast"), cast_limit),
        genres=_unique(_text(g.get("name")) for g in _dicts(details.get("genres"))),
        runtime=runtime if runtime is not None and 0 < runtime <= 10_000 else None,
        mpaa=_certification(by_country),
        imdb_id=imdb if isinstance(imdb, str) and IMDB_ID.fullmatch(imdb) else None,
    )


def _unique(names: Any) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def _directors(crew: object) -> list[str]:
    return _unique(_text(p.get("name")) for p in _dicts(crew) if p.get("job") == "Director")


def _cast(cast: object, limit: int) -> list[CastMember]:
    billed = [p for p in _dicts(cast) if _text(p.get("name"))]
    # Billing order; a member without one goes last, keeping TMDB's order among them.
    billed.sort(key=lambda p: (_int(p.get("order")) is None, _int(p.get("order")) or 0))
    members: list[CastMember] = []
    seen: set[str] = set()
    for person in billed:
        if len(members) >= limit:
            break
        name = _text(person.get("name"))
        if name is None or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        members.append(CastMember(name, _text(person.get("character"))))
    return members


def _country(by_country: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    for country in by_country:
        if country.get("iso_3166_1") == code:
            return _dicts(country.get("release_dates"))
    return []


def _released(by_country: list[dict[str, Any]], region: str) -> date | None:
    """The first theatrical release in ``region``, else in the US; None when neither has one."""
    for code in dict.fromkeys((region, "US")):
        days = [
            day
            for entry in _country(by_country, code)
            if entry.get("type") == THEATRICAL and (day := _date(entry.get("release_date")))
        ]
        if days:
            return min(days)
    return None


def _certification(by_country: list[dict[str, Any]]) -> str | None:
    """The US certification, from the theatrical release first; only MPAA's ratings count."""
    entries = _country(by_country, "US")
    entries.sort(key=lambda entry: entry.get("type") != THEATRICAL)
    for entry in entries:
        rating = entry.get("certification")
        if isinstance(rating, str) and rating.strip() in MPAA_RATINGS:
            return rating.strip()
    return None


def same_title(a: str, b: str) -> bool:
    """Titles equal ignoring case, accents and runs of spaces."""
    return " ".join(fold(a).split()) == " ".join(fold(b).split())


def exact(found: list[Candidate], title: str, year: int | None) -> list[Candidate]:
    """The results with this title (or original title), and this year when one is given."""
    return [
        c
        for c in found
        if (
            same_title(c.title, title) or (c.original_title and same_title(c.original_title, title))
        )
        and (year is None or c.year == year)
    ]


def missing(review: Review) -> list[str]:
    """The fact fields ``review`` has no value for."""
    return [name for name in FACT_FIELDS if getattr(review, name) in (None, [], "")]


def fill(
    review: Review, facts: Film, *, overwrite: bool = False, keep: frozenset[str] = frozenset()
) -> list[str]:
    """Copy facts onto ``review`` (in place); the names of the fields that changed.

    Only empty fields are filled unless ``overwrite``, and even then a fact
    TMDB does not have never clears one. Fields in ``keep`` (given on the
    command line) are never touched, nor is anything outside :data:`FACT_FIELDS`.
    """
    changed = []
    for name in FACT_FIELDS:
        if name in keep:
            continue
        new = getattr(facts, name)
        old = getattr(review, name)
        if new in (None, []) or new == old:
            continue
        if old not in (None, [], "") and not overwrite:
            continue
        setattr(review, name, list(new) if isinstance(new, list) else new)
        changed.append(name)
    return changed
