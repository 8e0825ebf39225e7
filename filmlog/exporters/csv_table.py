"""CSV for spreadsheets: one row per review, every field, in ID order.

Lists are joined with ``; ``, cast members are written ``Actor as Role`` and
sources ``name=value``; for a lossless copy use the JSON format. Every cell is
quoted and any cell a spreadsheet could take for a formula (one starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, after any spaces, or
their full-width forms) gets a leading ``'``, as OWASP advises against CSV
injection: the spreadsheet then shows the text instead of running it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from filmlog.exporters import Part, id_order
from filmlog.model import JSON_KEYS, Review


def _columns() -> tuple[str, ...]:
    # The documented --json keys, plus what a spreadsheet user also wants beside them.
    extra = {"rating": "half_stars", "logged_at": "logged_zone"}
    columns: list[str] = []
    for key in JSON_KEYS:
        columns.append(key)
        if key in extra:
            columns.append(extra[key])
    return (*columns, "sources")


COLUMNS = _columns()
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def neutralise(cell: str) -> str:
    """``cell``, with a ``'`` in front if a spreadsheet could read it as a formula."""
    stripped = cell.lstrip(" ")
    return f"'{cell}" if stripped and stripped[0] in FORMULA_STARTS else cell


def row(review: Review) -> list[str]:
    """The cells of one review, in :data:`COLUMNS` order, before neutralising."""

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    stars = "" if review.rating is None else f"{review.rating / 2:g}"
    return [
        text(review.id),
        review.uuid,
        text(review.tmdb_id),
        text(review.imdb_id),
        review.title,
        text(review.original_title),
        text(review.year),
        text(review.release_text),
        text(review.release_precision),
        "; ".join(review.directors),
        "; ".join(str(member) for member in review.cast),
        "; ".join(review.genres),
        text(review.mpaa),
        text(review.runtime),
        stars,
        text(review.rating),
        text(review.verdict),
        text(review.headline),
        text(review.body),
        "; ".join(review.tags),
        text(review.liked),
        text(review.rewatch),
        text(review.reviewer),
        text(review.watched_on),
        text(review.logged_at),
        text(review.logged_zone),
        text(review.updated_at),
        "; ".join(f"{name}={value}" for name, value in review.sources.items()),
    ]


def export(reviews: Sequence[Review]) -> list[Part]:
    """The reviews as one ``reviews.csv`` (UTF-8, CRLF line ends as RFC 4180 has them)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for review in id_order(reviews):
        writer.writerow([neutralise(cell) for cell in row(review)])
    return [Part("reviews.csv", buffer.getvalue().encode("utf-8"))]
