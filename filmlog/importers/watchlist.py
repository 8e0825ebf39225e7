"""Watchlists from elsewhere: Letterboxd's ``watchlist.csv``, IMDb's watchlist, filmlog's own.

* Letterboxd: ``watchlist.csv`` (Date, Name, Year, Letterboxd URI), alone or
  inside an export's folder or ZIP. The date is when the film went on the list.
* IMDb: the watchlist export (Position, Const, Created, ..., Title, Original
  Title, Runtime (mins), Year, Genres, ..., Directors), columns read by name in
  any letter case. ``Created`` is when the film went on the list.
* filmlog: the ``watchlist`` of a JSON export, or the watchlist table of a
  journal file, with their tombstones and ID counter, so a restore carries them.

Like every importer this only reads: :func:`films` returns the entries and
the rows it had to reject, and :func:`filmlog.watchlist.bring` decides which
are new. Films from other services get a UUID derived from their ID there, so
importing the same file twice, or on two machines, gives the same entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from filmlog.errors import InvalidInput
from filmlog.importers import (
    MAX_FILE_BYTES,
    Parsed,
    Probe,
    Rejected,
    _tabular,
    holds_films,
    read_bytes,
    stable_uuid,
)
from filmlog.importers.imdb import COLUMNS, _columns, _normal
from filmlog.importers.letterboxd import URI
from filmlog.model import IMDB_ID
from filmlog.watchlist import Entry, Tombstone

NAME = "watchlist.csv"
_ZIP = b"PK\x03\x04"
_SKIPPED_FOLDERS = {"deleted", "orphaned"}
# Our name for an IMDb column -> the header names it goes by, lower-cased: the film's
# columns as the ratings export has them, and a list's own.
_SHARED = ("const", "title", "original", "year", "genres", "directors", "runtime")
IMDB_COLUMNS = {
    **{name: COLUMNS[name] for name in _SHARED},
    "position": ("position",),
    "created": ("created",),
    "description": ("description",),
}


@dataclass(slots=True)
class Films:
    """What a watchlist file held: films in file order, rejected rows, and for a filmlog
    export its tombstones and ID counter."""

    entries: list[Entry] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    tombstones: list[Tombstone] = field(default_factory=list)
    next_id: int | None = None
    keep_ids: bool = False  # filmlog's own: entries keep their IDs where they can


def _header(head: bytes, name: str) -> list[str]:
    first = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    try:
        header, _ = _tabular.read(first, name)
    except InvalidInput:
        return []
    return header


def _imdb_columns(header: list[str]) -> dict[str, str]:
    return _columns(header, IMDB_COLUMNS)


_REVIEW_FILES = {"diary.csv", "reviews.csv", "ratings.csv", "watched.csv"}


def detect(probe: Probe) -> bool:
    """A lone Letterboxd ``watchlist.csv`` (or a folder with nothing else of an export's),
    or an IMDb list export (Position and Const columns)."""
    if probe.is_dir:
        names = {name.lower() for name in probe.names}
        return NAME in names and not names & _REVIEW_FILES
    header = _header(probe.head, probe.path.name)
    if URI in header and "Name" in header:
        return "watchlist" in probe.path.name.lower() and not {"Rating", "Review"} & set(header)
    columns = _imdb_columns(header)
    # Old ratings exports had a Position too, and a "You rated" column no list has.
    rated = any(_normal(name) == "you rated" for name in header)
    return "const" in columns and "position" in columns and not rated


def read(path: Path) -> Parsed:
    """No reviews: a watchlist holds films not seen yet (see :func:`films`)."""
    return Parsed()


def films(path: Path, format_name: str) -> Films | None:
    """The watchlist that the file or folder at ``path``, read as ``format_name``, holds.

    None when it holds none: a diary, an IMDb ratings file, a Markdown export.
    """
    if format_name == "watchlist" and path.is_dir():
        found = _letterboxd_member(path)
        if found is None:
            raise InvalidInput(f"{path} holds no {NAME}")
        return _letterboxd(*found)
    if format_name == "watchlist":
        data = read_bytes(path)
        header = _header(data[:4096], path.name)
        if "const" in _imdb_columns(header):
            return _imdb(_tabular.decode(data, path.name, fallback="cp1252"), path.name)
        return _letterboxd(_tabular.decode(data, path.name), path.name)
    if format_name == "letterboxd":
        found = _letterboxd_member(path)
        return None if found is None else _letterboxd(*found)
    if format_name == "json":
        return _filmlog(path)
    return None


def _letterboxd_member(path: Path) -> tuple[str, str] | None:
    """The text and name of ``watchlist.csv`` in a Letterboxd export folder or ZIP."""
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.name.lower() == NAME and child.is_file():
                return _tabular.decode(read_bytes(child), child.name), child.name
        return None
    with path.open("rb") as handle:
        if handle.read(len(_ZIP)) != _ZIP:
            return None
    import zipfile
    import zlib

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput(f"{path} is not a readable ZIP file ({exc})") from None
    with archive:
        chosen = None
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not parts or parts[-1].lower() != NAME:
                continue
            if _SKIPPED_FOLDERS.intersection(part.lower() for part in parts[:-1]):
                continue
            # The export's own file sits at the top; a copy in a subfolder loses to it.
            if chosen is None or len(parts) < len(PurePosixPath(chosen.filename).parts):
                chosen = info
        if chosen is None:
            return None
        try:
            with archive.open(chosen) as member:
                data = member.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as exc:
            raise InvalidInput(f"cannot read {chosen.filename} in {path} ({exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{chosen.filename} in {path} is too large to be an export")
    return _tabular.decode(data, chosen.filename), chosen.filename


def _letterboxd(text: str, name: str) -> Films:
    header, rows = _tabular.read(text, name)
    if "Name" not in header:
        raise InvalidInput(f"{name} has no Name column; is it a Letterboxd watchlist?")
    found = Films()
    for line, row in rows:
        where = f"{name} line {line}"
        title = " ".join(row.get("Name", "").split())
        uri = row.get(URI, "").strip()
        try:
            if not title:
                raise InvalidInput("the Name is empty")
            year = _tabular.year(row.get("Year", ""))
            added_at, _ = _tabular.logged(_tabular.day(row.get("Date", ""), "date"))
            key = uri or f"{title}\x1f{year or ''}"
            entry = Entry(
                title=title,
                uuid=stable_uuid("letterboxd", "watchlist", key),
                year=year,
                added_at=added_at,
                sources={"letterboxd": uri} if uri else {},
            ).validate()
        except InvalidInput as exc:
            found.rejected.append(Rejected(where, title or None, exc.message))
            continue
        found.entries.append(entry)
    return found


def _imdb(text: str, name: str) -> Films:
    header, rows = _tabular.read(text, name)
    columns = _imdb_columns(header)
    if "const" not in columns or "title" not in columns:
        raise InvalidInput(f"{name} is not an IMDb watchlist export (no Const or Title column)")
    found = Films()
    for line, row in rows:
        where = f"{name} line {line}"
        cells = {ours: row.get(theirs, "").strip() for ours, theirs in columns.items()}
        title = " ".join(cells.get("title", "").split())
        try:
            found.entries.append(_imdb_entry(cells, title))
        except InvalidInput as exc:
            found.rejected.append(Rejected(where, title or None, exc.message))
    return found


def _imdb_entry(cells: dict[str, str], title: str) -> Entry:
    if not title:
        raise InvalidInput("the Title is empty")
    const = cells["const"]
    if not IMDB_ID.fullmatch(const):
        raise InvalidInput(f"invalid Const '{const[:20]}' (an IMDb ID looks like tt0137523)")
    runtime = cells.get("runtime", "")
    if runtime and not (runtime.isascii() and runtime.isdigit()):
        raise InvalidInput(f"invalid runtime '{runtime[:20]}'")
    created = cells.get("created", "")
    added_at = None
    if created:
        from filmlog.parsing import parse_date

        added_at, _ = _tabular.logged(parse_date(created))
    original = " ".join(cells.get("original", "").split())
    return Entry(
        title=title,
        uuid=stable_uuid("imdb", "watchlist", const),
        imdb_id=const,
        original_title=original if original and original != title else None,
        year=_tabular.year(cells.get("year", "")),
        genres=_tabular.items(cells.get("genres", "")),
        directors=_tabular.items(cells.get("directors", "")),
        runtime=int(runtime) if runtime and int(runtime) > 0 else None,
        note=cells.get("description") or None,
        added_at=added_at,
        sources={"imdb": const},
    ).validate()


def _filmlog(path: Path) -> Films | None:
    """The watchlist of a filmlog JSON export or journal file: entries, tombstones, counter."""
    import orjson

    raw = read_bytes(path)
    if not holds_films(raw):
        return None  # the common case: a second parse of a large file would be for nothing
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None  # the review import has said what is wrong with it
    return filmlog_films(data, path)


def filmlog_films(data: object, path: Path) -> Films | None:
    """The watchlist of a filmlog JSON export or journal file ``data``, parsed from ``path``."""
    from filmlog import watchlist

    if not isinstance(data, dict):
        return None
    if "watchlist" in data and isinstance(data.get("format"), str):
        return _exported(data, path.name)
    if watchlist.TABLE in data or watchlist.TOMBSTONES in data:
        return _journal(data, path)
    return None


def _exported(data: dict[str, Any], name: str) -> Films:
    found = Films(keep_ids=True)
    items = data.get("watchlist")
    if not isinstance(items, list):
        raise InvalidInput(f"{name} has a watchlist that is not a list")
    for n, item in enumerate(items, 1):
        where = f"watchlist film {n}"
        title = item.get("title") if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict) or not isinstance(item.get("uuid"), str):
                raise InvalidInput("it is not a watchlist film with a uuid")
            entry_id = item.get("id")
            entry = Entry.from_dict(item, entry_id if isinstance(entry_id, int) else None)
            found.entries.append(entry.validate())
        except InvalidInput as exc:
            found.rejected.append(
                Rejected(where, title if isinstance(title, str) else None, exc.message)
            )
    stones = data.get("watchlist_tombstones") or []
    if not isinstance(stones, list):
        raise InvalidInput(f"{name} has watchlist tombstones that are not a list")
    for n, stone in enumerate(stones, 1):
        try:
            found.tombstones.append(Tombstone.from_dict(stone))
        except InvalidInput as exc:
            found.rejected.append(Rejected(f"watchlist tombstone {n}", None, exc.message))
    counter = data.get("watchlist_next_id")
    found.next_id = counter if isinstance(counter, int) and not isinstance(counter, bool) else None
    return found


def _journal(data: dict[str, Any], path: Path) -> Films:
    from filmlog import watchlist
    from filmlog.errors import CorruptJournal

    try:
        entries = watchlist.entries(data, path)
        stones = watchlist.tombstones(data, path)
    except CorruptJournal as exc:
        raise InvalidInput(exc.message) from None
    return Films(entries, [], stones, watchlist.next_id(data), keep_ids=True)
