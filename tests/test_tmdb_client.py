"""The TMDB client against a real local server: facts, settings, faults, cache, the credential."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from filmlog.errors import InvalidInput
from filmlog.model import CastMember, Review
from filmlog.tmdb import NotOnTMDB, TMDBError
from filmlog.tmdb import film as facts
from filmlog.tmdb.cache import Cache, request_key
from filmlog.tmdb.client import Client, retry_after
from filmlog.tmdb.settings import Settings, resolve_settings
from tests.tmdb_server import DATA, KEY, TOKEN, TMDBServer

HER_CAST = [
    CastMember("Joaquin Phoenix", "Theodore"),
    CastMember("Scarlett Johansson", "Samantha (voice)"),
    CastMember("Amy Adams", "Amy"),
    CastMember("Rooney Mara", "Catherine"),
    CastMember("Olivia Wilde", "Blind Date"),
    CastMember("Chris Pratt", "Paul"),
    CastMember("Matt Letscher", "Charles"),
    CastMember("Portia Doubleday", "Isabella"),
]


def settings(server: TMDBServer, tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "api_key": KEY,
        "base_url": server.url,
        "cache_dir": tmp_path / "cache",
        "timeout": 2.0,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def client(server: TMDBServer, tmp_path: Path, **changes: object) -> Client:
    waits: list[float] = []
    made = Client(settings(server, tmp_path, **changes), sleep=waits.append)
    made.waits = waits  # type: ignore[attr-defined]
    return made


# Facts from TMDB's answer


def her_answer() -> dict[str, object]:
    return json.loads((DATA / "movie-152601.json").read_text(encoding="utf-8"))


def test_the_seed_film_gives_every_fact() -> None:
    film = facts.film(her_answer())

    assert film.tmdb_id == 152601
    assert (film.title, film.original_title, film.year) == ("Her", "Her", 2013)
    assert film.release_date == date(2013, 12, 18)  # the US theatrical release (type 3)
    assert film.directors == ["Spike Jonze"]  # job Director only, not his screenplay credit
    assert film.cast == HER_CAST  # the first 8 by billing order
    assert film.genres == ["Romance", "Science Fiction", "Drama"]
    assert (film.runtime, film.mpaa, film.imdb_id) == (126, "R", "tt1798709")


def test_cast_follows_billing_order_and_the_limit() -> None:
    answer = her_answer()
    cast = answer["credits"]["cast"]  # type: ignore[index]
    cast.reverse()  # the order field decides, not the list's order

    assert facts.film(answer, cast_limit=3).cast == HER_CAST[:3]
    assert facts.film(answer, cast_limit=0).cast == []


def test_release_date_prefers_the_region_then_the_us_then_the_primary_date() -> None:
    assert facts.film(her_answer(), region="GB").release_date == date(2014, 2, 14)
    assert facts.film(her_answer(), region="FR").release_date == date(2013, 12, 18)
    answer = her_answer()
    answer["release_dates"] = {"results": []}
    assert facts.film(answer).release_date == date(2013, 12, 18)  # the primary date
    assert facts.film(answer).mpaa is None


def test_only_mpaa_certifications_are_kept() -> None:
    answer = her_answer()
    us = answer["release_dates"]["results"][2]["release_dates"]  # type: ignore[index]
    for entry in us:
        entry["certification"] = "TV-MA"

    assert facts.film(answer).mpaa is None


def test_hostile_or_malformed_values_are_dropped_not_trusted() -> None:
    answer = her_answer()
    answer["genres"] = [{"name": "x" * 10_000}, {"name": 7}, "Drama", {"name": "War\ud800"}]
    answer["runtime"] = -5
    answer["imdb_id"] = "../etc/passwd"
    answer["external_ids"] = {"imdb_id": None}
    answer["credits"] = {"cast": "none", "crew": [{"job": "Director", "name": ""}]}

    film = facts.film(answer)

    assert film.genres == ["War\ufffd"]
    assert (film.runtime, film.imdb_id, film.directors, film.cast) == (None, None, [], [])
    Review("Her", genres=film.genres).validate()


@pytest.mark.parametrize("answer", [[], {"id": "x"}, {"id": 5}, "text"])
def test_an_answer_without_id_or_title_is_refused(answer: object) -> None:
    with pytest.raises(TMDBError, match="cannot read"):
        facts.film(answer)


def test_exact_matches_ignore_case_and_accents_and_take_the_year() -> None:
    found = [
        facts.Candidate(1, "Amélie", "Le Fabuleux Destin d'Amélie Poulain", 2001),
        facts.Candidate(2, "Amelie 2", None, 2020),
        facts.Candidate(3, "AMELIE", None, 1990),
    ]

    assert [c.tmdb_id for c in facts.exact(found, "amelie", None)] == [1, 3]
    assert [c.tmdb_id for c in facts.exact(found, "Amelie", 2001)] == [1]
    assert [c.tmdb_id for c in facts.exact(found, "le fabuleux destin d'amélie poulain", None)] == [
        1
    ]


def test_fill_fills_only_empty_fields_unless_overwrite_and_never_clears() -> None:
    film = facts.film(her_answer())
    review = Review("Her", year=2014, genres=["Sci-Fi"], rating=8, body="mine", tags=["x"])

    changed = facts.fill(review, film, keep=frozenset({"runtime"}))

    assert review.year == 2014 and review.genres == ["Sci-Fi"]
    assert review.runtime is None  # kept: given on the command line
    assert review.directors == ["Spike Jonze"] and review.mpaa == "R"
    assert "genres" not in changed and "directors" in changed
    film.mpaa = None
    review.mpaa = "PG"
    facts.fill(review, film, overwrite=True)
    assert review.genres == ["Romance", "Science Fiction", "Drama"] and review.year == 2013
    assert review.mpaa == "PG"  # TMDB has none: never cleared
    assert (review.rating, review.body, review.tags) == (8, "mine", ["x"])


# Settings


def test_settings_take_flag_then_environment_then_config_then_default() -> None:
    config = {"tmdb.language": "de-DE", "tmdb.cast_limit": 3, "tmdb.region": "gb"}
    env = {"FILMLOG_TMDB_LANGUAGE": "fr-FR"}

    chosen = resolve_settings(env, config, {"language": "it-IT", "cast_limit": None})
    assert (chosen.language, chosen.cast_limit, chosen.region) == ("it-IT", 3, "GB")
    assert resolve_settings(env, config).language == "fr-FR"
    assert resolve_settings({}, {}).language == "en-US"
    assert resolve_settings({}, {}).timeout == 5.0


def test_the_credential_comes_from_the_environment_before_the_config() -> None:
    config = {"tmdb.api_key": "from-config", "tmdb.token": "config-token"}

    from_env = resolve_settings({"TMDB_READ_ACCESS_TOKEN": "env-token"}, config)
    assert (from_env.api_key, from_env.token) == (None, "env-token")
    from_config = resolve_settings({}, config)
    assert (from_config.api_key, from_config.token) == ("from-config", "config-token")
    assert not resolve_settings({}, {}).has_credential
    assert "from-config" not in repr(from_config)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FILMLOG_TMDB_LANGUAGE": "english"}, "FILMLOG_TMDB_LANGUAGE 'english' is not valid"),
        ({"FILMLOG_TMDB_REGION": "USA"}, "FILMLOG_TMDB_REGION 'USA' is not valid"),
        ({"FILMLOG_TMDB_CAST_LIMIT": "-1"}, "CAST_LIMIT must be a whole number from 0 to 1000"),
        ({"FILMLOG_TMDB_TIMEOUT": "soon"}, "FILMLOG_TMDB_TIMEOUT must be a number of seconds"),
        ({"FILMLOG_TMDB_URL": "ftp://example.org"}, "http:// or https://"),
        ({"TMDB_API_KEY": "two words"}, "credential in the environment is malformed"),
    ],
)
def test_bad_settings_are_one_clear_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        resolve_settings(env, {})
    assert "two words" not in str(caught.value)


# The client against the server


def test_one_request_fetches_every_fact(tmdb: TMDBServer, tmp_path: Path) -> None:
    with client(tmdb, tmp_path) as api:
        film = api.film(152601)

    assert film.directors == ["Spike Jonze"]
    [request] = tmdb.requests
    assert request.path == "/3/movie/152601"
    assert request.query["append_to_response"] == "credits,release_dates,external_ids"
    assert request.query["language"] == "en-US"
    assert request.query["api_key"] == KEY


def test_a_token_goes_in_the_authorization_header_only(tmdb: TMDBServer, tmp_path: Path) -> None:
    with client(tmdb, tmp_path, api_key=None, token=TOKEN) as api:
        assert [c.tmdb_id for c in api.search("Her")] == [152601]

    [request] = tmdb.requests
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert "api_key" not in request.query


def test_search_narrows_by_year_and_find_maps_imdb_ids(tmdb: TMDBServer, tmp_path: Path) -> None:
    with client(tmdb, tmp_path) as api:
        assert {c.tmdb_id for c in api.search("Stalker")} == {1398, 51497, 280092}
        assert [c.label() for c in api.search("stalker", 1979)] == ["Stalker (1979) · Сталкер"]
        assert api.find_imdb("tt1798709") == 152601
        assert api.find_imdb("tt0000001") is None

    assert tmdb.requests[1].query["year"] == "1979"
    assert tmdb.requests[2].query["external_source"] == "imdb_id"


def test_answers_are_cached_and_refresh_bypasses_the_cache(
    tmdb: TMDBServer, tmp_path: Path
) -> None:
    with client(tmdb, tmp_path) as api:
        api.film(152601)
    tmdb.stop()  # offline now: the second lookup must not need the server
    with client(tmdb, tmp_path) as api:
        assert api.film(152601).runtime == 126
        assert api.requests == 0
    with client(tmdb, tmp_path) as api:
        api.refresh = True
        with pytest.raises(TMDBError, match=r"cannot reach TMDB at 127\.0\.0\.1"):
            api.film(152601)


def test_a_broken_or_old_cache_entry_is_ignored(tmdb: TMDBServer, tmp_path: Path) -> None:
    with client(tmdb, tmp_path) as api:
        api.film(152601)
        [entry] = (tmp_path / "cache" / "tmdb").rglob("*.json")
        entry.write_bytes(b'{"stored": 1, "answ')  # a torn write from another machine
        assert api.film(152601).title == "Her"
        assert len(tmdb.requests) == 2
        entry.write_bytes(json.dumps({"stored": 1, "answer": {}}).encode())  # from 1970
        assert api.film(152601).title == "Her"
        assert len(tmdb.requests) == 3
    assert not [p for p in entry.parent.iterdir() if p.suffix == ".tmp"]


def test_the_cache_keeps_answers_thirty_days(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = request_key("/movie/1", {"language": "en-US"})
    cache.put(key, {"id": 1})
    assert cache.get(key) == {"id": 1}
    assert cache.max_age >= 30 * 86400
    assert key != request_key("/movie/1", {"language": "fr-FR"})


def test_a_cache_entry_is_written_whole_and_private_without_waiting_for_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filmlog import files

    synced: list[int] = []
    monkeypatch.setattr(files.os, "fsync", synced.append)
    cache = Cache(tmp_path)
    key = request_key("/movie/1", {})
    cache.put(key, {"id": 1})
    [entry] = (tmp_path / "tmdb").rglob("*.json")
    crashed = entry.with_name(f".{entry.name}.abcd1234.tmp")  # from a put that was killed
    crashed.write_bytes(b'{"stored": 1')
    cache.put(key, {"id": 2})
    assert cache.get(key) == {"id": 2}
    assert synced == []
    assert entry.stat().st_mode & 0o777 == 0o600
    assert not crashed.exists()


def test_a_cache_that_cannot_be_written_costs_nothing_but_the_entry(tmp_path: Path) -> None:
    (tmp_path / "tmdb").write_text("a file where the folder should be")
    cache = Cache(tmp_path)
    key = request_key("/movie/1", {})
    cache.put(key, {"id": 1})
    assert cache.get(key) is None


def test_the_cache_never_holds_the_credential(tmdb: TMDBServer, tmp_path: Path) -> None:
    with client(tmdb, tmp_path) as api:
        api.film(152601)
        api.search("Stalker")
    for path in (tmp_path / "cache").rglob("*"):
        assert KEY.encode() not in (path.read_bytes() if path.is_file() else path.name.encode())


# Network faults: each one a clear error, nothing retried forever


def test_401_says_the_key_is_bad_and_how_to_set_it(tmdb: TMDBServer, tmp_path: Path) -> None:
    with client(tmdb, tmp_path, api_key="wrong-key") as api, pytest.raises(TMDBError) as caught:
        api.film(152601)
    message = str(caught.value)
    assert message.startswith("TMDB refused the credential (HTTP 401)")
    assert "TMDB_API_KEY" in message and "TMDB_READ_ACCESS_TOKEN" in message
    assert "wrong-key" not in message


def test_404_is_not_found(tmdb: TMDBServer, tmp_path: Path) -> None:
    with client(tmdb, tmp_path) as api, pytest.raises(NotOnTMDB, match="TMDB has no film with"):
        api.film(999999)


def test_429_waits_as_retry_after_asks_then_carries_on(tmdb: TMDBServer, tmp_path: Path) -> None:
    tmdb.fail(429, {"status_code": 25}, times=2, headers={"Retry-After": "3"})
    with client(tmdb, tmp_path) as api:
        assert api.film(152601).title == "Her"
    assert api.waits == [3.0, 3.0]  # type: ignore[attr-defined]
    assert len(tmdb.requests) == 3


def test_429_gives_up_cleanly(tmdb: TMDBServer, tmp_path: Path) -> None:
    tmdb.fail(429, times=10, headers={"Retry-After": "1"})
    with client(tmdb, tmp_path) as api, pytest.raises(TMDBError, match="limiting requests"):
        api.film(152601)
    assert len(tmdb.requests) == 5  # the first try and four waits
    tmdb.faults.clear()
    tmdb.fail(429, headers={"Retry-After": "3600"})
    with client(tmdb, tmp_path) as api, pytest.raises(TMDBError, match="wait 3600 s"):
        api.film(152601)
    assert api.waits == []  # type: ignore[attr-defined]  # an hour is not waited for


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(None, 1.0), ("2", 2.0), ("0", 0.0), ("junk", 1.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_reads_seconds_and_dates(header: str | None, seconds: float) -> None:
    assert retry_after(header) == seconds


def test_5xx_is_retried_a_little(tmdb: TMDBServer, tmp_path: Path) -> None:
    tmdb.fail(503, "Service Unavailable", times=2)
    with client(tmdb, tmp_path) as api:
        assert api.film(152601).title == "Her"
    assert api.waits == [0.5, 1.0]  # type: ignore[attr-defined]
    tmdb.fail(500, times=3)
    with client(tmdb, tmp_path) as api, pytest.raises(TMDBError, match=r"trouble \(HTTP 500\)"):
        api.search("Her")
    assert len(tmdb.requests) == 6


@pytest.mark.parametrize(
    "body", [b"<html>Gateway</html>", b'{"results": 3}', b'{"page": 1, "results"', b"[]"]
)
def test_an_answer_that_is_not_the_expected_json(
    tmdb: TMDBServer, tmp_path: Path, body: bytes
) -> None:
    tmdb.fail(200, body)
    with client(tmdb, tmp_path) as api, pytest.raises(TMDBError, match="cannot read"):
        api.search("Her")
    assert not list((tmp_path / "cache").rglob("*.json"))  # a bad answer is never kept


def test_a_timeout_is_one_clear_error(tmdb: TMDBServer, tmp_path: Path) -> None:
    tmdb.fail(200, b"{}", delay=3)
    with client(tmdb, tmp_path, timeout=0.2) as api, pytest.raises(TMDBError) as caught:
        api.film(152601)
    assert str(caught.value).startswith("TMDB at 127.0.0.1:")
    assert "did not answer within 0.2 s" in str(caught.value)


def test_no_server_and_no_name_are_clear_errors(tmp_path: Path) -> None:
    server = TMDBServer()
    server.stop()  # closed: its port now refuses connections
    with client(server, tmp_path) as api, pytest.raises(TMDBError) as caught:
        api.film(152601)
    assert "cannot reach TMDB at 127.0.0.1" in str(caught.value)
    assert "refused" in str(caught.value).lower()
    no_dns = settings(server, tmp_path, base_url="http://filmlog-test.invalid/3")
    with Client(no_dns) as api, pytest.raises(TMDBError, match="cannot reach TMDB at filmlog-test"):
        api.film(152601)


def test_no_credential_is_refused_before_any_request(tmp_path: Path) -> None:
    with pytest.raises(TMDBError, match="no TMDB credential: set TMDB_API_KEY"):
        Client(Settings(cache_dir=tmp_path))


def test_scrub_hides_every_form_of_the_credential(tmp_path: Path) -> None:
    api = Client(Settings(api_key="a+b/c=", cache_dir=tmp_path))
    assert api.scrub("k=a+b/c= q=a%2Bb%2Fc%3D") == "k=*** q=***"
    api.close()


def test_os_environ_is_not_read_by_resolve_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "in-the-process")
    assert not resolve_settings({}, {}).has_credential
    assert os.environ["TMDB_API_KEY"] == "in-the-process"


def test_closing_the_client_ends_a_wait_for_a_rate_limit(tmdb: TMDBServer, tmp_path: Path) -> None:
    import threading
    import time

    tmdb.fail(429, headers={"Retry-After": "25"})
    api = Client(settings(tmdb, tmp_path))
    errors: list[Exception] = []

    def look_up() -> None:
        try:
            api.film(152601)
        except TMDBError as exc:
            errors.append(exc)

    worker = threading.Thread(target=look_up)
    worker.start()
    while not tmdb.requests:
        time.sleep(0.01)
    time.sleep(0.5)  # the 429 is read by now, and the 25 s wait begun
    api.close()
    worker.join(10)

    assert not worker.is_alive()
    assert [str(e) for e in errors] == ["the lookup was stopped"]


def test_httpx_logs_never_show_the_key(
    tmdb: TMDBServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("DEBUG"), client(tmdb, tmp_path) as api:
        api.film(152601)

    assert "HTTP Request: GET" in caplog.text and "api_key=***" in caplog.text
    assert KEY not in caplog.text


def test_two_processes_writing_one_cache_entry_never_show_half_of_it(tmp_path: Path) -> None:
    import subprocess
    import sys

    key = request_key("/movie/152601", {"language": "en-US"})
    answer = her_answer()
    writer = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from filmlog.tmdb.cache import Cache\n"
        "cache, answer = Cache(Path(sys.argv[1])), json.loads(sys.argv[3])\n"
        "for _ in range(300):\n"
        "    cache.put(sys.argv[2], answer)\n"
    )
    argv = [sys.executable, "-c", writer, str(tmp_path), key, json.dumps(answer)]
    writers = [subprocess.Popen(argv) for _ in range(2)]
    cache = Cache(tmp_path)
    while any(w.poll() is None for w in writers):
        found = cache.get(key)
        assert found is None or found == answer  # absent at first, then always whole
    assert [w.wait() for w in writers] == [0, 0]
    assert cache.get(key) == answer
    # No temporary file is left behind by either writer.
    assert sorted(p.name for p in (tmp_path / "tmdb").rglob("*")) == [key[:2], f"{key}.json"]


def test_an_answer_far_too_large_is_refused_unread(
    tmdb: TMDBServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filmlog.tmdb import client as module

    monkeypatch.setattr(module, "MAX_ANSWER", 2_000_000)
    tmdb.fail(200, b"[" + b"0," * 1_500_000 + b"0]")
    with client(tmdb, tmp_path) as api, pytest.raises(TMDBError, match="more than 2 MB"):
        api.search("Her")
    with client(tmdb, tmp_path) as api:
        assert api.search("Her")[0].tmdb_id == 152601  # a normal answer still reads
