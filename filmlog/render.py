"""Rich renderables for reviews: returned, never printed, so tests can render them at any width.

Every piece of user text goes through :func:`filmlog.safe.clean` into a ``Text``: it is
never parsed as Rich markup, and control characters (terminal escapes) are
shown as visible symbols instead of reaching the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich._ratio import ratio_reduce
from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.rule import Rule
from rich.segment import Segment
from rich.table import Column, Table
from rich.text import Text

from filmlog.facts import (
    cast_line,
    identity_line,
    logged_time,
    long_date,
    metadata_line,
    verdict_line,
    watched_line,
)
from filmlog.model import Review
from filmlog.parsing import format_runtime, format_stars
from filmlog.query import Snippet
from filmlog.safe import clean

if TYPE_CHECKING:
    # Only for type hints: the watchlist module costs list and show a few milliseconds.
    from filmlog.watchlist import Entry as WatchEntry


def plain(text: str | None, style: str = "") -> Text:
    """User text as a Rich ``Text``: never markup, never a terminal escape."""
    return Text(clean(text or ""), style=style)


# Where a search found its words, as the snippet's label says it.
_FOUND_IN = {
    "title": "Title",
    "headline": "Headline",
    "directors": "Directed by",
    "cast": "Starring",
    "tags": "Tags",
    "body": "Review",
}
MATCH_STYLE = "bold reverse"


def snippet_text(found: Snippet) -> Text:
    """A search snippet labelled with its field, the words highlighted (styles, never markup)."""
    text = plain(found.text)
    for start, end in found.marks:
        text.stylize(MATCH_STYLE, start, end)
    return Text.assemble((f"{_FOUND_IN.get(found.where, found.where)}: ", "dim"), text)


def review_panel(review: Review, *, body: bool = True, matched: Snippet | None = None) -> Panel:
    """A review laid out like a published one, the body rendered as Markdown.

    ``matched``: why a search found it, shown first.
    """
    lines: list[RenderableType] = []
    if matched is not None:
        lines.append(Text.assemble(("Matched · ", "dim"), snippet_text(matched)))
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
    identity = identity_line(review)
    if identity:
        lines.append(plain(identity, "dim"))
    if body and review.body and review.body.strip():
        lines.append(Rule(style="dim"))
        lines.append(body_view(clean(review.body)))
    title = Text.assemble((clean(review.display_title), "bold"))
    return _TitledPanel(
        clean(review.title),
        f" ({review.year})" if review.year else "",
        Group(*lines) if lines else Text(""),
        title=title,
        title_align="left",
        subtitle=Text(f"#{review.id}", style="dim"),
        subtitle_align="right",
        box=box.ROUNDED,
        padding=(0, 1),
    )


class _TitledPanel(Panel):
    """A review's panel whose title, when too long for the border, is cut before the year."""

    def __init__(self, name: str, year: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name = name
        self.year = year
        self.full_title = self.title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width if self.width is None else min(self.width, options.max_width)
        room = width - 6  # the corners, a rule each side, and a space each side of the title
        self.title = self.full_title
        if cell_len(self.name + self.year) > room > cell_len(self.year) + 1:
            name = Text(self.name)
            name.truncate(room - cell_len(self.year), overflow="ellipsis")
            self.title = Text.assemble((name.plain + self.year, "bold"))
        yield from super().__rich_console__(console, options)


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
    long = len(text) > MARKDOWN_LIMIT
    if not long and _MARKDOWN.search(text):
        from rich.markdown import Markdown

        return Markdown(text)
    paragraphs: list[RenderableType] = []
    for paragraph in re.split(r"\n{2,}", text.strip("\n")):
        if paragraphs:
            paragraphs.append(Text())
        line = paragraph.replace("\n", " ")
        paragraphs.append(Wrapped(line) if len(line) > LONG_LINE else Text(line, justify="left"))
    return Group(*paragraphs)


# Rich lays out a paragraph in time that grows with the square of its length (a 3 MB line
# took 14 s): longer paragraphs are laid out by Wrapped, and a body longer than this is
# shown as plain text (its Markdown would end in the same layout).
LONG_LINE = 10_000
MARKDOWN_LIMIT = 200_000
_WORD = re.compile(r"\S+")


class Wrapped:
    """A paragraph wrapped at spaces to the width it is given, in time linear in its length.

    Breaks lines where Rich's own wrapping of a ``Text`` does (a test checks they agree):
    greedily at spaces, a word longer than a line cut across lines.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(max(1, options.max_width)):
            yield Segment(line)
            yield Segment.line()

    def lines(self, width: int) -> Iterator[str]:
        """The paragraph's lines at ``width`` cells."""
        narrow = self.text.isascii()  # then a character is a cell, and len() says the width
        measure = len if narrow else cell_len
        words: list[str] = []
        used = 0
        for word in _WORD.findall(self.text):
            size = measure(word)
            if words and used + 1 + size > width:
                yield " ".join(words)
                words, used = [], 0
            if size > width:
                if narrow:
                    whole = [word[at : at + width] for at in range(0, len(word), width)]
                else:
                    whole = chop_cells(word, width)
                *cut, word = whole
                yield from cut
                size = measure(word)
            used += size + (1 if words else 0)
            words.append(word)
        if words:
            yield " ".join(words)


READING_WIDTH = 100  # past this, lines of a long review get too long to read comfortably


def review_panels(reviews: Iterable[Review], matched: Mapping[int, Snippet] | None = None) -> Group:
    """Panels for reading, no wider than :data:`READING_WIDTH` however wide the terminal.

    ``matched``: search snippets by review ID, shown at the top of their panels.
    """
    from rich.constrain import Constrain

    found = matched or {}
    return Group(
        *(Constrain(review_panel(r, matched=found.get(r.id or 0)), READING_WIDTH) for r in reviews)
    )


_ID = {"justify": "right", "style": "dim", "no_wrap": True}
_DATE = {"no_wrap": True}
_TITLE = {"style": "bold", "ratio": 3}
_STARS = {"style": "yellow", "no_wrap": True}


def review_table(
    reviews: Sequence[Review],
    *,
    title: str | None = None,
    matched: Mapping[int, Snippet] | None = None,
) -> ReviewTable:
    """The list view: ID, watched, title (year), stars, genres, verdict, tags.

    A column empty in every row is left out (Tags shows only when some row has
    tags); a long title is cut with an ellipsis rather than wrapped over lines.
    ``matched``: search snippets by review ID, in a last column.
    """
    found = [(matched or {}).get(r.id or 0) for r in reviews]
    # Each column: its name, its options, its cells, and whether to show it (None: when
    # some cell has text).
    columns: list[tuple[str, dict[str, Any], list[Text], bool | None]] = [
        ("ID", _ID, [Text(str(r.id)) for r in reviews], True),
        ("Watched", _DATE, [_watched(r) for r in reviews], any(r.watched_on for r in reviews)),
        ("Title", _TITLE, [_one_line(plain(r.display_title)) for r in reviews], True),
        ("Rating", _STARS, [_stars(r) for r in reviews], None),
        (
            "Genres",
            {"ratio": 2, "overflow": "fold"},
            [plain(", ".join(r.genres)) for r in reviews],
            None,
        ),
        ("Verdict", {"ratio": 1, "overflow": "fold"}, [plain(r.verdict) for r in reviews], None),
        (
            "Tags",
            {"ratio": 1, "overflow": "fold"},
            [plain(", ".join(r.tags)) for r in reviews],
            None,
        ),
        (
            "Matched",
            {"ratio": 4, "overflow": "fold"},
            [snippet_text(f) if f else Text() for f in found],
            None,
        ),
    ]
    shown = [
        (name, options, cells)
        for name, options, cells, keep in columns
        if keep or (keep is None and any(cells))
    ]
    return ReviewTable(shown, title)


class ReviewTable:
    """The list table, laid out for the width it is given when rendered.

    The title column takes up to two fifths of the width the columns that wrap share
    (all of its longest title, if less), so that titles are cut late and the
    genres and tags wrap instead.
    """

    def __init__(self, columns: list[tuple[str, dict[str, Any], list[Text]]], title: str | None):
        self.columns = columns
        self.title = title

    def table(self, width: int) -> Table:
        table = Table(
            box=box.SIMPLE_HEAD,
            title=self.title,
            title_justify="left",
            pad_edge=False,
            show_edge=False,
            collapse_padding=True,
        )
        # Columns that do not wrap need their widest cell; one that wraps, its longest word
        # (up to FOLD: a longer one is folded over lines).
        least = {
            name: max(
                cell_len(name),
                *(
                    c.cell_len
                    if options.get("no_wrap")
                    else min(FOLD, max(map(cell_len, c.plain.split()), default=0))
                    for c in cells
                ),
            )
            for name, options, cells in self.columns
            if name != "Title"
        }
        gaps = 2 * (len(self.columns) - 1)
        room = width - gaps - sum(least.values())
        wrapping = sum(w for name, w in least.items() if not _NO_WRAP.get(name))
        share = max(MIN_TITLE, (room + wrapping) * 2 // 5)
        for name, options, cells in self.columns:
            if name == "Title":
                longest = max((c.cell_len for c in cells), default=0)
                # Not wrapping, so that the columns that do give way first; cut at this width.
                options = {
                    **options,
                    "no_wrap": True,
                    "max_width": max(5, min(longest, share, room)),
                }
            table.add_column(name, **options)
        for row in zip(*(cells for _, _, cells in self.columns), strict=True):
            table.add_row(*row)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = self.table(options.max_width)
        # The room for the columns: the box without edges takes one character between two.
        widths = _column_widths(table, options.max_width - (len(table.columns) - 1))
        if widths is not None:
            # Measured here, from the plain text of each cell, the widths Rich would find by
            # measuring every cell through its renderables twice: a third of the time the
            # table takes. Fixed, the columns are laid out exactly as they would have been.
            for column, pad, width in widths:
                column.width = width - pad
        yield table

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.table(options.max_width))


def _column_widths(table: Table, room: int) -> list[tuple[Column, int, int]] | None:
    """Each column with its padding and the width Rich's layout gives it (padding included).

    The steps of ``Table._calculate_column_widths`` for a table like the list's (text
    cells, a header, no footer, not expanded), on numbers instead of renderables: a
    column not expanded only ever needs its longest line. None where a width would
    come out that a fixed column cannot take. Rich's own steps (``_collapse_widths``,
    ``ratio_reduce``) are private: a test lays tables out both ways to hold them equal.
    """
    columns = table.columns
    last = len(columns) - 1
    # Collapsed padding: one space between columns, none at the edges.
    pads = [0 if i == last else 1 for i in range(len(columns))]
    longest = [max(map(_longest_line, (c.header, *c.cells))) for c in columns]

    def measure(index: int, limit: int) -> int:
        if limit < 1:
            return 0
        width = min(longest[index] + pads[index], limit)
        cap = columns[index].max_width
        return width if cap is None else min(width, cap + pads[index])

    widths = [measure(i, room) or 1 for i in range(len(columns))]
    if sum(widths) > room:
        widths = Table._collapse_widths(widths, [not c.no_wrap for c in columns], room)
        if sum(widths) > room:
            excess = sum(widths) - room
            widths = ratio_reduce(excess, [1] * len(widths), widths, widths)
        widths = [measure(i, width) for i, width in enumerate(widths)]
    if sum(widths) > room or any(w < max(1, p) for w, p in zip(widths, pads, strict=True)):
        return None
    return list(zip(columns, pads, widths, strict=True))


def _longest_line(cell: object) -> int:
    text = cell.plain if isinstance(cell, Text) else str(cell)
    return max(map(cell_len, text.splitlines()), default=0)


MIN_TITLE = 16
FOLD = 12
_NO_WRAP = {"ID": True, "Watched": True, "Rating": True}


def _one_line(text: Text) -> Text:
    # Set on the text, not the column: the column still narrows like a wrapping one
    # (to its longest word), and the text is then cut with an ellipsis instead of wrapped.
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def _watched(review: Review) -> Text:
    return Text(review.watched_on.isoformat() if review.watched_on else "—")


def _stars(review: Review) -> Text:
    return Text(format_stars(review.rating) if review.rating is not None else "")


def import_summary(
    title: str,
    counts: Sequence[tuple[str, int]],
    rejected: Sequence[tuple[str, str | None, str]],
    conflicts: Sequence[tuple[str, str, str]] = (),
) -> Group:
    """What an import did: a count per outcome, each rejected row with its reason, and
    each field (film, field, source) changed on both sides and kept as the journal has it."""
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
    if conflicts:
        where = conflicts[0][2]
        parts.append(
            plain(f"Changed in filmlog and on {where} since the last import: filmlog's value kept")
        )
        kept = Table(box=box.SIMPLE_HEAD)
        kept.add_column("Film")
        kept.add_column("Field")
        for film, name, _ in conflicts:
            kept.add_row(plain(film), plain(name))
        parts.append(kept)
    return Group(*parts)
