"""The exceptions filmlog raises, and the exit codes the CLI maps them to.

The domain raises :class:`FilmlogError` and its children; only the CLI turns
them into one line on stderr and an exit code.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes, named once."""

    OK = 0
    ERROR = 1
    USAGE = 2
    INTERNAL = 70
    INTERRUPTED = 130


class FilmlogError(Exception):
    """Base of every error that is the user's to fix, not a bug."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(FilmlogError):
    """A value given on the command line or in a file cannot be accepted."""


class NotFound(FilmlogError):
    """A review ID or film that does not exist."""


class CorruptJournal(FilmlogError):
    """The journal file cannot be read as a filmlog journal; it is left untouched.

    ``backups`` are the backups of ``journal`` that were found (newest first),
    or None when none were looked for (a newer schema is no damage, and no
    backup is the answer to it). The message names them; the CLI adds how to
    restore one.
    """

    def __init__(
        self, message: str, *, journal: Path | None = None, backups: list[Path] | None = None
    ) -> None:
        super().__init__(message)
        self.journal = journal
        self.backups = backups


class JournalLocked(FilmlogError):
    """Another filmlog process held the journal's lock for too long."""


class StorageError(FilmlogError):
    """The operating system refused a read or write (disk full, permissions, I/O error)."""


def brief(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for messages about hostile input.

    A value from a file may be enormous or deeply nested (a YAML alias bomb
    expands to billions of items), so the repr is built by :mod:`reprlib` from
    a bounded sample: a few items of each container, two levels deep.
    """
    import reprlib

    short = reprlib.Repr()
    short.maxlevel = 2
    short.maxstring = short.maxother = limit
    short.maxlist = short.maxtuple = short.maxdict = short.maxset = 4
    shown = short.repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
