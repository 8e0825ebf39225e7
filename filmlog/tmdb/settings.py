"""Where lookups go and how: the credential, language, region, cast size and timeout.

Each setting comes from, in order: a command-line flag, the environment, the
config file (dotted keys such as ``tmdb.language``), then the default. The
credential is either a v3 API key (``TMDB_API_KEY``, sent as the ``api_key``
parameter) or a read access token (``TMDB_READ_ACCESS_TOKEN``, sent as
``Authorization: Bearer``); the first place that holds either one supplies it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from filmlog.errors import InvalidInput

DEFAULT_URL = "https://api.themoviedb.org/3"
DEFAULT_LANGUAGE = "en-US"
DEFAULT_REGION = "US"
DEFAULT_CAST_LIMIT = 8
DEFAULT_TIMEOUT = 5.0

# setting -> (environment variable, config key)
SOURCES = {
    "language": ("FILMLOG_TMDB_LANGUAGE", "tmdb.language"),
    "region": ("FILMLOG_TMDB_REGION", "tmdb.region"),
    "cast_limit": ("FILMLOG_TMDB_CAST_LIMIT", "tmdb.cast_limit"),
    "timeout": ("FILMLOG_TMDB_TIMEOUT", "tmdb.timeout"),
}
KEY_ENV = "TMDB_API_KEY"
TOKEN_ENV = "TMDB_READ_ACCESS_TOKEN"
URL_ENV = "FILMLOG_TMDB_URL"
CACHE_ENV = "FILMLOG_CACHE_DIR"

HOW_TO_SET = (
    f"set {KEY_ENV} (a v3 API key) or {TOKEN_ENV} (a read access token) from "
    "https://www.themoviedb.org/settings/api"
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a lookup needs. ``repr`` never shows the credential."""

    api_key: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    language: str = DEFAULT_LANGUAGE
    region: str = DEFAULT_REGION
    cast_limit: int = DEFAULT_CAST_LIMIT
    timeout: float = DEFAULT_TIMEOUT
    base_url: str = DEFAULT_URL
    cache_dir: Path | None = None

    @property
    def has_credential(self) -> bool:
        return bool(self.api_key or self.token)

    def secrets(self) -> list[str]:
        """The credential's values, for scrubbing them out of any text shown."""
        return [s for s in (self.api_key, self.token) if s]


def resolve_settings(
    env: Mapping[str, str],
    config: Mapping[str, object],
    flags: Mapping[str, object] | None = None,
) -> Settings:
    """The settings from flags, then ``env``, then ``config``, then the defaults.

    ``flags`` and ``config`` use the names of :class:`Settings` fields and the
    dotted config keys respectively; a value of None in ``flags`` means "not given".
    Bad values raise InvalidInput naming where they came from.
    """
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    chosen: dict[str, object] = {}
    for name, (variable, key) in SOURCES.items():
        if name in given:
            chosen[name] = _check(name, given[name], f"--{name.replace('_', '-')}")
        elif env.get(variable, "").strip():
            chosen[name] = _check(name, env[variable].strip(), variable)
        elif config.get(key) not in (None, ""):
            chosen[name] = _check(name, config[key], key)
    api_key, token = _credential(env, config)
    url = env.get(URL_ENV, "").strip() or DEFAULT_URL
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(f"{URL_ENV} must be an http:// or https:// address")
    cache = env.get(CACHE_ENV, "").strip()
    return Settings(
        api_key=api_key,
        token=token,
        base_url=url.rstrip("/"),
        cache_dir=Path(cache).expanduser() if cache else None,
        **chosen,  # type: ignore[arg-type]  # each value checked by _check for its field
    )


def _credential(env: Mapping[str, str], config: Mapping[str, object]) -> tuple[str | None, ...]:
    """(api_key, token) from the first of the environment and the config that has one."""
    for key, token, where in (
        (env.get(KEY_ENV), env.get(TOKEN_ENV), "the environment"),
        (config.get("tmdb.api_key"), config.get("tmdb.token"), "the config file"),
    ):
        key = key.strip() if isinstance(key, str) else None
        token = token.strip() if isinstance(token, str) else None
        if key or token:
            for value in (key, token):
                # Sent in a header or a URL: anything but visible ASCII would break both.
                if value and not (value.isascii() and value.isprintable() and " " not in value):
                    raise InvalidInput(f"the TMDB credential in {where} is malformed; {HOW_TO_SET}")
            return key or None, token or None
    return None, None


def _check(name: str, value: object, where: str) -> object:
    """A value checked by the config file's rule for the same setting (one rule for both)."""
    from filmlog.config import KEYS

    if name == "region" and isinstance(value, str):
        value = value.strip().upper()
    try:
        checked = KEYS[SOURCES[name][1]].check(value.strip() if isinstance(value, str) else value)
    except InvalidInput as exc:
        raise InvalidInput(f"{where} {exc}") from None
    return float(checked) if name == "timeout" else checked


def cache_folder(settings: Settings) -> Path:
    """Where answers and small state live: ``FILMLOG_CACHE_DIR``, else the user cache folder."""
    if settings.cache_dir is not None:
        return settings.cache_dir
    from platformdirs import user_cache_path

    return user_cache_path("filmlog", appauthor=False)


def from_environment(flags: Mapping[str, object] | None = None) -> Settings:
    """The settings of this process: ``flags``, its environment, its config file."""
    from filmlog import config

    return resolve_settings(os.environ, config.values(), flags)
