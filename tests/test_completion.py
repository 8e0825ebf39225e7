"""Shell completion that knows the journal, through the shells' own protocol in a real process."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Invoke


def complete(exe: str, line: str, *, shell: str = "bash", db: Path | None = None) -> list[str]:
    """What filmlog offers for the last word of ``line`` ("" after a trailing space)."""
    words = line.split(" ")
    env = {**os.environ, "_FILMLOG_COMPLETE": f"complete_{shell}"}
    if db is not None:
        env["FILMLOG_DB"] = str(db)
    if shell == "bash":
        env.update(COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    else:
        env["_TYPER_COMPLETE_ARGS"] = line
    done = subprocess.run([exe], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return [line for line in done.stdout.splitlines() if line]


@pytest.fixture
def logged(cli: Invoke) -> None:
    for args in (
        ("Her", "--year", "2013", "--genre", "Romance, Sci-Fi", "--director", "Spike Jonze"),
        ("Arrival", "--year", "2016", "--genre", "Sci-Fi", "--tag", "rewatch-soon"),
        ("Amélie", "--year", "2001", "--genre", "Romance", "--watched", "2023-02-14"),
        ("Dune", "--year", "1984", "--director", "David Lynch"),
        ("Dune", "--year", "2021", "--director", "Denis Villeneuve", "--first-watch"),
    ):
        assert cli("add", *args).exit_code == 0


@pytest.mark.usefixtures("logged")
@pytest.mark.parametrize("command", ["show", "edit", "rate", "delete"])
def test_review_ids(filmlog_exe: str, command: str) -> None:
    assert complete(filmlog_exe, f"filmlog {command} ") == ["5", "4", "3", "2", "1"]


@pytest.mark.usefixtures("logged")
def test_review_ids_come_with_titles_in_zsh(filmlog_exe: str) -> None:
    lines = complete(filmlog_exe, "filmlog show 3", shell="zsh")
    assert '"3":"Amélie (2001) 2023-02-14"' in "\n".join(lines)


@pytest.mark.usefixtures("logged")
def test_ids_already_given_are_not_offered_again(filmlog_exe: str) -> None:
    assert complete(filmlog_exe, "filmlog delete 5 4 ") == ["3", "2", "1"]


@pytest.mark.usefixtures("logged")
def test_history_titles_ignore_case_and_accents(filmlog_exe: str) -> None:
    assert complete(filmlog_exe, "filmlog history A") == ["Amélie", "Arrival"]
    assert complete(filmlog_exe, "filmlog history amel") == ["amelie"]
    assert complete(filmlog_exe, "filmlog history D") == ["Dune (1984)", "Dune (2021)"]


@pytest.mark.usefixtures("logged")
def test_genres_tags_and_directors(filmlog_exe: str) -> None:
    assert complete(filmlog_exe, "filmlog list --genre ") == ["Romance", "Sci-Fi"]
    assert complete(filmlog_exe, "filmlog add X --genre romance,s") == ["romance,sci-fi"]
    assert complete(filmlog_exe, "filmlog search --tag r") == ["rewatch-soon"]
    assert complete(filmlog_exe, "filmlog edit 1 --director D") == [
        "David Lynch",
        "Denis Villeneuve",
    ]


@pytest.mark.usefixtures("logged")
def test_the_db_option_is_followed(filmlog_exe: str, tmp_path: Path) -> None:
    other = tmp_path / "empty.json"
    assert complete(filmlog_exe, f"filmlog --db {other} show ") == []
    assert complete(filmlog_exe, "filmlog show ", db=other) == []


def test_a_damaged_or_missing_journal_completes_nothing(
    filmlog_exe: str, journal_path: Path, tmp_path: Path
) -> None:
    assert complete(filmlog_exe, "filmlog show ", db=tmp_path / "missing.json") == []
    journal_path.write_text('{"reviews": {"1": {"title": ', encoding="utf-8")
    assert complete(filmlog_exe, "filmlog show ") == []
    assert complete(filmlog_exe, "filmlog list --genre ") == []
