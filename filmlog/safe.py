"""Making user text safe to show on a terminal or place in Markdown, without importing Rich."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, and C1 controls (ESC and CSI start every terminal
# escape), and the bidi embeddings, overrides and isolates, which can make a line show its
# characters in another order than they are stored in (a title that reads as another).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same, as JSON output holds them: inside strings, where \u escapes mean the same.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters that start inline Markdown (emphasis, code, links, strikethrough, raw
# HTML) or end a table cell, anywhere in a line.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
# An ampersand would turn "&copy;" into ©: escaped only where it could start an entity,
# so that "Fast & Furious" stays as it is.
_MARKDOWN_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# What would make a line a heading, quote, list item, table or rule.
_MARKDOWN_LINE_START = re.compile(r"^([#>+\-=]|[0-9]+[.)])")


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the U+2400 block: ␛ for ESC, ␀ for NUL, ...
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"  # a C1 control or a bidi control, named


def json_for_terminal(text: str) -> str:
    """JSON ``text`` with DEL, C1 and bidi controls written as ``\\u`` escapes (same value)."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def clean(text: str) -> str:
    """``text`` with control characters shown as visible symbols, so no escape reaches a terminal.

    Tab and newline are kept. The stored text is never changed: this is for display only.
    """
    return text if text.isprintable() else _CONTROL.sub(_control_picture, text)


def clean_line(text: str) -> str:
    """:func:`clean` for a one-line message: newlines and tabs become visible too."""
    return clean(text).replace("\n", "\u2424").replace("\t", "\u2409")


def markdown_line(text: str | None) -> str:
    """User text as literal Markdown on one line: whitespace collapsed, controls visible
    (:func:`clean`), and every character that could start markup backslash-escaped.

    A backslash before ASCII punctuation always stands for the character itself, so
    the text renders as written wherever it is placed: inside emphasis, in a table
    cell or at the start of a line.
    """
    line = clean(" ".join((text or "").split()))
    line = _MARKDOWN_ENTITY.sub(r"\\&", _MARKDOWN_INLINE.sub(r"\\\1", line))
    return _MARKDOWN_LINE_START.sub(lambda m: f"{m[1][:-1]}\\{m[1][-1]}", line, count=1)
