"""The review: one viewing of one film, with validation and its stored and JSON forms."""

from __future__ import annotations

import re
import uuid as uuid_module
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import itemgetter
from typing import Any, NamedTuple, Protocol, TypeGuard

from filmlog.errors import InvalidInput, brief

MPAA_RATINGS = ("G", "PG", "PG-13", "R", "NC-17", "NR")
MIN_HALF_STARS = 1
MAX_HALF_STARS = 10
MIN_RUNTIME = 1
# Generous enough for the longest released films (some run over 14 hours) while
# still catching a stray extra digit.
MAX_RUNTIME = 1500
FIRST_FILM_YEAR = 1870
# How far ahead of this year an announced film may be dated.
YEARS_AHEAD = 10


def latest_year() -> int:
    """The latest year a film may have: this year and :data:`YEARS_AHEAD` more."""
    from filmlog import clock

    return clock.today().year + YEARS_AHEAD


def display_title(title: str, year: int | None) -> str:
    """``Title (Year)``, or the bare title when the year is unknown."""
    return f"{title} ({year})" if year else title


def watch_order(review: Any) -> tuple[bool, date, int]:
    """Sort key: oldest viewing first, undated ones after the dated, ties in ID order."""
    return (review.watched_on is None, review.watched_on or date.min, review.id or 0)


def is_int(value: object) -> TypeGuard[int]:
    """A whole number, and not a bool (which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


IMDB_ID = re.compile(r"tt[0-9]{7,10}")
# How much of a release date is known when not the day: "1991-09" is a month, "1982" a year.
RELEASE_PRECISIONS = ("year", "month")
MAX_TEXT = 10_000_000  # a body past 10 MB is a mistake (a binary file piped in), not an essay

# The keys of the `--json` view, in order; scripts rely on exactly these.
JSON_KEYS = (
    "id",
    "uuid",
    "tmdb_id",
    "imdb_id",
    "title",
    "original_title",
    "year",
    "release_date",
    "release_precision",
    "directors",
    "cast",
    "genres",
    "mpaa",
    "runtime",
    "rating",
    "verdict",
    "headline",
    "body",
    "tags",
    "liked",
    "rewatch",
    "reviewer",
    "watched_on",
    "logged_at",
    "updated_at",
)


_new_tuple = tuple.__new__
_ACTOR = itemgetter("actor")


class CastMember(NamedTuple):
    """An actor and, when known, the role they play.

    A named tuple rather than a dataclass: a journal of 10,000 reviews holds
    tens of thousands of these, and a tuple is several times cheaper to build.
    """

    actor: str
    role: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"actor": self.actor, "role": self.role}

    def __str__(self) -> str:
        return f"{self.actor} as {self.role}" if self.role else self.actor


def new_uuid() -> str:
    """A fresh random UUID, the identity a review keeps across journals."""
    return str(uuid_module.uuid4())


@dataclass(slots=True)
class Review:
    """One viewing of one film and what its viewer made of it.

    ``rating`` counts half-stars (1 to 10) so that no float ever drifts;
    ``id`` is assigned by the journal and never reused.
    """

    title: str
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    # The film's identity on TMDB and IMDb ("tt0137523"), and its title in its own language.
    tmdb_id: int | None = None
    imdb_id: str | None = None
    original_title: str | None = None
    year: int | None = None
    release_date: date | None = None
    # None when the day is known; "month" or "year" when release_date is the first of one.
    release_precision: str | None = None
    directors: list[str] = field(default_factory=list)
    cast: list[CastMember] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    mpaa: str | None = None
    runtime: int | None = None
    rating: int | None = None
    verdict: str | None = None
    headline: str | None = None
    body: str | None = None
    tags: list[str] = field(default_factory=list)
    liked: bool = False
    rewatch: bool = False
    reviewer: str | None = None
    watched_on: date | None = None
    logged_at: datetime | None = None
    logged_zone: str | None = None
    updated_at: datetime | None = None
    # Identifiers from other services ("letterboxd", "imdb"): kept so re-imports match.
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def stars(self) -> float | None:
        """The rating as a number of stars (3.5), or None."""
        return None if self.rating is None else self.rating / 2

    @property
    def display_title(self) -> str:
        """``Title (Year)``, or the bare title when the year is unknown."""
        return display_title(self.title, self.year)

    @property
    def release_text(self) -> str | None:
        """The release date as far as it is known: ``1991-09-20``, ``1991-09`` or ``1991``."""
        if self.release_date is None:
            return None
        text = self.release_date.isoformat()
        return {"year": text[:4], "month": text[:7]}.get(self.release_precision or "", text)

    @property
    def actors(self) -> list[str]:
        """The cast's names, without their roles."""
        return [member.actor for member in self.cast]

    def validate(self) -> Review:
        """Check every field, raising InvalidInput naming the first bad one; return self."""
        validate_text("title", self.title, required=True)
        for name in (
            "original_title", "verdict", "headline", "body", "reviewer", "mpaa", "logged_zone",
            "uuid",
        ):  # fmt: skip
            validate_text(name, getattr(self, name))
        validate_lists(self)
        for member in self.cast:
            validate_text("cast", member.actor, required=True)
            validate_text("cast", member.role)
        check_number("rating", self.rating)
        validate_film(self)
        check_release_precision(self.release_precision)
        check_release_day(self.release_precision, self.release_date)
        check_mpaa(self.mpaa)
        for name in ("logged_at", "updated_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise InvalidInput(f"{name} must carry a time zone")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The stored form: every field but ``id`` (the journal's key), JSON-ready."""
        return {
            "uuid": self.uuid,
            "tmdb_id": self.tmdb_id,
            "imdb_id": self.imdb_id,
            "title": self.title,
            "original_title": self.original_title,
            "year": self.year,
            "release_date": _iso(self.release_date),
            "release_precision": self.release_precision,
            "directors": list(self.directors),
            "cast": [member.to_dict() for member in self.cast],
            "genres": list(self.genres),
            "mpaa": self.mpaa,
            "runtime": self.runtime,
            "rating": self.rating,
            "verdict": self.verdict,
            "headline": self.headline,
            "body": self.body,
            "tags": list(self.tags),
            "liked": self.liked,
            "rewatch": self.rewatch,
            "reviewer": self.reviewer,
            "watched_on": _iso(self.watched_on),
            "logged_at": _iso(self.logged_at),
            "logged_zone": self.logged_zone,
            "updated_at": _iso(self.updated_at),
            "sources": dict(self.sources),
        }

    def to_json(self) -> dict[str, Any]:
        """The documented ``--json`` view: exactly :data:`JSON_KEYS`, rating in stars."""
        stored = self.to_dict()
        stored["id"] = self.id
        stored["rating"] = self.stars
        return {key: stored[key] for key in JSON_KEYS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], review_id: int | None = None) -> Review:
        """Build a review from its stored form; raises InvalidInput on a malformed one.

        Reads run this for every review in the journal, so it sets the slots
        directly instead of going through ``__init__``, and checks structure
        (types of lists, dates) rather than every value: ``validate`` and
        ``filmlog doctor`` do the full check. Unknown keys are ignored so a
        journal from a later minor version with an extra optional field reads.
        """
        get = data.get
        review = object.__new__(cls)
        try:
            _read_shared(review, data, review_id)
            review.uuid = get("uuid") or new_uuid()
            review.tmdb_id = get("tmdb_id")
            review.imdb_id = get("imdb_id")
            review.original_title = get("original_title")
            review.cast = [
                # tuple.__new__ directly: half the cost of CastMember(...), for the same tuple
                _new_tuple(CastMember, (entry["actor"], entry.get("role")))
                if type(entry) is dict
                else CastMember(str(entry))
                for entry in get("cast") or ()
            ]
            review.release_precision = get("release_precision")
            review.mpaa = get("mpaa")
            review.body = get("body")
            review.logged_at = _datetime(get("logged_at"))
            review.logged_zone = get("logged_zone")
            review.updated_at = _datetime(get("updated_at"))
            review.sources = dict(get("sources") or ())
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidInput(f"malformed review: {exc}") from exc
        return review

    def copy(self, **changes: Any) -> Review:
        """A copy with some fields changed (lists are copied, never shared)."""
        unknown = changes.keys() - _REVIEW_FIELDS
        if unknown:
            raise TypeError(f"Review has no field {sorted(unknown)[0]!r}")
        # Slot by slot rather than dataclasses.replace: an import copies thousands.
        copied = object.__new__(Review)
        for name in _REVIEW_FIELDS:
            value = changes[name] if name in changes else getattr(self, name)
            if name not in changes and type(value) in (list, dict):
                value = value.copy()
            setattr(copied, name, value)
        return copied


_REVIEW_FIELDS = tuple(f.name for f in fields(Review))

# The stored fields a ReviewSummary reads.
SUMMARY_FIELDS = (
    "title",
    "year",
    "release_date",
    "directors",
    "genres",
    "tags",
    "runtime",
    "rating",
    "verdict",
    "headline",
    "liked",
    "rewatch",
    "reviewer",
    "watched_on",
    "cast",
)


class ReviewSummary:
    """What statistics read of a review, built straight from its stored form.

    ``filmlog stats`` reads every review in the journal. Building each one as a
    :class:`Review` (timestamps, UUID, sources, every cast member's role) took
    longer than the statistics themselves, so this holds only the fields they
    use, under the same names, with ``actors`` in place of the cast.
    """

    __slots__ = (
        "actors",
        "directors",
        "genres",
        "headline",
        "id",
        "liked",
        "rating",
        "release_date",
        "reviewer",
        "rewatch",
        "runtime",
        "tags",
        "title",
        "verdict",
        "watched_on",
        "year",
    )

    id: int | None
    title: str
    year: int | None
    release_date: date | None
    directors: list[str]
    actors: list[str]
    genres: list[str]
    tags: list[str]
    runtime: int | None
    rating: int | None
    verdict: str | None
    headline: str | None
    liked: bool
    rewatch: bool
    reviewer: str | None
    watched_on: date | None

    @property
    def stars(self) -> float | None:
        """The rating as a number of stars (3.5), or None."""
        return None if self.rating is None else self.rating / 2

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], review_id: int | None = None) -> ReviewSummary:
        """Like :meth:`Review.from_dict`, for these fields; raises InvalidInput alike."""
        summary = object.__new__(cls)
        try:
            _read_shared(summary, data, review_id)
            summary.actors = _actors(data.get("cast"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidInput(f"malformed review: {exc}") from exc
        return summary


# IDs stay exact as JSON numbers in any reader below 2**53.
MAX_TMDB_ID = 2**53 - 1


def number_rules() -> dict[str, tuple[int, int, str]]:
    """Each stored whole-number field's lowest and highest value, and how a message says them.

    The one definition of these ranges: reviews, watchlist entries and the
    check of a whole journal all read it. A function, for the year's end moves
    with the clock.
    """
    latest = latest_year()
    return {
        "rating": (MIN_HALF_STARS, MAX_HALF_STARS, "1 to 10 half-stars"),
        "year": (FIRST_FILM_YEAR, latest, f"from {FIRST_FILM_YEAR} to {latest}"),
        "runtime": (MIN_RUNTIME, MAX_RUNTIME, f"{MIN_RUNTIME} to {MAX_RUNTIME} minutes"),
        "tmdb_id": (1, MAX_TMDB_ID, "a positive whole number"),
    }


def check_number(
    name: str, value: object, rules: Mapping[str, tuple[int, int, str]] | None = None
) -> None:
    """Raise InvalidInput unless ``value`` is None or a whole number in ``name``'s range."""
    if value is None:
        return
    low, high, expected = (rules or number_rules())[name]
    if not (is_int(value) and low <= value <= high):
        raise InvalidInput(f"{name} must be {expected}, not {brief(value)}")


def check_release_precision(value: object) -> None:
    """Raise InvalidInput unless ``value`` is None or one of :data:`RELEASE_PRECISIONS`."""
    if value is not None and value not in RELEASE_PRECISIONS:
        raise InvalidInput(f"release_precision must be year or month, not {brief(value)}")


def check_release_day(precision: str | None, day: date | None) -> None:
    """Raise InvalidInput unless a release known to the month or year is dated on its first day."""
    if precision is None:
        return
    if day is None or day.day != 1 or (precision == "year" and day.month != 1):
        raise InvalidInput(f"a release {precision} needs the release date on its first day")


def check_imdb_id(value: object) -> None:
    """Raise InvalidInput unless ``value`` is None or an IMDb title ID such as ``tt0137523``."""
    if value is not None and not (isinstance(value, str) and IMDB_ID.fullmatch(value)):
        raise InvalidInput(f"imdb_id must look like tt0137523, not {brief(value)}")


def check_mpaa(value: object) -> None:
    """Raise InvalidInput unless ``value`` is None or one of :data:`MPAA_RATINGS`."""
    if value is not None and value not in MPAA_RATINGS:
        raise InvalidInput(f"MPAA rating must be one of {', '.join(MPAA_RATINGS)}")


def validate_text(name: str, value: object, *, required: bool = False) -> None:
    """Refuse non-strings, empty required text, oversize text and lone surrogates.

    A lone surrogate (from undecodable bytes on the command line) cannot be
    written as valid JSON, so it is stopped here with a message rather than
    failing later inside the write.
    """
    if value is None:
        if required:
            raise InvalidInput(f"{name} is required")
        return
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text, not {type(value).__name__}")
    if required and not value.strip():
        raise InvalidInput(f"{name} must not be empty")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{name} is longer than {MAX_TEXT:,} characters")
    if value.isascii():  # known without a look at the characters; no surrogate then
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            f"{name} contains bytes that are not valid UTF-8 (at character {exc.start})"
        ) from None


class FilmFacts(Protocol):
    """What a review and a watchlist entry both hold about a film."""

    year: int | None
    runtime: int | None
    tmdb_id: int | None
    imdb_id: str | None
    directors: list[str]
    genres: list[str]
    tags: list[str]
    sources: dict[str, str]


def validate_lists(record: FilmFacts) -> None:
    """Check the lists of names and the sources of a review or watchlist entry (InvalidInput)."""
    for name in ("directors", "genres", "tags"):
        for item in getattr(record, name):
            validate_text(name, item, required=True)
    for key, value in record.sources.items():
        validate_text("sources", key, required=True)
        validate_text("sources", value, required=True)


def validate_film(film: FilmFacts) -> None:
    """Check the year, runtime and film IDs of a review or watchlist entry (InvalidInput)."""
    rules = number_rules()
    for name in ("year", "runtime", "tmdb_id"):
        check_number(name, getattr(film, name), rules)
    check_imdb_id(film.imdb_id)


def dedupe_casefold(values: Iterable[str], known: Mapping[str, str] | None = None) -> list[str]:
    """Drop case-insensitive duplicates, spelling each as first seen in ``known`` or here."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        value = value.strip()
        key = value.casefold()
        if not value or key in seen:
            continue
        seen.add(key)
        out.append(known.get(key, value) if known else value)
    return out


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _actors(cast: Any) -> list[str]:
    """The actors' names of a stored cast: a list of {"actor", "role"}, or of plain names."""
    if not cast:
        return []
    try:
        return list(map(_ACTOR, cast))
    except (TypeError, KeyError):  # a plain name, or a malformed entry: one at a time
        return [entry["actor"] if type(entry) is dict else str(entry) for entry in cast]


def _read_shared(
    target: Review | ReviewSummary, data: Mapping[str, Any], review_id: int | None
) -> None:
    """Set the fields a Review and a ReviewSummary both read from a stored review."""
    get = data.get
    title = data["title"]
    if type(title) is not str:
        raise TypeError(f"title must be text, not {brief(title)}")
    target.title = title
    target.id = review_id
    target.year = get("year")
    target.release_date = _date(get("release_date"))
    target.directors = _str_list(get("directors"))
    target.genres = _str_list(get("genres"))
    target.tags = _str_list(get("tags"))
    target.runtime = get("runtime")
    target.rating = get("rating")
    target.verdict = get("verdict")
    target.headline = get("headline")
    target.liked = bool(get("liked"))
    target.rewatch = bool(get("rewatch"))
    target.reviewer = get("reviewer")
    target.watched_on = _date(get("watched_on"))


def _date(value: object) -> date | None:
    if not value:
        return None
    if type(value) is not str:
        raise TypeError(f"expected an ISO date, got {brief(value)}")
    return date.fromisoformat(value)


def _datetime(value: object) -> datetime | None:
    if not value:
        return None
    if type(value) is not str:
        raise TypeError(f"expected an ISO timestamp, got {brief(value)}")
    return datetime.fromisoformat(value)


def _str_list(value: object) -> list[str]:
    if not value:
        return []
    try:
        if type(value) is not list:
            raise TypeError
        "".join(value)  # checks every item is text, in C: reads run this 30,000 times
    except TypeError:
        raise TypeError(f"expected a list of strings, got {brief(value)}") from None
    return value


# The stored form's keys, in the order Review.to_dict writes them.
STORED_KEYS = tuple(Review("x").to_dict())
_STORED_LIST = list(STORED_KEYS)
_WITH_ID = (["id", *STORED_KEYS], [*STORED_KEYS, "id"])
_TIMES: tuple[tuple[str, Callable[[str], Any], Callable[[Any], str]], ...] = (
    ("release_date", date.fromisoformat, date.isoformat),
    ("watched_on", date.fromisoformat, date.isoformat),
    ("logged_at", datetime.fromisoformat, datetime.isoformat),
    ("updated_at", datetime.fromisoformat, datetime.isoformat),
)
_CAST_KEYS = ["actor", "role"]


def as_stored(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any] | None]:
    """Each of ``items`` (a stored review, or an export's with its ``id`` first or last) as
    a new dict without the ``id``, where that already is what
    ``Review.from_dict(item).to_dict()`` returns, key order included (its lists are the
    item's own); else None, and the caller goes the long way.

    An import of thousands of reviews written by filmlog itself would otherwise
    build each one as a Review only to write it back as it was. The dates and
    timestamps are checked a column at a time, in C.
    """
    taken: list[dict[str, Any] | None] = []
    for item in items:
        names = list(item)
        doc = dict(item) if names == _STORED_LIST or names in _WITH_ID else None
        if doc is not None:
            doc.pop("id", None)
        taken.append(doc if doc is not None and _plain(doc) else None)
    for name, parse, show in _TIMES:
        found = [(n, doc[name]) for n, doc in enumerate(taken) if doc and doc[name] is not None]
        places, values = [n for n, _ in found], [value for _, value in found]
        try:
            # A value of another type, or no date at all, raises: then one at a time.
            again: list[object] = list(map(show, map(parse, values)))
        except (TypeError, ValueError):
            again = [_again(value, parse, show) for value in values]
        for place, value, shown in zip(places, values, again, strict=True):
            if shown != value:
                taken[place] = None
    return taken


def _plain(doc: dict[str, Any]) -> bool:
    """Whether ``doc``'s fields but its dates are as Review.from_dict + to_dict leave them."""
    uuid = doc["uuid"]
    if type(uuid) is not str or not uuid or type(doc["title"]) is not str:
        return False
    if type(doc["liked"]) is not bool or type(doc["rewatch"]) is not bool:
        return False
    if type(doc["sources"]) is not dict:
        return False
    try:
        for name in ("directors", "genres", "tags"):
            value = doc[name]
            if type(value) is not list:  # None would come back as []
                return False
            _str_list(value)  # what from_dict accepts as a list of text
    except TypeError:
        return False
    cast = doc["cast"]
    if type(cast) is not list:
        return False
    return all(type(entry) is dict and list(entry) == _CAST_KEYS for entry in cast)


def _again(value: object, parse: Callable[[str], Any], show: Callable[[Any], str]) -> object:
    """``value`` as the stored form gives it back: None when it is not a date to begin with."""
    if type(value) is not str:
        return None
    try:
        return show(parse(value))
    except ValueError:
        return None
