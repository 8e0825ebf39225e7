"""The cross-process lock: a second writer waits, gives up clearly, and a dead holder never blocks.

The lock holder is a real process (``python -c HOLDER``) so that the
operating system's lock semantics, including release on SIGKILL, are what is
tested rather than a simulation of them.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import Result

from filmlog import lock as lock_module
from filmlog.errors import JournalLocked, StorageError
from filmlog.lock import FileLock
from filmlog.storage import Journal

Invoke = Callable[..., Result]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")

# Takes the journal's lock, says so, holds it for argv[2] seconds (or until killed).
HOLDER = """
import sys, time
from pathlib import Path
from filmlog.storage import Journal
journal = Journal(Path(sys.argv[1]))
with journal.locked():
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.fixture
def hold_lock(journal_path: Path) -> Iterator[Callable[[float], subprocess.Popen[str]]]:
    """Start a process that holds the test journal's lock for some seconds."""
    started: list[subprocess.Popen[str]] = []

    def start(seconds: float) -> subprocess.Popen[str]:
        child = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(journal_path), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(child)
        assert child.stdout is not None
        assert child.stdout.readline() == "locked\n"
        return child

    yield start
    for child in started:
        if child.poll() is None:
            child.kill()
        child.wait()
        if child.stdout:
            child.stdout.close()


def test_a_second_writer_waits_for_the_first(
    cli: Invoke, journal_path: Path, hold_lock: Callable[[float], subprocess.Popen[str]]
) -> None:
    assert cli("add", "Her").exit_code == 0
    holder = hold_lock(1.0)
    start = time.monotonic()

    result = cli("add", "Arrival", env={"FILMLOG_LOCK_TIMEOUT": "20"})

    waited = time.monotonic() - start
    assert result.exit_code == 0, result.stderr
    assert holder.wait(timeout=10) == 0
    assert waited >= 0.5
    assert [r.title for r in Journal(journal_path).reviews()] == ["Her", "Arrival"]


def test_a_writer_gives_up_after_the_timeout_with_one_clear_line(
    cli: Invoke, journal_path: Path, hold_lock: Callable[[float], subprocess.Popen[str]]
) -> None:
    assert cli("add", "Her").exit_code == 0
    before = journal_path.read_bytes()
    hold_lock(60)
    start = time.monotonic()

    result = cli("add", "Arrival", env={"FILMLOG_LOCK_TIMEOUT": "0.5"})

    assert 0.5 <= time.monotonic() - start < 5
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: journal {journal_path} is busy: another filmlog process held its lock "
        "for over 0.5 s; try again\n"
    )
    assert journal_path.read_bytes() == before


def test_readers_do_not_wait_for_a_writer(
    cli: Invoke, hold_lock: Callable[[float], subprocess.Popen[str]]
) -> None:
    assert cli("add", "Her").exit_code == 0
    hold_lock(60)
    start = time.monotonic()

    result = cli("list", env={"FILMLOG_LOCK_TIMEOUT": "30"})

    assert result.exit_code == 0 and "Her" in result.stdout
    assert time.monotonic() - start < 5


def test_a_killed_lock_holder_never_blocks_later_commands(
    run_filmlog: Callable[..., subprocess.CompletedProcess[str]],
    journal_path: Path,
    hold_lock: Callable[[float], subprocess.Popen[str]],
) -> None:
    assert run_filmlog("add", "Her").returncode == 0
    holder = hold_lock(3600)
    holder.send_signal(signal.SIGKILL)
    assert holder.wait() == -signal.SIGKILL
    start = time.monotonic()

    result = run_filmlog("add", "Arrival", env={"FILMLOG_LOCK_TIMEOUT": "30"})

    assert result.returncode == 0, result.stderr
    assert time.monotonic() - start < 10  # process start-up, not the 30 s timeout
    assert Path(f"{journal_path}.lock").exists()  # the lock file stays; only the lock went
    assert [r.title for r in Journal(journal_path).reviews()] == ["Her", "Arrival"]


def test_the_lock_is_exclusive_between_open_files(tmp_path: Path) -> None:
    path = tmp_path / "j.json.lock"
    with FileLock(path, timeout=5), pytest.raises(JournalLocked):
        FileLock(path, timeout=0.1).acquire()
    with FileLock(path, timeout=0.1):
        pass


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts descriptors via /proc")
def test_interrupted_wait_leaks_no_descriptor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.json.lock"
    with FileLock(path, timeout=5):
        before = _open_descriptors()

        def interrupt(seconds: float) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(lock_module.time, "sleep", interrupt)
        with pytest.raises(KeyboardInterrupt):
            FileLock(path, timeout=5).acquire()
        with pytest.raises(JournalLocked):
            FileLock(path, timeout=0).acquire()
        assert _open_descriptors() == before


def test_a_file_system_without_locks_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_locks(fd: int) -> bool:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(lock_module, "_try_lock", no_locks)
    with pytest.raises(StorageError, match=r"cannot lock journal .*No locks available"):
        FileLock(tmp_path / "j.lock", timeout=1, journal=tmp_path / "j").acquire()


def test_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMLOG_LOCK_TIMEOUT", "2.5")
    assert lock_module.lock_timeout() == 2.5
    monkeypatch.setenv("FILMLOG_LOCK_TIMEOUT", "")
    assert lock_module.lock_timeout() == lock_module.DEFAULT_TIMEOUT
