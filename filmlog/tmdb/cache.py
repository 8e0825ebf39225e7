"""TMDB's answers kept on disk, so a film looked up once is found again offline.

One file per answer, named by a hash of the request (path and parameters,
never the credential), holding the time it was stored and the answer. Each
entry is written with :func:`filmlog.files.atomic_write`, so two processes
never see half of one and a crash leaves the old entry or none. It is not
synced to disk: after a power failure an entry may be empty or short, and
an entry that cannot be read is treated as absent, never as an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from filmlog.errors import StorageError
from filmlog.files import atomic_write

MAX_AGE_DAYS = 30
FOLDER = "tmdb"


def request_key(path: str, params: Mapping[str, str]) -> str:
    """A stable name for a request: the same path and parameters, the same key."""
    canonical = orjson.dumps([path, sorted(params.items())])
    return hashlib.sha256(canonical).hexdigest()


class Cache:
    """Answers under ``root``; entries older than ``max_age`` seconds count as absent."""

    def __init__(self, root: Path, *, max_age: float = MAX_AGE_DAYS * 86400) -> None:
        self.root = root / FOLDER
        self.max_age = max_age

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Any | None:
        """The stored answer, or None when absent, too old or unreadable."""
        try:
            entry = orjson.loads(self._path(key).read_bytes())
            stored = entry["stored"]
            if not isinstance(stored, int | float) or time.time() - stored > self.max_age:
                return None
            return entry["answer"]
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
            return None

    def put(self, key: str, answer: Any) -> None:
        """Keep ``answer``; a cache that cannot be written only costs a lookup later."""
        payload = orjson.dumps({"stored": time.time(), "answer": answer})
        with contextlib.suppress(OSError, StorageError):
            # Not synced: an entry lost in a power failure costs one lookup, while two
            # fsyncs per entry would slow every enrichment of many films.
            atomic_write(self._path(key), payload, private=True, durable=False)
