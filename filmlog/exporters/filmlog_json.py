"""filmlog's own JSON: every field of every review, versioned, for backups and for import.

The layout is ``{"format": "filmlog-export", "version": 1, "filmlog": "<version>",
"reviews": [...]}``, each review in its stored form plus its ``id``, in ID
order. ``import`` reads it back without loss and merges it by UUID.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from filmlog import __version__
from filmlog.exporters import Part, id_order
from filmlog.model import Review

FORMAT = "filmlog-export"
# Raised only when a change would make older filmlogs misread an export.
VERSION = 1


def export(reviews: Sequence[Review]) -> list[Part]:
    """The reviews as one ``filmlog.json``."""
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "filmlog": __version__,
        "reviews": [{"id": review.id, **review.to_dict()} for review in id_order(reviews)],
    }
    return [Part("filmlog.json", orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n")]
