"""filmlog's JSON export, or a journal file itself: merged by UUID, the newer copy winning.

This is how two machines' journals are kept in step without git: export on
one, import on the other (or import the other's journal file, or a synced
folder's "conflicted copy", directly). :func:`read_tables` gives the file as
a journal's tables (reviews under their IDs, tombstones, ID counter), which
the CLI merges with :func:`filmlog.merging.merge` without a common version:
per review the later ``updated_at`` wins, kept as it was, not stamped with now.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filmlog.errors import InvalidInput
from filmlog.exporters.filmlog_json import FORMAT, VERSION
from filmlog.importers import Entry, Match, Parsed, Probe, Rejected, read_bytes
from filmlog.model import Review, as_stored, is_int
from filmlog.tombstones import TABLE as TOMBSTONES_TABLE
from filmlog.tombstones import Tombstone

if TYPE_CHECKING:
    from filmlog.importers.watchlist import Films


def detect(probe: Probe) -> bool:
    """A JSON object naming the filmlog export format or holding a journal's meta table."""
    if probe.is_dir or not probe.head.lstrip().startswith(b"{"):
        return False
    return f'"{FORMAT}"'.encode() in probe.head or b'"_filmlog"' in probe.head


def read(path: Path) -> Parsed:
    """Every review in the export (or journal), in the order of their original IDs."""
    items = _items(_load(path), path)
    parsed = Parsed()
    ordered: list[tuple[int, int, Entry]] = []
    for position, (where, item) in enumerate(items):
        title = item.get("title") if isinstance(item, dict) else None
        shown = title if isinstance(title, str) else None
        try:
            review, original_id = _review(item)
        except InvalidInput as exc:
            parsed.rejected.append(Rejected(where, shown, exc.message))
            continue
        # Reviews go in by their old IDs, so an empty journal gets the same ones back.
        ordered.append((original_id or 1 << 62, position, Entry(review, where, Match.UUID)))
    parsed.entries = [entry for _, _, entry in sorted(ordered, key=lambda t: t[:2])]
    return parsed


def read_all(path: Path) -> tuple[dict[str, Any], list[Rejected], Films | None]:
    """:func:`read_tables`, and the watchlist the file holds (None: none), from one read.

    The watchlist's readers are loaded only for a file that holds one (most do not).
    """
    from filmlog.importers import holds_films

    raw = read_bytes(path)
    data = _parsed(raw, path)
    holds = holds_films(raw)
    del raw  # the parsed file is all the rest needs
    tables, rejected = tables_of(data, path)  # the reviews first, as their errors come first
    if not holds:
        return tables, rejected, None
    from filmlog.importers.watchlist import filmlog_films

    return tables, rejected, filmlog_films(data, path)


def read_tables(path: Path) -> tuple[dict[str, Any], list[Rejected]]:
    """The export (or journal) as a journal's tables, and the rows rejected (see
    :func:`tables_of`)."""
    return tables_of(_load(path), path)


def tables_of(data: Any, path: Path) -> tuple[dict[str, Any], list[Rejected]]:
    """The export (or journal) ``data``, parsed from ``path``, as a journal's tables, and the
    rows rejected.

    Reviews keep their IDs; one without a usable ID (missing, or taken by an
    earlier review of the file) gets the next one above every ID in the file.
    """
    from filmlog import tombstones
    from filmlog.storage import FORMAT_NAME, META_ID, META_TABLE, REVIEWS_TABLE, SCHEMA_VERSION

    rejected: list[Rejected] = []
    docs: dict[int, dict[str, Any]] = {}
    unplaced: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    items = _items(data, path)
    checked = all_valid(item for _, item in items)
    # Reviews written by filmlog are stored as they are, never built as Reviews.
    stored = as_stored([item for _, item in items]) if checked else [None] * len(items)
    for (where, item), doc in zip(items, stored, strict=True):
        title = item.get("title") if isinstance(item, dict) else None
        if doc is not None and doc["uuid"].strip():
            uuid, original_id = doc["uuid"], _original_id(item)
        else:
            try:
                review, original_id = _review(item, checked=checked)
            except InvalidInput as exc:
                shown = title if isinstance(title, str) else None
                rejected.append(Rejected(where, shown, exc.message))
                continue
            doc, uuid = review.to_dict(), review.uuid
        held = seen.get(uuid)
        if held is not None:  # the same review twice: the later copy stays
            if _stamp(doc) > _stamp(docs[held]):
                docs[held] = doc
            continue
        if original_id is None or original_id < 1 or original_id in docs:
            unplaced.append(doc)
            continue
        docs[original_id] = doc
        seen[uuid] = original_id
    stones, counter = _deletions(data, path, rejected)
    highest = max([0, *docs, *(stone.id for stone in stones)])
    for doc in unplaced:
        if doc["uuid"] in seen:
            continue
        highest += 1
        docs[highest] = doc
        seen[doc["uuid"]] = highest
    meta = {"format": FORMAT_NAME, "schema": SCHEMA_VERSION, "next_id": max(counter, highest + 1)}
    tables: dict[str, Any] = {META_TABLE: {str(META_ID): meta}}
    if stones:
        tables[tombstones.TABLE] = tombstones.table(stones)
    tables[REVIEWS_TABLE] = {str(review_id): docs[review_id] for review_id in sorted(docs)}
    return tables, rejected


def _stamp(doc: dict[str, Any]) -> str:
    return str(doc.get("updated_at") or "")


def _load(path: Path) -> Any:
    return _parsed(read_bytes(path), path)


def _parsed(raw: bytes, path: Path) -> Any:
    import orjson

    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"{path} is not valid JSON ({exc})") from None


def _deletions(
    data: dict[str, Any], path: Path, rejected: list[Rejected]
) -> tuple[list[Tombstone], int]:
    """The tombstones and the ID counter an export or journal carries (none in older exports)."""
    from filmlog.storage import META_ID, META_TABLE

    if data.get("format") == FORMAT:
        found = data.get("tombstones", [])
        counter = data.get("next_id")
        if not isinstance(found, list):
            raise InvalidInput(f"{path} has a damaged list of deleted reviews")
        rows = [(str(n), item) for n, item in enumerate(found, 1)]
    else:
        found = data.get(TOMBSTONES_TABLE, {})
        counter = data[META_TABLE][str(META_ID)].get("next_id")
        if not isinstance(found, dict):
            raise InvalidInput(f"{path} has a damaged tombstones table")
        rows = list(found.items())
    stones = []
    for key, item in rows:
        try:
            stones.append(Tombstone.from_dict(item))
        except InvalidInput as exc:
            rejected.append(Rejected(f"deleted review {key}", None, exc.message))
    if isinstance(counter, bool) or not isinstance(counter, int):
        counter = 1
    return stones, counter


def _items(data: object, path: Path) -> list[tuple[str, Any]]:
    if isinstance(data, dict) and data.get("format") == FORMAT:
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise InvalidInput(f"{path} has no valid format version")
        if version > VERSION:
            raise InvalidInput(
                f"{path} was written by a newer filmlog (export version {version}, this one "
                f"reads up to {VERSION}); upgrade filmlog to import it"
            )
        reviews = data.get("reviews")
        if not isinstance(reviews, list):
            raise InvalidInput(f"{path} has no list of reviews")
        return [(f"review {n}", item) for n, item in enumerate(reviews, 1)]
    if isinstance(data, dict) and "_filmlog" in data:
        return _journal_items(data, path)
    raise InvalidInput(f'{path} is not a filmlog export (no "format": "{FORMAT}")')


def _journal_items(data: dict[str, Any], path: Path) -> list[tuple[str, Any]]:
    """The reviews of a journal file, for merging another machine's journal directly."""
    from filmlog.schema import REVIEWS_TABLE, FormatProblem, check_format

    problem, schema = check_format(data)
    if problem is FormatProblem.NOT_A_JOURNAL:
        raise InvalidInput(f"{path} is not a filmlog journal or export")
    if problem is FormatProblem.NEWER_SCHEMA:
        raise InvalidInput(f"{path} is a journal of a newer filmlog (schema {schema!r})")
    if problem is FormatProblem.INVALID_SCHEMA:
        raise InvalidInput(f"{path} is a journal with an invalid schema version ({schema!r})")
    docs = data.get(REVIEWS_TABLE, {})
    if not isinstance(docs, dict):
        raise InvalidInput(f"{path} has a damaged reviews table")
    items: list[tuple[str, Any]] = []
    for key, doc in docs.items():
        if isinstance(doc, dict) and key.isdigit():
            doc = {**doc, "id": int(key)}
        items.append((f"review #{key}", doc))
    return items


def all_valid(items: Iterable[object]) -> bool:
    """Whether every item is a review whose stored fields all pass the journal's own check.

    That check runs a field at a time over every review at once (see
    :mod:`filmlog.validation`), a fraction of the cost of checking thousands of
    reviews one by one, and passes only what the one-by-one check passes. When it
    fails, each review is checked on its own, to name the rows to reject.
    """
    from filmlog.validation import problems

    docs = {str(n): item for n, item in enumerate(items, 1)}
    if not all(type(item) is dict for item in docs.values()):
        return False
    return not problems({"next_id": len(docs) + 1}, docs)


def _review(item: object, *, checked: bool = False) -> tuple[Review, int | None]:
    """The review ``item`` holds, and its ID; ``checked``: its fields passed :func:`all_valid`."""
    if not isinstance(item, dict):
        raise InvalidInput("not a review (expected an object)")
    uuid = item.get("uuid")
    if not isinstance(uuid, str) or not uuid.strip():
        raise InvalidInput("it has no uuid")
    for flag in ("liked", "rewatch"):
        if flag in item and not isinstance(item[flag], bool):
            raise InvalidInput(f"{flag} must be true or false")
    review = Review.from_dict(item)
    if not checked:
        review.validate()
    return review, _original_id(item)


def _original_id(item: dict[str, Any]) -> int | None:
    found = item.get("id")
    return found if is_int(found) else None
