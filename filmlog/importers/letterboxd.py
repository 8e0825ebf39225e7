"""A Letterboxd account export: the ZIP as Letterboxd sends it, its unzipped folder, or one CSV.

* ``diary.csv``: one review per row (one viewing), with its rating, rewatch
  flag, tags, watched date and the date it was logged.
* ``reviews.csv``: the text of diary entries, joined to them on the
  per-entry "Letterboxd URI" (on name, year and dates for the rare row without
  one), its HTML turned into Markdown. A review with no diary entry is an
  entry of its own.
* ``ratings.csv`` and ``watched.csv``: films rated or marked watched with no
  diary entry become undated reviews, one per film. Their URIs name the
  film, not an entry, so they are matched to the diary by name and year.

The watchlist, lists, likes and the ``deleted``/``orphaned`` folders are not
read. Every review keeps its Letterboxd URI in ``sources["letterboxd"]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from filmlog.errors import InvalidInput
from filmlog.folding import film_key
from filmlog.importers import Entry, Match, Parsed, Probe, Rejected, _tabular, stable_uuid
from filmlog.importers.merge import FilmKey
from filmlog.model import Review

SOURCE = "letterboxd"
URI = "Letterboxd URI"
KINDS = ("diary", "reviews", "ratings", "watched")
# Folders of a Letterboxd ZIP that hold entries the member removed.
_SKIPPED_FOLDERS = {"deleted", "orphaned"}
# No real export comes near this; it stops a ZIP bomb from filling memory.
MAX_FILE_BYTES = 256 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    text: str


def _first_line(head: bytes) -> str:
    return head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")


def detect(probe: Probe) -> bool:
    """A folder with diary/reviews/ratings/watched CSVs, a ZIP, or a CSV with a URI column."""
    if probe.is_dir:
        return any(name.lower() in {f"{kind}.csv" for kind in KINDS} for name in probe.names)
    return probe.head.startswith(_ZIP_MAGIC) or URI in _first_line(probe.head)


def read(path: Path) -> Parsed:
    """Every diary entry, review and otherwise unlogged film in the export at ``path``."""
    tables = _tables(path)
    if not tables:
        names = ", ".join(f"{kind}.csv" for kind in KINDS)
        raise InvalidInput(f"{path} holds no Letterboxd files ({names})")
    return _Reader(tables).parse()


def _tables(path: Path) -> dict[str, _Table]:
    if path.is_dir():
        found = {child.name.lower(): child for child in path.iterdir() if child.is_file()}
        return {
            kind: _Table(found[f"{kind}.csv"].name, _read_file(found[f"{kind}.csv"]))
            for kind in KINDS
            if f"{kind}.csv" in found
        }
    with path.open("rb") as handle:
        is_zip = handle.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC
    if is_zip:
        return _zip_tables(path)
    text = _read_file(path)
    header, _ = _tabular.read(text, path.name)
    return {_kind_of(header, path.name): _Table(path.name, text)}


def _read_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    return _tabular.decode(data, path.name)


def _zip_tables(path: Path) -> dict[str, _Table]:
    import zipfile
    import zlib

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput(f"{path} is not a readable ZIP file ({exc})") from None
    with archive:
        chosen: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not parts:
                continue
            if _SKIPPED_FOLDERS.intersection(part.lower() for part in parts[:-1]):
                continue
            name = parts[-1].lower()
            kind = name.removesuffix(".csv")
            if name.endswith(".csv") and kind in KINDS:
                previous = chosen.get(kind)
                # The export's own files sit at the top; a copy in a subfolder loses to them.
                if previous is None or len(parts) < len(PurePosixPath(previous.filename).parts):
                    chosen[kind] = info
        tables = {}
        for kind in KINDS:
            if kind not in chosen:
                continue
            info = chosen[kind]
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as exc:
                raise InvalidInput(f"cannot read {info.filename} in {path} ({exc})") from None
            if len(data) > MAX_FILE_BYTES:
                raise InvalidInput(f"{info.filename} in {path} is too large to be an export")
            tables[kind] = _Table(info.filename, _tabular.decode(data, info.filename))
        return tables


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
        self.films: set[FilmKey] = set()
        self.seen_films: set[object] = set()

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
            self.films.add(_film_of(row))
            self.diary(where, row)
        for where, row in self.rows("reviews"):
            self.films.add(_film_of(row))
            self.review(where, row)
        for kind in ("ratings", "watched"):
            for where, row in self.rows(kind):
                self.film(where, row)
        return self.parsed

    def add(self, entry: Entry, row: dict[str, str]) -> None:
        self.parsed.entries.append(entry)
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
        self.add(Entry(review, where, Match.VIEWING, SOURCE), row)

    def review(self, where: str, row: dict[str, str]) -> None:
        uri = row.get(URI, "").strip()
        entry = self.by_uri.get(uri) if uri else self.by_fields.get(_fields(row))
        try:
            review = _review(row, with_body=True)
        except InvalidInput as exc:
            self.reject(where, row, exc.message)
            return
        if entry is None:
            self.add(Entry(review, where, Match.VIEWING, SOURCE), row)
            return
        # The diary's row is the entry; reviews.csv brings the text, and fills what the
        # diary left empty.
        entry.review.body = review.body
        if entry.review.rating is None:
            entry.review.rating = review.rating
        if not entry.review.tags:
            entry.review.tags = review.tags

    def film(self, where: str, row: dict[str, str]) -> None:
        # Most rated or watched films have a diary entry: look before building a review.
        if _film_of(row) in self.films:
            return
        # ratings.csv and watched.csv name a film by the same URI. Two films may share a
        # name and year (there are two 1897 "The Haunted Castle"s), so the URI decides.
        uri = row.get(URI, "").strip()
        seen = uri or _fields(row)
        if seen in self.seen_films:
            return
        try:
            review = _review(row)
        except InvalidInput as exc:
            self.reject(where, row, exc.message)
            return
        self.seen_films.add(seen)
        self.parsed.entries.append(Entry(review, where, Match.FILM, SOURCE))


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
