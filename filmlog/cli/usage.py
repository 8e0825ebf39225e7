"""Help and usage that read like a Unix tool's.

Typer names a value by its Python type (``<str>``, ``<int range>``) and a
required argument by its parameter name in braces (``{review_ids}``). Here
every value gets a name a person would use (TITLE, YEAR, DATE, STARS, ID),
in one table rather than on each of the options scattered over the command
modules, so an option added later gets a sensible name too (TEXT or N).
Global options may follow the command; they are moved in front of it.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.core import TyperArgument

# By the option's long name, or the argument's parameter name.
METAVARS = {
    "--db": "PATH", "--year": "YEAR", "--released": "DATE", "--released-in": "YEAR",
    "--watched-in": "YEAR",
    "--director": "NAME", "--cast": "'NAME as ROLE'", "--actor": "NAME", "--reviewer": "NAME",
    "--genre": "GENRE", "--tag": "TAG", "--mpaa": "RATING", "--runtime": "MINUTES",
    "--rating": "STARS", "--min-rating": "STARS", "--max-rating": "STARS",
    "--watched": "DATE", "--from": "DATE", "--to": "DATE", "--logged": "TIME",
    "--body-file": "FILE", "--output": "FILE", "--split": "FOLDER", "--title": "TITLE",
    "--limit": "N", "--top": "N",
    "title": "TITLE", "review_id": "ID", "review_ids": "ID", "stars": "STARS",
    "words": "WORDS", "path": "PATH", "key": "KEY", "value": "VALUE",
}  # fmt: skip
ID_PARAMETERS = ("review_id", "review_ids")

GLOBAL_FLAGS = ("--debug", "--no-pager")
GLOBAL_VALUES = ("--db",)


class Argument(TyperArgument):
    """A positional argument shown as ``ID``, ``[TITLE]`` or ``WORDS...``, as Unix tools do."""

    def make_metavar(self, ctx: Any, *, usage: bool = False) -> str:
        name = self.metavar or (self.name or "").upper()
        if self.nargs != 1:
            name += "..."
        return f"[{name}]" if usage and not self.required else name


def _review_id_type(base: Any) -> Any:
    """``base`` (click's integer type), failing as ``'Her' is not a review ID``."""

    class ReviewId(type(base)):  # type: ignore[misc]  # click's IntParamType, whichever click
        name = "id"

        def convert(self, value: Any, param: Any, ctx: Any) -> int:
            from filmlog.model import is_int

            if is_int(value):
                return value
            text = str(value).strip().removeprefix("#")  # summaries print "#12"
            if re.fullmatch(r"[0-9]{1,18}", text):
                return int(text)
            raise typer.BadParameter(f"{value!r} is not a review ID", ctx=ctx, param=param)

    return ReviewId()


def polish(command: Any) -> None:
    """Give ``command``'s values (and its subcommands') the names of :data:`METAVARS`."""
    for sub in getattr(command, "commands", {}).values():
        polish(sub)
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.__class__ = Argument  # same fields; only the way it is shown differs
            param.metavar = param.metavar or METAVARS.get(param.name or "")
            if param.name in ID_PARAMETERS:
                param.type = _review_id_type(param.type)
        elif not getattr(param, "is_flag", False) and param.metavar is None:
            long = next((o for o in param.opts if o.startswith("--")), "")
            choices = getattr(param.type, "choices", None)
            if long in METAVARS:
                param.metavar = METAVARS[long]
            elif choices:
                param.metavar = "[" + "|".join(str(c) for c in choices) + "]"
            else:
                param.metavar = "N" if param.type.name.startswith("integer") else "TEXT"


def summary(command: Any) -> str:
    """A command's first sentence, whole: the line it gets in its group's list."""
    if command.short_help:
        return str(command.short_help)
    paragraph = " ".join((command.help or "").split("\n\n")[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def hoist(args: list[str]) -> list[str]:
    """``args`` with the global options that follow the command moved in front of it."""
    moved: list[str] = []
    kept: list[str] = []
    words = iter(args)
    seen_command = False
    for word in words:
        if word == "--":
            kept.append(word)
            kept.extend(words)
            break
        if word in GLOBAL_VALUES:
            value = next(words, None)
            if value is None:  # left where it is, for click to say that the value is missing
                kept.append(word)
            else:
                (moved if seen_command else kept).extend([word, value])
        elif seen_command and (word in GLOBAL_FLAGS or word.split("=")[0] in GLOBAL_VALUES):
            moved.append(word)
        else:
            kept.append(word)
            seen_command = seen_command or not word.startswith("-")
    return moved + kept
