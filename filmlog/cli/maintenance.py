"""Looking after the journal: doctor (check and repair) and undo."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from filmlog.cli.base import app, confirm, fail, info, journal, out, state, summary

if TYPE_CHECKING:
    from filmlog.doctor import Report, UndoPlan
    from filmlog.storage import Journal

YES = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _command(ctx: typer.Context, words: str) -> str:
    """The command line to suggest, naming the journal if it was chosen with --db."""
    db = state(ctx).db
    if db is None:
        return f"filmlog {words}"
    import shlex

    return f"filmlog --db {shlex.quote(str(db))} {words}"


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _size(count: int) -> str:
    if count < 1000:
        return f"{count:,} bytes"
    return f"{count / 1000:.1f} kB" if count < 1_000_000 else f"{count / 1_000_000:.1f} MB"


_INDEX_STATES = {
    "current": "up to date with the journal.",
    "rebuilt": "rebuilt from the journal (it was missing, out of date or damaged).",
    "not kept": "none kept here (reads parse the journal itself).",
}


def _print_report(report: Report, store: Journal, *, check_backups: bool) -> None:
    from filmlog import backups
    from filmlog import doctor as checkup
    from filmlog.parsing import plural  # not at import: completion loads this module

    out(f"Journal: {store.path}")
    if not report.exists:
        out("  There is no journal here yet: nothing to check.")
    elif report.healthy:
        ids = f"highest ID {report.highest_id}, next ID {report.next_id}"
        out(f"  Reviews: {report.reviews:,} ({ids})")
        if report.deleted:
            out(f"  Deleted reviews remembered for merges: {report.deleted:,}")
        if report.conflicts:
            out("  Values set aside by merges (both copies changed them), oldest first:")
            for line in report.conflicts[-checkup.MAX_LISTED :]:
                out(f"  - {line}")
        out(
            "  Healthy: valid JSON in filmlog's format, unique numeric IDs below the ID counter, "
            f"{plural(report.reviews, 'valid review')}."
        )
        if report.watchlist:
            out(f"  Watchlist: {plural(report.watchlist, 'film')}, all valid.")
        if report.index is not None:
            out(f"  Index: {_INDEX_STATES[report.index]}")
    elif report.newer:
        out(f"  Not readable by this filmlog: {report.problems[0]}")
    else:
        out(f"  Damaged: {plural(len(report.problems), 'problem')} found:")
        for problem in report.problems:
            out(f"  - {problem}")
    for warning in report.warnings:
        out(f"  Warning: {warning}")
    kept = backups.list_backups(store.target)
    where = backups.folder(store.target)
    if not kept:
        out(f"Backups: none in {where}")
        return
    out(f"Backups: {len(kept)} in {where}, newest first:")
    for backup in kept:
        try:
            size = _size(backup.path.stat().st_size)
        except OSError:
            size = "unreadable"
        line = f"  {backup.name}  replaced {_when(backup.taken)}  {size}"
        if check_backups:
            found = checkup.check_backup(backup)
            line += (
                f"  good, {plural(found.reviews, 'review')}"
                if found.healthy
                else f"  damaged: {found.problems[0]}"
            )
        out(line)


@app.command()
def doctor(
    ctx: typer.Context,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Move a damaged journal aside; restore the newest backup that passes the check.",
        ),
    ] = False,
    yes: YES = False,
) -> None:
    """Check the journal for damage; --repair restores the newest good backup (deletes nothing)."""
    from filmlog import doctor as checkup
    from filmlog.parsing import plural  # not at import: completion loads this module

    store = journal(ctx)
    report = checkup.check(store)
    _print_report(report, store, check_backups=not report.healthy)
    out(_config_line())
    if report.healthy:
        if repair:
            out("Nothing to repair.")
        return
    if report.newer:
        fail(f"journal {store.path} was written by a newer filmlog; upgrade filmlog to read it")
    if not repair:
        fail(
            f"journal {store.path} is damaged; restore the newest good backup with: "
            + _command(ctx, "doctor --repair")
        )
    plan = checkup.plan_repair(store, report)
    info(
        f"Repair moves the damaged journal aside as {store.target.name}.corrupt-<time> and "
        f"restores backup {plan.backup.name} ({plural(plan.report.reviews, 'review')}, "
        f"the version replaced {_when(plan.backup.taken)})."
    )
    if not yes and not confirm("Repair the journal?"):
        fail("nothing was changed")
    aside = checkup.repair(store, plan)
    out(f"Moved the damaged journal aside to {aside}")
    out(
        f"Restored backup {plan.backup.name}: the journal holds "
        f"{plural(plan.report.reviews, 'review')} again."
    )


def _config_line() -> str:
    from filmlog import config

    try:
        found = config.load()
    except config.ConfigError as exc:
        return f"Config: {exc}"
    return f"Config: {found.path}" + ("" if found.exists else " (none yet; see filmlog config)")


def _describe_undo(plan: UndoPlan) -> list[str]:
    from filmlog import doctor as checkup
    from filmlog.parsing import plural  # not at import: completion loads this module

    lines = [f"Undo goes back to the journal as it was before {_when(plan.backup.taken)}:"]
    lines += _describe_watchlist_undo(plan)
    if not plan.reviews_change:
        if len(lines) == 1:
            lines.append("  no review changes; only the journal's bookkeeping differs.")
        return lines
    count = (
        f"from {plural(plan.before, 'review')} to {plan.after:,}"
        if plan.before != plan.after
        else f"still {plural(plan.after, 'review')}"
    )
    lines.append(
        f"  it removes {plural(len(plan.removed), 'review')}, brings back "
        f"{len(plan.restored):,} and reverts {len(plan.reverted):,} ({count})."
    )
    for verb, reviews in (
        ("remove ", plan.removed),
        ("restore", plan.restored),
        ("revert ", plan.reverted),
    ):
        for review in reviews[: checkup.MAX_LISTED]:
            lines.append(f"  {verb} {summary(review)}")
        if len(reviews) > checkup.MAX_LISTED:
            lines.append(f"  {verb} ... and {len(reviews) - checkup.MAX_LISTED:,} more")
    return lines


def _describe_watchlist_undo(plan: UndoPlan) -> list[str]:
    from filmlog import doctor as checkup
    from filmlog.parsing import plural

    lines = []
    for verb, films in (("takes off", plan.films_removed), ("puts back", plan.films_restored)):
        if films:
            lines.append(f"  it {verb} the watchlist {plural(len(films), 'film')}:")
            lines += [
                f"    #{film.id} {film.display_title}" for film in films[: checkup.MAX_LISTED]
            ]
            if len(films) > checkup.MAX_LISTED:
                lines.append(f"    ... and {len(films) - checkup.MAX_LISTED:,} more")
    return lines


@app.command()
def undo(ctx: typer.Context, yes: YES = False) -> None:
    """Undo the last change, showing what it changes first. Undo again to redo."""
    from filmlog import doctor as checkup
    from filmlog.parsing import plural  # not at import: completion loads this module

    store = journal(ctx)
    plan = checkup.plan_undo(store)
    if not yes:
        for line in _describe_undo(plan):
            info(line)
        if not confirm("Undo?"):
            fail("nothing was undone")
    checkup.undo(store, plan)
    out(
        f"Undone: {len(plan.removed):,} removed, {len(plan.restored):,} brought back, "
        f"{len(plan.reverted):,} reverted; the journal holds "
        f"{plural(plan.after, 'review')}."
    )
    if plan.films_removed or plan.films_restored:
        out(
            f"Watchlist: {len(plan.films_removed):,} taken off, "
            f"{len(plan.films_restored):,} put back."
        )
    out(f"The version you undid is kept as a backup: '{_command(ctx, 'undo')}' again redoes it.")


@app.command()
def init(ctx: typer.Context) -> None:
    """Create an empty journal at the journal's path (--db, FILMLOG_DB or the default).

    Also where the path is a symlink to a file that does not exist yet, which
    every other command refuses (it usually means a share that is not mounted).
    """
    from filmlog import doctor as checkup

    store = journal(ctx)
    if checkup.init(store):
        out(f"Created an empty journal at {store.path}")
    else:
        out(f"A journal already exists at {store.path}; nothing was changed.")
