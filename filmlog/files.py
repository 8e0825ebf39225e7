"""Writing files so that a crash leaves the old file or the new one, never a mix.

The one atomic write of filmlog: the journal, its backup copies and exported
files all go through :func:`atomic_write`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from filmlog import owners
from filmlog.errors import StorageError

# Called once the new file is complete, just before the rename; what it returns (if
# anything) is called should the rename then fail.
BeforeReplace = Callable[[], Callable[[], None] | None]


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
    """Temporary files an interrupted write to ``target`` may have left behind.

    Exactly ``.<name>.<8 letters or digits>.tmp``: the temporary files of a
    file whose name only begins with ``target``'s (``journal.json.bak``)
    have more between the name and ``.tmp``, so they are never taken for these.
    """
    own = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")
    try:
        names = os.listdir(target.parent)
    except FileNotFoundError:
        return []
    return sorted(target.parent / name for name in names if own.fullmatch(name))


def _new_temp(target: Path) -> tuple[int, Path]:
    """Create ``target``'s next temporary file (see :func:`temp_files`), open for writing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        # What secrets.token_hex(4) gives, without loading secrets (and hmac, hashlib).
        tmp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue


def atomic_write(
    target: Path,
    payload: bytes | Iterable[bytes],
    *,
    private: bool = False,
    replace: bool = True,
    before_replace: BeforeReplace | None = None,
    sync_folder: bool = True,
    durable: bool = True,
    tidy: bool = True,
    what: str = "",
    owner: os.stat_result | None = None,
) -> list[Path]:
    """Write ``payload`` to ``target`` so that a crash leaves the old or the new file.

    ``payload`` may come in pieces; an error while they are made leaves the old
    file as it was, like any failed write. Writes a temporary file in the same
    folder, fsyncs it, renames it over ``target`` and fsyncs the folder (unless
    ``sync_folder`` is False: the caller syncs the folders of many files once),
    so that the rename itself is durable. A file that is only ever derived from
    others and checked when read (the index) may skip both fsyncs (``durable``
    False): after a power failure it is rebuilt. The rename replaces a symlink itself,
    never the file it points to.

    A replaced file's permissions are kept. A new file gets the default ones
    (the umask's), or, if ``private``, its owner's alone. With ``replace``
    False a file that exists is never replaced, even one that appears during
    the write: FileExistsError. ``what`` names the file in errors ("journal").
    A write-protected file is never replaced (StorageError). Other failures
    raise StorageError.

    The new file keeps the owner and group of the file it replaces, or of
    ``owner`` (run as root, a write would otherwise hand the file to root).
    Returns the temporary files of earlier, interrupted writes it removed
    (none when ``tidy`` is False: only a writer that holds the file's lock may
    remove them, or it could take another writer's file mid-write).
    """
    named = f"{what} {target}" if what else str(target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            old: os.stat_result | None = target.stat()
        except FileNotFoundError:
            old = None
        if old is None:
            mode = 0o600 if private else 0o666 & ~_umask()
        else:
            mode = old.st_mode & 0o7777
            if replace and not mode & 0o222:
                # Checked on the mode, not with access(): root may write anything, and the
                # person who protected the file meant it for root too.
                raise StorageError(
                    f"{named} is write-protected (mode {mode:04o}): nothing was changed; "
                    "make it writable (chmod u+w) to change it"
                )
        owner = owner if owner is not None else old
        removed = temp_files(target) if tidy else []
        for stale in removed:
            stale.unlink(missing_ok=True)
        fd, tmp = _new_temp(target)
    except OSError as exc:
        raise StorageError(f"cannot write {named}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            if owner is not None:
                owners.keep(handle.fileno(), owner)  # before the mode: chown clears set-ID bits
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            for piece in [payload] if isinstance(payload, bytes) else payload:
                handle.write(piece)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        undo = before_replace() if before_replace is not None else None
        try:
            if replace:
                os.replace(tmp, target)
            else:
                _move_new(tmp, target)
        except BaseException:
            if undo is not None:
                undo()
            raise
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, FileExistsError):
            raise StorageError(f"cannot write {named}: {exc.strerror or exc}") from exc
        raise
    if not (sync_folder and durable):
        return removed
    try:
        fsync_folder(folder)
    except OSError as exc:
        raise StorageError(
            f"{named} was written but its folder could not be synced "
            f"({exc.strerror or exc}); the change may not survive a power failure"
        ) from exc
    return removed


def _move_new(temp: Path, target: Path) -> None:
    """Rename ``temp`` to ``target`` unless ``target`` exists: FileExistsError then."""
    try:
        os.link(temp, target)  # fails, rather than replace a file that appeared meanwhile
    except FileExistsError:
        raise
    except OSError:
        # Some file systems have no hard links: check, then rename (a narrow race remains).
        if os.path.lexists(target):
            raise FileExistsError(17, "File exists", str(target)) from None
        os.replace(temp, target)
    else:
        temp.unlink(missing_ok=True)


def _umask() -> int:
    """The process's umask. Reading it means setting it: set back at once."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask
