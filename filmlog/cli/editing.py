"""Getting a review's text from a file, stdin or the person's editor."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from filmlog.errors import InvalidInput


def decode(data: bytes, source: str) -> str:
    """Strict UTF-8 (a BOM is dropped); undecodable bytes are refused, not mangled."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{source} is not UTF-8 text (bad byte at position {exc.start})"
        ) from None


def read_text(path: str) -> str:
    """The text of ``path``, or of standard input for ``-``."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
        return decode(data, "standard input")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    return decode(data, path)


def editor_command() -> list[str]:
    """The editor to run, split as a shell would.

    ``$FILMLOG_EDITOR``, the config's ``editor``, ``$VISUAL``, ``$EDITOR``, else
    a platform default: as with git's editor, filmlog's own settings come before
    the system-wide variables, or the config could never override them.
    """
    from filmlog import config

    command = (
        os.environ.get("FILMLOG_EDITOR")
        or config.load().get("editor")
        or os.environ.get("VISUAL")
        or os.environ.get("EDITOR")
    )
    if not command:
        command = "notepad" if sys.platform == "win32" else "vi"
    return shlex.split(command, posix=sys.platform != "win32")


def edit_text(initial: str, *, suffix: str = ".md") -> str:
    """Open ``initial`` in the person's editor and return what they saved.

    The text goes through a private temporary file that is removed afterwards;
    an editor that fails leaves the review unchanged.
    """
    command = editor_command()
    fd, name = tempfile.mkstemp(prefix="filmlog-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(initial)
        try:
            result = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            raise InvalidInput(
                f"cannot start editor {command[0]!r}: {exc.strerror or exc}; set VISUAL or EDITOR"
            ) from None
        if result.returncode != 0:
            raise InvalidInput(
                f"editor {command[0]!r} exited with status {result.returncode}; nothing was saved"
            )
        return decode(path.read_bytes(), "the edited text")
    finally:
        path.unlink(missing_ok=True)


def keep_text(text: str, journal: Path, name: str) -> Path:
    """Save ``text`` beside ``journal`` as ``<journal>.unsaved/<name>-<UTC time>.md``; its path.

    For text that could not be written to the journal: it is the person's
    work, so it goes where their data lives (not a temporary folder that is
    emptied at the next boot), readable by them only.
    """
    from datetime import datetime, timezone

    folder = journal.with_name(journal.name + ".unsaved")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        for attempt in range(1, 100):
            path = folder / f"{name}-{stamp}{'' if attempt == 1 else f'-{attempt}'}.md"
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            return path
    except OSError as exc:
        raise InvalidInput(f"cannot keep your text in {folder}: {exc.strerror or exc}") from exc
    raise InvalidInput(f"cannot find a free name for your text in {folder}")
