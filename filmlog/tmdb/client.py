"""Asking TMDB: one HTTP client, the disk cache, retries, and errors in one line each.

Only this module imports httpx, and only lookups import this module. The
credential goes in a header (a read access token) or the ``api_key``
parameter (a v3 key) and nowhere else: errors are built here from the status
and the host, never from httpx's messages or URLs, and any text that comes
back is scrubbed of the credential before it is shown.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import orjson

from filmlog.tmdb import NotOnTMDB, TMDBError
from filmlog.tmdb.cache import Cache, request_key
from filmlog.tmdb.film import Candidate, Film, bad_answer, candidates, film, found_by_imdb
from filmlog.tmdb.settings import HOW_TO_SET, Settings, cache_folder

RETRIES_5XX = 2  # a server error is retried twice, after 0.5 s and 1 s
RETRIES_429 = 4  # a rate limit is waited out four times at most
MAX_WAIT = 30.0  # a Retry-After longer than this is not waited for
MAX_ANSWER = 16_000_000  # bytes; a film's answer is tens of kilobytes, so more is not TMDB
DEFAULT_WAIT = 1.0
APPENDED = "credits,release_dates,external_ids"
T = TypeVar("T")


_API_KEY = re.compile(r"(api_key=)[^&\s\"']+")


class _HideKey(logging.Filter):
    """httpx logs each request's URL (at INFO): a program that shows its logs must not show
    the key in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "api_key=" in message:
            record.msg, record.args = _API_KEY.sub(r"\1***", message), ()
        return True


for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_HideKey())


class Client:
    """TMDB's v3 API for filmlog's three questions; use as a context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        refresh: bool = False,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        if not settings.has_credential:
            raise TMDBError(f"no TMDB credential: {HOW_TO_SET}")
        self.settings = settings
        self.refresh = refresh
        # Waits end early when the client is closed, so an interrupted run stops at once
        # instead of sitting out a rate limit in a worker thread.
        self._closed = threading.Event()
        self.sleep = sleep or self._closed.wait
        self.cache = Cache(cache_folder(settings))
        self.requests = 0  # made over the network, for the summary and the tests
        self._host = urlsplit(settings.base_url).netloc or settings.base_url
        headers = {"Accept": "application/json", "User-Agent": "filmlog"}
        if settings.token:
            headers["Authorization"] = f"Bearer {settings.token}"
        self._http = httpx.Client(
            timeout=httpx.Timeout(settings.timeout),
            headers=headers,
            follow_redirects=False,
            # Loading the certificate bundle costs a few hundred milliseconds; a plain-HTTP
            # address (a local mirror, the tests) never uses it, and redirects are not followed.
            verify=settings.base_url.startswith("https://"),
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._closed.set()
        self._http.close()

    def search(self, title: str, year: int | None = None) -> list[Candidate]:
        """Films TMDB finds for ``title`` (released in ``year`` when given), best first."""
        params = {"query": title, "include_adult": "false", "language": self.settings.language}
        if year is not None:
            params["year"] = str(year)
        return self.get("/search/movie", params, candidates, what=f"films called {title!r}")

    def film(self, tmdb_id: int) -> Film:
        """Every fact of one film, in one request."""
        params = {"append_to_response": APPENDED, "language": self.settings.language}

        def read(data: Any) -> Film:
            return film(data, region=self.settings.region, cast_limit=self.settings.cast_limit)

        return self.get(f"/movie/{int(tmdb_id)}", params, read, what=f"film with TMDB ID {tmdb_id}")

    def find_imdb(self, imdb_id: str) -> int | None:
        """The TMDB ID of the film IMDb knows as ``imdb_id``, or None."""
        params = {"external_source": "imdb_id"}
        return self.get(f"/find/{imdb_id}", params, found_by_imdb, what=imdb_id)

    def get(
        self, path: str, params: Mapping[str, str], read: Callable[[Any], T], *, what: str
    ) -> T:
        """``read`` of the JSON answer for ``path``: from the cache, else from TMDB.

        An answer is cached only once ``read`` accepted it, and a cached one it
        refuses (kept by another version of filmlog) is asked for again.
        """
        key = request_key(path, params)
        if not self.refresh:
            cached = self.cache.get(key)
            if cached is not None:
                with contextlib.suppress(TMDBError):
                    return read(cached)
        answer = self._fetch(path, params, what)
        result = read(answer)
        self.cache.put(key, answer)
        return result

    def _fetch(self, path: str, params: Mapping[str, str], what: str) -> Any:
        sent = dict(params)
        if self.settings.api_key and not self.settings.token:
            sent["api_key"] = self.settings.api_key
        url = self.settings.base_url + path
        server_errors = rate_limits = 0
        while True:
            status, headers, body = self._send(url, sent)
            if status == 200:
                try:
                    return orjson.loads(body)
                except orjson.JSONDecodeError:
                    raise bad_answer("not JSON") from None
            if status == 401:
                raise TMDBError(f"TMDB refused the credential (HTTP 401); {HOW_TO_SET}")
            if status == 404:
                raise NotOnTMDB(f"TMDB has no {what}")
            if status == 429:
                wait = retry_after(headers.get("Retry-After"))
                rate_limits += 1
                if rate_limits > RETRIES_429 or wait > MAX_WAIT:
                    raise TMDBError(
                        f"TMDB is limiting requests (HTTP 429) and asks to wait {wait:g} s; "
                        "try again later"
                    )
                self._wait(wait)
                continue
            if 500 <= status < 600:
                server_errors += 1
                if server_errors > RETRIES_5XX:
                    raise TMDBError(f"TMDB is having trouble (HTTP {status}); try again later")
                self._wait(0.5 * server_errors)
                continue
            raise TMDBError(f"TMDB refused the request for {what} (HTTP {status})")

    def _wait(self, seconds: float) -> None:
        self.sleep(seconds)
        if self._closed.is_set():
            raise TMDBError("the lookup was stopped")

    def _send(self, url: str, params: Mapping[str, str]) -> tuple[int, httpx.Headers, bytes]:
        """The status, headers and body of one GET; the body read up to :data:`MAX_ANSWER`."""
        self.requests += 1
        try:
            with self._http.stream("GET", url, params=params) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER:
                        raise bad_answer(f"more than {MAX_ANSWER // 1_000_000} MB")
                return response.status_code, response.headers, bytes(body)
        except httpx.TimeoutException:
            raise TMDBError(
                f"TMDB at {self._host} did not answer within {self.settings.timeout:g} s; "
                "try again, or allow longer with FILMLOG_TMDB_TIMEOUT"
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise TMDBError(
                f"cannot reach TMDB at {self._host} ({self.scrub(_reason(exc))}); "
                "check the network connection"
            ) from None

    def scrub(self, text: str) -> str:
        """``text`` with every form of the credential replaced by ``***``."""
        from urllib.parse import quote, quote_plus

        for secret in self.settings.secrets():
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, "***")
        return text


def _reason(exc: Exception) -> str:
    """What went wrong, in the words of the operating system where it said any."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        cause = cause.__cause__ or cause.__context__
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def retry_after(value: str | None) -> float:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date); 1 when absent."""
    if not value:
        return DEFAULT_WAIT
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return DEFAULT_WAIT
    return max(0.0, when.timestamp() - time.time())
