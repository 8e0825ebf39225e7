"""Running filmlog in a real pseudo-terminal, for what only happens on one (prompts, progress)."""

from __future__ import annotations

import os
import select
import subprocess
import time


def run_in_pty(args: list[str], replies: list[tuple[str, str]], exe: str) -> tuple[int, str]:
    """Run filmlog with a pseudo-terminal as its standard streams; answer each prompt."""
    main, child = os.openpty()
    process = subprocess.Popen(
        [exe, *args], stdin=child, stdout=child, stderr=child, start_new_session=True
    )
    os.close(child)
    seen = b""
    pending = list(replies)
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            if pending and pending[0][0].encode() in seen:
                os.write(main, pending.pop(0)[1].encode() + b"\r")
            if process.poll() is not None and not ready:
                break
        code = process.wait(timeout=30)
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    return code, seen.decode("utf-8", "replace").replace("\r\n", "\n")
