"""The stats charts, the history view and the Markdown recap, against golden files.

Golden files live in tests/golden/stats/. After a deliberate change to a layout,
regenerate them and read the diff before committing:

    FILMLOG_REGEN_GOLDEN=1 pytest tests/test_stats_render.py

Charts are rendered by a fixed console (80 columns unless a test says otherwise,
no colour, no terminal), and trailing spaces are dropped from each line so the
files survive editors that trim them.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from filmlog import charts, recap
from filmlog import stats as stats_module
from filmlog.model import Review
from tests.conftest import check_golden, render
from tests.factories import film, sample


def widest_line(text: str) -> int:
    from rich.cells import cell_len

    return max(cell_len(line) for line in text.splitlines())


# ---------------------------------------------------------------------------
# Golden layouts


def test_stats_at_80_columns() -> None:
    view = charts.stats_view(stats_module.compute(sample()), "All 7 reviews")
    text = render(view)
    assert widest_line(text) <= 80
    check_golden("stats/stats-80.txt", text)


def test_stats_at_120_columns_pairs_sections_side_by_side() -> None:
    view = charts.stats_view(stats_module.compute(sample()), "All 7 reviews")
    text = render(view, width=120)
    assert widest_line(text) <= 120
    assert re.search(r"╭─ Ratings ─+╮ ╭─ Watched per year", text)
    check_golden("stats/stats-120.txt", text)


def test_one_year_charts_months() -> None:
    reviews = stats_module.watched_in(sample(), 2024)
    view = charts.stats_view(stats_module.compute(reviews, year=2024), "5 of 7 reviews")
    text = render(view)
    assert "Watched per month, 2024" in text
    check_golden("stats/stats-2024-80.txt", text)


def test_sections_without_data_say_so() -> None:
    view = charts.stats_view(stats_module.compute([film("Untitled", 1)]), "All 1 review")
    text = render(view)
    for message in (
        "No ratings yet.",
        "No watch dates recorded.",
        "No genres recorded.",
        "No release years recorded.",
        "No directors recorded.",
        "No cast recorded.",
    ):
        assert message in text
    assert "█" not in text
    assert "Hours watched   — (no runtimes recorded)" in text
    check_golden("stats/stats-empty-sections-80.txt", text)


def test_history_view() -> None:
    reviews = [
        *sample()[:2],
        film("Her", 8, year=2013, rating=6, verdict="Tired", watched_on=date(2024, 11, 2)),
        film("Her", 9, year=2013, watched_on=date(2025, 1, 1)),
    ]
    text = render(charts.history_view(stats_module.history(reviews, "Her (2013)")))
    assert "Rating ★★★☆☆ → ★★★☆☆, unchanged over 4 viewings." in text
    check_golden("stats/history-her-80.txt", text)


def test_recap_markdown() -> None:
    reviews = [*stats_module.watched_in(sample(), 2024)]
    for review in reviews:
        review.reviewer = "Colton Gomez"
    text = recap.recap(stats_module.compute(reviews, year=2024))
    assert text.startswith("# 2024 in film\n\n*A year of film by Colton Gomez.*\n")
    check_golden("stats/recap-2024.md", text)


# ---------------------------------------------------------------------------
# Bars


@pytest.mark.parametrize(
    ("value", "maximum", "width", "expected"),
    [
        (0, 5, 10, ""),
        (5, 5, 10, "█" * 10),
        (1, 2, 10, "█" * 5),
        (1, 3, 10, "███▍"),  # 3.33 columns: 27 eighths, rounded from 26.67
        (1, 1000, 10, "▏"),  # tiny but not nothing
        (3, 0, 10, ""),
        (3, 3, 0, ""),
    ],
)
def test_bar_lengths(value: int, maximum: int, width: int, expected: str) -> None:
    assert charts.bar(value, maximum, width) == expected


def test_bar_chart_scales_bars_to_the_largest_value() -> None:
    chart = charts.BarChart([charts.BarRow(Text("a"), 4), charts.BarRow(Text("bb"), 2)], bar_max=8)
    assert render(chart, width=40).splitlines() == ["a   4  ████████", "bb  2  ████"]


@settings(max_examples=60, deadline=None)
@given(
    width=st.integers(min_value=20, max_value=160),
    labels=st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=6),
    values=st.lists(st.integers(min_value=0, max_value=10**6), min_size=6, max_size=6),
)
def test_bar_chart_never_overflows(width: int, labels: list[str], values: list[int]) -> None:
    rows = [
        charts.BarRow(charts.plain(label), value, ("4.25",))
        for label, value in zip(labels, values, strict=False)
    ]
    chart = charts.BarChart(rows, headers=("Genre", "Reviews", "Avg ★"))
    assert widest_line(render(chart, width=width)) <= width


def test_every_layout_fits_narrow_and_wide_consoles() -> None:
    view = charts.stats_view(stats_module.compute(sample()), "All 7 reviews")
    for width in (40, 60, 79, 80, 99, 100, 120, 200):
        assert widest_line(render(view, width=width)) <= width


# ---------------------------------------------------------------------------
# User text is data


def hostile() -> list[Review]:
    return [
        film(
            "[bold]Loud[/bold] \x1b[31mred",
            1,
            genres=["[red]Genre[/red]"],
            directors=["\x1b]8;;http://x\x07Link"],
            cast=["[link=http://x]Actor[/link]"],
            rating=8,
            verdict="<b>bold</b>",
            headline="*stars* _under_ [link](http://x) `code` | pipe &amp; ~~gone~~",
            watched_on=date(2024, 3, 3),
        )
    ]


def test_chart_text_is_never_markup_or_escapes() -> None:
    text = render(charts.stats_view(stats_module.compute(hostile()), "x"), width=120)
    assert "[red]Genre[/red]" in text
    assert "[link=http://x]Actor[/link]" in text
    assert "\x1b" not in text
    assert "␛]8;;http://x␇Link" in text


def test_history_text_is_never_markup_or_escapes() -> None:
    history = stats_module.history(hostile(), "[bold]Loud[/bold] \x1b[31mred")
    text = render(charts.history_view(history), width=120)
    assert "[bold]Loud[/bold] ␛[31mred" in text
    assert "\x1b" not in text


def test_recap_escapes_markdown_and_html_in_user_text() -> None:
    text = recap.recap(stats_module.compute(hostile(), year=2024))
    top = next(line for line in text.splitlines() if line.startswith("1. "))
    assert top == (
        r"1. **\[bold\]Loud\[/bold\] ␛\[31mred** · ★★★★☆ · *\<b\>bold\</b\>* — "
        r"“\*stars\* \_under\_ \[link\](http://x) \`code\` \| pipe \&amp; \~\~gone\~\~”"
    )
    assert "<b>" not in text.replace(r"\<b\>", "")
    assert r"| \[red\]Genre\[/red\] | 1 | 4.00 |" in text


def test_recap_renders_user_text_literally() -> None:
    # markdown-it-py comes with Rich; its CommonMark preset passes raw HTML through, as many
    # sites that render posted Markdown do, so an unescaped tag would show up here.
    from markdown_it import MarkdownIt

    text = recap.recap(stats_module.compute(hostile(), year=2024))
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    assert "<strong>[bold]Loud[/bold] ␛[31mred</strong>" in html
    assert "<em>&lt;b&gt;bold&lt;/b&gt;</em>" in html
    assert "“*stars* _under_ [link](http://x) `code` | pipe &amp;amp; ~~gone~~”" in html
    assert '<td style="text-align:left">[red]Genre[/red]</td>' in html
    for tag in ("<b>", "<a ", "<code>", "<s>", "<del>", "<em>stars"):
        assert tag not in html


def test_recap_escape_keeps_plain_titles_readable() -> None:
    assert recap.escape("Spider-Man: No Way Home (2021)!") == "Spider-Man: No Way Home (2021)!"
    assert recap.escape("Fast & Furious") == "Fast & Furious"
    assert recap.escape("Tom &amp; Jerry") == r"Tom \&amp; Jerry"
    assert recap.escape("a\nb\t c") == "a b c"
    assert recap.escape(None) == ""


@pytest.mark.parametrize("title", ["1. First", "# Heading", "- Item", "> Quote", "a | b"])
def test_recap_escape_is_literal_anywhere_in_a_line(title: str) -> None:
    from markdown_it import MarkdownIt

    # The same escaping as the Markdown export's, so also safe where a line begins.
    html = MarkdownIt("commonmark").enable("table").render(recap.escape(title) + "\n")
    assert html == f"<p>{title.replace('>', '&gt;')}</p>\n"


def test_recap_of_nothing_says_so() -> None:
    assert recap.recap(stats_module.compute([], year=2024)) == (
        "# 2024 in film\n\nNo films logged in 2024.\n"
    )


def test_recap_without_a_year_covers_the_years_watched() -> None:
    text = recap.recap(stats_module.compute(sample()))
    assert text.startswith("# My film journal, 2023–2024\n")
    assert "## Year by year" in text
    assert "| 2023 | 1 | 3.00 |" in text
    assert "## Month by month" not in text
