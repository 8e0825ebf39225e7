"""The journal file: strict reads, locked read-modify-write, atomic replace.

The file is a TinyDB database (one JSON object of tables), but filmlog never
lets TinyDB touch the disk: TinyDB's stock JSONStorage rewrites the file in
place, so a crash or a second writer could truncate it. Instead a transaction
takes the sidecar lock, reads and checks the file once, lets TinyDB work on
the data in memory, and writes the result once through a temporary file,
fsync and ``os.replace``. Just before the replace, the old file is kept as a
rotating backup (see :mod:`filmlog.backups`). Only this module knows TinyDB.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from filmlog import backups
from filmlog.errors import CorruptJournal, InvalidInput, NotFound, StorageError
from filmlog.lock import FileLock
from filmlog.model import Review

FORMAT_NAME = "filmlog"
SCHEMA_VERSION = 1
META_TABLE = "_filmlog"
REVIEWS_TABLE = "reviews"
_META_ID = 1


def default_path() -> Path:
    """The journal used when no ``--db`` is given: ``FILMLOG_DB``, else the user data folder."""
    env = os.environ.get("FILMLOG_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("filmlog", appauthor=False) / "journal.json"


def now() -> datetime:
    """The current moment in the local time zone, timezone-aware."""
    return datetime.now().astimezone().replace(microsecond=0)


class _MemoryStorage(Storage):
    """Hands TinyDB the already-read tables and keeps what it writes in memory."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = data


def _empty_tables() -> dict[str, Any]:
    meta = {"format": FORMAT_NAME, "schema": SCHEMA_VERSION, "next_id": 1}
    return {META_TABLE: {str(_META_ID): meta}, REVIEWS_TABLE: {}}


def _loads(raw: bytes) -> Any:
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
        data = orjson.loads(raw)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return data


_BODY_KEY = b'"body"'
_SPACE = b" \t\r\n"


def without_bodies(raw: bytes) -> bytes | None:
    """The journal's bytes with every review's body replaced by ``null``; None when unsure.

    Bodies are most of a journal: a view that never shows them (a table, the
    stats) parses a fraction of the bytes and holds a fraction of the memory.
    In JSON every quote inside a string is escaped, so an unescaped ``"body"``
    followed by a colon can only be that key, and the string after it ends at
    the first quote not preceded by an odd number of backslashes. Anything
    unexpected (a truncated file) returns None, and the caller parses the
    whole file, which reports the damage.
    """
    pieces: list[bytes] = []
    kept = 0  # raw[kept:] is not yet copied into pieces
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
            if raw[i] == 0x22:  # '"' - a string value to drop
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
                pieces.append(raw[kept:i])
                pieces.append(b"null")
                kept = close + 1
                i = kept
        at = raw.find(_BODY_KEY, i)
    if not pieces:
        return raw
    pieces.append(raw[kept:])
    return b"".join(pieces)


def parse_journal(raw: bytes, path: Path) -> dict[str, Any]:
    """Parse and check a journal's bytes; CorruptJournal (naming ``path``) if they are not one."""
    try:
        data = _loads(raw)
    except orjson.JSONDecodeError as exc:
        what = "is empty" if not raw.strip() else f"is not valid JSON ({exc})"
        raise CorruptJournal(f"journal {path} {what}; it was left unchanged") from None
    meta = data.get(META_TABLE, {}).get(str(_META_ID)) if isinstance(data, dict) else None
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
    try:
        # Compact: a tenth smaller than indented JSON, and faster both to write and to read.
        return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE)
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise InvalidInput(f"cannot save the journal: {exc}") from None


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


def atomic_write(target: Path, payload: bytes, *, backup: bool = False) -> None:
    """Replace ``target`` with ``payload`` so that a crash leaves the old or the new file.

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
            handle.write(payload)
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


def _review_from_doc(doc: Mapping[str, Any], review_id: int, path: Path) -> Review:
    try:
        return Review.from_dict(doc, review_id)
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

    def read_bytes(self) -> bytes | None:
        """The file's bytes, or None when there is no journal yet."""
        try:
            return self.target.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise StorageError(f"journal {self.path} is a folder, not a file") from None
        except OSError as exc:
            raise StorageError(f"cannot read journal {self.path}: {exc.strerror or exc}") from exc

    def load(self, *, bodies: bool = True) -> dict[str, Any]:
        """The checked tables; empty when the file does not exist yet (nothing is written).

        With ``bodies=False`` every review's body reads as None: for views that
        never show one (tables, stats). Never write such tables back.
        """
        with self._explained():
            raw = self.read_bytes()
            if raw is None:
                return _empty_tables()
            if not bodies:
                raw = without_bodies(raw) or raw
            return parse_journal(raw, self.path)

    def reviews(self, *, bodies: bool = True) -> list[Review]:
        """Every review, in ID order (``bodies=False``: see :meth:`load`)."""
        with self._explained():
            return _reviews_of(self.load(bodies=bodies), self.path)

    def documents(self, *, bodies: bool = True) -> list[tuple[int, dict[str, Any]]]:
        """Every stored review document with its ID, in ID order, not yet built into a Review.

        Filtering and sorting the documents first and building only the reviews
        shown keeps a search of a large journal close to the cost of reading it.
        ``bodies=False``: see :meth:`load`.
        """
        with self._explained():
            return _documents_of(self.load(bodies=bodies), self.path)

    def review(self, review_id: int, doc: Mapping[str, Any]) -> Review:
        """The review of one document from :meth:`documents`."""
        with self._explained():
            return _review_from_doc(doc, review_id, self.path)

    def get(self, review_id: int) -> Review:
        """One review by ID; raises NotFound."""
        return self.get_many([review_id])[0]

    def get_many(self, review_ids: Iterable[int]) -> list[Review]:
        """Reviews by ID in the order given, reading the file once; NotFound for an unknown ID."""
        docs = self.load()[REVIEWS_TABLE]
        found = []
        for review_id in review_ids:
            doc = docs.get(str(review_id))
            if doc is None:
                raise NotFound(f"no review with ID {review_id}")
            with self._explained():
                found.append(_review_from_doc(doc, review_id, self.path))
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
        target = self.target
        with self.locked(), self._explained():
            session = Session(self.load(), self.path)
            yield session
            if session.changed:
                atomic_write(target, serialise(session.tables()), backup=True)

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
            meta = orjson.loads(self.read_bytes() or b"{}")[META_TABLE][str(_META_ID)]
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


def _documents_of(tables: dict[str, Any], path: Path) -> list[tuple[int, dict[str, Any]]]:
    docs: dict[str, Any] = tables[REVIEWS_TABLE]
    try:
        ids = sorted((int(key), key) for key in docs)
    except ValueError:
        raise CorruptJournal(f"journal {path} has a review with a non-numeric ID") from None
    return [(review_id, docs[key]) for review_id, key in ids]


def _reviews_of(tables: dict[str, Any], path: Path) -> list[Review]:
    return [
        _review_from_doc(doc, review_id, path) for review_id, doc in _documents_of(tables, path)
    ]


class Session:
    """Changes to a journal inside one locked transaction, applied through TinyDB in memory."""

    def __init__(self, tables: dict[str, Any], path: Path) -> None:
        self.path = path
        self._storage = _MemoryStorage(tables)
        self._db = TinyDB(storage=lambda: self._storage)
        self._reviews: Table = self._db.table(REVIEWS_TABLE)
        self._meta: Table = self._db.table(META_TABLE)
        self.changed = False
        self._cache: list[Review] | None = None

    def tables(self) -> dict[str, Any]:
        return self._storage.data

    def reviews(self) -> list[Review]:
        """Every review as it stands in this transaction, in ID order."""
        if self._cache is None:
            self._cache = _reviews_of(self.tables(), self.path)
        return self._cache

    def get(self, review_id: int) -> Review:
        doc = self._reviews.get(doc_id=review_id)
        if doc is None:
            raise NotFound(f"no review with ID {review_id}")
        return _review_from_doc(doc, review_id, self.path)

    def _next_id(self) -> int:
        meta = self._meta.get(doc_id=_META_ID)
        counter = meta.get("next_id", 1) if isinstance(meta, dict) else 1
        # A hand-edited counter must never hand out an ID that is still in use.
        highest = max((int(k) for k in self.tables()[REVIEWS_TABLE]), default=0)
        return max(counter if isinstance(counter, int) else 1, highest + 1)

    def known_spellings(self, attribute: str) -> dict[str, str]:
        """casefolded -> first spelling used, over ``genres`` or ``tags`` of every review."""
        known: dict[str, str] = {}
        docs = self.tables()[REVIEWS_TABLE]
        # Raw documents, in ID order: building every Review just for this would slow each add.
        for key in sorted(docs, key=int):
            for value in docs[key].get(attribute) or ():
                if isinstance(value, str):
                    known.setdefault(value.casefold(), value)
        return known

    def add(self, review: Review) -> Review:
        """Store a new review under a fresh ID; returns it with ID and timestamps set."""
        return self.add_many([review])[0]

    def add_many(self, reviews: Iterable[Review]) -> list[Review]:
        """Store many reviews in one TinyDB update, each under a fresh ID."""
        next_id = self._next_id()
        stamp = now()
        added: list[Review] = []
        docs: list[Document] = []
        for review in reviews:
            review.validate()
            review.id = next_id
            next_id += 1
            review.logged_at = review.logged_at or stamp
            review.updated_at = review.updated_at or stamp
            docs.append(Document(review.to_dict(), doc_id=review.id))
            added.append(review)
        if docs:
            self._reviews.insert_multiple(docs)
            self._meta.update({"next_id": next_id}, doc_ids=[_META_ID])
            self._touch()
        return added

    def update(self, review: Review, *, stamp: bool = True) -> Review:
        """Replace a stored review by ID; sets ``updated_at`` unless ``stamp`` is False."""
        if review.id is None or not self._reviews.contains(doc_id=review.id):
            raise NotFound(f"no review with ID {review.id}")
        review.validate()
        if stamp:
            review.updated_at = now()
        self._reviews.update(review.to_dict(), doc_ids=[review.id])
        self._touch()
        return review

    def delete(self, review_ids: Iterable[int]) -> list[Review]:
        """Remove reviews by ID (all must exist); returns what was removed."""
        removed = [self.get(review_id) for review_id in dict.fromkeys(review_ids)]
        if removed:
            self._reviews.remove(doc_ids=[r.id for r in removed if r.id is not None])
            self._touch()
        return removed

    def _touch(self) -> None:
        self.changed = True
        self._cache = None
