"""Pure filters and sorting over reviews, shared by list, search, export and stats."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Protocol

from filmlog.folding import fold, may_contain, missing

if TYPE_CHECKING:
    from filmlog.model import Review

__all__ = ["BodySource", "Filters", "Snippet", "fold", "order", "select", "snippet"]

_ARTICLES = re.compile(r"^(the|a|an)\s+")

Doc = Mapping[str, Any]
Item = tuple[int, Doc]


class BodySource(Protocol):
    """Bodies kept apart from documents read without them (``storage.Bodies``)."""

    def text(self, review_id: int) -> str | None: ...

    def encoded(self, review_id: int) -> bytes | None: ...

    def word_candidates(self, words: list[str]) -> set[int] | None: ...

    def word_matches(self, words: list[str]) -> set[int] | None: ...


@dataclass(slots=True)
class Filters:
    """Every filter a search takes. Empty lists and None mean "no filter".

    Different filters must all match; the values of one repeatable filter
    match if any of them does (``all_genres`` makes genres need all).
    """

    words: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    all_genres: bool = False
    min_rating: int | None = None
    max_rating: int | None = None
    year: int | None = None
    watched_year: int | None = None
    watched_from: date | None = None
    watched_to: date | None = None
    tags: list[str] = field(default_factory=list)
    directors: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    rewatch: bool | None = None
    liked: bool | None = None

    def is_empty(self) -> bool:
        return self == Filters()

    def fields(self, *, words: bool = True) -> set[str]:
        """The stored fields :meth:`tests` read (a word search reads the body apart);
        ``words=False``: leaves out those only the words are looked for in."""
        wanted = set()
        for name, attribute in _FILTER_FIELDS:
            value = getattr(self, attribute)
            if value if isinstance(value, list) else value is not None:
                wanted.add(name)
        if self.words and words:
            wanted.update(WORD_FIELDS)
        return wanted

    def tests(self) -> list[Callable[[Doc], bool]]:
        """A predicate over one stored review document (``Review.to_dict()`` form) for
        each filter set, the cheapest first: a review matches when it passes them all.

        Filters run on the stored documents, not on built reviews, so that a
        search builds only the reviews it shows. Query text is folded once here.
        """
        tests: list[Callable[[Doc], bool]] = []
        if self.min_rating is not None:
            low = self.min_rating
            tests.append(lambda d: d.get("rating") is not None and d["rating"] >= low)
        if self.max_rating is not None:
            high = self.max_rating
            tests.append(lambda d: d.get("rating") is not None and d["rating"] <= high)
        if self.year is not None:
            year = self.year
            tests.append(lambda d: d.get("year") == year)
        # ISO dates compare correctly as text, so stored dates need no parsing here.
        if self.watched_year is not None:
            prefix = f"{self.watched_year:04d}-"
            tests.append(lambda d: (d.get("watched_on") or "").startswith(prefix))
        if self.watched_from is not None:
            start = self.watched_from.isoformat()
            tests.append(lambda d: bool(d.get("watched_on")) and d["watched_on"] >= start)
        if self.watched_to is not None:
            end = self.watched_to.isoformat()
            tests.append(lambda d: bool(d.get("watched_on")) and d["watched_on"] <= end)
        if self.rewatch is not None:
            rewatch = self.rewatch
            tests.append(lambda d: bool(d.get("rewatch")) is rewatch)
        if self.liked is not None:
            liked = self.liked
            tests.append(lambda d: bool(d.get("liked")) is liked)
        if self.genres:
            tests.append(_genres_test(self.genres, self.all_genres))
        if self.tags:
            tags = {t.casefold() for t in self.tags}
            tests.append(lambda d: any(t.casefold() in tags for t in d.get("tags") or ()))
        if self.directors:
            tests.append(_any_name(self.directors, lambda d: d.get("directors") or ()))
        if self.actors:
            tests.append(_any_name(self.actors, _actors))
        if self.words:
            words = folded(self.words)
            tests.append(lambda d: _has_words(d, words))
        return tests


def _genres_test(genres: list[str], need_all: bool) -> Callable[[Doc], bool]:
    wanted = {g.casefold() for g in genres}
    # A journal holds a few dozen genre names: each is folded once, not once a review.
    folded: dict[str, str] = {}

    def have(d: Doc) -> set[str]:
        found = set()
        for genre in d.get("genres") or ():
            name = folded.get(genre)
            if name is None:
                name = folded[genre] = genre.casefold()
            found.add(name)
        return found

    if need_all:
        return lambda d: wanted <= have(d)
    return lambda d: not wanted.isdisjoint(have(d))


# The stored field each filter reads: (field, attribute of Filters).
_FILTER_FIELDS = (
    ("genres", "genres"),
    ("tags", "tags"),
    ("directors", "directors"),
    ("cast", "actors"),
    ("year", "year"),
    ("watched_on", "watched_year"),
    ("watched_on", "watched_from"),
    ("watched_on", "watched_to"),
    ("rating", "min_rating"),
    ("rating", "max_rating"),
    ("rewatch", "rewatch"),
    ("liked", "liked"),
)
# What a word search reads besides the body (see _fields_text).
WORD_FIELDS = ("title", "original_title", "headline", "directors", "tags", "cast")


def _actors(doc: Doc) -> list[str]:
    return [m["actor"] for m in doc.get("cast") or ()]


def _any_name(names: list[str], get: Callable[[Doc], Iterable[str]]) -> Callable[[Doc], bool]:
    folded = [fold(n) for n in names]
    return lambda d: any(want in fold(have) for have in get(d) for want in folded)


def folded(words: Iterable[str]) -> list[str]:
    """The words of a search as they are looked for: folded, the blank ones left out."""
    return [fold(word) for word in words if word.strip()]


def fields_text(doc: Doc) -> str:
    """The text of a review's fields that a word search reads besides its body."""
    # Cheap fields first: most searches are decided before the long body is folded.
    fields: list[str | None] = [doc.get("title"), doc.get("original_title"), doc.get("headline")]
    fields.extend(doc.get("directors") or ())
    fields.extend(doc.get("tags") or ())
    for member in doc.get("cast") or ():
        fields.extend((member.get("actor"), member.get("role")))
    return " \n".join(f for f in fields if f)


def _has_words(doc: Doc, words: list[str]) -> bool:
    remaining = missing(fields_text(doc), words)
    if not remaining:
        return True
    body = doc.get("body")
    return isinstance(body, str) and not missing(body, remaining)


def _has_words_apart(
    review_id: int, doc: Doc, words: list[str], bodies: BodySource, *, screened: bool
) -> bool:
    remaining = missing(fields_text(doc), words)
    if not remaining:
        return True
    encoded = bodies.encoded(review_id)
    if encoded is None or (not screened and not may_contain(encoded, remaining)):
        return False
    body = bodies.text(review_id)
    return body is not None and not missing(body, remaining)


def select(items: Iterable[Item], filters: Filters, bodies: BodySource | None = None) -> list[Item]:
    """The ``(id, document)`` pairs that match ``filters``, in their given order.

    ``bodies``: where the bodies of documents read without them are, for a word
    search. The other filters run first, and a body is decoded only when its
    bytes could hold the words.
    """
    if filters.is_empty():
        return list(items)
    if bodies is None or not filters.words:
        # A test at a time over what the ones before kept, not every test per review.
        kept = list(items)
        for test in filters.tests():
            kept = [item for item in kept if test(item[1])]
        return kept
    chosen = select(items, replace(filters, words=[]))
    words = folded(filters.words)
    exact = bodies.word_matches(words) if words else None
    if exact is not None:  # found in the index's words: nothing to read
        return [item for item in chosen if item[0] in exact]
    maybe = bodies.word_candidates(words) if words else None
    if maybe is not None:  # the reviews that could match, found in bulk from the file's bytes
        chosen = [item for item in chosen if item[0] in maybe]
    screened = maybe is not None  # else each body is screened by its bytes before decoding
    return [
        item
        for item in chosen
        if _has_words_apart(item[0], item[1], words, bodies, screened=screened)
    ]


def _title_key(doc: Doc) -> str:
    return _ARTICLES.sub("", fold(doc["title"]))


def _logged_key(doc: Doc) -> datetime | None:
    # Parsed, not compared as text: stamps logged in different zones carry different offsets.
    stamp = doc.get("logged_at")
    return datetime.fromisoformat(stamp) if stamp else None


_SORT_KEYS: dict[str, Callable[[Doc], Any]] = {
    "watched": lambda d: d.get("watched_on") or None,
    "rating": lambda d: d.get("rating"),
    "title": _title_key,
    "year": lambda d: d.get("year"),
    "logged": _logged_key,
}


_FIRST, _SECOND = itemgetter(0), itemgetter(1)

# The stored field each sort key reads.
SORT_FIELDS = {
    "watched": "watched_on",
    "rating": "rating",
    "title": "title",
    "year": "year",
    "logged": "logged_at",
}


def order(items: Iterable[Item], by: str = "watched", *, reverse: bool = False) -> list[Item]:
    """Sort for display: newest watched, best rated, title A-Z, newest year, newest logged.

    Reviews missing the sort field go last either way; ties fall back to the
    newest ID first, so the order is stable from run to run.
    """
    if by not in _SORT_KEYS:
        raise ValueError(f"unknown sort key {by!r}")
    key = _SORT_KEYS[by]
    keyed = [(key(doc), review_id, doc) for review_id, doc in items]
    # The tie-break first (IDs are unique; the sort below is stable), by C getters.
    keyed.sort(key=_SECOND, reverse=True)
    present = [k for k in keyed if k[0] is not None]
    missing = [k for k in keyed if k[0] is None]
    present.sort(key=_FIRST, reverse=(by != "title") != reverse)
    return [(review_id, doc) for _, review_id, doc in present + missing]


# ---------------------------------------------------------------------------
# Why a review matched


@dataclass(frozen=True, slots=True)
class Snippet:
    """A short stretch of the field that best shows why a review matched a word search.

    ``marks`` are the character spans of ``text`` where the words are.
    """

    where: str  # "title", "headline", "directors", "cast", "tags" or "body"
    text: str
    marks: tuple[tuple[int, int], ...]


SNIPPET_LENGTH = 70
_CONTEXT = 25  # characters kept before the first word found


def _folded_with_origins(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each of its characters, the index in ``text`` it came from.

    Folding works character by character (see :mod:`filmlog.folding`), so folding each
    character alone gives the same text while keeping track of where it came from.
    """
    if text.isascii():
        return text.lower(), list(range(len(text)))
    pieces: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        folded = fold(char)
        pieces.append(folded)
        origins.extend([index] * len(folded))
    return "".join(pieces), origins


def _spans(text: str, words: list[str]) -> tuple[int, list[tuple[int, int]]]:
    """How many of the folded ``words`` are in ``text``, and where, as merged spans of
    ``text``'s characters."""
    folded, origins = _folded_with_origins(text)
    found: list[tuple[int, int]] = []
    present = 0
    for word in words:
        start = folded.find(word)
        present += start != -1
        while start != -1:
            found.append((origins[start], origins[start + len(word) - 1] + 1))
            start = folded.find(word, start + len(word))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return present, merged


def _snippet_fields(review: Review) -> list[tuple[str, str]]:
    cast = ", ".join(f"{m.actor} ({m.role})" if m.role else m.actor for m in review.cast)
    fields = [
        ("title", review.title),
        ("headline", review.headline or ""),
        ("directors", ", ".join(review.directors)),
        ("cast", cast),
        ("tags", ", ".join(review.tags)),
        ("body", review.body or ""),
    ]
    return [(where, " ".join(text.split())) for where, text in fields if text.strip()]


def snippet(review: Review, words: list[str], length: int = SNIPPET_LENGTH) -> Snippet | None:
    """The stretch of ``review`` that shows most of the searched ``words``, at most about
    ``length`` characters, cut at word boundaries.

    The field holding the most of the words wins; ties go to the earlier of title,
    headline, directors, cast, tags and body. None when no word is found.
    """
    wanted = folded(words)
    best: tuple[int, str, str, list[tuple[int, int]]] | None = None
    for where, text in _snippet_fields(review):
        present, spans = _spans(text, wanted)
        if not spans:
            continue
        if best is None or present > best[0]:
            best = (present, where, text, spans)
    if best is None:
        return None
    _, where, text, spans = best
    start = 0
    first = spans[0][0]
    # Less lead-in when that lets more of the words into the stretch.
    reach = max(end for _, end in spans if end - first <= length) if length else 0
    context = max(0, min(_CONTEXT, length - (reach - first) - 2))
    if len(text) > length and first > context:
        # Begin at a word: the first space after the lead-in's start (a long word: mid-word).
        space = text.find(" ", first - context, first)
        start = first - context if space == -1 else space + 1
    end = len(text)
    if end - start > length:
        space = text.rfind(" ", start, start + length + 1)
        end = start + length if space <= spans[0][1] else space
    lead = "…" if start else ""
    tail = "…" if end < len(text) else ""
    shift = len(lead) - start
    marks = tuple(
        (max(a, start) + shift, min(b, end) + shift) for a, b in spans if a < end and b > start
    )
    return Snippet(where, lead + text[start:end] + tail, marks)
