"""What writing a review a line costs against the single-line file filmlog wrote before.

The same commands run on the same reviews in three layouts, side by side:

- ``lines``: the journal as filmlog writes it now (a review a line, reviews
  last), written by filmlog's own writer;
- ``single``: the journal on one line, written by the writer filmlog had
  before (the tables as compact JSON, the reviews encoded 256 at a time);
- ``spans``: the journal on one line, written by filmlog's own writer without
  the newline that ends each record's line. It notes where each review lies, as
  the derived index needs whatever the layout, so ``lines`` ÷ ``spans`` is the
  cost of the newlines alone, and ``lines`` ÷ ``single`` adds the cost of
  finding each review's place.

All run the installed filmlog through the same small launcher (``python -c``),
which for ``single`` and ``spans`` first puts their writer in place of
filmlog's; start-up is the same for all. None writes the derived index (the
old writer cannot say where each review lies), so the figures are the
layout's alone. Every repetition runs every (command, layout) pair once in a
shuffled order, each write on a fresh copy of its journal. Reported: the
medians of wall time and of CPU time (user + system, from ``wait4``) and the
ratios lines ÷ single and lines ÷ spans, the figures the 5 % bound is about.
Each ratio is also taken a repetition at a time (the two runs of a repetition
are seconds apart, so a machine busier for a while weighs on both), and given
as the median of those with a 95 % confidence interval of it.

Whole processes on a shared machine vary by several per cent from run to run,
as much as the bound itself. So the one part of a write that differs between
the layouts, the writer, is also timed alone: ``--writer-runs`` fresh processes
a layout, each reading the journal and then timing (CPU) the encoding and
writing of it to a file, the layouts in a shuffled order each round. The
writers' difference is given in milliseconds, with a 95 % interval, and as a
share of the CPU time of a whole ``rate`` in the table above.

    /path/to/venv/bin/python bench/layout.py                  # 10,000 reviews, 9 runs
    /path/to/venv/bin/python bench/layout.py --size 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402 - the sibling modules, found through the path set just above
from run import entry_point_python, fresh_copy, lined_copy  # noqa: E402

LAUNCH = """\
import sys
from filmlog import index
# The old layout had no derived index (it needs the spans the new writer gives): no
# index is written in either layout, so both read and write the journal alone.
index.encode = lambda *args, **kwargs: b""
index.write = lambda *args, **kwargs: None
{patch}
from filmlog.launcher import main
sys.argv[0] = "filmlog"
raise SystemExit(main())
"""

# filmlog's writer before the journal was written a review a line.
SINGLE_LINE_WRITER = """\
import orjson
from filmlog import errors, storage

def serialised(data, spans=None, kept=None):
    try:
        if not data:
            yield b"{}\\n"
            return
        for index, (name, table) in enumerate(storage._reviews_last(data)):
            yield (b"{" if index == 0 else b",") + orjson.dumps(name) + b":"
            if name != storage.REVIEWS_TABLE or not isinstance(table, dict) or not table:
                yield orjson.dumps(table)
                continue
            items = list(table.items())
            for start in range(0, len(items), 256):
                piece = orjson.dumps(dict(items[start : start + 256]))
                yield b"{" if start == 0 else b","
                yield piece[1:-1]
            yield b"}"
        yield b"}\\n"
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise errors.InvalidInput(f"cannot save the journal: {exc}") from None

storage.serialised = serialised
"""

# filmlog's own writer with no newline where it ends each record's line.
SPANS_WRITER = """\
from filmlog import storage

storage._LINE_BREAK = b""
"""

LAYOUTS = ("lines", "single", "spans")

COMMANDS = {
    "rate": ["rate", "{middle}", "3.5"],
    "add": ["add", "Layout", "--year", "2001", "--rating", "3", "--body", "A short one."],
    "edit": ["edit", "{middle}", "--headline", "A second look"],
    "list": ["list"],
}


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``argv`` with its output discarded: (wall seconds, CPU seconds)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, devnull, fd) for fd in (0, 1, 2)]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
    finally:
        os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"layout: {' '.join(argv[3:])} failed; run it by hand to see why")
    return elapsed, usage.ru_utime + usage.ru_stime


# Times filmlog's writer (or the one patched in above it) writing the journal argv[1] reads.
WRITER_TIMER = """\
import os, sys, time
from pathlib import Path
from filmlog import index, storage
{patch}
source, target = Path(sys.argv[1]), sys.argv[2]
data = storage.parse_journal(source.read_bytes(), source)
fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
started = time.process_time()
for piece in storage.serialised(data, index.Places()):
    os.write(fd, piece)
print(time.process_time() - started)
"""


def time_writers(
    python: str, journal: Path, work: Path, runs: int, seed: int
) -> dict[str, list[float]]:
    """CPU seconds of each layout's writer writing ``journal``, ``runs`` fresh processes each."""
    patches = {"lines": "", "single": SINGLE_LINE_WRITER, "spans": SPANS_WRITER}
    times: dict[str, list[float]] = {layout: [] for layout in LAYOUTS}
    order = list(LAYOUTS)
    shuffle = random.Random(seed).shuffle
    for _ in range(runs):
        shuffle(order)
        for layout in order:
            script = WRITER_TIMER.format(patch=patches[layout])
            done = subprocess.run(
                [python, "-c", script, str(journal), str(work)],
                capture_output=True,
                text=True,
                check=True,
            )
            times[layout].append(float(done.stdout))
    return times


def median_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float]:
    """A distribution-free confidence interval of the median of ``values``: the order
    statistics that hold the median between them with at least ``confidence``."""
    ordered = sorted(values)
    n = len(ordered)
    # The median lies below the k-th smallest value (1-based) unless at least k values do
    # too, which happens with the binomial chance of k or more successes in n fair tosses.
    tail = 0.0
    lowest = 0
    for k in range(n + 1):
        tail += math.comb(n, k) / 2**n
        if tail > (1 - confidence) / 2:
            break
        lowest = k + 1
    if lowest == 0:  # too few values for that confidence
        return ordered[0], ordered[-1]
    return ordered[lowest - 1], ordered[n - lowest]


def single_line_copy(python: str, lined: Path) -> Path:
    """The journal on one line, as the old writer wrote it (by that writer, in a child)."""
    target = lined.with_name(f"{lined.stem.removesuffix('-lined')}-single.json")
    if not target.exists():
        script = SINGLE_LINE_WRITER + WRITE_ONCE
        subprocess.run([python, "-c", script, str(lined), str(target)], check=True)
    return target


WRITE_ONCE = """
import sys
from pathlib import Path
from filmlog.storage import parse_journal
source, target = Path(sys.argv[1]), Path(sys.argv[2])
target.write_bytes(b"".join(serialised(parse_journal(source.read_bytes(), source))))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="reviews (default 10,000)")
    parser.add_argument("--repeat", type=int, default=9, help="runs of each pair (default 9)")
    parser.add_argument(
        "--commands", default="rate,add,edit,list", help=f"from {', '.join(COMMANDS)}"
    )
    parser.add_argument(
        "--filmlog", type=Path, help="the entry point (default: beside this Python)"
    )
    parser.add_argument(
        "--writer-runs",
        type=int,
        default=31,
        help="runs of each writer alone (default 31; 0: none)",
    )
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="journal seed")
    parser.add_argument(
        "--out-dir", type=Path, default=BENCH / "out", help="where journals are kept"
    )
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.commands.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in COMMANDS]
    if unknown or args.repeat < 1 or args.size < 1 or args.writer_runs < 0:
        parser.error(
            f"unknown command {unknown[0]}"
            if unknown
            else "size and repeat must be positive, writer runs not negative"
        )

    filmlog = (args.filmlog or Path(sys.executable).with_name("filmlog")).absolute()
    python = str(entry_point_python(filmlog))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    generated = (
        args.out_dir / f"journal-n{args.size}-seed{args.seed}-v{generate.GENERATOR_VERSION}.json"
    )
    if not generated.exists():
        generate.write_journal(generated, args.size, args.seed)
    journals = {"lines": lined_copy(generated)}
    journals["single"] = journals["spans"] = single_line_copy(python, journals["lines"])
    launchers = {
        "lines": LAUNCH.format(patch=""),
        "single": LAUNCH.format(patch=SINGLE_LINE_WRITER),
        "spans": LAUNCH.format(patch=SPANS_WRITER),
    }
    work = args.out_dir / "layout-work" / "journal.json"
    work.parent.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(
        FILMLOG_DB=str(work), FILMLOG_BACKUPS="0", FILMLOG_CONFIG="/nonexistent", COLUMNS="100"
    )

    middle = str(max(1, args.size // 2))
    pairs = [(name, layout) for name in chosen for layout in LAYOUTS]
    wall: dict[tuple[str, str], list[float]] = {pair: [] for pair in pairs}
    cpu: dict[tuple[str, str], list[float]] = {pair: [] for pair in pairs}
    order = random.Random(args.seed)
    for rep in range(args.repeat + 1):  # the first round only warms caches
        order.shuffle(pairs)
        for name, layout in pairs:
            words = COMMANDS[name]
            fresh_copy(journals[layout], work)  # reads too: both read the same path
            command = [python, "-c", launchers[layout], *(w.format(middle=middle) for w in words)]
            elapsed, used = run(command, env)
            if rep:
                wall[name, layout].append(elapsed)
                cpu[name, layout].append(used)
        print(f"round {rep} of {args.repeat} done", file=sys.stderr)

    sizes = {layout: path.stat().st_size for layout, path in journals.items()}
    print(
        f"{args.size:,} reviews: lines {sizes['lines']:,} bytes, single {sizes['single']:,} bytes"
    )
    print(f"medians of {args.repeat} runs; ratios lines / single and lines / spans")
    print("paired: the median of the ratios a repetition at a time [95 % interval]")
    print(
        f"{'command':8} {'':4} {'lines':>7} {'single':>7} {'spans':>7} "
        f"{'÷ single':>9} {'÷ spans':>8}  {'paired ÷ single':>23}  {'paired ÷ spans':>23}"
    )
    for name in chosen:
        for what, times in (("wall", wall), ("cpu", cpu)):
            m = {layout: statistics.median(times[name, layout]) for layout in LAYOUTS}
            paired = []
            for other in ("single", "spans"):
                ratios = [
                    a / b for a, b in zip(times[name, "lines"], times[name, other], strict=True)
                ]
                low, high = median_interval(ratios)
                paired.append(f"{statistics.median(ratios):.3f} [{low:.3f}, {high:.3f}]")
            print(
                f"{name:8} {what:4} {m['lines']:7.3f} {m['single']:7.3f} {m['spans']:7.3f} "
                f"{m['lines'] / m['single']:9.3f} {m['lines'] / m['spans']:8.3f}  "
                f"{paired[0]:>23}  {paired[1]:>23}"
            )
    if args.writer_runs:
        print_writers(
            time_writers(python, journals["lines"], work, args.writer_runs, args.seed),
            statistics.median(cpu["rate", "lines"]) if "rate" in chosen else None,
        )
    return 0


def print_writers(times: dict[str, list[float]], rate: float | None) -> None:
    """The writers' CPU times, and what ``lines`` costs over each other writer."""
    runs = len(times["lines"])
    print(f"\nthe writer alone, CPU ms, medians of {runs} fresh processes")
    print(
        "  ".join(f"{layout} {1000 * statistics.median(times[layout]):.1f}" for layout in LAYOUTS)
    )
    for other in ("single", "spans"):
        extra = [1000 * (a - b) for a, b in zip(times["lines"], times[other], strict=True)]
        low, high = median_interval(extra)
        line = f"lines - {other}: {statistics.median(extra):+.1f} ms [{low:+.1f}, {high:+.1f}]"
        if rate is not None:
            share = statistics.median(extra) / (1000 * rate)
            line += f", {share:+.1%} of a whole rate ({1000 * rate:.0f} ms CPU)"
        print(line)


if __name__ == "__main__":
    raise SystemExit(main())
