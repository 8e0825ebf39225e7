"""Prompts: line editing in a real terminal, add -i and edit -i, and edits that change nothing."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import Result

from filmlog.backups import list_backups
from tests.terminal import Terminal

Invoke = Callable[..., Result]
LEFT, UP, BACKSPACE = "\x1b[D", "\x1b[A", "\x7f"


def terminal(filmlog_exe: str, *args: str) -> Terminal:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return Terminal([filmlog_exe, *args], {**env, "TERM": "xterm"})


def stored(cli: Invoke, review_id: int = 1) -> dict[str, object]:
    result = cli("show", str(review_id), "--json")
    assert result.exit_code == 0, result.stderr
    review: dict[str, object] = json.loads(result.stdout)[0]
    return review


def today() -> set[str]:
    """Today where the tests run filmlog (either side of a midnight passing meanwhile)."""
    zone = ZoneInfo(os.environ["TZ"])
    return {datetime.now(zone).date().isoformat()}


def test_add_interactive_edits_lines_asks_the_title_and_takes_a_body(
    filmlog_exe: str, cli: Invoke
) -> None:
    expected_days = today()
    screen = terminal(filmlog_exe, "add", "-i")
    screen.expect("Title: ")
    screen.type("Her\r")
    screen.expect("Year of release: ")
    screen.type("2013\r")
    screen.expect("[today]: ")
    screen.type("\r")  # Enter: today
    screen.expect("Rating")
    screen.type(f"x4{LEFT}{BACKSPACE}\r")  # the arrow moves back over the 4; x is deleted
    screen.expect("Genres")
    screen.type("Romance\r")
    screen.expect("Directors")
    screen.type("Spike Jonze\r")
    screen.expect("Verdict")
    screen.type("Good\r")
    screen.expect("Headline: ")
    screen.type(f"{UP} film\r")  # history: the previous answer, then more
    screen.expect("editor? [Y/n]")
    screen.type("n\r")
    screen.expect("Review text")
    screen.type("A quiet film about letters.\r")
    finished = screen.finish()
    expected_days |= today()

    assert finished.status == 0, finished.output
    assert "invalid rating" not in finished.output
    review = stored(cli)
    assert review["title"] == "Her"
    assert review["year"] == 2013
    assert review["watched_on"] in expected_days
    assert review["rating"] == 4.0
    assert review["genres"] == ["Romance"]
    assert review["verdict"] == "Good"
    assert review["headline"] == "Good film"
    assert review["body"] == "A quiet film about letters."


def test_ctrl_c_at_a_prompt_exits_130_and_saves_nothing(
    filmlog_exe: str, journal_path: Path
) -> None:
    screen = terminal(filmlog_exe, "add", "Her", "-i")
    screen.expect("Year of release: ")
    screen.type("2013\r")
    screen.expect("[today]: ")
    assert screen.interrupt().status == 130
    assert not journal_path.exists()


def test_end_of_input_at_a_prompt_keeps_the_answers(filmlog_exe: str, cli: Invoke) -> None:
    screen = terminal(filmlog_exe, "add", "Her", "-i")
    screen.expect("Year of release: ")
    screen.type("2013\r")
    screen.expect("[today]: ")
    screen.type("\r")
    screen.expect("Rating")
    screen.type("\x04")  # Ctrl-D on an empty line

    finished = screen.finish()
    assert finished.status == 0, finished.output
    review = stored(cli)
    assert review["year"] == 2013 and review["rating"] is None


def test_edit_interactive_starts_each_answer_at_the_current_value(
    filmlog_exe: str, cli: Invoke
) -> None:
    added = cli("add", "Her", "--year", "2013", "--rating", "4", "--headline", "Love")
    assert added.exit_code == 0
    screen = terminal(filmlog_exe, "edit", "1", "-i")
    screen.expect("Title: ")
    screen.type("\r")
    screen.expect("Year of release: ")
    screen.type("\r")
    screen.expect("Watched")
    screen.type("\r")
    screen.expect("Rating")
    screen.type(f"{BACKSPACE}5\r")  # the line held 4
    for question in ("Genres", "Directors", "Verdict"):
        screen.expect(question)
        screen.type("\r")
    screen.expect("Headline: ")
    screen.type(" in the future\r")
    screen.expect("editor? [y/N]")
    screen.type("\r")
    finished = screen.finish()

    assert finished.status == 0, finished.output
    review = stored(cli)
    assert (review["title"], review["year"], review["rating"]) == ("Her", 2013, 5.0)
    assert review["headline"] == "Love in the future"


def test_edit_interactive_without_a_terminal(cli: Invoke) -> None:
    added = cli("add", "Her", "--year", "2013", "--verdict", "Good", "--genre", "Drama")
    assert added.exit_code == 0

    # Enter keeps a value, '-' clears it, anything else replaces it.
    answers = "\n2014\n\n\n-\nSpike Jonze\n\nNew headline\nn\n"
    result = cli("edit", "1", "-i", input=answers)

    assert result.exit_code == 0, result.stderr
    assert "Year of release [2013]: " in result.stderr
    review = stored(cli)
    assert review["year"] == 2014
    assert review["genres"] == []
    assert review["directors"] == ["Spike Jonze"]
    assert review["verdict"] == "Good"
    assert review["headline"] == "New headline"


def test_add_without_a_title_asks_for_one_only_with_i(cli: Invoke) -> None:
    result = cli("add")
    assert result.exit_code == 2
    assert "give the film's title" in result.stderr

    result = cli("add", "-i", input="\nHer\n")
    assert result.exit_code == 0, result.stderr
    assert "the title must not be empty" in result.stderr
    assert stored(cli)["title"] == "Her"


def test_piped_answers_never_store_escape_sequences(cli: Invoke) -> None:
    answers = f"2013\n\n4\nDrama{LEFT}\n\nGood\x1b[C\nHead\x07line\nn\n\n"
    result = cli("add", "Her", "-i", input=answers)

    assert result.exit_code == 0, result.stderr
    review = stored(cli)
    assert review["genres"] == ["Drama"]
    assert review["verdict"] == "Good"
    assert review["headline"] == "Headline"


def editor_that_saves(tmp_path: Path, change: str) -> str:
    """An editor that saves the file with ``change`` appended (a newline: as vim's :wq does)."""
    script = tmp_path / "editor.py"
    script.write_text(
        f"import sys\nopen(sys.argv[1], 'a', encoding='utf-8').write({change!r})\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


@pytest.mark.parametrize("change", ["", "\n"], ids=["untouched", "saved-with-newline"])
def test_an_editor_left_unchanged_writes_no_new_version(
    cli: Invoke, tmp_path: Path, journal_path: Path, change: str
) -> None:
    assert cli("add", "Her", "--body", "A quiet film.").exit_code == 0
    assert cli("add", "Arrival").exit_code == 0  # a change, so that a backup exists
    before = journal_path.read_bytes()
    kept = list_backups(journal_path)
    assert kept

    result = cli("edit", "1", "--editor", env={"EDITOR": editor_that_saves(tmp_path, change)})

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("No changes to #1 Her")
    assert journal_path.read_bytes() == before
    assert list_backups(journal_path) == kept


def test_an_edit_to_the_same_value_writes_no_new_version(cli: Invoke, journal_path: Path) -> None:
    assert cli("add", "Her", "--rating", "4").exit_code == 0
    before = journal_path.read_bytes()

    result = cli("edit", "1", "--rating", "4")

    assert result.exit_code == 0
    assert result.stdout.startswith("No changes to #1 Her")
    assert journal_path.read_bytes() == before
