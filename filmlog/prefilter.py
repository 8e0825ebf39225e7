"""The word prefilter: which reviews' stored bytes could hold the words of a search.

A word search would otherwise decode every body in the journal. Instead the
file's bytes are folded and searched a few megabytes at a time (see
:mod:`filmlog.folding`), and only the reviews whose stretch of the file could
hold every word are decoded and searched for real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

# How much of the file one pass of the scan reads and folds at a time.
SCAN_CHUNK = 4 << 20

Reader = Callable[[int, int], bytes]  # the file's bytes from start to stop


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the reviews lie in a journal file, for :meth:`Bodies.word_candidates`.

    The file is cut into regions at ``offsets``; ``owners[i]`` are the reviews
    whose text region ``i`` may hold, and ``ranges`` gives each review a
    stretch of the file that holds all of its text (stretches may overlap).
    """

    offsets: list[int]
    owners: list[tuple[int, ...]]
    ranges: dict[int, tuple[int, int]]
    size: int

    @classmethod
    def from_starts(cls, starts: list[tuple[int, int]], size: int) -> Layout:
        """Regions that are the reviews themselves, from where each begins."""
        offsets = [offset for offset, _ in starts]
        ends = [*offsets[1:], size]
        ranges = {
            review_id: (offset, end) for (offset, review_id), end in zip(starts, ends, strict=True)
        }
        return cls(offsets, [(review_id,) for _, review_id in starts], ranges, size)

    @classmethod
    def from_bodies(cls, bodies: dict[int, tuple[int, int]], size: int) -> Layout:
        """Regions cut where each body begins, when every review has one.

        A review's fields lie partly before its body and partly after it, so
        each region, from one body to the next, belongs to both reviews; no
        search for where the reviews begin is needed.
        """
        order = sorted(bodies, key=lambda review_id: bodies[review_id][0])
        offsets = [0, *(bodies[review_id][0] for review_id in order)]
        owners = [(order[0],), *pairwise(order), (order[-1],)]
        ranges = {}
        for index, review_id in enumerate(order):
            start = bodies[order[index - 1]][1] if index else 0
            end = bodies[order[index + 1]][0] if index + 1 < len(order) else size
            ranges[review_id] = (start, end)
        return cls(offsets, owners, ranges, size)


def candidates(read: Reader, layout: Layout, words: list[str]) -> set[int] | None:
    """IDs of the reviews whose stored text, folded, could hold every folded word.

    ``read(start, stop)`` gives the file's bytes, which are read a few megabytes
    at a time, every field and the body at once (see :func:`filmlog.folding.places`);
    None when the words do not allow it. Every review that matches is among them.
    """
    from filmlog.folding import plain_words

    if not plain_words(words):
        return None
    # The longest word first (usually the rarest); the others only where it may be.
    head, *rest = sorted(set(words), key=len, reverse=True)
    found = _scan(read, layout, [head])[head]
    if not rest:
        return found
    if len(found) * 2 <= len(layout.ranges):  # reading only theirs beats another pass
        return _narrow(read, layout, found, rest)
    for holding in _scan(read, layout, rest).values():
        found &= holding
    return found


def _narrow(read: Reader, layout: Layout, among: set[int], words: list[str]) -> set[int]:
    """The reviews ``among`` whose stretches could hold every word.

    Their stretches are read one by one but scanned together, a few megabytes
    at a time, each as a region of its own: one scan instead of one per review.
    """
    from filmlog.folding import places

    ordered = sorted(among, key=lambda review_id: layout.ranges[review_id][0])
    kept: set[int] = set()
    first = 0
    while first < len(ordered):
        pieces: list[bytes] = []
        bounds: list[int] = []
        size = 0
        for review_id in ordered[first:]:
            if size >= SCAN_CHUNK:
                break
            piece = read(*layout.ranges[review_id])
            bounds.append(size)
            pieces.append(piece)
            size += len(piece)
        holding = set(range(len(pieces)))
        for regions in places(b"".join(pieces), words, bounds).values():
            holding &= regions
        kept.update(ordered[first + index] for index in holding)
        first += len(pieces)
    return kept


def _scan(read: Reader, layout: Layout, words: list[str]) -> dict[str, set[int]]:
    """For each word, the reviews that could hold it, reading the file chunk by chunk."""
    from bisect import bisect_right

    from filmlog.folding import places

    offsets, owners = layout.offsets, layout.owners
    found: dict[str, set[int]] = {word: set() for word in words}
    first = 0
    while first < len(offsets):
        last = bisect_right(offsets, offsets[first] + SCAN_CHUNK, lo=first + 1)
        begin = offsets[first]
        end = offsets[last] if last < len(offsets) else layout.size
        bounds = [offset - begin for offset in offsets[first:last]]
        for word, regions in places(read(begin, end), words, bounds).items():
            for index in regions:
                found[word].update(owners[first + index])
        first = last
    return found
