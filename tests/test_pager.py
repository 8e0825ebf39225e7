"""The pager, in a real terminal: long output goes through it in colour; short or piped not."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.terminal import Finished, run_in_terminal

Invoke = Callable[..., Result]
LONG_BODY = "\n\n".join(f"Paragraph {n} about the film." for n in range(1, 41))


@pytest.fixture
def fake_pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that records what it was given, and says on the terminal that it ran."""
    record = tmp_path / "paged.txt"
    script = tmp_path / "pager.py"
    script.write_text(
        "import sys\n"
        f"open({str(record)!r}, 'wb').write(sys.stdin.buffer.read())\n"
        "print('PAGER RAN')\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}", record


@pytest.fixture
def journal(cli: Invoke) -> None:
    assert cli("add", "Her", "--rating", "4", "--body", LONG_BODY).exit_code == 0
    assert cli("add", "Short", "--rating", "3", "--body", "Brief.").exit_code == 0
    assert cli("add", "Her", "--rating", "5", "--rewatch").exit_code == 0


def terminal_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return {**env, "TERM": "xterm-256color", **extra}


def run(filmlog_exe: str, *args: str, rows: int = 24, **env: str) -> Finished:
    return run_in_terminal([filmlog_exe, *args], terminal_env(**env), rows=rows)


@pytest.mark.usefixtures("journal")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(("show", "1"), "Paragraph 40", id="show"),
        pytest.param(("search", "film", "--full"), "Paragraph 40", id="search-full"),
        pytest.param(("stats",), "All 3 reviews", id="stats"),
        pytest.param(("history", "Her"), "Her", id="history"),
    ],
)
def test_long_output_goes_through_the_pager_in_colour(
    filmlog_exe: str, fake_pager: tuple[str, Path], args: tuple[str, ...], expected: str
) -> None:
    command, record = fake_pager

    # stats and history are short: a small screen makes them taller than it.
    result = run(filmlog_exe, *args, rows=8, FILMLOG_PAGER=command)

    assert result.status == 0, result.output
    assert "PAGER RAN" in result.output
    paged = record.read_text(encoding="utf-8")
    assert expected in paged
    assert "\x1b[" in paged  # colour codes reach the pager
    assert expected not in result.output  # the pager's output, not filmlog's


@pytest.mark.usefixtures("journal")
def test_output_that_fits_the_screen_is_not_paged(
    filmlog_exe: str, fake_pager: tuple[str, Path]
) -> None:
    command, record = fake_pager

    result = run(filmlog_exe, "show", "2", rows=50, FILMLOG_PAGER=command)

    assert result.status == 0
    assert "Brief." in result.output
    assert "PAGER RAN" not in result.output
    assert not record.exists()


@pytest.mark.usefixtures("journal")
@pytest.mark.parametrize(
    "args",
    [("--no-pager", "show", "1"), ("show", "1", "--no-pager")],
    ids=["global", "command"],
)
def test_no_pager_prints_directly(
    filmlog_exe: str, fake_pager: tuple[str, Path], args: tuple[str, ...]
) -> None:
    command, record = fake_pager

    result = run(filmlog_exe, *args, FILMLOG_PAGER=command)

    assert "Paragraph 40" in result.output
    assert not record.exists()


@pytest.mark.usefixtures("journal")
def test_piped_output_bypasses_the_pager(filmlog_exe: str, fake_pager: tuple[str, Path]) -> None:
    command, record = fake_pager
    env = {**os.environ, "FILMLOG_PAGER": command, "LINES": "10"}

    result = subprocess.run(
        [filmlog_exe, "show", "1"], capture_output=True, text=True, env=env, timeout=60
    )

    assert "Paragraph 40" in result.stdout
    assert "\x1b[" not in result.stdout
    assert not record.exists()


@pytest.mark.usefixtures("journal")
def test_a_pager_that_cannot_start_falls_back_to_printing(filmlog_exe: str) -> None:
    result = run(filmlog_exe, "show", "1", FILMLOG_PAGER="/nonexistent/pager -x")

    assert result.status == 0
    assert "Paragraph 40" in result.output


@pytest.mark.usefixtures("journal")
@pytest.mark.parametrize("empty", ["", "cat"])
def test_an_empty_pager_means_none(
    filmlog_exe: str, fake_pager: tuple[str, Path], empty: str
) -> None:
    command, record = fake_pager

    result = run(filmlog_exe, "show", "1", FILMLOG_PAGER=empty, PAGER=command)

    assert "Paragraph 40" in result.output
    assert not record.exists()


@pytest.mark.usefixtures("journal")
def test_the_pager_comes_from_the_config_then_pager(
    cli: Invoke, filmlog_exe: str, fake_pager: tuple[str, Path], tmp_path: Path
) -> None:
    command, record = fake_pager

    run(filmlog_exe, "show", "1", PAGER=command)
    assert record.exists()  # $PAGER, with nothing else set
    record.unlink()

    assert cli("config", "set", "pager", command).exit_code == 0
    result = run(filmlog_exe, "show", "1", PAGER="/nonexistent/pager")
    assert "PAGER RAN" in result.output  # the config's pager beats $PAGER
    record.unlink()

    run(filmlog_exe, "show", "1", FILMLOG_PAGER="cat")
    assert not record.exists()  # $FILMLOG_PAGER beats the config
