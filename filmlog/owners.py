"""Keeping the journal's owner on what filmlog makes beside it.

Run through ``sudo``, a write would otherwise leave the journal, its lock and
its backups owned by root, locking their owner out of their own journal. Every
file filmlog makes next to the journal is given the journal's owner and group
where the process may do so (root may; others may set a group they belong to,
and need nothing when the journal is already theirs).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable


def keep(fd: int, like: os.stat_result) -> None:
    """Give the open file ``fd`` the owner and group of ``like``, where allowed."""
    if hasattr(os, "fchown"):  # Windows has no owners to keep
        _give(os.fstat(fd), like, lambda user, group: os.fchown(fd, user, group))


def keep_path(path: str | os.PathLike[str], like: os.stat_result) -> None:
    """:func:`keep` for a file or folder by its path (not following a symlink)."""
    if hasattr(os, "lchown"):
        _give(os.lstat(path), like, lambda user, group: os.lchown(path, user, group))


def _give(mine: os.stat_result, like: os.stat_result, chown: Callable[[int, int], None]) -> None:
    if (mine.st_uid, mine.st_gid) != (like.st_uid, like.st_gid):
        with contextlib.suppress(PermissionError):
            chown(like.st_uid, like.st_gid)


def of(path: str | os.PathLike[str]) -> os.stat_result | None:
    """The status of ``path`` (following links); None when it is missing or cannot be read."""
    try:
        return os.stat(path)
    except OSError:
        return None
