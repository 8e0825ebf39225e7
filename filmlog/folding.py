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
from functools import cache

COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text``: ``Amélie`` and ``AMELIE`` fold alike."""
    if text.isascii():  # the common case, and isascii() is O(1) in CPython
        return text.lower()
    return COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


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
_ESCAPED_POINT = b"\\u"


def may_contain(encoded: bytes, words: list[str]) -> bool:
    """False only if ``fold`` of the text ``encoded`` holds lacks one of the folded ``words``.

    ``encoded`` is a string's content as JSON stores it: UTF-8, with quotes and
    control characters escaped. Folding works character by character (casefold,
    decomposition and dropping accents never join two characters, and canonical
    reordering only moves accents, which are dropped or are not ASCII), so the
    stored bytes with ASCII lowercased and each distinct other character
    replaced by its fold hold every ASCII letter and digit of the folded text,
    in order. A word of those is in the folded text only if it is in these
    bytes. A body is usually plain ASCII or a few distinct other characters,
    so this costs a fraction of decoding and folding it. An escaped ``\\u``
    code point, or a word of anything else, means no shortcut.
    """
    lowered = encoded.lower()
    absent = [w for w in words if w.encode("utf-8", "surrogatepass") not in lowered]
    if not absent:
        return True
    if _ESCAPED_POINT in encoded or not all(_PLAIN_WORD.fullmatch(w) for w in absent):
        return True
    if encoded.isascii():
        return False
    try:
        others = set(encoded.translate(None, _ASCII).decode())
    except UnicodeDecodeError:
        return True
    for char in others:
        replacement = _fold_char(char)
        if replacement is not None:
            lowered = lowered.replace(char.encode(), replacement)
    return all(w.encode() in lowered for w in absent)


@cache
def _fold_char(char: str) -> bytes | None:
    """The UTF-8 of ``fold(char)``, or None when folding leaves ``char`` as it is."""
    folded = fold(char)
    return None if folded == char else folded.encode("utf-8", "surrogatepass")
