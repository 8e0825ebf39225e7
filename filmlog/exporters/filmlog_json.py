"""filmlog's own JSON: every field of every review, versioned, for backups and for import.

The layout is ``{"format": "filmlog-export", "version": 1, "filmlog": "<version>",
"next_id": N, "reviews": [...], "tombstones": [...]}``, each review in its
stored form plus its ``id``, in ID order, then the deleted reviews remembered
(see :mod:`filmlog.tombstones`). ``import`` reads it back without loss and
merges it by UUID; into an empty journal it restores the same IDs, ID counter
and tombstones. The watchlist goes with it: ``"watchlist"`` (its films as
``watchlist --json`` shows them), ``"watchlist_tombstones"`` and
``"watchlist_next_id"``. Older filmlogs read the reviews and ignore the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import orjson

from filmlog import __version__
from filmlog.exporters import Part, id_order
from filmlog.model import Review
from filmlog.tombstones import Tombstone, table

if TYPE_CHECKING:
    from filmlog.watchlist import Entry
    from filmlog.watchlist import Tombstone as Removal

# The watchlist's films, its tombstones and its ID counter (see filmlog.watchlist).
Watchlist = tuple[Sequence["Entry"], Sequence["Removal"], int]

FORMAT = "filmlog-export"
# Raised only when a change would make older filmlogs misread an export.
VERSION = 1


def export(
    reviews: Sequence[Review],
    *,
    tombstones: Iterable[Tombstone] = (),
    next_id: int | None = None,
    watchlist: Watchlist | None = None,
) -> list[Part]:
    """The reviews as one ``filmlog.json``, with the journal's tombstones and ID counter,
    and the watchlist when one is given."""
    ordered = id_order(reviews)
    highest = max((review.id or 0 for review in ordered), default=0)
    payload: dict[str, object] = {
        "format": FORMAT,
        "version": VERSION,
        "filmlog": __version__,
        "next_id": max(next_id or 1, highest + 1),
        "reviews": [{"id": review.id, **review.to_dict()} for review in ordered],
        "tombstones": list(table(tombstones).values()),
    }
    if watchlist is not None:
        films, removed, counter = watchlist
        payload["watchlist"] = [film.to_json() for film in films]
        payload["watchlist_tombstones"] = [stone.to_dict() for stone in removed]
        payload["watchlist_next_id"] = counter
    return [Part("filmlog.json", orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n")]
