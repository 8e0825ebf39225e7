"""A review as Markdown with YAML front matter: written by ``export --split``, read by import.

The front matter holds every field (so that export then import gives the review
back exactly), and the body follows as written::

    ---
    title: "Her (2013)"
    ...
    ---

    The body, byte for byte.

Every string value that is not a plain word is written double-quoted, with
control characters, line breaks and quotes escaped, on one line: whatever a
title holds, it cannot end the front matter early, add a key or change a type.
PyYAML is imported only here, and only when a file is written or read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from filmlog.errors import InvalidInput, brief
from filmlog.model import MAX_TEXT, CastMember, Review, is_int

if TYPE_CHECKING:
    import yaml

DELIMITER = "---"
# The order keys are written in; import reads them by name, so hand-edited order is fine.
KEYS = (
    "title",
    "original_title",
    "year",
    "watched",
    "rating",
    "half_stars",
    "verdict",
    "headline",
    "genres",
    "mpaa",
    "runtime",
    "released",
    "directors",
    "cast",
    "tags",
    "liked",
    "rewatch",
    "reviewer",
    "date",
    "logged_zone",
    "updated",
    "id",
    "uuid",
    "tmdb_id",
    "imdb_id",
    "sources",
)
_PLAIN_WORD = r"[A-Za-z_][A-Za-z0-9_]*"


def fields(review: Review) -> dict[str, Any]:
    """The front matter of ``review`` as plain values, in :data:`KEYS` order.

    ``rating`` is the number of stars (3.5) for templates, ``half_stars`` the exact
    stored value (7); ``date`` is when the review was logged (the post's date,
    as static-site generators read it) and ``updated`` when it last changed.
    """
    stars: int | float | None = None
    if review.rating is not None:
        stars = review.rating // 2 if review.rating % 2 == 0 else review.rating / 2
    return {
        "title": review.title,
        "original_title": review.original_title,
        "year": review.year,
        "watched": review.watched_on,
        "rating": stars,
        "half_stars": review.rating,
        "verdict": review.verdict,
        "headline": review.headline,
        "genres": list(review.genres),
        "mpaa": review.mpaa,
        "runtime": review.runtime,
        # A partial date goes out as text ("1991-09"), never as a day it did not have.
        "released": review.release_text if review.release_precision else review.release_date,
        "directors": list(review.directors),
        "cast": [
            {"actor": m.actor, "role": m.role} if m.role is not None else {"actor": m.actor}
            for m in review.cast
        ],
        "tags": list(review.tags),
        "liked": review.liked,
        "rewatch": review.rewatch,
        "reviewer": review.reviewer,
        "date": review.logged_at.isoformat() if review.logged_at else None,
        "logged_zone": review.logged_zone,
        "updated": review.updated_at.isoformat() if review.updated_at else None,
        "id": review.id,
        "uuid": review.uuid,
        "tmdb_id": review.tmdb_id,
        "imdb_id": review.imdb_id,
        "sources": dict(review.sources),
    }


@cache
def _dumper() -> type[yaml.SafeDumper]:
    import yaml

    class Dumper(yaml.SafeDumper):
        """Safe YAML with every non-trivial string double-quoted on one line."""

    def represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
        if re.fullmatch(_PLAIN_WORD, text):
            # Plain words stay plain unless YAML would read them as something else
            # ("yes", "null", "true"): represent_str quotes those.
            return dumper.represent_str(text)
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')

    Dumper.add_representer(str, represent_str)
    return Dumper


def dump(review: Review) -> str:
    """The whole file for ``review``: front matter, a blank line, then the body as written.

    A review without a body ends right after the closing ``---``, so that an
    empty body and no body both come back as they were.
    """
    import yaml

    matter: str = yaml.dump(
        fields(review),
        Dumper=_dumper(),
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=float("inf"),
    )
    text = f"{DELIMITER}\n{matter}{DELIMITER}\n"
    return text if review.body is None else f"{text}\n{review.body}"


def split(text: str) -> tuple[str, str | None]:
    """Split a file into its front matter's YAML and its body (None when there is none)."""
    text = text.removeprefix("\ufeff")
    first, _, rest = text.partition("\n")
    if first.rstrip("\r") != DELIMITER:
        raise InvalidInput("it does not start with front matter (a line of ---)")
    start = 0
    while start < len(rest):
        end = rest.find("\n", start)
        end = len(rest) if end == -1 else end + 1
        if rest[start:end].rstrip("\r\n") == DELIMITER:
            after = rest[end:]
            if not after:
                return rest[:start], None
            for separator in ("\r\n", "\n"):
                if after.startswith(separator):
                    return rest[:start], after[len(separator) :]
            return rest[:start], after
        start = end
    raise InvalidInput("its front matter never ends (no closing line of ---)")


def load(text: str) -> tuple[Review, int | None]:
    """Read a file written by :func:`dump` (or edited by hand) back into a review.

    Returns the review (without an ID) and the ID it had in the journal it was
    exported from, which only decides the order reviews are imported in.
    Raises InvalidInput with a one-line reason.
    """
    import yaml

    matter, body = split(text)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        _refuse_expansion(matter, loader)
        data = yaml.load(matter, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise InvalidInput(f"its front matter is not valid YAML ({problem}{where})") from None
    if not isinstance(data, Mapping):
        raise InvalidInput("its front matter is not a set of 'key: value' lines")
    review = _review(data, body)
    original_id = data.get("id")
    return review, original_id if isinstance(original_id, int) else None


MAX_NESTING = 8  # export writes two levels (cast: [{actor, role}]); hand edits need few more


def _refuse_expansion(matter: str, loader: type[yaml.SafeLoader]) -> None:
    """Refuse front matter that would cost far more to load than its size.

    Aliases (``*name``) can make a few hundred bytes stand for billions of
    values (the "billion laughs"), and deep nesting exhausts the stack. filmlog
    writes neither, so the events are read first (linear in the text) and such
    front matter is refused before anything is built.
    """
    import yaml

    if len(matter) > MAX_TEXT:
        raise InvalidInput(f"its front matter is longer than {MAX_TEXT:,} characters")
    depth = 0
    for event in yaml.parse(matter, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            raise InvalidInput(
                "its front matter uses YAML aliases (*name), which filmlog does not read"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise InvalidInput(
                    f"its front matter is nested more than {MAX_NESTING} levels deep"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _review(data: Mapping[str, Any], body: str | None) -> Review:
    title = _text(data, "title")
    uuid = _text(data, "uuid")
    if title is None or not title.strip():
        raise InvalidInput("its front matter has no title")
    if uuid is None or not uuid.strip():
        raise InvalidInput("its front matter has no uuid (files written by export --split do)")
    release_date, release_precision = _release(data)
    review = Review(
        title=title,
        uuid=uuid,
        tmdb_id=_int(data, "tmdb_id"),
        imdb_id=_text(data, "imdb_id"),
        original_title=_text(data, "original_title"),
        year=_int(data, "year"),
        release_date=release_date,
        release_precision=release_precision,
        directors=_texts(data, "directors"),
        cast=_cast(data.get("cast")),
        genres=_texts(data, "genres"),
        mpaa=_text(data, "mpaa"),
        runtime=_int(data, "runtime"),
        rating=_rating(data),
        verdict=_text(data, "verdict"),
        headline=_text(data, "headline"),
        body=body,
        tags=_texts(data, "tags"),
        liked=_bool(data, "liked"),
        rewatch=_bool(data, "rewatch"),
        reviewer=_text(data, "reviewer"),
        watched_on=_date(data, "watched"),
        logged_at=_moment(data, "date"),
        logged_zone=_text(data, "logged_zone"),
        updated_at=_moment(data, "updated"),
        sources=_sources(data.get("sources")),
    )
    return review.validate()


def _wrong(key: str, expected: str, value: object) -> InvalidInput:
    return InvalidInput(f"front matter '{key}' must be {expected}, not {brief(value)}")


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    # A hand-written "title: 1984" arrives as a number; it was meant as text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _wrong(key, "text", value)


def _texts(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise _wrong(key, "a list of text", value)


def _int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None or is_int(value):
        return value
    raise _wrong(key, "a whole number", value)


def _bool(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise _wrong(key, "true or false", value)


def _date(data: Mapping[str, Any], key: str) -> date | None:
    value = data.get(key)
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _wrong(key, "a date such as 2024-04-13", value)


def _release(data: Mapping[str, Any]) -> tuple[date | None, str | None]:
    """``released``: a date, or as much of one as is known (``1991-09``, ``1982``)."""
    value = data.get("released")
    if is_int(value):
        value = str(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{4}(-[0-9]{2})?\s*", value):
        from filmlog.parsing import parse_release

        return parse_release(value)
    return _date(data, "released"), None


def _moment(data: Mapping[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _wrong(key, "a time such as 2024-04-13T21:30:00-06:00", value) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise _wrong(key, "a time such as 2024-04-13T21:30:00-06:00", value)
    # A hand-written time without an offset is taken as local time, as `add --logged` does.
    return value if value.tzinfo is not None else value.astimezone()


def _rating(data: Mapping[str, Any]) -> int | None:
    half = data.get("half_stars")
    if half is not None:
        if is_int(half):
            return half
        raise _wrong("half_stars", "a whole number from 1 to 10", half)
    stars = data.get("rating")
    if stars is None:
        return None
    if isinstance(stars, bool) or not isinstance(stars, int | float | str):
        raise _wrong("rating", "a number of stars", stars)
    from filmlog.parsing import parse_rating

    return parse_rating(str(stars))


def _cast(value: object) -> list[CastMember]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _wrong("cast", "a list", value)
    members = []
    for item in value:
        if isinstance(item, str):
            from filmlog.parsing import parse_cast

            members.append(CastMember(*parse_cast(item)))
        elif isinstance(item, Mapping) and isinstance(item.get("actor"), str):
            role = item.get("role")
            if role is not None and not isinstance(role, str):
                raise _wrong("cast", "actors with text roles", item)
            members.append(CastMember(item["actor"], role))
        else:
            raise _wrong("cast", "a list of {actor, role}", item)
    return members


def _sources(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return dict(value)
    raise _wrong("sources", "a mapping of names to text", value)
