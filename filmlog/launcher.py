"""The console script: answers ``--version`` before loading the command line.

Loading Typer and every command costs several times what starting Python
does; a version check needs none of it.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Run filmlog with the process's arguments; returns the exit code."""
    args = sys.argv[1:]
    if args == ["--version"]:
        from filmlog import __version__

        print(f"filmlog {__version__}")
        return 0
    # The run keeps the cyclic collector off (see filmlog.cli.base.main); turning it off
    # before the imports also spares it walking the thousands of objects they create.
    import gc

    gc.disable()
    from filmlog.cli import main as run
    from filmlog.cli.base import use_timezone

    failed = use_timezone(args)
    return run(args) if failed is None else failed
