"""Case- and accent-insensitive text matching, and a sound shortcut for the common case.

A word search folds every review it reads (casefold, NFKD, drop combining
marks), and folding the text of a large journal costs more than parsing it.
:func:`may_contain` answers "could this body's folded text contain these
words?" from the body's bytes as the journal stores them, without decoding
the body or folding all of it, and never answers no when the answer is yes.
Only the bodies it cannot rule out are decoded and matched exactly.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from functools import cache, partial

COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text``: ``Amélie`` and ``AMELIE`` fold alike."""
    if text.isascii():  # the common case, and isascii() is O(1) in CPython
        return text.lower()
    return COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def title_key(title: str) -> str:
    """A title as two records of the same film share it: folded, spacing collapsed."""
    return " ".join(fold(title).split())


def film_key(title: str, year: int | None) -> tuple[str, int | None]:
    """What makes two records the same film: the title (see :func:`title_key`) and the year."""
    return title_key(title), year


def missing(text: str, words: list[str]) -> list[str]:
    """The folded ``words`` that ``fold(text)`` does not contain, folding only as far as needed.

    Full folding (NFKD and dropping accents) costs several times a plain
    casefold. A word found in the casefolded text is in the folded text too,
    and when casefolding left nothing to decompose, the two are the same; only
    the rest pays for NFKD.
    """
    if text.isascii():
        lowered = text.lower()
        return [w for w in words if w not in lowered]
    folded = text.casefold()
    absent = [w for w in words if w not in folded]
    if not absent or (unicodedata.is_normalized("NFKD", folded) and not COMBINING.search(folded)):
        return absent
    folded = COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return [w for w in absent if w not in folded]


_PLAIN_WORD = re.compile(r"[a-z0-9]+")
_ASCII = bytes(range(128))
# A regular expression, not bytes.find: for a two-byte needle whose first byte is
# common (every paragraph break is a backslash), CPython's find is about three
# times slower than the regex engine's scan.
_ESCAPED_POINT = re.compile(rb"\\u")


def may_contain(encoded: bytes, words: list[str]) -> bool:
    """False only if ``fold`` of the text ``encoded`` holds lacks one of the folded ``words``.

    ``encoded`` is a string's content as JSON stores it (UTF-8, with quotes and
    control characters escaped); see :func:`places`. Words of anything but
    ASCII letters and digits get no shortcut.
    """
    return not plain_words(words) or all(places(encoded, words, [0]).values())


@cache
def _fold_char(char: str) -> bytes | None:
    """The UTF-8 of ``fold(char)``, or None when folding leaves ``char`` as it is."""
    folded = fold(char)
    return None if folded == char else folded.encode("utf-8", "surrogatepass")


def plain_words(words: list[str]) -> bool:
    """Whether :func:`places` can look for these folded words: ASCII letters and digits."""
    return bool(words) and all(_PLAIN_WORD.fullmatch(w) for w in words)


def places(stored: bytes, words: list[str], bounds: list[int]) -> dict[str, set[int]]:
    """For each folded word, the regions of ``stored`` whose text, folded, could contain it.

    ``stored`` is a stretch of a journal as the file has it (JSON, UTF-8),
    region ``i`` runs from ``bounds[i]`` to the next bound (``bounds[0]`` is
    0), and ``words`` are :func:`plain_words`. Every region with a string that
    holds a word once folded is listed; a few more may be.

    Folding works character by character (casefold, decomposition and
    dropping accents never join two characters, and canonical reordering only
    moves accents, which are dropped or are not ASCII), so a folded word of
    ASCII letters and digits is in a folded string only where the stored
    bytes, ASCII lowercased, hold it, or around a character whose fold could
    supply one of its letters (or vanishes). So: each word in the lowercased
    bytes, then those characters: a lone one is checked against the ASCII
    around it, a cluster is folded. An escaped ``\\u`` code point could hide
    any character, and counts for every word.
    """
    size = len(stored)

    def region(at: int) -> int:
        return bisect_right(bounds, at) - 1

    def next_region(index: int) -> int:
        return bounds[index + 1] if index + 1 < len(bounds) else size

    def regions_with(find: Callable[[int], int]) -> set[int]:
        hits: set[int] = set()
        at = find(0)
        while at >= 0:  # once found in a region, go on from the next one
            index = region(at)
            hits.add(index)
            at = find(next_region(index))
        return hits

    def escape_at(start: int) -> int:
        found = _ESCAPED_POINT.search(stored, start)
        return -1 if found is None else found.start()

    lowered = stored.lower()
    escaped = regions_with(escape_at)
    found = {word: regions_with(partial(lowered.find, word.encode())) | escaped for word in words}
    if stored.isascii():
        return found
    letters = set("".join(words))
    wanted: dict[bytes, dict[bytes, str]] = {}  # by first byte, which also gives the length
    for char in set(stored.translate(None, _ASCII).decode("utf-8", "ignore")):
        folded = _fold_char(char)
        if folded is not None and (not folded or not letters.isdisjoint(folded.decode())):
            encoded = char.encode()
            wanted.setdefault(encoded[:1], {})[encoded] = folded.decode()
    near: list[tuple[int, str, int]] = []  # offset, fold, length in bytes
    for lead, chars in wanted.items():  # one pass per first byte, not one per character
        width = len(next(iter(chars)))
        at = stored.find(lead)
        while at >= 0:
            folded_char = chars.get(stored[at : at + width])
            if folded_char is not None:
                near.append((at, folded_char, width))
            at = stored.find(lead, at + 1)
    near.sort()
    reach = max(len(w) for w in words)
    # For each letter, each way a word can be cut around it: (word, before, after).
    around: dict[str, list[tuple[str, bytes, bytes]]] = {}
    for word in words:
        for k, letter in enumerate(word):
            around.setdefault(letter, []).append((word, word[:k].encode(), word[k + 1 :].encode()))
    first = 0
    while first < len(near):
        # Between two characters of one match lie at most `reach` ASCII bytes.
        last = first
        while last + 1 < len(near) and near[last + 1][0] - near[last][0] <= reach + 4:
            last += 1
        at, folded_char, width = near[first]
        if first == last and len(folded_char) == 1:
            # Alone: a match through it is ASCII, its one letter, ASCII.
            for word, before, after in around.get(folded_char, ()):
                if (
                    at >= len(before)
                    and lowered[at - len(before) : at] == before
                    and lowered[at + width : at + width + len(after)] == after
                ):
                    found[word].add(region(at))
        else:
            start, stop = max(0, at - reach), min(size, near[last][0] + 4 + reach)
            folded_text = fold(stored[start:stop].decode("utf-8", "ignore"))
            for word in words:
                if word in folded_text:
                    found[word].update(range(region(start), region(stop - 1) + 1))
        first = last + 1
    return found
