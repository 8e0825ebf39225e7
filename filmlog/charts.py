"""Rich renderables for ``filmlog stats`` and ``filmlog history``: returned, never printed.

Charts measure the width they are given at render time, so one renderable
fits an 80-column terminal and spreads out into two columns on a wide one.
User text (genres, names, titles) is always a ``Text`` built by
:func:`filmlog.render.plain`: never markup, never a terminal escape.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from filmlog import stats as st
from filmlog.parsing import MONTH_NAMES, format_average, format_runtime, format_stars, plural
from filmlog.render import plain

MONTHS = tuple(name[:3] for name in MONTH_NAMES)
# Eighth-block characters give bars a resolution of an eighth of a column.
_PARTIAL = " ▏▎▍▌▋▊▉"
_FULL = "█"
_GAP = "  "
# At this width and above, pairs of short sections sit side by side.
WIDE = 100
BAR_STYLE = "cyan"


def bar(value: int, maximum: int, width: int) -> str:
    """A bar of ``value / maximum`` of ``width`` columns; any non-zero value shows."""
    if value <= 0 or maximum <= 0 or width <= 0:
        return ""
    # Integer arithmetic, rounding half up, so a bar's length never depends on float noise.
    eighths = max(1, (value * width * 16 + maximum) // (2 * maximum))
    full, part = divmod(min(eighths, width * 8), 8)
    return _FULL * full + (_PARTIAL[part] if part else "")


def _amount(half_stars: int) -> str:
    """A number of stars without sign: ``½``, ``1``, ``1½``, ``0``."""
    full, half = divmod(abs(half_stars), 2)
    return (str(full) if full else "") + ("½" if half else "") or "0"


def stars_amount(half_stars: int) -> str:
    """``½ star``, ``1 star``, ``1½ stars``: a size of change, always positive."""
    unit = "star" if 0 < abs(half_stars) <= 2 else "stars"
    return f"{_amount(half_stars)} {unit}"


def change_text(change: int | None) -> str:
    """How a rating moved: ``up 1½``, ``down ½``, ``same``; empty with nothing to compare."""
    if change is None:
        return ""
    if change == 0:
        return "same"
    return f"{'up' if change > 0 else 'down'} {_amount(change)}"


class BarRow:
    """One row of a :class:`BarChart`: a label, the value the bar shows, extra columns."""

    # A plain class: making a dataclass would cost every stats and history most of a ms.
    __slots__ = ("extra", "label", "value")

    def __init__(self, label: Text, value: int, extra: tuple[str, ...] = ()) -> None:
        self.label = label
        self.value = value
        self.extra = extra


class BarChart:
    """Horizontal bars, one per row: ``label  count  extra…  ████▌``.

    The label column is as wide as the longest label (up to ``label_max``) and the
    bars take what remains of the width, up to ``bar_max`` columns.
    """

    def __init__(
        self,
        rows: Sequence[BarRow],
        *,
        headers: Sequence[str] | None = None,
        label_max: int = 24,
        bar_max: int = 48,
        style: str = BAR_STYLE,
    ) -> None:
        self.rows = list(rows)
        self.headers = list(headers) if headers else None
        self.label_max = label_max
        self.bar_max = bar_max
        self.style = style

    def _columns(self) -> list[int]:
        """Widths of the count and extra columns."""
        cells = [[str(r.value), *r.extra] for r in self.rows]
        if self.headers:
            cells.append(self.headers[1:])
        count = max((len(c) for c in cells), default=0)
        return [max((cell_len(c[i]) for c in cells if i < len(c)), default=0) for i in range(count)]

    def _label_width(self) -> int:
        widest = max((r.label.cell_len for r in self.rows), default=0)
        if self.headers:
            widest = max(widest, cell_len(self.headers[0]))
        return min(widest, self.label_max)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        fixed = self._label_width() + sum(len(_GAP) + w for w in self._columns())
        return Measurement(min(fixed, options.max_width), options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        columns = self._columns()
        label_width = self._label_width()
        fixed = sum(len(_GAP) + w for w in columns) + len(_GAP)
        # Narrow terminal: give up label width (down to 8) before giving up the bars.
        label_width = max(min(label_width, width - fixed - 8), min(label_width, 8))
        bar_width = max(0, min(self.bar_max, width - fixed - label_width))
        maximum = max((r.value for r in self.rows), default=0)
        if self.headers:
            line = Text(style="dim")
            head = Text(self.headers[0])
            head.truncate(label_width, overflow="ellipsis", pad=True)
            line.append(head)
            for header, w in zip(self.headers[1:], columns, strict=False):
                line.append(_GAP + header.rjust(w))
            line.truncate(width)
            yield line
        for row in self.rows:
            label = row.label.copy()
            label.truncate(label_width, overflow="ellipsis", pad=True)
            line = Text.assemble(label)
            for cell, w in zip((str(row.value), *row.extra), columns, strict=False):
                line.append(_GAP + cell.rjust(w))
            drawn = bar(row.value, maximum, bar_width)
            if drawn:
                line.append(_GAP)
                line.append(drawn, style=self.style)
            line.truncate(width)
            yield line


def _section(title: str, body: RenderableType) -> Panel:
    return Panel(
        body,
        title=Text(title, style="bold"),
        title_align="left",
        box=box.ROUNDED,
        padding=(0, 1),
    )


def _note(message: str) -> Text:
    """A quiet line: an empty section's message, or what a chart leaves out."""
    return Text(message, style="dim")


def totals_panel(totals: st.Totals) -> Panel:
    """Reviews, films, rewatches, liked; time watched, average, median, how many rated."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column()
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column()
    grid.add_column()
    if not totals.with_runtime:
        watched = "— (no runtimes recorded)"
    else:
        watched = format_runtime(totals.minutes)
        if totals.without_runtime:
            lack = "lacks" if totals.without_runtime == 1 else "lack"
            watched += f" ({plural(totals.without_runtime, 'review')} {lack} a runtime)"
    average = "—" if totals.average_rating is None else f"{totals.average_rating:.2f} stars"
    if totals.average_rating is not None and totals.rated < totals.reviews:
        # Say what the average rests on: one rated review of hundreds is no average to trust.
        average = f"{totals.average_rating:.2f} from {totals.rated:,} rated of {totals.reviews:,}"
    median = "—" if totals.median_rating is None else f"{totals.median_rating:g} stars"
    rated = "none" if not totals.rated else f"{totals.rated:,} of {totals.reviews:,}"
    rows = [
        ("Reviews", f"{totals.reviews:,}", "Hours watched", watched),
        ("Films", f"{totals.films:,}", "Average rating", average),
        ("Rewatches", f"{totals.rewatches:,}", "Median rating", median),
        ("Liked", f"{totals.liked:,}", "Rated", rated),
    ]
    for label, value, label2, value2 in rows:
        grid.add_row(Text(label, style="dim"), value, Text(label2, style="dim"), value2)
    return _section("Totals", grid)


def ratings_panel(ratings: Sequence[st.RatingCount]) -> Panel:
    """One bar per half-star step from ½ to 5."""
    if not any(r.reviews for r in ratings):
        return _section("Ratings", _note("No ratings yet."))
    rows = [BarRow(Text(format_stars(r.half_stars), style="yellow"), r.reviews) for r in ratings]
    return _section("Ratings", BarChart(rows))


def _group_chart(rows: Sequence[st.GroupRow], header: str, *, user_text: bool) -> BarChart:
    # A "Rated" column only when some average rests on fewer reviews than the row counts.
    partly = any(row.rated < row.reviews for row in rows)
    return BarChart(
        [
            BarRow(
                plain(row.name) if user_text else Text(row.name),
                row.reviews,
                ((f"{row.rated:,}",) if partly else ()) + (format_average(row.average_rating),),
            )
            for row in rows
        ],
        headers=(header, "Reviews", *(("Rated",) if partly else ()), "Avg ★"),
    )


def genres_panel(rows: Sequence[st.GroupRow]) -> Panel:
    """Reviews and average rating per genre, most watched first."""
    if not rows:
        return _section("Genres", _note("No genres recorded."))
    return _section("Genres", _group_chart(rows, "Genre", user_text=True))


def tags_panel(rows: Sequence[st.GroupRow]) -> Panel:
    """Reviews and average rating per tag, most used first."""
    if not rows:
        return _section("Tags", _note("No tags recorded."))
    return _section("Tags", _group_chart(rows, "Tag", user_text=True))


def top_rated_panel(films: Sequence[st.TopFilm]) -> Panel:
    """The best-rated films (those above the median rating), best first."""
    if not films:
        return _section("Top-rated films", _note("No ratings yet."))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="dim", no_wrap=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(style="yellow", no_wrap=True)
    for rank, film in enumerate(films, start=1):
        name = f"{film.title} ({film.year})" if film.year else film.title
        grid.add_row(f"{rank}.", plain(name), format_stars(film.rating))
    return _section("Top-rated films", grid)


# Runs of at least this many years without a viewing fold into one row of the year chart.
EMPTY_RUN = 3


def _year_rows(periods: Sequence[st.Period]) -> list[BarRow]:
    """One row per year, but a long run of empty years as one row (``1991–2009``)."""
    rows: list[BarRow] = []
    index = 0
    while index < len(periods):
        end = index
        while end < len(periods) and not periods[end].reviews:
            end += 1
        if end - index >= EMPTY_RUN:
            label = f"{periods[index].label}–{periods[end - 1].label}"
            rows.append(BarRow(Text(label, style="dim"), 0))
            index = end
            continue
        rows.append(BarRow(Text(periods[index].label), periods[index].reviews))
        index += 1
    return rows


def decades_panel(decades: st.Decades) -> Panel:
    """Reviews and average rating per decade of release."""
    if not decades.rows:
        return _section("Decades of release", _note("No release years recorded."))
    parts: list[RenderableType] = [_group_chart(decades.rows, "Decade", user_text=False)]
    if decades.unknown:
        parts.append(_note(f"{plural(decades.unknown, 'review')} without a year."))
    return _section("Decades of release", Group(*parts))


def timeline_panel(timeline: st.Timeline) -> Panel:
    """Reviews per month of one year, or per year."""
    if timeline.by is None:
        return _section("Timeline", _note("No watch dates recorded."))
    if timeline.by == "month":
        title = f"Watched per month, {timeline.periods[0].year}"
        labels = [MONTHS[(p.month or 1) - 1] for p in timeline.periods]
        rows = [
            BarRow(Text(label), p.reviews)
            for label, p in zip(labels, timeline.periods, strict=True)
        ]
    else:
        title = "Watched per year"
        rows = _year_rows(timeline.periods)
    parts: list[RenderableType] = [BarChart(rows)]
    if timeline.undated:
        parts.append(_note(f"{plural(timeline.undated, 'review')} without a watch date."))
    if timeline.outside:
        parts.append(_note(f"{plural(timeline.outside, 'review')} watched in other years."))
    return _section(title, Group(*parts))


def people_panel(rows: Sequence[st.PersonRow], title: str, header: str, empty: str) -> Panel:
    """People ranked by films, with the average rating of their films."""
    if not rows:
        return _section(title, _note(empty))
    partly = any(p.rated_films < p.films for p in rows)
    chart = BarChart(
        [
            BarRow(
                plain(p.name),
                p.films,
                ((f"{p.rated_films:,}",) if partly else ()) + (format_average(p.average_rating),),
            )
            for p in rows
        ],
        headers=(header, "Films", *(("Rated",) if partly else ()), "Avg ★"),
        label_max=28,
    )
    return _section(title, chart)


class StatsView:
    """Every stats section, stacked; on a wide console short sections pair up side by side."""

    def __init__(self, stats: st.Stats, heading: str) -> None:
        self.stats = stats
        self.heading = heading

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        s = self.stats
        yield Text(self.heading, style="bold")
        yield totals_panel(s.totals)
        pairs = [
            (ratings_panel(s.ratings), timeline_panel(s.timeline)),
            (genres_panel(s.genres), decades_panel(s.decades)),
            (
                people_panel(s.directors, "Top directors", "Director", "No directors recorded."),
                people_panel(s.actors, "Top actors", "Actor", "No cast recorded."),
            ),
            (top_rated_panel(s.top_rated), tags_panel(s.tags)),
        ]
        wide = options.max_width >= WIDE
        for pair in pairs:
            yield from _pair(pair, wide)


def _pair(panels: tuple[Panel, Panel], wide: bool) -> list[RenderableType]:
    if not wide:
        return list(panels)
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(*panels)
    return [grid]


def stats_view(stats: st.Stats, heading: str) -> StatsView:
    """The whole ``filmlog stats`` screen under a one-line ``heading``."""
    return StatsView(stats, heading)


# ---------------------------------------------------------------------------
# History


def rating_change_line(history: st.History) -> str:
    """How the rating moved from the first rated viewing to the last, in one sentence."""
    ratings = history.ratings
    viewings = plural(len(history.viewings), "viewing")
    if not ratings:
        return f"Never rated in {viewings}."
    if len(ratings) == 1:
        return f"Rated once, {format_stars(ratings[0])}, in {viewings}."
    change = ratings[-1] - ratings[0]
    moved = (
        "unchanged" if change == 0 else f"{'up' if change > 0 else 'down'} {stars_amount(change)}"
    )
    return (
        f"Rating {format_stars(ratings[0])} → {format_stars(ratings[-1])}, {moved} over {viewings}."
    )


def history_view(history: st.History) -> Group:
    """A film's viewings oldest first: date, rating, the change from the last rating, verdict."""
    dated = [v.review.watched_on for v in history.viewings if v.review.watched_on]
    span = ""
    if dated:
        first, last = min(dated), max(dated)
        span = f", {first.isoformat()}" + (f" to {last.isoformat()}" if last != first else "")
    heading = Text.assemble(
        plain(history.display_title, "bold"),
        (f" · {plural(len(history.viewings), 'viewing')}{span}", "dim"),
    )
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("ID", justify="right", style="dim", no_wrap=True)
    table.add_column("Watched", no_wrap=True)
    table.add_column("Rating", style="yellow", no_wrap=True)
    table.add_column("Change", no_wrap=True)
    table.add_column("Verdict", ratio=1)
    table.add_column("Headline", ratio=2)
    for viewing in history.viewings:
        review = viewing.review
        flags = [("rewatch" if review.rewatch else ""), ("♥" if review.liked else "")]
        watched = review.watched_on.isoformat() if review.watched_on else "—"
        note = " ".join(f for f in flags if f)
        table.add_row(
            Text(str(review.id)),
            Text.assemble(watched, (f" {note}" if note else "", "dim")),
            Text(format_stars(review.rating)),
            Text(change_text(viewing.change), style=_change_style(viewing.change)),
            plain(review.verdict),
            plain(review.headline),
        )
    return Group(heading, table, Text(rating_change_line(history)))


def _change_style(change: int | None) -> str:
    if not change:
        return "dim"
    return "green" if change > 0 else "red"
