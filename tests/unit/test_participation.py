"""Participant controls and polls as services, with `now` passed in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.jobs import JOBS
from bot.scheduler import run_once
from bot.services.enrollment import save_profile
from bot.services.errors import DomainError, NotEnrolledError
from bot.services.idempotency import claim_once
from bot.services.participation import eligible_participants, leave, pause, resume
from bot.services.polls import (
    PollClosedError,
    VoteOutcome,
    close_poll,
    record_topic_votes,
    record_vote,
    start_poll,
    tally,
    topic_demand,
)
from bot.services.programs import NoOpenProgramError, get_or_create_open_program
from models import ProcessedRequest
from models.enums import PollAnswer
from tests.factories import MENTOR, NOW, TEAM


def enrol(db_session: Session, *users: str) -> int:
    with db_session.begin():
        for user in users:
            enrollment = save_profile(
                db_session, team_id=TEAM, user_id=user, profile=MENTOR, timezone=None, now=NOW
            )
        return enrollment.program.id


def eligible(db_session: Session, program_id: int, when) -> list[str]:
    with db_session.begin():
        return [
            p.slack_user_id
            for p in eligible_participants(db_session, program_id=program_id, now=when)
        ]


def test_a_pause_stops_matching_until_its_date_then_ends_by_itself(db_session: Session) -> None:
    program_id = enrol(db_session, "U0A", "U0B")
    with db_session.begin():
        until = pause(db_session, team_id=TEAM, user_id="U0A", weeks=3, now=NOW)
    assert until == NOW + timedelta(weeks=3)
    assert eligible(db_session, program_id, NOW) == ["U0B"]
    assert eligible(db_session, program_id, until - timedelta(seconds=1)) == ["U0B"]
    assert eligible(db_session, program_id, until) == ["U0A", "U0B"]


def test_resume_ends_a_pause_early(db_session: Session) -> None:
    program_id = enrol(db_session, "U0A")
    with db_session.begin():
        pause(db_session, team_id=TEAM, user_id="U0A", weeks=2, now=NOW)
    with db_session.begin():
        assert resume(db_session, team_id=TEAM, user_id="U0A", now=NOW + timedelta(days=1))
    assert eligible(db_session, program_id, NOW + timedelta(days=1)) == ["U0A"]


@pytest.mark.parametrize("weeks", [0, 13])
def test_pause_length_is_bounded(db_session: Session, weeks: int) -> None:
    enrol(db_session, "U0A")
    with pytest.raises(DomainError, match="1 to 12 weeks"), db_session.begin():
        pause(db_session, team_id=TEAM, user_id="U0A", weeks=weeks, now=NOW)


def test_people_who_left_are_not_matched_and_cannot_pause(db_session: Session) -> None:
    program_id = enrol(db_session, "U0A", "U0B")
    with db_session.begin():
        leave(db_session, team_id=TEAM, user_id="U0A", now=NOW)
    assert eligible(db_session, program_id, NOW) == ["U0B"]
    with pytest.raises(NotEnrolledError), db_session.begin():
        pause(db_session, team_id=TEAM, user_id="U0A", weeks=1, now=NOW)
    # Re-joining makes them active again.
    enrol(db_session, "U0A")
    assert eligible(db_session, program_id, NOW) == ["U0A", "U0B"]


def test_votes_count_once_per_person_and_closed_polls_refuse(db_session: Session) -> None:
    def vote(user: str, answer: PollAnswer) -> VoteOutcome:
        return record_vote(
            db_session, team_id=TEAM, poll_id=poll.id, user_id=user, answer=answer, now=NOW
        )

    with db_session.begin():
        poll = start_poll(db_session, team_id=TEAM, channel_id="C1", created_by="U0C", now=NOW)
        first = vote("U0A", PollAnswer.MORE)
        assert first.follow_up == PollAnswer.MORE
        again = vote("U0A", PollAnswer.MORE)
        assert not again.changed and again.follow_up is None
        changed = vote("U0A", PollAnswer.MENTOR)
        assert changed.follow_up is None  # one DM per person per poll
        assert changed.changed
        counts = tally(db_session, poll_id=poll.id).answers
        assert (counts[PollAnswer.MENTOR], counts[PollAnswer.MORE]) == (1, 0)
        record_topic_votes(
            db_session,
            team_id=TEAM,
            poll_id=poll.id,
            user_id="U0B",
            topics=["strategy", "knitting"],
            now=NOW,
        )
        _, final = close_poll(db_session, team_id=TEAM, now=NOW)
        assert final.respondents == 2 and final.topics == {"strategy": 1}
        assert topic_demand(db_session, team_id=TEAM) == {"strategy": 1}
    with pytest.raises(PollClosedError), db_session.begin():
        vote("U0B", PollAnswer.NO)


def test_a_workspace_whose_programs_are_all_closed_gets_no_automatic_new_one(
    db_session: Session,
) -> None:
    enrol(db_session, "U0A")
    with db_session.begin():
        program = get_or_create_open_program(db_session, team_id=TEAM, now=NOW)
        from models.enums import ProgramStatus

        program.status = ProgramStatus.FINISHED
    with pytest.raises(NoOpenProgramError), db_session.begin():
        get_or_create_open_program(db_session, team_id=TEAM, now=NOW)


def test_the_scheduled_purge_forgets_old_deliveries_only(
    db_session: Session, session_factory: sessionmaker[Session]
) -> None:
    with db_session.begin():
        assert claim_once(db_session, key="event:old", team_id=TEAM, now=NOW - timedelta(days=8))
        assert claim_once(db_session, key="event:new", team_id=TEAM, now=NOW - timedelta(days=1))
        assert not claim_once(db_session, key="event:new", team_id=TEAM, now=NOW)
    names = run_once(Settings(), session_factory, WebClient(), jobs=JOBS, clock=lambda: NOW)
    assert "purge_processed_requests" in names
    with db_session.begin():
        keys = db_session.scalars(select(ProcessedRequest.key)).all()
        assert keys == ["event:new"]
        assert db_session.scalar(select(func.count()).select_from(ProcessedRequest)) == 1
