"""`filmlog doctor`: checks in plain words; a repair restores a backup and deletes nothing."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import Result

from filmlog import backups
from filmlog.doctor import check, check_bytes, plan_repair, repair
from filmlog.errors import CorruptJournal, FilmlogError
from filmlog.model import Review
from filmlog.storage import Journal

Invoke = Callable[..., Result]

REVIEW = {"uuid": "4a3b2c1d-0000-4000-8000-000000000001", "title": "Her", "rating": 8}


def journal_bytes(
    reviews: dict[str, Any] | None = None, meta: dict[str, Any] | None = None
) -> bytes:
    table = {"format": "filmlog", "schema": 1, "next_id": 3, **(meta or {})}
    table = {k: v for k, v in table.items() if v is not None}
    docs = {"1": REVIEW, "2": {**REVIEW, "uuid": "x2", "title": "Arrival"}}
    tables = {"_filmlog": {"1": table}, "reviews": docs if reviews is None else reviews}
    return json.dumps(tables).encode()


@pytest.fixture
def three(cli: Invoke, journal_path: Path) -> list[bytes]:
    """A journal with three reviews; returns the bytes of each version written."""
    versions = []
    for title in ("Her", "Arrival", "Paterson"):
        assert cli("add", title, "--rating", "4").exit_code == 0
        versions.append(journal_path.read_bytes())
    return versions


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file's bytes but the index's, which any read may make or bring up to date."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix != ".idx"
    }


def test_healthy_bytes_pass() -> None:
    report = check_bytes(journal_bytes(), Path("j.json"))
    assert report.healthy and report.problems == []
    assert (report.reviews, report.highest_id, report.next_id) == (2, 2, 3)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b'{"_filmlog": {"1": {"form', "the file is not valid JSON (unexpected end of data"),
        (b"\xff\xfe{}", "the file is not valid JSON"),
        (b'{"a": NaN}', "the file is not valid JSON"),
        (b"[1, 2]", "the file is JSON but not a filmlog journal"),
        (b'{"_default": {"1": {"title": "x"}}}', "the file is JSON but not a filmlog journal"),
        (journal_bytes(meta={"schema": "one"}), "the schema version 'one' is missing or invalid"),
        (journal_bytes(meta={"schema": 0}), "the schema version 0 is missing or invalid"),
        (journal_bytes(meta={"schema": 7}), "it was written by a newer filmlog (schema 7"),
        (journal_bytes(reviews=[]), "the reviews table is damaged"),  # type: ignore[arg-type]
        (journal_bytes(reviews={"1": REVIEW, "x": REVIEW}), "1 review with an ID that is not"),
        (journal_bytes(reviews={"01": REVIEW}), "1 review with an ID that is not a positive"),
        (journal_bytes(reviews={"0": REVIEW}), "1 review with an ID that is not a positive"),
        (journal_bytes(meta={"next_id": None}), "the ID counter (next_id) is missing"),
        (journal_bytes(meta={"next_id": 2}), "the ID counter (next ID 2) is not above the highest"),
        (journal_bytes(meta={"next_id": "9"}), "the ID counter (next ID '9') is not above"),
        (journal_bytes(meta={"next_id": True}), "the ID counter (next ID True) is not above"),
        (journal_bytes(reviews={"1": "Her"}), "review 1 is invalid: it is not a record"),
        (journal_bytes(reviews={"1": {**REVIEW, "rating": 11}}), "review 1 is invalid: rating"),
        (journal_bytes(reviews={"1": {"rating": 4}}), "review 1 is invalid: title is required"),
        (journal_bytes(reviews={"2": {**REVIEW, "title": " "}}), "review 2 is invalid: title"),
        (
            journal_bytes(reviews={"1": {**REVIEW, "watched_on": "yesterday"}}),
            "review 1 is invalid",
        ),
    ],
)
def test_each_kind_of_damage_is_named_in_plain_words(raw: bytes, problem: str) -> None:
    report = check_bytes(raw, Path("j.json"))
    assert not report.healthy
    assert any(found.startswith(problem) for found in report.problems), report.problems


def test_an_id_written_twice_is_found_although_json_readers_drop_one() -> None:
    raw = journal_bytes().replace(b'"2": {', b'"1": {"title": "Hidden"}, "2": {', 1)
    assert json.loads(raw)["reviews"]["1"] == {"title": "Hidden"}  # the first copy is gone

    report = check_bytes(raw, Path("j.json"))

    assert report.problems == [
        "1 review ID written more than once, so only the last copy of each can be read: 1"
    ]


def test_many_invalid_reviews_are_summarised() -> None:
    docs = {str(i): {**REVIEW, "rating": 99} for i in range(1, 31)}
    report = check_bytes(journal_bytes(reviews=docs, meta={"next_id": 31}), Path("j.json"))
    assert len(report.problems) == 11
    assert report.problems[-1] == "and 20 more problems"


def test_shared_uuids_are_a_warning_not_damage() -> None:
    docs = {"1": REVIEW, "2": {**REVIEW, "title": "Copy"}}
    report = check_bytes(journal_bytes(reviews=docs), Path("j.json"))
    assert report.healthy
    assert report.warnings == [
        f"1 UUID shared by more than one review: {REVIEW['uuid']} (IDs 1, 2)"
    ]


def test_doctor_on_a_healthy_journal(cli: Invoke, journal_path: Path, three: list[bytes]) -> None:
    before = files_in(journal_path.parent)

    result = cli("doctor")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Journal: {journal_path}"
    assert lines[1] == "  Reviews: 3 (highest ID 3, next ID 4)"
    assert lines[2] == (
        "  Healthy: valid JSON in filmlog's format, unique numeric IDs below the ID counter, "
        "3 valid reviews."
    )
    assert lines[3] == "  Index: up to date with the journal."
    assert lines[4] == f"Backups: 2 in {journal_path}.backups, newest first:"
    config = journal_path.parent / "config.toml"
    assert lines[7] == f"Config: {config} (none yet; see filmlog config)"
    assert len(lines) == 8
    assert result.stderr == ""
    assert files_in(journal_path.parent) == before


def test_doctor_without_a_journal(cli: Invoke, journal_path: Path) -> None:
    result = cli("doctor")
    assert result.exit_code == 0
    assert "There is no journal here yet: nothing to check." in result.stdout
    assert not journal_path.exists()


def test_doctor_on_a_damaged_journal_changes_nothing(
    cli: Invoke, journal_path: Path, three: list[bytes]
) -> None:
    journal_path.write_bytes(three[-1][:100])
    before = files_in(journal_path.parent)

    result = cli("doctor")

    assert result.exit_code == 1
    assert "  Damaged: 1 problem found:\n  - the file is not valid JSON" in result.stdout
    assert result.stdout.count("good, 2 reviews") == 1
    assert result.stdout.count("good, 1 review\n") == 1
    assert result.stderr == (
        f"Error: journal {journal_path} is damaged; restore the newest good backup with: "
        "filmlog doctor --repair\n"
    )
    assert files_in(journal_path.parent) == before


def test_repair_moves_the_damage_aside_and_restores_the_newest_good_backup(
    cli: Invoke, journal_path: Path, three: list[bytes]
) -> None:
    damaged = three[-1][:-30]
    journal_path.write_bytes(damaged)
    before = files_in(journal_path.parent)

    result = cli("doctor", "--repair", input="y\n")

    assert result.exit_code == 0, result.stderr
    assert "Repair the journal? [y/N]" in result.stderr
    [aside] = journal_path.parent.glob("journal.json.corrupt-*")
    assert aside.read_bytes() == damaged
    restored, backup = json.loads(journal_path.read_bytes()), json.loads(three[1])
    assert restored["reviews"] == backup["reviews"]
    # The damaged file still showed its counter: IDs it handed out are not handed out again.
    assert (backup["_filmlog"]["1"]["next_id"], restored["_filmlog"]["1"]["next_id"]) == (3, 4)
    assert f"Moved the damaged journal aside to {aside}" in result.stdout
    # Nothing was deleted: every file that was there still is, with the same bytes.
    after = files_in(journal_path.parent)
    assert {name: after[name] for name in before if name != "journal.json"} == {
        name: data for name, data in before.items() if name != "journal.json"
    }
    assert cli("doctor").exit_code == 0


def test_repair_asks_first_and_no_means_nothing_changes(
    cli: Invoke, journal_path: Path, three: list[bytes]
) -> None:
    journal_path.write_text("{")
    before = files_in(journal_path.parent)

    for answer in ("n\n", ""):
        result = cli("doctor", "--repair", input=answer)
        assert result.exit_code == 1
        assert result.stderr.endswith("Error: nothing was changed\n")
        assert files_in(journal_path.parent) == before


def test_repair_skips_damaged_backups(cli: Invoke, journal_path: Path, three: list[bytes]) -> None:
    newest = backups.list_backups(journal_path)[0]
    newest.path.write_bytes(b"garbage")
    journal_path.write_text("{")

    result = cli("doctor", "--repair", "--yes")

    assert result.exit_code == 0, result.stderr
    assert journal_path.read_bytes() == three[0]
    assert newest.path.read_bytes() == b"garbage"


def test_repair_without_a_good_backup_changes_nothing(
    cli: Invoke, journal_path: Path, three: list[bytes]
) -> None:
    for backup in backups.list_backups(journal_path):
        backup.path.write_bytes(b"{")
    journal_path.write_text("[]")
    before = files_in(journal_path.parent)

    result = cli("doctor", "--repair", "--yes")

    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Error: cannot repair {journal_path}: none of the 2 backups in "
        f"{journal_path}.backups passes the check; nothing was changed (to start a new "
        "journal, move the damaged file elsewhere yourself)\n"
    )
    assert files_in(journal_path.parent) == before


def test_repair_refuses_a_journal_from_a_newer_filmlog(
    cli: Invoke, journal_path: Path, three: list[bytes]
) -> None:
    journal_path.write_text('{"_filmlog": {"1": {"format": "filmlog", "schema": 3}}}')
    before = files_in(journal_path.parent)

    result = cli("doctor", "--repair", "--yes")

    assert result.exit_code == 1
    assert "  Not readable by this filmlog: it was written by a newer filmlog (schema 3;" in (
        result.stdout
    )
    assert result.stderr == (
        f"Error: journal {journal_path} was written by a newer filmlog; "
        "upgrade filmlog to read it\n"
    )
    assert files_in(journal_path.parent) == before
    with pytest.raises(CorruptJournal, match="it is not damaged, so it was left unchanged"):
        plan_repair(Journal(journal_path), check(Journal(journal_path)))


def test_repair_of_a_healthy_journal_does_nothing(
    cli: Invoke, journal_path: Path, three: list[bytes]
) -> None:
    before = files_in(journal_path.parent)
    result = cli("doctor", "--repair", "--yes")
    assert result.exit_code == 0
    assert result.stdout.endswith("Nothing to repair.\n")
    assert files_in(journal_path.parent) == before


def test_repair_never_hands_out_ids_the_damaged_journal_used(
    cli: Invoke, journal_path: Path, three: list[bytes]
) -> None:
    # Review 3 exists only in the damaged journal; its counter (written first) survives.
    journal_path.write_bytes(three[-1][: three[-1].index(b'"reviews"')])

    assert cli("doctor", "--repair", "--yes").exit_code == 0
    result = cli("add", "Columbus")

    assert result.stdout.startswith("Added #4 Columbus")


def test_repair_refuses_if_the_journal_changed_after_the_plan(
    journal_path: Path, three: list[bytes]
) -> None:
    journal_path.write_text("{")
    journal = Journal(journal_path)
    plan = plan_repair(journal, check(journal))
    journal_path.write_text("[")

    with pytest.raises(FilmlogError, match="changed while you were deciding; nothing was repaired"):
        repair(journal, plan)

    assert journal_path.read_text() == "["
    assert not list(journal_path.parent.glob("*.corrupt-*"))


def test_repair_without_any_backup(journal_path: Path) -> None:
    journal_path.write_text("{")
    journal = Journal(journal_path)
    with pytest.raises(CorruptJournal, match="there are no backups of it in"):
        plan_repair(journal, check(journal))
    assert journal_path.read_text() == "{"


def test_two_repairs_in_one_second_keep_both_damaged_files(
    journal_path: Path, three: list[bytes]
) -> None:
    journal = Journal(journal_path)
    for damage in ("{", "["):
        journal_path.write_text(damage)
        repair(journal, plan_repair(journal, check(journal)))
    asides = sorted(p.read_text() for p in journal_path.parent.glob("journal.json.corrupt-*"))
    assert asides == ["[", "{"]


def test_a_corrupt_journal_is_refused_by_every_command_and_left_unchanged(
    cli: Invoke, journal_path: Path, three: list[bytes]
) -> None:
    journal_path.write_bytes(three[-1][:-10])
    before = files_in(journal_path.parent)
    for args in (
        ("add", "x"),
        ("edit", "1", "--verdict", "Good"),
        ("rate", "1", "3"),
        ("delete", "1", "--yes"),
        ("list",),
        ("show", "1"),
        ("search", "x"),
        ("undo", "--yes"),
    ):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert result.stderr.count("\n") == 1, (args, result.stderr)
        assert "filmlog doctor --repair" in result.stderr, (args, result.stderr)
    assert files_in(journal_path.parent) == before


def test_doctor_in_a_real_process(
    run_filmlog: Callable[..., subprocess.CompletedProcess[str]], journal_path: Path
) -> None:
    assert run_filmlog("add", "Her").returncode == 0
    assert run_filmlog("add", "Arrival").returncode == 0
    journal_path.write_bytes(journal_path.read_bytes()[:-5])

    checked = run_filmlog("doctor")
    repaired = run_filmlog("doctor", "--repair", input="y\n")

    assert checked.returncode == 1 and "Damaged: 1 problem found" in checked.stdout
    assert repaired.returncode == 0, repaired.stderr
    assert [r.title for r in Journal(journal_path).reviews()] == ["Her"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
# Values that fit some field, so that many random reviews are valid and some are not.
PLAUSIBLE = st.sampled_from(
    [None, "", "Her", "R", 8, 11, 2013, "2024-01-01", "2024-01-01T10:00:00+00:00", [], ["Drama"]]
)
STORED = Review("Her", uuid="u").to_dict()
DOCS = st.dictionaries(st.sampled_from(sorted(STORED)), PLAUSIBLE | JSON, max_size=1).map(
    lambda changes: {**STORED, **changes}
)


@settings(max_examples=200, deadline=None)
@given(
    docs=st.dictionaries(
        st.sampled_from(["1", "2", "3", "1", "2", "3", "01", "x", "-1"]),
        st.one_of(DOCS, DOCS, DOCS, JSON),
        max_size=3,
    ),
    counter=st.just(99) | st.sampled_from([4, None, 0, 3, "4", True, 2.5]),
)
def test_healthy_means_every_command_can_read_it(
    tmp_path_factory: pytest.TempPathFactory, docs: dict[str, Any], counter: object
) -> None:
    raw = journal_bytes(reviews=docs, meta={"next_id": counter})
    report = check_bytes(raw, Path("j.json"))  # never raises, whatever the content
    path = tmp_path_factory.mktemp("healthy") / "j.json"
    path.write_bytes(raw)
    if report.healthy:
        reviews = Journal(path).reviews()
        assert [r.id for r in reviews] == sorted(int(key) for key in docs)
        with Journal(path).transaction() as session:
            added = session.add(Review("new"))
        assert added.id is not None and added.id > max(map(int, docs), default=0)
    else:
        assert report.problems
