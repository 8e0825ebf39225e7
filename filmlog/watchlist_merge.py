"""The three-way merge of two journals' watchlists that share an ancestor.

Pure: given the tables of the common ancestor (``base``), of this journal
(``ours``) and of the other (``theirs``), :func:`merge` returns the merged
watchlist, tombstones and counter; :meth:`Merged.apply` puts them into a
journal's tables. Films are matched by UUID:

- a film on one side only is kept if that side added it, and dropped if the
  other side took it off (it was in the ancestor, or either side has its tombstone);
- a film on both sides is merged field by field: a field changed on one side
  takes that side's value; changed on both, ours wins;
- tombstones are the union of both sides', so a film taken off anywhere stays off;
- IDs stay as they are where they can: a film keeps its ID unless the other side gave
  that ID to another film (a live one, or one it took off), in which case one of the
  two gets a fresh ID; the counter ends above every ID either side ever handed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from filmlog.schema import META_ID, META_TABLE
from filmlog.watchlist import COUNTER, TABLE, TOMBSTONES, next_id

Tables = Mapping[str, Any]


@dataclass(slots=True)
class _Side:
    entries: dict[str, tuple[int, dict[str, Any]]]  # uuid -> (id, stored document)
    stones: dict[str, dict[str, Any]]  # uuid -> stored tombstone
    counter: int

    @classmethod
    def of(cls, tables: Tables) -> _Side:
        docs = tables.get(TABLE) or {}
        entries = {doc["uuid"]: (int(key), doc) for key, doc in docs.items()}
        stones = {doc["uuid"]: doc for doc in (tables.get(TOMBSTONES) or {}).values()}
        return cls(entries, stones, next_id(tables))

    def ids(self) -> set[int]:
        return {entry_id for entry_id, _ in self.entries.values()} | {
            stone["id"] for stone in self.stones.values()
        }


@dataclass(slots=True)
class Merged:
    """The merged watchlist: its table and tombstones in stored form, and its counter."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    tombstones: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1

    def apply(self, tables: dict[str, Any]) -> None:
        """Put the merged watchlist into a journal's ``tables`` in place of its own."""
        tables[TABLE] = dict(self.entries)
        tables[TOMBSTONES] = dict(self.tombstones)
        tables.setdefault(META_TABLE, {}).setdefault(str(META_ID), {})[COUNTER] = self.next_id


def _fields(
    base: dict[str, Any] | None, ours: dict[str, Any], theirs: dict[str, Any]
) -> dict[str, Any]:
    """One film's document merged field by field: a change on one side wins over none."""
    before = base or {}
    merged = {}
    for key in [*ours, *(key for key in theirs if key not in ours)]:
        mine, other = ours.get(key), theirs.get(key)
        merged[key] = other if mine == before.get(key) and key in theirs else mine
    return merged


def _when(stone: dict[str, Any]) -> tuple[datetime, int]:
    # Parsed: removals made in different time zones carry different offsets.
    return datetime.fromisoformat(stone["removed_at"]), stone["id"]


def merge(base: Tables, ours: Tables, theirs: Tables) -> Merged:
    """Merge the watchlists of ``ours`` and ``theirs``, journals' tables descended from ``base``.

    Each argument is a journal's tables (only the watchlist's tables and
    counter are read) and is left unchanged; a missing table is an empty one.
    """
    old, mine, other = _Side.of(base), _Side.of(ours), _Side.of(theirs)
    stones: dict[str, dict[str, Any]] = {}
    for side in (mine, other, old):
        for uuid, stone in side.stones.items():
            first = stones.get(uuid)
            # The same film taken off on both sides: the earlier removal is the one kept.
            if first is None or _when(stone) < _when(first):
                stones[uuid] = stone
    kept: list[tuple[int, str, dict[str, Any]]] = []
    arriving: list[tuple[int, str, dict[str, Any]]] = []
    for uuid in [*mine.entries, *(u for u in other.entries if u not in mine.entries)]:
        if uuid in stones:
            continue
        here, there, before = mine.entries.get(uuid), other.entries.get(uuid), old.entries.get(uuid)
        if here is not None and there is not None:
            kept.append((here[0], uuid, _fields(before and before[1], here[1], there[1])))
        elif before is not None:
            continue  # one side took it off
        elif here is not None:
            kept.append((here[0], uuid, here[1]))
        elif there is not None:
            arriving.append((there[0], uuid, there[1]))
    # A tombstone's ID stays its film's; a film either side added under an ID the other
    # side gave another film (or a tombstone holds) moves to a fresh one.
    taken = {stone["id"] for stone in stones.values()}
    everything = [*mine.ids(), *other.ids(), *old.ids(), *taken]
    counter = max(mine.counter, other.counter, old.counter, max(everything, default=0) + 1)
    chosen: dict[int, dict[str, Any]] = {}
    moved = []
    for entry_id, _uuid, doc in [*sorted(kept), *sorted(arriving)]:
        if entry_id in taken:
            moved.append(doc)
        else:
            taken.add(entry_id)
            chosen[entry_id] = doc
    for doc in moved:
        chosen[counter] = doc
        counter += 1
    entries = {str(entry_id): dict(chosen[entry_id]) for entry_id in sorted(chosen)}
    ordered = sorted(stones.values(), key=lambda stone: (stone["id"], stone["uuid"]))
    return Merged(
        entries=entries,
        tombstones={str(n): dict(stone) for n, stone in enumerate(ordered, 1)},
        next_id=counter,
    )
