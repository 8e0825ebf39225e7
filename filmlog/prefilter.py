"""The word prefilter: which reviews' stored bytes could hold the words of a search."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise


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
