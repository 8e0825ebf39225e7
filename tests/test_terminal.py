"""filmlog on a real terminal (a pty): colour on and off, and error paths as a person sees them."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

ESC = b"\x1b["
_SGR = re.compile(rb"\x1b\[([0-9;]*)m")


def colours(shown: bytes) -> set[int]:
    """The colour codes of every SGR sequence in ``shown`` (bold and the like are no colour)."""
    found = set()
    for match in _SGR.finditer(shown):
        for code in (int(part) for part in match[1].split(b";") if part):
            if 30 <= code <= 49 or 90 <= code <= 107:
                found.add(code)
    return found


def on_terminal(
    exe: str, *args: str, env: dict[str, str] | None = None, typed: tuple[bytes, ...] = ()
) -> tuple[int, bytes]:
    """Run filmlog with stdin, stdout and stderr on one pty; its exit code and all it showed.

    Each of ``typed`` is typed once filmlog has shown something and gone quiet (a
    question waiting), as a person would: line editing may change the terminal's
    mode between questions, so typing ahead is not the same.
    """
    import pty

    main, child = pty.openpty()
    full_env = {**os.environ, "TERM": "xterm-256color", **(env or {})}
    proc = subprocess.Popen(
        [exe, *args], stdin=child, stdout=child, stderr=child, env=full_env, close_fds=True
    )
    os.close(child)
    answers = list(typed)
    shown = b""
    fresh = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    piece = os.read(main, 65536)
                except OSError:  # EIO: every end of the pty's other side is closed
                    break
                if not piece:
                    break
                shown += piece
                fresh = True
            elif answers and fresh and proc.poll() is None:
                # Quiet after new output: the question is waiting for its answer.
                os.write(main, answers.pop(0))
                fresh = False
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=30)
    finally:
        os.close(main)
        if proc.poll() is None:
            proc.kill()
    return code, shown


@pytest.fixture
def journal(run_filmlog: object, filmlog_exe: str, journal_path: Path) -> Path:
    result = subprocess.run(
        [filmlog_exe, "add", "Her", "--year", "2013", "--rating", "4", "--body", "Quiet."],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return journal_path


def test_colour_on_a_terminal_and_none_with_no_color(filmlog_exe: str, journal: Path) -> None:
    code, shown = on_terminal(filmlog_exe, "list")
    assert code == 0 and b"Her" in shown
    assert colours(shown)

    code, plain = on_terminal(filmlog_exe, "list", env={"NO_COLOR": "1"})
    assert code == 0 and b"Her" in plain
    assert not colours(plain)


def test_an_error_is_red_on_a_terminal_and_plain_with_no_color(
    filmlog_exe: str, journal: Path
) -> None:
    code, shown = on_terminal(filmlog_exe, "show", "99")
    assert code == 1
    assert 31 in colours(shown) and b"no review with ID 99" in shown

    code, plain = on_terminal(filmlog_exe, "show", "99", env={"NO_COLOR": "1"})
    assert code == 1
    assert ESC not in plain and b"Error: no review with ID 99" in plain  # no style at all


def test_export_onto_the_journal_is_refused(filmlog_exe: str, journal: Path) -> None:
    before = journal.read_bytes()
    code, shown = on_terminal(filmlog_exe, "export", "--output", str(journal), "--force")
    assert code == 1
    assert b"is the journal itself" in shown
    assert journal.read_bytes() == before


def test_split_onto_a_file_is_refused(filmlog_exe: str, journal: Path, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine", encoding="utf-8")
    code, shown = on_terminal(filmlog_exe, "export", "--split", str(taken))
    assert code == 1
    assert b"exists and is not a folder" in shown
    assert taken.read_text(encoding="utf-8") == "mine"


def test_a_multi_part_letterboxd_export_needs_a_file(
    filmlog_exe: str, journal_path: Path, tmp_path: Path
) -> None:
    body = "A long look back at a film that stays with you. " * 120
    reviews = [
        {"uuid": f"00000000-0000-4000-8000-{n:012d}", "title": f"Film {n}", "body": body}
        for n in range(1, 301)
    ]
    export = tmp_path / "export.json"
    export.write_text(
        json.dumps({"format": "filmlog-export", "version": 1, "reviews": reviews}),
        encoding="utf-8",
    )
    code, shown = on_terminal(filmlog_exe, "import", str(export))
    assert code == 0, shown

    code, shown = on_terminal(filmlog_exe, "export", "--format", "letterboxd")
    assert code == 1
    assert b"give --output FILE" in shown


def test_an_editor_that_cannot_start(filmlog_exe: str, journal_path: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-editor")
    code, shown = on_terminal(filmlog_exe, "add", "Her", "--editor", env={"EDITOR": missing})
    assert code == 1
    assert b"cannot start editor" in shown
    assert not journal_path.exists()


def test_end_of_input_at_a_prompt_keeps_the_answers_given(
    filmlog_exe: str, journal_path: Path
) -> None:
    # Two answers, then Ctrl-D (end of input on a terminal) at the third question.
    typed = (b"2013\n", b"yesterday\n", b"\x04")
    code, shown = on_terminal(filmlog_exe, "add", "Her", "-i", typed=typed)
    assert code == 0, shown
    assert b"Traceback" not in shown and b"Aborted" not in shown
    assert b"Added #1 Her (2013)" in shown


def test_end_of_input_at_the_editor_question_keeps_the_answers(
    filmlog_exe: str, journal_path: Path
) -> None:
    answers = ["2013", "yesterday", "4", "Romance", "Spike Jonze", "Good", "Love"]
    # End of input at the editor question, and again at the one-paragraph question after it.
    typed = (*(f"{answer}\n".encode() for answer in answers), b"\x04", b"\x04")
    code, shown = on_terminal(filmlog_exe, "add", "Her", "-i", typed=typed)
    assert code == 0, shown
    assert b"Aborted" not in shown
    assert b"Added #1 Her (2013)" in shown
