"""The byte scan: review bodies, review boundaries and cuts for parsing, found in raw bytes.

These let a read of a large journal leave the bodies in the file and parse the
rest in pieces. None of them is a JSON parser, and none has to be right on its
own: its correctness comes from the checks on what it finds and from the
fallback to an ordinary full parse. A cut of the reviews table in the wrong
place (``},"12":{`` also occurs inside a review, between two members of a
nested object) leaves a piece that is not JSON, and the whole file is parsed
instead. Body spans are used only if the parse finds each one's marker as a
review's body, every one of them (the count check in
:meth:`filmlog.storage.Journal.browse`); review starts only if their IDs are
exactly the parsed table's. Anything else (a truncated file, a body that is
neither text nor null, a ``"body"`` key elsewhere) reads the whole file the
ordinary way, which also reports real damage.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson


def loads(raw: bytes | bytearray) -> Any:
    """orjson.loads, in pieces when the journal can be cut into them.

    Parsing a large journal makes hundreds of thousands of containers, which
    the cyclic collector would walk again and again; the console script runs
    with it off (see :mod:`filmlog.launcher`). A library read leaves the
    process's collector as it found it.
    """
    data = loads_in_pieces(raw)
    return orjson.loads(raw) if data is None else data


_PIECE = 1 << 20
_REVIEWS_OPEN = b'"reviews":{'
# Between two reviews: `},"12":{` in a file of one line, `}` newline `,"12":{` in one written
# a review per line (see storage.serialised). Raw newlines never occur inside JSON strings.
_NEXT_REVIEW = re.compile(rb'\},"(\d+)":\{')  # one review's end and the next one's ID
_NEXT_LINE = re.compile(rb'\n,"(\d+)":\{')


def _lined(raw: bytes | bytearray, opened: int) -> bool:
    """Whether the reviews table opening at ``opened`` holds one review per line."""
    return raw[opened + len(_REVIEWS_OPEN) : opened + len(_REVIEWS_OPEN) + 1] == b"\n"


def _review_cuts(
    raw: bytes | bytearray, start: int, stop: int, lined: bool
) -> Iterator[tuple[int, int]]:
    """Where, between ``start`` and ``stop``, one review's object ends and the next begins.

    Yields the offset of the ``,`` before each next review's ID, with that ID;
    the review before it ends just before it (and its newline, when ``lined``).
    """
    # One search in C; no match can begin inside another (neither holds a "}" or a
    # newline past its first character).
    pattern = _NEXT_LINE if lined else _NEXT_REVIEW
    for found in pattern.finditer(raw, start, stop):
        yield found.start() + 1, int(found[1])


def loads_in_pieces(raw: bytes | bytearray) -> Any:
    """The journal parsed a megabyte of reviews at a time; None if it cannot be split so.

    orjson builds a whole document tree before making Python objects of it,
    which for a large journal costs more memory than the objects. The reviews
    table is cut where one review seems to end and the next begin (``},"123":{``,
    or a newline and ``,"123":{`` in a file of a review per line: neither can occur
    inside a JSON string, whose quotes are escaped and which holds no raw newline,
    but the first can inside a review's nested object) and each piece parsed alone;
    a cut in the wrong place leaves a piece that is not JSON, and then the caller
    parses the whole, which also reports real damage.
    """
    opened = raw.find(_REVIEWS_OPEN)
    end = len(raw)
    while end and raw[end - 1] in _SPACE:  # not rstrip(), which would copy the whole file
        end -= 1
    if opened < 0 or end - opened < 2 * _PIECE or raw[end - 2 : end] != b"}}":
        return None
    lined = _lined(raw, opened)
    cuts = []  # each a "," between two reviews
    at = opened + _PIECE
    while at < end - _PIECE:
        cut, _ = next(_review_cuts(raw, at, end, lined), (-1, 0))
        if cut < 0:
            break
        cuts.append(cut)
        at = cut + _PIECE
    if not cuts:
        return None
    gap = 1 if lined else 0  # the newline before each ","
    last = end - 3 - gap  # the last review's "}"
    view = memoryview(raw)  # each piece is copied once, into its braces
    try:
        data = orjson.loads(b"".join((view[: cuts[0] - gap], b"}}")))
        reviews = data["reviews"]
        for start, stop in zip(cuts, [*(cut - 1 - gap for cut in cuts[1:]), last], strict=True):
            reviews.update(orjson.loads(b"".join((b"{", view[start + 1 : stop + 1], b"}"))))
    except (orjson.JSONDecodeError, TypeError, KeyError, AttributeError):
        return None
    finally:
        view.release()
    return data


_FIRST_REVIEW = re.compile(rb'"reviews":\{\n?"(\d+)":\{')


def review_starts(raw: bytes, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where each review's object begins in ``raw``, with its ID, in file order.

    Found as :func:`loads_in_pieces` finds its cuts, looking only between the
    bodies (``spans``), which are most of the file; the caller checks the IDs
    against the parsed table before trusting them.
    """
    first = _FIRST_REVIEW.search(raw, 0, spans[0][0] if spans else len(raw))
    if first is None:
        return []
    starts = [(first.start(1) - 1, int(first[1]))]
    lined = raw[first.start(1) - 2 : first.start(1) - 1] == b"\n"
    if lined:
        # A raw newline is never inside a JSON string: each one after the first review is
        # the end of a line, found by memchr rather than a search between every two bodies.
        match = _NEXT_LINE.match
        at = raw.find(b"\n", first.end())
        while at >= 0:
            found = match(raw, at)
            if found is not None:
                starts.append((at + 2, int(found[1])))
            at = raw.find(b"\n", at + 1)
        return starts
    gaps = [first.end(), *(stop for _, stop in spans)]
    ends = [*(start for start, _ in spans), len(raw)]
    for low, high in zip(gaps, ends, strict=True):
        starts.extend(
            (cut + 1, review_id) for cut, review_id in _review_cuts(raw, low, high, lined=False)
        )
    return starts


_BODY_KEY = b'"body"'
_SPACE = b" \t\r\n"


def body_spans(raw: bytes) -> tuple[list[tuple[int, int]], int] | None:
    """Where every review body's string sits in ``raw``, quotes included, and how many bodies
    are null; None when unsure.

    In JSON every quote inside a string is escaped, so an unescaped ``"body"``
    followed by a colon can only be that key, and the string after it ends at
    the first quote not preceded by an odd number of backslashes. Anything
    unexpected (a truncated file, a body that is neither a string nor null)
    returns None, and the caller parses the whole file, which reports the damage.
    """
    spans: list[tuple[int, int]] = []
    nulls = 0
    end = len(raw)
    at = raw.find(_BODY_KEY)
    while at >= 0:
        i = at + len(_BODY_KEY)
        while i < end and raw[i] in _SPACE:
            i += 1
        if i < end and raw[i] == 0x3A:  # ':' - the key, not a string value "body"
            i += 1
            while i < end and raw[i] in _SPACE:
                i += 1
            if i >= end:
                return None
            if raw[i] == 0x22:  # '"'
                close = i + 1
                while True:
                    close = raw.find(b'"', close)
                    if close < 0:
                        return None
                    backslashes = 0
                    while raw[close - 1 - backslashes] == 0x5C:
                        backslashes += 1
                    if backslashes % 2 == 0:
                        break
                    close += 1
                spans.append((i, close + 1))
                i = close + 1
            elif raw.startswith(b"null", i):
                nulls += 1
            else:
                return None
        at = raw.find(_BODY_KEY, i)
    return spans, nulls


def marked(raw: bytes, spans: list[tuple[int, int]]) -> bytes:
    """``raw`` with each span replaced by its index in ``spans``.

    Joined from views of ``raw``: each piece is copied once, into the result.
    """
    if not spans:
        return raw
    view = memoryview(raw)
    parts: list[bytes | memoryview] = []
    kept = 0
    for index, (start, stop) in enumerate(spans):
        parts.append(view[kept:start])
        parts.append(b"%d" % index)
        kept = stop
    parts.append(view[kept:])
    try:
        return b"".join(parts)
    finally:
        del parts  # the views, before the view they are cut from is released
        view.release()


def object_spans(raw: bytes, starts: list[tuple[int, int]]) -> dict[int, tuple[int, int]] | None:
    """Where each review's object (``{`` to ``}``) lies in ``raw``, from where each review
    begins (see :func:`review_starts`); None when the file is not laid out as expected.

    Each object ends before the separator that begins the next review, and the
    last one before the close of the reviews table, which ends the file (the
    reviews table comes last in a file filmlog wrote). The ends are checked here,
    the first and last objects parsed; a review the index finds elsewhere is
    checked again when it is read (see :class:`filmlog.storage.Indexed`).
    """
    if not starts:
        return {}
    end = len(raw)
    for _ in range(2):  # the file's close, then the table's
        while end and raw[end - 1] in _SPACE:
            end -= 1
        if not end or raw[end - 1] != 0x7D:  # '}'
            return None
        end -= 1
    found: dict[int, tuple[int, int]] = {}
    ordered = sorted(starts)
    # Each object ends before the "," (and any space) that begins the next review.
    stops = [start - 1 for start, _ in ordered[1:]]
    stops.append(end)
    begins = raw.startswith
    for (start, review_id), stop in zip(ordered, stops, strict=True):
        key = b'"%d":{' % review_id
        if not begins(key, start):
            return None
        opened = start + len(key) - 1
        while stop > opened and raw[stop - 1] in _SPACE:
            stop -= 1
        if stop <= opened or raw[stop - 1] != 0x7D:  # '}'
            return None
        found[review_id] = (opened, stop)
    for review_id in (ordered[0][1], ordered[-1][1]):
        start, stop = found[review_id]
        try:
            if not isinstance(orjson.loads(raw[start:stop]), dict):
                return None
        except orjson.JSONDecodeError:
            return None
    return found
