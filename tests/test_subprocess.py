"""The installed ``filmlog`` in real processes: exit codes, streams, signals, ``python -m``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

Run = Callable[..., "subprocess.CompletedProcess[str]"]


def test_add_list_show_search_in_real_processes(run_filmlog: Run, journal_path: Path) -> None:
    added = run_filmlog("add", "Her", "--year", "2013", "--rating", "4", "--genre", "Romance")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("Added #1 Her (2013) ★★★★☆")
    assert journal_path.exists()
    listed = run_filmlog("list")
    assert listed.returncode == 0
    assert "Her (2013)" in listed.stdout
    assert "\x1b[" not in listed.stdout  # a pipe is not a terminal: no colour codes
    shown = run_filmlog("show", "1", "--json")
    assert json.loads(shown.stdout)[0]["title"] == "Her"
    found = run_filmlog("search", "--genre", "romance", "--min-rating", "4")
    assert "1 review found" in found.stdout


def test_errors_exit_codes_and_streams(run_filmlog: Run) -> None:
    bad = run_filmlog("add", "Her", "--rating", "11")
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert bad.stderr.startswith("Error: invalid rating '11'")
    assert "Traceback" not in bad.stderr
    usage = run_filmlog("add", "Her", "--no-such-option")
    assert usage.returncode == 2
    assert "No such option" in usage.stderr
    missing = run_filmlog("show", "3")
    assert (missing.returncode, missing.stderr) == (1, "Error: no review with ID 3\n")


def test_no_color_and_colour_free_errors(run_filmlog: Run) -> None:
    result = run_filmlog("show", "9", env={"NO_COLOR": "1"})
    assert "\x1b" not in result.stderr


def test_python_dash_m(journal_path: Path) -> None:
    env = dict(os.environ, FILMLOG_DB=str(journal_path))
    result = subprocess.run(
        [sys.executable, "-m", "filmlog", "--version"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0
    assert result.stdout.startswith("filmlog ")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_at_a_prompt_exits_130(filmlog_exe: str, journal_path: Path) -> None:
    env = dict(os.environ, FILMLOG_DB=str(journal_path))
    subprocess.run([filmlog_exe, "add", "Her"], env=env, check=True, capture_output=True)
    before = journal_path.read_bytes()
    with subprocess.Popen(
        [filmlog_exe, "delete", "1"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: a run started in the background inherits Ctrl-C ignored.
        preexec_fn=_default_sigint,
    ) as proc:
        assert proc.stderr is not None
        deadline = time.monotonic() + 20
        seen = ""
        while "Delete review?" not in seen and time.monotonic() < deadline:
            seen += proc.stderr.read(1)
        proc.send_signal(signal.SIGINT)
        # Wait with standard input still open: closing it now would race the interrupt with
        # an end of input, which declines the deletion (exit 1) instead.
        proc.wait(timeout=20)
        err = proc.stderr.read()
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert journal_path.read_bytes() == before


def test_unexpected_error_is_one_line_without_debug(journal_path: Path, tmp_path: Path) -> None:
    """A bug still reaches the user as one line; --debug shows the traceback."""
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import sys\n"
        "import filmlog.storage\n"
        "def boom(*args, **options):\n"
        "    raise RuntimeError('simulated bug')\n"
        "filmlog.storage.Journal.browse = boom\n"
        "from filmlog.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n",
        encoding="utf-8",
    )
    env = dict(os.environ, FILMLOG_DB=str(journal_path))
    plain = subprocess.run(
        [sys.executable, str(driver), "list"], capture_output=True, text=True, env=env
    )
    assert plain.returncode == 70
    assert plain.stderr.count("\n") == 1
    assert "unexpected RuntimeError: simulated bug" in plain.stderr
    debug = subprocess.run(
        [sys.executable, str(driver), "--debug", "list"], capture_output=True, text=True, env=env
    )
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr


def test_undecodable_db_path_is_handled(filmlog_exe: str, tmp_path: Path) -> None:
    odd = os.path.join(os.fsencode(tmp_path), b"caf\xe9.json")
    result = subprocess.run(
        [os.fsencode(filmlog_exe), b"--db", odd, b"add", b"Her"], capture_output=True
    )
    assert result.returncode == 0, result.stderr
    assert os.path.exists(odd)
    listed = subprocess.run([os.fsencode(filmlog_exe), b"--db", odd, b"list"], capture_output=True)
    assert b"Her" in listed.stdout


def test_version_loads_no_command_line(filmlog_exe: str) -> None:
    """``--version`` answers before Typer and the commands are imported."""
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    result = subprocess.run([filmlog_exe, "--version"], capture_output=True, text=True, env=env)
    from filmlog import __version__

    assert result.stdout == f"filmlog {__version__}\n"
    imported = {line.split("|")[2].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "filmlog.launcher" in imported
    assert not {"typer", "filmlog.cli", "rich"} & imported
