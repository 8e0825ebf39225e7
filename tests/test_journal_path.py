"""The journal's path is checked before anything is read or made.

A dangling symlink (a share that is not mounted) is not a new, empty journal;
a FIFO, a device or a socket is refused at once instead of hanging; the lock
file is made only beside a regular journal; ``filmlog init`` makes a journal
where asked, symlink or not.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from filmlog.errors import StorageError
from filmlog.model import Review
from filmlog.storage import Journal

WRITES = (["add", "Her"], ["undo", "--yes"], ["rate", "1", "4"])
READS = (["list"], ["stats"], ["show", "1"], ["search", "her"], ["doctor"], ["export"])


def run(exe: str, journal: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FILMLOG_DB": str(journal)}
    return subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=20)


def test_a_dangling_symlink_is_not_a_new_journal(tmp_path: Path, filmlog_exe: str) -> None:
    mount = tmp_path / "share"  # not mounted: does not exist
    link = tmp_path / "journal.json"
    link.symlink_to(mount / "filmlog" / "journal.json")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    exported = Journal(elsewhere / "journal.json")
    with exported.transaction() as session:
        session.add(Review("Her"))
    imported = ["import", str(exported.path)]
    for args in (*READS, *WRITES, imported):
        result = run(filmlog_exe, link, *args)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.count("\n") == 1, (args, result.stderr)
        assert (
            f"journal {link} points to {mount / 'filmlog' / 'journal.json'}, which does not exist; "
            "create it with `filmlog init` or check the mount"
        ) in result.stderr, (args, result.stderr)
    assert not mount.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "journal.json"]


def test_a_dangling_symlinked_folder_is_caught_too(tmp_path: Path, filmlog_exe: str) -> None:
    (tmp_path / "Dropbox").symlink_to(tmp_path / "not-mounted")
    journal = tmp_path / "Dropbox" / "filmlog" / "journal.json"
    result = run(filmlog_exe, journal, "add", "Her")
    assert result.returncode == 1
    assert "which does not exist; create it with `filmlog init`" in result.stderr
    assert not (tmp_path / "not-mounted").exists()


def test_init_makes_the_journal_behind_a_dangling_symlink(tmp_path: Path, filmlog_exe: str) -> None:
    target = tmp_path / "share" / "filmlog" / "journal.json"
    link = tmp_path / "journal.json"
    link.symlink_to(target)
    made = run(filmlog_exe, link, "init")
    assert made.returncode == 0, made.stderr
    assert f"Created an empty journal at {link}" in made.stdout
    assert target.is_file() and link.is_symlink()
    assert run(filmlog_exe, link, "add", "Her").returncode == 0
    again = run(filmlog_exe, link, "init")
    assert again.returncode == 0
    assert "already exists" in again.stdout
    assert "Her" in run(filmlog_exe, link, "list").stdout


def test_init_in_a_new_folder(tmp_path: Path, filmlog_exe: str) -> None:
    journal = tmp_path / "a" / "b" / "journal.json"
    assert run(filmlog_exe, journal, "init").returncode == 0
    assert Journal(journal).reviews() == []


def test_a_fifo_is_refused_at_once(tmp_path: Path, filmlog_exe: str) -> None:
    fifo = tmp_path / "journal.json"
    os.mkfifo(fifo)
    for args in (["list"], ["add", "Her"], ["doctor"], ["init"]):
        result = run(filmlog_exe, fifo, *args)  # a hang fails on the timeout
        assert result.returncode == 1, (args, result.stderr)
        assert f"journal {fifo} is a FIFO, not a file" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.json"]


def test_a_device_is_refused_and_no_lock_is_made_beside_it(tmp_path: Path) -> None:
    journal = Journal(Path(os.devnull))
    with pytest.raises(StorageError, match="is a device, not a file"):
        journal.browse()
    with pytest.raises(StorageError, match="is a device, not a file"), journal.locked():
        pass
    assert not Path(os.devnull + ".lock").exists()


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(StorageError, match="is a socket, not a file"):
            Journal(path).reviews()
