"""The derived index beside the journal: exact, disposable, never trusted when in doubt."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from filmlog.storage import serialised
from tests.conftest import examples
from tests.factories import reviews


def _tables(docs: list[Any]) -> dict[str, Any]:
    meta = {"format": "filmlog", "schema": 2, "next_id": len(docs) + 1}
    return {
        "_filmlog": {"1": meta},
        "reviews": {str(i): doc for i, doc in enumerate(docs, 1)},
        "tombstones": {"1": {"uuid": "u", "id": 99, "deleted_at": "2020-01-01T00:00:00+00:00"}},
    }


@settings(max_examples=examples(300, 40))
@given(st.lists(reviews, max_size=12))
def test_serialised_spans_are_where_each_review_lies(found: list[Any]) -> None:
    tables = _tables([review.to_dict() for review in found])
    spans: dict[int, tuple[int, int]] = {}
    written = b"".join(serialised(tables, spans))
    assert sorted(spans) == list(range(1, len(found) + 1))
    for review_id, (start, stop) in spans.items():
        assert orjson.loads(written[start:stop]) == tables["reviews"][str(review_id)]
