"""Time filmlog against jrnl on a jrnl journal of the same reviews.

The reviews come from ``generate.reviews(N, seed)``, the same ones as the
filmlog benchmark journal of that size and seed. Each becomes a jrnl entry as a
jrnl user would write it: the date and time of watching in brackets, the film
and its year as the entry's title, the headline, a line with the rating,
verdict, runtime and directors, the genres as ``#tags`` and filmlog's tags as
``@tags``, then the body. The journal and a jrnl config live in a private
temporary folder that serves as ``HOME`` and the XDG folders for every jrnl run,
so a jrnl of the user's own is never read or touched.

Timed, interleaved and shuffled like ``run.py``, medians of ``--repeat`` runs:

- ``jrnl -n 10`` against ``filmlog list -n 10`` (the index beside the journal,
  made by an untimed first run, as after any filmlog command);
- ``jrnl -contains ferry -n 20`` against ``filmlog search ferry`` (20 matches
  by default).

Standard library only; it never imports filmlog or jrnl.

    /path/to/venv/bin/python bench/jrnl.py --jrnl /other/venv/bin/jrnl --sizes 10000
    /path/to/venv/bin/python bench/jrnl.py --jrnl ... --output bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402 - siblings, found through the path set just above
from run import NOISY_ENV, entry_point_python, environment, fail, parse_sizes, progress, spawn  # noqa: E402

DEFAULT_SIZES = (10_000,)
DEFAULT_REPEAT = 7
TARGET_SPEEDUP = 10  # filmlog list against jrnl -n 10, at every size
WORD = "ferry"
TIMEFORMAT = "%Y-%m-%d %H:%M"
# jrnl's own rules, from jrnl 4: where an entry starts, what a tag is, where a title ends.
ENTRY_START = re.compile(r"(?:^|\n)\[([^\]]+)\] ")
TAG = re.compile(r"(?<!\S)([#@][-+*#/\w]+)")
TITLE_END = re.compile(r"\n|[?!.]+ +\n?")


def tag(symbol: str, name: str) -> str:
    """A filmlog tag or genre as a jrnl tag: jrnl tags are one word, so spaces become hyphens."""
    return symbol + re.sub(r"[^-+*#/\w]+", "-", name.strip()).strip("-")


def stars(rating: int) -> str:
    return f"{rating // 2}{'.5' if rating % 2 else ''}/5"


def when(review: dict[str, Any]) -> datetime:
    """The day it was watched, at the clock time the review was logged (the generator's
    reviews know the day of watching, not the hour)."""
    logged = datetime.fromisoformat(review["logged_at"])
    day = datetime.fromisoformat(review["watched_on"])
    return day.replace(hour=logged.hour, minute=logged.minute)


def entry(review: dict[str, Any]) -> str:
    """One jrnl entry, in the layout jrnl writes: ``[date] title``, the body, a newline."""
    facts = f"Rating {stars(review['rating'])}, {review['verdict']}"
    if review["liked"]:
        facts += ", liked"
    if review["rewatch"]:
        facts += ", a rewatch"
    facts += f". {review['runtime']} min, directed by {', '.join(review['directors'])}."
    labels = [tag("#", genre) for genre in review["genres"]]
    labels += [tag("@", name) for name in review["tags"]]
    body = "\n\n".join([review["headline"], facts, " ".join(labels), review["body"].strip()])
    return f"[{when(review):{TIMEFORMAT}}] {review['title']} ({review['year']})\n{body}\n"


def journal_text(reviews: Iterable[dict[str, Any]]) -> str:
    """The whole journal: entries in date order, one blank line between them, as jrnl keeps it."""
    ordered = sorted(reviews, key=when)  # stable: reviews of one minute keep their order
    return "\n".join(entry(review) for review in ordered)


def write_config(home: Path, journal: Path, version: str) -> Path:
    """jrnl's configuration, every key present and the running version named, so that jrnl
    neither asks to install nor rewrites it to upgrade."""
    folder = home / ".config" / "jrnl"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "jrnl.yaml"
    lines = [
        "colors:",
        "  body: none",
        "  date: none",
        "  tags: none",
        "  title: none",
        "default_hour: 9",
        "default_minute: 0",
        "editor: ''",
        "encrypt: false",
        "highlight: true",
        "indent_character: '|'",
        "journals:",
        "  default:",
        f"    journal: {json.dumps(str(journal))}",
        "linewrap: 79",
        "tagsymbols: '#@'",
        "template: false",
        f"timeformat: '{TIMEFORMAT}'",
        f"version: {json.dumps(version)}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def jrnl_environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOISY_ENV}
    env |= {"HOME": str(home), "COLUMNS": "100"}
    env |= {
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
    }
    for name in ("VISUAL", "EDITOR", "JRNL_CONFIG"):
        env.pop(name, None)
    return env


def jrnl_version(jrnl: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(jrnl), "--version"], capture_output=True, text=True, env=env, timeout=120
    )
    found = re.search(r"jrnl (v?\d+(?:\.\d+)+\S*)", result.stdout)
    if result.returncode != 0 or not found:
        fail(f"{jrnl} --version did not name a jrnl version: {result.stderr.strip()[:200]}")
    return found.group(1).removeprefix("v")


def check_jrnl(jrnl: Path, env: dict[str, str], reviews: list[dict[str, Any]]) -> None:
    """jrnl reads the whole journal: every entry, and the newest three as they were written."""
    run = [str(jrnl), "--short"]
    listed = subprocess.run(run, capture_output=True, text=True, env=env, timeout=600)
    count = len(re.findall(r"^\d{4}-\d\d-\d\d \d\d:\d\d ", listed.stdout, re.M))
    if listed.returncode != 0 or count != len(reviews):
        fail(f"jrnl --short listed {count} entries, not {len(reviews)}: {listed.stderr[:200]}")
    run = [str(jrnl), "-n", "3", "--format", "json"]
    newest = subprocess.run(run, capture_output=True, text=True, env=env, timeout=600)
    try:
        got = [(e["date"], e["time"], e["title"]) for e in json.loads(newest.stdout)["entries"]]
    except (ValueError, KeyError, TypeError):
        fail(f"jrnl -n 3 did not print its entries: {newest.stderr.strip()[:200]}")
    last = sorted(reviews, key=when)[-3:]
    want = [
        (f"{when(r):%Y-%m-%d}", f"{when(r):%H:%M}", f"{r['title']} ({r['year']})") for r in last
    ]
    if got != want:
        fail(f"jrnl -n 3 read {got}, expected {want}")


@dataclass
class Item:
    label: str
    argv: list[str]
    env: dict[str, str]
    versus: str | None = None  # the label of the jrnl item it is compared with
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def filmlog_journal(out: Path, size: int, seed: int) -> Path:
    """The benchmark's journal of this size and seed, generated as ``run.py`` does if missing."""
    path = out / f"journal-n{size}-seed{seed}-v{generate.GENERATOR_VERSION}.json"
    if not path.exists():
        progress(f"generating {size:,} reviews into {path}")
        script = str(BENCH / "generate.py")
        subprocess.run(
            [sys.executable, script, str(size), str(path), "--seed", str(seed)], check=True
        )
    return path


def measure(items: list[Item], repeat: int, seed: int) -> None:
    for item in items:
        # Untimed: warms the caches, makes filmlog's index, catches a failing command.
        result = subprocess.run(
            item.argv, capture_output=True, text=True, env=item.env, timeout=600
        )
        if result.returncode != 0:
            fail(f"{' '.join(item.argv[1:])} failed: {(result.stderr or result.stdout)[:200]}")
    order = random.Random(seed)
    live = list(items)
    for rep in range(repeat):
        progress(f"repetition {rep + 1} of {repeat}")
        order.shuffle(live)
        for item in live:
            elapsed, _, code = spawn(item.argv, item.env)
            if code != 0:
                fail(f"{item.label} exited {code} on repetition {rep + 1}")
            item.times.append(elapsed)


def section(
    size: int, items: list[Item], version: str, journal_bytes: int, args: argparse.Namespace
) -> str:
    repeat = args.repeat
    command = "python bench/jrnl.py " + " ".join(shlex.quote(a) for a in args.raw)
    by_label = {item.label: item for item in items}
    rows = [
        "| Command | Median s | Min s | Ratio to jrnl |",
        "|---|---|---|---|",
    ]
    for item in items:
        ratio = "1 (yardstick)"
        if item.versus:
            other = by_label[item.versus]
            share = item.median / other.median
            # The fastest runs too: on a busy machine noise only ever adds time.
            fastest = min(other.times) / min(item.times)
            ratio = f"{share:.3f}× ({1 / share:.1f}× faster; fastest runs {fastest:.1f}×)"
        rows.append(f"| `{item.label}` | {item.median:.3f} | {min(item.times):.3f} | {ratio} |")
    listing = next(item for item in items if item.versus and "list" in item.label)
    speedup = by_label[listing.versus or ""].median / listing.median
    ok = speedup >= TARGET_SPEEDUP
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"## filmlog against jrnl {version}, {size:,} reviews",
        "",
        f"Written by `{command}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC "
        f"(load average {load}): medians of {repeat} runs of whole processes, interleaved "
        f"and shuffled. The jrnl journal holds the same reviews as the filmlog journal "
        f"({journal_bytes / 1e6:.1f} MB of plain text).",
        "",
        *rows,
        "",
        f"filmlog list at least {TARGET_SPEEDUP}× faster than jrnl -n 10: "
        f"{'pass' if ok else '**FAIL**'} ({speedup:.1f}×)",
        "",
    ]
    return "\n".join(lines)


def run_size(args: argparse.Namespace, size: int, version: str) -> str:
    journal = filmlog_journal(args.out_dir, size, args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-jrnl-") as folder:
        home = Path(folder)
        progress(f"N={size:,}: writing the jrnl journal")
        reviews = generate.reviews(size, seed=args.seed)
        text_path = home / "films.txt"
        text_path.write_text(journal_text(reviews), encoding="utf-8")
        write_config(home, text_path, version)
        jenv = jrnl_environment(home)
        check_jrnl(args.jrnl, jenv, reviews)
        del reviews
        jrnl, filmlog = str(args.jrnl), str(args.filmlog)
        fenv = environment(journal)
        items = [
            Item("jrnl -n 10", [jrnl, "-n", "10"], jenv),
            Item("filmlog list -n 10", [filmlog, "list", "-n", "10"], fenv, "jrnl -n 10"),
            Item(f"jrnl -contains {WORD} -n 20", [jrnl, "-contains", WORD, "-n", "20"], jenv),
            Item(
                f"filmlog search {WORD}",
                [filmlog, "search", WORD],
                fenv,
                f"jrnl -contains {WORD} -n 20",
            ),
        ]
        before = text_path.stat()
        measure(items, args.repeat, args.seed)
        after = text_path.stat()
        if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
            fail("jrnl rewrote its journal while reading it; the timings include a write")
        return section(size, items, version, after.st_size, args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jrnl", type=Path, required=True, help="jrnl's entry point")
    parser.add_argument(
        "--filmlog", type=Path, help="filmlog's entry point (default: next to this Python)"
    )
    parser.add_argument(
        "--sizes", type=parse_sizes, help="comma-separated review counts (default 10000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEAT, help="timed runs of each command"
    )
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="journal seed")
    parser.add_argument(
        "--out-dir", type=Path, default=BENCH / "out", help="where filmlog journals are kept"
    )
    parser.add_argument("--output", type=Path, help="append the report to this Markdown file")
    args = parser.parse_args(argv)
    args.raw = sys.argv[1:] if argv is None else argv
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not hasattr(os, "posix_spawn") or not hasattr(os, "wait4"):
        fail("this benchmark needs a POSIX system (os.posix_spawn and os.wait4)")
    args.filmlog = (args.filmlog or Path(sys.executable).with_name("filmlog")).absolute()
    args.jrnl = args.jrnl.absolute()
    for program in (args.filmlog, args.jrnl):
        if not program.is_file():
            fail(f"no entry point at {program}")
        entry_point_python(program)  # refuses a pyenv shim, whose start-up would be timed too
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-jrnl-") as folder:
        version = jrnl_version(args.jrnl, jrnl_environment(Path(folder)))
    report = "\n".join(run_size(args, size, version) for size in args.sizes or DEFAULT_SIZES)
    print(report)
    if args.output:
        with args.output.open("a", encoding="utf-8") as handle:
            handle.write("\n" + report)
        progress(f"appended to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
