"""filmlog's own JSON: every field of every review, versioned, for backups and for import.

The layout is ``{"format": "filmlog-export", "version": 1, "filmlog": "<version>",
"next_id": N, "reviews": [...], "tombstones": [...]}``, each review in its
stored form plus its ``id``, in ID order, then the deleted reviews remembered
(see :mod:`filmlog.tombstones`). ``import`` reads it back without loss and
merges it by UUID; into an empty journal it restores the same IDs, ID counter
and tombstones. Older filmlogs read the reviews and ignore the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import orjson

from filmlog import __version__
from filmlog.exporters import Part, id_order
from filmlog.model import Review
from filmlog.tombstones import Tombstone, table

FORMAT = "filmlog-export"
# Raised only when a change would make older filmlogs misread an export.
VERSION = 1


def export(
    reviews: Sequence[Review],
    *,
    tombstones: Iterable[Tombstone] = (),
    next_id: int | None = None,
) -> list[Part]:
    """The reviews as one ``filmlog.json``, with the journal's tombstones and ID counter."""
    ordered = id_order(reviews)
    highest = max((review.id or 0 for review in ordered), default=0)
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "filmlog": __version__,
        "next_id": max(next_id or 1, highest + 1),
        "reviews": [{"id": review.id, **review.to_dict()} for review in ordered],
        "tombstones": list(table(tombstones).values()),
    }
    return [Part("filmlog.json", orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n")]
