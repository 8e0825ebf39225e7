"""Soak test: SIGKILL a writer at random moments; the journal must keep every confirmed change.

Each round starts a writer process on a large journal (20,000 reviews from
``bench/generate.py``, about 70 MB) doing one kind of change over and over,
and kills it with SIGKILL after a random delay, wherever it happens to be:
reading, serialising, writing the temporary file, fsyncing, renaming, keeping
a backup. The kinds, chosen at random each round:

- ``add``: adds reviews one transaction at a time, printing each UUID after
  its transaction returned. Every confirmed add must be in the journal; at
  most one unconfirmed add per round may be (committed, killed before printing).
- ``import``: imports small filmlog JSON exports of three new reviews each, as
  ``filmlog import`` does; confirmed imports must be there whole, and an
  import is all or nothing.
- ``undo``: runs ``filmlog undo --yes`` again and again; the journal must hold
  exactly the reviews of the version before the round or of one of its backups.
- ``repair``: the journal is damaged (cut in half) first, then the writer runs
  ``filmlog doctor --repair --yes``; the journal must be the damaged file,
  byte for byte, or the newest good backup. A repair the kill cut short is
  then finished, and must give the same result.

After every round the journal must open (``Journal.reviews()``), and pass
``filmlog doctor``'s checks every ``--check-every`` rounds and after the last.

Not part of the test suite: it takes minutes. Standard library plus filmlog.

    python bench/soak.py --rounds 200            # the documented run
    python bench/soak.py --rounds 5 --reviews 500  # a quick look

Exit status 0 when every round passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The writer: makes one kind of change until killed, confirming each after it returned.
WRITER = """
import contextlib, io, sys, tempfile
from pathlib import Path
from filmlog.cli import main
from filmlog.exporters import filmlog_json
from filmlog.model import Review
from filmlog.storage import Journal
op, path, label = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
journal = Journal(path)
body = "Written under fire. " * 40

def run(*args):
    said = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(said):
        code = main(["--db", str(path), *args])
    if code != 0:
        sys.exit(f"{args[0]} exited with {code}: {said.getvalue().strip()}")

from filmlog.cli.base import load_commands
load_commands()  # every command's module, so that the kill's delay counts from the work
print("ready", flush=True)
n = 0
while True:
    if op == "add":
        review = Review(f"Soak {label}.{n}", rating=n % 10 + 1, body=body)
        with journal.transaction() as session:
            session.add(review)
        print(review.uuid, flush=True)
    elif op == "import":
        reviews = [Review(f"Soak {label}.{n}.{i}", body=body, id=i + 1) for i in range(3)]
        export = path.with_name(f"import-{label}-{n}.json")
        export.write_bytes(filmlog_json.export(reviews)[0].data)
        run("import", str(export))
        print(" ".join(r.uuid for r in reviews), flush=True)
    elif op == "undo":
        run("undo", "--yes")
        print("undone", flush=True)
    else:
        run("doctor", "--repair", "--yes")
        print("repaired", flush=True)
        break
    n += 1
"""
OPERATIONS = {"add": 50, "import": 20, "undo": 15, "repair": 15}  # weights


@dataclass
class Tally:
    rounds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPERATIONS, 0))
    confirmed: int = 0  # adds and imported reviews confirmed
    unconfirmed_present: int = 0
    undone: int = 0  # undos confirmed
    repaired_by_writer: int = 0
    repairs_finished_after: int = 0  # cut short by the kill, then run again to the end
    temp_left: int = 0  # rounds whose kill landed between creating and renaming the temp file
    failures: list[str] = field(default_factory=list)


def build_journal(path: Path, reviews: int, seed: int) -> None:
    generator = HERE / "generate.py"
    made = subprocess.run(
        [sys.executable, str(generator), str(reviews), str(path), "--seed", str(seed)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        raise SystemExit(f"bench/generate.py failed:\n{made.stderr}")


def run_round(journal: Path, op: str, label: str, delay: float) -> tuple[list[str], int]:
    """Start a writer, kill it ``delay`` seconds after it is ready; its confirmed lines."""
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, op, str(journal), label],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    if child.stdout.readline() != "ready\n":
        child.kill()
        child.wait()
        raise RuntimeError(f"the writer did not start (exit status {child.poll()})")
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    output = child.stdout.read()
    child.stdout.close()
    code = child.wait()
    # Only whole lines count: a line cut off by the kill was never confirmed.
    lines = output.split("\n")
    return [line for line in lines[:-1] if line], code


def soak_uuids(raw: bytes | None, path: Path) -> frozenset[str]:
    """The UUIDs of the reviews the soak made, in a journal's bytes."""
    from filmlog.storage import parse_journal

    if raw is None:
        return frozenset()
    reviews = parse_journal(raw, path)["reviews"].values()
    return frozenset(doc["uuid"] for doc in reviews if doc["title"].startswith("Soak "))


def versions(journal: Path) -> list[frozenset[str]]:
    """The soak's reviews in the journal and in each of its backups that passes the check."""
    from filmlog import backups
    from filmlog.doctor import check_bytes

    found = [soak_uuids(journal.read_bytes(), journal)]
    for backup in backups.list_backups(journal):
        raw = backup.path.read_bytes()
        if check_bytes(raw, backup.path).healthy:
            found.append(soak_uuids(raw, backup.path))
    return found


def damage(journal: Path) -> tuple[bytes, frozenset[str]]:
    """Cut the journal in half; its bytes then, and the reviews a repair must bring back."""
    from filmlog import backups
    from filmlog.doctor import check_bytes

    good = next(
        soak_uuids(raw, b.path)
        for b in backups.list_backups(journal)
        if check_bytes(raw := b.path.read_bytes(), b.path).healthy
    )
    raw = journal.read_bytes()
    damaged = raw[: len(raw) // 2]
    journal.write_bytes(damaged)
    return damaged, good


def verify(journal: Path, expected: set[str], allowed_extra: int, full: bool) -> list[str]:
    """What is wrong with the journal now (nothing, one hopes)."""
    from filmlog.doctor import check
    from filmlog.errors import FilmlogError
    from filmlog.storage import Journal

    problems = []
    try:
        reviews = Journal(journal).reviews()
    except FilmlogError as exc:
        return [f"the journal does not open: {exc}"]
    present = {r.uuid for r in reviews if r.title.startswith("Soak ")}
    missing = expected - present
    if missing:
        problems.append(f"{len(missing)} confirmed changes are missing, e.g. {sorted(missing)[0]}")
    extra = len(present - expected)
    if extra > allowed_extra:
        problems.append(
            f"{extra} unconfirmed reviews, more than the rounds allow ({allowed_extra})"
        )
    ids = [r.id for r in reviews]
    if len(ids) != len(set(ids)):
        problems.append("two reviews share an ID")
    if full:
        report = check(Journal(journal))
        problems.extend(f"doctor: {problem}" for problem in report.problems)
    return problems


def finish_repair(journal: Path) -> int:
    """Run the repair a kill cut short to its end; its exit status."""
    return subprocess.run(
        [sys.executable, "-m", "filmlog", "--db", str(journal), "doctor", "--repair", "--yes"],
        capture_output=True,
    ).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--reviews", type=int, default=20_000, help="size of the journal")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--max-delay",
        type=float,
        default=None,
        help="longest wait before the kill, seconds (default: about two adds' time)",
    )
    parser.add_argument("--check-every", type=int, default=25, help="run doctor every N rounds")
    parser.add_argument("--dir", type=Path, default=None, help="work here (kept afterwards)")
    args = parser.parse_args(argv)

    from filmlog.storage import Journal, temp_files

    work = args.dir or Path(tempfile.mkdtemp(prefix="filmlog-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    journal = work / "journal.json"
    started = time.monotonic()
    try:
        print(f"building a {args.reviews:,}-review journal in {work} ...", flush=True)
        journal.unlink(missing_ok=True)
        build_journal(journal, args.reviews, args.seed)
        size = journal.stat().st_size
        before = time.monotonic()
        with Journal(journal).transaction() as session:
            session.delete([])  # a no-op: reads once, writes nothing
        read_time = time.monotonic() - before
        max_delay = args.max_delay if args.max_delay is not None else max(0.5, 4 * read_time)
        print(
            f"journal: {size / 1e6:.1f} MB; one read takes {read_time:.2f} s; "
            f"each kill lands 0 to {max_delay:.2f} s after the writer is ready",
            flush=True,
        )

        rng = random.Random(args.seed)
        tally = Tally()
        expected: set[str] = set(soak_uuids(journal.read_bytes(), journal))
        allowed_extra = 0
        for number in range(1, args.rounds + 1):
            # The first rounds add, so that undo and repair have backups to work with.
            op = "add" if number <= 2 else rng.choices(*zip(*OPERATIONS.items(), strict=True))[0]
            before: list[frozenset[str]] = versions(journal) if op == "undo" else []
            damaged, good = damage(journal) if op == "repair" else (b"", frozenset())
            # An import, an undo or a repair reads and writes more than an add: give them time.
            delay = rng.uniform(0, max_delay if op == "add" else 3 * max_delay)
            confirmed, code = run_round(journal, op, str(number), delay)
            if code != -signal.SIGKILL and not (op == "repair" and code == 0):
                tally.failures.append(f"round {number} ({op}): the writer exited with {code}")
            tally.temp_left += bool(temp_files(journal))
            tally.rounds[op] += 1
            for export in work.glob("import-*.json"):
                export.unlink()
            problems: list[str] = []
            if op in ("add", "import"):
                for line in confirmed:
                    expected.update(line.split())
                    tally.confirmed += len(line.split())
                allowed_extra += 1 if op == "add" else 3
            elif op == "undo":
                tally.undone += len(confirmed)
                now = soak_uuids(journal.read_bytes(), journal)
                if now not in before:
                    problems.append("after undo the journal is none of the versions it had")
                expected, allowed_extra = set(now), 0
            else:
                if confirmed:
                    tally.repaired_by_writer += 1
                elif journal.read_bytes() == damaged:  # else it was killed just after the write
                    tally.repairs_finished_after += 1
                    if finish_repair(journal) != 0:
                        problems.append("the cut-short repair could not be finished")
                for aside in journal.parent.glob(f"{journal.name}.corrupt-*"):
                    aside.unlink()  # half a 70 MB journal each: the disk would fill
                now = soak_uuids(journal.read_bytes(), journal)
                if now != good:
                    problems.append("the repaired journal is not the newest good backup")
                expected, allowed_extra = set(now), 0
            full = number % args.check_every == 0 or number == args.rounds
            problems += verify(journal, expected, allowed_extra, full)
            tally.failures.extend(f"round {number} ({op}): {problem}" for problem in problems)
            if number % 10 == 0 or problems:
                print(
                    f"round {number}: {tally.confirmed} reviews confirmed so far, "
                    f"{len(tally.failures)} failures",
                    flush=True,
                )
        present = {r.uuid for r in Journal(journal).reviews() if r.title.startswith("Soak ")}
        tally.unconfirmed_present = len(present - expected)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    rounds = ", ".join(f"{count} {op}" for op, count in tally.rounds.items())
    print(
        f"\nrounds: {sum(tally.rounds.values())} ({rounds})\n"
        f"reviews added or imported and confirmed: {tally.confirmed}\n"
        f"committed but killed before confirming, present at the end: "
        f"{tally.unconfirmed_present}\n"
        f"undos confirmed: {tally.undone}\n"
        f"repairs: {tally.repaired_by_writer} finished by the writer, "
        f"{tally.repairs_finished_after} cut short and finished afterwards\n"
        f"kills that left a temporary file (mid-write): {tally.temp_left}\n"
        f"failures: {len(tally.failures)}\n"
        f"time: {elapsed / 60:.1f} min"
    )
    for failure in tally.failures[:20]:
        print(f"  {failure}")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    if os.name == "nt":  # pragma: no cover - SIGKILL is POSIX
        sys.exit("soak.py needs a POSIX system (it kills with SIGKILL)")
    sys.exit(main())
