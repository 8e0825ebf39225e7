"""Commands that look back over the journal: stats (charts, JSON, a Markdown recap) and history."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from filmlog.cli import completion
from filmlog.cli.base import app, fail, journal, nothing_found, print_json
from filmlog.cli.options import FILTER_PANEL, build_filters, filter_options_except
from filmlog.cli.pager import page
from filmlog.errors import ExitCode

JSON = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (see README).")]


class StatsFormat(Enum):
    table = "table"
    markdown = "markdown"


@app.command("stats")
@filter_options_except("year", "watched_in")
def stats_command(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Only reviews with all these words, as in search."),
    ] = None,
    year: Annotated[
        str | None,
        typer.Option(
            "--watched-in",
            "--year",
            help="One calendar year of watching, e.g. 2024, charted month by month "
            "(--year: the same).",
            rich_help_panel=FILTER_PANEL,
            show_default=False,
        ),
    ] = None,
    released_in: Annotated[
        str | None,
        typer.Option(
            "--released-in",
            help="Films released in this year.",
            rich_help_panel=FILTER_PANEL,
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int,
        typer.Option("--top", min=1, help="How many directors, actors and top-rated films."),
    ] = 10,
    output_format: Annotated[
        StatsFormat,
        typer.Option(
            "--format",
            help="table (charts in the terminal) or markdown (a recap to post).",
        ),
    ] = StatsFormat.table,
    as_json: JSON = False,
    *,
    filters: dict[str, Any],
) -> None:
    """Charts of what you watch and how you rate it; --watched-in YEAR for one year in review."""
    if as_json and output_format is StatsFormat.markdown:
        fail("choose one of --json and --format markdown", ExitCode.USAGE)
    chosen = build_filters({**filters, "year": released_in, "watched_in": year}, words)
    watch_year = chosen.watched_year
    result, total = journal(ctx).stats(chosen, year=watch_year, top=top)
    if as_json:
        print_json(result.to_json())
        return
    if output_format is StatsFormat.markdown:
        from filmlog.recap import recap

        typer.echo(recap(result), nl=False)
        return
    found = result.totals.reviews
    if not found:
        nothing_found(total)
        return
    from filmlog.charts import stats_view

    filtered = not chosen.is_empty() or watch_year is not None
    noun = "review" if found == 1 else "reviews"
    heading = f"{found:,} of {total:,} reviews" if filtered else f"All {found:,} {noun}"
    if watch_year is not None:
        heading += f" watched in {watch_year}"
    page(ctx, stats_view(result, heading))


@app.command()
def history(
    ctx: typer.Context,
    title: Annotated[
        str,
        typer.Argument(
            help='The film\'s title, with the year to tell remakes apart: "Her (2013)".',
            show_default=False,
            autocompletion=completion.titles,
        ),
    ],
    as_json: JSON = False,
) -> None:
    """Every viewing of one film, oldest first, and how your rating changed between them."""
    found = journal(ctx).history(title)
    if as_json:
        print_json(found.to_json())
        return
    from filmlog.charts import history_view

    page(ctx, history_view(found))
