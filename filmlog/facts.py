"""A review's facts as plain lines of text, laid out like a published review.

The Rich panel and the Markdown export both show these lines, so they are
built once here, without Rich.
"""

from __future__ import annotations

from datetime import date, datetime

from filmlog.folding import fold
from filmlog.model import Review
from filmlog.parsing import format_runtime, format_stars


def long_date(value: date) -> str:
    """``December 18, 2013``."""
    return f"{value:%B} {value.day}, {value.year}"


def logged_time(review: Review) -> str:
    """When the review was written, in its own zone: ``April 13, 2024 · 1:21 AM MDT``.

    Midnight to the second is how a day without a time is stored (imports give
    only the day): it shows as the day alone, not an invented ``12:00 AM``.
    """
    stamp = review.logged_at
    if stamp is None:
        return ""
    stamp = _in_zone(stamp, review.logged_zone)
    if not (stamp.hour or stamp.minute or stamp.second or stamp.microsecond):
        return long_date(stamp.date())
    hour = stamp.hour % 12 or 12
    zone = stamp.tzname() or ""
    if not zone or zone.startswith(("UTC+", "UTC-")):
        zone = stamp.strftime("UTC%z")
    half = "AM" if stamp.hour < 12 else "PM"
    return f"{long_date(stamp.date())} · {hour}:{stamp:%M} {half} {zone}"


def _in_zone(stamp: datetime, zone: str | None) -> datetime:
    if not zone:
        return stamp
    try:
        from zoneinfo import ZoneInfo

        return stamp.astimezone(ZoneInfo(zone))
    except (ValueError, KeyError, OSError):  # an unknown zone name: keep the stored offset
        return stamp


def metadata_line(review: Review) -> str:
    """``Romance, Sci-Fi | Rated R | 2 hr 6 min | Released December 18, 2013``."""
    return " | ".join(metadata_parts(review))


def metadata_parts(review: Review) -> list[str]:
    """The pieces of :func:`metadata_line`, for a caller that escapes each one."""
    parts = []
    if review.genres:
        parts.append(", ".join(review.genres))
    if review.mpaa:
        parts.append("Not Rated" if review.mpaa == "NR" else f"Rated {review.mpaa}")
    if review.runtime:
        parts.append(format_runtime(review.runtime))
    if review.release_date:
        released = review.release_date
        # A partial date is shown as far as it is known: no invented day.
        shown = {"year": f"{released.year}", "month": f"{released:%B} {released.year}"}
        parts.append(f"Released {shown.get(review.release_precision or '', long_date(released))}")
    return parts


def identity_line(review: Review) -> str:
    """``Original title Сталкер · TMDB 1398 · IMDb tt0079944``: how the film is known elsewhere."""
    parts = []
    original = review.original_title
    if original and original.strip() and fold(original) != fold(review.title):
        parts.append(f"Original title {review.original_title}")
    if review.tmdb_id is not None:
        parts.append(f"TMDB {review.tmdb_id}")
    if review.imdb_id:
        parts.append(f"IMDb {review.imdb_id}")
    return " · ".join(parts)


def verdict_line(review: Review) -> str:
    """``Good · ★★★★☆``; either half alone when the other is missing."""
    stars = format_stars(review.rating) if review.rating is not None else ""
    return " · ".join(part for part in (review.verdict or "", stars) if part)


def cast_line(review: Review) -> str:
    return ", ".join(f"{m.actor} ({m.role})" if m.role else m.actor for m in review.cast)


def watched_line(review: Review) -> str:
    """``Watched April 12, 2024 · rewatch · ♥ liked``."""
    parts = []
    if review.watched_on:
        parts.append(f"Watched {long_date(review.watched_on)}")
    if review.rewatch:
        parts.append("rewatch")
    if review.liked:
        parts.append("♥ liked")
    return " · ".join(parts)
