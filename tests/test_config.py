"""The config file: reading, checking, writing, and what each setting changes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from filmlog import config
from filmlog.errors import InvalidInput
from filmlog.paths import plain_user_folder


@pytest.fixture
def config_file(isolated_env: Path) -> Path:
    return Path(os.environ["FILMLOG_CONFIG"])


def test_the_config_file_comes_from_the_environment(config_file: Path) -> None:
    assert config.config_path() == config_file


def test_the_default_config_file_is_in_the_user_config_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FILMLOG_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))

    path = config.config_path()

    assert path.name == "config.toml" and path.parent.name == "filmlog"
    if sys.platform.startswith("linux"):
        assert path == tmp_path / "xdg" / "filmlog" / "config.toml"


def _use_home(monkeypatch: pytest.MonkeyPatch, home: str, xdg: str | None) -> None:
    """No FILMLOG_CONFIG: the config file is found from HOME and XDG_CONFIG_HOME."""
    monkeypatch.delenv("FILMLOG_CONFIG")
    monkeypatch.setenv("HOME", home)
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)


@pytest.mark.skipif(sys.platform != "linux", reason="the shortcut is taken on Linux only")
@pytest.mark.parametrize(
    ("home", "xdg"),
    [
        pytest.param("/home/ana", None, id="no XDG variable"),
        pytest.param("/home/ana/", "", id="trailing slash, empty variable"),
        pytest.param("/", "  ", id="root home, blank variable"),
    ],
)
def test_the_usual_config_folder_is_found_without_platformdirs(
    monkeypatch: pytest.MonkeyPatch, home: str, xdg: str | None
) -> None:
    from platformdirs import user_config_path

    _use_home(monkeypatch, home, xdg)
    expected = user_config_path("filmlog", appauthor=False)

    assert plain_user_folder("XDG_CONFIG_HOME", ".config") == expected
    assert config.config_path() == expected / "config.toml"


@pytest.mark.parametrize(
    ("home", "xdg"),
    [
        pytest.param("/home/ana", "/srv/settings", id="XDG variable"),
        pytest.param("/home/ana", "settings", id="relative XDG variable"),
        pytest.param("home/ana", None, id="relative home"),
    ],
)
def test_platformdirs_finds_the_config_folder_in_any_other_case(
    monkeypatch: pytest.MonkeyPatch, home: str, xdg: str | None
) -> None:
    from platformdirs import user_config_path

    _use_home(monkeypatch, home, xdg)

    assert plain_user_folder("XDG_CONFIG_HOME", ".config") is None
    assert config.config_path() == user_config_path("filmlog", appauthor=False) / "config.toml"


def test_a_missing_file_is_an_empty_config(config_file: Path) -> None:
    found = config.load()

    assert not found.exists
    assert found.values() == {}
    assert found.get("tmdb.api_key") is None


@pytest.mark.parametrize("exists", [False, True], ids=["missing", "present"])
def test_a_toml_parser_is_imported_only_for_a_file_that_exists(
    config_file: Path, filmlog_exe: str, exists: bool
) -> None:
    if exists:
        config_file.write_text('reviewer = "Ann"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}

    result = subprocess.run(
        [filmlog_exe, "add", "Her"], capture_output=True, text=True, env=env, timeout=60
    )

    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    assert "filmlog.config" in imported
    assert bool(imported & {"tomllib", "tomli"}) == exists
    assert "tomli_w" not in imported


def test_dotted_keys_read_nested_tables(config_file: Path) -> None:
    config_file.write_text(
        'reviewer = "Ann"\n[tmdb]\napi_key = "abcdef123456"\ncast_limit = 8\ntimeout = 2.5\n',
        encoding="utf-8",
    )

    found = config.load()

    assert found.get("reviewer") == "Ann"
    assert found.get("tmdb.api_key") == "abcdef123456"
    assert found.get("tmdb.cast_limit") == 8
    assert found.get("tmdb") is None
    assert config.values() == {
        "reviewer": "Ann",
        "tmdb.api_key": "abcdef123456",
        "tmdb.cast_limit": 8,
        "tmdb.timeout": 2.5,
    }


def test_a_broken_file_is_one_error_naming_the_file_and_line(config_file: Path) -> None:
    config_file.write_text('reviewer = "Ann"\npager = \n', encoding="utf-8")

    with pytest.raises(config.ConfigError) as caught:
        config.load()

    assert str(config_file) in str(caught.value)
    assert "line 2" in str(caught.value)


def test_a_value_of_the_wrong_kind_names_the_key(config_file: Path) -> None:
    config_file.write_text('[tmdb]\ncast_limit = "ten"\n', encoding="utf-8")

    with pytest.raises(config.ConfigError, match=r"tmdb.cast_limit must be a whole number"):
        config.load()
    assert config.read(strict=False).get("tmdb.cast_limit") == "ten"


def test_unknown_keys_are_kept_aside(config_file: Path) -> None:
    config_file.write_text('colour = "auto"\n[tmdb]\nlanguage = "fr-FR"\nfoo = 1\n')

    found = config.load()

    assert found.values() == {"tmdb.language": "fr-FR"}
    assert found.unknown() == ["colour", "tmdb.foo"]


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("reviewer", "Ann Smith", "Ann Smith"),
        ("timezone", "Europe/Paris", "Europe/Paris"),
        ("tmdb.cast_limit", "12", 12),
        ("tmdb.timeout", "2.5", 2.5),
        ("tmdb.timeout", "10", 10),
        ("tmdb.region", "GB", "GB"),
        ("journal", "~/films.json", "~/films.json"),
    ],
)
def test_values_are_parsed_for_their_key(key: str, text: str, expected: object) -> None:
    assert config.parse_value(key, text) == expected


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("timezone", "Mars/Olympus", "is not a time zone"),
        ("tmdb.cast_limit", "many", "whole number"),
        ("tmdb.timeout", "0", "more than 0"),
        ("tmdb.region", "usa", "code like US"),
        ("journal", "films.json", "absolute path"),
        ("reviewer", " ", "must not be empty"),
        ("colour", "auto", "unknown setting 'colour'"),
    ],
)
def test_bad_values_are_refused(key: str, text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        config.parse_value(key, text)


def test_set_and_unset_write_the_file_privately(config_file: Path) -> None:
    config.set_value("tmdb.api_key", "secret-key-1234")
    config.set_value("reviewer", "Ann")

    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert config.load().get("tmdb.api_key") == "secret-key-1234"

    assert config.unset("tmdb.api_key") is True
    assert config.unset("tmdb.api_key") is False
    assert config_file.read_text(encoding="utf-8") == 'reviewer = "Ann"\n'


def test_set_tightens_a_file_others_could_read(config_file: Path) -> None:
    config_file.write_text('reviewer = "Ann"\n', encoding="utf-8")
    config_file.chmod(0o644)

    config.set_value("tmdb.token", "token-0987654321")

    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600


def test_set_keeps_unknown_keys(config_file: Path) -> None:
    config_file.write_text('future = true\n[tmdb]\nlanguage = "fr-FR"\n', encoding="utf-8")

    config.set_value("tmdb.region", "FR")

    found = config.load()
    assert found.get("future") is True
    assert found.values() == {"tmdb.language": "fr-FR", "tmdb.region": "FR"}


def test_secrets_are_masked() -> None:
    assert config.mask("tmdb.api_key", "0123456789abcdef") == "****cdef"
    assert config.mask("tmdb.token", "short") == "****"
    assert config.mask("reviewer", "Ann") == "Ann"


@pytest.mark.parametrize(
    ("home", "xdg"),
    [
        pytest.param("/home/ana", None, id="no variable"),
        pytest.param("/home/ana", "", id="empty variable"),
        pytest.param("/home/ana", "/srv/data", id="XDG variable"),
        pytest.param("home/ana", None, id="relative home"),
    ],
)
def test_the_default_journal_is_where_platformdirs_puts_user_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, home: str, xdg: str | None
) -> None:
    from platformdirs import user_data_path

    from filmlog.storage import default_path

    monkeypatch.delenv("FILMLOG_DB")
    monkeypatch.setenv("FILMLOG_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("HOME", home)
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)

    assert default_path() == user_data_path("filmlog", appauthor=False) / "journal.json"
