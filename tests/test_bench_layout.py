"""The layout benchmark runs end to end, and its confidence interval holds what it says."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import BENCH, bench_script


@pytest.fixture(scope="module")
def layout() -> Iterator[ModuleType]:
    yield from bench_script("layout")


def coverage(n: int, rank: int) -> float:
    """The chance that the median of n values lies between the rank-th smallest and the
    rank-th largest (1-based): neither rank or more values below it nor above it."""
    below = sum(math.comb(n, k) for k in range(rank)) / 2**n  # fewer than rank below
    return 1 - 2 * below


@pytest.mark.parametrize("n", [6, 7, 9, 15, 31, 32, 61])
def test_the_interval_is_the_narrowest_that_holds_the_median_at_95_percent(
    layout: ModuleType, n: int
) -> None:
    values = [float(v) for v in range(100, 100 + n)]  # value i is the (i - 99)-th smallest
    low, high = layout.median_interval(list(reversed(values)))
    rank = int(low) - 99
    assert int(high) - 99 == n + 1 - rank  # as far from each end
    assert coverage(n, rank) >= 0.95
    assert coverage(n, rank + 1) < 0.95  # one step narrower falls short


def test_too_few_values_give_the_whole_range(layout: ModuleType) -> None:
    assert layout.median_interval([3.0, 1.0, 2.0]) == (1.0, 3.0)


def test_the_benchmark_runs_every_layout_and_reports_each_ratio(
    tmp_path: Path, filmlog_exe: str
) -> None:
    filmlog = filmlog_exe
    options = ["--size", "25", "--repeat", "2", "--commands", "rate,list", "--writer-runs", "3"]
    options += ["--filmlog", str(filmlog), "--out-dir", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, str(BENCH / "layout.py"), *options],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith(("rate", "list"))]
    assert [row[:2] for row in rows] == [
        ["rate", "wall"],
        ["rate", "cpu"],
        ["list", "wall"],
        ["list", "cpu"],
    ]
    for row in rows:
        ratios = [float(cell.strip("[],")) for cell in row[5:]]
        assert len(ratios) == 8  # ÷ single, ÷ spans, then each paired with its interval
        assert all(0.2 < ratio < 5 for ratio in ratios)
        for median, low, high in (ratios[2:5], ratios[5:8]):
            assert low <= median <= high
    # The writers alone: what filmlog's costs over each other, and as a share of a rate.
    extra = re.findall(
        r"^lines - (single|spans): ([-+]\d+\.\d) ms .*of a whole rate", done.stdout, re.M
    )
    assert [name for name, _ in extra] == ["single", "spans"]
    assert all(abs(float(ms)) < 1000 for _, ms in extra)
    # The journals compared: a review a line, and the same reviews on one line.
    (lined,) = tmp_path.glob("*-lined.json")
    (single,) = tmp_path.glob("*-single.json")
    review_lines = [
        line for line in lined.read_bytes().splitlines() if re.match(rb',?"\d+":', line)
    ]
    assert len(review_lines) == 25
    assert single.read_bytes().count(b"\n") == 1
    assert json.loads(lined.read_bytes()) == json.loads(single.read_bytes())
