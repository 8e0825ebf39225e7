"""The journal file: strict reads, locked read-modify-write, atomic replace.

The file is a TinyDB database (one JSON object of tables), but filmlog never
lets TinyDB touch the disk: TinyDB's stock JSONStorage rewrites the file in
place, so a crash or a second writer could truncate it. Instead a transaction
takes the sidecar lock, reads and checks the file once, lets TinyDB work on
the data in memory, and writes the result once through a temporary file,
fsync and ``os.replace``. Just before the replace, the old file is kept as a
rotating backup (see :mod:`filmlog.backups`). TinyDB itself is known only to
:mod:`filmlog.session`, which writes import; reads parse the file directly.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from filmlog import backups, clock
from filmlog.errors import CorruptJournal, InvalidInput, NotFound, StorageError
from filmlog.lock import FileLock
from filmlog.model import Review, ReviewSummary

if TYPE_CHECKING:
    from filmlog.session import Session

FORMAT_NAME = "filmlog"
SCHEMA_VERSION = 2
META_TABLE = "_filmlog"
REVIEWS_TABLE = "reviews"
META_ID = 1

Documents = list[tuple[int, dict[str, Any]]]  # stored review documents with their IDs


def default_path() -> Path:
    """The journal used when no ``--db`` is given: ``FILMLOG_DB``, the config's, the data folder."""
    env = os.environ.get("FILMLOG_DB")
    if env:
        return Path(env).expanduser()
    from filmlog.config import load

    configured = load().get("journal")
    if configured is not None:
        return Path(configured).expanduser()
    from platformdirs import user_data_path

    return user_data_path("filmlog", appauthor=False) / "journal.json"


def now() -> datetime:
    """The current moment in the local time zone, timezone-aware."""
    return clock.now()


def _empty_tables() -> dict[str, Any]:
    meta = {"format": FORMAT_NAME, "schema": SCHEMA_VERSION, "next_id": 1}
    return {META_TABLE: {str(META_ID): meta}, REVIEWS_TABLE: {}}


def _loads(raw: bytes | bytearray) -> Any:
    """orjson.loads with the cyclic garbage collector paused.

    Parsing a large journal creates hundreds of thousands of containers, and
    the collector would walk all of them again and again while they are being
    made (none of them can form a cycle). Pausing it takes a third off the
    parse; freezing the result keeps later collections from walking it too.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        data = _loads_in_pieces(raw)
        if data is None:
            data = orjson.loads(raw)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return data


_PIECE = 1 << 20
_SCAN_CHUNK = 4 << 20
_REVIEWS_OPEN = b'"reviews":{'
_NEXT_REVIEW = re.compile(rb'\},"(\d+)":\{')  # one review's end and the next one's ID


def _loads_in_pieces(raw: bytes | bytearray) -> Any:
    """The journal parsed a megabyte of reviews at a time; None if it cannot be split so.

    orjson builds a whole document tree before making Python objects of it,
    which for a large journal costs more memory than the objects. The reviews
    table is split between two reviews (``},"123":{`` cannot occur inside a
    JSON string, whose quotes are escaped) and each piece parsed alone; a split
    in the wrong place leaves a piece that is not JSON, and then the caller
    parses the whole, which also reports real damage.
    """
    opened = raw.find(_REVIEWS_OPEN)
    end = len(raw)
    while end and raw[end - 1] in _SPACE:  # not rstrip(), which would copy the whole file
        end -= 1
    if opened < 0 or end - opened < 2 * _PIECE or raw[end - 2 : end] != b"}}":
        return None
    cuts = []
    at = opened + _PIECE
    while at < end - _PIECE:
        at = raw.find(b'},"', at)
        if at < 0:
            break
        if _NEXT_REVIEW.match(raw, at):
            cuts.append(at)
            at += _PIECE
        else:
            at += 1
    if not cuts:
        return None
    view = memoryview(raw)  # each piece is copied once, into its braces
    try:
        data = orjson.loads(b"".join((view[: cuts[0] + 1], b"}}")))
        reviews = data["reviews"]
        for start, stop in zip(cuts, [*cuts[1:], end - 3], strict=True):  # each a review's "}"
            reviews.update(orjson.loads(b"".join((b"{", view[start + 2 : stop + 1], b"}"))))
    except (orjson.JSONDecodeError, TypeError, KeyError, AttributeError):
        return None
    finally:
        view.release()
    return data


_FIRST_REVIEW = re.compile(rb'"reviews":\{"(\d+)":\{')


def review_starts(raw: bytes, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where each review's object begins in ``raw``, with its ID, in file order.

    Found as :func:`_loads_in_pieces` finds its cuts, looking only between the
    bodies (``spans``), which are most of the file; the caller checks the IDs
    against the parsed table before trusting them.
    """
    first = _FIRST_REVIEW.search(raw, 0, spans[0][0] if spans else len(raw))
    if first is None:
        return []
    starts = [(first.start(1) - 1, int(first[1]))]
    gaps = [first.end(), *(stop for _, stop in spans)]
    ends = [*(start for start, _ in spans), len(raw)]
    for low, high in zip(gaps, ends, strict=True):
        at = raw.find(b'},"', low, high)
        while at >= 0:
            found = _NEXT_REVIEW.match(raw, at)
            if found is not None:
                starts.append((at + 2, int(found[1])))
            at = raw.find(b'},"', at + 3, high)
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


def _marked(raw: bytes, spans: list[tuple[int, int]]) -> bytes | bytearray:
    """``raw`` with each span replaced by its index in ``spans``.

    Built in one buffer from views of ``raw``: no copy of each piece on the way.
    """
    if not spans:
        return raw
    view = memoryview(raw)
    out = bytearray()
    kept = 0
    for index, (start, stop) in enumerate(spans):
        out += view[kept:start]
        out += str(index).encode()
        kept = stop
    out += view[kept:]
    view.release()
    return out


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

    def word_candidates(self, words: list[str]) -> set[int] | None:
        """IDs of the reviews whose stored text, folded, could hold every folded word.

        Read from the file a few megabytes at a time, every field and the body
        at once (see :func:`filmlog.folding.places`); None when the words or the
        file do not allow it. Every review that matches is among them.
        """
        from filmlog.folding import plain_words

        layout = self._layout
        if layout is None or not plain_words(words):
            return None
        # The longest word first (usually the rarest); the others only where it may be.
        head, *rest = sorted(set(words), key=len, reverse=True)
        found = self._scan(layout, [head])[head]
        if not rest:
            return found
        if len(found) * 2 <= len(layout.ranges):  # reading only theirs beats another pass
            return self._narrow(layout, found, rest)
        for holding in self._scan(layout, rest).values():
            found &= holding
        return found

    def _narrow(self, layout: Layout, among: set[int], words: list[str]) -> set[int]:
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
                if size >= _SCAN_CHUNK:
                    break
                piece = self._read(*layout.ranges[review_id])
                bounds.append(size)
                pieces.append(piece)
                size += len(piece)
            holding = set(range(len(pieces)))
            for regions in places(b"".join(pieces), words, bounds).values():
                holding &= regions
            kept.update(ordered[first + index] for index in holding)
            first += len(pieces)
        return kept

    def _scan(self, layout: Layout, words: list[str]) -> dict[str, set[int]]:
        """For each word, the reviews that could hold it, reading the file chunk by chunk."""
        from bisect import bisect_right

        from filmlog.folding import places

        offsets, owners = layout.offsets, layout.owners
        found: dict[str, set[int]] = {word: set() for word in words}
        first = 0
        while first < len(offsets):
            last = bisect_right(offsets, offsets[first] + _SCAN_CHUNK, lo=first + 1)
            begin = offsets[first]
            end = offsets[last] if last < len(offsets) else layout.size
            bounds = [offset - begin for offset in offsets[first:last]]
            for word, regions in places(self._read(begin, end), words, bounds).items():
                for index in regions:
                    found[word].update(owners[first + index])
            first = last
        return found

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

    def fill(self, review_id: int, doc: Mapping[str, Any]) -> Mapping[str, Any]:
        """``doc`` (read without its body) with its body."""
        if review_id not in self._spans:
            return doc
        return {**doc, "body": self.text(review_id)}


def parse_journal(raw: bytes | bytearray, path: Path) -> dict[str, Any]:
    """Parse and check a journal's bytes; CorruptJournal (naming ``path``) if they are not one."""
    try:
        data = _loads(raw)
    except orjson.JSONDecodeError as exc:
        what = "is empty" if not raw.strip() else f"is not valid JSON ({exc})"
        raise CorruptJournal(f"journal {path} {what}; it was left unchanged") from None
    meta = data.get(META_TABLE, {}).get(str(META_ID)) if isinstance(data, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise CorruptJournal(f"{path} is not a filmlog journal; it was left unchanged")
    schema = meta.get("schema")
    if not isinstance(schema, int) or schema < 1:
        raise CorruptJournal(f"journal {path} has an invalid schema version; it was left unchanged")
    if schema > SCHEMA_VERSION:
        raise CorruptJournal(
            f"journal {path} was written by a newer filmlog (schema {schema}, this one reads "
            f"up to {SCHEMA_VERSION}); upgrade filmlog to use it"
        )
    reviews = data.get(REVIEWS_TABLE, {})
    if not isinstance(reviews, dict) or not all(isinstance(d, dict) for d in reviews.values()):
        raise CorruptJournal(f"journal {path} has a damaged reviews table; it was left unchanged")
    data.setdefault(REVIEWS_TABLE, reviews)
    checked: dict[str, Any] = data
    return checked


def serialise(data: dict[str, Any]) -> bytes:
    """Encode the tables as JSON; refuses what JSON cannot hold rather than writing it."""
    return b"".join(serialised(data))


_REVIEWS_PER_PIECE = 256


def serialised(data: dict[str, Any]) -> Iterator[bytes]:
    """:func:`serialise` in pieces of a few hundred reviews, to be written one after another.

    Encoding a large journal in one piece builds the whole file in memory, in a
    buffer that grows as it fills; in pieces, the same bytes come out and each
    piece reuses the memory of the one before.
    """
    try:
        # Compact: a tenth smaller than indented JSON, and faster both to write and to read.
        if not data:
            yield b"{}\n"
            return
        for index, (name, table) in enumerate(_reviews_last(data)):
            yield (b"{" if index == 0 else b",") + orjson.dumps(name) + b":"
            if name != REVIEWS_TABLE or not isinstance(table, dict) or not table:
                yield orjson.dumps(table)
                continue
            items = list(table.items())
            for start in range(0, len(items), _REVIEWS_PER_PIECE):
                piece = orjson.dumps(dict(items[start : start + _REVIEWS_PER_PIECE]))
                yield b"{" if start == 0 else b","
                yield piece[1:-1]  # without its braces: "1":{...},"2":{...}
            yield b"}"
        yield b"}\n"
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise InvalidInput(f"cannot save the journal: {exc}") from None


def _reviews_last(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """The tables in order with the reviews last: the fast reads expect the file to end there."""
    return sorted(data.items(), key=lambda item: item[0] == REVIEWS_TABLE)


def fsync_folder(folder: Path) -> None:
    """Make a rename inside ``folder`` durable; a no-op on Windows."""
    if os.name == "nt":  # pragma: no cover - directories cannot be opened on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_files(target: Path) -> list[Path]:
    """Temporary files an interrupted write to ``target`` may have left behind."""
    return sorted(target.parent.glob(f".{target.name}.*.tmp"))


def atomic_write(target: Path, payload: bytes | Iterable[bytes], *, backup: bool = False) -> None:
    """Replace ``target`` with ``payload`` so that a crash leaves the old or the new file.

    ``payload`` may come in pieces (see :func:`serialised`); an error while they
    are made leaves the old file as it was, like any failed write.

    The caller holds the lock. Writes a temporary file in the same folder,
    fsyncs it, gives it the old file's permissions, renames it over the old
    file and fsyncs the folder so that the rename itself is durable.

    With ``backup``, the old file is kept as the newest rotating backup just
    before the rename. A backup is never a condition of the write: if it
    cannot be made the write goes ahead (were the disk full, the write itself
    fails next, with its own clear error), and if the write fails the backup
    just made (a duplicate of the unchanged journal) is removed again.
    """
    import tempfile

    keep = backups.keep_count() if backup else 0
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o600
        for stale in temp_files(target):
            stale.unlink(missing_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StorageError(f"cannot write journal {target}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            for piece in [payload] if isinstance(payload, bytes) else payload:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        saved = _try_backup(target) if keep else None
        try:
            os.replace(tmp, target)
        except BaseException:
            if saved is not None:
                backups.discard(saved)
            raise
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise StorageError(f"cannot write journal {target}: {exc.strerror or exc}") from exc
        raise
    try:
        fsync_folder(folder)
    except OSError as exc:
        raise StorageError(
            f"journal {target} was written but its folder could not be synced "
            f"({exc.strerror or exc}); the change may not survive a power failure"
        ) from exc
    if keep:
        backups.prune(target, keep)


def _try_backup(target: Path) -> Path | None:
    try:
        return backups.save(target)
    except OSError:
        # Losing one backup beats losing the change; `filmlog doctor` lists what is kept.
        return None


_Built = TypeVar("_Built", Review, ReviewSummary)


def from_doc(kind: type[_Built], doc: Mapping[str, Any], review_id: int, path: Path) -> _Built:
    try:
        return kind.from_dict(doc, review_id)
    except InvalidInput as exc:
        raise CorruptJournal(f"journal {path}: review {review_id} is damaged ({exc})") from None


class Journal:
    """One journal file. Reads need no lock; every change goes through :meth:`transaction`."""

    def __init__(self, path: Path, *, lock_timeout: float | None = None) -> None:
        self.path = path
        self.lock_timeout = lock_timeout

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
        try:
            with self._reading():
                return self.target.read_bytes()
        except FileNotFoundError:
            return None

    def load(self) -> dict[str, Any]:
        """The checked tables; empty when the file does not exist yet (nothing is written)."""
        with self._explained():
            raw = self.read_bytes()
            return _empty_tables() if raw is None else parse_journal(raw, self.path)

    def browse(self, *, words: bool = False) -> tuple[Documents, Bodies]:
        """Every stored review document with its ID, in ID order, each body left in the file.

        Not yet built into Reviews: filtering and sorting the documents first, and
        building only the reviews shown (their bodies from :class:`Bodies`), keeps
        a read of a large journal close to the cost of reading it. ``words``: also
        note where each review begins, for :meth:`Bodies.word_candidates`.
        """
        with self._explained():
            try:
                opened = self._open()
            except FileNotFoundError:
                return [], Bodies(b"", {}, self.path)
            box, fd = opened
            try:
                return self._browse(box, fd, words)
            except BaseException:
                if fd is not None:
                    os.close(fd)
                raise

    def _open(self) -> tuple[list[bytes], int | None]:
        """The file's bytes (in a list, for the reader to take and drop), and its descriptor.

        The descriptor is kept where bodies can be read back by offset (POSIX).
        """
        with self._reading():
            fd = os.open(self.target, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            try:
                with open(fd, "rb", closefd=False) as file:
                    raw = file.read()
            except BaseException:
                os.close(fd)
                raise
        if not hasattr(os, "pread"):  # Windows: keep the bytes, and let writers replace the file
            os.close(fd)
            return [raw], None
        return [raw], fd

    def _browse(self, box: list[bytes], fd: int | None, words: bool) -> tuple[Documents, Bodies]:
        raw = box.pop()  # the only reference, so that it can go before the parse
        scanned = body_spans(raw)
        if scanned is not None:
            spans, nulls = scanned
            size = len(raw)
            # Reviews without a body need their beginnings found; with one each, the
            # bodies are enough (see Layout).
            starts = review_starts(raw, spans) if words and nulls else None
            marked = _marked(raw, spans)
            if fd is not None:
                del raw  # the bodies stay in the file: parse with half the memory
            found = _documents_of(parse_journal(marked, self.path), self.path)
            del marked
            where: dict[int, tuple[int, int]] = {}
            for review_id, doc in found:
                marker = doc.get("body")
                if type(marker) is int and 0 <= marker < len(spans):
                    where[review_id] = spans[marker]
                    doc["body"] = None
            if len(where) == len(spans):
                layout = None
                if words and where and len(where) == len(found):
                    layout = Layout.from_bodies(where, size)
                elif starts is not None and sorted(i for _, i in starts) == [i for i, _ in found]:
                    layout = Layout.from_starts(starts, size)
                return found, Bodies(raw if fd is None else fd, where, self.path, layout)
            # A "body" key outside a review: read everything the ordinary way.
            raw = os.pread(fd, os.fstat(fd).st_size, 0) if fd is not None else raw
        # Damaged (the full parse says how), or unusual: decode everything, serve it alike.
        found = _documents_of(parse_journal(raw, self.path), self.path)
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

    def reviews(self) -> list[Review]:
        """Every review, in ID order."""
        with self._explained():
            return reviews_of(self.load(), self.path)

    def build(self, items: Iterable[tuple[int, Mapping[str, Any]]]) -> list[Review]:
        """The reviews of documents from :meth:`browse`, in the order given."""
        with self._explained():
            return [from_doc(Review, doc, review_id, self.path) for review_id, doc in items]

    def summaries(self, items: Iterable[tuple[int, Mapping[str, Any]]]) -> list[ReviewSummary]:
        """Like :meth:`build`, with only the fields statistics read (see ReviewSummary)."""
        with self._explained():
            return [from_doc(ReviewSummary, doc, review_id, self.path) for review_id, doc in items]

    def get(self, review_id: int) -> Review:
        """One review by ID; raises NotFound."""
        return self.get_many([review_id])[0]

    def get_many(self, review_ids: Iterable[int]) -> list[Review]:
        """Reviews by ID in the order given, reading the file once; NotFound for an unknown ID."""
        everything, bodies = self.browse()  # decodes only the bodies asked for
        docs = dict(everything)
        found = []
        for review_id in review_ids:
            doc = docs.get(review_id)
            if doc is None:
                raise NotFound(f"no review with ID {review_id}")
            with self._explained():
                found.append(from_doc(Review, bodies.fill(review_id, doc), review_id, self.path))
        return found

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the journal's lock, for changes made outside :meth:`transaction`."""
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
            session = Session(self.load(), self.path)
            yield session
            if session.changed:
                tables = session.tables()
                # A journal of an older schema is migrated by its first write (after the
                # backup of the version it replaces): its documents are read as they are.
                tables[META_TABLE][str(META_ID)]["schema"] = SCHEMA_VERSION
                atomic_write(target, serialised(tables), backup=True)

    @contextmanager
    def _explained(self) -> Iterator[None]:
        """Add to a CorruptJournal which backups exist and the command that restores one."""
        try:
            yield
        except CorruptJournal as exc:
            # Not for a newer schema: that is no damage, and an older backup the wrong advice.
            if not getattr(exc, "backups_named", False) and not self._newer_schema():
                exc.message += self._recovery_hint()
                exc.args = (exc.message,)
                exc.backups_named = True  # type: ignore[attr-defined]  # nested calls add it once
            raise

    def _newer_schema(self) -> bool:
        try:
            meta = orjson.loads(self.read_bytes() or b"{}")[META_TABLE][str(META_ID)]
            return isinstance(meta["schema"], int) and meta["schema"] > SCHEMA_VERSION
        except (orjson.JSONDecodeError, LookupError, TypeError, StorageError):
            return False

    def _recovery_hint(self) -> str:
        kept = backups.list_backups(self.target)
        where = backups.folder(self.target)
        if not kept:
            return f"; there are no backups of it in {where}"
        command = "filmlog doctor --repair"
        if os.path.realpath(default_path()) != os.path.realpath(self.path):
            import shlex

            command = f"filmlog --db {shlex.quote(str(self.path))} doctor --repair"
        names = ", ".join(backup.name for backup in kept)
        return (
            f"; backups in {where} (newest first): {names}; "
            f"restore the newest good one with: {command}"
        )


def _documents_of(tables: dict[str, Any], path: Path) -> Documents:
    docs: dict[str, Any] = tables[REVIEWS_TABLE]
    try:
        ids = sorted((int(key), key) for key in docs)
    except ValueError:
        raise CorruptJournal(f"journal {path} has a review with a non-numeric ID") from None
    return [(review_id, docs[key]) for review_id, key in ids]


def reviews_of(tables: dict[str, Any], path: Path) -> list[Review]:
    return [
        from_doc(Review, doc, review_id, path) for review_id, doc in _documents_of(tables, path)
    ]
