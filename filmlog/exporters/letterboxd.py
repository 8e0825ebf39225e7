"""Letterboxd's import CSV: Title, Year, Directors, Rating, WatchedDate, Rewatch, Tags, Review.

Letterboxd refuses files of 1 MB or more, so the rows are cut into parts
below :data:`LIMIT` bytes, each starting with the header. Cells are written as
they are (no formula guard): this file is for Letterboxd's importer, which
would keep a guard quote as part of the title or review. The body goes out as
written; Letterboxd shows Markdown as plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from filmlog.exporters import Part, watched_order
from filmlog.model import Review

COLUMNS = ("Title", "Year", "Directors", "Rating", "WatchedDate", "Rewatch", "Tags", "Review")
LIMIT = 1_000_000


def _line(cells: Sequence[str]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")


def cells(review: Review) -> list[str]:
    """One review's row: stars as 0.5 to 5, the watched date as YYYY-MM-DD, tags comma-joined."""
    from filmlog.parsing import format_stars_number

    return [
        review.title,
        str(review.year) if review.year else "",
        ", ".join(review.directors),
        format_stars_number(review.rating) if review.rating is not None else "",
        review.watched_on.isoformat() if review.watched_on else "",
        "true" if review.rewatch else "false",
        # Letterboxd splits tags on commas, so a comma inside one tag would make two.
        ", ".join(tag.replace(",", " ") for tag in review.tags),
        review.body or "",
    ]


def export(reviews: Sequence[Review], *, limit: int = LIMIT) -> list[Part]:
    """``letterboxd.csv``, or ``letterboxd-1.csv``, ``letterboxd-2.csv``... when over ``limit``.

    A single review longer than ``limit`` goes alone in its own part (which
    Letterboxd will refuse): it is never cut or dropped.
    """
    header = _line(COLUMNS)
    chunks: list[list[bytes]] = [[header]]
    size = len(header)
    for review in watched_order(reviews):
        line = _line(cells(review))
        if size + len(line) >= limit and len(chunks[-1]) > 1:
            chunks.append([header])
            size = len(header)
        chunks[-1].append(line)
        size += len(line)
    if len(chunks) == 1:
        return [Part("letterboxd.csv", b"".join(chunks[0]))]
    return [Part(f"letterboxd-{n}.csv", b"".join(chunk)) for n, chunk in enumerate(chunks, 1)]
