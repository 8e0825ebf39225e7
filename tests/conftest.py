"""Shared fixtures: every test gets its own journal in a temp folder, never the home folder."""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

if TYPE_CHECKING:
    from rich.console import RenderableType

from filmlog.cli import app
from tests.tmdb_server import KEY, TMDBServer

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
SEED = REPO / "tests" / "data" / "seed" / "her-review.txt"
GOLDEN = REPO / "tests" / "golden"
# The property tests' full example counts (thousands for some) run only when asked for;
# the default run covers every test with fewer examples each.
THOROUGH = os.environ.get("FILMLOG_THOROUGH", "") not in ("", "0")


# No property test has a time limit per example: on a busy two-core machine one example
# can take longer than Hypothesis's default 200 ms, and speed is the benchmark's to check.
settings.register_profile("filmlog", deadline=None)
settings.load_profile("filmlog")


def examples(full: int, quick: int) -> int:
    """How many examples a property test draws: ``full`` with FILMLOG_THOROUGH=1."""
    return full if THOROUGH else quick


def bench_script(name: str) -> Iterator[ModuleType]:
    """``bench/<name>.py`` imported as a module, for a fixture to yield from; ``sys.path``
    is put back afterwards (a script puts ``bench/`` first, where its siblings are)."""
    saved = list(sys.path)
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    yield module
    sys.path[:] = saved


def index_header(journal: Path) -> tuple[dict[str, Any], int]:
    """The header of ``journal``'s index, and where in the file its payload begins."""
    import marshal
    import struct

    from filmlog import index

    raw = index.path_for(journal).read_bytes()
    at = len(b"filmlog index\n")
    (size,) = struct.unpack_from("<I", raw, at)
    header: dict[str, Any] = marshal.loads(raw[at + 4 : at + 4 + size])
    return header, at + 4 + size


def replace_index_header(journal: Path, **fields: Any) -> None:
    """Change ``fields`` of the header of ``journal``'s index, keeping its payload."""
    import marshal
    import struct

    from filmlog import index

    where = index.path_for(journal)
    header, start = index_header(journal)
    new = marshal.dumps({**header, **fields})
    magic = b"filmlog index\n"
    where.write_bytes(magic + struct.pack("<I", len(new)) + new + where.read_bytes()[start:])


def render(renderable: RenderableType, width: int = 80) -> str:
    """What a terminal ``width`` columns wide shows, without colour or trailing spaces."""
    from rich.console import Console

    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=False,
        color_system=None,
        highlight=False,
        markup=False,
        emoji=False,
    )
    console.print(renderable)
    shown = console.file.getvalue()  # type: ignore[attr-defined]  # a StringIO, set above
    return "".join(line.rstrip() + "\n" for line in shown.splitlines())


def check_golden(name: str, text: str) -> None:
    """``text`` must equal ``tests/golden/<name>``; FILMLOG_REGEN_GOLDEN=1 rewrites the file."""
    path = GOLDEN / name
    if os.environ.get("FILMLOG_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with FILMLOG_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


# Variables that would send a lookup somewhere or change what it finds; the tests set their own.
TMDB_ENV = (
    "TMDB_API_KEY",
    "TMDB_READ_ACCESS_TOKEN",
    "FILMLOG_TMDB_URL",
    "FILMLOG_TMDB_LANGUAGE",
    "FILMLOG_TMDB_REGION",
    "FILMLOG_TMDB_CAST_LIMIT",
    "FILMLOG_TMDB_TIMEOUT",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point FILMLOG_DB at a temp file and clear every variable that changes behaviour."""
    journal = tmp_path / "journal.json"
    monkeypatch.setenv("FILMLOG_DB", str(journal))
    for name in ("FILMLOG_REVIEWER", "FILMLOG_DEBUG", "NO_COLOR", "VISUAL", "EDITOR", *TMDB_ENV):
        monkeypatch.delenv(name, raising=False)
    # Looked-up answers and the one-time hint live here, never in the home folder.
    # Beside the test's folder, not in it: tests list the journal's folder.
    cache = tmp_path.with_name(tmp_path.name + "-cache")
    monkeypatch.setenv("FILMLOG_CACHE_DIR", str(cache))
    # The one-time tip about TMDB counts as seen, so that each test's first add prints
    # only what it is about; the tip's own test removes this (test_tmdb_add.py).
    cache.mkdir(exist_ok=True)
    (cache / "tmdb-hint-shown").touch()
    monkeypatch.setenv("FILMLOG_CONFIG", str(tmp_path / "config.toml"))
    for name in ("FILMLOG_EDITOR", "FILMLOG_PAGER", "PAGER", "FILMLOG_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FILMLOG_LOCK_TIMEOUT", "5")
    monkeypatch.setenv("COLUMNS", "100")
    return journal


TEST_ZONE = "America/Denver"


@pytest.fixture(autouse=True)
def local_zone() -> Iterator[str]:
    """Every test runs in America/Denver, whatever the host's zone.

    ``time.tzset()`` makes this process (and filmlog inside it) see the zone, not
    only the subprocesses that inherit ``TZ``; the host's zone comes back after.
    """
    saved = os.environ.get("TZ")
    os.environ["TZ"] = TEST_ZONE
    time.tzset()
    yield TEST_ZONE
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


# Half an hour after midnight in the test zone: "today" here is a day ahead of UTC's
# evening before, the hour at which a test that reads the host's clock goes wrong.
FROZEN_NOW = datetime(2024, 4, 13, 0, 30, tzinfo=ZoneInfo(TEST_ZONE))


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Stop filmlog's clock (in this process) at :data:`FROZEN_NOW`; returns that moment."""
    from filmlog import clock

    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW)
    return FROZEN_NOW


@pytest.fixture
def journal_path(isolated_env: Path) -> Path:
    return isolated_env


Invoke = Callable[..., Result]
RunFilmlog = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli() -> Invoke:
    """Run filmlog in-process through Typer's CliRunner: ``cli("add", "Her", input=...)``."""
    runner = CliRunner()

    def invoke(
        *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None
    ) -> Result:
        return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def filmlog_exe() -> str:
    """The installed ``filmlog`` console script of the environment running the tests."""
    exe = Path(sys.executable).with_name("filmlog")
    if exe.exists():
        return str(exe)
    found = shutil.which("filmlog")
    if not found:
        pytest.fail("the filmlog console script is not installed (pip install -e '.[test]')")
    return found


@pytest.fixture
def run_filmlog(filmlog_exe: str, journal_path: Path) -> RunFilmlog:
    """Run the installed filmlog in a real subprocess with the test's journal."""

    def run(
        *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run(
            [filmlog_exe, *args],
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=60,
        )

    return run


@pytest.fixture
def tmdb(monkeypatch: pytest.MonkeyPatch) -> Iterator[TMDBServer]:
    """A TMDB look-alike on 127.0.0.1 with its test key set in the environment."""
    with TMDBServer() as server:
        monkeypatch.setenv("FILMLOG_TMDB_URL", server.url)
        monkeypatch.setenv("TMDB_API_KEY", KEY)
        yield server
