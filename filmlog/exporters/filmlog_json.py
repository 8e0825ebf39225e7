"""filmlog's own JSON: every field of every review, versioned, for backups and for import.

The layout is ``{"format": "filmlog-export", "version": 1, "filmlog": "<version>",
"reviews": [...]}``, each review in its stored form plus its ``id``, in ID
order. ``import`` reads it back without loss and merges it by UUID. The
watchlist goes with it: ``"watchlist"`` (its films as ``watchlist --json``
shows them), ``"watchlist_tombstones"`` and ``"watchlist_next_id"``; older
filmlogs ignore those keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import orjson

from filmlog import __version__
from filmlog.exporters import Part, id_order
from filmlog.model import Review

if TYPE_CHECKING:
    from filmlog.watchlist import Entry, Tombstone

# The watchlist's films, its tombstones and its ID counter (see filmlog.watchlist).
Watchlist = tuple[Sequence["Entry"], Sequence["Tombstone"], int]

FORMAT = "filmlog-export"
# Raised only when a change would make older filmlogs misread an export.
VERSION = 1


def export(reviews: Sequence[Review], *, watchlist: Watchlist | None = None) -> list[Part]:
    """The reviews as one ``filmlog.json``, with the watchlist when one is given."""
    payload: dict[str, object] = {
        "format": FORMAT,
        "version": VERSION,
        "filmlog": __version__,
        "reviews": [{"id": review.id, **review.to_dict()} for review in id_order(reviews)],
    }
    if watchlist is not None:
        films, removed, counter = watchlist
        payload["watchlist"] = [film.to_json() for film in films]
        payload["watchlist_tombstones"] = [stone.to_dict() for stone in removed]
        payload["watchlist_next_id"] = counter
    return [Part("filmlog.json", orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n")]
