"""The word-search shortcut: it may let a body through, but never turns away a match."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from filmlog import index, prefilter, storage
from filmlog.folding import fold, may_contain, places
from filmlog.model import CastMember, Review
from filmlog.query import Filters, select
from filmlog.storage import Journal
from tests.conftest import examples


def stored(text: str) -> bytes:
    """``text`` as the journal stores a string: JSON, without the quotes."""
    return orjson.dumps(text)[1:-1]


# Text with the awkward cases: accents precomposed and combining, ligatures, sharp s,
# fullwidth and mathematical letters, Kelvin sign, quotes and backslashes JSON escapes.
ALPHABET = st.sampled_from(
    [
        *"abcdefz XYZ019\n\"\\'.-—’é",
        "e\u0301",
        "\u0301",
        "ﬁ",
        "ß",
        "ẞ",
        "Å",
        "\u212a",
        "\u1d2c",
        "\u03d2",
        "Υ",
        "ｆｉ",
        "𝐀",
        "½",
        "İ",
        "ǆ",
        "Ⅻ",
        "ⓐ",
        "\x07",
        "\u00a0",
        "ø",
        "Ø",
    ]
)
TEXT = st.lists(ALPHABET | st.characters(blacklist_categories=["Cs"]), max_size=40).map("".join)


@settings(max_examples=examples(3000, 300))
@given(TEXT, st.data())
@example("Ame\u0301lie and the ﬁre", None)
@example("STRAẞE", None)
def test_a_body_holding_the_words_is_never_ruled_out(text: str, data: st.DataObject | None) -> None:
    folded = fold(text)
    words = [w for w in folded.split() if w.isascii() and w.isalnum()]
    if data is not None and folded:
        start = data.draw(st.integers(0, len(folded) - 1))
        words.append(folded[start : data.draw(st.integers(start + 1, len(folded)))])
    for word in words:
        assert may_contain(stored(text), [word]), (text, word)
    assert may_contain(stored(text), words), (text, words)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("A ferry crossing at dawn.", ["piano"]),
        ("“Quoted” — and dashed…", ["piano"]),
        ("Amélie is far away from the word we want, which is not here at all", ["ferry"]),
        ("ferry, but no other", ["ferry", "piano"]),
    ],
)
def test_a_body_without_the_words_is_ruled_out_from_its_bytes(text: str, words: list[str]) -> None:
    assert not may_contain(stored(text), words)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("AMÉLIE", ["amelie"]),
        ("Ame\u0301lie", ["amelie"]),
        ("the ﬁre", ["fire"]),
        ("Straße", ["strasse"]),
        ("ＦＥＲＲＹ", ["ferry"]),
        ("\u212aelvin", ["kelvin"]),
        ("caf\\u00e9", ["cafe"]),  # a \u escape, as another JSON writer might store it
    ],
)
def test_characters_that_fold_to_the_word_keep_the_body(text: str, words: list[str]) -> None:
    encoded = text.encode() if "\\u" in text else stored(text)
    assert may_contain(encoded, words)


class CountingBodies:
    """Bodies by ID that count how many were decoded."""

    def __init__(self, texts: dict[int, str]) -> None:
        self.texts = texts
        self.decoded: list[int] = []

    def text(self, review_id: int) -> str | None:
        self.decoded.append(review_id)
        return self.texts.get(review_id)

    def encoded(self, review_id: int) -> bytes | None:
        text = self.texts.get(review_id)
        return None if text is None else stored(text)

    def word_candidates(self, words: list[str]) -> set[int] | None:
        return None  # no bulk scan: every review goes through may_contain

    def word_matches(self, words: list[str]) -> set[int] | None:
        return None  # no index


def test_a_word_search_decodes_only_bodies_that_could_match() -> None:
    texts = {
        1: "A ferry at dawn — “quiet”.",
        2: "A piano on the ferry.",
        3: "A piano on the FERRÝ.",
        4: "Amélie’s piano, and a ferr-y.",
    }
    docs = [(i, {"title": f"Film {i}", "body": None}) for i in texts]
    bodies = CountingBodies(texts)

    found = select(docs, Filters(words=["piano", "FERRY"]), bodies)

    assert [i for i, _ in found] == [2, 3]
    # 1 has no "piano"; 4 has an accent, but folding it makes no "ferry".
    assert bodies.decoded == [2, 3]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(TEXT, st.none() | TEXT, TEXT), min_size=1, max_size=6),
    TEXT,
    st.sampled_from([64, 1 << 20]),
)
def test_searching_a_journal_finds_what_the_full_read_finds(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str | None, str]],
    query: str,
    chunk: int,
) -> None:
    path = tmp_path_factory.mktemp("search") / "journal.json"
    journal = Journal(path)
    with journal.transaction() as session:
        for title, body, actor in rows:
            cast = [CastMember(actor.strip() or "Someone", "the lead")]
            tags = [actor] if actor.strip() else []
            session.add(Review(title.strip() or "Untitled", body=body, cast=cast, tags=tags))
    words = query.split()[:3] or ["e"]
    filters = Filters(words=words)

    everything = [(review.id, review.to_dict()) for review in journal.reviews()]  # a full read
    expected = [i for i, _ in select(everything, filters)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "SCAN_CHUNK", chunk)
        for bulk in (False, True):
            docs, bodies = journal.browse(words=bulk)
            assert [i for i, _ in select(docs, filters, bodies)] == expected
        patch.delattr(os, "pread", raising=False)  # as on Windows: the bytes are kept
        docs, bodies = journal.browse(words=True)
        assert [i for i, _ in select(docs, filters, bodies)] == expected


@settings(max_examples=examples(3000, 300))
@given(TEXT, st.data())
@example("Ame\u0301lie and the ﬁre", None)
@example("ferrý ferr\u0301y FERRÝ", None)
def test_places_marks_every_plain_word_of_the_folded_text(
    text: str, data: st.DataObject | None
) -> None:
    folded = fold(text)
    words = {w for w in folded.split() if w.isascii() and w.isalnum()}
    if data is not None and folded:
        start = data.draw(st.integers(0, len(folded) - 1))
        piece = folded[start : data.draw(st.integers(start + 1, len(folded)))]
        if piece.isascii() and piece.isalnum():
            words.add(piece)
    if words:
        # Three regions: the text sits in the middle one.
        stored_text = b'{"1":{"title":"x"},"2":{"body":"' + stored(text) + b'"},"3":{}}'
        bounds = [0, stored_text.index(b'"2":{'), stored_text.rindex(b'"3":{')]
        found = places(stored_text, sorted(words), bounds)
        assert all(1 in found[w] for w in words), (text, found)


def candidates(bodies: storage.Bodies, words: list[str]) -> set[int]:
    found = bodies.word_candidates(words)
    assert found is not None, "the shortcut was not taken"
    return found


def _neighbours(found: set[int]) -> set[int]:
    """Reviews next to those found, in a journal written in ID order."""
    return found | {i - 1 for i in found} | {i + 1 for i in found}


FILLER = "Nothing to see here."


@pytest.mark.parametrize("bodyless", [False, True], ids=["every-review-has-a-body", "some-not"])
def test_a_word_search_narrows_to_candidates_from_the_file(tmp_path: Path, bodyless: bool) -> None:
    journal = Journal(tmp_path / "journal.json")
    with journal.transaction() as session:
        session.add(Review("Arrival", body="A piano — on a “ferry”.", cast=[CastMember("Amy")]))
        for _ in range(3):
            session.add(Review("Filler", body=None if bodyless else FILLER))
        session.add(Review("Her", body="No boats here, only Amélie.", directors=["Jonze"]))
        for _ in range(3):
            session.add(Review("Filler", body=FILLER))
        session.add(Review("Ferrý", body="Piano lessons."))  # an accent in the title
        for _ in range(3):
            session.add(Review("Filler", body=FILLER))
        session.add(Review("Paterson", body="Poems. PIANO", tags=["ferry"]))
    index.discard(journal.target)  # the journal's own bytes, not the index's words
    _, bodies = journal.browse(words=True)

    both = candidates(bodies, ["piano", "ferry"])
    assert {1, 9, 13} <= both <= _neighbours({1, 9, 13})
    amelie = candidates(bodies, ["amelie"])
    assert {5} <= amelie <= _neighbours({5})
    if bodyless:  # reviews found where each begins: exactly those
        assert (both, amelie) == ({1, 9, 13}, {5})
    assert bodies.word_candidates(["don't"]) is None  # not letters and digits: no shortcut
    index.discard(journal.target)
    _, plain = journal.browse()
    assert plain.word_candidates(["piano"]) is None  # not asked for


@pytest.mark.parametrize("chunk", [64, 1 << 20], ids=["a-review-a-chunk", "one-chunk"])
def test_a_rare_first_word_narrows_where_the_others_are_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(prefilter, "SCAN_CHUNK", chunk)
    journal = Journal(tmp_path / "journal.json")
    with journal.transaction() as session:
        for number in range(1, 21):
            session.add(Review(f"Film {number}", body="A ferry at dawn."))
        session.add(Review("Harbour", body="The ferryman’s PIÁNO."))  # 21: both, one accented
        for number in range(22, 26):
            session.add(Review(f"Film {number}", body="Still water."))
        session.add(Review("Lighthouse", body="A pianola, no boat."))  # 26: the longer word only
        session.add(Review("Dock", body="Still water."))
        # 28: the other words only in a field before the body (title) or after it (tags)
        session.add(Review("Gramophone", body="A lighthousekeeper's tale.", tags=["harbour"]))
        for _ in range(20):  # enough reviews that a few candidates are checked one by one
            session.add(Review("Dock", body="Still water."))
    _, bodies = journal.browse(words=True)

    assert bodies.word_candidates(["ferry", "pianola"]) == set()
    assert bodies.word_candidates(["pianola", "boat", "ferry"]) == set()  # every word, not one
    assert {26} <= candidates(bodies, ["pianola", "boat"]) <= {25, 26, 27}
    assert {21} <= candidates(bodies, ["ferry", "piano"]) <= {20, 21, 22}
    assert {21} <= candidates(bodies, ["ferryman", "piano"]) <= {20, 21, 22}
    assert {21, 26} <= candidates(bodies, ["piano"]) <= _neighbours({21, 26})
    assert {28} <= candidates(bodies, ["lighthouse", "harbour"]) <= {27, 28, 29}
    assert {28} <= candidates(bodies, ["lighthouse", "gramophone"]) <= {27, 28, 29}
