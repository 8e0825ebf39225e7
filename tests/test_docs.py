"""The README stays true: every command documented, its opening commands the real ones."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import typer

from filmlog.cli import app
from filmlog.model import JSON_KEYS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
CI = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")


def command_names() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]  # a Typer group


def test_every_command_is_in_the_readme_and_has_help() -> None:
    group = typer.main.get_command(app)
    names = command_names()
    assert {"add", "edit", "rate", "delete", "show", "list", "search"} <= set(names)
    for name in names:
        assert f"filmlog {name}" in README, f"README does not mention `filmlog {name}`"
        command = group.commands[name]  # type: ignore[attr-defined]
        assert command.help and command.help.strip(), f"{name} has no docstring"


def test_every_json_key_is_documented() -> None:
    table = README[README.index("### JSON output") :]
    for key in JSON_KEYS:
        assert f"`{key}`" in table, key


def test_readme_opens_with_install_and_test_commands_that_ci_runs() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    install, tests = blocks[0], blocks[1]
    assert "pip install ." in install and "filmlog add" in install
    assert "pip install -e '.[test]'" in tests
    test_command = tests.split("&&")[-1].strip()
    assert test_command == "python -m pytest -q -n auto"
    assert "pip install --quiet -e '.[test]'" in CI
    assert re.search(rf"^{re.escape(test_command)}$", CI, flags=re.M)
    shlex.split(install)  # the command must at least parse as shell words


def test_help_lists_the_everyday_commands_first() -> None:
    from filmlog.cli.base import COMMAND_ORDER

    assert set(command_names()) == set(COMMAND_ORDER)
    group = typer.main.get_command(app)
    listed = group.list_commands(typer.Context(group))  # type: ignore[attr-defined]
    assert listed == list(COMMAND_ORDER)


def test_every_watchlist_command_and_json_key_is_documented() -> None:
    from filmlog.cli.watchlist import watchlist_app
    from filmlog.watchlist import JSON_KEYS as WATCHLIST_KEYS

    group = typer.main.get_command(watchlist_app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert f"filmlog watchlist {name}" in README, name
        assert command.help and command.help.strip(), f"watchlist {name} has no docstring"
    table = README[README.index("## The watchlist") :]
    for key in WATCHLIST_KEYS:
        assert f"`{key}`" in table, key
