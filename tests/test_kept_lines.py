"""A write keeps, byte for byte, the lines of the reviews it did not change, and only those."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filmlog.model import Review
from filmlog.session import Session
from filmlog.storage import Journal, Kept, read_lines, serialise, serialised
from tests.conftest import examples
from tests.factories import reviews


def _tables(docs: list[dict[str, Any]]) -> dict[str, Any]:
    meta = {"format": "filmlog", "schema": 2, "next_id": len(docs) + 1}
    return {
        "_filmlog": {"1": meta},
        "tombstones": {"1": {"uuid": "u", "id": 99, "deleted_at": "2020-01-01T00:00:00+00:00"}},
        "reviews": {str(i): doc for i, doc in enumerate(docs, 1)},
    }


def _journal(tmp_path: Path, *titles: str) -> Journal:
    journal = Journal(tmp_path / "journal.json")
    with journal.transaction() as session:
        session.add_many(Review(title) for title in titles)
    return journal


@settings(max_examples=examples(300, 40))
@given(st.lists(reviews, min_size=1, max_size=8))
def test_each_line_of_a_written_journal_is_found_exactly(found: list[Review]) -> None:
    raw = serialise(_tables([review.to_dict() for review in found]))
    lines: dict[str, tuple[int, int]] = {}
    assert read_lines(raw, lines) == orjson.loads(raw)
    assert sorted(lines, key=int) == [str(n) for n in range(1, len(found) + 1)]
    for key, (start, stop) in lines.items():
        assert orjson.loads(raw[start:stop]) == found[int(key) - 1].to_dict()


GOOD = b'{"_filmlog":{"1":{"format":"filmlog","schema":2,"next_id":3}}\n,"reviews":{\n'


@pytest.mark.parametrize(
    "raw",
    [
        # One line, as filmlog wrote journals before.
        b'{"_filmlog":{"1":{"format":"filmlog","schema":2,"next_id":3}},'
        b'"reviews":{"1":{"title":"A"},"2":{"title":"B"}}}\n',
        # A review spread over two lines by a hand edit.
        GOOD + b'"1":{"title":"A",\n"year":2001}\n,"2":{"title":"B"}\n}}\n',
        # Two reviews on one line.
        GOOD + b'"1":{"title":"A"},"2":{"title":"B"}\n}}\n',
        # Lines that look like reviews but are members of a review's nested object:
        # only parsing each line alone tells them apart.
        GOOD + b'"1":{"n":{"7":{}}\n,"2":{"z":1}},"2":{}\n}}\n',
        # The same key twice.
        GOOD + b'"1":{"title":"A"}\n,"1":{"title":"B"}\n}}\n',
        # Space after an object: its bytes would not be exactly the object.
        GOOD + b'"1":{"title":"A"} \n,"2":{"title":"B"}\n}}\n',
        # A key of other characters than digits.
        GOOD + b'"1":{"title":"A"}\n,"x":{"title":"B"}\n}}\n',
        # The reviews' opening inside an earlier table, not the file's own.
        b'{"_filmlog":{"1":{"format":"filmlog","schema":2,"next_id":3}}\n,"notes":{"reviews":{\n'
        b'"1":{"title":"A"}\n}}\n,"reviews":{\n"1":{"title":"B"}\n}}\n',
    ],
    ids=["one-line", "spread", "two-a-line", "nested", "twice", "space", "key", "elsewhere"],
)
def test_a_file_not_laid_out_as_written_keeps_no_line(raw: bytes) -> None:
    lines: dict[str, tuple[int, int]] = {"9": (0, 1)}
    assert read_lines(raw, lines) == orjson.loads(raw)
    assert lines == {}


def test_a_write_gives_the_bytes_a_full_encoding_gives(tmp_path: Path) -> None:
    journal = _journal(tmp_path, "Alien", "Brazil", "Cube", "Dune")
    with journal.transaction() as session:
        session.update(_rated(session, 2))
        session.delete([3])
        session.add(Review("Elf"))
    written = journal.target.read_bytes()
    assert written == serialise(orjson.loads(written))
    assert [r.title for r in journal.reviews()] == ["Alien", "Brazil", "Dune", "Elf"]
    assert journal.get(2).rating == 7


def _rated(session: Session, review_id: int) -> Review:
    review = session.get(review_id)
    review.rating = 7
    return review


def test_an_unchanged_hand_edited_line_is_kept_and_a_changed_one_written_anew(
    tmp_path: Path,
) -> None:
    journal = _journal(tmp_path, "Cafe", "Brazil")
    raw = journal.target.read_bytes()
    # Escaped differently from filmlog's own encoding, but the same review.
    edited = raw.replace(b'"title":"Cafe"', b'"title":"Caf\\u00e9"')
    edited = edited.replace(b'"title":"Brazil"', b'"title":"Br\\u0061zil"')
    journal.target.write_bytes(edited)

    with journal.transaction() as session:
        session.update(_rated(session, 2))

    written = journal.target.read_bytes()
    assert b'"title":"Caf\\u00e9"' in written  # not changed: kept as it was
    assert b"\\u0061" not in written and b'"title":"Brazil"' in written  # changed: encoded anew
    assert [(r.title, r.rating) for r in journal.reviews()] == [("Café", None), ("Brazil", 7)]


def test_a_change_made_in_place_is_written(tmp_path: Path) -> None:
    journal = _journal(tmp_path, "Alien", "Brazil")
    with journal.transaction() as session:
        review = session.get(1)
        review.headline = "In space"
        session.update(review)
    assert journal.get(1).headline == "In space"


def test_a_replaced_table_keeps_only_the_documents_it_still_holds(tmp_path: Path) -> None:
    journal = _journal(tmp_path, "Alien", "Brazil", "Cube")
    with journal.transaction() as session:
        tables = session.tables()
        docs = tables["reviews"]
        # The first review kept as the very document read, the second an equal copy.
        new = {**tables, "reviews": {"1": docs["1"], "2": {**docs["2"], "title": "Brazil!"}}}
        session.replace(new)
        assert session.unchanged() == ["1"]
    assert [r.title for r in journal.reviews()] == ["Alien", "Brazil!"]


def test_the_session_says_which_reviews_it_left_as_read(tmp_path: Path) -> None:
    journal = _journal(tmp_path, "Alien", "Brazil", "Cube", "Dune")
    with journal.transaction() as session:
        assert session.unchanged() == ["1", "2", "3", "4"]
        session.update(_rated(session, 2))
        session.delete([3])
        session.add(Review("Elf"))
        assert session.unchanged() == ["1", "4"]


@settings(max_examples=examples(200, 30))
@given(st.lists(reviews, min_size=1, max_size=8), st.data())
def test_spans_stay_exact_with_kept_lines(found: list[Review], data: st.DataObject) -> None:
    tables = _tables([review.to_dict() for review in found])
    raw = serialise(tables)
    lines: dict[str, tuple[int, int]] = {}
    read = read_lines(raw, lines)
    keep = data.draw(st.sets(st.sampled_from(sorted(lines))))
    for key in set(lines) - keep:
        read["reviews"][key] = {**read["reviews"][key], "headline": "changed"}
    spans: dict[int, tuple[int, int]] = {}
    written = b"".join(serialised(read, spans, Kept(raw, {k: lines[k] for k in keep})))
    assert written == serialise(read)
    for review_id, (start, stop) in spans.items():
        assert orjson.loads(written[start:stop]) == read["reviews"][str(review_id)]
