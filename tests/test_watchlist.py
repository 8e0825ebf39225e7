"""The watchlist: its commands, its table in the journal, crossing off, undo and doctor."""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from filmlog import watchlist
from filmlog.errors import CorruptJournal, InvalidInput
from filmlog.model import Review
from filmlog.storage import Journal

Invoke = Callable[..., Result]
Run = Callable[..., "subprocess.CompletedProcess[str]"]


def tables(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_bytes())
    return data


def films(path: Path) -> list[watchlist.Entry]:
    return watchlist.entries(Journal(path).load(), path)


@pytest.fixture
def three(cli: Invoke, journal_path: Path) -> Path:
    """A watchlist of three films, added in this order."""
    for args in (
        ("Paterson", "--year", "2016", "--genre", "Drama", "--runtime", "118",
         "--director", "Jim Jarmusch", "--note", "Ana: the poems"),
        ("Some Like It Hot", "--year", "1959", "--genre", "Comedy", "--runtime", "121"),
        ("The Grand Budapest Hotel", "--year", "2014", "--genre", "Comedy,Drama",
         "--runtime", "99", "--director", "Wes Anderson", "--tag", "light"),
    ):  # fmt: skip
        result = cli("watchlist", "add", *args)
        assert result.exit_code == 0, result.stderr
    return journal_path


def test_add_stores_the_film_in_its_own_table(cli: Invoke, journal_path: Path) -> None:
    result = cli("watchlist", "add", "Paterson", "--year", "2016", "--note", "Ana's pick",
                 "--tag", "poetry, slow", "--runtime", "1h 58m")  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Added to the watchlist: #1 Paterson (2016)\n"
    data = tables(journal_path)
    assert data["reviews"] == {}
    assert data["_filmlog"]["1"][watchlist.COUNTER] == 2
    doc = data[watchlist.TABLE]["1"]
    assert (doc["title"], doc["year"], doc["note"], doc["tags"], doc["runtime"]) == (
        "Paterson", 2016, "Ana's pick", ["poetry", "slow"], 118,
    )  # fmt: skip
    assert datetime.fromisoformat(doc["added_at"]).tzinfo is not None
    # The file stays a journal every read opens, with the reviews last (the fast reads need it).
    assert list(data)[-1] == "reviews"
    assert Journal(journal_path).reviews() == []


def test_the_journal_stays_a_tinydb_database(cli: Invoke, journal_path: Path) -> None:
    from tinydb import TinyDB
    from tinydb.storages import JSONStorage

    assert cli("watchlist", "add", "Paterson").exit_code == 0
    assert cli("add", "Her").exit_code == 0

    with TinyDB(journal_path, storage=JSONStorage, access_mode="r") as db:
        assert [doc["title"] for doc in db.table(watchlist.TABLE).all()] == ["Paterson"]
        assert [doc["title"] for doc in db.table("reviews").all()] == ["Her"]


def test_a_film_already_on_the_watchlist_is_refused(cli: Invoke, three: Path) -> None:
    before = three.read_bytes()

    result = cli("watchlist", "add", "the grand budapest  HOTEL", "--year", "2014")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: The Grand Budapest Hotel (2014) is on the watchlist already, as #3\n"
    )
    assert three.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("watchlist", "add", "  "), "Error: the title must not be empty\n"),
        (("watchlist", "add", "Her", "--year", "13"), "Error: invalid year"),
        (("watchlist", "add", "Her", "--runtime", "long"), "Error: invalid runtime"),
        (("watchlist", "remove", "7"), "Error: no film with ID 7 on the watchlist\n"),
        (("watchlist", "show", "7"), "Error: no film with ID 7 on the watchlist\n"),
        (("add", "--from-watchlist", "7"), "Error: no film with ID 7 on the watchlist\n"),
        (("add",), "Error: give the film's title: filmlog add TITLE"),
    ],
)
def test_bad_input_is_one_line(cli: Invoke, args: tuple[str, ...], message: str) -> None:
    result = cli(*args)

    assert result.exit_code in (1, 2)
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1


def test_list_is_newest_added_first_and_watchlist_alone_lists(cli: Invoke, three: Path) -> None:
    for args in (("watchlist",), ("watchlist", "list")):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].strip() == "3 films to see"
        titles = [line for line in lines if "(" in line and "Added" not in line]
        assert [t.split()[0] for t in titles] == ["3", "2", "1"]
        assert "The Grand Budapest Hotel (2014)" in titles[0] and "1 hr 39 min" in titles[0]
        assert "Jim Jarmusch" in titles[2]


def test_the_table_shows_twenty_unless_told_otherwise(cli: Invoke, journal_path: Path) -> None:
    with Journal(journal_path).transaction() as session:
        watchlist.Editor(session).add_many(watchlist.Entry(f"Film {n}") for n in range(1, 22))

    shown = cli("watchlist")
    everything = cli("watchlist", "--all")

    assert shown.stdout.splitlines()[0].strip() == "20 of 21 films to see"
    assert shown.stderr == "Showing 20 of 21; use --all or --limit to see more.\n"
    assert "Film 1 " not in shown.stdout and "Film 21" in shown.stdout
    assert everything.stdout.splitlines()[0].strip() == "21 films to see"
    assert "Film 1 " in everything.stdout and everything.stderr == ""
    assert len(json.loads(cli("watchlist", "--json").stdout)) == 21


def test_empty_watchlist_says_how_to_add(cli: Invoke) -> None:
    result = cli("watchlist")

    assert result.exit_code == 0
    assert result.stdout == ""
    assert "The watchlist is empty. Add a film with: filmlog watchlist add TITLE" in result.stderr


def ids_of(result: Result) -> list[int]:
    assert result.exit_code == 0, result.stderr
    return [film["id"] for film in json.loads(result.stdout)]


@pytest.mark.usefixtures("three")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), [3, 2, 1]),
        (("--sort", "title"), [3, 1, 2]),  # "The" is ignored: Grand, Paterson, Some
        (("--sort", "year"), [1, 3, 2]),
        (("--sort", "runtime"), [3, 1, 2]),
        (("--sort", "runtime", "--reverse"), [2, 1, 3]),
        (("--genre", "comedy"), [3, 2]),
        (("--director", "jarm"), [1]),
        (("--year", "1959"), [2]),
        (("--tag", "LIGHT"), [3]),
        (("--max-runtime", "1h 59m"), [3, 1]),
        (("--limit", "2"), [3, 2]),
    ],
)
def test_json_filters_and_sorting(cli: Invoke, args: tuple[str, ...], expected: list[int]) -> None:
    assert ids_of(cli("watchlist", "--json", *args)) == expected
    assert ids_of(cli("watchlist", "list", "--json", *args)) == expected


@pytest.mark.usefixtures("three")
def test_words_search_titles_notes_and_people_ignoring_accents(cli: Invoke) -> None:
    assert ids_of(cli("watchlist", "list", "POÈMS", "--json")) == [1]
    assert ids_of(cli("watchlist", "list", "anderson", "hotel", "--json")) == [3]
    assert ids_of(cli("watchlist", "list", "nothing-like-it", "--json")) == []


def test_json_shape(cli: Invoke, three: Path) -> None:
    result = cli("watchlist", "--json", "--limit", "1")

    assert result.exit_code == 0
    (film,) = json.loads(result.stdout)
    assert tuple(film) == watchlist.JSON_KEYS
    assert film["id"] == 3
    assert film["title"] == "The Grand Budapest Hotel"
    assert film["genres"] == ["Comedy", "Drama"]
    assert film["directors"] == ["Wes Anderson"]
    assert (film["year"], film["runtime"], film["tags"]) == (2014, 99, ["light"])
    assert film["tmdb_id"] is None and film["imdb_id"] is None and film["note"] is None
    assert datetime.fromisoformat(film["added_at"]).tzinfo is not None
    shown = json.loads(cli("watchlist", "show", "3", "--json").stdout)
    assert shown == film


def test_show_is_a_panel_of_everything_known(cli: Invoke, three: Path) -> None:
    result = cli("watchlist", "show", "1")

    assert result.exit_code == 0
    assert "Paterson (2016)" in result.stdout
    assert "Drama | 1 hr 58 min" in result.stdout
    assert "Directed by Jim Jarmusch" in result.stdout
    assert "Ana: the poems" in result.stdout
    assert "watchlist #1" in result.stdout


def test_hostile_text_is_shown_as_text(cli: Invoke) -> None:
    assert cli("watchlist", "add", "[bold]X[/bold]\x1b[31m", "--note", "=1+2").exit_code == 0

    listed = cli("watchlist").stdout
    shown = cli("watchlist", "show", "1").stdout

    for output in (listed, shown):
        assert "[bold]X[/bold]␛[31m" in output
        assert "\x1b" not in output


def test_remove_takes_films_off_and_leaves_tombstones(cli: Invoke, three: Path) -> None:
    result = cli("watchlist", "remove", "1", "3", "1")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Removed from the watchlist: #1 Paterson (2016)",
        "Removed from the watchlist: #3 The Grand Budapest Hotel (2014)",
    ]
    assert [film.id for film in films(three)] == [2]
    stones = watchlist.tombstones(Journal(three).load(), three)
    assert [stone.id for stone in stones] == [1, 3]
    assert cli("watchlist", "add", "Her").stdout == "Added to the watchlist: #4 Her\n"


def test_remove_is_all_or_nothing(cli: Invoke, three: Path) -> None:
    before = three.read_bytes()

    result = cli("watchlist", "remove", "1", "9")

    assert result.exit_code == 1
    assert three.read_bytes() == before


def test_ids_are_never_reused_after_the_newest_is_removed(cli: Invoke, three: Path) -> None:
    assert cli("watchlist", "remove", "3").exit_code == 0

    assert cli("watchlist", "add", "Her").stdout == "Added to the watchlist: #4 Her\n"


def test_watchlist_ids_are_counted_apart_from_review_ids(cli: Invoke, three: Path) -> None:
    assert cli("add", "Her").stdout.startswith("Added #1 Her")
    assert cli("watchlist", "add", "Arrival").stdout == "Added to the watchlist: #4 Arrival\n"


# Picking ------------------------------------------------------------------------------------


def test_pick_with_a_seed_is_the_pure_pick_with_that_seed(cli: Invoke, three: Path) -> None:
    everything = films(three)
    for seed in range(5):
        expected = watchlist.pick(everything, random.Random(seed))
        assert expected is not None

        result = cli("watchlist", "pick", "--seed", str(seed), "--json")

        assert result.exit_code == 0
        assert json.loads(result.stdout)["id"] == expected.id


def test_pick_only_chooses_among_the_films_the_filters_let_through(
    cli: Invoke, three: Path
) -> None:
    for seed in range(10):
        result = cli("watchlist", "pick", "--max-runtime", "100", "--genre", "Comedy",
                     "--seed", str(seed))  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert "The Grand Budapest Hotel (2014)" in result.stdout
        assert "Log it when it ends: filmlog add --from-watchlist 3" in result.stderr


def test_pick_without_a_match_says_so(cli: Invoke, three: Path) -> None:
    result = cli("watchlist", "pick", "--max-runtime", "90")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "No film on the watchlist matches.\n"


def test_pick_draws_every_film_from_the_random_source() -> None:
    entries = [watchlist.Entry(title=f"Film {n}", id=n) for n in range(1, 6)]
    rng = random.Random(7)

    drawn = {watchlist.pick(entries, rng).id for _ in range(200)}  # type: ignore[union-attr]

    assert drawn == {1, 2, 3, 4, 5}
    assert watchlist.pick([], rng) is None


def test_pick_does_not_depend_on_the_order_given() -> None:
    entries = [watchlist.Entry(title=f"Film {n}", id=n) for n in range(1, 6)]

    first = watchlist.pick(entries, random.Random(3))
    again = watchlist.pick(list(reversed(entries)), random.Random(3))

    assert first is not None and again is not None and first.id == again.id


# Crossing off when a film is logged -------------------------------------------------------


def test_add_crosses_the_film_off_in_the_same_write(cli: Invoke, three: Path) -> None:
    kept = len(list((three.parent / "journal.json.backups").iterdir()))

    result = cli("add", "some like it HOT", "--year", "1959", "--rating", "5")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Added #1 some like it HOT (1959)")
    assert result.stderr == "Crossed off the watchlist: #2 Some Like It Hot (1959)\n"
    assert [film.id for film in films(three)] == [1, 3]
    assert [s.id for s in watchlist.tombstones(Journal(three).load(), three)] == [2]
    # One write: one more backup.
    assert len(list((three.parent / "journal.json.backups").iterdir())) == kept + 1


def test_add_of_another_year_or_film_leaves_the_watchlist_alone(cli: Invoke, three: Path) -> None:
    result = cli("add", "Some Like It Hot", "--year", "2001")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert len(films(three)) == 3


def test_crossing_off_matches_ids_before_titles() -> None:
    entry = watchlist.Entry(title="Solaris", year=1972, tmdb_id=593, imdb_id="tt0069293")

    assert watchlist.same_film(entry, Review(title="Солярис", tmdb_id=593))
    assert watchlist.same_film(entry, Review(title="x", sources={"imdb": "tt0069293"}))
    # The remake shares the title and has its own ID.
    assert not watchlist.same_film(entry, Review(title="Solaris", tmdb_id=2103))
    assert watchlist.same_film(entry, Review(title="solaris"))
    assert not watchlist.same_film(entry, Review(title="Solaris", year=2002))
    assert watchlist.same_film(
        watchlist.Entry(title="Amélie", original_title="Le Fabuleux Destin d'Amélie Poulain"),
        Review(title="le fabuleux destin d'amelie poulain", year=2001),
    )


def test_add_from_watchlist_logs_its_facts_and_flags_win(cli: Invoke, three: Path) -> None:
    result = cli("add", "--from-watchlist", "3", "--rating", "4.5", "--runtime", "100")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Added #1 The Grand Budapest Hotel (2014) ★★★★½")
    assert result.stderr == "Crossed off the watchlist: #3 The Grand Budapest Hotel (2014)\n"
    (review,) = Journal(three).reviews()
    assert (review.year, review.runtime, review.genres, review.directors, review.tags) == (
        2014, 100, ["Comedy", "Drama"], ["Wes Anderson"], ["light"],
    )  # fmt: skip
    assert review.watched_on is not None
    assert [film.id for film in films(three)] == [1, 2]


def test_add_from_watchlist_with_a_title_logs_that_title(cli: Invoke, three: Path) -> None:
    result = cli("add", "Budapest", "--from-watchlist", "3", "--year", "2013")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Added #1 Budapest (2013)")
    # The film named is crossed off although its title and year now differ.
    assert result.stderr == "Crossed off the watchlist: #3 The Grand Budapest Hotel (2014)\n"


def test_undo_puts_a_crossed_off_film_back(cli: Invoke, three: Path) -> None:
    assert cli("add", "--from-watchlist", "1").exit_code == 0

    result = cli("undo", input="y\n")

    assert result.exit_code == 0, result.stderr
    assert "  it puts back the watchlist 1 film:\n    #1 Paterson (2016)\n" in result.stderr
    assert "it removes 1 review" in result.stderr
    assert result.stdout.splitlines()[1] == "Watchlist: 0 taken off, 1 put back."
    assert [film.id for film in films(three)] == [1, 2, 3]
    assert Journal(three).reviews() == []


def test_undo_of_a_watchlist_add_never_hands_its_id_out_again(cli: Invoke, three: Path) -> None:
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result.stderr
    assert [film.id for film in films(three)] == [1, 2]

    assert cli("watchlist", "add", "Her").stdout == "Added to the watchlist: #4 Her\n"


def test_undo_describes_a_watchlist_change(cli: Invoke, three: Path) -> None:
    result = cli("undo", input="n\n")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:3] == [
        "  it takes off the watchlist 1 film:",
        "    #3 The Grand Budapest Hotel (2014)",
    ]
    assert "no review changes" not in result.stderr


# Doctor and damage -------------------------------------------------------------------------


def test_doctor_counts_a_healthy_watchlist(cli: Invoke, three: Path) -> None:
    result = cli("doctor")

    assert result.exit_code == 0
    assert "  Watchlist: 3 films, all valid." in result.stdout


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (
            lambda t: t.update({watchlist.TABLE: list(t[watchlist.TABLE].values())}),
            "the watchlist table is damaged",
        ),
        (
            lambda t: t[watchlist.TABLE]["2"].update({"year": 12}),
            "watchlist entry 2 is invalid: year must be from 1870 to",
        ),
        (
            lambda t: t[watchlist.TABLE]["2"].pop("title"),
            "watchlist entry 2 is invalid: malformed watchlist entry: 'title'",
        ),
        (
            lambda t: t[watchlist.TABLE].update({"x": {"title": "X"}}),
            "watchlist entries with an ID that is not a positive whole number",
        ),
        (
            lambda t: t["_filmlog"]["1"].update({watchlist.COUNTER: 2}),
            "the watchlist's ID counter (watchlist_next_id 2) is not above its highest ID 3",
        ),
        (
            lambda t: t.update({watchlist.TOMBSTONES: {"1": {"uuid": "u", "id": "one"}}}),
            "watchlist tombstone '1' is damaged",
        ),
        (
            lambda t: t[watchlist.TABLE]["2"].update(uuid=t[watchlist.TABLE]["1"]["uuid"]),
            "watchlist entries 1 and 2 share the UUID",
        ),
    ],
)
def test_doctor_names_a_damaged_watchlist_and_commands_refuse_it(
    cli: Invoke, three: Path, damage: Callable[[dict[str, Any]], object], problem: str
) -> None:
    data = tables(three)
    damage(data)
    three.write_text(json.dumps(data))
    before = three.read_bytes()

    report = cli("doctor")
    listing = cli("watchlist")
    adding = cli("watchlist", "add", "Her")
    logging = cli("add", "Some Like It Hot", "--year", "1959")  # would cross #2 off

    assert report.exit_code == 1
    assert problem in report.stdout
    for result in (listing, adding, logging):
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: journal {three} has a damaged watchlist (")
        assert "filmlog doctor" in result.stderr
    assert three.read_bytes() == before
    # Reviews do not need the watchlist: logging another film leaves it exactly as it was
    # (or is refused, where the damage hides whether the film is on it).
    assert cli("list").exit_code == 0
    other = cli("add", "Tampopo")
    assert other.exit_code == 0 or "damaged watchlist" in other.stderr
    after = tables(three)
    for name in (watchlist.TABLE, watchlist.TOMBSTONES):
        assert after.get(name) == data.get(name)


def test_doctor_repair_restores_a_good_watchlist(cli: Invoke, three: Path) -> None:
    data = tables(three)
    data[watchlist.TABLE] = "gone"
    three.write_text(json.dumps(data))

    result = cli("doctor", "--repair", "--yes")

    assert result.exit_code == 0, result.stderr
    assert [film.id for film in films(three)] == [1, 2]


def test_entry_validation_reuses_the_review_rules() -> None:
    for bad, message in (
        ({"year": 99}, "year must be from 1870 to"),
        ({"runtime": 0}, "runtime must be 1 to 1500 minutes"),
        ({"tmdb_id": -1}, "tmdb_id must be a positive whole number"),
        ({"imdb_id": "0137523"}, "imdb_id must look like tt0137523"),
        ({"title": " "}, "title must not be empty"),
        ({"tags": [""]}, "tags must not be empty"),
        ({"added_at": datetime(2024, 1, 1)}, "added_at must carry a time zone"),
    ):
        entry = watchlist.Entry(**{"title": "Her", **bad})
        with pytest.raises(InvalidInput, match=message):
            entry.validate()


def test_entries_round_trip_through_their_stored_form() -> None:
    entry = watchlist.Entry(
        title="Solaris", id=4, tmdb_id=593, imdb_id="tt0069293", original_title="Солярис",
        year=1972, directors=["Andrei Tarkovsky"], genres=["Drama"], runtime=167,
        note="long", tags=["slow"], added_at=datetime.now().astimezone(),
        sources={"letterboxd": "https://boxd.it/1"},
    ).validate()  # fmt: skip

    assert watchlist.Entry.from_dict(entry.to_dict(), 4) == entry
    assert list(entry.to_json()) == list(watchlist.JSON_KEYS)


def test_reading_a_damaged_table_is_a_corrupt_journal(tmp_path: Path) -> None:
    with pytest.raises(CorruptJournal, match="damaged watchlist"):
        watchlist.entries({watchlist.TABLE: {"1": "not a record"}}, tmp_path / "j.json")


# Export ------------------------------------------------------------------------------------


def test_export_is_letterboxd_watchlist_csv_with_formulas_neutralised(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    assert cli("watchlist", "add", "Paterson", "--year", "2016").exit_code == 0
    assert cli("watchlist", "add", '=HYPERLINK("x")').exit_code == 0

    result = cli("watchlist", "export")

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Title,Year,imdbID,tmdbID,LetterboxdURI",
        "Paterson,2016,,,",
        '"\'=HYPERLINK(""x"")",,,,',
    ]
    target = tmp_path / "out" / "watchlist.csv"
    written = cli("watchlist", "export", "--output", str(target))
    assert written.exit_code == 0
    assert written.stderr == f"Exported 2 films to {target}\n"
    assert target.read_text().splitlines()[1] == "Paterson,2016,,,"
    again = cli("watchlist", "export", "--output", str(target))
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert cli("watchlist", "export", "-o", str(target), "--force").exit_code == 0
    refused = cli("watchlist", "export", "-o", str(journal_path), "--force")
    assert refused.exit_code == 1 and "is the journal itself" in refused.stderr


# Real processes ----------------------------------------------------------------------------


def test_the_watchlist_in_real_processes(run_filmlog: Run, journal_path: Path) -> None:
    added = run_filmlog("watchlist", "add", "Paterson", "--year", "2016", "--genre", "Drama",
                        "--runtime", "118")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout == "Added to the watchlist: #1 Paterson (2016)\n"

    picked = run_filmlog("watchlist", "pick", "--genre", "drama", "--json")
    assert picked.returncode == 0, picked.stderr
    assert json.loads(picked.stdout)["title"] == "Paterson"

    logged = run_filmlog("add", "--from-watchlist", "1", "--rating", "4")
    assert logged.returncode == 0, logged.stderr
    assert logged.stdout.startswith("Added #1 Paterson (2016) ★★★★☆")
    assert logged.stderr == "Crossed off the watchlist: #1 Paterson (2016)\n"

    listed = run_filmlog("watchlist", "--json")
    assert (listed.returncode, json.loads(listed.stdout)) == (0, [])
    missing = run_filmlog("watchlist", "show", "1")
    assert (missing.returncode, missing.stderr) == (
        1, "Error: no film with ID 1 on the watchlist\n"
    )  # fmt: skip


def test_repair_never_hands_out_watchlist_ids_the_damaged_journal_used(
    cli: Invoke, three: Path
) -> None:
    assert cli("watchlist", "add", "Her").exit_code == 0
    assert cli("watchlist", "add", "Ran").exit_code == 0
    three.write_bytes(three.read_bytes()[:-40])  # damaged after #5 was handed out
    assert b'"watchlist_next_id":6' in three.read_bytes()

    result = cli("doctor", "--repair", "--yes")

    assert result.exit_code == 0, result.stderr
    assert watchlist.next_id(Journal(three).load()) == 6
    assert cli("watchlist", "add", "Ikiru").stdout == "Added to the watchlist: #6 Ikiru\n"


def test_help_names_values_and_gives_whole_summaries(cli: Invoke) -> None:
    import re

    text = cli("watchlist", "--help", env={"COLUMNS": "100"}).stdout
    pick = cli("watchlist", "pick", "--help", env={"COLUMNS": "100"}).stdout

    assert "Pick one film from the (filtered) watchlist at random: tonight's film." in " ".join(
        text.split()
    )
    assert "..." not in text.split("Commands:")[1]
    assert "--max-runtime MINUTES" in pick and "--genre GENRE" in pick
    assert not re.search(r"<(str|int|float|int range)>|\{[a-z_]+\}", text + pick)


def test_repair_raises_the_watchlist_counter_alone_when_no_review_id_is_legible(
    cli: Invoke, three: Path
) -> None:
    assert cli("watchlist", "add", "Her").exit_code == 0
    raw = three.read_bytes()
    # Damaged so that only the start, with the counters, survives.
    three.write_bytes(raw[: raw.index(b'"watchlist_next_id":5') + 22])

    result = cli("doctor", "--repair", "--yes")

    assert result.exit_code == 0, result.stderr
    assert watchlist.next_id(Journal(three).load()) == 5
