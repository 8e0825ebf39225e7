"""Merging two copies of a journal by UUID, the way a version-control tool merges files.

Pure: given the tables of the copy both started from (``base``, None when
there is none) and of the two copies (``ours`` and ``theirs``),
:func:`merge` returns the merged tables and what it has to tell the person.
The result depends only on the content, never on which copy is "ours", so
two machines merging the same copies end with the same journal.

The rules, per review (a review is its UUID):

- changed in one copy only: that change is taken, field by field; a field
  changed in both copies to different values is a conflict, resolved by the
  later ``updated_at`` (edits of the same moment: by the values themselves)
  and reported; the losing value is kept in the journal's ``conflicts`` table
  (``filmlog doctor`` lists it);
- added in one copy: kept; deleted in one copy and unchanged in the other:
  deleted; deleted in one and edited in the other: the edit is kept, reported;
- without a base (an import of another journal or export), the copy with the
  later ``updated_at`` wins whole, and a review edited after it was deleted
  elsewhere is kept;
- a review keeps its ID; when the two copies gave one ID to different
  reviews, one keeps it (the one the base had, else a review before a
  deleted one, else the one logged first, else the lower UUID) and the others
  get new IDs above every ID either copy used, in order of old ID and UUID;
  ``next_id`` is above everything either copy handed out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from operator import attrgetter, itemgetter
from typing import Any

import orjson

from filmlog import tombstones
from filmlog.model import STORED_KEYS, is_int
from filmlog.schema import WATCHLIST_TABLE, WATCHLIST_TOMBSTONES_TABLE
from filmlog.storage import (
    CONFLICTS_TABLE,
    FORMAT_NAME,
    META_ID,
    META_TABLE,
    REVIEWS_TABLE,
    SCHEMA_VERSION,
)
from filmlog.tombstones import Tombstone

_OLDEST = datetime.min.replace(tzinfo=timezone.utc)
_MISSING = object()
# The stored fields in the model's order: merged reviews list their fields in this order.
_FIELD_ORDER = {name: n for n, name in enumerate(STORED_KEYS)}


@dataclass(slots=True)  # not frozen: a frozen one costs twice as much to make, per review
class _Live:
    id: int
    doc: Mapping[str, Any]


_State = _Live | Tombstone | None
_ID, _FIRST = attrgetter("id"), itemgetter(0)


@dataclass(slots=True)
class _Copy:
    """One copy of a journal, by UUID."""

    meta: dict[str, Any]
    others: dict[str, Any]  # tables filmlog does not merge, carried over
    states: dict[str, _Live | Tombstone]
    conflicts: list[dict[str, Any]]
    next_id: int


@dataclass(slots=True)
class Merged:
    """The merged tables, what to report, and how they differ from ``ours``."""

    tables: dict[str, Any]
    notices: list[str] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    deleted: int = 0
    conflicts: int = 0
    renumbered: int = 0


def merge(
    base: Mapping[str, Any] | None, ours: Mapping[str, Any], theirs: Mapping[str, Any]
) -> Merged:
    """Merge the tables of two copies of a journal (see the module's rules)."""
    old = _copy(base) if base is not None else None
    mine, other = _copy(ours), _copy(theirs)
    notices: list[tuple[str, str]] = []  # (sort key, message): the same order every time
    conflicts: list[dict[str, Any]] = []
    result: dict[str, _Live | Tombstone] = {}
    kept_edits = []
    for key in sorted(set(mine.states) | set(other.states)):
        before = old.states.get(key) if old is not None else None
        sides = mine.states.get(key), other.states.get(key)
        only = sides[0] if sides[1] is None else sides[1] if sides[0] is None else None
        if before is None and only is not None:
            # In one copy only, and no base: kept as it is (what _resolve would say). Most
            # reviews of an import are here, so they skip the calls.
            result[key] = only
            continue
        state = _resolve(key, before, *sides, conflicts)
        if state is not None:
            result[key] = state
        if isinstance(state, _Live) and _kept_edit(before, *sides):
            kept_edits.append(key)
    renumbered = _settle_ids(result, old, mine, other)
    for key in kept_edits:
        notices.append(
            (key, f"{_name(result[key])}: deleted in one copy and edited in the other; kept it")
        )
    for key, (was, state) in sorted(renumbered.items()):
        if isinstance(state, _Live):
            notices.append(
                (key, f"{_name(state, was)} is now #{state.id}: both copies had a #{was}")
            )
    for entry in conflicts:
        state = result[entry["uuid_key"]]
        entry["id"] = state.id
        notices.append((entry["uuid_key"], _conflict_line(entry)))
    next_id = max(
        mine.next_id,
        other.next_id,
        max((state.id + 1 for state in result.values()), default=1),
    )
    stored = [{k: v for k, v in entry.items() if k != "uuid_key"} for entry in conflicts]
    tables = _tables(mine, other, result, [*mine.conflicts, *other.conflicts, *stored], next_id)
    copies = (base or {}, ours, theirs)
    if any(WATCHLIST_TABLE in c or WATCHLIST_TOMBSTONES_TABLE in c for c in copies):
        from filmlog import watchlist_merge  # the watchlist merges by rules of its own

        watchlist_merge.merge(*copies).apply(tables)
    merged = Merged(tables, [line for _, line in sorted(notices)])
    merged.conflicts = len(conflicts)
    merged.renumbered = sum(isinstance(state, _Live) for _, state in renumbered.values())
    _count(merged, mine, other, result)
    return merged


def same_content(one: Mapping[str, Any], two: Mapping[str, Any]) -> bool:
    """Whether two journals hold the same reviews, tombstones, set-aside values and ID counter."""

    def content(tables: Mapping[str, Any]) -> tuple[Any, ...]:
        held = _copy(tables)
        states = {k: (s.id, s.doc) if isinstance(s, _Live) else s for k, s in held.states.items()}
        return held.next_id, states, sorted(_canonical(entry) for entry in held.conflicts)

    return content(one) == content(two)


def _copy(tables: Mapping[str, Any]) -> _Copy:
    meta_table = tables.get(META_TABLE) or {}
    meta = dict(meta_table.get(str(META_ID)) or {}) if isinstance(meta_table, Mapping) else {}
    states: dict[str, _Live | Tombstone] = {}
    for stone in tombstones.read(tables):
        held = states.get(stone.uuid)
        if not isinstance(held, Tombstone) or _stone_order(stone) < _stone_order(held):
            states[stone.uuid] = stone
    docs = tables.get(REVIEWS_TABLE) or {}
    ordered = list(zip(map(int, docs), docs.values(), strict=True))
    ordered.sort(key=_FIRST)  # in C: a journal's reviews are in ID order already, as a rule
    highest = ordered[-1][0] if ordered else 0
    for review_id, doc in ordered:
        uuid = doc.get("uuid")
        key = uuid if isinstance(uuid, str) else f"#{review_id}"
        if isinstance(states.get(key), _Live):
            key = f"{key}#{review_id}"  # a UUID shared by two reviews: both are kept
        states[key] = _Live(review_id, doc)  # present beats remembered as deleted
    counter = meta.get("next_id")
    # The reviews are below `highest` already; only a tombstone can be above it.
    highest = max([highest, *(s.id for s in states.values() if isinstance(s, Tombstone))])
    next_id = max(counter if isinstance(counter, int) else 1, highest + 1)
    conflicts = list((tables.get(CONFLICTS_TABLE) or {}).values())
    skip = {META_TABLE, REVIEWS_TABLE, tombstones.TABLE, CONFLICTS_TABLE}
    others = {name: table for name, table in tables.items() if name not in skip}
    return _Copy(meta, others, states, conflicts, next_id)


def _stone_order(stone: Tombstone) -> tuple[datetime, int]:
    return stone.deleted_at, stone.id


def _updated(doc: Mapping[str, Any]) -> datetime:
    value = doc.get("updated_at")
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        return _OLDEST
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _canonical(value: object) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _value_order(value: object) -> tuple[int, bytes]:
    """Where a field's value (or its absence) stands in the order that settles a tie."""
    return (0, b"") if value is _MISSING else (1, _canonical(value))


def _later(one: Mapping[str, Any], two: Mapping[str, Any]) -> bool:
    """Whether ``one`` is the later copy of a review: by updated_at, ties by content."""
    first, second = _updated(one), _updated(two)
    if first != second:
        return first > second
    # Encoded only for a tie: an import updating thousands of reviews has few.
    return _canonical(one) > _canonical(two)


def _same(one: _State, two: _State) -> bool:
    if one is two:
        return True
    if isinstance(one, _Live) and isinstance(two, _Live):
        # The same document object is common (a review one copy alone has), and comparing
        # a dict with itself would still walk every field.
        return one.id == two.id and (one.doc is two.doc or one.doc == two.doc)
    return one == two


def _resolve(
    key: str, base: _State, ours: _State, theirs: _State, conflicts: list[dict[str, Any]]
) -> _State:
    """What the merge holds for one review: present (and as what), deleted, or nothing."""
    if _same(ours, theirs):
        return ours
    if ours is None or theirs is None:
        present = ours if theirs is None else theirs
        if isinstance(base, _Live) and isinstance(present, _Live) and present.doc == base.doc:
            return None  # removed in one copy (by a filmlog without tombstones), unchanged here
        return present
    if isinstance(ours, Tombstone) and isinstance(theirs, Tombstone):
        first = min(ours, theirs, key=_stone_order)
        return Tombstone(first.uuid, _merge_id(base, ours.id, theirs.id), first.deleted_at)
    if isinstance(ours, _Live) and isinstance(theirs, _Live):
        review_id = _merge_id(base, ours.id, theirs.id)
        if isinstance(base, _Live):
            return _Live(review_id, _merge_fields(key, base.doc, ours.doc, theirs.doc, conflicts))
        winner = ours if _later(ours.doc, theirs.doc) else theirs
        # The winning copy's own state when its ID stands: see _count.
        return winner if winner.id == review_id else _Live(review_id, winner.doc)
    live, dead = (ours, theirs) if isinstance(ours, _Live) else (theirs, ours)
    assert isinstance(live, _Live) and isinstance(dead, Tombstone)
    if isinstance(base, _Live):
        return dead if live.doc == base.doc else live
    # No common version: the review stays if it was edited after it was deleted.
    return live if _updated(live.doc) > dead.deleted_at else dead


def _kept_edit(base: _State, ours: _State, theirs: _State) -> bool:
    """Whether a deletion in one copy gave way to an edit in the other (to be reported)."""
    if not isinstance(base, _Live):
        return False
    sides = (ours, theirs)
    return any(isinstance(s, Tombstone) or s is None for s in sides) and any(
        isinstance(s, _Live) and s.doc != base.doc for s in sides
    )


def _merge_id(base: _State, ours: int, theirs: int) -> int:
    """A renumbering in one copy is taken; two different ones: the higher, the later made."""
    was = base.id if base is not None else None
    if ours == was:
        return theirs
    if theirs == was:
        return ours
    return max(ours, theirs)


def _merge_fields(
    key: str,
    base: Mapping[str, Any],
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    conflicts: list[dict[str, Any]],
) -> Mapping[str, Any]:
    if ours == base:
        return theirs
    if theirs == base:
        return ours
    ours_later = _later(ours, theirs)
    winner = ours if ours_later else theirs
    names = sorted(
        set(base) | set(ours) | set(theirs),
        key=lambda name: (_FIELD_ORDER.get(name, len(_FIELD_ORDER)), name),
    )
    merged: dict[str, Any] = {}
    for name in names:
        if name == "updated_at":
            value = winner.get(name, _MISSING)
        else:
            was, mine, other = (d.get(name, _MISSING) for d in (base, ours, theirs))
            if mine == other or other == was:
                value = mine
            elif mine == was:
                value = other
            else:
                # The later edit wins; edits of the same moment, by their values, so that
                # merging the result with either copy again picks the same value.
                tie = _updated(ours) == _updated(theirs)
                mine_wins = _value_order(mine) > _value_order(other) if tie else ours_later
                value, lost = (mine, other) if mine_wins else (other, mine)
                kept_by, lost_by = (ours, theirs) if mine_wins else (theirs, ours)
                conflicts.append(
                    {
                        "uuid_key": key,
                        "uuid": kept_by.get("uuid"),
                        "id": 0,  # set once the IDs are settled
                        "title": kept_by.get("title"),
                        "field": name,
                        "kept": None if value is _MISSING else value,
                        "lost": None if lost is _MISSING else lost,
                        "lost_updated_at": lost_by.get("updated_at"),
                    }
                )
        if value is not _MISSING:
            merged[name] = value
    return merged


def _settle_ids(
    result: dict[str, _Live | Tombstone], base: _Copy | None, ours: _Copy, theirs: _Copy
) -> dict[str, tuple[int, _Live | Tombstone]]:
    """Give every review and tombstone its own ID; returns those renumbered, with the old ID."""
    first: dict[int, str] = {}  # each ID's first holder; the others only where IDs clash
    holders: dict[int, list[str]] = {}
    for key, state in result.items():
        held = first.setdefault(state.id, key)
        if held is not key:
            holders.setdefault(state.id, [held]).append(key)
    based = base.states if base is not None else {}

    def priority(key: str, review_id: int) -> tuple[int, int, datetime, str]:
        state = result[key]
        held = based.get(key)
        in_base = held is not None and held.id == review_id
        if isinstance(state, _Live):
            logged = _logged(state.doc)
            return (0 if in_base else 1, 0, logged, key)
        return (0 if in_base else 1, 1, state.deleted_at, key)

    moving: list[tuple[int, str]] = []
    for review_id, keys in holders.items():
        ranked = sorted((priority(key, review_id), key) for key in keys)
        moving.extend((review_id, key) for _, key in ranked[1:])
    used = max(ours.next_id, theirs.next_id, max(first, default=0) + 1)
    renumbered: dict[str, tuple[int, _Live | Tombstone]] = {}
    for review_id, key in sorted(moving):
        state = result[key]
        if isinstance(state, _Live):
            result[key] = _Live(used, state.doc)
        else:
            result[key] = Tombstone(state.uuid, used, state.deleted_at)
        renumbered[key] = (review_id, result[key])
        used += 1
    return renumbered


def _logged(doc: Mapping[str, Any]) -> datetime:
    value = doc.get("logged_at")
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return _OLDEST
    if moment is None:
        return _OLDEST
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _name(state: _Live | Tombstone, review_id: int | None = None) -> str:
    shown = f"#{state.id if review_id is None else review_id}"
    if isinstance(state, Tombstone):
        return f"deleted review {shown}"
    title, year = state.doc.get("title"), state.doc.get("year")
    title = title if isinstance(title, str) else "?"
    return f"{shown} {title} ({year})" if is_int(year) else f"{shown} {title}"


def _shown(value: object) -> str:
    text = "nothing" if value is None else orjson.dumps(value).decode()
    return text if len(text) <= 40 else text[:39] + "…"


def _conflict_line(entry: Mapping[str, Any]) -> str:
    title = entry["title"] if isinstance(entry["title"], str) else "?"
    return (
        f"#{entry['id']} {title}: {entry['field']} was changed in both copies; kept "
        f"{_shown(entry['kept'])} (the later edit), set aside {_shown(entry['lost'])} in the "
        "journal's conflicts table"
    )


def _tables(
    ours: _Copy,
    theirs: _Copy,
    result: Mapping[str, _Live | Tombstone],
    conflicts: Iterable[dict[str, Any]],
    next_id: int,
) -> dict[str, Any]:
    meta = {**theirs.meta, **ours.meta, "format": FORMAT_NAME, "schema": SCHEMA_VERSION}
    meta["next_id"] = next_id
    live = [state for state in result.values() if type(state) is _Live]
    live.sort(key=_ID)  # IDs are settled: no two are equal
    stones = [s for s in result.values() if isinstance(s, Tombstone)]
    unique = {_canonical(entry): entry for entry in conflicts}
    ordered = [unique[k] for k in sorted(unique, key=lambda k: (unique[k].get("id", 0), k))]
    tables: dict[str, Any] = {META_TABLE: {str(META_ID): meta}}
    tables.update(theirs.others)
    tables.update(ours.others)
    if stones:
        tables[tombstones.TABLE] = tombstones.table(stones)
    if ordered:
        tables[CONFLICTS_TABLE] = {str(n): entry for n, entry in enumerate(ordered, 1)}
    # A document is kept as the very object it was (a dict, as read), not copied: copying
    # every review of a large journal cost more than the rest of an import's merge.
    tables[REVIEWS_TABLE] = {
        str(state.id): state.doc if type(state.doc) is dict else dict(state.doc) for state in live
    }
    return tables


def _count(
    merged: Merged, ours: _Copy, theirs: _Copy, result: Mapping[str, _Live | Tombstone]
) -> None:
    held, other = ours.states, theirs.states
    for key, state in result.items():
        before = held.get(key)
        if before is state:  # kept as this copy had it, the common case
            continue
        if isinstance(state, _Live):
            if not isinstance(before, _Live):
                merged.added += 1
            # The other copy's very state, where this copy has one too, was taken only
            # after _resolve found the two different: no need to compare them again.
            elif state is other.get(key) or not _same(before, state):
                merged.updated += 1
        elif isinstance(before, _Live):
            merged.deleted += 1
    merged.deleted += sum(isinstance(held[key], _Live) for key in held.keys() - result.keys())
