"""What a run leaves behind in the process: the collector, the environment, child processes.

filmlog.cli.main and the library may be called inside another program (and
are, by the tests); only the console script may change process-wide state.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from filmlog.cli import main


def test_in_process_runs_leave_the_collector_as_they_found_it(
    journal_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["add", "Her", "--year", "2013"]) == 0
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    for args in (["list"], ["show", "1"], ["stats"], ["rate", "1", "4"]):
        assert main(args) == 0
    assert "Her" in capsys.readouterr().out
    assert gc.isenabled() == enabled
    assert gc.get_freeze_count() == frozen


def test_debug_stays_out_of_the_environment_and_the_editor(
    journal_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen.txt"
    script = tmp_path / "editor.py"
    script.write_text(
        "import os, sys\n"
        f"open({str(seen)!r}, 'w').write(os.environ.get('FILMLOG_DEBUG', 'unset'))\n"
        "open(sys.argv[1], 'a', encoding='utf-8').write('Body.')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")

    assert main(["--debug", "add", "Her", "--editor"]) == 0

    assert seen.read_text() == "unset"
    assert "FILMLOG_DEBUG" not in os.environ


def test_debug_from_the_command_line_shows_the_traceback_in_process(
    journal_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal_path.write_text("{}", encoding="utf-8")

    assert main(["list"]) == 1
    plain = capsys.readouterr().err
    assert main(["--debug", "list"]) == 1
    debug = capsys.readouterr().err

    assert "Traceback" not in plain and "is not a filmlog journal" in plain
    assert "Traceback" in debug and "is not a filmlog journal" in debug
    assert main(["list"]) == 1  # the flag did not outlive its run
    assert "Traceback" not in capsys.readouterr().err


def test_the_console_script_runs_with_the_collector_off(journal_path: Path) -> None:
    probe = (
        "import gc, sys\n"
        "from filmlog import launcher\n"
        "sys.argv = ['filmlog', 'list']\n"
        "code = launcher.main()\n"
        "print('collector', gc.isenabled(), code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip().endswith("collector False 0"), result.stderr
