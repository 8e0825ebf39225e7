"""The published review filmlog was designed from: every field it shows survives the round trip."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Invoke
from tests.factories import CAST, HEADLINE, seed_body


def add_seed(cli: Invoke, tmp_path: Path) -> None:
    body = tmp_path / "her.md"
    body.write_text(seed_body(), encoding="utf-8")
    args = ["add", "Her", "--year", "2013", "--released", "December 18, 2013"]
    args += ["--director", "Spike Jonze", "--genre", "Romance", "--genre", "Sci-Fi"]
    for actor, role in CAST:
        args += ["--cast", f"{actor} as {role}"]
    args += ["--mpaa", "R", "--runtime", "2 hr 6 min", "--rating", "★★★★", "--verdict", "Good"]
    args += ["--headline", HEADLINE, "--reviewer", "Colton Gomez"]
    args += ["--logged", "04/13/24 1:21 A.M. Mountain Time", "--watched", "2024-04-12"]
    args += ["--body-file", str(body), "--tag", "romance-month", "--liked", "--first-watch"]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Added #1 Her (2013) ★★★★☆")


def test_seed_review_every_field_round_trips(cli: Invoke, tmp_path: Path) -> None:
    add_seed(cli, tmp_path)
    result = cli("show", "1", "--json")
    assert result.exit_code == 0, result.stderr
    [review] = json.loads(result.stdout)
    assert review["title"] == "Her"
    assert review["year"] == 2013
    assert review["release_date"] == "2013-12-18"
    assert review["directors"] == ["Spike Jonze"]
    assert review["cast"] == [{"actor": a, "role": r} for a, r in CAST]
    assert review["genres"] == ["Romance", "Sci-Fi"]
    assert review["mpaa"] == "R"
    assert review["runtime"] == 126
    assert review["rating"] == 4.0
    assert review["verdict"] == "Good"
    assert review["headline"] == HEADLINE
    assert review["reviewer"] == "Colton Gomez"
    assert review["logged_at"] == "2024-04-13T01:21:00-06:00"
    assert review["watched_on"] == "2024-04-12"
    assert review["body"] == seed_body()
    assert review["tags"] == ["romance-month"]
    assert review["liked"] is True
    assert review["rewatch"] is False
    assert len(review["body"]) > 5000


def test_seed_review_renders_like_the_published_page(cli: Invoke, tmp_path: Path) -> None:
    add_seed(cli, tmp_path)
    result = cli("show", "1", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "Her (2013)" in text
    assert HEADLINE in text
    assert "By Colton Gomez · April 13, 2024 · 1:21 AM MDT" in text
    assert "Romance, Sci-Fi | Rated R | 2 hr 6 min | Released December 18, 2013" in text
    assert "Directed by Spike Jonze" in text
    assert "Joaquin Phoenix (Theodore)" in text
    assert "Good · ★★★★☆" in text
    assert "Watched April 12, 2024" in text
    assert "What can be learned from previous heartbreak?" in text
    assert "\x1b[" not in text  # not a terminal: no colour codes
