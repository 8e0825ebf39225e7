"""Writing files so that a crash leaves the old file or the new one, never a mix."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from filmlog import backups
from filmlog.errors import StorageError


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
