"""Running filmlog in a real pseudo-terminal, for what only a terminal shows.

Pagers, colour and line editing depend on stdin and stdout being a
terminal, which neither CliRunner nor a piped subprocess gives. The child
gets a pty of a chosen size as its controlling terminal, so Ctrl-C typed
into it becomes SIGINT, as it would for a person.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass

TIMEOUT = 30.0  # generous: the machine may be busy; only a hang reaches it


@dataclass
class Finished:
    output: str  # everything the terminal showed, escapes included
    status: int  # exit status, or 128 + signal


class Terminal:
    """A process on a pty: read what it shows, type into it."""

    def __init__(
        self, argv: Sequence[str], env: dict[str, str], *, rows: int = 24, cols: int = 80
    ) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # pragma: no cover - the child
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            # As a shell starts a command in the foreground: tests run in the background (a
            # CI job, nohup) inherit Ctrl-C ignored, and an ignored signal stays so on exec.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            os.execvpe(argv[0], list(argv), env)
        self.pid, self.fd = pid, fd
        self.seen = b""
        self.mark = 0  # where the last expected text ended

    def _read(self, wait: float) -> bool:
        """Read what is there within ``wait`` seconds; False at end of output."""
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.seen += chunk
        return bool(chunk)

    def expect(self, text: str) -> None:
        """Wait until the terminal has shown ``text`` (after what was expected before)."""
        deadline = time.monotonic() + TIMEOUT
        wanted = text.encode()
        while (found := self.seen.find(wanted, self.mark)) < 0:
            if time.monotonic() > deadline or not self._read(0.2):
                raise AssertionError(f"never saw {text!r}; the screen showed {self.seen!r}")
        self.mark = found + len(wanted)

    def type(self, keys: str | bytes) -> None:
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)

    def interrupt(self) -> Finished:
        """Press Ctrl-C, and again each second until the process ends, as a person does.

        A SIGINT that lands after the prompt is shown but before the process blocks
        reading the answer only marks the signal: the read that starts next waits for
        input, in any Python program. Pressing again interrupts that read.
        """
        self.type(b"\x03")
        return self.finish(again=b"\x03")

    def finish(self, *, again: bytes = b"") -> Finished:
        """Wait for the process to end; ``again``: keys typed again each second until it does
        (see :meth:`interrupt`)."""
        deadline = time.monotonic() + TIMEOUT
        typed = time.monotonic()
        while self._read(0.2):
            if again and time.monotonic() - typed > 1.0:
                self.type(again)
                typed = time.monotonic()
            if time.monotonic() > deadline:
                os.kill(self.pid, 9)
                raise AssertionError(f"still running; the screen showed {self.seen!r}")
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        code = os.waitstatus_to_exitcode(status)
        return Finished(self.seen.decode("utf-8", "replace"), code if code >= 0 else 128 - code)


def run_in_terminal(
    argv: Sequence[str], env: dict[str, str], *, rows: int = 24, cols: int = 80
) -> Finished:
    """Run ``argv`` to the end on a terminal of ``rows`` x ``cols``, typing nothing."""
    return Terminal(argv, env, rows=rows, cols=cols).finish()
