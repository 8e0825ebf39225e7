"""Letterboxd exports as people have them: Windows line ends, ratings kept apart, likes,
newer exports of the same account, and the files filmlog leaves out.

Each export is written here in Letterboxd's own layout (header names, quoting,
a byte-order mark where some tools add one), small enough to read at a glance.
"""

from __future__ import annotations

import re
from pathlib import Path

from filmlog.model import Review
from filmlog.storage import Journal
from tests.conftest import Invoke
from tests.factories import counts

DIARY = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date"
REVIEWS = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date"
FILMS = "Date,Name,Year,Letterboxd URI"
RATINGS = "Date,Name,Year,Letterboxd URI,Rating"


def export(folder: Path, files: dict[str, list[str]], *, crlf: bool = False) -> Path:
    """Write an export folder: ``{"diary.csv": [header, row, ...]}``, lines joined as given."""
    end = "\r\n" if crlf else "\n"
    for name, lines in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(("\ufeff" if crlf else "").encode() + end.join([*lines, ""]).encode())
    return folder


def reviews(journal_path: Path) -> list[Review]:
    return Journal(journal_path).reviews()


def by_uri(journal_path: Path) -> dict[str, Review]:
    return {r.sources["letterboxd"]: r for r in reviews(journal_path) if "letterboxd" in r.sources}


def test_windows_line_ends_leave_no_carriage_return_in_any_field(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    folder = export(
        tmp_path / "lb",
        {
            "diary.csv": [
                DIARY,
                '2024-04-13,Her,2013,https://boxd.it/a1,4,,"sad, sci-fi",2024-04-12',
            ],
            "reviews.csv": [
                REVIEWS,
                '2024-04-13,Her,2013,https://boxd.it/a1,4,,"First paragraph.\r\n\r\n'
                'Second paragraph.","sad, sci-fi",2024-04-12',
            ],
        },
        crlf=True,
    )
    assert cli("import", str(folder)).exit_code == 0
    (her,) = reviews(journal_path)
    assert her.body == "First paragraph.\n\nSecond paragraph."
    assert her.tags == ["sad", "sci-fi"]
    for value in her.to_dict().values():
        assert "\r" not in str(value)
    markdown = cli("export")
    assert "\r" not in markdown.stdout


def test_a_rating_only_in_ratings_csv_reaches_the_diary_entry(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    folder = export(
        tmp_path / "lb",
        {
            "diary.csv": [
                DIARY,
                "2024-04-13,Her,2013,https://boxd.it/a1,,,,2024-04-12",
                "2024-04-14,Heat,1995,https://boxd.it/a2,3,,,2024-04-13",
                "2024-04-20,Alien,1979,https://boxd.it/a3,,,,2024-04-19",
                "2024-04-21,Alien,1979,https://boxd.it/a4,,Yes,,2024-04-20",
            ],
            "ratings.csv": [
                RATINGS,
                "2024-04-13,Her,2013,https://boxd.it/film-her,4.5",
                "2024-04-14,Heat,1995,https://boxd.it/film-heat,5",
                "2024-04-21,Alien,1979,https://boxd.it/film-alien,3.5",
            ],
        },
    )
    assert cli("import", str(folder)).exit_code == 0
    found = by_uri(journal_path)
    assert found["https://boxd.it/a1"].rating == 9
    # The diary entry's own rating is the rating of that viewing: it stays.
    assert found["https://boxd.it/a2"].rating == 6
    # Seen twice, never rated in the diary: the film's rating counts once, on the latest.
    assert (found["https://boxd.it/a3"].rating, found["https://boxd.it/a4"].rating) == (None, 7)
    assert len(found) == 4


def test_liked_films_are_liked(cli: Invoke, journal_path: Path, tmp_path: Path) -> None:
    folder = export(
        tmp_path / "lb",
        {
            "diary.csv": [
                DIARY,
                "2024-04-13,Her,2013,https://boxd.it/a1,4,,,2024-04-12",
                "2024-04-14,Heat,1995,https://boxd.it/a2,3,,,2024-04-13",
            ],
            "watched.csv": [FILMS, "2024-01-01,Alien,1979,https://boxd.it/film-alien"],
            "likes/films.csv": [
                FILMS,
                "2024-04-13,Her,2013,https://boxd.it/film-her",
                "2024-01-01,Alien,1979,https://boxd.it/film-alien",
            ],
        },
    )
    assert cli("import", str(folder)).exit_code == 0
    liked = {r.title: r.liked for r in reviews(journal_path)}
    assert liked == {"Her": True, "Heat": False, "Alien": True}


def test_every_review_keeps_its_letterboxd_uri(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    folder = export(
        tmp_path / "lb",
        {
            "diary.csv": [DIARY, "2024-04-13,Her,2013,https://boxd.it/a1,4,,,2024-04-12"],
            "reviews.csv": [REVIEWS, "2024-04-15,Heat,1995,https://boxd.it/a3,5,,Great.,,"],
            "watched.csv": [FILMS, "2024-01-01,Alien,1979,https://boxd.it/film-alien"],
        },
    )
    assert cli("import", str(folder)).exit_code == 0
    assert sorted(by_uri(journal_path)) == [
        "https://boxd.it/a1",
        "https://boxd.it/a3",
        "https://boxd.it/film-alien",
    ]


FIRST = {
    "diary.csv": [
        DIARY,
        '2024-04-13,Her,2013,https://boxd.it/a1,4,,"sad, sci-fi",2024-04-12',
        "2024-04-14,Heat,1995,https://boxd.it/a2,3,,,2024-04-13",
        "2024-04-15,Alien,1979,https://boxd.it/a3,5,,,2024-04-14",
    ],
    "reviews.csv": [
        REVIEWS,
        '2024-04-13,Her,2013,https://boxd.it/a1,4,,Lovely.,"sad, sci-fi",2024-04-12',
    ],
}
# The same account a month later: Her's rating, tags and text changed, Heat's rating too.
SECOND = {
    "diary.csv": [
        DIARY,
        '2024-04-13,Her,2013,https://boxd.it/a1,4.5,,"sad, sci-fi, 2010s",2024-04-12',
        "2024-04-14,Heat,1995,https://boxd.it/a2,4,,,2024-04-13",
        "2024-04-15,Alien,1979,https://boxd.it/a3,5,,,2024-04-14",
    ],
    "reviews.csv": [
        REVIEWS,
        '2024-04-13,Her,2013,https://boxd.it/a1,4.5,,"Lovely, <i>really</i>.",'
        '"sad, sci-fi, 2010s",2024-04-12',
    ],
}


def test_a_newer_export_updates_what_changed_on_letterboxd(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    assert cli("import", str(export(tmp_path / "one", FIRST))).exit_code == 0
    alien = by_uri(journal_path)["https://boxd.it/a3"]
    result = cli("import", str(export(tmp_path / "two", SECOND)))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert counts(result.stdout)["Updated"] == 2
    assert counts(result.stdout)["Already present, skipped"] == 1
    found = by_uri(journal_path)
    her = found["https://boxd.it/a1"]
    assert (her.rating, her.tags, her.body) == (9, ["sad", "sci-fi", "2010s"], "Lovely, *really*.")
    assert found["https://boxd.it/a2"].rating == 8
    assert found["https://boxd.it/a3"] == alien
    again = cli("import", str(tmp_path / "two"))
    assert counts(again.stdout)["Updated"] == 0


def test_a_field_changed_in_filmlog_is_never_overwritten(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    assert cli("import", str(export(tmp_path / "one", FIRST))).exit_code == 0
    her = by_uri(journal_path)["https://boxd.it/a1"]
    heat = by_uri(journal_path)["https://boxd.it/a2"]
    # Her's rating changed here and on Letterboxd; Heat's tags only here.
    assert cli("rate", str(her.id), "2").exit_code == 0
    assert cli("edit", str(heat.id), "--tag", "crime").exit_code == 0
    result = cli("import", str(export(tmp_path / "two", SECOND)))
    assert result.exit_code == 0, result.stdout + result.stderr
    found = by_uri(journal_path)
    her = found["https://boxd.it/a1"]
    assert her.rating == 4  # filmlog's value kept
    assert her.tags == ["sad", "sci-fi", "2010s"]  # changed on Letterboxd only
    assert her.body == "Lovely, *really*."
    heat = found["https://boxd.it/a2"]
    assert (heat.rating, heat.tags) == (8, ["crime"])
    assert "Changed in filmlog and on Letterboxd" in result.stdout
    assert re.search(r"Her \(2013\)\s+rating", result.stdout)
    # Reported once: the next import of the same export has nothing new to say.
    again = cli("import", str(tmp_path / "two"))
    assert "Changed in filmlog and on Letterboxd" not in again.stdout
    assert by_uri(journal_path)["https://boxd.it/a1"].rating == 4


def test_the_summary_counts_every_row_including_those_left_out(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    folder = export(
        tmp_path / "lb",
        {
            "diary.csv": [
                DIARY,
                "2024-04-13,Her,2013,https://boxd.it/a1,,,,2024-04-12",
                "2024-04-14,Heat,1995,https://boxd.it/a2,9,,,2024-04-13",
            ],
            "reviews.csv": [
                REVIEWS,
                "2024-04-13,Her,2013,https://boxd.it/a1,,,Lovely.,,2024-04-12",
            ],
            "ratings.csv": [RATINGS, "2024-04-13,Her,2013,https://boxd.it/film-her,4.5"],
            "watched.csv": [
                FILMS,
                "2024-04-13,Her,2013,https://boxd.it/film-her",
                "2024-04-14,Heat,1995,https://boxd.it/film-heat",
                "2024-01-01,Alien,1979,https://boxd.it/film-alien",
            ],
            "likes/films.csv": [FILMS, "2024-04-13,Her,2013,https://boxd.it/film-her"],
            "watchlist.csv": [
                FILMS,
                "2024-05-01,Ran,1985,https://boxd.it/film-ran",
                "2024-05-01,Ikiru,1952,https://boxd.it/film-ikiru",
            ],
            "comments.csv": ["Date,Content,Comment", '2024-05-02,https://boxd.it/x,"Nice\nreview"'],
            "lists/kurosawa.csv": [
                "Letterboxd list export v7",
                "Date,Name,Tags,URL,Description",
                "2024-05-03,Kurosawa,,https://boxd.it/l1,",
                "",
                "Position,Name,Year,URL,Description",
                "1,Ran,1985,https://boxd.it/film-ran,",
                "2,Ikiru,1952,https://boxd.it/film-ikiru,",
                '3,Ikiru,1952,https://boxd.it/film-ikiru,"again,\nwith a note"',
            ],
            "profile.csv": ["Date Joined,Username", "2019-01-01,someone"],
        },
        crlf=True,
    )
    result = cli("import", str(folder))
    assert result.exit_code == 1  # Heat's rating of 9 stars is refused
    found = counts(result.stdout)
    assert found["Imported"] == 2  # Her and Alien
    assert found["Rejected"] == 1
    assert found["Joined to another row of the same film"] == 5
    assert found["Watchlist: added"] == 2  # into the watchlist, counted on lines of its own
    assert found["Not imported: lists"] == 3
    assert found["Not imported: comments"] == 1
    assert found["Rows read"] == 14
    listed = sum(count for label, count in found.items() if label != "Rows read")
    assert listed == found["Rows read"]


def test_a_zip_of_the_export_folder_reads_likes_and_counts_lists(
    cli: Invoke, journal_path: Path, tmp_path: Path
) -> None:
    import zipfile

    archive = tmp_path / "letterboxd-someone.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        # Some tools zip the folder rather than its files.
        zf.writestr(
            "export/diary.csv",
            f"{DIARY}\r\n2024-04-13,Her,2013,https://boxd.it/a1,4,,,2024-04-12\r\n",
        )
        zf.writestr(
            "export/likes/films.csv", f"{FILMS}\r\n2024-04-13,Her,2013,https://boxd.it/f1\r\n"
        )
        zf.writestr(
            "export/lists/two.csv",
            "Letterboxd list export v7\nDate,Name,Tags,URL,Description\n"
            "2024-05-03,Two,,https://boxd.it/l1,\n\nPosition,Name,Year,URL,Description\n"
            "1,Ran,1985,https://boxd.it/r,\n2,Ikiru,1952,https://boxd.it/i,\n",
        )
        zf.writestr(
            "export/deleted/diary.csv",
            f"{DIARY}\n2020-01-01,Gone,2000,https://boxd.it/g,,,,2020-01-01\n",
        )
    result = cli("import", str(archive))
    assert result.exit_code == 0, result.stdout + result.stderr
    (her,) = reviews(journal_path)
    assert her.liked
    found = counts(result.stdout)
    assert found["Not imported: lists"] == 2
    assert found["Not imported: deleted entries"] == 1
    assert found["Rows read"] == 5
