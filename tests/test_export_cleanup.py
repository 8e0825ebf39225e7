"""``export --force`` tidies what an earlier export of the same name left behind, and only that."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from filmlog.model import Review
from filmlog.storage import Journal
from tests.conftest import Invoke


def store(path: Path, *reviews: Review) -> list[Review]:
    with Journal(path).transaction() as session:
        session.add_many(reviews)
    return Journal(path).reviews()


def long_reviews(count: int) -> list[Review]:
    # About 600 KB each: a Letterboxd export has one part per review (parts stay under 1 MB).
    return [
        Review(title=f"Film {n}", year=2000, watched_on=date(2020, 1, n + 1), body="é" * 300_000)
        for n in range(count)
    ]


def test_force_removes_the_parts_an_earlier_longer_export_left(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    reviews = store(journal_path, *long_reviews(4))
    out = tmp_path / "lb.csv"
    assert cli("export", "-f", "letterboxd", "-o", str(out)).exit_code == 0
    parts = sorted(p.name for p in tmp_path.glob("lb-*.csv"))
    assert parts == ["lb-1.csv", "lb-2.csv", "lb-3.csv", "lb-4.csv"]
    # A file of the same pattern that is not a Letterboxd export is the user's.
    (tmp_path / "lb-7.csv").write_text("my own notes\n", encoding="utf-8")
    with Journal(journal_path).transaction() as session:
        session.delete(r.id for r in reviews[2:] if r.id is not None)
    result = cli("export", "-f", "letterboxd", "-o", str(out), "--force")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("lb-*.csv")) == ["lb-1.csv", "lb-2.csv", "lb-7.csv"]
    assert "Removed 2 files an earlier export wrote: lb-3.csv, lb-4.csv" in result.stderr
    # Down to one part: it goes to the name given, and every numbered part is stale.
    with Journal(journal_path).transaction() as session:
        session.delete([reviews[1].id or 0])
    result = cli("export", "-f", "letterboxd", "-o", str(out), "--force")
    assert result.exit_code == 0, result.stderr
    assert out.exists()
    assert sorted(p.name for p in tmp_path.glob("lb-*.csv")) == ["lb-7.csv"]


def test_without_force_nothing_is_removed(cli: Invoke, journal_path: Path, tmp_path: Path) -> None:
    store(journal_path, *long_reviews(3))
    out = tmp_path / "lb.csv"
    assert cli("export", "-f", "letterboxd", "-o", str(out)).exit_code == 0
    result = cli("export", "-f", "letterboxd", "-o", str(tmp_path / "other.csv"))
    assert result.exit_code == 0
    assert len(list(tmp_path.glob("lb-*.csv"))) == 3


def test_split_force_removes_posts_of_deleted_and_renamed_reviews_and_nothing_else(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    her, heat, alien = store(
        journal_path,
        Review(title="Her", watched_on=date(2024, 4, 12)),
        Review(title="Heat", watched_on=date(2024, 4, 13)),
        Review(title="Alien", watched_on=date(2024, 4, 14)),
    )
    posts = tmp_path / "posts"
    assert cli("export", "--split", str(posts)).exit_code == 0
    assert sorted(p.name for p in posts.iterdir()) == [
        "2024-04-12-her.md",
        "2024-04-13-heat.md",
        "2024-04-14-alien.md",
    ]
    # What filmlog did not write stays, whatever it holds.
    (posts / "about.md").write_text("# About\n", encoding="utf-8")
    (posts / "draft.md").write_text("---\ntitle: Draft\n---\nNo uuid here.\n", encoding="utf-8")
    (posts / "odd.md").write_text("---\nuuid: not-a-uuid\n---\n", encoding="utf-8")
    (posts / "notes.txt").write_text(f"uuid: {heat.uuid}\n", encoding="utf-8")
    assert cli("edit", str(her.id), "--title", "Her Again").exit_code == 0
    assert cli("delete", str(heat.id), "--yes").exit_code == 0
    result = cli("export", "--split", str(posts), "--force")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in posts.iterdir()) == [
        "2024-04-12-her-again.md",
        "2024-04-14-alien.md",
        "about.md",
        "draft.md",
        "notes.txt",
        "odd.md",
    ]
    assert "Removed 2 files" in result.stderr
    assert "2024-04-12-her.md" in result.stderr and "2024-04-13-heat.md" in result.stderr
    # A filtered export leaves the posts of the reviews it did not choose.
    result = cli("export", "Alien", "--split", str(posts), "--force")
    assert result.exit_code == 0, result.stderr
    assert (posts / "2024-04-12-her-again.md").exists()
    assert "Removed" not in result.stderr
    assert alien.uuid in (posts / "2024-04-14-alien.md").read_text(encoding="utf-8")


def test_split_without_force_removes_nothing(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    (her,) = store(journal_path, Review(title="Her", watched_on=date(2024, 4, 12)))
    posts = tmp_path / "posts"
    assert cli("export", "--split", str(posts)).exit_code == 0
    assert cli("edit", str(her.id), "--title", "Her Again").exit_code == 0
    assert cli("export", "--split", str(posts)).exit_code == 0
    assert sorted(p.name for p in posts.iterdir()) == [
        "2024-04-12-her-again.md",
        "2024-04-12-her.md",
    ]
