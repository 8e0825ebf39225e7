"""The watchlist as CSV for Letterboxd's watchlist import (Title, Year, imdbID, tmdbID, URI).

Letterboxd matches each row to a film by whichever of these it can use, so
every one known is written. Cells a spreadsheet could take for a formula are
neutralised as in the CSV export (a title never starts with ``=`` in
earnest, and Letterboxd matches on the IDs where a title would not).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from filmlog.exporters import Part
from filmlog.exporters.csv_table import neutralise
from filmlog.watchlist import Entry

COLUMNS = ("Title", "Year", "imdbID", "tmdbID", "LetterboxdURI")


def cells(film: Entry) -> list[str]:
    """One film's row, before neutralising."""
    return [
        film.title,
        str(film.year) if film.year else "",
        film.imdb_id or film.sources.get("imdb", ""),
        str(film.tmdb_id) if film.tmdb_id else "",
        film.sources.get("letterboxd", ""),
    ]


def export(films: Sequence[Entry]) -> Part:
    """``watchlist.csv``: the films in the order they were added, oldest first."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for film in sorted(films, key=lambda f: f.id or 0):
        writer.writerow([neutralise(cell) for cell in cells(film)])
    return Part("watchlist.csv", buffer.getvalue().encode("utf-8"))
