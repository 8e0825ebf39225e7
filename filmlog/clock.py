"""The current time, read in one place.

Every "now" and "today" filmlog uses comes from here, so that a test can set
the clock (``monkeypatch.setattr(clock, "now", ...)``) instead of racing
midnight, and so that the local zone is decided once.
"""

from __future__ import annotations

from datetime import date, datetime


def now() -> datetime:
    """The current moment in the local time zone, timezone-aware, to the second."""
    return datetime.now().astimezone().replace(microsecond=0)


def today() -> date:
    """Today's date in the local time zone."""
    return now().date()
