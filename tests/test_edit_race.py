"""A change made while the editor is open is never lost: the edit stops and keeps the text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from filmlog.storage import Journal


def racing_editor(tmp_path: Path, *meanwhile: str) -> str:
    """A $VISUAL that runs ``filmlog *meanwhile`` while it is open, then appends a line."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'filmlog', *{list(meanwhile)!r}], check=True,\n"
        "               stdout=subprocess.DEVNULL)\n"
        "with open(sys.argv[1], 'a', encoding='utf-8') as f: f.write(' My new paragraph.')\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def run(journal: Path, *args: str, visual: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FILMLOG_DB": str(journal), "VISUAL": visual}
    return subprocess.run(
        [sys.executable, "-m", "filmlog", *args], env=env, capture_output=True, text=True
    )


def test_a_body_changed_meanwhile_is_not_overwritten(tmp_path: Path, journal_path: Path) -> None:
    assert run(journal_path, "add", "Her", "--body", "Draft.", visual="true").returncode == 0
    visual = racing_editor(tmp_path, "edit", "1", "--body", "Written on the phone.")
    result = run(journal_path, "edit", "1", "--editor", visual=visual)
    assert result.returncode == 1, result.stderr
    [review] = Journal(journal_path).reviews()
    assert review.body == "Written on the phone."  # the other change survives
    [line] = result.stderr.splitlines()
    assert "review #1 changed while you were editing it (body); nothing was written" in line
    saved = Path(line.rsplit("your text is kept in ", 1)[1].split(";")[0])
    assert saved.read_text(encoding="utf-8") == "Draft. My new paragraph."
    assert oct(saved.stat().st_mode & 0o777) == "0o600"


def test_a_rating_changed_meanwhile_is_named(tmp_path: Path, journal_path: Path) -> None:
    assert run(journal_path, "add", "Her", "--rating", "3", visual="true").returncode == 0
    result = run(
        journal_path, "edit", "1", "--editor", visual=racing_editor(tmp_path, "rate", "1", "5")
    )
    assert result.returncode == 1
    assert "(rating)" in result.stderr
    stored = json.loads(journal_path.read_text())["reviews"]["1"]
    assert stored["rating"] == 10 and stored["body"] is None


def test_a_change_to_another_review_does_not_stop_the_edit(
    tmp_path: Path, journal_path: Path
) -> None:
    for title in ("Her", "Arrival"):
        assert run(journal_path, "add", title, visual="true").returncode == 0
    result = run(
        journal_path, "edit", "1", "--editor", visual=racing_editor(tmp_path, "rate", "2", "5")
    )
    assert result.returncode == 0, result.stderr
    first, second = Journal(journal_path).reviews()
    assert first.body == " My new paragraph." and second.rating == 10
