"""Shared test data: review strategies, the hand-checked sample journal, the seed review.

Test modules take what they share from here (and fixtures from conftest.py),
never from one another.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from hypothesis import strategies as st

from filmlog.model import CastMember, Review
from tests.conftest import SEED

text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
names = st.lists(text.filter(str.strip), max_size=3)
stamps = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(timezone.utc)
)

reviews = st.builds(
    Review,
    title=text.filter(str.strip),
    id=st.integers(1, 10**6),
    tmdb_id=st.none() | st.integers(1, 10**8),
    imdb_id=st.none() | st.from_regex(r"tt[0-9]{7,10}", fullmatch=True),
    original_title=st.none() | text.filter(str.strip),
    year=st.none() | st.integers(1888, 2030),
    release_date=st.none() | st.dates(),
    directors=names,
    cast=st.lists(st.builds(CastMember, text.filter(str.strip), st.none() | text), max_size=3),
    genres=names,
    mpaa=st.none() | st.sampled_from(["G", "PG", "PG-13", "R", "NC-17", "NR"]),
    runtime=st.none() | st.integers(1, 1500),
    rating=st.none() | st.integers(1, 10),
    verdict=st.none() | text,
    headline=st.none() | text,
    body=st.none() | st.text(st.characters(blacklist_categories=["Cs"]), max_size=400),
    tags=names,
    liked=st.booleans(),
    rewatch=st.booleans(),
    reviewer=st.none() | text,
    watched_on=st.none() | st.dates(),
    logged_at=st.none() | stamps,
    logged_zone=st.none() | st.sampled_from(["America/Denver", "Europe/Paris"]),
    updated_at=st.none() | stamps,
    sources=st.dictionaries(st.sampled_from(["letterboxd", "imdb"]), text.filter(str.strip)),
)


def film(title: str, review_id: int, **fields: Any) -> Review:
    """A review with an ID, as the journal would hand it back."""
    cast = [CastMember(name) for name in fields.pop("cast", [])]
    return Review(title=title, id=review_id, cast=cast, **fields)


def sample() -> list[Review]:
    """Seven reviews of six films; the figures below were worked out by hand from these."""
    return [
        film(
            "Her",
            1,
            year=2013,
            genres=["Romance", "Sci-Fi"],
            directors=["Spike Jonze"],
            cast=["Joaquin Phoenix", "Scarlett Johansson"],
            runtime=126,
            rating=6,
            verdict="Fine",
            headline="A voice in the dark",
            watched_on=date(2023, 2, 10),
        ),
        film(
            "Her",
            2,
            year=2013,
            genres=["Romance", "Sci-Fi"],
            directors=["Spike Jonze"],
            cast=["Joaquin Phoenix"],
            runtime=126,
            rating=9,
            verdict="Great",
            headline="Better the second time",
            watched_on=date(2024, 4, 12),
            rewatch=True,
            liked=True,
        ),
        film(
            "Arrival",
            3,
            year=2016,
            genres=["Sci-Fi", "Drama"],
            directors=["Denis Villeneuve"],
            cast=["Amy Adams"],
            runtime=116,
            rating=8,
            verdict="Good",
            watched_on=date(2024, 1, 20),
            liked=True,
        ),
        film(
            "Sicario",
            4,
            year=2015,
            genres=["Crime", "Thriller", "Drama"],
            directors=["Denis Villeneuve"],
            cast=["Emily Blunt"],
            rating=7,
            watched_on=date(2024, 1, 25),
        ),
        film(
            "Amélie",
            5,
            year=2001,
            genres=["Comedy", "Romance"],
            directors=["Jean-Pierre Jeunet"],
            cast=["Audrey Tautou"],
            runtime=122,
            rating=10,
            verdict="Masterpiece",
            headline="Paris in green and gold",
            watched_on=date(2024, 2, 14),
            liked=True,
        ),
        film(
            "The Godfather",
            6,
            year=1972,
            genres=["Crime", "Drama"],
            directors=["Francis Ford Coppola"],
            cast=["Al Pacino"],
            runtime=175,
            watched_on=date(2024, 7, 4),
        ),
        film(
            "Cats",
            7,
            year=2019,
            genres=["Musical"],
            directors=["Tom Hooper"],
            runtime=110,
            rating=1,
            verdict="Awful",
        ),
    ]


CAST = [
    ("Joaquin Phoenix", "Theodore"),
    ("Scarlett Johansson", "Samantha"),
    ("Amy Adams", "Amy"),
    ("Rooney Mara", "Catherine"),
    ("Olivia Wilde", "Blind Date"),
]
HEADLINE = "“Her:” Where “500 Days of Summer” Meets “Blade Runner 2049”"


def seed_body() -> str:
    """The review text of the seed page, paragraphs joined as Markdown."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("What can be learned"))
    end = next(i for i, line in enumerate(lines) if line.startswith("It’s a film about empathy"))
    paragraphs = [line.strip() for line in lines[start : end + 1] if line.strip()]
    return "\n\n".join(paragraphs)


def counts(stdout: str) -> dict[str, int]:
    """An import's summary table as {label: count}."""
    found = {}
    for line in stdout.splitlines():
        if match := re.fullmatch(r"\s*(\S.*?)\s{2,}([0-9,]+)\s*", line):
            found[match[1]] = int(match[2].replace(",", ""))
    return found
