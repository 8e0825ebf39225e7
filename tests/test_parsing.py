"""Tests for filmlog.parsing: every accepted form, every refusal, and round trips."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filmlog.errors import FilmlogError, InvalidInput
from filmlog.parsing import (
    format_runtime,
    format_stars,
    format_stars_number,
    parse_cast,
    parse_date,
    parse_mpaa,
    parse_rating,
    parse_runtime,
    parse_timestamp,
    parse_watched_date,
    parse_year,
    split_list,
)

# A Friday, so weekday arithmetic below has a fixed anchor.
TODAY = date(2024, 4, 19)
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
MDT = timedelta(hours=-6)
MST = timedelta(hours=-7)


def test_anchor_is_a_friday() -> None:
    assert TODAY.strftime("%A") == "Friday"


def test_invalid_input_is_a_filmlog_error() -> None:
    with pytest.raises(FilmlogError):
        parse_rating("nope")


# ---------------------------------------------------------------------------
# parse_rating


@pytest.mark.parametrize(
    ("text", "half_stars"),
    [
        ("4", 8),
        ("3.5", 7),
        ("0.5", 1),
        ("5", 10),
        ("5.0", 10),
        ("3.50", 7),
        ("3½", 7),
        ("½", 1),
        ("4½", 9),
        ("★★★½", 7),
        ("★★★★☆", 8),
        ("★★★½☆", 7),
        ("★", 2),
        ("★★★★★", 10),
        ("½☆☆☆☆", 1),
        ("4/5", 8),
        ("4.5/5", 9),
        ("3½/5", 7),
        ("4 / 5", 8),
        ("7/10", 7),
        ("1/10", 1),
        ("10/10", 10),
        ("  3.5\t", 7),
        ("\n★★½ ", 5),
    ],
)
def test_parse_rating_accepts(text: str, half_stars: int) -> None:
    assert parse_rating(text) == half_stars


@pytest.mark.parametrize(
    "text",
    [
        "6",
        "0",
        "0.0",
        "5.5",
        "-1",
        "3.25",
        "3.7",
        "3,5",
        "half",
        "abc",
        "",
        "   ",
        "★★★★★★",
        "★★★★★☆",
        "☆☆☆☆☆",
        "½★",
        "★½½",
        "6/5",
        "0/5",
        "3.5/10",
        "11/10",
        "0/10",
        "4/4",
        "4/",
        "/5",
        "99999999999999999999",
        "٣",
    ],
)
def test_parse_rating_refuses(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rating(text)
    message = str(caught.value)
    assert message.startswith(f"invalid rating '{text.strip()}'")
    assert "0.5 to 5 stars" in message
    assert "7/10" in message


def test_parse_rating_message_is_one_line_for_multiline_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rating("four\nstars")
    assert str(caught.value).startswith("invalid rating 'four stars'")
    assert "\n" not in str(caught.value)


def test_long_bad_input_is_shortened_in_message() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rating("x" * 500)
    message = str(caught.value)
    assert "…'" in message
    assert len(message) < 200


@given(st.integers(min_value=1, max_value=10))
def test_rating_round_trips_through_every_rendering(half_stars: int) -> None:
    assert parse_rating(format_stars(half_stars)) == half_stars
    assert parse_rating(format_stars_number(half_stars)) == half_stars
    assert parse_rating(f"{format_stars_number(half_stars)}/5") == half_stars
    assert parse_rating(f"{half_stars}/10") == half_stars


@given(st.text())
def test_parse_rating_only_ever_raises_invalid_input(text: str) -> None:
    try:
        result = parse_rating(text)
    except InvalidInput as error:
        assert "\n" not in str(error)
    else:
        assert 1 <= result <= 10


# ---------------------------------------------------------------------------
# format_stars, stars_value, format_stars_number


@pytest.mark.parametrize(
    ("half_stars", "shown"),
    [(1, "½☆☆☆☆"), (2, "★☆☆☆☆"), (7, "★★★½☆"), (8, "★★★★☆"), (9, "★★★★½"), (10, "★★★★★")],
)
def test_format_stars(half_stars: int, shown: str) -> None:
    assert format_stars(half_stars) == shown


def test_format_stars_none_is_a_dash() -> None:
    assert format_stars(None) == "—"


def test_format_stars_custom_empty_glyph() -> None:
    assert format_stars(7, empty=" ") == "★★★½ "
    assert format_stars(2, empty="·") == "★····"


@given(st.integers(min_value=1, max_value=10))
def test_format_stars_always_fills_five_slots(half_stars: int) -> None:
    assert len(format_stars(half_stars)) == 5


@pytest.mark.parametrize("half_stars", [0, 11, -1])
def test_star_helpers_refuse_out_of_range(half_stars: int) -> None:
    with pytest.raises(ValueError, match=str(half_stars)):
        format_stars(half_stars)
    with pytest.raises(ValueError, match=str(half_stars)):
        format_stars_number(half_stars)


@pytest.mark.parametrize(("half_stars", "shown"), [(1, "0.5"), (7, "3.5"), (8, "4"), (10, "5")])
def test_format_stars_number(half_stars: int, shown: str) -> None:
    assert format_stars_number(half_stars) == shown


# ---------------------------------------------------------------------------
# parse_runtime, format_runtime


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("126", 126),
        ("126m", 126),
        ("126 m", 126),
        ("126 min", 126),
        ("126 mins", 126),
        ("126 minutes", 126),
        ("1 minute", 1),
        ("2h 6m", 126),
        ("2h6m", 126),
        ("2H 6M", 126),
        ("2 hr 6 min", 126),
        ("2 hrs 6 mins", 126),
        ("2 hours 6 minutes", 126),
        ("2 Hours 6 Minutes", 126),
        ("1 hour 1 minute", 61),
        ("2 hours and 6 minutes", 126),
        ("2h, 6m", 126),
        ("2h 6", 126),
        ("2h", 120),
        ("2 hr", 120),
        ("2 hours", 120),
        ("1:45", 105),
        ("0:05", 5),
        ("25:00", 1500),
        ("  126 min  ", 126),
        ("1500", 1500),
        ("1", 1),
    ],
)
def test_parse_runtime_accepts(text: str, minutes: int) -> None:
    assert parse_runtime(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0 min",
        "0h",
        "0:00",
        "1501",
        "26h",
        "9999999999999999999999",
        "2h 75m",
        "1:60",
        "1:5",
        "-5",
        "1.5h",
        "126 secs",
        "two hours",
        "abc",
        "",
        "m",
        "h 6m",
    ],
)
def test_parse_runtime_refuses(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_runtime(text)
    message = str(caught.value)
    assert message.startswith(f"invalid runtime '{text}'")
    assert "1 to 1500 minutes" in message


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (126, "2 hr 6 min"),
        (120, "2 hr"),
        (45, "45 min"),
        (1, "1 min"),
        (60, "1 hr"),
        (1500, "25 hr"),
    ],
)
def test_format_runtime(minutes: int, shown: str) -> None:
    assert format_runtime(minutes) == shown


@pytest.mark.parametrize("minutes", [0, -1])
def test_format_runtime_refuses_less_than_a_minute(minutes: int) -> None:
    with pytest.raises(ValueError, match=str(minutes)):
        format_runtime(minutes)


@given(st.integers(min_value=1, max_value=1500))
def test_runtime_round_trips(minutes: int) -> None:
    assert parse_runtime(format_runtime(minutes)) == minutes


@given(st.text())
def test_parse_runtime_only_ever_raises_invalid_input(text: str) -> None:
    try:
        result = parse_runtime(text)
    except InvalidInput as error:
        assert "\n" not in str(error)
    else:
        assert 1 <= result <= 1500


# ---------------------------------------------------------------------------
# parse_watched_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2024, 4, 19)),
        ("Today", date(2024, 4, 19)),
        ("yesterday", date(2024, 4, 18)),
        ("  YESTERDAY ", date(2024, 4, 18)),
        ("0 days ago", date(2024, 4, 19)),
        ("1 day ago", date(2024, 4, 18)),
        ("3 days ago", date(2024, 4, 16)),
        ("3  days   ago", date(2024, 4, 16)),
        ("40 days ago", date(2024, 3, 10)),
        ("a day ago", date(2024, 4, 18)),
        ("a week ago", date(2024, 4, 12)),
        ("one week ago", date(2024, 4, 12)),
        ("1 week ago", date(2024, 4, 12)),
        ("2 weeks ago", date(2024, 4, 5)),
        ("2024-04-13", date(2024, 4, 13)),
        ("04/13/24", date(2024, 4, 13)),
        ("April 13 2024", date(2024, 4, 13)),
        ("13 April 2024", date(2024, 4, 13)),
        ("Apr 13, 2024", date(2024, 4, 13)),
        ("2023-12-31", date(2023, 12, 31)),
        ("2024-04-19", date(2024, 4, 19)),
        ("2024-04-13 23:59", date(2024, 4, 13)),
    ],
)
def test_parse_watched_date_accepts(text: str, expected: date) -> None:
    assert parse_watched_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The anchor is a Friday: a bare name includes today, "last" never does.
        ("friday", date(2024, 4, 19)),
        ("Fri", date(2024, 4, 19)),
        ("last friday", date(2024, 4, 12)),
        ("last fri", date(2024, 4, 12)),
        ("thursday", date(2024, 4, 18)),
        ("thu", date(2024, 4, 18)),
        ("thurs", date(2024, 4, 18)),
        ("last thursday", date(2024, 4, 18)),
        ("saturday", date(2024, 4, 13)),
        ("sat", date(2024, 4, 13)),
        ("last saturday", date(2024, 4, 13)),
        ("sunday", date(2024, 4, 14)),
        ("monday", date(2024, 4, 15)),
        ("mon", date(2024, 4, 15)),
        ("tuesday", date(2024, 4, 16)),
        ("tues", date(2024, 4, 16)),
        ("wednesday", date(2024, 4, 17)),
        ("WED", date(2024, 4, 17)),
    ],
)
def test_parse_watched_date_weekdays(text: str, expected: date) -> None:
    result = parse_watched_date(text, today=TODAY)
    assert result == expected
    assert result <= TODAY


def test_parse_watched_date_partial_input_fills_from_today() -> None:
    assert parse_watched_date("april 13", today=TODAY) == date(2024, 4, 13)
    assert parse_watched_date("13", today=TODAY) == date(2024, 4, 13)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2031-01-01", "2031-01-01"),
        ("2024-04-20", "2024-04-20"),
        ("april 20", "2024-04-20"),
        ("December 25", "2024-12-25"),
    ],
)
def test_parse_watched_date_refuses_the_future(text: str, shown: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_watched_date(text, today=TODAY)
    assert str(caught.value) == f"watched date {shown} is in the future"


@pytest.mark.parametrize(
    "text",
    [
        "blah",
        "",
        "tomorrow",
        "next friday",
        "last",
        "funday",
        "2024-02-30",
        "2024-13-01",
        "0",
        "3 days",
        "days ago",
        "-3 days ago",
        "99999999 days ago",
        "99999999999999999999",
        "10000-01-01",
    ],
)
def test_parse_watched_date_refuses_nonsense(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_watched_date(text, today=TODAY)
    message = str(caught.value)
    assert message.startswith(f"invalid date '{text}'")
    assert "2024-04-13, today, yesterday, 3 days ago or friday" in message


def test_parse_watched_date_refuses_dates_before_the_calendar() -> None:
    with pytest.raises(InvalidInput, match="invalid date '5 days ago'"):
        parse_watched_date("5 days ago", today=date(1, 1, 2))


def test_parse_watched_date_defaults_to_the_clocks_date(frozen_now: datetime) -> None:
    assert parse_watched_date("today") == date(2024, 4, 13)
    assert parse_watched_date("yesterday") == date(2024, 4, 12)


@settings(deadline=None)
@given(st.text(max_size=40))
def test_parse_watched_date_only_ever_raises_invalid_input(text: str) -> None:
    try:
        result = parse_watched_date(text, today=TODAY)
    except InvalidInput as error:
        assert "\n" not in str(error)
    else:
        assert result <= TODAY


# ---------------------------------------------------------------------------
# parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-13", date(2024, 4, 13)),
        (" 2024-04-13 ", date(2024, 4, 13)),
        ("04/13/24", date(2024, 4, 13)),
        ("April 13 2024", date(2024, 4, 13)),
        ("13 April 2024", date(2024, 4, 13)),
        ("April 2024", date(2024, 4, 1)),
        ("2031-06-01", date(2031, 6, 1)),
        ("1895-12-28", date(1895, 12, 28)),
    ],
)
def test_parse_date_accepts(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["nope", "", "2024-02-30", "99999999999999999999", "today"])
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date(text)
    message = str(caught.value)
    assert message.startswith(f"invalid date '{text}'")
    assert "2024-04-13" in message


# ---------------------------------------------------------------------------
# parse_timestamp


def test_seed_timestamp_in_mountain_daylight_time() -> None:
    parsed, zone = parse_timestamp("04/13/24 1:21 AM Mountain Time", now=NOW)
    assert zone == "America/Denver"
    assert parsed.utcoffset() == MDT
    assert parsed.replace(tzinfo=None) == datetime(2024, 4, 13, 1, 21)
    assert parsed == datetime(2024, 4, 13, 7, 21, tzinfo=timezone.utc)


def test_mountain_time_in_january_is_standard_time() -> None:
    parsed, zone = parse_timestamp("01/13/24 1:21 AM Mountain Time", now=NOW)
    assert zone == "America/Denver"
    assert parsed.utcoffset() == MST
    assert parsed == datetime(2024, 1, 13, 8, 21, tzinfo=timezone.utc)


def test_zone_abbreviation_follows_the_regions_clock() -> None:
    summer, _ = parse_timestamp("2024-04-13 01:21 MST", now=NOW)
    winter, _ = parse_timestamp("2024-01-13 01:21 MDT", now=NOW)
    assert summer.utcoffset() == MDT
    assert winter.utcoffset() == MST


def test_time_skipped_by_dst_takes_the_offset_before_the_change() -> None:
    parsed, _ = parse_timestamp("2024-03-10 2:30 AM Mountain Time", now=NOW)
    assert parsed.utcoffset() == MST


@pytest.mark.parametrize(
    "text",
    [
        "04/13/24 1:21 A.M. Mountain Time",
        "04/13/24 1:21 a.m. Mountain Time",
        "04/13/24 1:21 a.m Mountain Time",
        "04/13/24 1:21 A. M. Mountain Time",
        "04/13/24 1:21am Mountain Time",
        "04/13/24 1:21 AM mountain time",
        "04/13/24 1:21 AM MOUNTAIN",
        "04/13/24 1:21 AM Mountain Standard Time",
        "04/13/24 1:21 AM Mountain Daylight Time",
        "04/13/24 1:21 AM MT",
        "04/13/24 1:21 AM mt",
        "04/13/24 1:21 AM MDT",
        "04/13/24 1:21 AM MST",
        "04/13/24 1:21 AM America/Denver",
        "04/13/24 1:21 AM america/denver",
        "2024-04-13 01:21 America/Denver",
        "1:21 AM MDT 04/13/24",
        "  04/13/24   1:21 AM   Mountain   Time  ",
    ],
)
def test_parse_timestamp_mountain_spellings(text: str) -> None:
    parsed, zone = parse_timestamp(text, now=NOW)
    assert zone == "America/Denver"
    assert parsed == datetime(2024, 4, 13, 7, 21, tzinfo=timezone.utc)
    assert parsed.utcoffset() == MDT


def test_parse_timestamp_pm_with_dots() -> None:
    parsed, _ = parse_timestamp("04/13/24 9:05 P.M. Mountain Time", now=NOW)
    assert parsed.replace(tzinfo=None) == datetime(2024, 4, 13, 21, 5)


@pytest.mark.parametrize(
    ("words", "zone"),
    [
        ("Pacific", "America/Los_Angeles"),
        ("Pacific Time", "America/Los_Angeles"),
        ("PT", "America/Los_Angeles"),
        ("PST", "America/Los_Angeles"),
        ("pdt", "America/Los_Angeles"),
        ("Central Time", "America/Chicago"),
        ("CT", "America/Chicago"),
        ("CST", "America/Chicago"),
        ("CDT", "America/Chicago"),
        ("Eastern Time", "America/New_York"),
        ("ET", "America/New_York"),
        ("EST", "America/New_York"),
        ("EDT", "America/New_York"),
        ("Alaska Time", "America/Anchorage"),
        ("Hawaii", "Pacific/Honolulu"),
        ("GMT", "UTC"),
        ("UTC", "UTC"),
        ("Z", "UTC"),
        ("BST", "Europe/London"),
        ("CET", "Europe/Paris"),
        ("CEST", "Europe/Paris"),
        ("IST", "Asia/Kolkata"),
        ("JST", "Asia/Tokyo"),
        ("AEST", "Australia/Sydney"),
        ("AEDT", "Australia/Sydney"),
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("Asia/Tokyo", "Asia/Tokyo"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_parse_timestamp_zone_names(words: str, zone: str) -> None:
    from zoneinfo import ZoneInfo

    parsed, named = parse_timestamp(f"2024-04-13 01:21 {words}", now=NOW)
    assert named == zone
    expected = datetime(2024, 4, 13, 1, 21, tzinfo=ZoneInfo(zone))
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_parse_timestamp_zone_attached_to_iso_time() -> None:
    parsed, zone = parse_timestamp("2024-04-13T01:21:00Z", now=NOW)
    assert zone == "UTC"
    assert parsed == datetime(2024, 4, 13, 1, 21, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2024-04-13T01:21:00-06:00", timedelta(hours=-6)),
        ("2024-04-13 01:21 +0200", timedelta(hours=2)),
        ("2024-04-13 01:21 +05:30", timedelta(hours=5, minutes=30)),
        ("2024-04-13 01:21 GMT+3", timedelta(hours=3)),
        ("2024-04-13 01:21 UTC-4", timedelta(hours=-4)),
        ("2024-04-13 01:21 UTC+05:30", timedelta(hours=5, minutes=30)),
    ],
)
def test_parse_timestamp_keeps_numeric_offsets(text: str, offset: timedelta) -> None:
    parsed, zone = parse_timestamp(text, now=NOW)
    assert zone is None
    assert parsed.utcoffset() == offset
    assert parsed.replace(tzinfo=None) == datetime(2024, 4, 13, 1, 21)


def test_parse_timestamp_etc_zone_is_not_mistaken_for_an_offset() -> None:
    # In the IANA database Etc/GMT+3 is three hours *behind* UTC.
    parsed, zone = parse_timestamp("2024-04-13 01:21 Etc/GMT+3", now=NOW)
    assert zone == "Etc/GMT+3"
    assert parsed.utcoffset() == timedelta(hours=-3)


def test_parse_timestamp_without_zone_uses_local_time() -> None:
    parsed, zone = parse_timestamp("2024-04-13 01:21", now=NOW)
    assert zone is None
    assert parsed.tzinfo is not None
    assert parsed == datetime(2024, 4, 13, 1, 21).astimezone()
    assert parsed.replace(tzinfo=None) == datetime(2024, 4, 13, 1, 21)


def test_parse_timestamp_time_only_uses_the_date_of_now() -> None:
    parsed, zone = parse_timestamp("1:21 AM UTC", now=NOW)
    assert zone == "UTC"
    assert parsed == datetime(2024, 6, 1, 1, 21, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["now", "NOW", " now "])
def test_parse_timestamp_now(text: str) -> None:
    assert parse_timestamp(text, now=NOW) == (NOW, None)


def test_parse_timestamp_now_keeps_the_zone_of_now() -> None:
    from zoneinfo import ZoneInfo

    denver_now = datetime(2024, 6, 1, 20, 0, tzinfo=ZoneInfo("America/Denver"))
    parsed, _ = parse_timestamp("now", now=denver_now)
    assert parsed.utcoffset() == MDT


def test_parse_timestamp_time_only_takes_the_date_in_the_zone_of_now() -> None:
    from zoneinfo import ZoneInfo

    # 20:00 in Denver is already 2 June in UTC; the date must come from Denver.
    denver_now = datetime(2024, 6, 1, 20, 0, tzinfo=ZoneInfo("America/Denver"))
    parsed, zone = parse_timestamp("1:21 AM MT", now=denver_now)
    assert zone == "America/Denver"
    assert parsed.replace(tzinfo=None) == datetime(2024, 6, 1, 1, 21)


def test_parse_timestamp_naive_now_is_local_time() -> None:
    naive_now = datetime(2024, 6, 1, 12, 0)
    parsed, _ = parse_timestamp("now", now=naive_now)
    assert parsed.tzinfo is not None
    assert parsed == naive_now.astimezone()


def test_parse_timestamp_default_now_is_the_clock(frozen_now: datetime) -> None:
    parsed, zone = parse_timestamp("now")
    assert zone is None
    assert parsed == frozen_now
    assert parse_timestamp("12:15 AM")[0] == frozen_now - timedelta(minutes=15)  # on its date


def test_parse_timestamp_allows_a_minute_of_clock_skew() -> None:
    parsed, _ = parse_timestamp("2024-06-01 12:01 UTC", now=NOW)
    assert parsed == NOW + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2024-06-01 12:02 UTC", "2024-06-01 12:02+00:00"),
        ("2031-01-01 09:00 Mountain Time", "2031-01-01 09:00-07:00"),
        ("2024-06-01 08:05 EDT", "2024-06-01 08:05-04:00"),
    ],
)
def test_parse_timestamp_refuses_the_future(text: str, shown: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_timestamp(text, now=NOW)
    assert str(caught.value) == f"timestamp {shown} is in the future"


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("2024-04-13 01:21 Moon Time", "Moon Time"),
        ("04/13/24 1:21 AM Mountain Tim", "Mountain Tim"),
        ("2024-04-13 01:21 XYZ", "XYZ"),
        ("2024-04-13 01:21 America/Denvr", "America/Denvr"),
        ("2024-04-13 01:21 Mars/Olympus_Mons", "Mars/Olympus_Mons"),
    ],
)
def test_parse_timestamp_names_unknown_zones(text: str, unknown: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_timestamp(text, now=NOW)
    message = str(caught.value)
    assert message.startswith(f"unknown time zone '{unknown}'")
    assert "America/Denver" in message


def test_parse_timestamp_refuses_zone_and_offset_together() -> None:
    text = "2024-04-13 01:21 -06:00 MDT"
    with pytest.raises(InvalidInput) as caught:
        parse_timestamp(text, now=NOW)
    assert str(caught.value).startswith(f"timestamp '{text}' gives both a time zone and a UTC")


@pytest.mark.parametrize(
    "text", ["garbage", "", "Mountain Time", "yesterday", "2024-02-30 10:00", "25:00"]
)
def test_parse_timestamp_refuses_nonsense(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_timestamp(text, now=NOW)
    message = str(caught.value)
    assert message.startswith(f"invalid timestamp '{text}'")
    assert "04/13/24 1:21 AM Mountain Time" in message


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=40))
def test_parse_timestamp_only_ever_raises_invalid_input(text: str) -> None:
    try:
        parsed, _ = parse_timestamp(text, now=NOW)
    except InvalidInput as error:
        assert "\n" not in str(error)
    else:
        assert parsed.tzinfo is not None
        assert parsed <= NOW + timedelta(minutes=1)


# ---------------------------------------------------------------------------
# parse_cast


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Joaquin Phoenix as Theodore", ("Joaquin Phoenix", "Theodore")),
        ("Joaquin Phoenix AS Theodore", ("Joaquin Phoenix", "Theodore")),
        ("  Joaquin   Phoenix  as  Theodore  Twombly ", ("Joaquin Phoenix", "Theodore Twombly")),
        ("Joaquin Phoenix", ("Joaquin Phoenix", None)),
        ("Joaquin Phoenix (Theodore)", ("Joaquin Phoenix", "Theodore")),
        ("Joaquin Phoenix(Theodore)", ("Joaquin Phoenix", "Theodore")),
        ("Thomas Haden Church (as Bob)", ("Thomas Haden Church", "Bob")),
        ("Scarlett Johansson as Samantha (voice)", ("Scarlett Johansson", "Samantha (voice)")),
        ("Amy Adams as Amy as a child", ("Amy Adams", "Amy as a child")),
        ("Jonas Bassett", ("Jonas Bassett", None)),
        ("Rooney Mara as", ("Rooney Mara", None)),
        ("Rooney Mara ()", ("Rooney Mara", None)),
    ],
)
def test_parse_cast(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_cast(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "as Theodore", " as Theodore", "(Theodore)", "as"])
def test_parse_cast_refuses_missing_actor(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_cast(text)
    message = str(caught.value)
    assert message.startswith(f"invalid cast entry '{text.strip()}'")
    assert "actor is missing" in message


# ---------------------------------------------------------------------------
# parse_mpaa


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("G", "G"),
        ("g", "G"),
        ("PG", "PG"),
        ("pg", "PG"),
        ("PG-13", "PG-13"),
        ("pg13", "PG-13"),
        ("PG 13", "PG-13"),
        ("pg-13", "PG-13"),
        ("R", "R"),
        ("Rated R", "R"),
        ("rated pg-13", "PG-13"),
        ("NC-17", "NC-17"),
        ("nc17", "NC-17"),
        ("NC 17", "NC-17"),
        ("NR", "NR"),
        ("Not Rated", "NR"),
        ("not rated", "NR"),
        ("Unrated", "NR"),
        (" r ", "R"),
    ],
)
def test_parse_mpaa(text: str, rating: str) -> None:
    assert parse_mpaa(text) == rating


@pytest.mark.parametrize("text", ["X", "", "PG-12", "R-rated", "rated", "NC", "TV-MA"])
def test_parse_mpaa_refuses(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_mpaa(text)
    expected = f"invalid MPAA rating '{text}': use G, PG, PG-13, R, NC-17 or NR"
    assert str(caught.value) == expected


# ---------------------------------------------------------------------------
# parse_year


@pytest.mark.parametrize(("given_year", "year"), [("1999", 1999), (" 2024 ", 2024), (1870, 1870)])
def test_parse_year(given_year: str | int, year: int) -> None:
    assert parse_year(given_year) == year


def test_parse_year_allows_ten_years_ahead(frozen_now: datetime) -> None:
    latest = 2034
    assert parse_year(latest) == latest
    assert parse_year(str(latest)) == latest


@pytest.mark.parametrize("given_year", ["1869", 1869, "1800", "19x9", "", "99", "-2000", "2024.0"])
def test_parse_year_refuses(given_year: str | int) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_year(given_year)
    message = str(caught.value)
    assert message.startswith(f"invalid year '{str(given_year).strip()}'")
    assert "1870" in message


def test_parse_year_refuses_beyond_ten_years_ahead(frozen_now: datetime) -> None:
    too_late = 2035
    with pytest.raises(InvalidInput, match=f"invalid year '{too_late}'"):
        parse_year(too_late)


def test_parse_year_refuses_booleans() -> None:
    with pytest.raises(InvalidInput, match="invalid year 'True'"):
        parse_year(True)


# ---------------------------------------------------------------------------
# split_list


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        (["Drama"], ["Drama"]),
        (["Romance, Sci-Fi"], ["Romance", "Sci-Fi"]),
        (["Romance, Sci-Fi", "Drama"], ["Romance", "Sci-Fi", "Drama"]),
        (["Sci-Fi", "sci-fi", "SCI-FI"], ["Sci-Fi"]),
        (["romance", "Romance, Drama"], ["romance", "Drama"]),
        ([" Drama ", ",", "", " , ,Comedy,"], ["Drama", "Comedy"]),
        (["Zebra", "Apple"], ["Zebra", "Apple"]),
        (["Straße", "STRASSE"], ["Straße"]),
    ],
)
def test_split_list(values: list[str], expected: list[str]) -> None:
    assert split_list(values) == expected


@given(st.lists(st.text()))
def test_split_list_items_are_clean_and_unique(values: list[str]) -> None:
    items = split_list(values)
    folded = [item.casefold() for item in items]
    assert len(folded) == len(set(folded))
    for item in items:
        assert item == item.strip()
        assert item
        assert "," not in item
