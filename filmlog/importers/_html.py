"""Review HTML (``i``, ``b``, ``a``, ``p``, ``br``, ``blockquote``) turned into Markdown.

Built on the standard library's ``html.parser``. Text outside tags stays as
written, newlines included. Other tags are dropped and their text kept; a
literal ``<`` in the text is escaped so that it cannot become raw HTML in the
Markdown; links keep only web and mail addresses (a ``javascript:`` link keeps
its text and loses the link).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_EMPHASIS = {"b": "**", "strong": "**", "i": "*", "em": "*"}
_BLOCKS = ("p", "blockquote", "div")
_CONTAINERS = (*_EMPHASIS, "a", *_BLOCKS)
# A "<" that Markdown could read as the start of raw HTML ("<3" cannot be).
_RAW_TAG = re.compile(r"<(?=[A-Za-z/!?]|$)")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_SAFE_LINK = re.compile(r"(?i)(https?://|mailto:)")
# A bare "&" that does not start a complete character reference is text, not markup:
# without this, "&not" in "this&nothing" would become "¬" as browsers' legacy rules have it.
_BARE_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


class _Frame:
    __slots__ = ("attrs", "parts", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parts: list[str] = []


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [_Frame("", {})]
        # The parser may hand over one run of text in pieces ("I <" then "3 this"):
        # it is collected and escaped whole, at the next tag or at the end.
        self.text: list[str] = []

    def flush(self) -> None:
        if self.text:
            self.stack[-1].parts.append(_RAW_TAG.sub(r"\\<", "".join(self.text)))
            self.text.clear()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.flush()
        if tag == "br":
            self.stack[-1].parts.append("\\\n")
        elif tag in _CONTAINERS:
            self.stack.append(_Frame(tag, {k: v for k, v in attrs if v is not None}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.flush()
        if tag == "br":
            self.stack[-1].parts.append("\\\n")

    def handle_endtag(self, tag: str) -> None:
        self.flush()
        # Close back to the matching open tag; a stray end tag is ignored.
        if not any(frame.tag == tag for frame in self.stack[1:]):
            return
        while True:
            frame = self.stack.pop()
            self.stack[-1].parts.append(_render(frame))
            if frame.tag == tag:
                return

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def result(self) -> str:
        self.close()
        self.flush()
        while len(self.stack) > 1:
            frame = self.stack.pop()
            self.stack[-1].parts.append(_render(frame))
        return "".join(self.stack[0].parts)


def _wrap(inner: str, marker: str) -> str:
    """``marker`` around the text, keeping surrounding spaces outside (``** b **`` is not bold)."""
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def _link(inner: str, href: str) -> str:
    href = href.strip()
    if not _SAFE_LINK.match(href):
        return inner
    href = href.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    target = f"<{href}>" if "(" in href or ")" in href else href
    text = inner.strip().replace("[", "\\[").replace("]", "\\]")
    return f"[{text or href}]({target})"


def _render(frame: _Frame) -> str:
    inner = "".join(frame.parts)
    if frame.tag in _EMPHASIS:
        return _wrap(inner, _EMPHASIS[frame.tag])
    if frame.tag == "a":
        return _link(inner, frame.attrs.get("href", ""))
    block = _BLANK_LINES.sub("\n\n", inner).strip()
    if not block:
        return ""
    if frame.tag == "blockquote":
        block = "\n".join(f"> {line}".rstrip() for line in block.split("\n"))
    return f"\n\n{block}\n\n"


def to_markdown(html: str) -> str:
    """Markdown for a review written in Letterboxd's HTML."""
    if "<" not in html and "&" not in html:
        return html.strip()
    converter = _Converter()
    converter.feed(_BARE_AMPERSAND.sub("&amp;", html))
    text = converter.result()
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
