"""Keeping a journal in a git repository: the merge driver, ``sync --init`` and ``sync``.

Git is driven through its command line, the one everyone has installed. The
journal's folder becomes (or already is) a repository; ``.gitattributes`` names
filmlog as the merge driver of the journal file, so when two machines changed
the journal git asks filmlog to merge them by UUID (see :mod:`filmlog.merging`)
instead of merging lines of text. The driver itself is registered in the
repository's own config (``merge.filmlog.driver``), which git never copies
with a clone: every clone runs ``filmlog sync --init`` once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filmlog import backups, index
from filmlog.errors import CorruptJournal, FilmlogError, StorageError
from filmlog.merging import Merged, merge
from filmlog.storage import (
    REVIEWS_TABLE,
    Journal,
    atomic_write,
    parse_journal,
    serialised,
)

DRIVER = "filmlog"
NOTES_ENV = "FILMLOG_MERGE_NOTES"  # where the driver also writes what it reports, for sync
_NETWORK_TIMEOUT = 120  # seconds: a remote that has not answered by then is unreachable
_SUBJECT = 72


class GitError(FilmlogError):
    """Git is missing, refused, or the repository is not set up for filmlog."""


# The merge driver -----------------------------------------------------------------------


def _read_tables(path: Path, *, may_be_empty: bool = False) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if may_be_empty and not raw.strip():
        return None  # git's base when the two sides share no version of the file
    return parse_journal(raw, path)


def merge_files(base: Path, ours: Path, theirs: Path) -> Merged:
    """Merge three versions of a journal file and write the result over ``ours``.

    ``ours`` is replaced atomically, and only once all three have been read and
    merged: a failure leaves it as it was.
    """
    old = _read_tables(base, may_be_empty=True)
    mine = _read_tables(ours)
    other = _read_tables(theirs)
    assert mine is not None and other is not None
    merged = merge(old, mine, other)
    atomic_write(ours, serialised(merged.tables), private=True, what="journal")
    notes = os.environ.get(NOTES_ENV)
    if notes and merged.notices:
        try:
            with open(notes, "a", encoding="utf-8") as handle:
                handle.writelines(f"{line}\n" for line in merged.notices)
        except OSError:
            pass  # the notices still go to stderr
    return merged


# Running git ----------------------------------------------------------------------------


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # Never wait for a password nobody will type, and read git's messages in one language.
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", LANGUAGE="C", GIT_MERGE_AUTOEDIT="no")
    env.update(extra or {})
    return env


def git(
    folder: Path,
    *args: str,
    check: bool = True,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``git -C folder args``; GitError (with git's first line) when it fails and ``check``."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=_env(env),
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH); filmlog sync needs it") from None
    except subprocess.TimeoutExpired:
        done = subprocess.CompletedProcess(args, 124, "", f"no answer after {timeout:.0f} s")
    if check and done.returncode != 0:
        raise GitError(f"git {args[0]} failed: {first_line(done)}")
    return done


def first_line(done: subprocess.CompletedProcess[str]) -> str:
    """The most telling line of what git said: its first error, else its first line."""
    lines = [line.strip() for line in (done.stderr + "\n" + done.stdout).splitlines()]
    lines = [line for line in lines if line]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line.split(":", 1)[1].strip()
    return lines[0] if lines else f"exit status {done.returncode}"


def driver_command() -> str:
    """The command git runs to merge the journal: this filmlog, under this Python."""
    import shlex

    return f"{shlex.quote(sys.executable)} -m filmlog merge-driver %O %A %B"


def _attribute_pattern(name: str) -> str:
    """The journal's name as a .gitattributes pattern matching only it, in this folder."""
    escaped = "".join("\\" + ch if ch in "*?[]\\!#" else ch for ch in name)
    if any(ch.isspace() or ch == '"' for ch in escaped):
        quoted = escaped.replace("\\", "\\\\").replace('"', '\\"')
        return f'"/{quoted}"'
    return f"/{escaped}"


def _ensure_lines(path: Path, lines: Sequence[str]) -> None:
    """Add each line missing from the text file ``path`` (created if needed)."""
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise GitError(f"cannot read {path}: {exc}") from None
    present = set(text.splitlines())
    missing = [line for line in lines if line not in present]
    if not missing:
        return
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(f"{line}\n" for line in missing)
    atomic_write(path, text.encode("utf-8"))


# sync --init ----------------------------------------------------------------------------


@dataclass(slots=True)
class Outcome:
    """What a sync did, for the person."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _repository(folder: Path) -> Path | None:
    done = git(folder, "rev-parse", "--show-toplevel", check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def init(journal: Journal, remote: str | None) -> Outcome:
    """Make the journal's folder a repository set up for filmlog, and commit the journal."""
    target = journal.target
    folder, name = target.parent, target.name
    outcome = Outcome()
    with journal.locked():
        if not target.exists():
            from filmlog.schema import empty_tables

            atomic_write(target, serialised(empty_tables()), private=True, what="journal")
        else:
            journal.load()  # a damaged journal is not committed
        if _repository(folder) is None:
            done = git(folder, "init", "-q", "-b", "main", check=False)
            if done.returncode != 0:  # a git older than 2.28 has no -b
                git(folder, "init", "-q")
            outcome.lines.append(f"Made {folder} a git repository")
        _ensure_lines(folder / ".gitattributes", [f"{_attribute_pattern(name)} merge={DRIVER}"])
        _ensure_lines(
            folder / ".gitignore",
            [
                f"/{name}.lock",
                f"/.{name}.*.tmp",
                f"/{name}{backups.SUFFIX}/",
                f"/{name}.corrupt-*",
                f"/{name}{index.SUFFIX}",
            ],
        )
        git(folder, "config", "--local", f"merge.{DRIVER}.name", "filmlog journal merge by UUID")
        git(folder, "config", "--local", f"merge.{DRIVER}.driver", driver_command())
        if remote:
            outcome.lines.append(_set_remote(folder, remote))
        git(folder, "add", "--", ".gitattributes", ".gitignore", name)
        if git(folder, "diff", "--cached", "--quiet", check=False).returncode != 0:
            _commit(folder, f"Keep {name} in git, merged by filmlog")
            outcome.lines.append(f"Committed {name} with .gitattributes and .gitignore")
    outcome.lines.append("Ready: run 'filmlog sync' to commit, merge and push changes")
    return outcome


def _set_remote(folder: Path, url: str) -> str:
    known = git(folder, "remote", "get-url", "origin", check=False)
    if known.returncode != 0:
        git(folder, "remote", "add", "origin", url)
        return f"Added remote origin: {url}"
    if known.stdout.strip() != url:
        git(folder, "remote", "set-url", "origin", url)
        return f"Remote origin now points to {url}"
    return f"Remote origin is already {url}"


def _commit(folder: Path, message: str) -> None:
    done = git(folder, "commit", "-q", "--no-verify", "-m", message, check=False)
    if done.returncode == 0:
        return
    said = done.stderr + done.stdout
    if "tell me who you are" in said or "empty ident" in said or "user.email" in said:
        raise GitError(
            "git does not know who you are: set it once with "
            "git config --global user.name 'Your Name' and "
            "git config --global user.email you@example.com"
        )
    raise GitError(f"git commit failed: {first_line(done)}")


# sync -----------------------------------------------------------------------------------


def sync(journal: Journal) -> Outcome:
    """Commit the journal's changes, merge the remote's, push; see the module's notes."""
    target = journal.target
    folder, name = target.parent, target.name
    outcome = Outcome()
    top = _repository(folder)
    if top is None:
        raise GitError(f"{folder} is not a git repository; set it up with: filmlog sync --init")
    configured = git(folder, "config", "--get", f"merge.{DRIVER}.driver", check=False)
    if configured.returncode != 0:
        raise GitError(
            "this repository has no filmlog merge driver (git does not copy it with a clone): "
            "run filmlog sync --init once here"
        )
    if _merging(folder):
        raise GitError(
            "a git merge is in progress in "
            f"{top}; finish it (see git status) or abort it with git merge --abort"
        )
    branch = git(folder, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()
    if not branch:
        raise GitError(f"{top} has no branch checked out; check one out (git switch main)")
    with journal.locked():
        journal.load()  # a damaged journal is neither committed nor merged
        committed = _commit_changes(folder, name)
    if committed:
        outcome.lines.append(f"Committed: {committed}")
    remotes = git(folder, "remote").stdout.split()
    if not remotes:
        outcome.warnings.append(
            "no remote to sync with: committed here only (add one with filmlog sync --init URL)"
        )
        return outcome
    remote = "origin" if "origin" in remotes else remotes[0]
    for _ in range(3):  # someone may push between our merge and our push
        fetched = git(folder, "fetch", "--quiet", remote, check=False, timeout=_NETWORK_TIMEOUT)
        if fetched.returncode != 0:
            outcome.warnings.append(_unreachable(remote, fetched, committed))
            return outcome
        upstream = f"refs/remotes/{remote}/{branch}"
        if git(folder, "rev-parse", "--verify", "--quiet", upstream, check=False).returncode == 0:
            _merge(journal, folder, f"{remote}/{branch}", outcome)
            ahead = git(folder, "rev-list", "--count", f"{upstream}..HEAD").stdout.strip()
            if ahead == "0":
                return outcome
        pushed = git(
            folder,
            "push",
            "--quiet",
            "--set-upstream",
            remote,
            f"HEAD:refs/heads/{branch}",
            check=False,
            timeout=_NETWORK_TIMEOUT,
        )
        if pushed.returncode == 0:
            outcome.lines.append(f"Pushed to {remote}/{branch}")
            return outcome
        if "rejected" not in pushed.stderr and "fetch first" not in pushed.stderr:
            outcome.warnings.append(_unreachable(remote, pushed, "yes"))
            return outcome
    raise GitError(f"{remote} kept changing while filmlog synced; run filmlog sync again")


def _merging(folder: Path) -> bool:
    return (
        git(folder, "rev-parse", "--verify", "--quiet", "MERGE_HEAD", check=False).returncode == 0
    )


def _unreachable(remote: str, done: subprocess.CompletedProcess[str], committed: str) -> str:
    kept = "your changes are committed here" if committed else "nothing was sent"
    return (
        f"could not reach {remote} ({first_line(done)}); {kept}: "
        "run filmlog sync again when it can be reached"
    )


def _commit_changes(folder: Path, name: str) -> str:
    """Commit the journal if it changed since the last commit; the message's subject, or ''."""
    status = git(folder, "status", "--porcelain", "--", name).stdout
    if not status.strip():
        return ""
    before = git(folder, "show", f"HEAD:./{name}", check=False)
    old: dict[str, Any] = {}
    if before.returncode == 0:
        try:
            old = parse_journal(before.stdout.encode("utf-8"), Path(name))
        except CorruptJournal:
            old = {}
    now = parse_journal((folder / name).read_bytes(), folder / name)
    subject, body = describe(old, now)
    git(folder, "add", "--", name)
    _commit(folder, subject + ("\n\n" + "\n".join(body) if len(body) > 1 else ""))
    return subject


def describe(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, list[str]]:
    """A commit message for the change from ``old`` to ``new``: subject and one line per review.

    ``add #12 Her (2013); edit #3 Heat (1995)``, shortened to "and N more" when long.
    """
    from filmlog.safe import clean_line

    def by_uuid(tables: Mapping[str, Any]) -> dict[str, tuple[int, Mapping[str, Any]]]:
        docs = tables.get(REVIEWS_TABLE) or {}
        return {doc.get("uuid"): (int(key), doc) for key, doc in docs.items()}

    def named(review_id: int, doc: Mapping[str, Any]) -> str:
        title = clean_line(str(doc.get("title") or "?"))
        year = doc.get("year")
        return f"#{review_id} {title}" + (f" ({year})" if isinstance(year, int) else "")

    before, after = by_uuid(old), by_uuid(new)
    items: list[tuple[int, str]] = []
    for uuid, (review_id, doc) in after.items():
        held = before.get(uuid)
        if held is None:
            items.append((review_id, f"add {named(review_id, doc)}"))
        elif held != (review_id, doc):
            items.append((review_id, f"edit {named(review_id, doc)}"))
    for uuid, (review_id, doc) in before.items():
        if uuid not in after:
            items.append((review_id, f"delete {named(review_id, doc)}"))
    lines = [text for _, text in sorted(items)]
    if not lines:
        return "update the journal's bookkeeping", []
    subject = ""
    for count, line in enumerate(lines):
        rest = len(lines) - count - 1
        more = f"; and {rest} more" if rest else ""
        candidate = f"{subject}; {line}" if subject else line
        if count and len(candidate + more) > _SUBJECT:
            subject += f"; and {len(lines) - count} more"
            break
        subject = candidate
    return subject, lines


def _merge(journal: Journal, folder: Path, upstream: str, outcome: Outcome) -> None:
    """Merge ``upstream`` into the checked-out branch, the journal through filmlog's driver."""
    target = journal.target
    with journal.locked(), _notes_file() as notes:
        behind = git(folder, "rev-list", "--count", f"HEAD..{upstream}").stdout.strip()
        if behind == "0":
            return
        saved = _keep_backup(target)
        done = git(
            folder,
            "merge",
            "--no-edit",
            "--allow-unrelated-histories",
            upstream,
            check=False,
            env={NOTES_ENV: str(notes)},
        )
        with suppress(OSError):
            outcome.lines.extend(f"Merge: {line}" for line in notes.read_text("utf-8").splitlines())
        if done.returncode != 0:
            if not _merging(folder):
                if saved is not None:
                    backups.discard(saved)
                raise GitError(f"git could not merge {upstream}: {first_line(done)}")
            raise GitError(
                f"git could not merge {upstream} ({first_line(done)}); the merge is left in "
                "progress: see git status, fix and commit it, or go back with git merge --abort"
            )
        journal.load()  # what git left must be a journal every command reads
        backups.prune(target, backups.keep_count())
        commits = "commit" if behind == "1" else "commits"
        outcome.lines.append(f"Merged {behind} {commits} from {upstream}")


@contextmanager
def _notes_file() -> Iterator[Path]:
    import tempfile

    handle, name = tempfile.mkstemp(prefix="filmlog-merge-", suffix=".txt")
    os.close(handle)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _keep_backup(target: Path) -> Path | None:
    """Keep the journal as it was before the merge, so that ``filmlog undo`` can go back."""
    if backups.keep_count() == 0:
        return None
    try:
        return backups.save(target)
    except OSError:
        return None
