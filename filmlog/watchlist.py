"""The watchlist: films to see, kept in the journal file beside the reviews.

Entries live in a table of their own (``watchlist``), in TinyDB's layout like
the reviews, under IDs from their own counter (``watchlist_next_id`` in the
meta record) that are never handed out twice, each with its own UUID. Taking
a film off leaves a tombstone (uuid, id, removed_at) in
``watchlist-tombstones``, so that a merge of two journals can tell a film
taken off from one never there. Every change goes through
:meth:`filmlog.storage.Journal.transaction` (:class:`Editor` works on its
session's tables), so it is atomic, locked, backed up and undone like any other.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from filmlog.errors import CorruptJournal, InvalidInput, NotFound
from filmlog.folding import fold
from filmlog.model import (
    _datetime,
    _iso,
    _str_list,
    display_title,
    is_int,
    new_uuid,
    validate_film,
    validate_lists,
    validate_text,
)
from filmlog.schema import META_ID, META_TABLE, WATCHLIST_TABLE, WATCHLIST_TOMBSTONES_TABLE

if TYPE_CHECKING:
    from filmlog.model import Review
    from filmlog.session import Session

TABLE = WATCHLIST_TABLE
TOMBSTONES = WATCHLIST_TOMBSTONES_TABLE
COUNTER = "watchlist_next_id"  # in the journal's meta record, beside the reviews' next_id

# The keys of `watchlist --json`, in order; scripts rely on exactly these.
JSON_KEYS = (
    "id",
    "uuid",
    "tmdb_id",
    "imdb_id",
    "title",
    "original_title",
    "year",
    "directors",
    "genres",
    "runtime",
    "note",
    "tags",
    "added_at",
    "sources",
)


@dataclass(slots=True)
class Entry:
    """A film to see, and what is known of it when it went on the watchlist."""

    title: str
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    tmdb_id: int | None = None
    imdb_id: str | None = None
    original_title: str | None = None
    year: int | None = None
    directors: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    runtime: int | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    added_at: datetime | None = None
    # Identifiers from other services ("letterboxd", "imdb"): kept so re-imports match.
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def display_title(self) -> str:
        """``Title (Year)``, or the bare title when the year is unknown."""
        return display_title(self.title, self.year)

    def validate(self) -> Entry:
        """Check every field by the rules reviews follow, raising InvalidInput; return self."""
        validate_text("title", self.title, required=True)
        for name in ("original_title", "note", "uuid"):
            validate_text(name, getattr(self, name))
        validate_lists(self)
        validate_film(self)
        if self.added_at is not None and self.added_at.tzinfo is None:
            raise InvalidInput("added_at must carry a time zone")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The stored form: every field but ``id`` (the table's key), JSON-ready."""
        return {
            "uuid": self.uuid,
            "tmdb_id": self.tmdb_id,
            "imdb_id": self.imdb_id,
            "title": self.title,
            "original_title": self.original_title,
            "year": self.year,
            "directors": list(self.directors),
            "genres": list(self.genres),
            "runtime": self.runtime,
            "note": self.note,
            "tags": list(self.tags),
            "added_at": _iso(self.added_at),
            "sources": dict(self.sources),
        }

    def to_json(self) -> dict[str, Any]:
        """The documented ``--json`` view: exactly :data:`JSON_KEYS`."""
        return {"id": self.id, **self.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], entry_id: int | None = None) -> Entry:
        """An entry from its stored form; InvalidInput when it is malformed."""
        if not isinstance(data, Mapping):
            raise InvalidInput("malformed watchlist entry: not a record")
        get = data.get
        try:
            title = data["title"]
            if not isinstance(title, str):
                raise TypeError(f"title must be text, not {title!r}")
            sources = get("sources") or {}
            if not isinstance(sources, dict):
                raise TypeError(f"sources must be a record, not {sources!r}")
            return cls(
                title=title,
                id=entry_id,
                uuid=get("uuid") or new_uuid(),
                tmdb_id=get("tmdb_id"),
                imdb_id=get("imdb_id"),
                original_title=get("original_title"),
                year=get("year"),
                directors=list(_str_list(get("directors"))),
                genres=list(_str_list(get("genres"))),
                runtime=get("runtime"),
                note=get("note"),
                tags=list(_str_list(get("tags"))),
                added_at=_datetime(get("added_at")),
                sources=dict(sources),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"malformed watchlist entry: {exc}") from None


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A film taken off the watchlist: enough for a merge to take it off the other side too."""

    uuid: str
    id: int
    removed_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "id": self.id, "removed_at": self.removed_at.isoformat()}

    @classmethod
    def from_dict(cls, data: object) -> Tombstone:
        """A tombstone from its stored form; InvalidInput when it is malformed."""
        if not isinstance(data, Mapping):
            raise InvalidInput("malformed watchlist tombstone: not a record")
        uuid, entry_id, removed = data.get("uuid"), data.get("id"), data.get("removed_at")
        if not isinstance(uuid, str) or not uuid:
            raise InvalidInput("malformed watchlist tombstone: no uuid")
        if not _is_id(entry_id):
            raise InvalidInput(f"malformed watchlist tombstone: bad id {entry_id!r}")
        try:
            moment = _datetime(removed)
        except (TypeError, ValueError):
            moment = None
        if moment is None or moment.tzinfo is None:
            raise InvalidInput(f"malformed watchlist tombstone: bad removed_at {removed!r}")
        return cls(uuid, entry_id, moment)


def _is_id(value: object) -> TypeGuard[int]:
    return is_int(value) and value > 0


def _is_key(key: str) -> bool:
    return key.isascii() and key.isdigit() and key == str(int(key)) and int(key) > 0


# Reading ---------------------------------------------------------------------------------


def problems(tables: Mapping[str, Any]) -> list[str]:
    """What is wrong with a journal's watchlist tables, in plain words (empty when healthy).

    ``filmlog doctor`` lists these; every read of the watchlist refuses a journal
    with any of them.
    """
    found: list[str] = []
    docs = tables.get(TABLE, {})
    stones = tables.get(TOMBSTONES, {})
    for name, table in ((TABLE, docs), (TOMBSTONES, stones)):
        if not isinstance(table, dict):
            found.append(f"the {name} table is damaged (it is not a table of records)")
    if found:
        return found
    bad = [repr(key) for key in docs if not _is_key(key)]
    if bad:
        found.append(f"watchlist entries with an ID that is not a positive whole number: {bad[:5]}")
    invalid = []
    uuids: dict[str, str] = {}
    for key, doc in docs.items():
        try:
            uuid = Entry.from_dict(doc).validate().uuid
        except InvalidInput as exc:
            invalid.append(f"watchlist entry {key} is invalid: {exc}")
            continue
        if uuid in uuids:  # merges match films by UUID: two would become one
            invalid.append(f"watchlist entries {uuids[uuid]} and {key} share the UUID {uuid}")
        uuids.setdefault(uuid, key)
    found.extend(invalid[:10])
    if len(invalid) > 10:
        found.append(f"and {len(invalid) - 10:,} more invalid watchlist entries")
    used = [int(key) for key in docs if _is_key(key)]
    for key, doc in stones.items():
        try:
            used.append(Tombstone.from_dict(doc).id)
        except InvalidInput as exc:
            found.append(f"watchlist tombstone {key!r} is damaged ({exc})")
    counter = _counter(tables)
    if (used or counter is not None) and not (_is_id(counter) and counter > max(used, default=0)):
        found.append(
            f"the watchlist's ID counter ({COUNTER} {counter!r}) is not above its highest ID "
            f"{max(used, default=0)}, so an ID could be reused"
        )
    return found


def _counter(tables: Mapping[str, Any]) -> object:
    """The stored counter, as it is (None when there is none)."""
    records = tables.get(META_TABLE)
    meta = records.get(str(META_ID)) if isinstance(records, dict) else None
    return meta.get(COUNTER) if isinstance(meta, dict) else None


def _checked(tables: Mapping[str, Any], path: Path) -> None:
    wrong = problems(tables)
    if wrong:
        raise CorruptJournal(
            f"journal {path} has a damaged watchlist ({wrong[0]}); it was left unchanged "
            "(filmlog doctor lists what is wrong)"
        )


def entries(tables: Mapping[str, Any], path: Path) -> list[Entry]:
    """Every entry of a journal's tables, in ID order; CorruptJournal if the table is damaged."""
    _checked(tables, path)
    docs = tables.get(TABLE, {})
    return [Entry.from_dict(docs[key], int(key)) for key in sorted(docs, key=int)]


def find(tables: Mapping[str, Any], path: Path, entry_id: int) -> Entry:
    """One entry of a journal's tables by ID; NotFound when the watchlist has no such film."""
    _checked(tables, path)
    doc = tables.get(TABLE, {}).get(str(entry_id))
    if doc is None:
        raise _not_found(entry_id)
    return Entry.from_dict(doc, entry_id)


def _not_found(entry_id: int) -> NotFound:
    return NotFound(f"no film with ID {entry_id} on the watchlist")


def tombstones(tables: Mapping[str, Any], path: Path) -> list[Tombstone]:
    """Every tombstone of a journal's tables, oldest ID first."""
    _checked(tables, path)
    found = [Tombstone.from_dict(doc) for doc in tables.get(TOMBSTONES, {}).values()]
    return sorted(found, key=lambda stone: (stone.id, stone.uuid))


def next_id(tables: Mapping[str, Any]) -> int:
    """The next ID the watchlist hands out (its counter, kept above every ID it used)."""
    counter = _counter(tables)
    used = [int(key) for key in tables.get(TABLE, {}) if _is_key(key)]
    used += [
        doc["id"]
        for doc in tables.get(TOMBSTONES, {}).values()
        if isinstance(doc, dict) and _is_id(doc.get("id"))
    ]
    return max(counter if _is_id(counter) else 1, max(used, default=0) + 1)


# Which film is which -----------------------------------------------------------------------


class Film(Protocol):
    """What identifies a film: a review and a watchlist entry both have these."""

    title: str
    original_title: str | None
    year: int | None
    tmdb_id: int | None
    imdb_id: str | None
    sources: dict[str, str]


def _ids(film: Film) -> dict[str, object]:
    found: dict[str, object] = {}
    if film.tmdb_id is not None:
        found["tmdb"] = film.tmdb_id
    imdb = film.imdb_id or film.sources.get("imdb")
    if imdb:
        found["imdb"] = imdb
    return found


def _title_keys(film: Film) -> set[str]:
    titles = (film.title, film.original_title)
    return {fold(" ".join(title.split())) for title in titles if title}


def same_film(one: Film, other: Film) -> bool:
    """Whether two records are of one film.

    The same TMDB or IMDb ID decides; a different one of either rules it out
    (a remake has its own). Otherwise the title (ignoring case, accents and
    spacing, the original title too) and the year, where both give one.
    """
    mine, theirs = _ids(one), _ids(other)
    shared = mine.keys() & theirs.keys()
    if shared:
        return all(mine[name] == theirs[name] for name in shared)
    if one.year is not None and other.year is not None and one.year != other.year:
        return False
    return not _title_keys(one).isdisjoint(_title_keys(other))


class FilmIndex:
    """Records looked up by film, so that matching many films is not a pairwise scan."""

    def __init__(self, films: Iterable[Film] = ()) -> None:
        self._by_key: dict[object, list[Film]] = {}
        for film in films:
            self.add(film)

    def add(self, film: Film) -> None:
        keys: list[object] = [(name, value) for name, value in _ids(film).items()]
        keys += _title_keys(film)
        for key in keys:
            self._by_key.setdefault(key, []).append(film)

    def may_match(self, doc: object) -> bool:
        """Whether a stored entry could be of an indexed film: never False when it is.

        Read from the raw document, for speed; anything unexpected says True, and
        the caller then reads the entry properly (which reports the damage).
        """
        if not isinstance(doc, dict):
            return True
        try:
            keys: list[object] = [("tmdb", doc.get("tmdb_id"))]
            imdb = doc.get("imdb_id") or (doc.get("sources") or {}).get("imdb")
            keys.append(("imdb", imdb))
            titles = [doc["title"], doc.get("original_title") or ""]  # no title: damaged
            keys += [fold(" ".join(title.split())) for title in titles if title]
            return any(key in self._by_key for key in keys)
        except (AttributeError, TypeError, KeyError):
            return True

    def matches(self, film: Film) -> list[Film]:
        """The indexed records of the same film (see :func:`same_film`), each once."""
        keys: list[object] = [(name, value) for name, value in _ids(film).items()]
        keys += _title_keys(film)
        found: dict[int, Film] = {}
        for key in keys:
            for other in self._by_key.get(key, ()):
                if id(other) not in found and same_film(film, other):
                    found[id(other)] = other
        return list(found.values())


# Writing ---------------------------------------------------------------------------------


class Editor:
    """Changes to the watchlist inside one journal transaction, on its session's tables."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._tables = session.tables()
        self._checked = False

    def _docs(self) -> dict[str, Any]:
        """The stored entries, checked first (once: this editor's own changes keep them so)."""
        if not self._checked:
            _checked(self._tables, self._session.path)
            self._checked = True
        docs: dict[str, Any] = self._tables.setdefault(TABLE, {})
        return docs

    def _changed(self) -> None:
        self._session.changed = True

    def entries(self) -> list[Entry]:
        """Every entry as it stands in this transaction, in ID order."""
        self._docs()
        return entries(self._tables, self._session.path)

    def tombstones(self) -> list[Tombstone]:
        return tombstones(self._tables, self._session.path)

    def get(self, entry_id: int) -> Entry:
        doc = self._docs().get(str(entry_id))
        if doc is None:
            raise _not_found(entry_id)
        return Entry.from_dict(doc, entry_id)

    def add(self, entry: Entry) -> Entry:
        """Put a film on the watchlist under a fresh ID; returns it with ID and time set."""
        return self.add_many([entry])[0]

    def add_many(self, new: Iterable[Entry], *, keep_ids: bool = False) -> list[Entry]:
        """Put many films on the watchlist; all are checked before any is stored.

        ``keep_ids``: an entry keeps its ID when this watchlist never handed it
        out (a restore into a fresh journal gets the same IDs back).
        """
        added = [entry.validate() for entry in new]
        if not added:
            return added
        docs = self._docs()
        counter = next_id(self._tables)
        stamp = _now()
        for entry in sorted(added, key=lambda e: e.id or 0) if keep_ids else added:
            if keep_ids and entry.id is not None and entry.id >= counter:
                counter = entry.id
            entry.id = counter
            counter += 1
            entry.added_at = entry.added_at or stamp
            docs[str(entry.id)] = entry.to_dict()
        self._set_counter(counter)
        self._changed()
        return added

    def raise_counter(self, counter: int) -> None:
        """Make the counter at least ``counter`` (a restore carries the other journal's)."""
        if counter > next_id(self._tables):
            self._set_counter(counter)
            self._changed()

    def _set_counter(self, counter: int) -> None:
        meta = self._tables.setdefault(META_TABLE, {}).setdefault(str(META_ID), {})
        meta[COUNTER] = counter

    def remove(self, entry_ids: Iterable[int]) -> list[Entry]:
        """Take films off by ID (all must be there), leaving a tombstone of each."""
        removed = [self.get(entry_id) for entry_id in dict.fromkeys(entry_ids)]
        self._remove(removed)
        return removed

    def _remove(self, removed: Sequence[Entry]) -> None:
        if not removed:
            return
        docs = self._docs()
        stones: dict[str, Any] = self._tables.setdefault(TOMBSTONES, {})
        stamp = _now()
        # The counter first: taking the highest ID off must not let it be handed out again.
        self._set_counter(next_id(self._tables))
        key = _next_key(stones)
        for entry in removed:
            del docs[str(entry.id)]
            stones[str(key)] = Tombstone(entry.uuid, entry.id or 0, stamp).to_dict()
            key += 1
        self._changed()

    def bury(self, stones: Iterable[Tombstone]) -> list[Entry]:
        """Apply another journal's tombstones: take those films off here too; returns them."""
        known = {stone.uuid for stone in self.tombstones()}
        table: dict[str, Any] = self._tables.setdefault(TOMBSTONES, {})
        live = {entry.uuid: entry for entry in self.entries()}
        gone = []
        for stone in stones:
            if stone.uuid in known:
                continue
            known.add(stone.uuid)
            if stone.uuid in live:
                gone.append(live[stone.uuid])
            else:
                table[str(_next_key(table))] = stone.to_dict()
                self._changed()
        self._remove(gone)
        return gone

    def bring(
        self,
        incoming: Sequence[Entry],
        reviews: Sequence[Film],
        *,
        removed: Sequence[Tombstone] = (),
        counter: int | None = None,
        keep_ids: bool = False,
    ) -> Brought:
        """Put the new films of an import on the watchlist (see :func:`bring`).

        ``removed``, ``counter`` and ``keep_ids`` come with another filmlog
        journal's watchlist: its tombstones take those films off here too, its
        counter is carried over, and its films keep their IDs where this
        watchlist never handed them out.
        """
        result = bring(self.entries(), self.tombstones(), reviews, incoming)
        self.add_many(result.added, keep_ids=keep_ids)
        result.taken_off = self.bury(removed)
        if counter is not None:
            self.raise_counter(counter)
        return result

    def cross_off(self, reviews: Sequence[Review]) -> list[Entry]:
        """Take off every film one of ``reviews`` logs; returns what was taken off.

        Every ``add`` runs this, so the stored entries are first screened by their
        raw fields; the watchlist is read (and checked) only when one could match.
        """
        docs = self._tables.get(TABLE)
        if not docs or not reviews:  # the common case: nothing to read
            return []
        index = FilmIndex(reviews)
        if isinstance(docs, dict) and not any(index.may_match(doc) for doc in docs.values()):
            return []
        done = [entry for entry in self.entries() if index.matches(entry)]
        self._remove(done)
        return done


def _next_key(table: Mapping[str, Any]) -> int:
    return max((int(key) for key in table if _is_key(key)), default=0) + 1


def _now() -> datetime:
    from filmlog.storage import now

    return now()


# Bringing films in ------------------------------------------------------------------------


@dataclass(slots=True)
class Brought:
    """What putting a batch of films on the watchlist did."""

    added: list[Entry] = field(default_factory=list)
    present: list[Entry] = field(default_factory=list)  # on the watchlist already
    logged: list[Entry] = field(default_factory=list)  # a review of the film exists
    removed: list[Entry] = field(default_factory=list)  # taken off before: not put back
    taken_off: list[Entry] = field(default_factory=list)  # by the other journal's tombstones
    crossed: list[Entry] = field(default_factory=list)  # logged by the import: taken off
    offered: int = 0  # films the import brought


def bring(
    current: Sequence[Entry],
    removed: Iterable[Tombstone],
    reviews: Sequence[Film],
    incoming: Iterable[Entry],
) -> Brought:
    """Sort films to add against the watchlist, its tombstones and the logged films.

    Pure, like an import plan: an entry whose UUID or source ID the watchlist
    has, or a film it has, is present; one taken off before stays off; a film
    with a review is not wanted any more. Importing the same file twice adds
    nothing the second time.
    """
    incoming = list(incoming)
    result = Brought(offered=len(incoming))
    gone = {stone.uuid for stone in removed}
    uuids = {entry.uuid for entry in current}
    sources = {(name, value) for entry in current for name, value in entry.sources.items()}
    films = FilmIndex(current)
    logged = FilmIndex(reviews)
    for entry in incoming:
        if (
            entry.uuid in uuids
            or not sources.isdisjoint(entry.sources.items())
            or films.matches(entry)
        ):
            result.present.append(entry)
        elif logged.matches(entry):
            result.logged.append(entry)
        elif entry.uuid in gone:
            result.removed.append(entry)
        else:
            result.added.append(entry)
            uuids.add(entry.uuid)
            sources.update(entry.sources.items())
            films.add(entry)
    return result


# Choosing -----------------------------------------------------------------------------------

_ARTICLES = re.compile(r"^(the|a|an)\s+")


@dataclass(slots=True)
class Filters:
    """What ``watchlist list`` and ``pick`` narrow the watchlist to; empty means everything.

    Different filters must all match; the values of one repeatable filter
    match if any of them does.
    """

    words: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    directors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    year: int | None = None
    max_runtime: int | None = None

    def matches(self, entry: Entry) -> bool:
        if self.genres and not {g.casefold() for g in self.genres} & {
            g.casefold() for g in entry.genres
        }:
            return False
        if self.tags and not {t.casefold() for t in self.tags} & {t.casefold() for t in entry.tags}:
            return False
        if self.directors:
            have = [fold(name) for name in entry.directors]
            if not any(fold(want) in name for want in self.directors for name in have):
                return False
        if self.year is not None and entry.year != self.year:
            return False
        if self.max_runtime is not None and (
            entry.runtime is None or entry.runtime > self.max_runtime
        ):
            return False
        if self.words:
            text = fold(
                " \n".join(
                    part
                    for part in (
                        entry.title,
                        entry.original_title,
                        entry.note,
                        *entry.directors,
                        *entry.genres,
                        *entry.tags,
                    )
                    if part
                )
            )
            return all(fold(word) in text for word in self.words if word.strip())
        return True


def select(found: Iterable[Entry], filters: Filters) -> list[Entry]:
    """The entries ``filters`` let through, in the order given."""
    return [entry for entry in found if filters.matches(entry)]


SORT_KEYS = ("added", "title", "year", "runtime")


def order(found: Iterable[Entry], by: str = "added", *, reverse: bool = False) -> list[Entry]:
    """Newest added, title A to Z (ignoring "The"), newest year, or shortest first.

    Entries without the sort field go last either way; ties fall back to the
    newest ID first, so the order is the same from run to run.
    """
    keys: dict[str, Callable[[Entry], Any]] = {
        "added": lambda e: e.added_at,
        "title": lambda e: _ARTICLES.sub("", fold(e.title)),
        "year": lambda e: e.year,
        "runtime": lambda e: e.runtime,
    }
    if by not in keys:
        raise ValueError(f"unknown sort key {by!r}")
    key = keys[by]
    listed = sorted(found, key=lambda e: -(e.id or 0))
    present = [e for e in listed if key(e) is not None]
    missing = [e for e in listed if key(e) is None]
    present.sort(key=key, reverse=(by in ("added", "year")) != reverse)
    return present + missing


def pick(found: Sequence[Entry], rng: random.Random) -> Entry | None:
    """One entry at random (``rng`` decides; give it a seed for a repeatable choice)."""
    if not found:
        return None
    return rng.choice(sorted(found, key=lambda e: e.id or 0))


def review_of(entry: Entry, title: str | None = None) -> Review:
    """A review to log of a film on the watchlist, with the facts the watchlist holds."""
    from filmlog.model import IMDB_ID, Review

    imdb = entry.imdb_id or entry.sources.get("imdb")
    return Review(
        title=title or entry.title,
        tmdb_id=entry.tmdb_id,
        imdb_id=imdb if imdb and IMDB_ID.fullmatch(imdb) else None,
        original_title=entry.original_title,
        year=entry.year,
        directors=list(entry.directors),
        genres=list(entry.genres),
        runtime=entry.runtime,
        tags=list(entry.tags),
    )
