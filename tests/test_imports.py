"""Import discipline, checked in real processes of the installed ``filmlog``.

Start-up is most of what a one-line command costs, so commands that print
one line must not load Rich at all, only the commands that render a review
body may load Rich's Markdown (about 45 ms), nothing may load pydantic, reads of
reviews leave the watchlist module alone, and the usual config folder is found
without platformdirs; and no two modules import each other, even inside functions.
Each process runs with ``PYTHONPROFILEIMPORTTIME=1`` (the same as ``-X
importtime``), which lists every module imported and nests it under the
module whose import pulled it in, so a failure names the whole chain.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import Result

# What the console script itself imports; any other chain began inside a function.
STARTUP_ROOTS = ("filmlog", "filmlog.launcher", "filmlog.cli")


@dataclass
class Trace:
    """What one process imported, with the module that imported each one."""

    args: tuple[str, ...]
    stdout: str
    modules: list[str]
    parents: dict[str, str | None]

    def loaded(self, prefix: str) -> list[str]:
        """Modules named ``prefix`` or inside the package ``prefix``."""
        return [m for m in self.modules if self._inside(m, prefix)]

    def chain(self, module: str) -> str:
        """``filmlog.cli -> filmlog.cli.reviews -> filmlog.render -> rich.table``."""
        links = [module]
        parent = self.parents.get(module)
        while parent is not None:
            links.append(parent)
            parent = self.parents.get(parent)
        if links[-1] not in STARTUP_ROOTS:
            links[-1] += " (imported inside a function)"
        return " -> ".join(reversed(links))

    @staticmethod
    def _inside(module: str | None, prefix: str) -> bool:
        return module is not None and (module == prefix or module.startswith(prefix + "."))

    def explain(self, prefix: str) -> str:
        """How ``prefix`` got in: the chain to each of its modules that another package imported."""
        entries = [m for m in self.loaded(prefix) if not self._inside(self.parents.get(m), prefix)]
        command = " ".join(("filmlog", *self.args)) if self.args else "completion"
        return f"`{command}` imported {prefix}: " + "; ".join(self.chain(m) for m in entries)


def parse_importtime(stderr: str) -> tuple[list[str], dict[str, str | None]]:
    """Modules in the order their import finished, and each one's importer.

    ``-X importtime`` prints a module after everything it imported, one
    indentation level (two spaces) deeper than its importer, so a module's
    importer is the next line printed one level shallower.
    """
    rows: list[tuple[int, str]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        name_field = line.split("|")[2]
        name = name_field.strip()
        rows.append(((len(name_field) - len(name_field.lstrip()) - 1) // 2, name))
    parents: dict[str, str | None] = {}
    for index, (level, name) in enumerate(rows):
        parent = next((n for lvl, n in rows[index + 1 :] if lvl == level - 1), None)
        parents.setdefault(name, parent if level > 0 else None)
    return [name for _, name in rows], parents


Invoke = Callable[..., Result]
TraceRun = Callable[..., Trace]


@pytest.fixture
def trace(filmlog_exe: str) -> TraceRun:
    def run(*args: str, env: dict[str, str] | None = None) -> Trace:
        full_env = {**os.environ, **(env or {}), "PYTHONPROFILEIMPORTTIME": "1"}
        result = subprocess.run(
            [filmlog_exe, *args], capture_output=True, text=True, env=full_env, timeout=60
        )
        assert result.returncode == 0, result.stderr[-2000:]
        modules, parents = parse_importtime(result.stderr)
        # Without the trace every "not imported" assertion below would pass vacuously.
        assert "filmlog" in modules, "no import trace: is -X importtime working?"
        return Trace(args, result.stdout, modules, parents)

    return run


@pytest.fixture
def journal_with_reviews(cli: Invoke, journal_path: Path) -> Path:
    body = "# Notes\n\nA **quiet** film about *letters*.\n\n- the score\n- the ending"
    for title in ("Arrival", "Her", "Paterson"):
        result = cli("add", title, "--rating", "4", "--genre", "Drama", "--body", body)
        assert result.exit_code == 0, result.stderr
    return journal_path


ONE_LINE_COMMANDS = [
    pytest.param(("--version",), "filmlog ", id="version"),
    pytest.param(
        (
            "add",
            "Columbus",
            "--year",
            "2017",
            "--rating",
            "4.5",
            "--genre",
            "Drama",
            "--director",
            "Kogonada",
            "--cast",
            "John Cho as Jin",
            "--watched",
            "2024-04-01",
            "--body",
            "# Modernism\n\nA film about **buildings**.",
        ),
        "Added #4 Columbus (2017)",
        id="add",
    ),
    pytest.param(("rate", "1", "3.5"), "Rated #1 Arrival", id="rate"),
    pytest.param(("edit", "2", "--headline", "Still good"), "Updated #2 Her", id="edit"),
    pytest.param(("delete", "3", "--yes"), "Deleted #3 Paterson", id="delete"),
    pytest.param(
        ("watchlist", "add", "Tampopo", "--year", "1985", "--tag", "food"),
        "Added to the watchlist: #1 Tampopo (1985)",
        id="watchlist-add",
    ),
]


@pytest.mark.usefixtures("journal_with_reviews")
@pytest.mark.parametrize(("args", "expected"), ONE_LINE_COMMANDS)
def test_one_line_commands_import_no_rich(
    trace: TraceRun, args: tuple[str, ...], expected: str
) -> None:
    result = trace(*args)

    assert result.stdout.startswith(expected)
    assert not result.loaded("rich"), result.explain("rich")
    assert not result.loaded("pydantic"), result.explain("pydantic")


@pytest.mark.usefixtures("journal_with_reviews")
@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        pytest.param("filmlog li", "1", "list", id="command"),
        pytest.param("filmlog search --min", "2", "--min-rating", id="option"),
        pytest.param("filmlog show ", "2", "1", id="review IDs"),
        pytest.param("filmlog list --genre ", "3", "Drama", id="genres"),
    ],
)
def test_shell_completion_imports_no_rich(
    trace: TraceRun, words: str, cword: str, expected: str
) -> None:
    env = {"_FILMLOG_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword}

    result = trace(env=env)

    assert expected in result.stdout.split()
    assert not result.loaded("rich"), result.explain("rich")
    assert not result.loaded("pydantic"), result.explain("pydantic")
    # The journal is read as a table reads it: no reviews built, so no parsing, no TinyDB.
    assert not result.loaded("tinydb"), result.explain("tinydb")
    assert not result.loaded("filmlog.parsing"), result.explain("filmlog.parsing")


@pytest.mark.usefixtures("journal_with_reviews")
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("list",), id="list"),
        pytest.param(("search", "letters"), id="search"),
        pytest.param(("watchlist",), id="watchlist"),
    ],
)
def test_tables_load_rich_table_but_not_markdown(
    trace: TraceRun, cli: Invoke, args: tuple[str, ...]
) -> None:
    assert cli("watchlist", "add", "Paterson").exit_code == 0

    result = trace(*args)

    assert "Paterson" in result.stdout
    assert "rich.table" in result.modules
    assert not result.loaded("rich.markdown"), result.explain("rich.markdown")
    assert not result.loaded("markdown_it"), result.explain("markdown_it")
    assert not result.loaded("pydantic"), result.explain("pydantic")


@pytest.mark.usefixtures("journal_with_reviews")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(("stats",), "All 3 reviews", id="stats"),
        pytest.param(("export", "--format", "json"), '"title": "Paterson"', id="export-json"),
    ],
)
def test_commands_that_render_no_body_never_load_markdown(
    trace: TraceRun, args: tuple[str, ...], expected: str
) -> None:
    result = trace(*args)

    assert expected in result.stdout
    assert not result.loaded("rich.markdown"), result.explain("rich.markdown")
    assert not result.loaded("pydantic"), result.explain("pydantic")


@pytest.mark.usefixtures("journal_with_reviews")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(("list",), "Paterson", id="list"),
        pytest.param(("search", "letters"), "Paterson", id="search"),
        pytest.param(("show", "1"), "Arrival", id="show"),
        pytest.param(("stats",), "All 3 reviews", id="stats"),
    ],
)
def test_reads_never_load_tinydb_or_the_watchlist(
    trace: TraceRun, args: tuple[str, ...], expected: str
) -> None:
    result = trace(*args)

    assert expected in result.stdout
    assert not result.loaded("tinydb"), result.explain("tinydb")
    assert not result.loaded("filmlog.watchlist"), result.explain("filmlog.watchlist")


@pytest.mark.skipif(sys.platform != "linux", reason="elsewhere platformdirs finds the folder")
@pytest.mark.usefixtures("journal_with_reviews")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(("list",), "Paterson", id="list"),
        pytest.param(("rate", "1", "3"), "Rated #1 Arrival", id="rate"),
        pytest.param(("config", "path"), "config.toml", id="config-path"),
    ],
)
def test_the_usual_config_folder_is_found_without_platformdirs(
    trace: TraceRun,
    args: tuple[str, ...],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # The config file's own place, as a person's shell has it: no FILMLOG_CONFIG.
    monkeypatch.delenv("FILMLOG_CONFIG")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    result = trace(*args)

    assert expected in result.stdout
    assert not result.loaded("platformdirs"), result.explain("platformdirs")


@pytest.mark.usefixtures("journal_with_reviews")
def test_writes_never_load_tinydb(trace: TraceRun) -> None:
    # The file keeps TinyDB's layout, but changes are plain dict operations.
    result = trace("rate", "1", "3")

    assert result.stdout.startswith("Rated #1 Arrival")
    assert not result.loaded("tinydb"), result.explain("tinydb")
    # A temporary file's name needs random bytes, not the secrets module (hmac, hashlib).
    assert not result.loaded("secrets"), result.explain("secrets")


@pytest.mark.usefixtures("journal_with_reviews")
def test_show_renders_a_markdown_body_with_rich_markdown(trace: TraceRun) -> None:
    result = trace("show", "1")

    assert "quiet" in result.stdout and "**quiet**" not in result.stdout
    assert "rich.markdown" in result.modules
    assert not result.loaded("pydantic"), result.explain("pydantic")


def test_show_lays_out_a_plain_body_without_the_markdown_parser(
    trace: TraceRun, cli: Invoke
) -> None:
    body = "Two paragraphs of plain prose.\nA soft line break.\n\nThe second one."
    assert cli("add", "Columbus", "--body", body).exit_code == 0

    result = trace("show", "1")

    assert "The second one." in result.stdout
    assert "rich.console" in result.modules
    assert not result.loaded("rich.markdown"), result.explain("rich.markdown")
    assert not result.loaded("markdown_it"), result.explain("markdown_it")


AREAS = (
    "filmlog.cli.reviews",
    "filmlog.cli.insight",
    "filmlog.cli.transfer",
    "filmlog.cli.watchlist",
)


@pytest.mark.usefixtures("journal_with_reviews")
@pytest.mark.parametrize(
    ("args", "area"),
    [
        pytest.param(("list",), "filmlog.cli.reviews", id="list"),
        pytest.param(("--db", "x.json", "stats", "--help"), "filmlog.cli.insight", id="stats"),
        pytest.param(("export", "--help"), "filmlog.cli.transfer", id="export"),
        pytest.param(("watchlist", "--json"), "filmlog.cli.watchlist", id="watchlist"),
    ],
)
def test_a_command_loads_only_its_own_module(
    trace: TraceRun, args: tuple[str, ...], area: str
) -> None:
    result = trace(*args)

    assert area in result.modules
    for other in AREAS:
        if other != area:
            assert other not in result.modules, result.chain(other)


@pytest.mark.usefixtures("journal_with_reviews")
def test_help_loads_every_command(trace: TraceRun) -> None:
    result = trace("--help")

    assert all(area in result.modules for area in AREAS)
    assert "undo" in result.stdout and "import" in result.stdout


def test_the_trace_parser_finds_who_imported_what() -> None:
    stderr = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:         5 |          5 |     typer.core",
            "import time:         5 |         10 |   filmlog.cli.app",
            "import time:         5 |         15 | filmlog.cli",
            "import time:        10 |         10 |       rich.style",
            "import time:        20 |         30 |     rich.table",
            "import time:        30 |         60 |   filmlog.render",
            "import time:        40 |        100 | filmlog.cli.reviews",
            "Error: something the command printed",
            "import time:        50 |         50 | rich.console",
        ]
    )

    modules, parents = parse_importtime(stderr)
    trace = Trace(("list",), "", modules, parents)

    assert modules == [
        "typer.core",
        "filmlog.cli.app",
        "filmlog.cli",
        "rich.style",
        "rich.table",
        "filmlog.render",
        "filmlog.cli.reviews",
        "rich.console",
    ]
    assert trace.chain("typer.core") == "filmlog.cli -> filmlog.cli.app -> typer.core"
    assert trace.chain("rich.style") == (
        "filmlog.cli.reviews (imported inside a function) -> filmlog.render -> rich.table "
        "-> rich.style"
    )
    assert trace.explain("rich") == (
        "`filmlog list` imported rich: filmlog.cli.reviews (imported inside a function) -> "
        "filmlog.render -> rich.table; rich.console (imported inside a function)"
    )


@pytest.mark.usefixtures("journal_with_reviews")
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("--version",), id="version"),
        pytest.param(("list",), id="list"),
        pytest.param(("search", "letters"), id="search"),
        pytest.param(("show", "1"), id="show"),
        pytest.param(("stats",), id="stats"),
        pytest.param(("rate", "1", "3"), id="rate"),
        pytest.param(("delete", "3", "--yes"), id="delete"),
        pytest.param(("add", "Columbus"), id="add-without-credential"),
        pytest.param(("add", "Columbus", "--no-lookup"), id="add-no-lookup"),
    ],
)
def test_only_lookups_load_the_http_client(
    trace: TraceRun, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    if "--no-lookup" in args:
        monkeypatch.setenv("TMDB_API_KEY", "unused")  # set, but the lookup is skipped
    result = trace(*args)

    for package in ("httpx", "httpcore", "filmlog.tmdb.client"):
        assert not result.loaded(package), result.explain(package)


@pytest.mark.usefixtures("tmdb")
def test_a_lookup_loads_the_http_client(trace: TraceRun) -> None:
    result = trace("add", "Her")

    assert result.stdout.startswith("Added #1 Her (2013)")
    assert "httpx" in result.modules
    assert not result.loaded("rich"), result.explain("rich")


@pytest.mark.usefixtures("journal_with_reviews")
@pytest.mark.parametrize(
    ("fmt", "parser"),
    [pytest.param("letterboxd", True, id="letterboxd"), pytest.param("csv", False, id="csv")],
)
def test_only_the_letterboxd_export_loads_the_markdown_parser(
    trace: TraceRun, fmt: str, parser: bool
) -> None:
    result = trace("export", "--format", fmt)

    assert "Paterson" in result.stdout
    # The Letterboxd export renders Markdown to HTML with markdown-it, never with Rich.
    assert bool(result.loaded("markdown_it")) is parser, result.explain("markdown_it")
    assert not result.loaded("rich.markdown"), result.explain("rich.markdown")


@pytest.mark.usefixtures("journal_with_reviews")
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("list",), id="list"),
        pytest.param(("show", "2"), id="show"),
        pytest.param(("search", "--genre", "Drama"), id="search"),
        pytest.param(("stats",), id="stats"),
    ],
)
def test_reads_the_index_answers_load_no_checks_or_backups(
    trace: TraceRun, args: tuple[str, ...]
) -> None:
    """The index was made from a checked journal: such a read checks nothing again."""
    result = trace(*args)

    for module in ("filmlog.validation", "filmlog.backups", "filmlog.prefilter"):
        assert not result.loaded(module), result.explain(module)


@pytest.mark.usefixtures("journal_with_reviews")
def test_importing_an_export_without_a_watchlist_loads_no_watchlist_reader(
    trace: TraceRun, cli: Invoke, tmp_path: Path
) -> None:
    export = tmp_path / "export.json"
    assert cli("export", "--format", "json", "-o", str(export)).exit_code == 0
    result = trace("import", str(export))

    assert "Imported" in result.stdout
    # Nor, through it, the CSV readers of Letterboxd's and IMDb's watchlists; and with no
    # watchlist on either side, the merge leaves the watchlist's own merge unloaded.
    for module in (
        "filmlog.importers.watchlist",
        "filmlog.importers.letterboxd",
        "csv",
        "filmlog.watchlist_merge",
    ):
        assert not result.loaded(module), result.explain(module)


def _imports_of(path: Path, package: Path) -> set[str]:
    """The filmlog modules a module imports anywhere in it, deferred imports included."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from filmlog import storage` imports the module filmlog.storage.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    modules = {_module_name(p, package) for p in package.rglob("*.py")}
    return {name for name in found if name in modules}


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_two_modules_import_each_other_even_inside_functions() -> None:
    """The package's import graph, deferred imports included, has no cycle (a package and
    its own modules aside: importing filmlog.x runs filmlog/__init__.py first)."""
    import filmlog

    package = Path(filmlog.__file__).parent
    graph = {
        _module_name(path, package): _imports_of(path, package) for path in package.rglob("*.py")
    }

    def related(one: str, two: str) -> bool:
        return one.startswith(two + ".") or two.startswith(one + ".")

    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        path.append(module)
        for other in sorted(graph[module]):
            if other == module or related(module, other):
                continue
            if state.get(other) == 1:
                cycles.append([*path[path.index(other) :], other])
            elif other not in state:
                walk(other, path)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [])
    assert cycles == []
