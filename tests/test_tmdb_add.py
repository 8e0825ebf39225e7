"""``add`` and ``edit`` looking films up on a local TMDB: choosing, pins, flags, faults, secrets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.terminal import Terminal
from tests.tmdb_server import KEY, TOKEN, TMDBServer

HER_FACTS = {
    "title": "Her",
    "original_title": "Her",
    "tmdb_id": 152601,
    "imdb_id": "tt1798709",
    "year": 2013,
    "release_date": "2013-12-18",
    "directors": ["Spike Jonze"],
    "genres": ["Romance", "Science Fiction", "Drama"],
    "runtime": 126,
    "mpaa": "R",
}
HER_CAST = [
    ("Joaquin Phoenix", "Theodore"),
    ("Scarlett Johansson", "Samantha (voice)"),
    ("Amy Adams", "Amy"),
    ("Rooney Mara", "Catherine"),
    ("Olivia Wilde", "Blind Date"),
    ("Chris Pratt", "Paul"),
    ("Matt Letscher", "Charles"),
    ("Portia Doubleday", "Isabella"),
]


def shown(cli: Invoke, review_id: int = 1) -> dict[str, object]:
    result = cli("show", str(review_id), "--json")
    assert result.exit_code == 0, result.stderr
    review: dict[str, object] = json.loads(result.stdout)[0]
    return review


def test_add_fills_the_seed_films_facts(cli: Invoke, tmdb: TMDBServer) -> None:
    result = cli("add", "Her", "--rating", "4", "--watched", "2024-04-12")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Added #1 Her (2013) ★★★★☆ watched 2024-04-12\n"
    assert result.stderr == (
        "Filled from TMDB 152601: year, release date, directors, cast, genres, runtime, "
        "MPAA rating, TMDB ID, IMDb ID, original title.\n"
    )
    review = shown(cli)
    assert {key: review[key] for key in HER_FACTS} == HER_FACTS
    assert [(m["actor"], m["role"]) for m in review["cast"]] == HER_CAST  # type: ignore[attr-defined, index]
    assert review["rating"] == 4 and review["watched_on"] == "2024-04-12"
    assert tmdb.paths() == ["/3/search/movie", "/3/movie/152601"]


def test_show_names_the_films_ids(cli: Invoke, tmdb: TMDBServer) -> None:
    assert cli("add", "Stalker", "--tmdb", "1398").exit_code == 0

    result = cli("show", "1")

    assert "Original title Сталкер · TMDB 1398 · IMDb tt0079944" in result.stdout
    assert "Directed by Andrei Tarkovsky" in result.stdout


def test_what_is_typed_wins_over_tmdb(cli: Invoke, tmdb: TMDBServer) -> None:
    result = cli(
        "add", "Her", "--year", "2013", "--genre", "Sci-Fi", "--director", "S. Jonze",
        "--runtime", "2h", "--mpaa", "", "--cast", "Joaquin Phoenix as Theo",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    review = shown(cli)
    assert review["genres"] == ["Sci-Fi"] and review["directors"] == ["S. Jonze"]
    assert review["runtime"] == 120 and review["mpaa"] is None
    assert review["cast"] == [{"actor": "Joaquin Phoenix", "role": "Theo"}]
    assert review["release_date"] == "2013-12-18" and review["tmdb_id"] == 152601
    assert "genres" not in result.stderr and "release date" in result.stderr


def test_tmdb_genres_join_the_journals_spelling(cli: Invoke, tmdb: TMDBServer) -> None:
    assert cli("add", "Arrival", "--no-lookup", "--genre", "drama").exit_code == 0
    assert cli("add", "Her").exit_code == 0

    assert shown(cli, 2)["genres"] == ["Romance", "Science Fiction", "drama"]


def test_a_read_access_token_works_too(
    cli: Invoke, tmdb: TMDBServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMDB_API_KEY")
    monkeypatch.setenv("TMDB_READ_ACCESS_TOKEN", TOKEN)

    assert cli("add", "Her").exit_code == 0
    assert tmdb.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_without_a_credential_add_works_as_before_with_a_tip_once(
    cli: Invoke, tmp_path: Path
) -> None:
    marker = Path(os.environ["FILMLOG_CACHE_DIR"]) / "tmdb-hint-shown"
    marker.unlink()  # as on a machine that never saw it
    first = cli("add", "Her", "--year", "2013")
    second = cli("add", "Arrival")

    assert first.exit_code == 0 and first.stdout.startswith("Added #1 Her (2013)")
    assert first.stderr.startswith("Tip: set TMDB_API_KEY to fill in directors")
    assert first.stderr.count("\n") == 1
    assert second.exit_code == 0 and second.stderr == ""
    assert marker.exists()
    assert shown(cli)["directors"] == []


def test_no_lookup_asks_nothing_and_tips_nothing(cli: Invoke, tmdb: TMDBServer) -> None:
    result = cli("add", "Her", "--no-lookup")

    assert result.exit_code == 0 and result.stderr == ""
    assert tmdb.requests == []
    assert shown(cli)["tmdb_id"] is None


def test_pins_without_a_credential_are_refused(cli: Invoke, journal_path: Path) -> None:
    result = cli("add", "Her", "--tmdb", "152601")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --tmdb or --imdb looks films up on TMDB, which needs")
    assert not journal_path.exists()


# Choosing the film without a terminal: only an exact, single match is taken


def test_several_matches_without_a_terminal_add_nothing(
    cli: Invoke, tmdb: TMDBServer, journal_path: Path
) -> None:
    result = cli("add", "Stalker", "--rating", "5")

    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert "  TMDB 1398   Stalker (1979) · Сталкер" in lines
    assert "  TMDB 51497  Stalker (2010)" in lines
    assert "The Stalker" not in result.stderr  # not the same title
    assert lines[-1] == (
        "Error: 2 TMDB films match 'Stalker' (listed above); pin one with --tmdb ID; "
        "nothing was added (use --no-lookup to add it as typed)"
    )
    assert not journal_path.exists()


def test_the_year_narrows_to_one_and_case_and_accents_do_not_matter(
    cli: Invoke, tmdb: TMDBServer
) -> None:
    result = cli("add", "STALKER", "--year", "1979")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Added #1 STALKER (1979)")
    assert shown(cli)["directors"] == ["Andrei Tarkovsky"]
    assert tmdb.requests[0].query["year"] == "1979"
    assert cli("add", "Сталкер", "--year", "1979").exit_code == 0  # the original title
    assert shown(cli, 2)["tmdb_id"] == 1398


def test_a_title_that_is_not_exact_is_not_taken(cli: Invoke, tmdb: TMDBServer) -> None:
    result = cli("add", "Shining")  # TMDB finds "The Shining", but that is another title

    assert result.exit_code == 1
    assert "  TMDB 694  The Shining (1980)" in result.stderr
    assert "none of them exactly" in result.stderr


def test_an_unknown_title_is_one_clear_error(cli: Invoke, tmdb: TMDBServer) -> None:
    result = cli("add", "Zzyzx Road Trip")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: TMDB has no film called 'Zzyzx Road Trip'; nothing was added "
        "(use --no-lookup to add it as typed)\n"
    )


# Pins


def test_tmdb_and_imdb_pins_choose_the_film(cli: Invoke, tmdb: TMDBServer) -> None:
    assert cli("add", "Stalker", "--tmdb", "51497").exit_code == 0
    assert cli("add", "Stalker", "--imdb", "tt0079944").exit_code == 0

    assert shown(cli, 1)["directors"] == ["Martin Kemp"]
    assert shown(cli, 2)["directors"] == ["Andrei Tarkovsky"]
    assert "/3/find/tt0079944" in tmdb.paths()
    assert "/3/search/movie" not in tmdb.paths()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tmdb", "999999"), "Error: TMDB has no film with TMDB ID 999999\n"),
        (("--imdb", "tt0000001"), "Error: TMDB has no film with IMDb ID tt0000001\n"),
        (
            ("--imdb", "1798709"),
            "Error: --imdb takes an IMDb ID such as tt1798709, not '1798709'\n",
        ),
        (
            ("--tmdb", "1", "--no-lookup"),
            "Error: --no-lookup cannot be given with --tmdb or --imdb\n",
        ),
    ],
)
def test_bad_pins(
    cli: Invoke, tmdb: TMDBServer, journal_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = cli("add", "Her", *args)

    assert result.exit_code in (1, 2)
    assert result.stderr == message
    assert not journal_path.exists()


# Faults: one line, exit 1, the journal untouched


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            {"status": 401, "times": 1},
            "Error: TMDB refused the credential (HTTP 401); set TMDB_API_KEY",
        ),
        ({"status": 503, "times": 3}, "Error: TMDB is having trouble (HTTP 503); try again later"),
        ({"status": 200, "body": b"<html>", "times": 1}, "Error: TMDB sent an answer filmlog"),
        (
            {"status": 429, "times": 1, "headers": {"Retry-After": "120"}},
            "Error: TMDB is limiting requests (HTTP 429) and asks to wait 120 s",
        ),
        ({"status": 404, "times": 1}, "Error: TMDB has no films called 'Her'"),
    ],
)
def test_network_faults_leave_the_journal_untouched(
    cli: Invoke, tmdb: TMDBServer, journal_path: Path, fault: dict[str, object], message: str
) -> None:
    assert cli("add", "Arrival", "--no-lookup").exit_code == 0
    before = journal_path.read_bytes()
    tmdb.fail(**fault)  # type: ignore[arg-type]

    result = cli("add", "Her", "--rating", "4")

    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert journal_path.read_bytes() == before


def test_timeout_and_no_network(
    cli: Invoke, tmdb: TMDBServer, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FILMLOG_TMDB_TIMEOUT", "0.2")
    tmdb.fail(200, b"{}", delay=2)
    slow = cli("add", "Her")
    assert slow.exit_code == 1
    assert "did not answer within 0.2 s" in slow.stderr and "FILMLOG_TMDB_TIMEOUT" in slow.stderr
    tmdb.stop()
    offline = cli("add", "Her")
    assert offline.exit_code == 1
    assert offline.stderr.startswith("Error: cannot reach TMDB at 127.0.0.1:")
    assert not journal_path.exists()


def test_a_film_looked_up_once_is_found_again_offline(cli: Invoke, tmdb: TMDBServer) -> None:
    assert cli("add", "Her", "--watched", "2024-04-12").exit_code == 0
    tmdb.stop()

    again = cli("add", "Her", "--watched", "2024-05-01", "--rewatch")
    assert again.exit_code == 0, again.stderr
    assert shown(cli, 2)["runtime"] == 126

    refreshed = cli("add", "Her", "--refresh")
    assert refreshed.exit_code == 1 and "cannot reach TMDB" in refreshed.stderr


# edit --lookup


def test_edit_lookup_fills_empty_facts_and_overwrite_replaces(
    cli: Invoke, tmdb: TMDBServer
) -> None:
    assert cli("add", "Her", "--no-lookup", "--genre", "Sci-Fi", "--year", "2013").exit_code == 0

    filled = cli("edit", "1", "--lookup")
    assert filled.exit_code == 0, filled.stderr
    assert filled.stdout.startswith("Updated #1 Her (2013)")
    assert shown(cli)["genres"] == ["Sci-Fi"] and shown(cli)["runtime"] == 126

    replaced = cli("edit", "1", "--lookup", "--overwrite", "--verdict", "Good")
    assert replaced.exit_code == 0, replaced.stderr
    review = shown(cli)
    assert review["genres"] == ["Romance", "Science Fiction", "Drama"]
    assert review["verdict"] == "Good"
    # The second lookup went by the stored TMDB ID, with no search.
    assert tmdb.paths() == ["/3/search/movie", "/3/movie/152601", "/3/movie/152601"][:2]


def test_edit_pins_another_film_and_its_facts_replace_the_old(
    cli: Invoke, tmdb: TMDBServer
) -> None:
    assert cli("add", "Stalker", "--tmdb", "51497").exit_code == 0

    result = cli("edit", "1", "--tmdb", "1398")

    assert result.exit_code == 0, result.stderr
    review = shown(cli)
    assert review["directors"] == ["Andrei Tarkovsky"] and review["year"] == 1979
    assert review["title"] == "Stalker"


def test_edit_lookup_of_an_ambiguous_title_names_the_pin(cli: Invoke, tmdb: TMDBServer) -> None:
    assert cli("add", "Stalker", "--no-lookup").exit_code == 0

    result = cli("edit", "1", "--lookup")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].endswith(
        "pin one with --tmdb ID; nothing was changed (filmlog edit 1 --tmdb ID pins the film)"
    )


def test_edit_lookup_uses_the_imdb_id_an_import_kept(
    cli: Invoke, tmdb: TMDBServer, tmp_path: Path
) -> None:
    ratings = Path(__file__).parent / "data" / "imdb" / "ratings.csv"
    assert cli("import", str(ratings)).exit_code == 0

    result = cli("edit", "1", "--lookup")

    assert result.exit_code == 0, result.stderr
    assert tmdb.paths()[0] == "/3/find/tt1798709"
    assert shown(cli)["cast"][0] == {"actor": "Joaquin Phoenix", "role": "Theodore"}  # type: ignore[index]


# The credential never shows


def test_the_key_appears_in_no_output_and_no_file(
    cli: Invoke, tmdb: TMDBServer, tmp_path: Path, run_filmlog: object
) -> None:
    outputs = []
    for status in (401, 500, 200):
        tmdb.fail(status, b"not json " + KEY.encode(), times=3)
        outputs.append(cli("--debug", "add", "Her"))
    tmdb.faults.clear()
    outputs.append(cli("add", "Her", "--rating", "4"))
    outputs.append(cli("show", "1", "--json"))
    outputs.append(cli("export", "--format", "json"))
    outputs.append(cli("edit", "1", "--lookup", "--overwrite", "--refresh"))
    tmdb.stop()
    outputs.append(cli("--debug", "add", "Arrival"))
    assert outputs[3].exit_code == 0
    for result in outputs:
        assert KEY not in result.stdout and KEY not in result.stderr
    cache = Path(os.environ["FILMLOG_CACHE_DIR"])
    assert list(cache.rglob("*.json"))  # answers were cached: the check below reads them
    for path in [*tmp_path.rglob("*"), *cache.rglob("*")]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
        assert KEY not in path.name


def test_the_key_stays_out_of_a_debug_traceback_in_a_real_process(
    tmdb: TMDBServer, run_filmlog: object, tmp_path: Path
) -> None:
    tmdb.fail(401)
    result = run_filmlog("--debug", "add", "Her")  # type: ignore[operator]
    assert result.returncode == 1
    assert "Traceback" in result.stderr  # --debug shows it...
    assert KEY not in result.stderr and KEY not in result.stdout  # ...without the key
    tmdb.stop()
    result = run_filmlog("--debug", "add", "Her")  # type: ignore[operator]
    assert "cannot reach TMDB" in result.stderr and KEY not in result.stderr


# The pick list, in a real terminal


def test_a_terminal_gets_a_numbered_pick_list(
    tmdb: TMDBServer, filmlog_exe: str, journal_path: Path
) -> None:
    screen = Terminal([filmlog_exe, "add", "Stalker", "--watched", "2024-01-05"], dict(os.environ))
    screen.expect("Several films on TMDB match 'Stalker':")
    screen.expect("  1. Stalker (1979) · Andrei Tarkovsky · Сталкер")
    screen.expect("  2. Stalker (2010) · Martin Kemp")
    screen.expect("Which one? 1-2, or Enter for none")
    screen.type("x\r")
    screen.expect("Please answer a number from 1 to 2")
    screen.type("1\r")
    screen.expect("Added #1 Stalker (1979) watched 2024-01-05")
    assert screen.finish().status == 0
    stored = json.loads(journal_path.read_text(encoding="utf-8"))["reviews"]["1"]
    assert stored["tmdb_id"] == 1398


def test_a_terminal_pick_list_answered_with_enter_adds_nothing(
    tmdb: TMDBServer, filmlog_exe: str, journal_path: Path
) -> None:
    screen = Terminal([filmlog_exe, "add", "Stalker"], dict(os.environ))
    screen.expect("Which one?")
    screen.type("\r")
    screen.expect("no film chosen; nothing was changed")
    assert screen.finish().status == 1
    assert not journal_path.exists()


def test_the_config_file_supplies_the_credential_and_settings_below_the_environment(
    cli: Invoke, tmdb: TMDBServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMDB_API_KEY")
    assert cli("config", "set", "tmdb.api_key", KEY).exit_code == 0
    assert cli("config", "set", "tmdb.cast_limit", "2").exit_code == 0
    assert cli("config", "set", "tmdb.language", "de-DE").exit_code == 0
    monkeypatch.setenv("FILMLOG_TMDB_LANGUAGE", "fr-FR")

    result = cli("add", "Her")

    assert result.exit_code == 0, result.stderr
    assert len(shown(cli)["cast"]) == 2  # type: ignore[arg-type]
    assert tmdb.requests[0].query["language"] == "fr-FR"  # the environment beats the file
    assert tmdb.requests[0].query["api_key"] == KEY
    assert KEY not in cli("config", "list").stdout


def test_hostile_text_from_tmdb_is_data(cli: Invoke, tmdb: TMDBServer) -> None:
    for tmdb_id in (1398, 51497):
        tmdb.films[tmdb_id]["original_title"] = "\x1b[2J\x1b]0;owned\x07[bold]Stalker[/bold]"

    listed = cli("add", "Stalker")
    assert "\x1b" not in listed.stderr and "␛[2J" in listed.stderr
    assert cli("add", "Stalker", "--tmdb", "1398").exit_code == 0
    shown_panel = cli("show", "1").stdout
    assert "\x1b" not in shown_panel and "[bold]Stalker[/bold]" in shown_panel
    assert shown(cli)["original_title"] == "\x1b[2J\x1b]0;owned\x07[bold]Stalker[/bold]"
