"""The Typer application: global options, the two consoles and the one error boundary.

Only the CLI knows Typer. Commands live in sibling modules, one per area, and
register themselves on :data:`app` when imported; this module keeps what they
all share, and :func:`main` imports only the area of the command it runs.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from filmlog import __version__
from filmlog.errors import ExitCode, FilmlogError, InvalidInput
from filmlog.safe import clean, clean_line

if TYPE_CHECKING:
    from rich.console import Console

    from filmlog.model import Review
    from filmlog.storage import Journal


# Every command with the module that defines it, in the order of --help: the everyday
# commands first, then looking back, moving data, upkeep.
COMMANDS = {
    "add": "reviews", "edit": "reviews", "rate": "reviews", "delete": "reviews",
    "show": "reviews", "list": "reviews", "search": "reviews", "watchlist": "watchlist",
    "stats": "insight", "history": "insight",
    "import": "transfer", "export": "transfer", "enrich": "facts_cmd",
    "doctor": "maintenance", "undo": "maintenance", "init": "maintenance",
    "config": "settings", "sync": "sync", "merge-driver": "sync",
}  # fmt: skip
COMMAND_ORDER = tuple(COMMANDS)


class HelpGroup(TyperGroup):
    """A group whose --help lists each command with its whole first sentence."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        from filmlog.cli.usage import summary

        rows = [
            (name, summary(command))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class FilmlogGroup(HelpGroup):
    """The error boundary: a FilmlogError becomes one line on stderr and its exit code.

    Its commands' values are named as a person would name them (see
    :mod:`filmlog.cli.usage`), and global options may follow the command.
    """

    def __init__(self, **attrs: Any) -> None:
        from filmlog.cli.usage import polish

        super().__init__(**attrs)
        polish(self)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from filmlog.cli.usage import hoist

        return list(super().parse_args(ctx, hoist(args)))

    def list_commands(self, ctx: Any) -> list[str]:
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(super().list_commands(ctx), key=lambda name: rank.get(name, len(rank)))

    def invoke(self, ctx: Any) -> Any:  # Any: Typer types it with its private Context
        try:
            result = super().invoke(ctx)
        except FilmlogError as exc:
            if state(ctx).debug:
                traceback.print_exc()
            error(str(exc) + _repair_hint(exc))
            raise typer.Exit(exc.exit_code) from None
        opened = ctx.obj.opened if isinstance(ctx.obj, State) else None
        for leftover in opened.removed if opened is not None else ():
            info(f"Removed a temporary file left by an interrupted write: {leftover}")
        return result


def _repair_hint(exc: FilmlogError) -> str:
    """For a damaged journal, the command that restores the newest good backup."""
    from filmlog.errors import CorruptJournal

    if not isinstance(exc, CorruptJournal) or exc.backups is None or exc.journal is None:
        return ""
    from filmlog.storage import default_path

    command = "filmlog doctor --repair"
    if os.path.realpath(default_path()) != os.path.realpath(exc.journal):
        import shlex

        command = f"filmlog --db {shlex.quote(str(exc.journal))} doctor --repair"
    if not exc.backups:
        return f" for {command} to restore"
    return f"; restore the newest good one with: {command}"


app = typer.Typer(
    cls=FilmlogGroup,
    name="filmlog",
    help="A film review journal: log what you watch, search it, read it back, take it anywhere.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    """What the global options decided, kept on the Typer context for the commands."""

    # A plain class, not a dataclass: making one costs every command most of a millisecond.
    __slots__ = ("db", "debug", "no_pager", "opened")

    def __init__(
        self,
        db: Path | None = None,
        debug: bool | None = None,
        no_pager: bool = False,
        opened: Journal | None = None,
    ) -> None:
        self.db = db
        # Kept here, not in os.environ, so that it never reaches a child process (the editor).
        self.debug = debug_enabled() if debug is None else debug
        self.no_pager = no_pager
        self.opened = opened

    def journal_path(self) -> Path:
        """``--db``, else :func:`filmlog.storage.default_path`."""
        from filmlog.storage import default_path

        return self.db or default_path()

    def journal(self) -> Journal:
        """The journal of this invocation (one object, so that it can report what a write did)."""
        if self.opened is None:
            from filmlog.storage import Journal

            self.opened = Journal(self.journal_path())
        return self.opened


def state(ctx: typer.Context) -> State:
    """The :class:`State` for this invocation."""
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def journal(ctx: typer.Context) -> Journal:
    """The journal this invocation reads and writes."""
    return state(ctx).journal()


def debug_enabled(args: list[str] | None = None) -> bool:
    """True when ``FILMLOG_DEBUG`` is set, or ``args`` hold ``--debug``: show tracebacks."""
    return bool(os.environ.get("FILMLOG_DEBUG")) or "--debug" in (args or ())


def _version(value: bool) -> None:
    if value:
        typer.echo(f"filmlog {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Journal file to use. Default: $FILMLOG_DB, the config's journal, else the user "
            "data folder.",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback when something fails.")
    ] = False,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never send long output through a pager.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show filmlog's version and exit.",
        ),
    ] = False,
) -> None:
    """A film review journal: log what you watch, search it, read it back, take it anywhere."""
    if debug:
        state(ctx).debug = True
    # Taken as text, not Typer's path type, which fails on undecodable bytes in a name.
    state(ctx).db = Path(db).expanduser() if db else None
    state(ctx).no_pager = no_pager


def _use_colour(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def error(message: str) -> None:
    """One line on stderr: ``Error: ...`` (red on a colour terminal)."""
    prefix = "Error:"
    if _use_colour(sys.stderr):
        prefix = typer.style(prefix, fg="red", bold=True)
    typer.echo(f"{prefix} {clean_line(message)}", err=True)


def info(message: str) -> None:
    """A message for the person, not for a pipe: to stderr."""
    typer.echo(clean(message), err=True)


def nothing_found(total: int) -> None:
    """Say why nothing is shown: no review matched, or the journal has none yet."""
    info("No reviews match." if total else "No reviews yet. Log one with: filmlog add TITLE")


def out(message: str) -> None:
    """A one-line result on stdout, without Rich."""
    typer.echo(clean(message))


def fail(message: str, code: ExitCode = ExitCode.ERROR) -> NoReturn:
    """Stop with one line on stderr."""
    error(message)
    raise typer.Exit(code)


class EndOfInput(FilmlogError):
    """Standard input ended before a question was answered."""


# What a terminal may send that is not text: escape sequences (arrow keys where
# no line editor read them) and other control characters. Never stored.
_KEYS = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|O.|.)?|[\x00-\x08\x0a-\x1f\x7f]")


def _line_editing() -> bool:
    """True when a person types at a terminal, so that input() can edit lines."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


def _edit_line(prompt: str, prefill: str) -> str:
    """input() with readline: arrow keys move, history recalls, ``prefill`` starts the line."""
    try:
        import readline
    except ImportError:  # Windows: the console edits the line itself
        return input(prompt)
    if prefill:
        readline.set_startup_hook(lambda: readline.insert_text(prefill))
    try:
        return input(prompt)
    finally:
        readline.set_startup_hook()


def ask(question: str, default: str = "", *, prefill: str = "") -> str:
    """Read one answer from stdin; Ctrl-C exits 130.

    At a terminal the line is read with readline, so arrow keys edit it, and
    ``prefill`` is put on the line to edit; elsewhere ``prefill`` is shown in
    brackets. No answer takes ``prefill``, else ``default``. The question goes
    to stderr unless a terminal shows it (readline writes it to stdout).

    Typer's prompt turns both Ctrl-C and end of input into one Abort; they
    mean different things, so filmlog asks for itself. End of input raises
    :class:`EndOfInput`, so that no loop can keep asking a closed stream.
    """
    try:
        if _line_editing():
            answer = _edit_line(f"{question}: ", prefill)
        else:
            shown = f" [{prefill}]" if prefill else ""
            typer.echo(f"{question}{shown}: ", err=True, nl=False)
            answer = input()
    except EOFError:
        typer.echo(err=True)
        raise EndOfInput("standard input ended before the question was answered") from None
    except UnicodeDecodeError:
        typer.echo(err=True)
        raise InvalidInput("the answer is not UTF-8 text") from None
    except KeyboardInterrupt:
        typer.echo(err=True)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    return _KEYS.sub("", answer).strip() or prefill or default


def confirm(question: str, *, default: bool = False, at_end: bool | None = None) -> bool:
    """Ask a yes/no question; no answer takes ``default``, and so does end of input unless
    ``at_end`` says otherwise. Ctrl-C exits 130."""
    while True:
        try:
            answer = ask(f"{question} [{'Y/n' if default else 'y/N'}]").lower()
        except EndOfInput:
            return default if at_end is None else at_end
        if not answer:
            return default
        if answer in ("y", "yes", "n", "no"):
            return answer.startswith("y")
        info("Please answer y or n.")


def console() -> Console:
    """The stdout console for results. Markup and emoji codes are off: all text is data."""
    from rich.console import Console

    return Console(highlight=False, markup=False, emoji=False)


def print_view(renderable: Any) -> None:
    """Print a Rich renderable on stdout. Into a pipe or a file, lines lose the spaces that
    pad them to the width and the output starts at its first line of text."""
    screen = console()
    if screen.is_terminal:
        screen.print(renderable)
        return
    with screen.capture() as captured:
        screen.print(renderable)
    lines = [line.rstrip() for line in captured.get().splitlines()]
    while lines and not lines[0]:
        del lines[0]
    typer.echo("\n".join(lines))


def summary(review: Review) -> str:
    """One line naming a review: ``#12 Her (2013) ★★★★☆ watched 2024-04-12``."""
    from filmlog.parsing import format_stars

    parts = [f"#{review.id}", review.display_title]
    if review.rating is not None:
        parts.append(format_stars(review.rating))
    if review.watched_on:
        parts.append(f"watched {review.watched_on.isoformat()}")
    return " ".join(parts)


def print_json(data: object) -> None:
    """Pretty JSON on stdout, for scripts; on a terminal, control characters stay escaped."""
    import orjson

    text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
    isatty = getattr(sys.stdout, "isatty", None)
    if isatty is not None and isatty():
        from filmlog.safe import json_for_terminal

        text = json_for_terminal(text)
    typer.echo(text)


def load_commands(name: str | None = None) -> typer.Typer:
    """Register the command ``name`` (with the rest of its module), or every command; the app."""
    areas = [COMMANDS[name]] if name in COMMANDS else sorted(set(COMMANDS.values()))
    for area in areas:
        __import__(f"filmlog.cli.{area}")  # not importlib's: -X importtime sees only this path
    return app


def requested_command(args: list[str]) -> str | None:
    """The command a command line names: its first word that is not a global option."""
    words = iter(args)
    for word in words:
        if word == "--db":
            next(words, None)
        elif word == "--":
            return next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _command_name(info: Any) -> str:  # Any: Typer's CommandInfo is not public
    """The name Typer gives a registered command (its own rule, for a name not given)."""
    from typer.main import get_command_name

    return str(info.name or get_command_name(info.callback.__name__))


def use_timezone(args: list[str]) -> int | None:
    """Make the configured time zone this process's local zone; an exit code if it cannot.

    Setting ``TZ`` reaches every "today" and local time at once (dates typed,
    timestamps logged and shown, imports). It changes the whole process, so
    only the console script calls this, before :func:`main`. Where the
    platform cannot change zones (Windows), the system's zone stays.
    """
    import time

    from filmlog.config import timezone

    try:
        zone = timezone()
    except FilmlogError as exc:
        # A broken config file must not lock out the command that mends it, or --help.
        if requested_command(args) in (None, "config"):
            return None
        error(str(exc))
        return exc.exit_code
    if zone and hasattr(time, "tzset") and os.environ.get("TZ") != zone:
        os.environ["TZ"] = zone
        time.tzset()
    return None


def main(argv: list[str] | None = None) -> int:
    """The console script: run the app, turning an unexpected crash into one line.

    Only the command being run is loaded and built: importing every command's
    module and building Typer's parser for all of them would cost more than
    reading a thousand reviews. ``--help``, shell completion and an unknown
    name get every command.
    """
    args = sys.argv[1:] if argv is None else argv
    # Decided before Typer parses anything, so that a crash while it does is explained too.
    run = State(debug=debug_enabled(args))
    name = None if os.environ.get("_FILMLOG_COMPLETE") else requested_command(args)
    load_commands(name)
    everything = app.registered_commands
    if name in COMMANDS:
        app.registered_commands = [c for c in everything if _command_name(c) == name]
    try:
        app(args=args, prog_name="filmlog", obj=run)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except Exception as exc:
        if run.debug:
            raise
        error(
            f"unexpected {type(exc).__name__}: {exc} "
            "(this is a bug in filmlog; run again with --debug for the traceback)"
        )
        return ExitCode.INTERNAL
    finally:
        app.registered_commands = everything
    return ExitCode.OK
