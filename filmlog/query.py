"""Pure filters and sorting over reviews, shared by list, search, export and stats."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_ARTICLES = re.compile(r"^(the|a|an)\s+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text``: ``Amélie`` and ``AMELIE`` fold alike."""
    if text.isascii():  # the common case, and isascii() is O(1) in CPython
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


Doc = Mapping[str, Any]
Item = tuple[int, Doc]


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
    watched_from: date | None = None
    watched_to: date | None = None
    tags: list[str] = field(default_factory=list)
    directors: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    rewatch: bool | None = None
    liked: bool | None = None

    def is_empty(self) -> bool:
        return self == Filters()

    def matcher(self) -> Callable[[Doc], bool]:
        """A predicate over one stored review document (``Review.to_dict()`` form).

        Filters run on the stored documents, not on built reviews, so that a
        search builds only the reviews it shows. Query text is folded once here.
        """
        tests: list[Callable[[Doc], bool]] = []
        if self.genres:
            wanted = {g.casefold() for g in self.genres}
            need_all = self.all_genres

            def genres_ok(d: Doc) -> bool:
                have = {g.casefold() for g in d.get("genres") or ()}
                return wanted <= have if need_all else not wanted.isdisjoint(have)

            tests.append(genres_ok)
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
        if self.watched_from is not None:
            start = self.watched_from.isoformat()
            tests.append(lambda d: bool(d.get("watched_on")) and d["watched_on"] >= start)
        if self.watched_to is not None:
            end = self.watched_to.isoformat()
            tests.append(lambda d: bool(d.get("watched_on")) and d["watched_on"] <= end)
        if self.tags:
            tags = {t.casefold() for t in self.tags}
            tests.append(lambda d: any(t.casefold() in tags for t in d.get("tags") or ()))
        if self.directors:
            tests.append(_any_name(self.directors, lambda d: d.get("directors") or ()))
        if self.actors:
            tests.append(_any_name(self.actors, _actors))
        if self.rewatch is not None:
            rewatch = self.rewatch
            tests.append(lambda d: bool(d.get("rewatch")) is rewatch)
        if self.liked is not None:
            liked = self.liked
            tests.append(lambda d: bool(d.get("liked")) is liked)
        if self.words:
            words = [fold(w) for w in self.words if w.strip()]
            tests.append(lambda d: _has_words(d, words))
        return lambda d: all(test(d) for test in tests)


def _actors(doc: Doc) -> list[str]:
    return [m["actor"] for m in doc.get("cast") or ()]


def _any_name(names: list[str], get: Callable[[Doc], Iterable[str]]) -> Callable[[Doc], bool]:
    folded = [fold(n) for n in names]
    return lambda d: any(want in fold(have) for have in get(d) for want in folded)


def _has_words(doc: Doc, words: list[str]) -> bool:
    # Cheap fields first: most searches are decided before the long body is folded.
    fields: list[str | None] = [doc.get("title"), doc.get("headline")]
    fields.extend(doc.get("directors") or ())
    fields.extend(doc.get("tags") or ())
    for member in doc.get("cast") or ():
        fields.extend((member.get("actor"), member.get("role")))
    remaining = _missing(" \n".join(f for f in fields if f), words)
    if not remaining:
        return True
    body = doc.get("body")
    return isinstance(body, str) and not _missing(body, remaining)


def _missing(text: str, words: list[str]) -> list[str]:
    """The folded ``words`` that ``fold(text)`` does not contain, folding only as far as needed.

    Full folding (NFKD and dropping accents) costs several times a plain
    casefold, and a search runs it over every review. A word found in the
    casefolded text is in the folded text too, and when casefolding left
    nothing to decompose, the two are the same; only the rest pays for NFKD.
    """
    if text.isascii():
        lowered = text.lower()
        return [w for w in words if w not in lowered]
    folded = text.casefold()
    missing = [w for w in words if w not in folded]
    if not missing or (unicodedata.is_normalized("NFKD", folded) and not _COMBINING.search(folded)):
        return missing
    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return [w for w in missing if w not in folded]


def select(items: Iterable[Item], filters: Filters) -> list[Item]:
    """The ``(id, document)`` pairs that match ``filters``, in their given order."""
    if filters.is_empty():
        return list(items)
    match = filters.matcher()
    return [item for item in items if match(item[1])]


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


def order(items: Iterable[Item], by: str = "watched", *, reverse: bool = False) -> list[Item]:
    """Sort for display: newest watched, best rated, title A-Z, newest year, newest logged.

    Reviews missing the sort field go last either way; ties fall back to the
    newest ID first, so the order is stable from run to run.
    """
    if by not in _SORT_KEYS:
        raise ValueError(f"unknown sort key {by!r}")
    key = _SORT_KEYS[by]
    keyed = [(key(doc), review_id, doc) for review_id, doc in items]
    keyed.sort(key=lambda k: -k[1])  # the tie-break first; the sort below is stable
    present = [k for k in keyed if k[0] is not None]
    missing = [k for k in keyed if k[0] is None]
    present.sort(key=lambda k: k[0], reverse=(by != "title") != reverse)
    return [(review_id, doc) for _, review_id, doc in present + missing]
