"""Settings kept in a TOML file, ``config.toml`` in the user config folder.

``FILMLOG_CONFIG`` names another file. Every setting has a flag or an
environment variable that overrides it; the file only changes defaults.
Reading a file that does not exist costs a ``stat`` and nothing else, so
commands may ask for a setting freely. Only ``filmlog config set/unset``
write the file.

Unknown keys in the file (a newer filmlog's, or a typo) are ignored by the
commands and reported by ``filmlog config list``; ``config set`` refuses them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filmlog.errors import FilmlogError, InvalidInput

ENV_VAR = "FILMLOG_CONFIG"
FILE_NAME = "config.toml"


class ConfigError(FilmlogError):
    """The config file cannot be read, or holds a value filmlog cannot use."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput("must be text")
    if not value.strip():
        raise InvalidInput("must not be empty (use 'filmlog config unset' to remove it)")
    return value


def _absolute_path(value: Any) -> str:
    text = _text(value)
    if not Path(text).expanduser().is_absolute():
        raise InvalidInput("must be an absolute path (or start with ~)")
    return text


def _zone(value: Any) -> str:
    import zoneinfo

    text = _text(value)
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            f"{text!r} is not a time zone: use an IANA name such as Europe/Paris"
        ) from None
    return text


def _pattern(regex: str, example: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = _text(value)
        if not re.fullmatch(regex, text):
            raise InvalidInput(f"{text!r} is not valid: use a code like {example}")
        return text

    return check


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"must be a whole number from {low} to {high}")
        if not low <= value <= high:
            raise InvalidInput(f"must be a whole number from {low} to {high}")
        return value

    return check


def _seconds(value: Any) -> float | int:
    if isinstance(value, str):
        try:
            value = int(value) if value.strip().isdigit() else float(value)
        except ValueError:
            raise InvalidInput("must be a number of seconds, e.g. 10 or 2.5") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput("must be a number of seconds, e.g. 10 or 2.5")
    if not 0 < value <= 600:
        raise InvalidInput("must be more than 0 and at most 600 seconds")
    return value


class Key:
    """A setting filmlog knows: its name, what it means, how a value is checked."""

    # Plain classes here, not dataclasses: every command reads the config at start-up, and
    # making a dataclass costs most of a millisecond.
    __slots__ = ("check", "help", "name", "secret")

    def __init__(
        self, name: str, help: str, check: Callable[[Any], Any] = _text, secret: bool = False
    ) -> None:
        self.name = name
        self.help = help
        self.check = check
        self.secret = secret


KEYS: dict[str, Key] = {
    key.name: key
    for key in (
        Key("journal", "Journal file (absolute path). Overridden by --db and $FILMLOG_DB.",
            _absolute_path),
        Key("reviewer", "Your name on new reviews. Overridden by --reviewer, $FILMLOG_REVIEWER."),
        Key("editor", "Editor command for review text. Overridden by $FILMLOG_EDITOR."),
        Key("pager", "Pager for long output ('' or cat: none). Overridden by $FILMLOG_PAGER."),
        Key("timezone", "IANA zone for 'today' and local times. Overridden by $FILMLOG_TIMEZONE.",
            _zone),
        Key("tmdb.api_key", "TMDB API key (v3).", secret=True),
        Key("tmdb.token", "TMDB read access token (v4).", secret=True),
        Key("tmdb.language", "TMDB language, e.g. en-US.",
            _pattern(r"[a-z]{2}(-[A-Z]{2})?", "en-US")),
        Key("tmdb.region", "TMDB region for release dates, e.g. US.", _pattern(r"[A-Z]{2}", "US")),
        Key("tmdb.cast_limit", "How many cast members to keep from TMDB.", _whole(0, 1000)),
        Key("tmdb.timeout", "Seconds to wait for TMDB.", _seconds),
    )
}  # fmt: skip


def config_path() -> Path:
    """The config file: ``$FILMLOG_CONFIG``, else ``config.toml`` in the user config folder."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from filmlog.paths import plain_user_folder

    folder = plain_user_folder("XDG_CONFIG_HOME", ".config")
    if folder is None:
        from platformdirs import user_config_path

        folder = user_config_path("filmlog", appauthor=False)
    return folder / FILE_NAME


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{key}."))
        else:
            flat[key] = value
    return flat


class Config:
    """The settings in one config file, checked; unknown keys are kept aside."""

    __slots__ = ("exists", "path", "table")

    def __init__(
        self, path: Path, exists: bool = False, table: dict[str, Any] | None = None
    ) -> None:
        self.path = path
        self.exists = exists
        self.table: dict[str, Any] = {} if table is None else table  # as TOML nests it

    def values(self) -> dict[str, Any]:
        """Every known setting in the file, by dotted key."""
        return {k: v for k, v in _flatten(self.table).items() if k in KEYS}

    def unknown(self) -> list[str]:
        """Dotted keys in the file that filmlog does not know (they are ignored)."""
        return [k for k in _flatten(self.table) if k not in KEYS]

    def get(self, key: str) -> Any | None:
        """The value of a dotted key such as ``tmdb.api_key``, or None when not set."""
        value: Any = self.table
        for part in key.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return None if isinstance(value, dict) else value

    def check(self) -> None:
        """Raise :class:`ConfigError` for the first known key whose value is not valid."""
        for key, value in self.values().items():
            try:
                KEYS[key].check(value)
            except InvalidInput as exc:
                raise ConfigError(
                    f"config file {self.path}: {key} {exc} "
                    f"(change it with 'filmlog config set {key} VALUE' or 'unset')"
                ) from None


_cache: dict[tuple[Path, int, int], Config] = {}


def read(path: Path | None = None, *, strict: bool = True) -> Config:
    """The config in ``path`` (default :func:`config_path`); a missing file is empty.

    A file TOML cannot parse raises :class:`ConfigError` naming the file and the
    line. With ``strict``, so does a known key with a value filmlog cannot use.
    """
    path = config_path() if path is None else path
    try:
        status = path.stat()
    except FileNotFoundError:
        return Config(path)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    stamp = (path, status.st_mtime_ns, status.st_size)
    found = _cache.get(stamp)
    if found is None:
        found = Config(path, exists=True, table=_parse(path))
        _cache.clear()
        _cache[stamp] = found
    if strict:
        found.check()
    return found


def load() -> Config:
    """The settings of this process's config file, checked (cached while the file is unchanged)."""
    return read()


def values() -> dict[str, Any]:
    """Every known setting in the config file, by dotted key."""
    return load().values()


def timezone() -> str | None:
    """The zone the settings choose: ``$FILMLOG_TIMEZONE``, else the config's ``timezone``."""
    zone = os.environ.get("FILMLOG_TIMEZONE")
    if not zone:
        found: str | None = load().get("timezone")
        return found
    try:
        return _zone(zone)
    except InvalidInput as exc:
        raise InvalidInput(f"FILMLOG_TIMEZONE: {exc}") from None


def _parse(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        # Installed only on 3.10, where mypy checks this branch.
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        table: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not UTF-8 text (bad byte at position {exc.start})"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        # The message ends with "(at line L, column C)".
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return table


def parse_value(key: str, text: str) -> Any:
    """``text`` from the command line as the value ``key`` stores, checked."""
    known = KEYS.get(key)
    if known is None:
        raise InvalidInput(f"unknown setting {key!r}; known: {', '.join(KEYS)}")
    try:
        return known.check(text)
    except InvalidInput as exc:
        raise InvalidInput(f"{key} {exc}") from None


def mask(key: str, value: Any) -> str:
    """A value as ``config list`` shows it: secrets keep only their last four characters."""
    text = str(value)
    if KEYS[key].secret:
        return "****" + text[-4:] if len(text) > 8 else "****"
    return text


def _write(config: Config) -> None:
    import tomli_w

    from filmlog.errors import StorageError
    from filmlog.files import atomic_write

    payload = tomli_w.dumps(config.table).encode("utf-8")
    try:
        if config.exists:
            # It may hold an API key: only its owner reads it, whatever mode it was made with.
            os.chmod(config.path, 0o600)
        atomic_write(config.path, payload)
    except (OSError, StorageError) as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
        reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else cause
        raise ConfigError(f"cannot write config file {config.path}: {reason}") from None


def set_value(key: str, text: str) -> Any:
    """Check ``text`` as ``key``'s value and save it in the config file; the value saved."""
    value = parse_value(key, text)
    config = read(strict=False)
    table = config.table = _copy(config.table)
    *parents, last = key.split(".")
    for part in parents:
        inner = table.get(part)
        if not isinstance(inner, dict):
            inner = table[part] = {}
        table = inner
    table[last] = value
    _write(config)
    return value


def unset(key: str) -> bool:
    """Remove ``key`` from the config file; False when it was not set."""
    config = read(strict=False)
    table = config.table = _copy(config.table)
    *parents, last = key.split(".")
    chain = [table]
    for part in parents:
        inner = chain[-1].get(part)
        if not isinstance(inner, dict):
            return False
        chain.append(inner)
    if last not in chain[-1]:
        return False
    del chain[-1][last]
    # Drop tables the removal left empty, so the file does not fill with empty [tmdb]s.
    for parent, part in zip(reversed(chain[:-1]), reversed(parents), strict=True):
        if parent[part] == {}:
            del parent[part]
    _write(config)
    return True


def _copy(table: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in table.items()}
