"""A journal with one damaged field is refused by every command, the same way, and left as it was.

The damage is what a hand edit makes: a value of the wrong type, out of range,
a bad review ID, a missing key. Every command runs on it in a real process and
must exit 1 with one line (never 70, "a bug in filmlog"), write nothing, and
``doctor --repair`` must bring back a good backup.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filmlog import validation
from filmlog.errors import CorruptJournal
from filmlog.model import (
    FIRST_FILM_YEAR,
    MAX_HALF_STARS,
    MAX_RUNTIME,
    MAX_TMDB_ID,
    MIN_HALF_STARS,
    MIN_RUNTIME,
    Review,
)
from filmlog.storage import Journal

# How many damaged journals the subprocess test tries; raise it for a longer run.
EXAMPLES = int(os.environ.get("FILMLOG_DAMAGE_EXAMPLES", "4"))

_TEXT_FIELDS = (
    "title", "uuid", "original_title", "verdict", "headline", "body", "reviewer", "logged_zone",
)  # fmt: skip
_LIST_FIELDS = ("directors", "genres", "tags")
# The year's range ends with the clock; past 9999 is out of it at any date.
_NUMBERS = {
    "year": (FIRST_FILM_YEAR, 9999), "rating": (MIN_HALF_STARS, MAX_HALF_STARS),
    "runtime": (MIN_RUNTIME, MAX_RUNTIME), "tmdb_id": (1, MAX_TMDB_ID),
}  # fmt: skip

_not_text = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _out_of_range(low: int, high: int) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(max_value=low - 1),
        st.integers(min_value=high + 1),
        st.floats(min_value=low, max_value=high).filter(lambda x: not x.is_integer()),
        st.text(max_size=4),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
    )


# (where, key, value): where is "review", "meta" or "key"; value None with "drop" removes it.
DROP = object()
damage = st.one_of(
    st.tuples(st.just("review"), st.sampled_from(_TEXT_FIELDS), _not_text),
    st.tuples(st.just("review"), st.just("title"), st.sampled_from(["", "  ", None, DROP])),
    *(
        st.tuples(st.just("review"), st.just(name), _out_of_range(*bounds))
        for name, bounds in _NUMBERS.items()
    ),
    st.tuples(
        st.just("review"),
        st.sampled_from(_LIST_FIELDS),
        st.one_of(st.text(min_size=1, max_size=5), st.lists(_not_text, min_size=1, max_size=2)),
    ),
    st.tuples(
        st.just("review"),
        st.just("cast"),
        st.sampled_from(["Amy", [1], [{"role": "x"}], [{"actor": 5}], [{"actor": ""}], {}]),
    ),
    st.tuples(
        st.just("review"),
        st.sampled_from(["liked", "rewatch"]),
        st.sampled_from(["yes", 1, 0.0, []]),
    ),
    st.tuples(
        st.just("review"),
        st.sampled_from(["release_date", "watched_on"]),
        st.sampled_from(["yesterday", "2024-13-01", 20240101, ["2024-01-01"]]),
    ),
    st.tuples(
        st.just("review"),
        st.sampled_from(["logged_at", "updated_at"]),
        st.sampled_from(["2024-01-01T10:00:00", "noon", 5, True]),
    ),
    st.tuples(
        st.just("review"),
        st.just("imdb_id"),
        st.sampled_from(["0137523", "tt12", 137523, ["tt0137523"]]),
    ),
    st.tuples(st.just("review"), st.just("mpaa"), st.sampled_from(["X", "pg", 13, ["R"]])),
    st.tuples(
        st.just("review"), st.just("release_precision"), st.sampled_from(["day", 1, ["year"]])
    ),
    st.tuples(
        st.just("review"),
        st.just("sources"),
        st.sampled_from(["imdb", ["x"], {"imdb": 5}, {"": "x"}, {"imdb": ""}]),
    ),
    st.tuples(
        st.just("key"),
        st.sampled_from(["abc", "0", "01", "-1", "1" * 30, "2.0", "", "١"]),
        st.none(),
    ),
    st.tuples(
        st.just("meta"),
        st.sampled_from(["schema", "next_id"]),
        st.sampled_from([True, "1", 0, None, DROP, 1.5]),
    ),
)

COMMANDS = (
    ["list"],
    ["list", "--json"],
    ["show", "1"],
    ["search", "film"],
    ["stats"],
    ["history", "First film"],
    ["export", "--format", "json"],
    ["add", "New film", "--rating", "4"],
    ["edit", "1", "--headline", "Changed"],
    ["rate", "1", "2"],
    ["delete", "1", "--yes"],
    ["undo", "--yes"],
)


def _apply(raw: bytes, where: str, key: str, value: object) -> bytes:
    data = json.loads(raw)
    meta = data["_filmlog"]["1"]
    reviews = data["reviews"]
    if where == "meta":
        if value is DROP:
            del meta[key]
        else:
            meta[key] = value
    elif where == "key":
        reviews[key] = reviews.pop("2")
    elif value is DROP:
        del reviews["2"][key]
    else:
        reviews["2"][key] = value
    return json.dumps(data, ensure_ascii=False).encode()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a good three-review journal, its backups and an export to import."""
    folder = tmp_path_factory.mktemp("pristine")
    journal = Journal(folder / "journal.json")
    for title in ("First film", "Second film", "Third film"):
        with journal.transaction() as session:
            session.add(Review(title, rating=6, body="A film.", genres=["Drama"]))
    from filmlog.exporters import filmlog_json

    (folder / "export.json").write_bytes(filmlog_json.export(journal.reviews())[0].data)
    return folder


@given(damage)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_command_refuses_a_damaged_journal(
    pristine: Path,
    filmlog_exe: str,
    tmp_path_factory: pytest.TempPathFactory,
    case: tuple[str, str, Any],
) -> None:
    folder = tmp_path_factory.mktemp("damaged")
    shutil.copytree(pristine, folder, dirs_exist_ok=True)
    journal = folder / "journal.json"
    damaged = _apply(journal.read_bytes(), *case)
    journal.write_bytes(damaged)
    kept = sorted(p.name for p in (folder / "journal.json.backups").iterdir())
    env = {**os.environ, "FILMLOG_DB": str(journal), "COLUMNS": "100"}
    commands = [*COMMANDS, ["import", str(folder / "export.json")]]
    running = [
        (
            args,
            subprocess.Popen(
                [filmlog_exe, *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for args in commands
    ]
    for args, process in running:
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 1, (args, case, stderr)
        assert stdout == "", (args, case)
        lines = stderr.splitlines()
        assert len(lines) == 1, (args, case, stderr)
        assert "doctor --repair" in lines[0], (args, case, stderr)
    assert journal.read_bytes() == damaged, case
    assert sorted(p.name for p in (folder / "journal.json.backups").iterdir()) == kept
    checked = subprocess.run([filmlog_exe, "doctor"], env=env, capture_output=True, text=True)
    assert checked.returncode == 1 and "Damaged" in checked.stdout, (case, checked.stdout)
    repaired = subprocess.run(
        [filmlog_exe, "doctor", "--repair", "--yes"], env=env, capture_output=True, text=True
    )
    assert repaired.returncode == 0, (case, repaired.stderr)
    # The newest backup is the journal before its last write: the first two reviews.
    assert [r.title for r in Journal(journal).reviews()] == ["First film", "Second film"]


@given(damage)
@settings(max_examples=60, deadline=None)
def test_every_read_and_write_refuses_each_damage_in_process(case: tuple[str, str, Any]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journal.json"
        journal = Journal(path)
        with journal.transaction() as session:
            for title in ("a", "b"):
                session.add(Review(title, body="text"))
        damaged = _apply(path.read_bytes(), *case)
        path.write_bytes(damaged)
        for read in (journal.reviews, journal.browse, lambda: journal.browse(words=True)):
            with pytest.raises(CorruptJournal) as caught:
                read()
            # What the command line needs to name `doctor --repair` and the backups.
            assert caught.value.journal == path and caught.value.backups is not None
        with pytest.raises(CorruptJournal), journal.transaction() as session:
            session.add(Review("c"))
        assert path.read_bytes() == damaged


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("rating", 4.5, r"review 2 is damaged \(rating must be 1 to 10 half-stars, not 4\.5\)"),
        ("rating", "4", r"review 2 is damaged \(rating must be 1 to 10 half-stars, not '4'\)"),
        ("cast", "Amy", r"review 2 is damaged \(cast must be a list of actors, not 'Amy'\)"),
        ("tags", [1, 2], r"review 2 is damaged \(tags must be text, not int\)"),
        ("year", "abc", r"review 2 is damaged \(year must be from 1870 to \d{4}, not 'abc'\)"),
        ("runtime", -1, r"review 2 is damaged \(runtime must be 1 to 1500 minutes, not -1\)"),
        ("body", 5, r"review 2 is damaged \(body must be text, not int\)"),
    ],
)
def test_the_message_names_the_review_and_the_field(
    tmp_path: Path, key: str, value: object, message: str
) -> None:
    path = tmp_path / "journal.json"
    journal = Journal(path)
    for title in ("a", "b"):
        with journal.transaction() as session:
            session.add(Review(title, body="text"))
    path.write_bytes(_apply(path.read_bytes(), "review", key, value))
    with pytest.raises(CorruptJournal, match=message) as caught:
        journal.browse()
    assert caught.value.journal == path and caught.value.backups


def test_a_huge_bad_value_is_named_briefly(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    with Journal(path).transaction() as session:
        session.add_many([Review("a"), Review("b")])
    path.write_bytes(_apply(path.read_bytes(), "review", "cast", "x" * 1_000_000))
    with pytest.raises(CorruptJournal) as caught:
        Journal(path).reviews()
    assert len(str(caught.value)) < 400


def test_the_column_check_agrees_with_the_one_value_check() -> None:
    """Every rule's fast check passes only what its one-value check passes."""
    samples: list[object] = [
        None,
        "",
        " ",
        "x",
        0,
        1,
        5,
        10,
        11,
        1999,
        4.5,
        True,
        [],
        ["a"],
        [""],
        [1],
        {},
        {"a": "b"},
        {"a": 1},
        [{"actor": "A"}],
        [{"actor": 1}],
        ["A"],
        "2024-01-01",
        "2024-01-01T10:00:00+00:00",
        "2024-01-01T10:00:00",
        "PG",
    ]
    for name, rule in validation.RULES.items():
        for value in samples:
            try:
                rule.one(name, value)
            except Exception:
                one = False
            else:
                one = True
            try:
                every = rule.every([value])
            except Exception:
                every = False
            assert not every or one, (name, value)


@pytest.mark.parametrize(
    ("precision", "released", "refused"),
    [("year", "1991-01-01", False), ("month", "1991-09-01", False), ("year", "1991-09-01", True)],
)
def test_a_release_year_or_month_is_dated_on_its_first_day(
    tmp_path: Path, precision: str, released: str, refused: bool
) -> None:
    from filmlog.doctor import check

    path = tmp_path / "journal.json"
    journal = Journal(path)
    for title in ("a", "b"):
        with journal.transaction() as session:
            session.add(Review(title))
    raw = _apply(path.read_bytes(), "review", "release_date", released)
    path.write_bytes(_apply(raw, "review", "release_precision", precision))
    if not refused:
        shown = released[:4] if precision == "year" else released[:7]
        assert [review.release_text for review in journal.reviews()] == [None, shown]
        assert check(journal).problems == []
        return
    for read in (journal.reviews, journal.browse):
        with pytest.raises(CorruptJournal, match=r"review 2 is damaged \(a release year needs"):
            read()
    assert any("a release year needs" in problem for problem in check(journal).problems)
