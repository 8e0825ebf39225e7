"""The three-way merge of two watchlists: properties over random histories of both sides."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from filmlog import watchlist
from filmlog.watchlist_merge import merge


@dataclass
class FakeSession:
    """What :class:`watchlist.Editor` needs of a session: tables, a path, a changed flag."""

    data: dict[str, Any] = field(default_factory=lambda: {"_filmlog": {"1": {}}, "reviews": {}})
    path: Path = Path("journal.json")
    changed: bool = False

    def tables(self) -> dict[str, Any]:
        return self.data


TITLES = ["Paterson", "Solaris", "Ran", "Ikiru", "Her", "Tampopo", "Columbus", "Heat"]
# An operation: ("add", title index), ("remove", which live film), ("note", which film, text).
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, len(TITLES) - 1)),
        st.tuples(st.just("remove"), st.integers(0, 20)),
        st.tuples(st.just("note"), st.integers(0, 20), st.sampled_from(["a", "b", None])),
    ),
    max_size=8,
)


def play(tables: dict[str, Any], ops: list[tuple[Any, ...]], side: str) -> dict[str, Any]:
    """``tables`` (copied) after ``ops``, as the watchlist commands would change them."""
    session = FakeSession(copy.deepcopy(tables))
    editor = watchlist.Editor(session)  # type: ignore[arg-type]  # a stand-in session
    for n, op in enumerate(ops):
        live = editor.entries()
        if op[0] == "add":
            editor.add(watchlist.Entry(title=TITLES[op[1]], uuid=f"{side}-{n}"))
        elif op[0] == "remove" and live:
            editor.remove([live[op[1] % len(live)].id or 0])
        elif op[0] == "note" and live:
            chosen = live[op[1] % len(live)]
            session.data[watchlist.TABLE][str(chosen.id)]["note"] = op[2]
    return session.data


def uuids(tables: dict[str, Any]) -> set[str]:
    return {doc["uuid"] for doc in tables.get(watchlist.TABLE, {}).values()}


def buried(tables: dict[str, Any]) -> set[str]:
    return {doc["uuid"] for doc in tables.get(watchlist.TOMBSTONES, {}).values()}


def histories() -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    return st.builds(
        lambda base_ops, our_ops, their_ops: (
            (base := play(FakeSession().data, base_ops, "base")),
            play(base, our_ops, "ours"),
            play(base, their_ops, "theirs"),
        ),
        OPS,
        OPS,
        OPS,
    )


@settings(max_examples=150, deadline=None)
@given(histories())
def test_the_merge_is_a_healthy_watchlist(
    sides: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, theirs = sides
    merged = merge(base, ours, theirs)
    tables = copy.deepcopy(ours)
    merged.apply(tables)

    assert watchlist.problems(tables) == []
    ids = [int(key) for key in merged.entries]
    stone_ids = [stone["id"] for stone in merged.tombstones.values()]
    assert merged.next_id > max([*ids, *stone_ids], default=0)
    assert merged.next_id >= max(watchlist.next_id(ours), watchlist.next_id(theirs))
    assert not uuids(tables) & buried(tables)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_every_addition_survives_and_every_removal_wins(
    sides: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, theirs = sides
    merged = merge(base, ours, theirs)
    live = {doc["uuid"] for doc in merged.entries.values()}

    removed = buried(ours) | buried(theirs)
    assert live == (uuids(ours) | uuids(theirs)) - removed
    assert buried(base) | removed == {s["uuid"] for s in merged.tombstones.values()}


@settings(max_examples=150, deadline=None)
@given(histories())
def test_ours_and_theirs_swapped_give_the_same_films(
    sides: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, theirs = sides

    one, other = merge(base, ours, theirs), merge(base, theirs, ours)

    assert {d["uuid"] for d in one.entries.values()} == {d["uuid"] for d in other.entries.values()}
    assert one.tombstones == other.tombstones
    assert one.next_id == other.next_id


@settings(max_examples=150, deadline=None)
@given(histories())
def test_a_side_that_changed_nothing_gives_the_other_side(
    sides: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, theirs = sides

    for changed in (ours, theirs):
        for merged in (merge(base, changed, base), merge(base, base, changed)):
            assert merged.entries == changed.get(watchlist.TABLE, {})
            assert {s["uuid"] for s in merged.tombstones.values()} == buried(changed)
            assert merged.next_id == watchlist.next_id(changed)


@settings(max_examples=100, deadline=None)
@given(histories())
def test_merging_a_watchlist_with_itself_changes_nothing(
    sides: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    _, ours, _ = sides

    merged = merge(ours, ours, ours)

    assert merged.entries == ours.get(watchlist.TABLE, {})
    assert merged.next_id == watchlist.next_id(ours)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_a_note_changed_on_one_side_is_kept(
    sides: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, theirs = sides
    merged = {doc["uuid"]: doc for doc in merge(base, ours, theirs).entries.values()}
    before = {doc["uuid"]: doc for doc in base.get(watchlist.TABLE, {}).values()}
    mine = {doc["uuid"]: doc for doc in ours.get(watchlist.TABLE, {}).values()}
    other = {doc["uuid"]: doc for doc in theirs.get(watchlist.TABLE, {}).values()}

    for uuid, doc in merged.items():
        if uuid in mine and uuid in other and uuid in before:
            old = before[uuid]["note"]
            if mine[uuid]["note"] != old:
                assert doc["note"] == mine[uuid]["note"]  # ours wins a conflict too
            else:
                assert doc["note"] == other[uuid]["note"]


def test_ids_the_other_side_used_for_another_film_are_renumbered() -> None:
    base = play(FakeSession().data, [("add", 0)], "base")
    ours = play(base, [("add", 1), ("add", 2)], "ours")  # IDs 2 and 3
    theirs = play(base, [("add", 3)], "theirs")  # ID 2, for another film

    merged = merge(base, ours, theirs)

    assert {key: doc["title"] for key, doc in merged.entries.items()} == {
        "1": "Paterson",
        "2": "Solaris",
        "3": "Ran",
        "4": "Ikiru",
    }
    assert merged.next_id == 5


def test_a_missing_table_is_an_empty_one() -> None:
    ours = play(FakeSession().data, [("add", 0)], "ours")

    merged = merge({}, ours, {})

    assert [doc["title"] for doc in merged.entries.values()] == ["Paterson"]
    assert merged.next_id == 2


def test_a_film_taken_off_on_both_sides_keeps_the_earlier_removal() -> None:
    base = play(FakeSession().data, [("add", 0)], "base")
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    for tables, when in (
        (ours, "2024-05-01T10:00:00+02:00"),
        (theirs, "2024-05-01T09:30:00+00:00"),
    ):
        del tables[watchlist.TABLE]["1"]
        tables[watchlist.TOMBSTONES] = {"1": {"uuid": "base-0", "id": 1, "removed_at": when}}

    for merged in (merge(base, ours, theirs), merge(base, theirs, ours)):
        # 10:00 at +02:00 is 08:00 UTC: ours took it off first, although its text sorts later.
        assert list(merged.tombstones.values()) == [ours[watchlist.TOMBSTONES]["1"]]
        assert merged.entries == {}
