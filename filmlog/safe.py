"""Making user text safe to show on a terminal, without importing Rich."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, and C1 controls; ESC starts every terminal escape.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the U+2400 block: ␛ for ESC, ␀ for NUL, ...
    return "\u2421" if code == 0x7F else "\ufffd"


def clean(text: str) -> str:
    """``text`` with control characters shown as visible symbols, so no escape reaches a terminal.

    Tab and newline are kept. The stored text is never changed: this is for display only.
    """
    return text if text.isprintable() else _CONTROL.sub(_control_picture, text)


def clean_line(text: str) -> str:
    """:func:`clean` for a one-line message: newlines and tabs become visible too."""
    return clean(text).replace("\n", "\u2424").replace("\t", "\u2409")
