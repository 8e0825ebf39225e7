"""The benchmark's journal generator writes what filmlog reads, the same way every time."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from filmlog.storage import Journal
from tests.conftest import BENCH, RunFilmlog, bench_script

GENERATOR = BENCH / "generate.py"


@pytest.fixture(scope="module")
def generate() -> Iterator[ModuleType]:
    yield from bench_script("generate")


def test_filmlog_reads_every_generated_review(generate: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    generate.write_journal(path, 50, seed=7)

    reviews = Journal(path).reviews()

    assert [r.id for r in reviews] == list(range(1, 51))
    stored = json.loads(path.read_bytes())
    assert stored["_filmlog"] == {"1": {"format": "filmlog", "schema": 2, "next_id": 51}}
    for review in reviews:
        review.validate()
        # The stored form round-trips exactly: same keys, same value forms.
        assert review.to_dict() == stored["reviews"][str(review.id)]


def test_every_field_is_filled_within_range(generate: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    generate.write_journal(path, 50, seed=7)

    reviews = Journal(path).reviews()

    for review in reviews:
        # release_precision is None when the whole release date is known, as here.
        stored = review.to_dict()
        assert stored.pop("release_precision") is None
        empty = [name for name, value in stored.items() if value in (None, "", [])]
        assert empty == [], f"review {review.id} leaves {empty} empty"
        assert 150 <= len((review.body or "").split()) <= 900
        assert 1 <= len(review.directors) <= 2
        assert 3 <= len(review.cast) <= 6 and all(m.role for m in review.cast)
        assert 1 <= len(review.genres) <= 3
        assert review.logged_at is not None and review.logged_at.tzinfo is not None
        assert review.updated_at is not None and review.updated_at >= review.logged_at
        assert review.watched_on is not None and review.year is not None
        assert review.year <= review.watched_on.year
    assert len({r.uuid for r in reviews}) == 50
    assert any(r.rewatch for r in reviews) and not all(r.rewatch for r in reviews)
    assert "\n\n" in (reviews[0].body or "")  # Markdown paragraphs


def test_average_review_is_about_three_and_a_half_kilobytes(
    generate: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "journal.json"
    size = generate.write_journal(path, 400, seed=1)

    assert 3000 <= size / 400 <= 4000


def contents(path: Path) -> dict[str, bytes]:
    """A journal file's bytes, or those of each file of an export folder."""
    if path.is_dir():
        return {child.name: child.read_bytes() for child in sorted(path.iterdir())}
    return {"": path.read_bytes()}


@pytest.mark.parametrize("shape", ["filmlog", "letterboxd"])
def test_same_seed_same_bytes_and_the_command_line_agrees(
    generate: ModuleType, tmp_path: Path, shape: str
) -> None:
    write = generate.write_letterboxd if shape == "letterboxd" else generate.write_journal
    # The journal is the default shape.
    flags = ["--shape", shape] if shape != "filmlog" else []
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write(first, 50, seed=3)
    subprocess.run(
        [sys.executable, str(GENERATOR), "50", str(second), "--seed", "3", *flags],
        check=True,
        capture_output=True,
    )
    write(other, 50, seed=4)

    assert contents(first) == contents(second)
    assert contents(first) != contents(other)


def test_an_empty_journal_is_valid(generate: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    generate.write_journal(path, 0)

    assert Journal(path).reviews() == []
    assert json.loads(path.read_bytes())["_filmlog"]["1"]["next_id"] == 1


def test_the_journal_shape_stays_what_it_was(generate: ModuleType, tmp_path: Path) -> None:
    # Cached benchmark journals are named by GENERATOR_VERSION: a change to the output
    # must bump it (and this digest with it).
    path = tmp_path / "journal.json"
    generate.write_journal(path, 40, seed=1)

    assert generate.GENERATOR_VERSION == 3
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == "f1682040163c76cdab11595484c218a05e1cee1a8191ecc04574c636d29eed83"


# The files of a Letterboxd account export, with the columns Letterboxd writes.
LETTERBOXD = {
    "diary.csv": "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date",
    "reviews.csv": "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date",
    "ratings.csv": "Date,Name,Year,Letterboxd URI,Rating",
    "watched.csv": "Date,Name,Year,Letterboxd URI",
    "watchlist.csv": "Date,Name,Year,Letterboxd URI",
}
URI = "Letterboxd URI"


@pytest.fixture(scope="module")
def export(generate: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("letterboxd") / "export"
    generate.write_letterboxd(folder, 300, seed=5)
    return folder


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def words(text: str) -> list[str]:
    return re.findall(r"\w+(?:'\w+)*", text)


def shown_words(review_html: str) -> list[str]:
    """The words a reader sees in a Letterboxd review: its text without the tags."""
    return words(re.sub(r"<[^>]+>", " ", review_html))


def test_a_letterboxd_export_has_letterboxd_files_and_quoting(export: Path) -> None:
    assert sorted(path.name for path in export.iterdir()) == sorted(LETTERBOXD)
    for name, header in LETTERBOXD.items():
        data = (export / name).read_bytes()
        assert data.startswith(header.encode() + b"\n"), name  # no byte-order mark
        assert b"\r" not in data
        # Minimal quoting and "\n" line ends: written again by the csv module, it is unchanged.
        with (export / name).open(encoding="utf-8", newline="") as handle:
            table = list(csv.reader(handle))
        again = io.StringIO()
        csv.writer(again, lineterminator="\n").writerows(table)
        assert again.getvalue().encode() == data, name


def test_a_letterboxd_export_looks_like_a_heavy_users(export: Path) -> None:
    diary, reviews = rows(export, "diary.csv"), rows(export, "reviews.csv")

    assert len(diary) == 300
    assert all(row["Watched Date"] and row["Date"] >= row["Watched Date"] for row in diary)
    assert [row["Watched Date"] for row in diary] == sorted(row["Watched Date"] for row in diary)
    ratings = [row["Rating"] for row in diary if row["Rating"]]
    assert len(ratings) >= 0.7 * len(diary)
    assert {float(r) * 2 for r in ratings} <= set(range(1, 11))
    assert not any(r.endswith(".0") for r in ratings)
    assert 0.2 <= len(reviews) / len(diary) <= 0.5
    texts = [row["Review"] for row in reviews]
    assert all(20 <= len(shown_words(text)) <= 400 for text in texts)
    assert sum("\n\n" in text for text in texts) >= len(texts) / 2
    assert any('"' in text for text in texts) and all("," in text for text in texts)
    assert any("<" in text for text in texts)  # Letterboxd keeps a review's HTML
    rewatches = sum(row["Rewatch"] == "Yes" for row in diary)
    tagged = sum(bool(row["Tags"]) for row in diary)
    assert 0 < rewatches < len(diary) / 3 and 0 < tagged < len(diary)
    years: dict[str, set[str]] = {}
    for row in diary:
        years.setdefault(row["Name"], set()).add(row["Year"])
    assert any(len(seen) > 1 for seen in years.values())  # one title, two films
    uris = [row[URI] for row in diary]
    assert len(set(uris)) == len(uris)
    assert {row[URI] for row in reviews} <= set(uris)
    watched = rows(export, "watched.csv")
    assert {(r["Name"], r["Year"]) for r in watched} == {(r["Name"], r["Year"]) for r in diary}
    watchlist = rows(export, "watchlist.csv")
    assert 100 <= len(watchlist) <= 1000
    assert not {r[URI] for r in watchlist} & ({r[URI] for r in watched} | set(uris))


def test_filmlog_imports_every_entry_of_a_generated_export(
    export: Path, run_filmlog: RunFilmlog, journal_path: Path
) -> None:
    diary, texts = rows(export, "diary.csv"), rows(export, "reviews.csv")

    result = run_filmlog("import", str(export))

    assert result.returncode == 0, result.stderr
    imported = {review.sources["letterboxd"]: review for review in Journal(journal_path).reviews()}
    assert len(imported) == len(diary)
    for row in diary:
        review = imported[row[URI]]
        assert (review.title, str(review.year)) == (row["Name"], row["Year"])
        assert review.watched_on == date.fromisoformat(row["Watched Date"])
        assert review.rating == (round(float(row["Rating"]) * 2) if row["Rating"] else None)
        assert review.rewatch is (row["Rewatch"] == "Yes")
        assert review.tags == [tag for tag in row["Tags"].split(", ") if tag]
    rewatches = sum(row["Rewatch"] == "Yes" for row in diary)
    assert sum(review.rewatch for review in imported.values()) == rewatches
    assert sum(review.body is not None for review in imported.values()) == len(texts)
    plain = 0
    for row in texts:
        body = imported[row[URI]].body or ""
        # Links become Markdown links: the words shown are the same, the address is not one.
        assert words(re.sub(r"\]\([^)]*\)", "]", body)) == shown_words(row["Review"])
        if "<" not in row["Review"]:
            plain += 1
            paragraphs = [p.strip() for p in row["Review"].split("\n\n")]
            assert body == "\n\n".join(paragraphs)
    assert plain > len(texts) / 2


def test_an_empty_letterboxd_export_has_only_headers(generate: ModuleType, tmp_path: Path) -> None:
    generate.write_letterboxd(tmp_path / "empty", 0)

    for name, header in LETTERBOXD.items():
        assert (tmp_path / "empty" / name).read_text(encoding="utf-8") == header + "\n"
