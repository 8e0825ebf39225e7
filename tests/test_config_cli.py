"""`filmlog config`, and each setting taking effect in the order flag > env > file > default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import Result

Invoke = Callable[..., Result]
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def config_file(isolated_env: Path) -> Path:
    return Path(os.environ["FILMLOG_CONFIG"])


def shown(cli: Invoke, review_id: str = "1") -> dict[str, object]:
    result = cli("show", review_id, "--json")
    assert result.exit_code == 0, result.stderr
    review: dict[str, object] = json.loads(result.stdout)[0]
    return review


def test_set_get_list_unset(cli: Invoke, config_file: Path) -> None:
    result = cli("config", "set", "reviewer", "Ann Smith")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Set reviewer = Ann Smith in {config_file}\n"
    assert cli("config", "set", "tmdb.api_key", "0123456789abcdef").exit_code == 0
    assert cli("config", "set", "tmdb.cast_limit", "8").exit_code == 0

    assert cli("config", "get", "tmdb.api_key").stdout == "0123456789abcdef\n"
    listed = cli("config", "list")
    assert listed.stdout == "reviewer = Ann Smith\ntmdb.api_key = ****cdef\ntmdb.cast_limit = 8\n"
    assert "0123456789abcdef" not in listed.stdout + listed.stderr

    assert cli("config", "unset", "reviewer").stdout == f"Removed reviewer from {config_file}\n"
    again = cli("config", "unset", "reviewer")
    assert again.exit_code == 0 and "was not set" in again.stderr
    missing = cli("config", "get", "reviewer")
    assert missing.exit_code == 1
    assert missing.stderr == "Error: reviewer is not set\n"


def test_bad_values_and_unknown_keys_change_nothing(cli: Invoke, config_file: Path) -> None:
    result = cli("config", "set", "timezone", "Mars/Olympus")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: timezone 'Mars/Olympus' is not a time zone")
    unknown = cli("config", "set", "colour", "auto")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("Error: unknown setting 'colour'; known: journal, reviewer")
    assert not config_file.exists()


def test_list_reports_unknown_keys_and_an_empty_file(cli: Invoke, config_file: Path) -> None:
    empty = cli("config", "list")
    assert empty.exit_code == 0 and empty.stdout == ""
    assert "No settings in" in empty.stderr

    config_file.write_text('future = 1\nreviewer = "Ann"\n', encoding="utf-8")
    result = cli("config", "list")
    assert result.stdout == "reviewer = Ann\n"
    assert result.stderr == f"Warning: unknown setting 'future' in {config_file} is ignored\n"
    assert cli("add", "Her").exit_code == 0  # unknown keys stop nothing


def test_path_names_the_config_and_the_journal(
    cli: Invoke, config_file: Path, journal_path: Path, tmp_path: Path
) -> None:
    result = cli("config", "path")
    assert result.stdout == (
        f"Config file: {config_file} (not created yet)\n"
        f"Journal: {journal_path} (from $FILMLOG_DB)\n"
    )
    other = tmp_path / "other.json"
    result = cli("--db", str(other), "config", "path")
    assert result.stdout.splitlines()[1] == f"Journal: {other} (from --db)"


def test_journal_precedence(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, journal_path: Path
) -> None:
    configured = tmp_path / "configured.json"
    assert cli("config", "set", "journal", str(configured)).exit_code == 0

    assert cli("add", "From env").exit_code == 0  # FILMLOG_DB beats the file
    assert journal_path.exists() and not configured.exists()

    monkeypatch.delenv("FILMLOG_DB")
    assert cli("add", "From config").exit_code == 0
    assert configured.exists()
    assert cli("config", "path").stdout.splitlines()[1] == (
        f"Journal: {configured} (from config file)"
    )
    flagged = tmp_path / "flag.json"
    assert cli("--db", str(flagged), "add", "From flag").exit_code == 0
    assert flagged.exists()


def test_reviewer_precedence(cli: Invoke) -> None:
    assert cli("config", "set", "reviewer", "From Config").exit_code == 0
    assert cli("add", "One").exit_code == 0
    assert cli("add", "Two", env={"FILMLOG_REVIEWER": "From Env"}).exit_code == 0
    flagged = cli("add", "Three", "--reviewer", "Flag", env={"FILMLOG_REVIEWER": "From Env"})
    assert flagged.exit_code == 0

    assert [shown(cli, i)["reviewer"] for i in "123"] == ["From Config", "From Env", "Flag"]


def fake_editor(tmp_path: Path, name: str, text: str) -> str:
    script = tmp_path / f"{name}.py"
    script.write_text(
        f"import sys\nopen(sys.argv[1], 'a', encoding='utf-8').write({text!r})\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def test_editor_precedence(cli: Invoke, tmp_path: Path) -> None:
    system = {"EDITOR": fake_editor(tmp_path, "system", "system"), "VISUAL": ""}
    assert cli("add", "One", "--editor", env=system).exit_code == 0
    assert cli("config", "set", "editor", fake_editor(tmp_path, "conf", "config")).exit_code == 0
    assert cli("add", "Two", "--editor", env=system).exit_code == 0
    own = {**system, "FILMLOG_EDITOR": fake_editor(tmp_path, "own", "own")}
    assert cli("add", "Three", "--editor", env=own).exit_code == 0

    assert [shown(cli, i)["body"] for i in "123"] == ["system", "config", "own"]


def test_a_broken_config_file_is_one_line_naming_file_and_line(
    run_filmlog: Run, config_file: Path
) -> None:
    config_file.write_text('reviewer = "Ann"\n[tmdb\n', encoding="utf-8")

    result = run_filmlog("add", "Her")

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"Error: config file {config_file} is not valid TOML")
    assert "line 2" in result.stderr
    # The config command still says where the file is, so it can be mended.
    assert run_filmlog("config", "path").stdout.startswith(f"Config file: {config_file}")


def test_a_bad_value_in_the_file_names_the_key(run_filmlog: Run, config_file: Path) -> None:
    config_file.write_text('timezone = "Nowhere/Special"\n', encoding="utf-8")

    result = run_filmlog("list")

    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: config file {config_file}: timezone ")
    assert run_filmlog("config", "unset", "timezone").returncode == 0
    assert run_filmlog("list").returncode == 0


def watched_today(run_filmlog: Run, zone: str, env: dict[str, str]) -> None:
    """``add`` takes today in ``zone`` (either side of a midnight that passes meanwhile)."""
    before = datetime.now(ZoneInfo(zone)).date()
    added = run_filmlog("add", "Her", env=env)
    after = datetime.now(ZoneInfo(zone)).date()
    assert added.returncode == 0, added.stderr
    review_id = added.stdout.split()[1].lstrip("#")
    shown = run_filmlog("show", review_id, "--json", env=env)
    review = json.loads(shown.stdout)[0]
    assert review["watched_on"] in {before.isoformat(), after.isoformat()}
    logged = datetime.fromisoformat(review["logged_at"])
    assert logged.utcoffset() == datetime.now(ZoneInfo(zone)).utcoffset()


def test_timezone_precedence(run_filmlog: Run) -> None:
    # Kiritimati is UTC+14 and Etc/GMT+12 is UTC-12: their dates always differ.
    assert run_filmlog("config", "set", "timezone", "Pacific/Kiritimati").returncode == 0
    watched_today(run_filmlog, "Pacific/Kiritimati", {"TZ": "Etc/GMT+12"})
    watched_today(run_filmlog, "Etc/GMT+12", {"FILMLOG_TIMEZONE": "Etc/GMT+12"})
    assert run_filmlog("config", "unset", "timezone").returncode == 0
    watched_today(run_filmlog, "Etc/GMT+12", {"TZ": "Etc/GMT+12"})


def test_a_bad_timezone_variable_is_one_line(run_filmlog: Run) -> None:
    result = run_filmlog("list", env={"FILMLOG_TIMEZONE": "Mars/Olympus"})

    assert result.returncode == 1
    assert result.stderr.startswith("Error: FILMLOG_TIMEZONE: 'Mars/Olympus' is not a time zone")
