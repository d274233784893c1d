"""A published pair seeded straight into the database, for tests of what pairs do next."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.services.enrollment import save_profile
from bot.services.pairs import create_pair
from models.enums import CareerStage, PairStatus, Role
from tests.test_enrollment import MENTOR, NOW, TEAM

MENTOR_USER = "U0MENTOR"
MENTEE_USER = "U0MENTEE"
INTRO_CHANNEL = "G0PAIR01"
MENTEE = replace(
    MENTOR,
    role=Role.MENTEE,
    department="Finance",
    career_stage=CareerStage.SENIOR,
    learn_topics=["generative_ai", "social_media"],
    teach_topics=["leadership"],
    self_ratings={"generative_ai": 1, "social_media": 2},
    mentee_capacity=1,
    do_not_match=[],
)


@dataclass(frozen=True)
class SeededPair:
    pair_id: int
    program_id: int
    mentor_participant_id: int
    mentee_participant_id: int
    team_id: str = TEAM
    mentor_user: str = MENTOR_USER
    mentee_user: str = MENTEE_USER
    channel: str = INTRO_CHANNEL


def seed_pair(
    session_factory: sessionmaker[Session],
    *,
    mentor_tz: str = "America/New_York",
    mentee_tz: str = "Europe/London",
    now: datetime = NOW,
    status: PairStatus = PairStatus.ACTIVE,
) -> SeededPair:
    """Two enrolled people in the open program, matched, introduced in INTRO_CHANNEL."""
    with session_factory.begin() as db_session:
        mentor = save_profile(
            db_session,
            team_id=TEAM,
            user_id=MENTOR_USER,
            profile=MENTOR,
            timezone=mentor_tz,
            now=now,
        ).participant
        mentee = save_profile(
            db_session,
            team_id=TEAM,
            user_id=MENTEE_USER,
            profile=MENTEE,
            timezone=mentee_tz,
            now=now,
        ).participant
        pair = create_pair(db_session, mentor=mentor, mentee=mentee, status=status, now=now)
        pair.intro_channel = INTRO_CHANNEL
        pair.intro_sent_at = now
        return SeededPair(pair.id, pair.program_id, mentor.id, mentee.id)
