"""The command-line interface. Importing this package registers every command on ``app``."""

from filmlog.cli import (
    insight,  # noqa: F401 - registers the commands
    maintenance,  # noqa: F401 - registers the commands
    reviews,  # noqa: F401 - registers the commands
    transfer,  # noqa: F401 - registers the commands
)
from filmlog.cli.app import app, main

__all__ = ["app", "main"]
