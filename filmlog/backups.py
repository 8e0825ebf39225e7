"""Rotating backups of the journal: the version each write replaced, kept beside it.

Just before a write renames its new file over the journal, the old file gets
a second name in ``<journal>.backups/`` (a hard link: nothing is copied, and
the old version costs no space beyond what it already used). The newest few
are kept: 5 unless ``FILMLOG_BACKUPS`` says otherwise; 0 turns new backups off
and leaves existing ones alone. Where links are impossible (some network or
FAT file systems, or a journal owned by someone else) the file is copied.

Names are ``<UTC time>-<sequence>.json``, e.g. ``20240413T072100Z-000042.json``.
The sequence orders them even if the clock moves backwards. Every function
here expects the caller to hold the journal's lock.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from filmlog import owners

DEFAULT_KEEP = 5
SUFFIX = ".backups"
_NAME = re.compile(r"^(\d{8}T\d{6}Z)-(\d+)\.json$")
_TEMP_SUFFIX = ".partial"


@dataclass(frozen=True, slots=True)
class Backup:
    """One kept version of the journal."""

    path: Path
    sequence: int
    taken: datetime  # when it stopped being the journal (UTC)

    @property
    def name(self) -> str:
        return self.path.name


def keep_count() -> int:
    """How many backups to keep: ``FILMLOG_BACKUPS`` (0 turns them off), else 5."""
    raw = os.environ.get("FILMLOG_BACKUPS", "").strip()
    try:
        value = int(raw) if raw else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP
    return value if value >= 0 else DEFAULT_KEEP


def folder(target: Path) -> Path:
    """The backup folder of the journal file ``target``: ``<journal>.backups``."""
    return target.with_name(target.name + SUFFIX)


def list_backups(target: Path) -> list[Backup]:
    """The backups of ``target``, newest first (an absent folder means none)."""
    found: list[Backup] = []
    try:
        names = os.listdir(folder(target))
    except OSError:
        return []
    for name in names:
        match = _NAME.match(name)
        if match is None:
            continue
        taken = datetime.strptime(match[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        found.append(Backup(folder(target) / name, int(match[2]), taken))
    found.sort(key=lambda backup: backup.sequence, reverse=True)
    return found


def save(target: Path) -> Path | None:
    """Keep the current ``target`` as the newest backup; None when there is no file yet.

    Raises OSError or StorageError when neither a link nor a copy can be made;
    a half-made copy is removed first, so a backup that exists is always complete.
    """
    try:
        journal = os.stat(target)
    except FileNotFoundError:
        return None
    where = folder(target)
    where.mkdir(mode=0o700, exist_ok=True)
    owners.keep_path(where, journal)
    sequence = max((backup.sequence for backup in list_backups(target)), default=0) + 1
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    while True:
        destination = where / f"{stamp}-{sequence:06d}.json"
        try:
            os.link(target, destination)
        except FileExistsError:
            sequence += 1
            continue
        except OSError:
            copy_file(target, destination)
        return destination


def copy_file(source: Path, destination: Path) -> None:
    """Copy through the atomic write, so a crash never leaves a partial backup.

    Raises OSError when ``source`` cannot be read, StorageError when the copy
    cannot be written. The copy has the owner of ``source``.
    """
    from filmlog.files import atomic_write

    with open(source, "rb") as reader:
        pieces = iter(lambda: reader.read(1 << 20), b"")
        atomic_write(destination, pieces, private=True, owner=os.fstat(reader.fileno()))


def discard(backup: Path) -> None:
    """Remove a backup made for a write that then failed (it equals the journal)."""
    # An extra copy of the unchanged journal harms nothing, and pruning will reach it.
    with contextlib.suppress(OSError):
        backup.unlink()


def prune(target: Path, keep: int) -> None:
    """Keep the newest ``keep`` backups; best effort, never raises. ``keep <= 0`` does nothing."""
    if keep <= 0:
        return
    # An old backup that stays is harmless: the next write tries again.
    for backup in list_backups(target)[keep:]:
        with contextlib.suppress(OSError):
            backup.path.unlink()
    with contextlib.suppress(OSError):
        for partial in folder(target).iterdir():
            # Left by a copy that was interrupted (and, from older versions, ".partial").
            if partial.name.endswith(_TEMP_SUFFIX) or partial.name.endswith(".tmp"):
                partial.unlink(missing_ok=True)
