"""Export then import gives the same reviews back, whatever text they hold (property tests).

Reviews are generated with hostile text (markup, control characters, quotes,
colons, ``---``, every kind of line break, the YAML words that are not
strings, emoji) in every text field; each example goes through the real CLI
into a fresh, empty journal, and the journals must then agree on every field,
IDs included.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filmlog.model import (
    FIRST_FILM_YEAR,
    MAX_RUNTIME,
    MIN_RUNTIME,
    MPAA_RATINGS,
    CastMember,
    Review,
)
from filmlog.storage import Journal
from tests.conftest import Invoke, examples

HOSTILE = [
    "---",
    "...",
    "\n---\n",
    ": ",
    "key: value",
    '"',
    "'",
    "\\",
    "#",
    "- ",
    "* ",
    "[x](javascript:alert(1))",
    "<script>alert(1)</script>",
    "{{ template }}",
    "{% raw %}",
    "&amp;",
    "=SUM(A1)",
    "yes",
    "null",
    "~",
    "true",
    "0x1F",
    "1e3",
    "2024-01-01",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "🎬",
    "★½",
    "Amélie",
    "千と千尋",
    "\u202e",
]

text = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(exclude_categories=["Cs"]))),
    max_size=6,
).map("".join)
words = text.filter(lambda s: bool(s.strip()))
optional_text = st.none() | text
offsets = st.sampled_from(
    [
        timezone.utc,
        timezone(timedelta(hours=-6)),
        timezone(timedelta(hours=5, minutes=45)),
        timezone(timedelta(hours=-9, minutes=-30)),
        ZoneInfo("America/Denver"),
        ZoneInfo("Australia/Lord_Howe"),
    ]
)
moments = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    offsets,
)
days = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))

base_reviews = st.builds(
    Review,
    title=words,
    tmdb_id=st.none() | st.integers(1, 10**8),
    imdb_id=st.none() | st.from_regex(r"tt[0-9]{7,10}", fullmatch=True),
    original_title=optional_text,
    # Within the model's range whatever today is: it ends ten years after this one.
    year=st.none() | st.integers(FIRST_FILM_YEAR, FIRST_FILM_YEAR + 150),
    release_date=st.none() | days,
    directors=st.lists(words, max_size=3),
    cast=st.lists(st.builds(CastMember, words, st.none() | text), max_size=3),
    genres=st.lists(words, max_size=3),
    mpaa=st.none() | st.sampled_from(MPAA_RATINGS),
    runtime=st.none() | st.integers(MIN_RUNTIME, MAX_RUNTIME),
    rating=st.none() | st.integers(1, 10),
    verdict=optional_text,
    headline=optional_text,
    body=optional_text,
    tags=st.lists(words, max_size=3),
    liked=st.booleans(),
    rewatch=st.booleans(),
    reviewer=optional_text,
    watched_on=st.none() | days,
    logged_at=st.none() | moments,
    logged_zone=st.none() | st.sampled_from(["America/Denver", "Europe/London"]) | text,
    updated_at=st.none() | moments,
    sources=st.dictionaries(words, words, max_size=3),
)


def _partial(review: Review, precision: str | None) -> Review:
    """A release known only to the month or year is the first day of it."""
    if review.release_date is not None and precision is not None:
        day = review.release_date
        review.release_date = day.replace(day=1, month=1 if precision == "year" else day.month)
        review.release_precision = precision
    return review


reviews = st.builds(_partial, base_reviews, st.sampled_from([None, "month", "year"]))

SETTINGS = settings(
    max_examples=examples(60, 25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def snapshot(path: Path) -> list[dict[str, object]]:
    return [{"id": r.id, **r.to_dict()} for r in Journal(path).reviews()]


def fill(path: Path, generated: list[Review]) -> list[dict[str, object]]:
    with Journal(path).transaction() as session:
        session.add_many(generated)
    return snapshot(path)


@SETTINGS
@given(generated=st.lists(reviews, min_size=1, max_size=5))
def test_json_export_then_import_into_an_empty_journal(
    cli: Invoke, generated: list[Review]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, target, dump = (Path(folder) / n for n in ("a.json", "b.json", "dump.json"))
        original = fill(source, generated)
        exported = cli("--db", str(source), "export", "--format", "json", "-o", str(dump))
        assert exported.exit_code == 0, exported.stderr
        imported = cli("--db", str(target), "import", str(dump))
        assert imported.exit_code == 0, imported.stdout + imported.stderr
        assert snapshot(target) == original


@SETTINGS
@given(generated=st.lists(reviews, min_size=1, max_size=5))
def test_markdown_split_export_then_import_into_an_empty_journal(
    cli: Invoke, generated: list[Review]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, target, posts = (Path(folder) / n for n in ("a.json", "b.json", "posts"))
        original = fill(source, generated)
        exported = cli("--db", str(source), "export", "--split", str(posts))
        assert exported.exit_code == 0, exported.stderr
        assert len(list(posts.iterdir())) == len(generated)
        assert all(p.parent == posts for p in Path(folder).rglob("*.md"))
        imported = cli("--db", str(target), "import", str(posts))
        assert imported.exit_code == 0, imported.stdout + imported.stderr
        assert snapshot(target) == original
        again = cli("--db", str(target), "import", str(posts))
        assert again.exit_code == 0
        assert snapshot(target) == original
