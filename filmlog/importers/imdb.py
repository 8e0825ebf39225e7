"""An IMDb ratings export (``ratings.csv``), read by column name in any letter case.

Columns: Const, Your Rating, Date Rated, Title, Original Title, URL, Title
Type, IMDb Rating, Runtime (mins), Year, Genres, Num Votes, Release Date,
Directors. Older exports lack Original Title or name some columns differently
("You rated", "created"); both are read. Each film becomes an undated review:
the rating (1 to 10 is exactly 1 to 10 half-stars), the title and original
title, genres, directors, runtime, release date (``1991-09`` or ``1982`` stay
a month or a year), the date rated as the logged date, and the IMDb ID.

Title Type says what was rated, in the language of the account: films (Movie,
TV Movie, Video, Short and their translations) are imported; series,
mini-series, episodes, specials, video games and podcasts are counted and
left out unless ``include_series`` asks for them, tagged with what they are.
A watchlist or list export (no ratings) is refused with one line.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from filmlog.errors import InvalidInput
from filmlog.importers import (
    Entry,
    Match,
    Parsed,
    Probe,
    Rejected,
    _tabular,
    read_bytes,
    stable_uuid,
)
from filmlog.model import IMDB_ID, Review

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
    "kind": ("title type",),
    "position": ("position",),
}
REQUIRED = ("const", "rating", "title")
# What a Title Type names when it is not a film, by words of it in the languages IMDb
# writes (accents and case folded): the first that matches decides.
_NOT_FILMS = (
    ("podcast", ("podcast",)),
    ("TV episode", ("episod", "folge")),
    ("video game", ("game", "gioco", "juego", "jogo", "spiel", "jeu")),
    ("TV mini series", ("mini",)),
    ("TV series", ("serie",)),
    ("TV special", ("special", "especial")),
    ("music video", ("music video", "video musicale", "musikvideo", "clip")),
)
LEFT_OUT = "series, episodes, games and podcasts (--include-series)"


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


def read(path: Path, *, include_series: bool = False) -> Parsed:
    """One undated review per rated film (and, with ``include_series``, per other title)."""
    data = read_bytes(path)
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
    left_out = 0
    for line, row in rows:
        where = f"{path.name} line {line}"
        cells = {ours: row.get(theirs, "").strip() for ours, theirs in columns.items()}
        if "position" in columns and not cells["rating"]:
            # Lists and the watchlist share the ratings layout, with a position and
            # mostly no rating: not a history of films seen.
            raise InvalidInput(
                f"{path.name} is an IMDb watchlist or a list (titles not rated), not the "
                "ratings export; export Your Ratings from IMDb and import that file"
            )
        kind = title_kind(cells.get("kind", ""))
        if kind is not None and not include_series:
            left_out += 1
            continue
        try:
            review = _review(cells)
        except InvalidInput as exc:
            parsed.rejected.append(Rejected(where, cells.get("title") or None, exc.message))
            continue
        if kind is not None:
            review.tags = [kind]
        original = review.original_title
        titles = (original,) if original and original != review.title else ()
        parsed.entries.append(Entry(review, where, Match.FILM, SOURCE, titles))
    if left_out:
        parsed.left_out[LEFT_OUT] = left_out
    parsed.rows = len(parsed.entries) + len(parsed.rejected) + left_out
    return parsed


def title_kind(text: str) -> str | None:
    """What a Title Type names when it is not a film ("TV series"), or None for a film."""
    from filmlog.folding import fold

    folded = fold(text)
    for kind, words in _NOT_FILMS:
        if any(word in folded for word in words):
            return kind
    return None


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
    released, precision = _release(cells.get("released", ""))
    original = " ".join(cells.get("original", "").split())
    const = cells["const"]
    return Review(
        title=title,
        original_title=original or None,
        imdb_id=const if IMDB_ID.fullmatch(const) else None,
        uuid=stable_uuid(SOURCE, cells["const"]),
        year=_tabular.year(cells.get("year", "")),
        rating=int(rating),
        genres=_tabular.items(cells.get("genres", "")),
        directors=_tabular.items(cells.get("directors", "")),
        runtime=int(runtime) if runtime and int(runtime) > 0 else None,
        release_date=released,
        release_precision=precision,
        logged_at=logged_at,
        logged_zone=logged_zone,
        sources={SOURCE: cells["const"]},
    ).validate()


def _release(text: str) -> tuple[date | None, str | None]:
    if not text:
        return None, None
    from filmlog.parsing import parse_release

    return parse_release(text)


def _date(text: str) -> date | None:
    """ISO dates as new exports write them; older ones wrote "Sat Oct 31 00:00:00 2009"."""
    if not text:
        return None
    from filmlog.parsing import parse_date

    return parse_date(text)
