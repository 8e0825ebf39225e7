"""Markdown files with YAML front matter, as ``export --format markdown --split`` writes them.

A folder is read file by file (``*.md``, not descending into subfolders): a
file that cannot be read is rejected and the others still import. Reviews are
merged by UUID like the JSON format, the newer ``updated`` winning.
"""

from __future__ import annotations

from pathlib import Path

from filmlog.errors import InvalidInput
from filmlog.importers import Entry, Match, Parsed, Probe, Rejected, read_bytes

SUFFIXES = (".md", ".markdown")


def _has_front_matter(head: bytes) -> bool:
    head = head.removeprefix(b"\xef\xbb\xbf")
    return head.startswith((b"---\n", b"---\r\n"))


def _files(folder: Path) -> list[Path]:
    return sorted(
        child
        for child in folder.iterdir()
        if child.suffix.lower() in SUFFIXES and not child.name.startswith(".") and child.is_file()
    )


def detect(probe: Probe) -> bool:
    """A file starting with front matter, or a folder whose first Markdown file does."""
    if not probe.is_dir:
        return _has_front_matter(probe.head)
    files = _files(probe.path)
    if not files:
        return False
    try:
        with files[0].open("rb") as handle:
            return _has_front_matter(handle.read(8))
    except OSError:
        return False


def _load(path: Path) -> tuple[Entry, int | None]:
    from filmlog.exporters import _frontmatter

    data = read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"it is not UTF-8 text (bad byte at position {exc.start})") from None
    review, original_id = _frontmatter.load(text)
    return Entry(review, path.name, Match.UUID), original_id


def read(path: Path) -> Parsed:
    """The review in one file, or in every Markdown file of a folder, in original ID order."""
    if not path.is_dir():
        try:
            entry, _ = _load(path)
        except InvalidInput as exc:
            raise InvalidInput(f"cannot import {path}: {exc.message}") from None
        return Parsed([entry])
    files = _files(path)
    if not files:
        raise InvalidInput(f"{path} holds no Markdown files (*.md)")
    parsed = Parsed()
    ordered: list[tuple[int, str, Entry]] = []
    for file in files:
        try:
            entry, original_id = _load(file)
        except InvalidInput as exc:
            parsed.rejected.append(Rejected(file.name, None, exc.message))
            continue
        ordered.append((original_id or 1 << 62, file.name, entry))
    parsed.entries = [entry for _, _, entry in sorted(ordered, key=lambda t: t[:2])]
    return parsed
