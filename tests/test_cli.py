"""The everyday commands end to end through Typer's CliRunner, with a real journal file."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from filmlog.model import JSON_KEYS
from tests.conftest import Invoke, RunFilmlog


def add(cli: Invoke, title: str, *args: str) -> None:
    result = cli("add", title, *args)
    assert result.exit_code == 0, result.stderr


def as_json(cli: Invoke, *args: str) -> list[dict[str, object]]:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def titles(cli: Invoke, *args: str) -> list[str]:
    return [str(r["title"]) for r in as_json(cli, *args)]


@pytest.fixture
def library(cli: Invoke) -> None:
    """Five reviews with known fields for filter and sort tests."""
    add(
        cli,
        "Her",
        "--year",
        "2013",
        "--genre",
        "Romance",
        "--genre",
        "Sci-Fi",
        "--rating",
        "4",
        "--watched",
        "2024-04-12",
        "--director",
        "Spike Jonze",
        "--cast",
        "Joaquin Phoenix as Theodore",
        "--tag",
        "theatre",
        "--liked",
        "--body",
        "A man falls for his operating system.",
    )
    add(
        cli,
        "Amélie",
        "--year",
        "2001",
        "--genre",
        "romance",
        "--genre",
        "Comedy",
        "--rating",
        "3.5",
        "--watched",
        "2023-02-14",
        "--director",
        "Jean-Pierre Jeunet",
        "--cast",
        "Audrey Tautou as Amélie",
        "--body",
        "Paris, gnomes and a café.",
    )
    add(
        cli,
        "Blade Runner 2049",
        "--year",
        "2017",
        "--genre",
        "Sci-Fi",
        "--rating",
        "5",
        "--watched",
        "2022-10-01",
        "--director",
        "Denis Villeneuve",
        "--rewatch",
        "--tag",
        "imax",
        "--body",
        "Rain, neon, *replicants*.",
    )
    add(
        cli,
        "The Room",
        "--year",
        "2003",
        "--genre",
        "Drama",
        "--rating",
        "½",
        "--watched",
        "2021-01-01",
        "--verdict",
        "Awful",
    )
    add(
        cli,
        "Arrival",
        "--year",
        "2016",
        "--genre",
        "Sci-Fi",
        "--genre",
        "Drama",
        "--watched",
        "2024-12-01",
        "--director",
        "Denis Villeneuve",
        "--cast",
        "Amy Adams as Louise",
    )


# --- add -------------------------------------------------------------------------------


def test_add_prints_id_and_summary_and_defaults_to_today(cli: Invoke, frozen_now: datetime) -> None:
    result = cli("add", "Her", "--rating", "4")
    assert result.exit_code == 0
    assert result.stdout == "Added #1 Her ★★★★☆ watched 2024-04-13\n"
    [review] = as_json(cli, "show", "1")
    assert review["watched_on"] == "2024-04-13"
    assert review["logged_at"] == review["updated_at"] == "2024-04-13T00:30:00-06:00"


@pytest.mark.parametrize(
    ("text", "stars"),
    [("4", 4.0), ("3.5", 3.5), ("3½", 3.5), ("★★★½", 3.5), ("4/5", 4.0), ("7/10", 3.5), ("½", 0.5)],
)
def test_add_accepts_every_rating_form(cli: Invoke, text: str, stars: float) -> None:
    add(cli, "Film", "--rating", text)
    assert as_json(cli, "show", "1")[0]["rating"] == stars


@pytest.mark.parametrize(
    ("text", "minutes"), [("126", 126), ("126m", 126), ("2h 6m", 126), ("2 hr 6 min", 126)]
)
def test_add_accepts_every_runtime_form(cli: Invoke, text: str, minutes: int) -> None:
    add(cli, "Film", "--runtime", text)
    assert as_json(cli, "show", "1")[0]["runtime"] == minutes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-12", date(2024, 4, 12)),
        ("04/12/24", date(2024, 4, 12)),
        ("April 12 2024", date(2024, 4, 12)),
        ("today", date(2024, 4, 13)),
        ("yesterday", date(2024, 4, 12)),
        ("3 days ago", date(2024, 4, 10)),
        ("saturday", date(2024, 4, 13)),  # a weekday: the most recent one, today included
        ("monday", date(2024, 4, 8)),
    ],
)
def test_add_accepts_watched_date_forms(
    cli: Invoke, frozen_now: datetime, text: str, expected: date
) -> None:
    add(cli, "Film", "--watched", text)
    assert as_json(cli, "show", "1")[0]["watched_on"] == expected.isoformat()


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "UTC", "America/Denver"])
def test_today_is_the_date_in_the_users_zone(run_filmlog: RunFilmlog, zone: str) -> None:
    # UTC+14 and UTC-12 are on different dates for 22 hours of every day.
    before = datetime.now(ZoneInfo(zone)).date()
    result = run_filmlog("add", "Film", env={"TZ": zone})
    after = datetime.now(ZoneInfo(zone)).date()
    assert result.returncode == 0, result.stderr
    watched = date.fromisoformat(result.stdout.rsplit(" ", 1)[1].strip())
    assert watched in {before, after}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rating", "6"], "Error: invalid rating '6': use 0.5 to 5 stars in half steps"),
        (["--rating", "3.3"], "Error: invalid rating '3.3'"),
        (["--watched", "2999-01-01"], "is in the future"),
        (["--watched", "someday"], "Error: invalid date 'someday'"),
        (["--runtime", "long"], "Error: invalid runtime 'long'"),
        (["--mpaa", "X"], "Error: invalid MPAA rating 'X'"),
        (["--year", "99999"], "Error: invalid year"),
        (["--logged", "04/13/24 1:21 AM Moon Time"], "unknown time zone"),
        (["--cast", " as Theodore"], "Error:"),
    ],
)
def test_add_refuses_bad_values_with_one_line(
    cli: Invoke, journal_path: Path, args: list[str], message: str
) -> None:
    result = cli("add", "Film", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert not journal_path.exists()


def test_rating_error_lists_accepted_forms(cli: Invoke) -> None:
    result = cli("add", "Film", "--rating", "great")
    assert result.exit_code == 1
    for form in ("4", "3.5", "3½", "★★★½", "4/5", "7/10"):
        assert form in result.stderr


def test_add_requires_a_title(cli: Invoke) -> None:
    assert cli("add").exit_code == 2
    result = cli("add", "  ")
    assert result.exit_code == 2
    assert "title must not be empty" in result.stderr


def test_add_body_from_file_and_stdin(cli: Invoke, tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    body.write_text("# Heading\n\nFrom a *file*.\n", encoding="utf-8")
    add(cli, "One", "--body-file", str(body))
    result = cli("add", "Two", "--body-file", "-", input="From stdin.\n")
    assert result.exit_code == 0, result.stderr
    first, second = as_json(cli, "show", "1", "2")
    assert first["body"] == "# Heading\n\nFrom a *file*.\n"
    assert second["body"] == "From stdin.\n"


def test_add_body_file_errors(cli: Invoke, tmp_path: Path) -> None:
    missing = cli("add", "One", "--body-file", str(tmp_path / "nope.md"))
    assert missing.exit_code == 1
    assert "cannot read" in missing.stderr and "nope.md" in missing.stderr
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"caf\xe9 latin-1")
    result = cli("add", "One", "--body-file", str(bad))
    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.stderr
    both = cli("add", "One", "--body", "x", "--body-file", str(bad))
    assert both.exit_code == 2
    assert "one way" in both.stderr


def write_editor(tmp_path: Path, text: str, status: int = 0) -> str:
    """A fake $EDITOR: a Python script that appends ``text`` to the file it is given."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\n"
        f"with open(sys.argv[1], 'a', encoding='utf-8') as f: f.write({text!r})\n"
        f"sys.exit({status})\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def test_add_and_edit_body_in_editor(cli: Invoke, tmp_path: Path) -> None:
    result = cli("add", "Her", "--editor", env={"EDITOR": write_editor(tmp_path, "First.")})
    assert result.exit_code == 0, result.stderr
    result = cli("edit", "1", "--editor", env={"VISUAL": write_editor(tmp_path, " Second.")})
    assert result.exit_code == 0, result.stderr
    assert as_json(cli, "show", "1")[0]["body"] == "First. Second."


def test_failing_editor_saves_nothing(cli: Invoke, tmp_path: Path, journal_path: Path) -> None:
    result = cli("add", "Her", "--editor", env={"EDITOR": write_editor(tmp_path, "x", status=3)})
    assert result.exit_code == 1
    assert "exited with status 3" in result.stderr
    assert not journal_path.exists()


def test_add_interactive_prompts_and_reasks(cli: Invoke, frozen_now: datetime) -> None:
    answers = "2013\nyesterday\nsix\n4\nRomance, Sci-Fi\nSpike Jonze\nGood\nLove in the future\nn\n"
    result = cli("add", "Her", "--interactive", input=answers)
    assert result.exit_code == 0, result.stderr
    assert "invalid rating 'six'" in result.stderr
    [review] = as_json(cli, "show", "1")
    assert review["year"] == 2013
    assert review["rating"] == 4.0
    assert review["genres"] == ["Romance", "Sci-Fi"]
    assert review["directors"] == ["Spike Jonze"]
    assert review["verdict"] == "Good"
    assert review["headline"] == "Love in the future"
    assert review["watched_on"] == "2024-04-12"


def test_add_interactive_keeps_the_answers_when_input_ends_at_the_editor_question(
    cli: Invoke, tmp_path: Path
) -> None:
    answers = "2013\nyesterday\n4\nRomance\nSpike Jonze\nGood\nLove in the future\n"
    editor = {"EDITOR": write_editor(tmp_path, "never", status=3)}
    result = cli("add", "Her", "--interactive", input=answers, env=editor)
    assert result.exit_code == 0, result.stderr
    assert "Aborted" not in result.stderr
    [review] = as_json(cli, "show", "1")
    assert review["headline"] == "Love in the future"
    assert review["body"] is None  # the editor was not opened


def test_ctrl_c_at_the_editor_question_exits_130_and_saves_nothing(
    cli: Invoke, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["2013", "yesterday", "4", "Romance", "Spike Jonze", "Good", "Love"])

    def typed() -> str:
        answer = next(answers, None)
        if answer is None:
            raise KeyboardInterrupt
        return answer

    monkeypatch.setattr("builtins.input", typed)
    result = cli("add", "Her", "--interactive")
    assert result.exit_code == 130
    assert not journal_path.exists()


def test_an_empty_logged_clears_it(cli: Invoke) -> None:
    add(cli, "Her", "--logged", "2024-04-13 21:30 UTC")
    result = cli("edit", "1", "--logged", "")
    assert result.exit_code == 0, result.stderr
    [review] = as_json(cli, "show", "1")
    assert review["logged_at"] is None


def test_reviewer_defaults_from_environment(cli: Invoke) -> None:
    assert cli("add", "Her", env={"FILMLOG_REVIEWER": "Colton Gomez"}).exit_code == 0
    assert (
        cli("add", "Arrival", "--reviewer", "Someone", env={"FILMLOG_REVIEWER": "X"}).exit_code == 0
    )
    first, second = as_json(cli, "show", "1", "2")
    assert first["reviewer"] == "Colton Gomez"
    assert second["reviewer"] == "Someone"


def test_genres_match_case_insensitively_and_keep_first_spelling(cli: Invoke) -> None:
    add(cli, "Her", "--genre", "Sci-Fi")
    add(cli, "Arrival", "--genre", "sci-fi", "--genre", "SCI-FI, drama")
    assert as_json(cli, "show", "2")[0]["genres"] == ["Sci-Fi", "drama"]


# --- JSON view ---------------------------------------------------------------------------


def test_json_has_exactly_the_documented_keys(cli: Invoke, library: None) -> None:
    for command in (["list"], ["search"], ["show", "1"]):
        for review in as_json(cli, *command):
            assert list(review) == list(JSON_KEYS)
    her = as_json(cli, "show", "1")[0]
    assert her["cast"] == [{"actor": "Joaquin Phoenix", "role": "Theodore"}]
    assert isinstance(her["id"], int) and isinstance(her["uuid"], str)


# --- list --------------------------------------------------------------------------------


def test_list_on_missing_journal_is_empty_and_writes_nothing(
    cli: Invoke, journal_path: Path
) -> None:
    result = cli("list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No reviews yet" in result.stderr
    assert as_json(cli, "list") == []
    assert not journal_path.exists()
    assert not journal_path.parent.joinpath("journal.json.lock").exists()


def test_list_table_newest_watched_first(cli: Invoke, library: None) -> None:
    result = cli("list")
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert "ID" in lines[0] and "Watched" in lines[0] and "Title" in lines[0]
    order = [
        name
        for line in lines
        for name in ("Arrival", "Her", "Amélie", "Blade", "The Room")
        if name in line
    ]
    assert order == ["Arrival", "Her", "Amélie", "Blade", "The Room"]
    assert "Her (2013)" in result.stdout and "★★★★☆" in result.stdout


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("watched", ["Arrival", "Her", "Amélie", "Blade Runner 2049", "The Room"]),
        ("rating", ["Blade Runner 2049", "Her", "Amélie", "The Room", "Arrival"]),
        ("title", ["Amélie", "Arrival", "Blade Runner 2049", "Her", "The Room"]),
        ("year", ["Blade Runner 2049", "Arrival", "Her", "The Room", "Amélie"]),
        ("logged", ["Arrival", "The Room", "Blade Runner 2049", "Amélie", "Her"]),
    ],
)
def test_list_sorts(cli: Invoke, library: None, sort: str, expected: list[str]) -> None:
    assert titles(cli, "list", "--sort", sort) == expected


def test_list_reverse_keeps_missing_values_last(cli: Invoke, library: None) -> None:
    assert titles(cli, "list", "--sort", "rating", "--reverse") == [
        "The Room",
        "Amélie",
        "Her",
        "Blade Runner 2049",
        "Arrival",
    ]


def test_list_limit_and_all(cli: Invoke) -> None:
    for day in range(1, 26):
        add(cli, f"Film {day}", "--watched", f"2024-01-{day:02d}")
    assert len(as_json(cli, "list")) == 25  # scripts get every match unless they ask
    assert len(as_json(cli, "list", "--limit", "3")) == 3
    table = cli("list")
    assert table.stdout.count("Film ") == 20
    assert "Showing 20 of 25; use --all or --limit" in table.stderr
    assert cli("list", "--all").stdout.count("Film ") == 25
    result = cli("list", "--limit", "3")
    assert "3 of 25 reviews" in result.stdout
    searched = cli("search", "film", "-n", "2")
    assert "2 of 25 reviews found" in searched.stdout
    assert cli("list", "--limit", "0").exit_code == 2


# --- search ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["amelie"], ["Amélie"]),
        (["CAFE"], ["Amélie"]),
        (["operating", "system"], ["Her"]),
        (["replicants"], ["Blade Runner 2049"]),
        (["villeneuve"], ["Arrival", "Blade Runner 2049"]),
        (["theodore"], ["Her"]),
        (["imax"], ["Blade Runner 2049"]),
        (["operating", "gnomes"], []),
        (["--genre", "sci-fi"], ["Arrival", "Her", "Blade Runner 2049"]),
        (["--genre", "romance", "--genre", "drama"], ["Arrival", "Her", "Amélie", "The Room"]),
        (["--genre", "sci-fi", "--genre", "drama", "--all-genres"], ["Arrival"]),
        (["--min-rating", "4"], ["Her", "Blade Runner 2049"]),
        (["--max-rating", "3.5"], ["Amélie", "The Room"]),
        (["--min-rating", "3", "--max-rating", "4/5"], ["Her", "Amélie"]),
        (["--year", "2013"], ["Her"]),
        (["--from", "2023-01-01"], ["Arrival", "Her", "Amélie"]),
        (["--from", "2022-01-01", "--to", "2023-12-31"], ["Amélie", "Blade Runner 2049"]),
        (["--tag", "THEATRE"], ["Her"]),
        (["--director", "villeneuve"], ["Arrival", "Blade Runner 2049"]),
        (["--actor", "tautou"], ["Amélie"]),
        (["--rewatch"], ["Blade Runner 2049"]),
        (["--first-watch", "--genre", "sci-fi"], ["Arrival", "Her"]),
        (["--liked"], ["Her"]),
        (["--not-liked", "--min-rating", "3.5"], ["Amélie", "Blade Runner 2049"]),
    ],
)
def test_search_words_and_filters(
    cli: Invoke, library: None, args: list[str], expected: list[str]
) -> None:
    assert titles(cli, "search", *args) == expected


def test_list_takes_the_same_filters(cli: Invoke, library: None) -> None:
    assert titles(cli, "list", "--genre", "sci-fi", "--min-rating", "4") == [
        "Her",
        "Blade Runner 2049",
    ]


def test_search_zero_results_is_not_an_error(cli: Invoke, library: None) -> None:
    result = cli("search", "zzzz")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "No reviews match.\n"


def test_search_table_and_full_panels(cli: Invoke, library: None) -> None:
    table = cli("search", "--genre", "sci-fi")
    assert "3 reviews found" in table.stdout
    full = cli("search", "replicants", "--full")
    assert full.exit_code == 0
    assert "╭" in full.stdout and "Rain, neon, replicants." in full.stdout


def test_search_bad_filter_value(cli: Invoke, library: None) -> None:
    result = cli("search", "--min-rating", "eleven")
    assert result.exit_code == 1
    assert "invalid rating 'eleven'" in result.stderr


# --- show, rate, edit, delete --------------------------------------------------------------


def test_show_several_and_unknown(cli: Invoke, library: None) -> None:
    result = cli("show", "1", "3")
    assert result.exit_code == 0
    assert result.stdout.index("Her (2013)") < result.stdout.index("Blade Runner 2049 (2017)")
    missing = cli("show", "1", "42")
    assert missing.exit_code == 1
    assert missing.stderr == "Error: no review with ID 42\n"
    assert missing.stdout == ""
    assert cli("show", "abc").exit_code == 2


def test_rate_prints_old_and_new(cli: Invoke, library: None) -> None:
    result = cli("rate", "1", "4.5")
    assert result.exit_code == 0
    assert result.stdout == "Rated #1 Her (2013): ★★★★☆ → ★★★★½\n"
    assert cli("rate", "5", "3").stdout == "Rated #5 Arrival (2016): unrated → ★★★☆☆\n"
    assert as_json(cli, "show", "1")[0]["rating"] == 4.5
    bad = cli("rate", "1", "0")
    assert bad.exit_code == 1 and "invalid rating '0'" in bad.stderr
    assert cli("rate", "99", "3").stderr == "Error: no review with ID 99\n"


def test_edit_changes_only_given_fields(cli: Invoke, library: None) -> None:
    before = as_json(cli, "show", "1")[0]
    result = cli("edit", "1", "--verdict", "Great", "--genre", "Drama", "--title", "Her!")
    assert result.exit_code == 0, result.stderr
    after = as_json(cli, "show", "1")[0]
    assert after["verdict"] == "Great"
    assert after["genres"] == ["Drama"]
    assert after["title"] == "Her!"
    unchanged = set(JSON_KEYS) - {"verdict", "genres", "title", "updated_at"}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert str(after["updated_at"]) >= str(before["updated_at"])


def test_edit_empty_value_clears_a_field(cli: Invoke, library: None) -> None:
    assert cli("edit", "1", "--rating", "", "--tag", "", "--body", "").exit_code == 0
    review = as_json(cli, "show", "1")[0]
    assert review["rating"] is None and review["tags"] == [] and review["body"] is None


def test_edit_needs_an_option_and_a_known_id(cli: Invoke, library: None) -> None:
    nothing = cli("edit", "1")
    assert nothing.exit_code == 2
    assert "nothing to change" in nothing.stderr
    assert cli("edit", "99", "--verdict", "x").stderr == "Error: no review with ID 99\n"


def test_delete_with_yes_and_ids_never_reused(cli: Invoke, library: None) -> None:
    result = cli("delete", "5", "4", "--yes")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Deleted #5 Arrival (2016) watched 2024-12-01",
        "Deleted #4 The Room (2003) ½☆☆☆☆ watched 2021-01-01",
    ]
    add(cli, "New")
    assert [r["id"] for r in as_json(cli, "list", "--sort", "title")] == [2, 3, 1, 6]


def test_delete_asks_first(cli: Invoke, library: None) -> None:
    declined = cli("delete", "1", input="n\n")
    assert declined.exit_code == 1
    assert "Delete review?" in declined.stderr and "#1 Her (2013)" in declined.stderr
    assert "nothing was deleted" in declined.stderr
    assert len(as_json(cli, "list")) == 5
    accepted = cli("delete", "1", input="y\n")
    assert accepted.exit_code == 0
    assert [r["id"] for r in as_json(cli, "list")] == [5, 2, 3, 4]


def test_delete_unknown_id_deletes_nothing(cli: Invoke, library: None) -> None:
    result = cli("delete", "1", "77", "--yes")
    assert result.exit_code == 1
    assert result.stderr == "Error: no review with ID 77\n"
    assert len(as_json(cli, "list")) == 5


# --- global options and hostile text --------------------------------------------------------


def test_version_and_db_option(cli: Invoke, tmp_path: Path) -> None:
    from filmlog import __version__

    assert cli("--version").stdout == f"filmlog {__version__}\n"
    other = tmp_path / "nested" / "other.json"
    assert cli("--db", str(other), "add", "Elsewhere").exit_code == 0
    assert other.exists()
    assert titles(cli, "--db", str(other), "list") == ["Elsewhere"]
    assert as_json(cli, "list") == []


def test_hostile_text_is_shown_literally(cli: Invoke) -> None:
    evil = "[bold red]Boom[/] [link=http://x]y[/link] :smile: \x1b[31mred\x1b]8;;http://evil\x07click\x1b]8;;\x07"
    add(
        cli,
        evil,
        "--verdict",
        "[/]",
        "--genre",
        "[blink]",
        "--tag",
        "\x1b[2J",
        "--body",
        f"# {evil}",
    )
    for command in (["list"], ["show", "1"], ["search", "boom", "--full"]):
        result = cli(*command, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "[bold red]Boom[/]" in result.stdout
    assert ":smile:" in cli("show", "1", env={"COLUMNS": "200"}).stdout
    assert "␛[31mred" in cli("show", "1", env={"COLUMNS": "200"}).stdout
    assert "\x1b" not in cli("add", "\x1b[31mx").stdout
    assert as_json(cli, "show", "1")[0]["title"] == evil  # stored unchanged


def test_corrupt_journal_is_one_line_and_untouched(cli: Invoke, journal_path: Path) -> None:
    journal_path.write_bytes(b'{"_filmlog": {"1": {"format": "filmlog", "sch')
    for command in (["list"], ["add", "Her"], ["rate", "1", "4"]):
        result = cli(*command)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: journal {journal_path} is not valid JSON")
        assert result.stderr.count("\n") == 1
    assert journal_path.read_bytes() == b'{"_filmlog": {"1": {"format": "filmlog", "sch'


def test_debug_shows_traceback(cli: Invoke, journal_path: Path) -> None:
    journal_path.write_text("[]")
    plain = cli("list")
    assert "Traceback" not in plain.stderr
    debug = cli("--debug", "list")
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr and "is not a filmlog journal" in debug.stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("add", "Columbus", "--genre", "drama", "--tag", "fest"), id="add"),
        pytest.param(("rate", "1", "3.5"), id="rate"),
        pytest.param(("edit", "2", "--headline", "Still good", "--genre", "Drama"), id="edit"),
        pytest.param(("delete", "3", "--yes"), id="delete"),
    ],
)
def test_a_write_reads_the_journal_once(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    from filmlog.storage import Journal

    for title in ("Arrival", "Her", "Paterson"):
        add(cli, title, "--genre", "Drama", "--body", "A long body.")
    reads: list[str] = []
    for method in ("read_with_status", "browse"):  # every way a command reads the file
        original = getattr(Journal, method)

        def counted(self: Journal, *a: object, _f: object = original, _m: str = method) -> object:
            reads.append(_m)
            return _f(self, *a)  # type: ignore[operator]

        monkeypatch.setattr(Journal, method, counted)

    result = cli(*args)

    assert result.exit_code == 0, result.stderr
    assert reads == ["read_with_status"]
