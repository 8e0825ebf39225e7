"""`filmlog sync` through real git: a bare "remote" and two clones standing for two machines.

filmlog runs as a subprocess, as a person (and git's merge driver) runs it.
Git needs no configuration of the machine: HOME points into the test's folder
and the author and committer come from the environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed (.ci/run installs it)"
)


class Machine:
    """One machine: its journal, in a folder that is (or becomes) a clone of the remote."""

    def __init__(self, journal: Path, env: dict[str, str]) -> None:
        self.journal = journal
        self.folder = journal.parent
        self.env = env

    def run(self, *args: str, code: int | None = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "filmlog", "--db", str(self.journal), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
        )
        if code is not None:
            assert done.returncode == code, (args, done.stdout, done.stderr)
        return done

    def git(self, *args: str) -> str:
        return git(self.env, "-C", str(self.folder), *args)

    def reviews(self) -> dict[int, dict[str, Any]]:
        tables = json.loads(self.journal.read_bytes())
        return {int(key): doc for key, doc in tables["reviews"].items()}

    def titles(self) -> dict[int, str]:
        return {key: doc["title"] for key, doc in self.reviews().items()}

    def id_of(self, title: str) -> int:
        return next(key for key, doc in self.reviews().items() if doc["title"] == title)


def git(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("GIT_") or name == "FILMLOG_DB":
            del env[name]
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Film Fan",
        GIT_AUTHOR_EMAIL="fan@example.com",
        GIT_COMMITTER_NAME="Film Fan",
        GIT_COMMITTER_EMAIL="fan@example.com",
        GIT_CEILING_DIRECTORIES=str(tmp_path),
        FILMLOG_LOCK_TIMEOUT="20",
    )
    return env


@pytest.fixture
def remote(tmp_path: Path, env: dict[str, str]) -> Path:
    bare = tmp_path / "remote.git"
    git(env, "init", "--quiet", "--bare", "-b", "main", str(bare))
    return bare


@pytest.fixture
def laptop(tmp_path: Path, env: dict[str, str], remote: Path) -> Machine:
    """The first machine: four reviews, set up and synced to the remote."""
    machine = Machine(tmp_path / "laptop" / "journal.json", env)
    for title, year in (
        ("Her", "2013"),
        ("Heat", "1995"),
        ("Arrival", "2016"),
        ("Paterson", "2016"),
    ):
        machine.run("add", title, "--year", year, "--rating", "3")
    init = machine.run("sync", "--init", str(remote))
    assert "Added remote origin" in init.stdout
    machine.run("sync")
    return machine


@pytest.fixture
def desktop(tmp_path: Path, env: dict[str, str], remote: Path, laptop: Machine) -> Machine:
    """The second machine: a clone of the remote, set up once."""
    folder = tmp_path / "desktop"
    git(env, "clone", "--quiet", str(remote), str(folder))
    machine = Machine(folder / "journal.json", env)
    machine.run("sync", "--init")
    return machine


def test_init_sets_up_the_repository_and_commits_the_journal(laptop: Machine) -> None:
    folder = laptop.folder
    assert (folder / ".gitattributes").read_text() == "/journal.json merge=filmlog\n"
    ignored = (folder / ".gitignore").read_text().splitlines()
    assert {
        "/journal.json.lock",
        "/.journal.json.*.tmp",
        "/journal.json.backups/",
        "/journal.json.idx",
    } <= set(ignored)
    driver = laptop.git("config", "--get", "merge.filmlog.driver").strip()
    assert driver.endswith("-m filmlog merge-driver %O %A %B")
    assert sys.executable in driver
    assert laptop.git("status", "--porcelain") == ""
    assert laptop.git("ls-files").split() == [".gitattributes", ".gitignore", "journal.json"]
    assert "origin/main" in laptop.git("branch", "--remotes")


def test_sync_commits_with_a_message_naming_the_changes(laptop: Machine) -> None:
    laptop.run("add", "Alien", "--year", "1979")
    laptop.run("edit", "1", "--verdict", "Tender.")
    laptop.run("delete", "3", "--yes")

    done = laptop.run("sync")

    assert done.stdout.splitlines() == [
        "Committed: edit #1 Her (2013); delete #3 Arrival (2016); add #5 Alien (1979)",
        "Pushed to origin/main",
    ]
    assert laptop.git("log", "-1", "--format=%s").strip() == (
        "edit #1 Her (2013); delete #3 Arrival (2016); add #5 Alien (1979)"
    )
    assert laptop.run("sync").stdout == "Nothing to sync: the journal and the remote are the same\n"


def test_the_journal_file_shows_which_reviews_changed(laptop: Machine) -> None:
    laptop.run("rate", "2", "4.5")
    laptop.run("sync")

    diff = laptop.git("show", "--format=", "--unified=0", "HEAD", "--", "journal.json")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    assert len(changed) == 2  # Heat's line out and in: one review per line
    assert all('"Heat"' in line and '"Her"' not in line for line in changed)


def both_changed(laptop: Machine, desktop: Machine) -> None:
    """The same starting point changed differently on each machine."""
    laptop.run("add", "Alien", "--year", "1979")  # #5 here...
    desktop.run("add", "Brazil", "--year", "1985")  # ...and #5 there
    laptop.run("rate", "1", "4")  # Her: the rating here
    desktop.run("edit", "1", "--verdict", "Tender and strange.")  # the verdict there
    laptop.run("delete", "2", "--yes")  # Heat: deleted here
    desktop.run("edit", "2", "--headline", "Still the best")  # edited there
    laptop.run("delete", "3", "--yes")  # Arrival: deleted on both
    desktop.run("delete", "3", "--yes")
    desktop.run("delete", "4", "--yes")  # Paterson: deleted there, untouched here


@pytest.mark.parametrize("first", ["laptop", "desktop"])
def test_two_machines_end_with_the_same_journal_and_nothing_deleted_comes_back(
    laptop: Machine, desktop: Machine, first: str
) -> None:
    both_changed(laptop, desktop)
    one, two = (laptop, desktop) if first == "laptop" else (desktop, laptop)

    one.run("sync")
    merged = two.run("sync")
    one.run("sync")

    assert laptop.journal.read_bytes() == desktop.journal.read_bytes()
    reviews = laptop.reviews()
    assert sorted(doc["title"] for doc in reviews.values()) == ["Alien", "Brazil", "Heat", "Her"]
    her = reviews[1]
    assert (her["rating"], her["verdict"]) == (8, "Tender and strange.")
    heat = reviews[2]
    assert heat["headline"] == "Still the best"
    # The one logged first (then the lower UUID) keeps #5 on both machines; the other is #6.
    new = sorted(
        (doc for doc in reviews.values() if doc["title"] in ("Alien", "Brazil")),
        key=lambda doc: (datetime.fromisoformat(doc["logged_at"]), doc["uuid"]),
    )
    assert (reviews[5]["title"], reviews[6]["title"]) == (new[0]["title"], new[1]["title"])
    tables = json.loads(laptop.journal.read_bytes())
    assert tables["_filmlog"]["1"]["next_id"] == 7
    gone = {t["id"] for t in tables["tombstones"].values()}
    assert gone == {3, 4}
    assert "Merge: #2 Heat (1995): deleted in one copy and edited in the other; kept it" in (
        merged.stdout
    )
    moved = f"#5 {new[1]['title']} ({new[1]['year']}) is now #6: both copies had a #5"
    assert moved in merged.stdout
    # Syncing again changes nothing anywhere.
    for machine in (laptop, desktop):
        again = machine.run("sync")
        assert "Nothing to sync" in again.stdout
        assert machine.git("status", "--porcelain") == ""
    assert laptop.journal.read_bytes() == desktop.journal.read_bytes()


def test_undo_after_a_sync_goes_back_to_the_journal_before_the_merge(
    laptop: Machine, desktop: Machine
) -> None:
    desktop.run("add", "Brazil")
    desktop.run("sync")
    laptop.run("add", "Alien")
    laptop.run("sync")
    assert sorted(laptop.titles().values()) == [
        "Alien",
        "Arrival",
        "Brazil",
        "Heat",
        "Her",
        "Paterson",
    ]

    laptop.run("undo", "--yes")

    assert "Brazil" not in laptop.titles().values()


def test_offline_sync_commits_locally_warns_and_succeeds(
    laptop: Machine, tmp_path: Path, remote: Path
) -> None:
    remote.rename(tmp_path / "away.git")
    laptop.run("add", "Alien")

    done = laptop.run("sync")

    assert done.stdout == "Committed: add #5 Alien\n"
    (warning,) = done.stderr.splitlines()
    assert warning.startswith("Warning: could not reach origin (")
    assert warning.endswith(
        "your changes are committed here: run filmlog sync again when it can be reached"
    )
    assert laptop.git("status", "--porcelain") == ""
    (tmp_path / "away.git").rename(remote)
    assert "Pushed to origin/main" in laptop.run("sync").stdout


def test_without_a_remote_sync_commits_and_says_so(tmp_path: Path, env: dict[str, str]) -> None:
    machine = Machine(tmp_path / "solo" / "journal.json", env)
    machine.run("add", "Her")
    machine.run("sync", "--init")
    machine.run("add", "Heat")

    done = machine.run("sync")

    assert done.stdout == "Committed: add #2 Heat\n"
    assert done.stderr == (
        "Warning: no remote to sync with: committed here only "
        "(add one with filmlog sync --init URL)\n"
    )


def test_init_in_a_folder_without_a_journal_starts_an_empty_one(
    tmp_path: Path, env: dict[str, str]
) -> None:
    machine = Machine(tmp_path / "new" / "journal.json", env)

    done = machine.run("sync", "--init")

    assert done.stdout.splitlines()[0] == f"Made {machine.folder} a git repository"
    assert machine.reviews() == {}
    assert machine.git("ls-files").split() == [".gitattributes", ".gitignore", "journal.json"]


def test_a_machine_set_up_without_cloning_merges_the_remotes_history(
    tmp_path: Path, env: dict[str, str], remote: Path, laptop: Machine
) -> None:
    other = Machine(tmp_path / "other" / "journal.json", env)
    other.run("add", "Brazil")
    other.run("sync", "--init", str(remote))

    other.run("sync")

    assert sorted(other.titles().values()) == ["Arrival", "Brazil", "Heat", "Her", "Paterson"]
    laptop.run("sync")
    assert laptop.journal.read_bytes() == other.journal.read_bytes()


def one_line_failure(done: subprocess.CompletedProcess[str], text: str) -> None:
    assert done.returncode != 0
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: ") and text in line, line


def test_without_git_sync_says_so_and_changes_nothing(laptop: Machine) -> None:
    laptop.run("add", "Alien")
    before = laptop.journal.read_bytes()
    laptop.env = {**laptop.env, "PATH": str(Path(sys.executable).parent / "no-such-folder")}

    done = laptop.run("sync", code=None)

    one_line_failure(done, "git is not installed (or not on PATH)")
    assert laptop.journal.read_bytes() == before


def test_outside_a_repository_sync_says_how_to_start(tmp_path: Path, env: dict[str, str]) -> None:
    machine = Machine(tmp_path / "plain" / "journal.json", env)
    machine.run("add", "Her")
    before = machine.journal.read_bytes()

    done = machine.run("sync", code=None)

    one_line_failure(done, "is not a git repository; set it up with: filmlog sync --init")
    assert machine.journal.read_bytes() == before


def test_a_clone_not_set_up_is_told_to_run_init(
    tmp_path: Path, env: dict[str, str], remote: Path, laptop: Machine
) -> None:
    folder = tmp_path / "fresh"
    git(env, "clone", "--quiet", str(remote), str(folder))
    machine = Machine(folder / "journal.json", env)

    done = machine.run("sync", code=None)

    one_line_failure(done, "run filmlog sync --init once here")


def test_a_remote_without_init_is_a_usage_error(laptop: Machine) -> None:
    done = laptop.run("sync", "somewhere", code=2)
    one_line_failure(done, "a remote is given with --init")


def test_an_unmergeable_change_stops_with_the_merge_left_for_a_person(
    laptop: Machine, desktop: Machine
) -> None:
    # A journal damaged on one machine and committed by hand cannot be merged by filmlog.
    desktop.journal.write_bytes(b'{"_filmlog": ')
    desktop.git("commit", "--quiet", "-am", "broken by hand")
    desktop.git("push", "--quiet", "origin", "main")
    laptop.run("add", "Alien")

    done = laptop.run("sync", code=None)

    one_line_failure(done, "the merge is left in progress")
    assert "git merge --abort" in done.stderr
    assert json.loads(laptop.journal.read_bytes())["reviews"]["5"]["title"] == "Alien"  # ours
    assert "Unmerged paths" in laptop.git("status")
    again = laptop.run("sync", code=None)
    one_line_failure(again, "a git merge is in progress")
    laptop.git("merge", "--abort")
    assert laptop.git("status", "--porcelain") == ""
    assert laptop.titles()[5] == "Alien"


def test_the_installed_console_script_drives_the_merge_too(
    laptop: Machine, desktop: Machine, filmlog_exe: str
) -> None:
    laptop.git("config", "merge.filmlog.driver", f"{filmlog_exe} merge-driver %O %A %B")
    laptop.run("edit", "1", "--verdict", "Here.")
    desktop.run("edit", "1", "--headline", "There.")
    desktop.run("sync")

    laptop.run("sync")

    her = laptop.reviews()[1]
    assert (her["verdict"], her["headline"]) == ("Here.", "There.")
