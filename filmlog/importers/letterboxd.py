"""A Letterboxd account export: the ZIP as Letterboxd sends it, its unzipped folder, or one CSV.

* ``diary.csv``: one review per row (one viewing), with its rating, rewatch
  flag, tags, watched date and the date it was logged.
* ``reviews.csv``: the text of diary entries, joined to them on the
  per-entry "Letterboxd URI" (on name, year and dates for the rare row without
  one), its HTML turned into Markdown. A review with no diary entry is an
  entry of its own.
* ``ratings.csv`` and ``watched.csv``: films rated or marked watched with no
  diary entry become undated reviews, one per film. Their URIs name the
  film, not an entry, so they are matched to the diary by name and year. A
  film rated only in ``ratings.csv`` (no diary entry of it has a rating)
  gets that rating on its latest diary entry.
* ``likes/films.csv``: every review of a liked film is liked.

The watchlist, lists, comments, liked reviews and lists, and the
``deleted``/``orphaned`` folders are not imported; their rows are counted so
that the summary accounts for every row. Every review keeps its Letterboxd URI
in ``sources["letterboxd"]``, and each entry names the fields it speaks for,
so that importing a newer export updates what changed on Letterboxd.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path, PurePosixPath

from filmlog.errors import InvalidInput
from filmlog.folding import film_key
from filmlog.importers import (
    MAX_FILE_BYTES,
    Entry,
    Match,
    Parsed,
    Probe,
    Rejected,
    _tabular,
    read_bytes,
    stable_uuid,
)
from filmlog.importers.merge import FilmKey
from filmlog.model import Review

SOURCE = "letterboxd"
URI = "Letterboxd URI"
KINDS = ("diary", "reviews", "ratings", "watched", "likes")
# Where each file sits in an export (lower case): the files read, then those only counted.
_READ = {
    "diary.csv": "diary",
    "reviews.csv": "reviews",
    "ratings.csv": "ratings",
    "watched.csv": "watched",
    "likes/films.csv": "likes",
}
_COUNTED = {
    "watchlist.csv": "watchlist",
    "comments.csv": "comments",
    "likes/reviews.csv": "liked reviews",
    "likes/lists.csv": "liked lists",
}
_COUNTED_FOLDERS = {"lists": "lists", "deleted": "deleted entries", "orphaned": "orphaned entries"}
# The fields a row of each file tells (ratings.csv and likes add theirs to every entry).
_ENTRY_FIELDS = ("title", "year", "rating", "rewatch", "tags", "watched_on")
_FILM_FIELDS = ("title", "year")
# Columns of Letterboxd's import CSV (filmlog's Letterboxd export) that its exports lack.
_IMPORT_ONLY = {"LetterboxdURI", "WatchedDate", "tmdbID", "imdbID"}
_IMPORT_FIELDS = (*_ENTRY_FIELDS, "body", "directors")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    text: str


@dataclass(slots=True)
class _Export:
    tables: dict[str, _Table] = field(default_factory=dict)
    # What is only counted: a label -> (where it was read, its text), in file order.
    counted: list[tuple[str, _Table]] = field(default_factory=list)


def _first_line(head: bytes) -> str:
    return head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")


def detect(probe: Probe) -> bool:
    """A folder with diary/reviews/ratings/watched CSVs, a ZIP, a CSV with a URI column,
    or a CSV in Letterboxd's import layout (as filmlog exports it)."""
    if probe.is_dir:
        return any(name.lower() in _READ for name in probe.names)
    if probe.head.startswith(_ZIP_MAGIC):
        return True
    first = _first_line(probe.head)
    if URI in first:
        return True
    try:
        header, _ = _tabular.read(first, probe.path.name)
    except InvalidInput:
        return False
    return _is_import_layout(header)


def _is_import_layout(header: list[str]) -> bool:
    """Letterboxd's import CSV: a Title and one of the columns only that layout has."""
    return "Title" in header and bool(_IMPORT_ONLY.intersection(header))


def read(path: Path) -> Parsed:
    """Every diary entry, review and otherwise unlogged film in the export at ``path``."""
    found = _export(path)
    if "import" in found.tables:
        return _read_import_layout(found.tables["import"])
    if not found.tables:
        names = ", ".join(name for name in _READ if "/" not in name)
        raise InvalidInput(f"{path} holds no Letterboxd files ({names})")
    parsed = _Reader(found.tables).parse()
    for label, table in found.counted:
        parsed.left_out[label] = parsed.left_out.get(label, 0) + _count_rows(table)
    parsed.rows = (
        len(parsed.entries) + len(parsed.rejected) + parsed.joined + sum(parsed.left_out.values())
    )
    return parsed


def _place(found: _Export, parts: tuple[str, ...], load: Callable[[], _Table]) -> None:
    """File one member of an export (its path split, in lower case) where it belongs."""
    name = "/".join(parts)
    if name in _READ:
        found.tables.setdefault(_READ[name], load())
    elif name in _COUNTED:
        found.counted.append((_COUNTED[name], load()))
    elif len(parts) > 1 and parts[0] in _COUNTED_FOLDERS and name.endswith(".csv"):
        found.counted.append((_COUNTED_FOLDERS[parts[0]], load()))


def _export(path: Path) -> _Export:
    found = _Export()
    if path.is_dir():
        for child, parts in _members(path):
            _place(found, parts, partial(_load_file, child))
        return found
    with path.open("rb") as handle:
        is_zip = handle.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC
    if is_zip:
        return _zip_export(path)
    text = _read_file(path)
    header, _ = _tabular.read(text, path.name)
    kind = "import" if _is_import_layout(header) else _kind_of(header, path.name)
    if kind == "watched" and path.parent.name.lower() == "likes":
        kind = "likes"
    found.tables[kind] = _Table(path.name, text)
    return found


def _members(folder: Path) -> list[tuple[Path, tuple[str, ...]]]:
    """The files of an export folder and of its subfolders, with their lower-case parts."""
    members: list[tuple[Path, tuple[str, ...]]] = []
    for child in sorted(folder.iterdir()):
        if child.is_file():
            members.append((child, (child.name.lower(),)))
        elif child.is_dir() and child.name.lower() in {*_COUNTED_FOLDERS, "likes"}:
            members.extend(
                (inner, (child.name.lower(), inner.name.lower()))
                for inner in sorted(child.iterdir())
                if inner.is_file()
            )
    return members


def _load_file(path: Path) -> _Table:
    return _Table(path.name, _read_file(path))


def _read_file(path: Path) -> str:
    return _tabular.decode(read_bytes(path), path.name)


def _zip_export(path: Path) -> _Export:
    import zipfile
    import zlib

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput(f"{path} is not a readable ZIP file ({exc})") from None
    with archive:
        members = [
            (info, tuple(part.lower() for part in PurePosixPath(info.filename).parts))
            for info in archive.infolist()
            if not info.is_dir()
        ]
        # Some tools zip the export's folder rather than its files: look inside it.
        tops = {parts[0] for _, parts in members if len(parts) > 1}
        if len(tops) == 1 and all(len(parts) > 1 for _, parts in members):
            members = [(info, parts[1:]) for info, parts in members]

        def load(info: zipfile.ZipInfo) -> _Table:
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_FILE_BYTES + 1)  # a ZIP bomb stops here
            except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as exc:
                raise InvalidInput(f"cannot read {info.filename} in {path} ({exc})") from None
            if len(data) > MAX_FILE_BYTES:
                raise InvalidInput(f"{info.filename} in {path} is too large to be an export")
            return _Table(info.filename, _tabular.decode(data, info.filename))

        found = _Export()
        for info, parts in members:
            _place(found, parts, partial(load, info))
        return found


def _count_rows(table: _Table) -> int:
    """The data rows of a file filmlog does not import (a list's films, after its preamble)."""
    text = table.text
    # A list file starts with the list's own details; its films follow a "Position" header.
    start = re.search(r"(?m)^Position,", text)
    if start is not None:
        text = text[start.start() :]
    _, rows = _tabular.read(text, table.name)
    return sum(1 for _ in rows)


def _kind_of(header: list[str], name: str) -> str:
    """Which Letterboxd file a lone CSV is, from its columns."""
    columns = set(header)
    if URI not in columns or "Name" not in columns:
        raise InvalidInput(f"{name} is not a Letterboxd export file (no Name and {URI} columns)")
    if "Review" in columns:
        return "reviews"
    if "Watched Date" in columns:
        return "diary"
    if "Rating" in columns:
        return "ratings"
    if "watchlist" in name.lower():
        raise InvalidInput(
            f"{name} is a Letterboxd watchlist (films not seen yet); "
            "import the diary, reviews, ratings or watched files"
        )
    return "watched"


class _Reader:
    def __init__(self, tables: dict[str, _Table]) -> None:
        self.tables = tables
        self.parsed = Parsed()
        self.by_uri: dict[str, Entry] = {}
        self.by_fields: dict[tuple[str, ...], Entry] = {}
        # Every film with a diary or review row (even a rejected one), and its entries.
        self.films: dict[FilmKey, list[Entry]] = {}
        # The undated review made for a film that has no diary entry, by URI.
        self.undated: dict[object, list[Entry]] = {}

    def rows(self, kind: str) -> list[tuple[str, dict[str, str]]]:
        table = self.tables.get(kind)
        if table is None:
            return []
        header, rows = _tabular.read(table.text, table.name)
        if "Name" not in header:
            raise InvalidInput(f"{table.name} has no Name column; is it from a Letterboxd export?")
        return [(f"{table.name} line {line}", row) for line, row in rows]

    def reject(self, where: str, row: dict[str, str], reason: str) -> None:
        title = row.get("Name", "").strip() or None
        self.parsed.rejected.append(Rejected(where, title, reason))

    def parse(self) -> Parsed:
        for where, row in self.rows("diary"):
            self.films.setdefault(_film_of(row), [])
            self.diary(where, row)
        for where, row in self.rows("reviews"):
            self.films.setdefault(_film_of(row), [])
            self.review(where, row)
        for kind in ("ratings", "watched", "likes"):
            for where, row in self.rows(kind):
                self.film(where, row, kind)
        # An import without reviews.csv or likes says nothing about texts or likes.
        extra = tuple(
            name for name, kind in (("body", "reviews"), ("liked", "likes")) if kind in self.tables
        )
        for entry in self.parsed.entries:
            entry.fields = (*entry.fields, *extra)
        return self.parsed

    def add(self, entry: Entry, row: dict[str, str]) -> None:
        self.parsed.entries.append(entry)
        self.films.setdefault(_film_of(row), []).append(entry)
        uri = row.get(URI, "").strip()
        if uri:
            self.by_uri.setdefault(uri, entry)
        else:
            self.by_fields.setdefault(_fields(row), entry)

    def diary(self, where: str, row: dict[str, str]) -> None:
        try:
            review = _review(row)
        except InvalidInput as exc:
            self.reject(where, row, exc.message)
            return
        self.add(Entry(review, where, Match.VIEWING, SOURCE, fields=_ENTRY_FIELDS), row)

    def review(self, where: str, row: dict[str, str]) -> None:
        uri = row.get(URI, "").strip()
        entry = self.by_uri.get(uri) if uri else self.by_fields.get(_fields(row))
        try:
            review = _review(row, with_body=True)
        except InvalidInput as exc:
            self.reject(where, row, exc.message)
            return
        if entry is None:
            self.add(Entry(review, where, Match.VIEWING, SOURCE, fields=_ENTRY_FIELDS), row)
            return
        # The diary's row is the entry; reviews.csv brings the text, and fills what the
        # diary left empty.
        self.parsed.joined += 1
        entry.review.body = review.body
        if entry.review.rating is None:
            entry.review.rating = review.rating
        if not entry.review.tags:
            entry.review.tags = review.tags

    def film(self, where: str, row: dict[str, str], kind: str) -> None:
        """A row of ratings.csv, watched.csv or likes/films.csv: about a film, not a viewing."""
        # ratings.csv, watched.csv and likes name a film by the same URI. Two films may
        # share a name and year (there are two 1897 "The Haunted Castle"s), so the URI decides.
        uri = row.get(URI, "").strip()
        seen = uri or _fields(row)
        known = self.films.get(_film_of(row))
        if known is None:
            known = self.undated.get(seen)
        if known is not None:
            if kind != "watched":
                try:
                    self.apply(known, row, kind)
                except InvalidInput as exc:
                    self.reject(where, row, exc.message)
                    return
            self.parsed.joined += 1
            return
        try:
            review = _review(row)
        except InvalidInput as exc:
            self.reject(where, row, exc.message)
            return
        review.liked = kind == "likes"
        fields = (*_FILM_FIELDS, "rating") if "ratings" in self.tables else _FILM_FIELDS
        entry = Entry(review, where, Match.FILM, SOURCE, fields=fields)
        self.parsed.entries.append(entry)
        self.undated[seen] = [entry]

    def apply(self, entries: list[Entry], row: dict[str, str], kind: str) -> None:
        """What a film's rating or like adds to its entries."""
        if kind == "likes":
            for entry in entries:
                entry.review.liked = True
            return
        from filmlog.parsing import parse_rating

        rating = row.get("Rating", "").strip()
        stars = parse_rating(rating) if rating else None
        # A diary entry's rating is that viewing's. The film's rating is lost only when no
        # entry has one: then its latest viewing takes it, so that it counts once.
        if entries and all(entry.review.rating is None for entry in entries):
            latest = max(entries, key=lambda e: e.review.watched_on or date.min)
            latest.review.rating = stars


def _read_import_layout(table: _Table) -> Parsed:
    """Rows of Letterboxd's import CSV, as ``export --format letterboxd`` writes them."""
    parsed = Parsed()
    _, rows = _tabular.read(table.text, table.name)
    for line, row in rows:
        where = f"{table.name} line {line}"
        try:
            review = _imported_review(row)
        except InvalidInput as exc:
            title = row.get("Title", "").strip() or None
            parsed.rejected.append(Rejected(where, title, exc.message))
            continue
        match = Match.VIEWING if review.watched_on else Match.FILM
        parsed.entries.append(Entry(review, where, match, SOURCE, fields=_IMPORT_FIELDS))
    parsed.rows = len(parsed.entries) + len(parsed.rejected)
    return parsed


def _imported_review(row: dict[str, str]) -> Review:
    from filmlog.importers._html import to_markdown
    from filmlog.parsing import parse_rating

    title = " ".join(row.get("Title", "").split())
    if not title:
        raise InvalidInput("the Title is empty")
    uri = row.get("LetterboxdURI", "").strip()
    rating = row.get("Rating", "").strip()
    tmdb = row.get("tmdbID", "").strip()
    if tmdb and not (tmdb.isascii() and tmdb.isdigit()):
        raise InvalidInput(f"invalid tmdbID '{tmdb[:20]}'")
    year = row.get("Year", "").strip()
    watched = row.get("WatchedDate", "").strip()
    review = Review(
        title=title,
        uuid=stable_uuid(SOURCE, uri) if uri else stable_uuid(SOURCE, title, year, watched),
        year=_tabular.year(year),
        directors=_tabular.items(row.get("Directors", "")),
        rating=parse_rating(rating) if rating else None,
        rewatch=row.get("Rewatch", "").strip().lower() in ("yes", "true"),
        tags=_tabular.items(row.get("Tags", "")),
        watched_on=_tabular.day(watched, "watched date"),
        body=to_markdown(row.get("Review", "")) or None,
        imdb_id=row.get("imdbID", "").strip() or None,
        tmdb_id=int(tmdb) if tmdb else None,
        sources={SOURCE: uri} if uri else {},
    )
    return review.validate()


def _film_of(row: dict[str, str]) -> FilmKey:
    """The film a row is about, even when the row itself is rejected."""
    try:
        year = _tabular.year(row.get("Year", ""))
    except InvalidInput:
        year = None
    return film_key(" ".join(row.get("Name", "").split()), year)


def _fields(row: dict[str, str]) -> tuple[str, ...]:
    """How a row without a URI is joined across files: name, year, watched and logged dates."""
    names = ("Name", "Year", "Watched Date", "Date")
    return tuple(" ".join(row.get(name, "").split()) for name in names)


def _review(row: dict[str, str], *, with_body: bool = False) -> Review:
    from filmlog.parsing import parse_rating

    title = " ".join(row.get("Name", "").split())
    if not title:
        raise InvalidInput("the Name is empty")
    rating = row.get("Rating", "").strip()
    uri = row.get(URI, "").strip()
    body = None
    if with_body and row.get("Review", "").strip():
        from filmlog.importers._html import to_markdown

        body = to_markdown(row["Review"]) or None
    logged_at, logged_zone = _tabular.logged(_tabular.day(row.get("Date", ""), "date"))
    review = Review(
        title=title,
        uuid=stable_uuid(SOURCE, uri) if uri else stable_uuid(SOURCE, *_fields(row)),
        year=_tabular.year(row.get("Year", "")),
        rating=parse_rating(rating) if rating else None,
        rewatch=row.get("Rewatch", "").strip().lower() in ("yes", "true"),
        tags=_tabular.items(row.get("Tags", "")),
        watched_on=_tabular.day(row.get("Watched Date", ""), "watched date"),
        logged_at=logged_at,
        logged_zone=logged_zone,
        body=body,
        sources={SOURCE: uri} if uri else {},
    )
    return review.validate()
