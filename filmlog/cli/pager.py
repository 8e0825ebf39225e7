"""Long output through a pager, as git does it.

Output goes to the pager only when stdout is a terminal and the output is
taller than the screen; a pipe, ``--no-pager`` or a short result print
directly. The pager is ``$FILMLOG_PAGER``, the config's ``pager``, ``$PAGER``,
else ``less -FRX``; an empty one (or ``cat``) means none. The output is
rendered first, with the terminal's colours and width, and handed over whole.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import typer

from filmlog.cli.base import console, print_view, state

if TYPE_CHECKING:
    from rich.console import RenderableType

DEFAULT = "less -FRX"


def pager_command() -> str | None:
    """The pager to run, or None when the settings ask for none."""
    command = os.environ.get("FILMLOG_PAGER")
    if command is None:
        from filmlog import config

        configured = config.load().get("pager")
        command = configured if configured is not None else os.environ.get("PAGER", DEFAULT)
    command = command.strip()
    return None if command in ("", "cat") else command


def page(ctx: typer.Context, renderable: RenderableType) -> None:
    """Print ``renderable`` on stdout, through the pager when it does not fit the screen."""
    screen = console()
    command = None
    if not state(ctx).no_pager and sys.stdout.isatty():
        command = pager_command()
    if command is None:
        print_view(renderable)
        return
    with screen.capture() as captured:
        screen.print(renderable)
    text = captured.get()
    # One line is kept for the shell prompt that follows, as less -F does.
    if text.count("\n") < screen.size.height or not _run(command, text):
        sys.stdout.write(text)
        sys.stdout.flush()


def _run(command: str, text: str) -> bool:
    """Hand ``text`` to the pager and wait for it; False when it cannot start."""
    import shlex
    import signal
    import subprocess

    try:
        words = shlex.split(command, posix=os.name != "nt")
    except ValueError:
        return False
    env = dict(os.environ)
    # As git does: less keeps colours (R), quits when it all fits (F), leaves the screen (X).
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    sys.stdout.flush()
    try:
        process = subprocess.Popen(words, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    assert process.stdin is not None  # stdin=PIPE
    # Ctrl-C belongs to the pager (less uses it to stop a search); filmlog waits for it to end.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        try:
            process.stdin.write(text.encode(sys.stdout.encoding or "utf-8", "replace"))
            process.stdin.close()
        except OSError:  # the reader quit before reading everything (BrokenPipeError)
            pass
        process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return True
