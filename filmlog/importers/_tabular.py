"""Reading CSV exports: strict decoding, rows with their line numbers, and field values."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache

from filmlog.errors import InvalidInput
from filmlog.model import MAX_TEXT

# A long review is one long field; the csv module's default cap (128 KiB) would refuse it.
csv.field_size_limit(max(csv.field_size_limit(), MAX_TEXT + 1))

Row = dict[str, str]


def decode(data: bytes, where: str, *, fallback: str | None = None) -> str:
    """UTF-8 text (a byte-order mark is dropped), else ``fallback``'s, else InvalidInput."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if fallback is not None:
            return data.decode(fallback, errors="replace")
        raise InvalidInput(
            f"{where} is not UTF-8 text (bad byte at position {exc.start})"
        ) from None


def read(text: str, where: str) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    """The header row (cells stripped) and the data rows as ``(first line number, {header: cell})``.

    Blank lines are skipped; a short row's missing cells read as empty text and
    cells past the header are ignored. Line ends inside cells come back as
    ``\n`` whatever the file used (Windows' CRLF, old Macs' CR). InvalidInput
    when there is no header.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise InvalidInput(f"{where} is empty") from None
    except csv.Error as exc:
        raise InvalidInput(f"{where} is not a CSV file ({exc})") from None

    def rows() -> Iterator[tuple[int, Row]]:
        line = reader.line_num
        while True:
            first = line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InvalidInput(f"{where} line {first} is not valid CSV ({exc})") from None
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            cells += [""] * (len(header) - len(cells))
            yield first, dict(zip(header, cells, strict=False))

    return header, rows()


def year(text: str) -> int | None:
    """A film year from a cell: empty is None, anything but 1000 to 9999 is refused."""
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and 1000 <= int(text) <= 9999:
        return int(text)
    raise InvalidInput(f"invalid year '{text[:20]}'")


def day(text: str, what: str) -> date | None:
    """An ISO date (2024-04-13) from a cell; empty is None."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"invalid {what} '{text[:30]}' (expected YYYY-MM-DD)") from None


@cache
def local_zone() -> str | None:
    """The IANA name of the local time zone: ``$TZ``, else what /etc/localtime links to."""
    import zoneinfo

    name = os.environ.get("TZ", "").removeprefix(":")
    if not name:
        target = os.path.realpath("/etc/localtime")
        name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name


@cache
def logged(value: date | None) -> tuple[datetime | None, str | None]:
    """A day something was logged, as local midnight, and the local zone's name.

    The exports give no time of day. Cached because thousands of rows share a
    few hundred days; datetimes are immutable.
    """
    if value is None:
        return None, None
    zone = local_zone()
    if zone is None:
        return datetime(value.year, value.month, value.day).astimezone(), None
    from zoneinfo import ZoneInfo

    return datetime(value.year, value.month, value.day, tzinfo=ZoneInfo(zone)), zone


def items(text: str) -> list[str]:
    """A comma-separated cell as a list, without empty items or repeats (ignoring case)."""
    from filmlog.model import dedupe_casefold

    return dedupe_casefold(text.split(","))
