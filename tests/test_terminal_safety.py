"""What reaches a terminal: no control characters or bidi overrides from user text, in any view,
and ``show`` of a very long body in time linear in its length.
"""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from rich.console import Console

from filmlog.model import MAX_TEXT, Review
from filmlog.safe import clean
from filmlog.storage import Journal

# C1 controls, DEL and the bidi overrides and isolates that can reorder what a line shows.
HOSTILE = (
    "\x85\x9b31m\x7f\u202aA\u202bB\u202cC\u202dD\u202eE\u2066F\u2067G\u2068H\u2069I\x1b]0;pwned\x07"
)
RAW = ["\x85", "\x9b", "\x7f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]


def in_pty(journal: Path, *args: str) -> str:
    """What ``filmlog *args`` writes to a terminal (stdout and stderr together)."""
    main, secondary = pty.openpty()
    env = {**os.environ, "FILMLOG_DB": str(journal), "COLUMNS": "120", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        ["filmlog", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"},
        close_fds=True,
    )
    os.close(secondary)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(main)
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.fixture
def hostile_journal(journal_path: Path) -> Path:
    with Journal(journal_path).transaction() as session:
        session.add(
            Review(
                f"Title {HOSTILE}",
                headline=f"Headline {HOSTILE}",
                body=f"Body {HOSTILE}",
                genres=[f"Genre {HOSTILE}"],
                verdict=f"Verdict {HOSTILE}",
                tags=[f"tag{HOSTILE}"],
            )
        )
    return journal_path


@pytest.mark.parametrize(
    "args",
    [["list"], ["show", "1"], ["search", "Title"], ["list", "--json"], ["show", "1", "--json"],
     ["stats"], ["history", "Title"], ["edit", "1", "--title", f"New {HOSTILE}"]],
)  # fmt: skip
def test_nothing_hostile_reaches_the_terminal(hostile_journal: Path, args: list[str]) -> None:
    shown = in_pty(hostile_journal, *args)
    assert shown.strip()
    for char in RAW:
        assert char not in shown, (args, hex(ord(char)), shown[:400])
    assert "\x1b]0;pwned" not in shown


def test_json_to_a_terminal_keeps_them_as_escapes(hostile_journal: Path) -> None:
    shown = in_pty(hostile_journal, "show", "1", "--json")
    data = orjson.loads(shown[shown.index("[") :].replace("\r\n", "\n"))
    assert data[0]["title"] == f"Title {HOSTILE}"
    assert "\\u202e" in shown and "\\u0085" in shown and "\\u007f" in shown


def test_json_to_a_pipe_is_unchanged(hostile_journal: Path, run_filmlog) -> None:  # type: ignore[no-untyped-def]
    result = run_filmlog("show", "1", "--json")
    assert orjson.loads(result.stdout)[0]["title"] == f"Title {HOSTILE}"


def test_clean_makes_every_one_visible() -> None:
    shown = clean(HOSTILE)
    for char in RAW:
        assert char not in shown
    assert "U+202E" in shown


SHOW_LONG = """
import io, resource, sys, time
from rich.console import Console
from filmlog.model import MAX_TEXT, Review
from filmlog.render import review_panels
words = "light shadow river piano ferry quiet "
body = (words * (MAX_TEXT // len(words)))[: MAX_TEXT - 1]
console = Console(file=io.StringIO(), width=100, force_terminal=False)
started = time.perf_counter()
console.print(review_panels([Review("Long", body=body, id=1)]))
elapsed = time.perf_counter() - started
lines = console.file.getvalue().splitlines()
assert all(len(line) <= 100 for line in lines)
assert "".join(line[2:-2].strip() + " " for line in lines[2:-1]).split() == body.split()
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, len(lines))
"""


def test_show_of_a_10_mb_single_line_body_is_linear() -> None:
    """Minutes before (a 3 MB line took 14 s, growing with the square of the length)."""
    done = subprocess.run(
        [sys.executable, "-c", SHOW_LONG], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    elapsed, peak, lines = done.stdout.split()
    assert int(lines) > MAX_TEXT // 100
    assert float(elapsed) < 60, elapsed  # generous for a loaded machine: about 10 s here
    assert int(peak) < 1_000_000_000, peak


def test_long_and_short_paragraphs_wrap_alike() -> None:
    """The linear layout of a long paragraph breaks lines where Rich's own would."""
    from filmlog.render import body_view

    text = (
        "Some words, 多くの言葉 and a verylongwordthatcannotfitonanylineatallbecauseitistoolong "
        * 300
    )
    short = Console(file=io.StringIO(), width=60)
    short.print(body_view(text[:9000].strip()))
    long = Console(file=io.StringIO(), width=60)
    long.print(body_view(text.strip()))
    expected = short.file.getvalue().splitlines()  # type: ignore[attr-defined]
    got = long.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert [line.rstrip() for line in got[: len(expected) - 1]] == [
        line.rstrip() for line in expected[:-1]
    ]
