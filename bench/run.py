"""Time whole filmlog processes against the floors they cannot beat, and write bench/RESULTS.md.

For each journal size, every filmlog command is run as a real process of the
installed entry point, next to its floor measured in the same run:

- ``python -c pass``: starting the interpreter at all;
- ``python -c "import typer, tinydb, dateutil.parser"``: the import floor;
- the read floor: a plain ``json.load`` of the same file and printing 20 titles
  (and the same after the import floor, the target at 1,000 reviews);
- the write floor: ``json.load`` + ``json.dumps`` + an atomic replace (temporary
  file, fsync, ``os.replace``, folder fsync);
- stock TinyDB inserting one review in a fresh process (default JSONStorage),
  the comparison the write targets are set against.

One more write is a batch: ``filmlog import`` of a filmlog export holding
2,000 of the journal's reviews, each changed and newer, so that one command
updates 2,000 reviews; it is compared with a single ``rate``. An import is
the honest batch: the work is filmlog's own (reading, checking and merging
the export, writing once), where an ``enrich`` of 2,000 films would time
2,000 requests to a server.

Write commands (and the write floors) start from the journal laid out as
filmlog writes it, a review a line, as any journal filmlog has written once is.
Reads use the generated file as it is.

Every repetition runs every item once, in a shuffled order, so that a burst of
noise on the machine hits commands and floors alike. Write commands get a fresh,
fsynced copy of the journal before each run, outside the timed region. Wall
time is measured around ``posix_spawn`` + ``wait4``; peak memory is the
child's own ``ru_maxrss`` from ``wait4``.

Standard library only; it does not import filmlog, so it measures whatever
filmlog the ``--filmlog`` entry point belongs to.

    /path/to/venv/bin/python bench/run.py                 # 1,000, 10,000 and 50,000
    /path/to/venv/bin/python bench/run.py --sizes 1000,10000 --repeat 11
    /path/to/venv/bin/python bench/run.py --quick         # smoke run, a few seconds
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NoReturn

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402 - the sibling module, found through the path set just above

DEFAULT_SIZES = (1_000, 10_000, 50_000)
DEFAULT_REPEAT = 7
MB = 1_000_000
GNU_TIME = "/usr/bin/time"

# Targets from the issues that asked for this benchmark: each read against the read floor,
# by size (with the index beside the journal, as after any filmlog command).
READ_TARGETS = {
    "list": {10_000: 0.5, 50_000: 0.3},
    "show": {10_000: 0.5},
    "search_filter": {10_000: 0.5},
    "stats": {10_000: 0.5},
    "search_words": {10_000: 0.8},
}
UI_IMPORT_TARGET = {1_000: 1.3}  # list against importing typer and rich.console
WRITE_VS_TINYDB_TARGET = {10_000: 0.5}
BATCH_VS_RATE_TARGET = {10_000: 1.5}
BATCH_UPDATES = 2_000
READ_MEMORY_TARGET = {10_000: 1.0}
SHAPES = ("filmlog", "letterboxd")

# Variables that would change what is measured (profiling, debug allocators, no bytecode cache).
NOISY_ENV = (
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONTRACEMALLOC",
    "PYTHONDEVMODE",
    "PYTHONMALLOC",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONWARNINGS",
    "FILMLOG_DEBUG",
)

READ_FLOOR = """\
import json, sys
with open(sys.argv[1], encoding="utf-8") as handle:
    data = json.load(handle)
for review in list(data["reviews"].values())[:20]:
    print(review["title"])
"""

IMPORTS = "import typer, tinydb, dateutil.parser\n"
UI_IMPORTS = "import typer, rich.console\n"

WRITE_FLOOR = """\
import json, os, sys, tempfile
path = sys.argv[1]
with open(path, encoding="utf-8") as handle:
    data = json.load(handle)
review = json.loads(sys.argv[2])
data["reviews"][str(len(data["reviews"]) + 1)] = review
payload = json.dumps(data).encode("ascii")
folder = os.path.dirname(os.path.abspath(path))
fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
with os.fdopen(fd, "wb") as handle:
    handle.write(payload)
    handle.flush()
    os.fsync(handle.fileno())
os.replace(tmp, path)
dir_fd = os.open(folder, os.O_RDONLY)
os.fsync(dir_fd)
os.close(dir_fd)
"""

TINYDB_INSERT = """\
import json, sys
from tinydb import TinyDB
db = TinyDB(sys.argv[1])
db.table("reviews").insert(json.loads(sys.argv[2]))
db.close()
"""


@dataclass
class Item:
    """One thing to time: a filmlog command or a floor."""

    key: str
    label: str
    argv: list[str]
    kind: str  # "floor", "read", "write", "version", "export"
    floor: str | None = None
    write: bool = False
    cold: bool = False  # run with no index: the journal's index is removed before each run
    prepare: list[str] | None = None  # run untimed before each run, after the fresh copy
    times: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    measured_peak: int | None = None
    error: str | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak(self) -> float:
        return self.measured_peak if self.measured_peak is not None else statistics.median(self.rss)


@dataclass
class SizeResult:
    size: int
    shape: str
    path: Path
    file_bytes: int
    items: list[Item]

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key and i.times), None)


def fail(message: str) -> NoReturn:
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(2)


def entry_point_python(filmlog: Path) -> Path:
    """The interpreter an installed console script runs with, read from its shebang.

    A pyenv shim is a shell script that picks an interpreter at run time; timing
    it would add the shim's own start-up to every number, so it is refused.
    """
    if filmlog.parent.name == "shims":
        fail(f"{filmlog} is a pyenv shim; pass the entry point inside a virtualenv")
    try:
        with filmlog.open("rb") as handle:
            first = handle.readline(400).decode(errors="replace").strip()
    except OSError as exc:
        fail(f"cannot read {filmlog}: {exc.strerror}")
    words = shlex.split(first[2:]) if first.startswith("#!") else []
    if not words or not Path(words[0]).name.startswith("python"):
        fail(f"{filmlog} is not a Python console script (a pyenv shim?); pass a virtualenv's")
    interpreter = Path(words[0])
    if not interpreter.exists():
        fail(f"{filmlog} runs {interpreter}, which does not exist")
    return interpreter


def spawn(argv: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Run ``argv`` with output discarded: (wall seconds, peak RSS in bytes, exit status)."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return elapsed, usage.ru_maxrss * scale, os.waitstatus_to_exitcode(status)


def fresh_copy(master: Path, work: Path) -> None:
    """Copy the journal and flush it, so a timed fsync pays only for its own write."""
    shutil.copyfile(master, work)
    with work.open("rb+") as handle:
        os.fsync(handle.fileno())
    for leftover in [*work.parent.glob(f".{work.name}.*"), work.with_name(work.name + ".idx")]:
        leftover.unlink(missing_ok=True)


def drop_index(journal: Path) -> None:
    journal.with_name(journal.name + ".idx").unlink(missing_ok=True)


def lined_copy(master: Path) -> Path:
    """``master`` laid out as filmlog writes a journal: each table from a new line, the
    reviews last and one a line (see filmlog.storage.serialised); written once, beside it."""
    target = master.with_name(f"{master.stem}-lined.json")
    if target.exists():
        return target
    data = json.loads(master.read_text(encoding="utf-8"))
    reviews = data.pop("reviews", {})

    def compact(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    parts = []
    for index, (name, table) in enumerate([*data.items(), ("reviews", reviews)]):
        parts.append(("{" if index == 0 else "\n,") + compact(name) + ":")
        if name == "_filmlog" or not isinstance(table, dict) or not table:
            parts.append(compact(table))
        else:
            rows = "\n,".join(f"{compact(key)}:{compact(doc)}" for key, doc in table.items())
            parts.append("{\n" + rows + "\n}")
    parts.append("}\n")
    target.write_text("".join(parts), encoding="utf-8")
    return target


def commands_of(filmlog: Path, env: dict[str, str]) -> set[str]:
    """The command names ``filmlog --help`` lists."""
    result = subprocess.run(
        [str(filmlog), "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    if result.returncode != 0:
        fail(f"{filmlog} --help failed: {result.stderr.strip()[:200]}")
    names: set[str] = set()
    in_commands = False
    for line in result.stdout.splitlines():
        if line.strip().rstrip(":") == "Commands" or line.strip().startswith("Commands"):
            in_commands = True
            continue
        if in_commands:
            match = re.match(r"^[\s│|]+([a-z][a-z0-9-]*)\b", line)
            if match:
                names.add(match.group(1))
    return names


def batch_file(journal: Path, count: int) -> Path:
    """A filmlog export of ``count`` of the journal's reviews, spread over it, each changed and
    a day newer, so that importing it updates every one of them; written once, beside it."""
    target = journal.with_name(f"{journal.stem}-updates{count}.json")
    if target.exists():
        return target
    with journal.open(encoding="utf-8") as handle:
        docs = json.load(handle)["reviews"]
    keys = sorted(docs, key=int)
    step = max(1, len(keys) // count)
    chosen = []
    for key in keys[::step][:count]:
        doc = dict(docs[key], id=int(key), headline="A second look changes everything")
        stamp = doc.get("updated_at") or doc.get("logged_at") or "2020-01-01T00:00:00+00:00"
        doc["updated_at"] = (datetime.fromisoformat(stamp) + timedelta(days=1)).isoformat()
        chosen.append(doc)
    payload = {"format": "filmlog-export", "version": 1, "filmlog": "bench", "reviews": chosen}
    target.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return target


def build_items(
    filmlog: Path,
    python: Path,
    journal: Path,
    work: Path,
    cold: Path,
    size: int,
    commands: set[str],
) -> list[Item]:
    exe, py = str(filmlog), str(python)
    new_review = generate.reviews(1, seed=4242)[0]
    new_json = json.dumps(new_review, ensure_ascii=False)
    middle = str(max(1, size // 2))
    add_args = ["add", new_review["title"], "--year", str(new_review["year"])]
    add_args += ["--released", new_review["release_date"]]
    for name in new_review["directors"]:
        add_args += ["--director", name]
    for member in new_review["cast"]:
        add_args += ["--cast", f"{member['actor']} as {member['role']}"]
    for genre in new_review["genres"]:
        add_args += ["--genre", genre]
    for tag in new_review["tags"]:
        add_args += ["--tag", tag]
    add_args += ["--mpaa", new_review["mpaa"], "--runtime", str(new_review["runtime"])]
    add_args += ["--rating", str(new_review["rating"] / 2), "--verdict", new_review["verdict"]]
    add_args += ["--headline", new_review["headline"], "--body", new_review["body"]]
    add_args += ["--watched", new_review["watched_on"], "--reviewer", new_review["reviewer"]]
    add_args += ["--liked" if new_review["liked"] else "--not-liked"]

    items = [
        Item("pass", "python -c pass", [py, "-c", "pass"], "floor"),
        Item(
            "imports", "import floor: typer, tinydb, dateutil.parser", [py, "-c", IMPORTS], "floor"
        ),
        Item(
            "read",
            "read floor: json.load + print 20 titles",
            [py, "-c", READ_FLOOR, str(journal)],
            "floor",
        ),
        Item(
            "import_read",
            "import floor + read floor",
            [py, "-c", IMPORTS + READ_FLOOR, str(journal)],
            "floor",
        ),
        Item("ui_imports", "import floor: typer, rich.console", [py, "-c", UI_IMPORTS], "floor"),
        Item(
            "write",
            "write floor: json.load + json.dumps + atomic replace",
            [py, "-c", WRITE_FLOOR, str(work), new_json],
            "floor",
            write=True,
        ),
        Item(
            "tinydb_insert",
            "stock TinyDB insert (JSONStorage)",
            [py, "-c", TINYDB_INSERT, str(work), new_json],
            "floor",
            floor="write",
            write=True,
        ),
        Item("version", "filmlog --version", [exe, "--version"], "version", floor="pass"),
        Item("list", "filmlog list", [exe, "list"], "read", floor="read"),
        Item(
            "search_filter",
            "filmlog search --genre Horror --min-rating 4 -n 20",
            [exe, "search", "--genre", "Horror", "--min-rating", "4", "-n", "20"],
            "read",
            floor="read",
        ),
        Item(
            "search_words",
            "filmlog search ferry piano -n 20",
            [exe, "search", "ferry", "piano", "-n", "20"],
            "read",
            floor="read",
        ),
        Item("show", f"filmlog show {middle}", [exe, "show", middle], "read", floor="read"),
        Item(
            "list_cold", "filmlog list (no index)", [exe, "list"], "read", floor="read", cold=True
        ),
        Item(
            "search_words_cold",
            "filmlog search ferry piano -n 20 (no index)",
            [exe, "search", "ferry", "piano", "-n", "20"],
            "read",
            floor="read",
            cold=True,
        ),
    ]
    if "stats" in commands:
        items.append(Item("stats", "filmlog stats", [exe, "stats"], "read", floor="read"))
    if "export" in commands:
        items.append(
            Item(
                "export",
                "filmlog export --format json",
                [exe, "export", "--format", "json"],
                "export",
                floor="read",
            )
        )
    edit_args = ["edit", middle, "--headline", "A second look changes everything"]
    writes = [
        ("add", "filmlog add (every field, 3 KB body)", add_args),
        ("rate", f"filmlog rate {middle} 3.5", ["rate", middle, "3.5"]),
        ("edit", f"filmlog edit {middle} --headline ...", edit_args),
        ("delete", f"filmlog delete {middle} --yes", ["delete", middle, "--yes"]),
    ]
    if "import" in commands:
        count = min(BATCH_UPDATES, size)
        updates = str(batch_file(journal, count))
        label = f"filmlog import (updates {count:,} reviews)"
        writes.append(("batch", label, ["import", updates, "--format", "json"]))
    # Each write finds an index holding the reviews' words, as after any word search.
    prepare = [exe, "search", "zzyzx", "-n", "1"]
    items += [
        Item(key, label, [exe, *args], "write", floor="write", write=True, prepare=prepare)
        for key, label, args in writes
    ]
    return items


def environment(journal: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOISY_ENV}
    env["FILMLOG_DB"] = str(journal)
    env["COLUMNS"] = "100"
    return env


def first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:70] if lines else "(no output)"


def peak_meter() -> str | None:
    """GNU time, when it is installed and understands ``-f %M -o FILE``."""
    if not Path(GNU_TIME).is_file():
        return None
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "peak"
        result = subprocess.run(
            [GNU_TIME, "-f", "%M", "-o", str(report), "true"], capture_output=True, check=False
        )
        ok = result.returncode == 0 and report.exists() and report.read_text().strip().isdigit()
    return GNU_TIME if ok else None


def check(
    item: Item, env: dict[str, str], master: Path, work: Path, meter: str | None, scratch: Path
) -> None:
    """Run an item once, untimed: warms caches, catches a failing command, measures peak memory.

    Peak memory comes from GNU time rather than from ``wait4`` when it can:
    Linux counts the parent's own peak into a spawned child's ``ru_maxrss``,
    while GNU time is a parent too small to matter.
    """
    if item.write:
        fresh_copy(master, work)
    elif not item.cold:
        # Once unmeasured: a read's first run may be the one that makes the index.
        subprocess.run(item.argv, capture_output=True, env=env, timeout=600)
    before(item, env)
    argv = [meter, "-f", "%M", "-o", str(scratch), *item.argv] if meter else item.argv
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    if result.returncode != 0:
        item.error = f"exit {result.returncode}: {first_line(result.stderr or result.stdout)}"
        return
    if item.kind in ("read", "version", "write"):
        item.note = first_line(result.stdout.splitlines()[0] if result.stdout else "")
    if meter:
        # GNU time reports kilobytes; a line about the exit status may come first.
        item.measured_peak = int(scratch.read_text().split()[-1]) * 1024


def before(item: Item, env: dict[str, str]) -> None:
    """What an item needs done, untimed, before each of its runs."""
    if item.cold:
        drop_index(Path(env["FILMLOG_DB"]))
    if item.prepare:
        subprocess.run(item.prepare, env=env, capture_output=True, check=True, timeout=600)


def run_size(
    size: int,
    shape: str,
    args: argparse.Namespace,
    filmlog: Path,
    python: Path,
    commands: set[str],
) -> SizeResult:
    out = args.out_dir
    version = f"seed{args.seed}-v{generate.GENERATOR_VERSION}"
    master = out / f"journal-n{size}-{version}.json"
    script = str(BENCH / "generate.py")
    seed = str(args.seed)
    if shape == "letterboxd":
        version = f"seed{args.seed}-lb{generate.LETTERBOXD_VERSION}"
        master = out / f"letterboxd-n{size}-{version}.json"
    if not master.exists():
        progress(f"generating {size:,} {shape}-shaped reviews into {master}")
        # In a child process, so this one stays small: see check().
        if shape == "filmlog":
            subprocess.run(
                [sys.executable, script, str(size), str(master), "--seed", seed], check=True
            )
        else:
            export = out / f"letterboxd-export-n{size}-{version}"
            argv = [sys.executable, script, str(size), str(export), "--seed", seed]
            subprocess.run([*argv, "--shape", "letterboxd"], check=True)
            partial = master.with_name(master.name + ".partial")
            partial.unlink(missing_ok=True)
            env = {**environment(partial), "FILMLOG_BACKUPS": "0"}
            argv = [str(filmlog), "import", str(export), "--format", "letterboxd"]
            subprocess.run(argv, env=env, check=True, capture_output=True, timeout=3600)
            partial.rename(master)
            drop_index(partial)
    work_dir = out / "work"
    work_dir.mkdir(parents=True, exist_ok=True)
    work = work_dir / "journal.json"
    written = lined_copy(master)  # what every write starts from
    cold = work_dir / "cold.json"
    shutil.copyfile(master, cold)
    items = build_items(filmlog, python, master, work, cold, size, commands)
    if args.only:  # the floors are timed too, and the batch's yardstick, rate
        wanted = args.only | ({"rate"} if "batch" in args.only else set())
        items = [item for item in items if item.key in wanted or item.kind == "floor"]
    read_env, write_env, cold_env = environment(master), environment(work), environment(cold)

    def env_for(item: Item) -> dict[str, str]:
        return write_env if item.write else cold_env if item.cold else read_env

    progress(f"N={size:,}: warming up {len(items)} items")
    for item in items:
        check(item, env_for(item), written, work, args.meter, work_dir / "peak.txt")
        if item.error:
            progress(f"  {item.label}: FAILED ({item.error})")
    live = [item for item in items if not item.error]
    order = random.Random(args.seed)
    for rep in range(args.repeat):
        progress(f"N={size:,}: repetition {rep + 1} of {args.repeat}")
        order.shuffle(live)
        for item in live:
            if item.write:
                fresh_copy(written, work)
            before(item, env_for(item))
            elapsed, rss, code = spawn(item.argv, env_for(item))
            if code != 0:
                item.error = f"exit {code} on repetition {rep + 1}"
                continue
            item.times.append(elapsed)
            item.rss.append(rss)
    for item in items:
        if item.error:
            item.times.clear()
    # The copy, its lock and the backups filmlog keeps beside it: 175 MB at 50,000 reviews.
    shutil.rmtree(work_dir, ignore_errors=True)
    return SizeResult(size, shape, master, master.stat().st_size, items)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def row_for(result: SizeResult, item: Item) -> list[str]:
    if item.error or not item.times:
        return [f"`{item.label}`", "—", "—", "—", "—", "—", f"failed: {item.error}", ""]
    size = result.size
    floor = result.item(item.floor) if item.floor else None
    ratio = "—"
    if floor:
        # The ratio of the fastest runs too: on a busy machine noise only ever adds time.
        fastest = min(item.times) / min(floor.times)
        ratio = f"{item.median / floor.median:.2f}× {floor.key} (min {fastest:.2f}×)"
    targets: list[str] = []
    if item.kind == "read":
        read_floor, ui_imports = result.item("read"), result.item("ui_imports")
        limit = READ_TARGETS.get(item.key, {}).get(size)
        if limit is not None and read_floor:
            ok = item.median <= limit * read_floor.median
            targets.append(f"≤ {limit}× read floor: {verdict(ok)}")
        if item.key == "list" and size in UI_IMPORT_TARGET and ui_imports:
            limit = UI_IMPORT_TARGET[size]
            share = item.median / ui_imports.median
            targets.append(
                f"≤ {limit}× typer+rich import ({share:.2f}×): {verdict(share <= limit)}"
            )
        if size in READ_MEMORY_TARGET and not item.cold:
            limit = READ_MEMORY_TARGET[size]
            ok = item.peak <= limit * result.file_bytes
            targets.append(f"peak ≤ {limit:g}× file: {verdict(ok)}")
    if item.kind == "write":
        tinydb = result.item("tinydb_insert")
        if tinydb and item.key != "batch":  # the TinyDB yardstick is for one-review writes
            share = item.median / tinydb.median
            if size in WRITE_VS_TINYDB_TARGET:
                limit = WRITE_VS_TINYDB_TARGET[size]
                targets.append(
                    f"≤ {limit}× TinyDB insert ({share:.2f}×): {verdict(share <= limit)}"
                )
            else:
                targets.append(f"{share:.2f}× TinyDB insert")
        rate = result.item("rate")
        if item.key == "batch" and rate:
            share = item.median / rate.median
            if size in BATCH_VS_RATE_TARGET:
                limit = BATCH_VS_RATE_TARGET[size]
                targets.append(f"≤ {limit}× rate ({share:.2f}×): {verdict(share <= limit)}")
            else:
                targets.append(f"{share:.2f}× rate")
    return [
        f"`{item.label}`",
        f"{item.median:.3f}",
        f"{min(item.times):.3f}",
        f"{item.peak / MB:.0f}",
        f"{item.peak / result.file_bytes:.1f}",
        ratio,
        "; ".join(targets) or "—",
        item.note.replace("|", "\\|") if item.note else "",
    ]


def table(result: SizeResult) -> list[str]:
    header = [
        "Command",
        "Median s",
        "Min s",
        "Peak MB",
        "Peak ÷ file",
        "vs floor",
        "Targets",
        "First line of output",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    for item in result.items:
        cells = row_for(result, item)
        cells += [""] * (len(header) - len(cells))
        lines.append("| " + " | ".join(cells[: len(header)]) + " |")
    return lines


def furthest(results: list[SizeResult]) -> list[str]:
    """The commands furthest above their floor, worst first."""
    rows: list[tuple[float, str]] = []
    for result in results:
        for item in result.items:
            floor = result.item(item.floor) if item.floor else None
            if item.times and floor and item.kind != "floor":
                ratio = item.median / floor.median
                rows.append(
                    (
                        ratio,
                        f"N={result.size:,}: `{item.label}` {ratio:.2f}× {floor.key} floor "
                        f"({item.median:.3f} s vs {floor.median:.3f} s)",
                    )
                )
    rows.sort(reverse=True)
    return [f"{n}. {text}" for n, (_, text) in enumerate(rows[:8], start=1)]


def machine_facts(python: Path, filmlog: Path, env: dict[str, str]) -> list[str]:
    probe = (
        "import sys, importlib.metadata as m\n"
        "print(sys.version.split()[0])\n"
        "for name in ('filmlog', 'typer', 'rich', 'tinydb', 'orjson', 'python-dateutil'):\n"
        "    try: print(name, m.version(name))\n"
        "    except m.PackageNotFoundError: print(name, 'not installed')\n"
    )
    lines = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, env=env, check=True
    ).stdout.splitlines()
    cpu = "unknown"
    memory = "unknown"
    try:
        info = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
        cpu = found.group(1).strip() if found else platform.processor() or "unknown"
        total = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        memory = f"{int(total.group(1)) / 1024**2:.1f} GiB" if total else "unknown"
    except OSError:
        cpu = platform.processor() or "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return [
        f"- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- CPUs: {os.cpu_count()} × {cpu}; memory {memory}",
        f"- OS: {platform.platform()}",
        f"- Python {lines[0]} ({python}); filmlog entry point {filmlog}",
        "- Packages: " + ", ".join(lines[1:]),
        f"- Load average at start: {load}",
    ]


def write_results(
    path: Path, results: list[SizeResult], facts: list[str], args: argparse.Namespace
) -> None:
    command = "python bench/run.py " + " ".join(shlex.quote(a) for a in args.raw)
    out = [
        "# filmlog benchmark results",
        "",
        f"Written by `{command.strip()}`. Wall times are the median of {args.repeat} runs of a "
        "whole process; peak memory is the process's maximum resident set (MB = 10⁶ bytes), "
        + (
            "measured by GNU time (`%M`) on an untimed run of each item. "
            if args.meter
            else "the `ru_maxrss` that `wait4` reports (it includes this script's own peak, "
            "so small values are overstated). "
        )
        + "`vs floor` divides a command's median by its floor's median from the same run. "
        "Journals: seed "
        f"{args.seed}, generator v{generate.GENERATOR_VERSION}; "
        + "; ".join(f"{r.size:,} {r.shape} reviews = {r.file_bytes / MB:.1f} MB" for r in results)
        + ".",
        "",
        "## Machine",
        "",
        *facts,
        "",
    ]
    for result in results:
        shape = "generated" if result.shape == "filmlog" else "imported from a Letterboxd export"
        out += [
            f"## {result.size:,} reviews, {shape} ({result.file_bytes / MB:.1f} MB)",
            "",
            *table(result),
            "",
        ]
    out += ["## Furthest above their floor", "", *furthest(results), ""]
    out += [
        "## What the floors are",
        "",
        "- `pass`: `python -c pass` with the entry point's own interpreter.",
        '- `imports`: `python -c "import typer, tinydb, dateutil.parser"`.',
        "- `read`: `json.load` of the journal, then print 20 titles.",
        "- `import_read`: the import floor and the read floor in one process.",
        '- `ui_imports`: `python -c "import typer, rich.console"`, the target for `list` '
        "at 1,000 reviews.",
        "- `write`: `json.load`, add one review, `json.dumps`, write a temporary file, fsync, "
        "`os.replace`, fsync the folder.",
        "- `tinydb_insert`: `TinyDB(path).table('reviews').insert(review)` with the default "
        "JSONStorage, the yardstick for write commands.",
        "",
        "Reads run with the index beside the journal (made by the untimed first run), as after "
        "any filmlog command; `(no index)` rows remove it before each run, so they time a read "
        "of the journal itself and the index being made. Each write starts from a fresh copy "
        "whose index holds the reviews' words (an untimed word search makes it), as after any "
        "word search, so the time includes keeping the index up to date.",
        "",
    ]
    path.write_text("\n".join(out), encoding="utf-8")


def save_raw(path: Path, results: list[SizeResult]) -> None:
    """Every timing of the run, for comparing runs or drawing other tables."""
    raw = {
        str(r.size): {
            "file_bytes": r.file_bytes,
            "items": {
                i.key: {
                    "label": i.label,
                    "argv": i.argv[1:] if i.kind != "floor" else None,
                    "seconds": i.times,
                    "peak_bytes": i.peak if i.times else None,
                    "error": i.error,
                }
                for i in r.items
            },
        }
        for r in results
    }
    path.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r}") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=parse_sizes, help="comma-separated review counts (default 1000,10000,50000)"
    )
    parser.add_argument(
        "--repeat", type=int, help=f"timed runs per item (default {DEFAULT_REPEAT})"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 reviews, 2 runs")
    parser.add_argument(
        "--filmlog", type=Path, help="the entry point to time (default: next to this Python)"
    )
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="journal seed")
    parser.add_argument(
        "--shapes",
        type=lambda text: [part for part in text.split(",") if part],
        default=list(SHAPES),
        help="journal shapes: filmlog (generated) and letterboxd (an imported export)",
    )
    parser.add_argument(
        "--out-dir", type=Path, default=BENCH / "out", help="where journals are kept"
    )
    parser.add_argument(
        "--output", type=Path, default=BENCH / "RESULTS.md", help="the Markdown report"
    )
    parser.add_argument(
        "--only",
        type=lambda text: {part for part in text.split(",") if part},
        help="time only these items (by key, e.g. stats,batch) and the floors",
    )
    args = parser.parse_args(argv)
    args.raw = sys.argv[1:] if argv is None else argv
    args.sizes = args.sizes or ([1_000] if args.quick else list(DEFAULT_SIZES))
    if args.quick and "--shapes" not in args.raw:
        args.shapes = ["filmlog"]
    unknown = set(args.shapes) - set(SHAPES)
    if unknown or not args.shapes:
        parser.error(f"--shapes takes {' and '.join(SHAPES)}")
    args.repeat = args.repeat or (2 if args.quick else DEFAULT_REPEAT)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not hasattr(os, "posix_spawn") or not hasattr(os, "wait4"):
        fail("this benchmark needs a POSIX system (os.posix_spawn and os.wait4)")

    filmlog = args.filmlog or Path(sys.executable).with_name("filmlog")
    if not filmlog.is_file():
        fail(f"no filmlog entry point at {filmlog}; pass --filmlog /path/to/venv/bin/filmlog")
    filmlog = filmlog.absolute()
    python = entry_point_python(filmlog)
    args.meter = peak_meter()
    env = environment(args.out_dir / "unused.json")
    commands = commands_of(filmlog, env)
    facts = machine_facts(python, filmlog, env)
    args.out_dir.mkdir(parents=True, exist_ok=True)

    results = [
        run_size(size, shape, args, filmlog, python, commands)
        for shape in args.shapes
        for size in args.sizes
    ]
    write_results(args.output, results, facts, args)
    save_raw(args.out_dir / "last-run.json", results)
    progress(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
