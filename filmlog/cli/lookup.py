"""Looking films up on TMDB for ``add``, ``edit`` and ``enrich``: settings, choosing a film.

Imported only by commands that may look a film up; the HTTP client itself is
imported only once a lookup really happens (a credential is set and
``--no-lookup`` was not given).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from filmlog.cli.base import ask, info
from filmlog.errors import FilmlogError, InvalidInput

if TYPE_CHECKING:
    from filmlog.model import Review
    from filmlog.tmdb.client import Client
    from filmlog.tmdb.film import Candidate, Film
    from filmlog.tmdb.settings import Settings

PICK_LIMIT = 8  # films shown in a pick list; a title with more needs --year or --tmdb
HINT_MARKER = "tmdb-hint-shown"
LOOKUP_PANEL = "Film facts from TMDB"

TMDB_ID = Annotated[
    int | None,
    typer.Option(
        "--tmdb",
        metavar="ID",
        min=1,
        help="Take the facts of this TMDB film (the number in its themoviedb.org address).",
        rich_help_panel=LOOKUP_PANEL,
        show_default=False,
    ),
]
IMDB_ID = Annotated[
    str | None,
    typer.Option(
        "--imdb",
        metavar="ttID",
        help="Take the facts of the film IMDb knows by this ID, e.g. tt1798709.",
        rich_help_panel=LOOKUP_PANEL,
        show_default=False,
    ),
]
NO_LOOKUP = Annotated[
    bool,
    typer.Option(
        "--no-lookup",
        help="Do not look the film up on TMDB; keep only what is typed.",
        rich_help_panel=LOOKUP_PANEL,
    ),
]
REFRESH = Annotated[
    bool,
    typer.Option(
        "--refresh",
        help="Ask TMDB again instead of using answers cached in the last 30 days.",
        rich_help_panel=LOOKUP_PANEL,
    ),
]
OVERWRITE = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="Replace facts already there with TMDB's (never text, rating, dates or tags).",
        rich_help_panel=LOOKUP_PANEL,
    ),
]

FIELD_NAMES = {
    "year": "year",
    "release_date": "release date",
    "directors": "directors",
    "cast": "cast",
    "genres": "genres",
    "runtime": "runtime",
    "mpaa": "MPAA rating",
    "tmdb_id": "TMDB ID",
    "imdb_id": "IMDb ID",
    "original_title": "original title",
}


def settings(flags: Mapping[str, object] | None = None) -> Settings:
    """This process's lookup settings (flags, then the environment, then defaults)."""
    from filmlog.tmdb.settings import from_environment

    return from_environment(flags)


def client(chosen: Settings, *, refresh: bool = False) -> Client:
    from filmlog.tmdb.client import Client

    return Client(chosen, refresh=refresh)


def hint_once(chosen: Settings) -> None:
    """Say once, ever, that a TMDB credential would fill the facts in."""
    from filmlog.tmdb.settings import KEY_ENV, cache_folder

    folder = cache_folder(chosen)
    marker = folder / HINT_MARKER
    if marker.exists():
        return
    info(
        f"Tip: set {KEY_ENV} to fill in directors, cast, genres, runtime and more from TMDB "
        "(see 'Film facts from TMDB' in the README)."
    )
    with contextlib.suppress(OSError):  # unable to remember: the tip shows again, no harm
        folder.mkdir(parents=True, exist_ok=True)
        marker.touch()


def imdb_id(text: str | None) -> str | None:
    """``--imdb`` checked: ``tt`` and digits, as in an IMDb address."""
    if text is None:
        return None
    from filmlog.model import IMDB_ID

    cleaned = text.strip()
    if not IMDB_ID.fullmatch(cleaned):
        raise InvalidInput(f"--imdb takes an IMDb ID such as tt1798709, not {text!r}")
    return cleaned


def needs_credential(chosen: Settings, what: str) -> None:
    if not chosen.has_credential:
        from filmlog.tmdb.settings import HOW_TO_SET

        raise InvalidInput(f"{what} looks films up on TMDB, which needs a credential: {HOW_TO_SET}")


def interactive() -> bool:
    """Whether a person can answer a pick list: standard input and error are a terminal."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def find(
    api: Client,
    title: str,
    year: int | None,
    *,
    tmdb_id: int | None = None,
    imdb: str | None = None,
    escape: str = "",
) -> Film:
    """The film a pin names, else the one the title (and year) can only mean.

    ``escape`` ends the message when no film is taken: what else the person can do.
    """
    from filmlog.tmdb import NotOnTMDB

    if tmdb_id is not None:
        return api.film(tmdb_id)
    if imdb is not None:
        found = api.find_imdb(imdb)
        if found is None:
            raise NotOnTMDB(f"TMDB has no film with IMDb ID {imdb}")
        return api.film(found)
    return choose(api, title, year, escape=escape)


def look_up(
    title: str,
    year: int | None,
    *,
    tmdb_id: int | None,
    imdb: str | None,
    refresh: bool,
    escape: str,
) -> Film | None:
    """The film ``title`` (or a pin) names on TMDB; None without a credential.

    A pin given without a credential is an error: it asks for a lookup by name.
    """
    pinned = imdb_id(imdb)
    chosen = settings()
    if not chosen.has_credential:
        if tmdb_id is not None or pinned is not None:
            needs_credential(chosen, "--tmdb or --imdb")
        return None
    with client(chosen, refresh=refresh) as api:
        return find(api, title, year, tmdb_id=tmdb_id, imdb=pinned, escape=escape)


def choose(api: Client, title: str, year: int | None, *, escape: str = "") -> Film:
    """The one search result with this title (and year); a pick list on a terminal."""
    from filmlog.tmdb import Ambiguous, NotOnTMDB
    from filmlog.tmdb.film import exact

    found = api.search(title, year)
    matches = exact(found, title, year)
    if len(matches) == 1:
        return api.film(matches[0].tmdb_id)
    named = repr(title) + (f" from {year}" if year else "")
    if not found:
        raise NotOnTMDB(f"TMDB has no film called {named}{escape}")
    shown = (matches or found)[:PICK_LIMIT]
    if interactive():
        return pick(api, shown, named)
    for line in candidate_lines(shown):
        info(line)
    films = "film matches" if len(shown) == 1 else "films match"
    exactly = "" if matches else ", none of them exactly"
    raise Ambiguous(
        f"{len(shown)} TMDB {films} {named}{exactly} (listed above); pin one with --tmdb ID{escape}"
    )


def candidate_lines(shown: list[Candidate]) -> list[str]:
    """``  TMDB 1398  Stalker (1979) · Сталкер``, one per candidate."""
    width = max(len(str(c.tmdb_id)) for c in shown)
    return [f"  TMDB {c.tmdb_id:<{width}}  {c.label()}" for c in shown]


def pick(api: Client, shown: list[Candidate], named: str) -> Film:
    """Ask which of ``shown`` is meant, with each one's director to tell them apart."""
    films = [api.film(candidate.tmdb_id) for candidate in shown]  # cached for the one picked
    info(f"Several films on TMDB match {named}:")
    for number, film in enumerate(films, 1):
        info(f"  {number}. {film.candidate().label()}")
    while True:
        answer = ask(f"Which one? 1-{len(films)}, or Enter for none")
        if not answer:
            raise FilmlogError("no film chosen; nothing was changed")
        if answer.isdigit() and 1 <= int(answer) <= len(films):
            return films[int(answer) - 1]
        info(f"Please answer a number from 1 to {len(films)}, or press Enter.")


def fill_review(
    review: Review,
    film: Film,
    known_genres: Mapping[str, str] | None,
    *,
    overwrite: bool = False,
    keep: frozenset[str] = frozenset(),
) -> list[str]:
    """Copy ``film``'s facts onto ``review``; genres join the journal's spellings."""
    from filmlog.model import dedupe_casefold
    from filmlog.tmdb.film import fill

    changed = fill(review, film, overwrite=overwrite, keep=keep)
    if "genres" in changed and known_genres:
        review.genres = dedupe_casefold(review.genres, dict(known_genres))
    return changed


def filled_note(changed: list[str], film: Film) -> str:
    """``Filled from TMDB 152601: year, release date, directors...`` for stderr."""
    if not changed:
        return f"TMDB {film.tmdb_id} ({film.title}) had nothing to add."
    return f"Filled from TMDB {film.tmdb_id}: {', '.join(FIELD_NAMES[n] for n in changed)}."


# Fields of ReviewInput (what add and edit take on the command line) -> the fact each sets.
TYPED_FACTS = {
    "year": "year",
    "released": "release_date",
    "directors": "directors",
    "cast": "cast",
    "genres": "genres",
    "runtime": "runtime",
    "mpaa": "mpaa",
}


def typed(given: list[str]) -> frozenset[str]:
    """The facts given on the command line, which a lookup must leave as typed."""
    return frozenset(TYPED_FACTS[name] for name in given if name in TYPED_FACTS)
