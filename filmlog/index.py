"""The index: a derived, disposable file beside the journal that lets reads skip parsing it.

Most commands need a few hundred bytes per review (title, year, dates, rating,
genres, people) and the few reviews they show; a read of the journal itself
parses every essay in it. The index (``journal.json.idx``) holds each stored
field of every review but the body as a column, and where each review's object
lies in the journal, so that a command loads the columns it filters and sorts
on and parses only the reviews it shows, straight from the journal's bytes.
Once a word search has asked for them, it also holds each review's distinct
folded words. Columns are cut into chunks of IDs (a write re-encodes only the
chunks it changed), each one JSON with its own checksum: orjson writes it twice
as fast as marshal and reads it as fast. The header is marshal. Once a command
has computed them, it also holds aggregates of the version indexed (``filmlog
stats``), each under a key naming all they depend on, with its own checksum:
the few most recently computed, so that the file stays small.

The journal stays the only truth. The index names the journal file it was made
from by what git's index checks (size, modification and change times in
nanoseconds, inode and device), and is used only when all of them match the
file being read. A file changed in place within the same tick of the clock as
the version indexed would keep those: an index made within :data:`RACY_NS` of
the journal's modification also holds the journal's checksum, and the next read
checks it (git's "racily clean" entries). Any doubt means no index: a missing,
unreadable, damaged (its own checksum), stale or foreign index is rebuilt by the
next full read, and deleting it changes nothing but speed.

The index is written after the journal: by the write that changed it, under
the journal's lock, and by a read that found none, as a courtesy to the next;
a read that computed aggregates through it rewrites it with them, unlocked like
the first: should a writer replace the journal meanwhile, the index rewritten
names the version replaced, so the next read finds it stale.
It is not made durable (no fsync): after a crash it is merely stale or damaged,
which the checks above catch.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import struct
import time
import weakref
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from filmlog.errors import StorageError
from filmlog.folding import fold

VERSION = 4
SUFFIX = ".idx"
_MAGIC = b"filmlog index\n"
_HEADER_SIZE = struct.Struct("<I")
# A write to the journal within this long of the indexed version might not change its
# times (a file system's clock ticks: FAT's 2 s at worst): check its contents instead.
RACY_NS = 3_000_000_000

Stamp = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device
Spans = Mapping[int, tuple[int, int]]  # review ID -> its object's bytes in the journal
Same = Callable[[int, int, int], bool]  # whether the review (ID, start, stop) is as it was


def path_for(journal: Path) -> Path:
    """Where the index of the journal file ``journal`` (a real path, not a symlink) lives."""
    return journal.with_name(journal.name + SUFFIX)


def stamp_of(status: os.stat_result) -> Stamp:
    return (
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
        status.st_ino,
        status.st_dev,
    )


def is_racy(status: os.stat_result) -> bool:
    """Whether a write to the journal could still go unseen by its times."""
    return abs(time.time_ns() - status.st_mtime_ns) < RACY_NS


class Places(Mapping[int, tuple[int, int]]):
    """Where each review's object lies in the journal a write made, as the writer notes it:
    the keys, starts and stops in the order written, three flat lists, so that noting
    them makes no object per review.

    The index takes a chunk's starts and stops as slices of the lists when the journal
    holds its reviews in ID order, as filmlog writes them; a table of positions is made
    otherwise, and for looking one review up.
    """

    __slots__ = ("_at", "_keys", "_order", "starts", "stops")

    def __init__(self) -> None:
        self._keys: list[str] = []
        self.starts: list[int] = []
        self.stops: list[int] = []
        self._order: list[int] | None = None
        self._at: dict[int, int] | None = None

    def note(self, keys: list[str], starts: list[int], stops: list[int]) -> None:
        """Note where the reviews ``keys`` lie, after those noted before."""
        if not len(keys) == len(starts) == len(stops):
            raise ValueError("a key, a start and a stop for each review")
        self._keys += keys
        self.starts += starts
        self.stops += stops
        self._order = self._at = None

    def columns(self, ids: list[int]) -> tuple[list[int], list[int]]:
        """The starts and the stops of the reviews ``ids``; KeyError if one was not noted."""
        order = self._ids_in_order()
        if order and ids:
            from bisect import bisect_left

            low = bisect_left(order, ids[0])
            high = low + len(ids)
            if order[low:high] == ids:
                return self.starts[low:high], self.stops[low:high]
        at = self._positions()
        found = [at[review_id] for review_id in ids]
        return [self.starts[p] for p in found], [self.stops[p] for p in found]

    def _ids_in_order(self) -> list[int]:
        """The IDs noted if they rise, as filmlog writes them; empty otherwise."""
        if self._order is None:
            ids = list(map(int, self._keys))
            self._order = ids if all(map(int.__lt__, ids, ids[1:])) else []
        return self._order

    def _positions(self) -> dict[int, int]:
        if self._at is None:
            self._at = {int(key): position for position, key in enumerate(self._keys)}
        return self._at

    def __getitem__(self, review_id: int) -> tuple[int, int]:
        position = self._positions()[review_id]
        return self.starts[position], self.stops[position]

    def __iter__(self) -> Iterator[int]:
        return iter(self._positions())

    def __len__(self) -> int:
        return len(self._positions())


def _where(spans: Spans, ids: list[int]) -> tuple[list[int], list[int]]:
    """The starts and the stops of the reviews ``ids``."""
    if isinstance(spans, Places):
        return spans.columns(ids)
    return [spans[review_id][0] for review_id in ids], [spans[review_id][1] for review_id in ids]


class Damaged(StorageError):
    """A column of the index did not match its checksum: the index was removed."""


Reader = Callable[[int, int], bytes]  # bytes of the payload, from start, of size
Entry = tuple[int, int, int]  # a column's offset in the payload, its size, its CRC-32
Chunk = tuple[int, dict[str, Entry]]  # (ID // CHUNK, where each column of the chunk lies)
Aggregates = Mapping[str, bytes]  # key -> an aggregate of the version indexed, encoded

# The aggregates kept at most, the most recently computed: a key names a set of filters,
# and the index must not grow with every search ever made.
AGGREGATES = 8

# The columns are cut into chunks of IDs, so that a write re-encodes only the chunks
# holding the reviews it changed (an added review is in the last one) and copies the rest.
CHUNK = 1024
# A write finds the words of at most this many changed reviews of a chunk; more (an
# import) leaves the chunk's words to the next word search.
WORDS_INLINE = 64
_IDS, _STARTS, _STOPS = "\0ids", "\0starts", "\0stops"
_WORDS, _WORD_STARTS = "\0words", "\0word starts"
_ABSENT = "\0absent "
_BACKSLASH = ord("\\")
_WORD = re.compile(r"\w+")


class Index:
    """The columns of one journal version, each read from the file when first asked for.

    A command reads only the columns it needs: the header lists where each chunk
    of each column lies and its checksum, checked as it is read.
    """

    __slots__ = (
        "__weakref__",
        "_aggregates",
        "_bases",
        "_chunks",
        "_loaded",
        "_path",
        "_position",
        "_read",
        "_words",
        "ids",
        "starts",
        "stops",
    )

    def __init__(
        self,
        read: Reader,
        chunks: list[Chunk],
        path: Path,
        aggregates: Mapping[str, Entry] | None = None,
    ) -> None:
        self._read = read
        self._chunks = chunks
        self._path = path
        self._aggregates = dict(aggregates or {})
        self._loaded: dict[str, Any] = {}
        self._words: dict[int, tuple[str, list[int]]] = {}
        self._bases: list[int] = []  # where each chunk's reviews begin in the columns
        self.ids: list[int] = []
        for number in range(len(chunks)):
            self._bases.append(len(self.ids))
            self.ids += self.chunk(number, _IDS)
        self.starts: list[int] = self.column(_STARTS)
        self.stops: list[int] = self.column(_STOPS)
        self._position: dict[int, int] | None = None

    def chunk(self, number: int, name: str) -> Any:
        """Column ``name`` of chunk ``number`` (None when the chunk has no such column)."""
        entry = self._chunks[number][1].get(name)
        return None if entry is None else orjson.loads(self.raw(number, name))

    def raw(self, number: int, name: str) -> bytes:
        """Column ``name`` of chunk ``number`` as stored; Damaged (removing the index) if
        it is not."""
        start, size, checksum = self._chunks[number][1][name]
        piece = self._read(start, size)
        if len(piece) != size or zlib.crc32(piece) != checksum:
            discard_index(self._path)
            raise Damaged(f"the index {self._path} was damaged; it was removed: run it again")
        return piece

    def _size(self, number: int) -> int:
        following = self._bases[number + 1] if number + 1 < len(self._bases) else len(self.ids)
        return following - self._bases[number]

    def column(self, name: str) -> list[Any]:
        """One column, in ID order; a field no review has is all None."""
        found = self._loaded.get(name)
        if found is None:
            found = []
            for number in range(len(self._chunks)):
                part = self.chunk(number, name)
                found += [None] * self._size(number) if part is None else part
            self._loaded[name] = found
        return found

    def absent(self, name: str) -> list[int]:
        """Where in the columns a review lacks field ``name``."""
        found = []
        for number, base in enumerate(self._bases):
            found += [base + at for at in self.chunk(number, _ABSENT + name) or ()]
        return found

    @classmethod
    def decode(
        cls, encoded: list[bytes], path: Path, aggregates: Aggregates | None = None
    ) -> Index:
        """The index :func:`encode` (or :meth:`with_words`, :func:`update`) gave, with
        ``aggregates`` as :func:`write` keeps them."""
        table, *columns = encoded
        laid, entries = _after(columns, aggregates or {})
        blob = b"".join([*columns, *laid])
        read: Reader = lambda start, size: blob[start : start + size]  # noqa: E731
        return cls(read, marshal.loads(table), path, entries)

    @property
    def fields(self) -> list[str]:
        """The stored fields of the reviews, body excepted."""
        names: dict[str, None] = {}
        for _, entries in self._chunks:
            names.update((name, None) for name in entries if not name.startswith("\0"))
        return list(names)

    def documents(self, fields: Collection[str] | None) -> list[tuple[int, dict[str, Any]]]:
        """``(ID, document)`` for every review in ID order, with only ``fields`` (every
        field but the body when None). A field a review lacks stays absent."""
        known = self.fields
        names = known if fields is None else [f for f in known if f in fields]
        docs: list[dict[str, Any]] = [{} for _ in self.ids]
        for name in names:
            # A column at a time into the documents: a quarter of the cost of a dict
            # made from each row, for the few fields most commands ask for.
            for doc, value in zip(docs, self.column(name), strict=True):
                doc[name] = value
        for name in names:
            for number in self.absent(name):
                del docs[number][name]
        if fields is None:
            for doc in docs:
                doc["body"] = None
        return list(zip(self.ids, docs, strict=True))

    @property
    def has_words(self) -> bool:
        return not self.wordless()

    def word_matches(self, words: list[str]) -> set[int] | None:
        """IDs of the reviews whose folded text holds every folded word of ``words``; None
        when the index holds no words, or a word is not made of letters and digits alone.

        Exact, not a screen: a word of letters and digits that the folded text holds
        lies inside one of its runs of letters and digits, and the index holds each
        review's distinct runs (see :func:`words_of`).
        """
        if not self.has_words or not searchable(words):
            return None
        from bisect import bisect_right

        found: set[int] = set()
        # The longest is the rarest. Searched for in the column as stored, never decoded:
        # a JSON string whose words hold no quote, backslash or control character, so
        # each word's UTF-8 bytes stand as they are, and the only escapes are the "\n"
        # between two reviews' words. Decoded, a chunk holding one letter beyond Latin-1
        # would take four bytes a letter.
        ordered = [w.encode() for w in sorted(set(words), key=len, reverse=True)]
        for number, base in enumerate(self._bases):
            raw = self.raw(number, _WORDS)
            breaks: list[int] | None = None  # where each review's words end, when needed
            here: set[int] | None = None
            for word in ordered:
                hits: set[int] = set()
                at = raw.find(word)
                while at >= 0:
                    if raw[at - 1] == _BACKSLASH:  # the "n" of an escape, not a word's
                        at = raw.find(word, at + 1)
                        continue
                    if breaks is None:
                        breaks = _breaks(raw)
                    local = bisect_right(breaks, at)
                    hits.add(base + local)
                    at = raw.find(word, breaks[local] + 2) if local < len(breaks) else -1
                here = hits if here is None else here & hits
                if not here:
                    break
            found |= here or set()
        ids = self.ids
        return {ids[number] for number in found}

    def wordless(self) -> list[int]:
        """The chunks that do not hold their reviews' words (see :meth:`with_words`)."""
        return [number for number, (_, entries) in enumerate(self._chunks) if _WORDS not in entries]

    def chunk_positions(self, number: int) -> range:
        """Where chunk ``number``'s reviews are in the columns."""
        return range(self._bases[number], self._bases[number] + self._size(number))

    def with_words(self, words: Mapping[int, list[str]]) -> list[bytes]:
        """This index with the words of the reviews of some chunks (chunk number -> each
        review's ``words_of``, in ID order), for :func:`write`."""
        pieces: list[bytes] = []
        chunks: list[Chunk] = []
        for number, (key, entries) in enumerate(self._chunks):
            kept = {name: self.raw(number, name) for name in entries}
            added = _word_columns(words[number]) if number in words else {}
            chunks.append((key, _add(pieces, kept, added)))
        return [marshal.dumps(chunks), *pieces]

    def words(self, position: int) -> str:
        """The words of the review at ``position`` (see :func:`words_of`)."""
        from bisect import bisect_right

        number = bisect_right(self._bases, position) - 1
        if number not in self._words:
            self._words[number] = (self.chunk(number, _WORDS), self.chunk(number, _WORD_STARTS))
        text, offsets = self._words[number]
        local = position - self._bases[number]
        end = offsets[local + 1] - 1 if local + 1 < len(offsets) else len(text)
        return str(text[offsets[local] : end])

    def position(self, review_id: int) -> int | None:
        """Where review ``review_id`` is in the columns; None if there is no such review."""
        if self._position is None:
            self._position = {review_id: n for n, review_id in enumerate(self.ids)}
        return self._position.get(review_id)

    def stored(self) -> list[bytes]:
        """Every column of every chunk as stored, checked, in the order of the file."""
        entries = [
            (entry[0], number, name)
            for number, (_, columns) in enumerate(self._chunks)
            for name, entry in columns.items()
        ]
        return [self.raw(number, name) for _, number, name in sorted(entries)]

    def copy_chunk(self, number: int) -> dict[str, bytes]:
        """Chunk ``number``'s columns as stored but its offsets, unchecked (a damaged piece
        copied stays damaged, and is caught when read)."""
        return {
            name: self._read(start, size)
            for name, (start, size, _) in self._chunks[number][1].items()
            if name not in (_STARTS, _STOPS)
        }

    def table(self) -> bytes:
        """Where each chunk's columns lie, as the header holds it (see :func:`write`)."""
        return marshal.dumps(self._chunks)

    def aggregate(self, key: str) -> bytes | None:
        """The aggregate stored under ``key``; None when there is none, or it is damaged
        (then it is merely computed again)."""
        entry = self._aggregates.get(key)
        if entry is None:
            return None
        try:
            start, size, checksum = entry
            piece = self._read(start, size)
        except (OSError, TypeError, ValueError):
            return None
        return piece if len(piece) == size and zlib.crc32(piece) == checksum else None

    def aggregates(self) -> dict[str, bytes]:
        """Every aggregate stored that passes its check, oldest first."""
        found = {key: self.aggregate(key) for key in self._aggregates}
        return {key: piece for key, piece in found.items() if piece is not None}

    def chunk_ids(self, number: int) -> list[int]:
        base = self._bases[number]
        return self.ids[base : base + self._size(number)]

    @property
    def chunk_keys(self) -> dict[int, int]:
        """Chunk number -> its place in this index."""
        return {key: number for number, (key, _) in enumerate(self._chunks)}


def _breaks(raw: bytes) -> list[int]:
    """Where the escaped newlines between reviews' words lie in a words column as stored."""
    found = []
    at = raw.find(b"\\n")
    while at >= 0:
        found.append(at)
        at = raw.find(b"\\n", at + 2)
    return found


def searchable(words: list[str]) -> bool:
    """Whether the index's words can answer a search for the folded ``words``."""
    return bool(words) and all(_WORD.fullmatch(word) for word in words)


def words_of(fields_text: str, body: str | None) -> str:
    """A review's distinct runs of letters and digits, folded, one space between each."""
    found = set(_WORD.findall(fold(fields_text)))
    if body:
        found.update(_WORD.findall(fold(body)))
    return " ".join(sorted(found))


Documents = list[tuple[int, Mapping[str, Any]]]


def _chunked(docs: Iterable[tuple[int, Mapping[str, Any]]]) -> list[tuple[int, Documents]]:
    items = list(docs)
    ids = [review_id for review_id, _ in items]
    if all(map(int.__lt__, ids, ids[1:])):  # in ID order, as documents_of gives them: cut it
        from bisect import bisect_left

        chunks = []
        low = 0
        while low < len(ids):
            key = ids[low] // CHUNK
            high = bisect_left(ids, (key + 1) * CHUNK, low)
            chunks.append((key, items[low:high]))
            low = high
        return chunks
    groups: dict[int, Documents] = {}
    for review_id, doc in items:
        groups.setdefault(review_id // CHUNK, []).append((review_id, doc))
    return sorted(groups.items())


def encode(
    docs: Iterable[tuple[int, Mapping[str, Any]]],
    spans: Spans,
    words: list[str] | None = None,
    table: Mapping[str, list[Any]] | None = None,
) -> list[bytes]:
    """The columns of ``docs`` (in ID order), and their ``words`` if given, for :func:`write`.

    ``table``: :func:`table_of` the same documents in the same order, when the caller has
    it already (a read that has just checked the journal a column at a time).
    """
    pieces: list[bytes] = []
    chunks: list[Chunk] = []
    at = 0
    for key, items in _chunked(docs):
        mine = None if words is None else words[at : at + len(items)]
        cut = None if table is None else {n: c[at : at + len(items)] for n, c in table.items()}
        at += len(items)
        ids = [review_id for review_id, _ in items]
        columns = _chunk_columns(items, ids, _where(spans, ids), mine, cut)
        chunks.append((key, _add(pieces, {}, columns)))
    return [marshal.dumps(chunks), *pieces]


def update(
    old: Index,
    docs: Iterable[tuple[int, Mapping[str, Any]]],
    spans: Spans,
    same: Same,
    words_for: Callable[[Mapping[str, Any]], str],
) -> list[bytes]:
    """:func:`encode` for the version a write made of the version ``old`` indexes.

    A chunk whose reviews are the same ones, each stored byte for byte as before
    (``same``), is copied but for where its reviews now lie; the others are
    encoded again, with the words of the reviews unchanged copied too when ``old``
    has them. ``words_for`` finds the others' words, unless more than
    :data:`WORDS_INLINE` reviews of a chunk changed (an import): that chunk is left
    without words, found by the next word search that needs them.
    """
    pieces: list[bytes] = []
    chunks: list[Chunk] = []
    places = old.chunk_keys
    wordless = set(old.wordless())
    for key, items in _chunked(docs):
        ids = [review_id for review_id, _ in items]
        starts, stops = _where(spans, ids)
        number = places.get(key)
        if (
            number is not None
            and old.chunk_ids(number) == ids
            and all(map(same, ids, starts, stops))
        ):
            where = {_STARTS: starts, _STOPS: stops}
            chunks.append((key, _add(pieces, old.copy_chunk(number), where)))
            continue
        words: list[str] | None = None
        if number is not None and number not in wordless:
            kept = _kept_words(old, ids, map(same, ids, starts, stops))
            if kept is not None:
                words = [
                    words_for(doc) if position is None else old.words(position)
                    for (_, doc), position in zip(items, kept, strict=True)
                ]
        columns = _chunk_columns(items, ids, (starts, stops), words)
        chunks.append((key, _add(pieces, {}, columns)))
    return [marshal.dumps(chunks), *pieces]


def _kept_words(old: Index, ids: list[int], same: Iterable[bool]) -> list[int | None] | None:
    """Where in ``old`` the words of each review unchanged lie (None: changed); None when
    more than :data:`WORDS_INLINE` changed, found as soon as they have. ``same``: whether
    each review is unchanged."""
    kept: list[int | None] = []
    changed = 0
    for review_id, unchanged in zip(ids, same, strict=True):
        if unchanged:
            kept.append(old.position(review_id))
        else:
            changed += 1
            if changed > WORDS_INLINE:
                return None
            kept.append(None)
    return kept


def _chunk_columns(
    items: Documents,
    ids: list[int],
    where: tuple[list[int], list[int]],
    words: list[str] | None,
    table: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """The columns of a chunk: ``items``, their ``ids``, ``where`` they lie (starts and
    stops), their words if given and their fields (from ``table`` if given)."""
    starts, stops = where
    columns: dict[str, Any] = {_IDS: ids, _STARTS: starts, _STOPS: stops}
    columns.update(_columns([doc for _, doc in items]) if table is None else table)
    if words is not None:
        columns.update(_word_columns(words))
    return columns


def table_of(docs: list[Mapping[str, Any]]) -> dict[str, list[Any]] | None:
    """Each stored field but the body as a column over ``docs``, when every one holds the
    same fields (as every review filmlog writes does); None otherwise.

    Documents written by filmlog all hold every field: then one pass over them and a
    transposition, far fewer lookups than a pass a field, in an order caches like.
    """
    if not docs:
        return None
    first = [name for name in docs[0] if name != "body"]
    width = len(docs[0])
    if len(first) < 2 or not all(len(doc) == width for doc in docs):
        return None
    try:
        rows = list(map(itemgetter(*first), docs))
    except KeyError:  # the same number of fields, not the same fields
        return None
    return {name: list(values) for name, values in zip(first, zip(*rows, strict=True), strict=True)}


def _columns(docs: list[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Each stored field but the body as a column, and where a field is absent, if anywhere."""
    table = table_of(docs)
    if table is not None:
        return table
    names: dict[str, None] = {}
    for doc in docs:
        names.update(dict.fromkeys(doc))
    names.pop("body", None)
    columns: dict[str, list[Any]] = {}
    for name in names:
        columns[name] = [doc.get(name) for doc in docs]
        absent = [n for n, doc in enumerate(docs) if name not in doc]
        if absent:
            columns[_ABSENT + name] = absent
    return columns


def _word_columns(words: list[str]) -> dict[str, Any]:
    starts = []
    at = 0
    for text in words:
        starts.append(at)
        at += len(text) + 1
    return {_WORDS: "\n".join(words), _WORD_STARTS: starts}


def _add(
    pieces: list[bytes], stored: Mapping[str, bytes], values: Mapping[str, Any]
) -> dict[str, Entry]:
    """Append a chunk's columns to ``pieces``: ``stored`` as they are, ``values`` encoded;
    where each lies in the payload."""
    offset = sum(len(piece) for piece in pieces)
    entries: dict[str, Entry] = {}
    for name, piece in [*stored.items(), *((n, orjson.dumps(v)) for n, v in values.items())]:
        entries[name] = (offset, len(piece), zlib.crc32(piece))
        pieces.append(piece)
        offset += len(piece)
    return entries


def write(
    journal: Path,
    status: os.stat_result,
    encoded: list[bytes],
    checksum: Callable[[], int] | None,
    *,
    tidy: bool,
    aggregates: Aggregates | None = None,
) -> None:
    """Write the index of the journal version ``status`` describes; never fails the caller.

    ``checksum``: the journal's CRC-32, asked for only when the version is racy
    (see :func:`is_racy`). ``tidy``: also remove temporary files of interrupted
    index writes (only a writer holding the journal's lock may, or it could take
    another process's file mid-write). ``aggregates``: of this very version, oldest
    first (only the last :data:`AGGREGATES` are kept).
    """

    racy = is_racy(status)
    if racy and checksum is None:
        return  # nothing would let a read trust it
    table, *columns = encoded
    fields = {
        "stamp": stamp_of(status),
        "crc": checksum() if racy and checksum is not None else None,
        "racy": racy,
        "table": table,
    }
    _put(journal, _laid_out(fields, columns, aggregates or {}), tidy=tidy, owner=status)


def _laid_out(fields: dict[str, Any], columns: list[bytes], aggregates: Aggregates) -> list[bytes]:
    """The index file's pieces: its header (``fields``), ``columns`` and the last
    :data:`AGGREGATES` of ``aggregates`` after them."""
    laid, entries = _after(columns, aggregates)
    return [_header({**fields, "aggregates": entries}), *columns, *laid]


def _after(columns: list[bytes], aggregates: Aggregates) -> tuple[list[bytes], dict[str, Entry]]:
    """The last :data:`AGGREGATES` of ``aggregates``, to follow ``columns`` in the payload,
    and where each lies."""
    offset = sum(len(piece) for piece in columns)
    kept = list(aggregates.items())[-AGGREGATES:]
    entries: dict[str, Entry] = {}
    for key, piece in kept:
        entries[key] = (offset, len(piece), zlib.crc32(piece))
        offset += len(piece)
    return [piece for _, piece in kept], entries


def _put(journal: Path, pieces: list[bytes], *, tidy: bool, owner: os.stat_result | None) -> None:
    """Write the index file, never failing the caller: it is only ever a shortcut."""
    from filmlog.files import atomic_write

    with contextlib.suppress(StorageError, OSError):
        atomic_write(
            path_for(journal),
            pieces,
            private=True,
            durable=False,
            tidy=tidy,
            owner=owner,
            what="index",
        )


def _header(fields: dict[str, Any]) -> bytes:
    """The magic, the header's size and the header: ``fields`` and what made them."""
    fields = {"version": VERSION, "reader": _reader(), "marshal": marshal.version, **fields}
    fields["check"] = zlib.crc32(fields["table"])
    header = marshal.dumps(fields)
    return _MAGIC + _HEADER_SIZE.pack(len(header)) + header


def _reader() -> tuple[int, str]:
    """What checked the journal the index was made from: which schema it reads, and
    which filmlog (whose checks may differ from this one's)."""
    from filmlog import __version__, schema

    return schema.SCHEMA_VERSION, __version__


def load(
    journal: Path, status: os.stat_result, read: Callable[[], bytes], *, settle: bool = True
) -> Index | None:
    """The index of the journal version ``status`` describes; None when there is none to
    trust (see the module's notes). ``read()`` gives that version's bytes, for a racy one.

    ``settle``: rewrite a racy index checked once the clock has moved on (a write,
    which replaces the index anyway, says False)."""
    where = path_for(journal)
    if not hasattr(os, "pread"):  # columns are read by offset (POSIX)
        return None
    try:
        fd = os.open(where, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        found = _load(fd, where, status, read)
    except (OSError, ValueError, EOFError, TypeError, KeyError, struct.error, Damaged):
        found = None
    if found is None:
        os.close(fd)
        return None
    index, header = found
    weakref.finalize(index, os.close, fd)
    if settle and header["racy"] and not is_racy(status):
        # Checked once the clock has moved on: later writes will show in the times.
        _settle(journal, index, header)
    return index


def _load(
    fd: int, where: Path, status: os.stat_result, read: Callable[[], bytes]
) -> tuple[Index, dict[str, Any]] | None:
    start = os.pread(fd, 1 << 16, 0)
    if not start.startswith(_MAGIC):
        return None
    at = len(_MAGIC)
    (size,) = _HEADER_SIZE.unpack_from(start, at)
    at += _HEADER_SIZE.size
    raw = start[at : at + size] if at + size <= len(start) else os.pread(fd, size, at)
    header = marshal.loads(raw)
    if not isinstance(header, dict) or header.get("version") != VERSION:
        return None
    if header.get("reader") != _reader() or header.get("marshal") != marshal.version:
        return None
    if header.get("stamp") != stamp_of(status) or zlib.crc32(header["table"]) != header["check"]:
        return None
    if header["racy"] and zlib.crc32(read()) != header["crc"]:
        return None
    base = at + size
    aggregates = header.get("aggregates")
    index = Index(
        lambda offset, length: os.pread(fd, length, base + offset),
        marshal.loads(header["table"]),
        where,
        aggregates if isinstance(aggregates, dict) else None,
    )
    if not len(index.ids) == len(index.starts) == len(index.stops):
        return None
    return index, header


def _settle(journal: Path, index: Index, header: dict[str, Any]) -> None:
    """Rewrite a racy index whose journal has been checked as no longer racy."""

    try:
        pieces = index.stored()
    except Damaged:
        return
    settled = {"stamp": header["stamp"], "crc": None, "racy": False, "table": header["table"]}
    _put(journal, _laid_out(settled, pieces, index.aggregates()), tidy=False, owner=None)


def discard(journal: Path) -> None:
    """Remove the index of ``journal``, if any."""
    discard_index(path_for(journal))


def discard_index(where: Path) -> None:
    with contextlib.suppress(OSError):
        where.unlink(missing_ok=True)
