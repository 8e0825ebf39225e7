"""The everyday commands: add, edit, rate, delete, show, list and search."""

from __future__ import annotations

import os
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from filmlog.cli import completion
from filmlog.cli.base import (
    EndOfInput,
    app,
    ask,
    confirm,
    fail,
    info,
    journal,
    nothing_found,
    out,
    print_json,
    print_view,
    summary,
)
from filmlog.cli.lookup import IMDB_ID, LOOKUP_PANEL, NO_LOOKUP, OVERWRITE, REFRESH, TMDB_ID
from filmlog.cli.options import ReviewOptions, build_filters, filter_options, review_options
from filmlog.cli.pager import page
from filmlog.errors import ExitCode, FilmlogError, InvalidInput
from filmlog.model import Review

if TYPE_CHECKING:
    from filmlog import watchlist
    from filmlog.entry import ReviewInput
    from filmlog.session import Session
    from filmlog.storage import Journal
    from filmlog.tmdb.film import Film

IDS = Annotated[
    list[int],
    typer.Argument(help="Review IDs.", show_default=False, autocompletion=completion.review_ids),
]
JSON = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (see README).")]


class SortKey(Enum):
    watched = "watched"
    rating = "rating"
    title = "title"
    year = "year"
    logged = "logged"


INTERACTIVE = Annotated[
    bool, typer.Option("--interactive", "-i", help="Ask for the main fields, one by one.")
]
SORT = Annotated[
    SortKey,
    typer.Option("--sort", help="Order by: watched, rating, title, year or logged."),
]
REVERSE = Annotated[bool, typer.Option("--reverse", help="Reverse the order.")]


def _resolve_body(options: ReviewOptions, current: str | None) -> None:
    """Fill ``options.fields.body`` from ``--body-file`` or ``--editor``."""
    sources = [options.fields.body is not None, options.body_file is not None, options.editor]
    if sum(sources) > 1:
        fail("give the review text one way: --body, --body-file or --editor", ExitCode.USAGE)
    from filmlog.cli import editing

    if options.body_file is not None:
        options.fields.body = editing.read_text(options.body_file)
    elif options.editor:
        text = editing.edit_text(current or "")
        # Saving without a change (an editor may add a final newline) changes nothing.
        unchanged = text.rstrip() == (current or "").rstrip()
        options.fields.body = None if unchanged and current is not None else text


QUESTIONS = (
    ("year", "Year of release"),
    ("watched", "Watched (date, today, yesterday, 3 days ago)"),
    ("rating", "Rating (4, 3.5, ★★★½, 7/10)"),
    ("genres", "Genres (comma-separated)"),
    ("directors", "Directors (comma-separated)"),
    ("verdict", "Verdict (e.g. Good)"),
    ("headline", "Headline"),
)
LISTS = ("genres", "directors")


def _as_answer(review: Review, name: str) -> str:
    """A field's value as an answer would give it, to edit in ``edit -i``."""
    if name == "watched":
        return review.watched_on.isoformat() if review.watched_on else ""
    if name == "rating":
        from filmlog.parsing import format_stars_number

        return "" if review.rating is None else format_stars_number(review.rating)
    value = getattr(review, name)
    if name in LISTS:
        return ", ".join(value)
    return "" if value is None else str(value)


def _ask_title() -> str:
    while True:
        title = ask("Title")
        if title:
            return title
        info("  the title must not be empty")


def _prompt_fields(options: ReviewOptions, title: str, current: Review | None = None) -> None:
    """Ask for the main fields not given on the command line; re-ask after a bad answer.

    For ``edit -i`` (``current`` given) each answer starts as the current value:
    Enter keeps it, ``-`` clears it. End of input ends the questions and keeps
    the answers given; Ctrl-C exits 130.
    """
    from filmlog.entry import ReviewInput, apply

    Review(title=title).validate()  # or no answer could ever be accepted
    fields = options.fields
    questions = ((("title", "Title"),) if current else ()) + QUESTIONS
    try:
        for name, question in questions:
            if getattr(fields, name) is not None:
                continue
            was = _as_answer(current, name) if current else ""
            # Enter means today, as it does for add without -i.
            default = "today" if name == "watched" and not current else ""
            while True:
                answer = ask(
                    f"{question} [{default}]" if default else question, default, prefill=was
                )
                if current and answer == was:
                    break  # kept as it is
                if answer == "-":
                    answer = ""
                value: Any = [answer] if name in LISTS else answer
                try:
                    if name == "title" and not answer:
                        raise InvalidInput("the title must not be empty")
                    apply(Review(title=title), ReviewInput(**{name: value}))
                except FilmlogError as exc:
                    info(f"  {exc}")
                    continue
                setattr(fields, name, value)
                break
        if fields.body is not None or options.editor:
            return
        if current:
            options.editor = confirm("Edit the review text in your editor?", at_end=False)
        elif confirm("Write the review in your editor?", default=True, at_end=False):
            options.editor = True
        else:
            fields.body = ask("Review text, one paragraph (Enter for none)") or None
    except EndOfInput:
        return


def _apply(session: Session, review: Review, fields: ReviewInput) -> Review:
    """Apply typed fields, matching genres and tags to the journal's first spellings.

    The spellings are looked up only when genres or tags are given: it is a
    scan of every review, which most edits do not need.
    """
    from filmlog.entry import apply

    return apply(
        review,
        fields,
        known_genres=session.known_spellings("genres") if fields.genres else None,
        known_tags=session.known_spellings("tags") if fields.tags else None,
    )


@app.command()
@review_options
def add(
    ctx: typer.Context,
    title: Annotated[
        str | None,
        typer.Argument(
            metavar="TITLE",
            help="The film's title (asked for with -i; from the watchlist with --from-watchlist).",
            show_default=False,
        ),
    ] = None,
    interactive: INTERACTIVE = False,
    tmdb_id: TMDB_ID = None,
    imdb: IMDB_ID = None,
    no_lookup: NO_LOOKUP = False,
    refresh: REFRESH = False,
    from_watchlist: Annotated[
        int | None,
        typer.Option(
            "--from-watchlist",
            metavar="ID",
            help="Log a film from the watchlist, with what it knows of it (options given win).",
            show_default=False,
        ),
    ] = None,
    *,
    options: ReviewOptions,
) -> None:
    """Log a review of a film you watched (watched today unless --watched says otherwise).

    With a TMDB credential set, the film is looked up and every fact not typed
    (year, release date, directors, cast, genres, runtime, MPAA rating) is filled in.
    A film on the watchlist comes off it.
    """
    from filmlog import watchlist

    wanted = None if from_watchlist is None else _watchlist_film(ctx, from_watchlist)
    if title is None and wanted is not None:
        title = wanted.title
    if title is None and interactive:
        title = _ask_title()
    if title is None:
        fail("give the film's title: filmlog add TITLE (or add -i to be asked)", ExitCode.USAGE)
    if not title.strip():
        fail("the title must not be empty", ExitCode.USAGE)
    if no_lookup and (tmdb_id is not None or imdb is not None):
        fail("--no-lookup cannot be given with --tmdb or --imdb", ExitCode.USAGE)
    if interactive:
        _prompt_fields(options, title)
    _resolve_body(options, None)
    fields = options.fields
    fields.title = title
    if fields.reviewer is None:
        from filmlog import config

        fields.reviewer = os.environ.get("FILMLOG_REVIEWER") or config.load().get("reviewer")
    if fields.watched is None:
        fields.watched = "today"
    film = None
    if not no_lookup:
        from filmlog.entry import apply

        apply(Review(title=title), fields)  # a typing mistake is refused before any lookup
        if wanted is not None and tmdb_id is None and imdb is None:
            tmdb_id, imdb = wanted.tmdb_id, wanted.imdb_id  # the film the watchlist knows
        film = _look_up(title, fields.year, tmdb_id, imdb, refresh)
    changed: list[str] = []
    with journal(ctx).transaction() as session:
        editor = watchlist.Editor(session)
        review = Review(title=title)
        if wanted is not None:
            # Read again under the lock: what was read before may have changed since.
            wanted = editor.get(wanted.id or 0)
            review = watchlist.review_of(wanted, title)
            editor.remove([wanted.id or 0])
        if film is not None:
            from filmlog.cli.lookup import fill_review, typed

            known = session.known_spellings("genres")
            changed = fill_review(review, film, known, keep=typed(fields.given()))
        review = _apply(session, review, fields)
        session.add(review)
        earlier = session.same_film(review) if fields.rewatch is None else []
        crossed = [wanted] if wanted else []
        crossed += editor.cross_off([review])
    out(f"Added {summary(review)}")
    for entry in crossed:
        info(f"Crossed off the watchlist: #{entry.id} {entry.display_title}")
    if earlier:
        seen = ", ".join(f"#{i}" for i in earlier)
        info(
            f"{review.display_title} is already in the journal ({seen}): if this was a "
            f"rewatch, mark it with: filmlog edit {review.id} --rewatch"
        )
    if not no_lookup:
        from filmlog.cli import lookup

        if film is None:
            lookup.hint_once(lookup.settings())
        else:
            info(lookup.filled_note(changed, film))


def _look_up(
    title: str, year_text: str | None, tmdb_id: int | None, imdb: str | None, refresh: bool
) -> Film | None:
    """The film ``add`` logs, from TMDB; None without a credential."""
    from filmlog.cli import lookup
    from filmlog.parsing import parse_year

    year = parse_year(year_text) if year_text and year_text.strip() else None
    escape = "; nothing was added (use --no-lookup to add it as typed)"
    return lookup.look_up(title, year, tmdb_id=tmdb_id, imdb=imdb, refresh=refresh, escape=escape)


def _watchlist_film(ctx: typer.Context, entry_id: int) -> watchlist.Entry:
    from filmlog import watchlist

    store = journal(ctx)
    return watchlist.find(store.load(), store.path, entry_id)


@app.command()
@review_options
def edit(
    ctx: typer.Context,
    review_id: Annotated[
        int,
        typer.Argument(
            metavar="ID", help="The review to change.", autocompletion=completion.review_ids
        ),
    ],
    title: Annotated[
        str | None, typer.Option("--title", help="Correct the title.", show_default=False)
    ] = None,
    interactive: INTERACTIVE = False,
    lookup: Annotated[
        bool,
        typer.Option(
            "--lookup",
            help="Fill the film's facts from TMDB (its stored IDs, else title and year).",
            rich_help_panel=LOOKUP_PANEL,
        ),
    ] = False,
    tmdb_id: TMDB_ID = None,
    imdb: IMDB_ID = None,
    overwrite: OVERWRITE = False,
    refresh: REFRESH = False,
    *,
    options: ReviewOptions,
) -> None:
    """Change a review: only the options given change (an empty value clears a field).

    --lookup (or --tmdb/--imdb) fills the film's empty facts from TMDB;
    --overwrite replaces the facts already there too.
    """
    options.fields.title = title
    if title is not None and not title.strip():
        fail("the title must not be empty", ExitCode.USAGE)
    looking = lookup or tmdb_id is not None or imdb is not None
    store = journal(ctx)
    current = store.get(review_id) if options.editor or interactive or looking else None
    if interactive and current is not None:
        _prompt_fields(options, current.title, current)
    _resolve_body(options, current.body if current else None)
    if not options.fields.given() and not looking:
        if current is None:
            fail("nothing to change: give at least one option (see --help)", ExitCode.USAGE)
        out(f"No changes to {summary(current)}")
        return
    film = None
    if current is not None and looking:
        film = _look_up_again(current, options.fields, tmdb_id, imdb, refresh)
    filled: list[str] = []
    with store.transaction() as session:
        before = session.get(review_id)
        if current is not None:
            _refuse_if_changed(store, current, before, options)
        review = session.get(review_id)
        if film is not None:
            from filmlog.cli.lookup import fill_review, typed

            # Pinned to another film than the stored one: the old facts were of the wrong film.
            other = review.tmdb_id is not None and review.tmdb_id != film.tmdb_id
            known = session.known_spellings("genres")
            keep = typed(options.fields.given())
            filled = fill_review(review, film, known, overwrite=overwrite or other, keep=keep)
        if options.fields.given():
            review = _apply(session, review, options.fields)
        changed = review.to_dict() != before.to_dict()
        if changed:  # an unchanged review keeps its version: no write, no backup
            session.update(review)
    out(f"{'Updated' if changed else 'No changes to'} {summary(review)}")
    if film is not None:
        from filmlog.cli.lookup import filled_note

        info(filled_note(filled, film))


def _look_up_again(
    review: Review, fields: ReviewInput, tmdb_id: int | None, imdb: str | None, refresh: bool
) -> Film:
    """The film of a stored review: pinned by the flags, else by its IDs, else by title."""
    from filmlog.cli import lookup

    pinned = lookup.imdb_id(imdb)
    chosen = lookup.settings()
    lookup.needs_credential(chosen, "--lookup")
    from filmlog.parsing import parse_year

    title = fields.title.strip() if fields.title else review.title
    year = review.year
    if fields.year is not None:
        year = parse_year(fields.year) if fields.year.strip() else None
    if tmdb_id is None and pinned is None:
        # What the review already says, unless the command line is correcting it.
        from filmlog.tmdb.enrich import imdb_id_of

        stored = imdb_id_of(review)
        if review.tmdb_id is not None and fields.title is None:
            tmdb_id = review.tmdb_id
        elif stored and fields.title is None:
            pinned = stored
    escape = f"; nothing was changed (filmlog edit {review.id} --tmdb ID pins the film)"
    with lookup.client(chosen, refresh=refresh) as api:
        return lookup.find(api, title, year, tmdb_id=tmdb_id, imdb=pinned, escape=escape)


def _refuse_if_changed(store: Journal, opened: Review, now: Review, options: ReviewOptions) -> None:
    """Stop an edit whose review changed while the editor or the questions were open.

    Writing the edit now would silently undo that other change; the text from
    the editor is kept in a file beside the journal instead, and named.
    """
    was, is_now = opened.to_dict(), now.to_dict()
    if was == is_now:
        return
    fields = [key for key in is_now if is_now[key] != was.get(key) and key != "updated_at"]
    what = ", ".join(fields) or "updated_at"
    message = f"review #{now.id} changed while you were editing it ({what}); nothing was written"
    if options.editor and options.fields.body is not None:
        from filmlog.cli import editing

        kept = editing.keep_text(options.fields.body, store.target, f"review-{now.id}")
        message += f"; your text is kept in {kept}; merge it with: filmlog edit {now.id} --editor"
    else:
        message += "; run the edit again"
    raise FilmlogError(message)


@app.command()
def rate(
    ctx: typer.Context,
    review_id: Annotated[
        int,
        typer.Argument(
            metavar="ID", help="The review to rate.", autocompletion=completion.review_ids
        ),
    ],
    stars: Annotated[
        str, typer.Argument(help="Stars: 4, 3.5, 3½, ★★★½, 4/5 or 7/10.", show_default=False)
    ],
) -> None:
    """Set a review's star rating, showing the old and the new."""
    from filmlog.parsing import format_stars, parse_rating

    rating = parse_rating(stars)
    with journal(ctx).transaction() as session:
        review = session.get(review_id)
        old = review.rating
        if old != rating:  # the same rating again keeps the journal and its backups as they are
            review.rating = rating
            session.update(review)
    if old == rating:
        out(
            f"Rated #{review.id} {review.display_title}: {format_stars(rating)} already; "
            "nothing changed"
        )
        return
    before = format_stars(old) if old is not None else "unrated"
    out(f"Rated #{review.id} {review.display_title}: {before} → {format_stars(rating)}")


@app.command()
def delete(
    ctx: typer.Context,
    review_ids: IDS,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete reviews (asks first unless --yes). Their IDs are never reused."""
    store = journal(ctx)
    if not yes:
        # Asking happens before the lock is taken: a person may take a while to answer.
        doomed = store.get_many(dict.fromkeys(review_ids))
        for review in doomed:
            info(f"  {summary(review)}")
        noun = "review" if len(doomed) == 1 else f"{len(doomed)} reviews"
        if not confirm(f"Delete {noun}?"):
            fail("nothing was deleted")
    with store.transaction() as session:
        removed = session.delete(review_ids)
    for review in removed:
        out(f"Deleted {summary(review)}")


@app.command()
def show(
    ctx: typer.Context,
    review_ids: IDS,
    as_json: JSON = False,
) -> None:
    """Read reviews in full, laid out like a published review."""
    store = journal(ctx)
    reviews = store.get_many(review_ids)
    if as_json:
        print_json([r.to_json() for r in reviews])
        return
    from filmlog.render import review_panels

    page(ctx, review_panels(reviews))


LIMIT = Annotated[
    int | None,
    typer.Option(
        "--limit", "-n", min=1, help="Show at most N (default 20; --json prints every match)."
    ),
]
ALL = Annotated[bool, typer.Option("--all", "-a", help="Show every match.")]
DEFAULT_LIMIT = 20


def _find_and_show(
    ctx: typer.Context,
    filters: dict[str, Any],
    words: list[str] | None,
    *,
    limit: int | None,
    show_all: bool,
    sort_by: SortKey,
    reverse: bool,
    as_json: bool,
    full: bool = False,
    found_title: bool = False,
    snippets: bool = False,
) -> None:
    """What list and search share: filter, sort, cut to the limit, render or print JSON."""
    if limit is None and not show_all and not as_json:
        limit = DEFAULT_LIMIT
    found = journal(ctx).find(
        build_filters(filters, words),
        sort_by.value,
        reverse=reverse,
        limit=None if show_all else limit,
        bodies=full or as_json or snippets,
    )
    shown, matched = found.reviews, found.matched
    if as_json:
        print_json([r.to_json() for r in shown])
        return
    if not shown:
        nothing_found(found.total)
        return
    noun = "review" if matched == 1 else "reviews"
    title = f"{matched:,} {noun} found" if found_title else None
    if len(shown) < matched:
        title = f"{len(shown)} of {matched:,} {noun}{' found' if found_title else ''}"
    from filmlog import render

    reasons = None
    if words and (full or snippets):
        from filmlog.query import SNIPPET_LENGTH, snippet

        # A table row has room for a shorter stretch than a panel.
        length = SNIPPET_LENGTH if full else SNIPPET_LENGTH // 2
        reasons = {r.id or 0: why for r in shown if (why := snippet(r, words, length))}
    if full:
        page(ctx, render.review_panels(shown, reasons))
    else:
        print_view(render.review_table(shown, title=title, matched=reasons if snippets else None))
    if len(shown) < matched:
        info(f"Showing {len(shown)} of {matched:,}; use --all or --limit to see more.")


@app.command("list")
@filter_options
def list_(
    ctx: typer.Context,
    limit: LIMIT = None,
    show_all: ALL = False,
    sort_by: SORT = SortKey.watched,
    reverse: REVERSE = False,
    as_json: JSON = False,
    *,
    filters: dict[str, Any],
) -> None:
    """List reviews, newest watched first (20 unless --limit or --all)."""
    _find_and_show(
        ctx,
        filters,
        None,
        limit=limit,
        show_all=show_all,
        sort_by=sort_by,
        reverse=reverse,
        as_json=as_json,
    )


@app.command()
@filter_options
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Words to find (all of them), case- and accent-insensitive."),
    ] = None,
    full: Annotated[
        bool,
        typer.Option("--full", help="Show whole reviews as panels, each with why it matched."),
    ] = False,
    snippets: Annotated[
        bool,
        typer.Option("--snippets", help="Add a column showing where the words were found."),
    ] = False,
    limit: LIMIT = None,
    show_all: ALL = False,
    sort_by: SORT = SortKey.watched,
    reverse: REVERSE = False,
    as_json: JSON = False,
    *,
    filters: dict[str, Any],
) -> None:
    """Search reviews by words in title, headline, body, people and tags, and by filters."""
    _find_and_show(
        ctx,
        filters,
        words,
        limit=limit,
        show_all=show_all,
        sort_by=sort_by,
        reverse=reverse,
        as_json=as_json,
        full=full,
        found_title=True,
        snippets=snippets,
    )
