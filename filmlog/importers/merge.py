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
    # True when only what was imported is recorded: the review shows no change.
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class Conflict:
    """A field changed both in the journal and at the source since the last import."""

    review: Review
    field: str
    source: str


@dataclass(slots=True)
class Plan:
    """What an import will do."""

    add: list[Entry] = field(default_factory=list)
    update: list[Update] = field(default_factory=list)
    skip: list[tuple[Entry, str]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    # Fields left as the journal has them although the source changed them too.
    conflicts: list[Conflict] = field(default_factory=list)

    def updated(self) -> int:
        """How many entries changed a review the journal had."""
        return len({id(u.entry) for u in self.update if not u.quiet})

    def unchanged(self) -> int:
        """How many entries the journal already had as they are."""
        changed = {id(u.entry) for u in self.update if not u.quiet}
        quiet = {id(u.entry) for u in self.update if u.quiet} - changed
        return len(self.skip) + len(quiet)


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
        names = dict.fromkeys(t for t in (review.title, review.original_title, *titles) if t)
        for title in names:
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
        if entry.fields and source_id and known.sources.get(source or "") == source_id:
            _refresh(entry, known, result, updated)
        else:
            _known(entry, known, result, updated, "already imported")
        return
    if source in _SERVICES and _across(entry, index, result, updated):
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
            # A review from the other service is the same film only as _across decides.
            if not (source in _SERVICES and _from_other_service(other, source))
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
    _record(entry)
    result.add.append(entry)
    index.add(entry.review, entry.titles)


def _record(entry: Entry) -> None:
    """Note in the entry's review what this import brought, for the next import to compare."""
    key = imported_key(entry.source or "")
    if key in entry.review.sources:
        return  # recorded before facts from another service were added
    if entry.fields and entry.source and entry.review.sources.get(entry.source):
        imported = {name: digest(getattr(entry.review, name)) for name in entry.fields}
        entry.review.sources[key] = _format(imported)


# A film seen, from two services: Letterboxd keeps the diary (viewings, ratings, reviews),
# IMDb knows the film (its IDs, original title, genres, directors, runtime, release).
_DIARY, _FACTS = "letterboxd", "imdb"
_SERVICES = (_DIARY, _FACTS)
# What IMDb adds to a Letterboxd review that lacks it (release_precision goes with the date).
_FACT_FIELDS = ("imdb_id", "original_title", "genres", "directors", "runtime", "rating")


def _from_other_service(review: Review, source: str) -> bool:
    other = _FACTS if source == _DIARY else _DIARY
    return other in review.sources


def _same_viewing(diary: Review, facts: Review) -> bool:
    """Whether a Letterboxd review and an IMDb rating are of one film seen once.

    The IMDb ID decides when both know it. Otherwise the film must match by title
    (either's title or original title, ignoring case and accents) and year, and a
    dated Letterboxd viewing must have been watched or logged on the day IMDb's
    rating was given: a film rated on IMDb and logged on Letterboxd a year apart is
    two records. An undated Letterboxd review (a film marked watched) is the film.
    """
    if diary.imdb_id and facts.imdb_id:
        return diary.imdb_id == facts.imdb_id
    if diary.year != facts.year:
        return False
    titles = {film_key(t, diary.year) for t in (diary.title, diary.original_title) if t}
    if not titles.intersection(
        film_key(t, facts.year) for t in (facts.title, facts.original_title) if t
    ):
        return False
    if diary.watched_on is None:
        return True
    rated = facts.logged_at.date() if facts.logged_at else None
    logged = diary.logged_at.date() if diary.logged_at else None
    return rated is not None and rated in (diary.watched_on, logged)


def _facts(target: Review, facts: Review) -> dict[str, object]:
    """The changes that give ``target`` what ``facts`` (from IMDb) knows and it lacks."""
    changes: dict[str, object] = {}
    for name in _FACT_FIELDS:
        value = getattr(facts, name)
        if _empty(getattr(target, name)) and not _empty(value):
            changes[name] = list(value) if isinstance(value, list) else value
    if target.release_date is None and facts.release_date is not None:
        changes["release_date"] = facts.release_date
        changes["release_precision"] = facts.release_precision
    if _FACTS in facts.sources and _FACTS not in target.sources:
        changes["sources"] = {**target.sources, _FACTS: facts.sources[_FACTS]}
    return changes


def _across(entry: Entry, index: _Index, result: Plan, updated: set[str]) -> bool:
    """Join an entry to the reviews the other service brought of the same viewing.

    Either order of importing gives the same reviews: an IMDb rating fills in the
    Letterboxd reviews it matches; a Letterboxd entry takes over the IMDb-only
    review it matches (keeping its ID), or takes its facts when that review was
    taken over already. Returns True when the entry was placed.
    """
    review = entry.review
    source = entry.source or ""
    seen: dict[int, Review] = {}
    for title in dict.fromkeys((review.title, review.original_title, *entry.titles)):
        if title:
            for other in index.film.get(film_key(title, review.year), []):
                if other.id is not None and _from_other_service(other, source):
                    seen[id(other)] = other
    if source == _FACTS:
        matches = [o for o in seen.values() if _same_viewing(o, review)]
        filled = False
        for other in matches:
            if other.uuid in updated:
                continue
            changes = _facts(other, review)
            if changes:
                result.update.append(Update(entry, other.copy(**changes), stamp=True))
                updated.add(other.uuid)
                filled = True
        if matches and not filled:
            result.skip.append((entry, "the journal has this film from Letterboxd"))
        return bool(matches)
    matches = [o for o in seen.values() if _same_viewing(review, o)]
    if not matches:
        return False
    free = [o for o in matches if _DIARY not in o.sources and o.uuid not in updated]
    _record(entry)
    if not free:
        # Taken over by another viewing already: this one gets the same facts.
        for name, value in _facts(review, matches[0]).items():
            setattr(review, name, value)
        return False
    other = free[0]
    replacement = review.copy(id=other.id, uuid=other.uuid)
    replacement.sources = {**other.sources, **review.sources}
    for name, value in _facts(replacement, other).items():
        setattr(replacement, name, value)
    result.update.append(Update(entry, replacement, stamp=True))
    updated.add(other.uuid)
    index.add(replacement, entry.titles)
    return True


def imported_key(source: str) -> str:
    """The key in ``sources`` recording what the last import from ``source`` brought."""
    return f"{source}:imported"


def digest(value: object) -> str:
    """A short fingerprint of a field's value: enough to tell whether it changed."""
    import hashlib
    import json

    text = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def _format(imported: dict[str, str]) -> str:
    return " ".join(f"{name}={value}" for name, value in sorted(imported.items()))


def _parse(text: str) -> dict[str, str]:
    pairs = (item.partition("=") for item in text.split())
    return {name: value for name, _, value in pairs if name and value}


def _empty(value: object) -> bool:
    return value is None or value is False or value == [] or value == ""


def _refresh(entry: Entry, known: Review, result: Plan, updated: set[str]) -> None:
    """A newer export of a review imported before: take what changed only at the source.

    ``sources`` records a fingerprint of each field as last imported. A field
    whose journal value still matches it was not edited here, so the source's
    new value replaces it; a field changed on both sides keeps the journal's
    value and is reported once. A review imported before fingerprints were kept
    takes only the fields it has empty.
    """
    if known.id is None or known.uuid in updated:
        result.skip.append((entry, _TWICE))
        return
    assert entry.source is not None  # only entries from a source have fields
    key = imported_key(entry.source)
    before = _parse(known.sources.get(key, ""))
    after = dict(before)
    changes: dict[str, object] = {}
    for name in entry.fields:
        incoming = getattr(entry.review, name)
        new, current, old = digest(incoming), digest(getattr(known, name)), before.get(name)
        if new in (current, old):
            # Recorded only where a record exists: a journal is not rewritten to note
            # that a field it never had from this source agrees with it.
            if old is not None:
                after[name] = new
            continue
        after[name] = new
        if current == old or (old is None and _empty(getattr(known, name))):
            changes[name] = incoming
        else:
            result.conflicts.append(Conflict(known, name, entry.source))
    if not changes and after == before:
        result.skip.append((entry, "already imported, unchanged"))
        return
    sources = {**known.sources, key: _format(after)}
    replacement = known.copy(**changes, sources=sources)
    result.update.append(Update(entry, replacement, stamp=bool(changes), quiet=not changes))
    updated.add(known.uuid)


def _newer(incoming: Review, stored: Review) -> bool:
    if incoming.updated_at is None:
        return False
    return stored.updated_at is None or incoming.updated_at > stored.updated_at
