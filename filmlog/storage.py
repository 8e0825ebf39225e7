"""The journal file: strict reads, one read API, locked read-modify-write.

The file is a TinyDB database (one JSON object of tables), but filmlog never
lets TinyDB touch the disk: TinyDB's stock JSONStorage rewrites the file in
place, so a crash or a second writer could truncate it. Instead a transaction
takes the sidecar lock, reads and checks the file once, hands the tables to a
:class:`~filmlog.session.Session` to change in memory, and writes the result
once through :func:`filmlog.files.atomic_write`. Just before the replace, the
old file is kept as a rotating backup (see :mod:`filmlog.backups`).

Reads parse the file directly; :meth:`Journal.find` and its siblings are what
commands call. The format lives in :mod:`filmlog.schema`, the byte scan that
keeps bodies in the file in :mod:`filmlog.scan`, the word prefilter in
:mod:`filmlog.prefilter`.
"""

from __future__ import annotations

import os
import weakref
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import accumulate, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic

import orjson

from filmlog import index, paths, scan
from filmlog.errors import CorruptJournal, InvalidInput, NotFound, StorageError
from filmlog.files import atomic_write, fsync_folder, temp_files
from filmlog.lock import FileLock
from filmlog.model import SUMMARY_FIELDS, Review, ReviewSummary
from filmlog.scan import body_spans, loads, review_starts
from filmlog.schema import (
    CONFLICTS_TABLE,
    FORMAT_NAME,
    META_ID,
    META_TABLE,
    REVIEWS_TABLE,
    SCHEMA_VERSION,
    SIDE_TABLES,
    TOMBSTONES_TABLE,
    Built,
    Documents,
    FormatProblem,
    check_format,
    documents_of,
    empty_tables,
    from_doc,
    now,
    reviews_of,
)

if TYPE_CHECKING:
    from filmlog import backups
    from filmlog.prefilter import Layout
    from filmlog.query import Filters
    from filmlog.session import Session
    from filmlog.stats import History, Stats

# Names that moved to the modules above, still importable from here.
__all__ = [
    "CONFLICTS_TABLE",
    "FORMAT_NAME",
    "META_ID",
    "META_TABLE",
    "REVIEWS_TABLE",
    "SCHEMA_VERSION",
    "SIDE_TABLES",
    "TOMBSTONES_TABLE",
    "Bodies",
    "Documents",
    "Found",
    "Journal",
    "atomic_write",
    "default_path",
    "fsync_folder",
    "now",
    "parse_journal",
    "serialise",
    "serialised",
    "temp_files",
]


def default_path() -> Path:
    """The journal used when no ``--db`` is given: ``FILMLOG_DB``, the config's, the data folder."""
    env = os.environ.get("FILMLOG_DB")
    if env:
        return Path(env).expanduser()
    from filmlog.config import load

    configured = load().get("journal")
    if configured is not None:
        return Path(configured).expanduser()
    folder = paths.plain_user_folder("XDG_DATA_HOME", ".local/share")
    if folder is None:
        from platformdirs import user_data_path

        folder = user_data_path("filmlog", appauthor=False)
    return folder / "journal.json"


class Bodies:
    """The review bodies of one read, left in the file until asked for.

    Showing one review of ten thousand, or the twenty a search finds, decodes
    twenty strings instead of every essay in the journal, and the file's bytes
    need not stay in memory: each body is read back from the file descriptor of
    the read (the same file even if a writer has replaced the journal since,
    because writers never change a journal file in place).
    """

    __slots__ = ("__weakref__", "_layout", "_path", "_source", "_spans")

    def __init__(
        self,
        source: bytes | int,
        spans: dict[int, tuple[int, int]],
        path: Path,
        layout: Layout | None = None,
    ) -> None:
        self._source = source  # the file's bytes, or an open descriptor this object closes
        self._spans = spans
        self._path = path
        self._layout = layout  # where the reviews lie, for word_candidates
        if isinstance(source, int):
            weakref.finalize(self, os.close, source)

    def _read(self, start: int, stop: int) -> bytes:
        if isinstance(self._source, bytes):
            return self._source[start:stop]
        return os.pread(self._source, stop - start, start)

    def word_matches(self, words: list[str]) -> set[int] | None:
        """None: without an index, words are found by :meth:`word_candidates` and reading."""
        return None

    def word_candidates(self, words: list[str]) -> set[int] | None:
        """IDs of the reviews whose stored text, folded, could hold every folded word; None
        when the words or the file do not allow it (see :func:`filmlog.prefilter.candidates`)."""
        if self._layout is None:
            return None
        from filmlog.prefilter import candidates

        return candidates(self._read, self._layout, words)

    def _changed(self) -> StorageError:
        return StorageError(f"journal {self._path} changed while it was read; run it again")

    def _literal(self, span: tuple[int, int]) -> bytes:
        start, stop = span
        literal = self._read(start, stop)
        if len(literal) != stop - start or literal[:1] != b'"' or literal[-1:] != b'"':
            raise self._changed()
        return literal

    def text(self, review_id: int) -> str | None:
        """The body of review ``review_id``; None when it has none."""
        span = self._spans.get(review_id)
        if span is None:
            return None
        try:
            text = orjson.loads(self._literal(span))
        except orjson.JSONDecodeError:
            raise self._changed() from None
        return text if isinstance(text, str) else None

    def encoded(self, review_id: int) -> bytes | None:
        """The body as the file has it: JSON-escaped UTF-8, without its quotes."""
        span = self._spans.get(review_id)
        return None if span is None else self._literal(span)[1:-1]

    def document(self, review_id: int, doc: Mapping[str, Any], body: bool) -> Mapping[str, Any]:
        """Review ``review_id``'s whole document, ``doc`` as :meth:`Journal.browse` gave it,
        with its body if ``body``."""
        if not body or review_id not in self._spans:
            return doc
        return {**doc, "body": self.text(review_id)}


class Indexed:
    """The reviews of one read through the index: each parsed from the journal when asked.

    Like :class:`Bodies`, it reads from the descriptor of the journal version the
    index matched. Each review read is checked against the index (its UUID and
    title): a mismatch, which only a changed file or a wrong index could cause,
    discards the index and stops the command rather than answer wrongly.
    """

    __slots__ = ("__weakref__", "_fd", "_index", "_path", "_status")

    def __init__(self, fd: int, found: index.Index, path: Path, status: os.stat_result) -> None:
        self._fd = fd
        self._index = found
        self._path = path
        self._status = status
        weakref.finalize(self, os.close, fd)

    def _read(self, start: int, stop: int) -> bytes:
        return os.pread(self._fd, stop - start, start)

    @property
    def _journal(self) -> Path:
        return Path(os.path.realpath(self._path))

    def _object(self, position: int) -> bytes:
        return self._read(self._index.starts[position], self._index.stops[position])

    def _whole(self, review_id: int) -> dict[str, Any] | None:
        position = self._index.position(review_id)
        if position is None:
            return None
        try:
            doc = orjson.loads(self._object(position))
        except orjson.JSONDecodeError:
            doc = None
        column = self._index.column
        if (
            isinstance(doc, dict)
            and doc.get("uuid") == column("uuid")[position]
            and doc.get("title") == column("title")[position]
        ):
            return doc
        index.discard(self._journal)
        raise StorageError(f"journal {self._path} changed while it was read; run it again")

    def document(self, review_id: int, doc: Mapping[str, Any], body: bool) -> Mapping[str, Any]:
        """Review ``review_id``'s whole document, parsed from the journal, with its body
        if ``body``."""
        whole = self._whole(review_id)
        if whole is None:
            return doc
        if not body and "body" in whole:
            whole["body"] = None
        return whole

    def text(self, review_id: int) -> str | None:
        whole = self._whole(review_id)
        body = None if whole is None else whole.get("body")
        return body if isinstance(body, str) else None

    def encoded(self, review_id: int) -> bytes | None:
        """The review's whole object as stored: it holds the body's bytes (and more)."""
        position = self._index.position(review_id)
        return None if position is None else self._object(position)

    def documents(self, fields: Collection[str]) -> Documents | None:
        """Every review's document with ``fields`` (see :meth:`filmlog.index.Index.documents`);
        None when the index turns out damaged (and was removed)."""
        with suppress(index.Damaged):
            return self._index.documents(fields)
        return None

    def answers(self, words: list[str]) -> bool:
        """Whether :meth:`word_matches` answers a search for ``words`` (as typed)."""
        from filmlog.query import folded

        return index.searchable(folded(words))

    def word_matches(self, words: list[str]) -> set[int] | None:
        """The reviews that hold every word (see :meth:`filmlog.index.Index.word_matches`).

        An index written since the journal last changed may not hold the reviews'
        words yet: the first word search finds them and adds them to it.
        """
        found = self._index
        missing = found.wordless()
        if missing and index.searchable(words):
            encoded = found.with_words({number: self._words(number) for number in missing})
            kept = found.aggregates()  # of this version still
            index.write(
                self._journal, self._status, encoded, self._checksum, tidy=False, aggregates=kept
            )
            found = self._index = index.Index.decode(encoded, index.path_for(self._journal), kept)
        return found.word_matches(words)

    def keep(self, key: str, aggregate: bytes) -> None:
        """Rewrite the index with ``aggregate`` of this version under ``key`` (see
        :meth:`Journal.stats`), and the columns and aggregates it holds; never fails.

        Unlocked: should a writer replace the journal meanwhile, the index rewritten
        still names the version read, so the next read finds it stale.
        """
        found = self._index
        if not os.access(self._journal.parent, os.W_OK):
            return
        try:
            columns = found.stored()
        except index.Damaged:
            return
        kept = {name: piece for name, piece in found.aggregates().items() if name != key}
        encoded = [found.table(), *columns]
        index.write(
            self._journal,
            self._status,
            encoded,
            self._checksum,
            tidy=False,
            aggregates={**kept, key: aggregate},
        )

    def _words(self, chunk: int) -> list[str]:
        """The words of chunk ``chunk``'s reviews (see :func:`filmlog.index.words_of`)."""
        from filmlog.query import fields_text

        texts = []
        ids = self._index.ids
        for position in self._index.chunk_positions(chunk):
            doc = self._whole(ids[position])
            body = doc.get("body") if doc is not None else None
            texts.append(
                index.words_of(fields_text(doc or {}), body if isinstance(body, str) else None)
            )
        return texts

    def _checksum(self) -> int:
        return zlib.crc32(self._read(0, self._status.st_size))

    def word_candidates(self, words: list[str]) -> set[int] | None:
        from filmlog.prefilter import candidates

        found = self._index
        starts = sorted(zip(found.starts, found.ids, strict=True))
        if not starts:
            return set()
        from filmlog.prefilter import Layout

        return candidates(self._read, Layout.from_starts(starts, self._status.st_size), words)


def parse_journal(raw: bytes | bytearray, path: Path, *, check: bool = True) -> dict[str, Any]:
    """Parse and check a journal's bytes; CorruptJournal (naming ``path``) if they are not one.

    ``check=False`` leaves the reviews' fields to the caller (see :mod:`filmlog.validation`).
    """
    try:
        data = loads(raw)
    except orjson.JSONDecodeError as exc:
        what = "is empty" if not raw.strip() else f"is not valid JSON ({json_position(exc, raw)})"
        raise CorruptJournal(f"journal {path} {what}; it was left unchanged") from None
    problem, schema = check_format(data)
    if problem is FormatProblem.NOT_A_JOURNAL:
        raise CorruptJournal(f"{path} is not a filmlog journal; it was left unchanged")
    if problem is FormatProblem.INVALID_SCHEMA:
        raise CorruptJournal(f"journal {path} has an invalid schema version; it was left unchanged")
    if problem is FormatProblem.NEWER_SCHEMA:
        raise CorruptJournal(
            f"journal {path} was written by a newer filmlog (schema {schema}, this one reads "
            f"up to {SCHEMA_VERSION}); upgrade filmlog to use it"
        )
    reviews = data.get(REVIEWS_TABLE, {})
    if not isinstance(reviews, dict) or not all(isinstance(d, dict) for d in reviews.values()):
        raise CorruptJournal(f"journal {path} has a damaged reviews table; it was left unchanged")
    data.setdefault(REVIEWS_TABLE, reviews)
    _check_side_tables(data, path)
    if check:
        from filmlog import validation  # not on the reads the index answers

        validation.check(data[META_TABLE][str(META_ID)], reviews, path, len(raw))
    checked: dict[str, Any] = data
    return checked


def json_position(exc: orjson.JSONDecodeError, raw: bytes | bytearray) -> str:
    """orjson's reason, and where it stopped as a byte offset (orjson counts characters)."""
    text = bytes(raw).decode("utf-8", "replace")
    offset = len(text[: exc.pos].encode("utf-8", "surrogatepass"))
    return f"{exc.msg} at byte {offset:,}, line {exc.lineno} column {exc.colno}"


def _check_side_tables(data: dict[str, Any], path: Path) -> None:
    """Tables beside the reviews (tombstones, merge conflicts) must be tables of records."""
    for name in SIDE_TABLES:
        table = data.get(name, {})
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            what = f"journal {path} has a damaged {name} table"
            raise CorruptJournal(f"{what}; it was left unchanged")


def serialise(data: dict[str, Any]) -> bytes:
    """Encode the tables as JSON; refuses what JSON cannot hold rather than writing it."""
    return b"".join(serialised(data))


_REVIEWS_PER_PIECE = 256


def serialised(data: dict[str, Any], spans: index.Places | None = None) -> Iterator[bytes]:
    """:func:`serialise` in pieces of a few hundred reviews, to be written one after another.

    Encoding a large journal in one piece builds the whole file in memory, in a
    buffer that grows as it fills; in pieces, each piece reuses the memory of
    the one before.

    Each table starts a line, and each record of the reviews and tombstones
    tables has a line of its own, so that a diff (``git log -p``) shows which
    reviews changed. The comma leads the line, so adding a review at the end
    adds one line and changes none. The reviews come last (see :func:`_reviews_last`).

    ``spans``: where each review's object (``{`` to ``}``) lies in the bytes produced is
    noted there, for the index (see :mod:`filmlog.index`).
    """
    try:
        # Compact within a line: a tenth smaller than indented JSON, and faster to read.
        if not data:
            yield b"{}\n"
            return
        offset = 0
        for index, (name, table) in enumerate(_reviews_last(data)):
            piece = (b"{" if index == 0 else b"\n,") + orjson.dumps(name) + b":"
            offset += len(piece)
            yield piece
            if name == META_TABLE or not isinstance(table, dict) or not table:
                piece = orjson.dumps(table)
                offset += len(piece)
                yield piece
            else:
                wanted = spans if name == REVIEWS_TABLE else None
                for piece in _one_per_line(table, offset, wanted):
                    offset += len(piece)
                    yield piece
        yield b"}\n"
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise InvalidInput(f"cannot save the journal: {exc}") from None


# What ends each record's line. bench/layout.py sets it to b"" to time the same writer
# writing one line.
_LINE_BREAK = b"\n"


def _one_per_line(
    table: dict[str, Any], offset: int, spans: index.Places | None
) -> Iterator[bytes]:
    """``{`` newline ``"1":{...}`` newline ``,"2":{...}`` ... newline ``}``, in pieces.

    ``offset``: where the table begins in the file, for ``spans``.

    The records of a piece are encoded in one call, as a list with :data:`_MARK`
    after each, and cut where the marks are. Encoding each record alone costs
    a call and a new buffer each: at 10,000 reviews, a tenth more for the whole write.
    Each record's line is four parts: the line's start, its key, ``":`` and the record,
    so that but for the byte search and the cut everything per record is done in C.
    """
    dumps = orjson.dumps
    opener = _LINE_BREAK + b',"'
    keys = list(table)
    records = list(table.values())
    joined = "".join(keys)
    if joined.isascii() and joined.isdigit():  # IDs, as filmlog writes them: no escapes
        names = list(map(str.encode, keys))
    else:  # anything else is JSON-escaped, as orjson escapes keys
        names = [dumps(key)[1:-1] for key in keys]
    for start in range(0, len(keys), _REVIEWS_PER_PIECE):
        chunk = records[start : start + _REVIEWS_PER_PIECE]
        count = len(chunk)
        marked: list[Any] = [_MARK] * (2 * count)
        marked[::2] = chunk
        encoded = dumps(marked)  # [r1,<NUL>,r2,<NUL>,...,rN,<NUL>]
        find = encoded.find
        marks = [-1]  # a record begins two bytes past the mark before it (past "<NUL>,")
        append = marks.append
        mark = -1
        for _ in repeat(None, count):
            mark = find(0, mark + 2)
            append(mark)
        if mark != len(encoded) - 2:  # the last mark is followed by "]"
            raise InvalidInput("cannot save the journal: a record could not be told apart")
        view = memoryview(encoded)
        parts: list[bytes | memoryview] = [opener] * (4 * count)
        parts[1::4] = names[start : start + count]
        parts[2::4] = repeat(b'":', count)
        # Each record runs from two bytes past the mark before it to the comma before its own.
        begins = map((2).__add__, marks)
        ends = map((-1).__add__, marks[1:])
        parts[3::4] = map(view.__getitem__, map(slice, begins, ends))
        if start == 0:  # as long as the opener it replaces, so the lengths below stand
            parts[0] = b"{" + _LINE_BREAK + b'"'
        if spans is not None:
            places = list(accumulate(map(len, parts), initial=offset))
            spans.note(keys[start : start + count], places[3::4], places[4::4])
        piece = b"".join(parts)
        del parts, view  # the views hold the encoded piece
        offset += len(piece)
        yield piece
    yield _LINE_BREAK + b"}"


# Written after each record of a piece: a NUL byte, which no JSON orjson writes holds
# (it escapes every control character in text), so that a byte search finds each record's end.
_MARK = orjson.Fragment(b"\x00")


def _reviews_last(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """The tables in order with the reviews last: the fast reads expect the file to end there."""
    return sorted(data.items(), key=lambda item: item[0] == REVIEWS_TABLE)


@dataclass(frozen=True, slots=True)
class Found(Generic[Built]):
    """What a read found: the reviews asked for, how many matched, how many there are."""

    reviews: list[Built]
    matched: int  # reviews the filters selected, before any limit
    total: int  # reviews in the journal


class Journal:
    """One journal file. Reads need no lock; every change goes through :meth:`transaction`."""

    def __init__(self, path: Path, *, lock_timeout: float | None = None) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.removed: list[Path] = []  # leftover temporary files the last write removed

    @property
    def target(self) -> Path:
        """The real file behind ``path``: a symlinked journal is written through, not replaced."""
        return Path(os.path.realpath(self.path))

    @property
    def lock_path(self) -> Path:
        target = self.target
        return target.with_name(target.name + ".lock")

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn a failed read into StorageError; FileNotFoundError (no journal yet) passes."""
        paths.check_journal(self.path)
        try:
            yield
        except FileNotFoundError:
            raise
        except IsADirectoryError:
            raise StorageError(f"journal {self.path} is a folder, not a file") from None
        except OSError as exc:
            raise StorageError(f"cannot read journal {self.path}: {exc.strerror or exc}") from exc

    def read_bytes(self) -> bytes | None:
        """The file's bytes, or None when there is no journal yet."""
        read = self.read_with_status()
        return None if read is None else read[0]

    def read_with_status(self) -> tuple[bytes, os.stat_result] | None:
        """The file's bytes and the status of the file they were read from; None when there
        is no journal yet."""
        try:
            with self._reading(), open(self.target, "rb") as file:
                return file.read(), os.fstat(file.fileno())
        except FileNotFoundError:
            return None

    def load(self) -> dict[str, Any]:
        """The checked tables; empty when the file does not exist yet (nothing is written)."""
        with self._explained():
            raw = self.read_bytes()
            return empty_tables() if raw is None else parse_journal(raw, self.path)

    def side_tables(self) -> dict[str, Any]:
        """The checked tables but the reviews' (left empty): the ID counter, tombstones,
        the watchlist and the rest.

        With an index that matches the journal, only the bytes before the reviews
        are read: filmlog writes the reviews table last, and the index was made from
        this very version, checked whole. Otherwise the journal is read as by
        :meth:`load`.
        """
        opened = self._open()
        if opened is None:
            return empty_tables()
        fd, _, found = opened
        try:
            if found is not None and found.starts:
                head = os.pread(fd, min(found.starts), 0)
                opening = orjson.dumps(REVIEWS_TABLE) + b":{"
                # Only the ID of the first review lies between the table's opening and it.
                cut = head.rfind(opening)
                if cut >= 0:
                    with suppress(CorruptJournal):
                        return parse_journal(head[:cut] + opening + b"}}", self.path, check=False)
        finally:
            os.close(fd)
        tables = self.load()
        tables[REVIEWS_TABLE] = {}
        return tables

    def browse(
        self, *, words: bool = False, fields: Collection[str] | None = None
    ) -> tuple[Documents, Bodies | Indexed]:
        """Every stored review document with its ID, in ID order, each body left in the file.

        Not yet built into Reviews: filtering and sorting the documents first, and
        building only the reviews shown (whole, from :meth:`Bodies.document`), keeps
        a read of a large journal close to the cost of reading it, or, with the
        index (see :mod:`filmlog.index`), of reading the fields asked for. ``fields``:
        the stored fields the caller reads (every one when None); documents may hold
        only those. ``words``: also note where each review begins, for
        :meth:`Bodies.word_candidates`.
        """
        opened = self._open()
        if opened is None:
            return [], Bodies(b"", {}, self.path)
        return self._browse_open(*opened, words=words, fields=fields)

    def _open(self) -> tuple[int, os.stat_result, index.Index | None] | None:
        """A descriptor of the journal, its status and the index that matches it if any;
        None when there is no journal yet."""
        try:
            with self._reading():
                fd = os.open(self.target, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            return None
        try:
            status = os.fstat(fd)
            found = None
            if hasattr(os, "pread"):  # the index's reviews are read back by offset
                found = index.load(self.target, status, lambda: _pread_all(fd, status))
        except BaseException:
            with suppress(OSError):
                os.close(fd)
            raise
        return fd, status, found

    def _browse_open(
        self,
        fd: int,
        status: os.stat_result,
        found: index.Index | None,
        *,
        words: bool,
        fields: Collection[str] | None,
    ) -> tuple[Documents, Bodies | Indexed]:
        """:meth:`browse` of the journal :meth:`_open` opened (the descriptor is handed on)."""
        with self._explained():
            try:
                if found is not None:
                    with suppress(index.Damaged):  # removed: read the journal itself
                        docs = found.documents(fields)
                        return docs, Indexed(fd, found, self.path, status)
                with self._reading(), open(fd, "rb", closefd=False) as file:
                    raw = file.read()
                if not hasattr(os, "pread"):  # Windows: keep the bytes; writers replace the file
                    os.close(fd)
                    return self._browse([raw], None, words, status)
                return self._browse([raw], fd, words, status)
            except BaseException:
                with suppress(OSError):
                    os.close(fd)
                raise

    def _browse(
        self, box: list[bytes], fd: int | None, words: bool, status: os.stat_result
    ) -> tuple[Documents, Bodies]:
        raw = box.pop()  # the only reference, so that it can go before the parse
        scanned = body_spans(raw)
        if scanned is not None:
            spans, nulls = scanned
            size = len(raw)
            # Where the reviews begin: for the index, and for a word search when some
            # reviews have no body (else the bodies are enough, see Layout).
            starts = review_starts(raw, spans)
            objects = scan.object_spans(raw, starts)
            checksum = zlib.crc32(raw) if index.is_racy(status) else None
            marked = scan.marked(raw, spans)
            if fd is not None:
                del raw  # the bodies stay in the file: parse with half the memory
            try:
                tables = parse_journal(marked, self.path, check=False)
            except CorruptJournal:
                # Said again by parsing the file itself: a position in `marked` means nothing.
                parse_journal(raw if fd is None else os.pread(fd, size, 0), self.path)
                raise
            found = documents_of(tables, self.path)
            parsed = len(marked)
            del marked
            where: dict[int, tuple[int, int]] = {}
            for review_id, doc in found:
                marker = doc.get("body")
                if type(marker) is int and 0 <= marker < len(spans):
                    where[review_id] = spans[marker]
                    doc["body"] = None
            # Bodies are strings (the scan found them so): the check reads the rest, and when
            # it finds damage the full parse below says what it is.
            from filmlog import validation
            from filmlog.prefilter import Layout

            # Every field a column at a time, once: for the check and for the index.
            whole = len(where) == len(spans)
            table = index.table_of([doc for _, doc in found]) if whole else None
            if whole and validation.passes(
                tables[META_TABLE][str(META_ID)], tables[REVIEWS_TABLE], parsed, spans, table
            ):
                in_order = sorted(i for _, i in starts) == [i for i, _ in found]
                if fd is not None and objects is not None and in_order:
                    self._index(found, objects, status, checksum, table)
                layout = None
                if words and where and len(where) == len(found):
                    layout = Layout.from_bodies(where, size)
                elif words and nulls and in_order:
                    layout = Layout.from_starts(starts, size)
                return found, Bodies(raw if fd is None else fd, where, self.path, layout)
            # A "body" key outside a review, or damage: read everything the ordinary way.
            raw = os.pread(fd, os.fstat(fd).st_size, 0) if fd is not None else raw
        # Damaged (the full parse says how), or unusual: decode everything, serve it alike.
        found = documents_of(parse_journal(raw, self.path), self.path)
        pieces: list[bytes] = []
        where = {}
        size = 0
        for review_id, doc in found:
            body = doc.get("body")
            if isinstance(body, str):
                piece = orjson.dumps(body)
                where[review_id] = (size, size + len(piece))
                pieces.append(piece)
                size += len(piece)
                doc["body"] = None
        if fd is not None:
            os.close(fd)
        return found, Bodies(b"".join(pieces), where, self.path)

    def _index(
        self,
        found: Documents,
        objects: dict[int, tuple[int, int]],
        status: os.stat_result,
        checksum: int | None,
        table: dict[str, list[Any]] | None = None,
    ) -> None:
        """Index the version just read and checked, for the reads after this one (``table``:
        its fields a column at a time, if made already; see :func:`filmlog.index.table_of`)."""
        target = self.target
        if len(objects) != len(found) or not os.access(target.parent, os.W_OK):
            return
        encoded = index.encode(found, objects, table=table)
        index.write(
            target, status, encoded, None if checksum is None else lambda: checksum, tidy=False
        )

    def reviews(self) -> list[Review]:
        """Every review, in ID order."""
        with self._explained():
            return reviews_of(self.load(), self.path)

    def find(
        self,
        filters: Filters | None = None,
        order: str | None = None,
        *,
        reverse: bool = False,
        limit: int | None = None,
        bodies: bool = False,
    ) -> Found[Review]:
        """The reviews ``filters`` select, sorted by ``order`` (see :func:`filmlog.query.order`;
        ID order when None), at most ``limit`` of them, bodies only with ``bodies``.

        The journal is read once with its bodies left in the file; the filters run
        on the stored documents, a word search reads only the bodies that could
        hold the words, and only the reviews returned are built.
        """
        from filmlog import query

        chosen = filters if filters is not None else query.Filters()
        fields = chosen.fields(words=False)
        if order is not None:
            fields.add(query.SORT_FIELDS[order])
        everything, stored, picked = self._selected(chosen, fields)
        if order is not None:
            picked = query.order(picked, order, reverse=reverse)
        wanted = picked if limit is None else picked[:limit]
        whole = [(review_id, stored.document(review_id, doc, bodies)) for review_id, doc in wanted]
        return Found(self._build(Review, whole), len(picked), len(everything))

    def for_export(self, filters: Filters | None = None) -> list[Review]:
        """The reviews ``filters`` select, whole, in ID order."""
        return self.find(filters, bodies=True).reviews

    def summaries(self, filters: Filters | None = None) -> Found[ReviewSummary]:
        """Like :meth:`find`, every match with only the fields statistics read (no bodies)."""
        from filmlog import query

        chosen = filters if filters is not None else query.Filters()
        everything, _, picked = self._selected(
            chosen, chosen.fields(words=False) | {*SUMMARY_FIELDS}
        )
        return Found(self._build(ReviewSummary, picked), len(picked), len(everything))

    def stats(
        self, filters: Filters | None = None, *, year: int | None = None, top: int | None = None
    ) -> tuple[Stats, int]:
        """The statistics of the reviews ``filters`` select (see :func:`filmlog.stats.compute`,
        which ``year`` and ``top`` are for; None: its default), and how many reviews the
        journal holds.

        Computed once per journal version: a read through the index keeps the result
        in it, under a key naming everything it depends on (see
        :func:`filmlog.stats.cache_key`), and the next read with that key reads it
        back without building a review. A read that makes the index keeps it there
        too; without an index it is computed each time.
        """
        from filmlog import query
        from filmlog import stats as st

        chosen = filters if filters is not None else query.Filters()
        top = st.DEFAULT_TOP if top is None else top
        key = st.cache_key(chosen, year, top)
        opened = self._open()
        if opened is None:
            return st.compute([], year=year, top=top), 0
        fd, status, found = opened
        kept = None if found is None else found.aggregate(key)
        if found is not None and kept is not None:
            with suppress(ValueError, TypeError, orjson.JSONDecodeError):
                result = st.Stats.from_plain(orjson.loads(kept))
                os.close(fd)
                return result, len(found.ids)
        fields = chosen.fields(words=False) | {*SUMMARY_FIELDS}
        browsed = self._browse_open(fd, status, found, words=bool(chosen.words), fields=fields)
        everything, stored, picked = self._selected(chosen, fields, browsed)
        result = st.compute(self._build(ReviewSummary, picked), year=year, top=top)
        keeper = stored if isinstance(stored, Indexed) else self._just_indexed(status)
        if keeper is not None:
            with suppress(TypeError):  # orjson's JSONEncodeError: not kept, merely slower
                keeper.keep(key, orjson.dumps(result.to_plain()))
        return result, len(everything)

    def _just_indexed(self, status: os.stat_result) -> Indexed | None:
        """The index a read without one has just made of the version ``status`` describes,
        if it made one and that version is still the journal."""
        opened = self._open()
        if opened is None:
            return None
        fd, now, found = opened
        if found is None or index.stamp_of(now) != index.stamp_of(status):
            os.close(fd)
            return None
        return Indexed(fd, found, self.path, now)

    def _selected(
        self,
        chosen: Filters,
        fields: set[str],
        browsed: tuple[Documents, Bodies | Indexed] | None = None,
    ) -> tuple[Documents, Bodies | Indexed, list[tuple[int, Mapping[str, Any]]]]:
        """Every document with ``fields`` (at least), where the reviews are, and those
        ``chosen`` selects; ``browsed``: what :meth:`browse` gave for ``fields``, if done.

        A word search the index's words answer reads none of the fields the words
        are otherwise looked for in (title, cast...): they are read only when it
        cannot (see :meth:`filmlog.index.Index.word_matches`).
        """
        from filmlog import query

        everything, stored = browsed or self.browse(words=bool(chosen.words), fields=fields)
        if chosen.words and isinstance(stored, Indexed) and not stored.answers(chosen.words):
            wider = fields | set(query.WORD_FIELDS)
            found = stored.documents(wider)
            if found is None:  # damaged, so removed: read the journal itself
                everything, stored = self.browse(words=True, fields=wider)
            else:
                everything = found
        return everything, stored, query.select(everything, chosen, stored)

    def history(self, title: str) -> History:
        """Every viewing of the film ``title`` names (see :func:`filmlog.stats.history`).

        Every review is built without its body to find the film; only its own
        viewings' bodies are read.
        """
        from filmlog.stats import history

        everything, stored = self.browse()
        found = history(self._build(Review, everything), title)
        for viewing in found.viewings:
            if viewing.review.id is not None:
                viewing.review.body = stored.text(viewing.review.id)
        return found

    def _build(
        self, kind: type[Built], items: Iterable[tuple[int, Mapping[str, Any]]]
    ) -> list[Built]:
        """The reviews (or summaries) of documents from :meth:`browse`, in the order given."""
        with self._explained():
            return [from_doc(kind, doc, review_id, self.path) for review_id, doc in items]

    def get(self, review_id: int) -> Review:
        """One review by ID; raises NotFound."""
        return self.get_many([review_id])[0]

    def get_many(self, review_ids: Iterable[int]) -> list[Review]:
        """Reviews by ID in the order given, reading the file once; NotFound for an unknown ID."""
        everything, stored = self.browse(fields=())  # decodes only the reviews asked for
        docs = dict(everything)
        found = []
        for review_id in review_ids:
            doc = docs.get(review_id)
            if doc is None:
                raise NotFound(f"no review with ID {review_id}")
            whole = stored.document(review_id, doc, True)
            with self._explained():
                found.append(from_doc(Review, whole, review_id, self.path))
        return found

    def reindex(self) -> str:
        """Check the index (see :mod:`filmlog.index`) and rebuild it unless current.

        Returns what was found: "current", "rebuilt" (it was missing, stale or
        damaged), or "not kept" (the journal's folder cannot hold it, or the
        file is not laid out as filmlog writes it: reads parse the journal).
        """
        if not self.target.exists():
            return "not kept"
        if self._index_current():
            return "current"
        index.discard(self.target)
        self.browse()
        return "rebuilt" if self._index_current() else "not kept"

    def _index_current(self) -> bool:
        try:
            with open(self.target, "rb") as file:
                status = os.fstat(file.fileno())
                read = lambda: os.pread(file.fileno(), status.st_size, 0)  # noqa: E731
                return index.load(self.target, status, read) is not None
        except OSError:
            return False

    @contextmanager
    def locked(self, *, create: bool = False) -> Iterator[None]:
        """Hold the journal's lock, for changes made outside :meth:`transaction`.

        ``create``: a new journal was asked for, even behind a symlink to nowhere.
        """
        paths.check_journal(self.path, create=create)
        folder = self.target.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot create the journal's folder {folder}: {exc.strerror or exc}"
            ) from exc
        with FileLock(self.lock_path, self.lock_timeout, journal=self.path):
            yield

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Lock, read once, yield a session; write once at the end if anything changed.

        If the body raises, nothing is written and the file stays as it was.
        The version replaced is kept as a rotating backup.
        """
        from filmlog.session import Session  # TinyDB is imported by writes only

        target = self.target
        with self.locked(), self._explained():
            read = self.read_with_status()
            replaced = _Replaced.of(target, read)
            # A journal its index matches was checked whole when the index was made.
            tables = (
                empty_tables()
                if read is None
                else parse_journal(read[0], self.path, check=replaced is None)
            )
            session = Session(tables, self.path)
            yield session
            if session.changed:
                tables = session.tables()
                # A journal of an older schema is migrated by its first write (after the
                # backup of the version it replaces): its documents are read as they are.
                tables[META_TABLE][str(META_ID)]["schema"] = SCHEMA_VERSION
                self.removed = _write(target, tables, replaced)

    @contextmanager
    def _explained(self) -> Iterator[None]:
        """Add to a CorruptJournal which backups exist (see CorruptJournal.backups)."""
        try:
            yield
        except CorruptJournal as exc:
            # Not for a newer schema: that is no damage, and an older backup the wrong advice.
            if exc.backups is None and not self._newer_schema():
                from filmlog import backups

                kept = backups.list_backups(self.target)
                exc.journal, exc.backups = self.path, [backup.path for backup in kept]
                exc.message += self._recovery_hint(kept)
                exc.args = (exc.message,)
            raise

    def _newer_schema(self) -> bool:
        try:
            data = orjson.loads(self.read_bytes() or b"{}")
        except (orjson.JSONDecodeError, StorageError):
            return False
        return check_format(data)[0] is FormatProblem.NEWER_SCHEMA

    def _recovery_hint(self, kept: list[backups.Backup]) -> str:
        from filmlog import backups

        where = backups.folder(self.target)
        if not kept:
            return f"; there are no backups of it in {where}"
        names = ", ".join(backup.name for backup in kept)
        return f"; backups in {where} (newest first): {names}"


def _write(target: Path, tables: dict[str, Any], replaced: _Replaced | None = None) -> list[Path]:
    """Write the journal, keeping the version it replaces as the newest rotating backup,
    then its index (see :mod:`filmlog.index`).

    A backup is never a condition of the write: if it cannot be made the write
    goes ahead (were the disk full, the write itself fails next, with its own
    clear error), and if the write fails the backup just made (a duplicate of
    the unchanged journal) is removed again. Nor is the index: a write that
    cannot index leaves the index stale, and the next read rebuilds it.
    ``replaced``: the version replaced and its index, to index the reviews the
    write left unchanged by copying.

    Returns the temporary files of earlier, interrupted writes it removed.
    """
    from filmlog import backups

    keep = backups.keep_count()

    def keep_old() -> Callable[[], None] | None:
        try:
            saved = backups.save(target)
        except (OSError, StorageError):
            # Losing one backup beats losing the change; `filmlog doctor` lists what is kept.
            return None
        return None if saved is None else lambda: backups.discard(saved)

    spans = index.Places()
    checksum = 0
    # Kept to compare with the version replaced, if indexed: the pieces themselves, with
    # where each begins (one buffer of them all would copy the journal once more).
    written: list[tuple[int, bytes]] = []
    offset = 0

    def pieces() -> Iterator[bytes]:
        nonlocal checksum, offset
        for piece in serialised(tables, spans):
            checksum = zlib.crc32(piece, checksum)
            if replaced is not None:
                written.append((offset, piece))
                offset += len(piece)
            yield piece

    removed = atomic_write(
        target,
        pieces(),
        private=True,
        before_replace=keep_old if keep else None,
        what="journal",
    )
    docs = documents_of(tables, target)
    try:
        # Should another program replace the journal meanwhile, the checksum of what was
        # written, which a version this new must match (see index.is_racy), tells.
        status = os.stat(target)
    except OSError:
        index.discard(target)
    else:
        encoded = (
            index.encode(docs, spans) if replaced is None else replaced.update(written, docs, spans)
        )
        index.write(target, status, encoded, lambda: checksum, tidy=True)
    if keep:
        backups.prune(target, keep)
    return removed


class _Replaced:
    """The version a write replaces, with its index, so that the new version's index
    copies what did not change."""

    def __init__(self, raw: bytes, old: index.Index) -> None:
        self.raw = raw
        self.old = old

    @classmethod
    def of(cls, target: Path, read: tuple[bytes, os.stat_result] | None) -> _Replaced | None:
        if read is None:
            return None
        raw, status = read
        old = index.load(target, status, lambda: raw, settle=False)  # replaced in a moment
        return None if old is None else cls(raw, old)

    def update(
        self,
        written: list[tuple[int, bytes]],
        docs: Documents,
        spans: index.Spans,
    ) -> list[bytes]:
        """The index of the version just written (``written``: its pieces, each with where it
        begins): the chunks of reviews stored byte for byte as in the version replaced are
        copied, with the words of each such review."""
        from bisect import bisect_right

        from filmlog.query import fields_text

        old, before = self.old, self.raw
        begins = [begin for begin, _ in written]

        def same(review_id: int, start: int, stop: int) -> bool:
            position = old.position(review_id)
            if position is None:
                return False
            begin, piece = written[bisect_right(begins, start) - 1]
            if stop - begin > len(piece):  # across two pieces: serialised never cuts one so
                return False
            now = piece[start - begin : stop - begin]
            return now == before[old.starts[position] : old.stops[position]]

        def words_for(doc: Mapping[str, Any]) -> str:
            body = doc.get("body")
            return index.words_of(fields_text(doc), body if isinstance(body, str) else None)

        try:
            return index.update(old, docs, spans, same, words_for)
        except index.Damaged:
            return index.encode(docs, spans)


def _pread_all(fd: int, status: os.stat_result) -> bytes:
    """The whole file behind ``fd``, as ``status`` describes it."""
    return os.pread(fd, status.st_size, 0)
