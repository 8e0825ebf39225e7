"""Options shared between commands, declared once.

``add`` and ``edit`` take the same twenty field options; ``list``, ``search``,
``export`` and ``stats`` take the same filters. Rather than repeat them in
every signature, :func:`review_options` and :func:`filter_options` add them
to a command's signature (Typer reads ``__signature__``) and hand the command
one parsed object instead.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from filmlog.cli import completion
from filmlog.errors import InvalidInput
from filmlog.query import Filters

if TYPE_CHECKING:
    from filmlog.entry import ReviewInput

F = TypeVar("F", bound=Callable[..., Any])

Text = str | None
Many = list[str] | None
Flag = bool | None

REVIEW_PANEL = "Review fields"
FILTER_PANEL = "Filters"


def _opt(names: str, help: str, panel: str, **extra: Any) -> Any:
    return typer.Option(
        *names.split(), help=help, rich_help_panel=panel, show_default=False, **extra
    )


REVIEW_FIELDS: dict[str, Any] = {
    "year": Annotated[Text, _opt("--year", "Year of the film's release, e.g. 2013.", REVIEW_PANEL)],
    "released": Annotated[
        Text, _opt("--released", "Release date, e.g. 'December 18, 2013'.", REVIEW_PANEL)
    ],
    "directors": Annotated[
        Many,
        _opt(
            "--director",
            "Director (repeatable, or comma-separated).",
            REVIEW_PANEL,
            autocompletion=completion.directors,
        ),
    ],
    "cast": Annotated[
        Many,
        _opt(
            "--cast",
            "Cast member: 'Joaquin Phoenix as Theodore' (repeatable, or comma-separated).",
            REVIEW_PANEL,
        ),
    ],
    "genres": Annotated[
        Many,
        _opt(
            "--genre",
            "Genre (repeatable, or comma-separated).",
            REVIEW_PANEL,
            autocompletion=completion.genres,
        ),
    ],
    "mpaa": Annotated[Text, _opt("--mpaa", "G, PG, PG-13, R, NC-17 or NR.", REVIEW_PANEL)],
    "runtime": Annotated[Text, _opt("--runtime", "Runtime: 126, 126m, '2h 6m'.", REVIEW_PANEL)],
    "rating": Annotated[
        Text, _opt("--rating", "Stars: 4, 3.5, 3½, ★★★½, 4/5 or 7/10.", REVIEW_PANEL)
    ],
    "verdict": Annotated[Text, _opt("--verdict", "A word or phrase, e.g. 'Good'.", REVIEW_PANEL)],
    "headline": Annotated[Text, _opt("--headline", "The review's headline.", REVIEW_PANEL)],
    "body": Annotated[Text, _opt("--body", "The review text (Markdown).", REVIEW_PANEL)],
    "body_file": Annotated[
        Text, _opt("--body-file", "Read the review text from a file ('-' for stdin).", REVIEW_PANEL)
    ],
    "editor": Annotated[
        bool, _opt("--editor", "Write the review text in $VISUAL or $EDITOR.", REVIEW_PANEL)
    ],
    "watched": Annotated[
        Text,
        _opt(
            "--watched",
            "When you watched it: a date, today, yesterday, '3 days ago', friday.",
            REVIEW_PANEL,
        ),
    ],
    "logged": Annotated[
        Text,
        _opt(
            "--logged",
            "When the review was written, e.g. '04/13/24 1:21 AM Mountain Time'.",
            REVIEW_PANEL,
        ),
    ],
    "reviewer": Annotated[
        Text,
        _opt(
            "--reviewer",
            "Who wrote it. Default: $FILMLOG_REVIEWER, else the config's reviewer.",
            REVIEW_PANEL,
        ),
    ],
    "tags": Annotated[
        Many,
        _opt(
            "--tag",
            "Tag (repeatable, or comma-separated).",
            REVIEW_PANEL,
            autocompletion=completion.tags,
        ),
    ],
    "liked": Annotated[Flag, _opt("--liked/--not-liked", "Mark as liked or not.", REVIEW_PANEL)],
    "rewatch": Annotated[
        Flag, _opt("--rewatch/--first-watch", "A rewatch, or a first watch.", REVIEW_PANEL)
    ],
}

FILTER_FIELDS: dict[str, Any] = {
    "genre": Annotated[
        Many,
        _opt(
            "--genre",
            "Any of these genres (repeatable).",
            FILTER_PANEL,
            autocompletion=completion.genres,
        ),
    ],
    "all_genres": Annotated[
        bool, _opt("--all-genres", "Require every --genre, not any.", FILTER_PANEL)
    ],
    "min_rating": Annotated[Text, _opt("--min-rating", "At least this many stars.", FILTER_PANEL)],
    "max_rating": Annotated[Text, _opt("--max-rating", "At most this many stars.", FILTER_PANEL)],
    "year": Annotated[
        Text,
        _opt(
            "--released-in --year", "Films released in this year (--year: the same).", FILTER_PANEL
        ),
    ],
    "watched_in": Annotated[
        Text, _opt("--watched-in", "Watched in this calendar year.", FILTER_PANEL)
    ],
    "watched_from": Annotated[
        Text,
        _opt(
            "--from",
            "Watched on or after: a date, 2019 (its start), 2019-03, 'last week'.",
            FILTER_PANEL,
        ),
    ],
    "watched_to": Annotated[
        Text,
        _opt(
            "--to",
            "Watched on or before: a date, 2019 (its end), 2019-03, yesterday.",
            FILTER_PANEL,
        ),
    ],
    "tag": Annotated[
        Many,
        _opt(
            "--tag", "Any of these tags (repeatable).", FILTER_PANEL, autocompletion=completion.tags
        ),
    ],
    "director": Annotated[
        Many,
        _opt(
            "--director",
            "Directed by (part of a name; repeatable, or comma-separated).",
            FILTER_PANEL,
            autocompletion=completion.directors,
        ),
    ],
    "actor": Annotated[
        Many,
        _opt(
            "--actor --cast",
            "Starring (part of a name; repeatable, or comma-separated).",
            FILTER_PANEL,
            autocompletion=completion.actors,
        ),
    ],
    "rewatch": Annotated[
        Flag, _opt("--rewatch/--first-watch", "Only rewatches, or first watches.", FILTER_PANEL)
    ],
    "liked": Annotated[Flag, _opt("--liked/--not-liked", "Only liked, or only not.", FILTER_PANEL)],
}


class ReviewOptions:
    """The field options of ``add``/``edit``: the fields, and where the body comes from."""

    # Not a dataclass: making one would cost list and search, which load this module too.
    __slots__ = ("body_file", "editor", "fields")

    def __init__(
        self, fields: ReviewInput, body_file: str | None = None, editor: bool = False
    ) -> None:
        self.fields = fields
        self.body_file = body_file
        self.editor = editor


def _build_review_options(values: dict[str, Any]) -> ReviewOptions:
    from filmlog.entry import ReviewInput  # add and edit only: the others skip parsing.py

    body_file = values.pop("body_file")
    editor = values.pop("editor")
    return ReviewOptions(ReviewInput(**values), body_file=body_file, editor=editor)


def build_filters(values: dict[str, Any], words: list[str] | None = None) -> Filters:
    """Parse the raw filter options into :class:`Filters` (bad values raise InvalidInput)."""
    from filmlog import parsing

    def rating(text: str | None) -> int | None:
        return None if text is None else parsing.parse_rating(text)

    def year(text: str | None) -> int | None:
        return None if text is None else parsing.parse_year(text)

    start, end = values["watched_from"], values["watched_to"]
    watched_from = None if start is None else parsing.parse_date_bound(start)
    watched_to = None if end is None else parsing.parse_date_bound(end, end=True)
    if watched_from and watched_to and watched_from > watched_to:
        raise InvalidInput(
            f"--from {watched_from.isoformat()} is after --to {watched_to.isoformat()}: "
            "no date is in that range (swap them?)"
        )
    return Filters(
        words=list(words or []),
        genres=parsing.split_list(values["genre"] or []),
        all_genres=values["all_genres"],
        min_rating=rating(values["min_rating"]),
        max_rating=rating(values["max_rating"]),
        year=year(values["year"]),
        watched_year=year(values.get("watched_in")),
        watched_from=watched_from,
        watched_to=watched_to,
        tags=parsing.split_list(values["tag"] or []),
        directors=parsing.split_list(values["director"] or []),
        actors=parsing.split_list(values["actor"] or []),
        rewatch=values["rewatch"],
        liked=values["liked"],
    )


def _extend(
    fields: dict[str, Any], target: str, build: Callable[[dict[str, Any]], Any]
) -> Callable[[F], F]:
    """Add ``fields`` as keyword options to a command and pass ``build(values)`` as ``target``."""

    def decorate(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != target]
        extra = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                # A plain flag defaults to off; every other option to "not given".
                default=False if ann.__origin__ is bool else None,
                annotation=ann,
            )
            for name, ann in fields.items()
        ]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in fields}
            return func(*args, **{target: build(values)}, **kwargs)

        # Typer reads __signature__ and __annotations__: give it the extended ones.
        signature = signature.replace(parameters=own + extra)
        wrapper.__signature__ = signature  # type: ignore[attr-defined]  # read by inspect
        hints = {p.name: p.annotation for p in signature.parameters.values()}
        hints["return"] = signature.return_annotation
        wrapper.__annotations__ = hints
        del wrapper.__wrapped__  # or inspect would follow it back to the original signature
        return wrapper  # type: ignore[return-value]  # same call shape, but for `target`

    return decorate


def filter_options_except(*names: str) -> Callable[[F], F]:
    """The filter options without ``names``, for a command that gives one a meaning of its own.

    The left-out filters reach the command as None, so :func:`build_filters` still works.
    """
    kept = {name: ann for name, ann in FILTER_FIELDS.items() if name not in names}
    return _extend(kept, "filters", lambda values: {**dict.fromkeys(names), **values})


review_options = _extend(REVIEW_FIELDS, "options", _build_review_options)
filter_options = filter_options_except()
