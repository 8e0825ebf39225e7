"""A small TMDB v3 look-alike on 127.0.0.1, for tests and the benchmark: no test reaches TMDB.

It serves the answers in ``tests/data/tmdb`` in TMDB's real shapes: a film's
details with credits, release dates and external IDs appended, searches and
``/find`` built from the same films. It checks the credential as TMDB does
(``api_key`` parameter or ``Authorization: Bearer``), records every request,
and plays scripted faults (:meth:`TMDBServer.fail`) and delays on demand.
Standard library only, so ``bench/`` can use it as well.
"""

from __future__ import annotations

import json
import threading
import time
import unicodedata
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).resolve().parent / "data" / "tmdb"
KEY = "test-key-5f1d0c9a7e3b42d8"
TOKEN = "test-token-eyJhbGciOiJIUzI1NiJ9.c2VjcmV0"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Fault:
    status: int
    body: bytes
    headers: dict[str, str]
    delay: float = 0.0


def load_catalog() -> dict[int, dict[str, Any]]:
    """Every ``movie-<id>.json`` answer of the test data, by TMDB ID."""
    films = {}
    for path in sorted(DATA.glob("movie-*.json")):
        film = json.loads(path.read_text(encoding="utf-8"))
        films[film["id"]] = film
    return films


def synthetic_film(tmdb_id: int, title: str, year: int) -> dict[str, Any]:
    """A film shaped like Her's answer, under another ID, title and year (for the benchmark)."""
    her = json.loads((DATA / "movie-152601.json").read_text(encoding="utf-8"))
    her.update(id=tmdb_id, title=title, original_title=title, release_date=f"{year}-06-01")
    her["imdb_id"] = her["external_ids"]["imdb_id"] = f"tt{9000000 + tmdb_id}"
    for country in her["release_dates"]["results"]:
        for entry in country["release_dates"]:
            entry["release_date"] = f"{year}{entry['release_date'][4:]}"
    return her


class TMDBServer:
    """Start with ``with TMDBServer() as server:``; ``server.url`` is the base URL (…/3)."""

    def __init__(self, films: dict[int, dict[str, Any]] | None = None) -> None:
        self.films = load_catalog() if films is None else films
        self.keys = {KEY}
        self.tokens = {TOKEN}
        self.requests: list[Request] = []
        self.faults: deque[Fault] = deque()
        self.busy = 0.0  # seconds with at least one request being answered, for the benchmark
        self._active = 0
        self._busy_since = 0.0
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._http.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}/3"

    def start(self) -> TMDBServer:
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for a loop that must be running
            self._http.shutdown()
            self._thread.join(5)
            self._thread = None
        self._http.server_close()

    def __enter__(self) -> TMDBServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail(
        self,
        status: int,
        body: bytes | str | dict[str, Any] = b"",
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        after: int = 0,
    ) -> None:
        """Answer ``times`` requests with this status and body instead, ``after`` good ones."""
        if isinstance(body, dict):
            body = json.dumps(body)
        raw = body.encode() if isinstance(body, str) else body
        for _ in range(after):
            self.faults.append(Fault(0, b"", {}))  # status 0: answer as usual
        for _ in range(times):
            self.faults.append(Fault(status, raw, dict(headers or {}), delay))

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    # What TMDB answers.

    def answer(self, request: Request) -> tuple[int, Any]:
        if not self._authorised(request):
            return 401, json.loads((DATA / "invalid-api-key.json").read_text())
        parts = request.path.strip("/").split("/")
        if parts[:1] != ["3"]:
            return 404, self._not_found()
        parts = parts[1:]
        if parts == ["search", "movie"]:
            return 200, self._search(request.query)
        if len(parts) == 2 and parts[0] == "movie" and parts[1].isdigit():
            film = self.films.get(int(parts[1]))
            return (200, film) if film is not None else (404, self._not_found())
        if len(parts) == 2 and parts[0] == "find":
            found = [self._result(f) for f in self.films.values() if f.get("imdb_id") == parts[1]]
            return 200, {"movie_results": found, "person_results": [], "tv_results": []}
        return 404, self._not_found()

    def _authorised(self, request: Request) -> bool:
        bearer = request.headers.get("authorization", "")
        if bearer.startswith("Bearer "):
            return bearer.removeprefix("Bearer ") in self.tokens
        return request.query.get("api_key") in self.keys

    @staticmethod
    def _not_found() -> Any:
        return json.loads((DATA / "resource-not-found.json").read_text())

    @staticmethod
    def _result(film: dict[str, Any]) -> dict[str, Any]:
        """A film as search results show it (the shape of search-movie.json)."""
        keys = (
            "adult", "backdrop_path", "id", "original_language", "original_title", "overview",
            "popularity", "poster_path", "release_date", "title", "video", "vote_average",
            "vote_count",
        )  # fmt: skip
        result = {key: film.get(key) for key in keys}
        result["genre_ids"] = [genre["id"] for genre in film.get("genres", [])]
        return result

    def _search(self, query: dict[str, str]) -> dict[str, Any]:
        words = _fold(query.get("query", "")).split()
        year = query.get("year")
        found = [
            self._result(film)
            for film in self.films.values()
            if words
            and any(
                all(word in _fold(film[key] or "").split() for word in words)
                for key in ("title", "original_title")
            )
            and (not year or film.get("release_date", "").startswith(year))
        ]
        found.sort(key=lambda result: -len(words) / len(result["title"].split()))
        return {"page": 1, "results": found, "total_pages": 1, "total_results": len(found)}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm the second waits
            # for the client's delayed ACK, 40 ms a request, which TMDB itself never costs.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                with server._lock:
                    if not server._active:
                        server._busy_since = time.perf_counter()
                    server._active += 1
                split = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(split.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request(split.path, query, headers)
                with server._lock:
                    server.requests.append(request)
                    fault = server.faults.popleft() if server.faults else None
                if fault is not None and fault.status:
                    if fault.delay:
                        time.sleep(fault.delay)
                    status, body, extra = fault.status, fault.body, fault.headers
                else:
                    status, data = server.answer(request)
                    body, extra = json.dumps(data, ensure_ascii=False).encode(), {}
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (a timeout test): nothing to answer
                    pass
                with server._lock:
                    server._active -= 1
                    if not server._active:
                        server.busy += time.perf_counter() - server._busy_since

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the tests read server.requests instead

        return Handler
