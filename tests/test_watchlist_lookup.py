"""`watchlist add` fills a film's facts from TMDB, as `add` does, against a local server."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Invoke
from tests.tmdb_server import TMDBServer


def films(cli: Invoke) -> list[dict[str, object]]:
    result = cli("watchlist", "--json")
    assert result.exit_code == 0, result.stderr
    listed: list[dict[str, object]] = json.loads(result.stdout)
    return listed


def test_a_film_put_on_the_watchlist_is_looked_up(cli: Invoke, tmdb: TMDBServer) -> None:
    result = cli("watchlist", "add", "Her", "--note", "Ana's favourite")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Added to the watchlist: #1 Her (2013)\n"
    assert result.stderr.startswith("Filled from TMDB 152601: year, directors, genres, runtime")
    (her,) = films(cli)
    assert (her["tmdb_id"], her["imdb_id"], her["year"], her["runtime"]) == (
        152601,
        "tt1798709",
        2013,
        126,
    )
    assert her["directors"] == ["Spike Jonze"]
    assert "Romance" in her["genres"]  # type: ignore[operator]
    assert her["note"] == "Ana's favourite"


def test_what_is_typed_wins_over_tmdb(cli: Invoke, tmdb: TMDBServer) -> None:
    result = cli("watchlist", "add", "Her", "--runtime", "100", "--genre", "Love story")

    assert result.exit_code == 0, result.stderr
    (her,) = films(cli)
    assert (her["runtime"], her["genres"], her["tmdb_id"]) == (100, ["Love story"], 152601)


def test_no_lookup_asks_tmdb_nothing(cli: Invoke, tmdb: TMDBServer) -> None:
    result = cli("watchlist", "add", "Her", "--no-lookup")

    assert result.exit_code == 0, result.stderr
    assert tmdb.requests == []
    (her,) = films(cli)
    assert (her["tmdb_id"], her["directors"], her["runtime"]) == (None, [], None)


def test_a_title_tmdb_knows_several_films_by_adds_nothing_without_a_terminal(
    cli: Invoke, tmdb: TMDBServer
) -> None:
    result = cli("watchlist", "add", "Stalker")

    assert result.exit_code == 1
    assert "TMDB 1398" in result.stderr
    assert "nothing was added to the watchlist" in result.stderr
    assert films(cli) == []
    pinned = cli("watchlist", "add", "Stalker", "--tmdb", "1398")
    assert pinned.exit_code == 0, pinned.stderr
    assert films(cli)[0]["year"] == 1979


@pytest.mark.parametrize("pin", [("--tmdb", "152601"), ("--imdb", "tt1798709")])
def test_a_pin_without_a_credential_is_one_clear_line(cli: Invoke, pin: tuple[str, str]) -> None:
    result = cli("watchlist", "add", "Her", *pin)

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "TMDB_API_KEY" in result.stderr
    assert films(cli) == []


def test_without_a_credential_the_film_goes_on_as_typed(cli: Invoke) -> None:
    result = cli("watchlist", "add", "Her", "--year", "2013")

    assert result.exit_code == 0, result.stderr
    assert films(cli)[0]["tmdb_id"] is None
