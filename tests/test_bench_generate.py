"""The benchmark's journal generator writes what filmlog reads, the same way every time."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from filmlog.storage import Journal

GENERATOR = Path(__file__).resolve().parent.parent / "bench" / "generate.py"


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


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


def test_same_seed_same_bytes_and_the_command_line_agrees(
    generate: ModuleType, tmp_path: Path
) -> None:
    first, second, other = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    generate.write_journal(first, 50, seed=3)
    subprocess.run(
        [sys.executable, str(GENERATOR), "50", str(second), "--seed", "3"],
        check=True,
        capture_output=True,
    )
    generate.write_journal(other, 50, seed=4)

    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_an_empty_journal_is_valid(generate: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    generate.write_journal(path, 0)

    assert Journal(path).reviews() == []
    assert json.loads(path.read_bytes())["_filmlog"]["1"]["next_id"] == 1
