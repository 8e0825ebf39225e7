"""The check every read makes of a whole journal: every field of every review, and the counter.

A journal is refused as a whole when any review in it is damaged (a hand
edit that stored ``"rating": 4.5`` or ``"cast": "Amy"``): every command then
gives the same message, naming the review and the field, and no write goes
ahead over it (a write would rotate the good backups away).

The rules are the model's (:func:`filmlog.model.number_rules`,
:func:`filmlog.model.validate_text`, :func:`filmlog.model.check_mpaa`), applied
to the stored form. Checking 10,000 reviews one field at a time in Python would
cost a fifth of a ``list``, so each field is first checked for all reviews at
once (a column of values, through ``map`` and ``set``, which run in C); only a
column that fails is checked review by review, to name the first bad one.
A column check only ever passes values that the review-by-review check passes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from functools import partial
from itertools import chain, repeat
from operator import attrgetter, is_not, itemgetter, methodcaller
from pathlib import Path
from typing import Any, NamedTuple

from filmlog.errors import CorruptJournal, InvalidInput, brief
from filmlog.model import (
    IMDB_ID,
    MAX_TEXT,
    RELEASE_PRECISIONS,
    check_imdb_id,
    check_mpaa,
    check_number,
    check_release_day,
    check_release_precision,
    number_rules,
    validate_text,
)

MAX_ID_DIGITS = 15  # IDs stay exact as JSON numbers in any reader (below 2**53)
MAX_LISTED = 10

_NONE = type(None)
_not_none = partial(is_not, None)
_ACTOR_ROLE = itemgetter("actor", "role")  # as Review.to_dict stores every member


class Problem(NamedTuple):
    """One thing wrong with a journal: which review (None: the journal itself) and what."""

    review: str | None
    message: str

    def __str__(self) -> str:
        """As ``filmlog doctor`` lists it."""
        if self.review is None:
            return self.message
        return f"review {self.label} is invalid: {self.message}"

    @property
    def label(self) -> str:
        return (
            "?"
            if self.review is None
            else self.review
            if is_id(self.review)
            else brief(self.review)
        )

    def refusal(self, path: Path) -> str:
        """As every other command says it, refusing the journal."""
        if self.review is None:
            return f"journal {path} is damaged: {self.message}; it was left unchanged"
        return (
            f"journal {path}: review {self.label} is damaged ({self.message}); "
            "it was left unchanged"
        )


# One value ------------------------------------------------------------------------------


def _text(required: bool = False) -> Callable[[str, object], None]:
    return partial(_check_text, required=required)


def _check_text(name: str, value: object, *, required: bool) -> None:
    validate_text(name, value, required=required)


def _texts(name: str, value: object) -> None:
    if value is None:
        return
    if type(value) is not list:
        raise InvalidInput(f"{name} must be a list of text, not {brief(value)}")
    for item in value:
        validate_text(name, item, required=True)


def _cast(name: str, value: object) -> None:
    if value is None:
        return
    if type(value) is not list:
        raise InvalidInput(f"{name} must be a list of actors, not {brief(value)}")
    for entry in value:
        if type(entry) is str:  # a plain name, as early journals stored it
            validate_text(name, entry, required=True)
        elif type(entry) is dict and "actor" in entry:
            validate_text(name, entry["actor"], required=True)
            validate_text(name, entry.get("role"))
        else:
            raise InvalidInput(f"{name} entries must be {{actor, role}}, not {brief(entry)}")


def _flag(name: str, value: object) -> None:
    if value is not None and type(value) is not bool:
        raise InvalidInput(f"{name} must be true or false, not {brief(value)}")


def _date(name: str, value: object) -> None:
    if value is None or value == "":
        return
    try:
        if type(value) is not str:
            raise TypeError
        date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"{name} must be a date such as 2024-04-13, not {brief(value)}"
        ) from None


def _moment(name: str, value: object) -> None:
    if value is None or value == "":
        return
    try:
        if type(value) is not str:
            raise TypeError
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a time with its zone, not {brief(value)}") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{name} must carry a time zone, not {brief(value)}")


def _sources(name: str, value: object) -> None:
    if value is None:
        return
    if type(value) is not dict:
        raise InvalidInput(f"{name} must be a mapping of names to text, not {brief(value)}")
    for key, item in value.items():
        validate_text(name, key, required=True)
        validate_text(name, item, required=True)


def _mpaa(name: str, value: object) -> None:
    check_mpaa(value)


def _imdb_id(name: str, value: object) -> None:
    check_imdb_id(value)


def _precision(name: str, value: object) -> None:
    check_release_precision(value)


# Every column at once -------------------------------------------------------------------
# Each takes the column (one value per review, None where the key is missing) and says
# whether every value surely passes; False sends the column to the one-value check.


def _types(values: Iterable[object]) -> set[type]:
    return set(map(type, values))


def _all_text(values: list[Any] | tuple[Any, ...], required: bool, short: bool) -> bool:
    if not values:
        return True
    if required:
        try:
            "".join(values)  # refuses anything but text, in one pass in C
        except TypeError:
            return False
        # str.isspace, not strip(): no new string per value; "" is not space, so check it too.
        if "" in values or any(map(str.isspace, values)):
            return False
        return short or max(map(len, values)) <= MAX_TEXT
    if not _types(values) <= {str, _NONE}:
        return False
    texts = list(filter(None, values))
    return short or not texts or max(map(len, texts)) <= MAX_TEXT


def _bulk_text(values: list[Any], short: bool) -> bool:
    return _all_text(values, False, short)


def _bulk_required(values: list[Any], short: bool) -> bool:
    return _all_text(values, True, short)


def _bulk_texts(values: list[Any], short: bool) -> bool:
    if not _types(values) <= {list, _NONE}:
        return False
    return _all_text(list(chain.from_iterable(filter(None, values))), True, short)


def _bulk_cast(values: list[Any], short: bool) -> bool:
    if not _types(values) <= {list, _NONE}:
        return False
    entries = list(chain.from_iterable(filter(None, values)))
    if not entries:
        return True
    if _types(entries) != {dict}:
        return False  # plain names mixed in: rare enough to check one by one
    try:
        # Each entry looked up once: the entries lie all over memory, and reaching them
        # costs more than the lookups.
        pairs = list(chain.from_iterable(map(_ACTOR_ROLE, entries)))
    except KeyError:
        return False
    return _all_text(pairs[0::2], True, short) and _all_text(pairs[1::2], False, short)


def _bulk_number(name: str) -> Callable[[list[Any], bool], bool]:
    def check(values: list[Any], short: bool) -> bool:
        if not _types(values) <= {int, _NONE}:  # type() is exact: no bool, no float
            return False
        numbers = list(filter(_not_none, values))
        low, high, _ = number_rules()[name]
        return not numbers or (low <= min(numbers) and max(numbers) <= high)

    return check


def _bulk_flag(values: list[Any], short: bool) -> bool:
    return _types(values) <= {bool, _NONE}


def _bulk_mpaa(values: list[Any], short: bool) -> bool:
    try:
        return all(map(_mpaa_ok, set(values)))
    except TypeError:  # an unhashable value: a list or a table
        return False


def _mpaa_ok(value: object) -> bool:
    try:
        check_mpaa(value)
    except InvalidInput:
        return False
    return True


def _bulk_imdb_id(values: list[Any], short: bool) -> bool:
    ids = list(filter(_not_none, values))
    return not ids or (_types(ids) == {str} and all(map(IMDB_ID.fullmatch, ids)))


def _bulk_precision(values: list[Any], short: bool) -> bool:
    if not _types(values) <= {str, _NONE}:
        return False
    return set(filter(_not_none, values)) <= set(RELEASE_PRECISIONS)


def _bulk_date(values: list[Any], short: bool) -> bool:
    if not _types(values) <= {str, _NONE}:
        return False
    try:
        list(map(date.fromisoformat, filter(None, values)))
    except ValueError:
        return False
    return True


def _bulk_moment(values: list[Any], short: bool) -> bool:
    if not _types(values) <= {str, _NONE}:
        return False
    try:
        moments = list(map(datetime.fromisoformat, filter(None, values)))
    except ValueError:
        return False
    return None not in map(attrgetter("tzinfo"), moments)


def _bulk_sources(values: list[Any], short: bool) -> bool:
    if not _types(values) <= {dict, _NONE}:
        return False
    tables = list(filter(None, values))
    keys = list(chain.from_iterable(tables))
    items = list(chain.from_iterable(map(dict.values, tables)))
    return _all_text(keys, True, short) and _all_text(items, True, short)


class Rule(NamedTuple):
    one: Callable[[str, object], None]
    every: Callable[[list[Any], bool], bool]


def _number(name: str) -> Rule:
    return Rule(check_number, _bulk_number(name))


# The stored review's fields; keys not named here are ignored, as Review.from_dict ignores them.
RULES: dict[str, Rule] = {
    "title": Rule(_text(required=True), _bulk_required),
    "uuid": Rule(_text(), _bulk_text),
    "tmdb_id": _number("tmdb_id"),
    "imdb_id": Rule(_imdb_id, _bulk_imdb_id),
    "original_title": Rule(_text(), _bulk_text),
    "year": _number("year"),
    "release_date": Rule(_date, _bulk_date),
    "release_precision": Rule(_precision, _bulk_precision),
    "directors": Rule(_texts, _bulk_texts),
    "cast": Rule(_cast, _bulk_cast),
    "genres": Rule(_texts, _bulk_texts),
    "mpaa": Rule(_mpaa, _bulk_mpaa),
    "runtime": _number("runtime"),
    "rating": _number("rating"),
    "verdict": Rule(_text(), _bulk_text),
    "headline": Rule(_text(), _bulk_text),
    "body": Rule(_text(), _bulk_text),
    "tags": Rule(_texts, _bulk_texts),
    "liked": Rule(_flag, _bulk_flag),
    "rewatch": Rule(_flag, _bulk_flag),
    "reviewer": Rule(_text(), _bulk_text),
    "watched_on": Rule(_date, _bulk_date),
    "logged_at": Rule(_moment, _bulk_moment),
    "logged_zone": Rule(_text(), _bulk_text),
    "updated_at": Rule(_moment, _bulk_moment),
    "sources": Rule(_sources, _bulk_sources),
}


_PRECISION = list(RULES).index("release_precision")


# The journal ----------------------------------------------------------------------------


def is_id(key: str) -> bool:
    """Whether ``key`` is a review ID as the journal stores it: 1 to 15 digits, no leading 0."""
    return 0 < len(key) <= MAX_ID_DIGITS and key.isascii() and key.isdigit() and key[0] != "0"


def _keys_ok(keys: list[str]) -> bool:
    if not keys:
        return True
    joined = "".join(keys)
    return (
        joined.isascii()
        and joined.isdigit()
        and min(map(len, keys)) > 0
        and max(map(len, keys)) <= MAX_ID_DIGITS
        and not any(map(methodcaller("startswith", "0"), keys))
    )


def problems(
    meta: Mapping[str, Any],
    reviews: Mapping[str, Any],
    *,
    limit: int | None = 1,
    size: int | None = None,
    columns: Mapping[str, list[Any]] | None = None,
) -> list[Problem]:
    """What is wrong with a journal's counter, review IDs and reviews (``limit`` reviews at most).

    ``meta`` and ``reviews`` are the parsed tables (the format marker and the
    schema version are checked by whoever parsed them, with
    :func:`filmlog.schema.check_format`). Empty when all is well.
    ``size``: the bytes they were parsed from; no text is longer than they are.
    ``columns``: fields already laid out a column at a time, each holding every review's
    value (in any order, the same for all), to be checked without being made again.
    """
    found: list[Problem] = []
    keys = list(reviews)
    keys_ok = _keys_ok(keys)
    if not keys_ok:
        bad = [key for key in keys if not is_id(key)]
        found.append(
            Problem(
                None,
                f"{len(bad):,} review{'s' if len(bad) > 1 else ''} with an ID that is not a "
                f"positive whole number of at most {MAX_ID_DIGITS} digits: "
                + ", ".join(brief(key) for key in bad[:5]),
            )
        )
    if keys_ok:
        highest = max(map(int, keys), default=0)
    else:
        highest = max((int(key) for key in keys if is_id(key)), default=0)
    counter = meta.get("next_id")
    if counter is None:
        found.append(Problem(None, "the ID counter (next_id) is missing, so an ID could be reused"))
    elif type(counter) is not int or counter <= highest:
        found.append(
            Problem(
                None,
                f"the ID counter (next ID {brief(counter)}) is not above the highest ID "
                f"{highest}, so an ID could be reused",
            )
        )
    short = size is not None and size <= MAX_TEXT
    found.extend(_review_problems(reviews, limit, short, columns))
    return found


def _columns(docs: list[dict[str, Any]], made: Mapping[str, list[Any]] | None) -> list[Any]:
    """One list of values per field of :data:`RULES`, a value per review (None if missing);
    those in ``made`` (see :func:`problems`) are taken from it."""
    if made is not None and any(len(column) != len(docs) for column in made.values()):
        made = None  # not the columns of these reviews
    return [
        made[name] if made is not None and name in made else _column(docs, name) for name in RULES
    ]


def _column(docs: list[dict[str, Any]], name: str) -> list[Any]:
    # itemgetter is the fastest lookup map() can make (measured: faster than dict.get, and
    # than one itemgetter of every field); a review without the field (from before it
    # existed) stops it, and dict.get takes over.
    try:
        return list(map(itemgetter(name), docs))
    except KeyError:
        return list(map(dict.get, docs, repeat(name)))


def _review_problems(
    reviews: Mapping[str, Any],
    limit: int | None,
    short: bool,
    made: Mapping[str, list[Any]] | None = None,
) -> Iterator[Problem]:
    docs = list(reviews.values())
    if _types(docs) - {dict}:
        bad = [key for key, doc in reviews.items() if type(doc) is not dict]
        for key in bad[:limit]:
            yield Problem(key, "it is not a record")
        return
    columns = _columns(docs, made)
    failing = [
        (name, rule)
        for (name, rule), column in zip(RULES.items(), columns, strict=True)
        if not rule.every(column, short)
    ]
    if not failing:
        # Each field is right on its own; a release known to the month or year (rare) must
        # also fall on its first day.
        if any(columns[_PRECISION]):
            yield from _release_problems(reviews, limit)
        return
    shown = 0
    for key, doc in reviews.items():
        for name, rule in failing:
            try:
                rule.one(name, doc.get(name))
            except InvalidInput as exc:
                yield Problem(key, exc.message)
                shown += 1
                break
        if limit is not None and shown >= limit:
            return


def _release_problems(reviews: Mapping[str, Any], limit: int | None) -> Iterator[Problem]:
    shown = 0
    for key, doc in reviews.items():
        precision = doc.get("release_precision")
        if precision is None:
            continue
        released = doc.get("release_date")
        try:
            check_release_day(precision, date.fromisoformat(released) if released else None)
        except InvalidInput as exc:
            yield Problem(key, exc.message)
            shown += 1
            if limit is not None and shown >= limit:
                return


def check(meta: Mapping[str, Any], reviews: Mapping[str, Any], path: Path, size: int) -> None:
    """Raise CorruptJournal naming the first thing wrong with a journal of ``size`` bytes."""
    found = problems(meta, reviews, size=size)
    if found:
        raise CorruptJournal(found[0].refusal(path))


def passes(
    meta: Mapping[str, Any],
    reviews: Mapping[str, Any],
    size: int,
    bodies: Iterable[tuple[int, int]],
    columns: Mapping[str, list[Any]] | None = None,
) -> bool:
    """Whether a journal parsed from ``size`` bytes without its bodies passes :func:`check`.

    Each body is known only by the span of its JSON string in the file; one
    longer than :data:`MAX_TEXT` characters could be, and sends the journal
    to the full check. ``columns``: see :func:`problems`.
    """
    longest = max((stop - start for start, stop in bodies), default=0)
    if longest - 2 > MAX_TEXT:  # a character is at least one byte
        return False
    return not problems(meta, reviews, size=size, columns=columns)
