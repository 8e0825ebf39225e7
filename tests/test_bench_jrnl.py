"""The jrnl comparison writes a journal jrnl reads as one entry per generated review."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import bench_script

# jrnl 4's own rules (jrnl/journals/Journal.py and Entry.py), restated so that the test needs
# no jrnl: an entry starts at a line opening with a bracketed date and a space; its title ends
# at the first newline or sentence end; tags are words after a tag symbol.
JRNL_ENTRY_START = re.compile("(?:^|\n)\\[([^\\]]+)\\] ")
JRNL_TITLE_END = re.compile(r"\n|[?!.]+ +\n?")
JRNL_TAG = re.compile(r"(?<!\S)([#@][-+*#/\w]+)")


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    yield from bench_script("jrnl")


def jrnl_entries(text: str, timeformat: str) -> list[tuple[datetime, str, str]]:
    """(date, title, body) of each entry, split the way jrnl 4 splits a journal file."""
    starts = list(JRNL_ENTRY_START.finditer(text))
    entries = []
    for number, match in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(text)
        raw = text[match.end() : end]
        cut = JRNL_TITLE_END.search(raw)
        title, body = (raw[: cut.end()], raw[cut.end() :]) if cut else (raw, "")
        date = datetime.strptime(match.group(1), timeformat)
        entries.append((date, title.strip(), body))
    return entries


def expected(review: dict[str, Any]) -> datetime:
    """The day watched, at the local clock time the review was logged."""
    logged = datetime.fromisoformat(review["logged_at"])
    watched = datetime.strptime(review["watched_on"], "%Y-%m-%d")
    return watched.replace(hour=logged.hour, minute=logged.minute)


def test_every_review_is_one_entry_with_its_date_and_title(bench: ModuleType) -> None:
    reviews = bench.generate.reviews(12, seed=5)

    text = bench.journal_text(reviews)
    entries = jrnl_entries(text, bench.TIMEFORMAT)

    assert text.startswith("[")
    assert len(entries) == len(reviews)
    ordered = sorted(reviews, key=expected)
    assert [date for date, _, _ in entries] == [expected(r) for r in ordered]
    assert [title for _, title, _ in entries] == [f"{r['title']} ({r['year']})" for r in ordered]
    # jrnl writes an entry, a newline, and one blank line before the next entry.
    assert text.count("\n\n[") == len(reviews) - 1
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_an_entry_holds_the_headline_body_rating_genres_and_tags(bench: ModuleType) -> None:
    reviews = bench.generate.reviews(12, seed=5)

    entries = jrnl_entries(bench.journal_text(reviews), bench.TIMEFORMAT)

    ordered = sorted(reviews, key=expected)
    for review, (_, _, body) in zip(ordered, entries, strict=True):
        assert body.startswith(review["headline"] + "\n")
        assert review["body"].strip() in body
        stars = review["rating"] / 2
        assert f"Rating {stars:g}/5, {review['verdict']}" in body
        tags = {found.lower() for found in JRNL_TAG.findall(body)}
        want = {"#" + genre.lower() for genre in review["genres"]}
        want |= {"@" + re.sub(r"\W+", "-", name.lower()) for name in review["tags"]}
        assert tags == want


def test_a_tag_with_spaces_becomes_one_jrnl_word(bench: ModuleType) -> None:
    assert bench.tag("@", "recommended by Sam") == "@recommended-by-Sam"
    assert bench.tag("#", "Sci-Fi") == "#Sci-Fi"
    assert JRNL_TAG.findall(bench.tag("@", " with  friends ")) == ["@with-friends"]


def test_the_config_names_the_journal_and_the_time_format(
    bench: ModuleType, tmp_path: Path
) -> None:
    journal = tmp_path / "films.txt"

    path = bench.write_config(tmp_path, journal, "4.6")

    assert path == tmp_path / ".config" / "jrnl" / "jrnl.yaml"
    text = path.read_text(encoding="utf-8")
    assert f'    journal: "{journal}"' in text.splitlines()
    assert f"timeformat: '{bench.TIMEFORMAT}'" in text.splitlines()
    assert 'version: "4.6"' in text.splitlines()
    env = bench.jrnl_environment(tmp_path)
    assert env["HOME"] == str(tmp_path)
    assert env["XDG_CONFIG_HOME"] == str(tmp_path / ".config")
