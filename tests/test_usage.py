"""Help that reads like a Unix tool's: value names, errors, global options anywhere, summaries."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import Result

from filmlog.cli import app, main
from filmlog.cli.base import load_commands
from filmlog.cli.usage import hoist

Invoke = Callable[..., Result]


def help_of(cli: Invoke, *command: str) -> str:
    result = cli(*command, "--help", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("add",), ["Usage: filmlog add [OPTIONS] [TITLE]", "--year YEAR", "--watched DATE",
                    "--rating STARS", "--runtime MINUTES", "--body-file FILE", "--body TEXT"]),
        (("edit",), ["Usage: filmlog edit [OPTIONS] ID", "--title TITLE"]),
        (("rate",), ["Usage: filmlog rate [OPTIONS] ID STARS"]),
        (("delete",), ["Usage: filmlog delete [OPTIONS] ID..."]),
        (("show",), ["Usage: filmlog show [OPTIONS] ID..."]),
        (("search",), ["[WORDS...]", "--from DATE", "--min-rating STARS", "--limit N"]),
        (("history",), ["Usage: filmlog history [OPTIONS] TITLE"]),
        (("export",), ["--output FILE"]),
        (("config", "set"), ["Usage: filmlog config set [OPTIONS] KEY VALUE"]),
    ],
)  # fmt: skip
def test_values_have_names_people_use(
    cli: Invoke, command: tuple[str, ...], expected: list[str]
) -> None:
    text = help_of(cli, *command)

    for piece in expected:
        assert piece in text
    assert not re.search(r"<(str|int|float|int range)>|\{[a-z_]+\}", text), text


def test_no_command_summary_is_cut_mid_sentence(cli: Invoke) -> None:
    load_commands()
    group = typer.main.get_command(app)
    text = " ".join(help_of(cli).split())

    assert "..." not in text.split("Commands:")[1]
    for name, command in group.commands.items():  # type: ignore[attr-defined]  # a group
        first = " ".join((command.help or "").split("\n\n")[0].split()).split(". ")[0]
        assert first.rstrip(".") in text, name


def test_errors_name_the_argument_as_help_does(cli: Invoke) -> None:
    result = cli("show", "Her")

    assert result.exit_code == 2
    assert "Error: Invalid value for 'ID': 'Her' is not a review ID" in result.stderr


def test_a_review_id_may_be_written_as_summaries_print_it(cli: Invoke) -> None:
    assert cli("add", "Her").exit_code == 0

    assert cli("rate", "#1", "4").exit_code == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["list", "--db", "x", "-n", "2"], ["--db", "x", "list", "-n", "2"]),
        (["--db", "y", "show", "1", "--no-pager"], ["--no-pager", "--db", "y", "show", "1"]),
        (["show", "1", "--db=z", "--debug"], ["--db=z", "--debug", "show", "1"]),
        (["list", "-n", "1", "--db"], ["list", "-n", "1", "--db"]),
        (["search", "--", "--debug"], ["search", "--", "--debug"]),
    ],
)
def test_global_options_after_the_command_move_in_front(
    args: list[str], expected: list[str]
) -> None:
    assert hoist(args) == expected


def test_global_options_are_accepted_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "elsewhere.json"

    assert main(["add", "Her", "--db", str(journal)]) == 0
    assert journal.exists()
    assert main(["list", f"--db={journal}", "--no-pager"]) == 0
    assert "Her" in capsys.readouterr().out
