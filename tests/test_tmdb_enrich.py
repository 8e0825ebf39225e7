"""``filmlog enrich`` on imported histories, against a local TMDB: matching, batches, resuming."""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from filmlog import backups, schema, storage
from tests.conftest import Invoke
from tests.terminal import Terminal
from tests.tmdb_server import TMDBServer, synthetic_film

DATA = Path(__file__).parent / "data"
# Films of the Letterboxd sample the local TMDB knows, one it does not, and one it has twice.
KNOWN = {("Parasite", "2019"), ("The Shining", "1980"), ("Roma", "2018")}
UNKNOWN = ("Parasite Dolls", "2003")


def letterboxd_folder(tmp_path: Path, extra: list[list[str]] | None = None) -> Path:
    """The sample export with its diary cut to a few films (all rows of each), and no more."""
    folder = tmp_path / "letterboxd"
    folder.mkdir()
    with (DATA / "letterboxd" / "sample" / "diary.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    kept = [row for row in body if (row[1], row[2]) in KNOWN | {UNKNOWN}]
    for row in extra or []:
        kept.append(row)
    with (folder / "diary.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *kept])
    shutil.copy(DATA / "letterboxd" / "sample" / "LICENSE", folder / "LICENSE")
    return folder


def reviews(cli: Invoke) -> list[dict[str, Any]]:
    result = cli("list", "--json")
    assert result.exit_code == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return sorted(found, key=lambda review: review["id"])


def by_title(cli: Invoke, title: str) -> list[dict[str, Any]]:
    return [review for review in reviews(cli) if review["title"] == title]


def test_enrich_fills_an_imported_letterboxd_history(
    cli: Invoke, tmdb: TMDBServer, tmp_path: Path
) -> None:
    stalker = ["2020-01-01", "Stalker", "1979", "https://boxd.it/x1", "4.5", "", "", "2019-12-31"]
    tmdb.films[99] = {**copy.deepcopy(tmdb.films[1398]), "id": 99}  # TMDB's duplicate entry
    assert cli("import", str(letterboxd_folder(tmp_path, [stalker]))).exit_code == 0
    before = {review["id"]: review for review in reviews(cli)}
    parasites = len(by_title(cli, "Parasite"))
    assert parasites == 4

    result = cli("enrich", "--yes")

    assert result.exit_code == 0, result.stderr
    total = parasites + len(by_title(cli, "The Shining")) + len(by_title(cli, "Roma"))
    assert result.stdout.splitlines() == [
        f"Filled {total} reviews of 3 films from TMDB.",
        "Already complete: 0 reviews.",
        "Not found on TMDB: 1 film (1 review).",
        f"  #{by_title(cli, 'Parasite Dolls')[0]['id']} Parasite Dolls (2003)",
        "Ambiguous: 1 film; pin each, then run filmlog enrich again:",
        f"  Stalker (1979): filmlog edit {by_title(cli, 'Stalker')[0]['id']} --tmdb ID  "
        "(1398 Stalker (1979) · Сталкер; 99 Stalker (1979) · Сталкер)",
    ]
    assert result.stderr == ""  # no progress bar off a terminal
    for review in by_title(cli, "Parasite"):
        old = before[review["id"]]
        assert review["directors"] == ["Bong Joon Ho"] and review["tmdb_id"] == 496243
        assert review["genres"] == ["Comedy", "Thriller", "Drama"] and review["runtime"] == 133
        assert review["imdb_id"] == "tt6751668" and review["original_title"] == "기생충"
        for kept in ("title", "rating", "watched_on", "tags", "body", "rewatch", "logged_at"):
            assert review[kept] == old[kept], kept
    # Each film once, whatever the number of viewings.
    assert tmdb.paths().count("/3/movie/496243") == 1
    assert len([p for p in tmdb.paths() if p == "/3/search/movie"]) == 5


def test_a_pinned_viewing_pins_the_others_and_a_rerun_finishes(
    cli: Invoke, tmdb: TMDBServer, tmp_path: Path
) -> None:
    rows = [
        ["2020-01-01", "Stalker", "1979", "https://boxd.it/x1", "4.5", "", "", "2019-12-31"],
        ["2021-01-01", "Stalker", "1979", "https://boxd.it/x2", "5", "Yes", "", "2020-12-31"],
    ]
    tmdb.films[99] = {**copy.deepcopy(tmdb.films[1398]), "id": 99}
    assert cli("import", str(letterboxd_folder(tmp_path, rows))).exit_code == 0
    assert cli("enrich", "--yes").exit_code == 0
    first = by_title(cli, "Stalker")[0]
    assert cli("edit", str(first["id"]), "--tmdb", "1398").exit_code == 0

    again = cli("enrich", "--yes")

    assert again.exit_code == 0, again.stderr
    assert "Filled 1 review of 1 film from TMDB." in again.stdout
    assert "Ambiguous: 0 films." in again.stdout
    assert by_title(cli, "Stalker")[1]["directors"] == ["Andrei Tarkovsky"]


def test_enrich_matches_an_imdb_import_by_its_ids(cli: Invoke, tmdb: TMDBServer) -> None:
    assert cli("import", str(DATA / "imdb" / "ratings.csv")).exit_code == 0

    result = cli("enrich", "--yes")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Filled 2 reviews of 2 films from TMDB.")
    assert "Not found on TMDB: 2 films (2 reviews)." in result.stdout  # unknown to this server
    found = ["/3/find/tt1798709", "/3/movie/152601", "/3/find/tt6751668", "/3/movie/496243"]
    # IDs this server does not know fall back to the title
    unknown = ["/3/find/tt0211915", "/3/find/tt0133093", "/3/search/movie", "/3/search/movie"]
    assert sorted(tmdb.paths()) == sorted([*found, *unknown])
    her = by_title(cli, "Her")[0]
    assert her["genres"] == ["Drama", "Romance", "Sci-Fi"]  # the import's: only empty fields fill
    assert her["cast"][0] == {"actor": "Joaquin Phoenix", "role": "Theodore"}
    assert (her["tmdb_id"], her["imdb_id"], her["mpaa"]) == (152601, "tt1798709", "R")

    overwritten = cli("enrich", "--yes", "--overwrite", "her")
    assert overwritten.exit_code == 0
    her = by_title(cli, "Her")[0]
    assert her["genres"] == ["Romance", "Science Fiction", "Drama"]
    assert her["rating"] == 4.0 and her["title"] == "Her"


def test_a_second_run_finds_everything_complete(cli: Invoke, tmdb: TMDBServer) -> None:
    assert cli("add", "Her", "--no-lookup").exit_code == 0
    assert cli("enrich", "--yes").exit_code == 0
    tmdb.stop()  # a second run needs no network: the review has every fact

    again = cli("enrich", "--yes")

    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[:2] == [
        "Filled 0 reviews of 0 films from TMDB.",
        "Already complete: 1 review.",
    ]


def test_dry_run_writes_nothing(cli: Invoke, tmdb: TMDBServer, journal_path: Path) -> None:
    assert cli("add", "Her", "--no-lookup").exit_code == 0
    before = journal_path.read_bytes()

    result = cli("enrich", "--dry-run")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "Would fill 1 review of 1 film from TMDB. Nothing was written (dry run)."
    )
    assert journal_path.read_bytes() == before


def test_words_and_filters_choose_the_reviews(cli: Invoke, tmdb: TMDBServer) -> None:
    for title in ("Her", "Roma"):
        assert cli("add", title, "--no-lookup").exit_code == 0

    assert cli("enrich", "roma", "--yes").exit_code == 0

    assert by_title(cli, "Her")[0]["directors"] == []
    assert by_title(cli, "Roma")[0]["directors"] == ["Alfonso Cuarón"]


def test_enrich_asks_first_unless_yes(cli: Invoke, tmdb: TMDBServer, journal_path: Path) -> None:
    assert cli("add", "Her", "--no-lookup").exit_code == 0
    before = journal_path.read_bytes()

    declined = cli("enrich", input="n\n")

    assert declined.exit_code == 1
    assert "Look up 1 film on TMDB to fill the facts of 1 review? [y/N]" in declined.stderr
    assert "nothing was changed (give --yes to skip the question)" in declined.stderr
    assert journal_path.read_bytes() == before and tmdb.requests == []


def test_enrich_needs_a_credential(cli: Invoke) -> None:
    result = cli("enrich", "--yes")

    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: enrich looks films up on TMDB, which needs a credential"
    )


def test_flags_win_over_the_environment(
    cli: Invoke, tmdb: TMDBServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FILMLOG_TMDB_LANGUAGE", "de-DE")
    monkeypatch.setenv("FILMLOG_TMDB_CAST_LIMIT", "5")
    assert cli("add", "Her", "--no-lookup").exit_code == 0

    assert cli("enrich", "--yes", "--language", "fr-FR", "--cast-limit", "2").exit_code == 0

    assert {r.query["language"] for r in tmdb.requests} == {"fr-FR"}
    assert len(by_title(cli, "Her")[0]["cast"]) == 2


# Batches, interruptions and carrying on


def many_films(tmdb: TMDBServer, tmp_path: Path, films: int, viewings: int) -> Path:
    """A Letterboxd diary of ``films`` films the server knows, each watched ``viewings`` times."""
    folder = tmp_path / "many"
    folder.mkdir()
    rows = [["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"]]
    for n in range(films):
        title = f"Film Number {n}"
        tmdb.films[10_000 + n] = synthetic_film(10_000 + n, title, 1950 + n % 70)
        for v in range(viewings):
            day = f"20{10 + v % 10}-0{1 + n % 9}-1{v % 10}"
            rows.append(
                [day, title, str(1950 + n % 70), f"https://boxd.it/f{n}v{v}", "", "", "", day]
            )
    with (folder / "diary.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return folder


def one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look films up one after another, so that a fault meets a known film."""
    from filmlog.cli import facts_cmd

    monkeypatch.setattr(facts_cmd, "WORKERS", 1)


def count_writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    writes: list[int] = []
    real: Callable[..., list[Path]] = storage.atomic_write

    def counting(*args: Any, **kwargs: Any) -> list[Path]:
        writes.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(storage, "atomic_write", counting)
    return writes


@pytest.mark.slow
def test_the_journal_is_written_once_per_200_reviews(
    cli: Invoke, tmdb: TMDBServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("import", str(many_films(tmdb, tmp_path, films=150, viewings=3))).exit_code == 0
    writes = count_writes(monkeypatch)

    result = cli("enrich", "--yes")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Filled 450 reviews of 150 films from TMDB.")
    assert len(writes) == 3  # 200, 200 and 50
    assert all(review["directors"] == ["Spike Jonze"] for review in reviews(cli))


def test_a_failure_mid_run_keeps_what_was_written_and_a_rerun_carries_on(
    cli: Invoke, tmdb: TMDBServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_at_a_time(monkeypatch)
    from filmlog.cli import facts_cmd

    monkeypatch.setattr(facts_cmd, "BATCH", 4)
    assert cli("import", str(many_films(tmdb, tmp_path, films=10, viewings=2))).exit_code == 0
    # Two requests a film (search, details): the sixth film's search meets a dead server.
    tmdb.fail(503, times=3, after=10)

    failed = cli("enrich", "--yes")

    assert failed.exit_code == 1
    assert failed.stderr.splitlines()[-1] == (
        "Error: TMDB is having trouble (HTTP 503); try again later; what was filled is saved: "
        "run filmlog enrich again to carry on"
    )
    assert "Filled 10 reviews of 5 films from TMDB." in failed.stdout
    assert sum(bool(r["directors"]) for r in reviews(cli)) == 10
    asked = len(tmdb.requests)

    again = cli("enrich", "--yes")

    assert again.exit_code == 0, again.stderr
    assert again.stdout.startswith("Filled 10 reviews of 5 films from TMDB.")
    assert "Already complete: 10 reviews." in again.stdout
    assert len(tmdb.requests) - asked == 10  # only the five films still missing
    assert all(review["directors"] for review in reviews(cli))


def test_rate_limits_and_lost_networks_stop_cleanly_and_keep_the_work(
    cli: Invoke, tmdb: TMDBServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_at_a_time(monkeypatch)
    assert cli("import", str(many_films(tmdb, tmp_path, films=4, viewings=1))).exit_code == 0
    tmdb.fail(429, times=1, after=4, headers={"Retry-After": "600"})

    limited = cli("enrich", "--yes")

    assert limited.exit_code == 1
    assert "TMDB is limiting requests (HTTP 429)" in limited.stderr
    assert sum(bool(r["directors"]) for r in reviews(cli)) == 2
    tmdb.stop()
    offline = cli("enrich", "--yes")
    assert offline.exit_code == 1
    assert "cannot reach TMDB" in offline.stderr and "what was filled is saved" in offline.stderr
    assert sum(bool(r["directors"]) for r in reviews(cli)) == 2


def test_ctrl_c_keeps_what_was_looked_up(
    cli: Invoke, tmdb: TMDBServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filmlog.tmdb.client import Client

    one_at_a_time(monkeypatch)
    assert cli("import", str(many_films(tmdb, tmp_path, films=4, viewings=1))).exit_code == 0
    real = Client.film
    calls: list[int] = []

    def interrupted(self: Client, tmdb_id: int) -> Any:
        calls.append(tmdb_id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, tmdb_id)

    monkeypatch.setattr(Client, "film", interrupted)

    result = cli("enrich", "--yes")

    assert result.exit_code == 130
    assert "Interrupted; what was filled is saved" in result.stderr
    assert sum(bool(r["directors"]) for r in reviews(cli)) == 2


# Schema 2: a version-1 journal is migrated by the first write, after a backup


VERSION_1 = (
    b'{"_filmlog":{"1":{"format":"filmlog","schema":1,"next_id":2}},'
    b'"reviews":{"1":{"uuid":"u-1","title":"Her","year":2013,"rating":8,"body":"Mine."}}}'
)


def test_enrich_migrates_a_version_1_journal_after_a_backup(
    cli: Invoke, tmdb: TMDBServer, journal_path: Path
) -> None:
    journal_path.write_bytes(VERSION_1)
    assert cli("list").exit_code == 0 and journal_path.read_bytes() == VERSION_1

    result = cli("enrich", "--yes")

    assert result.exit_code == 0, result.stderr
    data = json.loads(journal_path.read_bytes())
    assert data["_filmlog"]["1"]["schema"] == 2
    assert data["reviews"]["1"]["tmdb_id"] == 152601 and data["reviews"]["1"]["body"] == "Mine."
    (backup,) = backups.list_backups(journal_path)
    assert backup.path.read_bytes() == VERSION_1


def test_a_filmlog_that_reads_only_version_1_refuses_the_migrated_journal(
    cli: Invoke, tmdb: TMDBServer, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("add", "Her").exit_code == 0
    migrated = journal_path.read_bytes()
    # The filmlog before schema 2: its format check and its messages knew version 1 only.
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 1)
    monkeypatch.setattr(storage, "SCHEMA_VERSION", 1)

    for args in (("list",), ("show", "1"), ("rate", "1", "3"), ("enrich", "--yes")):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith(f"Error: journal {journal_path} was written by a newer")
        assert "schema 2" in result.stderr and "backups" not in result.stderr
    assert journal_path.read_bytes() == migrated


def test_parallel_lookups_stop_at_the_first_failure_and_keep_the_films_before_it(
    cli: Invoke, tmdb: TMDBServer, tmp_path: Path
) -> None:
    assert cli("import", str(many_films(tmdb, tmp_path, films=30, viewings=1))).exit_code == 0
    tmdb.fail(401, after=40)

    result = cli("enrich", "--yes")

    assert result.exit_code == 1
    assert "TMDB refused the credential (HTTP 401)" in result.stderr
    filled = [bool(review["directors"]) for review in reviews(cli)]
    # Every film before the one that failed is saved; none after it is.
    assert filled == sorted(filled, reverse=True) and 0 < sum(filled) < 30


def test_on_a_terminal_enrich_asks_and_shows_progress(
    cli: Invoke, tmdb: TMDBServer, filmlog_exe: str, tmp_path: Path
) -> None:
    assert cli("import", str(many_films(tmdb, tmp_path, films=30, viewings=1))).exit_code == 0

    screen = Terminal([filmlog_exe, "enrich"], dict(os.environ))
    screen.expect("Look up 30 films on TMDB to fill the facts of 30 reviews? [y/N]")
    screen.type("y\r")
    screen.expect("Looking films up")  # the progress bar, drawn on stderr
    screen.expect("Filled 30 reviews of 30 films from TMDB.")
    assert screen.finish().status == 0


def test_a_title_tmdb_spells_otherwise_is_listed_with_its_closest_films(
    cli: Invoke, tmdb: TMDBServer
) -> None:
    assert cli("add", "Shining", "--no-lookup", "--year", "1980").exit_code == 0

    result = cli("enrich", "--yes")

    assert result.exit_code == 0, result.stderr
    assert "  #1 Shining (1980): filmlog edit 1 --tmdb ID  (closest: 694 The Shining (1980))" in (
        result.stdout.splitlines()
    )


def test_update_many_replaces_reviews_at_once_or_not_at_all(journal_path: Path) -> None:
    from filmlog.errors import InvalidInput, NotFound
    from filmlog.model import Review
    from filmlog.storage import Journal

    journal = Journal(journal_path)
    with journal.transaction() as session:
        session.add_many([Review("Her"), Review("Roma")])
    with journal.transaction() as session:
        her, roma = session.get(1), session.get(2)
        her.runtime, roma.runtime = 126, 135
        assert session.update_many([her, roma], stamp=False) == [her, roma]
    assert [r.runtime for r in journal.reviews()] == [126, 135]
    assert journal.get(1).updated_at == her.updated_at  # not stamped
    before = journal_path.read_bytes()
    for bad, error in (
        (Review("Ghost", id=9), NotFound),
        (Review("Her", id=1, year=5), InvalidInput),
    ):
        with pytest.raises(error), journal.transaction() as session:
            fine = session.get(2)
            fine.runtime = 1
            session.update_many([fine, bad])
    assert journal_path.read_bytes() == before
