"""Letterboxd's review HTML turned into Markdown that shows what the reviewer wrote.

The result is checked two ways: the exact Markdown for small cases, and what a
Markdown renderer (markdown-it, the one Rich uses) makes of it: the same words,
line breaks and emphasis as the HTML, with every character typed as text shown
as typed.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from filmlog.importers._html import to_markdown
from tests.conftest import examples

SAMPLE = Path(__file__).resolve().parent / "data" / "letterboxd" / "sample" / "reviews.csv"


def rendered(markdown: str) -> str:
    """The HTML a CommonMark renderer (with tables and strikethrough, as Rich) makes."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def lines(text: str) -> list[str]:
    """Text's lines with what Markdown folds away (spacing, blank lines) folded."""
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def shown(markdown: str) -> str:
    """The text a reader sees: the rendered HTML without its tags, entities decoded."""
    text = re.sub(r"<br />\n?", "\n", rendered(markdown))
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@pytest.mark.parametrize(
    ("source", "markdown"),
    [
        ("plain text\n\nsecond paragraph", "plain text\n\nsecond paragraph"),
        ("a poem\nin lines\nof its own", "a poem\\\nin lines\\\nof its own"),
        ("line<br>break<br/>again", "line\\\nbreak\\\nagain"),
        ("line<br />\nbreak", "line\\\nbreak"),
        ("one<br><br>two", "one\n\ntwo"),
        ("<h2>Head</h2>text", "## Head\n\ntext"),
        ("<h1>Big</h1><h3>Small</h3>", "# Big\n\n### Small"),
        ("a<b; <notatag> stays", "a\\<b; \\<notatag\\> stays"),
        ("I <3 this", "I \\<3 this"),
        ("a *word* and _this_ and `code`", "a \\*word\\* and \\_this\\_ and \\`code\\`"),
        ("# not a heading\n- not a list\n1. not a number", None),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "\\<script\\>alert(1)\\</script\\>"),
        ("<u>under</u> and <span>span</span>", "under and span"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("&amp;copy; is typed, &copy; is ©", "\\&copy; is typed, © is ©"),
        ("<blockquote>[clucking]\nToototabon!</blockquote>", "> \\[clucking\\]\\\n> Toototabon!"),
    ],
)
def test_html_to_markdown(source: str, markdown: str | None) -> None:
    result = to_markdown(source)
    if markdown is not None:
        assert result == markdown
    # Whatever the Markdown, a reader sees the text of the HTML.
    text = html.unescape(re.sub(r"<br\s*/?>", "\n", source))
    text = re.sub(r"<(?:/?(?:b|i|u|span|h[1-6]|blockquote))>", "", text)
    if "<h" not in source:
        assert lines(shown(result)) == lines(text)


def test_headings_stay_headings_and_breaks_stay_breaks() -> None:
    page = rendered(to_markdown("<h2>Head</h2>text\nmore"))
    assert page == "<h2>Head</h2>\n<p>text<br />\nmore</p>\n"


def _typed(pieces: list[str], size: int) -> st.SearchStrategy[str]:
    """Text of up to ``size`` of ``pieces``, characters and tags, in any order."""
    return st.lists(st.sampled_from(pieces), max_size=size).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    # A "<" before a letter would start a tag; "<" before a space is a stray one.
    _typed([*"ab \n*_`#->+=|~![]()>&;\\1.", "< ", "<b>", "</b>", "<i>", "<br>"], 40)
)
def test_typed_characters_show_as_typed(source: str) -> None:
    """Text around Letterboxd's tags shows exactly as it was typed, whatever it holds."""
    markdown = to_markdown(source)
    # Only a reference ended by its semicolon is one: "&#65" and "&amp" are text as typed.
    typed = re.sub(r"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)", "&amp;", source)
    expected = html.unescape(re.sub(r"</?[bi]>", "", typed.replace("<br>", "\n")))
    assert lines(shown(markdown)) == lines(expected)


@settings(max_examples=examples(3000, 300), deadline=None)
@given(_typed([*"ab \n*_#->+=\\1.", "<b>", "</b>", "<i>", "<br>", '<a href="https://x.org/">'], 30))
def test_markdown_sent_back_to_letterboxd_reads_back_the_same(source: str) -> None:
    """The Markdown made of a review, exported as Letterboxd's HTML and imported again, is
    the same Markdown: a break that opened a bold or a link leaves no escape behind."""
    from filmlog.exporters.letterboxd import review_html

    markdown = to_markdown(source)
    assert to_markdown(review_html(markdown)) == markdown


def test_an_escape_stays_only_where_a_line_starts() -> None:
    assert to_markdown("<b><br>=1+1</b>") == "**=1+1**"
    assert to_markdown('<a href="https://x.org/"><br />-1') == "[-1](https://x.org/)"
    assert to_markdown("=1+1<br>- two") == "\\=1+1\\\n\\- two"
    assert to_markdown("<blockquote>- x</blockquote>") == "> \\- x"


def test_every_review_of_the_real_sample_shows_its_text() -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    breaks = 0
    for row in rows:
        source = row["Review"]
        markdown = to_markdown(source)
        page = rendered(markdown)
        blocks = re.sub(r"</?(?:p|blockquote)>", "\n", source)
        expected = html.unescape(re.sub(r"<[^>]+>", "", blocks))
        assert [w for w in shown(markdown).split()] == expected.split(), source[:80]
        # Single line breaks (verses, dialogue) stay line breaks.
        inside = re.sub(r"\s*(</?(?:blockquote|p)>)\s*", r"\1", source.strip())
        single = len(re.findall(r"(?<!\n)\n(?!\n)", inside))
        breaks += single
        assert page.count("<br />") == single, source[:80]
        for tag, shown_as in (
            ("a", "a"),
            ("b", "strong"),
            ("i", "em"),
            ("blockquote", "blockquote"),
        ):
            found = len(re.findall(f"<{shown_as}[ >]", page))
            assert found >= len(re.findall(f"<{tag}[ >]", source)), (tag, source[:80])
    assert breaks > 0
