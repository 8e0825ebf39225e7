"""What the journal's path may be, checked before anything is read, locked or made.

A journal that does not exist yet is normal (the first ``add`` makes it). A
symlink to nowhere is not: it usually means a share or a synced folder that is
not mounted, and taking it for a new journal would start a second one in its
place. A FIFO, a device or a socket would hang a read or swallow a write.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from filmlog.errors import StorageError

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def check_journal(path: Path, *, create: bool = False) -> None:
    """Raise StorageError if ``path`` cannot be a journal file.

    ``create``: the person asked for a new journal here (``filmlog init``),
    so a symlink to a file that does not exist yet is where to make it.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if not create:
            _refuse_dangling(path)
        return
    except OSError:
        return  # unreadable, a loop, not a folder...: the read itself says what is wrong
    for test, kind in _KINDS:
        if test(mode):
            raise StorageError(f"journal {path} is {kind}, not a file")


def _refuse_dangling(path: Path) -> None:
    """Raise StorageError if the nearest part of ``path`` that exists is a broken symlink."""
    for part in (path, *path.parents):
        if os.path.lexists(part):
            if part.is_symlink():  # it exists as a link, yet following it fails
                raise StorageError(
                    f"journal {path} points to {os.path.realpath(path)}, which does not exist; "
                    "create it with `filmlog init` or check the mount"
                )
            return


def plain_user_folder(variable: str, default: str) -> Path | None:
    """filmlog's folder of one kind in the home folder, as platformdirs finds it on Linux.

    ``variable`` is the XDG variable that moves it (``XDG_CONFIG_HOME``), ``default``
    where it is otherwise (``.config``). Importing platformdirs costs every command
    several milliseconds; in the usual case (Linux, the variable not set, ``HOME`` an
    absolute path) its answer is simply ``$HOME/<default>/filmlog``. Anywhere else
    this returns None, and the caller asks platformdirs.
    """
    if (
        sys.platform != "linux"
        or hasattr(sys, "getandroidapilevel")
        or "ANDROID_DATA" in os.environ
    ):
        return None
    home = os.environ.get("HOME", "")
    if os.environ.get(variable, "").strip() or not os.path.isabs(home):
        return None
    return Path(os.path.expanduser(f"~/{default}"), "filmlog")
