"""Writing files so that a crash leaves the old file or the new one, never a mix.

The one atomic write of filmlog: the journal, its backup copies and exported
files all go through :func:`atomic_write`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

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
    """Temporary files an interrupted write to ``target`` may have left behind."""
    return sorted(target.parent.glob(f".{target.name}.*.tmp"))


def atomic_write(
    target: Path,
    payload: bytes | Iterable[bytes],
    *,
    private: bool = False,
    replace: bool = True,
    before_replace: BeforeReplace | None = None,
    sync_folder: bool = True,
    what: str = "",
) -> None:
    """Write ``payload`` to ``target`` so that a crash leaves the old or the new file.

    ``payload`` may come in pieces; an error while they are made leaves the old
    file as it was, like any failed write. Writes a temporary file in the same
    folder, fsyncs it, renames it over ``target`` and fsyncs the folder (unless
    ``sync_folder`` is False: the caller syncs the folders of many files once),
    so that the rename itself is durable. The rename replaces a symlink itself,
    never the file it points to.

    A replaced file's permissions are kept. A new file gets the default ones
    (the umask's), or, if ``private``, its owner's alone. With ``replace``
    False a file that exists is never replaced, even one that appears during
    the write: FileExistsError. ``what`` names the file in errors ("journal").
    Other failures raise StorageError.
    """
    import tempfile

    named = f"{what} {target}" if what else str(target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o600 if private else 0o666 & ~_umask()
        for stale in temp_files(target):
            stale.unlink(missing_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StorageError(f"cannot write {named}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            for piece in [payload] if isinstance(payload, bytes) else payload:
                handle.write(piece)
            handle.flush()
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
    if not sync_folder:
        return
    try:
        fsync_folder(folder)
    except OSError as exc:
        raise StorageError(
            f"{named} was written but its folder could not be synced "
            f"({exc.strerror or exc}); the change may not survive a power failure"
        ) from exc


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
