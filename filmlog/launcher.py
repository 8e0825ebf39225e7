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
    # One command, then exit: the journal's data holds no reference cycles, and the cyclic
    # collector would only walk the hundreds of thousands of objects a large journal makes
    # (a third of the time a large read takes). Turning it off before the imports also
    # spares it the thousands of objects they create. Only here, in the process's own
    # entry point: filmlog.cli.main and the library leave the collector alone.
    import gc

    gc.disable()
    from filmlog.cli import main as run
    from filmlog.cli.base import use_timezone

    failed = use_timezone(args)
    if failed is not None:
        return failed
    try:
        return run(args)
    finally:
        # Shutting down, the interpreter collects once more even with the collector off;
        # frozen, the objects of the journal just read are not walked one last time.
        gc.freeze()
