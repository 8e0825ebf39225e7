"""Importing filmlog's own exports: JSON (and journal files) and Markdown, merged by UUID."""

from __future__ import annotations

import io
import json
import re
import subprocess
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filmlog.importers import Entry, Match, Parsed, detect
from filmlog.model import Review
from filmlog.storage import Journal
from tests.conftest import Invoke, examples
from tests.factories import reviews

UTC = timezone.utc
SAMPLE = Path(__file__).resolve().parent / "data" / "letterboxd" / "sample"


def store(path: Path, *reviews: Review) -> list[Review]:
    with Journal(path).transaction() as session:
        return session.add_many(reviews)


def stored(path: Path) -> list[dict[str, object]]:
    return [{"id": r.id, **r.to_dict()} for r in Journal(path).reviews()]


def export(cli: Invoke, db: Path, target: Path, *args: str) -> Path:
    result = cli("--db", str(db), "export", "-o", str(target), *args)
    assert result.exit_code == 0, result.stderr
    return target


def run_import(cli: Invoke, db: Path, source: Path, *args: str) -> str:
    result = cli("--db", str(db), "import", *args, str(source))
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def stamp(day: int) -> datetime:
    return datetime(2024, 1, day, 12, 0, tzinfo=UTC)


@pytest.fixture
def journals(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "laptop.json", tmp_path / "desktop.json"


def test_json_into_an_empty_journal_gives_the_same_reviews(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    store(
        laptop,
        Review(title="Her", rating=8, sources={"letterboxd": "https://boxd.it/x"}),
        Review(title="Alien", logged_zone="Europe/London", updated_at=stamp(3)),
    )
    dump = export(cli, laptop, tmp_path / "dump.json", "--format", "json")
    assert detect(dump) == "json"
    run_import(cli, desktop, dump)
    assert stored(desktop) == stored(laptop)


def test_the_newer_copy_wins_and_keeps_its_own_updated_time(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    (her,) = store(laptop, Review(title="Her", rating=6, updated_at=stamp(1)))
    run_import(cli, desktop, export(cli, laptop, tmp_path / "1.json", "-f", "json"))
    store(desktop, Review(title="Only on the desktop"))

    with Journal(laptop).transaction() as session:
        session.update(her.copy(rating=9, updated_at=stamp(5)), stamp=False)
    out = run_import(cli, desktop, export(cli, laptop, tmp_path / "2.json", "-f", "json"))
    assert "Updated" in out
    merged = {r.title: r for r in Journal(desktop).reviews()}
    assert merged["Her"].rating == 9
    assert merged["Her"].updated_at == stamp(5)
    assert merged["Her"].id == 1
    assert "Only on the desktop" in merged

    # The desktop edits it later; the laptop's older copy no longer wins.
    with Journal(desktop).transaction() as session:
        session.update(merged["Her"].copy(rating=2, updated_at=stamp(9)), stamp=False)
    before = desktop.read_bytes()
    run_import(cli, desktop, tmp_path / "2.json")
    assert desktop.read_bytes() == before


def test_the_same_letterboxd_history_imported_on_two_machines_merges_without_duplicates(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    run_import(cli, laptop, SAMPLE / "diary.csv")
    run_import(cli, desktop, SAMPLE / "diary.csv")
    dump = export(cli, laptop, tmp_path / "laptop-export.json", "--format", "json")
    run_import(cli, desktop, dump)
    assert len(Journal(desktop).reviews()) == 2132


def test_a_journal_file_can_be_imported_directly(cli: Invoke, journals: tuple[Path, Path]) -> None:
    laptop, desktop = journals
    store(laptop, Review(title="Her"), Review(title="Alien"))
    assert detect(laptop) == "json"
    run_import(cli, desktop, laptop)
    assert stored(desktop) == stored(laptop)
    run_import(cli, desktop, laptop)
    assert len(stored(desktop)) == 2


def test_a_bad_review_in_an_export_is_rejected_and_the_rest_imported(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    good = Review(title="Good", uuid="u-good").to_dict()
    dump = tmp_path / "dump.json"
    dump.write_text(
        json.dumps(
            {
                "format": "filmlog-export",
                "version": 1,
                "reviews": [
                    {**good, "id": 7},
                    {**good, "uuid": "u-2", "rating": 11},
                    {**good, "uuid": None},
                    {**good, "uuid": "u-3", "liked": "yes"},
                    "not a review",
                    {**good, "uuid": "u-4", "title": ""},
                    {**good, "id": 7},
                ],
            }
        ),
        encoding="utf-8",
    )
    result = cli("import", str(dump))
    assert result.exit_code == 1
    assert "5 rows were rejected" in result.stderr
    assert "rating must be 1 to 10" in result.stdout
    assert "it has no uuid" in result.stdout
    assert "liked must be true or false" in result.stdout
    assert [r.title for r in Journal(journal_path).reviews()] == ["Good"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "filmlog-export", "version": 1, "reviews": [', "is not valid JSON"),
        ('{"format": "filmlog-export", "version": 2, "reviews": []}', "newer filmlog"),
        ('{"format": "filmlog-export", "version": "1", "reviews": []}', "no valid format version"),
        ('{"format": "filmlog-export", "version": 1, "reviews": {}}', "no list of reviews"),
        ('{"format": "something-else"}', "is not a filmlog export"),
        ('{"_filmlog": {"1": {"format": "filmlog", "schema": 99}}}', "newer filmlog"),
        ("[1, 2]", "is not a filmlog export"),
    ],
)
def test_a_malformed_json_file_is_one_clear_line_and_the_journal_is_untouched(
    cli: Invoke, journal_path: Path, tmp_path: Path, content: str, message: str
) -> None:
    store(journal_path, Review(title="Her"))
    before = journal_path.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = cli("import", "--format", "json", str(bad))
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert journal_path.read_bytes() == before


def test_markdown_split_back_into_an_empty_journal(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    store(
        laptop,
        Review(title="Zed", watched_on=date(2020, 1, 1), body="first"),
        Review(title="Alpha", watched_on=date(2024, 1, 1), body=None, rating=3),
        Review(title="Mid", body=""),
    )
    posts = tmp_path / "posts"
    assert cli("--db", str(laptop), "export", "--split", str(posts)).exit_code == 0
    assert detect(posts) == "markdown"
    run_import(cli, desktop, posts)
    assert stored(desktop) == stored(laptop)  # IDs too: files go in by their old IDs
    assert "Already present, skipped" in run_import(cli, desktop, posts)


def test_an_edited_post_updates_its_review(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    store(laptop, Review(title="Her", watched_on=date(2024, 4, 12), updated_at=stamp(1)))
    posts = tmp_path / "posts"
    assert cli("--db", str(laptop), "export", "--split", str(posts)).exit_code == 0
    run_import(cli, desktop, posts)
    post = posts / "2024-04-12-her.md"
    text = post.read_text(encoding="utf-8")
    text = text.replace("title: Her", 'title: "Her (director\'s cut)"')
    text = text.replace(stamp(1).isoformat(), stamp(2).isoformat())
    post.write_text(text + "\nA new paragraph.\n", encoding="utf-8")
    run_import(cli, desktop, post)
    (review,) = Journal(desktop).reviews()
    assert review.title == "Her (director's cut)"
    assert review.body == "A new paragraph.\n"  # the blank line after --- separates
    assert review.updated_at == stamp(2)


def test_a_broken_file_in_a_folder_is_rejected_and_the_others_imported(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    store(laptop, Review(title="Good", watched_on=date(2024, 1, 1)))
    posts = tmp_path / "posts"
    assert cli("--db", str(laptop), "export", "--split", str(posts)).exit_code == 0
    (posts / "2024-01-02-broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    (posts / "2024-01-03-latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    (posts / "notes.txt").write_text("not markdown", encoding="utf-8")
    result = cli("--db", str(desktop), "import", str(posts))
    assert result.exit_code == 1
    assert "2 rows were rejected" in result.stderr
    assert "2024-01-02-broken.md" in result.stdout and "not valid YAML" in result.stdout
    assert "2024-01-03-latin1.md" in result.stdout and "not UTF-8" in result.stdout
    assert [r.title for r in Journal(desktop).reviews()] == ["Good"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"---\ntitle: [unclosed\n---\n", "not valid YAML"),
        (b"---\ntitle: Her\nuuid: u\n", "never ends"),
        (b"---\ntitle: Her\n---\nbody", "no uuid"),
    ],
)
def test_a_malformed_markdown_file_is_one_clear_line_and_the_journal_is_untouched(
    cli: Invoke, journal_path: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    store(journal_path, Review(title="Her"))
    before = journal_path.read_bytes()
    bad = tmp_path / "post.md"
    bad.write_bytes(content)
    result = cli("import", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot import {bad}: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert journal_path.read_bytes() == before


def test_an_empty_folder(cli: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "nothing"
    folder.mkdir()
    assert "cannot tell what kind of folder" in cli("import", str(folder)).stderr
    forced = cli("import", "--format", "markdown", str(folder))
    assert forced.exit_code == 1
    assert "holds no Markdown files" in forced.stderr


def test_dry_run_reports_and_writes_nothing(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    store(laptop, Review(title="Her"))
    store(desktop, Review(title="Alien"))
    dump = export(cli, laptop, tmp_path / "dump.json", "-f", "json")
    before = desktop.read_bytes()
    result = cli("--db", str(desktop), "import", "--dry-run", str(dump))
    assert result.exit_code == 0
    assert "Dry run, nothing written" in result.stdout
    assert "Would be imported" in result.stdout
    assert desktop.read_bytes() == before


def test_the_progress_bar_draws_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from filmlog.cli import transfer

    parsed = Parsed([Entry(Review(title=f"Film {n}"), f"row {n}", Match.UUID) for n in range(600)])

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    plan = transfer._plan([], parsed)
    assert len(plan.add) == 600
    assert "Importing" in screen.getvalue()

    quiet = io.StringIO()
    monkeypatch.setattr("sys.stderr", quiet)
    assert len(transfer._plan([], parsed).add) == 600
    assert quiet.getvalue() == ""


def test_the_installed_command_imports_the_sample_quickly_and_exports_it(
    run_filmlog: Callable[..., subprocess.CompletedProcess[str]],
    journal_path: Path,
    tmp_path: Path,
) -> None:
    started = time.perf_counter()
    result = run_filmlog("import", str(SAMPLE))
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert len(Journal(journal_path).reviews()) == 2659
    # Generous, for loaded CI machines; the measured time is well under a second.
    assert elapsed < 10
    again = run_filmlog("import", str(SAMPLE))
    assert again.returncode == 0
    dump = tmp_path / "dump.json"
    exported = run_filmlog("export", "--format", "json", "--output", str(dump))
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(dump.read_text(encoding="utf-8"))["reviews"]) == 2659
    shown = run_filmlog("export", "--from", "2019-08-25", "--to", "2019-08-25")
    assert "# Burning (2018)" in shown.stdout
    assert "[Secret Sunshine](https://letterboxd.com/film/secret-sunshine/)" in shown.stdout


def test_timestamps_survive_the_json_round_trip_exactly(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    odd = timezone(timedelta(hours=5, minutes=45))
    store(
        laptop,
        Review(
            title="Kathmandu",
            logged_at=datetime(2024, 1, 1, 23, 59, 59, 123456, tzinfo=odd),
            updated_at=datetime(2024, 1, 2, tzinfo=odd),
        ),
    )
    run_import(cli, desktop, export(cli, laptop, tmp_path / "d.json", "-f", "json"))
    (review,) = Journal(desktop).reviews()
    assert review.logged_at is not None
    assert review.logged_at.isoformat() == "2024-01-01T23:59:59.123456+05:45"


# Restoring and merging with tombstones --------------------------------------------------


def tables_of(path: Path) -> dict[str, object]:
    return json.loads(path.read_bytes())  # type: ignore[no-any-return]


def test_a_json_export_restores_ids_counter_and_tombstones_exactly(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    store(laptop, *(Review(title=f"Film {n}") for n in range(1, 7)))
    for gone in ("2", "4", "6"):
        assert cli("--db", str(laptop), "delete", gone, "--yes").exit_code == 0
    dump = export(cli, laptop, tmp_path / "dump.json", "--format", "json")

    out = run_import(cli, desktop, dump)

    assert [r.id for r in Journal(desktop).reviews()] == [1, 3, 5]
    assert stored(desktop) == stored(laptop)
    restored, original = tables_of(desktop), tables_of(laptop)
    assert restored["_filmlog"]["1"]["next_id"] == 7  # type: ignore[index]
    assert restored["tombstones"] == original["tombstones"]  # type: ignore[index]
    assert re.search(r"Deleted +0 ", out)
    # The counter came along: the next review is #7, not a deleted review's ID.
    assert "#7" in cli("--db", str(desktop), "add", "Her").stdout


def test_a_deletion_travels_through_an_export_and_stays_deleted(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    store(laptop, Review(title="Her"), Review(title="Heat"))
    run_import(cli, desktop, export(cli, laptop, tmp_path / "1.json", "-f", "json"))
    assert cli("--db", str(laptop), "delete", "2", "--yes").exit_code == 0

    out = run_import(cli, desktop, export(cli, laptop, tmp_path / "2.json", "-f", "json"))

    assert [r.title for r in Journal(desktop).reviews()] == ["Her"]
    assert re.search(r"Deleted +1 ", out)
    # The desktop's older export does not bring it back to the laptop.
    run_import(cli, laptop, export(cli, desktop, tmp_path / "3.json", "-f", "json"))
    run_import(cli, laptop, tmp_path / "1.json")
    assert [r.title for r in Journal(laptop).reviews()] == ["Her"]


def test_a_review_edited_after_its_deletion_elsewhere_is_kept(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    (her,) = store(laptop, Review(title="Her", updated_at=stamp(1)))
    run_import(cli, desktop, export(cli, laptop, tmp_path / "1.json", "-f", "json"))
    assert cli("--db", str(laptop), "delete", "1", "--yes").exit_code == 0
    with Journal(desktop).transaction() as session:
        later = datetime.now(UTC) + timedelta(minutes=1)  # after the deletion
        session.update(her.copy(rating=7, updated_at=later), stamp=False)

    run_import(cli, laptop, desktop)

    assert [(r.title, r.rating) for r in Journal(laptop).reviews()] == [("Her", 7)]
    assert "tombstones" not in tables_of(laptop) or not tables_of(laptop)["tombstones"]


def test_a_conflicted_copy_merges_and_both_machines_new_reviews_get_their_own_ids(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    store(laptop, Review(title="Her", logged_at=stamp(1)))
    run_import(cli, desktop, laptop)
    store(laptop, Review(title="Arrival", logged_at=stamp(3)))
    store(desktop, Review(title="Paterson", logged_at=stamp(2)))
    copy = tmp_path / "journal (conflicted copy).json"
    copy.write_bytes(laptop.read_bytes())

    result = cli("--db", str(desktop), "import", str(copy))

    assert result.exit_code == 0, result.stderr
    assert [(r.id, r.title) for r in Journal(desktop).reviews()] == [
        (1, "Her"),
        (2, "Paterson"),
        (3, "Arrival"),
    ]
    assert result.stderr == "#2 Arrival is now #3: both copies had a #2\n"


def test_a_damaged_tombstone_in_an_export_is_rejected(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    dump = tmp_path / "dump.json"
    good = {**Review(title="Good", uuid="u-good").to_dict(), "id": 4}
    dump.write_text(
        json.dumps(
            {
                "format": "filmlog-export",
                "version": 1,
                "next_id": 9,
                "reviews": [good],
                "tombstones": [{"uuid": "u-x", "id": 2}],
            }
        ),
        encoding="utf-8",
    )

    result = cli("import", str(dump))

    assert result.exit_code == 1
    assert "deleted review 1" in result.stdout
    assert [r.id for r in Journal(journal_path).reviews()] == [4]
    assert tables_of(journal_path)["_filmlog"]["1"]["next_id"] == 9  # type: ignore[index]


def test_a_dry_run_of_a_merge_writes_nothing(
    cli: Invoke, journals: tuple[Path, Path], tmp_path: Path
) -> None:
    laptop, desktop = journals
    store(laptop, Review(title="Her"))
    run_import(cli, desktop, laptop)
    assert cli("--db", str(laptop), "delete", "1", "--yes").exit_code == 0
    before = desktop.read_bytes()

    out = run_import(cli, desktop, laptop, "--dry-run")

    assert re.search(r"Would be deleted +1 ", out)
    assert desktop.read_bytes() == before


_BAD_VALUES = st.sampled_from(
    [
        ("rating", 4.5),
        ("rating", 0),
        ("year", "abc"),
        ("runtime", -1),
        ("cast", "Amy"),
        ("cast", [{"actor": ""}]),
        ("tags", [1, 2]),
        ("title", "  "),
        ("body", 5),
        ("logged_at", "2024-01-01T10:00:00"),
        ("release_date", "2024-13-01"),
        ("mpaa", "X"),
        ("sources", {"imdb": ""}),
    ]
)


@settings(max_examples=examples(200, 25), deadline=None)
@given(
    st.lists(reviews, min_size=1, max_size=6),
    st.none() | st.tuples(st.integers(0, 5), _BAD_VALUES),
)
def test_checking_every_review_at_once_reads_what_checking_each_reads(
    found: list[Review], damage: tuple[int, tuple[str, object]] | None
) -> None:
    import tempfile
    from unittest import mock

    from filmlog.importers import filmlog_json

    items = [{"id": n, **review.to_dict()} for n, review in enumerate(found, 1)]
    if damage is not None:
        index, (name, value) = damage
        items[index % len(items)][name] = value
    payload = {"format": "filmlog-export", "version": 1, "filmlog": "test", "reviews": items}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        at_once = filmlog_json.read_tables(path)
        with mock.patch.object(filmlog_json, "all_valid", return_value=False):
            each = filmlog_json.read_tables(path)
    assert at_once == each
    if damage is None:
        assert at_once[1] == []
