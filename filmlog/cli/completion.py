"""Shell completion from the journal: review IDs with their titles, titles, genres, tags, names.

Completion runs on every press of Tab, so it reads the journal as a table does,
without the bodies, and it never fails loudly: a missing, damaged or unreadable
journal, or anything else going wrong, completes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import typer

Completion = list[tuple[str, str]] | list[str]


Document = tuple[int, dict[str, Any]]


def _reviews(ctx: typer.Context) -> list[Document]:
    """Every stored review document with its ID, from the journal the command line names.

    The documents as read, bodies left in the file and no review built: each
    completer takes the one or two fields it offers, so a Tab costs no more than
    a ``filmlog list``.
    """
    try:
        from filmlog.storage import Journal, default_path

        # The global options are parsed, but not acted on, while completing: read --db here.
        db = ctx.find_root().params.get("db")
        path = Path(db).expanduser() if db else default_path()
        return Journal(path).browse()[0]
    except Exception:  # any failure, even a bug, must not reach the prompt
        return []


def _texts(values: Any) -> list[str]:
    """The strings of a stored list (a damaged journal may hold anything)."""
    return [v for v in values or () if isinstance(v, str)] if isinstance(values, list) else []


def _actors(doc: Mapping[str, Any]) -> list[str]:
    cast = doc.get("cast")
    return _texts(
        [m.get("actor") for m in cast if isinstance(m, dict)] if isinstance(cast, list) else []
    )


def _title(doc: Mapping[str, Any]) -> str:
    title = doc.get("title")
    return title if isinstance(title, str) else ""


def _year(doc: Mapping[str, Any]) -> int | None:
    year = doc.get("year")
    return year if type(year) is int else None


def _completing(value: str, typed: str, *, loose: bool = True) -> str | None:
    """``value`` as a completion of ``typed``, ignoring case and accents; None if it is not.

    Completions must start with exactly what was typed, so ``amel`` completes ``Amélie``
    as ``amelie``: filmlog matches titles, genres, tags and names that way anyway.
    """
    if value.startswith(typed):
        return value
    if not loose:
        return None
    from filmlog.folding import fold

    folded, start = fold(value), fold(typed)
    return typed + folded[len(start) :] if folded.startswith(start) else None


def _quiet(complete: Callable[[typer.Context, str], Completion]) -> Callable[..., Completion]:
    """``complete``, completing nothing instead of failing: a traceback would land on the
    command line being typed."""

    @functools.wraps(complete)
    def quiet(ctx: typer.Context, incomplete: str) -> Completion:
        try:
            return complete(ctx, incomplete)
        except Exception:
            return []

    return quiet


@_quiet
def review_ids(ctx: typer.Context, incomplete: str) -> Completion:
    """Review IDs starting with what is typed, newest first, each with its title."""
    given = {str(i) for i in ctx.params.get("review_ids") or ()}
    return [
        (str(review_id), _label(doc))
        for review_id, doc in reversed(_reviews(ctx))
        if str(review_id).startswith(incomplete) and str(review_id) not in given
    ]


@_quiet
def titles(ctx: typer.Context, incomplete: str) -> Completion:
    """Titles starting with what is typed; with the year where remakes share a title."""
    from filmlog.folding import fold

    years: dict[str, set[int]] = {}
    spelled: dict[str, str] = {}
    for _, doc in _reviews(ctx):
        title = _completing(_title(doc), incomplete)
        if title:
            key = " ".join(fold(title).split())
            spelled.setdefault(key, title)
            year = _year(doc)
            years.setdefault(key, set()).update([year] if year else [])
    found: list[str] = []
    for key, title in spelled.items():
        dated = sorted(years[key])
        found.extend([f"{title} ({y})" for y in dated] if len(dated) > 1 else [title])
    return sorted(found, key=fold)


def _values(
    field: Callable[[Mapping[str, Any]], list[str]], *, loose: bool = True
) -> Callable[..., Completion]:
    """A completer for a repeatable, comma-separated option: the journal's own spellings.

    ``loose``: also complete ignoring case and accents (see :func:`_completing`), for
    values filmlog matches that way; names are stored as typed, so they are not.
    """

    def complete(ctx: typer.Context, incomplete: str) -> Completion:
        from filmlog.folding import fold

        # "Romance, Sc" completes the part after the last comma and keeps the rest.
        done, comma, part = incomplete.rpartition(",")
        typed = part.lstrip()
        lead = done + comma + part[: len(part) - len(typed)]
        counts: dict[str, list[Any]] = {}
        for _, doc in _reviews(ctx):
            for value in field(doc):
                key = value.casefold()
                if key in counts:
                    counts[key][1] += 1
                elif (shown := _completing(value, typed, loose=loose)) is not None:
                    counts[key] = [shown, 1]
        ranked = sorted(counts.values(), key=lambda c: (-c[1], fold(c[0])))
        return [(lead + value, f"{n:,} review{'s' if n != 1 else ''}") for value, n in ranked]

    return _quiet(complete)


genres = _values(lambda d: _texts(d.get("genres")))
tags = _values(lambda d: _texts(d.get("tags")))
directors = _values(lambda d: _texts(d.get("directors")), loose=False)
actors = _values(_actors, loose=False)


def _label(doc: Mapping[str, Any]) -> str:
    """``Her (2013) 2024-04-12``: a review ID's description."""
    year, watched = _year(doc), doc.get("watched_on")
    title = f"{_title(doc)} ({year})" if year else _title(doc)
    return f"{title} {watched if isinstance(watched, str) else ''}".strip()
