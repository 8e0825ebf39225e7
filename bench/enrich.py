"""Time ``filmlog enrich`` of an imported history against a local TMDB look-alike.

Builds a Letterboxd diary of ``--films`` films watched ``--viewings`` times
each (500 and 4: 2,000 reviews), imports it, then runs ``filmlog enrich
--yes`` against the test suite's TMDB server (tests/tmdb_server.py) on
127.0.0.1 with an empty cache, ``--repeat`` times on fresh copies. For each run
it reports the wall time, the time the server spent answering, filmlog's own
time (the difference), and how many times the journal was written (counted
as the backups each write leaves). The targets: filmlog's own time at most
5 s, and at most one write per 200 reviews.

    /path/to/venv/bin/python bench/enrich.py
    /path/to/venv/bin/python bench/enrich.py --films 100 --viewings 2 --repeat 1   # a quick look

Standard library only; it measures whatever filmlog ``--filmlog`` names.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.tmdb_server import KEY, TMDBServer, synthetic_film  # noqa: E402 - after the path

OWN_TIME_TARGET = 5.0
REVIEWS_PER_WRITE = 200


def diary(path: Path, films: int, viewings: int) -> None:
    header = ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"]
    rows = [header]
    for n in range(films):
        for v in range(viewings):
            day = f"{2000 + v % 25}-{1 + n % 12:02d}-{1 + v % 28:02d}"
            uri = f"https://boxd.it/b{n}x{v}"
            rows.append([day, f"Bench Film {n}", str(1950 + n % 70), uri, "4", "", "", day])
    path.mkdir(parents=True, exist_ok=True)
    with (path / "diary.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--films", type=int, default=500)
    parser.add_argument("--viewings", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    default_exe = shutil.which("filmlog") or str(Path(sys.executable).with_name("filmlog"))
    parser.add_argument("--filmlog", default=default_exe, help="the filmlog to measure")
    args = parser.parse_args(argv)
    reviews = args.films * args.viewings
    films = {
        10_000 + n: synthetic_film(10_000 + n, f"Bench Film {n}", 1950 + n % 70)
        for n in range(args.films)
    }
    work = Path(tempfile.mkdtemp(prefix="filmlog-bench-enrich-"))
    try:
        diary(work / "letterboxd", args.films, args.viewings)
        base = dict(os.environ, FILMLOG_BACKUPS="1000", TMDB_API_KEY=KEY)
        imported = work / "imported.json"
        subprocess.run(
            [args.filmlog, "--db", str(imported), "import", str(work / "letterboxd")],
            env=base, check=True, capture_output=True,
        )  # fmt: skip
        print(f"filmlog enrich of {reviews:,} reviews of {args.films:,} films ({args.filmlog})")
        own_times = []
        for run in range(1, args.repeat + 1):
            journal = work / f"run-{run}" / "journal.json"
            journal.parent.mkdir()
            shutil.copy(imported, journal)
            with TMDBServer(films) as server:
                env = dict(
                    base, FILMLOG_TMDB_URL=server.url, FILMLOG_CACHE_DIR=str(journal.parent / "c")
                )
                started = time.perf_counter()
                result = subprocess.run(
                    [args.filmlog, "--db", str(journal), "enrich", "--yes"],
                    env=env, capture_output=True, text=True,
                )  # fmt: skip
                wall = time.perf_counter() - started
                busy, asked = server.busy, len(server.requests)
            if result.returncode != 0:
                print(result.stdout + result.stderr, file=sys.stderr)
                return 1
            writes = len(list((journal.parent / "journal.json.backups").glob("*.json")))
            own = wall - busy
            own_times.append(own)
            print(
                f"  run {run}: {wall:.2f} s wall, server {busy:.2f} s ({asked:,} requests), "
                f"filmlog {own:.2f} s; journal written {writes} times"
            )
            if writes > math.ceil(reviews / REVIEWS_PER_WRITE):
                print(f"  FAIL: more than one write per {REVIEWS_PER_WRITE} reviews")
                return 1
        median = statistics.median(own_times)
        verdict = "pass" if median <= OWN_TIME_TARGET else "FAIL"
        print(f"median filmlog time {median:.2f} s (target {OWN_TIME_TARGET:g} s): {verdict}")
        return 0 if verdict == "pass" else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
