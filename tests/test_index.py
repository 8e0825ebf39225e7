"""The derived index beside the journal: exact, disposable, never trusted when in doubt."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filmlog import index
from filmlog.model import Review
from filmlog.storage import Indexed, Journal, serialised
from tests.conftest import Invoke, examples, index_header, replace_index_header
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
    spans = index.Places()
    written = b"".join(serialised(tables, spans))
    assert sorted(spans) == list(range(1, len(found) + 1))
    for review_id, (start, stop) in spans.items():
        assert orjson.loads(written[start:stop]) == tables["reviews"][str(review_id)]


# ---------------------------------------------------------------------------
# Every read gives the same answer with the index as without it


WORDS = st.sampled_from(["the", "a", "night", "é", "zz", "Her", "love", "it's", "ß"])

READS: list[tuple[str, ...]] = [
    ("list", "--all"),
    ("list", "--all", "--sort", "title"),
    ("list", "--all", "--sort", "rating", "--json"),
    ("search", "--min-rating", "3", "--sort", "year"),
    ("search", "--genre", "a"),
    ("search", "--all", "--tag", "a", "--sort", "logged", "--snippets"),
    ("search", "--all", "--director", "a", "--rewatch", "--max-rating", "4"),
    ("search", "--all", "--actor", "a", "--not-liked", "--reverse"),
    ("search", "--all", "--year", "2000", "--watched-in", "2010", "--json"),
    ("search", "--all", "--from", "1995", "--to", "2025-06-01", "--liked"),
    ("stats",),
    ("export", "--format", "json"),
    ("export", "--format", "markdown"),
]


def _fill(path: Path, found: list[Review]) -> None:
    with Journal(path).transaction() as session:
        session.add_many(found)


def _reads(cli: Invoke, ids: list[int], word: str) -> list[str]:
    outputs = []
    for args in [*READS, ("search", word), ("search", word, "--full"), ("history", "a")]:
        result = cli(*args)
        outputs.append(f"{args} {result.exit_code}\n{result.output}")
    for review_id in ids[:3]:
        outputs.append(cli("show", str(review_id)).output)
    return outputs


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each read found an index to use, in order."""
    found: list[bool] = []
    real = index.load

    def load(*args: Any, **kwargs: Any) -> index.Index | None:
        loaded = real(*args, **kwargs)
        found.append(loaded is not None)
        return loaded

    monkeypatch.setattr(index, "load", load)
    return found


@settings(
    max_examples=examples(40, 6),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(reviews, min_size=1, max_size=8),
    WORDS,
    st.sampled_from(["stale", "_truncate", "_flip", "_other_version", "_garbage"]),
)
def test_reads_agree_with_and_without_the_index(
    cli: Invoke,
    journal_path: Path,
    loads: list[bool],
    monkeypatch: pytest.MonkeyPatch,
    found: list[Review],
    word: str,
    damage: str,
) -> None:
    monkeypatch.setattr(index, "CHUNK", 3)  # several chunks, even for a few reviews
    where = index.path_for(journal_path)
    for leftover in (journal_path, where):
        leftover.unlink(missing_ok=True)
    half = len(found) // 2
    _fill(journal_path, found[:half])
    cli("search", "zz")  # the index holds the words: the next write keeps them up to date
    earlier = where.read_bytes() if where.exists() else b""  # the index of another version
    _fill(journal_path, found[half:])
    ids = [review_id for review_id, _ in Journal(journal_path).browse()[0]]
    loads.clear()
    indexed = _reads(cli, ids, word)
    assert loads and all(loads)  # every read used the index
    loads.clear()
    plain = _reads_without_index(cli, journal_path, ids, word, loads)
    assert indexed == plain
    # A stale, damaged or foreign index is never read: the first read rebuilds it.
    cli("list")
    if damage == "stale":
        where.write_bytes(earlier)
    else:
        globals()[damage](where)
    loads.clear()
    assert _reads(cli, ids, word) == plain
    # The first read finds no index to trust: a truncated one may still open, but a
    # column cut short fails its checksum. Every read after it uses the rebuilt one.
    assert loads[0] is False or damage == "_truncate"
    assert all(loads[1:])


def _reads_without_index(
    cli: Invoke, journal: Path, ids: list[int], word: str, loads: list[bool]
) -> list[str]:
    """The same reads, each of them made with no index to find (``loads``: whether each
    read of the index found one). A command may still use the index its own cold read
    made (the JSON export, for the tables before the reviews)."""
    outputs = []
    for args in [*READS, ("search", word), ("search", word, "--full"), ("history", "a")]:
        index.discard(journal)
        before = len(loads)
        result = cli(*args)
        outputs.append(f"{args} {result.exit_code}\n{result.output}")
        assert loads[before : before + 1] == [False], args
    for review_id in ids[:3]:
        index.discard(journal)
        before = len(loads)
        outputs.append(cli("show", str(review_id)).output)
        assert loads[before : before + 1] == [False]
    return outputs


# ---------------------------------------------------------------------------
# Any doubt means no index


def _add(cli: Invoke, *titles: str) -> None:
    for title in titles:
        result = cli("add", title, "--genre", "Drama", "--rating", "4", "--body", f"{title} body.")
        assert result.exit_code == 0, result.output


def _header(path: Path) -> dict[str, Any]:
    return index_header(path)[0]


def test_a_write_indexes_the_journal_and_backups_leave_the_index_alone(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FILMLOG_BACKUPS", "3")
    _add(cli, "Her", "Arrival", "Paterson")
    assert index.path_for(journal_path).exists()
    header = _header(journal_path)
    assert header["stamp"] == index.stamp_of(journal_path.stat())
    assert header["racy"] and header["crc"] is not None  # written a moment ago
    kept = [p.name for p in (journal_path.parent / "journal.json.backups").iterdir()]
    assert kept and not [name for name in kept if "idx" in name]


def _truncate(path: Path) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def _flip(path: Path) -> None:
    """Damage the first column (the IDs, which every read reads)."""
    import struct

    raw = bytearray(path.read_bytes())
    at = len(b"filmlog index\n")
    (size,) = struct.unpack_from("<I", raw, at)
    raw[at + 4 + size + 5] ^= 0xFF
    path.write_bytes(bytes(raw))


def _flip_column(path: Path, name: str) -> None:
    """Damage one column of the index."""
    import marshal
    import struct

    raw = bytearray(path.read_bytes())
    at = len(b"filmlog index\n")
    (size,) = struct.unpack_from("<I", raw, at)
    chunks = marshal.loads(_header(path.with_suffix(""))["table"])
    start, _, _ = chunks[0][1][name]
    raw[at + 4 + size + start + 3] ^= 0xFF
    path.write_bytes(bytes(raw))


def _other_version(path: Path) -> None:
    replace_index_header(
        path.with_name(path.name.removesuffix(index.SUFFIX)), version=index.VERSION + 1
    )


def _garbage(path: Path) -> None:
    path.write_bytes(b"\0" * 4096)


@pytest.mark.parametrize("damage", [_truncate, _flip, _other_version, _garbage, Path.unlink])
def test_a_damaged_or_foreign_index_is_rebuilt_not_read(
    cli: Invoke, journal_path: Path, loads: list[bool], damage: Any
) -> None:
    _add(cli, "Her", "Arrival", "Paterson")
    expected = cli("list", "--all").output
    damage(index.path_for(journal_path))
    loads.clear()
    assert cli("list", "--all").output == expected
    assert loads == [False]
    assert cli("list", "--all").output == expected
    assert loads == [False, True]  # the read before rebuilt it


def test_a_journal_edited_in_place_keeping_its_size_and_time_is_not_taken_for_the_indexed_one(
    cli: Invoke, journal_path: Path, loads: list[bool]
) -> None:
    _add(cli, "Her", "Arrival", "Paterson")
    before = journal_path.stat()
    raw = journal_path.read_bytes()
    with open(journal_path, "r+b") as file:  # the same file (inode), not a new one
        file.write(raw.replace(b'"Arrival"', b'"Arrivee"'))
    os.utime(journal_path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = journal_path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    loads.clear()
    shown = cli("list", "--all").output
    assert "Arrivee" in shown and "Arrival" not in shown
    assert loads == [False]


def test_a_racy_index_is_checked_against_the_journal_bytes(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changed within the same clock tick, a journal keeps its times: the checksum tells."""
    journal = Journal(journal_path)
    _fill(journal_path, [Review(title="Her"), Review(title="Arrival")])
    status = journal_path.stat()
    monkeypatch.setattr(index.time, "time_ns", lambda: status.st_mtime_ns + 1)  # however slow
    assert index.is_racy(status)
    found = index.load(journal_path, status, journal_path.read_bytes)
    assert found is not None and found.column("title") == ["Her", "Arrival"]
    changed = journal_path.read_bytes().replace(b'"Her"', b'"Hex"')
    # The same status (as if the edit kept every time), other bytes: not trusted.
    assert index.load(journal_path, status, lambda: changed) is None
    assert journal.find().reviews[0].title == "Her"


def test_a_racy_index_settles_once_the_clock_has_moved_on(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(journal_path, [Review(title="Her")])
    status = journal_path.stat()
    assert _header(journal_path)["racy"]
    later = status.st_mtime_ns + index.RACY_NS + 1
    monkeypatch.setattr(index.time, "time_ns", lambda: later)
    assert index.load(journal_path, status, journal_path.read_bytes) is not None
    header = _header(journal_path)
    assert not header["racy"] and header["crc"] is None
    assert index.load(journal_path, status, lambda: b"never read") is not None


def test_a_write_checks_a_racy_index_but_leaves_its_settling_to_the_index_it_writes(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(journal_path, [Review(title="Her")])
    status = journal_path.stat()
    later = status.st_mtime_ns + index.RACY_NS + 1
    monkeypatch.setattr(index.time, "time_ns", lambda: later)
    before = index.path_for(journal_path).read_bytes()
    assert index.load(journal_path, status, journal_path.read_bytes, settle=False) is not None
    assert index.path_for(journal_path).read_bytes() == before  # not rewritten
    changed = journal_path.read_bytes().replace(b'"Her"', b'"Hex"')
    assert index.load(journal_path, status, lambda: changed, settle=False) is None
    settled: list[Path] = []
    monkeypatch.setattr(index, "_settle", lambda journal, *rest: settled.append(journal))
    with Journal(journal_path).transaction() as session:
        session.update(session.get(1).copy(title="Hex"))
    assert settled == []


def test_an_index_read_at_an_old_journal_holds_no_checksum(journal_path: Path) -> None:
    _fill(journal_path, [Review(title="Her")])
    index.discard(journal_path)
    old = time.time_ns() - 10 * index.RACY_NS
    os.utime(journal_path, ns=(old, old))
    assert [r.title for r in Journal(journal_path).find().reviews] == ["Her"]
    header = _header(journal_path)
    assert header["stamp"] == index.stamp_of(journal_path.stat())
    assert not header["racy"] and header["crc"] is None


def test_a_wrong_index_for_the_right_file_stops_the_read_and_is_discarded(
    cli: Invoke, journal_path: Path
) -> None:
    """Only a bug or a hand-made index could do this; the reviews read are checked."""
    _add(cli, "Her", "Arrival")
    found = Journal(journal_path).browse()[0]
    swapped = [(i, {**doc, "uuid": "x"}) for i, doc in found]
    spans = {i: (0, 1) for i, _ in found}
    status = journal_path.stat()
    real = index.load(journal_path, status, journal_path.read_bytes)
    assert real is not None
    for number, (review_id, _) in enumerate(found):
        spans[review_id] = (real.starts[number], real.stops[number])
    index.write(
        journal_path,
        status,
        index.encode(swapped, spans),
        lambda: zlib.crc32(journal_path.read_bytes()),
        tidy=True,
    )
    result = cli("show", "1")
    assert result.exit_code != 0
    assert "changed while it was read" in result.output
    assert not index.path_for(journal_path).exists()
    assert "Her" in cli("show", "1").output


def test_a_journal_of_one_line_is_indexed_too(cli: Invoke, journal_path: Path) -> None:
    """A journal written before one review a line (or by TinyDB's own compact writer)."""
    _add(cli, "Her", "Arrival", "Paterson")
    expected = [cli(*args).output for args in READS]
    data = orjson.loads(journal_path.read_bytes())
    journal_path.write_bytes(orjson.dumps(data))
    index.discard(journal_path)
    assert [cli(*args).output for args in READS] == expected
    assert index.path_for(journal_path).exists()
    assert [cli(*args).output for args in READS] == expected


def test_doctor_checks_the_index_and_rebuilds_it(cli: Invoke, journal_path: Path) -> None:
    _add(cli, "Her")
    assert "Index: up to date" in cli("doctor").output
    _flip(index.path_for(journal_path))
    assert "Index: rebuilt" in cli("doctor").output
    assert "Index: up to date" in cli("doctor").output


# ---------------------------------------------------------------------------
# Crashes and other processes

KILLED_BEFORE_INDEXING = """
import os, signal, sys
from filmlog import index
index.write = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
from filmlog.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")
def test_killed_between_the_journal_and_its_index(
    cli: Invoke, journal_path: Path, loads: list[bool]
) -> None:
    _add(cli, "Her", "Arrival")
    child = subprocess.run(
        [sys.executable, "-c", KILLED_BEFORE_INDEXING, "rate", "2", "1"],
        capture_output=True,
        timeout=60,
    )
    assert child.returncode == -signal.SIGKILL
    loads.clear()
    shown = cli("show", "2").output
    assert "★☆☆☆☆" in shown or "½" in shown  # the new rating, not the indexed old one
    assert loads == [False]
    assert Journal(journal_path).find().reviews[1].rating == 2


def test_a_reader_beside_a_writer_always_sees_a_whole_version(
    filmlog_exe: str, journal_path: Path
) -> None:
    env = {**os.environ, "FILMLOG_BACKUPS": "0"}
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom filmlog.cli import main\n"
            "for n in range(40):\n"
            "    main(['add', f'Film {n}', '--rating', '3', '--body', 'Words ' * 300])\n",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = []
    try:
        while writer.poll() is None:
            read = subprocess.run(
                [filmlog_exe, "list", "--all", "--json"],
                env=env,
                capture_output=True,
                timeout=60,
            )
            assert read.returncode == 0, read.stderr
            shown = orjson.loads(read.stdout) if read.stdout.strip() else []
            ids = sorted(review["id"] for review in shown)
            assert ids == list(range(1, len(ids) + 1))
            assert all(
                review["body"] is None or review["body"].startswith("Words") for review in shown
            )
            seen.append(len(ids))
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0, writer.stderr
    assert len(seen) >= 2
    final = orjson.loads(
        subprocess.run(
            [filmlog_exe, "list", "--all", "--json"], env=env, capture_output=True
        ).stdout
    )
    assert len(final) == 40


def test_the_first_word_search_adds_the_words_and_later_ones_read_no_review(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(cli, "Her", "Arrival", "Paterson")
    cli("rate", "1", "5")
    assert not Journal(journal_path).browse()[1]._index.has_words  # type: ignore[union-attr]
    first = cli("search", "body").output
    assert "3 reviews found" in first
    found = Journal(journal_path).browse()[1]
    assert found._index.has_words  # type: ignore[union-attr]
    parsed: list[int] = []
    real = Indexed._whole
    monkeypatch.setattr(Indexed, "_whole", lambda self, i: parsed.append(i) or real(self, i))
    assert found.word_matches(["arrival"]) == {2}
    assert found.word_matches(["arr", "body"]) == {2}
    assert found.word_matches(["it's"]) is None  # not letters and digits alone: read the reviews
    assert parsed == []


def test_a_word_search_the_words_answer_reads_no_text_field_of_the_reviews(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(cli, "Her", "Arrival", "Paterson")
    cli("search", "body")  # the index holds the words from now on
    read: list[str] = []
    real = index.Index.column
    monkeypatch.setattr(index.Index, "column", lambda self, n: read.append(n) or real(self, n))
    assert "1 review found" in cli("search", "arrival").output
    assert not {"cast", "headline", "directors", "tags"} & set(read)
    read.clear()
    # Not letters and digits alone: the index's words cannot answer, the fields are read.
    assert "No reviews match" in cli("search", "it's").output
    assert {"cast", "headline", "directors", "tags"} <= set(read)


# Words that begin with the "n" of the escaped newline between two reviews' words, letters
# beyond Latin-1 (a chunk of them decoded takes four bytes a letter), and empty reviews.
TEXTS = st.lists(
    st.sampled_from(["", "n", "noir", "oir", "cat", "ncat", "é", "映画", "naïve", "ß", "a_b"]),
    max_size=6,
).map(" ".join)


@settings(max_examples=examples(1000, 200))
@given(st.lists(TEXTS, min_size=1, max_size=9), st.lists(TEXTS, min_size=1, max_size=3))
def test_word_matches_find_what_the_words_of_each_review_hold(
    texts: list[str], query: list[str]
) -> None:
    words = [w for text in query for w in index.words_of(text, None).split()]
    docs = [(i, {"title": "t", "body": None}) for i in range(1, len(texts) + 1)]
    spans = {i: (0, 0) for i, _ in docs}
    found = index.Index.decode(index.encode(docs, spans), Path("x.idx"))
    worded = {0: [index.words_of(text, None) for text in texts]}
    found = index.Index.decode(found.with_words(worded), Path("x.idx"))
    expected = {
        i
        for i, text in enumerate(worded[0], 1)
        if all(any(word in held for held in text.split()) for word in words)
    }
    assert found.word_matches(words) == (expected if words else None)


def test_a_write_keeps_the_words_of_the_reviews_it_left_alone(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(cli, "Her", "Arrival", "Paterson")
    assert "3 reviews found" in cli("search", "body").output  # finds and keeps the words
    worded: list[str] = []
    real = index.words_of
    monkeypatch.setattr(index, "words_of", lambda *a: worded.append(a[0]) or real(*a))
    assert cli("edit", "2", "--headline", "Heptapods").exit_code == 0
    assert len(worded) == 1 and "Heptapods" in worded[0]  # only the review edited
    found = Journal(journal_path).browse()[1]
    assert found._index.has_words  # type: ignore[union-attr]
    assert found.word_matches(["heptapods"]) == {2}
    assert found.word_matches(["paterson"]) == {3}
    assert "1 review found" in cli("search", "heptapods").output


def test_a_damaged_column_is_noticed_when_read(cli: Invoke, journal_path: Path) -> None:
    _add(cli, "Her", "Arrival", "Paterson")
    expected = [cli(*args).output for args in READS]
    _flip_column(index.path_for(journal_path), "title")  # read to check every review shown
    first = cli("list", "--all")
    assert first.exit_code == 1
    assert f"the index {index.path_for(journal_path)} was damaged" in first.output
    assert not index.path_for(journal_path).exists()
    assert [cli(*args).output for args in READS] == expected


@pytest.mark.parametrize(
    "docs",
    [
        [{"title": "Her", "year": 2013, "body": "x"}, {"title": "Arrival", "body": None}],
        [{"title": "Her", "year": 2013}, {"title": "Arrival", "rating": 8}],  # same size
        [{"title": "Her", "year": 2013, "body": "x"}, {"title": "Up", "year": 2009, "body": "y"}],
        [],
    ],
    ids=["a-field-missing", "different-fields", "every-field", "none"],
)
def test_columns_give_back_each_document_without_its_body(
    tmp_path: Path, docs: list[dict[str, Any]]
) -> None:
    found = list(enumerate(docs, 1))
    spans = {review_id: (review_id * 10, review_id * 10 + 5) for review_id, _ in found}
    decoded = index.Index.decode(index.encode(found, spans), tmp_path / "x.idx")
    without = [(i, {k: v for k, v in doc.items() if k != "body"}) for i, doc in found]
    assert decoded.documents(None) == [(i, {**doc, "body": None}) for i, doc in without]
    assert decoded.documents(["year"]) == [
        (i, {"year": doc["year"]} if "year" in doc else {}) for i, doc in found
    ]
    assert [decoded.position(i) for i, _ in found] == list(range(len(found)))


def test_a_write_encodes_again_only_the_chunks_it_changed(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "CHUNK", 4)  # IDs 1-3, 4-7, 8-11, 12-13
    _fill(journal_path, [Review(title=f"Film {n}", body=f"Words {n}") for n in range(1, 14)])
    assert "13 reviews" in cli("search", "words").output  # the index holds the words now
    encoded: list[list[int]] = []
    real = index._chunk_columns
    monkeypatch.setattr(
        index,
        "_chunk_columns",
        lambda items, *a: encoded.append([i for i, _ in items]) or real(items, *a),
    )
    assert cli("rate", "5", "4").exit_code == 0
    assert encoded == [[4, 5, 6, 7]]
    encoded.clear()
    assert cli("add", "Film 14", "--body", "Late words").exit_code == 0
    assert encoded == [[12, 13, 14]]
    encoded.clear()
    assert cli("edit", "2", "--body", "Other text entirely").exit_code == 0
    assert encoded == [[1, 2, 3]]
    found = Journal(journal_path).browse()[1]
    assert found._index.has_words  # type: ignore[union-attr]
    assert found.word_matches(["words"]) == set(range(1, 15)) - {2}
    assert found.word_matches(["entirely"]) == {2}
    indexed = [cli(*args).output for args in READS]
    index.discard(journal_path)
    assert [cli(*args).output for args in READS] == indexed


def test_a_write_over_an_indexed_journal_does_not_check_it_again(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index was made from a journal checked whole; the same bytes need no new check."""
    from filmlog import validation

    _add(cli, "Her", "Arrival")
    checks: list[int] = []
    real = validation.check
    monkeypatch.setattr(validation, "check", lambda *a: checks.append(1) or real(*a))
    assert cli("rate", "1", "3").exit_code == 0
    assert checks == []
    index.discard(journal_path)
    assert cli("rate", "1", "4").exit_code == 0
    assert checks == [1]


def test_a_write_that_changes_many_reviews_of_a_chunk_leaves_its_words_to_the_next_search(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import of thousands of changes does not pay for their words; a search does, once."""
    monkeypatch.setattr(index, "CHUNK", 4)  # IDs 1-3, 4-7, 8-11, 12-13
    monkeypatch.setattr(index, "WORDS_INLINE", 1)
    _fill(journal_path, [Review(title=f"Film {n}", body=f"Words {n}") for n in range(1, 14)])
    assert "13 reviews" in cli("search", "words").output
    journal = Journal(journal_path)
    changed = journal.get_many([5, 6])
    for review in changed:
        review.body = "Rewritten entirely"
    with journal.transaction() as session:
        session.update_many(changed)
    found = journal.browse()[1]
    assert found._index.wordless() == [1]  # type: ignore[union-attr]
    parsed: list[int] = []
    real = Indexed._whole
    monkeypatch.setattr(Indexed, "_whole", lambda self, i: parsed.append(i) or real(self, i))
    assert found.word_matches(["rewritten"]) == {5, 6}
    assert sorted(parsed) == [4, 5, 6, 7]  # the one chunk without its words
    assert Journal(journal_path).browse()[1]._index.has_words  # type: ignore[union-attr]
    assert found.word_matches(["words"]) == set(range(1, 14)) - {5, 6}


def test_a_json_export_reads_only_the_tables_before_the_reviews_when_indexed(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(cli, "Her", "Arrival", "Paterson", "Columbus")
    assert cli("delete", "2", "--yes").exit_code == 0  # a tombstone
    assert cli("watchlist", "add", "Aftersun", "--year", "2022").exit_code == 0
    expected = {**Journal(journal_path).load(), "reviews": {}}
    index.discard(journal_path)
    assert Journal(journal_path).side_tables() == expected  # no index: read whole
    plain = cli("export", "--format", "json")
    assert plain.exit_code == 0, plain.stderr

    def whole(self: Journal) -> None:
        raise AssertionError("the whole journal was read")

    cli("list")  # the index is made
    monkeypatch.setattr(Journal, "load", whole)
    assert Journal(journal_path).side_tables() == expected
    indexed = cli("export", "--format", "json")
    assert indexed.stdout == plain.stdout
    exported = orjson.loads(indexed.stdout)
    assert [t["id"] for t in exported["tombstones"]] == [2]
    assert exported["next_id"] == 5
    assert [entry["title"] for entry in exported["watchlist"]] == ["Aftersun"]


@given(st.lists(st.integers(-3000, 5000), unique=True, max_size=60), st.booleans())
def test_reviews_are_cut_into_chunks_of_ids_in_order_or_not(ids: list[int], ordered: bool) -> None:
    """A write's documents come in ID order and are cut by bisection; any others are grouped,
    each chunk keeping the order they came in."""
    docs = [(review_id, {"title": str(review_id)}) for review_id in sorted(ids)]
    if not ordered:
        docs.reverse()
    expected: dict[int, list[Any]] = {}
    for review_id, doc in docs:
        expected.setdefault(review_id // index.CHUNK, []).append((review_id, doc))
    assert index._chunked(docs) == sorted(expected.items())


# ---------------------------------------------------------------------------
# Where the writer notes each review: flat lists, read back a chunk at a time


@given(
    st.lists(st.integers(1, 3 * index.CHUNK), unique=True, max_size=60),
    st.booleans(),
    st.integers(1, 7),
    st.data(),
)
def test_places_give_what_a_table_of_spans_gives(
    ids: list[int], in_order: bool, per_note: int, data: st.DataObject
) -> None:
    if in_order:
        ids.sort()
    spans = {review_id: (10 * n, 10 * n + 5 + review_id % 3) for n, review_id in enumerate(ids)}
    places = index.Places()
    for start in range(0, len(ids), per_note):
        noted = ids[start : start + per_note]
        places.note(
            [str(i) for i in noted], [spans[i][0] for i in noted], [spans[i][1] for i in noted]
        )

    assert dict(places) == spans
    assert len(places) == len(spans)
    asked = data.draw(st.lists(st.sampled_from(ids), unique=True) if ids else st.just([]))
    asked.sort()
    assert places.columns(asked) == ([spans[i][0] for i in asked], [spans[i][1] for i in asked])
    # A chunk of the index: the reviews of one run of IDs, in order.
    for key, chunk in index._chunked((i, {}) for i in ids):
        chunk_ids = [review_id for review_id, _ in chunk]
        assert places.columns(chunk_ids)[0] == [spans[i][0] for i in chunk_ids], key
    with pytest.raises(KeyError):
        places.columns([*asked, 3 * index.CHUNK + 1])


def test_places_refuse_a_key_without_its_start_and_stop() -> None:
    places = index.Places()
    with pytest.raises(ValueError, match="a key, a start and a stop"):
        places.note(["1", "2"], [0, 10], [5])
    assert len(places) == 0


def test_an_index_from_places_is_the_index_from_a_table_of_spans() -> None:
    docs = [(review_id, Review(f"Film {review_id}").to_dict()) for review_id in (3, 1, 2, 1500)]
    table = {review_id: (review_id * 10, review_id * 10 + 5) for review_id, _ in docs}
    places = index.Places()
    for review_id, _ in docs:  # noted out of ID order, as a journal merged by hand may hold them
        places.note([str(review_id)], [table[review_id][0]], [table[review_id][1]])
    ordered = sorted(docs, key=lambda item: item[0])
    assert index.encode(ordered, places) == index.encode(ordered, table)
