"""CLI fuzzing: random arguments and hostile text to every command never give a traceback.

The commands and their options are read from the app itself, so a command
added later is fuzzed too. Values come from a pool built to break things:
control characters and terminal escapes, Rich markup, emoji codes, huge
strings, lone surrogates (what undecodable bytes on a command line become),
numbers just out of range, and files that are not UTF-8, empty, or enormous.
After each run: no traceback was printed, the exit code is 0, 1 or 2, and
the journal still passes every check ``filmlog doctor`` makes.

Options that name a file to write (``--output``, ``--split``) only ever get
names inside the test's own folder. To fuzz for longer than the default run,
set ``FILMLOG_FUZZ_EXAMPLES`` (e.g. 5000) for the number of examples per test.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from filmlog.cli import app
from filmlog.doctor import check
from filmlog.model import MAX_TEXT
from filmlog.storage import Journal
from tests.conftest import examples

COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]
WRITES_FILES = {"output", "split"}

HOSTILE = [
    "[bold red]x[/]",
    "[/link]",
    "[link=https://evil.example]click[/link]",
    ":smile:",
    "\x1b[2J\x1b[31mred",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x00\x07\x08\x7f\x9b",
    "\r\n\t",
    "\u202eevil\u202c",
    "\u200b",
    "=cmd|' /C calc'!A0",
    "+1",
    "@SUM(1)",
    "\udcff\udc80",  # bytes that were not UTF-8 on the command line
    "x\ud800y",
    "",
    " ",
    "-",
    "--",
    "---",
    "-x",
    "0",
    "-1",
    "99999999999999999999999",
    "1e309",
    "nan",
    "inf",
    "½",
    "★★★½",
    "7/10",
    "11/10",
    "5.5",
    "0.5",
    "today",
    "yesterday",
    "3 days ago",
    "friday",
    "2099-12-31",
    "0000-00-00",
    "31/02/2020",
    "04/13/24 1:21 AM Mountain Time",
    "2 hr 6 min",
    "PG-13",
    "Joaquin Phoenix as Theodore",
    " as ",
    "a,b,,c",
    "😀" * 50,
    "x" * 5000,
    "[" * 2000,
    "# Heading\n\n**bold** [link](javascript:alert(1)) <script>x</script>\n\n```\ncode\n```",
]


def as_argv(text: str) -> str:
    """``text`` as a real process would see it in argv: bytes, decoded as Python decodes argv.

    No command line can carry NUL (execve takes C strings), and a lone surrogate arrives
    as the surrogate escapes of its bytes, never as itself.
    """
    return os.fsdecode(text.replace("\x00", "").encode("utf-8", "surrogatepass"))


TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=20),
    st.integers(min_value=-3, max_value=12).map(str),
).map(as_argv)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Files to pass wherever a path goes: broken, huge, hostile, missing, or a folder."""
    folder = tmp_path_factory.mktemp("fuzz-files")
    made = {
        "latin1.txt": "Caf\xe9 cr\xe8me".encode("latin-1"),
        "binary.bin": bytes(range(256)) * 4,
        "empty.txt": b"",
        "controls.md": b"\x1b[31mred\x1b[0m [bold]x[/] \x00\x07 :smile:\n",
        "bom.md": b"\xef\xbb\xbf# Title\n\nbody",
        "huge.md": b"word " * (MAX_TEXT // 5 + 10),
        "fake.json": b'{"format": "filmlog-export", "version": 1, "reviews": [{"title": 5}]}',
        "fake.csv": b"Date,Name,Year,Letterboxd URI,Rating\n2024-01-01,=cmd(),abc,x,9\n",
        "journal-like.json": b'{"_filmlog": {"1": {"format": "filmlog", "schema": 1}}}',
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)
    (folder / "a folder").mkdir()
    paths = {name: str(folder / name) for name in made}
    paths["missing"] = str(folder / "missing.txt")
    paths["folder"] = str(folder / "a folder")
    paths["stdin"] = "-"
    return paths


def _value(param: object, files: dict[str, str]) -> st.SearchStrategy[str]:
    name = getattr(param, "name", "") or ""
    if name in WRITES_FILES:
        return st.sampled_from(["out.txt", "out dir", "nested/out.md", "-", ""])
    if "file" in name or name == "path":
        return st.sampled_from(list(files.values())) | TEXT
    return TEXT


@st.composite
def invocation(draw: st.DrawFn, files: dict[str, str]) -> list[str]:
    """A command and a random selection of its own options and arguments, in random order."""
    name = draw(st.sampled_from(sorted(COMMANDS)))
    command = COMMANDS[name]
    words = [name]
    subcommands = getattr(command, "commands", None)  # a group, such as watchlist
    if subcommands and draw(st.booleans()):
        words.append(draw(st.sampled_from(sorted(subcommands))))
        command = subcommands[words[-1]]
    pieces: list[list[str]] = []
    for param in command.params:
        if not draw(st.booleans()):
            continue
        value = _value(param, files)
        if param.param_type_name == "argument":
            count = 1 if param.nargs == 1 else draw(st.integers(min_value=0, max_value=3))
            pieces.extend([draw(value)] for _ in range(count))
        elif getattr(param, "is_flag", False):
            names = param.opts + getattr(param, "secondary_opts", [])
            pieces.append([draw(st.sampled_from(names))])
        else:
            for _ in range(draw(st.integers(min_value=1, max_value=2)) if param.multiple else 1):
                pieces.append([draw(st.sampled_from(param.opts)), draw(value)])
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        pieces.append([draw(TEXT)])  # a stray word
    order = draw(st.permutations(range(len(pieces)))) if pieces else []
    return words + [token for index in order for token in pieces[index]]


# Anything at all on the command line (no "/", so no path outside the test folder is written).
RAW = st.lists(
    st.sampled_from(sorted(COMMANDS))
    | st.sampled_from(["--help", "-h", "--json", "--yes", "-y", "--all", "-n", "1", "2", "--"])
    | TEXT.filter(lambda token: "/" not in token and "\\" not in token),
    max_size=6,
)
STDIN = st.binary(max_size=200) | st.sampled_from([b"y\n", b"n\n", b"\xc3\xa4\n"])


@pytest.fixture
def fuzz_env(journal_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A journal with a few reviews, a private working folder, and an editor that does nothing."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("VISUAL", "true")
    monkeypatch.setenv("FILMLOG_LOCK_TIMEOUT", "2")
    runner = CliRunner()
    for args in (
        ["add", "Her", "--rating", "4", "--genre", "Romance", "--body", "# Hi\n\n*there*"],
        ["add", "[bold]Arrival[/]", "--tag", "\x1b[31m", "--cast", "Amy Adams as Louise"],
        ["add", "Paterson", "--watched", "yesterday", "--year", "2016"],
    ):
        assert runner.invoke(app, args).exit_code == 0
    yield journal_path


HANG_SECONDS = 30


def invoke(args: list[str], stdin: bytes) -> Result:
    """Run filmlog in-process; a command that never finishes becomes a failure, not a stuck run."""
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - Windows has no alarm signal
        return CliRunner().invoke(app, args, input=stdin)

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"the command was still running after {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_SECONDS)
    try:
        return CliRunner().invoke(app, args, input=stdin)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_survived(result: Result, journal_path: Path, args: list[str]) -> None:
    shown = repr(args)[:500]
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{shown} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (shown, result.exit_code, result.output[-1000:])
    assert "Traceback" not in result.output, (shown, result.output[-2000:])
    if journal_path.exists():
        report = check(Journal(journal_path))
        assert report.healthy, (shown, report.problems)


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=int(os.environ.get("FILMLOG_FUZZ_EXAMPLES") or examples),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.mark.slow
@fuzz_settings(examples(250, 80))
@given(data=st.data(), stdin=STDIN)
def test_every_command_with_random_options(
    fuzz_env: Path, files: dict[str, str], data: st.DataObject, stdin: bytes
) -> None:
    args = data.draw(invocation(files))
    result = invoke(args, stdin)
    assert_survived(result, fuzz_env, args)


@fuzz_settings(examples(150, 50))
@given(args=RAW, stdin=STDIN)
def test_random_argument_lists(fuzz_env: Path, args: list[str], stdin: bytes) -> None:
    result = invoke(args, stdin)
    assert_survived(result, fuzz_env, args)


@pytest.mark.parametrize(
    "args",
    [
        [b"add", b"Caf\xe9 \xff\xfe", b"--tag", b"\xc3\x28"],
        [b"search", b"\xff"],
        [b"show", b"1\xff"],
        [b"list", b"--genre", b"\xe9t\xe9"],
        [b"add", b"x", b"--body", b"\xed\xa0\x80"],
        [b"edit", b"1", b"--headline", b"\x1b]0;pwned\x07\xff"],
    ],
)
def test_invalid_utf8_on_a_real_command_line(
    filmlog_exe: str, fuzz_env: Path, args: list[bytes]
) -> None:
    """Bytes that are not UTF-8 reach a real process's argv as they would from a shell."""
    before = fuzz_env.read_bytes()
    result = subprocess.run(
        [os.fsencode(filmlog_exe), *args], capture_output=True, env=os.environ, timeout=60
    )
    output = (result.stdout + result.stderr).decode("utf-8", errors="replace")
    assert result.returncode in (0, 1, 2), output
    assert "Traceback" not in output
    report = check(Journal(fuzz_env))
    assert report.healthy, report.problems
    if args[0] == b"add" or args[0] == b"edit":
        # Refused with a message rather than stored as text no JSON file can hold.
        assert result.returncode == 1, output
        assert "not valid UTF-8" in output
        assert fuzz_env.read_bytes() == before


# A UTF-8 locale such as en_US.UTF-8 reads stdin strictly; C.UTF-8 would hide the problem.
STRICT_STDIN = {"PYTHONIOENCODING": "utf-8:strict"}


def run_bytes(exe: str, args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [exe, *args],
        input=stdin,
        capture_output=True,
        env={**os.environ, **STRICT_STDIN},
        timeout=60,
    )


def test_invalid_utf8_on_stdin_for_the_body(filmlog_exe: str, fuzz_env: Path) -> None:
    before = fuzz_env.read_bytes()

    result = run_bytes(filmlog_exe, ["add", "X", "--body-file", "-"], b"caf\xe9\n")

    assert result.returncode == 1
    assert result.stderr == b"Error: standard input is not UTF-8 text (bad byte at position 3)\n"
    assert fuzz_env.read_bytes() == before


def test_invalid_utf8_answer_to_a_prompt(filmlog_exe: str, fuzz_env: Path) -> None:
    before = fuzz_env.read_bytes()

    result = run_bytes(filmlog_exe, ["add", "X", "--interactive"], b"\x80\n")

    assert result.returncode in (1, 2), result.stderr
    assert fuzz_env.read_bytes() == before


def test_interactive_add_with_an_invalid_title_ends(filmlog_exe: str, fuzz_env: Path) -> None:
    before = fuzz_env.read_bytes()
    try:
        result = subprocess.run(
            [os.fsencode(filmlog_exe), b"add", b"\xff", b"--interactive"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=5,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("filmlog add --interactive never finished")
    assert result.returncode == 1
    assert fuzz_env.read_bytes() == before
