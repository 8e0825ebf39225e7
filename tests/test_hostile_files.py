"""Hostile files cost nothing: a YAML alias bomb, deep nesting and huge inputs are refused fast.

Each is bounded in time and memory, measured here (generously: the point is
seconds and hundreds of megabytes against minutes and gigabytes).
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from filmlog import importers
from filmlog.errors import InvalidInput, brief

SECONDS = 2.0
PEAK_BYTES = 200_000_000

# 407 bytes that stand for 9**9 strings when every alias is followed.
BOMB_LEVELS = "\n".join(
    f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]"
    for prev, name in zip("abcdefg", "bcdefgh", strict=True)
)


def bomb(key: str) -> str:
    return (
        "---\ntitle: Bomb\nuuid: 2b3c1f0e-0000-4000-8000-000000000001\n"
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        f"{BOMB_LEVELS}\n{key}: [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n---\n"
    )


@contextmanager
def bounded() -> Iterator[None]:
    """Fail unless the block runs within SECONDS and PEAK_BYTES of Python memory."""
    import yaml  # noqa: F401 - loaded once before measuring: the bound is for the file, not imports

    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert peak < PEAK_BYTES, f"peak {peak / 1e6:.0f} MB"


@pytest.mark.parametrize("key", ["genres", "cast", "tags", "sources", "title"])
def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path: Path, key: str) -> None:
    path = tmp_path / "bomb.md"
    path.write_text(bomb(key), encoding="utf-8")
    with bounded(), pytest.raises(InvalidInput, match="alias"):
        importers.reader("markdown")(path)


def test_the_alias_bomb_through_the_command(tmp_path: Path, cli: Callable[..., object]) -> None:
    path = tmp_path / "bomb.md"
    path.write_text(bomb("genres"), encoding="utf-8")
    with bounded():
        result = cli("import", str(path))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr.count("\n") == 1  # type: ignore[attr-defined]
    assert "aliases" in result.stderr  # type: ignore[attr-defined]


def test_deeply_nested_front_matter_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.md"
    path.write_text("---\ntitle: T\nuuid: u\ngenres: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    with bounded(), pytest.raises(InvalidInput, match="nested"):
        importers.reader("markdown")(path)


@pytest.mark.parametrize("name", ["huge.md", "huge.json", "huge.csv"])
def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    head = {"huge.md": b"---\n", "huge.json": b'{"format":', "huge.csv": b"Date,Name,Year\n"}[name]
    with path.open("wb") as handle:  # sparse: costs no disk
        handle.write(head)
        handle.truncate(importers.MAX_FILE_BYTES + 1)
    fmt = {"huge.md": "markdown", "huge.json": "json", "huge.csv": "imdb"}[name]
    with bounded(), pytest.raises(InvalidInput, match="larger than"):
        importers.reader(fmt)(path)


def test_brief_never_walks_a_whole_value() -> None:
    value: list[object] = ["lol"] * 9
    for _ in range(12):  # 9**12 leaves, shared
        value = [value] * 9
    with bounded():
        shown = brief(value)
    assert len(shown) <= 40
    assert len(brief("x" * 10_000_000)) <= 40
