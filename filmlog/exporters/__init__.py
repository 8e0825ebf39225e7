"""Export formats, registered by name.

Each format is one module here with one function,
``export(reviews, *, split=False) -> list[Part]``: it returns the files'
contents and never writes anything; the CLI decides where they go. The table
below is all the CLI reads at start-up (for ``--format`` choices and help), so
the format modules themselves, and what they import, load only when used.
A new format is one new module plus one line in :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from filmlog.model import Review, watch_order


@dataclass(frozen=True, slots=True)
class Part:
    """One output file: a suggested name (no folders in it) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """What the CLI needs to know about a format without importing it."""

    name: str
    module: str
    extension: str
    help: str
    # True when the format can write one file per review into a folder (--split DIR).
    splits: bool = False


Exporter = Callable[..., list[Part]]

FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "markdown",
            "markdown",
            "md",
            "one Markdown document; with --split DIR, one blog post per review",
            splits=True,
        ),
        ExportFormat(
            "json", "filmlog_json", "json", "complete filmlog dump that import reads back"
        ),
        ExportFormat(
            "csv", "csv_table", "csv", "one row per review, every field, spreadsheet-safe"
        ),
        ExportFormat(
            "letterboxd",
            "letterboxd",
            "csv",
            "Letterboxd's import CSV, in files under 1 MB",
        ),
    )
}


def exporter(name: str) -> Exporter:
    """The ``export`` function of the format called ``name`` (KeyError if there is none)."""
    import importlib

    module = importlib.import_module(f"{__name__}.{FORMATS[name].module}")
    function: Exporter = module.export
    return function


def watched_order(reviews: Sequence[Review]) -> list[Review]:
    """Oldest viewing first, undated reviews last, ties in ID order: a diary's order."""
    return sorted(reviews, key=watch_order)


def id_order(reviews: Sequence[Review]) -> list[Review]:
    """In the journal's order, so that an import into an empty journal gives the same IDs."""
    return sorted(reviews, key=lambda r: r.id or 0)
