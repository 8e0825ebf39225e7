"""The enrich command: film facts from TMDB for reviews that lack them.

Lookups happen outside the journal's lock; what they find is written in
batches of at most :data:`BATCH` reviews, each one transaction (one atomic
write). An interruption (Ctrl-C, the network, a rate limit) keeps every batch
already written and writes the one in hand, so running the command again
carries on where it stopped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from filmlog.cli.base import app, confirm, fail, info, journal, out
from filmlog.cli.lookup import LOOKUP_PANEL, OVERWRITE, REFRESH
from filmlog.cli.options import build_filters, filter_options
from filmlog.errors import ExitCode, NotFound

if TYPE_CHECKING:
    from filmlog.storage import Journal
    from filmlog.tmdb.client import Client
    from filmlog.tmdb.enrich import Outcome, Target
    from filmlog.tmdb.film import Film

BATCH = 200  # reviews per write: an interruption loses at most this much work in hand
WORKERS = 4  # films looked up at once: the answers' round trips overlap
SHOWN = 10  # films named in the summary's "not found" list


@dataclass(slots=True)
class Tally:
    """What a run did, for the summary."""

    filled: set[int] = field(default_factory=set)
    films_filled: set[int] = field(default_factory=set)
    complete: int = 0
    not_found: list[tuple[Target, Outcome]] = field(default_factory=list)
    ambiguous: list[tuple[Target, Outcome]] = field(default_factory=list)


@app.command()
@filter_options
def enrich(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Only reviews with all these words, as search finds them."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Look films up and show what would be filled.")
    ] = False,
    overwrite: OVERWRITE = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before starting.")] = False,
    refresh: REFRESH = False,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            metavar="LANG",
            help="Language of the genre names, e.g. fr-FR. Default: en-US.",
            rich_help_panel=LOOKUP_PANEL,
            show_default=False,
        ),
    ] = None,
    cast_limit: Annotated[
        int | None,
        typer.Option(
            "--cast-limit",
            metavar="N",
            help="Actors to keep, in billing order. Default: 8.",
            rich_help_panel=LOOKUP_PANEL,
            show_default=False,
        ),
    ] = None,
    *,
    filters: dict[str, Any],
) -> None:
    """Fill in film facts from TMDB for reviews that lack them, e.g. after an import.

    Only empty fields are filled unless --overwrite; the review text, rating,
    dates and tags are never touched. Interrupted, it keeps what it wrote:
    run it again to carry on.
    """
    from filmlog.cli import lookup
    from filmlog.tmdb import TMDBError
    from filmlog.tmdb.enrich import Found, resolve, targets

    chosen = lookup.settings({"language": language, "cast_limit": cast_limit})
    lookup.needs_credential(chosen, "enrich")
    store = journal(ctx)
    # Read without bodies: these copies are only read; each write reads the review afresh.
    found = store.find(build_filters(filters, words)).reviews
    todo, complete = targets(found, overwrite=overwrite)
    tally = Tally(complete=complete)
    if not todo:
        _summary(tally, dry_run=dry_run)
        return
    reviews = sum(len(target.review_ids) for target in todo)
    if not dry_run and not yes:
        noun = "film" if len(todo) == 1 else "films"
        question = (
            f"Look up {len(todo):,} {noun} on TMDB to fill the facts of "
            f"{reviews:,} {_reviews(reviews)}?"
        )
        if not confirm(question):
            fail("nothing was changed (give --yes to skip the question)")
    stopped: BaseException | None = None
    pending: dict[int, Film] = {}
    with lookup.client(chosen, refresh=refresh) as api, _progress(len(todo)) as advance:
        try:
            for target, outcome in _looked_up(api, todo, resolve):
                if outcome.film is None:
                    unsure = outcome.found is Found.AMBIGUOUS
                    (tally.ambiguous if unsure else tally.not_found).append((target, outcome))
                else:
                    for review_id in target.review_ids:
                        pending[review_id] = outcome.film
                        if len(pending) >= BATCH:
                            _write(store, pending, tally, overwrite=overwrite, dry_run=dry_run)
                advance()
        except (KeyboardInterrupt, TMDBError) as exc:
            stopped = exc
        finally:
            _write(store, pending, tally, overwrite=overwrite, dry_run=dry_run)
    _summary(tally, dry_run=dry_run)
    kept = (
        "nothing was written (dry run)"
        if dry_run
        else "what was filled is saved: run filmlog enrich again to carry on"
    )
    if isinstance(stopped, KeyboardInterrupt):
        info(f"Interrupted; {kept}.")
        raise typer.Exit(ExitCode.INTERRUPTED)
    if stopped is not None:
        fail(f"{stopped}; {kept}")


def _looked_up(
    api: Client, todo: list[Target], resolve: Callable[[Client, Target], Outcome]
) -> Iterator[tuple[Target, Outcome]]:
    """Each target with what TMDB says it is, in order, looked up :data:`WORKERS` at a time.

    An error stops the run at the film it happened to: the films before it are
    all handed back first, and lookups still running are abandoned (their
    answers are cached for the next run).
    """
    if WORKERS <= 1:
        for target in todo:
            yield target, resolve(api, target)
        return
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=WORKERS)
    try:
        # Submitted a few ahead of the one awaited, not all at once: an error then wastes little.
        ahead = WORKERS * 2
        futures = [pool.submit(resolve, api, target) for target in todo[:ahead]]
        for index, target in enumerate(todo):
            if index + ahead < len(todo):
                futures.append(pool.submit(resolve, api, todo[index + ahead]))
            yield target, futures[index].result()
    finally:
        # Not waited for: closing the client next ends their requests and waits at once.
        pool.shutdown(wait=False, cancel_futures=True)


def _write(
    store: Journal, pending: dict[int, Film], tally: Tally, *, overwrite: bool, dry_run: bool
) -> None:
    """Fill the pending reviews in one transaction (a dry run only counts), and clear them."""
    if not pending:
        return
    from filmlog.cli.lookup import fill_review

    batch = dict(pending)
    pending.clear()
    if dry_run:
        for review in store.get_many(batch):
            if fill_review(review, batch[review.id or 0], None, overwrite=overwrite):
                tally.filled.add(review.id or 0)
                tally.films_filled.add(batch[review.id or 0].tmdb_id)
            else:
                tally.complete += 1
        return
    with store.transaction() as session:
        known = session.known_spellings("genres")
        changed = []
        for review_id, film in batch.items():
            try:
                review = session.get(review_id)
            except NotFound:  # deleted since the run began
                continue
            if fill_review(review, film, known, overwrite=overwrite):
                changed.append(review)
                tally.filled.add(review_id)
                tally.films_filled.add(film.tmdb_id)
            else:
                tally.complete += 1
        session.update_many(changed)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when it is a terminal; otherwise nothing to see."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Looking films up", total=total)
        yield lambda: bar.advance(task)


def _summary(tally: Tally, *, dry_run: bool) -> None:
    """What was filled, what was complete, and what needs a person: not found, ambiguous."""
    filled = len(tally.filled)
    films = len(tally.films_filled)
    verb = "Would fill" if dry_run else "Filled"
    out(
        f"{verb} {filled:,} {_reviews(filled)} of {films:,} {'film' if films == 1 else 'films'} "
        "from TMDB." + (" Nothing was written (dry run)." if dry_run else "")
    )
    out(f"Already complete: {tally.complete:,} {_reviews(tally.complete)}.")
    lost = sum(len(target.review_ids) for target, _ in tally.not_found)
    out(
        f"Not found on TMDB: {len(tally.not_found):,} "
        f"{'film' if len(tally.not_found) == 1 else 'films'} ({lost:,} {_reviews(lost)})."
    )
    for target, outcome in tally.not_found[:SHOWN]:
        near = "; ".join(f"{c.tmdb_id} {c.label()}" for c in outcome.candidates[:3])
        # No film has this title, but one of these may be it under another: say how to pin it.
        pin = f": filmlog edit {target.review_ids[0]} --tmdb ID  (closest: {near})" if near else ""
        out(f"  #{target.review_ids[0]} {_named(target)}{pin}")
    if len(tally.not_found) > SHOWN:
        out(f"  ... and {len(tally.not_found) - SHOWN:,} more")
    if not tally.ambiguous:
        out("Ambiguous: 0 films.")
        return
    noun = "film" if len(tally.ambiguous) == 1 else "films"
    out(f"Ambiguous: {len(tally.ambiguous):,} {noun}; pin each, then run filmlog enrich again:")
    for target, outcome in tally.ambiguous:
        choices = "; ".join(f"{c.tmdb_id} {c.label()}" for c in outcome.candidates)
        out(f"  {_named(target)}: filmlog edit {target.review_ids[0]} --tmdb ID  ({choices})")


def _named(target: Target) -> str:
    return f"{target.title} ({target.year})" if target.year else target.title


def _reviews(count: int) -> str:
    return "review" if count == 1 else "reviews"
