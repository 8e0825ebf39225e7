"""Markdown: one document with a section per review, or one blog post per review.

The document shows each review as its panel does (title, headline, byline,
film details, verdict and stars, when it was watched, tags), then the body as
written. The facts are user text placed into Markdown, so their Markdown
characters are escaped and they are kept to one line: a title cannot become a
link, a list or raw HTML. The body is the reviewer's own Markdown and goes out
untouched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from filmlog.exporters import Part, watched_order
from filmlog.model import Review
from filmlog.safe import markdown_line as escape

SLUG_LENGTH = 60


def export(reviews: Sequence[Review], *, split: bool = False) -> list[Part]:
    """One document (``reviews.md``), or with ``split`` one post per review (date-title.md)."""
    ordered = watched_order(reviews)
    if split:
        from filmlog.exporters import _frontmatter

        return [
            Part(name, _frontmatter.dump(review).encode("utf-8"))
            for name, review in zip(file_names(ordered), ordered, strict=True)
        ]
    return [Part("reviews.md", document(ordered).encode("utf-8"))]


def document(reviews: Sequence[Review]) -> str:
    """Every review in the order given, each under a ``#`` heading."""
    return "\n".join(section(review) for review in reviews)


def section(review: Review) -> str:
    """One review: heading, the panel's facts as paragraphs, then the body as written."""
    from filmlog import facts

    paragraphs = [f"# {escape(review.display_title)}"]
    if review.headline and review.headline.strip():
        paragraphs.append(f"**{escape(review.headline)}**")
    byline = " · ".join(
        part
        for part in (
            f"By {escape(review.reviewer)}" if review.reviewer else "",
            facts.logged_time(review),
        )
        if part
    )
    if byline:
        paragraphs.append(f"*{byline}*")
    if meta := facts.metadata_parts(review):
        # The separators are the line's own; only a pipe inside a genre is escaped.
        paragraphs.append(" | ".join(map(escape, meta)))
    people = []
    if review.directors:
        people.append(f"Directed by {escape(', '.join(review.directors))}")
    if review.cast:
        people.append(f"Starring {escape(facts.cast_line(review))}")
    if people:
        # A backslash at the end of a line is a hard line break in CommonMark.
        paragraphs.append("\\\n".join(people))
    if review.verdict or review.rating is not None:
        from filmlog.parsing import format_stars

        verdict = f"**{escape(review.verdict)}**" if review.verdict else ""
        stars = format_stars(review.rating) if review.rating is not None else ""
        paragraphs.append(" · ".join(part for part in (verdict, stars) if part))
    if watched := facts.watched_line(review):
        paragraphs.append(watched)
    if review.tags:
        paragraphs.append(f"Tags: {escape(', '.join(review.tags))}")
    text = "\n\n".join(paragraphs) + "\n"
    if review.body and review.body.strip():
        text += "\n" + review.body.strip("\n") + "\n"
    return text


# Letters that no accent-stripping turns into ASCII, spelled out as their languages do,
# so that "Æon Flux" becomes "aeon-flux" rather than "on-flux".
_LATIN = str.maketrans(
    {
        "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o", "ß": "ss",
        "ẞ": "SS", "Þ": "TH", "þ": "th", "Ð": "D", "ð": "d", "Đ": "D", "đ": "d",
        "Ł": "L", "ł": "l", "Ħ": "H", "ħ": "h", "ı": "i", "Ŀ": "L", "ŀ": "l",
    }
)  # fmt: skip


def slug(title: str) -> str:
    """A file-name-safe slug: ASCII letters, digits and single hyphens, at most 60 characters.

    Letters are spelled in ASCII (``Æ`` as ``AE``, ``é`` as ``e``) rather than dropped.

    Only these characters survive, so no title (``../../etc/passwd``, ``..``,
    ``/``, ``CON``, control characters) can name a folder or a device.
    """
    spelled = title.translate(_LATIN)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) > SLUG_LENGTH:
        cut = words[:SLUG_LENGTH]
        words = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return words


def file_names(reviews: Sequence[Review]) -> list[str]:
    """``2024-04-12-her.md`` for each review: its watched date (else logged date) and slug.

    A title with no letters or digits to keep becomes ``review-<id>``; when two
    reviews would share a name, the later ones get their ID appended. Names
    are compared ignoring case, for case-insensitive file systems.
    """
    names: list[str] = []
    taken: set[str] = set()
    for review in reviews:
        day = review.watched_on or (review.logged_at.date() if review.logged_at else None)
        stem = slug(review.title) or (f"review-{review.id}" if review.id else "review")
        base = f"{day.isoformat() if day else 'undated'}-{stem}"
        name = f"{base}.md"
        if name.casefold() in taken:
            name = f"{base}-{review.id}.md"
            counter = 2
            while name.casefold() in taken:
                name = f"{base}-{review.id}-{counter}.md"
                counter += 1
        taken.add(name.casefold())
        names.append(name)
    return names
