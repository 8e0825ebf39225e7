"""The three-way merge by UUID: scenarios, and the properties every merge must keep."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from filmlog.merging import merge
from filmlog.model import Review

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def doc(title: str, uuid: str, minutes: int = 0, **fields: Any) -> dict[str, Any]:
    stored = Review(title, uuid=uuid).to_dict()
    stored.update(logged_at=at(minutes), updated_at=at(minutes), **fields)
    return stored


def journal(
    reviews: dict[int, dict[str, Any]],
    deleted: list[tuple[str, int, int]] = (),  # type: ignore[assignment]  # an empty default
    next_id: int | None = None,
) -> dict[str, Any]:
    tables: dict[str, Any] = {
        "_filmlog": {
            "1": {
                "format": "filmlog",
                "schema": 1,
                "next_id": next_id or max([0, *reviews, *(d[1] for d in deleted)]) + 1,
            }
        },
        "reviews": {str(i): d for i, d in reviews.items()},
    }
    if deleted:
        tables["tombstones"] = {
            str(n): {"uuid": u, "id": i, "deleted_at": at(m)}
            for n, (u, i, m) in enumerate(deleted, 1)
        }
    return tables


def edited(tables: dict[str, Any], review_id: int, minutes: int, **fields: Any) -> dict[str, Any]:
    changed = copy.deepcopy(tables)
    changed["reviews"][str(review_id)].update(updated_at=at(minutes), **fields)
    return changed


def deleted(tables: dict[str, Any], review_id: int, minutes: int) -> dict[str, Any]:
    changed = copy.deepcopy(tables)
    gone = changed["reviews"].pop(str(review_id))
    stones = changed.setdefault("tombstones", {})
    stones[str(len(stones) + 1)] = {
        "uuid": gone["uuid"],
        "id": review_id,
        "deleted_at": at(minutes),
    }
    return changed


def added(tables: dict[str, Any], review: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(tables)
    meta = changed["_filmlog"]["1"]
    changed["reviews"][str(meta["next_id"])] = review
    meta["next_id"] += 1
    return changed


def content(tables: dict[str, Any]) -> tuple[Any, ...]:
    """What a journal holds, ignoring the order of tables and of tombstones."""
    stones = sorted(
        (t["uuid"], t["id"], t["deleted_at"]) for t in tables.get("tombstones", {}).values()
    )
    conflicts = sorted(repr(sorted(c.items())) for c in tables.get("conflicts", {}).values())
    return (
        tables["_filmlog"]["1"]["next_id"],
        {int(k): v for k, v in tables["reviews"].items()},
        stones,
        conflicts,
    )


BASE = journal({1: doc("Her", "u-her", year=2013), 2: doc("Heat", "u-heat", year=1995)})


def test_different_fields_edited_in_each_copy_are_both_kept() -> None:
    ours = edited(BASE, 1, 10, rating=8)
    theirs = edited(BASE, 1, 20, verdict="A quiet film about loneliness.")

    result = merge(BASE, ours, theirs)

    her = result.tables["reviews"]["1"]
    assert (her["rating"], her["verdict"], her["updated_at"]) == (
        8,
        theirs["reviews"]["1"]["verdict"],
        at(20),
    )
    assert result.notices == [] and result.conflicts == 0
    assert "conflicts" not in result.tables


def test_the_same_field_changed_in_both_is_resolved_by_the_later_edit_and_set_aside() -> None:
    ours = edited(BASE, 1, 30, rating=6)
    theirs = edited(BASE, 1, 20, rating=9)

    result = merge(BASE, ours, theirs)

    assert result.tables["reviews"]["1"]["rating"] == 6
    assert result.notices == [
        "#1 Her: rating was changed in both copies; kept 6 (the later edit), set aside 9 in "
        "the journal's conflicts table"
    ]
    assert list(result.tables["conflicts"].values()) == [
        {
            "uuid": "u-her",
            "id": 1,
            "title": "Her",
            "field": "rating",
            "kept": 6,
            "lost": 9,
            "lost_updated_at": at(20),
        }
    ]
    assert content(merge(BASE, theirs, ours).tables) == content(result.tables)


def test_deleted_in_one_and_unchanged_in_the_other_is_deleted() -> None:
    ours = deleted(BASE, 2, 5)

    for result in (merge(BASE, ours, BASE), merge(BASE, BASE, ours)):
        assert list(result.tables["reviews"]) == ["1"]
        assert [t["uuid"] for t in result.tables["tombstones"].values()] == ["u-heat"]
    assert merge(BASE, BASE, ours).deleted == 1


def test_deleted_in_one_and_edited_in_the_other_keeps_the_edit_and_says_so() -> None:
    ours = deleted(BASE, 2, 50)
    theirs = edited(BASE, 2, 10, rating=7)

    result = merge(BASE, ours, theirs)

    assert result.tables["reviews"]["2"]["rating"] == 7
    assert "tombstones" not in result.tables
    assert result.notices == [
        "#2 Heat (1995): deleted in one copy and edited in the other; kept it"
    ]


def test_added_in_both_with_the_same_id_is_renumbered_the_same_way_in_both_orders() -> None:
    ours = added(BASE, doc("Arrival", "u-arrival", 30))
    theirs = added(BASE, doc("Paterson", "u-paterson", 20))

    result = merge(BASE, ours, theirs)

    reviews = result.tables["reviews"]
    # Paterson was logged first and keeps #3; Arrival moves above every ID either used.
    assert (reviews["3"]["title"], reviews["4"]["title"]) == ("Paterson", "Arrival")
    assert result.tables["_filmlog"]["1"]["next_id"] == 5
    assert result.notices == ["#3 Arrival is now #4: both copies had a #3"]
    assert result.renumbered == 1
    assert content(merge(BASE, theirs, ours).tables) == content(result.tables)


def test_deleted_in_both_keeps_the_first_deletion() -> None:
    result = merge(BASE, deleted(BASE, 1, 9), deleted(BASE, 1, 4))

    assert list(result.tables["tombstones"].values()) == [
        {"uuid": "u-her", "id": 1, "deleted_at": at(4)}
    ]


def test_without_a_base_the_later_copy_wins_whole() -> None:
    ours = edited(BASE, 1, 10, rating=4, verdict="Fine.")
    theirs = edited(BASE, 1, 20, rating=9)

    result = merge(None, ours, theirs)

    assert result.tables["reviews"]["1"] == theirs["reviews"]["1"]
    assert result.notices == [] and result.updated == 1


def test_without_a_base_a_deletion_wins_over_an_older_copy_only() -> None:
    gone = deleted(BASE, 1, 15)

    assert "1" not in merge(None, gone, edited(BASE, 1, 10, rating=3)).tables["reviews"]
    kept = merge(None, gone, edited(BASE, 1, 20, rating=3))
    assert kept.tables["reviews"]["1"]["rating"] == 3
    assert "tombstones" not in kept.tables


def test_into_an_empty_journal_everything_is_restored_exactly() -> None:
    full = journal(
        {3: doc("Her", "u-her"), 7: doc("Heat", "u-heat")},
        deleted=[("u-x", 5, 1)],
        next_id=12,
    )

    result = merge(None, journal({}), full)

    assert content(result.tables) == content(full)
    assert result.added == 2


# Properties ---------------------------------------------------------------------------

FIELDS = {
    "rating": st.integers(1, 10),
    "verdict": st.sampled_from(["Good.", "Bad.", "Fine.", None]),
    "tags": st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True),
    "liked": st.booleans(),
}

edit_op = st.tuples(st.just("edit"), st.integers(0, 9), st.sampled_from(sorted(FIELDS)), st.data())
delete_op = st.tuples(st.just("delete"), st.integers(0, 9))
add_op = st.tuples(st.just("add"), st.sampled_from(["Arrival", "Paterson", "Heat"]))
ops = st.lists(st.one_of(edit_op, delete_op, add_op), max_size=6)


def apply(tables: dict[str, Any], steps: list[Any], side: str, start: int) -> dict[str, Any]:
    """A copy of ``tables`` after ``steps``, each a minute after the last."""
    current = copy.deepcopy(tables)
    minute = start
    for n, step in enumerate(steps):
        minute += 1
        ids = sorted(int(k) for k in current["reviews"])
        if step[0] == "add":
            current = added(current, doc(step[1], f"{side}-{n}", minute))
        elif ids and step[0] == "delete":
            current = deleted(current, ids[step[1] % len(ids)], minute)
        elif ids and step[0] == "edit":
            _, which, name, data = step
            value = data.draw(FIELDS[name])
            current = edited(current, ids[which % len(ids)], minute, **{name: value})
    return current


@st.composite
def histories(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    count = draw(st.integers(0, 4))
    base = journal({i: doc(f"Film {i}", f"base-{i}", 0) for i in range(1, count + 1)})
    base = apply(base, draw(ops), "b", 0)
    ours = apply(base, draw(ops), "o", 100)
    theirs = apply(base, draw(ops), "t", draw(st.integers(95, 105)))
    return base, ours, theirs


def live(tables: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["uuid"]: d for d in tables["reviews"].values()}


def dead(tables: dict[str, Any]) -> set[str]:
    return {t["uuid"] for t in tables.get("tombstones", {}).values()}


@settings(max_examples=300, deadline=None)
@given(histories())
def test_merging_with_an_unchanged_copy_gives_the_other(
    history: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, _ = history
    assert content(merge(base, ours, base).tables) == content(ours)
    assert content(merge(base, base, ours).tables) == content(ours)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_the_order_of_the_copies_does_not_matter(
    history: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, theirs = history
    assert content(merge(base, ours, theirs).tables) == content(merge(base, theirs, ours).tables)
    assert content(merge(None, ours, theirs).tables) == content(merge(None, theirs, ours).tables)


def test_edits_of_the_same_moment_settle_a_conflict_by_value_and_merging_again_keeps_it() -> None:
    base = journal({1: doc("Film 1", "base-1")})
    # One machine rated and wrote a verdict, the other wrote another verdict, in the same minute.
    ours = edited(base, 1, 5, rating=1, verdict="Good.")
    theirs = edited(base, 1, 5, verdict="Bad.")
    once = merge(base, ours, theirs).tables
    assert once["reviews"]["1"]["rating"] == 1
    assert once["reviews"]["1"]["verdict"] == max("Good.", "Bad.", key=orjson.dumps)
    assert content(merge(base, ours, theirs).tables) == content(merge(base, theirs, ours).tables)
    # The merged copy against either machine's again: nothing moves.
    assert content(merge(base, ours, once).tables) == content(once)
    assert content(merge(base, once, theirs).tables) == content(once)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_merging_twice_changes_nothing(
    history: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, theirs = history
    once = merge(base, ours, theirs).tables
    assert content(merge(base, once, theirs).tables) == content(once)
    assert content(merge(base, ours, once).tables) == content(once)
    assert content(merge(once, once, once).tables) == content(once)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_no_review_is_lost_or_resurrected(
    history: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, theirs = history
    result = merge(base, ours, theirs).tables
    kept, was = live(result), live(base)
    ids = [int(k) for k in result["reviews"]]
    assert len(set(ids)) == len(ids)
    assert max(ids, default=0) < result["_filmlog"]["1"]["next_id"]
    for uuid in set(live(ours)) | set(live(theirs)) | dead(ours) | dead(theirs):
        sides = [live(ours).get(uuid), live(theirs).get(uuid)]
        present = [s for s in sides if s is not None]
        edited_here = any(s != was.get(uuid) for s in present)
        if not present:
            assert uuid not in kept  # deleted on both, or never here: not back
        elif len(present) == 2 or (uuid not in was and uuid not in dead(base)):
            assert uuid in kept  # on both sides, or new on one: not lost
        elif edited_here:
            assert uuid in kept  # deleted on one side, edited on the other
        else:
            assert uuid not in kept  # deleted on one side, untouched on the other
            assert uuid in dead(result)


def test_doctor_lists_the_values_merges_set_aside(tmp_path: Any) -> None:
    import json

    from filmlog.doctor import check_bytes

    tables = merge(BASE, edited(BASE, 1, 30, rating=6), edited(BASE, 1, 20, rating=9)).tables

    report = check_bytes(json.dumps(tables).encode(), tmp_path / "j.json")

    assert report.healthy, report.problems
    assert report.conflicts == [f"#1 Her: rating kept 6, set aside 9 (edited {at(20)})"]
