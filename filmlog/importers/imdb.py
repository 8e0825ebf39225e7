"""An IMDb ratings export (``ratings.csv``), read by column name in any letter case.

Columns: Const, Your Rating, Date Rated, Title, Original Title, URL, Title
Type, IMDb Rating, Runtime (mins), Year, Genres, Num Votes, Release Date,
Directors. Older exports lack Original Title or name some columns differently
("You rated", "created"); both are read. Each row becomes an undated review:
the rating (1 to 10 is exactly 1 to 10 half-stars), genres, directors,
runtime, release date, the date rated as the logged date, and the IMDb ID in
``sources["imdb"]``. A film the journal already has is left alone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from filmlog.errors import InvalidInput
from filmlog.importers import Entry, Match, Parsed, Probe, Rejected, _tabular, stable_uuid
from filmlog.model import Review

SOURCE = "imdb"
# Our name for a column -> the header names IMDb has used for it, lower-cased.
COLUMNS = {
    "const": ("const",),
    "rating": ("your rating", "you rated"),
    "rated": ("date rated", "created"),
    "title": ("title",),
    "original": ("original title",),
    "year": ("year",),
    "genres": ("genres",),
    "directors": ("directors",),
    "runtime": ("runtime (mins)", "runtime"),
    "released": ("release date", "release date (month/day/year)"),
}
REQUIRED = ("const", "rating", "title")


def _normal(name: str) -> str:
    return " ".join(name.lower().split())


def _columns(header: list[str], columns: dict[str, tuple[str, ...]] = COLUMNS) -> dict[str, str]:
    """Our column name -> the header as this file spells it."""
    spelled = {_normal(name): name for name in header}
    found = {}
    for ours, names in columns.items():
        for name in names:
            if name in spelled:
                found[ours] = spelled[name]
                break
    return found


def detect(probe: Probe) -> bool:
    """A CSV whose header has Const and Your Rating (in any case)."""
    if probe.is_dir:
        return False
    first = probe.head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    try:
        header, _ = _tabular.read(first, probe.path.name)
    except InvalidInput:
        return False
    found = _columns(header)
    return "const" in found and "rating" in found


def read(path: Path) -> Parsed:
    """One undated review per rated title."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    # Old IMDb exports were written in Windows' Latin-1; new ones are UTF-8.
    text = _tabular.decode(data, path.name, fallback="cp1252")
    header, rows = _tabular.read(text, path.name)
    columns = _columns(header)
    missing = [COLUMNS[name][0].title() for name in REQUIRED if name not in columns]
    if missing:
        raise InvalidInput(
            f"{path.name} is not an IMDb ratings export (no {' or '.join(missing)} column)"
        )
    parsed = Parsed()
    for line, row in rows:
        where = f"{path.name} line {line}"
        cells = {ours: row.get(theirs, "").strip() for ours, theirs in columns.items()}
        try:
            review = _review(cells)
        except InvalidInput as exc:
            parsed.rejected.append(Rejected(where, cells.get("title") or None, exc.message))
            continue
        original = cells.get("original", "")
        titles = (original,) if original and original != review.title else ()
        parsed.entries.append(Entry(review, where, Match.FILM, SOURCE, titles))
    return parsed


def _review(cells: dict[str, str]) -> Review:
    title = " ".join(cells.get("title", "").split())
    if not title:
        raise InvalidInput("the Title is empty")
    if not cells["const"]:
        raise InvalidInput("the Const (IMDb ID) is empty")
    rating = cells["rating"]
    if not (rating.isascii() and rating.isdigit() and 1 <= int(rating) <= 10):
        raise InvalidInput(f"invalid rating '{rating[:20]}' (IMDb ratings are 1 to 10)")
    runtime = cells.get("runtime", "")
    if runtime and not (runtime.isascii() and runtime.isdigit()):
        raise InvalidInput(f"invalid runtime '{runtime[:20]}'")
    logged_at, logged_zone = _tabular.logged(_date(cells.get("rated", "")))
    return Review(
        title=title,
        uuid=stable_uuid(SOURCE, cells["const"]),
        year=_tabular.year(cells.get("year", "")),
        rating=int(rating),
        genres=_tabular.items(cells.get("genres", "")),
        directors=_tabular.items(cells.get("directors", "")),
        runtime=int(runtime) if runtime and int(runtime) > 0 else None,
        release_date=_date(cells.get("released", "")),
        logged_at=logged_at,
        logged_zone=logged_zone,
        sources={SOURCE: cells["const"]},
    ).validate()


def _date(text: str) -> date | None:
    """ISO dates as new exports write them; older ones wrote "Sat Oct 31 00:00:00 2009"."""
    if not text:
        return None
    from filmlog.parsing import parse_date

    return parse_date(text)
