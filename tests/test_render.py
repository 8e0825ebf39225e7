"""Panels and tables rendered at a fixed width and compared with golden files.

To accept a deliberate layout change, regenerate the golden files and review the diff:

    FILMLOG_REGEN_GOLDEN=1 python -m pytest tests/test_render.py
"""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType

from filmlog.facts import logged_time, metadata_line, verdict_line
from filmlog.model import CastMember, Review
from filmlog.render import body_view, review_panel, review_panels, review_table
from filmlog.safe import clean, clean_line
from tests.conftest import check_golden, examples, render
from tests.factories import CAST, HEADLINE, seed_body


def seed_review() -> Review:
    return Review(
        "Her",
        id=1,
        year=2013,
        release_date=date(2013, 12, 18),
        directors=["Spike Jonze"],
        cast=[CastMember(a, r) for a, r in CAST],
        genres=["Romance", "Sci-Fi"],
        mpaa="R",
        runtime=126,
        rating=8,
        verdict="Good",
        headline=HEADLINE,
        body=seed_body(),
        tags=["romance-month"],
        reviewer="Colton Gomez",
        watched_on=date(2024, 4, 12),
        logged_at=datetime(2024, 4, 13, 1, 21, tzinfo=ZoneInfo("America/Denver")),
        logged_zone="America/Denver",
    )


def test_seed_panel_golden() -> None:
    check_golden("render/seed_panel_80.txt", render(review_panel(seed_review())))


def test_panels_keep_a_reading_width_on_wide_terminals() -> None:
    text = render(review_panels([seed_review()]), width=160)
    assert max(len(line) for line in text.splitlines()) == 100
    check_golden("render/seed_panel_160.txt", text)


def test_table_golden() -> None:
    other = Review(
        "Amélie", id=2, year=2001, genres=["Comedy"], rating=7, watched_on=date(2023, 2, 14)
    )
    bare = Review("Untitled", id=3)
    check_golden("render/table_80.txt", render(review_table([seed_review(), other, bare])))


def test_lines_of_the_published_layout() -> None:
    review = seed_review()
    assert metadata_line(review) == (
        "Romance, Sci-Fi | Rated R | 2 hr 6 min | Released December 18, 2013"
    )
    assert verdict_line(review) == "Good · ★★★★☆"
    assert logged_time(review) == "April 13, 2024 · 1:21 AM MDT"
    assert metadata_line(Review("x", mpaa="NR")) == "Not Rated"
    assert verdict_line(Review("x", rating=5)) == "★★½☆☆"
    assert verdict_line(Review("x")) == ""


def test_minimal_review_renders_without_empty_lines() -> None:
    text = render(review_panel(Review("Only a title", id=9)))
    assert "Only a title" in text and "#9" in text
    assert text.count("\n") == 3


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "␛[31mred"),
        ("bell\x07", "bell␇"),
        ("\x9bcsi", "<U+009B>csi"),
        ("del\x7f", "del␡"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("[bold]markup[/]", "[bold]markup[/]"),
    ],
)
def test_clean_makes_controls_visible(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_clean_line_keeps_one_line() -> None:
    assert clean_line("a\nb\tc") == "a␤b␉c"


def test_markup_and_escapes_in_every_field_stay_literal() -> None:
    evil = "[bold]x[/bold] :smile: \x1b]8;;http://e\x07y"
    review = Review(
        evil,
        id=1,
        headline=evil,
        verdict=evil,
        genres=[evil],
        tags=[evil],
        directors=[evil],
        cast=[CastMember(evil, evil)],
        reviewer=evil,
        body=evil,
    )
    text = render(review_panel(review), width=200) + render(review_table([review]), width=200)
    assert "\x1b" not in text and "\x07" not in text
    assert text.count("[bold]x[/bold]") >= 9
    assert ":smile:" in text


def _coloured(renderable: RenderableType, width: int) -> str:
    console = Console(
        file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor"
    )
    console.print(renderable)
    output = console.file.getvalue()  # type: ignore[attr-defined]  # a StringIO, set above
    assert isinstance(output, str)
    return output


SYMBOLS = "abc XYZ\n.,;:'\"?!()—–’…-=+19)é\u00a0\u2028\u3000ﬁ%$@/\t*_`#>&\\<[]~|"
PIECES = ["  ", "\n\n", "\n\n\n", "1.", "2)", "a b c d e f g h", "http://x.org", "&amp;", "---"]
PROSE = st.lists(st.sampled_from([*SYMBOLS, *PIECES]), max_size=60).map("".join)


@settings(max_examples=examples(400, 150), deadline=None)
@given(PROSE, st.sampled_from([20, 41, 80]))
def test_a_body_looks_the_same_with_or_without_the_markdown_parser(text: str, width: int) -> None:
    from rich.markdown import Markdown

    assume(text.strip())  # a blank body is not shown at all
    view = body_view(text)
    if isinstance(view, Markdown):
        return  # Markdown syntax: Rich's Markdown lays it out (and numbers its links afresh)

    assert _coloured(view, width) == _coloured(Markdown(text), width)


def test_plain_bodies_skip_the_markdown_parser() -> None:
    from rich.markdown import Markdown

    plain_body = "It opens on a ferry.\nThen the piano.\n\nA second paragraph — “quoted”."
    assert not isinstance(body_view(plain_body), Markdown)
    for marked in ("a *b*", "# Title", "- item", "1. item", "    code", "a  \nb", "x &amp; y"):
        assert isinstance(body_view(marked), Markdown), marked
