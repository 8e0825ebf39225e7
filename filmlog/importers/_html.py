"""Review HTML, as Letterboxd writes it, turned into Markdown that shows what was written.

Built on the standard library's ``html.parser``. ``i``/``em``, ``b``/``strong``,
``a``, ``p``, ``div``, ``blockquote`` and ``h1`` to ``h6`` become their Markdown;
``br`` and a single line break in the text become Markdown hard breaks (a
backslash at the end of the line), so that verse and dialogue keep their
lines. Formatting Markdown has no way to show (``u``, ``span``, ``s``...) is
dropped and its text kept; any other tag, and a stray ``<``, is text. Every
character of the text that Markdown would read as markup is backslash-escaped,
so ``*word*`` typed in a review shows as typed. Links keep only web and mail
addresses (a ``javascript:`` link keeps its text and loses the link).
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

# Private-use characters stand for a hard break and for emphasis markers while the
# text is put together: whether a "*" can open or close depends on its final neighbours.
_BREAK = "\ue000"
_OPEN = "\ue001"
_CLOSE = "\ue002"
# A heading's "#" until the lines are laid out: a "#" of the text is escaped there.
_HEADING = "\ue003"
_PLACEHOLDERS = re.compile("[\ue000-\ue003]")

_EMPHASIS = {"b": "**", "strong": "**", "i": "*", "em": "*"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = ("p", "blockquote", "div", *_HEADINGS)
_CONTAINERS = (*_EMPHASIS, "a", *_BLOCKS)
# Formatting with no Markdown form: the tag goes, its text stays.
_DROPPED = {"u", "span", "s", "strike", "del", "ins", "small", "big", "font", "sub", "sup"}
_SAFE_LINK = re.compile(r"(?i)(https?://|mailto:)")
# A bare "&" that does not start a complete character reference is text, not markup:
# without this, "&not" in "this&nothing" would become "¬" as browsers' legacy rules have it.
_BARE_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
# Characters that are Markdown (or raw HTML) anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]<>~|])")
# An entity reference such as &copy; would be shown as the character it names.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
# Two breaks in a row are a new paragraph.
_DOUBLE_BREAK = re.compile(f"(?:{_BREAK}[ \t]*){{2,}}")
_SINGLE_NEWLINE = re.compile(r"[ \t]*(?<!\n)\n(?!\n)[ \t]*")


def _escape(text: str) -> str:
    """Text as literal Markdown: markup characters escaped, single newlines as hard breaks.

    What would start a heading, quote or list ("#", "-", "1.") is escaped once the
    lines are laid out, where a line starts (see :func:`_line_starts`).
    """
    text = _BLANK_LINES.sub("\n\n", text)
    text = _ENTITY.sub("\\&", _INLINE.sub(r"\\\1", text))
    return _SINGLE_NEWLINE.sub(_BREAK, text)


class _Frame:
    __slots__ = ("attrs", "parts", "plain", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], *, plain: bool = False) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parts: list[str] = []
        # Emphasis inside the same emphasis adds nothing, and Markdown cannot nest it.
        self.plain = plain


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [_Frame("", {})]
        # The parser may hand over one run of text in pieces ("I <" then "3 this"):
        # it is collected and escaped whole, at the next tag or at the end.
        self.text: list[str] = []

    def flush(self) -> None:
        if not self.text:
            return
        text = "".join(self.text)
        self.text.clear()
        frame = self.stack[-1]
        parts = frame.parts
        # "<br>" and the line break after it, as Letterboxd writes them, are one break.
        if parts and parts[-1] == _BREAK:
            text = re.sub(r"^[ \t]*\n(?![ \t]*\n)", "", text)
        parts.append(_escape(text))

    def literal(self, text: str | None) -> None:
        """Markup that is not one of the known tags: kept as the text it was."""
        if text:
            self.text.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.flush()
            self.stack[-1].parts.append(_BREAK)
        elif tag in _CONTAINERS:
            self.flush()
            if tag in _BLOCKS:
                # Markdown has no block inside emphasis or a link: those end here.
                while self.stack[-1].tag in _EMPHASIS or self.stack[-1].tag == "a":
                    frame = self.stack.pop()
                    self.stack[-1].parts.append(_render(frame))
            elif tag == "a" and any(frame.tag == "a" for frame in self.stack):
                # A link inside a link ends the first, as browsers have it.
                self.handle_endtag("a")
            marker = _EMPHASIS.get(tag)
            plain = marker is not None and any(
                _EMPHASIS.get(frame.tag) == marker for frame in self.stack
            )
            attributes = {k: v for k, v in attrs if v is not None}
            self.stack.append(_Frame(tag, attributes, plain=plain))
        elif tag not in _DROPPED:
            self.literal(self.get_starttag_text())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.flush()
            self.stack[-1].parts.append(_BREAK)
        elif tag not in _DROPPED and tag not in _CONTAINERS:
            self.literal(self.get_starttag_text())

    def handle_endtag(self, tag: str) -> None:
        if tag not in _CONTAINERS:
            if tag not in _DROPPED and tag != "br":
                self.literal(f"</{tag}>")
            return
        # Close back to the matching open tag; a stray end tag is ignored (and does not
        # cut the text around it in two).
        if not any(frame.tag == tag for frame in self.stack[1:]):
            return
        self.flush()
        while True:
            frame = self.stack.pop()
            self.stack[-1].parts.append(_render(frame))
            if frame.tag == tag:
                return

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.literal(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.literal(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.literal(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.literal(f"<![{data}]>")

    def result(self) -> str:
        self.close()
        self.flush()
        while len(self.stack) > 1:
            frame = self.stack.pop()
            self.stack[-1].parts.append(_render(frame))
        return "".join(self.stack[0].parts)


def _wrap(inner: str, marker: str) -> str:
    """``marker`` around each paragraph of the text, keeping spaces and breaks outside."""
    inner = _DOUBLE_BREAK.sub("\n\n", inner)
    if "\n\n" in inner:
        return "\n\n".join(_wrap(part, marker) for part in inner.split("\n\n"))
    core = inner.strip(f" \t\n{_BREAK}")
    if not core:
        return inner
    start = inner.index(core)
    lead, trail = inner[:start], inner[start + len(core) :]
    return f"{lead}{_OPEN}{marker}{core}{_CLOSE}{marker}{trail}"


def _link(inner: str, href: str) -> str:
    inner = _DOUBLE_BREAK.sub("\n\n", inner)
    if "\n\n" in inner:
        # A link's text is one paragraph: each paragraph gets the link.
        return "\n\n".join(_link(part, href) for part in inner.split("\n\n"))
    href = href.strip()
    if not _SAFE_LINK.match(href):
        return inner
    href = href.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    target = f"<{href}>" if "(" in href or ")" in href else href
    text = inner.strip(f" \t\n{_BREAK}")
    return f"[{text or _escape(href)}]({target})"


def _render(frame: _Frame) -> str:
    inner = "".join(frame.parts)
    if frame.tag in _EMPHASIS:
        return inner if frame.plain else _wrap(inner, _EMPHASIS[frame.tag])
    if frame.tag == "a":
        return _link(inner, frame.attrs.get("href", ""))
    block = _breaks(inner)
    if not block:
        return ""
    if frame.tag in _HEADINGS:
        # A heading is one line: breaks inside it become spaces.
        line = " ".join(block.replace("\\\n", " ").split())
        return f"\n\n{_HEADING * _HEADINGS[frame.tag]} {line}\n\n"
    if frame.tag == "blockquote":
        block = "\n".join(f"> {line}".rstrip() for line in block.split("\n"))
    return f"\n\n{block}\n\n"


def _breaks(text: str) -> str:
    """Hard breaks where they mean something, as Markdown writes them; blocks tidied.

    Two breaks in a row are a new paragraph; a break at the start or end of a
    paragraph means nothing in Markdown (and would show as a backslash).
    """
    text = _DOUBLE_BREAK.sub("\n\n", text)
    text = re.sub(f"[ \t]*{_BREAK}[ \t]*(?=\n)", "", text)
    text = re.sub(f"(?<=\n)[ \t]*{_BREAK}", "", text)
    text = _BLANK_LINES.sub("\n\n", text).strip(f" \t\n{_BREAK}")
    # A paragraph that starts indented would become a code block; spaces that end a
    # line mean nothing (or, two of them, a break).
    text = re.sub(r"[ \t]*\n\n[ \t]*", "\n\n", text)
    return re.sub(f"[ \t]*{_BREAK}[ \t]*", "\\\\\n", text)


def _is_space(char: str) -> bool:
    return not char or char.isspace()


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS" if char else False


def _emphasis(text: str) -> str:
    """Keep each emphasis marker pair that Markdown will read as one; drop the others.

    Dropping a pair changes what its neighbours see (a marker reads as punctuation,
    a letter does not), so the others are looked at again until none is dropped.
    """
    # One run ending where another of the same kind begins (``<b>a</b><b>b``) is one run:
    # "**a****b**" would show asterisks.
    for marker in ("**", "*"):
        text = text.replace(f"{_CLOSE}{marker}{_OPEN}{marker}", "")
    while True:
        kept = _keep_read(text)
        if kept == text:
            return text.replace(_OPEN, "").replace(_CLOSE, "")
        text = kept


def _keep_read(text: str) -> str:
    """One pass of :func:`_emphasis`.

    A ``*`` opens only when it is not followed by a space and, if followed by
    punctuation, preceded by a space or punctuation (and the mirror image for
    closing): ``a**"b"**c`` would show its asterisks.
    """
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for index, char in enumerate(text):
        if char == _OPEN:
            stack.append(index)
        elif char == _CLOSE and stack:
            pairs.append((stack.pop(), index))
    drop: set[int] = set()

    def neighbours(at: int, width: int) -> tuple[str, str]:
        before = text[at - 1] if at > 0 else ""
        after = text[at + 1 + width] if at + 1 + width < len(text) else ""
        # A neighbouring marker reads as "*", which is punctuation.
        return (
            "*" if before in (_OPEN, _CLOSE) else before,
            "*" if after in (_OPEN, _CLOSE) else after,
        )

    for start, end in pairs:
        if text[:start].rstrip("*").endswith(_CLOSE):
            # Right after another run ends ("**a***b*"), the markers would run together.
            drop.update((start, end))
            continue
        width = 2 if text.startswith("**", start + 1) else 1
        before, after = neighbours(start, width)
        opens = not _is_space(after) and (
            not _is_punctuation(after) or _is_space(before) or _is_punctuation(before)
        )
        before, after = neighbours(end, width)
        closes = not _is_space(before) and (
            not _is_punctuation(before) or _is_space(after) or _is_punctuation(after)
        )
        if not (opens and closes):
            drop.update((start, end))
    out = []
    skip = 0
    for index, char in enumerate(text):
        if skip:
            skip -= 1
            continue
        if char in (_OPEN, _CLOSE) and index in drop:
            skip = 2 if text.startswith("**", index + 1) else 1
            continue
        out.append(char)  # a kept pair keeps its marks, for the next pass
    return "".join(out)


def to_markdown(html: str) -> str:
    """Markdown for a review written in Letterboxd's HTML."""
    converter = _Converter()
    converter.feed(_BARE_AMPERSAND.sub("&amp;", _PLACEHOLDERS.sub("", html)))
    markdown = _emphasis(_breaks(converter.result()))
    lines = "\n".join(_line_starts(line) for line in markdown.split("\n"))
    return lines.replace(_HEADING, "#")


# What may come before a line's own start: quote markers, indentation, a heading's marker.
_LINE_OPENING = re.compile(rf"(?:[ \t]*>)*[ \t]*(?:{_HEADING}{{1,6}}[ \t]+)?")
_BLOCK_CHARACTER = re.compile(r"[#+\-=]|[0-9]+[.)]")


def _line_starts(line: str) -> str:
    """``line`` with what would start a heading, quote, list or rule escaped where it starts.

    Decided on the lines as they finally are, not as the text is put together: a
    break that opened a bold or a link moves out of it, and one break can end a
    bold before the text of the next. So the Markdown rendered to HTML and read
    again comes back the same: a review exported to Letterboxd and imported
    again is unchanged.
    """
    opening = _LINE_OPENING.match(line)
    at = opening.end() if opening is not None else 0
    bare = _BLOCK_CHARACTER.match(line, at)
    if bare is None:
        return line
    return f"{line[: bare.end() - 1]}\\{line[bare.end() - 1 :]}"
