"""Pure aggregates over reviews: totals, distributions, rankings and one film's history.

Nothing here knows Rich or Typer: every function takes reviews and returns named
tuples holding the exact figures, which the charts, the Markdown recap and
``--json`` all present. (Named tuples, not frozen dataclasses: ten of those took
longer to define at import than the statistics of a thousand reviews take.)

Conventions, so every view counts alike:

* A *review* is one viewing. Genre, timeline and decade rows count reviews, so a
  film watched twice counts twice ("most watched").
* A *film* is a title (case-, accent- and space-insensitive) plus its year; a
  review without a year is a film of its own title with no year.
* People are ranked by distinct films. A person's average takes each of their
  films once, at its latest rating, so a rewatch does not weigh a film twice.
* Averages and medians are in stars (3.75), over rated reviews only; None when
  nothing is rated.
"""

import heapq
import re
import types
import typing
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import cache
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, TypeVar

from filmlog import folding
from filmlog.errors import InvalidInput, NotFound
from filmlog.model import (
    MAX_HALF_STARS,
    MIN_HALF_STARS,
    Review,
    ReviewSummary,
    display_title,
    watch_order,
)
from filmlog.parsing import quote
from filmlog.query import fold

if TYPE_CHECKING:
    from filmlog.query import Filters

FilmKey = tuple[str, int | None]


class Summary(Protocol):
    """What the aggregates read of a review: a Review, or the lighter ReviewSummary."""

    @property
    def id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def year(self) -> int | None: ...
    @property
    def release_date(self) -> date | None: ...
    @property
    def directors(self) -> list[str]: ...
    @property
    def actors(self) -> list[str]: ...
    @property
    def genres(self) -> list[str]: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def runtime(self) -> int | None: ...
    @property
    def rating(self) -> int | None: ...
    @property
    def stars(self) -> float | None: ...
    @property
    def verdict(self) -> str | None: ...
    @property
    def headline(self) -> str | None: ...
    @property
    def liked(self) -> bool: ...
    @property
    def rewatch(self) -> bool: ...
    @property
    def reviewer(self) -> str | None: ...
    @property
    def watched_on(self) -> date | None: ...


_Counted = TypeVar("_Counted", Review, ReviewSummary)

DEFAULT_TOP = 10
_TITLE_WITH_YEAR = re.compile(r"^(?P<title>.*?\S)\s*\((?P<year>[0-9]{4})\)\s*$")


def film_key(review: Summary) -> FilmKey:
    """What makes two reviews the same film: the folded title and the year."""
    return folding.film_key(review.title, review.year)


def average_stars(half_stars: Sequence[int]) -> float | None:
    """The mean of half-star ratings, in stars; None for no ratings."""
    return sum(half_stars) / (2 * len(half_stars)) if half_stars else None


def median_stars(half_stars: Sequence[int]) -> float | None:
    """The median of half-star ratings, in stars (two middle values are averaged)."""
    if not half_stars:
        return None
    ordered = sorted(half_stars)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle] / 2
    return (ordered[middle - 1] + ordered[middle]) / 4


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# ---------------------------------------------------------------------------
# Totals


class Totals(NamedTuple):
    """The headline figures."""

    reviews: int
    films: int
    rewatches: int
    liked: int
    rated: int
    minutes: int
    with_runtime: int
    without_runtime: int
    average_rating: float | None
    median_rating: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "films": self.films,
            "rewatches": self.rewatches,
            "liked": self.liked,
            "rated": self.rated,
            "unrated": self.reviews - self.rated,
            "minutes_watched": self.minutes,
            "hours_watched": round(self.minutes / 60, 1),
            "with_runtime": self.with_runtime,
            "without_runtime": self.without_runtime,
            "average_rating": _rounded(self.average_rating),
            "median_rating": self.median_rating,
        }


def totals(reviews: Sequence[Summary], films: "Films | None" = None) -> Totals:
    """Counts, time watched and the rating average and median."""
    ratings = [r.rating for r in reviews if r.rating is not None]
    runtimes = [r.runtime for r in reviews if r.runtime is not None]
    return Totals(
        reviews=len(reviews),
        films=len((films or Films(reviews)).latest_rating),
        rewatches=sum(1 for r in reviews if r.rewatch),
        liked=sum(1 for r in reviews if r.liked),
        rated=len(ratings),
        minutes=sum(runtimes),
        with_runtime=len(runtimes),
        without_runtime=len(reviews) - len(runtimes),
        average_rating=average_stars(ratings),
        median_rating=median_stars(ratings),
    )


# ---------------------------------------------------------------------------
# Rating distribution


class RatingCount(NamedTuple):
    """How many reviews gave exactly this rating."""

    half_stars: int
    reviews: int

    @property
    def stars(self) -> float:
        return self.half_stars / 2


def rating_distribution(reviews: Iterable[Summary]) -> tuple[RatingCount, ...]:
    """One row per half-star step, ½ to 5, including the steps nobody gave."""
    counts = dict.fromkeys(range(MIN_HALF_STARS, MAX_HALF_STARS + 1), 0)
    for review in reviews:
        if review.rating is not None:
            counts[review.rating] += 1
    return tuple(RatingCount(half, n) for half, n in counts.items())


# ---------------------------------------------------------------------------
# Grouped rows: genres, decades


class GroupRow(NamedTuple):
    """Reviews in one group (a genre, a decade) and their average rating."""

    name: str
    reviews: int
    rated: int
    average_rating: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "reviews": self.reviews,
            "rated": self.rated,
            "average_rating": _rounded(self.average_rating),
        }


class _Group:
    __slots__ = ("name", "ratings", "reviews")

    def __init__(self, name: str) -> None:
        self.name = name
        self.reviews = 0
        self.ratings: list[int] = []

    def add(self, review: Summary) -> None:
        self.reviews += 1
        if review.rating is not None:
            self.ratings.append(review.rating)

    def row(self) -> GroupRow:
        return GroupRow(self.name, self.reviews, len(self.ratings), average_stars(self.ratings))


def _by_count(row: GroupRow) -> tuple[int, float, str]:
    # Most reviews first; ties go to the better rated, then alphabetical.
    return (-row.reviews, -(row.average_rating or 0.0), fold(row.name))


def genres(reviews: Iterable[Summary]) -> tuple[GroupRow, ...]:
    """Reviews and average rating per genre, most watched first.

    Genres are matched ignoring case and shown in their first spelling.
    """
    return _labels(reviews, lambda r: r.genres)


def tags(reviews: Iterable[Summary], *, top: int | None = None) -> tuple[GroupRow, ...]:
    """Reviews and average rating per tag, most used first (matched as genres are)."""
    rows = _labels(reviews, lambda r: r.tags)
    return rows if top is None else rows[:top]


def _labels(
    reviews: Iterable[Summary], labels: Callable[[Summary], list[str]]
) -> tuple[GroupRow, ...]:
    groups: dict[str, _Group] = {}
    keys: dict[str, str] = {}  # each spelling's key: a journal spells a label a few ways
    for review in reviews:
        seen: set[str] = set()
        for name in labels(review):
            key = keys.get(name)
            if key is None:
                key = keys[name] = name.strip().casefold()
            if not key or key in seen:
                continue
            seen.add(key)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(name.strip())
            group.add(review)
    return tuple(sorted((g.row() for g in groups.values()), key=_by_count))


def release_year(review: Summary) -> int | None:
    """The film's year: its own, else its release date's."""
    if review.year is not None:
        return review.year
    return review.release_date.year if review.release_date else None


class Decades(NamedTuple):
    """Reviews per decade of release, oldest decade first, and how many have no year."""

    rows: tuple[GroupRow, ...]
    unknown: int

    def to_json(self) -> dict[str, Any]:
        return {"rows": [r.to_json() for r in self.rows], "unknown": self.unknown}


def decades(reviews: Iterable[Summary]) -> Decades:
    """Reviews and average rating per decade of release (``1970s``), in time order."""
    groups: dict[int, _Group] = {}
    unknown = 0
    for review in reviews:
        year = release_year(review)
        if year is None:
            unknown += 1
            continue
        decade = year - year % 10
        group = groups.get(decade)
        if group is None:
            group = groups[decade] = _Group(f"{decade}s")
        group.add(review)
    return Decades(tuple(groups[d].row() for d in sorted(groups)), unknown)


# ---------------------------------------------------------------------------
# Timeline


class Period(NamedTuple):
    """Reviews watched in one month or one year."""

    year: int
    month: int | None
    reviews: int
    average_rating: float | None

    @property
    def label(self) -> str:
        """``2024-04`` for a month, ``2024`` for a year."""
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.label,
            "reviews": self.reviews,
            "average_rating": _rounded(self.average_rating),
        }


class Timeline(NamedTuple):
    """Reviews per period, with no gaps between the first and the last.

    ``by`` is ``"month"`` (the twelve months of one year) when every dated review
    falls in one calendar year, or the year was asked for; ``"year"`` otherwise;
    None when no review has a watch date. ``undated`` reviews have no watch
    date; ``outside`` ones were watched in another year than the one charted.
    """

    by: Literal["month", "year"] | None
    periods: tuple[Period, ...]
    undated: int
    outside: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "periods": [p.to_json() for p in self.periods],
            "undated": self.undated,
            "outside": self.outside,
        }


def timeline(reviews: Sequence[Summary], year: int | None = None) -> Timeline:
    """Reviews per month of ``year`` (or of the only year watched), else per year."""
    dated = [(r, r.watched_on) for r in reviews if r.watched_on is not None]
    undated = len(reviews) - len(dated)
    years = {watched.year for _, watched in dated}
    if year is None and len(years) == 1:
        year = next(iter(years))
    if year is not None:
        months = {m: _Group("") for m in range(1, 13)}
        for review, watched in dated:
            if watched.year == year:
                months[watched.month].add(review)
        periods = tuple(
            Period(year, m, g.reviews, average_stars(g.ratings)) for m, g in months.items()
        )
        outside = len(dated) - sum(p.reviews for p in periods)
        return Timeline("month", periods, undated, outside)
    if not dated:
        return Timeline(None, (), undated)
    per_year = {y: _Group("") for y in range(min(years), max(years) + 1)}
    for review, watched in dated:
        per_year[watched.year].add(review)
    periods = tuple(
        Period(y, None, g.reviews, average_stars(g.ratings)) for y, g in per_year.items()
    )
    return Timeline("year", periods, undated)


# ---------------------------------------------------------------------------
# People


class PersonRow(NamedTuple):
    """One director or actor: distinct films, reviews, and the average of their films."""

    name: str
    films: int
    reviews: int
    rated_films: int
    average_rating: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "films": self.films,
            "reviews": self.reviews,
            "rated_films": self.rated_films,
            "average_rating": _rounded(self.average_rating),
        }


class Films:
    """The films among some reviews, worked out once and shared by the rankings.

    ``viewings`` pairs each review with its film, oldest viewing first;
    ``latest_rating`` is each film's most recent rating (a later unrated viewing
    keeps the earlier one); ``latest_rated`` is the viewing that gave it.
    """

    __slots__ = ("latest_rated", "latest_rating", "viewings")

    def __init__(self, reviews: Iterable[Summary]) -> None:
        self.viewings = sorted(((r, film_key(r)) for r in reviews), key=lambda p: watch_order(p[0]))
        self.latest_rating: dict[FilmKey, int | None] = {}
        self.latest_rated: dict[FilmKey, Summary] = {}
        for review, key in self.viewings:
            if review.rating is not None:
                self.latest_rating[key] = review.rating
                self.latest_rated[key] = review
            else:
                self.latest_rating.setdefault(key, None)


def _person_key(name: str) -> str:
    return " ".join(name.casefold().split())


class _Tally:
    """Films and reviews per person (by key), over every name or only some spellings."""

    def __init__(
        self,
        viewings: list[tuple[Summary, FilmKey]],
        names: Callable[[Summary], Iterable[str]],
        only: dict[str, str] | None = None,  # spelling -> key; None: every name
    ) -> None:
        keys: dict[str, str] = {} if only is None else only
        wanted = None if only is None else set(only)
        self.spelled: dict[str, str] = {}  # each key's first spelling, oldest viewing first
        self.films: defaultdict[str, set[FilmKey]] = defaultdict(set)
        self.reviews: defaultdict[str, int] = defaultdict(int)
        for review, film in viewings:
            listed = names(review)
            if wanted is not None and wanted.isdisjoint(listed):
                continue  # the usual case when counting a few people: decided in C
            here: set[str] = set()
            for name in listed:
                key = keys.get(name)
                if key is None:
                    if wanted is not None:
                        continue
                    key = keys[name] = _person_key(name)
                self.spelled.setdefault(key, name.strip())
                here.add(key)
            here.discard("")
            for key in here:
                self.films[key].add(film)
                self.reviews[key] += 1


def _contenders(
    viewings: list[tuple[Summary, FilmKey]], names: Callable[[Summary], Iterable[str]], top: int
) -> dict[str, str] | None:
    """The spellings of everyone who could rank in the ``top`` by films; None for everyone.

    A person's films are at most the times they are named, and those are counted
    in C over every name. Counting the films of the ``top`` most named gives a
    film count the ranking reaches at least; only people named that often can.
    """
    named = Counter(chain.from_iterable(names(review) for review, _ in viewings))
    keys = {spelling: _person_key(spelling) for spelling in named}
    bound: defaultdict[str, int] = defaultdict(int)
    for spelling, times in named.items():
        bound[keys[spelling]] += times
    bound.pop("", None)
    if len(bound) <= top:
        return None
    most_named = {key for key, _ in heapq.nlargest(top, bound.items(), key=itemgetter(1))}
    first = _Tally(viewings, names, {s: k for s, k in keys.items() if k in most_named})
    reached = min(len(first.films[key]) for key in most_named)
    return {s: k for s, k in keys.items() if bound.get(k, 0) >= reached}


def people(
    reviews: Sequence[Summary],
    names: Callable[[Summary], Iterable[str]],
    *,
    top: int | None = DEFAULT_TOP,
    films: "Films | None" = None,
) -> tuple[PersonRow, ...]:
    """Rank people by distinct films, then by average rating, then by name."""
    films = films or Films(reviews)
    only = None if top is None else _contenders(films.viewings, names, top)
    tally = _Tally(films.viewings, names, only)
    rows = []
    ratings = films.latest_rating
    candidates: dict[str, set[FilmKey]] = tally.films
    if top is not None and len(candidates) > top:
        # Only people with at least the top-th largest film count can rank.
        least = heapq.nlargest(top, map(len, candidates.values()))[-1]
        candidates = {k: w for k, w in candidates.items() if len(w) >= least}
    for key, watched in candidates.items():
        rated = [r for f in watched if (r := ratings[f]) is not None]
        rows.append(
            PersonRow(
                tally.spelled[key],
                len(watched),
                tally.reviews[key],
                len(rated),
                average_stars(rated),
            )
        )
    rows.sort(key=lambda p: (-p.films, -(p.average_rating or 0.0), fold(p.name)))
    return tuple(rows if top is None else rows[:top])


def directors(
    reviews: Sequence[Summary], *, top: int | None = DEFAULT_TOP, films: "Films | None" = None
) -> tuple[PersonRow, ...]:
    """The most watched directors."""
    return people(reviews, lambda r: r.directors, top=top, films=films)


def actors(
    reviews: Sequence[Summary], *, top: int | None = DEFAULT_TOP, films: "Films | None" = None
) -> tuple[PersonRow, ...]:
    """The most watched actors."""
    return people(reviews, lambda r: r.actors, top=top, films=films)


# ---------------------------------------------------------------------------
# Top-rated films (for the recap)


def top_rated(
    reviews: Sequence[Summary], *, top: int | None = DEFAULT_TOP, films: "Films | None" = None
) -> tuple[Summary, ...]:
    """The best-rated films, each once at its latest rated viewing.

    Only films rated above the median rating of ``reviews`` count (when every
    rating is the same, those at it): a short list beats one that runs down to
    the films you disliked. Ties go to liked films, then to the one watched
    first, then to the lower ID, so the order never changes between runs.
    """
    films = films or Films(reviews)
    median = median_stars([r.rating for r in reviews if r.rating is not None])
    if median is None:
        return ()
    latest = films.latest_rated.values()
    chosen = [r for r in latest if (r.rating or 0) / 2 > median] or [
        r for r in latest if (r.rating or 0) / 2 == median
    ]
    ranked = sorted(chosen, key=lambda r: (-(r.rating or 0), not r.liked, *watch_order(r)))
    return tuple(ranked if top is None else ranked[:top])


class TopFilm(NamedTuple):
    """One film of the top-rated list: the viewing that gave its latest rating."""

    id: int | None
    title: str
    year: int | None
    rating: int | None
    verdict: str | None
    headline: str | None
    liked: bool
    watched_on: date | None

    @property
    def stars(self) -> float | None:
        return None if self.rating is None else self.rating / 2

    @classmethod
    def of(cls, review: Summary) -> "TopFilm":
        return cls(
            review.id,
            review.title,
            review.year,
            review.rating,
            review.verdict,
            review.headline,
            review.liked,
            review.watched_on,
        )


# ---------------------------------------------------------------------------
# Everything at once


class Stats(NamedTuple):
    """Every aggregate ``filmlog stats`` shows, for one set of reviews."""

    year: int | None
    totals: Totals
    ratings: tuple[RatingCount, ...]
    genres: tuple[GroupRow, ...]
    timeline: Timeline
    directors: tuple[PersonRow, ...]
    actors: tuple[PersonRow, ...]
    decades: Decades
    top_rated: tuple[TopFilm, ...] = ()
    tags: tuple[GroupRow, ...] = ()
    # The one person who wrote every review, for a recap's byline; None when several or none.
    reviewer: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The documented ``stats --json`` view: the figures the charts show."""
        return {
            "year": self.year,
            "totals": self.totals.to_json(),
            "ratings": [{"stars": r.stars, "count": r.reviews} for r in self.ratings],
            "genres": [g.to_json() for g in self.genres],
            "timeline": self.timeline.to_json(),
            "directors": [p.to_json() for p in self.directors],
            "actors": [p.to_json() for p in self.actors],
            "decades": self.decades.to_json(),
            "top_rated": [
                {
                    "id": r.id,
                    "title": r.title,
                    "year": r.year,
                    "rating": r.stars,
                    "verdict": r.verdict,
                    "headline": r.headline,
                    "watched_on": r.watched_on.isoformat() if r.watched_on else None,
                }
                for r in self.top_rated
            ],
            "tags": [t.to_json() for t in self.tags],
        }

    def to_plain(self) -> list[Any]:
        """These figures as lists, strings, numbers, booleans and None, for orjson or marshal;
        :meth:`from_plain` gives them back exactly."""
        plain: list[Any] = _to_plain(self)
        return plain

    @classmethod
    def from_plain(cls, plain: object) -> "Stats":
        """The Stats :meth:`to_plain` gave ``plain`` for; ValueError when it is not one."""
        found: Stats = _from_plain(cls, plain)
        return found


def _to_plain(value: object) -> Any:
    if isinstance(value, tuple | list):  # a NamedTuple's fields in order, as a tuple's items
        return [_to_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@cache
def _fields(kind: type) -> tuple[Any, ...]:
    hints = typing.get_type_hints(kind)
    return tuple(hints[name] for name in kind._fields)  # type: ignore[attr-defined]  # NamedTuple


def _from_plain(kind: Any, plain: object) -> Any:
    """The value of type ``kind`` (as the NamedTuples above annotate) :func:`_to_plain` made
    ``plain`` of, checked: a value of another type is a ValueError, never a wrong figure."""
    origin = typing.get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        if plain is None and type(None) in typing.get_args(kind):
            return None
        (kind,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return _from_plain(kind, plain)
    if origin is Literal:
        if isinstance(plain, str) and plain in typing.get_args(kind):
            return plain
    elif origin in (tuple, list):
        item = typing.get_args(kind)[0]
        if isinstance(plain, list):
            return origin(_from_plain(item, value) for value in plain)
    elif isinstance(kind, type) and issubclass(kind, tuple):  # a NamedTuple
        types_ = _fields(kind)
        if isinstance(plain, list) and len(plain) == len(types_):
            return kind(*(_from_plain(t, v) for t, v in zip(types_, plain, strict=True)))
    elif kind is date:
        if isinstance(plain, str):
            return date.fromisoformat(plain)
    elif kind is float:
        if type(plain) in (float, int):
            return plain
    elif type(plain) is kind:  # int, str, bool: exactly (a bool is no int here)
        return plain
    raise ValueError(f"not a {kind}: {plain!r:.40}")


# Bump when what compute gives changes: the index keeps its results under keys that name it.
COMPUTE_VERSION = 1


def cache_key(filters: "Filters", year: int | None, top: int) -> str:
    """What :func:`compute`'s result depends on, beyond the journal version, as one string.

    Nothing compute does reads the clock (a timeline runs from the first viewing
    watched to the last, not to today; filters hold dates already resolved), so
    the date is no part of it.
    """
    import dataclasses

    chosen = sorted((f.name, getattr(filters, f.name)) for f in dataclasses.fields(filters))
    # repr, not JSON: a word from the command line may hold a byte that is no UTF-8
    # (a lone surrogate), and repr spells every str, int, bool, None and date one way.
    return repr((COMPUTE_VERSION, chosen, year, top))


def compute(
    reviews: Sequence[Summary], *, year: int | None = None, top: int = DEFAULT_TOP
) -> Stats:
    """Every aggregate for ``reviews`` (already filtered); ``year`` charts its twelve months."""
    films = Films(reviews)
    return Stats(
        year=year,
        totals=totals(reviews, films),
        ratings=rating_distribution(reviews),
        genres=genres(reviews),
        timeline=timeline(reviews, year),
        directors=directors(reviews, top=top, films=films),
        actors=actors(reviews, top=top, films=films),
        decades=decades(reviews),
        top_rated=tuple(map(TopFilm.of, top_rated(reviews, top=top, films=films))),
        tags=tags(reviews, top=top),
        reviewer=sole_reviewer(reviews),
    )


def sole_reviewer(reviews: Iterable[Summary]) -> str | None:
    """The reviewer of every review when that is one named person, else None."""
    names = {" ".join((name or "").split()) for name in {r.reviewer for r in reviews}}
    return (names.pop() or None) if len(names) == 1 else None


def watched_in(reviews: Iterable[_Counted], year: int) -> list[_Counted]:
    """The reviews watched in one calendar year."""
    return [r for r in reviews if r.watched_on is not None and r.watched_on.year == year]


# ---------------------------------------------------------------------------
# One film's history


class Viewing(NamedTuple):
    """One viewing in a film's history and how its rating moved from the last rated one.

    ``change`` is in half-stars (+2 is a star higher), None for an unrated viewing
    or the first rated one.
    """

    review: Review
    change: int | None


class History(NamedTuple):
    """Every viewing of one film, oldest first."""

    title: str
    year: int | None
    viewings: tuple[Viewing, ...]

    @property
    def display_title(self) -> str:
        return display_title(self.title, self.year)

    @property
    def ratings(self) -> list[int]:
        return [v.review.rating for v in self.viewings if v.review.rating is not None]

    @property
    def first_rating(self) -> int | None:
        return self.ratings[0] if self.ratings else None

    @property
    def last_rating(self) -> int | None:
        return self.ratings[-1] if self.ratings else None

    @property
    def change(self) -> int | None:
        """Last rating minus first, in half-stars; None with fewer than two ratings."""
        ratings = self.ratings
        return ratings[-1] - ratings[0] if len(ratings) >= 2 else None

    def to_json(self) -> dict[str, Any]:
        def stars(half: int | None) -> float | None:
            return None if half is None else half / 2

        return {
            "title": self.title,
            "year": self.year,
            "viewings": [
                {**v.review.to_json(), "rating_change": stars(v.change)} for v in self.viewings
            ],
            "first_rating": stars(self.first_rating),
            "last_rating": stars(self.last_rating),
            "rating_change": stars(self.change),
        }


def split_title_year(text: str) -> tuple[str, int | None]:
    """``"Her (2013)"`` -> ``("Her", 2013)``; text without a trailing year -> (text, None)."""
    text = text.strip()
    match = _TITLE_WITH_YEAR.match(text)
    if match is None:
        return text, None
    return match["title"], int(match["year"])


def _same_title(reviews: Iterable[Review], title: str) -> list[Review]:
    wanted = folding.title_key(title)
    return [r for r in reviews if film_key(r)[0] == wanted]


def _by_id_or_part(
    reviews: list[Review], query: str, title: str, year: int | None
) -> tuple[list[Review], int | None]:
    """The viewings of the film a review ID (``12``, ``#12``) or a part of one title names.

    Raises InvalidInput when the part is in several titles, and NotFound, with the
    closest titles as suggestions, when nothing matches.
    """
    if ident := re.fullmatch(r"#?([0-9]+)", query.strip()):
        for review in reviews:
            if review.id == int(ident[1]):
                key = film_key(review)
                return [r for r in reviews if film_key(r) == key], review.year
    part = " ".join(fold(title).split())
    titles: dict[str, str] = {}  # folded title -> its first spelling
    for review in reviews:
        folded = film_key(review)[0]
        if part and part in folded and (year is None or review.year in (None, year)):
            titles.setdefault(folded, review.title)
    if len(titles) == 1:
        return _same_title(reviews, next(iter(titles.values()))), year
    if titles:
        names = sorted(titles.values(), key=fold)
        listed = ", ".join(quote(n) for n in names[:5]) + (", …" if len(names) > 5 else "")
        raise InvalidInput(
            f"{quote(query)} is part of more than one title ({listed}): give more of it"
        )
    import difflib

    every: dict[str, str] = {}  # folded title -> its first spelling
    for review in reviews:
        every.setdefault(film_key(review)[0], review.title)
    close = difflib.get_close_matches(part, list(every), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(quote(every[c]) for c in close)}?" if close else ""
    raise NotFound(f"no reviews of a film titled {quote(query)}{hint}")


def history(reviews: Iterable[Review], query: str) -> History:
    """Every viewing of the film ``query`` names, oldest first.

    ``query`` is a title (``Her``, any case and accents), with the year to tell
    remakes apart (``Her (2013)``), a part of one title (``amel``), or a review
    ID (``12`` or ``#12``) of one of its viewings; a whole title comes first, so
    a film called ``1917`` is found by its title.

    Raises NotFound when no review matches (naming the closest titles), and
    InvalidInput when the title alone matches films of different years
    (remakes), or a part matches several titles.
    """
    reviews = list(reviews)
    title, year = split_title_year(query)
    found = _same_title(reviews, title)
    if year is not None and not any(r.year == year for r in found):
        # Perhaps a title that itself ends in "(1234)" rather than a year in brackets.
        whole = _same_title(reviews, query)
        if whole:
            found, year = whole, None
        elif found:
            raise NotFound(f"no reviews of a film titled {quote(query)}")
    if not found:
        found, year = _by_id_or_part(reviews, query, title, year)
    if year is not None:
        exact = [r for r in found if r.year == year]
        if not exact:
            raise NotFound(f"no reviews of a film titled {quote(query)}")
        # A review logged without a year joins in, unless a remake makes it ambiguous.
        remakes = any(r.year not in (None, year) for r in found)
        found = exact if remakes else [r for r in found if r.year in (None, year)]
    if year is None:
        years = sorted({r.year for r in found if r.year is not None})
        if len(years) > 1:
            choices = ", ".join(f"{found[0].title} ({y})" for y in years)
            raise InvalidInput(
                f"{quote(query)} matches more than one film ({choices}): "
                "give the year, as in 'Title (2013)'"
            )
        year = years[0] if years else None
    ordered = sorted(found, key=watch_order)
    viewings: list[Viewing] = []
    previous: int | None = None
    for review in ordered:
        change = None
        if review.rating is not None:
            if previous is not None:
                change = review.rating - previous
            previous = review.rating
        viewings.append(Viewing(review, change))
    shown = ordered[-1].title
    return History(shown, year, tuple(viewings))
