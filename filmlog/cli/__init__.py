"""The command line.

Commands live in one module per area (:mod:`~filmlog.cli.reviews`,
:mod:`~filmlog.cli.insight`, :mod:`~filmlog.cli.transfer`,
:mod:`~filmlog.cli.maintenance`) and register themselves on the Typer app of
:mod:`filmlog.cli.base` when imported. :func:`main` imports only the module of
the command it runs; ``app`` here is the app with every command, for tests and
for embedding filmlog in another program.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from filmlog.cli.base import main

if TYPE_CHECKING:
    import typer

    app: typer.Typer

__all__ = ["app", "main"]


def __getattr__(name: str) -> object:
    if name == "app":
        from filmlog.cli.base import load_commands

        return load_commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
