"""filmlog: a command-line film review journal."""

__version__ = "0.1.0"
