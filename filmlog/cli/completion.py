"""Shell completion from the journal: review IDs with their titles, titles, genres, tags, names.

Completion runs on every press of Tab, so it reads the journal as a table does,
without the bodies, and it never fails loudly: a missing, damaged or unreadable
journal, or anything else going wrong, completes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from filmlog.model import ReviewSummary

Completion = list[tuple[str, str]] | list[str]


def _reviews(ctx: typer.Context) -> list[ReviewSummary]:
    """Every review, with the few fields completion offers, from the journal the command
    line names: read as ``stats`` reads it, without the bodies, so a Tab costs no more
    than a ``filmlog list``."""
    try:
        from filmlog.storage import Journal, default_path

        # The global options are parsed, but not acted on, while completing: read --db here.
        db = ctx.find_root().params.get("db")
        path = Path(db).expanduser() if db else default_path()
        return Journal(path).summaries().reviews
    except Exception:  # any failure, even a bug, must not reach the prompt
        return []


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
        (str(review.id), _label(review))
        for review in reversed(_reviews(ctx))
        if str(review.id).startswith(incomplete) and str(review.id) not in given
    ]


@_quiet
def titles(ctx: typer.Context, incomplete: str) -> Completion:
    """Titles starting with what is typed; with the year where remakes share a title."""
    from filmlog.folding import fold

    years: dict[str, set[int]] = {}
    spelled: dict[str, str] = {}
    for review in _reviews(ctx):
        title = _completing(review.title, incomplete)
        if title:
            key = " ".join(fold(title).split())
            spelled.setdefault(key, title)
            years.setdefault(key, set()).update([review.year] if review.year else [])
    found: list[str] = []
    for key, title in spelled.items():
        dated = sorted(years[key])
        found.extend([f"{title} ({y})" for y in dated] if len(dated) > 1 else [title])
    return sorted(found, key=fold)


def _values(
    field: Callable[[ReviewSummary], list[str]], *, loose: bool = True
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
        for review in _reviews(ctx):
            for value in field(review):
                key = value.casefold()
                if key in counts:
                    counts[key][1] += 1
                elif (shown := _completing(value, typed, loose=loose)) is not None:
                    counts[key] = [shown, 1]
        ranked = sorted(counts.values(), key=lambda c: (-c[1], fold(c[0])))
        return [(lead + value, f"{n:,} review{'s' if n != 1 else ''}") for value, n in ranked]

    return _quiet(complete)


genres = _values(lambda review: review.genres)
tags = _values(lambda review: review.tags)
directors = _values(lambda review: review.directors, loose=False)
actors = _values(lambda review: review.actors, loose=False)


def _label(review: ReviewSummary) -> str:
    """``Her (2013) 2024-04-12``: a review ID's description."""
    from filmlog.model import display_title

    watched = review.watched_on.isoformat() if review.watched_on else ""
    return f"{display_title(review.title, review.year)} {watched}".strip()
