"""A year in review as Markdown, ready to post: totals, the best films, genres and months.

Pure: takes :class:`filmlog.stats.Stats` and returns text. Titles, verdicts,
headlines and names are data, so every one is escaped: no title can start
emphasis, a link, a table cell or an HTML tag in the rendered post.
"""

from __future__ import annotations

from filmlog import stats as st
from filmlog.parsing import MONTH_NAMES, format_average, format_runtime, format_stars
from filmlog.safe import markdown_line as escape

_OPENING = "“‘\"'«„‚「『"
_CLOSING = "”’\"'»」』"


def _count(count: int, noun: str, plural: str = "s") -> str:
    return f"**{count:,}** {noun}" + ("" if count == 1 else plural)


def _table(headers: tuple[str, str, str], rows: list[tuple[str, str, str]]) -> list[str]:
    lines = [f"| {' | '.join(headers)} |", "| :--- | ---: | ---: |"]
    lines.extend(f"| {a} | {b} | {c} |" for a, b, c in rows)
    return lines


def _heading(stats: st.Stats) -> str:
    if stats.year is not None:
        return f"# {stats.year} in film"
    periods = [p for p in stats.timeline.periods if p.reviews]
    if not periods:
        return "# My film journal"
    first, last = periods[0].year, periods[-1].year
    return f"# My film journal, {first}" + (f"–{last}" if last != first else "")


def _totals(totals: st.Totals) -> list[str]:
    films = f"{_count(totals.reviews, 'review')} of {_count(totals.films, 'film')}"
    if totals.rewatches:
        films += f", {_count(totals.rewatches, 'rewatch', 'es')}"
    lines = [f"- {films}"]
    if totals.minutes:
        watched = f"- **{format_runtime(totals.minutes)}** watched"
        if totals.without_runtime:
            watched += f" (not counting {totals.without_runtime:,} without a runtime)"
        lines.append(watched)
    if totals.average_rating is not None and totals.median_rating is not None:
        lines.append(
            f"- Average rating **{totals.average_rating:.2f}** stars, "
            f"median **{totals.median_rating:g}**"
        )
    if totals.liked:
        lines.append(f"- **{totals.liked:,}** liked")
    return lines


def _top_line(rank: int, review: st.TopFilm) -> str:
    year = f" ({review.year})" if review.year else ""
    parts = [f"{rank}. **{escape(review.title)}**{year}", format_stars(review.rating)]
    verdict = escape(review.verdict)
    if verdict:
        parts.append(f"*{verdict}*")
    line = " · ".join(parts)
    headline = escape(review.headline)
    if headline:
        # A headline that already opens or closes with a quote mark gets no second pair.
        quoted = headline[0] in _OPENING or headline[-1] in _CLOSING
        line += f" — {headline}" if quoted else f" — “{headline}”"
    return line


def recap(stats: st.Stats) -> str:
    """The Markdown recap of ``stats`` (one year when ``stats.year`` is set)."""
    lines = [_heading(stats), ""]
    if stats.reviewer:
        lines += [f"*A year of film by {escape(stats.reviewer)}.*", ""]
    if not stats.totals.reviews:
        when = f" in {stats.year}" if stats.year is not None else ""
        lines.append(f"No films logged{when}.")
        return "\n".join(lines) + "\n"
    lines += [*_totals(stats.totals), ""]
    if stats.top_rated:
        lines += ["## Top-rated films", ""]
        lines += [_top_line(i, r) for i, r in enumerate(stats.top_rated, start=1)]
        lines.append("")
    if stats.genres:
        rows = [
            (escape(g.name), f"{g.reviews:,}", format_average(g.average_rating))
            for g in stats.genres
        ]
        lines += ["## Genres", "", *_table(("Genre", "Reviews", "Avg ★"), rows), ""]
    timeline = stats.timeline
    if timeline.by == "month":
        rows = [
            (MONTH_NAMES[(p.month or 1) - 1], f"{p.reviews:,}", format_average(p.average_rating))
            for p in timeline.periods
        ]
        lines += ["## Month by month", "", *_table(("Month", "Reviews", "Avg ★"), rows), ""]
    elif timeline.by == "year":
        rows = [
            (p.label, f"{p.reviews:,}", format_average(p.average_rating)) for p in timeline.periods
        ]
        lines += ["## Year by year", "", *_table(("Year", "Reviews", "Avg ★"), rows), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
