"""A stateful property test: random sequences of changes against an in-memory model.

Hypothesis drives add, edit, rate, delete, failed transactions, reopening
the journal, JSON export and re-import, and undo, in any order. After every
step the journal on disk must hold exactly what the model holds, pass every
check ``filmlog doctor`` makes, and no ID may ever be handed out twice, not
even after deletes, undos or imports.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
)

from filmlog import doctor
from filmlog.errors import FilmlogError, NotFound
from filmlog.exporters import exporter
from filmlog.importers import merge, reader
from filmlog.model import Review
from filmlog.storage import META_TABLE, REVIEWS_TABLE, Journal
from tests.conftest import examples

# Text as people type it, and as they paste it: markup, escapes, accents, emoji.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x1F600),
    max_size=30,
)
TITLES = st.tuples(st.sampled_from(["Her", "Arrival", "8½", "[red]Ran[/]"]), TEXT).map("".join)
RATINGS = st.none() | st.integers(min_value=1, max_value=10)
TAGS = st.lists(st.sampled_from(["Drama", "drama", "[bold]x[/]", "sci-fi", "Ünïcode"]), max_size=3)


class Boom(Exception):
    """Raised inside a transaction to abandon it."""


class JournalMachine(RuleBasedStateMachine):
    exports = Bundle("exports")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="filmlog-state-"))
        self.path = self.folder / "journal.json"
        self.journal = Journal(self.path)
        self.model: dict[int, dict[str, Any]] = {}
        # What each write put on disk: the reviews and the ID counter. Every version but the
        # last was replaced by a later write, so the newest five of those are the backups.
        self.history: list[tuple[dict[int, dict[str, Any]], int]] = []
        self.highest_issued = 0

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # Helpers ------------------------------------------------------------------------------

    def committed(self) -> None:
        self.history.append((dict(self.model), self.highest_issued + 1))

    def issue(self, review: Review) -> None:
        assert review.id is not None and review.id > self.highest_issued, "an ID was reused"
        self.highest_issued = review.id
        self.model[review.id] = review.to_dict()

    def ids(self) -> list[int]:
        return sorted(self.model)

    # Rules --------------------------------------------------------------------------------

    @rule(title=TITLES, rating=RATINGS, tags=TAGS, body=st.none() | TEXT)
    def add(self, title: str, rating: int | None, tags: list[str], body: str | None) -> None:
        with self.journal.transaction() as session:
            review = session.add(Review(title, rating=rating, tags=tags, body=body))
        self.issue(review)
        self.committed()

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), headline=st.none() | TEXT, genres=TAGS)
    def edit(self, data: st.DataObject, headline: str | None, genres: list[str]) -> None:
        review_id = data.draw(st.sampled_from(self.ids()))
        with self.journal.transaction() as session:
            review = session.get(review_id)
            review.headline, review.genres = headline, genres
            session.update(review)
        self.model[review_id] = review.to_dict()
        self.committed()

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), rating=st.integers(min_value=1, max_value=10))
    def rate(self, data: st.DataObject, rating: int) -> None:
        review_id = data.draw(st.sampled_from(self.ids()))
        with self.journal.transaction() as session:
            review = session.get(review_id)
            review.rating = rating
            session.update(review)
        self.model[review_id] = review.to_dict()
        self.committed()

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        doomed = data.draw(st.lists(st.sampled_from(self.ids()), min_size=1, unique=True))
        with self.journal.transaction() as session:
            removed = session.delete(doomed)
        assert sorted(r.id for r in removed if r.id is not None) == sorted(doomed)
        for review_id in doomed:
            del self.model[review_id]
        self.committed()

    @rule(offset=st.integers(min_value=0, max_value=3))
    def delete_missing(self, offset: int) -> None:
        missing = self.highest_issued + 1 + offset
        before = self.journal.read_bytes()
        with pytest.raises(NotFound), self.journal.transaction() as session:
            session.delete([*self.ids()[:1], missing])
        assert self.journal.read_bytes() == before

    @rule(title=TITLES)
    def abandoned_transaction(self, title: str) -> None:
        before = self.journal.read_bytes()
        with pytest.raises(Boom), self.journal.transaction() as session:
            session.add(Review(title))
            if self.model:
                session.delete(self.ids()[:1])
            raise Boom
        assert self.journal.read_bytes() == before

    @rule()
    def reopen(self) -> None:
        self.journal = Journal(self.path)

    @rule(target=exports)
    def export(self) -> tuple[Path, dict[str, dict[str, Any]]]:
        [part] = exporter("json")(self.journal.reviews())
        destination = self.folder / f"export-{len(list(self.folder.glob('export-*')))}.json"
        destination.write_bytes(part.data)
        return destination, {doc["uuid"]: dict(doc) for _, doc in sorted(self.model.items())}

    @rule(exported=consumes(exports))
    def import_export(self, exported: tuple[Path, dict[str, dict[str, Any]]]) -> None:
        path, snapshot = exported
        parsed = reader("json")(path)
        assert not parsed.rejected
        with self.journal.transaction() as session:
            plan = merge.plan(session.reviews(), parsed)
            added = session.add_many([entry.review for entry in plan.add])
            for update in plan.update:
                session.update(update.review, stamp=update.stamp)

        # What the model says should happen: unknown UUIDs come back under fresh IDs (in their
        # old order), and a known review is replaced only by a copy edited later than it.
        by_uuid = {doc["uuid"]: review_id for review_id, doc in self.model.items()}
        expected_new = [doc for uuid, doc in snapshot.items() if uuid not in by_uuid]
        assert [r.to_dict() for r in added] == expected_new
        for review in added:
            self.issue(review)
        for uuid, doc in snapshot.items():
            review_id = by_uuid.get(uuid)
            if review_id is not None and _later(doc, self.model[review_id]):
                self.model[review_id] = doc
        if plan.add or plan.update:
            self.committed()

    @rule()
    def undo(self) -> None:
        # Undo restores the newest backup that differs from the journal (an edit that
        # changed nothing within the same second wrote the same bytes again).
        kept = self.history[-6:-1]
        different = [version for version in kept if version != self.history[-1]]
        if not different:
            with pytest.raises(FilmlogError, match="nothing to undo"):
                doctor.plan_undo(self.journal)
            return
        plan = doctor.plan_undo(self.journal)
        before, after = self.history[-1][0], different[-1][0]
        assert {r.id for r in plan.removed} == set(before) - set(after)
        assert {r.id for r in plan.restored} == set(after) - set(before)
        assert {r.id for r in plan.reverted} == {
            i for i in set(before) & set(after) if before[i] != after[i]
        }
        doctor.undo(self.journal, plan)
        self.model = dict(after)
        self.committed()

    # Invariants ---------------------------------------------------------------------------

    @invariant()
    def journal_equals_model(self) -> None:
        tables = self.journal.load()
        stored = {int(key): doc for key, doc in tables[REVIEWS_TABLE].items()}
        assert stored == self.model
        assert [r.id for r in self.journal.reviews()] == self.ids()
        if self.path.exists():
            counter = tables[META_TABLE]["1"]["next_id"]
            assert counter > self.highest_issued
            report = doctor.check(self.journal)
            assert report.healthy, report.problems


def _later(incoming: dict[str, Any], stored: dict[str, Any]) -> bool:
    return datetime.fromisoformat(incoming["updated_at"]) > datetime.fromisoformat(
        stored["updated_at"]
    )


JournalMachine.TestCase.settings = settings(
    max_examples=examples(50, 25),
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestJournalMachine = JournalMachine.TestCase
