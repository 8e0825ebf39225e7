"""A cross-process lock on a sidecar file.

The operating system releases an ``flock``/``msvcrt`` lock when its holder
dies, so a killed filmlog never blocks the next one. This is a few lines of
stdlib rather than the ``filelock`` package because that package costs more
to import than everything else a write command needs.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType

from filmlog import owners
from filmlog.errors import InvalidInput, JournalLocked, StorageError, brief

DEFAULT_TIMEOUT = 10.0
_POLL = 0.05

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def lock_timeout() -> float:
    """Seconds to wait for another process: ``FILMLOG_LOCK_TIMEOUT`` or 10.

    A value that is not a number of seconds is an error, not a silent 10: the
    person set it for a reason, and waiting a different time would surprise them.
    """
    raw = os.environ.get("FILMLOG_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):  # also refuses nan
        raise InvalidInput(
            f"FILMLOG_LOCK_TIMEOUT must be a number of seconds (0 or more), not {brief(raw)}"
        )
    return value


class FileLock:
    """An exclusive lock held on ``path`` (created if missing, never deleted).

    The lock file is left in place: deleting it while another process waits
    on it would let two processes hold "the" lock on different inodes.
    """

    def __init__(self, path: Path, timeout: float | None = None, journal: Path | None = None):
        self.path = path
        self.timeout = lock_timeout() if timeout is None else timeout
        self.journal = journal or path
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StorageError(f"cannot create lock file {self.path}: {exc.strerror}") from exc
        journal = owners.of(self.journal)
        if journal is not None:
            owners.keep(fd, journal)
        deadline = time.monotonic() + self.timeout
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise JournalLocked(
                        f"journal {self.journal} is busy: another filmlog process held its lock "
                        f"for over {self.timeout:g} s; try again"
                    )
                time.sleep(_POLL)
        except BaseException as exc:
            # Ctrl-C while waiting must not leak the descriptor (the lock was never ours).
            os.close(fd)
            if isinstance(exc, OSError):  # e.g. no lock support on a network file system
                raise StorageError(
                    f"cannot lock journal {self.journal}: {exc.strerror or exc}"
                ) from exc
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            try:
                _unlock(self._fd)
            finally:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
