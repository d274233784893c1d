"""Proposals as services: the review's figures, its queries, and publishing once."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.services.enrollment import save_profile
from bot.services.matching.proposals import current_proposal, propose, publish
from bot.services.programs import get_or_create_open_program
from tests.factories import MENTOR, NOW, TEAM, VETERAN_MENTEE


def enrol_pool(db_session: Session, pairs: int, first: int = 0) -> None:
    """Mentor UMnnn and mentee UEnnn for each n, every one in a department of their own."""
    with db_session.begin():
        for i in range(first, pairs):
            for prefix, profile in (("UM", MENTOR), ("UE", VETERAN_MENTEE)):
                save_profile(
                    db_session,
                    team_id=TEAM,
                    user_id=f"{prefix}{i:03d}",
                    profile=replace(profile, department=f"{prefix}{i}", do_not_match=[]),
                    timezone="Europe/Lisbon",
                    now=NOW,
                )


class Statements:
    """Counts the SQL statements run while it is entered."""

    def __init__(self, db_session: Session) -> None:
        self.engine, self.count = db_session.get_bind(), 0

    def _seen(self, *_args: object) -> None:
        self.count += 1

    def __enter__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_the_review_costs_the_same_few_queries_however_many_pairs(db_session: Session) -> None:
    counts = []
    for first, size in ((0, 2), (2, 8)):
        enrol_pool(db_session, size, first)
        with db_session.begin():
            program = get_or_create_open_program(db_session, team_id=TEAM, now=NOW)
            propose(db_session, program=program, now=NOW)
        db_session.expire_all()
        statements = Statements(db_session)
        with statements, db_session.begin():
            proposal = current_proposal(db_session, program=program)
        counts.append(statements.count)
        assert len(proposal.pairs) == size
        assert proposal.top_topic_covered == 1.0 and proposal.cross_department == 1.0
        db_session.expire_all()
    assert counts[0] == counts[1], counts


def test_publishing_twice_activates_once(db_session: Session) -> None:
    enrol_pool(db_session, 3)
    with db_session.begin():
        program = get_or_create_open_program(db_session, team_id=TEAM, now=NOW)
        propose(db_session, program=program, now=NOW)
    with db_session.begin():
        assert publish(db_session, program=program, now=NOW) == 3
    with db_session.begin():
        assert publish(db_session, program=program, now=NOW) == 0
