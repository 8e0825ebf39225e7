"""``filmlog stats`` kept in the index: computed once per journal version and key, never stale."""

from __future__ import annotations

import marshal
import zlib
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filmlog import clock, index
from filmlog import stats as stats_module
from filmlog.model import Review, ReviewSummary
from filmlog.query import Filters
from filmlog.storage import Journal
from tests.conftest import Invoke, RunFilmlog, examples, index_header, replace_index_header
from tests.factories import film
from tests.factories import reviews as any_reviews

# A small world of names, so that filters select some reviews and miss others.
NAMES = ["Ann", "Bo", "Cé"]
small = st.lists(st.sampled_from(NAMES), max_size=2, unique=True)
reviews = st.builds(
    lambda title, **fields: film(title, 1, **fields),
    title=st.sampled_from(["Her", "Arrival", "Amélie", "Paterson"]),
    year=st.none() | st.integers(1995, 2002),
    directors=small,
    cast=small,
    genres=small,
    tags=small,
    runtime=st.none() | st.integers(80, 200),
    rating=st.none() | st.integers(1, 10),
    liked=st.booleans(),
    rewatch=st.booleans(),
    reviewer=st.none() | st.sampled_from(NAMES),
    watched_on=st.none() | st.dates(date(2019, 11, 1), date(2021, 2, 1)),
    body=st.none() | st.sampled_from(["night falls", "a love story", "Ann and Bo"]),
)

FILTERS: list[tuple[str, ...]] = [
    (),
    ("--genre", "Ann"),
    ("--tag", "Bo", "--genre", "Ann", "--genre", "Bo", "--all-genres"),
    ("--director", "Cé"),
    ("--actor", "ann"),
    ("--min-rating", "2.5"),
    ("--max-rating", "3", "--liked"),
    ("--released-in", "1999"),
    ("--watched-in", "2020"),
    ("--from", "2020-03-01", "--to", "2020-12-31"),
    ("--rewatch", "--not-liked"),
    ("love",),
    ("night", "--genre", "Bo"),
]
FORMATS: list[tuple[str, ...]] = [(), ("--json",), ("--format", "markdown")]


def _fill(path: Path, found: list[Review]) -> None:
    with Journal(path).transaction() as session:
        session.add_many(found)


def _header(journal: Path) -> dict[str, Any]:
    return index_header(journal)[0]


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many reviews each call of ``stats.compute`` was given, in order."""
    calls: list[int] = []
    real = stats_module.compute

    def compute(reviews: Any, **kwargs: Any) -> stats_module.Stats:
        calls.append(len(reviews))
        return real(reviews, **kwargs)

    monkeypatch.setattr(stats_module, "compute", compute)
    return calls


def _output(cli: Invoke, args: tuple[str, ...]) -> str:
    result = cli("stats", *args)
    return f"{result.exit_code}\n{result.stdout}\n{result.stderr}"


# ---------------------------------------------------------------------------
# The same figures cold, computed through the index, and read back from it


@settings(
    max_examples=examples(60, 8),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(reviews, min_size=1, max_size=10),
    st.lists(st.sampled_from(FILTERS), max_size=3).map(lambda some: sum(some, ())),
    st.sampled_from(FORMATS),
    st.none() | st.integers(1, 4),
    st.sampled_from(["rate", "delete"]),
)
def test_stats_are_the_same_cold_computed_and_cached_and_a_write_is_never_missed(
    cli: Invoke,
    journal_path: Path,
    computed: list[int],
    found: list[Review],
    filters: tuple[str, ...],
    shape: tuple[str, ...],
    top: int | None,
    write: str,
) -> None:
    for leftover in (journal_path, index.path_for(journal_path)):
        leftover.unlink(missing_ok=True)
    _fill(journal_path, found)
    args = (*filters, *shape, *(() if top is None else ("--top", str(top))))
    index.discard(journal_path)
    cold = _output(cli, args)
    assert cold.startswith("0\n")
    assert index.path_for(journal_path).exists()  # the cold read indexed the journal
    assert len(_header(journal_path)["aggregates"]) == 1  # and kept the figures in it
    computed.clear()
    assert _output(cli, args) == cold  # read back from it
    assert computed == []
    first = Journal(journal_path).browse(fields=())[0][0][0]
    if write == "rate":
        stars = "0.5" if Journal(journal_path).get(first).rating == 10 else "5"
        changed = cli("rate", str(first), stars)
    else:
        changed = cli("delete", str(first), "--yes")
    assert changed.exit_code == 0, changed.output
    assert _header(journal_path)["aggregates"] == {}  # the write's index has none
    after = _output(cli, args)
    assert len(computed) == 1  # never the figures of the version replaced
    assert _output(cli, args) == after
    assert len(computed) == 1
    index.discard(journal_path)
    assert _output(cli, args) == after


@pytest.mark.parametrize("filters", FILTERS)
def test_every_filter_is_kept_under_its_own_key(
    cli: Invoke, journal_path: Path, computed: list[int], filters: tuple[str, ...]
) -> None:
    _fill(
        journal_path,
        [
            film("Her", 1, year=1999, genres=["Ann", "Bo"], tags=["Bo"], rating=6, liked=True),
            film("Paterson", 2, directors=["Cé"], cast=["Ann"], body="a love story"),
            film("Arrival", 3, watched_on=date(2020, 5, 1), rewatch=True, body="night falls"),
        ],
    )
    index.discard(journal_path)
    cold = _output(cli, ("--json", *filters))
    assert cold.startswith("0\n")
    assert _output(cli, ("--json", *filters)) == cold
    assert _output(cli, ("--json", *filters)) == cold
    assert len(computed) == 1  # cold, kept in the index it made; the others read it back
    assert len(_header(journal_path)["aggregates"]) == 1


# ---------------------------------------------------------------------------
# The cache is used, and any doubt means computing again


@pytest.fixture
def sampled(journal_path: Path) -> Path:
    _fill(
        journal_path,
        [
            film("Her", 1, year=2013, rating=9, genres=["Romance"], watched_on=date(2024, 2, 1)),
            film("Arrival", 2, year=2016, rating=7, directors=["Denis Villeneuve"]),
            film("Amélie", 3, year=2001, rating=10, cast=["Audrey Tautou"], liked=True),
        ],
    )
    return journal_path


def test_a_second_run_reads_the_figures_back_without_computing_or_building_reviews(
    cli: Invoke, sampled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _output(cli, ("--json",))
    key = stats_module.cache_key(Filters(), None, 10)
    assert key in _header(sampled)["aggregates"]

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("computed again")

    monkeypatch.setattr(stats_module, "compute", fail)
    monkeypatch.setattr(ReviewSummary, "from_dict", fail)
    assert _output(cli, ("--json",)) == first
    assert orjson.loads(first.split("\n", 1)[1].rsplit("\n", 2)[0])["totals"]["reviews"] == 3


def _flip_aggregate(journal: Path, key: str) -> None:
    """Damage one byte of the aggregate kept under ``key``."""
    header, payload = index_header(journal)
    start, size, _ = header["aggregates"][key]
    where = index.path_for(journal)
    raw = bytearray(where.read_bytes())
    raw[payload + start + size // 2] ^= 0x01
    where.write_bytes(bytes(raw))


def test_a_damaged_aggregate_is_computed_again_and_kept_anew(
    cli: Invoke, sampled: Path, computed: list[int]
) -> None:
    expected = _output(cli, ())
    key = stats_module.cache_key(Filters(), None, 10)
    _flip_aggregate(sampled, key)
    computed.clear()
    assert _output(cli, ()) == expected
    assert computed == [3]
    assert _output(cli, ()) == expected
    assert computed == [3]  # the one computed again was kept


def test_an_aggregate_that_passes_its_check_but_is_no_stats_is_computed_again(
    cli: Invoke, sampled: Path, computed: list[int]
) -> None:
    expected = _output(cli, ("--json",))
    key = stats_module.cache_key(Filters(), None, 10)
    found = index.load(sampled, sampled.stat(), sampled.read_bytes)
    assert found is not None
    columns = found.stored()
    index.write(
        sampled,
        sampled.stat(),
        [found.table(), *columns],
        lambda: zlib.crc32(sampled.read_bytes()),
        tidy=False,
        aggregates={key: b'[1, "two", 3]'},
    )
    computed.clear()
    assert _output(cli, ("--json",)) == expected
    assert computed == [3]


def test_an_index_of_another_version_is_ignored_aggregates_and_all(
    cli: Invoke, sampled: Path, computed: list[int]
) -> None:
    expected = _output(cli, ())
    _output(cli, ())
    replace_index_header(sampled, version=index.VERSION - 1)
    computed.clear()
    assert _output(cli, ()) == expected
    assert computed == [3]
    assert _header(sampled)["version"] == index.VERSION  # rebuilt by that read


def _wordless(journal: Path) -> bool:
    found = index.load(journal, journal.stat(), journal.read_bytes)
    return found is not None and bool(found.wordless())


@pytest.mark.parametrize("adds_words", [("search", "her"), ("stats", "--json", "tautou")])
def test_a_word_search_adding_words_to_the_index_keeps_its_aggregates(
    cli: Invoke, sampled: Path, computed: list[int], adds_words: tuple[str, ...]
) -> None:
    index.discard(sampled)
    cli("list")  # indexed by a read: no words yet
    assert _wordless(sampled)
    expected = _output(cli, ("--json",))
    assert cli(*adds_words).exit_code == 0
    assert not _wordless(sampled)
    computed.clear()
    assert _output(cli, ("--json",)) == expected
    assert computed == []


def test_the_index_keeps_only_the_most_recent_aggregates(cli: Invoke, sampled: Path) -> None:
    _output(cli, ())
    sizes = []
    for top in range(1, 13):
        _output(cli, ("--top", str(top)))
        sizes.append(index.path_for(sampled).stat().st_size)
    kept = list(_header(sampled)["aggregates"])
    assert kept == [stats_module.cache_key(Filters(), None, t) for t in range(5, 13)]
    assert len(kept) == index.AGGREGATES
    assert sizes[-1] - sizes[index.AGGREGATES] < 100  # bounded, not growing with each key


def test_a_write_during_the_computation_makes_the_kept_figures_stale_not_wrong(
    cli: Invoke, sampled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No version is racy: the index's stamp alone tells the versions apart, as it does
    # once the clock has moved on.
    monkeypatch.setattr(index, "RACY_NS", 0)
    _output(cli, ())  # the index is made by a write, then trusted by this read
    real = stats_module.compute

    def racing(reviews: Any, **kwargs: Any) -> stats_module.Stats:
        _fill(sampled, [film("Paterson", 4, rating=8)])  # another process, meanwhile
        return real(reviews, **kwargs)

    monkeypatch.setattr(stats_module, "compute", racing)
    assert '"reviews": 3,' in _output(cli, ("--json", "--top", "2"))
    monkeypatch.setattr(stats_module, "compute", real)
    assert '"reviews": 4,' in _output(cli, ("--json", "--top", "2"))


def test_a_write_during_a_read_without_an_index_keeps_no_figures_of_the_version_replaced(
    cli: Invoke, sampled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "RACY_NS", 0)
    index.discard(sampled)
    real = stats_module.compute

    def racing(reviews: Any, **kwargs: Any) -> stats_module.Stats:
        _fill(sampled, [film("Paterson", 4, rating=8)])  # another process, meanwhile
        return real(reviews, **kwargs)

    monkeypatch.setattr(stats_module, "compute", racing)
    assert '"reviews": 3,' in _output(cli, ("--json",))
    monkeypatch.setattr(stats_module, "compute", real)
    assert _header(sampled)["aggregates"] == {}  # the index of the version written has none
    assert '"reviews": 4,' in _output(cli, ("--json",))


def test_a_journal_not_laid_out_as_filmlog_writes_it_is_computed_each_time(
    cli: Invoke, sampled: Path, computed: list[int]
) -> None:
    expected = _output(cli, ())
    sampled.write_bytes(
        orjson.dumps(orjson.loads(sampled.read_bytes()), option=orjson.OPT_INDENT_2)
    )
    index.discard(sampled)
    computed.clear()
    assert _output(cli, ()) == expected
    assert _output(cli, ()) == expected
    assert computed == [3, 3]
    assert not index.path_for(sampled).exists()


def test_stats_of_no_journal_are_empty(cli: Invoke, journal_path: Path) -> None:
    result = cli("stats", "--json")
    assert result.exit_code == 0
    assert orjson.loads(result.stdout)["totals"]["reviews"] == 0
    assert not journal_path.exists()


# ---------------------------------------------------------------------------
# The key and the plain form


def test_the_key_names_every_filter_the_year_and_top() -> None:
    variants = [
        Filters(),
        Filters(words=["love"]),
        Filters(words=["love", "night"]),
        Filters(genres=["Drama"]),
        Filters(genres=["Drama"], all_genres=True),
        Filters(min_rating=4),
        Filters(max_rating=4),
        Filters(year=2001),
        Filters(watched_year=2020),
        Filters(watched_from=date(2020, 1, 1)),
        Filters(watched_to=date(2020, 1, 1)),
        Filters(tags=["x"]),
        Filters(directors=["x"]),
        Filters(actors=["x"]),
        Filters(rewatch=True),
        Filters(rewatch=False),
        Filters(liked=True),
    ]
    keys = {stats_module.cache_key(f, None, 10) for f in variants}
    keys |= {
        stats_module.cache_key(Filters(), 2020, 10),
        stats_module.cache_key(Filters(), None, 3),
    }
    assert len(keys) == len(variants) + 2
    assert stats_module.cache_key(Filters(genres=["a"]), 2020, 3) == stats_module.cache_key(
        Filters(genres=["a"]), 2020, 3
    )
    assert str(stats_module.COMPUTE_VERSION) in stats_module.cache_key(Filters(), None, 10)


def test_the_figures_do_not_depend_on_the_date_so_the_key_leaves_it_out(
    cli: Invoke, sampled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = []
    for day in (datetime(2024, 4, 13, 0, 30), datetime(2031, 12, 31, 23, 59)):
        monkeypatch.setattr(clock, "now", lambda day=day: day.replace(tzinfo=ZoneInfo("UTC")))
        for shape in FORMATS:
            index.discard(sampled)
            outputs.append(_output(cli, (*shape, "--watched-in", "2024")))
            outputs.append(_output(cli, shape))
    assert outputs[:6] == outputs[6:]


@settings(max_examples=examples(300, 40), deadline=None)
@given(
    st.lists(any_reviews, max_size=12),
    st.none() | st.integers(1900, 2030),
    st.integers(1, 12),
)
def test_stats_round_trip_through_their_plain_form(
    found: list[Review], year: int | None, top: int
) -> None:
    summaries = [
        ReviewSummary.from_dict(review.to_dict(), number) for number, review in enumerate(found, 1)
    ]
    computed = stats_module.compute(summaries, year=year, top=top)
    plain = orjson.loads(orjson.dumps(computed.to_plain()))
    assert stats_module.Stats.from_plain(plain) == computed
    assert marshal.loads(marshal.dumps(computed.to_plain())) == plain


@pytest.mark.parametrize(
    "damage",
    [
        lambda plain: plain[:-1],  # a field short
        lambda plain: [*plain[:1], "x", *plain[2:]],  # text for the totals
        lambda plain: [plain[0], [True, *plain[1][1:]], *plain[2:]],  # a bool for a count
        lambda plain: [*plain[:4], [*plain[4][:1], "week", *plain[4][2:]], *plain[5:]],
        lambda plain: {"not": "a list"},
    ],
)
def test_a_plain_form_of_another_shape_is_refused(damage: Any) -> None:
    computed = stats_module.compute(
        [film("Her", 1, rating=8, watched_on=date(2024, 1, 2), tags=["x"])], top=3
    )
    plain = orjson.loads(orjson.dumps(computed.to_plain()))
    with pytest.raises(ValueError):
        stats_module.Stats.from_plain(damage(plain))


# ---------------------------------------------------------------------------
# In a real process


def test_stats_twice_in_real_processes(run_filmlog: RunFilmlog, journal_path: Path) -> None:
    _fill(journal_path, [film("Her", 1, rating=9), film("Arrival", 2, rating=7)])
    first = run_filmlog("stats", "--json")
    assert first.returncode == 0, first.stderr
    second = run_filmlog("stats", "--json")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert stats_module.cache_key(Filters(), None, 10) in _header(journal_path)["aggregates"]
    # A word that is no UTF-8 (a lone surrogate, as Python reads the byte) is a key too.
    odd = [run_filmlog("stats", "\udcff", "--genre", "\udcfe", "--json") for _ in range(2)]
    assert odd[0].returncode == odd[1].returncode == 0, odd[0].stderr
    assert odd[0].stdout == odd[1].stdout and '"reviews": 0,' in odd[0].stdout
    assert len(_header(journal_path)["aggregates"]) == 2
    table = [run_filmlog("stats", "--top", "1") for _ in range(2)]
    assert table[0].returncode == table[1].returncode == 0
    assert table[0].stdout == table[1].stdout and table[0].stdout.startswith("All 2 reviews")
