"""Checking a journal for damage, repairing it from a backup, and undoing the last change.

These read the raw bytes themselves rather than going through
:meth:`Journal.reviews`, so that they can say in plain words what is wrong with
a file that will not open. Nothing here deletes a file: a damaged journal is
moved aside, and the version an undo replaces is kept as a backup like any other.

Repair and undo work in two steps: a plan (read-only, shown to the person),
then the change itself, made under the journal's lock and only if the file
still holds exactly the bytes the plan was made from.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from filmlog import backups, tombstones, validation
from filmlog import watchlist as watch
from filmlog.backups import Backup
from filmlog.errors import CorruptJournal, FilmlogError, InvalidInput, StorageError
from filmlog.model import Review, is_int
from filmlog.parsing import plural
from filmlog.schema import (
    CONFLICTS_TABLE,
    META_ID,
    META_TABLE,
    REVIEWS_TABLE,
    SCHEMA_VERSION,
    FormatProblem,
    check_format,
    empty_tables,
)
from filmlog.storage import (
    Journal,
    atomic_write,
    json_position,
    parse_journal,
    serialise,
    temp_files,
)
from filmlog.watchlist import Entry as WatchEntry

MAX_LISTED = 10
_META_KEY = str(META_ID)  # the key of the meta record in its table


@dataclass(slots=True)
class Report:
    """What a check found in one file."""

    path: Path
    exists: bool = True
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reviews: int = 0
    highest_id: int = 0
    next_id: int | None = None
    deleted: int = 0  # tombstones: deleted reviews remembered for merges
    conflicts: list[str] = field(default_factory=list)  # values merges set aside, oldest first
    newer: bool = False  # written by a newer filmlog: unreadable here, but not damaged
    watchlist: int = 0  # films on the watchlist
    index: str | None = None  # the index's state (see Journal.reindex); None if not checked

    @property
    def healthy(self) -> bool:
        return not self.problems


def listed(items: list[str], limit: int = 5) -> str:
    """``a, b, c and 4 more``."""
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


class _Object(dict[str, Any]):
    """A JSON object that remembers which of its keys appeared more than once."""

    duplicates: list[str]


def _remember_duplicates(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    obj.duplicates = []
    if len(obj) != len(pairs):
        counts = Counter(key for key, _ in pairs)
        obj.duplicates = [key for key, n in counts.items() if n > 1]
    return obj


def _duplicate_ids(raw: bytes) -> list[str]:
    """Review IDs written more than once (a JSON reader silently keeps only the last)."""
    import json

    try:
        data = json.loads(raw, object_pairs_hook=_remember_duplicates)
    except (ValueError, RecursionError):  # nesting orjson allows but Python's parser does not
        return []
    table = data.get(REVIEWS_TABLE)
    return list(table.duplicates) if isinstance(table, _Object) else []


def check_bytes(raw: bytes, path: Path) -> Report:
    """Check a journal's bytes: JSON, format and schema, IDs, counter and every review."""
    report = Report(path)
    problems = report.problems
    if not raw.strip():
        problems.append("the file is empty")
        return report
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        problems.append(f"the file is not valid JSON ({json_position(exc, raw)})")
        return report
    problem, schema = check_format(data)
    if problem is FormatProblem.NOT_A_JOURNAL:
        problems.append("the file is JSON but not a filmlog journal (no filmlog format marker)")
        return report
    meta = data[META_TABLE][_META_KEY]
    if problem is FormatProblem.INVALID_SCHEMA:
        problems.append(f"the schema version {schema!r} is missing or invalid")
    elif problem is FormatProblem.NEWER_SCHEMA:
        report.newer = True
        problems.append(
            f"it was written by a newer filmlog (schema {schema}; this one reads up to "
            f"{SCHEMA_VERSION}): it is not damaged, upgrade filmlog to read it"
        )
        return report
    reviews = data.get(REVIEWS_TABLE, {})
    if not isinstance(reviews, dict):
        problems.append("the reviews table is damaged (it is not a table of reviews)")
        return report
    _check_watchlist(data, report)
    _check_ids(raw, reviews, meta, report)
    _check_uuids(reviews, report)
    _check_tombstones(data, reviews, report)
    if not problems:
        # What every other command runs on open: anything it refuses must show up here too.
        try:
            parse_journal(raw, path)
        except CorruptJournal as exc:
            problems.append(exc.message)
    return report


def _check_watchlist(data: dict[str, Any], report: Report) -> None:
    report.problems.extend(watch.problems(data))
    table = data.get(watch.TABLE)
    report.watchlist = len(table) if isinstance(table, dict) else 0


def _check_ids(raw: bytes, reviews: dict[str, Any], meta: dict[str, Any], report: Report) -> None:
    """The IDs, the counter and every review's fields: the check every read makes, in full."""
    ids = [int(key) for key in reviews if validation.is_id(key)]
    report.reviews = len(reviews)
    report.highest_id = max(ids, default=0)
    found = validation.problems(meta, reviews, limit=None)
    report.problems.extend(map(str, found[:MAX_LISTED]))
    if len(found) > MAX_LISTED:
        report.problems.append(f"and {len(found) - MAX_LISTED:,} more problems")
    counter = meta.get("next_id")
    if is_int(counter) and counter > report.highest_id:
        report.next_id = counter
    duplicates = _duplicate_ids(raw)
    if duplicates:
        report.problems.append(
            f"{plural(len(duplicates), 'review ID')} written more than once, so only the last "
            f"copy of each can be read: {listed(duplicates)}"
        )


def _check_uuids(reviews: dict[str, Any], report: Report) -> None:
    uuids: dict[str, list[str]] = {}
    for key, doc in reviews.items():
        uuid = doc.get("uuid") if isinstance(doc, dict) else None
        if isinstance(uuid, str) and uuid:
            uuids.setdefault(uuid, []).append(key)
    shared = [f"{uuid} (IDs {', '.join(keys)})" for uuid, keys in uuids.items() if len(keys) > 1]
    if shared:
        report.warnings.append(
            f"{plural(len(shared), 'UUID')} shared by more than one review: {listed(shared, 3)}"
        )


def _check_tombstones(data: dict[str, Any], reviews: dict[str, Any], report: Report) -> None:
    """The deleted reviews remembered: each readable, none live, all IDs below the counter."""
    try:
        found = tombstones.read(data)
    except InvalidInput as exc:
        report.problems.append(str(exc))
        return
    report.deleted = len(found)
    report.conflicts = _conflicts(data.get(CONFLICTS_TABLE))
    if report.next_id is not None and any(t.id >= report.next_id for t in found):
        highest = max(t.id for t in found)
        report.problems.append(
            f"the ID counter (next ID {report.next_id}) is not above the ID of deleted review "
            f"{highest}, so its ID could be reused"
        )
    uuids = (doc.get("uuid") for doc in reviews.values() if isinstance(doc, dict))
    live = {uuid for uuid in uuids if isinstance(uuid, str)}
    both = sorted(str(t.id) for t in found if t.uuid in live)
    if both:
        report.warnings.append(
            f"{plural(len(both), 'review')} both present and remembered as deleted (merges "
            f"keep the review): tombstones of IDs {listed(both)}"
        )


def _conflicts(table: object) -> list[str]:
    """One line per value a merge set aside: which review, which field, what was kept."""
    if not isinstance(table, dict):
        return []
    lines = []
    for entry in table.values():
        if not isinstance(entry, dict):
            continue
        kept, lost = (orjson.dumps(entry.get(k)).decode()[:60] for k in ("kept", "lost"))
        lines.append(
            f"#{entry.get('id')} {entry.get('title')}: {entry.get('field')} kept {kept}, "
            f"set aside {lost} (edited {entry.get('lost_updated_at')})"
        )
    return lines


def check(journal: Journal) -> Report:
    """Check ``journal``'s file; a journal that does not exist yet is healthy (and empty)."""
    raw = journal.read_bytes()
    if raw is None:
        return Report(journal.path, exists=False)
    report = check_bytes(raw, journal.path)
    if report.healthy:
        report.index = journal.reindex()
    leftovers = [path.name for path in temp_files(journal.target)]
    if leftovers:
        them = "it" if len(leftovers) == 1 else "them"
        report.warnings.append(
            f"{plural(len(leftovers), 'leftover temporary file')} from an interrupted write: "
            f"{listed(leftovers)} (the next change removes {them})"
        )
    return report


def check_backup(backup: Backup) -> Report:
    """Check one backup file (an unreadable one is reported, not raised)."""
    try:
        raw = backup.path.read_bytes()
    except OSError as exc:
        return Report(backup.path, problems=[f"it cannot be read ({exc.strerror or exc})"])
    return check_bytes(raw, backup.path)


def _read_expected(journal: Journal, expected: bytes | None, what: str) -> None:
    """Refuse to go on if the journal changed since the plan was made (under the lock)."""
    if journal.read_bytes() != expected:
        raise FilmlogError(
            f"journal {journal.path} changed while you were deciding; nothing was {what}: "
            "run the command again"
        )


def init(journal: Journal) -> bool:
    """Make an empty journal at ``journal``'s path (and its folder); False if one is there."""
    with journal.locked(create=True):
        if os.path.exists(journal.target):
            journal.reviews()  # a damaged one is refused, as every command refuses it
            return False
        atomic_write(journal.target, serialise(empty_tables()), private=True, what="journal")
    return True


# Repair ---------------------------------------------------------------------------------


@dataclass(slots=True)
class RepairPlan:
    """Restore ``backup`` (checked healthy) over the damaged ``damaged`` bytes."""

    damaged: bytes
    backup: Backup
    report: Report
    payload: bytes


def plan_repair(journal: Journal, report: Report) -> RepairPlan:
    """Choose the newest backup that passes the check; raises if none does."""
    if report.newer:
        raise CorruptJournal(
            f"journal {journal.path} was written by a newer filmlog; it is not damaged, so it "
            "was left unchanged: upgrade filmlog to read it"
        )
    damaged = journal.read_bytes()
    if damaged is None:
        raise FilmlogError(f"there is no journal at {journal.path} to repair")
    kept = backups.list_backups(journal.target)
    skipped: list[tuple[Backup, Report]] = []
    for backup in kept:
        try:
            raw = backup.path.read_bytes()
        except OSError as exc:
            skipped.append((backup, Report(backup.path, problems=[exc.strerror or str(exc)])))
            continue
        backup_report = check_bytes(raw, backup.path)
        if backup_report.healthy:
            payload = _raise_counter(raw, backup.path, [damaged, *_raw_of(skipped)])
            return RepairPlan(damaged, backup, backup_report, payload)
        skipped.append((backup, backup_report))
    where = backups.folder(journal.target)
    found = (
        f"none of the {plural(len(kept), 'backup')} in {where} passes the check"
        if kept
        else f"there are no backups of it in {where}"
    )
    raise CorruptJournal(
        f"cannot repair {journal.path}: {found}; nothing was changed (to start a new journal, "
        "move the damaged file elsewhere yourself)"
    )


def _raw_of(skipped: list[tuple[Backup, Report]]) -> list[bytes]:
    found = []
    for backup, _ in skipped:
        with contextlib.suppress(OSError):
            found.append(backup.path.read_bytes())
    return found


_COUNTER = re.compile(rb'"next_id"\s*:\s*(\d{1,15})')
_KEY = re.compile(rb'"(\d{1,15})"\s*:\s*\{')
_WATCH_COUNTER = re.compile(rb'"watchlist_next_id"\s*:\s*(\d{1,15})')


def _raise_counter(raw: bytes, path: Path, newer: list[bytes]) -> bytes:
    """``raw`` with its ID counter above every ID still legible in the newer, damaged files.

    A truncated journal usually still shows its counter (written first) and
    many review IDs; restoring an older backup must not hand those IDs out again.
    """
    seen = [int(m[1]) for data in newer for m in _COUNTER.finditer(data)]
    seen += [int(m[1]) + 1 for data in newer for m in _KEY.finditer(data)]
    tables = parse_journal(raw, path)
    meta = tables[META_TABLE][_META_KEY]
    # The watchlist's counter likewise (its entries' IDs cannot be told from reviews').
    listed = [int(m[1]) for data in newer for m in _WATCH_COUNTER.finditer(data)]
    if max(listed, default=0) > watch.next_id(tables):
        meta[watch.COUNTER] = max(listed)
    elif max(seen, default=0) <= meta["next_id"]:
        return raw
    meta["next_id"] = max([meta["next_id"], *seen])
    return serialise(tables)


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def set_aside(target: Path) -> Path:
    """Give the damaged ``target`` a second name, ``<name>.corrupt-<UTC time>``, and return it."""
    stamp = _stamp()
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        aside = target.with_name(f"{target.name}.corrupt-{stamp}{suffix}")
        try:
            os.link(target, aside)
        except FileExistsError:
            continue
        except OSError:
            if aside.exists():
                continue
            backups.copy_file(target, aside)
        return aside
    raise StorageError(f"cannot find a free name to move {target} aside")


def repair(journal: Journal, plan: RepairPlan) -> Path:
    """Move the damaged journal aside and put the chosen backup in its place; returns the aside."""
    target = journal.target
    with journal.locked():
        _read_expected(journal, plan.damaged, "repaired")
        try:
            aside = set_aside(target)
        except OSError as exc:
            raise StorageError(
                f"cannot move {target} aside ({exc.strerror or exc}); nothing was changed"
            ) from exc
        # The damaged version is kept aside, so it does not also become a backup.
        atomic_write(target, plan.payload, private=True, what="journal")
    return aside


# Undo -----------------------------------------------------------------------------------


@dataclass(slots=True)
class UndoPlan:
    """Put ``backup``'s version back: what that removes, brings back and reverts."""

    current: bytes | None
    backup: Backup
    payload: bytes
    before: int
    after: int
    removed: list[Review]  # in the journal now, not in the backup
    restored: list[Review]  # in the backup, not in the journal now
    reverted: list[Review]  # in both but different: the backup's version
    # Films the undo takes off the watchlist, and films it puts back on.
    films_removed: list[WatchEntry] = field(default_factory=list)
    films_restored: list[WatchEntry] = field(default_factory=list)

    @property
    def reviews_change(self) -> bool:
        return bool(self.removed or self.restored or self.reverted)


def _tables(raw: bytes | None, path: Path) -> dict[str, Any]:
    if raw is None:
        return {META_TABLE: {_META_KEY: {}}, REVIEWS_TABLE: {}}
    return parse_journal(raw, path)


def _reviews(docs: dict[str, Any], keys: list[str], path: Path) -> list[Review]:
    out = []
    for key in sorted(keys, key=int):
        try:
            out.append(Review.from_dict(docs[key], int(key)))
        except InvalidInput as exc:
            raise CorruptJournal(f"{path}: review {key} is damaged ({exc})") from None
    return out


def plan_undo(journal: Journal) -> UndoPlan:
    """The newest backup that differs from the journal, and what restoring it changes."""
    current = journal.read_bytes()
    if current is not None:
        journal.reviews()  # a damaged journal is refused as every command refuses it
    for backup in backups.list_backups(journal.target):
        try:
            raw = backup.path.read_bytes()
        except OSError as exc:
            raise StorageError(f"cannot read backup {backup.path}: {exc.strerror or exc}") from exc
        # A crash between keeping a backup and the write leaves one equal to the journal.
        if raw != current:
            plan = _plan_undo(journal, current, backup, raw)
            if plan.payload != current:
                return plan
            # It differed only in an ID counter the journal has since raised (a repair
            # raises it): restoring it would change nothing, so it is no earlier version.
    off = " (FILMLOG_BACKUPS=0 turns them off)" if backups.keep_count() == 0 else ""
    raise FilmlogError(
        f"nothing to undo: no earlier version of {journal.path} is kept in "
        f"{backups.folder(journal.target)}{off}"
    )


def _plan_undo(journal: Journal, current: bytes | None, backup: Backup, raw: bytes) -> UndoPlan:
    backup_report = check_bytes(raw, backup.path)
    if not backup_report.healthy:
        raise CorruptJournal(
            f"the backup to restore, {backup.path}, is damaged ({backup_report.problems[0]}); "
            "nothing was undone"
        )
    old = _tables(raw, backup.path)
    new = _tables(current, journal.path)
    old_docs: dict[str, Any] = old[REVIEWS_TABLE]
    new_docs: dict[str, Any] = new[REVIEWS_TABLE]
    payload = raw
    # IDs are never reused, not even those of reviews an undo takes away again.
    old_meta = old[META_TABLE][_META_KEY]
    current_counter = new[META_TABLE][_META_KEY].get("next_id")
    counter = max(
        old_meta["next_id"],
        current_counter if is_int(current_counter) else 1,
        max((int(key) + 1 for key in new_docs), default=1),
    )
    if counter != old_meta["next_id"]:
        old_meta["next_id"] = counter
        payload = serialise(old)
    films_removed, films_restored, watch_counter = _watchlist_undo(old, new, journal.path)
    if watch_counter is not None:
        old_meta[watch.COUNTER] = watch_counter
        payload = serialise(old)
    return UndoPlan(
        current=current,
        backup=backup,
        payload=payload,
        before=len(new_docs),
        after=len(old_docs),
        removed=_reviews(new_docs, [k for k in new_docs if k not in old_docs], journal.path),
        restored=_reviews(old_docs, [k for k in old_docs if k not in new_docs], backup.path),
        reverted=_reviews(
            old_docs,
            [k for k in old_docs if k in new_docs and old_docs[k] != new_docs[k]],
            backup.path,
        ),
        films_removed=films_removed,
        films_restored=films_restored,
    )


def _watchlist_undo(
    old: dict[str, Any], new: dict[str, Any], path: Path
) -> tuple[list[WatchEntry], list[WatchEntry], int | None]:
    """The films an undo takes off and puts back, and the counter it needs (None: as it is).

    Like review IDs, watchlist IDs an undo takes away are never handed out again.
    """
    before = {entry.uuid: entry for entry in watch.entries(old, path)}
    now = {entry.uuid: entry for entry in watch.entries(new, path)}
    films_removed = [entry for uuid, entry in now.items() if uuid not in before]
    films_restored = [entry for uuid, entry in before.items() if uuid not in now]
    counter = max(watch.next_id(old), watch.next_id(new))
    current = old[META_TABLE][_META_KEY].get(watch.COUNTER)
    if counter == (current if isinstance(current, int) else 1):
        return films_removed, films_restored, None  # the backup's bytes can stay as they are
    return films_removed, films_restored, counter


def undo(journal: Journal, plan: UndoPlan) -> Path | None:
    """Restore the plan's version; the version it replaces becomes the newest backup (returned).

    That backup is not optional here, unlike before an ordinary write: without
    it an undo would throw the current version away.
    """
    target = journal.target
    with journal.locked():
        _read_expected(journal, plan.current, "undone")
        try:
            saved = backups.save(target)
        except OSError as exc:
            raise StorageError(
                f"cannot keep the current version of {target} as a backup "
                f"({exc.strerror or exc}); nothing was undone"
            ) from exc
        try:
            atomic_write(target, plan.payload, private=True, what="journal")
        except BaseException:
            if saved is not None:
                backups.discard(saved)
            raise
        backups.prune(target, backups.keep_count())
    return saved
