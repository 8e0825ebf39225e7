"""Small things: transliterated file names, rewatch hints, piped tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from filmlog.exporters.markdown import file_names, slug
from filmlog.model import Review
from tests.conftest import Invoke


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Æon Flux", "aeon-flux"),
        ("Smørrebrød", "smorrebrod"),
        ("Łódź", "lodz"),
        ("Die Straße", "die-strasse"),
        ("Amélie", "amelie"),
        ("Þór", "thor"),
    ],
)
def test_slugs_spell_letters_in_ascii(title: str, expected: str) -> None:
    assert slug(title) == expected


def test_split_file_names_keep_every_letter(cli: Invoke, tmp_path: Path) -> None:
    assert cli("add", "Æon Flux", "--watched", "2024-01-02").exit_code == 0
    out = tmp_path / "posts"
    result = cli("export", "--format", "markdown", "--split", str(out))
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in out.iterdir()] == ["2024-01-02-aeon-flux.md"]
    assert file_names([Review("Øst", id=1)]) == ["undated-ost.md"]


def test_a_second_add_of_a_film_suggests_rewatch(cli: Invoke) -> None:
    first = cli("add", "Her", "--year", "2013")
    assert first.stderr == ""
    second = cli("add", "HER", "--year", "2013")
    assert second.exit_code == 0
    assert second.stdout.startswith("Added #2 HER (2013)")
    assert second.stderr == (
        "HER (2013) is already in the journal (#1): if this was a rewatch, "
        "mark it with: filmlog edit 2 --rewatch\n"
    )
    data = json.loads(cli("list", "--json").stdout)
    assert [r["rewatch"] for r in data] == [False, False]  # a hint, not a change


def test_no_rewatch_hint_when_told_or_another_film(cli: Invoke) -> None:
    assert cli("add", "Dune", "--year", "1984").stderr == ""
    assert cli("add", "Dune", "--year", "2021").stderr == ""  # a remake, not a rewatch
    assert cli("add", "Dune", "--year", "2021", "--rewatch").stderr == ""
    assert cli("add", "Dune", "--year", "2021", "--first-watch").stderr == ""
    hinted = cli("add", "Dune")  # no year: it could be either
    assert "(#1, #2, #3, #4)" in hinted.stderr


def test_the_lock_file_is_documented() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "journal.json.lock" in readme
    assert "deleting it while no filmlog is running is harmless" in readme
