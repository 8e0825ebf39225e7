"""The config command: list, get, set and unset settings; say where the files are."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from filmlog import config
from filmlog.cli.base import HelpGroup, app, fail, info, out, state

KEY_NAMES = ", ".join(config.KEYS)

config_app = typer.Typer(
    cls=HelpGroup,
    name="config",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(
    config_app,
    name="config",
    help="Show or change settings: list, get, set, unset, path.",
)

KEY = Annotated[
    str, typer.Argument(metavar="KEY", help=f"One of: {KEY_NAMES}.", show_default=False)
]


def _known(key: str) -> str:
    if key not in config.KEYS:
        fail(f"unknown setting {key!r}; known: {KEY_NAMES}")
    return key


def journal_source(ctx: typer.Context) -> str:
    """Which setting chose the journal, in the order they take effect."""
    if state(ctx).db is not None:
        return "--db"
    if os.environ.get("FILMLOG_DB"):
        return "$FILMLOG_DB"
    if config.load().get("journal") is not None:
        return "config file"
    return "default"


@config_app.command("list")
def list_settings() -> None:
    """Show the settings in the config file.

    API keys and tokens are masked; unknown keys are reported on stderr.
    """
    found = config.load()
    for key in found.unknown():
        info(f"Warning: unknown setting {key!r} in {found.path} is ignored")
    settings = found.values()
    if not settings:
        info(f"No settings in {found.path}. Set one with: filmlog config set KEY VALUE")
        return
    for key in config.KEYS:
        if key in settings:
            out(f"{key} = {config.mask(key, settings[key])}")


@config_app.command("get")
def get_setting(key: KEY) -> None:
    """Print one setting's value.

    Secrets are printed in full, for scripts; exit status 1 when it is not set.
    """
    value = config.load().get(_known(key))
    if value is None:
        fail(f"{key} is not set")
    out(str(value))


@config_app.command("set")
def set_setting(
    key: KEY,
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")],
) -> None:
    """Save a setting in the config file.

    The value is checked first: a bad one changes nothing.
    """
    saved = config.set_value(_known(key), value)
    out(f"Set {key} = {config.mask(key, saved)} in {config.config_path()}")


@config_app.command("unset")
def unset_setting(key: KEY) -> None:
    """Remove a setting, so its default applies again."""
    if config.unset(_known(key)):
        out(f"Removed {key} from {config.config_path()}")
    else:
        info(f"{key} was not set; nothing changed")


@config_app.command("path")
def show_paths(ctx: typer.Context) -> None:
    """Show where the config file and the journal are."""
    where = config.config_path()
    note = "" if where.exists() else " (not created yet)"
    out(f"Config file: {where}{note}")
    out(f"Journal: {state(ctx).journal_path()} (from {journal_source(ctx)})")
