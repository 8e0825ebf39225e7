"""Temporary files are named so that cleaning up after one journal never touches another's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from filmlog.doctor import check
from filmlog.model import Review
from filmlog.storage import Journal, temp_files

WRITER = """
import sys
from pathlib import Path
from filmlog.model import Review
from filmlog.storage import Journal
journal = Journal(Path(sys.argv[1]), lock_timeout=60)
for n in range(int(sys.argv[2])):
    with journal.transaction() as session:
        session.add(Review(f"Film {n}", body="text " * 2000))
"""


def test_journals_whose_names_prefix_each_other_write_at_once(tmp_path: Path) -> None:
    names = ["journal.json", "journal.json.bak", "journal.json.x1y2z3w4"]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path / name), "40"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=300)
        assert writer.returncode == 0, stderr
    for name in names:
        assert len(Journal(tmp_path / name).reviews()) == 40


def test_only_the_journals_own_leftovers_are_removed_and_reported(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.json")
    with journal.transaction() as session:
        session.add(Review("a"))
    own = tmp_path / ".j.json.a1b2c3d4.tmp"
    own.write_text("half a journal")
    others = [tmp_path / ".j.json.bak.a1b2c3d4.tmp", tmp_path / ".j.json.a1b2.tmp"]
    for other in others:
        other.write_text("someone else's")
    assert temp_files(journal.target) == [own]
    report = check(journal)
    assert report.healthy
    assert report.warnings == [
        "1 leftover temporary file from an interrupted write: .j.json.a1b2c3d4.tmp "
        "(the next change removes it)"
    ]
    with journal.transaction() as session:
        session.add(Review("b"))
    assert journal.removed == [own]
    assert not own.exists() and all(other.exists() for other in others)


def test_the_command_says_what_it_removed(run_filmlog, journal_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run_filmlog("add", "Her").returncode == 0
    leftover = journal_path.with_name(f".{journal_path.name}.0a1b2c3d.tmp")
    leftover.write_text("half")
    result = run_filmlog("add", "Arrival")
    assert result.returncode == 0
    assert result.stderr == (f"Removed a temporary file left by an interrupted write: {leftover}\n")
    doctor = run_filmlog("doctor")
    assert "leftover" not in doctor.stdout
