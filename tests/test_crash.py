"""SIGKILL at each step of a write: the journal is byte for byte the old or the new one, and opens.

A child process runs the real ``filmlog add`` (``filmlog.cli.main``) with the
write path's functions wrapped by :data:`DRIVER`, which kills the process
with SIGKILL at one chosen step: no ``finally`` block, no ``atexit``, no
flush runs, as with a power cut as far as the process is concerned. Just
before the rename the driver copies the new version aside, so the test knows
the exact bytes "new" means.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from filmlog import backups
from filmlog.doctor import check, check_bytes
from filmlog.storage import Journal, temp_files

Invoke = Callable[..., Result]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")

DRIVER = r"""
import os, shutil, signal, stat, sys
from pathlib import Path

step, new_copy, args = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

from filmlog import backups, lock

from filmlog import files

real_acquire, real_new_temp, real_fdopen = lock.FileLock.acquire, files._new_temp, os.fdopen
real_fsync, real_replace, real_save, real_prune = os.fsync, os.replace, backups.save, backups.prune

def acquire(self):
    real_acquire(self)
    if step == "locked":
        die()

def new_temp(*a, **k):
    if step == "before-temp":
        die()
    made = real_new_temp(*a, **k)
    if step == "temp-created":
        die()
    return made

class HalfWriter:
    def __init__(self, handle):
        self.handle = handle
    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        die()
    def __getattr__(self, name):
        return getattr(self.handle, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.handle.close()

opened = []

def fdopen(fd, *a, **k):
    handle = real_fdopen(fd, *a, **k)
    opened.append(fd)
    # The journal's temporary file is opened first; a backup copy's, second.
    return HalfWriter(handle) if step == ("mid-write", "copy-mid")[len(opened) > 1] else handle

def fsync(fd):
    folder = stat.S_ISDIR(os.fstat(fd).st_mode)
    if step == ("before-dir-sync" if folder else "before-fsync"):
        die()
    real_fsync(fd)
    if step == ("after-dir-sync" if folder else "after-fsync"):
        die()

def save(target):
    if step == "before-backup":
        die()
    made = real_save(target)
    if step == "after-backup":
        die()
    return made

def no_links(*a, **k):
    raise PermissionError(1, "Operation not permitted")

def replace(src, dst, *a, **k):
    if Path(dst).name != Path(os.environ["FILMLOG_DB"]).name:  # a backup copy's own rename
        return real_replace(src, dst, *a, **k)
    new_copy.write_bytes(Path(src).read_bytes())
    if step == "before-replace":
        die()
    real_replace(src, dst, *a, **k)
    if step == "after-replace":
        die()

def prune(target, keep):
    if step == "before-prune":
        die()
    real_prune(target, keep)
    if step == "after-prune":
        die()

lock.FileLock.acquire = acquire
files._new_temp = new_temp
os.fdopen, os.fsync, os.replace = fdopen, fsync, replace
backups.save, backups.prune = save, prune
if step.startswith("copy-"):
    os.link = no_links

from filmlog.cli import main
sys.exit(main(args))
"""

# Each step, and which version the journal must hold after a kill there.
OLD_STEPS = [
    "locked",
    "before-temp",
    "temp-created",
    "mid-write",
    "before-fsync",
    "after-fsync",
    "before-backup",
    "after-backup",
    "copy-mid",
    "before-replace",
]
# Steps after the temporary file exists and before it is renamed leave it behind.
LEAVES_TEMP = {"temp-created", "mid-write", "before-fsync", "after-fsync", "before-backup"}
LEAVES_TEMP |= {"after-backup", "copy-mid", "before-replace"}
NEW_STEPS = ["after-replace", "before-dir-sync", "after-dir-sync", "before-prune", "after-prune"]


def run_child(step: str, journal_path: Path, new_copy: Path) -> int:
    env = {**os.environ, "FILMLOG_DB": str(journal_path), "FILMLOG_BACKUPS": "2"}
    child = subprocess.run(
        [sys.executable, "-c", DRIVER, step, str(new_copy), "add", "Columbus", "--rating", "4"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    return child.returncode


@pytest.fixture
def journal(cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A journal with three reviews and two backups (so the crashing write also prunes one)."""
    monkeypatch.setenv("FILMLOG_BACKUPS", "2")
    for title in ("Her", "Arrival", "Paterson"):
        assert cli("add", title, "--body", "A quiet film. " * 200).exit_code == 0
    assert len(backups.list_backups(journal_path)) == 2
    return journal_path


@pytest.mark.parametrize("step", OLD_STEPS + NEW_STEPS + ["none"])
def test_killed_at_each_step_of_a_write(
    step: str, journal: Path, cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = journal.read_bytes()
    old_backups = {b.path.read_bytes() for b in backups.list_backups(journal)}
    new_copy = tmp_path / "new-version"

    code = run_child(step, journal, new_copy)

    assert code == (0 if step == "none" else -signal.SIGKILL)
    assert bool(temp_files(journal)) == (step in LEAVES_TEMP)
    # An interrupted backup copy leaves its temporary file, which the next prune removes.
    assert bool(list(backups.folder(journal).glob(".*.tmp"))) == (step == "copy-mid")
    after = journal.read_bytes()
    if step in OLD_STEPS:
        assert after == old
    else:
        assert after == new_copy.read_bytes()
        assert after != old
    titles = [r.title for r in Journal(journal).reviews()]
    assert titles == ["Her", "Arrival", "Paterson"] + (
        ["Columbus"] if step not in OLD_STEPS else []
    )
    assert check(Journal(journal)).healthy
    # A backup that exists is a complete earlier version (or, after a kill between the
    # backup and the rename, a copy of the unchanged journal), never a fragment.
    for backup in backups.list_backups(journal):
        assert backup.path.read_bytes() in old_backups | {old}
        assert check_bytes(backup.path.read_bytes(), backup.path).healthy

    # The next command neither waits for a lock nor trips over what the kill left behind.
    monkeypatch.setenv("FILMLOG_LOCK_TIMEOUT", "2")
    result = cli("add", "Brief Encounter")
    assert result.exit_code == 0, result.stderr
    assert temp_files(journal) == []
    assert not list(backups.folder(journal).glob("*.partial"))
    assert len(backups.list_backups(journal)) == 2
    assert [r.title for r in Journal(journal).reviews()][-1] == "Brief Encounter"
    assert len({r.id for r in Journal(journal).reviews()}) == len(titles) + 1
