"""Deciding what an import changes: which entries are new, which update a review, which are known.

Pure: given the journal's reviews and what an importer read, :func:`plan`
returns the plan; the CLI applies it in one transaction (or, for a dry run,
only reports it). Entries are checked against the journal and against the
entries accepted before them, so a file that repeats itself adds nothing twice
and importing the same file again adds nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from filmlog.folding import film_key
from filmlog.importers import Entry, Match, Parsed, Rejected
from filmlog.model import Review

FilmKey = tuple[str, int | None]
_TWICE = "appears twice in the import"


@dataclass(slots=True)
class Update:
    """A stored review to replace: ``review`` carries the stored review's ID."""

    entry: Entry
    review: Review
    # False keeps the incoming updated_at (a merge of filmlog exports); True stamps now.
    stamp: bool


@dataclass(slots=True)
class Plan:
    """What an import will do."""

    add: list[Entry] = field(default_factory=list)
    update: list[Update] = field(default_factory=list)
    skip: list[tuple[Entry, str]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class _Index:
    """The journal's reviews, and the entries accepted so far, by every key a match uses."""

    def __init__(self, reviews: Iterable[Review]) -> None:
        self.uuid: dict[str, Review] = {}
        self.source: dict[tuple[str, str], Review] = {}
        self.viewing: dict[tuple[FilmKey, date | None], list[Review]] = {}
        self.film: dict[FilmKey, list[Review]] = {}
        for review in reviews:
            self.add(review)

    def add(self, review: Review, titles: Iterable[str] = ()) -> None:
        self.uuid.setdefault(review.uuid, review)
        for name, value in review.sources.items():
            self.source.setdefault((name, value), review)
        for title in (review.title, *titles):
            key = film_key(title, review.year)
            self.film.setdefault(key, []).append(review)
            self.viewing.setdefault((key, review.watched_on), []).append(review)


def consulted(parsed: Parsed) -> set[str] | None:
    """The UUIDs of the stored reviews a plan of ``parsed`` can look at; None for every one.

    An entry matched by UUID looks up only its own UUID (and the entries before
    it), so a filmlog export's plan needs only the stored reviews that share
    one; an entry matched by source or by film compares against them all.
    """
    if any(entry.match is not Match.UUID for entry in parsed.entries):
        return None
    return {entry.review.uuid for entry in parsed.entries}


def plan(
    existing: Sequence[Review],
    parsed: Parsed,
    *,
    progress: Callable[[], None] | None = None,
) -> Plan:
    """Sort the parsed entries into additions, updates and skips against ``existing``
    (every stored review, or those :func:`consulted` names)."""
    index = _Index(existing)
    result = Plan(rejected=list(parsed.rejected))
    updated: set[str] = set()
    for entry in parsed.entries:
        _place(entry, index, result, updated)
        if progress is not None:
            progress()
    return result


def _place(entry: Entry, index: _Index, result: Plan, updated: set[str]) -> None:
    review = entry.review
    if entry.match is Match.UUID:
        known = index.uuid.get(review.uuid)
        if known is None:
            _accept(entry, index, result)
        elif known.id is None or known.uuid in updated:
            result.skip.append((entry, _TWICE))
        elif _newer(review, known):
            # The journal keeps its ID and UUID; everything else comes from the newer copy.
            replacement = review.copy(id=known.id, uuid=known.uuid)
            result.update.append(Update(entry, replacement, stamp=False))
            updated.add(known.uuid)
        else:
            result.skip.append((entry, "the journal's copy is as new or newer"))
        return

    source = entry.source
    source_id = review.sources.get(source) if source else None
    known = index.source.get((source, source_id)) if source and source_id else None
    # Imported reviews' UUIDs derive from their source ID: a match survives edits to both.
    known = known or index.uuid.get(review.uuid)
    if known is not None:
        _known(entry, known, result, updated, "already imported")
        return
    if entry.match is Match.VIEWING:
        # The same film on the same day in a review with no ID from this source (typed in
        # by hand, or a row without a URI) is the same viewing.
        key = film_key(review.title, review.year), review.watched_on
        same = [o for o in index.viewing.get(key, []) if not source or source not in o.sources]
        reason = "the journal has this film on this date"
    else:
        # Any stored review of the film counts. Among this import's own entries, one with
        # another ID from the same source is another film of the same name and year.
        same = [
            other
            for title in (review.title, *entry.titles)
            for other in index.film.get(film_key(title, review.year), [])
            if other.id is not None or not source or source not in other.sources
        ]
        reason = "the journal already has this film"
    if same:
        _known(entry, same[0], result, updated, reason)
    else:
        _accept(entry, index, result)


def _known(entry: Entry, other: Review, result: Plan, updated: set[str], reason: str) -> None:
    """``entry`` is already in the journal (or earlier in the import) as ``other``."""
    if other.id is None:
        result.skip.append((entry, _TWICE))
    elif other.body is None and entry.review.body and other.uuid not in updated:
        # The journal has this entry without its text (diary.csv imported before
        # reviews.csv): the text is added, nothing else is touched.
        result.update.append(Update(entry, other.copy(body=entry.review.body), stamp=True))
        updated.add(other.uuid)
    else:
        result.skip.append((entry, reason))


def _accept(entry: Entry, index: _Index, result: Plan) -> None:
    result.add.append(entry)
    index.add(entry.review, entry.titles)


def _newer(incoming: Review, stored: Review) -> bool:
    if incoming.updated_at is None:
        return False
    return stored.updated_at is None or incoming.updated_at > stored.updated_at
