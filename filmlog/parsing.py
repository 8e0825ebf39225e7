"""Pure functions that turn what a user types into the values filmlog stores.

Every function either returns a clean value or raises :class:`InvalidInput` with a
one-line message that quotes the offending text and shows what would be accepted.

``dateutil`` and ``zoneinfo`` are imported inside the functions that use them so
that commands which never parse a date do not pay for importing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

from filmlog import clock
from filmlog.errors import InvalidInput
from filmlog.model import (
    FIRST_FILM_YEAR,
    MAX_HALF_STARS,
    MAX_RUNTIME,
    MIN_HALF_STARS,
    MIN_RUNTIME,
    MPAA_RATINGS,
    latest_year,
)

__all__ = [
    "format_average",
    "format_runtime",
    "format_stars",
    "format_stars_number",
    "parse_cast",
    "parse_date",
    "parse_date_bound",
    "parse_mpaa",
    "parse_rating",
    "parse_runtime",
    "parse_timestamp",
    "parse_watched_date",
    "parse_year",
    "plural",
    "quote",
    "split_list",
]

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

STAR = "★"
HALF = "½"
EMPTY_STAR = "☆"
NO_RATING = "—"

_QUOTE_LIMIT = 60
# Digits beyond this are out of every accepted range; capping them keeps int()
# away from Python's limit on converting huge digit strings.
_MAX_DIGITS = 6

_RATING_HINT = "use 0.5 to 5 stars in half steps, as 4, 3.5, 3½, ★★★½, 4/5 or 7/10"
_RUNTIME_HINT = (
    f"use {MIN_RUNTIME} to {MAX_RUNTIME} minutes, as 126, 126 min, 2h 6m, 2 hr 6 min or 2:06"
)
_WATCHED_HINT = "use a date such as 2024-04-13, today, yesterday, 3 days ago or friday"
_BOUND_HINT = "use a date such as 2024-04-13, 2019, 2019-03, 3 days ago or last week"
_DATE_HINT = "use a date such as 2024-04-13, April 13 2024 or 13 April 2024"
_TIMESTAMP_HINT = (
    "use a date and time such as 2024-04-13 21:30, 04/13/24 1:21 AM Mountain Time or now"
)
_ZONE_HINT = "use an IANA name such as America/Denver or a name such as Mountain Time, PST or UTC"

# Patterns are kept as strings and compiled by re (which caches them) on first use, so
# importing this module compiles none of them.
# Only ASCII digits: str.isdigit() and \d also accept other scripts' digits.
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_STAR_NUMBER_RE = rf"(?P<number>{_NUMBER})|(?P<whole>[0-9]*)½"
_FRACTION_RE = r"(?P<top>[^/]+?)\s*/\s*(?P<bottom>[0-9]+)"
_GLYPHS_RE = r"(?P<full>★*)(?P<half>½?)(?P<empty>☆*)"

_MINUTE_UNIT = r"(?:m|mins?|minutes?)"
_HOUR_UNIT = r"(?:h|hrs?|hours?)"
_RUNTIME_MINUTES_RE = rf"(?i)(?P<minutes>[0-9]+)\s*{_MINUTE_UNIT}?"
_RUNTIME_HOURS_RE = (
    rf"(?i)(?P<hours>[0-9]+)\s*{_HOUR_UNIT}"
    rf"(?:\s*,?\s*(?:and\s+)?(?P<minutes>[0-9]+)\s*{_MINUTE_UNIT}?)?"
)
_RUNTIME_CLOCK_RE = r"(?P<hours>[0-9]+):(?P<minutes>[0-5][0-9])"

_AGO_RE = r"(?P<count>[0-9]+|an?|one)\s+(?P<unit>days?|weeks?|months?|years?)\s+ago"
_LAST_RE = r"last\s+(?P<unit>week|month|year)"
_WEEKDAY_RE = r"(?P<last>last\s+)?(?P<name>[a-z]+)"
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}

_AMPM_RE = r"(?i)(?<![a-z])([ap])\.\s*m\b\.?"
# dateutil reads "GMT+3" the POSIX way, as three hours *behind* UTC, which is the
# opposite of what people mean when they write it.
_GMT_OFFSET_RE = (
    r"(?i)(?<![\w/])(?:UTC|GMT)\s*(?P<sign>[+-])(?P<hours>[0-9]{1,2})(?::?(?P<minutes>[0-9]{2}))?\b"
)
_IANA_RE = r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)+"
_ZONE_WORD_RE = r"[A-Za-z][A-Za-z/_]*"
_ZONE_QUALIFIERS = ("time", "standard", "daylight")
_ZONE_ALIASES = {
    alias: zone
    for zone, aliases in {
        "America/Denver": ("mountain", "mt", "mst", "mdt"),
        "America/Los_Angeles": ("pacific", "pt", "pst", "pdt"),
        "America/Chicago": ("central", "ct", "cst", "cdt"),
        "America/New_York": ("eastern", "et", "est", "edt"),
        "America/Anchorage": ("alaska", "akt", "akst", "akdt"),
        "Pacific/Honolulu": ("hawaii", "hawaii-aleutian", "hst", "hdt"),
        "UTC": ("utc", "gmt", "z", "zulu", "universal", "coordinated universal"),
        "Europe/London": ("bst", "british summer", "uk"),
        "Europe/Paris": ("cet", "cest", "central european"),
        "Asia/Kolkata": ("ist", "india"),
        "Asia/Tokyo": ("jst", "japan"),
        "Australia/Sydney": ("aest", "aedt", "australian eastern"),
    }.items()
    for alias in aliases
}
# Longest alias in words, plus room for the optional qualifiers after it.
_MAX_ZONE_WORDS = max(len(alias.split()) for alias in _ZONE_ALIASES) + len(_ZONE_QUALIFIERS)
_FUTURE_GRACE = timedelta(minutes=1)


def quote(text: str) -> str:
    """Quote user text for a one-line message: whitespace collapsed, controls hidden."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in " ".join(text.split()))
    if len(shown) > _QUOTE_LIMIT:
        shown = shown[: _QUOTE_LIMIT - 1] + "…"
    return f"'{shown}'"


def _small_int(digits: str) -> int | None:
    """Convert ASCII digits to an int, or None when far too large for any range here."""
    digits = digits.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        return None
    return int(digits)


# ---------------------------------------------------------------------------
# Ratings


def _star_number_to_half_stars(text: str) -> int | None:
    """Read ``4``, ``3.5``, ``3½`` or ``½`` as half-stars; None when not such a number."""
    match = re.fullmatch(_STAR_NUMBER_RE, text)
    if match is None:
        return None
    if match["number"] is None:
        whole = _small_int(match["whole"] or "0")
        return None if whole is None else whole * 2 + 1
    whole_digits, _, fraction = match["number"].partition(".")
    whole = _small_int(whole_digits)
    if whole is None:
        return None
    fraction = fraction.rstrip("0")
    if fraction == "":
        return whole * 2
    if fraction == "5":
        return whole * 2 + 1
    return None


def _glyphs_to_half_stars(text: str) -> int | None:
    """Read ``★★★½`` or ``★★★★☆`` as half-stars; None when not a star string."""
    match = re.fullmatch(_GLYPHS_RE, text)
    if match is None or not (match["full"] or match["half"]):
        return None
    slots = len(match["full"]) + len(match["half"]) + len(match["empty"])
    if slots > MAX_HALF_STARS // 2:
        return None
    return len(match["full"]) * 2 + len(match["half"])


def _rating_to_half_stars(text: str) -> int | None:
    """Interpret every accepted rating form; None when the text is none of them."""
    glyphs = _glyphs_to_half_stars(text)
    if glyphs is not None:
        return glyphs
    fraction = re.fullmatch(_FRACTION_RE, text)
    if fraction is None:
        return _star_number_to_half_stars(text)
    top = fraction["top"]
    bottom = fraction["bottom"].lstrip("0")
    if bottom == "5":
        return _star_number_to_half_stars(top)
    if bottom == "10" and re.fullmatch(r"[0-9]+", top):
        # Out of ten, each point is one half-star; half points would be quarter stars.
        return _small_int(top)
    return None


def parse_rating(text: str) -> int:
    """Parse a star rating and return it in half-stars, 1 to 10 (3.5 stars is 7).

    Accepted: ``4``, ``3.5``, ``3½``, ``½``, star glyphs such as ``★★★½`` or
    ``★★★★☆`` (``☆`` marks empty slots), ``4/5``, ``4.5/5`` and whole points out of
    ten such as ``7/10``. Stars must lie between 0.5 and 5 in half steps.
    """
    half_stars = _rating_to_half_stars(text.strip())
    if half_stars is None or not MIN_HALF_STARS <= half_stars <= MAX_HALF_STARS:
        raise InvalidInput(f"invalid rating {quote(text)}: {_RATING_HINT}")
    return half_stars


def _check_half_stars(half_stars: int) -> None:
    if not MIN_HALF_STARS <= half_stars <= MAX_HALF_STARS:
        raise ValueError(
            f"half-star rating must be {MIN_HALF_STARS} to {MAX_HALF_STARS}, not {half_stars}"
        )


def format_stars(half_stars: int | None, *, empty: str = EMPTY_STAR) -> str:
    """Render a half-star rating as five glyph slots, e.g. 7 as ``★★★½☆``.

    ``None`` (not rated) renders as ``—``. ``empty`` fills the unused slots, so a
    plain-text table can pass a space. Raises ValueError outside 1 to 10.
    """
    if half_stars is None:
        return NO_RATING
    _check_half_stars(half_stars)
    full, half = divmod(half_stars, 2)
    slots = MAX_HALF_STARS // 2
    return STAR * full + HALF * half + empty * (slots - full - half)


def format_stars_number(half_stars: int) -> str:
    """Return stars as text, without a needless ``.0``: 7 is ``3.5``, 8 is ``4``."""
    _check_half_stars(half_stars)
    full, half = divmod(half_stars, 2)
    return f"{full}.5" if half else str(full)


# ---------------------------------------------------------------------------
# Runtimes


def _runtime_minutes(text: str) -> int | None:
    """Interpret every accepted runtime form as minutes; None when it is none of them."""
    if match := re.fullmatch(_RUNTIME_MINUTES_RE, text):
        return _small_int(match["minutes"])
    match = re.fullmatch(_RUNTIME_HOURS_RE, text) or re.fullmatch(_RUNTIME_CLOCK_RE, text)
    if match is None:
        return None
    hours = _small_int(match["hours"])
    minutes = _small_int(match["minutes"] or "0")
    # "2h 75m" is more likely a typo than a deliberate way to write 3h 15m.
    if hours is None or minutes is None or minutes >= 60:
        return None
    return hours * 60 + minutes


def parse_runtime(text: str) -> int:
    """Parse a running time and return it in minutes, 1 to 1500.

    Accepted, in any letter case: ``126``, ``126m``, ``126 min``, ``126 minutes``,
    ``2h``, ``2h 6m``, ``2h6m``, ``2 hr 6 min``, ``2 hrs 6 mins``,
    ``2 hours 6 minutes`` and clock style ``1:45`` (hours and minutes).
    """
    minutes = _runtime_minutes(" ".join(text.split()))
    if minutes is None or not MIN_RUNTIME <= minutes <= MAX_RUNTIME:
        raise InvalidInput(f"invalid runtime {quote(text)}: {_RUNTIME_HINT}")
    return minutes


def format_runtime(minutes: int) -> str:
    """Render minutes as ``2 hr 6 min``, ``2 hr`` or ``45 min``; parse_runtime reads it back.

    Raises ValueError for less than one minute.
    """
    if minutes < MIN_RUNTIME:
        raise ValueError(f"runtime must be at least {MIN_RUNTIME} minute, not {minutes}")
    hours, rest = divmod(minutes, 60)
    parts = ([f"{hours} hr"] if hours else []) + ([f"{rest} min"] if rest else [])
    return " ".join(parts)


# ---------------------------------------------------------------------------
# Dates


def _dateutil_parse(text: str, default: datetime, tzinfos: _ZoneResolver | None = None) -> datetime:
    """Run dateutil, turning each of its failure modes into ValueError.

    dateutil warns (rather than fails) about zone names it cannot place; those
    warnings would leak onto the user's terminal, so they are silenced here and
    zones are handled by the caller instead.
    """
    import warnings

    import dateutil.parser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return dateutil.parser.parse(text, default=default, tzinfos=tzinfos)
        except OverflowError as error:
            raise ValueError(str(error)) from error


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _relative_watched_date(text: str, today: date) -> date | None:
    """Interpret today, yesterday, N days/weeks ago and weekday names; None otherwise."""
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    if match := re.fullmatch(_LAST_RE, text):
        return _back(today, 1, match["unit"])
    if match := re.fullmatch(_AGO_RE, text):
        count = match["count"]
        number = _small_int(count) if count[0].isdigit() else 1
        if number is None:
            raise OverflowError(count)
        return _back(today, number, match["unit"].rstrip("s"))
    if (match := re.fullmatch(_WEEKDAY_RE, text)) and match["name"] in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS[match["name"]]) % 7
        if back == 0 and match["last"]:
            back = 7
        return today - timedelta(days=back)
    return None


def _back(today: date, count: int, unit: str) -> date:
    """``count`` days, weeks, months or years before ``today``; a missing day (31 February)
    becomes the month's last."""
    if unit in ("day", "week"):
        return today - timedelta(days=count * 7 if unit == "week" else count)
    months = today.year * 12 + today.month - 1 - (count * 12 if unit == "year" else count)
    year, month = divmod(months, 12)
    if year < 1:
        raise OverflowError(count)
    following = date(year + 1, 1, 1) if month == 11 else date(year, month + 2, 1)
    return date(year, month + 1, min(today.day, (following - timedelta(days=1)).day))


def parse_watched_date(text: str, today: date | None = None) -> date:
    """Parse the day a film was watched; it may not be after ``today``.

    Accepted: ``today``, ``yesterday``, ``N days ago``, ``N weeks ago`` (``a week
    ago`` too), months and years ago alike, ``last week``, ``last month`` and
    ``last year`` (one of them ago), weekday names full or short (``friday``,
    ``fri``), ``last friday``, and any date python-dateutil reads (``2024-04-13``, ``04/13/24``,
    ``April 13 2024``, ``13 April 2024``), missing parts filled from ``today``.

    A bare weekday name means the most recent such day counting today, so on a
    Friday ``friday`` is today; ``last friday`` always means a day before today,
    so on a Friday it is a week ago.

    ``today`` defaults to the system's current date.
    """
    today = clock.today() if today is None else today
    words = " ".join(text.lower().split())
    try:
        watched = _relative_watched_date(words, today)
        if watched is None and len(words) == 10 and words[4] == "-":
            # ISO dates are the common case; date.fromisoformat spares importing dateutil.
            try:
                watched = date.fromisoformat(words)
            except ValueError:
                watched = None
        if watched is None:
            watched = _dateutil_parse(words, _midnight(today)).date()
    except (ValueError, OverflowError) as error:
        raise InvalidInput(f"invalid date {quote(text)}: {_WATCHED_HINT}") from error
    if watched > today:
        raise InvalidInput(f"watched date {watched.isoformat()} is in the future")
    return watched


def parse_date(text: str) -> date:
    """Parse any calendar date, past or future, such as a release date.

    Accepts ISO ``2024-04-13`` and anything python-dateutil reads. Missing parts
    come from 1 January of the current year, so ``April 2024`` is 2024-04-01.
    """
    cleaned = text.strip()
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    try:
        return _dateutil_parse(cleaned, datetime(clock.today().year, 1, 1)).date()
    except ValueError as error:
        raise InvalidInput(f"invalid date {quote(text)}: {_DATE_HINT}") from error


def parse_date_bound(text: str, *, end: bool = False) -> date:
    """One end of a range of watched dates (``--from``, ``--to``), inclusive.

    Takes what ``--watched`` takes (relative dates too) and dates in the future,
    and a date that names only a year or a month (``2019``, ``2019-03``,
    ``March 2019``) means its first day, or with ``end`` its last.
    """
    today = clock.today()
    words = " ".join(text.lower().split())
    try:
        day = _relative_watched_date(words, today)
        if day is not None:
            return day
        if len(words) == 10 and words[4] == "-":
            try:
                return date.fromisoformat(words)
            except ValueError:
                pass
        # dateutil fills what the text leaves out from the default, and clips the day to
        # the month's length: a default of 31 December gives the last day of what was named.
        default = datetime(today.year, 12, 31) if end else datetime(today.year, 1, 1)
        return _dateutil_parse(words, default).date()
    except (ValueError, OverflowError) as error:
        raise InvalidInput(f"invalid date {quote(text)}: {_BOUND_HINT}") from error


# ---------------------------------------------------------------------------
# Timestamps and time zones


def _iana_zone(name: str) -> str | None:
    """Return the canonical IANA key for ``name`` in any letter case, or None."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    else:
        return name
    # Zone files are looked up case-sensitively; the full list is only read
    # when a user typed a name in unexpected case.
    lowered = name.lower()
    for key in zoneinfo.available_timezones():
        if key.lower() == lowered:
            return key
    return None


def _zone_for(words: str) -> str | None:
    """Map a zone name as typed (``Mountain Time``, ``PDT``, ``Europe/London``) to IANA."""
    if re.fullmatch(_IANA_RE, words):
        return _iana_zone(words)
    tokens = words.lower().split()
    while tokens and tokens[-1] in _ZONE_QUALIFIERS:
        tokens.pop()
    return _ZONE_ALIASES.get(" ".join(tokens))


@dataclass
class _ZoneResolver:
    """Supplies tzinfo to dateutil for zone tokens inside the text, remembering the zone."""

    zone: str | None = None

    def __call__(self, name: str | None, offset: int | None) -> tzinfo | None:
        import zoneinfo

        if name is not None and (zone := _zone_for(name)) is not None:
            self.zone = zone
            return zoneinfo.ZoneInfo(zone)
        if offset is not None:
            return timezone(timedelta(seconds=offset))
        if name is not None:
            raise InvalidInput(f"unknown time zone {quote(name)}: {_ZONE_HINT}")
        return None


def _split_trailing_zone(text: str) -> tuple[str, str | None]:
    """Split ``04/13/24 1:21 AM Mountain Time`` into the time and ``America/Denver``."""
    tokens = text.split()
    for count in range(min(_MAX_ZONE_WORDS, len(tokens) - 1), 0, -1):
        zone = _zone_for(" ".join(tokens[-count:]))
        if zone is not None:
            return " ".join(tokens[:-count]), zone
    return text, None


def _unknown_trailing_zone(text: str, default: datetime) -> str | None:
    """Return the trailing words if they are all that stops ``text`` from parsing."""
    tokens = text.split()
    if tokens and "/" in tokens[-1] and re.fullmatch(_IANA_RE, tokens[-1]):
        return tokens[-1]
    words: list[str] = []
    while (
        len(tokens) > 1 and len(words) < _MAX_ZONE_WORDS and re.fullmatch(_ZONE_WORD_RE, tokens[-1])
    ):
        words.insert(0, tokens.pop())
        try:
            _dateutil_parse(" ".join(tokens), default)
        except ValueError:
            continue
        return " ".join(words)
    return None


def _gmt_offset(match: re.Match[str]) -> str:
    return f"{match['sign']}{int(match['hours']):02d}:{match['minutes'] or '00'}"


def parse_timestamp(text: str, *, now: datetime | None = None) -> tuple[datetime, str | None]:
    """Parse when something happened, returning an aware datetime and the zone named.

    Accepts ``now`` and anything python-dateutil reads, such as ``2024-04-13 21:30``
    or ``04/13/24 1:21 A.M.``, optionally followed by a zone: an IANA name
    (``America/Denver``) or a common name or abbreviation (``Mountain Time``, ``MT``,
    ``PDT``, ``UTC``, ``BST``, ``JST``...), in any letter case. Abbreviations name a
    region, not a fixed offset: ``MST`` means Denver's clock, so it reads as -06:00
    in summer. A time that a DST change skips or repeats takes the offset in force
    before the change.

    The zone name returned is the IANA key when the text named a zone, else None.
    Numeric offsets (``-06:00``, ``+0200``, ``GMT+2``) are kept exactly as given and
    text with neither is read in the system's local zone.

    ``now`` defaults to the current time; a naive ``now`` is taken as local time.
    A time without a date falls on ``now``'s date. Timestamps more than a minute
    after ``now`` are refused.
    """
    if now is None:
        now = clock.now()
    elif now.tzinfo is None:
        now = now.astimezone()
    cleaned = " ".join(re.sub(_AMPM_RE, r"\1M", text).split())
    if cleaned.lower() == "now":
        return now, None
    cleaned = re.sub(_GMT_OFFSET_RE, _gmt_offset, cleaned)
    cleaned, zone = _split_trailing_zone(cleaned)
    resolver = _ZoneResolver()
    default = _midnight(now.date())
    try:
        parsed = _dateutil_parse(cleaned, default, resolver)
    except ValueError as error:
        unknown = None if zone else _unknown_trailing_zone(cleaned, default)
        if unknown is not None:
            raise InvalidInput(f"unknown time zone {quote(unknown)}: {_ZONE_HINT}") from error
        raise InvalidInput(f"invalid timestamp {quote(text)}: {_TIMESTAMP_HINT}") from error

    if zone is not None:
        import zoneinfo

        if parsed.tzinfo is not None:
            raise InvalidInput(
                f"timestamp {quote(text)} gives both a time zone and a UTC offset: keep one"
            )
        parsed = parsed.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    elif parsed.tzinfo is None:
        parsed = parsed.astimezone()
    else:
        zone = resolver.zone

    if parsed > now + _FUTURE_GRACE:
        shown = parsed.isoformat(sep=" ", timespec="minutes")
        raise InvalidInput(f"timestamp {shown} is in the future")
    return parsed, zone


# ---------------------------------------------------------------------------
# Film details


# An "as" at either end means the actor or the role was left out, not that it is a name.
_CAST_AS_RE = r"(?i)(?:^|\s+)as(?:\s+|$)"
_CAST_PARENS_RE = r"(?i)(?P<actor>[^()]*?)\s*\((?:as\s+)?(?P<role>[^()]*)\)"


def parse_cast(text: str) -> tuple[str, str | None]:
    """Split a cast entry into actor and role.

    ``Joaquin Phoenix as Theodore`` and ``Joaquin Phoenix (Theodore)`` both give
    ``("Joaquin Phoenix", "Theodore")``; the first `` as `` (any case) separates
    them, so a role may itself contain "as"; parentheses are only read as the role
    when there is no `` as ``. Without a role the role is None.
    Whitespace runs inside names collapse to one space.
    """
    parts = re.split(_CAST_AS_RE, text.strip(), maxsplit=1)
    if len(parts) == 2:
        actor, role = parts
    elif match := re.fullmatch(_CAST_PARENS_RE, parts[0]):
        actor, role = match["actor"], match["role"]
    else:
        actor, role = parts[0], ""
    actor = " ".join(actor.split())
    role = " ".join(role.split())
    if not actor:
        raise InvalidInput(
            f"invalid cast entry {quote(text)}: the actor is missing; use Actor or Actor as Role"
        )
    return actor, role or None


def parse_mpaa(text: str) -> str:
    """Parse an MPAA rating into one of ``G``, ``PG``, ``PG-13``, ``R``, ``NC-17``, ``NR``.

    Case, spaces, dots and hyphens are ignored, and a leading ``Rated`` is dropped, so
    ``pg13``, ``PG 13``, ``Rated R`` and ``nc17`` work; ``Not Rated`` and ``Unrated``
    mean ``NR``.
    """
    key = re.sub(r"[\s.\-]+", "", text.upper())
    key = key.removeprefix("RATED") or key
    if key in ("NOTRATED", "UNRATED"):
        return "NR"
    for rating in MPAA_RATINGS:
        if key == rating.replace("-", ""):
            return rating
    choices = ", ".join(MPAA_RATINGS[:-1]) + f" or {MPAA_RATINGS[-1]}"
    raise InvalidInput(f"invalid MPAA rating {quote(text)}: use {choices}")


def parse_year(text: str | int) -> int:
    """Parse a film's year, from 1870 up to ten years after the current one."""
    latest = latest_year()
    shown = str(text)
    year: int | None = None
    if isinstance(text, bool):
        year = None
    elif isinstance(text, int):
        year = text
    elif re.fullmatch(r"[0-9]+", cleaned := text.strip()):
        year = _small_int(cleaned)
    if year is None or not FIRST_FILM_YEAR <= year <= latest:
        raise InvalidInput(
            f"invalid year {quote(shown)}: use a year from {FIRST_FILM_YEAR} to {latest}"
        )
    return year


def split_list(values: list[str]) -> list[str]:
    """Flatten repeated, comma-separated option values into a clean list.

    ``["Romance, Sci-Fi", "romance", " Drama "]`` gives ``["Romance", "Sci-Fi",
    "Drama"]``: items are stripped, empty ones dropped and repeats removed ignoring
    case, keeping the first spelling and the original order.
    """
    seen: set[str] = set()
    items: list[str] = []
    for value in values:
        for item in value.split(","):
            cleaned = item.strip()
            key = cleaned.casefold()
            if cleaned and key not in seen:
                seen.add(key)
                items.append(cleaned)
    return items


def plural(count: int, noun: str) -> str:
    """``1 review``, ``3 reviews``."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def format_average(stars: float | None) -> str:
    """An average in stars to two places (``3.62``), or ``—``."""
    return "—" if stars is None else f"{stars:.2f}"


_PARTIAL_RELEASE = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?")


def parse_release(text: str) -> tuple[date, str | None]:
    """A release date and how much of it is known: ``1991-09`` is a month, ``1982`` a year.

    A partial date is kept partial (its first day, and the precision), never
    given a day it did not have; anything else is read as :func:`parse_date` does.
    """
    match = _PARTIAL_RELEASE.fullmatch(text.strip())
    if match is None:
        return parse_date(text), None
    year, month = int(match[1]), int(match[2] or 1)
    if not (1 <= month <= 12 and year >= 1):
        raise InvalidInput(f"invalid release date '{text.strip()[:30]}'")
    return date(year, month, 1), "month" if match[2] else "year"
