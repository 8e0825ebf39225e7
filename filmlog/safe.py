"""Making user text safe to show on a terminal, without importing Rich."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, and C1 controls (ESC and CSI start every terminal
# escape), and the bidi embeddings, overrides and isolates, which can make a line show its
# characters in another order than they are stored in (a title that reads as another).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same, as JSON output holds them: inside strings, where \u escapes mean the same.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


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
