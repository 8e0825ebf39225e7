"""Loading one command's module: the map from command to module, and finding the command."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command_name

from filmlog.cli import app, main
from filmlog.cli.base import COMMANDS, requested_command


def test_every_command_is_mapped_to_the_module_that_defines_it() -> None:
    defined = {
        info.name or get_command_name(info.callback.__name__): info.callback.__module__
        for info in app.registered_commands
    }
    for group in app.registered_groups:  # a command with subcommands, such as config
        first = group.typer_instance.registered_commands[0]
        defined[group.name] = first.callback.__module__

    assert defined == {name: f"filmlog.cli.{area}" for name, area in COMMANDS.items()}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["list"], "list"),
        (["--db", "list", "show", "3"], "show"),
        (["--db=journal.json", "--debug", "search", "list"], "search"),
        (["--", "stats"], "stats"),
        (["--help"], None),
        (["--db"], None),
        ([], None),
        (["lst"], "lst"),
    ],
)
def test_the_requested_command_skips_global_options(args: list[str], expected: str | None) -> None:
    assert requested_command(args) == expected


def test_main_runs_the_named_command_and_restores_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = list(app.registered_commands)
    journal = f"{tmp_path}/journal.json"

    assert main(["--db", journal, "add", "Arrival", "--rating", "4"]) == 0
    assert main(["--db", journal, "list"]) == 0
    assert main(["--db", journal, "lst"]) == 2

    assert app.registered_commands == before
    captured = capsys.readouterr()
    added, *table = captured.out.splitlines()
    assert added.startswith("Added #1 Arrival")
    assert any("Arrival" in line and "★★★★☆" in line for line in table)
    assert "No such command 'lst'" in captured.err


def test_ctrl_c_during_a_command_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmlog.storage import Journal

    def interrupted(*args: object, **options: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Journal, "browse", interrupted)

    assert main(["--db", str(tmp_path / "journal.json"), "list"]) == 130
    assert "Aborted" not in capsys.readouterr().err
