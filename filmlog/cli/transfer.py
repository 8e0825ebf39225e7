"""The export and import commands: formats come from the registries, files are written safely.

Exporters and importers are pure; everything that touches the disk is here.
Export files are written through a temporary file and renamed into place, and
without ``--force`` a file that exists (or appears meanwhile) is never
replaced. An import is one transaction: one atomic write of the journal, or
none at all.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from filmlog.cli.base import app, console, error, info, journal
from filmlog.cli.options import build_filters, filter_options
from filmlog.errors import ExitCode, InvalidInput, StorageError
from filmlog.exporters import FORMATS as EXPORT_FORMATS
from filmlog.importers import FORMATS as IMPORT_FORMATS

if TYPE_CHECKING:
    from filmlog.exporters import Part
    from filmlog.importers import Parsed, Rejected
    from filmlog.importers.merge import Plan
    from filmlog.importers.watchlist import Films
    from filmlog.model import Review
    from filmlog.session import Session
    from filmlog.storage import Journal
    from filmlog.watchlist import Brought

# Choices built from the registries: a new format module shows up here by itself.
ExportChoice = Enum("ExportChoice", {name: name for name in EXPORT_FORMATS}, type=str)  # type: ignore[misc]  # members come from the registry
ImportChoice = Enum("ImportChoice", {name: name for name in IMPORT_FORMATS}, type=str)  # type: ignore[misc]  # as above

_MARKDOWN = ExportChoice("markdown")
_SPLITTING = [f.name for f in EXPORT_FORMATS.values() if f.splits]
_EXPORT_HELP = "Format: " + "; ".join(f"{f.name}: {f.help}" for f in EXPORT_FORMATS.values())
_IMPORT_HELP = "Format (detected from the content when not given): " + "; ".join(
    f"{f.name}: {f.help}" for f in IMPORT_FORMATS.values()
)
# Below this many rows an import finishes before a progress bar would be worth drawing.
PROGRESS_FROM = 500


@app.command()
@filter_options
def export(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Only reviews with all these words, as search finds them."),
    ] = None,
    format_name: Annotated[
        ExportChoice, typer.Option("--format", "-f", help=_EXPORT_HELP)
    ] = _MARKDOWN,
    output_text: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to this file instead of standard output (Letterboxd parts: FILE-1.csv...).",
            show_default=False,
        ),
    ] = None,
    split_text: Annotated[
        str | None,
        typer.Option(
            "--split",
            metavar="DIR",
            help=f"Write one file per review into this folder ({', '.join(_SPLITTING)}).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace files that already exist.")
    ] = False,
    *,
    filters: dict[str, Any],
) -> None:
    """Export reviews (all, or those a search with the same words and filters finds)."""
    from filmlog.exporters import exporter

    name = str(format_name.value)
    output = None if output_text in (None, "-") else _as_path(output_text)
    split = None if split_text is None else _as_path(split_text)
    if split is not None and output is not None:
        _usage("give --output or --split, not both")
    if split is not None and name not in _SPLITTING:
        _usage(f"--split works with --format {' or '.join(_SPLITTING)}, not {name}")
    store = journal(ctx)
    reviews = store.for_export(build_filters(filters, words))
    # An export written over the journal (or its lock) would lose the journal itself.
    keep = (store.target, store.lock_path)
    noun = "review" if len(reviews) == 1 else "reviews"
    if split is not None:
        parts = exporter(name)(reviews, split=True)
        _write_split(split, parts, force=force, keep=keep)
        files = "file" if len(parts) == 1 else "files"
        info(f"Exported {len(reviews):,} {noun} to {split}{os.sep} ({len(parts):,} {files})")
        if force:
            from filmlog import stale

            names = {uuid: p.name for p in parts if (uuid := stale.post_uuid(p.data))}
            # Every review in the journal, not only those exported: a filtered export
            # leaves the posts of the reviews it did not choose alone.
            known = {review.uuid for review in store.find().reviews}
            _remove_stale(stale.stale_posts(split, names, known))
        return
    # The JSON export carries the side tables too: read once, for both.
    tables = store.side_tables() if name == "json" else {}
    parts = exporter(name)(
        reviews, **_journal_extras(name, store, tables), **_watchlist_export(name, store, tables)
    )
    if output is None:
        if len(parts) > 1:
            raise InvalidInput(
                f"this export needs {len(parts)} files (Letterboxd takes files under 1 MB "
                f"each): give --output FILE to write FILE-1.csv to FILE-{len(parts)}.csv"
            )
        _to_stdout(parts[0].data)
        return
    targets = _numbered(output, len(parts))
    written = list(zip(targets, (part.data for part in parts), strict=True))
    _write_files(written, force=force, keep=keep)
    shown = ", ".join(str(target) for target in targets)
    info(f"Exported {len(reviews):,} {noun} to {shown}")
    if force and name == "letterboxd":
        from filmlog.stale import stale_parts

        _remove_stale(stale_parts(output, len(parts)))


def _remove_stale(paths: Sequence[Path]) -> None:
    """Remove what an earlier export left that this one replaced, and say so."""
    if not paths:
        return
    from filmlog.stale import remove

    remove(paths)
    files = "file" if len(paths) == 1 else "files"
    shown = ", ".join(path.name for path in paths)
    info(f"Removed {len(paths):,} {files} an earlier export wrote: {shown}")


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="The file or folder to import.", show_default=False)],
    format_name: Annotated[
        ImportChoice | None,
        typer.Option("--format", "-f", help=_IMPORT_HELP, show_default=False),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be imported; change nothing.")
    ] = False,
    include_series: Annotated[
        bool,
        typer.Option(
            "--include-series",
            help="IMDb: import series, episodes, specials, games and podcasts too (tagged).",
        ),
    ] = False,
) -> None:
    """Import reviews from Letterboxd, IMDb, or a filmlog JSON or Markdown export.

    Importing the same file again adds nothing; rows that cannot be read are
    listed and skipped, and the journal is written once, at the end.
    """
    from filmlog.importers import detect, reader

    source = _as_path(path)
    try:
        if not source.exists():
            raise InvalidInput(f"{source} does not exist")
        name = str(format_name.value) if format_name is not None else detect(source)
        if include_series and name != "imdb":
            _usage(f"--include-series is for IMDb exports, and {source} is {name}")
        if name == "json":
            from filmlog.importers.filmlog_json import read_all

            incoming, rejected, wanted = read_all(source)
            _merge_journal(journal(ctx), incoming, rejected, wanted, f"{source} ({name})", dry_run)
            return
        options = {"include_series": True} if include_series else {}
        parsed = reader(name)(source, **options)
    except OSError as exc:
        # Importers only read: whatever the system refused, it was reading the input.
        raise InvalidInput(f"cannot read {source}: {exc.strerror or exc}") from None
    store = journal(ctx)
    wanted = _watchlist_of(source, name)
    if dry_run:
        result = _plan(store.reviews(), parsed)
        brought = _watchlist_plan(store, wanted, result)
    else:
        from filmlog.importers.merge import consulted

        with store.transaction() as session:
            uuids = consulted(parsed)
            existing = session.reviews() if uuids is None else session.reviews_with(uuids)
            result = _plan(existing, parsed)
            added = session.add_many(entry.review for entry in result.add)
            for stamp in (False, True):
                session.update_many(
                    (update.review for update in result.update if update.stamp is stamp),
                    stamp=stamp,
                )
            brought = _bring_watchlist(session, wanted, added)
    if wanted is not None:
        result.rejected.extend(wanted.rejected)
    _print_summary(result, parsed, f"{source} ({name})", dry_run=dry_run, watchlist=brought)
    if result.rejected:
        count = len(result.rejected)
        rows = "row was" if count == 1 else "rows were"
        rest = "would be" if dry_run else "were"
        error(f"{count} {rows} rejected (listed above); the others {rest} imported")
        raise typer.Exit(ExitCode.ERROR)


def _journal_extras(name: str, store: Journal, tables: dict[str, Any]) -> dict[str, Any]:
    """What the filmlog JSON export carries besides the reviews: tombstones and the ID counter."""
    if name != "json":
        return {}
    from filmlog import tombstones
    from filmlog.errors import CorruptJournal
    from filmlog.schema import META_ID, META_TABLE

    try:
        deleted = tombstones.read(tables)
    except InvalidInput as exc:
        raise CorruptJournal(f"journal {store.path}: {exc}") from None
    counter = tables[META_TABLE].get(str(META_ID), {}).get("next_id")
    return {"tombstones": deleted, "next_id": counter if isinstance(counter, int) else None}


def _merge_journal(
    store: Journal,
    incoming: dict[str, Any],
    rejected: list[Rejected],
    wanted: Films | None,
    source: str,
    dry_run: bool,
) -> None:
    """Merge another copy of the journal (an export or a journal file) into this one, by UUID.

    There is no common version to compare with, so the later copy of each review
    wins and tombstones keep deleted reviews deleted (see filmlog.merging).
    """
    from filmlog.merging import merge, same_content

    brought = None
    if dry_run:
        merged = merge(None, store.load(), incoming)
    else:
        with store.transaction() as session:
            merged = merge(None, session.tables(), incoming)
            # A review added, updated or deleted is a change for sure; only without one is
            # the whole content compared (tombstones, the counter, set-aside values).
            changed = merged.added or merged.updated or merged.deleted
            if changed or not same_content(merged.tables, session.tables()):
                session.replace(merged.tables)
            if wanted is not None:
                # An export carries its watchlist beside the reviews, not as tables.
                brought = _bring_watchlist(session, wanted, [])
    for line in merged.notices:
        info(line)
    reviews = len(incoming.get("reviews", {}))
    from filmlog.render import import_summary

    would = "Would be " if dry_run else ""
    title = f"Dry run, nothing written: {source}" if dry_run else f"Imported {source}"
    counts = [
        (f"{would}imported".capitalize(), merged.added),
        (f"{would}updated".capitalize(), merged.updated),
        (f"{would}deleted".capitalize(), merged.deleted),
        ("Already present, skipped", max(0, reviews - merged.added - merged.updated)),
        ("Rejected", len(rejected)),
    ]
    if brought is not None:
        counts += _watchlist_counts(brought, would)
    shown = [(row.where, row.title, row.reason) for row in rejected]
    console().print(import_summary(title, counts, shown))
    if rejected:
        rows = "row was" if len(rejected) == 1 else "rows were"
        rest = "would be" if dry_run else "were"
        error(f"{len(rejected)} {rows} rejected (listed above); the others {rest} imported")
        raise typer.Exit(ExitCode.ERROR)


def _as_path(text: str) -> Path:
    """A path from the command line, refusing what the operating system could never open.

    Paths arrive as text rather than through Typer's path type, which would stat
    them first and crash on a name that cannot be encoded.
    """
    if not text:
        raise InvalidInput("the path is empty")
    try:
        encoded = os.fsencode(text)
    except UnicodeEncodeError:
        raise InvalidInput(f"the path {text!r} is not valid text") from None
    if b"\x00" in encoded:
        raise InvalidInput(f"the path {text!r} contains a NUL character")
    return Path(text)


def _usage(message: str) -> None:
    error(message)
    raise typer.Exit(ExitCode.USAGE)


def _plan(existing: Sequence[Review], parsed: Parsed) -> Plan:
    """The import plan, with a progress bar on a terminal when there are many rows."""
    from filmlog.importers.merge import plan

    total = len(parsed.entries)
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        return plan(existing, parsed)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Importing", total=total)
        advance: Callable[[], None] = lambda: bar.advance(task)  # noqa: E731 - a one-line callback
        return plan(existing, parsed, progress=advance)


def _watchlist_export(name: str, store: Journal, tables: dict[str, Any]) -> dict[str, Any]:
    """The watchlist for the filmlog JSON export, so that a restore brings it back."""
    if name != "json":
        return {}
    from filmlog import watchlist

    return {
        "watchlist": (
            watchlist.entries(tables, store.path),
            watchlist.tombstones(tables, store.path),
            watchlist.next_id(tables),
        )
    }


def _watchlist_of(source: Path, name: str) -> Films | None:
    """The watchlist the import brings, if any; read before the journal is locked."""
    try:
        from filmlog.importers.watchlist import films

        return films(source, name)
    except OSError as exc:
        raise InvalidInput(f"cannot read {source}: {exc.strerror or exc}") from None


def _bring_watchlist(session: Session, wanted: Films | None, added: list[Review]) -> Brought:
    """Cross off the films the import logged; put the new films of its watchlist on."""
    from filmlog.watchlist import Brought, Editor

    editor = Editor(session)
    crossed = editor.cross_off(added)
    if wanted is None:
        return Brought(crossed=crossed)
    brought = editor.bring(
        wanted.entries,
        session.reviews(),
        removed=wanted.tombstones,
        counter=wanted.next_id,
        keep_ids=wanted.keep_ids,
    )
    brought.crossed = crossed
    return brought


def _watchlist_plan(store: Journal, wanted: Films | None, result: Plan) -> Brought:
    """What :func:`_bring_watchlist` would do, for a dry run."""
    from filmlog import watchlist

    tables = store.load()
    current = watchlist.entries(tables, store.path)
    brought = watchlist.Brought()
    if wanted is not None:
        logged = [*store.reviews(), *(entry.review for entry in result.add)]
        removed = watchlist.tombstones(tables, store.path)
        brought = watchlist.bring(current, removed, logged, wanted.entries)
    added = watchlist.FilmIndex([entry.review for entry in result.add])
    brought.crossed = [film for film in current if added.matches(film)]
    return brought


def _print_summary(
    result: Plan,
    parsed: Parsed,
    source: str,
    *,
    dry_run: bool,
    watchlist: Brought | None = None,
) -> None:
    from filmlog.render import import_summary

    would = "Would be " if dry_run else ""
    title = f"Dry run, nothing written: {source}" if dry_run else f"Imported {source}"
    counts = [
        (f"{would}imported".capitalize(), len(result.add)),
        (f"{would}updated".capitalize(), result.updated()),
        ("Already present, skipped", result.unchanged()),
        ("Rejected", len(result.rejected)),
    ]
    if parsed.joined:
        counts.append(("Joined to another row of the same film", parsed.joined))
    counts.extend(
        (f"Not imported: {label}", count)
        for label, count in parsed.left_out.items()
        # The watchlist of an export is imported now: its lines below say what became of it.
        if not (watchlist is not None and label == "watchlist")
    )
    if parsed.rows is not None:
        counts.append(("Rows read", parsed.rows))
    if watchlist is not None:
        counts += _watchlist_counts(watchlist, would)
    rejected = [(row.where, row.title, row.reason) for row in result.rejected]
    conflicts = [
        (c.review.display_title, c.field, {"imdb": "IMDb"}.get(c.source, c.source.title()))
        for c in result.conflicts
    ]
    console().print(import_summary(title, counts, rejected, conflicts))


def _watchlist_counts(brought: Brought, would: str) -> list[tuple[str, int]]:
    """The watchlist's lines of the import summary: only those with something to count."""
    counts = [
        (f"Watchlist: {would.lower()}added", len(brought.added)),
        ("Watchlist: already on it, skipped", len(brought.present)),
        ("Watchlist: already logged, skipped", len(brought.logged)),
        ("Watchlist: taken off before, skipped", len(brought.removed)),
        (f"Watchlist: {would.lower()}taken off (removed in the import)", len(brought.taken_off)),
        (f"Watchlist: {would.lower()}crossed off (logged by the import)", len(brought.crossed)),
    ]
    return [
        (label, count)
        for n, (label, count) in enumerate(counts)
        if count or (n == 0 and brought.offered)
    ]


def _to_stdout(data: bytes) -> None:
    if sys.stdout.isatty():
        # A terminal would act on escape sequences inside the text: show them instead.
        from filmlog.safe import clean

        typer.echo(clean(data.decode("utf-8", errors="replace")), nl=False)
    else:
        typer.echo(data, nl=False)


def _numbered(output: Path, count: int) -> list[Path]:
    """``output`` itself for one part; ``stem-1.ext``, ``stem-2.ext``... for several."""
    if count == 1:
        return [output]
    return [output.with_name(f"{output.stem}-{n}{output.suffix}") for n in range(1, count + 1)]


def _write_split(
    folder: Path, parts: Sequence[Part], *, force: bool, keep: Sequence[Path] = ()
) -> None:
    """Write each part into ``folder`` under its own name, which must stay inside it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InvalidInput(f"{folder} exists and is not a folder") from None
    except OSError as exc:
        raise StorageError(f"cannot create {folder}: {exc.strerror or exc}") from None
    files = []
    for part in parts:
        target = folder / part.name
        # The exporter builds names from slugs; this only makes the guarantee explicit.
        if Path(part.name).name != part.name or part.name in ("", ".", ".."):
            raise InvalidInput(f"refusing to write outside {folder}: {part.name!r}")
        files.append((target, part.data))
    _write_files(files, force=force, keep=keep)


def _write_files(
    files: Sequence[tuple[Path, bytes]], *, force: bool, keep: Sequence[Path] = ()
) -> None:
    """Write every file atomically; without ``force``, check first that none exists.

    No file in ``keep`` is ever written, even with ``force``.
    """
    for target, _ in files:
        try:
            if Path(os.path.realpath(target)) in keep:
                raise InvalidInput(f"{target} is the journal itself; export somewhere else")
            if target.is_dir() and not target.is_symlink():
                raise InvalidInput(f"{target} is a folder")
        except OSError as exc:
            raise StorageError(f"cannot write {target}: {exc.strerror or exc}") from None
    if not force:
        present = [target for target, _ in files if os.path.lexists(target)]
        if present:
            more = f" (and {len(present) - 1} more)" if len(present) > 1 else ""
            raise InvalidInput(
                f"{present[0]} already exists{more}; nothing was written (use --force to replace)"
            )
    from filmlog.files import atomic_write, fsync_folder

    folders = set()
    for target, data in files:
        try:
            atomic_write(target, data, replace=force, sync_folder=False)
        except FileExistsError:
            raise InvalidInput(
                f"{target} already exists; it was not replaced (use --force to replace)"
            ) from None
        folders.add(target.parent)
    for folder in folders:
        # Some file systems refuse to sync a folder; the files themselves are synced.
        with contextlib.suppress(OSError):
            fsync_folder(folder)
