"""Two real processes writing one journal at once: every review lands, each under its own ID."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from filmlog import backups
from filmlog.doctor import check, check_bytes
from filmlog.errors import CorruptJournal
from filmlog.storage import Journal

# Says it is ready, waits for the start file, then adds argv[3] reviews titled "<argv[2]>-<n>",
# one transaction each.
WRITER = """
import sys, time
from pathlib import Path
from filmlog.model import Review
from filmlog.storage import Journal
journal, name, count, start = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
start.with_name(f"ready-{name}").touch()
while not start.exists():
    time.sleep(0.001)
for n in range(count):
    with Journal(journal).transaction() as session:
        session.add(Review(f"{name}-{n}", rating=n % 10 + 1, tags=[name]))
"""


def start_writers(
    commands: list[list[str]], start: Path, env: dict[str, str]
) -> list[subprocess.Popen[bytes]]:
    """Start the writers and let them go together once all have said they are ready."""
    children = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for command in commands
    ]
    deadline = time.monotonic() + 60
    while len(list(start.parent.glob("ready-*"))) < len(children):
        assert time.monotonic() < deadline, "the writers did not start"
        assert all(child.poll() is None for child in children), "a writer died at start-up"
        time.sleep(0.01)
    start.touch()
    return children


def read_while_running(journal: Journal, children: list[subprocess.Popen[bytes]]) -> int:
    """Read the journal over and over while the writers run; a reader must never see damage."""
    reads = 0
    while any(child.poll() is None for child in children):
        try:
            journal.reviews()
        except CorruptJournal as exc:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"a reader saw a damaged journal mid-write: {exc}")
        reads += 1
    return reads


def finish(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err.decode(errors="replace")[-2000:]


def test_two_processes_each_add_200_reviews(journal_path: Path, tmp_path: Path) -> None:
    start = tmp_path / "start"
    env = {**os.environ, "FILMLOG_LOCK_TIMEOUT": "120"}
    children = start_writers(
        [
            [sys.executable, "-c", WRITER, str(journal_path), name, "200", str(start)]
            for name in ("A", "B")
        ],
        start,
        env,
    )
    journal = Journal(journal_path)
    reads = read_while_running(journal, children)
    finish(children)

    reviews = journal.reviews()
    assert len(reviews) == 400
    assert [r.id for r in reviews] == list(range(1, 401))
    assert {r.title for r in reviews} == {f"{n}-{i}" for n in "AB" for i in range(200)}
    for name in "AB":  # each writer's reviews in the order it added them
        mine = [r.title for r in reviews if r.tags == [name]]
        assert mine == [f"{name}-{i}" for i in range(200)]
    report = check(journal)
    assert report.healthy, report.problems
    assert report.next_id == 401
    assert reads > 0
    kept = backups.list_backups(journal_path)
    assert len(kept) == 5
    assert all(check_bytes(b.path.read_bytes(), b.path).healthy for b in kept)


def test_two_real_filmlog_add_loops(
    filmlog_exe: str,
    journal_path: Path,
    tmp_path: Path,
    run_filmlog: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    start = tmp_path / "start"
    env = {**os.environ, "FILMLOG_LOCK_TIMEOUT": "60"}
    loop = (
        'touch "$(dirname "$1")/ready-$3"; while [ ! -e "$1" ]; do sleep 0.01; done; '
        'for i in $(seq 1 10); do "$2" add "$3-$i" --tag "$3" || exit 1; done'
    )
    children = start_writers(
        [["sh", "-c", loop, "sh", str(start), filmlog_exe, name] for name in ("A", "B")],
        start,
        env,
    )
    finish(children)

    reviews = Journal(journal_path).reviews()
    assert sorted(r.id for r in reviews) == list(range(1, 21))
    assert {r.title for r in reviews} == {f"{n}-{i}" for n in "AB" for i in range(1, 11)}
    result = run_filmlog("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Reviews: 20 (highest ID 20, next ID 21)" in result.stdout
