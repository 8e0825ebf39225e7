"""``search`` says why each result matched: a snippet with the words highlighted."""

from __future__ import annotations

import io

from rich.console import Console

from filmlog.model import CastMember, Review
from filmlog.query import snippet
from filmlog.render import MATCH_STYLE, review_table, snippet_text
from tests.conftest import Invoke

BODY = (
    "A slow start. " * 8
    + "Then the CAFÉ des Deux Moulins becomes the heart of Montmartre. "
    + "More words follow here. " * 8
)


def review(**fields: object) -> Review:
    return Review("Amélie", id=3, year=2001, body=BODY, **fields)  # type: ignore[arg-type]


def test_snippet_highlights_words_in_the_field_holding_most_of_them() -> None:
    found = snippet(review(), ["cafe", "montmartre"])
    assert found is not None
    assert found.where == "body"
    assert found.text.startswith("…") and found.text.endswith("…")
    assert len(found.text) <= 75
    assert [found.text[a:b] for a, b in found.marks] == ["CAFÉ", "Montmartre"]


def test_snippet_prefers_the_title_and_folds_accents() -> None:
    found = snippet(review(), ["AMELIE"])
    assert found is not None
    assert (found.where, found.text, found.marks) == ("title", "Amélie", ((0, 6),))


def test_snippet_in_people() -> None:
    found = snippet(review(cast=[CastMember("Audrey Tautou", "Amélie Poulain")]), ["tautou"])
    assert found is not None
    assert found.where == "cast"
    assert found.text == "Audrey Tautou (Amélie Poulain)"


def test_snippet_none_without_the_words() -> None:
    assert snippet(review(), ["zebra"]) is None


def test_snippet_text_is_styled_text_never_markup() -> None:
    hostile = Review("[bold]x[/bold] \x1b[31m", id=1)
    found = snippet(hostile, ["bold"])
    assert found is not None
    text = snippet_text(found)
    assert text.plain == "Title: [bold]x[/bold] ␛[31m"
    styled = [text.plain[span.start : span.end] for span in text.spans if span.style == MATCH_STYLE]
    assert styled == ["bold", "bold"]


def test_table_snippets_column() -> None:
    reasons = {3: snippet(review(), ["montmartre"])}
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(review_table([review()], matched=reasons))  # type: ignore[arg-type]
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Matched" in out and "Montmartre" in out and "Review:" in out


def test_search_snippets_and_full(cli: Invoke) -> None:
    assert cli("add", "Amélie", "--body", BODY, "--watched", "2024-01-01").exit_code == 0
    assert cli("add", "Her", "--body", "Nothing here.", "--watched", "2024-01-02").exit_code == 0
    table = cli("search", "montmartre", "--snippets")
    assert table.exit_code == 0, table.stderr
    assert "Matched" in table.stdout and "Montmartre" in table.stdout
    full = cli("search", "moulins", "--full")
    assert full.exit_code == 0, full.stderr
    assert "Matched · Review: …" in full.stdout
    plain = cli("search", "montmartre")
    assert "Matched" not in plain.stdout
