"""Rich renderables for reviews: returned, never printed, so tests can render them at any width.

Every piece of user text goes through :func:`filmlog.safe.clean` into a ``Text``: it is
never parsed as Rich markup, and control characters (terminal escapes) are
shown as visible symbols instead of reaching the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from filmlog.facts import (
    cast_line,
    logged_time,
    long_date,
    metadata_line,
    verdict_line,
    watched_line,
)
from filmlog.model import Review
from filmlog.parsing import format_runtime, format_stars
from filmlog.safe import clean
from filmlog.watchlist import Entry as WatchEntry


def plain(text: str | None, style: str = "") -> Text:
    """User text as a Rich ``Text``: never markup, never a terminal escape."""
    return Text(clean(text or ""), style=style)


def review_panel(review: Review, *, body: bool = True) -> Panel:
    """A review laid out like a published one, the body rendered as Markdown."""
    lines: list[RenderableType] = []
    if review.headline:
        lines.append(plain(review.headline, "bold"))
    byline = " · ".join(
        part
        for part in (f"By {review.reviewer}" if review.reviewer else "", logged_time(review))
        if part
    )
    if byline:
        lines.append(plain(byline, "dim"))
    meta = metadata_line(review)
    if meta:
        lines.append(plain(meta, "cyan"))
    if review.directors:
        lines.append(Text.assemble(("Directed by ", "dim"), clean(", ".join(review.directors))))
    if review.cast:
        lines.append(Text.assemble(("Starring ", "dim"), clean(cast_line(review))))
    verdict = verdict_line(review)
    if verdict:
        lines.append(plain(verdict, "bold yellow"))
    watched = watched_line(review)
    if watched:
        lines.append(plain(watched, "dim"))
    if review.tags:
        lines.append(Text.assemble(("Tags: ", "dim"), clean(", ".join(review.tags))))
    if body and review.body and review.body.strip():
        lines.append(Rule(style="dim"))
        lines.append(body_view(clean(review.body)))
    title = Text.assemble((clean(review.display_title), "bold"))
    return Panel(
        Group(*lines) if lines else Text(""),
        title=title,
        title_align="left",
        subtitle=Text(f"#{review.id}", style="dim"),
        subtitle_align="right",
        box=box.ROUNDED,
        padding=(0, 1),
    )


def watchlist_table(films: Sequence[WatchEntry], *, title: str | None = None) -> Table:
    """The watchlist view: ID, date added, title (year), runtime, genres, directors."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False)
    table.add_column("ID", justify="right", style="dim", no_wrap=True)
    table.add_column("Added", no_wrap=True)
    table.add_column("Title", style="bold", ratio=3)
    table.add_column("Runtime", no_wrap=True)
    table.add_column("Genres", ratio=2)
    table.add_column("Directed by", ratio=2)
    for film in films:
        table.add_row(
            Text(str(film.id)),
            Text(film.added_at.date().isoformat() if film.added_at else "—"),
            plain(film.display_title),
            Text(format_runtime(film.runtime) if film.runtime else ""),
            plain(", ".join(film.genres)),
            plain(", ".join(film.directors)),
        )
    return table


def watchlist_panel(film: WatchEntry) -> Panel:
    """One film on the watchlist, with everything known about it."""
    lines: list[RenderableType] = []
    if film.original_title and film.original_title != film.title:
        lines.append(plain(film.original_title, "italic"))
    facts = " | ".join(
        part
        for part in (
            ", ".join(film.genres),
            format_runtime(film.runtime) if film.runtime else "",
        )
        if part
    )
    if facts:
        lines.append(plain(facts, "cyan"))
    if film.directors:
        lines.append(Text.assemble(("Directed by ", "dim"), clean(", ".join(film.directors))))
    if film.tags:
        lines.append(Text.assemble(("Tags: ", "dim"), clean(", ".join(film.tags))))
    if film.note:
        lines.append(plain(film.note))
    if film.added_at:
        lines.append(plain(f"On the watchlist since {long_date(film.added_at.date())}", "dim"))
    return Panel(
        Group(*lines) if lines else Text(""),
        title=Text.assemble((clean(film.display_title), "bold")),
        title_align="left",
        subtitle=Text(f"watchlist #{film.id}", style="dim"),
        subtitle_align="right",
        box=box.ROUNDED,
        padding=(0, 1),
    )


# Anything Markdown could read as more than paragraphs of text: inline syntax, entities,
# escapes, a line that could open a block (indented, a list, a rule, a heading underline),
# or starts or ends in white space (Markdown trims it, and two spaces are a hard break).
_MARKDOWN = re.compile(r"[*_`\[\]<>&\\#~|\r]|^[=+\-]|^\d+[.)]|^[^\S\n]|[^\S\n]$", re.MULTILINE)


def body_view(text: str) -> RenderableType:
    """A review body, rendered as Markdown.

    Most bodies are plain paragraphs; those are laid out here exactly as Rich's
    Markdown lays them out (a test checks the two agree), which spares loading
    the Markdown parser, the most expensive import of ``show``.
    """
    if _MARKDOWN.search(text):
        from rich.markdown import Markdown

        return Markdown(text)
    paragraphs: list[RenderableType] = []
    for paragraph in re.split(r"\n{2,}", text.strip("\n")):
        if paragraphs:
            paragraphs.append(Text())
        paragraphs.append(Text(paragraph.replace("\n", " "), justify="left"))
    return Group(*paragraphs)


READING_WIDTH = 100  # past this, lines of a long review get too long to read comfortably


def review_panels(reviews: Iterable[Review]) -> Group:
    """Panels for reading, no wider than :data:`READING_WIDTH` however wide the terminal."""
    from rich.constrain import Constrain

    return Group(*(Constrain(review_panel(r), READING_WIDTH) for r in reviews))


def review_table(reviews: Sequence[Review], *, title: str | None = None) -> Table:
    """The list view: ID, watched, title (year), stars, genres, verdict."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False)
    table.add_column("ID", justify="right", style="dim", no_wrap=True)
    table.add_column("Watched", no_wrap=True)
    table.add_column("Title", style="bold", ratio=3)
    table.add_column("Rating", style="yellow", no_wrap=True)
    table.add_column("Genres", ratio=2)
    table.add_column("Verdict", ratio=1)
    for r in reviews:
        table.add_row(
            Text(str(r.id)),
            Text(r.watched_on.isoformat() if r.watched_on else "—"),
            plain(r.display_title),
            Text(format_stars(r.rating) if r.rating is not None else ""),
            plain(", ".join(r.genres)),
            plain(r.verdict),
        )
    return table


def import_summary(
    title: str, counts: Sequence[tuple[str, int]], rejected: Sequence[tuple[str, str | None, str]]
) -> Group:
    """What an import did: a count per outcome, then each rejected row with its reason."""
    table = Table(box=box.SIMPLE, show_header=False, pad_edge=False)
    table.add_column("What")
    table.add_column("Count", justify="right")
    for label, count in counts:
        table.add_row(Text(label), Text(f"{count:,}"))
    parts: list[RenderableType] = [plain(title), table]
    if rejected:
        rows = Table(box=box.SIMPLE_HEAD, title="Rejected rows", title_justify="left")
        rows.add_column("Where", no_wrap=True)
        rows.add_column("Title")
        rows.add_column("Reason")
        for where, film, reason in rejected:
            rows.add_row(plain(where), plain(film or "—"), plain(reason))
        parts.append(rows)
    return Group(*parts)
