"""Import formats, registered by name, and the parsed rows they hand back.

Each format is one module here with two functions:
``detect(probe) -> bool`` says whether a file or folder looks like that format
and ``read(path) -> Parsed`` turns it into reviews plus the rows it had to
reject. Importers never touch the journal: :mod:`filmlog.importers.merge`
decides what is new, and the CLI writes it in one transaction. The table below
is all the CLI reads at start-up; the modules load only when importing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from filmlog.errors import InvalidInput
from filmlog.model import Review

# Bytes of a file that detection looks at: enough for any header row.
PROBE_BYTES = 64 * 1024
# No export of a film journal comes near this: a larger file is a mistake, and reading it
# whole would only exhaust memory.
MAX_FILE_BYTES = 256 * 1024 * 1024


class Match(Enum):
    """How an imported review is recognised in the journal."""

    # filmlog's own exports: the same UUID is the same review, and the newer copy wins.
    UUID = "uuid"
    # One dated viewing (a diary entry): the same source ID, or the same film watched the
    # same day in a review that has no ID from that source.
    VIEWING = "viewing"
    # A film seen at some time (a rating, a "watched" mark): any review of the film.
    FILM = "film"


@dataclass(slots=True)
class Entry:
    """One review read from a file, and how to find it again in the journal."""

    review: Review
    where: str
    match: Match
    # The key in review.sources that identifies this entry ("letterboxd", "imdb").
    source: str | None = None
    # Other titles the film goes by (IMDb's original title), for Match.FILM.
    titles: tuple[str, ...] = ()
    # The review fields this entry speaks for: a later import of the same source updates
    # them where they changed there and not in the journal (see merge.refresh).
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that could not be imported, and why."""

    where: str
    title: str | None
    reason: str


@dataclass(slots=True)
class Parsed:
    """What an importer read: entries in import order, rejected rows, and the rest.

    When ``rows`` is known, every row is accounted for once: it is an entry, a
    rejected row, one of ``joined`` (a row that adds to another row's entry,
    such as a review's text or a film's rating) or counted in ``left_out``
    under what it is (a watchlist, lists).
    """

    entries: list[Entry] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    joined: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    rows: int | None = None


@dataclass(frozen=True, slots=True)
class Probe:
    """What detection looks at: the path, the first bytes of a file, a folder's file names."""

    path: Path
    is_dir: bool
    head: bytes = b""
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportFormat:
    name: str
    module: str
    help: str


# read(path), and for some formats keyword options (IMDb's include_series).
Reader = Callable[..., Parsed]
Detector = Callable[[Probe], bool]

# In detection order: the cheap, certain tests first.
FORMATS: dict[str, ImportFormat] = {
    f.name: f
    for f in (
        ImportFormat("json", "filmlog_json", "a filmlog JSON export (or a journal file)"),
        ImportFormat("markdown", "markdown", "Markdown files written by export --split"),
        ImportFormat(
            "watchlist", "watchlist", "a watchlist alone: Letterboxd's watchlist.csv or IMDb's"
        ),
        ImportFormat(
            "letterboxd", "letterboxd", "a Letterboxd export: the ZIP, its folder, or one CSV"
        ),
        ImportFormat("imdb", "imdb", "an IMDb ratings export (ratings.csv)"),
    )
}


# Reviews read from another service get a UUID derived from their ID there, so that two
# machines importing the same export agree on it and their journals later merge cleanly.
_NAMESPACE = "6f0b7d36-52a8-4d39-9f1c-6c2f5b1e7a40"


def stable_uuid(*parts: str) -> str:
    """The same UUID for the same parts, on every machine (UUID version 5)."""
    import uuid

    return str(uuid.uuid5(uuid.UUID(_NAMESPACE), "\x1f".join(parts)))


def _module(name: str) -> object:
    import importlib

    return importlib.import_module(f"{__name__}.{FORMATS[name].module}")


def reader(name: str) -> Reader:
    """The ``read`` function of the format called ``name``."""
    function: Reader = getattr(_module(name), "read")  # noqa: B009 - typed via the annotation
    return function


# A watchlist or its tombstones that is not empty. In JSON an unescaped quote can only
# open or close a string, so this finds keys, never text inside a review; were a review
# to have such a key, the file is only parsed for nothing.
_HOLDS_FILMS = re.compile(rb'"watchlist(?:_tombstones|-tombstones)?"\s*:(?!\s*[\[{]\s*[\]}])')


def holds_films(raw: bytes) -> bool:
    """Whether a filmlog JSON export or journal file holds watchlist entries or tombstones.

    Here rather than in :mod:`filmlog.importers.watchlist`, so that importing a file
    without any loads none of the watchlist's modules.
    """
    # bytes.find, not the regex's own search: it skips through a large file many times faster.
    at = raw.find(b'"watchlist')
    while at >= 0:
        if _HOLDS_FILMS.match(raw, at):
            return True
        at = raw.find(b'"watchlist', at + 1)
    return False


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``; InvalidInput when it cannot be read or holds over ``limit``."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise InvalidInput(f"{path} is larger than {limit:,} bytes, too large to import")
            # read(n) sets n bytes aside first: ask for what the file holds, then go on in
            # pieces, for a file that grew or a pipe, whose size says nothing.
            data = handle.read(size + 1)
            while len(data) <= limit:
                more = handle.read(min(1 << 20, limit + 1 - len(data)))
                if not more:
                    break
                data += more
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InvalidInput(f"{path} is larger than {limit:,} bytes, too large to import")
    return data


def probe(path: Path) -> Probe:
    """Look at ``path`` once; InvalidInput when it cannot be read."""
    try:
        if path.is_dir():
            names = tuple(sorted(child.name for child in path.iterdir()))
            return Probe(path, True, names=names)
        with path.open("rb") as handle:
            return Probe(path, False, head=handle.read(PROBE_BYTES))
    except FileNotFoundError:
        raise InvalidInput(f"{path} does not exist") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None


def detect(path: Path) -> str:
    """The name of the format ``path`` holds, judged from its content."""
    seen = probe(path)
    for name in FORMATS:
        detector: Detector = getattr(_module(name), "detect")  # noqa: B009 - as in reader()
        if detector(seen):
            return name
    choices = ", ".join(FORMATS)
    what = "folder" if seen.is_dir else "file"
    raise InvalidInput(f"cannot tell what kind of {what} {path} is; give --format ({choices})")
