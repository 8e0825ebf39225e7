"""`filmlog merge-driver BASE OURS THEIRS`: git's merge driver, writing the result into OURS."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from filmlog.storage import serialise

Invoke = Callable[..., Result]

HER = {
    "uuid": "u-her",
    "title": "Her",
    "year": 2013,
    "rating": 8,
    "updated_at": "2024-03-01T12:00:00+00:00",
}


def tables(reviews: dict[int, dict[str, Any]], next_id: int = 3) -> dict[str, Any]:
    return {
        "_filmlog": {"1": {"format": "filmlog", "schema": 1, "next_id": next_id}},
        "reviews": {str(k): v for k, v in reviews.items()},
    }


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    base, ours, theirs = (tmp_path / name for name in (".merge_O", ".merge_A", ".merge_B"))
    base.write_bytes(serialise(tables({1: HER})))
    later = "2024-03-02T12:00:00+00:00"
    ours.write_bytes(serialise(tables({1: {**HER, "rating": 6, "updated_at": later}})))
    theirs.write_bytes(
        serialise(
            tables({1: {**HER, "verdict": "Tender."}, 2: {"uuid": "u-heat", "title": "Heat"}})
        )
    )
    return base, ours, theirs


def test_a_clean_merge_is_written_into_ours(cli: Invoke, files: tuple[Path, Path, Path]) -> None:
    base, ours, theirs = files

    result = cli("merge-driver", str(base), str(ours), str(theirs))

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    merged = json.loads(ours.read_bytes())
    assert merged["reviews"]["1"]["rating"] == 6
    assert merged["reviews"]["1"]["verdict"] == "Tender."
    assert merged["reviews"]["2"]["title"] == "Heat"
    assert not list(ours.parent.glob(".*.tmp"))


def test_a_conflict_resolved_by_the_rule_is_clean_but_reported(
    cli: Invoke, files: tuple[Path, Path, Path]
) -> None:
    base, ours, theirs = files
    theirs.write_bytes(serialise(tables({1: {**HER, "rating": 10}})))

    result = cli("merge-driver", str(base), str(ours), str(theirs))

    assert result.exit_code == 0
    assert result.stderr == (
        "filmlog merge: #1 Her: rating was changed in both copies; kept 6 (the later edit), "
        "set aside 10 in the journal's conflicts table\n"
    )
    assert json.loads(ours.read_bytes())["conflicts"]["1"]["lost"] == 10


def test_an_empty_base_merges_two_ways(cli: Invoke, files: tuple[Path, Path, Path]) -> None:
    base, ours, theirs = files
    base.write_bytes(b"")

    result = cli("merge-driver", str(base), str(ours), str(theirs))

    assert result.exit_code == 0, result.stderr
    merged = json.loads(ours.read_bytes())
    assert merged["reviews"]["1"]["rating"] == 6  # the later copy, whole
    assert "verdict" not in merged["reviews"]["1"]


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda f: f[2].unlink(), "cannot read"),
        (lambda f: f[2].write_bytes(b'{"_filmlog": '), "is not valid JSON"),
        (lambda f: f[0].write_bytes(b"[1, 2]"), "is not a filmlog journal"),
        (lambda f: f[1].write_bytes(b"{}"), "is not a filmlog journal"),
    ],
)
def test_what_cannot_be_merged_fails_and_leaves_ours_alone(
    cli: Invoke,
    files: tuple[Path, Path, Path],
    spoil: Callable[[tuple[Path, Path, Path]], object],
    message: str,
) -> None:
    spoil(files)
    before = files[1].read_bytes()

    result = cli("merge-driver", *(str(f) for f in files))

    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert files[1].read_bytes() == before


def test_the_driver_runs_as_git_runs_it(files: tuple[Path, Path, Path]) -> None:
    base, ours, theirs = files

    done = subprocess.run(
        [sys.executable, "-m", "filmlog", "merge-driver", str(base), str(ours), str(theirs)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ours.parent,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(ours.read_bytes())["reviews"]["2"]["title"] == "Heat"
