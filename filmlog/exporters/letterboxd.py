"""Letterboxd's import CSV, with the columns its importer reads best.

LetterboxdURI, imdbID and tmdbID (where known) let Letterboxd find the exact
film; then Title, Year, Directors, Rating (0.5 to 5), WatchedDate, Rewatch,
Tags and Review. The review goes out in the HTML Letterboxd itself uses
(``<i>``, ``<b>``, ``<a href>``, ``<blockquote>``, line breaks and blank-line
paragraphs), rendered from the Markdown by markdown-it with every other rule
turned off: headings, lists, code and raw HTML arrive as the text that was
typed. filmlog reads this file back (see :mod:`filmlog.importers.letterboxd`).

Letterboxd refuses files of 1 MB or more, so the rows are cut into parts
below :data:`LIMIT` bytes, each starting with the header. Cells are written as
they are (no formula guard): this file is for Letterboxd's importer, which
would keep a guard quote as part of the title or review.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from filmlog.exporters import Part, watched_order
from filmlog.model import Review

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

COLUMNS = (
    "LetterboxdURI",
    "imdbID",
    "tmdbID",
    "Title",
    "Year",
    "Directors",
    "Rating",
    "WatchedDate",
    "Rewatch",
    "Tags",
    "Review",
)
LIMIT = 1_000_000
# A Letterboxd address: a film or diary entry page, or its boxd.it short link.
LETTERBOXD_URI = re.compile(r"https?://(?:boxd\.it|(?:www\.)?letterboxd\.com)/\S+")
# The Markdown rules whose HTML Letterboxd shows; everything else stays text.
_RULES = ("blockquote", "newline", "escape", "emphasis", "link", "autolink", "entity")


def _line(cells: Sequence[str]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from markdown_it.common.utils import escapeHtml

    md = MarkdownIt("zero").enable(list(_RULES))
    tags = {"em": "i", "strong": "b"}
    for name, tag in tags.items():
        md.add_render_rule(f"{name}_open", lambda *_, tag=tag: f"<{tag}>")
        md.add_render_rule(f"{name}_close", lambda *_, tag=tag: f"</{tag}>")
    # Letterboxd writes a line break as the break itself.
    md.add_render_rule("hardbreak", lambda *_: "\n")
    md.add_render_rule("softbreak", lambda *_: "\n")

    def link_open(self: object, tokens: list, index: int, *_: object) -> str:  # type: ignore[type-arg]  # markdown-it's rule signature
        href = str(tokens[index].attrGet("href") or "")
        return f'<a href="{escapeHtml(href)}">'

    md.add_render_rule("link_open", link_open)
    return md


def review_html(markdown: str) -> str:
    """A review's Markdown as the HTML Letterboxd exports and imports."""
    if not markdown.strip():
        return ""
    md = _markdown()
    out: list[str] = []
    for token in md.parse(markdown):
        if token.type == "inline":
            html: str = md.renderer.renderInline(  # type: ignore[attr-defined]  # RendererHTML's
                token.children or [], md.options, {}
            )
            out.append(html)
        elif token.type == "paragraph_close":
            out.append("\n\n")
        elif token.type == "blockquote_open":
            out.append("<blockquote>")
        elif token.type == "blockquote_close":
            while out and out[-1] == "\n\n":
                out.pop()
            out.append("</blockquote>\n\n")
    return "".join(out).strip()


def cells(review: Review) -> list[str]:
    """One review's row: stars as 0.5 to 5, the watched date as YYYY-MM-DD, tags comma-joined."""
    from filmlog.parsing import format_stars_number

    uri = review.sources.get("letterboxd", "")
    return [
        uri if LETTERBOXD_URI.fullmatch(uri) else "",
        review.imdb_id or "",
        str(review.tmdb_id) if review.tmdb_id else "",
        review.title,
        str(review.year) if review.year else "",
        ", ".join(review.directors),
        format_stars_number(review.rating) if review.rating is not None else "",
        review.watched_on.isoformat() if review.watched_on else "",
        "true" if review.rewatch else "false",
        # Letterboxd splits tags on commas, so a comma inside one tag would make two.
        ", ".join(tag.replace(",", " ") for tag in review.tags),
        review_html(review.body or ""),
    ]


def export(reviews: Sequence[Review], *, limit: int = LIMIT) -> list[Part]:
    """``letterboxd.csv``, or ``letterboxd-1.csv``, ``letterboxd-2.csv``... when over ``limit``.

    A single review longer than ``limit`` goes alone in its own part (which
    Letterboxd will refuse): it is never cut or dropped.
    """
    header = _line(COLUMNS)
    chunks: list[list[bytes]] = [[header]]
    size = len(header)
    for review in watched_order(reviews):
        line = _line(cells(review))
        if size + len(line) >= limit and len(chunks[-1]) > 1:
            chunks.append([header])
            size = len(header)
        chunks[-1].append(line)
        size += len(line)
    if len(chunks) == 1:
        return [Part("letterboxd.csv", b"".join(chunks[0]))]
    return [Part(f"letterboxd-{n}.csv", b"".join(chunk)) for n, chunk in enumerate(chunks, 1)]
