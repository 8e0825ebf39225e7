"""Keeping one journal on several machines: ``sync`` through git, and git's ``merge-driver``."""

from __future__ import annotations

from typing import Annotated

import typer

from filmlog.cli.base import app, fail, info, journal, out
from filmlog.errors import ExitCode


@app.command()
def sync(
    ctx: typer.Context,
    remote: Annotated[
        str | None,
        typer.Argument(
            help="With --init: the git remote to sync with (URL or path).", show_default=False
        ),
    ] = None,
    init: Annotated[
        bool,
        typer.Option(
            "--init",
            help="Make the journal's folder a git repository set up for filmlog (once per clone).",
        ),
    ] = False,
) -> None:
    """Commit the journal's changes, merge the other machines' (by UUID) and push, with git."""
    from filmlog import gitsync

    if remote is not None and not init:
        fail("a remote is given with --init: filmlog sync --init REMOTE", ExitCode.USAGE)
    store = journal(ctx)
    outcome = gitsync.init(store, remote) if init else gitsync.sync(store)
    for line in outcome.lines:
        out(line)
    for warning in outcome.warnings:
        info(f"Warning: {warning}")
    if not outcome.lines and not outcome.warnings:
        out("Nothing to sync: the journal and the remote are the same")


@app.command("merge-driver")
def merge_driver(
    base: Annotated[str, typer.Argument(help="The common version (git's %O).")],
    ours: Annotated[str, typer.Argument(help="This side's version, replaced by the result (%A).")],
    theirs: Annotated[str, typer.Argument(help="The other side's version (%B).")],
) -> None:
    """Merge three versions of a journal file by UUID into OURS: git's merge driver for filmlog."""
    from pathlib import Path

    from filmlog import gitsync

    merged = gitsync.merge_files(Path(base), Path(ours), Path(theirs))
    for line in merged.notices:
        info(f"filmlog merge: {line}")
