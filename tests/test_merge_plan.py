"""Which stored reviews an import's plan needs, and that the plan is the same with only them."""

from __future__ import annotations

from datetime import datetime, timedelta

from filmlog.importers import Entry, Match, Parsed
from filmlog.importers.merge import consulted, plan
from filmlog.model import Review


def stored(count: int) -> list[Review]:
    moment = datetime(2024, 1, 1, 12, 0).astimezone()
    return [
        Review(f"Film {n}", id=n, year=2000 + n, updated_at=moment, body=None if n % 3 else "x")
        for n in range(1, count + 1)
    ]


def test_an_export_needs_only_the_reviews_sharing_its_uuids() -> None:
    journal = stored(30)
    later = journal[0].updated_at + timedelta(days=1)  # type: ignore[operator]
    incoming = [
        journal[4].copy(id=None, headline="newer", updated_at=later),
        journal[9].copy(id=None, headline="older"),  # as new as the journal's: skipped
        Review("Brand new", year=1999),
        journal[4].copy(id=None, headline="twice", updated_at=later),
    ]
    parsed = Parsed([Entry(review, f"review {n}", Match.UUID) for n, review in enumerate(incoming)])

    uuids = consulted(parsed)

    assert uuids == {review.uuid for review in incoming}
    subset = [review for review in journal if review.uuid in uuids]
    whole, part = plan(journal, parsed), plan(subset, parsed)
    assert [u.review for u in part.update] == [u.review for u in whole.update]
    assert [e.review for e in part.add] == [e.review for e in whole.add]
    assert [(e.review, why) for e, why in part.skip] == [(e.review, why) for e, why in whole.skip]
    assert len(whole.update) == 1 and len(whole.add) == 1 and len(whole.skip) == 2


def test_matching_by_film_or_source_needs_every_review() -> None:
    parsed = Parsed(
        [
            Entry(Review("Film 1", year=2001), "row 1", Match.UUID),
            Entry(Review("Film 2", year=2002), "row 2", Match.FILM, source="letterboxd"),
        ]
    )
    assert consulted(parsed) is None
