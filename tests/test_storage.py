"""The journal file against real files in a temp folder: strict reads, atomic writes, IDs."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmlog import backups, index, scan, storage
from filmlog.errors import CorruptJournal, InvalidInput, NotFound, StorageError
from filmlog.model import CastMember, Review
from filmlog.storage import (
    SCHEMA_VERSION,
    Journal,
    default_path,
    parse_journal,
    serialise,
)


def add(journal: Journal, *titles: str) -> list[Review]:
    with journal.transaction() as session:
        return [session.add(Review(title)) for title in titles]


def test_missing_journal_reads_empty_and_writes_nothing(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "deep" / "journal.json")
    assert journal.reviews() == []
    with pytest.raises(NotFound):
        journal.get(1)
    assert not (tmp_path / "deep").exists()


def test_first_write_creates_folder_and_marked_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "journal.json"
    add(Journal(path), "Her")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["_filmlog"]["1"] == {"format": "filmlog", "schema": SCHEMA_VERSION, "next_id": 2}
    assert data["reviews"]["1"]["title"] == "Her"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reviews_round_trip_every_field(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.json")
    original = Review(
        "Her",
        year=2013,
        directors=["Spike Jonze"],
        cast=[CastMember("Joaquin Phoenix", "Theodore"), CastMember("Amy Adams")],
        genres=["Romance"],
        mpaa="R",
        runtime=126,
        rating=8,
        verdict="Good",
        headline="h",
        body="b\n\nc",
        tags=["t"],
        liked=True,
        rewatch=True,
        reviewer="r",
        logged_zone="America/Denver",
        sources={"letterboxd": "https://boxd.it/x"},
    )
    with journal.transaction() as session:
        session.add(original)
    assert Journal(tmp_path / "j.json").get(1) == original


def test_a_version_1_journal_is_read_and_migrated_by_its_first_write(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    old = (
        b'{"_filmlog":{"1":{"format":"filmlog","schema":1,"next_id":2}},'
        b'"reviews":{"1":{"uuid":"u-1","title":"Her","year":2013,"rating":8}}}'
    )
    path.write_bytes(old)
    journal = Journal(path)
    (her,) = journal.reviews()
    assert (her.title, her.tmdb_id, her.imdb_id, her.original_title) == ("Her", None, None, None)
    assert path.read_bytes() == old  # reading never migrates

    add(journal, "Arrival")

    data = json.loads(path.read_bytes())
    assert data["_filmlog"]["1"]["schema"] == SCHEMA_VERSION == 2
    assert data["reviews"]["1"]["title"] == "Her"
    (backup,) = backups.list_backups(path)
    assert backup.path.read_bytes() == old  # the version-1 file is kept as it was


def test_ids_are_never_reused_after_deletes(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.json")
    add(journal, "a", "b", "c")
    with journal.transaction() as session:
        session.delete([3, 2])
    [d] = add(journal, "d")
    assert d.id == 4
    assert [r.id for r in journal.reviews()] == [1, 4]


@pytest.mark.parametrize("counter", [1, 2, None, True, "9"])
def test_counter_not_above_highest_id_is_refused(tmp_path: Path, counter: object) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a", "b")
    data = json.loads(path.read_text())
    data["_filmlog"]["1"]["next_id"] = counter
    path.write_bytes(json.dumps(data).encode())
    damaged = path.read_bytes()
    with pytest.raises(CorruptJournal, match="ID counter"):
        add(Journal(path), "c")
    with pytest.raises(CorruptJournal, match="ID counter"):
        Journal(path).browse()
    assert path.read_bytes() == damaged


def test_exception_inside_transaction_writes_nothing(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.json")
    add(journal, "a")
    before = journal.target.read_bytes()
    with pytest.raises(RuntimeError), journal.transaction() as session:
        session.add(Review("b"))
        raise RuntimeError("stop")
    assert journal.target.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"{not json", "is not valid JSON"),
        (b'{"_filmlog": {"1": {"format": "filmlog", "schema": 1, "next_id"', "is not valid JSON"),
        (b'{"_default": {"1": {"title": "x"}}}', "is not a filmlog journal"),
        (b"[1, 2, 3]", "is not a filmlog journal"),
        (b'{"_filmlog": {"1": {"format": "filmlog", "schema": 99}}}', r"newer filmlog \(schema 99"),
        (b'{"_filmlog": {"1": {"format": "filmlog", "schema": 1}}, "reviews": []}', "damaged"),
        (
            b'{"_filmlog": {"1": {"format": "filmlog", "schema": 1, "next_id": 2}}, "reviews": '
            b'{"1": {"title": NaN}}}',
            "is not valid JSON",
        ),
    ],
)
def test_bad_files_are_refused_and_never_modified(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "j.json"
    path.write_bytes(content)
    journal = Journal(path)
    with pytest.raises(CorruptJournal, match=message) as caught:
        journal.reviews()
    assert str(path) in str(caught.value)
    with pytest.raises(CorruptJournal), journal.transaction() as session:
        session.add(Review("x"))
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j.json", "j.json.lock"]


def test_damaged_review_is_reported_with_its_id(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    data = json.loads(path.read_text())
    data["reviews"]["1"]["genres"] = "not a list"
    path.write_text(json.dumps(data))
    with pytest.raises(CorruptJournal, match="review 1 is damaged"):
        Journal(path).reviews()


def test_lone_surrogates_and_bad_values_are_refused_before_writing(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.json")
    add(journal, "ok")
    before = journal.target.read_bytes()
    for review in (Review("bad \udcff"), Review("x", rating=11), Review("x", year=20000)):
        with pytest.raises(InvalidInput), journal.transaction() as session:
            session.add(review)
    with pytest.raises(InvalidInput), journal.transaction() as session:
        session.add(Review("x", body="\ud800"))
    assert journal.target.read_bytes() == before


def test_symlinked_journal_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "store" / "real.json"
    real.parent.mkdir()
    link = tmp_path / "journal.json"
    link.symlink_to(real)
    with pytest.raises(StorageError, match="which does not exist; create it with `filmlog init`"):
        add(Journal(link), "via link")
    assert list(real.parent.iterdir()) == []
    from filmlog.doctor import init

    assert init(Journal(link))
    add(Journal(link), "via link")
    assert link.is_symlink()
    assert [r.title for r in Journal(real).reviews()] == ["via link"]
    assert (real.parent / "real.json.lock").exists()


def test_write_keeps_permissions_and_removes_stale_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    os.chmod(path, 0o640)
    stale = tmp_path / ".j.json.abc12345.tmp"
    stale.write_text("half a journal")
    add(Journal(path), "b")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert not stale.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_journal_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is a folder"):
        Journal(tmp_path).reviews()


def test_default_path_honours_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FILMLOG_DB", str(tmp_path / "x.json"))
    assert default_path() == tmp_path / "x.json"
    monkeypatch.delenv("FILMLOG_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "filmlog" / "journal.json"


def test_parse_journal_accepts_older_file_without_reviews_table(tmp_path: Path) -> None:
    raw = b'{"_filmlog": {"1": {"format": "filmlog", "schema": 1, "next_id": 1}}}'
    assert parse_journal(raw, tmp_path / "j.json")["reviews"] == {}


def test_known_spellings_follow_first_use(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.json")
    with journal.transaction() as session:
        session.add(Review("a", genres=["Sci-Fi"], tags=["IMAX"]))
        session.add(Review("b", genres=["sci-fi", "Drama"]))
        assert session.known_spellings("genres") == {"sci-fi": "Sci-Fi", "drama": "Drama"}
        assert session.known_spellings("tags") == {"imax": "IMAX"}


def test_journal_under_a_file_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    journal = Journal(blocker / "journal.json")
    with pytest.raises(StorageError, match="cannot create the journal's folder"):
        add(journal, "Her")
    assert blocker.read_text() == "x"


hostile = st.lists(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=5)
    | st.sampled_from(["\x00", '"', "\\", '"body":"', '"body": "', ":", '\\"', "\n"]),
    max_size=8,
).map("".join)


@given(st.lists(st.tuples(hostile.filter(str.strip), st.none() | hostile, hostile), max_size=6))
def test_marking_replaces_exactly_the_bodies(rows: list[tuple[str, str | None, str]]) -> None:
    """Whatever the text holds, only review bodies become markers: compact or indented files."""
    reviews = {
        str(i): Review(
            title, body=body, headline=headline, tags=[headline] if headline else []
        ).to_dict()
        for i, (title, body, headline) in enumerate(rows, start=1)
    }
    tables = {
        "_filmlog": {"1": {"format": "filmlog", "schema": 1, "next_id": 9}},
        "reviews": reviews,
    }
    expected = json.loads(json.dumps(tables))
    with_body = [doc for doc in expected["reviews"].values() if doc["body"] is not None]
    for number, doc in enumerate(with_body):  # in file order
        doc["body"] = number
    for raw in (serialise(tables), json.dumps(tables, indent=2, ensure_ascii=False).encode()):
        found = scan.body_spans(raw)
        assert found is not None
        spans, nulls = found
        assert (len(spans), nulls) == (len(with_body), len(reviews) - len(with_body))
        assert json.loads(scan.marked(raw, spans)) == expected


@given(st.lists(st.tuples(hostile.filter(str.strip), st.none() | hostile, hostile), max_size=6))
def test_browse_reads_bodies_one_at_a_time(rows: list[tuple[str, str | None, str]]) -> None:
    """Whatever the text holds, browsing gives the full read's documents and each body alone."""
    reviews = [
        Review(title, body=body, headline=headline, tags=[headline] if headline.strip() else [])
        for title, body, headline in rows
    ]
    tables = {
        "_filmlog": {"1": {"format": "filmlog", "schema": 1, "next_id": 9}},
        "reviews": {str(i): r.to_dict() for i, r in enumerate(reviews, start=1)},
    }
    for raw in (serialise(tables), json.dumps(tables, indent=2, ensure_ascii=False).encode()):
        check_browse(raw, reviews)
        with pytest.MonkeyPatch.context() as patch:
            patch.delattr(os, "pread", raising=False)  # as on Windows: the bytes are kept
            check_browse(raw, reviews)


def check_browse(raw: bytes, reviews: list[Review]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journal.json"
        path.write_bytes(raw)
        found, bodies = Journal(path).browse()
    assert [i for i, _ in found] == list(range(1, len(reviews) + 1))
    for (review_id, doc), review in zip(found, reviews, strict=True):
        assert doc["body"] is None
        assert bodies.text(review_id) == review.body
        encoded = bodies.encoded(review_id)
        assert (encoded is None) == (review.body is None)
        if encoded is not None:
            assert json.loads(b'"' + encoded + b'"') == review.body
        filled = Review.from_dict(bodies.document(review_id, doc, True), review_id)
        assert filled == review.copy(id=review_id)


def test_browse_reads_everything_when_a_body_key_is_not_a_review_body(tmp_path: Path) -> None:
    reviews = [Review("Her", body="The review."), Review("Arrival", body=None)]
    docs = {str(i): r.to_dict() for i, r in enumerate(reviews, start=1)}
    docs["2"]["notes"] = {"body": "not a review body"}  # a field another writer added
    tables = {"_filmlog": {"1": {"format": "filmlog", "schema": 1, "next_id": 3}}, "reviews": docs}
    path = tmp_path / "journal.json"
    path.write_bytes(serialise(tables))

    found, bodies = Journal(path).browse()

    assert found[1][1]["notes"] == {"body": "not a review body"}
    assert bodies.text(1) == "The review." and bodies.text(2) is None


def test_browsed_bodies_come_from_the_file_that_was_read(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.json")
    with journal.transaction() as session:
        session.add(Review("Her", body="The first version."))
    _, bodies = journal.browse()
    with journal.transaction() as session:  # a writer replaces the journal meanwhile
        session.update(session.get(1).copy(body="A much longer second version of the review."))

    assert bodies.text(1) == "The first version."
    assert journal.get(1).body == "A much longer second version of the review."


@pytest.mark.skipif(not hasattr(os, "pread"), reason="bodies are kept in memory without pread")
def test_a_journal_rewritten_in_place_during_a_read_is_reported(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.json")
    with journal.transaction() as session:
        session.add(Review("Her", body="A body long enough to be cut short."))
    _, bodies = journal.browse()
    with open(journal.path, "r+b") as file:  # another program truncating it in place
        file.truncate(40)

    with pytest.raises(StorageError, match="changed while it was read"):
        bodies.text(1)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_browsing_leaves_no_file_open(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.json")
    with journal.transaction() as session:
        session.add(Review("Her", body="A body."))
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        _, bodies = journal.browse()
        assert bodies.text(1) == "A body."
        del bodies
    assert len(os.listdir("/proc/self/fd")) == before


def test_browse_reports_a_damaged_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    raw = serialise({"reviews": {"1": Review("x", body="a long body").to_dict()}})
    path.write_bytes(raw[: raw.index(b"a long") + 3])
    with pytest.raises(CorruptJournal, match="not valid JSON"):
        Journal(path).browse()


@given(
    st.lists(
        st.tuples(hostile.filter(str.strip), st.none() | hostile, hostile), min_size=1, max_size=12
    ),
    st.integers(min_value=1, max_value=400),
)
def test_parsing_in_pieces_gives_the_same_tables(
    rows: list[tuple[str, str | None, str]], piece: int
) -> None:
    """However the reviews are cut into pieces, and whatever their text, the tables agree."""
    reviews = {
        str(i): Review(title, body=body, headline=headline + '},"7":{').to_dict()
        for i, (title, body, headline) in enumerate(rows, start=1)
    }
    tables = {"_filmlog": {"1": {"format": "filmlog", "schema": 1}}, "reviews": reviews}
    raw = serialise(tables)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan, "_PIECE", piece)
        pieces = scan.loads_in_pieces(raw)
        if len(rows) > 1 and len(raw) > 4 * piece + 200:
            assert pieces is not None  # really cut: a piece per few reviews
        found = scan.body_spans(raw)
        assert found is not None
        for text in (raw, scan.marked(raw, found[0])):
            assert scan.loads(text) == json.loads(text)
            assert list(scan.loads(text)["reviews"]) == list(reviews)


def test_a_journal_that_cannot_be_cut_is_parsed_whole() -> None:
    tables = {
        "reviews": {str(i): Review(f"Film {i}").to_dict() for i in range(1, 40)},
        "_filmlog": {"1": {"format": "filmlog", "schema": 1}},  # the reviews are not last
    }
    raw = orjson.dumps(tables)  # as another program may write it: serialise puts them last
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan, "_PIECE", 64)
        assert scan.loads_in_pieces(raw) is None
        assert scan.loads(raw) == tables


def test_the_body_scan_gives_up_on_a_truncated_file() -> None:
    raw = serialise({"reviews": {"1": Review("x", body="a long body").to_dict()}})
    cut = raw[: raw.index(b"a long") + 3]
    assert scan.body_spans(cut) is None


def test_body_free_read_matches_a_full_read_but_for_bodies(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.json")
    with journal.transaction() as session:
        session.add(Review('Say "body": hi', body='It said "body":"no" and \\ ok', headline="body"))
    full = journal.reviews()
    light = journal.find().reviews
    assert light[0].body is None
    assert light[0] == full[0].copy(body=None)
    assert journal.find(bodies=True).reviews == full


def test_damage_inside_a_body_is_still_refused_by_a_full_read(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    add(Journal(path), "a")
    raw = path.read_bytes().replace(b'"body":null', b'"body":"\xff"')
    path.write_bytes(raw)
    with pytest.raises(CorruptJournal):
        Journal(path).reviews()


@given(
    st.lists(st.tuples(hostile.filter(str.strip), st.none() | hostile), max_size=12),
    st.integers(min_value=1, max_value=5),
    st.booleans(),
    st.dictionaries(st.text(max_size=5), st.dictionaries(st.text(max_size=3), st.integers(-9, 9))),
)
def test_serialising_in_pieces_writes_the_bytes_of_one_piece(
    rows: list[tuple[str, str | None]],
    per_piece: int,
    meta_first: bool,
    others: dict[str, dict[str, int]],
) -> None:
    reviews = {str(i): Review(t, body=b).to_dict() for i, (t, b) in enumerate(rows, start=1)}
    meta = {"1": {"format": "filmlog", "schema": 1, "next_id": len(rows) + 1}}
    tables: dict[str, object] = {**others}
    tables.update({"_filmlog": meta, "reviews": reviews} if meta_first else {"reviews": reviews})
    if not meta_first:
        tables["_filmlog"] = meta
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage, "_REVIEWS_PER_PIECE", per_piece)
        spans = index.Places()
        pieces = list(storage.serialised(tables, spans))
    if len(rows) > per_piece:
        assert len(pieces) > 6  # really in pieces
    reviews_last = dict(sorted(tables.items(), key=lambda item: item[0] == "reviews"))
    joined = b"".join(pieces)
    assert json.loads(joined) == reviews_last
    assert list(json.loads(joined)) == list(reviews_last)
    assert joined == serialise(tables)  # however many pieces, the same bytes
    # One line per review, holding just that review.
    lines = joined.splitlines()
    for key, doc in reviews.items():
        line = orjson.dumps(key) + b":" + orjson.dumps(doc)
        assert line in lines or b"," + line in lines
        # Where the writer says each review lies (for the index), whatever its text holds:
        # a NUL, which marks where a record ends while a piece is encoded, is escaped.
        start, stop = spans[int(key)]
        assert joined[start:stop] == orjson.dumps(doc)
    assert sorted(spans) == sorted(map(int, reviews))
    assert serialise({}) == b"{}\n"


def test_a_piece_that_cannot_be_encoded_leaves_the_journal_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal(tmp_path / "journal.json")
    add(journal, *(f"Film {i}" for i in range(1, 8)))
    before = journal.target.read_bytes()
    monkeypatch.setattr(storage, "_REVIEWS_PER_PIECE", 2)

    with pytest.raises(InvalidInput, match="cannot save the journal"), journal.transaction() as s:
        s.add(Review("New"))
        s.tables()["reviews"]["7"]["sources"] = {"x": object()}  # what JSON cannot hold

    assert journal.target.read_bytes() == before
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["journal.json", "journal.json.idx", "journal.json.lock"]


def test_find_filters_sorts_limits_and_counts(tmp_path: Path) -> None:
    from filmlog.query import Filters

    journal = Journal(tmp_path / "j.json")
    with journal.transaction() as session:
        session.add_many(
            [
                Review("Her", year=2013, rating=8, body="A letter writer."),
                Review("Arrival", year=2016, rating=9, body="Letters from heptapods."),
                Review("Paterson", year=2016, rating=7, body="A poet drives a bus."),
            ]
        )

    found = journal.find(Filters(year=2016), "rating", limit=1, bodies=True)
    assert [r.title for r in found.reviews] == ["Arrival"]
    assert (found.matched, found.total) == (2, 3)
    assert found.reviews[0].body == "Letters from heptapods."
    words = journal.find(Filters(words=["letter"]))
    assert [r.title for r in words.reviews] == ["Her", "Arrival"]  # in ID order, no bodies
    assert words.reviews[0].body is None
    assert [r.body for r in journal.for_export(Filters(words=["poet"]))] == ["A poet drives a bus."]
    summaries = journal.summaries(Filters(min_rating=8))
    assert [s.title for s in summaries.reviews] == ["Her", "Arrival"]
    assert (summaries.matched, summaries.total) == (2, 3)
    history = journal.history("Paterson")
    assert [v.review.body for v in history.viewings] == ["A poet drives a bus."]


def test_the_reviews_table_is_written_last() -> None:
    tables = {
        "_filmlog": {"1": {"format": "filmlog", "schema": 1}},
        "reviews": {"1": Review("Her").to_dict()},
        "tombstones": {},
    }
    assert list(json.loads(serialise(tables))) == ["_filmlog", "tombstones", "reviews"]


@pytest.mark.parametrize("lined", [True, False], ids=["a-review-a-line", "one-line"])
def test_a_review_a_line_and_the_older_single_line_read_alike(tmp_path: Path, lined: bool) -> None:
    """Files written before reviews had a line each (one line in all) still read the fast way."""
    reviews = {
        str(i): Review(f"Film {i}", body=None if i % 3 else f"Body {i} with a ferry.").to_dict()
        for i in range(1, 41)
    }
    meta = {"1": {"format": "filmlog", "schema": 1, "next_id": 41}}
    tables = {"_filmlog": meta, "reviews": reviews}
    raw = serialise(tables) if lined else orjson.dumps(tables)
    assert raw.rstrip().count(b"\n") == (42 if lined else 0)  # 40 reviews, 3 other lines
    path = tmp_path / "journal.json"
    path.write_bytes(raw)

    spans, _ = scan.body_spans(raw) or ([], 0)
    starts = scan.review_starts(raw, spans)
    assert [review_id for _, review_id in starts] == list(range(1, 41))
    for offset, review_id in starts:
        assert raw.startswith(b'"%d":{' % review_id, offset)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan, "_PIECE", 256)
        assert scan.loads_in_pieces(raw) == json.loads(raw)
    docs, bodies = Journal(path).browse(words=True)
    assert [review_id for review_id, _ in docs] == list(range(1, 41))
    assert bodies.word_candidates(["ferry"]) == {3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39}
    assert bodies.text(3) == "Body 3 with a ferry."
