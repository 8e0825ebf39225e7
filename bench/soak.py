"""Soak test: SIGKILL a writer at random moments; the journal must keep every confirmed add.

Each round starts a writer process that adds reviews to a large journal (20,000
reviews from ``bench/generate.py``, about 70 MB) one transaction at a time and
prints each review's UUID only after its transaction has returned. After a
random delay the writer is killed with SIGKILL, wherever it happens to be:
reading, serialising, writing the temporary file, fsyncing, renaming, keeping
a backup. Then the journal must open (``Journal.reviews()``), hold every add
the writer confirmed, hold at most one unconfirmed add per round (the one that
was committed but not yet printed), and pass ``filmlog doctor``'s checks
(every ``--check-every`` rounds and after the last).

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

# The writer: adds reviews until killed, confirming each one on stdout after it committed.
WRITER = """
import sys
from pathlib import Path
from filmlog.model import Review
from filmlog.storage import Journal
journal, label = Journal(Path(sys.argv[1])), sys.argv[2]
print("ready", flush=True)
n = 0
while True:
    review = Review(f"Soak {label}.{n}", rating=n % 10 + 1, body="Written under fire. " * 40)
    with journal.transaction() as session:
        session.add(review)
    print(review.uuid, flush=True)
    n += 1
"""


@dataclass
class Tally:
    rounds: int = 0
    confirmed: int = 0
    unconfirmed_present: int = 0
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


def run_round(journal: Path, label: str, delay: float) -> tuple[list[str], int]:
    """Start a writer, kill it ``delay`` seconds after it is ready; its confirmed UUIDs."""
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(journal), label],
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
    # Only whole lines count: a UUID cut off by the kill was never confirmed.
    lines = output.split("\n")
    return [line for line in lines[:-1] if line], code


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
        problems.append(f"{len(missing)} confirmed adds are missing, e.g. {sorted(missing)[0]}")
    extra = len(present - expected)
    if extra > allowed_extra:
        problems.append(f"{extra} unconfirmed adds, more than one per round ({allowed_extra})")
    ids = [r.id for r in reviews]
    if len(ids) != len(set(ids)):
        problems.append("two reviews share an ID")
    if full:
        report = check(Journal(journal))
        problems.extend(f"doctor: {problem}" for problem in report.problems)
    return problems


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
        expected: set[str] = set()
        for number in range(1, args.rounds + 1):
            confirmed, code = run_round(journal, str(number), rng.uniform(0, max_delay))
            if code != -signal.SIGKILL:
                tally.failures.append(f"round {number}: the writer exited with {code}")
            tally.temp_left += bool(temp_files(journal))
            expected.update(confirmed)
            tally.rounds = number
            tally.confirmed += len(confirmed)
            full = number % args.check_every == 0 or number == args.rounds
            problems = verify(journal, expected, number, full)
            tally.failures.extend(f"round {number}: {problem}" for problem in problems)
            if number % 10 == 0 or problems:
                print(
                    f"round {number}: {tally.confirmed} adds confirmed so far, "
                    f"{len(tally.failures)} failures",
                    flush=True,
                )
        present = {r.uuid for r in Journal(journal).reviews() if r.title.startswith("Soak ")}
        tally.unconfirmed_present = len(present - expected)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    print(
        f"\nrounds: {tally.rounds}\n"
        f"adds confirmed: {tally.confirmed}\n"
        f"adds committed but killed before confirming: {tally.unconfirmed_present}\n"
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
