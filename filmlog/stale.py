"""Files an earlier export left that a new export with ``--force`` makes stale.

Only files filmlog can tell it wrote are ever chosen: numbered parts that
start with a Letterboxd export header, and Markdown posts whose front matter
carries a review UUID. Anything else in the way (the user's own notes, a post
without a UUID, a file filmlog cannot read) is left where it is.
"""

from __future__ import annotations

import re
import uuid as uuid_module
from collections.abc import Collection, Mapping
from pathlib import Path

from filmlog.errors import StorageError

# Enough of a file to hold its header row or its front matter's uuid line.
_HEAD_BYTES = 64 * 1024
_LETTERBOXD_HEADERS = (b"LetterboxdURI,", b"Title,Year,Directors,Rating,WatchedDate")


def stale_parts(output: Path, count: int) -> list[Path]:
    """Numbered parts ``stem-N.ext`` of an earlier export to ``output`` past the ``count`` written.

    With one part written (to ``output`` itself), every numbered part is stale.
    The numbers are followed up from the first missing one, and a part that is
    not a Letterboxd export stops nothing but is never chosen.
    """
    first = count + 1 if count > 1 else 1
    found = []
    for candidate in output.parent.glob(f"{_glob_escape(output.stem)}-*{output.suffix}"):
        number = candidate.name[len(output.stem) + 1 : len(candidate.name) - len(output.suffix)]
        if not (number.isascii() and number.isdigit() and int(number) >= first):
            continue
        if _head(candidate).removeprefix(b"\xef\xbb\xbf").startswith(_LETTERBOXD_HEADERS):
            found.append((int(number), candidate))
    return [path for _, path in sorted(found)]


def stale_posts(folder: Path, written: Mapping[str, str], known: Collection[str]) -> list[Path]:
    """Posts in ``folder`` an earlier ``--split`` export wrote that this one makes stale.

    ``written`` maps the UUID of each review just exported to its file name;
    ``known`` holds every UUID in the journal. A post is stale when its review
    is no longer in the journal, or was just written under another name (its
    title or date changed). Posts of reviews this export did not choose stay.
    """
    names = set(written.values())
    found = []
    for path in sorted(folder.glob("*.md")):
        if path.name in names or path.is_symlink() or not path.is_file():
            continue
        review = post_uuid(_head(path))
        if review is None:
            continue
        if review not in known or (review in written and written[review] != path.name):
            found.append(path)
    return found


def remove(paths: Collection[Path]) -> None:
    """Delete each file; StorageError naming the first that cannot be."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot remove {path}: {exc.strerror or exc}") from None


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD_BYTES)
    except OSError:
        return b""


def post_uuid(data: bytes) -> str | None:
    """The review UUID in a post's front matter, as written, or None when there is none."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    from filmlog.errors import InvalidInput
    from filmlog.exporters._frontmatter import split

    try:
        matter, _ = split(text)
    except InvalidInput:
        return None
    match = re.search(r'(?m)^uuid:[ \t]*"?([0-9A-Fa-f-]{36})"?[ \t]*$', matter)
    if match is None:
        return None
    try:
        uuid_module.UUID(match[1])
    except ValueError:
        return None
    return match[1]
