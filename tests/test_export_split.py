"""export --format markdown --split: one blog post per review, safe names, safe front matter."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from filmlog.exporters._frontmatter import KEYS, dump, load, split
from filmlog.exporters.markdown import file_names, slug
from filmlog.model import CastMember, Review
from filmlog.storage import Journal
from tests.conftest import Invoke

MDT = timezone(timedelta(hours=-6))
NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}|undated)-[a-z0-9]+(-[a-z0-9]+)*\.md$")


def store(path: Path, *reviews: Review) -> list[Review]:
    with Journal(path).transaction() as session:
        return session.add_many(reviews)


def front_matter(text: str) -> dict[str, object]:
    matter, _ = split(text)
    data = yaml.safe_load(matter)
    assert isinstance(data, dict)
    return data


def test_split_writes_one_post_per_review_with_front_matter(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    (review,) = store(
        journal_path,
        Review(
            title="Her",
            original_title="Her",
            tmdb_id=152601,
            imdb_id="tt1798709",
            year=2013,
            release_date=date(2013, 12, 18),
            directors=["Spike Jonze"],
            cast=[CastMember("Joaquin Phoenix", "Theodore")],
            genres=["Romance", "Sci-Fi"],
            mpaa="R",
            runtime=126,
            rating=7,
            verdict="Good",
            headline="Screens",
            body="The *body*, as written.\n",
            tags=["favourites"],
            liked=True,
            rewatch=True,
            reviewer="Ana",
            watched_on=date(2024, 4, 12),
            logged_at=datetime(2024, 4, 13, 1, 21, tzinfo=MDT),
            logged_zone="America/Denver",
            updated_at=datetime(2024, 4, 14, 9, 0, tzinfo=MDT),
            sources={"letterboxd": "https://boxd.it/abc"},
        ),
    )
    posts = tmp_path / "posts"
    result = cli("export", "--split", str(posts))
    assert result.exit_code == 0, result.stderr
    assert "Exported 1 review" in result.stderr
    assert [p.name for p in posts.iterdir()] == ["2024-04-12-her.md"]
    text = (posts / "2024-04-12-her.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Her\n")
    assert text.endswith("---\n\nThe *body*, as written.\n")
    data = front_matter(text)
    assert list(data) == list(KEYS)
    assert data == {
        "title": "Her",
        "original_title": "Her",
        "year": 2013,
        "watched": date(2024, 4, 12),
        "rating": 3.5,
        "half_stars": 7,
        "verdict": "Good",
        "headline": "Screens",
        "genres": ["Romance", "Sci-Fi"],
        "mpaa": "R",
        "runtime": 126,
        "released": date(2013, 12, 18),
        "directors": ["Spike Jonze"],
        "cast": [{"actor": "Joaquin Phoenix", "role": "Theodore"}],
        "tags": ["favourites"],
        "liked": True,
        "rewatch": True,
        "reviewer": "Ana",
        "date": "2024-04-13T01:21:00-06:00",
        "logged_zone": "America/Denver",
        "updated": "2024-04-14T09:00:00-06:00",
        "id": review.id,
        "uuid": review.uuid,
        "tmdb_id": 152601,
        "imdb_id": "tt1798709",
        "sources": {"letterboxd": "https://boxd.it/abc"},
    }


@pytest.mark.parametrize(
    "title",
    ["../../etc/passwd", "..", "/", ".", "/etc/passwd", "..\\..\\win", "CON", "a/../../b", "\x00"],
)
def test_no_title_can_name_a_path_outside_the_folder(
    cli: Invoke, journal_path: Path, tmp_path: Path, title: str
) -> None:
    store(journal_path, Review(title=title, watched_on=date(2024, 1, 2)))
    posts = tmp_path / "deep" / "posts"
    before = {p for p in tmp_path.rglob("*")}
    result = cli("export", "--split", str(posts))
    assert result.exit_code == 0, result.stderr
    created = {p for p in tmp_path.rglob("*")} - before
    files = [p for p in created if p.is_file()]
    assert len(files) == 1
    assert files[0].parent == posts
    assert NAME.match(files[0].name), files[0].name
    assert load(files[0].read_text(encoding="utf-8"))[0].title == title


def test_slugs() -> None:
    assert slug("Her") == "her"
    assert slug("Amélie") == "amelie"
    assert slug("  The  Matrix: Reloaded! ") == "the-matrix-reloaded"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("千と千尋の神隠し") == ""
    long = slug("word " * 40)
    assert len(long) <= 60 and not long.endswith("-")


def test_file_names_are_unique_ignoring_case_and_fall_back_for_empty_slugs() -> None:
    day = date(2024, 1, 2)
    reviews = [
        Review(title="Her", id=1, watched_on=day),
        Review(title="HER", id=2, watched_on=day),
        Review(title="千と千尋の神隠し", id=3, watched_on=day),
        Review(title="Undated", id=4),
        Review(title="Logged", id=5, logged_at=datetime(2023, 5, 6, tzinfo=MDT)),
    ]
    assert file_names(reviews) == [
        "2024-01-02-her.md",
        "2024-01-02-her-2.md",
        "2024-01-02-review-3.md",
        "undated-undated.md",
        "2023-05-06-logged.md",
    ]


HOSTILE_TITLES = [
    'He said "yes": no',
    "title: injected\nrating: 5",
    "x\n---\nevil: true",
    "---",
    "...",
    "yes",
    "null",
    "~",
    "2024-01-01",
    "1.5",
    "- a list",
    "{a: b}",
    "[1, 2]",
    "&anchor",
    "*alias",
    "!!python/object/apply:os.system ['rm -rf /']",
    "# comment",
    "'single' \"double\" \\back",
    "tab\there\rcarriage\x85next\u2028line\ufeffbom\x00nul\x1b[31m",
    "emoji 🎬 and ★½",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_front_matter_stays_valid_yaml_whatever_the_title_holds(title: str) -> None:
    review = Review(
        title=title,
        id=1,
        verdict=title,
        tags=[title],
        cast=[CastMember(title, title)],
        sources={title: title},
        body="---\nnot: front matter\n---\n",
    )
    text = dump(review)
    data = front_matter(text)
    assert list(data) == list(KEYS)
    assert data["title"] == title
    assert data["verdict"] == title
    assert data["tags"] == [title]
    assert data["cast"] == [{"actor": title, "role": title}]
    assert data["sources"] == {title: title}
    assert data["half_stars"] is None
    # Every key and value sits on its own lines: nothing the title holds starts a line.
    lines = split(text)[0].splitlines()
    assert all(not line.startswith(("---", "...")) for line in lines)
    back, original_id = load(text)
    assert back.to_dict() == review.to_dict()
    assert original_id == 1


def test_existing_files_are_not_replaced_without_force(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    store(journal_path, Review(title="Her", watched_on=date(2024, 4, 12), body="new"))
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2024-04-12-her.md").write_text("my edited post", encoding="utf-8")
    result = cli("export", "--split", str(posts))
    assert result.exit_code == 1
    assert "2024-04-12-her.md already exists" in result.stderr
    assert "nothing was written" in result.stderr
    assert (posts / "2024-04-12-her.md").read_text(encoding="utf-8") == "my edited post"
    assert cli("export", "--split", str(posts), "--force").exit_code == 0
    assert (posts / "2024-04-12-her.md").read_text(encoding="utf-8").endswith("\nnew")
    assert sorted(p.name for p in posts.iterdir()) == ["2024-04-12-her.md"]


def test_one_existing_file_stops_every_file_from_being_written(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    store(
        journal_path,
        Review(title="A", watched_on=date(2024, 1, 1)),
        Review(title="B", watched_on=date(2024, 1, 2)),
    )
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2024-01-02-b.md").write_text("mine", encoding="utf-8")
    assert cli("export", "--split", str(posts)).exit_code == 1
    assert sorted(p.name for p in posts.iterdir()) == ["2024-01-02-b.md"]


def test_a_file_where_the_folder_should_be(cli: Invoke, journal_path: Path, tmp_path: Path) -> None:
    store(journal_path, Review(title="A"))
    (tmp_path / "posts").write_text("a file", encoding="utf-8")
    result = cli("export", "--split", str(tmp_path / "posts"))
    assert result.exit_code == 1
    assert "is not a folder" in result.stderr


def test_a_body_is_kept_byte_for_byte(tmp_path: Path) -> None:
    for body in (None, "", "\n", "\r\n", "x", "---\n", "\n\nlead\r\ntrail  \n\n"):
        text = dump(Review(title="T", body=body))
        assert load(text)[0].body == body, repr(body)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no front matter", "does not start with front matter"),
        ("---\ntitle: x\n", "never ends"),
        ("---\ntitle: [unclosed\n---\n", "not valid YAML"),
        ("---\n- a\n- b\n---\n", "not a set of 'key: value' lines"),
        ("---\nuuid: u\n---\n", "no title"),
        ("---\ntitle: T\n---\n", "no uuid"),
        ("---\ntitle: T\nuuid: u\nyear: soon\n---\n", "'year' must be a whole number"),
        ("---\ntitle: T\nuuid: u\nliked: maybe\n---\n", "'liked' must be true or false"),
        ("---\ntitle: T\nuuid: u\nhalf_stars: 11\n---\n", "rating must be 1 to 10"),
    ],
)
def test_load_refuses_bad_files_with_a_reason(text: str, reason: str) -> None:
    from filmlog.errors import InvalidInput

    with pytest.raises(InvalidInput, match=re.escape(reason)):
        load(text)


def test_load_reads_hand_edited_front_matter() -> None:
    review, original_id = load(
        "---\r\ntitle: 1984\r\nuuid: abc\r\nrating: 3.5\r\ncast: [Tilda Swinton as Orlando]\r\n"
        "date: 2024-04-13 21:30:00-06:00\r\nwatched: '2024-04-12'\r\n---\r\n\r\nBody\r\n"
    )
    assert review.title == "1984"
    assert review.rating == 7
    assert review.cast == [CastMember("Tilda Swinton", "Orlando")]
    assert review.logged_at == datetime(2024, 4, 13, 21, 30, tzinfo=MDT)
    assert review.watched_on == date(2024, 4, 12)
    assert review.body == "Body\r\n"
    assert original_id is None
