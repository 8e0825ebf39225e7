"""The watchlist commands: films to see, listed, added, taken off, picked for tonight, exported."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from filmlog.cli.base import HelpGroup, app, console, fail, info, journal, out, print_json
from filmlog.cli.lookup import IMDB_ID, NO_LOOKUP, REFRESH, TMDB_ID
from filmlog.cli.options import _extend
from filmlog.errors import ExitCode, InvalidInput

if TYPE_CHECKING:
    from filmlog.storage import Journal
    from filmlog.tmdb.film import Film
    from filmlog.watchlist import Entry, Filters

HELP = "Films to see: list them (the default), add, remove, show, pick one for tonight, export."

watchlist_app = typer.Typer(
    cls=HelpGroup,
    name="watchlist",
    help=HELP,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(watchlist_app, name="watchlist")


class SortKey(Enum):
    added = "added"
    title = "title"
    year = "year"
    runtime = "runtime"


def _opt(names: str, help: str, **extra: Any) -> Any:
    return typer.Option(*names.split(), help=help, show_default=False, **extra)


JSON = Annotated[bool, _opt("--json", "Print JSON for scripts (see README).")]
LIMIT = Annotated[
    int | None, _opt("--limit -n", "Show at most N (default 20; --json prints all).", min=1)
]
ALL = Annotated[bool, _opt("--all -a", "Show every film.")]
SORT = Annotated[SortKey, _opt("--sort", "Order by: added (newest), title, year or runtime.")]
REVERSE = Annotated[bool, _opt("--reverse", "Reverse the order.")]
GENRE = Annotated[list[str] | None, _opt("--genre", "Any of these genres (repeatable).")]
DIRECTOR = Annotated[
    list[str] | None, _opt("--director", "Directed by (part of a name; repeatable).")
]
YEAR = Annotated[str | None, _opt("--year", "Released in this year.")]
TAG = Annotated[list[str] | None, _opt("--tag", "Any of these tags (repeatable).")]
MAX_RUNTIME = Annotated[
    str | None,
    _opt(
        "--max-runtime",
        "At most this long: 100, 1h 40m (films of unknown length are left out).",
        metavar="MINUTES",
    ),
]
WORDS = Annotated[
    list[str] | None,
    typer.Argument(help="Words to find (all of them) in titles, notes, people, genres and tags."),
]
ID = Annotated[int, typer.Argument(metavar="ID", help="The film's watchlist ID.")]
DEFAULT_LIMIT = 20


FILTERS = {
    "genre": GENRE,
    "director": DIRECTOR,
    "year": YEAR,
    "tag": TAG,
    "max_runtime": MAX_RUNTIME,
}


@dataclass(slots=True)
class Listing:
    """How ``watchlist`` and ``watchlist list`` show what they find."""

    limit: int | None
    show_all: bool
    sort_by: SortKey | None
    reverse: bool
    as_json: bool


# The filters and the list options, declared once for the commands that take them.
filter_options = _extend(FILTERS, "filters", dict)
listing_options = _extend(
    {"limit": LIMIT, "show_all": ALL, "sort_by": SORT, "reverse": REVERSE, "as_json": JSON},
    "listing",
    lambda values: Listing(**values),
)


def _filters(words: list[str] | None, values: dict[str, Any]) -> Filters:
    from filmlog import parsing
    from filmlog.watchlist import Filters

    year, runtime = values["year"], values["max_runtime"]
    return Filters(
        words=list(words or []),
        genres=parsing.split_list(values["genre"] or []),
        directors=list(values["director"] or []),
        tags=parsing.split_list(values["tag"] or []),
        year=None if year is None else parsing.parse_year(year),
        max_runtime=None if runtime is None else parsing.parse_runtime(runtime),
    )


def _entries(store: Journal) -> list[Entry]:
    from filmlog import watchlist

    return watchlist.entries(store.load(), store.path)


def _show_list(ctx: typer.Context, chosen: Filters, listing: Listing) -> None:
    from filmlog import watchlist

    everything = _entries(journal(ctx))
    sort_by = (listing.sort_by or SortKey.added).value
    found = watchlist.order(watchlist.select(everything, chosen), sort_by, reverse=listing.reverse)
    limit = listing.limit
    if limit is None and not listing.show_all and not listing.as_json:
        limit = DEFAULT_LIMIT
    shown = found if listing.show_all or not limit else found[:limit]
    if listing.as_json:
        print_json([film.to_json() for film in shown])
        return
    if not shown:
        info(
            "No film on the watchlist matches."
            if everything
            else "The watchlist is empty. Add a film with: filmlog watchlist add TITLE"
        )
        return
    noun = "film" if len(found) == 1 else "films"
    title = f"{len(found):,} {noun} to see"
    if len(shown) < len(found):
        title = f"{len(shown)} of {len(found):,} {noun} to see"
        info(f"Showing {len(shown)} of {len(found):,}; use --all or --limit to see more.")
    from filmlog.render import watchlist_table

    console().print(watchlist_table(shown, title=title))


@watchlist_app.callback(invoke_without_command=True)
@listing_options
@filter_options
def watchlist(ctx: typer.Context, *, listing: Listing, filters: dict[str, Any]) -> None:
    """Films to see: list them (the default), add, remove, show, pick one for tonight, export."""
    if ctx.invoked_subcommand is None:
        _show_list(ctx, _filters(None, filters), listing)


@watchlist_app.command("list")
@listing_options
@filter_options
def list_(
    ctx: typer.Context, words: WORDS = None, *, listing: Listing, filters: dict[str, Any]
) -> None:
    """List the watchlist, newest added first (20 unless --limit or --all)."""
    _show_list(ctx, _filters(words, filters), listing)


@watchlist_app.command()
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The film's title.", show_default=False)],
    year: Annotated[str | None, _opt("--year", "Year of the film's release, e.g. 2016.")] = None,
    note: Annotated[
        str | None, _opt("--note", "Why it is on the list, e.g. 'Ana says the ending is great'.")
    ] = None,
    tag: Annotated[list[str] | None, _opt("--tag", "Tag (repeatable, or comma-separated).")] = None,
    director: Annotated[
        list[str] | None, _opt("--director", "Director (repeatable, or comma-separated).")
    ] = None,
    genre: Annotated[
        list[str] | None, _opt("--genre", "Genre (repeatable, or comma-separated).")
    ] = None,
    runtime: Annotated[str | None, _opt("--runtime", "Runtime: 126, 126m, '2h 6m'.")] = None,
    tmdb_id: TMDB_ID = None,
    imdb: IMDB_ID = None,
    no_lookup: NO_LOOKUP = False,
    refresh: REFRESH = False,
) -> None:
    """Put a film on the watchlist; prints its watchlist ID.

    With a TMDB credential set, the film is looked up and its year, directors,
    genres and runtime are filled in where not typed, to choose a film by later.
    """
    from filmlog import parsing
    from filmlog.model import dedupe_casefold
    from filmlog.watchlist import Editor, Entry, same_film

    if not title.strip():
        fail("the title must not be empty", ExitCode.USAGE)
    entry = Entry(
        title=" ".join(title.split()),
        year=None if year is None else parsing.parse_year(year),
        note=note if note and note.strip() else None,
        tags=dedupe_casefold(parsing.split_list(tag or [])),
        directors=parsing.split_list(director or []),
        genres=dedupe_casefold(parsing.split_list(genre or [])),
        runtime=None if runtime is None else parsing.parse_runtime(runtime),
    )
    if no_lookup and (tmdb_id is not None or imdb is not None):
        fail("--no-lookup cannot be given with --tmdb or --imdb", ExitCode.USAGE)
    filled: list[str] = []
    if not no_lookup:
        from filmlog.cli import lookup

        escape = "; nothing was added to the watchlist (use --no-lookup to add it as typed)"
        film = lookup.look_up(
            entry.title, entry.year, tmdb_id=tmdb_id, imdb=imdb, refresh=refresh, escape=escape
        )
        if film is not None:
            filled = _fill(entry, film)
    with journal(ctx).transaction() as session:
        editor = Editor(session)
        same = [other for other in editor.entries() if same_film(entry, other)]
        if same:
            raise InvalidInput(
                f"{same[0].display_title} is on the watchlist already, as #{same[0].id}"
            )
        editor.add(entry)
    out(f"Added to the watchlist: #{entry.id} {entry.display_title}")
    if filled:
        info(f"Filled from TMDB {entry.tmdb_id}: {', '.join(filled)}.")


# What a lookup fills on a watchlist entry, in the words of the review's note.
_FACTS = {
    "year": "year",
    "directors": "directors",
    "genres": "genres",
    "runtime": "runtime",
    "tmdb_id": "TMDB ID",
    "imdb_id": "IMDb ID",
    "original_title": "original title",
}


def _fill(entry: Entry, film: Film) -> list[str]:
    """Copy ``film``'s facts onto ``entry`` where it has none (what was typed wins)."""
    filled = []
    for name, words in _FACTS.items():
        value = getattr(film, name)
        if value and not getattr(entry, name):
            setattr(entry, name, list(value) if isinstance(value, list) else value)
            filled.append(words)
    return filled


@watchlist_app.command()
def remove(
    ctx: typer.Context,
    entry_ids: Annotated[list[int], typer.Argument(metavar="ID...", help="Watchlist IDs.")],
) -> None:
    """Take films off the watchlist ('filmlog undo' puts them back). Their IDs are never reused."""
    from filmlog.watchlist import Editor

    with journal(ctx).transaction() as session:
        removed = Editor(session).remove(entry_ids)
    for film in removed:
        out(f"Removed from the watchlist: #{film.id} {film.display_title}")


def _get(store: Journal, entry_id: int) -> Entry:
    from filmlog import watchlist

    return watchlist.find(store.load(), store.path, entry_id)


@watchlist_app.command()
def show(ctx: typer.Context, entry_id: ID, as_json: JSON = False) -> None:
    """Everything known about one film on the watchlist."""
    film = _get(journal(ctx), entry_id)
    if as_json:
        print_json(film.to_json())
        return
    from filmlog.render import watchlist_panel

    console().print(watchlist_panel(film))


@watchlist_app.command()
@filter_options
def pick(
    ctx: typer.Context,
    words: WORDS = None,
    seed: Annotated[
        int | None, _opt("--seed", "Seed the choice, for the same pick every time.")
    ] = None,
    as_json: JSON = False,
    *,
    filters: dict[str, Any],
) -> None:
    """Pick one film from the (filtered) watchlist at random: tonight's film."""
    import random

    from filmlog import watchlist

    everything = _entries(journal(ctx))
    found = watchlist.select(everything, _filters(words, filters))
    chosen = watchlist.pick(found, random.Random(seed))
    if chosen is None:
        info("No film on the watchlist matches." if everything else "The watchlist is empty.")
        raise typer.Exit(ExitCode.ERROR)
    if as_json:
        print_json(chosen.to_json())
        return
    from filmlog.render import watchlist_panel

    console().print(watchlist_panel(chosen))
    info(f"Log it when it ends: filmlog add --from-watchlist {chosen.id}")


@watchlist_app.command("export")
def export_(
    ctx: typer.Context,
    output_text: Annotated[
        str | None,
        _opt("--output -o", "Write to this file instead of standard output.", metavar="FILE"),
    ] = None,
    force: Annotated[bool, _opt("--force", "Replace the file if it exists.")] = False,
) -> None:
    """Export the watchlist as CSV that Letterboxd's watchlist import reads."""
    from filmlog.cli.transfer import _as_path, _to_stdout, _write_files
    from filmlog.exporters._watchlist import export

    store = journal(ctx)
    films = _entries(store)
    part = export(films)
    if output_text in (None, "-"):
        _to_stdout(part.data)
        return
    target = _as_path(output_text)
    _write_files([(target, part.data)], force=force, keep=(store.target, store.lock_path))
    noun = "film" if len(films) == 1 else "films"
    info(f"Exported {len(films):,} {noun} to {target}")
